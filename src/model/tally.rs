//! Test builds only: how many events of each kind a replication handles,
//! and how many of them were stale, timers that changed nothing when they
//! came because their detainee had left first. The counts cost
//! nothing in a release build, where this module does not exist.
//!
//! `cargo test --release --lib stale_timers -- --nocapture` prints the
//! table that the engine documentation quotes.

use super::event::{Event, Status};
use super::replication::Replication;

/// The kinds of [`Event`], in declaration order, for the tables.
pub(super) const KINDS: [&str; 15] = [
    "Expansion",
    "ServerChange",
    "Departure",
    "Arrival",
    "Incident",
    "ServiceDone",
    "Repatriate",
    "Relocation",
    "Exit",
    "Death",
    "Opens",
    "AdmissionRate",
    "Release",
    "OtherWake",
    "Deport",
];

/// Events handled and stale ones, by kind (indexed as [`KINDS`]).
#[derive(Debug, Default, Clone)]
pub(super) struct Tally {
    pub(super) handled: [u64; 15],
    pub(super) stale: [u64; 15],
    /// Stale service completions whose detainee was neither repatriated
    /// nor dead: each would be a bug (a case that left the court any
    /// other way has no service running).
    pub(super) stale_service_elsewhere: u64,
}

fn kind(ev: Event) -> usize {
    match ev {
        Event::Expansion(_) => 0,
        Event::ServerChange(_) => 1,
        Event::Departure(_) => 2,
        Event::Arrival(_) => 3,
        Event::Incident => 4,
        Event::ServiceDone { .. } => 5,
        Event::Repatriate(_) => 6,
        Event::Relocation(_) => 7,
        Event::Exit { .. } => 8,
        Event::Death(_) => 9,
        Event::Opens(_) => 10,
        Event::AdmissionRate(_) => 11,
        Event::Release(_) => 12,
        Event::OtherWake(_) => 13,
        Event::Deport(_) => 14,
    }
}

impl Replication<'_> {
    /// Counts `ev`, about to be handled, as stale or not: the same tests
    /// as its handler makes before it does anything.
    pub(super) fn tally(&mut self, ev: Event) {
        let status = |d: u32| self.ws.det[d as usize].status;
        let stale = match ev {
            Event::ServiceDone { stage, d } => {
                let s = status(d);
                let serving = self.ws.desks[stage as usize].serving;
                // A term that ends during the appeal ends the review too.
                let left = matches!(
                    s,
                    Status::Repatriated | Status::Died | Status::ReleasedByOrder
                ) || (serving == Status::InReview
                    && matches!(s, Status::Served | Status::AwaitingDeportation));
                if s != serving && !left {
                    self.tally.stale_service_elsewhere += 1;
                }
                s != serving
            }
            Event::Repatriate(d) => !self.repatriation_acts(d),
            Event::Exit { d, executed } => !matches!(
                (status(d), executed),
                (Status::Convicted, _) | (Status::Appealing | Status::InReview, false)
            ),
            Event::Death(d) => !status(d).inside(),
            Event::Deport(d) => status(d) != Status::AwaitingDeportation,
            _ => false,
        };
        let k = kind(ev);
        self.tally.handled[k] += 1;
        self.tally.stale[k] += u64::from(stale);
    }
}

#[cfg(test)]
mod tests {
    use super::{KINDS, Tally};
    use crate::model::plan::Plan;
    use crate::model::replication::Replication;
    use crate::model::workspace::Workspace;
    use crate::scenario::presets;

    /// Sums the tallies of replications `0..n` of seed 1.
    fn tally(plan: &Plan, n: u64) -> Tally {
        let mut ws = Workspace::default();
        let mut sum = Tally::default();
        for i in 0..n {
            let mut rep = Replication::new(plan, &mut ws, 1, i, false);
            let _ = rep.run();
            for k in 0..KINDS.len() {
                sum.handled[k] += rep.tally.handled[k];
                sum.stale[k] += rep.tally.stale[k];
            }
            sum.stale_service_elsewhere += rep.tally.stale_service_elsewhere;
        }
        sum
    }

    /// Stale timers in the bundled scenarios: printed per replication (the
    /// table of the engine documentation), and bounded. The timers known
    /// to be useless when they would be scheduled are left out
    /// (`start_clock`, `draw_repatriation`); what stays stale is
    /// repatriation timers drawn on arrival whose detainee was convicted
    /// first in a group that does not repatriate after conviction, and
    /// service completions of cases that left mid-service. A change that
    /// schedules timers it could know to be useless pushes the share over
    /// the bound.
    #[test]
    fn stale_timers() {
        const N: u64 = 20;
        for (name, scenario, bound) in [
            ("plan-2026-01", presets::plan_2026_01(), 0.10),
            ("baseline", presets::baseline(), 0.01),
        ] {
            let plan = Plan::new(&scenario).expect("bundled scenarios are valid");
            let t = tally(&plan, N);
            println!("{name}: events per replication (mean of {N}), handled / stale");
            for (k, kind) in KINDS.iter().enumerate() {
                if t.handled[k] > 0 {
                    println!(
                        "  {kind:<12} {:>8.1} {:>8.1}",
                        t.handled[k] as f64 / N as f64,
                        t.stale[k] as f64 / N as f64
                    );
                }
            }
            let (all, stale): (u64, u64) = (t.handled.iter().sum(), t.stale.iter().sum());
            let share = stale as f64 / all as f64;
            println!(
                "  {:<12} {:>8.1} {:>8.1} ({:.1}%)",
                "all",
                all as f64 / N as f64,
                stale as f64 / N as f64,
                100.0 * share
            );
            assert!(all > 0, "{name}: no events counted");
            assert_eq!(
                t.stale_service_elsewhere, 0,
                "{name}: a service completion came for a case that left the court other than by repatriation or death"
            );
            assert!(
                share < bound,
                "{name}: {:.2}% of events are stale (bound {:.0}%)",
                100.0 * share,
                100.0 * bound
            );
        }
    }
}
