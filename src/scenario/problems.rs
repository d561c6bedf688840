//! The problem list: every problem a check finds, with the key path it
//! names ([`ScenarioError`], [`ScenarioErrors`], what `custody-sim check`
//! prints, in the order found), the [`limits`] on a scenario's sizes, and
//! what the checks of each process share (the rules of names, days,
//! probabilities and list lengths). The checks themselves live with their
//! process ([`Scenario::validate`](super::Scenario::validate) lists them
//! in order).

use std::collections::HashSet;

use jiff::civil::Date;

use super::day::Day;

pub use crate::error::{ScenarioError, ScenarioErrors};

/// Sizes beyond which a scenario is refused rather than run.
///
/// They keep a replication within memory and time a researcher's machine
/// has: each is checked by
/// [`Scenario::validate`](crate::scenario::Scenario::validate), which names
/// the limit.
pub mod limits {
    /// Longest horizon \[days\] (100 years).
    pub const MAX_HORIZON_DAYS: u32 = 36_500;
    /// Most detainees over all groups \[persons\].
    pub const MAX_DETAINEES: u64 = 2_000_000;
    /// Most groups.
    pub const MAX_GROUPS: usize = 1_000;
    /// Most facilities.
    pub const MAX_FACILITIES: usize = 1_000;
    /// Most court stages.
    pub const MAX_STAGES: usize = 64;
    /// Most sentences (`[[court.sentence]]`).
    pub const MAX_SENTENCES: usize = 1_000;
    /// Largest capacity, initial occupancy or expansion of a facility \[beds\].
    pub const MAX_BEDS: u64 = 1_000_000_000;
    /// Most servers of a court stage \[cases\].
    pub const MAX_SERVERS: u64 = 1_000_000_000;
    /// Most expected departures of one phase, of all phases together, or
    /// incidents over the horizon.
    pub const MAX_EXPECTED_EVENTS: f64 = 10_000_000.0;
    /// Most entries in a list of pauses, expansions or schedule changes.
    pub const MAX_LIST: usize = 100_000;
    /// Most daily series values per replication: the schema's daily
    /// series (per facility, per stage, and global) times `horizon_days`
    /// (the baseline has 5,840). Each is also a histogram in every
    /// accumulator of a run. Not checked by
    /// [`Scenario::validate`](crate::scenario::Scenario::validate) but where the
    /// plan is built ([`Plan::new`](crate::model::Plan::new)), which knows the
    /// schema.
    pub const MAX_SERIES_DAYS: u64 = 2_000_000;
    /// Most metric values a run, shard or merge keeps (replications times
    /// metrics; 16 bytes each) for exact quantiles. Not checked by
    /// [`Scenario::validate`](crate::scenario::Scenario::validate) but by the
    /// Monte Carlo runner, the sweep and shard merging.
    pub const MAX_STORED_VALUES: u64 = 100_000_000;
}

/// Collects problems while checking.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<ScenarioError>);

impl Problems {
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no problem was found.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` without problems, otherwise every problem in the order found.
    pub(crate) fn into_result(self) -> Result<(), ScenarioErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ScenarioErrors(self.0))
        }
    }

    pub(crate) fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(ScenarioError {
            path: path.into(),
            message: message.into(),
        });
    }

    pub(crate) fn finite(&mut self, path: impl Into<String>, v: f64) -> bool {
        if v.is_finite() {
            true
        } else {
            self.push(path, format!("must be a finite number, got {v}"));
            false
        }
    }

    /// Checks a day (a number or a date) and returns its day number when
    /// it is valid.
    pub(crate) fn day(&mut self, path: impl Into<String>, d: Day, start: Date) -> Option<f64> {
        let path = path.into();
        match d {
            Day::Number(v) => {
                if !self.finite(path.clone(), v) {
                    None
                } else if v < 0.0 {
                    self.push(path, format!("must be at least 0, got {v}"));
                    None
                } else {
                    Some(v)
                }
            }
            Day::Date(date) if date < start => {
                self.push(
                    path,
                    format!("must not be before start_date ({start}), got {date}"),
                );
                None
            }
            Day::Date(_) => Some(d.days_from(start)),
        }
    }

    pub(crate) fn probability(&mut self, path: impl Into<String>, v: f64) {
        if !(0.0..=1.0).contains(&v) {
            self.push(
                path,
                format!("must be a probability between 0 and 1, got {v}"),
            );
        }
    }

    pub(crate) fn at_most(&mut self, path: impl Into<String>, v: u64, max: u64, what: &str) {
        if v > max {
            self.push(
                path,
                format!("must be at most {max} ({what} limit), got {v}"),
            );
        }
    }

    pub(crate) fn list_len(&mut self, path: &str, len: usize, max: usize) {
        if len > max {
            self.push(
                path,
                format!("has {len} entries, more than the limit of {max}"),
            );
        }
    }
}

/// Whether `c` is invisible or changes the direction of text: zero-width
/// characters, joiners, bidirectional marks, embeddings, overrides and
/// isolates, the byte order mark, the soft hyphen, the line and paragraph
/// separators, the braille blank, the musical format characters (beams,
/// ties, slurs, phrases), tag characters and variation selectors. In a
/// name they make
/// two names look alike, or reorder what a terminal or report shows.
pub(crate) fn is_invisible_or_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2800}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Checks a name used in metric names and parameter paths: not empty, no
/// surrounding spaces, none of `.[]=,`, no control, invisible or
/// direction-changing character, not only digits, unique within `seen`.
pub(crate) fn check_name(
    problems: &mut Problems,
    path: String,
    name: &str,
    seen: &mut HashSet<String>,
) {
    if name.trim().is_empty() {
        problems.push(path, "must not be empty");
    } else if name.trim() != name {
        problems.push(
            path,
            format!("must not start or end with spaces, got {name:?}"),
        );
    } else if let Some(c) = name.chars().find(|&c| c.is_control()) {
        problems.push(
            path,
            format!("must not contain the control character {c:?}, got {name:?}"),
        );
    } else if let Some(c) = name.chars().find(|&c| is_invisible_or_bidi(c)) {
        problems.push(
            path,
            format!(
                "must not contain the invisible or direction-changing character {c:?}, got {name:?}"
            ),
        );
    } else if let Some(c) = name
        .chars()
        .find(|c| matches!(c, '.' | '[' | ']' | '=' | ','))
    {
        problems.push(
            path,
            format!("must not contain {c:?} (names are used in metric names and parameter paths), got {name:?}"),
        );
    } else if name.chars().all(|c| c.is_ascii_digit()) {
        problems.push(
            path,
            format!("must not be only digits (it would read as an index), got {name:?}"),
        );
    } else if !seen.insert(name.to_string()) {
        problems.push(path, format!("duplicate name {name:?}"));
    }
}
