//! One module per command, and what they share: reading a scenario by
//! file or bundled name, applying `--set`s, the thread count and a run's
//! outputs.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use custody_sim::montecarlo::{Limits, RunCost, Runs, Summary, estimate_runs};
use custody_sim::report::format::fixed;
use custody_sim::report::{csv, json, table};
use custody_sim::scenario::{Override, Overrides};
use custody_sim::{Error, Scenario, presets as bundled};

use crate::args::Outputs;
use crate::output::{Kind, Output, closed, is_dash, note, print};
use crate::{Fail, fail};

pub(crate) mod backtest;
pub(crate) mod calibrate;
pub(crate) mod check;
pub(crate) mod compare;
pub(crate) mod hindcast;
pub(crate) mod merge;
pub(crate) mod presets;
pub(crate) mod run;
pub(crate) mod sensitivity;
pub(crate) mod shard;
pub(crate) mod solve;
pub(crate) mod sweep;

/// A JSON output to check before any work.
pub(crate) fn file_or_dash<'a>(flag: &'static str, path: Option<&'a Path>) -> Option<Output<'a>> {
    path.map(|path| Output {
        flag,
        path,
        kind: Kind::FileOrDash,
    })
}

/// Writes `doc` as JSON to `path` (or standard output), noting the file.
pub(crate) fn emit_json(doc: &impl serde::Serialize, path: &Path, quiet: bool) -> Result<(), Fail> {
    json::write_json(doc, path).map_err(closed)?;
    if !is_dash(path) {
        note(quiet, &format!("wrote {}", path.display()));
    }
    Ok(())
}

/// Writes `text` to `path` atomically, or to standard output with `-`.
pub(crate) fn emit_text(text: &str, path: &Path, quiet: bool) -> Result<(), Fail> {
    if is_dash(path) {
        return print(text);
    }
    custody_sim::report::write_bytes_atomic(path, text.as_bytes())?;
    note(quiet, &format!("wrote {}", path.display()));
    Ok(())
}

/// The metrics a `compare` or `sweep` shows: the `--metric`s given, each
/// checked against the metrics the scenarios report (a name none of them
/// has is a usage error naming the closest valid ones), or else the
/// capacity answers of each scenario
/// ([`custody_sim::decide::compare::answer_metrics`]), in order of first
/// appearance.
pub(crate) fn chosen_metrics(
    given: &[String],
    scenarios: &[&Scenario],
) -> Result<Vec<String>, Fail> {
    if given.is_empty() {
        let mut out: Vec<String> = Vec::new();
        for s in scenarios {
            for m in custody_sim::decide::compare::answer_metrics(s) {
                if !out.contains(&m) {
                    out.push(m);
                }
            }
        }
        return Ok(out);
    }
    let mut valid: Vec<String> = Vec::new();
    for s in scenarios {
        for m in custody_sim::Plan::new(s)?.layout().metrics() {
            if !valid.contains(m) {
                valid.push(m.clone());
            }
        }
    }
    let mut out: Vec<String> = Vec::new();
    for name in given {
        if !valid.contains(name) {
            let closest = match custody_sim::model::schema::closest_names(name, &valid).as_slice() {
                [] => String::new(),
                c => format!(
                    "; the closest: {}",
                    c.iter()
                        .take(5)
                        .map(|n| format!("{n:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            return Err(Fail::Usage(format!(
                "--metric {name:?}: no metric of that name{closest} (valid names: the {} metrics of `run --json`, listed in docs/model.md)",
                valid.len()
            )));
        }
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    Ok(out)
}

/// `text` without a first line that is taplo's `#:schema` directive: a
/// bundled scenario's names the schema by a path relative to the bundled
/// file, which a copy written elsewhere cannot follow.
pub(crate) fn without_schema_line(text: &str) -> &str {
    match text.split_once('\n') {
        Some((first, rest)) if first.starts_with("#:schema") => rest,
        _ => text,
    }
}

/// The bundled scenario names, comma-separated.
pub(crate) fn bundled_list() -> String {
    bundled::NAMES.join(", ")
}

/// Where a scenario came from.
pub(crate) struct Source {
    /// `FILE` or `bundled scenario NAME`.
    pub(crate) origin: String,
    /// The variant SCENARIO names (`NAME_OR_FILE:VARIANT`), if any.
    pub(crate) variant: Option<String>,
}

/// Splits SCENARIO into the file or bundled name and the variant it
/// selects: the whole text if it is an existing file or a bundled name,
/// otherwise the text before the last `:` and the variant after it
/// (`baseline:high`, `runs/a:b.toml:low`).
pub(crate) fn split_spec(arg: &str) -> (&str, Option<&str>) {
    if Path::new(arg).is_file() || bundled::by_name(arg).is_some() {
        return (arg, None);
    }
    match arg.rsplit_once(':') {
        Some((base, variant)) if !base.is_empty() => (base, Some(variant)),
        _ => (arg, None),
    }
}

/// Reads SCENARIO (a file, else a bundled name, either with `:VARIANT`),
/// parsed but not yet validated, the variant not yet applied. Returns the
/// scenario and where it came from.
pub(crate) fn read_scenario(spec: &str) -> Result<(Result<Scenario, Error>, Source), Fail> {
    let (arg, variant) = split_spec(spec);
    let variant = variant.map(str::to_string);
    let path = Path::new(arg);
    if path.is_file() {
        let text = custody_sim::files::read_text(
            path,
            "scenario file",
            custody_sim::files::MAX_SCENARIO_BYTES,
        )?;
        // A `[uncertainty] posterior` file is read relative to the
        // scenario file's folder, as `Scenario::from_path` does.
        let dir = path.parent().unwrap_or(Path::new("."));
        return Ok((
            Scenario::parse_toml(&text).and_then(|mut s| {
                s.load_posterior(dir)?;
                Ok(s)
            }),
            Source {
                origin: arg.to_string(),
                variant,
            },
        ));
    }
    if let Some(s) = bundled::by_name(arg) {
        return Ok((
            Ok(s),
            Source {
                origin: format!("bundled scenario {arg}"),
                variant,
            },
        ));
    }
    if path.exists() {
        return fail(format!("{arg}: not a file"));
    }
    if spec != arg {
        return fail(format!(
            "{spec}: no such file, and no bundled scenario of that name; nor is {arg:?} one, to take variant {:?} of (bundled: {})",
            variant.unwrap_or_default(),
            bundled_list()
        ));
    }
    fail(format!(
        "{arg}: no such file, and no bundled scenario of that name (bundled: {})",
        bundled_list()
    ))
}

/// The scenario file named by SCENARIO (without its `:VARIANT`), if it is
/// one (an input no output may overwrite).
pub(crate) fn scenario_file(spec: &str) -> Option<&Path> {
    let p = Path::new(split_spec(spec).0);
    p.is_file().then_some(p)
}

/// Every file SCENARIO reads, none of which an output may overwrite: the
/// scenario file (not for a bundled scenario) and the `[uncertainty]
/// posterior` file it names, if any (relative to the scenario's folder).
pub(crate) fn scenario_inputs(spec: &str) -> Vec<PathBuf> {
    let Some(file) = scenario_file(spec) else {
        return Vec::new();
    };
    let mut inputs = vec![file.to_path_buf()];
    // A file that cannot be read or parsed is reported by the load that
    // follows; here it only names no posterior.
    let posterior = custody_sim::files::read_text(
        file,
        "scenario file",
        custody_sim::files::MAX_SCENARIO_BYTES,
    )
    .ok()
    .and_then(|text| text.parse::<toml::Table>().ok())
    .and_then(|doc| {
        doc.get("uncertainty")?
            .get("posterior")?
            .as_str()
            .map(PathBuf::from)
    });
    if let Some(p) = posterior {
        inputs.push(file.parent().unwrap_or(Path::new("")).join(p));
    }
    inputs
}

/// A scenario ready to run, and what made it from the one given.
pub(crate) struct Loaded {
    /// The scenario, variant and `--set`s applied, validated; it records
    /// them in [`Scenario::applied`].
    pub(crate) scenario: Scenario,
    /// The variant's overrides (tagged), then the `--set`s.
    pub(crate) overrides: Overrides,
    /// The scenario's `[uncertainty] posterior` file as written, and its
    /// columns as the file has them: before the variant and the `--set`s,
    /// which take a column they set out of the table.
    pub(crate) posterior_columns: Option<(String, Vec<String>)>,
}

/// Loads SCENARIO, applies the variant it names (or `--variant`), then
/// each `--set` in order, and validates the result once.
pub(crate) fn load_with(
    spec: &str,
    variant_flag: Option<&str>,
    set: &[Override],
) -> Result<Loaded, Fail> {
    let (parsed, source) = read_scenario(spec)?;
    let s = parsed?;
    let variant = match (source.variant, variant_flag) {
        (Some(a), Some(b)) => {
            return crate::usage(format!(
                "{spec} names variant {a:?} and --variant names {b:?}: give the variant once"
            ));
        }
        (a, b) => a.or_else(|| b.map(str::to_string)),
    };
    let mut overrides = Overrides::new();
    if let Some(name) = &variant {
        overrides = s.variant(name)?.overrides.clone();
    }
    overrides.extend(set.iter().cloned());
    // The variant's overrides and the `--set`s apply in order, then the
    // result is validated once, so that `--set`s can repair a file as
    // well as change it; a variant is the same as `--set`s of its
    // overrides.
    let mut scenario = match s.with_overrides(&overrides) {
        Ok(scenario) => scenario,
        Err(e) => {
            // A problem of the variant's own, on a file that is valid
            // without it, is named `variant.NAME.<path>`.
            if let Some(name) = &variant
                && s.with_params([]).is_ok()
                && let Err(own) = s.with_variant(name)
            {
                return Err(own.into());
            }
            return Err(e.into());
        }
    };
    // The scenario records what made it (a variant that changes nothing
    // too), which its runs' summaries and shards carry.
    scenario.applied.variant = variant;
    let posterior_columns = s.uncertainty.as_ref().and_then(|u| {
        Some((
            u.posterior.clone()?,
            u.posterior_table.as_ref()?.columns.clone(),
        ))
    });
    Ok(Loaded {
        scenario,
        overrides,
        posterior_columns,
    })
}

/// Loads and validates SCENARIO (with the variant it names, if any), then
/// applies each `--set` in order.
pub(crate) fn load(spec: &str, set: &[Override]) -> Result<Scenario, Fail> {
    Ok(load_with(spec, None, set)?.scenario)
}

/// The `--set`s as one set of overrides.
pub(crate) fn overrides(set: &[Override]) -> Overrides {
    set.iter().cloned().collect()
}

/// The thread count to use: at most the work there is (the result does
/// not depend on it).
pub(crate) fn threads(t: u64, work: u64) -> usize {
    let t = usize::try_from(t).unwrap_or(usize::MAX);
    if t == 0 {
        0
    } else {
        t.min(usize::try_from(work.max(1)).unwrap_or(usize::MAX))
    }
}

/// A run estimated to take longer than this is announced \[s\].
const WARN_SECONDS: f64 = 60.0;
/// A run estimated to need more memory than this is announced \[bytes\].
const WARN_BYTES: u64 = 2 << 30;

/// `1.5 GiB`, `300 MiB`.
fn bytes(b: u64) -> String {
    let b = b as f64;
    if b >= (1u64 << 30) as f64 {
        format!("{} GiB", fixed(b / (1u64 << 30) as f64, 1))
    } else {
        format!("{} MiB", fixed(b / (1u64 << 20) as f64, 0))
    }
}

/// `45 s`, `12 min`, `3.5 h`, `2.1 days`.
fn duration(s: f64) -> String {
    if s < 120.0 {
        format!("{} s", fixed(s, 0))
    } else if s < 7200.0 {
        format!("{} min", fixed(s / 60.0, 0))
    } else if s < 172_800.0 {
        format!("{} h", fixed(s / 3600.0, 1))
    } else {
        format!("{} days", fixed(s / 86_400.0, 1))
    }
}

/// What a run's estimate says: nothing for a small run, a warning for a
/// long or large one, and a refusal above the library's limits unless
/// `--allow-large`.
///
/// # Errors
///
/// [`Fail::Msg`] naming the figure, the limit and `--allow-large`.
pub(crate) fn check_estimate(e: &RunCost, allow_large: bool) -> Result<(), Fail> {
    check_estimate_with(e, allow_large, |text| {
        let _ = writeln!(std::io::stderr(), "warning: {text}");
    })
}

/// [`check_estimate`], handing its warning to `warn` instead of standard
/// error (the tests read it).
fn check_estimate_with(
    e: &RunCost,
    allow_large: bool,
    warn: impl FnOnce(&str),
) -> Result<(), Fail> {
    if !allow_large && let Err(err) = Limits::default().check(e) {
        return fail(format!(
            "{err}; --allow-large runs it anyway (estimated {} and {} of memory)",
            duration(e.seconds),
            bytes(e.memory_bytes)
        ));
    }
    if let Some(text) = estimate_warning(e) {
        warn(&text);
    }
    Ok(())
}

/// Estimates a command's whole work, `replications` replications of
/// `scenario` in all (however the command spreads them) on `threads`
/// threads, with the library's one estimate ([`estimate_runs`]), and
/// applies the limits as [`check_estimate`] does. Every command that runs
/// replications calls it before any work.
///
/// # Errors
///
/// As [`check_estimate`]; a scenario error if `scenario` is not valid.
pub(crate) fn check_work(
    scenario: &Scenario,
    replications: u64,
    threads: usize,
    allow_large: bool,
) -> Result<(), Fail> {
    let runs = Runs {
        replications,
        seed: 0,
        threads,
    };
    check_estimate(&estimate_runs(scenario, &runs)?, allow_large)
}

/// The warning for a long or large run, if it is one.
fn estimate_warning(e: &RunCost) -> Option<String> {
    (e.seconds > WARN_SECONDS || e.memory_bytes > WARN_BYTES).then(|| {
        format!(
            "this run is estimated to take about {} on {} thread{} and up to {} of memory \
             (an order of magnitude; fewer replications or shards on several machines are quicker)",
            duration(e.seconds),
            e.threads,
            if e.threads == 1 { "" } else { "s" },
            bytes(e.memory_bytes)
        )
    })
}

/// The outputs of a run (or a merge of run shards), for
/// [`crate::output::check`].
pub(crate) fn run_outputs(out: &Outputs) -> Vec<Output<'_>> {
    let mut v = Vec::new();
    if let Some(p) = &out.json {
        v.push(Output {
            flag: "--json",
            path: p,
            kind: Kind::FileOrDash,
        });
    }
    if let Some(p) = &out.csv {
        v.push(Output {
            flag: "--csv",
            path: p,
            kind: if is_dash(p) {
                Kind::FileOrDash
            } else {
                Kind::Dir(Some(&["metrics.csv", "series.csv"]))
            },
        });
    }
    if let Some(p) = &out.plots {
        v.push(Output {
            flag: "--plots",
            path: p,
            kind: Kind::Dir(None),
        });
    }
    v
}

/// Refuses `--plots` where this build cannot draw.
pub(crate) fn plots_available(out: &Outputs) -> Result<(), Fail> {
    if cfg!(not(feature = "plots")) && out.plots.is_some() {
        return fail("--plots: this custody-sim was built without the `plots` feature");
    }
    Ok(())
}

/// Writes a run's outputs and prints its table (unless quiet or an output
/// goes to standard output).
pub(crate) fn emit_summary(
    scenario: &Scenario,
    summary: &Summary,
    answers: &custody_sim::report::answers::Answers,
    out: &Outputs,
    quiet: bool,
) -> Result<(), Fail> {
    let mut to_stdout = false;
    if let Some(path) = &out.json {
        let doc = json::RunDocument::new(summary)
            .with_answers(answers.clone())
            .with_drawn(scenario);
        json::write_json(&doc, path).map_err(closed)?;
        if is_dash(path) {
            to_stdout = true;
        } else {
            note(quiet, &format!("wrote {}", path.display()));
        }
    }
    if let Some(dir) = &out.csv {
        if is_dash(dir) {
            let stdout = std::io::stdout().lock();
            csv::write_metrics(summary, stdout).map_err(|source| closed(Error::io("-", source)))?;
            to_stdout = true;
        } else {
            for p in csv::write_summary_csv(summary, dir)? {
                note(quiet, &format!("wrote {}", p.display()));
            }
        }
    }
    #[cfg(feature = "plots")]
    if let Some(dir) = &out.plots {
        let files = custody_sim::report::plots::write_plots(scenario, summary, dir)?;
        let n = files.len();
        for p in files.iter().take(12) {
            note(quiet, &format!("wrote {}", p.display()));
        }
        if n > 12 {
            note(
                quiet,
                &format!("… and {} more charts in {}", n - 12, dir.display()),
            );
        }
    }
    if !quiet && !to_stdout {
        print(&table::summary_table(scenario, summary, Some(answers)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(seconds: f64, memory_bytes: u64) -> RunCost {
        RunCost {
            memory_bytes,
            events_per_replication: 1000,
            seconds,
            threads: 2,
        }
    }

    #[test]
    fn long_runs_are_announced_and_huge_ones_refused() {
        assert_eq!(estimate_warning(&estimate(5.0, 1 << 20)), None);
        let w = estimate_warning(&estimate(5400.0, 1 << 20)).unwrap();
        assert!(w.contains("about 90 min on 2 threads"), "{w}");
        let w = estimate_warning(&estimate(1.0, 3 << 30)).unwrap();
        assert!(w.contains("3.0 GiB"), "{w}");
        assert!(check_estimate(&estimate(1.0, 1 << 20), false).is_ok());
        match check_estimate(&estimate(3.0 * 86_400.0, 1 << 20), false) {
            Err(Fail::Msg(m)) => {
                assert!(m.contains("--allow-large") && m.contains("3.0 days"), "{m}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        // Allowed, it runs, with the warning (kept out of the test's output).
        let mut warned = String::new();
        let allowed = check_estimate_with(&estimate(3.0 * 86_400.0, 1 << 20), true, |w| {
            warned = w.to_string();
        });
        assert!(allowed.is_ok());
        assert!(warned.contains("about 3.0 days"), "{warned}");
        assert!(check_estimate(&estimate(1.0, 100 << 30), false).is_err());
    }
}
