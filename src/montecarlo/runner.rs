//! The runner: replications on rayon workers, accumulated into a shard.
//! It checks nothing and estimates nothing; the entry points of
//! [`run`](super::run) do, then call it.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::shard::{Shard, join_ranges};
use super::uncertain::Uncertain;
use crate::error::Error;
use crate::model::{Plan, Workspace};

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
    let uncertain = Uncertain::new(plan)?;
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
