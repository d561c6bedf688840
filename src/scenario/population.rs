//! The detainees (`[[group]]`): the nationality groups in the Syrian pool
//! on day 0 (rule 1), with their checks. Each group's repatriation rule is
//! in [`super::repatriation`].

use std::collections::HashSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use jiff::civil::Date;

use super::court::{Court, is_zero_i64};
use super::problems::{Problems, check_name};
use super::repatriation::{EligibleAfter, Repatriation};
use super::{Day, Dist, limits::*};

/// A nationality group (`[[group]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Group name, unique; used in metric names (`transferred.<group>`).
    pub name: String,
    /// Detainees of this group in the Syrian pool on day 0 \[persons\].
    pub count: u64,
    /// The home state's repatriation rule; default: none.
    #[serde(default)]
    pub repatriation: Repatriation,
    /// Court priority (rule 21, v3): at every court stage a free server
    /// takes the waiting case with the lowest priority number first
    /// (first come, first served within a priority; service is never
    /// interrupted). Other cases' priorities (rule 20) are on the same
    /// scale. Default 0.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub priority: i64,
    /// The court stages the group's members pass (rule 23, v3), by name,
    /// a subsequence of `[[court.stage]]` in the court's order; the
    /// verdict follows the last. `None`: every stage. An empty route gives
    /// the verdict on arrival.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<String>>,
    /// Deportation of those the court releases (rule 24, v3); `None`: set
    /// free at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deportation: Option<Deportation>,
}

/// Deportation (`deportation`, rule 24, v3): a member of the group released
/// by the court (at the verdict, on appeal, or at the end of a sentence)
/// is not set free at once. It stays in the same facility, awaiting
/// deportation, for a `delay_days` drawn at the release, and then leaves
/// as `deported`. While it waits only death in custody applies (a
/// relocation may still move it; it is never repatriated); it counts in
/// occupancy and `in_custody` until it leaves.
///
/// # Example: acquitted foreigners wait to be deported
///
/// ```
/// use custody_sim::{presets, simulate, Dist};
///
/// let mut s = presets::plan_2026_01();
/// s.court.conviction_probability = 0.5;
/// for g in &mut s.groups {
///     g.deportation = Some(custody_sim::scenario::Deportation {
///         delay_days: Dist::fixed(30.0),
///     });
/// }
/// let out = simulate(&s, 1)?;
/// let released = out.metric("released").unwrap();
/// let deported = out.metric("deported").unwrap();
/// let waiting = *out.series("awaiting_deportation").unwrap().last().unwrap();
/// assert!(released > 0.0);
/// // Every acquittal is deported or still waiting (nobody dies here).
/// assert_eq!(deported + f64::from(waiting), released);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deportation {
    /// Time from the court's release to deportation \[days\].
    pub delay_days: Dist,
}

impl Group {
    /// A group of `count` detainees that is never repatriated.
    pub fn new(name: impl Into<String>, count: u64) -> Group {
        Group {
            name: name.into(),
            count,
            repatriation: Repatriation::default(),
            priority: 0,
            stages: None,
            deportation: None,
        }
    }
    /// Sets deportation (rule 24): those the court releases wait
    /// `delay_days` \[days\] in custody, then are deported.
    pub fn with_deportation(mut self, delay_days: Dist) -> Group {
        self.deportation = Some(Deportation { delay_days });
        self
    }
    /// Sets the court priority (rule 21): lower numbers are served first.
    pub fn with_priority(mut self, priority: i64) -> Group {
        self.priority = priority;
        self
    }
    /// Sets the route (rule 23): the names of the court stages the group
    /// passes, in the court's order.
    pub fn with_stages<S: Into<String>>(mut self, stages: impl IntoIterator<Item = S>) -> Group {
        self.stages = Some(stages.into_iter().map(Into::into).collect());
        self
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

/// Detainees of all `groups` together \[persons\], at most `u64::MAX`.
pub(super) fn total_detainees(groups: &[Group]) -> u64 {
    groups.iter().map(|g| g.count).fold(0, u64::saturating_add)
}

/// The keys of a scenario that the checks of groups read, each borrowed
/// from [`Scenario`](super::Scenario).
#[derive(Debug, Clone, Copy)]
pub(super) struct Keys<'a> {
    /// `start_date`.
    pub(super) start_date: Date,
    /// `[[group]]`.
    pub(super) groups: &'a [Group],
    /// `[court]`.
    pub(super) court: &'a Court,
}

/// Checks the groups: at least one, their names, their counts one by one
/// and added up, and each group's repatriation rule (its own keys; what
/// it says of the court is checked by
/// [`check_eligibility`]).
pub(super) fn check(s: Keys<'_>, p: &mut Problems) {
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
        if let Some(d) = &g.deportation {
            p.dist(&format!("group[{i}].deportation.delay_days"), &d.delay_days);
        }
    }
    let total = total_detainees(s.groups);
    if total > MAX_DETAINEES && s.groups.iter().all(|g| g.count <= MAX_DETAINEES) {
        p.push(
            "group",
            format!("counts add up to {total}, more than the limit of {MAX_DETAINEES} detainees"),
        );
    }
}

/// Checks each group's route (rule 23): every name a court stage (an
/// unknown one lists the stages), in the court's order, each at most once;
/// and a repatriation clock that starts at a stage (`eligible_after`)
/// names a stage on the route. Runs after the court's checks.
pub(super) fn check_routes(s: Keys<'_>, p: &mut Problems) {
    let stages = &s.court.stages;
    let valid = || {
        stages
            .iter()
            .map(|st| format!("{:?}", st.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (i, g) in s.groups.iter().enumerate() {
        let Some(route) = &g.stages else { continue };
        p.list_len(&format!("group[{i}].stages"), route.len(), MAX_STAGES);
        // The court position of the last name found, to check the order.
        let mut last: Option<(usize, &str)> = None;
        for (j, name) in route.iter().enumerate() {
            let path = format!("group[{i}].stages[{j}]");
            match stages.iter().position(|st| &st.name == name) {
                None => p.push(
                    path,
                    format!("names no court stage, got {name:?} (stages: {})", valid()),
                ),
                Some(k) => {
                    if let Some((before, prev)) = last
                        && k <= before
                    {
                        p.push(
                            path,
                            if k == before {
                                format!("lists the stage {name:?} twice")
                            } else {
                                format!(
                                    "must follow the court's order ({}), got {name:?} after {prev:?}",
                                    valid()
                                )
                            },
                        );
                    } else {
                        last = Some((k, name));
                    }
                }
            }
        }
        if let EligibleAfter::Stage(name) = &g.repatriation.eligible_after
            && stages.iter().any(|st| &st.name == name)
            && !route.contains(name)
        {
            let listed: Vec<String> = route.iter().map(|n| format!("{n:?}")).collect();
            p.push(
                format!("group[{i}].repatriation.eligible_after"),
                format!(
                    "names the stage {name:?}, which is not on the group's route (stages = [{}])",
                    listed.join(", ")
                ),
            );
        }
    }
}

/// Checks when each group's clock starts and how many may leave (rule
/// 14): `eligible_after` is `"arrival"`, `"verdict"` or a court stage's
/// name, `"verdict"` needs `after_conviction`, and a quota fits a file
/// integer. Runs after the court's checks.
pub(super) fn check_eligibility(s: Keys<'_>, p: &mut Problems) {
    for (i, g) in s.groups.iter().enumerate() {
        let r = &g.repatriation;
        let base = format!("group[{i}].repatriation");
        if let EligibleAfter::Stage(name) = &r.eligible_after
            && !s.court.stages.iter().any(|st| &st.name == name)
        {
            let stages: Vec<_> = s
                .court
                .stages
                .iter()
                .map(|st| format!("{:?}", st.name))
                .collect();
            p.push(
                format!("{base}.eligible_after"),
                format!(
                    "must be \"arrival\", \"verdict\" or the name of a court stage ({}), got {name:?}",
                    stages.join(", ")
                ),
            );
        }
        if r.eligible_after == EligibleAfter::Verdict && !r.after_conviction {
            p.push(
                format!("{base}.after_conviction"),
                "must be true with eligible_after = \"verdict\" (only the convicted are eligible then)",
            );
        }
        if let Some(q) = r.quota {
            p.at_most(
                format!("{base}.quota"),
                q,
                i64::MAX as u64,
                "file format integer",
            );
        }
    }
}
