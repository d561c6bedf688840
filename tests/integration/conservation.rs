//! Conservation under proptest: random valid small scenarios (every kind of
//! distribution, pauses, phases, weekly caps, admission rules, escapes,
//! repatriation, the three allocation policies, server schedules, bed
//! expansions, a convicted facility, horizons of 1 to 200 days) never make
//! [`Plan::replicate_checked`] fail or panic, and their outcomes balance:
//! every detainee is accounted for, per-group metrics add up to the totals,
//! and every series has one value per day that agrees with the metrics.
//!
//! The proptest seed is fixed and failures are not persisted to files, so a
//! run is reproducible and writes nothing.

use custody_sim::{
    Admission, Allocation, Court, Dist, Escape, Expansion, Facility, Group, Outcome, Pause, Phase,
    Plan, Policy, Repatriation, Scenario, ServerChange, Stage, Transfer,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// A distribution of any of the 8 kinds with valid parameters and a mean
/// of the order of `scale` (> 0); `positive` forces a mean above 0.
fn dist(scale: f64, positive: bool) -> impl Strategy<Value = Dist> {
    let lo = if positive { 0.01 * scale } else { 0.0 };
    let int_hi = (scale.ceil() as i64).max(1);
    prop_oneof![
        (lo..=2.0 * scale).prop_map(Dist::fixed),
        (0.05 * scale..=2.0 * scale).prop_map(Dist::exponential),
        (0.0..=scale, lo..=scale).prop_map(|(low, w)| Dist::uniform(low, low + w)),
        (0..=int_hi, 0..=int_hi).prop_map(move |(low, w)| {
            // A mean above 0 needs high >= 1.
            let high = if positive { (low + w).max(1) } else { low + w };
            Dist::uniform_int(low, high)
        }),
        (0.0..=scale, 0.01 * scale..=scale, 0.0..=1.0f64).prop_map(|(low, w, f)| {
            Dist::Triangular {
                low,
                mode: low + f * w,
                high: low + w,
            }
        }),
        (0.05 * scale..=2.0 * scale, 0.01 * scale..=2.0 * scale)
            .prop_map(|(mean, sd)| Dist::lognormal(mean, sd)),
        (0.05 * scale..=2.0 * scale, 0.01 * scale..=2.0 * scale)
            .prop_map(|(mean, sd)| Dist::gamma(mean, sd)),
        (0.05 * scale..=2.0 * scale).prop_map(|mean| Dist::Poisson { mean }),
    ]
}

/// A probability, with the end points 0 and 1 often.
fn probability() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64]
}

/// An escape probability: mostly small, sometimes 0 or 1.
fn escape_probability() -> impl Strategy<Value = f64> {
    prop_oneof![4 => 0.0..=0.05f64, 1 => Just(0.0), 1 => Just(1.0)]
}

/// 1 to 3 phases in increasing `from` order.
fn phases(h: f64) -> impl Strategy<Value = Vec<Phase>> {
    prop::collection::vec((0.0..=h / 2.0, dist(3.0, true), dist(40.0, false)), 1..=3).prop_map(
        |raw| {
            let mut from = 0.0;
            raw.into_iter()
                .enumerate()
                .map(|(i, (gap, interval_days, convoy_size))| {
                    // The first phase starts in [0, h/2]; each next one later.
                    from += if i == 0 { gap } else { gap + 0.5 };
                    Phase {
                        from: from.into(),
                        interval_days,
                        convoy_size,
                    }
                })
                .collect()
        },
    )
}

fn transfer(h: f64) -> impl Strategy<Value = Transfer> {
    (
        dist(2.0, false),
        prop::option::of(0u64..=300),
        any::<bool>(),
        prop::collection::vec((0.0..=h, 0.1..=h / 2.0 + 0.1), 0..=3),
        phases(h),
        prop::option::of((0.0..=1.0f64, escape_probability())),
    )
        .prop_map(
            |(transit_days, weekly_cap, up_to, pauses, phases, escape)| Transfer {
                transit_days,
                weekly_cap,
                admission: if up_to {
                    Admission::UpToCapacity
                } else {
                    Admission::Unlimited
                },
                pauses: pauses
                    .into_iter()
                    .map(|(from, len)| Pause::new(from, from + len))
                    .collect(),
                phases,
                escape: escape.map(|(incident_rate_per_day, escape_probability)| Escape {
                    incident_rate_per_day,
                    escape_probability,
                }),
                end: None,
            },
        )
}

fn groups(h: f64) -> impl Strategy<Value = Vec<Group>> {
    prop::collection::vec(
        (
            0u64..300,
            prop::option::of((probability(), dist(h / 2.0, false), 0.0..=h)),
        ),
        1..=4,
    )
    .prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(i, (count, rep))| Group {
                name: format!("g{i}"),
                count,
                repatriation: rep.map_or_else(
                    Repatriation::default,
                    |(probability, d, earliest_day)| Repatriation {
                        probability,
                        delay_days: Some(d),
                        earliest_day: earliest_day.into(),
                        ..Repatriation::default()
                    },
                ),
                priority: 0,
                stages: None,
                deportation: None,
            })
            .collect()
    })
}

fn facilities(h: f64) -> impl Strategy<Value = Vec<Facility>> {
    prop::collection::vec(
        (
            1u64..=500,
            0u64..=500,
            prop::collection::vec((0.0..=1.2 * h, 0u64..=200), 0..=3),
        ),
        1..=3,
    )
    .prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(i, (capacity, initial_occupancy, exp))| Facility {
                name: format!("f{i}"),
                capacity,
                initial_occupancy,
                expansions: exp
                    .into_iter()
                    .map(|(day, beds)| Expansion {
                        day: day.into(),
                        beds,
                    })
                    .collect(),
                background: None,
                cost_per_detainee_day: None,
                overflow: None,
                opens: None,
            })
            .collect()
    })
}

fn stages(h: f64) -> impl Strategy<Value = Vec<Stage>> {
    prop::collection::vec(
        (
            1u64..=20,
            dist(h / 10.0 + 0.5, false),
            prop::collection::vec((0.0..=1.2 * h, 0u64..=10), 0..=3),
        ),
        1..=3,
    )
    .prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(i, (servers, service_days, sched))| Stage {
                name: format!("s{i}"),
                servers,
                service_days,
                schedule: sched
                    .into_iter()
                    .map(|(day, servers)| ServerChange {
                        day: day.into(),
                        servers,
                    })
                    .collect(),
                other_cases: None,
            })
            .collect()
    })
}

/// A random valid scenario.
pub(super) fn scenario() -> impl Strategy<Value = Scenario> {
    (1u32..=200).prop_flat_map(|horizon_days| {
        let h = f64::from(horizon_days);
        (
            transfer(h),
            groups(h),
            facilities(h),
            0u8..3,
            prop::collection::vec(prop_oneof![Just(0.0), 0.0..=5.0f64], 3),
            probability(),
            prop::option::of(0usize..3),
            stages(h),
        )
            .prop_map(
                move |(transfer, groups, facilities, policy, mut w, conviction, cf, stages)| {
                    let nf = facilities.len();
                    w.truncate(nf);
                    if w.iter().all(|&x| x == 0.0) {
                        w[nf - 1] = 1.0;
                    }
                    let allocation = match policy {
                        0 => Allocation::default(),
                        1 => Allocation {
                            policy: Policy::FillInOrder,
                            weights: None,
                            facilities: None,
                        },
                        _ => Allocation {
                            policy: Policy::Proportional,
                            weights: Some(w),
                            facilities: None,
                        },
                    };
                    let convicted_facility = cf.map(|i| facilities[i % nf].name.clone());
                    Scenario {
                        name: "prop".into(),
                        start_date: "2026-01-21".parse().unwrap(),
                        horizon_days,
                        transfer,
                        groups,
                        facilities,
                        allocation,
                        court: Court {
                            conviction_probability: conviction,
                            convicted_facility,
                            stages,
                            sentences: Vec::new(),
                            appeal: None,
                        },
                        custody: Default::default(),
                        relocations: Vec::new(),
                        releases: Vec::new(),
                        uncertainty: None,
                        variants: Vec::new(),
                        applied: Default::default(),
                    }
                },
            )
    })
}

/// Metric `name`, which must have a value.
fn m(o: &Outcome, name: &str) -> f64 {
    o.metric(name)
        .unwrap_or_else(|| panic!("metric {name} has no value"))
}

/// Checks the balances of one outcome of `s` at the horizon.
fn check_outcome(s: &Scenario, o: &Outcome) -> Result<(), TestCaseError> {
    let h = s.horizon_days as usize;
    let total = s.total_detainees() as f64;
    let transferred = m(o, "transferred");
    let escaped = m(o, "escaped");
    let remaining = m(o, "remaining_in_syria");
    let (repatriated, released, convicted, awaiting) = (
        m(o, "repatriated"),
        m(o, "released"),
        m(o, "convicted"),
        m(o, "awaiting_verdict"),
    );

    // Everyone who left the pool: in transit, or arrived and then in one
    // state of the court pipeline.
    let in_transit = total - transferred - escaped - remaining;
    prop_assert!(in_transit >= 0.0, "in transit {in_transit} < 0");
    prop_assert_eq!(transferred, repatriated + released + convicted + awaiting);

    // Per group.
    let sum = |what: &str| -> f64 {
        s.groups
            .iter()
            .map(|g| m(o, &format!("{what}.{}", g.name)))
            .sum()
    };
    prop_assert_eq!(sum("transferred"), transferred);
    prop_assert_eq!(sum("repatriated"), repatriated);
    prop_assert_eq!(sum("convicted"), convicted);
    for g in &s.groups {
        let moved = m(o, &format!("transferred.{}", g.name));
        prop_assert!(moved <= g.count as f64, "group {} moved {}", g.name, moved);
        if g.repatriation.probability == 0.0 {
            prop_assert_eq!(m(o, &format!("repatriated.{}", g.name)), 0.0);
        }
    }
    if s.court.conviction_probability == 0.0 {
        prop_assert_eq!(convicted, 0.0);
    }
    if s.court.conviction_probability == 1.0 {
        prop_assert_eq!(released, 0.0);
    }
    if s.transfer.escape.is_none() {
        prop_assert_eq!(escaped, 0.0);
    }

    // Last arrival: known only when the pool is empty and nobody is in
    // transit; otherwise horizon + 1.
    let last = o.metric("last_arrival_day");
    if remaining == 0.0 && in_transit == 0.0 {
        if transferred > 0.0 {
            let l = last.unwrap_or(f64::NAN);
            prop_assert!((0.0..=h as f64).contains(&l), "last arrival {l}");
        } else {
            prop_assert_eq!(last, None);
        }
    } else {
        prop_assert_eq!(last, Some(h as f64 + 1.0));
    }

    // Every series has one value per day, and the last agrees with the
    // metrics.
    for name in o.layout().series() {
        let series = o.series(name).unwrap_or_default();
        prop_assert_eq!(series.len(), h, "series {}", name);
    }
    let last_of = |name: &str| f64::from(o.series(name).unwrap_or_default()[h - 1]);
    prop_assert_eq!(last_of("in_syria"), remaining);
    prop_assert_eq!(last_of("transferred_cumulative"), transferred);
    prop_assert_eq!(last_of("in_custody"), awaiting + convicted);
    let initial: u64 = s.facilities.iter().map(|f| f.initial_occupancy).sum();
    let beds: f64 = s
        .facilities
        .iter()
        .map(|f| last_of(&format!("occupancy.{}", f.name)))
        .sum();
    prop_assert_eq!(beds, initial as f64 + awaiting + convicted);
    let syria = o.series("in_syria").unwrap_or_default();
    let custody = o.series("in_custody").unwrap_or_default();
    for (d, &people) in custody.iter().enumerate() {
        let beds: u64 = s
            .facilities
            .iter()
            .map(|f| {
                u64::from(
                    o.series(&format!("occupancy.{}", f.name))
                        .unwrap_or_default()[d],
                )
            })
            .sum();
        prop_assert_eq!(beds, initial + u64::from(people), "day {}", d + 1);
    }
    prop_assert!(
        syria.windows(2).all(|w| w[0] >= w[1]),
        "the pool never refills"
    );
    let cumulative = o.series("transferred_cumulative").unwrap_or_default();
    prop_assert!(cumulative.windows(2).all(|w| w[0] <= w[1]));

    // Facilities: peaks and counts agree with the series.
    for (i, f) in s.facilities.iter().enumerate() {
        let occ = o
            .series(&format!("occupancy.{}", f.name))
            .unwrap_or_default();
        let key = |k: &str| format!("facility.{}.{k}", f.name);
        let peak = occ.iter().copied().max().unwrap_or(0);
        prop_assert_eq!(m(o, &key("peak_occupancy")), f64::from(peak));
        prop_assert!(occ.iter().all(|&x| u64::from(x) >= f.initial_occupancy));
        // Capacity on day d: expansions on or before d count.
        let cap = |d: usize| -> u64 {
            f.capacity
                + f.expansions
                    .iter()
                    .filter(|e| e.day.days_from(s.start_date) <= d as f64)
                    .map(|e| e.beds)
                    .sum::<u64>()
        };
        let over: Vec<usize> = (1..=h)
            .filter(|&d| u64::from(occ[d - 1]) > cap(d))
            .collect();
        prop_assert_eq!(m(o, &key("days_over_capacity")), over.len() as f64);
        let first = over.first().map_or(h + 1, |&d| d);
        prop_assert_eq!(m(o, &key("first_day_over_capacity")), first as f64);
        let rate = (1..=h)
            .map(|d| f64::from(occ[d - 1]) / cap(d) as f64)
            .fold(0.0, f64::max);
        prop_assert_eq!(m(o, &key("peak_occupancy_rate")), rate);
        // Nobody is placed in a facility of weight 0 (the convicted may
        // still move there).
        let zero_weight = s.allocation.policy == Policy::Proportional
            && s.allocation.weights.as_ref().is_some_and(|w| w[i] == 0.0);
        if zero_weight && s.court.convicted_facility.as_deref() != Some(f.name.as_str()) {
            prop_assert!(occ.iter().all(|&x| u64::from(x) == f.initial_occupancy));
        }
    }

    // Stages: completions shrink along the pipeline; the last stage's are
    // the verdicts; peaks agree with the series.
    let mut before = transferred;
    for st in &s.court.stages {
        let done = m(o, &format!("stage.{}.completed", st.name));
        prop_assert!(
            done <= before,
            "stage {} completed {} > {}",
            st.name,
            done,
            before
        );
        before = done;
        let queue = o.series(&format!("queue.{}", st.name)).unwrap_or_default();
        let peak = queue.iter().copied().max().unwrap_or(0);
        prop_assert_eq!(
            m(o, &format!("stage.{}.peak_queue", st.name)),
            f64::from(peak)
        );
        if let Some(w) = o.metric(&format!("stage.{}.mean_wait_days", st.name)) {
            prop_assert!(w.is_finite() && w >= 0.0);
        }
    }
    prop_assert_eq!(before, released + convicted);
    let verdicts = released + convicted;
    for k in ["mean_days_to_verdict", "median_days_to_verdict"] {
        match o.metric(k) {
            Some(v) => prop_assert!(verdicts > 0.0 && v.is_finite() && v >= 0.0, "{} = {}", k, v),
            None => prop_assert_eq!(verdicts, 0.0),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        cases: 128,
        rng_seed: RngSeed::Fixed(0x00C0_FFEE),
        failure_persistence: None,
        ..Config::default()
    })]

    /// Random valid scenarios run without a conservation failure or panic,
    /// and their outcomes balance.
    #[test]
    fn random_scenarios_conserve_detainees(s in scenario(), seed in any::<u64>()) {
        prop_assert!(s.validate().is_ok(), "invalid: {:?}", s.validate());
        let plan = Plan::new(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for index in 0..3 {
            let checked = plan.replicate_checked(seed, index);
            prop_assert!(checked.is_ok(), "{:?}", checked);
            let o = checked.map_err(|e| TestCaseError::fail(e.to_string()))?;
            check_outcome(&s, &o)?;
            // The per-event checks change nothing in the result.
            prop_assert_eq!(&o, &plan.replicate(seed, index));
        }
    }
}

// ------------------------------------------------------------- version 2

/// A sentence's weight, facility index, and exit (executed?, delay,
/// probability).
type SentenceDraw = (f64, Option<usize>, Option<(bool, Dist, f64)>);

/// Version 2 additions drawn for a scenario of `nf` facilities, `ns`
/// stages and `ng` groups over horizon `h`.
#[derive(Debug, Clone)]
pub(super) struct V2 {
    end: Option<(Option<f64>, Option<u64>)>,
    receiving: Option<(usize, usize)>,
    mortality: f64,
    background: Vec<Option<(f64, f64)>>,
    cost: Vec<Option<f64>>,
    relocations: Vec<(f64, usize, usize, u64, u8)>,
    sentences: Vec<SentenceDraw>,
    repatriation: Vec<(usize, bool, Option<u64>)>,
    closed_until_schedule: Vec<bool>,
}

pub(super) fn v2(h: f64) -> impl Strategy<Value = V2> {
    (
        prop::option::of((prop::option::of(0.0..=h), prop::option::of(0u64..=400))),
        prop::option::of((0usize..3, 1usize..=3)),
        prop_oneof![Just(0.0), 0.0..=5.0f64, 0.0..=200.0f64],
        prop::collection::vec(prop::option::of((0.0..=20.0f64, 0.5..=300.0f64)), 3),
        prop::collection::vec(prop::option::of(0.0..=10.0f64), 3),
        prop::collection::vec((0.0..=h, 0usize..3, 0usize..2, 0u64..=300, 0u8..3), 0..=3),
        prop::collection::vec(
            (
                0.01..=1.0f64,
                prop::option::of(0usize..3),
                prop::option::of((any::<bool>(), dist(h / 3.0 + 1.0, false), probability())),
            ),
            0..=3,
        ),
        prop::collection::vec((0usize..6, any::<bool>(), prop::option::of(0u64..=60)), 4),
        prop::collection::vec(any::<bool>(), 3),
    )
        .prop_map(
            |(
                end,
                receiving,
                mortality,
                background,
                cost,
                relocations,
                sentences,
                repatriation,
                closed,
            )| V2 {
                end,
                receiving,
                mortality,
                background,
                cost,
                relocations,
                sentences,
                repatriation,
                closed_until_schedule: closed,
            },
        )
}

/// Applies the version 2 additions to a valid version 1 scenario, keeping
/// it valid.
pub(super) fn apply(mut s: Scenario, x: V2) -> Scenario {
    use custody_sim::scenario::{
        Background, Custody, EligibleAfter, ExitKind, Relocation, Sentence, SentenceExit,
        TransferEnd, Who,
    };
    let nf = s.facilities.len();
    let ns = s.court.stages.len();
    s.transfer.end = x.end.map(|(until, target)| TransferEnd {
        until_day: until.map(Into::into),
        target_total: target,
    });
    if let Some((rot, len)) = x.receiving {
        let len = len.min(nf);
        let names: Vec<String> = (0..len)
            .map(|i| s.facilities[(rot + i) % nf].name.clone())
            .collect();
        if s.allocation.policy == Policy::Proportional {
            // One weight per listed name.
            s.allocation.weights = Some(vec![1.0; len]);
        }
        s.allocation.facilities = Some(names);
    }
    s.custody = Custody {
        mortality_per_year: x.mortality,
    };
    for (i, f) in s.facilities.iter_mut().enumerate() {
        f.background = x.background[i].map(|(a, m)| Background {
            admissions_per_day: a,
            mean_stay_days: m,
            schedule: Vec::new(),
        });
        f.cost_per_detainee_day = x.cost[i];
    }
    if nf > 1 {
        s.relocations = x
            .relocations
            .iter()
            .map(|&(day, from, shift, count, who)| Relocation {
                day: day.into(),
                from: s.facilities[from % nf].name.clone(),
                to: s.facilities[(from % nf + 1 + shift % (nf - 1)) % nf]
                    .name
                    .clone(),
                count,
                who: [Who::Any, Who::Background, Who::Transferees][who as usize],
            })
            .collect();
    }
    let total: f64 = x.sentences.iter().map(|t| t.0).sum();
    s.court.sentences = x
        .sentences
        .iter()
        .enumerate()
        .map(|(i, (p, fac, exit))| Sentence {
            name: format!("t{i}"),
            // The last takes what is left, so that they sum to 1.
            probability: p / total,
            facility: fac.map(|f| s.facilities[f % nf].name.clone()),
            exit: exit.map(|(executed, after_days, probability)| SentenceExit {
                kind: if executed {
                    ExitKind::Executed
                } else {
                    ExitKind::Released
                },
                after_days,
                probability,
            }),
        })
        .collect();
    if let Some(last) = s.court.sentences.len().checked_sub(1) {
        let rest: f64 = s.court.sentences[..last]
            .iter()
            .map(|t| t.probability)
            .sum();
        s.court.sentences[last].probability = (1.0 - rest).max(0.0);
    }
    for (g, grp) in s.groups.iter_mut().enumerate() {
        let (e, after, quota) = x.repatriation[g];
        let r = &mut grp.repatriation;
        r.eligible_after = match e % (ns + 2) {
            0 => EligibleAfter::Arrival,
            k if k <= ns => EligibleAfter::Stage(s.court.stages[k - 1].name.clone()),
            _ => EligibleAfter::Verdict,
        };
        r.after_conviction = after || r.eligible_after == EligibleAfter::Verdict;
        r.quota = quota;
    }
    for (st, closed) in s.court.stages.iter_mut().zip(&x.closed_until_schedule) {
        if *closed && st.schedule.iter().any(|c| c.servers > 0) {
            st.servers = 0;
        }
    }
    s
}

/// The balances of a version 2 outcome: every detainee in one state,
/// each facility's end-of-day records behind the new metrics.
fn check_v2(s: &Scenario, o: &Outcome) -> Result<(), TestCaseError> {
    let h = s.horizon_days as usize;
    let last_of = |name: &str| f64::from(o.series(name).unwrap_or_default()[h - 1]);
    let total = s.total_detainees() as f64;
    let transferred = m(o, "transferred");
    let in_transit = total - transferred - m(o, "escaped") - m(o, "remaining_in_syria");
    prop_assert!(in_transit >= 0.0);
    let conv_in = last_of("convicted_in_custody");
    let awaiting = m(o, "awaiting_verdict");
    prop_assert_eq!(
        transferred,
        m(o, "released")
            + awaiting
            + conv_in
            + m(o, "released_after_sentence")
            + m(o, "executed")
            + m(o, "died_in_custody")
            + m(o, "repatriated")
    );
    prop_assert_eq!(last_of("in_custody"), awaiting + conv_in);
    prop_assert_eq!(last_of("awaiting_verdict"), awaiting);
    prop_assert_eq!(last_of("repatriated_cumulative"), m(o, "repatriated"));
    prop_assert!(conv_in <= m(o, "convicted"));
    if let Some(n) = s.transfer.end.and_then(|e| e.target_total) {
        prop_assert!(transferred <= n as f64);
    }
    if !s.court.sentences.is_empty() {
        let sum: f64 = s
            .court
            .sentences
            .iter()
            .map(|t| m(o, &format!("sentenced.{}", t.name)))
            .sum();
        prop_assert_eq!(sum, m(o, "convicted"));
    }
    for g in &s.groups {
        if let Some(q) = g.repatriation.quota {
            let done = m(o, &format!("repatriated.{}", g.name));
            prop_assert!(done <= q as f64, "quota {} exceeded: {}", q, done);
        }
    }
    if s.custody.mortality_per_year == 0.0 {
        prop_assert_eq!(m(o, "died_in_custody"), 0.0);
    }
    let mut cost = 0.0;
    let mut beds_last = 0.0;
    for f in &s.facilities {
        let occ = o
            .series(&format!("occupancy.{}", f.name))
            .unwrap_or_default();
        let key = |k: &str| format!("facility.{}.{k}", f.name);
        prop_assert_eq!(m(o, &key("occupancy_at_horizon")), f64::from(occ[h - 1]));
        beds_last += f64::from(occ[h - 1]);
        let cap = |d: usize| -> u64 {
            f.capacity
                + f.expansions
                    .iter()
                    .filter(|e| e.day.days_from(s.start_date) <= d as f64)
                    .map(|e| e.beds)
                    .sum::<u64>()
        };
        let excess: u64 = (1..=h)
            .map(|d| u64::from(occ[d - 1]).saturating_sub(cap(d)))
            .sum();
        prop_assert_eq!(m(o, &key("excess_detainee_days")), excess as f64);
        let c = f.cost_per_detainee_day.unwrap_or(0.0);
        cost += occ.iter().map(|&x| f64::from(x) * c).sum::<f64>();
    }
    prop_assert!(beds_last >= awaiting + conv_in);
    if s.facilities.iter().all(|f| f.background.is_none()) {
        let initial: u64 = s.facilities.iter().map(|f| f.initial_occupancy).sum();
        prop_assert_eq!(beds_last, initial as f64 + awaiting + conv_in);
    }
    match o.metric("custody_cost") {
        Some(v) => prop_assert!(
            (v - cost).abs() <= 1e-9 * cost.max(1.0),
            "{} vs {}",
            v,
            cost
        ),
        None => prop_assert!(
            s.facilities
                .iter()
                .all(|f| f.cost_per_detainee_day.is_none())
        ),
    }
    for st in &s.court.stages {
        let q = o.series(&format!("queue.{}", st.name)).unwrap_or_default();
        prop_assert_eq!(
            m(o, &format!("stage.{}.queue_at_horizon", st.name)),
            f64::from(q[h - 1])
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        cases: 96,
        rng_seed: RngSeed::Fixed(0x0002_C0DE),
        failure_persistence: None,
        ..Config::default()
    })]

    /// Random valid version 2 scenarios (transfer ends, receiving lists,
    /// deaths, background turnover, relocations of each kind, sentences
    /// with exits, repatriation after a stage or the verdict with quotas,
    /// courts that open later) conserve every detainee after every event
    /// and at every daily record, and their new metrics balance.
    #[test]
    fn random_v2_scenarios_conserve_detainees(
        (s, x) in scenario().prop_flat_map(|s| {
            let h = f64::from(s.horizon_days);
            (Just(s), v2(h))
        }),
        seed in any::<u64>(),
    ) {
        let s = apply(s, x);
        prop_assert!(s.validate().is_ok(), "invalid: {:?}", s.validate());
        let plan = Plan::new(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for index in 0..2 {
            let checked = plan.replicate_checked(seed, index);
            prop_assert!(checked.is_ok(), "{:?}", checked);
            let o = checked.map_err(|e| TestCaseError::fail(e.to_string()))?;
            check_v2(&s, &o)?;
            prop_assert_eq!(&o, &plan.replicate(seed, index));
        }
    }
}

// ------------------------------------------------ version 3, the courts

/// Other cases at a stage: rate, own service time, first day, priority.
type OtherDraw = (f64, Option<Dist>, f64, i64);

/// Version 3 court additions drawn for a scenario of up to 4 groups and 3
/// stages over horizon `h`.
#[derive(Debug, Clone)]
pub(super) struct V3Court {
    /// Per group: priority, route (a bit mask of stages; `None`: all) and
    /// deportation delay.
    groups: Vec<(i64, Option<u8>, Option<Dist>)>,
    /// Per stage: other cases (rate, own service, from, priority).
    other: Vec<Option<OtherDraw>>,
    /// The appeal: servers, review time, reversal probability, closed
    /// until a schedule opens it.
    appeal: Option<(u64, Dist, f64, Option<f64>)>,
}

pub(super) fn v3_court(h: f64) -> impl Strategy<Value = V3Court> {
    (
        prop::collection::vec(
            (
                -2i64..=2,
                prop::option::of(0u8..8),
                prop::option::of(dist(h / 4.0 + 1.0, false)),
            ),
            4,
        ),
        prop::collection::vec(
            prop::option::of((
                prop_oneof![Just(0.0), 0.0..=5.0f64],
                prop::option::of(dist(h / 20.0 + 0.2, false)),
                0.0..=h,
                -2i64..=2,
            )),
            3,
        ),
        prop::option::of((
            0u64..=5,
            dist(h / 10.0 + 0.5, false),
            probability(),
            prop::option::of(0.0..=1.2 * h),
        )),
    )
        .prop_map(|(groups, other, appeal)| V3Court {
            groups,
            other,
            appeal,
        })
}

/// Applies the version 3 court additions to a valid scenario, keeping it
/// valid: a route keeps a stage named by `eligible_after`.
pub(super) fn apply_v3_court(mut s: Scenario, x: V3Court) -> Scenario {
    use custody_sim::scenario::{Appeal, Deportation, EligibleAfter, OtherCases};
    let names: Vec<String> = s.court.stages.iter().map(|st| st.name.clone()).collect();
    for (g, grp) in s.groups.iter_mut().enumerate() {
        let (priority, route, deportation) = x.groups[g];
        grp.priority = priority;
        grp.stages = route.map(|mask| {
            names
                .iter()
                .enumerate()
                .filter(|(i, n)| {
                    mask & (1 << i) != 0
                        || grp.repatriation.eligible_after == EligibleAfter::Stage((*n).clone())
                })
                .map(|(_, n)| n.clone())
                .collect()
        });
        grp.deportation = deportation.map(|delay_days| Deportation { delay_days });
    }
    for (st, other) in s.court.stages.iter_mut().zip(&x.other) {
        st.other_cases = other.map(|(per_day, service_days, from, priority)| OtherCases {
            per_day,
            service_days,
            from: from.into(),
            priority,
        });
    }
    s.court.appeal = x.appeal.map(|(servers, service_days, p, opens)| {
        let mut a = Appeal::new(servers.max(1), service_days).with_reversal(p);
        if let Some(day) = opens {
            a = Appeal { servers, ..a }.with_change(day, 2);
        }
        a
    });
    s
}

/// The balances of a version 3 court outcome (release orders, if any,
/// counted among the states).
pub(super) fn check_v3_court(s: &Scenario, o: &Outcome) -> Result<(), TestCaseError> {
    let h = s.horizon_days as usize;
    let last_of = |name: &str| f64::from(o.series(name).unwrap_or_default()[h - 1]);
    let opt = |name: &str| o.metric(name).unwrap_or(0.0);
    let transferred = m(o, "transferred");
    let awaiting = m(o, "awaiting_verdict");
    let conv_in = last_of("convicted_in_custody");
    let waiting = if s.groups.iter().any(|g| g.deportation.is_some()) {
        last_of("awaiting_deportation")
    } else {
        0.0
    };
    let by_court = m(o, "released") + m(o, "released_after_sentence") + opt("released_on_appeal");
    let deported = opt("deported");
    prop_assert!(deported + waiting <= by_court);
    // Deaths while awaiting deportation count in both `died_in_custody`
    // and a court release: equality without deaths.
    let sum = awaiting
        + conv_in
        + by_court
        + m(o, "executed")
        + m(o, "died_in_custody")
        + m(o, "repatriated")
        + opt("released_by_order");
    prop_assert!(transferred <= sum, "{} > {}", transferred, sum);
    if s.custody.mortality_per_year == 0.0 {
        prop_assert_eq!(transferred, sum);
    }
    prop_assert_eq!(last_of("in_custody"), awaiting + conv_in + waiting);
    let verdicts = m(o, "released") + m(o, "convicted");
    for st in &s.court.stages {
        let q = o.series(&format!("queue.{}", st.name)).unwrap_or_default();
        prop_assert_eq!(
            m(o, &format!("stage.{}.queue_at_horizon", st.name)),
            f64::from(q[h - 1])
        );
    }
    prop_assert!(verdicts <= transferred);
    if let Some(_a) = &s.court.appeal {
        let q = o.series("appeal_queue").unwrap_or_default();
        prop_assert_eq!(m(o, "appeal.queue_at_horizon"), f64::from(q[h - 1]));
        prop_assert_eq!(
            m(o, "appeal.peak_queue"),
            f64::from(q.iter().copied().max().unwrap_or(0))
        );
        prop_assert!(m(o, "appeal.completed") <= m(o, "convicted"));
        prop_assert!(opt("released_on_appeal") <= m(o, "appeal.completed"));
    }
    if s.groups.iter().any(|g| g.deportation.is_some()) {
        let sum: f64 = s
            .groups
            .iter()
            .map(|g| m(o, &format!("deported.{}", g.name)))
            .sum();
        prop_assert_eq!(sum, deported);
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        cases: 96,
        rng_seed: RngSeed::Fixed(0x0003_C0DE),
        failure_persistence: None,
        ..Config::default()
    })]

    /// Random valid scenarios with the version 2 additions and the version
    /// 3 courts (priorities, routes, empty routes included, other cases,
    /// an appeal that may open later, deportation) conserve every
    /// detainee after every event and at every daily record.
    #[test]
    fn random_v3_court_scenarios_conserve_detainees(
        (s, x, y) in scenario().prop_flat_map(|s| {
            let h = f64::from(s.horizon_days);
            (Just(s), v2(h), v3_court(h))
        }),
        seed in any::<u64>(),
    ) {
        let s = apply_v3_court(apply(s, x), y);
        prop_assert!(s.validate().is_ok(), "invalid: {:?}", s.validate());
        let plan = Plan::new(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for index in 0..2 {
            let checked = plan.replicate_checked(seed, index);
            prop_assert!(checked.is_ok(), "{:?}", checked);
            let o = checked.map_err(|e| TestCaseError::fail(e.to_string()))?;
            check_v3_court(&s, &o)?;
            prop_assert_eq!(&o, &plan.replicate(seed, index));
        }
    }
}
