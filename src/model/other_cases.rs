//! Rule 20 (other court cases, v3): a Poisson stream of cases that are
//! not transferees at a stage. They queue with the transferees (in
//! priority order, rule 21), take the stage's servers, and leave the model
//! when served; they have no record, only the desk's counts, and appear in
//! queues as [`OTHER`].
//!
//! # The other cases' lane
//!
//! Other cases are many (20 a day at a stage are 14,600 cases in two
//! years, more than twice the transferees of the `baseline`), and most of
//! what happens to them changes nothing a transferee could see: an arrival
//! that finds a free server takes it, a service that ends while no
//! transferee waits frees a server that nobody needs yet. So their events
//! are kept out of the calendar, in a lane per stage: the time of the next
//! arrival and a heap of the ends of their services
//! ([`OtherDesk`](super::court::OtherDesk)). The lane is brought up to
//! time `t` ([`Replication::advance_others`]: its events up to `t`
//! handled in time order, exactly as the calendar would) before anything
//! reads or changes the stage at `t` — a transferee joining, a service
//! ending, a case leaving the queue, a change of servers, the end-of-day
//! record — so the stage is then in the state the model defines.
//!
//! The one event of the lane that changes a transferee is the end of an
//! other case's service while a transferee waits: it may start the
//! transferee's service, which must happen at its time, since the
//! transferee's status and the end of its service are seen by the rest of
//! the model. So while a transferee waits at a stage, the calendar holds a
//! wake-up ([`Event::OtherWake`]) at the first end of an other case's
//! service there ([`Replication::wake_others`]); a wake-up that finds
//! nothing to do (a later one was due first) changes nothing.
//!
//! Order at equal times: the lane's events at `t` come before the
//! calendar's events at `t` that concern the stage (a service that ends
//! at the instant a transferee arrives frees its server first), and an
//! end of service before an arrival at the same instant. The random
//! stream of the other cases is drawn in the same order as when each of
//! their events went through the calendar (gaps and services in time
//! order).

use rand::distr::Distribution;

use super::court::begin_other;
use super::event::{Event, OTHER};
use super::replication::Replication;

impl Replication<'_> {
    /// Draws the first other case of each stage that has them: at `from`
    /// plus an exponential gap.
    pub(super) fn schedule_other_cases(&mut self) {
        let plan = self.plan;
        for (s, other) in plan.courts.others.iter().enumerate() {
            if let Some(o) = other {
                let k = &mut self.ws.desks[s];
                let at = o.from + o.gap.sample(&mut k.other.rng);
                if at <= plan.horizon {
                    k.other.next_arrival = at;
                    k.other_next = at;
                }
            }
        }
    }

    /// Brings the other cases' lane of stage `s` up to `t`: every arrival
    /// and end of service at or before `t`, in time order (see the module
    /// docs).
    ///
    /// Never inlined: its callers test `other_next <= t` first, which a
    /// version 2 scenario never passes.
    #[inline(never)]
    pub(super) fn advance_others(&mut self, s: usize, t: f64) {
        let plan = self.plan;
        let Some(o) = &plan.courts.others[s] else {
            return;
        };
        let horizon = plan.horizon;
        loop {
            let k = &mut self.ws.desks[s];
            if k.other_next > t {
                break;
            }
            let first_done = k.other.done.peek_time().unwrap_or(f64::INFINITY);
            if first_done <= k.other.next_arrival {
                // An other case's service ends: its server takes the next
                // case.
                k.other.done.pop();
                k.busy -= 1;
                k.other.busy -= 1;
                k.other.completed += 1;
                k.other_next = k
                    .other
                    .next_arrival
                    .min(k.other.done.peek_time().unwrap_or(f64::INFINITY));
                if k.waiting_cases() > 0 {
                    self.start_service(s, first_done);
                }
            } else {
                // An other case arrives: the next one is drawn, and this
                // one starts service if a server is free and nobody
                // waits, else waits at its priority level.
                let at = k.other.next_arrival;
                let next = at + o.gap.sample(&mut k.other.rng);
                k.other.next_arrival = if next <= horizon { next } else { f64::INFINITY };
                k.other_next = k.other.next_arrival.min(first_done);
                if k.waiting_cases() == 0 && k.busy < k.servers {
                    begin_other(k, horizon, at);
                } else {
                    k.qlen_other += 1;
                    k.push(o.level as usize, (OTHER, at));
                }
            }
        }
    }

    /// While a transferee waits at stage `s`, makes sure the calendar wakes
    /// the stage at the first end of an other case's service (see the
    /// module docs).
    ///
    /// Never inlined (see [`Replication::advance_others`]).
    #[inline(never)]
    pub(super) fn wake_others(&mut self, s: usize) {
        let k = &mut self.ws.desks[s];
        if k.qlen == 0 {
            return;
        }
        if let Some(at) = k.other.done.peek_time()
            && at < k.other.wake_at
        {
            k.other.wake_at = at;
            self.ws.cal.schedule(at, Event::OtherWake(s as u32));
        }
    }

    /// The wake-up of stage `s` at `t` (see [`Replication::wake_others`]):
    /// the lane up to `t`, and the next wake-up if a transferee still
    /// waits.
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    pub(super) fn other_wake(&mut self, s: usize, t: f64) {
        let k = &mut self.ws.desks[s];
        if t >= k.other.wake_at {
            k.other.wake_at = f64::INFINITY;
        }
        if k.other_next <= t {
            self.advance_others(s, t);
        }
        self.wake_others(s);
    }

    /// Every stage's lane up to `t` (before an end-of-day record, and at
    /// the horizon).
    pub(super) fn advance_all_others(&mut self, t: f64) {
        for s in 0..self.plan.courts.stages {
            if self.ws.desks[s].other_next <= t {
                self.advance_others(s, t);
                self.wake_others(s);
            }
        }
    }
}
