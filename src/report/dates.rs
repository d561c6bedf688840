//! Calendar dates of model days: the one place that turns a day number
//! into a date, for the table, the CSV, the charts and the examples.
//!
//! # The day convention
//!
//! Time runs in days from day 0, the start of the scenario's
//! `start_date`. The end-of-day record of series day `d` (`d` = 1 ..
//! horizon) is taken at time `d`, the end of date `start_date + (d − 1)`;
//! an observation dated D is compared with the record at the end of D,
//! series day `D − start_date + 1`.
//!
//! Every day number the model reports is labelled the same way, by
//! [`record_date`]: the date at whose end the clock reaches it,
//! `start_date + ⌈x⌉ − 1`. For a series day or a metric counted in
//! end-of-day records (`first_day_over_capacity`, `first_day_back_under`)
//! that is the date of the record; for a time within a day
//! (`last_arrival_day` = 12.3) it is the date it falls in (the 13th
//! record's, `start_date + 12`); a quantile between two records (20.4) is
//! labelled by the later one. For a run starting on 21 January 2026,
//! series day 1 is the end of 21 January 2026, series day 21 the end of
//! 10 February, and an observation dated 30 January is series day 10.
//! Day 0 itself is the start of `start_date` (the end of the day before).

use jiff::civil::Date;

/// Month abbreviations, January first.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The calendar date of day number `day` of a run that starts on `start`
/// (see the [module docs](self)): `start + ⌈day⌉ − 1`, the date whose
/// end-of-day record is series day `⌈day⌉`.
///
/// `None` for a day that is not finite or whose date is outside the
/// calendar's range (years -9999 to 9999).
///
/// # Example
///
/// ```
/// use custody_sim::report::dates::record_date;
/// use jiff::civil::date;
///
/// let start = date(2026, 1, 21);
/// // Series day 1 is the end of the start date; day 21 the end of 10 February.
/// assert_eq!(record_date(start, 1.0), Some(date(2026, 1, 21)));
/// assert_eq!(record_date(start, 21.0), Some(date(2026, 2, 10)));
/// // A time within a day: 12.3 falls in 2 February, the 13th record's date.
/// assert_eq!(record_date(start, 12.3), Some(date(2026, 2, 2)));
/// ```
pub fn record_date(start: Date, day: f64) -> Option<Date> {
    if !day.is_finite() || day.abs() > 1e9 {
        return None;
    }
    let span = jiff::Span::new().try_days(day.ceil() as i64 - 1).ok()?;
    start.checked_add(span).ok()
}

/// The series day whose end-of-day record is the end of `date`, in a run
/// that starts on `start`: `date − start + 1` (0 or less before `start`);
/// the inverse of [`record_date`] on whole days.
///
/// # Example
///
/// ```
/// use custody_sim::report::dates::{record_date, record_day};
/// use jiff::civil::date;
///
/// let start = date(2026, 1, 21);
/// assert_eq!(record_day(start, date(2026, 1, 30)), 10);
/// assert_eq!(record_date(start, 10.0), Some(date(2026, 1, 30)));
/// ```
pub fn record_day(start: Date, date: Date) -> i64 {
    i64::from(start.until(date).map_or(0, |s| s.get_days())) + 1
}

/// Day 0 of a scenario as a civil date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Day0(Date);

impl Day0 {
    /// Parses `YYYY-MM-DD`; `None` if it is not a date.
    pub(crate) fn parse(start_date: &str) -> Option<Day0> {
        let s = start_date.trim();
        // jiff also reads `2026-01-21T00:00`; a start date is a date only.
        (s.len() == 10).then(|| s.parse::<Date>().ok().map(Day0))?
    }

    /// The start date: day 0 is its start.
    #[cfg_attr(not(feature = "plots"), allow(dead_code))]
    pub(crate) fn start(&self) -> Date {
        self.0
    }

    /// The date of day number `day` ([`record_date`]).
    pub(crate) fn date(&self, day: f64) -> Option<Date> {
        record_date(self.0, day)
    }

    /// The series day of the record at the end of `date` ([`record_day`]).
    #[cfg_attr(not(feature = "plots"), allow(dead_code))]
    pub(crate) fn record_day(&self, date: Date) -> i64 {
        record_day(self.0, date)
    }

    /// The number of days from the start date to `date` (negative
    /// before it).
    #[cfg_attr(not(feature = "plots"), allow(dead_code))]
    pub(crate) fn day_of(&self, date: Date) -> i64 {
        record_day(self.0, date) - 1
    }

    /// `21 Jan 2026`: the date of day number `day` ([`record_date`]).
    pub(crate) fn long(&self, day: f64) -> String {
        self.date(day).map_or_else(|| "—".into(), long)
    }

    /// `21 Jan 2026`: the start date.
    pub(crate) fn start_long(&self) -> String {
        long(self.0)
    }
}

/// `21 Jan 2026`.
pub(crate) fn long(d: Date) -> String {
    format!("{} {} {}", d.day(), month(d), d.year())
}

/// `Jan`.
pub(crate) fn month(d: Date) -> &'static str {
    MONTHS[(d.month() - 1).clamp(0, 11) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The convention, pinned: series day 1 of a run starting on 21
    /// January 2026 is 21 January's end of day; Karkh's first day over
    /// capacity, series day 21, is 10 February.
    #[test]
    fn series_days_map_to_the_dates_of_their_records() {
        let d0 = Day0::parse("2026-01-21").unwrap();
        assert_eq!(d0.start_long(), "21 Jan 2026");
        assert_eq!(d0.long(1.0), "21 Jan 2026");
        assert_eq!(d0.long(21.0), "10 Feb 2026");
        assert_eq!(d0.long(12.0), "1 Feb 2026");
        // Within a day, or between records: the date it falls in.
        assert_eq!(d0.long(11.2), "1 Feb 2026");
        assert_eq!(d0.long(11.9), "1 Feb 2026");
        assert_eq!(d0.long(0.5), "21 Jan 2026");
        // Day 0 is the start of the start date, the end of the day before.
        assert_eq!(d0.long(0.0), "20 Jan 2026");
        assert_eq!(d0.long(730.0), "20 Jan 2028");
        let leap = Day0::parse("2028-02-28").unwrap();
        assert_eq!(leap.long(2.0), "29 Feb 2028");
        assert_eq!(leap.long(3.0), "1 Mar 2028");
        assert_eq!(Day0::parse("2026-02-30"), None);
        assert_eq!(Day0::parse("not a date"), None);
        assert_eq!(d0.long(f64::NAN), "—");
        assert_eq!(d0.long(1e12), "—");
    }

    /// An observation dated D is series day D − start + 1, and that day's
    /// date is D again.
    #[test]
    fn observation_dates_round_trip_through_series_days() {
        let d0 = Day0::parse("2026-01-21").unwrap();
        let jan30 = Date::new(2026, 1, 30).unwrap();
        assert_eq!(d0.record_day(jan30), 10);
        assert_eq!(d0.date(10.0), Some(jan30));
        assert_eq!(d0.day_of(Date::new(2026, 2, 1).unwrap()), 11);
        assert_eq!(d0.day_of(Date::new(2025, 12, 31).unwrap()), -21);
        for d in 1..=800 {
            let date = d0.date(f64::from(d)).unwrap();
            assert_eq!(d0.record_day(date), i64::from(d));
        }
    }
}
