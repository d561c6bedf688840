//! What one replication reports: the metrics and daily series of MODEL.md,
//! under their exact names.

use std::collections::HashMap;
use std::sync::Arc;

use super::Replication;
use crate::scenario::Scenario;

/// The names of the metrics and daily series of a scenario, in a fixed
/// order shared by every outcome and summary of it.
///
/// `<group>`, `<facility>` and `<stage>` are names from the scenario.
/// Metrics are taken at the horizon unless said; counts are persons.
///
/// | metric | meaning |
/// | --- | --- |
/// | `transferred`, `transferred.<group>` | arrived in Iraq |
/// | `last_arrival_day` | time of the last arrival \[days\] if at the horizon the pool is empty and nobody is in transit; otherwise horizon + 1 (a sentinel that enters the mean: read p5-p95 too). No value if nobody ever arrived (all escaped) |
/// | `escaped` | escaped from the Syrian pool |
/// | `remaining_in_syria` | still in the pool (transit not included) |
/// | `repatriated`, `repatriated.<group>` | repatriated before a verdict |
/// | `released` | released after a verdict |
/// | `convicted`, `convicted.<group>` | convicted |
/// | `awaiting_verdict` | in custody, in the court pipeline |
/// | `facility.<f>.peak_occupancy` | highest end-of-day occupancy (initial population included) |
/// | `facility.<f>.peak_occupancy_rate` | highest end-of-day occupancy / capacity that day (1.5 = 150%) |
/// | `facility.<f>.days_over_capacity` | end-of-day records above capacity |
/// | `facility.<f>.first_day_over_capacity` | first such day; horizon + 1 if none |
/// | `stage.<s>.completed` | cases that finished service |
/// | `stage.<s>.mean_wait_days` | queue join to service start \[days\], over cases that started; no value if none did |
/// | `stage.<s>.peak_queue` | highest end-of-day queue length (cases waiting, not in service) |
/// | `mean_days_to_verdict`, `median_days_to_verdict` | arrival in Iraq to verdict \[days\], over verdicts given; no value if none |
///
/// Daily series, one value per day 1..=horizon, recorded at the end of the
/// day after every event of that day:
///
/// | series | meaning |
/// | --- | --- |
/// | `occupancy.<facility>` | persons held, initial population included |
/// | `in_custody` | transferred detainees in Iraqi custody (awaiting a verdict or convicted); the initial populations are not counted, so this is not the sum of `occupancy.*` |
/// | `in_syria` | detainees still in the Syrian pool (not in transit) |
/// | `transferred_cumulative` | arrivals in Iraq so far |
/// | `queue.<stage>` | cases waiting for the stage |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    metrics: Vec<String>,
    series: Vec<String>,
    horizon_days: u32,
    metric_index: HashMap<String, usize>,
    series_index: HashMap<String, usize>,
}

impl Layout {
    pub(crate) fn new(s: &Scenario) -> Layout {
        let mut m: Vec<String> = vec!["transferred".into()];
        let per_group = |m: &mut Vec<String>, what: &str| {
            m.extend(s.groups.iter().map(|g| format!("{what}.{}", g.name)));
        };
        per_group(&mut m, "transferred");
        m.extend(
            [
                "last_arrival_day",
                "escaped",
                "remaining_in_syria",
                "repatriated",
            ]
            .map(String::from),
        );
        per_group(&mut m, "repatriated");
        m.extend(["released", "convicted"].map(String::from));
        per_group(&mut m, "convicted");
        m.push("awaiting_verdict".into());
        for f in &s.facilities {
            for k in [
                "peak_occupancy",
                "peak_occupancy_rate",
                "days_over_capacity",
                "first_day_over_capacity",
            ] {
                m.push(format!("facility.{}.{k}", f.name));
            }
        }
        for st in &s.court.stages {
            for k in ["completed", "mean_wait_days", "peak_queue"] {
                m.push(format!("stage.{}.{k}", st.name));
            }
        }
        m.extend(["mean_days_to_verdict", "median_days_to_verdict"].map(String::from));

        let mut series: Vec<String> = s
            .facilities
            .iter()
            .map(|f| format!("occupancy.{}", f.name))
            .collect();
        series.extend(["in_custody", "in_syria", "transferred_cumulative"].map(String::from));
        series.extend(s.court.stages.iter().map(|st| format!("queue.{}", st.name)));

        let index = |v: &[String]| v.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
        Layout {
            metric_index: index(&m),
            series_index: index(&series),
            metrics: m,
            series,
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

    /// Position of a metric.
    pub fn metric_index(&self, name: &str) -> Option<usize> {
        self.metric_index.get(name).copied()
    }

    /// Position of a series.
    pub fn series_index(&self, name: &str) -> Option<usize> {
        self.series_index.get(name).copied()
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
/// let out = simulate(&presets::baseline(), 1)?;
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
    /// this replication (no verdict, say) or no metric has that name.
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

    /// Metric values in [`Layout`] order.
    pub fn values(&self) -> &[Option<f64>] {
        &self.values
    }

    /// Every series, one after the other, `horizon_days` values each.
    pub(crate) fn series_flat(&self) -> &[u32] {
        &self.series
    }

    /// The daily series `name`: the end-of-day record of days 1..=horizon
    /// (element 0 is day 1) \[persons\].
    pub fn series(&self, name: &str) -> Option<&[u32]> {
        self.layout.series_index(name).map(|i| self.series_at(i))
    }

    /// The daily series at position `i` of [`Layout::series`].
    pub fn series_at(&self, i: usize) -> &[u32] {
        let h = self.layout.horizon_days as usize;
        &self.series[i * h..(i + 1) * h]
    }
}

/// Daily records and running peaks of a replication.
#[derive(Debug)]
pub(crate) struct Records {
    series: Vec<u32>,
    peak_occ: Vec<u64>,
    peak_rate: Vec<f64>,
    days_over: Vec<u64>,
    first_over: Vec<Option<u32>>,
    peak_queue: Vec<u64>,
}

impl Records {
    pub(crate) fn new(layout: &Layout, facilities: usize, stages: usize) -> Records {
        Records {
            series: vec![0; layout.series.len() * layout.horizon_days as usize],
            peak_occ: vec![0; facilities],
            peak_rate: vec![0.0; facilities],
            days_over: vec![0; facilities],
            first_over: vec![None; facilities],
            peak_queue: vec![0; stages],
        }
    }
}

fn to_u32(x: u64) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

impl Replication<'_> {
    /// The end-of-day record of day `day`, after every event at that time.
    pub(super) fn record(&mut self, day: u32) {
        if let Err(e) = self.conservation(f64::from(day), self.check) {
            // Counters that disagree are an engine bug, not bad input.
            panic!("custody-sim internal error, please report: {e}");
        }
        let h = self.plan.horizon_days as usize;
        let at = day as usize - 1;
        let nf = self.occ.len();
        let r = &mut self.rec;
        for f in 0..nf {
            let (o, c) = (self.occ[f], self.cap[f]);
            r.series[f * h + at] = to_u32(o);
            r.peak_occ[f] = r.peak_occ[f].max(o);
            r.peak_rate[f] = r.peak_rate[f].max(o as f64 / c as f64);
            if o > c {
                r.days_over[f] += 1;
                r.first_over[f].get_or_insert(day);
            }
        }
        let mut k = nf;
        for v in [
            self.awaiting + self.convicted,
            self.ws.pool.len() as u64,
            self.transferred,
        ] {
            r.series[k * h + at] = to_u32(v);
            k += 1;
        }
        for (s, &q) in self.qlen.iter().enumerate() {
            r.series[(k + s) * h + at] = to_u32(q);
            r.peak_queue[s] = r.peak_queue[s].max(q);
        }
    }

    /// The outcome at the horizon.
    pub(super) fn outcome(&mut self) -> Outcome {
        let plan = self.plan;
        let horizon = plan.horizon;
        let after = horizon + 1.0;
        let n = |x: u64| Some(x as f64);
        let mut v: Vec<Option<f64>> = Vec::with_capacity(plan.layout.metrics.len());
        v.push(n(self.transferred));
        v.extend(self.transferred_g.iter().map(|&x| n(x)));
        let done = self.ws.pool.is_empty() && self.in_transit == 0;
        v.push(if done { self.last_arrival } else { Some(after) });
        v.push(n(self.escaped));
        v.push(n(self.ws.pool.len() as u64));
        v.push(n(self.repatriated));
        v.extend(self.repatriated_g.iter().map(|&x| n(x)));
        v.push(n(self.released));
        v.push(n(self.convicted));
        v.extend(self.convicted_g.iter().map(|&x| n(x)));
        v.push(n(self.awaiting));
        let r = &self.rec;
        for f in 0..self.occ.len() {
            v.push(n(r.peak_occ[f]));
            v.push(Some(r.peak_rate[f]));
            v.push(n(r.days_over[f]));
            v.push(Some(r.first_over[f].map_or(after, f64::from)));
        }
        for s in 0..plan.stages.len() {
            v.push(n(self.completed[s]));
            v.push((self.started[s] > 0).then(|| self.wait_sum[s] / self.started[s] as f64));
            v.push(n(r.peak_queue[s]));
        }
        let vd = &mut self.ws.verdict_days;
        if vd.is_empty() {
            v.extend([None, None]);
        } else {
            let mean = vd.iter().sum::<f64>() / vd.len() as f64;
            v.push(Some(mean));
            v.push(Some(median(vd)));
        }
        debug_assert_eq!(v.len(), plan.layout.metrics.len());
        Outcome {
            layout: Arc::clone(&plan.layout),
            values: v,
            series: std::mem::take(&mut self.rec.series),
        }
    }
}

/// Median of a non-empty slice (mean of the two middle values for an even
/// count); reorders the slice.
fn median(xs: &mut [f64]) -> f64 {
    let n = xs.len();
    let mid = n / 2;
    let (_, &mut hi, _) = xs.select_nth_unstable_by(mid, f64::total_cmp);
    if n % 2 == 1 {
        hi
    } else {
        let lo = xs[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        0.5 * (lo + hi)
    }
}
