//! What drives the capacity answers: for each headline answer of a run,
//! the uncertain parameters (`[uncertainty]`) that move it most, ranked
//! by their total Sobol index.
//!
//! # The headline answers
//!
//! [`headline_metrics`] lists them, in this order: for each facility that
//! receives someone ([`Scenario::receives`]; an input-only facility
//! restates its inputs), its days over capacity, first day over capacity
//! and peak occupancy rate; the court's median time to a verdict; and,
//! when some group is repatriated, the number repatriated.
//!
//! # How it is computed, and what it costs
//!
//! [`Drivers::compute`] runs one Sobol analysis
//! ([`crate::decide::sobol_model`]) of all the headline metrics at once
//! over the scenario's listed uncertain parameters: Saltelli's design with
//! `N` base samples and `k` parameters, **`N (k + 2)` replications** (one
//! per design point, row `j` of every matrix on replication `j`'s random
//! stream), and 200 bootstrap resamples for the 95% intervals. The
//! metrics share the runs, so their number does not change the cost. With
//! `custody-sim run --drivers` the default is `N = 128`: for `k = 3`
//! parameters, 640 replications, fewer than the 1,000 of a default `run`,
//! and enough to rank a dominant parameter first (the intervals say how
//! sure the ranking is; `custody-sim sensitivity` with a larger `N`
//! sharpens them). It is computed only when asked for: `run --report`
//! alone never pays for it, and its "What drives this" section then points
//! to `--drivers` and `sensitivity` instead ([`pointer()`]).
//!
//! A total index `ST_i` is the share of the answer's variance that
//! parameter `i` accounts for, alone or with others (see
//! [`crate::decide::sobol`] for the estimator and what the model's own
//! noise does to it). The top parameters of an answer are those with the
//! largest total index above 0 (at most `top`, three by default); an
//! answer that does not vary over the design names none.
//!
//! A `posterior` file's draws are joint and dependent, and Sobol indices
//! are not defined for dependent inputs. The rule that follows lives in
//! [`mod@crate::decide::params`], shared with `custody-sim sensitivity`
//! ([`ranked`] applies it). A scenario whose `[uncertainty]` lists independent parameters
//! beside a `posterior` (the bundled `baseline`: the fitted transfer pace
//! beside ranges for every unsourced value) has its independent
//! parameters ranked with the posterior's columns held at their weighted
//! medians ([`crate::decide::at_medians`]), and [`Drivers::held`] and
//! [`Drivers::method`] say so; one with a `posterior` alone has no
//! drivers.
//!
//! # Example
//!
//! ```
//! use custody_sim::report::drivers::Drivers;
//! use custody_sim::{Dist, presets, scenario::Uncertainty};
//!
//! let mut s = presets::baseline().with_param("horizon_days", "60")?;
//! // Karkh's beds drive its answers; Hillah's beds (no one enters
//! // Hillah) cannot.
//! s.uncertainty = Some(Uncertainty::new([
//!     ("facility[Hillah].capacity", Dist::uniform_int(2000, 4000)),
//!     ("facility[Karkh].capacity", Dist::uniform_int(1000, 6000)),
//! ]));
//! let d = Drivers::compute(&s, 16, 1, 0, 3)?;
//! assert_eq!(d.evaluations, 16 * (2 + 2));
//! let karkh = d.answers.iter().find(|a| a.metric == "facility.Karkh.peak_occupancy_rate").unwrap();
//! assert_eq!(karkh.top[0].path, "facility[Karkh].capacity");
//! assert!(karkh.text.text().starts_with("Karkh, peak occupancy rate: "));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;

use crate::decide::{
    Estimate, SobolOptions, SobolResult, held_columns, sobol_model, uncertain_params,
};
use crate::error::Error;
use crate::report::format::fixed;
use crate::report::phrase::Phrase;
use crate::scenario::{ParamDist, Scenario};

/// Base samples `N` of `custody-sim run --drivers` without a number.
pub const DEFAULT_BASE_SAMPLES: usize = 128;

/// Bootstrap resamples for the intervals of the indices.
pub const BOOTSTRAP: usize = 200;

/// The headline answers of `scenario` whose drivers are ranked: `(metric,
/// words)` in order (see the [module docs](self)).
///
/// # Example
///
/// ```
/// use custody_sim::{presets, report::drivers::headline_metrics};
///
/// let m = headline_metrics(&presets::baseline());
/// assert_eq!(m[0], ("facility.Karkh.days_over_capacity".to_string(), "Karkh, days over capacity".to_string()));
/// // Hillah receives no one: its figures restate the scenario.
/// assert!(!m.iter().any(|(name, _)| name.contains("Hillah")));
/// assert!(m.iter().any(|(name, _)| name == "median_days_to_verdict"));
/// ```
pub fn headline_metrics(scenario: &Scenario) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, f) in scenario.facilities.iter().enumerate() {
        if !scenario.receives(i) {
            continue;
        }
        for (k, words) in [
            ("days_over_capacity", "days over capacity"),
            ("first_day_over_capacity", "first day over capacity"),
            ("peak_occupancy_rate", "peak occupancy rate"),
        ] {
            out.push((
                format!("facility.{}.{k}", f.name),
                format!("{}, {words}", f.name),
            ));
        }
    }
    if !scenario.court.stages.is_empty() {
        out.push((
            "median_days_to_verdict".to_string(),
            "Court, median time to a verdict".to_string(),
        ));
    }
    if scenario
        .groups
        .iter()
        .any(|g| g.repatriation.probability > 0.0)
    {
        out.push((
            "repatriated".to_string(),
            "Repatriation, people repatriated".to_string(),
        ));
    }
    out
}

/// One parameter among the top drivers of an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Driver {
    /// The parameter path (as in `[uncertainty]`).
    pub path: String,
    /// Its total Sobol index `ST_i` with a 95% bootstrap interval
    /// \[share of variance, 0 to 1\].
    pub total: Estimate,
    /// Its first-order index `S_i` with a 95% bootstrap interval \[share of
    /// variance, 0 to 1\].
    pub first_order: Estimate,
}

/// The drivers of one headline answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerDrivers {
    /// The metric behind the answer.
    pub metric: String,
    /// The answer in words (`Karkh, days over capacity`).
    pub answer: String,
    /// Design rows (of `N`) in which the metric had a value at every point.
    pub rows: usize,
    /// Variance of the metric over the design's `A` and `B` points \[the
    /// metric's unit squared\]; 0 or `None`: it does not vary.
    pub variance: Option<f64>,
    /// The parameters with the largest total index above 0, largest first.
    pub top: Vec<Driver>,
    /// The answer's drivers as a sentence.
    pub text: Phrase,
}

/// What drives each headline answer of a scenario (see the [module
/// docs](self)).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drivers {
    /// The uncertain parameters, in `[uncertainty]` order.
    pub parameters: Vec<String>,
    /// Base samples `N` of the Sobol design.
    pub base_samples: usize,
    /// Replications run: `N (k + 2)`.
    pub evaluations: usize,
    /// Seed of the design and of its replications.
    pub seed: u64,
    /// One per headline answer, in [`headline_metrics`] order.
    pub answers: Vec<AnswerDrivers>,
    /// The `posterior` file's columns, held at their weighted medians
    /// while the independent parameters vary (empty without a posterior).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<String>,
}

impl Drivers {
    /// Ranks the scenario's uncertain parameters for each headline answer
    /// by a Sobol analysis with `base_samples` base samples (`N (k + 2)`
    /// replications, see the [module docs](self)), seeded by `seed`, on
    /// `threads` worker threads (0: all cores), keeping the `top` largest.
    ///
    /// # Errors
    ///
    /// As [`crate::decide::uncertain_params`]: [`Error::Decide`] for a
    /// scenario without `[uncertainty]`, with a `posterior` file alone, or with
    /// no listed parameter; as [`crate::decide::sobol_model`] for a bad
    /// path, fewer than 2 base samples or a drawn value that makes the
    /// scenario invalid.
    pub fn compute(
        scenario: &Scenario,
        base_samples: usize,
        seed: u64,
        threads: usize,
        top: usize,
    ) -> Result<Drivers, Error> {
        let (params, held) = ranked(scenario)?;
        let metrics = headline_metrics(scenario);
        let names: Vec<&str> = metrics.iter().map(|(m, _)| m.as_str()).collect();
        let opts = SobolOptions {
            base_samples,
            bootstrap: BOOTSTRAP,
            seed,
            threads,
            ..SobolOptions::default()
        };
        let r = sobol_model(scenario, &params, &names, &opts)?;
        let mut d = Drivers::from_result(&r, &metrics, top);
        d.held = held;
        Ok(d)
    }

    /// The drivers of the answers `metrics` (`(metric, words)`) read from
    /// a Sobol result; a metric the result lacks is left out.
    pub fn from_result(r: &SobolResult, metrics: &[(String, String)], top: usize) -> Drivers {
        let parameters = r
            .metrics
            .first()
            .map(|m| m.indices.iter().map(|i| i.path.clone()).collect())
            .unwrap_or_default();
        let answers = metrics
            .iter()
            .filter_map(|(metric, words)| {
                let m = r.metrics.iter().find(|m| &m.metric == metric)?;
                let mut ranked: Vec<Driver> = m
                    .indices
                    .iter()
                    .filter(|i| i.total.estimate.is_some_and(|t| t > 0.0))
                    .map(|i| Driver {
                        path: i.path.clone(),
                        total: i.total,
                        first_order: i.first_order,
                    })
                    .collect();
                // Largest first; equal indices keep the file order.
                ranked.sort_by(|a, b| {
                    b.total
                        .estimate
                        .unwrap_or(0.0)
                        .total_cmp(&a.total.estimate.unwrap_or(0.0))
                });
                ranked.truncate(top);
                let text = phrase(words, m.variance, m.rows, &ranked);
                Some(AnswerDrivers {
                    metric: metric.clone(),
                    answer: words.clone(),
                    rows: m.rows,
                    variance: m.variance,
                    top: ranked,
                    text,
                })
            })
            .collect();
        Drivers {
            parameters,
            base_samples: r.options.base_samples,
            evaluations: r.evaluations,
            seed: r.options.seed,
            answers,
            held: Vec::new(),
        }
    }

    /// One line on how the ranking was computed: the method, `N`, the
    /// replications and the seed.
    pub fn method(&self) -> String {
        let held = if self.held.is_empty() {
            String::new()
        } else {
            format!(
                " The posterior's {} jointly drawn columns ({}) are held at their weighted medians: Sobol indices are not defined for dependent draws.",
                self.held.len(),
                self.held.join(", ")
            )
        };
        format!(
            "Total Sobol index of each uncertain parameter (its share of the answer's variance, alone or with others; 95% bootstrap interval), from a Saltelli design of N = {} base samples over {} parameters: {} replications, seed {}.{held}",
            self.base_samples,
            self.parameters.len(),
            crate::report::format::thousands(self.evaluations as f64),
            self.seed
        )
    }

    /// The drivers as text for a terminal: a heading, the method and one
    /// sentence a line.
    pub fn to_text(&self) -> String {
        let mut out = String::from("What drives this\n  ");
        out.push_str(&self.method());
        out.push('\n');
        for a in &self.answers {
            out.push_str("  ");
            out.push_str(&a.text.text());
            out.push('\n');
        }
        out
    }
}

/// `Karkh, days over capacity: facility[Karkh].capacity (total index
/// 0.93, 95% CI 0.88–0.97), then …`.
fn phrase(words: &str, variance: Option<f64>, rows: usize, top: &[Driver]) -> Phrase {
    let mut p = Phrase::default().words(format!("{words}: "));
    if rows < 2 {
        return p.words("too few design rows with a value to rank the parameters.");
    }
    if !variance.is_some_and(|v| v > 0.0) {
        return p.words("the same at every point of the design: no uncertain parameter moves it.");
    }
    if top.is_empty() {
        return p.words("no uncertain parameter has a total index above 0.");
    }
    for (i, d) in top.iter().enumerate() {
        if i == 1 {
            p = p.words(", then ");
        } else if i > 1 {
            p = p.words(", ");
        }
        p = p.words(d.path.clone());
        let Some(t) = d.total.estimate else { continue };
        p = p.words(if i == 0 { " (total index " } else { " (" });
        p = p.number(t, fixed(t, 2));
        if let (Some(lo), Some(hi)) = (d.total.ci95_low, d.total.ci95_high) {
            p = p.words(", 95% CI ").number(lo, fixed(lo, 2)).words("–");
            p = p.number(hi, fixed(hi, 2));
        }
        p = p.words(")");
    }
    p.words(".")
}

/// The parameters [`Drivers::compute`] ranks, and the posterior columns it
/// holds at their weighted medians: [`crate::decide::uncertain_params`]
/// and [`crate::decide::held_columns`], the one rule that `custody-sim
/// sensitivity` (Sobol and Morris) also follows (see
/// [`mod@crate::decide::params`]): beside a `posterior` file, the
/// independent `[uncertainty]` parameters, with the file's columns held.
///
/// # Errors
///
/// As [`crate::decide::uncertain_params`] when the scenario has no
/// independent parameter to rank.
///
/// # Example
///
/// ```
/// use custody_sim::{presets, report::drivers::ranked};
///
/// // The baseline: its ranges ranked, its fitted transfer pace held.
/// let (params, held) = ranked(&presets::baseline())?;
/// assert!(params.iter().any(|p| p.path == "facility[Karkh].initial_occupancy"));
/// assert!(held.iter().any(|c| c == "transfer.phase[1].interval_days.value"));
/// assert!(ranked(&presets::plan_2026_01()).is_err(), "no [uncertainty]");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ranked(scenario: &Scenario) -> Result<(Vec<ParamDist>, Vec<String>), Error> {
    // `sobol_model` holds every path it does not vary at its median.
    let params = uncertain_params(scenario)?;
    let held = held_columns(scenario, &params);
    Ok((params, held))
}

/// What the "What drives this" section says when the drivers were not
/// computed: for a scenario without `[uncertainty]`, how to give ranges to
/// `custody-sim sensitivity`; with listed uncertain parameters, how to
/// rank them (`run --drivers`, `sensitivity`); with a `posterior` file,
/// why it has no Sobol indices and what to do instead.
///
/// # Example
///
/// ```
/// use custody_sim::{presets, report::drivers::pointer};
///
/// let text = pointer(&presets::baseline());
/// assert!(text.contains("custody-sim sensitivity"));
/// ```
pub fn pointer(scenario: &Scenario) -> String {
    let metric = headline_metrics(scenario)
        .into_iter()
        .next()
        .map_or_else(|| "METRIC".to_string(), |(m, _)| m);
    match &scenario.uncertainty {
        Some(u) if u.posterior.is_some() && u.params.is_empty() => format!(
            "The uncertain parameters come from the posterior file {}: joint draws, dependent on each other, for which Sobol indices are not defined. To see which of them drive these answers, give each a plausible range: custody-sim sensitivity SCENARIO --param 'PATH={{dist=…}}' --metric {metric}.",
            u.posterior.as_deref().unwrap_or_default()
        ),
        Some(u) if !u.params.is_empty() => {
            let k = u.params.len();
            format!(
                "This scenario draws {k} uncertain parameter{} ({}). Rank them for each answer with custody-sim run SCENARIO --drivers ({} more replications at N = {}{}), or custody-sim sensitivity SCENARIO --metric {metric}.",
                if k == 1 { "" } else { "s" },
                u.params
                    .iter()
                    .map(|p| p.path.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                crate::report::format::thousands((DEFAULT_BASE_SAMPLES * (k + 2)) as f64),
                DEFAULT_BASE_SAMPLES,
                match &u.posterior {
                    Some(f) => format!(
                        "; the jointly drawn columns of the posterior file {f} held at their weighted medians"
                    ),
                    None => String::new(),
                }
            )
        }
        _ => format!(
            "The scenario has no [uncertainty]: every parameter is fixed, so the bands above are the model's own randomness only. To see which parameters would drive these answers, give them ranges: custody-sim sensitivity SCENARIO --param 'PATH={{dist=…}}' --metric {metric}."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(x: f64) -> Estimate {
        Estimate {
            estimate: Some(x),
            ci95_low: Some(x - 0.05),
            ci95_high: Some(x + 0.05),
        }
    }

    #[test]
    fn the_phrase_names_the_largest_first_and_says_when_nothing_moves() {
        let top = [
            Driver {
                path: "a".into(),
                total: est(0.8),
                first_order: est(0.7),
            },
            Driver {
                path: "b".into(),
                total: est(0.1),
                first_order: est(0.1),
            },
        ];
        assert_eq!(
            phrase("Karkh, days over capacity", Some(4.0), 10, &top).text(),
            "Karkh, days over capacity: a (total index 0.80, 95% CI 0.75–0.85), then b (0.10, 95% CI 0.05–0.15)."
        );
        assert!(
            phrase("x", Some(0.0), 10, &top)
                .text()
                .contains("no uncertain parameter moves it")
        );
        assert!(phrase("x", None, 1, &top).text().contains("too few"));
    }
}
