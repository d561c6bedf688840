//! Rule 4 (custody): arrival in Iraq, placement by the allocation policy,
//! bed expansions (handled in the event loop).

use rand::distr::Distribution;

use super::event::{Event, Status};
use super::replication::Replication;
use crate::scenario::Policy;

impl Replication<'_> {
    /// A convoy, detainees `start..start + len`, arrives at `t`: each
    /// detainee is placed, given a repatriation time if drawn, and joins the
    /// first court stage, in boarding order. `V3`: see
    /// `Replication::run_as`.
    #[inline]
    pub(super) fn arrival<const V3: bool>(&mut self, start: usize, len: usize, t: f64) {
        if let Some(f) = self.plan.plain_arrival {
            // The same steps as below, without the placement, repatriation
            // and death that the scenario does not have.
            for di in start..start + len {
                // One index check for the record's read and writes.
                let x = &mut self.ws.det[di];
                let g = x.group as usize;
                x.arrival = t;
                x.facility = f;
                self.in_transit -= 1;
                self.transferred += 1;
                self.transferred_g[g] += 1;
                self.occ[f as usize] += 1;
                self.awaiting += 1;
                self.join::<V3>(0, di as u32, t);
            }
            self.last_arrival = Some(t);
            return;
        }
        if self.plan.policy != Policy::Proportional {
            // Placement reads occupancy.
            self.sync_background(t);
        }
        for di in start..start + len {
            let d = di as u32;
            let g = self.ws.det[di].group as usize;
            self.in_transit -= 1;
            self.transferred += 1;
            self.transferred_g[g] += 1;
            let f = self.place();
            let x = &mut self.ws.det[di];
            x.arrival = t;
            x.facility = f as u16;
            self.occ[f] += 1;
            self.awaiting += 1;
            self.draw_repatriation(d, g, t);
            if let Some(m) = &self.plan.mortality {
                let at = t + m.sample(&mut self.rng.mortality);
                if at <= self.plan.horizon {
                    self.ws.cal.schedule(at, Event::Death(d));
                }
            }
            self.enter_court::<V3>(d, g, t);
        }
        self.last_arrival = Some(t);
    }

    /// The facility for the next arrival, among the receiving facilities
    /// (rule 9), in their listed order.
    ///
    /// Always inlined into the arrival (see
    /// [`Replication::draw_repatriation`]).
    #[inline(always)]
    fn place(&mut self) -> usize {
        let list = &self.plan.receiving;
        if let [only] = list[..] {
            // Every policy places there; a weighted draw would always pick
            // it, and the allocation stream serves nothing else, so leaving
            // the draw out changes no other number.
            return only;
        }
        if !self.cap3.shut.is_empty() {
            // Some facility opens later (rule 19).
            return self.place_among_open();
        }
        match self.plan.policy {
            Policy::LeastOccupied => self.least_occupied(),
            Policy::Proportional => match &self.plan.weights {
                Some(w) => list[w.sample(&mut self.rng.allocation)],
                None => self.least_occupied(),
            },
            Policy::FillInOrder => list
                .iter()
                .copied()
                .find(|&f| self.occ[f] < self.cap[f])
                .unwrap_or_else(|| self.least_occupied()),
        }
    }

    /// Lowest occupancy / capacity among the receiving facilities,
    /// compared exactly; ties go to the first listed.
    fn least_occupied(&self) -> usize {
        let list = &self.plan.receiving;
        let mut best = list[0];
        let (mut occ, mut cap) = (self.occ[best], self.cap[best]);
        for &f in &list[1..] {
            let (o, c) = (self.occ[f], self.cap[f]);
            if u128::from(o) * u128::from(cap) < u128::from(occ) * u128::from(c) {
                (best, occ, cap) = (f, o, c);
            }
        }
        best
    }

    /// Detainee `d` leaves custody: frees its bed.
    #[inline]
    pub(super) fn free_bed(&mut self, d: u32) {
        let f = self.ws.det[d as usize].facility as usize;
        self.occ[f] -= 1;
    }

    /// Moves a convicted detainee to facility `to`, if one is given.
    #[inline(always)]
    pub(super) fn move_convicted(&mut self, d: u32, to: Option<usize>) {
        // A facility not yet open is skipped (rule 19).
        if let Some(cf) = to
            && !self.is_shut(cf)
        {
            let f = self.ws.det[d as usize].facility as usize;
            self.occ[f] -= 1;
            self.occ[cf] += 1;
            self.ws.det[d as usize].facility = cf as u16;
        }
        self.ws.det[d as usize].status = Status::Convicted;
    }

    /// A convicted detainee's sentence ends (rule 10): released or
    /// executed, if still in custody. A term that ends during the appeal
    /// (v3, rule 22) ends the appeal case too; an execution is only ever
    /// scheduled at finality. Released, the detainee may wait for
    /// deportation (rule 24).
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    pub(super) fn sentence_ends(&mut self, d: u32, executed: bool, t: f64) {
        let di = d as usize;
        match self.ws.det[di].status {
            Status::Convicted => self.convicted_in -= 1,
            Status::Appealing | Status::InReview if !executed => {
                self.leave_court(d, t, Status::Served);
            }
            _ => return,
        }
        if executed {
            self.executed += 1;
            self.ws.det[di].status = Status::Executed;
            self.free_bed(d);
        } else {
            self.served += 1;
            self.court_release(d, t, Status::Served);
        }
    }

    /// Detainee `d`'s death time comes (rule 11): it dies if still in
    /// custody, wherever it is in the court pipeline (a server it held
    /// takes the next case at once), convicted (under appeal too) or
    /// awaiting deportation.
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    pub(super) fn death(&mut self, d: u32, t: f64) {
        let di = d as usize;
        match self.ws.det[di].status {
            Status::Queued | Status::InService | Status::Appealing | Status::InReview => {
                self.leave_court(d, t, Status::Died);
            }
            Status::Convicted => {
                self.convicted_in -= 1;
                self.ws.det[di].status = Status::Died;
            }
            Status::AwaitingDeportation => {
                self.courts.awaiting_deportation -= 1;
                self.courts.died_waiting += 1;
                self.ws.det[di].status = Status::Died;
            }
            _ => return,
        }
        self.died += 1;
        self.free_bed(d);
    }
}
