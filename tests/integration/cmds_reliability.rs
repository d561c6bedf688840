//! The commands' guards against work they cannot finish and text they
//! should not print or write: every command estimates its whole work
//! (relocations included) before it starts and refuses it above the
//! limits without `--allow-large`; a merge checks its size from the
//! shards' beginnings; `transfer_ended_day` says when and why departures
//! stopped; `compare` refuses ambiguous or unprintable labels and no CSV
//! cell of user text can run as a formula; the HTML report says where each
//! override came from.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use custody_sim::montecarlo::{
    Limits, MOVE_EVENTS, NANOS_PER_EVENT, OTHER_CASE_EVENTS, Runs, SCAN_EVENTS, estimate_runs,
    events_per_replication,
};
use custody_sim::scenario::{OtherCases, PersonKind, TransferEnd};
use custody_sim::{Plan, Scenario, presets};

use crate::cli::Scratch;
use crate::fixtures::{self, fixed};

/// Runs the binary with `args`, and fails the test if it has not exited
/// within `secs` seconds (a command that should refuse its work up front
/// must not start it).
fn cli_within(secs: u64, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_custody-sim"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} still running after {secs} s: the work was not refused up front");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{args:?} panicked: {err}"
    );
    out
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// A scenario of `count` transferees, convoys of `size` every day from day
/// 0 (transit 1 day), facilities `A` (holding `initial` on day 0) and `B`
/// with room for everyone, a court that keeps everyone, and `relocations`
/// relocations of up to `move_count` people of any kind, from `A` to `B` on
/// odd days and back on even days from day `first`.
fn relocating(
    horizon: u32,
    count: u64,
    size: u64,
    initial: u64,
    relocations: u32,
    first: u32,
    move_count: u64,
) -> Scenario {
    let cap = count + initial + 1;
    let mut text = format!(
        "{}{}\n{}{}initial_occupancy = {initial}\n{}{}",
        fixtures::header("relocations", horizon),
        fixtures::one_phase(&fixed(1.0), &fixed(1.0), &fixed(size as f64)),
        fixtures::group("G", count, ""),
        fixtures::facility("A", cap),
        fixtures::facility("B", cap),
        fixtures::holding_court(100_000.0),
    );
    // Relocations on successive days from `first`, cycling within the
    // horizon.
    let span = horizon.saturating_sub(first).max(1);
    for i in 0..relocations {
        let day = first + i % span;
        let (from, to) = if day % 2 == 1 { ("A", "B") } else { ("B", "A") };
        text.push_str(&format!(
            "\n[[relocation]]\nday = {day}.0\nfrom = \"{from}\"\nto = \"{to}\"\ncount = {move_count}\nwho = \"any\"\n"
        ));
    }
    Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}"))
}

// ------------------------------------------------- estimates of the work

/// The reported case: 2,000,000 transferees and 100,000 relocations of a
/// facility holding them all took about 2.9 hours a replication, and was
/// estimated at minutes. Each relocation scans every boarded transferee
/// and moves everyone inside: the estimate is now hours.
#[test]
fn relocations_of_a_large_facility_are_estimated_at_hours() {
    let s = relocating(400, 2_000_000, 1_000_000, 0, 100_000, 3, 2_000_000);
    let runs = Runs {
        replications: 1,
        seed: 1,
        threads: 1,
    };
    let e = estimate_runs(&s, &runs).unwrap();
    let hours = e.seconds / 3600.0;
    assert!(
        (1.0..30.0).contains(&hours),
        "one replication estimated at {hours:.2} h ({} events), measured about 2.9 h",
        e.events_per_replication
    );
}

/// The estimate, measured by counting: in a scenario whose work is its
/// relocations, every relocation scans the boarded transferees and moves
/// everyone inside `from` (the `relocated` metric counts them). The
/// estimate is at least that work and within a factor of 3 of it.
#[test]
fn the_relocation_estimate_is_within_a_factor_of_the_counted_work() {
    // 2,000 transferees, all arrived by day 2; 500 inside A on day 0;
    // 300 relocations from day 3 move all 2,500 back and forth.
    let s = relocating(400, 2_000, 1_000, 500, 300, 3, 1_000_000);
    let plan = Plan::new(&s).unwrap();
    let out = plan.replicate(1, 0);
    let moved = out.metric("relocated").unwrap();
    // Everyone inside moves every time (the first time, those placed in A).
    assert!(
        moved > 299.0 * 2_500.0 && moved <= 300.0 * 2_500.0,
        "{moved}"
    );
    let boarded = out.metric("transferred").unwrap();
    let counted = 300.0 * (1.0 + boarded * SCAN_EVENTS) + moved * MOVE_EVENTS;
    let runs = Runs {
        replications: 1,
        seed: 1,
        threads: 1,
    };
    let estimated = estimate_runs(&s, &runs).unwrap().events_per_replication as f64;
    assert!(
        estimated >= counted && estimated <= 3.0 * counted,
        "estimated {estimated} events, counted {counted}"
    );
}

/// Other court cases and overflow rules (version 3) are work the estimate
/// counts. Other cases of 20 a day at both stages of the `baseline`: the
/// estimate grows by at least the other cases counted in a replication
/// (every one that arrives is served or still at the stage at the
/// horizon, so `other_completed` is a lower bound) and by at most three
/// times that. An overflow rule on every facility adds a check per
/// facility and day at least.
#[test]
fn other_cases_and_overflow_are_counted_in_the_estimate() {
    let base = presets::baseline();
    let mut others = base.clone();
    for st in &mut others.court.stages {
        st.other_cases = Some(OtherCases::new(20.0));
    }
    let plan = Plan::new(&others).unwrap();
    let out = plan.replicate(1, 0);
    let served: f64 = others
        .court
        .stages
        .iter()
        .map(|st| {
            out.metric(&format!("stage.{}.other_completed", st.name))
                .unwrap()
        })
        .sum();
    // 20 a day at two stages over 730 days, less those still at a stage.
    assert!(served > 20_000.0, "{served}");
    let added = (events_per_replication(&others) - events_per_replication(&base)) as f64;
    let counted = served * OTHER_CASE_EVENTS;
    assert!(
        added >= counted && added <= 3.0 * counted,
        "estimate grew by {added} events, {served} other cases served"
    );

    let mut overflow = base.clone();
    let names: Vec<String> = overflow.facilities.iter().map(|f| f.name.clone()).collect();
    for (i, f) in overflow.facilities.iter_mut().enumerate() {
        let to = &names[(i + 1) % names.len()];
        *f = f.clone().with_overflow(1.0, [to.as_str()], PersonKind::Any);
    }
    overflow.validate().unwrap();
    let added = events_per_replication(&overflow) - events_per_replication(&base);
    // A check per open facility and day: the baseline's Kut, which opens
    // only in its `kut` variant (after the horizon here), has none.
    let open = base.facilities.iter().filter(|f| f.opens.is_none()).count();
    assert_eq!(open, names.len() - 1);
    let checks = open as u64 * u64::from(base.horizon_days);
    assert!(
        added >= checks,
        "estimate grew by {added} events, {checks} checks"
    );
}

/// A run of many relocations of a large facility is refused before it
/// starts without `--allow-large`, naming the flag.
#[test]
fn many_relocations_of_a_large_facility_are_refused() {
    let dir = Scratch::new("relocations");
    let s = relocating(400, 2_000_000, 1_000_000, 1_000_000, 20_000, 3, 3_000_000);
    let path = dir.path("relocations.toml");
    std::fs::write(&path, s.to_toml_string()).unwrap();
    let file = dir.arg("relocations.toml");
    let o = cli_within(
        120,
        &["run", &file, "-n", "40", "--threads", "2", "--quiet"],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("estimated run time") && err.contains("--allow-large"),
        "{err}"
    );
}

/// `calibrate`, `sensitivity`, `solve` and `compare` estimate their whole
/// work (particles and budget, design points and tornado runs, values
/// tried, scenarios) and refuse it as `run` does, before any of it: here
/// days of work on two threads.
#[test]
fn every_command_refuses_work_over_the_limits() {
    let dir = Scratch::new("limits");
    let obs = dir.path("obs.csv");
    std::fs::write(&obs, "date,series,value\n2026-03-01,in_custody,5000\n").unwrap();
    let obs = dir.arg("obs.csv");
    let out = dir.arg("post.csv");
    let prior = r#"court.stage[trial].servers={dist="uniform_int",low=5,high=60}"#;
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "calibrate",
            "baseline",
            "--observed",
            &obs,
            "--prior",
            prior,
            "--out",
            &out,
            "--particles",
            "1000000",
            "--max-simulations",
            "100000000",
            "--quiet",
        ],
        vec![
            "sensitivity",
            "baseline",
            "--metric",
            "transferred",
            "--param",
            prior,
            "--samples",
            "1000000",
            "-n",
            "10000000",
            "--quiet",
        ],
        vec![
            "solve",
            "baseline",
            "--vary",
            "court.stage[trial].servers=1..200",
            "--target",
            "median_days_to_verdict p95 <= 180",
            "-n",
            "2000000",
            "--quiet",
        ],
        vec![
            "compare",
            "baseline",
            "plan-2026-01",
            "-n",
            "100000000",
            "--quiet",
        ],
        vec!["run", "baseline", "-n", "100000000", "--quiet"],
    ];
    for mut args in cases {
        // Two threads, whatever the machine: the estimate divides by them.
        args.extend(["--threads", "2"]);
        let o = cli_within(60, &args);
        let err = stderr(&o);
        assert_eq!(code(&o), 1, "{args:?}: {err}");
        assert!(
            err.contains("--allow-large") && err.contains("above the limit"),
            "{args:?}: {err}"
        );
        assert!(!std::path::Path::new(&out).exists(), "{args:?} wrote");
    }
}

/// The library's one estimate takes the total replications: a budget the
/// default limits refuse is refused whichever command spreads it.
#[test]
fn the_estimate_of_a_total_is_linear_in_it() {
    let s = presets::baseline();
    let e = |n| {
        estimate_runs(
            &s,
            &Runs {
                replications: n,
                seed: 1,
                threads: 4,
            },
        )
        .unwrap()
    };
    let (a, b) = (e(1_000), e(100_000));
    assert!((b.seconds / a.seconds - 100.0).abs() < 1e-6);
    assert!(Limits::default().check(&a).is_ok());
    let per = a.events_per_replication as f64 * NANOS_PER_EVENT * 1e-9;
    assert!(per > 1e-4 && per < 1e-2, "{per} s a replication");
}

// ------------------------------------------------------ transfer_ended_day

/// 100 detainees, convoys of 10 every day from day 0 (departures at 0, 1,
/// 2, ...), transit 1 day, horizon `horizon`, with `end`.
fn departures(horizon: u32, end: Option<TransferEnd>) -> Scenario {
    let mut s = relocating(horizon, 100, 10, 0, 0, 1, 0);
    s.transfer.end = end;
    s
}

fn ended(s: &Scenario) -> Option<f64> {
    Plan::new(s)
        .unwrap()
        .replicate_checked(1, 0)
        .unwrap()
        .try_metric("transfer_ended_day")
        .unwrap()
}

/// The pool empties at the departure of day 9 (the tenth convoy of 10).
#[test]
fn transfer_ended_day_when_the_pool_empties() {
    assert_eq!(ended(&departures(20, None)), Some(9.0));
}

/// `target_total = 35` is reached by the (cut) convoy of day 3.
#[test]
fn transfer_ended_day_when_the_target_is_reached() {
    let end = TransferEnd {
        until_day: None,
        target_total: Some(35),
    };
    let s = departures(20, Some(end));
    assert_eq!(ended(&s), Some(3.0));
    // The pool is not empty: the last arrival is the sentinel, the end is
    // not.
    let o = Plan::new(&s).unwrap().replicate(1, 0);
    assert_eq!(o.metric("last_arrival_day"), Some(21.0));
}

/// `until_day = 5`: the last departure is that of day 4.
#[test]
fn transfer_ended_day_when_the_end_day_passes() {
    let end = TransferEnd {
        until_day: Some(5.0.into()),
        target_total: None,
    };
    assert_eq!(ended(&departures(20, Some(end))), Some(4.0));
    // An end day after the horizon has not passed by it.
    let end = TransferEnd {
        until_day: Some(30.0.into()),
        target_total: None,
    };
    assert_eq!(ended(&departures(6, Some(end))), Some(7.0));
}

/// Departures still going at the horizon: horizon + 1.
#[test]
fn transfer_ended_day_is_the_sentinel_while_departures_go_on() {
    assert_eq!(ended(&departures(5, None)), Some(6.0));
}

/// `run baseline:low` (a target total below the pool): the table says
/// when the transfer ended and by which rule, not that it never completes.
#[test]
fn the_run_table_says_which_rule_ended_the_transfer() {
    let o = cli_within(120, &["run", "baseline:low", "-n", "4"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        !text.contains("not complete by the horizon in any replication"),
        "{text}"
    );
    assert!(
        text.contains("the transfer ended in every replication")
            && text.contains("transfer.end.target_total = 5,640 reached;"),
        "{text}"
    );
}

// ------------------------------------------------------------------ merge

/// A shard file whose beginning says it holds 50,000,000 replications of
/// 10 metrics (500,000,000 values, above the limit of 100,000,000), with
/// no data after: the merge refuses from the beginning alone, saying what
/// works, without reading (or failing on) the data.
#[test]
fn merge_checks_its_size_from_the_shards_beginnings() {
    let dir = Scratch::new("merge-limit");
    let names: Vec<String> = (0..10).map(|i| format!("\"m{i}\"")).collect();
    let head = |from: u64, to: u64| {
        format!(
            r#"{{"sha256":"x","format":3,"version":"0","scenario_sha256":"y","scenario":{{}},"seed":1,"ranges":[[{from},{to}]],"metric_names":[{}],"series_names":[],"values":[[0,[1.0"#,
            names.join(",")
        )
    };
    std::fs::write(dir.path("a.json"), head(0, 25_000_000)).unwrap();
    std::fs::write(dir.path("b.json"), head(25_000_000, 50_000_000)).unwrap();
    let (a, b) = (dir.arg("a.json"), dir.arg("b.json"));
    let o = cli_within(30, &["merge", &a, &b, "--quiet"]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("50000000 replications of 10 metrics")
            && err.contains("--replications 10000000")
            && err.contains("more shards do not help"),
        "{err}"
    );
    // The library's merge checks the same, first.
    let e = custody_sim::montecarlo::ShardFile::merge_files(
        &[dir.path("a.json"), dir.path("b.json")],
        |_| Ok::<(), custody_sim::Error>(()),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("stored values"), "{e}");
}

// ---------------------------------------------------------------- compare

/// Labels given twice, or holding a control character, are usage errors
/// naming the label (escaped), before any work.
#[test]
fn compare_refuses_duplicate_and_control_labels() {
    for (args, named) in [
        (
            vec![
                "compare",
                "baseline",
                "--variant",
                "a:horizon_days=30",
                "--variant",
                "a:horizon_days=40",
            ],
            "\"a\"",
        ),
        (
            vec!["compare", "baseline", "--variant", "base:horizon_days=30"],
            "\"base\"",
        ),
        (
            vec![
                "compare",
                "baseline",
                "--variant",
                "x\u{1b}[31m:horizon_days=30",
            ],
            "\\u{1b}",
        ),
        (
            vec!["compare", "baseline", "--variant", "x\ny:horizon_days=30"],
            "\\n",
        ),
        (vec!["compare", "baseline", "baseline"], "\"baseline\""),
    ] {
        let o = cli_within(60, &args);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        assert!(err.contains(named), "{args:?}: {err}");
        assert!(!err.contains('\u{1b}'), "{args:?}: raw escape in {err:?}");
    }
}

/// Labels that begin with `=`, `+`, `-` or `@` reach the CSV as text
/// (prefixed with `'`); negative numbers stay numbers.
#[test]
fn compare_csv_cells_cannot_run_as_formulas() {
    let o = cli_within(
        120,
        &[
            "compare",
            "baseline",
            "--variant",
            "=1+1:horizon_days=30",
            "--variant",
            "@SUM(1+1):horizon_days=20",
            "--variant=-x:horizon_days=25",
            "-n",
            "3",
            "--csv",
            "-",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    let mut negative = false;
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        for c in &cells {
            let c = c.trim_matches('"');
            if c.starts_with(['=', '+', '@']) || c.starts_with('-') && c.parse::<f64>().is_err() {
                panic!("a cell that could run as a formula: {c:?} in {line}");
            }
            negative |= c.starts_with('-');
        }
    }
    assert!(
        text.contains("'=1+1") && text.contains("'@SUM(1+1)") && text.contains("'-x"),
        "{text}"
    );
    assert!(
        negative,
        "a shorter horizon gives negative differences: {text}"
    );
}

/// The CSV helper: text that could run as a formula is prefixed, numbers
/// and plain text are not.
#[test]
fn the_csv_helper_guards_text_not_numbers() {
    use custody_sim::report::csv::{text_cell, text_field};
    for (x, want) in [
        ("=1+1", "'=1+1"),
        ("+A1", "'+A1"),
        ("-A1", "'-A1"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\tx", "'\tx"),
        ("-3.5", "-3.5"),
        ("+2", "+2"),
        ("-1e3", "-1e3"),
        ("Karkh", "Karkh"),
    ] {
        assert_eq!(text_cell(x), want, "{x:?}");
    }
    assert_eq!(text_field("=a,b"), "\"'=a,b\"");
    assert_eq!(text_field("say \"x\""), "\"say \"\"x\"\"\"");
}

// -------------------------------------------------------------- HTML report

/// A variant's overrides show as the variant's, `--set`s as `--set`.
#[test]
fn the_report_says_where_each_override_came_from() {
    let dir = Scratch::new("report-overrides");
    let report = dir.arg("r.html");
    let o = cli_within(
        120,
        &[
            "run",
            "baseline:high",
            "-n",
            "2",
            "--set",
            "horizon_days=30",
            "--report",
            &report,
            "--quiet",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path("r.html")).unwrap();
    let base = presets::baseline();
    let own = base.variant("high").unwrap().overrides.clone();
    assert!(!own.is_empty());
    for ov in &own {
        let path = ov.path.replace('"', "&quot;");
        assert!(
            html.contains(&format!("variant high: {path} = ")),
            "{path} not shown as the variant's"
        );
        assert!(
            !html.contains(&format!("--set {path}=")),
            "{path} shown as a --set"
        );
    }
    assert!(html.contains("<code>--set horizon_days=30</code>"));
}
