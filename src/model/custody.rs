//! Rule 4 (custody): arrival in Iraq, placement by the allocation policy,
//! bed expansions (handled in the event loop).

use rand::distr::Distribution;

use super::{Replication, Status};
use crate::scenario::Policy;

impl Replication<'_> {
    /// A convoy, detainees `start..start + len`, arrives at `t`: each
    /// detainee is placed, given a repatriation time if drawn, and joins the
    /// first court stage, in boarding order.
    #[inline]
    pub(super) fn arrival(&mut self, start: usize, len: usize, t: f64) {
        for di in start..start + len {
            let d = di as u32;
            let g = self.ws.group[di] as usize;
            self.in_transit -= 1;
            self.transferred += 1;
            self.transferred_g[g] += 1;
            self.ws.arrival[di] = t;
            let f = self.place();
            self.ws.facility_of[di] = f as u32;
            self.occ[f] += 1;
            self.awaiting += 1;
            self.draw_repatriation(d, g, t);
            self.join(0, d, t);
        }
        self.last_arrival = Some(t);
    }

    /// The facility for the next arrival.
    fn place(&mut self) -> usize {
        match self.plan.policy {
            Policy::LeastOccupied => self.least_occupied(),
            Policy::Proportional => match &self.plan.weights {
                Some(w) => w.sample(&mut self.rng.allocation),
                None => self.least_occupied(),
            },
            Policy::FillInOrder => self
                .occ
                .iter()
                .zip(&self.cap)
                .position(|(o, c)| o < c)
                .unwrap_or_else(|| self.least_occupied()),
        }
    }

    /// Lowest occupancy / capacity, compared exactly; ties go to the first
    /// listed.
    fn least_occupied(&self) -> usize {
        let mut best = 0;
        for f in 1..self.occ.len() {
            let lhs = u128::from(self.occ[f]) * u128::from(self.cap[best]);
            let rhs = u128::from(self.occ[best]) * u128::from(self.cap[f]);
            if lhs < rhs {
                best = f;
            }
        }
        best
    }

    /// Detainee `d` leaves custody: frees its bed.
    pub(super) fn free_bed(&mut self, d: u32) {
        let f = self.ws.facility_of[d as usize] as usize;
        self.occ[f] -= 1;
    }

    /// Moves a convicted detainee to the convicted facility, if one is set.
    pub(super) fn move_convicted(&mut self, d: u32) {
        if let Some(cf) = self.plan.convicted_facility {
            let f = self.ws.facility_of[d as usize] as usize;
            self.occ[f] -= 1;
            self.occ[cf] += 1;
            self.ws.facility_of[d as usize] = cf as u32;
        }
        self.ws.status[d as usize] = Status::Convicted;
    }
}
