//! Example: the main job, the bundled `baseline` (the transfer as it
//! happened, model version 3).
//!
//! This example answers: with the transfer as reported (5,704 moved
//! between 21 January and 13 February 2026 at a pace fitted to the
//! reports, all into Karkh, 1,200 of Karkh's inmates moved to Nasiriyah to
//! make room, the investigative court opening on 28 January, a cassation
//! review of every conviction, sentences by the reported mix, repatriation
//! by state as reported), how far over capacity does each prison go and
//! for how long, how long until a verdict and how long the court queues
//! grow, how many are repatriated per group, and how many are sentenced to
//! what. Every value no source fixes is drawn per replication from its
//! range (`[uncertainty]`), so every figure, a mean over 1,000
//! replications with its 90% band or 95% confidence interval, carries the
//! band the evidence allows. The January plan is `plan-2026-01`
//! (`custody-sim run plan-2026-01`).
//!
//! It demonstrates in particular: the Monte Carlo runner with a progress
//! bar, the summary table, and the JSON, CSV and plots written under
//! `baseline/` in cargo's target folder (`target/`, or `$CARGO_TARGET_DIR`),
//! or into the folder given as the first argument.
//!
//! Run: `cargo run --release --example baseline [-- OUT_DIR]`.

use std::path::PathBuf;

use custody_sim::montecarlo::{Run, Runs};
use custody_sim::report;
use custody_sim::{Scenario, presets};
use indicatif::{ProgressBar, ProgressStyle};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The same scenario as examples/scenarios/baseline.toml, where every
    // value's source is named (docs/calibration.md has the figures).
    let scenario: Scenario = presets::baseline();
    let runs = Runs {
        replications: 1000,
        seed: 1,
        threads: 0,
    };

    let bar = ProgressBar::new(runs.replications);
    bar.set_style(ProgressStyle::with_template(
        "{spinner} replications {pos}/{len} [{bar:40}] {elapsed_precise}",
    )?);
    let summary = Run::new(&scenario, &runs)
        .progress(&|done, _| bar.set_position(done))
        .summary()?;
    bar.finish_and_clear();

    println!(
        "{}",
        report::table::summary_table(&scenario, &summary, None)
    );

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

    // Sanity: the transfer stops at its reported total in every replication
    // (the baseline has no escapes, and its last flights take whoever is
    // left), and Karkh, the receiving prison, goes over its capacity: 5,704
    // arrive against at most 4,500 beds.
    let moved = summary.metric("transferred").and_then(|m| m.min);
    let target = scenario
        .transfer
        .end
        .as_ref()
        .and_then(|e| e.target_total)
        .map(|t| t as f64);
    assert_eq!(moved, target, "the transfer ends at its reported total");
    let karkh = summary
        .metric("facility.Karkh.peak_occupancy_rate")
        .and_then(|m| m.p5)
        .unwrap_or(0.0);
    assert!(karkh > 1.0, "Karkh's worst day is {karkh:.2} of its beds");
    // No verdict before an investigation of 4 to 6 months (from 28 Jan)
    // and a trial: the median time to a verdict is over 100 days in every
    // replication but a few.
    let verdict = summary
        .metric("median_days_to_verdict")
        .and_then(|m| m.p5)
        .unwrap_or(0.0);
    assert!(
        verdict > 100.0,
        "median time to a verdict {verdict:.0} days"
    );
    // Repatriation waits for a final judgment and only some states take
    // their nationals back: at most the 1,529 of the groups with a
    // willing or possibly willing state (Turkish 181, Russian 130, Central
    // Asian 145, Saudi 68, Moroccan 187, Western 48, Other 770), and the
    // Syrians' handover is a variant, not the default.
    let repatriated = summary.metric("repatriated").and_then(|m| m.max);
    assert!(repatriated.is_some_and(|r| 0.0 < r && r <= 1529.0));
    let syrians = summary
        .metric("repatriated.Syrian")
        .and_then(|m| m.max)
        .unwrap_or(0.0);
    assert_eq!(syrians, 0.0, "Syrians are not handed over by default");
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
