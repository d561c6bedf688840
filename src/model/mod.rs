//! The detainee-flow model on the event calendar: one replication.
//!
//! A [`Plan`] is a validated scenario resolved for speed (indices instead of
//! names, samplers built, schedules sorted). [`Plan::replicate`] runs one
//! replication, a single-threaded deterministic event loop, and returns its
//! [`Outcome`]. [`simulate`] does both for a single run. What an outcome
//! holds, and under which names, is the [`schema`].
//!
//! ```text
//!  Syrian pool ──departure──► transit ──arrival──► facility (bed) ◄──relocation──► facility
//!      │ incident  (until the transfer's end)      │ (receiving list)
//!      ▼                                            ▼ court: stage 1 ─► … ─► stage k ─► verdict
//!   escaped                      repatriated ◄──────┤ (eligible after arrival,        │
//!                                                   │  a stage, or the verdict)       │
//!                         died in custody ◄─────────┤            released (leave) ◄───┤
//!                                                   └── convicted: sentence ◄─────────┘
//!                                                        ├─► released after the sentence
//!                                                        ├─► executed
//!                                                        └─► stays to the horizon
//!  background inmates: admitted (Poisson) ─► facility ─► leave (exponential stay)
//! ```
//!
//! Order of events at equal times: the order they were scheduled. At set-up
//! the calendar receives, in this order, bed expansions, server schedule
//! changes, each phase's first departure, the first incident, and (version
//! 2) the relocations; the end-of-day record of day d comes after every
//! event at time d.
//!
//! # Version 2 choices where the reference model (docs/model.md) leaves room
//!
//! - Draws made at the verdict, in this order on the sentence stream: the
//!   sentence, whether its exit happens, its delay. A death time is drawn
//!   on arrival (mortality stream) for every transferee when
//!   `custody.mortality_per_year > 0`.
//! - With `eligible_after` other than `"arrival"`, whether a detainee is
//!   chosen is drawn on arrival and its delay when the clock starts, both
//!   on the group's stream.
//! - Background inmates are counts, not entities, advanced by exact
//!   aggregate draws (see the `background` module: survivors ~ Binomial(N,
//!   e^(−Δ/m)), admissions ~ Poisson(aΔ), of which still inside ~
//!   Binomial(admissions, m(1 − e^(−Δ/m))/Δ)) at each end-of-day record and
//!   whenever occupancy is read (placement, `up_to_capacity`,
//!   relocations). Moved background inmates keep their own facility's
//!   mean stay (memorylessness makes that exact).
//! - Relocations choose uniformly without replacement among background
//!   inmates and transferees together (`who = "any"`); transferees in
//!   transit are not inside.
//! - The random streams of version 2 processes (sentences, mortality,
//!   relocations, each facility's background) come after those of
//!   version 1, so a version 1 scenario gives bit-identical results.

mod background;
mod court;
mod custody;
#[cfg(test)]
mod fast_paths;
pub(crate) mod outcome;
mod relocation;
mod repatriation;
pub mod schema;
#[cfg(test)]
mod tally;
mod transfer;

use std::sync::Arc;

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use crate::dist::sampler::Sampler;
use crate::engine::Calendar;
use crate::error::Error;
use crate::scenario::limits::MAX_SERIES_DAYS;
use crate::scenario::{Admission, EligibleAfter, ExitKind, Policy, Scenario, ScenarioErrors, Who};

pub use outcome::{Layout, Outcome};

/// Runs one replication of `scenario` with random stream `(seed, 0)`.
///
/// This is replication 0 of a Monte Carlo run with master seed `seed`.
///
/// # Errors
///
/// [`Error::Scenario`] if the scenario does not pass
/// [`Scenario::validate`]; a valid scenario always runs.
///
/// # Example
///
/// ```
/// use custody_sim::{presets, simulate};
///
/// let out = simulate(&presets::plan_2026_01(), 42)?;
/// let moved = out.metric("transferred").unwrap();
/// assert!(moved > 6000.0 && moved <= 7000.0);
/// assert_eq!(out.series("occupancy.Nasiriyah").unwrap().len(), 730);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate(scenario: &Scenario, seed: u64) -> Result<Outcome, Error> {
    Ok(Plan::new(scenario)?.replicate(seed, 0))
}

/// A conservation law found broken (a bug in the engine, never a
/// consequence of input): see [`Plan::replicate_checked`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("conservation broken at t = {time} days: {detail}")]
pub struct ConservationError {
    /// Simulation time of the check \[days\].
    pub time: f64,
    /// Which balance failed, with the counts.
    pub detail: String,
}

/// A validated scenario, resolved for fast replication.
///
/// Build it once and replicate many times; it is `Sync`, so rayon workers
/// share one.
#[derive(Debug, Clone)]
pub struct Plan {
    scenario: Scenario,
    horizon: f64,
    horizon_days: u32,
    total: usize,
    // Transfer.
    transit: Sampler,
    phases: Vec<PhasePlan>,
    /// Merged, sorted pause intervals `[from, to)`.
    pauses: Vec<(f64, f64)>,
    weekly_cap: Option<u64>,
    up_to_capacity: bool,
    escape: Option<EscapePlan>,
    // Groups.
    /// The pool on day 0: one group label per detainee.
    pool0: Vec<u16>,
    /// Whether every detainee of the pool has the same group label: then
    /// boarding needs no draw (see `Replication::departure`).
    uniform_pool: bool,
    groups: Vec<GroupPlan>,
    /// Whether some group's repatriation clock starts after arrival (at a
    /// stage's end or a conviction, rule 14): else the court never looks
    /// for one.
    later_clocks: bool,
    // Custody.
    capacity: Vec<u64>,
    initial: Vec<u64>,
    expansions: Vec<(f64, usize, u64)>,
    policy: Policy,
    weights: Option<rand::distr::weighted::WeightedIndex<f64>>,
    // Court.
    conviction: f64,
    convicted_facility: Option<usize>,
    stages: Vec<StagePlan>,
    schedule: Vec<(f64, usize, u64)>,
    // Version 2.
    /// No departure at or after this day (infinity: none).
    until: f64,
    /// Departures stop once this many have boarded.
    target_total: Option<u64>,
    /// No pauses, weekly cap, admission up to capacity, end day or target
    /// total: a departure then boards what it draws (up to the pool) with
    /// none of their tests.
    plain_departures: bool,
    /// Facilities that receive arrivals, in the order the policy uses.
    receiving: Vec<usize>,
    /// The one facility every arrival goes to when nothing else is done on
    /// arrival (one receiving facility, no background turnover, nobody
    /// dies, no repatriation delay in any group): an arrival then places
    /// and queues each detainee with none of their tests.
    plain_arrival: Option<u16>,
    /// Time from arrival to death in custody; `None`: nobody dies.
    mortality: Option<rand_distr::Exp<f64>>,
    sentences: Vec<SentencePlan>,
    sentence_pick: Option<rand::distr::weighted::WeightedIndex<f64>>,
    /// Per facility: its background turnover, if any.
    background: Vec<Option<BackgroundPlan>>,
    /// Whether any facility's background turns over.
    has_background: bool,
    /// Per facility: cost of one detainee-day (0 if not priced).
    cost: Vec<f64>,
    /// Relocations, by day (file order at equal days).
    relocations: Vec<RelocationPlan>,
    layout: Arc<Layout>,
}

#[derive(Debug, Clone)]
struct SentencePlan {
    /// Where the sentenced go (the sentence's facility, else
    /// `convicted_facility`); `None`: they stay where they are.
    facility: Option<usize>,
    exit: Option<ExitPlan>,
}

#[derive(Debug, Clone)]
struct ExitPlan {
    executed: bool,
    after: Sampler,
    probability: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct BackgroundPlan {
    /// Admissions \[persons per day\].
    pub(crate) rate: f64,
    /// Mean stay \[days\].
    pub(crate) mean_stay: f64,
    /// Admissions over one whole day, built once.
    pub(crate) one_day: Option<background::OneDay>,
}

#[derive(Debug, Clone)]
struct RelocationPlan {
    day: f64,
    from: usize,
    to: usize,
    count: u64,
    who: Who,
}

/// When a group's repatriation clock starts (rule 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Eligible {
    Arrival,
    /// When service at this stage ends.
    Stage(usize),
    /// At a conviction.
    Verdict,
}

#[derive(Debug, Clone)]
struct PhasePlan {
    from: f64,
    /// No departure of this phase at or after this time: the start of the
    /// next phase (infinity for the last), or the first time after the
    /// horizon if that comes first, so that one comparison tells both.
    stop: f64,
    interval: Sampler,
    size: Sampler,
    /// The convoy size when it is fixed: drawn once (a fixed draw takes
    /// nothing from its stream).
    fixed_size: Option<u64>,
}

#[derive(Debug, Clone)]
struct EscapePlan {
    gap: rand_distr::Exp<f64>,
    probability: f64,
}

#[derive(Debug, Clone)]
struct GroupPlan {
    probability: f64,
    delay: Option<Sampler>,
    earliest: f64,
    eligible: Eligible,
    after_conviction: bool,
    quota: Option<u64>,
}

/// Refuses a scenario whose daily series would hold more than
/// [`MAX_SERIES_DAYS`] values per replication: every daily series of the
/// schema, per entity of its scope, times the horizon.
fn check_series_size(s: &Scenario) -> Result<(), ScenarioErrors> {
    let series = schema::series_defs()
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
struct StagePlan {
    servers: u64,
    service: Sampler,
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
        schedule.sort_by(|a, b| a.0.total_cmp(&b.0));
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
                f.background.as_ref().map(|b| BackgroundPlan {
                    rate: b.admissions_per_day,
                    mean_stay: b.mean_stay_days,
                    one_day: (b.admissions_per_day > 0.0)
                        .then(|| background::OneDay::new(b.admissions_per_day)),
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
        let plain_arrival = match receiving[..] {
            [only]
                if rate <= 0.0
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

    /// Runs replication `index` of master seed `seed`.
    ///
    /// The result depends on `(seed, index)` alone. Conservation is checked
    /// at every end-of-day record.
    pub fn replicate(&self, seed: u64, index: u64) -> Outcome {
        let mut ws = Workspace::default();
        self.replicate_in(&mut ws, seed, index)
    }

    /// As [`Plan::replicate`], reusing the buffers of `ws` (one workspace per
    /// thread keeps allocation out of a long run).
    pub fn replicate_in(&self, ws: &mut Workspace, seed: u64, index: u64) -> Outcome {
        let mut rep = Replication::new(self, ws, seed, index, false);
        // Without per-event checks the loop cannot fail.
        let _ = rep.run();
        rep.outcome()
    }

    /// As [`Plan::replicate_in`], for a runner that folds the daily series
    /// itself: the metric values, in layout order, with the daily series
    /// left in `ws` ([`Workspace::series`]) rather than moved into an
    /// [`Outcome`], so that their buffer is reused.
    pub(crate) fn replicate_values(
        &self,
        ws: &mut Workspace,
        seed: u64,
        index: u64,
    ) -> Vec<Option<f64>> {
        let mut rep = Replication::new(self, ws, seed, index, false);
        let _ = rep.run();
        rep.values()
    }

    /// As [`Plan::replicate`], checking conservation after every event: each
    /// detainee in exactly one state, beds and court cases adding up.
    ///
    /// Slower; meant for tests.
    ///
    /// # Errors
    ///
    /// The first [`ConservationError`], which would be a bug in the engine.
    pub fn replicate_checked(&self, seed: u64, index: u64) -> Result<Outcome, ConservationError> {
        let mut ws = Workspace::default();
        let mut rep = Replication::new(self, &mut ws, seed, index, true);
        rep.run()?;
        Ok(rep.outcome())
    }
}

/// A broken promise of validation: a bug, never bad input.
#[cold]
fn bug(what: String) -> ! {
    panic!("custody-sim internal error, please report: validation let through {what}")
}

/// An exponential of rate `rate` \[1/days\], which validation guarantees
/// is finite and positive.
///
/// # Panics
///
/// If it is not: a validation bug, never bad input.
fn exp_rate(rate: f64) -> rand_distr::Exp<f64> {
    rand_distr::Exp::new(rate).unwrap_or_else(|e| {
        panic!("custody-sim internal error, please report: validation let through the exponential rate {rate}: {e}")
    })
}

/// Where a detainee is, once it has boarded a convoy. (Detainees in the
/// pool are group labels without identity, see [`Workspace`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Transit,
    Queued,
    InService,
    Convicted,
    Released,
    Repatriated,
    /// Released at the end of a sentence.
    Served,
    Executed,
    Died,
}

/// An event: small and `Copy`, so the calendar holds no boxes. Eight
/// bytes (checked below): with its time, an entry of the calendar fills a
/// quarter of a cache line, and re-filing the calendar's buckets touches
/// two thirds of the memory that 12-byte events did.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    /// Index into `Plan::expansions`.
    Expansion(u32),
    /// Index into `Plan::schedule`.
    ServerChange(u32),
    /// A departure of phase `.0`.
    Departure(u32),
    /// A convoy: index into `Workspace::convoys`, which holds its
    /// detainees as (first, count).
    Arrival(u32),
    /// A security incident in Syria.
    Incident,
    /// Detainee `d` finishes service at `stage`.
    /// (At most `limits::MAX_STAGES` = 64 stages, so a `u8` holds one.)
    ServiceDone { stage: u8, d: u32 },
    /// Detainee `d`'s repatriation time.
    Repatriate(u32),
    /// Index into `Plan::relocations`.
    Relocation(u32),
    /// Detainee `d`'s sentence ends: released or executed.
    Exit { d: u32, executed: bool },
    /// Detainee `d`'s death time in custody.
    Death(u32),
}

/// Per-process random streams of one replication.
///
/// Replication `i` of seed `s` uses ChaCha8 keyed by `s`, stream (nonce)
/// `i`; process `p` starts at word `p * 2^56` of that stream, so each
/// process has 2^56 words of its own and adding draws to one never shifts
/// another. The transfer has four: the timetable (intervals), convoy sizes
/// and transit times (one draw each per scheduled departure, taken even
/// when the departure is skipped by a pause or caps, so that the k-th
/// departure keeps its draws whatever the pauses and caps), and boarding.
/// Each court stage's stream is held by its desk (`court::Desk`), beside
/// the stage's counts, and is set here with the others.
#[derive(Debug)]
pub(crate) struct Streams {
    pub(crate) timetable: ChaCha8Rng,
    pub(crate) size: ChaCha8Rng,
    pub(crate) transit: ChaCha8Rng,
    pub(crate) boarding: ChaCha8Rng,
    pub(crate) escape: ChaCha8Rng,
    pub(crate) allocation: ChaCha8Rng,
    pub(crate) verdict: ChaCha8Rng,
    pub(crate) groups: Vec<ChaCha8Rng>,
    /// Version 2: sentences and their exits.
    pub(crate) sentence: ChaCha8Rng,
    /// Version 2: death times in custody.
    pub(crate) mortality: ChaCha8Rng,
    /// Version 2: who a relocation moves.
    pub(crate) relocation: ChaCha8Rng,
    /// Version 2: each facility's background turnover (empty when no
    /// facility has one).
    pub(crate) background: Vec<ChaCha8Rng>,
}

const _: () = assert!(
    std::mem::size_of::<Event>() == 8
        && crate::scenario::limits::MAX_STAGES <= u8::MAX as usize + 1,
    "an event no longer fits 8 bytes"
);

// The stream layout is fixed by these constants alone: changing one
// changes every result. Processes 0-6 are the transfer's, escapes,
// allocation and verdicts; then one per court stage (at most 64) and one
// per group (at most 1,000). Version 2 processes come after, so that a
// version 1 scenario draws exactly what it drew before.
const PROCESS_STAGE0: u128 = 8;
const PROCESS_GROUP0: u128 = 72;
const PROCESS_SENTENCE: u128 = 1100;
const PROCESS_MORTALITY: u128 = 1101;
const PROCESS_RELOCATION: u128 = 1102;
const PROCESS_BACKGROUND0: u128 = 1200;
const _: () = assert!(
    PROCESS_STAGE0 + crate::scenario::limits::MAX_STAGES as u128 <= PROCESS_GROUP0
        && PROCESS_GROUP0 + (crate::scenario::limits::MAX_GROUPS as u128) <= PROCESS_SENTENCE
        && PROCESS_BACKGROUND0 + (crate::scenario::limits::MAX_FACILITIES as u128) < 1 << 12,
    "the random-stream layout no longer fits the validation limits"
);

impl Streams {
    /// The streams of replication `index` of seed `seed`; each court
    /// stage's goes to its desk.
    fn new(
        seed: u64,
        index: u64,
        desks: &mut [court::Desk],
        groups: usize,
        facilities: usize,
    ) -> Streams {
        let key = ChaCha8Rng::seed_from_u64(seed).get_seed();
        let at = |p: u128| {
            let mut r = ChaCha8Rng::from_seed(key);
            r.set_stream(index);
            r.set_word_pos(p << 56);
            r
        };
        for (s, k) in desks.iter_mut().enumerate() {
            k.rng = at(PROCESS_STAGE0 + s as u128);
        }
        Streams {
            timetable: at(0),
            escape: at(1),
            allocation: at(2),
            verdict: at(3),
            size: at(4),
            transit: at(5),
            boarding: at(6),
            groups: (0..groups as u128)
                .map(|g| at(PROCESS_GROUP0 + g))
                .collect(),
            sentence: at(PROCESS_SENTENCE),
            mortality: at(PROCESS_MORTALITY),
            relocation: at(PROCESS_RELOCATION),
            background: (0..facilities as u128)
                .map(|f| at(PROCESS_BACKGROUND0 + f))
                .collect(),
        }
    }
}

/// Buffers of a replication, reused from one replication to the next.
///
/// Detainees in the Syrian pool are exchangeable within their group, so
/// the pool holds group labels; a detainee gets its index when it boards
/// (the k-th to board is detainee k). Boarding draws a label uniformly
/// from the pool without replacement, which is the law of rule 2 (docs/model.md),
/// and keeps each convoy's detainees next to each other in memory.
#[derive(Debug, Default)]
pub struct Workspace {
    cal: Calendar<Event>,
    /// Group labels of the detainees still in the pool.
    pool: Vec<u16>,
    /// Per boarded detainee (detainee `d` at index `d`): what the model
    /// keeps of it, in one record, so that an event about a detainee reads
    /// one cache line.
    det: Vec<Detainee>,
    /// Per court stage: its desk (counts, queue, service, stream).
    desks: Vec<court::Desk>,
    /// Arrival-to-verdict days, as the bits of the (non-negative) `f64`s,
    /// which order as the numbers do: the median selects on integers.
    verdict_days: Vec<u64>,
    /// Scratch: relocation candidates.
    candidates: Vec<u32>,
    /// Convoys scheduled to arrive, as (first detainee, count), indexed by
    /// [`Event::Arrival`].
    convoys: Vec<(u32, u32)>,
    /// The daily series of the replication running or run last, series
    /// after series (see [`Outcome::series_at`]).
    series: Vec<u32>,
}

/// What the model keeps of a boarded detainee: 16 bytes, four to a cache
/// line (validation bounds stages by 64 and facilities by 1,000).
#[derive(Debug, Clone, Copy)]
struct Detainee {
    /// Arrival time in Iraq \[days\] (written on arrival).
    arrival: f64,
    /// The court stage it is at or was at last.
    stage: u8,
    /// The facility holding it (or that held it last).
    facility: u16,
    /// Its group.
    group: u16,
    status: Status,
    /// Chosen for a repatriation whose clock starts after arrival (rule
    /// 14); written on arrival for the groups that use it.
    chosen: bool,
}

const _: () = assert!(
    std::mem::size_of::<Detainee>() == 16
        && crate::scenario::limits::MAX_STAGES <= u8::MAX as usize + 1
        && crate::scenario::limits::MAX_FACILITIES <= u16::MAX as usize + 1,
    "a detainee's record no longer fits 16 bytes"
);

impl Detainee {
    /// A detainee of group `group` boarding a convoy: in transit, the
    /// other fields written before they are read.
    const fn boarding(group: u16) -> Detainee {
        Detainee {
            arrival: 0.0,
            stage: 0,
            facility: 0,
            group,
            status: Status::Transit,
            chosen: false,
        }
    }
}

impl Workspace {
    /// The daily series of the replication run last by
    /// [`Plan::replicate_values`], series after series.
    pub(crate) fn series(&self) -> &[u32] {
        &self.series
    }
}

/// The state of one running replication.
pub(crate) struct Replication<'a> {
    plan: &'a Plan,
    ws: &'a mut Workspace,
    rng: Streams,
    check: bool,
    // Transfer.
    boarded: usize,
    in_transit: u64,
    week: u64,
    week_used: u64,
    transferred: u64,
    transferred_g: Vec<u64>,
    last_arrival: Option<f64>,
    /// Time of the last departure that boarded anyone (for
    /// `transfer_ended_day`, read at the horizon).
    last_departure: Option<f64>,
    escaped: u64,
    // Custody.
    occ: Vec<u64>,
    cap: Vec<u64>,
    // Court.
    awaiting: u64,
    released: u64,
    convicted: u64,
    convicted_g: Vec<u64>,
    repatriated: u64,
    repatriated_g: Vec<u64>,
    /// Sum of the arrival-to-verdict days, in verdict order.
    verdict_sum: f64,
    // Version 2.
    /// Convicted and still in custody.
    convicted_in: u64,
    sentenced: Vec<u64>,
    served: u64,
    executed: u64,
    died: u64,
    relocated: u64,
    /// Per facility: background cohorts (rule 12).
    cohorts: Vec<Vec<background::Cohort>>,
    /// Per facility: background inmates inside, all cohorts.
    bg: Vec<u64>,
    /// Per facility: background admissions, departures, and relocations
    /// in and out, so far.
    bg_admitted: Vec<u64>,
    bg_left: Vec<u64>,
    bg_in: Vec<u64>,
    bg_out: Vec<u64>,
    // Records.
    rec: outcome::Records,
    /// Test builds: events handled and stale, by kind.
    #[cfg(test)]
    tally: tally::Tally,
}

impl<'a> Replication<'a> {
    fn new(plan: &'a Plan, ws: &'a mut Workspace, seed: u64, index: u64, check: bool) -> Self {
        let n = plan.total;
        let nf = plan.capacity.len();
        let ns = plan.stages.len();
        let ng = plan.groups.len();
        ws.cal.clear();
        ws.pool.clear();
        ws.pool.extend_from_slice(&plan.pool0);
        // Every per-detainee field is written when the detainee boards or
        // arrives, before it is read: the buffers need only be long enough.
        if ws.det.len() < n {
            ws.det.resize(n, Detainee::boarding(0));
        }
        ws.desks.resize_with(ns, court::Desk::idle);
        ws.desks.truncate(ns);
        for (k, st) in ws.desks.iter_mut().zip(&plan.stages) {
            k.reset(st.servers, &st.service);
        }
        let rng = Streams::new(
            seed,
            index,
            &mut ws.desks,
            ng,
            if plan.has_background { nf } else { 0 },
        );
        ws.verdict_days.clear();
        ws.convoys.clear();
        // Every (series, day) is written by the end-of-day records.
        ws.series.clear();
        ws.series
            .resize(plan.layout.series().len() * plan.horizon_days as usize, 0);
        let mut rep = Replication {
            plan,
            ws,
            rng,
            check,
            boarded: 0,
            in_transit: 0,
            week: 0,
            week_used: 0,
            transferred: 0,
            transferred_g: vec![0; ng],
            last_arrival: None,
            last_departure: None,
            escaped: 0,
            occ: plan.initial.clone(),
            cap: plan.capacity.clone(),
            awaiting: 0,
            released: 0,
            convicted: 0,
            convicted_g: vec![0; ng],
            repatriated: 0,
            repatriated_g: vec![0; ng],
            verdict_sum: 0.0,
            convicted_in: 0,
            sentenced: vec![0; plan.sentences.len()],
            served: 0,
            executed: 0,
            died: 0,
            relocated: 0,
            cohorts: plan
                .initial
                .iter()
                .zip(&plan.background)
                .map(|(&n, b)| vec![background::Cohort::native(n, b.as_ref())])
                .collect(),
            bg: plan.initial.clone(),
            bg_admitted: vec![0; nf],
            bg_left: vec![0; nf],
            bg_in: vec![0; nf],
            bg_out: vec![0; nf],
            rec: outcome::Records::new(nf, ns),
            #[cfg(test)]
            tally: tally::Tally::default(),
        };
        rep.schedule_start();
        rep
    }

    fn schedule_start(&mut self) {
        let plan = self.plan;
        let h = plan.horizon;
        for (i, e) in plan.expansions.iter().enumerate() {
            if e.0 <= h {
                self.ws.cal.schedule(e.0, Event::Expansion(i as u32));
            }
        }
        for (i, c) in plan.schedule.iter().enumerate() {
            if c.0 <= h {
                self.ws.cal.schedule(c.0, Event::ServerChange(i as u32));
            }
        }
        for (i, p) in plan.phases.iter().enumerate() {
            if p.from <= h {
                self.ws.cal.schedule(p.from, Event::Departure(i as u32));
            }
        }
        self.schedule_incident(0.0);
        // Version 2 events come after the version 1 set-up, so that a
        // version 1 scenario keeps its sequence numbers.
        for (i, r) in plan.relocations.iter().enumerate() {
            if r.day <= h {
                self.ws.cal.schedule(r.day, Event::Relocation(i as u32));
            }
        }
    }

    /// Runs the event loop to the horizon, recording each day.
    fn run(&mut self) -> Result<(), ConservationError> {
        let h = self.plan.horizon;
        let days = self.plan.horizon_days;
        let mut next_day = 1u32;
        // `next_day` as a time, to compare with each event's.
        let mut day_end = 1.0_f64;
        while let Some((t, ev)) = self.ws.cal.pop() {
            if t > h {
                // Nothing after the horizon is processed; the calendar is
                // cleared before the next replication.
                break;
            }
            while day_end < t {
                self.record(next_day);
                next_day += 1;
                day_end = f64::from(next_day);
            }
            #[cfg(test)]
            self.tally(ev);
            self.handle(t, ev);
            if self.check {
                self.conservation(t, false)?;
            }
        }
        while next_day <= days {
            self.record(next_day);
            next_day += 1;
        }
        Ok(())
    }

    /// Handles event `ev` at `t`.
    ///
    /// Inlined into the event loop, with the handlers of the events that
    /// come once or twice per detainee (departures, arrivals, service
    /// ends). The handlers of rarer ones (incidents, repatriations,
    /// relocations, sentence ends, deaths) and the rarer steps of the
    /// common ones (admission tests, sentencing) are never inlined: that
    /// made the loop's code a third smaller and a replication 1 to 2%
    /// faster on M/M/1 and the January plan alike (the sizes measured are
    /// in the docs of [`crate::engine`]).
    #[inline]
    fn handle(&mut self, t: f64, ev: Event) {
        match ev {
            Event::Expansion(i) => {
                let (_, f, beds) = self.plan.expansions[i as usize];
                self.cap[f] += beds;
            }
            Event::ServerChange(i) => {
                let (_, s, n) = self.plan.schedule[i as usize];
                self.ws.desks[s].servers = n;
                self.start_service(s, t);
            }
            Event::Departure(p) => self.departure(p as usize, t),
            Event::Arrival(c) => {
                let (start, len) = self.ws.convoys[c as usize];
                self.arrival(start as usize, len as usize, t);
            }
            Event::Incident => self.incident(t),
            Event::ServiceDone { stage, d } => self.service_done(stage as usize, d, t),
            Event::Repatriate(d) => self.repatriate(d, t),
            Event::Relocation(i) => self.relocation(i as usize, t),
            Event::Exit { d, executed } => self.sentence_ends(d, executed),
            Event::Death(d) => self.death(d, t),
        }
    }

    /// Whether the balances that [`Replication::conservation`] checks
    /// without `full` hold: the same sums, without building the message of
    /// a failure (the end-of-day records check them every day).
    #[inline]
    fn balanced(&self) -> bool {
        let total = self.ws.pool.len() as u64
            + self.in_transit
            + self.awaiting
            + self.convicted_in
            + self.released
            + self.served
            + self.repatriated
            + self.escaped
            + self.executed
            + self.died;
        let in_court: u64 = self.ws.desks.iter().map(|k| k.qlen + k.busy).sum();
        if total != self.plan.total as u64 || in_court != self.awaiting {
            return false;
        }
        for f in 0..self.bg.len() {
            let want = self.plan.initial[f] + self.bg_admitted[f] + self.bg_in[f];
            let cohorts: u64 = self.cohorts[f].iter().map(|c| c.n).sum();
            if self.bg[f] + self.bg_left[f] + self.bg_out[f] != want || cohorts != self.bg[f] {
                return false;
            }
        }
        let beds: u64 = self.occ.iter().sum();
        beds == self.bg.iter().sum::<u64>() + self.awaiting + self.convicted_in
    }

    /// Checks every balance of the conservation law (docs/model.md); `full` also
    /// counts each detainee's own status and place (O(detainees)).
    fn conservation(&self, t: f64, full: bool) -> Result<(), ConservationError> {
        let fail = |detail: String| Err(ConservationError { time: t, detail });
        let pool = self.ws.pool.len() as u64;
        let parts = [
            ("pool", pool),
            ("transit", self.in_transit),
            ("awaiting", self.awaiting),
            ("convicted in custody", self.convicted_in),
            ("released", self.released),
            ("released after a sentence", self.served),
            ("repatriated", self.repatriated),
            ("escaped", self.escaped),
            ("executed", self.executed),
            ("died", self.died),
        ];
        let sum: u64 = parts.iter().map(|p| p.1).sum();
        if sum != self.plan.total as u64 {
            let terms: Vec<String> = parts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            return fail(format!(
                "{} = {sum}, not {}",
                terms.join(" + "),
                self.plan.total
            ));
        }
        let in_court: u64 = self.ws.desks.iter().map(|k| k.qlen + k.busy).sum();
        if in_court != self.awaiting {
            return fail(format!(
                "queued + in service = {in_court}, awaiting verdict = {}",
                self.awaiting
            ));
        }
        for f in 0..self.bg.len() {
            let want = self.plan.initial[f] + self.bg_admitted[f] + self.bg_in[f];
            let cohorts: u64 = self.cohorts[f].iter().map(|c| c.n).sum();
            if self.bg[f] + self.bg_left[f] + self.bg_out[f] != want || cohorts != self.bg[f] {
                return fail(format!(
                    "facility {f}: background {} (cohorts {cohorts}) != initial {} + admitted {} - left {} + moved in {} - moved out {}",
                    self.bg[f],
                    self.plan.initial[f],
                    self.bg_admitted[f],
                    self.bg_left[f],
                    self.bg_in[f],
                    self.bg_out[f]
                ));
            }
        }
        let beds: u64 = self.occ.iter().sum();
        let expected = self.bg.iter().sum::<u64>() + self.awaiting + self.convicted_in;
        if beds != expected {
            return fail(format!(
                "occupancy {beds} != background + awaiting + convicted in custody = {expected}"
            ));
        }
        if full {
            // Full scan: every boarded detainee's own status agrees with the
            // counters, and each facility holds its background plus the
            // transferees placed there.
            let mut by = [0u64; 9];
            let mut inside = self.bg.clone();
            for det in &self.ws.det[..self.boarded] {
                by[det.status as usize] += 1;
                if matches!(
                    det.status,
                    Status::Queued | Status::InService | Status::Convicted
                ) {
                    inside[det.facility as usize] += 1;
                }
            }
            let want = [
                self.in_transit,
                self.ws.desks.iter().map(|k| k.qlen).sum(),
                self.ws.desks.iter().map(|k| k.busy).sum(),
                self.convicted_in,
                self.released,
                self.repatriated,
                self.served,
                self.executed,
                self.died,
            ];
            if by != want {
                return fail(format!("statuses {by:?} != counters {want:?}"));
            }
            if inside != self.occ {
                return fail(format!(
                    "occupancy {:?} != background + transferees placed {inside:?}",
                    self.occ
                ));
            }
        }
        Ok(())
    }
}
