//! JSON output of a run or a sweep: a pure function of scenario, seed,
//! replications and version (no timestamps, no durations), so two runs of
//! the same thing are byte-for-byte equal and can be compared with `cmp`.
//!
//! # A run
//!
//! ```text
//! { "scenario": "baseline", "version": "0.1.0", "scenario_sha256": "…",
//!   "seed": 1, "replications": 1000,
//!   "metrics": { "transferred": { "n", "mean", "sd", "ci95_low", "ci95_high",
//!                                 "min", "p5", "p50", "p95", "max" }, … },
//!   "series":  { "occupancy.Nasiriyah": { "day": [1, 2, …], "mean": […],
//!                                          "p5": […], "p50": […], "p95": […] }, … } }
//! ```
//!
//! Metrics and series appear under MODEL.md's names, in layout order (see
//! [`crate::Layout`]). A statistic that is undefined (the mean of no
//! values, the standard deviation of one) is `null`.
//!
//! # A sweep
//!
//! ```text
//! { "scenario": "baseline", "version": "0.1.0", "seed": 1, "replications": 100,
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

use serde_json::{Map, Value, json};

use crate::Error;
use crate::montecarlo::Summary;
use crate::stats::{MetricStats, SeriesBands};
use crate::sweep::{PairedDiff, SweepResult};

/// A number, or `null` when it is undefined or not finite.
fn num(x: Option<f64>) -> Value {
    x.filter(|v| v.is_finite()).map_or(Value::Null, Value::from)
}

/// The statistics of one metric as a JSON object with the keys `n`,
/// `mean`, `sd`, `ci95_low`, `ci95_high`, `min`, `p5`, `p50`, `p95`, `max`.
pub fn metric_json(m: &MetricStats) -> Value {
    json!({
        "n": m.n,
        "mean": num(m.mean),
        "sd": num(m.sd),
        "ci95_low": num(m.ci95_low),
        "ci95_high": num(m.ci95_high),
        "min": num(m.min),
        "p5": num(m.p5),
        "p50": num(m.p50),
        "p95": num(m.p95),
        "max": num(m.max),
    })
}

/// The bands of one daily series as a JSON object with the keys `day`
/// (1, 2, …), `mean`, `p5`, `p50` and `p95`, arrays of equal length.
pub fn series_json(b: &SeriesBands) -> Value {
    let arr = |v: &[f64]| Value::Array(v.iter().map(|&x| num(Some(x))).collect());
    let days = b.mean.len() as u64;
    json!({
        "day": (1..=days).collect::<Vec<u64>>(),
        "mean": arr(&b.mean),
        "p5": arr(&b.p5),
        "p50": arr(&b.p50),
        "p95": arr(&b.p95),
    })
}

/// A paired difference as a JSON object with the keys `n`, `mean`, `sd`,
/// `ci95_low`, `ci95_high`.
pub fn diff_json(d: &PairedDiff) -> Value {
    json!({
        "n": d.n,
        "mean": num(d.mean),
        "sd": num(d.sd),
        "ci95_low": num(d.ci95_low),
        "ci95_high": num(d.ci95_high),
    })
}

fn metrics_json(s: &Summary) -> Value {
    Value::Object(
        s.metrics
            .iter()
            .map(|(name, m)| (name.clone(), metric_json(m)))
            .collect::<Map<_, _>>(),
    )
}

/// The JSON document of a run (see the [module docs](self) for its shape).
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
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn summary_json(s: &Summary) -> Value {
    let series: Map<String, Value> = s
        .series
        .iter()
        .map(|(name, b)| (name.clone(), series_json(b)))
        .collect();
    json!({
        "scenario": s.scenario,
        "version": s.version,
        "scenario_sha256": s.scenario_sha256,
        "seed": s.seed,
        "replications": s.replications,
        "metrics": metrics_json(s),
        "series": series,
    })
}

/// A parameter value as given on the command line, as JSON: a number or a
/// boolean when it reads as one, otherwise the string itself.
pub fn param_value(v: &str) -> Value {
    let t = v.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Value::from(i);
    }
    if let Ok(x) = t.parse::<f64>()
        && x.is_finite()
        && t.chars().any(|c| c.is_ascii_digit())
    {
        return Value::from(x);
    }
    match t {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(v.to_string()),
    }
}

/// The JSON document of a sweep (see the [module docs](self) for its
/// shape).
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
    let first = r.cells.first().map(|c| &c.summary);
    let cells: Vec<Value> = r
        .cells
        .iter()
        .map(|c| {
            let params: Map<String, Value> = c
                .params
                .iter()
                .map(|(p, v)| (p.clone(), param_value(v)))
                .collect();
            let diff: Map<String, Value> = c
                .diff
                .iter()
                .map(|(name, d)| (name.clone(), diff_json(d)))
                .collect();
            json!({
                "params": params,
                "scenario_sha256": c.summary.scenario_sha256,
                "metrics": metrics_json(&c.summary),
                "diff": diff,
            })
        })
        .collect();
    json!({
        "scenario": first.map(|s| s.scenario.clone()),
        "version": first.map_or_else(|| env!("CARGO_PKG_VERSION").to_string(), |s| s.version.clone()),
        "seed": first.map(|s| s.seed),
        "replications": first.map(|s| s.replications),
        "paths": r.paths,
        "cells": cells,
    })
}

/// The document as pretty-printed text with a trailing newline: the exact
/// bytes [`write_json`] writes.
pub fn to_text(value: &Value) -> String {
    // Serialising a `Value` (string keys, finite numbers) cannot fail.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes `value`, pretty-printed with a trailing newline, to the file
/// `to`, or to standard output when `to` is `-`.
///
/// # Errors
///
/// [`Error::Io`] naming the file (or `-`) if it cannot be written.
pub fn write_json(value: &Value, to: &Path) -> Result<(), Error> {
    let text = to_text(value);
    let io = |source| Error::Io {
        path: to.to_path_buf(),
        source,
    };
    if to == Path::new("-") {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).map_err(io)?;
        out.flush().map_err(io)
    } else {
        std::fs::write(to, text).map_err(io)
    }
}
