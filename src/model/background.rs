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

use super::cohort::{binomial, binomial_prepared, keep_probability, poisson, stay_probability};
use super::replication::Replication;

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
        let plan_b = self.plan.background[f].as_ref();
        let one_day = plan_b.and_then(|b| b.one_day.as_ref());
        // The one-day draw is built for the rate of the plan: not for
        // another that a schedule set (rule 25).
        let plan_rate = plan_b.map_or(0.0, |b| b.rate);
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
                    Some(p) if k == 0 && dt == 1.0 && c.rate == plan_rate => p.sample(rng),
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
