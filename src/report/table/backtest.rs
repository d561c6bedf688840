//! The table of a backtest ([`Backtest`]): one line per observation with
//! the band it was scored against, then the coverage and the scores.

use std::fmt::Write as _;

use crate::calibrate::{BOUND_CONSISTENT_SHARE, Backtest, ObservationKind};
use crate::report::format::fixed;

/// A backtest as text for a terminal: per observation its date, series,
/// value, the run's p5/p50/p95 that day, whether it falls inside the
/// band (`pinned` for a row the scenario fixes, not scored), its PIT and
/// interval score; then the coverage of the band, the mean interval score
/// and the CRPS over the scored value rows. Occupancies to one decimal, the PIT
/// to two, the coverage to three ([`crate::report::format::fixed`]).
///
/// # Example
///
/// ```
/// use custody_sim::calibrate::{Observations, backtest};
/// use custody_sim::report::{csv::backtest_csv, table::backtest_table};
/// use custody_sim::presets;
///
/// let s = presets::plan_2026_01();
/// let obs = Observations::from_csv_str(
///     "date,series,value,sd\n9,transferred_cumulative,500,50\n",
///     "reported",
///     &s,
/// )?;
/// let b = backtest(&s, &obs, 4, 1, 0)?;
/// let text = backtest_table(&b);
/// assert!(text.contains("transferred_cumulative"));
/// assert!(text.contains("coverage of [p5, p95]"));
/// assert_eq!(backtest_csv(&b)?.lines().count(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn backtest_table(b: &Backtest) -> String {
    let mut t = format!(
        "{:<10}  {:<28} {:>10} {:>10} {:>10} {:>10}  {:<6} {:>5} {:>10}\n",
        "date", "series", "value", "p5", "p50", "p95", "inside", "PIT", "int.score"
    );
    for r in &b.rows {
        if r.kind.is_value() {
            let _ = writeln!(
                t,
                "{:<10}  {:<28} {:>10} {:>10} {:>10} {:>10}  {:<6} {:>5} {:>10}",
                r.date,
                r.series,
                fixed(r.value, 1),
                fixed(r.p5, 1),
                fixed(r.p50, 1),
                fixed(r.p95, 1),
                if r.pinned {
                    "pinned"
                } else if r.inside {
                    "yes"
                } else {
                    "no"
                },
                fixed(r.pit, 2),
                fixed(r.interval_score, 1)
            );
        } else {
            // A bound: `>=` or `<=` before it, and the share of the
            // replications meeting it in place of inside, PIT and score.
            let sign = if r.kind == ObservationKind::AtLeast {
                ">="
            } else {
                "<="
            };
            let _ = writeln!(
                t,
                "{:<10}  {:<28} {:>10} {:>10} {:>10} {:>10}  bound: {} of replications meet it ({})",
                r.date,
                r.series,
                format!("{sign}{}", fixed(r.value, 1)),
                fixed(r.p5, 1),
                fixed(r.p50, 1),
                fixed(r.p95, 1),
                fixed(r.share_meeting.unwrap_or(f64::NAN), 3),
                if r.consistent == Some(true) {
                    "consistent"
                } else {
                    "NOT consistent"
                }
            );
        }
    }
    t.push('\n');
    t.push_str(&backtest_summary(b));
    t
}

/// The totals line of a backtest: coverage, mean interval score and CRPS
/// over the value rows (`n/a` with none), and `bounds consistent: k of m`
/// where there are bound rows; ends with a newline.
///
/// # Example
///
/// ```
/// use custody_sim::calibrate::Backtest;
/// use custody_sim::report::table::backtest_summary;
///
/// let b = Backtest::from_rows(Vec::new());
/// assert!(backtest_summary(&b).contains("n/a (no value rows)"));
/// ```
pub fn backtest_summary(b: &Backtest) -> String {
    let mut t = if b.coverage.is_nan() {
        "coverage, interval score, CRPS: n/a (no value rows)".to_string()
    } else {
        format!(
            "coverage of [p5, p95]: {} (nominal 0.90) · mean interval score: {} · CRPS: {}",
            fixed(b.coverage, 3),
            fixed(b.mean_interval_score, 2),
            fixed(b.crps, 2)
        )
    };
    if let Some(n) = b.pinned {
        let _ = write!(
            t,
            " · pinned by the scenario (every replication equals the report; not scored): {n}"
        );
    }
    if let (Some(k), Some(m)) = (b.bounds_consistent, b.bounds) {
        let _ = write!(
            t,
            " · bounds consistent: {k} of {m} (share meeting >= {BOUND_CONSISTENT_SHARE})"
        );
    }
    t.push('\n');
    t
}
