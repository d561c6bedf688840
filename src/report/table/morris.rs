//! The table of a Morris screening ([`MorrisResult`]): per metric, one line
//! per parameter with μ*, μ and σ of its elementary effects, by μ*.

use std::fmt::Write as _;

use crate::decide::MorrisResult;
use crate::report::format::by_size;

/// A Morris screening as text for a terminal: for each metric, one line
/// per parameter, from the largest μ* to the smallest, with `mu*`, `mu`,
/// `sigma` (in the metric's units per the parameter's whole range) and the
/// elementary effects used.
///
/// # Example
///
/// ```
/// use custody_sim::decide::{MorrisOptions, morris_model, parse_param};
/// use custody_sim::report::{csv::morris_csv, table::morris_table};
/// use custody_sim::presets;
///
/// let mut s = presets::baseline();
/// s.horizon_days = 60;
/// let params = [parse_param(r#"court.stage[trial].servers={dist="uniform_int",low=10,high=30}"#)?];
/// let opts = MorrisOptions { trajectories: 3, ..MorrisOptions::default() };
/// let r = morris_model(&s, &params, &["convicted"], &opts)?;
/// let text = morris_table(&r);
/// assert!(text.starts_with("convicted (6 evaluations, 3 trajectories, 4 levels)"));
/// assert!(text.contains("court.stage[trial].servers"));
/// assert_eq!(morris_csv(&r).lines().count(), 1 + 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn morris_table(r: &MorrisResult) -> String {
    let mut t = String::new();
    let cell = |x: Option<f64>| x.map_or("–".to_string(), by_size);
    for m in &r.metrics {
        let _ = writeln!(
            t,
            "{} ({} evaluations, {} trajectories, {} levels)",
            m.metric, r.evaluations, r.options.trajectories, r.options.levels
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
            "  {:<w$}  {:>12} {:>12} {:>12} {:>8}",
            "parameter", "mu*", "mu", "sigma", "effects"
        );
        for i in m.sorted() {
            let _ = writeln!(
                t,
                "  {:<w$}  {:>12} {:>12} {:>12} {:>8}",
                i.path,
                cell(i.mu_star),
                cell(i.mu),
                cell(i.sigma),
                i.effects
            );
        }
        t.push('\n');
    }
    t
}
