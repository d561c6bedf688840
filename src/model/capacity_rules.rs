//! Capacity over time (rules 18, 19 and 25), resolved for the event loop:
//! the openings of facilities that open later, the weights of placement
//! among the open ones, background admission rates that change, and the
//! plans of the overflow rules and release orders; and the state of these
//! rules in a replication. Their handlers live in `capacity`, `overflow`
//! and `release`.
//!
//! A scenario that uses none of these rules has no [`CapacityRules`]
//! (`Plan::capacity_rules` is `None`) and an empty [`CapacityState`]:
//! every test the rules add is then one check of an `Option` or of an
//! empty list, and a version 2 scenario runs exactly as before.

use rand::distr::weighted::WeightedIndex;

use crate::scenario::{Facility, PersonKind, Policy, Scenario};

/// The capacity rules of a scenario that uses at least one of them.
#[derive(Debug, Clone)]
pub(crate) struct CapacityRules {
    /// Per facility: the time it opens \[days\] (0 if open from day 0);
    /// empty when every facility is open from day 0.
    pub(super) opens: Vec<f64>,
    /// The openings after day 0, by time (file order at equal times):
    /// (time, facility).
    pub(super) openings: Vec<(f64, usize)>,
    /// Under `proportional` with openings: after k openings (in the order
    /// of `openings`), the weights of the receiving facilities open then,
    /// at the positions of the receiving list (0 for those still shut).
    pub(super) open_weights: Vec<WeightedIndex<f64>>,
    /// Changes of a background admission rate after its facility opens:
    /// (time, facility, rate), by time (file order at equal times).
    pub(super) rate_changes: Vec<(f64, usize, f64)>,
    /// Overflow rules, in file order of their facilities.
    pub(super) overflow: Vec<OverflowPlan>,
    /// Release orders, by day (file order at equal days).
    pub(super) releases: Vec<ReleasePlan>,
}

/// A facility's overflow rule (rule 18).
#[derive(Debug, Clone)]
pub(super) struct OverflowPlan {
    /// The facility that overflows.
    pub(super) facility: usize,
    /// Threshold as a share of the day's beds.
    pub(super) above: f64,
    /// Destinations, filled in this order.
    pub(super) to: Vec<usize>,
    /// Who may be moved.
    pub(super) who: PersonKind,
}

/// A release order (rule 25).
#[derive(Debug, Clone)]
pub(super) struct ReleasePlan {
    pub(super) day: f64,
    pub(super) facility: usize,
    pub(super) count: u64,
    pub(super) who: PersonKind,
}

/// The background admission rate of facility `f` when it opens (day 0 if
/// it has no `opens`): the rate of the last `schedule` entry dated at or
/// before the opening (the later entry at equal days), else
/// `admissions_per_day`. Without a schedule, `admissions_per_day` itself.
pub(super) fn rate_at_opening(s: &Scenario, f: &Facility) -> f64 {
    let Some(b) = &f.background else {
        return 0.0;
    };
    let open = crate::scenario::opening_day(s, f);
    let mut best: Option<(f64, f64)> = None;
    for c in &b.schedule {
        let day = s.day(c.day);
        if day <= open && best.is_none_or(|(d, _)| day >= d) {
            best = Some((day, c.admissions_per_day));
        }
    }
    best.map_or(b.admissions_per_day, |(_, a)| a)
}

impl CapacityRules {
    /// The capacity rules of `s`, or `None` when it uses none of them;
    /// `receiving` and `facility` as the plan resolves them.
    pub(super) fn new(
        s: &Scenario,
        receiving: &[usize],
        facility: impl Fn(&str) -> usize,
    ) -> Option<CapacityRules> {
        let opens_at: Vec<f64> = s
            .facilities
            .iter()
            .map(|f| crate::scenario::opening_day(s, f))
            .collect();
        let any_opening = opens_at.iter().any(|&d| d > 0.0);
        let any_schedule = s.facilities.iter().any(|f| {
            f.background
                .as_ref()
                .is_some_and(|b| !b.schedule.is_empty())
        });
        let any_overflow = s.facilities.iter().any(|f| f.overflow.is_some());
        if !any_opening && !any_schedule && !any_overflow && s.releases.is_empty() {
            return None;
        }
        let mut openings: Vec<(f64, usize)> = opens_at
            .iter()
            .enumerate()
            .filter(|&(_, &d)| d > 0.0)
            .map(|(f, &d)| (d, f))
            .collect();
        openings.sort_by(|a, b| a.0.total_cmp(&b.0));
        let open_weights = match (&s.allocation.weights, s.allocation.policy) {
            (Some(w), Policy::Proportional) if any_opening => {
                let safe = crate::stats::safe_weights(w);
                (0..=openings.len())
                    .map(|k| {
                        let open = |f: usize| {
                            opens_at[f] <= 0.0 || openings[..k].iter().any(|&(_, g)| g == f)
                        };
                        let ws: Vec<f64> = receiving
                            .iter()
                            .zip(safe.iter())
                            .map(|(&f, &x)| if open(f) { x } else { 0.0 })
                            .collect();
                        // Validation keeps a weight above 0 open on day 0,
                        // and openings only add.
                        WeightedIndex::new(ws).unwrap_or_else(|e| {
                            panic!("custody-sim internal error, please report: weights of the open facilities: {e}")
                        })
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let mut rate_changes: Vec<(f64, usize, f64)> = Vec::new();
        for (f, fac) in s.facilities.iter().enumerate() {
            if let Some(b) = &fac.background {
                for c in &b.schedule {
                    let day = s.day(c.day);
                    if day > opens_at[f] {
                        rate_changes.push((day, f, c.admissions_per_day));
                    }
                }
            }
        }
        rate_changes.sort_by(|a, b| a.0.total_cmp(&b.0));
        let overflow = s
            .facilities
            .iter()
            .enumerate()
            .filter_map(|(f, fac)| {
                fac.overflow.as_ref().map(|o| OverflowPlan {
                    facility: f,
                    above: o.above,
                    to: o.to.iter().map(|n| facility(n)).collect(),
                    who: o.who,
                })
            })
            .collect();
        let mut releases: Vec<ReleasePlan> = s
            .releases
            .iter()
            .map(|r| ReleasePlan {
                day: s.day(r.day),
                facility: facility(&r.facility),
                count: r.count,
                who: r.who,
            })
            .collect();
        releases.sort_by(|a, b| a.day.total_cmp(&b.day));
        Some(CapacityRules {
            opens: if any_opening { opens_at } else { Vec::new() },
            openings,
            open_weights,
            rate_changes,
            overflow,
            releases,
        })
    }
}

/// The state of the capacity rules in one replication; empty (no
/// allocation) when the scenario uses none of them.
#[derive(Debug, Default)]
pub(crate) struct CapacityState {
    /// Per facility: while it is shut, `Some` of the beds it will open
    /// with (its capacity and the expansions dated before it opens);
    /// `None` once open. Empty when every facility is open from day 0.
    pub(super) shut: Vec<Option<u64>>,
    /// Openings so far (the index into `CapacityRules::open_weights`).
    pub(super) opened: usize,
    /// Per facility: people moved out by its overflow rule (empty without
    /// overflow rules).
    pub(super) overflowed_out: Vec<u64>,
    /// People moved by overflow rules, all facilities.
    pub(super) overflowed: u64,
    /// Transferees released by release orders.
    pub(super) released_by_order: u64,
}

impl CapacityState {
    /// The state at day 0 of a replication of a plan with `rules`;
    /// `capacity` the facilities' beds on day 0.
    pub(super) fn new(rules: Option<&CapacityRules>, capacity: &[u64]) -> CapacityState {
        let Some(r) = rules else {
            return CapacityState::default();
        };
        CapacityState {
            shut: if r.opens.is_empty() {
                Vec::new()
            } else {
                r.opens
                    .iter()
                    .zip(capacity)
                    .map(|(&d, &c)| (d > 0.0).then_some(c))
                    .collect()
            },
            opened: 0,
            overflowed_out: if r.overflow.is_empty() {
                Vec::new()
            } else {
                vec![0; capacity.len()]
            },
            overflowed: 0,
            released_by_order: 0,
        }
    }
}
