//! Many replications: the rayon-parallel runner, shards that merge exactly,
//! and a precision target.
//!
//! ```text
//!  replications 0..n ──► chunks on rayon workers ──► Shard (values by index,
//!   (replication i: random stream f(seed, i))          exact series sums
//!                                                       and histograms)
//!  shards a..b, b..c, … ──► Shard::merge (any order) ──► Shard::summary ──► Summary
//! ```
//!
//! # Random streams
//!
//! Every draw comes from ChaCha8 (`rand::rngs::ChaCha8Rng`), a
//! counter-based generator whose output is fixed by its specification
//! (unlike `StdRng`, whose algorithm may change between rand releases),
//! and which jumps to any of 2^64 streams in constant time. The master seed
//! keys the generator; replication `i` uses stream (nonce) `i`, so its
//! draws depend only on `(seed, i)`, whatever thread runs it and whatever
//! ran before. Inside a replication each process has its own region of that
//! stream (2^56 words each): the transfer timetable, convoy sizes, transit
//! times, boarding, escapes, allocation, verdicts, each court stage's
//! service and each group's repatriation. Changing one lever leaves the
//! others' draws as they were (common random numbers), which is what makes
//! the paired differences of a [`crate::sweep`] sharp. Convoy sizes and
//! transit times are drawn for every scheduled departure, even one a pause
//! or a cap skips, so the k-th departure keeps its draws across scenarios.
//!
//! # Reproducibility
//!
//! Bit-identical results hold for one build (the same `Cargo.lock`) on one
//! platform: the samplers use floating-point functions (`ln`, `exp`) that
//! Rust does not promise to round alike everywhere, and a new release of
//! rand_distr may change how a distribution is sampled. Shards record the
//! custody-sim version and refuse to merge across versions; merge shards
//! made by the same build.
//!
//! A [`Summary`] is a pure function of scenario, seed and replication set:
//! bit-identical with 1 or 16 threads, and shards covering `0..n` merge, in
//! any order, into the same summary as one run of `n` (see [`crate::stats`]
//! for why).

use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Error;
use crate::model::{Plan, Workspace};
use crate::scenario::{Scenario, ScenarioErrors};
use crate::stats::{MetricStats, SeriesAcc, SeriesBands};

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
    /// `RAYON_NUM_THREADS`). The result does not depend on it.
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

/// Format number of shard files; bumped when the layout changes.
const SHARD_FORMAT: u32 = 1;

/// The partial result of replications over one or more index ranges: what
/// a shard file holds, and what merges.
///
/// # Example: two shards make one run
///
/// ```
/// use custody_sim::{montecarlo::{run, run_shard, Runs}, presets};
///
/// let s = presets::baseline();
/// let mut a = run_shard(&s, 3, 5..10)?;
/// let b = run_shard(&s, 3, 0..5)?;
/// a.merge(b)?;
/// let whole = run(&s, &Runs { replications: 10, seed: 3, threads: 1 })?;
/// assert_eq!(a.summary(), whole);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shard {
    format: u32,
    version: String,
    scenario_sha256: String,
    scenario: Scenario,
    seed: u64,
    /// Covered replication ranges, sorted, disjoint, adjacent ones joined.
    ranges: Vec<(u64, u64)>,
    metric_names: Vec<String>,
    series_names: Vec<String>,
    /// Per replication, sorted by index: metric values in layout order.
    values: Vec<(u64, Vec<Option<f64>>)>,
    series: SeriesAcc,
}

/// SHA-256 of the scenario's canonical TOML form, in hex.
pub fn scenario_sha256(s: &Scenario) -> String {
    let digest = Sha256::digest(s.to_toml_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn mismatch(message: String) -> Error {
    Error::Scenario(ScenarioErrors::one("", message))
}

impl Shard {
    /// An empty shard of `plan`; `series: false` keeps metrics only (what
    /// a sweep reports), which saves the daily series' accumulators.
    fn empty(plan: &Plan, seed: u64, series: bool) -> Shard {
        let layout = plan.layout();
        let series_names = if series {
            layout.series().to_vec()
        } else {
            Vec::new()
        };
        Shard {
            format: SHARD_FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            scenario_sha256: scenario_sha256(plan.scenario()),
            scenario: plan.scenario().clone(),
            seed,
            ranges: Vec::new(),
            metric_names: layout.metrics().to_vec(),
            series: SeriesAcc::new(series_names.len(), layout.horizon_days() as usize),
            series_names,
            values: Vec::new(),
        }
    }

    /// Appends a shard whose replications all come after this one's (the
    /// order rayon's reduce keeps); otherwise merges.
    fn append(&mut self, other: Shard) -> Result<(), Error> {
        let after = match (self.values.last(), other.values.first()) {
            (Some(a), Some(b)) => a.0 < b.0,
            _ => true,
        };
        if !after {
            return self.merge(other);
        }
        self.ranges.extend(other.ranges);
        self.ranges = join_ranges(std::mem::take(&mut self.ranges));
        self.values.extend(other.values);
        self.series.merge(&other.series);
        Ok(())
    }

    /// Checks a shard read from a file: everything [`Shard::merge`] and
    /// [`Shard::summary`] rely on, so that a damaged or hand-edited file is
    /// an error, never a panic or a wrong result.
    pub(crate) fn check_integrity(&self) -> Result<(), String> {
        if self.format != SHARD_FORMAT {
            return Err(format!(
                "shard format {} is not the supported format {SHARD_FORMAT}",
                self.format
            ));
        }
        self.scenario
            .validate()
            .map_err(|e| format!("the scenario it holds is invalid: {e}"))?;
        if scenario_sha256(&self.scenario) != self.scenario_sha256 {
            return Err("its scenario does not match its scenario_sha256 (edited?)".into());
        }
        let layout = crate::model::Layout::new(&self.scenario);
        if self.metric_names != layout.metrics()
            || !(self.series_names.is_empty() || self.series_names == layout.series())
        {
            return Err("its metric or series names do not match its scenario".into());
        }
        if self.ranges.iter().any(|&(a, b)| a >= b)
            || self.ranges.windows(2).any(|w| w[0].1 >= w[1].0)
        {
            return Err("its replication ranges are not sorted, disjoint and non-empty".into());
        }
        let covered: u64 = self.ranges.iter().map(|&(a, b)| b - a).sum();
        let mut ranges = self.ranges.iter().peekable();
        let mut prev = None;
        for (i, row) in &self.values {
            if prev.is_some_and(|p| p >= *i) || row.len() != self.metric_names.len() {
                return Err(format!(
                    "its values of replication {i} are out of order or of the wrong length"
                ));
            }
            while ranges.peek().is_some_and(|&&(_, b)| b <= *i) {
                ranges.next();
            }
            if ranges.peek().is_none_or(|&&(a, _)| a > *i) {
                return Err(format!("it holds replication {i}, outside its ranges"));
            }
            prev = Some(*i);
        }
        if covered != self.values.len() as u64 {
            return Err(format!(
                "its ranges cover {covered} replications but it holds {}",
                self.values.len()
            ));
        }
        self.series.check(
            self.series_names.len(),
            self.scenario.horizon_days as usize,
            self.values.len() as u64,
        )
    }

    /// The scenario the shard ran.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The master seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Covered replication index ranges, sorted and disjoint.
    pub fn ranges(&self) -> Vec<Range<u64>> {
        self.ranges.iter().map(|&(a, b)| a..b).collect()
    }

    /// Number of replications covered.
    pub fn replications(&self) -> u64 {
        self.values.len() as u64
    }

    /// Whether the shard covers exactly `0..n` for some `n` (what a single
    /// run of `n` replications covers).
    pub fn covers_from_zero(&self) -> bool {
        matches!(self.ranges.as_slice(), [] | [(0, _)])
    }

    /// Adds another shard of the same scenario, seed and version.
    ///
    /// Merging is exact and commutative: any order of merging the same
    /// shards gives the same shard.
    ///
    /// # Errors
    ///
    /// If the scenarios, seeds or versions differ, or the ranges overlap.
    pub fn merge(&mut self, other: Shard) -> Result<(), Error> {
        check_stored(
            (self.values.len() + other.values.len()) as u64,
            self.metric_names.len(),
        )?;
        if other.format != self.format || other.version != self.version {
            return Err(mismatch(format!(
                "shards from different versions (format {} of {}, format {} of {})",
                self.format, self.version, other.format, other.version
            )));
        }
        if other.scenario_sha256 != self.scenario_sha256 {
            return Err(mismatch(format!(
                "shards of different scenarios ({:?} sha256 {}, {:?} sha256 {})",
                self.scenario.name,
                self.scenario_sha256,
                other.scenario.name,
                other.scenario_sha256
            )));
        }
        if other.seed != self.seed {
            return Err(mismatch(format!(
                "shards of different seeds ({} and {})",
                self.seed, other.seed
            )));
        }
        if !self.series.compatible(&other.series)
            || other.metric_names != self.metric_names
            || other.series_names != self.series_names
        {
            return Err(mismatch(
                "shards with different metric or series layouts".into(),
            ));
        }
        for &(a, b) in &other.ranges {
            if let Some(&(c, d)) = self.ranges.iter().find(|&&(c, d)| a < d && c < b) {
                return Err(mismatch(format!(
                    "shards overlap: replications {a}..{b} and {c}..{d}"
                )));
            }
        }
        self.ranges.extend(other.ranges);
        self.ranges = join_ranges(std::mem::take(&mut self.ranges));
        let mut values = Vec::with_capacity(self.values.len() + other.values.len());
        let (mut x, mut y) = (
            std::mem::take(&mut self.values).into_iter().peekable(),
            other.values.into_iter().peekable(),
        );
        loop {
            let take_x = match (x.peek(), y.peek()) {
                (Some(a), Some(b)) => a.0 < b.0,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            values.extend(if take_x { x.next() } else { y.next() });
        }
        self.values = values;
        self.series.merge(&other.series);
        Ok(())
    }

    /// The values of metric `i` (layout order) in replication-index order,
    /// skipping replications where it had none.
    fn column(&self, i: usize) -> Vec<f64> {
        self.values.iter().filter_map(|(_, v)| v[i]).collect()
    }

    /// Paired values of metric `i` by replication index.
    pub(crate) fn column_by_index(
        &self,
        i: usize,
    ) -> impl Iterator<Item = (u64, Option<f64>)> + '_ {
        self.values.iter().map(move |(r, v)| (*r, v[i]))
    }

    /// Statistics over every covered replication.
    pub fn summary(&self) -> Summary {
        let metrics = self
            .metric_names
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), MetricStats::from_values(&self.column(i))))
            .collect();
        let series = self
            .series_names
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), self.series.bands(i)))
            .collect();
        Summary {
            scenario: self.scenario.name.clone(),
            version: self.version.clone(),
            scenario_sha256: self.scenario_sha256.clone(),
            start_date: self.scenario.start_date.to_string(),
            horizon_days: self.scenario.horizon_days,
            seed: self.seed,
            replications: self.replications(),
            metrics,
            series,
        }
    }

    /// Writes the shard as JSON to `path`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let text = serde_json::to_string(self)
            .map_err(|e| mismatch(format!("cannot serialise shard: {e}")))?;
        std::fs::write(path, text).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads a shard written by [`Shard::write`].
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if unreadable, [`Error::Scenario`] naming the file if it
    /// is not a shard.
    pub fn read(path: impl AsRef<Path>) -> Result<Shard, Error> {
        let path = path.as_ref();
        let text = Error::read_text(path)?;
        let shard: Shard = serde_json::from_str(&text).map_err(|e| {
            mismatch(format!(
                "{}: not a custody-sim shard file: {e}",
                path.display()
            ))
        })?;
        shard.check_integrity().map_err(|e| {
            mismatch(format!(
                "{}: a damaged custody-sim shard file: {e}",
                path.display()
            ))
        })?;
        Ok(shard)
    }
}

fn join_ranges(mut r: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    r.retain(|&(a, b)| a < b);
    r.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(r.len());
    for (a, b) in r {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// What a run of replications reports: statistics of every metric and
/// bands of every daily series, under MODEL.md's names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// custody-sim version that computed it.
    pub version: String,
    /// SHA-256 of the scenario's canonical TOML.
    pub scenario_sha256: String,
    /// Calendar date of day 0 (`YYYY-MM-DD`).
    pub start_date: String,
    /// Horizon \[days\]; series have this many days.
    pub horizon_days: u32,
    /// Master seed.
    pub seed: u64,
    /// Replications run.
    pub replications: u64,
    /// Each metric's statistics, in layout order.
    pub metrics: Vec<(String, MetricStats)>,
    /// Each daily series' bands (days 1..=horizon), in layout order.
    pub series: Vec<(String, SeriesBands)>,
}

impl Summary {
    /// Statistics of metric `name`.
    pub fn metric(&self, name: &str) -> Option<&MetricStats> {
        self.metrics.iter().find(|(n, _)| n == name).map(|(_, m)| m)
    }

    /// Bands of series `name`.
    pub fn series(&self, name: &str) -> Option<&SeriesBands> {
        self.series.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }
}

/// Runs `f` on a pool of `threads` threads (0: the current pool).
pub(crate) fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> Result<T, Error> {
    if threads == 0 {
        return Ok(f());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Threads(e.to_string()))?;
    Ok(pool.install(f))
}

/// Refuses runs whose stored metric values would exceed
/// [`limits::MAX_STORED_VALUES`](crate::limits::MAX_STORED_VALUES).
pub(crate) fn check_stored(replications: u64, metrics: usize) -> Result<(), Error> {
    let values = replications.saturating_mul(metrics as u64);
    if values > crate::limits::MAX_STORED_VALUES {
        return Err(mismatch(format!(
            "{replications} replications of {metrics} metrics make {values} stored values, more than the limit of {:e}; run fewer replications",
            crate::limits::MAX_STORED_VALUES as f64
        )));
    }
    Ok(())
}

/// Runs replications `range` of `plan` on `threads` threads (0: rayon's
/// default pool).
///
/// Each worker keeps one [`Workspace`] and one accumulator for the
/// replications it runs; accumulators merge as workers finish, so memory
/// for the daily series does not grow with the number of replications.
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
    let chunk = (total / (4 * rayon::current_num_threads() as u64)).clamp(1, 64);
    let chunks = total.div_ceil(chunk);
    (0..chunks)
        .into_par_iter()
        .fold(
            || (Workspace::default(), template.clone()),
            |(mut ws, mut acc), c| {
                let a = range.start + c * chunk;
                let b = (a + chunk).min(range.end);
                for i in a..b {
                    let out = plan.replicate_in(&mut ws, seed, i);
                    if series {
                        acc.series.add(out.series_flat());
                    }
                    acc.values.push((i, out.values().to_vec()));
                    if let Some(p) = progress {
                        p(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                    }
                }
                acc.ranges.push((a, b));
                acc.ranges = join_ranges(std::mem::take(&mut acc.ranges));
                (ws, acc)
            },
        )
        .map(|(_, acc)| Ok(acc))
        .reduce(
            || Ok(template.clone()),
            |l: Result<Shard, Error>, r: Result<Shard, Error>| {
                let mut l = l?;
                l.append(r?)?;
                Ok(l)
            },
        )
}

/// Runs `runs.replications` replications of `scenario` and summarises them.
///
/// # Errors
///
/// [`Error::Scenario`] if the scenario is invalid; [`Error::Threads`] if a
/// thread pool cannot be built.
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
    let plan = Plan::new(scenario)?;
    Ok(run_plan(
        &plan,
        runs.seed,
        0..runs.replications,
        runs.threads,
        Some(progress),
    )?
    .summary())
}

/// Runs replications `range` (for example `250..500`) of master seed `seed`
/// as one shard, on all cores. Shards covering `0..n` merge into exactly
/// the summary of a run of `n`.
///
/// # Errors
///
/// As [`run`].
pub fn run_shard(scenario: &Scenario, seed: u64, range: Range<u64>) -> Result<Shard, Error> {
    let plan = Plan::new(scenario)?;
    run_plan(&plan, seed, range, 0, None)
}

/// A precision target: run until the 95% confidence interval of `metric`
/// has a half-width at most `half_width`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Precision {
    /// The metric to watch, by name.
    pub metric: String,
    /// Target half-width of its 95% CI, in the metric's units.
    pub half_width: f64,
    /// Replications added per round (at least 2).
    pub block: u64,
}

/// Runs replications in blocks of `target.block` until `target.metric`'s
/// 95% CI half-width is at most `target.half_width`, or
/// `runs.replications` have run (the cap).
///
/// The stopping point is a function of the results, which are a function
/// of the seed: the same call stops at the same count, and the summary
/// equals [`run`] with that many replications.
///
/// # Errors
///
/// As [`run`], and [`Error::Scenario`] if the metric is unknown or the
/// target is not a positive number.
///
/// # Example: a tight estimate of the time to verdict
///
/// ```
/// use custody_sim::{montecarlo::{run_until, Precision, Runs}, presets};
///
/// let target = Precision { metric: "mean_days_to_verdict".into(), half_width: 2.0, block: 10 };
/// let s = run_until(&presets::baseline(), &Runs { replications: 200, seed: 1, threads: 0 }, &target)?;
/// let m = s.metric("mean_days_to_verdict").unwrap();
/// assert!(m.ci95_high.unwrap() - m.mean.unwrap() <= 2.0 || s.replications == 200);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_until(scenario: &Scenario, runs: &Runs, target: &Precision) -> Result<Summary, Error> {
    let plan = Plan::new(scenario)?;
    let Some(col) = plan.layout().metric_index(&target.metric) else {
        return Err(mismatch(format!(
            "precision target: no metric named {:?}",
            target.metric
        )));
    };
    if !(target.half_width.is_finite() && target.half_width > 0.0) {
        return Err(mismatch(format!(
            "precision target: half-width must be a positive number, got {}",
            target.half_width
        )));
    }
    check_stored(runs.replications, plan.layout().metrics().len())?;
    let block = target.block.max(2);
    in_pool(runs.threads, || {
        let mut shard = Shard::empty(&plan, runs.seed, true);
        let mut n = 0;
        while n < runs.replications {
            let next = (n + block).min(runs.replications);
            shard.append(run_range(&plan, runs.seed, n..next, None, true)?)?;
            n = next;
            let stats = MetricStats::from_values(&shard.column(col));
            if stats
                .ci_half_width(0.95)
                .is_some_and(|h| h <= target.half_width)
            {
                break;
            }
        }
        Ok(shard.summary())
    })?
}
