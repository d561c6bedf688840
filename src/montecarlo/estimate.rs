//! The work and memory a run will take, estimated before it starts, and
//! the limits above which a run is refused unless the caller lifts them.
//!
//! # Method
//!
//! Both figures come from the scenario's sizes, not from a pilot run (a
//! single replication of the largest valid scenario takes minutes):
//!
//! - **Events per replication**: each detainee is boarded, moved, admitted
//!   and released (4 events) and passes each court stage (an arrival and
//!   a service, 2 events per stage); each day adds one snapshot per daily
//!   series. Time is events × [`NANOS_PER_EVENT`] per replication, divided
//!   by the worker threads. Calibrated on the baseline (1.35 ms per
//!   replication on one core of the reference machine); it is an order of
//!   magnitude, meant to catch runs of days, not to time a run.
//! - **Memory**: the stored metric values (replications × metrics, 16
//!   bytes each, and 32 per replication), the daily series' accumulators
//!   (at most [`MAX_BYTES_PER_SERIES_DAY`](crate::stats::MAX_BYTES_PER_SERIES_DAY) per series-day each, about two
//!   per worker thread plus one, and together at most two exact pairs of
//!   8 bytes per series-day and replication), and each worker's workspace (64 bytes
//!   per detainee) and buffer of daily series awaiting their fold (2 MiB,
//!   or one replication's series if larger). An upper bound of what the runner holds, within a
//!   small constant.

use serde::{Deserialize, Serialize};

use super::runner::{Progress, Runs, max_threads, run_plan};
use super::shard::Summary;
use crate::Error;
use crate::model::Plan;
use crate::scenario::Scenario;

/// Nanoseconds of one core per simulated event, for [`Estimate::seconds`].
pub const NANOS_PER_EVENT: f64 = 25.0;

/// Bytes of one worker's workspace per detainee (see [`Estimate`]).
const WORKSPACE_BYTES_PER_DETAINEE: u64 = 64;

/// What a run is expected to take, before it starts.
///
/// Both figures come from the scenario's sizes, not from a pilot run.
/// Events per replication: 4 per detainee (boarded, moved, admitted,
/// released), 2 per detainee and court stage, and one per series-day;
/// time is events × [`NANOS_PER_EVENT`] per replication, divided by the
/// worker threads (an order of magnitude, meant to catch runs of days).
/// Memory: the stored metric values (16 bytes each), the daily series'
/// accumulators (at most [`MAX_BYTES_PER_SERIES_DAY`](crate::stats::MAX_BYTES_PER_SERIES_DAY) per series-day, about
/// two per worker thread plus one, and together at most two exact pairs of
/// 8 bytes per series-day and replication), and 64 bytes per detainee per worker.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Peak memory of the run, an upper bound \[bytes\].
    pub memory_bytes: u64,
    /// Events simulated per replication \[events\].
    pub events_per_replication: u64,
    /// Wall-clock time on the run's threads \[s\], an order of magnitude.
    pub seconds: f64,
    /// Worker threads the estimate assumes.
    pub threads: usize,
}

/// Limits above which [`run_with`] (and a caller that checks
/// [`Limits::check`]) refuses a run; [`Limits::default`] is what
/// [`run`](super::run), [`run_with_progress`](super::run_with_progress) and
/// [`run_shard`](super::run_shard) apply, [`Limits::none`] lifts them.
/// [`run_plan`], [`run_until`](super::run_until) and sweeps do not check
/// them: a caller estimates first.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Most memory a run may need \[bytes\].
    pub max_memory_bytes: u64,
    /// Longest a run may be expected to take \[s\].
    pub max_seconds: f64,
}

impl Default for Limits {
    /// 8 GiB and 8 hours.
    fn default() -> Self {
        Limits {
            max_memory_bytes: 8 << 30,
            max_seconds: 8.0 * 3600.0,
        }
    }
}

impl Limits {
    /// No limits: every run is accepted.
    pub fn none() -> Limits {
        Limits {
            max_memory_bytes: u64::MAX,
            max_seconds: f64::INFINITY,
        }
    }

    /// Refuses an estimate above the limits.
    ///
    /// # Errors
    ///
    /// [`Error::Limit`] naming the figure, the estimate and the limit.
    pub fn check(&self, e: &Estimate) -> Result<(), Error> {
        if e.memory_bytes > self.max_memory_bytes {
            return Err(Error::Limit {
                what: "estimated memory of the run [bytes]".into(),
                value: u128::from(e.memory_bytes),
                limit: u128::from(self.max_memory_bytes),
                hint: "run fewer replications or threads, a shorter horizon or fewer \
                       facilities, or split the run into shards (or lift the limit)"
                    .into(),
            });
        }
        if e.seconds > self.max_seconds {
            return Err(Error::Limit {
                what: format!(
                    "estimated run time [s] ({} events per replication on {} threads)",
                    e.events_per_replication, e.threads
                ),
                value: e.seconds.ceil() as u128,
                limit: self.max_seconds.ceil() as u128,
                hint: "run fewer replications, or split the run into shards on several \
                       machines (or lift the limit)"
                    .into(),
            });
        }
        Ok(())
    }
}

/// The memory and time `runs` of `plan` will take, with daily series (as
/// [`run`](super::run) and [`run_plan`] keep them).
pub fn estimate(plan: &Plan, runs: &Runs) -> Estimate {
    let scenario = plan.scenario();
    let layout = plan.layout();
    let threads = match runs.threads {
        0 => rayon::current_num_threads(),
        t => t.min(max_threads()),
    }
    .max(1);
    let detainees = scenario.total_detainees();
    let stages = scenario.court.stages.len() as u64;
    let series_days = layout.series().len() as u64 * u64::from(layout.horizon_days());
    let events = detainees
        .saturating_mul(4 + 2 * stages)
        .saturating_add(series_days);
    let n = runs.replications;
    let metrics = layout.metrics().len() as u64;
    let stored = n.saturating_mul(metrics.saturating_mul(16).saturating_add(32));
    let accumulators = 2 * threads as u64 + 1;
    let series = crate::stats::accumulators_bytes(series_days, n, accumulators);
    // Each worker's buffer of daily series awaiting their fold: up to
    // `ROWS_CAP` values of 4 bytes, or one replication's if larger.
    let batch = (4 * super::runner::ROWS_CAP as u64).max(series_days.saturating_mul(4));
    let workspaces = detainees
        .saturating_mul(WORKSPACE_BYTES_PER_DETAINEE)
        .saturating_add(batch)
        .saturating_mul(threads as u64);
    Estimate {
        memory_bytes: stored.saturating_add(series).saturating_add(workspaces),
        events_per_replication: events,
        seconds: n as f64 * events as f64 * NANOS_PER_EVENT * 1e-9 / threads as f64,
        threads,
    }
}

/// As [`run`](super::run_with_progress), but first estimates the run (see
/// [`estimate`]) and refuses it above `limits`.
///
/// # Errors
///
/// [`Error::Limit`] if the estimate is above `limits`; otherwise as
/// [`run`](super::run).
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
    super::check_stored(runs.replications, plan.layout().metrics().len())?;
    limits.check(&estimate(&plan, runs))?;
    Ok(run_plan(
        &plan,
        runs.seed,
        0..runs.replications,
        runs.threads,
        progress,
    )?
    .summary())
}
