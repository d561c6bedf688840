//! Samplers: ready-to-draw distributions built once per scenario from its
//! [`Dist`] tables, a one-off draw, and a Bernoulli draw.
//!
//! The checks ([`Dist::check`], [`Dist::check_proper`]) build each sampler
//! once through [`Sampler::new`], so that the model's [`Sampler::of`]
//! cannot fail on a validated scenario.

use rand::RngExt;
use rand::distr::Distribution;
use rand::rngs::ChaCha8Rng;

use super::{Dist, gamma_shape_scale, lognormal_mu_sigma};

/// A ready-to-draw distribution, built once per scenario.
///
/// With an explicit tag byte (`repr(u8)`), telling the variants apart is
/// one compare; without it the tag hides in a niche of one variant's
/// fields and each draw decodes it.
#[derive(Debug, Clone)]
#[repr(u8)]
pub(crate) enum Sampler {
    Fixed(f64),
    Exp(rand_distr::Exp<f64>),
    Uniform(rand::distr::Uniform<f64>),
    UniformInt(rand::distr::Uniform<i64>),
    Triangular(rand_distr::Triangular<f64>),
    LogNormal(rand_distr::LogNormal<f64>),
    Gamma(rand_distr::Gamma<f64>),
    Poisson(rand_distr::Poisson<f64>),
}

impl Sampler {
    /// Builds the sampler of `d`, or says why its parameters cannot be
    /// sampled.
    pub(crate) fn new(d: &Dist) -> Result<Sampler, String> {
        let e = |e: &dyn std::fmt::Display| e.to_string();
        Ok(match *d {
            Dist::Fixed { value } => Sampler::Fixed(value),
            Dist::Exponential { mean } => {
                Sampler::Exp(rand_distr::Exp::new(1.0 / mean).map_err(|x| e(&x))?)
            }
            Dist::Uniform { low, high } if low == high => Sampler::Fixed(low),
            Dist::Uniform { low, high } => {
                Sampler::Uniform(rand::distr::Uniform::new_inclusive(low, high).map_err(|x| e(&x))?)
            }
            Dist::UniformInt { low, high } => Sampler::UniformInt(
                rand::distr::Uniform::new_inclusive(low, high).map_err(|x| e(&x))?,
            ),
            Dist::Triangular { low, mode, high } => Sampler::Triangular(
                rand_distr::Triangular::new(low, high, mode).map_err(|x| e(&x))?,
            ),
            Dist::Lognormal { mean, sd } => {
                let (mu, sigma) = lognormal_mu_sigma(mean, sd);
                Sampler::LogNormal(rand_distr::LogNormal::new(mu, sigma).map_err(|x| e(&x))?)
            }
            Dist::Gamma { mean, sd } => {
                let (shape, scale) = gamma_shape_scale(mean, sd);
                Sampler::Gamma(rand_distr::Gamma::new(shape, scale).map_err(|x| e(&x))?)
            }
            Dist::Poisson { mean } => {
                Sampler::Poisson(rand_distr::Poisson::new(mean).map_err(|x| e(&x))?)
            }
        })
    }

    /// The sampler of a distribution that passed validation (which builds
    /// it once), so it cannot fail here.
    ///
    /// # Panics
    ///
    /// If the distribution was not validated: that is a bug of the caller
    /// (every scenario is validated before it is simulated), and a silent
    /// stand-in would give wrong numbers.
    pub(crate) fn of(d: &Dist) -> Sampler {
        match Sampler::new(d) {
            Ok(s) => s,
            Err(e) => panic!(
                "bug: sampler asked of a distribution that validation should have refused ({d:?}): {e}"
            ),
        }
    }

    /// One draw, as a real number (a duration in days).
    ///
    /// Always inlined, with the fixed and exponential cases in place and
    /// the others behind one out-of-line call: on the hot paths (service
    /// times, departures) the dispatch folds into the caller (perf showed
    /// it as a separate 6% entry on M/M/1), while the callers stay small.
    #[inline(always)]
    pub(crate) fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self {
            Sampler::Fixed(v) => *v,
            Sampler::Exp(d) => d.sample(rng),
            other => other.sample_other(rng),
        }
    }

    /// [`Sampler::sample`] for the distributions other than fixed and
    /// exponential.
    #[inline(never)]
    fn sample_other(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self {
            Sampler::Fixed(v) => *v,
            Sampler::Exp(d) => d.sample(rng),
            Sampler::Uniform(d) => d.sample(rng),
            Sampler::UniformInt(d) => d.sample(rng) as f64,
            Sampler::Triangular(d) => d.sample(rng),
            Sampler::LogNormal(d) => d.sample(rng),
            Sampler::Gamma(d) => d.sample(rng),
            Sampler::Poisson(d) => d.sample(rng),
        }
    }

    /// One draw as a count: rounded to the nearest integer, never negative.
    #[inline]
    pub(crate) fn sample_count(&self, rng: &mut ChaCha8Rng) -> u64 {
        match self {
            Sampler::UniformInt(d) => d.sample(rng).max(0) as u64,
            other => count_of(other.sample(rng)),
        }
    }

    /// The count every draw of a fixed distribution gives (what
    /// [`Sampler::sample_count`] returns for it, without a draw), `None`
    /// for a random one.
    pub(crate) fn fixed_count(&self) -> Option<u64> {
        match self {
            Sampler::Fixed(v) => Some(count_of(*v)),
            _ => None,
        }
    }
}

/// One draw of `d` without keeping a sampler: the `uniform` kinds draw as
/// `rng.random_range` does (one value from a range, a different
/// algorithm from [`Sampler`]'s, so a different number), the others as
/// [`Sampler::sample`]. Calibration priors draw this way.
///
/// # Errors
///
/// Why the parameters cannot be sampled (those [`Dist::check_proper`]
/// refuses); a `uniform` with `low == high` gives `low` without a draw.
pub(crate) fn sample_once(d: &Dist, rng: &mut ChaCha8Rng) -> Result<f64, String> {
    match *d {
        Dist::Uniform { low, high } if low == high && low.is_finite() => Ok(low),
        Dist::Uniform { low, high } => {
            // `random_range` panics on an empty or infinite range: test first.
            if low.is_finite() && high.is_finite() && low < high && (high - low).is_finite() {
                Ok(rng.random_range(low..high))
            } else {
                Err(format!(
                    "uniform needs finite low < high, got low = {low}, high = {high}"
                ))
            }
        }
        Dist::UniformInt { low, high } if low <= high => Ok(rng.random_range(low..=high) as f64),
        Dist::UniformInt { low, high } => Err(format!(
            "uniform_int needs low <= high, got low = {low}, high = {high}"
        )),
        _ => Ok(Sampler::new(d)?.sample(rng)),
    }
}

/// A real draw as a count: rounded to the nearest integer, never negative.
#[inline]
fn count_of(x: f64) -> u64 {
    let x = x.round();
    if x > 0.0 { x as u64 } else { 0 }
}

/// Draws `true` with probability `p`; `p` is in `[0, 1]`.
#[inline]
pub(crate) fn bernoulli(rng: &mut ChaCha8Rng, p: f64) -> bool {
    if p >= 1.0 {
        true
    } else if p <= 0.0 {
        false
    } else {
        rng.random::<f64>() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn moments(d: Dist, n: usize) -> (f64, f64) {
        let s = Sampler::of(&d);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n as f64 - 1.0);
        (m, v.sqrt())
    }

    /// The mean/sd parameterisation is that of the variable itself: the
    /// sample mean lies within 4 standard errors of the requested mean, and
    /// the sample sd within 5% of the requested sd.
    #[test]
    fn lognormal_and_gamma_match_their_mean_and_sd() {
        for d in [
            Dist::Lognormal {
                mean: 150.0,
                sd: 30.0,
            },
            Dist::Gamma {
                mean: 10.0,
                sd: 5.0,
            },
        ] {
            let n = 200_000;
            let (m, s) = moments(d, n);
            let (mean, sd) = match d {
                Dist::Lognormal { mean, sd } | Dist::Gamma { mean, sd } => (mean, sd),
                _ => unreachable!(),
            };
            assert!(
                (m - mean).abs() < 4.0 * sd / (n as f64).sqrt(),
                "{d:?}: mean {m}"
            );
            assert!((s - sd).abs() < 0.05 * sd, "{d:?}: sd {s}");
        }
    }

    #[test]
    fn uniform_int_includes_both_ends_and_counts_round() {
        let s = Sampler::of(&Dist::UniformInt { low: 2, high: 4 });
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            seen[s.sample_count(&mut rng) as usize] = true;
        }
        assert_eq!(seen, [false, false, true, true, true]);
        let f = Sampler::of(&Dist::Fixed { value: 2.6 });
        assert_eq!(f.sample_count(&mut rng), 3);
    }
}
