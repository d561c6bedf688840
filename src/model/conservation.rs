//! The conservation law of one replication (docs/model.md): every
//! detainee in exactly one state, beds and court cases adding up.

use super::event::Status;
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
            + self.died;
        let in_court: u64 = self.ws.desks.iter().map(|k| k.qlen + k.busy).sum();
        if total != self.plan.total as u64 || in_court != self.awaiting {
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
        beds == self.bg.iter().sum::<u64>() + self.awaiting + self.convicted_in
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
        ];
        let sum: u64 = parts.iter().map(|p| p.1).sum();
        if sum != self.plan.total as u64 {
            let terms: Vec<String> = parts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            return fail(format!(
                "{} = {sum}, not {}",
                terms.join(" + "),
                self.plan.total
            ));
        }
        let in_court: u64 = self.ws.desks.iter().map(|k| k.qlen + k.busy).sum();
        if in_court != self.awaiting {
            return fail(format!(
                "queued + in service = {in_court}, awaiting verdict = {}",
                self.awaiting
            ));
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
        let expected = self.bg.iter().sum::<u64>() + self.awaiting + self.convicted_in;
        if beds != expected {
            return fail(format!(
                "occupancy {beds} != background + awaiting + convicted in custody = {expected}"
            ));
        }
        if full {
            // Full scan: every boarded detainee's own status agrees with the
            // counters, and each facility holds its background plus the
            // transferees placed there.
            let mut by = [0u64; 9];
            let mut inside = self.bg.clone();
            for det in &self.ws.det[..self.boarded] {
                by[det.status as usize] += 1;
                if matches!(
                    det.status,
                    Status::Queued | Status::InService | Status::Convicted
                ) {
                    inside[det.facility as usize] += 1;
                }
            }
            let want = [
                self.in_transit,
                self.ws.desks.iter().map(|k| k.qlen).sum(),
                self.ws.desks.iter().map(|k| k.busy).sum(),
                self.convicted_in,
                self.released,
                self.repatriated,
                self.served,
                self.executed,
                self.died,
            ];
            if by != want {
                return fail(format!("statuses {by:?} != counters {want:?}"));
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
