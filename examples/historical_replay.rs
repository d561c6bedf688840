//! Example: replaying the whole 2026 transfer against every reported count.
//!
//! This example answers: does the `baseline` scenario, built from the public
//! record, reproduce the reported cumulative number of detainees moved from
//! Syria to Iraq on each date a count was published, from the first convoy
//! of 150 on 21 January 2026 to the 5,704 of 13 February, and how wide is
//! the spread a researcher should expect around each count?
//!
//! The scenario is `examples/scenarios/baseline.toml`, whose comments name
//! the source of every value and which reported point constrained which
//! transfer parameter. The reported counts are
//! `examples/observed/transfer-2026.csv` (`date,series,value,sd`; sources in
//! `examples/observed/README.md`). A row dated D is compared with the
//! end-of-day record of date D: series day D − start + 1 (docs/model.md,
//! "Observations"). The `day` column is that series day: day 0 is the
//! start of 21 January 2026 (as the CLI's table says), day 1 its end, the
//! library's one convention (`custody_sim::report::dates`).
//!
//! The example scores the reported points with the library's backtest
//! ([`custody_sim::calibrate::backtest`], the same as `custody-sim backtest
//! baseline --observed examples/observed/transfer-2026.csv -n 500 --seed
//! 2026`): per point the baseline's 5%, 50% and 95% quantiles of
//! `transferred_cumulative` that day, whether the reported value lies
//! inside, its PIT and interval score; then the coverage (the share of
//! points inside the 5-95% band), the mean interval score and the CRPS. It
//! asserts that every point lies inside the band (coverage 1, which the
//! baseline is built to meet) and that the transfer is over by the last
//! report. Each replication runs only to the last reported day; a row's
//! quantiles are exact (type 7) over the replications' counts that day.
//!
//! Run it with `cargo run --release --example historical_replay`.

use custody_sim::Scenario;
use custody_sim::calibrate::{Observations, backtest};
use custody_sim::montecarlo::{Runs, run};
use custody_sim::report::dates::record_date;

/// The baseline scenario, with its sources in comments.
const SCENARIO: &str = include_str!("scenarios/baseline.toml");

/// The reported counts, `date,series,value,sd`.
const OBSERVED: &str = include_str!("observed/transfer-2026.csv");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let baseline = Scenario::from_toml_str(SCENARIO)?;
    let runs = Runs {
        replications: 500,
        seed: 2026,
        threads: 0,
    };
    let observed = Observations::from_csv_str(OBSERVED, "transfer-2026.csv", &baseline)?;
    assert!(
        observed.rows().len() >= 5,
        "expected the whole transfer, from 21 Jan to 13 Feb"
    );
    let scored = backtest(
        &baseline,
        &observed,
        runs.replications,
        runs.seed,
        runs.threads,
    )?;

    println!(
        "The 2026 transfer: reported cumulative arrivals in Iraq against the baseline,\n\
         {} replications, seed {}\n",
        runs.replications, runs.seed
    );
    let start = baseline.start_date;
    println!(
        "Day 0 is the start of {start}; day d is the end of the date d − 1 days later (day 1: {}).\n",
        record_date(start, 1.0).ok_or("no date for day 1")?
    );
    println!(
        "{:<11} {:>4} {:>9} {:>6}   {:>6} {:>6} {:>6}   inside   PIT  interval score",
        "date", "day", "reported", "sd", "p5", "p50", "p95"
    );
    for (row, obs) in scored.rows.iter().zip(observed.rows()) {
        // The day printed is the record of the row's date.
        assert_eq!(
            record_date(start, f64::from(obs.day)).map(|d| d.to_string()),
            Some(row.date.clone())
        );
        println!(
            "{:<11} {:>4} {:>9.0} {:>6}   {:>6.0} {:>6.0} {:>6.0}   {:<6}  {:.2}  {:>14.0}",
            row.date,
            obs.day,
            row.value,
            obs.sd.map_or(String::new(), |sd| format!("{sd:.0}")),
            row.p5,
            row.p50,
            row.p95,
            if row.inside { "yes" } else { "NO" },
            row.pit,
            row.interval_score
        );
    }
    println!(
        "\ncoverage {:.2} (nominal 0.90), mean interval score {:.0}, CRPS {:.1} [persons]",
        scored.coverage, scored.mean_interval_score, scored.crps
    );

    // Every reported point lies inside the baseline's 5-95% band.
    let outside: Vec<&str> = scored
        .rows
        .iter()
        .filter(|r| !r.inside)
        .map(|r| r.date.as_str())
        .collect();
    assert!(
        outside.is_empty() && scored.coverage == 1.0,
        "reported points outside the 5-95% band: {outside:?}"
    );
    // The scores agree with the rows: a point inside the band costs only
    // the band's width, and PITs lie in [0, 1].
    for r in &scored.rows {
        assert!(
            (r.interval_score - (r.p95 - r.p5)).abs() < 1e-9,
            "{}",
            r.date
        );
        assert!((0.0..=1.0).contains(&r.pit), "{}", r.date);
    }
    // By the last report the transfer is over: all 5,704 moved, nobody
    // left in Syria, in every replication.
    let last = observed.last_day();
    let end = run(
        &baseline.with_param("horizon_days", &last.to_string())?,
        &runs,
    )?;
    let moved = end.try_metric("transferred")?;
    let left = end.try_metric("remaining_in_syria")?;
    assert_eq!(
        (moved.min, left.max),
        (Some(5704.0), Some(0.0)),
        "the transfer should end with all 5,704 moved"
    );
    println!(
        "\nEvery reported count lies inside the baseline's 5-95% band; all 5,704 moved by 13 Feb."
    );
    Ok(())
}
