//! Shards: the partial result of replications over index ranges, their
//! exact merge, the checks that make a damaged or edited shard an error,
//! and the limit on the metric values a shard stores.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::sealed::{
    SealedFile, hex, payload_sha256, read_header, read_json, read_sealed, write_sealed,
};
use super::summary::Summary;
use crate::error::Error;
use crate::model::Plan;
use crate::scenario::limits::MAX_STORED_VALUES;
use crate::scenario::overrides::{Applied, Overrides, pairs};
use crate::scenario::{PosteriorTable, Scenario};
use crate::stats::{MetricStats, SeriesAcc};

/// Format number of shard files; bumped when the layout changes (2:
/// sparse series histograms with per-bin sums, and a checksum; 3: the
/// rows of the scenario's `[uncertainty] posterior` file, `posterior`; 4:
/// each series-day's exact value counts, a histogram only past
/// [`MAX_EXACT_VALUES`](crate::stats::MAX_EXACT_VALUES) distinct values).
const SHARD_FORMAT: u32 = 4;

/// The oldest format still read: format 3 and older files hold daily
/// series as histograms, from which exact quantiles cannot be recovered,
/// so they are refused, saying so.
const OLDEST_FORMAT: u32 = 4;

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
///
/// # Integrity
///
/// A shard file carries `sha256`, the SHA-256 of the canonical JSON of
/// everything else in it (serde_json's compact form of the shard), and
/// [`Shard::read`] refuses a file whose data does not hash to it, as well
/// as one whose parts disagree (series counts and sums against the
/// replications, names against the scenario, the scenario against its
/// hash). Editing a value by hand, or a bit flipped on disk, is an
/// [`Error::Format`] naming the file.
///
/// # Posterior draws
///
/// A scenario whose `[uncertainty]` names a `posterior` file draws from
/// its rows, which the scenario's TOML (and so its `scenario_sha256`) does
/// not hold. A shard carries those rows (`posterior`, format 3), so that
/// it reads and merges on a machine without the file, and shards whose
/// rows differ (the file changed between runs) refuse to merge, naming
/// both tables' row counts and SHA-256.
///
/// # Daily series
///
/// A shard holds, per series-day, the count of each value seen (format
/// 4), so that merged shards give the exact quantiles a single run gives
/// (see [`SeriesBands`](crate::stats::SeriesBands)). Files of earlier
/// formats, which held histograms, are refused with a message saying to
/// run them again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "Stored")]
pub struct Shard {
    /// Checksum of the rest, only in files (empty in memory).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    sha256: String,
    format: u32,
    version: String,
    scenario_sha256: String,
    scenario: Arc<Scenario>,
    seed: u64,
    /// Covered replication ranges, sorted, disjoint, adjacent ones joined.
    pub(super) ranges: Vec<(u64, u64)>,
    /// Shared between the shards of one layout (sweep cells, workers).
    metric_names: Arc<[String]>,
    series_names: Vec<String>,
    /// Per replication, sorted by index: metric values in layout order.
    pub(super) values: Vec<(u64, Vec<Option<f64>>)>,
    pub(super) series: SeriesAcc,
    /// The `--set` overrides (path, value as written) that made the
    /// scenario from its file, for provenance: a merge reports them as the
    /// single run would. Absent from files without any.
    #[serde(default, skip_serializing_if = "Overrides::is_empty", with = "pairs")]
    overrides: Overrides,
    /// The rows of the scenario's `[uncertainty] posterior` file (also
    /// loaded into `scenario`, which does not serialise them). Absent from
    /// files without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    posterior: Option<Arc<PosteriorTable>>,
    /// The named variant (`[variant.NAME]`) the scenario was made as,
    /// before the overrides, for provenance. Absent from files without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    variant: Option<RecordedVariant>,
}

/// A shard as stored, before its posterior rows are put back into its
/// scenario (the fields of [`Shard`], in its order).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    #[serde(default)]
    sha256: String,
    format: u32,
    version: String,
    scenario_sha256: String,
    scenario: Arc<Scenario>,
    seed: u64,
    ranges: Vec<(u64, u64)>,
    metric_names: Arc<[String]>,
    series_names: Vec<String>,
    values: Vec<(u64, Vec<Option<f64>>)>,
    series: SeriesAcc,
    #[serde(default, with = "pairs")]
    overrides: Overrides,
    #[serde(default)]
    posterior: Option<Arc<PosteriorTable>>,
    #[serde(default)]
    variant: Option<RecordedVariant>,
}

impl From<Stored> for Shard {
    /// Puts the carried posterior rows back into the scenario (where it
    /// has an `[uncertainty]` table); [`SealedFile::check_integrity`] then
    /// checks that the two agree.
    fn from(s: Stored) -> Shard {
        let mut scenario = s.scenario;
        if let Some(t) = &s.posterior
            && let Some(u) = Arc::make_mut(&mut scenario).uncertainty.as_mut()
        {
            u.posterior_table = Some(PosteriorTable::clone(t));
        }
        Shard {
            sha256: s.sha256,
            format: s.format,
            version: s.version,
            scenario_sha256: s.scenario_sha256,
            scenario,
            seed: s.seed,
            ranges: s.ranges,
            metric_names: s.metric_names,
            series_names: s.series_names,
            values: s.values,
            series: s.series,
            overrides: s.overrides,
            posterior: s.posterior,
            variant: s.variant,
        }
    }
}

/// The posterior rows a shard drew from, for a message: their count and
/// SHA-256 (of their JSON), or "none".
fn describe_posterior(t: Option<&PosteriorTable>) -> String {
    t.map_or_else(
        || "none".to_string(),
        |t| format!("{} rows, sha256 {}", t.rows.len(), payload_sha256(t)),
    )
}

/// A variant recorded in a shard: its name and overrides (path, value as
/// written; in the file as `[path, value]` pairs), each tagged with the
/// name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "StoredVariant")]
pub(crate) struct RecordedVariant {
    name: String,
    #[serde(with = "pairs")]
    overrides: Overrides,
}

/// A [`RecordedVariant`] as stored, before its overrides are tagged.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredVariant {
    name: String,
    #[serde(with = "pairs")]
    overrides: Overrides,
}

impl From<StoredVariant> for RecordedVariant {
    fn from(v: StoredVariant) -> RecordedVariant {
        RecordedVariant::new(v.name, v.overrides)
    }
}

impl RecordedVariant {
    /// Variant `name` and its overrides (tagged with the name here).
    pub(crate) fn new(name: impl Into<String>, overrides: Overrides) -> Self {
        let name = name.into();
        RecordedVariant {
            overrides: overrides.tagged(&name),
            name,
        }
    }

    /// The name and overrides of a recorded variant, if any.
    pub(crate) fn view(v: &Option<Self>) -> Option<(&str, &Overrides)> {
        v.as_ref().map(|v| (v.name.as_str(), &v.overrides))
    }

    /// Refuses to merge data of different variants, naming both.
    pub(crate) fn check_same(a: &Option<Self>, b: &Option<Self>, what: &str) -> Result<(), String> {
        if a == b {
            return Ok(());
        }
        let name = |v: &Option<Self>| {
            v.as_ref()
                .map_or("none".to_string(), |v| format!("{:?}", v.name))
        };
        Err(format!(
            "{what} of different variants ({} and {})",
            name(a),
            name(b)
        ))
    }
}

impl RecordedVariant {
    /// What a shard records of what made its scenario: the variant (with
    /// its own overrides) and the `--set`s.
    pub(crate) fn of_applied(a: &Applied) -> (Option<RecordedVariant>, Overrides) {
        match &a.variant {
            Some(name) => (
                Some(RecordedVariant::new(name, a.overrides.of_variants())),
                a.overrides.sets(),
            ),
            None => (None, a.overrides.clone()),
        }
    }
}

/// A recorded variant's overrides, then the `--set`s.
pub(crate) fn changes(variant: &Option<RecordedVariant>, sets: &Overrides) -> Overrides {
    let mut out = variant
        .as_ref()
        .map_or_else(Overrides::new, |v| v.overrides.clone());
    out.extend(sets.iter().cloned());
    out
}

/// SHA-256 of the scenario's canonical TOML form, in hex, without its
/// variants (`[variant.NAME]`, which do not change what runs).
///
/// # Panics
///
/// If the scenario cannot be written as TOML, which plain data with
/// string keys always can: a bug, never a silent hash of nothing.
pub fn scenario_sha256(s: &Scenario) -> String {
    let bare;
    let s = if s.variants.is_empty() {
        s
    } else {
        bare = Scenario {
            variants: Vec::new(),
            ..s.clone()
        };
        &bare
    };
    let text = toml::to_string_pretty(s)
        .unwrap_or_else(|e| panic!("bug: a scenario could not be written as TOML: {e}"));
    hex(&Sha256::digest(text.as_bytes()))
}

/// Refuses a format this version does not read, saying why.
fn check_format(format: u32) -> Result<(), String> {
    if (OLDEST_FORMAT..=SHARD_FORMAT).contains(&format) {
        return Ok(());
    }
    if format < OLDEST_FORMAT {
        return Err(format!(
            "shard format {format} holds daily series as histograms, from which custody-sim {} \
             cannot compute exact daily quantiles (it reads format {SHARD_FORMAT}): run the shard \
             again with this version",
            env!("CARGO_PKG_VERSION")
        ));
    }
    Err(format!(
        "shard format {format} is newer than this version reads ({SHARD_FORMAT}): use a newer custody-sim"
    ))
}

fn mismatch(message: String) -> Error {
    Error::shard(message)
}

impl Shard {
    /// An empty shard of `plan`; `series: false` keeps metrics only (what
    /// a sweep reports), which saves the daily series' accumulators.
    pub(super) fn empty(plan: &Plan, seed: u64, series: bool) -> Shard {
        Shard::empty_named(plan, seed, series, plan.layout().metrics().into())
    }

    /// As [`Shard::empty`], with metric names shared with other shards
    /// (equal to the plan's).
    pub(super) fn empty_named(
        plan: &Plan,
        seed: u64,
        series: bool,
        metric_names: Arc<[String]>,
    ) -> Shard {
        debug_assert_eq!(&*metric_names, plan.layout().metrics());
        let layout = plan.layout();
        let series_names = if series {
            layout.series().to_vec()
        } else {
            Vec::new()
        };
        Shard {
            sha256: String::new(),
            format: SHARD_FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            scenario_sha256: scenario_sha256(plan.scenario()),
            scenario: Arc::new(plan.scenario().clone()),
            seed,
            ranges: Vec::new(),
            metric_names,
            series: SeriesAcc::new(series_names.len(), layout.horizon_days() as usize),
            series_names,
            values: Vec::new(),
            overrides: Overrides::new(),
            posterior: plan
                .scenario()
                .uncertainty
                .as_ref()
                .and_then(|u| u.posterior_table.clone())
                .map(Arc::new),
            variant: None,
        }
    }

    /// Appends a shard whose replications all come after this one's (the
    /// order rayon's reduce keeps); otherwise merges.
    pub(super) fn append(&mut self, other: Shard) -> Result<(), Error> {
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

    /// The scenario the shard ran.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Records the `--set` overrides (path, value as written) that made
    /// the scenario, so that merged shards report them as one run would.
    /// Shards merge only with shards of the same overrides. The file
    /// keeps paths and values, not origins: they read back as `--set`s.
    pub fn with_overrides(mut self, overrides: Overrides) -> Shard {
        self.overrides = overrides;
        self
    }

    /// The `--set` overrides recorded with [`Shard::with_overrides`].
    pub fn overrides(&self) -> &Overrides {
        &self.overrides
    }

    /// Records what made the scenario ([`Scenario::applied`]): its
    /// variant and the variant's overrides, then the `--set`s.
    pub(crate) fn record_applied(mut self, a: &Applied) -> Shard {
        (self.variant, self.overrides) = RecordedVariant::of_applied(a);
        self
    }

    /// Records the named variant (`[variant.NAME]`) and its overrides
    /// (path, value as written) that made the scenario, before the
    /// `--set` overrides, so that merged shards report it as one run
    /// would. Shards merge only with shards of the same variant. The
    /// overrides are kept tagged with `name`.
    pub fn with_variant(mut self, name: impl Into<String>, overrides: Overrides) -> Shard {
        self.variant = Some(RecordedVariant::new(name, overrides));
        self
    }

    /// The variant recorded with [`Shard::with_variant`]: its name and
    /// overrides (tagged with the name).
    pub fn variant(&self) -> Option<(&str, &Overrides)> {
        RecordedVariant::view(&self.variant)
    }

    /// Everything recorded that made the scenario from its file, in the
    /// order it was applied: the variant's overrides (tagged), then the
    /// `--set`s.
    pub fn changes(&self) -> Overrides {
        changes(&self.variant, &self.overrides)
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
        let supported = OLDEST_FORMAT..=SHARD_FORMAT;
        if !(supported.contains(&self.format) && supported.contains(&other.format))
            || other.version != self.version
        {
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
        if other.posterior != self.posterior {
            return Err(mismatch(format!(
                "shards drawn from different [uncertainty] posterior rows ({} and {}): the posterior file changed between the runs",
                describe_posterior(self.posterior.as_deref()),
                describe_posterior(other.posterior.as_deref())
            )));
        }
        if other.overrides != self.overrides {
            return Err(mismatch(format!(
                "shards made with different --set overrides ({:?} and {:?})",
                self.overrides.pairs(),
                other.overrides.pairs()
            )));
        }
        RecordedVariant::check_same(&self.variant, &other.variant, "shards").map_err(mismatch)?;
        if other.seed != self.seed {
            return Err(mismatch(format!(
                "shards of different seeds ({} and {})",
                self.seed, other.seed
            )));
        }
        if !self.series.compatible(&other.series)
            || *other.metric_names != *self.metric_names
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
    pub(super) fn column(&self, i: usize) -> Vec<f64> {
        self.values.iter().filter_map(|(_, v)| v[i]).collect()
    }

    /// The metric names, in layout order (shared between shards of one
    /// layout).
    pub(crate) fn metric_names(&self) -> &Arc<[String]> {
        &self.metric_names
    }

    /// Replaces the metric names by an equal, shared list.
    pub(super) fn share_names(&mut self, names: Arc<[String]>) {
        debug_assert_eq!(*names, *self.metric_names);
        self.metric_names = names;
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
        let layout = crate::model::Layout::new(&self.scenario);
        let horizon = f64::from(self.scenario.horizon_days);
        let past_horizon = self
            .metric_names
            .iter()
            .enumerate()
            .filter(|(_, name)| {
                layout
                    .metric_index(name)
                    .is_some_and(|i| layout.metric_def(i).unit == "day number")
            })
            .map(|(i, name)| {
                let k = self
                    .values
                    .iter()
                    .filter(|(_, v)| v[i].is_some_and(|x| x > horizon))
                    .count();
                (name.clone(), k as u64)
            })
            .collect();
        Summary {
            past_horizon,
            scenario: self.scenario.name.clone(),
            version: self.version.clone(),
            scenario_sha256: self.scenario_sha256.clone(),
            start_date: self.scenario.start_date.to_string(),
            horizon_days: self.scenario.horizon_days,
            seed: self.seed,
            replications: self.replications(),
            metrics,
            series,
            variant: self.variant.as_ref().map(|v| v.name.clone()),
            overrides: self.changes(),
        }
    }

    /// Writes the shard as JSON to `path`, with its checksum, atomically
    /// ([`crate::files::write_atomic`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_sealed(self, path.as_ref())
    }

    /// Reads a shard written by [`Shard::write`], streamed, and checks its
    /// checksum and consistency.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if unreadable, not a regular file or above
    /// [`MAX_SHARD_BYTES`](crate::files::MAX_SHARD_BYTES) (checked before
    /// reading); [`Error::Format`] naming the file if it is not a shard
    /// (or a shard of a format this version does not read), or is damaged
    /// or edited.
    pub fn read(path: impl AsRef<Path>) -> Result<Shard, Error> {
        read_sealed(path.as_ref())
    }

    /// Reads shard files and merges them, naming the file at fault in any
    /// error (a version, scenario or seed that differs from the first
    /// file's, an overlap, damage).
    ///
    /// # Errors
    ///
    /// As [`Shard::read`] and [`Shard::merge`], with the file named; an
    /// [`Error::InvalidArgument`] for an empty list.
    pub fn merge_files<P: AsRef<Path>>(paths: &[P]) -> Result<Shard, Error> {
        let Some((first, rest)) = paths.split_first() else {
            return Err(Error::invalid("shard files", "no files to merge"));
        };
        check_merge(paths)?;
        let mut acc = Shard::read(first)?;
        for p in rest {
            let next = Shard::read(p)?;
            acc.merge(next)
                .map_err(|e| name_file(e, p.as_ref(), first.as_ref()))?;
        }
        Ok(acc)
    }
}

/// A run's shard file. Its format is checked with its consistency
/// ([`SealedFile::check_integrity`]); a file that does not parse because
/// it is a shard of another format, whose layout differs, is named as
/// such ([`SealedFile::unreadable`]).
impl SealedFile for Shard {
    const KIND: &'static str = "shard";

    fn sha256_mut(&mut self) -> &mut String {
        &mut self.sha256
    }

    /// Checks a shard read from a file: everything [`Shard::merge`] and
    /// [`Shard::summary`] rely on, so that a damaged or hand-edited file is
    /// an error, never a panic or a wrong result.
    fn check_integrity(&self) -> Result<(), String> {
        check_format(self.format)?;
        let u = self.scenario.uncertainty.as_ref();
        let loaded = u.and_then(|u| u.posterior_table.as_ref());
        if let Some(file) = u.and_then(|u| u.posterior.as_ref())
            && self.posterior.is_none()
        {
            return Err(format!(
                "its scenario draws from the posterior file {file:?} but it does not carry that file's rows (a format {} shard: run it again with custody-sim {})",
                self.format,
                env!("CARGO_PKG_VERSION")
            ));
        }
        if loaded != self.posterior.as_deref() {
            return Err(
                "its posterior rows do not match its scenario's [uncertainty] table".into(),
            );
        }
        self.scenario
            .validate()
            .map_err(|e| format!("the scenario it holds is invalid: {e}"))?;
        if scenario_sha256(&self.scenario) != self.scenario_sha256 {
            return Err("its scenario does not match its scenario_sha256 (edited?)".into());
        }
        let layout = crate::model::Layout::new(&self.scenario);
        if *self.metric_names != *layout.metrics()
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

    /// The error for a file that did not read as a shard because it is a
    /// shard of another format (whose layout differs), if it is one.
    fn unreadable(path: &Path) -> Option<Error> {
        #[derive(Deserialize)]
        struct Probe {
            format: u32,
            ranges: serde::de::IgnoredAny,
        }
        let probe: Probe = read_json(path, Self::KIND).ok()?;
        let _ = probe.ranges;
        check_format(probe.format).err().map(|m| Error::Format {
            path: path.to_path_buf(),
            line: None,
            message: format!("not a shard file this version reads: {m}"),
        })
    }
}

/// Names `file` in a merge error, which compared it with `first`.
pub(super) fn name_file(e: Error, file: &Path, first: &Path) -> Error {
    match e {
        Error::Shard {
            path: None,
            message,
        } => Error::Shard {
            path: Some(file.to_path_buf()),
            message: format!("{message}, compared with {}", first.display()),
        },
        other => other,
    }
}

#[cfg(test)]
thread_local! {
    /// How many times [`check_stored`] ran on this thread, for the tests
    /// that a run checks once.
    pub(crate) static STORED_CHECKS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Refuses a shard (a run, a merge) whose stored metric values would
/// exceed [`MAX_STORED_VALUES`]: `replications` × `metrics`.
pub(super) fn check_stored(replications: u64, metrics: usize) -> Result<(), Error> {
    #[cfg(test)]
    STORED_CHECKS.with(|n| n.set(n.get() + 1));
    let values = replications.saturating_mul(metrics as u64);
    if values > MAX_STORED_VALUES {
        return Err(Error::Limit {
            what: format!("{replications} replications of {metrics} metrics: stored values"),
            value: u128::from(values),
            limit: u128::from(MAX_STORED_VALUES),
            hint: format!(
                "run at most {} replications of these {metrics} metrics (shards do not help: \
                 their merge keeps the same values), or fewer metrics (fewer groups, facilities \
                 or stages)",
                MAX_STORED_VALUES / (metrics.max(1) as u64)
            ),
        });
    }
    Ok(())
}

/// Checks, from the beginning of each file only (before any data is
/// read), that merging the run shards `paths` stays within the limit on
/// stored metric values ([`MAX_STORED_VALUES`]):
/// a merge keeps every replication's metric values for exact quantiles,
/// 16 bytes each. Files that are not run shards are left to the merge to
/// read and report.
///
/// # Errors
///
/// [`Error::Limit`] naming the replications, the metrics and what does
/// work (merging the shards of fewer replications, or fewer metrics);
/// [`Error::Io`] naming a file that cannot be read.
pub fn check_merge<P: AsRef<Path>>(paths: &[P]) -> Result<(), Error> {
    let mut ranges = Vec::new();
    let mut metrics = 0;
    for p in paths {
        if let Some((r, m)) = read_header(p.as_ref())? {
            ranges.extend(r);
            metrics = metrics.max(m);
        }
    }
    let replications: u64 = join_ranges(ranges).iter().map(|(a, b)| b - a).sum();
    let values = replications.saturating_mul(metrics as u64);
    let limit = MAX_STORED_VALUES;
    if values > limit {
        let most = limit / metrics.max(1) as u64;
        return Err(Error::Limit {
            what: format!(
                "merging {} shard files: {replications} replications of {metrics} metrics, stored values",
                paths.len()
            ),
            value: u128::from(values),
            limit: u128::from(limit),
            hint: format!(
                "a merge keeps every replication's metric values (16 bytes each) for exact \
                 quantiles, so more shards do not help; merge the shards of at most {most} \
                 replications (those covering 0..{most}, with --replications {most}), or run a \
                 scenario with fewer metrics (fewer groups, facilities or stages)"
            ),
        });
    }
    Ok(())
}

pub(super) fn join_ranges(mut r: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
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
