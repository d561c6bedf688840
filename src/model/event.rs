//! What the calendar holds: the events of the model, and the states of a
//! boarded detainee.

/// Where a detainee is, once it has boarded a convoy. (Detainees in the
/// pool are group labels without identity, see [`Workspace`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Transit,
    Queued,
    InService,
    Convicted,
    Released,
    Repatriated,
    /// Released at the end of a sentence.
    Served,
    Executed,
    Died,
    /// Released by a release order (rule 25).
    ReleasedByOrder,
    /// Convicted and waiting for the appeal's review (v3, rule 22).
    Appealing,
    /// Convicted and in review at the appeal (v3, rule 22).
    InReview,
    /// The conviction reversed on appeal: released (v3, rule 22).
    ReleasedOnAppeal,
    /// Released by the court, in custody until deported (v3, rule 24).
    AwaitingDeportation,
    /// Deported (v3, rule 24).
    Deported,
}

/// The number of [`Status`] values (for tables indexed by status).
pub(crate) const STATUSES: usize = 15;

impl Status {
    /// Whether a detainee in this state is inside a facility (holds a
    /// bed): in the court pipeline, convicted (under appeal included), or
    /// awaiting deportation.
    #[inline]
    pub(crate) fn inside(self) -> bool {
        matches!(
            self,
            Status::Queued
                | Status::InService
                | Status::Convicted
                | Status::Appealing
                | Status::InReview
                | Status::AwaitingDeportation
        )
    }
}

/// An event: small and `Copy`, so the calendar holds no boxes. Eight
/// bytes (checked below): with its time, an entry of the calendar fills a
/// quarter of a cache line, and re-filing the calendar's buckets touches
/// two thirds of the memory that 12-byte events did.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    /// Index into `Plan::expansions`.
    Expansion(u32),
    /// Index into `Plan::schedule`.
    ServerChange(u32),
    /// A departure of phase `.0`.
    Departure(u32),
    /// A convoy: index into `Workspace::convoys`, which holds its
    /// detainees as (first, count).
    Arrival(u32),
    /// A security incident in Syria.
    Incident,
    /// Detainee `d` finishes service at `stage`.
    /// (At most `limits::MAX_STAGES` = 64 stages, so a `u8` holds one.)
    ServiceDone { stage: u8, d: u32 },
    /// Detainee `d`'s repatriation time.
    Repatriate(u32),
    /// Index into `Plan::relocations`.
    Relocation(u32),
    /// Detainee `d`'s sentence ends: released or executed.
    Exit { d: u32, executed: bool },
    /// Detainee `d`'s death time in custody.
    Death(u32),
    /// Facility `.0` opens (rule 19).
    Opens(u32),
    /// Index into the plan's background rate changes (rule 25).
    AdmissionRate(u32),
    /// Index into the plan's release orders (rule 25).
    Release(u32),
    /// Stage `.0` has other court cases (rule 20, v3) and a transferee
    /// waiting: its other cases' lane is brought up to this time, when one
    /// of their services ends (see `other_cases.rs`).
    OtherWake(u32),
    /// Detainee `d`, awaiting deportation, is deported (rule 24, v3).
    Deport(u32),
}

/// The detainee index of an other court case (rule 20) in a queue: other
/// cases have no record, and validation bounds detainees far below it.
pub(crate) const OTHER: u32 = u32::MAX;

const _: () = assert!(
    crate::scenario::limits::MAX_DETAINEES < OTHER as u64,
    "detainee indices reach the mark of other court cases"
);

const _: () = assert!(
    std::mem::size_of::<Event>() == 8
        && crate::scenario::limits::MAX_STAGES <= u8::MAX as usize + 1,
    "an event no longer fits 8 bytes"
);
