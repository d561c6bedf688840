//! The whole scenario, [`Scenario`]: its keys, one field per table of
//! the file, and what it says of days and detainees. Checked in
//! `check.rs`; each process's types are in their own files, below it.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::court::Court;
use super::day::{self, Day};
use super::facility::{self, Allocation, Custody, Facility, Relocation};
use super::overrides::Applied;
use super::population::{self, Group};
use super::release::Release;
use super::transfer::Transfer;
use super::uncertainty::Uncertainty;
use super::variant::{self, Variant};

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
        population::total_detainees(&self.groups)
    }
}

/// The day number facility `f` of `s` opens (rule 19): 0 without `opens`.
pub(crate) fn opening_day(s: &Scenario, f: &Facility) -> f64 {
    facility::opening_day(s.start_date, f)
}
