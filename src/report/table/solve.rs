//! The table of a search ([`Solution`]): the answer, the values on either
//! side of it, and the statistic with its 95% interval at each.

use std::fmt::Write as _;

use crate::decide::{Direction, Evaluation, Find, Solution};
use crate::report::format::{by_size, with_spread};

/// One line of the table: the value, the statistic and its interval (at
/// the interval's precision).
fn line(t: &mut String, label: &str, e: &Evaluation) {
    let s = &e.statistic;
    let (value, lo, hi) = match (s.estimate, s.ci95_low, s.ci95_high) {
        (x, Some(l), Some(h)) => {
            let f = |v: f64| with_spread(v, h - l);
            (x.map_or("–".to_string(), f), f(l), f(h))
        }
        (x, _, _) => (
            x.map_or("–".to_string(), by_size),
            "–".to_string(),
            "–".to_string(),
        ),
    };
    let _ = writeln!(
        t,
        "  {label:<10} {:>12}  {value:>12} [{lo}, {hi}]  {}",
        e.value,
        if e.met { "meets the target" } else { "misses" }
    );
}

/// A search's answer as text for a terminal: the value found, the
/// statistic at it and at its neighbours with their 95% intervals, and
/// whether the answer is sure at this precision.
///
/// # Example
///
/// ```
/// use custody_sim::decide::{Find, Lever, Target, solve};
/// use custody_sim::report::table::solution_table;
/// use custody_sim::{Runs, presets};
///
/// let lever = Lever::parse("court.stage[trial].servers=5..60", Find::Smallest)?;
/// let target = Target::parse("stage.trial.mean_wait_days mean <= 1")?;
/// let runs = Runs { replications: 10, seed: 1, threads: 0 };
/// let s = solve(&presets::plan_2026_01(), &lever, &target, &runs)?;
/// let text = solution_table(&s);
/// assert!(text.starts_with(&format!("court.stage[trial].servers = {}: the smallest value", s.value)));
/// assert!(text.contains("meets the target"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn solution_table(s: &Solution) -> String {
    let mut t = format!(
        "{} = {}: the {} value meeting `{} {} {} {}`\n",
        s.path,
        s.value,
        match s.find {
            Find::Smallest => "smallest",
            Find::Largest => "largest",
        },
        s.target.metric,
        s.target.statistic.name(),
        match s.target.direction {
            Direction::AtMost => "<=",
            Direction::AtLeast => ">=",
        },
        s.target.value
    );
    let _ = writeln!(t, "  {:<10} {:>12}  statistic [95%]", "", "value");
    if let Some(b) = &s.below {
        line(&mut t, "below", b);
    }
    line(&mut t, "answer", &s.at);
    if let Some(a) = &s.above {
        line(&mut t, "above", a);
    }
    let _ = writeln!(
        t,
        "{} ({} runs of the search)",
        if s.sure {
            "sure at this precision: the intervals at the answer and its neighbour lie on either side of the target"
        } else {
            "borderline: an interval at the answer or its neighbour straddles the target (more replications would tell)"
        },
        s.search_runs
    );
    t
}
