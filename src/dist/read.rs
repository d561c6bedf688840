//! Reading a `dist` table (serde): a problem inside the table names its
//! key, not the table.

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Unexpected, Visitor};

use super::Dist;

/// The `dist` names, in the order errors list them.
const KINDS: &[&str] = &[
    "fixed",
    "exponential",
    "uniform",
    "uniform_int",
    "triangular",
    "lognormal",
    "gamma",
    "poisson",
];

/// The keys of each kind besides `dist`.
fn keys_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "fixed" => &["value"],
        "exponential" | "poisson" => &["mean"],
        "uniform" | "uniform_int" => &["low", "high"],
        "triangular" => &["low", "mode", "high"],
        _ => &["mean", "sd"],
    }
}

/// A number read from a `dist` table, before its kind is known.
#[derive(Debug, Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn float(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(x) => x,
        }
    }
}

/// Reads one parameter: any number, or an integer only (`uniform_int`).
struct NumSeed {
    integer: bool,
}

impl<'de> DeserializeSeed<'de> for NumSeed {
    type Value = Num;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Num, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NumSeed {
    type Value = Num;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.integer { "i64" } else { "f64" })
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
        Ok(Num::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
        match i64::try_from(v) {
            Ok(i) => Ok(Num::Int(i)),
            Err(_) if self.integer => Err(E::invalid_value(Unexpected::Unsigned(v), &self)),
            Err(_) => Ok(Num::Float(v as f64)),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
        if self.integer {
            Err(E::invalid_type(Unexpected::Float(v), &self))
        } else {
            Ok(Num::Float(v))
        }
    }
}

/// Reads the `dist` key: one of [`KINDS`].
struct KindSeed;

impl<'de> DeserializeSeed<'de> for KindSeed {
    type Value = &'static str;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'static str, D::Error> {
        let name = String::deserialize(d)?;
        KINDS
            .iter()
            .find(|k| **k == name)
            .copied()
            .ok_or_else(|| de::Error::unknown_variant(&name, KINDS))
    }
}

/// Refuses the value of a key the kind does not have, so that the error
/// is reported at that key.
struct UnknownKey<'a> {
    key: &'a str,
    kind: &'static str,
}

impl<'de> DeserializeSeed<'de> for UnknownKey<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, _d: D) -> Result<(), D::Error> {
        Err(de::Error::unknown_field(self.key, keys_of(self.kind)))
    }
}

impl<'de> Deserialize<'de> for Dist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Dist, D::Error> {
        d.deserialize_map(DistVisitor)
    }
}

struct DistVisitor;

impl<'de> Visitor<'de> for DistVisitor {
    type Value = Dist;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a distribution table with a `dist` key")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Dist, A::Error> {
        let mut kind: Option<&'static str> = None;
        let mut values: Vec<(String, Num)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "dist" {
                if kind.is_some() {
                    return Err(de::Error::duplicate_field("dist"));
                }
                kind = Some(map.next_value_seed(KindSeed)?);
            } else if values.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            } else {
                // TOML tables list `dist` first (keys in order), so the
                // kind is usually known here and a problem is reported at
                // its key.
                if let Some(k) = kind
                    && !keys_of(k).contains(&key.as_str())
                {
                    map.next_value_seed(UnknownKey { key: &key, kind: k })?;
                }
                let integer = kind == Some("uniform_int");
                let v = map.next_value_seed(NumSeed { integer })?;
                values.push((key, v));
            }
        }
        let kind = kind.ok_or_else(|| de::Error::missing_field("dist"))?;
        let keys = keys_of(kind);
        if let Some((key, _)) = values.iter().find(|(k, _)| !keys.contains(&k.as_str())) {
            return Err(de::Error::unknown_field(key, keys));
        }
        let get = |name: &'static str| -> Result<Num, A::Error> {
            values
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| *v)
                .ok_or_else(|| de::Error::missing_field(name))
        };
        let f = |name| get(name).map(Num::float);
        let int = |name| -> Result<i64, A::Error> {
            match get(name)? {
                Num::Int(i) => Ok(i),
                Num::Float(x) => Err(de::Error::invalid_type(Unexpected::Float(x), &"i64")),
            }
        };
        Ok(match kind {
            "fixed" => Dist::Fixed { value: f("value")? },
            "exponential" => Dist::Exponential { mean: f("mean")? },
            "uniform" => Dist::Uniform {
                low: f("low")?,
                high: f("high")?,
            },
            "uniform_int" => Dist::UniformInt {
                low: int("low")?,
                high: int("high")?,
            },
            "triangular" => Dist::Triangular {
                low: f("low")?,
                mode: f("mode")?,
                high: f("high")?,
            },
            "lognormal" => Dist::Lognormal {
                mean: f("mean")?,
                sd: f("sd")?,
            },
            "gamma" => Dist::Gamma {
                mean: f("mean")?,
                sd: f("sd")?,
            },
            _ => Dist::Poisson { mean: f("mean")? },
        })
    }
}
