//! Rule 18 (overflow): at the end of each day, before the day's record,
//! each facility with an overflow rule (in file order, once) that holds
//! more than L = floor(`above` × its beds) moves min(occupancy − L, people
//! of the kind present, free beds of its destinations) people of the
//! kind, chosen uniformly, to its destinations in their listed order,
//! each taking at most its free beds (counting the moves already made
//! that evening). Moved people keep their court case, sentence and exit
//! times; background inmates their facility's exit law.

use super::people::Take;
use super::replication::Replication;

impl Replication<'_> {
    /// The overflow moves of the evening at `t` (a whole day), after the
    /// background is brought up to `t`.
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    pub(super) fn overflow(&mut self, t: f64) {
        let plan = self.plan;
        let Some(rules) = &plan.capacity_rules else {
            return;
        };
        for o in &rules.overflow {
            let f = o.facility;
            // floor(r × beds); beds ≤ 2^64 and r ≤ 1e12, so the product is
            // finite, and a limit beyond u64 saturates.
            let limit = (o.above * self.cap[f] as f64).floor() as u64;
            if self.occ[f] <= limit {
                continue;
            }
            let free: u64 =
                o.to.iter()
                    .map(|&g| self.cap[g].saturating_sub(self.occ[g]))
                    .sum();
            if free == 0 {
                continue;
            }
            let want = (self.occ[f] - limit).min(free);
            let moved = self.take_people(f, o.who, want, Take::Fill(&o.to), t);
            self.cap3.overflowed_out[f] += moved;
            self.cap3.overflowed += moved;
        }
    }
}
