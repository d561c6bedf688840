//! Quantile functions (inverse CDFs) and CDFs, through statrs, with
//! approximations where statrs's own would not return or overflow: a
//! `poisson` of a huge mean, a `gamma` of a huge shape or an extreme rate.

use statrs::distribution::{
    ContinuousCDF, DiscreteCDF, DiscreteUniform, Exp, Gamma, LogNormal, Normal, Poisson,
    Triangular, Uniform,
};
use statrs::function::gamma::{gamma_lr, ln_gamma};

use super::{Dist, DistError, gamma_shape_rate, lognormal_mu_sigma};

/// A statrs constructor's error as a [`DistError`].
pub(super) fn refused(d: &Dist, e: impl std::fmt::Display) -> DistError {
    DistError::whole(format!("statrs refuses this {}: {e}", d.kind()))
}

impl Dist {
    /// The `u`-quantile, for `u` in the open interval (0, 1); `u` outside
    /// it is clamped to the nearest representable point inside, NaN read
    /// as 0.5.
    ///
    /// The `uniform_int` quantile gives each integer an equal share of
    /// (0, 1), the upper end of each share to the next integer.
    ///
    /// | dist | quantile at `u` |
    /// | --- | --- |
    /// | `fixed` | `value` |
    /// | `uniform` | `low + u (high - low)` |
    /// | `uniform_int` | `low + floor(u (high - low + 1))`, at most `high` |
    /// | `triangular` | closed form (statrs) |
    /// | `exponential` | `-mean ln(1 - u)` (statrs) |
    /// | `lognormal` | `exp(μ + σ z_u)`, μ and σ from [`lognormal_mu_sigma`] (statrs) |
    /// | `gamma` | shape and rate from [`gamma_shape_rate`], safeguarded Newton (statrs); see below for extreme parameters |
    /// | `poisson` | smallest `k` with `P(X <= k) >= u` (statrs); see below for a mean above [`Dist::POISSON_NORMAL_MEAN`] |
    ///
    /// Extreme parameters, where statrs's search would overflow, not
    /// return in reasonable time, or stop far from the answer, take
    /// approximations that are total and take a bounded number of steps:
    ///
    /// - `poisson` with a mean above [`Dist::POISSON_NORMAL_MEAN`]: the
    ///   normal approximation with continuity correction and the
    ///   Cornish–Fisher terms of the skewness and kurtosis, `k = ceil(mean
    ///   + sqrt(mean) w - 1/2)`, then moved (at most 4 steps each way) to
    ///   the smallest `k` whose [`Dist::cdf`] reaches `u`. The neglected
    ///   terms are of order `1 / sqrt(mean)`, below `1e-3` at the
    ///   threshold, so the answer is at most 1 from the exact quantile
    ///   (equal to statrs's at every one of 399 points `u` tried at means
    ///   1e6 to 1e7); above 2^53 the answer is a float, within a relative
    ///   `1e-15` of the exact one.
    /// - `gamma` with a shape `(mean / sd)^2` above
    ///   [`Dist::GAMMA_NORMAL_SHAPE`]: the Wilson–Hilferty approximation
    ///   `mean (1 - c^2/9 + z_u c/3)^3` with `c = sd / mean`, computed
    ///   without the shape or the rate (so neither can overflow), relative
    ///   error below `1e-10` (the approximation's error is of order
    ///   `shape^-2`).
    /// - `gamma` with a shape at most that but a rate `mean / sd^2`
    ///   outside `[1e-6, 1e6]`: the logarithm of the quantile of a gamma
    ///   of rate 1, found by bisection (at most 200 steps), plus that of
    ///   the scale `sd^2 / mean`; relative error about `1e-13`.
    ///
    /// # Errors
    ///
    /// [`DistError`] if the parameters make no proper distribution (see
    /// [`Dist::check_proper`]).
    ///
    /// # Example: the median of a lognormal
    ///
    /// ```
    /// use custody_sim::Dist;
    ///
    /// let d = Dist::lognormal(150.0, 30.0);
    /// let sigma2 = (1.0f64 + (30.0f64 / 150.0).powi(2)).ln();
    /// let median = (150.0f64.ln() - sigma2 / 2.0).exp();
    /// assert!((d.quantile(0.5)? - median).abs() < 1e-9);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn quantile(&self, u: f64) -> Result<f64, DistError> {
        self.check_with_sampler()?;
        let u = if u.is_nan() {
            0.5
        } else {
            u.clamp(f64::EPSILON / 2.0, 1.0 - f64::EPSILON / 2.0)
        };
        let e = |x: &dyn std::fmt::Display| refused(self, x);
        Ok(match *self {
            Dist::Fixed { value } => value,
            Dist::Uniform { low, high } if low == high => low,
            Dist::Uniform { low, high } => {
                Uniform::new(low, high).map_err(|x| e(&x))?.inverse_cdf(u)
            }
            Dist::UniformInt { low, high } => {
                let width = (high as f64) - (low as f64) + 1.0;
                ((low as f64) + (u * width).floor()).min(high as f64)
            }
            Dist::Triangular { low, mode, high } => Triangular::new(low, high, mode)
                .map_err(|x| e(&x))?
                .inverse_cdf(u),
            Dist::Exponential { mean } => Exp::new(1.0 / mean).map_err(|x| e(&x))?.inverse_cdf(u),
            Dist::Lognormal { mean, sd } => {
                let (mu, sigma) = lognormal_mu_sigma(mean, sd);
                LogNormal::new(mu, sigma).map_err(|x| e(&x))?.inverse_cdf(u)
            }
            Dist::Gamma { mean, sd } => match gamma_regime(mean, sd) {
                GammaRegime::Statrs { shape, rate } => {
                    Gamma::new(shape, rate).map_err(|x| e(&x))?.inverse_cdf(u)
                }
                GammaRegime::Normal { cv } => wilson_hilferty_quantile(mean, cv, u),
                GammaRegime::UnitScale { shape, scale } => {
                    finite(self, scaled_gamma_quantile(shape, scale, u))?
                }
                GammaRegime::Refused { shape, rate } => {
                    return Err(e(&format!("shape {shape:e} and rate {rate:e}")));
                }
            },
            Dist::Poisson { mean } if mean > Self::POISSON_NORMAL_MEAN => {
                poisson_normal_quantile(mean, u)
            }
            Dist::Poisson { mean } => Poisson::new(mean).map_err(|x| e(&x))?.inverse_cdf(u) as f64,
        })
    }

    /// The cumulative distribution function P(X <= x).
    ///
    /// # Errors
    ///
    /// [`DistError`] if the parameters make no proper distribution (see
    /// [`Dist::check_proper`]).
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::Dist;
    ///
    /// assert_eq!(Dist::uniform_int(1, 4).cdf(2.5)?, 0.5);
    /// assert!((Dist::exponential(2.0).cdf(2.0 * 2f64.ln())? - 0.5).abs() < 1e-15);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cdf(&self, x: f64) -> Result<f64, DistError> {
        self.check_with_sampler()?;
        let e = |y: &dyn std::fmt::Display| refused(self, y);
        let step = |at: f64| if x >= at { 1.0 } else { 0.0 };
        Ok(match *self {
            Dist::Fixed { value } => step(value),
            Dist::Uniform { low, high } if low == high => step(low),
            Dist::Uniform { low, high } => Uniform::new(low, high).map_err(|y| e(&y))?.cdf(x),
            Dist::UniformInt { low, high } => {
                if x < low as f64 {
                    0.0
                } else if x >= high as f64 {
                    1.0
                } else {
                    // Within (low, high): floor(x) fits an i64.
                    DiscreteUniform::new(low, high)
                        .map_err(|y| e(&y))?
                        .cdf(x.floor() as i64)
                }
            }
            Dist::Triangular { low, mode, high } => {
                Triangular::new(low, high, mode).map_err(|y| e(&y))?.cdf(x)
            }
            Dist::Exponential { mean } => Exp::new(1.0 / mean).map_err(|y| e(&y))?.cdf(x),
            Dist::Lognormal { mean, sd } => {
                let (mu, sigma) = lognormal_mu_sigma(mean, sd);
                LogNormal::new(mu, sigma).map_err(|y| e(&y))?.cdf(x)
            }
            Dist::Gamma { mean, sd } => match gamma_regime(mean, sd) {
                GammaRegime::Statrs { shape, rate } => {
                    Gamma::new(shape, rate).map_err(|y| e(&y))?.cdf(x)
                }
                GammaRegime::Normal { cv } => wilson_hilferty_cdf(mean, cv, x),
                GammaRegime::UnitScale { shape, scale } => scaled_gamma_cdf(shape, scale, x),
                GammaRegime::Refused { shape, rate } => {
                    return Err(e(&format!("shape {shape:e} and rate {rate:e}")));
                }
            },
            Dist::Poisson { mean } if mean > Self::POISSON_NORMAL_MEAN => {
                poisson_normal_cdf(mean, x)
            }
            Dist::Poisson { mean } => {
                let p = Poisson::new(mean).map_err(|y| e(&y))?;
                if x < 0.0 {
                    0.0
                } else if x >= u64::MAX as f64 {
                    1.0
                } else {
                    p.cdf(x.floor() as u64)
                }
            }
        })
    }
}

impl Dist {
    /// Largest `poisson` mean whose quantile and CDF statrs computes
    /// (exactly); above it both use a normal approximation (see
    /// [`Dist::quantile`]).
    pub const POISSON_NORMAL_MEAN: f64 = 1e6;

    /// Largest `gamma` shape `(mean / sd)^2` whose quantile and CDF statrs
    /// computes; above it both use the Wilson–Hilferty approximation (see
    /// [`Dist::quantile`]).
    pub const GAMMA_NORMAL_SHAPE: f64 = 1e8;
}

/// How a gamma's quantile and CDF are computed.
enum GammaRegime {
    /// By statrs, as given: an ordinary shape and rate.
    Statrs { shape: f64, rate: f64 },
    /// Wilson–Hilferty, from the coefficient of variation `sd / mean`.
    Normal { cv: f64 },
    /// On the gamma of rate 1, times the scale.
    UnitScale { shape: f64, scale: f64 },
    /// A shape that rounds to 0 (or a scale that overflows).
    Refused { shape: f64, rate: f64 },
}

fn gamma_regime(mean: f64, sd: f64) -> GammaRegime {
    let (shape, rate) = gamma_shape_rate(mean, sd);
    let cv = sd / mean;
    if shape > Dist::GAMMA_NORMAL_SHAPE {
        // Also an infinite shape (mean / sd overflows): cv is then 0 or
        // tiny, and the distribution a point at the mean.
        GammaRegime::Normal { cv }
    } else if (1e-6..=1e6).contains(&rate) {
        GammaRegime::Statrs { shape, rate }
    } else {
        let scale = sd * cv;
        if shape > 0.0 && scale > 0.0 && scale.is_finite() {
            GammaRegime::UnitScale { shape, scale }
        } else {
            GammaRegime::Refused { shape, rate }
        }
    }
}

/// `x`, or an error if it is not finite.
fn finite(d: &Dist, x: f64) -> Result<f64, DistError> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(DistError::whole(format!(
            "the quantile of this {} overflows ({x})",
            d.kind()
        )))
    }
}

/// The standard normal quantile at `u` in (0, 1).
fn z_of(u: f64) -> f64 {
    // sd 1 is always accepted.
    Normal::standard().inverse_cdf(u)
}

/// The standard normal CDF.
fn phi(z: f64) -> f64 {
    Normal::standard().cdf(z)
}

/// Wilson–Hilferty: `X / mean` is about `(1 - cv^2/9 + z cv/3)^3` for a
/// gamma of coefficient of variation `cv` (shape `1 / cv^2`).
fn wilson_hilferty_quantile(mean: f64, cv: f64, u: f64) -> f64 {
    let t = 1.0 - cv * cv / 9.0 + z_of(u) * cv / 3.0;
    mean * t.max(0.0).powi(3)
}

/// The CDF that [`wilson_hilferty_quantile`] inverts.
fn wilson_hilferty_cdf(mean: f64, cv: f64, x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    let r = (x / mean).cbrt();
    if cv == 0.0 || !r.is_finite() {
        return if r >= 1.0 { 1.0 } else { 0.0 };
    }
    phi((r - 1.0 + cv * cv / 9.0) / (cv / 3.0))
}

/// Below `y = exp(-700)`, `P(Y <= y) = y^shape / Γ(shape + 1)` to double
/// precision (the next term is `shape y / (shape + 1)` relative).
const TINY_LN_Y: f64 = -700.0;

/// P(Y <= exp(t)) for Y a gamma of the given shape and rate 1.
fn unit_gamma_cdf_ln(shape: f64, t: f64) -> f64 {
    if t.is_nan() {
        f64::NAN
    } else if t < TINY_LN_Y {
        (shape * t - ln_gamma(shape + 1.0)).exp()
    } else if t > 709.0 {
        1.0
    } else {
        gamma_lr(shape, t.exp())
    }
}

/// P(X <= x) for X a gamma of the given shape and scale.
fn scaled_gamma_cdf(shape: f64, scale: f64, x: f64) -> f64 {
    if x.is_nan() {
        f64::NAN
    } else if x <= 0.0 {
        0.0
    } else {
        unit_gamma_cdf_ln(shape, x.ln() - scale.ln())
    }
}

/// The `u`-quantile of a gamma of the given shape (at most
/// [`Dist::GAMMA_NORMAL_SHAPE`]) and scale: `ln y` for the gamma of rate
/// 1 by bisection, at most 200 steps, between a lower bound from `P(Y <=
/// y) <= y^shape / Γ(shape + 1)` (the answer itself below `exp(-700)`)
/// and an upper one found in at most 710 unit steps; then `exp(ln y + ln
/// scale)`.
fn scaled_gamma_quantile(shape: f64, scale: f64, u: f64) -> f64 {
    let f = |t: f64| unit_gamma_cdf_ln(shape, t);
    let mut lo = (u.ln() + ln_gamma(shape + 1.0)) / shape;
    if lo.is_nan() || lo < TINY_LN_Y {
        return (lo + scale.ln()).exp();
    }
    let mut hi = lo.max(0.0) + 1.0;
    for _ in 0..710 {
        if f(hi) >= u {
            break;
        }
        lo = hi;
        hi += 1.0;
    }
    for _ in 0..200 {
        let mid = lo + (hi - lo) / 2.0;
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) >= u {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    (hi + scale.ln()).exp()
}

/// P(X <= x) for X a Poisson of a mean above
/// [`Dist::POISSON_NORMAL_MEAN`]: `P(X <= k) = P(G > mean)` for `G` a
/// gamma of shape `k + 1` and rate 1, by Wilson–Hilferty.
fn poisson_normal_cdf(mean: f64, x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 0.0;
    }
    if x.is_infinite() {
        return 1.0;
    }
    let a = x.floor() + 1.0;
    1.0 - wilson_hilferty_cdf(a, 1.0 / a.sqrt(), mean)
}

/// The `u`-quantile of a Poisson of a mean above
/// [`Dist::POISSON_NORMAL_MEAN`] (see [`Dist::quantile`]).
fn poisson_normal_quantile(mean: f64, u: f64) -> f64 {
    let z = z_of(u);
    let (z2, z3) = (z * z, z * z * z);
    let g1 = 1.0 / mean.sqrt();
    let w = z + (z2 - 1.0) * g1 / 6.0 + (z3 - 3.0 * z) / (24.0 * mean)
        - (2.0 * z3 - 5.0 * z) / (36.0 * mean);
    let mut k = (mean + mean.sqrt() * w - 0.5).ceil().max(0.0);
    for _ in 0..4 {
        if k >= 1.0 && k - 1.0 < k && poisson_normal_cdf(mean, k - 1.0) >= u {
            k -= 1.0;
        } else {
            break;
        }
    }
    for _ in 0..4 {
        if poisson_normal_cdf(mean, k) < u && k + 1.0 > k {
            k += 1.0;
        } else {
            break;
        }
    }
    k
}
