//! What one replication reports: the metrics and daily series of the reference model (docs/model.md),
//! under their exact names, and the daily records and running peaks they
//! are read from (`record` writes and reads them).

use std::collections::HashMap;
use std::sync::Arc;

use super::schema::{self, Metric, MetricDef, SeriesDef};
use crate::error::Error;
use crate::scenario::Scenario;

/// The schema row of the `param.<path>` metrics of `[uncertainty]`
/// (appended after the table's metrics, one per uncertain path).
pub(crate) static PARAM_METRIC: MetricDef = MetricDef {
    key: Metric::Param,
    pattern: "param.<path>",
    meaning: "The value the uncertain parameter `<path>` took in the replication.",
    unit: "the parameter's",
    scope: schema::Scope::Global,
    condition: schema::Condition::Always,
    headline: false,
};

/// The names of the metrics and daily series of a scenario, in a fixed
/// order shared by every outcome and summary of it.
///
/// Derived from the schema ([`schema::METRICS`], [`schema::SERIES`]): each
/// name comes with its row (meaning, unit, scope) and the entity it is
/// about. `docs/model.md` holds the same tables
/// ([`schema::schema_markdown`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    metrics: Vec<String>,
    series: Vec<String>,
    /// Per metric: its row and entity index (group, facility, stage, ...).
    pub(super) metric_keys: Vec<(&'static MetricDef, u32)>,
    /// Per series: its row and entity index.
    pub(super) series_keys: Vec<(&'static SeriesDef, u32)>,
    horizon_days: u32,
    metric_index: HashMap<String, usize>,
    series_index: HashMap<String, usize>,
}

impl Layout {
    /// The layout of scenario `s` (which need not be valid: only its
    /// names are read).
    pub(crate) fn new(s: &Scenario) -> Layout {
        let (mut metrics, mut metric_keys): (Vec<String>, Vec<_>) =
            schema::expand(schema::METRICS, s)
                .into_iter()
                .map(|(n, d, e)| (n, (d, e)))
                .unzip();
        if let Some(u) = &s.uncertainty {
            for path in u.paths() {
                metrics.push(format!("param.{path}"));
                metric_keys.push((&PARAM_METRIC, 0));
            }
        }
        let (series, series_keys): (Vec<String>, Vec<_>) = schema::expand(schema::SERIES, s)
            .into_iter()
            .map(|(n, d, e)| (n, (d, e)))
            .unzip();
        let index = |v: &[String]| v.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
        Layout {
            metric_index: index(&metrics),
            series_index: index(&series),
            metrics,
            series,
            metric_keys,
            series_keys,
            horizon_days: s.horizon_days,
        }
    }

    /// Metric names, in order.
    pub fn metrics(&self) -> &[String] {
        &self.metrics
    }

    /// Daily series names, in order.
    pub fn series(&self) -> &[String] {
        &self.series
    }

    /// Days per series (days 1..=horizon).
    pub fn horizon_days(&self) -> u32 {
        self.horizon_days
    }

    /// Position of a metric; `None` if no metric has that name (prefer
    /// [`Layout::find_metric`], whose error lists the valid names).
    pub fn metric_index(&self, name: &str) -> Option<usize> {
        self.metric_index.get(name).copied()
    }

    /// Position of a series; `None` if no series has that name (prefer
    /// [`Layout::find_series`]).
    pub fn series_index(&self, name: &str) -> Option<usize> {
        self.series_index.get(name).copied()
    }

    /// Position of metric `name`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] listing the valid names, closest first.
    pub fn find_metric(&self, name: &str) -> Result<usize, Error> {
        self.metric_index(name)
            .ok_or_else(|| schema::unknown("metric", name, &self.metrics))
    }

    /// Position of daily series `name`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] listing the valid names, closest first.
    pub fn find_series(&self, name: &str) -> Result<usize, Error> {
        self.series_index(name)
            .ok_or_else(|| schema::unknown("series", name, &self.series))
    }

    /// The schema row of the metric at position `i` (its meaning, unit,
    /// scope).
    ///
    /// # Panics
    ///
    /// If `i` is not below `metrics().len()`.
    pub fn metric_def(&self, i: usize) -> &'static MetricDef {
        self.metric_keys[i].0
    }

    /// The schema row of the series at position `i`.
    ///
    /// # Panics
    ///
    /// If `i` is not below `series().len()`.
    pub fn series_def(&self, i: usize) -> &'static SeriesDef {
        self.series_keys[i].0
    }

    /// The position of the metric of kind `key` for entity `entity`
    /// (index of the group, facility, stage or sentence; 0 for a global
    /// metric), if the scenario reports it.
    pub fn position(&self, key: Metric, entity: usize) -> Option<usize> {
        self.metric_keys
            .iter()
            .position(|&(d, e)| d.key == key && e as usize == entity)
    }
}

/// The result of one replication: every metric at the horizon and every
/// daily series.
///
/// # Example
///
/// ```
/// use custody_sim::{presets, simulate};
///
/// let out = simulate(&presets::plan_2026_01(), 1)?;
/// // Each end-of-day record: occupancy of Nasiriyah on day 1.
/// let day1 = out.series("occupancy.Nasiriyah").unwrap()[0];
/// assert!(day1 >= 14_000);
/// // A metric with no value (no verdict yet, say) is `None`.
/// for (name, value) in out.metrics() {
///     if let Some(v) = value { assert!(v.is_finite(), "{name}"); }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub(super) layout: Arc<Layout>,
    pub(super) values: Vec<Option<f64>>,
    /// Series after series, `horizon_days` values each.
    pub(super) series: Vec<u32>,
}

impl Outcome {
    /// The names of this outcome's metrics and series.
    pub fn layout(&self) -> &Arc<Layout> {
        &self.layout
    }

    /// The value of metric `name`; `None` if the metric had no value in
    /// this replication (no verdict, say) or no metric has that name
    /// ([`Outcome::try_metric`] tells the two apart).
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.layout.metric_index(name).and_then(|i| self.values[i])
    }

    /// Every metric with its value, in [`Layout`] order.
    pub fn metrics(&self) -> impl Iterator<Item = (&str, Option<f64>)> {
        self.layout
            .metrics
            .iter()
            .map(String::as_str)
            .zip(self.values.iter().copied())
    }

    /// The value of metric `name`; `Ok(None)` if it had no value in this
    /// replication (no verdict, say).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] if no metric has that name, listing the
    /// valid names.
    pub fn try_metric(&self, name: &str) -> Result<Option<f64>, Error> {
        Ok(self.values[self.layout.find_metric(name)?])
    }

    /// The daily series `name` (element 0 is day 1).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] if no series has that name, listing the
    /// valid names.
    pub fn try_series(&self, name: &str) -> Result<&[u32], Error> {
        Ok(self.series_at(self.layout.find_series(name)?))
    }

    /// Metric values in [`Layout`] order.
    pub fn values(&self) -> &[Option<f64>] {
        &self.values
    }

    /// The daily series `name`: the end-of-day record of days 1..=horizon
    /// (element 0 is day 1) \[persons\].
    pub fn series(&self, name: &str) -> Option<&[u32]> {
        self.layout.series_index(name).map(|i| self.series_at(i))
    }

    /// The daily series at position `i` of [`Layout::series`].
    ///
    /// # Panics
    ///
    /// If `i` is not below `layout().series().len()`: the index is meant
    /// to come from the layout. Look a series up by name with
    /// [`Outcome::series`] or [`Outcome::try_series`] for a checked lookup.
    pub fn series_at(&self, i: usize) -> &[u32] {
        let h = self.layout.horizon_days as usize;
        &self.series[i * h..(i + 1) * h]
    }
}

/// Daily records and running peaks of a replication.
#[derive(Debug)]
pub(crate) struct Records {
    pub(super) peak_occ: Vec<u64>,
    pub(super) peak_rate: Vec<f64>,
    pub(super) days_over: Vec<u64>,
    pub(super) first_over: Vec<Option<u32>>,
    /// Per facility: the first end-of-day record at which the highest
    /// occupancy rate so far was reached (`None` before any record with
    /// beds).
    pub(super) peak_day: Vec<Option<u32>>,
    /// Per facility: the first end-of-day record after `peak_day` at or
    /// below the day's beds (reset when a new peak is reached).
    pub(super) back_under: Vec<Option<u32>>,
    pub(super) peak_queue: Vec<u64>,
    /// Per facility: the last end-of-day occupancy.
    pub(super) last_occ: Vec<u64>,
    /// Per facility: sum of end-of-day occupancy above capacity.
    pub(super) excess: Vec<u64>,
    /// Sum of end-of-day occupancy × cost per detainee-day.
    pub(super) cost: f64,
}

impl Records {
    pub(crate) fn new(facilities: usize, stages: usize) -> Records {
        Records {
            peak_occ: vec![0; facilities],
            peak_rate: vec![0.0; facilities],
            days_over: vec![0; facilities],
            first_over: vec![None; facilities],
            peak_day: vec![None; facilities],
            back_under: vec![None; facilities],
            peak_queue: vec![0; stages],
            last_occ: vec![0; facilities],
            excess: vec![0; facilities],
            cost: 0.0,
        }
    }
}
