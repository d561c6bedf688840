//! How well a scenario's bands cover what was observed.
//!
//! Each replication runs only to the last observed day and keeps only the
//! observed cells; per row the replications' values make the forecast
//! sample the observed value is scored against.
//!
//! A bound row (`kind` `at_least` or `at_most`, see
//! [`ObservationKind`]) is not a value a band can cover: it is reported
//! by the share of replications that meet it, and is consistent with the
//! model when that share is at least [`BOUND_CONSISTENT_SHARE`] (0.05).
//!
//! A value row is **pinned** when every replication gives exactly the
//! observed value: the scenario fixes it by construction (a first convoy
//! of the reported size, a transfer that stops at the reported total), so
//! the row carries no evidence about the model. It is marked (`pinned`)
//! and, like a bound, left out of the coverage, interval score and CRPS.
//! (The observations format has no column to say so: the rows are
//! detected from the run.) Coverage, interval score and CRPS are over the
//! value rows that are not pinned.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{CalibrateError, ObservationKind, Observations, Sim, crps, interval_score, pit};
use crate::error::Error;
use crate::model::Workspace;
use crate::scenario::Scenario;
use crate::stats::{SeriesAcc, SeriesBands};

/// Miss rate of the p5-p95 band: the α of the interval score.
pub const ALPHA: f64 = 0.1;

/// The share of replications that must meet a bound row for the bound to
/// be consistent with the model: 0.05.
pub const BOUND_CONSISTENT_SHARE: f64 = 0.05;

/// One observation scored against the model's replications.
///
/// Serialises with exactly these field names (the CLI's `--json` rows); a
/// bound row adds `kind`, `share_meeting` and `consistent`, which a value
/// row leaves out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestRow {
    /// Date of the observation, `YYYY-MM-DD`.
    pub date: String,
    /// Daily series name.
    pub series: String,
    /// Observed value, or the bound \[unit of the series\].
    pub value: f64,
    /// 5% quantile of the replications that day \[unit of the series\].
    pub p5: f64,
    /// Median of the replications \[unit of the series\].
    pub p50: f64,
    /// 95% quantile of the replications \[unit of the series\].
    pub p95: f64,
    /// Whether `p5 <= value <= p95`; always `false` for a bound row (a
    /// bound is not covered by a band: see `consistent`).
    pub inside: bool,
    /// Probability integral transform: the value's mid-rank among the
    /// replications, in \[0, 1\] (see [`pit`]); for a bound row, the
    /// bound's.
    pub pit: f64,
    /// Interval score of `[p5, p95]`, α = 0.1 (see [`interval_score`])
    /// \[unit of the series\]; NaN for a bound row (not scored; `null` in
    /// JSON).
    pub interval_score: f64,
    /// Whether the row is a value or a bound (left out of the JSON for a
    /// value).
    #[serde(default, skip_serializing_if = "ObservationKind::is_value")]
    pub kind: ObservationKind,
    /// For a bound row, the share of replications that meet the bound
    /// (`>=` it for `at_least`, `<=` it for `at_most`), in \[0, 1\];
    /// `None` for a value row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_meeting: Option<f64>,
    /// For a bound row, whether `share_meeting` is at least
    /// [`BOUND_CONSISTENT_SHARE`]; `None` for a value row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistent: Option<bool>,
    /// The row's CRPS (see [`crps`]) \[unit of the series\]; NaN for a
    /// bound row. Not serialised: the backtest's `crps` is their mean
    /// over the value rows.
    #[serde(skip)]
    pub crps: f64,
    /// Whether the row is pinned by the scenario: a value row that every
    /// replication matches exactly (see the module docs); left out of the
    /// coverage and scores. In the JSON only when true.
    #[serde(default, skip_serializing_if = "is_false")]
    pub pinned: bool,
}

/// Whether `b` is false (serde's `skip_serializing_if`).
fn is_false(b: &bool) -> bool {
    !*b
}

/// A backtest: every row scored, and the totals.
///
/// The totals are over the value rows that are not pinned; with none
/// (only bounds, or pinned rows) they are NaN (`null` in JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backtest {
    /// One row per observation, in file order.
    pub rows: Vec<BacktestRow>,
    /// Share of the scored value rows (not pinned) inside \[p5, p95\];
    /// nominal 0.9.
    pub coverage: f64,
    /// Mean interval score over the value rows \[unit of the series\].
    pub mean_interval_score: f64,
    /// Mean CRPS over the value rows (see [`crps`]: the empirical
    /// distribution's CRPS, energy form, exact) \[unit of the series\].
    pub crps: f64,
    /// Bound rows that are consistent (`consistent`), if there are bound
    /// rows; left out of the JSON otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds_consistent: Option<usize>,
    /// Bound rows, if there are any; left out of the JSON otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds: Option<usize>,
    /// Value rows pinned by the scenario (left out of the totals), if
    /// there are any; left out of the JSON otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<usize>,
}

impl Backtest {
    /// Scores each observation against its column of `samples` (one row
    /// per replication, in index order).
    pub(crate) fn score(observations: &Observations, samples: &[Vec<f64>]) -> Backtest {
        let rows: Vec<BacktestRow> = observations
            .rows()
            .iter()
            .enumerate()
            .map(|(r, o)| {
                let mut x: Vec<f64> = samples.iter().map(|s| s[r]).collect();
                x.sort_by(f64::total_cmp);
                score_row(o, &x)
            })
            .collect();
        Backtest::from_rows(rows)
    }

    /// A backtest of already scored rows: the totals over the value rows,
    /// and the count of consistent bounds. What a hindcast pools over its
    /// origins.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::calibrate::{backtest, Backtest, Observations};
    /// use custody_sim::presets;
    ///
    /// let s = presets::plan_2026_01();
    /// let obs = Observations::from_csv_str(
    ///     "date,series,value,kind\n9,transferred_cumulative,500,\n11,transferred_cumulative,100,at_least\n",
    ///     "reported", &s)?;
    /// let b = backtest(&s, &obs, 40, 1, 0)?;
    /// let again = Backtest::from_rows(b.rows.clone());
    /// assert_eq!((again.coverage, again.crps), (b.coverage, b.crps));
    /// assert_eq!((b.bounds, b.bounds_consistent), (Some(1), Some(1)));
    /// assert!(b.rows[1].interval_score.is_nan()); // a bound is not scored
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_rows(rows: Vec<BacktestRow>) -> Backtest {
        let values: Vec<&BacktestRow> = rows
            .iter()
            .filter(|r| r.kind.is_value() && !r.pinned)
            .collect();
        let pinned = rows.iter().filter(|r| r.pinned).count();
        let n = values.len() as f64;
        let (coverage, mean_interval_score, crps) = if values.is_empty() {
            (f64::NAN, f64::NAN, f64::NAN)
        } else {
            (
                values.iter().filter(|r| r.inside).count() as f64 / n,
                values.iter().map(|r| r.interval_score).sum::<f64>() / n,
                values.iter().map(|r| r.crps).sum::<f64>() / n,
            )
        };
        let bounds = rows.iter().filter(|r| !r.kind.is_value()).count();
        let consistent = rows.iter().filter(|r| r.consistent == Some(true)).count();
        Backtest {
            coverage,
            mean_interval_score,
            crps,
            bounds_consistent: (bounds > 0).then_some(consistent),
            bounds: (bounds > 0).then_some(bounds),
            pinned: (pinned > 0).then_some(pinned),
            rows,
        }
    }
}

/// Runs `replications` of `scenario` (replication `i` on stream
/// `(seed, i)`) up to the last observed day and scores each observation
/// against them.
///
/// p5, p50 and p95 are type-7 quantiles (linear interpolation between order
/// statistics, [`crate::stats::quantile`]), the definition of a run's
/// daily bands, so a row's band equals the run's on its day. Replications run on `threads`
/// threads (0: rayon's default) and are collected in index order, so the
/// result is bit-identical whatever the thread count.
///
/// # Errors
///
/// [`Error::Scenario`] if the scenario is invalid; [`Error::Calibrate`] of
/// kind [`CalibrateError::Settings`] for fewer than 2 replications or an
/// observation naming a series the scenario lacks; [`Error::Threads`] if
/// the thread pool cannot be built.
///
/// # Example
///
/// ```
/// use custody_sim::{calibrate::{backtest, Observations}, presets};
///
/// let s = presets::plan_2026_01();
/// let obs = Observations::from_csv_str(
///     "date,series,value\n9,transferred_cumulative,500\n11,transferred_cumulative,450\n",
///     "reported",
///     &s,
/// )?;
/// let b = backtest(&s, &obs, 40, 1, 0)?;
/// assert_eq!(b.rows.len(), 2);
/// assert!(b.rows[0].p5 <= b.rows[0].p50 && b.rows[0].p50 <= b.rows[0].p95);
/// assert!((0.0..=1.0).contains(&b.coverage));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn backtest(
    scenario: &Scenario,
    observations: &Observations,
    replications: u64,
    seed: u64,
    threads: usize,
) -> Result<Backtest, Error> {
    check_replications(replications)?;
    let sim = Sim::new(scenario, observations)?;
    let samples: Vec<Vec<f64>> = crate::montecarlo::in_pool(threads, || {
        (0..replications)
            .into_par_iter()
            .map_init(Workspace::default, |ws, i| {
                let mut out = Vec::new();
                sim.observe(ws, seed, i, &mut out).map(|()| out)
            })
            .collect::<Result<Vec<_>, Error>>()
    })??;
    Ok(Backtest::score(observations, &samples))
}

/// The daily fan of one observed series: its 5%, 50% and 95% quantiles
/// (and mean) across the replications of a backtest, from the record at
/// the end of day 0 to the last observed record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesFan {
    /// Daily series name.
    pub series: String,
    /// The bands, day 1 first \[unit of the series\].
    pub bands: SeriesBands,
}

/// A [`Backtest`] with the daily fans of the series it observed, from the
/// same replications: what a chart of the observations over their bands
/// needs ([`crate::report::plots::write_backtest_plots`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestFans {
    /// The scored rows and totals, equal to what [`backtest`] returns for
    /// the same arguments.
    pub backtest: Backtest,
    /// One fan per observed series, in order of first appearance in the
    /// observations; each covers the series' records 1 to the last
    /// observed one, of any series (an observation dated D reads record
    /// D − `start_date` + 1, index D − `start_date` here).
    pub fans: Vec<SeriesFan>,
    /// Replications the fans and rows are computed from.
    pub replications: u64,
}

impl BacktestFans {
    /// The fan of `series`, if it was observed.
    pub fn fan(&self, series: &str) -> Option<&SeriesBands> {
        self.fans
            .iter()
            .find(|f| f.series == series)
            .map(|f| &f.bands)
    }
}

/// [`backtest`], and the daily fan of every observed series from the same
/// replications.
///
/// The rows and totals are bit-identical to [`backtest`]'s. The fans are
/// the daily quantiles a run reports and charts (the accumulator of
/// [`Summary::series`](crate::montecarlo::Summary::series)), exact type-7
/// quantiles like a row's: on an observed day a fan's p5, p50 and p95
/// equal the row's, and a run's of the same scenario, seed and
/// replications, bit for bit. Only past
/// [`MAX_EXACT_VALUES`](crate::stats::MAX_EXACT_VALUES) distinct values on
/// a day does a fan fall back to an approximation, which its
/// [`SeriesBands::approximate`] states (the rows stay exact).
///
/// Like [`backtest`], each replication draws the scenario's
/// `[uncertainty]` (if any) as a run does.
///
/// # Errors
///
/// As [`backtest`].
///
/// # Example
///
/// ```
/// use custody_sim::{calibrate::{backtest, backtest_fans, Observations}, presets};
///
/// let s = presets::plan_2026_01();
/// let obs = Observations::from_csv_str(
///     "date,series,value\n9,transferred_cumulative,500\n11,transferred_cumulative,450\n",
///     "reported",
///     &s,
/// )?;
/// let b = backtest_fans(&s, &obs, 40, 1, 0)?;
/// assert_eq!(b.backtest, backtest(&s, &obs, 40, 1, 0)?);
/// let fan = b.fan("transferred_cumulative").unwrap();
/// // Records 1 to 12: day 11 is the end-of-day record 12 (day 0's is record 1).
/// assert_eq!(fan.p50.len(), 12);
/// assert!(fan.p5[9] <= fan.p50[9] && fan.p50[9] <= fan.p95[9]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn backtest_fans(
    scenario: &Scenario,
    observations: &Observations,
    replications: u64,
    seed: u64,
    threads: usize,
) -> Result<BacktestFans, Error> {
    check_replications(replications)?;
    let sim = Sim::new(scenario, observations)?;
    let mut names: Vec<&str> = Vec::new();
    for o in observations.rows() {
        if !names.contains(&o.series.as_str()) {
            names.push(&o.series);
        }
    }
    let layout = sim.plan.layout();
    let ix: Vec<usize> = names
        .iter()
        .map(|n| {
            layout.series_index(n).ok_or_else(|| {
                CalibrateError::Settings(format!("series {n:?} is not a series of the scenario"))
            })
        })
        .collect::<Result<_, _>>()?;
    let days = layout.horizon_days() as usize;
    let empty = || SeriesAcc::new(ix.len(), days);
    type Part = (Vec<(u64, Vec<f64>)>, SeriesAcc);
    let (mut samples, acc): Part = crate::montecarlo::in_pool(threads, || {
        (0..replications)
            .into_par_iter()
            .try_fold(
                || (Workspace::default(), Vec::new(), empty(), Vec::new()),
                |(mut ws, mut rows, mut acc, mut flat), i| {
                    let outcome = sim.outcome(&mut ws, seed, i)?;
                    let cells = sim
                        .cells
                        .iter()
                        .map(|&(s, d)| f64::from(outcome.series_at(s)[d]))
                        .collect();
                    flat.clear();
                    for &s in &ix {
                        flat.extend_from_slice(&outcome.series_at(s)[..days]);
                    }
                    acc.add(&flat);
                    rows.push((i, cells));
                    Ok::<_, Error>((ws, rows, acc, flat))
                },
            )
            .map(|r| r.map(|(_, rows, acc, _)| (rows, acc)))
            .try_reduce(
                || (Vec::new(), empty()),
                |(mut a, mut x), (b, y)| {
                    a.extend(b);
                    x.merge(&y);
                    Ok((a, x))
                },
            )
    })??;
    samples.sort_by_key(|(i, _)| *i);
    let samples: Vec<Vec<f64>> = samples.into_iter().map(|(_, v)| v).collect();
    Ok(BacktestFans {
        backtest: Backtest::score(observations, &samples),
        fans: names
            .iter()
            .enumerate()
            .map(|(k, n)| SeriesFan {
                series: (*n).to_string(),
                bands: acc.bands(k),
            })
            .collect(),
        replications,
    })
}

fn check_replications(replications: u64) -> Result<(), Error> {
    if replications < 2 {
        return Err(CalibrateError::Settings(format!(
            "a backtest needs at least 2 replications, got {replications}"
        ))
        .into());
    }
    Ok(())
}

/// Scores one observation against the sorted replications `x`.
fn score_row(o: &super::Observation, x: &[f64]) -> BacktestRow {
    let q = |p| crate::stats::quantile(x, p);
    let (p5, p50, p95) = (q(0.05), q(0.5), q(0.95));
    let mut row = BacktestRow {
        date: o.date.clone(),
        series: o.series.clone(),
        value: o.value,
        p5,
        p50,
        p95,
        inside: false,
        pit: pit(x, o.value),
        interval_score: f64::NAN,
        kind: o.kind,
        share_meeting: None,
        consistent: None,
        crps: f64::NAN,
        pinned: false,
    };
    if o.kind.is_value() {
        row.pinned = x.iter().all(|&v| v == o.value);
        row.inside = p5 <= o.value && o.value <= p95;
        row.interval_score = interval_score(p5, p95, o.value, ALPHA);
        row.crps = crps(x, o.value);
    } else {
        let share = x.iter().filter(|&&v| o.kind.meets(v, o.value)).count() as f64 / x.len() as f64;
        row.share_meeting = Some(share);
        row.consistent = Some(share >= BOUND_CONSISTENT_SHARE);
    }
    row
}
