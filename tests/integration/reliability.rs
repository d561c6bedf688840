//! Reliability cases on the Monte Carlo side: sweeps whose cells
//! have different metric layouts, damaged or edited shard files, one
//! parameter reached by two paths, the work and memory estimate and its
//! limits, the thread cap, merge errors that name the file, and exact daily
//! quantiles.

use std::path::{Path, PathBuf};

use custody_sim::montecarlo::{
    Limits, Run, RunCost, Runs, Shard, ShardFile, estimate, max_threads, read_shard_file, run,
    run_shard,
};
use custody_sim::sweep::{SweepShard, Vary, sweep, sweep_shard};
use custody_sim::{Error, Plan, Scenario, presets};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::fixtures::SMALL;

fn small() -> Scenario {
    Scenario::from_toml_str(SMALL)
        .unwrap()
        .with_param("horizon_days", "30")
        .unwrap()
}

fn runs(replications: u64) -> Runs {
    Runs {
        replications,
        seed: 5,
        threads: 0,
    }
}

/// A fresh directory for one test's files.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("custody-sim-rel-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes `v` as a shard file with a checksum that matches its (edited)
/// data, as a careful forger would: what is left to catch it are the
/// consistency checks.
fn reseal(mut v: Value, path: &Path) {
    v.as_object_mut().unwrap().shift_remove("sha256");
    let digest = Sha256::digest(serde_json::to_string(&v).unwrap().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    v["sha256"] = Value::from(hex);
    std::fs::write(path, v.to_string()).unwrap();
}

fn format_error_naming(e: Error, path: &Path) -> String {
    match e {
        Error::Format {
            path: p, message, ..
        } => {
            assert_eq!(p, path, "{message}");
            message
        }
        other => panic!(
            "expected a format error naming {}, got {other}",
            path.display()
        ),
    }
}

#[test]
fn sweeps_over_lists_pair_metrics_by_name() {
    // One group of 100, or two groups of 50: the layouts
    // differ (per-group metrics). In both orders, no panic, and every
    // difference is between metrics of the same name.
    let one = r#"[{name="a",count=100}]"#;
    let two = r#"[{name="a",count=50},{name="b",count=50}]"#;
    for values in [[one, two], [two, one]] {
        let r = sweep(&small(), &[Vary::new("group", values)], &runs(4)).unwrap();
        let (first, second) = (&r.cells[0], &r.cells[1]);
        for (name, d) in &second.diff {
            assert!(first.metric(name).is_some(), "{name}: not in the reference");
            // The paired mean equals the difference of the two means
            // (same replications): a difference of the same metric.
            let (a, b) = (first.metric(name).unwrap(), second.metric(name).unwrap());
            if let (Some(m), Some(x), Some(y), true) =
                (d.mean, b.mean, a.mean, a.n == b.n && d.n == a.n)
            {
                assert!((m - (x - y)).abs() < 1e-9 * (1.0 + x.abs()), "{name}");
            }
        }
        // A metric of a group the reference lacks has no difference.
        for (name, _) in &second.summary.metrics {
            if first.metric(name).is_none() {
                assert!(second.diff_of(name).is_none(), "{name}");
            }
        }
        assert!(second.diff.len() < second.summary.metrics.len() || one == values[1]);
    }
    // Facilities and court stages, as lists.
    let fac = [
        r#"[{name="Nasiriyah",capacity=300},{name="Hillah",capacity=80}]"#,
        r#"[{name="Nasiriyah",capacity=300}]"#,
    ];
    let r = sweep(&small(), &[Vary::new("facility", fac)], &runs(3)).unwrap();
    assert!(
        r.cells[0]
            .metric("facility.Hillah.peak_occupancy")
            .is_some()
    );
    assert!(
        r.cells[1]
            .diff_of("facility.Hillah.peak_occupancy")
            .is_none()
    );
    let stages = [
        r#"[{name="trial",servers=2,service_days={dist="fixed",value=1.0}}]"#,
        r#"[{name="x",servers=2,service_days={dist="fixed",value=1.0}},{name="trial",servers=2,service_days={dist="fixed",value=1.0}}]"#,
    ];
    let r = sweep(&small(), &[Vary::new("court.stage", stages)], &runs(3)).unwrap();
    for (name, _) in &r.cells[1].diff {
        assert!(r.cells[0].metric(name).is_some(), "{name}");
    }
}

#[test]
fn one_parameter_reached_by_two_paths_is_refused() {
    // Two paths to one parameter would set it twice in one cell.
    let vary = [
        Vary::new("court.stage[0].servers", [1, 50]),
        Vary::new("court.stage[investigation].servers", [2, 3]),
    ];
    let err = sweep(&small(), &vary, &runs(2)).unwrap_err().to_string();
    assert!(err.contains("varied twice"), "{err}");
    assert!(err.contains("court.stage[0].servers"), "{err}");
    // A path inside a list another path replaces.
    let vary = [
        Vary::new(
            "court.stage",
            [r#"[{name="trial",servers=2,service_days={dist="fixed",value=1.0}}]"#],
        ),
        Vary::new("court.stage[trial].servers", [2, 3]),
    ];
    assert!(sweep(&small(), &vary, &runs(2)).is_err());
    // Different stages are fine.
    let vary = [
        Vary::new("court.stage[0].servers", [1, 50]),
        Vary::new("court.stage[trial].servers", [2, 3]),
    ];
    assert_eq!(sweep(&small(), &vary, &runs(2)).unwrap().cells.len(), 4);
}

#[test]
fn edited_shard_files_are_refused_naming_the_file() {
    // One metric value, a series sum, a histogram count.
    let d = dir("edit");
    let good_path = d.join("good.json");
    let shard = run_shard(&small(), 1, 0..4).unwrap();
    shard.write(&good_path).unwrap();
    assert_eq!(Shard::read(&good_path).unwrap(), shard);
    let good: Value = serde_json::from_str(&std::fs::read_to_string(&good_path).unwrap()).unwrap();
    let first_number = |v: &mut Value| -> f64 {
        let row = v["values"][0][1].as_array_mut().unwrap();
        let x = row.iter_mut().find(|x| x.is_number()).unwrap();
        let old = x.as_f64().unwrap();
        *x = Value::from(old + 10_000.0);
        old
    };
    type Edit = fn(&mut Value);
    let edits: [(&str, Edit); 5] = [
        ("metric value", |v| {
            let row = v["values"][0][1].as_array_mut().unwrap();
            let x = row.iter_mut().find(|x| x.is_number()).unwrap();
            *x = Value::from(x.as_f64().unwrap() + 10_000.0);
        }),
        ("series value count", |v| {
            let pairs = v["series"]["cells"][3]["exact"].as_array_mut().unwrap();
            pairs[0][1] = Value::from(pairs[0][1].as_u64().unwrap() + 1);
        }),
        ("series value with no count", |v| {
            let pairs = v["series"]["cells"][3]["exact"].as_array_mut().unwrap();
            pairs.push(serde_json::json!([4_000_000_000u64, 0]));
        }),
        ("series values out of order", |v| {
            let pairs = v["series"]["cells"][3]["exact"].as_array_mut().unwrap();
            pairs.insert(0, serde_json::json!([4_000_000_000u64, 1]));
        }),
        ("histogram where exact counts do", |v| {
            let pairs = v["series"]["cells"][3]["exact"].clone();
            let (value, n) = (pairs[0][0].as_u64().unwrap(), 4u64);
            v["series"]["cells"][3] = serde_json::json!({"approx": {
                "min": value, "max": value, "level": 0,
                "bins": [[value.min(255), n, value * n]]
            }});
        }),
    ];
    let mut v = good.clone();
    first_number(&mut v);
    for (what, edit) in edits {
        // As edited by hand (the checksum no longer matches) ...
        let path = d.join("edited.json");
        let mut v = good.clone();
        edit(&mut v);
        std::fs::write(&path, v.to_string()).unwrap();
        let m = format_error_naming(Shard::read(&path).unwrap_err(), &path);
        assert!(m.contains("checksum"), "{what}: {m}");
        // ... and with the checksum recomputed: the series edits break the
        // consistency of the series' value counts.
        if what != "metric value" {
            reseal(v, &path);
            let m = format_error_naming(Shard::read(&path).unwrap_err(), &path);
            assert!(m.contains("series"), "{what}: {m}");
        }
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_sweep_cell_label_must_match_its_scenario() {
    let d = dir("label");
    let path = d.join("sweep.json");
    let vary = [Vary::new("court.stage[trial].servers", [1, 50])];
    let w = sweep_shard(&small(), &vary, &runs(2), 0, 1, None).unwrap();
    w.write(&path).unwrap();
    assert_eq!(SweepShard::read(&path).unwrap(), w);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v["cells"][1][0][0][1] = Value::from("7");
    std::fs::write(&path, v.to_string()).unwrap();
    let m = format_error_naming(SweepShard::read(&path).unwrap_err(), &path);
    assert!(m.contains("checksum"), "{m}");
    reseal(v, &path);
    let m = format_error_naming(SweepShard::read(&path).unwrap_err(), &path);
    assert!(m.contains("court.stage[trial].servers=7"), "{m}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn merge_errors_name_the_file_at_fault() {
    // A seed mismatch names the second file, not the first.
    let d = dir("names");
    let (a, b, c) = (d.join("a.json"), d.join("b.json"), d.join("c.json"));
    run_shard(&small(), 1, 0..2).unwrap().write(&a).unwrap();
    run_shard(&small(), 1, 2..4).unwrap().write(&b).unwrap();
    run_shard(&small(), 2, 4..6).unwrap().write(&c).unwrap();
    let merged = Shard::merge_files(&[&a, &b]).unwrap();
    assert_eq!(
        merged.summary(),
        run(
            &small(),
            &Runs {
                threads: 1,
                ..runs(4)
            }
            .with_seed(1)
        )
        .unwrap()
    );
    match Shard::merge_files(&[&a, &b, &c]).unwrap_err() {
        Error::Shard { path, message } => {
            assert_eq!(path.as_deref(), Some(c.as_path()), "{message}");
            assert!(
                message.contains("seed") && message.contains("a.json"),
                "{message}"
            );
        }
        other => panic!("{other}"),
    }
    // Either kind of file reads through one call; kinds do not mix.
    let w = d.join("w.json");
    sweep_shard(
        &small(),
        &[Vary::new("transfer.weekly_cap", [100])],
        &runs(2),
        0,
        1,
        None,
    )
    .unwrap()
    .write(&w)
    .unwrap();
    assert!(matches!(read_shard_file(&a).unwrap(), ShardFile::Run(_)));
    assert!(matches!(read_shard_file(&w).unwrap(), ShardFile::Sweep(_)));
    match ShardFile::merge_files(&[&a, &w], |_| Ok::<(), Error>(())).unwrap_err() {
        Error::Shard { path, .. } => assert_eq!(path.as_deref(), Some(w.as_path())),
        other => panic!("{other}"),
    }
    std::fs::write(&c, "{\"x\": 1}").unwrap();
    assert!(matches!(read_shard_file(&c), Err(Error::Format { .. })));
    std::fs::remove_dir_all(&d).unwrap();
}

trait WithSeed {
    fn with_seed(self, seed: u64) -> Self;
}

impl WithSeed for Runs {
    fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

#[test]
fn threads_are_capped_in_the_library() {
    // 100,000 threads must not be spawned.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(max_threads(), 4 * cores);
    let start = std::time::Instant::now();
    let many = run(
        &small(),
        &Runs {
            threads: 100_000,
            ..runs(6)
        },
    )
    .unwrap();
    assert!(start.elapsed().as_secs() < 30);
    assert_eq!(
        many,
        run(
            &small(),
            &Runs {
                threads: 1,
                ..runs(6)
            }
        )
        .unwrap()
    );
    let e = estimate(
        &Plan::new(&small()).unwrap(),
        &Runs {
            threads: 100_000,
            ..runs(6)
        },
    );
    assert_eq!(e.threads, max_threads());
}

#[test]
fn large_runs_are_estimated_and_refused_above_the_limits() {
    // 2,000,000 detainees, many facilities, a long
    // horizon: refused before anything runs, with the figure named.
    let mut big = small();
    big.groups[0].count = 1_999_700;
    big.horizon_days = 3_650;
    for i in 0..50 {
        big.facilities
            .push(custody_sim::Facility::new(format!("F{i}"), 100_000));
    }
    big.validate().unwrap();
    let plan = Plan::new(&big).unwrap();
    let e: RunCost = estimate(
        &plan,
        &Runs {
            threads: 1,
            ..runs(100_000)
        },
    );
    assert!(e.events_per_replication >= 8_000_000, "{e:?}");
    assert!(e.seconds > 8.0 * 3600.0, "{e:?}");
    match Run::new(
        &big,
        &Runs {
            threads: 1,
            ..runs(100_000)
        },
    )
    .summary()
    {
        Err(Error::Limit { what, .. }) => assert!(what.contains("estimated"), "{what}"),
        other => panic!("expected a limit, got {other:?}"),
    }
    assert!(Limits::none().check(&e).is_ok());
    // The plain entry points refuse before running (the default limits,
    // or the stored-values limit for so many replications).
    assert!(matches!(
        run(
            &big,
            &Runs {
                threads: 1,
                ..runs(100_000)
            }
        ),
        Err(Error::Limit { .. })
    ));
    assert!(matches!(
        run_shard(&big, 1, 0..10_000_000),
        Err(Error::Limit { .. })
    ));
    // The memory bound: the series part never exceeds 1,600 bytes per
    // series-day and accumulator.
    let layout = plan.layout();
    let series_days = layout.series().len() as u64 * u64::from(layout.horizon_days());
    let e = estimate(
        &plan,
        &Runs {
            threads: 1,
            ..runs(1_000_000)
        },
    );
    assert!(e.memory_bytes >= series_days * 1_600 * 3);
    // The baseline is accepted, and its estimate is within an order of
    // magnitude of its measured pace (about 1.35 ms per replication).
    let base = Plan::new(&presets::plan_2026_01()).unwrap();
    let e = estimate(
        &base,
        &Runs {
            threads: 1,
            ..runs(1_000)
        },
    );
    eprintln!("baseline estimate: {e:?}");
    assert!(e.seconds > 0.1 && e.seconds < 15.0, "{e:?}");
    assert!(Limits::default().check(&e).is_ok());
}

#[test]
fn daily_quantiles_are_exact_where_replications_agree() {
    // A regression: day 1 of the January plan's Nasiriyah series is
    // 14,000 in every replication; it once read p5 = p50 = p95 = 13,983.5.
    let s = run(&presets::plan_2026_01(), &runs(20)).unwrap();
    let b = s.series("occupancy.Nasiriyah").unwrap();
    assert_eq!(b.mean[0], 14_000.0);
    assert_eq!(
        (b.p5[0], b.p50[0], b.p95[0]),
        (14_000.0, 14_000.0, 14_000.0)
    );
    for (name, b) in &s.series {
        for d in 0..b.mean.len() {
            assert!(
                b.p5[d] <= b.p50[d] && b.p50[d] <= b.p95[d],
                "{name} day {d}"
            );
            if b.p5[d] == b.p95[d] && b.mean[d].fract() == 0.0 {
                // Every value lies in [p5, p95] only if they agree; then
                // the mean is that value.
                assert!(b.mean[d] >= b.p5[d] - 0.5 * b.p5[d].max(1.0));
            }
        }
    }
}

#[test]
fn metric_statistics_serialise_with_the_report_keys() {
    // Serde gives exactly the JSON the report writes.
    let s = run(&small(), &runs(3)).unwrap();
    for (_, m) in &s.metrics {
        assert_eq!(
            serde_json::to_value(m).unwrap(),
            custody_sim::report::json::metric_json(m)
        );
    }
    let r = sweep(
        &small(),
        &[Vary::new("transfer.weekly_cap", [100, 300])],
        &runs(3),
    )
    .unwrap();
    for (_, d) in &r.cells[1].diff {
        assert_eq!(
            serde_json::to_value(d).unwrap(),
            custody_sim::report::json::diff_json(d)
        );
    }
}

mod paths {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// `--set`/`--vary`-style paths, well or badly formed, with scalar
        /// or list values: a sweep over them is an error or a result whose
        /// differences pair metrics of the same name; never a panic.
        #[test]
        fn any_path_in_a_sweep_is_an_error_or_a_sound_result(
            paths in proptest::collection::vec(
                "(group|facility|court\\.stage|transfer|horizon_days)(\\[(0|1|2|trial|a|Iraqi|Hillah|)\\])?(\\.(count|capacity|servers|weekly_cap|name|x))?",
                1..3,
            ),
            values in proptest::collection::vec(
                prop_oneof![
                    Just("1".to_string()),
                    Just("40".to_string()),
                    Just("-3".to_string()),
                    Just("\"z\"".to_string()),
                    Just(r#"[{name="a",count=10}]"#.to_string()),
                    Just(r#"[{name="Hillah",capacity=50}]"#.to_string()),
                ],
                1..3,
            ),
        ) {
            let base = small().with_param("horizon_days", "5").unwrap();
            let vary: Vec<Vary> = paths.iter().map(|p| Vary::new(p, values.clone())).collect();
            let r = std::panic::catch_unwind(|| sweep(&base, &vary, &Runs { threads: 1, ..runs(1) }));
            let r = r.map_err(|_| TestCaseError::fail(format!("panicked on {vary:?}")))?;
            if let Ok(r) = r {
                for cell in &r.cells {
                    for (name, _) in &cell.diff {
                        prop_assert!(r.cells[0].metric(name).is_some());
                        prop_assert!(cell.metric(name).is_some());
                    }
                }
            }
        }
    }
}
