//! Named variants (`[variant.NAME]`): sets of parameter overrides kept in
//! the scenario file, such as the low, central and high projections of the
//! UK Ministry of Justice's prison population projections.
//!
//! # The file
//!
//! ```toml
//! [variant.high]
//! description = "slower courts, fewer repatriated"
//! "court.stage[investigation].service_days.mean" = 180.0
//! "group[Moroccan].repatriation.probability" = 0.75
//!
//! [variant.central]   # no overrides: the scenario as it is
//! ```
//!
//! What is accepted:
//!
//! - Each key of a `[variant.NAME]` table is a parameter path exactly as
//!   `--set` takes it (see [`super::path`]), quoted wherever it holds `.`,
//!   `[` or spaces; each value is a TOML value, as `--set` would take it.
//! - Nested tables are flattened to dotted paths: `[variant.high.court]`
//!   with `conviction_probability = 0.9`, or the bare dotted key
//!   `court.conviction_probability = 0.9`, is the path
//!   `court.conviction_probability`. A table with a `dist` key is a
//!   distribution and is set whole (`"transfer.transit_days" = { dist =
//!   "fixed", value = 1.0 }`); any other table value is set key by key, so
//!   keys it leaves out keep their values. Arrays are set whole.
//! - `description` (a string) is reserved: it describes the variant and is
//!   not a parameter path.
//! - The overrides apply in file order (then the result is validated once);
//!   variants keep file order too. Variant names follow the rules of other
//!   names (not empty, none of `.[]=,`, not only digits, unique), and hold
//!   no `:` (the command line selects a variant as `SCENARIO:NAME`).
//! - A key path starting `variant.` or `uncertainty.` is refused: those
//!   tables say how to make scenarios and are not parameters of one.
//!
//! A variant is applied to the scenario as given, before any `--set`:
//! [`Scenario::with_variant`](super::Scenario::with_variant). [`Scenario::validate`](super::Scenario::validate) applies and
//! validates every variant, naming problems `variant.NAME.<path>`.

use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};

use super::overrides::{Override, Overrides, value_text};

/// The key of a variant's `description`, reserved (not a parameter path).
pub const DESCRIPTION: &str = "description";

/// A named variant: parameter overrides applied in order.
///
/// # Example: a variant built in Rust
///
/// ```
/// use custody_sim::{presets, scenario::Variant};
///
/// let mut s = presets::plan_2026_01();
/// s.variants.push(
///     Variant::new("fast courts")
///         .with_description("twice the trial panels")
///         .set("court.stage[trial].servers", "40"),
/// );
/// s.validate()?;
/// assert_eq!(s.with_variant("fast courts")?.court.stages[1].servers, 40);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Variant {
    /// The name, as in `[variant.NAME]`.
    pub name: String,
    /// What the variant stands for (`description`), if given.
    pub description: Option<String>,
    /// Parameter paths (as `--set` takes them) and their values as
    /// written, in the order they are applied, each tagged with the
    /// variant's name ([`Override::variant`]).
    pub overrides: Overrides,
}

impl Variant {
    /// A variant without overrides (the scenario as it is).
    pub fn new(name: impl Into<String>) -> Variant {
        Variant {
            name: name.into(),
            description: None,
            overrides: Overrides::new(),
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Variant {
        self.description = Some(description.into());
        self
    }

    /// Adds an override written as on the command line (`--set
    /// PATH=VALUE`): TOML, or a bare string where it is not TOML. The
    /// value is kept as written.
    pub fn set(mut self, path: impl Into<String>, value: &str) -> Variant {
        let o = Override::from_variant(&self.name, path, value);
        self.overrides.push(o);
        self
    }

    /// Adds an override with a value already in TOML form (kept as the
    /// text `--set` would take for it, which reads back as the value).
    pub fn set_value(mut self, path: impl Into<String>, value: toml::Value) -> Variant {
        let o = Override::from_variant(&self.name, path, value_text(&value));
        self.overrides.push(o);
        self
    }
}

/// The key path of variant `name`: `variant.high`, or `variant."a b"`
/// where the name is not a bare TOML key.
pub(crate) fn key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        format!("variant.{name}")
    } else {
        format!("variant.{name:?}")
    }
}

/// Flattens a variant's table into `(path, value)` pairs (see the module
/// docs); the order is the table's, fixed later from the text.
fn flatten(name: &str, prefix: &str, table: toml::Table, out: &mut Overrides) {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            k
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) if !t.is_empty() && !t.contains_key("dist") => {
                flatten(name, &path, t, out);
            }
            other => out.push(Override::from_variant(name, path, value_text(&other))),
        }
    }
}

/// Serde for the `variant` table: `{ NAME = { description?, PATH = VALUE, … } }`.
pub(crate) mod table {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[Variant], ser: S) -> Result<S::Ok, S::Error> {
        struct Body<'a>(&'a Variant);
        impl serde::Serialize for Body<'_> {
            fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                let v = self.0;
                let mut m = ser.serialize_map(None)?;
                if let Some(d) = &v.description {
                    m.serialize_entry(DESCRIPTION, d)?;
                }
                for o in &v.overrides {
                    m.serialize_entry(&o.path, &o.toml_value())?;
                }
                m.end()
            }
        }
        let mut m = ser.serialize_map(Some(v.len()))?;
        for x in v {
            m.serialize_entry(&x.name, &Body(x))?;
        }
        m.end()
    }

    /// The JSON Schema of the `variant` table: each variant a table of
    /// parameter paths and values, with an optional `description` (which
    /// paths are settable, and to what, is `check`'s to say).
    pub(crate) fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "additionalProperties": {
                "description": "A named variant: parameter paths (as --set takes them, quoted where they hold dots or brackets) and their values, applied in file order.",
                "type": "object",
                "properties": {
                    "description": {
                        "description": "What the variant stands for.",
                        "type": "string"
                    }
                }
            }
        })
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<Variant>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<Variant>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of variants, each a table of parameter paths and values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Variant>, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    let mut body: toml::Table = map.next_value()?;
                    let mut overrides = Overrides::new();
                    let description = match body.remove(DESCRIPTION) {
                        None => None,
                        Some(toml::Value::String(s)) => Some(s),
                        // Kept as an override, which validation refuses
                        // by its key path.
                        Some(other) => {
                            overrides.push(Override::from_variant(
                                &name,
                                DESCRIPTION,
                                value_text(&other),
                            ));
                            None
                        }
                    };
                    flatten(&name, "", body, &mut overrides);
                    out.push(Variant {
                        name,
                        description,
                        overrides,
                    });
                }
                Ok(out)
            }
        }
        de.deserialize_map(V)
    }
}

/// Puts the variants, and each one's overrides, in the order of the file
/// `text` (TOML tables do not keep it). Leaves them as they are if the
/// text does not parse (it did, to get here).
pub(crate) fn order_as_in(variants: &mut [Variant], text: &str) {
    if variants.is_empty() {
        return;
    }
    let Ok(doc) = toml::de::DeTable::parse(text) else {
        return;
    };
    let Some((_, table)) = doc.get_ref().iter().find(|(k, _)| k.get_ref() == "variant") else {
        return;
    };
    let toml::de::DeValue::Table(table) = table.get_ref() else {
        return;
    };
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut paths: HashMap<(String, String), usize> = HashMap::new();
    for (k, v) in table.iter() {
        let name = k.get_ref().to_string();
        names.insert(name.clone(), k.span().start);
        if let toml::de::DeValue::Table(body) = v.get_ref() {
            positions(&name, "", body, &mut paths);
        }
    }
    variants.sort_by_key(|v| names.get(&v.name).copied().unwrap_or(usize::MAX));
    for v in variants.iter_mut() {
        let name = v.name.clone();
        let mut own: Vec<Override> = std::mem::take(&mut v.overrides).into();
        own.sort_by_key(|o| {
            paths
                .get(&(name.clone(), o.path.clone()))
                .copied()
                .unwrap_or(usize::MAX)
        });
        v.overrides = own.into();
    }
}

/// Where each flattened path of a variant's table starts in the text.
fn positions(
    name: &str,
    prefix: &str,
    table: &toml::de::DeTable<'_>,
    out: &mut HashMap<(String, String), usize>,
) {
    for (k, v) in table.iter() {
        let path = if prefix.is_empty() {
            k.get_ref().to_string()
        } else {
            format!("{prefix}.{}", k.get_ref())
        };
        match v.get_ref() {
            toml::de::DeValue::Table(t)
                if !t.is_empty() && !t.iter().any(|(k, _)| k.get_ref() == "dist") =>
            {
                positions(name, &path, t, out);
            }
            _ => {
                out.insert((name.to_string(), path), k.span().start);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Scenario, presets};

    #[test]
    fn keys_quote_names_that_are_not_bare() {
        assert_eq!(key("high"), "variant.high");
        assert_eq!(key("a b"), "variant.\"a b\"");
    }

    #[test]
    fn nested_tables_flatten_and_dists_stay_whole() {
        let mut s = presets::plan_2026_01();
        let text = format!(
            "{}\n[variant.b]\ncourt.conviction_probability = 0.9\n\"transfer.transit_days\" = {{ dist = \"fixed\", value = 2.0 }}\n[variant.a.custody]\nmortality_per_year = 0.01\n",
            s.to_toml_string()
        );
        let t = Scenario::from_toml_str(&text).unwrap();
        assert_eq!(t.variants[0].name, "b");
        assert_eq!(
            t.variants[0].overrides[0].path,
            "court.conviction_probability"
        );
        assert_eq!(t.variants[0].overrides[1].path, "transfer.transit_days");
        assert_eq!(
            t.variants[1].overrides[0].path,
            "custody.mortality_per_year"
        );
        assert_eq!(t.variants[1].overrides[0].variant.as_deref(), Some("a"));
        s.variants = t.variants.clone();
        assert_eq!(t, s);
        assert_eq!(
            t.with_variant("b").unwrap().transfer.transit_days,
            crate::dist::Dist::fixed(2.0)
        );
    }
}
