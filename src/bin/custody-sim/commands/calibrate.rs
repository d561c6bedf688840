//! `custody-sim calibrate`: parameters fitted to observations by ABC
//! population Monte Carlo; writes the weighted posterior draws, and
//! optionally the calibrated scenario.

use std::io::Write as _;
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use custody_sim::Scenario;
use custody_sim::calibrate::{
    Abc, AbcProgress, Generation, Observations, ParamSummary, Posterior, PredictiveCheck, Prior,
    Scales, StopRule, abc, predictive_check_table,
};
use custody_sim::report::format::fixed;
use custody_sim::report::html::{Provenance, Report};
use custody_sim::report::table::calibration_table;
use custody_sim::report::write_bytes_atomic;

use super::{
    check_work, emit_json, file_or_dash, load_with, scenario_file, scenario_inputs, threads,
};
use crate::Fail;
use crate::args::CalibrateArgs;
use crate::output::{self, Kind, Output, is_dash, note, print};

/// The `--json` document: the summary and the tolerance schedule.
#[derive(Serialize)]
struct Document<'a> {
    /// Per-parameter summary of the posterior.
    summary: &'a [ParamSummary],
    /// Tolerance of each generation, generation 0 (∞, as null) first.
    tolerance_schedule: &'a [f64],
    /// Acceptance rate of each generation.
    acceptance_rates: &'a [f64],
    /// Simulations run.
    simulations: u64,
    /// Why the schedule stopped.
    stopped: &'a str,
    /// Particles per generation.
    particles: usize,
    /// Effective sample size of the final weights.
    ess: f64,
    /// Every generation run: tolerance, acceptance, simulations, ESS.
    generations: &'a [Generation],
    /// Which stopping rule ended the schedule.
    stop_rule: StopRule,
    /// When the budget ended the schedule: what was kept.
    stop_note: Option<&'a str>,
    /// How the distance scaled the rows (`sd` or `adaptive`).
    scales_rule: Scales,
    /// The scale of each observation row in the distance.
    scales: &'a [f64],
    /// The posterior predictive check, one entry per observation row.
    predictive_check: &'a [PredictiveCheck],
}

pub(crate) fn calibrate(a: &CalibrateArgs) -> Result<(), Fail> {
    let json_to = a.json.json.as_deref();
    let mut outputs: Vec<Output<'_>> = file_or_dash("--json", json_to).into_iter().collect();
    outputs.push(Output {
        flag: "--out",
        path: &a.out,
        kind: Kind::File,
    });
    if let Some(p) = &a.scenario_out {
        outputs.push(Output {
            flag: "--scenario-out",
            path: p,
            kind: Kind::File,
        });
    }
    outputs.extend(super::backtest::plots_output(a.plots.as_deref())?);
    let mut inputs = scenario_inputs(&a.scenario);
    inputs.push(a.observed.clone());
    outputs.extend(output::report_output(&a.report));
    output::check(&outputs, &inputs)?;
    let priors = a
        .prior
        .iter()
        .map(|p| Prior::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    let loaded = load_with(&a.scenario, a.variant.variant.as_deref(), &a.common.set)?;
    let scenario = loaded.scenario;
    let obs = Observations::from_path(&a.observed, &scenario)?;
    // The simulation budget, and the posterior predictive fan drawn for
    // the charts and for the report (each `--replications`).
    // The posterior predictive check runs `--replications` too.
    let fans = 1 + u64::from(a.plots.is_some()) + u64::from(a.report.report.is_some());
    check_work(
        &scenario,
        a.max_simulations
            .saturating_add(fans.saturating_mul(a.replications)),
        threads(a.common.threads, a.max_simulations),
        a.common.allow_large,
    )?;
    let settings = Abc {
        particles: usize::try_from(a.particles).unwrap_or(usize::MAX),
        max_simulations: a.max_simulations,
        seed: a.common.seed,
        threads: threads(a.common.threads, a.max_simulations),
        scales: if a.adaptive_scales {
            Scales::Adaptive
        } else {
            Scales::Sd
        },
        max_generations: a.max_generations,
        target_acceptance: a.min_acceptance,
        ..Abc::default()
    };
    let bar = (!a.common.quiet).then(|| {
        let bar =
            ProgressBar::with_draw_target(Some(a.max_simulations), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} simulations, {msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    });
    let tick = |p: &AbcProgress| {
        if let Some(bar) = &bar {
            bar.set_position(p.simulations.min(p.budget));
            bar.set_message(format!(
                "generation {}, tolerance {}, {} kept",
                p.generation,
                fixed(p.tolerance, 4),
                p.accepted
            ));
        }
    };
    let post = abc(&scenario, &obs, &priors, &settings, Some(&tick));
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let post = post?;
    post.write_csv(&a.out)?;
    note(a.common.quiet, &format!("wrote {}", a.out.display()));
    if let Some(p) = &a.scenario_out {
        let text = scenario_out_text(a, &post, &scenario, &loaded.overrides)?;
        write_bytes_atomic(p, text.as_bytes())?;
        note(a.common.quiet, &format!("wrote {}", p.display()));
    }
    let summary = post.summary();
    let check = post.predictive_check(
        &scenario,
        &obs,
        a.replications,
        a.common.seed,
        threads(a.common.threads, a.replications),
    )?;
    if let Some(p) = json_to {
        let doc = Document {
            summary: &summary,
            tolerance_schedule: &post.tolerance_schedule,
            acceptance_rates: &post.acceptance_rates,
            simulations: post.simulations,
            stopped: &post.stopped,
            particles: post.particles.len(),
            ess: post.ess(),
            generations: &post.generations,
            stop_rule: post.stop_rule,
            stop_note: post.stop_note.as_deref(),
            scales_rule: settings.scales,
            scales: &post.scales,
            predictive_check: &check,
        };
        emit_json(&doc, p, a.common.quiet)?;
    }
    if !a.common.quiet && !json_to.is_some_and(is_dash) {
        print(&format!(
            "{}\n{}",
            calibration_table(&post),
            predictive_check_table(&check)
        ))?;
    }
    #[cfg(feature = "plots")]
    super::backtest::draw_plots(a.plots.as_deref(), a.common.quiet, |dir| {
        custody_sim::report::plots::write_calibrate_plots(
            &scenario,
            &obs,
            &priors,
            &post,
            &predictive_runs(a),
            dir,
        )
    })?;
    report(a, &scenario, &obs, &priors, &post, &loaded.overrides)
}

/// The `--scenario-out` file: the source scenario file (or bundled
/// scenario) edited in place, its comments and `[variant.*]` tables kept,
/// with the overrides applied, the calibrated parameters at their
/// posterior medians and `[uncertainty] posterior` naming `--out`; where
/// the source cannot be edited so, the scenario written whole, with a
/// warning.
fn scenario_out_text(
    a: &CalibrateArgs,
    post: &Posterior,
    scenario: &Scenario,
    overrides: &[custody_sim::scenario::Override],
) -> Result<String, Fail> {
    let Some(p) = &a.scenario_out else {
        return Ok(String::new());
    };
    let reference = posterior_reference(p, &a.out);
    let (arg, _) = super::split_spec(&a.scenario);
    let source = match scenario_file(&a.scenario) {
        Some(file) => Some(custody_sim::files::read_text(
            file,
            "scenario file",
            custody_sim::files::MAX_SCENARIO_BYTES,
        )?),
        None => {
            custody_sim::presets::toml_text(arg).map(|t| super::without_schema_line(t).to_string())
        }
    };
    if let Some(source) = source
        && let Some(text) = post.predictive_toml_edit(
            &source,
            scenario,
            overrides.iter().map(|o| o.path.as_str()),
            &reference,
        )?
    {
        return Ok(text);
    }
    let _ = writeln!(
        std::io::stderr(),
        "warning: --scenario-out {}: {arg} could not be edited in place; the calibrated scenario is written whole, without its comments and [variant.*] tables",
        p.display()
    );
    Ok(post.predictive_toml(scenario, &reference)?)
}

/// The runs of the posterior predictive fan: `-n`, `--seed`, `--threads`.
#[cfg(feature = "plots")]
fn predictive_runs(a: &CalibrateArgs) -> custody_sim::montecarlo::Runs {
    custody_sim::montecarlo::Runs {
        replications: a.replications,
        seed: a.common.seed,
        threads: threads(a.common.threads, a.replications),
    }
}

/// `--report`: the calibration's HTML report.
fn report(
    a: &CalibrateArgs,
    scenario: &Scenario,
    obs: &Observations,
    priors: &[Prior],
    post: &Posterior,
    overrides: &[custody_sim::scenario::Override],
) -> Result<(), Fail> {
    let Some(path) = &a.report.report else {
        return Ok(());
    };
    #[cfg(feature = "plots")]
    let figures = custody_sim::report::plots::calibrate_figures(
        scenario,
        obs,
        priors,
        post,
        &predictive_runs(a),
    )?;
    #[cfg(not(feature = "plots"))]
    let figures: Vec<output::Figure> = {
        let _ = (obs, priors);
        Vec::new()
    };
    let provenance = Provenance::now(a.common.seed, None, output::command_line())
        .detail("observations", a.observed.display())
        .detail("particles", a.particles)
        .detail("simulation budget", a.max_simulations)
        .detail("simulations run (one replication each)", post.simulations);
    let r = Report::calibration(post, scenario, overrides);
    output::write_report(path, r, figures, provenance, a.common.quiet)
}

/// How the calibrated scenario file `scenario_out` names the posterior
/// file `out` in its `[uncertainty] posterior`: the bare file name when
/// both are in one folder (so the pair can be moved together), otherwise
/// `out`'s absolute path.
fn posterior_reference(scenario_out: &Path, out: &Path) -> String {
    let folder = |p: &Path| {
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
        std::fs::canonicalize(parent.unwrap_or(Path::new(".")))
    };
    match (folder(scenario_out), folder(out), out.file_name()) {
        (Ok(a), Ok(b), Some(name)) if a == b => name.to_string_lossy().into_owned(),
        (_, Ok(b), Some(name)) => b.join(name).to_string_lossy().into_owned(),
        _ => out.to_string_lossy().into_owned(),
    }
}
