//! Rule 5 (court): stages with parallel servers, server schedules,
//! verdicts; with the version 3 courts, queues in priority order (rule
//! 21), routes (rule 23), other cases sharing the servers (rule 20, see
//! `other_cases.rs`) and the appeal (rule 22, see `appeal.rs`), which is a
//! desk like a stage's, after the last stage.

use std::collections::VecDeque;

use rand::distr::Distribution;

use super::courts::VERDICT;
use super::desk::Desk;
use super::event::{Event, OTHER, Status};
use super::replication::Replication;
use super::workspace::Detainee;
use crate::dist::sampler::bernoulli;
use crate::engine::Calendar;

impl Replication<'_> {
    /// Detainee `d` joins stage `s` at `t`: straight into service if a
    /// server is free and nobody waits, else at the back of the queue.
    ///
    /// Invariant after every event: a stage's queue is empty or all its
    /// servers are busy.
    ///
    /// `V3` false (a plan with version 2 courts, see
    /// `Replication::run_as`): no other case, one priority level, and `s`
    /// a stage, not the appeal.
    #[inline(always)]
    pub(super) fn join<const V3: bool>(&mut self, s: usize, d: u32, t: f64) {
        // The plan's flag first: a scenario without other cases never
        // reads the lane's time (`docs/performance.md`, "Where the 3.2×
        // goes").
        let others = V3 && self.plan.courts.has_others;
        if others && self.ws.desks[s].other_next <= t {
            self.advance_others(s, t);
        }
        let horizon = self.plan.horizon;
        let ws = &mut *self.ws;
        let k = &mut ws.desks[s];
        if waiting::<V3>(k) == 0 && k.busy < k.servers {
            k.started += 1;
            begin::<V3>(k, &mut ws.det, &mut ws.cal, horizon, s, d, t);
        } else {
            k.qlen += 1;
            let x = &mut ws.det[d as usize];
            if V3 && self.plan.courts.prioritized() {
                let level = self.plan.courts.group_level[x.group as usize];
                k.push(level as usize, (d, t));
            } else {
                k.queue.push_back((d, t));
            }
            x.stage = s as u8;
            x.status = if V3 { k.waiting } else { Status::Queued };
            if others && k.other_next != f64::INFINITY {
                // A transferee waits: the other cases' services that end
                // may start it (see `other_cases.rs`).
                self.wake_others(s);
            }
        }
    }

    /// Detainee `d` of group `g`, arrived at `t`, enters the court: the
    /// first stage of its route, or the verdict at once for an empty route
    /// (rule 23).
    #[inline(always)]
    pub(super) fn enter_court<const V3: bool>(&mut self, d: u32, g: usize, t: f64) {
        if V3 && self.plan.courts.routed {
            self.enter_route(d, g, t);
        } else {
            self.join::<V3>(0, d, t);
        }
    }

    /// [`Replication::enter_court`] with routes (rule 23).
    ///
    /// Never inlined, so that the code of a scenario without routes stays
    /// as it was.
    #[inline(never)]
    fn enter_route(&mut self, d: u32, g: usize, t: f64) {
        match self.plan.courts.first[g] {
            VERDICT => self.verdict::<true>(d, t),
            s => self.join::<true>(s as usize, d, t),
        }
    }

    /// `d`'s service at stage `s` ended at `t`: the next stage of its
    /// group's route, or the verdict (rule 23).
    ///
    /// Never inlined (see [`Replication::enter_route`]).
    #[inline(never)]
    fn next_on_route(&mut self, s: usize, d: u32, t: f64) {
        let g = self.ws.det[d as usize].group as usize;
        match self.plan.courts.after(g, s) {
            VERDICT => self.verdict::<true>(d, t),
            next => self.join::<true>(next as usize, d, t),
        }
    }

    /// Starts waiting cases of stage `s` while servers are free. Cases that
    /// left the queue early (repatriated, dead) are skipped here, lazily.
    pub(super) fn start_service(&mut self, s: usize, t: f64) {
        self.start_service_inline::<true>(s, t);
    }

    /// [`Replication::start_service`], inlined where a service ends, which
    /// calls it once per case and stage. `V3`: see [`Replication::join`].
    #[inline(always)]
    fn start_service_inline<const V3: bool>(&mut self, s: usize, t: f64) {
        let horizon = self.plan.horizon;
        let ws = &mut *self.ws;
        let k = &mut ws.desks[s];
        while k.busy < k.servers && waiting::<V3>(k) > 0 {
            let next = if V3 {
                k.queue.pop_front().or_else(|| k.pop_more())
            } else {
                k.queue.pop_front()
            };
            let Some((d, joined)) = next else {
                break;
            };
            if V3 && d == OTHER {
                k.qlen_other -= 1;
                begin_other(k, horizon, t);
                continue;
            }
            let queued = if V3 { k.waiting } else { Status::Queued };
            if ws.det[d as usize].status != queued {
                continue;
            }
            k.qlen -= 1;
            k.started += 1;
            k.wait_sum += t - joined;
            begin::<V3>(k, &mut ws.det, &mut ws.cal, horizon, s, d, t);
        }
        if waiting::<V3>(k) == 0 && !k.queue.is_empty() {
            // Only skipped entries can remain: drop them.
            k.queue.clear();
        }
        if V3 && k.waiting_cases() == 0 && !k.more.is_empty() {
            k.more.iter_mut().for_each(VecDeque::clear);
        }
    }

    /// Detainee `d` finishes service at stage `s` (unless it was
    /// repatriated meanwhile, when its server was already handed on).
    ///
    /// `V3`: see [`Replication::join`]; false, `s` is a stage.
    #[inline]
    pub(super) fn service_done<const V3: bool>(&mut self, s: usize, d: u32, t: f64) {
        let k = &mut self.ws.desks[s];
        let serving = if V3 { k.serving } else { Status::InService };
        if self.ws.det[d as usize].status != serving {
            return;
        }
        let others = V3 && self.plan.courts.has_others;
        if others && k.other_next <= t {
            self.advance_others(s, t);
        }
        let k = &mut self.ws.desks[s];
        k.busy -= 1;
        k.completed += 1;
        let courts = &self.plan.courts;
        if V3 && s == courts.stages {
            // The appeal (v3): its own desk, after the last stage.
            self.review_done(d, t);
            self.start_service(s, t);
            return;
        }
        if V3 && courts.routed {
            self.next_on_route(s, d, t);
        } else if s + 1 < courts.stages {
            self.join::<V3>(s + 1, d, t);
        } else {
            self.verdict::<V3>(d, t);
        }
        if self.plan.later_clocks {
            self.eligible_at_stage(d, s, t);
        }
        self.start_service_inline::<V3>(s, t);
        if others && self.ws.desks[s].other_next != f64::INFINITY {
            self.wake_others(s);
        }
    }

    /// Detainee `d`, queued or in service, leaves the court pipeline at `t`
    /// with `status`; a server it held takes the next case at once.
    ///
    /// At the appeal (v3) the same: the case leaves the appeal's queue or
    /// review, and the detainee leaves the convicted in custody.
    pub(super) fn leave_court(&mut self, d: u32, t: f64, status: Status) {
        let di = d as usize;
        let s = self.ws.det[di].stage as usize;
        if self.ws.desks[s].other_next <= t {
            self.advance_others(s, t);
        }
        let k = &mut self.ws.desks[s];
        let was_in_service = self.ws.det[di].status == k.serving;
        if was_in_service {
            k.busy -= 1;
        } else {
            k.qlen -= 1;
        }
        self.ws.det[di].status = status;
        if s == self.plan.courts.stages {
            self.convicted_in -= 1;
        } else {
            self.awaiting -= 1;
        }
        if was_in_service {
            self.start_service(s, t);
        }
        if self.ws.desks[s].other_next != f64::INFINITY {
            self.wake_others(s);
        }
    }

    /// Sentence `k` for convicted detainee `d` at `t` (rule 10): its move, and
    /// its exit, drawn now.
    ///
    /// Never inlined (see `Replication::handle`).
    #[inline(never)]
    fn sentence(&mut self, d: u32, k: usize, t: f64) {
        let plan = self.plan;
        let sp = &plan.sentences[k];
        self.sentenced[k] += 1;
        self.move_convicted(d, sp.facility);
        if let Some(exit) = &sp.exit
            && bernoulli(&mut self.rng.sentence, exit.probability)
        {
            let after = exit.after.sample(&mut self.rng.sentence);
            if exit.executed && plan.courts.appeal.is_some() {
                // An execution waits for finality (rule 22): kept until
                // the review ends.
                self.ws.final_delay[d as usize] = after;
                return;
            }
            let at = t + after;
            if at <= plan.horizon {
                self.ws.cal.schedule(
                    at,
                    Event::Exit {
                        d,
                        executed: exit.executed,
                    },
                );
            }
        }
    }

    /// The verdict after the last stage. `V3`: see [`Replication::join`];
    /// false, no appeal and no deportation.
    fn verdict<const V3: bool>(&mut self, d: u32, t: f64) {
        let di = d as usize;
        // One read of the record (one index check) for what follows.
        let x = self.ws.det[di];
        self.awaiting -= 1;
        // Never negative (the verdict comes after the arrival; `x - x` is
        // `+0.0`), so the bits order as the days do.
        let days = t - x.arrival;
        self.ws.verdict_days.push(days.to_bits());
        // Summed here, in the order of the list, rather than over the list
        // at the horizon: the same sum, without a chain of 100,000
        // dependent additions at the end of a long replication.
        self.verdict_sum += days;
        if bernoulli(&mut self.rng.verdict, self.plan.conviction) {
            self.convicted += 1;
            self.convicted_in += 1;
            self.convicted_g[x.group as usize] += 1;
            let appeal = V3 && self.plan.courts.appeal.is_some();
            if appeal {
                // No execution drawn yet (see `sentence`).
                self.ws.final_delay[di] = f64::NAN;
            }
            match &self.plan.sentence_pick {
                None => self.move_convicted(d, self.plan.convicted_facility),
                Some(pick) => {
                    let k = pick.sample(&mut self.rng.sentence);
                    self.sentence(d, k, t);
                }
            }
            if appeal {
                // Rule 22: the conviction joins the appeal queue; the
                // clock of a transfer after the verdict starts at
                // finality.
                self.join::<true>(self.plan.courts.stages, d, t);
            } else if self.plan.later_clocks {
                self.eligible_at_verdict(d, t);
            }
        } else {
            self.released += 1;
            if V3 {
                self.court_release(d, t, Status::Released);
            } else {
                // No deportation: what `court_release` does without it.
                self.ws.det[di].status = Status::Released;
                self.free_bed(d);
            }
        }
    }
}

/// Case `d` takes a free server of desk `k` (stage `s`) at `t`: its service
/// time is drawn and its end scheduled (if by the horizon), and its stage
/// and status are written (once, whether it joined or waited).
///
/// A function of the desk, the records and the calendar rather than a
/// method: its callers hold the desk already, so the stage is looked up
/// once per step instead of once per use (M/M/1 2.5% faster). Always
/// inlined, as `join` is: each is called once or twice per detainee and
/// stage, and the calls cost about 1.5% of a January-plan replication.
///
/// `V3`: see [`Replication::join`]; false, `k` is a stage's desk.
#[inline(always)]
fn begin<const V3: bool>(
    k: &mut Desk,
    det: &mut [Detainee],
    cal: &mut Calendar<Event>,
    horizon: f64,
    s: usize,
    d: u32,
    t: f64,
) {
    k.busy += 1;
    let done = t + k.service.sample(&mut k.rng);
    let x = &mut det[d as usize];
    x.stage = s as u8;
    x.status = if V3 { k.serving } else { Status::InService };
    if done <= horizon {
        cal.schedule(done, Event::ServiceDone { stage: s as u8, d });
    }
}

/// Cases waiting at desk `k`: with `V3` false (no other case) its
/// transferees alone.
#[inline(always)]
fn waiting<const V3: bool>(k: &Desk) -> u64 {
    if V3 { k.waiting_cases() } else { k.qlen }
}

/// An other case takes a free server of desk `k` at `t`: its service time
/// is drawn on the other cases' stream and its end kept in the other
/// cases' lane (if by the horizon), not in the calendar.
pub(super) fn begin_other(k: &mut Desk, horizon: f64, t: f64) {
    k.busy += 1;
    k.other.busy += 1;
    let done = t + k.other.service.sample(&mut k.other.rng);
    if done <= horizon {
        k.other.done.schedule(done, ());
        k.other_next = k.other_next.min(done);
    }
}
