//! Rule 20 (other court cases, v3): a Poisson stream of cases that are
//! not transferees at a stage. They queue with the transferees (in
//! priority order, rule 21), take the stage's servers, and leave the model
//! when served; they have no record, only the desk's counts, and appear in
//! queues and service completions as [`OTHER`].

use rand::distr::Distribution;

use super::court::begin_other;
use super::event::{Event, OTHER};
use super::replication::Replication;

impl Replication<'_> {
    /// Schedules the first other case of each stage that has them: at
    /// `from` plus an exponential gap.
    pub(super) fn schedule_other_cases(&mut self) {
        let plan = self.plan;
        for (s, other) in plan.courts.others.iter().enumerate() {
            if let Some(o) = other {
                let k = &mut self.ws.desks[s];
                let at = o.from + o.gap.sample(&mut k.other.rng);
                if at <= plan.horizon {
                    self.ws.cal.schedule(at, Event::OtherArrival(s as u32));
                }
            }
        }
    }

    /// An other case arrives at stage `s` at `t`: the next one is
    /// scheduled, and this one starts service if a server is free and
    /// nobody waits, else waits at its priority level.
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    pub(super) fn other_arrival(&mut self, s: usize, t: f64) {
        let plan = self.plan;
        let Some(o) = &plan.courts.others[s] else {
            return;
        };
        let ws = &mut *self.ws;
        let k = &mut ws.desks[s];
        let next = t + o.gap.sample(&mut k.other.rng);
        if next <= plan.horizon {
            ws.cal.schedule(next, Event::OtherArrival(s as u32));
        }
        if k.waiting_cases() == 0 && k.busy < k.servers {
            begin_other(k, &mut ws.cal, plan.horizon, s, t);
        } else {
            k.qlen_other += 1;
            k.push(o.level as usize, (OTHER, t));
        }
    }

    /// An other case finishes service at stage `s` at `t`; its server
    /// takes the next case.
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    pub(super) fn other_done(&mut self, s: usize, t: f64) {
        let k = &mut self.ws.desks[s];
        k.busy -= 1;
        k.other.busy -= 1;
        k.other.completed += 1;
        self.start_service(s, t);
    }
}
