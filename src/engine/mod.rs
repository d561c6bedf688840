//! How time advances, knowing nothing of prisons: the event calendar.
//!
//! [`Calendar`] is a radix heap over the bits of the event times, with
//! 6-bit digits (see `calendar.rs` for how it works and why it keeps the
//! scheduling order at equal times). It relies on time never going
//! backwards: an event is never scheduled before the event popped last.
//!
//! # Measurements (issue 14)
//!
//! The event sets compared, each keeping first-in first-out order at equal
//! times (all gave bit-identical results on `run baseline -n 200 --seed
//! 7`): the binary heap keyed by (time bits, sequence number) that the
//! engine used before (`std::collections::BinaryHeap`), a 4-ary implicit
//! heap on the same key, and radix heaps with 1-bit digits (the textbook
//! form) and 6-bit digits (kept). They were measured on 2026-11-27 on the
//! project's 2-core machine (AMD EPYC, 2 cores), which was shared with
//! other builds throughout (load average 18 to 19), so absolute times are
//! about 2.5 to 3 times those of a quiet machine; ratios within one run
//! hold better.
//!
//! One criterion run (`cargo bench --bench engine -- --warm-up-time 1
//! --measurement-time 3`, with a temporary switch choosing the event set at
//! run time, since removed), M/M/1 with ρ = 0.8 (100,000 customers) and
//! one baseline replication through the public API:
//!
//! | event set | M/M/1 ns/customer | M/M/1 ratio to bare loop | baseline ms/replication | baseline speed-up |
//! | --- | --- | --- | --- | --- |
//! | binary heap (before) | 380 | 0.50 | 6.57 | 1.00 |
//! | 4-ary heap | 260 | 0.74 | 6.07 | 1.08 |
//! | radix heap, 1-bit digits | 342 | 0.56 | 4.82 | 1.36 |
//! | **radix heap, 6-bit digits** | 324 | 0.59 | **3.90** | **1.69** |
//! | bare `BinaryHeap` loop (reference) | 192 | 1 | | |
//!
//! The event sets alone, replaying the calendar operations of one baseline
//! replication (14,757 schedules, 14,758 pops, up to 8,300 pending),
//! best of 15: binary heap 91 ns per event, 4-ary heap 95, radix heap with
//! 1-bit digits 52, with 6-bit digits 19 (4.8 times faster than the binary
//! heap). CPU time of `custody-sim run baseline -n 2000 --threads 1`
//! (user time, less sensitive to the load than wall time): 1.35 ms per
//! replication before, 0.88 ms after (1.55×).
//!
//! M/M/1 holds at most two pending events, so no event set changes it
//! much: it is bound by the model's work per customer (boarding from the
//! pool, placement, records), and stays at 0.5 to 0.6 of the bare loop.
//!
//! The radix heap with 1-bit digits refiles each event about six times in
//! the baseline (91,000 refilings for 14,757 events); 6-bit digits cut that
//! to one or two, for 704 buckets whose bookkeeping fits in 23 KiB.

mod calendar;

pub use calendar::Calendar;
