//! A sensitivity analysis ([`SobolResult`]) as CSV: one row per metric and
//! parameter.

use std::fmt::Write as _;

use super::text_field;
use crate::decide::{Estimate, SobolResult};

/// The header of [`sensitivity_csv`].
pub const SENSITIVITY_HEADER: &str = "metric,path,first_order,first_order_ci95_low,first_order_ci95_high,total,total_ci95_low,total_ci95_high,swing,swing_ci95_low,swing_ci95_high";

/// A sensitivity analysis as CSV (header [`SENSITIVITY_HEADER`]): per
/// metric and parameter, in the result's order, the first-order and total
/// Sobol indices and the tornado swing, each with its 95% interval; an
/// empty field where undefined. A group's row has its name as `path`;
/// with a dummy, each metric ends with the row of path `(dummy)`, without
/// a swing. Numbers in full.
///
/// See [`crate::report::table::sensitivity_table`] for an example.
pub fn sensitivity_csv(r: &SobolResult) -> String {
    let cell = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x}"));
    let mut t = format!("{SENSITIVITY_HEADER}\n");
    for m in &r.metrics {
        for i in &m.indices {
            let s = i.swing.unwrap_or(Estimate::NONE);
            let _ = writeln!(
                t,
                "{},{},{},{},{},{},{},{},{},{},{}",
                text_field(&m.metric),
                text_field(&i.path),
                cell(i.first_order.estimate),
                cell(i.first_order.ci95_low),
                cell(i.first_order.ci95_high),
                cell(i.total.estimate),
                cell(i.total.ci95_low),
                cell(i.total.ci95_high),
                cell(s.estimate),
                cell(s.ci95_low),
                cell(s.ci95_high)
            );
        }
        if let Some(d) = &m.dummy {
            let _ = writeln!(
                t,
                "{},(dummy),{},{},{},{},{},{},,,",
                text_field(&m.metric),
                cell(d.first_order.estimate),
                cell(d.first_order.ci95_low),
                cell(d.first_order.ci95_high),
                cell(d.total.estimate),
                cell(d.total.ci95_low),
                cell(d.total.ci95_high),
            );
        }
    }
    t
}
