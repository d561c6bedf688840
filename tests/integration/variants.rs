//! Named variants (`[variant.NAME]`): parsing, the round trip through
//! TOML, errors that name `variant.NAME.<path>` and the value, the bundled
//! baseline's low, central and high, and the command line: `X:high` equals
//! `X --variant high` equals `X --set` of the same overrides, shards of a
//! variant merge to the run, and `compare` labels variants as given.

use custody_sim::montecarlo::{Runs, run};
use custody_sim::scenario::Variant;
use custody_sim::{Error, Scenario, presets};
use serde_json::Value;

use crate::cli::{Scratch, expect, stderr};

/// The baseline over 60 days, variants kept, as a file.
fn short_baseline(dir: &Scratch) -> String {
    let mut s = presets::baseline();
    s.horizon_days = 60;
    crate::fixtures::write_scenario(dir, "base.toml", &s)
}

/// plan-2026-01 with `extra` TOML appended.
fn with_text(extra: &str) -> String {
    format!("{}\n{extra}", presets::plan_2026_01().to_toml_string())
}

fn problems(text: &str) -> String {
    match Scenario::from_toml_str(text) {
        Err(Error::Scenario(e)) => e.to_string(),
        other => panic!("expected scenario problems, got {other:?}"),
    }
}

#[test]
fn variants_parse_in_file_order_with_quoted_and_nested_keys() {
    let s = Scenario::from_toml_str(&with_text(
        r#"
[variant.slow]
description = "fewer judges"
"court.stage[trial].servers" = 5
"transfer.transit_days" = { dist = "fixed", value = 2.0 }

[variant.fast.court]
conviction_probability = 0.9
"stage[trial].servers" = 40

[variant.as_is]
"#,
    ))
    .unwrap();
    let names: Vec<&str> = s.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["slow", "fast", "as_is"]);
    let slow = &s.variants[0];
    assert_eq!(slow.description.as_deref(), Some("fewer judges"));
    let paths: Vec<&str> = slow.overrides.iter().map(|o| o.path.as_str()).collect();
    assert_eq!(
        paths,
        ["court.stage[trial].servers", "transfer.transit_days"]
    );
    let fast: Vec<&str> = s.variants[1]
        .overrides
        .iter()
        .map(|o| o.path.as_str())
        .collect();
    assert_eq!(
        fast,
        ["court.conviction_probability", "court.stage[trial].servers"]
    );
    assert!(s.variants[2].overrides.is_empty());
    let t = s.with_variant("fast").unwrap();
    assert_eq!(t.court.stages[1].servers, 40);
    assert_eq!(t.court.conviction_probability, 0.9);
    assert!(t.variants.is_empty());
    assert_eq!(
        s.with_variant("slow").unwrap().transfer.transit_days,
        custody_sim::Dist::fixed(2.0)
    );
    // The empty variant is the scenario as it is (less its variants).
    let mut bare = s.clone();
    bare.variants.clear();
    assert_eq!(s.with_variant("as_is").unwrap(), bare);
}

#[test]
fn variants_round_trip_through_toml_and_the_builder() {
    // The bundled baseline as its file reads (its posterior file is not
    // loaded from text, and the round trip is of the text).
    let bundled = include_str!("../../examples/scenarios/baseline.toml");
    for s in [Scenario::from_toml_str(bundled).unwrap(), {
        let mut s = presets::plan_2026_01();
        s.variants = vec![
            Variant::new("z last first")
                .with_description("named out of alphabetical order")
                .set("court.stage[trial].servers", "40")
                .set("allocation.policy", "fill_in_order"),
            Variant::new("a").set("horizon_days", "365"),
        ];
        s
    }] {
        let text = s.to_toml_string();
        assert!(text.contains("[variant."), "{text}");
        let back = Scenario::from_toml_str(&text).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.to_toml_string(), text);
    }
    let built = Scenario::builder("b", 30)
        .transit_days(custody_sim::Dist::fixed(1.0))
        .phase(custody_sim::Phase::new(
            0.0,
            custody_sim::Dist::fixed(1.0),
            custody_sim::Dist::fixed(10.0),
        ))
        .group(custody_sim::Group::new("g", 10))
        .facility(custody_sim::Facility::new("F", 100))
        .stage(custody_sim::Stage::new(
            "trial",
            1,
            custody_sim::Dist::fixed(1.0),
        ))
        .variant(Variant::new("busy").set("court.stage[trial].servers", "0"))
        .build()
        .unwrap_err()
        .to_string();
    assert_eq!(
        built,
        "variant.busy.court.stage[trial].servers: must be at least 1, got 0"
    );
}

#[test]
fn variant_errors_name_the_key_path_and_the_value() {
    // A path that names nothing.
    let e = problems(&with_text(
        "[variant.high]\n\"court.stage[appeal].servers\" = 3\n",
    ));
    assert!(
        e.starts_with("variant.high.court.stage[appeal].servers: ")
            && e.contains("no item named \"appeal\"")
            && e.contains("(the variant sets 3)"),
        "{e}"
    );
    // A value the model refuses.
    let e = problems(&with_text(
        "[variant.high]\n\"court.stage[trial].servers\" = 0\n",
    ));
    assert_eq!(
        e,
        "variant.high.court.stage[trial].servers: must be at least 1, got 0"
    );
    // A value of the wrong type.
    let e = problems(&with_text(
        "[variant.high]\n\"group[Iraqi].count\" = \"many\"\n",
    ));
    assert!(
        e.starts_with("variant.high.group[Iraqi].count: invalid type") && e.contains("many"),
        "{e}"
    );
    // A key that is not a parameter.
    let e = problems(&with_text("[variant.high]\n\"court.judges\" = 3\n"));
    assert!(
        e.starts_with("variant.high.court.judges") && e.contains("judges"),
        "{e}"
    );
    // A bad name, and a duplicate-free list otherwise.
    let e = problems(&with_text(
        "[variant.\"a.b\"]\n\"horizon_days\" = 30\n[variant.\"123\"]\n",
    ));
    assert!(e.contains("variant.\"a.b\": must not contain '.'"), "{e}");
    assert!(e.contains("variant.123: must not be only digits"), "{e}");
    // description is reserved, and a string.
    let e = problems(&with_text("[variant.high]\ndescription = 3\n"));
    assert!(
        e.contains("variant.high.description: must be a string"),
        "{e}"
    );
    // An unknown variant lists the valid ones, in file order.
    match presets::baseline().with_variant("highest") {
        Err(Error::UnknownName { kind, name, valid }) => {
            assert_eq!((kind, name.as_str()), ("variant", "highest"));
            assert_eq!(valid, ["low", "central", "high", "syrian_handover", "kut"]);
        }
        other => panic!("expected an unknown name, got {other:?}"),
    }
}

/// The variants of the baseline move the headline metrics the way their
/// sources say: fewer moved in low (5,640), more held in Nineveh in high,
/// Syrians repatriated only with their handover, Kut filled by Karkh's
/// overflow only when it opens.
#[test]
fn baseline_variants_move_the_headline_metrics() {
    let base = presets::baseline();
    let runs = Runs {
        replications: 12,
        seed: 5,
        threads: 0,
    };
    let go = |v: &str| run(&base.with_variant(v).unwrap(), &runs).unwrap();
    let (low, central, high) = (go("low"), go("central"), go("high"));
    let (handover, kut) = (go("syrian_handover"), go("kut"));
    let mean = |s: &custody_sim::Summary, m: &str| s.metric(m).unwrap().mean.unwrap();
    assert_eq!(mean(&central, "transferred"), 5704.0);
    assert_eq!(mean(&low, "transferred"), 5640.0);
    assert_eq!(mean(&high, "transferred"), 5704.0);
    let nineveh = |s: &custody_sim::Summary| mean(s, "facility.Nineveh.peak_occupancy");
    assert!(nineveh(&high) > nineveh(&central) + 1000.0);
    // Syrians are handed over only in their variant: none by default,
    // most of the 3,386 (handed over after the investigation) with it.
    assert_eq!(mean(&central, "repatriated.Syrian"), 0.0);
    assert!(mean(&handover, "repatriated.Syrian") > 2000.0);
    assert!(
        mean(&handover, "facility.Karkh.days_over_capacity")
            < mean(&central, "facility.Karkh.days_over_capacity")
    );
    // Kut never opens in the baseline; in `kut` it takes Karkh's convicts
    // above its beds, so Karkh is over capacity on fewer days.
    assert_eq!(mean(&central, "overflowed"), 0.0);
    assert!(mean(&kut, "overflowed") > 0.0);
    assert!(
        mean(&kut, "facility.Karkh.days_over_capacity")
            < mean(&central, "facility.Karkh.days_over_capacity")
    );
    // The central variant is the baseline as it is, run for run; the
    // scenario's hash leaves out its variants. Only its summary's record
    // of the variant differs.
    assert_eq!(central.variant.as_deref(), Some("central"));
    let central = custody_sim::Summary {
        variant: None,
        ..central
    };
    assert_eq!(run(&base, &runs).unwrap(), central);
}

/// A JSON document less its record of the variant: the top-level key and
/// the tags of the overrides.
fn without_variant(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("variant");
    for o in v["overrides"].as_array_mut().unwrap() {
        o.as_object_mut().unwrap().remove("variant");
    }
    v
}

#[test]
fn a_variant_on_the_command_line_equals_the_set_of_its_overrides() {
    let dir = Scratch::new("variant-run");
    let file = short_baseline(&dir);
    let spec = format!("{file}:high");
    let common = ["-n", "6", "--seed", "2", "-q", "--set", "horizon_days=45"];
    let run_to = |name: &str, head: &[&str]| {
        let out = dir.arg(name);
        let mut args: Vec<&str> = head.to_vec();
        args.extend(common);
        args.extend(["--json", &out]);
        expect(0, &args);
        std::fs::read(dir.path(name)).unwrap()
    };
    let by_spec = run_to("spec.json", &["run", &spec]);
    let by_flag = run_to("flag.json", &["run", &file, "--variant", "high"]);
    assert_eq!(by_spec, by_flag);
    let high = presets::baseline();
    let sets: Vec<String> = high
        .variant("high")
        .unwrap()
        .overrides
        .iter()
        .flat_map(|o| ["--set".to_string(), o.to_string()])
        .collect();
    let mut head = vec!["run", file.as_str()];
    head.extend(sets.iter().map(String::as_str));
    let by_set = run_to("set.json", &head);
    let spec_json: Value = serde_json::from_slice(&by_spec).unwrap();
    let set_json: Value = serde_json::from_slice(&by_set).unwrap();
    assert_eq!(spec_json["variant"], "high");
    assert_eq!(set_json["variant"], Value::Null);
    let o = spec_json["overrides"].as_array().unwrap();
    let n = high.variant("high").unwrap().overrides.iter().count();
    assert_eq!(o.len(), n + 1);
    assert!(o[..n].iter().all(|x| x["variant"] == "high"), "{o:?}");
    assert_eq!(o[n]["path"], "horizon_days");
    assert!(o[n].get("variant").is_none());
    assert_eq!(without_variant(spec_json), without_variant(set_json));
    // The table names the variant.
    let t = expect(0, &["run", &spec, "-n", "2", "--set", "horizon_days=10"]);
    let text = String::from_utf8(t.stdout).unwrap();
    assert!(
        text.contains(", variant high (facility[Nineveh].initial_occupancy=6000")
            && text.contains(") with --set horizon_days=10:"),
        "{text}"
    );
    // The variant given twice, or one that does not exist.
    let o = expect(2, &["run", &spec, "--variant", "low", "-q"]);
    assert!(
        stderr(&o).contains("give the variant once"),
        "{}",
        stderr(&o)
    );
    let o = expect(1, &["run", "baseline:highest", "-q"]);
    assert!(
        stderr(&o).contains("no variant named \"highest\"") && stderr(&o).contains("central"),
        "{}",
        stderr(&o)
    );
    let o = expect(1, &["run", "nowhere:high", "-q"]);
    assert!(stderr(&o).contains("nowhere"), "{}", stderr(&o));
    // `check` validates every variant, and one variant by name.
    expect(0, &["check", "baseline"]);
    expect(0, &["check", "baseline:low"]);
}

#[test]
fn shards_of_a_variant_merge_to_exactly_the_run() {
    let dir = Scratch::new("variant-shards");
    let file = short_baseline(&dir);
    let spec = format!("{file}:low");
    let common = ["--seed", "4", "-q", "--set", "horizon_days=30"];
    let run_json = dir.arg("run.json");
    let mut args = vec!["run", &spec, "-n", "7", "--json", &run_json];
    args.extend(common);
    expect(0, &args);
    for (from, to, name) in [("0", "3", "a"), ("3", "7", "b")] {
        let out = dir.arg(name);
        let mut args = vec!["shard", &file, "--variant", "low"];
        args.extend(["--from", from, "--to", to, "--out", &out]);
        args.extend(common);
        expect(0, &args);
    }
    let merged = dir.arg("merged.json");
    expect(
        0,
        &[
            "merge",
            &dir.arg("b"),
            &dir.arg("a"),
            "-q",
            "--json",
            &merged,
        ],
    );
    let whole = std::fs::read(dir.path("run.json")).unwrap();
    assert!(String::from_utf8_lossy(&whole).contains("\"variant\": \"low\""));
    assert_eq!(std::fs::read(dir.path("merged.json")).unwrap(), whole);
    // A shard of another variant of the same scenario does not merge.
    let other = dir.arg("c");
    let mut args = vec!["shard", &file, "--variant", "high"];
    args.extend(["--from", "3", "--to", "7", "--out", &other]);
    args.extend(common);
    expect(0, &args);
    let o = expect(1, &["merge", &dir.arg("a"), &other, "-q"]);
    assert!(stderr(&o).contains("scenarios") || stderr(&o).contains("variants"));
}

#[test]
fn compare_labels_variants_as_given() {
    let dir = Scratch::new("variant-compare");
    let file = short_baseline(&dir);
    let specs: Vec<String> = ["low", "central", "high"]
        .iter()
        .map(|v| format!("{file}:{v}"))
        .collect();
    let out = dir.arg("c.json");
    let mut args = vec!["compare"];
    args.extend(specs.iter().map(String::as_str));
    args.extend(["-n", "4", "-q", "--json", &out]);
    expect(0, &args);
    let c: Value = serde_json::from_slice(&std::fs::read(dir.path("c.json")).unwrap()).unwrap();
    let labels: Vec<&str> = c["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(labels, specs);
    // Bundled names take variants too.
    expect(
        0,
        &[
            "compare",
            "baseline:low",
            "baseline:high",
            "-n",
            "2",
            "-q",
            "--set",
            "horizon_days=20",
        ],
    );
}

/// The charts' subtitles name the variant; a sweep of a variant records
/// its overrides, tagged, and so do the slices of a sharded sweep, which
/// merge to exactly the whole sweep.
#[test]
fn charts_and_sweeps_record_the_variant() {
    let dir = Scratch::new("variant-plots");
    let file = short_baseline(&dir);
    let spec = format!("{file}:high");
    if cfg!(feature = "plots") {
        let plots = dir.arg("plots");
        expect(0, &["run", &spec, "-n", "2", "-q", "--plots", &plots]);
        let svg = std::fs::read_to_string(dir.path("plots").join("occupancy.svg")).unwrap();
        assert!(svg.contains("baseline, variant high"), "{svg}");
    }
    // `sweep SPEC --vary horizon_days=10,20 -n 2 -q`, then `extra`.
    let sweep = |spec: &str, extra: &[&str]| -> String {
        let mut args = vec![
            "sweep",
            spec,
            "--vary",
            "horizon_days=10,20",
            "-n",
            "2",
            "-q",
        ];
        args.extend_from_slice(extra);
        String::from_utf8(expect(0, &args).stdout).unwrap()
    };
    let whole = sweep(&spec, &["--json", "-"]);
    let j: Value = serde_json::from_str(&whole).unwrap();
    let o = j["overrides"].as_array().unwrap();
    let n = presets::baseline()
        .variant("high")
        .unwrap()
        .overrides
        .iter()
        .count();
    assert_eq!(o.len(), n);
    assert!(o.iter().all(|x| x["variant"] == "high"), "{o:?}");
    let (one, two) = (dir.arg("slice1.json"), dir.arg("slice2.json"));
    sweep(&spec, &["--shard", "1/2", "--out", &one]);
    sweep(&spec, &["--shard", "2/2", "--out", &two]);
    let merged = expect(0, &["merge", &one, &two, "-q", "--json", "-"]);
    assert_eq!(String::from_utf8(merged.stdout).unwrap(), whole);
    // Slices of different variants refuse to merge.
    let other = dir.arg("other.json");
    sweep(&format!("{file}:low"), &["--shard", "2/2", "--out", &other]);
    let o = expect(1, &["merge", &one, &other, "-q"]);
    assert!(stderr(&o).contains("different variants"), "{}", stderr(&o));
}

/// On the command line a variant's own problem is named under it; `run`
/// checks the variant it runs (a `--set` after it may repair it), `check`
/// every variant.
#[test]
fn the_command_line_names_a_variants_own_problems() {
    let dir = Scratch::new("variant-bad");
    let mut s = presets::plan_2026_01();
    s.horizon_days = 20;
    let text = format!(
        "{}\n[variant.bad]\n\"court.stage[trial].servers\" = 0\n[variant.ok]\nhorizon_days = 10\n",
        s.to_toml_string()
    );
    std::fs::write(dir.path("v.toml"), text).unwrap();
    let file = dir.arg("v.toml");
    let bad = format!("{file}:bad");
    let o = expect(1, &["run", &bad, "-n", "1", "-q"]);
    assert!(
        stderr(&o).contains("variant.bad.court.stage[trial].servers: must be at least 1, got 0"),
        "{}",
        stderr(&o)
    );
    let fix = "court.stage[trial].servers=3";
    expect(0, &["run", &bad, "-n", "1", "-q", "--set", fix]);
    expect(0, &["run", &format!("{file}:ok"), "-n", "1", "-q"]);
    let o = expect(1, &["check", &file]);
    assert!(
        stderr(&o).contains("error: variant.bad.court.stage[trial].servers"),
        "{}",
        stderr(&o)
    );
}

/// `--variant NAME` on the other commands of one scenario is the same as
/// SCENARIO:NAME, and differs from the scenario as given; a report names
/// the variant.
#[test]
fn the_variant_flag_works_beyond_run() {
    let dir = Scratch::new("variant-flag");
    let obs = "examples/observed/transfer-2026.csv";
    let json = |args: &[&str]| -> Value {
        let o = expect(0, args);
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let flag = json(&[
        "backtest",
        "baseline",
        "--variant",
        "low",
        "--observed",
        obs,
        "-n",
        "20",
        "--json",
        "-",
    ]);
    let spec = json(&[
        "backtest",
        "baseline:low",
        "--observed",
        obs,
        "-n",
        "20",
        "--json",
        "-",
    ]);
    let plain = json(&[
        "backtest",
        "baseline",
        "--observed",
        obs,
        "-n",
        "20",
        "--json",
        "-",
    ]);
    assert_eq!(flag, spec);
    assert_ne!(flag, plain, "the low variant moves fewer people");
    let solve = |variant: &[&str]| -> Value {
        let mut args = vec!["solve", "baseline"];
        args.extend_from_slice(variant);
        args.extend_from_slice(&[
            "--vary",
            "court.stage[trial].servers=5..40",
            "--target",
            "median_days_to_verdict mean <= 400",
            "-n",
            "10",
            "--json",
            "-",
        ]);
        json(&args)
    };
    assert_eq!(solve(&["--variant", "high"]), {
        let o = expect(
            0,
            &[
                "solve",
                "baseline:high",
                "--vary",
                "court.stage[trial].servers=5..40",
                "--target",
                "median_days_to_verdict mean <= 400",
                "-n",
                "10",
                "--json",
                "-",
            ],
        );
        serde_json::from_slice::<Value>(&o.stdout).unwrap()
    });
    let report = dir.path("bt.html");
    expect(
        0,
        &[
            "backtest",
            "baseline",
            "--variant",
            "low",
            "--observed",
            obs,
            "-n",
            "20",
            "--report",
            report.to_str().unwrap(),
            "--quiet",
        ],
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("variant low"), "the report names the variant");
    // Both ways at once is a usage error.
    expect(
        2,
        &[
            "backtest",
            "baseline:low",
            "--variant",
            "high",
            "--observed",
            obs,
            "-n",
            "20",
        ],
    );
}
