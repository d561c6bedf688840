//! The ABC-PMC schedule as a state machine: which batch of attempts to
//! simulate next, and what the outcomes of a batch do to the schedule
//! (see the [module docs](super)).
//!
//! The machine never simulates: [`Machine::pending`] names the next batch
//! (a generation and a range of attempt indices), the caller simulates it
//! (in one process, [`super::Engine::run`]; or in slices on several
//! machines, [`super::shard`]) and hands the outcomes to
//! [`Machine::absorb`], in attempt order. Every decision (batch sizes,
//! tolerances, weights, stopping rules) is taken here, from the outcomes
//! alone, so a schedule fed the same outcomes takes the same decisions
//! wherever they were simulated.

use std::ops::Range;

use rayon::prelude::*;

use serde::{Deserialize, Serialize};

use super::kernel::{Kernel, Population};
use super::posterior::{Generation, Posterior, StopRule};
use crate::calibrate::{ObservationKind, Prior};
use crate::error::{CalibrateError, Error};

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
    /// How the distance scales each row's difference (see the [module
    /// docs](super), **Distance**).
    pub scales: Scales,
}

/// How the distance scales the difference of each observation row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scales {
    /// The row's `sd` if given, else max(1, 5% of |observed|): the
    /// default, and the behaviour before adaptive scales existed.
    #[default]
    Sd,
    /// Every row by the spread of its simulated values in generation 0
    /// (the prior predictive): 1.4826 × their median absolute deviation
    /// (Prangle 2017), so that rows in different units weigh alike; an
    /// `sd` column is not used. See the [module docs](super),
    /// **Distance**.
    Adaptive,
}

impl Default for Abc {
    /// 500 particles, α = 0.5, target acceptance 2%, final tolerance 0,
    /// 100,000 simulations, 30 generations, seed 1, all cores, scales
    /// from each row's `sd` ([`Scales::Sd`]).
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
            scales: Scales::Sd,
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

/// The median of a sample (the mean of the two middle values for an
/// even count); NaN for none.
pub(super) fn median(x: &[f64]) -> f64 {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => s[n / 2],
        _ => 0.5 * (s[n / 2 - 1] + s[n / 2]),
    }
}

/// The adaptive scales ([`Scales::Adaptive`]): per row, 1.4826 × the
/// median absolute deviation of generation 0's simulated values; where
/// that is 0 (more than half the simulations agree), 1.2533 × their mean
/// absolute deviation from the median; where that is 0 too (every
/// simulation agrees), the row's `fallback` scale. Non-finite simulated
/// values are left out.
pub(crate) fn adaptive_scales(outs: &[Vec<f64>], fallback: &[f64]) -> Vec<f64> {
    fallback
        .iter()
        .enumerate()
        .map(|(r, &f)| {
            let x: Vec<f64> = outs
                .iter()
                .map(|o| o[r])
                .filter(|v| v.is_finite())
                .collect();
            let m = median(&x);
            let dev: Vec<f64> = x.iter().map(|v| (v - m).abs()).collect();
            let mad = 1.4826 * median(&dev);
            if mad > 0.0 && mad.is_finite() {
                return mad;
            }
            let mean_dev = 1.2533 * dev.iter().sum::<f64>() / dev.len().max(1) as f64;
            if mean_dev > 0.0 && mean_dev.is_finite() {
                mean_dev
            } else {
                f
            }
        })
        .collect()
}

/// Root mean square of the scaled differences (for a bound row, the
/// scaled shortfall: [`ObservationKind::difference`]).
pub(super) fn distance(
    sim: &[f64],
    observed: &[f64],
    kinds: &[ObservationKind],
    scale: &[f64],
) -> f64 {
    let ss: f64 = sim
        .iter()
        .zip(observed)
        .zip(kinds)
        .zip(scale)
        .map(|(((s, o), k), c)| (k.difference(*s, *o) / c).powi(2))
        .sum();
    (ss / sim.len() as f64).sqrt()
}

/// Effective sample size of normalised weights, 1 / Σ wᵢ².
pub(super) fn ess(w: &[f64]) -> f64 {
    1.0 / w.iter().map(|w| w * w).sum::<f64>()
}
/// The α-quantile of a sample: the smallest value with at least a share α
/// of the sample at or below it.
pub(super) fn unweighted_quantile(x: &[f64], alpha: f64) -> f64 {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let k = ((alpha * s.len() as f64).ceil() as usize).clamp(1, s.len());
    s[k - 1]
}

/// What the schedule needs besides the outcomes: the priors, the rows
/// and the settings.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ctx<'a> {
    pub(super) priors: &'a [Prior],
    /// Per prior: whether its values are integers (for the CSV).
    pub(super) integer: &'a [bool],
    pub(super) observed: &'a [f64],
    pub(super) kinds: &'a [ObservationKind],
    /// Each row's default scale ([`Scales::Sd`]).
    pub(super) default_scale: &'a [f64],
    pub(super) settings: &'a Abc,
}

/// A batch of attempts: generation `generation`, attempt indices
/// `attempts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Batch {
    pub(super) generation: u32,
    pub(super) attempts: Range<u64>,
}

/// The outcomes of a batch's attempts, in attempt order.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Outcomes {
    /// Generation 0: each attempt's drawn values and simulated rows.
    Prior(Vec<(Vec<f64>, Vec<f64>)>),
    /// A later generation: each attempt's proposal and distance if it
    /// was within the tolerance, else `None`.
    Proposals(Vec<Option<(Vec<f64>, f64)>>),
}

impl Outcomes {
    fn len(&self) -> usize {
        match self {
            Outcomes::Prior(v) => v.len(),
            Outcomes::Proposals(v) => v.len(),
        }
    }
}

/// A generation under way.
struct Running {
    generation: u32,
    eps: f64,
    /// The previous generation's tolerance.
    previous: f64,
    kernel: Kernel,
    cumulative: Vec<f64>,
    kept: Vec<(Vec<f64>, f64)>,
    attempts: u64,
    /// Attempts up to the last one kept.
    used: u64,
}

enum Phase {
    /// Generation 0 not yet simulated.
    Prior,
    Running(Box<Running>),
    Done {
        stopped: String,
        stop_rule: StopRule,
        stop_note: Option<String>,
    },
}

/// Where an ABC-PMC schedule stands.
pub(super) struct Machine<'a> {
    ctx: Ctx<'a>,
    simulations: u64,
    last_rate: f64,
    pop: Population,
    scale: Vec<f64>,
    schedule: Vec<f64>,
    rates: Vec<f64>,
    generations: Vec<Generation>,
    phase: Phase,
}

/// What a proposal of the running generation needs.
pub(super) struct Proposal<'m> {
    pub(super) kernel: &'m Kernel,
    pub(super) pop: &'m Population,
    pub(super) cumulative: &'m [f64],
    pub(super) eps: f64,
    pub(super) scale: &'m [f64],
}

impl<'a> Machine<'a> {
    /// A schedule before generation 0.
    pub(super) fn new(ctx: Ctx<'a>) -> Machine<'a> {
        Machine {
            ctx,
            simulations: 0,
            last_rate: 1.0,
            pop: Population {
                theta: Vec::new(),
                weights: Vec::new(),
                distances: Vec::new(),
            },
            scale: Vec::new(),
            schedule: Vec::new(),
            rates: Vec::new(),
            generations: Vec::new(),
            phase: Phase::Prior,
        }
    }

    /// The next batch to simulate; `None` once the schedule has stopped.
    pub(super) fn pending(&self) -> Option<Batch> {
        let n = self.ctx.settings.particles;
        match &self.phase {
            Phase::Prior => Some(Batch {
                generation: 0,
                attempts: 0..n as u64,
            }),
            Phase::Running(r) => {
                let need = (n - r.kept.len()) as f64;
                let left = self.ctx.settings.max_simulations - self.simulations;
                let batch = ((need / self.last_rate.max(1e-3)).ceil() as u64)
                    .max(64)
                    .min(8 * n as u64)
                    .min(left);
                Some(Batch {
                    generation: r.generation,
                    attempts: r.attempts..r.attempts + batch,
                })
            }
            Phase::Done { .. } => None,
        }
    }

    /// What a proposal of the running generation needs; `None` outside
    /// one.
    pub(super) fn proposal(&self) -> Option<Proposal<'_>> {
        match &self.phase {
            Phase::Running(r) => Some(Proposal {
                kernel: &r.kernel,
                pop: &self.pop,
                cumulative: &r.cumulative,
                eps: r.eps,
                scale: &self.scale,
            }),
            _ => None,
        }
    }

    /// Takes the outcomes of `batch`, which must be [`Machine::pending`],
    /// in attempt order; gives where the schedule stands.
    ///
    /// # Errors
    ///
    /// [`Error::Shard`] if `batch` is not the pending batch or the
    /// outcomes are not of its size or kind (outcomes from elsewhere);
    /// [`Error::Calibrate`] if every distance of generation 0 is infinite
    /// or not a number.
    pub(super) fn absorb(
        &mut self,
        batch: &Batch,
        outcomes: Outcomes,
    ) -> Result<AbcProgress, Error> {
        let expected = self.pending();
        if expected.as_ref() != Some(batch)
            || outcomes.len() as u64 != batch.attempts.end - batch.attempts.start
        {
            return Err(Error::shard(format!(
                "outcomes of generation {}, attempts {}..{} ({} of them), but the calibration waits for {}",
                batch.generation,
                batch.attempts.start,
                batch.attempts.end,
                outcomes.len(),
                expected.map_or_else(
                    || "nothing (it has stopped)".to_string(),
                    |b| format!(
                        "generation {}, attempts {}..{}",
                        b.generation, b.attempts.start, b.attempts.end
                    )
                )
            )));
        }
        let progress = match outcomes {
            Outcomes::Prior(first) if matches!(self.phase, Phase::Prior) => self.first(first)?,
            Outcomes::Proposals(results) if matches!(self.phase, Phase::Running(_)) => {
                self.proposals(batch, results)
            }
            _ => {
                return Err(Error::shard(format!(
                    "outcomes of the wrong kind for generation {}",
                    batch.generation
                )));
            }
        };
        self.settle();
        Ok(progress)
    }

    fn progress(&self, generation: u32, tolerance: f64, accepted: usize) -> AbcProgress {
        AbcProgress {
            generation,
            tolerance,
            accepted,
            simulations: self.simulations,
            budget: self.ctx.settings.max_simulations,
        }
    }

    /// Generation 0: the prior's draws, all kept.
    fn first(&mut self, first: Vec<(Vec<f64>, Vec<f64>)>) -> Result<AbcProgress, Error> {
        let n = self.ctx.settings.particles;
        self.simulations += n as u64;
        let progress = self.progress(0, f64::INFINITY, n);
        let (theta, outs): (Vec<_>, Vec<_>) = first.into_iter().unzip();
        let scale = match self.ctx.settings.scales {
            Scales::Sd => self.ctx.default_scale.to_vec(),
            Scales::Adaptive => adaptive_scales(&outs, self.ctx.default_scale),
        };
        let (observed, kinds) = (self.ctx.observed, self.ctx.kinds);
        let distances: Vec<f64> = outs
            .iter()
            .map(|o| distance(o, observed, kinds, &scale))
            .collect();
        drop(outs);
        if !distances.iter().any(|d| d.is_finite()) {
            return Err(CalibrateError::Settings(format!(
                "every distance of the first generation ({n} simulations) is infinite or not a number, \
                 so no tolerance can choose between particles: an observation's sd is too small \
                 for the differences to the simulated values (distances divide by sd)"
            ))
            .into());
        }
        self.scale = scale;
        self.pop = Population {
            theta,
            weights: vec![1.0 / n as f64; n],
            distances,
        };
        self.schedule = vec![f64::INFINITY];
        self.rates = vec![1.0];
        self.generations = vec![Generation {
            generation: 0,
            tolerance: f64::INFINITY,
            accepted: n,
            simulations: n as u64,
            acceptance_rate: 1.0,
            ess: Some(ess(&self.pop.weights)),
            complete: true,
        }];
        self.last_rate = 1.0;
        self.begin_generation();
        Ok(progress)
    }

    /// A batch of a later generation: the first `particles` kept, in
    /// attempt order.
    fn proposals(&mut self, batch: &Batch, results: Vec<Option<(Vec<f64>, f64)>>) -> AbcProgress {
        let n = self.ctx.settings.particles;
        let Phase::Running(r) = &mut self.phase else {
            unreachable!("checked by absorb")
        };
        let start = batch.attempts.start;
        for (i, res) in results.into_iter().enumerate() {
            if let Some(p) = res
                && r.kept.len() < n
            {
                r.kept.push(p);
                r.used = start + i as u64 + 1;
            }
        }
        let size = batch.attempts.end - start;
        r.attempts += size;
        let (generation, eps, kept) = (r.generation, r.eps, r.kept.len());
        self.simulations += size;
        self.progress(generation, eps, kept)
    }

    /// Starts the next generation, or stops: `max_generations`, or a
    /// tolerance that no longer falls.
    fn begin_generation(&mut self) {
        let settings = self.ctx.settings;
        let generation = self.schedule.len() as u32;
        if generation >= settings.max_generations {
            self.phase = Phase::Done {
                stopped: format!("reached max_generations ({})", settings.max_generations),
                stop_rule: StopRule::MaxGenerations,
                stop_note: None,
            };
            return;
        }
        let previous = *self.schedule.last().unwrap_or(&f64::INFINITY);
        let mut eps = unweighted_quantile(&self.pop.distances, settings.alpha);
        if eps >= previous {
            // Discrete distances: the next value below, if any.
            eps = self
                .pop
                .distances
                .iter()
                .copied()
                .filter(|&d| d < previous)
                .fold(f64::NEG_INFINITY, f64::max);
        }
        eps = eps.max(settings.final_tolerance);
        if eps >= previous {
            self.phase = Phase::Done {
                stopped: format!("the tolerance no longer falls (stays at {previous})"),
                stop_rule: StopRule::ToleranceStalled,
                stop_note: None,
            };
            return;
        }
        let kernel = Kernel::new(&self.pop, self.ctx.priors);
        let cumulative: Vec<f64> = self
            .pop
            .weights
            .iter()
            .scan(0.0, |acc, w| {
                *acc += w;
                Some(*acc)
            })
            .collect();
        self.phase = Phase::Running(Box::new(Running {
            generation,
            eps,
            previous,
            kernel,
            cumulative,
            kept: Vec::with_capacity(settings.particles),
            attempts: 0,
            used: 0,
        }));
    }

    /// After a batch: a generation that has its particles is closed
    /// (weights, stopping rules, the next tolerance); one that has not
    /// stops if the budget is spent.
    fn settle(&mut self) {
        let settings = self.ctx.settings;
        let n = settings.particles;
        loop {
            let Phase::Running(r) = &self.phase else {
                return;
            };
            if r.kept.len() < n {
                if settings.max_simulations - self.simulations > 0 {
                    return;
                }
                self.out_of_budget();
                return;
            }
            let Phase::Running(r) = std::mem::replace(&mut self.phase, Phase::Prior) else {
                unreachable!("matched above")
            };
            if let Some(done) = self.close(*r) {
                self.phase = done;
                return;
            }
            self.begin_generation();
        }
    }

    /// The budget ran out during the running generation: it is dropped.
    fn out_of_budget(&mut self) {
        let settings = self.ctx.settings;
        let n = settings.particles;
        let Phase::Running(r) = &self.phase else {
            return;
        };
        let generation = r.generation;
        let stop_note = Some(format!(
            "the budget ran out during generation {generation}: {} of {n} particles \
             were within its tolerance {:.4} after {} simulations. An \
             incomplete generation is not a sample of any posterior, so it was \
             dropped: the posterior is generation {}, complete, at tolerance {:.4}. \
             It is a valid ABC posterior for that larger tolerance, as wide as or \
             wider than generation {generation} would have given; a larger budget \
             (--max-simulations) narrows it further",
            r.kept.len(),
            r.eps,
            r.attempts,
            generation - 1,
            r.previous,
        ));
        self.generations.push(Generation {
            generation,
            tolerance: r.eps,
            accepted: r.kept.len(),
            simulations: r.attempts,
            acceptance_rate: r.kept.len() as f64 / r.attempts.max(1) as f64,
            ess: None,
            complete: false,
        });
        self.phase = Phase::Done {
            stopped: format!(
                "the budget of {} simulations ran out in generation {generation} (dropped)",
                settings.max_simulations
            ),
            stop_rule: StopRule::BudgetExhausted,
            stop_note,
        };
    }

    /// Closes a generation that has its particles: their weights, and
    /// the stopping rules that end the schedule after it, if one does.
    fn close(&mut self, r: Running) -> Option<Phase> {
        let settings = self.ctx.settings;
        let n = settings.particles;
        let priors = self.ctx.priors;
        let (theta, distances): (Vec<_>, Vec<_>) = r.kept.into_iter().unzip();
        let pop = &self.pop;
        let kernel = &r.kernel;
        let log_w: Vec<f64> = theta
            .par_iter()
            .map(|t| {
                let prior: f64 = priors.iter().zip(t).map(|(p, &x)| p.ln_density(x)).sum();
                prior - kernel.ln_mixture(pop, t)
            })
            .collect();
        let max = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = log_w.iter().map(|l| (l - max).exp()).collect();
        let total: f64 = w.iter().sum();
        self.pop = Population {
            theta,
            weights: w.iter().map(|x| x / total).collect(),
            distances,
        };
        let (generation, eps) = (r.generation, r.eps);
        self.last_rate = n as f64 / r.used as f64;
        let last_rate = self.last_rate;
        self.schedule.push(eps);
        self.rates.push(last_rate);
        self.generations.push(Generation {
            generation,
            tolerance: eps,
            accepted: n,
            simulations: r.attempts,
            acceptance_rate: last_rate,
            ess: Some(ess(&self.pop.weights)),
            complete: true,
        });
        if eps <= settings.final_tolerance {
            return Some(Phase::Done {
                stopped: format!("reached the final tolerance ({})", settings.final_tolerance),
                stop_rule: StopRule::FinalTolerance,
                stop_note: None,
            });
        }
        if last_rate < settings.target_acceptance {
            return Some(Phase::Done {
                stopped: format!(
                    "acceptance rate {last_rate:.4} below the target {}",
                    settings.target_acceptance
                ),
                stop_rule: StopRule::MinAcceptance,
                stop_note: None,
            });
        }
        // The next generation needs about n / rate simulations.
        let next = (n as f64 / last_rate).ceil() as u64;
        if self.simulations + next > settings.max_simulations {
            return Some(Phase::Done {
                stopped: format!(
                    "the next generation (about {next} simulations) would pass the budget of {}",
                    settings.max_simulations
                ),
                stop_rule: StopRule::BudgetAhead,
                stop_note: Some(format!(
                    "generation {} was not started: at the last acceptance rate it needs about \
                     {next} simulations and {} of the budget were left, so the posterior is \
                     generation {generation}, complete, at tolerance {eps:.4}; a larger budget \
                     (--max-simulations) would go on to smaller tolerances",
                    generation + 1,
                    settings.max_simulations - self.simulations,
                )),
            });
        }
        None
    }

    /// The settings.
    pub(super) fn settings(&self) -> &'a Abc {
        self.ctx.settings
    }

    /// Simulations run so far.
    pub(super) fn simulations(&self) -> u64 {
        self.simulations
    }

    /// Whether the schedule has stopped.
    pub(super) fn is_done(&self) -> bool {
        matches!(self.phase, Phase::Done { .. })
    }

    /// The posterior, once the schedule has stopped; `None` before.
    pub(super) fn posterior(self) -> Option<Posterior> {
        let Phase::Done {
            stopped,
            stop_rule,
            stop_note,
        } = self.phase
        else {
            return None;
        };
        let priors = self.ctx.priors;
        Some(Posterior {
            paths: priors.iter().map(|p| p.path.clone()).collect(),
            integer: self.ctx.integer.to_vec(),
            particles: self
                .pop
                .theta
                .iter()
                .map(|t| {
                    priors
                        .iter()
                        .zip(t)
                        .map(|(p, &x)| p.value_at_path(x))
                        .collect()
                })
                .collect(),
            weights: self.pop.weights,
            distances: self.pop.distances,
            tolerance_schedule: self.schedule,
            acceptance_rates: self.rates,
            simulations: self.simulations,
            stopped,
            generations: self.generations,
            stop_rule,
            stop_note,
            scales: self.scale,
        })
    }
}
