//! Inputs: every rule of [`Scenario::validate`] with its exact key path and
//! message, the loader's own errors (syntax, unknown and missing keys, wrong
//! types), parameter paths, the size limits, and inputs that must never
//! panic the loader or the engine (proptest over arbitrary text and over
//! mutations of the bundled baseline).
//!
//! Most tests are tables of edits to one small valid scenario ([`BASE`]):
//! each edit replaces one exact snippet of it, and each row lists every
//! error the edited file must give, as `(path, message)`, in file order.

use custody_sim::{
    Error, Expansion, Facility, Group, Pause, Phase, Plan, Scenario, ScenarioErrors, ServerChange,
    Stage, limits,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// A small valid scenario that uses every feature of the file format.
const BASE: &str = r#"name = "base"
start_date = "2026-01-21"
horizon_days = 60

[transfer]
transit_days = { dist = "uniform", low = 0.5, high = 1.5 }
weekly_cap = 200
admission = "unlimited"
pauses = [ { from = 9.0, to = 16.0 } ]

[[transfer.phase]]
from = 0.0
interval_days = { dist = "fixed", value = 3.0 }
convoy_size = { dist = "uniform_int", low = 10, high = 20 }

[[transfer.phase]]
from = 16.0
interval_days = { dist = "exponential", mean = 1.0 }
convoy_size = { dist = "poisson", mean = 25.0 }

[transfer.escape]
incident_rate_per_day = 0.05
escape_probability = 0.01

[[group]]
name = "Iraqi"
count = 200
repatriation = { probability = 0.0 }

[[group]]
name = "Western"
count = 100
repatriation = { probability = 0.3, delay_days = { dist = "lognormal", mean = 20.0, sd = 5.0 }, earliest_day = 10.0 }

[[facility]]
name = "Nasiriyah"
capacity = 150
initial_occupancy = 100
expansions = [ { day = 30.0, beds = 50 } ]

[[facility]]
name = "Hillah"
capacity = 80

[allocation]
policy = "least_occupied"

[court]
conviction_probability = 0.9
convicted_facility = "Nasiriyah"

[[court.stage]]
name = "investigation"
servers = 20
service_days = { dist = "gamma", mean = 10.0, sd = 3.0 }
schedule = [ { day = 20.0, servers = 40 } ]

[[court.stage]]
name = "trial"
servers = 2
service_days = { dist = "triangular", low = 0.1, mode = 0.5, high = 1.0 }
"#;

/// The bundled baseline scenario file.
use crate::fixtures::BASELINE_V2 as BASELINE;

/// [`BASE`] with each `(old, new)` applied; `old` must occur exactly once
/// in the text as edited so far.
fn patched(edits: &[(&str, &str)]) -> String {
    let mut text = BASE.to_string();
    for (old, new) in edits {
        assert_eq!(
            text.matches(old).count(),
            1,
            "edit target {old:?} must occur exactly once"
        );
        text = text.replacen(old, new, 1);
    }
    text
}

/// The problems of `text`, which must be refused as a scenario (and by
/// the JSON Schema, wherever the reader's types refuse it: see
/// `scenario_schema`).
fn refused(text: &str) -> ScenarioErrors {
    match Scenario::from_toml_str(text) {
        Ok(_) => panic!("accepted, but should be refused:\n{text}"),
        Err(Error::Scenario(e)) => {
            crate::scenario_schema::bad_input(text).unwrap_or_else(|why| panic!("{why}:\n{text}"));
            e
        }
        Err(e) => panic!("expected a scenario error, got {e}"),
    }
}

/// One row of a table: edits to [`BASE`] and every error they must give.
struct Case {
    edits: &'static [(&'static str, &'static str)],
    errors: &'static [(&'static str, &'static str)],
}

/// Checks that `errors` are exactly `want`, in order, and that each is found
/// by [`ScenarioErrors::at`] and displays as `path: message`.
fn same_errors(errors: &ScenarioErrors, want: &[(&str, &str)]) -> Result<(), String> {
    let got: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.path.as_str(), e.message.as_str()))
        .collect();
    if got != want {
        return Err(format!("want {want:#?}\ngot {got:#?}"));
    }
    let text = errors.to_string();
    for &(path, message) in want {
        let first = errors
            .at(path)
            .ok_or_else(|| format!("at({path:?}) found nothing"))?;
        if first.path != path {
            return Err(format!("at({path:?}) returned {first}"));
        }
        let line = if path.is_empty() {
            message.to_string()
        } else {
            format!("{path}: {message}")
        };
        if !text.lines().any(|l| l == line) {
            return Err(format!("display lacks the line {line:?}:\n{text}"));
        }
    }
    Ok(())
}

/// Runs a table, reporting every row that fails, not just the first.
fn check_table(cases: &[Case]) {
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let text = patched(case.edits);
        let result = match Scenario::from_toml_str(&text) {
            Ok(_) => Err("accepted".to_string()),
            Err(Error::Scenario(e)) => same_errors(&e, case.errors),
            Err(e) => Err(format!("not a scenario error: {e}")),
        }
        .and_then(|()| crate::scenario_schema::bad_input(&text));
        if let Err(why) = result {
            failures.push(format!("row {i} {:?}: {why}", case.edits));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Each edit alone must give a scenario that loads, plans and runs.
fn check_accepted(edits: &[&[(&str, &str)]]) {
    for e in edits {
        let text = patched(e);
        let s = Scenario::from_toml_str(&text).unwrap_or_else(|err| panic!("{e:?} refused: {err}"));
        crate::scenario_schema::good_input(&text).unwrap_or_else(|why| panic!("{e:?}: {why}"));
        run_short(&s);
    }
}

/// Plans `s` and runs one replication with every conservation check, after
/// cutting the horizon to 30 days; scenarios of more than 20,000 detainees
/// are only planned.
fn run_short(s: &Scenario) {
    let s = if s.horizon_days > 30 {
        s.with_param("horizon_days", "30")
            .unwrap_or_else(|e| panic!("a shorter horizon must stay valid: {e}"))
    } else {
        s.clone()
    };
    let plan = Plan::new(&s).unwrap_or_else(|e| panic!("a valid scenario must plan: {e}"));
    if s.total_detainees() <= 20_000 {
        let out = plan
            .replicate_checked(11, 0)
            .unwrap_or_else(|e| panic!("{e}"));
        for (name, v) in out.metrics() {
            if let Some(v) = v {
                assert!(v.is_finite(), "{name} = {v}");
            }
        }
    }
}

#[test]
fn base_and_bundled_scenarios_are_valid_and_run() {
    let s = Scenario::from_toml_str(BASE).unwrap();
    crate::scenario_schema::good_input(BASE).unwrap();
    assert_eq!(s.total_detainees(), 300);
    run_short(&s);
    let b = Scenario::from_toml_str(BASELINE).unwrap();
    run_short(&b);
    // What validates writes back to TOML that reads back to the same.
    for s in [s, b] {
        assert_eq!(Scenario::from_toml_str(&s.to_toml_string()).unwrap(), s);
    }
    // Every scenario file shipped under examples/scenarios/.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let s =
                Scenario::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let mut back = Scenario::from_toml_str(&s.to_toml_string()).unwrap();
            // A posterior's rows are not written back to TOML (its file
            // name is): carry them over as loading the file would.
            if let (Some(u), Some(b)) = (&s.uncertainty, back.uncertainty.as_mut()) {
                b.posterior_table.clone_from(&u.posterior_table);
            }
            assert_eq!(back, s);
            run_short(&s);
            seen += 1;
        }
    }
    assert!(seen >= 1, "no scenario files in {}", dir.display());
}

#[test]
fn nan_and_infinities_are_refused_wherever_a_number_goes() {
    check_table(&[
        Case {
            edits: &[("probability = 0.3", "probability = nan")],
            errors: &[(
                "group[1].repatriation.probability",
                "must be a probability between 0 and 1, got NaN",
            )],
        },
        Case {
            edits: &[("earliest_day = 10.0", "earliest_day = -inf")],
            errors: &[(
                "group[1].repatriation.earliest_day",
                "must be a finite number, got -inf",
            )],
        },
        Case {
            edits: &[(
                "conviction_probability = 0.9",
                "conviction_probability = inf",
            )],
            errors: &[(
                "court.conviction_probability",
                "must be a probability between 0 and 1, got inf",
            )],
        },
        Case {
            edits: &[(
                "incident_rate_per_day = 0.05",
                "incident_rate_per_day = nan",
            )],
            errors: &[(
                "transfer.escape.incident_rate_per_day",
                "must be a finite number, got NaN",
            )],
        },
        Case {
            edits: &[("escape_probability = 0.01", "escape_probability = +inf")],
            errors: &[(
                "transfer.escape.escape_probability",
                "must be a probability between 0 and 1, got inf",
            )],
        },
        Case {
            edits: &[("{ from = 9.0, to = 16.0 }", "{ from = nan, to = inf }")],
            errors: &[
                (
                    "transfer.pauses[0].from",
                    "must be a finite number, got NaN",
                ),
                ("transfer.pauses[0].to", "must be a finite number, got inf"),
            ],
        },
        Case {
            edits: &[("from = 16.0", "from = nan")],
            errors: &[("transfer.phase[1].from", "must be a finite number, got NaN")],
        },
        Case {
            edits: &[("day = 30.0", "day = inf")],
            errors: &[(
                "facility[0].expansions[0].day",
                "must be a finite number, got inf",
            )],
        },
        Case {
            edits: &[("day = 20.0", "day = -nan")],
            errors: &[(
                "court.stage[0].schedule[0].day",
                "must be a finite number, got NaN",
            )],
        },
        Case {
            edits: &[("low = 0.5, high = 1.5", "low = -0.5, high = inf")],
            errors: &[
                ("transfer.transit_days.low", "must be at least 0, got -0.5"),
                (
                    "transfer.transit_days.high",
                    "must be a finite number, got inf",
                ),
            ],
        },
        Case {
            edits: &[("low = 0.5, high = 1.5", "low = nan, high = 1.5")],
            errors: &[(
                "transfer.transit_days.low",
                "must be a finite number, got NaN",
            )],
        },
        Case {
            edits: &[(
                "low = 0.1, mode = 0.5, high = 1.0",
                "low = nan, mode = nan, high = nan",
            )],
            errors: &[
                (
                    "court.stage[1].service_days.low",
                    "must be a finite number, got NaN",
                ),
                (
                    "court.stage[1].service_days.mode",
                    "must be a finite number, got NaN",
                ),
                (
                    "court.stage[1].service_days.high",
                    "must be a finite number, got NaN",
                ),
            ],
        },
        Case {
            edits: &[("mean = 20.0, sd = 5.0", "mean = -20.0, sd = -inf")],
            errors: &[
                (
                    "group[1].repatriation.delay_days.mean",
                    "must be greater than 0, got -20",
                ),
                (
                    "group[1].repatriation.delay_days.sd",
                    "must be a finite number, got -inf",
                ),
            ],
        },
        Case {
            edits: &[("mean = 10.0, sd = 3.0", "mean = inf, sd = nan")],
            errors: &[
                (
                    "court.stage[0].service_days.mean",
                    "must be a finite number, got inf",
                ),
                (
                    "court.stage[0].service_days.sd",
                    "must be a finite number, got NaN",
                ),
            ],
        },
        Case {
            edits: &[(
                "{ dist = \"uniform_int\", low = 10, high = 20 }",
                "{ dist = \"fixed\", value = inf }",
            )],
            errors: &[(
                "transfer.phase[0].convoy_size.value",
                "must be a finite number, got inf",
            )],
        },
        Case {
            edits: &[(
                "dist = \"exponential\", mean = 1.0",
                "dist = \"exponential\", mean = inf",
            )],
            errors: &[(
                "transfer.phase[1].interval_days.mean",
                "must be a finite number, got inf",
            )],
        },
        Case {
            edits: &[(
                "dist = \"poisson\", mean = 25.0",
                "dist = \"poisson\", mean = nan",
            )],
            errors: &[(
                "transfer.phase[1].convoy_size.mean",
                "must be a finite number, got NaN",
            )],
        },
    ]);
}

#[test]
fn negatives_and_zeros_are_refused_where_not_allowed() {
    check_table(&[
        Case {
            edits: &[("horizon_days = 60", "horizon_days = 0")],
            errors: &[("horizon_days", "must be at least 1, got 0")],
        },
        Case {
            edits: &[("capacity = 80", "capacity = 0")],
            errors: &[("facility[1].capacity", "must be at least 1, got 0")],
        },
        Case {
            edits: &[("servers = 2\n", "servers = 0\n")],
            errors: &[("court.stage[1].servers", "must be at least 1, got 0")],
        },
        Case {
            edits: &[(
                "incident_rate_per_day = 0.05",
                "incident_rate_per_day = -0.05",
            )],
            errors: &[(
                "transfer.escape.incident_rate_per_day",
                "must be at least 0, got -0.05",
            )],
        },
        Case {
            edits: &[("{ from = 9.0, to = 16.0 }", "{ from = -1.0, to = 16.0 }")],
            errors: &[("transfer.pauses[0].from", "must be at least 0, got -1")],
        },
        Case {
            edits: &[("from = 0.0", "from = -1.0")],
            errors: &[("transfer.phase[0].from", "must be at least 0, got -1")],
        },
        Case {
            edits: &[("day = 20.0", "day = -20.0")],
            errors: &[(
                "court.stage[0].schedule[0].day",
                "must be at least 0, got -20",
            )],
        },
        Case {
            edits: &[("day = 30.0", "day = -0.5")],
            errors: &[(
                "facility[0].expansions[0].day",
                "must be at least 0, got -0.5",
            )],
        },
        Case {
            edits: &[("earliest_day = 10.0", "earliest_day = -1.0")],
            errors: &[(
                "group[1].repatriation.earliest_day",
                "must be at least 0, got -1",
            )],
        },
        Case {
            edits: &[(
                "dist = \"fixed\", value = 3.0",
                "dist = \"fixed\", value = -3.0",
            )],
            errors: &[(
                "transfer.phase[0].interval_days.value",
                "must be at least 0, got -3",
            )],
        },
        Case {
            edits: &[("low = 10, high = 20", "low = -5, high = 10")],
            errors: &[(
                "transfer.phase[0].convoy_size.low",
                "must be at least 0, got -5",
            )],
        },
        Case {
            edits: &[(
                "low = 0.1, mode = 0.5, high = 1.0",
                "low = -1.0, mode = 0.5, high = 1.0",
            )],
            errors: &[(
                "court.stage[1].service_days.low",
                "must be at least 0, got -1",
            )],
        },
        Case {
            edits: &[(
                "dist = \"exponential\", mean = 1.0",
                "dist = \"exponential\", mean = 0.0",
            )],
            errors: &[(
                "transfer.phase[1].interval_days.mean",
                "must be greater than 0, got 0",
            )],
        },
        Case {
            edits: &[(
                "dist = \"poisson\", mean = 25.0",
                "dist = \"poisson\", mean = 0.0",
            )],
            errors: &[(
                "transfer.phase[1].convoy_size.mean",
                "must be greater than 0, got 0",
            )],
        },
        Case {
            edits: &[("mean = 20.0, sd = 5.0", "mean = 20.0, sd = 0.0")],
            errors: &[(
                "group[1].repatriation.delay_days.sd",
                "must be greater than 0, got 0",
            )],
        },
        Case {
            edits: &[("mean = 10.0, sd = 3.0", "mean = 0.0, sd = 3.0")],
            errors: &[(
                "court.stage[0].service_days.mean",
                "must be greater than 0, got 0",
            )],
        },
        // An interval whose mean is 0 would schedule departures forever.
        Case {
            edits: &[(
                "dist = \"fixed\", value = 3.0",
                "dist = \"fixed\", value = 0.0",
            )],
            errors: &[(
                "transfer.phase[0].interval_days",
                "must have a mean above 0 (departures would never end), got 0",
            )],
        },
        Case {
            edits: &[(
                "dist = \"fixed\", value = 3.0",
                "dist = \"uniform_int\", low = 0, high = 0",
            )],
            errors: &[(
                "transfer.phase[0].interval_days",
                "must have a mean above 0 (departures would never end), got 0",
            )],
        },
        Case {
            edits: &[("probability = 0.3", "probability = -0.1")],
            errors: &[(
                "group[1].repatriation.probability",
                "must be a probability between 0 and 1, got -0.1",
            )],
        },
    ]);
}

#[test]
fn zeros_that_mean_something_are_accepted() {
    check_accepted(&[
        &[("low = 0.5, high = 1.5", "low = 0.0, high = 0.0")],
        &[(
            "{ dist = \"uniform\", low = 0.5, high = 1.5 }",
            "{ dist = \"fixed\", value = 0.0 }",
        )],
        &[(
            "{ dist = \"gamma\", mean = 10.0, sd = 3.0 }",
            "{ dist = \"fixed\", value = 0 }",
        )],
        &[(
            "{ dist = \"uniform_int\", low = 10, high = 20 }",
            "{ dist = \"fixed\", value = 0.0 }",
        )],
        &[("weekly_cap = 200", "weekly_cap = 0")],
        &[("count = 100", "count = 0")],
        &[("count = 100", "count = 0"), ("count = 200", "count = 0")],
        &[("servers = 40", "servers = 0")],
        &[(
            "conviction_probability = 0.9",
            "conviction_probability = 0.0",
        )],
        &[("conviction_probability = 0.9", "conviction_probability = 1")],
        &[(
            "incident_rate_per_day = 0.05",
            "incident_rate_per_day = 0.0",
        )],
        &[("escape_probability = 0.01", "escape_probability = 1.0")],
        &[("earliest_day = 10.0", "earliest_day = -0.0")],
        &[("from = 0.0", "from = 5")],
        &[("probability = 0.3", "probability = 1.0")],
        &[("initial_occupancy = 100", "initial_occupancy = 1000000000")],
        &[(
            "probability = 0.0 }",
            "probability = 0.0, delay_days = { dist = \"fixed\", value = 1.0 } }",
        )],
        &[("policy = \"least_occupied\"", "policy = \"fill_in_order\"")],
        &[(
            "policy = \"least_occupied\"",
            "policy = \"proportional\"\nweights = [0.0, 1e-300]",
        )],
        &[(
            "admission = \"unlimited\"",
            "admission = \"up_to_capacity\"",
        )],
        &[(
            "pauses = [ { from = 9.0, to = 16.0 } ]",
            "pauses = [ { from = 0.0, to = 1e300 }, { from = 2.0, to = 3.0 } ]",
        )],
        &[("from = 16.0", "from = 1e300")],
        &[("start_date = \"2026-01-21\"", "start_date = \"2024-02-29\"")],
        // A bare TOML date reads as the same date.
        &[("start_date = \"2026-01-21\"", "start_date = 2026-01-21")],
        &[("horizon_days = 60", "horizon_days = 1")],
        &[("low = 0.5, high = 1.5", "low = 1.5, high = 1.5")],
        &[(
            "{ dist = \"uniform_int\", low = 10, high = 20 }",
            "{ dist = \"uniform_int\", low = 0, high = 1000000000000 }",
        )],
        &[(
            "{ dist = \"uniform_int\", low = 10, high = 20 }",
            "{ dist = \"fixed\", value = 1e12 }",
        )],
        // At the cap on distribution parameters, a triangular still draws
        // finite times (see the fuzz regression below).
        &[(
            "{ dist = \"fixed\", value = 3.0 }",
            "{ dist = \"triangular\", low = 0.0, mode = 0.0, high = 1e12 }",
        )],
        &[("low = 0.5, high = 1.5", "low = 0.0, high = 1e12")],
    ]);
}

/// Found by the `perturb_and_simulate` fuzz target: a `triangular` with a
/// huge `high` passed validation, then its sampler computed
/// `high - sqrt(inf)` and drew `-inf`, and a departure was scheduled at
/// `-inf` (a panic with debug assertions, a silently lost timetable
/// without). Every distribution parameter is now at most `Dist::MAX_VALUE`.
/// Spreads so extreme that the samplers would degenerate (nearly every
/// draw 0, or no sampler at all) are refused, never silently replaced by
/// a fixed value.
#[test]
fn extreme_spreads_are_refused_rather_than_sampled_as_fixed() {
    check_table(&[
        Case {
            edits: &[("mean = 20.0, sd = 5.0", "mean = 1e-300, sd = 1e12")],
            errors: &[(
                "group[1].repatriation.delay_days.sd",
                "must be at most 100 times the mean (1e-300), got 1e12",
            )],
        },
        Case {
            edits: &[("mean = 10.0, sd = 3.0", "mean = 1.0, sd = 100.5")],
            errors: &[(
                "court.stage[0].service_days.sd",
                "must be at most 100 times the mean (1e0), got 1.005e2",
            )],
        },
        Case {
            edits: &[("mean = 10.0, sd = 3.0", "mean = 1e12, sd = 1e-200")],
            errors: &[(
                "court.stage[0].service_days",
                "these parameters cannot be sampled: scale is not positive in gamma distribution",
            )],
        },
    ]);
    // At the limit a gamma still samples.
    check_accepted(&[&[("mean = 10.0, sd = 3.0", "mean = 1.0, sd = 100.0")]]);
}

#[test]
fn fuzz_regression_huge_distribution_parameters_are_refused() {
    assert_eq!(custody_sim::Dist::MAX_VALUE, 1e12);
    check_table(&[
        Case {
            edits: &[(
                "{ dist = \"fixed\", value = 3.0 }",
                "{ dist = \"triangular\", low = 0.0, mode = 0.0, high = 1e200 }",
            )],
            errors: &[(
                "transfer.phase[0].interval_days.high",
                "must be at most 1e12, got 1e200",
            )],
        },
        Case {
            edits: &[(
                "low = 0.1, mode = 0.5, high = 1.0",
                "low = 0.1, mode = 2e12, high = 3e12",
            )],
            errors: &[
                (
                    "court.stage[1].service_days.mode",
                    "must be at most 1e12, got 2e12",
                ),
                (
                    "court.stage[1].service_days.high",
                    "must be at most 1e12, got 3e12",
                ),
            ],
        },
        Case {
            edits: &[("low = 0.5, high = 1.5", "low = 1e13, high = 1e308")],
            errors: &[
                (
                    "transfer.transit_days.low",
                    "must be at most 1e12, got 1e13",
                ),
                (
                    "transfer.transit_days.high",
                    "must be at most 1e12, got 1e308",
                ),
            ],
        },
        Case {
            edits: &[(
                "{ dist = \"uniform_int\", low = 10, high = 20 }",
                "{ dist = \"fixed\", value = 1.5e12 }",
            )],
            errors: &[(
                "transfer.phase[0].convoy_size.value",
                "must be at most 1e12, got 1.5e12",
            )],
        },
        Case {
            edits: &[("low = 10, high = 20", "low = 0, high = 9223372036854775807")],
            errors: &[(
                "transfer.phase[0].convoy_size.high",
                "must be at most 1e12, got 9223372036854775807",
            )],
        },
        Case {
            edits: &[("mean = 20.0, sd = 5.0", "mean = 1e-300, sd = 1e300")],
            errors: &[(
                "group[1].repatriation.delay_days.sd",
                "must be at most 1e12, got 1e300",
            )],
        },
        Case {
            edits: &[("mean = 10.0, sd = 3.0", "mean = 1e200, sd = 1e-200")],
            errors: &[(
                "court.stage[0].service_days.mean",
                "must be at most 1e12, got 1e200",
            )],
        },
        Case {
            edits: &[(
                "dist = \"exponential\", mean = 1.0",
                "dist = \"exponential\", mean = 1e100",
            )],
            errors: &[(
                "transfer.phase[1].interval_days.mean",
                "must be at most 1e12, got 1e100",
            )],
        },
        Case {
            edits: &[(
                "dist = \"poisson\", mean = 25.0",
                "dist = \"poisson\", mean = 2e13",
            )],
            errors: &[(
                "transfer.phase[1].convoy_size.mean",
                "must be at most 1e12, got 2e13",
            )],
        },
    ]);
}

#[test]
fn reversed_ranges_are_refused() {
    check_table(&[
        Case {
            edits: &[("low = 0.5, high = 1.5", "low = 2.5, high = 1.5")],
            errors: &[(
                "transfer.transit_days.high",
                "must be at least low (2.5), got 1.5",
            )],
        },
        Case {
            edits: &[("low = 10, high = 20", "low = 20, high = 10")],
            errors: &[(
                "transfer.phase[0].convoy_size.high",
                "must be at least low (20), got 10",
            )],
        },
        Case {
            edits: &[(
                "low = 0.1, mode = 0.5, high = 1.0",
                "low = 0.1, mode = 1.5, high = 1.0",
            )],
            errors: &[(
                "court.stage[1].service_days.mode",
                "must lie between low (0.1) and high (1), got 1.5",
            )],
        },
        Case {
            edits: &[(
                "low = 0.1, mode = 0.5, high = 1.0",
                "low = 0.1, mode = 0.05, high = 1.0",
            )],
            errors: &[(
                "court.stage[1].service_days.mode",
                "must lie between low (0.1) and high (1), got 0.05",
            )],
        },
        Case {
            edits: &[(
                "low = 0.1, mode = 0.5, high = 1.0",
                "low = 0.1, mode = 0.1, high = 0.1",
            )],
            errors: &[(
                "court.stage[1].service_days.high",
                "must be greater than low (0.1), got 0.1",
            )],
        },
        Case {
            edits: &[(
                "low = 0.1, mode = 0.5, high = 1.0",
                "low = 1.0, mode = 0.5, high = 0.1",
            )],
            errors: &[(
                "court.stage[1].service_days.high",
                "must be greater than low (1), got 0.1",
            )],
        },
        Case {
            edits: &[("{ from = 9.0, to = 16.0 }", "{ from = 9.0, to = 5.0 }")],
            errors: &[("transfer.pauses[0].to", "must be after from (9), got 5")],
        },
        Case {
            edits: &[("{ from = 9.0, to = 16.0 }", "{ from = 9.0, to = 9.0 }")],
            errors: &[("transfer.pauses[0].to", "must be after from (9), got 9")],
        },
        Case {
            edits: &[(
                "{ from = 9.0, to = 16.0 }",
                "{ from = 1.0, to = 2.0 }, { from = 9.0, to = 8.0 }",
            )],
            errors: &[("transfer.pauses[1].to", "must be after from (9), got 8")],
        },
        Case {
            edits: &[("from = 16.0\n", "from = 0.0\n")],
            errors: &[(
                "transfer.phase[1].from",
                "phases must be in increasing order of from: must be after phase[0].from (0), got 0",
            )],
        },
        Case {
            edits: &[("from = 0.0\n", "from = 20.0\n")],
            errors: &[(
                "transfer.phase[1].from",
                "phases must be in increasing order of from: must be after phase[0].from (20), got 16",
            )],
        },
    ]);
}

#[test]
fn unknown_and_missing_keys_are_refused_with_their_path() {
    check_table(&[
        Case {
            edits: &[("horizon_days = 60", "horizon_days = 60\nseed = 3")],
            errors: &[(
                "seed",
                "unknown field `seed`, expected one of `name`, `start_date`, `horizon_days`, `transfer`, `group`, `facility`, `allocation`, `court`, `custody`, `relocation`, `release`, `uncertainty`, `variant`",
            )],
        },
        Case {
            edits: &[("servers = 20\n", "servers = 20\njudges = 3\n")],
            errors: &[(
                "court.stage[0].judges",
                "unknown field `judges`, expected one of `name`, `servers`, `service_days`, `schedule`, `other_cases`",
            )],
        },
        Case {
            edits: &[(
                "escape_probability = 0.01",
                "escape_probability = 0.01\nsites = 4",
            )],
            errors: &[(
                "transfer.escape.sites",
                "unknown field `sites`, expected `incident_rate_per_day` or `escape_probability`",
            )],
        },
        Case {
            edits: &[(
                "repatriation = { probability = 0.0 }",
                "repatriation = { probability = 0.0, quotas = 5 }",
            )],
            errors: &[(
                "group[0].repatriation.quotas",
                "unknown field `quotas`, expected one of `probability`, `delay_days`, `earliest_day`, `eligible_after`, `after_conviction`, `quota`",
            )],
        },
        Case {
            edits: &[(
                "[[court.stage]]\nname = \"trial\"",
                "[[court.stages]]\nname = \"trial\"",
            )],
            errors: &[(
                "court.stages",
                "unknown field `stages`, expected one of `conviction_probability`, `convicted_facility`, `stage`, `sentence`, `appeal`",
            )],
        },
        // Distribution tables: the dist key picks the variant, whose own
        // keys are checked.
        Case {
            edits: &[("dist = \"gamma\"", "dist = \"weibull\"")],
            errors: &[(
                "court.stage[0].service_days.dist",
                "unknown variant `weibull`, expected one of `fixed`, `exponential`, `uniform`, `uniform_int`, `triangular`, `lognormal`, `gamma`, `poisson`",
            )],
        },
        Case {
            edits: &[(
                "mean = 10.0, sd = 3.0",
                "mean = 10.0, sd = 3.0, shape = 2.0",
            )],
            errors: &[(
                "court.stage[0].service_days.shape",
                "unknown field `shape`, expected `mean` or `sd`",
            )],
        },
        Case {
            edits: &[("mean = 10.0, sd = 3.0", "mean = 10.0")],
            errors: &[("court.stage[0].service_days", "missing field `sd`")],
        },
        Case {
            edits: &[(
                "dist = \"gamma\", mean = 10.0, sd = 3.0",
                "mean = 10.0, sd = 3.0",
            )],
            errors: &[("court.stage[0].service_days", "missing field `dist`")],
        },
        Case {
            edits: &[("policy = \"least_occupied\"", "policy = \"random\"")],
            errors: &[(
                "allocation.policy",
                "unknown variant `random`, expected one of `least_occupied`, `proportional`, `fill_in_order`",
            )],
        },
        Case {
            edits: &[("admission = \"unlimited\"", "admission = \"maybe\"")],
            errors: &[(
                "transfer.admission",
                "unknown variant `maybe`, expected `unlimited` or `up_to_capacity`",
            )],
        },
        Case {
            edits: &[("horizon_days = 60\n", "")],
            errors: &[("", "missing field `horizon_days`")],
        },
        Case {
            edits: &[("name = \"Iraqi\"\n", "")],
            errors: &[("group[0]", "missing field `name`")],
        },
        Case {
            edits: &[("capacity = 80\n", "")],
            errors: &[("facility[1]", "missing field `capacity`")],
        },
        Case {
            edits: &[("conviction_probability = 0.9\n", "")],
            errors: &[("court", "missing field `conviction_probability`")],
        },
        Case {
            edits: &[("policy = \"least_occupied\"", "weights = [1.0, 1.0]")],
            errors: &[("allocation", "missing field `policy`")],
        },
    ]);
}

#[test]
fn values_of_the_wrong_type_are_refused_with_their_path() {
    check_table(&[
        Case {
            edits: &[("horizon_days = 60", "horizon_days = \"sixty\"")],
            errors: &[(
                "horizon_days",
                "invalid type: string \"sixty\", expected u32",
            )],
        },
        Case {
            edits: &[("horizon_days = 60", "horizon_days = 60.5")],
            errors: &[(
                "horizon_days",
                "invalid type: floating point `60.5`, expected u32",
            )],
        },
        Case {
            edits: &[("horizon_days = 60", "horizon_days = -1")],
            errors: &[("horizon_days", "must be a non-negative integer, got -1")],
        },
        Case {
            edits: &[("horizon_days = 60", "horizon_days = 4294967296")],
            errors: &[(
                "horizon_days",
                "invalid value: integer `4294967296`, expected u32",
            )],
        },
        Case {
            edits: &[("weekly_cap = 200", "weekly_cap = \"x\"")],
            errors: &[(
                "transfer.weekly_cap",
                "invalid type: string \"x\", expected u64",
            )],
        },
        Case {
            edits: &[("count = 100", "count = -1")],
            errors: &[("group[1].count", "must be a non-negative integer, got -1")],
        },
        Case {
            edits: &[("count = 100", "count = nan")],
            errors: &[(
                "group[1].count",
                "invalid type: floating point `NaN`, expected u64",
            )],
        },
        Case {
            edits: &[("probability = 0.3", "probability = \"high\"")],
            errors: &[(
                "group[1].repatriation.probability",
                "invalid type: string \"high\", expected f64",
            )],
        },
        Case {
            edits: &[("name = \"Hillah\"", "name = 3")],
            errors: &[(
                "facility[1].name",
                "invalid type: integer `3`, expected a string",
            )],
        },
        Case {
            edits: &[("low = 10, high = 20", "low = 1.5, high = 20")],
            errors: &[(
                "transfer.phase[0].convoy_size.low",
                "invalid type: floating point `1.5`, expected i64",
            )],
        },
        Case {
            edits: &[("servers = 2\n", "servers = true\n")],
            errors: &[(
                "court.stage[1].servers",
                "invalid type: boolean `true`, expected u64",
            )],
        },
        Case {
            edits: &[(
                "pauses = [ { from = 9.0, to = 16.0 } ]",
                "pauses = { from = 9.0, to = 16.0 }",
            )],
            errors: &[("transfer.pauses", "invalid type: map, expected a sequence")],
        },
    ]);
}

#[test]
fn start_dates_must_be_real_calendar_days() {
    let mut cases = Vec::new();
    for bad in [
        "2026-02-30",
        "2025-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-01-00",
        "26-01-21",
        "2026/01/21",
        "2026-1-21",
        "",
        "yesterday",
        "２０２６-01-21",
    ] {
        let text = patched(&[(
            "start_date = \"2026-01-21\"",
            &format!("start_date = {bad:?}"),
        )]);
        cases.push((text, format!("must be a date YYYY-MM-DD, got {bad:?}")));
    }
    let text = patched(&[(
        "start_date = \"2026-01-21\"",
        "start_date = 2026-01-21T10:00:00",
    )]);
    cases.push((
        text,
        "must be a date YYYY-MM-DD, got \"2026-01-21T10:00:00\"".into(),
    ));
    for (text, message) in cases {
        let e = refused(&text);
        same_errors(&e, &[("start_date", &message)]).unwrap_or_else(|why| panic!("{why}"));
    }
}

#[test]
fn names_must_be_unique_usable_in_paths_and_known() {
    check_table(&[
        Case {
            edits: &[("name = \"Hillah\"", "name = \"Nasiriyah\"")],
            errors: &[("facility[1].name", "duplicate name \"Nasiriyah\"")],
        },
        Case {
            edits: &[("name = \"trial\"", "name = \"investigation\"")],
            errors: &[("court.stage[1].name", "duplicate name \"investigation\"")],
        },
        Case {
            edits: &[("name = \"Western\"", "name = \"Iraqi\"")],
            errors: &[("group[1].name", "duplicate name \"Iraqi\"")],
        },
        // A group and a facility may share a name: they never meet in a path.
        Case {
            edits: &[
                ("name = \"Western\"", "name = \"Hillah\""),
                ("capacity = 80", "capacity = 0"),
            ],
            errors: &[("facility[1].capacity", "must be at least 1, got 0")],
        },
        Case {
            edits: &[("name = \"Hillah\"", "name = \"Hil.lah\"")],
            errors: &[(
                "facility[1].name",
                "must not contain '.' (names are used in metric names and parameter paths), got \"Hil.lah\"",
            )],
        },
        Case {
            edits: &[("name = \"Hillah\"", "name = \"Hil[lah\"")],
            errors: &[(
                "facility[1].name",
                "must not contain '[' (names are used in metric names and parameter paths), got \"Hil[lah\"",
            )],
        },
        Case {
            edits: &[("name = \"trial\"", "name = \"trial]\"")],
            errors: &[(
                "court.stage[1].name",
                "must not contain ']' (names are used in metric names and parameter paths), got \"trial]\"",
            )],
        },
        Case {
            edits: &[("name = \"Western\"", "name = \"a=b\"")],
            errors: &[(
                "group[1].name",
                "must not contain '=' (names are used in metric names and parameter paths), got \"a=b\"",
            )],
        },
        Case {
            edits: &[("name = \"Western\"", "name = \"a,b\"")],
            errors: &[(
                "group[1].name",
                "must not contain ',' (names are used in metric names and parameter paths), got \"a,b\"",
            )],
        },
        Case {
            edits: &[("name = \"Western\"", "name = \"West\\tern\"")],
            errors: &[(
                "group[1].name",
                "must not contain the control character '\\t', got \"West\\tern\"",
            )],
        },
        Case {
            edits: &[("name = \"Hillah\"", "name = \"123\"")],
            errors: &[(
                "facility[1].name",
                "must not be only digits (it would read as an index), got \"123\"",
            )],
        },
        Case {
            edits: &[("name = \"Hillah\"", "name = \"\"")],
            errors: &[("facility[1].name", "must not be empty")],
        },
        Case {
            edits: &[("name = \"trial\"", "name = \"   \"")],
            errors: &[("court.stage[1].name", "must not be empty")],
        },
        Case {
            edits: &[("name = \"Hillah\"", "name = \" Hillah\"")],
            errors: &[(
                "facility[1].name",
                "must not start or end with spaces, got \" Hillah\"",
            )],
        },
        Case {
            edits: &[(
                "convicted_facility = \"Nasiriyah\"",
                "convicted_facility = \"Karkh\"",
            )],
            errors: &[(
                "court.convicted_facility",
                "names no facility, got \"Karkh\"",
            )],
        },
        Case {
            edits: &[(
                "convicted_facility = \"Nasiriyah\"",
                "convicted_facility = \"nasiriyah\"",
            )],
            errors: &[(
                "court.convicted_facility",
                "names no facility, got \"nasiriyah\"",
            )],
        },
    ]);
}

#[test]
fn allocation_weights_must_match_the_facilities_and_the_policy() {
    const PROP: &str = "policy = \"least_occupied\"";
    check_table(&[
        Case {
            edits: &[(PROP, "policy = \"proportional\"")],
            errors: &[(
                "allocation.weights",
                "is required with policy \"proportional\" (one weight per facility)",
            )],
        },
        Case {
            edits: &[(PROP, "policy = \"proportional\"\nweights = [1.0]")],
            errors: &[(
                "allocation.weights",
                "must have one weight per facility (2), got 1",
            )],
        },
        Case {
            edits: &[(PROP, "policy = \"proportional\"\nweights = [1.0, 2.0, 3.0]")],
            errors: &[(
                "allocation.weights",
                "must have one weight per facility (2), got 3",
            )],
        },
        Case {
            edits: &[(PROP, "policy = \"proportional\"\nweights = []")],
            errors: &[(
                "allocation.weights",
                "must have one weight per facility (2), got 0",
            )],
        },
        Case {
            edits: &[(PROP, "policy = \"proportional\"\nweights = [1.0, -1.0]")],
            errors: &[(
                "allocation.weights[1]",
                "must be a finite number at least 0, got -1",
            )],
        },
        Case {
            edits: &[(PROP, "policy = \"proportional\"\nweights = [0.0, 0.0]")],
            errors: &[("allocation.weights", "must not all be 0")],
        },
        Case {
            edits: &[(PROP, "policy = \"proportional\"\nweights = [nan, inf]")],
            errors: &[
                (
                    "allocation.weights[0]",
                    "must be a finite number at least 0, got NaN",
                ),
                (
                    "allocation.weights[1]",
                    "must be a finite number at least 0, got inf",
                ),
            ],
        },
        // Each weight finite, but their sum too large for the sampler: the
        // policy would silently fall back to least_occupied.
        Case {
            edits: &[(PROP, "policy = \"proportional\"\nweights = [1e308, 1e308]")],
            errors: &[(
                "allocation.weights",
                "must add up to at most 1e300, got inf",
            )],
        },
        Case {
            edits: &[(
                PROP,
                "policy = \"proportional\"\nweights = [1.7976931348623157e308, 0.0]",
            )],
            errors: &[(
                "allocation.weights",
                "must add up to at most 1e300, got 1.7976931348623157e308",
            )],
        },
        Case {
            edits: &[(PROP, "policy = \"proportional\"\nweights = [1, \"x\"]")],
            errors: &[(
                "allocation.weights[1]",
                "invalid type: string \"x\", expected f64",
            )],
        },
        Case {
            edits: &[(PROP, "weights = [1.0, 1.0]\npolicy = \"least_occupied\"")],
            errors: &[(
                "allocation.weights",
                "is only used with policy \"proportional\", but policy is \"least_occupied\"",
            )],
        },
        Case {
            edits: &[(PROP, "policy = \"fill_in_order\"\nweights = [1.0, 1.0]")],
            errors: &[(
                "allocation.weights",
                "is only used with policy \"proportional\", but policy is \"fill_in_order\"",
            )],
        },
    ]);
}

#[test]
fn repatriation_and_probabilities_are_checked() {
    check_table(&[
        Case {
            edits: &[(
                "probability = 0.3, delay_days = { dist = \"lognormal\", mean = 20.0, sd = 5.0 }, ",
                "probability = 0.3, ",
            )],
            errors: &[(
                "group[1].repatriation.delay_days",
                "is required when probability is above 0 (probability is 0.3)",
            )],
        },
        Case {
            edits: &[("probability = 0.3", "probability = 1.5")],
            errors: &[(
                "group[1].repatriation.probability",
                "must be a probability between 0 and 1, got 1.5",
            )],
        },
        Case {
            edits: &[(
                "conviction_probability = 0.9",
                "conviction_probability = -0.01",
            )],
            errors: &[(
                "court.conviction_probability",
                "must be a probability between 0 and 1, got -0.01",
            )],
        },
        Case {
            edits: &[("escape_probability = 0.01", "escape_probability = 2")],
            errors: &[(
                "transfer.escape.escape_probability",
                "must be a probability between 0 and 1, got 2",
            )],
        },
        Case {
            edits: &[(
                "escape_probability = 0.01",
                "escape_probability = 1.0000000000000002",
            )],
            errors: &[(
                "transfer.escape.escape_probability",
                "must be a probability between 0 and 1, got 1.0000000000000002",
            )],
        },
    ]);
}

#[test]
fn sizes_beyond_the_documented_limits_are_refused() {
    assert_eq!(limits::MAX_HORIZON_DAYS, 36_500);
    assert_eq!(limits::MAX_DETAINEES, 2_000_000);
    assert_eq!(limits::MAX_BEDS, 1_000_000_000);
    assert_eq!(limits::MAX_SERVERS, 1_000_000_000);
    assert_eq!(limits::MAX_EXPECTED_EVENTS, 1e7);
    check_table(&[
        Case {
            edits: &[("horizon_days = 60", "horizon_days = 36501")],
            errors: &[(
                "horizon_days",
                "must be at most 36500 (horizon limit), got 36501",
            )],
        },
        Case {
            edits: &[("count = 100", "count = 2000001")],
            errors: &[(
                "group[1].count",
                "must be at most 2000000 (detainee limit), got 2000001",
            )],
        },
        Case {
            edits: &[("count = 100", "count = 1999801")],
            errors: &[(
                "group",
                "counts add up to 2000001, more than the limit of 2000000 detainees",
            )],
        },
        Case {
            edits: &[
                ("count = 100", "count = 9223372036854775807"),
                ("count = 200", "count = 9223372036854775807"),
            ],
            errors: &[
                (
                    "group[0].count",
                    "must be at most 2000000 (detainee limit), got 9223372036854775807",
                ),
                (
                    "group[1].count",
                    "must be at most 2000000 (detainee limit), got 9223372036854775807",
                ),
            ],
        },
        Case {
            edits: &[("servers = 2\n", "servers = 1000000001\n")],
            errors: &[(
                "court.stage[1].servers",
                "must be at most 1000000000 (server limit), got 1000000001",
            )],
        },
        Case {
            edits: &[("servers = 40", "servers = 1000000001")],
            errors: &[(
                "court.stage[0].schedule[0].servers",
                "must be at most 1000000000 (server limit), got 1000000001",
            )],
        },
        Case {
            edits: &[("capacity = 80", "capacity = 1000000001")],
            errors: &[(
                "facility[1].capacity",
                "must be at most 1000000000 (bed limit), got 1000000001",
            )],
        },
        Case {
            edits: &[("initial_occupancy = 100", "initial_occupancy = 1000000001")],
            errors: &[(
                "facility[0].initial_occupancy",
                "must be at most 1000000000 (bed limit), got 1000000001",
            )],
        },
        Case {
            edits: &[("beds = 50", "beds = 1000000001")],
            errors: &[(
                "facility[0].expansions[0].beds",
                "must be at most 1000000000 (bed limit), got 1000000001",
            )],
        },
        // Phase 1 runs from day 16 to the horizon (day 60): 44 days.
        Case {
            edits: &[(
                "dist = \"exponential\", mean = 1.0",
                "dist = \"exponential\", mean = 1e-9",
            )],
            errors: &[(
                "transfer.phase[1].interval_days",
                "mean 1e-9 gives about 4.400e10 departures, more than the limit of 1e7",
            )],
        },
        // Phase 0 ends where phase 1 starts (day 16).
        Case {
            edits: &[(
                "dist = \"fixed\", value = 3.0",
                "dist = \"fixed\", value = 1e-6",
            )],
            errors: &[(
                "transfer.phase[0].interval_days",
                "mean 1e-6 gives about 1.600e7 departures, more than the limit of 1e7",
            )],
        },
        // Each phase within the limit, both together beyond it.
        Case {
            edits: &[
                (
                    "dist = \"fixed\", value = 3.0",
                    "dist = \"fixed\", value = 2.5e-6",
                ),
                (
                    "dist = \"exponential\", mean = 1.0",
                    "dist = \"exponential\", mean = 6.25e-6",
                ),
            ],
            errors: &[(
                "transfer.phase",
                "phases give about 13440000 departures in all, more than the limit of 1e7",
            )],
        },
        Case {
            edits: &[(
                "incident_rate_per_day = 0.05",
                "incident_rate_per_day = 1e6",
            )],
            errors: &[(
                "transfer.escape.incident_rate_per_day",
                "gives about 6.000e7 incidents, more than the limit of 1e7",
            )],
        },
        Case {
            edits: &[(
                "dist = \"poisson\", mean = 25.0",
                "dist = \"poisson\", mean = 2e9",
            )],
            errors: &[(
                "transfer.phase[1].convoy_size.mean",
                "must be at most 1e9, got 2000000000",
            )],
        },
    ]);
    // At the limits: accepted (only planned, not run).
    for edits in [
        &[("horizon_days = 60", "horizon_days = 36500")][..],
        &[("count = 100", "count = 1999800")],
        &[
            ("servers = 2\n", "servers = 1000000000\n"),
            ("capacity = 80", "capacity = 1000000000"),
        ],
        &[(
            "dist = \"poisson\", mean = 25.0",
            "dist = \"poisson\", mean = 1e9",
        )],
    ] {
        let s =
            Scenario::from_toml_str(&patched(edits)).unwrap_or_else(|e| panic!("{edits:?}: {e}"));
        Plan::new(&s).unwrap();
    }
}

#[test]
fn list_lengths_beyond_the_limits_are_refused() {
    let base = Scenario::from_toml_str(BASE).unwrap();
    let refuse = |s: Scenario, path: &str, message: String| {
        let e = s.validate().unwrap_err();
        same_errors(&e, &[(path, &message)]).unwrap_or_else(|why| panic!("{why}"));
    };
    let n = limits::MAX_LIST + 1;

    let mut s = base.clone();
    s.transfer.pauses = vec![
        Pause {
            from: 9.0.into(),
            to: 16.0.into()
        };
        n
    ];
    refuse(
        s,
        "transfer.pauses",
        format!(
            "has {n} entries, more than the limit of {}",
            limits::MAX_LIST
        ),
    );

    let mut s = base.clone();
    s.facilities[0].expansions = vec![
        Expansion {
            day: 1.0.into(),
            beds: 1
        };
        n
    ];
    refuse(
        s,
        "facility[0].expansions",
        format!(
            "has {n} entries, more than the limit of {}",
            limits::MAX_LIST
        ),
    );

    let mut s = base.clone();
    s.court.stages[1].schedule = vec![
        ServerChange {
            day: 1.0.into(),
            servers: 1
        };
        n
    ];
    refuse(
        s,
        "court.stage[1].schedule",
        format!(
            "has {n} entries, more than the limit of {}",
            limits::MAX_LIST
        ),
    );

    let mut s = base.clone();
    let p = s.transfer.phases[1];
    s.transfer.phases = (0..n)
        .map(|i| Phase {
            from: (i as f64).into(),
            ..p
        })
        .collect();
    refuse(
        s,
        "transfer.phase",
        format!(
            "has {n} entries, more than the limit of {}",
            limits::MAX_LIST
        ),
    );

    let mut s = base.clone();
    let g = limits::MAX_GROUPS + 1;
    s.groups = (0..g).map(|i| Group::new(format!("g{i}"), 1)).collect();
    refuse(
        s,
        "group",
        format!(
            "has {g} entries, more than the limit of {}",
            limits::MAX_GROUPS
        ),
    );

    let mut s = base.clone();
    let f = limits::MAX_FACILITIES + 1;
    s.facilities = (0..f).map(|i| Facility::new(format!("f{i}"), 1)).collect();
    s.court.convicted_facility = None;
    refuse(
        s,
        "facility",
        format!(
            "has {f} entries, more than the limit of {}",
            limits::MAX_FACILITIES
        ),
    );

    let mut s = base.clone();
    let k = limits::MAX_STAGES + 1;
    s.court.stages = (0..k)
        .map(|i| Stage::new(format!("s{i}"), 1, custody_sim::Dist::fixed(1.0)))
        .collect();
    refuse(
        s,
        "court.stage",
        format!(
            "has {k} entries, more than the limit of {}",
            limits::MAX_STAGES
        ),
    );

    // And none at all.
    let mut s = base.clone();
    s.transfer.phases.clear();
    s.groups.clear();
    s.facilities.clear();
    s.court.stages.clear();
    s.court.convicted_facility = None;
    let e = s.validate().unwrap_err();
    same_errors(
        &e,
        &[
            ("transfer.phase", "at least one phase is required"),
            ("group", "at least one group is required"),
            ("facility", "at least one facility is required"),
            ("court.stage", "at least one stage is required"),
        ],
    )
    .unwrap_or_else(|why| panic!("{why}"));
}

#[test]
fn validate_reports_every_problem_at_once_in_file_order() {
    let text = patched(&[
        ("horizon_days = 60", "horizon_days = 0"),
        ("low = 0.5, high = 1.5", "low = 2.5, high = 1.5"),
        ("probability = 0.3", "probability = 1.5"),
        ("name = \"Hillah\"", "name = \"Nasiriyah\""),
        ("capacity = 80", "capacity = 0"),
        (
            "convicted_facility = \"Nasiriyah\"",
            "convicted_facility = \"Karkh\"",
        ),
        ("servers = 2\n", "servers = 0\n"),
    ]);
    let e = refused(&text);
    same_errors(
        &e,
        &[
            ("horizon_days", "must be at least 1, got 0"),
            (
                "transfer.transit_days.high",
                "must be at least low (2.5), got 1.5",
            ),
            (
                "group[1].repatriation.probability",
                "must be a probability between 0 and 1, got 1.5",
            ),
            ("facility[1].name", "duplicate name \"Nasiriyah\""),
            ("facility[1].capacity", "must be at least 1, got 0"),
            (
                "court.convicted_facility",
                "names no facility, got \"Karkh\"",
            ),
            ("court.stage[1].servers", "must be at least 1, got 0"),
        ],
    )
    .unwrap_or_else(|why| panic!("{why}"));
    assert_eq!(
        e.to_string().lines().last(),
        Some("court.stage[1].servers: must be at least 1, got 0")
    );
    // The same problems through the crate's error type.
    let err = Error::from(e.clone());
    assert_eq!(err.to_string(), e.to_string());
}

#[test]
fn broken_toml_names_line_and_column() {
    check_table(&[
        Case {
            edits: &[("horizon_days = 60", "horizon_days = 60\nhorizon_days = 61")],
            errors: &[("", "invalid TOML (line 4, column 1): duplicate key")],
        },
        Case {
            edits: &[("horizon_days = 60", "horizon_days = = 60")],
            errors: &[(
                "",
                "invalid TOML (line 3, column 16): extra `=`, expected nothing",
            )],
        },
        Case {
            edits: &[("[allocation]", "[allocation")],
            errors: &[(
                "",
                "invalid TOML (line 45, column 12): unclosed table, expected `]`",
            )],
        },
    ]);
    for text in ["", " \n\t\n", "# only a comment\n"] {
        let e = refused(text);
        same_errors(
            &e,
            &[
                ("", "missing field `name`"),
                ("", "missing field `start_date`"),
                ("", "missing field `horizon_days`"),
                ("", "missing field `transfer`"),
                ("", "missing field `group`"),
                ("", "missing field `facility`"),
                ("", "missing field `court`"),
            ],
        )
        .unwrap_or_else(|why| panic!("{text:?}: {why}"));
    }
    let e = refused("name = \"x\"\nstart_date = \"2026-01-21\nhorizon_days = 3\n");
    let first = e.iter().next().unwrap();
    assert_eq!(first.path, "");
    assert!(
        first.message.starts_with("invalid TOML (line 2, column "),
        "{first}"
    );
}

/// A small deterministic generator for the garbage test (xorshift64*).
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

#[test]
fn binary_garbage_is_refused_without_panicking() {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for i in 0..200 {
        let len = (xorshift(&mut state) % 4096) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| xorshift(&mut state) as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        match Scenario::from_toml_str(&text) {
            Err(Error::Scenario(e)) => {
                assert!(e.iter().next().is_some(), "case {i}: an empty error list")
            }
            Err(e) => panic!("case {i}: not a scenario error: {e}"),
            Ok(_) => panic!("case {i}: garbage accepted"),
        }
    }
    // Garbage appended to a valid file is refused too, naming a line.
    let mut text = BASE.to_string();
    text.push_str("\u{0}\u{fffd}\u{7f}[[");
    let e = refused(&text);
    assert!(e.to_string().starts_with("invalid TOML (line "), "{e}");
}

#[test]
fn parameter_paths_name_what_is_wrong() {
    let s = Scenario::from_toml_str(BASE).unwrap();
    let cases: &[(&str, &str, &str, &str)] = &[
        ("", "3", "", "empty parameter path"),
        (
            "court..x",
            "3",
            "court..x",
            "malformed parameter path: bad key \"\"",
        ),
        (
            "court.stage[1",
            "3",
            "court.stage[1",
            "malformed parameter path: unclosed or stray bracket in \"stage[1\"",
        ),
        (
            "court.stage]1[",
            "3",
            "court.stage]1[",
            "malformed parameter path: bad key \"stage]1[\"",
        ),
        (
            "court.stage[].servers",
            "3",
            "court.stage[].servers",
            "malformed parameter path: empty []",
        ),
        (
            "group[99999999999999999999999].count",
            "3",
            "group[99999999999999999999999].count",
            "index 99999999999999999999999 is too large",
        ),
        (
            "court.stage[appeal].servers",
            "3",
            "court.stage[appeal].servers",
            "court.stage[appeal]: no item named \"appeal\" (names: investigation, trial)",
        ),
        (
            "group[9].count",
            "3",
            "group[9].count",
            "group[9]: index out of range (the list has 2 items)",
        ),
        (
            "horizon_days.x",
            "3",
            "horizon_days.x",
            "horizon_days: not a table, cannot take key \"x\"",
        ),
        (
            "group.count",
            "3",
            "group.count",
            "group: not a table, cannot take key \"count\"",
        ),
        (
            "transfer[0]",
            "3",
            "transfer[0]",
            "transfer: not a list, cannot take [0]",
        ),
        (
            "transfer[x]",
            "3",
            "transfer[x]",
            "transfer: not a list, cannot take [x]",
        ),
        (
            "group[0].repatriation.delay_days.mean",
            "3",
            // A table left out is created; this one then lacks its kind.
            "group[0].repatriation.delay_days",
            "missing field `dist`",
        ),
        (
            "court.judges",
            "3",
            "court.judges",
            "unknown field `judges`, expected one of `conviction_probability`, `convicted_facility`, `stage`, `sentence`, `appeal`",
        ),
        // Wrong types, reported at the path as the user wrote it.
        (
            "court.stage[trial].servers",
            "many",
            "court.stage[trial].servers",
            "invalid type: string \"many\", expected u64",
        ),
        (
            "horizon_days",
            "1e3",
            "horizon_days",
            "invalid type: floating point `1000.0`, expected u32",
        ),
        (
            "allocation.policy",
            "random",
            "allocation.policy",
            "unknown variant `random`, expected one of `least_occupied`, `proportional`, `fill_in_order`",
        ),
        // Values that break a rule.
        (
            "court.stage[trial].servers",
            "0",
            "court.stage[trial].servers",
            "must be at least 1, got 0",
        ),
        (
            "group[Western].repatriation.probability",
            "nan",
            "group[Western].repatriation.probability",
            "must be a probability between 0 and 1, got NaN",
        ),
        (
            "facility[Hillah].name",
            "\"Nasiriyah\"",
            "facility[Hillah].name",
            "duplicate name \"Nasiriyah\"",
        ),
        (
            "allocation.policy",
            "proportional",
            "allocation.weights",
            "is required with policy \"proportional\" (one weight per facility)",
        ),
        (
            "transfer.transit_days",
            "{ dist = \"uniform\", low = 2.0, high = 1.0 }",
            "transfer.transit_days.high",
            "must be at least low (2), got 1",
        ),
    ];
    let mut failures = Vec::new();
    for &(path, value, want_path, want_message) in cases {
        match s.with_param(path, value) {
            Ok(_) => failures.push(format!("{path} = {value}: accepted")),
            Err(Error::Scenario(e)) => {
                if let Err(why) = same_errors(&e, &[(want_path, want_message)]) {
                    failures.push(format!("{path} = {value}: {why}"));
                }
            }
            Err(e) => failures.push(format!("{path} = {value}: not a scenario error: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));

    // Good paths, by name and by index, with bare strings and tables.
    let t = s.with_param("court.stage[trial].servers", "7").unwrap();
    assert_eq!(t.court.stages[1].servers, 7);
    let t = s.with_param("allocation.policy", "fill_in_order").unwrap();
    assert_eq!(t.allocation.policy, custody_sim::Policy::FillInOrder);
    let t = s
        .with_param(
            "group[0].repatriation.delay_days",
            "{ dist = \"fixed\", value = 5.0 }",
        )
        .unwrap();
    assert_eq!(
        t.groups[0].repatriation.delay_days,
        Some(custody_sim::Dist::fixed(5.0))
    );
    // The original is untouched.
    assert_eq!(s, Scenario::from_toml_str(BASE).unwrap());
}

#[test]
fn a_missing_file_is_an_io_error_naming_the_path() {
    let path = std::env::temp_dir().join("custody-sim-no-such-dir-4f1c/none.toml");
    match Scenario::from_path(&path) {
        Err(Error::Io { path: p, source }) => {
            assert_eq!(p, path);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            let text = Error::Io { path: p, source }.to_string();
            assert!(text.starts_with(&format!("{}: ", path.display())), "{text}");
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
    // A directory is not a file either.
    assert!(matches!(
        Scenario::from_path(std::env::temp_dir()),
        Err(Error::Io { .. })
    ));
    // The bundled file loads from its path, its posterior from beside it.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let s = Scenario::from_path(dir.join("examples/scenarios/baseline.toml")).unwrap();
    assert_eq!(s, custody_sim::presets::baseline());
}

#[test]
fn the_rust_api_is_held_to_the_same_rules() {
    let mut s = Scenario::from_toml_str(BASE).unwrap();
    s.transfer.weekly_cap = Some(u64::MAX);
    s.groups.push(Group::new("Iraqi", 1));
    s.facilities[1].initial_occupancy = u64::MAX;
    s.court.stages[0].schedule.push(ServerChange {
        day: f64::NAN.into(),
        servers: 1,
    });
    let e = s.validate().unwrap_err();
    same_errors(
        &e,
        &[
            ("transfer.weekly_cap", "must be at most 9223372036854775807 (file format integer limit), got 18446744073709551615"),
            ("group[2].name", "duplicate name \"Iraqi\""),
            ("facility[1].initial_occupancy", "must be at most 1000000000 (bed limit), got 18446744073709551615"),
            ("court.stage[0].schedule[1].day", "must be a finite number, got NaN"),
        ],
    )
    .unwrap_or_else(|why| panic!("{why}"));
    let err = Plan::new(&s).unwrap_err();
    assert!(matches!(err, Error::Scenario(_)));
    assert!(custody_sim::simulate(&s, 1).is_err());
}

/// A number as TOML writes it (`nan`, `inf`, `-inf`, otherwise Rust's
/// round-trip form, which TOML reads).
fn toml_float(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{x:?}")
    }
}

/// A number to write over another one: floats and integers of every size.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f64>().prop_map(toml_float),
        any::<i64>().prop_map(|i| i.to_string()),
        (-10.0f64..1000.0).prop_map(toml_float),
        (-100i64..10_000).prop_map(|i| i.to_string()),
        prop::sample::select(vec![
            "0",
            "-1",
            "1",
            "0.0",
            "-0.0",
            "nan",
            "inf",
            "-inf",
            "1e308",
            "5e-324",
            "1e-300",
            "9223372036854775807",
            "-9223372036854775808",
            "2000001",
            "36501",
            "1000000001",
            "1e9",
        ])
        .prop_map(String::from),
    ]
}

/// One change to a scenario file.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the n-th number (modulo their count) with a text.
    Number(usize, String),
    /// Delete the n-th line (modulo their count).
    Delete(usize),
    /// Duplicate the n-th line (modulo their count).
    Duplicate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<usize>(), number_text()).prop_map(|(i, s)| Mutation::Number(i, s)),
        1 => any::<usize>().prop_map(Mutation::Delete),
        1 => any::<usize>().prop_map(Mutation::Duplicate),
    ]
}

/// Byte ranges of the numbers in `text` (digits with an optional sign,
/// point, exponent or underscores), outside identifiers.
fn numbers(text: &str) -> Vec<std::ops::Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts =
            b[i].is_ascii_digit() || (b[i] == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit));
        let inside_word = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if starts && !inside_word {
            let start = i;
            i += 1;
            while i < b.len()
                && (b[i].is_ascii_digit()
                    || matches!(b[i], b'.' | b'e' | b'E' | b'+' | b'-' | b'_'))
            {
                i += 1;
            }
            out.push(start..i);
        } else {
            i += 1;
        }
    }
    out
}

fn mutate(base: &str, mutations: &[Mutation]) -> String {
    let mut text = base.to_string();
    for m in mutations {
        match m {
            Mutation::Number(n, new) => {
                let spots = numbers(&text);
                if !spots.is_empty() {
                    text.replace_range(spots[n % spots.len()].clone(), new);
                }
            }
            Mutation::Delete(n) | Mutation::Duplicate(n) => {
                let mut lines: Vec<&str> = text.lines().collect();
                if lines.is_empty() {
                    continue;
                }
                let k = n % lines.len();
                if matches!(m, Mutation::Delete(_)) {
                    lines.remove(k);
                } else {
                    lines.insert(k, lines[k]);
                }
                text = lines.join("\n");
            }
        }
    }
    text
}

/// Loads `text`; whatever it is, no panic, and what loads runs.
fn load_and_run(text: &str) {
    if let Ok(s) = Scenario::from_toml_str(text) {
        let back = Scenario::from_toml_str(&s.to_toml_string())
            .unwrap_or_else(|e| panic!("round trip refused: {e}"));
        assert_eq!(back, s, "round trip changed the scenario");
        run_short(&s);
    }
}

fn config(cases: u32, seed: u64) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(2048, 0x5eed_0001))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        load_and_run(&text);
    }

    #[test]
    fn toml_like_text_never_panics(text in "[a-z_\\[\\]{}=.,\"0-9 \n+-]{0,300}") {
        load_and_run(&text);
    }
}

proptest! {
    #![proptest_config(config(512, 0x5eed_0002))]

    #[test]
    fn mutated_baseline_never_panics(ms in prop::collection::vec(mutation(), 1..6)) {
        load_and_run(&mutate(BASELINE, &ms));
    }

    #[test]
    fn mutated_base_never_panics(ms in prop::collection::vec(mutation(), 1..6)) {
        load_and_run(&mutate(BASE, &ms));
    }
}

/// The mutation tests are not vacuous: a fair share of mutated files still
/// load, so the engine really runs on odd but valid values.
#[test]
fn many_mutated_files_still_load_and_run() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::new(config(1, 0x5eed_0003));
    let strategy = prop::collection::vec(mutation(), 1..4);
    for (base, name) in [(BASELINE, "baseline"), (BASE, "base")] {
        let mut valid = 0;
        for _ in 0..300 {
            let ms = strategy.new_tree(&mut runner).unwrap().current();
            let text = mutate(base, &ms);
            if Scenario::from_toml_str(&text).is_ok() {
                valid += 1;
            }
            load_and_run(&text);
        }
        assert!(
            valid >= 30,
            "{name}: only {valid} of 300 mutated files load"
        );
    }
}

#[test]
fn number_finder_sees_every_number_of_the_base() {
    let found: Vec<&str> = numbers(BASE).into_iter().map(|r| &BASE[r]).collect();
    assert!(found.contains(&"2026-01-21"));
    for n in [
        "60", "0.5", "1.5", "200", "9.0", "16.0", "10", "20", "25.0", "0.05", "0.01", "0.3", "150",
        "80",
    ] {
        assert!(found.contains(&n), "{n} not found in {found:?}");
    }
    assert_eq!(
        mutate("a = 1\nb = 2", &[Mutation::Number(1, "-3".into())]),
        "a = 1\nb = -3"
    );
    assert_eq!(
        mutate("a = 1\nb = 2", &[Mutation::Duplicate(1)]),
        "a = 1\nb = 2\nb = 2"
    );
    assert_eq!(mutate("a = 1\nb = 2", &[Mutation::Delete(2)]), "b = 2");
}
