//! CSV output, ready for pandas or R: one header row, one record per line,
//! an empty field where a statistic is undefined.
//!
//! A run writes two files into a directory:
//!
//! - `metrics.csv`: `metric,n,mean,sd,ci95_low,ci95_high,min,p5,p50,p95,max`,
//!   one row per metric in layout order;
//! - `series.csv`: `series,day,mean,p5,p50,p95`, long format, one row per
//!   series and day (days 1..=horizon).
//!
//! A sweep writes one file: a column per varied path (headed by the path),
//! then `metric`, the statistics of [`METRIC_HEADER`] and the paired
//! difference to the first cell (`diff_n`, `diff_mean`, `diff_sd`,
//! `diff_ci95_low`, `diff_ci95_high`), one row per cell and metric.
//!
//! Numbers are written in Rust's shortest round-trip form, so the files,
//! like the JSON, are a pure function of scenario, seed and replications.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::montecarlo::Summary;
use crate::stats::MetricStats;
use crate::sweep::{PairedDiff, SweepResult};

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
pub const SERIES_HEADER: [&str; 6] = ["series", "day", "mean", "p5", "p50", "p95"];

/// The paired-difference columns of a sweep's CSV.
pub const DIFF_HEADER: [&str; 5] = [
    "diff_n",
    "diff_mean",
    "diff_sd",
    "diff_ci95_low",
    "diff_ci95_high",
];

/// A number as a CSV field; empty when undefined or not finite.
fn field(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => v.to_string(),
        _ => String::new(),
    }
}

fn stats_fields(m: &MetricStats) -> [String; 10] {
    [
        m.n.to_string(),
        field(m.mean),
        field(m.sd),
        field(m.ci95_low),
        field(m.ci95_high),
        field(m.min),
        field(m.p5),
        field(m.p50),
        field(m.p95),
        field(m.max),
    ]
}

fn diff_fields(d: &PairedDiff) -> [String; 5] {
    [
        d.n.to_string(),
        field(d.mean),
        field(d.sd),
        field(d.ci95_low),
        field(d.ci95_high),
    ]
}

/// Writes the metrics table of `s` (header [`METRIC_HEADER`]) to `w`.
///
/// # Errors
///
/// The writer's I/O error.
pub fn write_metrics<W: Write>(s: &Summary, w: W) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(METRIC_HEADER)?;
    for (name, m) in &s.metrics {
        out.write_field(name)?;
        out.write_record(stats_fields(m))?;
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
    let mut out = csv::Writer::from_writer(w);
    out.write_record(SERIES_HEADER)?;
    for (name, b) in &s.series {
        for (d, &mean) in b.mean.iter().enumerate() {
            let at = |v: &[f64]| field(v.get(d).copied());
            out.write_record([
                name.clone(),
                (d + 1).to_string(),
                field(Some(mean)),
                at(&b.p5),
                at(&b.p50),
                at(&b.p95),
            ])?;
        }
    }
    out.flush()
}

fn create(path: &Path) -> Result<std::io::BufWriter<std::fs::File>, Error> {
    std::fs::File::create(path)
        .map(std::io::BufWriter::new)
        .map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
}

/// Writes `metrics.csv` and `series.csv` of `s` into the directory `dir`,
/// creating it if needed, and returns the paths written.
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
    write_metrics(s, create(&metrics)?).map_err(|source| Error::Io {
        path: metrics.clone(),
        source,
    })?;
    write_series(s, create(&series)?).map_err(|source| Error::Io {
        path: series.clone(),
        source,
    })?;
    Ok(vec![metrics, series])
}

/// Writes a sweep as one table to `w`: a column per varied path, then
/// [`METRIC_HEADER`] and [`DIFF_HEADER`]; one row per cell and metric,
/// cells in grid order.
///
/// # Errors
///
/// The writer's I/O error.
pub fn write_sweep<W: Write>(r: &SweepResult, w: W) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    let header: Vec<&str> = r
        .paths
        .iter()
        .map(String::as_str)
        .chain(METRIC_HEADER)
        .chain(DIFF_HEADER)
        .collect();
    out.write_record(&header)?;
    for cell in &r.cells {
        for (name, m) in &cell.summary.metrics {
            for (_, value) in &cell.params {
                out.write_field(value)?;
            }
            out.write_field(name)?;
            for f in stats_fields(m) {
                out.write_field(f)?;
            }
            let diff = cell.diff_of(name);
            match diff {
                Some(d) => out.write_record(diff_fields(d))?,
                None => out.write_record(["", "", "", "", ""])?,
            }
        }
    }
    out.flush()
}

/// Writes a sweep's table (see [`write_sweep`]) to the file `path`, or to
/// standard output when `path` is `-`.
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
        write_sweep(r, create(path)?).map_err(io)
    }
}
