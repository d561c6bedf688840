//! Example: how much court capacity keeps the backlog bounded.
//!
//! This example answers: how many investigating judges' files in progress
//! (investigation servers) and trial panels (trial servers) does Iraq need
//! so that the court backlog stays bounded (everyone has a verdict by the
//! end of the two years) and a detainee waits under a year, arrival to
//! verdict, for a typical case?
//!
//! It sweeps, on the `plan-2026-01` scenario, the investigation capacity from
//! day 30 (the plan assumes a rise from 3,000 to 6,750 files in
//! progress, about 45 new files a day; here also 1,500 and 3,000, that is
//! no rise at all) against the number of trial panels (15 in the plan,
//! about 30 hearings a day; here also 5 and 30). All cells run the same
//! replications, so differences between cells are the levers' alone.
//!
//! Run it with `cargo run --release --example court_capacity`.

use custody_sim::montecarlo::Runs;
use custody_sim::presets;
use custody_sim::stats::MetricStats;
use custody_sim::sweep::{Cell, Vary, sweep};

/// Investigation servers from day 30 (the plan's schedule change).
const INVESTIGATION: &str = "court.stage[investigation].schedule[0].servers";
/// Trial servers (panels hearing a case at once).
const TRIAL: &str = "court.stage[trial].servers";
/// Target: half of the verdicts within this many days of arrival.
const THRESHOLD_DAYS: f64 = 365.0;
/// Target: fewer than this many detainees still awaiting a verdict at the
/// horizon (the backlog has cleared).
const CLEARED_BELOW: f64 = 10.0;

/// Statistics of `metric` in `cell`.
fn stat<'a>(cell: &'a Cell, metric: &str) -> &'a MetricStats {
    cell.metric(metric)
        .unwrap_or_else(|| panic!("no metric {metric}"))
}

/// The value of the varied `path` in `cell`, as a number.
fn param(cell: &Cell, path: &str) -> u64 {
    cell.params
        .iter()
        .find(|o| o.path == path)
        .and_then(|o| o.value.parse().ok())
        .expect("a numeric varied parameter")
}

/// Whether a cell meets the target in 95% of replications: the backlog has
/// cleared by the horizon, and the median time to verdict is under the
/// threshold.
fn meets_target(cell: &Cell) -> bool {
    stat(cell, "awaiting_verdict")
        .p95
        .is_some_and(|n| n < CLEARED_BELOW)
        && stat(cell, "median_days_to_verdict")
            .p95
            .is_some_and(|d| d <= THRESHOLD_DAYS)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = presets::plan_2026_01();
    // The reference (first) values are the plan's.
    let grid = [
        Vary::new(INVESTIGATION, [6750, 1500, 3000]),
        Vary::new(TRIAL, [15, 5, 30]),
    ];
    let runs = Runs {
        replications: 200,
        seed: 2026,
        threads: 0,
    };
    let result = sweep(&base, &grid, &runs)?;
    let mut cells: Vec<&Cell> = result.cells.iter().collect();
    cells.sort_by_key(|c| (param(c, INVESTIGATION), param(c, TRIAL)));

    println!(
        "Court capacity: {} detainees, {} replications per cell, horizon {} days",
        base.total_detainees(),
        runs.replications,
        base.horizon_days
    );
    println!(
        "Target: fewer than {CLEARED_BELOW} awaiting a verdict at the horizon, and a median time to verdict under {THRESHOLD_DAYS} days,"
    );
    println!("both in 95% of replications. Means over replications, [p5-p95] where shown.\n");
    println!(
        "{:>13} {:>7} {:>16} {:>12} {:>22} {:>12} {:>9} {:>7}",
        "investigation",
        "trial",
        "invest. queue",
        "trial queue",
        "median to verdict [d]",
        "mean [d]",
        "awaiting",
        "target"
    );
    println!("{:>13} {:>7}", "(from day 30)", "panels");
    for c in &cells {
        let med = stat(c, "median_days_to_verdict");
        println!(
            "{:>13} {:>7} {:>16.0} {:>12.0} {:>22} {:>12.0} {:>9.1} {:>7}",
            param(c, INVESTIGATION),
            param(c, TRIAL),
            stat(c, "stage.investigation.peak_queue")
                .mean
                .unwrap_or(f64::NAN),
            stat(c, "stage.trial.peak_queue").mean.unwrap_or(f64::NAN),
            format!(
                "{:.0} [{:.0}-{:.0}]",
                med.mean.unwrap_or(f64::NAN),
                med.p5.unwrap_or(f64::NAN),
                med.p95.unwrap_or(f64::NAN)
            ),
            stat(c, "mean_days_to_verdict").mean.unwrap_or(f64::NAN),
            stat(c, "awaiting_verdict").mean.unwrap_or(f64::NAN),
            if meets_target(c) { "met" } else { "missed" },
        );
    }
    println!(
        "(queues: peak cases waiting to start a stage; awaiting: in the court pipeline at the horizon)\n"
    );

    // The fewest trial panels meeting the target at each investigation level.
    for inv in [1500, 3000, 6750] {
        let enough = cells
            .iter()
            .filter(|c| param(c, INVESTIGATION) == inv && meets_target(c))
            .map(|c| param(c, TRIAL))
            .min();
        match enough {
            Some(t) => println!(
                "With {inv} investigation servers from day 30, {t} trial panels are enough."
            ),
            None => println!(
                "With {inv} investigation servers from day 30, no trial capacity tried is enough."
            ),
        }
    }

    // Sanity: more trial panels never lengthen the mean time to verdict
    // (beyond noise), at any investigation capacity; and some capacity
    // tried meets the target.
    for inv in [1500, 3000, 6750] {
        let mean_at = |t: u64| {
            cells
                .iter()
                .find(|c| param(c, INVESTIGATION) == inv && param(c, TRIAL) == t)
                .and_then(|c| stat(c, "mean_days_to_verdict").mean)
                .expect("a cell of the grid")
        };
        assert!(
            mean_at(30) <= mean_at(15) + 1.0 && mean_at(15) <= mean_at(5) + 1.0,
            "more trial panels should not slow verdicts at {inv} investigation servers"
        );
    }
    assert!(
        cells.iter().any(|c| meets_target(c)),
        "some capacity should meet the target"
    );
    println!("\nChecks passed: more panels, faster verdicts; the target is reachable.");
    Ok(())
}
