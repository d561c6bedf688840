//! How well a scenario's bands cover what was observed.
//!
//! Each replication runs only to the last observed day and keeps only the
//! observed cells; per row the replications' values make the forecast
//! sample the observed value is scored against.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{CalibrateError, Observations, Sim, crps, interval_score, pit};
use crate::Error;
use crate::model::Workspace;
use crate::scenario::Scenario;

/// Miss rate of the p5-p95 band: the α of the interval score.
pub const ALPHA: f64 = 0.1;

/// One observation scored against the model's replications.
///
/// Serialises with exactly these field names (the CLI's `--json` rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestRow {
    /// Date of the observation, `YYYY-MM-DD`.
    pub date: String,
    /// Daily series name.
    pub series: String,
    /// Observed value \[unit of the series\].
    pub value: f64,
    /// 5% quantile of the replications that day \[unit of the series\].
    pub p5: f64,
    /// Median of the replications \[unit of the series\].
    pub p50: f64,
    /// 95% quantile of the replications \[unit of the series\].
    pub p95: f64,
    /// Whether `p5 <= value <= p95`.
    pub inside: bool,
    /// Probability integral transform: the value's mid-rank among the
    /// replications, in \[0, 1\] (see [`pit`]).
    pub pit: f64,
    /// Interval score of `[p5, p95]`, α = 0.1 (see [`interval_score`])
    /// \[unit of the series\].
    pub interval_score: f64,
}

/// A backtest: every row scored, and the totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backtest {
    /// One row per observation, in file order.
    pub rows: Vec<BacktestRow>,
    /// Share of rows inside \[p5, p95\]; nominal 0.9.
    pub coverage: f64,
    /// Mean interval score over the rows \[unit of the series\].
    pub mean_interval_score: f64,
    /// Mean CRPS over the rows (see [`crps`]: the empirical
    /// distribution's CRPS, energy form, exact) \[unit of the series\].
    pub crps: f64,
}

/// Runs `replications` of `scenario` (replication `i` on stream
/// `(seed, i)`) up to the last observed day and scores each observation
/// against them.
///
/// p5, p50 and p95 are type-7 quantiles (linear interpolation between order
/// statistics, as the summary's bands). Replications run on `threads`
/// threads (0: rayon's default) and are collected in index order, so the
/// result is bit-identical whatever the thread count.
///
/// # Errors
///
/// [`Error::Scenario`] if the scenario is invalid;
/// [`CalibrateError::Settings`] for fewer than 2 replications or an
/// observation naming a series the scenario lacks; [`Error::Threads`] if
/// the thread pool cannot be built.
///
/// # Example
///
/// ```
/// use custody_sim::{calibrate::{backtest, Observations}, presets};
///
/// let s = presets::plan_2026_01();
/// let obs = Observations::from_csv_str(
///     "date,series,value\n9,transferred_cumulative,500\n11,transferred_cumulative,450\n",
///     "reported",
///     &s,
/// )?;
/// let b = backtest(&s, &obs, 40, 1, 0)?;
/// assert_eq!(b.rows.len(), 2);
/// assert!(b.rows[0].p5 <= b.rows[0].p50 && b.rows[0].p50 <= b.rows[0].p95);
/// assert!((0.0..=1.0).contains(&b.coverage));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn backtest(
    scenario: &Scenario,
    observations: &Observations,
    replications: u64,
    seed: u64,
    threads: usize,
) -> Result<Backtest, Error> {
    if replications < 2 {
        return Err(CalibrateError::Settings(format!(
            "a backtest needs at least 2 replications, got {replications}"
        ))
        .into());
    }
    let sim = Sim::new(scenario, observations)?;
    let samples: Vec<Vec<f64>> = crate::montecarlo::in_pool(threads, || {
        (0..replications)
            .into_par_iter()
            .map_init(Workspace::default, |ws, i| {
                let mut out = Vec::new();
                sim.observe(ws, seed, i, &mut out).map(|()| out)
            })
            .collect::<Result<Vec<_>, Error>>()
    })??;
    let mut rows = Vec::with_capacity(observations.rows().len());
    let mut crps_sum = 0.0;
    for (r, o) in observations.rows().iter().enumerate() {
        let mut x: Vec<f64> = samples.iter().map(|s| s[r]).collect();
        x.sort_by(f64::total_cmp);
        let q = |p| crate::stats::quantile(&x, p);
        let (p5, p50, p95) = (q(0.05), q(0.5), q(0.95));
        crps_sum += crps(&x, o.value);
        rows.push(BacktestRow {
            date: o.date.clone(),
            series: o.series.clone(),
            value: o.value,
            p5,
            p50,
            p95,
            inside: p5 <= o.value && o.value <= p95,
            pit: pit(&x, o.value),
            interval_score: interval_score(p5, p95, o.value, ALPHA),
        });
    }
    let n = rows.len() as f64;
    Ok(Backtest {
        coverage: rows.iter().filter(|r| r.inside).count() as f64 / n,
        mean_interval_score: rows.iter().map(|r| r.interval_score).sum::<f64>() / n,
        crps: crps_sum / n,
        rows,
    })
}
