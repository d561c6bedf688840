//! Example: the research loop observe → fit → forecast → check, on the
//! 2026 transfer.
//!
//! This example answers: given the reported cumulative transfers of
//! `examples/observed/transfer-2026.csv` (150 on 21 January 2026 to 5,704
//! on 13 February; sources and each row's `sd` in
//! `examples/observed/README.md`), how fast did the convoys go, how sure
//! can we be of it, and what does that mean for **when Karkh passed its
//! capacity and by how much**, and **how the court backlog grows and
//! clears** over five years?
//!
//! 1. *Observe*: the observations, loaded against the `baseline` scenario
//!    (`examples/scenarios/baseline.toml`, `presets::baseline()`), and the
//!    baseline's backtest (coverage, CRPS).
//! 2. *Fit*: ABC population Monte Carlo ([`custody_sim::calibrate::abc`])
//!    of the three transfer paces the counts identify, from priors stated
//!    below with their basis in the calibration sources.
//! 3. *Forecast*: second-order Monte Carlo. The posterior's weighted draws
//!    become the scenario's `[uncertainty]` posterior table, beside two
//!    court parameters the counts cannot identify, drawn from their priors;
//!    every replication draws its own parameters, so the bands carry the
//!    fitted (and the unfitted) parameter uncertainty as well as the
//!    randomness of convoys and courts.
//! 4. *Check*: the posterior is narrower than the prior; every observed
//!    point lies inside the forecast's 5-95% band on its date; Karkh
//!    crosses its capacity after the transfer began and once enough have
//!    arrived; the backlog is never negative, never above the number
//!    moved, never rises once the transfer is over, and no verdict comes
//!    before an investigation could end.
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
//! 10 s on 2 cores).

use custody_sim::calibrate::{Abc, Observations, Posterior, Prior, abc, backtest};
use custody_sim::montecarlo::{Runs, Summary, run};
use custody_sim::report::dates::record_date;
use custody_sim::scenario::{Date, PosteriorTable, Uncertainty};
use custody_sim::stats::MetricStats;
use custody_sim::{Dist, presets};

/// The reported counts, `date,series,value,sd`.
const OBSERVED: &str = include_str!("observed/transfer-2026.csv");

/// What is fitted: the transfer's pace in the three phases the counts
/// constrain (docs/calibration.md, "The transfer"; the phases are those of
/// `examples/scenarios/baseline.toml`). Uniform priors, wide enough to
/// hold every reading of the sources:
///
/// - Phase 1 (24 January to the pause): one convoy every 1 to 6 days. The
///   second convoy was announced on 24 January "within days" (Interior
///   Ministry) and the count stood under about 530 on 30 January (Reuters)
///   after the 150 of the first: a few convoys of 100-230, not a daily
///   rhythm. Constrained by the rows of 30 January and 1 February.
/// - Phase 2 (from 2 February): one convoy every 0.25 to 1.5 days. "1 to
///   2 convoys a day" of 5 to 7 buses (Kurdish and Iraqi reporting), an
///   air bridge of about 500 a day planned (Saudi press, 24 January):
///   1 to 4 departures a day, and as slow as one every day and a half.
///   Constrained by the 2,225 of 7 February.
/// - Phase 3 (10 February, the peak day): one convoy of 430-570 every
///   0.1 to 1 day. "About 2,000 moved in one day" (Feb 2026 reporting,
///   low-medium trust) is what this phase stands for; the prior runs from
///   one convoy that day to ten. Constrained by the 4,583 of 10 February.
///
/// The total is not fitted: the 5,704 of 13 February is the scenario's
/// pool (its groups' counts), moved in full by the last flights.
const PRIORS: [&str; 3] = [
    r#"transfer.phase[1].interval_days.value={dist="uniform",low=1,high=6}"#,
    r#"transfer.phase[2].interval_days.value={dist="uniform",low=0.25,high=1.5}"#,
    r#"transfer.phase[3].interval_days.value={dist="uniform",low=0.1,high=1}"#,
];

/// What the counts cannot identify but the forecast depends on: drawn per
/// replication from these priors (not fitted), beside the posterior.
///
/// - The investigation's mean length: 120 to 180 days, the "4 to 6
///   months" the judicial cooperation centre announced (Kurdistan24,
///   1 Feb 2026).
/// - The trial stage's servers: 10 to 20 hearings at once, each about half
///   a day, 20 to 40 trials a day around the historic 900 terrorism cases a
///   month (UN mission in Iraq, Jan 2020; hearings of 10 to 30 minutes, AP
///   and NYT 2018).
fn court_priors() -> Vec<(&'static str, Dist)> {
    vec![
        (
            "court.stage[investigation].service_days.mean",
            Dist::uniform(120.0, 180.0),
        ),
        ("court.stage[trial].servers", Dist::uniform_int(10, 20)),
    ]
}

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
    // 1. Observe.
    let baseline = presets::baseline();
    let observed = Observations::from_csv_str(OBSERVED, "transfer-2026.csv", &baseline)?;
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
        particles: 500,
        max_simulations: 20_000,
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
    forecast.uncertainty = Some(Uncertainty {
        posterior_table: Some(posterior_table(&posterior)?),
        ..Uncertainty::new(court_priors())
    });
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
        let inside = (p5..=p95).contains(&o.value);
        println!(
            "  {:<11} {:>4} {:>9.0}   {p5:>6.0} {p50:>6.0} {p95:>6.0}   {}",
            o.date,
            o.day,
            o.value,
            if inside { "yes" } else { "NO" }
        );
        assert!(inside, "{}: {} outside [{p5}, {p95}]", o.date, o.value);
    }

    // When Karkh passes its capacity, and by how much.
    let whole = run(&forecast, &runs)?;
    let karkh = baseline
        .facilities
        .iter()
        .find(|f| f.name == "Karkh")
        .ok_or("the baseline has no Karkh")?;
    let (capacity, initial) = (karkh.capacity as f64, karkh.initial_occupancy as f64);
    let moved = band(&whole, "transferred")?.1;
    let (c5, c50, c95) = band(&whole, "facility.Karkh.first_day_over_capacity")?;
    let (k5, k50, k95) = band(&whole, "facility.Karkh.peak_occupancy")?;
    let (r5, r50, r95) = band(&whole, "facility.Karkh.peak_occupancy_rate")?;
    let (d5, d50, d95) = band(&whole, "facility.Karkh.days_over_capacity")?;
    let (e5, e50, e95) = band(&whole, "facility.Karkh.excess_detainee_days")?;
    println!("\nKarkh ({capacity:.0} places), five years, median (90% band):");
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
    // Check: it crosses in every replication, after the pause (the count
    // stood near 450 on 1 February, day 12, far below the 2,800 arrivals
    // that fill Karkh's room) and by the transfer's last day (day 24).
    assert!(
        13.0 <= c5 && c95 <= 24.0,
        "crossing days {c5} to {c95} outside the transfer"
    );
    // Check: the peak is above capacity and at most everyone in Karkh.
    assert!(
        capacity < k5 && k95 <= initial + moved,
        "peak {k5} to {k95} against capacity {capacity}"
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
        // Check, against the court's capacity: at 20 trials a day or more
        // the caseload is tried within a year of the investigations, so
        // the backlog is gone by two years in every replication.
        if day >= 730 {
            assert_eq!(a95, 0.0, "a backlog left after {label}");
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
