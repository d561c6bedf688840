//! The work and memory a run will take, estimated before it starts, and
//! the limits above which a run is refused unless the caller lifts them.
//!
//! # Method
//!
//! Both figures come from the scenario's sizes, not from a pilot run (a
//! single replication of the largest valid scenario takes hours):
//!
//! - **Work per replication**, in events of [`NANOS_PER_EVENT`] each, rule
//!   by rule, from what each rule's handler does:
//!   - each detainee is boarded, moved, admitted and released (4 events)
//!     and passes each court stage (2 per stage), plus one for each timer
//!     the scenario gives it (death in custody, repatriation, the end of
//!     a sentence) and one for an escape;
//!   - each departure (the phases' spans over their mean intervals) and
//!     each security incident (rate × horizon) is an event;
//!   - each relocation scans every boarded transferee's record (unless it
//!     moves background inmates only; [`SCAN_EVENTS`] each) and moves up
//!     to `count` of the people inside `from` ([`MOVE_EVENTS`] each: a
//!     random draw and a move in a large array), bounded by the
//!     transferees plus the background inmates the facilities can hold
//!     over the horizon;
//!   - background turnover is drawn in aggregate for every facility at
//!     each end-of-day record, each arrival (when placement reads
//!     occupancy), each relocation and each departure admitted up to
//!     capacity ([`SYNC_EVENTS`] per facility and draw); admissions cost
//!     no work per person;
//!   - each day adds one record per daily series, facility and stage;
//!   - version 3: each other court case (rule 20; rate × the days from
//!     `from` to the horizon, at every stage that has them) is
//!     [`OTHER_CASE_EVENTS`]; each facility with an overflow rule is
//!     checked every evening (one event) and each transferee may be moved
//!     once by it ([`MOVE_EVENTS`]); an appeal adds its queue and review
//!     per transferee (2 events), deportation its timer (1); a release
//!     order moves up to `count` people ([`MOVE_EVENTS`] each), like a
//!     relocation of background inmates.
//!
//!   Time is that work × [`NANOS_PER_EVENT`] per replication, divided by
//!   the worker threads. Calibrated on the baseline (1.35 ms per
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
//!
//! Every command that runs replications estimates its whole work up front
//! with [`estimate_runs`] (the total replications it will run, however it
//! spreads them) and applies the same [`Limits`].

use serde::{Deserialize, Serialize};

use super::runner::{ROWS_CAP, Runs, max_threads};
use crate::error::Error;
use crate::model::{Layout, Plan};
use crate::scenario::{Admission, Policy, Scenario, Who};

/// Nanoseconds of one core per simulated event, for [`RunCost::seconds`].
pub const NANOS_PER_EVENT: f64 = 25.0;

/// Events of work to scan one transferee's record in a relocation (a
/// sequential read of 16 bytes and a test).
pub const SCAN_EVENTS: f64 = 0.125;

/// Events of work to move one person in a relocation: a uniform draw and a
/// removal from a large array, a cache miss each when the facility is
/// large.
pub const MOVE_EVENTS: f64 = 2.0;

/// Events of work to bring one facility's background turnover up to date
/// (two or three binomial and Poisson draws).
pub const SYNC_EVENTS: f64 = 3.0;

/// Events of work for one other court case (rule 20): its arrival gap and
/// service draws, and the arrival and end of service in its stage's lane
/// (kept out of the calendar unless a transferee waits). Measured: the
/// 29,000 other cases of the `v3-all-rules` bench cost about twice a
/// `baseline` replication, some 3 events each.
pub const OTHER_CASE_EVENTS: f64 = 3.0;

/// Bytes of one worker's workspace per detainee (see [`RunCost`]).
const WORKSPACE_BYTES_PER_DETAINEE: u64 = 64;

/// What a run is expected to cost, before it starts: memory and time.
///
/// Not a statistical estimate (a value with its interval, which is
/// [`crate::decide::Estimate`]): a forecast of resources, named so.
///
/// Both figures come from the scenario's sizes, not from a pilot run.
/// Work per replication: every rule that costs time, in events of
/// [`NANOS_PER_EVENT`] ([`events_per_replication`]; the module docs say
/// what each rule costs); time is that work per replication, divided by
/// the worker threads (an order of magnitude, meant to catch runs of
/// days). Memory: the stored metric values (16 bytes each), the daily
/// series' accumulators (at most
/// [`MAX_BYTES_PER_SERIES_DAY`](crate::stats::MAX_BYTES_PER_SERIES_DAY) per
/// series-day, about two per worker thread plus one, and together at most
/// two exact pairs of 8 bytes per series-day and replication), and 64
/// bytes per detainee per worker.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunCost {
    /// Peak memory of the run, an upper bound \[bytes\].
    pub memory_bytes: u64,
    /// Work of one replication, in events of [`NANOS_PER_EVENT`] \[events\].
    pub events_per_replication: u64,
    /// Wall-clock time on the run's threads \[s\], an order of magnitude.
    pub seconds: f64,
    /// Worker threads the estimate assumes.
    pub threads: usize,
}

/// Limits above which a [`Run`](super::Run) (and a caller that
/// checks [`Limits::check`]) refuses a run; [`Limits::default`] is what
/// [`run`](super::run()), a [`Run`](super::Run) not given others
/// and [`run_shard`](super::run_shard) apply, [`Limits::none`] lifts them.
/// [`run_plan`](super::run_plan), [`run_until`](super::run_until) and
/// sweeps do not check them: a caller estimates first.
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

    /// Refuses an estimate above the limits: its time first (what every
    /// command's work has), then its memory.
    ///
    /// # Errors
    ///
    /// [`Error::Limit`] naming the figure, the estimate and the limit.
    pub fn check(&self, e: &RunCost) -> Result<(), Error> {
        if e.seconds > self.max_seconds {
            return Err(Error::Limit {
                what: format!(
                    "estimated run time [s] ({} events per replication on {} threads)",
                    e.events_per_replication, e.threads
                ),
                value: e.seconds.ceil() as u128,
                limit: self.max_seconds.ceil() as u128,
                hint: "do less work (fewer replications, samples, particles or values tried), \
                       or split a run into shards on several machines (or lift the limit)"
                    .into(),
            });
        }
        if e.memory_bytes > self.max_memory_bytes {
            return Err(Error::Limit {
                what: "estimated memory of the run [bytes]".into(),
                value: u128::from(e.memory_bytes),
                limit: u128::from(self.max_memory_bytes),
                hint: "run fewer replications or threads, a shorter horizon or fewer \
                       facilities (shards share out the time, not the memory: their merge \
                       keeps every replication's metric values), or lift the limit"
                    .into(),
            });
        }
        Ok(())
    }
}

/// The work of one replication of `s`, in events of [`NANOS_PER_EVENT`]
/// (see the module docs for what each rule costs).
pub fn events_per_replication(s: &Scenario) -> u64 {
    work(s, Layout::new(s).series().len())
}

/// [`events_per_replication`] of `s`, which has `series` daily series.
fn work(s: &Scenario, series: usize) -> u64 {
    let series = series as f64;
    let h = f64::from(s.horizon_days);
    let detainees = s.total_detainees() as f64;
    let stages = s.court.stages.len() as f64;
    let facilities = s.facilities.len() as f64;
    // Per detainee: the four transfer and custody events, two per stage,
    // one per timer it may get, one for an escape.
    let mut per_detainee = 4.0 + 2.0 * stages;
    if s.custody.mortality_per_year > 0.0 {
        per_detainee += 1.0;
    }
    if s.groups.iter().any(|g| g.repatriation.probability > 0.0) {
        per_detainee += 1.0;
    }
    if s.court.sentences.iter().any(|x| x.exit.is_some()) {
        per_detainee += 1.0;
    }
    if s.transfer.escape.is_some() {
        per_detainee += 1.0;
    }
    // Departures: each phase's span within the horizon over its mean
    // interval (validation bounds both).
    let phases = &s.transfer.phases;
    let mut departures = 0.0;
    for (i, p) in phases.iter().enumerate() {
        let from = s.day(p.from);
        let end = phases.get(i + 1).map_or(h, |n| s.day(n.from).min(h));
        let mean = p.interval_days.mean();
        if mean > 0.0 && end > from {
            departures += (end - from) / mean + 1.0;
        }
    }
    let incidents = s
        .transfer
        .escape
        .as_ref()
        .map_or(0.0, |e| e.incident_rate_per_day.max(0.0) * h);
    // Background inmates the facilities can hold over the horizon: those
    // inside on day 0 and every admission.
    let background: f64 = s
        .facilities
        .iter()
        .map(|f| {
            f.initial_occupancy as f64
                + f.background.as_ref().map_or(0.0, |b| {
                    // The highest rate of its schedule, throughout.
                    b.schedule
                        .iter()
                        .map(|c| c.admissions_per_day)
                        .fold(b.admissions_per_day, f64::max)
                        .max(0.0)
                        * h
                })
        })
        .sum();
    let mut relocation = 0.0;
    let mut relocations = 0.0;
    for r in &s.relocations {
        if s.day(r.day) > h {
            continue;
        }
        relocations += 1.0;
        let (scan, inside) = match r.who {
            Who::Background => (0.0, background),
            Who::Transferees => (detainees, detainees),
            Who::Any => (detainees, detainees + background),
        };
        relocation += 1.0 + scan * SCAN_EVENTS + (r.count as f64).min(inside) * MOVE_EVENTS;
    }
    let turning = s
        .facilities
        .iter()
        .filter(|f| f.background.is_some())
        .count() as f64;
    let mut syncs = h + relocations;
    if s.allocation.policy != Policy::Proportional {
        syncs += departures;
    }
    if s.transfer.admission == Admission::UpToCapacity {
        syncs += departures;
    }
    let changes = s
        .facilities
        .iter()
        .map(|f| f.expansions.len())
        .chain(s.court.stages.iter().map(|st| st.schedule.len()))
        .sum::<usize>() as f64;
    let records = h * (series + facilities + stages);
    let events = detainees * per_detainee
        + departures
        + incidents
        + relocation
        + turning * syncs * SYNC_EVENTS
        + changes
        + records
        + version3(s, h, detainees, background);
    if events.is_finite() {
        // Saturates at u64::MAX.
        events.ceil() as u64
    } else {
        u64::MAX
    }
}

/// The work of the version 3 rules (see the module docs), in events.
fn version3(s: &Scenario, h: f64, detainees: f64, background: f64) -> f64 {
    let other_cases: f64 = s
        .court
        .stages
        .iter()
        .filter_map(|st| st.other_cases.as_ref())
        .map(|o| o.per_day.max(0.0) * (h - s.day(o.from)).max(0.0))
        .sum();
    let overflowing = s.facilities.iter().filter(|f| f.overflow.is_some()).count() as f64;
    let overflow = if overflowing > 0.0 {
        overflowing * h + detainees * MOVE_EVENTS
    } else {
        0.0
    };
    let mut per_detainee = 0.0;
    if s.court.appeal.is_some() {
        per_detainee += 2.0;
    }
    if s.groups.iter().any(|g| g.deportation.is_some()) {
        per_detainee += 1.0;
    }
    let released: f64 = s
        .releases
        .iter()
        .filter(|r| s.day(r.day) <= h)
        .map(|r| 1.0 + (r.count as f64).min(detainees + background) * MOVE_EVENTS)
        .sum();
    other_cases * OTHER_CASE_EVENTS + overflow + detainees * per_detainee + released
}

/// The memory and time `runs` of `plan` will take, with daily series (as
/// [`run`](super::run()) and [`run_plan`](super::run_plan) keep them).
pub fn estimate(plan: &Plan, runs: &Runs) -> RunCost {
    let scenario = plan.scenario();
    let layout = plan.layout();
    let threads = match runs.threads {
        0 => rayon::current_num_threads(),
        t => t.min(max_threads()),
    }
    .max(1);
    let detainees = scenario.total_detainees();
    let series_days = layout.series().len() as u64 * u64::from(layout.horizon_days());
    let events = work(scenario, layout.series().len());
    let n = runs.replications;
    let metrics = layout.metrics().len() as u64;
    let stored = n.saturating_mul(metrics.saturating_mul(16).saturating_add(32));
    let accumulators = 2 * threads as u64 + 1;
    let series = crate::stats::accumulators_bytes(series_days, n, accumulators);
    // Each worker's buffer of daily series awaiting their fold: up to
    // `ROWS_CAP` values of 4 bytes, or one replication's if larger.
    let batch = (4 * ROWS_CAP as u64).max(series_days.saturating_mul(4));
    let workspaces = detainees
        .saturating_mul(WORKSPACE_BYTES_PER_DETAINEE)
        .saturating_add(batch)
        .saturating_mul(threads as u64);
    RunCost {
        memory_bytes: stored.saturating_add(series).saturating_add(workspaces),
        events_per_replication: events,
        seconds: n as f64 * events as f64 * NANOS_PER_EVENT * 1e-9 / threads as f64,
        threads,
    }
}

/// The estimate of a command's whole work: `runs.replications`
/// replications of `scenario` in all, however the command spreads them
/// (cells of a sweep, particles of a calibration, points of a sensitivity
/// design, values tried by a search), on `runs.threads` threads. The
/// memory figure is that of one run of them all, an upper bound for a
/// command that keeps less. Every command checks this against [`Limits`]
/// before it starts.
///
/// # Errors
///
/// [`Error::Scenario`] if `scenario` is not valid.
///
/// # Example: the work of a calibration of 100,000 simulations
///
/// ```
/// use custody_sim::{montecarlo::{estimate_runs, Limits, Runs}, presets};
///
/// let runs = Runs { replications: 100_000, seed: 1, threads: 4 };
/// let e = estimate_runs(&presets::baseline(), &runs)?;
/// assert!(Limits::default().check(&e).is_ok());
/// let huge = Runs { replications: 100_000_000, ..runs };
/// assert!(Limits::default().check(&estimate_runs(&presets::baseline(), &huge)?).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn estimate_runs(scenario: &Scenario, runs: &Runs) -> Result<RunCost, Error> {
    Ok(estimate(&Plan::new(scenario)?, runs))
}
