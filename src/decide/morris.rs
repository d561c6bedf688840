//! Screening: Morris elementary effects (μ, μ*, σ).
//!
//! A Sobol design ([`super::sobol`]) costs `N (k + 2)` runs; with dozens of
//! uncertain parameters, a ranking of which ones matter at all costs far
//! less by the method of Morris (1991), with the absolute mean μ* of
//! Campolongo, Cariboni and Saltelli (2007): `r (k + 1)` runs.
//!
//! # Design
//!
//! Each parameter's range is cut into `p` equal-probability bins (`p` =
//! [`MorrisOptions::levels`], even), and the grid is the bins' centres in
//! the unit interval, `u_l = (l + ½) / p` for `l = 0 .. p − 1`, mapped to
//! the parameter through its quantile function ([`super::quantile`]), so
//! every level is finite even for an unbounded distribution. A step moves
//! one parameter by `p / 2` levels, `Δ = ½` in `u` (Morris's
//! `Δ = p / (2 (p − 1))` on his grid `{0, 1/(p−1), .., 1}`, on the
//! bins' centres instead: each of the `p` levels is then reached with the
//! same probability).
//!
//! A **trajectory** starts at a random grid point (each parameter at a
//! level drawn from `0 .. p/2 − 1` and then, with probability ½, moved up
//! by `p/2`: start and end of its step are `{l, l + p/2}` in a random
//! order) and moves the parameters one at a time, in a random order, each
//! to the other end of its step: `k + 1` points, `k` steps. The
//! [`MorrisOptions::trajectories`] trajectories `r` are independent, drawn
//! from a ChaCha8 stream fixed by [`MorrisOptions::seed`] (Morris's random
//! trajectories; Campolongo et al.'s selection of spread-out trajectories
//! from a larger set is not done).
//!
//! # Measures
//!
//! The elementary effect of parameter `i` on trajectory `t` is
//! `EE_i = (f(x + Δ e_i) − f(x)) / Δ`, with `Δ = ±½` in `u`: the change of
//! the output over the parameter's **whole** probability range, in the
//! output's units. For `f = c x` with `x ~ U(lo, hi)`, `EE = c (hi − lo)`
//! exactly. Over the `r` trajectories:
//!
//! - `μ = mean EE_i`, the average effect, whose signs can cancel;
//! - `μ* = mean |EE_i|` (Campolongo et al. 2007), the screening measure: a
//!   parameter with small μ* can be fixed anywhere in its range;
//! - `σ` = the standard deviation of `EE_i` (divisor `r − 1`): 0 for a
//!   parameter whose effect is the same everywhere (additive and linear),
//!   large for one whose effect depends on where the others are
//!   (interactions) or on its own level (non-linear).
//!
//! # The model's own randomness
//!
//! Every point of trajectory `t` runs as **replication `t`** of the seed
//! (common random numbers, as [`super::sobol_model`]'s rows): a step's
//! difference then holds the parameter's effect, its interaction with the
//! noise included, and none of the noise that does not depend on it. A
//! step at which the metric has no value (a time to verdict with no
//! verdict) gives no effect; each index reports how many it used.
//!
//! # References
//!
//! - Morris, M. D. (1991). Factorial sampling plans for preliminary
//!   computational experiments. *Technometrics* 33(2), 161–174.
//! - Campolongo, F., Cariboni, J., Saltelli, A. (2007). An effective
//!   screening design for sensitivity analysis of large models.
//!   *Environmental Modelling & Software* 22(10), 1509–1518.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::groups::{Factors, Group};
use super::{DecideError, adapter, quantile};
use crate::error::Error;
use crate::scenario::ParamDist;
use crate::scenario::Scenario;

/// Settings of a Morris screening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisOptions {
    /// Trajectories `r`; the model runs `r (k + 1)` times. At least 2.
    pub trajectories: usize,
    /// Grid levels `p` per parameter: even, at least 2.
    pub levels: usize,
    /// Master seed: of the design and of the model's replications.
    pub seed: u64,
    /// Worker threads (0: all cores). Not serialised: results are
    /// bit-identical whatever the thread count.
    #[serde(skip)]
    pub threads: usize,
    /// Groups of parameters, each moved as one in a trajectory and given
    /// one μ* ([`super::groups`]); empty (the default): one factor per
    /// parameter. A group's μ and σ are `None`: its members move each its
    /// own way, so only the size of its elementary effect has a meaning
    /// (Campolongo et al. 2007). Not serialised: the result's indices name
    /// a group's members.
    #[serde(skip)]
    pub groups: Vec<Group>,
}

impl Default for MorrisOptions {
    fn default() -> MorrisOptions {
        MorrisOptions {
            trajectories: 10,
            levels: 4,
            seed: 1,
            threads: 0,
            groups: Vec::new(),
        }
    }
}

/// The Morris measures of one parameter for one output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisIndex {
    /// Parameter path, or a group's name.
    pub path: String,
    /// A group's paths (empty for one parameter).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Mean elementary effect μ, in the output's units per the
    /// parameter's whole range (`None` with no effect, and for a group).
    pub mu: Option<f64>,
    /// Mean absolute elementary effect μ*, the screening measure.
    pub mu_star: Option<f64>,
    /// Standard deviation σ of the elementary effects (`None` with fewer
    /// than two, and for a group).
    pub sigma: Option<f64>,
    /// Elementary effects used (of `r`).
    pub effects: usize,
}

/// Morris measures of every parameter for one output (a metric).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisMetric {
    /// The metric (`"f"` for a plain function).
    pub metric: String,
    /// The daily series and day the metric names, for a `SERIES@DAY`
    /// metric ([`super::SeriesDay`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<super::SeriesDay>,
    /// Per parameter, in the order given.
    pub indices: Vec<MorrisIndex>,
}

impl MorrisMetric {
    /// The indices from the largest μ* to the smallest (one without μ*
    /// last), as a screening table lists them.
    pub fn sorted(&self) -> Vec<&MorrisIndex> {
        let mut ix: Vec<&MorrisIndex> = self.indices.iter().collect();
        let key = |i: &MorrisIndex| i.mu_star.unwrap_or(f64::NEG_INFINITY);
        ix.sort_by(|a, b| key(b).total_cmp(&key(a)));
        ix
    }
}

/// The result of [`morris_model`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisResult {
    /// The settings used.
    pub options: MorrisOptions,
    /// Model runs: `r (G + 1)`, `G` the factors (`k` without groups).
    pub evaluations: usize,
    /// Per metric, in the order asked for.
    pub metrics: Vec<MorrisMetric>,
}

/// The design: per trajectory, the factors' order and each parameter's
/// start and end in `u`, and the parameter values of every point.
pub(super) struct Design {
    k: usize,
    r: usize,
    /// The factors: parameters in no group, and groups.
    factors: Factors,
    /// Whether each factor is a group.
    grouped: Vec<bool>,
    /// `r` orders of the `G` factors.
    order: Vec<Vec<usize>>,
    /// `r × G` signed steps `u_end − u_start` (±½) of each factor (a
    /// group's: ½, its members moving each its own way).
    step: Vec<f64>,
    /// `r (G + 1)` points of `k` values, row-major.
    x: Vec<f64>,
}

impl Design {
    pub(super) fn new(
        params: &[ParamDist],
        groups: &[Group],
        opts: &MorrisOptions,
    ) -> Result<Design, Error> {
        quantile::check_design(params)?;
        let factors = Factors::new(params, groups)?;
        if opts.trajectories < 2 {
            return Err(DecideError::input(
                "trajectories",
                format!("must be at least 2, got {}", opts.trajectories),
            ));
        }
        if opts.levels < 2 || !opts.levels.is_multiple_of(2) {
            return Err(DecideError::input(
                "levels",
                format!("must be even and at least 2, got {}", opts.levels),
            ));
        }
        let (k, r, p) = (params.len(), opts.trajectories, opts.levels);
        let g = factors.len();
        let grouped: Vec<bool> = (0..g)
            .map(|f| groups.iter().any(|gr| gr.name == factors.labels[f]))
            .collect();
        let half = p / 2;
        let u = |l: usize| (l as f64 + 0.5) / p as f64;
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        let mut order = Vec::with_capacity(r);
        let mut step = Vec::with_capacity(r * g);
        let mut x = Vec::with_capacity(r * (g + 1) * k);
        for _ in 0..r {
            let mut start = vec![0.0; k];
            let mut end = vec![0.0; k];
            for i in 0..k {
                let low = rng.random_range(0..half);
                let (s, e) = if rng.random_bool(0.5) {
                    (low, low + half)
                } else {
                    (low + half, low)
                };
                (start[i], end[i]) = (u(s), u(e));
            }
            for (members, &group) in factors.members.iter().zip(&grouped) {
                step.push(if group {
                    0.5
                } else {
                    end[members[0]] - start[members[0]]
                });
            }
            let mut perm: Vec<usize> = (0..g).collect();
            for i in (1..g).rev() {
                perm.swap(i, rng.random_range(0..=i));
            }
            let mut at = start;
            let to_values = |at: &[f64], x: &mut Vec<f64>| -> Result<(), Error> {
                for (p, &u) in params.iter().zip(at) {
                    x.push(quantile::quantile(&p.path, &p.dist, u)?);
                }
                Ok(())
            };
            to_values(&at, &mut x)?;
            for &f in &perm {
                for &i in &factors.members[f] {
                    at[i] = end[i];
                }
                to_values(&at, &mut x)?;
            }
            order.push(perm);
        }
        Ok(Design {
            k,
            r,
            factors,
            grouped,
            order,
            step,
            x,
        })
    }

    /// Factors `G`.
    fn g(&self) -> usize {
        self.factors.len()
    }

    pub(super) fn points(&self) -> usize {
        self.r * (self.g() + 1)
    }

    /// Point `q` of a model's design: its values as the scenario file
    /// writes them (`integer[i]`: parameter `i` takes whole numbers), and
    /// the replication it runs as (its trajectory).
    pub(super) fn model_point(&self, q: usize, integer: &[bool]) -> (Vec<String>, u64) {
        let values = self
            .point(q)
            .iter()
            .zip(integer)
            .map(|(&v, &int)| adapter::format_value(v, int))
            .collect();
        (values, (q / (self.g() + 1)) as u64)
    }

    /// The measures of `metrics` from the model's outputs at every point,
    /// in point order (`rows[q][m]`: metric `m` at point `q`); `at` is
    /// left unset.
    pub(super) fn model_result(
        &self,
        params: &[ParamDist],
        groups: &[Group],
        metrics: &[String],
        opts: &MorrisOptions,
        rows: &[Vec<Option<f64>>],
    ) -> MorrisResult {
        let out = metrics
            .iter()
            .enumerate()
            .map(|(m, name)| {
                let y: Vec<Option<f64>> = rows.iter().map(|r| r[m]).collect();
                self.measures(name, params, groups, &y)
            })
            .collect();
        MorrisResult {
            options: opts.clone(),
            evaluations: self.points(),
            metrics: out,
        }
    }

    /// The values of point `q` (trajectory `q / (G + 1)`).
    fn point(&self, q: usize) -> &[f64] {
        &self.x[q * self.k..(q + 1) * self.k]
    }

    /// The measures from outputs `y` (one per point, `None`: no value).
    fn measures(
        &self,
        metric: &str,
        params: &[ParamDist],
        groups: &[Group],
        y: &[Option<f64>],
    ) -> MorrisMetric {
        let g = self.g();
        let mut ee: Vec<Vec<f64>> = vec![Vec::with_capacity(self.r); g];
        for t in 0..self.r {
            let ys = &y[t * (g + 1)..(t + 1) * (g + 1)];
            for (m, &f) in self.order[t].iter().enumerate() {
                if let (Some(a), Some(b)) = (ys[m], ys[m + 1]) {
                    let e = (b - a) / self.step[t * g + f];
                    if e.is_finite() {
                        // A group's members move each its own way: only
                        // the size of its effect has a meaning.
                        ee[f].push(if self.grouped[f] { e.abs() } else { e });
                    }
                }
            }
        }
        let indices = (0..g)
            .zip(&ee)
            .map(|(f, e)| {
                let n = e.len() as f64;
                let single = !self.grouped[f];
                let mu = (!e.is_empty() && single).then(|| e.iter().sum::<f64>() / n);
                let mu_star = (!e.is_empty()).then(|| e.iter().map(|v| v.abs()).sum::<f64>() / n);
                let sigma = mu
                    .filter(|_| e.len() >= 2)
                    .map(|m| (e.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
                MorrisIndex {
                    path: self.factors.labels[f].clone(),
                    members: self.factors.paths(f, params, groups),
                    mu,
                    mu_star,
                    sigma,
                    effects: e.len(),
                }
            })
            .collect();
        MorrisMetric {
            metric: metric.to_string(),
            at: None,
            indices,
        }
    }
}

/// Morris measures of a function of the parameters' values, `f(&x)` with
/// `x[i]` a value of `params[i]` on the grid (the paths are only labels
/// here). `f` must be deterministic; it is called `r (k + 1)` times, in
/// parallel; the result does not depend on the thread count.
///
/// # Errors
///
/// [`Error::Decide`] of kind [`DecideError::Input`] for no parameters, a
/// parameter listed twice, a distribution without a quantile function,
/// fewer than 2 trajectories, an odd number of levels or a bad group;
/// [`Error::Threads`] if a thread pool cannot be built.
///
/// # Example: a linear function, whose μ* is |coefficient × range|
///
/// ```
/// use custody_sim::{Dist, decide::{MorrisOptions, morris_fn}, scenario::ParamDist};
///
/// // y = 3 x0 − 2 x1, x0 ~ U(0, 1), x1 ~ U(10, 20): μ* = (3, 20), σ = 0.
/// let params = [ParamDist::new("x0", Dist::uniform(0.0, 1.0)), ParamDist::new("x1", Dist::uniform(10.0, 20.0))];
/// let r = morris_fn(&params, |x| 3.0 * x[0] - 2.0 * x[1], &MorrisOptions::default())?;
/// assert!((r.indices[0].mu_star.unwrap() - 3.0).abs() < 1e-9);
/// assert!((r.indices[1].mu.unwrap() + 20.0).abs() < 1e-9);
/// assert!(r.indices[1].sigma.unwrap() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Example: a group's μ* in a linear model
///
/// Groups are a field of the options ([`MorrisOptions::groups`]), not a
/// second function: `r (G + 1)` calls for `G` factors.
///
/// ```
/// use custody_sim::decide::{Group, MorrisOptions, morris_fn};
/// use custody_sim::{Dist, scenario::ParamDist};
///
/// // y = x0 + x1 + x2 on U(0, 1)³: moving {x0, x1} together by half the
/// // range each way changes y by 0 or ±1, so the group's |EE| is 0 or 2.
/// let params: Vec<ParamDist> = (0..3).map(|i| ParamDist::new(format!("x{i}"), Dist::uniform(0.0, 1.0))).collect();
/// let opts = MorrisOptions { groups: vec![Group::new("x01", ["x0", "x1"])], ..MorrisOptions::default() };
/// let r = morris_fn(&params, |x| x[0] + x[1] + x[2], &opts)?;
/// assert_eq!(r.indices[0].path, "x01");
/// assert!(r.indices[0].mu.is_none());
/// assert!((r.indices[1].mu_star.unwrap() - 1.0).abs() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn morris_fn<F>(params: &[ParamDist], f: F, opts: &MorrisOptions) -> Result<MorrisMetric, Error>
where
    F: Fn(&[f64]) -> f64 + Sync,
{
    let groups = &opts.groups;
    let d = Design::new(params, groups, opts)?;
    let y: Vec<Option<f64>> = adapter::in_pool(opts.threads, || {
        (0..d.points())
            .into_par_iter()
            .map(|q| Some(f(d.point(q))).filter(|v| v.is_finite()))
            .collect()
    })?;
    Ok(d.measures("f", params, groups, &y))
}

/// Morris measures of model metrics over uncertain parameters: the base
/// scenario with each parameter path set to its grid value, one
/// replication per point, every point of trajectory `t` being replication
/// `t` of [`MorrisOptions::seed`] (see the module docs).
///
/// A scenario with `[uncertainty]` runs without it, each uncertain path
/// not in `params` held at its median ([`super::at_medians`]).
///
/// # Errors
///
/// As [`morris_fn`]; [`Error::Decide`] of kind [`DecideError::Input`] for
/// an unknown metric or one parameter listed under two paths;
/// [`Error::Scenario`] naming the path if a path is bad, changes the shape
/// of the results, or a grid value makes the scenario invalid.
///
/// # Example: screening two levers for the time to verdict
///
/// ```
/// use custody_sim::decide::{MorrisOptions, morris_model};
/// use custody_sim::scenario::ParamDist;
/// use custody_sim::{Dist, presets};
///
/// let params = [
///     ParamDist::new("court.stage[trial].servers", Dist::uniform_int(10, 40)),
///     ParamDist::new("transfer.escape.escape_probability", Dist::uniform(0.0, 0.02)),
/// ];
/// let opts = MorrisOptions { trajectories: 4, ..MorrisOptions::default() };
/// let r = morris_model(&presets::plan_2026_01(), &params, &["mean_days_to_verdict"], &opts)?;
/// assert_eq!(r.evaluations, 4 * 3);
/// let ix = &r.metrics[0].sorted();
/// assert_eq!(ix[0].path, "court.stage[trial].servers");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn morris_model(
    scenario: &Scenario,
    params: &[ParamDist],
    metrics: &[&str],
    opts: &MorrisOptions,
) -> Result<MorrisResult, Error> {
    let groups = &opts.groups;
    super::params::check_paths(scenario, params)?;
    let d = Design::new(params, groups, opts)?;
    let held = super::at_medians(scenario)?;
    let scenario = &held;
    let metrics: Vec<String> = metrics.iter().map(|m| m.to_string()).collect();
    let paths: Vec<String> = params.iter().map(|p| p.path.clone()).collect();
    let integer = paths
        .iter()
        .map(|p| adapter::is_integer(scenario, p))
        .collect::<Result<Vec<_>, _>>()?;
    let rows = adapter::in_pool(opts.threads, || {
        adapter::points(scenario, &paths, opts.seed, &metrics, d.points(), |q| {
            d.model_point(q, &integer)
        })
    })??;
    let mut r = d.model_result(params, groups, &metrics, opts, &rows);
    for ix in &mut r.metrics {
        ix.at = super::SeriesDay::parse(scenario, &ix.metric)?;
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;

    fn grouped(opts: MorrisOptions, group: Group) -> MorrisOptions {
        MorrisOptions {
            groups: vec![group],
            ..opts
        }
    }

    fn opts(r: usize, seed: u64) -> MorrisOptions {
        MorrisOptions {
            trajectories: r,
            levels: 4,
            seed,
            threads: 0,
            groups: Vec::new(),
        }
    }

    /// y = Σ c_i x_i, x_i ~ U(lo_i, lo_i + w_i): every elementary effect is
    /// c_i w_i, so μ = c_i w_i, μ* = |c_i w_i| and σ = 0, for any seed,
    /// trajectory count and number of levels.
    #[test]
    fn linear_model_mu_star_is_coefficient_times_range() {
        let c = [1.0, -2.0, 0.0, 5.0];
        let (lo, w) = ([0.0, 2.0, -1.0, 100.0], [1.0, 3.0, 2.0, 0.5]);
        let params: Vec<ParamDist> = (0..4)
            .map(|i| ParamDist::new(format!("x{i}"), Dist::uniform(lo[i], lo[i] + w[i])))
            .collect();
        for (r, p, seed) in [(10, 4, 1), (3, 2, 9), (25, 8, 123)] {
            let o = MorrisOptions {
                levels: p,
                ..opts(r, seed)
            };
            let m = morris_fn(&params, |x| (0..4).map(|i| c[i] * x[i]).sum(), &o).unwrap();
            for (i, ix) in m.indices.iter().enumerate() {
                let exact = c[i] * w[i];
                let tol = 1e-9 * (1.0 + exact.abs());
                assert_eq!(ix.effects, r);
                assert!((ix.mu.unwrap() - exact).abs() < tol, "{ix:?}");
                assert!((ix.mu_star.unwrap() - exact.abs()).abs() < tol, "{ix:?}");
                assert!(ix.sigma.unwrap() < tol, "{ix:?}");
            }
        }
    }

    /// y = x0 + 4 x1 x2 + x3 on U(0, 1)^4: the effect of x1 is 4 x2, which
    /// depends on where x2 is, and the other way round, so σ > 0 for x1
    /// and x2 only; x0 and x3 have σ = 0 and μ* = 1.
    #[test]
    fn only_interacting_parameters_have_spread() {
        let params: Vec<ParamDist> = (0..4)
            .map(|i| ParamDist::new(format!("x{i}"), Dist::uniform(0.0, 1.0)))
            .collect();
        let m = morris_fn(&params, |x| x[0] + 4.0 * x[1] * x[2] + x[3], &opts(20, 3)).unwrap();
        for i in [0, 3] {
            let ix = &m.indices[i];
            assert!(ix.sigma.unwrap() < 1e-12, "{ix:?}");
            assert!((ix.mu_star.unwrap() - 1.0).abs() < 1e-12, "{ix:?}");
        }
        for i in [1, 2] {
            let ix = &m.indices[i];
            // EE = 4 x_other, x_other on the levels 1/8 .. 7/8: σ well
            // above 0 once the other has been at two levels.
            assert!(ix.sigma.unwrap() > 0.3, "{ix:?}");
            let mu = ix.mu_star.unwrap();
            assert!((0.5..=3.5).contains(&mu), "{ix:?}");
        }
        let mut top: Vec<&str> = m.sorted()[..2].iter().map(|i| i.path.as_str()).collect();
        top.sort_unstable();
        assert_eq!(top, ["x1", "x2"]);
    }

    #[test]
    fn same_seed_same_result_any_threads_and_bad_settings_are_named() {
        let params = [
            ParamDist::new("a", Dist::uniform(0.0, 1.0)),
            ParamDist::new("b", Dist::Lognormal { mean: 1.0, sd: 1.0 }),
        ];
        let f = |x: &[f64]| x[0].exp() * x[1];
        let a = morris_fn(&params, f, &opts(10, 5)).unwrap();
        let b = morris_fn(
            &params,
            f,
            &MorrisOptions {
                threads: 1,
                ..opts(10, 5)
            },
        )
        .unwrap();
        assert_eq!(a, b);
        assert!(a.indices.iter().all(|i| i.mu_star.unwrap().is_finite()));
        assert_ne!(a, morris_fn(&params, f, &opts(10, 6)).unwrap());
        let e = morris_fn(
            &params,
            f,
            &MorrisOptions {
                levels: 5,
                ..opts(10, 5)
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("levels: must be even"), "{e}");
        let e = morris_fn(&params, f, &opts(1, 5)).unwrap_err().to_string();
        assert!(e.starts_with("trajectories: must be at least 2"), "{e}");
        assert!(morris_fn(&[], f, &opts(10, 5)).is_err());
    }

    /// A group moves its members in one step: a group of one parameter is
    /// that parameter (μ* the same), and in y = x0 + x1 + 3 x2 on
    /// U(0, 1)³ the group {x0, x1} has elementary effects of size 0 or 2
    /// (its members move ±½ each, in random directions): μ* is twice the
    /// share of trajectories in which they move the same way. The design
    /// has r (G + 1) points.
    #[test]
    fn groups_move_together_and_get_one_mu_star() {
        let params: Vec<ParamDist> = (0..3)
            .map(|i| ParamDist::new(format!("x{i}"), Dist::uniform(0.0, 1.0)))
            .collect();
        let f = |x: &[f64]| x[0] + x[1] + 3.0 * x[2];
        let one = morris_fn(&params, f, &grouped(opts(30, 4), Group::new("g", ["x2"]))).unwrap();
        assert_eq!(one.indices[2].path, "g");
        assert!((one.indices[2].mu_star.unwrap() - 3.0).abs() < 1e-9);
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let m = morris_fn(
            &params,
            |x| {
                calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                f(x)
            },
            &grouped(opts(400, 4), Group::new("x01", ["x0", "x1"])),
        )
        .unwrap();
        assert_eq!(calls.into_inner(), 400 * 3);
        let g = &m.indices[0];
        assert_eq!(
            (g.path.as_str(), g.members.as_slice()),
            ("x01", &["x0".to_string(), "x1".to_string()][..])
        );
        assert_eq!((g.mu, g.sigma), (None, None));
        // Same way with probability ½: μ* = 2 × Binomial(400, ½) / 400, within
        // 4 standard deviations (0.1) of 1.
        assert!((g.mu_star.unwrap() - 1.0).abs() < 0.2, "{g:?}");
        assert!((m.indices[1].mu.unwrap().abs() - 3.0).abs() < 1e-9);
    }

    /// Steps without a value give no effect, and are counted.
    #[test]
    fn missing_values_drop_their_steps() {
        let params = [ParamDist::new("a", Dist::uniform(0.0, 1.0))];
        let m = morris_fn(
            &params,
            |x| if x[0] > 0.5 { f64::NAN } else { x[0] },
            &opts(40, 2),
        )
        .unwrap();
        let ix = &m.indices[0];
        // Levels 1/8, 3/8 step to 5/8, 7/8 (no value): no step has both.
        assert_eq!(ix.effects, 0);
        assert_eq!((ix.mu, ix.mu_star, ix.sigma), (None, None, None));
    }
}
