//! Repatriation by the home states (rules 6 and 14): each group's rule,
//! when its clock starts, quotas, with their checks.

use std::borrow::Cow;

use jiff::civil::Date;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use super::problems::Problems;
use super::{Day, Dist};

/// A group's repatriation rule (rules 6 and 14).
///
/// On arrival in Iraq each detainee of the group is chosen with
/// `probability`. A chosen detainee's repatriation time is the later of the
/// eligibility time (`eligible_after`; default: arrival) plus a
/// `delay_days` draw, and `earliest_day`. If that comes before the verdict
/// the detainee leaves; after a conviction only with `after_conviction`.
/// With a `quota`, at most that many of the group are repatriated, first
/// come first served.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Repatriation {
    /// Probability that a detainee is chosen for repatriation, in \[0, 1\].
    pub probability: f64,
    /// Delay from eligibility to repatriation \[days\]; required when
    /// `probability > 0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_days: Option<Dist>,
    /// No repatriation before this day \[days or date\]; default day 0.
    #[serde(default, skip_serializing_if = "Day::is_zero")]
    pub earliest_day: Day,
    /// When the repatriation clock starts (v2); default `"arrival"`.
    #[serde(default, skip_serializing_if = "EligibleAfter::is_arrival")]
    pub eligible_after: EligibleAfter,
    /// Whether a convicted detainee whose repatriation time comes after the
    /// verdict is repatriated from prison (v2; required with
    /// `eligible_after = "verdict"`); default `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub after_conviction: bool,
    /// At most this many of the group are repatriated \[persons\], first
    /// come first served in time (v2); `None`: no quota.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<u64>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// When a group's repatriation clock starts (`eligible_after`, rule 14).
///
/// Written in the file as a string: `"arrival"`, `"verdict"`, or the name
/// of a court stage. The words `arrival` and `verdict` always mean these,
/// never a stage of that name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum EligibleAfter {
    /// On arrival in Iraq (the default, as in version 1).
    #[default]
    Arrival,
    /// When the detainee's service at the named stage ends.
    Stage(String),
    /// At a conviction (transfer of sentenced persons); requires
    /// `after_conviction = true`.
    Verdict,
}

impl EligibleAfter {
    /// Whether this is the default, `"arrival"`.
    pub fn is_arrival(&self) -> bool {
        *self == EligibleAfter::Arrival
    }

    /// The file's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            EligibleAfter::Arrival => "arrival",
            EligibleAfter::Verdict => "verdict",
            EligibleAfter::Stage(s) => s,
        }
    }
}

impl From<&str> for EligibleAfter {
    fn from(s: &str) -> EligibleAfter {
        match s {
            "arrival" => EligibleAfter::Arrival,
            "verdict" => EligibleAfter::Verdict,
            other => EligibleAfter::Stage(other.to_string()),
        }
    }
}

impl Serialize for EligibleAfter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EligibleAfter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<EligibleAfter, D::Error> {
        let s = String::deserialize(d)?;
        Ok(EligibleAfter::from(s.as_str()))
    }
}

impl JsonSchema for EligibleAfter {
    fn schema_name() -> Cow<'static, str> {
        "EligibleAfter".into()
    }

    /// `"arrival"`, `"verdict"` or any other string (a court stage's
    /// name, which `check` matches against the stages).
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "When the repatriation clock starts: \"arrival\" (the default), \"verdict\" (needs after_conviction = true) or the name of a court stage (when the detainee's service there ends).",
            "anyOf": [
                { "enum": ["arrival", "verdict"] },
                { "type": "string" }
            ]
        })
    }
}

impl Repatriation {
    /// Checks the rule's own keys, named under `base`
    /// (`group[i].repatriation`): the probability, the delay it needs and
    /// the earliest day.
    pub(super) fn check(&self, base: &str, start: Date, p: &mut Problems) {
        p.probability(format!("{base}.probability"), self.probability);
        match &self.delay_days {
            Some(d) => p.dist(&format!("{base}.delay_days"), d),
            None if self.probability > 0.0 => p.push(
                format!("{base}.delay_days"),
                format!(
                    "is required when probability is above 0 (probability is {})",
                    self.probability
                ),
            ),
            None => {}
        }
        p.day(format!("{base}.earliest_day"), self.earliest_day, start);
    }
}
