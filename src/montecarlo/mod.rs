//! Many replications: the rayon-parallel runner, shards that merge exactly,
//! and a precision target.
//!
//! ```text
//!  replications 0..n ──► chunks on rayon workers ──► Shard (values by index,
//!   (replication i: random stream f(seed, i))          exact series sums
//!                                                       and histograms)
//!  shards a..b, b..c, … ──► Shard::merge (any order) ──► Shard::summary ──► Summary
//! ```
//!
//! # Random streams
//!
//! Every draw comes from ChaCha8 (`rand::rngs::ChaCha8Rng`), a
//! counter-based generator whose output is fixed by its specification
//! (unlike `StdRng`, whose algorithm may change between rand releases),
//! and which jumps to any of 2^64 streams in constant time. The master seed
//! keys the generator; replication `i` uses stream (nonce) `i`, so its
//! draws depend only on `(seed, i)`, whatever thread runs it and whatever
//! ran before. Inside a replication each process has its own region of that
//! stream (2^56 words each): the transfer timetable, convoy sizes, transit
//! times, boarding, escapes, allocation, verdicts, each court stage's
//! service and each group's repatriation. Changing one lever leaves the
//! others' draws as they were (common random numbers), which is what makes
//! the paired differences of a [`sweep`] sharp. Convoy sizes and
//! transit times are drawn for every scheduled departure, even one a pause
//! or a cap skips, so the k-th departure keeps its draws across scenarios.
//!
//! # Reproducibility
//!
//! Bit-identical results hold for one build (the same `Cargo.lock`) on one
//! platform: the samplers use floating-point functions (`ln`, `exp`) that
//! Rust does not promise to round alike everywhere, and a new release of
//! rand_distr may change how a distribution is sampled. Shards record the
//! custody-sim version and refuse to merge across versions; merge shards
//! made by the same build.
//!
//! A [`Summary`] is a pure function of scenario, seed and replication set:
//! bit-identical with 1 or 16 threads, and shards covering `0..n` merge, in
//! any order, into the same summary as one run of `n` (see [`crate::stats`]
//! for why).

mod estimate;
mod precision;
mod run;
mod runner;
mod sealed;
mod shard;
mod shard_file;
mod summary;
pub mod sweep;
pub(crate) mod uncertain;

pub use estimate::{
    Estimate, Limits, MOVE_EVENTS, NANOS_PER_EVENT, SCAN_EVENTS, SYNC_EVENTS, estimate,
    estimate_runs, events_per_replication,
};
pub use precision::{Precision, run_until};
pub use run::{run, run_plan, run_shard, run_with, run_with_progress};
pub(crate) use runner::in_pool;
pub use runner::{MAX_THREADS_PER_CORE, Progress, Runs, max_threads};
pub use shard::{Shard, check_merge, scenario_sha256};
pub use shard_file::{ShardFile, read_shard_file};
pub use summary::Summary;
