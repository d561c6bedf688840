//! Sets of parameter overrides: the one type for "these parameter paths,
//! set to these values, in this order", wherever such a set comes from
//! and wherever it goes.
//!
//! An [`Override`] is a parameter path (as `--set` takes it, see
//! [`super::path`]), the value as written, and where it comes from: a
//! named variant (`[variant.NAME]`, or a `compare --variant LABEL:…`), or
//! nothing for a `--set` (and for the cell values of a sweep). An
//! [`Overrides`] is an ordered list of them. The same list is
//!
//! - a variant's changes ([`super::Variant::overrides`]),
//! - what a shard or sweep shard records of the changes that made its
//!   scenario ([`crate::montecarlo::Shard::overrides`]),
//! - the parameters of a sweep cell
//!   ([`crate::montecarlo::sweep::Cell::params`]),
//! - what a scenario records of what made it ([`Scenario::applied`](super::Scenario::applied), an
//!   [`Applied`]), which a run's summary
//!   ([`crate::montecarlo::Summary::overrides`]) and a sweep's result
//!   carry, and so what every report says a result is a result of
//!   (`report::json`, `report::table`, `report::html`, `report::plots`),
//!
//! and [`Scenario::with_overrides`](super::Scenario::with_overrides) applies any of them.
//!
//! # Values
//!
//! A value is kept as written (the text `--set PATH=VALUE` takes: TOML,
//! or a bare string where it is not TOML), so that outputs repeat what the
//! user gave. A variant read from a scenario file holds each TOML value in
//! that form (a string bare where it reads back as itself, quoted
//! otherwise), which reads back as the same value.
//!
//! # Serialised forms
//!
//! - In JSON outputs (`Serialize`): a list of objects
//!   `{"path": "court.stage[trial].servers", "value": 30}`, the value as a
//!   number or boolean when it reads as one ([`Override::json_value`]),
//!   with a third key `"variant": "NAME"` for an override of a variant.
//! - In shard files: a list of `[path, value]` pairs (the shard format
//!   is unchanged), the origin kept beside them.
//! - In a scenario file: a `[variant.NAME]` table (see [`super::variant`]).

use std::fmt;
use std::ops::Deref;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

/// One parameter override: a path, its value as written, and the variant
/// it comes from (`None` for a `--set`).
///
/// In JSON it reads `{"path": "court.stage[trial].servers", "value": 30}`:
/// the value as a number or boolean when it reads as one, otherwise the
/// string given. An override that comes from a variant (`[variant.NAME]`)
/// has a third key, `"variant": "NAME"`; a `--set` has none.
///
/// # Example
///
/// ```
/// use custody_sim::scenario::Override;
///
/// let o = Override::new("court.stage[trial].servers", "30");
/// assert_eq!(o.to_string(), "court.stage[trial].servers=30");
/// assert_eq!(
///     serde_json::to_string(&o)?,
///     r#"{"path":"court.stage[trial].servers","value":30}"#
/// );
/// let v = Override::from_variant("high", "horizon_days", "365");
/// assert_eq!(serde_json::to_value(&v)?["variant"], "high");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The parameter path, e.g. `court.stage[trial].servers`.
    pub path: String,
    /// The value, as written (as `--set` takes it).
    pub value: String,
    /// The variant it comes from; `None` for a `--set`.
    pub variant: Option<String>,
}

impl Override {
    /// An override of `path` by `value` (a `--set`).
    pub fn new(path: impl Into<String>, value: impl Into<String>) -> Override {
        Override {
            path: path.into(),
            value: value.into(),
            variant: None,
        }
    }

    /// An override of `path` by `value` that comes from variant `variant`.
    pub fn from_variant(
        variant: impl Into<String>,
        path: impl Into<String>,
        value: impl Into<String>,
    ) -> Override {
        Override {
            variant: Some(variant.into()),
            ..Override::new(path, value)
        }
    }

    /// The value as TOML, read as `--set` reads it: TOML, or a bare string
    /// where it is not TOML.
    pub fn toml_value(&self) -> toml::Value {
        parse_value(&self.value)
    }

    /// The value as JSON: a number or a boolean when it reads as one,
    /// otherwise the string itself (the `value` of the JSON form).
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::scenario::Override;
    ///
    /// assert_eq!(Override::new("a", "30").json_value(), 30);
    /// assert_eq!(Override::new("a", "0.5").json_value(), 0.5);
    /// assert_eq!(Override::new("a", "true").json_value(), true);
    /// assert_eq!(Override::new("a", "2026-02-01").json_value(), "2026-02-01");
    /// ```
    pub fn json_value(&self) -> serde_json::Value {
        json_value(&self.value)
    }
}

/// A value as written, as JSON (see [`Override::json_value`]).
pub(crate) fn json_value(v: &str) -> serde_json::Value {
    use serde_json::Value;
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

/// A TOML value as `--set` takes it: a string bare where `--set` reads it
/// back as the same string, quoted otherwise; other values as TOML. Read
/// back ([`Override::toml_value`]), it is the same value.
pub(crate) fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) if parse_value(s) == *v => s.clone(),
        other => other.to_string(),
    }
}

impl fmt::Display for Override {
    /// `path=value`, as on the command line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.path, self.value)
    }
}

impl Serialize for Override {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = 2 + usize::from(self.variant.is_some());
        let mut st = s.serialize_struct("Override", n)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("value", &self.json_value())?;
        if let Some(v) = &self.variant {
            st.serialize_field("variant", v)?;
        }
        st.end()
    }
}

/// A set of parameter overrides, applied in order (see the [module
/// docs](self)): a variant's, the `--set`s of a command line, a sweep
/// cell's parameters, or all that made a scenario from its file (the
/// variant's first, then the `--set`s).
///
/// It derefs to a slice of [`Override`]s, so `&overrides` is what a
/// function taking `&[Override]` takes.
///
/// # Example: the `--set`s of a command line, applied
///
/// ```
/// use custody_sim::{presets, scenario::Overrides};
///
/// let sets = Overrides::new()
///     .set("court.stage[trial].servers", "30")
///     .set("horizon_days", "365");
/// let s = presets::baseline().with_overrides(&sets)?;
/// assert_eq!((s.court.stages[2].servers, s.horizon_days), (30, 365));
/// assert_eq!(sets[1].path, "horizon_days");
/// assert!(sets.iter().all(|o| o.variant.is_none()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Overrides(Vec<Override>);

impl Overrides {
    /// No overrides.
    pub fn new() -> Overrides {
        Overrides(Vec::new())
    }

    /// Adds a `--set PATH=VALUE` (no variant), value as written.
    pub fn set(mut self, path: impl Into<String>, value: impl Into<String>) -> Overrides {
        self.0.push(Override::new(path, value));
        self
    }

    /// `--set`s from `(path, value)` pairs, values as written.
    pub fn from_pairs<P: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (P, V)>,
    ) -> Overrides {
        pairs
            .into_iter()
            .map(|(p, v)| Override::new(p, v))
            .collect()
    }

    /// Adds an override at the end.
    pub fn push(&mut self, o: Override) {
        self.0.push(o);
    }

    /// The number of overrides.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The overrides as `(path, value)` pairs, in order.
    pub fn pairs(&self) -> Vec<(&str, &str)> {
        self.0
            .iter()
            .map(|o| (o.path.as_str(), o.value.as_str()))
            .collect()
    }

    /// The overrides that come from a variant, in order.
    pub fn of_variants(&self) -> Overrides {
        self.0
            .iter()
            .filter(|o| o.variant.is_some())
            .cloned()
            .collect()
    }

    /// The overrides that come from no variant (`--set`s), in order.
    pub fn sets(&self) -> Overrides {
        self.0
            .iter()
            .filter(|o| o.variant.is_none())
            .cloned()
            .collect()
    }

    /// The same overrides, each tagged as coming from variant `name`.
    pub fn tagged(mut self, name: &str) -> Overrides {
        for o in &mut self.0 {
            o.variant = Some(name.to_string());
        }
        self
    }
}

impl Deref for Overrides {
    type Target = [Override];
    fn deref(&self) -> &[Override] {
        &self.0
    }
}

impl From<Vec<Override>> for Overrides {
    fn from(v: Vec<Override>) -> Overrides {
        Overrides(v)
    }
}

impl From<Overrides> for Vec<Override> {
    fn from(o: Overrides) -> Vec<Override> {
        o.0
    }
}

impl FromIterator<Override> for Overrides {
    fn from_iter<I: IntoIterator<Item = Override>>(iter: I) -> Overrides {
        Overrides(iter.into_iter().collect())
    }
}

impl Extend<Override> for Overrides {
    fn extend<I: IntoIterator<Item = Override>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl IntoIterator for Overrides {
    type Item = Override;
    type IntoIter = std::vec::IntoIter<Override>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Overrides {
    type Item = &'a Override;
    type IntoIter = std::slice::Iter<'a, Override>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Serialize for Overrides {
    /// A list of [`Override`] objects (the JSON outputs' form).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for o in &self.0 {
            seq.serialize_element(o)?;
        }
        seq.end()
    }
}

/// Serde of an [`Overrides`] as a list of `[path, value]` pairs (the
/// shard files' form; the origin is not written, and reads back as none).
pub(crate) mod pairs {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{Override, Overrides};

    pub(crate) fn serialize<S: Serializer>(o: &Overrides, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(o.iter().map(|o| (&o.path, &o.value)))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Overrides, D::Error> {
        let v: Vec<(String, String)> = Vec::deserialize(d)?;
        Ok(v.into_iter().map(|(p, x)| Override::new(p, x)).collect())
    }
}

/// What made a scenario from the one read: the named variant applied, if
/// any, and every override applied, in order (the variant's, tagged with
/// its name, then the `--set`s). A scenario keeps it in
/// [`Scenario::applied`](super::Scenario::applied); [`Scenario::with_overrides`](super::Scenario::with_overrides),
/// [`Scenario::with_params`](super::Scenario::with_params) and [`Scenario::with_variant`](super::Scenario::with_variant) add to it, and
/// a run copies it into its [`Summary`](crate::montecarlo::Summary), so
/// that every report of the run names the variant and the overrides.
///
/// It is provenance, not a parameter: it is not written to a scenario
/// file, nor part of the scenario's hash, and any two compare equal (two
/// scenarios of the same parameters are equal however they were made).
/// Compare its fields to tell two apart.
///
/// # Example
///
/// ```
/// use custody_sim::{presets, scenario::Override};
///
/// let s = presets::baseline()
///     .with_variant("high")?
///     .with_param("horizon_days", "30")?;
/// assert_eq!(s.applied.variant.as_deref(), Some("high"));
/// let last = s.applied.overrides.last().unwrap();
/// assert_eq!(*last, Override::new("horizon_days", "30"));
/// assert!(s.applied.overrides[0].variant.as_deref() == Some("high"));
/// assert!(presets::baseline().applied.overrides.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// The named variant (`[variant.NAME]`) applied, if any.
    pub variant: Option<String>,
    /// Every override applied, in order: the variant's (tagged with its
    /// name), then the `--set`s.
    pub overrides: Overrides,
}

impl Applied {
    /// These, then `overrides`: the variant is this one's, or else the
    /// first that an override of `overrides` comes from.
    pub(crate) fn then(&self, overrides: &[Override]) -> Applied {
        let mut out = self.clone();
        if out.variant.is_none() {
            out.variant = overrides.iter().find_map(|o| o.variant.clone());
        }
        out.overrides.extend(overrides.iter().cloned());
        out
    }

    /// Whether nothing was applied.
    pub fn is_empty(&self) -> bool {
        self.variant.is_none() && self.overrides.is_empty()
    }
}

impl PartialEq for Applied {
    /// Always equal: how a scenario was made is not part of what it is.
    fn eq(&self, _: &Applied) -> bool {
        true
    }
}

/// Parses a value written as in the scenario file; anything that is not
/// TOML is a bare string.
pub(crate) fn parse_value(text: &str) -> toml::Value {
    let doc = format!("v = {text}");
    match toml::from_str::<toml::Table>(&doc) {
        // Exactly one value: `1\nx = 2` is text, not 1 with a stray key.
        Ok(mut t) if t.len() == 1 => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(text.to_string())),
        _ => toml::Value::String(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_written_bare_only_where_they_read_back() {
        assert_eq!(
            value_text(&toml::Value::String("fill_in_order".into())),
            "fill_in_order"
        );
        assert_eq!(value_text(&toml::Value::String("30".into())), "\"30\"");
        assert_eq!(value_text(&toml::Value::Integer(30)), "30");
        assert_eq!(value_text(&toml::Value::Float(0.5)), "0.5");
    }

    #[test]
    fn texts_read_back_as_the_same_value() {
        let values = [
            toml::Value::String("30".into()),
            toml::Value::String("a b".into()),
            toml::Value::String("fill_in_order".into()),
            toml::Value::Integer(-3),
            toml::Value::Float(1e-7),
            toml::Value::Float(12345.0),
            toml::Value::Boolean(true),
            toml::Value::Array(vec![toml::Value::Integer(1), toml::Value::Float(2.5)]),
            toml::from_str::<toml::Table>("v = { dist = \"fixed\", value = 2.0 }").unwrap()["v"]
                .clone(),
        ];
        for v in values {
            let o = Override::new("p", value_text(&v));
            assert_eq!(o.toml_value(), v, "{o}");
        }
    }

    #[test]
    fn overrides_serialise_with_typed_values_and_pairs_in_shards() {
        let o = Overrides::new()
            .set("court.stage[trial].servers", "30")
            .set("start_date", "2026-02-01");
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"[{"path":"court.stage[trial].servers","value":30},{"path":"start_date","value":"2026-02-01"}]"#
        );
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Wire(#[serde(with = "pairs")] Overrides);
        let text = serde_json::to_string(&Wire(o.clone().tagged("high"))).unwrap();
        assert_eq!(
            text,
            r#"[["court.stage[trial].servers","30"],["start_date","2026-02-01"]]"#
        );
        let back: Wire = serde_json::from_str(&text).unwrap();
        assert_eq!(back.0, o);
        assert_eq!(
            format!("{:?}", o.pairs()),
            format!(
                "{:?}",
                vec![
                    ("court.stage[trial].servers".to_string(), "30".to_string()),
                    ("start_date".to_string(), "2026-02-01".to_string())
                ]
            )
        );
    }

    #[test]
    fn variants_and_sets_part_in_order() {
        let mut all = Overrides::new().set("a", "1").tagged("high");
        all.extend(Overrides::from_pairs([("b", "2"), ("c", "3")]));
        assert_eq!(all.of_variants().pairs(), [("a", "1")]);
        assert_eq!(all.sets().pairs(), [("b", "2"), ("c", "3")]);
        assert_eq!(all[0].variant.as_deref(), Some("high"));
    }
}
