//! `[uncertainty]`: second-order Monte Carlo (docs/model.md, "Uncertain
//! parameters"): parameter draws per replication, `param.<path>` metrics,
//! posterior rows by weight, validation of paths and range ends, and
//! reproducibility across threads and shards.

use custody_sim::montecarlo::{Runs, Shard, run, run_shard};
use custody_sim::scenario::Uncertainty;
use custody_sim::{Dist, Error, Scenario, presets};

fn short() -> Scenario {
    presets::baseline()
        .with_param("horizon_days", "120")
        .unwrap()
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
