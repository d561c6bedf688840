//! Rule 6 (repatriation): a time drawn on arrival; if it comes before the
//! verdict the detainee leaves, wherever it is in the court pipeline.

use super::{Event, Replication, Status};
use crate::scenario::dist::bernoulli;

impl Replication<'_> {
    /// On arrival at `t`: with the group's probability, a repatriation time,
    /// the later of `t` plus a delay draw and the group's earliest day.
    pub(super) fn draw_repatriation(&mut self, d: u32, g: usize, t: f64) {
        let gp = &self.plan.groups[g];
        let Some(delay) = &gp.delay else { return };
        if gp.probability <= 0.0 {
            return;
        }
        let rng = &mut self.rng.groups[g];
        if bernoulli(rng, gp.probability) {
            let at = (t + delay.sample(rng)).max(gp.earliest);
            if at <= self.plan.horizon {
                self.ws.cal.schedule(at, Event::Repatriate(d));
            }
        }
    }

    /// The repatriation time of `d` comes: it leaves if still awaiting a
    /// verdict; a timer that fires after the verdict is ignored.
    pub(super) fn repatriate(&mut self, d: u32, t: f64) {
        let di = d as usize;
        let s = self.ws.stage_of[di] as usize;
        match self.ws.status[di] {
            Status::Queued => self.qlen[s] -= 1,
            Status::InService => self.busy[s] -= 1,
            _ => return,
        }
        let was_in_service = self.ws.status[di] == Status::InService;
        self.ws.status[di] = Status::Repatriated;
        self.awaiting -= 1;
        self.repatriated += 1;
        self.repatriated_g[self.ws.group[di] as usize] += 1;
        self.free_bed(d);
        if was_in_service {
            // The server takes the next case at once.
            self.start_service(s, t);
        }
    }
}
