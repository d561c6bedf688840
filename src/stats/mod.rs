//! Mergeable accumulators and the statistics reported for each metric and
//! series.
//!
//! Two rules make every summary exactly reproducible, whatever the number
//! of threads and however replications are split into shards:
//!
//! - **Scalar metrics** keep every replication's value, keyed by
//!   replication index; statistics are computed once, at the end, from the
//!   values in index order. Quantiles are exact (linear interpolation
//!   between order statistics, the "type 7" of R and numpy's default).
//! - **Daily series** are integer counts. Each (series, day) keeps an exact
//!   integer sum (so the mean is exact) and a log-linear histogram: values
//!   below 256 exactly, larger values in buckets of relative width 1/128,
//!   each reported at its midpoint, so a series quantile is within 0.4% of
//!   the exact one. Memory depends on the spread of values, not on the
//!   number of replications. Integer sums and counts merge in any order to
//!   the same result.
//!
//! Confidence intervals are Student t on the mean (statrs).

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Values below this are kept exactly in series histograms.
const EXACT: u32 = 256;
/// Sub-buckets per power of two above [`EXACT`].
const SUB: u32 = 128;

/// Histogram bucket of a count.
#[inline]
pub(crate) fn bucket(v: u32) -> u32 {
    if v < EXACT {
        v
    } else {
        let e = 31 - v.leading_zeros(); // >= 8
        let m = v >> (e - 7); // in [128, 256)
        EXACT + (e - 8) * SUB + (m - SUB)
    }
}

/// The value a bucket stands for: its midpoint.
pub(crate) fn bucket_value(b: u32) -> f64 {
    if b < EXACT {
        f64::from(b)
    } else {
        let e = (b - EXACT) / SUB + 8;
        let m = (b - EXACT) % SUB + SUB;
        let low = u64::from(m) << (e - 7);
        let width = 1u64 << (e - 7);
        low as f64 + (width - 1) as f64 / 2.0
    }
}

/// A dense window of bucket counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Window {
    lo: u32,
    counts: Vec<u64>,
}

impl Window {
    #[inline]
    fn add_bucket(&mut self, b: u32, k: u64) {
        if self.counts.is_empty() {
            self.lo = b;
            self.counts.push(k);
            return;
        }
        if b < self.lo {
            let grow = (self.lo - b) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.lo = b;
        }
        let i = (b - self.lo) as usize;
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += k;
    }

    fn merge(&mut self, other: &Window) {
        for (i, &k) in other.counts.iter().enumerate() {
            if k > 0 {
                self.add_bucket(other.lo + i as u32, k);
            }
        }
    }

    /// The value of the `k`-th smallest observation (0-based).
    fn order_stat(&self, k: u64) -> f64 {
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen > k {
                return bucket_value(self.lo + i as u32);
            }
        }
        f64::NAN
    }

    /// Type-7 quantile over `n` observations.
    fn quantile(&self, n: u64, q: f64) -> f64 {
        type7(n as usize, q, |k| self.order_stat(k as u64))
    }
}

/// Streaming accumulator of daily series: per (series, day) an exact sum
/// and a histogram.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct SeriesAcc {
    days: usize,
    n: u64,
    sum: Vec<u64>,
    hist: Vec<Window>,
}

impl SeriesAcc {
    pub(crate) fn new(series: usize, days: usize) -> SeriesAcc {
        SeriesAcc {
            days,
            n: 0,
            sum: vec![0; series * days],
            hist: vec![Window::default(); series * days],
        }
    }

    /// Adds one replication's series (series after series).
    pub(crate) fn add(&mut self, flat: &[u32]) {
        debug_assert_eq!(flat.len(), self.sum.len());
        self.n += 1;
        for ((s, h), &v) in self.sum.iter_mut().zip(&mut self.hist).zip(flat) {
            *s += u64::from(v);
            h.add_bucket(bucket(v), 1);
        }
    }

    pub(crate) fn merge(&mut self, other: &SeriesAcc) {
        self.n += other.n;
        for (a, b) in self.sum.iter_mut().zip(&other.sum) {
            *a += b;
        }
        for (a, b) in self.hist.iter_mut().zip(&other.hist) {
            a.merge(b);
        }
    }

    /// Checks an accumulator read from a file: `series` series of `days`
    /// days over `n` replications, every histogram holding `n` values in
    /// buckets that exist.
    pub(crate) fn check(&self, series: usize, days: usize, n: u64) -> Result<(), String> {
        let cells = series * days;
        if (series > 0 && self.days != days)
            || self.sum.len() != cells
            || self.hist.len() != cells
            || self.n != if series > 0 { n } else { self.n }
        {
            return Err(format!(
                "its series accumulator is not {series} series of {days} days over {n} replications"
            ));
        }
        let top = bucket(u32::MAX);
        for (h, &sum) in self.hist.iter().zip(&self.sum) {
            let count: u64 = h.counts.iter().fold(0u64, |a, &c| a.saturating_add(c));
            let beyond = u64::from(h.lo) + h.counts.len() as u64 > u64::from(top) + 1;
            if count != n || beyond || sum > n.saturating_mul(u64::from(u32::MAX)) {
                return Err("its series histograms do not match its replications".into());
            }
        }
        Ok(())
    }

    pub(crate) fn compatible(&self, other: &SeriesAcc) -> bool {
        self.days == other.days && self.sum.len() == other.sum.len()
    }

    /// Mean, p5, p50 and p95 of series `s` for each day.
    pub(crate) fn bands(&self, s: usize) -> SeriesBands {
        let r = s * self.days..(s + 1) * self.days;
        let n = self.n;
        let q = |p: f64| -> Vec<f64> {
            self.hist[r.clone()]
                .iter()
                .map(|h| h.quantile(n, p))
                .collect()
        };
        SeriesBands {
            mean: self.sum[r.clone()]
                .iter()
                .map(|&x| {
                    if n == 0 {
                        f64::NAN
                    } else {
                        x as f64 / n as f64
                    }
                })
                .collect(),
            p5: q(0.05),
            p50: q(0.50),
            p95: q(0.95),
        }
    }
}

/// Mean and quantile bands of one daily series, day by day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesBands {
    /// Mean across replications, day 1 first \[persons\].
    pub mean: Vec<f64>,
    /// 5th percentile across replications.
    pub p5: Vec<f64>,
    /// Median across replications.
    pub p50: Vec<f64>,
    /// 95th percentile across replications.
    pub p95: Vec<f64>,
}

/// Type-7 quantile of `n` ordered values given by `at(k)`, the k-th
/// smallest (0-based).
fn type7(n: usize, q: f64, at: impl Fn(usize) -> f64) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    let x = at(lo);
    if lo + 1 < n {
        let frac = h - lo as f64;
        if frac > 0.0 {
            return x + frac * (at(lo + 1) - x);
        }
    }
    x
}

/// Type-7 quantile of sorted values (linear interpolation between order
/// statistics, R's default and numpy's): `q` in `[0, 1]`.
///
/// NaN for an empty slice or a `q` outside `[0, 1]` (or NaN).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if !(0.0..=1.0).contains(&q) {
        return f64::NAN;
    }
    type7(sorted.len(), q, |k| sorted[k])
}

/// The two-sided Student t critical value for `level` (0.95 for a 95%
/// interval) with `n - 1` degrees of freedom; `None` for `n < 2` or a
/// `level` outside the open interval (0, 1).
pub fn t_critical(n: u64, level: f64) -> Option<f64> {
    if n < 2 || !(level > 0.0 && level < 1.0) {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).ok()?;
    Some(t.inverse_cdf(0.5 + level / 2.0))
}

/// Statistics of one scalar metric across replications.
///
/// `n` counts the replications in which the metric had a value (a metric
/// with no value, such as a time to verdict when no verdict was given, is
/// left out of that replication's sample). Each statistic is `None` when it
/// is undefined: all of them at `n = 0`, `sd` and the interval at `n = 1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricStats {
    /// Replications with a value.
    pub n: u64,
    /// Sample mean.
    pub mean: Option<f64>,
    /// Sample standard deviation (n - 1 in the denominator).
    pub sd: Option<f64>,
    /// Lower end of the 95% Student t confidence interval on the mean.
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% Student t confidence interval on the mean.
    pub ci95_high: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// 5th percentile (type 7).
    pub p5: Option<f64>,
    /// Median (type 7).
    pub p50: Option<f64>,
    /// 95th percentile (type 7).
    pub p95: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
}

impl MetricStats {
    /// Statistics of `values`, taken in the given order for the sums.
    pub fn from_values(values: &[f64]) -> MetricStats {
        let n = values.len() as u64;
        if n == 0 {
            return MetricStats {
                n,
                mean: None,
                sd: None,
                ci95_low: None,
                ci95_high: None,
                min: None,
                p5: None,
                p50: None,
                p95: None,
                max: None,
            };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = (n > 1).then(|| {
            (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        });
        let half = sd.and_then(|sd| t_critical(n, 0.95).map(|t| t * sd / (n as f64).sqrt()));
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        MetricStats {
            n,
            mean: Some(mean),
            sd,
            ci95_low: half.map(|h| mean - h),
            ci95_high: half.map(|h| mean + h),
            min: sorted.first().copied(),
            p5: Some(quantile(&sorted, 0.05)),
            p50: Some(quantile(&sorted, 0.50)),
            p95: Some(quantile(&sorted, 0.95)),
            max: sorted.last().copied(),
        }
    }

    /// Half-width of the confidence interval at `level` (e.g. 0.99), from
    /// the sample's mean and sd; `None` for fewer than two values.
    pub fn ci_half_width(&self, level: f64) -> Option<f64> {
        let t = t_critical(self.n, level)?;
        Some(t * self.sd? / (self.n as f64).sqrt())
    }

    /// The confidence interval on the mean at `level` (e.g. 0.99).
    pub fn ci(&self, level: f64) -> Option<(f64, f64)> {
        let h = self.ci_half_width(level)?;
        let m = self.mean?;
        Some((m - h, m + h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotone_and_within_half_a_percent() {
        let mut prev = 0;
        for v in (0..2_000_000u32).step_by(7).chain([u32::MAX - 1, u32::MAX]) {
            let b = bucket(v);
            assert!(b >= prev, "bucket not monotone at {v}");
            prev = b;
            let rep = bucket_value(b);
            if v < EXACT {
                assert_eq!(rep, f64::from(v));
            } else {
                assert!(
                    (rep - f64::from(v)).abs() / f64::from(v) <= 1.0 / 256.0,
                    "{v} -> {rep}"
                );
            }
        }
    }

    #[test]
    fn type7_matches_numpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [5, 50, 95]) = [1.2, 3.0, 8.8]
        let xs = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((quantile(&xs, 0.05) - 1.2).abs() < 1e-12);
        assert_eq!(quantile(&xs, 0.5), 3.0);
        assert!((quantile(&xs, 0.95) - 8.8).abs() < 1e-12);
    }

    #[test]
    fn series_histogram_quantiles_equal_exact_ones_below_256() {
        let mut acc = SeriesAcc::new(1, 1);
        let vals: Vec<u32> = (0..101).map(|i| (i * 37) % 200).collect();
        for &v in &vals {
            acc.add(&[v]);
        }
        let mut sorted: Vec<f64> = vals.iter().map(|&v| f64::from(v)).collect();
        sorted.sort_by(f64::total_cmp);
        let b = acc.bands(0);
        assert_eq!(b.p5[0], quantile(&sorted, 0.05));
        assert_eq!(b.p50[0], quantile(&sorted, 0.5));
        assert_eq!(b.p95[0], quantile(&sorted, 0.95));
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        assert!((b.mean[0] - mean).abs() < 1e-12);
    }

    #[test]
    fn merging_histograms_is_order_free() {
        let mut a = SeriesAcc::new(1, 2);
        let mut b = SeriesAcc::new(1, 2);
        for v in [5u32, 70_000, 300, 9] {
            a.add(&[v, v / 2]);
        }
        for v in [1_000_000u32, 0, 44] {
            b.add(&[v, v + 3]);
        }
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
    }

    #[test]
    fn t_interval_uses_student_t() {
        // t_{0.975, 9} = 2.262157 (tables).
        assert!((t_critical(10, 0.95).unwrap() - 2.262157).abs() < 1e-5);
        assert_eq!(t_critical(10, 1.5), None);
        assert!(quantile(&[1.0, 2.0], 5.0).is_nan());
        let s = MetricStats::from_values(&[1.0]);
        assert_eq!((s.n, s.sd, s.ci95_low), (1, None, None));
    }
}
