//! Quantile functions (inverse CDFs) of the scenario distributions: the map
//! from a point `u` of the unit interval to a parameter value.
//!
//! | dist | quantile at `u` |
//! | --- | --- |
//! | `fixed` | `value` |
//! | `uniform` | `low + u (high - low)` |
//! | `uniform_int` | `low + floor(u (high - low + 1))`, at most `high` |
//! | `triangular` | closed form (statrs) |
//! | `exponential` | `-mean ln(1 - u)` (statrs) |
//! | `lognormal` | `exp(mu + sigma z_u)` with `sigma^2 = ln(1 + sd^2/mean^2)`, `mu = ln mean - sigma^2/2` (statrs) |
//! | `gamma` | shape `mean^2/sd^2`, rate `mean/sd^2`, safeguarded Newton (statrs) |
//! | `poisson` | smallest `k` with `P(X <= k) >= u` (statrs) |

use statrs::distribution::{
    ContinuousCDF, DiscreteCDF, Exp, Gamma, LogNormal, Poisson, Triangular, Uniform,
};

use super::DecideError;
use crate::Dist;

/// Checks that `dist` has a quantile function: finite parameters in their
/// ranges.
///
/// # Errors
///
/// [`DecideError::Input`] naming `path` and the problem.
pub fn check(path: &str, dist: &Dist) -> Result<(), DecideError> {
    let bad = |m: String| Err(DecideError::input(path, m));
    let finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
    match *dist {
        Dist::Fixed { value } if !finite(&[value]) => {
            bad(format!("value must be finite, got {value}"))
        }
        Dist::Uniform { low, high } if !finite(&[low, high]) || high < low => bad(format!(
            "uniform needs finite low <= high, got low = {low}, high = {high}"
        )),
        Dist::UniformInt { low, high } if high < low => bad(format!(
            "uniform_int needs low <= high, got low = {low}, high = {high}"
        )),
        Dist::Triangular { low, mode, high }
            if !finite(&[low, mode, high]) || high <= low || mode < low || mode > high =>
        {
            bad(format!(
                "triangular needs low <= mode <= high and low < high, got {low}, {mode}, {high}"
            ))
        }
        Dist::Exponential { mean } | Dist::Poisson { mean }
            if !(mean.is_finite() && mean > 0.0) =>
        {
            bad(format!("mean must be a positive number, got {mean}"))
        }
        Dist::Lognormal { mean, sd } | Dist::Gamma { mean, sd }
            if !(mean.is_finite() && mean > 0.0 && sd.is_finite() && sd > 0.0) =>
        {
            bad(format!(
                "mean and sd must be positive numbers, got mean = {mean}, sd = {sd}"
            ))
        }
        _ => Ok(()),
    }
}

/// The `u`-quantile of `dist`, for `u` in the open interval (0, 1); `u`
/// outside it is clamped to the nearest representable point inside.
///
/// # Errors
///
/// [`DecideError::Input`] naming `path` if the distribution's parameters
/// are invalid (see [`check`]).
///
/// # Example: the median of a lognormal
///
/// ```
/// use custody_sim::{Dist, decide::quantile::quantile};
///
/// let d = Dist::lognormal(150.0, 30.0);
/// let sigma2 = (1.0f64 + (30.0f64 / 150.0).powi(2)).ln();
/// let median = (150.0f64.ln() - sigma2 / 2.0).exp();
/// assert!((quantile("x", &d, 0.5)? - median).abs() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn quantile(path: &str, dist: &Dist, u: f64) -> Result<f64, DecideError> {
    check(path, dist)?;
    let u = if u.is_nan() {
        0.5
    } else {
        u.clamp(f64::EPSILON / 2.0, 1.0 - f64::EPSILON / 2.0)
    };
    let e = |e: &dyn std::fmt::Display| DecideError::input(path, e.to_string());
    Ok(match *dist {
        Dist::Fixed { value } => value,
        Dist::Uniform { low, high } if low == high => low,
        Dist::Uniform { low, high } => Uniform::new(low, high).map_err(|x| e(&x))?.inverse_cdf(u),
        Dist::UniformInt { low, high } => {
            let width = (high as f64) - (low as f64) + 1.0;
            ((low as f64) + (u * width).floor()).min(high as f64)
        }
        Dist::Triangular { low, mode, high } => Triangular::new(low, high, mode)
            .map_err(|x| e(&x))?
            .inverse_cdf(u),
        Dist::Exponential { mean } => Exp::new(1.0 / mean).map_err(|x| e(&x))?.inverse_cdf(u),
        Dist::Lognormal { mean, sd } => {
            let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
            LogNormal::new(mean.ln() - sigma2 / 2.0, sigma2.sqrt())
                .map_err(|x| e(&x))?
                .inverse_cdf(u)
        }
        Dist::Gamma { mean, sd } => {
            let shape = (mean / sd).powi(2);
            Gamma::new(shape, mean / (sd * sd))
                .map_err(|x| e(&x))?
                .inverse_cdf(u)
        }
        Dist::Poisson { mean } => Poisson::new(mean).map_err(|x| e(&x))?.inverse_cdf(u) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mean of the quantile function over a fine midpoint grid is the
    /// distribution's mean (E X = integral of Q(u) du).
    #[test]
    fn quantiles_integrate_to_the_mean() {
        for d in [
            Dist::fixed(3.0),
            Dist::uniform(2.0, 5.0),
            Dist::uniform_int(5, 60),
            Dist::Triangular {
                low: 1.0,
                mode: 2.0,
                high: 7.0,
            },
            Dist::exponential(4.0),
            Dist::lognormal(150.0, 30.0),
            Dist::gamma(10.0, 4.0),
            Dist::Poisson { mean: 7.5 },
        ] {
            let n = 200_000;
            let m = (0..n)
                .map(|i| quantile("x", &d, (i as f64 + 0.5) / n as f64).unwrap())
                .sum::<f64>()
                / n as f64;
            let tol = 1e-3 * d.mean().max(1.0);
            assert!((m - d.mean()).abs() < tol, "{d:?}: {m} vs {}", d.mean());
        }
    }

    #[test]
    fn known_quantiles() {
        // Exponential: median = mean ln 2.
        let q = quantile("x", &Dist::exponential(2.0), 0.5).unwrap();
        assert!((q - 2.0 * 2f64.ln()).abs() < 1e-12);
        // uniform_int: each integer gets an equal share of (0, 1).
        let d = Dist::uniform_int(1, 4);
        let got: Vec<f64> = [0.1, 0.3, 0.6, 0.9, 1.0]
            .iter()
            .map(|&u| quantile("x", &d, u).unwrap())
            .collect();
        assert_eq!(got, vec![1.0, 2.0, 3.0, 4.0, 4.0]);
        // Gamma with shape 1 is exponential.
        let g = quantile("x", &Dist::gamma(3.0, 3.0), 0.9).unwrap();
        assert!((g - (-3.0 * 0.1f64.ln())).abs() < 1e-6, "{g}");
    }

    #[test]
    fn bad_distributions_name_the_path() {
        let e = quantile("court.x", &Dist::uniform(5.0, 1.0), 0.5).unwrap_err();
        assert!(e.to_string().starts_with("court.x: uniform needs"), "{e}");
        assert!(quantile("p", &Dist::lognormal(-1.0, 1.0), 0.5).is_err());
    }
}
