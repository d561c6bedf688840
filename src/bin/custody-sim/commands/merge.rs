//! `custody-sim merge`: shard files (of `shard`, `sweep --shard`,
//! `sensitivity --shard` or `calibrate --shard`) into the result of one
//! run, sweep or sensitivity design, or a calibration's next state.

use custody_sim::calibrate::{AbcShard, AbcState};
use custody_sim::decide::shard::{DesignResult, SensitivityShard};
use custody_sim::montecarlo::sweep::SweepShard;
use custody_sim::montecarlo::{Shard, ShardFile};

use super::sensitivity::{Held, emit_morris, emit_sobol};
use super::sweep::{emit_sweep, sweep_outputs};
use super::{emit_summary, plots_available, run_outputs};
use crate::args::{MergeArgs, Outputs};
use crate::output::{self, Kind, Output, note};
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

pub(crate) fn merge(a: &MergeArgs) -> Result<(), Fail> {
    let outs = Outputs {
        json: a.json.clone(),
        csv: a.csv.clone(),
        plots: a.plots.clone(),
    };
    plots_available(&outs)?;
    // The library merges: the merge's size first, from the files'
    // beginnings, before any data is read; then each file, parsed once,
    // into the first, naming a file that does not fit. The kind of the
    // first file decides what --csv names (a folder for runs, a file for
    // sweeps): the outputs are checked before any merging.
    let merged = ShardFile::merge_files(&a.files, |first| check_outputs(a, &outs, first))?;
    match merged {
        ShardFile::Run(shard) => merged_run(a, &outs, &shard),
        ShardFile::Sweep(sweep) => merged_sweep(a, &sweep),
        ShardFile::Sensitivity(design) => merged_sensitivity(a, &design),
        ShardFile::Calibration(parts) => merged_calibration(a, &parts),
    }
}

/// Checks the flags and outputs that the kind of the `first` file
/// (read, not yet merged) allows, against every input.
fn check_outputs(a: &MergeArgs, outs: &Outputs, first: &ShardFile) -> Result<(), Fail> {
    let inputs = &a.files;
    if !matches!(first, ShardFile::Calibration(_)) {
        for (flag, given) in [
            ("--state", a.state.is_some()),
            ("--state-out", a.state_out.is_some()),
        ] {
            if given {
                return usage(format!("{flag} applies to calibration shards"));
            }
        }
    }
    match first {
        ShardFile::Run(_) => output::check(&run_outputs(outs), inputs)?,
        ShardFile::Sweep(_) => {
            output::check(&sweep_outputs(a.json.as_deref(), a.csv.as_deref()), inputs)?
        }
        ShardFile::Sensitivity(_) => {
            let mut outs = sweep_outputs(a.json.as_deref(), a.csv.as_deref());
            outs.extend(super::backtest::plots_output(a.plots.as_deref())?);
            output::check(&outs, inputs)?
        }
        ShardFile::Calibration(_) => {
            for (flag, given) in [
                ("--json", a.json.is_some()),
                ("--csv", a.csv.is_some()),
                ("--plots", a.plots.is_some()),
                ("--replications", a.replications.is_some()),
            ] {
                if given {
                    return usage(format!(
                        "{flag}: calibration shards merge into the calibration's next state (--state-out); its posterior is written by calibrate --state"
                    ));
                }
            }
            let Some(out) = &a.state_out else {
                return usage(
                    "calibration shards merge into the calibration's next state: give --state-out FILE",
                );
            };
            let outs = [Output {
                flag: "--state-out",
                path: out,
                kind: Kind::File,
            }];
            let mut ins = inputs.clone();
            ins.extend(a.state.clone());
            output::check(&outs, &ins)?
        }
    }
    Ok(())
}

/// `merged N KIND files` (`file` for one), for the note of a merge.
fn merged_files(a: &MergeArgs, kind: &str) -> String {
    let files = a.files.len();
    let s = if files == 1 { "" } else { "s" };
    format!("merged {files} {kind} file{s}")
}

/// Refuses `--replications` for slices (of `kind`), which carry their
/// own count: `what` they carry.
fn no_replications(a: &MergeArgs, kind: &str, what: &str) -> Result<(), Fail> {
    match a.replications {
        Some(_) => usage(format!(
            "--replications applies to run shards; {kind} shards carry {what}"
        )),
        None => Ok(()),
    }
}

/// Reports the sweep that merged slices make, once they cover every
/// cell's replications.
fn merged_sweep(a: &MergeArgs, sweep: &SweepShard) -> Result<(), Fail> {
    if a.plots.is_some() {
        return usage("--plots: charts are drawn for runs and sensitivity designs, not sweeps");
    }
    no_replications(a, "sweep", "their own count")?;
    if !sweep.is_complete() {
        return fail(
            "the sweep shards do not cover every cell's replications: some slices K/N are missing",
        );
    }
    // The variant and the `--set`s that made the base scenario travel
    // with the slices, into the result.
    emit_sweep(
        &sweep.result(),
        &[],
        a.json.as_deref(),
        a.csv.as_deref(),
        a.quiet,
    )
}

/// Reports the sensitivity analysis that merged slices of its design
/// make, once they cover every model evaluation.
fn merged_sensitivity(a: &MergeArgs, design: &SensitivityShard) -> Result<(), Fail> {
    no_replications(a, "sensitivity", "their own design")?;
    let result = design.result()?;
    note(
        a.quiet,
        &format!(
            "{}: {} model evaluations of {}",
            merged_files(a, "sensitivity shard"),
            design.evaluations(),
            design.scenario_name()
        ),
    );
    // What the design held, as one process reports it (JSON `held`, the
    // line after the table).
    let (names, line) = design.held();
    let held = Held::recorded(names, line);
    match result {
        DesignResult::Sobol(r) => emit_sobol(
            &r,
            &held.json(&r),
            a.json.as_deref(),
            a.csv.as_deref(),
            a.plots.as_deref(),
            a.quiet,
        )?,
        DesignResult::Morris(r) => emit_morris(
            &r,
            &held.json(&r),
            a.json.as_deref(),
            a.csv.as_deref(),
            a.plots.as_deref(),
            a.quiet,
        )?,
    }
    held.print(a.quiet, a.json.as_deref(), a.csv.as_deref())
}

/// Writes the next state of the calibration whose batch the merged
/// slices cover.
fn merged_calibration(a: &MergeArgs, parts: &AbcShard) -> Result<(), Fail> {
    let Some(out) = &a.state_out else {
        return usage("give --state-out FILE");
    };
    let start = parts.start_state();
    let state = match &a.state {
        Some(file) => {
            let state = AbcState::read(file)?;
            let sha = state.sha256();
            if parts.state_sha256() != sha {
                return Err(custody_sim::Error::Shard {
                    path: Some(file.clone()),
                    message: format!(
                        "the calibration shards continue the state with SHA-256 {}, but this state's is {sha} (the state of another round or calibration?)",
                        parts.state_sha256()
                    ),
                }
                .into());
            }
            state
        }
        None if parts.state_sha256() == start.sha256() => start,
        None => {
            return usage(format!(
                "--state: the calibration shards continue a calibration under way (the state with SHA-256 {}): give that state with --state FILE",
                parts.state_sha256()
            ));
        }
    };
    let (generation, attempts) = parts.batch();
    let next = parts.advance(&state)?;
    next.write(out)?;
    let then = match next.pending() {
        Some((g, r)) => format!(
            "next: generation {g}, attempts {}..{} (calibrate --shard K/N --state {})",
            r.start,
            r.end,
            out.display()
        ),
        None => format!(
            "the calibration has finished: write its posterior with calibrate --state {}",
            out.display()
        ),
    };
    note(
        a.quiet,
        &format!(
            "{} of {}: generation {generation}, attempts {}..{}, {} simulations in all; wrote {}\n{then}",
            merged_files(a, "calibration shard"),
            next.scenario_name(),
            attempts.start,
            attempts.end,
            next.simulations(),
            out.display()
        ),
    );
    Ok(())
}

/// Reports the run that merged shards make, once they cover
/// replications `0..n` (and `--replications`, if given).
fn merged_run(a: &MergeArgs, outs: &Outputs, shard: &Shard) -> Result<(), Fail> {
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
    note(
        a.quiet,
        &format!("{}: replications 0..{n}", merged_files(a, "shard")),
    );
    // The variant and the `--set`s that made the scenario travel with the
    // shard, into its summary.
    let answers = custody_sim::report::answers::Answers::new(shard.scenario(), &summary);
    emit_summary(shard.scenario(), &summary, &answers, outs, a.quiet)
}
