//! `custody-sim shard`: replications FROM..TO into a shard file.

use custody_sim::Plan;
use custody_sim::montecarlo::run_plan;

use super::{check_work, load_with, scenario_inputs, threads};

use crate::args::{MAX_REPLICATIONS, ShardArgs};
use crate::output::{self, Bar, Kind, Output, note};
use crate::{Fail, usage};

pub(crate) fn shard(a: &ShardArgs) -> Result<(), Fail> {
    if a.to <= a.from {
        return usage(format!(
            "--from {} --to {}: --to must be greater than --from",
            a.from, a.to
        ));
    }
    let n = a.to - a.from;
    if n > MAX_REPLICATIONS {
        return usage(format!(
            "--from {} --to {}: at most {MAX_REPLICATIONS} replications in one shard, got {n}",
            a.from, a.to
        ));
    }
    let inputs = scenario_inputs(&a.scenario);
    output::check(
        &[Output {
            flag: "--out",
            path: &a.out,
            kind: Kind::File,
        }],
        &inputs,
    )?;
    let threads = threads(a.common.threads, n);
    let loaded = load_with(&a.scenario, a.variant.as_deref(), &a.common.set)?;
    let scenario = loaded.scenario;
    let plan = Plan::new(&scenario)?;
    check_work(&scenario, n, threads, a.common.allow_large)?;
    let bar = Bar::new(n, a.common.quiet);
    let shard = run_plan(
        &plan,
        a.common.seed,
        a.from..a.to,
        threads,
        Some(&|_, _| bar.tick()),
    );
    bar.finish();
    // The shard records the variant and the `--set`s that made the
    // scenario (see `Scenario::applied`), so that merged shards report
    // them as one run would.
    let shard = shard?;
    shard.write(&a.out)?;
    note(
        a.common.quiet,
        &format!(
            "wrote {} (replications {}..{})",
            a.out.display(),
            a.from,
            a.to
        ),
    );
    Ok(())
}
