//! The end-of-day record of a replication (after that day's events and
//! overflow moves) and its outcome at the horizon: each daily series and
//! metric of the layout read from the running state by its schema key.

use std::sync::Arc;

use super::outcome::Outcome;
use super::replication::Replication;
use super::schema::{Metric, Series};

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
    fn appeal_desk(&self) -> &super::desk::Desk {
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
