//! Custody in Iraq: the prisons (`[[facility]]`) with their expansions,
//! background populations and costs, how arrivals are placed
//! (`[allocation]`, rules 4 and 9), death in custody (`[custody]`, rule
//! 11) and relocations between prisons (`[[relocation]]`, rule 13), with
//! their checks; and capacity over time: overflow into other prisons
//! (`overflow`, rule 18), prisons that open later (`opens`, rule 19) and
//! a background admission rate that changes (`background.schedule`, rule
//! 25).

use std::collections::HashSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use jiff::civil::Date;

use super::problems::{Problems, check_name};
use super::{Day, Dist, limits::*};

/// A prison (`[[facility]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Facility {
    /// Facility name, unique; used in metric names.
    pub name: String,
    /// Design capacity on day 0 \[beds\], at least 1.
    pub capacity: u64,
    /// Population inside on day 0 that belongs to no group \[persons\];
    /// it never leaves unless `background` makes it turn over.
    #[serde(default)]
    pub initial_occupancy: u64,
    /// Beds added on given days.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expansions: Vec<Expansion>,
    /// Turnover of the people already inside (rule 12, v2); `None`: the
    /// initial population never leaves and nobody else comes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<Background>,
    /// Cost of one end-of-day record of one person inside \[currency per
    /// detainee-day, any currency\] (rule 17, v2); `None`: not priced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_detainee_day: Option<f64>,
    /// Moves people out when the facility is too full (rule 18); `None`:
    /// it keeps whoever it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overflow: Option<Overflow>,
    /// When the facility opens \[days or date\] (rule 19): before it, it
    /// has no beds and receives nobody. `None` (or day 0): open from day 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens: Option<Day>,
}

/// A facility's background population that turns over (rule 12): Poisson
/// admissions, exponential stays, those inside on day 0 included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Background {
    /// Rate of other admissions into the facility \[persons per day\];
    /// default 0.
    #[serde(default)]
    pub admissions_per_day: f64,
    /// Mean of each background inmate's exponential stay \[days\], > 0.
    pub mean_stay_days: f64,
    /// Changes of the admission rate (rule 25), in any order: from each
    /// entry's day on, admissions come at its rate (at equal days the
    /// later entry wins). Empty: `admissions_per_day` throughout.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<RateChange>,
}

/// A change of a facility's background admission rate
/// (`background.schedule`, rule 25).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateChange {
    /// From when the new rate holds \[days or date\]. A day before the
    /// facility opens sets the rate at opening.
    pub day: Day,
    /// The new rate of admissions \[persons per day\], at least 0.
    pub admissions_per_day: f64,
}

/// Overflow out of a facility that is too full (`overflow`, rule 18).
///
/// At the end of each day, before the day's record, if the facility holds
/// more than L = floor(`above` × its beds that day), that many minus L
/// people of kind `who` present there, chosen uniformly, move to the
/// facilities of `to`, in the listed order, each taking at most its free
/// beds that day; those that find no bed stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Overflow {
    /// The threshold as a share of the day's beds \[ratio\] (1.0 =
    /// capacity), at least 0.
    pub above: f64,
    /// Where the overflow goes, by facility name, filled in this order;
    /// not the facility itself.
    pub to: Vec<String>,
    /// Who may be moved; default `any`.
    #[serde(default)]
    pub who: PersonKind,
}

/// Which people a rule of capacity takes: an overflow (rule 18, default
/// `any`) or a release order (rule 25, default `background`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersonKind {
    /// Background inmates and transferees together.
    #[default]
    Any,
    /// Only the facility's background population.
    Background,
    /// Only transferred detainees (awaiting a verdict or convicted).
    Transferees,
    /// Transferees awaiting a verdict (queued or in service at a court
    /// stage).
    Awaiting,
    /// Convicted transferees.
    Convicted,
}

impl PersonKind {
    /// The file's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PersonKind::Any => "any",
            PersonKind::Background => "background",
            PersonKind::Transferees => "transferees",
            PersonKind::Awaiting => "awaiting",
            PersonKind::Convicted => "convicted",
        }
    }

    /// Whether background inmates are of this kind.
    pub fn takes_background(self) -> bool {
        matches!(self, PersonKind::Any | PersonKind::Background)
    }
}

/// Custody rules beyond placement (`[custody]`, v2).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Custody {
    /// Constant hazard of death of each transferee in custody \[per year of
    /// 365.25 days\] (rule 11); default 0.
    #[serde(default)]
    pub mortality_per_year: f64,
}

impl Custody {
    /// Whether every rule is at its default (nobody dies in custody).
    pub fn is_default(&self) -> bool {
        *self == Custody::default()
    }
}

/// A move of people between facilities (`[[relocation]]`, rule 13).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Relocation {
    /// When the move happens \[days or date\].
    pub day: Day,
    /// Facility they leave (a facility name).
    pub from: String,
    /// Facility they go to (a facility name, not `from`).
    pub to: String,
    /// Most people moved \[persons\]; fewer present: all of them move.
    pub count: u64,
    /// Who may be moved; default `any`.
    #[serde(default)]
    pub who: Who,
}

/// Who a relocation moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    /// Background inmates and transferees together (the default).
    #[default]
    Any,
    /// Only the facility's background population.
    Background,
    /// Only transferred detainees.
    Transferees,
}

/// Beds added to a facility on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expansion {
    /// Day the beds come into use \[days or date\].
    pub day: Day,
    /// Beds added \[beds\].
    pub beds: u64,
}

/// How arrivals are placed in facilities (`[allocation]`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    /// The placement rule.
    pub policy: Policy,
    /// Relative weights, one per receiving facility in listed order;
    /// required by and only allowed with `proportional`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<f64>>,
    /// The facilities that receive arrivals, by name, in the order the
    /// policy uses (rule 9, v2); `None`: all, in file order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facilities: Option<Vec<String>>,
}

/// A placement rule for arriving detainees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
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

impl Facility {
    /// An empty facility with `capacity` beds.
    pub fn new(name: impl Into<String>, capacity: u64) -> Facility {
        Facility {
            name: name.into(),
            capacity,
            initial_occupancy: 0,
            expansions: Vec::new(),
            background: None,
            cost_per_detainee_day: None,
            overflow: None,
            opens: None,
        }
    }
    /// Beds on day `day` \[days from `start`\]: the capacity plus every
    /// expansion dated on that day or before (day 0: the beds a run
    /// starts with).
    ///
    /// ```
    /// use custody_sim::scenario::{Date, Facility};
    ///
    /// let start: Date = "2026-01-21".parse()?;
    /// let opened: Date = "2026-03-01".parse()?; // day 39
    /// let f = Facility::new("Kut", 1_000).with_expansion(opened, 500);
    /// assert_eq!(f.beds_on(0.0, start), 1_000);
    /// assert_eq!(f.beds_on(38.0, start), 1_000);
    /// assert_eq!(f.beds_on(39.0, start), 1_500);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn beds_on(&self, day: f64, start: Date) -> u64 {
        self.expansions
            .iter()
            .filter(|e| e.day.days_from(start) <= day)
            .map(|e| e.beds)
            .fold(self.capacity, u64::saturating_add)
    }
    /// Sets the population inside on day 0 \[persons\].
    pub fn with_initial_occupancy(mut self, n: u64) -> Facility {
        self.initial_occupancy = n;
        self
    }
    /// Adds `beds` on `day` \[days or date\].
    pub fn with_expansion(mut self, day: impl Into<Day>, beds: u64) -> Facility {
        self.expansions.push(Expansion {
            day: day.into(),
            beds,
        });
        self
    }
    /// Makes the population inside turn over: admissions \[persons per
    /// day\] and the mean stay \[days\].
    pub fn with_background(mut self, admissions_per_day: f64, mean_stay_days: f64) -> Facility {
        self.background = Some(Background {
            admissions_per_day,
            mean_stay_days,
            schedule: Vec::new(),
        });
        self
    }
    /// Changes the background admission rate from `day` on \[persons per
    /// day\] (`background.schedule`, rule 25); the background must be set
    /// first ([`Facility::with_background`]), otherwise this does nothing.
    pub fn with_admission_rate_from(
        mut self,
        day: impl Into<Day>,
        admissions_per_day: f64,
    ) -> Facility {
        if let Some(b) = &mut self.background {
            b.schedule.push(RateChange {
                day: day.into(),
                admissions_per_day,
            });
        }
        self
    }
    /// Moves people of kind `who` to the facilities `to` (in that order)
    /// when the facility holds more than `above` × its beds at the end of
    /// a day (rule 18).
    pub fn with_overflow<S: Into<String>>(
        mut self,
        above: f64,
        to: impl IntoIterator<Item = S>,
        who: PersonKind,
    ) -> Facility {
        self.overflow = Some(Overflow {
            above,
            to: to.into_iter().map(Into::into).collect(),
            who,
        });
        self
    }
    /// Opens the facility on `day` \[days or date\] (rule 19).
    pub fn with_opening(mut self, day: impl Into<Day>) -> Facility {
        self.opens = Some(day.into());
        self
    }
    /// Sets the cost of one detainee-day \[currency\].
    pub fn with_cost_per_detainee_day(mut self, cost: f64) -> Facility {
        self.cost_per_detainee_day = Some(cost);
        self
    }
}

impl Relocation {
    /// Moves up to `count` people of any kind from `from` to `to` on `day`.
    pub fn new(
        day: impl Into<Day>,
        from: impl Into<String>,
        to: impl Into<String>,
        count: u64,
    ) -> Relocation {
        Relocation {
            day: day.into(),
            from: from.into(),
            to: to.into(),
            count,
            who: Who::Any,
        }
    }
    /// Sets who may be moved.
    pub fn with_who(mut self, who: Who) -> Relocation {
        self.who = who;
        self
    }
}

/// The file's spelling of a policy.
pub(crate) fn policy_name(p: Policy) -> &'static str {
    match p {
        Policy::LeastOccupied => "least_occupied",
        Policy::Proportional => "proportional",
        Policy::FillInOrder => "fill_in_order",
    }
}

/// Whether some facility of `facilities` is called `name`.
pub(super) fn names_facility(facilities: &[Facility], name: &str) -> bool {
    facilities.iter().any(|f| f.name == name)
}

/// The problem of a name that is no facility's, listing the facilities.
pub(super) fn no_facility(facilities: &[Facility], name: &str) -> String {
    let facility_names = facilities
        .iter()
        .map(|f| format!("{:?}", f.name))
        .collect::<Vec<_>>()
        .join(", ");
    format!("no facility named {name:?} (facilities: {facility_names})")
}

/// The keys of a scenario that the checks of facilities, allocation,
/// custody and relocations read, each borrowed from
/// [`Scenario`](super::Scenario).
#[derive(Debug, Clone, Copy)]
pub(super) struct Keys<'a> {
    /// `start_date`.
    pub(super) start_date: Date,
    /// `horizon_days`.
    pub(super) horizon_days: u32,
    /// `[[facility]]`.
    pub(super) facilities: &'a [Facility],
    /// `[allocation]`.
    pub(super) allocation: &'a Allocation,
    /// `[custody]`.
    pub(super) custody: &'a Custody,
    /// `[[relocation]]`.
    pub(super) relocations: &'a [Relocation],
}

/// Checks the facilities: at least one, their names, beds and expansions.
pub(super) fn check(s: Keys<'_>, p: &mut Problems) {
    let start = s.start_date;
    if s.facilities.is_empty() {
        p.push("facility", "at least one facility is required");
    }
    p.list_len("facility", s.facilities.len(), MAX_FACILITIES);
    let mut seen = HashSet::new();
    for (i, f) in s.facilities.iter().enumerate() {
        check_name(p, format!("facility[{i}].name"), &f.name, &mut seen);
        if f.capacity == 0 {
            p.push(
                format!("facility[{i}].capacity"),
                "must be at least 1, got 0",
            );
        }
        p.at_most(
            format!("facility[{i}].capacity"),
            f.capacity,
            MAX_BEDS,
            "bed",
        );
        p.at_most(
            format!("facility[{i}].initial_occupancy"),
            f.initial_occupancy,
            MAX_BEDS,
            "bed",
        );
        p.list_len(
            &format!("facility[{i}].expansions"),
            f.expansions.len(),
            MAX_LIST,
        );
        for (j, e) in f.expansions.iter().enumerate() {
            p.day(format!("facility[{i}].expansions[{j}].day"), e.day, start);
            p.at_most(
                format!("facility[{i}].expansions[{j}].beds"),
                e.beds,
                MAX_BEDS,
                "bed",
            );
        }
    }
}

/// Checks the allocation's weights: with `proportional` only, one per
/// receiving facility, finite, at least 0, not all 0, adding up to at
/// most 1e300.
pub(super) fn check_weights(s: Keys<'_>, p: &mut Problems) {
    let a = &s.allocation;
    match (a.policy, &a.weights) {
        (Policy::Proportional, None) => p.push(
            "allocation.weights",
            "is required with policy \"proportional\" (one weight per facility)",
        ),
        (Policy::Proportional, Some(w)) => {
            // With `allocation.facilities`, one per listed name.
            let (n, which) = match &a.facilities {
                Some(list) => (list.len(), "receiving facility"),
                None => (s.facilities.len(), "facility"),
            };
            // An empty list is its own problem.
            if w.len() != n && n > 0 {
                p.push(
                    "allocation.weights",
                    format!("must have one weight per {which} ({n}), got {}", w.len()),
                );
            }
            for (i, &x) in w.iter().enumerate() {
                if !x.is_finite() || x < 0.0 {
                    p.push(
                        format!("allocation.weights[{i}]"),
                        format!("must be a finite number at least 0, got {x}"),
                    );
                }
            }
            let sum: f64 = w.iter().sum();
            if w.iter().all(|&x| x == 0.0) && !w.is_empty() {
                p.push("allocation.weights", "must not all be 0");
            } else if w.iter().all(|x| x.is_finite()) && sum > 1e300 {
                // Beyond this the sampler cannot be built and placement
                // would not be proportional.
                p.push(
                    "allocation.weights",
                    format!("must add up to at most 1e300, got {sum:e}"),
                );
            }
        }
        (policy, Some(_)) => p.push(
            "allocation.weights",
            format!(
                "is only used with policy \"proportional\", but policy is {:?}",
                policy_name(policy)
            ),
        ),
        (_, None) => {}
    }
}

/// Checks the receiving facilities (`allocation.facilities`, rule 9):
/// at least one, each a facility, each listed once.
pub(super) fn check_receiving(s: Keys<'_>, p: &mut Problems) {
    if let Some(list) = &s.allocation.facilities {
        if list.is_empty() {
            p.push(
                "allocation.facilities",
                "must list at least one facility (leave it out to receive into all)",
            );
        }
        p.list_len("allocation.facilities", list.len(), MAX_FACILITIES);
        let mut seen = HashSet::new();
        for (i, name) in list.iter().enumerate() {
            let path = format!("allocation.facilities[{i}]");
            if !names_facility(s.facilities, name) {
                p.push(path, no_facility(s.facilities, name));
            } else if !seen.insert(name.as_str()) {
                p.push(path, format!("{name:?} is listed twice"));
            }
        }
    }
}

/// Checks death in custody (`custody.mortality_per_year`, rule 11).
pub(super) fn check_custody(s: Keys<'_>, p: &mut Problems) {
    let m = s.custody.mortality_per_year;
    if p.finite("custody.mortality_per_year", m) {
        if m < 0.0 {
            p.push(
                "custody.mortality_per_year",
                format!("must be at least 0, got {m}"),
            );
        } else if m > Dist::MAX_VALUE {
            p.push(
                "custody.mortality_per_year",
                format!("must be at most {:e}, got {m:e}", Dist::MAX_VALUE),
            );
        }
    }
}

/// Checks each facility's background population and cost (rules 12
/// and 17).
pub(super) fn check_turnover_and_costs(s: Keys<'_>, p: &mut Problems) {
    let horizon = f64::from(s.horizon_days);
    for (i, f) in s.facilities.iter().enumerate() {
        if let Some(b) = &f.background {
            let path = format!("facility[{i}].background.admissions_per_day");
            let a = b.admissions_per_day;
            if p.finite(path.clone(), a) {
                if a < 0.0 {
                    p.push(path, format!("must be at least 0, got {a}"));
                } else if a * horizon > MAX_EXPECTED_EVENTS {
                    p.push(
                        path,
                        format!(
                            "gives about {:.3e} admissions, more than the limit of {MAX_EXPECTED_EVENTS:e}",
                            a * horizon
                        ),
                    );
                }
            }
            let path = format!("facility[{i}].background.mean_stay_days");
            let m = b.mean_stay_days;
            if p.finite(path.clone(), m) {
                if m <= 0.0 {
                    p.push(path, format!("must be above 0, got {m}"));
                } else if m > Dist::MAX_VALUE {
                    p.push(
                        path,
                        format!("must be at most {:e}, got {m:e}", Dist::MAX_VALUE),
                    );
                }
            }
        }
        if let Some(c) = f.cost_per_detainee_day {
            let path = format!("facility[{i}].cost_per_detainee_day");
            if p.finite(path.clone(), c) {
                if c < 0.0 {
                    p.push(path, format!("must be at least 0, got {c}"));
                } else if c > Dist::MAX_VALUE {
                    p.push(
                        path,
                        format!("must be at most {:e}, got {c:e}", Dist::MAX_VALUE),
                    );
                }
            }
        }
    }
}

/// Checks the relocations (rule 13): their days, facilities that exist
/// and differ, counts that fit a file integer.
pub(super) fn check_relocations(s: Keys<'_>, p: &mut Problems) {
    let start = s.start_date;
    p.list_len("relocation", s.relocations.len(), MAX_LIST);
    for (i, r) in s.relocations.iter().enumerate() {
        let base = format!("relocation[{i}]");
        p.day(format!("{base}.day"), r.day, start);
        let from_ok = names_facility(s.facilities, &r.from);
        if !from_ok {
            p.push(format!("{base}.from"), no_facility(s.facilities, &r.from));
        }
        if !names_facility(s.facilities, &r.to) {
            p.push(format!("{base}.to"), no_facility(s.facilities, &r.to));
        } else if from_ok && r.from == r.to {
            p.push(
                format!("{base}.to"),
                format!("must differ from from (both are {:?})", r.to),
            );
        }
        p.at_most(
            format!("{base}.count"),
            r.count,
            i64::MAX as u64,
            "file format integer",
        );
    }
}

/// Checks each facility's capacity rules of version 3: overflow (rule
/// 18), opening (rule 19) and the background admission schedule (rule
/// 25); then that some receiving facility is open on day 0, with a
/// weight above 0 under `proportional`.
pub(super) fn check_capacity_rules(s: Keys<'_>, p: &mut Problems) {
    let start = s.start_date;
    let horizon = f64::from(s.horizon_days);
    for (i, f) in s.facilities.iter().enumerate() {
        let base = format!("facility[{i}]");
        if let Some(o) = &f.overflow {
            let path = format!("{base}.overflow.above");
            if p.finite(path.clone(), o.above) {
                if o.above < 0.0 {
                    p.push(path, format!("must be at least 0, got {}", o.above));
                } else if o.above > Dist::MAX_VALUE {
                    p.push(
                        path,
                        format!("must be at most {:e}, got {:e}", Dist::MAX_VALUE, o.above),
                    );
                }
            }
            let path = format!("{base}.overflow.to");
            if o.to.is_empty() {
                p.push(
                    path.clone(),
                    "must list at least one facility (leave `overflow` out to keep everyone)",
                );
            }
            p.list_len(&path, o.to.len(), MAX_FACILITIES);
            let mut seen = HashSet::new();
            for (j, name) in o.to.iter().enumerate() {
                let path = format!("{path}[{j}]");
                if !names_facility(s.facilities, name) {
                    p.push(path, no_facility(s.facilities, name));
                } else if *name == f.name {
                    p.push(path, format!("must not be the facility itself ({name:?})"));
                } else if !seen.insert(name.as_str()) {
                    p.push(path, format!("{name:?} is listed twice"));
                }
            }
        }
        if let Some(d) = f.opens
            && let Some(day) = p.day(format!("{base}.opens"), d, start)
            && day > 0.0
            && f.initial_occupancy > 0
        {
            p.push(
                format!("{base}.initial_occupancy"),
                format!(
                    "must be 0 for a facility that opens later (opens = {d}), got {}",
                    f.initial_occupancy
                ),
            );
        }
        if let Some(b) = &f.background {
            let list = format!("{base}.background.schedule");
            p.list_len(&list, b.schedule.len(), MAX_LIST);
            for (j, c) in b.schedule.iter().enumerate() {
                p.day(format!("{list}[{j}].day"), c.day, start);
                let path = format!("{list}[{j}].admissions_per_day");
                let a = c.admissions_per_day;
                if p.finite(path.clone(), a) {
                    if a < 0.0 {
                        p.push(path, format!("must be at least 0, got {a}"));
                    } else if a * horizon > MAX_EXPECTED_EVENTS {
                        p.push(
                            path,
                            format!(
                                "gives about {:.3e} admissions, more than the limit of {MAX_EXPECTED_EVENTS:e}",
                                a * horizon
                            ),
                        );
                    }
                }
            }
        }
    }
    check_open_on_day_0(s, p);
}

/// The day number a facility opens (rule 19), from day 0 on `start`: 0
/// without `opens`.
pub(super) fn opening_day(start: Date, f: &Facility) -> f64 {
    f.opens.map_or(0.0, |d| d.days_from(start))
}

/// At least one receiving facility must be open on day 0 (rule 19), and,
/// under `proportional`, the weights of those open then must not all be 0.
fn check_open_on_day_0(s: Keys<'_>, p: &mut Problems) {
    // Other checks report bad days and names; this one needs them valid.
    let valid_day = |f: &Facility| {
        f.opens.is_none_or(|d| {
            d.days_from(s.start_date).is_finite() && opening_day(s.start_date, f) >= 0.0
        })
    };
    if s.facilities.iter().all(|f| f.opens.is_none()) || !s.facilities.iter().all(valid_day) {
        return;
    }
    let receiving: Vec<usize> = match &s.allocation.facilities {
        Some(names) => {
            let found: Vec<usize> = names
                .iter()
                .filter_map(|n| s.facilities.iter().position(|f| &f.name == n))
                .collect();
            if found.len() != names.len() {
                return;
            }
            found
        }
        None => (0..s.facilities.len()).collect(),
    };
    let open0 = |&i: &usize| opening_day(s.start_date, &s.facilities[i]) <= 0.0;
    let path = if s.allocation.facilities.is_some() {
        "allocation.facilities".to_string()
    } else {
        "facility".to_string()
    };
    if !receiving.is_empty() && !receiving.iter().any(open0) {
        let first = &s.facilities[receiving[0]];
        p.push(
            path,
            format!(
                "at least one receiving facility must be open on day 0, but each opens later ({:?} opens on day {})",
                first.name,
                opening_day(s.start_date, first)
            ),
        );
        return;
    }
    if s.allocation.policy == Policy::Proportional
        && let Some(w) = &s.allocation.weights
        && w.len() == receiving.len()
        && w.iter().any(|&x| x > 0.0)
        && !receiving.iter().zip(w).any(|(i, &x)| open0(i) && x > 0.0)
    {
        p.push(
            "allocation.weights",
            "must not all be 0 among the receiving facilities open on day 0",
        );
    }
}
