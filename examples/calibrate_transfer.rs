//! Example: the research loop observe → fit → forecast → check, on the
//! 2026 transfer.
//!
//! This example answers: given the reported cumulative transfers of
//! `examples/observed/transfer-2026.csv` (150 on 21 January 2026 to 5,704
//! on 13 February, with the bound "at least 1,387 by 2 February"; sources
//! and each row's `sd` in `examples/observed/README.md`), how fast did the
//! convoys go, how sure
//! can we be of it, and what does that mean for **when Karkh passed its
//! capacity and by how much**, and **how the court backlog grows and
//! clears** over five years?
//!
//! 1. *Observe*: the observations, loaded against the `baseline` scenario
//!    (`examples/scenarios/baseline.toml`, `presets::baseline()`), and the
//!    baseline's backtest (coverage, CRPS).
//! 2. *Fit*: ABC population Monte Carlo ([`custody_sim::calibrate::abc`])
//!    of the three transfer paces' intervals, from priors stated below
//!    with their basis in the calibration sources (the days the paces
//!    begin are held at the baseline's values; the shipped posterior,
//!    `examples/scenarios/baseline-posterior.csv`, fits them too: its
//!    command is in docs/calibration.md).
//! 3. *Forecast*: second-order Monte Carlo. The posterior's weighted draws
//!    become the scenario's `[uncertainty]` posterior table, beside the
//!    baseline's own ranges (Karkh's beds and population, the courts'
//!    throughput, the appeal, the repatriation shares) that the counts
//!    cannot identify; every replication draws its own parameters, so the
//!    bands carry the fitted (and the unfitted) parameter uncertainty as
//!    well as the randomness of convoys and courts.
//! 4. *Check*: the posterior is narrower than the prior; the reported
//!    counts lie inside the forecast's 5-95% band on their dates, but for
//!    the "about 450" of 1 February, which the next day's "at least 1,387"
//!    contradicts; Karkh crosses its capacity by the transfer's last day;
//!    the backlog is never negative, never above the number moved, never
//!    rises once the transfer is over, and no verdict comes before an
//!    investigation could end.
//!
//! A row dated D is the end-of-day record of date D, series day
//! D − 2026-01-21 + 1 (docs/model.md, "Observations"); day numbers below
//! count the same way (day 1 = the end of 21 January 2026, day 21 = the end
//! of 10 February; a day between two records, such as a quantile of 20.4,
//! is the later one's: `custody_sim::report::dates`). A count at the end of day
//! D is a metric of the run to horizon D: the runs below stop there, and
//! since every random stream (and every replication's parameter draw) is
//! fixed by the seed and the replication, a shorter horizon only stops the
//! clock.
//!
//! Run it with `cargo run --release --example calibrate_transfer` (about
//! a minute on 2 cores).

use custody_sim::calibrate::{Abc, Observations, Posterior, Prior, abc, backtest};
use custody_sim::montecarlo::{Runs, Summary, run};
use custody_sim::presets;
use custody_sim::report::dates::record_date;
use custody_sim::scenario::{Date, PosteriorTable};
use custody_sim::stats::MetricStats;

/// The reports, `date,series,value,sd,kind`.
const OBSERVED: &str = include_str!("observed/transfer-2026.csv");

/// The reports of the transfer's count only (`transferred_cumulative`):
/// the rows a pace can explain, so that the fit runs to 13 February, not
/// to the reports of March.
fn transfer_rows() -> String {
    OBSERVED
        .lines()
        .filter(|l| l.starts_with("date,") || l.contains(",transferred_cumulative,"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// What is fitted: the interval between convoys of the three paces of
/// `examples/scenarios/baseline.toml` (docs/calibration.md, "The
/// transfer"; the days they begin are the file's). Uniform priors, wide
/// enough to hold every reading of the sources:
///
/// - Pace 1 (from 24 January): one convoy every 0.5 to 6 days. The second
///   convoy was announced on 24 January "within days" (Interior Ministry)
///   and the count stood under about 530 on 30 January (Reuters) after the
///   150 of the first.
/// - Pace 2: one convoy every 0.1 to 1.5 days. "1 to 2 convoys a day" of 5
///   to 7 buses (Kurdish and Iraqi reporting), an air bridge of about 500
///   a day planned (Saudi press, 24 January).
/// - Pace 3 (the last week): one convoy every 0.03 to 1 day. "About 2,000
///   moved in one day" (Feb 2026 reporting, low-medium trust).
///
/// The total is not fitted: the 5,704 of 13 February is the scenario's
/// pool (its groups' counts), moved in full by the last flights.
const PRIORS: [&str; 3] = [
    r#"transfer.phase[1].interval_days.value={dist="uniform",low=0.5,high=6}"#,
    r#"transfer.phase[2].interval_days.value={dist="uniform",low=0.1,high=1.5}"#,
    r#"transfer.phase[3].interval_days.value={dist="uniform",low=0.03,high=1}"#,
];

/// Replications of the forecast: each draws its own parameters.
const REPLICATIONS: u64 = 1000;

/// Master seed of every run below.
const SEED: u64 = 2026;

/// The 5-95% band and median of a metric.
fn band(s: &Summary, metric: &str) -> Result<(f64, f64, f64), Box<dyn std::error::Error>> {
    let m: &MetricStats = s.try_metric(metric)?;
    match (m.p5, m.p50, m.p95) {
        (Some(a), Some(b), Some(c)) => Ok((a, b, c)),
        _ => Err(format!("{metric} has no value in any replication").into()),
    }
}

/// The calendar date of day number `day`: the date whose end-of-day
/// record it is (day 1 = the end of the start date), the library's one
/// convention ([`record_date`]).
fn date(start: Date, day: f64) -> String {
    record_date(start, day).map_or_else(
        || format!("day {day}"),
        |d| d.strftime("%-d %b %Y").to_string(),
    )
}

/// The posterior draws as the `[uncertainty]` posterior table: the CSV
/// that `custody-sim calibrate --out` writes, read as a `posterior` file.
fn posterior_table(p: &Posterior) -> Result<PosteriorTable, custody_sim::Error> {
    PosteriorTable::from_csv_str(&p.to_csv_string(), "the posterior of calibrate_transfer")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Observe. The baseline without its shipped posterior (this example
    // fits the paces itself), its other ranges kept.
    let mut baseline = presets::baseline();
    let mut ranges = baseline
        .uncertainty
        .take()
        .ok_or("the baseline has ranges")?;
    ranges.posterior = None;
    ranges.posterior_table = None;
    baseline.uncertainty = Some(ranges.clone());
    let observed = Observations::from_csv_str(&transfer_rows(), "transfer-2026.csv", &baseline)?;
    let start = baseline.start_date;
    let before = backtest(&baseline, &observed, 500, SEED, 0)?;
    println!(
        "Observed: {} reported counts, {} to {}. The baseline as written: coverage {:.2}, CRPS {:.0}.\n",
        observed.rows().len(),
        observed.rows()[0].date,
        observed.rows()[observed.rows().len() - 1].date,
        before.coverage,
        before.crps
    );

    // 2. Fit.
    let priors = PRIORS
        .iter()
        .map(|p| Prior::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    let settings = Abc {
        particles: 300,
        max_simulations: 8_000,
        seed: SEED,
        ..Abc::default()
    };
    let posterior = abc(&baseline, &observed, &priors, &settings, None)?;
    println!(
        "Fit (ABC-PMC): {} simulations, {} generations, final tolerance {:.2} (RMS of the misfit in sd); stopped: {}",
        posterior.simulations,
        posterior.tolerance_schedule.len(),
        posterior
            .tolerance_schedule
            .last()
            .copied()
            .unwrap_or(f64::INFINITY),
        posterior.stopped
    );
    // Every generation's tolerance, acceptance, simulations and ESS, and,
    // when the budget ended the fit, which generation was kept.
    for line in posterior.diagnostics_table().lines() {
        println!("  {line}");
    }
    println!(
        "  {:<40} {:>7} {:>17} {:>16}",
        "convoy interval [days]", "median", "90% credible", "prior (uniform)"
    );
    for (s, p) in posterior.summary().iter().zip(&priors) {
        let (lo, hi) = p.support();
        println!(
            "  {:<40} {:>7.2} {:>7.2} to {:<7.2} {:>7.2} to {:<6.2}",
            s.path, s.q50, s.q05, s.q95, lo, hi
        );
        // Check: the counts taught us something. A uniform prior's sd is
        // (high - low) / sqrt(12); the posterior's is narrower, and its
        // 90% interval inside the prior's support.
        let prior_sd = (hi - lo) / 12f64.sqrt();
        assert!(
            s.sd < 0.8 * prior_sd,
            "{}: posterior sd {} not narrower than the prior's {prior_sd}",
            s.path,
            s.sd
        );
        assert!(lo <= s.q05 && s.q95 <= hi, "{}: outside the prior", s.path);
    }
    println!(
        "  effective sample size {:.0} of {} particles\n",
        posterior.ess(),
        posterior.particles.len()
    );

    // 3. Forecast: five years, parameters drawn per replication.
    let mut forecast = baseline.with_param("horizon_days", "1826")?;
    ranges.posterior_table = Some(posterior_table(&posterior)?);
    forecast.uncertainty = Some(ranges);
    forecast.validate()?;
    let runs = Runs {
        replications: REPLICATIONS,
        seed: SEED,
        threads: 0,
    };
    let at = |day: u32| -> Result<Summary, Box<dyn std::error::Error>> {
        Ok(run(
            &forecast.with_param("horizon_days", &day.to_string())?,
            &runs,
        )?)
    };

    // 4a. Check: every observed point lies inside the forecast's band on
    //     its date (the posterior predictive: parameter and convoy
    //     uncertainty together).
    println!("Posterior predictive against the reports ({REPLICATIONS} replications):");
    println!(
        "  {:<11} {:>4} {:>9}   {:>6} {:>6} {:>6}   inside",
        "date", "day", "reported", "p5", "p50", "p95"
    );
    for o in observed.rows() {
        let (p5, p50, p95) = band(&at(o.day)?, "transferred")?;
        if o.kind.is_value() {
            let inside = (p5..=p95).contains(&o.value);
            println!(
                "  {:<11} {:>4} {:>9.0}   {p5:>6.0} {p50:>6.0} {p95:>6.0}   {}",
                o.date,
                o.day,
                o.value,
                if inside { "yes" } else { "NO" }
            );
            // The "about 450" of 1 February cannot be met together with
            // the "at least 1,387" of the next day: the fit gives way there.
            assert!(
                inside || o.date == "2026-02-01",
                "{}: {} outside [{p5}, {p95}]",
                o.date,
                o.value
            );
        } else {
            // A bound ("at least 1,387"): consistent when at least 5% of
            // the replications meet it, so when it is not above the p95.
            println!(
                "  {:<11} {:>4} {:>9}   {p5:>6.0} {p50:>6.0} {p95:>6.0}   bound {}",
                o.date,
                o.day,
                format!(">={:.0}", o.value),
                if p95 >= o.value { "met" } else { "NOT met" }
            );
            assert!(p95 >= o.value, "{}: bound {} not met", o.date, o.value);
        }
    }

    // When Karkh passes its capacity, and by how much.
    let whole = run(&forecast, &runs)?;
    let karkh = baseline
        .facilities
        .iter()
        .find(|f| f.name == "Karkh")
        .ok_or("the baseline has no Karkh")?;
    // Karkh's beds and its population before the transfer are ranges
    // (`[uncertainty]`): the file's central values, and the ranges' ends.
    let capacity = karkh.capacity as f64;
    let (most_beds, most_inside) = (4500.0, 4000.0);
    let moved = band(&whole, "transferred")?.1;
    let (c5, c50, c95) = band(&whole, "facility.Karkh.first_day_over_capacity")?;
    let (k5, k50, k95) = band(&whole, "facility.Karkh.peak_occupancy")?;
    let (r5, r50, r95) = band(&whole, "facility.Karkh.peak_occupancy_rate")?;
    let (d5, d50, d95) = band(&whole, "facility.Karkh.days_over_capacity")?;
    let (e5, e50, e95) = band(&whole, "facility.Karkh.excess_detainee_days")?;
    println!(
        "\nKarkh ({capacity:.0} places, a range of 3,500 to 4,500), five years, median (90% band):"
    );
    println!(
        "  first over capacity: {} (day {c50:.0}; 90%: {} to {})",
        date(start, c50),
        date(start, c5),
        date(start, c95)
    );
    println!(
        "  peak: {k50:.0} held, {:.0} over capacity ({:.0} to {:.0}), {:.0}% of it ({:.0}% to {:.0}%)",
        k50 - capacity,
        k5 - capacity,
        k95 - capacity,
        100.0 * r50,
        100.0 * r5,
        100.0 * r95
    );
    println!(
        "  over capacity for {d50:.0} days ({d5:.0} to {d95:.0}); {:.0} thousand detainee-days above it ({:.0} to {:.0})",
        e50 / 1e3,
        e5 / 1e3,
        e95 / 1e3
    );
    // Check: it crosses in every replication by the transfer's last day
    // (day 24): 5,704 arrive against at most 4,500 beds. (With up to
    // 4,000 inside before the transfer, some replications start over.)
    assert!(
        1.0 <= c5 && c95 <= 24.0,
        "crossing days {c5} to {c95} outside the transfer"
    );
    // Check: the peak is above the beds and at most everyone who could be
    // in Karkh (those inside before, the moved, two admissions a day at
    // most for five years).
    assert!(
        1.0 < r5 && most_beds < k95 && k95 <= most_inside + moved + 2.0 * 1826.0,
        "peak {k5} to {k95} ({r5} to {r95} of the beds)"
    );

    // How the court backlog grows and clears.
    println!(
        "\nCourt backlog (transferees awaiting a verdict; cases waiting for trial), median (90% band):"
    );
    let checkpoints = [
        (90, "3 months"),
        (182, "6 months"),
        (365, "1 year"),
        (730, "2 years"),
        (1826, "5 years"),
    ];
    let mut previous: Option<(f64, f64, f64)> = None;
    for (day, label) in checkpoints {
        let s = if day == 1826 { whole.clone() } else { at(day)? };
        let (a5, a50, a95) = band(&s, "awaiting_verdict")?;
        let (q5, q50, q95) = band(&s, "stage.trial.queue_at_horizon")?;
        println!(
            "  {label:<8} {:<12} awaiting {a50:>5.0} ({a5:>4.0} to {a95:>4.0}); waiting for trial {q50:>5.0} ({q5:>4.0} to {q95:>4.0})",
            date(start, f64::from(day))
        );
        // Check: never negative, never above the number moved.
        assert!(0.0 <= a5 && a95 <= moved && 0.0 <= q5 && q95 <= a95);
        // Check: after the transfer nobody joins, so the backlog of every
        // replication falls, and so do its quantiles.
        if let Some((p5, p50, p95)) = previous {
            assert!(
                a5 <= p5 && a50 <= p50 && a95 <= p95,
                "the backlog rose after the transfer, by {label}"
            );
        }
        // Check: investigations of 4 to 6 months; almost nobody has a
        // verdict after 3 months.
        if day == 90 {
            assert!(a5 >= 0.9 * moved, "verdicts before investigations end");
        }
        // Check, against the court's capacity: at 10 to 40 trials a day,
        // less 0 to 10 domestic cases, the caseload is tried within a year
        // of the investigations in most replications, so the median
        // backlog is gone by two years. (Where the domestic cases fill
        // nearly every panel it is not: the p95 says how often.)
        if day >= 730 {
            assert_eq!(a50, 0.0, "a median backlog left after {label}");
        }
        previous = Some((a5, a50, a95));
    }
    let (t5, t50, t95) = band(&whole, "stage.trial.peak_queue")?;
    let (v5, v50, v95) = band(&whole, "median_days_to_verdict")?;
    println!(
        "  peak of the trial queue {t50:.0} cases ({t5:.0} to {t95:.0}); median time to verdict {v50:.0} days ({v5:.0} to {v95:.0})"
    );
    // Check: no verdict before an investigation of at least 4 months
    // (mean 120 days at the least) is mostly over.
    assert!(v5 >= 100.0, "median time to verdict {v5} below 100 days");
    assert!(t95 <= moved, "a trial queue above the number moved");
    Ok(())
}
