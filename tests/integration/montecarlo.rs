//! The Monte Carlo runner: results independent of the thread count, shards
//! that merge exactly in any order, per-process random streams (common
//! random numbers), the precision target and sharded sweeps.

use custody_sim::montecarlo::{Precision, Runs, Shard, run, run_shard, run_until};
use custody_sim::sweep::{Vary, sweep, sweep_shard};
use custody_sim::{Plan, Scenario, presets};

/// The January plan (the version 1 baseline), shortened so that many runs
/// stay quick.
fn short_baseline() -> Scenario {
    crate::fixtures::plan_days(200)
}

fn json<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_string(x).unwrap()
}

#[test]
fn summaries_are_bit_identical_whatever_the_thread_count() {
    let s = short_baseline();
    let one = run(
        &s,
        &Runs {
            replications: 24,
            seed: 11,
            threads: 1,
        },
    )
    .unwrap();
    for threads in [2, 3, 7] {
        let many = run(
            &s,
            &Runs {
                replications: 24,
                seed: 11,
                threads,
            },
        )
        .unwrap();
        assert_eq!(json(&one), json(&many), "threads = {threads}");
    }
    // And the seed matters.
    let other = run(
        &s,
        &Runs {
            replications: 24,
            seed: 12,
            threads: 1,
        },
    )
    .unwrap();
    assert_ne!(json(&one), json(&other));
}

#[test]
fn shards_merge_in_any_order_to_the_single_run() {
    let s = short_baseline();
    let seed = 5;
    let whole = run(
        &s,
        &Runs {
            replications: 17,
            seed,
            threads: 2,
        },
    )
    .unwrap();
    let parts = || {
        [0..4, 4..11, 11..17]
            .into_iter()
            .map(|r| run_shard(&s, seed, r).unwrap())
            .collect::<Vec<Shard>>()
    };
    for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
        let mut p: Vec<Option<Shard>> = parts().into_iter().map(Some).collect();
        let mut acc = p[order[0]].take().unwrap();
        for &i in &order[1..] {
            acc.merge(p[i].take().unwrap()).unwrap();
        }
        assert!(acc.covers_from_zero());
        assert_eq!(acc.replications(), 17);
        assert_eq!(json(&acc.summary()), json(&whole), "order {order:?}");
    }
}

#[test]
fn shard_files_round_trip_and_bad_merges_are_refused() {
    let s = short_baseline();
    let a = run_shard(&s, 1, 0..3).unwrap();
    let path = std::env::temp_dir().join(format!("custody-sim-shard-{}.json", std::process::id()));
    a.write(&path).unwrap();
    let back = Shard::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(back == a, "a shard read back differs from the one written");

    let mut x = a.clone();
    let overlap = run_shard(&s, 1, 2..5).unwrap();
    assert!(
        x.merge(overlap)
            .unwrap_err()
            .to_string()
            .contains("overlap")
    );
    let other_seed = run_shard(&s, 2, 3..5).unwrap();
    assert!(
        x.merge(other_seed)
            .unwrap_err()
            .to_string()
            .contains("seed")
    );
    let other_scenario = run_shard(&presets::baseline(), 1, 3..5).unwrap();
    assert!(
        x.merge(other_scenario)
            .unwrap_err()
            .to_string()
            .contains("different scenarios")
    );
    let gap = run_shard(&s, 1, 4..5).unwrap();
    x.merge(gap).unwrap();
    assert!(!x.covers_from_zero(), "0..3 and 4..5 leave a gap");
}

#[test]
fn a_replication_depends_only_on_seed_and_index() {
    let s = short_baseline();
    let plan = Plan::new(&s).unwrap();
    let alone = plan.replicate(9, 6);
    let inside = run_shard(&s, 9, 6..7).unwrap().summary();
    for (name, value) in alone.metrics() {
        assert_eq!(inside.metric(name).unwrap().mean, value, "{name}");
    }
    // Running other replications first changes nothing.
    let mut ws = custody_sim::Workspace::default();
    for i in 0..6 {
        plan.replicate_in(&mut ws, 9, i);
    }
    assert_eq!(plan.replicate_in(&mut ws, 9, 6), alone);
}

#[test]
fn changing_a_court_lever_leaves_transfers_and_escapes_untouched() {
    // Common random numbers: the transfer and escape processes draw from
    // their own streams, so with more trial servers every replication moves
    // and loses exactly the same detainees; the paired difference is 0 with
    // sd 0. The court outcome does change.
    let s = short_baseline()
        .with_param("transfer.escape.incident_rate_per_day", "0.2")
        .unwrap();
    let r = sweep(
        &s,
        &[Vary::new("court.stage[trial].servers", [15, 40])],
        &Runs {
            replications: 12,
            seed: 3,
            threads: 0,
        },
    )
    .unwrap();
    let d = |name: &str| r.cells[1].diff_of(name).unwrap();
    for same in [
        "transferred",
        "escaped",
        "remaining_in_syria",
        "last_arrival_day",
    ] {
        assert_eq!((d(same).mean, d(same).sd), (Some(0.0), Some(0.0)), "{same}");
    }
    assert!(r.cells[0].summary.metric("escaped").unwrap().mean.unwrap() > 0.0);
    assert!(d("stage.trial.mean_wait_days").ci95_high.unwrap() < 0.0);
}

#[test]
fn sweep_shards_merge_to_the_unsharded_sweep() {
    let s = short_baseline();
    let grid = [
        Vary::new("court.stage[trial].servers", [15, 30]),
        Vary::new("transfer.weekly_cap", [1000, 2000]),
    ];
    let runs = Runs {
        replications: 5,
        seed: 8,
        threads: 0,
    };
    let whole = sweep(&s, &grid, &runs).unwrap();
    assert_eq!(whole.cells.len(), 4);
    assert_eq!(
        whole.cells[3].params.pairs(),
        [
            ("court.stage[trial].servers", "30"),
            ("transfer.weekly_cap", "2000")
        ]
    );
    let mut shards: Vec<_> = (0..3)
        .map(|k| sweep_shard(&s, &grid, &runs, k, 3, None).unwrap())
        .collect();
    assert!(!shards[0].is_complete());
    let mut acc = shards.pop().unwrap();
    for sh in shards {
        acc.merge(sh).unwrap();
    }
    assert!(acc.is_complete());
    assert_eq!(json(&acc.result()), json(&whole));
    assert!(sweep(&s, &[Vary::new("court.stage[appeal].servers", [1])], &runs).is_err());
}

#[test]
fn precision_target_stops_reproducibly_and_equals_a_plain_run() {
    let s = short_baseline();
    let target = Precision {
        metric: "stage.trial.mean_wait_days".into(),
        half_width: 0.3,
        block: 4,
    };
    let runs = Runs {
        replications: 400,
        seed: 2,
        threads: 0,
    };
    let a = run_until(&s, &runs, &target).unwrap();
    let m = a.metric("stage.trial.mean_wait_days").unwrap();
    assert!(m.ci95_high.unwrap() - m.mean.unwrap() <= 0.3);
    assert!(a.replications > 4 && a.replications < 400 && a.replications.is_multiple_of(4));
    // A block earlier the target was not met.
    let before = run(
        &s,
        &Runs {
            replications: a.replications - 4,
            ..runs
        },
    )
    .unwrap();
    let mb = before.metric("stage.trial.mean_wait_days").unwrap();
    assert!(mb.ci95_high.unwrap() - mb.mean.unwrap() > 0.3);
    let plain = run(
        &s,
        &Runs {
            replications: a.replications,
            ..runs
        },
    )
    .unwrap();
    assert_eq!(json(&a), json(&plain));
    let bad = Precision {
        metric: "nope".into(),
        ..target
    };
    assert!(run_until(&s, &runs, &bad).is_err());
}

#[test]
fn damaged_shard_files_are_errors_never_panics() {
    let s = short_baseline();
    let good = serde_json::to_value(run_shard(&s, 1, 0..3).unwrap()).unwrap();
    // Each edit is resealed (its checksum recomputed), so the consistency
    // checks must catch it.
    let reseal = |mut v: serde_json::Value, path: &std::path::Path| {
        use sha2::Digest;
        v.as_object_mut().unwrap().shift_remove("sha256");
        let digest = sha2::Sha256::digest(serde_json::to_string(&v).unwrap().as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        v["sha256"] = serde_json::Value::from(hex);
        std::fs::write(path, v.to_string()).unwrap();
    };
    let dir = std::env::temp_dir().join(format!("custody-sim-damaged-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    type Edit = fn(&mut serde_json::Value);
    let edits: [(&str, Edit); 6] = [
        ("short row", |v| {
            v["values"][1][1].as_array_mut().unwrap().pop();
        }),
        ("huge count", |v| {
            v["series"]["cells"][0]["exact"][0][1] = serde_json::json!(u32::MAX)
        }),
        ("ranges beyond values", |v| {
            v["ranges"][0][1] = serde_json::json!(10)
        }),
        ("series count", |v| v["series"]["n"] = serde_json::json!(0)),
        ("edited scenario", |v| {
            v["scenario"]["court"]["stage"][1]["servers"] = serde_json::json!(99)
        }),
        ("no days", |v| v["series"]["days"] = serde_json::json!(0)),
    ];
    for (what, edit) in edits {
        let mut v = good.clone();
        edit(&mut v);
        let path = dir.join("shard.json");
        reseal(v, &path);
        let err = Shard::read(&path).expect_err(what).to_string();
        assert!(err.contains("damaged"), "{what}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The scenario's problems when it is valid but its plan is refused (the
/// series-size limit is checked where the plan is built).
fn plan_refusal(s: &custody_sim::Scenario) -> custody_sim::ScenarioErrors {
    s.validate().unwrap();
    match custody_sim::Plan::new(s) {
        Err(custody_sim::Error::Scenario(e)) => e,
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[test]
fn sizes_that_would_exhaust_memory_are_refused_before_running() {
    // Too many stored metric values: refused at once, nothing runs.
    let err = run(
        &short_baseline(),
        &Runs {
            replications: u64::MAX / 2,
            seed: 1,
            threads: 0,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("above the limit of 100000000"), "{err}");
    // Too many daily series values per replication.
    let mut s = short_baseline();
    s.horizon_days = 36_500;
    for i in 0..60 {
        s.facilities
            .push(custody_sim::Facility::new(format!("F{i}"), 10));
    }
    let e = plan_refusal(&s);
    let e = e.at("horizon_days").expect("the horizon is named");
    assert!(
        e.message.contains("more than the limit of 2000000"),
        "{}",
        e.message
    );
    // Every series counts, those of version 2 included: 47 facilities, 2
    // stages and 6 global series make 55 series, 2,007,500 values over
    // 36,500 days (counting only 3 global series, 1,898,000 passed).
    let mut s = short_baseline();
    s.horizon_days = 1;
    let extra = 47 - s.facilities.len();
    for i in 0..extra {
        s.facilities
            .push(custody_sim::Facility::new(format!("F{i}"), 10));
    }
    let series = custody_sim::Plan::new(&s).unwrap().layout().series().len();
    assert_eq!(series, 55);
    s.horizon_days = 36_500;
    let e = plan_refusal(&s);
    let e = e.at("horizon_days").expect("the horizon is named");
    assert!(e.message.contains("55 daily series"), "{}", e.message);
}

#[test]
fn sweeps_keep_metrics_only() {
    let r = sweep(
        &short_baseline(),
        &[Vary::new("transfer.weekly_cap", [500])],
        &Runs {
            replications: 3,
            seed: 1,
            threads: 0,
        },
    )
    .unwrap();
    assert!(r.cells[0].summary.series.is_empty());
    assert_eq!(r.cells[0].summary.metric("transferred").unwrap().n, 3);
}
