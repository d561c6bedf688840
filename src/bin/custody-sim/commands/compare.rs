//! `custody-sim compare`: scenarios (or variants of one) side by side on
//! common random numbers, with paired differences to the first.

use custody_sim::decide::{
    Comparison, compare as run_compare, compare_and_summarise, variant_scenarios,
};
use custody_sim::report::answers::answers_of_each;
use custody_sim::report::csv::comparison_csv;
use custody_sim::report::html::{Provenance, Report};
use custody_sim::report::table::comparison_table;
use custody_sim::scenario::{Override, Variant};
use custody_sim::{Runs, Scenario};

use super::{
    check_work, chosen_metrics, emit_json, emit_text, file_or_dash, load, scenario_inputs, threads,
};
use crate::args::CompareArgs;
use crate::output::{self, Kind, Output, is_dash, print};
use crate::{Fail, usage};

/// `label:PATH=VALUE[,PATH=VALUE]`.
fn parse_variant(text: &str) -> Result<Variant, Fail> {
    let bad = || {
        Fail::Usage(format!(
            "--variant {text:?}: expected LABEL:PATH=VALUE[,PATH=VALUE...]"
        ))
    };
    let (label, rest) = text.split_once(':').ok_or_else(bad)?;
    if label.trim().is_empty() {
        return Err(bad());
    }
    let mut v = Variant::new(label.trim());
    for a in rest.split(',') {
        let (p, x) = crate::args::parse_assignment(a).map_err(|_| bad())?;
        v = v.set(p, &x);
    }
    Ok(v)
}

/// Refuses labels that would be ambiguous or unsafe to print: one given
/// twice (a scenario or variant label, `base` included), or one holding a
/// control character (an escape sequence or line break would reach the
/// terminal and the files as it is). A usage error naming the label.
fn check_labels<'a>(labels: impl IntoIterator<Item = (&'static str, &'a str)>) -> Result<(), Fail> {
    let mut seen = std::collections::HashSet::new();
    for (flag, label) in labels {
        if let Some(c) = label.chars().find(|c| c.is_control()) {
            return usage(format!(
                "{flag} {label:?}: a label must not contain the control character {c:?}"
            ));
        }
        if !seen.insert(label) {
            return usage(format!(
                "{flag} {label:?}: the label {label:?} is given twice; give each scenario a label of its own"
            ));
        }
    }
    Ok(())
}

pub(crate) fn compare(a: &CompareArgs) -> Result<(), Fail> {
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
    let inputs: Vec<std::path::PathBuf> = a
        .scenarios
        .iter()
        .flat_map(|s| scenario_inputs(s))
        .collect();
    output::check(&outputs, &inputs)?;
    let variants = a
        .variant
        .iter()
        .map(|v| parse_variant(v))
        .collect::<Result<Vec<_>, _>>()?;
    if !variants.is_empty() && a.scenarios.len() != 1 {
        return usage("--variant: give exactly one scenario to vary");
    }
    if variants.is_empty() && a.scenarios.len() < 2 {
        return usage("compare: give at least two scenarios, or one and --variant");
    }
    if variants.is_empty() {
        check_labels(a.scenarios.iter().map(|s| ("scenario", s.as_str())))?;
    } else {
        check_labels(
            std::iter::once(("--variant", "base"))
                .chain(variants.iter().map(|v| ("--variant", v.name.as_str()))),
        )?;
    }
    let runs = Runs {
        replications: a.replications,
        seed: a.common.seed,
        threads: threads(a.common.threads, a.replications),
    };
    if cfg!(not(feature = "plots")) && a.plots.is_some() {
        return crate::fail("--plots: this custody-sim was built without the `plots` feature");
    }
    // The scenarios as run, with their overrides (for the report).
    let sets = super::overrides(&a.common.set);
    let (scenarios, overrides) = if variants.is_empty() {
        let scenarios = a
            .scenarios
            .iter()
            .map(|s| Ok((s.clone(), load(s, &a.common.set)?)))
            .collect::<Result<Vec<_>, Fail>>()?;
        let overrides = vec![Vec::from(sets.clone()); scenarios.len()];
        (scenarios, overrides)
    } else {
        let base = load(&a.scenarios[0], &a.common.set)?;
        let mut all = vec![Variant::new("base")];
        all.extend(variants);
        let overrides = all
            .iter()
            .map(|v| {
                let mut o = sets.clone();
                o.extend(v.overrides.iter().cloned());
                o.into()
            })
            .collect();
        (variant_scenarios(&base, &all)?, overrides)
    };
    // The `--metric`s, checked before any work, or the capacity answers.
    let chosen = chosen_metrics(
        &a.metric,
        &scenarios.iter().map(|(_, s)| s).collect::<Vec<_>>(),
    )?;
    let metrics: Vec<&str> = chosen.iter().map(String::as_str).collect();
    // Every scenario runs `--replications` once (with its daily series
    // when charts, a report or the text output need them or its capacity
    // answers): estimated on the scenario that costs the most.
    let to_stdout = json_to.is_some_and(is_dash) || csv_to.is_some_and(is_dash);
    let text = !a.common.quiet && !to_stdout;
    let fans = a.plots.is_some() || a.report.report.is_some() || text;
    let total = a.replications.saturating_mul(scenarios.len() as u64);
    if let Some((_, costliest)) = scenarios
        .iter()
        .max_by_key(|(_, s)| custody_sim::montecarlo::events_per_replication(s))
    {
        check_work(costliest, total, runs.threads, a.common.allow_large)?;
    }
    // The overlay fans and the capacity answers need each scenario's
    // summary: the same run of each gives the table and the summary.
    let (c, summaries) = if fans {
        compare_and_summarise(&scenarios, &metrics, &runs)?
    } else {
        (run_compare(&scenarios, &metrics, &runs)?, Vec::new())
    };
    #[cfg(feature = "plots")]
    if let Some(dir) = &a.plots {
        for p in custody_sim::report::plots::write_compare_plots(&scenarios, &summaries, dir)? {
            crate::output::note(a.common.quiet, &format!("wrote {}", p.display()));
        }
    }
    if let Some(p) = json_to {
        emit_json(&c, p, a.common.quiet)?;
    }
    if let Some(p) = csv_to {
        emit_text(&comparison_csv(&c), p, a.common.quiet)?;
    }
    if text {
        // The capacity answers of each scenario lead, then the table.
        print(&format!(
            "{}\n{}",
            answers_of_each(&scenarios, &summaries),
            comparison_table(&c)
        ))?;
    }
    let as_run: Vec<(String, Scenario, Vec<Override>)> = scenarios
        .iter()
        .cloned()
        .zip(overrides)
        .map(|((l, s), o)| (l, s, o))
        .collect();
    #[cfg(feature = "plots")]
    let figures = if a.report.report.is_some() {
        custody_sim::report::plots::compare_figures(&scenarios, &summaries)?
    } else {
        Vec::new()
    };
    #[cfg(not(feature = "plots"))]
    let figures: Vec<output::Figure> = Vec::new();
    report(a, &c, &as_run, figures)
}

/// `--report`: the comparison's HTML report.
fn report(
    a: &CompareArgs,
    c: &Comparison,
    as_run: &[(String, Scenario, Vec<Override>)],
    figures: Vec<output::Figure>,
) -> Result<(), Fail> {
    let Some(path) = &a.report.report else {
        return Ok(());
    };
    let provenance = Provenance::now(a.common.seed, Some(a.replications), output::command_line());
    let r = Report::comparison(c, as_run);
    output::write_report(path, r, figures, provenance, a.common.quiet)
}
