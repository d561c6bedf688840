//! Example: replaying the first two weeks of the transfer against the
//! January 2026 reporting.
//!
//! This example answers: does a scenario built from the reported facts
//! (150 detainees on 21 January, a second convoy announced on 24 January,
//! under 500 moved by 30 January when Baghdad asked for a slowdown, about
//! 450 by 1 February) reproduce the reported counts, day by day, and how
//! wide is the spread a researcher should expect around them?
//!
//! The scenario is `examples/scenarios/historical_replay.toml`, whose
//! comments name the source of every value. The example prints the
//! simulated cumulative arrivals in Iraq at the end of each day (mean and
//! the band of 5% to 95% of replications) beside the reported figures, and
//! checks that they agree.
//!
//! Run it with `cargo run --release --example historical_replay`.

use custody_sim::Scenario;
use custody_sim::montecarlo::{Runs, run};

/// The replay scenario, with its sources in comments.
const SCENARIO: &str = include_str!("scenarios/historical_replay.toml");

/// What was reported: (day whose end it describes, figure, source).
const REPORTED: &[(u32, &str, &str)] = &[
    (0, "150", "CENTCOM, 21 Jan: first convoy"),
    (
        3,
        "2nd convoy",
        "Interior Ministry, 24 Jan: \"within days\"",
    ),
    (
        9,
        "under 500",
        "officials and diplomats, 30 Jan; pause asked",
    ),
    (11, "about 450", "deputy foreign minister, 1 Feb"),
];

/// `YYYY-MM-DD` plus `days`, as `21 Jan`.
fn date_after(start: &str, days: u32) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<u32> = start.split('-').filter_map(|p| p.parse().ok()).collect();
    let (mut y, mut m, mut d) = (parts[0], parts[1], parts[2]);
    for _ in 0..days {
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let len = match m {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        d += 1;
        if d > len {
            d = 1;
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
    }
    format!("{d} {}", MONTHS[m as usize - 1])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let scenario = Scenario::from_toml_str(SCENARIO)?;
    let runs = Runs {
        replications: 500,
        seed: 2026,
        threads: 0,
    };
    let summary = run(&scenario, &runs)?;
    let moved = summary
        .series("transferred_cumulative")
        .ok_or("no transferred_cumulative series")?;

    println!(
        "Historical replay: detainees arrived in Iraq, {} replications",
        runs.replications
    );
    println!(
        "(series day d is the state at time d, the end of date d-1; day 0 is {})\n",
        scenario.start_date
    );
    println!(
        "{:>4}  {:<12} {:>10} {:>13}   {:<12} source",
        "day", "end of", "simulated", "90% band", "reported"
    );
    // Series index i is day i + 1, the end of date i.
    for (i, mean) in moved.mean.iter().enumerate() {
        let date_index = i as u32;
        let report = REPORTED.iter().find(|r| r.0 == date_index);
        let line = format!(
            "{:>4}  {:<12} {:>10.0} {:>13}   {:<12} {}",
            i + 1,
            date_after(&scenario.start_date.to_string(), date_index),
            mean,
            format!("{:.0}-{:.0}", moved.p5[i], moved.p95[i]),
            report.map_or("", |r| r.1),
            report.map_or("", |r| r.2),
        );
        println!("{}", line.trim_end());
    }

    // Sanity: the simulation lies near the reports.
    // End of 21 Jan (day 1): the first convoy of 150 has arrived.
    assert!(
        (moved.mean[0] - 150.0).abs() < 1.0,
        "day 1: {}",
        moved.mean[0]
    );
    // End of 30 Jan (day 10): under 500 moved, in most replications.
    assert!(
        moved.mean[9] < 500.0 && moved.p50[9] < 500.0,
        "day 10: {}",
        moved.mean[9]
    );
    // End of 1 Feb (day 12): about 450.
    assert!(
        (moved.mean[11] - 450.0).abs() < 50.0,
        "day 12: {}",
        moved.mean[11]
    );
    // The pause holds: nothing moves after 30 Jan.
    assert!(
        moved.p95[9..].iter().all(|&x| x == moved.p95[9])
            && moved.p5[9..].iter().all(|&x| x == moved.p5[9]),
        "arrivals after the pause"
    );
    println!(
        "\nChecks passed: 150 on day 1, under 500 by 30 Jan, about 450 by 1 Feb, then the pause."
    );
    Ok(())
}
