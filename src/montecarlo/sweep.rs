//! Sweeps: a grid over parameter paths, every cell run on the same seeds,
//! with paired differences to the first cell.
//!
//! Each cell is the base scenario with one value per varied path (the
//! Cartesian product, the last path varying fastest). Every cell runs
//! replications `0..n` of the same master seed, and the random streams are
//! kept per process (see [`crate::montecarlo`]), so replication `i` of two
//! cells differs only through the levers that changed: common random
//! numbers. The difference of a metric between a cell and the reference
//! (the first cell) is then taken replication by replication, and its mean
//! has a much narrower confidence interval than the difference of two
//! independent means.
//!
//! A sweep is split into shards like a run: [`sweep_shard`] takes slice `k`
//! of `n` of the whole grid-times-replications work, and merged slices give
//! exactly the unsharded result.
//!
//! Cells may have different metric layouts (a list-valued parameter such
//! as `group=[…]` changes the groups, and so the metric names): paired
//! differences pair metrics by name, and a metric absent from the
//! reference cell has no difference.
//!
//! One parameter reached by two paths (`court.stage[0].servers` and
//! `court.stage[trial].servers`) is refused: paths are compared after
//! resolving list items named by `[name]` to their index.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::runner::{Progress, Runs, in_pool, run_range};
use super::sealed::{SealedFile, read_sealed, write_sealed};
use super::shard::{RecordedVariant, Shard, changes, check_stored, name_file};
use super::summary::Summary;
use crate::error::Error;
use crate::model::Plan;
use crate::scenario::overrides::{Applied, Override, Overrides, pairs};
use crate::scenario::{Scenario, ScenarioErrors};
use crate::stats::MetricStats;

/// One varied parameter: a path (the syntax of docs/model.md, list items by index or
/// name) and the values to try, written as in the scenario file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vary {
    /// Parameter path, e.g. `court.stage[trial].servers`.
    pub path: String,
    /// Values, e.g. `["15", "30", "60"]`.
    pub values: Vec<String>,
}

impl Vary {
    /// A varied parameter from a path and values.
    pub fn new<S: ToString>(path: &str, values: impl IntoIterator<Item = S>) -> Vary {
        Vary {
            path: path.to_string(),
            values: values.into_iter().map(|v| v.to_string()).collect(),
        }
    }
}

/// The paired difference of one metric between two scenarios run on
/// common random numbers (a sweep cell and the reference cell, or a
/// compared scenario and the first), over replications where both have a
/// value: the one type for it, in sweeps and in
/// [`compare`](crate::decide::compare()) alike.
///
/// # Example
///
/// ```
/// use custody_sim::sweep::PairedDiff;
///
/// let d = PairedDiff::from_differences(&[1.0, 2.0, 3.0]);
/// assert_eq!((d.n, d.mean, d.sd), (3, Some(2.0), Some(1.0)));
/// assert!(d.ci95_low.unwrap() < 2.0 && 2.0 < d.ci95_high.unwrap());
/// assert_eq!(PairedDiff::from_differences(&[]).mean, None);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedDiff {
    /// Replications with a value in both.
    pub n: u64,
    /// Mean of (cell - reference), in the metric's units.
    pub mean: Option<f64>,
    /// Standard deviation of the paired differences.
    pub sd: Option<f64>,
    /// Lower end of the 95% Student t CI of the mean difference.
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% Student t CI of the mean difference.
    pub ci95_high: Option<f64>,
}

impl PairedDiff {
    /// The mean of the replication-by-replication differences `d`, with
    /// their standard deviation and the 95% Student t interval of the
    /// mean (as [`MetricStats::from_values`] computes them).
    pub fn from_differences(d: &[f64]) -> PairedDiff {
        let s = MetricStats::from_values(d);
        PairedDiff {
            n: s.n,
            mean: s.mean,
            sd: s.sd,
            ci95_low: s.ci95_low,
            ci95_high: s.ci95_high,
        }
    }
}

/// One cell of a sweep: a point of the grid, its summary and its paired
/// differences. (The crate's one `Cell` of results; a cell of an HTML
/// table is a [`crate::report::html::TableCell`].)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The value of each varied parameter, in grid order: overrides of
    /// the base scenario (no variant of their own), serialised as
    /// `[path, value]` pairs.
    #[serde(with = "pairs")]
    pub params: Overrides,
    /// The cell's summary: metrics only (a sweep keeps no daily series,
    /// to save memory; run a cell's scenario with [`run`](crate::montecarlo::run()) for them).
    pub summary: Summary,
    /// Per metric, the paired difference to the first cell (zero for the
    /// first cell itself).
    pub diff: Vec<(String, PairedDiff)>,
}

impl Cell {
    /// Statistics of `metric` in this cell.
    pub fn metric(&self, metric: &str) -> Option<&MetricStats> {
        self.summary.metric(metric)
    }

    /// The paired difference of `metric` to the first cell (cell minus
    /// reference); `None` if either cell lacks the metric.
    pub fn diff_of(&self, metric: &str) -> Option<&PairedDiff> {
        self.diff.iter().find(|(m, _)| m == metric).map(|(_, d)| d)
    }

    /// Statistics of `metric` in this cell.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] listing the cell's metrics, closest first.
    pub fn try_metric(&self, metric: &str) -> Result<&MetricStats, Error> {
        self.summary.try_metric(metric)
    }
}

/// The result of a sweep: every cell, the first being the reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    /// Varied paths, in grid order.
    pub paths: Vec<String>,
    /// Cells in grid order (the last path varies fastest).
    pub cells: Vec<Cell>,
    /// The named variant (`[variant.NAME]`) the base scenario was made
    /// as, if any. Every report of the sweep names it. Not serialised.
    #[serde(skip)]
    pub variant: Option<String>,
    /// The changes that made the base scenario from the one read, in
    /// order: the variant's overrides (tagged with its name), then the
    /// `--set`s ([`Scenario::applied`] of the base, or what its slices
    /// recorded). Every report of the sweep lists them; each cell's
    /// summary lists them, then the cell's parameters. Not serialised
    /// (the JSON document of a sweep writes them as `overrides`).
    #[serde(skip)]
    pub overrides: Overrides,
}

/// A slice of a sweep's work: per cell, the replications it ran.
///
/// A file carries a checksum of its data, as a [`Shard`] file does, and
/// each cell's parameters are checked against the scenario it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepShard {
    /// Checksum of the rest, only in files (empty in memory).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    sha256: String,
    paths: Vec<String>,
    replications: u64,
    cells: Vec<(Params, Shard)>,
    /// The `--set` overrides (path, value as written) applied to the base
    /// scenario, for provenance; absent from files without any.
    #[serde(default, skip_serializing_if = "Overrides::is_empty", with = "pairs")]
    overrides: Overrides,
    /// The named variant (`[variant.NAME]`) the base scenario was made
    /// as, before the overrides; absent from files without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    variant: Option<RecordedVariant>,
}

/// The value of each varied parameter of a cell, in a file as `[path,
/// value]` pairs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct Params(#[serde(with = "pairs")] Overrides);

/// Refuses a grid in which two paths reach the same parameter, or one
/// path lies inside a table or list another replaces
/// ([`Scenario::overlap`], the rule every list of paths shares).
fn check_distinct(base: &Scenario, vary: &[Vary]) -> Result<(), Error> {
    let paths: Vec<&str> = vary.iter().map(|v| v.path.as_str()).collect();
    match base.overlap(&paths) {
        Some(o) => Err(Error::Scenario(ScenarioErrors::one(
            vary[o.second].path.clone(),
            format!("varied twice: {}; vary each parameter once", o.message),
        ))),
        None => Ok(()),
    }
}

/// The grid of cells: parameters and scenario of each.
fn grid(base: &Scenario, vary: &[Vary]) -> Result<Vec<(Params, Scenario)>, Error> {
    check_distinct(base, vary)?;
    let mut cells = vec![(Params::default(), base.clone())];
    for v in vary {
        if v.values.is_empty() {
            return Err(Error::Scenario(ScenarioErrors::one(
                v.path.clone(),
                "a varied parameter needs at least one value",
            )));
        }
        let mut next = Vec::with_capacity(cells.len() * v.values.len());
        for (params, s) in &cells {
            for value in &v.values {
                let mut p = params.clone();
                p.0.push(Override::new(&v.path, value));
                next.push((p, s.with_param(&v.path, value)?));
            }
        }
        cells = next;
    }
    Ok(cells)
}

/// Runs slice `k` of `n` (0-based) of the sweep's work: the grid's cells
/// times `runs.replications` replications, numbered cell-major and cut into
/// `n` contiguous equal slices.
///
/// # Errors
///
/// [`Error::Scenario`] naming a bad path or value, or if `k >= n`;
/// [`Error::Threads`] if a thread pool cannot be built.
pub fn sweep_shard(
    scenario: &Scenario,
    vary: &[Vary],
    runs: &Runs,
    k: u64,
    n: u64,
    progress: Option<Progress<'_>>,
) -> Result<SweepShard, Error> {
    if n == 0 || k >= n {
        return Err(Error::invalid(
            "shard",
            format!("{}/{n}: must be between 1/{n} and {n}/{n}", k + 1),
        ));
    }
    let cells = grid(scenario, vary)?;
    let r = u128::from(runs.replications);
    let work = cells.len() as u128 * r;
    let (lo, hi) = (
        work * u128::from(k) / u128::from(n),
        work * u128::from(k + 1) / u128::from(n),
    );
    // This slice's part of cell c's replications, 0..r.
    let part = |c: usize| {
        let first = c as u128 * r;
        let start = (lo.clamp(first, first + r) - first) as u64;
        let end = (hi.clamp(first, first + r) - first) as u64;
        start..end
    };
    let mut plans = Vec::with_capacity(cells.len());
    let mut stored = 0u64;
    for (c, (params, s)) in cells.into_iter().enumerate() {
        let plan = Plan::new(&s)?;
        let range = part(c);
        let metrics = plan.layout().metrics().len() as u64;
        stored = stored.saturating_add((range.end - range.start).saturating_mul(metrics));
        plans.push((params, plan, range));
    }
    check_stored(stored, 1)?;
    // One list of metric names per distinct layout, shared by its cells.
    let mut names: Vec<Arc<[String]>> = Vec::new();
    let out = in_pool(runs.threads, || {
        let mut out = Vec::with_capacity(plans.len());
        for (params, plan, range) in plans {
            let mut shard = run_range(&plan, runs.seed, range, progress, false)?;
            match names.iter().find(|n| ***n == **shard.metric_names()) {
                Some(n) => shard.share_names(n.clone()),
                None => names.push(shard.metric_names().clone()),
            }
            out.push((params, shard));
        }
        Ok::<_, Error>(out)
    })??;
    Ok(SweepShard {
        sha256: String::new(),
        paths: vary.iter().map(|v| v.path.clone()).collect(),
        replications: runs.replications,
        cells: out,
        overrides: Overrides::new(),
        variant: None,
    }
    // What made the base scenario travels with the slice (the cells'
    // parameters are the cells' own).
    .record_applied(&scenario.applied))
}

impl SweepShard {
    /// Records the `--set` overrides (path, value as written) applied to
    /// the base scenario, so that merged slices report them as one sweep
    /// would. Slices merge only with slices of the same overrides.
    pub fn with_overrides(mut self, overrides: Overrides) -> SweepShard {
        self.overrides = overrides;
        self
    }

    /// The `--set` overrides recorded with [`SweepShard::with_overrides`].
    pub fn overrides(&self) -> &Overrides {
        &self.overrides
    }

    /// Records what made the base scenario ([`Scenario::applied`]).
    fn record_applied(mut self, a: &Applied) -> SweepShard {
        (self.variant, self.overrides) = RecordedVariant::of_applied(a);
        self
    }

    /// Records the named variant (`[variant.NAME]`) and its overrides
    /// (path, value as written) that made the base scenario, before the
    /// `--set` overrides, so that merged slices report it as one sweep
    /// would. Slices merge only with slices of the same variant. The
    /// overrides are kept tagged with `name`.
    pub fn with_variant(mut self, name: impl Into<String>, overrides: Overrides) -> SweepShard {
        self.variant = Some(RecordedVariant::new(name, overrides));
        self
    }

    /// The variant recorded with [`SweepShard::with_variant`]: its name
    /// and overrides (tagged with the name).
    pub fn variant(&self) -> Option<(&str, &Overrides)> {
        RecordedVariant::view(&self.variant)
    }

    /// Everything recorded that made the base scenario from its file, in
    /// the order it was applied: the variant's overrides (tagged), then
    /// the `--set`s.
    pub fn changes(&self) -> Overrides {
        changes(&self.variant, &self.overrides)
    }

    /// Adds another slice of the same sweep.
    ///
    /// # Errors
    ///
    /// If the slices come from different sweeps or overlap.
    pub fn merge(&mut self, other: SweepShard) -> Result<(), Error> {
        let same_grid = self.paths == other.paths
            && self.replications == other.replications
            && self.cells.len() == other.cells.len()
            && self.cells.iter().zip(&other.cells).all(|(a, b)| a.0 == b.0);
        if !same_grid {
            return Err(Error::shard(
                "sweep shards of different grids or replication counts",
            ));
        }
        if self.overrides != other.overrides {
            return Err(Error::shard(format!(
                "sweep shards made with different --set overrides ({:?} and {:?})",
                self.overrides.pairs(),
                other.overrides.pairs()
            )));
        }
        RecordedVariant::check_same(&self.variant, &other.variant, "sweep shards")
            .map_err(Error::shard)?;
        for ((_, a), (_, b)) in self.cells.iter_mut().zip(other.cells) {
            a.merge(b)?;
        }
        Ok(())
    }

    /// Whether every cell has all of its replications.
    pub fn is_complete(&self) -> bool {
        self.cells
            .iter()
            .all(|(_, s)| s.replications() == self.replications && s.covers_from_zero())
    }

    /// The sweep's result over the replications covered.
    pub fn result(&self) -> SweepResult {
        let variant = self.variant().map(|(name, _)| name.to_string());
        let overrides = self.changes();
        let reference = self.cells.first().map(|c| &c.1);
        // The reference's column of each metric name.
        let ref_index: HashMap<&str, usize> = reference
            .map(|r| {
                r.metric_names()
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.as_str(), i))
                    .collect()
            })
            .unwrap_or_default();
        let cells = self
            .cells
            .iter()
            .map(|(params, shard)| {
                let mut summary = shard.summary();
                // A cell is the base scenario, changed by its parameters.
                summary.variant = variant.clone();
                summary.overrides = overrides.clone();
                summary.overrides.extend(params.0.iter().cloned());
                // Pair by name: a metric the reference lacks has no
                // difference.
                let diff = summary
                    .metrics
                    .iter()
                    .enumerate()
                    .filter_map(|(i, (name, _))| {
                        let j = *ref_index.get(name.as_str())?;
                        Some((name.clone(), paired(reference, j, shard, i)))
                    })
                    .collect();
                Cell {
                    params: params.0.clone(),
                    summary,
                    diff,
                }
            })
            .collect();
        SweepResult {
            paths: self.paths.clone(),
            cells,
            variant,
            overrides,
        }
    }

    /// Writes the slice as JSON, with its checksum, atomically
    /// ([`crate::files::write_atomic`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_sealed(self, path.as_ref())
    }

    /// Reads a slice written by [`SweepShard::write`], streamed, and checks
    /// its checksum and consistency.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if unreadable, not a regular file or above
    /// [`MAX_SHARD_BYTES`](crate::files::MAX_SHARD_BYTES);
    /// [`Error::Format`] naming the file if it is not a sweep shard or is
    /// damaged or edited.
    pub fn read(path: impl AsRef<Path>) -> Result<SweepShard, Error> {
        read_sealed(path.as_ref())
    }

    /// Reads slices and merges them, naming the file at fault in any error.
    ///
    /// # Errors
    ///
    /// As [`SweepShard::read`] and [`SweepShard::merge`], with the file
    /// named; an [`Error::InvalidArgument`] for an empty list.
    pub fn merge_files<P: AsRef<Path>>(paths: &[P]) -> Result<SweepShard, Error> {
        let Some((first, rest)) = paths.split_first() else {
            return Err(Error::invalid("sweep shard files", "no files to merge"));
        };
        let mut acc = SweepShard::read(first)?;
        for p in rest {
            let next = SweepShard::read(p)?;
            acc.merge(next)
                .map_err(|e| name_file(e, p.as_ref(), first.as_ref()))?;
        }
        Ok(acc)
    }
}

impl SealedFile for SweepShard {
    const KIND: &'static str = "sweep shard";

    fn sha256_mut(&mut self) -> &mut String {
        &mut self.sha256
    }

    /// Checks a slice read from a file: each cell's shard is sound, and
    /// every cell has one value per varied path, the same seed, no
    /// replication beyond the sweep's count, and parameters its scenario
    /// has (setting them again leaves the scenario as it is).
    fn check_integrity(&self) -> Result<(), String> {
        let seed = self.cells.first().map(|c| c.1.seed());
        for (params, shard) in &self.cells {
            shard.check_integrity()?;
            let paths_ok = params.0.len() == self.paths.len()
                && params.0.iter().zip(&self.paths).all(|(o, q)| o.path == *q);
            let within = shard
                .ranges()
                .last()
                .is_none_or(|r| r.end <= self.replications);
            if !paths_ok || Some(shard.seed()) != seed || !within {
                return Err(
                    "its cells do not agree with its grid, seed or replication count".into(),
                );
            }
            let again = shard.scenario().with_overrides(&params.0);
            if again.as_ref().ok() != Some(shard.scenario()) {
                return Err(format!(
                    "the cell labelled {} does not hold that scenario",
                    label(params)
                ));
            }
        }
        Ok(())
    }
}

/// A cell's parameters as `path=value, …`.
fn label(params: &Params) -> String {
    params
        .0
        .iter()
        .map(Override::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Paired difference of metric `i` of `cell` and metric `j` of
/// `reference` (the same name).
fn paired(reference: Option<&Shard>, j: usize, cell: &Shard, i: usize) -> PairedDiff {
    let Some(reference) = reference else {
        return PairedDiff::from_differences(&[]);
    };
    // Both columns are sorted by replication index: walk them together.
    let mut d = Vec::new();
    let mut ref_iter = reference.column_by_index(j).peekable();
    for (r, x) in cell.column_by_index(i) {
        while ref_iter.peek().is_some_and(|&(q, _)| q < r) {
            ref_iter.next();
        }
        if let (Some(x), Some(&(q, Some(y)))) = (x, ref_iter.peek())
            && q == r
        {
            d.push(x - y);
        }
    }
    PairedDiff::from_differences(&d)
}

/// Runs every cell of the grid over `vary` with the same seeds and reports
/// each cell's summary and its paired differences to the first cell.
///
/// # Errors
///
/// [`Error::Scenario`] naming a bad path or value (for instance
/// `court.stage[appeal].servers: ... no item named "appeal"`), or a value
/// that breaks a rule of [`Scenario::validate`].
///
/// # Example: does a second trial chamber shorten the wait for a verdict?
///
/// ```
/// use custody_sim::{montecarlo::Runs, presets, sweep::{sweep, Vary}};
///
/// let grid = [Vary::new("court.stage[trial].servers", [15, 30])];
/// let r = sweep(&presets::baseline(), &grid, &Runs { replications: 20, seed: 1, threads: 0 })?;
/// let faster = &r.cells[1];
/// assert_eq!(faster.params.pairs(), [("court.stage[trial].servers", "30")]);
/// let d = faster.diff_of("mean_days_to_verdict").unwrap();
/// assert!(d.ci95_high.unwrap() < 0.0, "more trial panels, shorter time to verdict");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sweep(scenario: &Scenario, vary: &[Vary], runs: &Runs) -> Result<SweepResult, Error> {
    Ok(sweep_shard(scenario, vary, runs, 0, 1, None)?.result())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::presets;

    #[test]
    fn cells_of_one_layout_share_their_metric_names() {
        // One list of names per distinct layout, not per cell: memory grows
        // with the layouts, not with the cells.
        let vary = [Vary::new("transfer.weekly_cap", [100, 200, 300])];
        let runs = Runs {
            replications: 1,
            seed: 1,
            threads: 1,
        };
        let base = presets::baseline().with_param("horizon_days", "5").unwrap();
        let w = sweep_shard(&base, &vary, &runs, 0, 1, None).unwrap();
        let first = w.cells[0].1.metric_names();
        for (_, shard) in &w.cells {
            assert!(Arc::ptr_eq(first, shard.metric_names()));
        }
    }

    #[test]
    fn named_list_items_resolve_to_their_index() {
        let s = presets::baseline_v2();
        let o = s
            .overlap(&["court.stage[trial].servers", "court.stage[1].servers"])
            .unwrap();
        assert_eq!((o.first, o.second), (0, 1));
        assert!(
            o.message.ends_with("(court.stage[1].servers)"),
            "{}",
            o.message
        );
        // A path that does not resolve is compared as written.
        assert!(
            s.overlap(&["court.stage[nope].x", "horizon_days"])
                .is_none()
        );
        assert!(
            s.overlap(&["court.stage[nope].x", "court.stage[nope].x"])
                .is_some()
        );
    }
}
