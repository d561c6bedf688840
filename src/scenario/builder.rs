//! The Rust builder: a scenario written in code rather than read from a
//! file ([`Scenario::builder`]).

use super::problems::{ScenarioError, ScenarioErrors};
use super::{
    Admission, Allocation, Court, Custody, Date, Day, Dist, Escape, Facility, Group, Pause, Phase,
    Policy, Release, Relocation, Scenario, Sentence, Stage, Transfer, TransferEnd, Variant, day,
};
use crate::error::Error;

impl Scenario {
    /// Starts a builder for a scenario written in Rust.
    ///
    /// # Example: a one-prison, one-court scenario
    ///
    /// ```
    /// use custody_sim::{Dist, Facility, Group, Phase, Scenario, Stage};
    ///
    /// let s = Scenario::builder("demo", 365)
    ///     .start_date("2026-01-21")
    ///     .transit_days(Dist::fixed(1.0))
    ///     .phase(Phase::new(0.0, Dist::fixed(3.0), Dist::fixed(150.0)))
    ///     .group(Group::new("Iraqi", 2000))
    ///     .facility(Facility::new("Nasiriyah", 6000).with_initial_occupancy(14000))
    ///     .conviction_probability(0.95)
    ///     .stage(Stage::new("trial", 20, Dist::exponential(0.5)))
    ///     .build()?;
    /// assert_eq!(s.facilities[0].initial_occupancy, 14000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder(name: impl Into<String>, horizon_days: u32) -> ScenarioBuilder {
        ScenarioBuilder {
            bad_start_date: None,
            scenario: Scenario {
                name: name.into(),
                start_date: jiff::civil::date(2026, 1, 21),
                horizon_days,
                transfer: Transfer {
                    transit_days: Dist::fixed(0.0),
                    weekly_cap: None,
                    admission: Admission::Unlimited,
                    pauses: Vec::new(),
                    phases: Vec::new(),
                    escape: None,
                    end: None,
                },
                groups: Vec::new(),
                facilities: Vec::new(),
                allocation: Allocation::default(),
                court: Court {
                    conviction_probability: 1.0,
                    convicted_facility: None,
                    stages: Vec::new(),
                    sentences: Vec::new(),
                    appeal: None,
                },
                custody: Custody::default(),
                relocations: Vec::new(),
                releases: Vec::new(),
                uncertainty: None,
                variants: Vec::new(),
                applied: Default::default(),
            },
        }
    }
}

/// Builds a [`Scenario`] in Rust; [`ScenarioBuilder::build`] validates it.
///
/// Defaults: start date 2026-01-21, transit 0 days, unlimited admission,
/// no pauses or escapes, `least_occupied`, conviction probability 1.
#[derive(Debug, Clone)]
pub struct ScenarioBuilder {
    scenario: Scenario,
    /// A `start_date` that is not a date, reported by `build`.
    bad_start_date: Option<String>,
}

impl ScenarioBuilder {
    /// Sets the calendar date of day 0 (`YYYY-MM-DD`); one that is not a
    /// date makes [`ScenarioBuilder::build`] fail naming `start_date`.
    pub fn start_date(mut self, date: impl AsRef<str>) -> Self {
        let date = date.as_ref();
        match day::parse_date(date) {
            Some(d) => {
                self.scenario.start_date = d;
                self.bad_start_date = None;
            }
            None => self.bad_start_date = Some(date.to_string()),
        }
        self
    }
    /// Sets the calendar date of day 0.
    pub fn start(mut self, date: Date) -> Self {
        self.scenario.start_date = date;
        self.bad_start_date = None;
        self
    }
    /// Sets the transit time of a convoy \[days\].
    pub fn transit_days(mut self, d: Dist) -> Self {
        self.scenario.transfer.transit_days = d;
        self
    }
    /// Sets the weekly cap on departures \[persons\].
    pub fn weekly_cap(mut self, cap: u64) -> Self {
        self.scenario.transfer.weekly_cap = Some(cap);
        self
    }
    /// Sets the admission rule.
    pub fn admission(mut self, a: Admission) -> Self {
        self.scenario.transfer.admission = a;
        self
    }
    /// Adds a pause in departures, `[from, to)` \[days or dates\].
    pub fn pause(mut self, from: impl Into<Day>, to: impl Into<Day>) -> Self {
        self.scenario.transfer.pauses.push(Pause {
            from: from.into(),
            to: to.into(),
        });
        self
    }
    /// Stops departures at `until_day` and/or once `target_total` have
    /// boarded (`[transfer.end]`).
    pub fn transfer_end(mut self, until_day: Option<Day>, target_total: Option<u64>) -> Self {
        self.scenario.transfer.end = Some(TransferEnd {
            until_day,
            target_total,
        });
        self
    }
    /// Adds a convoy phase (phases must come in increasing `from` order).
    pub fn phase(mut self, p: Phase) -> Self {
        self.scenario.transfer.phases.push(p);
        self
    }
    /// Sets security incidents in Syria.
    pub fn escape(mut self, incident_rate_per_day: f64, escape_probability: f64) -> Self {
        self.scenario.transfer.escape = Some(Escape {
            incident_rate_per_day,
            escape_probability,
        });
        self
    }
    /// Adds a group.
    pub fn group(mut self, g: Group) -> Self {
        self.scenario.groups.push(g);
        self
    }
    /// Adds a facility.
    pub fn facility(mut self, f: Facility) -> Self {
        self.scenario.facilities.push(f);
        self
    }
    /// Sets the allocation rule (receiving facilities unchanged).
    pub fn allocation(mut self, policy: Policy, weights: Option<Vec<f64>>) -> Self {
        self.scenario.allocation.policy = policy;
        self.scenario.allocation.weights = weights;
        self
    }
    /// Sets the facilities that receive arrivals, by name, in the order the
    /// policy uses (`allocation.facilities`).
    pub fn receiving<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.scenario.allocation.facilities = Some(names.into_iter().map(Into::into).collect());
        self
    }
    /// Sets the hazard of death in custody \[per year\]
    /// (`custody.mortality_per_year`).
    pub fn mortality_per_year(mut self, rate: f64) -> Self {
        self.scenario.custody.mortality_per_year = rate;
        self
    }
    /// Adds a relocation between facilities.
    pub fn relocation(mut self, r: Relocation) -> Self {
        self.scenario.relocations.push(r);
        self
    }
    /// Adds a release order (`[[release]]`).
    pub fn release(mut self, r: Release) -> Self {
        self.scenario.releases.push(r);
        self
    }
    /// Adds a sentence (`[[court.sentence]]`).
    pub fn sentence(mut self, s: Sentence) -> Self {
        self.scenario.court.sentences.push(s);
        self
    }
    /// Sets the conviction probability.
    pub fn conviction_probability(mut self, p: f64) -> Self {
        self.scenario.court.conviction_probability = p;
        self
    }
    /// Sets the facility the convicted move to.
    pub fn convicted_facility(mut self, name: impl Into<String>) -> Self {
        self.scenario.court.convicted_facility = Some(name.into());
        self
    }
    /// Adds a court stage (stages run in the order added).
    pub fn stage(mut self, s: Stage) -> Self {
        self.scenario.court.stages.push(s);
        self
    }
    /// Adds a named variant (`[variant.NAME]`), after those added before.
    pub fn variant(mut self, v: Variant) -> Self {
        self.scenario.variants.push(v);
        self
    }
    /// Validates and returns the scenario.
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] with every problem [`Scenario::validate`] finds.
    pub fn build(self) -> Result<Scenario, Error> {
        let mut problems = Vec::new();
        if let Some(bad) = &self.bad_start_date {
            problems.push(ScenarioError {
                path: "start_date".into(),
                message: format!("must be a date YYYY-MM-DD, got {bad:?}"),
            });
        }
        if let Err(e) = self.scenario.validate() {
            problems.extend(e.0);
        }
        if problems.is_empty() {
            Ok(self.scenario)
        } else {
            Err(Error::Scenario(ScenarioErrors(problems)))
        }
    }
    /// Returns the scenario without validating it.
    pub fn build_unchecked(self) -> Scenario {
        self.scenario
    }
}
