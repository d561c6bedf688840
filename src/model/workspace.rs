//! The buffers a replication reuses from one replication to the next.

use super::desk::Desk;
use super::event::{Event, Status};
use crate::engine::Calendar;

/// Buffers of a replication, reused from one replication to the next.
///
/// Detainees in the Syrian pool are exchangeable within their group, so
/// the pool holds group labels; a detainee gets its index when it boards
/// (the k-th to board is detainee k). Boarding draws a label uniformly
/// from the pool without replacement, which is the law of rule 2 (docs/model.md),
/// and keeps each convoy's detainees next to each other in memory.
#[derive(Debug, Default)]
pub struct Workspace {
    pub(super) cal: Calendar<Event>,
    /// Group labels of the detainees still in the pool.
    pub(super) pool: Vec<u16>,
    /// Per boarded detainee (detainee `d` at index `d`): what the model
    /// keeps of it, in one record, so that an event about a detainee reads
    /// one cache line.
    pub(super) det: Vec<Detainee>,
    /// Per court stage: its desk (counts, queue, service, stream).
    pub(super) desks: Vec<Desk>,
    /// Arrival-to-verdict days, as the bits of the (non-negative) `f64`s,
    /// which order as the numbers do: the median selects on integers.
    pub(super) verdict_days: Vec<u64>,
    /// Scratch: relocation candidates.
    pub(super) candidates: Vec<u32>,
    /// Convoys scheduled to arrive, as (first detainee, count), indexed by
    /// [`Event::Arrival`].
    pub(super) convoys: Vec<(u32, u32)>,
    /// The daily series of the replication running or run last, series
    /// after series (see
    /// [`Outcome::series_at`](super::Outcome::series_at)).
    pub(super) series: Vec<u32>,
    /// With an appeal (v3, rule 22): per convicted detainee, the delay
    /// from finality to its execution drawn at the verdict (NaN: none).
    pub(super) final_delay: Vec<f64>,
}

/// What the model keeps of a boarded detainee: 16 bytes, four to a cache
/// line (validation bounds stages by 64 and facilities by 1,000).
#[derive(Debug, Clone, Copy)]
pub(super) struct Detainee {
    /// Arrival time in Iraq \[days\] (written on arrival).
    pub(super) arrival: f64,
    /// The court stage it is at or was at last.
    pub(super) stage: u8,
    /// The facility holding it (or that held it last).
    pub(super) facility: u16,
    /// Its group.
    pub(super) group: u16,
    pub(super) status: Status,
    /// Chosen for a repatriation whose clock starts after arrival (rule
    /// 14); written on arrival for the groups that use it.
    pub(super) chosen: bool,
}

const _: () = assert!(
    std::mem::size_of::<Detainee>() == 16
        && crate::scenario::limits::MAX_STAGES <= u8::MAX as usize + 1
        && crate::scenario::limits::MAX_FACILITIES <= u16::MAX as usize + 1,
    "a detainee's record no longer fits 16 bytes"
);

impl Detainee {
    /// A detainee of group `group` boarding a convoy: in transit, the
    /// other fields written before they are read.
    pub(super) const fn boarding(group: u16) -> Detainee {
        Detainee {
            arrival: 0.0,
            stage: 0,
            facility: 0,
            group,
            status: Status::Transit,
            chosen: false,
        }
    }
}

impl Workspace {
    /// The daily series of the replication run last by
    /// [`Plan::replicate_values`](super::Plan::replicate_values), series after series.
    pub(crate) fn series(&self) -> &[u32] {
        &self.series
    }
}
