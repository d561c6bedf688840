//! Hindcasts: fit up to an origin, score after it. Without priors the
//! scored rows are exactly a backtest's of those rows; origins with
//! nothing to score or nothing to fit are refused; with a prior, each
//! origin fits only the rows up to it. And the `hindcast` command, run as
//! a real process.

use custody_sim::calibrate::{Abc, Observations, Prior, backtest, hindcast, hindcast_fans};
use custody_sim::presets;
use serde_json::Value;

use super::cli::{Scratch, expect, stderr};

const ROWS: &str = "date,series,value,sd,kind\n\
2026-01-21,transferred_cumulative,150,10,\n\
2026-01-30,transferred_cumulative,500,50,\n\
2026-02-01,transferred_cumulative,450,100,\n\
2026-02-02,transferred_cumulative,1387,,at_least\n\
2026-02-07,transferred_cumulative,2225,100,\n\
2026-02-10,transferred_cumulative,4583,300,\n";

/// Without priors, each origin's scored rows are the rows of a backtest
/// of every row, restricted to those dated after the origin (the
/// replications are the same, and a row's figures depend only on its own
/// column), bit for bit; the horizons are days after the origin; the
/// totals pool every origin's rows.
#[test]
fn without_priors_a_hindcast_scores_exactly_the_backtests_later_rows() {
    let s = presets::plan_2026_01();
    let obs = Observations::from_csv_str(ROWS, "rows", &s).unwrap();
    let settings = Abc {
        seed: 5,
        threads: 2,
        ..Abc::default()
    };
    let h = hindcast(&s, &obs, &["2026-01-30", "2026-02-07"], &[], &settings, 50).unwrap();
    let all = backtest(&s, &obs, 50, 5, 1).unwrap();
    for (o, origin) in h.origins.iter().zip(["2026-01-30", "2026-02-07"]) {
        assert_eq!(o.origin, origin);
        let later: Vec<_> = all
            .rows
            .iter()
            .filter(|r| r.date.as_str() > origin)
            .cloned()
            .collect();
        assert_eq!(o.fitted_rows, obs.rows().len() - later.len());
        assert_eq!(o.scored.rows.json(), later.json());
        assert!(o.posterior.is_none() && o.stopped.is_none());
    }
    assert_eq!(h.origins[0].horizons, [2, 3, 8, 11]);
    assert_eq!(h.origins[1].horizons, [3]);
    // Totals over the 4 value rows scored (3 + 1), and the 1 bound.
    let pooled: Vec<_> = h
        .origins
        .iter()
        .flat_map(|o| o.scored.rows.iter().filter(|r| r.kind.is_value()))
        .collect();
    assert_eq!(pooled.len(), 4);
    let inside = pooled.iter().filter(|r| r.inside).count() as f64;
    assert_eq!(h.coverage, inside / 4.0);
    assert_eq!(h.bounds, Some(1));
    // The error of the median at horizon 3 pools both origins' rows.
    let at3 = h.by_horizon.iter().find(|e| e.horizon == 3).unwrap();
    assert_eq!(at3.rows, 1); // origin 1's horizon 3 is the bound (not a value)
    let r = &h.origins[1].scored.rows[0];
    assert_eq!(at3.mean_error, r.p50 - r.value);
    assert_eq!(at3.mean_absolute_error, (r.p50 - r.value).abs());
}

/// The JSON text of a value: equality of rows whose bound rows hold NaN.
trait ToJson {
    fn json(&self) -> String;
}
impl<T: serde::Serialize> ToJson for T {
    fn json(&self) -> String {
        serde_json::to_string(self).unwrap()
    }
}

#[test]
fn origins_with_nothing_to_score_or_to_fit_are_refused() {
    let s = presets::plan_2026_01();
    let obs = Observations::from_csv_str(ROWS, "rows", &s).unwrap();
    let settings = Abc::default();
    let e = hindcast(&s, &obs, &["2026-02-10"], &[], &settings, 10)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("\"2026-02-10\"")
            && e.contains("no observation is dated after it")
            && e.contains("2026-02-10"),
        "{e}"
    );
    let prior =
        Prior::parse(r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#)
            .unwrap();
    let e = hindcast(&s, &obs, &["2026-01-20"], &[prior], &settings, 10)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("nothing to fit") && e.contains("2026-01-21"),
        "{e}"
    );
    // Without priors, an origin before every row scores every row.
    let h = hindcast(&s, &obs, &["2026-01-20"], &[], &settings, 10).unwrap();
    assert_eq!(h.origins[0].scored.rows.len(), obs.rows().len());
    let e = hindcast(&s, &obs, &["soon"], &[], &settings, 10)
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"soon\"") && e.contains("neither"), "{e}");
}

/// With a prior, the origin's fit sees only the rows up to it: the
/// posterior equals a calibration on those rows alone.
#[test]
fn with_a_prior_each_origin_fits_only_the_rows_up_to_it() {
    let s = presets::plan_2026_01();
    let obs = Observations::from_csv_str(ROWS, "rows", &s).unwrap();
    let prior =
        Prior::parse(r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#)
            .unwrap();
    let settings = Abc {
        particles: 20,
        max_simulations: 200,
        seed: 3,
        threads: 1,
        ..Abc::default()
    };
    let h = hindcast(
        &s,
        &obs,
        &["2026-02-01"],
        std::slice::from_ref(&prior),
        &settings,
        20,
    )
    .unwrap();
    let early = obs.filtered(|o| o.date.as_str() <= "2026-02-01").unwrap();
    let post = custody_sim::calibrate::abc(&s, &early, &[prior], &settings, None).unwrap();
    let o = &h.origins[0];
    assert_eq!(o.fitted_rows, 3);
    assert_eq!(o.posterior.as_ref().unwrap(), &post.summary());
    let predictive = post.predictive_scenario(&s, None).unwrap();
    let later = obs.filtered(|o| o.date.as_str() > "2026-02-01").unwrap();
    let b = backtest(&predictive, &later, 20, 3, 1).unwrap();
    assert_eq!(o.scored.json(), b.json());
}

#[test]
fn the_hindcast_command_reports_each_origin_and_the_totals() {
    let dir = Scratch::new("hindcast");
    std::fs::write(dir.path("obs.csv"), ROWS).unwrap();
    let obs = dir.arg("obs.csv");
    let o = expect(
        0,
        &[
            "hindcast",
            "plan-2026-01",
            "--observed",
            &obs,
            "--origin",
            "2026-01-30",
            "--origin",
            "2026-02-07",
            "-n",
            "30",
            "--json",
            "-",
        ],
    );
    let j: Value = serde_json::from_slice(&o.stdout).unwrap();
    let origins = j["origins"].as_array().unwrap();
    assert_eq!(origins.len(), 2);
    assert_eq!(origins[0]["origin"], "2026-01-30");
    assert_eq!(origins[0]["scored"]["rows"].as_array().unwrap().len(), 4);
    assert_eq!(origins[0]["horizons"], serde_json::json!([2, 3, 8, 11]));
    assert!(origins[0]["posterior"].is_null());
    for key in [
        "coverage",
        "mean_interval_score",
        "crps",
        "by_horizon",
        "bounds",
    ] {
        assert!(j.get(key).is_some(), "{key} in {j}");
    }
    // The text names each origin and the totals; the CSV has one line per
    // origin and scored row.
    let o = expect(
        0,
        &[
            "hindcast",
            "plan-2026-01",
            "--observed",
            &obs,
            "--origin",
            "2026-02-07",
            "-n",
            "10",
        ],
    );
    let text = String::from_utf8(o.stdout).unwrap();
    for needle in [
        "origin 2026-02-07",
        "no prior",
        "all origins (1)",
        "horizon",
    ] {
        assert!(text.contains(needle), "{needle} not in {text}");
    }
    let o = expect(
        0,
        &[
            "hindcast",
            "plan-2026-01",
            "--observed",
            &obs,
            "--origin",
            "2026-01-30",
            "--origin",
            "2026-02-07",
            "-n",
            "10",
            "--csv",
            "-",
        ],
    );
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(csv.starts_with("origin,horizon,date,series,value,p5,p50,p95,inside,pit,interval_score,kind,share_meeting,consistent\n"), "{csv}");
    assert_eq!(csv.lines().count(), 1 + 4 + 1);
    // An origin after every row: exit 1, naming it.
    let o = expect(
        1,
        &[
            "hindcast",
            "plan-2026-01",
            "--observed",
            &obs,
            "--origin",
            "2026-03-01",
            "-n",
            "10",
        ],
    );
    assert!(
        stderr(&o).contains("no observation is dated after it"),
        "{}",
        stderr(&o)
    );
    // No origin: a usage error.
    expect(2, &["hindcast", "plan-2026-01", "--observed", &obs]);
}

/// The hindcast with fans is the hindcast, bit for bit, with and without
/// a prior: each origin's forecast runs once over every row, and its rows
/// after the origin are the scored rows.
#[test]
fn the_fans_of_a_hindcast_leave_its_scores_unchanged() {
    let s = presets::plan_2026_01();
    let obs = Observations::from_csv_str(ROWS, "rows", &s).unwrap();
    let prior =
        Prior::parse(r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#)
            .unwrap();
    let settings = Abc {
        particles: 20,
        max_simulations: 200,
        seed: 7,
        threads: 2,
        ..Abc::default()
    };
    let origins = ["2026-01-30", "2026-02-02"];
    for priors in [vec![], vec![prior]] {
        let plain = hindcast(&s, &obs, &origins, &priors, &settings, 30).unwrap();
        let fans = hindcast_fans(&s, &obs, &origins, &priors, &settings, 30).unwrap();
        assert_eq!(fans.hindcast.json(), plain.json());
        assert_eq!(fans.fans.len(), 2);
        for (f, o) in fans.fans.iter().zip(&plain.origins) {
            assert_eq!(f.backtest.rows.len(), obs.rows().len());
            let later: Vec<_> = f
                .backtest
                .rows
                .iter()
                .filter(|r| r.date.as_str() > o.origin.as_str())
                .cloned()
                .collect();
            assert_eq!(later.json(), o.scored.rows.json());
            // The fan reaches the last observed day.
            let fan = f.fan("transferred_cumulative").unwrap();
            assert_eq!(fan.p50.len() as u32, obs.last_day());
        }
    }
}

/// `--plots` draws one chart per origin, with the fit rows, the scored
/// rows, the origin and the series in words; `--report` writes the HTML
/// report with the scores and the charts.
#[test]
fn the_hindcast_command_draws_each_origin_and_writes_a_report() {
    let dir = Scratch::new("hindcast-plots");
    std::fs::write(dir.path("obs.csv"), ROWS).unwrap();
    let obs = dir.arg("obs.csv");
    let plots = dir.arg("plots");
    let report = dir.arg("hindcast.html");
    expect(
        0,
        &[
            "hindcast",
            "plan-2026-01",
            "--observed",
            &obs,
            "--origin",
            "2026-01-30",
            "--origin",
            "2026-02-07",
            "-n",
            "20",
            "--plots",
            &plots,
            "--report",
            &report,
            "--quiet",
        ],
    );
    for stem in ["hindcast_2026_01_30", "hindcast_2026_02_07"] {
        for ext in ["svg", "png"] {
            let p = dir.path(&format!("plots/{stem}.{ext}"));
            assert!(p.is_file(), "{} missing", p.display());
        }
    }
    let svg = std::fs::read_to_string(dir.path("plots/hindcast_2026_01_30.svg")).unwrap();
    for needle in [
        "Hindcast from 30 Jan 2026",
        "origin: 30 Jan 2026",
        "reported up to the origin (fitted, not scored)",
        "Transferred to Iraq, so far",
        "reported bound",
    ] {
        assert!(svg.contains(needle), "{needle} not in the chart");
    }
    // From 7 Feb, only 10 Feb is scored: 1 value row.
    let svg = std::fs::read_to_string(dir.path("plots/hindcast_2026_02_07.svg")).unwrap();
    assert!(
        svg.contains("Hindcast from 7 Feb 2026: 0 of 1")
            || svg.contains("Hindcast from 7 Feb 2026: 1 of 1")
    );
    let html = std::fs::read_to_string(dir.path("hindcast.html")).unwrap();
    for needle in [
        "Hindcast of plan-2026-01",
        "data-metric=\"coverage\"",
        "Error of the median by days after the origin",
        "From 2026-01-30",
        "<svg",
    ] {
        assert!(html.contains(needle), "{needle} not in the report");
    }
}

/// A small scenario that pins its total: convoys of 90 to 120 a day from
/// 21 January, stopping at 1,000, so every replication has moved exactly
/// 1,000 by 1 February (series day 12: 12 convoys of at least 90). With the interval fitted from a
/// prior of 0.5 to 2.5 days, some draws are too slow to get there.
fn pinning_scenario() -> custody_sim::Scenario {
    use custody_sim::{Dist, Facility, Group, Phase, Scenario, Stage};
    Scenario::builder("pins its total", 60)
        .start_date("2026-01-21")
        .transit_days(Dist::fixed(0.2))
        .phase(Phase::new(
            0.0,
            Dist::fixed(1.0),
            Dist::uniform_int(90, 120),
        ))
        .transfer_end(None, Some(1000))
        .group(Group::new("A", 2000))
        .facility(Facility::new("F", 5000))
        .conviction_probability(0.95)
        .stage(Stage::new("trial", 5, Dist::exponential(0.5)))
        .build()
        .unwrap()
}

/// 23 Jan: about 300 (fitted); 25 Jan: about 500; 28 Jan: 5,000 (far above anything the
/// scenario gives: outside); 1 Feb: the total, 1,000, which the scenario
/// as given pins.
const PINNED_ROWS: &str = "date,series,value,sd,kind\n\
2026-01-23,transferred_cumulative,300,100,\n\
2026-01-25,transferred_cumulative,500,100,\n\
2026-01-28,transferred_cumulative,5000,10,\n\
2026-02-01,transferred_cumulative,1000,10,\n";

fn pace_prior() -> Prior {
    Prior::parse(r#"transfer.phase[0].interval_days.value={dist="uniform",low=0.5,high=2.5}"#)
        .unwrap()
}

/// A row the scenario as given pins is marked pinned at an origin whose
/// fitted forecast leaves some replications short of it, and is left out
/// of the coverage, scores and error by horizon: counted, it would be
/// inside and would lift the coverage from 0 to 0.5.
#[test]
fn a_row_the_scenario_pins_is_left_out_of_the_hindcasts_coverage() {
    let s = pinning_scenario();
    let obs = Observations::from_csv_str(PINNED_ROWS, "rows", &s).unwrap();
    // The scenario as given pins 1 Feb (and nothing else scored).
    let given = backtest(&s, &obs, 40, 11, 1).unwrap();
    let pins: Vec<bool> = given.rows.iter().map(|r| r.pinned).collect();
    assert_eq!(pins, [false, false, false, true]);
    let settings = Abc {
        particles: 20,
        max_simulations: 200,
        seed: 11,
        threads: 1,
        ..Abc::default()
    };
    let prior = pace_prior();
    let h = hindcast(
        &s,
        &obs,
        &["2026-01-23"],
        std::slice::from_ref(&prior),
        &settings,
        40,
    )
    .unwrap();
    let o = &h.origins[0];
    assert_eq!(o.horizons, [2, 5, 9]);
    // The fitted forecast alone does not pin 1 Feb: some draws fall
    // short, and the report is inside its band.
    let early = obs.filtered(|o| o.date.as_str() <= "2026-01-23").unwrap();
    let post = custody_sim::calibrate::abc(&s, &early, &[prior], &settings, None).unwrap();
    let predictive = post.predictive_scenario(&s, None).unwrap();
    let later = obs.filtered(|o| o.date.as_str() > "2026-01-23").unwrap();
    let alone = backtest(&predictive, &later, 40, 11, 1).unwrap();
    let total = &alone.rows[2];
    assert!(!total.pinned && total.inside, "{total:?}");
    assert!(total.p5 < 1000.0 && total.p95 == 1000.0, "{total:?}");
    assert!(!alone.rows[1].inside); // 5,000 on 28 Jan
    // The hindcast: the same figures, the total marked pinned and left out.
    for (a, b) in o.scored.rows.iter().zip(&alone.rows) {
        assert_eq!(
            (a.p5, a.p50, a.p95, a.inside),
            (b.p5, b.p50, b.p95, b.inside)
        );
    }
    assert!(o.scored.rows[2].pinned && !o.scored.rows[1].pinned);
    let counted: Vec<_> = o.scored.rows[..2].iter().filter(|r| r.inside).collect();
    assert_eq!(
        o.scored.coverage,
        counted.len() as f64 / 2.0,
        "only 25 and 28 Jan count"
    );
    assert_eq!(o.scored.pinned, Some(1));
    assert_eq!((h.coverage, h.pinned), (o.scored.coverage, Some(1)));
    assert!(
        h.coverage < alone.coverage,
        "{} {}",
        h.coverage,
        alone.coverage
    );
    assert_eq!(
        h.crps,
        (o.scored.rows[0].crps + o.scored.rows[1].crps) / 2.0
    );
    // No error of the median at the pinned row's horizon (9 days).
    assert_eq!(
        o.by_horizon.iter().map(|e| e.horizon).collect::<Vec<_>>(),
        [2, 5]
    );
    assert_eq!(h.by_horizon.iter().map(|e| e.rows).sum::<usize>(), 2);
    // In the JSON: `pinned` on the row and in the totals.
    let j: Value = serde_json::from_str(&h.json()).unwrap();
    assert_eq!(j["pinned"], 1);
    assert_eq!(j["origins"][0]["scored"]["rows"][2]["pinned"], true);
    // The fans' rows carry the same marks.
    let fans = hindcast_fans(&s, &obs, &["2026-01-23"], &[pace_prior()], &settings, 40).unwrap();
    assert_eq!(fans.hindcast.json(), h.json());
    assert!(fans.fans[0].backtest.rows[3].pinned);
}

/// The hindcast's chart draws a row the scenario pins apart (an open grey
/// circle, "pinned by the scenario (not scored)" in the legend) and its
/// title counts the coverage as the tables do, without it: drawn as an
/// inside dot, the title would read "k of 3" where the table scores 2.
#[test]
fn the_hindcast_chart_draws_a_pinned_row_apart() {
    let s = pinning_scenario();
    let obs = Observations::from_csv_str(PINNED_ROWS, "rows", &s).unwrap();
    let settings = Abc {
        particles: 20,
        max_simulations: 200,
        seed: 11,
        threads: 1,
        ..Abc::default()
    };
    let h = hindcast_fans(&s, &obs, &["2026-01-23"], &[pace_prior()], &settings, 40).unwrap();
    let scored = &h.hindcast.origins[0].scored;
    assert_eq!(scored.pinned, Some(1));
    let counted: Vec<_> = scored
        .rows
        .iter()
        .filter(|r| r.kind.is_value() && !r.pinned)
        .collect();
    assert_eq!(counted.len(), 2);
    let inside = counted.iter().filter(|r| r.inside).count();
    let figures = custody_sim::report::plots::hindcast_figures(&s, &obs, &h).unwrap();
    assert_eq!(figures.len(), 1);
    let f = &figures[0];
    assert_eq!(
        f.title,
        format!("Hindcast from 23 Jan 2026: {inside} of 2 inside the 5\u{2013}95% band")
    );
    assert!(f.svg.contains("pinned by the scenario (not scored)"));
    // A scenario that pins nothing has no such legend entry.
    let free = custody_sim::calibrate::Observations::from_csv_str(
        "date,series,value,sd\n2026-01-23,transferred_cumulative,300,100\n2026-01-25,transferred_cumulative,500,100\n",
        "rows",
        &s,
    )
    .unwrap();
    let h = hindcast_fans(&s, &free, &["2026-01-23"], &[], &settings, 40).unwrap();
    let figures = custody_sim::report::plots::hindcast_figures(&s, &free, &h).unwrap();
    assert!(!figures[0].svg.contains("pinned by the scenario"));
}

/// The backtest's charts, like the hindcast's, draw a row the scenario
/// pins apart and leave it out of the title's count, as the backtest's
/// table does.
#[test]
fn the_backtest_chart_draws_a_pinned_row_apart() {
    let s = pinning_scenario();
    let obs = Observations::from_csv_str(PINNED_ROWS, "rows", &s).unwrap();
    let fans = custody_sim::calibrate::backtest_fans(&s, &obs, 40, 3, 1).unwrap();
    let b = &fans.backtest;
    assert_eq!(b.pinned, Some(1), "{b:?}");
    let counted: Vec<_> = b
        .rows
        .iter()
        .filter(|r| r.kind.is_value() && !r.pinned)
        .collect();
    assert_eq!(counted.len(), 3);
    let inside = counted.iter().filter(|r| r.inside).count();
    let figures = custody_sim::report::plots::backtest_figures(&s, &obs, &fans).unwrap();
    assert_eq!(
        figures[0].title,
        format!("Backtest: {inside} of 3 inside the 5\u{2013}95% band")
    );
    assert!(
        figures[0]
            .svg
            .contains("pinned by the scenario (not scored)")
    );
}

/// The overall coverage is the origins' counts pooled: the value rows
/// inside (not pinned), summed over the origins, over the value rows
/// scored (not pinned), summed; pinned rows are in neither.
#[test]
fn the_overall_coverage_pools_the_origins_counts() {
    let s = pinning_scenario();
    let obs = Observations::from_csv_str(PINNED_ROWS, "rows", &s).unwrap();
    let settings = Abc {
        particles: 20,
        max_simulations: 200,
        seed: 12,
        threads: 2,
        ..Abc::default()
    };
    for priors in [vec![], vec![pace_prior()]] {
        let h = hindcast(
            &s,
            &obs,
            &["2026-01-23", "2026-01-25"],
            &priors,
            &settings,
            40,
        )
        .unwrap();
        let (mut inside, mut scored, mut pinned) = (0, 0, 0);
        for o in &h.origins {
            let values: Vec<_> = o
                .scored
                .rows
                .iter()
                .filter(|r| r.kind.is_value() && !r.pinned)
                .collect();
            let k = values.iter().filter(|r| r.inside).count();
            assert_eq!(o.scored.coverage, k as f64 / values.len() as f64);
            inside += k;
            scored += values.len();
            pinned += o.scored.rows.iter().filter(|r| r.pinned).count();
        }
        // 3 + 2 value rows scored, the 1 Feb total pinned at both origins.
        assert_eq!((scored, pinned), (3, 2), "priors: {}", priors.len());
        assert_eq!(h.coverage, inside as f64 / scored as f64);
        assert_eq!(h.pinned, Some(2));
        assert_eq!(h.by_horizon.iter().map(|e| e.rows).sum::<usize>(), scored);
    }
}
