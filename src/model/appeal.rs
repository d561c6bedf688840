//! Rule 22 (appeal, v3): every conviction joins the appeal's queue at the
//! verdict (a desk like a stage's, after the last stage: see `court.rs`
//! for the queue, its priorities and its schedule). When a review ends the
//! conviction is reversed with the appeal's probability, and the detainee
//! released; otherwise the judgment is final, and an execution drawn at the
//! verdict, and a transfer of sentenced persons, start their clocks then.
//! A term (an exit of kind "released") runs from the verdict: one that
//! ends during the appeal releases the detainee and ends the appeal case
//! (see `custody.rs`).

use super::event::{Event, Status};
use super::replication::Replication;
use crate::dist::sampler::bernoulli;

impl Replication<'_> {
    /// Detainee `d`'s review ends at `t` (its server already freed).
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    pub(super) fn review_done(&mut self, d: u32, t: f64) {
        let plan = self.plan;
        let Some(appeal) = &plan.courts.appeal else {
            return;
        };
        let di = d as usize;
        if bernoulli(&mut self.rng.reversal, appeal.reversal) {
            // Reversed: released, the sentence's exit cancelled (its
            // timer finds the detainee no longer convicted).
            self.convicted_in -= 1;
            self.courts.released_on_appeal += 1;
            self.court_release(d, t, Status::ReleasedOnAppeal);
            return;
        }
        // Final.
        self.ws.det[di].status = Status::Convicted;
        let after = self.ws.final_delay[di];
        if !after.is_nan() && t + after <= plan.horizon {
            self.ws
                .cal
                .schedule(t + after, Event::Exit { d, executed: true });
        }
        if plan.later_clocks {
            self.eligible_at_verdict(d, t);
        }
    }
}
