//! `custody-sim sensitivity` on a scenario whose `[uncertainty]` lists
//! independent ranges beside a `posterior` file (the bundled baseline):
//! the ranges are the factors (Sobol and Morris), the posterior's columns
//! are held at their weighted medians, and the table, the JSON (`held`)
//! and the report say so; a `--param` on a posterior column varies it
//! and holds the others; a posterior alone is refused, naming it; a
//! `--set` of a posterior column holds it at the value set.

use custody_sim::presets;
use custody_sim::scenario::Uncertainty;
use serde_json::Value;

use super::cli::{Scratch, expect, stderr};
use super::fixtures::{baseline_days, write_scenario};

/// The line the table prints and the report's table carries.
const HELD: &str = "Held at their weighted medians: the 7 columns of the posterior file baseline-posterior.csv not among the parameters (transfer.phase[1].interval_days.value, ";

fn json(path: &str) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// The baseline's listed ranges and its posterior's columns.
fn ranges_and_columns() -> (Vec<String>, Vec<String>) {
    let b = presets::baseline();
    let u = b.uncertainty.as_ref().unwrap();
    let ranges: Vec<String> = u.params.iter().map(|p| p.path.clone()).collect();
    let columns = u.posterior_table.as_ref().unwrap().columns.clone();
    (ranges, columns)
}

#[test]
fn sobol_on_the_baseline_varies_its_18_ranges_and_holds_its_posterior() {
    let (ranges, columns) = ranges_and_columns();
    assert_eq!(ranges.len(), 18);
    assert_eq!(columns.len(), 7);
    let dir = Scratch::new("sens-posterior");
    let (j, r) = (dir.arg("s.json"), dir.arg("s.html"));
    let o = expect(
        0,
        &[
            "sensitivity",
            "baseline",
            "--metric",
            "repatriated",
            "--metric",
            "median_days_to_verdict",
            "--samples",
            "2",
            "-n",
            "1",
            "--bootstrap",
            "5",
            "--json",
            &j,
            "--report",
            &r,
        ],
    );
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(table.contains(HELD), "{table}");
    let doc = json(&j);
    assert_eq!(doc["evaluations"], 2 * (18 + 2));
    for m in doc["metrics"].as_array().unwrap() {
        let paths: Vec<&str> = m["indices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths, ranges, "{}", m["metric"]);
    }
    assert_eq!(strings(&doc["held"]), columns);
    let html = std::fs::read_to_string(&r).unwrap();
    assert!(html.contains("Held at their weighted medians"), "report");
    assert!(html.contains(HELD), "report's note");
}

#[test]
fn morris_on_the_baseline_screens_the_same_ranges_with_the_same_columns_held() {
    let (ranges, columns) = ranges_and_columns();
    let dir = Scratch::new("morris-posterior");
    let j = dir.arg("m.json");
    let o = expect(
        0,
        &[
            "sensitivity",
            "baseline",
            "--method",
            "morris",
            "--trajectories",
            "2",
            "--metric",
            "repatriated",
            "--json",
            &j,
        ],
    );
    assert!(String::from_utf8(o.stdout).unwrap().contains(HELD));
    let doc = json(&j);
    assert_eq!(doc["evaluations"], 2 * (18 + 1));
    let mut paths: Vec<String> = doc["metrics"][0]["indices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    let mut want = ranges;
    want.sort();
    assert_eq!(paths, want);
    assert_eq!(strings(&doc["held"]), columns);
    // run --drivers ranks the same factors with the same columns held.
    let (params, held) = custody_sim::report::drivers::ranked(&presets::baseline()).unwrap();
    assert_eq!(params.len(), 18);
    assert_eq!(held, columns);
}

#[test]
fn a_param_on_a_posterior_column_varies_it_and_holds_the_others() {
    let (_, columns) = ranges_and_columns();
    let dir = Scratch::new("param-posterior");
    let j = dir.arg("p.json");
    let o = expect(
        0,
        &[
            "sensitivity",
            "baseline",
            "--param",
            r#"transfer.phase[1].interval_days.value={dist="uniform",low=0.5,high=5}"#,
            "--metric",
            "repatriated",
            "--samples",
            "2",
            "-n",
            "1",
            "--bootstrap",
            "5",
            "--json",
            &j,
        ],
    );
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(
        table.contains("Held at their weighted medians: the 6 columns of the posterior file baseline-posterior.csv not among the parameters (transfer.phase[2].from, "),
        "{table}"
    );
    let doc = json(&j);
    assert_eq!(
        doc["metrics"][0]["indices"][0]["path"],
        "transfer.phase[1].interval_days.value"
    );
    assert_eq!(doc["metrics"][0]["indices"].as_array().unwrap().len(), 1);
    assert_eq!(strings(&doc["held"]), columns[1..]);
}

#[test]
fn without_a_posterior_nothing_is_held_and_a_posterior_alone_is_refused() {
    let dir = Scratch::new("no-posterior");
    // Ranges alone: no held line, no `held` key.
    let mut s = baseline_days(30);
    let mut u = s.uncertainty.clone().unwrap();
    u.posterior = None;
    u.posterior_table = None;
    s.uncertainty = Some(u);
    let file = write_scenario(&dir, "ranges.toml", &s);
    let j = dir.arg("r.json");
    let o = expect(
        0,
        &[
            "sensitivity",
            &file,
            "--method",
            "morris",
            "--trajectories",
            "2",
            "--metric",
            "repatriated",
            "--json",
            &j,
        ],
    );
    assert!(!String::from_utf8(o.stdout).unwrap().contains("Held at"));
    assert!(json(&j).get("held").is_none());
    // The posterior alone: no independent factor; the error names the
    // file's key and says what to do.
    let mut s = baseline_days(30);
    let mut u: Uncertainty = s.uncertainty.clone().unwrap();
    u.params.clear();
    s.uncertainty = Some(u);
    let file = write_scenario(&dir, "posterior.toml", &s);
    let o = expect(
        1,
        &[
            "sensitivity",
            &file,
            "--metric",
            "repatriated",
            "--samples",
            "2",
        ],
    );
    let e = stderr(&o);
    assert!(e.contains("uncertainty.posterior"), "{e}");
    assert!(e.contains("lists no independent parameter"), "{e}");
    assert!(e.contains("--param"), "{e}");
}

/// A `--set` of a posterior column holds it at the value set: the column
/// leaves the posterior (a run no longer draws it; `sensitivity` no longer
/// holds it at its median), the file's other columns are drawn as before.
#[test]
fn a_set_on_a_posterior_column_holds_the_value_set() {
    let dir = Scratch::new("set-posterior");
    let (_, columns) = ranges_and_columns();
    let shares = [
        "--set",
        "court.sentence[death].probability=0.1",
        "--set",
        "court.sentence[term].probability=0.467",
    ];
    let j = dir.arg("run.json");
    let mut args = vec!["run", "baseline", "-n", "4", "-q", "--json", &j];
    args.extend(shares);
    expect(0, &args);
    let doc = json(&j);
    assert_eq!(
        strings(&doc["uncertainty"]["posterior"]["columns"]),
        columns[..5]
    );
    let metrics = doc["metrics"].as_object().unwrap();
    assert!(!metrics.contains_key("param.court.sentence[death].probability"));
    assert!(metrics.contains_key("param.transfer.phase[1].interval_days.value"));
    let j = dir.arg("morris.json");
    let mut args = vec![
        "sensitivity",
        "baseline",
        "--method",
        "morris",
        "--trajectories",
        "2",
        "--metric",
        "repatriated",
        "-q",
        "--json",
        &j,
    ];
    args.extend(shares);
    expect(0, &args);
    assert_eq!(strings(&json(&j)["held"]), columns[..5]);
}

/// Sharded, then merged, a design on the baseline reports what one
/// process does: the same JSON byte for byte (its `held` included) and
/// the same held line after the table.
#[test]
fn a_sharded_design_on_the_baseline_holds_what_one_process_holds() {
    let dir = Scratch::new("sens-posterior-shards");
    let base = [
        "sensitivity",
        "baseline",
        "--param",
        r#"court.stage[trial].servers={dist="uniform_int",low=5,high=20}"#,
        "--metric",
        "median_days_to_verdict",
        "--samples",
        "4",
        "-n",
        "2",
        "--bootstrap",
        "20",
        "--seed",
        "5",
    ];
    let reference = dir.arg("ref.json");
    let mut args = base.to_vec();
    args.extend(["--json", reference.as_str(), "--quiet"]);
    expect(0, &args);
    let one = json(&reference);
    assert_eq!(strings(&one["held"]).len(), 7, "{one}");
    let mut files = Vec::new();
    for k in 1..=2 {
        let out = dir.arg(&format!("part-{k}.json"));
        let slice = format!("{k}/2");
        let mut args = base.to_vec();
        args.extend(["--shard", slice.as_str(), "--out", out.as_str(), "--quiet"]);
        expect(0, &args);
        files.push(out);
    }
    let merged = dir.arg("merged.json");
    expect(
        0,
        &[
            "merge",
            files[0].as_str(),
            files[1].as_str(),
            "--json",
            merged.as_str(),
            "--quiet",
        ],
    );
    assert_eq!(
        std::fs::read(&reference).unwrap(),
        std::fs::read(&merged).unwrap()
    );
    // The table of the merge ends with the line one process prints.
    let o = expect(0, &["merge", files[0].as_str(), files[1].as_str()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains(HELD), "{text}");
}
