//! A regional sensitivity analysis ([`RegionalResult`]) as CSV: one row
//! per parameter.

use std::fmt::Write as _;

use super::text_field;
use crate::decide::RegionalResult;

/// The header of [`regional_csv`].
pub const REGIONAL_HEADER: &str = "path,ks,p_value";

/// A regional sensitivity analysis as CSV (header [`REGIONAL_HEADER`]):
/// per parameter, in the result's order, its Kolmogorov–Smirnov distance
/// and asymptotic p-value; an empty field where undefined. Numbers in
/// full.
///
/// See [`crate::report::table::regional_table`] for an example.
pub fn regional_csv(r: &RegionalResult) -> String {
    let cell = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x}"));
    let mut t = format!("{REGIONAL_HEADER}\n");
    for i in &r.indices {
        let _ = writeln!(
            t,
            "{},{},{}",
            text_field(&i.path),
            cell(i.ks),
            cell(i.p_value)
        );
    }
    t
}
