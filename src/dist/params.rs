//! From the mean and standard deviation of the variable itself to the
//! parameters the libraries take (rand_distr, statrs).
//!
//! Each conversion is written here once; the samplers, the quantiles and
//! the densities all call it, so they agree to the last bit.

/// The location μ and scale σ of the normal underlying a lognormal with
/// the given mean and standard deviation of the variable itself:
/// σ² = ln(1 + (sd/mean)²), μ = ln(mean) − σ²/2.
///
/// No check: a mean or sd that is not positive gives a NaN or an infinite
/// value, which the libraries' constructors refuse.
///
/// # Example: mean 150, sd 30
///
/// ```
/// use custody_sim::dist::lognormal_mu_sigma;
///
/// let (mu, sigma) = lognormal_mu_sigma(150.0, 30.0);
/// assert!((sigma * sigma - 0.04f64.ln_1p()).abs() < 1e-15);
/// assert!((mu - (150.0f64.powi(2) / (150.0f64.powi(2) + 30.0f64.powi(2)).sqrt()).ln()).abs() < 1e-12);
/// ```
pub fn lognormal_mu_sigma(mean: f64, sd: f64) -> (f64, f64) {
    let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
    (mean.ln() - 0.5 * sigma2, sigma2.sqrt())
}

/// The shape k = (mean/sd)² and scale θ = sd²/mean of a gamma with the
/// given mean and standard deviation (rand_distr's parameters).
///
/// # Example
///
/// ```
/// use custody_sim::dist::gamma_shape_scale;
///
/// let (k, theta) = gamma_shape_scale(10.0, 5.0);
/// assert_eq!((k, theta), (4.0, 2.5));
/// ```
pub fn gamma_shape_scale(mean: f64, sd: f64) -> (f64, f64) {
    ((mean / sd).powi(2), sd * sd / mean)
}

/// The shape k = (mean/sd)² and rate β = mean/sd² of a gamma with the
/// given mean and standard deviation (statrs's parameters). The rate is
/// computed as written, not as 1/θ of [`gamma_shape_scale`], which can
/// differ in the last bit.
///
/// # Example
///
/// ```
/// use custody_sim::dist::gamma_shape_rate;
///
/// assert_eq!(gamma_shape_rate(10.0, 5.0), (4.0, 0.4));
/// ```
pub fn gamma_shape_rate(mean: f64, sd: f64) -> (f64, f64) {
    ((mean / sd).powi(2), mean / (sd * sd))
}
