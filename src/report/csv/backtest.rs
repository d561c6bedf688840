//! A backtest ([`Backtest`]) as CSV: one row per observation.

use super::{csv_err, text_cell};
use crate::calibrate::Backtest;

/// A backtest's rows as CSV, with a header row (the fields of
/// [`crate::calibrate::BacktestRow`]); the series name goes through
/// [`text_cell`]. Numbers in full.
///
/// See [`crate::report::table::backtest_table`] for an example.
///
/// # Errors
///
/// An I/O error of kind `Other` if a row cannot be serialised (it can
/// not, for the types it holds).
pub fn backtest_csv(b: &Backtest) -> std::io::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in &b.rows {
        let mut r = r.clone();
        r.series = text_cell(&r.series).into_owned();
        w.serialize(&r).map_err(csv_err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    String::from_utf8(bytes).map_err(std::io::Error::other)
}
