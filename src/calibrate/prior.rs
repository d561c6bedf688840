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
//! parameter is set, not fitted). `poisson` is refused, and so is a
//! `uniform` or `uniform_int` of zero width (`low == high`: write `fixed`).
//! A parameter is an integer (its kernel discrete) when its prior is
//! `uniform_int`; a path holding an integer needs such a prior. A path
//! holding a day written as a date takes a day number, as `[uncertainty]`
//! and `solve` set it. The densities, samplers and checks are those of
//! [`crate::dist`].

use std::ops::Deref;

use rand::rngs::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::CalibrateError;
use crate::dist::Dist;
use crate::dist::sampler::sample_once;
use crate::error::Error;
use crate::scenario::{ParamDist, Scenario};

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

/// A prior distribution on one parameter path: a [`ParamDist`] (the
/// path, as [`Scenario::with_param`](crate::scenario::Scenario::with_param)
/// takes it, and the distribution of the drawn value) and a
/// [`Transform`].
///
/// A prior reads as its [`ParamDist`] (`prior.path`, `prior.dist`); its
/// JSON form has the fields `path`, `dist` and `transform`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prior {
    /// The parameter path and the distribution of the drawn value.
    #[serde(flatten)]
    pub param: ParamDist,
    /// How the drawn value becomes the path's value.
    pub transform: Transform,
}

impl Deref for Prior {
    type Target = ParamDist;

    /// The prior's path and distribution.
    fn deref(&self) -> &ParamDist {
        &self.param
    }
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
    /// [`Error::Calibrate`] of kind [`CalibrateError::Prior`] for a kind
    /// without a density here (`poisson`), parameters that make no proper
    /// distribution ([`Dist::check_proper`]: `high < low`, a non-positive
    /// mean or sd, parameters that cannot be sampled), a `uniform` or
    /// `uniform_int` of zero width, or a reciprocal prior whose support
    /// reaches 0 or below.
    pub fn new(path: impl Into<String>, dist: Dist, transform: Transform) -> Result<Prior, Error> {
        let p = Prior {
            param: ParamDist::new(path, dist),
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
    /// [`Error::Calibrate`] of kind [`CalibrateError::Prior`] quoting the
    /// text: no `=`, an empty path, a DIST that does not parse (with the
    /// parser's message), or any problem of [`Prior::new`].
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
        let (path, rest) = ParamDist::split(spec)
            .ok_or_else(|| bad(spec, "expected PATH=DIST, with DIST a {dist=...} table"))?;
        if path.is_empty() {
            return Err(bad(spec, "the path before '=' is empty"));
        }
        let (transform, table) = match rest.strip_prefix("1/") {
            Some(t) => (Transform::Reciprocal, t.trim()),
            None => (Transform::Identity, rest),
        };
        let dist = ParamDist::read_dist(table)
            .map_err(|e| bad(spec, format!("DIST is not a dist table: {}", e.message())))?;
        Prior::new(path, dist, transform).map_err(|e| match e {
            Error::Calibrate(CalibrateError::Prior { message, .. }) => bad(spec, message),
            other => other,
        })
    }

    fn check(&self) -> Result<(), Error> {
        let p = &self.path;
        if let Dist::Poisson { .. } = self.dist {
            return Err(bad(
                p,
                "a poisson prior is not supported (priors: uniform, uniform_int, triangular, lognormal, gamma, exponential, fixed)",
            ));
        }
        if let Err(e) = self.dist.check_proper() {
            return Err(bad(
                p,
                format!(
                    "the {} prior on {p} is not a proper distribution: {e}",
                    self.dist.kind()
                ),
            ));
        }
        let zero_width = match self.dist {
            Dist::Uniform { low, high } if low == high => Some(format!("{low}")),
            Dist::UniformInt { low, high } if low == high => Some(format!("{low}")),
            _ => None,
        };
        if let Some(v) = zero_width {
            return Err(bad(
                p,
                format!(
                    "the {} prior on {p} has zero width (low = high = {v}): it would fix the parameter, not fit it; write {{dist=\"fixed\",value={v}}} to set it",
                    self.dist.kind()
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
        // A checked prior has a density (`Prior::new`); one built by hand
        // with improper parameters has none anywhere.
        self.dist.ln_density(x).unwrap_or(f64::NEG_INFINITY)
    }

    /// One draw from the prior (the `uniform` kinds as `rng.random_range`
    /// draws them).
    ///
    /// # Errors
    ///
    /// [`Error::Calibrate`] of kind [`CalibrateError::Prior`] naming the
    /// path if the parameters cannot be sampled (only for a prior not built by [`Prior::new`]).
    pub(crate) fn sample(&self, rng: &mut ChaCha8Rng) -> Result<f64, Error> {
        sample_once(&self.dist, rng).map_err(|e| {
            bad(
                &self.path,
                format!("the {} prior cannot be sampled: {e}", self.dist.kind()),
            )
        })
    }

    /// The value set at the path for drawn value `x`.
    pub fn value_at_path(&self, x: f64) -> f64 {
        match self.transform {
            Transform::Identity => x,
            Transform::Reciprocal => 1.0 / x,
        }
    }
}

/// The error of drawn values the scenario refuses, naming the priors at
/// fault, their paths and the values drawn: those whose value alone is
/// refused, or all of them when only the combination is. `theta` holds
/// the drawn values, `values` the values set at the paths, `e` the
/// scenario's error (returned as it is unless it is a scenario problem).
pub(crate) fn refused_draw(
    base: &Scenario,
    priors: &[Prior],
    theta: &[f64],
    values: &[String],
    e: Error,
) -> Error {
    let Error::Scenario(problems) = e else {
        return e;
    };
    let alone: Vec<usize> = (0..priors.len().min(values.len()))
        .filter(|&i| {
            base.with_params([(priors[i].path.as_str(), values[i].as_str())])
                .is_err()
        })
        .collect();
    let at_fault = if alone.is_empty() {
        (0..priors.len().min(values.len())).collect()
    } else {
        alone
    };
    let drawn: Vec<String> = at_fault
        .iter()
        .map(|&i| {
            let p = &priors[i];
            match (p.transform, theta.get(i)) {
                (Transform::Reciprocal, Some(x)) => {
                    format!("{} = {} (1/{x:?})", p.path, values[i])
                }
                _ => format!("{} = {}", p.path, values[i]),
            }
        })
        .collect();
    let spec: Vec<&str> = at_fault.iter().map(|&i| priors[i].path.as_str()).collect();
    let (noun, verb) = if drawn.len() == 1 {
        ("value", "is")
    } else {
        ("values", "are")
    };
    CalibrateError::Prior {
        spec: spec.join(", "),
        message: format!(
            "the {noun} drawn from the prior, {}, {verb} refused by the scenario: {problems}",
            drawn.join(", ")
        ),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A prior of zero width is refused alike for `uniform` and
    /// `uniform_int`, in a sentence naming the path and the values.
    #[test]
    fn zero_width_priors_are_refused_alike() {
        for (spec, v) in [
            (
                r#"court.stage[trial].servers={dist="uniform_int",low=5,high=5}"#,
                "5",
            ),
            (
                r#"court.conviction_probability={dist="uniform",low=0.5,high=0.5}"#,
                "0.5",
            ),
        ] {
            let e = Prior::parse(spec).unwrap_err().to_string();
            let path = spec.split_once('=').unwrap().0;
            assert!(
                e.contains(&format!(
                    "prior on {path} has zero width (low = high = {v})"
                )) && e.contains(&format!("{{dist=\"fixed\",value={v}}}"))
                    && !e.contains("Uniform {"),
                "{e}"
            );
        }
        let e = Prior::parse(r#"x={dist="uniform",low=2,high=1}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("the uniform prior on x is not a proper distribution: high: must be at least low (2), got 1"),
            "{e}"
        );
    }

    /// Parameters that cannot be sampled are refused when the prior is
    /// built, not replaced by the mean at each draw.
    #[test]
    fn priors_that_cannot_be_sampled_are_refused() {
        let e = Prior::new("x", Dist::gamma(1.0, 1e300), Transform::Identity)
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot be sampled"), "{e}");
        let p = Prior {
            param: ParamDist::new("x", Dist::gamma(1.0, 1e300)),
            transform: Transform::Identity,
        };
        let mut rng = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
        let e = p.sample(&mut rng).unwrap_err().to_string();
        assert!(
            e.starts_with("prior 'x': the gamma prior cannot be sampled"),
            "{e}"
        );
    }

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
