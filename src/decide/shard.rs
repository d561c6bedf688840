//! A sensitivity design split into slices that run anywhere, merged into
//! exactly the result of one process (`custody-sim sensitivity --shard
//! K/N`, then `custody-sim merge`).
//!
//! A design is a list of model evaluations, each one replication of the
//! scenario held at its medians with the parameters set to the point's
//! values:
//!
//! - **Sobol** ([`super::sensitivity`]): the Saltelli design's `N (k + 2)`
//!   points, in point order (row `j` runs as replication `j`), then the
//!   tornado's `2 k + 1` settings (all at medians; then each parameter at
//!   its 5th and at its 95th percentile) of `R` replications each, setting
//!   by setting (replication `r` of a setting runs as replication `r`);
//! - **Morris** ([`super::morris_model`]): the `r (k + 1)` points of the
//!   trajectories, in order (trajectory `t` runs as replication `t`).
//!
//! Only these plain designs shard: one factor per parameter, no dummy and
//! no second-order indices ([`SobolOptions::is_plain`]), no Morris group
//! ([`MorrisOptions::groups`]). A metric may be a `SERIES@DAY` ([`super::SeriesDay`]): the
//! slice records its `at`, and the merged result carries it.
//!
//! Slice `K` of `N` (1-based) runs evaluations `[E (K − 1) / N, E K / N)`
//! of the `E` (integer division): contiguous, disjoint, covering the
//! design for any `E` and `N`. An evaluation's outputs depend only on the
//! design (fixed by the parameters, the options and the seed) and its
//! replication's random stream, never on the process that ran it; a slice
//! keeps each evaluation's metric values by index, and the merge puts them
//! back in order and computes the indices once, with the code of the one
//! process. So a merged result is bit-identical to
//! [`super::sensitivity`]'s (or [`super::morris_model`]'s) with the same
//! arguments, and its JSON byte-identical (with the same build, as run
//! shards).
//!
//! A slice file is sealed as a run shard is (its first field the SHA-256
//! of the rest) and carries what the merge needs and checks: the method
//! and its options, the parameters (paths and distributions), the
//! metrics, the SHA-256 of the scenario as held, and the evaluations it
//! covers. Slices of different designs, scenarios or seeds refuse to
//! merge; overlapping slices are refused; a merge that misses a slice says
//! which evaluations are missing.

use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::adapter::{self, Row};
use super::tornado::{Ends, attach};
use super::{
    DecideError, MorrisOptions, MorrisResult, SeriesDay, SobolOptions, SobolResult, morris, sobol,
};
use crate::error::Error;
use crate::montecarlo::sealed::{SealedFile, read_sealed, write_sealed};
use crate::scenario::{ParamDist, Scenario};

/// The file format of a sensitivity slice.
const FORMAT: u32 = 1;

/// The method of a sensitivity design and its settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Method {
    /// Sobol indices (Saltelli design) with a tornado of
    /// `tornado_replications` replications per setting.
    Sobol {
        /// The Sobol settings (`threads` is not stored), of a plain design
        /// ([`SobolOptions::is_plain`]).
        options: SobolOptions,
        /// Replications of each tornado setting.
        tornado_replications: u64,
    },
    /// Morris elementary effects.
    Morris {
        /// The Morris settings (`threads` is not stored), without groups.
        options: MorrisOptions,
    },
}

impl Method {
    /// The master seed.
    fn seed(&self) -> u64 {
        match self {
            Method::Sobol { options, .. } => options.seed,
            Method::Morris { options } => options.seed,
        }
    }

    /// The worker threads.
    fn threads(&self) -> usize {
        match self {
            Method::Sobol { options, .. } => options.threads,
            Method::Morris { options } => options.threads,
        }
    }
}

/// The result of a merged design.
#[derive(Debug, Clone, PartialEq)]
pub enum DesignResult {
    /// Sobol indices with tornado swings, as [`super::sensitivity`].
    Sobol(SobolResult),
    /// Morris measures, as [`super::morris_model`].
    Morris(MorrisResult),
}

/// The design's points, rebuilt from its parameters and method.
enum Design {
    Sobol {
        d: sobol::Design,
        ends: Ends,
        replications: u64,
        options: SobolOptions,
    },
    Morris(morris::Design, MorrisOptions),
}

impl Design {
    fn new(params: &[ParamDist], integer: &[bool], method: &Method) -> Result<Design, Error> {
        Ok(match method {
            Method::Sobol {
                options,
                tornado_replications,
            } => {
                if *tornado_replications == 0 {
                    return Err(DecideError::input(
                        "tornado_replications",
                        "must be at least 1",
                    ));
                }
                if !options.is_plain() {
                    return Err(DecideError::input(
                        "options",
                        "a sharded Sobol design is plain: no groups, no dummy, no second-order indices",
                    ));
                }
                Design::Sobol {
                    d: sobol::Design::new(params, options)?,
                    ends: Ends::with_integer(params, integer)?,
                    replications: *tornado_replications,
                    options: options.clone(),
                }
            }
            Method::Morris { options } => {
                if !options.groups.is_empty() {
                    return Err(DecideError::input(
                        "options.groups",
                        "a sharded Morris design has one factor per parameter",
                    ));
                }
                Design::Morris(morris::Design::new(params, &[], options)?, options.clone())
            }
        })
    }

    /// The number of evaluations.
    fn evaluations(&self) -> u64 {
        match self {
            Design::Sobol {
                d,
                ends,
                replications,
                ..
            } => (d.points() as u64)
                .saturating_add((ends.settings() as u64).saturating_mul(*replications)),
            Design::Morris(d, _) => d.points() as u64,
        }
    }

    /// Evaluation `e`: the parameters' values and the replication.
    fn point(&self, e: u64, integer: &[bool]) -> (Vec<String>, u64) {
        match self {
            Design::Sobol {
                d,
                ends,
                replications,
                ..
            } => {
                let points = d.points() as u64;
                if e < points {
                    d.model_point(e as usize, integer)
                } else {
                    let t = e - points;
                    (ends.values((t / replications) as usize), t % replications)
                }
            }
            Design::Morris(d, _) => d.model_point(e as usize, integer),
        }
    }

    /// The result from every evaluation's outputs, in order.
    fn result(&self, params: &[ParamDist], metrics: &[String], rows: &[Row]) -> DesignResult {
        match self {
            Design::Sobol {
                d,
                ends,
                replications,
                options,
            } => {
                let (design, tornado) = rows.split_at(d.points().min(rows.len()));
                let mut r = d.model_result(params, metrics, options, design);
                let settings: Vec<Vec<Row>> = tornado
                    .chunks(usize::try_from(*replications).unwrap_or(usize::MAX))
                    .map(<[Row]>::to_vec)
                    .collect();
                attach(&mut r, ends.result(params, metrics, &settings));
                DesignResult::Sobol(r)
            }
            Design::Morris(d, options) => {
                DesignResult::Morris(d.model_result(params, &[], metrics, options, rows))
            }
        }
    }
}

/// A slice of a sensitivity design: the outputs of the evaluations it
/// ran, with what identifies the design (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivityShard {
    /// Checksum of the rest, only in files (empty in memory).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    sha256: String,
    format: u32,
    version: String,
    /// The scenario's name, for the reports.
    scenario_name: String,
    /// SHA-256 of the scenario as held at its medians
    /// ([`crate::montecarlo::scenario_sha256`]).
    scenario_sha256: String,
    design: Method,
    params: Vec<ParamDist>,
    /// Per parameter: whether it takes whole numbers in the scenario.
    integer: Vec<bool>,
    metrics: Vec<String>,
    /// Per metric, the daily series and day a `SERIES@DAY` metric names
    /// (empty when no metric names one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    at: Vec<Option<SeriesDay>>,
    /// The design's evaluations, `E`.
    evaluations: u64,
    /// The posterior's columns held at their weighted medians while the
    /// parameters vary ([`super::held_columns`]), and the sentence that
    /// says so ([`super::held_note`]): what the merged result reports, as
    /// one process does. Empty, and absent from the file, when nothing is
    /// held.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    held: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    held_note: Option<String>,
    /// Covered evaluation ranges, sorted, disjoint, adjacent ones joined,
    /// each with the metric values of its evaluations in order.
    slices: Vec<(u64, Vec<Row>)>,
}

/// Runs slice `k` of `n` (0-based) of the sensitivity design of `params`
/// over `metrics` on `scenario` by `method` (see the [module
/// docs](self)), on the method's threads.
///
/// # Errors
///
/// [`Error::InvalidArgument`] if `k >= n`; [`Error::Decide`] of kind
/// [`DecideError::Input`] for options that are not a plain design (Sobol
/// groups, dummy or second-order indices; Morris groups); otherwise as
/// [`super::sensitivity`] (for [`Method::Sobol`]) or
/// [`super::morris_model`] (for [`Method::Morris`]).
///
/// # Example: two slices merge into the single-process result
///
/// ```
/// use custody_sim::decide::shard::{DesignResult, Method, sensitivity_shard};
/// use custody_sim::decide::{SobolOptions, sensitivity};
/// use custody_sim::{Dist, presets, scenario::ParamDist};
///
/// let s = presets::plan_2026_01();
/// let params = [ParamDist::new("court.stage[trial].servers", Dist::uniform_int(10, 40))];
/// let options = SobolOptions { base_samples: 8, bootstrap: 20, seed: 3, ..SobolOptions::default() };
/// let method = Method::Sobol { options: options.clone(), tornado_replications: 4 };
/// let metrics = ["mean_days_to_verdict"];
/// let mut a = sensitivity_shard(&s, &params, &metrics, &method, 0, 2)?;
/// let b = sensitivity_shard(&s, &params, &metrics, &method, 1, 2)?;
/// a.merge(b)?;
/// let one = sensitivity(&s, &params, &metrics, &options, 4)?;
/// assert_eq!(a.result()?, DesignResult::Sobol(one));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sensitivity_shard(
    scenario: &Scenario,
    params: &[ParamDist],
    metrics: &[&str],
    method: &Method,
    k: u64,
    n: u64,
) -> Result<SensitivityShard, Error> {
    if n == 0 || k >= n {
        return Err(Error::invalid(
            "shard",
            format!("{}/{n}: must be between 1/{n} and {n}/{n}", k + 1),
        ));
    }
    if params.is_empty() {
        return Err(DecideError::input("params", "need at least one parameter"));
    }
    super::params::check_paths(scenario, params)?;
    let held = super::at_medians(scenario)?;
    let integer = params
        .iter()
        .map(|p| adapter::is_integer(&held, &p.path))
        .collect::<Result<Vec<_>, _>>()?;
    let design = Design::new(params, &integer, method)?;
    let metrics: Vec<String> = metrics.iter().map(|m| m.to_string()).collect();
    let mut at = metrics
        .iter()
        .map(|m| SeriesDay::parse(&held, m))
        .collect::<Result<Vec<_>, _>>()?;
    if at.iter().all(Option::is_none) {
        at.clear();
    }
    let paths: Vec<String> = params.iter().map(|p| p.path.clone()).collect();
    let e = u128::from(design.evaluations());
    let (lo, hi) = (
        (e * u128::from(k) / u128::from(n)) as u64,
        (e * u128::from(k + 1) / u128::from(n)) as u64,
    );
    let count = usize::try_from(hi - lo).map_err(|_| {
        DecideError::input("shard", "more evaluations in one slice than can be kept")
    })?;
    let rows = adapter::in_pool(method.threads(), || {
        adapter::points(&held, &paths, method.seed(), &metrics, count, |p| {
            design.point(lo + p as u64, &integer)
        })
    })??;
    let mut design_method = method.clone();
    match &mut design_method {
        Method::Sobol { options, .. } => options.threads = 0,
        Method::Morris { options } => options.threads = 0,
    }
    Ok(SensitivityShard {
        sha256: String::new(),
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: scenario.name.clone(),
        scenario_sha256: crate::montecarlo::scenario_sha256(&held),
        design: design_method,
        params: params.to_vec(),
        integer,
        metrics,
        at,
        evaluations: design.evaluations(),
        held: super::held_columns(scenario, params),
        held_note: super::held_note(scenario, params),
        slices: if count == 0 {
            Vec::new()
        } else {
            vec![(lo, rows)]
        },
    })
}

impl SensitivityShard {
    /// The scenario's name.
    pub fn scenario_name(&self) -> &str {
        &self.scenario_name
    }

    /// The method and its settings.
    pub fn method(&self) -> &Method {
        &self.design
    }

    /// The design's evaluations, `E`.
    pub fn evaluations(&self) -> u64 {
        self.evaluations
    }

    /// The posterior's columns held at their weighted medians while the
    /// design's parameters vary (empty when none is held), and the
    /// sentence that says so: as `sensitivity` reports them in one
    /// process.
    pub fn held(&self) -> (&[String], Option<&str>) {
        (&self.held, self.held_note.as_deref())
    }

    /// The evaluation ranges covered, sorted and disjoint.
    pub fn ranges(&self) -> Vec<Range<u64>> {
        self.slices
            .iter()
            .map(|(start, rows)| *start..start + rows.len() as u64)
            .collect()
    }

    /// Whether the slices cover every evaluation of the design.
    pub fn is_complete(&self) -> bool {
        let r = self.ranges();
        (self.evaluations == 0 && r.is_empty()) || (r.len() == 1 && r[0] == (0..self.evaluations))
    }

    /// Adds another slice of the same design.
    ///
    /// # Errors
    ///
    /// [`Error::Shard`] if the slices come from different designs,
    /// scenarios, seeds or builds, or overlap.
    pub fn merge(&mut self, other: SensitivityShard) -> Result<(), Error> {
        let same = self.format == other.format
            && self.scenario_sha256 == other.scenario_sha256
            && self.design == other.design
            && self.params == other.params
            && self.integer == other.integer
            && self.metrics == other.metrics
            && self.at == other.at
            && self.held == other.held
            && self.evaluations == other.evaluations;
        if !same {
            return Err(Error::shard(
                "sensitivity shards of different designs (scenario, parameters, metrics, method, options or seed differ)",
            ));
        }
        if self.version != other.version {
            return Err(Error::shard(format!(
                "sensitivity shards of different custody-sim versions ({} and {})",
                self.version, other.version
            )));
        }
        // Checked on the ranges before any slice moves: a refused merge
        // leaves `self` as it was.
        let mut spans: Vec<Range<u64>> = self.ranges();
        spans.extend(other.ranges());
        spans.sort_by_key(|r| r.start);
        let mut block: Option<Range<u64>> = None;
        for r in spans {
            match &mut block {
                Some(b) if b.end > r.start => {
                    return Err(Error::shard(format!(
                        "sensitivity shards overlap: evaluations {}..{} and {}..{}",
                        b.start, b.end, r.start, r.end
                    )));
                }
                Some(b) if b.end == r.start => b.end = r.end,
                _ => block = Some(r),
            }
        }
        let mut all = std::mem::take(&mut self.slices);
        all.extend(other.slices);
        all.sort_by_key(|s| s.0);
        let mut joined: Vec<(u64, Vec<Row>)> = Vec::with_capacity(all.len());
        for (start, rows) in all {
            match joined.last_mut() {
                Some((s, r)) if *s + r.len() as u64 == start => r.extend(rows),
                _ => joined.push((start, rows)),
            }
        }
        self.slices = joined;
        Ok(())
    }

    /// The result of the whole design, exactly as one process computes it.
    ///
    /// # Errors
    ///
    /// [`Error::Shard`] naming the evaluations missing if the slices do
    /// not cover the design; otherwise as [`sensitivity_shard`] (the
    /// design is rebuilt from its parameters).
    pub fn result(&self) -> Result<DesignResult, Error> {
        if !self.is_complete() {
            let ranges: Vec<String> = self
                .ranges()
                .iter()
                .map(|r| format!("{}..{}", r.start, r.end))
                .collect();
            return Err(Error::shard(format!(
                "the sensitivity shards do not cover the design's {} evaluations: they cover {} (a slice K/N is missing?)",
                self.evaluations,
                if ranges.is_empty() {
                    "none".to_string()
                } else {
                    ranges.join(", ")
                }
            )));
        }
        let design = Design::new(&self.params, &self.integer, &self.design)?;
        let rows: &[Row] = self.slices.first().map_or(&[], |s| s.1.as_slice());
        let mut r = design.result(&self.params, &self.metrics, rows);
        let metrics = match &mut r {
            DesignResult::Sobol(r) => r.metrics.iter_mut().map(|m| &mut m.at).collect::<Vec<_>>(),
            DesignResult::Morris(r) => r.metrics.iter_mut().map(|m| &mut m.at).collect(),
        };
        for (slot, at) in metrics.into_iter().zip(&self.at) {
            slot.clone_from(at);
        }
        Ok(r)
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

    /// Reads a slice written by [`SensitivityShard::write`], streamed, and
    /// checks its checksum and consistency.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if unreadable, not a regular file or above
    /// [`MAX_SHARD_BYTES`](crate::files::MAX_SHARD_BYTES);
    /// [`Error::Format`] naming the file if it is not a sensitivity shard
    /// or is damaged or edited.
    pub fn read(path: impl AsRef<Path>) -> Result<SensitivityShard, Error> {
        read_sealed(path.as_ref())
    }
}

impl SealedFile for SensitivityShard {
    const KIND: &'static str = "sensitivity shard";

    fn sha256_mut(&mut self) -> &mut String {
        &mut self.sha256
    }

    fn check_version(&self) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!(
                "format {} (this custody-sim reads format {FORMAT})",
                self.format
            ));
        }
        Ok(())
    }

    /// Checks a slice read from a file: its slices lie inside the design,
    /// in order, disjoint, with one value per metric.
    fn check_integrity(&self) -> Result<(), String> {
        if self.integer.len() != self.params.len() || self.params.is_empty() {
            return Err("its parameters do not agree with its flags".into());
        }
        if !self.at.is_empty() && self.at.len() != self.metrics.len() {
            return Err("its series days do not agree with its metrics".into());
        }
        let mut end = 0;
        for (start, rows) in &self.slices {
            if *start < end || rows.iter().any(|r| r.len() != self.metrics.len()) {
                return Err("its slices overlap or do not hold every metric".into());
            }
            end = start + rows.len() as u64;
        }
        if end > self.evaluations {
            return Err("its slices reach past the design".into());
        }
        Ok(())
    }
}
