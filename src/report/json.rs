//! JSON output of a run or a sweep: a pure function of scenario, seed,
//! replications, overrides and version (no timestamps, no durations), so
//! two runs of the same thing are byte-for-byte equal and can be compared
//! with `cmp`.
//!
//! The documents are serde types ([`RunDocument`], [`SweepDocument`]); the
//! statistics are [`MetricStats`] and [`PairedDiff`] as they serialise. The
//! shape is a public contract: keys keep their names and order, and new
//! keys are only added (a golden snapshot in the tests pins it).
//!
//! # A run
//!
//! ```text
//! { "scenario": "baseline", "version": "0.1.0", "scenario_sha256": "…",
//!   "seed": 1, "replications": 1000, "variant": null,
//!   "overrides": [ { "path": "horizon_days", "value": 60 }, … ],
//!   "metrics": { "transferred": { "n", "mean", "sd", "ci95_low", "ci95_high",
//!                                 "min", "p5", "p50", "p95", "max" }, … },
//!   "series":  { "occupancy.Nasiriyah": { "day": [1, 2, …], "mean": […],
//!                                          "p5": […], "p50": […], "p95": […] }, … },
//!   "answers": { "start_date", "horizon_days", "replications",
//!                "facilities": […], "stages": […], "groups": […] } }
//! ```
//!
//! `answers` (the capacity answers, [`crate::report::answers::Answers`])
//! is there when the document was given them
//! ([`RunDocument::with_answers`]), as `run --json` and `merge --json` do;
//! `docs/cli.md` shows its shape.
//!
//! `overrides` lists the `--set` changes applied to the scenario as given,
//! in order (empty when none; `scenario_sha256` is of the scenario after
//! them). `variant` names the variant (`[variant.NAME]`) run, or is `null`;
//! its overrides come first in `overrides`, each with a `"variant": NAME`
//! key that a `--set` does not have. Metrics and series appear under the reference model's names
//! (`docs/model.md`), in layout order (see [`crate::model::Layout`]). A statistic
//! that is undefined (the mean of no values, the standard deviation of
//! one) is `null`. A series whose daily quantiles fell back to an
//! approximation on some days (past
//! [`MAX_EXACT_VALUES`](crate::stats::MAX_EXACT_VALUES) distinct values in
//! a day) also has `"approximate": { "days", "max_error",
//! "max_relative_error" }` (see [`crate::stats::Approximation`]); without
//! it, every quantile is exact.
//!
//! # A sweep
//!
//! ```text
//! { "scenario": "baseline", "version": "0.1.0", "seed": 1, "replications": 100,
//!   "overrides": [ … ],
//!   "paths": ["court.stage[trial].servers"],
//!   "cells": [ { "params": { "court.stage[trial].servers": 15 },
//!                "scenario_sha256": "…",
//!                "metrics": { NAME: { …as above… } },
//!                "diff":    { NAME: { "n", "mean", "sd", "ci95_low", "ci95_high" } } },
//!              … ] }
//! ```
//!
//! `diff` is the paired difference (cell minus the first cell, replication
//! by replication on common random numbers), so the first cell's is zero.
//! A parameter value is written as a JSON number or boolean when it is one,
//! otherwise as the string given.

use std::io::Write;
use std::path::Path;

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::error::Error;
use crate::montecarlo::Summary;
use crate::montecarlo::sweep::{PairedDiff, SweepResult};
use crate::report::answers::Answers;
use crate::scenario::Override;
use crate::stats::{MetricStats, SeriesBands};

/// `[(name, value)]` serialised as a JSON object in the given order.
#[derive(Debug, Clone, Copy)]
pub struct Named<'a, T>(pub &'a [(String, T)]);

impl<T: Serialize> Serialize for Named<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// One daily series as serialised: `day` (1, 2, …) then the bands `mean`,
/// `p5`, `p50` and `p95`, arrays of equal length, and `approximate` where
/// some of its quantiles are not exact.
#[derive(Debug, Clone, Copy)]
pub struct SeriesDocument<'a>(pub &'a SeriesBands);

/// Days 1..=n as a JSON array.
struct Days(u64);

impl Serialize for Days {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(1..=self.0)
    }
}

impl Serialize for SeriesDocument<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let b = self.0;
        let mut st = s.serialize_struct("Series", 5 + usize::from(b.approximate.is_some()))?;
        st.serialize_field("day", &Days(b.mean.len() as u64))?;
        st.serialize_field("mean", &b.mean)?;
        st.serialize_field("p5", &b.p5)?;
        st.serialize_field("p50", &b.p50)?;
        st.serialize_field("p95", &b.p95)?;
        if let Some(a) = &b.approximate {
            st.serialize_field("approximate", a)?;
        }
        st.end()
    }
}

/// The series of a summary, each as a [`SeriesDocument`].
#[derive(Debug, Clone, Copy)]
struct SeriesMap<'a>(&'a [(String, SeriesBands)]);

impl Serialize for SeriesMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, &SeriesDocument(v))?;
        }
        map.end()
    }
}

/// The JSON document of a run (see the [module docs](self)).
#[derive(Debug, Clone, Serialize)]
pub struct RunDocument<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// custody-sim version that computed it.
    pub version: &'a str,
    /// SHA-256 of the scenario (after the overrides).
    pub scenario_sha256: &'a str,
    /// Master seed.
    pub seed: u64,
    /// Replications run.
    pub replications: u64,
    /// The named variant (`[variant.NAME]`) the scenario was run as
    /// ([`Summary::variant`]); `null` for none.
    pub variant: Option<&'a str>,
    /// The changes, in order: the variant's overrides (each tagged
    /// `"variant"`), then the `--set`s ([`Summary::overrides`]).
    pub overrides: &'a [Override],
    /// Each metric's statistics, in layout order.
    pub metrics: Named<'a, MetricStats>,
    /// Each daily series' bands.
    #[serde(serialize_with = "series_map")]
    pub series: &'a [(String, SeriesBands)],
    /// The capacity answers ([`Answers`]), when the scenario was given
    /// ([`RunDocument::with_answers`]); left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answers: Option<Answers>,
}

fn series_map<S: Serializer>(v: &&[(String, SeriesBands)], s: S) -> Result<S::Ok, S::Error> {
    SeriesMap(v).serialize(s)
}

impl<'a> RunDocument<'a> {
    /// The document of `summary`, naming its variant and the overrides
    /// that made its scenario.
    pub fn new(summary: &'a Summary) -> RunDocument<'a> {
        RunDocument {
            scenario: &summary.scenario,
            version: &summary.version,
            scenario_sha256: &summary.scenario_sha256,
            seed: summary.seed,
            replications: summary.replications,
            variant: summary.variant.as_deref(),
            overrides: &summary.overrides,
            metrics: Named(&summary.metrics),
            series: &summary.series,
            answers: None,
        }
    }

    /// The document with the capacity answers of its summary
    /// ([`Answers::new`]), as `run --json` writes it: an added top-level
    /// `answers` object after `series`.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::{montecarlo::{run, Runs}, presets, report::json::{RunDocument, to_text}};
    ///
    /// let mut scenario = presets::baseline();
    /// scenario.horizon_days = 30;
    /// let s = run(&scenario, &Runs { replications: 2, seed: 1, threads: 0 })?;
    /// use custody_sim::report::answers::Answers;
    /// let doc = RunDocument::new(&s).with_answers(Answers::new(&scenario, &s));
    /// let j: serde_json::Value = serde_json::from_str(&to_text(&doc))?;
    /// assert_eq!(j["answers"]["facilities"][0]["facility"], scenario.facilities[0].name.as_str());
    /// assert!(j["answers"]["facilities"][0]["text"].is_string());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_answers(mut self, answers: Answers) -> RunDocument<'a> {
        self.answers = Some(answers);
        self
    }
}

/// A sweep's parameter values, typed (see [`param_value`]).
struct Params<'a>(&'a [Override]);

impl Serialize for Params<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for o in self.0 {
            map.serialize_entry(&o.path, &o.json_value())?;
        }
        map.end()
    }
}

/// One cell of a [`SweepDocument`].
struct CellDocument<'a>(&'a crate::montecarlo::sweep::Cell);

impl Serialize for CellDocument<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut st = s.serialize_struct("Cell", 4)?;
        st.serialize_field("params", &Params(&c.params))?;
        st.serialize_field("scenario_sha256", &c.summary.scenario_sha256)?;
        st.serialize_field("metrics", &Named(&c.summary.metrics))?;
        st.serialize_field("diff", &Named::<PairedDiff>(&c.diff))?;
        st.end()
    }
}

/// The JSON document of a sweep (see the [module docs](self)); its
/// `overrides` are the sweep's ([`SweepResult::overrides`]).
#[derive(Debug, Clone, Copy)]
pub struct SweepDocument<'a> {
    /// The sweep.
    pub result: &'a SweepResult,
}

impl Serialize for SweepDocument<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.result;
        let first = r.cells.first().map(|c| &c.summary);
        let version = first.map_or(env!("CARGO_PKG_VERSION"), |s| s.version.as_str());
        let mut st = s.serialize_struct("Sweep", 7)?;
        st.serialize_field("scenario", &first.map(|s| &s.scenario))?;
        st.serialize_field("version", version)?;
        st.serialize_field("seed", &first.map(|s| s.seed))?;
        st.serialize_field("replications", &first.map(|s| s.replications))?;
        st.serialize_field("overrides", &r.overrides)?;
        st.serialize_field("paths", &r.paths)?;
        let cells: Vec<CellDocument<'_>> = r.cells.iter().map(CellDocument).collect();
        st.serialize_field("cells", &cells)?;
        st.end()
    }
}

/// A serialisable value as a JSON [`Value`].
fn value(doc: &impl Serialize) -> Value {
    // Our documents have string keys only: serialising cannot fail.
    serde_json::to_value(doc).unwrap_or(Value::Null)
}

/// The statistics of one metric as a JSON object with the keys `n`,
/// `mean`, `sd`, `ci95_low`, `ci95_high`, `min`, `p5`, `p50`, `p95`, `max`.
pub fn metric_json(m: &MetricStats) -> Value {
    value(m)
}

/// The bands of one daily series as a JSON object with the keys `day`
/// (1, 2, …), `mean`, `p5`, `p50` and `p95`, arrays of equal length.
pub fn series_json(b: &SeriesBands) -> Value {
    value(&SeriesDocument(b))
}

/// A paired difference as a JSON object with the keys `n`, `mean`, `sd`,
/// `ci95_low`, `ci95_high`.
pub fn diff_json(d: &PairedDiff) -> Value {
    value(d)
}

/// The JSON document of a run (see the [module docs](self) for its
/// shape), naming the variant and the overrides the summary carries.
///
/// # Example
///
/// ```
/// use custody_sim::{montecarlo::{run, Runs}, presets, report::json::summary_json};
///
/// let s = run(&presets::baseline(), &Runs { replications: 4, seed: 1, threads: 0 })?;
/// let j = summary_json(&s);
/// assert_eq!(j["replications"], 4);
/// assert_eq!(j["metrics"]["transferred"]["n"], 4);
/// assert_eq!(j["series"]["in_custody"]["day"][0], 1);
/// assert_eq!(j["overrides"].as_array().map(Vec::len), Some(0));
///
/// let scenario = presets::baseline().with_param("horizon_days", "30")?;
/// let s = run(&scenario, &Runs { replications: 2, seed: 1, threads: 0 })?;
/// let j = summary_json(&s);
/// assert_eq!(j["overrides"][0]["path"], "horizon_days");
/// assert_eq!(j["overrides"][0]["value"], 30);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn summary_json(s: &Summary) -> Value {
    value(&RunDocument::new(s))
}

/// A parameter value as given on the command line, as JSON: a number or a
/// boolean when it reads as one, otherwise the string itself.
/// The same as [`Override::json_value`].
pub fn param_value(v: &str) -> Value {
    crate::scenario::overrides::json_value(v)
}

/// The JSON document of a sweep (see the [module docs](self) for its
/// shape), listing the overrides of its base scenario.
///
/// # Example
///
/// ```
/// use custody_sim::{montecarlo::Runs, presets, report::json::sweep_json, sweep::{sweep, Vary}};
///
/// let grid = [Vary::new("court.stage[trial].servers", [15, 30])];
/// let r = sweep(&presets::baseline(), &grid, &Runs { replications: 4, seed: 1, threads: 0 })?;
/// let j = sweep_json(&r);
/// assert_eq!(j["cells"][1]["params"]["court.stage[trial].servers"], 30);
/// assert_eq!(j["cells"][0]["diff"]["transferred"]["mean"], 0.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sweep_json(r: &SweepResult) -> Value {
    value(&SweepDocument { result: r })
}

/// The document as pretty-printed text with a trailing newline: the exact
/// bytes [`write_json`] writes.
pub fn to_text(value: &impl Serialize) -> String {
    // Our documents (string keys; a non-finite number becomes `null`)
    // always serialise.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes `doc` (a [`Value`], a [`RunDocument`], a [`SweepDocument`], …),
/// pretty-printed with a trailing newline, to the file `to` atomically
/// (see [`crate::report::write_atomic`]), or to standard output when `to`
/// is `-`.
///
/// # Errors
///
/// [`Error::Io`] naming the file (or `-`) if it cannot be written.
pub fn write_json(doc: &impl Serialize, to: &Path) -> Result<(), Error> {
    let text = to_text(doc);
    if to == Path::new("-") {
        let io = |source| Error::Io {
            path: to.to_path_buf(),
            source,
        };
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).map_err(io)?;
        out.flush().map_err(io)
    } else {
        super::write_bytes_atomic(to, text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_values_print_the_same_bytes() {
        let m = MetricStats::from_values(&[1.0, 2.0, 4.5]);
        let summary = Summary {
            scenario: "x".into(),
            version: "0".into(),
            scenario_sha256: "ab".into(),
            start_date: "2026-01-21".into(),
            horizon_days: 2,
            seed: 3,
            replications: 3,
            metrics: vec![
                ("a".into(), m.clone()),
                ("b".into(), MetricStats::from_values(&[])),
            ],
            series: vec![(
                "s".into(),
                SeriesBands {
                    mean: vec![1.0, f64::NAN],
                    p5: vec![1.0, 2.0],
                    p50: vec![1.0, 2.0],
                    p95: vec![1.0, 2.0],
                    approximate: None,
                },
            )],
            variant: None,
            overrides: [Override::new("horizon_days", "2")].to_vec().into(),
            past_horizon: Vec::new(),
        };
        let doc = RunDocument::new(&summary);
        assert_eq!(to_text(&doc), to_text(&summary_json(&summary)));
        let j = summary_json(&summary);
        assert_eq!(j["metrics"]["b"]["mean"], Value::Null);
        assert_eq!(j["series"]["s"]["mean"][1], Value::Null, "NaN is null");
        assert_eq!(j["series"]["s"]["day"], serde_json::json!([1, 2]));
        let keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "scenario",
                "version",
                "scenario_sha256",
                "seed",
                "replications",
                "variant",
                "overrides",
                "metrics",
                "series"
            ]
        );
        assert_eq!(j["variant"], Value::Null);
        assert_eq!(j["overrides"][0]["value"], 2);
        // A variant's overrides carry its name; the document names it.
        let summary = Summary {
            variant: Some("high".into()),
            overrides: [
                Override::from_variant("high", "horizon_days", "2"),
                Override::new("seed", "1"),
            ]
            .to_vec()
            .into(),
            ..summary
        };
        let j = summary_json(&summary);
        assert_eq!(j["variant"], "high");
        assert_eq!(j["overrides"][0]["variant"], "high");
        assert!(j["overrides"][1].get("variant").is_none());
        assert_eq!(param_value("30"), Value::from(30));
        assert_eq!(param_value("0.5"), Value::from(0.5));
        assert_eq!(param_value("true"), Value::Bool(true));
        assert_eq!(param_value("inf"), Value::from("inf"));
    }
}
