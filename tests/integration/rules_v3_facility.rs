//! Capacity over time (docs/model.md, rules 18, 19 and 25): overflow into
//! other prisons, prisons that open later, release orders and a changing
//! background admission rate. Each key is read with its value and refused
//! with its key path; each rule runs on a small scenario with an exact or
//! analytic answer, conservation checked after every event.
//!
//! Statistical checks follow the crate's style: a fixed seed, R
//! replications, and the analytic value inside the run's own interval,
//! mean ± 4.5 standard errors.

use custody_sim::scenario::{Day, PersonKind};
use custody_sim::{Error, Scenario};

/// A valid scenario using every capacity key: Karkh overflows into Kut
/// (which opens on day 10) and Nasiriyah; Kut's background admissions
/// change on day 20; Nasiriyah has an amnesty on day 30.
const V3: &str = r#"name = "v3-capacity"
start_date = "2026-01-21"
horizon_days = 60

[transfer]
transit_days = { dist = "fixed", value = 0.5 }

[[transfer.phase]]
from = 0.0
interval_days = { dist = "fixed", value = 1.0 }
convoy_size = { dist = "fixed", value = 10.0 }

[[group]]
name = "G"
count = 400

[[facility]]
name = "Karkh"
capacity = 100
initial_occupancy = 50
overflow = { above = 1.2, to = ["Kut", "Nasiriyah"], who = "convicted" }

[[facility]]
name = "Kut"
capacity = 200
opens = "2026-01-31"
background = { admissions_per_day = 0.0, mean_stay_days = 900.0, schedule = [ { day = 20, admissions_per_day = 2.0 } ] }

[[facility]]
name = "Nasiriyah"
capacity = 300
initial_occupancy = 400
background = { admissions_per_day = 1.0, mean_stay_days = 400.0 }

[allocation]
policy = "least_occupied"
facilities = ["Karkh"]

[court]
conviction_probability = 1.0

[[court.stage]]
name = "trial"
servers = 5
service_days = { dist = "fixed", value = 2.0 }

[[release]]
day = "2026-02-20"
facility = "Nasiriyah"
count = 100

[[release]]
day = 40
facility = "Karkh"
count = 5
who = "awaiting"
"#;

fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = V3.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "{from:?} not in the scenario");
        text = text.replacen(from, to, 1);
    }
    text
}

/// Every problem of the edited scenario, as (path, message).
fn problems(edits: &[(&str, &str)]) -> Vec<(String, String)> {
    match Scenario::from_toml_str(&edited(edits)) {
        Ok(_) => Vec::new(),
        Err(Error::Scenario(e)) => e
            .iter()
            .map(|e| (e.path.clone(), e.message.clone()))
            .collect(),
        Err(e) => panic!("not a scenario error: {e}"),
    }
}

/// The one problem at `path`, whose message contains `needle`.
fn refused(edits: &[(&str, &str)], path: &str, needle: &str) {
    let all = problems(edits);
    assert!(
        all.iter().any(|(p, m)| p == path && m.contains(needle)),
        "{edits:?}: no problem at {path} containing {needle:?}; got {all:?}"
    );
}

#[test]
fn every_capacity_key_reads_with_its_value() {
    let s = Scenario::from_toml_str(V3).unwrap();
    let karkh = &s.facilities[0];
    let o = karkh.overflow.as_ref().unwrap();
    assert_eq!(o.above, 1.2);
    assert_eq!(o.to, ["Kut", "Nasiriyah"]);
    assert_eq!(o.who, PersonKind::Convicted);
    let kut = &s.facilities[1];
    assert_eq!(s.day(kut.opens.unwrap()), 10.0);
    let b = kut.background.as_ref().unwrap();
    assert_eq!(b.schedule.len(), 1);
    assert_eq!(
        (s.day(b.schedule[0].day), b.schedule[0].admissions_per_day),
        (20.0, 2.0)
    );
    assert_eq!(s.releases.len(), 2);
    assert_eq!(s.day(s.releases[0].day), 30.0);
    assert_eq!(s.releases[0].facility, "Nasiriyah");
    assert_eq!(s.releases[0].count, 100);
    // The default kinds: "background" for a release, "any" for overflow.
    assert_eq!(s.releases[0].who, PersonKind::Background);
    assert_eq!(s.releases[1].who, PersonKind::Awaiting);
    let any = Scenario::from_toml_str(&edited(&[(", who = \"convicted\"", "")])).unwrap();
    assert_eq!(
        any.facilities[0].overflow.as_ref().unwrap().who,
        PersonKind::Any
    );
    // Written back as TOML, it reads the same.
    assert_eq!(Scenario::from_toml_str(&s.to_toml_string()).unwrap(), s);
}

#[test]
fn a_file_without_capacity_keys_writes_none() {
    let mut s = Scenario::from_toml_str(V3).unwrap();
    for f in &mut s.facilities {
        f.overflow = None;
        f.opens = None;
        if let Some(b) = &mut f.background {
            b.schedule.clear();
        }
    }
    s.releases.clear();
    s.facilities[1].initial_occupancy = 0;
    let text = s.to_toml_string();
    for key in ["overflow", "opens", "schedule", "[[release]]"] {
        assert!(!text.contains(key), "{key} written:\n{text}");
    }
}

#[test]
fn each_capacity_key_is_refused_with_its_key_path() {
    refused(
        &[("above = 1.2", "above = -0.5")],
        "facility[0].overflow.above",
        "must be at least 0, got -0.5",
    );
    refused(
        &[("above = 1.2", "above = nan")],
        "facility[0].overflow.above",
        "must be a finite number",
    );
    refused(
        &[("to = [\"Kut\", \"Nasiriyah\"]", "to = []")],
        "facility[0].overflow.to",
        "must list at least one facility",
    );
    refused(
        &[("to = [\"Kut\", \"Nasiriyah\"]", "to = [\"Kut\", \"Basra\"]")],
        "facility[0].overflow.to[1]",
        "no facility named \"Basra\" (facilities: \"Karkh\", \"Kut\", \"Nasiriyah\")",
    );
    refused(
        &[("to = [\"Kut\", \"Nasiriyah\"]", "to = [\"Karkh\"]")],
        "facility[0].overflow.to[0]",
        "must not be the facility itself (\"Karkh\")",
    );
    refused(
        &[("to = [\"Kut\", \"Nasiriyah\"]", "to = [\"Kut\", \"Kut\"]")],
        "facility[0].overflow.to[1]",
        "\"Kut\" is listed twice",
    );
    refused(
        &[("who = \"convicted\"", "who = \"everyone\"")],
        "facility[0].overflow.who",
        "unknown variant `everyone`",
    );
    refused(
        &[("opens = \"2026-01-31\"", "opens = \"2025-12-31\"")],
        "facility[1].opens",
        "must not be before start_date (2026-01-21), got 2025-12-31",
    );
    refused(
        &[("opens = \"2026-01-31\"", "opens = -3.0")],
        "facility[1].opens",
        "must be at least 0, got -3",
    );
    refused(
        &[(
            "opens = \"2026-01-31\"",
            "opens = \"2026-01-31\"\ninitial_occupancy = 7",
        )],
        "facility[1].initial_occupancy",
        "must be 0 for a facility that opens later (opens = 2026-01-31), got 7",
    );
    refused(
        &[("facilities = [\"Karkh\"]", "facilities = [\"Kut\"]")],
        "allocation.facilities",
        "at least one receiving facility must be open on day 0, but each opens later (\"Kut\" opens on day 10)",
    );
    refused(
        &[
            ("policy = \"least_occupied\"", "policy = \"proportional\""),
            (
                "facilities = [\"Karkh\"]",
                "facilities = [\"Kut\", \"Karkh\"]\nweights = [1.0, 0.0]",
            ),
        ],
        "allocation.weights",
        "must not all be 0 among the receiving facilities open on day 0",
    );
    refused(
        &[("schedule = [ { day = 20,", "schedule = [ { day = -1,")],
        "facility[1].background.schedule[0].day",
        "must be at least 0, got -1",
    );
    refused(
        &[(
            "{ day = 20, admissions_per_day = 2.0 }",
            "{ day = 20, admissions_per_day = -2.0 }",
        )],
        "facility[1].background.schedule[0].admissions_per_day",
        "must be at least 0, got -2",
    );
    refused(
        &[("facility = \"Nasiriyah\"", "facility = \"Basra\"")],
        "release[0].facility",
        "no facility named \"Basra\" (facilities: \"Karkh\", \"Kut\", \"Nasiriyah\")",
    );
    refused(
        &[("day = \"2026-02-20\"", "day = \"2026-01-01\"")],
        "release[0].day",
        "must not be before start_date",
    );
    refused(
        &[("count = 100", "count = -1")],
        "release[0].count",
        "must be a non-negative integer, got -1",
    );
    refused(
        &[("who = \"awaiting\"", "who = \"deported\"")],
        "release[1].who",
        "unknown variant `deported`",
    );
    refused(
        &[("count = 5", "count = 5\nwhen = 3")],
        "release[1].when",
        "unknown field `when`, expected one of `day`, `facility`, `count`, `who`",
    );
}

#[test]
fn check_reports_every_capacity_problem_at_once() {
    let all = problems(&[
        ("above = 1.2", "above = -1.0"),
        ("opens = \"2026-01-31\"", "opens = -2.0"),
        ("facility = \"Nasiriyah\"", "facility = \"Basra\""),
        ("who = \"awaiting\"", "who = \"deported\""),
    ]);
    let paths: Vec<&str> = all.iter().map(|(p, _)| p.as_str()).collect();
    for want in [
        "facility[0].overflow.above",
        "facility[1].opens",
        "release[0].facility",
        "release[1].who",
    ] {
        assert!(paths.contains(&want), "{want} missing from {all:?}");
    }
}

#[test]
fn parameter_paths_reach_every_capacity_value() {
    let s = Scenario::from_toml_str(V3).unwrap();
    let t = s
        .with_params([
            ("facility[Karkh].overflow.above", "1.5"),
            ("facility[Karkh].overflow.who", "transferees"),
            ("facility[Kut].opens", "2026-02-10"),
            (
                "facility[Kut].background.schedule[0].admissions_per_day",
                "3.5",
            ),
            ("facility[Kut].background.schedule[0].day", "\"2026-03-01\""),
            ("release[0].count", "250"),
            ("release[1].day", "45"),
            ("release[0].who", "any"),
        ])
        .unwrap();
    let o = t.facilities[0].overflow.as_ref().unwrap();
    assert_eq!((o.above, o.who), (1.5, PersonKind::Transferees));
    assert_eq!(t.day(t.facilities[1].opens.unwrap()), 20.0);
    let c = t.facilities[1].background.as_ref().unwrap().schedule[0];
    assert_eq!((t.day(c.day), c.admissions_per_day), (39.0, 3.5));
    assert_eq!(t.releases[0].count, 250);
    assert_eq!(t.releases[0].who, PersonKind::Any);
    assert_eq!(t.releases[1].day, Day::Number(45.0));
    // Keys left out are created when set.
    let u = s
        .with_params([
            ("facility[Nasiriyah].opens", "0"),
            (
                "facility[Nasiriyah].overflow",
                "{ above = 1.0, to = [\"Karkh\"] }",
            ),
        ])
        .unwrap();
    assert_eq!(u.facilities[2].overflow.as_ref().unwrap().to, ["Karkh"]);
    // A bad value is refused at the path as the user wrote it.
    let e = s
        .with_param("facility[Karkh].overflow.above", "-1")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "facility[Karkh].overflow.above: must be at least 0, got -1"
    );
    let e = s
        .with_param("release[0].count", "-5")
        .unwrap_err()
        .to_string();
    assert!(e.contains("release[0].count"), "{e}");
    // Values may vary run by run; the lists may not.
    for path in [
        "facility[Karkh].overflow.above",
        "facility[Kut].opens",
        "release[0].count",
        "release[0].day",
        "facility[Kut].background.schedule[0].admissions_per_day",
    ] {
        s.varying_path(path)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    for path in [
        "release",
        "facility[Karkh].overflow.to",
        "facility[Karkh].overflow",
    ] {
        assert!(s.varying_path(path).is_err(), "{path}");
    }
}
