//! Calendar dates of model days, for the table and the charts: day 0 is
//! the scenario's `start_date`, day `d` is `d` whole days later (civil
//! dates, proleptic Gregorian, through `jiff`).

use jiff::civil::Date;

/// Month abbreviations, January first.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

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

    /// The date of model day `day` (whole days, floored); `None` outside
    /// the calendar's range (years -9999 to 9999).
    pub(crate) fn date(&self, day: f64) -> Option<Date> {
        if !day.is_finite() || day.abs() > 1e9 {
            return None;
        }
        let span = jiff::Span::new().try_days(day.floor() as i64).ok()?;
        self.0.checked_add(span).ok()
    }

    /// The model day of a date (negative before day 0).
    #[cfg_attr(not(feature = "plots"), allow(dead_code))]
    pub(crate) fn day_of(&self, date: Date) -> i64 {
        i64::from(self.0.until(date).map_or(0, |s| s.get_days()))
    }

    /// `21 Jan 2026`.
    pub(crate) fn long(&self, day: f64) -> String {
        self.date(day).map_or_else(|| "—".into(), long)
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

    #[test]
    fn days_map_to_civil_dates() {
        let d0 = Day0::parse("2026-01-21").unwrap();
        assert_eq!(d0.long(0.0), "21 Jan 2026");
        assert_eq!(d0.long(11.0), "1 Feb 2026");
        assert_eq!(d0.long(11.9), "1 Feb 2026", "floored");
        assert_eq!(d0.long(730.0), "21 Jan 2028");
        let leap = Day0::parse("2028-02-28").unwrap();
        assert_eq!(leap.long(1.0), "29 Feb 2028");
        assert_eq!(leap.long(2.0), "1 Mar 2028");
        assert_eq!(d0.day_of(Date::new(2026, 2, 1).unwrap()), 11);
        assert_eq!(d0.day_of(Date::new(2025, 12, 31).unwrap()), -21);
        assert_eq!(Day0::parse("2026-02-30"), None);
        assert_eq!(Day0::parse("not a date"), None);
        assert_eq!(d0.long(f64::NAN), "—");
        assert_eq!(d0.long(1e12), "—");
    }
}
