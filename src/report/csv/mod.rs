//! CSV output, ready for pandas or R: one header row, one record per line,
//! an empty field where a statistic is undefined.
//!
//! A run writes two files into a directory:
//!
//! - `metrics.csv`: `metric,n,mean,sd,ci95_low,ci95_high,min,p5,p50,p95,max`,
//!   one row per metric in layout order;
//! - `series.csv`: `series,day,mean,p5,p50,p95,date`, long format, one row
//!   per series and day (days 1..=horizon); `date` (`YYYY-MM-DD`) is the
//!   date whose end-of-day record the row is, `start_date + day − 1` (see
//!   [`crate::report::dates`]), empty if the start date is not a date.
//!
//! A sweep writes one file: a column per varied path (headed by the path),
//! then `metric`, the statistics of [`METRIC_HEADER`] and the paired
//! difference to the first cell (`diff_n`, `diff_mean`, `diff_sd`,
//! `diff_ci95_low`, `diff_ci95_high`), one row per cell and metric.
//!
//! The results of the decision and calibration commands have their CSV
//! here too, each as text with a header row: [`comparison_csv`],
//! [`sensitivity_csv`], [`morris_csv`], [`regional_csv`] and
//! [`backtest_csv`].
//!
//! Text that comes from the user (names of facilities, groups, stages and
//! series, parameter paths and values, labels) goes through [`text_cell`]
//! in every CSV the crate writes: a cell that begins with `=`, `+`, `-`,
//! `@`, a tab or a carriage return, and is not a number, is prefixed with
//! `'` so that a spreadsheet shows it as text rather than running it as a
//! formula (OWASP's advice on CSV injection). A number, negative or not,
//! stays as it is.
//!
//! Rows are serde types written with `csv::Writer::serialize`. Numbers are written in Rust's shortest round-trip form, so the files,
//! like the JSON, are a pure function of scenario, seed and replications.

mod backtest;
mod compare;
mod morris;
mod regional;
mod sensitivity;

pub use backtest::backtest_csv;
pub use compare::{COMPARISON_HEADER, comparison_csv};
pub use morris::{MORRIS_HEADER, morris_csv};
pub use regional::{REGIONAL_HEADER, regional_csv};
pub use sensitivity::{SENSITIVITY_HEADER, sensitivity_csv};

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};

use crate::error::Error;
use crate::montecarlo::Summary;
use crate::montecarlo::sweep::{PairedDiff, SweepResult};
use crate::report::dates::Day0;
use crate::stats::MetricStats;

/// Header of `metrics.csv`.
pub const METRIC_HEADER: [&str; 11] = [
    "metric",
    "n",
    "mean",
    "sd",
    "ci95_low",
    "ci95_high",
    "min",
    "p5",
    "p50",
    "p95",
    "max",
];

/// Header of `series.csv`.
pub const SERIES_HEADER: [&str; 7] = ["series", "day", "mean", "p5", "p50", "p95", "date"];

/// The paired-difference columns of a sweep's CSV.
pub const DIFF_HEADER: [&str; 5] = [
    "diff_n",
    "diff_mean",
    "diff_sd",
    "diff_ci95_low",
    "diff_ci95_high",
];

/// User text as a CSV cell that a spreadsheet will not run as a formula:
/// `text` prefixed with `'` if it begins with `=`, `+`, `-`, `@`, a tab or
/// a carriage return and is not a finite number; otherwise `text` as it is
/// (`-3.5` stays a number). The CSV writer quotes the cell as needed.
///
/// # Example
///
/// ```
/// use custody_sim::report::csv::text_cell;
///
/// assert_eq!(text_cell("=1+1"), "'=1+1");
/// assert_eq!(text_cell("@SUM(1+1)"), "'@SUM(1+1)");
/// assert_eq!(text_cell("-12.5"), "-12.5");
/// assert_eq!(text_cell("Karkh"), "Karkh");
/// ```
pub fn text_cell(text: &str) -> Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !text.trim().parse::<f64>().is_ok_and(f64::is_finite) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// [`text_cell`], quoted for a CSV line written by hand: in double quotes
/// (inner ones doubled) when it holds a comma, a quote, a line break or
/// begins or ends with a space.
pub fn text_field(text: &str) -> String {
    let cell = text_cell(text);
    if cell.contains([',', '"', '\n', '\r']) || cell.starts_with(' ') || cell.ends_with(' ') {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.into_owned()
    }
}

/// A number as a CSV field: Rust's shortest round-trip form; empty when
/// undefined or not finite.
fn field<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(v) if v.is_finite() => s.serialize_str(&v.to_string()),
        _ => s.serialize_str(""),
    }
}

/// A number that is always there, as a CSV field (see [`field`]).
fn plain<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    field(&Some(*x), s)
}

/// The statistics of one metric as CSV fields (the columns of
/// [`METRIC_HEADER`] after `metric`).
#[derive(Debug, Serialize)]
struct StatsFields {
    n: u64,
    #[serde(serialize_with = "field")]
    mean: Option<f64>,
    #[serde(serialize_with = "field")]
    sd: Option<f64>,
    #[serde(serialize_with = "field")]
    ci95_low: Option<f64>,
    #[serde(serialize_with = "field")]
    ci95_high: Option<f64>,
    #[serde(serialize_with = "field")]
    min: Option<f64>,
    #[serde(serialize_with = "field")]
    p5: Option<f64>,
    #[serde(serialize_with = "field")]
    p50: Option<f64>,
    #[serde(serialize_with = "field")]
    p95: Option<f64>,
    #[serde(serialize_with = "field")]
    max: Option<f64>,
}

impl From<&MetricStats> for StatsFields {
    fn from(m: &MetricStats) -> StatsFields {
        StatsFields {
            n: m.n,
            mean: m.mean,
            sd: m.sd,
            ci95_low: m.ci95_low,
            ci95_high: m.ci95_high,
            min: m.min,
            p5: m.p5,
            p50: m.p50,
            p95: m.p95,
            max: m.max,
        }
    }
}

/// The paired difference as CSV fields ([`DIFF_HEADER`]); all empty when
/// there is none.
#[derive(Debug, Serialize)]
struct DiffFields {
    #[serde(serialize_with = "count")]
    diff_n: Option<u64>,
    #[serde(serialize_with = "field")]
    diff_mean: Option<f64>,
    #[serde(serialize_with = "field")]
    diff_sd: Option<f64>,
    #[serde(serialize_with = "field")]
    diff_ci95_low: Option<f64>,
    #[serde(serialize_with = "field")]
    diff_ci95_high: Option<f64>,
}

fn count<S: Serializer>(x: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(n) => s.serialize_u64(*n),
        None => s.serialize_str(""),
    }
}

impl From<Option<&PairedDiff>> for DiffFields {
    fn from(d: Option<&PairedDiff>) -> DiffFields {
        DiffFields {
            diff_n: d.map(|d| d.n),
            diff_mean: d.and_then(|d| d.mean),
            diff_sd: d.and_then(|d| d.sd),
            diff_ci95_low: d.and_then(|d| d.ci95_low),
            diff_ci95_high: d.and_then(|d| d.ci95_high),
        }
    }
}

/// One row of `series.csv`.
#[derive(Debug, Serialize)]
struct SeriesRow<'a> {
    series: &'a str,
    day: usize,
    #[serde(serialize_with = "plain")]
    mean: f64,
    #[serde(serialize_with = "field")]
    p5: Option<f64>,
    #[serde(serialize_with = "field")]
    p50: Option<f64>,
    #[serde(serialize_with = "field")]
    p95: Option<f64>,
    /// `YYYY-MM-DD`, or empty.
    date: String,
}

fn csv_err(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// A writer of records without a header row (the header is written from
/// the constants, which the tests check against the row types).
fn writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().has_headers(false).from_writer(w)
}

/// Writes the metrics table of `s` (header [`METRIC_HEADER`]) to `w`.
///
/// # Errors
///
/// The writer's I/O error.
pub fn write_metrics<W: Write>(s: &Summary, w: W) -> std::io::Result<()> {
    let mut out = writer(w);
    out.write_record(METRIC_HEADER)?;
    for (name, m) in &s.metrics {
        out.serialize((text_cell(name), StatsFields::from(m)))
            .map_err(csv_err)?;
    }
    out.flush()
}

/// Writes the daily series of `s` in long format (header
/// [`SERIES_HEADER`]) to `w`.
///
/// # Errors
///
/// The writer's I/O error.
pub fn write_series<W: Write>(s: &Summary, w: W) -> std::io::Result<()> {
    let mut out = writer(w);
    out.write_record(SERIES_HEADER)?;
    let day0 = Day0::parse(&s.start_date);
    let dates: Vec<String> = (1..=s
        .series
        .iter()
        .map(|(_, b)| b.mean.len())
        .max()
        .unwrap_or(0))
        .map(|d| {
            day0.and_then(|d0| d0.date(d as f64))
                .map_or_else(String::new, |x| x.to_string())
        })
        .collect();
    for (name, b) in &s.series {
        for (d, &mean) in b.mean.iter().enumerate() {
            let at = |v: &[f64]| v.get(d).copied();
            out.serialize(SeriesRow {
                series: &text_cell(name),
                day: d + 1,
                mean,
                p5: at(&b.p5),
                p50: at(&b.p50),
                p95: at(&b.p95),
                date: dates[d].clone(),
            })
            .map_err(csv_err)?;
        }
    }
    out.flush()
}

/// Writes `metrics.csv` and `series.csv` of `s` into the directory `dir`,
/// creating it if needed, and returns the paths written. Each file is
/// written atomically (see [`crate::report::write_atomic`]).
///
/// # Errors
///
/// [`Error::Io`] naming the directory or file that could not be created or
/// written.
pub fn write_summary_csv(s: &Summary, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let metrics = dir.join("metrics.csv");
    let series = dir.join("series.csv");
    write_file(&metrics, |w| write_metrics(s, w))?;
    write_file(&series, |w| write_series(s, w))?;
    Ok(vec![metrics, series])
}

/// Writes a file atomically through a buffered writer.
fn write_file(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), Error> {
    super::write_atomic(path, |tmp| {
        let io = |source| Error::Io {
            path: tmp.to_path_buf(),
            source,
        };
        let mut w = std::fs::File::create(tmp)
            .map(std::io::BufWriter::new)
            .map_err(io)?;
        write(&mut w).map_err(io)?;
        w.flush().map_err(io)
    })
}

/// Writes a sweep as one table to `w`: a column per varied path, then
/// [`METRIC_HEADER`] and [`DIFF_HEADER`]; one row per cell and metric,
/// cells in grid order.
///
/// # Errors
///
/// The writer's I/O error.
pub fn write_sweep<W: Write>(r: &SweepResult, w: W) -> std::io::Result<()> {
    let mut out = writer(w);
    let header: Vec<Cow<'_, str>> = r
        .paths
        .iter()
        .map(|p| text_cell(p))
        .chain(METRIC_HEADER.map(Cow::Borrowed))
        .chain(DIFF_HEADER.map(Cow::Borrowed))
        .collect();
    out.write_record(header.iter().map(|h| h.as_bytes()))?;
    for cell in &r.cells {
        let values: Vec<Cow<'_, str>> = cell.params.iter().map(|o| text_cell(&o.value)).collect();
        for (name, m) in &cell.summary.metrics {
            out.serialize((
                &values,
                text_cell(name),
                StatsFields::from(m),
                DiffFields::from(cell.diff_of(name)),
            ))
            .map_err(csv_err)?;
        }
    }
    out.flush()
}

/// Writes a sweep's table (see [`write_sweep`]) to the file `path`
/// atomically, or to standard output when `path` is `-`.
///
/// # Errors
///
/// [`Error::Io`] naming the file if it cannot be written.
pub fn write_sweep_csv(r: &SweepResult, path: &Path) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if path == Path::new("-") {
        write_sweep(r, std::io::stdout().lock()).map_err(io)
    } else {
        write_file(path, |w| write_sweep(r, w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The headers are the row types' field names.
    #[test]
    fn headers_match_the_row_types() {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(StatsFields::from(&MetricStats::from_values(&[1.0, 2.0])))
            .unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(
            format!("metric,{}", text.lines().next().unwrap()),
            METRIC_HEADER.join(",")
        );
        assert!(text.lines().nth(1).unwrap().starts_with("2,1.5,"));
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(SeriesRow {
            series: "s",
            day: 1,
            mean: 190.5,
            p5: None,
            p50: Some(f64::NAN),
            p95: Some(14000.0),
            date: "2026-01-21".into(),
        })
        .unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(
            text,
            format!(
                "{}\ns,1,190.5,,,14000,2026-01-21\n",
                SERIES_HEADER.join(",")
            )
        );
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(DiffFields::from(None)).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text, format!("{}\n,,,,\n", DIFF_HEADER.join(",")));
    }
}
