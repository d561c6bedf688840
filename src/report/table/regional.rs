//! The table of a regional sensitivity analysis ([`RegionalResult`]): the
//! condition with how many runs meet it, then one line per parameter with
//! its Kolmogorov–Smirnov distance and p-value, by distance.

use std::fmt::Write as _;

use crate::decide::RegionalResult;

/// A regional sensitivity analysis as text for a terminal: the line
/// `METRIC OP VALUE: holds in H of N runs, fails in F`, then one line per
/// parameter, from the largest Kolmogorov–Smirnov distance to the
/// smallest, with the distance (3 decimals) and its asymptotic p-value (4
/// decimals); `–` where undefined (the condition holds in every run or in
/// none).
///
/// # Example
///
/// ```
/// use custody_sim::decide::{Condition, parse_param, regional};
/// use custody_sim::report::{csv::regional_csv, table::regional_table};
/// use custody_sim::presets;
///
/// let mut s = presets::plan_2026_01();
/// s.horizon_days = 30;
/// let params = [parse_param(r#"transfer.phase[1].from={dist="uniform",low=17,high=25}"#)?];
/// let c = Condition::parse("in_syria@20<5600")?;
/// let r = regional(&s, &params, &c, 40, 1, 0)?;
/// let text = regional_table(&r);
/// assert!(text.starts_with(&format!("in_syria@20 < 5600: holds in {} of 40 runs", r.holds)));
/// assert!(text.contains("transfer.phase[1].from"));
/// assert_eq!(regional_csv(&r).lines().count(), 1 + 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn regional_table(r: &RegionalResult) -> String {
    let c = &r.condition;
    let mut t = format!(
        "{} {} {}: holds in {} of {} runs, fails in {}\n",
        c.metric, c.op, c.value, r.holds, r.samples, r.fails
    );
    let w = r
        .indices
        .iter()
        .map(|i| i.path.len())
        .max()
        .unwrap_or(9)
        .max(9);
    let _ = writeln!(t, "  {:<w$}  {:>8}  {:>10}", "parameter", "KS", "p-value");
    let f = |x: Option<f64>, p: usize| x.map_or("–".to_string(), |x| format!("{x:.p$}"));
    for i in r.sorted() {
        let _ = writeln!(
            t,
            "  {:<w$}  {:>8}  {:>10}",
            i.path,
            f(i.ks, 3),
            f(i.p_value, 4)
        );
    }
    t
}
