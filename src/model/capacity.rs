//! Capacity over time (rules 18, 19 and 25) in the event loop: facilities
//! that open later (their opening, the beds they open with, placement
//! among the open ones) and background admission rates that change. The
//! rules as the plan resolves them and their state in a replication are
//! in `capacity_rules`; the overflow rules' handlers (`overflow`) and the
//! release orders' (`release`) live in their own files.

use rand::distr::Distribution;

use super::replication::Replication;
use crate::scenario::Policy;

impl Replication<'_> {
    /// Whether facility `f` is not yet open (rule 19).
    #[inline]
    pub(super) fn is_shut(&self, f: usize) -> bool {
        self.cap3.shut.get(f).is_some_and(Option::is_some)
    }

    /// Sets up the facilities shut on day 0: no beds, no background
    /// admissions until they open.
    pub(super) fn shut_at_start(&mut self) {
        for f in 0..self.cap3.shut.len() {
            if self.cap3.shut[f].is_some() {
                self.cap[f] = 0;
                for c in &mut self.cohorts[f] {
                    c.rate = 0.0;
                }
            }
        }
    }

    /// Beds added to facility `f`: to its beds if open, else to those it
    /// will open with.
    #[inline]
    pub(super) fn add_beds(&mut self, f: usize, beds: u64) {
        match self.cap3.shut.get_mut(f) {
            Some(Some(waiting)) => *waiting += beds,
            _ => self.cap[f] += beds,
        }
    }

    /// Facility `f` opens at `t` (rule 19): its beds come into use and its
    /// background admissions start, at the rate of its opening.
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    pub(super) fn open_facility(&mut self, f: usize, t: f64) {
        if let Some(beds) = self.cap3.shut.get_mut(f).and_then(Option::take) {
            self.cap[f] = beds;
        }
        self.cap3.opened += 1;
        if let Some(b) = &self.plan.background[f] {
            let rate = b.rate;
            self.set_admission_rate(f, rate, t);
        }
    }

    /// Background admission rate change `i` of the plan, at `t` (rule 25).
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    pub(super) fn admission_rate(&mut self, i: usize, t: f64) {
        let plan = self.plan;
        if let Some(r) = &plan.capacity_rules {
            let (_, f, rate) = r.rate_changes[i];
            self.set_admission_rate(f, rate, t);
        }
    }

    /// From `t` on, background admissions into facility `f` come at
    /// `rate`: its count is first brought up to `t` at the former rate.
    fn set_admission_rate(&mut self, f: usize, rate: f64, t: f64) {
        self.sync_background(t);
        // The facility's own cohort (the first) receives its admissions.
        self.cohorts[f][0].rate = rate;
    }

    /// The facility for the next arrival when some facility opens later:
    /// the policy over the receiving facilities open now, in their listed
    /// order (`proportional` weights renormalised over them).
    pub(super) fn place_among_open(&mut self) -> usize {
        let plan = self.plan;
        let list = &plan.receiving;
        match plan.policy {
            Policy::LeastOccupied => self.least_occupied_open(),
            Policy::Proportional => match plan
                .capacity_rules
                .as_ref()
                .and_then(|r| r.open_weights.get(self.cap3.opened))
            {
                Some(w) => list[w.sample(&mut self.rng.allocation)],
                None => self.least_occupied_open(),
            },
            // A shut facility has no free bed (0 beds, nobody inside).
            Policy::FillInOrder => list
                .iter()
                .copied()
                .find(|&f| self.occ[f] < self.cap[f])
                .unwrap_or_else(|| self.least_occupied_open()),
        }
    }

    /// Lowest occupancy / beds among the receiving facilities open now,
    /// compared exactly; ties go to the first listed. Validation keeps one
    /// open from day 0.
    fn least_occupied_open(&self) -> usize {
        let mut best: Option<(usize, u64, u64)> = None;
        for &f in &self.plan.receiving {
            if self.is_shut(f) {
                continue;
            }
            let (o, c) = (self.occ[f], self.cap[f]);
            match best {
                Some((_, occ, cap))
                    if u128::from(o) * u128::from(cap) >= u128::from(occ) * u128::from(c) => {}
                _ => best = Some((f, o, c)),
            }
        }
        best.map_or(self.plan.receiving[0], |b| b.0)
    }
}
