//! Example: fitting the transfer's pace to what was reported, then
//! forecasting with the fitted uncertainty.
//!
//! This example answers: given the reported cumulative transfers (150 on
//! 21 January, about 530 on 30 January, about 450 on 1 February, 2,225 on
//! 7 February, 5,704 when the transfer ended on 13 February), what pace of
//! convoys does the January plan (`presets::baseline`) need, how sure can
//! we be of it, and what does that uncertainty mean for when the transfer
//! ends and how long the investigation queue grows?
//!
//! It demonstrates in particular:
//! - loading observations and backtesting a scenario against them
//!   (coverage, interval score, CRPS);
//! - calibrating three parameters by ABC population Monte Carlo, with
//!   the posterior summary and tolerance schedule;
//! - the calibrated scenario (posterior medians) scoring better;
//! - a posterior-predictive forecast: scenarios drawn from the weighted
//!   particles, each replicated, so the bands carry parameter and
//!   stochastic uncertainty.
//!
//! Run it with `cargo run --release --example calibrate_transfer`.

use custody_sim::calibrate::{Abc, Observations, Posterior, Prior, abc, backtest};
use custody_sim::{Error, Plan, Scenario, presets};

/// Reported cumulative transfers (docs/calibration.md, "The transfer
/// (January-February 2026)": CENTCOM 21 Jan; Reuters 31 Jan; Iraq's deputy foreign
/// minister 1 Feb; the prime minister's office 7 Feb; Shafaq News
/// 13 Feb). The sd reflects how far the sources disagree.
const OBSERVED: &str = "date,series,value,sd
2026-01-21,transferred_cumulative,150,10
2026-01-30,transferred_cumulative,530,60
2026-02-01,transferred_cumulative,450,60
2026-02-07,transferred_cumulative,2225,200
2026-02-13,transferred_cumulative,5704,600
";

/// What is fitted: the first weeks' convoy interval, and the second
/// phase's largest convoy and longest interval.
const PRIORS: [&str; 3] = [
    r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#,
    r#"transfer.phase[1].convoy_size.high={dist="uniform_int",low=200,high=1200}"#,
    r#"transfer.phase[1].interval_days.high={dist="uniform",low=0.6,high=3}"#,
];

/// `k` scenarios drawn from the posterior by systematic resampling (the
/// i-th takes the particle whose cumulative weight first reaches
/// (i + ½)/k): deterministic, and proportional to the weights.
fn posterior_draws(p: &Posterior, base: &Scenario, k: usize) -> Result<Vec<Scenario>, Error> {
    let mut cumulative = 0.0;
    let mut next = 0;
    let mut out = Vec::with_capacity(k);
    for (row, w) in p.particles.iter().zip(&p.weights) {
        cumulative += w;
        while next < k && (next as f64 + 0.5) / k as f64 <= cumulative {
            let values: Vec<String> = row
                .iter()
                .zip(&p.integer)
                .map(|(x, &int)| {
                    if int {
                        format!("{}", x.round() as i64)
                    } else {
                        format!("{x:?}")
                    }
                })
                .collect();
            out.push(
                base.with_params(
                    p.paths
                        .iter()
                        .map(String::as_str)
                        .zip(values.iter().map(String::as_str)),
                )?,
            );
            next += 1;
        }
    }
    Ok(out)
}

/// p5, p50 and p95 of a sample.
fn band(mut x: Vec<f64>) -> (f64, f64, f64) {
    x.sort_by(f64::total_cmp);
    let q = |p| custody_sim::stats::quantile(&x, p);
    (q(0.05), q(0.5), q(0.95))
}

fn main() -> Result<(), Error> {
    let baseline = presets::plan_2026_01();
    let observed = Observations::from_csv_str(OBSERVED, "reported", &baseline)?;

    // 1. How well does the January plan match what happened?
    let before = backtest(&baseline, &observed, 200, 1, 0)?;
    println!("Backtest of the January plan (200 replications):");
    println!("  date        observed      p5     p50     p95  inside  PIT");
    for r in &before.rows {
        println!(
            "  {}  {:>8}  {:>6.0}  {:>6.0}  {:>6.0}  {:>6}  {:.2}",
            r.date, r.value, r.p5, r.p50, r.p95, r.inside, r.pit
        );
    }
    println!(
        "  coverage {:.2}, mean interval score {:.0}, CRPS {:.0}\n",
        before.coverage, before.mean_interval_score, before.crps
    );

    // 2. Fit the pace.
    let priors = PRIORS
        .iter()
        .map(|p| Prior::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    let fit = Abc {
        particles: 300,
        max_simulations: 6000,
        seed: 2026,
        ..Abc::default()
    };
    let posterior = abc(&baseline, &observed, &priors, &fit, None)?;
    println!(
        "ABC-PMC: {} simulations, tolerances {:?}; stopped: {}",
        posterior.simulations,
        posterior
            .tolerance_schedule
            .iter()
            .map(|e| (e * 100.0).round() / 100.0)
            .collect::<Vec<_>>(),
        posterior.stopped
    );
    println!("  parameter                                  median  90% credible interval   prior");
    for (s, p) in posterior.summary().iter().zip(&priors) {
        let (lo, hi) = p.support();
        println!(
            "  {:<40} {:>8.2}  {:>8.2} to {:<8.2}   {lo} to {hi}",
            s.path, s.q50, s.q05, s.q95
        );
    }
    println!("  effective sample size {:.0}\n", posterior.ess());

    // 3. The calibrated scenario (posterior medians) scores better.
    let calibrated = posterior.calibrated_scenario(&baseline)?;
    let after = backtest(&calibrated, &observed, 200, 1, 0)?;
    println!(
        "Calibrated scenario: coverage {:.2}, mean interval score {:.0}, CRPS {:.0} (January plan: {:.0})\n",
        after.coverage, after.mean_interval_score, after.crps, before.crps
    );
    assert!(
        after.crps < before.crps,
        "calibration must improve the CRPS"
    );

    // 4. Forecast with the posterior: 40 draws, 5 replications each, over
    //    the first 180 days.
    let mut horizon = baseline.clone();
    horizon.horizon_days = 180;
    let mut end = Vec::new();
    let mut queue = Vec::new();
    for (i, s) in posterior_draws(&posterior, &horizon, 40)?
        .iter()
        .enumerate()
    {
        let plan = Plan::new(s)?;
        for r in 0..5 {
            let out = plan.replicate(7, (i * 5 + r) as u64);
            end.extend(out.metric("last_arrival_day"));
            queue.extend(out.metric("stage.investigation.peak_queue"));
        }
    }
    let (e5, e50, e95) = band(end);
    let (q5, q50, q95) = band(queue);
    println!("Posterior-predictive forecast (40 draws x 5 replications, 180 days):");
    println!(
        "  last arrival in Iraq: day {e50:.0} (90%: {e5:.0} to {e95:.0}; 181 = not over by day 180)"
    );
    println!("  peak investigation queue: {q50:.0} cases (90%: {q5:.0} to {q95:.0})");
    assert!(
        16.0 <= e5 && e95 <= 181.0,
        "the transfer ends after the pause"
    );
    assert!(q5 >= 0.0 && q95 <= 7000.0, "a queue within the population");
    Ok(())
}
