//! A Morris screening ([`MorrisResult`]) as CSV: one row per metric and
//! parameter.

use std::fmt::Write as _;

use super::text_field;
use crate::decide::MorrisResult;

/// The header of [`morris_csv`].
pub const MORRIS_HEADER: &str = "metric,path,mu_star,mu,sigma,effects";

/// A Morris screening as CSV (header [`MORRIS_HEADER`]): per metric and
/// parameter, in the result's order, μ*, μ, σ and the elementary effects
/// used; an empty field where undefined. Numbers in full.
///
/// See [`crate::report::table::morris_table`] for an example.
pub fn morris_csv(r: &MorrisResult) -> String {
    let cell = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x}"));
    let mut t = format!("{MORRIS_HEADER}\n");
    for m in &r.metrics {
        for i in &m.indices {
            let _ = writeln!(
                t,
                "{},{},{},{},{},{}",
                text_field(&m.metric),
                text_field(&i.path),
                cell(i.mu_star),
                cell(i.mu),
                cell(i.sigma),
                i.effects
            );
        }
    }
    t
}
