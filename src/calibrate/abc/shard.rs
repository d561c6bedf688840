//! An ABC-PMC calibration run on several machines: each batch of
//! simulations split into slices that run anywhere (`custody-sim
//! calibrate --shard K/N`), merged into the next state of the calibration
//! (`custody-sim merge --state-out`), until it stops; the posterior is
//! then exactly the one [`abc()`](super::abc()) gives on one machine.
//!
//! # How
//!
//! One process runs the schedule batch by batch: generation 0's
//! `particles` draws from the prior, then, in each later generation,
//! batches of proposals whose size depends only on what came before (see
//! the [module docs](super), **Streams**). Every attempt of a batch is an
//! independent replication: attempt `k` of generation `g` draws from a
//! stream fixed by (seed, g, k) and the previous generation, never from
//! the process that runs it. So a batch can be cut into slices run on
//! different machines, and the schedule fed their outcomes in attempt
//! order takes exactly the decisions it takes on one machine: the same
//! batch sizes, tolerances, weights and stopping rule.
//!
//! - [`AbcState`] is where a calibration stands: the fit it belongs to
//!   (the SHA-256 of the scenario and of the observations, the priors,
//!   the settings and seed) and the outcomes of every batch so far, from
//!   which the schedule is replayed (no simulation). [`AbcState::start`]
//!   is the state before generation 0; [`AbcState::pending`] the batch it
//!   waits for, or `None` once the schedule has stopped.
//! - [`abc_shard`] simulates slice `K` of `N` (0-based) of the pending
//!   batch: attempts `[a + L K / N, a + L (K + 1) / N)` of the `L`
//!   attempts `a..a + L` (integer division; an empty slice is a valid
//!   shard).
//! - [`AbcShard::merge`] joins the slices; [`AbcShard::advance`] gives
//!   the state after the batch, once they cover it.
//! - [`AbcState::posterior`] is the posterior once the schedule has
//!   stopped; [`abc_resume`] runs the rest of a state's schedule on one
//!   machine.
//!
//! A generation takes as many batches (rounds of shards and a merge) as
//! it takes on one machine: usually one or two, more in generation 1,
//! whose first batch is sized for an acceptance rate of 1.
//!
//! Files are sealed as run shards are (their first field the SHA-256 of
//! the rest), and checked: a shard records the checksum of the state it
//! continues; shards of another fit (scenario, observations, priors,
//! settings, seed), of another batch or of another state refuse to merge,
//! naming what differs; overlapping shards are refused, and a merge that
//! misses a slice says which attempts are missing. Non-finite numbers
//! (a simulated value that is not a number) are stored as strings (`inf`,
//! `-inf`, `nan:` and the bits), so that every value reads back bit for
//! bit.
//!
//! # Example: two slices per batch give the one-machine posterior
//!
//! ```
//! use custody_sim::calibrate::{abc, Abc, Observations, Prior};
//! use custody_sim::calibrate::abc::shard::{AbcState, abc_shard};
//! use custody_sim::presets;
//!
//! let s = presets::plan_2026_01();
//! let obs = Observations::from_csv_str(
//!     "date,series,value,sd\n9,transferred_cumulative,500,50\n", "reported", &s)?;
//! let priors = [Prior::parse(
//!     r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#)?];
//! let fit = Abc { particles: 20, max_simulations: 200, seed: 3, ..Abc::default() };
//! let mut state = AbcState::start(&s, &obs, &priors, &fit)?;
//! while state.pending().is_some() {
//!     let mut part = abc_shard(&s, &obs, &priors, &fit, &state, 0, 2)?;
//!     part.merge(abc_shard(&s, &obs, &priors, &fit, &state, 1, 2)?)?;
//!     state = part.advance(&state)?;
//! }
//! assert_eq!(state.posterior()?, abc(&s, &obs, &priors, &fit, None)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::machine::{Batch, Ctx, Machine, Outcomes};
use super::{Abc, AbcProgress, Posterior, Prior, prepare};
use crate::calibrate::{ObservationKind, Observations};
use crate::error::Error;
use crate::montecarlo::sealed::{SealedFile, payload_sha256, read_sealed, write_sealed};
use crate::scenario::Scenario;

/// The file format of calibration states and shards.
const FORMAT: u32 = 1;

/// A number stored exactly: finite as a JSON number, otherwise as a
/// string (`inf`, `-inf`, or `nan:` and its 16 hex digits of bits).
#[derive(Debug, Clone, Copy)]
struct X(f64);

impl PartialEq for X {
    fn eq(&self, other: &X) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Serialize for X {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let x = self.0;
        if x.is_finite() {
            s.serialize_f64(x)
        } else if x.is_nan() {
            s.serialize_str(&format!("nan:{:016x}", x.to_bits()))
        } else if x > 0.0 {
            s.serialize_str("inf")
        } else {
            s.serialize_str("-inf")
        }
    }
}

impl<'de> Deserialize<'de> for X {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<X, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = X;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number, \"inf\", \"-inf\" or \"nan:BITS\"")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<X, E> {
                Ok(X(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<X, E> {
                Ok(X(v as f64))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<X, E> {
                Ok(X(v as f64))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<X, E> {
                match v {
                    "inf" => Ok(X(f64::INFINITY)),
                    "-inf" => Ok(X(f64::NEG_INFINITY)),
                    _ => v
                        .strip_prefix("nan:")
                        .and_then(|h| u64::from_str_radix(h, 16).ok())
                        .map(f64::from_bits)
                        .filter(|x| x.is_nan())
                        .map(X)
                        .ok_or_else(|| E::custom(format!("not a number: {v:?}"))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

fn exact(x: &[f64]) -> Vec<X> {
    x.iter().copied().map(X).collect()
}

fn plain(x: &[X]) -> Vec<f64> {
    x.iter().map(|x| x.0).collect()
}

/// What makes a calibration the one it is: shards and states of one fit
/// agree on all of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FitId {
    /// The scenario's name, for messages.
    scenario_name: String,
    /// SHA-256 of the scenario as fitted
    /// ([`crate::montecarlo::scenario_sha256`]).
    scenario_sha256: String,
    /// SHA-256 of the observations' rows.
    observations_sha256: String,
    /// The settings, `threads` 0 (the result does not depend on it).
    settings: Abc,
    priors: Vec<Prior>,
    /// Per prior: whether its path holds an integer.
    integer: Vec<bool>,
    /// Each row's observed value or bound, kind and default scale: what
    /// the schedule needs without the scenario.
    observed: Vec<X>,
    kinds: Vec<ObservationKind>,
    default_scale: Vec<X>,
}

impl FitId {
    /// The first thing that differs from `other`, in words: `what` and
    /// `others` name the two sides.
    fn difference(&self, other: &FitId, what: &str, others: &str) -> Option<String> {
        let (a, b) = (&self.settings, &other.settings);
        let differ = |field: &str, x: String, y: String| {
            Some(format!(
                "{what} is of another calibration: its {field} is {x}, {others}'s {y}"
            ))
        };
        if self.scenario_sha256 != other.scenario_sha256 {
            return differ(
                "scenario (SHA-256)",
                format!("{} ({})", self.scenario_sha256, self.scenario_name),
                format!("{} ({})", other.scenario_sha256, other.scenario_name),
            );
        }
        if self.observations_sha256 != other.observations_sha256 {
            return differ(
                "observations (SHA-256)",
                self.observations_sha256.clone(),
                other.observations_sha256.clone(),
            );
        }
        let paths = |p: &[Prior]| {
            serde_json::to_string(p).unwrap_or_else(|e| panic!("bug: a prior as JSON: {e}"))
        };
        for (field, x, y) in [
            ("seed", a.seed.to_string(), b.seed.to_string()),
            (
                "particles",
                a.particles.to_string(),
                b.particles.to_string(),
            ),
            (
                "max_simulations",
                a.max_simulations.to_string(),
                b.max_simulations.to_string(),
            ),
            (
                "max_generations",
                a.max_generations.to_string(),
                b.max_generations.to_string(),
            ),
            (
                "min_acceptance",
                a.target_acceptance.to_string(),
                b.target_acceptance.to_string(),
            ),
            ("alpha", a.alpha.to_string(), b.alpha.to_string()),
            (
                "final_tolerance",
                a.final_tolerance.to_string(),
                b.final_tolerance.to_string(),
            ),
            (
                "scales",
                format!("{:?}", a.scales).to_lowercase(),
                format!("{:?}", b.scales).to_lowercase(),
            ),
            ("priors", paths(&self.priors), paths(&other.priors)),
        ] {
            if x != y {
                return differ(field, x, y);
            }
        }
        (self != other).then(|| format!("{what} is of another calibration than {others}"))
    }

    /// The schedule's context, over `rows` (this fit's numbers as plain
    /// values).
    fn ctx<'a>(&'a self, rows: &'a Rows) -> Ctx<'a> {
        Ctx {
            priors: &self.priors,
            integer: &self.integer,
            observed: &rows.observed,
            kinds: &self.kinds,
            default_scale: &rows.default_scale,
            settings: &self.settings,
        }
    }
}

/// A fit's rows as plain numbers.
struct Rows {
    observed: Vec<f64>,
    default_scale: Vec<f64>,
}

impl Rows {
    fn of(fit: &FitId) -> Rows {
        Rows {
            observed: plain(&fit.observed),
            default_scale: plain(&fit.default_scale),
        }
    }
}

/// An attempt within its generation's tolerance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Kept {
    attempt: u64,
    theta: Vec<X>,
    distance: X,
}

/// The outcomes of consecutive attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Stored {
    /// Generation 0: each attempt's drawn values and simulated rows.
    Prior {
        theta: Vec<Vec<X>>,
        rows: Vec<Vec<X>>,
    },
    /// A later generation: the attempts within the tolerance, in order.
    Kept(Vec<Kept>),
}

impl Stored {
    /// The outcomes of attempts from `start` on.
    fn new(outcomes: Outcomes, start: u64) -> Stored {
        match outcomes {
            Outcomes::Prior(v) => {
                let (theta, rows) = v.iter().map(|(t, r)| (exact(t), exact(r))).unzip();
                Stored::Prior { theta, rows }
            }
            Outcomes::Proposals(v) => Stored::Kept(
                v.into_iter()
                    .zip(start..)
                    .filter_map(|(o, attempt)| {
                        o.map(|(t, d)| Kept {
                            attempt,
                            theta: exact(&t),
                            distance: X(d),
                        })
                    })
                    .collect(),
            ),
        }
    }

    /// Appends the outcomes of the attempts that follow.
    fn extend(&mut self, other: Stored) -> Result<(), String> {
        match (self, other) {
            (Stored::Prior { theta, rows }, Stored::Prior { theta: t, rows: r }) => {
                theta.extend(t);
                rows.extend(r);
            }
            (Stored::Kept(a), Stored::Kept(b)) => a.extend(b),
            _ => return Err("outcomes of generation 0 and of a later one".into()),
        }
        Ok(())
    }

    /// The outcomes of attempts `range`, checked against their count and
    /// the fit's dimensions (`k` priors, `rows` rows).
    fn outcomes(&self, range: &Range<u64>, k: usize, rows: usize) -> Result<Outcomes, String> {
        let len = usize::try_from(range.end - range.start).map_err(|_| "too many attempts")?;
        match self {
            Stored::Prior { theta, rows: sims } => {
                if theta.len() != len || sims.len() != len {
                    return Err(format!(
                        "{} draws and {} simulations for {len} attempts",
                        theta.len(),
                        sims.len()
                    ));
                }
                if theta.iter().any(|t| t.len() != k) || sims.iter().any(|r| r.len() != rows) {
                    return Err("a draw or simulation of the wrong size".into());
                }
                Ok(Outcomes::Prior(
                    theta
                        .iter()
                        .zip(sims)
                        .map(|(t, r)| (plain(t), plain(r)))
                        .collect(),
                ))
            }
            Stored::Kept(kept) => {
                let mut out: Vec<Option<(Vec<f64>, f64)>> = vec![None; len];
                let mut next = range.start;
                for kp in kept {
                    if kp.attempt < next || kp.attempt >= range.end || kp.theta.len() != k {
                        return Err(format!(
                            "attempt {} out of order, outside {}..{} or of the wrong size",
                            kp.attempt, range.start, range.end
                        ));
                    }
                    next = kp.attempt + 1;
                    out[(kp.attempt - range.start) as usize] =
                        Some((plain(&kp.theta), kp.distance.0));
                }
                Ok(Outcomes::Proposals(out))
            }
        }
    }
}

/// A batch: its generation and attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Round {
    generation: u32,
    start: u64,
    end: u64,
}

impl Round {
    fn of(b: &Batch) -> Round {
        Round {
            generation: b.generation,
            start: b.attempts.start,
            end: b.attempts.end,
        }
    }

    fn batch(&self) -> Batch {
        Batch {
            generation: self.generation,
            attempts: self.start..self.end,
        }
    }

    fn describe(&self) -> String {
        format!(
            "generation {}, attempts {}..{}",
            self.generation, self.start, self.end
        )
    }
}

/// A batch run, with its outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Done {
    #[serde(flatten)]
    round: Round,
    outcomes: Stored,
}

/// Where a sharded ABC-PMC calibration stands: its fit and the outcomes
/// of every batch so far (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbcState {
    /// Checksum of the rest, only in files (empty in memory).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    sha256: String,
    format: u32,
    version: String,
    /// Whether the schedule has stopped (nothing left to simulate).
    finished: bool,
    /// The batch to simulate next; `None` once finished.
    next: Option<Round>,
    /// Simulations run so far.
    simulations: u64,
    fit: FitId,
    /// Every batch run, in order.
    rounds: Vec<Done>,
}

/// Slices of one batch of a sharded calibration, with their outcomes
/// (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbcShard {
    /// Checksum of the rest, only in files (empty in memory).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    sha256: String,
    /// The batch the slices belong to.
    abc_round: Round,
    format: u32,
    version: String,
    /// The checksum ([`AbcState::sha256`]) of the state the batch
    /// continues.
    state_sha256: String,
    fit: FitId,
    /// Covered attempts, sorted, disjoint, adjacent ones joined, with
    /// their outcomes.
    slices: Vec<Done>,
}

/// What identifies the fit of `priors` to `observations` on `scenario`
/// with `settings` (`fit`, checked by [`prepare`]).
fn fit_id(
    scenario: &Scenario,
    observations: &Observations,
    priors: &[Prior],
    settings: &Abc,
    fit: &super::Fit<'_>,
) -> Result<FitId, Error> {
    let integer = fit.integer_field.clone();
    for (name, x) in [
        ("alpha", settings.alpha),
        ("target_acceptance", settings.target_acceptance),
        ("final_tolerance", settings.final_tolerance),
    ] {
        if !x.is_finite() {
            return Err(Error::invalid(
                name,
                format!("{x}: a sharded calibration needs a finite value"),
            ));
        }
    }
    Ok(FitId {
        scenario_name: scenario.name.clone(),
        scenario_sha256: crate::montecarlo::scenario_sha256(scenario),
        observations_sha256: payload_sha256(observations),
        settings: Abc {
            threads: 0,
            ..*settings
        },
        priors: priors.to_vec(),
        integer,
        observed: observations.rows().iter().map(|o| X(o.value)).collect(),
        kinds: observations.rows().iter().map(|o| o.kind).collect(),
        default_scale: exact(&super::default_scales(observations)),
    })
}

/// Replays `rounds` on a schedule of `ctx`.
fn replay<'a>(ctx: Ctx<'a>, rounds: &[Done]) -> Result<Machine<'a>, Error> {
    let mut m = Machine::new(ctx);
    for r in rounds {
        let batch = r.round.batch();
        let outcomes = r
            .outcomes
            .outcomes(&batch.attempts, ctx.priors.len(), ctx.observed.len())
            .map_err(|e| Error::shard(format!("{}: {e}", r.round.describe())))?;
        m.absorb(&batch, outcomes)?;
    }
    Ok(m)
}

impl AbcState {
    /// The state of a calibration before generation 0: the fit of
    /// `priors` to `observations` on `scenario` with `settings`.
    ///
    /// # Errors
    ///
    /// As [`abc()`](super::abc()) before it simulates; an
    /// [`Error::InvalidArgument`] for a setting that is not a finite
    /// number.
    pub fn start(
        scenario: &Scenario,
        observations: &Observations,
        priors: &[Prior],
        settings: &Abc,
    ) -> Result<AbcState, Error> {
        let fit = prepare(scenario, observations, priors, settings)?;
        Ok(AbcState::fresh(fit_id(
            scenario,
            observations,
            priors,
            settings,
            &fit,
        )?))
    }

    fn fresh(fit: FitId) -> AbcState {
        let n = fit.settings.particles as u64;
        AbcState {
            sha256: String::new(),
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            finished: false,
            next: Some(Round {
                generation: 0,
                start: 0,
                end: n,
            }),
            simulations: 0,
            fit,
            rounds: Vec::new(),
        }
    }

    /// The checksum of the state, which its shards record: the SHA-256
    /// of its JSON without the checksum.
    pub fn sha256(&self) -> String {
        payload_sha256(self)
    }

    /// The batch to simulate next: its generation and attempts; `None`
    /// once the schedule has stopped.
    pub fn pending(&self) -> Option<(u32, Range<u64>)> {
        self.next.as_ref().map(|r| (r.generation, r.start..r.end))
    }

    /// Whether the schedule has stopped: the posterior is ready.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Simulations run so far, all generations.
    pub fn simulations(&self) -> u64 {
        self.simulations
    }

    /// The scenario's name.
    pub fn scenario_name(&self) -> &str {
        &self.fit.scenario_name
    }

    /// The posterior, once the schedule has stopped: the one
    /// [`abc()`](super::abc()) gives with the same arguments, bit for bit.
    ///
    /// # Errors
    ///
    /// [`Error::Shard`] naming the batch still to simulate if the
    /// schedule has not stopped.
    pub fn posterior(&self) -> Result<Posterior, Error> {
        let rows = Rows::of(&self.fit);
        let m = replay(self.fit.ctx(&rows), &self.rounds)?;
        m.posterior().ok_or_else(|| {
            Error::shard(format!(
                "the calibration has not finished: {} is still to simulate",
                self.next
                    .as_ref()
                    .map_or_else(|| "a batch".to_string(), Round::describe)
            ))
        })
    }

    /// The state after `rounds`, replayed on this fit.
    fn with_rounds(&self, rounds: Vec<Done>) -> Result<AbcState, Error> {
        let rows = Rows::of(&self.fit);
        let m = replay(self.fit.ctx(&rows), &rounds)?;
        let next = m.pending().map(|b| Round::of(&b));
        let (finished, simulations) = (m.is_done(), m.simulations());
        Ok(AbcState {
            sha256: String::new(),
            format: FORMAT,
            version: self.version.clone(),
            finished,
            next,
            simulations,
            fit: self.fit.clone(),
            rounds,
        })
    }

    /// Writes the state as JSON, with its checksum, atomically
    /// ([`crate::files::write_atomic`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_sealed(self, path.as_ref())
    }

    /// Reads a state written by [`AbcState::write`], checks its checksum
    /// and replays it (no simulation) to check that it is consistent.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if unreadable, not a regular file or above
    /// [`MAX_SHARD_BYTES`](crate::files::MAX_SHARD_BYTES);
    /// [`Error::Format`] naming the file if it is not a calibration
    /// state, is of another format or version, or is damaged or edited.
    pub fn read(path: impl AsRef<Path>) -> Result<AbcState, Error> {
        read_sealed(path.as_ref())
    }
}

impl SealedFile for AbcState {
    const KIND: &'static str = "calibration state";

    fn sha256_mut(&mut self) -> &mut String {
        &mut self.sha256
    }

    fn check_version(&self) -> Result<(), String> {
        check_version(self.format, &self.version)
    }

    /// Replays the batches (no simulation): they must lead to the state.
    fn check_integrity(&self) -> Result<(), String> {
        let replayed = self
            .with_rounds(self.rounds.clone())
            .map_err(|e| e.to_string())?;
        if replayed != *self {
            return Err("its batches do not lead to the next batch it names".into());
        }
        Ok(())
    }
}

/// A file of this format and version, or why not.
fn check_version(format: u32, version: &str) -> Result<(), String> {
    if format != FORMAT {
        return Err(format!(
            "format {format} (this custody-sim reads format {FORMAT})"
        ));
    }
    let ours = env!("CARGO_PKG_VERSION");
    if version != ours {
        return Err(format!(
            "written by custody-sim {version}, this is {ours}: a calibration continues with the version that began it"
        ));
    }
    Ok(())
}

/// Simulates slice `k` of `n` (0-based) of the batch `state` waits for,
/// on `settings.threads` threads (see the [module docs](self)). The
/// arguments are those of [`abc()`](super::abc()), which `state` must
/// have been started with ([`AbcState::start`]).
///
/// # Errors
///
/// [`Error::InvalidArgument`] if `k >= n`; [`Error::Shard`] naming what
/// differs if `state` is of another fit (scenario, observations, priors,
/// settings or seed), or if its schedule has stopped; otherwise as
/// [`abc()`](super::abc()).
pub fn abc_shard(
    scenario: &Scenario,
    observations: &Observations,
    priors: &[Prior],
    settings: &Abc,
    state: &AbcState,
    k: u64,
    n: u64,
) -> Result<AbcShard, Error> {
    if n == 0 || k >= n {
        return Err(Error::invalid(
            "shard",
            format!("{}/{n}: must be between 1/{n} and {n}/{n}", k + 1),
        ));
    }
    let (id, fit) = checked(scenario, observations, priors, settings, state)?;
    let engine = super::engine(&fit, observations, priors);
    let m = replay(engine.ctx(&id.settings), &state.rounds)?;
    let Some(batch) = m.pending() else {
        return Err(Error::shard(
            "the calibration of this state has stopped: nothing is left to simulate (write its posterior with calibrate --state)",
        ));
    };
    let (a, len) = (
        batch.attempts.start,
        batch.attempts.end - batch.attempts.start,
    );
    let part = |k: u64| a + (u128::from(len) * u128::from(k) / u128::from(n)) as u64;
    let slice = part(k)..part(k + 1);
    let outcomes = crate::montecarlo::in_pool(settings.threads, || {
        engine.simulate_batch(&m, batch.generation, slice.clone())
    })??;
    Ok(AbcShard {
        sha256: String::new(),
        abc_round: Round::of(&batch),
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        state_sha256: state.sha256(),
        fit: id,
        slices: if slice.is_empty() {
            Vec::new()
        } else {
            vec![Done {
                round: Round {
                    generation: batch.generation,
                    start: slice.start,
                    end: slice.end,
                },
                outcomes: Stored::new(outcomes, slice.start),
            }]
        },
    })
}

/// The fit of the arguments, checked against `state`'s.
fn checked<'a>(
    scenario: &Scenario,
    observations: &'a Observations,
    priors: &'a [Prior],
    settings: &Abc,
    state: &AbcState,
) -> Result<(FitId, super::Fit<'a>), Error> {
    let fit = prepare(scenario, observations, priors, settings)?;
    let id = fit_id(scenario, observations, priors, settings, &fit)?;
    if let Some(d) = state.fit.difference(&id, "the state", "the command's") {
        return Err(Error::shard(d));
    }
    Ok((id, fit))
}

/// Runs the rest of `state`'s schedule on this machine and gives the
/// posterior: the one [`abc()`](super::abc()) gives with the same
/// arguments, bit for bit (with nothing left to run, only the replay).
/// `progress` as for [`abc()`](super::abc()), for the batches run here.
///
/// # Errors
///
/// [`Error::Shard`] naming what differs if `state` is of another fit;
/// otherwise as [`abc()`](super::abc()).
pub fn abc_resume(
    scenario: &Scenario,
    observations: &Observations,
    priors: &[Prior],
    settings: &Abc,
    state: &AbcState,
    progress: Option<&(dyn Fn(&AbcProgress) + Sync)>,
) -> Result<Posterior, Error> {
    let (id, fit) = checked(scenario, observations, priors, settings, state)?;
    let engine = super::engine(&fit, observations, priors);
    crate::montecarlo::in_pool(settings.threads, || {
        let m = replay(engine.ctx(&id.settings), &state.rounds)?;
        engine.run_from(m, progress)
    })?
}

impl AbcShard {
    /// The batch: its generation and attempts.
    pub fn batch(&self) -> (u32, Range<u64>) {
        (
            self.abc_round.generation,
            self.abc_round.start..self.abc_round.end,
        )
    }

    /// The attempt ranges covered, sorted and disjoint.
    pub fn ranges(&self) -> Vec<Range<u64>> {
        self.slices
            .iter()
            .map(|s| s.round.start..s.round.end)
            .collect()
    }

    /// Whether the slices cover the whole batch.
    pub fn is_complete(&self) -> bool {
        let r = self.ranges();
        let whole = self.abc_round.start..self.abc_round.end;
        (whole.is_empty() && r.is_empty()) || (r.len() == 1 && r[0] == whole)
    }

    /// The checksum of the state the batch continues
    /// ([`AbcState::sha256`]).
    pub fn state_sha256(&self) -> &str {
        &self.state_sha256
    }

    /// Adds other slices of the same batch.
    ///
    /// # Errors
    ///
    /// [`Error::Shard`] naming what differs if the slices are of another
    /// fit, batch, state or build, or if they overlap.
    pub fn merge(&mut self, other: AbcShard) -> Result<(), Error> {
        if let Some(d) = other
            .fit
            .difference(&self.fit, "this shard", "the other shard")
        {
            return Err(Error::shard(d));
        }
        if other.abc_round != self.abc_round {
            return Err(Error::shard(format!(
                "a calibration shard of another batch: {}, the other {}",
                other.abc_round.describe(),
                self.abc_round.describe()
            )));
        }
        if other.state_sha256 != self.state_sha256 {
            return Err(Error::shard(format!(
                "a calibration shard of another state of the calibration: it continues the state with SHA-256 {}, the other {}",
                other.state_sha256, self.state_sha256
            )));
        }
        if other.version != self.version {
            return Err(Error::shard(format!(
                "calibration shards of different custody-sim versions ({} and {})",
                other.version, self.version
            )));
        }
        // On a copy: a refused merge leaves `self` as it was.
        let mut all = self.slices.clone();
        all.extend(other.slices);
        all.sort_by_key(|s| s.round.start);
        let mut joined: Vec<Done> = Vec::with_capacity(all.len());
        for s in all {
            match joined.last_mut() {
                Some(last) if last.round.end > s.round.start => {
                    return Err(Error::shard(format!(
                        "calibration shards overlap: attempts {}..{} and {}..{}",
                        last.round.start, last.round.end, s.round.start, s.round.end
                    )));
                }
                Some(last) if last.round.end == s.round.start => {
                    last.outcomes
                        .extend(s.outcomes)
                        .map_err(|e| Error::shard(format!("calibration shards hold {e}")))?;
                    last.round.end = s.round.end;
                }
                _ => joined.push(s),
            }
        }
        self.slices = joined;
        Ok(())
    }

    /// The state after the batch, once the slices cover it: `state`
    /// (the one the batch continues) with the batch's outcomes. For the
    /// first batch, `state` is [`AbcState::start`]'s, which
    /// [`AbcShard::start_state`] rebuilds from the slices.
    ///
    /// # Errors
    ///
    /// [`Error::Shard`] if the slices continue another state or fit than
    /// `state`, or do not cover the batch (naming what they cover), or if
    /// the outcomes are not those of the batch; [`Error::Calibrate`] as
    /// [`abc()`](super::abc()) for a generation 0 whose every distance is
    /// infinite.
    pub fn advance(&self, state: &AbcState) -> Result<AbcState, Error> {
        if let Some(d) = self.fit.difference(&state.fit, "the shards", "the state") {
            return Err(Error::shard(d));
        }
        let sha = state.sha256();
        if self.state_sha256 != sha {
            return Err(Error::shard(format!(
                "the shards continue the state with SHA-256 {}, not this one ({sha}): a state of another round?",
                self.state_sha256
            )));
        }
        if !self.is_complete() {
            let ranges: Vec<String> = self
                .ranges()
                .iter()
                .map(|r| format!("{}..{}", r.start, r.end))
                .collect();
            return Err(Error::shard(format!(
                "the calibration shards do not cover the batch ({}): they cover {} (a slice K/N is missing?)",
                self.abc_round.describe(),
                if ranges.is_empty() {
                    "none".to_string()
                } else {
                    ranges.join(", ")
                }
            )));
        }
        let outcomes = self
            .slices
            .first()
            .map_or_else(|| Stored::Kept(Vec::new()), |s| s.outcomes.clone());
        let mut rounds = state.rounds.clone();
        rounds.push(Done {
            round: self.abc_round.clone(),
            outcomes,
        });
        state.with_rounds(rounds)
    }

    /// The state before generation 0 of the calibration the shards
    /// belong to: what [`AbcState::start`] gives with its arguments.
    pub fn start_state(&self) -> AbcState {
        AbcState::fresh(self.fit.clone())
    }
}

impl SealedFile for AbcShard {
    const KIND: &'static str = "calibration shard";

    fn sha256_mut(&mut self) -> &mut String {
        &mut self.sha256
    }

    fn check_version(&self) -> Result<(), String> {
        check_version(self.format, &self.version)
    }

    /// Checks that the slices lie inside the batch, in order and disjoint.
    fn check_integrity(&self) -> Result<(), String> {
        let mut end = self.abc_round.start;
        for s in &self.slices {
            if s.round.start < end
                || s.round.end < s.round.start
                || s.round.generation != self.abc_round.generation
            {
                return Err("its slices overlap or are of another generation".into());
            }
            end = s.round.end;
        }
        if end > self.abc_round.end {
            return Err("its slices reach past the batch".into());
        }
        Ok(())
    }
}

impl AbcShard {
    /// Writes the slices as JSON, with their checksum, atomically
    /// ([`crate::files::write_atomic`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_sealed(self, path.as_ref())
    }

    /// Reads slices written by [`AbcShard::write`], streamed, and checks
    /// their checksum and consistency.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if unreadable, not a regular file or above
    /// [`MAX_SHARD_BYTES`](crate::files::MAX_SHARD_BYTES);
    /// [`Error::Format`] naming the file if it is not a calibration
    /// shard, or is damaged or edited.
    pub fn read(path: impl AsRef<Path>) -> Result<AbcShard, Error> {
        read_sealed(path.as_ref())
    }
}
