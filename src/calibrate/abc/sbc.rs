//! Known-answer and coverage checks of the ABC-PMC engine on cheap models
//! whose posteriors are known, run in every `cargo test --release`.
//!
//! **Simulation-based calibration** (Talts, Betancourt, Simpson, Vehtari
//! & Gelman 2018, "Validating Bayesian inference algorithms with
//! simulation-based calibration", arXiv:1804.06788). Draw a truth θ* from
//! the prior, simulate data from θ*, fit, and record where θ* falls in its
//! posterior. If the fit returns the posterior, that position is uniform on
//! \[0, 1\] over repeated trials, whatever the prior and the data: the
//! posterior's intervals then hold their truths as often as they say. A
//! posterior too narrow piles positions at the ends; too wide, in the
//! middle; biased, on one side.
//!
//! With weighted particles the position is the weighted empirical CDF at
//! the truth, u = Σᵢ wᵢ 1{θᵢ < θ*} (the rank of θ* among L draws
//! resampled from the particles is Binomial(L, u), uniform on 0..=L when u
//! is uniform, so nothing is lost by not resampling).

use rand::SeedableRng;
use rand::distr::Distribution;
use rand::rngs::ChaCha8Rng;

use super::{Abc, Engine, Scales, Simulator, StopRule};
use crate::calibrate::{ObservationKind, Prior};
use crate::error::Error;
use crate::model::Workspace;

/// A generator for a test model's simulation `index` of `seed`: keyed by
/// the seed itself, so apart from the engine's own draws (which
/// [`aux_rng`](crate::calibrate::aux_rng) keys by a hash of the seed).
fn model_rng(seed: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    rng
}

/// A count of events of a Poisson process of rate λ over `days` days:
/// Y ~ Poisson(λ × days). With a gamma prior on λ the posterior is gamma
/// (conjugate), and since Y is a count, a tolerance of 0 (Y = y exactly)
/// makes the ABC posterior the exact one.
struct PoissonCount {
    days: f64,
}

impl Simulator for PoissonCount {
    fn observe(
        &self,
        _: &mut Workspace,
        theta: &[f64],
        seed: u64,
        index: u64,
        out: &mut Vec<f64>,
    ) -> Result<(), Error> {
        let mut rng = model_rng(seed, index);
        let y: f64 =
            rand_distr::Poisson::new(theta[0] * self.days).map_or(0.0, |p| p.sample(&mut rng));
        out.clear();
        out.push(y);
        Ok(())
    }
}

/// Two parameters read by two rows in units 1,000 apart: row 1 is
/// a + N(0, 1), row 2 is 1,000 × b + N(0, 1,000).
struct TwoScales;

impl Simulator for TwoScales {
    fn observe(
        &self,
        _: &mut Workspace,
        theta: &[f64],
        seed: u64,
        index: u64,
        out: &mut Vec<f64>,
    ) -> Result<(), Error> {
        let mut rng = model_rng(seed, index);
        let z1: f64 = rand_distr::StandardNormal.sample(&mut rng);
        let z2: f64 = rand_distr::StandardNormal.sample(&mut rng);
        out.clear();
        out.push(theta[0] + z1);
        out.push(1000.0 * theta[1] + 1000.0 * z2);
        Ok(())
    }
}

/// The upper 0.1% point of the chi-square distribution with 9 degrees of
/// freedom (10 bins): P(χ²₉ > 27.877) = 0.001.
const CHI2_9_999: f64 = 27.877;

/// Pearson's chi-square statistic of `u` (values in \[0, 1\]) against
/// the uniform, over `bins` equal bins.
fn chi_square_uniform(u: &[f64], bins: usize) -> (f64, Vec<usize>) {
    let mut count = vec![0usize; bins];
    for &x in u {
        count[((x * bins as f64) as usize).min(bins - 1)] += 1;
    }
    let e = u.len() as f64 / bins as f64;
    let stat = count.iter().map(|&c| (c as f64 - e).powi(2) / e).sum();
    (stat, count)
}

/// The weighted empirical CDF of the particles' first parameter at `x`.
fn position(p: &crate::calibrate::Posterior, x: f64) -> f64 {
    p.particles
        .iter()
        .zip(&p.weights)
        .filter(|(t, _)| t[0] < x)
        .map(|(_, w)| w)
        .sum()
}

/// Simulation-based calibration of the whole engine (prior draws,
/// kernel, importance weights, tolerance schedule) on the gamma-Poisson
/// model: 200 trials, each drawing λ* from the Gamma(4, rate 2) prior (a
/// rate of 2 a day, sd 1), one count over 10 days from it, and fitting
/// it with 200 particles down to tolerance 0 (an exact match, so the ABC
/// posterior is the exact Gamma(4 + y, 2 + 10)). The positions of λ* in
/// their posteriors, in 10 bins, must pass Pearson's chi-square test of
/// uniformity at the 0.1% level (statistic ≤ 27.877, 9 degrees of
/// freedom). Fixed seeds: the verdict is the same on every run; a wrong
/// weight, a kernel density off by a factor that depends on θ, or a
/// schedule that stops early shifts or piles the positions. About 2
/// million cheap simulations: a few seconds in release.
#[test]
fn simulation_based_calibration_of_the_gamma_poisson_fit() {
    let prior = Prior::parse(r#"lambda={dist="gamma",mean=2,sd=1}"#).unwrap();
    let truth = rand_distr::Gamma::new(4.0, 0.5).unwrap();
    let model = PoissonCount { days: 10.0 };
    let trials = 200u64;
    let mut u = Vec::new();
    let mut inside90 = 0;
    for trial in 0..trials {
        let mut rng = ChaCha8Rng::seed_from_u64(7_000 + trial);
        let lambda: f64 = truth.sample(&mut rng);
        let y: f64 = rand_distr::Poisson::new(lambda * 10.0)
            .unwrap()
            .sample(&mut rng);
        let engine = Engine {
            model: &model,
            priors: std::slice::from_ref(&prior),
            integer: vec![false],
            observed: vec![y],
            kinds: vec![ObservationKind::Value],
            scale: vec![1.0],
        };
        let settings = Abc {
            particles: 200,
            target_acceptance: 0.0,
            final_tolerance: 0.0,
            max_simulations: 200_000,
            max_generations: 60,
            seed: trial + 1,
            threads: 1,
            ..Abc::default()
        };
        let p = engine.run(&settings, None).unwrap();
        assert_eq!(p.stop_rule, StopRule::FinalTolerance, "{}", p.stopped);
        assert_eq!(p.tolerance_schedule.last(), Some(&0.0));
        let x = position(&p, lambda);
        inside90 += usize::from((0.05..=0.95).contains(&x));
        u.push(x);
    }
    let (stat, count) = chi_square_uniform(&u, 10);
    println!(
        "SBC positions per decile {count:?}, chi-square {stat:.2}, 90% intervals cover {inside90}/{trials}"
    );
    assert!(
        stat <= CHI2_9_999,
        "positions per decile {count:?}: chi-square {stat:.2} > {CHI2_9_999}"
    );
}

/// The power of the check above: on the same trials, a posterior twice
/// as narrow as the exact one (its normal approximation at half the sd)
/// must fail it. A check that passes everything would pass here too.
#[test]
fn simulation_based_calibration_rejects_a_posterior_that_is_too_narrow() {
    let trials = 200u64;
    let mut u = Vec::new();
    let truth = rand_distr::Gamma::new(4.0, 0.5).unwrap();
    for trial in 0..trials {
        let mut rng = ChaCha8Rng::seed_from_u64(7_000 + trial);
        let lambda: f64 = truth.sample(&mut rng);
        let y: f64 = rand_distr::Poisson::new(lambda * 10.0)
            .unwrap()
            .sample(&mut rng);
        let (a, b) = (4.0 + y, 12.0);
        let (mean, sd) = (a / b, a.sqrt() / b);
        // The normal approximation, at half the sd.
        let z = (lambda - mean) / (0.5 * sd);
        u.push(0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2));
    }
    let (stat, count) = chi_square_uniform(&u, 10);
    assert!(stat > CHI2_9_999, "{count:?}: {stat}");
}

/// Adaptive scales on two rows 1,000 apart in units: row 1 reads a (noise
/// sd 1), row 2 reads 1,000 × b (noise sd 1,000), a and b uniform on
/// \[0, 10\] a priori (sd 2.89). The observations are drawn at a = 3, b = 7.
/// Each row alone gives a posterior sd of about 1 (the noise divided by
/// the slope), so the exact posterior of each is about N(observation /
/// slope, 1), about 2.9 times narrower than the prior. With
/// [`Scales::Adaptive`], both rows weigh alike, and the fit must recover
/// both: each posterior mean within 3 posterior sds of the truth, and
/// each posterior sd below 0.5 × the prior's (a stated narrowing factor
/// of at least 2, with room for the ABC tolerance above 0).
#[test]
fn adaptive_scales_recover_two_parameters_in_units_1000_apart() {
    let priors = [
        Prior::parse(r#"a={dist="uniform",low=0,high=10}"#).unwrap(),
        Prior::parse(r#"b={dist="uniform",low=0,high=10}"#).unwrap(),
    ];
    let (a, b) = (3.0, 7.0);
    let mut out = Vec::new();
    TwoScales
        .observe(&mut Workspace::default(), &[a, b], 99, 0, &mut out)
        .unwrap();
    // No sd column: the default scales would be max(1, 5% of the value).
    let default_scale: Vec<f64> = out.iter().map(|o| (0.05 * o.abs()).max(1.0)).collect();
    let engine = Engine {
        model: &TwoScales,
        priors: &priors,
        integer: vec![false, false],
        observed: out.clone(),
        kinds: vec![ObservationKind::Value; 2],
        scale: default_scale,
    };
    let settings = Abc {
        particles: 1000,
        max_simulations: 60_000,
        target_acceptance: 0.05,
        seed: 5,
        threads: 1,
        scales: Scales::Adaptive,
        ..Abc::default()
    };
    let p = engine.run(&settings, None).unwrap();
    // This budget runs out during a generation: it is reported, marked
    // incomplete, and the posterior is the complete one before it.
    assert_eq!(p.stop_rule, StopRule::BudgetExhausted, "{}", p.stopped);
    let dropped = p.generations.last().unwrap();
    let kept = &p.generations[p.generations.len() - 2];
    assert!(!dropped.complete && dropped.ess.is_none() && dropped.accepted < 1000);
    assert!(kept.complete && kept.generation + 1 == dropped.generation);
    assert_eq!(p.tolerance_schedule.last(), Some(&kept.tolerance));
    assert_eq!(
        p.generations.iter().map(|g| g.simulations).sum::<u64>(),
        p.simulations
    );
    assert_eq!(kept.ess, Some(p.ess()));
    let note = p.stop_note.as_deref().unwrap();
    assert!(
        note.contains(&format!("the posterior is generation {}", kept.generation)),
        "{note}"
    );
    // The scales are the prior predictive spreads, about 1,000 times apart.
    let ratio = p.scales[1] / p.scales[0];
    assert!((300.0..3000.0).contains(&ratio), "{:?}", p.scales);
    let prior_sd = 10.0 / 12f64.sqrt();
    for (d, (s, truth)) in p.summary().iter().zip([a, b]).enumerate() {
        println!(
            "parameter {d}: mean {:.3} sd {:.3} (truth {truth}, observed {:.1}), ESS {:.0}, {} simulations, {}",
            s.mean, s.sd, out[d], s.ess, p.simulations, p.stopped
        );
        assert!(
            (s.mean - truth).abs() <= 3.0 * s.sd,
            "parameter {d}: mean {} sd {} truth {truth}",
            s.mean,
            s.sd
        );
        assert!(
            s.sd < 0.5 * prior_sd,
            "parameter {d}: sd {} not below half the prior's {prior_sd}",
            s.sd
        );
    }
}

/// The adaptive scales: 1.4826 × the MAD; the mean absolute deviation
/// where more than half agree; the fallback where all do.
#[test]
fn adaptive_scales_are_robust_spreads() {
    let outs: Vec<Vec<f64>> = [
        [1.0, 5.0, 7.0],
        [2.0, 5.0, 7.0],
        [3.0, 5.0, 7.0],
        [4.0, 5.0, 7.0],
        [100.0, 9.0, 7.0],
    ]
    .iter()
    .map(|r| r.to_vec())
    .collect();
    let s = super::machine::adaptive_scales(&outs, &[0.5, 0.5, 0.5]);
    // Row 1: median 3, deviations 2,1,0,1,97: MAD 1.
    assert!((s[0] - 1.4826).abs() < 1e-12, "{s:?}");
    // Row 2: median 5, deviations 0,0,0,0,4: MAD 0, mean 0.8.
    assert!((s[1] - 1.2533 * 0.8).abs() < 1e-12, "{s:?}");
    assert_eq!(s[2], 0.5);
}

/// A model without noise: the observed row is θ itself.
struct Identity;

impl Simulator for Identity {
    fn observe(
        &self,
        _: &mut Workspace,
        theta: &[f64],
        _: u64,
        _: u64,
        out: &mut Vec<f64>,
    ) -> Result<(), Error> {
        out.clear();
        out.push(theta[0]);
        Ok(())
    }
}

/// A calibration whose only information is a bound: θ uniform on
/// \[0, 10\], observed without noise, and one row "at least 6". The exact
/// posterior is the prior restricted to \[6, 10\] (uniform there); at
/// tolerance 0 (a met bound has distance 0) every particle must lie in
/// it, and the posterior mean be 8 within 4 standard errors (sd
/// 4/√12 over √ESS). The same row as "at most 6" puts it on \[0, 6\],
/// mean 3. With either scale rule.
#[test]
fn a_bound_alone_confines_the_posterior_to_the_side_it_allows() {
    let prior = Prior::parse(r#"theta={dist="uniform",low=0,high=10}"#).unwrap();
    for scales in [Scales::Sd, Scales::Adaptive] {
        for (kind, low, high) in [
            (ObservationKind::AtLeast, 6.0, 10.0),
            (ObservationKind::AtMost, 0.0, 6.0),
        ] {
            let engine = Engine {
                model: &Identity,
                priors: std::slice::from_ref(&prior),
                integer: vec![false],
                observed: vec![6.0],
                kinds: vec![kind],
                scale: vec![1.0],
            };
            let settings = Abc {
                particles: 400,
                target_acceptance: 0.0,
                max_simulations: 50_000,
                seed: 11,
                threads: 1,
                scales,
                ..Abc::default()
            };
            let p = engine.run(&settings, None).unwrap();
            assert_eq!(p.stop_rule, StopRule::FinalTolerance, "{}", p.stopped);
            assert!(
                p.particles.iter().all(|t| (low..=high).contains(&t[0])),
                "{kind:?} {scales:?}: a particle outside [{low}, {high}]"
            );
            let s = &p.summary()[0];
            let se = (high - low) / 12f64.sqrt() / s.ess.sqrt();
            let mean = 0.5 * (low + high);
            assert!(
                (s.mean - mean).abs() <= 4.0 * se,
                "{kind:?} {scales:?}: mean {} vs {mean} (se {se})",
                s.mean
            );
        }
    }
}

/// A bound on a noisy count: λ uniform on \[0, 4\], Y ~ Poisson(10 λ),
/// and the one row "Y at least 20". At tolerance 0 the ABC posterior is
/// exactly the prior times P(Y ≥ 20 | λ), normalised; its mean is
/// computed here by quadrature and the fit's must agree within 4
/// standard errors.
#[test]
fn a_bound_on_a_poisson_count_gives_the_exact_posterior_mean() {
    let prior = Prior::parse(r#"lambda={dist="uniform",low=0,high=4}"#).unwrap();
    let model = PoissonCount { days: 10.0 };
    let engine = Engine {
        model: &model,
        priors: std::slice::from_ref(&prior),
        integer: vec![false],
        observed: vec![20.0],
        kinds: vec![ObservationKind::AtLeast],
        scale: vec![1.0],
    };
    let settings = Abc {
        particles: 1000,
        target_acceptance: 0.0,
        max_simulations: 100_000,
        seed: 3,
        threads: 1,
        ..Abc::default()
    };
    let p = engine.run(&settings, None).unwrap();
    assert_eq!(p.stop_rule, StopRule::FinalTolerance, "{}", p.stopped);
    // P(Poisson(m) >= 20) = 1 - Σ_{k<20} e^-m m^k / k!.
    let meets = |l: f64| {
        let m = 10.0 * l;
        let (mut term, mut cdf) = ((-m).exp(), 0.0);
        for k in 0..20 {
            cdf += term;
            term *= m / f64::from(k + 1);
        }
        1.0 - cdf
    };
    let steps = 40_000;
    let (mut z, mut first, mut second) = (0.0, 0.0, 0.0);
    for i in 0..steps {
        let l = 4.0 * (f64::from(i) + 0.5) / f64::from(steps);
        let w = meets(l);
        z += w;
        first += w * l;
        second += w * l * l;
    }
    let (mean, var) = (first / z, second / z - (first / z).powi(2));
    let s = &p.summary()[0];
    let se = var.sqrt() / s.ess.sqrt();
    println!(
        "posterior mean {} (exact {mean}, se {se}), sd {} (exact {})",
        s.mean,
        s.sd,
        var.sqrt()
    );
    assert!(
        (s.mean - mean).abs() <= 4.0 * se,
        "mean {} vs {mean} (se {se})",
        s.mean
    );
    assert!(
        (s.sd / var.sqrt() - 1.0).abs() < 0.15,
        "sd {} vs {}",
        s.sd,
        var.sqrt()
    );
}
