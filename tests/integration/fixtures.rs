//! Shared test fixtures: the scenarios that recur across the test files,
//! each written once.
//!
//! - Presets cut short ([`baseline_days`], [`plan_days`]) and written to
//!   a scratch file ([`write_scenario`]).
//! - The scenario files the repository keeps ([`BASELINE_V2`], [`SMALL`]).
//! - The parts of a hand-built scenario ([`header`], [`one_phase`],
//!   [`group`], [`facility`], [`HOLDING_COURT`], [`SURE_COURT`],
//!   [`stage`]) and the one that recurs whole: Poisson arrivals into one
//!   ample facility and a court whose stages are queues
//!   ([`poisson_court`], an M/M/c court with one exponential stage).
//!
//! Every hand-built scenario starts on [`START_DATE`], and its one
//! transfer phase runs from day 0.

use custody_sim::{Scenario, presets};

use crate::cli::Scratch;

/// The version 2 baseline, frozen byte for byte (`fixtures/baseline-v2.toml`):
/// a realistic scenario file with no `posterior` file beside it, for the
/// loader's tests that parse and mutate text.
pub(crate) const BASELINE_V2: &str = include_str!("fixtures/baseline-v2.toml");

/// The small scenario of the fuzzing seeds (60 days).
pub(crate) const SMALL: &str = include_str!("../../fuzz/seeds/small.toml");

/// The start date of every hand-built scenario.
pub(crate) const START_DATE: &str = "2026-01-21";

/// The bundled baseline (version 3, its posterior loaded) over `days`
/// days.
pub(crate) fn baseline_days(days: u32) -> Scenario {
    presets::baseline()
        .with_param("horizon_days", &days.to_string())
        .unwrap()
}

/// The frozen version 2 baseline ([`BASELINE_V2`], no `[uncertainty]`)
/// over `days` days: for the tests of mechanisms written against it.
pub(crate) fn baseline_v2_days(days: u32) -> Scenario {
    Scenario::from_toml_str(BASELINE_V2)
        .unwrap()
        .with_param("horizon_days", &days.to_string())
        .unwrap()
}

/// The January plan (the version 1 baseline) over `days` days.
pub(crate) fn plan_days(days: u32) -> Scenario {
    presets::plan_2026_01()
        .with_param("horizon_days", &days.to_string())
        .unwrap()
}

/// Writes `s` as TOML to `dir/name`; gives the path as a command-line
/// argument. A `[uncertainty] posterior` file it names (the bundled
/// baseline's `baseline-posterior.csv`) is copied beside it from
/// `examples/scenarios/`, where the bundled posteriors live, unless the
/// test wrote one of that name in `dir` already.
pub(crate) fn write_scenario(dir: &Scratch, name: &str, s: &Scenario) -> String {
    std::fs::write(dir.path(name), s.to_toml_string()).unwrap();
    if let Some(f) = s.uncertainty.as_ref().and_then(|u| u.posterior.as_ref())
        && !dir.path(f).exists()
    {
        let from = format!("{}/examples/scenarios/{f}", env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(&from, dir.path(f)).unwrap_or_else(|e| panic!("{from}: {e}"));
    }
    dir.arg(name)
}

/// `{ dist = "fixed", value = V }`.
pub(crate) fn fixed(value: f64) -> String {
    format!("{{ dist = \"fixed\", value = {value:e} }}")
}

/// `{ dist = "exponential", mean = M }`.
pub(crate) fn exponential(mean: f64) -> String {
    format!("{{ dist = \"exponential\", mean = {mean:e} }}")
}

/// The opening keys: `name`, `start_date` ([`START_DATE`]) and
/// `horizon_days`.
pub(crate) fn header(name: &str, horizon: u32) -> String {
    format!("\nname = \"{name}\"\nstart_date = \"{START_DATE}\"\nhorizon_days = {horizon}\n")
}

/// `[transfer]` with `transit_days` and one phase from day 0, each a
/// `dist` table in TOML inline form.
pub(crate) fn one_phase(transit: &str, interval: &str, convoy: &str) -> String {
    format!(
        "\n[transfer]\ntransit_days = {transit}\n\n[[transfer.phase]]\nfrom = 0.0\n\
         interval_days = {interval}\nconvoy_size = {convoy}\n"
    )
}

/// A `[[group]]` of `count` detainees; `extra` holds more keys of the
/// table (a `repatriation` table), in TOML, or nothing.
pub(crate) fn group(name: &str, count: u64, extra: &str) -> String {
    format!("[[group]]\nname = \"{name}\"\ncount = {count}\n{extra}\n")
}

/// A `[[facility]]` of `capacity` beds.
pub(crate) fn facility(name: &str, capacity: u64) -> String {
    format!("\n[[facility]]\nname = \"{name}\"\ncapacity = {capacity}\n")
}

/// A court that convicts everyone, without its stages.
pub(crate) const SURE_COURT: &str = "\n[court]\nconviction_probability = 1.0\n";

/// A `[[court.stage]]` of `servers` with `service` (a `dist` table in
/// TOML inline form); `extra` holds more keys (a `schedule`), or nothing.
pub(crate) fn stage(name: &str, servers: u64, service: &str, extra: &str) -> String {
    format!(
        "\n[[court.stage]]\nname = \"{name}\"\nservers = {servers}\nservice_days = {service}\n{extra}\n"
    )
}

/// A court that convicts everyone and keeps them: one stage `trial` of
/// 1000 servers whose service takes 1000 days (fixed), longer than any
/// horizon here. A constant, for format strings; [`holding_court`] for
/// another service time.
pub(crate) const HOLDING_COURT: &str = r#"
[court]
conviction_probability = 1.0

[[court.stage]]
name = "trial"
servers = 1000
service_days = { dist = "fixed", value = 1000.0 }
"#;

/// [`HOLDING_COURT`] with a service of `service_days` (fixed).
pub(crate) fn holding_court(service_days: f64) -> String {
    format!(
        "{SURE_COURT}{}",
        stage("trial", 1000, &fixed(service_days), "")
    )
}

/// Poisson arrivals of rate `lambda` per day from day 0 (convoys of one
/// at exponential intervals, no transit) of one group `all` of `count`
/// (`repatriation` its table, TOML inline), into one facility `ample` of
/// a billion beds, and a court that convicts everyone: append stages
/// ([`stage`]) to make its queues. With one stage of `c` servers and
/// exponential service, an M/M/c queue.
pub(crate) fn poisson_court(
    name: &str,
    lambda: f64,
    horizon: u32,
    count: u64,
    repatriation: &str,
) -> String {
    format!(
        "{}{}\n{}{}{SURE_COURT}",
        header(name, horizon),
        one_phase(&fixed(0.0), &exponential(1.0 / lambda), &fixed(1.0)),
        group("all", count, &format!("repatriation = {repatriation}")),
        facility("ample", 1_000_000_000),
    )
}

/// Convoys of one detainee at exponential intervals of mean half a day
/// from day 0 (no transit) out of one group `all` of 500, into one
/// facility `ample` of a million beds, held by [`HOLDING_COURT`]: a
/// simulation of `horizon` days takes microseconds, and arrivals by time
/// T are 1 (the departure on day 0, always made) plus a Poisson(2T)
/// count.
pub(crate) fn convoys_of_one(name: &str, horizon: u32) -> Scenario {
    let text = format!(
        "{}{}\n{}{}{HOLDING_COURT}",
        header(name, horizon),
        one_phase(&fixed(0.0), &exponential(0.5), &fixed(1.0)),
        group("all", 500, ""),
        facility("ample", 1_000_000),
    );
    Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// One M/M/c court stage `trial` of one server (the lever) with
/// exponential service of mean 1 day, fed by [`poisson_court`] with no
/// repatriation.
pub(crate) fn mmc_court(name: &str, lambda: f64, horizon: u32, count: u64) -> Scenario {
    let text = format!(
        "{}{}",
        poisson_court(name, lambda, horizon, count, "{ probability = 0.0 }"),
        stage("trial", 1, &exponential(1.0), "")
    );
    Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn fixtures_make_the_scenarios_they_name() {
    let s = mmc_court("mmc", 2.0, 30, 500);
    assert_eq!((s.name.as_str(), s.horizon_days), ("mmc", 30));
    assert_eq!(s.start_date.to_string(), START_DATE);
    assert_eq!(s.total_detainees(), 500);
    assert_eq!(s.transfer.phases[0].interval_days.mean(), 0.5);
    assert_eq!(s.facilities[0].capacity, 1_000_000_000);
    assert_eq!(s.court.stages[0].servers, 1);
    assert_eq!(s.court.conviction_probability, 1.0);
    let s = convoys_of_one("c", 12);
    assert_eq!((s.name.as_str(), s.horizon_days), ("c", 12));
    assert_eq!(s.total_detainees(), 500);
    assert_eq!(s.transfer.phases[0].interval_days.mean(), 0.5);
    assert_eq!(s.facilities[0].capacity, 1_000_000);
    assert_eq!(baseline_days(45).horizon_days, 45);
    assert_eq!(plan_days(45).name, presets::plan_2026_01().name);
    // The frozen version 2 baseline is the file the snapshot runs.
    assert_eq!(
        BASELINE_V2,
        std::fs::read_to_string(crate::snapshot::BASELINE_V2).unwrap()
    );
    assert_eq!(
        Scenario::from_toml_str(BASELINE_V2).unwrap().name,
        "baseline"
    );
    assert!(Scenario::from_toml_str(SMALL).is_ok());
    // The constant court is the function's at 1000 days.
    let court = |c: &str| {
        let text = format!(
            "{}{}\n{}{}{c}",
            header("c", 5),
            one_phase(&fixed(1.0), &fixed(1.0), &fixed(1.0)),
            group("G", 1, ""),
            facility("A", 10)
        );
        Scenario::from_toml_str(&text).unwrap()
    };
    assert_eq!(court(HOLDING_COURT), court(&holding_court(1000.0)));
    assert_eq!(
        court(&holding_court(5.0)).court.stages[0]
            .service_days
            .mean(),
        5.0
    );
}
