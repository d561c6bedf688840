//! What to simulate: the scenario as plain data.
//!
//! A [`Scenario`] mirrors the TOML scenario file of the reference model key
//! for key (`[[group]]` is [`Scenario::groups`], `[[court.stage]]` is
//! [`Court::stages`], and so on). Load one with [`Scenario::from_toml_str`]
//! or [`Scenario::from_path`], take a bundled one from [`presets`], or build
//! one in Rust with [`Scenario::builder`]. Either way, [`Scenario::validate`]
//! reports every problem at once, each naming its key path.
//!
//! Units: time is in days from `start_date` (day 0); counts are persons.

pub mod dist;
pub mod path;
pub mod presets;
pub mod validate;

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use dist::Dist;
pub use validate::{ScenarioError, ScenarioErrors, limits};

use crate::Error;

/// A whole scenario: transfer plan, groups, prisons, allocation and courts.
///
/// # Example: load, validate and inspect
///
/// ```
/// use custody_sim::Scenario;
///
/// let s = Scenario::from_toml_str(r#"
/// name = "tiny"
/// start_date = "2026-01-21"
/// horizon_days = 30
///
/// [transfer]
/// transit_days = { dist = "fixed", value = 1.0 }
///
/// [[transfer.phase]]
/// from = 0.0
/// interval_days = { dist = "fixed", value = 1.0 }
/// convoy_size = { dist = "fixed", value = 10.0 }
///
/// [[group]]
/// name = "all"
/// count = 100
///
/// [[facility]]
/// name = "A"
/// capacity = 50
///
/// [court]
/// conviction_probability = 0.9
///
/// [[court.stage]]
/// name = "trial"
/// servers = 2
/// service_days = { dist = "exponential", mean = 1.0 }
/// "#)?;
/// assert_eq!(s.groups[0].count, 100);
/// assert_eq!(s.total_detainees(), 100);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name, used in reports.
    pub name: String,
    /// Calendar date of day 0, `YYYY-MM-DD`.
    pub start_date: String,
    /// Length of each replication \[days\]; events after it are not processed.
    pub horizon_days: u32,
    /// Convoys out of the Syrian pool (`[transfer]`).
    pub transfer: Transfer,
    /// Nationality groups (`[[group]]`); every detainee belongs to one.
    #[serde(rename = "group")]
    pub groups: Vec<Group>,
    /// Prisons in Iraq (`[[facility]]`).
    #[serde(rename = "facility")]
    pub facilities: Vec<Facility>,
    /// How arrivals are placed in facilities (`[allocation]`); default
    /// `least_occupied`.
    #[serde(default)]
    pub allocation: Allocation,
    /// The court pipeline (`[court]`).
    pub court: Court,
}

/// The transfer plan (`[transfer]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// Time from departure to arrival of a convoy \[days\].
    pub transit_days: Dist,
    /// Most detainees that may depart in one week (days `[7k, 7k+7)`)
    /// \[persons\]; `None`: no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_cap: Option<u64>,
    /// Whether convoys are held to the free beds in Iraq.
    #[serde(default)]
    pub admission: Admission,
    /// Intervals `[from, to)` in which departures are skipped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pauses: Vec<Pause>,
    /// Convoy phases (`[[transfer.phase]]`), in increasing `from` order.
    #[serde(rename = "phase")]
    pub phases: Vec<Phase>,
    /// Security incidents at Syrian sites; `None`: no escapes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escape: Option<Escape>,
}

/// Whether a convoy is held to the free beds in Iraq.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Admission {
    /// Convoys leave whatever the beds in Iraq (the default).
    #[default]
    Unlimited,
    /// A convoy is capped by the free beds at departure: the sum over
    /// facilities of capacity minus occupancy where positive, less the
    /// detainees already in transit.
    UpToCapacity,
}

/// A pause in departures, `[from, to)` \[days\].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pause {
    /// First day of the pause \[days\], included.
    pub from: f64,
    /// End of the pause \[days\], excluded.
    pub to: f64,
}

/// One phase of convoys: a departure on `from`, then one after each
/// `interval_days` draw, until the next phase begins.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Day of the phase's first departure \[days\].
    pub from: f64,
    /// Time between departures \[days\]; `fixed` gives a timetable,
    /// `exponential` a Poisson process.
    pub interval_days: Dist,
    /// Detainees per convoy before caps \[persons\]; rounded to an integer.
    pub convoy_size: Dist,
}

/// Security incidents at Syrian sites (`[transfer.escape]`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escape {
    /// Rate of the Poisson process of incidents \[per day\].
    pub incident_rate_per_day: f64,
    /// Probability that each detainee still in the pool escapes at an
    /// incident, independently of the others.
    pub escape_probability: f64,
}

/// A nationality group (`[[group]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Group name, unique; used in metric names (`transferred.<group>`).
    pub name: String,
    /// Detainees of this group in the Syrian pool on day 0 \[persons\].
    pub count: u64,
    /// The home state's repatriation rule; default: none.
    #[serde(default)]
    pub repatriation: Repatriation,
}

/// A group's repatriation rule.
///
/// On arrival in Iraq each detainee of the group is, with `probability`,
/// given a repatriation time: the later of arrival plus a `delay_days` draw
/// and `earliest_day`. If that comes before the verdict the detainee leaves.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repatriation {
    /// Probability that a detainee is given a repatriation time, in \[0, 1\].
    pub probability: f64,
    /// Delay from arrival to repatriation \[days\]; required when
    /// `probability > 0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_days: Option<Dist>,
    /// No repatriation before this day \[days\]; default 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub earliest_day: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// A prison (`[[facility]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facility {
    /// Facility name, unique; used in metric names.
    pub name: String,
    /// Design capacity on day 0 \[beds\], at least 1.
    pub capacity: u64,
    /// Population inside on day 0 that belongs to no group and never leaves
    /// \[persons\].
    #[serde(default)]
    pub initial_occupancy: u64,
    /// Beds added on given days.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expansions: Vec<Expansion>,
}

/// Beds added to a facility on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expansion {
    /// Day the beds come into use \[days\].
    pub day: f64,
    /// Beds added \[beds\].
    pub beds: u64,
}

/// How arrivals are placed in facilities (`[allocation]`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    /// The placement rule.
    pub policy: Policy,
    /// Relative weights, one per facility in listed order; required by and
    /// only allowed with `proportional`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<f64>>,
}

/// A placement rule for arriving detainees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Lowest occupancy / capacity; ties go to the first listed.
    #[default]
    LeastOccupied,
    /// At random, in proportion to `weights`.
    Proportional,
    /// The first listed facility with a free bed; if none, `least_occupied`.
    FillInOrder,
}

/// The court pipeline (`[court]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
}

/// One court stage: a national first-come, first-served queue with parallel
/// servers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// Stage name, unique; used in metric names (`stage.<stage>.completed`).
    pub name: String,
    /// Cases in service at once on day 0 (judges or panels) \[cases\], >= 1.
    pub servers: u64,
    /// Time one case spends in service \[days\].
    pub service_days: Dist,
    /// Changes of the server count on given days. A cut never interrupts a
    /// case in service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<ServerChange>,
}

/// A change of a stage's server count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerChange {
    /// Day of the change \[days\].
    pub day: f64,
    /// Server count from that day on \[cases\]; 0 closes the stage.
    pub servers: u64,
}

impl Scenario {
    /// Parses a scenario from TOML text and validates it.
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] with every problem found: a syntax error (with
    /// line and column), an unknown key, a value of the wrong type, or a
    /// value that [`Scenario::validate`] refuses, each naming its key path.
    pub fn from_toml_str(text: &str) -> Result<Scenario, Error> {
        let scenario = Self::parse_toml(text)?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Parses TOML into a scenario without the semantic checks of
    /// [`Scenario::validate`].
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] for a syntax error, an unknown key, a missing
    /// key or a value of the wrong type.
    pub fn parse_toml(text: &str) -> Result<Scenario, Error> {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().to_string();
            let location = e
                .span()
                .map(|s| {
                    let (line, col) = line_col(text, s.start);
                    format!(" (line {line}, column {col})")
                })
                .unwrap_or_default();
            ScenarioErrors::one("", format!("invalid TOML{location}: {message}"))
        })?;
        Self::from_toml_value(toml::Value::Table(table))
    }

    /// Deserialises a scenario from a TOML value tree, naming the key path
    /// of the first problem.
    pub(crate) fn from_toml_value(value: toml::Value) -> Result<Scenario, Error> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            let message = e.inner().message().trim().to_string();
            Error::Scenario(ScenarioErrors::one(path, message))
        })
    }

    /// Reads, parses and validates a scenario file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read (naming the path), otherwise
    /// as [`Scenario::from_toml_str`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Scenario, Error> {
        let path = path.as_ref();
        let text = Error::read_text(path)?;
        Self::from_toml_str(&text)
    }

    /// The scenario as TOML text, which [`Scenario::from_toml_str`] reads
    /// back to an equal scenario.
    pub fn to_toml_string(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        toml::to_string_pretty(self).unwrap_or_default()
    }

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
    ///     .phase(Phase { from: 0.0, interval_days: Dist::fixed(3.0), convoy_size: Dist::fixed(150.0) })
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
            scenario: Scenario {
                name: name.into(),
                start_date: "2026-01-21".into(),
                horizon_days,
                transfer: Transfer {
                    transit_days: Dist::fixed(0.0),
                    weekly_cap: None,
                    admission: Admission::Unlimited,
                    pauses: Vec::new(),
                    phases: Vec::new(),
                    escape: None,
                },
                groups: Vec::new(),
                facilities: Vec::new(),
                allocation: Allocation::default(),
                court: Court {
                    conviction_probability: 1.0,
                    convicted_facility: None,
                    stages: Vec::new(),
                },
            },
        }
    }

    /// Total detainees over all groups \[persons\].
    pub fn total_detainees(&self) -> u64 {
        self.groups
            .iter()
            .map(|g| g.count)
            .fold(0, u64::saturating_add)
    }
}

/// Line and column (1-based) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, col)
}

/// Builds a [`Scenario`] in Rust; [`ScenarioBuilder::build`] validates it.
///
/// Defaults: start date 2026-01-21, transit 0 days, unlimited admission,
/// no pauses or escapes, `least_occupied`, conviction probability 1.
#[derive(Debug, Clone)]
pub struct ScenarioBuilder {
    scenario: Scenario,
}

impl ScenarioBuilder {
    /// Sets the calendar date of day 0 (`YYYY-MM-DD`).
    pub fn start_date(mut self, date: impl Into<String>) -> Self {
        self.scenario.start_date = date.into();
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
    /// Adds a pause in departures, `[from, to)` \[days\].
    pub fn pause(mut self, from: f64, to: f64) -> Self {
        self.scenario.transfer.pauses.push(Pause { from, to });
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
    /// Sets the allocation rule.
    pub fn allocation(mut self, policy: Policy, weights: Option<Vec<f64>>) -> Self {
        self.scenario.allocation = Allocation { policy, weights };
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
    /// Validates and returns the scenario.
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] with every problem [`Scenario::validate`] finds.
    pub fn build(self) -> Result<Scenario, Error> {
        self.scenario.validate()?;
        Ok(self.scenario)
    }
    /// Returns the scenario without validating it.
    pub fn build_unchecked(self) -> Scenario {
        self.scenario
    }
}

impl Dist {
    /// `fixed` at `value`.
    pub fn fixed(value: f64) -> Dist {
        Dist::Fixed { value }
    }
    /// `exponential` with the given mean.
    pub fn exponential(mean: f64) -> Dist {
        Dist::Exponential { mean }
    }
    /// `uniform` on `[low, high]`.
    pub fn uniform(low: f64, high: f64) -> Dist {
        Dist::Uniform { low, high }
    }
    /// `uniform_int` on `low..=high`.
    pub fn uniform_int(low: i64, high: i64) -> Dist {
        Dist::UniformInt { low, high }
    }
    /// `lognormal` with the variable's mean and sd.
    pub fn lognormal(mean: f64, sd: f64) -> Dist {
        Dist::Lognormal { mean, sd }
    }
    /// `gamma` with the given mean and sd.
    pub fn gamma(mean: f64, sd: f64) -> Dist {
        Dist::Gamma { mean, sd }
    }
}

impl Group {
    /// A group of `count` detainees that is never repatriated.
    pub fn new(name: impl Into<String>, count: u64) -> Group {
        Group {
            name: name.into(),
            count,
            repatriation: Repatriation::default(),
        }
    }
    /// Sets the repatriation rule.
    pub fn with_repatriation(
        mut self,
        probability: f64,
        delay_days: Dist,
        earliest_day: f64,
    ) -> Group {
        self.repatriation = Repatriation {
            probability,
            delay_days: Some(delay_days),
            earliest_day,
        };
        self
    }
}

impl Facility {
    /// An empty facility with `capacity` beds.
    pub fn new(name: impl Into<String>, capacity: u64) -> Facility {
        Facility {
            name: name.into(),
            capacity,
            initial_occupancy: 0,
            expansions: Vec::new(),
        }
    }
    /// Sets the population inside on day 0 \[persons\].
    pub fn with_initial_occupancy(mut self, n: u64) -> Facility {
        self.initial_occupancy = n;
        self
    }
    /// Adds `beds` on `day`.
    pub fn with_expansion(mut self, day: f64, beds: u64) -> Facility {
        self.expansions.push(Expansion { day, beds });
        self
    }
}

impl Stage {
    /// A stage with `servers` servers and no schedule.
    pub fn new(name: impl Into<String>, servers: u64, service_days: Dist) -> Stage {
        Stage {
            name: name.into(),
            servers,
            service_days,
            schedule: Vec::new(),
        }
    }
    /// Sets the server count from `day` on.
    pub fn with_change(mut self, day: f64, servers: u64) -> Stage {
        self.schedule.push(ServerChange { day, servers });
        self
    }
}
