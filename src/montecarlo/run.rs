//! The entry points of a run: a scenario (or a plan) and a set of
//! replications in, a [`Summary`] (or a [`Shard`]) out.
//!
//! Each entry point checks a run once, before it starts, in one order:
//! the metric values it will store
//! ([`MAX_STORED_VALUES`](crate::scenario::limits::MAX_STORED_VALUES)),
//! then, except for [`run_plan`], its [`estimate`] against [`Limits`];
//! then the [runner](super::runner) runs it, checking nothing.

use std::ops::Range;

use super::estimate::{Limits, estimate};
use super::runner::{Progress, Runs, in_pool, run_range};
use super::shard::{Shard, check_stored};
use super::summary::Summary;
use crate::error::Error;
use crate::model::Plan;
use crate::scenario::Scenario;

/// Runs `runs.replications` replications of `scenario` and summarises them.
///
/// Refuses a run whose [`estimate`] is above [`Limits::default`] (8 GiB,
/// 8 hours). Other limits, or a progress callback, are settings of a
/// [`Run`]: `run(scenario, runs)` is `Run::new(scenario, runs).summary()`.
///
/// # Errors
///
/// [`Error::Scenario`] if the scenario is invalid; [`Error::Limit`] if the
/// run is above the limits; [`Error::Threads`] if a thread pool cannot be
/// built.
pub fn run(scenario: &Scenario, runs: &Runs) -> Result<Summary, Error> {
    Run::new(scenario, runs).summary()
}

/// A run of a scenario with its settings: the [`Limits`] its [`estimate`]
/// must stay under ([`Limits::default`] unless set) and a progress
/// callback (none unless set). [`run`] is a `Run` with neither set. One
/// entry point with a builder, rather than a function per combination of
/// settings.
///
/// # Example: a run with the limits lifted and its progress counted
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use custody_sim::{montecarlo::{Limits, Run, Runs}, presets};
///
/// let runs = Runs { replications: 10, seed: 1, threads: 0 };
/// let done = AtomicU64::new(0);
/// let progress = |_: u64, _: u64| {
///     done.fetch_add(1, Ordering::Relaxed);
/// };
/// let s = Run::new(&presets::baseline(), &runs)
///     .limits(Limits::none())
///     .progress(&progress)
///     .summary()?;
/// assert_eq!(s.replications, 10);
/// assert!(done.load(Ordering::Relaxed) > 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy)]
pub struct Run<'a> {
    scenario: &'a Scenario,
    runs: &'a Runs,
    limits: Limits,
    progress: Option<Progress<'a>>,
}

impl std::fmt::Debug for Run<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("scenario", &self.scenario.name)
            .field("runs", self.runs)
            .field("limits", &self.limits)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl<'a> Run<'a> {
    /// A run of `runs.replications` replications of `scenario`, under
    /// [`Limits::default`], reporting no progress.
    pub fn new(scenario: &'a Scenario, runs: &'a Runs) -> Run<'a> {
        Run {
            scenario,
            runs,
            limits: Limits::default(),
            progress: None,
        }
    }

    /// Refuses the run if its [`estimate`] is above `limits`
    /// ([`Limits::none`] lifts them).
    pub fn limits(mut self, limits: Limits) -> Run<'a> {
        self.limits = limits;
        self
    }

    /// Calls `progress(done, total)` as replications finish.
    pub fn progress(mut self, progress: Progress<'a>) -> Run<'a> {
        self.progress = Some(progress);
        self
    }

    /// Estimates the run, then runs and summarises it.
    ///
    /// # Errors
    ///
    /// As [`run`]: [`Error::Limit`] if the estimate is above the run's
    /// limits.
    pub fn summary(self) -> Result<Summary, Error> {
        Ok(self.shard()?.summary())
    }

    /// Estimates the run, then runs it: the shard [`Run::summary`]
    /// summarises, with every replication's metric values.
    ///
    /// # Errors
    ///
    /// As [`Run::summary`].
    pub(crate) fn shard(self) -> Result<Shard, Error> {
        let (scenario, runs) = (self.scenario, self.runs);
        let plan = Plan::new(scenario)?;
        admit(&plan, runs, &self.limits)?;
        on_workers(
            &plan,
            runs.seed,
            0..runs.replications,
            runs.threads,
            self.progress,
        )
    }
}

/// Runs replications `range` (for example `250..500`) of master seed `seed`
/// as one shard, on all cores. Shards covering `0..n` merge into exactly
/// the summary of a run of `n`. Refused above [`Limits::default`], as
/// [`run`].
///
/// # Errors
///
/// As [`run`].
pub fn run_shard(scenario: &Scenario, seed: u64, range: Range<u64>) -> Result<Shard, Error> {
    let plan = Plan::new(scenario)?;
    let runs = Runs {
        replications: range.end.saturating_sub(range.start),
        seed,
        threads: 0,
    };
    admit(&plan, &runs, &Limits::default())?;
    on_workers(&plan, seed, range, 0, None)
}

/// Runs replications `range` of `plan` on `threads` threads (0: rayon's
/// default pool). It does not estimate the run: a caller checks
/// [`Limits`] first.
///
/// Each worker keeps one [`Workspace`](crate::model::Workspace) and one
/// accumulator for the replications it runs; accumulators merge as
/// workers finish, so memory for the daily series does not grow with the
/// number of replications. A worker also holds the daily series of up to
/// 64 replications (at most 2 MiB, or one replication's if larger) to fold
/// them into its accumulator together, histogram by histogram, which keeps
/// each histogram in cache.
///
/// # Errors
///
/// [`Error::Threads`] if a thread pool cannot be built;
/// [`Error::Limit`] if the run would store more than
/// [`MAX_STORED_VALUES`](crate::scenario::limits::MAX_STORED_VALUES)
/// values.
pub fn run_plan(
    plan: &Plan,
    seed: u64,
    range: Range<u64>,
    threads: usize,
    progress: Option<Progress<'_>>,
) -> Result<Shard, Error> {
    check_stored(
        range.end.saturating_sub(range.start),
        plan.layout().metrics().len(),
    )?;
    on_workers(plan, seed, range, threads, progress)
}

/// The checks before a run of `plan`, each once and in this order: the
/// metric values it will store, then its estimate against `limits`.
fn admit(plan: &Plan, runs: &Runs, limits: &Limits) -> Result<(), Error> {
    check_stored(runs.replications, plan.layout().metrics().len())?;
    limits.check(&estimate(plan, runs))
}

/// Runs replications `range` of `plan`, already checked, with daily
/// series, on a pool of `threads` threads (0: the current pool).
fn on_workers(
    plan: &Plan,
    seed: u64,
    range: Range<u64>,
    threads: usize,
    progress: Option<Progress<'_>>,
) -> Result<Shard, Error> {
    let shard = in_pool(threads, || run_range(plan, seed, range, progress, true))??;
    // What made the scenario travels with the shard, into its summary
    // and its file.
    Ok(shard.record_applied(&plan.scenario().applied))
}

#[cfg(test)]
mod tests {
    use super::super::shard::STORED_CHECKS;
    use super::*;
    use crate::scenario::limits::MAX_STORED_VALUES;
    use crate::scenario::presets;

    /// Stored-values checks made on this thread so far.
    fn checks() -> u32 {
        STORED_CHECKS.with(std::cell::Cell::get)
    }

    /// The stored-values checks `f` makes (on this thread, where every
    /// entry point makes its checks before the workers start).
    fn checks_of<T>(f: impl FnOnce() -> T) -> (T, u32) {
        let before = checks();
        let out = f();
        (out, checks() - before)
    }

    fn is_stored_limit(e: &Error) -> bool {
        matches!(e, Error::Limit { what, .. } if what.ends_with("stored values"))
    }

    #[test]
    fn every_entry_point_checks_the_stored_values_once() {
        let s = presets::baseline();
        let plan = Plan::new(&s).unwrap();
        let runs = Runs {
            replications: 2,
            seed: 1,
            threads: 1,
        };
        let (r, n) = checks_of(|| run(&s, &runs));
        assert_eq!((r.unwrap().replications, n), (2, 1));
        let (r, n) = checks_of(|| Run::new(&s, &runs).limits(Limits::none()).summary());
        assert_eq!((r.unwrap().replications, n), (2, 1));
        let (r, n) = checks_of(|| run_shard(&s, 1, 3..5));
        assert_eq!((r.unwrap().replications(), n), (2, 1));
        let (r, n) = checks_of(|| run_plan(&plan, 1, 0..2, 1, None));
        assert_eq!((r.unwrap().replications(), n), (2, 1));
    }

    #[test]
    fn the_single_check_still_refuses_a_run_over_the_limit() {
        let s = presets::baseline();
        let plan = Plan::new(&s).unwrap();
        let metrics = plan.layout().metrics().len() as u64;
        let over = MAX_STORED_VALUES / metrics + 1;
        let runs = Runs {
            replications: over,
            seed: 1,
            threads: 1,
        };
        // No estimate limits: only the stored-values check can refuse.
        let (r, n) = checks_of(|| Run::new(&s, &runs).limits(Limits::none()).summary());
        let e = r.unwrap_err();
        assert!(is_stored_limit(&e), "{e}");
        assert_eq!(n, 1);
        // With the default limits it still comes first, before the
        // estimate, as before.
        let (r, n) = checks_of(|| run(&s, &runs));
        let e = r.unwrap_err();
        assert!(is_stored_limit(&e), "{e}");
        assert_eq!(n, 1);
        let (r, n) = checks_of(|| run_shard(&s, 1, 0..over));
        let e = r.unwrap_err();
        assert!(is_stored_limit(&e), "{e}");
        assert_eq!(n, 1);
        let (r, n) = checks_of(|| run_plan(&plan, 1, 0..over, 1, None));
        let e = r.unwrap_err();
        assert!(is_stored_limit(&e), "{e}");
        assert_eq!(n, 1);
        // One fewer replication's values are within the limit.
        assert!(check_stored(over - 1, metrics as usize).is_ok());
    }
}
