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
//! "Observations").
//!
//! The example prints, per reported point, the baseline's 5%, 50% and 95%
//! quantiles of `transferred_cumulative` that day beside the reported value,
//! and asserts that every point lies inside the 5-95% band (issue 11's
//! requirement for the baseline). The count at the end of date D is the
//! `transferred` metric of the baseline run to horizon D − start + 1, whose
//! quantiles over replications are exact; its transfer draws are those of
//! the full baseline, since each transfer sub-process has its own random
//! stream and a shorter horizon only stops the clock. The daily band of one
//! full run, `cargo run --release -- run baseline -n 500 --seed 2026 --json
//! out.json`, reads the same within the daily histogram's resolution.
//!
//! Run it with `cargo run --release --example historical_replay`.

use custody_sim::Scenario;
use custody_sim::montecarlo::{Runs, run};
use custody_sim::scenario::Day;

/// The baseline scenario, with its sources in comments.
const SCENARIO: &str = include_str!("scenarios/baseline.toml");

/// The reported counts, `date,series,value,sd`.
const OBSERVED: &str = include_str!("observed/transfer-2026.csv");

/// One row of the observations file.
#[derive(Debug, serde::Deserialize)]
struct Observation {
    /// Date of the report, `YYYY-MM-DD`.
    date: String,
    /// Daily series it describes.
    series: String,
    /// Reported value [persons].
    value: f64,
    /// This project's judgement of the report's uncertainty [persons].
    sd: Option<f64>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let baseline = Scenario::from_toml_str(SCENARIO)?;
    let runs = Runs {
        replications: 500,
        seed: 2026,
        threads: 0,
    };
    let mut reader = csv::Reader::from_reader(OBSERVED.as_bytes());
    let observations: Vec<Observation> = reader.deserialize().collect::<Result<_, _>>()?;
    assert!(
        observations.len() >= 5,
        "expected the whole transfer, from 21 Jan to 13 Feb"
    );

    println!(
        "The 2026 transfer: reported cumulative arrivals in Iraq against the baseline,\n\
         {} replications, seed {}\n",
        runs.replications, runs.seed
    );
    println!(
        "{:<11} {:>4} {:>9} {:>6}   {:>6} {:>6} {:>6}   inside",
        "date", "day", "reported", "sd", "p5", "p50", "p95"
    );
    let mut outside = Vec::new();
    let mut last = None;
    for obs in &observations {
        assert_eq!(obs.series, "transferred_cumulative", "{}", obs.date);
        // A row dated D is the end-of-day record of D: series day
        // D − start + 1, the state at the horizon of a run that long.
        let day = Day::parse_date(&obs.date)
            .ok_or_else(|| format!("not a date YYYY-MM-DD: {:?}", obs.date))?
            .days_from(baseline.start_date)
            + 1.0;
        let scenario = baseline.with_param("horizon_days", &day.to_string())?;
        let summary = run(&scenario, &runs)?;
        let moved = summary
            .metric("transferred")
            .ok_or("no transferred metric")?;
        let (Some(p5), Some(p50), Some(p95)) = (moved.p5, moved.p50, moved.p95) else {
            return Err("transferred has no quantiles".into());
        };
        let inside = (p5..=p95).contains(&obs.value);
        if !inside {
            outside.push(obs.date.clone());
        }
        println!(
            "{:<11} {:>4} {:>9.0} {:>6}   {:>6.0} {:>6.0} {:>6.0}   {}",
            obs.date,
            day,
            obs.value,
            obs.sd.map_or(String::new(), |sd| format!("{sd:.0}")),
            p5,
            p50,
            p95,
            if inside { "yes" } else { "NO" }
        );
        last = Some((
            moved.min,
            summary.metric("remaining_in_syria").and_then(|m| m.max),
        ));
    }

    // Every reported point lies inside the baseline's 5-95% band.
    assert!(
        outside.is_empty(),
        "reported points outside the 5-95% band: {outside:?}"
    );
    // By the last report the transfer is over: all 5,704 moved, nobody left
    // in Syria, in every replication.
    assert_eq!(
        last,
        Some((Some(5704.0), Some(0.0))),
        "the transfer should end with all 5,704 moved"
    );
    println!(
        "\nEvery reported count lies inside the baseline's 5-95% band; all 5,704 moved by 13 Feb."
    );
    Ok(())
}
