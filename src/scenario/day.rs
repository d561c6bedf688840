//! Days and dates (rule 16): wherever a scenario expects a day, a number of
//! days from `start_date` or a calendar date `"2026-02-07"` may stand.
//!
//! A [`Day`] keeps what the user wrote (a number or a date), so a scenario
//! written back as TOML says the same thing. The model needs numbers:
//! [`Day::days_from`] resolves a day against a start date, and
//! [`Scenario::day`](super::Scenario::day) against the scenario's own
//! `start_date`. Calendar arithmetic is [`jiff`]'s, in the proleptic
//! Gregorian calendar; a date resolves to the whole number of days from
//! `start_date` to it.

use std::borrow::Cow;
use std::fmt;

use jiff::civil::Date;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A point in time of the scenario: a day number \[days from
/// `start_date`\] or a calendar date.
///
/// # Example: a date and a number for the same day
///
/// ```
/// use custody_sim::scenario::{Date, Day};
///
/// let start: Date = "2026-01-21".parse()?;
/// let d = Day::parse_date("2026-02-07").unwrap();
/// assert_eq!(d.days_from(start), 17.0);
/// assert_eq!(Day::from(17.0).days_from(start), 17.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Day {
    /// A day number \[days from `start_date`\], possibly fractional.
    Number(f64),
    /// A calendar date: its day number counted from `start_date`.
    Date(Date),
}

impl Day {
    /// The day number \[days\] of this day, with day 0 at `start`.
    ///
    /// A date before `start` gives a negative number (validation refuses
    /// it).
    pub fn days_from(&self, start: Date) -> f64 {
        match *self {
            Day::Number(x) => x,
            // Civil days are 24 hours: the whole number of days between.
            Day::Date(d) => (start.duration_until(d).as_secs() / 86_400) as f64,
        }
    }

    /// Parses a calendar date written exactly `YYYY-MM-DD` (ASCII digits, a
    /// real day of the proleptic Gregorian calendar); `None` otherwise.
    pub fn parse_date(s: &str) -> Option<Day> {
        parse_date(s).map(Day::Date)
    }

    /// Whether this is the day number 0 (the default of optional days).
    pub fn is_zero(&self) -> bool {
        *self == Day::Number(0.0)
    }
}

impl Default for Day {
    /// Day 0.
    fn default() -> Day {
        Day::Number(0.0)
    }
}

impl From<f64> for Day {
    fn from(x: f64) -> Day {
        Day::Number(x)
    }
}

impl From<Date> for Day {
    fn from(d: Date) -> Day {
        Day::Date(d)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Day::Number(x) => write!(f, "{x}"),
            Day::Date(d) => write!(f, "{d}"),
        }
    }
}

/// Parses `YYYY-MM-DD` strictly: ten ASCII characters, then [`jiff`]'s
/// calendar decides whether the day exists.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<i16>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

/// The shape of a date `YYYY-MM-DD` in the JSON Schema of the file
/// (whether it is a real calendar day is the `date` format's, and the
/// reader's, to say).
pub(crate) const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// The JSON Schema of a date `YYYY-MM-DD` (a TOML string or a bare TOML
/// date, which editors read as a string).
fn date_schema() -> Schema {
    json_schema!({
        "type": "string",
        "format": "date",
        "pattern": DATE_PATTERN
    })
}

impl JsonSchema for Day {
    fn schema_name() -> Cow<'static, str> {
        "Day".into()
    }

    /// A number or a date, as the reader takes them.
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A day: a day number (days from start_date, which is day 0; may be fractional) or a date YYYY-MM-DD.",
            "anyOf": [
                { "type": "number" },
                date_schema()
            ]
        })
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Day::Number(x) => s.serialize_f64(*x),
            Day::Date(d) => s.collect_str(d),
        }
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        d.deserialize_any(DayVisitor)
    }
}

struct DayVisitor;

impl<'de> Visitor<'de> for DayVisitor {
    type Value = Day;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a day number or a date \"YYYY-MM-DD\"")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Day, E> {
        Ok(Day::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Day, E> {
        Ok(Day::Number(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Day, E> {
        Ok(Day::Number(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Day, E> {
        Day::parse_date(v).ok_or_else(|| {
            E::custom(format!(
                "must be a day number or a date YYYY-MM-DD, got {v:?}"
            ))
        })
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Day, A::Error> {
        // A bare TOML date (`day = 2026-02-07`) arrives as toml's datetime.
        let dt = toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.visit_str(&dt.to_string())
    }
}

/// Serde for `start_date`: a date `YYYY-MM-DD`, written as a string.
pub(crate) mod start_date {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(d)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        d.deserialize_any(DateVisitor)
    }

    /// The JSON Schema of `start_date`: a date `YYYY-MM-DD`.
    pub(crate) fn json_schema(_: &mut SchemaGenerator) -> Schema {
        date_schema()
    }

    struct DateVisitor;

    impl<'de> Visitor<'de> for DateVisitor {
        type Value = Date;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date \"YYYY-MM-DD\"")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
            parse_date(v).ok_or_else(|| E::custom(format!("must be a date YYYY-MM-DD, got {v:?}")))
        }

        fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Date, A::Error> {
            let dt =
                toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
            self.visit_str(&dt.to_string())
        }
    }
}
