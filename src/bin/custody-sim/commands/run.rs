//! `custody-sim run`: replications of a scenario, summarised.

use custody_sim::montecarlo::{Runs, Summary, run_plan};
use custody_sim::report::answers::{Answers, Relief};
use custody_sim::report::drivers::Drivers;
use custody_sim::report::html::{Provenance, Report};
use custody_sim::{Plan, Scenario};

use super::{
    check_work, emit_summary, load_with, plots_available, run_outputs, scenario_inputs, threads,
};
use crate::Fail;
use crate::args::RunArgs;
use crate::output::{self, Bar};

pub(crate) fn run(a: &RunArgs) -> Result<(), Fail> {
    plots_available(&a.out)?;
    let inputs = scenario_inputs(&a.scenario);
    let mut outputs = run_outputs(&a.out);
    outputs.extend(output::report_output(&a.report));
    output::check(&outputs, &inputs)?;
    let threads = threads(a.common.threads, a.replications);
    let loaded = load_with(&a.scenario, a.variant.as_deref(), &a.common.set)?;
    let scenario = loaded.scenario;
    let plan = Plan::new(&scenario)?;
    // `--drivers N`: N (k + 2) more replications, refused before any work
    // for a scenario that has no parameters to rank.
    let driver_runs = match a.drivers {
        Some(n) => {
            let k = custody_sim::report::drivers::ranked(&scenario)?.0.len() as u64;
            n.saturating_mul(k + 2)
        }
        None => 0,
    };
    check_work(
        &scenario,
        work(a.replications, driver_runs, a.relief),
        threads,
        a.common.allow_large,
    )?;
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
    let mut answers = Answers::new(&scenario, &summary);
    if a.relief {
        // The same replications without repatriation, paired.
        let runs = Runs {
            replications: a.replications,
            seed: a.common.seed,
            threads,
        };
        answers = answers.with_relief(Relief::new(&scenario, &runs)?);
    }
    if let Some(n) = a.drivers {
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        answers = answers.with_drivers(Drivers::compute(&scenario, n, a.common.seed, threads, 3)?);
    }
    emit_summary(&scenario, &summary, &answers, &a.out, a.common.quiet)?;
    report(a, &scenario, &summary, &answers)
}

/// The replications a run does in all, for the work estimate: the run's,
/// `--drivers`' design (`driver_runs`) and, with `--relief`, its two runs
/// of the same replications (the scenario without repatriation and as
/// given, paired: [`Relief::new`]).
fn work(replications: u64, driver_runs: u64, relief: bool) -> u64 {
    let relief_runs = if relief {
        replications.saturating_mul(2)
    } else {
        0
    };
    replications
        .saturating_add(driver_runs)
        .saturating_add(relief_runs)
}

/// `--report`: the run's HTML report.
fn report(
    a: &RunArgs,
    scenario: &Scenario,
    summary: &Summary,
    answers: &Answers,
) -> Result<(), Fail> {
    let Some(path) = &a.report.report else {
        return Ok(());
    };
    #[cfg(feature = "plots")]
    let figures = custody_sim::report::plots::run_figures(scenario, summary)?;
    #[cfg(not(feature = "plots"))]
    let figures: Vec<output::Figure> = Vec::new();
    let provenance = Provenance::now(a.common.seed, Some(a.replications), output::command_line());
    let mut r = Report::run(scenario, summary);
    if let Some(relief) = &answers.relief {
        r = r.relief(relief);
    }
    if let Some(drivers) = &answers.drivers {
        r = r.drivers(drivers);
    }
    output::write_report(path, r, figures, provenance, a.common.quiet)
}

#[cfg(test)]
mod tests {
    use super::work;

    #[test]
    fn relief_and_drivers_are_counted_in_the_work() {
        assert_eq!(work(1000, 0, false), 1000);
        // --relief runs the replications twice more.
        assert_eq!(work(1000, 0, true), 3000);
        assert_eq!(work(1000, 640, true), 3640);
        assert_eq!(work(u64::MAX, 1, true), u64::MAX);
    }
}
