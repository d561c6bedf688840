//! The files of every command: an output that is a FIFO, a device or a
//! symbolic link is written through, never replaced; every file a
//! command reads (the posterior a scenario names included) is an input no
//! output may overwrite; inputs that are not regular files or are too big
//! are refused before they are read; the calibrated scenario keeps its
//! source's comments and variants; observations with repeated columns or
//! ragged rows are refused.

#![cfg(target_os = "linux")]

use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use custody_sim::calibrate::Observations;
use custody_sim::{Scenario, presets};

use crate::cli::Scratch;

use crate::fixtures::SMALL;

/// Runs the binary with `args`, killed after `limit` (a hang is a
/// failure); checks that nothing panicked.
fn cli_within(limit: Duration, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_custody-sim"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{args:?} panicked: {err}"
    );
    out
}

fn cli(args: &[&str]) -> Output {
    cli_within(Duration::from_secs(120), args)
}

/// Runs `args`, checks the exit code, returns standard error.
fn expect(code: i32, args: &[&str]) -> String {
    let out = cli(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    err
}

fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo").arg(p).status().unwrap().success();
    assert!(ok, "mkfifo {}", p.display());
}

fn is_fifo(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_fifo())
}

fn is_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
}

/// Runs `args` while a thread reads the FIFO `fifo`; returns the exit
/// output and what the thread read (nothing if the command never opened
/// the FIFO).
fn through_fifo(fifo: &Path, args: &[&str]) -> (Output, Vec<u8>) {
    let p = fifo.to_path_buf();
    let reader = std::thread::spawn(move || std::fs::read(p).unwrap());
    let out = cli(args);
    // A command that never opened the FIFO leaves the reader waiting for
    // a writer: open it (without waiting, O_NONBLOCK) and close it.
    let _ = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(0o4000)
        .open(fifo);
    (out, reader.join().unwrap())
}

/// The small scenario (30 days) and a copy, an observations file and a
/// run shard, in `dir`.
fn inputs(dir: &Scratch) {
    let text = SMALL.replace("horizon_days = 60", "horizon_days = 30");
    std::fs::write(dir.path("s.toml"), &text).unwrap();
    std::fs::write(
        dir.path("b.toml"),
        text.replace("servers = 2\n", "servers = 3\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path("obs.csv"),
        "date,series,value\n10,transferred_cumulative,60\n20,transferred_cumulative,120\n",
    )
    .unwrap();
    expect(
        0,
        &[
            "shard",
            &dir.arg("s.toml"),
            "--from",
            "0",
            "--to",
            "2",
            "--quiet",
            "--out",
            &dir.arg("in-shard.json"),
        ],
    );
}

/// Every command with its main file output at `OUT` (and what the output
/// starts with).
fn commands(dir: &Scratch) -> Vec<(&'static str, Vec<String>, &'static str)> {
    let s = dir.arg("s.toml");
    let v = |a: &[&str]| a.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        (
            "run",
            v(&["run", &s, "-n", "2", "--quiet", "--json", "OUT"]),
            "{",
        ),
        (
            "sweep",
            v(&[
                "sweep",
                &s,
                "--vary",
                "court.stage[trial].servers=2,3",
                "-n",
                "2",
                "--quiet",
                "--json",
                "OUT",
            ]),
            "{",
        ),
        (
            "sweep --shard",
            v(&[
                "sweep",
                &s,
                "--vary",
                "court.stage[trial].servers=2,3",
                "-n",
                "2",
                "--quiet",
                "--shard",
                "1/2",
                "--out",
                "OUT",
            ]),
            "{",
        ),
        (
            "shard",
            v(&[
                "shard", &s, "--from", "0", "--to", "2", "--quiet", "--out", "OUT",
            ]),
            "{",
        ),
        (
            "merge",
            v(&[
                "merge",
                &dir.arg("in-shard.json"),
                "--quiet",
                "--json",
                "OUT",
            ]),
            "{",
        ),
        (
            "compare",
            v(&[
                "compare",
                &s,
                &dir.arg("b.toml"),
                "-n",
                "4",
                "--quiet",
                "--json",
                "OUT",
            ]),
            "{",
        ),
        (
            "sensitivity",
            v(&[
                "sensitivity",
                &s,
                "--metric",
                "convicted",
                "--param",
                r#"court.stage[trial].servers={dist="uniform_int",low=2,high=4}"#,
                "--samples",
                "4",
                "--bootstrap",
                "0",
                "-n",
                "2",
                "--quiet",
                "--json",
                "OUT",
            ]),
            "{",
        ),
        (
            "solve",
            v(&[
                "solve",
                &s,
                "--vary",
                "court.stage[trial].servers=1..4",
                "--target",
                "stage.trial.mean_wait_days mean <= 1000",
                "-n",
                "2",
                "--quiet",
                "--json",
                "OUT",
            ]),
            "{",
        ),
        (
            "backtest",
            v(&[
                "backtest",
                &s,
                "--observed",
                &dir.arg("obs.csv"),
                "-n",
                "2",
                "--quiet",
                "--json",
                "OUT",
            ]),
            "{",
        ),
        (
            "calibrate",
            v(&[
                "calibrate",
                &s,
                "--observed",
                &dir.arg("obs.csv"),
                "--prior",
                r#"court.conviction_probability={dist="uniform",low=0.8,high=0.95}"#,
                "--particles",
                "8",
                "--max-simulations",
                "40",
                "--quiet",
                "--out",
                "OUT",
            ]),
            "court.conviction_probability",
        ),
        (
            "calibrate --scenario-out",
            v(&[
                "calibrate",
                &s,
                "--observed",
                &dir.arg("obs.csv"),
                "--prior",
                r#"court.conviction_probability={dist="uniform",low=0.8,high=0.95}"#,
                "--particles",
                "8",
                "--max-simulations",
                "40",
                "--quiet",
                "--out",
                &dir.arg("post.csv"),
                "--scenario-out",
                "OUT",
            ]),
            "# Calibrated",
        ),
    ]
}

fn with_out(args: &[String], out: &Path) -> Vec<String> {
    args.iter()
        .map(|a| {
            if a == "OUT" {
                out.to_str().unwrap().to_string()
            } else {
                a.clone()
            }
        })
        .collect()
}

/// `text` after a first line that is taplo's `#:schema` directive, which a
/// scenario written from a file that names the schema keeps first.
fn without_schema_line(text: &str) -> &str {
    match text.split_once('\n') {
        Some((first, rest)) if first.starts_with("#:schema") => rest,
        _ => text,
    }
}

#[test]
fn every_command_writes_into_a_fifo_without_replacing_it() {
    let dir = Scratch::new("fifo-out");
    inputs(&dir);
    for (i, (name, args, starts)) in commands(&dir).into_iter().enumerate() {
        let fifo = dir.path(&format!("out-{i}.fifo"));
        mkfifo(&fifo);
        let args = with_out(&args, &fifo);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (out, got) = through_fifo(&fifo, &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{name}: {err}");
        assert!(is_fifo(&fifo), "{name}: the FIFO was replaced");
        let got = String::from_utf8_lossy(&got);
        assert!(
            without_schema_line(&got).starts_with(starts),
            "{name} wrote into the FIFO: {got:.200}"
        );
        // Nothing else was left in the folder (no temporary file).
        let stray: Vec<_> = std::fs::read_dir(dir.path(""))
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(stray.is_empty(), "{name} left {stray:?}");
    }
}

#[test]
fn every_command_writes_through_a_symlink_keeping_the_link() {
    let dir = Scratch::new("link-out");
    inputs(&dir);
    std::fs::create_dir(dir.path("real")).unwrap();
    for (i, (name, args, starts)) in commands(&dir).into_iter().enumerate() {
        let real = dir.path(&format!("real/out-{i}"));
        std::fs::write(&real, "old").unwrap();
        let link = dir.path(&format!("link-{i}"));
        std::os::unix::fs::symlink(format!("real/out-{i}"), &link).unwrap();
        let args = with_out(&args, &link);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        expect(0, &args);
        assert!(is_symlink(&link), "{name}: the link was replaced");
        assert_eq!(
            std::fs::read_link(&link).unwrap(),
            PathBuf::from(format!("real/out-{i}")),
            "{name}"
        );
        let got = std::fs::read_to_string(&real).unwrap();
        assert!(
            without_schema_line(&got).starts_with(starts),
            "{name}: the target holds {got:.200}"
        );
    }
}

#[test]
fn a_character_device_output_is_written_into_and_a_block_device_refused() {
    let dir = Scratch::new("devices");
    inputs(&dir);
    // A null device of our own (root only; elsewhere there is nothing to
    // test without touching the system's).
    let null = dir.path("null");
    let made = Command::new("mknod")
        .args([null.to_str().unwrap(), "c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: mknod needs root");
        return;
    }
    for (name, args, _) in commands(&dir) {
        let args = with_out(&args, &null);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        expect(0, &args);
        let m = std::fs::symlink_metadata(&null).unwrap();
        assert!(m.file_type().is_char_device(), "{name} replaced the device");
    }
    // A block device with no driver behind it: refused before any work.
    let block = dir.path("block");
    let ok = Command::new("mknod")
        .args([block.to_str().unwrap(), "b", "240", "77"])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let err = expect(
        2,
        &[
            "run",
            &dir.arg("s.toml"),
            "-n",
            "2",
            "--json",
            &dir.arg("block"),
        ],
    );
    assert!(err.contains("block device"), "{err}");
    assert!(
        std::fs::symlink_metadata(&block)
            .unwrap()
            .file_type()
            .is_block_device()
    );
}

/// A calibrated pair: `cal.toml` whose `[uncertainty] posterior` is
/// `post.csv`.
fn calibrated_pair(dir: &Scratch) {
    let text = SMALL.replace("horizon_days = 60", "horizon_days = 30");
    std::fs::write(
        dir.path("cal.toml"),
        format!("{text}\n[uncertainty]\nposterior = \"post.csv\"\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path("post.csv"),
        "court.conviction_probability,weight\n0.9,1\n0.85,1\n",
    )
    .unwrap();
}

#[test]
fn the_posterior_a_scenario_names_is_an_input_no_output_overwrites() {
    let dir = Scratch::new("posterior-input");
    inputs(&dir);
    calibrated_pair(&dir);
    let before = std::fs::read_to_string(dir.path("post.csv")).unwrap();
    let cal = dir.arg("cal.toml");
    let post = dir.arg("post.csv");
    let prior = r#"court.conviction_probability={dist="uniform",low=0.8,high=0.95}"#;
    let obs = dir.arg("obs.csv");
    for args in [
        vec!["run", &cal, "-n", "2", "--json", &post],
        vec!["shard", &cal, "--from", "0", "--to", "2", "--out", &post],
        vec![
            "calibrate",
            &cal,
            "--observed",
            &obs,
            "--prior",
            prior,
            "--particles",
            "8",
            "--max-simulations",
            "40",
            "--out",
            &post,
        ],
        vec![
            "backtest",
            &cal,
            "--observed",
            &obs,
            "-n",
            "2",
            "--csv",
            &post,
        ],
    ] {
        let err = expect(2, &args);
        assert!(err.contains("an input of this command"), "{args:?}: {err}");
        assert_eq!(
            std::fs::read_to_string(dir.path("post.csv")).unwrap(),
            before
        );
    }
    // The same through a symbolic link to it.
    std::os::unix::fs::symlink("post.csv", dir.path("alias.csv")).unwrap();
    expect(
        2,
        &["run", &cal, "-n", "2", "--json", &dir.arg("alias.csv")],
    );
    assert_eq!(
        std::fs::read_to_string(dir.path("post.csv")).unwrap(),
        before
    );
}

#[test]
fn inputs_that_are_not_regular_files_or_too_big_are_refused_before_reading() {
    let dir = Scratch::new("big-inputs");
    inputs(&dir);
    let limit = Duration::from_secs(20);
    let code = |out: &Output| out.status.code();
    // A sparse 3 GiB scenario and observations file: refused by size.
    for name in ["big.toml", "big.csv"] {
        let f = std::fs::File::create(dir.path(name)).unwrap();
        f.set_len(3 << 30).unwrap();
    }
    let out = cli_within(limit, &["check", &dir.arg("big.toml")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(
        err.contains("3 GiB, above the limit of 64 MiB for a scenario file"),
        "{err}"
    );
    let s = dir.arg("s.toml");
    let prior = r#"court.conviction_probability={dist="uniform",low=0.8,high=0.95}"#;
    let calibrate = |observed: &str| {
        cli_within(
            limit,
            &[
                "calibrate",
                &s,
                "--observed",
                observed,
                "--prior",
                prior,
                "--particles",
                "8",
                "--max-simulations",
                "40",
                "--quiet",
                "--out",
                &dir.arg("p.csv"),
            ],
        )
    };
    let out = calibrate(&dir.arg("big.csv"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(
        err.contains("above the limit of 64 MiB for an observations file"),
        "{err}"
    );
    // FIFOs would hang a reader: observations, a posterior, a shard.
    mkfifo(&dir.path("in.fifo"));
    let out = calibrate(&dir.arg("in.fifo"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(
        err.contains("is a FIFO (named pipe); an observations file must be a regular file"),
        "{err}"
    );
    let text = SMALL.replace("horizon_days = 60", "horizon_days = 30");
    std::fs::write(
        dir.path("fifo-post.toml"),
        format!("{text}\n[uncertainty]\nposterior = \"in.fifo\"\n"),
    )
    .unwrap();
    let out = cli_within(
        limit,
        &["run", &dir.arg("fifo-post.toml"), "-n", "2", "--quiet"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(
        err.contains("a posterior file must be a regular file"),
        "{err}"
    );
    let out = cli_within(
        limit,
        &["merge", &dir.arg("in-shard.json"), &dir.arg("in.fifo")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(err.contains("FIFO"), "{err}");
    // A character device (endless) is refused too.
    let out = cli_within(limit, &["merge", "/dev/zero"]);
    assert_eq!(code(&out), Some(1));
    // The library refuses the same, before reading.
    let e = Scenario::from_path(dir.path("big.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("above the limit"), "{e}");
    let e = Observations::from_path("/dev/zero", &presets::baseline())
        .unwrap_err()
        .to_string();
    assert!(e.contains("a character device"), "{e}");
}

#[test]
fn the_calibrated_scenario_keeps_comments_and_variants_and_quotes_paths() {
    let dir = Scratch::new("scenario-out");
    inputs(&dir);
    let text = std::fs::read_to_string(dir.path("s.toml")).unwrap();
    std::fs::write(
        dir.path("s.toml"),
        format!("{text}\n# A busier court.\n[variant.high]\n\"court.stage[trial].servers\" = 4\n"),
    )
    .unwrap();
    let prior = r#"court.conviction_probability={dist="uniform",low=0.8,high=0.95}"#;
    let calibrate = |out: &str| {
        cli(&[
            "calibrate",
            &dir.arg("s.toml"),
            "--observed",
            &dir.arg("obs.csv"),
            "--prior",
            prior,
            "--particles",
            "8",
            "--max-simulations",
            "40",
            "--quiet",
            "--out",
            out,
            "--scenario-out",
            &dir.arg("cal.toml"),
        ])
    };
    let out = calibrate(&dir.arg("post.csv"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cal = std::fs::read_to_string(dir.path("cal.toml")).unwrap();
    assert!(cal.contains("# A busier court.\n[variant.high]"), "{cal}");
    assert!(cal.contains("posterior = \"post.csv\""), "{cal}");
    expect(
        0,
        &[
            "run",
            &format!("{}:high", dir.arg("cal.toml")),
            "-n",
            "2",
            "--quiet",
        ],
    );
    // A newline in the posterior's path cannot reach the TOML.
    let out = calibrate(&dir.arg("a\n[x]\ny.csv"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("control character"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.path("cal.toml")).unwrap(), cal);
}

#[test]
fn observations_refuse_repeated_columns_and_ragged_rows() {
    let s = presets::plan_2026_01();
    let err = |text: &str| {
        Observations::from_csv_str(text, "obs.csv", &s)
            .unwrap_err()
            .to_string()
    };
    let e = err("date,date,series,value\n2026-01-30,2026-01-31,transferred_cumulative,5\n");
    assert!(
        e.contains("obs.csv, line 1") && e.contains("\"date\" is named twice"),
        "{e}"
    );
    let e = err("date,series,value,sd,sd\n2026-01-30,transferred_cumulative,5,1,2\n");
    assert!(e.contains("\"sd\" is named twice"), "{e}");
    let e = err(
        "date,series,value,sd\n2026-01-30,transferred_cumulative,5,1\n2026-01-31,transferred_cumulative,6,1,9\n",
    );
    assert!(
        e.contains("obs.csv, line 3") && e.contains("5 fields, the header 4"),
        "{e}"
    );
    let e = err("date,series,value\n2026-01-30,transferred_cumulative\n");
    assert!(
        e.contains("line 2") && e.contains("2 fields, the header 3"),
        "{e}"
    );
    assert!(
        Observations::from_csv_str(
            "date,series,value,sd\n2026-01-30,transferred_cumulative,5,\n",
            "obs.csv",
            &s
        )
        .is_ok()
    );
}
