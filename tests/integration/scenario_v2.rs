//! Scenario files of model version 2: every new key read with its value,
//! refused with its key path, dates wherever a day is expected, version 1
//! files unchanged, every problem reported in one pass, and names that
//! could hide or reorder text refused.

use custody_sim::scenario::{Day, EligibleAfter, ExitKind, Who};
use custody_sim::{Error, Scenario};

/// A valid version 2 scenario using every new key.
const V2: &str = r#"name = "v2"
start_date = "2026-01-21"
horizon_days = 400

[transfer]
transit_days = { dist = "uniform", low = 0.5, high = 2.0 }
pauses = [ { from = "2026-01-30", to = 16.0 } ]

[transfer.end]
until_day = "2026-02-13"
target_total = 5704

[[transfer.phase]]
from = 0.0
interval_days = { dist = "fixed", value = 3.0 }
convoy_size = { dist = "uniform_int", low = 100, high = 200 }

[[group]]
name = "Iraqi"
count = 2000

[[group]]
name = "Turkish"
count = 180
repatriation = { probability = 1.0, eligible_after = "investigation", after_conviction = true, earliest_day = "2026-02-23", delay_days = { dist = "uniform", low = 30.0, high = 120.0 }, quota = 180 }

[[group]]
name = "Sentenced"
count = 20
repatriation = { probability = 0.5, eligible_after = "verdict", after_conviction = true, delay_days = { dist = "fixed", value = 30.0 } }

[[facility]]
name = "Karkh"
capacity = 4000
initial_occupancy = 1200
cost_per_detainee_day = 12.0
background = { admissions_per_day = 1.5, mean_stay_days = 900.0 }
expansions = [ { day = "2026-03-01", beds = 100 } ]

[[facility]]
name = "Nasiriyah"
capacity = 6000

[[relocation]]
day = "2026-02-10"
from = "Karkh"
to = "Nasiriyah"
count = 1200
who = "background"

[allocation]
policy = "proportional"
facilities = ["Karkh", "Nasiriyah"]
weights = [3.0, 1.0]

[custody]
mortality_per_year = 0.005

[court]
conviction_probability = 0.95

[[court.stage]]
name = "investigation"
servers = 0
service_days = { dist = "lognormal", mean = 150.0, sd = 30.0 }
schedule = [ { day = "2026-01-28", servers = 3000 } ]

[[court.stage]]
name = "trial"
servers = 20
service_days = { dist = "exponential", mean = 0.5 }

[[court.sentence]]
name = "death"
probability = 0.227
facility = "Nasiriyah"
exit = { kind = "executed", after_days = { dist = "exponential", mean = 3650.0 }, probability = 0.1 }

[[court.sentence]]
name = "life"
probability = 0.433
exit = { kind = "released", after_days = { dist = "fixed", value = 7305.0 } }

[[court.sentence]]
name = "term"
probability = 0.34
"#;

fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = V2.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "{from:?} not in V2");
        text = text.replacen(from, to, 1);
    }
    text
}

/// Every (path, message) the edited file gives.
fn problems(edits: &[(&str, &str)]) -> Vec<(String, String)> {
    match Scenario::from_toml_str(&edited(edits)) {
        Ok(_) => panic!("{edits:?}: accepted"),
        Err(Error::Scenario(e)) => e
            .iter()
            .map(|e| (e.path.clone(), e.message.clone()))
            .collect(),
        Err(e) => panic!("{edits:?}: not a scenario error: {e}"),
    }
}

#[test]
fn every_v2_key_reads_with_its_value() {
    let s = Scenario::from_toml_str(V2).unwrap();
    let end = s.transfer.end.unwrap();
    assert_eq!(s.day(end.until_day.unwrap()), 23.0);
    assert_eq!(end.target_total, Some(5704));
    assert_eq!(s.day(s.transfer.pauses[0].from), 9.0);
    assert_eq!(
        s.allocation.facilities,
        Some(vec!["Karkh".to_string(), "Nasiriyah".to_string()])
    );
    assert_eq!(s.custody.mortality_per_year, 0.005);
    let k = &s.facilities[0];
    assert_eq!(k.cost_per_detainee_day, Some(12.0));
    let b = k.background.clone().unwrap();
    assert_eq!((b.admissions_per_day, b.mean_stay_days), (1.5, 900.0));
    assert_eq!(s.day(k.expansions[0].day), 39.0);
    let r = &s.relocations[0];
    assert_eq!(
        (s.day(r.day), r.from.as_str(), r.to.as_str(), r.count, r.who),
        (20.0, "Karkh", "Nasiriyah", 1200, Who::Background)
    );
    let t = &s.groups[1].repatriation;
    assert_eq!(
        t.eligible_after,
        EligibleAfter::Stage("investigation".into())
    );
    assert!(t.after_conviction);
    assert_eq!(t.quota, Some(180));
    assert_eq!(s.day(t.earliest_day), 33.0);
    assert_eq!(
        s.groups[2].repatriation.eligible_after,
        EligibleAfter::Verdict
    );
    assert_eq!(
        s.groups[0].repatriation.eligible_after,
        EligibleAfter::Arrival
    );
    assert_eq!(s.court.stages[0].servers, 0);
    assert_eq!(s.day(s.court.stages[0].schedule[0].day), 7.0);
    let death = &s.court.sentences[0];
    assert_eq!(death.facility.as_deref(), Some("Nasiriyah"));
    let exit = death.exit.unwrap();
    assert_eq!((exit.kind, exit.probability), (ExitKind::Executed, 0.1));
    // The exit probability defaults to 1; no exit: stay to the horizon.
    assert_eq!(s.court.sentences[1].exit.unwrap().probability, 1.0);
    assert_eq!(s.court.sentences[2].exit, None);
    // Written back, nothing is lost: dates stay dates.
    let text = s.to_toml_string();
    assert!(text.contains("\"2026-02-13\""), "{text}");
    assert_eq!(Scenario::from_toml_str(&text).unwrap(), s);
}

#[test]
fn a_date_means_its_day_number() {
    let by_date = Scenario::from_toml_str(&edited(&[(
        "from = 0.0\ninterval",
        "from = \"2026-01-21\"\ninterval",
    )]))
    .unwrap();
    let by_number =
        Scenario::from_toml_str(&edited(&[("day = \"2026-02-10\"", "day = 20")])).unwrap();
    assert_eq!(by_date.day(by_date.transfer.phases[0].from), 0.0);
    assert_eq!(by_number.relocations[0].day, Day::Number(20.0));
    assert_eq!(
        by_number.day(by_number.relocations[0].day),
        by_date.day(by_date.relocations[0].day)
    );
    // A leap day counts.
    let s = Scenario::from_toml_str(&edited(&[
        ("start_date = \"2026-01-21\"", "start_date = \"2028-02-28\""),
        ("day = \"2026-02-10\"", "day = \"2028-03-01\""),
        ("until_day = \"2026-02-13\"", "until_day = 30"),
        ("from = \"2026-01-30\"", "from = 9.0"),
        ("earliest_day = \"2026-02-23\"", "earliest_day = 30"),
        (
            "{ day = \"2026-03-01\", beds = 100 }",
            "{ day = 40, beds = 100 }",
        ),
        (
            "{ day = \"2026-01-28\", servers = 3000 }",
            "{ day = 7, servers = 3000 }",
        ),
    ]))
    .unwrap();
    assert_eq!(s.day(s.relocations[0].day), 2.0);
}

#[test]
fn dates_before_start_or_not_dates_are_refused_with_their_path() {
    assert_eq!(
        problems(&[("day = \"2026-02-10\"", "day = \"2026-01-20\"")]),
        [(
            "relocation[0].day".to_string(),
            "must not be before start_date (2026-01-21), got 2026-01-20".to_string()
        )]
    );
    assert_eq!(
        problems(&[("until_day = \"2026-02-13\"", "until_day = \"2026-02-30\"")]),
        [(
            "transfer.end.until_day".to_string(),
            "must be a day number or a date YYYY-MM-DD, got \"2026-02-30\"".to_string()
        )]
    );
    let p = problems(&[
        (
            "earliest_day = \"2026-02-23\"",
            "earliest_day = \"2025-12-31\"",
        ),
        (
            "{ day = \"2026-01-28\", servers",
            "{ day = \"2020-01-01\", servers",
        ),
    ]);
    let paths: Vec<&str> = p.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "group[1].repatriation.earliest_day",
            "court.stage[0].schedule[0].day"
        ]
    );
}

/// Edits, then the one problem they give: key path and message.
type Case = (
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

#[test]
fn each_v2_rule_is_refused_with_its_key_path() {
    let cases: &[Case] = &[
        (
            &[("from = \"Karkh\"", "from = \"Baghdad\"")],
            "relocation[0].from",
            "no facility named \"Baghdad\" (facilities: \"Karkh\", \"Nasiriyah\")",
        ),
        (
            &[("to = \"Nasiriyah\"", "to = \"Karkh\"")],
            "relocation[0].to",
            "must differ from from (both are \"Karkh\")",
        ),
        (
            &[("who = \"background\"", "who = \"guards\"")],
            "relocation[0].who",
            "unknown variant `guards`, expected one of `any`, `background`, `transferees`",
        ),
        (
            &[("probability = 0.34", "probability = 0.3")],
            "court.sentence",
            "probabilities must sum to 1, got 0.96",
        ),
        (
            &[("probability = 0.227", "probability = 1.227")],
            "court.sentence[0].probability",
            "must be a probability between 0 and 1, got 1.227",
        ),
        (
            &[(
                "facility = \"Nasiriyah\"\nexit",
                "facility = \"Hoot\"\nexit",
            )],
            "court.sentence[0].facility",
            "no facility named \"Hoot\" (facilities: \"Karkh\", \"Nasiriyah\")",
        ),
        (
            &[("kind = \"executed\"", "kind = \"pardoned\"")],
            "court.sentence[0].exit.kind",
            "unknown variant `pardoned`, expected `released` or `executed`",
        ),
        (
            &[("probability = 0.1 }", "probability = -0.1 }")],
            "court.sentence[0].exit.probability",
            "must be a probability between 0 and 1, got -0.1",
        ),
        (
            &[("mean = 3650.0", "mean = 0.0")],
            "court.sentence[0].exit.after_days.mean",
            "must be greater than 0, got 0",
        ),
        (
            &[("name = \"life\"", "name = \"death\"")],
            "court.sentence[1].name",
            "duplicate name \"death\"",
        ),
        (
            &[(
                "eligible_after = \"investigation\"",
                "eligible_after = \"appeal\"",
            )],
            "group[1].repatriation.eligible_after",
            "must be \"arrival\", \"verdict\" or the name of a court stage (\"investigation\", \"trial\"), got \"appeal\"",
        ),
        (
            &[(
                "eligible_after = \"verdict\", after_conviction = true",
                "eligible_after = \"verdict\"",
            )],
            "group[2].repatriation.after_conviction",
            "must be true with eligible_after = \"verdict\" (only the convicted are eligible then)",
        ),
        (
            &[("quota = 180", "quota = -1")],
            "group[1].repatriation.quota",
            "must be a non-negative integer, got -1",
        ),
        (
            &[(
                "{ day = \"2026-01-28\", servers = 3000 }",
                "{ day = \"2026-01-28\", servers = 0 }",
            )],
            "court.stage[0].servers",
            "must be at least 1, got 0, and no schedule entry raises it (the court would never open)",
        ),
        (
            &[(
                "schedule = [ { day = \"2026-01-28\", servers = 3000 } ]\n",
                "",
            )],
            "court.stage[0].servers",
            "must be at least 1, got 0",
        ),
        (
            &[(
                "facilities = [\"Karkh\", \"Nasiriyah\"]",
                "facilities = [\"Karkh\", \"Hoot\"]",
            )],
            "allocation.facilities[1]",
            "no facility named \"Hoot\" (facilities: \"Karkh\", \"Nasiriyah\")",
        ),
        (
            &[(
                "facilities = [\"Karkh\", \"Nasiriyah\"]",
                "facilities = [\"Karkh\", \"Karkh\"]",
            )],
            "allocation.facilities[1]",
            "\"Karkh\" is listed twice",
        ),
        (
            &[(
                "facilities = [\"Karkh\", \"Nasiriyah\"]",
                "facilities = [\"Karkh\"]",
            )],
            "allocation.weights",
            "must have one weight per receiving facility (1), got 2",
        ),
        (
            &[("facilities = [\"Karkh\", \"Nasiriyah\"]", "facilities = []")],
            "allocation.facilities",
            "must list at least one facility (leave it out to receive into all)",
        ),
        (
            &[("mortality_per_year = 0.005", "mortality_per_year = -0.005")],
            "custody.mortality_per_year",
            "must be at least 0, got -0.005",
        ),
        (
            &[("mean_stay_days = 900.0", "mean_stay_days = 0.0")],
            "facility[0].background.mean_stay_days",
            "must be above 0, got 0",
        ),
        (
            &[("admissions_per_day = 1.5", "admissions_per_day = -1.5")],
            "facility[0].background.admissions_per_day",
            "must be at least 0, got -1.5",
        ),
        (
            &[(
                "cost_per_detainee_day = 12.0",
                "cost_per_detainee_day = nan",
            )],
            "facility[0].cost_per_detainee_day",
            "must be a finite number, got NaN",
        ),
        (
            &[("target_total = 5704", "target_total = \"all\"")],
            "transfer.end.target_total",
            "invalid type: string \"all\", expected u64",
        ),
        (
            &[("until_day = \"2026-02-13\"", "until_day = -1.0")],
            "transfer.end.until_day",
            "must be at least 0, got -1",
        ),
    ];
    let mut failures = Vec::new();
    for (edits, path, message) in cases {
        let got = problems(edits);
        if got != [(path.to_string(), message.to_string())] {
            failures.push(format!("{edits:?}: want {path}: {message}\n got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_type_error_does_not_hide_other_problems() {
    let p = problems(&[
        ("capacity = 6000", "capacity = \"big\""),
        ("low = 100, high = 200", "low = \"a\", high = 200"),
        (
            "conviction_probability = 0.95",
            "conviction_probability = 1.95",
        ),
        ("count = 1200", "count = 1200\nbogus = 1"),
        ("to = \"Nasiriyah\"", "to = \"Karkh\""),
    ]);
    // Type problems in file order (the TOML reader keeps it), then rules.
    let want = [
        (
            "transfer.phase[0].convoy_size.low",
            "invalid type: string \"a\", expected i64",
        ),
        (
            "facility[1].capacity",
            "invalid type: string \"big\", expected u64",
        ),
        (
            "relocation[0].bogus",
            "unknown field `bogus`, expected one of `day`, `from`, `to`, `count`, `who`",
        ),
        (
            "court.conviction_probability",
            "must be a probability between 0 and 1, got 1.95",
        ),
        (
            "relocation[0].to",
            "must differ from from (both are \"Karkh\")",
        ),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(p, m)| (p.to_string(), m.to_string()))
        .collect();
    assert_eq!(p, want);
    // A missing key is reported; problems elsewhere still are.
    let p = problems(&[
        ("name = \"Nasiriyah\"\n", ""),
        ("mortality_per_year = 0.005", "mortality_per_year = -1.0"),
    ]);
    let paths: Vec<&str> = p.iter().map(|(p, _)| p.as_str()).collect();
    assert!(paths.contains(&"facility[1]"), "{p:?}");
    assert!(paths.contains(&"custody.mortality_per_year"), "{p:?}");
}

#[test]
fn names_that_hide_or_reorder_text_are_refused_everywhere() {
    for (bad, what) in [
        ("a\u{0}b", "the control character '\\0'"),
        ("a\u{1b}[31mb", "the control character '\\u{1b}'"),
        (
            "a\u{200b}b",
            "the invisible or direction-changing character '\\u{200b}'",
        ),
        (
            "a\u{feff}b",
            "the invisible or direction-changing character '\\u{feff}'",
        ),
        (
            "a\u{202e}b",
            "the invisible or direction-changing character '\\u{202e}'",
        ),
        (
            "a\u{2067}b",
            "the invisible or direction-changing character '\\u{2067}'",
        ),
    ] {
        for (from, path) in [
            ("name = \"v2\"", "name"),
            ("name = \"Iraqi\"", "group[0].name"),
            ("name = \"Karkh\"", "facility[0].name"),
            ("name = \"trial\"", "court.stage[1].name"),
            ("name = \"term\"", "court.sentence[2].name"),
        ] {
            let to = format!("name = {}", toml::Value::String(bad.to_string()));
            // Renaming a facility also breaks the references to it; the
            // name's own problem comes first.
            let p = problems(&[(from, &to)]);
            let message = format!("must not contain {what}, got {bad:?}");
            assert_eq!(p[0], (path.to_string(), message), "{bad:?} at {path}");
            // Nothing reported echoes the raw character to a terminal.
            for (_, m) in &p {
                assert!(!m.chars().any(|c| c.is_control()), "{m:?}");
            }
        }
    }
    // The scenario name follows the rules of the other names.
    assert_eq!(
        problems(&[("name = \"v2\"", "name = \" v2\"")]),
        [(
            "name".to_string(),
            "must not start or end with spaces, got \" v2\"".to_string()
        )]
    );
}

#[test]
fn version_1_files_round_trip_unchanged_and_write_no_v2_keys() {
    for name in custody_sim::presets::NAMES {
        let text = custody_sim::presets::toml_text(name).unwrap();
        let s = Scenario::from_toml_str(text).unwrap();
        let back = s.to_toml_string();
        assert_eq!(Scenario::from_toml_str(&back).unwrap(), s, "{name}");
        if *name != "baseline" {
            for key in [
                "custody",
                "relocation",
                "sentence",
                "eligible_after",
                "quota",
                "background",
                "cost_per_detainee_day",
                "end",
                "after_conviction",
            ] {
                assert!(!back.contains(key), "{name} writes {key}:\n{back}");
            }
        }
    }
}
