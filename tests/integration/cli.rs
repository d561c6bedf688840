//! The `custody-sim` command line, run as a real process: every command,
//! every exit code (0 success, 1 bad input, 2 usage), byte-identical JSON
//! across repeated runs, thread counts and shard merges, the shapes of
//! the JSON and CSV outputs, and the outputs' safety: checked before any
//! work, written atomically, never over an input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use custody_sim::{Scenario, presets};
use serde_json::Value;

use crate::fixtures;

/// A scratch directory under the system's temporary directory, removed
/// when dropped.
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new(name: &str) -> Scratch {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "custody-sim-cli-{}-{}-{name}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// The path as a command-line argument.
    pub(crate) fn arg(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the binary with `args`; checks that nothing panicked.
fn cli(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_custody-sim"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("the binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("internal error") && !err.contains("backtrace"),
        "{args:?} panicked: {err}"
    );
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Runs and expects exit code `code`; returns the output.
pub(crate) fn expect(code: i32, args: &[&str]) -> Output {
    let o = cli(args);
    assert_eq!(
        o.status.code(),
        Some(code),
        "{args:?}\nstdout:\n{}\nstderr:\n{}",
        stdout(&o),
        stderr(&o)
    );
    o
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&read(p)).unwrap()
}

/// The January plan (the version 1 baseline), shortened and written to a
/// file.
fn short_file(dir: &Scratch) -> String {
    fixtures::write_scenario(dir, "short.toml", &fixtures::plan_days(120))
}

#[test]
fn presets_lists_the_bundled_scenarios() {
    let o = expect(0, &["presets"]);
    let text = stdout(&o);
    for name in presets::NAMES {
        assert!(
            text.lines().any(|l| l.starts_with(name)),
            "{name} in\n{text}"
        );
    }
    assert_eq!(stdout(&expect(0, &["presets", "list"])), text);
}

#[test]
fn presets_show_prints_toml_that_reads_back_to_the_preset() {
    for name in presets::NAMES {
        let o = expect(0, &["presets", "show", name]);
        let text = stdout(&o);
        assert!(text.starts_with('#'), "the commented file");
        // The text names a `posterior` file (the baseline's) whose rows
        // live beside it, not in the text: compare with them carried over.
        let mut shown = Scenario::from_toml_str(&text).unwrap();
        let preset = presets::by_name(name).unwrap();
        if let (Some(u), Some(s)) = (&preset.uncertainty, shown.uncertainty.as_mut()) {
            s.posterior_table.clone_from(&u.posterior_table);
        }
        assert_eq!(shown, preset);
    }
    let o = expect(1, &["presets", "show", "no-such-preset"]);
    assert!(stderr(&o).contains("no-such-preset"));
}

#[test]
fn check_accepts_a_good_scenario() {
    let o = expect(0, &["check", "baseline"]);
    assert!(
        stdout(&o).starts_with("ok: baseline is valid"),
        "{}",
        stdout(&o)
    );
    let dir = Scratch::new("check-ok");
    let file = short_file(&dir);
    assert!(stdout(&expect(0, &["check", &file])).starts_with("ok:"));
}

#[test]
fn check_lists_every_problem_at_once() {
    let dir = Scratch::new("check-bad");
    let text = presets::toml_text("plan-2026-01")
        .unwrap()
        .replace("servers = 15", "servers = 0")
        .replace("capacity = 750", "capacity = 0")
        .replace(
            "conviction_probability = 0.95",
            "conviction_probability = 1.5",
        );
    std::fs::write(dir.path("bad.toml"), text).unwrap();
    let o = expect(1, &["check", &dir.arg("bad.toml")]);
    // Problems go to standard error, one per line, each `error: `.
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    let err = stderr(&o);
    for line in [
        "error: court.stage[1].servers: must be at least 1, got 0",
        "error: facility[1].capacity: must be at least 1, got 0",
        "error: court.conviction_probability: ",
    ] {
        assert!(
            err.lines().any(|l| l.starts_with(line)),
            "{line:?} in\n{err}"
        );
    }
    assert!(err.lines().all(|l| l.starts_with("error: ")), "{err}");
    assert!(err.contains("3 problems"), "{err}");
    // `run` refuses it too, naming each problem on standard error.
    let o = expect(1, &["run", &dir.arg("bad.toml"), "-n", "2"]);
    assert!(stderr(&o).contains("error: court.stage[1].servers: must be at least 1, got 0"));
}

#[test]
fn check_names_syntax_errors_and_unreadable_files() {
    let dir = Scratch::new("check-syntax");
    std::fs::write(dir.path("broken.toml"), "name = \"x\"\nhorizon_days = [\n").unwrap();
    let o = expect(1, &["check", &dir.arg("broken.toml")]);
    assert!(stderr(&o).contains("invalid TOML (line"), "{}", stderr(&o));
    std::fs::write(dir.path("unknown.toml"), "name = \"x\"\nsurprise = 1\n").unwrap();
    expect(1, &["check", &dir.arg("unknown.toml")]);
    let missing = dir.arg("missing.toml");
    let o = expect(1, &["check", &missing]);
    assert!(stderr(&o).contains(&missing), "{}", stderr(&o));
    let o = expect(1, &["run", "no-such-scenario"]);
    assert!(
        stderr(&o).starts_with("error: no-such-scenario"),
        "{}",
        stderr(&o)
    );
    // A directory is not a scenario.
    expect(1, &["check", dir.0.to_str().unwrap()]);
}

#[test]
fn run_prints_a_readable_table() {
    let o = expect(0, &["run", "plan-2026-01", "-n", "8"]);
    let text = stdout(&o);
    for needle in [
        "plan-2026-01",
        "8 replications",
        "seed 1",
        "Nasiriyah",
        "investigation",
        "mean days to verdict",
        "Willing states",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
    assert!(stdout(&expect(0, &["run", "plan-2026-01", "-n", "8", "--quiet"])).is_empty());
}

const METRIC_KEYS: [&str; 10] = [
    "n",
    "mean",
    "sd",
    "ci95_low",
    "ci95_high",
    "min",
    "p5",
    "p50",
    "p95",
    "max",
];

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[test]
fn run_json_has_the_documented_shape() {
    let dir = Scratch::new("json-shape");
    let file = short_file(&dir);
    expect(
        0,
        &[
            "run",
            &file,
            "-n",
            "1",
            "--seed",
            "5",
            "-q",
            "--json",
            &dir.arg("one.json"),
        ],
    );
    let j = read_json(&dir.path("one.json"));
    assert_eq!(
        keys(&j),
        [
            "scenario",
            "version",
            "scenario_sha256",
            "seed",
            "replications",
            "variant",
            "overrides",
            "metrics",
            "series",
            "answers"
        ]
    );
    assert_eq!(j["overrides"], serde_json::json!([]));
    assert_eq!(j["scenario"], "plan-2026-01");
    assert_eq!(j["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(j["seed"], 5);
    assert_eq!(j["replications"], 1);
    assert_eq!(j["scenario_sha256"].as_str().unwrap().len(), 64);
    let metrics = j["metrics"].as_object().unwrap();
    for name in [
        "transferred",
        "transferred.Iraqi",
        "last_arrival_day",
        "escaped",
        "remaining_in_syria",
        "repatriated",
        "repatriated.Western",
        "released",
        "convicted",
        "convicted.Syrian",
        "awaiting_verdict",
        "facility.Nasiriyah.peak_occupancy",
        "facility.Hillah.peak_occupancy_rate",
        "facility.Nineveh.days_over_capacity",
        "facility.Nineveh.first_day_over_capacity",
        "stage.investigation.completed",
        "stage.trial.mean_wait_days",
        "stage.trial.peak_queue",
        "mean_days_to_verdict",
        "median_days_to_verdict",
    ] {
        let m = metrics.get(name).unwrap_or_else(|| panic!("metric {name}"));
        assert_eq!(keys(m), METRIC_KEYS, "{name}");
    }
    // Layout order: the first metric is `transferred`, the last of version
    // 1 the median, then the version 2 metrics (the last facility's
    // excess), then those of version 3 (`transfer_ended_day`, then each
    // facility's `first_day_back_under`).
    assert_eq!(metrics.keys().next().unwrap(), "transferred");
    let last: Vec<&String> = metrics.keys().rev().take(5).collect();
    assert_eq!(
        last,
        [
            "facility.Nineveh.first_day_back_under",
            "facility.Hillah.first_day_back_under",
            "facility.Nasiriyah.first_day_back_under",
            "transfer_ended_day",
            "facility.Nineveh.excess_detainee_days"
        ]
    );
    // One replication: no standard deviation, no interval.
    let t = &j["metrics"]["transferred"];
    assert_eq!(t["n"], 1);
    assert!(t["mean"].is_number());
    assert!(t["sd"].is_null() && t["ci95_low"].is_null() && t["ci95_high"].is_null());

    let series = j["series"].as_object().unwrap();
    for name in [
        "occupancy.Nasiriyah",
        "occupancy.Hillah",
        "occupancy.Nineveh",
        "in_custody",
        "in_syria",
        "transferred_cumulative",
        "queue.investigation",
        "queue.trial",
    ] {
        let s = series.get(name).unwrap_or_else(|| panic!("series {name}"));
        assert_eq!(keys(s), ["day", "mean", "p5", "p50", "p95"], "{name}");
        for k in ["day", "mean", "p5", "p50", "p95"] {
            assert_eq!(s[k].as_array().unwrap().len(), 120, "{name}.{k}");
        }
        assert_eq!(s["day"][0], 1);
        assert_eq!(s["day"][119], 120);
    }
}

#[test]
fn json_is_byte_identical_across_runs_and_thread_counts() {
    let dir = Scratch::new("json-repeat");
    let file = short_file(&dir);
    let run = |name: &str, threads: &str| {
        expect(
            0,
            &[
                "run",
                &file,
                "-n",
                "12",
                "--seed",
                "9",
                "--threads",
                threads,
                "-q",
                "--json",
                &dir.arg(name),
            ],
        );
        read(&dir.path(name))
    };
    let a = run("a.json", "0");
    assert_eq!(a, run("b.json", "0"), "two runs");
    let one = run("t1.json", "1");
    assert_eq!(one, run("t2.json", "2"), "--threads 1 and 2");
    assert_eq!(a, one, "default threads and 1");
    assert!(a.ends_with(b"}\n"), "a trailing newline");
    // To standard output: the same bytes, no table mixed in.
    let o = expect(0, &["run", &file, "-n", "12", "--seed", "9", "--json", "-"]);
    assert_eq!(o.stdout, a);
    // Another seed gives another result.
    expect(
        0,
        &[
            "run",
            &file,
            "-n",
            "12",
            "--seed",
            "10",
            "-q",
            "--json",
            &dir.arg("c.json"),
        ],
    );
    assert_ne!(read(&dir.path("c.json")), a);
}

#[test]
fn shards_merge_to_exactly_the_run() {
    let dir = Scratch::new("shards");
    let file = short_file(&dir);
    expect(
        0,
        &[
            "run",
            &file,
            "-n",
            "14",
            "--seed",
            "3",
            "-q",
            "--json",
            &dir.arg("run.json"),
        ],
    );
    let whole = read(&dir.path("run.json"));
    for (from, to, name) in [
        ("0", "5", "a"),
        ("5", "14", "b"),
        ("5", "9", "b1"),
        ("9", "14", "b2"),
    ] {
        expect(
            0,
            &[
                "shard",
                &file,
                "--from",
                from,
                "--to",
                to,
                "--seed",
                "3",
                "-q",
                "--out",
                &dir.arg(name),
            ],
        );
        assert!(dir.path(name).is_file());
    }
    for (i, files) in [vec!["a", "b"], vec!["b", "a"], vec!["b2", "a", "b1"]]
        .into_iter()
        .enumerate()
    {
        let out = format!("merged{i}.json");
        let mut args = vec!["merge".to_string()];
        args.extend(files.iter().map(|f| dir.arg(f)));
        args.extend(["-q".into(), "--json".into(), dir.arg(&out)]);
        expect(0, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(read(&dir.path(&out)), whole, "merge of {files:?}");
    }
    // The merged table names the scenario and all replications.
    let o = expect(0, &["merge", &dir.arg("a"), &dir.arg("b")]);
    assert!(stdout(&o).contains("14 replications"), "{}", stdout(&o));
}

/// Shards made with `--set` carry their overrides, so that the merge
/// reports them as the single run does: the same bytes (a SLURM array of
/// `run.sbatch` with `--set` found the merged JSON without them). Shards of
/// other overrides do not merge.
#[test]
fn shards_made_with_set_merge_to_exactly_the_run() {
    let dir = Scratch::new("shards-set");
    let file = short_file(&dir);
    let set = "court.stage[trial].servers=7";
    let common = ["--seed", "3", "-q", "--set", set];
    let mut args = vec!["run", &file, "-n", "9"];
    args.extend(common);
    let run_json = dir.arg("run.json");
    args.extend(["--json", &run_json]);
    expect(0, &args);
    for (from, to, name) in [("0", "4", "a"), ("4", "9", "b")] {
        let out = dir.arg(name);
        let mut args = vec!["shard", &file, "--from", from, "--to", to, "--out", &out];
        args.extend(common);
        expect(0, &args);
    }
    let merged = dir.arg("merged.json");
    expect(
        0,
        &[
            "merge",
            &dir.arg("a"),
            &dir.arg("b"),
            "-q",
            "--json",
            &merged,
        ],
    );
    let whole = read(&dir.path("run.json"));
    let text = String::from_utf8_lossy(&whole);
    assert!(text.contains("court.stage[trial].servers"), "{text}");
    assert_eq!(read(&dir.path("merged.json")), whole);
    // A shard of the same scenario made with other overrides (the same
    // `--set` twice) does not fit: the merged record would be wrong.
    let twice = dir.arg("twice");
    let mut args = vec!["shard", &file, "--from", "4", "--to", "9", "--out", &twice];
    args.extend(common);
    args.extend(["--set", set]);
    expect(0, &args);
    let o = expect(1, &["merge", &dir.arg("a"), &twice, "-q"]);
    assert!(stderr(&o).contains("overrides"), "{}", stderr(&o));
}

#[test]
fn merge_refuses_shards_that_do_not_make_one_run() {
    let dir = Scratch::new("bad-merge");
    let file = short_file(&dir);
    let shard = |name: &str, from: &str, to: &str, extra: &[&str]| {
        let mut args = vec!["shard", &file, "--from", from, "--to", to, "-q"];
        args.extend_from_slice(extra);
        let out = dir.arg(name);
        args.extend(["--out", &out]);
        expect(0, &args);
    };
    shard("a", "0", "5", &[]);
    shard("overlap", "3", "8", &[]);
    shard("gap", "6", "9", &[]);
    shard("seed", "5", "9", &["--seed", "2"]);
    shard(
        "scenario",
        "5",
        "9",
        &["--set", "court.stage[trial].servers=30"],
    );
    for (other, needle) in [
        ("overlap", "overlap"),
        ("gap", "0..5, 6..9"),
        ("seed", "seed"),
        ("scenario", "different scenarios"),
    ] {
        let o = expect(1, &["merge", &dir.arg("a"), &dir.arg(other), "-q"]);
        assert!(stderr(&o).contains(needle), "{other}: {}", stderr(&o));
        let o = expect(1, &["merge", &dir.arg(other), &dir.arg("a"), "-q"]);
        assert!(stderr(&o).starts_with("error: "), "{other}: {}", stderr(&o));
    }
    // A missing last shard is caught when the expected count is given.
    expect(0, &["merge", &dir.arg("a"), "-q", "--replications", "5"]);
    let o = expect(1, &["merge", &dir.arg("a"), "-q", "--replications", "9"]);
    assert!(stderr(&o).contains("0..5, not 0..9"), "{}", stderr(&o));
    // Not starting at 0.
    let o = expect(1, &["merge", &dir.arg("gap"), "-q"]);
    assert!(stderr(&o).contains("0..n"), "{}", stderr(&o));
    // Unreadable and not a shard.
    let o = expect(1, &["merge", &dir.arg("missing.json")]);
    assert!(stderr(&o).contains("missing.json"));
    let o = expect(1, &["merge", &file]);
    assert!(
        stderr(&o).contains("not a custody-sim shard"),
        "{}",
        stderr(&o)
    );
    // An empty range is a usage error.
    expect(
        2,
        &[
            "shard",
            &file,
            "--from",
            "5",
            "--to",
            "5",
            "--out",
            &dir.arg("empty"),
        ],
    );
}

#[test]
fn csv_files_have_the_documented_headers() {
    let dir = Scratch::new("csv");
    let file = short_file(&dir);
    expect(
        0,
        &["run", &file, "-n", "1", "-q", "--csv", &dir.arg("out")],
    );
    let metrics = String::from_utf8(read(&dir.path("out/metrics.csv"))).unwrap();
    let mut lines = metrics.lines();
    assert_eq!(
        lines.next(),
        Some("metric,n,mean,sd,ci95_low,ci95_high,min,p5,p50,p95,max")
    );
    let transferred = lines.next().unwrap();
    assert!(transferred.starts_with("transferred,1,"), "{transferred}");
    // One replication: sd and the interval are empty fields.
    let fields: Vec<&str> = transferred.split(',').collect();
    assert_eq!(fields.len(), 11);
    assert_eq!(&fields[3..6], ["", "", ""]);
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("stage.trial.peak_queue,"))
    );
    let series = String::from_utf8(read(&dir.path("out/series.csv"))).unwrap();
    assert_eq!(
        series.lines().next(),
        Some("series,day,mean,p5,p50,p95,date")
    );
    assert!(series.lines().any(|l| l.starts_with("in_custody,120,")));
    // The date of a row is the date of its end-of-day record: series day 1
    // of a run from 21 January 2026 is 21 January, day 21 is 10 February.
    let date = |day: &str| {
        let row = series
            .lines()
            .find(|l| l.starts_with(&format!("in_custody,{day},")))
            .unwrap();
        row.rsplit(',').next().unwrap().to_string()
    };
    assert_eq!(date("1"), "2026-01-21");
    assert_eq!(date("21"), "2026-02-10");
    assert_eq!(date("120"), "2026-05-20");
    // 8 version 1 and 3 version 2 series of 120 days, and the header.
    assert_eq!(series.lines().count(), 11 * 120 + 1);
}

fn metric_mean(j: &Value, name: &str) -> f64 {
    j["metrics"][name]["mean"].as_f64().unwrap()
}

#[test]
fn set_changes_the_scenario_in_order() {
    let dir = Scratch::new("set");
    let base = ["run", "baseline", "-n", "8", "-q", "--json"];
    let mut args = base.to_vec();
    let plain = dir.arg("plain.json");
    args.push(&plain);
    expect(0, &args);
    let mut args = base.to_vec();
    let more = dir.arg("more.json");
    args.extend([
        &more,
        "--set",
        "court.stage[trial].servers=5",
        "--set",
        "court.stage[trial].servers=60",
    ]);
    expect(0, &args);
    let (plain, more) = (
        read_json(&dir.path("plain.json")),
        read_json(&dir.path("more.json")),
    );
    assert_ne!(plain["scenario_sha256"], more["scenario_sha256"]);
    assert!(
        metric_mean(&more, "stage.trial.mean_wait_days")
            < metric_mean(&plain, "stage.trial.mean_wait_days"),
        "60 trial panels (the last --set wins) wait less than 15"
    );
}

#[test]
fn bad_values_exit_1_with_a_message_naming_them() {
    for (args, needle) in [
        (
            vec![
                "run",
                "baseline",
                "-n",
                "2",
                "--set",
                "court.stage[appeal].servers=3",
            ],
            "court.stage[appeal]",
        ),
        (
            vec![
                "run",
                "baseline",
                "-n",
                "2",
                "--set",
                "court.stage[2].servers=0",
            ],
            "court.stage[2].servers: must be at least 1, got 0",
        ),
        (
            vec!["sweep", "baseline", "-n", "2", "--vary", "court.judges=1,2"],
            "court.judges",
        ),
        (
            vec![
                "sweep", "baseline", "-n", "2", "--vary", "seed=1", "--vary", "seed=2",
            ],
            "twice",
        ),
    ] {
        let o = expect(1, &args);
        let err = stderr(&o);
        assert!(
            err.starts_with("error: ") && err.contains(needle),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["run"],
        vec!["run", "baseline", "--no-such-flag"],
        vec!["run", "baseline", "--replications", "many"],
        vec!["run", "baseline", "--seed", "-1"],
        vec!["run", "baseline", "--set", "no-equals-sign"],
        vec!["sweep", "baseline"],
        vec!["sweep", "baseline", "--vary", "court.stage[1].servers"],
        vec![
            "sweep",
            "baseline",
            "--vary",
            "court.stage[1].servers=1",
            "--shard",
            "0/2",
            "--out",
            "x",
        ],
        vec![
            "sweep",
            "baseline",
            "--vary",
            "court.stage[1].servers=1",
            "--shard",
            "1/2",
        ],
        vec!["shard", "baseline", "--from", "0"],
        vec!["merge"],
        vec!["presets", "show"],
        // Counts out of range, whatever their sign.
        vec!["run", "baseline", "-n", "0"],
        vec!["run", "baseline", "-n", "-1"],
        vec!["run", "baseline", "--replications", "0"],
        vec!["run", "baseline", "-n", "2", "--threads", "1000000"],
        vec![
            "sweep",
            "baseline",
            "-n",
            "0",
            "--vary",
            "court.stage[1].servers=1,2",
        ],
        vec!["merge", "x.json", "--replications", "0"],
        vec![
            "shard", "baseline", "--from", "5", "--to", "5", "--out", "x",
        ],
        // `-` where a folder or a shard file is needed.
        vec!["run", "baseline", "-n", "2", "--plots", "-"],
        vec![
            "shard", "baseline", "--from", "0", "--to", "2", "--out", "-",
        ],
        vec![
            "sweep",
            "baseline",
            "--vary",
            "court.stage[1].servers=1",
            "--out",
            "-",
        ],
        // Two outputs to standard output.
        vec!["run", "baseline", "-n", "2", "--json", "-", "--csv", "-"],
    ] {
        let o = expect(2, &args);
        assert!(!stderr(&o).is_empty(), "{args:?}");
    }
    expect(0, &["--help"]);
    expect(0, &["--version"]);
}

#[test]
fn sweep_reports_cells_and_paired_differences() {
    let dir = Scratch::new("sweep");
    let file = short_file(&dir);
    let vary = [
        "--vary",
        "court.stage[trial].servers=15,30",
        "--vary",
        "transfer.weekly_cap=700,1400",
    ];
    let mut args = vec!["sweep", &file, "-n", "8", "--seed", "4"];
    args.extend(vary);
    let o = expect(0, &args);
    assert!(stdout(&o).contains("4 cells"), "{}", stdout(&o));
    let (json, csv) = (dir.arg("sweep.json"), dir.arg("sweep.csv"));
    args.extend(["-q", "--json", &json, "--csv", &csv]);
    expect(0, &args);
    let j = read_json(&dir.path("sweep.json"));
    assert_eq!(
        keys(&j),
        [
            "scenario",
            "version",
            "seed",
            "replications",
            "overrides",
            "paths",
            "cells"
        ]
    );
    assert_eq!(j["scenario"], "plan-2026-01");
    assert_eq!(j["seed"], 4);
    assert_eq!(j["replications"], 8);
    let cells = j["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 4);
    assert_eq!(
        keys(&cells[0]),
        ["params", "scenario_sha256", "metrics", "diff"]
    );
    // The last path varies fastest.
    assert_eq!(cells[1]["params"]["court.stage[trial].servers"], 15);
    assert_eq!(cells[1]["params"]["transfer.weekly_cap"], 1400);
    assert_eq!(keys(&cells[0]["metrics"]["transferred"]), METRIC_KEYS);
    let d = &cells[0]["diff"]["transferred"];
    assert_eq!(keys(d), ["n", "mean", "sd", "ci95_low", "ci95_high"]);
    assert_eq!(d["mean"], 0.0, "the first cell against itself");
    // A higher weekly cap: the transfer completes sooner, paired.
    let w = &cells[1]["diff"]["last_arrival_day"];
    assert!(w["ci95_high"].as_f64().unwrap() < 0.0, "{w}");

    let text = String::from_utf8(read(&dir.path("sweep.csv"))).unwrap();
    assert_eq!(
        text.lines().next(),
        Some(
            "court.stage[trial].servers,transfer.weekly_cap,metric,n,mean,sd,ci95_low,ci95_high,min,p5,p50,p95,max,\
             diff_n,diff_mean,diff_sd,diff_ci95_low,diff_ci95_high"
        )
    );
    let metrics = cells[0]["metrics"].as_object().unwrap().len();
    assert_eq!(text.lines().count(), 1 + 4 * metrics);
}

#[test]
fn sweep_shards_merge_to_exactly_the_sweep() {
    let dir = Scratch::new("sweep-shards");
    let file = short_file(&dir);
    let grid = [
        "--vary",
        "court.stage[trial].servers=15,30,45",
        "-n",
        "5",
        "--seed",
        "2",
        "-q",
    ];
    let (json, csv) = (dir.arg("whole.json"), dir.arg("whole.csv"));
    let mut args = vec!["sweep", &file];
    args.extend(grid);
    args.extend(["--json", &json, "--csv", &csv]);
    expect(0, &args);
    for k in 1..=4 {
        let slice = format!("{k}/4");
        let out = dir.arg(&format!("part{k}"));
        let mut args = vec!["sweep", &file];
        args.extend(grid);
        args.extend(["--shard", &slice, "--out", &out]);
        expect(0, &args);
    }
    let parts: Vec<String> = (1..=4)
        .rev()
        .map(|k| dir.arg(&format!("part{k}")))
        .collect();
    let (mjson, mcsv) = (dir.arg("merged.json"), dir.arg("merged.csv"));
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["-q", "--json", &mjson, "--csv", &mcsv]);
    expect(0, &args);
    assert_eq!(
        read(&dir.path("merged.json")),
        read(&dir.path("whole.json"))
    );
    assert_eq!(read(&dir.path("merged.csv")), read(&dir.path("whole.csv")));
    // A missing slice is refused, and so is a mix of run and sweep shards.
    let o = expect(1, &["merge", &parts[0], &parts[1], "-q"]);
    assert!(stderr(&o).contains("missing"), "{}", stderr(&o));
    expect(
        0,
        &[
            "shard",
            &file,
            "--from",
            "0",
            "--to",
            "5",
            "--seed",
            "2",
            "-q",
            "--out",
            &dir.arg("run"),
        ],
    );
    expect(1, &["merge", &parts[0], &dir.arg("run"), "-q"]);
}

#[test]
fn plots_go_to_a_folder_or_are_refused_clearly() {
    let dir = Scratch::new("plots");
    let file = short_file(&dir);
    let out = dir.arg("plots");
    if cfg!(feature = "plots") {
        let o = expect(
            0,
            &["run", &file, "-n", "4", "--plots", &out, "--json", "-"],
        );
        assert!(stderr(&o).contains("wrote"), "{}", stderr(&o));
        let svgs = std::fs::read_dir(dir.path("plots"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "svg")
            })
            .count();
        assert!(svgs > 0, "SVG charts written");
    } else {
        let o = expect(1, &["run", &file, "-n", "4", "--plots", &out]);
        assert!(stderr(&o).contains("plots"), "{}", stderr(&o));
    }
}

#[test]
fn set_can_repair_an_invalid_file() {
    let dir = Scratch::new("repair");
    let mut s = fixtures::baseline_days(60);
    // The trial stage (index 2): no schedule raises it from 0.
    s.court.stages[2].servers = 0;
    let file = fixtures::write_scenario(&dir, "broken.toml", &s);
    let o = expect(1, &["run", &file, "-n", "2", "-q"]);
    assert!(
        stderr(&o).contains("court.stage[2].servers: must be at least 1, got 0"),
        "{}",
        stderr(&o)
    );
    let o = expect(
        0,
        &[
            "run",
            &file,
            "-n",
            "2",
            "--set",
            "court.stage[trial].servers=20",
            "--json",
            "-",
        ],
    );
    assert!(stdout(&o).contains("\"replications\": 2"), "{}", stdout(&o));
}

#[test]
fn dash_means_standard_output_for_json_and_csv_and_is_refused_elsewhere() {
    let dir = Scratch::new("dash");
    let file = short_file(&dir);
    // --csv - on a run: metrics.csv on standard output, nothing else.
    let o = expect(0, &["run", &file, "-n", "3", "--csv", "-"]);
    let text = stdout(&o);
    assert!(
        text.starts_with("metric,n,mean,sd,ci95_low,ci95_high,min,p5,p50,p95,max\ntransferred,3,"),
        "{text}"
    );
    assert!(!dir.path("-").exists(), "no file or folder named -");
    expect(
        0,
        &["run", &file, "-n", "3", "-q", "--csv", &dir.arg("csv")],
    );
    assert_eq!(
        o.stdout,
        read(&dir.path("csv/metrics.csv")),
        "the same bytes as the file"
    );
    // --csv - on a sweep.
    let o = expect(
        0,
        &[
            "sweep",
            &file,
            "-n",
            "2",
            "--vary",
            "court.stage[trial].servers=15,30",
            "--csv",
            "-",
        ],
    );
    assert!(
        stdout(&o).starts_with("court.stage[trial].servers,metric,"),
        "{}",
        stdout(&o)
    );
    // Refused with a clear message where a folder or a file is needed.
    for (args, flag) in [
        (vec!["run", &file, "-n", "2", "--plots", "-"], "--plots -"),
        (
            vec!["shard", &file, "--from", "0", "--to", "2", "--out", "-"],
            "--out -",
        ),
        (
            vec!["run", &file, "-n", "2", "--json", "-", "--csv", "-"],
            "standard output",
        ),
    ] {
        let o = expect(2, &args);
        let err = stderr(&o);
        assert!(
            err.starts_with("error: ") && err.contains(flag),
            "{args:?}: {err}"
        );
    }
    assert!(!dir.path("-").exists(), "no folder named -");
    assert!(
        !Path::new("-").exists(),
        "no folder named - in the working folder"
    );
}

#[test]
fn outputs_are_checked_before_any_work() {
    let dir = Scratch::new("precheck");
    let bad = dir.arg("no/such/folder/out.json");
    let csv = dir.arg("csv");
    // A run of this size would take minutes: the bad path must stop it at
    // once, and leave the good output unwritten.
    let o = expect(
        1,
        &[
            "run", "baseline", "-n", "2000000", "-q", "--csv", &csv, "--json", &bad,
        ],
    );
    let err = stderr(&o);
    assert!(
        err.starts_with("error: ") && err.contains("out.json"),
        "{err}"
    );
    assert!(
        !dir.path("csv").exists(),
        "no output written before the check"
    );
    // A folder where a file is needed, and a file where a folder is needed.
    std::fs::create_dir(dir.path("adir")).unwrap();
    std::fs::write(dir.path("afile"), "x").unwrap();
    let o = expect(
        1,
        &[
            "run",
            "baseline",
            "-n",
            "2000000",
            "--json",
            &dir.arg("adir"),
        ],
    );
    assert!(stderr(&o).contains("adir"), "{}", stderr(&o));
    let o = expect(
        1,
        &[
            "run",
            "baseline",
            "-n",
            "2000000",
            "--csv",
            &dir.arg("afile"),
        ],
    );
    assert!(stderr(&o).contains("afile"), "{}", stderr(&o));
    let o = expect(
        1,
        &[
            "sweep", "baseline", "-n", "100000", "--vary", "seed=1,2", "--out", &bad,
        ],
    );
    assert!(stderr(&o).contains("out.json"), "{}", stderr(&o));
}

#[test]
fn files_are_written_whole_with_no_temporary_file_left() {
    let dir = Scratch::new("atomic");
    let file = short_file(&dir);
    std::fs::write(dir.path("out.json"), "an older file").unwrap();
    expect(
        0,
        &[
            "run",
            &file,
            "-n",
            "2",
            "-q",
            "--json",
            &dir.arg("out.json"),
            "--csv",
            &dir.arg("csv"),
        ],
    );
    assert!(read_json(&dir.path("out.json"))["replications"] == 2);
    expect(
        0,
        &[
            "shard",
            &file,
            "--from",
            "0",
            "--to",
            "2",
            "-q",
            "--out",
            &dir.arg("s"),
        ],
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .chain(std::fs::read_dir(dir.path("csv")).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "csv",
            "metrics.csv",
            "out.json",
            "s",
            "series.csv",
            "short.toml"
        ],
        "only the outputs, no temporary files"
    );
}

#[test]
fn no_output_overwrites_an_input() {
    let dir = Scratch::new("inputs");
    let file = short_file(&dir);
    let toml = read(Path::new(&file));
    let shard = dir.arg("s.json");
    expect(
        0,
        &[
            "shard", &file, "--from", "0", "--to", "3", "-q", "--out", &shard,
        ],
    );
    let before = read(&dir.path("s.json"));
    for args in [
        vec!["merge", &shard, "--json", &shard],
        vec!["shard", &file, "--from", "0", "--to", "2", "--out", &file],
        vec!["run", &file, "-n", "2", "--json", &file],
        vec![
            "sweep", &file, "-n", "2", "--vary", "seed=1,2", "--csv", &file,
        ],
    ] {
        let o = expect(2, &args);
        let err = stderr(&o);
        assert!(
            err.starts_with("error: ") && err.contains("input"),
            "{args:?}: {err}"
        );
    }
    // The same file by another spelling of its path.
    let other = format!(
        "{}/../{}/s.json",
        dir.0.display(),
        dir.0.file_name().unwrap().to_str().unwrap()
    );
    expect(2, &["merge", &shard, "--json", &other]);
    // A --csv folder that holds an input of the same name.
    std::fs::copy(dir.path("s.json"), dir.path("metrics.csv")).unwrap();
    let o = expect(
        2,
        &[
            "merge",
            &dir.arg("metrics.csv"),
            "--csv",
            dir.0.to_str().unwrap(),
        ],
    );
    assert!(stderr(&o).contains("metrics.csv"), "{}", stderr(&o));
    assert_eq!(read(&dir.path("s.json")), before, "the shard is untouched");
    assert_eq!(read(Path::new(&file)), toml, "the scenario is untouched");
}

#[test]
fn overrides_are_recorded_in_json_table_and_sweeps() {
    let dir = Scratch::new("overrides");
    let out = dir.arg("o.json");
    let o = expect(
        0,
        &[
            "run",
            "baseline",
            "-n",
            "2",
            "--set",
            "horizon_days=30",
            "--set",
            "court.stage[trial].servers=20",
            "--json",
            &out,
        ],
    );
    assert!(
        stdout(&o).starts_with(
            "Scenario baseline with --set horizon_days=30, court.stage[trial].servers=20:"
        ),
        "{}",
        stdout(&o)
    );
    let j = read_json(&dir.path("o.json"));
    assert_eq!(
        j["overrides"],
        serde_json::json!([
            {"path": "horizon_days", "value": 30},
            {"path": "court.stage[trial].servers", "value": 20}
        ])
    );
    let o = expect(
        0,
        &[
            "sweep",
            "baseline",
            "-n",
            "2",
            "--set",
            "horizon_days=30",
            "--vary",
            "court.stage[trial].servers=15,30",
            "--json",
            "-",
        ],
    );
    let j: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["overrides"][0]["path"], "horizon_days");
    let o = expect(
        0,
        &[
            "sweep",
            "baseline",
            "-n",
            "2",
            "--set",
            "horizon_days=30",
            "--vary",
            "court.stage[trial].servers=15,30",
        ],
    );
    let text = stdout(&o);
    assert!(text.contains("with --set horizon_days=30"), "{text}");
    // Cells read `path=value`.
    assert!(text.contains("court.stage[trial].servers=30"), "{text}");
}

#[test]
fn the_table_says_what_each_capacity_figure_is() {
    let o = expect(
        0,
        &["run", "plan-2026-01", "-n", "3", "--set", "horizon_days=20"],
    );
    let text = stdout(&o);
    // Prisons over capacity on day 0 say so, not "1": in the facilities'
    // table, and in the answers that lead.
    assert!(
        text.contains("Nasiriyah is already over its 6,000 beds on day 0"),
        "{text}"
    );
    let nasiriyah = text[text.find("\nFacilities (").unwrap()..]
        .lines()
        .find(|l| l.trim_start().starts_with("Nasiriyah"))
        .unwrap();
    assert!(nasiriyah.contains("over on day 0"), "{nasiriyah}");
    // The expansion of day 120 is beyond a 20-day horizon: not listed.
    assert!(!nasiriyah.contains('→'), "{nasiriyah}");
    assert!(text.contains("worst day: occupancy / beds"), "{text}");
    // One day convention: day 0 is the start of the start date, day d
    // the end of the date d − 1 days later.
    assert!(
        text.contains("Day 0 is the start of 21 Jan 2026")
            && text.contains("(day 1: 21 Jan 2026)")
            && text.contains("horizon 20 days (to the end of 9 Feb 2026)"),
        "{text}"
    );
    // A transfer that never completes within the horizon reads `never`,
    // not a number with a band of nevers.
    let last = text
        .lines()
        .find(|l| l.contains("day the transfer completes"))
        .unwrap();
    assert!(last.contains("never") && !last.contains("[never"), "{last}");
    // With the horizon past the expansion, it is listed, and day numbers
    // have dates.
    let o = expect(
        0,
        &[
            "run",
            "plan-2026-01",
            "-n",
            "3",
            "--set",
            "horizon_days=200",
        ],
    );
    let text = stdout(&o);
    let nasiriyah = text[text.find("\nFacilities (").unwrap()..]
        .lines()
        .find(|l| l.trim_start().starts_with("Nasiriyah"))
        .unwrap();
    assert!(nasiriyah.contains("6,000 → 8,304"), "{nasiriyah}");
    assert!(
        text.contains("Nasiriyah is already over its 6,000 beds (8,304 by the horizon) on day 0"),
        "{text}"
    );
    let last = text
        .lines()
        .find(|l| l.contains("day the transfer completes"))
        .unwrap();
    assert!(last.contains("2026)"), "{last}");
}

#[test]
fn every_bundled_scenario_runs_by_name() {
    let o = expect(0, &["presets"]);
    for name in presets::NAMES {
        assert!(stdout(&o).contains(name));
        let o = expect(
            0,
            &[
                "run",
                name,
                "-n",
                "2",
                "--set",
                "horizon_days=10",
                "--json",
                "-",
            ],
        );
        let j: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(j["replications"], 2, "{name}");
    }
}

/// Every scenario file under examples/scenarios/ is a bundled scenario.
#[test]
fn every_example_scenario_file_is_bundled() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let stem = path.file_stem().unwrap().to_str().unwrap();
            assert!(
                presets::NAMES.contains(&stem),
                "{stem} is not in presets::NAMES"
            );
        }
    }
}

#[test]
fn merge_names_the_file_that_does_not_fit() {
    let dir = Scratch::new("merge-names");
    let file = short_file(&dir);
    let (a, b) = (dir.arg("first.json"), dir.arg("second.json"));
    expect(
        0,
        &[
            "shard", &file, "--from", "0", "--to", "2", "-q", "--out", &a,
        ],
    );
    expect(
        0,
        &[
            "shard", &file, "--from", "2", "--to", "4", "--seed", "9", "-q", "--out", &b,
        ],
    );
    let o = expect(1, &["merge", &a, &b, "-q"]);
    let err = stderr(&o);
    assert!(err.starts_with(&format!("error: {b}: ")), "{err}");
    assert!(err.contains("seed") && err.contains("first.json"), "{err}");
}

#[cfg(feature = "plots")]
#[test]
fn charts_have_unique_names_and_bounded_sizes() {
    let dir = Scratch::new("plot-names");
    let mut s = fixtures::plan_days(20);
    let template = s.facilities[0].clone();
    s.facilities[0].name = "a".into();
    s.facilities[1].name = "a!".into();
    s.facilities[2].name = "1 a".into();
    s.court.convicted_facility = Some("a".into());
    for i in 0..7 {
        let mut f = template.clone();
        f.name = format!("extra {i}");
        s.facilities.push(f);
    }
    s.validate().unwrap();
    std::fs::write(dir.path("many.toml"), s.to_toml_string()).unwrap();
    let plots = dir.arg("plots");
    expect(
        0,
        &[
            "run",
            &dir.arg("many.toml"),
            "-n",
            "2",
            "-q",
            "--plots",
            &plots,
            "--set",
            "court.stage[trial].servers=20",
        ],
    );
    let names: std::collections::BTreeSet<String> = std::fs::read_dir(dir.path("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // Ten facilities: two occupancy files of at most 8 panels, and one
    // file per facility, none overwriting another.
    for n in [
        "occupancy-1of2.svg",
        "occupancy-2of2.svg",
        "occupancy_1_a.svg",
        "occupancy_2_a.svg",
        "occupancy_1_a_2.svg",
    ] {
        assert!(names.contains(n), "{n} in {names:?}");
    }
    assert!(!names.contains("occupancy.svg"));
    let per_facility = names
        .iter()
        .filter(|n| n.starts_with("occupancy_") && n.ends_with(".svg"))
        .count();
    assert_eq!(per_facility, 10, "{names:?}");
    assert!(
        names.iter().all(|n| !n.starts_with('.')),
        "no temporary files: {names:?}"
    );
    // The subtitle names the override.
    let svg = String::from_utf8(read(&dir.path("plots/transfers.svg"))).unwrap();
    assert!(
        svg.contains("--set court.stage[trial].servers=20"),
        "the subtitle names the --set"
    );
}

/// The README's JSON excerpt as `custody-sim run baseline -n 1000 --seed 1
/// --json -` prints it: the header keys, one metric, the first three days
/// of one series.
fn readme_excerpt(j: &Value) -> String {
    let compact = |v: &Value| serde_json::to_string(v).unwrap();
    let object = |v: &Value, take: usize| {
        let fields: Vec<String> = v
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, x)| match x.as_array() {
                Some(a) => format!(
                    "\"{k}\": [{}]",
                    a.iter()
                        .take(take)
                        .map(compact)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => format!("\"{k}\": {}", compact(x)),
            })
            .collect();
        format!("{{ {} }}", fields.join(", "))
    };
    let metric = "facility.Nasiriyah.peak_occupancy";
    let series = "occupancy.Nasiriyah";
    [
        "{".to_string(),
        format!(
            "  \"scenario\": {}, \"version\": {}, \"seed\": {}, \"replications\": {}, \"overrides\": {},",
            j["scenario"], j["version"], j["seed"], j["replications"], j["overrides"]
        ),
        "  \"metrics\": {".into(),
        format!("    \"{metric}\": {}, …", object(&j["metrics"][metric], 0)),
        "  },".into(),
        "  \"series\": {".into(),
        format!("    \"{series}\": {}, …", object(&j["series"][series], 3)),
        "  }".into(),
        "}".into(),
    ]
    .join("\n")
}

/// The numbers the README shows for the JSON output are what the command
/// it names prints; when they drift, this fails with the block to paste.
#[test]
fn readme_json_excerpt_is_what_its_command_prints() {
    const OPEN: &str =
        "<!-- json-excerpt: custody-sim run baseline -n 1000 --seed 1 --json - -->\n```json\n";
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find(OPEN)
        .expect("the README marks its JSON excerpt")
        + OPEN.len();
    let end = start + readme[start..].find("\n```").unwrap();
    let o = expect(
        0,
        &[
            "run", "baseline", "-n", "1000", "--seed", "1", "--json", "-",
        ],
    );
    let j: Value = serde_json::from_slice(&o.stdout).unwrap();
    let want = readme_excerpt(&j);
    assert_eq!(
        &readme[start..end],
        want,
        "the README's JSON excerpt has drifted; paste this between the markers:\n{want}"
    );
}

#[test]
fn runs_above_the_limits_are_refused_unless_allowed() {
    // 10^8 replications of the baseline: days of work and tens of GiB of
    // stored values. Refused at once, naming the way to run it anyway.
    for args in [
        vec!["run", "baseline", "-n", "100000000", "-q"],
        vec![
            "shard",
            "baseline",
            "--from",
            "0",
            "--to",
            "100000000",
            "--out",
            "never.json",
        ],
    ] {
        let o = expect(1, &args);
        let err = stderr(&o);
        assert!(
            err.starts_with("error: ")
                && err.contains("above the limit")
                && err.contains("--allow-large"),
            "{args:?}: {err}"
        );
    }
    assert!(!Path::new("never.json").exists());
    // --allow-large is documented in the help.
    let o = expect(0, &["run", "--help"]);
    assert!(stdout(&o).contains("--allow-large"), "{}", stdout(&o));
}

/// Every flag of every command's `--help` is in `docs/cli.md`, which
/// describes the command line (a flag followed by a character that cannot
/// continue its name, so `--set` does not stand for `--set-x`).
#[test]
fn docs_cli_names_every_flag_of_every_command() {
    let docs = include_str!("../../docs/cli.md");
    let named = |flag: &str| {
        docs.match_indices(flag).any(|(i, _)| {
            !docs[i + flag.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
        })
    };
    // The long flags of a help text: `  -n, --replications <N>`, `  --json <FILE|->`.
    let flags = |help: &str| -> Vec<String> {
        help.lines()
            .filter_map(|l| {
                let l = l.trim_start();
                let l = l.strip_prefix('-').and_then(|r| {
                    // `-n, --replications`: skip the short flag.
                    r.split_once(", -").map_or(Some(r), |(_, long)| Some(long))
                })?;
                let name: String = l
                    .strip_prefix('-')?
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                (!name.is_empty()).then(|| format!("--{name}"))
            })
            .collect()
    };
    let top = stdout(&expect(0, &["--help"]));
    let commands: Vec<&str> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 10, "{top}");
    let mut missing = Vec::new();
    for c in &commands {
        let help = stdout(&expect(0, &[c, "--help"]));
        let fs = flags(&help);
        assert!(fs.iter().any(|f| f == "--help"), "{c}: {help}");
        for f in fs {
            if !["--help", "--version"].contains(&f.as_str()) && !named(&f) {
                missing.push(format!("{c} {f}"));
            }
        }
    }
    assert!(missing.is_empty(), "not in docs/cli.md: {missing:?}");
}
