//! The table of a comparison ([`Comparison`]): one block per metric, one
//! line per scenario with its mean and 95% CI, and the paired difference
//! to the first scenario with its 95% CI.
//!
//! Every figure is at the precision of its interval
//! ([`crate::report::format::with_interval`]: at most four significant
//! digits), thousands separated; a rate
//! (`peak_occupancy_rate`) reads as a percentage and its difference in
//! percentage points; a day metric (`first_day_over_capacity`) comes with
//! the dates of its p5–p95 band, as the run's table dates it, and reads
//! `never` where it is beyond the horizon in every replication.

use std::fmt::Write as _;

use super::cells::{Kind, band_dates, grid, kind_of};
use crate::decide::Comparison;
use crate::montecarlo::sweep::PairedDiff;
use crate::report::dates::Day0;
use crate::report::format::{signed, with_interval};
use crate::stats::MetricStats;

/// `x [lo, hi]` with the decimals the interval's width asks for, or `–`.
/// A rate is shown ×100, with `%` after each figure, or, for a
/// difference (`sign`), ` pp` after the interval.
fn interval(x: Option<f64>, lo: Option<f64>, hi: Option<f64>, sign: bool, percent: bool) -> String {
    let Some(x) = x else { return "–".into() };
    let scale = if percent { 100.0 } else { 1.0 };
    let each = if percent && !sign { "%" } else { "" };
    let after = if percent && sign { " pp" } else { "" };
    // Without an end, the other (or the figure) stands in for the width.
    let (l, h) = (lo.unwrap_or(hi.unwrap_or(x)), hi.unwrap_or(lo.unwrap_or(x)));
    let (shown, l, h) = with_interval(x * scale, l * scale, h * scale);
    let shown = format!("{shown}{each}");
    let shown = if sign { signed(x, shown) } else { shown };
    let end =
        |e: Option<f64>, text: String| e.map_or("–".to_string(), |_| format!("{text}{each}"));
    format!("{shown} [{}, {}]{after}", end(lo, l), end(hi, h))
}

/// A paired difference `+mean [lo, hi]` at the precision of its
/// interval; a rate's in percentage points (`+5.2 [4.9, 5.5] pp`).
pub(super) fn difference(d: &PairedDiff, kind: Kind) -> String {
    interval(
        d.mean,
        d.ci95_low,
        d.ci95_high,
        true,
        matches!(kind, Kind::Percent),
    )
}

/// A scenario's calendar as the table uses it ([`crate::decide::Calendar`]):
/// its horizon and day 0, and the first-day-over-capacity metrics of the
/// facilities already over capacity on day 0 (which read so).
struct Calendar {
    horizon: u32,
    day0: Option<Day0>,
    over_on_day0: Vec<String>,
}

/// One scenario's level of a metric: `mean [95% CI]`, `never` for a day
/// metric beyond the horizon in every replication; and, for a day
/// metric, the dates of its p5–p95 band.
fn level(s: Option<&MetricStats>, kind: Kind, cal: Option<&Calendar>) -> (String, String) {
    let Some(s) = s else {
        return ("–".into(), String::new());
    };
    match (kind, cal) {
        (Kind::Day(_), Some(c)) => {
            if s.min.is_some_and(|x| x > f64::from(c.horizon)) {
                return (format!("never (within {} days)", c.horizon), String::new());
            }
            (
                interval(s.mean, s.ci95_low, s.ci95_high, false, false),
                band_dates(Some(s), c.horizon, c.day0),
            )
        }
        _ => (
            interval(
                s.mean,
                s.ci95_low,
                s.ci95_high,
                false,
                matches!(kind, Kind::Percent),
            ),
            String::new(),
        ),
    }
}

/// A comparison as text for a terminal: for each metric, one line per
/// scenario with `mean [95% CI]` and `Δ` the paired difference to the
/// first scenario on common random numbers `[95% CI]`, each at the
/// precision of its interval ([`crate::report::format::with_interval`]);
/// rates as percentages. The scenarios' calendars
/// ([`Comparison::calendars`]) date the day metrics: a first day over
/// capacity reads `21 [21, 21] (10 Feb 2026)`, the dates of its p5–p95
/// band as the run's table gives them, or `never` where no replication
/// reaches it within the horizon. A comparison read back from its JSON
/// has no calendars, and its day metrics no dates.
///
/// # Example
///
/// ```
/// use custody_sim::decide::compare_variants;
/// use custody_sim::report::{csv::comparison_csv, table::comparison_table};
/// use custody_sim::scenario::Variant;
/// use custody_sim::{Runs, presets};
///
/// let variants = [
///     Variant::new("plan"),
///     Variant::new("30 judges").set("court.stage[trial].servers", "30"),
/// ];
/// let runs = Runs { replications: 4, seed: 1, threads: 0 };
/// let c = compare_variants(&presets::baseline(), &variants, &["transferred"], &runs)?;
/// let text = comparison_table(&c);
/// assert!(text.contains("(reference)"));
/// assert!(text.contains("30 judges"));
/// // The same comparison as CSV, one row per metric and scenario.
/// let csv = comparison_csv(&c);
/// assert_eq!(csv.lines().count(), 1 + 2);
/// assert!(csv.starts_with("metric,label,mean,"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Example: a first day over capacity, dated
///
/// ```
/// use custody_sim::decide::compare_variants;
/// use custody_sim::report::table::comparison_table;
/// use custody_sim::scenario::Variant;
/// use custody_sim::{Runs, presets};
///
/// let variants = [Variant::new("plan"), Variant::new("more beds").set("facility[Karkh].capacity", "4500")];
/// let runs = Runs { replications: 4, seed: 1, threads: 0 };
/// let c = compare_variants(&presets::baseline(), &variants, &["facility.Karkh.first_day_over_capacity"], &runs)?;
/// let text = comparison_table(&c);
/// assert!(text.contains(" 2026)"), "{text}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn comparison_table(c: &Comparison) -> String {
    let calendars: Vec<Calendar> = c
        .calendars
        .iter()
        .map(|cal| Calendar {
            horizon: cal.horizon_days,
            day0: Day0::parse(&cal.start_date.to_string()),
            over_on_day0: cal
                .over_on_day0
                .iter()
                .map(|f| format!("facility.{f}.first_day_over_capacity"))
                .collect(),
        })
        .collect();
    table(c, &calendars)
}

fn table(c: &Comparison, calendars: &[Calendar]) -> String {
    let reference = c.labels.first().map_or("", String::as_str);
    let mut t = format!(
        "{} replications per scenario, seed {}, paired on common random numbers\n",
        c.replications, c.seed
    );
    let _ = writeln!(
        t,
        "Figures: mean [95% CI]; Δ: paired difference to {reference} [95% CI]."
    );
    let horizon = calendars.first().map_or(u32::MAX, |c| c.horizon);
    let mut notes = (false, false);
    for m in &c.metrics {
        let kind = kind_of(&m.metric, horizon);
        let unit = crate::model::schema::metric_def_of(&m.metric).map(|d| d.unit);
        match (kind, unit) {
            (Kind::Percent, _) => {
                notes.0 = true;
                let _ = writeln!(t, "\n{} [% of beds]", m.metric);
            }
            (Kind::Day(_), _) => {
                notes.1 = !calendars.is_empty();
                let _ = writeln!(t, "\n{} [day number]", m.metric);
            }
            (_, Some(u)) => {
                let _ = writeln!(t, "\n{} [{u}]", m.metric);
            }
            (_, None) => {
                let _ = writeln!(t, "\n{}", m.metric);
            }
        }
        let mut rows = Vec::with_capacity(m.entries.len());
        for (i, e) in m.entries.iter().enumerate() {
            let cal = calendars.get(i);
            let (mean, dates) = if cal.is_some_and(|c| c.over_on_day0.contains(&m.metric)) {
                ("over on day 0".to_string(), String::new())
            } else {
                level(e.stats.as_ref(), kind, cal)
            };
            let diff = match (&e.diff, i) {
                (_, 0) => "(reference)".to_string(),
                (Some(d), _) => difference(d, kind),
                (None, _) => "–".to_string(),
            };
            let mut row = vec![e.label.clone(), mean];
            if matches!(kind, Kind::Day(_)) && !calendars.is_empty() {
                row.push(dates);
            }
            row.push(format!("Δ {diff}"));
            rows.push(row);
        }
        t.push_str(&grid(&rows, "  "));
    }
    if notes.0 {
        t.push_str("\n(rates: the worst day's occupancy / beds; their differences in percentage points, pp)\n");
    }
    if notes.1 {
        t.push_str(
            "\n(day numbers: dates are those of the p5–p95 band across replications; never: beyond the horizon, counted as horizon + 1 in the mean; over on day 0: the population inside on day 0 already exceeds the beds)\n",
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_take_their_width_s_decimals() {
        assert_eq!(
            interval(Some(5704.0), Some(5704.0), Some(5704.0), false, false),
            "5,704 [5,704, 5,704]"
        );
        assert_eq!(
            interval(Some(12.345), Some(12.1), Some(12.6), true, false),
            "+12.35 [12.10, 12.60]"
        );
        // No more than four significant digits, whatever the width.
        assert_eq!(
            interval(Some(21.02), Some(20.98), Some(21.06), false, false),
            "21.02 [20.98, 21.06]"
        );
        assert_eq!(interval(Some(-3.0), None, None, true, false), "-3 [–, –]");
        assert_eq!(interval(None, Some(1.0), Some(2.0), false, false), "–");
        // A mean with a wide interval: no decimals, thousands separated.
        assert_eq!(
            interval(Some(5369.24), Some(5340.1), Some(5398.7), false, false),
            "5,369 [5,340, 5,399]"
        );
    }

    #[test]
    fn rates_read_as_percentages_and_their_differences_in_points() {
        assert_eq!(
            interval(Some(1.4261), Some(1.4203), Some(1.4319), false, true),
            "142.6% [142.0%, 143.2%]"
        );
        assert_eq!(
            interval(Some(1.425910), Some(1.425870), Some(1.425950), false, true),
            "142.6% [142.6%, 142.6%]"
        );
        assert_eq!(
            interval(Some(-0.052), Some(-0.06), Some(-0.044), true, true),
            "-5.2 [-6.0, -4.4] pp"
        );
        assert_eq!(
            interval(Some(1.426), Some(1.426), Some(1.426), false, true),
            "143% [143%, 143%]"
        );
    }

    #[test]
    fn day_metrics_are_dated_or_never() {
        let cal = &Calendar {
            horizon: 730,
            day0: Day0::parse("2026-01-21"),
            over_on_day0: Vec::new(),
        };
        let m = MetricStats::from_values(&[21.0, 21.0, 21.0]);
        let (mean, dates) = level(Some(&m), Kind::Day(730), Some(cal));
        assert_eq!(mean, "21 [21, 21]");
        assert_eq!(dates, "(10 Feb 2026)");
        let never = MetricStats::from_values(&[731.0, 731.0]);
        let (mean, dates) = level(Some(&never), Kind::Day(730), Some(cal));
        assert_eq!(mean, "never (within 730 days)");
        assert_eq!(dates, "");
        assert_eq!(level(None, Kind::Day(730), Some(cal)).0, "–");
    }
}
