//! The courts of version 3 resolved for speed (rules 20-24): each group's
//! route and priority level, each stage's other cases, the appeal and the
//! deportation delays; and the counts a replication keeps of them.
//!
//! The handlers live with their process: priority queues and other cases
//! in `court.rs` and `other_cases.rs`, the appeal in `appeal.rs`,
//! deportation in `deportation.rs`. A version 2 scenario resolves to a
//! plan that uses none of them: one priority level (the first-in,
//! first-out queue of version 2), no route, no other case, no appeal, no
//! deportation.

use crate::dist::sampler::Sampler;
use crate::scenario::Scenario;

/// A route's mark for "no further stage: the verdict".
pub(super) const VERDICT: u8 = u8::MAX;

/// The version 3 courts of a plan.
#[derive(Debug, Clone)]
pub(crate) struct CourtPlan {
    /// Whether some group's route differs from "every stage in order".
    pub(super) routed: bool,
    /// Per group: the first stage of its route, or [`VERDICT`] (an empty
    /// route: the verdict on arrival).
    pub(super) first: Vec<u8>,
    /// Per group and stage (`g * stages + s`): the next stage of the
    /// group's route after `s`, or [`VERDICT`].
    pub(super) next: Vec<u8>,
    /// Number of court stages.
    pub(super) stages: usize,
    /// Number of priority levels (distinct priorities of the groups and
    /// the other cases); 1: every queue is first in, first out.
    pub(super) levels: usize,
    /// Per group: its priority level (0 is served first).
    pub(super) group_level: Vec<u16>,
    /// Per stage: its other cases, if they ever arrive.
    pub(super) others: Vec<Option<OtherPlan>>,
    /// Whether some stage has other cases that arrive.
    pub(super) has_others: bool,
    /// The appeal, if any.
    pub(super) appeal: Option<AppealPlan>,
    /// Per group: its deportation delay, if any.
    pub(super) deportation: Vec<Option<Sampler>>,
}

/// A stage's other cases (rule 20).
#[derive(Debug, Clone)]
pub(super) struct OtherPlan {
    /// The first may arrive from this day.
    pub(super) from: f64,
    /// Gap between arrivals.
    pub(super) gap: rand_distr::Exp<f64>,
    /// Service time.
    pub(super) service: Sampler,
    /// Priority level.
    pub(super) level: u16,
}

/// The appeal (rule 22).
#[derive(Debug, Clone)]
pub(super) struct AppealPlan {
    pub(super) servers: u64,
    pub(super) service: Sampler,
    pub(super) reversal: f64,
}

impl CourtPlan {
    /// Resolves the version 3 courts of a valid scenario.
    pub(super) fn new(s: &Scenario) -> CourtPlan {
        let ns = s.court.stages.len();
        let position = |name: &str| {
            s.court
                .stages
                .iter()
                .position(|st| st.name == name)
                .unwrap_or_else(|| bug(format!("no stage named {name:?}")))
        };
        let mut first = Vec::with_capacity(s.groups.len());
        let mut next = Vec::with_capacity(s.groups.len() * ns);
        let mut routed = false;
        for g in &s.groups {
            let route: Vec<usize> = match &g.stages {
                Some(names) => names.iter().map(|n| position(n)).collect(),
                None => (0..ns).collect(),
            };
            routed |= route.len() != ns;
            first.push(route.first().map_or(VERDICT, |&k| k as u8));
            let mut after = vec![VERDICT; ns];
            for w in route.windows(2) {
                after[w[0]] = w[1] as u8;
            }
            next.extend(after);
        }
        // Priority levels: the distinct priorities in use, in order.
        let mut priorities: Vec<i64> = s.groups.iter().map(|g| g.priority).collect();
        priorities.extend(
            s.court
                .stages
                .iter()
                .filter_map(|st| st.other_cases.as_ref())
                .filter(|o| o.per_day > 0.0)
                .map(|o| o.priority),
        );
        priorities.sort_unstable();
        priorities.dedup();
        let level = |p: i64| {
            priorities
                .binary_search(&p)
                .unwrap_or_else(|_| bug(format!("priority {p}"))) as u16
        };
        let others: Vec<Option<OtherPlan>> = s
            .court
            .stages
            .iter()
            .map(|st| {
                st.other_cases
                    .as_ref()
                    .filter(|o| o.per_day > 0.0)
                    .map(|o| OtherPlan {
                        from: s.day(o.from),
                        gap: rand_distr::Exp::new(o.per_day).unwrap_or_else(|e| {
                            bug(format!("the rate of other cases {}: {e}", o.per_day))
                        }),
                        service: Sampler::of(o.service_days.as_ref().unwrap_or(&st.service_days)),
                        level: level(o.priority),
                    })
            })
            .collect();
        CourtPlan {
            routed,
            first,
            next,
            stages: ns,
            levels: priorities.len().max(1),
            group_level: s.groups.iter().map(|g| level(g.priority)).collect(),
            has_others: others.iter().any(Option::is_some),
            others,
            appeal: s.court.appeal.as_ref().map(|a| AppealPlan {
                servers: a.servers,
                service: Sampler::of(&a.service_days),
                reversal: a.reversal_probability,
            }),
            deportation: s
                .groups
                .iter()
                .map(|g| g.deportation.as_ref().map(|d| Sampler::of(&d.delay_days)))
                .collect(),
        }
    }

    /// Whether the courts are version 2's: every group through every
    /// stage in order, one priority level, no other case, no appeal, no
    /// deportation. The event loop of such a plan is compiled without the
    /// version 3 steps (`Replication::run`), so that a version 2 scenario
    /// tests none of them per event.
    pub(super) fn plain(&self) -> bool {
        !self.routed
            && self.levels == 1
            && !self.has_others
            && self.appeal.is_none()
            && self.deportation.iter().all(Option::is_none)
    }

    /// Whether the queues order cases by priority (more than one level).
    #[inline(always)]
    pub(super) fn prioritized(&self) -> bool {
        self.levels > 1
    }

    /// The next stage of group `g`'s route after stage `s`, or [`VERDICT`].
    #[inline]
    pub(super) fn after(&self, g: usize, s: usize) -> u8 {
        self.next[g * self.stages + s]
    }
}

/// A broken promise of validation: a bug, never bad input.
#[cold]
fn bug(what: String) -> ! {
    panic!("custody-sim internal error, please report: validation let through {what}")
}

/// What a replication counts of the version 3 courts.
#[derive(Debug, Default)]
pub(crate) struct CourtCounts {
    /// Convictions reversed on appeal.
    pub(super) released_on_appeal: u64,
    /// In custody, awaiting deportation.
    pub(super) awaiting_deportation: u64,
    /// Deported, in all and per group.
    pub(super) deported: u64,
    pub(super) deported_g: Vec<u64>,
    /// Died while awaiting deportation (also counted in `died` and in a
    /// court release).
    pub(super) died_waiting: u64,
}

impl CourtCounts {
    pub(super) fn new(groups: usize) -> CourtCounts {
        CourtCounts {
            deported_g: vec![0; groups],
            ..CourtCounts::default()
        }
    }
}
