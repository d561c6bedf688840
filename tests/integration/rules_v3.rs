//! Version 3 of the model as a whole: the capacity rules (18, 19, 25) and
//! the court rules (20-24) together. Where they meet, the kinds of rule
//! 18 know the court's states: "convicted" includes those under appeal,
//! "transferees" and "any" those awaiting deportation; a release order
//! never takes one awaiting deportation, and ends the court or appeal case
//! of a transferee it releases. Each run is checked for conservation after
//! every event ([`Plan::replicate_checked`]).

use custody_sim::{Outcome, Plan, Scenario};

const SEED: u64 = 20_260_325;

/// A scenario of `horizon` days: one group of 100 (with `group`'s extra
/// keys), convoys of 10 leaving every day from day 0 and arriving half a
/// day later (at 0.5, 1.5, …), then `rest`.
fn flow(horizon: u32, group: &str, rest: &str) -> Scenario {
    use crate::fixtures::{fixed, header, one_phase};
    let text = format!(
        "{}{}{}{rest}",
        header("v3", horizon),
        one_phase(&fixed(0.5), &fixed(1.0), &fixed(10.0)),
        crate::fixtures::group("G", 100, group),
    );
    Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// A court that convicts everyone (`p` = 1) or acquits everyone (`p` =
/// 0) one day after arrival, then `more` (an appeal, a sentence).
fn one_day_court(p: f64, more: &str) -> String {
    format!(
        r#"
[court]
conviction_probability = {p:?}

[[court.stage]]
name = "trial"
servers = 1000
service_days = {{ dist = "fixed", value = 1.0 }}
{more}"#
    )
}

/// An appeal of one server whose reviews outlast any horizon here: the
/// first conviction is in review, the others wait.
const SLOW_APPEAL: &str = r#"
[court.appeal]
servers = 1
service_days = { dist = "fixed", value = 1000.0 }
"#;

/// Replication `i`, checked for conservation after every event, equal to
/// the unchecked run.
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

fn metric(o: &Outcome, name: &str) -> f64 {
    o.try_metric(name)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("metric {name} has no value"))
}

fn series(o: &Outcome, name: &str) -> Vec<u32> {
    o.try_series(name)
        .unwrap_or_else(|e| panic!("{e}"))
        .to_vec()
}

/// Overflow of `"convicted"` moves those under appeal, the one in review
/// included: A is kept at half its 20 beds, convictions come one day
/// after arrival and all go to the appeal (one server, endless reviews),
/// and each evening every convicted person leaves A for B, so A holds
/// only the 10 of the day awaiting a verdict. The appeal queue is every
/// conviction but the one in review.
#[test]
fn overflow_of_the_convicted_moves_those_under_appeal() {
    let facilities = r#"
[[facility]]
name = "A"
capacity = 20
overflow = { above = 0.5, to = ["B"], who = "convicted" }

[[facility]]
name = "B"
capacity = 1000

[allocation]
policy = "least_occupied"
facilities = ["A"]
"#;
    let s = flow(
        6,
        "",
        &format!("{facilities}{}", one_day_court(1.0, SLOW_APPEAL)),
    );
    let o = run(&s);
    assert_eq!(series(&o, "occupancy.A"), [10; 6]);
    assert_eq!(series(&o, "occupancy.B"), [0, 10, 20, 30, 40, 50]);
    assert_eq!(series(&o, "convicted_in_custody"), [0, 10, 20, 30, 40, 50]);
    assert_eq!(series(&o, "appeal_queue"), [0, 9, 19, 29, 39, 49]);
    assert_eq!(metric(&o, "overflowed"), 50.0);
    // Those waiting for a verdict are not of kind "convicted": with
    // "awaiting" the convicted under appeal stay in A and the day's
    // arrivals move instead.
    let s = flow(
        6,
        "",
        &format!(
            "{}{}",
            facilities.replace("\"convicted\"", "\"awaiting\""),
            one_day_court(1.0, SLOW_APPEAL)
        ),
    );
    let o = run(&s);
    assert_eq!(series(&o, "occupancy.A"), [10; 6]);
    assert_eq!(series(&o, "appeal_queue"), [0, 9, 19, 29, 39, 49]);
}

/// Overflow of `"transferees"` moves those awaiting deportation: everyone
/// is acquitted one day after arrival and waits 1000 days for
/// deportation, inside; A keeps the 10 of the day and B holds the rest.
#[test]
fn overflow_of_transferees_moves_those_awaiting_deportation() {
    let s = flow(
        6,
        r#"deportation = { delay_days = { dist = "fixed", value = 1000.0 } }"#,
        &format!(
            r#"
[[facility]]
name = "A"
capacity = 20
overflow = {{ above = 0.5, to = ["B"], who = "transferees" }}

[[facility]]
name = "B"
capacity = 1000

[allocation]
policy = "least_occupied"
facilities = ["A"]
{}"#,
            one_day_court(0.0, "")
        ),
    );
    let o = run(&s);
    let waiting = series(&o, "awaiting_deportation");
    assert_eq!(waiting, [0, 10, 20, 30, 40, 50]);
    // At each evening 20 are in A (the day's arrivals and the day's
    // acquittals, now awaiting deportation): 10 of them move, chosen
    // uniformly, so A always ends at 10 and B holds the rest.
    assert_eq!(series(&o, "occupancy.A"), [10; 6]);
    assert_eq!(series(&o, "occupancy.B"), [0, 10, 20, 30, 40, 50]);
    assert_eq!(metric(&o, "overflowed"), 50.0);
}

/// A release order of `"any"` skips those awaiting deportation: by the
/// order at 5.0, the 40 acquitted at 1.5 .. 4.5 wait for deportation and
/// the 10 arrived at 4.5 wait for their verdict; the order releases those
/// 10 alone (and the 30 background inmates), and the 40 stay inside.
#[test]
fn a_release_order_skips_those_awaiting_deportation() {
    let s = flow(
        8,
        r#"deportation = { delay_days = { dist = "fixed", value = 1000.0 } }"#,
        &format!(
            r#"
[[facility]]
name = "A"
capacity = 500
initial_occupancy = 30

[allocation]
policy = "least_occupied"
{}
[[release]]
day = 5.0
facility = "A"
count = 1000
who = "any"
"#,
            one_day_court(0.0, "")
        ),
    );
    let o = run(&s);
    assert_eq!(metric(&o, "released_by_order"), 10.0);
    assert_eq!(
        series(&o, "awaiting_deportation"),
        [0, 10, 20, 30, 40, 40, 50, 60]
    );
    assert_eq!(series(&o, "in_custody"), [10, 20, 30, 40, 40, 50, 60, 70]);
    assert_eq!(series(&o, "occupancy.A"), [40, 50, 60, 70, 40, 50, 60, 70]);
    // Released by the court: every acquittal, the released ones excepted.
    assert_eq!(metric(&o, "released"), 60.0);
    assert_eq!(metric(&o, "deported"), 0.0);
}

/// A release order of `"convicted"` releases those under appeal and ends
/// their appeal case: the one in review frees the appeal's server, which
/// takes the next conviction at once. Convictions at 1.5, 2.5, …; the
/// order at 5.0 releases the 40 convicted, so the appeal queue restarts
/// from the conviction at 5.5.
#[test]
fn a_release_order_ends_the_appeal_case_of_those_it_releases() {
    let s = flow(
        8,
        "",
        &format!(
            r#"
[[facility]]
name = "A"
capacity = 500

[allocation]
policy = "least_occupied"
{}
[[release]]
day = 5.0
facility = "A"
count = 1000
who = "convicted"
"#,
            one_day_court(1.0, SLOW_APPEAL)
        ),
    );
    let o = run(&s);
    assert_eq!(metric(&o, "released_by_order"), 40.0);
    assert_eq!(series(&o, "appeal_queue"), [0, 9, 19, 29, 0, 9, 19, 29]);
    assert_eq!(
        series(&o, "convicted_in_custody"),
        [0, 10, 20, 30, 0, 10, 20, 30]
    );
    assert_eq!(metric(&o, "appeal.queue_at_horizon"), 29.0);
    assert_eq!(metric(&o, "appeal.completed"), 0.0);
    // Every verdict so far was a conviction, released or not.
    assert_eq!(metric(&o, "convicted"), 70.0);
}

/// A scenario with every version 3 rule of both sides: overflow (of the
/// convicted, into a prison that opens later), an admission schedule,
/// release orders of every kind, priorities, routes, other court cases,
/// an appeal with reversals and deportation.
const EVERY_RULE: &str = r#"name = "v3-every-rule"
start_date = "2026-01-21"
horizon_days = 90

[transfer]
transit_days = { dist = "fixed", value = 0.5 }

[[transfer.phase]]
from = 0.0
interval_days = { dist = "exponential", mean = 1.0 }
convoy_size = { dist = "fixed", value = 12.0 }

[[group]]
name = "Iraqi"
count = 500
priority = 1

[[group]]
name = "Foreign"
count = 300
stages = ["trial"]
deportation = { delay_days = { dist = "exponential", mean = 20.0 } }

[[facility]]
name = "Karkh"
capacity = 150
initial_occupancy = 60
overflow = { above = 1.0, to = ["Kut", "Nasiriyah"], who = "convicted" }
background = { admissions_per_day = 0.5, mean_stay_days = 200.0 }

[[facility]]
name = "Kut"
capacity = 200
opens = "2026-02-10"
overflow = { above = 1.1, to = ["Nasiriyah"], who = "transferees" }
background = { admissions_per_day = 0.0, mean_stay_days = 300.0, schedule = [ { day = 30, admissions_per_day = 1.0 } ] }

[[facility]]
name = "Nasiriyah"
capacity = 300
initial_occupancy = 350
background = { admissions_per_day = 1.0, mean_stay_days = 400.0 }

[allocation]
policy = "least_occupied"
facilities = ["Karkh"]

[custody]
mortality_per_year = 0.05

[court]
conviction_probability = 0.7

[[court.stage]]
name = "investigation"
servers = 4
service_days = { dist = "exponential", mean = 3.0 }
other_cases = { per_day = 0.5, priority = 2 }

[[court.stage]]
name = "trial"
servers = 3
service_days = { dist = "exponential", mean = 4.0 }

[[court.sentence]]
name = "term"
probability = 0.8
exit = { kind = "released", after_days = { dist = "exponential", mean = 25.0 } }

[[court.sentence]]
name = "death"
probability = 0.2
exit = { kind = "executed", after_days = { dist = "fixed", value = 10.0 } }

[court.appeal]
servers = 2
service_days = { dist = "exponential", mean = 6.0 }
reversal_probability = 0.2

[[release]]
day = 20
facility = "Nasiriyah"
count = 80

[[release]]
day = 40
facility = "Karkh"
count = 30
who = "convicted"

[[release]]
day = 50
facility = "Kut"
count = 40
who = "any"

[[release]]
day = 60
facility = "Karkh"
count = 20
who = "awaiting"
"#;

/// Every version 3 rule at once: conservation holds after every event in
/// each replication, and the outcome balances (every transferee in one
/// state; overflow and deportation totals the sum of their parts).
#[test]
fn every_v3_rule_together_conserves_and_balances() {
    let s = Scenario::from_toml_str(EVERY_RULE).unwrap_or_else(|e| panic!("{e}"));
    s.validate().expect("valid");
    let plan = Plan::new(&s).expect("valid");
    let h = s.horizon_days as usize;
    let (mut moved, mut by_order, mut reversed, mut deported) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..8 {
        let o = run_i(&plan, i);
        let last = |name: &str| f64::from(series(&o, name)[h - 1]);
        let awaiting = metric(&o, "awaiting_verdict");
        let conv_in = last("convicted_in_custody");
        let waiting = last("awaiting_deportation");
        let by_court = metric(&o, "released")
            + metric(&o, "released_after_sentence")
            + metric(&o, "released_on_appeal");
        // Deaths while awaiting deportation count in `died_in_custody`
        // and in a release by the court.
        let sum = awaiting
            + conv_in
            + by_court
            + metric(&o, "executed")
            + metric(&o, "died_in_custody")
            + metric(&o, "repatriated")
            + metric(&o, "released_by_order");
        let transferred = metric(&o, "transferred");
        assert!(transferred <= sum, "replication {i}: {transferred} > {sum}");
        assert!(
            sum - transferred <= metric(&o, "died_in_custody"),
            "replication {i}: {sum} - {transferred}"
        );
        assert!(metric(&o, "deported") + waiting <= by_court);
        assert_eq!(last("in_custody"), awaiting + conv_in + waiting);
        let out: f64 = ["Karkh", "Kut", "Nasiriyah"]
            .iter()
            .map(|f| metric(&o, &format!("facility.{f}.overflowed_out")))
            .sum();
        assert_eq!(out, metric(&o, "overflowed"));
        assert_eq!(
            metric(&o, "deported.Iraqi") + metric(&o, "deported.Foreign"),
            metric(&o, "deported")
        );
        // Kut holds nobody before it opens on day 20.
        assert!(series(&o, "occupancy.Kut")[..19].iter().all(|&x| x == 0));
        moved += metric(&o, "overflowed");
        by_order += metric(&o, "released_by_order");
        reversed += metric(&o, "released_on_appeal");
        deported += metric(&o, "deported");
    }
    // Each rule acted in some replication.
    for (what, n) in [
        ("overflowed", moved),
        ("released_by_order", by_order),
        ("released_on_appeal", reversed),
        ("deported", deported),
    ] {
        assert!(n > 0.0, "{what} never happened");
    }
}
