//! A court stage's desk in a running replication (rule 5, and the
//! version 3 courts' priorities, other cases and appeal): its counts, its
//! queues, its service time and its random stream. The handlers that move
//! cases through desks live in `court.rs`, `other_cases.rs` and
//! `appeal.rs`.

use std::collections::VecDeque;

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use super::event::Status;
use crate::dist::sampler::Sampler;
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
    /// With priorities (v3) it holds the first level, the lowest priority
    /// number; an entry [`OTHER`](super::event::OTHER) is an other court case.
    pub(super) queue: VecDeque<(u32, f64)>,
    /// With priorities (v3, rule 21): the queues of the next levels, in
    /// order; empty otherwise.
    pub(super) more: Vec<VecDeque<(u32, f64)>>,
    /// The stage's service time (the plan's, copied).
    pub(super) service: Sampler,
    /// The stage's random stream (set by `Streams::new`).
    pub(super) rng: ChaCha8Rng,
    /// Other court cases (v3, rule 20) waiting.
    pub(super) qlen_other: u64,
    /// The time of the next event of the other cases' lane (rule 20, see
    /// `other_cases.rs`): their next arrival or the first end of an other
    /// case's service, whichever comes first; infinite when the stage has
    /// none pending (always, at a stage without other cases, so that the
    /// test `other_next <= t` before every step at a stage is never taken
    /// in a version 2 scenario).
    pub(super) other_next: f64,
    /// The rest of what the desk keeps of other cases, apart so that a
    /// desk without them stays small.
    pub(super) other: Box<OtherDesk>,
    /// The status of a case waiting at this desk and of one in service:
    /// `Queued` and `InService` at a stage, `Appealing` and `InReview` at
    /// the appeal.
    pub(super) waiting: Status,
    pub(super) serving: Status,
}

/// Other court cases at a desk (v3, rule 20): in service, served, their
/// service time and their random stream (arrival gaps and service times),
/// set when the stage has other cases; and their lane, the events that
/// are not in the calendar (see `other_cases.rs`).
#[derive(Debug)]
pub(super) struct OtherDesk {
    pub(super) busy: u64,
    pub(super) completed: u64,
    pub(super) service: Sampler,
    pub(super) rng: ChaCha8Rng,
    /// The next arrival (infinite when none comes by the horizon).
    pub(super) next_arrival: f64,
    /// The ends of the services of other cases, by the horizon: a radix
    /// heap as the calendar's (times never go backwards in it either), of
    /// events that carry nothing but their time.
    pub(super) done: Calendar<()>,
    /// The earliest wake-up of this stage pending in the calendar
    /// (infinite if none).
    pub(super) wake_at: f64,
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
            more: Vec::new(),
            service: Sampler::Fixed(0.0),
            rng: ChaCha8Rng::from_seed([0; 32]),
            qlen_other: 0,
            other_next: f64::INFINITY,
            other: Box::new(OtherDesk {
                busy: 0,
                completed: 0,
                service: Sampler::Fixed(0.0),
                rng: ChaCha8Rng::from_seed([0; 32]),
                next_arrival: f64::INFINITY,
                done: Calendar::new(),
                wake_at: f64::INFINITY,
            }),
            waiting: Status::Queued,
            serving: Status::InService,
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
        self.more.clear();
        self.qlen_other = 0;
        self.other_next = f64::INFINITY;
        self.other.busy = 0;
        self.other.completed = 0;
        self.other.next_arrival = f64::INFINITY;
        self.other.done.clear();
        self.other.wake_at = f64::INFINITY;
        self.waiting = Status::Queued;
        self.serving = Status::InService;
    }

    /// Version 3 settings after [`Desk::reset`]: `levels` priority levels,
    /// the statuses of its cases (the appeal's differ), and the other
    /// cases' service time.
    pub(super) fn reset_v3(
        &mut self,
        levels: usize,
        waiting: Status,
        serving: Status,
        other_service: Option<&Sampler>,
    ) {
        self.more.resize_with(levels - 1, VecDeque::new);
        self.waiting = waiting;
        self.serving = serving;
        if let Some(o) = other_service {
            self.other.service = o.clone();
        }
    }

    /// Cases waiting, transferees and other cases.
    #[inline(always)]
    pub(super) fn waiting_cases(&self) -> u64 {
        self.qlen + self.qlen_other
    }

    /// Puts an entry at the back of priority level `level`'s queue.
    #[inline]
    pub(super) fn push(&mut self, level: usize, entry: (u32, f64)) {
        match level {
            0 => self.queue.push_back(entry),
            l => self.more[l - 1].push_back(entry),
        }
    }

    /// Takes the first entry of the first non-empty level after the
    /// first (the first is read directly).
    #[cold]
    pub(super) fn pop_more(&mut self) -> Option<(u32, f64)> {
        self.more.iter_mut().find_map(VecDeque::pop_front)
    }

    /// Transferees at this desk (queued or in service), not other cases.
    #[inline]
    pub(super) fn transferees(&self) -> u64 {
        self.qlen + self.busy - self.other.busy
    }
}
