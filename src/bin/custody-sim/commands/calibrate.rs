//! `custody-sim calibrate`: parameters fitted to observations by ABC
//! population Monte Carlo; writes the weighted posterior draws, and
//! optionally the calibrated scenario.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use custody_sim::Scenario;
use custody_sim::calibrate::{
    Abc, AbcProgress, AbcState, CalibrateError, Generation, Observations, ParamSummary, Posterior,
    PredictiveCheck, Prior, Scales, StopRule, abc, abc_resume, abc_shard, predictive_check_table,
};
use custody_sim::report::format::fixed;
use custody_sim::report::html::{Provenance, Report};
use custody_sim::report::table::calibration_table;
use custody_sim::report::write_bytes_atomic;
use custody_sim::scenario::{Override, Overrides};

use super::{
    Loaded, check_work, emit_json, file_or_dash, load_with, scenario_file, scenario_inputs, threads,
};
use crate::Fail;
use crate::args::{AbcArgs, CalibrateArgs, Common};
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
    if let Some(slice) = a.shard {
        return shard(a, slice);
    }
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
    let flags = FitFlags::from(a);
    let mut inputs = flags.inputs();
    inputs.extend(a.state.clone());
    outputs.extend(output::report_output(&a.report));
    output::check(&outputs, &inputs)?;
    let Fit {
        scenario,
        overrides,
        obs,
        priors,
    } = flags.read()?;
    // The simulation budget, and the posterior predictive fan drawn for
    // the charts and for the report (each `--replications`).
    // The posterior predictive check runs `--replications` too.
    let fans = 1 + u64::from(a.plots.is_some()) + u64::from(a.report.report.is_some());
    check_work(
        &scenario,
        a.abc
            .max_simulations
            .saturating_add(fans.saturating_mul(a.replications)),
        threads(a.common.threads, a.abc.max_simulations),
        a.common.allow_large,
    )?;
    let settings = flags.settings(threads(a.common.threads, a.abc.max_simulations));
    let state = a.state.as_deref().map(AbcState::read).transpose()?;
    let bar = (!a.common.quiet).then(|| {
        let bar = ProgressBar::with_draw_target(
            Some(a.abc.max_simulations),
            ProgressDrawTarget::stderr(),
        );
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
    let post = match (&state, &a.state) {
        (Some(state), Some(file)) => {
            abc_resume(&scenario, &obs, &priors, &settings, state, Some(&tick))
                .map_err(|e| naming(e, file))
        }
        _ => abc(&scenario, &obs, &priors, &settings, Some(&tick)),
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let post = post?;
    post.write_csv(&a.out)?;
    note(a.common.quiet, &format!("wrote {}", a.out.display()));
    if let Some(p) = &a.scenario_out {
        let text = scenario_out_text(a, &post, &scenario, &overrides)?;
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
    report(a, &scenario, &obs, &priors, &post, &overrides)
}

/// The flags of an ABC fit, as `calibrate` and `hindcast` both take them
/// (each command's help says what they mean to it): what the fit reads
/// and its settings.
pub(super) struct FitFlags<'a> {
    /// SCENARIO: a file or a bundled scenario's name.
    pub(super) scenario: &'a str,
    /// `--variant`.
    pub(super) variant: Option<&'a str>,
    /// `--seed`, `--set` and the other options shared by the commands
    /// that run replications.
    pub(super) common: &'a Common,
    /// `--observed`.
    pub(super) observed: &'a Path,
    /// `--prior`, as written.
    pub(super) prior: &'a [String],
    /// `--particles`, `--max-simulations`, `--max-generations`,
    /// `--min-acceptance` and `--adaptive-scales`.
    pub(super) abc: &'a AbcArgs,
}

/// What a fit reads before it runs ([`FitFlags::read`]).
pub(super) struct Fit {
    /// The scenario, its variant and `--set`s applied.
    pub(super) scenario: Scenario,
    /// The variant's overrides (tagged), then the `--set`s.
    pub(super) overrides: Overrides,
    /// The observations, read against the scenario.
    pub(super) obs: Observations,
    /// The priors, parsed.
    pub(super) priors: Vec<Prior>,
}

impl FitFlags<'_> {
    /// The files the fit reads, which no output may be: the scenario's
    /// file (if it is one) and the observations.
    pub(super) fn inputs(&self) -> Vec<PathBuf> {
        let mut inputs = scenario_inputs(self.scenario);
        inputs.push(self.observed.to_path_buf());
        inputs
    }

    /// Reads what the fit needs: the priors (a bad one refused first),
    /// the scenario with its variant and `--set`s, then the observations
    /// against it.
    pub(super) fn read(&self) -> Result<Fit, Fail> {
        let priors = self
            .prior
            .iter()
            .map(|p| Prior::parse(p))
            .collect::<Result<Vec<_>, _>>()?;
        let loaded = load_with(self.scenario, self.variant, &self.common.set)?;
        refuse_taken_out_columns(&priors, &loaded)?;
        let obs = Observations::from_path(self.observed, &loaded.scenario)?;
        Ok(Fit {
            scenario: loaded.scenario,
            overrides: loaded.overrides,
            obs,
            priors,
        })
    }

    /// The settings of the fit, on `threads` threads.
    pub(super) fn settings(&self, threads: usize) -> Abc {
        let abc = self.abc;
        Abc {
            particles: usize::try_from(abc.particles).unwrap_or(usize::MAX),
            max_simulations: abc.max_simulations,
            seed: self.common.seed,
            threads,
            scales: if abc.adaptive_scales {
                Scales::Adaptive
            } else {
                Scales::Sd
            },
            max_generations: abc.max_generations,
            target_acceptance: abc.min_acceptance,
            ..Abc::default()
        }
    }
}

impl<'a> From<&'a CalibrateArgs> for FitFlags<'a> {
    fn from(a: &'a CalibrateArgs) -> Self {
        FitFlags {
            scenario: &a.scenario,
            variant: a.variant.variant.as_deref(),
            common: &a.common,
            observed: &a.observed,
            prior: &a.prior,
            abc: &a.abc,
        }
    }
}

/// A prior on a column of the scenario's `[uncertainty] posterior` that a
/// `--set` or the variant took out of the table is refused, as the fit
/// refuses one on a column still in the table ([`abc`]): the other
/// columns' draws were fitted jointly with it, so fitting it again over
/// them would fit against draws made for its old values. The fit alone
/// cannot see it: the table it gets no longer has the column.
fn refuse_taken_out_columns(priors: &[Prior], loaded: &Loaded) -> Result<(), Fail> {
    let Some((file, columns)) = &loaded.posterior_columns else {
        return Ok(());
    };
    let s = &loaded.scenario;
    // Only while the scenario still draws from that file.
    let Some(u) = s
        .uncertainty
        .as_ref()
        .filter(|u| u.posterior.as_ref() == Some(file))
    else {
        return Ok(());
    };
    let left: &[String] = u.posterior_table.as_ref().map_or(&[], |t| &t.columns);
    let canonical = |p: &str| s.canonical_path(p).unwrap_or_else(|_| p.to_string());
    for p in priors {
        let path = canonical(&p.path);
        let Some(column) = columns
            .iter()
            .find(|c| !left.contains(c) && canonical(c) == path)
        else {
            continue;
        };
        let by = match loaded
            .overrides
            .iter()
            .rev()
            .find(|o| canonical(&o.path) == path)
        {
            Some(o @ Override { variant: None, .. }) => format!("`--set {o}`"),
            Some(
                o @ Override {
                    variant: Some(v), ..
                },
            ) => format!("variant {v:?}'s `{o}`"),
            None => "an override".to_string(),
        };
        return Err(custody_sim::Error::from(CalibrateError::Prior {
            spec: p.path.clone(),
            message: format!(
                "{by} took column {column} out of the scenario's [uncertainty] posterior {file:?}, whose other columns were drawn jointly with it: a prior here would refit it over the other columns' draws, which were fitted with it; fit the scenario without its posterior (remove `posterior` from [uncertainty])"
            ),
        })
        .into());
    }
    Ok(())
}

/// A shard error of the library about a state, naming the state's file.
fn naming(e: custody_sim::Error, file: &Path) -> custody_sim::Error {
    match e {
        custody_sim::Error::Shard {
            path: None,
            message,
        } => custody_sim::Error::Shard {
            path: Some(file.to_path_buf()),
            message,
        },
        other => other,
    }
}

/// `--shard K/N --out FILE`: slice K of N of the batch the calibration
/// waits for, into a shard file for `merge --state-out`.
fn shard(a: &CalibrateArgs, (k, n): (u64, u64)) -> Result<(), Fail> {
    let outputs = [Output {
        flag: "--out",
        path: &a.out,
        kind: Kind::File,
    }];
    let flags = FitFlags::from(a);
    let mut inputs = flags.inputs();
    inputs.extend(a.state.clone());
    output::check(&outputs, &inputs)?;
    let Fit {
        scenario,
        obs,
        priors,
        ..
    } = flags.read()?;
    let state = match &a.state {
        Some(file) => AbcState::read(file)?,
        None => AbcState::start(&scenario, &obs, &priors, &flags.settings(0))?,
    };
    let Some((generation, attempts)) = state.pending() else {
        let file = a.state.as_deref().unwrap_or(Path::new("-"));
        return crate::fail(format!(
            "--state {}: the calibration has finished ({} simulations), nothing is left to simulate; write its posterior with calibrate --state {} (without --shard)",
            file.display(),
            state.simulations(),
            file.display()
        ));
    };
    let len = attempts.end - attempts.start;
    let part = |k: u64| (u128::from(len) * u128::from(k) / u128::from(n)) as u64;
    let slice = part(k) - part(k - 1);
    let threads = threads(a.common.threads, slice);
    check_work(&scenario, slice, threads, a.common.allow_large)?;
    let s = abc_shard(
        &scenario,
        &obs,
        &priors,
        &flags.settings(threads),
        &state,
        k - 1,
        n,
    )
    .map_err(|e| match &a.state {
        Some(file) => naming(e, file),
        None => e,
    })?;
    s.write(&a.out)?;
    note(
        a.common.quiet,
        &format!(
            "wrote {}: generation {generation}, attempts {}..{} of {}..{}",
            a.out.display(),
            attempts.start + part(k - 1),
            attempts.start + part(k),
            attempts.start,
            attempts.end
        ),
    );
    Ok(())
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
        .detail("particles", a.abc.particles)
        .detail("simulation budget", a.abc.max_simulations)
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
