//! Scenarios side by side: one table of metrics, with paired differences to
//! the first scenario on common random numbers.
//!
//! Every scenario runs replications `0..n` of the same master seed, so
//! replication `i` of two scenarios differs only through what differs
//! between them. The difference of a metric to the first scenario is taken
//! replication by replication (over replications where both have a value),
//! and its 95% Student t interval is that of the mean difference: exactly
//! what a [`crate::montecarlo::sweep`] over the same variants reports.

use serde::{Deserialize, Serialize};

use super::{DecideError, adapter};
use crate::error::Error;
use crate::montecarlo::Runs;
use crate::montecarlo::sweep::PairedDiff;
use crate::scenario::{Date, Scenario, Variant};
use crate::stats::MetricStats;

/// One scenario's entry in a metric's row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The scenario's label.
    pub label: String,
    /// The metric's statistics in this scenario (`None`: the scenario has
    /// no such metric).
    pub stats: Option<MetricStats>,
    /// Paired difference to the first scenario, scenario minus first
    /// (`None` for a scenario, or a first scenario, without the metric).
    pub diff: Option<PairedDiff>,
}

/// One metric across the scenarios.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricRow {
    /// The metric.
    pub metric: String,
    /// One entry per scenario, in order.
    pub entries: Vec<Entry>,
}

/// The result of [`compare`] and [`compare_variants`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Scenario labels, the first being the reference.
    pub labels: Vec<String>,
    /// Master seed of every scenario's replications.
    pub seed: u64,
    /// Replications per scenario.
    pub replications: u64,
    /// Per metric, in the order asked for.
    pub metrics: Vec<MetricRow>,
    /// Per scenario, in order, its calendar: what dates its day metrics
    /// in the comparison's table. Filled by [`compare`]; not in the JSON
    /// (empty when read back from it, and the table then gives no dates).
    #[serde(skip)]
    pub calendars: Vec<Calendar>,
}

/// A compared scenario's calendar: its day 0 and horizon, and the
/// facilities already over capacity on day 0, whose first day over
/// capacity reads so.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    /// The scenario's `start_date`: day 0.
    pub start_date: Date,
    /// The scenario's horizon, in days.
    pub horizon_days: u32,
    /// The facilities whose population on day 0 exceeds their beds on
    /// day 0 (capacity with the expansions of day 0 or before) in every
    /// run, in file order: a facility whose capacity or population on
    /// day 0 `[uncertainty]` draws is not listed (each run's first day
    /// over capacity says it).
    pub over_on_day0: Vec<String>,
}

impl Calendar {
    /// The calendar of scenario `s`.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::decide::compare::Calendar;
    /// use custody_sim::presets;
    ///
    /// let c = Calendar::of(&presets::baseline());
    /// assert_eq!(c.start_date.to_string(), "2026-01-21");
    /// // Nasiriyah already holds more people than it has beds.
    /// assert!(c.over_on_day0.contains(&"Nasiriyah".to_string()));
    /// ```
    pub fn of(s: &Scenario) -> Calendar {
        Calendar {
            start_date: s.start_date,
            horizon_days: s.horizon_days,
            over_on_day0: s
                .facilities
                .iter()
                .filter(|f| {
                    f.initial_occupancy > f.beds_on(0.0, s.start_date)
                        && s.drawn_as(&format!("facility[{}].capacity", f.name))
                            .is_none()
                        && s.drawn_as(&format!("facility[{}].initial_occupancy", f.name))
                            .is_none()
                })
                .map(|f| f.name.clone())
                .collect(),
        }
    }
}

impl Comparison {
    /// The row of `metric`.
    pub fn metric(&self, metric: &str) -> Option<&MetricRow> {
        self.metrics.iter().find(|r| r.metric == metric)
    }
}

/// Runs each `(label, scenario)` on the same seed and replication indices
/// and tabulates `metrics` (all metrics of the first scenario if empty),
/// with paired differences to the first; the result keeps each
/// scenario's [`Calendar`], which dates the day metrics in its table.
///
/// # Errors
///
/// [`Error::Decide`] of kind [`DecideError::Input`] for no scenarios, a
/// metric none of them has or more replications than can be kept;
/// [`Error::Scenario`] for an invalid scenario; [`Error::Threads`] for no
/// worker threads.
pub fn compare(
    scenarios: &[(String, Scenario)],
    metrics: &[&str],
    runs: &Runs,
) -> Result<Comparison, Error> {
    let names = metric_list(scenarios, metrics)?;
    // Per scenario: per metric, its replication values (None: no such metric).
    let mut columns: Vec<Columns> = Vec::with_capacity(scenarios.len());
    for (_, s) in scenarios {
        let have = known_of(s, &names)?;
        let rows = adapter::in_pool(runs.threads, || {
            adapter::replications(s, runs.seed, runs.replications, &have)
        })??;
        columns.push(
            names
                .iter()
                .map(|m| {
                    have.iter()
                        .position(|h| h == m)
                        .map(|c| rows.iter().map(|r| r[c]).collect())
                })
                .collect(),
        );
    }
    tabulate(scenarios, &names, &columns, runs)
}

/// Per metric, a scenario's values by replication index (`None`: the
/// scenario has no such metric).
type Columns = Vec<Option<Vec<Option<f64>>>>;

/// The metrics to tabulate: `metrics`, or every metric of the first
/// scenario if empty.
fn metric_list(scenarios: &[(String, Scenario)], metrics: &[&str]) -> Result<Vec<String>, Error> {
    let Some((_, first)) = scenarios.first() else {
        return Err(DecideError::input("scenarios", "nothing to compare"));
    };
    if metrics.is_empty() {
        adapter::metric_names(first)
    } else {
        Ok(metrics.iter().map(|m| m.to_string()).collect())
    }
}

/// Those of `names` that scenario `s` has, in order.
fn known_of(s: &Scenario, names: &[String]) -> Result<Vec<String>, Error> {
    let known = adapter::metric_names(s)?;
    Ok(names
        .iter()
        .filter(|m| known.contains(m))
        .cloned()
        .collect())
}

/// The comparison of `scenarios` from each one's `columns` (per metric of
/// `names`, its values by replication index).
fn tabulate(
    scenarios: &[(String, Scenario)],
    names: &[String],
    columns: &[Columns],
    runs: &Runs,
) -> Result<Comparison, Error> {
    let mut out = Vec::with_capacity(names.len());
    for (m, name) in names.iter().enumerate() {
        if columns.iter().all(|c| c[m].is_none()) {
            return Err(DecideError::input(
                name.as_str(),
                "no compared scenario has this metric",
            ));
        }
        let reference = columns[0][m].as_ref();
        let entries = scenarios
            .iter()
            .zip(columns)
            .map(|((label, _), col)| {
                let col = col[m].as_ref();
                Entry {
                    label: label.clone(),
                    stats: col.map(|c| {
                        MetricStats::from_values(&c.iter().flatten().copied().collect::<Vec<_>>())
                    }),
                    diff: col.zip(reference).map(|(c, r)| paired(c, r)),
                }
            })
            .collect();
        out.push(MetricRow {
            metric: name.clone(),
            entries,
        });
    }
    Ok(Comparison {
        labels: scenarios.iter().map(|(l, _)| l.clone()).collect(),
        seed: runs.seed,
        replications: runs.replications,
        metrics: out,
        calendars: scenarios.iter().map(|(_, s)| Calendar::of(s)).collect(),
    })
}

/// The capacity answers of each receiving facility, in this order, where
/// the metric schema has them (a row added to the schema later joins the
/// default list by being named here).
const FACILITY_ANSWERS: [&str; 4] = [
    "facility.<facility>.first_day_over_capacity",
    "facility.<facility>.peak_occupancy_rate",
    "facility.<facility>.days_over_capacity",
    "facility.<facility>.first_day_back_under",
];

/// The answers of the whole system that follow the facilities': the
/// time to a verdict (the median: half the verdicts come sooner) and
/// repatriation.
const SYSTEM_ANSWERS: [&str; 2] = ["median_days_to_verdict", "repatriated"];

/// The capacity answers of scenario `s`, the metrics `compare` and
/// `sweep` show by default: for each facility that receives transferees
/// or people moved by a rule, in file order, its first day over capacity,
/// peak occupancy rate, days over capacity and first day back under
/// capacity (each where the metric schema has it); then the median time
/// to a verdict and the number repatriated.
///
/// A facility that nobody is moved into (it carries its input population
/// only) has none of its metrics here: its figures restate the scenario.
///
/// # Example
///
/// ```
/// use custody_sim::decide::compare::answer_metrics;
/// use custody_sim::presets;
///
/// let m = answer_metrics(&presets::baseline());
/// assert_eq!(m[0], "facility.Karkh.first_day_over_capacity");
/// assert!(m.contains(&"facility.Nasiriyah.days_over_capacity".to_string()));
/// // Hillah receives nobody in the baseline: its figures are inputs.
/// assert!(!m.iter().any(|n| n.contains("Hillah")));
/// assert_eq!(m.last().map(String::as_str), Some("repatriated"));
/// ```
pub fn answer_metrics(s: &Scenario) -> Vec<String> {
    let has = |pattern: &str| {
        crate::model::schema::metric_defs().any(|d| d.pattern == pattern && d.condition.holds(s))
    };
    let mut out = Vec::new();
    for (f, facility) in s.facilities.iter().enumerate() {
        if !s.receives(f) {
            continue;
        }
        for p in FACILITY_ANSWERS.iter().filter(|p| has(p)) {
            out.push(p.replacen("<facility>", &facility.name, 1));
        }
    }
    out.extend(
        SYSTEM_ANSWERS
            .iter()
            .filter(|p| has(p))
            .map(|p| p.to_string()),
    );
    out
}

/// Paired difference `cell − reference`, replication by replication.
fn paired(cell: &[Option<f64>], reference: &[Option<f64>]) -> PairedDiff {
    let d: Vec<f64> = cell
        .iter()
        .zip(reference)
        .filter_map(|(x, y)| Some((*x)? - (*y)?))
        .collect();
    PairedDiff::from_differences(&d)
}

/// As [`compare`], over variants of one scenario, each the base with its
/// overrides ([`Scenario::with_overrides`]), labelled by its name. The
/// variants need not be the scenario's own `[variant.NAME]` tables.
///
/// # Errors
///
/// As [`compare`]; [`Error::Scenario`] naming a bad path or value.
///
/// # Example: a second trial chamber against the plan as it stands
///
/// ```
/// use custody_sim::decide::compare_variants;
/// use custody_sim::scenario::Variant;
/// use custody_sim::{Runs, presets};
///
/// let variants = [
///     Variant::new("as planned"),
///     Variant::new("double panels").set("court.stage[trial].servers", "30"),
/// ];
/// let runs = Runs { replications: 10, seed: 1, threads: 0 };
/// let c = compare_variants(&presets::plan_2026_01(), &variants, &["mean_days_to_verdict"], &runs)?;
/// let d = c.metrics[0].entries[1].diff.as_ref().unwrap();
/// assert!(d.ci95_high.unwrap() < 0.0, "more panels, sooner verdicts");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare_variants(
    base: &Scenario,
    variants: &[Variant],
    metrics: &[&str],
    runs: &Runs,
) -> Result<Comparison, Error> {
    compare(&variant_scenarios(base, variants)?, metrics, runs)
}

/// The scenarios [`compare_variants`] compares: per variant, its name and
/// `base` with its overrides.
///
/// # Errors
///
/// [`Error::Scenario`] naming a bad path or value.
pub fn variant_scenarios(
    base: &Scenario,
    variants: &[Variant],
) -> Result<Vec<(String, Scenario)>, Error> {
    variants
        .iter()
        .map(|v| Ok((v.name.clone(), base.with_overrides(&v.overrides)?)))
        .collect()
}

/// The full summaries of the compared scenarios, daily series included:
/// each scenario run as [`crate::montecarlo::run`] runs it, on the same seed and
/// replications as [`compare`], for the overlay fan charts of a comparison
/// (`report::plots::compare_figures`, feature `plots`).
///
/// [`Comparison`] keeps only the metrics' statistics and paired
/// differences (a comparison's JSON stays small); the series come from
/// these runs. The runs are the very replications [`compare`] tabulates
/// (the same plan, seed and indices, `[uncertainty]` drawn the same way),
/// so the charts and the table agree.
///
/// # Errors
///
/// As [`crate::montecarlo::run`]: [`Error::Scenario`] for an invalid scenario,
/// [`Error::Threads`] for no worker threads, [`Error::Limit`] for a run too
/// large to keep.
///
/// # Example
///
/// ```
/// use custody_sim::decide::compare_summaries;
/// use custody_sim::{Runs, presets};
///
/// let mut s = presets::plan_2026_01();
/// s.horizon_days = 30;
/// let runs = Runs { replications: 4, seed: 1, threads: 0 };
/// let sums = compare_summaries(&[("plan".to_string(), s)], &runs)?;
/// assert!(sums[0].series("occupancy.Nasiriyah").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare_summaries(
    scenarios: &[(String, Scenario)],
    runs: &Runs,
) -> Result<Vec<crate::montecarlo::Summary>, Error> {
    scenarios
        .iter()
        .map(|(_, s)| crate::montecarlo::run(s, runs))
        .collect()
}

/// [`compare`] and [`compare_summaries`] of the same arguments from one
/// run of each scenario: each is run as [`crate::montecarlo::run`] runs
/// it, and the comparison tabulates the metric values that run keeps, so
/// both are exactly what the two functions return (the same replications,
/// seed and indices), for half the work. What `custody-sim compare` uses
/// when it draws charts, writes a report or prints its answers.
///
/// # Errors
///
/// As [`compare`] and [`compare_summaries`]; a run too large to keep is
/// [`Error::Limit`].
///
/// # Example
///
/// ```
/// use custody_sim::decide::{compare, compare_summaries, compare_and_summarise};
/// use custody_sim::{Runs, presets};
///
/// let mut s = presets::plan_2026_01();
/// s.horizon_days = 30;
/// let more = s.with_param("court.stage[trial].servers", "30")?;
/// let scenarios = [("plan".to_string(), s), ("more".to_string(), more)];
/// let runs = Runs { replications: 4, seed: 1, threads: 0 };
/// let metrics = ["mean_days_to_verdict"];
/// let (c, sums) = compare_and_summarise(&scenarios, &metrics, &runs)?;
/// // Byte for byte what the two functions give, in half the runs.
/// let two = compare(&scenarios, &metrics, &runs)?;
/// assert_eq!(serde_json::to_string(&c)?, serde_json::to_string(&two)?);
/// let two = compare_summaries(&scenarios, &runs)?;
/// assert_eq!(serde_json::to_string(&sums)?, serde_json::to_string(&two)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare_and_summarise(
    scenarios: &[(String, Scenario)],
    metrics: &[&str],
    runs: &Runs,
) -> Result<(Comparison, Vec<crate::montecarlo::Summary>), Error> {
    let names = metric_list(scenarios, metrics)?;
    let mut columns: Vec<Columns> = Vec::with_capacity(scenarios.len());
    let mut summaries = Vec::with_capacity(scenarios.len());
    for (_, s) in scenarios {
        let have = known_of(s, &names)?;
        let shard = crate::montecarlo::Run::new(s, runs).shard()?;
        let stored = shard.metric_names();
        let mut col: Columns = Vec::with_capacity(names.len());
        for m in &names {
            col.push(
                match (have.contains(m), stored.iter().position(|n| n == m)) {
                    (true, Some(i)) => {
                        let mut v: Vec<(u64, Option<f64>)> = shard.column_by_index(i).collect();
                        v.sort_by_key(|(r, _)| *r);
                        debug_assert!(v.iter().map(|(r, _)| *r).eq(0..runs.replications));
                        Some(v.into_iter().map(|(_, x)| x).collect())
                    }
                    _ => None,
                },
            );
        }
        columns.push(col);
        summaries.push(shard.summary());
    }
    Ok((tabulate(scenarios, &names, &columns, runs)?, summaries))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::presets;

    /// `compare_and_summarise` gives exactly `compare` and
    /// `compare_summaries` (JSON byte for byte, with `[uncertainty]` drawn
    /// and on several threads) from one run of each scenario: one stored
    /// values check (one `montecarlo` run) per scenario, no replications
    /// run on the side; the two functions run each scenario twice.
    #[test]
    fn one_run_of_each_scenario_gives_the_table_and_the_summaries() {
        let s = presets::baseline()
            .with_param("horizon_days", "40")
            .unwrap();
        let more = s.with_param("court.stage[trial].servers", "60").unwrap();
        let scenarios = [("base".to_string(), s), ("more".to_string(), more)];
        let metrics: Vec<String> = answer_metrics(&scenarios[0].1);
        let metrics: Vec<&str> = metrics.iter().map(String::as_str).collect();
        let count = || {
            (
                crate::montecarlo::STORED_CHECKS.with(std::cell::Cell::get),
                adapter::REPLICATION_RUNS.with(std::cell::Cell::get),
            )
        };
        for threads in [0, 3] {
            let runs = Runs {
                replications: 12,
                seed: 5,
                threads,
            };
            // The counters count on this thread: with threads, `compare`
            // replicates on the pool's.
            let (checks, reps) = count();
            let (c, sums) = compare_and_summarise(&scenarios, &metrics, &runs).unwrap();
            let (checks2, reps2) = count();
            let two = compare(&scenarios, &metrics, &runs).unwrap();
            let two_sums = compare_summaries(&scenarios, &runs).unwrap();
            let (checks3, reps3) = count();
            if threads == 0 {
                assert_eq!((checks2 - checks, reps2 - reps), (2, 0), "one run each");
                assert_eq!((checks3 - checks2, reps3 - reps2), (2, 2), "two runs each");
            }
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                serde_json::to_string(&two).unwrap()
            );
            assert_eq!(
                serde_json::to_string(&sums).unwrap(),
                serde_json::to_string(&two_sums).unwrap()
            );
            let past = |s: &[crate::montecarlo::Summary]| {
                s.iter().map(|s| s.past_horizon.clone()).collect::<Vec<_>>()
            };
            assert_eq!(past(&sums), past(&two_sums));
            assert!(c.metrics.iter().all(|r| r.entries[1].diff.is_some()));
        }
        // All metrics of the first (none asked for), and no scenario: as
        // `compare`.
        let runs = Runs {
            replications: 3,
            seed: 1,
            threads: 0,
        };
        // The baseline draws `[uncertainty]`: its `param.PATH` metrics
        // are the drawn values, after the outcome's own (a probe of one
        // once read past the outcome's values and panicked).
        let s = presets::baseline()
            .with_param("horizon_days", "40")
            .unwrap();
        let more = s.with_param("court.stage[trial].servers", "30").unwrap();
        let scenarios = [("base".to_string(), s), ("more".to_string(), more)];
        let (c, sums) = compare_and_summarise(&scenarios, &[], &runs).unwrap();
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            serde_json::to_string(&compare(&scenarios, &[], &runs).unwrap()).unwrap()
        );
        let capacity = "param.facility[Karkh].capacity";
        let row = c.metrics.iter().find(|r| r.metric == capacity).unwrap();
        for (e, sum) in row.entries.iter().zip(&sums) {
            let stats = e.stats.as_ref().unwrap();
            assert_eq!(stats, sum.metric(capacity).unwrap());
            let mean = stats.mean.unwrap();
            assert!((3500.0..=4500.0).contains(&mean), "{stats:?}");
        }
        assert!(compare_and_summarise(&[], &[], &runs).is_err());
    }
}
