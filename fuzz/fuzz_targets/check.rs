//! What every fuzz target checks of a scenario that loaded: it writes back
//! to TOML that reads back equal, and, if small enough (at most
//! `max_detainees`, horizon cut to `max_horizon` days), plans and runs one
//! replication with every conservation law holding and finite metrics.

use custody_sim::{Plan, Scenario};

pub fn round_trip_and_simulate(scenario: Scenario, max_detainees: u64, max_horizon: u32) {
    let again = Scenario::from_toml_str(&scenario.to_toml_string())
        .expect("a valid scenario's TOML must load");
    assert_eq!(again, scenario, "TOML round trip changed the scenario");
    if scenario.total_detainees() > max_detainees {
        return;
    }
    let scenario = if scenario.horizon_days > max_horizon {
        scenario
            .with_param("horizon_days", &max_horizon.to_string())
            .expect("a shorter horizon keeps a valid scenario valid")
    } else {
        scenario
    };
    let plan = Plan::new(&scenario).expect("a valid scenario must plan");
    let outcome = plan
        .replicate_checked(7, 0)
        .expect("conservation must hold");
    for (name, value) in outcome.metrics() {
        if let Some(v) = value {
            assert!(v.is_finite(), "metric {name} = {v}");
        }
    }
}
