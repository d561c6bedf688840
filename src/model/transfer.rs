//! Rule 2 (transfer: phases, pauses, caps, admission, boarding, transit)
//! and rule 3 (escapes from the Syrian pool).

use rand::RngExt;
use rand::distr::Distribution;

use super::event::Event;
use super::replication::Replication;
use super::workspace::Detainee;
use crate::dist::sampler::bernoulli;

impl Replication<'_> {
    /// Whether `t` falls in a pause `[from, to)`.
    fn paused(&self, t: f64) -> bool {
        let pauses = &self.plan.pauses;
        let i = pauses.partition_point(|p| p.0 <= t);
        i > 0 && t < pauses[i - 1].1
    }

    /// A departure of phase `p` at time `t`.
    #[inline]
    pub(super) fn departure<const V3: bool>(&mut self, p: usize, t: f64) {
        let plan = self.plan;
        if self.ws.pool.is_empty()
            || !plan.plain_departures
                && (t >= plan.until || plan.target_total.is_some_and(|n| self.boarded as u64 >= n))
        {
            // The pool never refills and the transfer's end (rule 8) never
            // lifts: the timetable can stop.
            return;
        }
        let phase = &plan.phases[p];
        let next = t + phase.interval.sample(&mut self.rng.timetable);
        if next < phase.stop {
            self.ws.cal.schedule(next, Event::Departure(p as u32));
        }
        // Drawn for every departure, made or not (common random numbers).
        let drawn = match phase.fixed_size {
            Some(n) => n,
            None => phase.size.sample_count(&mut self.rng.size),
        };
        let transit = plan.transit.sample(&mut self.rng.transit);
        let mut size = drawn.min(self.ws.pool.len() as u64);
        if !plan.plain_departures {
            size = self.admitted(t, size);
        }
        if size == 0 {
            return;
        }
        // One store per convoy: whether the transfer has ended (pool
        // empty, target reached, end day passed) is read at the horizon,
        // and then this is the day it ended (`transfer_ended_day`).
        self.last_departure = Some(t);
        let start = self.boarded;
        let end = start + size as usize;
        if plan.uniform_pool {
            // Every label in the pool is the same, so whom a uniform draw
            // picks makes no difference: board from the end without a
            // draw. The boarding stream serves nothing else, so skipping
            // its draws changes no other number.
            let label = self.ws.pool[0];
            let left = self.ws.pool.len() - size as usize;
            self.ws.pool.truncate(left);
            let boarding = Detainee::boarding(label);
            match &mut self.ws.det[start..end] {
                // A convoy of one (a Poisson arrival process) needs no
                // loop: `fill` costs about 20 instructions to set one up.
                [one] => *one = boarding,
                all => all.fill(boarding),
            }
        } else {
            for d in start..end {
                let j = self.rng.boarding.random_range(0..self.ws.pool.len());
                self.ws.det[d] = Detainee::boarding(self.ws.pool.swap_remove(j));
            }
        }
        self.boarded += size as usize;
        self.in_transit += size;
        self.week_used += size;
        let arrive = t + transit;
        if arrive == t && self.ws.cal.peek_time().is_none_or(|next| next > t) {
            // No transit and nothing else pending at `t`: the arrival would
            // be the very next event, so it runs now, in exactly the order
            // the calendar would give it, without a round trip through it.
            self.arrival::<V3>(start, size as usize, t);
        } else if arrive <= plan.horizon {
            let convoy = self.ws.convoys.len() as u32;
            self.ws.convoys.push((start as u32, size as u32));
            self.ws.cal.schedule(arrive, Event::Arrival(convoy));
        }
    }

    /// How many of the `size` drawn (and in the pool) a departure at `t`
    /// boards, after pauses, the target total, the weekly cap and
    /// admission up to capacity (rules 2 and 8); 0 in a pause. Called only
    /// when the scenario has one of them.
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    fn admitted(&mut self, t: f64, mut size: u64) -> u64 {
        let plan = self.plan;
        if self.paused(t) {
            return 0;
        }
        if let Some(n) = plan.target_total {
            // The convoy that reaches the target is cut down to fit.
            size = size.min(n - self.boarded as u64);
        }
        if let Some(cap) = plan.weekly_cap {
            let week = (t / 7.0).floor() as u64;
            if week != self.week {
                self.week = week;
                self.week_used = 0;
            }
            size = size.min(cap.saturating_sub(self.week_used));
        }
        if plan.up_to_capacity {
            self.sync_background(t);
            let free: u64 = plan
                .receiving
                .iter()
                .map(|&f| self.cap[f].saturating_sub(self.occ[f]))
                .sum();
            size = size.min(free.saturating_sub(self.in_transit));
        }
        size
    }

    /// Schedules the next incident after `t`, if escapes are on and anyone
    /// is left to escape.
    pub(super) fn schedule_incident(&mut self, t: f64) {
        if let Some(e) = &self.plan.escape
            && !self.ws.pool.is_empty()
        {
            let next = t + e.gap.sample(&mut self.rng.escape);
            if next <= self.plan.horizon {
                self.ws.cal.schedule(next, Event::Incident);
            }
        }
    }

    /// A security incident: each detainee in the pool escapes independently
    /// with the escape probability. The number escaping is drawn as a
    /// binomial, then that many are picked uniformly from the pool, which is
    /// the same law.
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    pub(super) fn incident(&mut self, t: f64) {
        let Some(e) = &self.plan.escape else { return };
        let n = self.ws.pool.len() as u64;
        let k = if e.probability >= 1.0 {
            n
        } else if n == 0 || e.probability <= 0.0 {
            0
        } else if n == 1 {
            u64::from(bernoulli(&mut self.rng.escape, e.probability))
        } else {
            rand_distr::Binomial::new(n, e.probability)
                .map_or(0, |b| b.sample(&mut self.rng.escape))
        };
        for _ in 0..k {
            let j = self.rng.escape.random_range(0..self.ws.pool.len());
            self.ws.pool.swap_remove(j);
        }
        self.escaped += k;
        self.schedule_incident(t);
    }
}
