//! Fuzz target: any bytes, read as (lossy) UTF-8 scenario text, must load
//! or be refused with an error, never panic; a scenario that loads must
//! write back to equal TOML, plan, and run one replication with every
//! conservation law holding.
//!
//! Large scenarios are skipped or shrunk (at most 5,000 detainees, horizon
//! at most 400 days) to keep each input fast.

#![no_main]

use custody_sim::{Plan, Scenario};
use libfuzzer_sys::fuzz_target;

/// Most detainees simulated per input.
const MAX_DETAINEES: u64 = 5_000;
/// Longest horizon simulated per input [days].
const MAX_HORIZON: u32 = 400;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(scenario) = Scenario::from_toml_str(&text) else {
        return;
    };
    // What validates writes back to TOML that reads back to the same.
    let again = Scenario::from_toml_str(&scenario.to_toml_string())
        .expect("a valid scenario's TOML must load");
    assert_eq!(again, scenario, "TOML round trip changed the scenario");

    if scenario.total_detainees() > MAX_DETAINEES {
        return;
    }
    let scenario = if scenario.horizon_days > MAX_HORIZON {
        scenario
            .with_param("horizon_days", &MAX_HORIZON.to_string())
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
});
