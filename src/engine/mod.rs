//! How time advances, knowing nothing of prisons: the event calendar.
//!
//! [`Calendar`] is a radix heap over the bits of the event times, with
//! 6-bit digits, fronted by a short sorted vector that holds the events
//! while at most 16 are pending (see `calendar.rs` for how it works and
//! why it keeps the scheduling order at equal times). It relies on time
//! never going backwards: an event is never scheduled before the event
//! popped last.
//!
//! # Why this event set
//!
//! Every event set considered keeps first-in first-out order at equal
//! times, so the choice changes speed, never results (each gave
//! bit-identical output on `run baseline -n 200 --seed 7`, when `baseline`
//! was the January plan). Measured on
//! 2026-11-27 on the project's 2-core machine while it was loaded (one
//! criterion run, `cargo bench --bench engine -- --warm-up-time 1
//! --measurement-time 3`, with a temporary switch choosing the event set,
//! since removed; compare within a column):
//!
//! | event set | M/M/1 ns/customer | January plan ms/replication | speed-up on the plan |
//! | --- | --- | --- | --- |
//! | binary heap keyed by (time bits, sequence number) | 380 | 6.57 | 1.00 |
//! | 4-ary heap on the same key | 260 | 6.07 | 1.08 |
//! | radix heap, 1-bit digits (the textbook form) | 342 | 4.82 | 1.36 |
//! | **radix heap, 6-bit digits (kept)** | 324 | **3.90** | **1.69** |
//!
//! With 1-bit digits each event is refiled about six times in a
//! replication of the January plan (91,000 refilings for 14,757 events);
//! 6-bit digits cut that to one or two, for 704 buckets whose bookkeeping
//! fits in 23 KiB. Replaying one replication's calendar operations alone,
//! the kept form takes 19 ns per event against the binary heap's 91.
//!
//! M/M/1 holds at most two pending events, where no heap helps: the short
//! sorted vector in front of the radix heap (used only while the heap is
//! empty, so choosing between the two is a predictable branch) made M/M/1
//! through the public API 25% faster and changed nothing for the plan.
//!
//! # How the rest of a replication is kept fast
//!
//! The engine only orders events; the model (`crate::model`) handles them.
//! What the two do together to keep an event cheap:
//!
//! - an event is 8 bytes (a convoy's detainees sit in a side table, a
//!   court stage is a `u8`), so a calendar entry is 16;
//! - each detainee is one 16-byte record, numbered in boarding order so
//!   that a convoy's detainees sit together in memory;
//! - a court stage's counts, queue, service sampler and random stream sit
//!   in one record (a desk), so an event at a stage checks one index;
//! - scenarios that use no pauses, caps, end rules, background turnover,
//!   deaths or repatriation delays take plain paths for departures and
//!   arrivals, which a test checks give the general code's results bit for
//!   bit;
//! - the handlers of rare events (incidents, repatriations, relocations,
//!   sentence ends, deaths) are never inlined into the event loop, whose
//!   code went from 0x3696 to 0x22e2 bytes (a third smaller; M/M/1 1 to
//!   2.5% faster, the January plan up to 1.5%);
//! - timers that cannot act are not scheduled; the few that become stale
//!   after scheduling (8.5% of the January plan's events, 0.4% of the
//!   baseline's; `cargo test --release --lib stale_timers -- --nocapture`
//!   counts them) cost a pop and one test each, less than any exact way
//!   found to remove them.
//!
//! # Current figures
//!
//! On the idle 2-core machine (AMD EPYC), 2026-11-28, criterion's `engine`
//! bench in interleaved rounds: one replication of the January plan
//! (`baseline/one-replication`) 0.79-0.83 ms, 1.60-1.70 times faster than
//! the binary-heap build of version 1; M/M/1 through the public API
//! (`mm1/custody-sim`) as fast as the bare `BinaryHeap` loop of
//! `benches/engine.rs` at the median of 11 rounds (bare ÷ custody-sim
//! 1.02; 0.94-1.04 by round). The commands, every round's figures, the
//! history of each change with its effect, and what was tried and not
//! kept are in `docs/performance.md`.

mod calendar;

pub use calendar::Calendar;
