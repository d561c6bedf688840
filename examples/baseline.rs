//! Example: the main job, the January plan (`plan-2026-01`, the version 1
//! baseline).
//!
//! This example answers: under the transfer plan of January 2026 as
//! reported (7,000 detainees, Baghdad's pause, the three named prisons as
//! they are, courts at the early pace), how far over capacity does each
//! prison go and from when, how long until a verdict and how long the
//! court queues grow, how many are repatriated per group, how many escape,
//! and when the transfer completes. Every figure is a mean over 1,000
//! replications with its 90% band or 95% confidence interval.
//!
//! It demonstrates in particular: the Monte Carlo runner with a progress
//! bar, the summary table, and the JSON, CSV and plots written under
//! `baseline/` in cargo's target folder (`target/`, or `$CARGO_TARGET_DIR`),
//! or into the folder given as the first argument.
//!
//! Run: `cargo run --release --example baseline [-- OUT_DIR]`.

use std::path::PathBuf;

use custody_sim::montecarlo::{Runs, run_with_progress};
use custody_sim::report;
use custody_sim::{Scenario, presets};
use indicatif::{ProgressBar, ProgressStyle};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The same scenario as examples/scenarios/plan-2026-01.toml, where every
    // value's source is named.
    let scenario: Scenario = presets::plan_2026_01();
    let runs = Runs {
        replications: 1000,
        seed: 1,
        threads: 0,
    };

    let bar = ProgressBar::new(runs.replications);
    bar.set_style(ProgressStyle::with_template(
        "{spinner} replications {pos}/{len} [{bar:40}] {elapsed_precise}",
    )?);
    let summary = run_with_progress(&scenario, &runs, &|done, _| bar.set_position(done))?;
    bar.finish_and_clear();

    println!("{}", report::table::summary_table(&scenario, &summary));

    // Files for a notebook, R, or a report.
    let out = out_dir();
    std::fs::create_dir_all(&out)?;
    report::json::write_json(
        &report::json::summary_json(&summary),
        &out.join("summary.json"),
    )?;
    report::csv::write_summary_csv(&summary, &out)?;
    #[cfg(feature = "plots")]
    report::plots::write_plots(&scenario, &summary, &out)?;
    println!("JSON, CSV and plots written to {}", out.display());

    // Sanity: everyone was moved (escapes aside), and Nasiriyah, already at
    // more than twice its capacity on day 0, never comes back under it.
    let moved = summary
        .metric("transferred")
        .and_then(|m| m.mean)
        .unwrap_or(0.0);
    let escaped = summary
        .metric("escaped")
        .and_then(|m| m.mean)
        .unwrap_or(0.0);
    assert!(
        (moved + escaped - 7000.0).abs() < 1.0,
        "moved {moved} + escaped {escaped}"
    );
    let over = summary
        .metric("facility.Nasiriyah.days_over_capacity")
        .and_then(|m| m.min)
        .unwrap_or(0.0);
    assert_eq!(over, f64::from(scenario.horizon_days));
    Ok(())
}

/// Where the files go: the first argument, else `baseline/` in cargo's
/// target folder: `$CARGO_TARGET_DIR`, else the folder this example was
/// built into (`<target>/release/examples/baseline`), else `target/`.
fn out_dir() -> PathBuf {
    if let Some(dir) = std::env::args_os().nth(1) {
        return PathBuf::from(dir);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            let exe = std::env::current_exe().ok()?;
            // <target>/<profile>/examples/<name>
            let examples = exe.parent()?;
            (examples.file_name()? == "examples")
                .then(|| examples.parent()?.parent().map(PathBuf::from))
                .flatten()
        })
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("baseline")
}
