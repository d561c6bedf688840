//! Bundled scenarios, with their sources.
//!
//! | name | what it is |
//! | --- | --- |
//! | `baseline` | the bundled best picture of the transfer (see its file, `examples/scenarios/baseline.toml`) |
//! | `historical_replay` | the first two weeks of the transfer, to compare with the reported arrivals |
//! | `kut_overflow` | `baseline` with Kut Central opening, Karkh overflowing into it, domestic cases in the courts and a cassation review (model version 3) |
//! | `plan-2026-01` | the January 2026 transfer plan as announced: 7,000 detainees, Baghdad's pause, Nasiriyah, Hillah and Nineveh as they are, courts at the early pace; two years |
//!
//! Each preset is a commented TOML file under `examples/scenarios/`,
//! which names the source of every value or marks it an assumption; every
//! file there is a preset, runnable by its name (a test checks it).

use super::{Admission, Dist, Facility, Group, Phase, Policy, PosteriorTable, Scenario, Stage};

/// Names of the bundled scenarios, one per file under `examples/scenarios/`.
pub const NAMES: &[&str] = &[
    "baseline",
    "historical_replay",
    "kut_overflow",
    "plan-2026-01",
];

/// The bundled scenario called `name`, if there is one.
pub fn by_name(name: &str) -> Option<Scenario> {
    match name {
        "baseline" => Some(baseline()),
        "plan-2026-01" => Some(plan_2026_01()),
        other => toml_text(other).map(|text| parse_bundled(other, text)),
    }
}

/// The commented TOML file of the bundled scenario called `name`.
pub fn toml_text(name: &str) -> Option<&'static str> {
    match name {
        "baseline" => Some(BASELINE_TOML),
        "historical_replay" => Some(HISTORICAL_REPLAY_TOML),
        "kut_overflow" => Some(KUT_OVERFLOW_TOML),
        "plan-2026-01" => Some(PLAN_2026_01_TOML),
        _ => None,
    }
}

const BASELINE_TOML: &str = include_str!("../../examples/scenarios/baseline.toml");
/// The `[uncertainty] posterior` file of `baseline`, beside it.
const BASELINE_POSTERIOR_CSV: &str =
    include_str!("../../examples/scenarios/baseline-posterior.csv");
const HISTORICAL_REPLAY_TOML: &str =
    include_str!("../../examples/scenarios/historical_replay.toml");
const KUT_OVERFLOW_TOML: &str = include_str!("../../examples/scenarios/kut_overflow.toml");
const PLAN_2026_01_TOML: &str = include_str!("../../examples/scenarios/plan-2026-01.toml");

/// Parses a bundled file. The tests parse every one, so a failure here is
/// a bug of the crate, not of its input.
fn parse_bundled(name: &str, text: &str) -> Scenario {
    match Scenario::from_toml_str(text) {
        Ok(s) => s,
        Err(e) => panic!("bug: the bundled scenario {name:?} is invalid: {e}"),
    }
}

/// The `baseline` scenario: `examples/scenarios/baseline.toml`, parsed,
/// with its `[uncertainty] posterior` (`baseline-posterior.csv` beside
/// it) loaded, as [`Scenario::from_path`] would load the file.
///
/// Model version 3: groups by state as the Justice Ministry's list gives
/// them (minors on their own route), repatriation per state as reported,
/// a cassation review before a judgment is final, and every value no
/// source fixes drawn per replication from a range in `[uncertainty]`
/// (Karkh's capacity and population before the transfer, the courts'
/// throughput and other caseload, the death-sentence share, ...). The
/// transfer's pace is calibrated: its posterior draws are the
/// `posterior` table.
///
/// It has five named variants ([`Scenario::with_variant`]), each value
/// sourced in the file: `low` (5,640 moved, Hillah at 1,200), `central`
/// (the baseline as it is), `high` (Nineveh at 6,000),
/// `syrian_handover` (Syrians handed to Damascus after their
/// investigation) and `kut` (Kut Central opens on 1 Jun 2026 and takes
/// Karkh's convicts above its beds).
///
/// # Panics
///
/// Never: the bundled files are valid (a test checks them).
///
/// # Example
///
/// ```
/// let s = custody_sim::presets::baseline();
/// assert_eq!(s.name, "baseline");
/// assert!(s.validate().is_ok());
/// // The calibrated transfer pace comes with it, as joint draws.
/// let u = s.uncertainty.as_ref().unwrap();
/// assert!(u.posterior_table.as_ref().is_some_and(|t| !t.rows.is_empty()));
/// ```
pub fn baseline() -> Scenario {
    let mut s = parse_bundled("baseline", BASELINE_TOML);
    if let Some(u) = s.uncertainty.as_mut() {
        match PosteriorTable::from_csv_str(BASELINE_POSTERIOR_CSV, "baseline-posterior.csv") {
            Ok(t) => u.posterior_table = Some(t),
            Err(e) => panic!("bug: the bundled baseline's posterior is invalid: {e}"),
        }
    }
    s
}

/// The version 2 baseline, frozen byte for byte in
/// `tests/integration/fixtures/baseline-v2.toml`: the unit tests written
/// against its stages (trial second, the investigation's schedule up to
/// 6,000, no capacity rule) run it, as the golden snapshot does.
#[cfg(test)]
pub(crate) fn baseline_v2() -> Scenario {
    parse_bundled(
        "baseline-v2",
        include_str!("../../tests/integration/fixtures/baseline-v2.toml"),
    )
}

/// The `plan-2026-01` scenario: the transfer plan as announced in January
/// 2026, as the reporting of January and February 2026 describes it (the
/// `baseline` of version 1). Built in Rust; equal to
/// `examples/scenarios/plan-2026-01.toml` (a test checks it).
///
/// Sourced: 7,000 detainees (about 2,000 Iraqi), the first convoy of 150 on
/// 21 January 2026, the pause Baghdad asked for (days 9 to 16), convoys of
/// 5 to 7 buses once or twice a day, the three named prisons' capacities
/// and populations, investigations of about 150 days at about 20 files a
/// day, trials of minutes, 95% convictions.
///
/// Assumptions (levers to vary): the split of the 5,000 foreign detainees
/// into groups and every repatriation rule; transit times; the escape
/// process; the timing of the 2,304 new beds (day 120); the rise of the
/// investigation pace to about 45 files a day from day 30.
///
/// # Example
///
/// ```
/// let s = custody_sim::presets::plan_2026_01();
/// assert_eq!(s.total_detainees(), 7000);
/// assert!(s.validate().is_ok());
/// ```
pub fn plan_2026_01() -> Scenario {
    let earliest = 130.0;
    Scenario::builder("plan-2026-01", 730)
        .start_date("2026-01-21")
        .transit_days(Dist::uniform(0.5, 1.5))
        .admission(Admission::Unlimited)
        .pause(9.0, 16.0)
        .phase(Phase::new(
            0.0,
            Dist::fixed(3.0),
            Dist::uniform_int(100, 200),
        ))
        .phase(Phase::new(
            16.0,
            Dist::uniform(0.5, 1.0),
            Dist::uniform_int(200, 280),
        ))
        .escape(1.0 / 60.0, 0.01)
        .group(Group::new("Iraqi", 2000))
        .group(Group::new("Willing states", 1500).with_repatriation(
            0.6,
            Dist::lognormal(180.0, 90.0),
            earliest,
        ))
        .group(Group::new("Syrian", 2000).with_repatriation(
            0.2,
            Dist::lognormal(240.0, 120.0),
            earliest,
        ))
        .group(Group::new("Western", 500).with_repatriation(
            0.05,
            Dist::lognormal(365.0, 180.0),
            earliest,
        ))
        .group(Group::new("Other", 1000).with_repatriation(
            0.2,
            Dist::lognormal(270.0, 135.0),
            earliest,
        ))
        .facility(
            Facility::new("Nasiriyah", 6000)
                .with_initial_occupancy(14000)
                .with_expansion(120.0, 2304),
        )
        .facility(Facility::new("Hillah", 750).with_initial_occupancy(1500))
        .facility(Facility::new("Nineveh", 2500).with_initial_occupancy(4500))
        .allocation(Policy::LeastOccupied, None)
        .conviction_probability(0.95)
        .convicted_facility("Nasiriyah")
        .stage(
            Stage::new("investigation", 3000, Dist::lognormal(150.0, 30.0)).with_change(30.0, 6750),
        )
        .stage(Stage::new("trial", 15, Dist::exponential(0.5)))
        .build_unchecked()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_files_parse_and_the_plan_equals_its_rust_preset() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/scenarios");
        for name in NAMES {
            // Read as a file, its `posterior` loaded from beside it.
            let from_file = Scenario::from_path(format!("{dir}/{name}.toml")).unwrap();
            assert_eq!(from_file, by_name(name).unwrap(), "preset {name}");
            assert_eq!(&from_file.name, name, "a preset's name is its own");
        }
        let plan = Scenario::from_toml_str(PLAN_2026_01_TOML).unwrap();
        assert_eq!(plan, plan_2026_01());
    }

    #[test]
    fn every_file_under_examples_scenarios_is_a_preset() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/scenarios");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".toml"))
            .map(|f| f.trim_end_matches(".toml").to_string())
            .collect();
        files.sort();
        let mut names: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
        names.sort();
        assert_eq!(files, names);
        for name in NAMES {
            let path = format!("{dir}/{name}.toml");
            assert_eq!(
                std::fs::read_to_string(&path).unwrap(),
                toml_text(name).unwrap(),
                "{path}"
            );
        }
    }

    #[test]
    fn presets_round_trip_through_toml() {
        for name in NAMES {
            let s = by_name(name).unwrap();
            let mut back = Scenario::from_toml_str(&s.to_toml_string()).unwrap();
            // The posterior's rows are not written back to TOML (its file
            // name is): carry them over as loading the file would.
            if let (Some(u), Some(b)) = (&s.uncertainty, back.uncertainty.as_mut()) {
                b.posterior_table.clone_from(&u.posterior_table);
            }
            assert_eq!(back, s, "preset {name}");
        }
    }

    #[test]
    fn the_baseline_carries_its_calibrated_posterior() {
        let s = baseline();
        let t = s
            .uncertainty
            .as_ref()
            .and_then(|u| u.posterior_table.as_ref())
            .expect("a posterior table");
        // The transfer's paces and the death-sentence share, drawn jointly.
        for path in [
            "transfer.phase[1].interval_days.value",
            "transfer.phase[3].from",
            "court.sentence[death].probability",
            "court.sentence[term].probability",
        ] {
            assert!(t.columns.iter().any(|c| c == path), "{path}");
        }
        // Every row keeps the sentence shares summing to 1.
        let d = t
            .columns
            .iter()
            .position(|c| c == "court.sentence[death].probability");
        let m = t
            .columns
            .iter()
            .position(|c| c == "court.sentence[term].probability");
        let life = 0.433;
        for r in &t.rows {
            let sum = r[d.unwrap()] + r[m.unwrap()] + life;
            assert!((sum - 1.0).abs() < 1e-9, "{sum}");
        }
    }
}
