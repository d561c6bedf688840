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
/// 8 hours); use [`run_with`] to set other limits.
///
/// # Errors
///
/// [`Error::Scenario`] if the scenario is invalid; [`Error::Limit`] if the
/// run is above the limits; [`Error::Threads`] if a thread pool cannot be
/// built.
pub fn run(scenario: &Scenario, runs: &Runs) -> Result<Summary, Error> {
    run_with_progress(scenario, runs, &|_, _| {})
}

/// As [`run`], calling `progress(done, total)` as replications finish.
///
/// # Errors
///
/// As [`run`].
pub fn run_with_progress(
    scenario: &Scenario,
    runs: &Runs,
    progress: Progress<'_>,
) -> Result<Summary, Error> {
    run_with(scenario, runs, &Limits::default(), Some(progress))
}

/// As [`run_with_progress`], but first estimates the run (see
/// [`estimate`]) and refuses it above `limits`.
///
/// # Errors
///
/// [`Error::Limit`] if the estimate is above `limits`; otherwise as
/// [`run`].
///
/// # Example: a run the default limits accept
///
/// ```
/// use custody_sim::{montecarlo::{run_with, Limits, Runs}, presets};
///
/// let runs = Runs { replications: 10, seed: 1, threads: 0 };
/// let s = run_with(&presets::baseline(), &runs, &Limits::default(), None)?;
/// assert_eq!(s.replications, 10);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_with(
    scenario: &Scenario,
    runs: &Runs,
    limits: &Limits,
    progress: Option<Progress<'_>>,
) -> Result<Summary, Error> {
    let plan = Plan::new(scenario)?;
    admit(&plan, runs, limits)?;
    Ok(on_workers(
        &plan,
        runs.seed,
        0..runs.replications,
        runs.threads,
        progress,
    )?
    .summary())
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
        let (r, n) = checks_of(|| run_with(&s, &runs, &Limits::none(), None));
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
        let (r, n) = checks_of(|| run_with(&s, &runs, &Limits::none(), None));
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
