//! The detainee-flow model on the event calendar: one replication.
//!
//! A [`Plan`] is a validated scenario resolved for speed (indices instead of
//! names, samplers built, schedules sorted). [`Plan::replicate`] runs one
//! replication, a single-threaded deterministic event loop, and returns its
//! [`Outcome`]. [`simulate`] does both for a single run. What an outcome
//! holds, and under which names, is the [`schema`].
//!
//! ```text
//!  Syrian pool ──departure──► transit ──arrival──► facility (bed) ◄──relocation──► facility
//!      │ incident  (until the transfer's end)      │ (receiving list)
//!      ▼                                            ▼ court: stage 1 ─► … ─► stage k ─► verdict
//!   escaped                      repatriated ◄──────┤ (eligible after arrival,        │
//!                                                   │  a stage, or the verdict)       │
//!                         died in custody ◄─────────┤            released (leave) ◄───┤
//!                                                   └── convicted: sentence ◄─────────┘
//!                                                        ├─► released after the sentence
//!                                                        ├─► executed
//!                                                        └─► stays to the horizon
//!  background inmates: admitted (Poisson) ─► facility ─► leave (exponential stay)
//! ```
//!
//! Order of events at equal times: the order they were scheduled. At set-up
//! the calendar receives, in this order, bed expansions, server schedule
//! changes, each phase's first departure, the first incident, and (version
//! 2) the relocations. Version 3's openings of facilities come before all
//! of these, its background rate changes and release orders after them.
//! The end-of-day record of day d comes after every event at time d and
//! after that evening's overflow moves.
//!
//! # Layout
//!
//! `plan` resolves a scenario ([`Plan::new`]); `event` holds the calendar's
//! events and a detainee's states; `streams` the per-process random
//! streams; `workspace` the buffers reused across replications;
//! `replication` the running state, the event loop and the dispatch of
//! each event ([`Plan::replicate`] and its variants); `conservation` the
//! conservation law it checks. Each process's handlers live in its own
//! file (`transfer`, `custody`, `court`, `repatriation`, `relocation`,
//! `background`; for capacity over time `capacity` (openings, admission
//! schedules and the plan of the rules), `overflow`, `release`, and
//! `people`, which says once which people each `who` kind takes), and
//! `outcome` turns the daily records into an [`Outcome`].
//!
//! # Version 2 choices where the reference model (docs/model.md) leaves room
//!
//! - Draws made at the verdict, in this order on the sentence stream: the
//!   sentence, whether its exit happens, its delay. A death time is drawn
//!   on arrival (mortality stream) for every transferee when
//!   `custody.mortality_per_year > 0`.
//! - With `eligible_after` other than `"arrival"`, whether a detainee is
//!   chosen is drawn on arrival and its delay when the clock starts, both
//!   on the group's stream.
//! - Background inmates are counts, not entities, advanced by exact
//!   aggregate draws (see the `background` module: survivors ~ Binomial(N,
//!   e^(−Δ/m)), admissions ~ Poisson(aΔ), of which still inside ~
//!   Binomial(admissions, m(1 − e^(−Δ/m))/Δ)) at each end-of-day record and
//!   whenever occupancy is read (placement, `up_to_capacity`,
//!   relocations). Moved background inmates keep their own facility's
//!   mean stay (memorylessness makes that exact).
//! - Relocations choose uniformly without replacement among background
//!   inmates and transferees together (`who = "any"`); transferees in
//!   transit are not inside.
//! - The random streams of version 2 processes (sentences, mortality,
//!   relocations, each facility's background) come after those of
//!   version 1, so a version 1 scenario gives bit-identical results.
//!
//! # Version 3 choices for capacity over time (rules 18, 19 and 25)
//!
//! - Overflow and release orders each draw whom they take from a stream
//!   of their own, after every version 2 stream. An overflow fills its
//!   destinations in order, each chosen person uniformly among those not
//!   yet chosen (background inmates and transferees together for
//!   `"any"`). A few transferees out of many (at most a quarter of those
//!   inside) are drawn by rejection among all who boarded, which is
//!   uniform and needs no list; otherwise one scan lists those of the
//!   kind. Moved background inmates keep their exit law, as with
//!   relocations.
//! - A facility that opens later has 0 beds until its opening event (the
//!   first event at its time); expansions dated before add their beds at
//!   opening. Placement passes it by: `least_occupied` and
//!   `fill_in_order` skip it, `proportional` draws from weights built for
//!   each set of open facilities (0 for the shut ones), a relocation into
//!   it or a convicted detainee's move there is skipped.
//! - A background admission rate change brings the facility's count up
//!   to its time at the former rate, then sets the new rate; schedule
//!   entries dated at or before the opening only set the rate at opening.
//! - A scenario that uses none of these rules has no capacity plan: each
//!   test they add to the version 2 paths is one check of an `Option` or
//!   of an empty list.
//! # Version 3 choices for the courts (rules 20-24)
//!
//! - Priority levels are the distinct priorities of the groups and of the
//!   other cases that arrive; a desk keeps one first-in, first-out queue
//!   per level (the first level in the version 2 queue), so with one level
//!   (a version 2 scenario) a queue costs what it did. Stale entries (cases
//!   that left) are skipped lazily at every level.
//! - Other court cases are not entities: a desk counts them (waiting, in
//!   service, served) and its queues hold them as a mark. Their arrival
//!   gaps and service times come from a stream per stage; the appeal's
//!   reviews, its reversals and deportation delays have streams of their
//!   own. These come after every version 2 stream, so a version 2
//!   scenario draws and orders exactly what it did.
//! - Other cases' arrivals and ends of service are not in the calendar:
//!   each stage keeps them in a lane of its own (its next arrival and a
//!   radix heap of ends of service), handled in time order before
//!   anything reads or changes the stage, and the calendar wakes the stage
//!   only at the end of an other case's service while a transferee waits
//!   there (the other cases' module, `other_cases.rs`, says why this is
//!   exact). At equal times a stage's lane comes before the calendar's
//!   events at that stage, an end of service before an arrival.
//! - The appeal is one more desk after the last stage (its queue, servers,
//!   schedule and priorities work as a stage's); its cases are convicted
//!   (`convicted_in_custody`), not awaiting a verdict. An execution drawn
//!   at the verdict keeps its delay until finality; a term runs from the
//!   verdict and ends the appeal case if it comes first; a reversal
//!   cancels the sentence's exit (its timer finds the detainee released).
//! - A route is resolved into a next-stage table per group; an empty
//!   route gives the verdict on arrival, after the arrival's repatriation
//!   and death draws.
//! - Deportation: the delay is drawn at the court's release; the detainee
//!   keeps its bed, and only death, relocation or the deportation itself
//!   move it.

mod appeal;
mod background;
mod capacity;
mod conservation;
mod court;
mod courts;
mod custody;
mod deportation;
mod event;
#[cfg(test)]
mod fast_paths;
mod other_cases;
pub(crate) mod outcome;
mod overflow;
mod people;
mod plan;
mod release;
mod relocation;
mod repatriation;
mod replication;
pub mod schema;
mod streams;
#[cfg(test)]
mod tally;
mod transfer;
mod workspace;

use crate::error::Error;
use crate::scenario::Scenario;

pub use conservation::ConservationError;
pub use outcome::{Layout, Outcome};
pub use plan::Plan;
pub use workspace::Workspace;

/// Runs one replication of `scenario` with random stream `(seed, 0)`.
///
/// This is replication 0 of a Monte Carlo run with master seed `seed`.
///
/// # Errors
///
/// [`Error::Scenario`] if the scenario does not pass
/// [`Scenario::validate`]; a valid scenario always runs.
///
/// # Example
///
/// ```
/// use custody_sim::{presets, simulate};
///
/// let out = simulate(&presets::plan_2026_01(), 42)?;
/// let moved = out.metric("transferred").unwrap();
/// assert!(moved > 6000.0 && moved <= 7000.0);
/// assert_eq!(out.series("occupancy.Nasiriyah").unwrap().len(), 730);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate(scenario: &Scenario, seed: u64) -> Result<Outcome, Error> {
    Ok(Plan::new(scenario)?.replicate(seed, 0))
}
