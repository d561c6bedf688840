//! The conservation law of one replication (docs/model.md): every
//! detainee in exactly one state, beds and court cases adding up.

use super::event::{STATUSES, Status};
use super::replication::Replication;

/// A conservation law found broken (a bug in the engine, never a
/// consequence of input): see
/// [`Plan::replicate_checked`](super::Plan::replicate_checked).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("conservation broken at t = {time} days: {detail}")]
pub struct ConservationError {
    /// Simulation time of the check \[days\].
    pub time: f64,
    /// Which balance failed, with the counts.
    pub detail: String,
}

impl Replication<'_> {
    /// Whether the balances that [`Replication::conservation`] checks
    /// without `full` hold: the same sums, without building the message of
    /// a failure (the end-of-day records check them every day).
    #[inline]
    pub(super) fn balanced(&self) -> bool {
        let total = self.ws.pool.len() as u64
            + self.in_transit
            + self.awaiting
            + self.convicted_in
            + self.released
            + self.served
            + self.repatriated
            + self.escaped
            + self.executed
            + self.died
            + self.cap3.released_by_order
            + self.courts.released_on_appeal
            - self.courts.died_waiting;
        if total != self.plan.total as u64 || self.in_court() != self.awaiting {
            return false;
        }
        if self.under_appeal() > self.convicted_in {
            return false;
        }
        for f in 0..self.bg.len() {
            let want = self.plan.initial[f] + self.bg_admitted[f] + self.bg_in[f];
            let cohorts: u64 = self.cohorts[f].iter().map(|c| c.n).sum();
            if self.bg[f] + self.bg_left[f] + self.bg_out[f] != want || cohorts != self.bg[f] {
                return false;
            }
        }
        let beds: u64 = self.occ.iter().sum();
        beds == self.bg.iter().sum::<u64>()
            + self.awaiting
            + self.convicted_in
            + self.courts.awaiting_deportation
    }

    /// Transferees at the court stages, queued or in service (other cases
    /// not counted).
    fn in_court(&self) -> u64 {
        let ns = self.plan.courts.stages;
        self.ws.desks[..ns].iter().map(|k| k.transferees()).sum()
    }

    /// Convictions at the appeal, queued or in review (v3).
    fn under_appeal(&self) -> u64 {
        let ns = self.plan.courts.stages;
        self.ws.desks[ns..].iter().map(|k| k.qlen + k.busy).sum()
    }

    /// Checks every balance of the conservation law (docs/model.md); `full` also
    /// counts each detainee's own status and place (O(detainees)).
    pub(super) fn conservation(&self, t: f64, full: bool) -> Result<(), ConservationError> {
        let fail = |detail: String| Err(ConservationError { time: t, detail });
        let pool = self.ws.pool.len() as u64;
        let parts = [
            ("pool", pool),
            ("transit", self.in_transit),
            ("awaiting", self.awaiting),
            ("convicted in custody", self.convicted_in),
            ("released", self.released),
            ("released after a sentence", self.served),
            ("repatriated", self.repatriated),
            ("escaped", self.escaped),
            ("executed", self.executed),
            ("died", self.died),
            ("released by order", self.cap3.released_by_order),
            ("released on appeal", self.courts.released_on_appeal),
        ];
        // Those who died awaiting deportation count in `died` and in a
        // release by the court (v3): once here.
        let sum: u64 = parts.iter().map(|p| p.1).sum::<u64>() - self.courts.died_waiting;
        if sum != self.plan.total as u64 {
            let terms: Vec<String> = parts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            return fail(format!(
                "{} - died awaiting deportation {} = {sum}, not {}",
                terms.join(" + "),
                self.courts.died_waiting,
                self.plan.total
            ));
        }
        let in_court = self.in_court();
        if in_court != self.awaiting {
            return fail(format!(
                "queued + in service = {in_court}, awaiting verdict = {}",
                self.awaiting
            ));
        }
        let under_appeal = self.under_appeal();
        if under_appeal > self.convicted_in {
            return fail(format!(
                "under appeal {under_appeal} > convicted in custody {}",
                self.convicted_in
            ));
        }
        for (s, k) in self.ws.desks.iter().enumerate() {
            // (A cut may leave more busy than open: service is never
            // interrupted.)
            if k.other.busy > k.busy {
                return fail(format!(
                    "desk {s}: busy {} of which other cases {}",
                    k.busy, k.other.busy
                ));
            }
        }
        for f in 0..self.bg.len() {
            let want = self.plan.initial[f] + self.bg_admitted[f] + self.bg_in[f];
            let cohorts: u64 = self.cohorts[f].iter().map(|c| c.n).sum();
            if self.bg[f] + self.bg_left[f] + self.bg_out[f] != want || cohorts != self.bg[f] {
                return fail(format!(
                    "facility {f}: background {} (cohorts {cohorts}) != initial {} + admitted {} - left {} + moved in {} - moved out {}",
                    self.bg[f],
                    self.plan.initial[f],
                    self.bg_admitted[f],
                    self.bg_left[f],
                    self.bg_in[f],
                    self.bg_out[f]
                ));
            }
        }
        let beds: u64 = self.occ.iter().sum();
        let expected = self.bg.iter().sum::<u64>()
            + self.awaiting
            + self.convicted_in
            + self.courts.awaiting_deportation;
        if beds != expected {
            return fail(format!(
                "occupancy {beds} != background + awaiting + convicted in custody + awaiting deportation = {expected}"
            ));
        }
        if full {
            // Full scan: every boarded detainee's own status agrees with the
            // counters, and each facility holds its background plus the
            // transferees placed there.
            let mut by = [0u64; STATUSES];
            let mut inside = self.bg.clone();
            for det in &self.ws.det[..self.boarded] {
                by[det.status as usize] += 1;
                if det.status.inside() {
                    inside[det.facility as usize] += 1;
                }
            }
            let ns = self.plan.courts.stages;
            let stages = &self.ws.desks[..ns];
            let appeal = &self.ws.desks[ns..];
            let c = &self.courts;
            // Released by the court (at the verdict, after a sentence, on
            // appeal): set free, awaiting deportation, deported, or died
            // while waiting.
            let freed = by[Status::Released as usize]
                + by[Status::Served as usize]
                + by[Status::ReleasedOnAppeal as usize];
            let got = [
                by[Status::Transit as usize],
                by[Status::Queued as usize],
                by[Status::InService as usize],
                by[Status::Convicted as usize]
                    + by[Status::Appealing as usize]
                    + by[Status::InReview as usize],
                by[Status::Appealing as usize],
                by[Status::InReview as usize],
                freed
                    + by[Status::AwaitingDeportation as usize]
                    + by[Status::Deported as usize]
                    + c.died_waiting,
                by[Status::AwaitingDeportation as usize],
                by[Status::Deported as usize],
                by[Status::Repatriated as usize],
                by[Status::Executed as usize],
                by[Status::Died as usize],
                by[Status::ReleasedByOrder as usize],
            ];
            let want = [
                self.in_transit,
                stages.iter().map(|k| k.qlen).sum(),
                stages.iter().map(|k| k.busy - k.other.busy).sum(),
                self.convicted_in,
                appeal.iter().map(|k| k.qlen).sum(),
                appeal.iter().map(|k| k.busy).sum(),
                self.released + self.served + c.released_on_appeal,
                c.awaiting_deportation,
                c.deported,
                self.repatriated,
                self.executed,
                self.died,
                self.cap3.released_by_order,
            ];
            if got != want {
                return fail(format!(
                    "statuses (transit, queued, in service, convicted, appealing, in review, released by the court, awaiting deportation, deported, repatriated, executed, died, released by order) {got:?} != counters {want:?}"
                ));
            }
            if self.plan.courts.deportation.iter().all(Option::is_none)
                && (by[Status::Released as usize], by[Status::Served as usize])
                    != (self.released, self.served)
            {
                return fail(format!(
                    "released {} and served {} != counters {} and {}",
                    by[Status::Released as usize],
                    by[Status::Served as usize],
                    self.released,
                    self.served
                ));
            }
            if inside != self.occ {
                return fail(format!(
                    "occupancy {:?} != background + transferees placed {inside:?}",
                    self.occ
                ));
            }
        }
        Ok(())
    }
}
