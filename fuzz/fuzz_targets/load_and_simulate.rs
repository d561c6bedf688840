//! Fuzz target: any bytes, read as (lossy) UTF-8 scenario text, must load
//! or be refused with an error, never panic; a scenario that loads must
//! write back to equal TOML, plan, and run one replication with every
//! conservation law holding.
//!
//! Large scenarios are skipped or shrunk (at most 5,000 detainees, horizon
//! at most 400 days) to keep each input fast.

#![no_main]

use custody_sim::Scenario;
use libfuzzer_sys::fuzz_target;

#[path = "check.rs"]
mod check;

/// Most detainees simulated per input.
const MAX_DETAINEES: u64 = 5_000;
/// Longest horizon simulated per input [days].
const MAX_HORIZON: u32 = 400;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(scenario) = Scenario::from_toml_str(&text) else {
        return;
    };
    check::round_trip_and_simulate(scenario, MAX_DETAINEES, MAX_HORIZON);
});
