//! `custody-sim sensitivity`: first-order and total Sobol indices, with
//! bootstrap intervals, and tornado swings of metrics over uncertain
//! parameters: those of `--param`, else the scenario's `[uncertainty]`.

use std::fmt::Write as _;

use custody_sim::Scenario;
use custody_sim::decide::{
    Estimate, Param, SobolOptions, SobolResult, sensitivity as analyse, uncertain_params,
};
use custody_sim::report::csv::text_field;
use custody_sim::report::html::{Provenance, Report};

use super::{check_work, emit_json, emit_text, file_or_dash, load_with, scenario_inputs, threads};
use crate::Fail;
use crate::args::SensitivityArgs;
use crate::output::{self, Kind, Output, is_dash, print};

/// `0.123 [0.100, 0.150]`, or `–` where undefined.
fn est(e: &Estimate) -> String {
    match (e.estimate, e.ci95_low, e.ci95_high) {
        (Some(x), Some(l), Some(h)) => format!("{x:.3} [{l:.3}, {h:.3}]"),
        (Some(x), _, _) => format!("{x:.3}"),
        _ => "–".to_string(),
    }
}

/// One block per metric: one line per parameter, by total index.
fn table(r: &SobolResult) -> String {
    let mut t = String::new();
    for m in &r.metrics {
        let _ = writeln!(
            t,
            "{} ({} evaluations, variance {})",
            m.metric,
            r.evaluations,
            m.variance.map_or("–".to_string(), |v| format!("{v:.4}"))
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
            "  {:<w$}  {:<26} {:<26} {:<30}",
            "parameter", "first order [95%]", "total [95%]", "tornado swing [95%]"
        );
        let mut ix: Vec<_> = m.indices.iter().collect();
        ix.sort_by(|a, b| {
            let key = |i: &&custody_sim::decide::SobolIndex| {
                i.total.estimate.unwrap_or(f64::NEG_INFINITY)
            };
            key(b).total_cmp(&key(a))
        });
        for i in ix {
            let _ = writeln!(
                t,
                "  {:<w$}  {:<26} {:<26} {:<30}",
                i.path,
                est(&i.first_order),
                est(&i.total),
                i.swing.as_ref().map_or("–".to_string(), est)
            );
        }
        t.push('\n');
    }
    t
}

/// `metric,path,first_order,...` rows.
fn rows_csv(r: &SobolResult) -> String {
    let cell = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x}"));
    let mut t = String::from(
        "metric,path,first_order,first_order_ci95_low,first_order_ci95_high,total,total_ci95_low,total_ci95_high,swing,swing_ci95_low,swing_ci95_high\n",
    );
    for m in &r.metrics {
        for i in &m.indices {
            let s = i.swing.unwrap_or(Estimate::NONE);
            let _ = writeln!(
                t,
                "{},{},{},{},{},{},{},{},{},{},{}",
                text_field(&m.metric),
                text_field(&i.path),
                cell(i.first_order.estimate),
                cell(i.first_order.ci95_low),
                cell(i.first_order.ci95_high),
                cell(i.total.estimate),
                cell(i.total.ci95_low),
                cell(i.total.ci95_high),
                cell(s.estimate),
                cell(s.ci95_low),
                cell(s.ci95_high)
            );
        }
    }
    t
}

pub(crate) fn sensitivity(a: &SensitivityArgs) -> Result<(), Fail> {
    let json_to = a.json.json.as_deref();
    let csv_to = a.csv.as_deref();
    let plots = a.plots.as_deref().map(|path| Output {
        flag: "--plots",
        path,
        kind: Kind::Dir(None),
    });
    let outputs: Vec<_> = [
        file_or_dash("--json", json_to),
        file_or_dash("--csv", csv_to),
        plots,
    ]
    .into_iter()
    .flatten()
    .chain(output::report_output(&a.report))
    .collect();
    let inputs = scenario_inputs(&a.scenario);
    output::check(&outputs, &inputs)?;
    if cfg!(not(feature = "plots")) && a.plots.is_some() {
        return crate::fail("--plots: this custody-sim was built without the `plots` feature");
    }
    let mut params = a
        .param
        .iter()
        .map(|p| Param::parse(p).map_err(|e| Fail::Msg(format!("--param {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let loaded = load_with(&a.scenario, a.variant.variant.as_deref(), &a.common.set)?;
    let scenario = loaded.scenario;
    // `--param` replaces `[uncertainty]`; its other paths (a posterior's
    // columns included) are held at their medians.
    if params.is_empty() {
        params = uncertain_params(&scenario)?;
    }
    let metrics: Vec<&str> = a.metric.iter().map(String::as_str).collect();
    // The Saltelli design runs N (k + 2) points of one replication each;
    // the tornado runs each parameter at both ends and the base at its
    // medians, `--replications` each.
    let k = params.len() as u64;
    let total = a
        .samples
        .saturating_mul(k + 2)
        .saturating_add((2 * k + 1).saturating_mul(a.replications));
    check_work(
        &scenario,
        total,
        threads(a.common.threads, a.samples),
        a.common.allow_large,
    )?;
    let opts = SobolOptions {
        base_samples: usize::try_from(a.samples).unwrap_or(usize::MAX),
        bootstrap: usize::try_from(a.bootstrap).unwrap_or(usize::MAX),
        seed: a.common.seed,
        threads: threads(a.common.threads, a.samples),
    };
    let r = analyse(&scenario, &params, &metrics, &opts, a.replications)?;
    if let Some(p) = json_to {
        emit_json(&r, p, a.common.quiet)?;
    }
    if let Some(p) = csv_to {
        emit_text(&rows_csv(&r), p, a.common.quiet)?;
    }
    #[cfg(feature = "plots")]
    if let Some(dir) = &a.plots {
        for p in custody_sim::report::plots::write_sensitivity_plots(&r, dir)? {
            crate::output::note(a.common.quiet, &format!("wrote {}", p.display()));
        }
    }
    let to_stdout = json_to.is_some_and(is_dash) || csv_to.is_some_and(is_dash);
    if !a.common.quiet && !to_stdout {
        print(&table(&r))?;
    }
    report(a, &scenario, &r, &loaded.overrides)
}

/// `--report`: the sensitivity analysis's HTML report.
fn report(
    a: &SensitivityArgs,
    scenario: &Scenario,
    r: &SobolResult,
    overrides: &[custody_sim::scenario::Override],
) -> Result<(), Fail> {
    let Some(path) = &a.report.report else {
        return Ok(());
    };
    #[cfg(feature = "plots")]
    let figures = custody_sim::report::plots::sensitivity_figures(r)?;
    #[cfg(not(feature = "plots"))]
    let figures: Vec<output::Figure> = Vec::new();
    let provenance = Provenance::now(a.common.seed, None, output::command_line())
        .detail("base samples", a.samples)
        .detail("bootstrap resamples", a.bootstrap)
        .detail("replications at each end of the tornado", a.replications);
    let rep = Report::sensitivity(r, scenario, overrides);
    output::write_report(path, rep, figures, provenance, a.common.quiet)
}
