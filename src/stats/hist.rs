//! The fallback of a daily series' (series, day) cell: a sparse
//! log-linear histogram, bounded in memory whatever the values.
//!
//! Values below 256 are kept exactly, larger values in buckets of relative
//! width 1/128, with an exact integer sum per bin and the smallest and
//! largest value seen; at most [`MAX_BINS`] bins, neighbouring buckets
//! joined beyond that. A cell falls back to it only past
//! [`MAX_EXACT_VALUES`](super::MAX_EXACT_VALUES) distinct values (see
//! [`SeriesAcc`](super::SeriesAcc)).

use serde::{Deserialize, Serialize};

use super::type7;

/// Values below this are kept exactly in series histograms.
const EXACT: u32 = 256;
/// Sub-buckets per power of two above [`EXACT`].
const SUB: u32 = 128;

/// Histogram bucket of a count.
#[inline]
pub(super) fn bucket(v: u32) -> u32 {
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
pub(super) fn bucket_value(b: u32) -> f64 {
    (bucket_low(b) + bucket_high(b)) as f64 / 2.0
}

/// Most bins the fallback histogram of a (series, day) keeps; beyond it,
/// neighbouring buckets are joined (see [`MAX_BYTES_PER_SERIES_DAY`](super::MAX_BYTES_PER_SERIES_DAY)).
pub const MAX_BINS: usize = 64;

/// Largest bucket index (that of `u32::MAX`).
const TOP_BUCKET: u32 = EXACT + 23 * SUB + (SUB - 1);

/// Bytes of one bin: `(key, count, sum)`.
pub(super) const BIN_BYTES: u64 = std::mem::size_of::<(u32, u64, u64)>() as u64;

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
pub(super) struct Hist {
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
    pub(super) fn add(&mut self, v: u32) {
        self.add_count(v, 1);
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

    pub(super) fn merge(&mut self, other: &Hist) {
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
    pub(super) fn count(&self) -> u64 {
        self.bins.iter().map(|b| b.1).sum()
    }

    /// Exact sum of the values.
    pub(super) fn sum(&self) -> u128 {
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

    /// The histogram of the values an exact cell holds: `(value, count)`
    /// pairs. The same histogram as adding each value one by one (its
    /// state does not depend on the order of its values).
    pub(super) fn from_counts(pairs: &[(u32, u32)]) -> Hist {
        let mut h = Hist::default();
        for &(v, c) in pairs {
            h.add_count(v, u64::from(c));
        }
        h
    }

    /// Adds `count` (at least 1) copies of `v`.
    #[inline]
    pub(super) fn add_count(&mut self, v: u32, count: u64) {
        if self.bins.is_empty() {
            (self.min, self.max) = (v, v);
        } else {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
        self.insert(bucket(v) >> self.level, count, u64::from(v) * count);
    }

    /// The values bin `key` (at the current level) can hold, within the
    /// smallest and largest value seen.
    fn bin_range(&self, key: u32) -> (f64, f64) {
        let lo = bucket_low(key << self.level).max(u64::from(self.min));
        let hi =
            bucket_high((((key + 1) << self.level) - 1).min(TOP_BUCKET)).min(u64::from(self.max));
        (lo as f64, hi as f64)
    }

    /// How far [`Hist::order_stat`]`(k, n)` can be from the exact `k`-th
    /// smallest value: 0 for the smallest and largest, otherwise the
    /// distance from its bin's mean to the farther end of the bin (within
    /// the values seen), where the exact value lies.
    fn order_stat_error(&self, k: u64, n: u64) -> f64 {
        if k == 0 || k + 1 >= n {
            return 0.0;
        }
        let mut seen = 0;
        for &(key, c, _) in &self.bins {
            seen += c;
            if seen > k {
                let m = self.order_stat(k, n);
                let (lo, hi) = self.bin_range(key);
                return (m - lo).max(hi - m).max(0.0);
            }
        }
        0.0
    }

    /// A bound on the distance between [`Hist::quantile`]`(n, q)` and the
    /// exact type-7 quantile of the values: type 7 interpolates two order
    /// statistics with weights `1 − f` and `f`, so its error is at most
    /// the same interpolation of theirs (clamping to the values seen only
    /// moves it closer).
    pub(super) fn quantile_error(&self, n: u64, q: f64) -> f64 {
        type7(n as usize, q, |k| self.order_stat_error(k as u64, n))
    }

    /// Type-7 quantile over the `n` values, within `[min, max]`.
    pub(super) fn quantile(&self, n: u64, q: f64) -> f64 {
        let x = type7(n as usize, q, |k| self.order_stat(k as u64, n));
        x.clamp(f64::from(self.min), f64::from(self.max))
    }

    /// Checks a histogram read from a file (holding `n` values).
    pub(super) fn check(&self, n: u64) -> Result<(), String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::MAX_BYTES_PER_SERIES_DAY;

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
}
