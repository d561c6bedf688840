//! # custody-sim
//!
//! Discrete-event Monte Carlo simulation of detainee transfers and the
//! capacity they strain: convoys out of north-east Syria, Karkh prison in
//! Baghdad and the prisons of Nasiriyah, Hillah and Nineveh, Iraq's
//! investigation and trial courts, and the home states that do or do not
//! take their nationals back. Every answer comes with its uncertainty, from
//! many replications that run in parallel and reproduce bit for bit with a
//! given build (see [`montecarlo`] for what that promise covers).
//!
//! ## A first result in five minutes
//!
//! ```
//! use custody_sim::{montecarlo::{run, Runs}, presets};
//!
//! // The bundled baseline: the 2026 transfer as the public record reports
//! // it, 5,704 detainees moved by 13 February, mostly into Karkh.
//! let scenario = presets::baseline();
//! let summary = run(&scenario, &Runs { replications: 50, seed: 1, threads: 0 })?;
//!
//! let karkh = scenario.facilities.iter().find(|f| f.name == "Karkh").unwrap();
//! let peak = summary.metric("facility.Karkh.peak_occupancy").unwrap();
//! println!(
//!     "Karkh peaks at {:.0} (95% CI {:.0}-{:.0}) for {} beds",
//!     peak.mean.unwrap(), peak.ci95_low.unwrap(), peak.ci95_high.unwrap(),
//!     karkh.capacity,
//! );
//! assert!(peak.mean.unwrap() > karkh.capacity as f64);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A scenario can also come from a TOML file ([`Scenario::from_path`]), the
//! format of `examples/scenarios/baseline.toml`, or be built in Rust
//! ([`Scenario::builder`]). Any value can be changed by its parameter path
//! ([`Scenario::with_param`]: `court.stage[trial].servers`), and a grid of
//! such changes run as a [`sweep`] with paired differences.
//!
//! ## What is simulated
//!
//! Time is continuous, in days from `start_date` (day 0), to
//! `horizon_days`. Each detainee belongs to a group (a nationality
//! cluster) and passes through these steps (the reference model's rules
//! 1-7):
//!
//! ```text
//!   (1) groups: all detainees in the Syrian pool on day 0
//!        │                       │ (3) incidents: each in the pool escapes with p
//!        │ (2) convoys: phases,  ▼
//!        │     pauses, caps   escaped
//!        ▼
//!     transit ──► (4) custody: a bed in a facility (least_occupied,
//!                      │        proportional or fill_in_order; may overcrowd)
//!                      ▼
//!                 (5) court: stage 1 queue ─► servers ─► … ─► last stage ─► verdict
//!                      │                                              │
//!   (6) repatriated ◄──┘ if the home state's time comes first          ├─► convicted (stay)
//!                                                                     └─► released (leave)
//!   (7) end of each day: occupancy, queues, pool and transfers recorded
//! ```
//!
//! Version 2 of the model (rules 8-17) adds what happens after arrival:
//! a transfer that stops at a date or a total (8), receiving facilities
//! (9), sentences with their own prison and exit, released or executed
//! (10), death in custody (11), background populations that turn over
//! (12), relocations between prisons (13), repatriation after
//! investigation or as sentenced prisoners, with quotas (14), courts that
//! open later (15), dates wherever a day is expected (16) and the cost of
//! a detainee-day (17). A version 1 scenario means what it meant. The
//! whole model, every scenario key and every metric with its unit, is in
//! `docs/model.md`; the sources of the bundled scenarios are in
//! `docs/calibration.md`.
//!
//! Conservation holds at every instant: each detainee is in exactly one of
//! the pool, transit, custody awaiting a verdict, convicted in custody,
//! released, released after a sentence, repatriated, escaped, executed or
//! died in custody, and each facility's background inmates balance; the
//! engine checks it at every daily record.
//!
//! ## How the crate is laid out
//!
//! ```text
//!  scenario file / builder ──► Scenario ──validate──► Plan ──► Replication ──► Outcome
//!  (scenario)                   (plain serde data)    (model)   event loop      one run
//!                                                                   │
//!        Summary ◄── Shard::summary ◄── Shard (mergeable) ◄── montecarlo: rayon,
//!  (stats, CI)                                                 stream f(seed, i)
//!        └──► report: table, JSON, CSV, plots
//! ```
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`dist`] | the `dist` tables: [`Dist`], its checks, samplers, quantiles and densities |
//! | [`scenario`] | the scenario types, validation, parameter paths, [`presets`] |
//! | [`engine`] | the event calendar, knowing nothing of prisons |
//! | [`model`] | one replication: [`Plan`], [`Outcome`], [`simulate`]; the metric schema ([`model::schema`]) |
//! | [`montecarlo`] | many replications: [`run`], shards, precision targets, random streams |
//! | [`stats`] | mergeable accumulators, quantiles, Student t intervals |
//! | [`sweep`] | grids over parameter paths with common random numbers |
//! | [`report`] | table, JSON, CSV, and plots (feature `plots`) |
//! | [`calibrate`] | observations, backtests (PIT, interval score, CRPS), ABC-PMC calibration |
//! | [`decide`] | sensitivity (Sobol indices, tornado), solve for a target, compare scenarios |
//! | [`files`] | reading inputs within their limits and writing outputs safely (atomic files, FIFOs and devices written into, links kept) |
//! | [`error`] | [`Error`], one variant per kind of failure, and the CLI's exit codes |
//!
//! ## Validation
//!
//! The engine is checked against queueing theory in the test suite
//! (`tests/integration/queueing.rs`): each case is a scenario in the
//! model's own terms (Poisson arrivals are convoys of one with exponential
//! intervals; ample beds), run for 60 replications with a fixed seed, and
//! the test asserts that the analytic value lies inside the simulated 99%
//! confidence interval.
//!
//! | case | analytic | simulated mean \[99% CI\] |
//! | --- | --- | --- |
//! | M/M/1 ρ=0.8, Wq (days) | 0.080000 | 0.080616 \[0.079526, 0.081705\] |
//! | M/M/1 ρ=0.8, Lq (daily queue series) | 3.200000 | 3.223256 \[3.176319, 3.270194\] |
//! | M/M/10 ρ=0.5, Wq (days, Erlang C) | 0.000722 | 0.000724 \[0.000700, 0.000747\] |
//! | M/M/10 ρ=0.9, Wq (days, Erlang C) | 0.066873 | 0.066480 \[0.065161, 0.067799\] |
//! | M/D/1 ρ=0.8, Wq (days, Pollaczek-Khinchine) | 0.040000 | 0.040105 \[0.039725, 0.040486\] |
//! | M/M/∞, mean wait (days) | 0 | exactly 0 in all 60 replications |
//! | M/M/∞, mean number in service (λ/μ) | 25.000000 | 25.006623 \[24.915669, 25.097577\] |
//! | Tandem stage 1, M/M/2 ρ=0.8, Wq (days) | 0.071111 | 0.071628 \[0.070461, 0.072794\] |
//! | Tandem stage 2, M/M/1 ρ=0.8, Wq (days) | 0.080000 | 0.079702 \[0.078736, 0.080667\] |
//! | Little's law, M/G/3 lognormal: Lq − λ·Wq | 0 | 0.004434 \[−0.014100, 0.022967\] |
//! | M/M/1+M share repatriated (θL/λ, birth-death chain) | 0.255167 | 0.255673 \[0.254696, 0.256651\] |
//!
//! Reproduce with `cargo test --release --test integration queueing --
//! --nocapture`.
//!
//! ## Errors and panics
//!
//! | input | result |
//! | --- | --- |
//! | a scenario with any number of problems | [`Error::Scenario`], every problem with its key path |
//! | a bad parameter path or value | [`Error::Scenario`] naming the path |
//! | an unreadable file | [`Error::Io`] naming the file |
//! | an input that is not a regular file (FIFO, device) or is above its size limit | [`Error::Io`] naming the file, the kind or both sizes ([`files`]) |
//! | a data file in the wrong format or damaged (shard, sweep slice) | [`Error::Format`] naming the file |
//! | shards that do not fit together | [`Error::Shard`] saying why |
//! | a run past a documented limit | [`Error::Limit`] with the size and the limit |
//! | a metric or series name that does not exist | [`Error::UnknownName`] listing the valid names |
//! | an argument out of range (precision target, shard index) | [`Error::InvalidArgument`] |
//! | an observations file, a prior or a calibration setting that is wrong | [`Error::Calibrate`], its kind naming the line, the prior or the setting |
//! | a bad input to a decision analysis, a target not met or not monotone over its range | [`Error::Decide`], its kind saying which |
//! | threads that cannot start, a chart that cannot be drawn | [`Error::Threads`], [`Error::Plot`] |
//! | a valid scenario | always runs; sizes are bounded by [`limits`] |
//!
//! The command line maps each variant to an exit code with
//! [`Error::exit_code`] (see [`error::exit`]).
//!
//! Nothing a user can write makes the library panic. A broken
//! conservation law would be a bug in the engine; it panics with a message
//! asking for a report rather than return wrong numbers.
//!
//! ## Features
//!
//! - `cli` (default): the `custody-sim` command line.
//! - `plots` (default): SVG and PNG charts of a summary.

#![forbid(unsafe_code)]

pub mod calibrate;
pub mod decide;
pub mod dist;
pub mod engine;
pub mod error;
pub mod files;
pub mod model;
pub mod montecarlo;
pub mod report;
pub mod scenario;
pub mod stats;
pub use montecarlo::sweep;

pub use error::Error;
pub use model::{ConservationError, Layout, Outcome, Plan, Workspace, simulate};
pub use montecarlo::{Runs, Shard, Summary, run};
pub use scenario::{
    Admission, Allocation, Court, Dist, Escape, Expansion, Facility, Group, Pause, Phase, Policy,
    Repatriation, Scenario, ScenarioBuilder, ScenarioError, ScenarioErrors, ServerChange, Stage,
    Transfer, limits, presets,
};

/// The README's Rust examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
