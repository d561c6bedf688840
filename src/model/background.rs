//! Rule 12 (the people already inside): background populations that turn
//! over, without one event per inmate.
//!
//! A facility's background inmates are anonymous. With exponential stays
//! of mean m and Poisson admissions of rate a, the count is a Markov chain
//! whose law over any interval is known exactly, so the model keeps counts
//! and advances them lazily: when occupancy is read (placement at an
//! arrival, free beds for `up_to_capacity`, a relocation) and at every
//! end-of-day record. Between update times t0 < t, with Δ = t − t0:
//!
//! - each of the N inside at t0 is still inside at t independently with
//!   probability e^(−Δ/m) (memorylessness), so survivors ~ Binomial(N,
//!   e^(−Δ/m));
//! - admissions in (t0, t] ~ Poisson(aΔ), and each, admitted at a uniform
//!   time, is still inside at t with probability m(1 − e^(−Δ/m))/Δ, so those
//!   still present ~ Binomial(admissions, m(1 − e^(−Δ/m))/Δ).
//!
//! These are the exact distributions of the counts at the update times,
//! whatever the update times are (they depend only on the past), so the
//! expected count on day t is N0·e^(−t/m) + a·m·(1 − e^(−t/m)), as a
//! per-inmate simulation would give, at the cost of a few draws per facility
//! and day instead of a heap event per inmate.
//!
//! People moved by a relocation keep their own exit law (rule 13): a
//! facility holds cohorts, one per mean stay (its own, and those of
//! facilities whose inmates were moved in), and only its own cohort
//! receives admissions. A population without `background` is a cohort that
//! never leaves (m = ∞).

use rand::RngExt;
use rand::distr::Distribution;
use rand::rngs::ChaCha8Rng;

use super::plan::BackgroundPlan;
use super::replication::Replication;

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

    fn sample(&self, rng: &mut ChaCha8Rng) -> u64 {
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
    day_stay: Prob,
    day_keep: Prob,
}

/// A probability ready for [`binomial`]: the value and the `ln(1 − p)` of
/// the side the inversion draws from, computed once.
#[derive(Debug, Clone, Copy)]
struct Prob {
    p: f64,
    ln_q: f64,
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
    fn turns_over(&self) -> bool {
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
fn binomial(rng: &mut ChaCha8Rng, n: u64, p: f64) -> u64 {
    binomial_prepared(rng, n, p, None)
}

/// Probability that one inside at the start of a step of `dt` days is
/// still inside at its end.
#[inline]
fn stay_probability(dt: f64, mean_stay: f64) -> f64 {
    (-dt / mean_stay).exp()
}

/// Probability that one admitted during a step of `dt` days (at a uniform
/// time) is still inside at its end.
#[inline]
fn keep_probability(dt: f64, mean_stay: f64) -> f64 {
    (mean_stay * -(-dt / mean_stay).exp_m1() / dt).clamp(0.0, 1.0)
}

/// [`binomial`] with `ln(1 − p)` of the drawn side given (a [`Prob`]'s
/// `ln_q`, for the same `p`) or computed.
#[inline]
fn binomial_prepared(rng: &mut ChaCha8Rng, n: u64, p: f64, ln_q: Option<f64>) -> u64 {
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
fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> u64 {
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

impl Replication<'_> {
    /// Brings every facility's background up to time `t` (a no-op when no
    /// facility's background turns over).
    #[inline]
    pub(super) fn sync_background(&mut self, t: f64) {
        if !self.plan.has_background {
            return;
        }
        for f in 0..self.cohorts.len() {
            self.sync_facility(f, t);
        }
    }

    /// Brings facility `f`'s background up to time `t`, with the exact
    /// aggregate draws of the module docs.
    fn sync_facility(&mut self, f: usize, t: f64) {
        let one_day = self.plan.background[f]
            .as_ref()
            .and_then(|b| b.one_day.as_ref());
        let rng = &mut self.rng.background[f];
        let (mut left, mut admitted, mut net) = (0u64, 0u64, 0i64);
        for (k, c) in self.cohorts[f].iter_mut().enumerate() {
            let dt = t - c.last;
            if dt <= 0.0 || !c.turns_over() {
                c.last = c.last.max(t);
                continue;
            }
            c.last = t;
            let before = c.n;
            let stay = c.mean_stay;
            // Survivors of those inside at the last update.
            let survivors = if dt == 1.0 {
                binomial_prepared(rng, c.n, c.day_stay.p, Some(c.day_stay.ln_q))
            } else {
                binomial(rng, c.n, stay_probability(dt, stay))
            };
            // Admissions since, and those of them still inside.
            let mut present = 0;
            if c.rate > 0.0 {
                let adm = match one_day {
                    Some(p) if k == 0 && dt == 1.0 => p.sample(rng),
                    _ => poisson(rng, c.rate * dt),
                };
                present = if dt == 1.0 {
                    binomial_prepared(rng, adm, c.day_keep.p, Some(c.day_keep.ln_q))
                } else {
                    binomial(rng, adm, keep_probability(dt, stay))
                };
                admitted += adm;
                left += adm - present;
            }
            left += before - survivors;
            c.n = survivors + present;
            net += c.n as i64 - before as i64;
        }
        self.bg_admitted[f] += admitted;
        self.bg_left[f] += left;
        self.bg[f] = self.bg[f].wrapping_add_signed(net);
        self.occ[f] = self.occ[f].wrapping_add_signed(net);
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
