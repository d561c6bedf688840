//! Decision support on the model: Sobol indices, tornado, solve on an
//! M/M/c queue (Erlang C), compare against a sweep.

use custody_sim::decide::{
    DecideError, Find, Lever, SobolOptions, Target, compare, compare_variants, sensitivity,
    sobol_model, solve, tornado,
};
use custody_sim::model::schema::headline_metrics;
use custody_sim::scenario::{ParamDist, Variant};
use custody_sim::sweep::{Vary, sweep};
use custody_sim::{Dist, Error, Runs, Scenario, presets};

/// A parameter that cannot touch a metric has indices of exactly 0:
/// with common random numbers `f(AB_i) = f(A)` replication by replication
/// (Hillah's beds change where detainees sleep, not the national court
/// queue). The trial panels drive the trial wait.
#[test]
fn sobol_on_the_model_separates_a_lever_from_a_bystander() {
    let params = [
        ParamDist::new("court.stage[trial].servers", Dist::uniform_int(10, 40)),
        ParamDist::new("facility[Hillah].capacity", Dist::uniform_int(500, 3000)),
    ];
    let opts = SobolOptions {
        base_samples: 64,
        bootstrap: 200,
        seed: 3,
        ..SobolOptions::default()
    };
    let metrics = [
        "stage.trial.mean_wait_days",
        "facility.Hillah.days_over_capacity",
    ];
    let r = sobol_model(&presets::plan_2026_01(), &params, &metrics, &opts).unwrap();
    assert_eq!(r.evaluations, 64 * 4);
    let wait = &r.metrics[0];
    assert_eq!(wait.rows, 64);
    let (servers, hillah) = (&wait.indices[0], &wait.indices[1]);
    assert_eq!(hillah.first_order.estimate, Some(0.0));
    assert_eq!(hillah.total.estimate, Some(0.0));
    assert!(servers.total.ci95_low.unwrap() > 0.5, "{servers:?}");
    assert!(servers.first_order.ci95_low.unwrap() > 0.3, "{servers:?}");
    // And Hillah's beds drive Hillah's days over capacity (the panels
    // too, a little: a release after trial frees a bed).
    let over = &r.metrics[1].indices;
    assert!(over[1].total.ci95_low.unwrap() > 0.5, "{:?}", over[1]);
    // The same on one thread, bit for bit.
    let one = sobol_model(
        &presets::plan_2026_01(),
        &params,
        &metrics,
        &SobolOptions { threads: 1, ..opts },
    )
    .unwrap();
    assert_eq!(one.metrics, r.metrics);
}

#[test]
fn sobol_on_the_model_names_bad_paths_and_metrics() {
    let opts = SobolOptions {
        base_samples: 4,
        bootstrap: 0,
        seed: 1,
        ..SobolOptions::default()
    };
    let s = presets::plan_2026_01();
    let bad = [ParamDist::new(
        "court.stage[appeal].servers",
        Dist::uniform_int(1, 3),
    )];
    let e = sobol_model(&s, &bad, &["escaped"], &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("court.stage[appeal].servers"), "{e}");
    let ok = [ParamDist::new(
        "court.stage[trial].servers",
        Dist::uniform_int(1, 3),
    )];
    let e = sobol_model(&s, &ok, &["no_such_metric"], &opts)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("no_such_metric: no such metric"), "{e}");
    // A near miss names the metric meant first.
    let e = sobol_model(&s, &ok, &["mean_days_to_verdcit"], &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("(closest: mean_days_to_verdict,"), "{e}");
}

/// An M/M/c court stage: Poisson arrivals of rate `lambda` per day (convoys
/// of one with exponential intervals, no transit), exponential service of
/// mean 1 day, ample beds, no repatriation; `servers` is the lever.
fn mmc(lambda: f64, horizon: u32) -> Scenario {
    let count = (lambda * f64::from(horizon) * 1.5 + 1000.0) as u64;
    crate::fixtures::mmc_court("mmc", lambda, horizon, count)
}

/// Erlang C: the probability that an arrival waits in M/M/c with offered
/// load `a = lambda / mu`.
fn erlang_c(c: u64, a: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / k as f64;
        sum += term;
    }
    let last = term * a / c as f64 * c as f64 / (c as f64 - a);
    last / (sum + last)
}

/// The fewest servers such that the mean wait in queue Wq <= w, by
/// Erlang C (Wq = C(c, a) / (c mu - lambda)), found by `solve` on the
/// simulation.
///
/// lambda = 8/day, mu = 1/day: Wq(10) = 0.2046 days, Wq(11) = 0.0817 days.
/// The threshold w = 0.13 lies 57% above Wq(11) and 36% below Wq(10), far
/// beyond the simulation's precision (40 replications of 1,000 days, about
/// 8,000 customers each: a relative half-width under 10%, as `sure` checks; the
/// transient bias at c = 10, about tau / horizon with tau = 1 / (c mu (1 -
/// sqrt rho)^2) = 9 days, is under 1%), so the answer is not borderline.
#[test]
fn solve_finds_the_erlang_c_server_count() {
    let (lambda, mu, w) = (8.0, 1.0, 0.13);
    let wq = |c: u64| erlang_c(c, lambda / mu) / (c as f64 * mu - lambda);
    let expected = (9..).find(|&c| wq(c) <= w).unwrap();
    assert_eq!(expected, 11);
    assert!(wq(expected) < w / 1.5 && wq(expected - 1) > w * 1.5);

    let s = mmc(lambda, 1000);
    let lever = Lever::parse("court.stage[trial].servers=1..40", Find::Smallest).unwrap();
    let target = Target::parse(&format!("stage.trial.mean_wait_days mean <= {w}")).unwrap();
    let runs = Runs {
        replications: 40,
        seed: 11,
        threads: 0,
    };
    let sol = solve(&s, &lever, &target, &runs).unwrap();
    assert_eq!(sol.value, expected as f64);
    assert!(sol.sure, "{sol:?}");
    // The analytic Wq lies inside the simulated intervals at the answer
    // and its neighbours.
    for e in [Some(&sol.at), sol.below.as_ref(), sol.above.as_ref()] {
        let e = e.unwrap();
        let exact = wq(e.value as u64);
        assert!(
            e.statistic.contains(exact),
            "c = {}: Wq {exact} vs {:?}",
            e.value,
            e.statistic
        );
    }
    // No more runs than a bisection: K = 39 values apart.
    let bisection = (39f64).log2().ceil() as usize + 2;
    assert!(sol.search_runs <= bisection, "{} runs", sol.search_runs);
    assert!(sol.evaluations.len() <= bisection + 1);
    // The JSON names the answer `value`, beside `path` and `target`.
    let json = serde_json::to_value(&sol).unwrap();
    assert_eq!(json["value"], 11.0);
    assert_eq!(json["path"], "court.stage[trial].servers");
    assert_eq!(json["target"]["metric"], "stage.trial.mean_wait_days");
    assert!(json["below"]["statistic"]["ci95_low"].as_f64().unwrap() > w);
}

#[test]
fn solve_refuses_unmeetable_and_backwards_targets() {
    let s = mmc(8.0, 200);
    let runs = Runs {
        replications: 5,
        seed: 1,
        threads: 0,
    };
    let target = Target::parse("stage.trial.mean_wait_days mean <= 0.13").unwrap();
    // Eight servers or fewer cannot keep up with eight arrivals a day.
    let lever = Lever::parse("court.stage[trial].servers=1..8", Find::Smallest).unwrap();
    let e = solve(&s, &lever, &target, &runs).unwrap_err();
    assert!(
        matches!(e, Error::Decide(DecideError::TargetNotMet(_))),
        "{e}"
    );
    assert!(e.to_string().contains("met nowhere in 1..8"), "{e}");
    // More servers shorten the wait: the largest count meeting it is not
    // what the range holds.
    let lever = Lever::parse("court.stage[trial].servers=1..40", Find::Largest).unwrap();
    let e = solve(&s, &lever, &target, &runs).unwrap_err();
    assert!(
        matches!(e, Error::Decide(DecideError::NotMonotone(_))),
        "{e}"
    );
    assert!(e.to_string().contains("ask for the smallest"), "{e}");
    // A continuous lever needs a tolerance; a bad metric is named.
    let lever = Lever::parse("court.conviction_probability=0.1..0.9", Find::Smallest).unwrap();
    assert!(
        solve(&s, &lever, &target, &runs)
            .unwrap_err()
            .to_string()
            .contains("tolerance")
    );
    let lever = Lever::parse("court.stage[trial].servers=9..12", Find::Smallest).unwrap();
    let bad = Target::parse("stage.appeal.mean_wait_days mean <= 1").unwrap();
    let e = solve(&s, &lever, &bad, &runs).unwrap_err().to_string();
    assert!(
        e.starts_with("stage.appeal.mean_wait_days: no such metric"),
        "{e}"
    );
}

/// A tornado's swing is the paired difference of two runs on the same
/// seed: the same as a sweep over the two ends, with the other parameter
/// at its median, gives; and the JSON of `sensitivity` carries, per metric
/// and parameter, `path`, `first_order`, `total` and `swing`.
#[test]
fn tornado_swings_are_paired_differences_and_sensitivity_joins_them() {
    let s = presets::plan_2026_01();
    let params = [
        // 30 equally likely values: the 5th percentile is 10 + floor(0.05 * 30) = 11,
        // the 95th 10 + floor(0.95 * 30) = 38.
        ParamDist::new("court.stage[trial].servers", Dist::uniform_int(10, 39)),
        ParamDist::new(
            "transfer.escape.escape_probability",
            Dist::uniform(0.0, 0.02),
        ),
    ];
    let runs = Runs {
        replications: 12,
        seed: 5,
        threads: 0,
    };
    let metric = "stage.trial.mean_wait_days";
    let t = &tornado(&s, &params, &[metric], &runs).unwrap()[0];
    let bar = &t.bars[0];
    assert_eq!((bar.low_value, bar.high_value), (11.0, 38.0));
    let median = s
        .with_param("transfer.escape.escape_probability", "0.01")
        .unwrap();
    let grid = [Vary::new("court.stage[trial].servers", ["11", "38"])];
    let sw = sweep(&median, &grid, &runs).unwrap();
    let d = sw.cells[1].diff_of(metric).unwrap();
    assert_eq!(bar.swing.estimate, d.mean);
    assert_eq!(
        (bar.swing.ci95_low, bar.swing.ci95_high),
        (d.ci95_low, d.ci95_high)
    );
    assert!(bar.swing.ci95_high.unwrap() < 0.0);
    assert_eq!(t.sorted()[0].path, "court.stage[trial].servers");

    let opts = SobolOptions {
        base_samples: 16,
        bootstrap: 100,
        seed: 5,
        ..SobolOptions::default()
    };
    let r = sensitivity(&s, &params, &[metric], &opts, 12).unwrap();
    let json = serde_json::to_value(&r).unwrap();
    let first = &json["metrics"][0]["indices"][0];
    assert_eq!(first["path"], "court.stage[trial].servers");
    for key in ["first_order", "total", "swing"] {
        for end in ["estimate", "ci95_low", "ci95_high"] {
            assert!(first[key][end].is_number(), "{key}.{end}: {first}");
        }
    }
    assert_eq!(first["swing"]["estimate"].as_f64(), bar.swing.estimate);
}

/// `compare`'s paired differences are a sweep's, bit for bit, for every
/// metric: the same seed, the same replication indices, the same
/// differences in the same order.
#[test]
fn compare_paired_differences_equal_a_sweeps() {
    let s = presets::plan_2026_01();
    let path = "court.stage[trial].servers";
    let variants = [
        Variant::new("15 panels").set(path, "15"),
        Variant::new("30 panels").set(path, "30"),
        Variant::new("60 panels").set(path, "60"),
    ];
    let runs = Runs {
        replications: 16,
        seed: 9,
        threads: 0,
    };
    let c = compare_variants(&s, &variants, &[], &runs).unwrap();
    let sw = sweep(&s, &[Vary::new(path, ["15", "30", "60"])], &runs).unwrap();
    assert_eq!(c.labels, ["15 panels", "30 panels", "60 panels"]);
    assert_eq!(c.metrics.len(), sw.cells[0].summary.metrics.len());
    for row in &c.metrics {
        for (entry, cell) in row.entries.iter().zip(&sw.cells) {
            let d = entry.diff.as_ref().unwrap();
            let e = cell.diff_of(&row.metric).unwrap();
            assert_eq!(
                (d.n, d.mean, d.sd, d.ci95_low, d.ci95_high),
                (e.n, e.mean, e.sd, e.ci95_low, e.ci95_high),
                "{} in {}",
                row.metric,
                entry.label
            );
            assert_eq!(
                entry.stats.as_ref(),
                cell.metric(&row.metric),
                "{}",
                row.metric
            );
        }
    }
    let wait = c.metric("stage.trial.mean_wait_days").unwrap();
    assert!(wait.entries[1].diff.as_ref().unwrap().ci95_high.unwrap() < 0.0);
    // Scenarios that lack a metric leave a gap, not an error.
    let mut small = s.clone();
    small.name = "two prisons".into();
    small.facilities.truncate(2);
    let c = compare(
        &[
            ("baseline".into(), s.clone()),
            ("two prisons".into(), small),
        ],
        &["facility.Nineveh.peak_occupancy", "escaped"],
        &runs,
    )
    .unwrap();
    assert!(c.metrics[0].entries[1].stats.is_none());
    assert_eq!(c.metrics[1].entries[1].diff.as_ref().unwrap().n, 16);
    let headline = headline_metrics();
    let h = compare(&[("b".into(), s.clone())], &headline, &runs).unwrap();
    assert_eq!(h.metrics.len(), headline.len());
    let e = compare(&[("b".into(), s)], &["nothing"], &runs)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("nothing: no compared scenario"), "{e}");
}

/// A continuous lever: the longest mean trial (service) time that 11
/// servers can absorb with Wq <= 0.15 days, to a tolerance of 0.05 days.
/// Erlang C (lambda = 8/day): Wq = 0.126 at a mean of 1.05 days and 0.194
/// at 1.10, 16% below and 29% above the threshold, beyond the simulation's
/// precision (40 replications: a half-width of about 8% of the mean, seen
/// in this test's own intervals): the answer is 1.05.
#[test]
fn solve_finds_a_continuous_lever_to_its_tolerance() {
    let s = mmc(8.0, 1000)
        .with_param("court.stage[trial].servers", "11")
        .unwrap();
    let mut lever = Lever::parse(
        "court.stage[trial].service_days.mean=0.5..1.3",
        Find::Largest,
    )
    .unwrap();
    lever.tolerance = Some(0.05);
    let target = Target::parse("stage.trial.mean_wait_days mean <= 0.15").unwrap();
    let runs = Runs {
        replications: 40,
        seed: 12,
        threads: 0,
    };
    let sol = solve(&s, &lever, &target, &runs).unwrap();
    assert!((sol.value - 1.05).abs() < 1e-9, "{}", sol.value);
    let above = sol.above.as_ref().unwrap();
    assert!((above.value - 1.10).abs() < 1e-9 && !above.met);
    assert!(sol.sure, "{sol:?}");
    // 17 candidate values: at most ceil(log2(16)) + 2 = 6 runs.
    assert!(sol.search_runs <= 6, "{}", sol.search_runs);
}
