//! The axes of the charts: a day axis with a calendar-date axis above it
//! (dates through [`crate::report::dates`]: a date's tick is at its
//! end-of-day record, where its observations are drawn), ticks, round
//! bounds and thinning of flat runs.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

use crate::error::Error;
use crate::report::dates::{self, Day0};
use crate::stats::SeriesBands;

/// Day 0 as a date, and the calendar axis of a horizon.
#[derive(Debug, Clone, Copy)]
pub(super) struct Calendar {
    /// Day 0.
    day0: Day0,
    /// Last day plotted \[days\].
    pub(super) horizon: u32,
}

impl Calendar {
    pub(super) fn new(start_date: &str, horizon: u32) -> Result<Calendar, Error> {
        let day0 = Day0::parse(start_date).ok_or_else(|| {
            Error::plot(format!(
                "start_date {start_date:?} is not a YYYY-MM-DD date"
            ))
        })?;
        Ok(Calendar { day0, horizon })
    }

    /// The same calendar over another horizon.
    pub(super) fn with_horizon(self, horizon: u32) -> Calendar {
        Calendar { horizon, ..self }
    }

    /// `21 Jan 2026`: the start date, whose start is day 0.
    pub(super) fn start_long(&self) -> String {
        self.day0.start_long()
    }

    /// `Apr 2026` or `28 Jan`, for a tick of the date axis at `day`: the
    /// date whose end-of-day record is that day (see
    /// [`record_date`](crate::report::dates::record_date)).
    pub(super) fn tick(&self, day: f64) -> String {
        let Some(d) = self.day0.date(day.round()) else {
            return String::new();
        };
        if self.horizon > 62 {
            format!("{} {}", dates::month(d), d.year())
        } else {
            format!("{} {}", d.day(), dates::month(d))
        }
    }

    /// Ticks of the day axis: multiples of a round step, at most 8 (their
    /// labels stay apart on a chart read on a phone).
    pub(super) fn day_ticks(&self) -> Vec<f64> {
        let h = f64::from(self.horizon);
        let step = [1.0, 2.0, 7.0, 14.0, 30.0, 60.0, 90.0, 180.0, 365.0, 730.0]
            .into_iter()
            .find(|s| h / s <= 7.0)
            .unwrap_or((h / 10.0).ceil());
        let mut v = Vec::new();
        let mut x = 0.0;
        while x <= h + 1e-9 {
            v.push(x);
            x += step;
        }
        v
    }

    /// Ticks of the date axis: each at the end-of-day record of its date
    /// (series day `date − start_date + 1`, where an observation of that
    /// date is drawn), on the first days of months (every 1, 2, 3, 6 or 12
    /// months), or for horizons up to two months, every few days from the
    /// start date.
    pub(super) fn date_ticks(&self) -> Vec<f64> {
        let h = i64::from(self.horizon);
        if self.horizon <= 62 {
            let step = self.day_ticks().get(1).map_or(1, |&s| s as i64).max(1);
            return (1..=h.max(1))
                .step_by(step as usize)
                .map(|d| d as f64)
                .collect();
        }
        let start = self.day0.start();
        let months = h / 30 + 1;
        let step = [1, 2, 3, 6, 12]
            .into_iter()
            .find(|s| months / s <= 5)
            .unwrap_or(24);
        let mut v = Vec::new();
        // First days of months after day 0, on the step's grid (Jan-based).
        let mut month = start.first_of_month();
        loop {
            month = match month.checked_add(jiff::Span::new().months(1)) {
                Ok(m) => m,
                Err(_) => break,
            };
            let day = self.day0.record_day(month);
            if day > h {
                break;
            }
            if i64::from(month.month() - 1) % step == 0 {
                v.push(day as f64);
            }
        }
        v
    }
}

#[derive(Debug, Clone)]
pub(super) struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ticked {
    pub(super) fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Ticked {
        Ticked { lo, hi, ticks }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = (value - self.lo) / (self.hi - self.lo);
        (f64::from(limit.0) + t * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// A round upper bound for an axis: at least `x`, 5-15% above it.
pub(super) fn nice_max(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return 1.0;
    }
    let x = x * 1.08;
    let mag = 10f64.powf(x.log10().floor() - 1.0);
    (x / mag).ceil() * mag
}

/// Drops interior points of flat runs (equal value before and after):
/// the line looks the same and the SVG is much smaller.
pub(super) fn thin(points: impl Iterator<Item = (f64, f64)>) -> Vec<(f64, f64)> {
    let all: Vec<_> = points.collect();
    let mut out = Vec::with_capacity(all.len());
    for (i, &p) in all.iter().enumerate() {
        let flat = i > 0 && i + 1 < all.len() && all[i - 1].1 == p.1 && all[i + 1].1 == p.1;
        if !flat {
            out.push(p);
        }
    }
    out
}

/// The days worth plotting of series that settle early: up to a round day
/// a quarter past the last change of any band, or the whole horizon when
/// the series still move in its last third.
pub(super) fn active_span(bands: &SeriesBands, horizon: u32) -> u32 {
    let last_change = |v: &[f64]| {
        let end = v.last().copied().unwrap_or(0.0);
        v.iter().rposition(|x| *x != end).map_or(0, |i| i + 1) as u32
    };
    let d = last_change(&bands.p5)
        .max(last_change(&bands.p50))
        .max(last_change(&bands.p95));
    if d * 3 >= horizon * 2 {
        return horizon;
    }
    let want = (d + d / 4 + 7).max(28);
    let step = if want <= 70 { 7 } else { 30 };
    want.div_ceil(step).saturating_mul(step).min(horizon)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::Observations;

    /// A date's tick is where its observation is drawn: a count reported
    /// on 30 January (series day 10 of a run from 21 January) falls on the
    /// tick labelled 30 Jan, and the first of a month on its month's tick.
    #[test]
    fn an_observation_falls_on_the_tick_of_its_date() {
        let s = crate::scenario::presets::plan_2026_01();
        let obs = Observations::from_csv_str(
            "date,series,value\n2026-01-30,transferred_cumulative,500\n2026-02-01,transferred_cumulative,700\n",
            "reported",
            &s,
        )
        .unwrap();
        let (jan30, feb1) = (f64::from(obs.rows()[0].day), f64::from(obs.rows()[1].day));
        assert_eq!((jan30, feb1), (10.0, 12.0));
        let short = Calendar::new("2026-01-21", 30).unwrap();
        assert_eq!(short.tick(jan30), "30 Jan");
        // The date axis starts at the start date's own record, series day 1.
        let ticks = short.date_ticks();
        assert_eq!(short.tick(ticks[0]), "21 Jan");
        assert_eq!(ticks[0], 1.0);
        assert!(ticks.iter().all(|&t| t <= 30.0));
        // Monthly ticks: 1 February's is its record, series day 12.
        let months = Calendar::new("2026-01-21", 120).unwrap();
        assert_eq!(months.date_ticks()[0], feb1);
        assert_eq!(months.tick(feb1), "Feb 2026");
    }
}
