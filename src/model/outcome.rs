//! What one replication reports: the metrics and daily series of the reference model (docs/model.md),
//! under their exact names.

use std::collections::HashMap;
use std::sync::Arc;

use super::replication::Replication;
use super::schema::{self, Metric, MetricDef, Series, SeriesDef};
use crate::error::Error;
use crate::scenario::Scenario;

/// The schema row of the `param.<path>` metrics of `[uncertainty]`
/// (appended after the table's metrics, one per uncertain path).
pub(crate) static PARAM_METRIC: MetricDef = MetricDef {
    key: Metric::Param,
    pattern: "param.<path>",
    meaning: "The value the uncertain parameter `<path>` took in the replication.",
    unit: "the parameter's",
    scope: schema::Scope::Global,
    condition: schema::Condition::Always,
    headline: false,
};

/// The names of the metrics and daily series of a scenario, in a fixed
/// order shared by every outcome and summary of it.
///
/// Derived from the schema ([`schema::METRICS`], [`schema::SERIES`]): each
/// name comes with its row (meaning, unit, scope) and the entity it is
/// about. `docs/model.md` holds the same tables
/// ([`schema::schema_markdown`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    metrics: Vec<String>,
    series: Vec<String>,
    /// Per metric: its row and entity index (group, facility, stage, ...).
    metric_keys: Vec<(&'static MetricDef, u32)>,
    /// Per series: its row and entity index.
    series_keys: Vec<(&'static SeriesDef, u32)>,
    horizon_days: u32,
    metric_index: HashMap<String, usize>,
    series_index: HashMap<String, usize>,
}

impl Layout {
    /// The layout of scenario `s` (which need not be valid: only its
    /// names are read).
    pub(crate) fn new(s: &Scenario) -> Layout {
        let (mut metrics, mut metric_keys): (Vec<String>, Vec<_>) =
            schema::expand(schema::METRICS, s)
                .into_iter()
                .map(|(n, d, e)| (n, (d, e)))
                .unzip();
        if let Some(u) = &s.uncertainty {
            for path in u.paths() {
                metrics.push(format!("param.{path}"));
                metric_keys.push((&PARAM_METRIC, 0));
            }
        }
        let (series, series_keys): (Vec<String>, Vec<_>) = schema::expand(schema::SERIES, s)
            .into_iter()
            .map(|(n, d, e)| (n, (d, e)))
            .unzip();
        let index = |v: &[String]| v.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
        Layout {
            metric_index: index(&metrics),
            series_index: index(&series),
            metrics,
            series,
            metric_keys,
            series_keys,
            horizon_days: s.horizon_days,
        }
    }

    /// Metric names, in order.
    pub fn metrics(&self) -> &[String] {
        &self.metrics
    }

    /// Daily series names, in order.
    pub fn series(&self) -> &[String] {
        &self.series
    }

    /// Days per series (days 1..=horizon).
    pub fn horizon_days(&self) -> u32 {
        self.horizon_days
    }

    /// Position of a metric; `None` if no metric has that name (prefer
    /// [`Layout::find_metric`], whose error lists the valid names).
    pub fn metric_index(&self, name: &str) -> Option<usize> {
        self.metric_index.get(name).copied()
    }

    /// Position of a series; `None` if no series has that name (prefer
    /// [`Layout::find_series`]).
    pub fn series_index(&self, name: &str) -> Option<usize> {
        self.series_index.get(name).copied()
    }

    /// Position of metric `name`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] listing the valid names, closest first.
    pub fn find_metric(&self, name: &str) -> Result<usize, Error> {
        self.metric_index(name)
            .ok_or_else(|| schema::unknown("metric", name, &self.metrics))
    }

    /// Position of daily series `name`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] listing the valid names, closest first.
    pub fn find_series(&self, name: &str) -> Result<usize, Error> {
        self.series_index(name)
            .ok_or_else(|| schema::unknown("series", name, &self.series))
    }

    /// The schema row of the metric at position `i` (its meaning, unit,
    /// scope).
    ///
    /// # Panics
    ///
    /// If `i` is not below `metrics().len()`.
    pub fn metric_def(&self, i: usize) -> &'static MetricDef {
        self.metric_keys[i].0
    }

    /// The schema row of the series at position `i`.
    ///
    /// # Panics
    ///
    /// If `i` is not below `series().len()`.
    pub fn series_def(&self, i: usize) -> &'static SeriesDef {
        self.series_keys[i].0
    }

    /// The position of the metric of kind `key` for entity `entity`
    /// (index of the group, facility, stage or sentence; 0 for a global
    /// metric), if the scenario reports it.
    pub fn position(&self, key: Metric, entity: usize) -> Option<usize> {
        self.metric_keys
            .iter()
            .position(|&(d, e)| d.key == key && e as usize == entity)
    }
}

/// The result of one replication: every metric at the horizon and every
/// daily series.
///
/// # Example
///
/// ```
/// use custody_sim::{presets, simulate};
///
/// let out = simulate(&presets::plan_2026_01(), 1)?;
/// // Each end-of-day record: occupancy of Nasiriyah on day 1.
/// let day1 = out.series("occupancy.Nasiriyah").unwrap()[0];
/// assert!(day1 >= 14_000);
/// // A metric with no value (no verdict yet, say) is `None`.
/// for (name, value) in out.metrics() {
///     if let Some(v) = value { assert!(v.is_finite(), "{name}"); }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    layout: Arc<Layout>,
    values: Vec<Option<f64>>,
    /// Series after series, `horizon_days` values each.
    series: Vec<u32>,
}

impl Outcome {
    /// The names of this outcome's metrics and series.
    pub fn layout(&self) -> &Arc<Layout> {
        &self.layout
    }

    /// The value of metric `name`; `None` if the metric had no value in
    /// this replication (no verdict, say) or no metric has that name
    /// ([`Outcome::try_metric`] tells the two apart).
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.layout.metric_index(name).and_then(|i| self.values[i])
    }

    /// Every metric with its value, in [`Layout`] order.
    pub fn metrics(&self) -> impl Iterator<Item = (&str, Option<f64>)> {
        self.layout
            .metrics
            .iter()
            .map(String::as_str)
            .zip(self.values.iter().copied())
    }

    /// The value of metric `name`; `Ok(None)` if it had no value in this
    /// replication (no verdict, say).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] if no metric has that name, listing the
    /// valid names.
    pub fn try_metric(&self, name: &str) -> Result<Option<f64>, Error> {
        Ok(self.values[self.layout.find_metric(name)?])
    }

    /// The daily series `name` (element 0 is day 1).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] if no series has that name, listing the
    /// valid names.
    pub fn try_series(&self, name: &str) -> Result<&[u32], Error> {
        Ok(self.series_at(self.layout.find_series(name)?))
    }

    /// Metric values in [`Layout`] order.
    pub fn values(&self) -> &[Option<f64>] {
        &self.values
    }

    /// The daily series `name`: the end-of-day record of days 1..=horizon
    /// (element 0 is day 1) \[persons\].
    pub fn series(&self, name: &str) -> Option<&[u32]> {
        self.layout.series_index(name).map(|i| self.series_at(i))
    }

    /// The daily series at position `i` of [`Layout::series`].
    ///
    /// # Panics
    ///
    /// If `i` is not below `layout().series().len()`: the index is meant
    /// to come from the layout. Look a series up by name with
    /// [`Outcome::series`] or [`Outcome::try_series`] for a checked lookup.
    pub fn series_at(&self, i: usize) -> &[u32] {
        let h = self.layout.horizon_days as usize;
        &self.series[i * h..(i + 1) * h]
    }
}

/// Daily records and running peaks of a replication.
#[derive(Debug)]
pub(crate) struct Records {
    peak_occ: Vec<u64>,
    peak_rate: Vec<f64>,
    days_over: Vec<u64>,
    first_over: Vec<Option<u32>>,
    /// Per facility: the first end-of-day record at which the highest
    /// occupancy rate so far was reached (`None` before any record with
    /// beds).
    peak_day: Vec<Option<u32>>,
    /// Per facility: the first end-of-day record after `peak_day` at or
    /// below the day's beds (reset when a new peak is reached).
    back_under: Vec<Option<u32>>,
    peak_queue: Vec<u64>,
    /// Per facility: the last end-of-day occupancy.
    last_occ: Vec<u64>,
    /// Per facility: sum of end-of-day occupancy above capacity.
    excess: Vec<u64>,
    /// Sum of end-of-day occupancy × cost per detainee-day.
    cost: f64,
}

impl Records {
    pub(crate) fn new(facilities: usize, stages: usize) -> Records {
        Records {
            peak_occ: vec![0; facilities],
            peak_rate: vec![0.0; facilities],
            days_over: vec![0; facilities],
            first_over: vec![None; facilities],
            peak_day: vec![None; facilities],
            back_under: vec![None; facilities],
            peak_queue: vec![0; stages],
            last_occ: vec![0; facilities],
            excess: vec![0; facilities],
            cost: 0.0,
        }
    }
}

fn to_u32(x: u64) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

impl Replication<'_> {
    /// The end-of-day record of day `day`, after every event at that time.
    pub(super) fn record(&mut self, day: u32) {
        if self.plan.courts.has_others {
            // The other cases' lanes up to the end of the day, whose
            // record counts their queue.
            self.advance_all_others(f64::from(day));
        }
        // The cheap check first; the full one (with its message) when
        // checking every event, or when the cheap one fails.
        if (self.check || !self.balanced())
            && let Err(e) = self.conservation(f64::from(day), self.check)
        {
            // Counters that disagree are an engine bug, not bad input.
            panic!("custody-sim internal error, please report: {e}");
        }
        self.sync_background(f64::from(day));
        if self
            .plan
            .capacity_rules
            .as_ref()
            .is_some_and(|r| !r.overflow.is_empty())
        {
            // Overflow moves, before the record (rule 18).
            self.overflow(f64::from(day));
            if self.check
                && let Err(e) = self.conservation(f64::from(day), true)
            {
                panic!("custody-sim internal error, please report: after overflow: {e}");
            }
        }
        let h = self.plan.horizon_days as usize;
        let at = day as usize - 1;
        let r = &mut self.rec;
        for f in 0..self.occ.len() {
            let (o, c) = (self.occ[f], self.cap[f]);
            r.peak_occ[f] = r.peak_occ[f].max(o);
            let mut new_peak = false;
            if c > 0 {
                // A facility not yet open has no beds: no rate (rule 19).
                let rate = o as f64 / c as f64;
                if r.peak_day[f].is_none() || rate > r.peak_rate[f] {
                    // A new peak: the way back under starts again from it.
                    new_peak = true;
                    r.peak_day[f] = Some(day);
                    r.back_under[f] = None;
                }
                r.peak_rate[f] = r.peak_rate[f].max(rate);
            }
            if !new_peak && o <= c && r.peak_day[f].is_some() && r.back_under[f].is_none() {
                r.back_under[f] = Some(day);
            }
            r.last_occ[f] = o;
            if o > c {
                r.days_over[f] += 1;
                r.excess[f] += o - c;
                r.first_over[f].get_or_insert(day);
            }
            r.cost += o as f64 * self.plan.cost[f];
        }
        for (s, k) in self.ws.desks.iter().enumerate() {
            r.peak_queue[s] = r.peak_queue[s].max(k.qlen);
        }
        let plan = self.plan;
        for (k, &(def, e)) in plan.layout.series_keys.iter().enumerate() {
            let v = self.series_value(def.key, e as usize);
            self.ws.series[k * h + at] = to_u32(v);
        }
    }

    /// The appeal's desk (v3), after the stages'; read only when the
    /// scenario has an appeal (its metrics and series exist only then).
    fn appeal_desk(&self) -> &super::court::Desk {
        &self.ws.desks[self.plan.courts.stages]
    }

    /// Today's value of a daily series of kind `key` for entity `e`.
    #[inline]
    fn series_value(&self, key: Series, e: usize) -> u64 {
        match key {
            Series::Occupancy => self.occ[e],
            Series::InCustody => {
                self.awaiting + self.convicted_in + self.courts.awaiting_deportation
            }
            Series::InSyria => self.ws.pool.len() as u64,
            Series::TransferredCumulative => self.transferred,
            Series::Queue => self.ws.desks[e].qlen,
            Series::AwaitingVerdict => self.awaiting,
            Series::ConvictedInCustody => self.convicted_in,
            Series::RepatriatedCumulative => self.repatriated,
            Series::QueueOther => self.ws.desks[e].qlen_other,
            Series::AppealQueue => self.ws.desks[self.plan.courts.stages].qlen,
            Series::AwaitingDeportation => self.courts.awaiting_deportation,
        }
    }

    /// The outcome at the horizon: each metric of the layout read from the
    /// finished replication by its schema key, and the daily series (taken
    /// from the workspace).
    pub(super) fn outcome(&mut self) -> Outcome {
        let values = self.values();
        Outcome {
            layout: Arc::clone(&self.plan.layout),
            values,
            series: std::mem::take(&mut self.ws.series),
        }
    }

    /// The metric values at the horizon, in layout order.
    pub(super) fn values(&mut self) -> Vec<Option<f64>> {
        let plan = self.plan;
        let vd = &mut self.ws.verdict_days;
        let verdict_days = if vd.is_empty() {
            None
        } else {
            // `verdict_sum` adds the days in the order of `vd`, from 0.
            Some((self.verdict_sum / vd.len() as f64, median_of_bits(vd)))
        };
        plan.layout
            .metric_keys
            .iter()
            .map(|&(def, e)| self.metric_value(def.key, e as usize, verdict_days))
            .collect()
    }

    /// The value of the metric of kind `key` for entity `e`, at the horizon;
    /// `verdict_days` is the (mean, median) of arrival-to-verdict times.
    fn metric_value(&self, key: Metric, e: usize, verdict_days: Option<(f64, f64)>) -> Option<f64> {
        let after = self.plan.horizon + 1.0;
        let n = |x: u64| Some(x as f64);
        let r = &self.rec;
        match key {
            Metric::Transferred => n(self.transferred),
            Metric::TransferredGroup => n(self.transferred_g[e]),
            Metric::LastArrivalDay => {
                if self.ws.pool.is_empty() && self.in_transit == 0 {
                    self.last_arrival
                } else {
                    Some(after)
                }
            }
            Metric::Escaped => n(self.escaped),
            Metric::RemainingInSyria => n(self.ws.pool.len() as u64),
            Metric::Repatriated => n(self.repatriated),
            Metric::RepatriatedGroup => n(self.repatriated_g[e]),
            Metric::Released => n(self.released),
            Metric::Convicted => n(self.convicted),
            Metric::ConvictedGroup => n(self.convicted_g[e]),
            Metric::AwaitingVerdict => n(self.awaiting),
            Metric::PeakOccupancy => n(r.peak_occ[e]),
            Metric::PeakOccupancyRate => {
                // None for a facility that never opens within the horizon.
                let never_open = self
                    .plan
                    .capacity_rules
                    .as_ref()
                    .and_then(|c| c.opens.get(e))
                    .is_some_and(|&d| d > self.plan.horizon);
                (!never_open).then_some(r.peak_rate[e])
            }
            Metric::DaysOverCapacity => n(r.days_over[e]),
            Metric::FirstDayOverCapacity => Some(r.first_over[e].map_or(after, f64::from)),
            Metric::FirstDayBackUnder => r.first_over[e]
                .is_some()
                .then(|| r.back_under[e].map_or(after, f64::from)),
            Metric::StageCompleted => n(self.ws.desks[e].completed),
            Metric::StageMeanWait => {
                let k = &self.ws.desks[e];
                (k.started > 0).then(|| k.wait_sum / k.started as f64)
            }
            Metric::StagePeakQueue => n(r.peak_queue[e]),
            Metric::MeanDaysToVerdict => verdict_days.map(|v| v.0),
            Metric::MedianDaysToVerdict => verdict_days.map(|v| v.1),
            Metric::StageQueueAtHorizon => n(self.ws.desks[e].qlen),
            Metric::Sentenced => n(self.sentenced[e]),
            Metric::ReleasedAfterSentence => n(self.served),
            Metric::Executed => n(self.executed),
            Metric::DiedInCustody => n(self.died),
            Metric::Relocated => n(self.relocated),
            Metric::OccupancyAtHorizon => n(r.last_occ[e]),
            Metric::ExcessDetaineeDays => n(r.excess[e]),
            Metric::CustodyCost => Some(r.cost),
            Metric::TransferEndedDay => {
                let plan = self.plan;
                let ended = self.ws.pool.is_empty()
                    || plan.target_total.is_some_and(|n| self.boarded as u64 >= n)
                    || plan.until <= plan.horizon;
                if ended {
                    self.last_departure
                } else {
                    Some(after)
                }
            }
            Metric::OverflowedOut => n(self.cap3.overflowed_out.get(e).copied().unwrap_or(0)),
            Metric::Overflowed => n(self.cap3.overflowed),
            Metric::ReleasedByOrder => n(self.cap3.released_by_order),
            Metric::StageOtherCompleted => n(self.ws.desks[e].other.completed),
            Metric::AppealCompleted => n(self.appeal_desk().completed),
            Metric::AppealMeanWait => {
                let k = self.appeal_desk();
                (k.started > 0).then(|| k.wait_sum / k.started as f64)
            }
            Metric::AppealPeakQueue => n(r.peak_queue[self.plan.courts.stages]),
            Metric::AppealQueueAtHorizon => n(self.appeal_desk().qlen),
            Metric::ReleasedOnAppeal => n(self.courts.released_on_appeal),
            Metric::Deported => n(self.courts.deported),
            Metric::DeportedGroup => n(self.courts.deported_g[e]),
            Metric::Param => None,
        }
    }
}

/// Median of a non-empty slice of the bits of non-negative `f64`s (mean
/// of the two middle values for an even count); reorders the slice. The
/// bits of non-negative numbers order as the numbers do, so the selection
/// compares integers.
fn median_of_bits(xs: &mut [u64]) -> f64 {
    let n = xs.len();
    let mid = n / 2;
    let (_, &mut hi, _) = xs.select_nth_unstable(mid);
    let hi = f64::from_bits(hi);
    if n % 2 == 1 {
        hi
    } else {
        let lo = xs[..mid].iter().copied().max().map_or(hi, f64::from_bits);
        0.5 * (lo + hi)
    }
}

#[cfg(test)]
mod tests {
    use super::median_of_bits;

    fn median(xs: &[f64]) -> f64 {
        let mut bits: Vec<u64> = xs.iter().map(|x| x.to_bits()).collect();
        median_of_bits(&mut bits)
    }

    /// The median of the bits is the median of the numbers: odd and even
    /// counts, ties, zeros, values across binades, any order.
    #[test]
    fn median_of_bits_is_the_median_of_the_numbers() {
        assert_eq!(median(&[3.5]), 3.5);
        assert_eq!(median(&[0.0, 0.0]), 0.0);
        assert_eq!(median(&[10.0, 0.25, 3.0]), 3.0);
        assert_eq!(median(&[1000.0, 0.5, 2.0, 0.0]), 1.25);
        assert_eq!(median(&[7.0, 7.0, 1.0, 7.0]), 7.0);
        assert_eq!(median(&[1e-300, 5e-324, 1e300, 2.0, 0.0]), 1e-300);
        // Against a sort, on many values with repeats.
        let xs: Vec<f64> = (0..1001u32)
            .map(|i| f64::from((i * 7919) % 613) * 0.37)
            .collect();
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(median(&xs), sorted[500]);
        assert_eq!(median(&xs[..1000]), {
            let mut s = xs[..1000].to_vec();
            s.sort_by(f64::total_cmp);
            0.5 * (s[499] + s[500])
        });
    }
}
