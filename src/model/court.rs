//! Rule 5 (court): first-come, first-served stages with parallel servers,
//! server schedules, verdicts.

use std::collections::VecDeque;

use rand::SeedableRng;
use rand::distr::Distribution;
use rand::rngs::ChaCha8Rng;

use super::event::{Event, Status};
use super::replication::Replication;
use super::workspace::Detainee;
use crate::dist::sampler::{Sampler, bernoulli};
use crate::engine::Calendar;

/// A court stage in a running replication: its counts, its queue, its
/// service time's sampler and its random stream, kept together so that an
/// event at the stage checks one index and reads one record instead of three
/// or four. Desks live in the [`Workspace`](super::workspace::Workspace), so
/// that a queue keeps its memory from one replication to the next.
#[derive(Debug)]
pub(super) struct Desk {
    /// Cases waiting (skipped entries of the queue not counted).
    pub(super) qlen: u64,
    /// Servers busy.
    pub(super) busy: u64,
    /// Servers open now (rule 6's schedule changes it).
    pub(super) servers: u64,
    /// Services started so far.
    pub(super) started: u64,
    /// Services completed so far.
    pub(super) completed: u64,
    /// Sum of the waits of the services started \[days\].
    pub(super) wait_sum: f64,
    /// The queue, as (detainee, time it joined), read in order (so the
    /// time needs no lookup by detainee); it may hold skipped entries.
    pub(super) queue: VecDeque<(u32, f64)>,
    /// The stage's service time (the plan's, copied).
    pub(super) service: Sampler,
    /// The stage's random stream (set by `Streams::new`).
    pub(super) rng: ChaCha8Rng,
}

impl Desk {
    /// A stage with no server, nobody at it, and placeholders for its
    /// service and stream, which [`Desk::reset`] and `Streams::new` set
    /// before a replication reads them.
    pub(super) fn idle() -> Desk {
        Desk {
            qlen: 0,
            busy: 0,
            servers: 0,
            started: 0,
            completed: 0,
            wait_sum: 0.0,
            queue: VecDeque::new(),
            service: Sampler::Fixed(0.0),
            rng: ChaCha8Rng::from_seed([0; 32]),
        }
    }

    /// The stage at the start of a replication: `servers` open, nobody
    /// at it, service time `service`; the queue keeps its memory.
    pub(super) fn reset(&mut self, servers: u64, service: &Sampler) {
        self.qlen = 0;
        self.busy = 0;
        self.servers = servers;
        self.started = 0;
        self.completed = 0;
        self.wait_sum = 0.0;
        self.queue.clear();
        self.service = service.clone();
    }
}

impl Replication<'_> {
    /// Detainee `d` joins stage `s` at `t`: straight into service if a
    /// server is free and nobody waits, else at the back of the queue.
    ///
    /// Invariant after every event: a stage's queue is empty or all its
    /// servers are busy.
    #[inline(always)]
    pub(super) fn join(&mut self, s: usize, d: u32, t: f64) {
        let horizon = self.plan.horizon;
        let ws = &mut *self.ws;
        let k = &mut ws.desks[s];
        if k.qlen == 0 && k.busy < k.servers {
            k.started += 1;
            begin(k, &mut ws.det, &mut ws.cal, horizon, s, d, t);
        } else {
            k.qlen += 1;
            k.queue.push_back((d, t));
            let x = &mut ws.det[d as usize];
            x.stage = s as u8;
            x.status = Status::Queued;
        }
    }

    /// Starts waiting cases of stage `s` while servers are free. Cases that
    /// left the queue early (repatriated, dead) are skipped here, lazily.
    pub(super) fn start_service(&mut self, s: usize, t: f64) {
        self.start_service_inline(s, t);
    }

    /// [`Replication::start_service`], inlined where a service ends, which
    /// calls it once per case and stage.
    #[inline(always)]
    fn start_service_inline(&mut self, s: usize, t: f64) {
        let horizon = self.plan.horizon;
        let ws = &mut *self.ws;
        let k = &mut ws.desks[s];
        while k.busy < k.servers && k.qlen > 0 {
            let Some((d, joined)) = k.queue.pop_front() else {
                break;
            };
            if ws.det[d as usize].status != Status::Queued {
                continue;
            }
            k.qlen -= 1;
            k.started += 1;
            k.wait_sum += t - joined;
            begin(k, &mut ws.det, &mut ws.cal, horizon, s, d, t);
        }
        if k.qlen == 0 && !k.queue.is_empty() {
            // Only skipped entries can remain: drop them.
            k.queue.clear();
        }
    }

    /// Detainee `d` finishes service at stage `s` (unless it was
    /// repatriated meanwhile, when its server was already handed on).
    #[inline]
    pub(super) fn service_done(&mut self, s: usize, d: u32, t: f64) {
        if self.ws.det[d as usize].status != Status::InService {
            return;
        }
        let k = &mut self.ws.desks[s];
        k.busy -= 1;
        k.completed += 1;
        if s + 1 < self.ws.desks.len() {
            self.join(s + 1, d, t);
        } else {
            self.verdict(d, t);
        }
        if self.plan.later_clocks {
            self.eligible_at_stage(d, s, t);
        }
        self.start_service_inline(s, t);
    }

    /// Detainee `d`, queued or in service, leaves the court pipeline at `t`
    /// with `status`; a server it held takes the next case at once.
    pub(super) fn leave_court(&mut self, d: u32, t: f64, status: Status) {
        let di = d as usize;
        let s = self.ws.det[di].stage as usize;
        let was_in_service = self.ws.det[di].status == Status::InService;
        let k = &mut self.ws.desks[s];
        if was_in_service {
            k.busy -= 1;
        } else {
            k.qlen -= 1;
        }
        self.ws.det[di].status = status;
        self.awaiting -= 1;
        if was_in_service {
            self.start_service(s, t);
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
            let at = t + exit.after.sample(&mut self.rng.sentence);
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

    /// The verdict after the last stage.
    fn verdict(&mut self, d: u32, t: f64) {
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
            match &self.plan.sentence_pick {
                None => self.move_convicted(d, self.plan.convicted_facility),
                Some(pick) => {
                    let k = pick.sample(&mut self.rng.sentence);
                    self.sentence(d, k, t);
                }
            }
            if self.plan.later_clocks {
                self.eligible_at_verdict(d, t);
            }
        } else {
            self.released += 1;
            self.ws.det[di].status = Status::Released;
            self.free_bed(d);
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
#[inline(always)]
fn begin(
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
    x.status = Status::InService;
    if done <= horizon {
        cal.schedule(done, Event::ServiceDone { stage: s as u8, d });
    }
}
