//! The observations CSV: what was counted, on which date.
//!
//! ```text
//! date,series,value,sd,kind
//! 2026-01-30,transferred_cumulative,500,50,
//! 11,transferred_cumulative,450,,value
//! 2026-02-02,transferred_cumulative,1387,,at_least
//! ```
//!
//! `date` is a calendar date `YYYY-MM-DD` or a day number (days since the
//! scenario's `start_date`, day 0 being `start_date` itself); `series` a
//! daily series of the scenario (`transferred_cumulative`,
//! `occupancy.Nasiriyah`, ...); `value` the observed value; `sd`
//! (optional) its standard error, in the series' unit: at least
//! [`MIN_SD`] (10⁻⁶), since calibration divides differences by it and a
//! smaller one makes every distance infinite. `value` and `sd` are at
//! most [`MAX_VALUE`] (10¹²) in magnitude: counts of people, far beyond
//! any population, and small enough that interval scores, CRPS and
//! distances stay finite. `kind` (optional) says what the value is
//! ([`ObservationKind`]): `value` (the default, also for an empty cell), or
//! a bound a report gives, `at_least` ("at least 1,387") or `at_most`.
//!
//! A row dated D is compared with the end-of-day record of date D: series
//! day D − start_date + 1 (a row dated `start_date`, or day 0, reads the
//! first record, at the end of day 0).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::CalibrateError;
use crate::error::Error;
use crate::scenario::Scenario;

/// The smallest `sd` an observation may give \[unit of the series\]:
/// a millionth of a person. Calibration divides each difference by the
/// `sd`; below this, squared differences of ordinary counts overflow and
/// every distance is infinite.
pub const MIN_SD: f64 = 1e-6;

/// Largest magnitude of an observed `value` or `sd` \[persons\]: 10¹²,
/// as [`Dist::MAX_VALUE`](crate::dist::Dist::MAX_VALUE), far beyond any
/// population. Larger finite values (±1e308) would make the interval
/// scores and CRPS of a backtest infinite.
pub const MAX_VALUE: f64 = 1e12;

/// What an observation's value is: the value itself, or a bound on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObservationKind {
    /// The observed value (the default).
    #[default]
    Value,
    /// A lower bound: the true value is at least this ("at least 1,387
    /// had arrived", "over 14,000").
    AtLeast,
    /// An upper bound: the true value is at most this.
    AtMost,
}

impl ObservationKind {
    /// The `kind` cell's spellings, in order.
    pub const NAMES: [&'static str; 3] = ["value", "at_least", "at_most"];

    /// The kind of a `kind` cell (`value`, `at_least` or `at_most`);
    /// `None` for anything else.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::calibrate::ObservationKind;
    /// assert_eq!(ObservationKind::parse("at_least"), Some(ObservationKind::AtLeast));
    /// assert_eq!(ObservationKind::parse("above"), None);
    /// assert_eq!(ObservationKind::AtMost.name(), "at_most");
    /// ```
    pub fn parse(text: &str) -> Option<ObservationKind> {
        match text {
            "value" => Some(ObservationKind::Value),
            "at_least" => Some(ObservationKind::AtLeast),
            "at_most" => Some(ObservationKind::AtMost),
            _ => None,
        }
    }

    /// The kind's spelling in the CSV and the JSON.
    pub fn name(self) -> &'static str {
        match self {
            ObservationKind::Value => "value",
            ObservationKind::AtLeast => "at_least",
            ObservationKind::AtMost => "at_most",
        }
    }

    /// Whether this is [`ObservationKind::Value`].
    pub fn is_value(&self) -> bool {
        *self == ObservationKind::Value
    }

    /// Whether a simulated value `x` meets the bound `bound`: `x >= bound`
    /// for `at_least`, `x <= bound` for `at_most`; for a value, whether
    /// `x == bound`.
    pub fn meets(self, x: f64, bound: f64) -> bool {
        match self {
            ObservationKind::Value => x == bound,
            ObservationKind::AtLeast => x >= bound,
            ObservationKind::AtMost => x <= bound,
        }
    }

    /// The difference a calibration's distance scales: for a value,
    /// `x − observed`; for a bound, how far `x` falls short of it (0 when
    /// met): `max(0, bound − x)` for `at_least`, `max(0, x − bound)` for
    /// `at_most`.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::calibrate::ObservationKind;
    /// assert_eq!(ObservationKind::Value.difference(90.0, 100.0), -10.0);
    /// assert_eq!(ObservationKind::AtLeast.difference(90.0, 100.0), 10.0);
    /// assert_eq!(ObservationKind::AtLeast.difference(120.0, 100.0), 0.0);
    /// assert_eq!(ObservationKind::AtMost.difference(120.0, 100.0), 20.0);
    /// ```
    pub fn difference(self, x: f64, observed: f64) -> f64 {
        match self {
            ObservationKind::Value => x - observed,
            ObservationKind::AtLeast => (observed - x).max(0.0),
            ObservationKind::AtMost => (x - observed).max(0.0),
        }
    }
}

/// One observed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Series day compared with, 1 to the horizon \[days\]: the record at
    /// the end of date `date`.
    pub day: u32,
    /// Calendar date of the observation, `YYYY-MM-DD`.
    pub date: String,
    /// Daily series name.
    pub series: String,
    /// Observed value \[unit of the series, mostly persons\].
    pub value: f64,
    /// Standard error of the observed value \[unit of the series\], if
    /// given; at least [`MIN_SD`].
    pub sd: Option<f64>,
    /// Whether `value` is the value or a bound on it.
    #[serde(default, skip_serializing_if = "ObservationKind::is_value")]
    pub kind: ObservationKind,
}

/// The rows of an observations file, checked against a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observations {
    rows: Vec<Observation>,
}

impl Observations {
    /// Reads and checks an observations CSV file against `scenario`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read, is not a regular file or
    /// is above [`MAX_OBSERVATIONS_BYTES`](crate::files::MAX_OBSERVATIONS_BYTES)
    /// (checked before reading); otherwise as
    /// [`Observations::from_csv_str`], naming the file.
    pub fn from_path(path: impl AsRef<Path>, scenario: &Scenario) -> Result<Observations, Error> {
        let path = path.as_ref();
        let text = crate::files::read_text(
            path,
            "observations file",
            crate::files::MAX_OBSERVATIONS_BYTES,
        )?;
        Observations::from_csv_str(&text, &path.display().to_string(), scenario)
    }

    /// Parses and checks observations CSV text against `scenario`;
    /// `source_name` names it in errors.
    ///
    /// # Errors
    ///
    /// [`Error::Calibrate`] of kind [`CalibrateError::Observation`], with
    /// the line number, for: a missing, unknown or repeated column, a row
    /// with more or fewer fields than the header, an unknown series
    /// (listing the valid names), a date that is neither `YYYY-MM-DD` nor a
    /// day number, a date outside the horizon, a value that is not a finite
    /// number, a value or `sd` beyond ±[`MAX_VALUE`], an `sd` below
    /// [`MIN_SD`], a `kind` other than `value`, `at_least` or `at_most`
    /// (naming the column and the value); and for a file with no rows.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::{calibrate::Observations, presets};
    ///
    /// let s = presets::plan_2026_01(); // start_date 2026-01-21
    /// let obs = Observations::from_csv_str(
    ///     "date,series,value,sd\n2026-01-30,transferred_cumulative,500,50\n11,transferred_cumulative,450,\n",
    ///     "obs.csv",
    ///     &s,
    /// )?;
    /// assert_eq!(obs.rows()[0].day, 10); // the end of day 9
    /// assert_eq!(obs.rows()[1].date, "2026-02-01");
    /// let e = Observations::from_csv_str("date,series,value\n3,occupancy.Kut,1\n", "obs.csv", &s)
    ///     .unwrap_err()
    ///     .to_string();
    /// assert!(e.contains("obs.csv, line 2") && e.contains("occupancy.Nasiriyah"), "{e}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_csv_str(
        text: &str,
        source_name: &str,
        scenario: &Scenario,
    ) -> Result<Observations, Error> {
        let err = |line: usize, message: String| {
            Error::from(CalibrateError::Observation {
                source_name: source_name.to_string(),
                line,
                message,
            })
        };
        let start = day_number(&scenario.start_date.to_string()).ok_or_else(|| {
            err(
                0,
                format!(
                    "the scenario's start_date {:?} is not a YYYY-MM-DD date",
                    scenario.start_date
                ),
            )
        })?;
        let names = series_names(scenario);
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| err(1, format!("cannot read the header: {e}")))?
            .clone();
        let col = |name: &str| header.iter().position(|h| h == name);
        for (i, h) in header.iter().enumerate() {
            if header.iter().take(i).any(|x| x == h) {
                return Err(err(1, format!("the column {h:?} is named twice")));
            }
            if !["date", "series", "value", "sd", "kind"].contains(&h) {
                return Err(err(
                    1,
                    format!(
                        "unknown column {h:?} (columns: date, series, value and optional sd, kind)"
                    ),
                ));
            }
        }
        let (Some(c_date), Some(c_series), Some(c_value)) =
            (col("date"), col("series"), col("value"))
        else {
            return Err(err(
                1,
                format!(
                    "the header must name the columns date, series, value (and optionally sd), got {:?}",
                    header.iter().collect::<Vec<_>>().join(",")
                ),
            ));
        };
        let c_sd = col("sd");
        let c_kind = col("kind");
        let horizon = scenario.horizon_days;
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line() as usize);
                match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => err(
                        line,
                        format!(
                            "the row has {len} field{}, the header {expected_len}",
                            if *len == 1 { "" } else { "s" }
                        ),
                    ),
                    _ => err(line, format!("cannot read the row: {e}")),
                }
            })?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            if record.iter().all(str::is_empty) {
                continue;
            }
            let cell = |c: usize| record.get(c).unwrap_or("");
            let date_text = cell(c_date);
            let day0 = if let Some(d) = day_number(date_text) {
                d - start
            } else if let Ok(d) = date_text.parse::<i64>() {
                d
            } else {
                return Err(err(
                    line,
                    format!("date {date_text:?} is neither a YYYY-MM-DD date nor a day number"),
                ));
            };
            let Some(day) = day0.checked_add(1) else {
                return Err(err(
                    line,
                    format!(
                        "date {date_text:?} is a day number too large, outside the horizon (days 1 to {horizon})"
                    ),
                ));
            };
            if !(1..=i64::from(horizon)).contains(&day) {
                return Err(err(
                    line,
                    format!(
                        "date {date_text:?} is series day {day}, outside the horizon (days 1 to {horizon}: dates {} to {})",
                        iso_date(start),
                        iso_date(start + i64::from(horizon) - 1)
                    ),
                ));
            }
            let series = cell(c_series);
            if !names.iter().any(|n| n == series) {
                return Err(err(
                    line,
                    format!(
                        "unknown series {series:?} (series of this scenario: {})",
                        names.join(", ")
                    ),
                ));
            }
            let number = |what: &str, text: &str| -> Result<f64, Error> {
                let v = text
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| err(line, format!("{what} {text:?} is not a finite number")))?;
                if v.abs() > MAX_VALUE {
                    return Err(err(
                        line,
                        format!("{what} {text:?} is beyond ±{MAX_VALUE:e} (a count of people)"),
                    ));
                }
                Ok(v)
            };
            let value = number("value", cell(c_value))?;
            let sd = match c_sd.map(cell).filter(|t| !t.is_empty()) {
                None => None,
                Some(t) => {
                    let sd = number("sd", t)?;
                    if sd <= 0.0 {
                        return Err(err(line, format!("sd must be positive, got {t}")));
                    }
                    if sd < MIN_SD {
                        return Err(err(
                            line,
                            format!(
                                "sd must be at least {MIN_SD:e} (calibration divides by it), got {t}"
                            ),
                        ));
                    }
                    Some(sd)
                }
            };
            let kind = match c_kind.map(cell).filter(|t| !t.is_empty()) {
                None => ObservationKind::Value,
                Some(t) => ObservationKind::parse(t).ok_or_else(|| {
                    err(
                        line,
                        format!(
                            "column kind: unknown kind {t:?} (kinds: {})",
                            ObservationKind::NAMES.join(", ")
                        ),
                    )
                })?,
            };
            rows.push(Observation {
                day: day as u32,
                date: iso_date(start + day0),
                series: series.to_string(),
                value,
                sd,
                kind,
            });
        }
        if rows.is_empty() {
            return Err(err(1, "the file has no observation rows".into()));
        }
        Ok(Observations { rows })
    }

    /// The rows, in file order.
    pub fn rows(&self) -> &[Observation] {
        &self.rows
    }

    /// The last series day observed \[days\]: how far a simulation must run.
    pub fn last_day(&self) -> u32 {
        self.rows.iter().map(|o| o.day).max().unwrap_or(1)
    }

    /// The rows as CSV text (`date,series,value,sd`, and `kind` if any
    /// row is a bound), which [`Observations::from_csv_str`] reads back.
    pub fn to_csv_string(&self) -> String {
        let bounds = self.has_bounds();
        let mut s = String::from(if bounds {
            "date,series,value,sd,kind\n"
        } else {
            "date,series,value,sd\n"
        });
        for o in &self.rows {
            let sd = o.sd.map(|v| v.to_string()).unwrap_or_default();
            s.push_str(&format!("{},{},{},{sd}", o.date, o.series, o.value));
            if bounds {
                s.push(',');
                s.push_str(o.kind.name());
            }
            s.push('\n');
        }
        s
    }

    /// Whether any row is a bound (`at_least` or `at_most`).
    pub fn has_bounds(&self) -> bool {
        self.rows.iter().any(|o| !o.kind.is_value())
    }

    /// The rows for which `keep` holds, in file order; `None` if none
    /// does (an observations set is never empty).
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::{calibrate::Observations, presets};
    ///
    /// let s = presets::plan_2026_01();
    /// let obs = Observations::from_csv_str(
    ///     "date,series,value\n3,in_syria,1\n9,in_syria,2\n", "obs", &s)?;
    /// let late = obs.filtered(|o| o.day > 5).unwrap();
    /// assert_eq!(late.rows().len(), 1);
    /// assert!(obs.filtered(|o| o.day > 99).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn filtered(&self, keep: impl Fn(&Observation) -> bool) -> Option<Observations> {
        let rows: Vec<Observation> = self.rows.iter().filter(|o| keep(o)).cloned().collect();
        (!rows.is_empty()).then_some(Observations { rows })
    }
}

const EPOCH: jiff::civil::Date = jiff::civil::date(1970, 1, 1);

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian);
/// `None` if it is not one. The only date arithmetic of this module (jiff).
pub(crate) fn day_number(s: &str) -> Option<i64> {
    if s.len() != 10 {
        return None;
    }
    let date: jiff::civil::Date = s.parse().ok()?;
    Some(i64::from((date - EPOCH).get_days()))
}

/// The `YYYY-MM-DD` date of a day number (days since 1970-01-01).
pub(crate) fn iso_date(z: i64) -> String {
    EPOCH
        .checked_add(jiff::Span::new().days(z))
        .map_or_else(|_| format!("day {z}"), |d| d.to_string())
}

/// The names of the daily series of `scenario` (what an observation may
/// name), and its horizon.
fn series_names(scenario: &Scenario) -> Vec<String> {
    crate::model::Layout::new(scenario).series().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_day_numbers() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2026-01-21"), Some(20_474));
        assert_eq!(day_number("2024-02-30"), None);
        assert_eq!(day_number("2024-2-3"), None);
        for z in [-1000, 0, 59, 60, 20_474, 20_500, 30_000] {
            assert_eq!(day_number(&iso_date(z)), Some(z));
        }
        assert_eq!(iso_date(20_474 + 11), "2026-02-01");
    }
}
