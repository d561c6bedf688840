//! A backtest ([`Backtest`]) as CSV: one row per observation.

use super::{csv_err, text_cell};
use crate::calibrate::Backtest;

/// A backtest's rows as CSV, with a header row (the fields of
/// [`crate::calibrate::BacktestRow`]); the series name goes through
/// [`text_cell`]. Numbers in full. With bound rows, three more columns,
/// `kind`, `share_meeting` and `consistent` (empty for a value row), and
/// a bound row's `interval_score` empty; with rows pinned by the scenario
/// (see [the backtest module](mod@crate::calibrate::backtest)), those
/// columns and `pinned`;
/// without either, the columns are the row's fields only.
///
/// See [`crate::report::table::backtest_table`] for an example.
///
/// # Errors
///
/// An I/O error of kind `Other` if a row cannot be serialised (it can
/// not, for the types it holds).
pub fn backtest_csv(b: &Backtest) -> std::io::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if b.bounds.is_none() && b.pinned.is_none() {
        for r in &b.rows {
            let mut r = r.clone();
            r.series = text_cell(&r.series).into_owned();
            w.serialize(&r).map_err(csv_err)?;
        }
    } else {
        w.write_record(
            [
                "date",
                "series",
                "value",
                "p5",
                "p50",
                "p95",
                "inside",
                "pit",
                "interval_score",
                "kind",
                "share_meeting",
                "consistent",
            ]
            .into_iter()
            .chain(b.pinned.map(|_| "pinned")),
        )
        .map_err(csv_err)?;
        for r in &b.rows {
            let score = if r.interval_score.is_nan() {
                String::new()
            } else {
                r.interval_score.to_string()
            };
            w.write_record(
                [
                    r.date.clone(),
                    text_cell(&r.series).into_owned(),
                    r.value.to_string(),
                    r.p5.to_string(),
                    r.p50.to_string(),
                    r.p95.to_string(),
                    r.inside.to_string(),
                    r.pit.to_string(),
                    score,
                    r.kind.name().to_string(),
                    r.share_meeting.map(|x| x.to_string()).unwrap_or_default(),
                    r.consistent.map(|x| x.to_string()).unwrap_or_default(),
                ]
                .into_iter()
                .chain(b.pinned.map(|_| r.pinned.to_string())),
            )
            .map_err(csv_err)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    String::from_utf8(bytes).map_err(std::io::Error::other)
}
