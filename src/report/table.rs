//! A readable summary of a run or a sweep, for a terminal.
//!
//! Figures read `mean [p5–p95]`: the mean across replications and the band
//! that holds 90% of them; `± h` is the half-width of the 95% confidence
//! interval on the mean, the precision of the estimate (more replications
//! shrink it; they do not shrink the band). A day metric whose value is
//! "never within the horizon" (the reference model's horizon + 1) shows
//! as `never`, and day numbers come with their calendar dates: day `d` is
//! the end of date `start_date + d − 1` (see [`crate::report::dates`]).
//!
//! The results of the decision and calibration commands have their
//! tables here too: [`comparison_table`], [`sensitivity_table`], [`morris_table`],
//! [`regional_table`],
//! [`solution_table`], [`backtest_table`] and [`calibration_table`].
//!
//! The full statistics are in the JSON and CSV outputs
//! ([`crate::report::json`], [`crate::report::csv`]).

mod backtest;
mod calibrate;
mod cells;
mod compare;
mod court;
mod morris;
mod regional;
mod sensitivity;
mod solve;

pub use backtest::{backtest_summary, backtest_table};
pub use calibrate::calibration_table;
pub use compare::comparison_table;
pub use court::stage_caseload;
pub use morris::morris_table;
pub use regional::regional_table;
pub use sensitivity::sensitivity_table;
pub use solve::solution_table;

use std::fmt::Write as _;

use crate::montecarlo::Summary;
use crate::montecarlo::sweep::SweepResult;
use crate::report::changes_text;
use crate::report::dates::Day0;
use crate::report::format::{by_size, fixed, percent, thousands};
use crate::scenario::Scenario;
use cells::{Kind, band, band_dates, ci, grid, kind_of, t};

/// Which rule stopped the departures of a run whose transfer ended in
/// every replication (by day `last`, the latest `transfer_ended_day`):
/// the pool emptied, `transfer.end.target_total` reached, or
/// `transfer.end.until_day` passed; the target before an end day it came
/// before.
fn end_rule(scenario: &Scenario, s: &Summary, last: f64) -> String {
    let m = |name: &str| s.metric(name);
    if m("remaining_in_syria").and_then(|r| r.max) == Some(0.0) {
        return "the Syrian pool emptied".to_string();
    }
    let end = scenario.transfer.end.unwrap_or_default();
    let until = end
        .until_day
        .filter(|&d| scenario.day(d) <= f64::from(s.horizon_days));
    let target = end.target_total.filter(|&n| {
        m("transferred")
            .and_then(|t| t.min)
            .is_some_and(|t| t >= n as f64)
    });
    match (target, until) {
        (Some(n), Some(d)) if last >= scenario.day(d) => format!(
            "transfer.end.target_total = {} reached or transfer.end.until_day = {d} passed",
            thousands(n as f64)
        ),
        (Some(n), _) => format!(
            "transfer.end.target_total = {} reached",
            thousands(n as f64)
        ),
        (None, Some(d)) => format!("transfer.end.until_day = {d} passed"),
        (None, None) => "departures stopped".to_string(),
    }
}

/// The version 3 courts' rows, each block only when its rule is used:
/// other court cases per stage, the appeal, deportation.
fn court_v3(out: &mut String, scenario: &Scenario, s: &Summary) {
    let m = |name: &str| s.metric(name);
    let others: Vec<_> = scenario
        .court
        .stages
        .iter()
        .filter(|st| st.other_cases.is_some())
        .collect();
    if !others.is_empty() {
        out.push_str(
            "  Other court cases (not transferees; the rows above count transferees only)
",
        );
        let mut rows = vec![vec![
            t("stage"),
            t("per day"),
            t("completed"),
            t("waiting at the horizon"),
        ]];
        for st in others {
            let per_day = st.other_cases.as_ref().map_or(0.0, |o| o.per_day);
            let queue = s
                .series(&format!("queue_other.{}", st.name))
                .and_then(|q| q.mean.last().copied());
            rows.push(vec![
                st.name.clone(),
                format!("{per_day}"),
                band(
                    m(&format!("stage.{}.other_completed", st.name)),
                    Kind::Plain,
                ),
                queue.map_or_else(|| "–".into(), |x| format!("{x:.1}")),
            ]);
        }
        out.push_str(&grid(&rows, "    "));
    }
    let mut rows = vec![vec![t(""), t("mean [p5–p95]"), t("95% CI")]];
    let mut row = |label: &str, name: &str| {
        rows.push(vec![
            t(label),
            band(m(name), Kind::Plain),
            ci(m(name), Kind::Plain),
        ]);
    };
    if let Some(a) = &scenario.court.appeal {
        row("reviews completed", "appeal.completed");
        row("mean wait for review [days]", "appeal.mean_wait_days");
        row("peak appeal queue", "appeal.peak_queue");
        row("appeal queue at the horizon", "appeal.queue_at_horizon");
        row("convictions reversed on appeal", "released_on_appeal");
        let _ = writeln!(
            out,
            "\nAppeal ({} servers at first, reversal probability {})",
            thousands(a.servers as f64),
            a.reversal_probability
        );
        out.push_str(&grid(&rows, "  "));
        rows.truncate(1);
    }
    if scenario.groups.iter().any(|g| g.deportation.is_some()) {
        let mut row = |label: &str, name: &str| {
            rows.push(vec![
                t(label),
                band(m(name), Kind::Plain),
                ci(m(name), Kind::Plain),
            ]);
        };
        row("deported", "deported");
        for g in scenario.groups.iter().filter(|g| g.deportation.is_some()) {
            row(
                &format!("deported, {}", g.name),
                &format!("deported.{}", g.name),
            );
        }
        let waiting = s
            .series("awaiting_deportation")
            .and_then(|q| q.mean.last().copied());
        out.push_str("\nDeportation (released by the court, then held until deported)\n");
        out.push_str(&grid(&rows, "  "));
        if let Some(w) = waiting {
            let _ = writeln!(
                out,
                "  (awaiting deportation at the horizon: {w:.1} on average)"
            );
        }
    }
}

/// A value `[uncertainty]` draws: `mean [p5–p95]` of its draws, as the
/// table's other bands.
fn drawn_band(b: &crate::report::answers::Band) -> String {
    match (b.mean, b.p5, b.p95) {
        (Some(mean), Some(lo), Some(hi)) => format!(
            "{} [{}–{}]",
            thousands(mean.round()),
            thousands(lo.round()),
            thousands(hi.round())
        ),
        (Some(mean), _, _) => thousands(mean.round()),
        _ => "—".into(),
    }
}

/// A readable summary of a run of `scenario`: the header, the transfer,
/// each facility's occupancy against its capacity, the court stages, the
/// time to a verdict and the outcome per group.
///
/// The header names the variant the summary was run as and the changes
/// that made its scenario ([`Summary::variant`], [`Summary::overrides`]):
/// `Scenario baseline, variant high (…) with --set horizon_days=30: …`.
///
/// `scenario` supplies what the summary does not hold (capacities, group
/// sizes, server counts); a metric the summary lacks shows as `—`.
///
/// The table leads with the run's capacity answers: `answers` where the
/// caller has them (with what repatriation spares, as `run --relief`
/// computes with [`Answers::with_relief`](crate::report::answers::Answers::with_relief)),
/// otherwise, with `None`, [`Answers::new`](crate::report::answers::Answers::new)
/// of the scenario and summary. (One function: the answers are an
/// argument, not a second `summary_table_with`.)
///
/// # Example
///
/// ```
/// use custody_sim::{montecarlo::{run, Runs}, presets, report::table::summary_table};
///
/// let scenario = presets::baseline();
/// let s = run(&scenario, &Runs { replications: 4, seed: 1, threads: 0 })?;
/// let text = summary_table(&scenario, &s, None);
/// assert!(text.contains("Nasiriyah"));
/// assert!(text.contains("4 replications"));
///
/// // A variant, then a `--set`: the summary knows, and the header says so.
/// let changed = scenario.with_variant("high")?.with_param("horizon_days", "30")?;
/// let s = run(&changed, &Runs { replications: 2, seed: 1, threads: 0 })?;
/// let text = summary_table(&changed, &s, None);
/// assert!(text.contains("Scenario baseline, variant high ("));
/// assert!(text.contains(") with --set horizon_days=30:"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn summary_table(
    scenario: &Scenario,
    s: &Summary,
    answers: Option<&crate::report::answers::Answers>,
) -> String {
    let computed;
    let answers = match answers {
        Some(a) => a,
        None => {
            computed = crate::report::answers::Answers::new(scenario, s);
            &computed
        }
    };
    let (variant, overrides) = (s.variant.as_deref(), &s.overrides);
    let m = |name: &str| s.metric(name);
    let h = s.horizon_days;
    let day = Kind::Day(h);
    let day0 = Day0::parse(&s.start_date);
    let mut out = String::new();
    let with = match changes_text(variant, overrides) {
        t if t.is_empty() => t,
        t if t.starts_with("variant") => format!(", {t}"),
        t => format!(" {t}"),
    };
    let _ = writeln!(
        out,
        "Scenario {}{with}: {} replications, seed {} (custody-sim {}, scenario sha256 {})",
        s.scenario,
        s.replications,
        s.seed,
        s.version,
        s.scenario_sha256.get(..12).unwrap_or(&s.scenario_sha256),
    );
    let days = match day0 {
        Some(d) => format!(
            "Day 0 is the start of {}; day d is the end of the date d − 1 days later (day 1: {}); horizon {h} days (to the end of {})",
            d.start_long(),
            d.long(1.0),
            d.long(f64::from(h))
        ),
        None => format!("Day 0 is {}; horizon {h} days", s.start_date),
    };
    let _ = writeln!(
        out,
        "{days}. Figures: mean [p5–p95 across replications], ± half-width of the 95% CI on the mean."
    );
    let drawn = crate::report::drawn::Drawn::of(scenario);
    if let Some(d) = &drawn {
        let _ = writeln!(out, "{}", d.text());
    }
    // The capacity answers lead, in words and dates.
    out.push('\n');
    out.push_str(&answers.to_text());
    if drawn.is_some() {
        drawn_parameters(&mut out, s);
    }

    // Transfer.
    out.push_str("\nTransfer\n");
    let mut rows = vec![vec![t(""), t("mean [p5–p95]"), t("95% CI"), t("")]];
    let mut row = |label: String, name: &str, kind: Kind| {
        let dates = match kind {
            Kind::Day(h) => band_dates(m(name), h, day0),
            _ => String::new(),
        };
        rows.push(vec![label, band(m(name), kind), ci(m(name), kind), dates]);
    };
    row(
        format!(
            "detainees transferred (of {})",
            thousands(scenario.total_detainees() as f64)
        ),
        "transferred",
        Kind::Plain,
    );
    row(t("escaped from Syrian sites"), "escaped", Kind::Plain);
    row(
        t("still in Syria at the horizon"),
        "remaining_in_syria",
        Kind::Plain,
    );
    row(t("day the transfer completes"), "last_arrival_day", day);
    out.push_str(&grid(&rows, "  "));
    let ended = m("transfer_ended_day");
    if let Some(last) = m("last_arrival_day")
        && last.min.is_some_and(|x| x > f64::from(h))
    {
        match ended {
            // Departures stopped for good in every replication: say when
            // and by which rule, rather than that the transfer never ends.
            Some(e) if e.n > 0 && e.max.is_some_and(|x| x <= f64::from(h)) => {
                let _ = writeln!(
                    out,
                    "  (the transfer ended in every replication, on day {} on average (transfer_ended_day): {}; {} remain in Syria)",
                    e.mean.map_or("–".into(), |x| fixed(x, 1)),
                    end_rule(scenario, s, e.max.unwrap_or(f64::INFINITY)),
                    m("remaining_in_syria")
                        .and_then(|r| r.mean)
                        .map_or("–".into(), thousands)
                );
            }
            _ => {
                out.push_str("  (the transfer is not complete by the horizon in any replication)\n")
            }
        }
    } else if let Some(last) = m("last_arrival_day")
        && last.max.is_some_and(|x| x > f64::from(h))
    {
        let _ = writeln!(
            out,
            "  (not complete by the horizon in some replications; those count as day {})",
            h + 1
        );
    }

    // Facilities.
    out.push_str("\nFacilities (end-of-day occupancy)\n");
    let mut rows = vec![vec![
        t("facility"),
        t("beds"),
        t("day 0"),
        t("peak occupancy"),
        t("worst day: occupancy / beds"),
        t("days over capacity"),
        t("first day over"),
    ]];
    let mut over_on_day0 = false;
    let mut drawn = Vec::new();
    for (i, f) in scenario.facilities.iter().enumerate() {
        // Only the beds that come within the horizon.
        let added: u64 = f
            .expansions
            .iter()
            .filter(|e| {
                let d = e.day.days_from(scenario.start_date);
                d > 0.0 && d <= f64::from(h)
            })
            .map(|e| e.beds)
            .fold(0, u64::saturating_add);
        let beds0 = f.beds_on(0.0, scenario.start_date);
        // A capacity or a population on day 0 that `[uncertainty]` draws
        // is the band of its draws, as the answers say it (the file's
        // figure is not every run's).
        let answer = answers.facilities.get(i).filter(|a| a.facility == f.name);
        let beds_drawn = answer.and_then(|a| a.beds_drawn.as_ref());
        let pop_drawn = answer.and_then(|a| a.initial_occupancy_drawn.as_ref());
        if beds_drawn.is_some() || pop_drawn.is_some() {
            drawn.push(format!(
                "{} {} beds, {} on day 0",
                f.name,
                thousands(beds0 as f64),
                thousands(f.initial_occupancy as f64)
            ));
        }
        let beds_text = match beds_drawn {
            Some(b) => drawn_band(b),
            None => thousands(beds0 as f64),
        };
        let cap = if added > 0 {
            match beds_drawn {
                Some(_) => format!("{beds_text} → +{}", thousands(added as f64)),
                None => format!(
                    "{beds_text} → {}",
                    thousands(beds0.saturating_add(added) as f64)
                ),
            }
        } else {
            beds_text
        };
        let key = |k: &str| format!("facility.{}.{k}", f.name);
        let first = if f.initial_occupancy > beds0 && beds_drawn.is_none() && pop_drawn.is_none() {
            over_on_day0 = true;
            t("over on day 0")
        } else {
            let first = m(&key("first_day_over_capacity"));
            let dates = band_dates(first, h, day0);
            let b = band(first, day);
            if dates.is_empty() {
                b
            } else {
                format!("{b} {dates}")
            }
        };
        rows.push(vec![
            f.name.clone(),
            cap,
            pop_drawn.map_or_else(|| thousands(f.initial_occupancy as f64), drawn_band),
            band(m(&key("peak_occupancy")), Kind::Plain),
            band(m(&key("peak_occupancy_rate")), Kind::Percent),
            band(m(&key("days_over_capacity")), Kind::Plain),
            first,
        ]);
    }
    out.push_str(&grid(&rows, "  "));
    out.push_str(
        "  (worst day: the highest ratio of end-of-day occupancy to the beds of that day; beds: on day 0 → with the expansions within the horizon)\n",
    );
    if over_on_day0 {
        out.push_str(
            "  (over on day 0: the population inside on day 0 already exceeds the beds)\n",
        );
    }
    if !drawn.is_empty() {
        let _ = writeln!(
            out,
            "  (a band in beds or day 0: drawn per run by [uncertainty], mean [90% of runs]; in the file: {})",
            drawn.join("; ")
        );
    }
    let mut rows = vec![vec![
        t("facility"),
        t("occupancy at the horizon"),
        t("detainee-days over capacity"),
    ]];
    for f in &scenario.facilities {
        let key = |k: &str| format!("facility.{}.{k}", f.name);
        rows.push(vec![
            f.name.clone(),
            band(m(&key("occupancy_at_horizon")), Kind::Plain),
            band(m(&key("excess_detainee_days")), Kind::Plain),
        ]);
    }
    out.push_str("\nFacilities at the horizon\n");
    out.push_str(&grid(&rows, "  "));

    // Court.
    court::court_stages(&mut out, scenario, s);
    court_v3(&mut out, scenario, s);

    // Verdicts.
    out.push_str("\nVerdicts\n");
    let mut rows = vec![vec![t(""), t("mean [p5–p95]"), t("95% CI")]];
    let mut row = |label: &str, name: &str| {
        rows.push(vec![
            t(label),
            band(m(name), Kind::Plain),
            ci(m(name), Kind::Plain),
        ]);
    };
    row("mean days to verdict", "mean_days_to_verdict");
    row("median days to verdict", "median_days_to_verdict");
    row("convicted", "convicted");
    row("released", "released");
    row("awaiting a verdict at the horizon", "awaiting_verdict");
    row("repatriated", "repatriated");
    out.push_str(&grid(&rows, "  "));
    if let Some(v) = m("mean_days_to_verdict")
        && v.n < s.replications
    {
        let _ = writeln!(
            out,
            "  (time to verdict from the {} of {} replications that gave a verdict)",
            v.n, s.replications
        );
    }

    // Sentences, exits and cost (version 2).
    out.push_str("\nSentences and exits\n");
    let mut rows = vec![vec![t(""), t("mean [p5–p95]"), t("95% CI")]];
    let mut row = |label: String, name: &str| {
        rows.push(vec![
            label,
            band(m(name), Kind::Plain),
            ci(m(name), Kind::Plain),
        ]);
    };
    for x in &scenario.court.sentences {
        row(
            format!("sentenced: {}", x.name),
            &format!("sentenced.{}", x.name),
        );
    }
    row(
        t("released after serving a sentence"),
        "released_after_sentence",
    );
    row(t("executed"), "executed");
    row(t("died in custody"), "died_in_custody");
    row(t("relocated between facilities"), "relocated");
    // Capacity rules (version 3), when used.
    if m("overflowed").is_some() {
        row(t("moved by overflow"), "overflowed");
    }
    if m("released_by_order").is_some() {
        row(t("released by order"), "released_by_order");
    }
    if m("custody_cost").is_some() {
        row(t("custody cost"), "custody_cost");
    }
    out.push_str(&grid(&rows, "  "));

    // Groups.
    groups(&mut out, scenario, s);
    approximate_note(&mut out, s);
    out
}

/// The `param.*` metrics: the value each replication drew for each
/// uncertain parameter.
fn drawn_parameters(out: &mut String, s: &Summary) {
    let mut rows = vec![vec![t("parameter"), t("mean [p5–p95]"), t("min–max")]];
    for (name, m) in &s.metrics {
        let Some(path) = name.strip_prefix("param.") else {
            continue;
        };
        let range = match (m.min, m.max) {
            (Some(lo), Some(hi)) => format!("{}–{}", by_size(lo), by_size(hi)),
            _ => String::new(),
        };
        rows.push(vec![path.to_string(), band(Some(m), Kind::Plain), range]);
    }
    if rows.len() > 1 {
        out.push_str("\nParameters drawn per replication (param.PATH)\n");
        out.push_str(&grid(&rows, "  "));
    }
}

/// When group `g` may be repatriated: never, before a verdict only, or
/// also (or only) from prison after a conviction.
fn repatriated_when(g: &crate::scenario::Group) -> &'static str {
    let r = &g.repatriation;
    if r.probability <= 0.0 || r.quota == Some(0) {
        "never"
    } else if !r.after_conviction {
        "before a verdict"
    } else if r.eligible_after == crate::scenario::EligibleAfter::Verdict {
        "after conviction*"
    } else {
        "before a verdict or after conviction*"
    }
}

/// The "Groups" block of the run table: per group its size, transferred,
/// repatriated and convicted, and when its members may be repatriated.
/// Where a group repatriates after conviction, the two columns overlap
/// (someone convicted, then repatriated from prison, counts in both) and
/// a note says so, naming the groups whose two means add up to more than
/// the group.
fn groups(out: &mut String, scenario: &Scenario, s: &Summary) {
    let m = |name: &str| s.metric(name);
    out.push_str("\nGroups\n");
    let mut rows = vec![vec![
        t("group"),
        t("detainees"),
        t("transferred"),
        t("repatriated"),
        t("convicted"),
        t("repatriated when"),
    ]];
    let mut overlap = false;
    let mut above = Vec::new();
    for g in &scenario.groups {
        let key = |k: &str| format!("{k}.{}", g.name);
        let when = repatriated_when(g);
        if when.ends_with('*') {
            overlap = true;
            let mean = |k: &str| m(&key(k)).and_then(|x| x.mean);
            if let (Some(r), Some(c)) = (mean("repatriated"), mean("convicted"))
                && r + c > g.count as f64
            {
                above.push(format!(
                    "{}: {} + {} of {}",
                    g.name,
                    thousands(r),
                    thousands(c),
                    thousands(g.count as f64)
                ));
            }
        }
        rows.push(vec![
            g.name.clone(),
            thousands(g.count as f64),
            band(m(&key("transferred")), Kind::Plain),
            band(m(&key("repatriated")), Kind::Plain),
            band(m(&key("convicted")), Kind::Plain),
            t(when),
        ]);
    }
    out.push_str(&grid(&rows, "  "));
    if overlap {
        let example = if above.is_empty() {
            String::new()
        } else {
            format!(
                "; so repatriated + convicted may exceed the group ({}), which is no error",
                above.join("; ")
            )
        };
        let _ = writeln!(
            out,
            "  (* after_conviction: a convicted member may later be repatriated from prison (transfer of sentenced persons); such a person counts both as convicted (every conviction, whether or not the person later left) and as repatriated (before a verdict or after){example})"
        );
    }
}

/// A note naming the daily series whose quantiles fell back to an
/// approximation on some days, and how far off they may be; nothing when
/// every daily quantile is exact.
fn approximate_note(out: &mut String, s: &Summary) {
    let approx: Vec<_> = s
        .series
        .iter()
        .filter_map(|(n, b)| b.approximate.map(|a| (n, a)))
        .collect();
    if approx.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "
Daily series with approximate quantiles (exact up to {} distinct values a day; past that, a histogram)",
        thousands(crate::stats::MAX_EXACT_VALUES as f64)
    );
    for (name, a) in approx {
        let _ = writeln!(
            out,
            "  {name}: on {} of {} days, p5, p50 and p95 within {} ({}) of the exact values",
            a.days,
            s.horizon_days,
            by_size(a.max_error),
            percent(a.max_relative_error, 2)
        );
    }
}

/// Whether a metric has its block in a sweep's table (and the sweep
/// section of the HTML report): every global figure (a name without a
/// dot) and the headline metrics of each facility and stage
/// ([`crate::model::schema::is_headline`]); per-group counts and the
/// other per-facility and per-stage figures are left to the JSON and CSV.
///
/// # Example
///
/// ```
/// use custody_sim::report::table::sweep_metric;
///
/// assert!(sweep_metric("released"));
/// assert!(sweep_metric("stage.trial.peak_queue"));
/// assert!(!sweep_metric("stage.trial.completed"));
/// assert!(!sweep_metric("convicted.Iraqi"));
/// ```
pub fn sweep_metric(name: &str) -> bool {
    !name.contains('.') || crate::model::schema::is_headline(name)
}

/// A readable summary of a sweep: for each metric of the sweep table's
/// own ([`sweep_metric`]), one line per cell with its `mean [p5–p95]` and
/// the paired difference to the first cell with its 95% CI. The header
/// lists the changes that made the base scenario
/// ([`SweepResult::overrides`]). [`sweep_table_of`] chooses the metrics.
///
/// # Example
///
/// ```
/// use custody_sim::{montecarlo::Runs, presets, report::table::sweep_table, sweep::{sweep, Vary}};
///
/// let grid = [Vary::new("court.stage[trial].servers", [15, 30])];
/// let base = presets::baseline().with_param("horizon_days", "60")?;
/// let r = sweep(&base, &grid, &Runs { replications: 4, seed: 1, threads: 0 })?;
/// let text = sweep_table(&r);
/// assert!(text.contains("mean_days_to_verdict"));
/// assert!(text.contains("court.stage[trial].servers"));
/// assert!(text.starts_with("Sweep of baseline with --set horizon_days=60: 2 cells"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sweep_table(r: &SweepResult) -> String {
    sweep_table_of(r, &[])
}

/// [`sweep_table`] of the metrics `metrics`, in that order (those of
/// [`sweep_metric`] when empty; a name no cell has shows `—`). A rate
/// reads as a percentage (its difference in percentage points), a day
/// metric `never` past the horizon; a difference and its interval are at
/// the precision of the interval ([`crate::report::format::with_spread`]).
///
/// # Example
///
/// ```
/// use custody_sim::{montecarlo::Runs, presets, report::table::sweep_table_of, sweep::{sweep, Vary}};
///
/// let grid = [Vary::new("court.stage[trial].servers", [15, 30])];
/// let base = presets::baseline().with_param("horizon_days", "60")?;
/// let r = sweep(&base, &grid, &Runs { replications: 4, seed: 1, threads: 0 })?;
/// let text = sweep_table_of(&r, &["facility.Karkh.peak_occupancy_rate"]);
/// assert!(text.contains("facility.Karkh.peak_occupancy_rate"));
/// assert!(text.contains('%'));
/// assert!(!text.contains("mean_days_to_verdict"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sweep_table_of(r: &SweepResult, metrics: &[&str]) -> String {
    let overrides = &r.overrides;
    let mut out = String::new();
    let Some(first) = r.cells.first() else {
        return "An empty sweep.\n".into();
    };
    let f = &first.summary;
    let with = match changes_text(None, overrides) {
        t if t.is_empty() => t,
        t if t.starts_with("variant") => format!(", {t}"),
        t => format!(" {t}"),
    };
    let _ = writeln!(
        out,
        "Sweep of {}{with}: {} cells × {} replications, seed {} (custody-sim {})",
        f.scenario,
        r.cells.len(),
        f.replications,
        f.seed,
        f.version
    );
    out.push_str(
        "Figures: mean [p5–p95 across replications]; Δ: paired difference to cell 1 on common random numbers, with its 95% CI.\n",
    );
    let mut rows = vec![vec![t("cell"), t("parameters")]];
    for (i, c) in r.cells.iter().enumerate() {
        let params = c
            .params
            .iter()
            .map(|o| o.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        rows.push(vec![(i + 1).to_string(), params]);
    }
    out.push('\n');
    out.push_str(&grid(&rows, "  "));

    let names: Vec<&str> = if metrics.is_empty() {
        f.metrics
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| sweep_metric(n))
            .collect()
    } else {
        metrics.to_vec()
    };
    for name in names {
        let kind = kind_of(name, f.horizon_days);
        let _ = writeln!(out, "\n{name}");
        let mut rows = vec![vec![
            t("cell"),
            t("mean [p5–p95]"),
            t("Δ vs cell 1 [95% CI]"),
        ]];
        for (i, c) in r.cells.iter().enumerate() {
            let diff = if i == 0 {
                t("—")
            } else {
                match c.diff_of(name) {
                    Some(d) if d.mean.is_some() => compare::difference(d, kind),
                    _ => t("—"),
                }
            };
            rows.push(vec![
                (i + 1).to_string(),
                band(c.summary.metric(name), kind),
                diff,
            ]);
        }
        out.push_str(&grid(&rows, "  "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cells::fmt_kind;
    use super::*;
    use crate::stats::MetricStats;

    /// A day metric's dates follow the one convention: Karkh's first day
    /// over capacity, series day 21 of a run from 21 January 2026, is the
    /// end of 10 February (day 0 + 21 would be 11 February).
    #[test]
    fn day_metrics_are_dated_by_their_end_of_day_record() {
        let day0 = Day0::parse("2026-01-21");
        let m = MetricStats::from_values(&[21.0, 21.0, 21.0]);
        assert_eq!(band_dates(Some(&m), 730, day0), "(10 Feb 2026)");
        let ends: Vec<f64> = [1.0; 10].into_iter().chain([12.0; 10]).collect();
        let m = MetricStats::from_values(&ends);
        assert_eq!(band_dates(Some(&m), 730, day0), "(21 Jan–1 Feb 2026)");
        // A band edge between two records is dated by the later one.
        let m = MetricStats::from_values(&[1.0, 12.0]);
        assert_eq!(band_dates(Some(&m), 730, day0), "(22 Jan–1 Feb 2026)");
        let never: Vec<f64> = [20.0; 10].into_iter().chain([731.0; 10]).collect();
        let m = MetricStats::from_values(&never);
        assert_eq!(band_dates(Some(&m), 730, day0), "(9 Feb 2026–never)");
    }

    #[test]
    fn figures_read_by_their_kind() {
        assert_eq!(fmt_kind(1234.4, Kind::Plain), "1,234");
        assert_eq!(fmt_kind(1.426, Kind::Percent), "143%");
        assert_eq!(fmt_kind(731.0, Kind::Day(730)), "never");
        assert_eq!(fmt_kind(21.0, Kind::Day(730)), "21");
        let m = MetricStats::from_values(&[1.0, 1.2, 1.4, 1.6]);
        assert!(
            ci(Some(&m), Kind::Percent).ends_with('%'),
            "{}",
            ci(Some(&m), Kind::Percent)
        );
    }

    /// The headline flag of the schema gives the eight global figures
    /// `compare` and the report lead with, and the sweep table's blocks.
    #[test]
    fn headline_lists_come_from_the_schema() {
        assert_eq!(
            crate::model::schema::headline_metrics(),
            [
                "transferred",
                "escaped",
                "remaining_in_syria",
                "repatriated",
                "convicted",
                "awaiting_verdict",
                "mean_days_to_verdict",
                "median_days_to_verdict",
            ]
        );
        for (name, shown) in [
            ("last_arrival_day", true),
            ("facility.Karkh.peak_occupancy", true),
            ("facility.Karkh.days_over_capacity", true),
            ("facility.Karkh.first_day_over_capacity", false),
            ("facility..peak_occupancy", false),
            ("stage.trial.mean_wait_days", true),
            ("stage.trial.peak_queue", true),
            ("stage.trial.queue_at_horizon", false),
            ("transferred.Iraqi", false),
            ("param.court.stage[trial].servers", false),
        ] {
            assert_eq!(sweep_metric(name), shown, "{name}");
        }
    }

    /// When a group may be repatriated, and which groups' repatriated
    /// and convicted overlap (marked `*`, explained in the note).
    #[test]
    fn groups_say_when_they_are_repatriated() {
        use crate::scenario::{EligibleAfter, Group};
        let mut g = Group::new("A", 10);
        assert_eq!(repatriated_when(&g), "never");
        g.repatriation.probability = 0.5;
        assert_eq!(repatriated_when(&g), "before a verdict");
        g.repatriation.after_conviction = true;
        assert_eq!(
            repatriated_when(&g),
            "before a verdict or after conviction*"
        );
        g.repatriation.eligible_after = EligibleAfter::Verdict;
        assert_eq!(repatriated_when(&g), "after conviction*");
        g.repatriation.quota = Some(0);
        assert_eq!(repatriated_when(&g), "never");
    }

    #[test]
    fn grid_aligns_columns() {
        let g = grid(&[vec![t("a"), t("bb")], vec![t("ccc"), t("d")]], "");
        assert_eq!(g, "a    bb\nccc  d\n");
    }

    #[test]
    fn the_summary_table_shows_the_version_2_metrics() {
        let mut s = crate::scenario::presets::baseline_v2();
        s.horizon_days = 60;
        let runs = crate::montecarlo::Runs {
            replications: 3,
            seed: 1,
            threads: 1,
        };
        let summary = crate::montecarlo::run(&s, &runs).unwrap();
        let text = summary_table(&s, &summary, None);
        for label in [
            "Facilities at the horizon",
            "queue at the horizon",
            "Sentences and exits",
            "died in custody",
            "relocated between facilities",
        ] {
            assert!(text.contains(label), "{label} missing from\n{text}");
        }
        for x in &s.court.sentences {
            assert!(text.contains(&format!("sentenced: {}", x.name)), "{text}");
        }
        assert!(!text.contains("moved by overflow") && !text.contains("released by order"));
        // With the capacity rules, their rows.
        let mut v3 = s.clone();
        v3.facilities[0].overflow = Some(crate::scenario::Overflow {
            above: 1.0,
            to: vec![v3.facilities[1].name.clone()],
            who: crate::scenario::PersonKind::Any,
        });
        v3.releases.push(crate::scenario::Release::new(
            10.0,
            v3.facilities[1].name.clone(),
            5,
        ));
        let summary = crate::montecarlo::run(&v3, &runs).unwrap();
        let text = summary_table(&v3, &summary, None);
        assert!(
            text.contains("moved by overflow") && text.contains("released by order"),
            "{text}"
        );
        // Without sentences there is no sentence row.
        s.court.sentences.clear();
        let summary = crate::montecarlo::run(&s, &runs).unwrap();
        assert!(!summary_table(&s, &summary, None).contains("sentenced:"));
    }
}
