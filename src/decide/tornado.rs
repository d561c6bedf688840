//! One-at-a-time sensitivity: a tornado of swings.
//!
//! Each parameter is set to the 5th and then the 95th percentile of its
//! distribution while every other parameter is held at its median; each
//! setting runs replications `0..n` of the same master seed (common random
//! numbers). The swing of a metric is its mean at the 95th percentile minus
//! its mean at the 5th, and its 95% interval is the Student t interval of
//! the replication-by-replication differences (over replications where
//! both settings give the metric a value), much narrower than that of two
//! independent means.
//!
//! A tornado shows how far each lever moves a metric across its plausible
//! range; it ignores interactions, which the total Sobol index
//! ([`super::sobol`]) measures. [`sensitivity`] gives both in one result.

use serde::{Deserialize, Serialize};

use super::{DecideError, Estimate, adapter, quantile};
use super::{SobolOptions, SobolResult, sobol_model};
use crate::error::Error;
use crate::montecarlo::Runs;
use crate::scenario::ParamDist;
use crate::scenario::Scenario;

/// One bar of a tornado: a parameter's low and high ends and the swing of
/// the metric between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TornadoBar {
    /// Parameter path.
    pub path: String,
    /// The parameter's 5th percentile (rounded for an integer parameter).
    pub low_value: f64,
    /// The parameter's 95th percentile (rounded for an integer parameter).
    pub high_value: f64,
    /// Mean of the metric with the parameter low, with its 95% interval.
    pub at_low: Estimate,
    /// Mean of the metric with the parameter high, with its 95% interval.
    pub at_high: Estimate,
    /// Mean paired difference, high minus low, with its 95% interval, in the
    /// metric's units.
    pub swing: Estimate,
    /// Replications with a value at both ends.
    pub n: usize,
}

/// A tornado for one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tornado {
    /// The metric.
    pub metric: String,
    /// Mean of the metric with every parameter at its median.
    pub base: Estimate,
    /// Bars, in the order the parameters were given.
    pub bars: Vec<TornadoBar>,
}

impl Tornado {
    /// The bars from the largest absolute swing to the smallest (a bar
    /// without a swing last), as a tornado chart draws them.
    pub fn sorted(&self) -> Vec<&TornadoBar> {
        let mut bars: Vec<&TornadoBar> = self.bars.iter().collect();
        let key = |b: &TornadoBar| b.swing.estimate.map_or(-1.0, f64::abs);
        bars.sort_by(|a, b| key(b).total_cmp(&key(a)));
        bars
    }
}

/// Tornado swings of `metrics` over `params` (see the module docs): `2k + 1`
/// runs of `runs.replications` replications.
///
/// A scenario with `[uncertainty]` runs without it, each uncertain path
/// not in `params` held at its median ([`super::at_medians`]).
///
/// # Errors
///
/// [`Error::Decide`] of kind [`DecideError::Input`] for no parameters, a
/// parameter listed twice, a distribution without a quantile function or an
/// unknown metric; [`Error::Scenario`] for a bad path or a value that makes
/// the scenario invalid.
///
/// # Example: which lever moves the trial wait most?
///
/// ```
/// use custody_sim::{decide::tornado, scenario::ParamDist};
/// use custody_sim::{Dist, Runs, presets};
///
/// let params = [
///     ParamDist::new("court.stage[trial].servers", Dist::uniform_int(10, 40)),
///     ParamDist::new("facility[Hillah].capacity", Dist::uniform_int(500, 3000)),
/// ];
/// let runs = Runs { replications: 10, seed: 1, threads: 0 };
/// let t = &tornado(&presets::plan_2026_01(), &params, &["stage.trial.mean_wait_days"], &runs)?[0];
/// assert_eq!(t.sorted()[0].path, "court.stage[trial].servers");
/// assert!(t.bars[0].swing.ci95_high.unwrap() < 0.0, "more panels, shorter wait");
/// assert_eq!(t.bars[1].swing.estimate, Some(0.0), "beds do not touch the court");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn tornado(
    scenario: &Scenario,
    params: &[ParamDist],
    metrics: &[&str],
    runs: &Runs,
) -> Result<Vec<Tornado>, Error> {
    if params.is_empty() {
        return Err(DecideError::input("params", "need at least one parameter"));
    }
    super::params::check_paths(scenario, params)?;
    let held = super::at_medians(scenario)?;
    let scenario = &held;
    let metrics: Vec<String> = metrics.iter().map(|m| m.to_string()).collect();
    let ends = Ends::new(scenario, params)?;
    let settings = (0..ends.settings())
        .map(|k| {
            let s = ends.scenario(scenario, params, k)?;
            let rows = adapter::in_pool(runs.threads, || {
                adapter::replications(&s, runs.seed, runs.replications, &metrics)
            })??;
            Ok(rows)
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(ends.result(params, &metrics, &settings))
}

/// A tornado's settings: every parameter at its median (setting 0), then
/// each parameter `i` at its low end (setting `1 + 2 i`) and at its high
/// end (setting `2 + 2 i`), the others at their medians.
pub(super) struct Ends {
    /// Per parameter: whether it takes whole numbers, and its 5th, 50th
    /// and 95th percentiles (rounded if it does).
    ends: Vec<(bool, f64, f64, f64)>,
}

impl Ends {
    /// The ends of `params` on `scenario` (held at its medians).
    pub(super) fn new(scenario: &Scenario, params: &[ParamDist]) -> Result<Ends, Error> {
        let integer = params
            .iter()
            .map(|p| adapter::is_integer(scenario, &p.path))
            .collect::<Result<Vec<_>, _>>()?;
        Ends::with_integer(params, &integer)
    }

    /// The ends of `params`, `integer[i]` saying whether parameter `i`
    /// takes whole numbers.
    pub(super) fn with_integer(params: &[ParamDist], integer: &[bool]) -> Result<Ends, Error> {
        let mut ends = Vec::with_capacity(params.len());
        for (p, &integer) in params.iter().zip(integer) {
            let at = |u| -> Result<f64, Error> {
                let x = quantile::quantile(&p.path, &p.dist, u)?;
                Ok(if integer { x.round() } else { x })
            };
            ends.push((integer, at(0.05)?, at(0.5)?, at(0.95)?));
        }
        Ok(Ends { ends })
    }

    /// The number of settings, `2 k + 1`.
    pub(super) fn settings(&self) -> usize {
        2 * self.ends.len() + 1
    }

    /// The parameters' values at setting `k`, as the scenario file writes
    /// them.
    pub(super) fn values(&self, k: usize) -> Vec<String> {
        let moved = (k > 0).then(|| (k - 1) / 2);
        self.ends
            .iter()
            .enumerate()
            .map(|(j, &(integer, low, median, high))| {
                let x = match moved {
                    Some(i) if i == j && k % 2 == 1 => low,
                    Some(i) if i == j => high,
                    _ => median,
                };
                adapter::format_value(x, integer)
            })
            .collect()
    }

    /// `scenario` at setting `k`.
    fn scenario(
        &self,
        scenario: &Scenario,
        params: &[ParamDist],
        k: usize,
    ) -> Result<Scenario, Error> {
        let values: Vec<(&str, String)> = params
            .iter()
            .map(|p| p.path.as_str())
            .zip(self.values(k))
            .collect();
        adapter::with_values(scenario, &values)
    }

    /// The tornadoes of `metrics` from the rows of every setting
    /// (`settings[k][r][m]`: metric `m` of replication `r` at setting `k`).
    pub(super) fn result(
        &self,
        params: &[ParamDist],
        metrics: &[String],
        settings: &[Vec<adapter::Row>],
    ) -> Vec<Tornado> {
        // Per setting, per metric, per replication (NaN: no value).
        let columns: Vec<Vec<Vec<f64>>> = settings
            .iter()
            .map(|rows| {
                (0..metrics.len())
                    .map(|m| rows.iter().map(|r| r[m].unwrap_or(f64::NAN)).collect())
                    .collect()
            })
            .collect();
        let present =
            |xs: &[f64]| -> Vec<f64> { xs.iter().copied().filter(|x| !x.is_nan()).collect() };
        let base = &columns[0];
        metrics
            .iter()
            .enumerate()
            .map(|(m, name)| Tornado {
                metric: name.clone(),
                base: Estimate::mean_of(&present(&base[m])),
                bars: params
                    .iter()
                    .zip(&self.ends)
                    .enumerate()
                    .map(|(i, (p, &(_, low, _, high)))| {
                        let (lo, hi) = (&columns[1 + 2 * i], &columns[2 + 2 * i]);
                        let d: Vec<f64> = hi[m]
                            .iter()
                            .zip(&lo[m])
                            .map(|(h, l)| h - l)
                            .filter(|d| !d.is_nan())
                            .collect();
                        TornadoBar {
                            path: p.path.clone(),
                            low_value: low,
                            high_value: high,
                            at_low: Estimate::mean_of(&present(&lo[m])),
                            at_high: Estimate::mean_of(&present(&hi[m])),
                            swing: Estimate::mean_of(&d),
                            n: d.len(),
                        }
                    })
                    .collect(),
            })
            .collect()
    }
}

/// Puts the tornadoes' swings and ends into the Sobol indices of the same
/// metrics and parameters.
pub(super) fn attach(r: &mut SobolResult, tornadoes: Vec<Tornado>) {
    for (m, t) in r.metrics.iter_mut().zip(tornadoes) {
        // A group's index has no tornado bar (its members move together).
        for ix in m.indices.iter_mut().filter(|ix| ix.members.is_empty()) {
            if let Some(bar) = t.bars.iter().find(|b| b.path == ix.path) {
                ix.swing = Some(bar.swing);
                ix.low_value = Some(bar.low_value);
                ix.high_value = Some(bar.high_value);
            }
        }
    }
}

/// Sobol indices ([`super::sobol_model`]) and tornado swings ([`tornado`], on
/// `tornado_replications` replications of the same seed) in one result:
/// per metric and parameter, `path`, `first_order`, `total` and `swing`
/// (with the tornado's `low_value` and `high_value`).
///
/// With groups, a dummy or second-order indices in `opts`
/// ([`SobolOptions::groups`], [`SobolOptions::dummy`],
/// [`SobolOptions::second_order`]) the Sobol part estimates them; the
/// tornado stays one bar per parameter: a group's index has no swing (its
/// members' bars are in no index: a tornado moves one path at a time).
///
/// To analyse the scenario's own `[uncertainty]`, pass
/// [`uncertain_params`](super::uncertain_params)`(scenario)?` as `params`.
///
/// # Errors
///
/// As [`super::sobol_model`] and [`tornado`].
pub fn sensitivity(
    scenario: &Scenario,
    params: &[ParamDist],
    metrics: &[&str],
    opts: &SobolOptions,
    tornado_replications: u64,
) -> Result<SobolResult, Error> {
    let mut r = sobol_model(scenario, params, metrics, opts)?;
    let runs = Runs {
        replications: tornado_replications,
        seed: opts.seed,
        threads: opts.threads,
    };
    let t = tornado(scenario, params, metrics, &runs)?;
    attach(&mut r, t);
    Ok(r)
}
