//! Each distribution against its own definitions and an outside value.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use super::sampler::{Sampler, sample_once};
use super::*;

/// One of each kind, with parameters away from any edge.
fn all() -> Vec<Dist> {
    vec![
        Dist::fixed(3.0),
        Dist::exponential(4.0),
        Dist::uniform(2.0, 5.0),
        Dist::uniform_int(5, 60),
        Dist::Triangular {
            low: 1.0,
            mode: 2.0,
            high: 7.0,
        },
        Dist::lognormal(150.0, 30.0),
        Dist::gamma(10.0, 4.0),
        Dist::Poisson { mean: 7.5 },
    ]
}

/// The variance of each, from its parameters.
fn variance(d: &Dist) -> f64 {
    match *d {
        Dist::Fixed { .. } => 0.0,
        Dist::Exponential { mean } => mean * mean,
        Dist::Poisson { mean } => mean,
        Dist::Uniform { low, high } => (high - low).powi(2) / 12.0,
        Dist::UniformInt { low, high } => (((high - low + 1) as f64).powi(2) - 1.0) / 12.0,
        Dist::Triangular { low, mode, high } => {
            (low * low + mode * mode + high * high - low * mode - low * high - mode * high) / 18.0
        }
        Dist::Lognormal { sd, .. } | Dist::Gamma { sd, .. } => sd * sd,
    }
}

/// Outside value: a lognormal with mean 150 and sd 30 has
/// μ = ln(150² / √(150² + 30²)) and σ² = ln(1 + (30/150)²) (the moments
/// of the lognormal, e.g. Johnson, Kotz and Balakrishnan, Continuous
/// Univariate Distributions, vol. 1, ch. 14); to 1e-12.
#[test]
fn lognormal_parameters_of_mean_150_sd_30() {
    let (mu, sigma) = lognormal_mu_sigma(150.0, 30.0);
    let want_mu = (150.0f64.powi(2) / (150.0f64.powi(2) + 30.0f64.powi(2)).sqrt()).ln();
    let want_s2 = (1.0 + (30.0f64 / 150.0).powi(2)).ln();
    assert!((mu - want_mu).abs() < 1e-12, "{mu} vs {want_mu}");
    assert!((sigma * sigma - want_s2).abs() < 1e-12, "{sigma}");
    // 4.991025 and 0.198042 to 6 decimals.
    assert!((mu - 4.991025).abs() < 5e-7 && (sigma - 0.198042).abs() < 5e-7);
}

/// The conversions give back the mean and sd they were built from, to
/// 1e-12 relative: E X = exp(μ + σ²/2), sd = E X √(exp σ² − 1) for the
/// lognormal; k θ and √k θ for the gamma, with rate 1/θ.
#[test]
fn conversions_give_back_mean_and_sd() {
    for (mean, sd) in [(150.0, 30.0), (1.0, 3.0), (0.2, 0.01), (1e6, 2e5)] {
        let (mu, sigma) = lognormal_mu_sigma(mean, sd);
        let m = (mu + sigma * sigma / 2.0).exp();
        let s = m * (sigma * sigma).exp_m1().sqrt();
        assert!((m / mean - 1.0).abs() < 1e-12, "{mean} {sd}: {m}");
        assert!((s / sd - 1.0).abs() < 1e-12, "{mean} {sd}: {s}");
        let (k, theta) = gamma_shape_scale(mean, sd);
        assert!((k * theta / mean - 1.0).abs() < 1e-12);
        assert!((k.sqrt() * theta / sd - 1.0).abs() < 1e-12);
        let (k2, rate) = gamma_shape_rate(mean, sd);
        assert_eq!(k, k2);
        assert!((rate * theta - 1.0).abs() < 1e-12);
    }
}

/// quantile(cdf(x)) = x for the continuous ones at their own quantiles
/// (1e-9 relative; the gamma's Newton iteration to 1e-6); for the
/// discrete ones each integer k comes back from a point inside its share
/// (cdf(k) minus half its mass).
#[test]
fn quantile_inverts_the_cdf() {
    for d in all() {
        for i in 1..20 {
            let u = i as f64 / 20.0;
            let x = d.quantile(u).unwrap();
            let back = match d {
                Dist::Fixed { value } => {
                    assert_eq!(d.cdf(x).unwrap(), 1.0);
                    assert_eq!(d.cdf(value - 1e-9).unwrap(), 0.0);
                    continue;
                }
                Dist::UniformInt { .. } | Dist::Poisson { .. } => {
                    let below = d.cdf(x - 1.0).unwrap();
                    let at = d.cdf(x).unwrap();
                    assert!(below <= u && u <= at, "{d:?} at {u}: {x}, {below}..{at}");
                    d.quantile((below + at) / 2.0).unwrap()
                }
                _ => d.quantile(d.cdf(x).unwrap()).unwrap(),
            };
            let tol = if d.kind() == "gamma" { 1e-6 } else { 1e-9 };
            assert!(
                (back - x).abs() <= tol * x.abs().max(1.0),
                "{d:?} at {u}: {x} -> {back}"
            );
        }
    }
}

/// Each density integrates (sums, for the counts) to 1 over its support,
/// to 2e-3 by the midpoint rule on 2,000,000 cells (0 to 2,000).
#[test]
fn densities_integrate_to_one() {
    for d in all() {
        let s = match d {
            Dist::Fixed { value } => d.ln_density(value).unwrap().exp(),
            Dist::UniformInt { .. } | Dist::Poisson { .. } => (0..2000)
                .map(|k| d.ln_density(k as f64).unwrap().exp())
                .sum(),
            _ => {
                let (a, b) = (0.0, 2000.0);
                let n = 2_000_000;
                let h = (b - a) / n as f64;
                (0..n)
                    .map(|i| d.ln_density(a + (i as f64 + 0.5) * h).unwrap().exp() * h)
                    .sum::<f64>()
            }
        };
        assert!((s - 1.0).abs() < 2e-3, "{d:?}: {s}");
    }
    // The mode of a triangular at its low end has the full height.
    let t = Dist::Triangular {
        low: 1.0,
        mode: 1.0,
        high: 3.0,
    };
    assert_eq!(t.ln_density(1.0).unwrap(), 0.0);
    assert_eq!(
        Dist::uniform_int(3, 7).ln_density(3.5).unwrap(),
        f64::NEG_INFINITY
    );
}

/// The sample mean of 200,000 draws (seed 7) lies within 4.5 standard
/// errors of the mean, for the model's sampler and for a one-off draw.
#[test]
fn sample_means_match() {
    for d in all() {
        let n = 200_000;
        let se = (variance(&d) / n as f64).sqrt();
        let s = Sampler::of(&d);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let m = (0..n).map(|_| s.sample(&mut rng)).sum::<f64>() / n as f64;
        assert!((m - d.mean()).abs() <= 4.5 * se, "{d:?}: {m}");
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let m = (0..n)
            .map(|_| sample_once(&d, &mut rng).unwrap())
            .sum::<f64>()
            / n as f64;
        assert!((m - d.mean()).abs() <= 4.5 * se, "{d:?}: {m}");
    }
}

/// A one-off draw of a non-uniform kind is the sampler's draw; the
/// uniform kinds draw as `random_range` (the calibration priors' draws
/// of before).
#[test]
fn one_off_draws_are_those_of_before() {
    use rand::RngExt;
    for d in all() {
        let mut a = ChaCha8Rng::seed_from_u64(3);
        let mut b = ChaCha8Rng::seed_from_u64(3);
        let x = sample_once(&d, &mut a).unwrap();
        let y = match d {
            Dist::Uniform { low, high } => b.random_range(low..high),
            Dist::UniformInt { low, high } => b.random_range(low..=high) as f64,
            _ => Sampler::of(&d).sample(&mut b),
        };
        assert_eq!(x.to_bits(), y.to_bits(), "{d:?}");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    assert!(sample_once(&Dist::uniform(2.0, 1.0), &mut rng).is_err());
    assert!(sample_once(&Dist::uniform_int(2, 1), &mut rng).is_err());
    assert_eq!(sample_once(&Dist::uniform(2.0, 2.0), &mut rng), Ok(2.0));
}

/// The checks: a variable's rules name each key; a proper distribution
/// may be negative, a zero-width uniform is a point mass; nothing
/// improper reaches a quantile or a density.
#[test]
fn checks_name_their_keys() {
    let e = Dist::Triangular {
        low: -1.0,
        mode: 5.0,
        high: 2.0,
    }
    .check()
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "low: must be at least 0, got -1; mode: must lie between low (-1) and high (2), got 5"
    );
    assert!(Dist::uniform(-1.0, 2.0).check_proper().is_ok());
    assert_eq!(Dist::uniform(2.0, 2.0).quantile(0.3), Ok(2.0));
    assert_eq!(Dist::uniform(2.0, 2.0).ln_density(2.0), Ok(0.0));
    for bad in [
        Dist::uniform(2.0, 1.0),
        Dist::lognormal(-1.0, 1.0),
        Dist::gamma(1.0, f64::NAN),
        Dist::exponential(0.0),
        Dist::lognormal(1.0, 1e-12),
    ] {
        assert!(bad.check_proper().is_err(), "{bad:?}");
        assert!(
            bad.quantile(0.5).is_err() && bad.ln_density(1.0).is_err(),
            "{bad:?}"
        );
    }
    let e = Dist::gamma(1.0, 1e300).check_proper().unwrap_err();
    assert!(e.to_string().contains("cannot be sampled"), "{e}");
}

/// The quantiles at `us` of `d`: each finite and not below 0, and not
/// decreasing in `u`.
fn monotone_quantiles(d: &Dist, us: &[f64]) -> Vec<f64> {
    let q: Vec<f64> = us.iter().map(|&u| d.quantile(u).unwrap()).collect();
    assert!(q.iter().all(|x| x.is_finite() && *x >= 0.0), "{d:?}: {q:?}");
    assert!(q.windows(2).all(|w| w[0] <= w[1]), "{d:?}: {q:?}");
    q
}

const US: [f64; 9] = [0.0, 1e-12, 0.05, 0.3, 0.5, 0.7, 0.95, 1.0 - 1e-12, 1.0];

/// A poisson of a huge mean has a quantile (statrs's overflowed or
/// panicked from 1e10, and did not return at 3e15): at most 1 from the
/// exact one where statrs can still compute it, the median within the
/// bounds `mean - ln 2 <= median < mean + 1/3`, and a CDF that reaches
/// `u` at the quantile.
#[test]
fn poisson_quantile_of_a_huge_mean() {
    use statrs::distribution::{DiscreteCDF, Poisson};
    for mean in [1e6 + 0.5, 2.5e6, 1e7, 1e8] {
        let exact = Poisson::new(mean).unwrap();
        for u in [1e-9, 0.001, 0.05, 0.3, 0.5, 0.7, 0.95, 0.999, 1.0 - 1e-9] {
            let q = Dist::Poisson { mean }.quantile(u).unwrap();
            let e = exact.inverse_cdf(u) as f64;
            assert!((q - e).abs() <= 1.0, "mean {mean} at {u}: {q} vs {e}");
        }
    }
    for mean in [1e6 + 0.5, 1e10, 1e12, 3e15, 1e15, 1e18] {
        let d = Dist::Poisson { mean };
        assert!(d.check_proper().is_ok(), "{d:?}");
        let q = monotone_quantiles(&d, &US);
        let median = q[4];
        let slack = 1.0 + 1e-15 * mean;
        assert!(
            median >= mean - 2f64.ln() - slack && median <= mean + 1.0 / 3.0 + slack,
            "mean {mean}: median {median}"
        );
        if mean < 2f64.powi(53) {
            for u in [0.05, 0.5, 0.95] {
                let k = d.quantile(u).unwrap();
                assert!(d.cdf(k).unwrap() >= u && d.cdf(k - 1.0).unwrap() < u);
            }
        }
    }
}

/// A gamma of an extreme shape or rate has a quantile: known values at
/// shape 2 on any scale, a finite, monotone answer at the parameters
/// statrs's search did not return for (or stopped far from the answer).
#[test]
fn gamma_quantile_of_extreme_parameters() {
    // Shape 2 (mean 2θ, sd sqrt(2) θ): median 1.678347 θ, on scales
    // whose rate statrs takes and on scales it does not.
    for theta in [1.0, 1e-150, 1e150, 1e-3, 1e5, 1e-100] {
        let d = Dist::gamma(2.0 * theta, 2f64.sqrt() * theta);
        let m = d.quantile(0.5).unwrap();
        assert!((m / theta - 1.678_346_99).abs() < 1e-6, "θ {theta}: {m}");
        assert!((d.cdf(m).unwrap() - 0.5).abs() < 1e-6, "θ {theta}");
    }
    // Shape 1 (exponential) of a tiny mean: -mean ln(1 - u).
    for mean in [1e-100, 1e-150] {
        let d = Dist::gamma(mean, mean);
        for u in [0.05, 0.5, 0.95] {
            let q = d.quantile(u).unwrap();
            let e = -mean * (1.0 - u).ln();
            assert!((q / e - 1.0).abs() < 1e-9, "mean {mean} at {u}: {q} vs {e}");
        }
    }
    // A huge shape: about mean + z sd, within the mean's neighbourhood.
    for (mean, sd) in [
        (1.0, 1e-7),
        (1.0, 1e-9),
        (2.225_073_858_507_201_4e-308, 1.909_354e-317),
        (1e300, 1e-300),
        (1e10, 1e-3),
    ] {
        let d = Dist::gamma(mean, sd);
        if d.check_proper().is_err() {
            assert!(d.quantile(0.5).is_err());
            continue;
        }
        let q = monotone_quantiles(&d, &US);
        assert!(
            q.iter()
                .all(|x| (x - mean).abs() <= 9.0 * sd + 1e-12 * mean),
            "{q:?}"
        );
        assert!((d.cdf(q[4]).unwrap() - 0.5).abs() < 1e-6);
    }
    // Just above the Wilson–Hilferty threshold the median is
    // shape - 1/3 + 8 / (405 shape) times the scale.
    let shape = 4.0 * Dist::GAMMA_NORMAL_SHAPE;
    let d = Dist::gamma(shape, shape.sqrt());
    let m = d.quantile(0.5).unwrap();
    assert!((m - (shape - 1.0 / 3.0)).abs() < 1e-3, "{m}");
    // Equal tiny mean and sd, and other extremes: finite and monotone,
    // or refused (the sampler refuses a scale sd^2 / mean that rounds to
    // 0).
    for (mean, sd) in [
        (1.765_818_615_401_822_8e-304, 1.765_818_615_401_822_8e-304),
        (1e-200, 1e-200),
        (1e-300, 1e-280),
        (1e-10, 1e-7),
        (1e300, 1e302),
    ] {
        let d = Dist::gamma(mean, sd);
        if d.check_proper().is_ok() {
            monotone_quantiles(&d, &US);
        } else {
            assert!(d.quantile(0.5).is_err());
        }
    }
}
