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
//!
//! # Layout
//!
//! One file per process, each owning its types, their constructors and
//! their checks: `transfer.rs` (convoys, pauses, escapes, the end of the
//! transfer), `population.rs` (groups), `facility.rs` (prisons, their
//! background populations, allocation, custody, relocations), `court.rs`
//! (stages, schedules, sentences) and `repatriation.rs`. Around them:
//! `problems.rs` (the problem list and the [`limits`]), `read.rs` (the
//! error-tolerant TOML reader), `builder.rs` ([`ScenarioBuilder`]), and
//! [`day`], [`dist`], [`path`] (parameter paths), [`overrides`] (sets of
//! parameter overrides), [`presets`], [`uncertainty`] and [`variant`].
//! [`Scenario::validate`] calls each process's checks in a fixed order,
//! the order of the problems it reports. Every type is re-exported here: `scenario::Stage`, not a path
//! through its file.

mod builder;
mod court;
pub mod day;
pub mod dist;
mod facility;
pub mod overrides;
pub(crate) mod param_dist;
pub mod path;
mod population;
pub mod presets;
mod problems;
mod read;
mod release;
mod repatriation;
mod transfer;
pub mod uncertainty;
pub mod variant;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

pub use builder::ScenarioBuilder;
pub use court::{Appeal, Court, ExitKind, OtherCases, Sentence, SentenceExit, ServerChange, Stage};
pub use day::Day;
pub use dist::Dist;
pub(crate) use facility::opening_day;
pub use facility::{
    Allocation, Background, Custody, Expansion, Facility, Overflow, PersonKind, Policy, RateChange,
    Relocation, Who,
};
pub use jiff::civil::Date;
pub use overrides::{Applied, Override, Overrides};
pub use param_dist::ParamDist;
pub use population::{Deportation, Group};
pub use problems::{ScenarioError, ScenarioErrors, limits};
pub use release::Release;
pub use repatriation::{EligibleAfter, Repatriation};
pub use transfer::{Admission, Escape, Pause, Phase, Transfer, TransferEnd};
pub use uncertainty::{PosteriorTable, Uncertainty};
pub use variant::Variant;

use limits::MAX_HORIZON_DAYS;
use problems::{Problems, check_name};

/// The problem list and the limits at their former path
/// (`scenario::validate::ScenarioErrors`); each process checks its own
/// keys, in its own file.
#[doc(hidden)]
pub mod validate {
    pub use super::problems::{ScenarioError, ScenarioErrors, limits};
}

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
    /// Calendar date of day 0, written `YYYY-MM-DD`.
    #[serde(with = "day::start_date")]
    pub start_date: Date,
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
    /// Custody rules beyond placement (`[custody]`, v2); default: nobody
    /// dies in custody.
    #[serde(default, skip_serializing_if = "Custody::is_default")]
    pub custody: Custody,
    /// Moves of people between facilities (`[[relocation]]`, v2), in any
    /// order.
    #[serde(rename = "relocation", default, skip_serializing_if = "Vec::is_empty")]
    pub relocations: Vec<Relocation>,
    /// Release orders (`[[release]]`, rule 25), in any order.
    #[serde(rename = "release", default, skip_serializing_if = "Vec::is_empty")]
    pub releases: Vec<Release>,
    /// Uncertain parameters (`[uncertainty]`, v2): drawn per replication
    /// and reported as `param.<path>` metrics; `None` without the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<Uncertainty>,
    /// Named variants (`[variant.NAME]`): parameter overrides, in file
    /// order, applied with [`Scenario::with_variant`] (see [`variant`]).
    /// They do not change what runs, nor the scenario's hash.
    #[serde(
        rename = "variant",
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "variant::table"
    )]
    pub variants: Vec<Variant>,
    /// What made this scenario from the one read (the variant and the
    /// overrides applied, see [`Applied`]), which a run's summary and its
    /// reports name. Not a parameter: never read from nor written to a
    /// scenario file, not part of its hash or of equality; empty for a
    /// scenario as read or built.
    #[serde(skip)]
    pub applied: Applied,
}

impl Scenario {
    /// Checks every rule of the reference model and returns all problems at
    /// once.
    ///
    /// Rules beyond the types: finite numbers; distribution parameters of at
    /// most [`Dist::MAX_VALUE`](Dist::MAX_VALUE); non-negative days;
    /// probabilities in \[0, 1\]; pauses that end after they start; phases in
    /// increasing `from` order; at least one phase, group, facility and
    /// stage; unique names without `.`, `[`, `]`, `=` or `,`; capacities and
    /// initial servers of at least 1; a `delay_days` wherever a group has a
    /// repatriation probability above 0; `weights` with `proportional` only,
    /// one non-negative weight per facility, not all zero, adding up to at most 1e300; a
    /// `convicted_facility` that names a facility; a `weekly_cap` that fits a
    /// TOML integer; and the sizes of
    /// [`limits`].
    ///
    /// Names (the scenario's, and those of groups, facilities, stages and
    /// sentences) refuse control characters and invisible or
    /// direction-changing ones (zero-width, bidi marks and overrides).
    /// Days (a number or a date) must not lie before `start_date`.
    ///
    /// Version 2: `transfer.end.until_day` a valid day; facilities named in
    /// `allocation.facilities`, `[[relocation]]` `from`/`to` and a
    /// sentence's `facility` exist (and are listed once; `from` differs
    /// from `to`); `weights` has one entry per listed facility; sentence
    /// probabilities in \[0, 1\] summing to 1 (within 1e-9), their exits
    /// valid; `eligible_after` is `"arrival"`, `"verdict"` or a stage name,
    /// and `"verdict"` needs `after_conviction = true`; `mortality_per_year`,
    /// background rates and costs finite and at least 0, mean stays above
    /// 0; a stage may start with 0 servers only if a schedule entry later
    /// raises it.
    ///
    /// Capacity over time: an `overflow`'s `above` finite and at least 0,
    /// its `to` a non-empty list of other facilities, each listed once;
    /// `opens` a valid day, and then `initial_occupancy` 0; at least one
    /// receiving facility open on day 0 (with a weight above 0 under
    /// `proportional`); `background.schedule` days valid and rates finite
    /// and at least 0; a `[[release]]`'s day valid and facility a
    /// facility's name.
    ///
    /// Variants (`[variant.NAME]`), once the rest is valid: each name
    /// follows the rules of names, and each variant applied
    /// ([`Scenario::with_variant`]) is valid; problems are named
    /// `variant.NAME.<path>`.
    ///
    /// # Errors
    ///
    /// [`ScenarioErrors`], each naming the key path and the value.
    ///
    /// # Example: every problem at once
    ///
    /// ```
    /// use custody_sim::{presets, Error};
    ///
    /// let mut s = presets::baseline();
    /// s.court.stages[1].servers = 0;
    /// s.groups[0].repatriation.probability = 1.5;
    /// let errors = s.validate().unwrap_err();
    /// let text = errors.to_string();
    /// assert!(text.contains("court.stage[1].servers: must be at least 1, got 0"));
    /// assert!(text.contains("group[0].repatriation.probability"));
    /// ```
    pub fn validate(&self) -> Result<(), ScenarioErrors> {
        let mut p = Problems::default();

        check_name(&mut p, "name".into(), &self.name, &mut HashSet::new());
        if self.horizon_days == 0 {
            p.push("horizon_days", "must be at least 1, got 0");
        }
        p.at_most(
            "horizon_days",
            u64::from(self.horizon_days),
            u64::from(MAX_HORIZON_DAYS),
            "horizon",
        );

        // Each process checks its own keys, in this order (the order of
        // the problems `check` prints): the transfer, the groups, the
        // facilities and the allocation's weights, the courts; then the
        // end of the transfer, the receiving facilities, custody, the
        // facilities' turnover and costs, relocations, sentences and when
        // repatriation may come.
        transfer::check(self, &mut p);
        population::check(self, &mut p);
        facility::check(self, &mut p);
        facility::check_weights(self, &mut p);
        court::check(self, &mut p);
        transfer::check_end(self, &mut p);
        facility::check_receiving(self, &mut p);
        facility::check_custody(self, &mut p);
        facility::check_turnover_and_costs(self, &mut p);
        facility::check_relocations(self, &mut p);
        court::check_sentences(self, &mut p);
        court::check_appeal(self, &mut p);
        repatriation::check_eligibility(self, &mut p);
        // Capacity over time (rules 18, 19 and 25).
        facility::check_capacity_rules(self, &mut p);
        release::check(self, &mut p);
        population::check_routes(self, &mut p);

        if p.is_empty() {
            self.check_uncertainty(&mut p);
        }
        if p.is_empty() {
            self.check_variants(&mut p);
        }

        p.into_result()
    }
}

impl Scenario {
    /// The day number \[days from `start_date`\] of a day of this
    /// scenario, a number or a date: what the model uses wherever the file
    /// has a day (`from`, `to`, `day`, `earliest_day`, `until_day`).
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::{presets, scenario::Day};
    ///
    /// let s = presets::baseline(); // day 0 is 2026-01-21
    /// assert_eq!(s.day(Day::parse_date("2026-02-07").unwrap()), 17.0);
    /// assert_eq!(s.day(Day::from(9.5)), 9.5);
    /// ```
    pub fn day(&self, d: Day) -> f64 {
        d.days_from(self.start_date)
    }

    /// Total detainees over all groups \[persons\].
    pub fn total_detainees(&self) -> u64 {
        self.groups
            .iter()
            .map(|g| g.count)
            .fold(0, u64::saturating_add)
    }
}
