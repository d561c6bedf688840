//! Densities, through statrs.

use statrs::distribution::{
    Continuous, Discrete, DiscreteUniform, Exp, Gamma, LogNormal, Poisson, Triangular, Uniform,
};

use super::quantile::refused;
use super::{Dist, DistError, gamma_shape_rate, lognormal_mu_sigma};

impl Dist {
    /// Natural log of the density at `x` (of the probability mass for
    /// `uniform_int`, `poisson`, and the point masses `fixed` and a
    /// `uniform` with `low == high`); −∞ outside the support. The
    /// `lognormal` and `gamma` exclude 0.
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
    /// assert_eq!(Dist::uniform(2.0, 6.0).ln_density(3.0)?, -(4f64.ln()));
    /// assert_eq!(Dist::uniform_int(3, 7).ln_density(3.5)?, f64::NEG_INFINITY);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ln_density(&self, x: f64) -> Result<f64, DistError> {
        self.check_with_sampler()?;
        let e = |y: &dyn std::fmt::Display| refused(self, y);
        let point = |at: f64| if x == at { 0.0 } else { f64::NEG_INFINITY };
        Ok(match *self {
            Dist::Fixed { value } => point(value),
            Dist::Uniform { low, high } if low == high => point(low),
            Dist::Uniform { low, high } => {
                let d = Uniform::new(low, high).map_err(|y| e(&y))?;
                if (low..=high).contains(&x) {
                    d.ln_pdf(x)
                } else {
                    f64::NEG_INFINITY
                }
            }
            Dist::UniformInt { low, high } => {
                if x.fract() != 0.0 || x < low as f64 || x > high as f64 {
                    f64::NEG_INFINITY
                } else if high.checked_sub(low).is_some_and(|w| w < i64::MAX) {
                    DiscreteUniform::new(low, high)
                        .map_err(|y| e(&y))?
                        .ln_pmf(x as i64)
                } else {
                    // statrs's width high - low + 1 would overflow an i64.
                    -(high as f64 - low as f64 + 1.0).ln()
                }
            }
            Dist::Triangular { low, mode, high } => {
                let d = Triangular::new(low, high, mode).map_err(|y| e(&y))?;
                if x == mode {
                    // statrs divides 0 by 0 here when the mode is at low.
                    (2.0 / (high - low)).ln()
                } else {
                    d.ln_pdf(x)
                }
            }
            Dist::Exponential { mean } => {
                let d = Exp::new(1.0 / mean).map_err(|y| e(&y))?;
                if x < 0.0 {
                    f64::NEG_INFINITY
                } else {
                    d.ln_pdf(x)
                }
            }
            Dist::Lognormal { mean, sd } => {
                let (mu, sigma) = lognormal_mu_sigma(mean, sd);
                let d = LogNormal::new(mu, sigma).map_err(|y| e(&y))?;
                if x <= 0.0 {
                    f64::NEG_INFINITY
                } else {
                    d.ln_pdf(x)
                }
            }
            Dist::Gamma { mean, sd } => {
                let (shape, rate) = gamma_shape_rate(mean, sd);
                let d = Gamma::new(shape, rate).map_err(|y| e(&y))?;
                if x <= 0.0 {
                    f64::NEG_INFINITY
                } else {
                    d.ln_pdf(x)
                }
            }
            Dist::Poisson { mean } => {
                let d = Poisson::new(mean).map_err(|y| e(&y))?;
                if x.fract() != 0.0 || x < 0.0 || x >= u64::MAX as f64 {
                    f64::NEG_INFINITY
                } else {
                    d.ln_pmf(x as u64)
                }
            }
        })
    }
}
