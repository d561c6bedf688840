//! The readable tables of the command line, run as a real process:
//! `compare` and `sweep` choose their metrics with `--metric` (checked
//! against the scenario's metrics, a usage error naming the closest) and
//! default to the capacity answers of the facilities that receive anyone;
//! compare's figures keep one format (at most four significant digits,
//! rates in %, day metrics dated); the run table shows every step of a
//! court schedule, "no limit" for a server count at or above a stage's
//! caseload, and why a group's repatriated and convicted may add up to
//! more than the group.

use std::process::Output;

use serde_json::Value;

use super::cli::{Scratch, expect, stderr};

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn metric_names(j: &Value) -> Vec<String> {
    j["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["metric"].as_str().unwrap().to_string())
        .collect()
}

/// Whether the schema of this build has the metric pattern.
fn schema_has(pattern: &str) -> bool {
    custody_sim::model::schema::metric_defs().any(|d| d.pattern == pattern)
}

const COMPARE: [&str; 8] = [
    "compare",
    "baseline",
    "--set",
    "horizon_days=120",
    "--variant",
    "more:court.stage[trial].servers=40",
    "-n",
    "6",
];

#[test]
fn compare_defaults_to_the_capacity_answers_of_the_receiving_facilities() {
    let mut args = COMPARE.to_vec();
    args.extend(["--json", "-"]);
    let j: Value = serde_json::from_slice(&expect(0, &args).stdout).unwrap();
    let mut want = Vec::new();
    // Karkh receives the transferees, Nasiriyah the relocated and the
    // sentenced to death; Hillah and Nineveh nobody: their figures are
    // inputs and not among the answers.
    for f in ["Karkh", "Nasiriyah"] {
        for m in [
            "first_day_over_capacity",
            "peak_occupancy_rate",
            "days_over_capacity",
            "first_day_back_under",
        ] {
            if schema_has(&format!("facility.<facility>.{m}")) {
                want.push(format!("facility.{f}.{m}"));
            }
        }
    }
    want.extend(["median_days_to_verdict", "repatriated"].map(String::from));
    assert_eq!(metric_names(&j), want);
}

#[test]
fn compare_metric_flags_keep_the_shape_they_asked_for() {
    let mut args = COMPARE.to_vec();
    args.extend([
        "--metric",
        "convicted",
        "--metric",
        "transferred",
        "--json",
        "-",
    ]);
    let j: Value = serde_json::from_slice(&expect(0, &args).stdout).unwrap();
    assert_eq!(metric_names(&j), ["convicted", "transferred"]);
    assert_eq!(j["labels"], serde_json::json!(["base", "more"]));
}

#[test]
fn an_unknown_metric_is_a_usage_error_naming_the_closest() {
    let mut args = COMPARE.to_vec();
    args.extend(["--metric", "facility.Karkh.peak_occupancy_rat"]);
    let o = expect(2, &args);
    let err = stderr(&o);
    assert!(err.starts_with("error: --metric"), "{err}");
    assert!(
        err.contains("\"facility.Karkh.peak_occupancy_rate\""),
        "{err}"
    );
    // The sweep refuses it before any work, the same way.
    let o = expect(
        2,
        &[
            "sweep",
            "baseline",
            "--vary",
            "court.stage[trial].servers=15,30",
            "-n",
            "2",
            "--metric",
            "transfered",
        ],
    );
    assert!(stderr(&o).contains("\"transferred\""), "{}", stderr(&o));
}

#[test]
fn compare_figures_have_one_format_and_day_metrics_their_dates() {
    let o = expect(0, &COMPARE);
    let text = stdout(&o);
    // Karkh passes its beds around 10 February 2026 (dated by its p5–p95
    // band); Nasiriyah is over on day 0.
    let karkh = text
        .split("\n\n")
        .find(|b| b.starts_with("facility.Karkh.first_day_over_capacity"))
        .unwrap();
    assert!(karkh.contains(" Feb 2026)"), "{karkh}");
    assert!(text.contains("over on day 0"), "{text}");
    // Rates in percent, their differences in percentage points.
    assert!(text.contains("% ["), "{text}");
    assert!(text.contains(" pp"), "{text}");
    // No figure with more than four significant digits after a decimal
    // point, no ungrouped thousands with decimals.
    for word in text.split([' ', '[', ']', ',', '%', '(', ')']) {
        if let Some((int, frac)) = word.split_once('.') {
            let int = int.trim_start_matches(['-', '+']);
            if int.chars().all(|c| c.is_ascii_digit()) && frac.chars().all(|c| c.is_ascii_digit()) {
                let digits = int.trim_start_matches('0').len() + frac.len();
                assert!(digits <= 4, "{word} in\n{text}");
            }
        }
    }
    assert!(!text.contains("5704.00"), "{text}");
}

#[test]
fn sweep_tables_and_charts_show_the_chosen_metrics() {
    let dir = Scratch::new("sweep-metric");
    let base = [
        "sweep",
        "baseline",
        "--set",
        "horizon_days=120",
        "--vary",
        "court.stage[trial].servers=15,30",
        "-n",
        "4",
    ];
    // Default: the capacity answers, not the old headline list.
    let text = stdout(&expect(0, &base));
    assert!(
        text.contains("\nfacility.Karkh.days_over_capacity\n"),
        "{text}"
    );
    assert!(text.contains("\nrepatriated\n"), "{text}");
    assert!(!text.contains("\nescaped\n"), "{text}");
    assert!(!text.contains("Hillah"), "{text}");
    // Chosen: those blocks only, in the order given; the chart draws them.
    let plots = dir.arg("plots");
    let report = dir.arg("sweep.html");
    let mut args = base.to_vec();
    args.extend([
        "--metric",
        "mean_days_to_verdict",
        "--metric",
        "facility.Karkh.peak_occupancy_rate",
        "--plots",
        &plots,
        "--report",
        &report,
    ]);
    let text = stdout(&expect(0, &args));
    let a = text.find("\nmean_days_to_verdict\n").expect("first block");
    let b = text
        .find("\nfacility.Karkh.peak_occupancy_rate\n")
        .expect("second block");
    assert!(a < b, "{text}");
    assert!(!text.contains("\nrepatriated\n"), "{text}");
    let svg = std::fs::read_to_string(dir.path("plots").join("sweep.svg")).unwrap();
    assert_eq!(
        svg.matches("<circle").count(),
        2 * 2,
        "two metrics × two cells"
    );
    // The report's answers and tables are of the chosen metrics too.
    let html = std::fs::read_to_string(dir.path("sweep.html")).unwrap();
    assert!(html.contains("facility.Karkh.peak_occupancy_rate"));
    assert!(!html.contains("remaining_in_syria"));
}

#[test]
fn the_run_table_shows_every_court_step_and_explains_repatriation_after_conviction() {
    // The frozen version 2 baseline: its investigation steps up to 6,000
    // servers, more than its cases, and its Turks may leave before a verdict.
    let v2 = crate::snapshot::BASELINE_V2;
    let o = expect(0, &["run", v2, "-n", "4", "--seed", "1"]);
    let text = stdout(&o);
    assert!(
        text.contains("0 → 3,000 (28 Jan) → 6,000 (1 Mar; no limit)"),
        "{text}"
    );
    assert!(
        text.contains("(no limit: investigation has at least as many servers as the 5,704 cases"),
        "{text}"
    );
    // The Turkish group is repatriated before a verdict or from prison
    // after one: the table says so, and why the two columns overlap.
    let turkish = text
        .lines()
        .find(|l| l.trim_start().starts_with("Turkish"))
        .unwrap();
    assert!(
        turkish.ends_with("before a verdict or after conviction*"),
        "{turkish}"
    );
    assert!(text.contains("(Turkish: "), "{text}");
    assert!(text.contains("which is no error"), "{text}");
}

#[test]
fn compare_text_opens_with_each_scenarios_capacity_answers() {
    let text = stdout(&expect(0, &COMPARE));
    // The answers of each scenario, in order, before the metric table.
    assert!(
        text.starts_with(
            "Answers, base\n  Karkh passes its beds (4,000 in the file; drawn per run, "
        ),
        "{text}"
    );
    let more = text
        .find("\nAnswers, more\n  Karkh passes its beds (4,000 in the file; drawn per run, ")
        .unwrap();
    let table = text.find("replications per scenario, seed").unwrap();
    assert!(more < table, "{text}");
    // Dates with their bands, and the input-only facilities marked.
    let base = &text[..more];
    assert!(base.contains(" 2026 (90% of runs: "), "{base}");
    assert!(base.contains("Hillah (input only"), "{base}");
}
