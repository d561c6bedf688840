//! Test builds only: the shortcuts a [`Plan`] takes for simple scenarios
//! (`plain_departures`, `plain_arrival`, `uniform_pool`) give exactly the
//! results of the general code they skip.

use super::plan::Plan;
use crate::scenario::Scenario;

/// A scenario simple enough for every shortcut: one facility, one group,
/// no pauses, caps, deaths, background or repatriation delays; `transit`
/// is the transit time's distribution (zero transit runs an arrival
/// inside its departure, a positive one through the calendar), `extra`
/// is appended (more groups, escapes).
fn simple(transit: &str, extra: &str) -> Scenario {
    Scenario::from_toml_str(&format!(
        r#"
name = "simple"
start_date = "2026-01-21"
horizon_days = 120
[transfer]
transit_days = {transit}
[[transfer.phase]]
from = 0.0
interval_days = {{ dist = "exponential", mean = 0.5 }}
convoy_size = {{ dist = "uniform_int", low = 1, high = 6 }}
[[group]]
name = "A"
count = 700
[[facility]]
name = "only"
capacity = 400
initial_occupancy = 50
[court]
conviction_probability = 0.7
[[court.stage]]
name = "investigation"
servers = 3
service_days = {{ dist = "exponential", mean = 0.6 }}
[[court.stage]]
name = "trial"
servers = 2
service_days = {{ dist = "gamma", mean = 0.5, sd = 0.3 }}
{extra}
"#
    ))
    .expect("the test scenario is valid")
}

/// The plan of `scenario` with every shortcut turned off.
fn general(plan: &Plan) -> Plan {
    let mut g = plan.clone();
    g.plain_departures = false;
    g.plain_arrival = None;
    g.uniform_pool = false;
    g
}

/// The outcome's values (as bits, so that equal means identical) and
/// series.
fn bits(plan: &Plan, index: u64) -> (Vec<Option<u64>>, Vec<u32>) {
    let out = plan.replicate(11, index);
    let values = out.values().iter().map(|v| v.map(f64::to_bits)).collect();
    let series = (0..out.layout().series().len())
        .flat_map(|i| out.series_at(i).to_vec())
        .collect();
    (values, series)
}

#[test]
fn shortcuts_give_the_general_results() {
    let zero = r#"{ dist = "fixed", value = 0.0 }"#;
    let some = r#"{ dist = "uniform", low = 0.1, high = 0.4 }"#;
    let two_groups = "[[group]]\nname = \"B\"\ncount = 300\n";
    let escapes = "[transfer.escape]\nincident_rate_per_day = 0.2\nescape_probability = 0.01\n";
    let one_of_two = "[[facility]]\nname = \"second\"\ncapacity = 100\n[allocation]\npolicy = \"fill_in_order\"\nfacilities = [\"only\"]\n";
    for (what, scenario, uniform) in [
        ("no transit", simple(zero, ""), true),
        ("transit", simple(some, ""), true),
        ("two groups, no transit", simple(zero, two_groups), false),
        ("escapes, transit", simple(some, escapes), true),
        (
            "a second facility, not receiving",
            simple(zero, one_of_two),
            true,
        ),
    ] {
        let plan = Plan::new(&scenario).expect("valid");
        // The shortcuts are taken, else the comparison says nothing.
        assert!(plan.plain_departures, "{what}");
        assert!(plan.plain_arrival.is_some(), "{what}");
        assert_eq!(plan.uniform_pool, uniform, "{what}");
        let slow = general(&plan);
        for index in 0..4 {
            let fast = bits(&plan, index);
            assert!(fast.0.iter().flatten().count() > 0, "{what}: no values");
            assert_eq!(fast, bits(&slow, index), "{what}, replication {index}");
        }
    }
}

/// A scenario with anything more to do on arrival takes the general path.
#[test]
fn arrivals_that_do_more_take_the_general_path() {
    let zero = r#"{ dist = "fixed", value = 0.0 }"#;
    for extra in [
        "[[facility]]\nname = \"second\"\ncapacity = 100\n",
        "[custody]\nmortality_per_year = 0.01\n",
        "[[group]]\nname = \"B\"\ncount = 10\nrepatriation = { probability = 0.5, delay_days = { dist = \"fixed\", value = 30.0 } }\n",
        "[[facility]]\nname = \"more\"\ncapacity = 100\nbackground = { admissions_per_day = 1.0, mean_stay_days = 30.0 }\n[allocation]\npolicy = \"least_occupied\"\nfacilities = [\"only\"]\n",
    ] {
        let plan = Plan::new(&simple(zero, extra)).expect("valid");
        assert!(plan.plain_arrival.is_none(), "{extra}");
    }
}
