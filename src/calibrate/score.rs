//! Scores of a forecast sample against one observed value.

/// The probability integral transform of `y` under the sample `sorted`
/// (ascending), by mid-rank for ties:
/// (#{x < y} + ½ #{x = y}) / n.
///
/// Deterministic (not randomised): a value equal to the median of an odd
/// sample of distinct values has PIT exactly ½. For counts, where ties are
/// common, the mid-rank PIT of a calibrated forecast is centred on ½ but
/// not exactly uniform. `NaN` for an empty sample.
///
/// # Example
///
/// ```
/// use custody_sim::calibrate::pit;
/// assert_eq!(pit(&[1.0, 2.0, 3.0], 2.0), 0.5);
/// assert_eq!(pit(&[1.0, 2.0, 3.0], 9.0), 1.0);
/// assert_eq!(pit(&[5.0, 5.0], 5.0), 0.5);
/// ```
pub fn pit(sorted: &[f64], y: f64) -> f64 {
    let below = sorted.partition_point(|&x| x < y);
    let not_above = sorted.partition_point(|&x| x <= y);
    (below as f64 + 0.5 * (not_above - below) as f64) / sorted.len() as f64
}

/// The interval score of Gneiting & Raftery (2007, eq. 43) of the central
/// (1 − `alpha`) interval `[low, high]` for the observation `y`:
/// (high − low) + (2/α)(low − y)·1{y < low} + (2/α)(y − high)·1{y > high}.
///
/// Lower is better; the width, plus a penalty for a miss that grows with
/// its distance. The backtest uses α = 0.1 with the p5-p95 band.
///
/// # Example
///
/// ```
/// use custody_sim::calibrate::interval_score;
/// assert_eq!(interval_score(10.0, 20.0, 15.0, 0.1), 10.0);
/// assert_eq!(interval_score(10.0, 20.0, 21.0, 0.1), 10.0 + 20.0);
/// assert_eq!(interval_score(10.0, 20.0, 8.0, 0.1), 10.0 + 40.0);
/// ```
pub fn interval_score(low: f64, high: f64, y: f64, alpha: f64) -> f64 {
    let mut s = high - low;
    if y < low {
        s += 2.0 / alpha * (low - y);
    }
    if y > high {
        s += 2.0 / alpha * (y - high);
    }
    s
}

/// The continuous ranked probability score of the sample `sorted`
/// (ascending) as a forecast of `y`: the CRPS of the sample's empirical
/// distribution, in its energy form E|X − y| − ½E|X − X'|, computed
/// exactly in O(n) from the sorted sample:
/// (1/n)Σ|xᵢ − y| − (1/n²)Σᵢ (2i − n − 1)x₍ᵢ₎ (i from 1).
///
/// In the unit of the series; 0 for a sample all equal to `y`. `NaN` for
/// an empty sample.
///
/// # Example
///
/// ```
/// use custody_sim::calibrate::crps;
/// // E|X - 0| = 1.5; E|X - X'| over the 4 ordered pairs = (0+1+1+0)/4.
/// assert_eq!(crps(&[1.0, 2.0], 0.0), 1.5 - 0.25);
/// assert_eq!(crps(&[3.0, 3.0, 3.0], 3.0), 0.0);
/// ```
pub fn crps(sorted: &[f64], y: f64) -> f64 {
    let n = sorted.len() as f64;
    let mut abs = 0.0;
    let mut spread = 0.0;
    for (i, &x) in sorted.iter().enumerate() {
        abs += (x - y).abs();
        spread += (2.0 * (i as f64 + 1.0) - n - 1.0) * x;
    }
    abs / n - spread / (n * n)
}
