//! Calibration by approximate Bayesian computation: ABC population Monte
//! Carlo (ABC-PMC) with an adaptive, quantile-based tolerance schedule.
//!
//! # The algorithm
//!
//! Beaumont, Cornuet, Marin & Robert (2009), "Adaptive approximate
//! Bayesian computation", Biometrika 96(4), with the tolerance of each
//! generation set to the α-quantile of the previous generation's
//! distances (as Drovandi & Pettitt 2011 and Lenormand et al. 2013 do):
//!
//! 1. Generation 0: `particles` draws θ from the prior, each simulated;
//!    all kept, equal weights. ε₁ = α-quantile of their distances.
//! 2. Generation t: draw an ancestor j with probability wⱼ, perturb it
//!    with the kernel K(·|θⱼ); if the proposal leaves the prior's support,
//!    draw ancestor and perturbation again (rejection, not reflection).
//!    Simulate; keep it if its distance is ≤ εₜ. Repeat until `particles`
//!    are kept. Weight each kept θᵢ by π(θᵢ) / Σⱼ wⱼ K(θᵢ|θⱼ), normalised.
//!    Redrawing the ancestor too makes the proposal Σⱼ wⱼ K(θ|θⱼ)
//!    restricted to the support, up to a constant factor that cancels in
//!    the normalisation: the weights are exact without computing each
//!    kernel's mass inside the support.
//! 3. εₜ₊₁ = max(`final_tolerance`, α-quantile of generation t's
//!    distances); if that quantile equals εₜ (distances of counts take
//!    few values), the largest distance below εₜ instead. Stop after a generation whose tolerance is at most
//!    `final_tolerance`, whose acceptance rate is below
//!    `target_acceptance`, after `max_generations`, when the tolerance
//!    no longer falls, or when the next generation would pass
//!    `max_simulations` (then the last complete generation is returned).
//!
//! Why PMC rather than the adaptive SMC of Del Moral, Doucet & Jasra
//! (2012): every kept particle is an independent simulation within the
//! tolerance (no MCMC chains whose mixing must be trusted), its weight is
//! an explicit ratio of the prior density to the proposal density, which
//! is where integer and bounded parameters are handled exactly, and the
//! stopping rules (tolerance, acceptance rate, budget) read directly.
//!
//! **Kernel.** Independent per parameter, with σ² = 2 × the weighted
//! variance of the previous generation (Beaumont et al.'s choice). A
//! continuous parameter moves by N(0, σ²); an integer one (a
//! `uniform_int` prior) by the rounded normal: k = round(θⱼ + σZ), whose
//! probability Φ((k + ½ − θⱼ)/σ) − Φ((k − ½ − θⱼ)/σ) enters the weights;
//! its σ is at least ½ so a population that collapsed on one integer can
//! still move. A `fixed` prior is never perturbed.
//!
//! **Distance.** The root mean square, over the observation rows, of
//! (simulated − observed) / scale, with scale = the row's `sd` if given,
//! else max(1, 5% of |observed|). A distance of 1 is "one sd off on
//! average"; 0 is an exact match (counts can match exactly).
//!
//! **Streams.** In generation g, attempt k draws its parameters from an
//! auxiliary stream fixed by (seed, g, k) and simulates replication
//! g·2³² + k of master seed `seed`. Attempts run in batches whose size
//! depends only on the state of the algorithm, are collected in index
//! order, and the first `particles` kept are the generation: the
//! posterior is bit-identical whatever the thread count.

use std::path::Path;

use rand::RngExt;
use rand::distr::Distribution;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::prior::refused_draw;
use super::{CalibrateError, Observations, Prior, Sim, aux_rng};
use crate::Error;
use crate::model::Workspace;
use crate::scenario::Scenario;

/// Settings of an ABC-PMC calibration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Abc {
    /// Particles per generation.
    pub particles: usize,
    /// Quantile of a generation's distances that becomes the next
    /// tolerance, in (0, 1).
    pub alpha: f64,
    /// Stop after a generation whose acceptance rate (kept / simulated)
    /// is below this.
    pub target_acceptance: f64,
    /// Stop after a generation whose tolerance is at most this (0: only
    /// an exact match ends the schedule this way).
    pub final_tolerance: f64,
    /// Simulation budget: no generation starts that could pass it, and a
    /// generation that runs out is dropped \[simulations\].
    pub max_simulations: u64,
    /// Most generations, generation 0 (the prior) included.
    pub max_generations: u32,
    /// Master seed.
    pub seed: u64,
    /// Worker threads; 0: rayon's default. The result does not depend on
    /// it.
    pub threads: usize,
}

impl Default for Abc {
    /// 500 particles, α = 0.5, target acceptance 2%, final tolerance 0,
    /// 100,000 simulations, 30 generations, seed 1, all cores.
    fn default() -> Self {
        Abc {
            particles: 500,
            alpha: 0.5,
            target_acceptance: 0.02,
            final_tolerance: 0.0,
            max_simulations: 100_000,
            max_generations: 30,
            seed: 1,
            threads: 0,
        }
    }
}

/// Where a calibration stands, after each batch of simulations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AbcProgress {
    /// Generation running (0: the prior).
    pub generation: u32,
    /// Its tolerance (∞ for generation 0).
    pub tolerance: f64,
    /// Particles kept so far in this generation.
    pub accepted: usize,
    /// Simulations run so far, all generations.
    pub simulations: u64,
    /// The budget \[simulations\].
    pub budget: u64,
}

/// Per-parameter summary of a posterior.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamSummary {
    /// Parameter path.
    pub path: String,
    /// Weighted mean \[unit of the parameter\].
    pub mean: f64,
    /// Weighted standard deviation \[unit of the parameter\].
    pub sd: f64,
    /// Weighted 5% quantile \[unit of the parameter\].
    pub q05: f64,
    /// Weighted median \[unit of the parameter\].
    pub q50: f64,
    /// Weighted 95% quantile \[unit of the parameter\].
    pub q95: f64,
    /// Effective sample size of the weights, 1 / Σ wᵢ² \[particles\].
    pub ess: f64,
}

/// Weighted joint posterior draws of the parameters at `paths`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Posterior {
    /// Parameter paths, in prior order.
    pub paths: Vec<String>,
    /// Per path, whether it takes integer values.
    pub integer: Vec<bool>,
    /// One row per particle: the value at each path (after the prior's
    /// transform: a `1/DIST` prior reports the value set at the path).
    pub particles: Vec<Vec<f64>>,
    /// Normalised importance weights, one per particle, summing to 1.
    pub weights: Vec<f64>,
    /// Each particle's distance to the observations.
    pub distances: Vec<f64>,
    /// Tolerance of each generation returned, generation 0 (∞) first.
    pub tolerance_schedule: Vec<f64>,
    /// Acceptance rate of each generation returned (1 for generation 0).
    pub acceptance_rates: Vec<f64>,
    /// Simulations run, including a last generation dropped for the
    /// budget.
    pub simulations: u64,
    /// Why the schedule stopped.
    pub stopped: String,
}

/// Fits `priors` to `observations` by ABC-PMC (see the [module
/// docs](self)); each simulation runs only to the last observed day.
///
/// `progress`, if given, is called after each batch of simulations, from
/// the thread that runs the fit (never from two threads at once).
///
/// # Errors
///
/// [`Error::Calibrate`] of kind [`CalibrateError::Settings`] for no priors,
/// a path given twice, `particles` < 2, `alpha` outside (0, 1), or a budget
/// below `particles`; of kind [`CalibrateError::Prior`] for a path holding
/// an integer without a `uniform_int` prior; [`Error::Scenario`] naming the
/// path if a drawn value makes the scenario invalid; [`Error::Threads`] if
/// the thread pool cannot be built.
///
/// # Example: the pace of the first convoys
///
/// ```
/// use custody_sim::{calibrate::{abc, Abc, Observations, Prior}, presets};
///
/// let s = presets::plan_2026_01();
/// let obs = Observations::from_csv_str(
///     "date,series,value,sd\n9,transferred_cumulative,500,50\n",
///     "reported",
///     &s,
/// )?;
/// let prior = Prior::parse(r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#)?;
/// let fit = Abc { particles: 40, max_simulations: 400, seed: 3, ..Abc::default() };
/// let post = abc(&s, &obs, &[prior], &fit, None)?;
/// let interval = &post.summary()[0];
/// assert!(interval.q05 >= 1.0 && interval.q95 <= 6.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn abc(
    scenario: &Scenario,
    observations: &Observations,
    priors: &[Prior],
    settings: &Abc,
    progress: Option<&(dyn Fn(&AbcProgress) + Sync)>,
) -> Result<Posterior, Error> {
    let problem = |m: String| Error::from(CalibrateError::Settings(m));
    let n = settings.particles;
    if priors.is_empty() {
        return Err(problem("a calibration needs at least one prior".into()));
    }
    // Each prior's path keeps the shape of the results, and names a
    // parameter no other prior names (in any spelling).
    for p in priors {
        if let Ok(c) = scenario.canonical_path(&p.path)
            && let Some(why) = scenario.shape_change(&c)
        {
            return Err(CalibrateError::Prior {
                spec: p.path.clone(),
                message: why,
            }
            .into());
        }
    }
    let paths: Vec<&str> = priors.iter().map(|p| p.path.as_str()).collect();
    if let Some(o) = scenario.overlap(&paths) {
        return Err(problem(format!(
            "the path {:?} has two priors: {}; give each parameter one prior",
            priors[o.second].path, o.message
        )));
    }
    if n < 2 {
        return Err(problem(format!("particles must be at least 2, got {n}")));
    }
    if !(settings.alpha > 0.0 && settings.alpha < 1.0) {
        return Err(problem(format!(
            "alpha must be in (0, 1), got {}",
            settings.alpha
        )));
    }
    if settings.max_simulations < n as u64 {
        return Err(problem(format!(
            "the budget of {} simulations is below one generation of {n} particles",
            settings.max_simulations
        )));
    }
    let fit = Fit::new(scenario, observations, priors)?;
    crate::montecarlo::in_pool(settings.threads, || fit.run(settings, progress))?
}

/// A generation: particles (drawn values), weights, distances.
struct Population {
    theta: Vec<Vec<f64>>,
    weights: Vec<f64>,
    distances: Vec<f64>,
}

struct Fit<'a> {
    base: Scenario,
    observations: &'a Observations,
    priors: &'a [Prior],
    /// Per prior: whether its path holds an integer.
    integer_field: Vec<bool>,
    observed: Vec<f64>,
    scale: Vec<f64>,
}

impl<'a> Fit<'a> {
    fn new(
        scenario: &Scenario,
        observations: &'a Observations,
        priors: &'a [Prior],
    ) -> Result<Fit<'a>, Error> {
        let mut base = scenario.clone();
        base.horizon_days = base.horizon_days.min(observations.last_day());
        // The scenario's own `[uncertainty]` is drawn in every simulation
        // (the fit integrates over it), except on a fitted path, where the
        // prior takes the place of the scenario's distribution (a value set
        // by its path leaves `[uncertainty]`, see `Scenario::with_params`).
        // A fitted path that is a column of a posterior table cannot be
        // taken out of the joint draws, so it is refused.
        if let Some(u) = &base.uncertainty
            && let Some(t) = &u.posterior_table
            && let Some(p) = priors.iter().find(|p| t.columns.contains(&p.path))
        {
            return Err(CalibrateError::Prior {
                spec: p.path.clone(),
                message: "the scenario's [uncertainty] posterior already draws this path: fit the scenario without its posterior (remove `posterior` from [uncertainty])".into(),
            }
            .into());
        }
        let mut integer_field = Vec::new();
        for p in priors {
            let int = match base.param(&p.path) {
                Ok(toml::Value::Integer(_)) => true,
                Ok(toml::Value::Float(_)) => false,
                // A day written as a date: the prior's draws are day
                // numbers, as `[uncertainty]` and `solve` set them.
                Ok(toml::Value::String(d)) if d.parse::<crate::scenario::Date>().is_ok() => false,
                Ok(other) => {
                    return Err(CalibrateError::Prior {
                        spec: p.path.clone(),
                        message: format!("the path holds {other}, not a number"),
                    }
                    .into());
                }
                Err(_) => p.is_integer(),
            };
            if int && !p.is_integer() && !p.is_fixed() {
                return Err(CalibrateError::Prior {
                    spec: p.path.clone(),
                    message: "the path holds an integer: give it a uniform_int prior".into(),
                }
                .into());
            }
            integer_field.push(int);
        }
        let rows = observations.rows();
        Ok(Fit {
            base,
            observations,
            priors,
            integer_field,
            observed: rows.iter().map(|o| o.value).collect(),
            scale: rows
                .iter()
                .map(|o| o.sd.unwrap_or_else(|| (0.05 * o.value.abs()).max(1.0)))
                .collect(),
        })
    }

    /// Root mean square of the scaled differences.
    fn distance(&self, sim: &[f64]) -> f64 {
        let ss: f64 = sim
            .iter()
            .zip(&self.observed)
            .zip(&self.scale)
            .map(|((s, o), c)| ((s - o) / c).powi(2))
            .sum();
        (ss / sim.len() as f64).sqrt()
    }

    /// The scenario with drawn values `theta` set.
    fn scenario(&self, theta: &[f64]) -> Result<Scenario, Error> {
        let values: Vec<String> = self
            .priors
            .iter()
            .zip(theta)
            .zip(&self.integer_field)
            .map(|((p, &x), &int)| {
                let v = p.value_at_path(x);
                if int {
                    format!("{}", v.round() as i64)
                } else {
                    format!("{v:?}")
                }
            })
            .collect();
        self.base
            .with_params(
                self.priors
                    .iter()
                    .map(|p| p.path.as_str())
                    .zip(values.iter().map(String::as_str)),
            )
            .map_err(|e| refused_draw(&self.base, self.priors, theta, &values, e))
    }

    /// Simulates drawn values `theta` on replication `index`: its distance.
    fn simulate(
        &self,
        ws: &mut Workspace,
        theta: &[f64],
        seed: u64,
        index: u64,
    ) -> Result<f64, Error> {
        let sim = Sim::new(&self.scenario(theta)?, self.observations)?;
        let mut out = Vec::with_capacity(self.observed.len());
        sim.observe(ws, seed, index, &mut out)?;
        Ok(self.distance(&out))
    }

    fn run(
        &self,
        settings: &Abc,
        progress: Option<&(dyn Fn(&AbcProgress) + Sync)>,
    ) -> Result<Posterior, Error> {
        let n = settings.particles;
        let seed = settings.seed;
        let mut simulations = 0u64;
        let report = |generation, tolerance, accepted, simulations| {
            if let Some(p) = progress {
                p(&AbcProgress {
                    generation,
                    tolerance,
                    accepted,
                    simulations,
                    budget: settings.max_simulations,
                });
            }
        };

        // Generation 0: the prior.
        let first: Vec<(Vec<f64>, f64)> = (0..n as u64)
            .into_par_iter()
            .map_init(Workspace::default, |ws, k| {
                let mut rng = aux_rng(seed, k);
                let theta = self
                    .priors
                    .iter()
                    .map(|p| p.sample(&mut rng))
                    .collect::<Result<Vec<f64>, Error>>()?;
                let d = self.simulate(ws, &theta, seed, k)?;
                Ok((theta, d))
            })
            .collect::<Result<_, Error>>()?;
        simulations += n as u64;
        report(0, f64::INFINITY, n, simulations);
        let (theta, distances): (Vec<_>, Vec<_>) = first.into_iter().unzip();
        if !distances.iter().any(|d| d.is_finite()) {
            return Err(CalibrateError::Settings(format!(
                "every distance of the first generation ({n} simulations) is infinite or not a number, \
                 so no tolerance can choose between particles: an observation's sd is too small \
                 for the differences to the simulated values (distances divide by sd)"
            ))
            .into());
        }
        let mut pop = Population {
            theta,
            weights: vec![1.0 / n as f64; n],
            distances,
        };
        let mut schedule = vec![f64::INFINITY];
        let mut rates = vec![1.0];
        let mut last_rate: f64 = 1.0;
        let stopped;

        loop {
            let generation = schedule.len() as u32;
            if generation >= settings.max_generations {
                stopped = format!("reached max_generations ({})", settings.max_generations);
                break;
            }
            let previous = *schedule.last().unwrap_or(&f64::INFINITY);
            let mut eps = unweighted_quantile(&pop.distances, settings.alpha);
            if eps >= previous {
                // Discrete distances: the next value below, if any.
                eps = pop
                    .distances
                    .iter()
                    .copied()
                    .filter(|&d| d < previous)
                    .fold(f64::NEG_INFINITY, f64::max);
            }
            eps = eps.max(settings.final_tolerance);
            if eps >= previous {
                stopped = format!("the tolerance no longer falls (stays at {previous})");
                break;
            }
            let kernel = Kernel::new(&pop, self.priors);
            let cumulative: Vec<f64> = pop
                .weights
                .iter()
                .scan(0.0, |acc, w| {
                    *acc += w;
                    Some(*acc)
                })
                .collect();
            let mut kept: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n);
            let mut attempts = 0u64;
            let mut used = 0u64;
            let mut out_of_budget = false;
            while kept.len() < n {
                let need = (n - kept.len()) as f64;
                let left = settings.max_simulations - simulations;
                if left == 0 {
                    out_of_budget = true;
                    break;
                }
                let batch = ((need / last_rate.max(1e-3)).ceil() as u64)
                    .max(64)
                    .min(8 * n as u64)
                    .min(left);
                let start = attempts;
                let results: Vec<Option<(Vec<f64>, f64)>> = (start..start + batch)
                    .into_par_iter()
                    .map_init(Workspace::default, |ws, k| {
                        let stream = (u64::from(generation) << 32) | k;
                        let mut rng = aux_rng(seed, stream);
                        let theta = kernel.propose(&pop, &cumulative, self.priors, &mut rng)?;
                        let d = self.simulate(ws, &theta, seed, stream)?;
                        Ok((d <= eps).then_some((theta, d)))
                    })
                    .collect::<Result<_, Error>>()?;
                attempts += batch;
                simulations += batch;
                for (i, r) in results.into_iter().enumerate() {
                    if let Some(p) = r
                        && kept.len() < n
                    {
                        kept.push(p);
                        used = start + i as u64 + 1;
                    }
                }
                report(generation, eps, kept.len(), simulations);
            }
            if out_of_budget {
                stopped = format!(
                    "the budget of {} simulations ran out in generation {generation} (dropped)",
                    settings.max_simulations
                );
                break;
            }
            let (theta, distances): (Vec<_>, Vec<_>) = kept.into_iter().unzip();
            let log_w: Vec<f64> = theta
                .par_iter()
                .map(|t| {
                    let prior: f64 = self
                        .priors
                        .iter()
                        .zip(t)
                        .map(|(p, &x)| p.ln_density(x))
                        .sum();
                    prior - kernel.ln_mixture(&pop, t)
                })
                .collect();
            let max = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let w: Vec<f64> = log_w.iter().map(|l| (l - max).exp()).collect();
            let total: f64 = w.iter().sum();
            pop = Population {
                theta,
                weights: w.iter().map(|x| x / total).collect(),
                distances,
            };
            last_rate = n as f64 / used as f64;
            schedule.push(eps);
            rates.push(last_rate);
            if eps <= settings.final_tolerance {
                stopped = format!("reached the final tolerance ({})", settings.final_tolerance);
                break;
            }
            if last_rate < settings.target_acceptance {
                stopped = format!(
                    "acceptance rate {last_rate:.4} below the target {}",
                    settings.target_acceptance
                );
                break;
            }
            // The next generation needs about n / rate simulations.
            let next = (n as f64 / last_rate).ceil() as u64;
            if simulations + next > settings.max_simulations {
                stopped = format!(
                    "the next generation (about {next} simulations) would pass the budget of {}",
                    settings.max_simulations
                );
                break;
            }
        }

        Ok(Posterior {
            paths: self.priors.iter().map(|p| p.path.clone()).collect(),
            integer: self.integer_field.clone(),
            particles: pop
                .theta
                .iter()
                .map(|t| {
                    self.priors
                        .iter()
                        .zip(t)
                        .map(|(p, &x)| p.value_at_path(x))
                        .collect()
                })
                .collect(),
            weights: pop.weights,
            distances: pop.distances,
            tolerance_schedule: schedule,
            acceptance_rates: rates,
            simulations,
            stopped,
        })
    }
}

/// The perturbation kernel of one generation.
struct Kernel {
    /// Per parameter: σ, or 0 for a fixed one.
    sigma: Vec<f64>,
    integer: Vec<bool>,
}

fn normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

impl Kernel {
    fn new(pop: &Population, priors: &[Prior]) -> Kernel {
        let mut sigma = Vec::new();
        let mut integer = Vec::new();
        for (d, p) in priors.iter().enumerate() {
            let mean: f64 = pop
                .theta
                .iter()
                .zip(&pop.weights)
                .map(|(t, w)| w * t[d])
                .sum();
            let var: f64 = pop
                .theta
                .iter()
                .zip(&pop.weights)
                .map(|(t, w)| w * (t[d] - mean).powi(2))
                .sum();
            let mut s = (2.0 * var).sqrt();
            if p.is_fixed() {
                s = 0.0;
            } else if p.is_integer() {
                s = s.max(0.5);
            } else if s.is_nan() || s <= 0.0 {
                s = 1e-9 * mean.abs().max(1.0);
            }
            sigma.push(s);
            integer.push(p.is_integer());
        }
        Kernel { sigma, integer }
    }

    /// Draws an ancestor and perturbs it until the proposal lies in the
    /// prior's support.
    fn propose(
        &self,
        pop: &Population,
        cumulative: &[f64],
        priors: &[Prior],
        rng: &mut rand::rngs::ChaCha8Rng,
    ) -> Result<Vec<f64>, Error> {
        const TRIES: usize = 100_000;
        let total = cumulative.last().copied().unwrap_or(1.0);
        for _ in 0..TRIES {
            let u: f64 = rng.random::<f64>() * total;
            let j = cumulative
                .partition_point(|&c| c <= u)
                .min(cumulative.len() - 1);
            let theta: Vec<f64> = pop.theta[j]
                .iter()
                .enumerate()
                .map(|(d, &x)| {
                    if self.sigma[d] == 0.0 {
                        return x;
                    }
                    let z: f64 = rand_distr::StandardNormal.sample(rng);
                    let y = x + self.sigma[d] * z;
                    if self.integer[d] { y.round() } else { y }
                })
                .collect();
            if priors
                .iter()
                .zip(&theta)
                .all(|(p, &x)| p.ln_density(x) > f64::NEG_INFINITY)
            {
                return Ok(theta);
            }
        }
        Err(CalibrateError::Settings(format!(
            "{TRIES} perturbations in a row left the priors' support; is a prior far narrower than the kernel?"
        ))
        .into())
    }

    /// ln Σⱼ wⱼ K(θ|θⱼ).
    fn ln_mixture(&self, pop: &Population, theta: &[f64]) -> f64 {
        let terms: Vec<f64> = pop
            .theta
            .iter()
            .zip(&pop.weights)
            .map(|(from, w)| {
                let mut l = w.ln();
                for d in 0..theta.len() {
                    let s = self.sigma[d];
                    if s == 0.0 {
                        continue;
                    }
                    if self.integer[d] {
                        let p = normal_cdf((theta[d] + 0.5 - from[d]) / s)
                            - normal_cdf((theta[d] - 0.5 - from[d]) / s);
                        l += p.ln();
                    } else {
                        let z = (theta[d] - from[d]) / s;
                        l += -0.5 * z * z - s.ln();
                    }
                }
                l
            })
            .collect();
        let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if max == f64::NEG_INFINITY {
            return max;
        }
        max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln()
    }
}

/// The α-quantile of a sample: the smallest value with at least a share α
/// of the sample at or below it.
fn unweighted_quantile(x: &[f64], alpha: f64) -> f64 {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let k = ((alpha * s.len() as f64).ceil() as usize).clamp(1, s.len());
    s[k - 1]
}

/// The weighted q-quantile: the smallest value whose cumulative weight
/// (values sorted ascending) reaches q × the total weight.
pub(crate) fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let total: f64 = weights.iter().sum();
    let target = q * total * (1.0 - 1e-12);
    let mut acc = 0.0;
    for &i in &order {
        acc += weights[i];
        if acc >= target {
            return values[i];
        }
    }
    order.last().map_or(f64::NAN, |&i| values[i])
}

impl Posterior {
    /// Effective sample size of the weights, 1 / Σ wᵢ² \[particles\].
    pub fn ess(&self) -> f64 {
        1.0 / self.weights.iter().map(|w| w * w).sum::<f64>()
    }

    /// The values of parameter `d` (in `paths` order), one per particle.
    pub fn column(&self, d: usize) -> Vec<f64> {
        self.particles.iter().map(|p| p[d]).collect()
    }

    /// Per parameter: weighted mean, sd, and 5/50/95% quantiles (the
    /// smallest particle value whose cumulative weight reaches the level),
    /// and the effective sample size.
    pub fn summary(&self) -> Vec<ParamSummary> {
        let ess = self.ess();
        (0..self.paths.len())
            .map(|d| {
                let x = self.column(d);
                let mean: f64 = x.iter().zip(&self.weights).map(|(x, w)| x * w).sum();
                let var: f64 = x
                    .iter()
                    .zip(&self.weights)
                    .map(|(x, w)| w * (x - mean).powi(2))
                    .sum();
                ParamSummary {
                    path: self.paths[d].clone(),
                    mean,
                    sd: var.sqrt(),
                    q05: weighted_quantile(&x, &self.weights, 0.05),
                    q50: weighted_quantile(&x, &self.weights, 0.5),
                    q95: weighted_quantile(&x, &self.weights, 0.95),
                    ess,
                }
            })
            .collect()
    }

    /// The draws as CSV: one column per path, then `weight`; what an
    /// `[uncertainty] posterior` file holds.
    pub fn to_csv_string(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let header: Vec<&str> = self
            .paths
            .iter()
            .map(String::as_str)
            .chain(["weight"])
            .collect();
        // Writing to memory cannot fail.
        let _ = w.write_record(&header);
        for (p, weight) in self.particles.iter().zip(&self.weights) {
            let mut row: Vec<String> = p
                .iter()
                .zip(&self.integer)
                .map(|(x, &int)| {
                    if int {
                        format!("{}", x.round() as i64)
                    } else {
                        format!("{x:?}")
                    }
                })
                .collect();
            row.push(format!("{weight:?}"));
            let _ = w.write_record(&row);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// Writes [`Posterior::to_csv_string`] to `path`, atomically
    /// ([`crate::files::write_atomic`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file.
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        crate::files::write_bytes_atomic(path.as_ref(), self.to_csv_string().as_bytes())
    }

    /// `scenario` with every calibrated parameter set to its weighted
    /// posterior median (a particle's value, so an integer stays one).
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] naming the path if a median makes the scenario
    /// invalid.
    pub fn calibrated_scenario(&self, scenario: &Scenario) -> Result<Scenario, Error> {
        let values: Vec<String> = self
            .summary()
            .iter()
            .zip(&self.integer)
            .map(|(s, &int)| {
                if int {
                    format!("{}", s.q50.round() as i64)
                } else {
                    format!("{:?}", s.q50)
                }
            })
            .collect();
        scenario.with_params(
            self.paths
                .iter()
                .map(String::as_str)
                .zip(values.iter().map(String::as_str)),
        )
    }

    /// The posterior predictive scenario: `scenario` at the posterior
    /// medians ([`Posterior::calibrated_scenario`]) whose `[uncertainty]`
    /// draws one weighted particle per replication (the fitted paths,
    /// jointly), beside the scenario's own uncertain paths that were not
    /// fitted (which the fit integrated over). A `run` of it gives bands
    /// that carry the fitted parameter uncertainty as well as the model's
    /// own randomness.
    ///
    /// `posterior_file`, if given, is what `[uncertainty] posterior` names
    /// when the scenario is written as TOML (the file
    /// [`Posterior::write_csv`] wrote, relative to the scenario file's
    /// folder); the rows are held in memory either way, so the scenario
    /// runs as returned. A posterior table the scenario already had is
    /// replaced.
    ///
    /// # Errors
    ///
    /// As [`Posterior::calibrated_scenario`].
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::calibrate::{abc, Abc, Observations, Prior};
    /// use custody_sim::montecarlo::{run, Runs};
    /// use custody_sim::presets;
    ///
    /// let s = presets::plan_2026_01();
    /// let obs = Observations::from_csv_str(
    ///     "date,series,value\n2026-02-10,transferred_cumulative,2000\n", "obs", &s)?;
    /// let prior = Prior::parse(
    ///     r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#)?;
    /// let opts = Abc { particles: 50, max_simulations: 400, seed: 1, threads: 0, ..Abc::default() };
    /// let post = abc(&s, &obs, &[prior], &opts, None)?;
    /// let forecast = post.predictive_scenario(&s, Some("posterior.csv"))?;
    /// let summary = run(&forecast, &Runs { replications: 20, seed: 1, threads: 0 })?;
    /// // Each replication reports the value its particle gave the path.
    /// assert!(summary.metric("param.transfer.phase[0].interval_days.value").is_some());
    /// assert!(forecast.to_toml_string().contains("posterior = \"posterior.csv\""));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn predictive_scenario(
        &self,
        scenario: &Scenario,
        posterior_file: Option<&str>,
    ) -> Result<Scenario, Error> {
        let mut s = self.calibrated_scenario(scenario)?;
        let own: Vec<(String, crate::Dist)> = s
            .uncertainty
            .as_ref()
            .map(|u| {
                u.params
                    .iter()
                    .filter(|(path, _)| !self.paths.contains(path))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        s.uncertainty = Some(crate::scenario::Uncertainty {
            params: own,
            posterior: posterior_file.map(str::to_string),
            posterior_table: Some(crate::scenario::PosteriorTable {
                columns: self.paths.clone(),
                rows: self.particles.clone(),
                weights: self.weights.clone(),
            }),
        });
        Ok(s)
    }

    /// The posterior predictive scenario ([`Posterior::predictive_scenario`])
    /// as a scenario file whose `[uncertainty] posterior` names
    /// `posterior_file`, with a header saying which parameters were fitted
    /// and their medians. What `calibrate --scenario-out` writes.
    ///
    /// # Errors
    ///
    /// As [`Posterior::calibrated_scenario`].
    pub fn predictive_toml(
        &self,
        scenario: &Scenario,
        posterior_file: &str,
    ) -> Result<String, Error> {
        let s = self.predictive_scenario(scenario, Some(posterior_file))?;
        // The name goes into a comment as a TOML string: a newline in it
        // cannot end the comment.
        let quoted = super::edit::toml_string(posterior_file);
        Ok(format!(
            "{}# [uncertainty] draws one posterior particle ({}) per replication.\n{}",
            self.header(),
            quoted,
            s.to_toml_string()
        ))
    }

    /// The comment block at the top of a calibrated scenario file.
    pub(crate) fn header(&self) -> String {
        let mut text = format!(
            "# Calibrated by ABC-PMC: {} particles, {} simulations, final tolerance {}.\n# These parameters are set to their weighted posterior medians:\n",
            self.particles.len(),
            self.simulations,
            self.tolerance_schedule
                .last()
                .copied()
                .unwrap_or(f64::INFINITY)
        );
        for p in self.summary() {
            text.push_str(&format!(
                "#   {} = {} (90% credible interval {} to {})\n",
                p.path, p.q50, p.q05, p.q95
            ));
        }
        text
    }

    /// The calibrated scenario ([`Posterior::calibrated_scenario`]) as a
    /// scenario file, with a header saying which parameters were set to
    /// their posterior medians. Point values only: for a scenario that
    /// draws the posterior, see [`Posterior::predictive_toml`].
    ///
    /// # Errors
    ///
    /// As [`Posterior::calibrated_scenario`].
    pub fn calibrated_toml(&self, scenario: &Scenario) -> Result<String, Error> {
        let s = self.calibrated_scenario(scenario)?;
        let mut text = self.header();
        text.push_str(&s.to_toml_string());
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_quantiles_invert_the_weighted_cdf() {
        let x = [3.0, 1.0, 2.0, 4.0];
        let w = [0.1, 0.4, 0.4, 0.1];
        assert_eq!(weighted_quantile(&x, &w, 0.05), 1.0);
        assert_eq!(weighted_quantile(&x, &w, 0.4), 1.0);
        assert_eq!(weighted_quantile(&x, &w, 0.5), 2.0);
        assert_eq!(weighted_quantile(&x, &w, 0.85), 3.0);
        assert_eq!(weighted_quantile(&x, &w, 0.95), 4.0);
        assert_eq!(unweighted_quantile(&[5.0, 1.0, 3.0, 2.0], 0.5), 2.0);
    }
}
