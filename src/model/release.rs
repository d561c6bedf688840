//! Rule 25 (release orders): at its day, an order releases up to `count`
//! people of its kind present in its facility, chosen uniformly.
//! Transferees so released leave their court queue or server, their
//! sentence and every timer, and count in `released_by_order`; background
//! inmates leave the background count. A facility not yet open holds
//! nobody, so an order there releases nobody.

use super::people::Take;
use super::replication::Replication;

impl Replication<'_> {
    /// Release order `i` of the plan, at `t`.
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    pub(super) fn release_order(&mut self, i: usize, t: f64) {
        let plan = self.plan;
        let Some(rules) = &plan.capacity_rules else {
            return;
        };
        let r = &rules.releases[i];
        self.sync_background(t);
        self.take_people(r.facility, r.who, r.count, Take::Release, t);
    }
}
