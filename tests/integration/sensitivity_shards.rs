//! Sensitivity designs in slices: slices of a Sobol design (with its
//! tornado) and of a Morris screening, run apart and merged in any order,
//! give exactly the one-process result; incomplete, overlapping and
//! mismatched slices are refused. And the same through the command line:
//! `sensitivity --shard K/N --out FILE`, then `merge`, byte for byte the
//! JSON and CSV of the unsharded `sensitivity`.

use custody_sim::decide::shard::{DesignResult, Method, SensitivityShard, sensitivity_shard};
use custody_sim::decide::{MorrisOptions, SobolOptions, SobolResult, morris_model, sensitivity};
use custody_sim::montecarlo::ShardFile;
use custody_sim::scenario::ParamDist;
use custody_sim::{Dist, presets};

use super::cli::{Scratch, expect, stderr};

fn params() -> Vec<ParamDist> {
    vec![
        ParamDist::new("court.stage[trial].servers", Dist::uniform_int(10, 40)),
        ParamDist::new("court.conviction_probability", Dist::uniform(0.8, 0.99)),
    ]
}

const METRICS: [&str; 2] = ["mean_days_to_verdict", "convicted"];

fn json<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_string(x).unwrap()
}

/// Slices `0..n` of a design, each on its own thread count.
fn slices(method: &Method, n: u64) -> Vec<SensitivityShard> {
    let s = presets::plan_2026_01();
    (0..n)
        .map(|k| sensitivity_shard(&s, &params(), &METRICS, method, k, n).unwrap())
        .collect()
}

/// Merges slices in the order given.
fn merged(mut parts: Vec<SensitivityShard>) -> Result<DesignResult, custody_sim::Error> {
    let mut acc = parts.remove(0);
    for p in parts {
        acc.merge(p)?;
    }
    acc.result()
}

/// Sobol: N = 7, k = 2: 28 design points and 5 × 3 tornado replications,
/// 43 evaluations; 4 slices (10, 11, 11, 11) merged in reverse order give
/// the result of one process, bit for bit, and its JSON byte for byte.
#[test]
fn sobol_slices_merge_into_the_one_process_result() {
    let options = SobolOptions {
        base_samples: 7,
        bootstrap: 40,
        seed: 11,
        threads: 2,
        ..SobolOptions::default()
    };
    let method = Method::Sobol {
        options: options.clone(),
        tornado_replications: 3,
    };
    let mut parts = slices(&method, 4);
    assert_eq!(parts[0].evaluations(), 7 * 4 + 5 * 3);
    parts.reverse();
    let DesignResult::Sobol(r) = merged(parts).unwrap() else {
        panic!("a Sobol design gives Sobol indices")
    };
    let one = sensitivity(&presets::plan_2026_01(), &params(), &METRICS, &options, 3).unwrap();
    assert_eq!(json(&r), json(&one));
    // Bit for bit (the thread count, not stored, aside).
    let one = SobolResult {
        options: SobolOptions {
            threads: 0,
            ..one.options
        },
        ..one
    };
    assert_eq!(r, one);
    // The tornado is there: a swing per parameter.
    assert!(r.metrics[0].indices.iter().all(|ix| ix.swing.is_some()));
}

/// Morris: 5 trajectories of 3 points in 2 slices, merged in either order.
#[test]
fn morris_slices_merge_into_the_one_process_result() {
    let options = MorrisOptions {
        trajectories: 5,
        levels: 4,
        seed: 4,
        threads: 1,
        groups: Vec::new(),
    };
    let method = Method::Morris {
        options: options.clone(),
    };
    let one = morris_model(&presets::plan_2026_01(), &params(), &METRICS, &options).unwrap();
    for reverse in [false, true] {
        let mut parts = slices(&method, 2);
        if reverse {
            parts.reverse();
        }
        let DesignResult::Morris(r) = merged(parts).unwrap() else {
            panic!("a Morris design gives Morris measures")
        };
        assert_eq!(json(&r), json(&one));
    }
}

/// A missing slice, an overlap and slices of another seed are refused,
/// each saying what is wrong.
#[test]
fn incomplete_overlapping_and_foreign_slices_are_refused() {
    let options = MorrisOptions {
        trajectories: 4,
        levels: 4,
        seed: 4,
        threads: 1,
        groups: Vec::new(),
    };
    let method = Method::Morris {
        options: options.clone(),
    };
    let parts = slices(&method, 3);
    // 12 evaluations: 0..4, 4..8, 8..12; without the last.
    let e = merged(parts[..2].to_vec()).unwrap_err().to_string();
    assert!(e.contains("12 evaluations") && e.contains("0..8"), "{e}");
    let mut a = parts[0].clone();
    let e = a.merge(parts[0].clone()).unwrap_err().to_string();
    assert!(e.contains("overlap") && e.contains("0..4"), "{e}");
    let other = Method::Morris {
        options: MorrisOptions { seed: 5, ..options },
    };
    let foreign =
        sensitivity_shard(&presets::plan_2026_01(), &params(), &METRICS, &other, 2, 3).unwrap();
    let mut a = parts[0].clone();
    let e = a.merge(foreign).unwrap_err().to_string();
    assert!(e.contains("different designs"), "{e}");
    // A slice past the end is refused before any work.
    assert!(
        sensitivity_shard(&presets::plan_2026_01(), &params(), &METRICS, &method, 3, 3).is_err()
    );
}

/// A refused merge leaves the accumulator as it was: slices 0..4 and
/// 8..12 held, an overlapping 8..12 refused, then 4..8 completes the
/// design as if the refusal had not happened.
#[test]
fn a_refused_merge_leaves_the_accumulator_unchanged() {
    let method = Method::Morris {
        options: MorrisOptions {
            trajectories: 4,
            levels: 4,
            seed: 4,
            threads: 1,
            ..MorrisOptions::default()
        },
    };
    let parts = slices(&method, 3);
    let mut a = parts[0].clone();
    a.merge(parts[2].clone()).unwrap();
    let before = a.clone();
    let e = a.merge(parts[2].clone()).unwrap_err().to_string();
    assert!(e.contains("overlap") && e.contains("8..12"), "{e}");
    assert_eq!(a, before, "a refused merge changed the accumulator");
    let e = a.merge(parts[0].clone()).unwrap_err().to_string();
    assert!(e.contains("overlap") && e.contains("0..4"), "{e}");
    assert_eq!(a, before, "a refused merge changed the accumulator");
    a.merge(parts[1].clone()).unwrap();
    assert!(a.is_complete());
    assert_eq!(a.ranges(), vec![0..12]);
    let mut whole = parts[1].clone();
    whole.merge(parts[0].clone()).unwrap();
    whole.merge(parts[2].clone()).unwrap();
    assert_eq!(a, whole);
}

/// A slice file reads back as written, and is told from run and sweep
/// shards; an edited file is refused.
#[test]
fn a_slice_file_reads_back_and_an_edited_one_is_refused() {
    let dir = Scratch::new("sens-slice-file");
    let method = Method::Morris {
        options: MorrisOptions {
            trajectories: 3,
            ..MorrisOptions::default()
        },
    };
    let part = slices(&method, 2).remove(1);
    let path = dir.path("slice.json");
    part.write(&path).unwrap();
    match custody_sim::montecarlo::read_shard_file(&path).unwrap() {
        ShardFile::Sensitivity(s) => assert_eq!(*s, part),
        _ => panic!("a sensitivity slice read as another kind"),
    }
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\"seed\":1", "\"seed\":2", 1)).unwrap();
    let e = SensitivityShard::read(&path).unwrap_err().to_string();
    assert!(e.contains("damaged"), "{e}");
}

/// The command line: 3 slices of a Sobol design (the middle one crossing
/// into the tornado) merged by `merge` write the JSON and CSV of the
/// unsharded `sensitivity`, byte for byte, and its charts (`--plots`);
/// Morris likewise.
#[test]
fn sensitivity_shards_merge_on_the_command_line_byte_for_byte() {
    let dir = Scratch::new("sens-shards-cli");
    let p1 = r#"court.stage[trial].servers={dist="uniform_int",low=10,high=40}"#;
    let p2 = r#"court.conviction_probability={dist="uniform",low=0.8,high=0.99}"#;
    for (method, extra) in [
        (
            "sobol",
            vec!["--samples", "6", "-n", "4", "--bootstrap", "30"],
        ),
        ("morris", vec!["--trajectories", "5"]),
    ] {
        let mut base = vec![
            "sensitivity",
            "plan-2026-01",
            "--metric",
            "mean_days_to_verdict",
            "--metric",
            "convicted",
            "--param",
            p1,
            "--param",
            p2,
            "--method",
            method,
            "--seed",
            "3",
        ];
        base.extend(extra.iter().copied());
        let reference = dir.arg(&format!("{method}-ref.json"));
        let reference_csv = dir.arg(&format!("{method}-ref.csv"));
        let reference_plots = dir.arg(&format!("{method}-ref-plots"));
        let mut args = base.clone();
        args.extend([
            "--json",
            reference.as_str(),
            "--csv",
            reference_csv.as_str(),
            "--plots",
            reference_plots.as_str(),
            "--quiet",
        ]);
        expect(0, &args);
        let mut files = Vec::new();
        for k in 1..=3 {
            let out = dir.arg(&format!("{method}-{k}.json"));
            let slice = format!("{k}/3");
            let threads = k.to_string();
            let mut args = base.clone();
            args.extend([
                "--shard",
                slice.as_str(),
                "--out",
                out.as_str(),
                "--threads",
                threads.as_str(),
                "--quiet",
            ]);
            expect(0, &args);
            files.push(out);
        }
        let merged = dir.arg(&format!("{method}-merged.json"));
        let merged_csv = dir.arg(&format!("{method}-merged.csv"));
        let merged_plots = dir.arg(&format!("{method}-merged-plots"));
        let mut args = vec![
            "merge",
            files[2].as_str(),
            files[0].as_str(),
            files[1].as_str(),
        ];
        args.extend([
            "--json",
            merged.as_str(),
            "--csv",
            merged_csv.as_str(),
            "--plots",
            merged_plots.as_str(),
            "--quiet",
        ]);
        expect(0, &args);
        // The same charts, byte for byte.
        let svgs = |d: &str| {
            let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "svg"))
                .map(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    (name, std::fs::read(&p).unwrap())
                })
                .collect();
            v.sort();
            v
        };
        let (one, merged_svgs) = (svgs(&reference_plots), svgs(&merged_plots));
        let want = if method == "sobol" { 4 } else { 2 };
        assert_eq!(one.len(), want, "{method}");
        assert!(one == merged_svgs, "{method}: the merged charts differ");
        assert_eq!(
            std::fs::read(&merged).unwrap(),
            std::fs::read(&reference).unwrap(),
            "{method}: the merged JSON differs from one process"
        );
        assert_eq!(
            std::fs::read(&merged_csv).unwrap(),
            std::fs::read(&reference_csv).unwrap(),
            "{method}: the merged CSV differs from one process"
        );
        // Two of three slices: refused, naming what they cover.
        let o = expect(
            1,
            &["merge", files[0].as_str(), files[1].as_str(), "--json", "-"],
        );
        assert!(stderr(&o).contains("do not cover"), "{}", stderr(&o));
    }
    // --shard needs --out, and --out conflicts with --json: usage errors.
    expect(
        2,
        &[
            "sensitivity",
            "plan-2026-01",
            "--metric",
            "convicted",
            "--param",
            p1,
            "--shard",
            "1/2",
        ],
    );
    let out = dir.arg("x.json");
    expect(
        2,
        &[
            "sensitivity",
            "plan-2026-01",
            "--metric",
            "convicted",
            "--param",
            p1,
            "--shard",
            "1/2",
            "--out",
            &out,
            "--json",
            "-",
        ],
    );
}

/// A `SERIES@DAY` metric shards: the merged indices, `at` included, are
/// those of one process, bit for bit.
#[test]
fn series_day_metrics_shard_with_their_day() {
    let options = SobolOptions {
        base_samples: 5,
        bootstrap: 20,
        seed: 8,
        ..SobolOptions::default()
    };
    let method = Method::Sobol {
        options: options.clone(),
        tornado_replications: 2,
    };
    let s = presets::plan_2026_01();
    let metrics = ["in_syria@40", "convicted"];
    let parts: Vec<_> = (0..3)
        .map(|k| sensitivity_shard(&s, &params(), &metrics, &method, k, 3).unwrap())
        .collect();
    let DesignResult::Sobol(r) = merged(parts).unwrap() else {
        panic!("a Sobol design gives Sobol indices")
    };
    let one = sensitivity(&s, &params(), &metrics, &options, 2).unwrap();
    assert_eq!(r.metrics[0].at.as_ref().map(|a| a.day), Some(40));
    assert!(r.metrics[1].at.is_none());
    assert_eq!(json(&r), json(&one));
}

/// What a slice file cannot hold is refused with `--shard` (exit 2),
/// naming the flag, before any run.
#[test]
fn sharding_groups_dummy_second_order_or_region_is_a_usage_error() {
    let dir = Scratch::new("sens-shards-refused");
    let out = dir.arg("x.json");
    let p1 = r#"court.stage[trial].servers={dist="uniform_int",low=10,high=40}"#;
    let p2 = r#"court.conviction_probability={dist="uniform",low=0.8,high=0.99}"#;
    let group = "court=court.stage[trial].servers,court.conviction_probability";
    for (extra, flag) in [
        (vec!["--metric", "convicted", "--group", group], "--group"),
        (vec!["--metric", "convicted", "--dummy"], "--dummy"),
        (
            vec!["--metric", "convicted", "--second-order"],
            "--second-order",
        ),
        (vec!["--region", "convicted>10"], "--region"),
    ] {
        let mut args = vec![
            "sensitivity",
            "plan-2026-01",
            "--param",
            p1,
            "--param",
            p2,
            "--shard",
            "1/2",
            "--out",
            out.as_str(),
        ];
        args.extend(extra);
        let o = expect(2, &args);
        assert!(
            stderr(&o).contains("--shard") && stderr(&o).contains(flag),
            "{flag}: {}",
            stderr(&o)
        );
        assert!(
            !std::path::Path::new(&out).exists(),
            "{flag}: wrote a slice"
        );
    }
}

/// The library refuses the same: a slice file holds a plain design only,
/// so options with groups, a dummy or second-order indices (or Morris
/// options with groups) are an input error naming the options.
#[test]
fn a_design_that_is_not_plain_does_not_shard() {
    let s = presets::plan_2026_01();
    let group = custody_sim::decide::Group::new(
        "court",
        ["court.stage[trial].servers", "court.conviction_probability"],
    );
    let plain = SobolOptions {
        base_samples: 4,
        bootstrap: 10,
        ..SobolOptions::default()
    };
    let not_plain = [
        SobolOptions {
            groups: vec![group.clone()],
            ..plain.clone()
        },
        SobolOptions {
            dummy: true,
            ..plain.clone()
        },
        SobolOptions {
            second_order: true,
            ..plain.clone()
        },
    ];
    for options in not_plain {
        let method = Method::Sobol {
            options,
            tornado_replications: 2,
        };
        let e = sensitivity_shard(&s, &params(), &METRICS, &method, 0, 2)
            .unwrap_err()
            .to_string();
        assert!(e.contains("options") && e.contains("plain"), "{e}");
    }
    let method = Method::Morris {
        options: MorrisOptions {
            groups: vec![group],
            ..MorrisOptions::default()
        },
    };
    let e = sensitivity_shard(&s, &params(), &METRICS, &method, 0, 2)
        .unwrap_err()
        .to_string();
    assert!(e.contains("options.groups"), "{e}");
}
