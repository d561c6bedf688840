//! The runner: replications on rayon workers, accumulated into a shard.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::shard::{Shard, Summary, join_ranges};
use crate::Error;
use crate::model::{Plan, Workspace};
use crate::scenario::Scenario;

/// How many replications to run, from which master seed, on how many
/// threads.
///
/// # Example
///
/// ```
/// use custody_sim::{montecarlo::{run, Runs}, presets};
///
/// let summary = run(&presets::baseline(), &Runs { replications: 20, seed: 7, threads: 0 })?;
/// let moved = summary.metric("transferred").unwrap();
/// assert_eq!(moved.n, 20);
/// assert!(moved.ci95_low.unwrap() <= moved.mean.unwrap());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Runs {
    /// Number of replications.
    pub replications: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads; 0 uses rayon's default (all cores, or
    /// `RAYON_NUM_THREADS`). More than [`max_threads`] are capped to it.
    /// The result does not depend on it.
    pub threads: usize,
}

impl Default for Runs {
    /// 1,000 replications, seed 1, all cores.
    fn default() -> Self {
        Runs {
            replications: 1000,
            seed: 1,
            threads: 0,
        }
    }
}

/// A progress callback: `(replications done, replications in total)`.
/// Called from worker threads.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Most worker threads per available core: [`Runs::threads`] above
/// [`max_threads`] is capped to it. Replications are CPU-bound, so more
/// threads than cores only add switching (4,096 threads made a 0.02 s run
/// take 33 s); the margin of 4 leaves room for a machine whose reported
/// parallelism is low (a container's CPU quota).
pub const MAX_THREADS_PER_CORE: usize = 4;

/// The most worker threads a run starts: [`MAX_THREADS_PER_CORE`] times
/// the available parallelism (`std::thread::available_parallelism`, 1 if
/// unknown).
pub fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    MAX_THREADS_PER_CORE * cores
}

/// Runs `f` on a pool of `threads` threads, capped at [`max_threads`] (0:
/// the current pool).
pub(crate) fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> Result<T, Error> {
    if threads == 0 {
        return Ok(f());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.min(max_threads()))
        .build()
        .map_err(Error::Threads)?;
    Ok(pool.install(f))
}

/// Refuses runs whose stored metric values would exceed
/// [`limits::MAX_STORED_VALUES`](crate::limits::MAX_STORED_VALUES).
pub(crate) fn check_stored(replications: u64, metrics: usize) -> Result<(), Error> {
    let values = replications.saturating_mul(metrics as u64);
    if values > crate::limits::MAX_STORED_VALUES {
        return Err(Error::Limit {
            what: format!("{replications} replications of {metrics} metrics: stored values"),
            value: u128::from(values),
            limit: u128::from(crate::limits::MAX_STORED_VALUES),
            hint: format!(
                "run at most {} replications of these {metrics} metrics (shards do not help: \
                 their merge keeps the same values), or fewer metrics (fewer groups, facilities \
                 or stages)",
                crate::limits::MAX_STORED_VALUES / (metrics.max(1) as u64)
            ),
        });
    }
    Ok(())
}

/// Runs replications `range` of `plan` on `threads` threads (0: rayon's
/// default pool).
///
/// Each worker keeps one [`Workspace`] and one accumulator for the
/// replications it runs; accumulators merge as workers finish, so memory
/// for the daily series does not grow with the number of replications.
/// A worker also holds the daily series of up to 64 replications (at most
/// 2 MiB, or one replication's if larger) to fold them into its
/// accumulator together, histogram by histogram, which keeps each
/// histogram in cache.
///
/// # Errors
///
/// [`Error::Threads`] if a thread pool cannot be built;
/// [`Error::Scenario`] if the run would store more than
/// [`limits::MAX_STORED_VALUES`](crate::limits::MAX_STORED_VALUES) values.
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
    in_pool(threads, || run_range(plan, seed, range, progress, true))?
}

/// Most daily-series values (4 bytes each) a worker holds before folding
/// them into its accumulator: 2 MiB, 64 replications of a two-year
/// scenario with 11 series. Folding a batch cell by cell keeps each
/// histogram in cache for all its values (see `SeriesAcc::add_rows`).
pub(crate) const ROWS_CAP: usize = 1 << 19;

/// Runs replications `range` in the current rayon pool.
pub(crate) fn run_range(
    plan: &Plan,
    seed: u64,
    range: Range<u64>,
    progress: Option<Progress<'_>>,
    series: bool,
) -> Result<Shard, Error> {
    let total = range.end.saturating_sub(range.start);
    let done = AtomicU64::new(0);
    let template = Shard::empty(plan, seed, series);
    let uncertain = super::uncertain::Uncertain::new(plan)?;
    let chunk = (total / (4 * rayon::current_num_threads() as u64)).clamp(1, 64);
    let chunks = total.div_ceil(chunk);
    // Per worker: its workspace, its accumulator, the daily series of the
    // chunk running (one replication after the other), and the first
    // error (by replication index) of a draw of `[uncertainty]`.
    type Acc = (Workspace, Shard, Vec<u32>, Option<(u64, Error)>);
    let first = |a: Option<(u64, Error)>, b: Option<(u64, Error)>| match (a, b) {
        (Some(x), Some(y)) => Some(if y.0 < x.0 { y } else { x }),
        (x, y) => x.or(y),
    };
    let (shard, err) = (0..chunks)
        .into_par_iter()
        .fold(
            || (Workspace::default(), template.clone(), Vec::new(), None),
            |(mut ws, mut acc, mut rows, mut err): Acc, c| {
                let a = range.start + c * chunk;
                let b = (a + chunk).min(range.end);
                if err.is_some() {
                    return (ws, acc, rows, err);
                }
                rows.clear();
                for i in a..b {
                    let values = match &uncertain {
                        None => plan.replicate_values(&mut ws, seed, i),
                        Some(u) => match u.plan(seed, i) {
                            Ok((p, used)) => {
                                let mut v = p.replicate_values(&mut ws, seed, i);
                                v.extend(used.into_iter().map(Some));
                                v
                            }
                            Err(e) => {
                                err = first(err, Some((i, e)));
                                return (ws, acc, rows, err);
                            }
                        },
                    };
                    let cells = acc.series.cells();
                    if series && ws.series().len() != cells {
                        // Not the layout's length (a drawn horizon):
                        // folded on its own, as the accumulator allows.
                        acc.series.add(ws.series());
                    } else if series {
                        rows.extend_from_slice(ws.series());
                        if rows.len() + cells > ROWS_CAP.max(cells) {
                            acc.series.add_rows(&rows, rows.len() / cells.max(1));
                            rows.clear();
                        }
                    }
                    acc.values.push((i, values));
                    if let Some(p) = progress {
                        p(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                    }
                }
                // The chunk's series, folded cell by cell (see
                // `SeriesAcc::add_rows`).
                if series && !rows.is_empty() {
                    let cells = acc.series.cells().max(1);
                    acc.series.add_rows(&rows, rows.len() / cells);
                    rows.clear();
                }
                acc.ranges.push((a, b));
                acc.ranges = join_ranges(std::mem::take(&mut acc.ranges));
                (ws, acc, rows, err)
            },
        )
        .map(|(_, acc, _, err)| (Ok(acc), err))
        .reduce(
            || (Ok(template.clone()), None),
            |(l, le): (Result<Shard, Error>, _), (r, re)| {
                let err = first(le, re);
                if err.is_some() {
                    return (Ok(template.clone()), err);
                }
                let merged = l.and_then(|mut l| {
                    l.append(r?)?;
                    Ok(l)
                });
                (merged, None)
            },
        );
    match err {
        Some((_, e)) => Err(e),
        None => shard,
    }
}

/// Runs `runs.replications` replications of `scenario` and summarises them.
///
/// Refuses a run whose [`estimate`](super::estimate) is above
/// [`Limits::default`](super::Limits) (8 GiB, 8 hours); use
/// [`run_with`](super::run_with) to set other limits.
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
    super::run_with(scenario, runs, &super::Limits::default(), Some(progress))
}

/// Runs replications `range` (for example `250..500`) of master seed `seed`
/// as one shard, on all cores. Shards covering `0..n` merge into exactly
/// the summary of a run of `n`. Refused above
/// [`Limits::default`](super::Limits), as [`run`].
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
    check_stored(runs.replications, plan.layout().metrics().len())?;
    super::Limits::default().check(&super::estimate(&plan, &runs))?;
    run_plan(&plan, seed, range, 0, None)
}
