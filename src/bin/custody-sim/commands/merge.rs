//! `custody-sim merge`: shard files (of `shard` or `sweep --shard`) into
//! the result of one run or sweep.

use std::path::Path;

use custody_sim::Error;
use custody_sim::montecarlo::{Shard, ShardFile, read_shard_file};
use custody_sim::sweep::SweepShard;

use super::sweep::{emit_sweep, sweep_outputs};
use super::{emit_summary, overrides, plots_available, run_outputs};
use crate::args::{MergeArgs, Outputs};
use crate::output::{self, note};
use crate::{Fail, fail, usage};

/// Describes what ranges a merged shard covers, for an error message.
fn describe(ranges: &[std::ops::Range<u64>]) -> String {
    if ranges.is_empty() {
        return "none".into();
    }
    ranges
        .iter()
        .map(|r| format!("{}..{}", r.start, r.end))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A merge error, naming the file that does not fit (`path`) and the
/// first file, which the others are merged into and compared with (the
/// library's own wording, as in `ShardFile::merge_files`).
fn with_file(path: &Path, first: &Path, e: Error) -> Fail {
    let against = format!(", compared with {}", first.display());
    match e {
        Error::Shard {
            path: None,
            message,
        } => Fail::Lib(Error::Shard {
            path: Some(path.to_path_buf()),
            message: format!("{message}{against}"),
        }),
        Error::Scenario(errs) => Fail::Msg(format!("{}: {errs}{against}", path.display())),
        other => Fail::Lib(other),
    }
}

pub(crate) fn merge(a: &MergeArgs) -> Result<(), Fail> {
    let outs = Outputs {
        json: a.json.clone(),
        csv: a.csv.clone(),
        plots: a.plots.clone(),
    };
    plots_available(&outs)?;
    // The merge's size, from the files' beginnings, before any data is
    // read.
    custody_sim::montecarlo::check_merge(&a.files)?;
    // The kind of the shards decides what --csv names (a folder for runs,
    // a file for sweeps); both are checked before any merging.
    let inputs = &a.files;
    let mut run: Option<Shard> = None;
    let mut sweep: Option<SweepShard> = None;
    let first = &a.files[0];
    for (i, path) in a.files.iter().enumerate() {
        // Each file is parsed once.
        let shard = read_shard_file(path)?;
        if i == 0 {
            match &shard {
                ShardFile::Run(_) => output::check(&run_outputs(&outs), inputs)?,
                ShardFile::Sweep(_) => {
                    output::check(&sweep_outputs(a.json.as_deref(), a.csv.as_deref()), inputs)?
                }
            }
        }
        match shard {
            ShardFile::Run(s) => {
                if sweep.is_some() {
                    return fail(format!(
                        "{}: a run shard among sweep shards",
                        path.display()
                    ));
                }
                match &mut run {
                    None => run = Some(*s),
                    Some(acc) => acc.merge(*s).map_err(|e| with_file(path, first, e))?,
                }
            }
            ShardFile::Sweep(s) => {
                if run.is_some() {
                    return fail(format!(
                        "{}: a sweep shard among run shards",
                        path.display()
                    ));
                }
                match &mut sweep {
                    None => sweep = Some(*s),
                    Some(acc) => acc.merge(*s).map_err(|e| with_file(path, first, e))?,
                }
            }
        }
    }
    if let Some(shard) = run {
        let ranges = shard.ranges();
        let n = shard.replications();
        if !(ranges.len() == 1 && ranges[0].start == 0) {
            return fail(format!(
                "the shards do not cover replications 0..n contiguously: they cover {}",
                describe(&ranges)
            ));
        }
        if let Some(want) = a.replications
            && want != n
        {
            return fail(format!(
                "--replications {want}: the shards cover replications 0..{n}, not 0..{want} (a shard is missing?)"
            ));
        }
        let summary = shard.summary();
        let files = a.files.len();
        let s = if files == 1 { "" } else { "s" };
        note(
            a.quiet,
            &format!("merged {files} shard file{s}: replications 0..{n}"),
        );
        // The variant and the `--set`s that made the scenario travel with
        // the shard.
        let changes = changes(shard.variant(), shard.overrides());
        return emit_summary(
            shard.scenario(),
            &summary,
            &outs,
            shard.variant().map(|(name, _)| name),
            &changes,
            a.quiet,
        );
    }
    let Some(sweep) = sweep else {
        return fail("no shard files");
    };
    if a.plots.is_some() {
        return usage("--plots: charts are drawn for runs, not sweeps");
    }
    if a.replications.is_some() {
        return usage("--replications applies to run shards; sweep shards carry their own count");
    }
    if !sweep.is_complete() {
        return fail(
            "the sweep shards do not cover every cell's replications: some slices K/N are missing",
        );
    }
    emit_sweep(
        &sweep.result(),
        a.json.as_deref(),
        a.csv.as_deref(),
        &changes(sweep.variant(), sweep.overrides()),
        a.quiet,
    )
}

/// The overrides a shard recorded: its variant's (tagged), then the
/// `--set`s.
fn changes(
    variant: Option<(&str, &[(String, String)])>,
    sets: &[(String, String)],
) -> Vec<custody_sim::report::Override> {
    let mut out = Vec::new();
    if let Some((name, own)) = variant {
        out.extend(
            own.iter()
                .map(|(p, v)| custody_sim::report::Override::from_variant(name, p, v)),
        );
    }
    out.extend(overrides(sets));
    out
}
