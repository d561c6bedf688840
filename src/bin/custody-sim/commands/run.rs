//! `custody-sim run`: replications of a scenario, summarised.

use custody_sim::Plan;
use custody_sim::montecarlo::{Runs, estimate, run_plan};

use super::{
    check_estimate, emit_summary, load_with, plots_available, run_outputs, scenario_file, threads,
};
use crate::Fail;
use crate::args::RunArgs;
use crate::output::{self, Bar};

pub(crate) fn run(a: &RunArgs) -> Result<(), Fail> {
    plots_available(&a.out)?;
    let inputs: Vec<&std::path::Path> = scenario_file(&a.scenario).into_iter().collect();
    output::check(&run_outputs(&a.out), &inputs)?;
    let threads = threads(a.common.threads, a.replications);
    let loaded = load_with(&a.scenario, a.variant.as_deref(), &a.common.set)?;
    let scenario = loaded.scenario;
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
        loaded.variant.as_deref(),
        &loaded.overrides,
        a.common.quiet,
    )
}
