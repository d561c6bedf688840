//! The model rules of docs/model.md (semantics 1-7), each on a tiny scenario with
//! `fixed` distributions whose every number is computed by hand in the
//! comments. Each test runs [`Plan::replicate_checked`], so conservation is
//! checked after every event as well.
//!
//! The base scenario (see [`base`]): one group `G` of 100, one facility `A`
//! of 1000 beds, convoys of 10 every day from day 0 with a 1-day transit,
//! one court stage `trial` with 1000 servers and a 1000-day service (so
//! nobody leaves custody unless a test says so), conviction probability 1.

use custody_sim::{
    Admission, Dist, Escape, Expansion, Facility, Outcome, Pause, Phase, Plan, Policy,
    Repatriation, Scenario, ServerChange, Stage, simulate,
};

/// Master seed of every run here. The scenarios are built so that the
/// asserted numbers do not depend on it (except where a test says so).
const SEED: u64 = 20_260_121;

/// The base scenario over `horizon` days (see the module docs).
fn base(horizon: u32) -> Scenario {
    use crate::fixtures::{HOLDING_COURT, fixed, group, header, one_phase};
    Scenario::from_toml_str(&format!(
        "{}{}\n{}{}{HOLDING_COURT}",
        header("rules", horizon),
        one_phase(&fixed(1.0), &fixed(1.0), &fixed(10.0)),
        group("G", 100, ""),
        crate::fixtures::facility("A", 1000),
    ))
    .expect("the base scenario is valid")
}

/// A phase of fixed convoys of `size` every `interval` days from `from`.
fn phase(from: f64, interval: f64, size: f64) -> Phase {
    Phase {
        from: from.into(),
        interval_days: Dist::fixed(interval),
        convoy_size: Dist::fixed(size),
    }
}

/// A facility of `capacity` beds with `initial` people inside on day 0.
fn facility(name: &str, capacity: u64, initial: u64) -> Facility {
    Facility::new(name, capacity).with_initial_occupancy(initial)
}

/// Validates and runs replication 0 of [`SEED`], checking conservation
/// after every event; also checks that the unchecked run agrees.
fn run(s: &Scenario) -> Outcome {
    let plan = Plan::new(s).expect("valid scenario");
    let out = plan.replicate_checked(SEED, 0).expect("conservation holds");
    assert_eq!(
        out,
        plan.replicate(SEED, 0),
        "checked and unchecked runs differ"
    );
    out
}

/// The value of metric `name`, which must have one.
fn m(o: &Outcome, name: &str) -> f64 {
    o.metric(name)
        .unwrap_or_else(|| panic!("metric {name} has no value"))
}

/// The daily series `name` (element 0 is day 1).
fn ser<'a>(o: &'a Outcome, name: &str) -> &'a [u32] {
    o.series(name).unwrap_or_else(|| panic!("no series {name}"))
}

// ---------------------------------------------------------------- rule 2

/// Pauses `[2, 4)` and `[6, 6.5)` on a daily timetable skip the departures
/// at 2, 3 and 6 (a pause includes its start), keep the one at 4 (it
/// excludes its end), and the timetable goes on at 4, 5, 7, ... rather
/// than restarting when a pause ends.
#[test]
fn a_pause_skips_departures_and_the_timetable_continues() {
    let mut s = base(10);
    s.groups[0].count = 1000;
    s.transfer.pauses = vec![Pause::new(2.0, 4.0), Pause::new(6.0, 6.5)];
    let o = run(&s);
    // Departures of 10 at 0, 1, 4, 5, 7, 8, 9, 10; arrivals a day later.
    assert_eq!(
        ser(&o, "in_syria"),
        [980, 980, 980, 970, 960, 960, 950, 940, 930, 920]
    );
    assert_eq!(
        ser(&o, "transferred_cumulative"),
        [10, 20, 20, 20, 30, 40, 40, 50, 60, 70]
    );
    assert_eq!(m(&o, "transferred"), 70.0);
    assert_eq!(m(&o, "remaining_in_syria"), 920.0);
    // The convoy of day 10 is still in transit.
    assert_eq!(m(&o, "last_arrival_day"), 11.0);
}

/// Each phase starts with a departure on its `from` day, and a phase's
/// timetable stops where the next phase begins: phase 0 (every 2.5 days)
/// departs at 0 and 2.5 but not at 5, where phase 1 (2 a day) takes over.
#[test]
fn phases_hand_over_on_their_from_day() {
    let mut s = base(8);
    s.transfer.transit_days = Dist::fixed(0.5);
    s.transfer.phases = vec![phase(0.0, 2.5, 1.0), phase(5.0, 1.0, 2.0)];
    let o = run(&s);
    // Departures: 1 at 0, 1 at 2.5, then 2 at 5, 6, 7 and 8.
    assert_eq!(ser(&o, "in_syria"), [99, 99, 98, 98, 96, 94, 92, 90]);
    // Arrivals half a day later; the one of day 8 arrives at 8.5.
    assert_eq!(ser(&o, "transferred_cumulative"), [1, 1, 2, 2, 2, 4, 6, 8]);
}

/// A weekly cap of 100 on daily convoys of 30: 30, 30, 30, 10 in week 0
/// (days 0-6), nothing more until day 7 opens week 1 (weeks are
/// `[7k, 7k + 7)`), and so on.
#[test]
fn the_weekly_cap_caps_each_week_from_day_0() {
    let mut s = base(15);
    s.groups[0].count = 1000;
    s.transfer.transit_days = Dist::fixed(0.5);
    s.transfer.weekly_cap = Some(100);
    s.transfer.phases = vec![phase(0.0, 1.0, 30.0)];
    let o = run(&s);
    // Departed by the end of day d: 60, 90, 100 (day 3: 10), 100 x3, 130,
    // 160, 190, 200 (day 10: 10), 200 x3, 230, 260.
    let departed = [
        60, 90, 100, 100, 100, 100, 130, 160, 190, 200, 200, 200, 200, 230, 260,
    ];
    let in_syria: Vec<u32> = departed.iter().map(|d| 1000 - d).collect();
    assert_eq!(ser(&o, "in_syria"), in_syria);
    assert_eq!(
        ser(&o, "transferred_cumulative"),
        [
            30, 60, 90, 100, 100, 100, 100, 130, 160, 190, 200, 200, 200, 200, 230
        ]
    );
    assert_eq!(m(&o, "transferred"), 230.0);
}

/// `up_to_capacity` holds a convoy to the free beds at departure (capacity
/// minus occupancy, where positive, summed over facilities) less those in
/// transit. A (25 beds, empty) has 25 free; B (10 beds, 30 inside) counts
/// 0, not -20.
#[test]
fn up_to_capacity_holds_convoys_to_free_beds_less_those_in_transit() {
    let mut s = base(8);
    s.transfer.transit_days = Dist::fixed(2.5);
    s.transfer.admission = Admission::UpToCapacity;
    s.facilities = vec![facility("A", 25, 0), facility("B", 10, 30)];
    let o = run(&s);
    // t=0: free 25 -> 10 leave. t=1: 25 - 10 in transit = 15 -> 10.
    // t=2: 25 - 20 = 5 -> 5. From t=3 on: 0 free (25 placed or in transit).
    assert_eq!(ser(&o, "in_syria"), [80, 75, 75, 75, 75, 75, 75, 75]);
    // Arrivals at 2.5, 3.5, 4.5, all to A (least occupied: B is at 300%).
    assert_eq!(ser(&o, "occupancy.A"), [0, 0, 10, 20, 25, 25, 25, 25]);
    assert_eq!(ser(&o, "occupancy.B"), [30; 8]);
    assert_eq!(m(&o, "transferred"), 25.0);
    assert_eq!(m(&o, "facility.A.days_over_capacity"), 0.0);
}

// ---------------------------------------------------------------- rule 3

/// Escape probability 1 with 10 incidents a day empties the pool left after
/// the single convoy of day 0; escaped + transferred + remaining add up.
#[test]
fn certain_escapes_empty_the_pool() {
    let mut s = base(10);
    s.transfer.phases = vec![phase(0.0, 1000.0, 10.0)];
    s.transfer.escape = Some(Escape {
        incident_rate_per_day: 10.0,
        escape_probability: 1.0,
    });
    let o = run(&s);
    // The departure at 0 comes before any incident (at a time > 0); the
    // chance of no incident in 10 days at 10 a day is e^-100.
    assert_eq!(m(&o, "transferred"), 10.0);
    assert_eq!(m(&o, "escaped"), 90.0);
    assert_eq!(m(&o, "remaining_in_syria"), 0.0);
    assert_eq!(ser(&o, "in_syria")[9], 0);
    // Pool empty and nobody in transit: the last arrival is known.
    assert_eq!(m(&o, "last_arrival_day"), 1.0);

    // The same incidents with probability 0 take nobody.
    s.transfer.escape = Some(Escape {
        incident_rate_per_day: 10.0,
        escape_probability: 0.0,
    });
    let o = run(&s);
    assert_eq!(m(&o, "escaped"), 0.0);
    assert_eq!(m(&o, "remaining_in_syria"), 90.0);
    assert_eq!(m(&o, "last_arrival_day"), 11.0);

    // In between, the balance holds whatever the draws.
    s.transfer.escape = Some(Escape {
        incident_rate_per_day: 0.5,
        escape_probability: 0.3,
    });
    s.transfer.phases = vec![phase(0.0, 1.0, 5.0)];
    // A transit of 0 days: nobody is in transit at a record.
    s.transfer.transit_days = Dist::fixed(0.0);
    let o = run(&s);
    let escaped = m(&o, "escaped");
    assert!(escaped > 0.0, "seed {SEED} gives at least one escape");
    assert_eq!(
        escaped + m(&o, "transferred") + m(&o, "remaining_in_syria"),
        100.0
    );
}

// ---------------------------------------------------------------- rule 4

/// `fill_in_order` fills A (15 beds), then B (10), skips C (already over
/// capacity), then falls back to `least_occupied` (ties to the first).
#[test]
fn fill_in_order_fills_in_order_then_falls_back_to_least_occupied() {
    let mut s = base(3);
    s.groups[0].count = 30;
    s.transfer.transit_days = Dist::fixed(0.5);
    s.facilities = vec![
        facility("A", 15, 0),
        facility("B", 10, 0),
        facility("C", 20, 30),
    ];
    s.allocation.policy = Policy::FillInOrder;
    let o = run(&s);
    // Convoy 1 (t=0.5): 10 to A. Convoy 2: 5 to A (full), 5 to B.
    // Convoy 3: 5 to B (full); then least occupied: A 15/15 = B 10/10 < C
    // 30/20, tie -> A 16; B 10/10 < A 16/15 -> B 11; A 16/15 < 11/10 ->
    // A 17; B 11/10 < 17/15 -> B 12; A 17/15 < 12/10 -> A 18.
    assert_eq!(ser(&o, "occupancy.A"), [10, 15, 18]);
    assert_eq!(ser(&o, "occupancy.B"), [0, 5, 12]);
    assert_eq!(ser(&o, "occupancy.C"), [30, 30, 30]);
    assert_eq!(m(&o, "facility.A.first_day_over_capacity"), 3.0);
    assert_eq!(m(&o, "facility.B.peak_occupancy_rate"), 1.2);
}

/// `least_occupied` compares occupancy / capacity exactly and gives ties to
/// the first listed facility, whichever that is.
#[test]
fn least_occupied_ties_go_to_the_first_listed() {
    let mut s = base(2);
    s.groups[0].count = 4;
    let a = facility("A", 20, 10);
    let b = facility("B", 10, 5);

    // A first: 10/20 = 5/10 tie -> A 11; B 5/10 -> B 6; A 11/20 -> A 12;
    // 12/20 = 6/10 tie -> A 13.
    s.facilities = vec![a.clone(), b.clone()];
    let o = run(&s);
    assert_eq!(
        (ser(&o, "occupancy.A")[0], ser(&o, "occupancy.B")[0]),
        (13, 6)
    );

    // B first: tie -> B 6; A 10/20 -> A 11; A 11/20 -> A 12; tie -> B 7.
    s.facilities = vec![b, a];
    let o = run(&s);
    assert_eq!(
        (ser(&o, "occupancy.A")[0], ser(&o, "occupancy.B")[0]),
        (12, 7)
    );
}

/// `proportional` never places anyone in a facility of weight 0.
#[test]
fn proportional_never_uses_a_zero_weight_facility() {
    let mut s = base(2);
    s.groups[0].count = 200;
    s.transfer.phases = vec![phase(0.0, 1000.0, 200.0)];
    s.facilities = vec![
        facility("A", 1000, 0),
        facility("B", 1000, 7),
        facility("C", 1000, 0),
    ];
    s.allocation.policy = Policy::Proportional;
    s.allocation.weights = Some(vec![1.0, 0.0, 3.0]);
    let o = run(&s);
    assert_eq!(ser(&o, "occupancy.B"), [7, 7]);
    let (a, c) = (ser(&o, "occupancy.A")[1], ser(&o, "occupancy.C")[1]);
    assert_eq!(a + c, 200);
    // About 50 and 150; both bounds fail with odds far below 1e-9.
    assert!((20..=80).contains(&a), "A got {a} of 200 at weight 1/4");
}

/// An expansion adds its beds on its day, before that day's record: A (10
/// beds, 8 inside, +5 on day 4) receives one detainee a day.
#[test]
fn an_expansion_adds_beds_on_its_day() {
    let mut s = base(9);
    s.transfer.phases = vec![phase(0.0, 1.0, 1.0)];
    s.facilities = vec![Facility {
        expansions: vec![Expansion {
            day: 4.0.into(),
            beds: 5,
        }],
        ..facility("A", 10, 8)
    }];
    let o = run(&s);
    // Occupancy 9..17 on days 1..9; capacity 10 on days 1-3, 15 from day 4.
    assert_eq!(ser(&o, "occupancy.A"), [9, 10, 11, 12, 13, 14, 15, 16, 17]);
    // Over on day 3 (11 > 10), not on day 4 (12 <= 15), again on 8 and 9.
    assert_eq!(m(&o, "facility.A.days_over_capacity"), 3.0);
    assert_eq!(m(&o, "facility.A.first_day_over_capacity"), 3.0);
    assert_eq!(m(&o, "facility.A.peak_occupancy"), 17.0);
    // 17/15 on day 9; day 4 would give 12/10 = 1.2 without the new beds.
    assert_eq!(m(&o, "facility.A.peak_occupancy_rate"), 17.0 / 15.0);
}

// ---------------------------------------------------------------- rule 5

/// A convoy of 3 arrives at day 1 to one server (10-day service); from day
/// 2.5 there are 3 servers, and the two waiting cases start at once.
#[test]
fn a_server_increase_starts_waiting_cases_at_once() {
    let mut s = base(13);
    s.groups[0].count = 3;
    s.transfer.phases = vec![phase(0.0, 1000.0, 3.0)];
    s.court.stages = vec![Stage::new("trial", 1, Dist::fixed(10.0)).with_change(2.5, 3)];
    let o = run(&s);
    // Starts at 1, 2.5, 2.5; verdicts at 11, 12.5, 12.5.
    assert_eq!(m(&o, "stage.trial.mean_wait_days"), 1.0);
    assert_eq!(m(&o, "stage.trial.completed"), 3.0);
    assert_eq!(m(&o, "stage.trial.peak_queue"), 2.0);
    assert_eq!(&ser(&o, "queue.trial")[..3], [2, 2, 0]);
    assert_eq!(m(&o, "convicted"), 3.0);
    assert_eq!(m(&o, "mean_days_to_verdict"), 11.0);
    assert_eq!(m(&o, "median_days_to_verdict"), 11.5);
}

/// Two servers (5-day service) cut to one on day 2: both cases in service
/// finish at 6; after that only one case at a time is served.
#[test]
fn a_server_cut_never_interrupts_a_case_in_service() {
    let mut s = base(12);
    s.groups[0].count = 4;
    s.transfer.phases = vec![phase(0.0, 1000.0, 4.0)];
    s.court.stages = vec![Stage::new("trial", 2, Dist::fixed(5.0)).with_change(2.0, 1)];
    let o = run(&s);
    // Arrivals at 1: two start (done 6), the third starts at 6 (done 11),
    // the fourth at 11 (done 16, after the horizon).
    assert_eq!(ser(&o, "queue.trial"), [2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 0, 0]);
    assert_eq!(m(&o, "stage.trial.completed"), 3.0);
    assert_eq!(
        m(&o, "stage.trial.mean_wait_days"),
        (0.0 + 0.0 + 5.0 + 10.0) / 4.0
    );
    assert_eq!(m(&o, "convicted"), 3.0);
    assert_eq!(m(&o, "awaiting_verdict"), 1.0);
    assert_eq!(m(&o, "mean_days_to_verdict"), 20.0 / 3.0);
    assert_eq!(m(&o, "median_days_to_verdict"), 5.0);
}

/// The convicted move to `convicted_facility` (or stay where they are
/// without one); the released leave custody.
#[test]
fn verdicts_move_the_convicted_and_free_the_released() {
    let mut s = base(4);
    s.groups[0].count = 5;
    s.transfer.phases = vec![phase(0.0, 1000.0, 5.0)];
    s.facilities = vec![facility("A", 10, 0), facility("Prison", 10, 0)];
    s.allocation.policy = Policy::FillInOrder;
    s.court.stages = vec![Stage::new("trial", 100, Dist::fixed(2.0))];
    // Arrival at 1 (all in A), verdicts at 3.

    s.court.convicted_facility = Some("Prison".into());
    let o = run(&s);
    assert_eq!(ser(&o, "occupancy.A"), [5, 5, 0, 0]);
    assert_eq!(ser(&o, "occupancy.Prison"), [0, 0, 5, 5]);
    assert_eq!(ser(&o, "in_custody"), [5, 5, 5, 5]);
    assert_eq!((m(&o, "convicted"), m(&o, "convicted.G")), (5.0, 5.0));
    assert_eq!((m(&o, "released"), m(&o, "awaiting_verdict")), (0.0, 0.0));
    assert_eq!(m(&o, "mean_days_to_verdict"), 2.0);

    s.court.convicted_facility = None;
    let o = run(&s);
    assert_eq!(ser(&o, "occupancy.A"), [5, 5, 5, 5]);
    assert_eq!(ser(&o, "occupancy.Prison"), [0, 0, 0, 0]);

    s.court.convicted_facility = Some("Prison".into());
    s.court.conviction_probability = 0.0;
    let o = run(&s);
    assert_eq!(ser(&o, "occupancy.A"), [5, 5, 0, 0]);
    assert_eq!(ser(&o, "occupancy.Prison"), [0, 0, 0, 0]);
    assert_eq!(ser(&o, "in_custody"), [5, 5, 0, 0]);
    assert_eq!((m(&o, "convicted"), m(&o, "released")), (0.0, 5.0));
    assert_eq!(m(&o, "median_days_to_verdict"), 2.0);
}

// ---------------------------------------------------------------- rule 6

/// Repatriation takes out a case waiting at a stage and a case in service;
/// the freed server takes the next case at once; the convicted stay.
///
/// Four detainees arrive one a day (w at 1, x at 2, y at 3, z at 4), each
/// with a repatriation time 3.5 days after arrival. Stage `inv`: one
/// server, 2 days. Stage `trial`: one server, half a day, closed (cut to
/// 0) at 3.25.
///
/// - w: inv 1-3, trial 3-3.5 (the cut at 3.25 does not interrupt it),
///   convicted at 3.5; its repatriation at 4.5 is ignored.
/// - x: waits 2-3, inv 3-5, waits at the closed trial, repatriated at 5.5
///   while waiting.
/// - y: waits 3-5, inv from 5, repatriated at 6.5 while in service.
/// - z: waits from 4; takes y's server at 6.5 (not at 7, when y would have
///   finished); repatriated at 7.5 in service.
#[test]
fn repatriation_takes_waiting_and_in_service_cases_and_hands_the_server_on() {
    let mut s = base(10);
    s.groups[0].count = 4;
    s.groups[0].repatriation = Repatriation {
        probability: 1.0,
        delay_days: Some(Dist::fixed(3.5)),
        ..Repatriation::default()
    };
    s.transfer.phases = vec![phase(0.0, 1.0, 1.0)];
    s.court.stages = vec![
        Stage::new("inv", 1, Dist::fixed(2.0)),
        Stage {
            schedule: vec![ServerChange {
                day: 3.25.into(),
                servers: 0,
            }],
            ..Stage::new("trial", 1, Dist::fixed(0.5))
        },
    ];
    let o = run(&s);
    assert_eq!((m(&o, "repatriated"), m(&o, "repatriated.G")), (3.0, 3.0));
    assert_eq!(m(&o, "convicted"), 1.0);
    assert_eq!(m(&o, "awaiting_verdict"), 0.0);
    // inv: w and x finished; y and z left in service.
    assert_eq!(m(&o, "stage.inv.completed"), 2.0);
    // Waits at inv: w 0, x 1, y 2, z 2.5.
    assert_eq!(m(&o, "stage.inv.mean_wait_days"), 5.5 / 4.0);
    assert_eq!(m(&o, "stage.trial.completed"), 1.0);
    assert_eq!(m(&o, "stage.trial.mean_wait_days"), 0.0);
    assert_eq!(
        (
            m(&o, "mean_days_to_verdict"),
            m(&o, "median_days_to_verdict")
        ),
        (2.5, 2.5)
    );
    assert_eq!(ser(&o, "queue.inv"), [0, 1, 1, 2, 1, 1, 0, 0, 0, 0]);
    assert_eq!(ser(&o, "queue.trial"), [0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
    assert_eq!(ser(&o, "in_custody"), [1, 2, 3, 4, 4, 3, 2, 1, 1, 1]);
    assert_eq!(ser(&o, "occupancy.A"), [1, 2, 3, 4, 4, 3, 2, 1, 1, 1]);
}

/// A repatriation time is the later of arrival + delay and `earliest_day`.
#[test]
fn repatriation_waits_for_the_earliest_day() {
    let mut s = base(10);
    s.groups[0].count = 10;
    s.groups[0].repatriation = Repatriation {
        probability: 1.0,
        delay_days: Some(Dist::fixed(0.5)),
        earliest_day: 6.0.into(),
        ..Repatriation::default()
    };
    s.transfer.phases = vec![phase(0.0, 1000.0, 10.0)];
    let o = run(&s);
    // Arrival at 1; repatriation at max(1.5, 6) = 6.
    assert_eq!(ser(&o, "in_custody"), [10, 10, 10, 10, 10, 0, 0, 0, 0, 0]);
    assert_eq!(m(&o, "repatriated"), 10.0);
}

// ---------------------------------------------------------------- horizon

/// Events after the horizon are not processed; events at it are.
#[test]
fn nothing_after_the_horizon_is_processed() {
    let mut s = base(10);
    s.groups[0].count = 40;
    s.transfer.transit_days = Dist::fixed(1.5);
    s.transfer.phases = vec![phase(0.0, 3.0, 10.0)];
    s.court.stages = vec![Stage::new("trial", 1000, Dist::fixed(9.0))];
    let o = run(&s);
    // Departures at 0, 3, 6, 9; the last arrives at 10.5, after the horizon.
    assert_eq!(
        ser(&o, "transferred_cumulative"),
        [0, 10, 10, 10, 20, 20, 20, 30, 30, 30]
    );
    assert_eq!(m(&o, "transferred"), 30.0);
    assert_eq!(m(&o, "remaining_in_syria"), 0.0);
    // Pool empty but 10 in transit: horizon + 1.
    assert_eq!(m(&o, "last_arrival_day"), 11.0);
    // The first verdicts would come at 10.5.
    assert_eq!(m(&o, "stage.trial.completed"), 0.0);
    assert_eq!(o.metric("mean_days_to_verdict"), None);

    // A service of 8.5 days ends exactly at the horizon: processed.
    s.court.stages = vec![Stage::new("trial", 1000, Dist::fixed(8.5))];
    let o = run(&s);
    assert_eq!(m(&o, "stage.trial.completed"), 10.0);
    assert_eq!(m(&o, "convicted"), 10.0);

    // With 30 detainees the pool is empty after day 6: last arrival 7.5.
    s.groups[0].count = 30;
    let o = run(&s);
    assert_eq!(m(&o, "last_arrival_day"), 7.5);

    // An arrival exactly at the horizon counts.
    s.groups[0].count = 40;
    s.transfer.transit_days = Dist::fixed(1.0);
    let o = run(&s);
    assert_eq!(m(&o, "transferred"), 40.0);
    assert_eq!(m(&o, "last_arrival_day"), 10.0);
}

// ---------------------------------------------------------------- rule 7

/// Metrics with no value are `None`; a facility never over capacity has
/// `first_day_over_capacity` = horizon + 1.
#[test]
fn metrics_without_a_value_are_none() {
    let mut s = base(10);
    s.court
        .stages
        .push(Stage::new("appeal", 1, Dist::fixed(1.0)));
    let o = run(&s);
    // Nobody finishes the 1000-day trial: no verdict, nobody at appeal.
    assert_eq!(o.metric("mean_days_to_verdict"), None);
    assert_eq!(o.metric("median_days_to_verdict"), None);
    assert_eq!(o.metric("stage.appeal.mean_wait_days"), None);
    assert_eq!(m(&o, "stage.appeal.completed"), 0.0);
    assert_eq!(m(&o, "stage.trial.mean_wait_days"), 0.0);
    assert_eq!(m(&o, "facility.A.first_day_over_capacity"), 11.0);
    assert_eq!(m(&o, "facility.A.days_over_capacity"), 0.0);
    // 100 arrived by day 10 in 1000 beds.
    assert_eq!(m(&o, "facility.A.peak_occupancy_rate"), 0.1);
    assert_eq!(o.metric("no.such.metric"), None);
    assert_eq!(o.series("no.such.series"), None);

    // Nobody to move: no arrival, so no last arrival day.
    s.groups[0].count = 0;
    let o = run(&s);
    assert_eq!(m(&o, "transferred"), 0.0);
    assert_eq!(o.metric("last_arrival_day"), None);
    assert_eq!(o.metric("stage.trial.mean_wait_days"), None);
}

/// Every series has one value per day; `simulate` is replication 0.
#[test]
fn series_have_one_value_per_day_and_simulate_is_replication_0() {
    let s = base(10);
    let o = simulate(&s, SEED).expect("valid");
    assert_eq!(o, run(&s));
    for name in o.layout().series() {
        assert_eq!(ser(&o, name).len(), 10, "{name}");
    }
    // The record of day d comes after the events at d: the convoy leaving
    // at 0 arrives at 1 and counts on day 1.
    assert_eq!(ser(&o, "transferred_cumulative")[0], 10);
    assert_eq!(ser(&o, "in_syria")[0], 80);
}

/// A convoy with no transit time arrives at its departure time, after any
/// event already scheduled for that same instant (scheduling order). Here
/// a release at t = 1 frees the only bed of A just before the second
/// detainee, departing at t = 1 with zero transit, is placed by
/// `fill_in_order`: it must land in A, not in B.
#[test]
fn a_zero_transit_arrival_comes_after_events_already_due_at_that_instant() {
    let s = Scenario::from_toml_str(
        r#"
name = "tie"
start_date = "2026-01-21"
horizon_days = 3
[transfer]
transit_days = { dist = "fixed", value = 0.0 }
[[transfer.phase]]
from = 0.0
interval_days = { dist = "fixed", value = 1.0 }
convoy_size = { dist = "fixed", value = 1.0 }
[[group]]
name = "g"
count = 2
[[facility]]
name = "A"
capacity = 1
[[facility]]
name = "B"
capacity = 100
[allocation]
policy = "fill_in_order"
[court]
conviction_probability = 0.0
[[court.stage]]
name = "trial"
servers = 1
service_days = { dist = "fixed", value = 1.0 }
"#,
    )
    .unwrap();
    let plan = Plan::new(&s).unwrap();
    let out = plan.replicate_checked(1, 0).unwrap();
    // Day 1: the first detainee was released at t = 1, the second took its bed.
    assert_eq!(out.series("occupancy.A").unwrap()[0], 1);
    assert_eq!(out.series("occupancy.B").unwrap()[0], 0);
    assert_eq!(out.metric("facility.B.peak_occupancy"), Some(0.0));
    assert_eq!(out.metric("released"), Some(2.0));
}
