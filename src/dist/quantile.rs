//! Quantile functions (inverse CDFs) and CDFs, through statrs.

use statrs::distribution::{
    ContinuousCDF, DiscreteCDF, DiscreteUniform, Exp, Gamma, LogNormal, Poisson, Triangular,
    Uniform,
};

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
    /// | `gamma` | shape and rate from [`gamma_shape_rate`], safeguarded Newton (statrs) |
    /// | `poisson` | smallest `k` with `P(X <= k) >= u` (statrs) |
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
            Dist::Gamma { mean, sd } => {
                let (shape, rate) = gamma_shape_rate(mean, sd);
                Gamma::new(shape, rate).map_err(|x| e(&x))?.inverse_cdf(u)
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
            Dist::Gamma { mean, sd } => {
                let (shape, rate) = gamma_shape_rate(mean, sd);
                Gamma::new(shape, rate).map_err(|y| e(&y))?.cdf(x)
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
