//! `--report FILE.html` on `run`, `sweep`, `compare`, `backtest`,
//! `calibrate` and `sensitivity`, run as a real process with `--json` in
//! the same invocation: each report parses as HTML5 with no parse error,
//! fetches nothing and runs nothing, and holds what it claims (its
//! headline figures are the JSON's, exactly; each scenario hash is the
//! SHA-256 of the scenario text it embeds; the command line; charts for a
//! run).

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use sha2::{Digest, Sha256};

use custody_sim::presets;

use super::cli::{Scratch, expect};

const OBSERVED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/observed/transfer-2026.csv"
);

/// A scenario name that must be escaped wherever it appears.
const NASTY: &str = r#"Karkh <&> "quoted" 'single'"#;

pub(crate) fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs `args` with `--json` and `--report` into `dir`; returns the parsed
/// report, its text and the JSON, after the checks every report must pass.
pub(crate) fn report_of(dir: &Scratch, args: &[&str]) -> (Html, String, Value) {
    let (json, report) = (dir.arg("out.json"), dir.arg("report.html"));
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--json", &json, "--report", &report, "--quiet"]);
    expect(0, &all);
    let text = std::fs::read_to_string(&report).unwrap();
    let j: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let doc = Html::parse_document(&text);
    assert!(
        doc.errors.is_empty(),
        "{args:?}: parse errors {:?}",
        doc.errors
    );
    assert!(text.starts_with("<!DOCTYPE html>"));
    // Nothing runs, nothing is fetched.
    let lower = text.to_lowercase();
    for bad in [
        "<script",
        "@import",
        "url(",
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "<link",
        "<iframe",
        "<img",
    ] {
        assert!(!lower.contains(bad), "{args:?}: the report holds {bad:?}");
    }
    assert!(
        doc.select(&sel("meta[name=viewport]")).next().is_some(),
        "no viewport"
    );
    let style = doc.select(&sel("style")).next().unwrap().inner_html();
    assert!(style.contains("@media print") && style.contains("overflow-x:auto"));
    // Each scenario hash is that of the text shown below it.
    let hashes: Vec<String> = doc
        .select(&sel("code.sha256"))
        .map(|e| e.text().collect())
        .collect();
    let tomls: Vec<String> = doc
        .select(&sel("code.scenario-toml"))
        .map(|e| e.text().collect())
        .collect();
    assert!(!tomls.is_empty(), "{args:?}: no scenario");
    assert_eq!(hashes.len(), tomls.len());
    for (h, t) in hashes.iter().zip(&tomls) {
        assert_eq!(h, &sha256_hex(t), "{args:?}");
        // The text is a scenario that reads back.
        custody_sim::Scenario::from_toml_str(t).unwrap();
    }
    // The command line as typed, and the provenance.
    let cmd: String = doc
        .select(&sel("code.command-line"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(
        cmd.starts_with(&format!("custody-sim {}", args[0])),
        "{cmd}"
    );
    assert!(cmd.contains(&format!("--report {report}")), "{cmd}");
    assert!(text.contains(env!("CARGO_PKG_VERSION")));
    assert!(text.contains("do not depend on the number of threads"));
    // The answers come first.
    let answers = text.find("id=\"answers\"").unwrap();
    for later in [
        "id=\"tables\"",
        "id=\"charts\"",
        "id=\"scenario\"",
        "id=\"provenance\"",
    ] {
        assert!(
            text.find(later).is_some_and(|i| i > answers),
            "{later} after the answers"
        );
    }
    (doc, text, j)
}

/// The exact value of `<data class=CLASS>` in the answer about `metric`.
fn answer(doc: &Html, metric: &str, class: &str) -> f64 {
    let li = doc
        .select(&sel("#answers li"))
        .find(|li| li.value().attr("data-metric") == Some(metric))
        .unwrap_or_else(|| panic!("no answer about {metric}"));
    data(li, class)
}

pub(crate) fn data(e: ElementRef<'_>, class: &str) -> f64 {
    let d = e
        .select(&sel(&format!("data.{class}")))
        .next()
        .unwrap_or_else(|| panic!("no {class} in {}", e.html()));
    d.value().attr("value").unwrap().parse().unwrap()
}

/// Every number in `v`, recursively.
fn json_numbers(v: &Value, out: &mut Vec<f64>) {
    match v {
        Value::Number(n) => out.extend(n.as_f64()),
        Value::Array(a) => a.iter().for_each(|x| json_numbers(x, out)),
        Value::Object(o) => o.values().for_each(|x| json_numbers(x, out)),
        _ => {}
    }
}

pub(crate) fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn run_report_holds_the_headline_metrics_charts_and_scenario() {
    let dir = Scratch::new("report-run");
    // The frozen version 2 baseline: no `[uncertainty]`, so the title is
    // the name alone (a drawn posterior would be named after it).
    let mut s = crate::fixtures::baseline_v2_days(90);
    s.name = NASTY.into();
    let file = crate::fixtures::write_scenario(&dir, "nasty.toml", &s);
    let (doc, text, j) = report_of(
        &dir,
        &[
            "run",
            &file,
            "-n",
            "6",
            "--seed",
            "3",
            "--set",
            "court.stage[trial].servers=25",
        ],
    );
    // The escaped name reads back as itself.
    let h1: String = doc.select(&sel("h1")).next().unwrap().text().collect();
    assert_eq!(h1, format!("Scenario {NASTY}"));
    assert!(!text.contains("<&>"));
    // The answers are the capacity answers of the JSON: one item per
    // facility (every receiving one named), court stage and repatriated
    // group, with the JSON's sentence and, in each `<data>`, one of the
    // JSON's numbers exactly.
    let a = &j["answers"];
    let mut numbers = Vec::new();
    json_numbers(a, &mut numbers);
    let mut expected = Vec::new();
    for (list, key, prefix) in [
        ("facilities", "facility", "facility"),
        ("stages", "stage", "stage"),
        ("groups", "group", "group"),
    ] {
        for x in a[list].as_array().unwrap() {
            expected.push((
                format!("{prefix}.{}", x[key].as_str().unwrap()),
                x["text"].as_str().unwrap().to_string(),
            ));
        }
    }
    assert_eq!(
        a["facilities"].as_array().unwrap().len(),
        s.facilities.len()
    );
    let items: Vec<ElementRef<'_>> = doc.select(&sel("#answers li")).collect();
    assert_eq!(items.len(), expected.len());
    for (li, (about, text)) in items.iter().zip(&expected) {
        assert_eq!(li.value().attr("data-answer"), Some(about.as_str()));
        assert_eq!(&li.text().collect::<String>(), text);
        let data: Vec<_> = li.select(&sel("data.answer")).collect();
        // A facility's answer has figures; a stage with no queue may not.
        assert!(
            !data.is_empty() || !about.starts_with("facility."),
            "{about}: no figure"
        );
        for d in data {
            let v: f64 = d.value().attr("value").unwrap().parse().unwrap();
            assert!(numbers.contains(&v), "{about}: {v} is not in the JSON");
        }
    }
    for (i, f) in s.facilities.iter().enumerate() {
        if s.receives(i) {
            let named = items
                .iter()
                .any(|li| li.text().collect::<String>().starts_with(&f.name));
            assert!(named, "{} is not named", f.name);
        }
    }
    // The scenario hash is the run's.
    let hash: String = doc
        .select(&sel("code.sha256"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert_eq!(hash, j["scenario_sha256"].as_str().unwrap());
    assert!(text.contains("--set court.stage[trial].servers=25"));
    // Charts, inline, scaling to the page.
    #[cfg(feature = "plots")]
    {
        let svgs: Vec<_> = doc.select(&sel("figure.chart svg")).collect();
        assert!(svgs.len() >= 4, "{} charts", svgs.len());
        assert!(svgs.iter().all(|s| s.value().attr("viewbox").is_some()
            || s.value().attr("viewBox").is_some()));
    }
    let seed: String = doc.select(&sel("dd.seed")).next().unwrap().text().collect();
    assert_eq!(seed, "3");
}

#[test]
fn sweep_report_holds_the_cells_and_paired_differences() {
    let dir = Scratch::new("report-sweep");
    let (doc, _, j) = report_of(
        &dir,
        &[
            "sweep",
            "baseline",
            "--set",
            "horizon_days=120",
            "--vary",
            "court.stage[trial].servers=10,40",
            "-n",
            "6",
        ],
    );
    let cells = j["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 2);
    // The answers are the capacity answers, the default metrics.
    let m = "median_days_to_verdict";
    let first = num(&cells[0]["metrics"][m]["mean"]);
    assert_eq!(answer(&doc, m, "mean"), first);
    let diff = &cells[1]["diff"][m];
    assert_eq!(answer(&doc, m, "diff"), num(&diff["mean"]));
    assert_eq!(answer(&doc, m, "ci95_low"), num(&diff["ci95_low"]));
    assert!(
        doc.select(&sel("#answers li"))
            .all(|li| li.value().attr("data-metric") != Some("convicted"))
    );
    assert!(doc.select(&sel("#tables table")).count() >= 8);
}

#[test]
fn compare_report_holds_the_comparison_table() {
    let dir = Scratch::new("report-compare");
    let (doc, text, j) = report_of(
        &dir,
        &[
            "compare",
            "baseline",
            "--set",
            "horizon_days=120",
            "--variant",
            "more:court.stage[trial].servers=40",
            "-n",
            "6",
        ],
    );
    for row in j["metrics"].as_array().unwrap() {
        let metric = row["metric"].as_str().unwrap();
        let e = &row["entries"];
        assert_eq!(answer(&doc, metric, "mean"), num(&e[0]["stats"]["mean"]));
        if let Some(d) = e[1]["diff"]["mean"].as_f64() {
            assert_eq!(answer(&doc, metric, "diff"), d, "{metric}");
        }
    }
    // Both scenarios as run, the variant's with its override, shown as
    // the variant's; the `--set` as a `--set`.
    assert_eq!(doc.select(&sel("code.scenario-toml")).count(), 2);
    assert!(text.contains("variant more: court.stage[trial].servers = 40"));
    assert!(!text.contains("--set court.stage[trial].servers=40"));
    assert!(text.contains("--set horizon_days=120"));
    let rows = doc.select(&sel("#tables tbody tr")).count();
    assert_eq!(rows, 2 * j["metrics"].as_array().unwrap().len());
}

#[test]
fn backtest_report_holds_the_scores_and_rows() {
    let dir = Scratch::new("report-backtest");
    let (doc, _, j) = report_of(
        &dir,
        &["backtest", "baseline", "--observed", OBSERVED, "-n", "20"],
    );
    for key in ["coverage", "mean_interval_score", "crps"] {
        assert_eq!(answer(&doc, key, key), num(&j[key]), "{key}");
    }
    let rows = doc.select(&sel("#tables tbody tr")).count();
    assert_eq!(rows, j["rows"].as_array().unwrap().len());
}

#[test]
fn calibrate_report_holds_the_posterior_and_schedule() {
    let dir = Scratch::new("report-calibrate");
    let post = dir.arg("post.csv");
    let (doc, _, j) = report_of(
        &dir,
        &[
            "calibrate",
            "baseline",
            "--observed",
            OBSERVED,
            "--prior",
            r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#,
            "--out",
            &post,
            "--particles",
            "20",
            "--max-simulations",
            "120",
        ],
    );
    let s = &j["summary"][0];
    let path = s["path"].as_str().unwrap();
    for key in ["q05", "q50", "q95", "mean"] {
        assert_eq!(answer(&doc, path, key), num(&s[key]), "{key}");
    }
    assert_eq!(answer(&doc, "ess", "ess"), num(&j["ess"]));
    // The tolerance schedule, one row per generation.
    let sched = doc
        .select(&sel("#tables figure.table"))
        .find(|f| f.text().any(|t| t.contains("Tolerance schedule")))
        .unwrap();
    assert_eq!(
        sched.select(&sel("tbody tr")).count(),
        j["tolerance_schedule"].as_array().unwrap().len()
    );
}

#[test]
fn sensitivity_report_holds_indices_and_swings() {
    let dir = Scratch::new("report-sensitivity");
    let (doc, _, j) = report_of(
        &dir,
        &[
            "sensitivity",
            "baseline",
            "--set",
            "horizon_days=60",
            "--metric",
            "last_arrival_day",
            "--param",
            r#"court.stage[trial].servers={dist="uniform_int",low=10,high=40}"#,
            "--param",
            r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#,
            "--samples",
            "8",
            "--bootstrap",
            "20",
            "-n",
            "4",
        ],
    );
    let m = &j["metrics"][0];
    // The answer names the parameter of largest total index.
    let top = m["indices"]
        .as_array()
        .unwrap()
        .iter()
        .max_by(|a, b| num(&a["total"]["estimate"]).total_cmp(&num(&b["total"]["estimate"])))
        .unwrap();
    let li = doc
        .select(&sel("#answers li"))
        .find(|li| li.value().attr("data-metric") == Some("last_arrival_day"))
        .unwrap();
    assert!(li.text().any(|t| t == top["path"].as_str().unwrap()));
    assert_eq!(data(li, "total"), num(&top["total"]["estimate"]));
    assert_eq!(data(li, "swing"), num(&top["swing"]["estimate"]));
    // One row per parameter; the baseline's posterior columns, not varied
    // here, are held at their medians and listed in a table of their own.
    let held = doc
        .select(&sel("#tables figure.table"))
        .find(|f| f.text().any(|t| t == "Held at their weighted medians"))
        .unwrap();
    assert_eq!(held.select(&sel("tbody tr")).count(), 7);
    assert_eq!(j["held"].as_array().unwrap().len(), 7);
    assert_eq!(doc.select(&sel("#tables tbody tr")).count(), 2 + 7);
}

#[test]
fn report_paths_are_checked_before_any_work() {
    let dir = Scratch::new("report-paths");
    std::fs::write(dir.path("s.toml"), presets::baseline().to_toml_string()).unwrap();
    let s = dir.arg("s.toml");
    // Never over an input, never to standard output, never into a missing folder.
    expect(2, &["run", &s, "-n", "2", "--report", &s]);
    expect(2, &["run", "baseline", "-n", "2", "--report", "-"]);
    expect(
        2,
        &[
            "backtest",
            "baseline",
            "--observed",
            OBSERVED,
            "--report",
            OBSERVED,
        ],
    );
    let missing = dir.arg("no/such/folder/r.html");
    expect(1, &["run", "baseline", "-n", "2", "--report", &missing]);
    assert!(!dir.path("no").exists());
    // A sweep slice into a shard file has no report.
    expect(
        2,
        &[
            "sweep",
            "baseline",
            "--vary",
            "horizon_days=10,20",
            "--shard",
            "1/2",
            "--out",
            &dir.arg("x.shard"),
            "--report",
            &dir.arg("r.html"),
        ],
    );
}

#[test]
fn the_parser_reports_the_errors_these_tests_rely_on() {
    // A checker that found nothing wrong here would make the tests above
    // pass on any report.
    assert!(
        !Html::parse_document("<p>unclosed <b>bold</p>")
            .errors
            .is_empty()
    );
    assert!(
        !Html::parse_document("<html><body>no doctype</body></html>")
            .errors
            .is_empty()
    );
    assert!(
        Html::parse_document("<!DOCTYPE html><title>t</title><p>fine")
            .errors
            .is_empty()
    );
}

#[test]
fn hindcast_report_holds_the_out_of_sample_scores_and_rows() {
    let dir = Scratch::new("report-hindcast");
    let (doc, text, j) = report_of(
        &dir,
        &[
            "hindcast",
            "baseline",
            "--observed",
            OBSERVED,
            "--origin",
            "2026-02-07",
            "-n",
            "20",
        ],
    );
    for key in ["coverage", "mean_interval_score", "crps"] {
        assert_eq!(answer(&doc, key, key), num(&j[key]), "{key}");
    }
    // One scored row per origin and row after it, in the scored-rows table.
    let scored = j["origins"][0]["scored"]["rows"].as_array().unwrap().len();
    let table = doc
        .select(&sel("#tables figure.table"))
        .find(|t| t.html().contains("Scored reports"))
        .unwrap();
    assert_eq!(table.select(&sel("tbody tr")).count(), scored);
    assert!(text.contains("Hindcast from 7 Feb 2026"), "the chart");
}
