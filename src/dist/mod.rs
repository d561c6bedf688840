//! Probability distributions: the `dist` tables of a scenario file, and
//! everything done with them, each once (rand_distr's layout).
//!
//! Every duration or count in a scenario is a [`Dist`]; so is every
//! uncertain parameter (`[uncertainty]`, a sensitivity parameter) and every
//! calibration prior. Means and standard deviations are those of the
//! variable itself, never of an underlying normal: a `lognormal` with
//! `mean = 150, sd = 30` has mean 150 days.
//!
//! | what | where |
//! | --- | --- |
//! | the type, its constructors, its mean | [`Dist`] |
//! | reading a `dist` table (serde) | `read.rs` |
//! | its checks | [`Dist::check`] (a scenario's variable), [`Dist::check_proper`] (any proper distribution) |
//! | mean/sd → parameters | [`lognormal_mu_sigma`], [`gamma_shape_scale`], [`gamma_shape_rate`] |
//! | its sampler, built once | `Sampler` (crate-internal: the model's hot loops) |
//! | its quantile and CDF | [`Dist::quantile`], [`Dist::cdf`] (statrs) |
//! | its density | [`Dist::ln_density`] (statrs) |
//!
//! This module is a leaf: it imports nothing from the rest of the crate.
//!
//! All variables the model draws (durations in days, convoy sizes in
//! persons) are non-negative, so [`Dist::check`] refuses any distribution
//! whose support reaches below zero, and any parameter above
//! [`Dist::MAX_VALUE`]. A count drawn from a continuous distribution is
//! rounded to the nearest integer.

mod check;
mod density;
mod params;
mod quantile;
mod read;
pub(crate) mod sampler;

use schemars::JsonSchema;
use serde::Serialize;

pub use check::{DistError, DistProblem};
pub use params::{gamma_shape_rate, gamma_shape_scale, lognormal_mu_sigma};

/// A probability distribution, as written in a scenario's `dist` table.
///
/// # Example: a lognormal service time
///
/// ```
/// use custody_sim::Dist;
///
/// let d: Dist = toml::from_str(r#"dist = "lognormal"
/// mean = 150.0
/// sd = 30.0"#)?;
/// assert_eq!(d, Dist::Lognormal { mean: 150.0, sd: 30.0 });
/// assert_eq!(d.mean(), 150.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Reading one, a problem inside the table names its key: a value of the
/// wrong type is reported at `...convoy_size.low`, an unknown key at
/// `...convoy_size.x`, not at the table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "dist", rename_all = "snake_case")]
// The reader refuses a key the kind does not have.
#[schemars(
    deny_unknown_fields,
    description = "A probability distribution: a table with a `dist` key naming the kind and that kind's parameters."
)]
pub enum Dist {
    /// Always `value`.
    Fixed {
        /// The value \[days or persons\].
        value: f64,
    },
    /// Exponential with the given mean (rate 1/mean).
    Exponential {
        /// Mean \[days or persons\], > 0.
        mean: f64,
    },
    /// Continuous uniform on `[low, high]`.
    Uniform {
        /// Lower bound, >= 0.
        low: f64,
        /// Upper bound, >= `low`.
        high: f64,
    },
    /// Integers from `low` to `high`, both included, equally likely.
    UniformInt {
        /// Smallest value, >= 0.
        low: i64,
        /// Largest value, >= `low`.
        high: i64,
    },
    /// Triangular with the given lower limit, mode and upper limit.
    Triangular {
        /// Lower limit, >= 0.
        low: f64,
        /// Most likely value, in `[low, high]`.
        mode: f64,
        /// Upper limit, > `low`.
        high: f64,
    },
    /// Lognormal with the given mean and standard deviation of the variable
    /// itself.
    Lognormal {
        /// Mean of the variable, > 0.
        mean: f64,
        /// Standard deviation of the variable, > 0.
        sd: f64,
    },
    /// Gamma with the given mean and standard deviation.
    Gamma {
        /// Mean, > 0.
        mean: f64,
        /// Standard deviation, > 0.
        sd: f64,
    },
    /// Poisson with the given mean (a count).
    Poisson {
        /// Mean, > 0 and at most [`Dist::MAX_POISSON_MEAN`].
        mean: f64,
    },
}

impl Dist {
    /// Largest `poisson` mean accepted.
    pub const MAX_POISSON_MEAN: f64 = 1e9;

    /// Largest value of any parameter (days or persons), far beyond any
    /// horizon or population: above it the samplers' arithmetic can
    /// overflow (a `triangular` with `high = 1e200` draws `-inf`).
    pub const MAX_VALUE: f64 = 1e12;

    /// Largest coefficient of variation (sd / mean) of a `lognormal` or
    /// `gamma`. Beyond it nearly every draw is about 0 and the rest are
    /// huge: a timetable of such intervals would make millions of
    /// departures whatever its mean, and the samplers lose precision.
    pub const MAX_CV: f64 = 100.0;

    /// The mean of the distribution.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed { value } => value,
            Dist::Exponential { mean }
            | Dist::Lognormal { mean, .. }
            | Dist::Gamma { mean, .. }
            | Dist::Poisson { mean } => mean,
            Dist::Uniform { low, high } => 0.5 * (low + high),
            Dist::UniformInt { low, high } => 0.5 * (low as f64 + high as f64),
            Dist::Triangular { low, mode, high } => (low + mode + high) / 3.0,
        }
    }

    /// `fixed` at `value`.
    pub fn fixed(value: f64) -> Dist {
        Dist::Fixed { value }
    }
    /// `exponential` with the given mean.
    pub fn exponential(mean: f64) -> Dist {
        Dist::Exponential { mean }
    }
    /// `uniform` on `[low, high]`.
    pub fn uniform(low: f64, high: f64) -> Dist {
        Dist::Uniform { low, high }
    }
    /// `uniform_int` on `low..=high`.
    pub fn uniform_int(low: i64, high: i64) -> Dist {
        Dist::UniformInt { low, high }
    }
    /// `lognormal` with the variable's mean and sd.
    pub fn lognormal(mean: f64, sd: f64) -> Dist {
        Dist::Lognormal { mean, sd }
    }
    /// `gamma` with the given mean and sd.
    pub fn gamma(mean: f64, sd: f64) -> Dist {
        Dist::Gamma { mean, sd }
    }

    /// The `dist` key of the table (`"uniform_int"`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Dist::Fixed { .. } => "fixed",
            Dist::Exponential { .. } => "exponential",
            Dist::Uniform { .. } => "uniform",
            Dist::UniformInt { .. } => "uniform_int",
            Dist::Triangular { .. } => "triangular",
            Dist::Lognormal { .. } => "lognormal",
            Dist::Gamma { .. } => "gamma",
            Dist::Poisson { .. } => "poisson",
        }
    }
}

#[cfg(test)]
mod tests;
