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
}

const _: () = assert!(
    std::mem::size_of::<Event>() == 8
        && crate::scenario::limits::MAX_STAGES <= u8::MAX as usize + 1,
    "an event no longer fits 8 bytes"
);
