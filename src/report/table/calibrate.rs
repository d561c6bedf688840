//! The table of a calibration ([`Posterior`]): each parameter's posterior
//! summary, then the tolerance schedule.

use std::fmt::Write as _;

use crate::calibrate::Posterior;
use crate::report::format::fixed;

/// A calibration as text for a terminal: per parameter the posterior's
/// mean, sd, 5%, 50% and 95% quantiles (four decimals) and effective
/// sample size; then the per-generation diagnostics
/// ([`Posterior::diagnostics_table`]: tolerance, acceptance rate,
/// simulations, effective sample size) and which rule stopped the schedule.
///
/// # Example
///
/// ```
/// use custody_sim::calibrate::{Abc, Observations, Prior, abc};
/// use custody_sim::report::table::calibration_table;
/// use custody_sim::presets;
///
/// let s = presets::plan_2026_01();
/// let obs = Observations::from_csv_str(
///     "date,series,value,sd\n9,transferred_cumulative,500,50\n",
///     "reported",
///     &s,
/// )?;
/// let prior = Prior::parse(r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#)?;
/// let fit = Abc { particles: 20, max_simulations: 200, seed: 3, ..Abc::default() };
/// let post = abc(&s, &obs, &[prior], &fit, None)?;
/// let text = calibration_table(&post);
/// assert!(text.contains("transfer.phase[0].interval_days.value"));
/// assert!(text.contains("stopped: "));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn calibration_table(post: &Posterior) -> String {
    let summary = post.summary();
    let w = summary
        .iter()
        .map(|s| s.path.len())
        .max()
        .unwrap_or(9)
        .max(9);
    let mut t = format!(
        "{:<w$}  {:>12} {:>12} {:>12} {:>12} {:>12} {:>8}\n",
        "parameter", "mean", "sd", "5%", "50%", "95%", "ESS"
    );
    for s in &summary {
        let _ = writeln!(
            t,
            "{:<w$}  {:>12} {:>12} {:>12} {:>12} {:>12} {:>8}",
            s.path,
            fixed(s.mean, 4),
            fixed(s.sd, 4),
            fixed(s.q05, 4),
            fixed(s.q50, 4),
            fixed(s.q95, 4),
            fixed(s.ess, 1)
        );
    }
    t.push('\n');
    t.push_str(&post.diagnostics_table());
    t
}
