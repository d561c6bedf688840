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
//! - **Daily series** are integer counts. Each (series, day) keeps a
//!   sparse log-linear histogram (values below 256 exactly, larger values
//!   in buckets of relative width 1/128) with an exact integer sum per bin
//!   and the day's smallest and largest value: the mean is exact, a
//!   quantile is exact when every replication agrees and never outside the
//!   values seen, and an order statistic is the mean of its bin. At most
//!   [`MAX_BINS`] bins per (series, day), so memory is bounded by
//!   [`MAX_BYTES_PER_SERIES_DAY`] per (series, day) and accumulator,
//!   whatever the number of replications. Integer sums and counts merge in
//!   any order to the same result.
//!
//! Confidence intervals are Student t on the mean (statrs).

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

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

/// The midpoint of a bucket.
#[cfg(test)]
fn bucket_value(b: u32) -> f64 {
    (bucket_low(b) + bucket_high(b)) as f64 / 2.0
}

/// Most bins a (series, day) histogram keeps; beyond it, neighbouring
/// buckets are joined (see the `SeriesAcc` accumulator in the source).
pub const MAX_BINS: usize = 64;

/// Largest bucket index (that of `u32::MAX`).
const TOP_BUCKET: u32 = EXACT + 23 * SUB + (SUB - 1);

/// Bytes one (series, day) histogram can take in one accumulator, at
/// most: the histogram itself (40 bytes) and [`MAX_BINS`]` + 1` bins of
/// 24 bytes (the `+ 1` is the bin that, once inserted, makes it join
/// neighbours). See the `SeriesAcc` accumulator in the source for the derivation.
pub const MAX_BYTES_PER_SERIES_DAY: u64 =
    std::mem::size_of::<Hist>() as u64 + (MAX_BINS as u64 + 1) * BIN_BYTES;

/// Bytes of one bin: `(key, count, sum)`.
const BIN_BYTES: u64 = std::mem::size_of::<(u32, u64, u64)>() as u64;

/// Smallest value in bucket `b`.
fn bucket_low(b: u32) -> u64 {
    if b < EXACT {
        u64::from(b)
    } else {
        let e = (b - EXACT) / SUB + 8;
        let m = (b - EXACT) % SUB + SUB;
        u64::from(m) << (e - 7)
    }
}

/// Largest value in bucket `b`.
fn bucket_high(b: u32) -> u64 {
    if b < EXACT {
        u64::from(b)
    } else {
        let e = (b - EXACT) / SUB + 8;
        bucket_low(b) + (1u64 << (e - 7)) - 1
    }
}

/// A sparse histogram of one (series, day): bins `(key, count, sum)`
/// sorted by key, where `key = bucket(value) >> level`, plus the smallest
/// and largest value seen.
///
/// At most [`MAX_BINS`] bins: when a new bin would exceed that, the level
/// rises by one (neighbouring bins join) until it fits. The level reached
/// is the smallest at which all values seen fit, whatever the order of
/// adding and merging, so merges stay exact and order-free.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Hist {
    /// Smallest value seen (meaningless while empty).
    min: u32,
    /// Largest value seen (meaningless while empty).
    max: u32,
    /// How many times neighbouring buckets were joined.
    level: u8,
    /// `(key, count, sum of the values)`, sorted by key, counts positive.
    bins: Vec<(u32, u64, u64)>,
}

impl Hist {
    #[inline]
    fn add(&mut self, v: u32) {
        if self.bins.is_empty() {
            (self.min, self.max) = (v, v);
        } else {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
        self.insert(bucket(v) >> self.level, 1, u64::from(v));
    }

    /// Adds `count` values summing to `sum` to the bin `key` (at the
    /// current level), joining neighbours if the bins overflow.
    #[inline]
    fn insert(&mut self, key: u32, count: u64, sum: u64) {
        match self.bins.binary_search_by_key(&key, |b| b.0) {
            Ok(i) => {
                self.bins[i].1 += count;
                self.bins[i].2 += sum;
            }
            Err(i) => {
                if self.bins.len() == self.bins.capacity() {
                    // Grow by doubling, but never past MAX_BINS + 1.
                    let want = (self.bins.len().max(2) * 2).min(MAX_BINS + 1);
                    self.bins.reserve_exact(want - self.bins.len());
                }
                self.bins.insert(i, (key, count, sum));
                if self.bins.len() > MAX_BINS {
                    self.raise_to(self.level + 1);
                }
            }
        }
    }

    /// Joins bins until the level is at least `level` and the bins fit.
    fn raise_to(&mut self, level: u8) {
        while self.level < level || self.bins.len() > MAX_BINS {
            self.level += 1;
            let mut joined: Vec<(u32, u64, u64)> = Vec::with_capacity(self.bins.len());
            for &(k, c, s) in &self.bins {
                match joined.last_mut() {
                    Some(last) if last.0 == k >> 1 => {
                        last.1 += c;
                        last.2 += s;
                    }
                    _ => joined.push((k >> 1, c, s)),
                }
            }
            self.bins.clear();
            self.bins.extend(joined);
        }
    }

    fn merge(&mut self, other: &Hist) {
        if other.bins.is_empty() {
            return;
        }
        if self.bins.is_empty() {
            (self.min, self.max) = (other.min, other.max);
        } else {
            self.min = self.min.min(other.min);
            self.max = self.max.max(other.max);
        }
        self.raise_to(other.level);
        for &(k, c, s) in &other.bins {
            self.insert(k >> (self.level - other.level), c, s);
        }
    }

    /// Number of values.
    fn count(&self) -> u64 {
        self.bins.iter().map(|b| b.1).sum()
    }

    /// Exact sum of the values.
    fn sum(&self) -> u128 {
        self.bins.iter().map(|b| u128::from(b.2)).sum()
    }

    /// The `k`-th smallest value (0-based) of `n`: the smallest and the
    /// largest exactly, others as the mean of their bin (exact when the
    /// bin holds one distinct value).
    fn order_stat(&self, k: u64, n: u64) -> f64 {
        if k == 0 {
            return f64::from(self.min);
        }
        if k + 1 >= n {
            return f64::from(self.max);
        }
        let mut seen = 0;
        for &(_, c, s) in &self.bins {
            seen += c;
            if seen > k {
                let (q, r) = (s / c, s % c);
                return q as f64 + r as f64 / c as f64;
            }
        }
        f64::NAN
    }

    /// Type-7 quantile over the `n` values, within `[min, max]`.
    fn quantile(&self, n: u64, q: f64) -> f64 {
        let x = type7(n as usize, q, |k| self.order_stat(k as u64, n));
        x.clamp(f64::from(self.min), f64::from(self.max))
    }

    /// Checks a histogram read from a file (holding `n` values).
    fn check(&self, n: u64) -> Result<(), String> {
        let bad = |what: &str| Err(format!("a series histogram is inconsistent: {what}"));
        if self.bins.len() > MAX_BINS || u32::from(self.level) > 12 {
            return bad("too many bins or too high a level");
        }
        if self.count() != n {
            return bad("its counts do not add up to the replications");
        }
        if self.bins.windows(2).any(|w| w[0].0 >= w[1].0) {
            return bad("its bins are not sorted");
        }
        let lo = |k: u32| bucket_low(k << self.level);
        let hi = |k: u32| bucket_high((((k + 1) << self.level) - 1).min(TOP_BUCKET));
        for &(k, c, s) in &self.bins {
            if c == 0 || k > TOP_BUCKET >> self.level {
                return bad("a bin is empty or beyond the largest count");
            }
            let (low, high) = (u128::from(lo(k)), u128::from(hi(k)));
            let (c, s) = (u128::from(c), u128::from(s));
            if s < c * low || s > c * high {
                return bad("a bin's sum lies outside its range of values");
            }
        }
        if let (Some(first), Some(last)) = (self.bins.first(), self.bins.last())
            && (self.min > self.max
                || u64::from(self.min) < lo(first.0)
                || u64::from(self.min) > hi(first.0)
                || u64::from(self.max) < lo(last.0)
                || u64::from(self.max) > hi(last.0))
        {
            return bad("its smallest or largest value is outside its bins");
        }
        Ok(())
    }
}

/// Streaming accumulator of daily series: per (series, day) a sparse
/// histogram with exact per-bin sums, and the smallest and largest value.
///
/// # Memory bound
///
/// Each (series, day) takes at most [`MAX_BYTES_PER_SERIES_DAY`] bytes
/// (1,600 on 64-bit targets) in each accumulator, whatever the number of
/// replications and the spread of values; with `n` replications it holds
/// at most `min(n, MAX_BINS)` bins. A run keeps about two accumulators per
/// worker thread, plus one.
///
/// # Accuracy
///
/// The mean is exact (integer sums). Each quantile is exact when every
/// replication agrees, lies between the smallest and largest value seen,
/// and is exact for values below 256 as long as the day has at most
/// [`MAX_BINS`] distinct values there; otherwise an order statistic is the
/// mean of its bin (values within 0.8% of each other at level 0, twice
/// that per level).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeriesAcc {
    days: usize,
    n: u64,
    hist: Vec<Hist>,
}

impl SeriesAcc {
    pub(crate) fn new(series: usize, days: usize) -> SeriesAcc {
        SeriesAcc {
            days,
            n: 0,
            hist: vec![Hist::default(); series * days],
        }
    }

    /// Adds one replication's series (series after series). A `flat` of
    /// another length than the accumulator's cells adds what the two have
    /// in common (see [`SeriesAcc::add_rows`] for the usual path).
    pub(crate) fn add(&mut self, flat: &[u32]) {
        debug_assert_eq!(flat.len(), self.hist.len());
        self.n += 1;
        for (h, &v) in self.hist.iter_mut().zip(flat) {
            h.add(v);
        }
    }

    /// Number of (series, day) cells: the length of one replication's
    /// series, series after series.
    pub(crate) fn cells(&self) -> usize {
        self.hist.len()
    }

    /// Adds `n` replications' series at once: `rows` holds them one after
    /// the other, each laid out as [`SeriesAcc::add`] takes it.
    ///
    /// The same accumulator as `n` calls of [`SeriesAcc::add`] (a
    /// histogram's state does not depend on the order of its values, see
    /// [`Hist`]), but cell by cell: each (series, day) histogram takes its
    /// `n` values while it is in cache, instead of every histogram being
    /// visited once per replication. A run's accumulator holds thousands
    /// of histograms (megabytes), so folding replication by replication
    /// missed the cache on nearly every value.
    pub(crate) fn add_rows(&mut self, rows: &[u32], n: usize) {
        let cells = self.hist.len();
        debug_assert_eq!(rows.len(), cells * n);
        if n == 0 {
            return;
        }
        self.n += n as u64;
        // Cells in blocks of one cache line of each row, so that the `n`
        // lines read for one cell serve the next ones too.
        const BLOCK: usize = 16;
        for c0 in (0..cells).step_by(BLOCK) {
            let c1 = (c0 + BLOCK).min(cells);
            for (c, h) in (c0..c1).zip(&mut self.hist[c0..c1]) {
                for r in 0..n {
                    h.add(rows[r * cells + c]);
                }
            }
        }
    }

    pub(crate) fn merge(&mut self, other: &SeriesAcc) {
        self.n += other.n;
        for (a, b) in self.hist.iter_mut().zip(&other.hist) {
            a.merge(b);
        }
    }

    /// Checks an accumulator read from a file: `series` series of `days`
    /// days over `n` replications, every histogram consistent (counts add
    /// up to `n`, each bin's sum within its bin's values, the smallest and
    /// largest values within the first and last bins).
    pub(crate) fn check(&self, series: usize, days: usize, n: u64) -> Result<(), String> {
        let cells = series * days;
        if (series > 0 && (self.days != days || self.n != n)) || self.hist.len() != cells {
            return Err(format!(
                "its series accumulator is not {series} series of {days} days over {n} replications"
            ));
        }
        self.hist.iter().try_for_each(|h| h.check(n))
    }

    pub(crate) fn compatible(&self, other: &SeriesAcc) -> bool {
        self.days == other.days && self.hist.len() == other.hist.len()
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
            mean: self.hist[r.clone()]
                .iter()
                .map(|h| {
                    if n == 0 {
                        f64::NAN
                    } else {
                        h.sum() as f64 / n as f64
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

/// Degrees of freedom from which [`t_critical`] uses the Cornish-Fisher
/// expansion instead of inverting the t distribution numerically.
const CORNISH_FISHER_DF: f64 = 200.0;

/// The two-sided Student t critical value for `level` (0.95 for a 95%
/// interval) with `n - 1` degrees of freedom; `None` for `n < 2` or a
/// `level` outside the open interval (0, 1).
///
/// Below 200 degrees of freedom it inverts statrs' Student t; from 200 on
/// it uses the Cornish-Fisher expansion of the t quantile around the
/// normal quantile `z` to the fourth order in `1/ν` (Abramowitz & Stegun
/// 26.7.5), whose error there is below 1e-12 and shrinks as `ν⁻⁵`: accurate
/// and immediate at every `n` (`t_{0.975, 4 500 000} = 1.959965…`).
///
/// ```
/// use custody_sim::stats::t_critical;
///
/// assert!((t_critical(2, 0.95).unwrap() - 12.7062).abs() < 1e-4);
/// assert!((t_critical(4_500_001, 0.95).unwrap() - 1.959965).abs() < 1e-6);
/// ```
pub fn t_critical(n: u64, level: f64) -> Option<f64> {
    if n < 2 || !(level > 0.0 && level < 1.0) {
        return None;
    }
    let df = (n - 1) as f64;
    let p = 0.5 + level / 2.0;
    if df < CORNISH_FISHER_DF {
        let t = StudentsT::new(0.0, 1.0, df).ok()?;
        return Some(t.inverse_cdf(p));
    }
    let z = Normal::standard().inverse_cdf(p);
    let (z2, v) = (z * z, df);
    let g1 = z * (z2 + 1.0) / 4.0;
    let g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
    let g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
    let g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
    Some(z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v))
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
        let vals: Vec<u32> = (0..101).map(|i| (i * 37) % 64 + 100).collect();
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

    /// Folding replications in a batch, cell by cell, gives the
    /// accumulator that adding them one by one gives, joined bins included.
    #[test]
    fn batched_rows_equal_one_by_one_adds() {
        let (series, days, n) = (3, 37, 70);
        let rows: Vec<u32> = (0..series * days * n)
            .map(|i| {
                let i = i as u32;
                match i % 3 {
                    0 => i.wrapping_mul(2_654_435_761) >> (i % 29),
                    1 => 1_000 + i % 7,
                    _ => i % 300,
                }
            })
            .collect();
        let cells = series * days;
        let mut one = SeriesAcc::new(series, days);
        for r in rows.chunks(cells) {
            one.add(r);
        }
        let mut batch = SeriesAcc::new(series, days);
        batch.add_rows(&rows[..cells * 64], 64);
        batch.add_rows(&rows[cells * 64..], n - 64);
        batch.add_rows(&[], 0);
        assert_eq!(batch, one);
        assert!(one.hist.iter().any(|h| h.level > 0));
        assert_eq!(one.check(series, days, n as u64), Ok(()));
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
    fn t_quantile_is_accurate_at_every_n() {
        // Exact values (mpmath, 30 digits, inverting the incomplete beta).
        for (n, t) in [
            (2u64, 12.706_204_736),
            (11, 2.228_138_852),
            (31, 2.042_272_456),
            (200, 1.971_956_544),
            (201, 1.971_896_224),
            (1001, 1.962_339_081),
            (100_001, 1.959_987_708),
            (4_500_001, 1.959_964_512),
        ] {
            let got = t_critical(n, 0.95).unwrap();
            assert!((got - t).abs() < 1e-6, "n = {n}: {got} vs {t}");
        }
        let start = std::time::Instant::now();
        let far = t_critical(100_000_000, 0.95).unwrap();
        assert!((far - 1.959_964_008).abs() < 1e-8, "{far}");
        assert!(start.elapsed().as_secs() < 1);
        // 99%: qt(0.995, 500) = 2.585698.
        assert!((t_critical(501, 0.99).unwrap() - 2.585_698).abs() < 1e-5);
        // Continuous across the switch.
        let (a, b) = (
            t_critical(200, 0.95).unwrap(),
            t_critical(201, 0.95).unwrap(),
        );
        assert!(a > b && a - b < 1e-4);
    }

    #[test]
    fn daily_quantiles_are_exact_when_replications_agree() {
        // A regression: a constant 1,500 once read 1499.5, and a constant
        // near 13,983 the bucket's midpoint.
        for v in [1_500u32, 14_000, 7_000, 0, 255, 256, u32::MAX] {
            let mut acc = SeriesAcc::new(1, 1);
            for _ in 0..37 {
                acc.add(&[v]);
            }
            let b = acc.bands(0);
            let v = f64::from(v);
            assert_eq!((b.mean[0], b.p5[0], b.p50[0], b.p95[0]), (v, v, v, v));
        }
    }

    #[test]
    fn daily_quantiles_stay_within_the_values_seen() {
        // 6,990 and 7,000 share a bucket; the p95 of mostly 7,000 must not
        // fall below... or above what was seen.
        let mut acc = SeriesAcc::new(1, 1);
        for i in 0..100u32 {
            acc.add(&[if i < 3 { 6_990 } else { 7_000 }]);
        }
        let b = acc.bands(0);
        assert!(b.p5[0] >= 6_990.0 && b.p95[0] <= 7_000.0, "{b:?}");
        assert_eq!(b.mean[0], (3.0 * 6_990.0 + 97.0 * 7_000.0) / 100.0);
        // Exact integer sums: 38,010 / 200 is 190.05, not 190.04999…
        let mut acc = SeriesAcc::new(1, 1);
        for i in 0..200u32 {
            acc.add(&[if i < 10 { 191 } else { 190 }]);
        }
        assert_eq!(acc.bands(0).mean[0].to_string(), "190.05");
    }

    #[test]
    fn histograms_stay_within_their_memory_bound_and_merge_order_free() {
        // Values spread over the whole range force joining of bins.
        let vals: Vec<u32> = (0..5_000u32)
            .map(|i| i.wrapping_mul(2_654_435_761) >> (i % 32))
            .collect();
        let mut whole = Hist::default();
        for &v in &vals {
            whole.add(v);
            assert!(whole.bins.len() <= MAX_BINS);
            assert!(whole.bins.capacity() <= MAX_BINS + 1);
        }
        assert!(whole.level > 0);
        assert!(
            std::mem::size_of::<Hist>() as u64 + whole.bins.capacity() as u64 * BIN_BYTES
                <= MAX_BYTES_PER_SERIES_DAY
        );
        // Split in three parts, merged in two orders.
        let parts: Vec<Hist> = vals
            .chunks(1_700)
            .map(|c| {
                let mut h = Hist::default();
                c.iter().for_each(|&v| h.add(v));
                h
            })
            .collect();
        let mut a = parts[0].clone();
        a.merge(&parts[1]);
        a.merge(&parts[2]);
        let mut b = parts[2].clone();
        b.merge(&parts[0]);
        b.merge(&parts[1]);
        assert_eq!(a, whole);
        assert_eq!(b, whole);
        assert_eq!(whole.check(vals.len() as u64), Ok(()));
        assert_eq!(
            whole.sum(),
            vals.iter().map(|&v| u128::from(v)).sum::<u128>()
        );
        let n = vals.len() as u64;
        let (lo, hi) = (vals.iter().min().unwrap(), vals.iter().max().unwrap());
        for q in [0.0, 0.05, 0.5, 0.95, 1.0] {
            let x = whole.quantile(n, q);
            assert!(x >= f64::from(*lo) && x <= f64::from(*hi));
        }
        assert_eq!(whole.quantile(n, 0.0), f64::from(*lo));
        assert_eq!(whole.quantile(n, 1.0), f64::from(*hi));
    }

    #[test]
    fn edited_histograms_fail_their_check() {
        let mut h = Hist::default();
        for v in [5u32, 9, 9, 70_000, 300] {
            h.add(v);
        }
        assert_eq!(h.check(5), Ok(()));
        assert!(h.check(6).is_err());
        let mut e = h.clone();
        e.bins[0].2 += 1; // a bin's sum
        assert!(e.check(5).is_err());
        let mut e = h.clone();
        e.bins[1].1 += 1; // a count
        assert!(e.check(5).is_err());
        let mut e = h.clone();
        e.max = 80_000;
        assert!(e.check(5).is_err());
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

/// Relative weights made safe to add up and draw from: as given when
/// their sum is finite and their largest is at least
/// [`WEIGHT_FLOOR`]; otherwise each divided by the largest, so that
/// `[1e308, 1e308, 1e308]` (whose sum overflows) and `[5e-324, 5e-324]`
/// (subnormal, with almost no precision) draw as `[1, 1, 1]` and `[1, 1]`
/// do. Weights are finite and at least 0, not all 0 (checked where they
/// are read); others are returned as they are.
pub(crate) fn safe_weights(weights: &[f64]) -> std::borrow::Cow<'_, [f64]> {
    let max = weights.iter().copied().fold(0.0, f64::max);
    let sum: f64 = weights.iter().sum();
    if (sum.is_finite() && max >= WEIGHT_FLOOR) || !(max > 0.0 && max.is_finite()) {
        std::borrow::Cow::Borrowed(weights)
    } else {
        std::borrow::Cow::Owned(weights.iter().map(|w| w / max).collect())
    }
}

/// The smallest largest weight that [`safe_weights`] keeps as it is:
/// 2⁻⁹⁰⁰, far enough above the subnormals (below 2⁻¹⁰²²) that a uniform
/// draw times the sum keeps its full 53 bits.
pub(crate) const WEIGHT_FLOOR: f64 = f64::from_bits((1023 - 900) << 52);

#[cfg(test)]
mod weight_tests {
    use super::*;

    #[test]
    fn weights_that_overflow_or_underflow_are_scaled_by_their_largest() {
        assert_eq!(WEIGHT_FLOOR, 2f64.powi(-900));
        assert_eq!(&*safe_weights(&[1e308; 3]), [1.0; 3]);
        assert_eq!(&*safe_weights(&[5e-324, 5e-324]), [1.0, 1.0]);
        assert_eq!(&*safe_weights(&[5e-324, 0.0]), [1.0, 0.0]);
        // Ordinary weights are kept bit for bit.
        let w = [0.1, 0.7, 0.2];
        assert!(matches!(safe_weights(&w), std::borrow::Cow::Borrowed(_)));
    }
}
