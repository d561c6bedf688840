//! Example: replaying the whole 2026 transfer against every report.
//!
//! This example answers: does the `baseline` scenario, whose transfer pace
//! is fitted to the public record, reproduce what was reported on each
//! date, from the first convoy of 150 on 21 January 2026 to the 5,704 of
//! 13 February and the absence of any verdict by 12 March, and how wide is
//! the spread a researcher should expect around each report?
//!
//! The scenario is `examples/scenarios/baseline.toml` with its posterior
//! (`presets::baseline()`); the reports are
//! `examples/observed/transfer-2026.csv` (`date,series,value,sd,kind`;
//! sources in `examples/observed/README.md`): counts, and bounds ("at
//! least 1,387 by 2 Feb", "over 14,000 in Nasiriyah", "no verdict yet"). A
//! row dated D is compared with the end-of-day record of date D: series
//! day D − start + 1 (docs/model.md, "Observations"). The `day` column is
//! that series day: day 0 is the start of 21 January 2026 (as the CLI's
//! table says), day 1 its end, the library's one convention
//! (`custody_sim::report::dates`).
//!
//! The example scores the reports with the library's backtest
//! ([`custody_sim::calibrate::backtest`], the same as `custody-sim backtest
//! baseline --observed examples/observed/transfer-2026.csv -n 500 --seed
//! 2026`): per count the baseline's 5%, 50% and 95% quantiles that day,
//! whether the report lies inside, its PIT and interval score; per bound
//! the share of replications that meet it. Two counts are pinned by the
//! scenario (the first convoy of 150, the total of 5,704): every
//! replication matches them, so they are marked and not scored. The
//! coverage, interval score and CRPS are over the other counts. It
//! asserts which rows are pinned, that every bound is consistent with the
//! model (met by at least 5% of the replications), and that the transfer is
//! over by 13 February. The pace was fitted to these same reports, so the
//! coverage is in sample: `custody-sim hindcast` scores it out of sample.
//!
//! Run it with `cargo run --release --example historical_replay`.

use custody_sim::calibrate::{Observations, backtest};
use custody_sim::montecarlo::{Runs, run};
use custody_sim::presets;
use custody_sim::report::dates::record_date;

/// The reports, `date,series,value,sd,kind`.
const OBSERVED: &str = include_str!("observed/transfer-2026.csv");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let baseline = presets::baseline();
    let runs = Runs {
        replications: 500,
        seed: 2026,
        threads: 0,
    };
    let observed = Observations::from_csv_str(OBSERVED, "transfer-2026.csv", &baseline)?;
    let scored = backtest(
        &baseline,
        &observed,
        runs.replications,
        runs.seed,
        runs.threads,
    )?;

    println!(
        "The 2026 transfer and after: the reports against the baseline,\n\
         {} replications, seed {}\n",
        runs.replications, runs.seed
    );
    let start = baseline.start_date;
    println!(
        "Day 0 is the start of {start}; day d is the end of the date d − 1 days later (day 1: {}).\n",
        record_date(start, 1.0).ok_or("no date for day 1")?
    );
    println!(
        "{:<11} {:>4} {:<24} {:>10} {:>5}   {:>6} {:>6} {:>6}   {:<8} {:>5} {:>10}",
        "date",
        "day",
        "series",
        "reported",
        "sd",
        "p5",
        "p50",
        "p95",
        "inside",
        "PIT",
        "int. score"
    );
    for (row, obs) in scored.rows.iter().zip(observed.rows()) {
        // The day printed is the record of the row's date.
        assert_eq!(
            record_date(start, f64::from(obs.day)).map(|d| d.to_string()),
            Some(row.date.clone())
        );
        let (reported, verdict) = match (row.share_meeting, row.kind.name()) {
            (Some(share), kind) => (
                format!(
                    "{}{:.0}",
                    if kind == "at_least" { ">=" } else { "<=" },
                    row.value
                ),
                format!("bound met by {:.0}% of the replications", 100.0 * share),
            ),
            (None, _) => (
                format!("{:.0}", row.value),
                format!(
                    "{:<8} {:.2}  {:>10.0}",
                    if row.pinned {
                        "pinned"
                    } else if row.inside {
                        "yes"
                    } else {
                        "NO"
                    },
                    row.pit,
                    row.interval_score
                ),
            ),
        };
        println!(
            "{:<11} {:>4} {:<24} {:>10} {:>5}   {:>6.0} {:>6.0} {:>6.0}   {verdict}",
            row.date,
            obs.day,
            row.series,
            reported,
            obs.sd.map_or(String::new(), |sd| format!("{sd:.0}")),
            row.p5,
            row.p50,
            row.p95,
        );
    }
    println!(
        "\nover the {} counts not pinned: coverage {:.2} (nominal 0.90), mean interval score {:.0}, CRPS {:.1} [persons]; bounds consistent: {} of {}",
        scored
            .rows
            .iter()
            .filter(|r| r.kind.is_value() && !r.pinned)
            .count(),
        scored.coverage,
        scored.mean_interval_score,
        scored.crps,
        scored.bounds_consistent.unwrap_or(0),
        scored.bounds.unwrap_or(0)
    );

    // The rows the scenario pins: the first convoy (150 on 21 Jan) and the
    // total (5,704 on 13 Feb), and no other.
    let pinned: Vec<(&str, f64)> = scored
        .rows
        .iter()
        .filter(|r| r.pinned)
        .map(|r| (r.date.as_str(), r.value))
        .collect();
    assert_eq!(pinned, [("2026-01-21", 150.0), ("2026-02-13", 5704.0)]);
    // Every bound is consistent with the model: met by at least 5% of the
    // replications (over 14,000 in Nasiriyah, at least 1,387 by 2 Feb,
    // Karkh holding the adult transferees, no verdict or repatriation
    // by 12 Mar).
    assert_eq!(scored.bounds, Some(5));
    assert_eq!(
        scored.bounds_consistent, scored.bounds,
        "a report the model cannot meet"
    );
    // The scores agree with the rows: a count inside the band costs only
    // the band's width, and PITs lie in [0, 1].
    for r in scored.rows.iter().filter(|r| r.kind.is_value()) {
        if r.inside {
            assert!(
                (r.interval_score - (r.p95 - r.p5)).abs() < 1e-9,
                "{}",
                r.date
            );
        }
        assert!((0.0..=1.0).contains(&r.pit), "{}", r.date);
    }
    // In sample (the pace was fitted to these reports), every count not
    // pinned lies inside its band but the "about 450" of 1 February, which
    // the next day's "at least 1,387" contradicts.
    let outside: Vec<&str> = scored
        .rows
        .iter()
        .filter(|r| r.kind.is_value() && !r.pinned && !r.inside)
        .map(|r| r.date.as_str())
        .collect();
    assert_eq!(outside, ["2026-02-01"], "counts outside their band");
    // By the last transfer report the transfer is over: all 5,704 moved,
    // nobody left in Syria, in every replication.
    let end = run(&baseline.with_param("horizon_days", "24")?, &runs)?;
    let moved = end.try_metric("transferred")?;
    let left = end.try_metric("remaining_in_syria")?;
    assert_eq!(
        (moved.min, left.max),
        (Some(5704.0), Some(0.0)),
        "the transfer should end with all 5,704 moved"
    );
    println!("\nAll 5,704 moved by 13 Feb in every replication; every bound consistent.");
    Ok(())
}
