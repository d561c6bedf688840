//! Prior distributions on parameter paths, with the densities an
//! importance-weighted calibration needs.
//!
//! A prior is written `PATH=DIST`, DIST a scenario `dist` table in TOML
//! inline form:
//!
//! ```text
//! court.stage[trial].servers={dist="uniform_int",low=5,high=60}
//! group[Syrian].repatriation.probability={dist="uniform",low=0,high=0.5}
//! transfer.phase[1].interval_days.high=1/{dist="gamma",mean=1.2,sd=0.5}
//! ```
//!
//! `1/DIST` puts the prior on the reciprocal of the parameter: the value
//! set at PATH is 1/x for x drawn from DIST. A gamma prior on a rate λ
//! whose scenario parameter is the mean 1/λ (an exponential interval) is
//! written this way (it is an inverse-gamma prior on the mean). The
//! calibration works on x (its kernel, its densities); the posterior it
//! reports is of the value at PATH.
//!
//! Priors with densities: `uniform`, `uniform_int`, `triangular`,
//! `lognormal`, `gamma`, `exponential`, and `fixed` (a point mass: the
//! parameter is set, not fitted). `poisson` is refused. A parameter is
//! an integer (its kernel discrete) when its prior is `uniform_int`; a
//! path holding an integer needs such a prior.

use rand::RngExt;
use rand::distr::Distribution;
use rand::rngs::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::CalibrateError;
use crate::Error;
use crate::scenario::Dist;

/// How the value drawn from a prior becomes the value at its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// The path holds the drawn value.
    #[default]
    Identity,
    /// The path holds 1 / the drawn value (`PATH=1/DIST`).
    Reciprocal,
}

/// A prior distribution on one parameter path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prior {
    /// Parameter path, as [`Scenario::with_param`](crate::Scenario::with_param) takes it.
    pub path: String,
    /// The distribution of the drawn value.
    pub dist: Dist,
    /// How the drawn value becomes the path's value.
    pub transform: Transform,
}

fn bad(spec: &str, message: impl Into<String>) -> Error {
    CalibrateError::Prior {
        spec: spec.to_string(),
        message: message.into(),
    }
    .into()
}

impl Prior {
    /// A prior on `path`, checked.
    ///
    /// # Errors
    ///
    /// [`CalibrateError::Prior`] for a kind without a density here
    /// (`poisson`), parameters that make no proper distribution
    /// (`high <= low`, a non-positive mean or sd), or a reciprocal prior
    /// whose support reaches 0 or below.
    pub fn new(path: impl Into<String>, dist: Dist, transform: Transform) -> Result<Prior, Error> {
        let p = Prior {
            path: path.into(),
            dist,
            transform,
        };
        p.check()?;
        Ok(p)
    }

    /// Parses `PATH=DIST` or `PATH=1/DIST`, DIST a `dist` table in TOML
    /// inline form.
    ///
    /// # Errors
    ///
    /// [`CalibrateError::Prior`] quoting the text: no `=`, an empty path,
    /// a DIST that does not parse (with the parser's message), or any
    /// problem of [`Prior::new`].
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::{calibrate::{Prior, Transform}, Dist};
    ///
    /// let p = Prior::parse(r#"court.stage[trial].servers={dist="uniform_int",low=5,high=60}"#)?;
    /// assert_eq!(p.dist, Dist::uniform_int(5, 60));
    /// let r = Prior::parse(r#"transfer.phase[0].interval_days.mean=1/{dist="gamma",mean=2,sd=1}"#)?;
    /// assert_eq!(r.transform, Transform::Reciprocal);
    /// assert!(Prior::parse(r#"x={dist="poisson",mean=3}"#).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(spec: &str) -> Result<Prior, Error> {
        let (path, rest) = spec
            .split_once('=')
            .ok_or_else(|| bad(spec, "expected PATH=DIST, with DIST a {dist=...} table"))?;
        let path = path.trim();
        if path.is_empty() {
            return Err(bad(spec, "the path before '=' is empty"));
        }
        let rest = rest.trim();
        let (transform, table) = match rest.strip_prefix("1/") {
            Some(t) => (Transform::Reciprocal, t.trim()),
            None => (Transform::Identity, rest),
        };
        let dist: Dist = toml::from_str::<Wrapper>(&format!("d = {table}"))
            .map_err(|e| bad(spec, format!("DIST is not a dist table: {}", e.message())))?
            .d;
        Prior::new(path, dist, transform).map_err(|e| match e {
            Error::Calibrate(CalibrateError::Prior { message, .. }) => bad(spec, message),
            other => other,
        })
    }

    fn check(&self) -> Result<(), Error> {
        let p = &self.path;
        let finite = |v: f64| v.is_finite();
        let ok = match self.dist {
            Dist::Fixed { value } => finite(value),
            Dist::Uniform { low, high } => finite(low) && finite(high) && low < high,
            Dist::UniformInt { low, high } => low <= high,
            Dist::Triangular { low, mode, high } => {
                finite(low) && finite(high) && low < high && (low..=high).contains(&mode)
            }
            Dist::Lognormal { mean, sd } | Dist::Gamma { mean, sd } => {
                finite(mean) && finite(sd) && mean > 0.0 && sd > 0.0
            }
            Dist::Exponential { mean } => finite(mean) && mean > 0.0,
            Dist::Poisson { .. } => {
                return Err(bad(
                    p,
                    "a poisson prior is not supported (priors: uniform, uniform_int, triangular, lognormal, gamma, exponential, fixed)",
                ));
            }
        };
        if !ok {
            return Err(bad(
                p,
                format!(
                    "{:?} is not a proper distribution (need low < high, mode within, mean and sd > 0)",
                    self.dist
                ),
            ));
        }
        if self.transform == Transform::Reciprocal {
            if self.is_integer() {
                return Err(bad(p, "a reciprocal prior cannot be uniform_int"));
            }
            let (lo, _) = self.support();
            if lo < 0.0
                || (lo == 0.0
                    && matches!(
                        self.dist,
                        Dist::Uniform { .. } | Dist::Triangular { .. } | Dist::Fixed { .. }
                    ))
            {
                return Err(bad(
                    p,
                    "a reciprocal (1/DIST) prior needs a support above 0",
                ));
            }
        }
        Ok(())
    }

    /// Whether the parameter takes integer values (a `uniform_int` prior).
    pub fn is_integer(&self) -> bool {
        matches!(self.dist, Dist::UniformInt { .. })
    }

    /// Whether the prior is a point mass (`fixed`): set, not fitted.
    pub fn is_fixed(&self) -> bool {
        matches!(self.dist, Dist::Fixed { .. })
    }

    /// Smallest and largest drawn value (closed bounds; ±∞ where
    /// unbounded; the positive distributions' 0 is excluded by their
    /// density).
    pub fn support(&self) -> (f64, f64) {
        match self.dist {
            Dist::Fixed { value } => (value, value),
            Dist::Uniform { low, high } | Dist::Triangular { low, high, .. } => (low, high),
            Dist::UniformInt { low, high } => (low as f64, high as f64),
            Dist::Lognormal { .. }
            | Dist::Gamma { .. }
            | Dist::Exponential { .. }
            | Dist::Poisson { .. } => (0.0, f64::INFINITY),
        }
    }

    /// Natural log of the prior density at drawn value `x` (of the
    /// probability mass for an integer or fixed parameter); −∞ outside
    /// the support.
    pub fn ln_density(&self, x: f64) -> f64 {
        let (lo, hi) = self.support();
        if !(lo..=hi).contains(&x) {
            return f64::NEG_INFINITY;
        }
        match self.dist {
            Dist::Fixed { value } => {
                if x == value {
                    0.0
                } else {
                    f64::NEG_INFINITY
                }
            }
            Dist::Uniform { low, high } => -(high - low).ln(),
            Dist::UniformInt { low, high } => {
                if x.fract() == 0.0 {
                    -((high - low + 1) as f64).ln()
                } else {
                    f64::NEG_INFINITY
                }
            }
            Dist::Triangular { low, mode, high } => {
                let d = if x < mode {
                    2.0 * (x - low) / ((high - low) * (mode - low))
                } else if x > mode {
                    2.0 * (high - x) / ((high - low) * (high - mode))
                } else {
                    2.0 / (high - low)
                };
                d.ln()
            }
            Dist::Lognormal { mean, sd } => {
                if x <= 0.0 {
                    return f64::NEG_INFINITY;
                }
                let s2 = (1.0 + (sd / mean).powi(2)).ln();
                let mu = mean.ln() - 0.5 * s2;
                -(x * (2.0 * std::f64::consts::PI * s2).sqrt()).ln()
                    - (x.ln() - mu).powi(2) / (2.0 * s2)
            }
            Dist::Gamma { mean, sd } => {
                if x <= 0.0 {
                    return f64::NEG_INFINITY;
                }
                let k = (mean / sd).powi(2);
                let theta = sd * sd / mean;
                (k - 1.0) * x.ln()
                    - x / theta
                    - statrs::function::gamma::ln_gamma(k)
                    - k * theta.ln()
            }
            Dist::Exponential { mean } => {
                if x < 0.0 {
                    return f64::NEG_INFINITY;
                }
                -mean.ln() - x / mean
            }
            Dist::Poisson { .. } => f64::NEG_INFINITY,
        }
    }

    /// One draw from the prior.
    pub(crate) fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self.dist {
            Dist::Fixed { value } => value,
            Dist::Uniform { low, high } => rng.random_range(low..high),
            Dist::UniformInt { low, high } => rng.random_range(low..=high) as f64,
            Dist::Triangular { low, mode, high } => {
                rand_distr::Triangular::new(low, high, mode).map_or(mode, |d| d.sample(rng))
            }
            Dist::Lognormal { mean, sd } => {
                let s2 = (1.0 + (sd / mean).powi(2)).ln();
                rand_distr::LogNormal::new(mean.ln() - 0.5 * s2, s2.sqrt())
                    .map_or(mean, |d| d.sample(rng))
            }
            Dist::Gamma { mean, sd } => rand_distr::Gamma::new((mean / sd).powi(2), sd * sd / mean)
                .map_or(mean, |d| d.sample(rng)),
            Dist::Exponential { mean } => {
                rand_distr::Exp::new(1.0 / mean).map_or(mean, |d| d.sample(rng))
            }
            Dist::Poisson { mean } => mean,
        }
    }

    /// The value set at the path for drawn value `x`.
    pub fn value_at_path(&self, x: f64) -> f64 {
        match self.transform {
            Transform::Identity => x,
            Transform::Reciprocal => 1.0 / x,
        }
    }
}

#[derive(Deserialize)]
struct Wrapper {
    d: Dist,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each density integrates (or sums) to 1 over its support: a wrong
    /// normalising constant would fail.
    #[test]
    fn densities_integrate_to_one() {
        for d in [
            Dist::uniform(2.0, 5.0),
            Dist::Triangular {
                low: 1.0,
                mode: 2.0,
                high: 6.0,
            },
            Dist::lognormal(3.0, 1.5),
            Dist::gamma(2.0, 1.0),
            Dist::gamma(2.0, 1.5),
            Dist::exponential(0.7),
        ] {
            let p = Prior::new("x", d, Transform::Identity).unwrap();
            let (a, b) = (1e-9, 200.0);
            let n = 2_000_000;
            let h = (b - a) / n as f64;
            let s: f64 = (0..n)
                .map(|i| p.ln_density(a + (i as f64 + 0.5) * h).exp() * h)
                .sum();
            assert!((s - 1.0).abs() < 2e-3, "{d:?}: {s}");
        }
        let p = Prior::new("x", Dist::uniform_int(3, 7), Transform::Identity).unwrap();
        let s: f64 = (0..10).map(|k| p.ln_density(k as f64).exp()).sum();
        assert!((s - 1.0).abs() < 1e-12);
        assert_eq!(p.ln_density(3.5), f64::NEG_INFINITY);
    }
}
