//! Background cohorts (rule 12): a facility's turnover as the plan
//! resolves it, the inmates of one facility that share an exit law, and
//! the exact draws that advance their counts (the `background` module says
//! why they are exact). `background.rs` brings a replication's cohorts up
//! to a time with them.

use rand::RngExt;
use rand::distr::Distribution;
use rand::rngs::ChaCha8Rng;

/// A facility's background turnover, as the plan resolves it.
#[derive(Debug, Clone)]
pub(crate) struct BackgroundPlan {
    /// Admissions \[persons per day\] from the facility's opening (day 0
    /// unless it opens later; the rate of its schedule then, rule 25).
    pub(crate) rate: f64,
    /// Mean stay \[days\].
    pub(crate) mean_stay: f64,
    /// Admissions over one whole day, built once.
    pub(crate) one_day: Option<OneDay>,
}

/// Admissions over one whole day, Poisson(a), ready to draw.
#[derive(Debug, Clone)]
pub(crate) enum OneDay {
    /// By inversion, with e^(−a).
    Inversion { rate: f64, p0: f64 },
    /// rand_distr's, for a large rate.
    Large(rand_distr::Poisson<f64>),
}

impl OneDay {
    pub(crate) fn new(rate: f64) -> OneDay {
        if rate < INVERSION_MEAN {
            OneDay::Inversion {
                rate,
                p0: (-rate).exp(),
            }
        } else {
            OneDay::Large(rand_distr::Poisson::new(rate).unwrap_or_else(|e| {
                panic!("custody-sim internal error: validation let through admissions_per_day {rate}: {e}")
            }))
        }
    }

    pub(super) fn sample(&self, rng: &mut ChaCha8Rng) -> u64 {
        match self {
            OneDay::Inversion { rate, p0 } => poisson_inversion(rng, *rate, *p0),
            OneDay::Large(p) => p.sample(rng) as u64,
        }
    }
}

/// Background inmates of one facility that share an exit law.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cohort {
    /// Inside now \[persons\].
    pub(crate) n: u64,
    /// Mean stay \[days\]; infinity: never leaves.
    pub(crate) mean_stay: f64,
    /// Admissions into this cohort \[persons per day\] (the facility's own
    /// cohort only).
    pub(crate) rate: f64,
    /// Time the count was last brought up to date \[days\].
    pub(crate) last: f64,
    /// Over one whole day (the common step, from one end-of-day record to
    /// the next): the probability of staying, e^(−1/m), and that an
    /// admission of the day is still inside, m(1 − e^(−1/m)), computed
    /// once with the very operations of a step of any length, so that the
    /// draws are the same.
    pub(super) day_stay: Prob,
    pub(super) day_keep: Prob,
}

/// A probability ready for [`binomial`]: the value and the `ln(1 − p)` of
/// the side the inversion draws from, computed once.
#[derive(Debug, Clone, Copy)]
pub(super) struct Prob {
    pub(super) p: f64,
    pub(super) ln_q: f64,
}

impl Prob {
    fn new(p: f64) -> Prob {
        let side = if p > 0.5 { 1.0 - p } else { p };
        Prob {
            p,
            ln_q: (-side).ln_1p(),
        }
    }
}

impl Cohort {
    /// A facility's own cohort on day 0.
    pub(crate) fn native(n: u64, plan: Option<&BackgroundPlan>) -> Cohort {
        Cohort::new(
            n,
            plan.map_or(f64::INFINITY, |b| b.mean_stay),
            plan.map_or(0.0, |b| b.rate),
            0.0,
        )
    }

    /// A cohort of `n` with mean stay `mean_stay` and admissions `rate`,
    /// up to date at `last`.
    pub(crate) fn new(n: u64, mean_stay: f64, rate: f64, last: f64) -> Cohort {
        Cohort {
            n,
            mean_stay,
            rate,
            last,
            day_stay: Prob::new(stay_probability(1.0, mean_stay)),
            day_keep: Prob::new(keep_probability(1.0, mean_stay)),
        }
    }

    /// Whether the count can change with time.
    pub(super) fn turns_over(&self) -> bool {
        self.rate > 0.0 || (self.mean_stay.is_finite() && self.n > 0)
    }
}

/// Binomial(n, p) draw; `p` in \[0, 1\].
///
/// A daily update draws from binomials whose n changes every day, so a
/// setup per draw dominates: for a small mean (n·min(p, 1 − p) below
/// [`INVERSION_MEAN`], the common case of a day's departures from a
/// population of thousands) the draw inverts the distribution function
/// term by term (BINV, Kachitvichyanukul and Schmeiser 1988), which needs
/// no setup; otherwise rand_distr's BTPE.
pub(super) fn binomial(rng: &mut ChaCha8Rng, n: u64, p: f64) -> u64 {
    binomial_prepared(rng, n, p, None)
}

/// Probability that one inside at the start of a step of `dt` days is
/// still inside at its end.
#[inline]
pub(super) fn stay_probability(dt: f64, mean_stay: f64) -> f64 {
    (-dt / mean_stay).exp()
}

/// Probability that one admitted during a step of `dt` days (at a uniform
/// time) is still inside at its end.
#[inline]
pub(super) fn keep_probability(dt: f64, mean_stay: f64) -> f64 {
    (mean_stay * -(-dt / mean_stay).exp_m1() / dt).clamp(0.0, 1.0)
}

/// [`binomial`] with `ln(1 − p)` of the drawn side given (a [`Prob`]'s
/// `ln_q`, for the same `p`) or computed.
#[inline]
pub(super) fn binomial_prepared(rng: &mut ChaCha8Rng, n: u64, p: f64, ln_q: Option<f64>) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let (flip, p) = if p > 0.5 { (true, 1.0 - p) } else { (false, p) };
    let x = if (n as f64) * p < INVERSION_MEAN {
        binomial_inversion(rng, n, p, ln_q.unwrap_or_else(|| (-p).ln_1p()))
    } else {
        rand_distr::Binomial::new(n, p)
            .unwrap_or_else(|e| panic!("custody-sim internal error: Binomial({n}, {p}): {e}"))
            .sample(rng)
    };
    if flip { n - x } else { x }
}

/// Poisson(λ) draw: by inversion for λ up to [`INVERSION_MEAN`], no setup;
/// otherwise rand_distr's.
pub(super) fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> u64 {
    if lambda < INVERSION_MEAN {
        poisson_inversion(rng, lambda, (-lambda).exp())
    } else {
        rand_distr::Poisson::new(lambda)
            .map(|p| p.sample(rng) as u64)
            .unwrap_or_else(|e| panic!("custody-sim internal error: Poisson({lambda}): {e}"))
    }
}

/// Poisson(λ) by sequential inversion, given e^(−λ) (λ small).
pub(crate) fn poisson_inversion(rng: &mut ChaCha8Rng, lambda: f64, p0: f64) -> u64 {
    loop {
        let mut u: f64 = rng.random();
        let mut r = p0;
        let mut x = 0u64;
        while u > r {
            u -= r;
            x += 1;
            r *= lambda / x as f64;
            if r == 0.0 {
                break;
            }
        }
        if r > 0.0 || u <= r {
            return x;
        }
        // Rounding left u beyond the whole mass: draw again.
    }
}

/// Largest mean n·p drawn by inversion.
const INVERSION_MEAN: f64 = 30.0;

/// Binomial(n, p) by sequential inversion, for p <= 0.5 and a small mean:
/// the probability of 0 is (1 − p)^n, each next one the previous times
/// (n − x + 1)/x · p/(1 − p).
fn binomial_inversion(rng: &mut ChaCha8Rng, n: u64, p: f64, ln_q: f64) -> u64 {
    let q = 1.0 - p;
    let s = p / q;
    let a = (n as f64 + 1.0) * s;
    let r0 = (n as f64 * ln_q).exp();
    loop {
        let mut u: f64 = rng.random();
        let mut r = r0;
        let mut x = 0u64;
        while u > r {
            u -= r;
            x += 1;
            if x > n {
                break;
            }
            r *= a / x as f64 - s;
        }
        if x <= n {
            return x;
        }
        // Rounding left u beyond the whole mass (probability ~1e-16):
        // draw again.
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// The inversion draws match the binomial's mean and variance: n = 14000,
    /// p = 1/1200 (mean 11.67, variance 11.66), 200,000 draws; the sample
    /// mean within 4.5 standard errors, the variance within 2%. The flipped
    /// side (p close to 1) gives n minus such a draw.
    #[test]
    fn inversion_has_the_binomial_moments() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (n, p) = (14_000u64, 1.0 / 1200.0);
        let k = 200_000;
        let xs: Vec<f64> = (0..k).map(|_| binomial(&mut rng, n, p) as f64).collect();
        let mean = xs.iter().sum::<f64>() / k as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (k as f64 - 1.0);
        let (m0, v0) = (n as f64 * p, n as f64 * p * (1.0 - p));
        assert!(
            (mean - m0).abs() < 4.5 * (v0 / k as f64).sqrt(),
            "mean {mean} vs {m0}"
        );
        assert!((var / v0 - 1.0).abs() < 0.02, "variance {var} vs {v0}");
        let y = binomial(&mut rng, n, 1.0 - p);
        assert!(y <= n && y > n - 100, "{y}");
        assert_eq!(binomial(&mut rng, 5, 1.0), 5);
        // Poisson(12) by inversion: mean and variance 12.
        let ys: Vec<f64> = (0..k).map(|_| poisson(&mut rng, 12.0) as f64).collect();
        let mean = ys.iter().sum::<f64>() / k as f64;
        let var = ys.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (k as f64 - 1.0);
        assert!(
            (mean - 12.0).abs() < 4.5 * (12.0 / k as f64).sqrt(),
            "mean {mean}"
        );
        assert!((var / 12.0 - 1.0).abs() < 0.02, "variance {var}");
        assert_eq!(binomial(&mut rng, 0, 0.3), 0);
    }
}
