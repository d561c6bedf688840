//! `custody-sim solve`: the smallest (or largest) value of a parameter at
//! which a target on a metric's statistic is met, by bisection on common
//! random numbers.

use custody_sim::Runs;
use custody_sim::decide::{Find, Lever, Target, solve as search};
use custody_sim::report::table::solution_table;

use super::{check_work, emit_json, file_or_dash, load_with, scenario_inputs, threads};
use crate::args::SolveArgs;
use crate::output::{self, is_dash, print};
use crate::{Fail, fail};

/// The most values a bisection over `lever` tries: both ends, one per
/// halving of the range in steps (1, or the tolerance), and the answer's
/// neighbours.
fn search_runs(lever: &Lever) -> u64 {
    let step = lever.tolerance.filter(|t| *t > 0.0).unwrap_or(1.0);
    let steps = ((lever.high - lever.low).abs() / step).max(1.0);
    let halvings = if steps.is_finite() {
        steps.log2().ceil() as u64
    } else {
        64
    };
    halvings + 4
}

pub(crate) fn solve(a: &SolveArgs) -> Result<(), Fail> {
    let json_to = a.json.json.as_deref();
    let outputs: Vec<_> = file_or_dash("--json", json_to).into_iter().collect();
    let inputs = scenario_inputs(&a.scenario);
    output::check(&outputs, &inputs)?;
    let find = if a.largest {
        Find::Largest
    } else {
        Find::Smallest
    };
    let mut lever = Lever::parse(&a.vary, find).map_err(|e| Fail::Msg(format!("--vary {e}")))?;
    if let Some(tol) = a.tolerance {
        if !(tol.is_finite() && tol > 0.0) {
            return fail(format!("--tolerance {tol}: must be a positive number"));
        }
        lever.tolerance = Some(tol);
    }
    let target = Target::parse(&a.target).map_err(|e| Fail::Msg(e.to_string()))?;
    let loaded = load_with(&a.scenario, a.variant.variant.as_deref(), &a.common.set)?;
    let scenario = loaded.scenario;
    let runs = Runs {
        replications: a.replications,
        seed: a.common.seed,
        threads: threads(a.common.threads, a.replications),
    };
    check_work(
        &scenario,
        search_runs(&lever).saturating_mul(a.replications),
        runs.threads,
        a.common.allow_large,
    )?;
    let s = search(&scenario, &lever, &target, &runs)?;
    if let Some(p) = json_to {
        emit_json(&s, p, a.common.quiet)?;
    }
    if !a.common.quiet && !json_to.is_some_and(is_dash) {
        print(&solution_table(&s))?;
    }
    Ok(())
}
