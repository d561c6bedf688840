//! `custody-sim sensitivity`: first-order and total Sobol indices, with
//! bootstrap intervals, and tornado swings of metrics over uncertain
//! parameters: those of `--param`, else the scenario's `[uncertainty]`;
//! with `--method morris`, Morris elementary effects instead; with
//! `--region`, regional sensitivity on a threshold.
//!
//! Without `--param`, the factors are the scenario's independent
//! `[uncertainty]` parameters and a `posterior` file's columns are held at
//! their weighted medians (the rule of [`custody_sim::decide::params`],
//! shared with `run --drivers`); the table, the JSON (`held`) and the
//! report say which columns were held.

use custody_sim::Scenario;
use custody_sim::decide::shard::{Method, sensitivity_shard};
use custody_sim::decide::{
    Condition, Group, MorrisOptions, MorrisResult, RegionalResult, SobolOptions, SobolResult,
    morris_model, parse_group, parse_param, regional, sensitivity as analyse, uncertain_params,
};
use custody_sim::decide::{at_medians, held_columns, held_note};
use custody_sim::report::csv::{morris_csv, regional_csv, sensitivity_csv};
use custody_sim::report::html::{Provenance, Report, Table, TableCell};
use custody_sim::report::table::{morris_table, regional_table, sensitivity_table};
use custody_sim::scenario::ParamDist;
use serde::Serialize;
use std::path::Path;

use super::{check_work, emit_json, emit_text, file_or_dash, load_with, scenario_inputs, threads};
use crate::Fail;
use crate::args::{SensitivityArgs, SensitivityMethod};
use crate::output::{self, Kind, Output, is_dash, print};

pub(crate) fn sensitivity(a: &SensitivityArgs) -> Result<(), Fail> {
    if let (Some(slice), Some(out)) = (a.shard, &a.out) {
        return shard(a, slice, out);
    }
    let json_to = a.json.json.as_deref();
    let csv_to = a.csv.as_deref();
    let plots = a.plots.as_deref().map(|path| Output {
        flag: "--plots",
        path,
        kind: Kind::Dir(None),
    });
    let outputs: Vec<_> = [
        file_or_dash("--json", json_to),
        file_or_dash("--csv", csv_to),
        plots,
    ]
    .into_iter()
    .flatten()
    .chain(output::report_output(&a.report))
    .collect();
    let inputs = scenario_inputs(&a.scenario);
    output::check(&outputs, &inputs)?;
    if cfg!(not(feature = "plots")) && a.plots.is_some() {
        return crate::fail("--plots: this custody-sim was built without the `plots` feature");
    }
    let mut params = a
        .param
        .iter()
        .map(|p| parse_param(p).map_err(|e| Fail::Msg(format!("--param {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let loaded = load_with(&a.scenario, a.variant.variant.as_deref(), &a.common.set)?;
    let scenario = loaded.scenario;
    // `--param` replaces `[uncertainty]`; its other paths (a posterior's
    // columns included) are held at their medians.
    if params.is_empty() {
        params = uncertain_params(&scenario)?;
    }
    let held = Held::of(&scenario, &params);
    if let Some(c) = &a.region {
        return region(a, &scenario, &params, c, &loaded.overrides, &held);
    }
    let metrics: Vec<&str> = a.metric.iter().map(String::as_str).collect();
    let groups = a
        .group
        .iter()
        .map(|g| parse_group(g).map_err(|e| Fail::Msg(format!("--group {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    if a.method == SensitivityMethod::Morris {
        return morris(
            a,
            &scenario,
            &params,
            &groups,
            &metrics,
            &loaded.overrides,
            &held,
        );
    }
    // The Saltelli design runs N (G + 2) points of one replication each
    // (N (2G + 2) with second-order indices), G the factors: groups and
    // parameters in no group; the tornado runs each parameter at both
    // ends and the base at its medians, `--replications` each.
    let k = params.len() as u64;
    let in_groups: u64 = groups.iter().map(|g| g.paths.len() as u64).sum();
    let g = k.saturating_sub(in_groups) + groups.len() as u64;
    let per_row = 2 + g * if a.second_order { 2 } else { 1 };
    let total = a
        .samples
        .saturating_mul(per_row)
        .saturating_add((2 * k + 1).saturating_mul(a.replications));
    check_work(
        &scenario,
        total,
        threads(a.common.threads, a.samples),
        a.common.allow_large,
    )?;
    let opts = SobolOptions {
        base_samples: usize::try_from(a.samples).unwrap_or(usize::MAX),
        bootstrap: usize::try_from(a.bootstrap).unwrap_or(usize::MAX),
        seed: a.common.seed,
        threads: threads(a.common.threads, a.samples),
        groups,
        dummy: a.dummy,
        second_order: a.second_order,
    };
    let r = analyse(&scenario, &params, &metrics, &opts, a.replications)?;
    let json = held.json(&r);
    emit(
        &r,
        &json,
        json_to,
        csv_to,
        a.plots.as_deref(),
        a.common.quiet,
    )?;
    held.print(a.common.quiet, json_to, csv_to)?;
    report(a, &scenario, &r, &loaded.overrides, &held)
}

/// The `posterior` columns an analysis holds at their weighted medians
/// ([`custody_sim::decide::held_columns`]), their medians, and the line
/// saying so ([`custody_sim::decide::held_note`]); empty when none.
#[derive(Debug, Default)]
pub(crate) struct Held {
    /// The columns, in the posterior file's order.
    names: Vec<String>,
    /// Their medians, as the scenario writes them.
    medians: Vec<String>,
    line: Option<String>,
}

/// An analysis's JSON with the held columns added (`"held": [...]`,
/// after the analysis's own fields; absent when none is held).
#[derive(Serialize)]
pub(crate) struct WithHeld<'a, T: Serialize> {
    #[serde(flatten)]
    result: &'a T,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    held: &'a [String],
}

impl Held {
    /// What a merged design holds (its shard records it): the columns and
    /// the line, without medians (`merge` writes no report).
    pub(crate) fn recorded(names: &[String], line: Option<&str>) -> Held {
        Held {
            names: names.to_vec(),
            medians: Vec::new(),
            line: line.map(str::to_string),
        }
    }

    fn of(scenario: &Scenario, params: &[ParamDist]) -> Held {
        let Some(line) = held_note(scenario, params) else {
            return Held::default();
        };
        let medians = at_medians(scenario).ok();
        let names = held_columns(scenario, params);
        let medians = names
            .iter()
            .map(|c| {
                medians
                    .as_ref()
                    .and_then(|m| m.param(c).ok())
                    .map_or_else(|| "–".to_string(), |v| v.to_string())
            })
            .collect();
        Held {
            names,
            medians,
            line: Some(line),
        }
    }

    /// `result`'s JSON document, `"held"` added when a column is held.
    pub(crate) fn json<'a, T: Serialize>(&'a self, result: &'a T) -> WithHeld<'a, T> {
        WithHeld {
            result,
            held: &self.names,
        }
    }

    /// The held line after the table, where the table is printed.
    pub(crate) fn print(
        &self,
        quiet: bool,
        json_to: Option<&Path>,
        csv_to: Option<&Path>,
    ) -> Result<(), Fail> {
        let to_stdout = json_to.is_some_and(is_dash) || csv_to.is_some_and(is_dash);
        match &self.line {
            Some(line) if !quiet && !to_stdout => print(&format!("{line}\n")),
            _ => Ok(()),
        }
    }

    /// The report's table of the held columns and their medians.
    fn report(&self, rep: Report) -> Report {
        let Some(line) = &self.line else { return rep };
        let mut t = Table::new(
            "Held at their weighted medians",
            ["posterior column", "median"],
        )
        .note(line.clone());
        for (c, v) in self.names.iter().zip(&self.medians) {
            t = t.row([TableCell::code(c), TableCell::text(v.clone())]);
        }
        rep.table(t)
    }
}

/// `--method morris`: the screening's JSON, CSV, table, charts
/// (`--plots`) and HTML report (no tornado).
fn morris(
    a: &SensitivityArgs,
    scenario: &Scenario,
    params: &[ParamDist],
    groups: &[Group],
    metrics: &[&str],
    overrides: &[custody_sim::scenario::Override],
    held: &Held,
) -> Result<(), Fail> {
    for (flag, given) in [("--dummy", a.dummy), ("--second-order", a.second_order)] {
        if given {
            return crate::fail(format!(
                "{flag}: a Sobol analysis's option; Morris screening has no dummy or second-order indices (use --method sobol)"
            ));
        }
    }
    // r trajectories of G + 1 points, one replication each (G: groups
    // and parameters in no group).
    let in_groups: u64 = groups.iter().map(|g| g.paths.len() as u64).sum();
    let g = (params.len() as u64).saturating_sub(in_groups) + groups.len() as u64;
    let total = a.trajectories.saturating_mul(g + 1);
    let threads = threads(a.common.threads, a.trajectories);
    check_work(scenario, total, threads, a.common.allow_large)?;
    let opts = MorrisOptions {
        trajectories: usize::try_from(a.trajectories).unwrap_or(usize::MAX),
        levels: usize::try_from(a.levels).unwrap_or(usize::MAX),
        seed: a.common.seed,
        threads,
        groups: groups.to_vec(),
    };
    let r = morris_model(scenario, params, metrics, &opts)?;
    let json = held.json(&r);
    emit(
        &r,
        &json,
        a.json.json.as_deref(),
        a.csv.as_deref(),
        a.plots.as_deref(),
        a.common.quiet,
    )?;
    held.print(a.common.quiet, a.json.json.as_deref(), a.csv.as_deref())?;
    let Some(path) = &a.report.report else {
        return Ok(());
    };
    #[cfg(feature = "plots")]
    let figures = custody_sim::report::plots::morris_figures(&r)?;
    #[cfg(not(feature = "plots"))]
    let figures: Vec<output::Figure> = Vec::new();
    let provenance = Provenance::now(a.common.seed, None, output::command_line())
        .detail("trajectories", a.trajectories)
        .detail("levels", a.levels);
    let rep = held.report(Report::morris(&r, scenario, overrides));
    output::write_report(path, rep, figures, provenance, a.common.quiet)
}

/// A Morris screening's outputs ([`emit`]); `merge` writes a merged
/// design's with it.
pub(crate) fn emit_morris(
    r: &MorrisResult,
    json: &impl Serialize,
    json_to: Option<&Path>,
    csv_to: Option<&Path>,
    plots: Option<&Path>,
    quiet: bool,
) -> Result<(), Fail> {
    emit(r, json, json_to, csv_to, plots, quiet)
}

/// A Sobol analysis's outputs ([`emit`]); `merge` writes a merged
/// design's with it.
pub(crate) fn emit_sobol(
    r: &SobolResult,
    json: &impl Serialize,
    json_to: Option<&Path>,
    csv_to: Option<&Path>,
    plots: Option<&Path>,
    quiet: bool,
) -> Result<(), Fail> {
    emit(r, json, json_to, csv_to, plots, quiet)
}

/// What an analysis writes beside its JSON: its CSV, its charts and its
/// table.
trait Analysis {
    /// The CSV (`--csv`).
    fn csv(&self) -> String;
    /// The table for a terminal.
    fn table(&self) -> String;
    /// Writes the charts into `dir` (`--plots`), returning the files.
    #[cfg(feature = "plots")]
    fn write_plots(&self, dir: &Path) -> Result<Vec<std::path::PathBuf>, custody_sim::Error>;
}

impl Analysis for SobolResult {
    fn csv(&self) -> String {
        sensitivity_csv(self)
    }
    fn table(&self) -> String {
        sensitivity_table(self)
    }
    #[cfg(feature = "plots")]
    fn write_plots(&self, dir: &Path) -> Result<Vec<std::path::PathBuf>, custody_sim::Error> {
        custody_sim::report::plots::write_sensitivity_plots(self, dir)
    }
}

impl Analysis for MorrisResult {
    fn csv(&self) -> String {
        morris_csv(self)
    }
    fn table(&self) -> String {
        morris_table(self)
    }
    #[cfg(feature = "plots")]
    fn write_plots(&self, dir: &Path) -> Result<Vec<std::path::PathBuf>, custody_sim::Error> {
        custody_sim::report::plots::write_morris_plots(self, dir)
    }
}

impl Analysis for RegionalResult {
    fn csv(&self) -> String {
        regional_csv(self)
    }
    fn table(&self) -> String {
        regional_table(self)
    }
    #[cfg(feature = "plots")]
    fn write_plots(&self, dir: &Path) -> Result<Vec<std::path::PathBuf>, custody_sim::Error> {
        custody_sim::report::plots::write_regional_plots(self, dir)
    }
}

/// An analysis's JSON and CSV (files or `-`), its charts (`plots`), and
/// its table unless quiet or an output goes to standard output. `json` is
/// the JSON document: the result, or the result with its held columns
/// ([`Held::json`]).
fn emit(
    r: &impl Analysis,
    json: &impl Serialize,
    json_to: Option<&Path>,
    csv_to: Option<&Path>,
    plots: Option<&Path>,
    quiet: bool,
) -> Result<(), Fail> {
    if let Some(p) = json_to {
        emit_json(json, p, quiet)?;
    }
    if let Some(p) = csv_to {
        emit_text(&r.csv(), p, quiet)?;
    }
    #[cfg(feature = "plots")]
    if let Some(dir) = plots {
        for p in r.write_plots(dir)? {
            crate::output::note(quiet, &format!("wrote {}", p.display()));
        }
    }
    #[cfg(not(feature = "plots"))]
    let _ = plots;
    let to_stdout = json_to.is_some_and(is_dash) || csv_to.is_some_and(is_dash);
    if !quiet && !to_stdout {
        print(&r.table())?;
    }
    Ok(())
}

/// `--shard K/N --out FILE`: one slice of the design's evaluations, into
/// a shard file for `merge`.
fn shard(a: &SensitivityArgs, (k, n): (u64, u64), out: &Path) -> Result<(), Fail> {
    let outputs = [Output {
        flag: "--out",
        path: out,
        kind: Kind::File,
    }];
    output::check(&outputs, &scenario_inputs(&a.scenario))?;
    // A slice file holds the plain design's evaluations: Sobol with its
    // tornado, or Morris, one factor per parameter.
    for (flag, given) in [
        ("--group", !a.group.is_empty()),
        ("--dummy", a.dummy),
        ("--second-order", a.second_order),
        ("--region", a.region.is_some()),
    ] {
        if given {
            return crate::usage(format!(
                "--shard: not with {flag}; a sharded design has one factor per parameter, no dummy, no second-order indices and no regional analysis (run it without --shard)"
            ));
        }
    }
    let mut params = a
        .param
        .iter()
        .map(|p| parse_param(p).map_err(|e| Fail::Msg(format!("--param {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let loaded = load_with(&a.scenario, a.variant.variant.as_deref(), &a.common.set)?;
    let scenario = loaded.scenario;
    if params.is_empty() {
        params = uncertain_params(&scenario)?;
    }
    let metrics: Vec<&str> = a.metric.iter().map(String::as_str).collect();
    let kp = params.len() as u64;
    let (total, method) = match a.method {
        SensitivityMethod::Sobol => (
            a.samples
                .saturating_mul(kp + 2)
                .saturating_add((2 * kp + 1).saturating_mul(a.replications)),
            Method::Sobol {
                options: SobolOptions {
                    base_samples: usize::try_from(a.samples).unwrap_or(usize::MAX),
                    bootstrap: usize::try_from(a.bootstrap).unwrap_or(usize::MAX),
                    seed: a.common.seed,
                    ..SobolOptions::default()
                },
                tornado_replications: a.replications,
            },
        ),
        SensitivityMethod::Morris => (
            a.trajectories.saturating_mul(kp + 1),
            Method::Morris {
                options: MorrisOptions {
                    trajectories: usize::try_from(a.trajectories).unwrap_or(usize::MAX),
                    levels: usize::try_from(a.levels).unwrap_or(usize::MAX),
                    seed: a.common.seed,
                    threads: 0,
                    groups: Vec::new(),
                },
            },
        ),
    };
    let slice = (u128::from(total) * u128::from(k) / u128::from(n)
        - u128::from(total) * u128::from(k - 1) / u128::from(n)) as u64;
    if slice == 0 {
        return crate::usage(format!(
            "--shard {k}/{n}: this slice holds no work ({total} model evaluations in all over {n} slices)"
        ));
    }
    let threads = threads(a.common.threads, slice);
    check_work(&scenario, slice, threads, a.common.allow_large)?;
    let method = match method {
        Method::Sobol {
            options,
            tornado_replications,
        } => Method::Sobol {
            options: SobolOptions { threads, ..options },
            tornado_replications,
        },
        Method::Morris { options } => Method::Morris {
            options: MorrisOptions { threads, ..options },
        },
    };
    let s = sensitivity_shard(&scenario, &params, &metrics, &method, k - 1, n)?;
    s.write(out)?;
    output::note(a.common.quiet, &format!("wrote {}", out.display()));
    Ok(())
}

/// `--region`: regional sensitivity on a threshold, its JSON, CSV
/// (`path,ks,p_value`), table, chart (`--plots`) and HTML report.
fn region(
    a: &SensitivityArgs,
    scenario: &Scenario,
    params: &[ParamDist],
    condition: &str,
    overrides: &[custody_sim::scenario::Override],
    held: &Held,
) -> Result<(), Fail> {
    if a.method == SensitivityMethod::Morris {
        return crate::fail(
            "--method morris: not with --region; a regional analysis writes its table, --json, --csv, --plots and --report",
        );
    }
    let condition_text = condition;
    let condition = Condition::parse(condition).map_err(|e| Fail::Msg(format!("--region {e}")))?;
    let threads = threads(a.common.threads, a.samples);
    check_work(scenario, a.samples, threads, a.common.allow_large)?;
    let samples = usize::try_from(a.samples).unwrap_or(usize::MAX);
    let r = regional(
        scenario,
        params,
        &condition,
        samples,
        a.common.seed,
        threads,
    )?;
    emit(
        &r,
        &held.json(&r),
        a.json.json.as_deref(),
        a.csv.as_deref(),
        a.plots.as_deref(),
        a.common.quiet,
    )?;
    held.print(a.common.quiet, a.json.json.as_deref(), a.csv.as_deref())?;
    let Some(path) = &a.report.report else {
        return Ok(());
    };
    #[cfg(feature = "plots")]
    let figures = custody_sim::report::plots::regional_figures(&r)?;
    #[cfg(not(feature = "plots"))]
    let figures: Vec<output::Figure> = Vec::new();
    let provenance = Provenance::now(a.common.seed, None, output::command_line())
        .detail("samples", a.samples)
        .detail("condition", condition_text);
    let rep = held.report(Report::regional(&r, scenario, overrides));
    output::write_report(path, rep, figures, provenance, a.common.quiet)
}

/// `--report`: the sensitivity analysis's HTML report.
fn report(
    a: &SensitivityArgs,
    scenario: &Scenario,
    r: &SobolResult,
    overrides: &[custody_sim::scenario::Override],
    held: &Held,
) -> Result<(), Fail> {
    let Some(path) = &a.report.report else {
        return Ok(());
    };
    #[cfg(feature = "plots")]
    let figures = custody_sim::report::plots::sensitivity_figures(r)?;
    #[cfg(not(feature = "plots"))]
    let figures: Vec<output::Figure> = Vec::new();
    let provenance = Provenance::now(a.common.seed, None, output::command_line())
        .detail("base samples", a.samples)
        .detail("bootstrap resamples", a.bootstrap)
        .detail("replications at each end of the tornado", a.replications);
    let rep = held.report(Report::sensitivity(r, scenario, overrides));
    output::write_report(path, rep, figures, provenance, a.common.quiet)
}
