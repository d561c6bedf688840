//! `[uncertainty]`: second-order Monte Carlo (docs/model.md, "Uncertain
//! parameters"): parameter draws per replication, `param.<path>` metrics,
//! posterior rows by weight, validation of paths and range ends, and
//! reproducibility across threads and shards.

use custody_sim::montecarlo::{Runs, Shard, run, run_shard};
use custody_sim::scenario::Uncertainty;
use custody_sim::{Dist, Error, Scenario};

/// The frozen version 2 baseline over 120 days: no `[uncertainty]` of its
/// own, so each test's table is the only one.
fn short() -> Scenario {
    crate::fixtures::baseline_v2_days(120)
}

fn with_uncertainty(params: Vec<(&str, Dist)>) -> Scenario {
    let mut s = short();
    s.uncertainty = Some(Uncertainty::new(params));
    s
}

fn runs(replications: u64, threads: usize) -> Runs {
    Runs {
        replications,
        seed: 11,
        threads,
    }
}

fn json<T: serde::Serialize + ?Sized>(x: &T) -> String {
    serde_json::to_string(x).unwrap()
}

fn message(e: &Error) -> String {
    e.to_string()
}

#[test]
fn a_uniform_parameter_is_drawn_in_its_range_with_the_right_mean() {
    let s = with_uncertainty(vec![(
        "court.conviction_probability",
        Dist::uniform(0.85, 0.99),
    )]);
    let sum = run(&s, &runs(400, 2)).unwrap();
    let p = sum.metric("param.court.conviction_probability").unwrap();
    assert_eq!(p.n, 400);
    let (min, max) = (p.min.unwrap(), p.max.unwrap());
    assert!((0.85..=0.99).contains(&min) && (0.85..=0.99).contains(&max));
    assert!(max - min > 0.1, "draws vary: {min}..{max}");
    // The mean of uniform(0.85, 0.99) is 0.92; its sd is 0.14/sqrt(12).
    let (lo, hi) = (p.ci95_low.unwrap(), p.ci95_high.unwrap());
    let half = hi - lo;
    assert!(
        lo - half < 0.92 && 0.92 < hi + half,
        "0.92 outside [{lo}, {hi}] widened"
    );
    let sd = p.sd.unwrap();
    let exact = 0.14 / 12f64.sqrt();
    assert!((sd / exact - 1.0).abs() < 0.15, "sd {sd} vs {exact}");
}

#[test]
fn an_integer_parameter_takes_integer_values_inside_its_range() {
    let s = with_uncertainty(vec![(
        "transfer.end.target_total",
        Dist::uniform_int(5000, 7000),
    )]);
    let sum = run(&s, &runs(60, 2)).unwrap();
    let p = sum.metric("param.transfer.end.target_total").unwrap();
    assert!(p.min.unwrap() >= 5000.0 && p.max.unwrap() <= 7000.0);
    assert_eq!(p.min.unwrap().fract(), 0.0);
}

#[test]
fn uncertainty_on_conviction_widens_the_convicted_band() {
    let plain = run(&short(), &runs(300, 2)).unwrap();
    let s = with_uncertainty(vec![(
        "court.conviction_probability",
        Dist::uniform(0.3, 0.99),
    )]);
    let unc = run(&s, &runs(300, 2)).unwrap();
    let width = |m: &custody_sim::stats::MetricStats| m.p95.unwrap() - m.p5.unwrap();
    let (a, b) = (
        width(plain.metric("convicted").unwrap()),
        width(unc.metric("convicted").unwrap()),
    );
    assert!(b > 1.5 * a, "band without {a}, with {b}");
    // The model's own metrics keep their names and order; params come last.
    assert_eq!(
        unc.metrics.last().unwrap().0,
        "param.court.conviction_probability"
    );
    assert_eq!(unc.metrics.len(), plain.metrics.len() + 1);
}

#[test]
fn a_fixed_draw_leaves_the_model_streams_as_they_were() {
    // A parameter "drawn" at its own value: every model metric must be
    // what the plain run gives, so the parameter stream is separate.
    let plain = run(&short(), &runs(20, 2)).unwrap();
    let p = short().court.conviction_probability;
    let s = with_uncertainty(vec![("court.conviction_probability", Dist::fixed(p))]);
    let unc = run(&s, &runs(20, 1)).unwrap();
    assert_eq!(unc.metrics.len(), plain.metrics.len() + 1);
    assert_eq!(
        json(&unc.metrics[..plain.metrics.len()]),
        json(&plain.metrics)
    );
    assert_eq!(json(&unc.series), json(&plain.series));
}

#[test]
fn same_result_on_one_and_two_threads_and_merged_shards() {
    let s = with_uncertainty(vec![
        ("court.conviction_probability", Dist::uniform(0.85, 0.99)),
        ("transfer.end.target_total", Dist::uniform_int(5000, 7000)),
    ]);
    let one = run(&s, &runs(23, 1)).unwrap();
    let two = run(&s, &runs(23, 2)).unwrap();
    assert_eq!(json(&one), json(&two));
    let mut acc: Option<Shard> = None;
    for r in [10..23, 0..4, 4..10] {
        let sh = run_shard(&s, 11, r).unwrap();
        match &mut acc {
            None => acc = Some(sh),
            Some(a) => a.merge(sh).unwrap(),
        }
    }
    assert_eq!(json(&acc.unwrap().summary()), json(&one));
}

#[test]
fn a_posterior_row_is_chosen_by_weight() {
    let dir = std::env::temp_dir().join(format!("custody-sim-unc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("post.csv"),
        "court.conviction_probability,court.stage[trial].servers,weight\n\
         0.5,3,0\n0.75,17,1\n0.9,40,0\n",
    )
    .unwrap();
    let mut text = short().to_toml_string();
    text.push_str("\n[uncertainty]\nposterior = \"post.csv\"\n");
    std::fs::write(dir.join("s.toml"), &text).unwrap();
    let s = Scenario::from_path(dir.join("s.toml")).unwrap();
    // Round trip keeps the table (not the loaded rows).
    let back = Scenario::from_toml_str(&s.to_toml_string()).unwrap();
    assert_eq!(
        back.uncertainty.as_ref().unwrap().posterior.as_deref(),
        Some("post.csv")
    );
    let sum = run(&s, &runs(40, 2)).unwrap();
    let p = sum.metric("param.court.conviction_probability").unwrap();
    assert_eq!((p.min, p.max), (Some(0.75), Some(0.75)));
    let q = sum.metric("param.court.stage[trial].servers").unwrap();
    assert_eq!((q.min, q.max), (Some(17.0), Some(17.0)));
    // The same text read without its directory cannot find the rows.
    let e = run(&back, &runs(2, 1)).unwrap_err();
    assert!(message(&e).contains("uncertainty.posterior"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_invalid_draw_stops_the_run_naming_the_path_and_value() {
    // The mean (0.9) is valid, so `check` accepts it; draws above 1 are not.
    let s = with_uncertainty(vec![(
        "court.conviction_probability",
        Dist::lognormal(0.9, 0.5),
    )]);
    s.validate().unwrap();
    let e = run(&s, &runs(50, 2)).unwrap_err();
    let m = message(&e);
    assert!(m.contains("court.conviction_probability = "), "{m}");
    assert!(m.contains("invalid"), "{m}");
    // The same replication fails first whatever the thread count.
    assert_eq!(m, message(&run(&s, &runs(50, 1)).unwrap_err()));
}

#[test]
fn check_tries_both_ends_of_a_bounded_range() {
    let s = with_uncertainty(vec![(
        "court.conviction_probability",
        Dist::uniform(0.9, 1.2),
    )]);
    let m = s.validate().unwrap_err().to_string();
    assert!(
        m.contains("uncertainty.\"court.conviction_probability\""),
        "{m}"
    );
    assert!(m.contains("1.2"), "{m}");
    let s = with_uncertainty(vec![(
        "court.stage[trial].servers",
        Dist::uniform_int(0, 10),
    )]);
    let m = s.validate().unwrap_err().to_string();
    assert!(
        m.contains("uncertainty.\"court.stage[trial].servers\""),
        "{m}"
    );
    assert!(m.contains("value 0"), "{m}");
}

#[test]
fn unknown_paths_and_bad_dists_are_named() {
    let mut text = short().to_toml_string();
    text.push_str(
        "\n[uncertainty]\n\"court.nope\" = { dist = \"uniform\", low = 1.0, high = 2.0 }\n",
    );
    let m = Scenario::from_toml_str(&text).unwrap_err().to_string();
    assert!(m.contains("uncertainty.\"court.nope\""), "{m}");
    let mut text = short().to_toml_string();
    text.push_str("\n[uncertainty]\n\"court.conviction_probability\" = { dist = \"uniform\", low = 0.9, high = 0.8 }\n");
    let m = Scenario::from_toml_str(&text).unwrap_err().to_string();
    assert!(
        m.contains("uncertainty.\"court.conviction_probability\""),
        "{m}"
    );
}

#[test]
fn the_table_round_trips_through_toml() {
    let s = with_uncertainty(vec![
        ("court.conviction_probability", Dist::uniform(0.85, 0.99)),
        ("transfer.end.target_total", Dist::uniform_int(5000, 7000)),
    ]);
    let back = Scenario::from_toml_str(&s.to_toml_string()).unwrap();
    assert_eq!(back, s);
}

/// The uncertain paths are drawn in file order, not alphabetically: a
/// table whose paths are in reverse-alphabetical order draws, from its
/// TOML text, exactly what the Rust-built scenario draws.
#[test]
fn paths_are_drawn_in_file_order_the_same_from_rust_and_toml() {
    // "transfer..." sorts after "court...": file order is not sorted order.
    let rust = with_uncertainty(vec![
        ("transfer.end.target_total", Dist::uniform_int(5000, 7000)),
        ("court.conviction_probability", Dist::uniform(0.85, 0.99)),
    ]);
    let round_trip = Scenario::from_toml_str(&rust.to_toml_string()).unwrap();
    let mut text = short().to_toml_string();
    text.push_str(
        "\n[uncertainty]\n\
         \"transfer.end.target_total\" = { dist = \"uniform_int\", low = 5000, high = 7000 }\n\
         \"court.conviction_probability\" = { dist = \"uniform\", low = 0.85, high = 0.99 }\n",
    );
    let written = Scenario::from_toml_str(&text).unwrap();
    for s in [&round_trip, &written] {
        let paths: Vec<&str> = s
            .uncertainty
            .as_ref()
            .unwrap()
            .params
            .iter()
            .map(|p| p.path.as_str())
            .collect();
        assert_eq!(
            paths,
            ["transfer.end.target_total", "court.conviction_probability"]
        );
        assert_eq!(s, &rust);
    }
    let want = run(&rust, &runs(12, 1)).unwrap();
    let n = want.metrics.len();
    assert_eq!(want.metrics[n - 2].0, "param.transfer.end.target_total");
    assert_eq!(want.metrics[n - 1].0, "param.court.conviction_probability");
    assert_eq!(json(&run(&round_trip, &runs(12, 2)).unwrap()), json(&want));
    assert_eq!(json(&run(&written, &runs(12, 2)).unwrap()), json(&want));
}

/// A scratch folder of this process for one test.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("custody-sim-unc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A posterior scenario `s.toml` in `dir` drawing from `post.csv` (rows).
fn posterior_scenario(dir: &std::path::Path, rows: &str) -> Scenario {
    std::fs::write(
        dir.join("post.csv"),
        format!("court.conviction_probability,court.stage[trial].servers,weight\n{rows}"),
    )
    .unwrap();
    let mut text = short().to_toml_string();
    text.push_str("\n[uncertainty]\nposterior = \"post.csv\"\n");
    std::fs::write(dir.join("s.toml"), &text).unwrap();
    Scenario::from_path(dir.join("s.toml")).unwrap()
}

/// Shard files of a scenario with a posterior file carry its rows: they
/// merge, without the file, to exactly the single run; a shard run after
/// the file changed refuses to merge with the others.
#[test]
fn shards_carry_the_posterior_rows_and_a_changed_file_is_detected() {
    let dir = scratch("shards");
    let s = posterior_scenario(&dir, "0.6,12,1\n0.75,17,2\n0.9,40,1\n");
    let whole = run(&s, &runs(30, 2)).unwrap();
    let p = whole.metric("param.court.stage[trial].servers").unwrap();
    assert!(p.min != p.max, "rows of several weights are drawn: {p:?}");
    let files: Vec<_> = [(0..12), (12..30)]
        .into_iter()
        .enumerate()
        .map(|(k, r)| {
            let f = dir.join(format!("{k}.json"));
            run_shard(&s, 11, r).unwrap().write(&f).unwrap();
            f
        })
        .collect();
    // Another machine: no posterior file.
    std::fs::remove_file(dir.join("post.csv")).unwrap();
    let merged = Shard::merge_files(&[&files[1], &files[0]]).unwrap();
    assert_eq!(json(&merged.summary()), json(&whole));
    assert_eq!(merged.scenario(), &s, "the rows are back in the scenario");

    // The file changed (one row): a new shard does not merge with the old.
    let changed = posterior_scenario(&dir, "0.6,12,1\n0.75,18,2\n0.9,40,1\n");
    assert_eq!(
        custody_sim::montecarlo::scenario_sha256(&changed),
        custody_sim::montecarlo::scenario_sha256(&s),
        "the TOML alone cannot tell them apart"
    );
    let late = dir.join("2.json");
    run_shard(&changed, 11, 30..40)
        .unwrap()
        .write(&late)
        .unwrap();
    let e = Shard::merge_files(&[&files[0], &late]).unwrap_err();
    let m = message(&e);
    assert!(
        m.contains("posterior") && m.contains("3 rows, sha256"),
        "{m}"
    );
    assert!(m.contains("2.json"), "names the file: {m}");
    // In memory too.
    let mut a = run_shard(&s, 11, 0..5).unwrap();
    let b = run_shard(&changed, 11, 5..10).unwrap();
    assert!(message(&a.merge(b).unwrap_err()).contains("posterior"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Rewrites a shard file as an older format wrote it: format `format`,
/// without `posterior`, its daily series under `hist` (histograms), sealed
/// again as that version sealed it: the checksum of the compact JSON of
/// the rest.
fn as_old_format(from: &std::path::Path, to: &std::path::Path, format: u32) {
    use sha2::{Digest, Sha256};
    let text = std::fs::read_to_string(from).unwrap();
    let mut v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    v.shift_remove("sha256");
    v.shift_remove("posterior");
    v.insert("format".into(), format.into());
    let series = v["series"].as_object_mut().unwrap();
    let cells = series.shift_remove("cells").unwrap();
    series.insert("hist".into(), cells);
    let body = serde_json::to_string(&v).unwrap();
    let sha: String = Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut sealed = serde_json::Map::new();
    sealed.insert("sha256".into(), sha.into());
    sealed.extend(v);
    std::fs::write(to, serde_json::to_string(&sealed).unwrap()).unwrap();
}

/// Shard files of formats 2 and 3 held daily series as histograms, from
/// which exact daily quantiles cannot be recovered: they are refused,
/// naming their format and what to do, alone or in a merge.
#[test]
fn shards_of_formats_before_exact_daily_quantiles_are_refused() {
    let dir = scratch("format3");
    let s = short();
    let (old, new) = (dir.join("old.json"), dir.join("new.json"));
    run_shard(&s, 11, 0..6)
        .unwrap()
        .write(dir.join("tmp.json"))
        .unwrap();
    run_shard(&s, 11, 6..10).unwrap().write(&new).unwrap();
    assert!(
        std::fs::read_to_string(&new)
            .unwrap()
            .contains("\"format\":4")
    );
    for format in [2, 3] {
        as_old_format(&dir.join("tmp.json"), &old, format);
        let m = message(&Shard::read(&old).unwrap_err());
        assert!(
            m.contains(&format!("shard format {format}"))
                && m.contains("exact daily quantiles")
                && m.contains("old.json"),
            "{m}"
        );
        let m = message(&Shard::merge_files(&[&new, &old]).unwrap_err());
        assert!(m.contains(&format!("shard format {format}")), "{m}");
    }
    // The current format reads and merges into the single run.
    let merged = Shard::merge_files(&[&dir.join("tmp.json"), &new]).unwrap();
    assert_eq!(
        json(&merged.summary()),
        json(&run(&s, &runs(10, 1)).unwrap())
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A value set by its path (`--set`, `with_param`) fixes it: the path
/// leaves `[uncertainty]`, so no replication's draw replaces it, and the
/// run equals the run of the scenario without that uncertain path.
#[test]
fn a_value_set_by_path_is_not_drawn() {
    let path = "court.conviction_probability";
    let s = with_uncertainty(vec![
        (path, Dist::uniform(0.5, 0.9)),
        ("court.stage[trial].servers", Dist::uniform_int(10, 20)),
    ]);
    // Set by another spelling of the same path's value: it must still leave.
    let set = s.with_param(path, "0.75").unwrap();
    let u = set
        .uncertainty
        .as_ref()
        .expect("the other path stays uncertain");
    assert_eq!(u.paths(), ["court.stage[trial].servers"]);
    let expected = with_uncertainty(vec![(
        "court.stage[trial].servers",
        Dist::uniform_int(10, 20),
    )])
    .with_param(path, "0.75")
    .unwrap();
    let a = run(&set, &runs(20, 2)).unwrap();
    let b = run(&expected, &runs(20, 1)).unwrap();
    assert_eq!(json(&a.metrics), json(&b.metrics));
    assert!(a.metric(&format!("param.{path}")).is_none());
    // Both paths set: no [uncertainty] left.
    let both = set.with_param("court.stage[1].servers", "15").unwrap();
    assert!(both.uncertainty.is_none());
}

/// `compare` draws `[uncertainty]` as `run` does: its statistics of a
/// scenario are those of the run.
#[test]
fn compare_draws_the_uncertain_parameters_as_run_does() {
    use custody_sim::decide::compare;
    let s = with_uncertainty(vec![(
        "court.conviction_probability",
        Dist::uniform(0.5, 0.9),
    )]);
    let r = runs(30, 2);
    let c = compare(
        &[("u".to_string(), s.clone()), ("plain".to_string(), short())],
        &["convicted"],
        &r,
    )
    .unwrap();
    let from_run = run(&s, &r).unwrap();
    let m = from_run.metric("convicted").unwrap();
    let e = &c.metric("convicted").unwrap().entries[0];
    let st = e.stats.as_ref().unwrap();
    assert_eq!(st.mean, m.mean);
    assert_eq!(st.sd, m.sd);
}
