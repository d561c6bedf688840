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

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::model::Plan;
use crate::montecarlo::{Progress, Runs, Shard, Summary, check_stored, in_pool, run_range};
use crate::scenario::{Scenario, ScenarioErrors};
use crate::stats::MetricStats;

/// One varied parameter: a path (MODEL.md's syntax, list items by index or
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

/// The paired difference of one metric between a cell and the reference
/// cell, over replications where both have a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedDiff {
    /// Replications with a value in both cells.
    pub n: u64,
    /// Mean of (cell - reference).
    pub mean: Option<f64>,
    /// Standard deviation of the paired differences.
    pub sd: Option<f64>,
    /// Lower end of the 95% Student t CI of the mean difference.
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% Student t CI of the mean difference.
    pub ci95_high: Option<f64>,
}

/// One cell of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// `(path, value)` for each varied parameter.
    pub params: Vec<(String, String)>,
    /// The cell's summary: metrics only (a sweep keeps no daily series,
    /// to save memory; run a cell's scenario with [`crate::run`] for them).
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
    /// reference).
    pub fn diff_of(&self, metric: &str) -> Option<&PairedDiff> {
        self.diff.iter().find(|(m, _)| m == metric).map(|(_, d)| d)
    }
}

/// The result of a sweep: every cell, the first being the reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    /// Varied paths, in grid order.
    pub paths: Vec<String>,
    /// Cells in grid order (the last path varies fastest).
    pub cells: Vec<Cell>,
}

/// A slice of a sweep's work: per cell, the replications it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepShard {
    paths: Vec<String>,
    replications: u64,
    cells: Vec<(Params, Shard)>,
}

/// `(path, value)` for each varied parameter of a cell.
type Params = Vec<(String, String)>;

/// The grid of cells: parameters and scenario of each.
fn grid(base: &Scenario, vary: &[Vary]) -> Result<Vec<(Params, Scenario)>, Error> {
    let mut cells = vec![(Vec::new(), base.clone())];
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
                p.push((v.path.clone(), value.clone()));
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
    let metrics = cells.first().map_or(0, |(_, s)| {
        Plan::new(s).map_or(0, |p| p.layout().metrics().len())
    });
    check_stored(u64::try_from(hi - lo).unwrap_or(u64::MAX), metrics)?;
    let out = in_pool(runs.threads, || {
        let mut out = Vec::with_capacity(cells.len());
        for (c, (params, s)) in cells.into_iter().enumerate() {
            let plan = Plan::new(&s)?;
            let first = c as u128 * r;
            // This slice's part of the cell's replications, 0..r.
            let start = (lo.clamp(first, first + r) - first) as u64;
            let end = (hi.clamp(first, first + r) - first) as u64;
            out.push((
                params,
                run_range(&plan, runs.seed, start..end, progress, false)?,
            ));
        }
        Ok::<_, Error>(out)
    })??;
    Ok(SweepShard {
        paths: vary.iter().map(|v| v.path.clone()).collect(),
        replications: runs.replications,
        cells: out,
    })
}

impl SweepShard {
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
        for ((_, a), (_, b)) in self.cells.iter_mut().zip(other.cells) {
            a.merge(b)?;
        }
        Ok(())
    }

    /// Checks a slice read from a file: each cell's shard is sound, and
    /// every cell has one value per varied path, the same seed and no
    /// replication beyond the sweep's count.
    fn check_integrity(&self) -> Result<(), String> {
        let seed = self.cells.first().map(|c| c.1.seed());
        for (params, shard) in &self.cells {
            shard.check_integrity()?;
            let paths_ok = params.len() == self.paths.len()
                && params.iter().zip(&self.paths).all(|((p, _), q)| p == q);
            let within = shard
                .ranges()
                .last()
                .is_none_or(|r| r.end <= self.replications);
            if !paths_ok || Some(shard.seed()) != seed || !within {
                return Err(
                    "its cells do not agree with its grid, seed or replication count".into(),
                );
            }
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
        let reference = self.cells.first().map(|c| &c.1);
        let cells = self
            .cells
            .iter()
            .map(|(params, shard)| {
                let summary = shard.summary();
                let diff = summary
                    .metrics
                    .iter()
                    .enumerate()
                    .map(|(i, (name, _))| (name.clone(), paired(reference, shard, i)))
                    .collect();
                Cell {
                    params: params.clone(),
                    summary,
                    diff,
                }
            })
            .collect();
        SweepResult {
            paths: self.paths.clone(),
            cells,
        }
    }

    /// Writes the slice as JSON.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file.
    pub fn write(&self, path: impl AsRef<std::path::Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let text = serde_json::to_string(self).map_err(|e| Error::serialize("sweep shard", e))?;
        std::fs::write(path, text).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads a slice written by [`SweepShard::write`].
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if unreadable, [`Error::Scenario`] naming the file if it
    /// is not a sweep shard.
    pub fn read(path: impl AsRef<std::path::Path>) -> Result<SweepShard, Error> {
        let path = path.as_ref();
        let text = Error::read_text(path)?;
        let bad = |message: String| Error::Format {
            path: path.to_path_buf(),
            line: None,
            message,
        };
        let shard: SweepShard = serde_json::from_str(&text)
            .map_err(|e| bad(format!("not a custody-sim sweep shard file: {e}")))?;
        shard
            .check_integrity()
            .map_err(|e| bad(format!("a damaged custody-sim sweep shard file: {e}")))?;
        Ok(shard)
    }
}

/// Paired difference of metric `i` between `cell` and `reference`.
fn paired(reference: Option<&Shard>, cell: &Shard, i: usize) -> PairedDiff {
    let Some(reference) = reference else {
        return PairedDiff {
            n: 0,
            mean: None,
            sd: None,
            ci95_low: None,
            ci95_high: None,
        };
    };
    // Both columns are sorted by replication index: walk them together.
    let mut d = Vec::new();
    let mut ref_iter = reference.column_by_index(i).peekable();
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
    let s = MetricStats::from_values(&d);
    PairedDiff {
        n: s.n,
        mean: s.mean,
        sd: s.sd,
        ci95_low: s.ci95_low,
        ci95_high: s.ci95_high,
    }
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
/// assert_eq!(faster.params, vec![("court.stage[trial].servers".to_string(), "30".to_string())]);
/// let d = faster.diff_of("mean_days_to_verdict").unwrap();
/// assert!(d.ci95_high.unwrap() < 0.0, "more trial panels, shorter time to verdict");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sweep(scenario: &Scenario, vary: &[Vary], runs: &Runs) -> Result<SweepResult, Error> {
    Ok(sweep_shard(scenario, vary, runs, 0, 1, None)?.result())
}
