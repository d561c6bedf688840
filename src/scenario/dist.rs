//! The `dist` tables of a scenario file (the samplers built from them are
//! the model's, in `model::sampler`).
//!
//! Every duration or count in a scenario is a [`Dist`]. Means and standard
//! deviations are those of the variable itself, never of an underlying
//! normal: a `lognormal` with `mean = 150, sd = 30` has mean 150 days.
//!
//! All variables the model draws (durations in days, convoy sizes in
//! persons) are non-negative, so validation refuses any distribution whose
//! support reaches below zero, and any parameter above [`Dist::MAX_VALUE`].
//! A count drawn from a continuous distribution is rounded to the nearest
//! integer.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Unexpected, Visitor};
use serde::{Deserialize, Serialize};

use super::validate::Problems;

/// A probability distribution, as written in a scenario's `dist` table.
///
/// # Example: a lognormal service time
///
/// ```
/// use custody_sim::Dist;
///
/// let d: Dist = toml::from_str(r#"dist = "lognormal"
/// mean = 150.0
/// sd = 30.0"#)?;
/// assert_eq!(d, Dist::Lognormal { mean: 150.0, sd: 30.0 });
/// assert_eq!(d.mean(), 150.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Reading one, a problem inside the table names its key: a value of the
/// wrong type is reported at `...convoy_size.low`, an unknown key at
/// `...convoy_size.x`, not at the table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "dist", rename_all = "snake_case")]
pub enum Dist {
    /// Always `value`.
    Fixed {
        /// The value \[days or persons\].
        value: f64,
    },
    /// Exponential with the given mean (rate 1/mean).
    Exponential {
        /// Mean \[days or persons\], > 0.
        mean: f64,
    },
    /// Continuous uniform on `[low, high]`.
    Uniform {
        /// Lower bound, >= 0.
        low: f64,
        /// Upper bound, >= `low`.
        high: f64,
    },
    /// Integers from `low` to `high`, both included, equally likely.
    UniformInt {
        /// Smallest value, >= 0.
        low: i64,
        /// Largest value, >= `low`.
        high: i64,
    },
    /// Triangular with the given lower limit, mode and upper limit.
    Triangular {
        /// Lower limit, >= 0.
        low: f64,
        /// Most likely value, in `[low, high]`.
        mode: f64,
        /// Upper limit, > `low`.
        high: f64,
    },
    /// Lognormal with the given mean and standard deviation of the variable
    /// itself.
    Lognormal {
        /// Mean of the variable, > 0.
        mean: f64,
        /// Standard deviation of the variable, > 0.
        sd: f64,
    },
    /// Gamma with the given mean and standard deviation.
    Gamma {
        /// Mean, > 0.
        mean: f64,
        /// Standard deviation, > 0.
        sd: f64,
    },
    /// Poisson with the given mean (a count).
    Poisson {
        /// Mean, > 0 and at most [`Dist::MAX_POISSON_MEAN`].
        mean: f64,
    },
}

impl Dist {
    /// Largest `poisson` mean accepted.
    pub const MAX_POISSON_MEAN: f64 = 1e9;

    /// Largest value of any parameter (days or persons), far beyond any
    /// horizon or population: above it the samplers' arithmetic can
    /// overflow (a `triangular` with `high = 1e200` draws `-inf`).
    pub const MAX_VALUE: f64 = 1e12;

    /// Largest coefficient of variation (sd / mean) of a `lognormal` or
    /// `gamma`. Beyond it nearly every draw is about 0 and the rest are
    /// huge: a timetable of such intervals would make millions of
    /// departures whatever its mean, and the samplers lose precision.
    pub const MAX_CV: f64 = 100.0;

    /// The mean of the distribution.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed { value } => value,
            Dist::Exponential { mean }
            | Dist::Lognormal { mean, .. }
            | Dist::Gamma { mean, .. }
            | Dist::Poisson { mean } => mean,
            Dist::Uniform { low, high } => 0.5 * (low + high),
            Dist::UniformInt { low, high } => 0.5 * (low as f64 + high as f64),
            Dist::Triangular { low, mode, high } => (low + mode + high) / 3.0,
        }
    }

    /// Checks the parameters, reporting each problem under `path`
    /// (for example `court.stage[0].service_days.sd`); when they pass,
    /// checks that the sampler can be built.
    pub(crate) fn check(&self, path: &str, problems: &mut Problems) {
        let before = problems.len();
        self.check_params(path, problems);
        if problems.len() == before {
            self.check_sampler(path, problems);
        }
    }

    fn check_params(&self, path: &str, problems: &mut Problems) {
        let finite = |problems: &mut Problems, key: &str, v: f64| {
            if !v.is_finite() {
                problems.push(
                    format!("{path}.{key}"),
                    format!("must be a finite number, got {v}"),
                );
                false
            } else if v > Self::MAX_VALUE {
                problems.push(
                    format!("{path}.{key}"),
                    format!("must be at most {:e}, got {v:e}", Self::MAX_VALUE),
                );
                false
            } else {
                true
            }
        };
        let nonneg = |problems: &mut Problems, key: &str, v: f64| {
            if finite(problems, key, v) && v < 0.0 {
                problems.push(
                    format!("{path}.{key}"),
                    format!("must be at least 0, got {v}"),
                );
            }
        };
        let positive = |problems: &mut Problems, key: &str, v: f64| {
            if finite(problems, key, v) && v <= 0.0 {
                problems.push(
                    format!("{path}.{key}"),
                    format!("must be greater than 0, got {v}"),
                );
            }
        };
        match *self {
            Dist::Fixed { value } => nonneg(problems, "value", value),
            Dist::Exponential { mean } => positive(problems, "mean", mean),
            Dist::Uniform { low, high } => {
                nonneg(problems, "low", low);
                if finite(problems, "high", high) && low.is_finite() && high < low {
                    problems.push(
                        format!("{path}.high"),
                        format!("must be at least low ({low}), got {high}"),
                    );
                }
            }
            Dist::UniformInt { low, high } => {
                if high > Self::MAX_VALUE as i64 {
                    problems.push(
                        format!("{path}.high"),
                        format!("must be at most {:e}, got {high}", Self::MAX_VALUE),
                    );
                }
                if low < 0 {
                    problems.push(
                        format!("{path}.low"),
                        format!("must be at least 0, got {low}"),
                    );
                }
                if high < low {
                    problems.push(
                        format!("{path}.high"),
                        format!("must be at least low ({low}), got {high}"),
                    );
                }
            }
            Dist::Triangular { low, mode, high } => {
                nonneg(problems, "low", low);
                let ok = finite(problems, "mode", mode) & finite(problems, "high", high);
                if ok && low.is_finite() {
                    if high <= low {
                        problems.push(
                            format!("{path}.high"),
                            format!("must be greater than low ({low}), got {high}"),
                        );
                    } else if mode < low || mode > high {
                        problems.push(
                            format!("{path}.mode"),
                            format!("must lie between low ({low}) and high ({high}), got {mode}"),
                        );
                    }
                }
            }
            Dist::Lognormal { mean, sd } | Dist::Gamma { mean, sd } => {
                positive(problems, "mean", mean);
                positive(problems, "sd", sd);
                if mean > 0.0 && sd > Self::MAX_CV * mean && sd <= Self::MAX_VALUE {
                    problems.push(
                        format!("{path}.sd"),
                        format!(
                            "must be at most {} times the mean ({mean:e}), got {sd:e}",
                            Self::MAX_CV
                        ),
                    );
                }
            }
            Dist::Poisson { mean } => {
                positive(problems, "mean", mean);
                if mean > Self::MAX_POISSON_MEAN && mean <= Self::MAX_VALUE {
                    problems.push(
                        format!("{path}.mean"),
                        format!("must be at most {:e}, got {mean}", Self::MAX_POISSON_MEAN),
                    );
                }
            }
        }
    }

    /// Checks that a sampler can be built, as the last step of
    /// [`Dist::check`] (when the parameters passed the other checks).
    pub(crate) fn check_sampler(&self, path: &str, problems: &mut Problems) {
        if let Err(e) = crate::model::sampler::Sampler::new(self) {
            problems.push(path, format!("these parameters cannot be sampled: {e}"));
        }
    }
}

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
