//! What a sensitivity analysis measures: a metric at the horizon
//! (`mean_days_to_verdict`), or a daily series on one day
//! (`occupancy.Karkh@2026-03-01`, `occupancy.Karkh@39`).
//!
//! `SERIES@DAY` names the end-of-day record of daily series `SERIES` on
//! `DAY`, a calendar date `YYYY-MM-DD` or a day number (days since the
//! scenario's `start_date`, day 0 being `start_date` itself), as a row of
//! an observations file names it: the record at the end of that day
//! (series day `DAY − start_date + 1`). The day must lie within the
//! horizon (day numbers `0 ..= horizon_days − 1`).
//!
//! Several such metrics of one series ("which lever decides Karkh's
//! occupancy in March, and which in a year") give indices over time; the
//! charts draw them so ([`crate::report::plots::sensitivity_figures`]).

use serde::{Deserialize, Serialize};

use super::DecideError;
use crate::error::Error;
use crate::model::Layout;
use crate::scenario::Scenario;

/// A daily series on one day: what `SERIES@DAY` names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesDay {
    /// The daily series (`occupancy.Karkh`).
    pub series: String,
    /// The day \[days since `start_date`\]: the record at the end of it.
    pub day: u32,
    /// The day's calendar date, `YYYY-MM-DD`.
    pub date: String,
}

impl SeriesDay {
    /// Reads `SERIES@DAY` against `scenario`; `Ok(None)` for a name
    /// without `@` (a metric at the horizon).
    ///
    /// # Errors
    ///
    /// [`Error::Decide`] of kind [`DecideError::Input`] naming the text
    /// when the series does not exist (listing the scenario's series), the
    /// day is neither a `YYYY-MM-DD` date nor a day number, or it lies
    /// outside the horizon (giving the horizon's first and last dates).
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::decide::SeriesDay;
    /// use custody_sim::presets;
    ///
    /// let s = presets::plan_2026_01(); // start_date 2026-01-21, 730 days
    /// let d = SeriesDay::parse(&s, "occupancy.Nasiriyah@2026-03-01")?.unwrap();
    /// assert_eq!((d.day, d.date.as_str()), (39, "2026-03-01"));
    /// assert_eq!(SeriesDay::parse(&s, "occupancy.Nasiriyah@39")?, Some(d));
    /// assert_eq!(SeriesDay::parse(&s, "transferred")?, None);
    /// let e = SeriesDay::parse(&s, "occupancy.Nasiriyah@2030-01-01").unwrap_err();
    /// assert!(e.to_string().contains("outside the horizon"), "{e}");
    /// assert!(SeriesDay::parse(&s, "occupancy.Karkh@10").is_err(), "no such prison");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(scenario: &Scenario, text: &str) -> Result<Option<SeriesDay>, Error> {
        let Some((series, day)) = text.rsplit_once('@') else {
            return Ok(None);
        };
        let (series, day) = (series.trim(), day.trim());
        let layout = Layout::new(scenario);
        if layout.series_index(series).is_none() {
            return Err(DecideError::input(
                text,
                format!(
                    "no daily series {series:?} in scenario {:?} (its series: {})",
                    scenario.name,
                    layout.series().join(", ")
                ),
            ));
        }
        let start = scenario.start_date;
        let number = if let Some(date) = crate::scenario::day::parse_date(day) {
            i64::from((date - start).get_days())
        } else if let Ok(n) = day.parse::<i64>() {
            n
        } else {
            return Err(DecideError::input(
                text,
                format!(
                    "the day {day:?} is neither a YYYY-MM-DD date nor a day number (days since start_date {start})"
                ),
            ));
        };
        let horizon = i64::from(scenario.horizon_days);
        let date_of = |n: i64| {
            start
                .checked_add(jiff::Span::new().days(n))
                .map_or_else(|_| format!("day {n}"), |d| d.to_string())
        };
        if !(0..horizon).contains(&number) {
            return Err(DecideError::input(
                text,
                format!(
                    "the day {day:?} is day {number}, outside the horizon (days 0 to {}: dates {} to {})",
                    horizon - 1,
                    date_of(0),
                    date_of(horizon - 1)
                ),
            ));
        }
        Ok(Some(SeriesDay {
            series: series.to_string(),
            day: number as u32,
            date: date_of(number),
        }))
    }
}

/// Where a measured value is read in a replication's outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Probe {
    /// The metric at this position of the layout.
    Metric(usize),
    /// The record of the series at this position, at this index (the day).
    Day(usize, usize),
}

impl Probe {
    /// Resolves each name of `names` against `scenario` and its `layout`.
    ///
    /// # Errors
    ///
    /// As [`SeriesDay::parse`]; an unknown metric is the caller's to name
    /// (`None` in place of the probe).
    pub(crate) fn resolve(
        scenario: &Scenario,
        layout: &Layout,
        name: &str,
    ) -> Result<Option<Probe>, Error> {
        Ok(match SeriesDay::parse(scenario, name)? {
            Some(d) => layout
                .series_index(&d.series)
                .map(|s| Probe::Day(s, d.day as usize)),
            None => layout.metric_index(name).map(Probe::Metric),
        })
    }

    /// The value in `out` (`None`: no value in this replication), the
    /// layout's metrics after the outcome's own being the values `drawn`
    /// for the replication from `[uncertainty]` (its `param.PATH`
    /// metrics, in the layout's order, as a run appends them).
    pub(crate) fn read(self, out: &crate::model::Outcome, drawn: &[f64]) -> Option<f64> {
        match self {
            Probe::Metric(i) => {
                let own = out.values();
                match own.get(i) {
                    Some(v) => *v,
                    None => drawn.get(i - own.len()).copied(),
                }
            }
            Probe::Day(s, d) => Some(f64::from(out.series_at(s)[d])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::presets;

    #[test]
    fn days_read_as_observations_do_and_bad_ones_are_named() {
        let s = presets::plan_2026_01();
        let d = SeriesDay::parse(&s, "in_custody@0").unwrap().unwrap();
        assert_eq!((d.day, d.date.as_str()), (0, "2026-01-21"));
        let d = SeriesDay::parse(&s, "in_custody@729").unwrap().unwrap();
        assert_eq!(d.date, "2028-01-20");
        let e = SeriesDay::parse(&s, "in_custody@730")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "in_custody@730: the day \"730\" is day 730, outside the horizon (days 0 to 729: dates 2026-01-21 to 2028-01-20)"
        );
        let e = SeriesDay::parse(&s, "in_custody@2026-01-20")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is day -1, outside the horizon"), "{e}");
        let e = SeriesDay::parse(&s, "in_custody@March")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("in_custody@March: the day \"March\" is neither a YYYY-MM-DD date"),
            "{e}"
        );
        let e = SeriesDay::parse(&s, "occupancy.Karkh@2026-03-01")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("occupancy.Karkh@2026-03-01: no daily series \"occupancy.Karkh\""),
            "{e}"
        );
        assert!(e.contains("occupancy.Nasiriyah"), "{e}");
    }
}
