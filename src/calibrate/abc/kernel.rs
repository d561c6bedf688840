//! A generation of ABC-PMC, the perturbation kernel built from it and its
//! density (see the [module docs](super), **Kernel**).

use rand::RngExt;
use rand::distr::Distribution;

use crate::calibrate::{CalibrateError, Prior};
use crate::error::Error;

/// A generation: particles (drawn values), weights, distances.
pub(super) struct Population {
    pub(super) theta: Vec<Vec<f64>>,
    pub(super) weights: Vec<f64>,
    pub(super) distances: Vec<f64>,
}

/// The perturbation kernel of one generation.
pub(super) struct Kernel {
    /// Per parameter: σ, or 0 for a fixed one.
    sigma: Vec<f64>,
    integer: Vec<bool>,
}

fn normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

impl Kernel {
    pub(super) fn new(pop: &Population, priors: &[Prior]) -> Kernel {
        let mut sigma = Vec::new();
        let mut integer = Vec::new();
        for (d, p) in priors.iter().enumerate() {
            let mean: f64 = pop
                .theta
                .iter()
                .zip(&pop.weights)
                .map(|(t, w)| w * t[d])
                .sum();
            let var: f64 = pop
                .theta
                .iter()
                .zip(&pop.weights)
                .map(|(t, w)| w * (t[d] - mean).powi(2))
                .sum();
            let mut s = (2.0 * var).sqrt();
            if p.is_fixed() {
                s = 0.0;
            } else if p.is_integer() {
                s = s.max(0.5);
            } else if s.is_nan() || s <= 0.0 {
                s = 1e-9 * mean.abs().max(1.0);
            }
            sigma.push(s);
            integer.push(p.is_integer());
        }
        Kernel { sigma, integer }
    }

    /// Draws an ancestor and perturbs it until the proposal lies in the
    /// prior's support.
    pub(super) fn propose(
        &self,
        pop: &Population,
        cumulative: &[f64],
        priors: &[Prior],
        rng: &mut rand::rngs::ChaCha8Rng,
    ) -> Result<Vec<f64>, Error> {
        const TRIES: usize = 100_000;
        let total = cumulative.last().copied().unwrap_or(1.0);
        for _ in 0..TRIES {
            let u: f64 = rng.random::<f64>() * total;
            let j = cumulative
                .partition_point(|&c| c <= u)
                .min(cumulative.len() - 1);
            let theta: Vec<f64> = pop.theta[j]
                .iter()
                .enumerate()
                .map(|(d, &x)| {
                    if self.sigma[d] == 0.0 {
                        return x;
                    }
                    let z: f64 = rand_distr::StandardNormal.sample(rng);
                    let y = x + self.sigma[d] * z;
                    if self.integer[d] { y.round() } else { y }
                })
                .collect();
            if priors
                .iter()
                .zip(&theta)
                .all(|(p, &x)| p.ln_density(x) > f64::NEG_INFINITY)
            {
                return Ok(theta);
            }
        }
        Err(CalibrateError::Settings(format!(
            "{TRIES} perturbations in a row left the priors' support; is a prior far narrower than the kernel?"
        ))
        .into())
    }

    /// ln Σⱼ wⱼ K(θ|θⱼ).
    pub(super) fn ln_mixture(&self, pop: &Population, theta: &[f64]) -> f64 {
        let terms: Vec<f64> = pop
            .theta
            .iter()
            .zip(&pop.weights)
            .map(|(from, w)| {
                let mut l = w.ln();
                for d in 0..theta.len() {
                    let s = self.sigma[d];
                    if s == 0.0 {
                        continue;
                    }
                    if self.integer[d] {
                        let p = normal_cdf((theta[d] + 0.5 - from[d]) / s)
                            - normal_cdf((theta[d] - 0.5 - from[d]) / s);
                        l += p.ln();
                    } else {
                        let z = (theta[d] - from[d]) / s;
                        l += -0.5 * z * z - s.ln();
                    }
                }
                l
            })
            .collect();
        let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if max == f64::NEG_INFINITY {
            return max;
        }
        max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln()
    }
}
