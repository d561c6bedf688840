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

mod court;
pub mod day;
pub mod dist;
mod facility;
pub mod path;
mod population;
pub mod presets;
mod problems;
mod repatriation;
mod transfer;
pub mod uncertainty;
pub mod variant;

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use court::{Court, ExitKind, Sentence, SentenceExit, ServerChange, Stage};
pub use day::Day;
pub use dist::Dist;
pub use facility::{Allocation, Background, Custody, Expansion, Facility, Policy, Relocation, Who};
pub use jiff::civil::Date;
pub use population::Group;
pub use problems::{ScenarioError, ScenarioErrors, limits};
pub use repatriation::{EligibleAfter, Repatriation};
pub use transfer::{Admission, Escape, Pause, Phase, Transfer, TransferEnd};
pub use uncertainty::{PosteriorTable, Uncertainty};
pub use variant::Variant;

/// The problem list and the limits at their former path
/// (`scenario::validate::ScenarioErrors`); each process checks its own
/// keys, in its own file.
#[doc(hidden)]
pub mod validate {
    pub use super::problems::{ScenarioError, ScenarioErrors, limits};
}

use crate::error::Error;
use limits::MAX_HORIZON_DAYS;
use problems::{Problems, check_name};

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
        repatriation::check_eligibility(self, &mut p);

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
    /// Parses a scenario from TOML text and validates it.
    ///
    /// Every problem is reported in one pass: a value of the wrong type in
    /// one key does not hide problems in others. Type errors (and unknown
    /// or missing keys) come first, then the problems
    /// [`Scenario::validate`] finds in the values that did parse. How: the
    /// text is read into a TOML value tree; each time the tree fails to
    /// deserialise, the problem is recorded with its key path and the
    /// offending value is set aside (an unknown key is dropped, a missing
    /// or mistyped one gets a stand-in of the right type), and the tree is
    /// read again. Validation problems at the stand-ins' key paths (or
    /// inside them) are not reported, since the user never wrote those
    /// values.
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] with every problem found: a syntax error (with
    /// line and column), an unknown key, a value of the wrong type, or a
    /// value that [`Scenario::validate`] refuses, each naming its key path.
    pub fn from_toml_str(text: &str) -> Result<Scenario, Error> {
        let s = Self::parse_toml(text)?;
        s.validate()?;
        Ok(s)
    }

    /// Parses TOML into a scenario without the semantic checks of
    /// [`Scenario::validate`] when it reads; when some key does not read,
    /// the error lists, after those, the problems [`Scenario::validate`]
    /// finds in the rest (see [`Scenario::from_toml_str`]), so that one
    /// pass shows everything.
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] for a syntax error, or every unknown key,
    /// missing key and value of the wrong type, each naming its key path,
    /// then the other problems.
    pub fn parse_toml(text: &str) -> Result<Scenario, Error> {
        let mut read = Read::from_tree(parse_tree(text)?);
        if let Some(s) = &mut read.scenario {
            variant::order_as_in(&mut s.variants, text);
        }
        let mut problems = read.problems;
        match read.scenario {
            Some(s) if problems.is_empty() => Ok(s),
            Some(s) => {
                if let Err(e) = s.validate() {
                    problems
                        .extend(e.0.into_iter().filter(|e| {
                            !read.stand_ins.iter().any(|p| is_at_or_under(&e.path, p))
                        }));
                }
                Err(Error::Scenario(ScenarioErrors(problems)))
            }
            None => Err(Error::Scenario(ScenarioErrors(problems))),
        }
    }

    /// Deserialises a scenario from a TOML value tree, naming the key path
    /// of every unknown key, missing key or value of the wrong type.
    pub(crate) fn from_toml_value(value: toml::Value) -> Result<Scenario, Error> {
        let read = Read::from_tree(value);
        match read.scenario {
            Some(s) if read.problems.is_empty() => Ok(s),
            _ => Err(Error::Scenario(ScenarioErrors(read.problems))),
        }
    }

    /// Reads, parses and validates a scenario file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read (naming the path), is not
    /// a regular file or is above
    /// [`MAX_SCENARIO_BYTES`](crate::files::MAX_SCENARIO_BYTES) (checked
    /// before reading), otherwise as [`Scenario::from_toml_str`] or
    /// [`Scenario::load_posterior`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Scenario, Error> {
        let path = path.as_ref();
        let text =
            crate::files::read_text(path, "scenario file", crate::files::MAX_SCENARIO_BYTES)?;
        let mut s = Self::parse_toml(&text)?;
        let dir = path.parent().unwrap_or_else(|| Path::new(""));
        s.load_posterior(dir)?;
        s.validate()?;
        Ok(s)
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
                },
                custody: Custody::default(),
                relocations: Vec::new(),
                uncertainty: None,
                variants: Vec::new(),
            },
        }
    }

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

/// Reads TOML text into a value tree, or reports the syntax error with its
/// line and column.
fn parse_tree(text: &str) -> Result<toml::Value, Error> {
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
    Ok(toml::Value::Table(table))
}

/// Whether the key path `path` is `at` or inside it.
fn is_at_or_under(path: &str, at: &str) -> bool {
    path.strip_prefix(at)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// Most type errors collected from one file before giving up.
const MAX_TYPE_ERRORS: usize = 100;

/// The result of reading a value tree, every type error collected.
struct Read {
    /// The scenario, with stand-ins where values were set aside; `None`
    /// when a problem could not be set aside.
    scenario: Option<Scenario>,
    /// Every unknown key, missing key and mistyped value, with its path.
    problems: Vec<ScenarioError>,
    /// Key paths whose values are stand-ins.
    stand_ins: Vec<String>,
}

impl Read {
    fn from_tree(mut tree: toml::Value) -> Read {
        let mut problems: Vec<ScenarioError> = Vec::new();
        let mut stand_ins: Vec<String> = Vec::new();
        let mut seen: Vec<(String, String)> = Vec::new();
        for _ in 0..MAX_READS {
            let (path, message, segments) = match try_read(tree.clone()) {
                Ok(s) => {
                    return Read {
                        scenario: Some(s),
                        problems,
                        stand_ins,
                    };
                }
                Err(e) => e,
            };
            let repeated = seen.iter().any(|(p, m)| *p == path && *m == message);
            // Inside a stand-in the user wrote nothing: set aside silently.
            let inside_stand_in = stand_ins.iter().any(|p| is_at_or_under(&path, p));
            if !repeated && !inside_stand_in {
                problems.push(ScenarioError {
                    path: path.clone(),
                    message: plain_message(&message, &tree, &segments, &path),
                });
            }
            seen.push((path.clone(), message.clone()));
            let set_aside = !repeated
                && problems.len() < MAX_TYPE_ERRORS
                && set_aside(&mut tree, &segments, &message, &path, &mut stand_ins);
            if !set_aside {
                break;
            }
        }
        Read {
            scenario: None,
            problems,
            stand_ins,
        }
    }
}

/// Most attempts to read one file, stand-ins included.
const MAX_READS: usize = 1_000;

/// One step of a key path into a value tree.
enum Step {
    Key(String),
    Index(usize),
}

/// Deserialises the tree; on failure, the key path (as text and as steps)
/// and the message of the first problem.
fn try_read(tree: toml::Value) -> Result<Scenario, (String, String, Option<Vec<Step>>)> {
    serde_path_to_error::deserialize(tree).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = e.inner().message().trim().to_string();
        let steps = e
            .path()
            .iter()
            .map(|seg| match seg {
                serde_path_to_error::Segment::Map { key } => Some(Step::Key(key.clone())),
                serde_path_to_error::Segment::Seq { index } => Some(Step::Index(*index)),
                _ => None,
            })
            .collect::<Option<Vec<_>>>();
        (path, message, steps)
    })
}

/// The message of a problem read from the tree, in the file's terms
/// where serde's would speak of Rust types: a negative count is "must be
/// a non-negative integer, got -1"; a value where a table belongs lists
/// the table's keys. Other messages are kept.
fn plain_message(
    message: &str,
    tree: &toml::Value,
    steps: &Option<Vec<Step>>,
    path: &str,
) -> String {
    if let Some(rest) = message.strip_prefix("invalid value: integer `-")
        && let Some((digits, ty)) = rest.split_once("`, expected ")
        && matches!(ty, "u8" | "u16" | "u32" | "u64" | "usize")
    {
        return format!("must be a non-negative integer, got -{digits}");
    }
    let (Some(got), Some(steps)) = (
        message
            .strip_prefix("invalid type: ")
            .and_then(|r| r.split_once(", expected struct "))
            .map(|(got, _)| got),
        steps,
    ) else {
        return message.to_string();
    };
    // The table's keys: what serde lists when a key it does not know is
    // put in its place.
    let mut trial = tree.clone();
    let Some(slot) = walk(&mut trial, steps) else {
        return message.to_string();
    };
    let mut probe = toml::Table::new();
    probe.insert("?".into(), toml::Value::Integer(0));
    *slot = toml::Value::Table(probe);
    let Err((_, m, _)) = try_read(trial) else {
        return message.to_string();
    };
    let Some(list) = m.strip_prefix("unknown field `?`, expected ") else {
        return message.to_string();
    };
    // "one of `a`, `b`" or "`a`": the names between backticks.
    let keys: Vec<&str> = list.split('`').skip(1).step_by(2).collect();
    let Some(first) = keys.first() else {
        return message.to_string();
    };
    let at = if path.is_empty() {
        String::new()
    } else {
        format!("{path}.")
    };
    format!(
        "names a table (keys: {}), not a single value: set a key under it, e.g. {at}{first}, got {got}",
        keys.join(", ")
    )
}

/// The value at `steps` in the tree, if there is one.
fn walk<'a>(mut v: &'a mut toml::Value, steps: &[Step]) -> Option<&'a mut toml::Value> {
    for step in steps {
        v = match step {
            Step::Key(k) => v.as_table_mut()?.get_mut(k)?,
            Step::Index(i) => v.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(v)
}

/// Stand-ins to try for a value of unknown expected type, in order.
fn stand_ins(message: &str) -> Vec<toml::Value> {
    use toml::Value as V;
    let mut out = Vec::new();
    // An enum: its first variant (`expected one of `a`, `b``).
    if let Some(rest) = message.split("expected one of `").nth(1)
        && let Some(first) = rest.split('`').next()
    {
        out.push(V::String(first.to_string()));
    }
    let mut dist = toml::Table::new();
    dist.insert("dist".into(), V::String("fixed".into()));
    dist.insert("value".into(), V::Float(1.0));
    out.extend([
        V::Integer(1),
        // Reads as a name, a string or a date alike.
        V::String("2000-01-01".into()),
        V::Boolean(false),
        V::Table(dist),
        V::Array(Vec::new()),
        V::Table(toml::Table::new()),
    ]);
    out
}

/// Sets aside the value that failed at `steps`: drops an unknown key, or
/// puts in the first stand-in that reads. Returns `false` if it cannot.
fn set_aside(
    tree: &mut toml::Value,
    steps: &Option<Vec<Step>>,
    message: &str,
    path: &str,
    stand_in_paths: &mut Vec<String>,
) -> bool {
    let Some(steps) = steps else {
        return false;
    };
    if message.starts_with("unknown field `") {
        let Some((Step::Key(key), parent)) = steps.split_last() else {
            return false;
        };
        return walk(tree, parent)
            .and_then(|t| t.as_table_mut())
            .and_then(|t| t.remove(key))
            .is_some();
    }
    // A bad `dist` kind: the whole distribution table is stood in for,
    // since its other keys belong to the kind the user meant.
    let (steps, path) = match steps.split_last() {
        Some((Step::Key(k), parent)) if k == "dist" => {
            (parent, path.strip_suffix(".dist").unwrap_or(path))
        }
        _ => (steps.as_slice(), path),
    };
    // A missing key is stood in for inside its table; any other problem
    // at the value itself.
    let (table_steps, missing) = match message
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        Some(key) => (steps, Some(key.to_string())),
        None => (steps, None),
    };
    let stand_in_path = match &missing {
        Some(key) if path.is_empty() => key.clone(),
        Some(key) => format!("{path}.{key}"),
        None => path.to_string(),
    };
    for candidate in stand_ins(message) {
        let mut trial = tree.clone();
        let Some(slot) = walk(&mut trial, table_steps) else {
            return false;
        };
        match &missing {
            Some(key) => match slot.as_table_mut() {
                Some(t) => {
                    t.insert(key.clone(), candidate);
                }
                None => return false,
            },
            None => *slot = candidate,
        }
        // A stand-in that reads, or fails elsewhere, is taken.
        let failed_here = match try_read(trial.clone()) {
            Ok(_) => false,
            // Progress is a new problem anywhere else, or a missing key
            // inside a stand-in table (filled in on the next read).
            Err((p, m, _)) => {
                (p == path && m == message)
                    || (p == stand_in_path && !m.starts_with("missing field `"))
            }
        };
        if !failed_here {
            *tree = trial;
            stand_in_paths.push(stand_in_path);
            return true;
        }
    }
    false
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
