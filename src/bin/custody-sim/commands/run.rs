//! `custody-sim run`: replications of a scenario, summarised.

use custody_sim::montecarlo::{Runs, Summary, estimate, run_plan};
use custody_sim::report::html::{Provenance, Report};
use custody_sim::{Plan, Scenario};

use super::{
    check_estimate, emit_summary, load, overrides, plots_available, run_outputs, scenario_file,
    threads,
};
use crate::Fail;
use crate::args::RunArgs;
use crate::output::{self, Bar};

pub(crate) fn run(a: &RunArgs) -> Result<(), Fail> {
    plots_available(&a.out)?;
    let inputs: Vec<&std::path::Path> = scenario_file(&a.scenario).into_iter().collect();
    let mut outputs = run_outputs(&a.out);
    outputs.extend(output::report_output(&a.report));
    output::check(&outputs, &inputs)?;
    let threads = threads(a.common.threads, a.replications);
    let scenario = load(&a.scenario, &a.common.set)?;
    let plan = Plan::new(&scenario)?;
    let runs = Runs {
        replications: a.replications,
        seed: a.common.seed,
        threads,
    };
    check_estimate(&estimate(&plan, &runs), a.common.allow_large)?;
    let bar = Bar::new(a.replications, a.common.quiet);
    let shard = run_plan(
        &plan,
        a.common.seed,
        0..a.replications,
        threads,
        Some(&|_, _| bar.tick()),
    );
    bar.finish();
    let summary = shard?.summary();
    emit_summary(
        &scenario,
        &summary,
        &a.out,
        &overrides(&a.common.set),
        a.common.quiet,
    )?;
    report(a, &scenario, &summary)
}

/// `--report`: the run's HTML report.
fn report(a: &RunArgs, scenario: &Scenario, summary: &Summary) -> Result<(), Fail> {
    let Some(path) = &a.report.report else {
        return Ok(());
    };
    let sets = overrides(&a.common.set);
    #[cfg(feature = "plots")]
    let figures = custody_sim::report::plots::run_figures(scenario, summary, &sets)?;
    #[cfg(not(feature = "plots"))]
    let figures: Vec<output::Figure> = Vec::new();
    let variant = None; // the variant's name, once `run --variant` lands
    let provenance = Provenance::now(a.common.seed, Some(a.replications), output::command_line());
    let r = Report::run(scenario, summary, &sets, variant);
    output::write_report(path, r, figures, provenance, a.common.quiet)
}
