//! Out-of-sample tests of a scenario, as a forecaster is tested: fit at
//! an origin using only the reports up to it, score the reports after it.
//!
//! For each origin O, the rows dated on or before O are the fit rows and
//! the rows dated after O the scored rows. With priors, the priors are
//! fitted to the fit rows ([`abc()`]) and the scored rows are backtested
//! against the posterior predictive scenario
//! ([`Posterior::predictive_scenario`](crate::calibrate::Posterior::predictive_scenario));
//! with none, nothing is fitted and the scored rows are backtested against
//! the scenario as it is. Each scored row carries its horizon, the days
//! from O to its date.
//!
//! A value row **pinned by the scenario** (every replication of the
//! scenario as given, before any fit, equals the report: it fixes the
//! value by construction, as a first convoy of the reported size or a
//! transfer that stops at the reported total) is marked `pinned` at every
//! origin, and so is a row that every replication of an origin's forecast
//! equals (as [`backtest()`] marks it). A pinned row is listed with its
//! figures but left out of the coverage, interval score, CRPS and the
//! error of the median, per origin and overall: a fitted pace that leaves
//! a few replications short of the reported total does not make the row
//! evidence. With priors this takes one more run of the scenario as given
//! (`replications`, over every observed row); without, the forecast is the
//! scenario and its own marks are used.
//!
//! An origin with no row after it has nothing to score, and an origin
//! with priors but no row up to it nothing to fit to: both are errors,
//! naming the origin and the observed dates, checked before any work. An
//! origin before every row without priors is allowed: its scored rows are
//! the backtest of every row.

use serde::{Deserialize, Serialize};

use super::observations::{day_number, iso_date};
use super::{
    Abc, Backtest, BacktestFans, CalibrateError, Observations, ParamSummary, Prior, abc, backtest,
    backtest_fans,
};
use crate::error::Error;
use crate::scenario::Scenario;

/// The error of the posterior predictive median at one horizon, over the
/// value rows scored at it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HorizonError {
    /// Days after the origin \[days\].
    pub horizon: i64,
    /// Value rows scored at this horizon (pinned rows left out).
    pub rows: usize,
    /// Mean of p50 − observed (the bias of the median) \[unit of the
    /// series\].
    pub mean_error: f64,
    /// Mean of |p50 − observed| \[unit of the series\].
    pub mean_absolute_error: f64,
}

/// One origin of a hindcast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HindcastOrigin {
    /// The origin's date, `YYYY-MM-DD`.
    pub origin: String,
    /// Rows dated on or before the origin (the fit rows).
    pub fitted_rows: usize,
    /// The posterior of the priors fitted to those rows; `None` without
    /// priors (nothing fitted).
    pub posterior: Option<Vec<ParamSummary>>,
    /// Why the fit stopped; `None` without priors.
    pub stopped: Option<String>,
    /// The rows dated after the origin, scored as a backtest scores them
    /// (per row p5/p50/p95, inside, PIT, interval score; bounds by their
    /// share met), and their totals.
    pub scored: Backtest,
    /// Per scored row, in order: days from the origin to its date.
    pub horizons: Vec<i64>,
    /// The error of the median by horizon, over the scored value rows
    /// that are not pinned.
    pub by_horizon: Vec<HorizonError>,
}

/// A hindcast: every origin, and the totals over all their scored rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hindcast {
    /// One entry per origin, in the order given.
    pub origins: Vec<HindcastOrigin>,
    /// Share of all scored value rows (not pinned) inside their \[p5,
    /// p95\]: the rows inside, summed over the origins, over the rows
    /// scored, summed over the origins; nominal 0.9 (NaN, `null` in JSON,
    /// with no such row).
    pub coverage: f64,
    /// Mean interval score over all scored value rows (not pinned)
    /// \[unit of the series\].
    pub mean_interval_score: f64,
    /// Mean CRPS over all scored value rows (not pinned) \[unit of the
    /// series\].
    pub crps: f64,
    /// Scored bound rows that are consistent, if any were scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds_consistent: Option<usize>,
    /// Scored bound rows, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds: Option<usize>,
    /// Scored value rows pinned by the scenario (listed per origin, left
    /// out of every total), if any; left out of the JSON otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<usize>,
    /// The error of the median by horizon, over every origin's scored
    /// value rows that are not pinned.
    pub by_horizon: Vec<HorizonError>,
}

/// A [`Hindcast`] with, per origin, the daily fans of the forecast it
/// scored: what a chart of the fit rows, the scored rows and the
/// predictive band needs
/// ([`crate::report::plots::write_hindcast_plots`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HindcastFans {
    /// The hindcast, equal to what [`hindcast()`] returns for the same
    /// arguments.
    pub hindcast: Hindcast,
    /// One per origin, in order: every observed row (the fit rows and the
    /// scored ones) against that origin's posterior predictive (or the
    /// scenario as it is, without priors), with the daily fan of each
    /// observed series, from the replications that scored the origin. Its
    /// rows dated after the origin are the origin's scored rows, bit for
    /// bit.
    pub fans: Vec<BacktestFans>,
}

/// The error of the median by horizon over `rows` (value rows that are
/// not pinned only).
fn by_horizon(rows: &[(i64, &super::BacktestRow)]) -> Vec<HorizonError> {
    let scored = |r: &super::BacktestRow| r.kind.is_value() && !r.pinned;
    let mut horizons: Vec<i64> = rows
        .iter()
        .filter(|(_, r)| scored(r))
        .map(|(h, _)| *h)
        .collect();
    horizons.sort_unstable();
    horizons.dedup();
    horizons
        .into_iter()
        .map(|h| {
            let errors: Vec<f64> = rows
                .iter()
                .filter(|(k, r)| *k == h && scored(r))
                .map(|(_, r)| r.p50 - r.value)
                .collect();
            let n = errors.len() as f64;
            HorizonError {
                horizon: h,
                rows: errors.len(),
                mean_error: errors.iter().sum::<f64>() / n,
                mean_absolute_error: errors.iter().map(|e| e.abs()).sum::<f64>() / n,
            }
        })
        .collect()
}

/// The series day of the record at the end of `origin` (a `YYYY-MM-DD`
/// date or a day number, as an observation's date): rows with `day` at
/// most this are dated on or before it.
fn origin_day(origin: &str, scenario: &Scenario) -> Result<(i64, String), Error> {
    let bad = |m: String| Error::from(CalibrateError::Settings(m));
    let start = day_number(&scenario.start_date.to_string()).ok_or_else(|| {
        bad(format!(
            "the scenario's start_date {:?} is not a YYYY-MM-DD date",
            scenario.start_date
        ))
    })?;
    let text = origin.trim();
    let day0 = if let Some(d) = day_number(text) {
        d - start
    } else if let Ok(d) = text.parse::<i64>() {
        d
    } else {
        return Err(bad(format!(
            "origin {origin:?} is neither a YYYY-MM-DD date nor a day number"
        )));
    };
    if day0.unsigned_abs() > 1_000_000 {
        return Err(bad(format!(
            "origin {origin:?} is too far from the start date"
        )));
    }
    Ok((day0 + 1, iso_date(start + day0)))
}

/// Tests `scenario` out of sample at each origin (see the [module
/// docs](self)): fits `priors` (if any) by ABC-PMC with `settings` to the
/// rows dated on or before the origin, then backtests the rows dated after
/// it with `replications` replications of the posterior predictive (or of
/// `scenario` itself without priors), seed and threads from `settings`.
/// Each origin's scored rows equal those of [`backtest()`] of the same
/// rows, of the scenario it scores, but for the `pinned` mark of a row
/// the scenario as given pins (see the [module docs](self)); the
/// overall totals pool every origin's rows, so the overall coverage is
/// the origins' rows inside over their rows scored, summed.
///
/// # Errors
///
/// [`Error::Calibrate`] of kind [`CalibrateError::Settings`] for no
/// origin, an origin that is not a date or day number, an origin with no
/// row after it, or with priors and no row up to it (all checked before
/// any work); otherwise as [`abc()`] and [`backtest()`].
///
/// # Example
///
/// ```
/// use custody_sim::calibrate::{backtest, hindcast, Abc, Observations};
/// use custody_sim::presets;
///
/// let s = presets::plan_2026_01(); // start_date 2026-01-21
/// let obs = Observations::from_csv_str(
///     "date,series,value\n2026-01-30,transferred_cumulative,500\n2026-02-07,transferred_cumulative,2225\n",
///     "reported",
///     &s,
/// )?;
/// let settings = Abc { seed: 2, ..Abc::default() };
/// let h = hindcast(&s, &obs, &["2026-02-01"], &[], &settings, 40)?;
/// let o = &h.origins[0];
/// assert_eq!((o.fitted_rows, o.scored.rows.len()), (1, 1));
/// assert_eq!(o.horizons, [6]); // 7 Feb is 6 days after 1 Feb
/// // Without priors nothing is fitted: the scored row is the backtest's.
/// let later = obs.filtered(|r| r.date.as_str() > "2026-02-01").unwrap();
/// assert_eq!(o.scored, backtest(&s, &later, 40, 2, 0)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn hindcast(
    scenario: &Scenario,
    observations: &Observations,
    origins: &[&str],
    priors: &[Prior],
    settings: &Abc,
    replications: u64,
) -> Result<Hindcast, Error> {
    hindcast_with(
        scenario,
        observations,
        origins,
        priors,
        settings,
        replications,
        false,
    )
    .map(|h| h.hindcast)
}

/// [`hindcast()`], and per origin the daily fans of the forecast it
/// scored, from the same replications (see [`HindcastFans`]).
///
/// The hindcast is bit-identical to [`hindcast()`]'s: each origin's
/// forecast is run once, over every observed row, and a row's figures
/// depend only on its own column of the replications, which run to the
/// last observed day either way (an origin has a row after it).
///
/// # Errors
///
/// As [`hindcast()`], and as [`backtest_fans`].
///
/// # Example
///
/// ```
/// use custody_sim::calibrate::{hindcast, hindcast_fans, Abc, Observations};
/// use custody_sim::presets;
///
/// let s = presets::plan_2026_01();
/// let obs = Observations::from_csv_str(
///     "date,series,value\n2026-01-30,transferred_cumulative,500\n2026-02-07,transferred_cumulative,2225\n",
///     "reported",
///     &s,
/// )?;
/// let settings = Abc { seed: 2, ..Abc::default() };
/// let h = hindcast_fans(&s, &obs, &["2026-02-01"], &[], &settings, 40)?;
/// assert_eq!(h.hindcast, hindcast(&s, &obs, &["2026-02-01"], &[], &settings, 40)?);
/// // The fan covers every row, the fit row (30 Jan) included.
/// assert_eq!(h.fans[0].backtest.rows.len(), 2);
/// assert_eq!(h.fans[0].backtest.rows[1], h.hindcast.origins[0].scored.rows[0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn hindcast_fans(
    scenario: &Scenario,
    observations: &Observations,
    origins: &[&str],
    priors: &[Prior],
    settings: &Abc,
    replications: u64,
) -> Result<HindcastFans, Error> {
    hindcast_with(
        scenario,
        observations,
        origins,
        priors,
        settings,
        replications,
        true,
    )
}

/// The hindcast, with the fans of each origin's forecast when `fans`.
fn hindcast_with(
    scenario: &Scenario,
    observations: &Observations,
    origins: &[&str],
    priors: &[Prior],
    settings: &Abc,
    replications: u64,
    fans: bool,
) -> Result<HindcastFans, Error> {
    let bad = |m: String| Error::from(CalibrateError::Settings(m));
    if origins.is_empty() {
        return Err(bad("a hindcast needs at least one origin".into()));
    }
    let rows = observations.rows();
    let first = rows.iter().map(|o| o.date.as_str()).min().unwrap_or("");
    let last = rows.iter().map(|o| o.date.as_str()).max().unwrap_or("");
    let mut plan = Vec::with_capacity(origins.len());
    for &text in origins {
        let (day, date) = origin_day(text, scenario)?;
        let fit = observations.filtered(|o| i64::from(o.day) <= day);
        let scored = observations.filtered(|o| i64::from(o.day) > day).ok_or_else(|| {
            bad(format!(
                "origin {text:?} ({date}): no observation is dated after it (the last is dated {last}), so nothing is left to score"
            ))
        })?;
        if !priors.is_empty() && fit.is_none() {
            return Err(bad(format!(
                "origin {text:?} ({date}): no observation is dated on or before it (the first is dated {first}), so there is nothing to fit the priors to"
            )));
        }
        plan.push((day, date, fit, scored));
    }
    // The rows the scenario as given pins, by index in `observations`:
    // with priors one run of it; without, each forecast is the scenario
    // and marks its own.
    let pinned_by_scenario: Vec<bool> = if priors.is_empty() {
        vec![false; rows.len()]
    } else {
        backtest(
            scenario,
            observations,
            replications,
            settings.seed,
            settings.threads,
        )?
        .rows
        .iter()
        .map(|r| r.pinned)
        .collect()
    };
    let mark = |rows: Vec<super::BacktestRow>, pinned: &mut dyn Iterator<Item = bool>| {
        Backtest::from_rows(
            rows.into_iter()
                .zip(pinned)
                .map(|(mut r, p)| {
                    r.pinned |= p;
                    r
                })
                .collect(),
        )
    };
    let mut out = Vec::with_capacity(plan.len());
    let mut all_fans = Vec::new();
    for (day, date, fit, scored) in plan {
        let fitted_rows = fit.as_ref().map_or(0, |f| f.rows().len());
        let (posterior, stopped, forecast) = match fit.filter(|_| !priors.is_empty()) {
            Some(fit) => {
                let post = abc(scenario, &fit, priors, settings, None)?;
                let predictive = post.predictive_scenario(scenario, None)?;
                (Some(post.summary()), Some(post.stopped.clone()), predictive)
            }
            None => (None, None, scenario.clone()),
        };
        let b = if fans {
            // Every row, so the chart has the fit rows over the same fan;
            // the scored rows are those after the origin, in order.
            let mut f = backtest_fans(
                &forecast,
                observations,
                replications,
                settings.seed,
                settings.threads,
            )?;
            f.backtest = mark(
                std::mem::take(&mut f.backtest.rows),
                &mut pinned_by_scenario.iter().copied(),
            );
            let later: Vec<super::BacktestRow> = observations
                .rows()
                .iter()
                .zip(&f.backtest.rows)
                .filter(|(o, _)| i64::from(o.day) > day)
                .map(|(_, r)| r.clone())
                .collect();
            all_fans.push(f);
            Backtest::from_rows(later)
        } else {
            let b = backtest(
                &forecast,
                &scored,
                replications,
                settings.seed,
                settings.threads,
            )?;
            let mut later = observations
                .rows()
                .iter()
                .zip(&pinned_by_scenario)
                .filter(|(o, _)| i64::from(o.day) > day)
                .map(|(_, p)| *p);
            mark(b.rows, &mut later)
        };
        let horizons: Vec<i64> = scored
            .rows()
            .iter()
            .map(|o| i64::from(o.day) - day)
            .collect();
        let paired: Vec<(i64, &super::BacktestRow)> =
            horizons.iter().copied().zip(&b.rows).collect();
        let by = by_horizon(&paired);
        out.push(HindcastOrigin {
            origin: date,
            fitted_rows,
            posterior,
            stopped,
            horizons,
            by_horizon: by,
            scored: b,
        });
    }
    let paired: Vec<(i64, &super::BacktestRow)> = out
        .iter()
        .flat_map(|o| o.horizons.iter().copied().zip(&o.scored.rows))
        .collect();
    let pooled = Backtest::from_rows(paired.iter().map(|(_, r)| (*r).clone()).collect());
    let hindcast = Hindcast {
        by_horizon: by_horizon(&paired),
        coverage: pooled.coverage,
        mean_interval_score: pooled.mean_interval_score,
        crps: pooled.crps,
        bounds_consistent: pooled.bounds_consistent,
        bounds: pooled.bounds,
        pinned: pooled.pinned,
        origins: out,
    };
    Ok(HindcastFans {
        hindcast,
        fans: all_fans,
    })
}
