//! Example: the transfer pace against escapes in Syria and overcrowding in
//! Iraq.
//!
//! This example answers: if Iraq asks for a slower transfer, how many more
//! detainees escape from the unstable Syrian sites while they wait, and how
//! much does the slower pace spare Iraq's prisons and courts? And how does
//! the answer change if the Syrian sites are less stable than assumed?
//!
//! It sweeps the interval between convoys in the main phase of the
//! `plan-2026-01` scenario (a convoy of 200 to 280 every 0.5 to 1 day, then
//! a quarter and an eighth of that pace) against the rate of security incidents
//! at Syrian sites (the assumed one in 60 days, and one in 15 days). Every
//! cell runs the same replications (common random numbers), so the
//! difference to the reference cell (the plan's pace and incidents) is
//! taken replication by replication, with a tight 95% confidence interval.
//!
//! Run it with `cargo run --release --example pace_vs_escapes`.

use custody_sim::montecarlo::Runs;
use custody_sim::presets;
use custody_sim::stats::MetricStats;
use custody_sim::sweep::{Cell, PairedDiff, Vary, sweep};

/// Path of the main phase's interval between convoys.
const PACE: &str = "transfer.phase[1].interval_days";
/// Path of the rate of security incidents at Syrian sites.
const INCIDENTS: &str = "transfer.escape.incident_rate_per_day";

/// Statistics of `metric` in `cell`.
fn stat<'a>(cell: &'a Cell, metric: &str) -> &'a MetricStats {
    cell.metric(metric)
        .unwrap_or_else(|| panic!("no metric {metric}"))
}

/// Paired difference of `metric` between `cell` and the reference cell.
fn diff<'a>(cell: &'a Cell, metric: &str) -> &'a PairedDiff {
    cell.diff_of(metric)
        .unwrap_or_else(|| panic!("no difference for {metric}"))
}

/// `+12.3 [+10.1, +14.5]`: a mean difference and its 95% CI.
fn show_diff(d: &PairedDiff) -> String {
    match (d.mean, d.ci95_low, d.ci95_high) {
        (Some(m), Some(lo), Some(hi)) => format!("{m:+7.1} [{lo:+7.1}, {hi:+7.1}]"),
        _ => "reference".to_string(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = presets::plan_2026_01();
    let paces = [
        (
            "baseline (0.5-1 d)",
            r#"{ dist = "uniform", low = 0.5, high = 1.0 }"#,
        ),
        (
            "quarter (2-4 d)",
            r#"{ dist = "uniform", low = 2.0, high = 4.0 }"#,
        ),
        (
            "eighth (4-8 d)",
            r#"{ dist = "uniform", low = 4.0, high = 8.0 }"#,
        ),
    ];
    let incidents = [
        ("1 in 60 days", (1.0_f64 / 60.0).to_string()),
        ("1 in 15 days", (1.0_f64 / 15.0).to_string()),
    ];
    let grid = [
        Vary::new(INCIDENTS, incidents.iter().map(|i| i.1.clone())),
        Vary::new(PACE, paces.iter().map(|p| p.1)),
    ];
    let runs = Runs {
        replications: 200,
        seed: 2026,
        threads: 0,
    };
    let result = sweep(&base, &grid, &runs)?;

    let label = |cell: &Cell, path: &str| -> String {
        let value = &cell
            .params
            .iter()
            .find(|o| o.path == path)
            .expect("varied path")
            .value;
        if path == PACE {
            paces
                .iter()
                .find(|p| p.1 == value)
                .map_or(value.clone(), |p| p.0.to_string())
        } else {
            incidents
                .iter()
                .find(|i| &i.1 == value)
                .map_or(value.clone(), |i| i.0.to_string())
        }
    };

    println!(
        "Transfer pace against escapes and overcrowding ({} detainees, {} replications per cell)",
        base.total_detainees(),
        runs.replications
    );
    println!("Differences are to the first row, paired by replication: mean [95% CI].\n");
    println!(
        "{:<14} {:<20} {:>9} {:>8} {:>20} {:>30} {:>30}",
        "incidents",
        "convoy interval",
        "last in",
        "escaped",
        "escaped: p5-p95",
        "escaped: diff",
        "Nineveh peak: diff"
    );
    for cell in &result.cells {
        let escaped = stat(cell, "escaped");
        println!(
            "{:<14} {:<20} {:>7.0} d {:>8.1} {:>20} {:>30} {:>30}",
            label(cell, INCIDENTS),
            label(cell, PACE),
            stat(cell, "last_arrival_day").mean.unwrap_or(f64::NAN),
            escaped.mean.unwrap_or(f64::NAN),
            format!(
                "{:.0}-{:.0}",
                escaped.p5.unwrap_or(0.0),
                escaped.p95.unwrap_or(0.0)
            ),
            show_diff(diff(cell, "escaped")),
            show_diff(diff(cell, "facility.Nineveh.peak_occupancy")),
        );
    }

    println!("(last in: mean day of the last arrival in Iraq; escaped: from the Syrian pool)");
    println!("\nPressure on Iraq (means over replications):");
    println!(
        "{:<14} {:<20} {:>16} {:>16} {:>16} {:>16}",
        "incidents",
        "convoy interval",
        "Nasiriyah peak",
        "Nineveh peak",
        "invest. queue",
        "trial queue"
    );
    for cell in &result.cells {
        let rate = |f: &str| {
            100.0
                * stat(cell, &format!("facility.{f}.peak_occupancy_rate"))
                    .mean
                    .unwrap_or(f64::NAN)
        };
        println!(
            "{:<14} {:<20} {:>15.0}% {:>15.0}% {:>16.0} {:>16.0}",
            label(cell, INCIDENTS),
            label(cell, PACE),
            rate("Nasiriyah"),
            rate("Nineveh"),
            stat(cell, "stage.investigation.peak_queue")
                .mean
                .unwrap_or(f64::NAN),
            stat(cell, "stage.trial.peak_queue")
                .mean
                .unwrap_or(f64::NAN),
        );
    }
    println!("(peaks are of end-of-day occupancy as % of capacity; queues are peak cases waiting)");

    // Sanity: at the assumed incident rate, an eighth of the pace leaves the
    // pool exposed longer, so more escape, and spares Nineveh and the
    // investigating judges; more incidents mean more escapes at any pace.
    let reference = &result.cells[0];
    let slowest = &result.cells[2];
    let unstable = &result.cells[paces.len()];
    assert_eq!(label(slowest, PACE), paces[2].0);
    let more_escapes = diff(slowest, "escaped");
    assert!(
        more_escapes.ci95_low.is_some_and(|lo| lo > 0.0),
        "a slower transfer should leave more time to escape: {more_escapes:?}"
    );
    let nineveh = diff(slowest, "facility.Nineveh.peak_occupancy");
    assert!(
        nineveh.ci95_high.is_some_and(|hi| hi < 0.0),
        "a slower transfer should lower Nineveh's peak: {nineveh:?}"
    );
    assert!(stat(slowest, "last_arrival_day").mean > stat(reference, "last_arrival_day").mean);
    assert!(
        stat(unstable, "escaped").mean > stat(reference, "escaped").mean,
        "more incidents should mean more escapes"
    );
    println!("\nChecks passed: slower transfers mean more escapes and less crowding.");
    Ok(())
}
