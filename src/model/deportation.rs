//! Rule 24 (deportation, v3): a member of a group with `deportation`
//! released by the court (at the verdict, on appeal or at the end of a
//! sentence) stays in its facility, awaiting deportation, for a delay
//! drawn at the release (deportation stream), and then leaves as
//! deported. While it waits only death in custody applies (and a
//! relocation may move it).

use super::event::{Event, Status};
use super::replication::Replication;

impl Replication<'_> {
    /// The court releases detainee `d` at `t` as `status` (`Released`,
    /// `Served` or `ReleasedOnAppeal`; the caller counted the decision):
    /// free at once, or, in a group with deportation, in custody until
    /// deported.
    #[inline]
    pub(super) fn court_release(&mut self, d: u32, t: f64, status: Status) {
        let di = d as usize;
        let g = self.ws.det[di].group as usize;
        if self.plan.courts.deportation[g].is_none() {
            self.ws.det[di].status = status;
            self.free_bed(d);
        } else {
            self.await_deportation(d, g, t);
        }
    }

    /// Detainee `d` of group `g` (which has deportation) waits in custody
    /// from `t` to be deported after a delay drawn now.
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    fn await_deportation(&mut self, d: u32, g: usize, t: f64) {
        let Some(delay) = &self.plan.courts.deportation[g] else {
            return;
        };
        let after = delay.sample(&mut self.rng.deportation);
        self.ws.det[d as usize].status = Status::AwaitingDeportation;
        self.courts.awaiting_deportation += 1;
        if t + after <= self.plan.horizon {
            self.ws.cal.schedule(t + after, Event::Deport(d));
        }
    }

    /// Detainee `d`'s deportation time comes: it leaves custody if still
    /// waiting (it may have died meanwhile).
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    pub(super) fn deport(&mut self, d: u32) {
        let di = d as usize;
        if self.ws.det[di].status != Status::AwaitingDeportation {
            return;
        }
        let g = self.ws.det[di].group as usize;
        self.ws.det[di].status = Status::Deported;
        self.courts.awaiting_deportation -= 1;
        self.courts.deported += 1;
        self.courts.deported_g[g] += 1;
        self.free_bed(d);
    }
}
