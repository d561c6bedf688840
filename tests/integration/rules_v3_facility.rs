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

// ------------------------------------------------------------ the model

use custody_sim::{Outcome, Plan};

const SEED: u64 = 20_260_124;

/// A scenario of `horizon` days: one group of 100, convoys of 10 leaving
/// every day from day 0 and arriving half a day later (at 0.5, 1.5, …,
/// 9.5), then `rest` (facilities, allocation, court, orders).
fn flow(horizon: u32, rest: &str) -> Scenario {
    use crate::fixtures::{fixed, group, header, one_phase};
    let text = format!(
        "{}{}{}{rest}",
        header("capacity", horizon),
        one_phase(&fixed(0.5), &fixed(1.0), &fixed(10.0)),
        group("G", 100, ""),
    );
    Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// A court that keeps everyone awaiting a verdict to the horizon.
const SLOW_COURT: &str = crate::fixtures::HOLDING_COURT;

/// A court that convicts everyone exactly one day after arrival.
const ONE_DAY_COURT: &str = r#"
[court]
conviction_probability = 1.0

[[court.stage]]
name = "trial"
servers = 1000
service_days = { dist = "fixed", value = 1.0 }
"#;

/// Replication `i`, checked for conservation after every event (and
/// after each evening's overflow moves), equal to the unchecked run.
fn run_i(plan: &Plan, i: u64) -> Outcome {
    let out = plan.replicate_checked(SEED, i).expect("conservation holds");
    assert_eq!(
        out,
        plan.replicate(SEED, i),
        "checked and unchecked runs differ"
    );
    out
}

fn run(s: &Scenario) -> Outcome {
    run_i(&Plan::new(s).expect("valid"), 0)
}

fn metric(o: &Outcome, name: &str) -> Option<f64> {
    o.try_metric(name).unwrap_or_else(|e| panic!("{e}"))
}

fn series(o: &Outcome, name: &str) -> Vec<u32> {
    o.try_series(name)
        .unwrap_or_else(|e| panic!("{e}"))
        .to_vec()
}

/// Overflow with deterministic arrivals: A (20 beds) receives 10 a day and
/// overflows above its capacity into B (15 beds), then C. Each evening
/// from day 3 the 10 above 20 move: day 3 all to B, day 4 five to B (its
/// last free beds) and five to C, then C takes them all.
#[test]
fn overflow_moves_the_excess_in_the_listed_order_each_evening() {
    let s = flow(
        10,
        &format!(
            r#"
[[facility]]
name = "A"
capacity = 20
overflow = {{ above = 1.0, to = ["B", "C"] }}

[[facility]]
name = "B"
capacity = 15

[[facility]]
name = "C"
capacity = 100

[allocation]
policy = "fill_in_order"
facilities = ["A"]
{SLOW_COURT}"#
        ),
    );
    let o = run(&s);
    assert_eq!(
        series(&o, "occupancy.A"),
        [10, 20, 20, 20, 20, 20, 20, 20, 20, 20]
    );
    assert_eq!(
        series(&o, "occupancy.B"),
        [0, 0, 10, 15, 15, 15, 15, 15, 15, 15]
    );
    assert_eq!(
        series(&o, "occupancy.C"),
        [0, 0, 0, 5, 15, 25, 35, 45, 55, 65]
    );
    assert_eq!(metric(&o, "facility.A.overflowed_out"), Some(80.0));
    assert_eq!(metric(&o, "facility.B.overflowed_out"), Some(0.0));
    assert_eq!(metric(&o, "overflowed"), Some(80.0));
    // The records see the evening's moves: A is never over capacity.
    assert_eq!(metric(&o, "facility.A.days_over_capacity"), Some(0.0));
    assert_eq!(metric(&o, "facility.A.peak_occupancy_rate"), Some(1.0));
    // Without `overflow` the metrics are not reported at all.
    let mut plain = s.clone();
    plain.facilities[0].overflow = None;
    let p = run(&plain);
    assert!(p.try_metric("overflowed").is_err());
    assert!(p.try_metric("facility.A.overflowed_out").is_err());
    assert_eq!(series(&p, "occupancy.A")[9], 100);
}

/// A threshold above capacity and a destination with no free bed: with
/// `above = 1.5` A keeps up to 30; B (5 beds) takes 5 once and is full
/// after, so A grows from then on.
#[test]
fn overflow_stops_at_the_threshold_and_at_the_free_beds() {
    let s = flow(
        8,
        &format!(
            r#"
[[facility]]
name = "A"
capacity = 20
overflow = {{ above = 1.5, to = ["B"] }}

[[facility]]
name = "B"
capacity = 5

[allocation]
policy = "least_occupied"
facilities = ["A"]
{SLOW_COURT}"#
        ),
    );
    let o = run(&s);
    assert_eq!(series(&o, "occupancy.A"), [10, 20, 30, 35, 45, 55, 65, 75]);
    assert_eq!(series(&o, "occupancy.B"), [0, 0, 0, 5, 5, 5, 5, 5]);
    assert_eq!(metric(&o, "overflowed"), Some(5.0));
}

/// `who` restricts who moves. Background: A's 30 inmates already inside
/// (no turnover) move first, 20 then 10, and once none is left A grows.
/// Convicted: with a court that convicts nobody before the horizon,
/// nobody moves; awaiting: everyone may.
#[test]
fn overflow_moves_only_people_of_its_kind() {
    let facilities = |who: &str, initial: u64| {
        format!(
            r#"
[[facility]]
name = "A"
capacity = 20
initial_occupancy = {initial}
overflow = {{ above = 1.0, to = ["B"], who = "{who}" }}

[[facility]]
name = "B"
capacity = 1000

[allocation]
policy = "least_occupied"
facilities = ["A"]
{SLOW_COURT}"#
        )
    };
    let o = run(&flow(6, &facilities("background", 30)));
    assert_eq!(series(&o, "occupancy.A"), [20, 20, 30, 40, 50, 60]);
    assert_eq!(series(&o, "occupancy.B"), [20, 30, 30, 30, 30, 30]);
    // Everyone who moved is a background inmate: the transferees are all
    // still where they arrived.
    assert_eq!(series(&o, "in_custody"), [10, 20, 30, 40, 50, 60]);
    let o = run(&flow(6, &facilities("convicted", 0)));
    assert_eq!(metric(&o, "overflowed"), Some(0.0));
    assert_eq!(series(&o, "occupancy.A"), [10, 20, 30, 40, 50, 60]);
    let o = run(&flow(6, &facilities("awaiting", 0)));
    assert_eq!(series(&o, "occupancy.A"), [10, 20, 20, 20, 20, 20]);
    assert_eq!(metric(&o, "overflowed"), Some(40.0));
    let o = run(&flow(6, &facilities("transferees", 30)));
    // Transferees only: the 30 inmates stay, every transferee may move.
    assert_eq!(series(&o, "occupancy.A"), [30, 30, 30, 30, 30, 30]);
    assert_eq!(series(&o, "occupancy.B"), [10, 20, 30, 40, 50, 60]);
}

/// A convicted detainee moves only when it is convicted: with a court
/// that convicts one day after arrival and A kept at half its beds (10),
/// the convicted leave A each evening (those arrived the day before
/// last), and A holds the 10 of the day.
#[test]
fn overflow_of_the_convicted_leaves_those_awaiting_a_verdict() {
    let s = flow(
        6,
        &format!(
            r#"
[[facility]]
name = "A"
capacity = 20
overflow = {{ above = 0.5, to = ["B"], who = "convicted" }}

[[facility]]
name = "B"
capacity = 1000

[allocation]
policy = "least_occupied"
facilities = ["A"]
{ONE_DAY_COURT}"#
        ),
    );
    let o = run(&s);
    assert_eq!(series(&o, "occupancy.A"), [10, 10, 10, 10, 10, 10]);
    assert_eq!(series(&o, "occupancy.B"), [0, 10, 20, 30, 40, 50]);
    // Everyone in A at a record is awaiting the verdict of the next day.
    assert_eq!(series(&o, "awaiting_verdict"), [10, 10, 10, 10, 10, 10]);
}

/// A facility that opens later: K (50 beds) opens on 2026-01-24 (day 3).
/// Before, everyone goes to A: 10, 20, 30 (the convoy of 2.5 arrives
/// before the opening). From day 3.5 `least_occupied` sends all to K,
/// whose rate stays below A's 30/20. N never opens within the horizon:
/// 0 occupancy and beds, no peak rate.
#[test]
fn a_facility_that_opens_later_receives_nobody_before() {
    let s = flow(
        10,
        &format!(
            r#"
[[facility]]
name = "A"
capacity = 20

[[facility]]
name = "K"
capacity = 50
opens = "2026-01-24"

[[facility]]
name = "N"
capacity = 10
opens = 20

[allocation]
policy = "least_occupied"
{SLOW_COURT}"#
        ),
    );
    let o = run(&s);
    assert_eq!(
        series(&o, "occupancy.A"),
        [10, 20, 30, 30, 30, 30, 30, 30, 30, 30]
    );
    assert_eq!(
        series(&o, "occupancy.K"),
        [0, 0, 0, 10, 20, 30, 40, 50, 60, 70]
    );
    assert_eq!(series(&o, "occupancy.N"), [0; 10]);
    assert_eq!(metric(&o, "facility.K.peak_occupancy_rate"), Some(1.4));
    assert_eq!(metric(&o, "facility.K.days_over_capacity"), Some(2.0));
    assert_eq!(metric(&o, "facility.K.first_day_over_capacity"), Some(9.0));
    assert_eq!(metric(&o, "facility.N.peak_occupancy_rate"), None);
    assert_eq!(metric(&o, "facility.N.days_over_capacity"), Some(0.0));
    assert_eq!(metric(&o, "facility.N.first_day_over_capacity"), Some(11.0));
    // Expansions dated before the opening add their beds at opening.
    let mut grown = s.clone();
    grown.facilities[1]
        .expansions
        .push(custody_sim::scenario::Expansion {
            day: Day::Number(1.0),
            beds: 20,
        });
    let g = run(&grown);
    assert_eq!(metric(&g, "facility.K.days_over_capacity"), Some(0.0));
    assert_eq!(metric(&g, "facility.K.peak_occupancy_rate"), Some(1.0));
}

/// Before K opens, `proportional` weights are renormalised over the open
/// facilities (all to A); `fill_in_order` passes K by; a relocation into
/// K moves nobody; a conviction whose facility is K leaves the convicted
/// where they are until K opens (day 5), and moves them after.
#[test]
fn a_shut_facility_is_passed_by_everywhere() {
    let rest = |policy: &str, extra: &str| {
        format!(
            r#"
[[facility]]
name = "A"
capacity = 20

[[facility]]
name = "K"
capacity = 1000
opens = 5.0

[allocation]
policy = "{policy}"
{extra}

[court]
conviction_probability = 1.0
convicted_facility = "K"

[[court.stage]]
name = "trial"
servers = 1000
service_days = {{ dist = "fixed", value = 1.0 }}

[[relocation]]
day = 2.0
from = "A"
to = "K"
count = 5
"#
        )
    };
    for (policy, extra) in [
        ("proportional", "weights = [1.0, 3.0]"),
        ("fill_in_order", ""),
        ("least_occupied", ""),
    ] {
        let plan = Plan::new(&flow(10, &rest(policy, extra))).unwrap();
        for i in 0..5 {
            let o = run_i(&plan, i);
            let k = series(&o, "occupancy.K");
            assert_eq!(k[..5], [0, 0, 0, 0, 0], "{policy}");
            assert_eq!(series(&o, "occupancy.A")[..4], [10, 20, 30, 40], "{policy}");
            assert_eq!(metric(&o, "relocated"), Some(0.0), "{policy}");
            // Verdicts at 5.5, …, 9.5 move their 50 convicted to K.
            assert_eq!(k[9] as u64 + series(&o, "occupancy.A")[9] as u64, 100);
            if policy == "fill_in_order" {
                // A stays full from day 2: arrivals from 5.5 go to K, and
                // the verdict of 5.5 moves those of 4.5 there; the later
                // convicted are in K already.
                assert_eq!(k[5..], [20, 30, 40, 50, 60], "{policy}");
            }
        }
    }
}

/// Release orders, exact: A holds 100 background inmates (no turnover)
/// and the transferees (a slow court). On day 4 an amnesty releases 30
/// inmates (the default kind); on day 6 an order releases 25
/// transferees, who leave their court queue; on day 8 an order of 1000
/// "any" empties A.
#[test]
fn release_orders_take_their_kind_and_count() {
    let s = flow(
        10,
        &format!(
            r#"
[[facility]]
name = "A"
capacity = 500
initial_occupancy = 100

[allocation]
policy = "least_occupied"
{SLOW_COURT}

[[release]]
day = 4.0
facility = "A"
count = 30

[[release]]
day = "2026-01-27"
facility = "A"
count = 25
who = "transferees"

[[release]]
day = 8.0
facility = "A"
count = 1000
who = "any"
"#
        ),
    );
    let o = run(&s);
    assert_eq!(
        series(&o, "occupancy.A"),
        [110, 120, 130, 110, 120, 105, 115, 0, 10, 20]
    );
    assert_eq!(
        series(&o, "in_custody"),
        [10, 20, 30, 40, 50, 35, 45, 0, 10, 20]
    );
    // 25 on day 6, then the 55 transferees inside on day 8 (the 70
    // inmates released with them are not counted).
    assert_eq!(metric(&o, "released_by_order"), Some(80.0));
    assert_eq!(metric(&o, "awaiting_verdict"), Some(20.0));
    assert_eq!(series(&o, "queue.trial"), [0; 10]);
    // Without `[[release]]` the metric is not reported.
    let mut plain = s.clone();
    plain.releases.clear();
    assert!(run(&plain).try_metric("released_by_order").is_err());
}

/// A release order frees the servers of those it takes: with one server
/// and 10-day services everyone else queues; releasing every transferee
/// awaiting a verdict (`who = "awaiting"`) on day 3 leaves no one in the
/// court, and the next arrivals are served at once.
#[test]
fn a_release_order_frees_court_servers() {
    let s = flow(
        6,
        r#"
[[facility]]
name = "A"
capacity = 500

[allocation]
policy = "least_occupied"

[court]
conviction_probability = 1.0

[[court.stage]]
name = "trial"
servers = 1
service_days = { dist = "fixed", value = 10.0 }

[[release]]
day = 3.0
facility = "A"
count = 1000
who = "awaiting"
"#,
    );
    let o = run(&s);
    assert_eq!(series(&o, "queue.trial"), [9, 19, 0, 9, 19, 29]);
    assert_eq!(series(&o, "awaiting_verdict"), [10, 20, 0, 10, 20, 30]);
    assert_eq!(metric(&o, "released_by_order"), Some(30.0));
}

/// Mean and standard error of `f` over `r` replications.
fn mean_se(s: &Scenario, r: u64, f: impl Fn(&Outcome) -> f64) -> (f64, f64) {
    let plan = Plan::new(s).expect("valid");
    let xs: Vec<f64> = (0..r).map(|i| f(&plan.replicate(SEED, i))).collect();
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

fn assert_inside(what: &str, expected: f64, (mean, se): (f64, f64)) {
    assert!(
        (mean - expected).abs() <= 4.5 * se + 1e-9,
        "{what}: expected {expected}, run gives {mean} ± {se} (4.5 se)"
    );
}

/// The background count across a change of admission rate and a release
/// order (M/M/∞, piece by piece): B starts empty with 2 admissions a day
/// and stays of mean 50 days; from day 30, 10 a day; on day 40 an order
/// releases 50 inmates (the count then is Poisson with mean about 128,
/// so 50 are there). With E(t) after a rate a from t0:
/// E(t) = E(t0)·e^(−(t − t0)/50) + 50·a·(1 − e^(−(t − t0)/50)).
/// K opens on day 10 with a schedule entry of day 5 (4 a day), which sets
/// its rate at opening: E_K(t) = 200·(1 − e^(−(t − 10)/50)).
/// 400 replications; the analytic value within 4.5 standard errors.
#[test]
fn background_count_follows_the_rate_schedule_and_release_orders() {
    let s = flow(
        60,
        &format!(
            r#"
[[facility]]
name = "A"
capacity = 500

[[facility]]
name = "B"
capacity = 500
background = {{ admissions_per_day = 2.0, mean_stay_days = 50.0, schedule = [ {{ day = 30, admissions_per_day = 10.0 }} ] }}

[[facility]]
name = "K"
capacity = 500
opens = 10
background = {{ admissions_per_day = 1.0, mean_stay_days = 50.0, schedule = [ {{ day = 5, admissions_per_day = 4.0 }} ] }}

[allocation]
policy = "least_occupied"
facilities = ["A"]
{SLOW_COURT}
[[release]]
day = 40
facility = "B"
count = 50
"#
        ),
    );
    let m = 50.0_f64;
    let piece = |e0: f64, a: f64, dt: f64| e0 * (-dt / m).exp() + a * m * (1.0 - (-dt / m).exp());
    let e30 = piece(0.0, 2.0, 30.0);
    let e40 = piece(e30, 10.0, 10.0);
    let e60 = piece(e40 - 50.0, 10.0, 20.0);
    let at = |o: &Outcome, name: &str, day: usize| series(o, name)[day - 1] as f64;
    let r = 400;
    assert_inside(
        "B day 30",
        e30,
        mean_se(&s, r, |o| at(o, "occupancy.B", 30)),
    );
    assert_inside(
        "B day 40",
        e40 - 50.0,
        mean_se(&s, r, |o| at(o, "occupancy.B", 40)),
    );
    assert_inside(
        "B day 60",
        e60,
        mean_se(&s, r, |o| at(o, "occupancy.B", 60)),
    );
    assert_inside(
        "K day 30",
        piece(0.0, 4.0, 20.0),
        mean_se(&s, r, |o| at(o, "occupancy.K", 30)),
    );
    assert_inside(
        "K day 60",
        piece(0.0, 4.0, 50.0),
        mean_se(&s, r, |o| at(o, "occupancy.K", 60)),
    );
    // Nobody is admitted into K before it opens.
    let plan = Plan::new(&s).unwrap();
    for i in 0..20 {
        let o = run_i(&plan, i);
        assert_eq!(series(&o, "occupancy.K")[..10], [0; 10]);
    }
}

/// A few moved out of many (the draw among all who boarded): A (50 beds)
/// overflows into B from day 6, 10 a day out of 60 inside.
#[test]
fn overflow_of_a_few_out_of_many_is_exact_too() {
    let s = flow(
        10,
        &format!(
            r#"
[[facility]]
name = "A"
capacity = 50
overflow = {{ above = 1.0, to = ["B"], who = "transferees" }}

[[facility]]
name = "B"
capacity = 1000

[allocation]
policy = "least_occupied"
facilities = ["A"]
{SLOW_COURT}"#
        ),
    );
    let plan = Plan::new(&s).unwrap();
    for i in 0..10 {
        let o = run_i(&plan, i);
        assert_eq!(
            series(&o, "occupancy.A"),
            [10, 20, 30, 40, 50, 50, 50, 50, 50, 50]
        );
        assert_eq!(
            series(&o, "occupancy.B"),
            [0, 0, 0, 0, 0, 10, 20, 30, 40, 50]
        );
    }
}

/// Whom an overflow of `who = "any"` moves is uniform over background
/// inmates and transferees together: A (180 beds) holds 100 inmates and
/// the 100 transferees of one convoy on day 1; the 20 above capacity move
/// to B, of whom the transferees are hypergeometric, mean 20 · 100/200 =
/// 10. An order on day 2 releases the transferees in B, which counts
/// them. 400 replications; the mean within 4.5 standard errors, and the
/// variance 20 · ½ · ½ · 180/199 = 4.52 within 20%.
#[test]
fn overflow_chooses_uniformly_among_every_kind() {
    let text = format!(
        r#"name = "uniform"
start_date = "2026-01-21"
horizon_days = 3

[transfer]
transit_days = {{ dist = "fixed", value = 0.5 }}

[[transfer.phase]]
from = 0.0
interval_days = {{ dist = "fixed", value = 10.0 }}
convoy_size = {{ dist = "fixed", value = 100.0 }}

[[group]]
name = "G"
count = 100

[[facility]]
name = "A"
capacity = 180
initial_occupancy = 100
overflow = {{ above = 1.0, to = ["B"] }}

[[facility]]
name = "B"
capacity = 1000

[allocation]
policy = "least_occupied"
facilities = ["A"]
{SLOW_COURT}
[[release]]
day = 2.0
facility = "B"
count = 1000
who = "transferees"
"#
    );
    let s = Scenario::from_toml_str(&text).unwrap();
    let r = 400;
    let plan = Plan::new(&s).unwrap();
    let xs: Vec<f64> = (0..r)
        .map(|i| {
            let o = run_i(&plan, i);
            assert_eq!(metric(&o, "overflowed"), Some(20.0));
            metric(&o, "released_by_order").unwrap()
        })
        .collect();
    let n = r as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    assert_inside(
        "transferees among the moved",
        10.0,
        (mean, (var / n).sqrt()),
    );
    let want = 20.0 * 0.25 * 180.0 / 199.0;
    assert!((var / want - 1.0).abs() < 0.2, "variance {var} vs {want}");
}

// ------------------------------------------------------- conservation

mod conserve {
    use super::super::conservation::{
        apply, apply_v3_court, check_v3_court, scenario, v2, v3_court,
    };
    use custody_sim::scenario::{Overflow, PersonKind, RateChange, Release};
    use custody_sim::{Outcome, Plan, Scenario};
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    const KINDS: [PersonKind; 5] = [
        PersonKind::Any,
        PersonKind::Background,
        PersonKind::Transferees,
        PersonKind::Awaiting,
        PersonKind::Convicted,
    ];

    /// Capacity rules drawn for a scenario of up to 3 facilities over
    /// horizon `h`: per facility an overflow (threshold, destination
    /// shift, kind), an opening day and a schedule entry; release orders
    /// (day, facility, count, kind).
    #[derive(Debug, Clone)]
    struct Cap {
        overflow: Vec<Option<(f64, usize, usize)>>,
        opens: Vec<Option<f64>>,
        schedule: Vec<Option<(f64, f64)>>,
        releases: Vec<(f64, usize, u64, usize)>,
    }

    fn cap(h: f64) -> impl Strategy<Value = Cap> {
        (
            prop::collection::vec(prop::option::of((0.0..=2.0f64, 0usize..2, 0usize..5)), 3),
            prop::collection::vec(prop::option::of(0.0..=1.2 * h), 3),
            prop::collection::vec(prop::option::of((0.0..=h, 0.0..=20.0f64)), 3),
            prop::collection::vec((0.0..=h, 0usize..3, 0u64..=300, 0usize..5), 0..=3),
        )
            .prop_map(|(overflow, opens, schedule, releases)| Cap {
                overflow,
                opens,
                schedule,
                releases,
            })
    }

    /// Adds the capacity rules to `s`; the first receiving facility stays
    /// open from day 0, and a facility that opens later holds nobody on
    /// day 0.
    fn with_capacity(mut s: Scenario, x: Cap) -> Scenario {
        let nf = s.facilities.len();
        let first = s
            .allocation
            .facilities
            .as_ref()
            .and_then(|l| l.first().cloned())
            .unwrap_or_else(|| s.facilities[0].name.clone());
        let names: Vec<String> = s.facilities.iter().map(|f| f.name.clone()).collect();
        for (i, f) in s.facilities.iter_mut().enumerate() {
            if nf > 1
                && let Some((above, shift, who)) = x.overflow[i]
            {
                let to: Vec<String> = (0..=shift.min(nf - 2))
                    .map(|k| names[(i + 1 + k) % nf].clone())
                    .collect();
                f.overflow = Some(Overflow {
                    above,
                    to,
                    who: KINDS[who],
                });
            }
            if f.name != first
                && let Some(day) = x.opens[i]
            {
                f.opens = Some(day.into());
                f.initial_occupancy = 0;
            }
            if let (Some(b), Some((day, rate))) = (&mut f.background, x.schedule[i]) {
                b.schedule.push(RateChange {
                    day: day.into(),
                    admissions_per_day: rate,
                });
            }
        }
        s.releases = x
            .releases
            .iter()
            .map(|&(day, f, count, who)| {
                Release::new(day, names[f % nf].clone(), count).with_who(KINDS[who])
            })
            .collect();
        s
    }

    fn m(o: &Outcome, name: &str) -> f64 {
        o.metric(name)
            .unwrap_or_else(|| panic!("{name} has no value"))
    }

    /// The balances the capacity rules add: every transferee in one state
    /// (released by order among them), `overflowed` the sum of the
    /// facilities', nobody inside a facility before it opens. With
    /// deportation (v3, the courts) the balances of the states are
    /// [`check_v3_court`]'s.
    fn check(s: &Scenario, o: &Outcome) -> Result<(), TestCaseError> {
        let h = s.horizon_days as usize;
        let last = |name: &str| f64::from(o.series(name).unwrap_or_default()[h - 1]);
        let conv_in = last("convicted_in_custody");
        let awaiting = m(o, "awaiting_verdict");
        let by_order = o.metric("released_by_order").unwrap_or(0.0);
        if !s.groups.iter().any(|g| g.deportation.is_some()) {
            prop_assert_eq!(
                m(o, "transferred"),
                m(o, "released")
                    + awaiting
                    + conv_in
                    + m(o, "released_after_sentence")
                    + m(o, "executed")
                    + m(o, "died_in_custody")
                    + m(o, "repatriated")
                    + by_order
                    + o.metric("released_on_appeal").unwrap_or(0.0)
            );
            prop_assert_eq!(last("in_custody"), awaiting + conv_in);
        }
        if s.facilities.iter().any(|f| f.overflow.is_some()) {
            let sum: f64 = s
                .facilities
                .iter()
                .map(|f| m(o, &format!("facility.{}.overflowed_out", f.name)))
                .sum();
            prop_assert_eq!(sum, m(o, "overflowed"));
        }
        for f in &s.facilities {
            let occ = o
                .series(&format!("occupancy.{}", f.name))
                .unwrap_or_default();
            if let Some(d) = f.opens {
                let day = s.day(d);
                for (k, &x) in occ.iter().enumerate() {
                    if ((k + 1) as f64) < day {
                        prop_assert_eq!(x, 0, "{} inside on day {}", f.name, k + 1);
                    }
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(Config {
            cases: 64,
            rng_seed: RngSeed::Fixed(0x0003_CAFE),
            failure_persistence: None,
            ..Config::default()
        })]

        /// Random valid scenarios with version 2 rules and the capacity
        /// rules (overflow of every kind, openings, admission schedules,
        /// release orders of every kind) conserve every detainee after
        /// every event and every evening's overflow, and at every daily
        /// record; checked and unchecked runs agree.
        #[test]
        fn random_capacity_scenarios_conserve_detainees(
            (s, x, c) in scenario().prop_flat_map(|s| {
                let h = f64::from(s.horizon_days);
                (Just(s), v2(h), cap(h))
            }),
            seed in any::<u64>(),
        ) {
            let s = with_capacity(apply(s, x), c);
            prop_assume!(s.validate().is_ok());
            let plan = Plan::new(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for index in 0..2 {
                let checked = plan.replicate_checked(seed, index);
                prop_assert!(checked.is_ok(), "{:?}", checked);
                let o = checked.map_err(|e| TestCaseError::fail(e.to_string()))?;
                check(&s, &o)?;
                prop_assert_eq!(&o, &plan.replicate(seed, index));
            }
        }
    }

    proptest! {
        #![proptest_config(Config {
            cases: 48,
            rng_seed: RngSeed::Fixed(0x0003_3E46),
            failure_persistence: None,
            ..Config::default()
        })]

        /// Random valid scenarios with version 2 rules and every version 3
        /// rule of both kinds (the capacity rules as above; priorities,
        /// routes, other cases, an appeal, deportation) conserve every
        /// detainee after every event and at every daily record, and
        /// their outcomes balance; checked and unchecked runs agree.
        #[test]
        fn random_v3_scenarios_with_every_rule_conserve_detainees(
            (s, x, c, y) in scenario().prop_flat_map(|s| {
                let h = f64::from(s.horizon_days);
                (Just(s), v2(h), cap(h), v3_court(h))
            }),
            seed in any::<u64>(),
        ) {
            let s = with_capacity(apply_v3_court(apply(s, x), y), c);
            prop_assume!(s.validate().is_ok());
            let plan = Plan::new(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for index in 0..2 {
                let checked = plan.replicate_checked(seed, index);
                prop_assert!(checked.is_ok(), "{:?}", checked);
                let o = checked.map_err(|e| TestCaseError::fail(e.to_string()))?;
                check(&s, &o)?;
                check_v3_court(&s, &o)?;
                prop_assert_eq!(&o, &plan.replicate(seed, index));
            }
        }
    }
}
