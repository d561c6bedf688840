//! The run table's court stages: each stage's servers with every step of
//! its schedule within the horizon, and what a very large server count
//! stands for ([`stage_caseload`]).

use std::fmt::Write as _;

use super::cells::{Kind, band, grid, t};
use crate::montecarlo::Summary;
use crate::report::format::thousands;
use crate::scenario::Scenario;

/// The caseload of court stage `stage` of `s` (its index in
/// `court.stage`): the most cases that can ever be at the stage at once,
/// the detainees of every group whose route passes it (a group without
/// `stages` passes every stage). `None` when the stage also takes other
/// court cases (`other_cases`), a stream with no bound, or for no such
/// stage.
///
/// **The rule for very large server counts.** A stage with at least as
/// many servers as its caseload can never make a case wait: every case
/// is served at once, and its time at the stage is its service time
/// alone. The table calls such a count "no limit" (the baseline's
/// investigation opens with 6,000 servers for 5,704 transferees: each
/// investigation takes its 4 to 6 months, whatever the number of cases).
///
/// # Example
///
/// ```
/// use custody_sim::presets;
/// use custody_sim::report::table::stage_caseload;
///
/// let s = presets::baseline();
/// assert_eq!(stage_caseload(&s, 0), Some(157)); // the minors' juvenile court
/// assert_eq!(stage_caseload(&s, 1), Some(s.total_detainees() - 157));
/// assert_eq!(stage_caseload(&s, 99), None);
/// ```
pub fn stage_caseload(s: &Scenario, stage: usize) -> Option<u64> {
    let st = s.court.stages.get(stage)?;
    if st.other_cases.is_some() {
        return None;
    }
    Some(
        s.groups
            .iter()
            .filter(|g| {
                g.stages
                    .as_ref()
                    .is_none_or(|route| route.contains(&st.name))
            })
            .map(|g| g.count)
            .fold(0, u64::saturating_add),
    )
}

/// `28 Jan` (with its year where it is not day 0's): the date a change
/// at time `day` (days from the start of `start`) takes effect on.
fn change_date(start: crate::scenario::Date, day: f64) -> String {
    let Ok(span) = jiff::Span::new().try_days(day.floor() as i64) else {
        return format!("day {day}");
    };
    match start.checked_add(span) {
        Ok(d) if d.year() == start.year() => {
            format!("{} {}", d.day(), crate::report::dates::month(d))
        }
        Ok(d) => crate::report::dates::long(d),
        Err(_) => format!("day {day}"),
    }
}

/// The servers of stage `i` of `s` over the first `horizon` days:
/// `0 → 3,000 (28 Jan) → 6,000 (1 Mar; no limit)`, every schedule step
/// within the horizon in the order it applies (at equal days the later
/// entry wins, as the model applies them), and whether a count is "no
/// limit" ([`stage_caseload`]).
fn servers_text(s: &Scenario, i: usize, horizon: u32) -> (String, bool) {
    let st = &s.court.stages[i];
    let caseload = stage_caseload(s, i);
    let unlimited = |n: u64| caseload.is_some_and(|c| c > 0 && n >= c);
    let mut steps: Vec<(f64, u64)> = st
        .schedule
        .iter()
        .map(|c| (s.day(c.day), c.servers))
        .filter(|&(d, _)| d <= f64::from(horizon))
        .collect();
    steps.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Changes on or before day 0 set the count the run starts with.
    let mut start = st.servers;
    let mut later: Vec<(f64, u64)> = Vec::new();
    for (d, n) in steps {
        if d <= 0.0 {
            start = n;
        } else if let Some(last) = later.last_mut().filter(|l| l.0 == d) {
            last.1 = n;
        } else {
            later.push((d, n));
        }
    }
    let mut any = unlimited(start);
    let mut text = thousands(start as f64);
    if unlimited(start) {
        text.push_str(" (no limit)");
    }
    let mut current = start;
    for (d, n) in later {
        if n == current {
            continue;
        }
        current = n;
        let note = if unlimited(n) {
            any = true;
            "; no limit"
        } else {
            ""
        };
        let _ = write!(
            text,
            " → {} ({}{note})",
            thousands(n as f64),
            change_date(s.start_date, d)
        );
    }
    (text, any)
}

/// The "Court stages" block of the run table: per stage its servers (with
/// every schedule step), cases completed, mean wait, peak queue and queue
/// at the horizon; a footnote on "no limit" where a count is one.
pub(super) fn court_stages(out: &mut String, scenario: &Scenario, s: &Summary) {
    let m = |name: &str| s.metric(name);
    out.push_str("\nCourt stages\n");
    let mut rows = vec![vec![
        t("stage"),
        t("servers (from the date given)"),
        t("cases completed"),
        t("mean wait [days]"),
        t("peak queue"),
        t("queue at the horizon"),
    ]];
    let mut unlimited = Vec::new();
    for (i, st) in scenario.court.stages.iter().enumerate() {
        let key = |k: &str| format!("stage.{}.{k}", st.name);
        let (servers, any) = servers_text(scenario, i, s.horizon_days);
        if any {
            unlimited.push((st.name.as_str(), stage_caseload(scenario, i)));
        }
        rows.push(vec![
            st.name.clone(),
            servers,
            band(m(&key("completed")), Kind::Plain),
            band(m(&key("mean_wait_days")), Kind::Plain),
            band(m(&key("peak_queue")), Kind::Plain),
            band(m(&key("queue_at_horizon")), Kind::Plain),
        ]);
    }
    out.push_str(&grid(&rows, "  "));
    out.push_str(
        "  (servers: cases in service at once, judges or panels; → a change of the schedule, from the start of that date)\n",
    );
    for (name, caseload) in unlimited {
        let _ = writeln!(
            out,
            "  (no limit: {name} has at least as many servers as the {} cases that can reach it, so every case is served at once and takes its service time alone)",
            caseload.map_or_else(|| "–".into(), |c| thousands(c as f64))
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every step of the version 2 baseline's investigation schedule shows, with its
    /// date, and 6,000 servers for 5,704 transferees reads "no limit".
    #[test]
    fn every_schedule_step_shows_with_its_date() {
        let s = crate::scenario::presets::baseline_v2();
        let i = s
            .court
            .stages
            .iter()
            .position(|st| st.name == "investigation")
            .unwrap();
        let (text, any) = servers_text(&s, i, s.horizon_days);
        assert_eq!(text, "0 → 3,000 (28 Jan) → 6,000 (1 Mar; no limit)");
        assert!(any);
        // A horizon before the second step leaves it out.
        let (text, any) = servers_text(&s, i, 20);
        assert_eq!(text, "0 → 3,000 (28 Jan)");
        assert!(!any);
        let trial = s
            .court
            .stages
            .iter()
            .position(|st| st.name == "trial")
            .unwrap();
        assert_eq!(
            servers_text(&s, trial, s.horizon_days),
            ("15".into(), false)
        );
    }

    /// The caseload counts the groups routed through the stage, and other
    /// cases make it unbounded.
    #[test]
    fn the_caseload_follows_the_routes() {
        let mut s = crate::scenario::presets::baseline_v2();
        let total = s.total_detainees();
        s.groups[0].stages = Some(vec!["trial".into()]);
        assert_eq!(stage_caseload(&s, 0), Some(total - s.groups[0].count));
        assert_eq!(stage_caseload(&s, 1), Some(total));
        s.court.stages[1].other_cases = Some(crate::scenario::OtherCases::new(5.0));
        assert_eq!(stage_caseload(&s, 1), None);
        // A stage with as many servers as its caseload is "no limit" from
        // the start; equal-day steps keep the later one.
        s.court.stages[1].servers = total;
        s.court.stages[1].other_cases = None;
        s.court.stages[1].schedule = vec![
            crate::scenario::ServerChange {
                day: 10.0.into(),
                servers: 5,
            },
            crate::scenario::ServerChange {
                day: 10.0.into(),
                servers: 7,
            },
        ];
        let (text, any) = servers_text(&s, 1, 730);
        assert!(
            text.starts_with(&format!("{} (no limit) → 7 (", thousands(total as f64))),
            "{text}"
        );
        assert!(any);
    }
}
