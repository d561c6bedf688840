//! A validated scenario resolved for speed: indices instead of names,
//! samplers built, schedules sorted.

use std::sync::Arc;

use super::capacity_rules::{self, CapacityRules};
use super::cohort::{BackgroundPlan, OneDay};
use super::courts::CourtPlan;
use super::outcome::Layout;
use super::schema;
use crate::dist::sampler::Sampler;
use crate::error::Error;
use crate::scenario::limits::MAX_SERIES_DAYS;
use crate::scenario::{Admission, EligibleAfter, ExitKind, Policy, Scenario, ScenarioErrors, Who};

/// A validated scenario, resolved for fast replication.
///
/// Build it once and replicate many times; it is `Sync`, so rayon workers
/// share one.
#[derive(Debug, Clone)]
pub struct Plan {
    pub(super) scenario: Scenario,
    pub(super) horizon: f64,
    pub(super) horizon_days: u32,
    pub(super) total: usize,
    // Transfer.
    pub(super) transit: Sampler,
    pub(super) phases: Vec<PhasePlan>,
    /// Merged, sorted pause intervals `[from, to)`.
    pub(super) pauses: Vec<(f64, f64)>,
    pub(super) weekly_cap: Option<u64>,
    pub(super) up_to_capacity: bool,
    pub(super) escape: Option<EscapePlan>,
    // Groups.
    /// The pool on day 0: one group label per detainee.
    pub(super) pool0: Vec<u16>,
    /// Whether every detainee of the pool has the same group label: then
    /// boarding needs no draw (see `Replication::departure`).
    pub(super) uniform_pool: bool,
    pub(super) groups: Vec<GroupPlan>,
    /// Whether some group's repatriation clock starts after arrival (at a
    /// stage's end or a conviction, rule 14): else the court never looks
    /// for one.
    pub(super) later_clocks: bool,
    // Custody.
    pub(super) capacity: Vec<u64>,
    pub(super) initial: Vec<u64>,
    pub(super) expansions: Vec<(f64, usize, u64)>,
    pub(super) policy: Policy,
    pub(super) weights: Option<rand::distr::weighted::WeightedIndex<f64>>,
    // Court.
    pub(super) conviction: f64,
    pub(super) convicted_facility: Option<usize>,
    pub(super) stages: Vec<StagePlan>,
    pub(super) schedule: Vec<(f64, usize, u64)>,
    // Version 2.
    /// No departure at or after this day (infinity: none).
    pub(super) until: f64,
    /// Departures stop once this many have boarded.
    pub(super) target_total: Option<u64>,
    /// No pauses, weekly cap, admission up to capacity, end day or target
    /// total: a departure then boards what it draws (up to the pool) with
    /// none of their tests.
    pub(super) plain_departures: bool,
    /// Facilities that receive arrivals, in the order the policy uses.
    pub(super) receiving: Vec<usize>,
    /// The one facility every arrival goes to when nothing else is done on
    /// arrival (one receiving facility, no background turnover, nobody
    /// dies, no repatriation delay in any group): an arrival then places
    /// and queues each detainee with none of their tests.
    pub(super) plain_arrival: Option<u16>,
    /// Time from arrival to death in custody; `None`: nobody dies.
    pub(super) mortality: Option<rand_distr::Exp<f64>>,
    pub(super) sentences: Vec<SentencePlan>,
    pub(super) sentence_pick: Option<rand::distr::weighted::WeightedIndex<f64>>,
    /// Per facility: its background turnover, if any.
    pub(super) background: Vec<Option<BackgroundPlan>>,
    /// Whether any facility's background turns over.
    pub(super) has_background: bool,
    /// Per facility: cost of one detainee-day (0 if not priced).
    pub(super) cost: Vec<f64>,
    /// Relocations, by day (file order at equal days).
    pub(super) relocations: Vec<RelocationPlan>,
    /// Capacity over time (overflow, openings, admission schedules,
    /// release orders; rules 18, 19 and 25); `None` when none is used.
    pub(super) capacity_rules: Option<CapacityRules>,
    /// Version 3, the courts: routes, priorities, other cases, the
    /// appeal, deportation.
    pub(super) courts: CourtPlan,
    pub(super) layout: Arc<Layout>,
}

#[derive(Debug, Clone)]
pub(super) struct SentencePlan {
    /// Where the sentenced go (the sentence's facility, else
    /// `convicted_facility`); `None`: they stay where they are.
    pub(super) facility: Option<usize>,
    pub(super) exit: Option<ExitPlan>,
}

#[derive(Debug, Clone)]
pub(super) struct ExitPlan {
    pub(super) executed: bool,
    pub(super) after: Sampler,
    pub(super) probability: f64,
}

#[derive(Debug, Clone)]
pub(super) struct RelocationPlan {
    pub(super) day: f64,
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) count: u64,
    pub(super) who: Who,
}

/// When a group's repatriation clock starts (rule 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Eligible {
    Arrival,
    /// When service at this stage ends.
    Stage(usize),
    /// At a conviction.
    Verdict,
}

#[derive(Debug, Clone)]
pub(super) struct PhasePlan {
    pub(super) from: f64,
    /// No departure of this phase at or after this time: the start of the
    /// next phase (infinity for the last), or the first time after the
    /// horizon if that comes first, so that one comparison tells both.
    pub(super) stop: f64,
    pub(super) interval: Sampler,
    pub(super) size: Sampler,
    /// The convoy size when it is fixed: drawn once (a fixed draw takes
    /// nothing from its stream).
    pub(super) fixed_size: Option<u64>,
}

#[derive(Debug, Clone)]
pub(super) struct EscapePlan {
    pub(super) gap: rand_distr::Exp<f64>,
    pub(super) probability: f64,
}

#[derive(Debug, Clone)]
pub(super) struct GroupPlan {
    pub(super) probability: f64,
    pub(super) delay: Option<Sampler>,
    pub(super) earliest: f64,
    pub(super) eligible: Eligible,
    pub(super) after_conviction: bool,
    pub(super) quota: Option<u64>,
}

/// Refuses a scenario whose daily series would hold more than
/// [`MAX_SERIES_DAYS`] values per replication: every daily series of the
/// schema, per entity of its scope, times the horizon.
fn check_series_size(s: &Scenario) -> Result<(), ScenarioErrors> {
    let series = schema::series_defs()
        .filter(|d| d.condition.holds(s))
        .map(|d| d.scope.entities(s).len() as u64)
        .sum::<u64>();
    let values = series * u64::from(s.horizon_days);
    if values > MAX_SERIES_DAYS {
        return Err(ScenarioErrors::one(
            "horizon_days",
            format!(
                "{} days of {series} daily series make {values} values per replication, more than the limit of {MAX_SERIES_DAYS}",
                s.horizon_days
            ),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub(super) struct StagePlan {
    pub(super) servers: u64,
    pub(super) service: Sampler,
}

impl Plan {
    /// Validates `scenario` and resolves it.
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] with every problem [`Scenario::validate`] finds;
    /// or, for a valid scenario, at `horizon_days` if its daily series
    /// would hold more than [`MAX_SERIES_DAYS`] values per replication.
    pub fn new(scenario: &Scenario) -> Result<Plan, Error> {
        scenario.validate()?;
        check_series_size(scenario)?;
        let s = scenario;
        let n_phases = s.transfer.phases.len();
        let phases = s
            .transfer
            .phases
            .iter()
            .enumerate()
            .map(|(i, p)| PhasePlan {
                from: s.day(p.from),
                stop: if i + 1 < n_phases {
                    s.day(s.transfer.phases[i + 1].from)
                } else {
                    f64::INFINITY
                }
                .min(f64::from(s.horizon_days).next_up()),
                interval: Sampler::of(&p.interval_days),
                size: Sampler::of(&p.convoy_size),
                fixed_size: Sampler::of(&p.convoy_size).fixed_count(),
            })
            .collect();
        let mut raw: Vec<(f64, f64)> = s
            .transfer
            .pauses
            .iter()
            .map(|p| (s.day(p.from), s.day(p.to)))
            .collect();
        raw.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut pauses: Vec<(f64, f64)> = Vec::with_capacity(raw.len());
        for (from, to) in raw {
            match pauses.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => pauses.push((from, to)),
            }
        }
        let escape = s.transfer.escape.as_ref().and_then(|e| {
            (e.incident_rate_per_day > 0.0).then(|| EscapePlan {
                // Validation guarantees a finite positive rate here.
                gap: exp_rate(e.incident_rate_per_day),
                probability: e.escape_probability,
            })
        });
        let mut pool0 = Vec::with_capacity(s.total_detainees() as usize);
        for (g, group) in s.groups.iter().enumerate() {
            pool0.extend(std::iter::repeat_n(g as u16, group.count as usize));
        }
        let groups: Vec<GroupPlan> = s
            .groups
            .iter()
            .map(|g| GroupPlan {
                probability: g.repatriation.probability,
                delay: g.repatriation.delay_days.as_ref().map(Sampler::of),
                earliest: s.day(g.repatriation.earliest_day),
                eligible: match &g.repatriation.eligible_after {
                    EligibleAfter::Arrival => Eligible::Arrival,
                    EligibleAfter::Verdict => Eligible::Verdict,
                    EligibleAfter::Stage(name) => Eligible::Stage(
                        s.court
                            .stages
                            .iter()
                            .position(|st| &st.name == name)
                            .unwrap_or_else(|| bug(format!("no stage named {name:?}"))),
                    ),
                },
                after_conviction: g.repatriation.after_conviction,
                quota: g.repatriation.quota,
            })
            .collect();
        let mut expansions: Vec<(f64, usize, u64)> = s
            .facilities
            .iter()
            .enumerate()
            .flat_map(|(f, fac)| {
                fac.expansions
                    .iter()
                    .map(move |e| (s.day(e.day), f, e.beds))
            })
            .collect();
        expansions.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut schedule: Vec<(f64, usize, u64)> = s
            .court
            .stages
            .iter()
            .enumerate()
            .flat_map(|(i, st)| {
                st.schedule
                    .iter()
                    .map(move |c| (s.day(c.day), i, c.servers))
            })
            .collect();
        // The appeal's schedule (v3) after the stages', as "stage" number
        // `stages`: at equal days the stages' changes come first.
        if let Some(a) = &s.court.appeal {
            let ns = s.court.stages.len();
            schedule.extend(a.schedule.iter().map(|c| (s.day(c.day), ns, c.servers)));
        }
        schedule.sort_by(|a, b| a.0.total_cmp(&b.0));
        let courts = CourtPlan::new(s);
        let weights = match (s.allocation.policy, &s.allocation.weights) {
            (Policy::Proportional, Some(w)) => {
                // Subnormal weights are scaled by their largest first.
                rand::distr::weighted::WeightedIndex::new(
                    crate::stats::safe_weights(w).iter().copied(),
                )
                .ok()
            }
            _ => None,
        };
        let facility = |name: &str| {
            s.facilities
                .iter()
                .position(|f| f.name == name)
                .unwrap_or_else(|| bug(format!("no facility named {name:?}")))
        };
        let convicted_facility = s.court.convicted_facility.as_deref().map(facility);
        let receiving: Vec<usize> = match &s.allocation.facilities {
            Some(names) => names.iter().map(|n| facility(n)).collect(),
            None => (0..s.facilities.len()).collect(),
        };
        let sentences: Vec<SentencePlan> = s
            .court
            .sentences
            .iter()
            .map(|sp| SentencePlan {
                facility: sp.facility.as_deref().map(facility).or(convicted_facility),
                exit: sp.exit.as_ref().map(|e| ExitPlan {
                    executed: e.kind == ExitKind::Executed,
                    after: Sampler::of(&e.after_days),
                    probability: e.probability,
                }),
            })
            .collect();
        let sentence_pick = (!sentences.is_empty()).then(|| {
            rand::distr::weighted::WeightedIndex::new(
                s.court.sentences.iter().map(|x| x.probability),
            )
            .unwrap_or_else(|e| bug(format!("sentence probabilities: {e}")))
        });
        let background: Vec<Option<BackgroundPlan>> = s
            .facilities
            .iter()
            .map(|f| {
                f.background.as_ref().map(|b| {
                    let rate = capacity_rules::rate_at_opening(s, f);
                    BackgroundPlan {
                        rate,
                        mean_stay: b.mean_stay_days,
                        one_day: (rate > 0.0).then(|| OneDay::new(rate)),
                    }
                })
            })
            .collect();
        let mut relocations: Vec<RelocationPlan> = s
            .relocations
            .iter()
            .map(|r| RelocationPlan {
                day: s.day(r.day),
                from: facility(&r.from),
                to: facility(&r.to),
                count: r.count,
                who: r.who,
            })
            .collect();
        relocations.sort_by(|a, b| a.day.total_cmp(&b.day));
        let end = s.transfer.end.unwrap_or_default();
        let rate = s.custody.mortality_per_year;
        let plain_departures = pauses.is_empty()
            && s.transfer.weekly_cap.is_none()
            && s.transfer.admission != Admission::UpToCapacity
            && end.until_day.is_none()
            && end.target_total.is_none();
        let later_clocks = groups
            .iter()
            .any(|g| g.eligible != Eligible::Arrival && g.delay.is_some());
        let receiving_list = receiving.clone();
        let plain_arrival = match receiving[..] {
            [only]
                if rate <= 0.0
                    && !courts.routed
                    && background.iter().all(Option::is_none)
                    && groups.iter().all(|g| g.delay.is_none()) =>
            {
                Some(only as u16)
            }
            _ => None,
        };
        Ok(Plan {
            scenario: s.clone(),
            horizon: f64::from(s.horizon_days),
            horizon_days: s.horizon_days,
            total: pool0.len(),
            transit: Sampler::of(&s.transfer.transit_days),
            phases,
            pauses,
            weekly_cap: s.transfer.weekly_cap,
            up_to_capacity: s.transfer.admission == Admission::UpToCapacity,
            escape,
            uniform_pool: pool0.first() == pool0.last(),
            pool0,
            later_clocks,
            groups,
            capacity: s.facilities.iter().map(|f| f.capacity).collect(),
            initial: s.facilities.iter().map(|f| f.initial_occupancy).collect(),
            expansions,
            policy: s.allocation.policy,
            weights,
            conviction: s.court.conviction_probability,
            convicted_facility,
            stages: s
                .court
                .stages
                .iter()
                .map(|st| StagePlan {
                    servers: st.servers,
                    service: Sampler::of(&st.service_days),
                })
                .collect(),
            schedule,
            until: end.until_day.map_or(f64::INFINITY, |d| s.day(d)),
            target_total: end.target_total,
            plain_departures,
            receiving,
            plain_arrival,
            mortality: (rate > 0.0).then(|| exp_rate(rate / 365.25)),
            sentences,
            sentence_pick,
            has_background: background.iter().any(Option::is_some),
            background,
            cost: s
                .facilities
                .iter()
                .map(|f| f.cost_per_detainee_day.unwrap_or(0.0))
                .collect(),
            relocations,
            capacity_rules: CapacityRules::new(s, &receiving_list, facility),
            courts,
            layout: Arc::new(Layout::new(s)),
        })
    }

    /// The scenario this plan was built from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Names of the metrics and series every outcome of this plan carries.
    pub fn layout(&self) -> &Arc<Layout> {
        &self.layout
    }
}

/// A broken promise of validation: a bug, never bad input.
#[cold]
pub(super) fn bug(what: String) -> ! {
    panic!("custody-sim internal error, please report: validation let through {what}")
}

/// An exponential of rate `rate` \[1/days\], which validation guarantees
/// is finite and positive.
///
/// # Panics
///
/// If it is not: a validation bug, never bad input.
pub(super) fn exp_rate(rate: f64) -> rand_distr::Exp<f64> {
    rand_distr::Exp::new(rate).unwrap_or_else(|e| {
        panic!("custody-sim internal error, please report: validation let through the exponential rate {rate}: {e}")
    })
}
