//! The courts (`[court]`): the stages of investigation and trial with
//! their servers and schedules (rules 5 and 15), verdicts, and the
//! sentences that follow a conviction (rule 10), with their checks.

use std::collections::HashSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use jiff::civil::Date;

use super::facility::{Facility, names_facility, no_facility};
use super::problems::{Problems, check_name};
use super::{Day, Dist, limits::*};

/// The court pipeline (`[court]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Court {
    /// Probability that a verdict is a conviction, in \[0, 1\]; otherwise the
    /// detainee is released.
    pub conviction_probability: f64,
    /// Facility the convicted move to; `None`: they stay where they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub convicted_facility: Option<String>,
    /// Ordered stages (`[[court.stage]]`); a verdict follows the last.
    #[serde(rename = "stage")]
    pub stages: Vec<Stage>,
    /// Sentences drawn at a conviction (`[[court.sentence]]`, rule 10, v2);
    /// their probabilities sum to 1. Empty: one sentence with no exit (v1).
    #[serde(rename = "sentence", default, skip_serializing_if = "Vec::is_empty")]
    pub sentences: Vec<Sentence>,
    /// Review of every conviction before it is final (`[court.appeal]`,
    /// rule 22, v3); `None`: a conviction is final at the verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal: Option<Appeal>,
}

/// The appeal, or cassation (`[court.appeal]`, rule 22, v3): one national
/// queue with parallel servers, like a stage, that every conviction joins
/// at the verdict.
///
/// When a review ends, with `reversal_probability` the conviction is
/// reversed and the detainee released (`released_on_appeal`); otherwise
/// the judgment is final. The sentence, its move and its exit draw are made
/// at the verdict; an exit of kind `executed` (and a repatriation clock
/// with `eligible_after = "verdict"`) starts at finality, while an exit of
/// kind `released` runs from the verdict and, if it falls during the
/// appeal, releases the detainee and ends the appeal case. A reversal
/// cancels the sentence's exit. Those under appeal are convicted in
/// custody, not awaiting a verdict.
///
/// # Example: executions wait for the Court of Cassation
///
/// ```
/// use custody_sim::{presets, simulate, scenario::Appeal, Dist};
///
/// let mut s = presets::plan_2026_01();
/// s.court.appeal = Some(Appeal::new(10, Dist::fixed(60.0)).with_reversal(0.5));
/// let out = simulate(&s, 1)?;
/// let reviewed = out.metric("appeal.completed").unwrap();
/// let reversed = out.metric("released_on_appeal").unwrap();
/// assert!(reviewed > 0.0 && reversed <= reviewed);
/// // Everyone convicted was reviewed, is in review or waits for it.
/// let waiting = out.metric("appeal.queue_at_horizon").unwrap();
/// assert!(reviewed + waiting <= out.metric("convicted").unwrap());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Appeal {
    /// Reviews in progress at once on day 0 \[cases\]; 0 only if a
    /// `schedule` entry later raises it.
    pub servers: u64,
    /// Time one review takes \[days\].
    pub service_days: Dist,
    /// Changes of the server count on given days; a cut never interrupts a
    /// review in progress.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<ServerChange>,
    /// Probability that a review reverses the conviction, in \[0, 1\];
    /// default 0.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub reversal_probability: f64,
}

fn is_zero_f64(x: &f64) -> bool {
    *x == 0.0
}

impl Appeal {
    /// An appeal with `servers` servers, review time `service_days` and
    /// no reversal.
    pub fn new(servers: u64, service_days: Dist) -> Appeal {
        Appeal {
            servers,
            service_days,
            schedule: Vec::new(),
            reversal_probability: 0.0,
        }
    }
    /// Sets the probability that a review reverses the conviction.
    pub fn with_reversal(mut self, probability: f64) -> Appeal {
        self.reversal_probability = probability;
        self
    }
    /// Sets the server count from `day` \[days or date\] on.
    pub fn with_change(mut self, day: impl Into<Day>, servers: u64) -> Appeal {
        self.schedule.push(ServerChange {
            day: day.into(),
            servers,
        });
        self
    }
}

/// A sentence (`[[court.sentence]]`, rule 10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sentence {
    /// Sentence name, unique; used in metric names (`sentenced.<sentence>`).
    pub name: String,
    /// Probability of this sentence given a conviction, in \[0, 1\].
    pub probability: f64,
    /// Facility the sentenced move to; overrides
    /// [`Court::convicted_facility`]. `None`: that rule applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility: Option<String>,
    /// How the sentenced leave custody; `None`: they stay to the horizon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<SentenceExit>,
}

/// How a sentence ends: with `probability`, the detainee leaves custody as
/// `kind` at the verdict plus an `after_days` draw.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SentenceExit {
    /// How the detainee leaves.
    pub kind: ExitKind,
    /// Time from the verdict to the exit \[days\].
    pub after_days: Dist,
    /// Probability that the exit happens at all, in \[0, 1\]; default 1.
    /// Otherwise the detainee stays to the horizon.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub probability: f64,
}

fn one() -> f64 {
    1.0
}

fn is_one(x: &f64) -> bool {
    *x == 1.0
}

/// How a sentenced detainee leaves custody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExitKind {
    /// Released at the end of the sentence.
    Released,
    /// Executed.
    Executed,
}

/// One court stage: a national first-come, first-served queue with parallel
/// servers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// Stage name, unique; used in metric names (`stage.<stage>.completed`).
    pub name: String,
    /// Cases in service at once on day 0 (judges or panels) \[cases\]; 0
    /// only if a `schedule` entry later raises it (a court that opens
    /// later: cases queue until then).
    pub servers: u64,
    /// Time one case spends in service \[days\].
    pub service_days: Dist,
    /// Changes of the server count on given days. A cut never interrupts a
    /// case in service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<ServerChange>,
    /// Court cases that are not transferees, competing for this stage's
    /// servers (rule 20, v3); `None`: the stage serves transferees only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_cases: Option<OtherCases>,
}

/// Other court cases at a stage (`other_cases`, rule 20, v3): a Poisson
/// stream of cases that are not transferees. They queue at this stage
/// alone, compete for its servers (in priority order, rule 21), and leave
/// the model when served; they hold no bed.
///
/// # Example: domestic cases at the trial stage
///
/// ```
/// use custody_sim::{presets, simulate, scenario::OtherCases};
///
/// let mut s = presets::plan_2026_01();
/// let trial = s.court.stages.iter().position(|st| st.name == "trial").unwrap();
/// s.court.stages[trial].other_cases = Some(OtherCases::new(5.0));
/// let out = simulate(&s, 1)?;
/// assert!(out.metric("stage.trial.other_completed").unwrap() > 0.0);
/// assert!(out.series("queue_other.trial").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The first arrives at `from` plus an exponential gap of mean
/// 1 / `per_day`, each next one an independent gap later. The stage's
/// metrics (`completed`, `mean_wait_days`, `peak_queue`,
/// `queue_at_horizon`) and the series `queue.<stage>` count transferees
/// only; `stage.<stage>.other_completed` and `queue_other.<stage>` count
/// these cases.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OtherCases {
    /// Arrival rate \[cases per day\], at least 0.
    pub per_day: f64,
    /// Time one such case spends in service \[days\]; `None`: the stage's
    /// own `service_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_days: Option<Dist>,
    /// The stream starts on this day \[days or date\]; default day 0.
    #[serde(default, skip_serializing_if = "Day::is_zero")]
    pub from: Day,
    /// Priority, on the groups' scale (rule 21): a free server takes the
    /// lowest number first; default 0.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub priority: i64,
}

impl OtherCases {
    /// Other cases at `per_day` \[cases per day\] from day 0, with the
    /// stage's service time and priority 0.
    pub fn new(per_day: f64) -> OtherCases {
        OtherCases {
            per_day,
            service_days: None,
            from: Day::default(),
            priority: 0,
        }
    }
}

pub(super) fn is_zero_i64(x: &i64) -> bool {
    *x == 0
}

/// A change of a stage's server count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerChange {
    /// Day of the change \[days or date\].
    pub day: Day,
    /// Server count from that day on \[cases\]; 0 closes the stage.
    pub servers: u64,
}

impl Stage {
    /// A stage with `servers` servers and no schedule.
    pub fn new(name: impl Into<String>, servers: u64, service_days: Dist) -> Stage {
        Stage {
            name: name.into(),
            servers,
            service_days,
            schedule: Vec::new(),
            other_cases: None,
        }
    }
    /// Sets the server count from `day` \[days or date\] on.
    pub fn with_change(mut self, day: impl Into<Day>, servers: u64) -> Stage {
        self.schedule.push(ServerChange {
            day: day.into(),
            servers,
        });
        self
    }
    /// Adds other court cases (rule 20) competing for this stage's
    /// servers.
    pub fn with_other_cases(mut self, other: OtherCases) -> Stage {
        self.other_cases = Some(other);
        self
    }
}

impl Sentence {
    /// A sentence with no facility of its own and no exit.
    pub fn new(name: impl Into<String>, probability: f64) -> Sentence {
        Sentence {
            name: name.into(),
            probability,
            facility: None,
            exit: None,
        }
    }
    /// Sets the facility the sentenced move to.
    pub fn with_facility(mut self, name: impl Into<String>) -> Sentence {
        self.facility = Some(name.into());
        self
    }
    /// Sets the exit: with `probability`, leave as `kind` after an
    /// `after_days` draw \[days\] from the verdict.
    pub fn with_exit(mut self, kind: ExitKind, after_days: Dist, probability: f64) -> Sentence {
        self.exit = Some(SentenceExit {
            kind,
            after_days,
            probability,
        });
        self
    }
}

/// The keys of a scenario that the court's checks read, each borrowed
/// from [`Scenario`](super::Scenario).
#[derive(Debug, Clone, Copy)]
pub(super) struct Keys<'a> {
    /// `start_date`.
    pub(super) start_date: Date,
    /// `horizon_days`.
    pub(super) horizon_days: u32,
    /// `[court]`.
    pub(super) court: &'a Court,
    /// `[[facility]]`.
    pub(super) facilities: &'a [Facility],
}

/// Checks the court: the conviction probability, the facility of the
/// convicted, and the stages (at least one; names, servers, service
/// times, schedules).
pub(super) fn check(s: Keys<'_>, p: &mut Problems) {
    let start = s.start_date;
    let c = &s.court;
    p.probability("court.conviction_probability", c.conviction_probability);
    if let Some(name) = &c.convicted_facility
        && !s.facilities.iter().any(|f| &f.name == name)
    {
        p.push(
            "court.convicted_facility",
            format!("names no facility, got {name:?}"),
        );
    }
    if c.stages.is_empty() {
        p.push("court.stage", "at least one stage is required");
    }
    p.list_len("court.stage", c.stages.len(), MAX_STAGES);
    let mut seen = HashSet::new();
    for (i, st) in c.stages.iter().enumerate() {
        check_name(p, format!("court.stage[{i}].name"), &st.name, &mut seen);
        check_servers(
            &format!("court.stage[{i}]"),
            st.servers,
            &st.service_days,
            &st.schedule,
            start,
            p,
        );
        if let Some(o) = &st.other_cases {
            check_other_cases(s, &format!("court.stage[{i}].other_cases"), o, p);
        }
    }
}

/// Checks the servers, service time and schedule of a stage or the
/// appeal, named under `base` (rules 5 and 15): 0 servers only if a
/// schedule entry raises it later.
fn check_servers(
    base: &str,
    servers: u64,
    service: &Dist,
    schedule: &[ServerChange],
    start: Date,
    p: &mut Problems,
) {
    // Rule 15: 0 servers is a court that opens later.
    if servers == 0 {
        if schedule.is_empty() {
            p.push(format!("{base}.servers"), "must be at least 1, got 0");
        } else if schedule.iter().all(|ch| ch.servers == 0) {
            p.push(
                format!("{base}.servers"),
                "must be at least 1, got 0, and no schedule entry raises it (the court would never open)",
            );
        }
    }
    p.at_most(format!("{base}.servers"), servers, MAX_SERVERS, "server");
    p.dist(&format!("{base}.service_days"), service);
    p.list_len(&format!("{base}.schedule"), schedule.len(), MAX_LIST);
    for (j, ch) in schedule.iter().enumerate() {
        p.day(format!("{base}.schedule[{j}].day"), ch.day, start);
        p.at_most(
            format!("{base}.schedule[{j}].servers"),
            ch.servers,
            MAX_SERVERS,
            "server",
        );
    }
}

/// Checks the appeal (rule 22): its servers, review time and schedule as
/// a stage's, and the reversal probability.
pub(super) fn check_appeal(s: Keys<'_>, p: &mut Problems) {
    if let Some(a) = &s.court.appeal {
        check_servers(
            "court.appeal",
            a.servers,
            &a.service_days,
            &a.schedule,
            s.start_date,
            p,
        );
        p.probability("court.appeal.reversal_probability", a.reversal_probability);
    }
}

/// Checks a stage's other cases (rule 20): a finite rate of at least 0
/// whose expected count over the horizon stays within
/// [`MAX_EXPECTED_EVENTS`], their service time and the day they start.
fn check_other_cases(s: Keys<'_>, base: &str, o: &OtherCases, p: &mut Problems) {
    let path = format!("{base}.per_day");
    let rate = o.per_day;
    if p.finite(path.clone(), rate) {
        let horizon = f64::from(s.horizon_days);
        if rate < 0.0 {
            p.push(path, format!("must be at least 0, got {rate}"));
        } else if rate * horizon > MAX_EXPECTED_EVENTS {
            p.push(
                path,
                format!(
                    "gives about {:.3e} cases, more than the limit of {MAX_EXPECTED_EVENTS:e}",
                    rate * horizon
                ),
            );
        }
    }
    if let Some(d) = &o.service_days {
        p.dist(&format!("{base}.service_days"), d);
    }
    p.day(format!("{base}.from"), o.from, s.start_date);
}

/// Checks the sentences (rule 10): names, probabilities that sum to 1,
/// facilities that exist, exits.
pub(super) fn check_sentences(s: Keys<'_>, p: &mut Problems) {
    let sentences = &s.court.sentences;
    p.list_len("court.sentence", sentences.len(), MAX_SENTENCES);
    let mut seen = HashSet::new();
    let mut sum = 0.0;
    let mut all_valid = true;
    for (i, sen) in sentences.iter().enumerate() {
        let base = format!("court.sentence[{i}]");
        check_name(p, format!("{base}.name"), &sen.name, &mut seen);
        if (0.0..=1.0).contains(&sen.probability) {
            sum += sen.probability;
        } else {
            all_valid = false;
            p.probability(format!("{base}.probability"), sen.probability);
        }
        if let Some(name) = &sen.facility
            && !names_facility(s.facilities, name)
        {
            p.push(format!("{base}.facility"), no_facility(s.facilities, name));
        }
        if let Some(exit) = &sen.exit {
            p.dist(&format!("{base}.exit.after_days"), &exit.after_days);
            p.probability(format!("{base}.exit.probability"), exit.probability);
        }
    }
    if all_valid && !sentences.is_empty() && (sum - 1.0).abs() > 1e-9 {
        p.push(
            "court.sentence",
            format!("probabilities must sum to 1, got {sum}"),
        );
    }
}
