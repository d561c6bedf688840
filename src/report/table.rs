//! A readable summary of a run or a sweep, for a terminal.
//!
//! Figures read `mean [p5–p95]`: the mean across replications and the band
//! that holds 90% of them; `± h` is the half-width of the 95% confidence
//! interval on the mean, the precision of the estimate (more replications
//! shrink it; they do not shrink the band). A day metric whose value is
//! "never within the horizon" (MODEL.md's horizon + 1) shows as `never`.
//!
//! The full statistics are in the JSON and CSV outputs
//! ([`crate::report::json`], [`crate::report::csv`]).

use std::fmt::Write as _;

use crate::montecarlo::Summary;
use crate::scenario::Scenario;
use crate::stats::MetricStats;
use crate::sweep::SweepResult;

/// `1234567.8` as `1,234,568`.
fn thousands(x: f64) -> String {
    let r = x.round();
    let neg = r < 0.0;
    let digits = format!("{:.0}", r.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if neg && out != "0" {
        out.insert(0, '-');
    }
    out
}

/// A number at a precision that suits its size.
fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let a = x.abs();
    if a >= 1000.0 {
        thousands(x)
    } else if a >= 100.0 || x == x.round() {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// How to show a metric's values.
#[derive(Clone, Copy)]
enum Kind {
    /// A count or a duration.
    Plain,
    /// A day, where a value past `horizon` means never.
    Day(u32),
    /// A ratio shown as a percentage.
    Percent,
}

fn fmt_kind(x: f64, kind: Kind) -> String {
    match kind {
        Kind::Plain => fmt_num(x),
        Kind::Day(h) if x > f64::from(h) => "never".into(),
        Kind::Day(_) => fmt_num(x),
        Kind::Percent => format!("{:.0}%", x * 100.0),
    }
}

/// `mean [p5–p95]`, or `—` with no values.
fn band(m: Option<&MetricStats>, kind: Kind) -> String {
    let Some(m) = m else { return "—".into() };
    let Some(mean) = m.mean else {
        return "—".into();
    };
    // The mean of a day metric mixes in "never" as horizon + 1: show it
    // as a number, the band ends as `never` where they are.
    let mean_kind = match kind {
        Kind::Day(_) => Kind::Plain,
        k => k,
    };
    let mut s = fmt_kind(mean, mean_kind);
    if let (Some(lo), Some(hi)) = (m.p5, m.p95) {
        let _ = write!(s, " [{}–{}]", fmt_kind(lo, kind), fmt_kind(hi, kind));
    }
    s
}

/// `± h` (95% CI half-width), or empty.
fn ci(m: Option<&MetricStats>, kind: Kind) -> String {
    let Some(m) = m else { return String::new() };
    match (m.mean, m.ci95_high) {
        (Some(mean), Some(hi)) => match kind {
            Kind::Percent => format!("± {:.1}%", (hi - mean) * 100.0),
            _ => format!("± {}", fmt_num(hi - mean)),
        },
        _ => String::new(),
    }
}

/// Lays out rows of cells in left-aligned columns (the first row a
/// header), two spaces apart, each line indented by `indent`.
fn grid(rows: &[Vec<String>], indent: &str) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(indent);
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if c + 1 < row.len() {
                let pad = width[c].saturating_sub(cell.chars().count());
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn t(x: &str) -> String {
    x.to_string()
}

/// A readable summary of a run of `scenario`: the header, the transfer,
/// each facility's occupancy against its capacity, the court stages, the
/// time to a verdict and the outcome per group.
///
/// `scenario` supplies what the summary does not hold (capacities, group
/// sizes, server counts); a metric the summary lacks shows as `—`.
///
/// # Example
///
/// ```
/// use custody_sim::{montecarlo::{run, Runs}, presets, report::table::summary_table};
///
/// let scenario = presets::baseline();
/// let s = run(&scenario, &Runs { replications: 4, seed: 1, threads: 0 })?;
/// let text = summary_table(&scenario, &s);
/// assert!(text.contains("Nasiriyah"));
/// assert!(text.contains("4 replications"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn summary_table(scenario: &Scenario, s: &Summary) -> String {
    let m = |name: &str| s.metric(name);
    let h = s.horizon_days;
    let day = Kind::Day(h);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Scenario {}: {} replications, seed {} (custody-sim {}, scenario sha256 {})",
        s.scenario,
        s.replications,
        s.seed,
        s.version,
        s.scenario_sha256.get(..12).unwrap_or(&s.scenario_sha256),
    );
    let _ = writeln!(
        out,
        "Day 0 is {}; horizon {} days. Figures: mean [p5–p95 across replications], ± half-width of the 95% CI on the mean.",
        s.start_date, h
    );

    // Transfer.
    out.push_str("\nTransfer\n");
    let mut rows = vec![vec![t(""), t("mean [p5–p95]"), t("95% CI")]];
    let mut row = |label: String, name: &str, kind: Kind| {
        rows.push(vec![label, band(m(name), kind), ci(m(name), kind)]);
    };
    row(
        format!(
            "detainees transferred (of {})",
            thousands(scenario.total_detainees() as f64)
        ),
        "transferred",
        Kind::Plain,
    );
    row(t("escaped from Syrian sites"), "escaped", Kind::Plain);
    row(
        t("still in Syria at the horizon"),
        "remaining_in_syria",
        Kind::Plain,
    );
    row(t("day the transfer completes"), "last_arrival_day", day);
    out.push_str(&grid(&rows, "  "));
    if let Some(last) = m("last_arrival_day")
        && last.max.is_some_and(|x| x > f64::from(h))
    {
        let _ = writeln!(
            out,
            "  (not complete by the horizon in some replications; those count as day {})",
            h + 1
        );
    }

    // Facilities.
    out.push_str("\nFacilities (end-of-day occupancy)\n");
    let mut rows = vec![vec![
        t("facility"),
        t("capacity"),
        t("day 0"),
        t("peak occupancy"),
        t("peak / capacity"),
        t("days over capacity"),
        t("first day over"),
    ]];
    for f in &scenario.facilities {
        let added: u64 = f
            .expansions
            .iter()
            .map(|e| e.beds)
            .fold(0, u64::saturating_add);
        let cap = if added > 0 {
            format!(
                "{} → {}",
                thousands(f.capacity as f64),
                thousands(f.capacity.saturating_add(added) as f64)
            )
        } else {
            thousands(f.capacity as f64)
        };
        let key = |k: &str| format!("facility.{}.{k}", f.name);
        rows.push(vec![
            f.name.clone(),
            cap,
            thousands(f.initial_occupancy as f64),
            band(m(&key("peak_occupancy")), Kind::Plain),
            band(m(&key("peak_occupancy_rate")), Kind::Percent),
            band(m(&key("days_over_capacity")), Kind::Plain),
            band(m(&key("first_day_over_capacity")), day),
        ]);
    }
    out.push_str(&grid(&rows, "  "));

    // Court.
    out.push_str("\nCourt stages\n");
    let mut rows = vec![vec![
        t("stage"),
        t("servers"),
        t("cases completed"),
        t("mean wait [days]"),
        t("peak queue"),
    ]];
    for st in &scenario.court.stages {
        let key = |k: &str| format!("stage.{}.{k}", st.name);
        let servers = match st.schedule.last() {
            Some(last) => format!(
                "{} → {}",
                thousands(st.servers as f64),
                thousands(last.servers as f64)
            ),
            None => thousands(st.servers as f64),
        };
        rows.push(vec![
            st.name.clone(),
            servers,
            band(m(&key("completed")), Kind::Plain),
            band(m(&key("mean_wait_days")), Kind::Plain),
            band(m(&key("peak_queue")), Kind::Plain),
        ]);
    }
    out.push_str(&grid(&rows, "  "));

    // Verdicts.
    out.push_str("\nVerdicts\n");
    let mut rows = vec![vec![t(""), t("mean [p5–p95]"), t("95% CI")]];
    let mut row = |label: &str, name: &str| {
        rows.push(vec![
            t(label),
            band(m(name), Kind::Plain),
            ci(m(name), Kind::Plain),
        ]);
    };
    row("mean days to verdict", "mean_days_to_verdict");
    row("median days to verdict", "median_days_to_verdict");
    row("convicted", "convicted");
    row("released", "released");
    row("awaiting a verdict at the horizon", "awaiting_verdict");
    row("repatriated", "repatriated");
    out.push_str(&grid(&rows, "  "));
    if let Some(v) = m("mean_days_to_verdict")
        && v.n < s.replications
    {
        let _ = writeln!(
            out,
            "  (time to verdict from the {} of {} replications that gave a verdict)",
            v.n, s.replications
        );
    }

    // Groups.
    out.push_str("\nGroups\n");
    let mut rows = vec![vec![
        t("group"),
        t("detainees"),
        t("transferred"),
        t("repatriated"),
        t("convicted"),
    ]];
    for g in &scenario.groups {
        let key = |k: &str| format!("{k}.{}", g.name);
        rows.push(vec![
            g.name.clone(),
            thousands(g.count as f64),
            band(m(&key("transferred")), Kind::Plain),
            band(m(&key("repatriated")), Kind::Plain),
            band(m(&key("convicted")), Kind::Plain),
        ]);
    }
    out.push_str(&grid(&rows, "  "));
    out
}

/// Whether a metric is a headline of the sweep table (per-group counts and
/// some secondary statistics are left to the JSON and CSV).
fn headline(name: &str) -> bool {
    if !name.contains('.') {
        return true;
    }
    let (Some(first), Some(last)) = (name.split('.').next(), name.rsplit('.').next()) else {
        return false;
    };
    matches!(
        (first, last),
        ("facility", "peak_occupancy" | "days_over_capacity")
            | ("stage", "mean_wait_days" | "peak_queue")
    )
}

/// A readable summary of a sweep: for each headline metric, one line per
/// cell with its `mean [p5–p95]` and the paired difference to the first
/// cell with its 95% CI.
///
/// # Example
///
/// ```
/// use custody_sim::{montecarlo::Runs, presets, report::table::sweep_table, sweep::{sweep, Vary}};
///
/// let grid = [Vary::new("court.stage[trial].servers", [15, 30])];
/// let r = sweep(&presets::baseline(), &grid, &Runs { replications: 4, seed: 1, threads: 0 })?;
/// let text = sweep_table(&r);
/// assert!(text.contains("mean_days_to_verdict"));
/// assert!(text.contains("court.stage[trial].servers"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sweep_table(r: &SweepResult) -> String {
    let mut out = String::new();
    let Some(first) = r.cells.first() else {
        return "An empty sweep.\n".into();
    };
    let f = &first.summary;
    let _ = writeln!(
        out,
        "Sweep of {}: {} cells × {} replications, seed {} (custody-sim {})",
        f.scenario,
        r.cells.len(),
        f.replications,
        f.seed,
        f.version
    );
    out.push_str(
        "Figures: mean [p5–p95 across replications]; Δ: paired difference to cell 1 on common random numbers, with its 95% CI.\n",
    );
    let mut rows = vec![
        std::iter::once(t("cell"))
            .chain(r.paths.iter().cloned())
            .collect::<Vec<_>>(),
    ];
    for (i, c) in r.cells.iter().enumerate() {
        rows.push(
            std::iter::once((i + 1).to_string())
                .chain(c.params.iter().map(|(_, v)| v.clone()))
                .collect(),
        );
    }
    out.push('\n');
    out.push_str(&grid(&rows, "  "));

    for (name, _) in f.metrics.iter().filter(|(n, _)| headline(n)) {
        let kind = if name.ends_with("_day") {
            Kind::Day(f.horizon_days)
        } else {
            Kind::Plain
        };
        let _ = writeln!(out, "\n{name}");
        let mut rows = vec![vec![
            t("cell"),
            t("mean [p5–p95]"),
            t("Δ vs cell 1 [95% CI]"),
        ]];
        for (i, c) in r.cells.iter().enumerate() {
            let diff = if i == 0 {
                t("—")
            } else {
                match c.diff_of(name) {
                    Some(d) => match (d.mean, d.ci95_low, d.ci95_high) {
                        (Some(mean), Some(lo), Some(hi)) => {
                            format!("{:+} [{}, {}]", Signed(mean), fmt_num(lo), fmt_num(hi))
                        }
                        (Some(mean), _, _) => format!("{:+}", Signed(mean)),
                        _ => t("—"),
                    },
                    None => t("—"),
                }
            };
            rows.push(vec![
                (i + 1).to_string(),
                band(c.summary.metric(name), kind),
                diff,
            ]);
        }
        out.push_str(&grid(&rows, "  "));
    }
    out
}

/// A number with an explicit sign under `{:+}`.
struct Signed(f64);

impl std::fmt::Display for Signed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = fmt_num(self.0);
        if f.sign_plus() && self.0 >= 0.0 && self.0.is_finite() {
            f.write_str("+")?;
        }
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_at_a_glance() {
        assert_eq!(thousands(1234567.8), "1,234,568");
        assert_eq!(thousands(-1234.0), "-1,234");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(fmt_num(12.345), "12.3");
        assert_eq!(fmt_num(0.5), "0.50");
        assert_eq!(fmt_num(7.0), "7");
        assert_eq!(fmt_num(f64::NAN), "—");
        assert_eq!(format!("{:+}", Signed(2.0)), "+2");
        assert_eq!(format!("{:+}", Signed(-2.5)), "-2.50");
    }

    #[test]
    fn grid_aligns_columns() {
        let g = grid(&[vec![t("a"), t("bb")], vec![t("ccc"), t("d")]], "");
        assert_eq!(g, "a    bb\nccc  d\n");
    }
}
