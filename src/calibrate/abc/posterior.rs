//! The result of an ABC-PMC fit: weighted posterior draws, their
//! summaries, their CSV, and the scenarios calibrated from them.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::scenario::Scenario;

/// Per-parameter summary of a posterior.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamSummary {
    /// Parameter path.
    pub path: String,
    /// Weighted mean \[unit of the parameter\].
    pub mean: f64,
    /// Weighted standard deviation \[unit of the parameter\].
    pub sd: f64,
    /// Weighted 5% quantile \[unit of the parameter\].
    pub q05: f64,
    /// Weighted median \[unit of the parameter\].
    pub q50: f64,
    /// Weighted 95% quantile \[unit of the parameter\].
    pub q95: f64,
    /// Effective sample size of the weights, 1 / Σ wᵢ² \[particles\].
    pub ess: f64,
}

/// Weighted joint posterior draws of the parameters at `paths`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Posterior {
    /// Parameter paths, in prior order.
    pub paths: Vec<String>,
    /// Per path, whether it takes integer values.
    pub integer: Vec<bool>,
    /// One row per particle: the value at each path (after the prior's
    /// transform: a `1/DIST` prior reports the value set at the path).
    pub particles: Vec<Vec<f64>>,
    /// Normalised importance weights, one per particle, summing to 1.
    pub weights: Vec<f64>,
    /// Each particle's distance to the observations.
    pub distances: Vec<f64>,
    /// Tolerance of each generation returned, generation 0 (∞) first.
    pub tolerance_schedule: Vec<f64>,
    /// Acceptance rate of each generation returned (1 for generation 0).
    pub acceptance_rates: Vec<f64>,
    /// Simulations run, including a last generation dropped for the
    /// budget.
    pub simulations: u64,
    /// Why the schedule stopped, in words.
    pub stopped: String,
    /// Every generation run, generation 0 (the prior) first, with its
    /// tolerance, acceptance rate, simulations and effective sample size;
    /// the last may be one the budget cut short
    /// ([`Generation::complete`] false), which is not the posterior.
    pub generations: Vec<Generation>,
    /// Which stopping rule ended the schedule.
    pub stop_rule: StopRule,
    /// When the budget ended the schedule ([`StopRule::BudgetExhausted`],
    /// [`StopRule::BudgetAhead`]): which generation was kept and what that
    /// means for the posterior; `None` otherwise.
    pub stop_note: Option<String>,
    /// The scale each observation row's difference was divided by in the
    /// distance, in row order (see [`Scales`](super::Scales)).
    pub scales: Vec<f64>,
}

/// One generation of an ABC-PMC fit, as the diagnostics report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// Generation number, 0 for the prior.
    pub generation: u32,
    /// Its tolerance ε (∞ for generation 0; `null` in JSON).
    pub tolerance: f64,
    /// Particles kept (the particle count for a complete generation).
    pub accepted: usize,
    /// Simulations run in this generation \[simulations\].
    pub simulations: u64,
    /// Acceptance rate: particles over the attempts up to the last one
    /// kept (1 for generation 0); for an incomplete generation, kept over
    /// all attempts.
    pub acceptance_rate: f64,
    /// Effective sample size of its normalised importance weights,
    /// 1 / Σ wᵢ² (Kish) \[particles\]; `None` for an incomplete
    /// generation, whose weights were never computed.
    pub ess: Option<f64>,
    /// Whether the generation was completed; an incomplete one (the
    /// budget ran out) is dropped, and the posterior is the generation
    /// before it.
    pub complete: bool,
}

/// Which rule stopped an ABC-PMC schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StopRule {
    /// A generation reached `final_tolerance`.
    FinalTolerance,
    /// A generation's acceptance rate fell below `target_acceptance`
    /// (the minimum acceptance rate).
    MinAcceptance,
    /// `max_generations` generations were run.
    MaxGenerations,
    /// The quantile rule gave no smaller tolerance (every distance of the
    /// last generation equal).
    ToleranceStalled,
    /// The next generation would likely pass the simulation budget, so
    /// it was not started.
    BudgetAhead,
    /// The budget ran out during a generation, which was dropped.
    BudgetExhausted,
}

impl StopRule {
    /// The rule's name as JSON and the table write it (`final_tolerance`,
    /// `min_acceptance`, `max_generations`, `tolerance_stalled`,
    /// `budget_ahead`, `budget_exhausted`).
    pub fn name(self) -> &'static str {
        match self {
            StopRule::FinalTolerance => "final_tolerance",
            StopRule::MinAcceptance => "min_acceptance",
            StopRule::MaxGenerations => "max_generations",
            StopRule::ToleranceStalled => "tolerance_stalled",
            StopRule::BudgetAhead => "budget_ahead",
            StopRule::BudgetExhausted => "budget_exhausted",
        }
    }
}

/// The weighted q-quantile: the smallest value whose cumulative weight
/// (values sorted ascending) reaches q × the total weight.
pub(crate) fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let total: f64 = weights.iter().sum();
    let target = q * total * (1.0 - 1e-12);
    let mut acc = 0.0;
    for &i in &order {
        acc += weights[i];
        if acc >= target {
            return values[i];
        }
    }
    order.last().map_or(f64::NAN, |&i| values[i])
}

impl Posterior {
    /// The per-generation diagnostics as a text table: generation,
    /// tolerance, acceptance rate, simulations and ESS (a dropped
    /// generation marked so), then the stopping rule and, when the budget
    /// ended the schedule, what was kept ([`Posterior::stop_note`]).
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::calibrate::{abc, Abc, Observations, Prior, StopRule};
    /// use custody_sim::presets;
    ///
    /// let s = presets::plan_2026_01();
    /// let obs = Observations::from_csv_str(
    ///     "date,series,value,sd\n9,transferred_cumulative,500,50\n", "reported", &s)?;
    /// let prior = Prior::parse(r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#)?;
    /// let fit = Abc { particles: 20, max_simulations: 60, seed: 3, ..Abc::default() };
    /// let post = abc(&s, &obs, &[prior], &fit, None)?;
    /// // Every generation is reported, the prior's first.
    /// assert_eq!(post.generations[0].simulations, 20);
    /// assert_eq!(post.generations.iter().map(|g| g.simulations).sum::<u64>(), post.simulations);
    /// let table = post.diagnostics_table();
    /// assert!(table.contains("stop rule:"));
    /// if matches!(post.stop_rule, StopRule::BudgetAhead | StopRule::BudgetExhausted) {
    ///     assert!(table.contains("the posterior is generation"));
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn diagnostics_table(&self) -> String {
        use std::fmt::Write as _;
        let mut t = String::from("generation  tolerance     acceptance  simulations       ESS\n");
        for g in &self.generations {
            let ess = g.ess.map_or_else(|| "-".to_string(), |e| format!("{e:.1}"));
            let _ = write!(
                t,
                "{:>10}  {:<12.4}  {:<10.4}  {:>11}  {:>8}",
                g.generation, g.tolerance, g.acceptance_rate, g.simulations, ess
            );
            if !g.complete {
                let _ = write!(t, "  dropped: incomplete ({} kept)", g.accepted);
            }
            t.push('\n');
        }
        let _ = writeln!(t, "stopped: {}", self.stopped);
        let _ = writeln!(t, "stop rule: {}", self.stop_rule.name());
        if let Some(note) = &self.stop_note {
            let _ = writeln!(t, "note: {note}");
        }
        t
    }

    /// Effective sample size of the weights, 1 / Σ wᵢ² \[particles\].
    pub fn ess(&self) -> f64 {
        1.0 / self.weights.iter().map(|w| w * w).sum::<f64>()
    }

    /// The values of parameter `d` (in `paths` order), one per particle.
    pub fn column(&self, d: usize) -> Vec<f64> {
        self.particles.iter().map(|p| p[d]).collect()
    }

    /// Per parameter: weighted mean, sd, and 5/50/95% quantiles (the
    /// smallest particle value whose cumulative weight reaches the level),
    /// and the effective sample size.
    pub fn summary(&self) -> Vec<ParamSummary> {
        let ess = self.ess();
        (0..self.paths.len())
            .map(|d| {
                let x = self.column(d);
                let mean: f64 = x.iter().zip(&self.weights).map(|(x, w)| x * w).sum();
                let var: f64 = x
                    .iter()
                    .zip(&self.weights)
                    .map(|(x, w)| w * (x - mean).powi(2))
                    .sum();
                ParamSummary {
                    path: self.paths[d].clone(),
                    mean,
                    sd: var.sqrt(),
                    q05: weighted_quantile(&x, &self.weights, 0.05),
                    q50: weighted_quantile(&x, &self.weights, 0.5),
                    q95: weighted_quantile(&x, &self.weights, 0.95),
                    ess,
                }
            })
            .collect()
    }

    /// The draws as CSV: one column per path, then `weight`; what an
    /// `[uncertainty] posterior` file holds.
    pub fn to_csv_string(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let header: Vec<&str> = self
            .paths
            .iter()
            .map(String::as_str)
            .chain(["weight"])
            .collect();
        // Writing to memory cannot fail.
        let _ = w.write_record(&header);
        for (p, weight) in self.particles.iter().zip(&self.weights) {
            let mut row: Vec<String> = p
                .iter()
                .zip(&self.integer)
                .map(|(x, &int)| {
                    if int {
                        format!("{}", x.round() as i64)
                    } else {
                        format!("{x:?}")
                    }
                })
                .collect();
            row.push(format!("{weight:?}"));
            let _ = w.write_record(&row);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// Writes [`Posterior::to_csv_string`] to `path`, atomically
    /// ([`crate::files::write_atomic`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file.
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        crate::files::write_bytes_atomic(path.as_ref(), self.to_csv_string().as_bytes())
    }

    /// `scenario` with every calibrated parameter set to its weighted
    /// posterior median (a particle's value, so an integer stays one).
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] naming the path if a median makes the scenario
    /// invalid.
    pub fn calibrated_scenario(&self, scenario: &Scenario) -> Result<Scenario, Error> {
        let summary = self.summary();
        let with = |rounded: bool| {
            let values: Vec<String> = summary
                .iter()
                .zip(&self.integer)
                .map(|(s, &int)| match (int, rounded) {
                    (true, _) => format!("{}", s.q50.round() as i64),
                    (false, true) => supported_digits(s.q50, s.sd),
                    (false, false) => format!("{:?}", s.q50),
                })
                .collect();
            scenario.with_params(
                self.paths
                    .iter()
                    .map(String::as_str)
                    .zip(values.iter().map(String::as_str)),
            )
        };
        // A median rounded onto a bound it may not take (a mean of 0)
        // keeps all its digits.
        with(true).or_else(|_| with(false))
    }

    /// The posterior predictive scenario: `scenario` at the posterior
    /// medians ([`Posterior::calibrated_scenario`]) whose `[uncertainty]`
    /// draws one weighted particle per replication (the fitted paths,
    /// jointly), beside the scenario's own uncertain paths that were not
    /// fitted (which the fit integrated over). A `run` of it gives bands
    /// that carry the fitted parameter uncertainty as well as the model's
    /// own randomness.
    ///
    /// `posterior_file`, if given, is what `[uncertainty] posterior` names
    /// when the scenario is written as TOML (the file
    /// [`Posterior::write_csv`] wrote, relative to the scenario file's
    /// folder); the rows are held in memory either way, so the scenario
    /// runs as returned. A posterior table the scenario already had is
    /// replaced.
    ///
    /// # Errors
    ///
    /// As [`Posterior::calibrated_scenario`].
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::calibrate::{abc, Abc, Observations, Prior};
    /// use custody_sim::montecarlo::{run, Runs};
    /// use custody_sim::presets;
    ///
    /// let s = presets::plan_2026_01();
    /// let obs = Observations::from_csv_str(
    ///     "date,series,value\n2026-02-10,transferred_cumulative,2000\n", "obs", &s)?;
    /// let prior = Prior::parse(
    ///     r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#)?;
    /// let opts = Abc { particles: 50, max_simulations: 400, seed: 1, threads: 0, ..Abc::default() };
    /// let post = abc(&s, &obs, &[prior], &opts, None)?;
    /// let forecast = post.predictive_scenario(&s, Some("posterior.csv"))?;
    /// let summary = run(&forecast, &Runs { replications: 20, seed: 1, threads: 0 })?;
    /// // Each replication reports the value its particle gave the path.
    /// assert!(summary.metric("param.transfer.phase[0].interval_days.value").is_some());
    /// assert!(forecast.to_toml_string().contains("posterior = \"posterior.csv\""));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn predictive_scenario(
        &self,
        scenario: &Scenario,
        posterior_file: Option<&str>,
    ) -> Result<Scenario, Error> {
        let mut s = self.calibrated_scenario(scenario)?;
        let own: Vec<crate::scenario::ParamDist> = s
            .uncertainty
            .as_ref()
            .map(|u| {
                u.params
                    .iter()
                    .filter(|p| !self.paths.contains(&p.path))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        s.uncertainty = Some(crate::scenario::Uncertainty {
            params: own,
            posterior: posterior_file.map(str::to_string),
            posterior_table: Some(crate::scenario::PosteriorTable {
                columns: self.paths.clone(),
                rows: self.particles.clone(),
                weights: self.weights.clone(),
            }),
        });
        Ok(s)
    }

    /// The posterior predictive scenario ([`Posterior::predictive_scenario`])
    /// as a scenario file whose `[uncertainty] posterior` names
    /// `posterior_file`, with a header saying which parameters were fitted
    /// and their medians. What `calibrate --scenario-out` writes.
    ///
    /// # Errors
    ///
    /// As [`Posterior::calibrated_scenario`].
    pub fn predictive_toml(
        &self,
        scenario: &Scenario,
        posterior_file: &str,
    ) -> Result<String, Error> {
        let s = self.predictive_scenario(scenario, Some(posterior_file))?;
        // The name goes into a comment as a TOML string: a newline in it
        // cannot end the comment.
        let quoted = crate::calibrate::quote::toml_string(posterior_file);
        Ok(format!(
            "{}# [uncertainty] draws one posterior particle ({}) per replication.\n{}",
            self.header(),
            quoted,
            s.to_toml_string()
        ))
    }

    /// The comment block at the top of a calibrated scenario file.
    pub(crate) fn header(&self) -> String {
        let mut text = format!(
            "# Calibrated by ABC-PMC: {} particles, {} simulations, final tolerance {}.\n# These parameters are set to their weighted posterior medians:\n",
            self.particles.len(),
            self.simulations,
            self.tolerance_schedule
                .last()
                .copied()
                .unwrap_or(f64::INFINITY)
        );
        for (p, &int) in self.summary().iter().zip(&self.integer) {
            let digits = |x: f64| {
                if int {
                    format!("{}", x.round() as i64)
                } else {
                    supported_digits(x, p.sd)
                }
            };
            text.push_str(&format!(
                "#   {} = {} (90% credible interval {} to {}; sd {})\n",
                p.path,
                digits(p.q50),
                digits(p.q05),
                digits(p.q95),
                significant(p.sd, 2)
            ));
        }
        text
    }

    /// The calibrated scenario ([`Posterior::calibrated_scenario`]) as a
    /// scenario file, with a header saying which parameters were set to
    /// their posterior medians. Point values only: for a scenario that
    /// draws the posterior, see [`Posterior::predictive_toml`].
    ///
    /// # Errors
    ///
    /// As [`Posterior::calibrated_scenario`].
    pub fn calibrated_toml(&self, scenario: &Scenario) -> Result<String, Error> {
        let s = self.calibrated_scenario(scenario)?;
        let mut text = self.header();
        text.push_str(&s.to_toml_string());
        Ok(text)
    }
}
/// `x` written to the digits a posterior of standard deviation `sd`
/// supports: rounded to the decimal place of the second significant digit
/// of `sd` (a median of 37.1234 with sd 4.56 is written `37.1`; with sd
/// 456, `40.0`), as a TOML float; with all its digits where `sd` is 0 or
/// not finite. What a calibrated scenario file writes for a fitted
/// parameter's median, and its header for the 90% interval.
pub(crate) fn supported_digits(x: f64, sd: f64) -> String {
    if !(x.is_finite() && sd.is_finite() && sd > 0.0) {
        return format!("{x:?}");
    }
    // 10^place is the step of the second significant digit of `sd`.
    let place = sd.log10().floor() as i32 - 1;
    let rounded = if place < 0 {
        let decimals = usize::try_from(-place).unwrap_or(0).min(17);
        format!("{x:.decimals$}").parse::<f64>().unwrap_or(x)
    } else {
        let step = 10f64.powi(place);
        (x / step).round() * step
    };
    format!("{rounded:?}")
}

/// `x` to `digits` significant digits, as plain text (`0.0046`, `460`).
fn significant(x: f64, digits: i32) -> String {
    if !(x.is_finite() && x != 0.0) {
        return format!("{x}");
    }
    let place = x.abs().log10().floor() as i32 - (digits - 1);
    if place < 0 {
        let decimals = usize::try_from(-place).unwrap_or(0).min(17);
        format!("{x:.decimals$}")
    } else {
        let step = 10f64.powi(place);
        format!("{}", (x / step).round() * step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_keep_the_digits_their_sd_supports() {
        assert_eq!(supported_digits(37.123_456, 4.56), "37.1");
        assert_eq!(supported_digits(37.123_456, 0.0456), "37.123");
        assert_eq!(supported_digits(4_523.7, 456.0), "4520.0");
        assert_eq!(supported_digits(0.912_345, 0.0123), "0.912");
        // No spread: every digit.
        assert_eq!(supported_digits(0.1 + 0.2, 0.0), "0.30000000000000004");
        assert_eq!(significant(0.004_567, 2), "0.0046");
        assert_eq!(significant(456.0, 2), "460");
    }
}
