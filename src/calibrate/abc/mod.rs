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
//!    few values), the largest distance below εₜ instead. Stop
//!    ([`StopRule`]) after a generation whose tolerance is at most
//!    `final_tolerance`, whose acceptance rate is below
//!    `target_acceptance` (the minimum acceptance rate), after
//!    `max_generations`, when the tolerance no longer falls, when the
//!    next generation would likely pass `max_simulations`, or when the
//!    budget runs out during a generation (then that generation is
//!    dropped and the last complete one returned). There is no wall-time
//!    rule: where a run stops would then depend on the machine's speed,
//!    and the same seed would no longer give the same posterior.
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
//! (simulated − observed) / scale. A bound row (`kind` `at_least` or
//! `at_most`) adds only how far the simulated value falls short of the
//! bound, scaled the same way, and 0 when it is met
//! ([`ObservationKind::difference`](crate::calibrate::ObservationKind::difference)). With [`Scales::Sd`] (the default)
//! scale = the row's `sd` if given, else max(1, 5% of |observed|): a
//! distance of 1 is "one sd off on average"; 0 is an exact match (counts
//! can match exactly). With [`Scales::Adaptive`] (`calibrate
//! --adaptive-scales`), in the manner of pyABC's adaptive p-norm distance
//! (Prangle 2017, "Adapting the ABC distance function", Bayesian Analysis
//! 12(1)), every row's scale is the spread of its simulated values in
//! generation 0, the prior predictive: 1.4826 × their median absolute
//! deviation (the sd, for a normal sample), or 1.2533 × their mean
//! absolute deviation from the median where more than half agree, or the
//! default scale where all do. Rows in different units (a cumulative count
//! in thousands, a queue in tens) then weigh alike, whatever their `sd`
//! column says: a row with a small `sd` no longer dominates because its
//! data are precise, and a row without one is no longer weighed by its
//! raw size. An `sd` column is the right choice when it is a real
//! measurement error and the rows are comparable; adaptive scales when
//! the rows differ in units and no `sd` is known. The scales are
//! estimated once and kept for every generation, so every generation
//! targets the same distance (Prangle re-estimates them each generation
//! from the previous one's simulations; that sharper variant is not
//! implemented). [`Posterior::scales`] gives the scales used.
//!
//! **Diagnostics.** [`Posterior::generations`] gives, for every
//! generation, its tolerance, acceptance rate, simulations and the
//! effective sample size of its weights, 1 / Σ wᵢ² (Kish's ESS: the
//! number of equally weighted draws that would estimate a mean as
//! precisely); [`Posterior::stop_rule`] which rule stopped the schedule,
//! and [`Posterior::stop_note`] what was kept when the budget did. A
//! generation the budget cut short is not a sample of any posterior (its
//! particles are the first few of an importance sample), so it is dropped
//! and the previous, complete generation is returned: a correct ABC
//! posterior at that generation's larger tolerance, as wide as or wider
//! than the next one would have been. [`Posterior::predictive_check`]
//! checks the fit row by row against the posterior predictive.
//!
//! **Coverage.** The engine is checked in every `cargo test --release`
//! by simulation-based calibration (Talts, Betancourt, Simpson, Vehtari &
//! Gelman 2018, "Validating Bayesian inference algorithms with
//! simulation-based calibration", arXiv:1804.06788) on a gamma-Poisson
//! model whose ABC posterior at tolerance 0 is exact: the position of a
//! truth drawn from the prior within its fitted posterior must be uniform
//! over 200 trials (Pearson's chi-square over 10 bins, at the 0.1% level).
//!
//! **Streams.** In generation g, attempt k draws its parameters from an
//! auxiliary stream fixed by (seed, g, k) and simulates replication
//! g·2³² + k of master seed `seed`. Attempts run in batches whose size
//! depends only on the state of the algorithm, are collected in index
//! order, and the first `particles` kept are the generation: the
//! posterior is bit-identical whatever the thread count.
//!
//! **On several machines.** The schedule (batch sizes, tolerances,
//! weights, stopping rules) is a state machine fed the outcomes of each
//! batch in attempt order, whoever simulated them; [`shard`] runs each
//! batch as slices on several machines (`calibrate --shard K/N`), merges
//! them into the calibration's next state (`merge --state-out`), and gives
//! the posterior of one process, bit for bit.

mod check;
mod kernel;
mod machine;
mod posterior;
#[cfg(test)]
mod sbc;
pub mod shard;

pub use check::{EXTREME_TAIL, PredictiveCheck, predictive_check_table};
pub use machine::{Abc, AbcProgress, Scales};
pub use posterior::{Generation, ParamSummary, Posterior, StopRule};
pub use shard::{AbcShard, AbcState, abc_resume, abc_shard};

use rayon::prelude::*;

use self::machine::{Ctx, Machine, Outcomes, distance};
use super::prior::refused_draw;
use super::{CalibrateError, ObservationKind, Observations, Prior, Sim, aux_rng};
use crate::error::Error;
use crate::model::Workspace;
use crate::scenario::Scenario;
use crate::scenario::param_dist::PathProblem;

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
    let fit = prepare(scenario, observations, priors, settings)?;
    let engine = engine(&fit, observations, priors);
    crate::montecarlo::in_pool(settings.threads, || engine.run(settings, progress))?
}

/// The checks of [`abc()`] before it simulates, and the model it fits.
fn prepare<'a>(
    scenario: &Scenario,
    observations: &'a Observations,
    priors: &'a [Prior],
    settings: &Abc,
) -> Result<Fit<'a>, Error> {
    let problem = |m: String| Error::from(CalibrateError::Settings(m));
    let n = settings.particles;
    if priors.is_empty() {
        return Err(problem("a calibration needs at least one prior".into()));
    }
    // Each prior's path keeps the shape of the results, and names a
    // parameter no other prior names (in any spelling).
    // (A path that does not resolve is refused where it is first set.)
    let paths: Vec<&str> = priors.iter().map(|p| p.path.as_str()).collect();
    for found in scenario.check_varying(&paths) {
        match found {
            PathProblem::Unresolved(_) => {}
            PathProblem::Shape { index, why } => {
                return Err(CalibrateError::Prior {
                    spec: paths[index].to_string(),
                    message: why,
                }
                .into());
            }
            PathProblem::Twice(o) => {
                return Err(problem(format!(
                    "the path {:?} has two priors: {}; give each parameter one prior",
                    paths[o.second], o.message
                )));
            }
        }
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
    Fit::new(scenario, observations, priors)
}

/// The engine that fits `fit`.
fn engine<'f>(
    fit: &'f Fit<'f>,
    observations: &Observations,
    priors: &'f [Prior],
) -> Engine<'f, Fit<'f>> {
    Engine {
        model: fit,
        priors,
        integer: fit.integer_field.clone(),
        observed: observations.rows().iter().map(|o| o.value).collect(),
        kinds: observations.rows().iter().map(|o| o.kind).collect(),
        scale: default_scales(observations),
    }
}

/// A model the ABC-PMC engine can fit: drawn values in, observed cells
/// out. The scenario adapter (`Fit`) is the library's one; the known-answer
/// and coverage tests give cheap models with exact posteriors.
pub(crate) trait Simulator: Sync {
    /// Simulates drawn values `theta` (in prior order, before any
    /// transform) on replication `index` of master seed `seed`, writing
    /// the value of each observation row into `out` (cleared first).
    fn observe(
        &self,
        ws: &mut Workspace,
        theta: &[f64],
        seed: u64,
        index: u64,
        out: &mut Vec<f64>,
    ) -> Result<(), Error>;
}

struct Fit<'a> {
    base: Scenario,
    observations: &'a Observations,
    priors: &'a [Prior],
    /// Per prior: whether its path holds an integer.
    integer_field: Vec<bool>,
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
        // A fitted path that is a column of a posterior table is refused.
        // Setting it would work: a value set on a column takes it out of
        // the table, as `--set` does (`Scenario::with_params`), and the
        // other columns are still drawn together. But those columns are
        // joint draws fitted with this one: fitting it again over them
        // would fit against draws made for its old values. Fit the
        // scenario without its posterior instead.
        // Paths are compared in their canonical form (`court.stage[1]` is
        // `court.stage[trial]`).
        if let Some(u) = &base.uncertainty
            && let Some(t) = &u.posterior_table
        {
            let canonical = |p: &str| base.canonical_path(p).unwrap_or_else(|_| p.to_string());
            let columns: Vec<String> = t.columns.iter().map(|c| canonical(c)).collect();
            if let Some(p) = priors
                .iter()
                .find(|p| columns.contains(&canonical(&p.path)))
            {
                let file = u
                    .posterior
                    .as_ref()
                    .map(|f| format!(" {f:?}"))
                    .unwrap_or_default();
                return Err(CalibrateError::Prior {
                    spec: p.path.clone(),
                    message: format!("the scenario's [uncertainty] posterior{file} draws this path jointly with its other columns: a prior here would refit it over the other columns' draws, which were fitted with it; fit the scenario without its posterior (remove `posterior` from [uncertainty])"),
                }
                .into());
            }
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
        Ok(Fit {
            base,
            observations,
            priors,
            integer_field,
        })
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
}

impl Simulator for Fit<'_> {
    fn observe(
        &self,
        ws: &mut Workspace,
        theta: &[f64],
        seed: u64,
        index: u64,
        out: &mut Vec<f64>,
    ) -> Result<(), Error> {
        let sim = Sim::new(&self.scenario(theta)?, self.observations)?;
        sim.observe(ws, seed, index, out)
    }
}

/// The default scale of each row: its `sd` if given, else
/// max(1, 5% of |observed|).
fn default_scales(observations: &Observations) -> Vec<f64> {
    observations
        .rows()
        .iter()
        .map(|o| o.sd.unwrap_or_else(|| (0.05 * o.value.abs()).max(1.0)))
        .collect()
}

/// The ABC-PMC loop over any [`Simulator`] (see the [module
/// docs](self)).
pub(crate) struct Engine<'a, M: Simulator> {
    pub(crate) model: &'a M,
    pub(crate) priors: &'a [Prior],
    /// Per prior: whether its values are integers (for the CSV).
    pub(crate) integer: Vec<bool>,
    /// The observed value (or bound) of each row.
    pub(crate) observed: Vec<f64>,
    /// What each row's value is: a value or a bound.
    pub(crate) kinds: Vec<ObservationKind>,
    /// Each row's default scale ([`Scales::Sd`]), and the fallback of
    /// [`Scales::Adaptive`].
    pub(crate) scale: Vec<f64>,
}

impl<M: Simulator> Engine<'_, M> {
    /// Simulates drawn values `theta` on replication `index`: the
    /// observed cells.
    fn simulate(
        &self,
        ws: &mut Workspace,
        theta: &[f64],
        seed: u64,
        index: u64,
    ) -> Result<Vec<f64>, Error> {
        let mut out = Vec::with_capacity(self.observed.len());
        self.model.observe(ws, theta, seed, index, &mut out)?;
        Ok(out)
    }

    /// Simulates attempts `attempts` of the batch the schedule `m`
    /// waits for (generation `generation`), in attempt order.
    fn simulate_batch(
        &self,
        m: &Machine<'_>,
        generation: u32,
        attempts: std::ops::Range<u64>,
    ) -> Result<Outcomes, Error> {
        let seed = m.settings().seed;
        let Some(p) = m.proposal() else {
            // Generation 0: the prior.
            let first = attempts
                .into_par_iter()
                .map_init(Workspace::default, |ws, k| {
                    let mut rng = aux_rng(seed, k);
                    let theta = self
                        .priors
                        .iter()
                        .map(|p| p.sample(&mut rng))
                        .collect::<Result<Vec<f64>, Error>>()?;
                    let out = self.simulate(ws, &theta, seed, k)?;
                    Ok((theta, out))
                })
                .collect::<Result<_, Error>>()?;
            return Ok(Outcomes::Prior(first));
        };
        let (observed, kinds) = (&self.observed, &self.kinds);
        let results = attempts
            .into_par_iter()
            .map_init(Workspace::default, |ws, k| {
                let stream = (u64::from(generation) << 32) | k;
                let mut rng = aux_rng(seed, stream);
                let theta = p
                    .kernel
                    .propose(p.pop, p.cumulative, self.priors, &mut rng)?;
                let out = self.simulate(ws, &theta, seed, stream)?;
                let d = distance(&out, observed, kinds, p.scale);
                Ok((d <= p.eps).then_some((theta, d)))
            })
            .collect::<Result<_, Error>>()?;
        Ok(Outcomes::Proposals(results))
    }

    /// What the schedule needs of this engine, with `settings`.
    fn ctx<'s>(&'s self, settings: &'s Abc) -> Ctx<'s> {
        Ctx {
            priors: self.priors,
            integer: &self.integer,
            observed: &self.observed,
            kinds: &self.kinds,
            default_scale: &self.scale,
            settings,
        }
    }

    pub(crate) fn run(
        &self,
        settings: &Abc,
        progress: Option<&(dyn Fn(&AbcProgress) + Sync)>,
    ) -> Result<Posterior, Error> {
        self.run_from(Machine::new(self.ctx(settings)), progress)
    }

    /// Runs the schedule `m` to its end, batch by batch.
    fn run_from(
        &self,
        mut m: Machine<'_>,
        progress: Option<&(dyn Fn(&AbcProgress) + Sync)>,
    ) -> Result<Posterior, Error> {
        while let Some(batch) = m.pending() {
            let outcomes = self.simulate_batch(&m, batch.generation, batch.attempts.clone())?;
            let p = m.absorb(&batch, outcomes)?;
            if let Some(report) = progress {
                report(&p);
            }
        }
        Ok(m.posterior()
            .unwrap_or_else(|| unreachable!("a schedule with nothing pending has stopped")))
    }
}

#[cfg(test)]
mod tests {
    use super::machine::unweighted_quantile;
    use super::posterior::weighted_quantile;

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
