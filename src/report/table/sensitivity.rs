//! The table of a sensitivity analysis ([`SobolResult`]): per metric, one
//! line per parameter with its first-order and total Sobol indices and its
//! tornado swing, each with its 95% interval, by total index.

use std::fmt::Write as _;

use crate::decide::{Estimate, SobolIndex, SobolResult};
use crate::report::format::{by_size, with_spread};

/// Second-order pairs a table lists (the largest; the JSON has all).
const SECOND_ORDER_SHOWN: usize = 10;

/// `0.123 [0.100, 0.150]` at the interval's precision, the estimate alone
/// (by its size) without one, or `–` where undefined.
fn est(e: &Estimate) -> String {
    match (e.estimate, e.ci95_low, e.ci95_high) {
        (Some(x), Some(l), Some(h)) => {
            let w = h - l;
            format!(
                "{} [{}, {}]",
                with_spread(x, w),
                with_spread(l, w),
                with_spread(h, w)
            )
        }
        (Some(x), _, _) => by_size(x),
        _ => "–".to_string(),
    }
}

/// A sensitivity analysis as text for a terminal: for each metric, its
/// variance across the design and one line per parameter (or group, its
/// paths on the next line), by total index, with `first order [95%]`,
/// `total [95%]` and `tornado swing [95%]`; with a dummy, its line and
/// `≈ dummy` beside each index not distinguishable from it; with
/// second-order indices, the largest pairs.
///
/// # Example
///
/// ```
/// use custody_sim::decide::{SobolOptions, parse_param, sensitivity};
/// use custody_sim::report::{csv::sensitivity_csv, table::sensitivity_table};
/// use custody_sim::presets;
///
/// let mut s = presets::baseline();
/// s.horizon_days = 60;
/// let params = [parse_param(r#"court.stage[trial].servers={dist="uniform_int",low=10,high=30}"#)?];
/// let opts = SobolOptions { base_samples: 8, bootstrap: 20, seed: 1, ..SobolOptions::default() };
/// let r = sensitivity(&s, &params, &["convicted"], &opts, 2)?;
/// let text = sensitivity_table(&r);
/// assert!(text.starts_with("convicted ("));
/// assert!(text.contains("court.stage[trial].servers"));
/// let csv = sensitivity_csv(&r);
/// assert_eq!(csv.lines().count(), 1 + 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sensitivity_table(r: &SobolResult) -> String {
    let mut t = String::new();
    for m in &r.metrics {
        let _ = writeln!(
            t,
            "{} ({} evaluations, variance {})",
            m.metric,
            r.evaluations,
            m.variance.map_or("–".to_string(), by_size)
        );
        let w = m
            .indices
            .iter()
            .map(|i| i.path.len())
            .max()
            .unwrap_or(9)
            .max(9);
        let _ = writeln!(
            t,
            "  {:<w$}  {:<26} {:<26} {:<30}",
            "parameter", "first order [95%]", "total [95%]", "tornado swing [95%]"
        );
        let mut ix: Vec<_> = m.indices.iter().collect();
        ix.sort_by(|a, b| {
            let key = |i: &&SobolIndex| i.total.estimate.unwrap_or(f64::NEG_INFINITY);
            key(b).total_cmp(&key(a))
        });
        for i in ix {
            let flag = if i.above_dummy == Some(false) {
                "  ≈ dummy"
            } else {
                ""
            };
            let _ = writeln!(
                t,
                "  {:<w$}  {:<26} {:<26} {:<30}{flag}",
                i.path,
                est(&i.first_order),
                est(&i.total),
                i.swing.as_ref().map_or("–".to_string(), est)
            );
            if !i.members.is_empty() {
                let _ = writeln!(t, "    group of {}", i.members.join(", "));
            }
        }
        if let Some(d) = &m.dummy {
            let _ = writeln!(
                t,
                "  {:<w$}  {:<26} {:<26} (noise floor: \"≈ dummy\" marks a total whose interval does not lie above the dummy's)",
                "(dummy)",
                est(&d.first_order),
                est(&d.total),
            );
        }
        if !m.second_order.is_empty() {
            let shown = m.second_order.len().min(SECOND_ORDER_SHOWN);
            let _ = writeln!(
                t,
                "  second-order indices, the {shown} largest of {} pairs [95%]:",
                m.second_order.len()
            );
            for p in &m.second_order[..shown] {
                let _ = writeln!(
                    t,
                    "    {} × {}  {}",
                    p.pair[0],
                    p.pair[1],
                    est(&p.second_order)
                );
            }
        }
        t.push('\n');
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_read_at_their_interval_s_precision() {
        let e = |x, l, h| Estimate {
            estimate: x,
            ci95_low: l,
            ci95_high: h,
        };
        assert_eq!(
            est(&e(Some(0.2), Some(0.1), Some(0.35))),
            "0.20 [0.10, 0.35]"
        );
        assert_eq!(
            est(&e(Some(1234.5), Some(1000.0), Some(1500.0))),
            "1,235 [1,000, 1,500]"
        );
        assert_eq!(est(&e(Some(0.5), None, None)), "0.50");
        assert_eq!(est(&Estimate::NONE), "–");
    }
}
