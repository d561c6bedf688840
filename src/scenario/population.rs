//! The detainees (`[[group]]`): the nationality groups in the Syrian pool
//! on day 0 (rule 1), with their checks. Each group's repatriation rule is
//! in [`super::repatriation`].

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::problems::{Problems, check_name};
use super::{Day, Dist, EligibleAfter, Repatriation, Scenario, limits::*};

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

impl Group {
    /// A group of `count` detainees that is never repatriated.
    pub fn new(name: impl Into<String>, count: u64) -> Group {
        Group {
            name: name.into(),
            count,
            repatriation: Repatriation::default(),
        }
    }
    /// Sets the repatriation rule (v1 keys; the v2 keys keep their
    /// values).
    pub fn with_repatriation(
        mut self,
        probability: f64,
        delay_days: Dist,
        earliest_day: impl Into<Day>,
    ) -> Group {
        self.repatriation.probability = probability;
        self.repatriation.delay_days = Some(delay_days);
        self.repatriation.earliest_day = earliest_day.into();
        self
    }
    /// Sets when the repatriation clock starts: `"arrival"`, `"verdict"` or
    /// a stage name.
    pub fn with_eligible_after(mut self, after: impl Into<EligibleAfter>) -> Group {
        self.repatriation.eligible_after = after.into();
        self
    }
    /// Sets whether the convicted may be repatriated from prison.
    pub fn with_after_conviction(mut self, yes: bool) -> Group {
        self.repatriation.after_conviction = yes;
        self
    }
    /// Sets the most of the group repatriated \[persons\].
    pub fn with_quota(mut self, quota: u64) -> Group {
        self.repatriation.quota = Some(quota);
        self
    }
}

/// Checks the groups: at least one, their names, their counts one by one
/// and added up, and each group's repatriation rule (its own keys; what
/// it says of the court is checked by
/// [`repatriation::check_eligibility`](super::repatriation::check_eligibility)).
pub(super) fn check(s: &Scenario, p: &mut Problems) {
    if s.groups.is_empty() {
        p.push("group", "at least one group is required");
    }
    p.list_len("group", s.groups.len(), MAX_GROUPS);
    let mut seen = HashSet::new();
    for (i, g) in s.groups.iter().enumerate() {
        check_name(p, format!("group[{i}].name"), &g.name, &mut seen);
        p.at_most(
            format!("group[{i}].count"),
            g.count,
            MAX_DETAINEES,
            "detainee",
        );
        g.repatriation
            .check(&format!("group[{i}].repatriation"), s.start_date, p);
    }
    let total = s.total_detainees();
    if total > MAX_DETAINEES && s.groups.iter().all(|g| g.count <= MAX_DETAINEES) {
        p.push(
            "group",
            format!("counts add up to {total}, more than the limit of {MAX_DETAINEES} detainees"),
        );
    }
}
