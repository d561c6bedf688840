//! Sensitivity for many parameters and over time, on the model: indices
//! of a daily series on chosen days (`SERIES@DAY`), parameter groups, the
//! dummy parameter, regional sensitivity and second-order indices, each
//! on a case whose answer is known, and through the command line.

use custody_sim::decide::{SobolOptions, sobol_model};
use custody_sim::scenario::ParamDist;
use custody_sim::{Dist, presets};

use super::cli::{Scratch, expect, stderr};

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(&o.stdout)))
}

/// Indices over time with a known answer: the second transfer phase of
/// the January plan starts between days 17 and 25, so on day 5 (and on
/// every day before 17) the pool in Syria cannot depend on its start: on
/// common random numbers its indices are exactly 0; on day 40 the start
/// decides part of the pool (interval above 0). The trial panels never
/// touch the pool: exactly 0 on every day.
#[test]
fn a_daily_series_on_chosen_days_has_indices_over_time() {
    let mut s = presets::plan_2026_01();
    s.horizon_days = 60;
    let params = [
        ParamDist::new("transfer.phase[1].from", Dist::uniform(17.0, 25.0)),
        ParamDist::new("court.stage[trial].servers", Dist::uniform_int(10, 40)),
    ];
    let opts = SobolOptions {
        base_samples: 64,
        bootstrap: 200,
        seed: 5,
        ..SobolOptions::default()
    };
    let metrics = ["in_syria@2026-01-26", "in_syria@40", "transferred"];
    let r = sobol_model(&s, &params, &metrics, &opts).unwrap();
    let early = &r.metrics[0];
    let at = early.at.as_ref().unwrap();
    assert_eq!(
        (at.series.as_str(), at.day, at.date.as_str()),
        ("in_syria", 5, "2026-01-26")
    );
    for ix in &early.indices {
        assert_eq!(ix.total.estimate, Some(0.0), "{ix:?}");
        assert_eq!(ix.first_order.estimate, Some(0.0), "{ix:?}");
    }
    let late = &r.metrics[1];
    assert_eq!(late.at.as_ref().unwrap().date, "2026-03-02");
    assert!(late.indices[0].total.ci95_low.unwrap() > 0.0, "{late:?}");
    assert_eq!(late.indices[1].total.estimate, Some(0.0));
    assert!(r.metrics[2].at.is_none());
    assert!(late.variance.unwrap() > 0.0);
}

#[test]
fn series_on_a_day_is_checked_before_any_work() {
    let param = r#"court.stage[trial].servers={dist="uniform_int",low=10,high=40}"#;
    for (metric, says) in [
        (
            "occupancy.Karkh@2026-03-01",
            "occupancy.Karkh@2026-03-01: no daily series \"occupancy.Karkh\" in scenario \"plan-2026-01\"",
        ),
        (
            "in_syria@2031-01-01",
            "in_syria@2031-01-01: the day \"2031-01-01\" is day 1806, outside the horizon (days 0 to 729: dates 2026-01-21 to 2028-01-20)",
        ),
        (
            "in_syria@soon",
            "in_syria@soon: the day \"soon\" is neither a YYYY-MM-DD date nor a day number",
        ),
    ] {
        let o = expect(
            1,
            &[
                "sensitivity",
                "plan-2026-01",
                "--metric",
                metric,
                "--param",
                param,
                "--samples",
                "4",
                "-n",
                "2",
            ],
        );
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
    }
}

/// Through the command line: two days of one series give the chart of
/// indices over time, beside the per-metric charts.
#[test]
fn sensitivity_draws_indices_over_time() {
    let dir = Scratch::new("over-time");
    let plots = dir.arg("plots");
    let o = expect(
        0,
        &[
            "sensitivity",
            "plan-2026-01",
            "--set",
            "horizon_days=60",
            "--metric",
            "in_syria@2026-01-26",
            "--metric",
            "in_syria@40",
            "--param",
            r#"transfer.phase[1].from={dist="uniform",low=17,high=25}"#,
            "--param",
            r#"court.stage[trial].servers={dist="uniform_int",low=10,high=40}"#,
            "--samples",
            "8",
            "--bootstrap",
            "20",
            "-n",
            "4",
            "--json",
            "-",
            "--plots",
            &plots,
        ],
    );
    let j = json(&o);
    assert_eq!(j["metrics"][1]["metric"], "in_syria@40");
    assert_eq!(j["metrics"][1]["at"]["date"], "2026-03-02");
    assert_eq!(j["metrics"][1]["at"]["day"], 40);
    let svg =
        std::fs::read_to_string(std::path::Path::new(&plots).join("sobol_over_time_in_syria.svg"))
            .unwrap();
    assert!(
        svg.contains("transfer.phase[1].from"),
        "the legend names the parameters"
    );
}

/// Groups, the dummy and second-order indices through the command line:
/// the two transfer-pace parameters as one group, the trial panels alone.
/// The panels cannot touch the pool in Syria (indices exactly 0 on common
/// random numbers), so they are flagged as not distinguishable from the
/// dummy, and the group is not (at N = 128 the dummy's total reaches
/// about 0.33, the group's lies above 0.6); the design has `N (2G + 2)`
/// points.
#[test]
fn sensitivity_groups_a_dummy_and_second_order() {
    let args = [
        "sensitivity",
        "plan-2026-01",
        "--set",
        "horizon_days=60",
        "--metric",
        "in_syria@40",
        "--param",
        r#"transfer.phase[0].interval_days.value={dist="uniform",low=2,high=4}"#,
        "--param",
        r#"court.stage[trial].servers={dist="uniform_int",low=10,high=40}"#,
        "--param",
        r#"transfer.phase[1].from={dist="uniform",low=17,high=25}"#,
        "--group",
        "pace=transfer.phase[1].from, transfer.phase[0].interval_days.value",
        "--dummy",
        "--second-order",
        "--samples",
        "128",
        "--bootstrap",
        "100",
        "-n",
        "4",
    ];
    let mut with_json = args.to_vec();
    with_json.extend(["--json", "-"]);
    let j = json(&expect(0, &with_json));
    assert_eq!(j["evaluations"], 128 * (2 * 2 + 2));
    assert_eq!(j["spec"]["dummy"], true);
    assert_eq!(j["spec"]["groups"][0]["name"], "pace");
    let m = &j["metrics"][0];
    let ix = m["indices"].as_array().unwrap();
    assert_eq!(ix.len(), 2);
    assert_eq!(ix[0]["path"], "pace");
    assert_eq!(ix[0]["members"][1], "transfer.phase[1].from");
    assert_eq!(ix[0]["above_dummy"], true, "{}", ix[0]);
    assert!(
        ix[0].get("swing").unwrap().is_null(),
        "a group has no tornado bar"
    );
    assert_eq!(ix[1]["path"], "court.stage[trial].servers");
    assert_eq!(ix[1]["total"]["estimate"], 0.0);
    assert_eq!(ix[1]["above_dummy"], false);
    assert!(ix[1]["swing"]["estimate"].is_number());
    assert!(m["dummy"]["total"]["ci95_high"].is_number());
    let pairs = m["second_order"].as_array().unwrap();
    assert_eq!(pairs.len(), 1);
    // The panels interact with nothing: the pair's interval reaches 0.
    assert_eq!(pairs[0]["second_order"]["ci95_low"], 0.0, "{}", pairs[0]);
    let o = expect(0, &args);
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(
        table.contains("group of transfer.phase[0].interval_days.value, transfer.phase[1].from"),
        "{table}"
    );
    assert!(
        table.contains("≈ dummy") && table.contains("(dummy)"),
        "{table}"
    );
    assert!(
        table.contains("second-order indices, the 1 largest of 1 pairs"),
        "{table}"
    );
    // Morris screens the group as one factor: r (G + 1) points.
    let mut morris = vec![
        "sensitivity",
        "plan-2026-01",
        "--method",
        "morris",
        "--trajectories",
        "4",
        "--set",
        "horizon_days=60",
        "--metric",
        "in_syria@40",
    ];
    morris.extend(&args[6..14]);
    morris.extend(["--json", "-"]);
    let j = json(&expect(0, &morris));
    assert_eq!(j["evaluations"], 4 * 3);
    assert_eq!(j["metrics"][0]["indices"][0]["path"], "pace");
    assert!(j["metrics"][0]["indices"][0]["mu"].is_null());
    // Bad groups are named before any work.
    let mut bad = args.to_vec();
    bad[13] = "pace=transfer.phase[1].from,transfer.phase[9].from";
    let o = expect(1, &bad);
    assert!(
        stderr(&o).contains(
            "transfer.phase[9].from: group \"pace\" names a path that is not a parameter"
        ),
        "{}",
        stderr(&o)
    );
    let mut bad = morris.clone();
    bad.push("--dummy");
    assert!(stderr(&expect(1, &bad)).contains("--dummy: a Sobol analysis's option"));
}

/// Regional sensitivity on the model: whether the pool in Syria is below
/// 5,600 at the end of day 20 is decided by when the fast phase starts
/// (KS near 1); the trial panels cannot touch the pool (KS near 0, p not
/// small).
#[test]
fn sensitivity_region_finds_the_parameter_that_decides_a_threshold() {
    let o = expect(
        0,
        &[
            "sensitivity",
            "plan-2026-01",
            "--set",
            "horizon_days=60",
            "--region",
            "in_syria@20<5600",
            "--param",
            r#"transfer.phase[1].from={dist="uniform",low=17,high=25}"#,
            "--param",
            r#"court.stage[trial].servers={dist="uniform_int",low=10,high=40}"#,
            "--samples",
            "300",
            "--json",
            "-",
        ],
    );
    let j = json(&o);
    assert_eq!(j["samples"], 300);
    let (holds, fails) = (j["holds"].as_u64().unwrap(), j["fails"].as_u64().unwrap());
    assert!(holds > 30 && fails > 30 && holds + fails == 300, "{j}");
    let ix = j["indices"].as_array().unwrap();
    assert!(ix[0]["ks"].as_f64().unwrap() > 0.8, "{}", ix[0]);
    assert!(ix[0]["p_value"].as_f64().unwrap() < 1e-6, "{}", ix[0]);
    assert!(ix[1]["ks"].as_f64().unwrap() < 0.2, "{}", ix[1]);
    assert!(ix[1]["p_value"].as_f64().unwrap() > 0.01, "{}", ix[1]);
    let o = expect(
        1,
        &[
            "sensitivity",
            "plan-2026-01",
            "--region",
            "in_syria@20=5600",
            "--param",
            r#"transfer.phase[1].from={dist="uniform",low=17,high=25}"#,
        ],
    );
    assert!(
        stderr(&o).contains("--region in_syria@20=5600: expected METRIC>VALUE"),
        "{}",
        stderr(&o)
    );
}
