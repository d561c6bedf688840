//! The cells of the terminal tables, shared by the run table, the sweep
//! table, the comparison and the court stages: how a metric's values
//! read by their kind (`mean [p5–p95]`, `± h`, `never`, dates, %), and
//! the grid that lays rows out in columns.

use std::fmt::Write as _;

use crate::report::dates::Day0;
use crate::report::format::{by_size, percent};
use crate::stats::MetricStats;

/// How to show a metric's values.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    /// A count or a duration.
    Plain,
    /// A day, where a value past `horizon` means never.
    Day(u32),
    /// A ratio shown as a percentage.
    Percent,
}

/// How the schema's unit of metric `name` shows: a day number as a day
/// (past `horizon` means never), a ratio as a percentage, anything else
/// (or a name of no schema row) plain.
pub(super) fn kind_of(name: &str, horizon: u32) -> Kind {
    match crate::model::schema::metric_def_of(name).map(|d| d.unit) {
        Some("day number") => Kind::Day(horizon),
        Some("ratio") => Kind::Percent,
        _ => Kind::Plain,
    }
}

pub(super) fn fmt_kind(x: f64, kind: Kind) -> String {
    match kind {
        Kind::Plain => by_size(x),
        Kind::Day(h) if x > f64::from(h) => "never".into(),
        Kind::Day(_) => by_size(x),
        Kind::Percent => percent(x, 0),
    }
}

/// `mean [p5–p95]`, or `—` with no values.
pub(super) fn band(m: Option<&MetricStats>, kind: Kind) -> String {
    let Some(m) = m else { return "—".into() };
    let Some(mean) = m.mean else {
        return "—".into();
    };
    if let Kind::Day(h) = kind
        && m.min.is_some_and(|x| x > f64::from(h))
    {
        return "never".into();
    }
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
pub(super) fn ci(m: Option<&MetricStats>, kind: Kind) -> String {
    let Some(m) = m else { return String::new() };
    if let Kind::Day(h) = kind
        && m.min.is_some_and(|x| x > f64::from(h))
    {
        return String::new();
    }
    match (m.mean, m.ci95_high) {
        (Some(mean), Some(hi)) => match kind {
            Kind::Percent => format!("± {}", percent(hi - mean, 1)),
            _ => format!("± {}", by_size(hi - mean)),
        },
        _ => String::new(),
    }
}

/// The calendar dates of a day metric's band, `(4 Feb–9 Mar 2026)`;
/// empty when there is no band, the dates are unknown or it is all
/// `never`.
pub(super) fn band_dates(m: Option<&MetricStats>, h: u32, day0: Option<Day0>) -> String {
    let (Some(m), Some(day0)) = (m, day0) else {
        return String::new();
    };
    let within = |x: Option<f64>| x.filter(|x| *x <= f64::from(h));
    let (Some(lo), hi) = (within(m.p5), within(m.p95)) else {
        return String::new();
    };
    let (Some(a), b) = (day0.date(lo), hi.and_then(|x| day0.date(x))) else {
        return String::new();
    };
    let long = crate::report::dates::long;
    match b {
        Some(b) if b == a => format!("({})", long(a)),
        Some(b) if b.year() == a.year() && b.month() == a.month() => {
            format!("({}–{})", a.day(), long(b))
        }
        Some(b) if b.year() == a.year() => format!(
            "({} {}–{})",
            a.day(),
            crate::report::dates::month(a),
            long(b)
        ),
        Some(b) => format!("({}–{})", long(a), long(b)),
        None => format!("({}–never)", long(a)),
    }
}

/// Lays out rows of cells in left-aligned columns (the first row a
/// header), two spaces apart, each line indented by `indent`.
pub(super) fn grid(rows: &[Vec<String>], indent: &str) -> String {
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

pub(super) fn t(x: &str) -> String {
    x.to_string()
}
