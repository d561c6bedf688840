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
//!
//! # Layout
//!
//! One file per idea, and imports that go one way: each file imports only
//! files listed below it (`mod.rs` re-exports the public items; no file
//! imports through it, which a unit test checks along with the absence of
//! cycles).
//!
//! ```text
//!  file         holds                                       ──► imports
//!  shard_file   ShardFile: a shard file of either kind,     ──► sweep, shard, sealed
//!               read, and a list of them merged
//!  run          the entry points: run (and its builder Run),  ──► estimate, runner, shard,
//!               run_shard, run_plan                              summary
//!  sweep        grids over parameter paths, sweep slices    ──► runner, shard, sealed,
//!                                                                summary
//!  precision    run until a confidence interval is narrow   ──► runner, shard, summary
//!  estimate     the cost model and the limits of a run      ──► runner
//!  runner       replications on rayon workers, into a       ──► shard, uncertain
//!               shard; Runs, Progress, the thread cap
//!  shard        Shard: merge, integrity, the stored-values  ──► sealed, summary
//!               limit
//!  sealed       the checksummed file format                 ──► (none)
//!  summary      Summary: what a run reports                 ──► (none)
//!  uncertain    draws of the [uncertainty] parameters       ──► (none)
//! ```

mod estimate;
mod precision;
mod run;
mod runner;
pub(crate) mod sealed;
mod shard;
mod shard_file;
mod summary;
pub mod sweep;
pub(crate) mod uncertain;

pub use estimate::{
    Limits, MOVE_EVENTS, NANOS_PER_EVENT, OTHER_CASE_EVENTS, RunCost, SCAN_EVENTS, SYNC_EVENTS,
    estimate, estimate_runs, events_per_replication,
};
pub use precision::{Precision, run_until};
pub use run::{Run, run, run_plan, run_shard};
pub(crate) use runner::in_pool;
pub use runner::{MAX_THREADS_PER_CORE, Progress, Runs, max_threads};
#[cfg(test)]
pub(crate) use shard::STORED_CHECKS;
pub use shard::{Shard, check_merge, scenario_sha256};
pub use shard_file::{ShardFile, read_shard_file};
pub use summary::Summary;

#[cfg(test)]
mod layout {
    /// Each file of this module (but `mod.rs`) and its source.
    const FILES: &[(&str, &str)] = &[
        ("estimate", include_str!("estimate.rs")),
        ("precision", include_str!("precision.rs")),
        ("run", include_str!("run.rs")),
        ("runner", include_str!("runner.rs")),
        ("sealed", include_str!("sealed.rs")),
        ("shard", include_str!("shard.rs")),
        ("shard_file", include_str!("shard_file.rs")),
        ("summary", include_str!("summary.rs")),
        ("sweep", include_str!("sweep.rs")),
        ("uncertain", include_str!("uncertain.rs")),
    ];

    /// The files `source` imports (`super::file`, `crate::montecarlo::file`),
    /// outside comments and its test module, and the names it reaches
    /// through `mod.rs` (`super::Name`, `super::{…}`).
    fn imports(source: &str) -> (Vec<&'static str>, Vec<String>) {
        let code = source.split("#[cfg(test)]\nmod ").next().unwrap_or("");
        let mut files = Vec::new();
        let mut through = Vec::new();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for prefix in ["super::", "crate::montecarlo::"] {
                for (i, _) in line.match_indices(prefix) {
                    let rest = &line[i + prefix.len()..];
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    match FILES.iter().find(|(f, _)| *f == name) {
                        Some((f, _)) => files.push(*f),
                        None => through.push(if name.is_empty() {
                            rest.chars().take(8).collect()
                        } else {
                            name
                        }),
                    }
                }
            }
        }
        files.sort_unstable();
        files.dedup();
        (files, through)
    }

    /// The files import one another one way (no cycle), and none imports
    /// through `mod.rs`: the graph in the module docs holds.
    #[test]
    fn files_import_one_way() {
        let graph: Vec<(&str, Vec<&str>)> = FILES
            .iter()
            .map(|(name, source)| {
                let (files, through) = imports(source);
                assert!(
                    through.is_empty(),
                    "{name}.rs imports through mod.rs: {through:?}"
                );
                (*name, files)
            })
            .collect();
        // Kahn's algorithm: take files whose imports are all taken.
        let mut taken: Vec<&str> = Vec::new();
        while taken.len() < graph.len() {
            let next = graph.iter().find(|(name, deps)| {
                !taken.contains(name) && deps.iter().all(|d| d == name || taken.contains(d))
            });
            match next {
                Some((name, _)) => taken.push(name),
                None => panic!(
                    "a cycle among {:?}",
                    graph
                        .iter()
                        .filter(|(n, _)| !taken.contains(n))
                        .collect::<Vec<_>>()
                ),
            }
        }
    }
}
