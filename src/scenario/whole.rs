//! The whole scenario, [`Scenario`]: its keys, one field per table of
//! the file, and what it says of days and detainees. Checked in
//! `check.rs`; each process's types are in their own files, below it.

use jiff::civil::Date;
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use schemars::transform::{RecursiveTransform, Transform};
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "custody-sim scenario",
    description = "A custody-sim scenario file: the transfer plan, groups, prisons, allocation and courts (docs/model.md). Printed by `custody-sim schema`; what the schema cannot say (ranges, names that must exist, sums) `custody-sim check` does."
)]
pub struct Scenario {
    /// Scenario name, used in reports.
    pub name: String,
    /// Calendar date of day 0, written `YYYY-MM-DD`.
    #[serde(with = "day::start_date")]
    #[schemars(schema_with = "day::start_date::json_schema")]
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
    #[schemars(schema_with = "variant::table::json_schema")]
    pub variants: Vec<Variant>,
    /// What made this scenario from the one read (the variant and the
    /// overrides applied, see [`Applied`]), which a run's summary and its
    /// reports name. Not a parameter: never read from nor written to a
    /// scenario file, not part of its hash or of equality; empty for a
    /// scenario as read or built.
    #[serde(skip)]
    #[schemars(skip)]
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

    /// The JSON Schema (draft 2020-12) of the scenario file, as pretty
    /// JSON text ending in a newline: what `custody-sim schema` prints and
    /// `docs/scenario.schema.json` holds. Generated from these types, with
    /// their documentation as descriptions, so that a TOML editor
    /// completes and checks keys as a user types (the bundled scenarios
    /// name it with taplo's `#:schema` directive).
    ///
    /// It says what the reader's types say: the keys (each table refuses
    /// others), which are required, their types and defaults, the
    /// distributions' kinds with their own keys, and days that are a
    /// number or a date `YYYY-MM-DD`. What it cannot say,
    /// [`Scenario::validate`] (and `custody-sim check`) does: ranges,
    /// names that must exist, sums, limits, settable parameter paths.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::Scenario;
    ///
    /// let text = Scenario::file_schema();
    /// let schema: serde_json::Value = serde_json::from_str(&text)?;
    /// assert_eq!(schema["title"], "custody-sim scenario");
    /// let required = schema["required"].as_array().unwrap();
    /// assert!(required.contains(&"horizon_days".into()));
    /// assert_eq!(schema["additionalProperties"], false); // unknown keys refused
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn file_schema() -> String {
        let mut schema = SchemaSettings::draft2020_12()
            .into_generator()
            .into_root_schema_for::<Scenario>();
        RecursiveTransform(without_null).transform(&mut schema);
        RecursiveTransform(for_editors).transform(&mut schema);
        // Plain data with string keys always serialises.
        let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Total detainees over all groups \[persons\].
    pub fn total_detainees(&self) -> u64 {
        population::total_detainees(&self.groups)
    }

    /// Whether some rule can bring anyone into facility `f` (its index in
    /// `facilities`): transferees placed there (an allocation that lists
    /// it, with a positive weight under `proportional`), convicts moved
    /// there (`court.convicted_facility`, a sentence's `facility`), or a
    /// relocation or overflow that moves people there. A facility no rule
    /// reaches carries its input population only. Judged from the rules,
    /// not from a run: a facility `fill_in_order` never reaches still
    /// counts; an overflow target that opens after the horizon does not
    /// (the baseline's Kut, opened only by its `kut` variant).
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::presets;
    ///
    /// let s = presets::baseline();
    /// let at = |name: &str| s.facilities.iter().position(|f| f.name == name).unwrap();
    /// assert!(s.receives(at("Karkh")));
    /// assert!(!s.receives(at("Hillah")), "no transferee or rule reaches Hillah");
    /// assert!(!s.receives(at("Kut")), "Kut opens after the horizon");
    /// let kut = s.with_variant("kut").unwrap();
    /// assert!(kut.receives(at("Kut")), "Karkh's overflow when Kut opens");
    /// ```
    pub fn receives(&self, f: usize) -> bool {
        let Some(name) = self.facilities.get(f).map(|x| x.name.as_str()) else {
            return false;
        };
        let a = &self.allocation;
        let weight_ok = |i: usize| {
            a.policy != facility::Policy::Proportional
                || a.weights
                    .as_ref()
                    .and_then(|w| w.get(i))
                    .is_none_or(|&w| w > 0.0)
        };
        let placed = self.total_detainees() > 0
            && match &a.facilities {
                Some(names) => names
                    .iter()
                    .enumerate()
                    .any(|(i, n)| n == name && weight_ok(i)),
                None => weight_ok(f),
            };
        placed
            || self.court.convicted_facility.as_deref() == Some(name)
            || self
                .court
                .sentences
                .iter()
                .any(|x| x.facility.as_deref() == Some(name))
            || self.relocations.iter().any(|r| r.to == name)
            || (opening_day(self, &self.facilities[f]) < f64::from(self.horizon_days)
                && self.facilities.iter().any(|g| {
                    g.overflow
                        .as_ref()
                        .is_some_and(|o| o.to.iter().any(|t| t == name))
                }))
    }
}

/// The day number facility `f` of `s` opens (rule 19): 0 without `opens`.
pub(crate) fn opening_day(s: &Scenario, f: &Facility) -> f64 {
    facility::opening_day(s.start_date, f)
}

/// `schema` without `null`, which TOML does not have: an optional key is
/// one left out, so `Option<T>` is `T` in the file.
fn without_null(schema: &mut schemars::Schema) {
    use serde_json::Value;
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = obj.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            obj.insert("type".into(), only);
        }
    }
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(options)) = obj.get_mut(key) else {
            continue;
        };
        options.retain(|o| o.get("type").is_none_or(|t| t != "null"));
        if let [Value::Object(only)] = options.as_slice() {
            let only = only.clone();
            obj.remove(key);
            for (k, v) in only {
                obj.entry(k).or_insert(v);
            }
        }
    }
}

/// A description as a reader sees it: rustdoc's escaped brackets
/// (`\[days\]`) unescaped and its links (``[`Variant`]``) plain code.
/// And the largest `u32` said (`horizon_days`), as the reader refuses more.
fn for_editors(schema: &mut schemars::Schema) {
    if let Some(serde_json::Value::String(d)) = schema.get_mut("description") {
        *d = plain_links(&d.replace("\\[", "[").replace("\\]", "]"));
    }
    if schema.get("format").and_then(serde_json::Value::as_str) == Some("uint32") {
        schema.insert("maximum".into(), u32::MAX.into());
    }
}

/// `text` with rustdoc's links to items (``[`a`]``, ``[`a`](b)``) as
/// plain code (`` `a` ``).
fn plain_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("[`") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(j) = after[1..].find("`]").map(|j| j + 1) else {
            out.push('[');
            rest = after;
            continue;
        };
        out.push_str(&after[..=j]);
        rest = &after[j + 2..];
        if rest.starts_with('(')
            && let Some(k) = rest.find(')')
        {
            rest = &rest[k + 1..];
        }
    }
    out.push_str(rest);
    out
}
