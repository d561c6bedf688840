//! The table of a backtest ([`Backtest`]): one line per observation with
//! the band it was scored against, then the coverage and the scores.

use std::fmt::Write as _;

use crate::calibrate::Backtest;
use crate::report::format::fixed;

/// A backtest as text for a terminal: per observation its date, series,
/// value, the run's p5/p50/p95 that day, whether it falls inside the
/// band, its PIT and interval score; then the coverage of the band, the
/// mean interval score and the CRPS. Occupancies to one decimal, the PIT
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
        let _ = writeln!(
            t,
            "{:<10}  {:<28} {:>10} {:>10} {:>10} {:>10}  {:<6} {:>5} {:>10}",
            r.date,
            r.series,
            fixed(r.value, 1),
            fixed(r.p5, 1),
            fixed(r.p50, 1),
            fixed(r.p95, 1),
            if r.inside { "yes" } else { "no" },
            fixed(r.pit, 2),
            fixed(r.interval_score, 1)
        );
    }
    let _ = writeln!(
        t,
        "\ncoverage of [p5, p95]: {} (nominal 0.90) · mean interval score: {} · CRPS: {}",
        fixed(b.coverage, 3),
        fixed(b.mean_interval_score, 2),
        fixed(b.crps, 2)
    );
    t
}
