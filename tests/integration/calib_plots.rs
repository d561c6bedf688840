//! The charts of `backtest --plots` and `calibrate --plots`: the files the
//! module docs of `report::plots` list, each well formed; an observation
//! outside the band drawn in the outside style; one prior-against-posterior
//! chart per parameter, integers as bars; panels split past 8.

use std::collections::BTreeSet;
use std::path::Path;

use custody_sim::calibrate::{Observations, backtest, backtest_fans};
use custody_sim::presets;
use custody_sim::report::plots::{MAX_PANELS, backtest_figures};
use serde_json::Value;

use crate::cli::{Scratch, expect};

/// The fill of an observation outside the band, and of nothing else.
const OUTSIDE_FILL: &str = "fill=\"#D62728\"";

/// Observations of two series of the baseline: the first row is exact (the
/// model's day-0 count, always inside), 900 on 30 January is far above
/// the model's band (about 390 to 570), 3,000 on 10 February below it
/// (about 4,100 to 4,950), and 100 in Karkh far below its ~1,600.
const OBS: &str = "date,series,value,sd\n\
2026-01-21,transferred_cumulative,150,10\n\
2026-01-30,transferred_cumulative,900,50\n\
2026-02-07,transferred_cumulative,2225,100\n\
2026-02-10,transferred_cumulative,3000,\n\
2026-02-01,occupancy.Karkh,100,\n";

const CONTINUOUS: &str = r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#;
const INTEGER: &str = r#"court.stage[trial].servers={dist="uniform_int",low=5,high=60}"#;

/// The file names in `dir`.
fn files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect()
}

/// `<stem>.svg` and `<stem>.png` of each stem.
fn both(stems: &[&str]) -> BTreeSet<String> {
    stems
        .iter()
        .flat_map(|s| [format!("{s}.svg"), format!("{s}.png")])
        .collect()
}

/// Reads an SVG, checks it is one well-formed `<svg>` element with text,
/// and returns it; checks the PNG beside it has the PNG signature.
fn svg(dir: &Path, stem: &str) -> String {
    let text = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap();
    assert!(text.starts_with("<svg"), "{stem}");
    assert!(text.trim_end().ends_with("</svg>"), "{stem}");
    assert_eq!(text.matches("<svg").count(), 1, "{stem}");
    assert!(text.contains("<text"), "{stem}");
    let png = std::fs::read(dir.join(format!("{stem}.png"))).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{stem}");
    text
}

/// Rows outside the band. A chart draws one outside mark per such row,
/// plus one legend entry per panel that has any.
fn outside_marks(rows: &[&Value]) -> usize {
    rows.iter().filter(|r| r["inside"] == false).count()
}

#[test]
fn backtest_plots_draw_the_observations_over_each_fan() {
    let dir = Scratch::new("calib-plots-backtest");
    std::fs::write(dir.path("obs.csv"), OBS).unwrap();
    let plots = dir.path("plots");
    // The frozen version 2 baseline: the bands these rows were chosen
    // against (some inside, some outside).
    expect(
        0,
        &[
            "backtest",
            crate::snapshot::BASELINE_V2,
            "--observed",
            &dir.arg("obs.csv"),
            "-n",
            "60",
            "--json",
            &dir.arg("bt.json"),
            "--plots",
            plots.to_str().unwrap(),
            "--quiet",
        ],
    );
    assert_eq!(
        files(&plots),
        both(&[
            "backtest",
            "backtest_transferred_cumulative",
            "backtest_occupancy_karkh"
        ])
    );
    let j: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path("bt.json")).unwrap()).unwrap();
    let rows: Vec<&Value> = j["rows"].as_array().unwrap().iter().collect();
    let of = |series: &str| -> Vec<&Value> {
        rows.iter()
            .copied()
            .filter(|r| r["series"] == series)
            .collect()
    };
    let transfers = of("transferred_cumulative");
    let karkh = of("occupancy.Karkh");
    // The test needs both styles in one chart, or it could not fail.
    assert!(transfers.iter().any(|r| r["inside"] == true));
    assert_eq!(outside_marks(&transfers), 2, "{transfers:?}");
    assert_eq!(outside_marks(&karkh), 1, "{karkh:?}");

    // A row the scenario pins (the first convoy's 150) is drawn apart,
    // an open circle, and left out of the title's count, as the table
    // leaves it out.
    let pinned = |r: &Value| r["pinned"] == true;
    let pinned_rows = transfers.iter().filter(|r| pinned(r)).count();
    assert_eq!(pinned_rows, 1, "{transfers:?}");
    assert!(karkh.iter().all(|r| !pinned(r)));
    let inside = transfers
        .iter()
        .filter(|r| r["inside"] == true && !pinned(r))
        .count();
    assert_eq!(inside, 1, "{transfers:?}");
    let one = svg(&plots, "backtest_transferred_cumulative");
    assert_eq!(one.matches(OUTSIDE_FILL).count(), 2 + 1);
    assert!(one.contains("1 of 3 inside the 5\u{2013}95% band"), "title");
    assert!(one.contains("pinned by the scenario (not scored)"));
    // Inside points are dark filled circles, one per inside row (and the
    // legend's); the pinned row an open one (and its legend's).
    assert_eq!(
        one.matches("<circle").count(),
        (inside + 1) + (pinned_rows + 1),
        "one circle per inside or pinned observation and the legends'"
    );
    let k = svg(&plots, "backtest_occupancy_karkh");
    assert_eq!(k.matches(OUTSIDE_FILL).count(), 1 + 1);
    assert!(!k.contains("<circle"), "no point of Karkh is inside");
    let all = svg(&plots, "backtest");
    assert_eq!(all.matches(OUTSIDE_FILL).count(), 3 + 2);
    assert!(
        all.contains("Backtest: 1 of 4 inside"),
        "the title names the coverage"
    );
    // Whiskers of ± 1.645 sd only where a row has an sd.
    assert!(one.contains("1.645 sd"));
    assert!(!k.contains("1.645 sd"));
}

#[test]
fn calibrate_plots_draw_each_prior_against_its_posterior() {
    let dir = Scratch::new("calib-plots-calibrate");
    std::fs::write(dir.path("obs.csv"), OBS).unwrap();
    let plots = dir.path("plots");
    expect(
        0,
        &[
            "calibrate",
            "baseline",
            "--observed",
            &dir.arg("obs.csv"),
            "--prior",
            CONTINUOUS,
            "--prior",
            INTEGER,
            "--out",
            &dir.arg("post.csv"),
            "--particles",
            "20",
            "--max-simulations",
            "120",
            "-n",
            "30",
            "--plots",
            plots.to_str().unwrap(),
            "--quiet",
        ],
    );
    let continuous = "posterior_transfer_phase_0__interval_days_value";
    let integer = "posterior_court_stage_trial__servers";
    assert_eq!(
        files(&plots),
        both(&[
            "posterior",
            continuous,
            integer,
            "predictive",
            "predictive_transferred_cumulative",
            "predictive_occupancy_karkh",
            "diagnostics",
        ])
    );
    let d = svg(&plots, "diagnostics");
    assert!(d.contains("Acceptance rate") && d.contains("Effective sample size"));
    let c = svg(&plots, continuous);
    assert!(c.contains("prior density") && !c.contains("prior (outlined)"));
    assert!(c.contains("transfer.phase[0].interval_days.value"));
    let i = svg(&plots, integer);
    assert!(i.contains("prior (outlined)") && !i.contains("prior density"));
    assert!(
        i.contains(">\nprobability\n<"),
        "an integer's bars are probabilities"
    );
    let both_params = svg(&plots, "posterior");
    assert!(both_params.contains("prior density") && both_params.contains("prior (outlined)"));
    // Karkh at 100 is far outside any posterior predictive band.
    let k = svg(&plots, "predictive_occupancy_karkh");
    assert_eq!(k.matches(OUTSIDE_FILL).count(), 1 + 1);
    assert!(k.contains("0 of 1 inside"));
    let p = svg(&plots, "predictive");
    assert!(p.contains("Posterior predictive:"));
}

#[test]
fn more_series_than_a_chart_holds_are_split() {
    let s = presets::baseline();
    let series = [
        "occupancy.Karkh",
        "occupancy.Nasiriyah",
        "occupancy.Hillah",
        "occupancy.Nineveh",
        "in_custody",
        "in_syria",
        "transferred_cumulative",
        "queue.investigation",
        "queue.trial",
    ];
    assert!(series.len() > MAX_PANELS);
    let mut text = String::from("date,series,value\n");
    for name in series {
        text.push_str(&format!("5,{name},10\n"));
    }
    let obs = Observations::from_csv_str(&text, "t", &s).unwrap();
    let fans = backtest_fans(&s, &obs, 4, 1, 1).unwrap();
    let figures = backtest_figures(&s, &obs, &fans).unwrap();
    let stems: Vec<&str> = figures.iter().map(|f| f.stem.as_str()).collect();
    assert_eq!(stems[..2], ["backtest-1of2", "backtest-2of2"]);
    assert_eq!(stems.len(), 2 + series.len());
    assert_eq!(stems[2], "backtest_occupancy_karkh");
    assert_eq!(stems.last(), Some(&"backtest_queue_trial"));
    // 8 panels, then 1: the heights say so (a title block of 150 pixels,
    // panels of 480).
    let height = |svg: &str| -> u32 {
        let h = svg.split("height=\"").nth(1).unwrap();
        h[..h.find('"').unwrap()].parse().unwrap()
    };
    assert_eq!(height(&figures[0].svg), 150 + 8 * 480);
    assert_eq!(height(&figures[1].svg), 150 + 480);
    assert!(figures[1].title.ends_with("(2 of 2)"));
}

#[test]
fn a_backtest_of_other_observations_is_refused() {
    let s = presets::plan_2026_01();
    let a = Observations::from_csv_str("date,series,value\n9,in_syria,5\n", "a", &s).unwrap();
    let b = Observations::from_csv_str("date,series,value\n9,in_custody,5\n", "b", &s).unwrap();
    let fans = backtest_fans(&s, &a, 4, 1, 1).unwrap();
    let e = backtest_figures(&s, &b, &fans).unwrap_err();
    assert!(e.to_string().contains("not of these observations"), "{e}");
}

/// The fans come from the backtest's own replications: its rows are
/// `backtest`'s, bit for bit, and neither depends on the thread count.
#[test]
fn fans_are_from_the_backtest_replications_whatever_the_threads() {
    let s = presets::baseline();
    let obs = Observations::from_csv_str(OBS, "t", &s).unwrap();
    let one = backtest_fans(&s, &obs, 50, 7, 1).unwrap();
    let three = backtest_fans(&s, &obs, 50, 7, 3).unwrap();
    assert_eq!(one, three);
    assert_eq!(one.backtest, backtest(&s, &obs, 50, 7, 2).unwrap());
    let names: Vec<&str> = one.fans.iter().map(|f| f.series.as_str()).collect();
    assert_eq!(names, ["transferred_cumulative", "occupancy.Karkh"]);
    // Day 1 to the last observed day (10 February, day 21 of the series).
    let fan = one.fan("transferred_cumulative").unwrap();
    assert_eq!(fan.p50.len(), 21);
    // Day 0's count is the same in every replication: the band is exact there.
    let r = &one.backtest.rows[0];
    assert_eq!((fan.p5[0], fan.p50[0], fan.p95[0]), (r.p5, r.p50, r.p95));
    assert!(fan.p5.iter().zip(&fan.p95).all(|(a, b)| a <= b));
}

/// `calibrate --scenario-out` writes the posterior predictive scenario: the
/// posterior medians, and an `[uncertainty]` naming the posterior file, so
/// that `run` of it (from any folder) draws a particle per replication and
/// reports each fitted path as `param.<path>`.
#[test]
fn the_calibrated_scenario_draws_the_posterior_when_run() {
    let dir = Scratch::new("calib-scenario-out");
    std::fs::write(dir.path("obs.csv"), OBS).unwrap();
    expect(
        0,
        &[
            "calibrate",
            "baseline",
            "--observed",
            &dir.arg("obs.csv"),
            "--prior",
            CONTINUOUS,
            "--out",
            &dir.arg("post.csv"),
            "--scenario-out",
            &dir.arg("calibrated.toml"),
            "--particles",
            "20",
            "--max-simulations",
            "120",
            "--quiet",
        ],
    );
    let text = std::fs::read_to_string(dir.path("calibrated.toml")).unwrap();
    assert!(text.contains("posterior = \"post.csv\""), "{text}");
    let o = expect(
        0,
        &[
            "run",
            &dir.arg("calibrated.toml"),
            "-n",
            "30",
            "--json",
            "-",
        ],
    );
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let path = CONTINUOUS.split('=').next().unwrap();
    let param = &doc["metrics"][format!("param.{path}")];
    assert_eq!(param["n"], 30, "{doc}");
    // Draws from a posterior of several particles, not one point value.
    assert!(param["sd"].as_f64().unwrap() > 0.0, "{param}");
}
