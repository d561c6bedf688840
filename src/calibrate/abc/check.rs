//! The posterior predictive check of a fit, row by row (see
//! [`Posterior::predictive_check`]).

use serde::{Deserialize, Serialize};

use super::Posterior;
use crate::calibrate::{ObservationKind, Observations, backtest};
use crate::error::Error;
use crate::scenario::Scenario;

/// The two-sided tail share below which a row's posterior predictive
/// check is flagged extreme: 0.05, i.e. under 2.5% of replications on one
/// side of the observation.
pub const EXTREME_TAIL: f64 = 0.05;

/// The posterior predictive check of one observation row (see
/// [`Posterior::predictive_check`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictiveCheck {
    /// Date of the observation, `YYYY-MM-DD`.
    pub date: String,
    /// Daily series name.
    pub series: String,
    /// Observed value \[unit of the series\].
    pub value: f64,
    /// 5% quantile of the posterior predictive replications that day
    /// \[unit of the series\].
    pub p5: f64,
    /// Their median \[unit of the series\].
    pub p50: f64,
    /// Their 95% quantile \[unit of the series\].
    pub p95: f64,
    /// Share of the replications above the observed value, ties counted
    /// half, in \[0, 1\].
    pub share_above: f64,
    /// Two-sided tail share, 2 min(`share_above`, 1 − `share_above`), in
    /// \[0, 1\].
    pub tail: f64,
    /// Whether `tail` < [`EXTREME_TAIL`].
    pub extreme: bool,
    /// Whether the row is a value or a bound (left out of the JSON for a
    /// value). For a bound row `tail` is the share of replications that
    /// meet the bound (one-sided), so `extreme` says the bound is not
    /// consistent with the fit.
    #[serde(default, skip_serializing_if = "ObservationKind::is_value")]
    pub kind: ObservationKind,
}

impl Posterior {
    /// The posterior predictive check of every observation row:
    /// `replications` replications of the posterior predictive scenario of
    /// `scenario`, replication `i` on stream `(seed, i)`, run to the last
    /// observed day on `threads` threads (0: rayon's default); the result
    /// does not depend on the thread count.
    ///
    /// For each observation row, replications of the posterior predictive
    /// scenario ([`Posterior::predictive_scenario`]: each draws one particle
    /// by its weight, and the scenario's own uncertain paths that were not
    /// fitted) are run to the row's day, and the observed value is placed
    /// among them: `share_above` is the share of replications above it, ties
    /// counted half (one minus the backtest's mid-rank PIT, see
    /// [`pit`](crate::calibrate::pit)), and `tail` = 2 min(`share_above`,
    /// 1 − `share_above`) the two-sided tail share, the posterior predictive
    /// p-value of Gelman, Meng & Stern (1996) for the statistic "this row's
    /// value". A row is **extreme** when `tail` < [`EXTREME_TAIL`] (0.05),
    /// that is when fewer than 2.5% of the replications lie on one side of
    /// the observation: the fitted model rarely produces a value as far out,
    /// so either that observation or the model's structure near that day is
    /// worth a look.
    ///
    /// A bound row (`at_least`, `at_most`) is checked one-sided: its
    /// `tail` is the share of replications that meet the bound (the
    /// backtest's `share_meeting`), extreme below [`EXTREME_TAIL`], the
    /// backtest's rule for a consistent bound.
    ///
    /// Two cautions. The check uses the data twice (the rows were fitted), so
    /// it is conservative: tails cluster towards 1 and an extreme row is
    /// strong evidence. With many rows some are extreme by chance (about 5%
    /// of rows if everything is right).
    ///
    /// # Errors
    ///
    /// As [`backtest`](crate::calibrate::backtest()) (fewer than 2
    /// replications, an unknown series), and as
    /// [`Posterior::predictive_scenario`].
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::calibrate::{abc, Abc, Observations, Prior, EXTREME_TAIL};
    /// use custody_sim::presets;
    ///
    /// let s = presets::plan_2026_01();
    /// let obs = Observations::from_csv_str(
    ///     "date,series,value\n2026-02-10,transferred_cumulative,2000\n", "obs", &s)?;
    /// let prior = Prior::parse(
    ///     r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#)?;
    /// let fit = Abc { particles: 30, max_simulations: 300, seed: 1, ..Abc::default() };
    /// let post = abc(&s, &obs, &[prior], &fit, None)?;
    /// let check = post.predictive_check(&s, &obs, 100, 1, 0)?;
    /// assert_eq!(check.len(), 1);
    /// let row = &check[0];
    /// assert!((row.tail - 2.0 * row.share_above.min(1.0 - row.share_above)).abs() < 1e-12);
    /// assert_eq!(row.extreme, row.tail < EXTREME_TAIL);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn predictive_check(
        &self,
        scenario: &Scenario,
        observations: &Observations,
        replications: u64,
        seed: u64,
        threads: usize,
    ) -> Result<Vec<PredictiveCheck>, Error> {
        let s = self.predictive_scenario(scenario, None)?;
        let b = backtest(&s, observations, replications, seed, threads)?;
        Ok(b.rows
            .into_iter()
            .map(|r| {
                let share_above = 1.0 - r.pit;
                let tail = r
                    .share_meeting
                    .unwrap_or(2.0 * share_above.min(1.0 - share_above));
                PredictiveCheck {
                    date: r.date,
                    series: r.series,
                    value: r.value,
                    p5: r.p5,
                    p50: r.p50,
                    p95: r.p95,
                    share_above,
                    tail,
                    extreme: tail < EXTREME_TAIL,
                    kind: r.kind,
                }
            })
            .collect())
    }
}

/// The posterior predictive check ([`Posterior::predictive_check`]) as a
/// text table: one line per row, the extreme ones marked, then how many
/// are extreme.
///
/// # Example
///
/// ```
/// use custody_sim::calibrate::{PredictiveCheck, predictive_check_table};
///
/// let row = PredictiveCheck {
///     date: "2026-02-10".into(), series: "transferred_cumulative".into(), value: 2000.0,
///     p5: 2100.0, p50: 2300.0, p95: 2500.0, share_above: 0.99, tail: 0.02, extreme: true,
///     kind: Default::default(),
/// };
/// let t = predictive_check_table(&[row]);
/// assert!(t.contains("EXTREME") && t.contains("1 of 1 rows extreme"));
/// ```
pub fn predictive_check_table(rows: &[PredictiveCheck]) -> String {
    use std::fmt::Write as _;
    let w = rows
        .iter()
        .map(|r| r.series.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut t = format!(
        "posterior predictive check (two-sided tail share; extreme below {EXTREME_TAIL})\n{:<10}  {:<w$}  {:>12} {:>12} {:>12} {:>12} {:>8} {:>6}\n",
        "date", "series", "observed", "p5", "p50", "p95", "above", "tail"
    );
    for r in rows {
        let _ = write!(
            t,
            "{:<10}  {:<w$}  {:>12.4} {:>12.4} {:>12.4} {:>12.4} {:>8.3} {:>6.3}",
            r.date, r.series, r.value, r.p5, r.p50, r.p95, r.share_above, r.tail
        );
        if !r.kind.is_value() {
            let _ = write!(t, "  ({}, tail = share meeting it)", r.kind.name());
        }
        if r.extreme {
            t.push_str("  EXTREME");
        }
        t.push('\n');
    }
    let k = rows.iter().filter(|r| r.extreme).count();
    let _ = writeln!(t, "{k} of {} rows extreme", rows.len());
    t
}
