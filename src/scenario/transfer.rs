//! The transfer out of the Syrian pool (`[transfer]`): convoy phases,
//! pauses, the weekly cap, admission to the beds in Iraq, escapes from the
//! pool and what ends departures (rules 2, 3 and 8), with their checks.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use jiff::civil::Date;

use super::problems::Problems;
use super::{Day, Dist, limits::*};

/// The transfer plan (`[transfer]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// What stops departures (`[transfer.end]`, v2); `None`: departures go
    /// on until the pool is empty or the horizon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<TransferEnd>,
}

/// What stops departures (`[transfer.end]`, rule 8): whichever comes first.
/// Whoever is left stays in the Syrian pool, exposed to escapes.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferEnd {
    /// No departure at or after this day \[days or date\]; `None`: no end day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_day: Option<Day>,
    /// Departures stop once this many have boarded in all \[persons\]; the
    /// convoy that reaches it is cut down to fit. `None`: no target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_total: Option<u64>,
}

/// Whether a convoy is held to the free beds in Iraq.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pause {
    /// First day of the pause \[days or date\], included.
    pub from: Day,
    /// End of the pause \[days or date\], excluded.
    pub to: Day,
}

/// One phase of convoys: a departure on `from`, then one after each
/// `interval_days` draw, until the next phase begins.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Day of the phase's first departure \[days or date\].
    pub from: Day,
    /// Time between departures \[days\]; `fixed` gives a timetable,
    /// `exponential` a Poisson process.
    pub interval_days: Dist,
    /// Detainees per convoy before caps \[persons\]; rounded to an integer.
    pub convoy_size: Dist,
}

/// Security incidents at Syrian sites (`[transfer.escape]`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Escape {
    /// Rate of the Poisson process of incidents \[per day\].
    pub incident_rate_per_day: f64,
    /// Probability that each detainee still in the pool escapes at an
    /// incident, independently of the others.
    pub escape_probability: f64,
}

impl Pause {
    /// A pause `[from, to)` \[days or dates\].
    pub fn new(from: impl Into<Day>, to: impl Into<Day>) -> Pause {
        Pause {
            from: from.into(),
            to: to.into(),
        }
    }
}

impl Phase {
    /// A phase whose first departure is on `from` \[days or date\].
    pub fn new(from: impl Into<Day>, interval_days: Dist, convoy_size: Dist) -> Phase {
        Phase {
            from: from.into(),
            interval_days,
            convoy_size,
        }
    }
}

/// The keys of a scenario that the transfer's checks read, each borrowed from
/// [`Scenario`](super::Scenario).
#[derive(Debug, Clone, Copy)]
pub(super) struct Keys<'a> {
    /// `start_date`.
    pub(super) start_date: Date,
    /// `horizon_days`.
    pub(super) horizon_days: u32,
    /// `[transfer]`.
    pub(super) transfer: &'a Transfer,
}

impl Keys<'_> {
    /// The day number of `d` (see [`Scenario::day`](super::Scenario::day)).
    fn day(&self, d: Day) -> f64 {
        d.days_from(self.start_date)
    }
}

/// Checks the departures: transit time, weekly cap, pauses, phases (in
/// order, within the limit of departures) and escapes.
pub(super) fn check(s: Keys<'_>, p: &mut Problems) {
    let start = s.start_date;
    let horizon = f64::from(s.horizon_days);
    let t = &s.transfer;
    p.dist("transfer.transit_days", &t.transit_days);
    if let Some(cap) = t.weekly_cap {
        // Beyond this the scenario could not be written back as TOML.
        p.at_most(
            "transfer.weekly_cap",
            cap,
            i64::MAX as u64,
            "file format integer",
        );
    }
    p.list_len("transfer.pauses", t.pauses.len(), MAX_LIST);
    for (i, pause) in t.pauses.iter().enumerate() {
        let from = p.day(format!("transfer.pauses[{i}].from"), pause.from, start);
        let to = p.day(format!("transfer.pauses[{i}].to"), pause.to, start);
        if let (Some(from), Some(to)) = (from, to)
            && to <= from
        {
            p.push(
                format!("transfer.pauses[{i}].to"),
                format!("must be after from ({}), got {}", pause.from, pause.to),
            );
        }
    }
    if t.phases.is_empty() {
        p.push("transfer.phase", "at least one phase is required");
    }
    p.list_len("transfer.phase", t.phases.len(), MAX_LIST);
    // Expected departures of the phases within the limit each, added up.
    let mut departures = 0.0;
    let mut each_within = true;
    for (i, ph) in t.phases.iter().enumerate() {
        let base = format!("transfer.phase[{i}]");
        let from = p.day(format!("{base}.from"), ph.from, start);
        let from_n = s.day(ph.from);
        if i > 0 {
            let prev = s.day(t.phases[i - 1].from);
            if from.is_some() && prev.is_finite() && from_n <= prev {
                p.push(
                    format!("{base}.from"),
                    format!(
                        "phases must be in increasing order of from: must be after phase[{}].from ({prev}), got {}",
                        i - 1,
                        ph.from
                    ),
                );
            }
        }
        let ipath = format!("{base}.interval_days");
        let before = p.len();
        p.dist(&ipath, &ph.interval_days);
        if p.len() == before {
            let mean = ph.interval_days.mean();
            let end = t
                .phases
                .get(i + 1)
                .map_or(horizon, |n| s.day(n.from).min(horizon));
            let span = (end - from_n).max(0.0);
            if mean <= 0.0 {
                p.push(
                    ipath,
                    format!("must have a mean above 0 (departures would never end), got {mean}"),
                );
            } else if span / mean > MAX_EXPECTED_EVENTS {
                each_within = false;
                p.push(
                    ipath,
                    format!(
                        "mean {mean:e} gives about {:.3e} departures, more than the limit of {MAX_EXPECTED_EVENTS:e}",
                        span / mean
                    ),
                );
            } else {
                departures += span / mean;
            }
        }
        p.dist(&format!("{base}.convoy_size"), &ph.convoy_size);
    }
    if each_within && departures > MAX_EXPECTED_EVENTS {
        p.push(
            "transfer.phase",
            format!("phases give about {departures:.0} departures in all, more than the limit of {MAX_EXPECTED_EVENTS:e}"),
        );
    }
    if let Some(e) = &t.escape {
        let r = e.incident_rate_per_day;
        if p.finite("transfer.escape.incident_rate_per_day", r) {
            if r < 0.0 {
                p.push(
                    "transfer.escape.incident_rate_per_day",
                    format!("must be at least 0, got {r}"),
                );
            } else if r * horizon > MAX_EXPECTED_EVENTS {
                p.push(
                    "transfer.escape.incident_rate_per_day",
                    format!("gives about {:.3e} incidents, more than the limit of {MAX_EXPECTED_EVENTS:e}", r * horizon),
                );
            }
        }
        p.probability("transfer.escape.escape_probability", e.escape_probability);
    }
}

/// Checks what ends departures (`[transfer.end]`, rule 8).
pub(super) fn check_end(s: Keys<'_>, p: &mut Problems) {
    let start = s.start_date;
    if let Some(end) = &s.transfer.end {
        if let Some(d) = end.until_day {
            p.day("transfer.end.until_day", d, start);
        }
        if let Some(n) = end.target_total {
            p.at_most(
                "transfer.end.target_total",
                n,
                i64::MAX as u64,
                "file format integer",
            );
        }
    }
}
