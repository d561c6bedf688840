//! Release orders (`[[release]]`, rule 25): on a day, up to `count`
//! people of a kind present in a facility leave custody (an amnesty, a
//! decision to bring a prison down to its design capacity), with their
//! checks.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use jiff::civil::Date;

use super::facility::{Facility, PersonKind, names_facility, no_facility};
use super::problems::Problems;
use super::{Day, limits::MAX_LIST};

/// A release order (`[[release]]`, rule 25).
///
/// At `day`, up to `count` people of kind `who` present in `facility` are
/// chosen uniformly and leave custody. Transferees so released count in
/// `released_by_order` and leave their court queue and exits; background
/// inmates leave the background count. People awaiting deportation are
/// never taken.
///
/// # Example: an amnesty in Nasiriyah
///
/// ```
/// use custody_sim::scenario::{PersonKind, Release};
///
/// let r = Release::new("2026-07-01".parse::<custody_sim::scenario::Date>()?, "Nasiriyah", 2000);
/// assert_eq!(r.who, PersonKind::Background);
/// let r = r.with_who(PersonKind::Convicted);
/// assert_eq!(r.who.as_str(), "convicted");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// When the order takes effect \[days or date\].
    pub day: Day,
    /// The facility it empties (a facility name).
    pub facility: String,
    /// Most people released \[persons\]; fewer present: all of them.
    pub count: u64,
    /// Who may be released; default `background`.
    #[serde(default = "background")]
    pub who: PersonKind,
}

fn background() -> PersonKind {
    PersonKind::Background
}

impl Release {
    /// Releases up to `count` background inmates of `facility` on `day`.
    pub fn new(day: impl Into<Day>, facility: impl Into<String>, count: u64) -> Release {
        Release {
            day: day.into(),
            facility: facility.into(),
            count,
            who: PersonKind::Background,
        }
    }
    /// Sets who may be released.
    pub fn with_who(mut self, who: PersonKind) -> Release {
        self.who = who;
        self
    }
}

/// The keys of a scenario that the release orders' checks read, each borrowed from
/// [`Scenario`](super::Scenario).
#[derive(Debug, Clone, Copy)]
pub(super) struct Keys<'a> {
    /// `start_date`.
    pub(super) start_date: Date,
    /// `[[release]]`.
    pub(super) releases: &'a [Release],
    /// `[[facility]]`.
    pub(super) facilities: &'a [Facility],
}

/// Checks the release orders: their days, facilities that exist, counts
/// that fit a file integer.
pub(super) fn check(s: Keys<'_>, p: &mut Problems) {
    let start = s.start_date;
    p.list_len("release", s.releases.len(), MAX_LIST);
    for (i, r) in s.releases.iter().enumerate() {
        let base = format!("release[{i}]");
        p.day(format!("{base}.day"), r.day, start);
        if !names_facility(s.facilities, &r.facility) {
            p.push(
                format!("{base}.facility"),
                no_facility(s.facilities, &r.facility),
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
