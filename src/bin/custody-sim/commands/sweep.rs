//! `custody-sim sweep`: a grid over parameter paths, with paired
//! differences to the first cell; whole, or one slice into a shard file.

use std::path::Path;

use custody_sim::Scenario;
use custody_sim::montecarlo::Runs;
use custody_sim::report::html::{Provenance, Report};
use custody_sim::report::{csv, json, table};
use custody_sim::sweep::{SweepResult, Vary, sweep_shard};

use super::{check_work, chosen_metrics, load_with, scenario_inputs, threads};
use crate::args::{MAX_CELLS, MAX_SWEEP_WORK, SweepArgs};
use crate::output::{self, Bar, Kind, Output, closed, is_dash, note, print};
use crate::{Fail, usage};

/// The number of cells of a grid, refusing grids too large to run.
fn grid_cells(vary: &[Vary], replications: u64) -> Result<u64, Fail> {
    let mut cells: u64 = 1;
    for (i, v) in vary.iter().enumerate() {
        if vary[..i].iter().any(|w| w.path == v.path) {
            return crate::fail(format!("--vary {}: the same path varied twice", v.path));
        }
        cells = cells.saturating_mul(v.values.len() as u64);
    }
    if cells > MAX_CELLS {
        return crate::fail(format!(
            "--vary: a grid of {cells} cells is more than the {MAX_CELLS} allowed"
        ));
    }
    if cells.saturating_mul(replications) > MAX_SWEEP_WORK {
        return crate::fail(format!(
            "--vary: {cells} cells × {replications} replications is more than the {MAX_SWEEP_WORK} allowed"
        ));
    }
    Ok(cells)
}

/// The outputs of a sweep (or a merge of sweep shards).
pub(crate) fn sweep_outputs<'a>(
    json_to: Option<&'a Path>,
    csv_to: Option<&'a Path>,
) -> Vec<Output<'a>> {
    let mut v = Vec::new();
    if let Some(p) = json_to {
        v.push(Output {
            flag: "--json",
            path: p,
            kind: Kind::FileOrDash,
        });
    }
    if let Some(p) = csv_to {
        v.push(Output {
            flag: "--csv",
            path: p,
            kind: Kind::FileOrDash,
        });
    }
    v
}

/// Writes a sweep's outputs and prints its table of `metrics` (all the
/// sweep table's own when empty) unless quiet or an output goes to
/// standard output.
pub(crate) fn emit_sweep(
    r: &SweepResult,
    metrics: &[&str],
    json_to: Option<&Path>,
    csv_to: Option<&Path>,
    quiet: bool,
) -> Result<(), Fail> {
    if let Some(path) = json_to {
        let doc = json::SweepDocument { result: r };
        json::write_json(&doc, path).map_err(closed)?;
        if !is_dash(path) {
            note(quiet, &format!("wrote {}", path.display()));
        }
    }
    if let Some(path) = csv_to {
        csv::write_sweep_csv(r, path).map_err(closed)?;
        if !is_dash(path) {
            note(quiet, &format!("wrote {}", path.display()));
        }
    }
    let to_stdout = json_to.is_some_and(is_dash) || csv_to.is_some_and(is_dash);
    if !quiet && !to_stdout {
        print(&table::sweep_table_of(r, metrics))?;
    }
    Ok(())
}

pub(crate) fn sweep(a: &SweepArgs) -> Result<(), Fail> {
    let cells = grid_cells(&a.vary, a.replications)?;
    let inputs = scenario_inputs(&a.scenario);
    let mut outputs = sweep_outputs(a.json.as_deref(), a.csv.as_deref());
    if let Some(out) = &a.out {
        outputs.push(Output {
            flag: "--out",
            path: out,
            kind: Kind::File,
        });
    }
    if let Some(path) = &a.plots {
        outputs.push(Output {
            flag: "--plots",
            path,
            kind: Kind::Dir(None),
        });
        if cfg!(not(feature = "plots")) {
            return crate::fail("--plots: this custody-sim was built without the `plots` feature");
        }
    }
    outputs.extend(output::report_output(&a.report));
    output::check(&outputs, &inputs)?;
    let threads = threads(a.common.threads, a.replications);
    let loaded = load_with(&a.scenario, a.variant.variant.as_deref(), &a.common.set)?;
    let base = loaded.scenario;
    // The `--metric`s, checked before any work, or the capacity answers.
    let chosen = chosen_metrics(&a.metric, &[&base])?;
    let metrics: Vec<&str> = chosen.iter().map(String::as_str).collect();
    let (k, n) = a.shard.map_or((0, 1), |(k, n)| (k - 1, n));
    let work = cells * a.replications;
    let slice = work * (k + 1) / n - work * k / n;
    if slice == 0 {
        return usage(format!(
            "--shard {}/{n}: this slice holds no work ({work} replications in all over {n} slices)",
            k + 1
        ));
    }
    let runs = Runs {
        replications: a.replications,
        seed: a.common.seed,
        threads,
    };
    // The slice's work, estimated on the base scenario (a cell keeps no
    // daily series, so the memory figure is an upper bound).
    check_work(&base, slice, threads, a.common.allow_large)?;
    let bar = Bar::new(slice, a.common.quiet);
    let shard = sweep_shard(&base, &a.vary, &runs, k, n, Some(&|_, _| bar.tick()));
    bar.finish();
    // The slice records the variant and the `--set`s that made the base
    // scenario (see `Scenario::applied`).
    let shard = shard?;
    if let Some(out) = &a.out {
        shard.write(out)?;
        note(a.common.quiet, &format!("wrote {}", out.display()));
        return Ok(());
    }
    let result = shard.result();
    #[cfg(feature = "plots")]
    if let Some(dir) = &a.plots {
        for p in custody_sim::report::plots::write_sweep_plots(&result, &metrics, dir)? {
            note(a.common.quiet, &format!("wrote {}", p.display()));
        }
    }
    emit_sweep(
        &result,
        &metrics,
        a.json.as_deref(),
        a.csv.as_deref(),
        a.common.quiet,
    )?;
    report(a, &base, &result, &metrics)
}

/// `--report`: the sweep's HTML report.
fn report(
    a: &SweepArgs,
    base: &Scenario,
    result: &SweepResult,
    metrics: &[&str],
) -> Result<(), Fail> {
    let Some(path) = &a.report.report else {
        return Ok(());
    };
    #[cfg(feature = "plots")]
    let figures = custody_sim::report::plots::sweep_figures(result, metrics)?;
    #[cfg(not(feature = "plots"))]
    let figures: Vec<output::Figure> = Vec::new();
    let provenance = Provenance::now(a.common.seed, Some(a.replications), output::command_line())
        .detail("cells (the replications are per cell)", result.cells.len());
    let r = Report::sweep_of(base, result, metrics);
    output::write_report(path, r, figures, provenance, a.common.quiet)
}
