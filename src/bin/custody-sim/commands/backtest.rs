//! `custody-sim backtest`: how well a scenario's bands cover what was
//! observed.

use std::path::Path;

use custody_sim::Scenario;
use custody_sim::calibrate::{BacktestFans, Observations, backtest_fans};
use custody_sim::report::csv::backtest_csv;
use custody_sim::report::html::{Provenance, Report};
use custody_sim::report::table::backtest_table;

use super::{check_work, emit_json, emit_text, file_or_dash, load_with, scenario_inputs, threads};
use crate::Fail;
use crate::args::BacktestArgs;
use crate::output::{self, Kind, Output, is_dash, print};

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
        let text = backtest_csv(b).map_err(|e| Fail::Msg(format!("cannot write the CSV: {e}")))?;
        emit_text(&text, p, a.common.quiet)?;
    }
    let to_stdout = json_to.is_some_and(is_dash) || csv_to.is_some_and(is_dash);
    if !a.common.quiet && !to_stdout {
        print(&backtest_table(b))?;
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
