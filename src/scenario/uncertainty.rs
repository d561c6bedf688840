//! Uncertain parameters (`[uncertainty]`, v2): second-order Monte Carlo.
//!
//! Some parameter paths get a distribution instead of one value; before
//! each replication the runner sets each one to a draw from that
//! replication's own parameter stream, then one row of an optional
//! `posterior` file of weighted joint draws (see docs/model.md,
//! "Uncertain parameters").
//!
//! Each path, listed or a posterior column, must keep the shape of the
//! results (not `horizon_days`, `start_date`, a name or a list: see
//! [`Scenario::varying_path`](super::Scenario::varying_path)), and each parameter is uncertain once,
//! whichever way its path is spelled.
//!
//! # Order of the draws
//!
//! The listed paths are drawn in the order of [`Uncertainty::params`]:
//! the order they are written in the scenario file (the TOML reader keeps
//! a table's keys in file order), or the order given in Rust. A scenario
//! and its [`Scenario::to_toml_string`](super::Scenario::to_toml_string) form therefore draw the same
//! values, path for path. One posterior row is drawn after them.
//!
//! # Example
//!
//! ```
//! use custody_sim::montecarlo::{Runs, run};
//! use custody_sim::{presets, Dist, Scenario, scenario::Uncertainty};
//!
//! let mut s = presets::baseline();
//! s.uncertainty = Some(Uncertainty::new([(
//!     "court.conviction_probability",
//!     Dist::uniform(0.85, 0.99),
//! )]));
//! s.validate()?; // both ends, 0.85 and 0.99, are valid
//! // The table round-trips through TOML.
//! assert_eq!(Scenario::from_toml_str(&s.to_toml_string())?, s);
//! // Each replication reports the value it used.
//! let sum = run(&s, &Runs { replications: 8, seed: 1, threads: 0 })?;
//! let p = sum.metric("param.court.conviction_probability").unwrap();
//! assert!(p.min.unwrap() >= 0.85 && p.max.unwrap() <= 0.99);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use super::dist::Dist;
use super::param_dist::ParamDist;
use super::problems::ScenarioErrors;
use crate::error::Error;

/// The `[uncertainty]` table: per-path distributions and an optional file
/// of weighted joint posterior draws.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Uncertainty {
    /// Parameter paths (as in `--set`) and their distributions, in the
    /// order they are drawn: file order for a table read from TOML (not
    /// alphabetical), the given order for one built in Rust; TOML is
    /// written back in this order. Values are in the parameter's own unit
    /// (days, persons, probability).
    pub params: Vec<ParamDist>,
    /// The `posterior` file as written: a CSV with one column per path,
    /// then an optional `weight` column (what
    /// [`Posterior::write_csv`](crate::calibrate::Posterior::write_csv)
    /// writes), relative to the scenario file's directory.
    pub posterior: Option<String>,
    /// The rows of `posterior`, once loaded ([`Scenario::from_path`](super::Scenario::from_path) or
    /// [`Scenario::load_posterior`](super::Scenario::load_posterior)); not written back to TOML.
    pub posterior_table: Option<PosteriorTable>,
}

/// Weighted joint draws read from a `posterior` CSV file.
///
/// Serialises (to JSON) with these field names: a shard file carries the
/// rows its replications drew from, so merging needs no file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PosteriorTable {
    /// Parameter paths, one per column.
    pub columns: Vec<String>,
    /// One row of values per draw, in column order (parameter units).
    pub rows: Vec<Vec<f64>>,
    /// Per row: its weight (>= 0, not all 0); all 1 when the file has no
    /// `weight` column.
    pub weights: Vec<f64>,
}

impl Uncertainty {
    /// Uncertain parameters without a posterior file: [`ParamDist`]s, or
    /// `(path, dist)` pairs.
    pub fn new(params: impl IntoIterator<Item = impl Into<ParamDist>>) -> Uncertainty {
        Uncertainty {
            params: params.into_iter().map(Into::into).collect(),
            posterior: None,
            posterior_table: None,
        }
    }

    /// Every uncertain path, listed ones first, then posterior columns:
    /// the order of the `param.<path>` metrics.
    pub fn paths(&self) -> Vec<String> {
        let mut v: Vec<String> = self.params.iter().map(|p| p.path.clone()).collect();
        if let Some(t) = &self.posterior_table {
            v.extend(t.columns.iter().cloned());
        }
        v
    }
}

impl PosteriorTable {
    /// Parses posterior CSV text: a header of parameter paths, optionally
    /// ending in `weight`, then one row of numbers per draw.
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] at `uncertainty.posterior` naming `file` and the
    /// line of a malformed row, a bad number or a bad weight.
    pub fn from_csv_str(text: &str, file: &str) -> Result<PosteriorTable, Error> {
        let bad = |m: String| {
            Error::Scenario(ScenarioErrors::one(
                "uncertainty.posterior",
                format!("{file}: {m}"),
            ))
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| bad(format!("header: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        let has_weight = header.last().is_some_and(|h| h == "weight");
        let columns: Vec<String> = header[..header.len() - usize::from(has_weight)].to_vec();
        if columns.is_empty() {
            return Err(bad("no parameter columns".into()));
        }
        let mut rows = Vec::new();
        let mut weights = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let line = i + 2;
            let rec = rec.map_err(|e| bad(format!("line {line}: {e}")))?;
            let mut row = Vec::with_capacity(columns.len());
            for (j, field) in rec.iter().enumerate() {
                let x: f64 = field
                    .parse()
                    .ok()
                    .filter(|x: &f64| x.is_finite())
                    .ok_or_else(|| bad(format!("line {line}: {field:?} is not a finite number")))?;
                if has_weight && j == columns.len() {
                    if x < 0.0 {
                        return Err(bad(format!("line {line}: weight {x} is negative")));
                    }
                    weights.push(x);
                } else {
                    row.push(x);
                }
            }
            if !has_weight {
                weights.push(1.0);
            }
            rows.push(row);
        }
        if rows.is_empty() {
            return Err(bad("no rows".into()));
        }
        if weights.iter().sum::<f64>() <= 0.0 {
            return Err(bad("every weight is 0".into()));
        }
        Ok(PosteriorTable {
            columns,
            rows,
            weights,
        })
    }
}

impl JsonSchema for Uncertainty {
    fn schema_name() -> Cow<'static, str> {
        "Uncertainty".into()
    }

    /// `posterior`, a file name, and any other key a parameter path with
    /// its distribution (which paths are settable is `check`'s to say).
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Uncertain parameters (v2): each key a parameter path (as --set takes it, quoted) with a distribution drawn per replication, and an optional posterior file of weighted joint draws.",
            "type": "object",
            "properties": {
                "posterior": {
                    "description": "A CSV file of weighted joint draws (one column per parameter path, then an optional weight column), relative to the scenario file's folder.",
                    "type": "string"
                }
            },
            "additionalProperties": generator.subschema_for::<Dist>()
        })
    }
}

impl Serialize for Uncertainty {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(Some(self.params.len() + 1))?;
        for p in &self.params {
            m.serialize_entry(&p.path, &p.dist)?;
        }
        if let Some(f) = &self.posterior {
            m.serialize_entry("posterior", f)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Uncertainty {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Uncertainty;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of parameter paths and `dist` tables, and `posterior`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Uncertainty, A::Error> {
                let mut u = Uncertainty::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "posterior" {
                        u.posterior = Some(map.next_value()?);
                    } else if u.params.iter().any(|p| p.path == key) {
                        return Err(de::Error::custom(format!("duplicate key {key:?}")));
                    } else {
                        let d: Dist = map.next_value()?;
                        u.params.push(ParamDist::new(key, d));
                    }
                }
                Ok(u)
            }
        }
        de.deserialize_map(V)
    }
}

/// The key path of uncertain parameter `path`: `uncertainty."court.x"`.
pub(crate) fn key(path: &str) -> String {
    format!("uncertainty.{path:?}")
}
