//! The event loop of one replication ([`Plan::replicate`] and its
//! variants) and the dispatch of each event to its process's handler.

use super::conservation::ConservationError;
use super::event::Event;
use super::outcome::Outcome;
use super::plan::Plan;
use super::replication::Replication;
use super::workspace::Workspace;

impl Plan {
    /// Runs replication `index` of master seed `seed`.
    ///
    /// The result depends on `(seed, index)` alone. Conservation is checked
    /// at every end-of-day record.
    pub fn replicate(&self, seed: u64, index: u64) -> Outcome {
        let mut ws = Workspace::default();
        self.replicate_in(&mut ws, seed, index)
    }

    /// As [`Plan::replicate`], reusing the buffers of `ws` (one workspace per
    /// thread keeps allocation out of a long run).
    pub fn replicate_in(&self, ws: &mut Workspace, seed: u64, index: u64) -> Outcome {
        let mut rep = Replication::new(self, ws, seed, index, false);
        // Without per-event checks the loop cannot fail.
        let _ = rep.run();
        rep.outcome()
    }

    /// As [`Plan::replicate_in`], for a runner that folds the daily series
    /// itself: the metric values, in layout order, with the daily series
    /// left in `ws` ([`Workspace::series`]) rather than moved into an
    /// [`Outcome`], so that their buffer is reused.
    pub(crate) fn replicate_values(
        &self,
        ws: &mut Workspace,
        seed: u64,
        index: u64,
    ) -> Vec<Option<f64>> {
        let mut rep = Replication::new(self, ws, seed, index, false);
        let _ = rep.run();
        rep.values()
    }

    /// As [`Plan::replicate`], checking conservation after every event: each
    /// detainee in exactly one state, beds and court cases adding up.
    ///
    /// Slower; meant for tests.
    ///
    /// # Errors
    ///
    /// The first [`ConservationError`], which would be a bug in the engine.
    pub fn replicate_checked(&self, seed: u64, index: u64) -> Result<Outcome, ConservationError> {
        let mut ws = Workspace::default();
        let mut rep = Replication::new(self, &mut ws, seed, index, true);
        rep.run()?;
        Ok(rep.outcome())
    }
}

impl Replication<'_> {
    /// Runs the event loop to the horizon, recording each day.
    ///
    /// The loop is compiled twice: for a plan whose courts are version 2's
    /// ([`CourtPlan::plain`](super::courts::CourtPlan::plain)) without the
    /// version 3 court steps, whose flags it would otherwise test at every
    /// event (`docs/performance.md`, "Version 3 keys unused, line by
    /// line"), and for every other plan with them.
    pub(super) fn run(&mut self) -> Result<(), ConservationError> {
        if self.plan.courts.plain() {
            self.run_as::<false>()
        } else {
            self.run_as::<true>()
        }
    }

    /// [`Replication::run`]; `V3`: whether the plan's courts may use
    /// version 3 steps (routes, priorities, other cases, the appeal,
    /// deportation). Without them (`V3` false) those steps are left out
    /// at compile time, which is exact only for a plain plan.
    fn run_as<const V3: bool>(&mut self) -> Result<(), ConservationError> {
        let h = self.plan.horizon;
        let days = self.plan.horizon_days;
        let mut next_day = 1u32;
        // `next_day` as a time, to compare with each event's.
        let mut day_end = 1.0_f64;
        while let Some((t, ev)) = self.ws.cal.pop() {
            if t > h {
                // Nothing after the horizon is processed; the calendar is
                // cleared before the next replication.
                break;
            }
            while day_end < t {
                self.record(next_day);
                next_day += 1;
                day_end = f64::from(next_day);
            }
            #[cfg(test)]
            self.tally(ev);
            self.handle::<V3>(t, ev);
            if self.check {
                self.conservation(t, false)?;
            }
        }
        while next_day <= days {
            self.record(next_day);
            next_day += 1;
        }
        if V3 && self.plan.courts.has_others {
            // The other cases' lanes up to the horizon (their services
            // that end by then count as completed).
            self.advance_all_others(h);
        }
        Ok(())
    }

    /// Handles event `ev` at `t`.
    ///
    /// Inlined into the event loop, with the handlers of the events that
    /// come once or twice per detainee (departures, arrivals, service
    /// ends). The handlers of rarer ones (incidents, repatriations,
    /// relocations, sentence ends, deaths) and the rarer steps of the
    /// common ones (admission tests, sentencing) are never inlined: that
    /// made the loop's code a third smaller and a replication 1 to 2%
    /// faster on M/M/1 and the January plan alike (the sizes measured are
    /// in the docs of [`crate::engine`]).
    #[inline]
    fn handle<const V3: bool>(&mut self, t: f64, ev: Event) {
        match ev {
            Event::Expansion(i) => {
                let (_, f, beds) = self.plan.expansions[i as usize];
                self.add_beds(f, beds);
            }
            Event::ServerChange(i) => {
                let (_, s, n) = self.plan.schedule[i as usize];
                if self.ws.desks[s].other_next <= t {
                    self.advance_others(s, t);
                }
                self.ws.desks[s].servers = n;
                self.start_service(s, t);
                if self.ws.desks[s].other_next != f64::INFINITY {
                    self.wake_others(s);
                }
            }
            Event::Departure(p) => self.departure::<V3>(p as usize, t),
            Event::Arrival(c) => {
                let (start, len) = self.ws.convoys[c as usize];
                self.arrival::<V3>(start as usize, len as usize, t);
            }
            Event::Incident => self.incident(t),
            Event::ServiceDone { stage, d } => self.service_done::<V3>(stage as usize, d, t),
            Event::Repatriate(d) => self.repatriate(d, t),
            Event::Relocation(i) => self.relocation(i as usize, t),
            Event::Exit { d, executed } => self.sentence_ends(d, executed, t),
            Event::Death(d) => self.death(d, t),
            Event::Opens(f) => self.open_facility(f as usize, t),
            Event::AdmissionRate(i) => self.admission_rate(i as usize, t),
            Event::Release(i) => self.release_order(i as usize, t),
            Event::OtherWake(s) => self.other_wake(s as usize, t),
            Event::Deport(d) => self.deport(d),
        }
    }
}
