//! What drives the answers (`report::drivers`, `run --drivers`) and what
//! a run draws its parameters from (`report::drawn`): a known dominant
//! parameter ranked first, the "What drives this" section of the report
//! and the JSON's `answers.drivers`, the pointer to `sensitivity` without
//! them, and a calibrated scenario naming its posterior file in the
//! table, the JSON, the report and the charts.

use custody_sim::report::drivers::Drivers;
use custody_sim::scenario::Uncertainty;
use custody_sim::{Dist, Scenario};
use serde_json::Value;

use super::cli::{Scratch, expect, stderr};
use super::fixtures::{baseline_days, write_scenario};

/// The baseline over 60 days with two uncertain parameters: Karkh's beds
/// (which set how far and how long Karkh is over them) and Hillah's beds
/// (no one enters Hillah: they move no answer about Karkh).
fn two_parameters() -> Scenario {
    let mut s = baseline_days(60);
    s.uncertainty = Some(Uncertainty::new([
        ("facility[Hillah].capacity", Dist::uniform_int(2000, 4000)),
        ("facility[Karkh].capacity", Dist::uniform_int(1000, 6000)),
    ]));
    s
}

#[test]
fn the_parameter_that_moves_a_facility_is_ranked_first() {
    let s = two_parameters();
    let d = Drivers::compute(&s, 32, 5, 0, 3).unwrap();
    assert_eq!(d.evaluations, 32 * 4);
    assert_eq!(
        d.parameters,
        ["facility[Hillah].capacity", "facility[Karkh].capacity"]
    );
    for m in [
        "facility.Karkh.days_over_capacity",
        "facility.Karkh.peak_occupancy_rate",
        "facility.Karkh.first_day_over_capacity",
    ] {
        let a = d.answers.iter().find(|a| a.metric == m).unwrap();
        assert_eq!(a.top[0].path, "facility[Karkh].capacity", "{m}: {a:?}");
        // Hillah's beds do nothing to Karkh: under common random numbers
        // its total index is exactly 0, so it is not listed at all.
        assert!(
            a.top.iter().all(|x| x.path != "facility[Hillah].capacity"),
            "{m}: {a:?}"
        );
        let t = a.top[0].total;
        assert!(
            t.estimate.unwrap() > 0.5 && t.ci95_low.unwrap() > 0.2,
            "{m}: {t:?}"
        );
        assert!(
            a.text
                .text()
                .contains("facility[Karkh].capacity (total index ")
        );
    }
    // Input-only facilities have no headline answer.
    assert!(!d.answers.iter().any(|a| a.metric.contains("Hillah")));
}

#[test]
fn run_drivers_fills_the_report_section_the_json_and_the_table() {
    let dir = Scratch::new("drivers");
    let file = write_scenario(&dir, "two.toml", &two_parameters());
    let (json, html) = (dir.arg("run.json"), dir.arg("run.html"));
    let o = expect(
        0,
        &[
            "run",
            &file,
            "-n",
            "8",
            "--seed",
            "3",
            "--drivers",
            "16",
            "--json",
            &json,
            "--report",
            &html,
        ],
    );
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(table.contains("What drives this\n"), "{table}");
    assert!(
        table.contains("Karkh, days over capacity: facility[Karkh].capacity (total index "),
        "{table}"
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let d = &doc["answers"]["drivers"];
    assert_eq!(d["base_samples"], 16);
    assert_eq!(d["evaluations"], 16 * 4);
    let answers = d["answers"].as_array().unwrap();
    let karkh = answers
        .iter()
        .find(|a| a["metric"] == "facility.Karkh.days_over_capacity")
        .unwrap();
    assert_eq!(karkh["top"][0]["path"], "facility[Karkh].capacity");
    let html = std::fs::read_to_string(&html).unwrap();
    let section = &html[html
        .find("<section id=\"drivers\">")
        .expect("a drivers section")..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("<h2>What drives this</h2>"));
    assert!(section.contains("N = 16 base samples"), "{section}");
    // Each answer's item, with the JSON's numbers given exactly.
    let item = &section[section
        .find("<li data-drivers=\"facility.Karkh.days_over_capacity\">")
        .unwrap()..];
    let item = &item[..item.find("</li>").unwrap()];
    assert!(
        item.contains("facility[Karkh].capacity (total index "),
        "{item}"
    );
    let total = karkh["top"][0]["total"]["estimate"].as_f64().unwrap();
    assert!(
        item.contains(&format!("<data class=\"answer\" value=\"{total}\">")),
        "{item}"
    );
    // The section comes right after the answers, before the tables.
    let at = |s: &str| html.find(s).unwrap();
    assert!(
        at("id=\"answers\"") < at("id=\"drivers\"") && at("id=\"drivers\"") < at("id=\"tables\"")
    );
}

#[test]
fn without_drivers_the_section_points_to_sensitivity() {
    let dir = Scratch::new("drivers-pointer");
    // No [uncertainty] (the frozen version 2 baseline): how to give ranges
    // to `sensitivity`.
    let plain = dir.arg("plain.toml");
    std::fs::write(&plain, super::fixtures::BASELINE_V2).unwrap();
    let html = dir.arg("plain.html");
    expect(
        0,
        &[
            "run",
            &plain,
            "-n",
            "2",
            "--set",
            "horizon_days=20",
            "--report",
            &html,
            "--quiet",
        ],
    );
    let text = std::fs::read_to_string(&html).unwrap();
    let section = &text[text.find("<section id=\"drivers\">").unwrap()..];
    assert!(section.contains("has no [uncertainty]"), "{section}");
    assert!(section.contains("custody-sim sensitivity SCENARIO --param"));
    // Uncertain parameters without --drivers: how to rank them.
    let file = write_scenario(&dir, "two.toml", &two_parameters());
    let html = dir.arg("two.html");
    expect(0, &["run", &file, "-n", "2", "--report", &html, "--quiet"]);
    let text = std::fs::read_to_string(&html).unwrap();
    let section = &text[text.find("<section id=\"drivers\">").unwrap()..];
    assert!(
        section.contains("--drivers (512 more replications at N = 128)"),
        "{section}"
    );
    // --drivers on a scenario with nothing to rank is refused before any run.
    let o = expect(1, &["run", &plain, "-n", "2", "--drivers"]);
    assert!(
        stderr(&o).contains("no [uncertainty] table"),
        "{}",
        stderr(&o)
    );
}

/// A calibrated scenario: `[uncertainty] posterior` naming a weighted CSV
/// of Karkh's beds.
fn calibrated(dir: &Scratch) -> String {
    std::fs::write(
        dir.path("post.csv"),
        "facility[Karkh].capacity,weight\n3000,1\n4000,2\n5000,1\n",
    )
    .unwrap();
    let mut s = baseline_days(40);
    let mut u = Uncertainty::new(Vec::<(&str, Dist)>::new());
    u.posterior = Some("post.csv".into());
    s.uncertainty = Some(u);
    write_scenario(dir, "calibrated.toml", &s)
}

#[test]
fn a_calibrated_run_names_its_posterior_everywhere() {
    let dir = Scratch::new("posterior-named");
    let file = calibrated(&dir);
    let (json, html, plots) = (dir.arg("run.json"), dir.arg("run.html"), dir.arg("plots"));
    let mut args = vec!["run", &file, "-n", "12", "--json", &json, "--report", &html];
    if cfg!(feature = "plots") {
        args.extend(["--plots", plots.as_str()]);
    }
    let o = expect(0, &args);
    let table = String::from_utf8(o.stdout).unwrap();
    let named = "the posterior post.csv (3 weighted draws of facility[Karkh].capacity): one row of post.csv per replication, drawn with probability proportional to its weight";
    assert!(table.contains(named), "{table}");
    // The drawn values, one row per parameter.
    let rows = &table[table
        .find("Parameters drawn per replication (param.PATH)\n")
        .unwrap()..];
    assert!(
        rows.lines()
            .nth(2)
            .unwrap()
            .trim_start()
            .starts_with("facility[Karkh].capacity"),
        "{rows}"
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let p = &doc["uncertainty"]["posterior"];
    assert_eq!(p["file"], "post.csv");
    assert_eq!(p["rows"], 3);
    assert_eq!(p["weighted"], true);
    assert_eq!(p["columns"][0], "facility[Karkh].capacity");
    assert_eq!(doc["metrics"]["param.facility[Karkh].capacity"]["n"], 12);
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains("<h1>Scenario baseline, drawing posterior post.csv (3 draws)</h1>"));
    assert!(html.contains(named));
    // A posterior has dependent draws: the drivers section says why it
    // has no Sobol indices.
    assert!(html.contains("Sobol indices are not defined"));
    if cfg!(feature = "plots") {
        let svg = std::fs::read_to_string(dir.path("plots/occupancy.svg")).unwrap();
        assert!(
            svg.contains("drawing posterior post.csv (3 draws)"),
            "occupancy.svg"
        );
    }
    // --drivers refuses a posterior, naming it.
    let o = expect(1, &["run", &file, "-n", "2", "--drivers"]);
    assert!(
        stderr(&o).contains("uncertainty.posterior"),
        "{}",
        stderr(&o)
    );
}

/// The bundled baseline: ranges beside a fitted posterior. Its ranges are
/// ranked with the posterior's columns held at their weighted medians, and
/// the report says so, with or without `--drivers`.
#[test]
fn the_baseline_ranks_its_ranges_with_the_posterior_held() {
    let s = baseline_days(30);
    let section = custody_sim::report::drivers::pointer(&s);
    assert!(section.contains("--drivers"), "{section}");
    assert!(
        section.contains("baseline-posterior.csv held at their weighted medians"),
        "{section}"
    );
    let d = Drivers::compute(&s, 2, 1, 0, 3).unwrap();
    let u = s.uncertainty.as_ref().unwrap();
    assert_eq!(d.parameters.len(), u.params.len());
    assert_eq!(d.evaluations, 2 * (u.params.len() + 2));
    let t = u.posterior_table.as_ref().unwrap();
    assert_eq!(d.held, t.columns);
    // No posterior column is among the ranked parameters.
    assert!(d.parameters.iter().all(|p| !t.columns.contains(p)));
    assert!(
        d.method().contains("held at their weighted medians"),
        "{}",
        d.method()
    );
}
