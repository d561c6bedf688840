//! `sensitivity` over a scenario's own `[uncertainty]`, and the charts of
//! `sensitivity`, `sweep` and `compare` (`--plots`), run as a real
//! process: the parameters a scenario lists give the same answer as the
//! same parameters given by `--param`; a `posterior` table is refused
//! unless `--param` is given; the JSON does not depend on `--threads`;
//! every chart the module docs list is written, well formed, and shows
//! what it claims (tornado bars in descending swing, one sweep point per
//! cell, every compared label in the legend).

use std::path::Path;
use std::process::Output;

use custody_sim::scenario::Uncertainty;
use custody_sim::sweep::{Vary, sweep};
use custody_sim::{Dist, Runs, Scenario, presets};
use serde_json::Value;

use super::cli::{Scratch, expect, stderr};

const SERVERS: &str = r#"court.stage[trial].servers={dist="uniform_int",low=10,high=40}"#;
const INTERVAL: &str = r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#;

/// An SVG text node holding exactly `text`, as plotters writes it.
fn node(text: &str) -> String {
    format!(">\n{text}\n</text>")
}

fn json_out(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(&o.stdout)))
}

/// The baseline over 60 days, with `uncertainty`, written to `dir/name`.
fn scenario_file(dir: &Scratch, name: &str, uncertainty: Option<Uncertainty>) -> String {
    let mut s: Scenario = crate::fixtures::baseline_days(60);
    s.uncertainty = uncertainty;
    crate::fixtures::write_scenario(dir, name, &s)
}

/// The two uncertain parameters of these tests, as `[uncertainty]` lists them.
fn listed() -> Uncertainty {
    Uncertainty::new([
        ("court.stage[trial].servers", Dist::uniform_int(10, 40)),
        (
            "transfer.phase[0].interval_days.value",
            Dist::uniform(1.0, 6.0),
        ),
    ])
}

/// `sensitivity` of `last_arrival_day` and Karkh's peak occupancy with small
/// settings, extra arguments appended.
fn sensitivity(file: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "sensitivity",
        file,
        "--metric",
        "last_arrival_day",
        "--metric",
        "facility.Karkh.peak_occupancy",
        "--samples",
        "8",
        "--bootstrap",
        "20",
        "-n",
        "4",
        "--json",
        "-",
    ];
    args.extend_from_slice(extra);
    expect(0, &args)
}

#[test]
fn sensitivity_uses_the_scenarios_uncertainty_as_if_given_by_param() {
    let dir = Scratch::new("sens-uncertainty");
    let with = scenario_file(&dir, "with.toml", Some(listed()));
    let without = scenario_file(&dir, "without.toml", None);
    let own = sensitivity(&with, &[]);
    let j = json_out(&own);
    let paths: Vec<&str> = j["metrics"][0]["indices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "court.stage[trial].servers",
            "transfer.phase[0].interval_days.value"
        ]
    );
    let ix = &j["metrics"][0]["indices"][1];
    assert_eq!(
        ix["low_value"].as_f64(),
        Some(1.25),
        "5th percentile of U(1, 6)"
    );
    assert_eq!(ix["high_value"].as_f64(), Some(5.75));
    // The same parameters by --param, on the same file or on one without
    // [uncertainty]: byte for byte the same answer.
    let given = sensitivity(&with, &["--param", SERVERS, "--param", INTERVAL]);
    assert_eq!(own.stdout, given.stdout);
    let plain = sensitivity(&without, &["--param", SERVERS, "--param", INTERVAL]);
    assert_eq!(own.stdout, plain.stdout);
    // --param replaces the table: one parameter, the other held at its
    // median (3.5 days), as --set would hold it.
    let one = sensitivity(&with, &["--param", SERVERS]);
    let held = sensitivity(
        &without,
        &[
            "--param",
            SERVERS,
            "--set",
            "transfer.phase[0].interval_days.value=3.5",
        ],
    );
    assert_eq!(
        json_out(&one)["metrics"][0]["indices"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(one.stdout, held.stdout);
}

#[test]
fn sensitivity_without_param_or_uncertainty_is_refused() {
    // The frozen version 2 baseline has no [uncertainty] table.
    let o = expect(
        1,
        &[
            "sensitivity",
            crate::snapshot::BASELINE_V2,
            "--metric",
            "transferred",
            "--samples",
            "4",
            "-n",
            "2",
        ],
    );
    let e = stderr(&o);
    assert!(e.contains("has no [uncertainty] table"), "{e}");
    assert!(e.contains("--param"), "{e}");
}

#[test]
fn a_posterior_table_is_held_at_its_medians_beside_listed_or_given_parameters() {
    let dir = Scratch::new("sens-posterior");
    // Weighted draws of the convoy interval: 2 (weight 1), 3 (weight 1),
    // 5 (weight 3): the weighted median is 5.
    std::fs::write(
        dir.path("p.csv"),
        "transfer.phase[0].interval_days.value,weight\n2,1\n3,1\n5,3\n",
    )
    .unwrap();
    let mut u = Uncertainty::new([("court.stage[trial].servers", Dist::uniform_int(10, 40))]);
    u.posterior = Some("p.csv".into());
    let file = scenario_file(&dir, "post.toml", Some(u));
    let without = scenario_file(&dir, "without.toml", None);
    let held = sensitivity(
        &without,
        &[
            "--param",
            SERVERS,
            "--set",
            "transfer.phase[0].interval_days.value=5",
        ],
    );
    let held = json_out(&held);
    assert!(held.get("held").is_none());
    // The listed range is the factor and the posterior's column is held at
    // its weighted median, as with the same range given by --param: the
    // same indices as with the column set to 5, and the column named.
    for extra in [&[][..], &["--param", SERVERS][..]] {
        let mut j = json_out(&sensitivity(&file, extra));
        assert_eq!(j["held"][0], "transfer.phase[0].interval_days.value");
        j.as_object_mut().unwrap().remove("held");
        assert_eq!(j, held, "{extra:?}");
    }
    // A posterior alone is refused: its draws are dependent.
    let mut u = Uncertainty::new(Vec::<(&str, Dist)>::new());
    u.posterior = Some("p.csv".into());
    let alone = scenario_file(&dir, "alone.toml", Some(u));
    let o = expect(
        1,
        &[
            "sensitivity",
            &alone,
            "--metric",
            "transferred",
            "--samples",
            "4",
            "-n",
            "2",
        ],
    );
    let e = stderr(&o);
    assert!(
        e.contains("uncertainty.posterior") && e.contains("dependent") && e.contains("--param"),
        "{e}"
    );
}

#[test]
fn sensitivity_json_does_not_depend_on_the_thread_count() {
    let dir = Scratch::new("sens-threads");
    let file = scenario_file(&dir, "with.toml", Some(listed()));
    let one = sensitivity(&file, &["--threads", "1"]);
    let two = sensitivity(&file, &["--threads", "2"]);
    assert_eq!(one.stdout, two.stdout);
    let j = json_out(&one);
    assert!(j["options"].get("threads").is_none(), "{}", j["options"]);
    assert_eq!(j["options"]["base_samples"], 8);
}

/// Checks that `text` is one `<svg>` element whose tags nest properly.
fn well_formed_svg(text: &str, what: &str) {
    assert!(text.starts_with("<svg"), "{what}");
    assert!(text.trim_end().ends_with("</svg>"), "{what}");
    let mut stack: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        let end = rest[i..]
            .find('>')
            .unwrap_or_else(|| panic!("{what}: unclosed tag"));
        let tag = &rest[i + 1..i + end];
        rest = &rest[i + end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') || tag.ends_with('/') {
            continue;
        }
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap()
            .to_string();
        if tag.starts_with('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.as_str()), "{what}");
        } else {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "{what}: {stack:?} left open");
}

/// Checks that each stem has a well-formed `.svg` and a `.png` in `dir`;
/// returns the SVG texts.
fn charts(dir: &Path, stems: &[&str]) -> Vec<String> {
    stems
        .iter()
        .map(|stem| {
            let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg")))
                .unwrap_or_else(|e| panic!("{stem}.svg: {e}"));
            well_formed_svg(&svg, stem);
            let png = std::fs::read(dir.join(format!("{stem}.png")))
                .unwrap_or_else(|e| panic!("{stem}.png: {e}"));
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{stem}.png");
            svg
        })
        .collect()
}

/// The number of `.svg` and `.png` files in `dir`.
fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

#[test]
fn sensitivity_plots_a_tornado_in_descending_swing_and_the_indices() {
    let dir = Scratch::new("sens-plots");
    let file = scenario_file(&dir, "with.toml", None);
    let plots = dir.path("plots");
    let o = sensitivity(
        &file,
        &[
            "--param",
            SERVERS,
            "--param",
            INTERVAL,
            "--param",
            r#"transfer.phase[1].convoy_size.high={dist="uniform_int",low=150,high=400}"#,
            "--plots",
            plots.to_str().unwrap(),
        ],
    );
    let svgs = charts(
        &plots,
        &[
            "tornado_last_arrival_day",
            "sobol_last_arrival_day",
            "tornado_facility_karkh_peak_occupancy",
            "sobol_facility_karkh_peak_occupancy",
        ],
    );
    assert_eq!(files_in(&plots), 8);
    let j = json_out(&o);
    for (m, svg) in [(0, &svgs[0]), (1, &svgs[2])] {
        let mut ix: Vec<(f64, String)> = j["metrics"][m]["indices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["swing"]["estimate"].as_f64().unwrap().abs(),
                    i["path"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        ix.sort_by(|a, b| b.0.total_cmp(&a.0));
        if m == 0 {
            assert!(ix[0].0 > ix[2].0, "the swings differ: {ix:?}");
        }
        // Labels appear in the SVG top to bottom, largest swing first.
        let at: Vec<usize> = ix
            .iter()
            .map(|(_, p)| {
                svg.find(&node(p))
                    .unwrap_or_else(|| panic!("{p} not in the tornado"))
            })
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{ix:?} at {at:?}");
        let y = |pos: usize| -> f64 {
            let open = svg[..pos].rfind("<text").unwrap();
            let attr = &svg[open..pos];
            let y = attr.split("y=\"").nth(1).unwrap();
            y[..y.find('"').unwrap()].parse().unwrap()
        };
        assert!(
            at.windows(2).all(|w| y(w[0]) < y(w[1])),
            "drawn top to bottom"
        );
    }
    // The Sobol chart names both indices.
    assert!(svgs[1].contains("first order") && svgs[1].contains("total"));
}

#[test]
fn sweep_plots_one_point_per_cell_for_each_capacity_answer() {
    let dir = Scratch::new("sweep-plots");
    let file = scenario_file(&dir, "s.toml", None);
    let plots = dir.path("plots");
    expect(
        0,
        &[
            "sweep",
            &file,
            "--vary",
            "court.stage[trial].servers=10,20,40",
            "--vary",
            "transfer.weekly_cap=1000,2000",
            "-n",
            "3",
            "--quiet",
            "--plots",
            plots.to_str().unwrap(),
        ],
    );
    // The same sweep in the library: a point for each cell and capacity
    // answer (the default metrics) with a mean (a 60-day run may have no
    // verdicts yet), in charts of at most eight panels.
    let s = Scenario::from_toml_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let metrics = custody_sim::decide::compare::answer_metrics(&s);
    let parts = metrics.len().div_ceil(8);
    let stems: Vec<String> = if parts == 1 {
        vec!["sweep".into()]
    } else {
        (1..=parts).map(|k| format!("sweep-{k}of{parts}")).collect()
    };
    let stems: Vec<&str> = stems.iter().map(String::as_str).collect();
    let svg = charts(&plots, &stems).concat();
    assert_eq!(files_in(&plots), 2 * parts);
    let grid = [
        Vary::new("court.stage[trial].servers", [10, 20, 40]),
        Vary::new("transfer.weekly_cap", [1000, 2000]),
    ];
    let r = sweep(
        &s,
        &grid,
        &Runs {
            replications: 3,
            seed: 1,
            threads: 0,
        },
    )
    .unwrap();
    assert_eq!(r.cells.len(), 6);
    // Each chosen metric has a panel captioned with its name in words
    // (`Karkh: days over capacity`), and a point per cell with a mean.
    let mut points = 0;
    for m in &metrics {
        let caption = match m.strip_prefix("facility.") {
            Some(rest) => {
                let (f, what) = rest.split_once('.').unwrap();
                format!("{f}: {}", what.replace('_', " "))
            }
            None => m.replace('.', ": ").replace('_', " "),
        };
        assert!(svg.contains(&node(&caption)), "{m} has a panel {caption:?}");
        points += r
            .cells
            .iter()
            .filter(|c| c.metric(m).is_some_and(|s| s.mean.is_some()))
            .count();
    }
    assert!(points >= 6 * 6, "most metrics have a mean in every cell");
    assert_eq!(
        svg.matches("<circle").count(),
        points,
        "one point per cell and metric"
    );
    // One line per value of the other parameter, named in the legend.
    assert!(svg.contains(&node("transfer.weekly_cap = 1000")));
    assert!(svg.contains(&node("transfer.weekly_cap = 2000")));
}

#[test]
fn compare_plots_overlay_every_scenario_with_its_label() {
    let dir = Scratch::new("compare-plots");
    let file = scenario_file(&dir, "s.toml", None);
    let plots = dir.path("plots");
    expect(
        0,
        &[
            "compare",
            &file,
            "--variant",
            "more panels:court.stage[trial].servers=40",
            "--variant",
            "fewer panels:court.stage[trial].servers=5",
            "-n",
            "4",
            "--quiet",
            "--plots",
            plots.to_str().unwrap(),
        ],
    );
    let svgs = charts(&plots, &["compare_occupancy", "compare_court_queues"]);
    assert_eq!(files_in(&plots), 4);
    let s = presets::baseline();
    for svg in &svgs {
        for label in ["base", "more panels", "fewer panels"] {
            assert!(svg.contains(&node(label)), "{label} in the legend");
        }
    }
    for f in &s.facilities {
        assert!(svgs[0].contains(&node(&format!("{}: end-of-day occupancy", f.name))));
    }
    for st in &s.court.stages {
        assert!(svgs[1].contains(&node(&format!("{}: cases waiting", st.name))));
    }
}
