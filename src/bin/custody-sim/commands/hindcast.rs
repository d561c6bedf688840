//! `custody-sim hindcast`: a scenario tested out of sample, fitted at
//! each origin to the reports up to it and scored on the reports after.

use std::fmt::Write as _;

use custody_sim::Scenario;
use custody_sim::calibrate::{Hindcast, HindcastFans, HorizonError, Observations};
use custody_sim::report::csv::text_cell;
use custody_sim::report::html::{Provenance, Report};

use super::backtest::plots_output;
use super::calibrate::{Fit, FitFlags};
use super::{check_work, emit_json, emit_text, file_or_dash, threads};
use crate::Fail;
use crate::args::HindcastArgs;
use crate::output::{self, is_dash, print};

/// The scored rows as CSV: one line per origin and scored row, with the
/// horizon, the backtest's figures and, for a bound, its kind, share
/// meeting it and verdict (empty cells where a figure does not apply);
/// with a row pinned by the scenario, a last column `pinned`, as
/// `backtest`'s CSV has.
fn rows_csv(h: &Hindcast) -> Result<String, Fail> {
    let bad = |e: &dyn std::fmt::Display| Fail::Msg(format!("cannot write the CSV: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    let pinned = h.pinned.is_some();
    let header = [
        "origin",
        "horizon",
        "date",
        "series",
        "value",
        "p5",
        "p50",
        "p95",
        "inside",
        "pit",
        "interval_score",
        "kind",
        "share_meeting",
        "consistent",
    ];
    w.write_record(header.into_iter().chain(pinned.then_some("pinned")))
        .map_err(|e| bad(&e))?;
    let opt = |x: f64| {
        if x.is_nan() {
            String::new()
        } else {
            x.to_string()
        }
    };
    for o in &h.origins {
        for (r, horizon) in o.scored.rows.iter().zip(&o.horizons) {
            let cells = [
                o.origin.clone(),
                horizon.to_string(),
                r.date.clone(),
                text_cell(&r.series).into_owned(),
                r.value.to_string(),
                r.p5.to_string(),
                r.p50.to_string(),
                r.p95.to_string(),
                if r.kind.is_value() {
                    r.inside.to_string()
                } else {
                    String::new()
                },
                r.pit.to_string(),
                opt(r.interval_score),
                r.kind.name().to_string(),
                r.share_meeting.map(|x| x.to_string()).unwrap_or_default(),
                r.consistent.map(|x| x.to_string()).unwrap_or_default(),
            ];
            w.write_record(
                cells
                    .into_iter()
                    .chain(pinned.then(|| r.pinned.to_string())),
            )
            .map_err(|e| bad(&e))?;
        }
    }
    let bytes = w.into_inner().map_err(|e| bad(&e))?;
    String::from_utf8(bytes).map_err(|e| bad(&e))
}

/// The error of the median by horizon, as a small table.
fn horizon_table(t: &mut String, rows: &[HorizonError]) {
    let _ = writeln!(
        t,
        "{:>8} {:>6} {:>14} {:>14}",
        "horizon", "rows", "mean error", "mean |error|"
    );
    for e in rows {
        let _ = writeln!(
            t,
            "{:>7}d {:>6} {:>14.1} {:>14.1}",
            e.horizon, e.rows, e.mean_error, e.mean_absolute_error
        );
    }
}

/// The text: per origin what was fitted, the scored rows and their
/// totals and the error by horizon; then the totals over every origin.
fn table(h: &Hindcast) -> String {
    let mut t = String::new();
    for o in &h.origins {
        let _ = writeln!(
            t,
            "origin {}: {} row(s) up to it, {} scored after it",
            o.origin,
            o.fitted_rows,
            o.scored.rows.len()
        );
        match (&o.posterior, &o.stopped) {
            (Some(post), Some(stopped)) => {
                for p in post {
                    let _ = writeln!(
                        t,
                        "  fitted {}: median {:.4} [5%: {:.4}, 95%: {:.4}]",
                        p.path, p.q50, p.q05, p.q95
                    );
                }
                let _ = writeln!(t, "  fit stopped: {stopped}");
            }
            _ => t.push_str("  no prior: nothing fitted, the scenario as it is is scored\n"),
        }
        t.push_str(&custody_sim::report::table::backtest_table(&o.scored));
        t.push_str("error of the median (p50 - observed) by days after the origin:\n");
        horizon_table(&mut t, &o.by_horizon);
        t.push('\n');
    }
    let _ = writeln!(t, "all origins ({}):", h.origins.len());
    let overall = custody_sim::calibrate::Backtest {
        rows: Vec::new(),
        coverage: h.coverage,
        mean_interval_score: h.mean_interval_score,
        crps: h.crps,
        bounds_consistent: h.bounds_consistent,
        bounds: h.bounds,
        pinned: h.pinned,
    };
    t.push_str(&custody_sim::report::table::backtest_summary(&overall));
    horizon_table(&mut t, &h.by_horizon);
    t
}

pub(crate) fn hindcast(a: &HindcastArgs) -> Result<(), Fail> {
    let json_to = a.json.json.as_deref();
    let csv_to = a.csv.as_deref();
    let outputs: Vec<_> = [
        file_or_dash("--json", json_to),
        file_or_dash("--csv", csv_to),
    ]
    .into_iter()
    .flatten()
    .chain(plots_output(a.plots.as_deref())?)
    .chain(output::report_output(&a.report))
    .collect();
    let flags = FitFlags::from(a);
    output::check(&outputs, &flags.inputs())?;
    if a.replications < 2 {
        return crate::usage("--replications: a hindcast needs at least 2");
    }
    let Fit {
        scenario,
        overrides,
        obs,
        priors,
    } = flags.read()?;
    // Per origin: the fit's budget (with priors) and the scored
    // replications.
    let fit = if priors.is_empty() {
        0
    } else {
        a.abc.max_simulations
    };
    let per_origin = fit.saturating_add(a.replications);
    let origins = a.origin.len() as u64;
    let work = per_origin.saturating_mul(origins);
    let threads = threads(a.common.threads, per_origin);
    check_work(&scenario, work, threads, a.common.allow_large)?;
    let settings = flags.settings(threads);
    let origins: Vec<&str> = a.origin.iter().map(String::as_str).collect();
    // The fans (one run per origin, the rows identical) only where a chart
    // needs them.
    let charts = a.plots.is_some() || (cfg!(feature = "plots") && a.report.report.is_some());
    let hf = if charts {
        custody_sim::calibrate::hindcast_fans(
            &scenario,
            &obs,
            &origins,
            &priors,
            &settings,
            a.replications,
        )?
    } else {
        HindcastFans {
            hindcast: custody_sim::calibrate::hindcast(
                &scenario,
                &obs,
                &origins,
                &priors,
                &settings,
                a.replications,
            )?,
            fans: Vec::new(),
        }
    };
    let h = &hf.hindcast;
    if let Some(p) = json_to {
        emit_json(h, p, a.common.quiet)?;
    }
    if let Some(p) = csv_to {
        emit_text(&rows_csv(h)?, p, a.common.quiet)?;
    }
    let to_stdout = json_to.is_some_and(is_dash) || csv_to.is_some_and(is_dash);
    if !a.common.quiet && !to_stdout {
        print(&table(h))?;
    }
    #[cfg(feature = "plots")]
    super::backtest::draw_plots(a.plots.as_deref(), a.common.quiet, |dir| {
        custody_sim::report::plots::write_hindcast_plots(&scenario, &obs, &hf, dir)
    })?;
    report(a, &scenario, &obs, &hf, &overrides)
}

impl<'a> From<&'a HindcastArgs> for FitFlags<'a> {
    fn from(a: &'a HindcastArgs) -> Self {
        FitFlags {
            scenario: &a.scenario,
            variant: a.variant.variant.as_deref(),
            common: &a.common,
            observed: &a.observed,
            prior: &a.prior,
            abc: &a.abc,
        }
    }
}

/// `--report`: the hindcast's HTML report.
fn report(
    a: &HindcastArgs,
    scenario: &Scenario,
    obs: &Observations,
    hf: &HindcastFans,
    overrides: &[custody_sim::scenario::Override],
) -> Result<(), Fail> {
    let Some(path) = &a.report.report else {
        return Ok(());
    };
    #[cfg(feature = "plots")]
    let figures = custody_sim::report::plots::hindcast_figures(scenario, obs, hf)?;
    #[cfg(not(feature = "plots"))]
    let figures: Vec<output::Figure> = {
        let _ = obs;
        Vec::new()
    };
    let origins = a.origin.join(", ");
    let mut provenance =
        Provenance::now(a.common.seed, Some(a.replications), output::command_line())
            .detail("observations", a.observed.display())
            .detail("origins", origins);
    if !a.prior.is_empty() {
        provenance = provenance
            .detail("priors", a.prior.join("; "))
            .detail("particles per generation", a.abc.particles)
            .detail("simulation budget per origin", a.abc.max_simulations);
    }
    let r = Report::hindcast(&hf.hindcast, scenario, overrides);
    output::write_report(path, r, figures, provenance, a.common.quiet)
}
