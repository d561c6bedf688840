//! The state of one running replication, and its set-up: each process's
//! handlers add to it in their own files, and `event_loop` runs it.

use super::capacity_rules::CapacityState;
use super::cohort::Cohort;
use super::courts::CourtCounts;
use super::desk::Desk;
use super::event::{Event, Status};
use super::outcome;
use super::plan::Plan;
use super::streams::Streams;
#[cfg(test)]
use super::tally;
use super::workspace::{Detainee, Workspace};

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
    pub(super) cohorts: Vec<Vec<Cohort>>,
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
        ws.desks.resize_with(nd, Desk::idle);
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
                .map(|(&n, b)| vec![Cohort::native(n, b.as_ref())])
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
}
