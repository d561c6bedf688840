//! The commands over the calibration and decision-support libraries,
//! run as a real process: `backtest`, `calibrate`, `sensitivity`, `solve`
//! and `compare`. Each happy path checks the JSON's keys and a value that
//! would be wrong if the command were; each bad input its exit code and
//! message. Runs are short (few replications, short horizons).

use std::path::Path;
use std::process::Output;

use custody_sim::Scenario;
use serde_json::Value;

use super::cli::{Scratch, expect, stderr};

fn json_out(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(&o.stdout)))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

const OBSERVED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/observed/transfer-2026.csv"
);

/// The baseline, shortened, written to `dir/name` with extra parameters.
fn short_file(dir: &Scratch, name: &str, params: &[(&str, &str)]) -> String {
    let mut s: Scenario = crate::fixtures::baseline_days(150);
    for (p, v) in params {
        s = s.with_param(p, v).unwrap();
    }
    crate::fixtures::write_scenario(dir, name, &s)
}

#[test]
fn backtest_scores_every_observation() {
    let o = expect(
        0,
        &[
            "backtest",
            "baseline",
            "--observed",
            OBSERVED,
            "-n",
            "40",
            "--json",
            "-",
        ],
    );
    let j = json_out(&o);
    let rows = j["rows"].as_array().unwrap();
    let observed = std::fs::read_to_string(OBSERVED).unwrap();
    assert_eq!(rows.len(), observed.lines().count() - 1);
    // Coverage is over the value rows the scenario does not pin; a bound
    // row (`kind`) has no interval score.
    let (mut inside, mut scored) = (0, 0);
    for r in rows {
        let is_value = r.get("kind").is_none();
        let pinned = r.get("pinned") == Some(&Value::Bool(true));
        for key in [
            "date",
            "series",
            "value",
            "p5",
            "p50",
            "p95",
            "inside",
            "pit",
            "interval_score",
        ] {
            assert!(r.get(key).is_some(), "{key} in {r}");
        }
        let (v, p5, p50, p95) = (
            num(&r["value"]),
            num(&r["p5"]),
            num(&r["p50"]),
            num(&r["p95"]),
        );
        assert!(p5 <= p50 && p50 <= p95, "{r}");
        assert!((0.0..=1.0).contains(&num(&r["pit"])), "{r}");
        if !is_value {
            continue;
        }
        let is_inside = r["inside"].as_bool().unwrap();
        assert_eq!(is_inside, p5 <= v && v <= p95, "{r}");
        assert!(num(&r["interval_score"]) >= p95 - p5 - 1e-9, "{r}");
        if !pinned {
            inside += usize::from(is_inside);
            scored += 1;
        }
    }
    assert!(scored > 0);
    assert!((num(&j["coverage"]) - inside as f64 / scored as f64).abs() < 1e-12);
    assert!(num(&j["mean_interval_score"]) >= 0.0 && num(&j["crps"]) >= 0.0);

    // The rows as CSV: a header and one line per observation.
    let o = expect(
        0,
        &[
            "backtest",
            "baseline",
            "--observed",
            OBSERVED,
            "-n",
            "10",
            "--csv",
            "-",
        ],
    );
    let text = String::from_utf8(o.stdout).unwrap();
    // The baseline's observations have bounds and rows it pins: their
    // columns follow the value rows' fields.
    assert!(
        text.starts_with(
            "date,series,value,p5,p50,p95,inside,pit,interval_score,\
             kind,share_meeting,consistent,pinned\n"
        ),
        "{text}"
    );
    assert_eq!(text.lines().count(), rows.len() + 1);
}

#[test]
fn backtest_refuses_a_bad_observation_with_its_line() {
    let dir = Scratch::new("bad-obs");
    std::fs::write(
        dir.path("obs.csv"),
        "date,series,value\n2026-01-30,transferred_cumulative,500\n2026-02-01,no_such_series,3\n",
    )
    .unwrap();
    let o = expect(
        1,
        &[
            "backtest",
            "baseline",
            "--observed",
            &dir.arg("obs.csv"),
            "-n",
            "5",
        ],
    );
    let e = stderr(&o);
    assert!(e.contains("line 3") && e.contains("no_such_series"), "{e}");
    // An output over the observations is refused before any work.
    let o = expect(
        2,
        &[
            "backtest",
            "baseline",
            "--observed",
            &dir.arg("obs.csv"),
            "--json",
            &dir.arg("obs.csv"),
        ],
    );
    assert!(stderr(&o).contains("--json"), "{}", stderr(&o));
}

const PRIOR: &str = r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#;

/// The frozen version 2 baseline (one convoy pace from day 0, no
/// `[uncertainty]`), which the fit and sensitivity tests were written
/// against: [`PRIOR`] moves its whole transfer.
const BASELINE_V2: &str = crate::snapshot::BASELINE_V2;

/// The observation rows of [`OBSERVED`] (values and bounds).
fn observed_rows() -> usize {
    std::fs::read_to_string(OBSERVED).unwrap().lines().count() - 1
}

#[test]
fn calibrate_writes_the_posterior_summary_and_scenario() {
    let dir = Scratch::new("calibrate");
    let (post, toml) = (dir.arg("post.csv"), dir.arg("cal.toml"));
    let o = expect(
        0,
        &[
            "calibrate",
            BASELINE_V2,
            "--observed",
            OBSERVED,
            "--prior",
            PRIOR,
            "--out",
            &post,
            "--particles",
            "30",
            "--max-simulations",
            "300",
            "--scenario-out",
            &toml,
            "--json",
            "-",
            "--quiet",
        ],
    );
    let j = json_out(&o);
    let s = &j["summary"][0];
    assert_eq!(s["path"], "transfer.phase[0].interval_days.value");
    let (q05, q50, q95) = (num(&s["q05"]), num(&s["q50"]), num(&s["q95"]));
    assert!(1.0 <= q05 && q05 <= q50 && q50 <= q95 && q95 <= 6.0, "{s}");
    assert!(num(&s["sd"]) > 0.0 && num(&s["ess"]) > 1.0 && num(&s["ess"]) <= 30.0);
    // The schedule: ∞ (null) first, then shrinking tolerances.
    let sched = j["tolerance_schedule"].as_array().unwrap();
    assert!(sched[0].is_null() && sched.len() >= 2, "{sched:?}");
    let tol: Vec<f64> = sched[1..].iter().map(num).collect();
    assert!(tol.windows(2).all(|w| w[1] <= w[0]), "{tol:?}");
    assert!(num(&j["simulations"]) <= 300.0);
    // Every generation's diagnostics, the prior's first; they add up to
    // the simulations run.
    let gens = j["generations"].as_array().unwrap();
    assert!(gens[0]["tolerance"].is_null() && num(&gens[0]["ess"]) == 30.0);
    let sims: f64 = gens.iter().map(|g| num(&g["simulations"])).sum();
    assert_eq!(sims, num(&j["simulations"]));
    let rule = j["stop_rule"].as_str().unwrap();
    assert!(
        ["budget_ahead", "budget_exhausted", "min_acceptance"].contains(&rule),
        "{rule}"
    );
    assert_eq!(
        j["stop_note"].is_string(),
        rule.starts_with("budget"),
        "{}",
        j["stop_note"]
    );
    assert_eq!(j["scales_rule"], "sd");
    // One posterior predictive check per observation row.
    let check = j["predictive_check"].as_array().unwrap();
    assert_eq!(check.len(), observed_rows());
    // A value row's tail is two-sided (a bound row's is defined by its
    // bound, not checked here).
    for c in check
        .iter()
        .filter(|c| c.get("kind").is_none_or(|k| k == "value"))
    {
        let (above, tail) = (num(&c["share_above"]), num(&c["tail"]));
        assert!((tail - 2.0 * above.min(1.0 - above)).abs() < 1e-12, "{c}");
        assert_eq!(c["extreme"].as_bool().unwrap(), tail < 0.05, "{c}");
    }
    // The draws: a header, one row per particle, weights summing to 1.
    let text = std::fs::read_to_string(&post).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("transfer.phase[0].interval_days.value,weight")
    );
    let w: f64 = lines
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((w - 1.0).abs() < 1e-9, "{w}");
    // The calibrated scenario is a valid scenario file.
    expect(0, &["check", &toml]);
    let cal = Scenario::parse_toml(&std::fs::read_to_string(&toml).unwrap()).unwrap();
    assert_ne!(cal, Scenario::from_path(Path::new(BASELINE_V2)).unwrap());
}

/// `--adaptive-scales` scales the rows by their prior predictive spread
/// (reported in `scales`), `--max-generations` and `--min-acceptance`
/// set their stopping rules, and the table names the rule and checks
/// each row against the posterior predictive.
#[test]
fn calibrate_takes_adaptive_scales_and_stopping_rules() {
    let dir = Scratch::new("calibrate-adaptive");
    let run = |extra: &[&str]| {
        let post = dir.arg("post.csv");
        let mut args = vec![
            "calibrate",
            BASELINE_V2,
            "--observed",
            OBSERVED,
            "--prior",
            PRIOR,
            "--out",
            &post,
            "--particles",
            "20",
            "--max-simulations",
            "400",
            "-n",
            "50",
        ];
        args.extend_from_slice(extra);
        let o = expect(0, &args);
        (o, std::fs::read_to_string(&post).unwrap())
    };
    let (o, sd_csv) = run(&["--json", "-", "--max-generations", "2"]);
    let j = json_out(&o);
    assert_eq!(j["stop_rule"], "max_generations");
    assert_eq!(j["generations"].as_array().unwrap().len(), 2);
    // The default scales: each row's sd.
    let scales: Vec<f64> = j["scales"].as_array().unwrap().iter().map(num).collect();
    assert_eq!(scales.len(), observed_rows());
    let value_rows = [0, 1, 2, 4, 5, 6];
    let sds = [10.0, 50.0, 100.0, 100.0, 300.0, 50.0];
    for (i, sd) in value_rows.into_iter().zip(sds) {
        assert_eq!(scales[i], sd, "{scales:?}");
    }
    assert!(scales.iter().all(|s| *s > 0.0), "{scales:?}");
    let (o, adaptive_csv) = run(&["--json", "-", "--max-generations", "2", "--adaptive-scales"]);
    let j = json_out(&o);
    assert_eq!(j["scales_rule"], "adaptive");
    let scales: Vec<f64> = j["scales"].as_array().unwrap().iter().map(num).collect();
    assert!(scales.iter().all(|s| *s > 0.0), "{scales:?}");
    assert!(
        value_rows
            .into_iter()
            .zip(sds)
            .any(|(i, sd)| scales[i] != sd),
        "{scales:?}"
    );
    assert_ne!(sd_csv, adaptive_csv, "the scales must change the fit");
    let (o, _) = run(&["--min-acceptance", "1"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("stop rule: min_acceptance"), "{text}");
    assert!(text.contains("posterior predictive check"), "{text}");
    assert!(text.contains("rows extreme"), "{text}");
    assert!(text.contains("simulations       ESS"), "{text}");
    let o = expect(
        2,
        &[
            "calibrate",
            BASELINE_V2,
            "--observed",
            OBSERVED,
            "--prior",
            PRIOR,
            "--out",
            &dir.arg("x.csv"),
            "--min-acceptance",
            "1.5",
        ],
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected a number from 0 to 1"));
}

#[test]
fn calibrate_refuses_a_bad_prior_before_running() {
    let dir = Scratch::new("bad-prior");
    let o = expect(
        1,
        &[
            "calibrate",
            "baseline",
            "--observed",
            OBSERVED,
            "--prior",
            r#"court.stage[trial].servers={dist="normal",mean=3}"#,
            "--out",
            &dir.arg("post.csv"),
        ],
    );
    let e = stderr(&o);
    assert!(e.contains("prior") && e.contains("normal"), "{e}");
    assert!(!dir.path("post.csv").exists());
    // --out must be a file, not standard output.
    expect(
        2,
        &[
            "calibrate",
            "baseline",
            "--observed",
            OBSERVED,
            "--prior",
            PRIOR,
            "--out",
            "-",
        ],
    );
}

/// A prior on a column of the scenario's `[uncertainty] posterior` is
/// refused by `calibrate` and `hindcast` (exit 1, naming the prior's path
/// and the posterior file), and still so when a `--set` of that column
/// took it out of the table before the fit saw it: the other columns were
/// fitted jointly with it. Nothing runs, nothing is written.
#[test]
fn a_prior_on_a_posterior_column_is_refused_even_after_a_set_of_it() {
    let column = "transfer.phase[1].interval_days.value";
    let u = custody_sim::presets::baseline().uncertainty.unwrap();
    assert_eq!(u.posterior.as_deref(), Some("baseline-posterior.csv"));
    assert!(
        u.posterior_table
            .unwrap()
            .columns
            .iter()
            .any(|c| c == column)
    );
    let dir = Scratch::new("prior-on-column");
    let out = dir.arg("post.csv");
    let prior = format!(r#"{column}={{dist="uniform",low=0.5,high=2}}"#);
    let set = format!("{column}=1");
    for command in ["calibrate", "hindcast"] {
        for with_set in [false, true] {
            let mut args = vec![command, "baseline", "--observed", OBSERVED];
            if with_set {
                args.extend(["--set", set.as_str()]);
            }
            args.extend(["--prior", prior.as_str()]);
            if command == "calibrate" {
                args.extend(["--out", out.as_str()]);
            } else {
                args.extend(["--origin", "2026-02-01", "-n", "2"]);
            }
            args.extend(["--particles", "20", "--max-simulations", "40"]);
            let e = stderr(&expect(1, &args));
            assert!(
                e.contains(&format!("error: prior '{column}': "))
                    && e.contains("[uncertainty] posterior \"baseline-posterior.csv\"")
                    && e.contains("fitted with it")
                    && e.contains("remove `posterior` from [uncertainty]"),
                "{args:?}: {e}"
            );
            if with_set {
                assert!(
                    e.contains(&format!("`--set {set}` took column {column} out")),
                    "{args:?}: {e}"
                );
            }
            assert!(!dir.path("post.csv").exists());
        }
    }
}

#[test]
fn sensitivity_ranks_the_lever_that_matters() {
    let o = expect(
        0,
        &[
            "sensitivity",
            BASELINE_V2,
            "--set",
            "horizon_days=60",
            "--metric",
            "last_arrival_day",
            "--param",
            r#"court.stage[trial].servers={dist="uniform_int",low=10,high=40}"#,
            "--param",
            PRIOR,
            "--samples",
            "16",
            "--bootstrap",
            "50",
            "-n",
            "10",
            "--json",
            "-",
        ],
    );
    let j = json_out(&o);
    let m = &j["metrics"][0];
    assert_eq!(m["metric"], "last_arrival_day");
    let ix = m["indices"].as_array().unwrap();
    assert_eq!(ix.len(), 2);
    for i in ix {
        for key in ["path", "first_order", "total", "swing"] {
            assert!(i.get(key).is_some(), "{key} in {i}");
        }
    }
    // Trial courts cannot move the last convoy: on common random numbers
    // its swing is exactly zero; slower convoys arrive later.
    assert_eq!(ix[0]["path"], "court.stage[trial].servers");
    assert_eq!(num(&ix[0]["swing"]["estimate"]), 0.0);
    assert!(num(&ix[1]["swing"]["ci95_low"]) > 0.0, "{}", ix[1]);
    assert!(num(&ix[1]["total"]["estimate"]) > num(&ix[0]["total"]["estimate"]));
}

/// `--method morris`: the same two levers screened; the trial courts
/// cannot move the last convoy, so on common random numbers every one of
/// their elementary effects is exactly 0 (μ* = σ = 0); the convoys' is not.
/// The CSV has one row per metric and parameter; same seed, same bytes,
/// whatever the threads.
#[test]
fn sensitivity_morris_screens_the_levers() {
    let args = |threads: &'static str, out: &'static str| {
        vec![
            "sensitivity",
            "baseline",
            "--method",
            "morris",
            "--trajectories",
            "4",
            "--set",
            "horizon_days=60",
            "--metric",
            "last_arrival_day",
            "--param",
            r#"court.stage[trial].servers={dist="uniform_int",low=10,high=40}"#,
            "--param",
            PRIOR,
            "--threads",
            threads,
            out,
            "-",
        ]
    };
    let j = json_out(&expect(0, &args("1", "--json")));
    assert_eq!(j["evaluations"], 4 * 3);
    assert_eq!(j["options"]["trajectories"], 4);
    assert_eq!(j["options"]["levels"], 4);
    let ix = j["metrics"][0]["indices"].as_array().unwrap();
    assert_eq!(ix[0]["path"], "court.stage[trial].servers");
    assert_eq!(num(&ix[0]["mu_star"]), 0.0);
    assert_eq!(num(&ix[0]["sigma"]), 0.0);
    assert_eq!(ix[0]["effects"], 4);
    assert!(num(&ix[1]["mu_star"]) > 0.0, "{}", ix[1]);
    let csv1 = expect(0, &args("1", "--csv")).stdout;
    let csv2 = expect(0, &args("2", "--csv")).stdout;
    assert_eq!(csv1, csv2);
    let csv = String::from_utf8(csv1).unwrap();
    assert!(
        csv.starts_with("metric,path,mu_star,mu,sigma,effects\n"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 3);
    let mut six = args("1", "--json");
    six.extend(["--levels", "6"]);
    let o = expect(0, &six);
    assert_eq!(json_out(&o)["options"]["levels"], 6);
    let mut bad = args("1", "--json");
    bad.extend(["--levels", "3"]);
    let o = expect(1, &bad);
    assert!(
        stderr(&o).contains("levels: must be even"),
        "{}",
        stderr(&o)
    );
    // With a dummy or second-order indices, a Sobol option: refused.
    let mut bad = args("1", "--json");
    bad.push("--second-order");
    let o = expect(1, &bad);
    assert!(
        stderr(&o).contains("--second-order: a Sobol analysis's option"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn sensitivity_refuses_an_unknown_metric_and_a_bad_param() {
    let param = r#"court.stage[trial].servers={dist="uniform_int",low=10,high=40}"#;
    let o = expect(
        1,
        &[
            "sensitivity",
            "baseline",
            "--metric",
            "no_such_metric",
            "--param",
            param,
            "--samples",
            "4",
            "-n",
            "2",
        ],
    );
    assert!(
        stderr(&o).contains("no_such_metric: no such metric"),
        "{}",
        stderr(&o)
    );
    let o = expect(
        1,
        &[
            "sensitivity",
            "baseline",
            "--metric",
            "transferred",
            "--param",
            "court.stage[trial].servers=7",
            "--samples",
            "4",
            "-n",
            "2",
        ],
    );
    assert!(
        stderr(&o).contains("--param court.stage[trial].servers: not a distribution table"),
        "{}",
        stderr(&o)
    );
}

const LEVER: &str = "court.stage[trial].servers=5..60";

#[test]
fn solve_finds_the_fewest_servers_meeting_a_target() {
    let o = expect(
        0,
        &[
            "solve",
            "baseline",
            "--vary",
            LEVER,
            "--target",
            "stage.trial.mean_wait_days mean <= 1",
            "-n",
            "10",
            "--json",
            "-",
        ],
    );
    let j = json_out(&o);
    assert_eq!(j["path"], "court.stage[trial].servers");
    assert_eq!(j["target"]["metric"], "stage.trial.mean_wait_days");
    let v = num(&j["value"]);
    assert!(v.fract() == 0.0 && (5.0..=60.0).contains(&v), "{v}");
    assert_eq!(num(&j["at"]["value"]), v);
    assert!(j["at"]["met"].as_bool().unwrap());
    assert!(num(&j["at"]["statistic"]["estimate"]) <= 1.0);
    // One server fewer misses: the answer is the smallest.
    assert_eq!(num(&j["below"]["value"]), v - 1.0);
    assert!(!j["below"]["met"].as_bool().unwrap());
    assert!(num(&j["below"]["statistic"]["estimate"]) > 1.0);
}

#[test]
fn solve_refuses_an_unmet_target_and_a_bad_one() {
    let o = expect(
        1,
        &[
            "solve",
            "baseline",
            "--vary",
            LEVER,
            "--target",
            "stage.trial.mean_wait_days mean <= -1",
            "-n",
            "5",
        ],
    );
    assert!(stderr(&o).contains("met nowhere"), "{}", stderr(&o));
    let o = expect(
        1,
        &[
            "solve",
            "baseline",
            "--vary",
            LEVER,
            "--target",
            "stage.trial.mean_wait_days average <= 1",
            "-n",
            "5",
        ],
    );
    assert!(
        stderr(&o).contains("unknown statistic \"average\""),
        "{}",
        stderr(&o)
    );
    let o = expect(
        1,
        &[
            "solve",
            "baseline",
            "--vary",
            "court.stage[trial].servers=5",
            "--target",
            "escaped mean <= 1",
        ],
    );
    assert!(stderr(&o).contains("--vary"), "{}", stderr(&o));
}

#[test]
fn compare_pairs_scenarios_on_common_random_numbers() {
    let dir = Scratch::new("compare");
    let a = short_file(&dir, "a.toml", &[]);
    // The same scenario again, under a label of its own (a label given
    // twice is refused).
    let a2 = short_file(&dir, "a2.toml", &[]);
    let b = short_file(&dir, "b.toml", &[("court.stage[trial].servers", "40")]);
    let o = expect(
        0,
        &[
            "compare",
            &a,
            &a2,
            &b,
            "-n",
            "20",
            "--metric",
            "convicted",
            "--json",
            "-",
        ],
    );
    let j = json_out(&o);
    assert_eq!(j["labels"].as_array().unwrap().len(), 3);
    let row = &j["metrics"][0];
    assert_eq!(row["metric"], "convicted");
    let e = row["entries"].as_array().unwrap();
    // The same scenario on the same replications: a difference of exactly 0.
    assert_eq!(num(&e[1]["diff"]["mean"]), 0.0);
    assert_eq!(num(&e[1]["diff"]["ci95_high"]), 0.0);
    // More trial panels convict more within the horizon.
    assert!(num(&e[2]["diff"]["ci95_low"]) > 0.0, "{}", e[2]);
    assert!(num(&e[2]["stats"]["mean"]) > num(&e[0]["stats"]["mean"]));
}

#[test]
fn compare_runs_variants_of_one_scenario() {
    let o = expect(
        0,
        &[
            "compare",
            "baseline",
            "--set",
            "horizon_days=150",
            "--variant",
            "more:court.stage[trial].servers=40",
            "-n",
            "10",
            "--json",
            "-",
        ],
    );
    let j = json_out(&o);
    assert_eq!(j["labels"], serde_json::json!(["base", "more"]));
    let names: Vec<&str> = j["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["metric"].as_str().unwrap())
        .collect();
    // The capacity answers by default.
    assert!(
        names.contains(&"facility.Karkh.days_over_capacity")
            && names.contains(&"median_days_to_verdict"),
        "{names:?}"
    );
    // A bad variant is a usage error; so is an unknown metric.
    expect(2, &["compare", "baseline", "--variant", "nolabel"]);
    let o = expect(
        2,
        &[
            "compare",
            "baseline",
            "plan-2026-01",
            "-n",
            "2",
            "--metric",
            "nope",
        ],
    );
    assert!(stderr(&o).contains("nope"), "{}", stderr(&o));
}

#[test]
fn decide_outputs_are_checked_before_any_work() {
    let o = expect(
        1,
        &[
            "solve",
            "baseline",
            "--vary",
            LEVER,
            "--target",
            "escaped mean <= 1",
            "--json",
            "/no/such/dir/x.json",
        ],
    );
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
    let dir = Scratch::new("outputs");
    let p = dir.arg("same.json");
    let o = expect(
        2,
        &["compare", "baseline", "baseline", "--json", &p, "--csv", &p],
    );
    assert!(
        stderr(&o).contains("named by two outputs"),
        "{}",
        stderr(&o)
    );
    assert!(!Path::new(&p).exists());
}

#[test]
fn calibration_does_not_depend_on_the_thread_count() {
    let dir = Scratch::new("threads");
    let run = |threads: &str| {
        let out = dir.arg(&format!("post-{threads}.csv"));
        let o = expect(
            0,
            &[
                "calibrate",
                "baseline",
                "--observed",
                OBSERVED,
                "--prior",
                PRIOR,
                "--out",
                &out,
                "--particles",
                "20",
                "--max-simulations",
                "200",
                "--seed",
                "5",
                "--threads",
                threads,
                "--json",
                "-",
            ],
        );
        (std::fs::read(&out).unwrap(), o.stdout)
    };
    assert_eq!(run("1"), run("2"));
}
