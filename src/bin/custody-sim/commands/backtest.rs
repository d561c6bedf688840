//! `custody-sim backtest`: how well a scenario's bands cover what was
//! observed.

use std::fmt::Write as _;
use std::path::Path;

use custody_sim::Scenario;
use custody_sim::calibrate::{Backtest, BacktestFans, Observations, backtest_fans};
use custody_sim::report::csv::text_cell;
use custody_sim::report::html::{Provenance, Report};

use super::{check_work, emit_json, emit_text, file_or_dash, load_with, scenario_inputs, threads};
use crate::Fail;
use crate::args::BacktestArgs;
use crate::output::{self, Kind, Output, is_dash, print};

/// The rows as CSV, with a header.
fn rows_csv(b: &Backtest) -> Result<String, Fail> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in &b.rows {
        let mut r = r.clone();
        r.series = text_cell(&r.series).into_owned();
        w.serialize(&r)
            .map_err(|e| Fail::Msg(format!("cannot write the CSV: {e}")))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Fail::Msg(format!("cannot write the CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Fail::Msg(format!("cannot write the CSV: {e}")))
}

/// The table: one line per observation, then the totals.
fn table(b: &Backtest) -> String {
    let mut t = format!(
        "{:<10}  {:<28} {:>10} {:>10} {:>10} {:>10}  {:<6} {:>5} {:>10}\n",
        "date", "series", "value", "p5", "p50", "p95", "inside", "PIT", "int.score"
    );
    for r in &b.rows {
        let _ = writeln!(
            t,
            "{:<10}  {:<28} {:>10.1} {:>10.1} {:>10.1} {:>10.1}  {:<6} {:>5.2} {:>10.1}",
            r.date,
            r.series,
            r.value,
            r.p5,
            r.p50,
            r.p95,
            if r.inside { "yes" } else { "no" },
            r.pit,
            r.interval_score
        );
    }
    let _ = writeln!(
        t,
        "\ncoverage of [p5, p95]: {:.3} (nominal 0.90) · mean interval score: {:.2} · CRPS: {:.2}",
        b.coverage, b.mean_interval_score, b.crps
    );
    t
}

pub(crate) fn backtest(a: &BacktestArgs) -> Result<(), Fail> {
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
    let mut inputs = scenario_inputs(&a.scenario);
    inputs.push(a.observed.clone());
    output::check(&outputs, &inputs)?;
    if a.replications < 2 {
        return crate::usage("--replications: a backtest needs at least 2");
    }
    let loaded = load_with(&a.scenario, a.variant.variant.as_deref(), &a.common.set)?;
    let scenario = loaded.scenario;
    let obs = Observations::from_path(&a.observed, &scenario)?;
    let threads = threads(a.common.threads, a.replications);
    check_work(&scenario, a.replications, threads, a.common.allow_large)?;
    let fans = backtest_fans(&scenario, &obs, a.replications, a.common.seed, threads)?;
    let b = &fans.backtest;
    if let Some(p) = json_to {
        emit_json(b, p, a.common.quiet)?;
    }
    if let Some(p) = csv_to {
        emit_text(&rows_csv(b)?, p, a.common.quiet)?;
    }
    let to_stdout = json_to.is_some_and(is_dash) || csv_to.is_some_and(is_dash);
    if !a.common.quiet && !to_stdout {
        print(&table(b))?;
    }
    #[cfg(feature = "plots")]
    draw_plots(a.plots.as_deref(), a.common.quiet, |dir| {
        custody_sim::report::plots::write_backtest_plots(&scenario, &obs, &fans, dir)
    })?;
    report(a, &scenario, &obs, &fans, &loaded.overrides)
}

/// `--plots DIR` as an output, to check against the inputs; refused
/// where this build cannot draw.
pub(crate) fn plots_output(dir: Option<&Path>) -> Result<Option<Output<'_>>, Fail> {
    if cfg!(not(feature = "plots")) && dir.is_some() {
        return Err(Fail::Msg(
            "--plots: this custody-sim was built without the `plots` feature".into(),
        ));
    }
    Ok(dir.map(|path| Output {
        flag: "--plots",
        path,
        kind: Kind::Dir(None),
    }))
}

/// Draws the charts of `--plots DIR` with `draw`, noting the files.
#[cfg(feature = "plots")]
pub(crate) fn draw_plots(
    dir: Option<&Path>,
    quiet: bool,
    draw: impl FnOnce(&Path) -> Result<Vec<std::path::PathBuf>, custody_sim::Error>,
) -> Result<(), Fail> {
    let Some(dir) = dir else { return Ok(()) };
    let files = draw(dir)?;
    for p in files.iter().take(12) {
        output::note(quiet, &format!("wrote {}", p.display()));
    }
    if files.len() > 12 {
        let more = files.len() - 12;
        output::note(
            quiet,
            &format!("\u{2026} and {more} more charts in {}", dir.display()),
        );
    }
    Ok(())
}

/// `--report`: the backtest's HTML report.
fn report(
    a: &BacktestArgs,
    scenario: &Scenario,
    obs: &Observations,
    fans: &BacktestFans,
    overrides: &[custody_sim::scenario::Override],
) -> Result<(), Fail> {
    let Some(path) = &a.report.report else {
        return Ok(());
    };
    let b = &fans.backtest;
    #[cfg(feature = "plots")]
    let figures = custody_sim::report::plots::backtest_figures(scenario, obs, fans)?;
    #[cfg(not(feature = "plots"))]
    let figures: Vec<output::Figure> = {
        let _ = obs;
        Vec::new()
    };
    let provenance = Provenance::now(a.common.seed, Some(a.replications), output::command_line())
        .detail("observations", a.observed.display());
    let r = Report::backtest(b, scenario, overrides);
    output::write_report(path, r, figures, provenance, a.common.quiet)
}
