//! Which people a capacity rule takes (the kinds of rule 18: `any`,
//! `background`, `transferees`, `awaiting`, `convicted`), and the uniform
//! choice of some of them inside one facility, shared by overflow moves
//! (rule 18) and release orders (rule 25).
//!
//! The kinds are decided by one predicate each, here and nowhere else:
//! [`of_kind`] for an overflow move and [`releasable`] for a release
//! order.

use rand::RngExt;

use super::cohort::Cohort;
use super::event::Status;
use super::replication::Replication;
use crate::scenario::PersonKind;

/// Whether a transferee of status `s` is inside a facility and of kind
/// `kind`, for an overflow move (rule 18): `transferees` and `any` take
/// everyone inside (those awaiting deportation included), `awaiting`
/// those queued or in service at a court stage, `convicted` the
/// convicted (those under appeal, waiting or in review, included).
#[inline]
pub(super) fn of_kind(kind: PersonKind, s: Status) -> bool {
    match kind {
        PersonKind::Background => false,
        PersonKind::Any | PersonKind::Transferees => s.inside(),
        PersonKind::Awaiting => matches!(s, Status::Queued | Status::InService),
        PersonKind::Convicted => {
            matches!(s, Status::Convicted | Status::Appealing | Status::InReview)
        }
    }
}

/// Whether a transferee of status `s` may be taken by a release order of
/// kind `kind` (rule 25): as [`of_kind`], but never one awaiting
/// deportation (rule 24).
#[inline]
pub(super) fn releasable(kind: PersonKind, s: Status) -> bool {
    of_kind(kind, s) && s != Status::AwaitingDeportation
}

/// What happens to the people chosen by [`Replication::take_people`].
#[derive(Debug, Clone, Copy)]
pub(super) enum Take<'a> {
    /// They move to these facilities, filled in order up to each one's
    /// free beds (an overflow, rule 18).
    Fill(&'a [usize]),
    /// They leave custody (a release order, rule 25).
    Release,
}

impl Replication<'_> {
    /// Chooses up to `count` people of kind `kind` inside facility `from`,
    /// one after another, each uniformly among those not yet chosen
    /// (background inmates and transferees together when the kind takes
    /// both), and moves or releases each as `take` says; returns how many.
    /// The background must be up to date at `t`.
    ///
    /// With [`Take::Fill`] the caller makes sure the destinations have at
    /// least `count` free beds.
    pub(super) fn take_people(
        &mut self,
        from: usize,
        kind: PersonKind,
        count: u64,
        take: Take<'_>,
        t: f64,
    ) -> u64 {
        let release = matches!(take, Take::Release);
        // Everyone inside who is not a background inmate is a transferee.
        let inside = self.occ[from] - self.bg[from];
        let transferees = if kind == PersonKind::Background {
            0
        } else {
            inside
        };
        let background = if kind.takes_background() {
            self.bg[from]
        } else {
            0
        };
        if count == 0 || transferees + background == 0 {
            return 0;
        }
        // A few people out of many of every kind inside (the common
        // overflow): each transferee is drawn by rejection among all who
        // boarded, which needs no list. Otherwise the list of those of the
        // kind, by one scan.
        let by_rejection = !release
            && matches!(kind, PersonKind::Any | PersonKind::Transferees)
            && count.saturating_mul(4) <= transferees;
        let mut t_left = transferees;
        self.ws.candidates.clear();
        if !by_rejection && kind != PersonKind::Background {
            for d in 0..self.boarded {
                let x = self.ws.det[d];
                let ok = if release {
                    releasable(kind, x.status)
                } else {
                    of_kind(kind, x.status)
                };
                if ok && x.facility as usize == from {
                    self.ws.candidates.push(d as u32);
                }
            }
            t_left = self.ws.candidates.len() as u64;
        }
        // Background inmates still to choose from, per cohort.
        let mut left: Vec<u64> = if kind.takes_background() {
            self.cohorts[from].iter().map(|c| c.n).collect()
        } else {
            vec![0; self.cohorts[from].len()]
        };
        let mut b_left: u64 = left.iter().sum();
        let k = count.min(b_left + t_left);
        // The destination being filled, and its free beds.
        let mut dest = 0usize;
        for _ in 0..k {
            let to = match take {
                Take::Fill(list) => {
                    while self.cap[list[dest]] <= self.occ[list[dest]] {
                        dest += 1;
                    }
                    Some(list[dest])
                }
                Take::Release => None,
            };
            let rng = if release {
                &mut self.rng.release
            } else {
                &mut self.rng.overflow
            };
            let mut x = rng.random_range(0..b_left + t_left);
            if x < b_left {
                let mut c = 0;
                while x >= left[c] {
                    x -= left[c];
                    c += 1;
                }
                left[c] -= 1;
                b_left -= 1;
                self.take_background(from, c, to, t);
                continue;
            }
            t_left -= 1;
            let d = if by_rejection {
                self.draw_inside(from, kind)
            } else {
                let j = (x - b_left) as usize;
                self.ws.candidates.swap_remove(j)
            };
            match to {
                Some(g) => {
                    self.ws.det[d as usize].facility = g as u16;
                    self.occ[from] -= 1;
                    self.occ[g] += 1;
                }
                None => self.release_transferee(d, t),
            }
        }
        k
    }

    /// A transferee inside facility `from`, of kind `kind`, uniformly:
    /// draws among all who boarded until one is (those already moved out
    /// are no longer inside, so the draws are without replacement).
    fn draw_inside(&mut self, from: usize, kind: PersonKind) -> u32 {
        let n = self.boarded as u32;
        // Conservation keeps one inside; the bound only turns a broken
        // count into a report instead of an endless loop.
        for _ in 0..(1_000_000u64 + 1_000 * u64::from(n)) {
            let d = self.rng.overflow.random_range(0..n);
            let x = self.ws.det[d as usize];
            if x.facility as usize == from && of_kind(kind, x.status) {
                return d;
            }
        }
        panic!(
            "custody-sim internal error, please report: no transferee of facility {from} found to move"
        )
    }

    /// One background inmate of cohort `c` of facility `from` moves to
    /// `to` (keeping its exit law) or, with `None`, is released.
    fn take_background(&mut self, from: usize, c: usize, to: Option<usize>, t: f64) {
        self.cohorts[from][c].n -= 1;
        self.bg[from] -= 1;
        self.occ[from] -= 1;
        let Some(g) = to else {
            // Released: it leaves the background count.
            self.bg_left[from] += 1;
            return;
        };
        let stay = self.cohorts[from][c].mean_stay;
        match self.cohorts[g].iter_mut().find(|x| x.mean_stay == stay) {
            Some(dest) => dest.n += 1,
            None => self.cohorts[g].push(Cohort::new(1, stay, 0.0, t)),
        }
        self.bg[g] += 1;
        self.occ[g] += 1;
        self.bg_out[from] += 1;
        self.bg_in[g] += 1;
    }

    /// Transferee `d`, inside, is released by an order at `t`: it leaves
    /// its court queue or server (which takes the next case at once) or
    /// its sentence, and frees its bed; its other timers go stale.
    fn release_transferee(&mut self, d: u32, t: f64) {
        match self.ws.det[d as usize].status {
            // An appeal case ends with the release, as at a death.
            Status::Queued | Status::InService | Status::Appealing | Status::InReview => {
                self.leave_court(d, t, Status::ReleasedByOrder);
            }
            _ => {
                self.convicted_in -= 1;
                self.ws.det[d as usize].status = Status::ReleasedByOrder;
            }
        }
        self.cap3.released_by_order += 1;
        self.free_bed(d);
    }
}
