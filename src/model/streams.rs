//! The per-process random streams of one replication.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use super::desk::Desk;

/// Per-process random streams of one replication.
///
/// Replication `i` of seed `s` uses ChaCha8 keyed by `s`, stream (nonce)
/// `i`; process `p` starts at word `p * 2^56` of that stream, so each
/// process has 2^56 words of its own and adding draws to one never shifts
/// another. The transfer has four: the timetable (intervals), convoy sizes
/// and transit times (one draw each per scheduled departure, taken even
/// when the departure is skipped by a pause or caps, so that the k-th
/// departure keeps its draws whatever the pauses and caps), and boarding.
/// Each court stage's stream is held by its desk (`desk::Desk`), beside
/// the stage's counts, and is set here with the others.
#[derive(Debug)]
pub(crate) struct Streams {
    pub(crate) timetable: ChaCha8Rng,
    pub(crate) size: ChaCha8Rng,
    pub(crate) transit: ChaCha8Rng,
    pub(crate) boarding: ChaCha8Rng,
    pub(crate) escape: ChaCha8Rng,
    pub(crate) allocation: ChaCha8Rng,
    pub(crate) verdict: ChaCha8Rng,
    pub(crate) groups: Vec<ChaCha8Rng>,
    /// Version 2: sentences and their exits.
    pub(crate) sentence: ChaCha8Rng,
    /// Version 2: death times in custody.
    pub(crate) mortality: ChaCha8Rng,
    /// Version 2: who a relocation moves.
    pub(crate) relocation: ChaCha8Rng,
    /// Version 2: each facility's background turnover (empty when no
    /// facility has one).
    pub(crate) background: Vec<ChaCha8Rng>,
    /// Version 3: whom an overflow moves (rule 18).
    pub(crate) overflow: ChaCha8Rng,
    /// Version 3: whom a release order releases (rule 25).
    pub(crate) release: ChaCha8Rng,
    /// Version 3: the appeal's reversals.
    pub(crate) reversal: ChaCha8Rng,
    /// Version 3: deportation delays.
    pub(crate) deportation: ChaCha8Rng,
}

// The stream layout is fixed by these constants alone: changing one
// changes every result. Processes 0-6 are the transfer's, escapes,
// allocation and verdicts; then one per court stage (at most 64) and one
// per group (at most 1,000). Version 2 processes come after, so that a
// version 1 scenario draws exactly what it drew before.
const PROCESS_STAGE0: u128 = 8;
const PROCESS_GROUP0: u128 = 72;
const PROCESS_SENTENCE: u128 = 1100;
const PROCESS_MORTALITY: u128 = 1101;
const PROCESS_RELOCATION: u128 = 1102;
const PROCESS_BACKGROUND0: u128 = 1200;
// Version 3, capacity rules: after the facilities' background streams.
const PROCESS_OVERFLOW: u128 = 2300;
const PROCESS_RELEASE: u128 = 2301;
// Version 3, the courts: each stage's other cases, the appeal's reviews,
// its reversals, deportation delays.
const PROCESS_OTHER0: u128 = 3000;
const PROCESS_APPEAL: u128 = 3100;
const PROCESS_REVERSAL: u128 = 3101;
const PROCESS_DEPORTATION: u128 = 3102;
const _: () = assert!(
    PROCESS_STAGE0 + crate::scenario::limits::MAX_STAGES as u128 <= PROCESS_GROUP0
        && PROCESS_GROUP0 + (crate::scenario::limits::MAX_GROUPS as u128) <= PROCESS_SENTENCE
        && PROCESS_BACKGROUND0 + (crate::scenario::limits::MAX_FACILITIES as u128)
            <= PROCESS_OVERFLOW
        && PROCESS_RELEASE < PROCESS_OTHER0
        && PROCESS_OTHER0 + (crate::scenario::limits::MAX_STAGES as u128) <= PROCESS_APPEAL
        && PROCESS_DEPORTATION < 1 << 12,
    "the random-stream layout no longer fits the validation limits"
);

impl Streams {
    /// The streams of replication `index` of seed `seed`; each court
    /// stage's goes to its desk (the first `stages` desks), with its other
    /// cases' if `others`; the appeal's to the desk after them, if any.
    pub(super) fn new(
        seed: u64,
        index: u64,
        desks: &mut [Desk],
        stages: usize,
        others: bool,
        groups: usize,
        facilities: usize,
    ) -> Streams {
        let key = ChaCha8Rng::seed_from_u64(seed).get_seed();
        let at = |p: u128| {
            let mut r = ChaCha8Rng::from_seed(key);
            r.set_stream(index);
            r.set_word_pos(p << 56);
            r
        };
        for (s, k) in desks[..stages].iter_mut().enumerate() {
            k.rng = at(PROCESS_STAGE0 + s as u128);
            if others {
                k.other.rng = at(PROCESS_OTHER0 + s as u128);
            }
        }
        if let Some(k) = desks.get_mut(stages) {
            k.rng = at(PROCESS_APPEAL);
        }
        Streams {
            timetable: at(0),
            escape: at(1),
            allocation: at(2),
            verdict: at(3),
            size: at(4),
            transit: at(5),
            boarding: at(6),
            groups: (0..groups as u128)
                .map(|g| at(PROCESS_GROUP0 + g))
                .collect(),
            sentence: at(PROCESS_SENTENCE),
            mortality: at(PROCESS_MORTALITY),
            relocation: at(PROCESS_RELOCATION),
            background: (0..facilities as u128)
                .map(|f| at(PROCESS_BACKGROUND0 + f))
                .collect(),
            overflow: at(PROCESS_OVERFLOW),
            release: at(PROCESS_RELEASE),
            reversal: at(PROCESS_REVERSAL),
            deportation: at(PROCESS_DEPORTATION),
        }
    }
}
