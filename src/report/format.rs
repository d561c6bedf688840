//! Numbers as text: one family for every table, report, message and chart.
//!
//! Every readable output (the terminal tables, the HTML report, chart
//! labels and ticks, the CLI's tables) formats its numbers here, by one
//! set of rules:
//!
//! - **Counts** ([`thousands`]): rounded to an integer, with a comma every
//!   three digits (`14,000`, `-1,234`); `-0` reads `0`.
//! - **By size** ([`by_size`]): a figure with no interval beside it gets a
//!   precision that suits its size: thousands separated from 1,000 on, no
//!   decimals from 100 on (or for a whole number, also one off by float
//!   noise: 62.00000000000013 reads `62`, as 62 does), one from 10 on, two
//!   from 0.01 on, and below that three significant digits in scientific
//!   notation (`1.23e-3`), so that a small value never reads `0.00`.
//! - **By spread** ([`with_spread`], [`decimals_for`]): a figure shown with
//!   an interval (a CI, a band) gets the decimals that show the interval's
//!   width with two significant figures (none for a width of 10 or more,
//!   at most 4), the same for the estimate and both ends; a pinned figure
//!   (width 0) shows as a whole number.
//!   In the terminal tables an estimate and its interval keep at most
//!   four significant digits ([`with_interval`], [`decimals_for_figure`]):
//!   `195.7 [195.3, 196.2]`, never `142.5910 [142.5870, 142.5950]`.
//! - **Fixed** ([`fixed`]): a number of decimals given by convention (a
//!   coverage to three places); thousands separated as everywhere.
//! - **Percentages** ([`percent`]): a ratio times 100 with `%`.
//! - **Labels** ([`label`]): a number on its own in a chart (a median in
//!   a legend, the ends of a range): three significant digits, trailing
//!   zeros dropped, thousands separated from 1,000 on.
//! - **Axis ticks** ([`Ticks`]): every tick of one axis with the same
//!   decimals, those of the step between ticks (`0.0, 0.2, …, 1.0`, never
//!   `0.200` beside `1`).
//! - **Signs** ([`signed`]): a difference reads with its `+` when it is
//!   positive and its text is not all zeros (`+2`, `0`, `-2.5`).
//! - **Not finite**: a NaN shows as `–`, infinities as `∞` and `−∞`, in
//!   every function.
//! - **Exact** ([`exact`]): a value a reader may need to reproduce (in an
//!   error message) is written in full, rounded to 6 decimals.
//!
//! JSON and CSV files never go through these: they carry each number in
//! full (Rust's shortest round-trip text).
//!
//! # Example
//!
//! ```
//! use custody_sim::report::format::{by_size, thousands, with_spread};
//!
//! assert_eq!(thousands(5704.0), "5,704");
//! assert_eq!(by_size(12.345), "12.3");
//! // A mean whose 95% CI is 0.42 wide shows two decimals.
//! assert_eq!(with_spread(5372.14, 0.42), "5,372.14");
//! ```

/// The text of a number that is not finite: `–` for NaN, `∞`, `−∞`.
fn not_finite(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else if x > 0.0 {
        "∞".into()
    } else {
        "−∞".into()
    }
}

/// Inserts a comma every three digits into a string of ASCII digits.
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1234567.8` as `1,234,568`: rounded to an integer, with thousands
/// separators (a count: persons, cases, replications); `–`, `∞` or `−∞`
/// when not finite.
///
/// # Example
///
/// ```
/// use custody_sim::report::format::thousands;
///
/// assert_eq!(thousands(1234567.8), "1,234,568");
/// assert_eq!(thousands(-1234.0), "-1,234");
/// assert_eq!(thousands(-0.2), "0");
/// ```
pub fn thousands(x: f64) -> String {
    fixed(x, 0)
}

/// `x` with `decimals` places and thousands separators: `fixed(5372.14, 1)`
/// is `5,372.1`; with no decimals it is [`thousands`]. `–`, `∞` or `−∞`
/// when not finite.
///
/// # Example
///
/// ```
/// use custody_sim::report::format::fixed;
///
/// assert_eq!(fixed(0.9, 3), "0.900");
/// assert_eq!(fixed(-12345.678, 2), "-12,345.68");
/// assert_eq!(fixed(-0.001, 2), "0.00");
/// ```
pub fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return not_finite(x);
    }
    // Whole numbers round half away from zero (`2.5` → `3`), as counts
    // always have; with decimals, Rust's formatting of the exact value.
    let text = if decimals == 0 {
        format!("{:.0}", x.abs().round())
    } else {
        format!("{:.decimals$}", x.abs())
    };
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = group(int);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    // No `-0`: a value that rounds to zero has no sign.
    if x < 0.0 && out.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.insert(0, '-');
    }
    out
}

/// A figure shown without an interval, at a precision that suits its
/// size (see the module docs): `1,235`, `123`, `12.3`, `1.23`, `1.23e-3`.
///
/// # Example
///
/// ```
/// use custody_sim::report::format::by_size;
///
/// assert_eq!(by_size(1234.5), "1,235");
/// assert_eq!(by_size(7.0), "7");
/// // A whole number off by float noise reads as the whole number.
/// assert_eq!(by_size(62.00000000000013), "62");
/// assert_eq!(by_size(0.5), "0.50");
/// assert_eq!(by_size(0.00123), "1.23e-3");
/// assert_eq!(by_size(f64::NAN), "–");
/// ```
pub fn by_size(x: f64) -> String {
    if !x.is_finite() {
        return not_finite(x);
    }
    let a = x.abs();
    if a >= 1000.0 {
        thousands(x)
    } else if a >= 100.0 || is_whole(x) {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 0.01 {
        format!("{x:.2}")
    } else {
        format!("{x:.2e}")
    }
}

/// Relative distance from a whole number within which a value is that
/// number written with float noise (62.00000000000013 is 62): far below
/// what any decimal [`by_size`] shows (0.05 of 62 is 8e-4 of it).
const WHOLE_NOISE: f64 = 1e-9;

/// Whether `x` is a whole number, or one within float noise
/// ([`WHOLE_NOISE`] of its size): 0 is whole, 1e-15 is not.
fn is_whole(x: f64) -> bool {
    let r = x.round();
    x == r || (r != 0.0 && (x - r).abs() <= WHOLE_NOISE * x.abs())
}

/// Decimals that show an interval of `width` with two significant
/// figures (none for a width of 10 or more, or for no width; at most 4).
///
/// # Example
///
/// ```
/// use custody_sim::report::format::decimals_for;
///
/// assert_eq!(decimals_for(40.0), 0);
/// assert_eq!(decimals_for(0.42), 2);
/// assert_eq!(decimals_for(0.0), 0);
/// ```
pub fn decimals_for(width: f64) -> usize {
    if !(width.is_finite() && width > 0.0) {
        return 0;
    }
    let d = 1.0 - width.log10().floor();
    d.clamp(0.0, 4.0) as usize
}

/// `x` at the precision of a spread of `width` around it (an interval's
/// width): [`fixed`] to [`decimals_for`]`(width)` places. Use the same
/// width for an estimate and both ends of its interval.
///
/// # Example
///
/// ```
/// use custody_sim::report::format::with_spread;
///
/// assert_eq!(with_spread(5704.0, 0.0), "5,704");
/// assert_eq!(with_spread(0.1234, 0.05), "0.123");
/// assert_eq!(with_spread(41.27, 3.1), "41.3");
/// ```
pub fn with_spread(x: f64, width: f64) -> String {
    fixed(x, decimals_for(width))
}

/// Decimals for a figure of magnitude `x` shown with an interval of
/// `width`: [`decimals_for`]`(width)`, but no more than leave four
/// significant digits in the integer part and the decimals together
/// (`142.59` with a width of 0.008 shows `142.6`, not `142.590`; a whole
/// number of five or more digits shows no decimals). For a figure and its
/// interval's ends, take `x` as the largest in magnitude of them.
///
/// # Example
///
/// ```
/// use custody_sim::report::format::decimals_for_figure;
///
/// assert_eq!(decimals_for_figure(21.02, 0.08), 2);
/// assert_eq!(decimals_for_figure(142.59, 0.008), 1);
/// assert_eq!(decimals_for_figure(0.1234, 0.05), 3);
/// assert_eq!(decimals_for_figure(5369.2, 9.3), 0);
/// ```
pub fn decimals_for_figure(x: f64, width: f64) -> usize {
    let a = x.abs();
    let int_digits = if a.is_finite() && a >= 1.0 {
        a.log10().floor() as usize + 1
    } else {
        0
    };
    decimals_for(width).min(4usize.saturating_sub(int_digits))
}

/// A figure and its interval `[lo, hi]` as text at one precision,
/// [`decimals_for_figure`] of the largest of them and the interval's
/// width: `(figure, lo, hi)`. The one format of an estimate with its
/// interval in the terminal tables.
///
/// # Example
///
/// ```
/// use custody_sim::report::format::with_interval;
///
/// assert_eq!(
///     with_interval(195.74, 195.31, 196.18),
///     ("195.7".to_string(), "195.3".to_string(), "196.2".to_string())
/// );
/// assert_eq!(with_interval(5704.0, 5704.0, 5704.0).0, "5,704");
/// ```
pub fn with_interval(x: f64, lo: f64, hi: f64) -> (String, String, String) {
    let big = [x, lo, hi]
        .into_iter()
        .filter(|v| v.is_finite())
        .map(f64::abs)
        .fold(0.0, f64::max);
    let d = decimals_for_figure(big, hi - lo);
    (fixed(x, d), fixed(lo, d), fixed(hi, d))
}

/// `ratio` as a percentage with `decimals` places: `percent(1.426, 0)` is
/// `143%`.
///
/// # Example
///
/// ```
/// use custody_sim::report::format::percent;
///
/// assert_eq!(percent(1.426, 0), "143%");
/// assert_eq!(percent(0.0126, 1), "1.3%");
/// ```
pub fn percent(ratio: f64, decimals: usize) -> String {
    if !ratio.is_finite() {
        return not_finite(ratio);
    }
    format!("{}%", fixed(ratio * 100.0, decimals))
}

/// A number on its own in a chart (a legend, a range's ends): three
/// significant digits with trailing zeros dropped, thousands separated
/// from 1,000 on.
///
/// # Example
///
/// ```
/// use custody_sim::report::format::label;
///
/// assert_eq!(label(0.16667), "0.167");
/// assert_eq!(label(0.25), "0.25");
/// assert_eq!(label(30.0), "30");
/// assert_eq!(label(14000.0), "14,000");
/// assert_eq!(label(-2.5), "-2.5");
/// ```
pub fn label(x: f64) -> String {
    if !x.is_finite() {
        return not_finite(x);
    }
    if x == 0.0 {
        return "0".into();
    }
    if x.abs() >= 1000.0 {
        return thousands(x);
    }
    let digits = (2 - x.abs().log10().floor() as i32).clamp(0, 8) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `text` (the shown form of `x`) with a `+` in front when `x` is
/// positive and the text is not all zeros: how a difference reads.
///
/// # Example
///
/// ```
/// use custody_sim::report::format::{by_size, signed};
///
/// assert_eq!(signed(2.0, by_size(2.0)), "+2");
/// assert_eq!(signed(0.0, by_size(0.0)), "0");
/// assert_eq!(signed(-2.5, by_size(-2.5)), "-2.50");
/// ```
pub fn signed(x: f64, text: String) -> String {
    if x > 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        format!("+{text}")
    } else {
        text
    }
}

/// A value in full for a reader who may need it again (an error message):
/// rounded to 6 decimals, in Rust's shortest form (`12.5`, `0.333333`).
///
/// # Example
///
/// ```
/// use custody_sim::report::format::exact;
///
/// assert_eq!(exact(1.0 / 3.0), "0.333333");
/// assert_eq!(exact(30.0), "30");
/// ```
pub fn exact(x: f64) -> String {
    if !x.is_finite() {
        return not_finite(x);
    }
    format!("{}", (x * 1e6).round() / 1e6)
}

/// The tick labels of one chart axis, all with the same decimals: those
/// of the step between ticks, the largest of 1, 2 or 5 × 10^k that puts
/// at most `max_ticks` ticks on the axis (as the charts place them), so
/// an axis from 0 to 1 reads `0.0, 0.2, …, 1.0`, one to 14,000 reads
/// `0, 2,000, …`; thousands separated.
///
/// # Example
///
/// ```
/// use custody_sim::report::format::Ticks;
///
/// let t = Ticks::new(0.0, 1.0, 8);
/// assert_eq!(t.label(0.2), "0.2");
/// assert_eq!(t.label(1.0), "1.0");
/// assert_eq!(Ticks::new(0.0, 14_000.0, 10).label(4000.0), "4,000");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticks {
    decimals: usize,
}

impl Ticks {
    /// The labels of an axis from `lo` to `hi` with at most `max_ticks`
    /// ticks.
    pub fn new(lo: f64, hi: f64, max_ticks: usize) -> Ticks {
        let range = (hi - lo).abs();
        if !(range.is_finite() && range > 0.0) {
            return Ticks { decimals: 0 };
        }
        let fits = |step: f64| (range / step).floor() + 1.0 <= max_ticks.max(2) as f64;
        let mut e = range.log10().floor() as i32 + 1;
        let mut step = 10f64.powi(e);
        'down: while e > -12 {
            e -= 1;
            for m in [5.0, 2.0, 1.0] {
                let s = m * 10f64.powi(e);
                if !fits(s) {
                    break 'down;
                }
                step = s;
            }
        }
        let decimals = (-step.log10().floor()).clamp(0.0, 6.0) as usize;
        Ticks { decimals }
    }

    /// The label of the tick at `x`.
    pub fn label(&self, x: f64) -> String {
        fixed(x, self.decimals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_round_and_group() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(999.5), "1,000");
        assert_eq!(thousands(1234.5), "1,235");
        assert_eq!(thousands(-2.5), "-3");
        assert_eq!(thousands(14000.0), "14,000");
        assert_eq!(thousands(-1234567.0), "-1,234,567");
        assert_eq!(thousands(-0.4), "0");
        assert_eq!(thousands(f64::NAN), "–");
        assert_eq!(thousands(f64::NEG_INFINITY), "−∞");
    }

    #[test]
    fn by_size_steps_with_magnitude() {
        assert_eq!(by_size(1234567.8), "1,234,568");
        assert_eq!(by_size(123.4), "123");
        assert_eq!(by_size(12.345), "12.3");
        assert_eq!(by_size(-12.345), "-12.3");
        assert_eq!(by_size(0.5), "0.50");
        assert_eq!(by_size(0.0), "0");
        assert_eq!(by_size(-3.0), "-3");
        assert_eq!(by_size(0.001234), "1.23e-3");
        // A whole number off by float noise prints as the whole number.
        assert_eq!(by_size(62.00000000000013), by_size(62.0));
        assert_eq!(by_size(61.99999999999987), "62");
        assert_eq!(by_size(-2.9999999999999996), "-3");
        assert_eq!(by_size(0.1 + 0.2), "0.30");
        // Not noise: a real fraction, or a tiny value near zero.
        assert_eq!(by_size(62.04), "62.0");
        assert_eq!(by_size(3.001), "3.00");
        assert_eq!(by_size(1e-15), "1.00e-15");
        assert_eq!(by_size(f64::INFINITY), "∞");
    }

    #[test]
    fn the_spread_sets_the_decimals() {
        assert_eq!(decimals_for(10.0), 0);
        assert_eq!(decimals_for(9.9), 1);
        assert_eq!(decimals_for(0.05), 3);
        assert_eq!(decimals_for(1e-9), 4);
        assert_eq!(decimals_for(f64::NAN), 0);
        assert_eq!(decimals_for(-1.0), 0);
        assert_eq!(with_spread(5704.0, 0.0), "5,704");
        assert_eq!(with_spread(5372.149, 0.5), "5,372.15");
        assert_eq!(with_spread(-0.0004, 0.01), "0.000");
    }

    #[test]
    fn fixed_groups_the_integer_part_only() {
        assert_eq!(fixed(1234.5678, 3), "1,234.568");
        assert_eq!(fixed(0.12345, 4), "0.1235");
        assert_eq!(fixed(-999.96, 1), "-1,000.0");
        assert_eq!(fixed(f64::NAN, 2), "–");
    }

    #[test]
    fn percentages_and_signs() {
        assert_eq!(percent(1.0, 0), "100%");
        assert_eq!(percent(12.05, 0), "1,205%");
        assert_eq!(percent(-0.001, 1), "-0.1%");
        assert_eq!(signed(0.004, fixed(0.004, 2)), "0.00");
        assert_eq!(signed(0.006, fixed(0.006, 2)), "+0.01");
        assert_eq!(signed(f64::NAN, by_size(f64::NAN)), "–");
    }

    #[test]
    fn labels_keep_three_significant_digits() {
        assert_eq!(label(0.01234), "0.0123");
        assert_eq!(label(12.5), "12.5");
        assert_eq!(label(0.2), "0.2");
        assert_eq!(label(12345.0), "12,345");
        assert_eq!(label(f64::NAN), "–");
    }

    #[test]
    fn one_axis_has_one_number_of_decimals() {
        let t = Ticks::new(0.0, 1.0, 8);
        let labels: Vec<_> = [0.0, 0.2, 0.4, 1.0].map(|x| t.label(x)).into();
        assert_eq!(labels, ["0.0", "0.2", "0.4", "1.0"]);
        // Steps of 0.05 on an axis 0.3 wide.
        let t = Ticks::new(-0.05, 0.25, 8);
        assert_eq!(t.label(0.1), "0.10");
        assert_eq!(t.label(-0.05), "-0.05");
        // Steps of 50, 2,000, 0.5.
        assert_eq!(Ticks::new(0.0, 250.0, 8).label(50.0), "50");
        assert_eq!(Ticks::new(0.0, 14_000.0, 10).label(14_000.0), "14,000");
        assert_eq!(Ticks::new(1.0, 4.0, 8).label(1.5), "1.5");
        assert_eq!(Ticks::new(3.0, 3.0, 8).label(3.0), "3");
        assert_eq!(Ticks::new(0.0, f64::INFINITY, 8).label(2.0), "2");
    }

    #[test]
    fn exact_keeps_six_decimals() {
        assert_eq!(exact(12.3456789), "12.345679");
        assert_eq!(exact(-2.0), "-2");
        assert_eq!(exact(f64::NAN), "–");
    }
}
