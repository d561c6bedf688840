//! A result knows what it is a result of: the variant and the `--set`s
//! that made its scenario travel inside the summary (and the sweep
//! result), through shard files and their merge, so that every output of
//! a run and of its merged shards is the same text, naming both.

use custody_sim::montecarlo::{Runs, Shard, run, run_shard};
use custody_sim::report::html::Report;
use custody_sim::report::{json, table};
use custody_sim::scenario::{Override, Overrides};
use custody_sim::sweep::{SweepShard, Vary, sweep, sweep_shard};
use custody_sim::{Scenario, presets};

use crate::cli::{Scratch, expect};

/// The baseline's variant `high`, then two `--set`s.
fn high_with_sets() -> (Scenario, Overrides) {
    let sets = Overrides::new()
        .set("horizon_days", "30")
        .set("court.stage[trial].servers", "25");
    let s = presets::baseline()
        .with_variant("high")
        .unwrap()
        .with_overrides(&sets)
        .unwrap();
    (s, sets)
}

#[test]
fn a_variant_with_sets_and_the_merge_of_its_shards_report_the_same_text() {
    let (s, sets) = high_with_sets();
    // The scenario records what made it: the variant's overrides, tagged,
    // then the `--set`s.
    assert_eq!(s.applied.variant.as_deref(), Some("high"));
    let own = presets::baseline()
        .variant("high")
        .unwrap()
        .overrides
        .clone();
    assert!(!own.is_empty());
    let mut all = own.clone();
    all.extend(sets.iter().cloned());
    assert_eq!(s.applied.overrides, all);

    let runs = Runs {
        replications: 7,
        seed: 4,
        threads: 2,
    };
    let whole = run(&s, &runs).unwrap();
    assert_eq!(whole.variant.as_deref(), Some("high"));
    assert_eq!(whole.overrides, all);

    // Shards through their files (which keep paths and values, the
    // variant's name beside them), merged out of order.
    let dir = Scratch::new("provenance-shards");
    for (range, name) in [(3..7, "b"), (0..3, "a")] {
        run_shard(&s, runs.seed, range)
            .unwrap()
            .write(dir.path(name))
            .unwrap();
    }
    let merged = Shard::merge_files(&[dir.path("b"), dir.path("a")]).unwrap();
    assert_eq!(merged.variant().map(|(n, _)| n), Some("high"));
    let m = merged.summary();
    assert_eq!(m, whole);

    let text = table::summary_table(&s, &whole, None);
    assert_eq!(table::summary_table(merged.scenario(), &m, None), text);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("Scenario baseline, variant high (")
            && first.contains(
                ") with --set horizon_days=30, court.stage[trial].servers=25: 7 replications"
            ),
        "{first}"
    );

    let j = json::to_text(&json::summary_json(&whole));
    assert_eq!(json::to_text(&json::summary_json(&m)), j);
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v["variant"], "high");
    let o = v["overrides"].as_array().unwrap();
    assert_eq!(o.len(), all.len());
    assert_eq!(o[0]["variant"], "high");
    assert_eq!(o[o.len() - 2]["path"], "horizon_days");
    assert_eq!(o[o.len() - 1]["value"], 25);
    assert!(o[o.len() - 1].get("variant").is_none());

    let html = Report::run(&s, &whole).to_html();
    assert_eq!(Report::run(merged.scenario(), &m).to_html(), html);
    assert!(html.contains("<dt>variant</dt><dd><code>high</code></dd>"));
    assert!(html.contains("horizon_days"));

    #[cfg(feature = "plots")]
    {
        use custody_sim::report::plots::run_figures;
        let figs = run_figures(&s, &whole).unwrap();
        assert_eq!(run_figures(merged.scenario(), &m).unwrap(), figs);
        assert!(
            figs[0].svg.contains("variant high (--set horizon_days=30"),
            "the subtitle names the variant and the --sets"
        );
    }
}

#[test]
fn a_sweep_and_its_merged_slices_name_the_variant_and_the_sets() {
    let (s, _) = high_with_sets();
    let vary = [Vary::new("transfer.weekly_cap", [500, 1000])];
    let runs = Runs {
        replications: 3,
        seed: 2,
        threads: 1,
    };
    let whole = sweep(&s, &vary, &runs).unwrap();
    assert_eq!(whole.variant.as_deref(), Some("high"));
    assert_eq!(whole.overrides, s.applied.overrides);
    // A cell's summary is the base, changed by the cell's parameters.
    let cell = &whole.cells[1].summary;
    assert_eq!(
        cell.overrides.last(),
        Some(&Override::new("transfer.weekly_cap", "1000"))
    );

    let dir = Scratch::new("provenance-sweep");
    for k in 0..2 {
        sweep_shard(&s, &vary, &runs, k, 2, None)
            .unwrap()
            .write(dir.path(&format!("{k}")))
            .unwrap();
    }
    let merged = SweepShard::merge_files(&[dir.path("1"), dir.path("0")])
        .unwrap()
        .result();
    assert_eq!(merged, whole);
    let text = table::sweep_table(&whole);
    assert_eq!(table::sweep_table(&merged), text);
    assert!(
        text.starts_with("Sweep of baseline, variant high (")
            && text.contains("with --set horizon_days=30, court.stage[trial].servers=25: 2 cells"),
        "{text}"
    );
    let j = json::to_text(&json::sweep_json(&whole));
    assert_eq!(json::to_text(&json::sweep_json(&merged)), j);
    assert!(j.contains("\"variant\": \"high\""));
    assert_eq!(
        Report::sweep(&s, &merged).to_html(),
        Report::sweep(&s, &whole).to_html()
    );
}

#[test]
fn the_command_line_prints_the_same_table_for_a_run_and_its_merged_shards() {
    let dir = Scratch::new("provenance-cli");
    let mut b = presets::baseline();
    b.horizon_days = 60;
    // With its posterior file beside it.
    let file = crate::fixtures::write_scenario(&dir, "base.toml", &b);
    let spec = format!("{file}:high");
    let common = [
        "--seed",
        "3",
        "--set",
        "horizon_days=30",
        "--set",
        "court.stage[trial].servers=25",
    ];
    let mut args = vec!["run", &spec, "-n", "5"];
    args.extend(common);
    let run_out = expect(0, &args);
    let table = String::from_utf8(run_out.stdout).unwrap();
    assert!(
        table.starts_with("Scenario baseline, variant high (")
            && table.contains(") with --set horizon_days=30, court.stage[trial].servers=25: 5"),
        "{table}"
    );
    for (from, to, name) in [("0", "2", "a"), ("2", "5", "b")] {
        let out = dir.arg(name);
        let mut args = vec![
            "shard", &spec, "--from", from, "--to", to, "--out", &out, "-q",
        ];
        args.extend(common);
        expect(0, &args);
    }
    let merged = expect(0, &["merge", &dir.arg("b"), &dir.arg("a")]);
    assert_eq!(String::from_utf8(merged.stdout).unwrap(), table);
}
