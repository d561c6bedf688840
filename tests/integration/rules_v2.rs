//! The version 2 rules of docs/model.md (8-17), each on a small scenario with a
//! hand-computed or analytic value and a stated tolerance. Every run is
//! checked for conservation after every event ([`Plan::replicate_checked`]).
//!
//! Statistical checks follow the crate's style: a fixed seed, R
//! replications, and the analytic value must lie inside the run's own
//! interval, mean ± 4.5 standard errors (a false alarm about once in
//! 150,000 runs of a correct model; a wrong formula misses by many more).

use custody_sim::{Outcome, Plan, Scenario};

use crate::fixtures::{self, fixed};

const SEED: u64 = 20_260_207;

/// A scenario: one group `G` of `count`, convoys of `size` every day from
/// day 0 with transit `transit`, facilities and court from `rest` (TOML
/// appended after `[[group]]`).
fn scenario(horizon: u32, count: u64, size: f64, transit: f64, rest: &str) -> Scenario {
    let text = format!(
        "{}{}{rest}\n",
        fixtures::header("v2", horizon),
        fixtures::one_phase(&fixed(transit), &fixed(1.0), &fixed(size)),
    );
    Scenario::from_toml_str(&text)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .tap(|s| assert_eq!(s.total_detainees(), count))
}

trait Tap: Sized {
    fn tap(self, f: impl FnOnce(&Self)) -> Self {
        f(&self);
        self
    }
}
impl<T> Tap for T {}

/// A court that keeps everyone (1000 servers, 1000-day service).
const SLOW_COURT: &str = fixtures::HOLDING_COURT;

fn group(count: u64, repatriation: &str) -> String {
    fixtures::group("G", count, repatriation)
}

/// Runs replication `i`, checking conservation after every event and that
/// the unchecked run agrees.
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

fn m(o: &Outcome, name: &str) -> f64 {
    o.try_metric(name)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("metric {name} has no value"))
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

// ---------------------------------------------------------------- rule 8

/// `target_total = 35` with convoys of 10 a day: boarding 10, 10, 10, then
/// the fourth convoy cut to 5; 35 transferred exactly, 65 stay in Syria,
/// and no departure after.
#[test]
fn target_total_is_reached_exactly_and_the_last_convoy_cut() {
    let rest = format!(
        "{}\n[[facility]]\nname = \"A\"\ncapacity = 1000\n{SLOW_COURT}",
        group(100, "")
    );
    let mut s = scenario(20, 100, 10.0, 1.0, &rest);
    s.transfer.end = Some(custody_sim::scenario::TransferEnd {
        until_day: None,
        target_total: Some(35),
    });
    let o = run(&s);
    assert_eq!(m(&o, "transferred"), 35.0);
    assert_eq!(m(&o, "remaining_in_syria"), 65.0);
    let cum = o.series("transferred_cumulative").unwrap();
    // Departures 0, 1, 2, 3 arrive on days 1, 2, 3, 4.
    assert_eq!(&cum[..6], &[10, 20, 30, 35, 35, 35]);
    // The pool is not empty: the last arrival day is the sentinel.
    assert_eq!(m(&o, "last_arrival_day"), 21.0);
}

/// `until_day = 3`: departures at 0, 1, 2 only (none at or after day 3);
/// with `target_total` too, whichever comes first.
#[test]
fn until_day_stops_departures_at_that_day() {
    let rest = format!(
        "{}\n[[facility]]\nname = \"A\"\ncapacity = 1000\n{SLOW_COURT}",
        group(100, "")
    );
    let mut s = scenario(20, 100, 10.0, 1.0, &rest);
    s.transfer.end = Some(custody_sim::scenario::TransferEnd {
        until_day: Some(3.0.into()),
        target_total: Some(50),
    });
    assert_eq!(m(&run(&s), "transferred"), 30.0);
    s.transfer.end = Some(custody_sim::scenario::TransferEnd {
        until_day: Some(3.0.into()),
        target_total: Some(25),
    });
    assert_eq!(m(&run(&s), "transferred"), 25.0);
}

// ---------------------------------------------------------------- rule 9

/// `facilities = ["C", "A"]` with `fill_in_order`: C (5 beds) fills first,
/// then A; B, unlisted, receives nobody. With `up_to_capacity`, only C's
/// and A's free beds count: 5 + 10 = 15 move, though B has 1000 free.
#[test]
fn receiving_facilities_are_used_in_listed_order_and_count_alone() {
    let facs = r#"
[[facility]]
name = "A"
capacity = 10

[[facility]]
name = "B"
capacity = 1000

[[facility]]
name = "C"
capacity = 5

[allocation]
policy = "fill_in_order"
facilities = ["C", "A"]
"#;
    let rest = format!("{}{facs}{SLOW_COURT}", group(100, ""));
    let s = scenario(10, 100, 4.0, 0.5, &rest);
    let o = run(&s);
    let occ = |f: &str| o.series(&format!("occupancy.{f}")).unwrap().to_vec();
    // Day 1: 4 in C; day 2: 5 in C, 3 in A; then A until full, then the
    // least occupied of the two (A at 10/10 vs C at 5/5: tie, C first).
    assert_eq!(occ("C")[..2], [4, 5]);
    assert_eq!(occ("A")[..2], [0, 3]);
    assert!(occ("B").iter().all(|&x| x == 0));
    let mut s = s;
    s.transfer.admission = custody_sim::Admission::UpToCapacity;
    let o = run(&s);
    assert_eq!(m(&o, "transferred"), 15.0);
}

/// `proportional` with `weights` per listed name: a zero weight for the
/// first listed sends everyone to the second.
#[test]
fn weights_belong_to_the_listed_names() {
    let facs = r#"
[[facility]]
name = "A"
capacity = 10

[[facility]]
name = "B"
capacity = 10

[allocation]
policy = "proportional"
facilities = ["B", "A"]
weights = [0.0, 1.0]
"#;
    let rest = format!("{}{facs}{SLOW_COURT}", group(50, ""));
    let o = run(&scenario(10, 50, 10.0, 1.0, &rest));
    assert_eq!(m(&o, "facility.A.peak_occupancy"), 50.0);
    assert_eq!(m(&o, "facility.B.peak_occupancy"), 0.0);
}

// ---------------------------------------------------------------- rule 10

/// 400 convicted at day 1 + 1: sentences `a` (0.25, to facility P, exit
/// released after 10 days with probability 0.5) and `b` (0.75, executed
/// after 5 days). Shares, moves and exits against their binomial laws, over
/// 40 replications; hand checks of each replication's balance.
#[test]
fn sentences_share_out_move_and_exit_by_their_laws() {
    let court = r#"
[[facility]]
name = "A"
capacity = 1000

[[facility]]
name = "P"
capacity = 1000

[allocation]
policy = "fill_in_order"
facilities = ["A"]

[court]
conviction_probability = 1.0

[[court.stage]]
name = "trial"
servers = 1000
service_days = { dist = "fixed", value = 1.0 }

[[court.sentence]]
name = "a"
probability = 0.25
facility = "P"
exit = { kind = "released", after_days = { dist = "fixed", value = 10.0 }, probability = 0.5 }

[[court.sentence]]
name = "b"
probability = 0.75
exit = { kind = "executed", after_days = { dist = "fixed", value = 5.0 } }
"#;
    let rest = format!("{}{court}", group(400, ""));
    let s = scenario(30, 400, 400.0, 1.0, &rest);
    let plan = Plan::new(&s).unwrap();
    for i in 0..3 {
        let o = run_i(&plan, i);
        let (a, b) = (m(&o, "sentenced.a"), m(&o, "sentenced.b"));
        assert_eq!(a + b, 400.0);
        assert_eq!(m(&o, "executed"), b);
        // P holds the `a` who were not released on day 12.
        assert_eq!(
            m(&o, "facility.P.occupancy_at_horizon"),
            a - m(&o, "released_after_sentence")
        );
        assert_eq!(m(&o, "facility.A.occupancy_at_horizon"), 0.0);
        let conv = o.series("convicted_in_custody").unwrap();
        // Verdict at day 2: all 400 in custody on day 2; `b` executed on
        // day 7; `a` released on day 12.
        assert_eq!(conv[1], 400);
        assert_eq!(f64::from(conv[6]), a);
        assert_eq!(f64::from(conv[11]), a - m(&o, "released_after_sentence"));
        assert_eq!(m(&o, "convicted"), 400.0);
    }
    // Shares: E[a] = 100, E[released] = 400 · 0.25 · 0.5 = 50.
    assert_inside(
        "sentenced.a",
        100.0,
        mean_se(&s, 40, |o| m(o, "sentenced.a")),
    );
    assert_inside(
        "released_after_sentence",
        50.0,
        mean_se(&s, 40, |o| m(o, "released_after_sentence")),
    );
}

// ---------------------------------------------------------------- rule 11

/// 1000 arrive on day 1 and stay (slow court); mortality 0.5 per year. By
/// the horizon T = 200 each has been in custody 199 days, so the expected
/// deaths are n(1 − e^(−rate·199/365.25)) = 1000 (1 − e^(−0.2724...)) ≈
/// 238.4; checked against the run's interval over 40 replications.
#[test]
fn deaths_in_custody_follow_the_constant_hazard() {
    let rest = format!(
        "{}\n[custody]\nmortality_per_year = 0.5\n\n[[facility]]\nname = \"A\"\ncapacity = 1000\n{SLOW_COURT}",
        group(1000, "")
    );
    let s = scenario(200, 1000, 1000.0, 1.0, &rest);
    let expected = 1000.0 * (1.0 - (-0.5 * 199.0 / 365.25_f64).exp());
    assert_inside(
        "died_in_custody",
        expected,
        mean_se(&s, 40, |o| m(o, "died_in_custody")),
    );
    let o = run(&s);
    let died = m(&o, "died_in_custody");
    assert_eq!(m(&o, "awaiting_verdict"), 1000.0 - died);
    assert_eq!(m(&o, "facility.A.occupancy_at_horizon"), 1000.0 - died);
}

/// Death while in service frees the server, which takes the next case at
/// once: 1 server, mortality so high that nearly everyone dies within
/// days; the queue drains faster than a 1000-day service would allow.
#[test]
fn a_death_in_service_hands_the_server_on() {
    let court = r#"
[[facility]]
name = "A"
capacity = 1000

[custody]
mortality_per_year = 36.525

[court]
conviction_probability = 1.0

[[court.stage]]
name = "trial"
servers = 1
service_days = { dist = "fixed", value = 1000.0 }
"#;
    let rest = format!("{}{court}", group(20, ""));
    let o = run(&scenario(300, 20, 20.0, 1.0, &rest));
    // Mean life 10 days: all 20 die by the horizon (P(a survivor) ≈ 20 e^-30).
    assert_eq!(m(&o, "died_in_custody"), 20.0);
    assert_eq!(m(&o, "stage.trial.queue_at_horizon"), 0.0);
    assert_eq!(m(&o, "stage.trial.completed"), 0.0);
    // Nobody finishes a 1000-day service, so a case could only start
    // after waiting if a death handed a server on: the mean wait of the
    // cases that started is positive (it is 0 with one start only).
    assert!(m(&o, "stage.trial.mean_wait_days") > 0.0);
}

// ---------------------------------------------------------------- rule 12

/// Background: N0 = 3000 inside on day 0, a = 4 per day, m = 50 days. The
/// expected count on day t is N0·e^(−t/m) + a·m·(1 − e^(−t/m)); on days 10,
/// 50 and 200 (1 + 3000·0.8187 + 200·0.1813, ...), over 60 replications.
/// No transferee arrives there (another facility receives).
#[test]
fn background_mean_follows_the_formula() {
    let facs = r#"
[[facility]]
name = "A"
capacity = 1000

[[facility]]
name = "K"
capacity = 2000
initial_occupancy = 3000
background = { admissions_per_day = 4.0, mean_stay_days = 50.0 }

[allocation]
policy = "fill_in_order"
facilities = ["A"]
"#;
    let rest = format!("{}{facs}{SLOW_COURT}", group(10, ""));
    let s = scenario(200, 10, 10.0, 1.0, &rest);
    for t in [10usize, 50, 200] {
        let tf = t as f64;
        let expected = 3000.0 * (-tf / 50.0).exp() + 4.0 * 50.0 * (1.0 - (-tf / 50.0).exp());
        assert_inside(
            &format!("occupancy.K on day {t}"),
            expected,
            mean_se(&s, 60, |o| {
                f64::from(o.series("occupancy.K").unwrap()[t - 1])
            }),
        );
    }
    // Excess detainee-days count the background: hand check on one run.
    let o = run(&s);
    let occ = o.series("occupancy.K").unwrap();
    let excess: u64 = occ.iter().map(|&x| u64::from(x).saturating_sub(2000)).sum();
    assert_eq!(m(&o, "facility.K.excess_detainee_days"), excess as f64);
    assert_eq!(
        m(&o, "facility.K.occupancy_at_horizon"),
        f64::from(occ[199])
    );
}

/// Without admissions, a background that turns over only shrinks, and its
/// variance matches the binomial: on day 30 with N0 = 2000 and m = 30, the
/// count is Binomial(2000, e^-1); the run's mean lies in its interval.
#[test]
fn background_without_admissions_is_binomial() {
    let facs = r#"
[[facility]]
name = "K"
capacity = 5000
initial_occupancy = 2000
background = { mean_stay_days = 30.0 }
"#;
    let rest = format!("{}{facs}{SLOW_COURT}", group(1, ""));
    let s = scenario(30, 1, 1.0, 100.0, &rest);
    let o = run(&s);
    let occ = o.series("occupancy.K").unwrap();
    assert!(occ.windows(2).all(|w| w[1] <= w[0]), "only shrinks");
    let p = (-1.0_f64).exp();
    assert_inside(
        "day 30",
        2000.0 * p,
        mean_se(&s, 60, |o| f64::from(o.series("occupancy.K").unwrap()[29])),
    );
}

// ---------------------------------------------------------------- rule 13

/// Relocation on day 5 of 50 background inmates from K to A, then on day
/// 6 of 30 transferees from A to B, then on day 7 of up to 1000 of anyone
/// from B back to K: people are conserved, `relocated` counts those moved
/// (50 + 30 + 30), and moved transferees keep their court case.
#[test]
fn relocations_move_people_and_conserve_them() {
    let facs = r#"
[[facility]]
name = "A"
capacity = 1000

[[facility]]
name = "B"
capacity = 1000

[[facility]]
name = "K"
capacity = 1000
initial_occupancy = 500

[allocation]
policy = "fill_in_order"
facilities = ["A"]

[[relocation]]
day = 5.0
from = "K"
to = "A"
count = 50
who = "background"

[[relocation]]
day = 6.0
from = "A"
to = "B"
count = 30
who = "transferees"

[[relocation]]
day = "2026-01-28"
from = "B"
to = "K"
count = 1000
"#;
    let rest = format!("{}{facs}{SLOW_COURT}", group(100, ""));
    let o = run(&scenario(10, 100, 100.0, 1.0, &rest));
    let occ = |f: &str| o.series(&format!("occupancy.{f}")).unwrap().to_vec();
    // Day 4: A 100, K 500. Day 5: A 150, K 450. Day 6: A 120, B 30.
    // Day 7 (2026-01-28): B's 30 go to K.
    assert_eq!((occ("A")[3], occ("K")[3]), (100, 500));
    assert_eq!((occ("A")[4], occ("K")[4]), (150, 450));
    assert_eq!((occ("A")[5], occ("B")[5]), (120, 30));
    assert_eq!((occ("B")[6], occ("K")[6]), (0, 480));
    assert_eq!(m(&o, "relocated"), 110.0);
    assert_eq!(m(&o, "awaiting_verdict"), 100.0);
    for d in 0..10 {
        // 500 inside and 100 arrived on day 1.
        assert_eq!(
            occ("A")[d] + occ("B")[d] + occ("K")[d],
            600,
            "day {}",
            d + 1
        );
    }
}

// ---------------------------------------------------------------- rule 14

/// A quota of 30 of a group of 100 all chosen, delay 1 day: exactly 30
/// repatriated, the other 70 stay (their case goes on), never retried.
#[test]
fn a_quota_is_reached_exactly() {
    let rep = r#"repatriation = { probability = 1.0, delay_days = { dist = "fixed", value = 1.0 }, quota = 30 }"#;
    let rest = format!(
        "{}\n[[facility]]\nname = \"A\"\ncapacity = 1000\n{SLOW_COURT}",
        group(100, rep)
    );
    let o = run(&scenario(20, 100, 10.0, 1.0, &rest));
    assert_eq!(m(&o, "repatriated"), 30.0);
    assert_eq!(m(&o, "repatriated.G"), 30.0);
    assert_eq!(m(&o, "awaiting_verdict"), 70.0);
    let cum = o.series("repatriated_cumulative").unwrap();
    // Convoys arrive days 1, 2, 3, ...; each is repatriated a day later.
    assert_eq!(&cum[..5], &[0, 10, 20, 30, 30]);
}

/// `eligible_after = "verdict"` with `after_conviction`: the convicted
/// leave from prison `delay` after the verdict; with `eligible_after =
/// "trial"` (the last stage) the verdict comes first, so only the
/// convicted go, and without `after_conviction` nobody does.
#[test]
fn repatriation_after_conviction_and_after_the_last_stage() {
    let court = r#"
[[facility]]
name = "A"
capacity = 1000

[court]
conviction_probability = 1.0

[[court.stage]]
name = "trial"
servers = 1000
service_days = { dist = "fixed", value = 2.0 }
"#;
    for (elig, after, want) in [
        ("verdict", true, 50.0),
        ("trial", true, 50.0),
        ("trial", false, 0.0),
    ] {
        let rep = format!(
            r#"repatriation = {{ probability = 1.0, delay_days = {{ dist = "fixed", value = 3.0 }}, eligible_after = "{elig}", after_conviction = {after} }}"#
        );
        let rest = format!("{}{court}", group(50, &rep));
        let o = run(&scenario(20, 50, 50.0, 1.0, &rest));
        assert_eq!(m(&o, "repatriated"), want, "{elig} {after}");
        assert_eq!(m(&o, "convicted"), 50.0);
        let conv = o.series("convicted_in_custody").unwrap();
        // Arrival day 1, verdict day 3, repatriation day 6.
        assert_eq!(conv[2], 50);
        assert_eq!(f64::from(conv[5]), 50.0 - want);
    }
}

/// Repatriation after investigation RISES with faster courts: the clock
/// starts when the investigation ends, so the faster the investigation,
/// the more are repatriated before a slow trial's verdict. Investigation
/// 40 servers vs 10, over 30 replications each; the difference is far
/// beyond the runs' standard errors.
#[test]
fn repatriation_after_investigation_rises_with_faster_courts() {
    let mk = |servers: u64| {
        let court = format!(
            r#"
[[facility]]
name = "A"
capacity = 1000

[court]
conviction_probability = 0.9

[[court.stage]]
name = "investigation"
servers = {servers}
service_days = {{ dist = "exponential", mean = 20.0 }}

[[court.stage]]
name = "trial"
servers = 2
service_days = {{ dist = "exponential", mean = 10.0 }}
"#
        );
        let rep = r#"repatriation = { probability = 0.8, delay_days = { dist = "uniform", low = 10.0, high = 30.0 }, eligible_after = "investigation" }"#;
        scenario(180, 400, 50.0, 1.0, &format!("{}{court}", group(400, rep)))
    };
    let slow = mean_se(&mk(10), 30, |o| m(o, "repatriated"));
    let fast = mean_se(&mk(40), 30, |o| m(o, "repatriated"));
    assert!(
        fast.0 - fast.1 * 4.5 > slow.0 + slow.1 * 4.5,
        "faster courts: {fast:?}, slower: {slow:?}"
    );
    run(&mk(40));
}

// ---------------------------------------------------------------- rule 15

/// A court with 0 servers until day 10, then 1000: nobody is served before
/// day 10 (cases queue), all start on day 10 at once.
#[test]
fn a_court_that_opens_later_queues_until_it_opens() {
    let court = r#"
[[facility]]
name = "A"
capacity = 1000

[court]
conviction_probability = 1.0

[[court.stage]]
name = "trial"
servers = 0
service_days = { dist = "fixed", value = 1.0 }
schedule = [ { day = 10.0, servers = 1000 } ]
"#;
    let rest = format!("{}{court}", group(40, ""));
    let o = run(&scenario(20, 40, 10.0, 1.0, &rest));
    let q = o.series("queue.trial").unwrap();
    // Arrivals on days 1-4; queue grows to 40 and empties on day 10.
    assert_eq!(&q[..4], &[10, 20, 30, 40]);
    assert_eq!(q[8], 40);
    assert_eq!(q[9], 0);
    assert_eq!(m(&o, "convicted"), 40.0);
    // Waits: from days 1, 2, 3, 4 to day 10: mean 7.5.
    assert_eq!(m(&o, "stage.trial.mean_wait_days"), 7.5);
}

// ---------------------------------------------------------------- rule 17

/// Cost: occupancy × cost per detainee-day over the end-of-day records,
/// background included; A costs 2 per day, K 0.5; K holds 100 and never
/// changes, A receives 10 a day from day 1.
#[test]
fn custody_cost_sums_occupancy_times_cost() {
    let facs = r#"
[[facility]]
name = "A"
capacity = 1000
cost_per_detainee_day = 2.0

[[facility]]
name = "K"
capacity = 1000
initial_occupancy = 100
cost_per_detainee_day = 0.5

[allocation]
policy = "fill_in_order"
facilities = ["A"]
"#;
    let rest = format!("{}{facs}{SLOW_COURT}", group(50, ""));
    let o = run(&scenario(10, 50, 10.0, 1.0, &rest));
    // A on days 1..10: 10, 20, 30, 40, 50, 50, 50, 50, 50, 50 = 400.
    assert_eq!(m(&o, "custody_cost"), 2.0 * 400.0 + 0.5 * 100.0 * 10.0);
    // Not reported without a cost, nor `sentenced.*` without sentences.
    let rest = format!(
        "{}\n[[facility]]\nname = \"A\"\ncapacity = 1000\n{SLOW_COURT}",
        group(5, "")
    );
    let o = run(&scenario(5, 5, 5.0, 1.0, &rest));
    assert!(o.try_metric("custody_cost").is_err());
    assert!(
        !o.layout()
            .metrics()
            .iter()
            .any(|n| n.starts_with("sentenced."))
    );
}
