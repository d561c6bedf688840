//! Rules 6 and 14 (repatriation): whether a detainee is chosen is drawn on
//! arrival; its clock starts at arrival, at the end of its service at a
//! named stage, or at a conviction; the time is the later of the clock's
//! start plus a delay draw and the group's earliest day. Before the verdict
//! the detainee leaves wherever it is in the court pipeline; after a
//! conviction only with `after_conviction`; a group's quota is checked when
//! the repatriation would happen, and one refused is never retried.

use super::event::{Event, Status};
use super::plan::Eligible;
use super::replication::Replication;
use super::workspace::Detainee;
use crate::dist::sampler::bernoulli;

impl Replication<'_> {
    /// On arrival at `t`: whether `d` is chosen, with the group's
    /// probability; for a clock that starts at arrival, its repatriation
    /// time too.
    ///
    /// Always inlined into the arrival (of each of the event loop's two
    /// compilations, see `Replication::run`), as it was when it had one
    /// caller.
    #[inline(always)]
    pub(super) fn draw_repatriation(&mut self, d: u32, g: usize, t: f64) {
        let gp = &self.plan.groups[g];
        let Some(delay) = &gp.delay else { return };
        let later = gp.eligible != Eligible::Arrival;
        if later {
            self.ws.det[d as usize].chosen = false;
        }
        if gp.probability <= 0.0 {
            return;
        }
        let rng = &mut self.rng.groups[g];
        if bernoulli(rng, gp.probability) {
            if later {
                self.ws.det[d as usize].chosen = true;
                return;
            }
            let at = (t + delay.sample(rng)).max(gp.earliest);
            // A group whose quota is used up repatriates nobody more (the
            // count never falls): its timer could only be ignored, so it is
            // drawn (the stream must not shift) but not scheduled.
            if at <= self.plan.horizon && self.quota_left(g) {
                self.ws.cal.schedule(at, Event::Repatriate(d));
            }
        }
    }

    /// Whether group `g` may still repatriate someone: no quota, or fewer
    /// repatriated than it allows.
    #[inline]
    fn quota_left(&self, g: usize) -> bool {
        self.plan.groups[g]
            .quota
            .is_none_or(|q| self.repatriated_g[g] < q)
    }

    /// Starts the clock of chosen detainee `d` at `t`.
    ///
    /// The delay is always drawn (the group's stream must not shift), but
    /// a timer that can only be ignored is not scheduled: when `d` is
    /// already out of custody (released at the verdict, for a clock that
    /// starts at the last stage), convicted in a group that does not
    /// repatriate after conviction, or in a group whose quota is used up.
    /// None of these can turn back into a state that
    /// [`Replication::repatriate`] acts on, and leaving out an event that
    /// changes nothing keeps every other event in its order.
    fn start_clock(&mut self, d: u32, g: usize, t: f64) {
        let gp = &self.plan.groups[g];
        let Some(delay) = &gp.delay else { return };
        let at = (t + delay.sample(&mut self.rng.groups[g])).max(gp.earliest);
        if at <= self.plan.horizon && self.repatriation_acts(d) {
            self.ws.cal.schedule(at, Event::Repatriate(d));
        }
    }

    /// `d`'s service at stage `s` ended at `t` (its verdict, after the last
    /// stage, already given): its clock starts if its group's does then.
    #[inline]
    pub(super) fn eligible_at_stage(&mut self, d: u32, s: usize, t: f64) {
        let g = self.ws.det[d as usize].group as usize;
        if self.plan.groups[g].eligible == Eligible::Stage(s) && self.ws.det[d as usize].chosen {
            self.start_clock(d, g, t);
        }
    }

    /// `d` was convicted at `t`: its clock starts if its group's does then.
    #[inline]
    pub(super) fn eligible_at_verdict(&mut self, d: u32, t: f64) {
        let g = self.ws.det[d as usize].group as usize;
        if self.plan.groups[g].eligible == Eligible::Verdict && self.ws.det[d as usize].chosen {
            self.start_clock(d, g, t);
        }
    }

    /// Whether a repatriation timer of `d` coming now would repatriate
    /// it: `d` still awaits a verdict, or is convicted in a group that
    /// repatriates after conviction, and the group's quota is not used up.
    /// Neither part can turn from false back to true, so a timer for which
    /// it is false when scheduled can only be ignored.
    pub(super) fn repatriation_acts(&self, d: u32) -> bool {
        let x = &self.ws.det[d as usize];
        let g = x.group as usize;
        let allowed = match x.status {
            Status::Queued | Status::InService => true,
            Status::Convicted | Status::Appealing | Status::InReview => {
                self.plan.groups[g].after_conviction
            }
            _ => false,
        };
        allowed && self.quota_left(g)
    }

    /// The repatriation time of `d` comes: it leaves if
    /// [`Replication::repatriation_acts`]; otherwise the timer is ignored
    /// (never retried).
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    pub(super) fn repatriate(&mut self, d: u32, t: f64) {
        if !self.repatriation_acts(d) {
            return;
        }
        let di = d as usize;
        let Detainee { group, status, .. } = self.ws.det[di];
        let g = group as usize;
        if status == Status::Convicted {
            self.convicted_in -= 1;
            self.ws.det[di].status = Status::Repatriated;
        } else {
            self.leave_court(d, t, Status::Repatriated);
        }
        self.repatriated += 1;
        self.repatriated_g[g] += 1;
        self.free_bed(d);
    }
}
