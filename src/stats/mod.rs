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
//! - **Daily series** are integer counts. Each (series, day) counts every
//!   value seen, as sorted `(value, count)` pairs: the mean is exact, and
//!   a quantile is exact, by the same definition as the metrics' (type 7),
//!   so a backtest's band on a day equals the run's. Memory is bounded: a
//!   (series, day) counts at most [`MAX_EXACT_VALUES`] distinct values
//!   ([`MAX_BYTES_PER_SERIES_DAY`] per accumulator); past that it falls
//!   back to a log-linear histogram (values below 256 exactly, larger
//!   values in buckets of relative width 1/128, at most [`MAX_BINS`] bins),
//!   and the series' bands say so and how far off they may be
//!   ([`SeriesBands::approximate`]). A quantile never lies outside the
//!   smallest and largest value seen. Counts and integer sums merge in any
//!   order to the same result.
//!
//! Confidence intervals are Student t on the mean (statrs).

mod hist;
mod series;

pub use hist::MAX_BINS;
pub use series::{Approximation, MAX_BYTES_PER_SERIES_DAY, MAX_EXACT_VALUES, SeriesBands};
pub(crate) use series::{SeriesAcc, accumulators_bytes};

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

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
    fn type7_matches_numpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [5, 50, 95]) = [1.2, 3.0, 8.8]
        let xs = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((quantile(&xs, 0.05) - 1.2).abs() < 1e-12);
        assert_eq!(quantile(&xs, 0.5), 3.0);
        assert!((quantile(&xs, 0.95) - 8.8).abs() < 1e-12);
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
