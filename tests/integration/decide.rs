//! Decision support on the model: Sobol indices, tornado, solve on an
//! M/M/c queue (Erlang C), compare against a sweep.

use custody_sim::decide::{Param, SobolOptions, sobol_model};
use custody_sim::{Dist, presets};

/// A parameter that cannot touch a metric has indices of exactly 0:
/// with common random numbers `f(AB_i) = f(A)` replication by replication
/// (Hillah's beds change where detainees sleep, not the national court
/// queue). The trial panels drive the trial wait.
#[test]
fn sobol_on_the_model_separates_a_lever_from_a_bystander() {
    let params = [
        Param::new("court.stage[trial].servers", Dist::uniform_int(10, 40)),
        Param::new("facility[Hillah].capacity", Dist::uniform_int(500, 3000)),
    ];
    let opts = SobolOptions {
        base_samples: 64,
        bootstrap: 200,
        seed: 3,
        threads: 0,
    };
    let metrics = [
        "stage.trial.mean_wait_days",
        "facility.Hillah.days_over_capacity",
    ];
    let r = sobol_model(&presets::baseline(), &params, &metrics, &opts).unwrap();
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
        &presets::baseline(),
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
        threads: 0,
    };
    let s = presets::baseline();
    let bad = [Param::new(
        "court.stage[appeal].servers",
        Dist::uniform_int(1, 3),
    )];
    let e = sobol_model(&s, &bad, &["escaped"], &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("court.stage[appeal].servers"), "{e}");
    let ok = [Param::new(
        "court.stage[trial].servers",
        Dist::uniform_int(1, 3),
    )];
    let e = sobol_model(&s, &ok, &["no_such_metric"], &opts)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("no_such_metric: no such metric"), "{e}");
}
