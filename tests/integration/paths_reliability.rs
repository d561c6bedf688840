//! Parameter paths that cannot vary run by run, one parameter reached by
//! two paths, weights that overflow or underflow, observations whose sd
//! makes every distance infinite, variants and paths that cannot work,
//! invisible characters in names, and the wording of errors that serde
//! or a parser would otherwise give.

use custody_sim::calibrate::{Abc, Observations, Prior, abc};
use custody_sim::decide::{Find, Lever, SobolOptions, Target, sobol_model, solve, tornado};
use custody_sim::scenario::{ParamDist, PosteriorTable, Uncertainty};
use custody_sim::sweep::{Vary, sweep};
use custody_sim::{Dist, Runs, Scenario, presets, run};

use crate::cli::{Scratch, expect, stderr};

/// The January plan, 30 days long.
fn short() -> Scenario {
    crate::fixtures::plan_days(30)
}

fn runs(replications: u64) -> Runs {
    Runs {
        replications,
        seed: 7,
        threads: 0,
    }
}

/// The scenario as TOML with `extra` appended.
fn toml_with(s: &Scenario, extra: &str) -> String {
    format!("{}\n{extra}\n", s.to_toml_string())
}

/// Observations of the January plan's first convoys.
fn observations(s: &Scenario, rows: &str) -> Observations {
    Observations::from_csv_str(&format!("date,series,value,sd\n{rows}"), "t", s).unwrap()
}

/// An `[uncertainty]` table of a loaded posterior file only.
fn posterior(columns: &[&str], rows: Vec<Vec<f64>>, weights: Vec<f64>) -> Uncertainty {
    Uncertainty {
        params: Vec::new(),
        posterior: Some("p.csv".into()),
        posterior_table: Some(PosteriorTable {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows,
            weights,
        }),
    }
}

const SHAPE: &str = "changes the shape of the results";

#[test]
fn paths_that_change_the_shape_of_the_results_cannot_vary_run_by_run() {
    let s = short()
        .with_param("allocation.facilities", r#"["Nasiriyah", "Hillah"]"#)
        .unwrap();
    // In [uncertainty]: the horizon, the start date, a name, lists.
    for (path, dist) in [
        (
            "horizon_days",
            r#"{ dist = "uniform_int", low = 10, high = 20 }"#,
        ),
        ("start_date", r#"{ dist = "fixed", value = 1.0 }"#),
        ("group[0].name", r#"{ dist = "fixed", value = 1.0 }"#),
        ("group", r#"{ dist = "fixed", value = 1.0 }"#),
        ("facility[Hillah]", r#"{ dist = "fixed", value = 1.0 }"#),
        (
            "allocation.facilities",
            r#"{ dist = "fixed", value = 1.0 }"#,
        ),
        ("court.stage", r#"{ dist = "fixed", value = 1.0 }"#),
    ] {
        let text = toml_with(&s, &format!("[uncertainty]\n\"{path}\" = {dist}"));
        let e = Scenario::from_toml_str(&text).unwrap_err().to_string();
        assert!(
            e.contains(&format!("uncertainty.\"{path}\": {SHAPE}")),
            "{path}: {e}"
        );
    }
    // A posterior column.
    let mut t = s.clone();
    t.uncertainty = Some(posterior(
        &["horizon_days"],
        vec![vec![10.0], vec![20.0]],
        vec![1.0, 1.0],
    ));
    let e = t.validate().unwrap_err().to_string();
    assert!(
        e.contains("uncertainty.posterior: column \"horizon_days\" changes the shape"),
        "{e}"
    );
    // The rule, in one place.
    assert!(s.varying_path("horizon_days").is_err());
    assert_eq!(
        s.varying_path("court.stage[trial].servers").unwrap(),
        "court.stage[1].servers"
    );
    // A prior: an error, not a panic.
    let obs = observations(&s, "9,transferred_cumulative,500,50\n");
    let prior = Prior::parse(r#"horizon_days={dist="uniform_int",low=10,high=20}"#).unwrap();
    let fit = Abc {
        particles: 10,
        max_simulations: 100,
        ..Abc::default()
    };
    let e = abc(&s, &obs, &[prior], &fit, None).unwrap_err().to_string();
    assert!(e.contains("horizon_days") && e.contains(SHAPE), "{e}");
    // A solved lever.
    let target = Target::parse("transferred mean >= 1").unwrap();
    let lever = Lever::parse("horizon_days=10..20", Find::Smallest).unwrap();
    let e = solve(&s, &lever, &target, &runs(2))
        .unwrap_err()
        .to_string();
    assert!(e.contains("horizon_days") && e.contains(SHAPE), "{e}");
    // A sensitivity parameter.
    let params = [ParamDist::new("horizon_days", Dist::uniform_int(10, 20))];
    let e = tornado(&s, &params, &["transferred"], &runs(2))
        .unwrap_err()
        .to_string();
    assert!(e.contains("horizon_days") && e.contains(SHAPE), "{e}");
    // A sweep makes a scenario per cell, and may still vary the horizon.
    let r = sweep(&s, &[Vary::new("horizon_days", [10, 20])], &runs(2)).unwrap();
    assert_eq!(r.cells.len(), 2);
}

#[test]
fn uncertain_horizon_is_refused_by_check_and_run() {
    let dir = Scratch::new("uncertain-horizon");
    let file = dir.path("s.toml");
    std::fs::write(
        &file,
        toml_with(
            &short(),
            "[uncertainty]\n\"horizon_days\" = { dist = \"uniform_int\", low = 10, high = 20 }",
        ),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    for args in [vec!["check", f], vec!["run", f, "-n", "2", "-q"]] {
        let o = expect(1, &args);
        assert!(
            stderr(&o).contains("error: uncertainty.\"horizon_days\": changes the shape"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn calibrate_with_fewer_than_eight_particles_does_not_panic() {
    let s = short();
    let obs = observations(&s, "9,transferred_cumulative,500,50\n");
    let prior =
        Prior::parse(r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#)
            .unwrap();
    for particles in [2, 7] {
        let fit = Abc {
            particles,
            max_simulations: 60,
            max_generations: 3,
            seed: 3,
            ..Abc::default()
        };
        let post = abc(&s, &obs, std::slice::from_ref(&prior), &fit, None).unwrap();
        assert_eq!(post.particles.len(), particles);
    }
}

#[test]
fn one_parameter_by_two_paths_is_refused_everywhere() {
    let s = short();
    // [uncertainty]: both spellings listed.
    let text = toml_with(
        &s,
        "[uncertainty]\n\"court.stage[trial].servers\" = { dist = \"uniform_int\", low = 10, high = 20 }\n\"court.stage[1].servers\" = { dist = \"uniform_int\", low = 30, high = 40 }",
    );
    let e = Scenario::from_toml_str(&text).unwrap_err().to_string();
    assert!(
        e.contains("uncertainty.\"court.stage[1].servers\": uncertain twice: court.stage[trial].servers and court.stage[1].servers reach the same parameter (court.stage[1].servers)"),
        "{e}"
    );
    // A listed path and a posterior column; two posterior columns.
    for (listed, columns) in [
        (
            vec![("court.stage[trial].servers", Dist::uniform_int(10, 20))],
            vec!["court.stage[1].servers".to_string()],
        ),
        (
            vec![],
            vec![
                "court.stage[trial].servers".to_string(),
                "court.stage[1].servers".to_string(),
            ],
        ),
    ] {
        let mut u = Uncertainty::new(listed);
        u.posterior = Some("p.csv".into());
        u.posterior_table = Some(PosteriorTable {
            rows: vec![vec![20.0; columns.len()]],
            columns,
            weights: vec![1.0],
        });
        let mut t = s.clone();
        t.uncertainty = Some(u);
        let e = t.validate().unwrap_err().to_string();
        assert!(
            e.starts_with("uncertainty.posterior: uncertain twice"),
            "{e}"
        );
    }
    // Priors.
    let obs = observations(&s, "9,transferred_cumulative,500,50\n");
    let priors = [
        Prior::parse(r#"court.stage[trial].servers={dist="uniform_int",low=10,high=20}"#).unwrap(),
        Prior::parse(r#"court.stage[1].servers={dist="uniform_int",low=10,high=20}"#).unwrap(),
    ];
    let fit = Abc {
        particles: 10,
        max_simulations: 100,
        ..Abc::default()
    };
    let e = abc(&s, &obs, &priors, &fit, None).unwrap_err().to_string();
    assert!(e.contains("has two priors"), "{e}");
    // Sensitivity parameters, for Sobol indices and the tornado alike.
    let params = [
        ParamDist::new("court.stage[trial].servers", Dist::uniform_int(10, 20)),
        ParamDist::new("court.stage[1].servers", Dist::uniform_int(10, 20)),
    ];
    let e = tornado(&s, &params, &["transferred"], &runs(2))
        .unwrap_err()
        .to_string();
    assert!(e.contains("listed twice"), "{e}");
    let opts = SobolOptions {
        base_samples: 4,
        ..SobolOptions::default()
    };
    let e = sobol_model(&s, &params, &["transferred"], &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("listed twice"), "{e}");
}

#[test]
fn posterior_weights_whose_sum_overflows_draw_every_row() {
    let mut s = short();
    s.uncertainty = Some(posterior(
        &["court.conviction_probability"],
        vec![vec![0.8], vec![0.85], vec![0.9]],
        vec![1e308; 3],
    ));
    let sum = run(&s, &runs(300)).unwrap();
    let p = sum.metric("param.court.conviction_probability").unwrap();
    // Uniform over three rows: mean 0.85, sd of the mean about 0.0024.
    let mean = p.mean.unwrap();
    assert!((mean - 0.85).abs() < 0.01, "{mean}");
    assert_eq!((p.min, p.max), (Some(0.8), Some(0.9)));
}

#[test]
fn subnormal_allocation_weights_allocate_as_equal_ones() {
    let s = short();
    let with = |w: &str| {
        let t = s
            .with_params([
                ("allocation.policy", "proportional"),
                ("allocation.weights", w),
            ])
            .unwrap();
        run(&t, &runs(20)).unwrap()
    };
    let (tiny, ones) = (with("[5e-324, 5e-324, 5e-324]"), with("[1, 1, 1]"));
    assert_eq!(tiny.metrics, ones.metrics);
    assert_eq!(tiny.series, ones.series);
}

#[test]
fn an_sd_too_small_to_divide_by_is_refused() {
    let s = short();
    let e = Observations::from_csv_str(
        "date,series,value,sd\n9,transferred_cumulative,500,1e-320\n",
        "t",
        &s,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("t, line 2: sd must be at least 1e-6"), "{e}");
    // Distances that are all infinite stop the fit with an error. A file
    // cannot give such a value any more (see
    // `observed_values_beyond_a_count_of_people_are_refused`); rows built
    // another way (deserialised) still meet the fit's own check.
    let obs: Observations = serde_json::from_str(
        r#"{"rows":[{"day":9,"date":"2026-01-29","series":"transferred_cumulative","value":1e300,"sd":1.0}]}"#,
    )
    .unwrap();
    let prior =
        Prior::parse(r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#)
            .unwrap();
    let fit = Abc {
        particles: 10,
        max_simulations: 100,
        ..Abc::default()
    };
    let e = abc(&s, &obs, &[prior], &fit, None).unwrap_err().to_string();
    assert!(e.contains("every distance of the first generation"), "{e}");
}

/// A sensitivity parameter of a poisson of a huge mean, or a gamma of a
/// huge shape or rate, gives a result or an error naming its path (its
/// quantile panicked in statrs from mean 1e10, or did not return).
#[test]
fn sensitivity_of_extreme_poisson_and_gamma_parameters_returns() {
    let s = short();
    for dist in [
        Dist::Poisson { mean: 1e10 },
        Dist::Poisson { mean: 1e12 },
        Dist::Poisson { mean: 3e15 },
        Dist::Poisson {
            mean: 6.788_759_915_204_109e199,
        },
        Dist::gamma(1.0, 1e-9),
        Dist::gamma(1e-100, 1e-100),
        Dist::gamma(2.225_073_858_507_201_4e-308, 1.909_354e-317),
        Dist::gamma(1.765_818_615_401_822_8e-304, 1.765_818_615_401_822_8e-304),
    ] {
        let params = [ParamDist::new("court.stage[0].servers", dist)];
        match tornado(&s, &params, &["transferred"], &runs(1)) {
            Ok(t) => assert!(
                t[0].bars[0].low_value.is_finite() && t[0].bars[0].high_value.is_finite(),
                "{dist:?}"
            ),
            Err(e) => assert!(
                e.to_string().contains("court.stage[0].servers"),
                "{dist:?}: {e}"
            ),
        }
    }
}

/// An observed value or sd beyond ±1e12 is refused with its line (a
/// value of ±1e308 was accepted, and scored an infinite interval score
/// and CRPS); the largest accepted value scores finitely.
#[test]
fn observed_values_beyond_a_count_of_people_are_refused() {
    let s = short();
    for (row, what) in [
        ("9,transferred_cumulative,1e308,", "value \"1e308\""),
        ("9,transferred_cumulative,-1e308,", "value \"-1e308\""),
        ("9,transferred_cumulative,1.5e12,", "value \"1.5e12\""),
        ("9,transferred_cumulative,5,2e12", "sd \"2e12\""),
    ] {
        let e = Observations::from_csv_str(
            &format!("date,series,value,sd\n8,transferred_cumulative,5,\n{row}\n"),
            "t",
            &s,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains(&format!("t, line 3: {what} is beyond ±1e12")),
            "{e}"
        );
    }
    for value in ["1e12", "-1e12"] {
        let obs = observations(&s, &format!("9,transferred_cumulative,{value},\n"));
        let b = custody_sim::calibrate::backtest(&s, &obs, 5, 1, 1).unwrap();
        assert!(b.rows[0].interval_score.is_finite(), "{value}: {b:?}");
        assert!(b.mean_interval_score.is_finite() && b.crps.is_finite());
    }
}

/// A day number too large to add 1 to (i64::MAX) is refused as outside
/// the horizon, with its line (it overflowed where overflow is checked).
#[test]
fn a_day_number_too_large_is_refused_with_its_line() {
    let s = short();
    for text in [
        "series,date,sd,value\nin_syria,5,,3\nin_syria,9223372036854775807,,262\n",
        "date,series,value\n9223372036854775807,in_syria,1\n",
    ] {
        let e = Observations::from_csv_str(text, "t", &s)
            .unwrap_err()
            .to_string();
        let line = if text.starts_with("series") { 3 } else { 2 };
        assert!(
            e.contains(&format!(
                "t, line {line}: date \"9223372036854775807\" is a day number too large, outside the horizon"
            )),
            "{e}"
        );
    }
}

#[test]
fn variants_that_cannot_work_are_refused_by_check() {
    let s = short();
    for (table, path, needle) in [
        (
            "[variant.\"a:b\"]\n\"court.conviction_probability\" = 0.9",
            "variant.\"a:b\"",
            "must not contain ':'",
        ),
        (
            "[variant.v]\n\"uncertainty.posterior\" = \"p.csv\"",
            "variant.v.uncertainty.posterior",
            "[uncertainty] is not a parameter",
        ),
        (
            "[variant.v]\n\"variant.low.court.conviction_probability\" = 0.9",
            "variant.v.variant.low.court.conviction_probability",
            "a variant is not a parameter",
        ),
        (
            "[uncertainty]\n\"variant.low.court.conviction_probability\" = { dist = \"fixed\", value = 0.9 }",
            "uncertainty.\"variant.low.court.conviction_probability\"",
            "a variant is not a parameter",
        ),
    ] {
        let e = Scenario::from_toml_str(&toml_with(&s, table))
            .unwrap_err()
            .to_string();
        assert!(e.contains(&format!("{path}: ")), "{table}: {e}");
        assert!(e.contains(needle), "{table}: {e}");
    }
    // `--set` and sensitivity say the same.
    let e = s
        .with_param("uncertainty.posterior", "p.csv")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("uncertainty.posterior: [uncertainty] is not a parameter"),
        "{e}"
    );
    let params = [ParamDist::new(
        "variant.low.court.conviction_probability",
        Dist::uniform(0.8, 0.9),
    )];
    let e = tornado(&s, &params, &["transferred"], &runs(2))
        .unwrap_err()
        .to_string();
    assert!(e.contains("a variant is not a parameter"), "{e}");
}

#[test]
fn invisible_characters_in_names_are_refused() {
    let s = short();
    for c in [
        '\u{E0020}',
        '\u{E0001}',
        '\u{1D173}',
        '\u{2800}',
        '\u{2028}',
    ] {
        let name = format!("Hil{c}lah");
        let e = s
            .with_param("facility[Hillah].name", &format!("\"{name}\""))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("facility[Hillah].name: must not contain the invisible"),
            "{c:?}: {e}"
        );
    }
}

#[test]
fn every_line_of_an_error_is_prefixed() {
    let dir = Scratch::new("two-line-error");
    std::fs::write(
        dir.path("p.csv"),
        "court.stage[1].servers,court.conviction_probability\n0,2\n",
    )
    .unwrap();
    let file = dir.path("s.toml");
    std::fs::write(
        &file,
        toml_with(&short(), "[uncertainty]\nposterior = \"p.csv\""),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    for args in [vec!["check", f], vec!["run", f, "-n", "2", "-q"]] {
        let o = expect(1, &args);
        let err = stderr(&o);
        assert!(err.contains("row 1 (line 2) is refused"), "{err}");
        for line in err.lines() {
            assert!(line.starts_with("error: "), "{args:?}: {err}");
        }
    }
}

#[test]
fn solve_says_what_is_wrong_with_a_lever() {
    // `1...20` is not the range 1..0.2.
    let e = Lever::parse("court.stage[0].servers=1...20", Find::Smallest)
        .unwrap_err()
        .to_string();
    assert!(e.contains("expected PATH=LOW..HIGH"), "{e}");
    let s = short();
    let target = Target::parse("transferred mean >= 1").unwrap();
    let lever = Lever::parse("group=1..2", Find::Smallest).unwrap();
    let e = solve(&s, &lever, &target, &runs(2))
        .unwrap_err()
        .to_string();
    assert!(e.contains(SHAPE), "{e}");
    let lever = Lever::parse("allocation.policy=1..2", Find::Smallest).unwrap();
    let e = solve(&s, &lever, &target, &runs(2))
        .unwrap_err()
        .to_string();
    assert!(e.contains("allocation.policy: is not numeric"), "{e}");
}

#[test]
fn errors_speak_of_the_file_not_of_rust_types() {
    let s = short();
    let e = s.with_param("transfer.end", "5").unwrap_err().to_string();
    assert!(e.starts_with("transfer.end: names a table (keys: "), "{e}");
    assert!(e.contains("target_total") && e.contains("until_day"), "{e}");
    assert!(!e.contains("struct"), "{e}");
    let e = s
        .with_param("group[1].repatriation.quota", "-1")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "group[1].repatriation.quota: must be a non-negative integer, got -1"
    );
}

#[test]
fn a_court_that_opens_after_the_horizon_is_a_check_problem() {
    // The baseline's juvenile court opens on day 26, its investigations
    // on day 7.
    let s = presets::baseline().with_param("horizon_days", "5").unwrap();
    let e = s.check_within_horizon().unwrap_err().to_string();
    assert!(
        e.starts_with("court.stage[0].servers: is 0 and the schedule first raises it on day 26"),
        "{e}"
    );
    assert!(
        e.contains("court.stage[1].servers: is 0 and the schedule first raises it on day 7"),
        "{e}"
    );
    let dir = Scratch::new("late-court");
    let file = crate::fixtures::write_scenario(&dir, "s.toml", &s);
    let o = expect(1, &["check", &file]);
    assert!(
        stderr(&o).contains("court.stage[0].servers"),
        "{}",
        stderr(&o)
    );
    // A horizon past the opening is fine.
    assert!(presets::baseline().check_within_horizon().is_ok());
}
