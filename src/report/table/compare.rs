//! The table of a comparison ([`Comparison`]): one block per metric, one
//! line per scenario with its mean and 95% CI, and the paired difference
//! to the first scenario with its 95% CI.

use std::fmt::Write as _;

use crate::decide::Comparison;
use crate::report::format::{signed, with_spread};

/// `x [lo, hi]` with the decimals the interval's width asks for, or `–`.
fn interval(x: Option<f64>, lo: Option<f64>, hi: Option<f64>, sign: bool) -> String {
    let Some(x) = x else { return "–".into() };
    let width = match (lo, hi) {
        (Some(l), Some(h)) => h - l,
        _ => 0.0,
    };
    let shown = with_spread(x, width);
    let shown = if sign { signed(x, shown) } else { shown };
    let end = |e: Option<f64>| e.map_or("–".to_string(), |e| with_spread(e, width));
    format!("{shown} [{}, {}]", end(lo), end(hi))
}

/// A comparison as text for a terminal: for each metric, one line per
/// scenario with `mean [95% CI]` and `Δ` the paired difference to the
/// first scenario on common random numbers `[95% CI]`, each at the
/// precision of its interval ([`crate::report::format::with_spread`]).
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
pub fn comparison_table(c: &Comparison) -> String {
    let w = c.labels.iter().map(String::len).max().unwrap_or(5).max(8);
    let mut t = format!(
        "{} replications per scenario, seed {}, paired on common random numbers\n",
        c.replications, c.seed
    );
    for m in &c.metrics {
        let _ = writeln!(t, "\n{}", m.metric);
        for (i, e) in m.entries.iter().enumerate() {
            let mean = e.stats.as_ref().map_or("–".to_string(), |s| {
                interval(s.mean, s.ci95_low, s.ci95_high, false)
            });
            let diff = match (&e.diff, i) {
                (_, 0) => "(reference)".to_string(),
                (Some(d), _) => interval(d.mean, d.ci95_low, d.ci95_high, true),
                (None, _) => "–".to_string(),
            };
            let _ = writeln!(t, "  {:<w$}  {:<36} Δ {}", e.label, mean, diff);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_take_their_width_s_decimals() {
        assert_eq!(
            interval(Some(5704.0), Some(5704.0), Some(5704.0), false),
            "5,704 [5,704, 5,704]"
        );
        assert_eq!(
            interval(Some(12.345), Some(12.1), Some(12.6), true),
            "+12.35 [12.10, 12.60]"
        );
        assert_eq!(interval(Some(-3.0), None, None, true), "-3 [–, –]");
        assert_eq!(interval(None, Some(1.0), Some(2.0), false), "–");
    }
}
