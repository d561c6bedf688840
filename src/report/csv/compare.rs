//! A comparison ([`Comparison`]) as CSV: one row per metric and scenario.

use std::fmt::Write as _;

use super::text_field;
use crate::decide::Comparison;

/// The header of [`comparison_csv`].
pub const COMPARISON_HEADER: &str =
    "metric,label,mean,ci95_low,ci95_high,diff_mean,diff_ci95_low,diff_ci95_high";

/// A comparison as CSV (header [`COMPARISON_HEADER`]): per metric and
/// scenario, the mean with its 95% CI and the paired difference to the
/// first scenario with its 95% CI; an empty field where undefined (the
/// first scenario has no difference). Numbers in full.
///
/// See [`crate::report::table::comparison_table`] for an example.
pub fn comparison_csv(c: &Comparison) -> String {
    let mut t = format!("{COMPARISON_HEADER}\n");
    let cell = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x}"));
    for m in &c.metrics {
        for e in &m.entries {
            let s = e.stats.as_ref();
            let d = e.diff.as_ref();
            let _ = writeln!(
                t,
                "{},{},{},{},{},{},{},{}",
                text_field(&m.metric),
                text_field(&e.label),
                cell(s.and_then(|s| s.mean)),
                cell(s.and_then(|s| s.ci95_low)),
                cell(s.and_then(|s| s.ci95_high)),
                cell(d.and_then(|d| d.mean)),
                cell(d.and_then(|d| d.ci95_low)),
                cell(d.and_then(|d| d.ci95_high))
            );
        }
    }
    t
}
