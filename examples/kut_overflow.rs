//! Example: if Karkh overflows into Kut when it opens, and the courts also
//! carry domestic cases, how long is each prison over capacity, and how
//! long until a verdict?
//!
//! The scenario is the bundled `kut_overflow`
//! (`examples/scenarios/kut_overflow.toml`): the `baseline` (the transfer
//! as it happened, 5,704 men held in Karkh) with four of version 3's rules
//! added, each value sourced or marked an assumption in the file:
//! - Kut Central, 2,304 beds (Justice Ministry, 2024-2025), opens on
//!   1 June 2026 (the date is an assumption);
//! - at the end of each day, Karkh's convicted transferees above its 4,000
//!   beds move to Kut, then to Nasiriyah, as far as they have free beds
//!   (overflow, rule 18);
//! - the investigative and trial courts also take 10 domestic cases a day
//!   each, in the same queues (other cases, rule 20; the rate is an
//!   assumption: the courts' other caseload is reported, its size is not);
//! - every conviction is reviewed by the Court of Cassation before it is
//!   final (appeal, rule 22; its pace is an assumption).
//!
//! It runs that scenario and the same scenario without the overflow and
//! without the domestic cases (Kut still opens, the appeal stays), on the
//! same 200 replications of one seed, so the differences are paired: each
//! replication of the two differs only through those two rules. For each
//! prison it prints the days over capacity, the fullest day, the first day
//! over capacity and the population at the horizon; for the courts, the median and mean time
//! from arrival to (first) verdict; every figure a mean over replications
//! with its 95% confidence interval, and each difference with its paired
//! 95% interval.
//!
//! Run it with `cargo run --release --example kut_overflow`; from the
//! command line, `custody-sim run kut_overflow`.

use custody_sim::decide::{Comparison, compare};
use custody_sim::montecarlo::Runs;
use custody_sim::montecarlo::sweep::PairedDiff;
use custody_sim::report::dates::record_date;
use custody_sim::report::format::{fixed, thousands};
use custody_sim::stats::MetricStats;
use custody_sim::{Scenario, presets};

/// Labels of the two scenarios compared, the reference first.
const WITHOUT: &str = "without overflow or domestic cases";
const WITH: &str = "with both";

/// The statistics of `metric` in the scenario `label`.
fn stat<'a>(c: &'a Comparison, metric: &str, label: &str) -> Option<&'a MetricStats> {
    c.metric(metric)?
        .entries
        .iter()
        .find(|e| e.label == label)?
        .stats
        .as_ref()
}

/// The paired difference of `metric`, with both rules minus without.
fn diff<'a>(c: &'a Comparison, metric: &str) -> Option<&'a PairedDiff> {
    c.metric(metric)?
        .entries
        .iter()
        .find(|e| e.label == WITH)?
        .diff
        .as_ref()
}

/// `412 (95% CI 405 to 419)`: a mean and its confidence interval.
fn mean_ci(s: Option<&MetricStats>, decimals: usize) -> String {
    match s.and_then(|s| Some((s.mean?, s.ci95_low?, s.ci95_high?))) {
        Some((m, lo, hi)) => format!(
            "{} (95% CI {} to {})",
            fixed(m, decimals),
            fixed(lo, decimals),
            fixed(hi, decimals)
        ),
        None => "no value".into(),
    }
}

/// `288 fewer (95% CI 281 to 295)`, `45 more (...)`, or `the same`.
fn change(d: Option<&PairedDiff>, more: &str, fewer: &str) -> String {
    match d.and_then(|d| Some((d.mean?, d.ci95_low?, d.ci95_high?))) {
        Some((m, lo, hi)) if m != 0.0 || lo != hi => {
            let (word, lo, hi) = if m < 0.0 {
                (fewer, -hi, -lo)
            } else {
                (more, lo, hi)
            };
            format!(
                "{} {word} (95% CI {} to {})",
                thousands(m.abs()),
                thousands(lo),
                thousands(hi)
            )
        }
        Some(_) => "the same in every replication".into(),
        None => "no paired value".into(),
    }
}

/// The scenario without the overflow and the domestic cases.
fn without_the_rules(s: &Scenario) -> Scenario {
    let mut r = s.clone();
    for f in &mut r.facilities {
        f.overflow = None;
    }
    for stage in &mut r.court.stages {
        stage.other_cases = None;
    }
    r
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let with = presets::by_name("kut_overflow").ok_or("the bundled kut_overflow scenario")?;
    let without = without_the_rules(&with);
    let start = with.start_date;
    let horizon = with.horizon_days as f64;
    let date = |day: f64| {
        record_date(start, day)
            .map_or_else(|| "—".to_string(), |d| d.strftime("%-d %b %Y").to_string())
    };

    let mut metrics = vec![
        "overflowed".to_string(),
        "median_days_to_verdict".to_string(),
        "mean_days_to_verdict".to_string(),
        "convicted".to_string(),
        "appeal.completed".to_string(),
        "appeal.mean_wait_days".to_string(),
        "released_on_appeal".to_string(),
        "facility.Karkh.overflowed_out".to_string(),
    ];
    for f in &with.facilities {
        for m in [
            "days_over_capacity",
            "peak_occupancy",
            "peak_occupancy_rate",
            "first_day_over_capacity",
            "occupancy_at_horizon",
        ] {
            metrics.push(format!("facility.{}.{m}", f.name));
        }
    }
    let names: Vec<&str> = metrics.iter().map(String::as_str).collect();
    let runs = Runs {
        replications: 200,
        seed: 2026,
        threads: 0,
    };
    let c = compare(
        &[
            (WITHOUT.to_string(), without.clone()),
            (WITH.to_string(), with.clone()),
        ],
        &names,
        &runs,
    )?;

    println!(
        "Kut opens, Karkh overflows into it, the courts carry domestic cases: {} replications of seed {}, {} to {} ({} days).",
        runs.replications,
        runs.seed,
        date(1.0),
        date(horizon),
        with.horizon_days
    );
    println!(
        "Each figure is a mean over replications with its 95% confidence interval; each difference is paired ({WITH} minus {WITHOUT}).\n"
    );

    println!(
        "The overflow moves {} convicted transferees out of Karkh by the horizon.",
        mean_ci(stat(&c, "overflowed", WITH), 0)
    );
    for f in &with.facilities {
        let m = |what: &str| format!("facility.{}.{what}", f.name);
        let opens = f
            .opens
            .as_ref()
            .filter(|d| !d.is_zero())
            .map(|d| format!(", open from {}", date(d.days_from(start) + 1.0)))
            .unwrap_or_default();
        println!(
            "\n{} ({} beds{opens}):",
            f.name,
            thousands(f.capacity as f64)
        );
        println!(
            "  over capacity on {} days (of {}) {WITH}, against {} {WITHOUT}: {};",
            mean_ci(stat(&c, &m("days_over_capacity"), WITH), 0),
            with.horizon_days,
            mean_ci(stat(&c, &m("days_over_capacity"), WITHOUT), 0),
            change(
                diff(&c, &m("days_over_capacity")),
                "days more",
                "days fewer"
            ),
        );
        println!(
            "  its fullest day holds {} times its beds {WITH}, against {} {WITHOUT};",
            mean_ci(stat(&c, &m("peak_occupancy_rate"), WITH), 2),
            mean_ci(stat(&c, &m("peak_occupancy_rate"), WITHOUT), 2),
        );
        let first = |label: &str| match stat(&c, &m("first_day_over_capacity"), label) {
            _ if f.initial_occupancy > f.capacity => "over capacity from day 0".to_string(),
            Some(s) => match s.p50 {
                Some(d) if d <= horizon => {
                    format!("first over capacity on {} (median)", date(d))
                }
                _ => "never over capacity".to_string(),
            },
            None => "no value".to_string(),
        };
        println!(
            "  {WITH}, {} and holding {} at the horizon; {WITHOUT}, {} and holding {}.",
            first(WITH),
            mean_ci(stat(&c, &m("occupancy_at_horizon"), WITH), 0),
            first(WITHOUT),
            mean_ci(stat(&c, &m("occupancy_at_horizon"), WITHOUT), 0),
        );
    }

    println!("\nThe courts:");
    println!(
        "  the median time from arrival to verdict (in each replication) is {} days {WITH}, against {} {WITHOUT}: {};",
        mean_ci(stat(&c, "median_days_to_verdict", WITH), 0),
        mean_ci(stat(&c, "median_days_to_verdict", WITHOUT), 0),
        change(
            diff(&c, "median_days_to_verdict"),
            "days more",
            "days fewer"
        ),
    );
    println!(
        "  the mean time from arrival to verdict is {} days {WITH}, against {} {WITHOUT}: {};",
        mean_ci(stat(&c, "mean_days_to_verdict", WITH), 0),
        mean_ci(stat(&c, "mean_days_to_verdict", WITHOUT), 0),
        change(diff(&c, "mean_days_to_verdict"), "days more", "days fewer"),
    );
    println!(
        "  the Court of Cassation completes {} reviews {WITH} ({} {WITHOUT}), after a mean wait of {} days for a reviewer, and reverses {} convictions.",
        mean_ci(stat(&c, "appeal.completed", WITH), 0),
        mean_ci(stat(&c, "appeal.completed", WITHOUT), 0),
        mean_ci(stat(&c, "appeal.mean_wait_days", WITH), 1),
        mean_ci(stat(&c, "released_on_appeal", WITH), 0),
    );

    // Sanity checks of the answer.
    let mean = |metric: &str, label: &str| stat(&c, metric, label).and_then(|s| s.mean);
    // The overflow moves people, and only out of Karkh.
    let moved = mean("overflowed", WITH).ok_or("no overflow count")?;
    assert!(moved > 0.0, "the overflow moves nobody");
    assert_eq!(mean("facility.Karkh.overflowed_out", WITH), Some(moved));
    // Kut takes only what the overflow sends, never beyond its beds; it
    // stays empty without the overflow.
    let kut = |what: &str, label: &str| {
        stat(&c, &format!("facility.Kut.{what}"), label).and_then(|s| s.max)
    };
    assert!(kut("peak_occupancy_rate", WITH).is_some_and(|r| r > 0.0 && r <= 1.0));
    assert_eq!(kut("peak_occupancy", WITHOUT), Some(0.0));
    // Karkh's days over capacity do not increase with the overflow.
    let karkh = diff(&c, "facility.Karkh.days_over_capacity")
        .and_then(|d| d.mean)
        .ok_or("no paired difference for Karkh")?;
    assert!(
        karkh <= 0.0,
        "the overflow adds {karkh} days over capacity to Karkh"
    );
    // The domestic cases lengthen the wait for a verdict, clear of noise.
    let wait = diff(&c, "mean_days_to_verdict")
        .and_then(|d| d.ci95_low)
        .ok_or("no paired difference of the wait")?;
    assert!(wait > 0.0, "domestic cases do not lengthen the wait");
    println!(
        "\nChecks passed: the overflow moves people into Kut within its beds, Karkh is over capacity on no more days, and domestic cases lengthen the wait."
    );
    Ok(())
}
