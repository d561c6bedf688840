//! Rule 13 (relocations): up to `count` people of the kind `who` inside
//! `from` at that instant, chosen uniformly without replacement, move to
//! `to`; they keep their court case, sentence and exit times (background
//! inmates their exit law, which is exact by memorylessness).

use rand::RngExt;

use super::cohort::Cohort;
use super::replication::Replication;
use crate::scenario::Who;

impl Replication<'_> {
    /// Relocation `i` of the plan, at `t`.
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    pub(super) fn relocation(&mut self, i: usize, t: f64) {
        let r = &self.plan.relocations[i];
        let (from, to, who) = (r.from, r.to, r.who);
        if self.is_shut(to) {
            // A facility not yet open receives nobody (rule 19).
            return;
        }
        self.sync_background(t);
        // Transferees inside `from` now (not in transit).
        self.ws.candidates.clear();
        if who != Who::Background {
            for d in 0..self.boarded {
                if self.ws.det[d].status.inside() && self.ws.det[d].facility as usize == from {
                    self.ws.candidates.push(d as u32);
                }
            }
        }
        // Background inmates still to choose from, per cohort.
        let mut left: Vec<u64> = if who == Who::Transferees {
            vec![0; self.cohorts[from].len()]
        } else {
            self.cohorts[from].iter().map(|c| c.n).collect()
        };
        let mut b_left: u64 = left.iter().sum();
        let total = b_left + self.ws.candidates.len() as u64;
        let k = r.count.min(total);
        // Sequential uniform draws without replacement over background and
        // transferees together.
        let mut taken = vec![0u64; left.len()];
        for _ in 0..k {
            let n = b_left + self.ws.candidates.len() as u64;
            let mut x = self.rng.relocation.random_range(0..n);
            if x < b_left {
                for (c, l) in left.iter_mut().enumerate() {
                    if x < *l {
                        *l -= 1;
                        taken[c] += 1;
                        break;
                    }
                    x -= *l;
                }
                b_left -= 1;
            } else {
                let j = (x - b_left) as usize;
                let d = self.ws.candidates.swap_remove(j) as usize;
                self.ws.det[d].facility = to as u16;
                self.occ[from] -= 1;
                self.occ[to] += 1;
            }
        }
        for (c, &n) in taken.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let stay = self.cohorts[from][c].mean_stay;
            self.cohorts[from][c].n -= n;
            match self.cohorts[to].iter_mut().find(|x| x.mean_stay == stay) {
                Some(dest) => dest.n += n,
                None => self.cohorts[to].push(Cohort::new(n, stay, 0.0, t)),
            }
            self.bg[from] -= n;
            self.bg[to] += n;
            self.bg_out[from] += n;
            self.bg_in[to] += n;
            self.occ[from] -= n;
            self.occ[to] += n;
        }
        self.relocated += k;
    }
}
