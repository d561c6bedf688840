//! One replication: its state, the event loop and the dispatch of each
//! event to its process's handler.

use super::background;
use super::capacity::CapacityState;
use super::conservation::ConservationError;
use super::court;
use super::courts::CourtCounts;
use super::event::{Event, Status};
use super::outcome::{self, Outcome};
use super::plan::Plan;
use super::streams::Streams;
#[cfg(test)]
use super::tally;
use super::workspace::{Detainee, Workspace};

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

/// The state of one running replication.
pub(crate) struct Replication<'a> {
    pub(super) plan: &'a Plan,
    pub(super) ws: &'a mut Workspace,
    pub(super) rng: Streams,
    pub(super) check: bool,
    // Transfer.
    pub(super) boarded: usize,
    pub(super) in_transit: u64,
    pub(super) week: u64,
    pub(super) week_used: u64,
    pub(super) transferred: u64,
    pub(super) transferred_g: Vec<u64>,
    pub(super) last_arrival: Option<f64>,
    /// Time of the last departure that boarded anyone (for
    /// `transfer_ended_day`, read at the horizon).
    pub(super) last_departure: Option<f64>,
    pub(super) escaped: u64,
    // Custody.
    pub(super) occ: Vec<u64>,
    pub(super) cap: Vec<u64>,
    // Court.
    pub(super) awaiting: u64,
    pub(super) released: u64,
    pub(super) convicted: u64,
    pub(super) convicted_g: Vec<u64>,
    pub(super) repatriated: u64,
    pub(super) repatriated_g: Vec<u64>,
    /// Sum of the arrival-to-verdict days, in verdict order.
    pub(super) verdict_sum: f64,
    // Version 2.
    /// Convicted and still in custody.
    pub(super) convicted_in: u64,
    pub(super) sentenced: Vec<u64>,
    pub(super) served: u64,
    pub(super) executed: u64,
    pub(super) died: u64,
    pub(super) relocated: u64,
    /// Per facility: background cohorts (rule 12).
    pub(super) cohorts: Vec<Vec<background::Cohort>>,
    /// Per facility: background inmates inside, all cohorts.
    pub(super) bg: Vec<u64>,
    /// Per facility: background admissions, departures, and relocations
    /// in and out, so far.
    pub(super) bg_admitted: Vec<u64>,
    pub(super) bg_left: Vec<u64>,
    pub(super) bg_in: Vec<u64>,
    pub(super) bg_out: Vec<u64>,
    /// Capacity over time (rules 18, 19 and 25); empty when unused.
    pub(super) cap3: CapacityState,
    /// Version 3, the courts: reversals, deportations.
    pub(super) courts: CourtCounts,
    // Records.
    pub(super) rec: outcome::Records,
    /// Test builds: events handled and stale, by kind.
    #[cfg(test)]
    pub(super) tally: tally::Tally,
}

impl<'a> Replication<'a> {
    pub(super) fn new(
        plan: &'a Plan,
        ws: &'a mut Workspace,
        seed: u64,
        index: u64,
        check: bool,
    ) -> Self {
        let n = plan.total;
        let nf = plan.capacity.len();
        let ns = plan.stages.len();
        let ng = plan.groups.len();
        ws.cal.clear();
        ws.pool.clear();
        ws.pool.extend_from_slice(&plan.pool0);
        // Every per-detainee field is written when the detainee boards or
        // arrives, before it is read: the buffers need only be long enough.
        if ws.det.len() < n {
            ws.det.resize(n, Detainee::boarding(0));
        }
        // One desk per stage, then the appeal's (v3).
        let courts = &plan.courts;
        let nd = ns + usize::from(courts.appeal.is_some());
        ws.desks.resize_with(nd, court::Desk::idle);
        ws.desks.truncate(nd);
        for (s, (k, st)) in ws.desks.iter_mut().zip(&plan.stages).enumerate() {
            k.reset(st.servers, &st.service);
            if courts.levels > 1 || courts.has_others {
                k.reset_v3(
                    courts.levels,
                    Status::Queued,
                    Status::InService,
                    courts.others[s].as_ref().map(|o| &o.service),
                );
            }
        }
        if let Some(a) = &courts.appeal {
            let k = &mut ws.desks[ns];
            k.reset(a.servers, &a.service);
            k.reset_v3(courts.levels, Status::Appealing, Status::InReview, None);
            if ws.final_delay.len() < n {
                ws.final_delay.resize(n, f64::NAN);
            }
        }
        let rng = Streams::new(
            seed,
            index,
            &mut ws.desks,
            ns,
            courts.has_others,
            ng,
            if plan.has_background { nf } else { 0 },
        );
        ws.verdict_days.clear();
        ws.convoys.clear();
        // Every (series, day) is written by the end-of-day records.
        ws.series.clear();
        ws.series
            .resize(plan.layout.series().len() * plan.horizon_days as usize, 0);
        let mut rep = Replication {
            plan,
            ws,
            rng,
            check,
            boarded: 0,
            in_transit: 0,
            week: 0,
            week_used: 0,
            transferred: 0,
            transferred_g: vec![0; ng],
            last_arrival: None,
            last_departure: None,
            escaped: 0,
            occ: plan.initial.clone(),
            cap: plan.capacity.clone(),
            awaiting: 0,
            released: 0,
            convicted: 0,
            convicted_g: vec![0; ng],
            repatriated: 0,
            repatriated_g: vec![0; ng],
            verdict_sum: 0.0,
            convicted_in: 0,
            sentenced: vec![0; plan.sentences.len()],
            served: 0,
            executed: 0,
            died: 0,
            relocated: 0,
            cohorts: plan
                .initial
                .iter()
                .zip(&plan.background)
                .map(|(&n, b)| vec![background::Cohort::native(n, b.as_ref())])
                .collect(),
            bg: plan.initial.clone(),
            bg_admitted: vec![0; nf],
            bg_left: vec![0; nf],
            bg_in: vec![0; nf],
            bg_out: vec![0; nf],
            cap3: CapacityState::new(plan.capacity_rules.as_ref(), &plan.capacity),
            courts: CourtCounts::new(ng),
            rec: outcome::Records::new(nf, nd),
            #[cfg(test)]
            tally: tally::Tally::default(),
        };
        rep.shut_at_start();
        rep.schedule_start();
        rep
    }

    fn schedule_start(&mut self) {
        let plan = self.plan;
        let h = plan.horizon;
        // Openings come before every other event at their time (rule 19);
        // a version 2 scenario has none, and its events keep their order.
        if let Some(r) = &plan.capacity_rules {
            for &(day, f) in &r.openings {
                if day <= h {
                    self.ws.cal.schedule(day, Event::Opens(f as u32));
                }
            }
        }
        for (i, e) in plan.expansions.iter().enumerate() {
            if e.0 <= h {
                self.ws.cal.schedule(e.0, Event::Expansion(i as u32));
            }
        }
        for (i, c) in plan.schedule.iter().enumerate() {
            if c.0 <= h {
                self.ws.cal.schedule(c.0, Event::ServerChange(i as u32));
            }
        }
        for (i, p) in plan.phases.iter().enumerate() {
            if p.from <= h {
                self.ws.cal.schedule(p.from, Event::Departure(i as u32));
            }
        }
        self.schedule_incident(0.0);
        // Version 2 events come after the version 1 set-up, so that a
        // version 1 scenario keeps its sequence numbers.
        for (i, r) in plan.relocations.iter().enumerate() {
            if r.day <= h {
                self.ws.cal.schedule(r.day, Event::Relocation(i as u32));
            }
        }
        // Version 3: admission rate changes and release orders.
        if let Some(r) = &plan.capacity_rules {
            for (i, c) in r.rate_changes.iter().enumerate() {
                if c.0 <= h {
                    self.ws.cal.schedule(c.0, Event::AdmissionRate(i as u32));
                }
            }
            for (i, x) in r.releases.iter().enumerate() {
                if x.day <= h {
                    self.ws.cal.schedule(x.day, Event::Release(i as u32));
                }
            }
        }
        // Version 3 events after the version 2 set-up, likewise.
        if plan.courts.has_others {
            self.schedule_other_cases();
        }
    }

    /// Runs the event loop to the horizon, recording each day.
    pub(super) fn run(&mut self) -> Result<(), ConservationError> {
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
            self.handle(t, ev);
            if self.check {
                self.conservation(t, false)?;
            }
        }
        while next_day <= days {
            self.record(next_day);
            next_day += 1;
        }
        if self.plan.courts.has_others {
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
    fn handle(&mut self, t: f64, ev: Event) {
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
            Event::Departure(p) => self.departure(p as usize, t),
            Event::Arrival(c) => {
                let (start, len) = self.ws.convoys[c as usize];
                self.arrival(start as usize, len as usize, t);
            }
            Event::Incident => self.incident(t),
            Event::ServiceDone { stage, d } => self.service_done(stage as usize, d, t),
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
