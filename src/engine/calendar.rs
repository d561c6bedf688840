//! The event calendar: a radix heap over the bits of the event times, with
//! 6-bit digits, first in, first out at equal times.
//!
//! # How it works
//!
//! A discrete-event simulation never schedules an event before the current
//! time, the time of the event popped last (`now`). A radix heap (Ahuja,
//! Mehlhorn, Orlin and Tarjan, 1990) uses that: it files each event by where
//! its key first differs from `now`'s, so filing is an XOR, a leading-zeros
//! count and a push, and only the lowest non-empty bucket is ever looked at.
//!
//! Times are non-negative, and the bits of non-negative IEEE 754 doubles
//! order as the numbers do, so the key of an event is the `u64` of its
//! time's bits. The key is read as 11 digits of 6 bits (the top one of 4),
//! digit `p` being bits `6p..6p + 6`:
//!
//! - `current` holds the events at exactly `now`, in scheduling order;
//! - bucket `(p, d)` holds the events whose key first differs from `now`'s
//!   in digit `p`, where the key's digit is `d` (so `d` is larger than
//!   `now`'s digit `p`). Buckets order as their events do: by `p`, then by
//!   `d`. Each bucket keeps its smallest key beside its vector, and bit `d`
//!   of `masks[p]` (bit `p` of `levels`) says whether bucket `(p, d)`
//!   (level `p`) holds anything.
//!
//! Popping takes the front of `current`; when `current` is empty, `now`
//! moves to the smallest key of the lowest non-empty bucket, whose first
//! event at that key is the one popped; a bucket of one is simply emptied,
//! a larger one is refiled against the new `now`. Its events share with the
//! new `now` every digit from `p` up, so they land in `current` or at
//! levels below `p`: an event is refiled at most 10 times, in practice once
//! or twice. Scheduling is O(1), popping O(1) amortised. With 1-bit digits
//! (the textbook radix heap) events were refiled about six times each in
//! a replication of the January plan, which took about a quarter longer
//! (measurements in the docs of [`crate::engine`]).
//!
//! # Few events
//!
//! While the radix heap is empty and at most [`SMALL_MAX`] events are
//! pending, they wait in `small` instead, a vector sorted by key, latest
//! first: scheduling is an insertion sort's step from the end, popping a
//! `Vec::pop`, with `now` moving freely since no bucket depends on it.
//! The event that would make `small` overflow first hands its events over
//! to the radix heap, in the order they would have been popped; later
//! events go to the radix heap until it is empty again. So exactly one of
//! the two holds events, and `pop` knows which from the counts alone. A
//! simulation with few pending events (M/M/1 holds at most two) never
//! touches the buckets, whose bookkeeping is spread over 23 KiB; one with
//! thousands (the January plan) fills `small` once at the start and pays
//! one comparison per operation after that (measurements in the docs of
//! [`crate::engine`]).
//!
//! # Scheduling order at equal times
//!
//! In `small`, an event is inserted after every pending event at a later
//! time and before every one at its time or earlier, so events at equal
//! times leave it in scheduling order, and the hand-over files them into
//! the radix heap in that order.
//!
//! Every bucket lists its events in scheduling order: pushes append, and a
//! bucket is only refiled when every lower bucket is empty, so its events,
//! taken in order, append to empty buckets. Events at equal times therefore
//! reach `current` in the order they were scheduled and leave it in that
//! order: the (time, sequence number) order of the binary heap this
//! calendar replaced, without a sequence number.

use std::collections::VecDeque;

/// Bits per digit.
const DIGIT: u32 = 6;
/// Buckets per level: one per digit value.
const WIDTH: usize = 1 << DIGIT;
/// Digits in a 64-bit key.
const LEVELS: usize = 64_usize.div_ceil(DIGIT as usize);
/// Buckets in all.
const BUCKETS: usize = LEVELS * WIDTH;

/// A future event list ordered by time, first-in first-out at equal times.
///
/// Times never go backwards: an event may be scheduled at the time of the
/// event popped last (`now`, 0 before the first pop) or later, never
/// earlier. That is what a discrete-event simulation does, and it lets the
/// calendar be a radix heap: scheduling is O(1) and popping O(1)
/// amortised, against O(log n) each for a binary heap (see the source of
/// this module for how). While the heap is empty and at most 16 events
/// are pending, they wait in a short sorted vector instead, which is
/// cheaper for so few. Two events at the same time come out in the order
/// they went in.
///
/// # Example
///
/// ```
/// use custody_sim::engine::Calendar;
///
/// let mut cal = Calendar::new();
/// cal.schedule(2.0, 'b');
/// cal.schedule(1.0, 'a');
/// cal.schedule(2.0, 'c');
/// assert_eq!(cal.pop(), Some((1.0, 'a')));
/// cal.schedule(1.0, 'd'); // at the current time: allowed
/// assert_eq!(cal.pop(), Some((1.0, 'd')));
/// assert_eq!(cal.pop(), Some((2.0, 'b')));
/// assert_eq!(cal.pop(), Some((2.0, 'c')));
/// assert_eq!(cal.pop(), None);
/// ```
#[derive(Debug, Clone)]
pub struct Calendar<E> {
    /// Bits of `now`, the time of the event popped last \[days\].
    now: u64,
    /// Events at exactly `now`, in scheduling order.
    current: VecDeque<E>,
    /// Bucket `(p, d)` at `p * WIDTH + d`.
    buckets: Box<[Bucket<E>; BUCKETS]>,
    /// Bit `d` of `masks[p]` set iff bucket `(p, d)` is non-empty.
    masks: [u64; LEVELS],
    /// Bit `p` set iff `masks[p]` is non-zero.
    levels: u64,
    /// Number of events in the radix heap (`current` and the buckets):
    /// zero exactly when `small` is in use, so that telling the two modes
    /// apart is one test.
    heap_len: usize,
    /// While few events are pending and the radix heap is empty: every
    /// pending event, as (key, event), latest first and, at equal keys,
    /// latest scheduled first, so that the next is at the end.
    small: Vec<(u64, E)>,
}

/// Most events that `small` holds before they are handed over to the
/// radix heap: the bound on the entries a sorted insertion moves.
const SMALL_MAX: usize = 16;

/// Events whose keys first differ from `now`'s in the same digit, with the
/// same value there.
#[derive(Debug, Clone)]
struct Bucket<E> {
    /// Smallest key in `events` (`u64::MAX` when empty); beside the vector,
    /// so that filing an event touches one cache line of bookkeeping.
    min: u64,
    /// (key, event), in scheduling order.
    events: Vec<(u64, E)>,
}

impl<E> Default for Calendar<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Calendar<E> {
    /// An empty calendar, at time 0.
    pub fn new() -> Self {
        Calendar {
            now: 0,
            current: VecDeque::new(),
            buckets: Box::new(std::array::from_fn(|_| Bucket {
                min: u64::MAX,
                events: Vec::new(),
            })),
            masks: [0; LEVELS],
            levels: 0,
            heap_len: 0,
            small: Vec::with_capacity(SMALL_MAX),
        }
    }

    /// Schedules `event` at `time` \[days\].
    ///
    /// `-0.0` counts as `0.0`; `+∞` is allowed (such events pop last).
    ///
    /// # Panics
    ///
    /// If `time` is NaN or earlier than the time of the event popped last
    /// (0 before the first pop), hence also if it is negative. A simulation
    /// does neither: it only adds non-negative draws to the current time.
    #[inline(always)]
    pub fn schedule(&mut self, time: f64, event: E) {
        // One comparison checks all: NaN is unordered, and `now >= 0`.
        let now = f64::from_bits(self.now);
        if time.partial_cmp(&now).is_none_or(std::cmp::Ordering::is_lt) {
            backwards(time, now);
        }
        let key = (time + 0.0).to_bits();
        debug_assert!(key >= self.now, "times never go backwards");
        if self.heap_len == 0 {
            // The radix heap is empty.
            if self.small.len() < SMALL_MAX {
                // After every later event, before every one at `key` or
                // earlier: an insertion sort's step from the end.
                self.small.push((key, event));
                let mut i = self.small.len() - 1;
                while i > 0 && self.small[i - 1].0 <= key {
                    self.small.swap(i - 1, i);
                    i -= 1;
                }
                return;
            }
        }
        self.schedule_in_heap(key, event);
    }

    /// [`Calendar::schedule`] into the radix heap, handing `small` over
    /// first if it holds events; out of line, so that the short path above
    /// inlines into its callers.
    #[inline(never)]
    fn schedule_in_heap(&mut self, key: u64, event: E) {
        if !self.small.is_empty() {
            self.hand_over();
        }
        self.heap_len += 1;
        self.file(key, event);
    }

    /// Files the events of `small` into the empty radix heap, in the order
    /// they would have been popped, so that they keep it.
    #[cold]
    fn hand_over(&mut self) {
        self.heap_len += self.small.len();
        while let Some((key, event)) = self.small.pop() {
            self.file(key, event);
        }
    }

    /// Files an event whose key is at least `now`.
    #[inline]
    fn file(&mut self, key: u64, event: E) {
        let diff = key ^ self.now;
        if diff == 0 {
            self.current.push_back(event);
            return;
        }
        let p = (63 - diff.leading_zeros()) / DIGIT;
        let d = (key >> (p * DIGIT)) as usize & (WIDTH - 1);
        let i = p as usize * WIDTH + d;
        let bucket = &mut self.buckets[i];
        bucket.events.push((key, event));
        bucket.min = bucket.min.min(key);
        self.masks[p as usize] |= 1 << d;
        self.levels |= 1 << p;
    }

    /// The lowest non-empty bucket, if any.
    #[inline]
    fn lowest(&self) -> Option<usize> {
        if self.levels == 0 {
            return None;
        }
        let p = self.levels.trailing_zeros() as usize;
        Some(p * WIDTH + self.masks[p].trailing_zeros() as usize)
    }

    /// Removes and returns the earliest event; its time becomes the
    /// current time.
    ///
    /// Always inlined: the event loop of a replication is compiled twice
    /// (with and without the version 3 court steps), and as a function of
    /// its own the pop cost a call per event.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(f64, E)> {
        if self.heap_len == 0 {
            // The radix heap is empty, so its current time can move.
            let (key, event) = self.small.pop()?;
            self.now = key;
            return Some((f64::from_bits(key), event));
        }
        if let Some(event) = self.current.pop_front() {
            self.heap_len -= 1;
            return Some((f64::from_bits(self.now), event));
        }
        let i = self.lowest()?;
        let (p, d) = (i / WIDTH, i % WIDTH);
        self.now = std::mem::replace(&mut self.buckets[i].min, u64::MAX);
        self.masks[p] &= !(1 << d);
        if self.masks[p] == 0 {
            self.levels &= !(1 << p);
        }
        self.heap_len -= 1;
        let now = self.now;
        // A bucket of one: its event is the earliest.
        if self.buckets[i].events.len() == 1 {
            return self.buckets[i]
                .events
                .pop()
                .map(|(_, e)| (f64::from_bits(now), e));
        }
        // Refile the bucket, keeping out the first event at `now`. Its
        // events go to `current` or lower levels, never back to bucket `i`,
        // so it can be drained while they are filed; the empty vector goes
        // back to keep its memory.
        let mut bucket = std::mem::take(&mut self.buckets[i].events);
        let mut first = None;
        for (key, event) in bucket.drain(..) {
            if key == now && first.is_none() {
                first = Some(event);
            } else {
                self.file(key, event);
            }
        }
        self.buckets[i].events = bucket;
        first.map(|e| (f64::from_bits(now), e))
    }

    /// Time of the earliest event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<f64> {
        if self.heap_len == 0 {
            self.small.last().map(|e| f64::from_bits(e.0))
        } else if self.current.is_empty() {
            self.lowest().map(|i| f64::from_bits(self.buckets[i].min))
        } else {
            Some(f64::from_bits(self.now))
        }
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.small.len() + self.heap_len
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap_len == 0 && self.small.is_empty()
    }

    /// Removes every event and goes back to time 0, keeping the memory.
    pub fn clear(&mut self) {
        self.small.clear();
        self.current.clear();
        for (p, mask) in self.masks.iter_mut().enumerate() {
            while *mask != 0 {
                let i = p * WIDTH + mask.trailing_zeros() as usize;
                self.buckets[i].events.clear();
                self.buckets[i].min = u64::MAX;
                *mask &= *mask - 1;
            }
        }
        self.levels = 0;
        self.now = 0;
        self.heap_len = 0;
    }
}

/// The panic of [`Calendar::schedule`], out of the hot path.
#[cold]
#[inline(never)]
fn backwards(time: f64, now: f64) -> ! {
    panic!("event time {time} is NaN or before the current time {now}")
}

#[cfg(test)]
mod tests {
    use super::Calendar;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    /// Pops everything, as (time, event).
    fn drain<E>(cal: &mut Calendar<E>) -> Vec<(f64, E)> {
        std::iter::from_fn(|| cal.pop()).collect()
    }

    #[test]
    fn empty_calendar_pops_nothing() {
        let mut cal: Calendar<u32> = Calendar::new();
        assert!(cal.is_empty());
        assert_eq!(cal.len(), 0);
        assert_eq!(cal.peek_time(), None);
        assert_eq!(cal.pop(), None);
        cal.clear();
        assert_eq!(cal.pop(), None);
    }

    #[test]
    fn equal_times_pop_in_scheduling_order() {
        let mut cal = Calendar::new();
        // Many at one time, scheduled before and after other times, and
        // some at the current time once it is reached.
        for i in 0..1000 {
            cal.schedule(3.0, i);
            cal.schedule(5.0, 10_000 + i);
        }
        for i in 0..1000 {
            cal.schedule(3.0, 1000 + i);
        }
        assert_eq!(cal.pop(), Some((3.0, 0)));
        cal.schedule(3.0, 2000);
        let got = drain(&mut cal);
        let want: Vec<(f64, u32)> = (1..=2000)
            .map(|i| (3.0, i))
            .chain((0..1000).map(|i| (5.0, 10_000 + i)))
            .collect();
        assert_eq!(got, want);
        assert!(cal.is_empty());
    }

    /// Around the hand-over from the short vector to the radix heap and
    /// back: equal times keep their order through it, and once the heap
    /// has emptied, few events go to the vector again.
    #[test]
    fn few_events_hand_over_to_the_radix_heap_and_back() {
        for n in [
            super::SMALL_MAX - 1,
            super::SMALL_MAX,
            super::SMALL_MAX + 1,
            40,
        ] {
            let mut cal = Calendar::new();
            let mut want = Vec::new();
            for i in 0..n {
                // Times 1.0 and 2.0 interleaved, and one at 0.5 scheduled last.
                let t = if i % 2 == 0 { 1.0 } else { 2.0 };
                cal.schedule(t, i);
                want.push((t, i));
            }
            cal.schedule(0.5, n);
            want.push((0.5, n));
            assert_eq!(cal.len(), n + 1);
            assert_eq!(cal.peek_time(), Some(0.5));
            assert_eq!(cal.pop(), Some((0.5, n)));
            // At the current time, after the others at 0.5 (none left).
            cal.schedule(0.5, n + 1);
            assert_eq!(cal.pop(), Some((0.5, n + 1)));
            // Two more at 1.0, after those already there.
            cal.schedule(1.0, n + 2);
            cal.schedule(1.0, n + 3);
            want.push((1.0, n + 2));
            want.push((1.0, n + 3));
            want.retain(|w| w.0 > 0.5);
            want.sort_by(|a, b| a.0.total_cmp(&b.0)); // stable: scheduling order at equal times
            assert_eq!(drain(&mut cal), want);
            // Empty again, at time 2: a few events, earlier than any before
            // the hand-over's last, still pop in order.
            cal.schedule(2.5, 0);
            cal.schedule(2.0, 1);
            cal.schedule(2.0, 2);
            assert_eq!(drain(&mut cal), [(2.0, 1), (2.0, 2), (2.5, 0)]);
        }
    }

    #[test]
    fn time_zero_negative_zero_and_extreme_times() {
        let mut cal = Calendar::new();
        cal.schedule(f64::INFINITY, 'i');
        cal.schedule(f64::MAX, 'm');
        cal.schedule(1e300, 'h');
        cal.schedule(5e-324, 's'); // the smallest subnormal
        cal.schedule(-0.0, 'n');
        cal.schedule(0.0, 'z');
        cal.schedule(f64::MIN_POSITIVE, 'p');
        assert_eq!(cal.peek_time(), Some(0.0));
        let got = drain(&mut cal);
        let times: Vec<f64> = got.iter().map(|g| g.0).collect();
        let events: String = got.iter().map(|g| g.1).collect();
        assert_eq!(events, "nzsphmi");
        assert_eq!(times[..2], [0.0, 0.0]);
        // -0.0 comes out as +0.0.
        assert!(times[0].is_sign_positive());
        assert_eq!(
            times[2..],
            [5e-324, f64::MIN_POSITIVE, 1e300, f64::MAX, f64::INFINITY]
        );
        // At +inf, more at +inf is still allowed, in order.
        cal.schedule(f64::INFINITY, 'a');
        cal.schedule(f64::INFINITY, 'b');
        assert_eq!(
            drain(&mut cal),
            [(f64::INFINITY, 'a'), (f64::INFINITY, 'b')]
        );
    }

    #[test]
    fn clear_resets_time_and_keeps_working() {
        let mut cal = Calendar::new();
        for i in 0..500u32 {
            cal.schedule(f64::from(i % 37) * 1.5 + 100.0, i);
        }
        for _ in 0..200 {
            cal.pop();
        }
        assert_eq!(cal.len(), 300);
        cal.clear();
        assert!(cal.is_empty());
        assert_eq!(cal.peek_time(), None);
        assert_eq!(cal.pop(), None);
        // Back at time 0: earlier times than before the clear are fine.
        cal.schedule(2.0, 2);
        cal.schedule(0.0, 0);
        cal.schedule(1.0, 1);
        assert_eq!(cal.len(), 3);
        assert_eq!(drain(&mut cal), [(0.0, 0), (1.0, 1), (2.0, 2)]);
    }

    #[test]
    fn peek_time_is_the_next_pop_time() {
        let mut cal = Calendar::new();
        for (i, t) in [7.25, 0.5, 300.0, 0.5, 1e-9, 64.0].into_iter().enumerate() {
            cal.schedule(t, i);
        }
        while let Some(t) = cal.peek_time() {
            assert_eq!(cal.pop().map(|p| p.0), Some(t));
        }
        assert!(cal.is_empty());
    }

    #[test]
    #[should_panic(expected = "NaN or before the current time")]
    fn nan_time_panics() {
        Calendar::new().schedule(f64::NAN, ());
    }

    #[test]
    #[should_panic(expected = "NaN or before the current time")]
    fn negative_time_panics() {
        Calendar::new().schedule(-1e-300, ());
    }

    #[test]
    #[should_panic(expected = "NaN or before the current time")]
    fn time_before_now_panics() {
        let mut cal = Calendar::new();
        cal.schedule(2.0, ());
        cal.pop();
        cal.schedule(1.999, ());
    }

    /// One step of a random run: schedule at the current time plus a
    /// delay, pop, or clear.
    #[derive(Debug, Clone)]
    enum Op {
        Schedule(f64),
        Pop,
        Clear,
    }

    fn op() -> impl Strategy<Value = Op> {
        let delay = prop_oneof![
            // Many equal times: at the current time, or a few fixed offsets.
            4 => Just(0.0),
            4 => prop::sample::select(vec![0.25, 0.5, 1.0, 2.0, 7.0]),
            4 => 0.0..1.0f64,
            2 => 0.0..1e3f64,
            1 => 0.0..1e-300f64,
            1 => 0.0..1e300f64,
            1 => Just(f64::INFINITY),
        ];
        prop_oneof![
            10 => delay.prop_map(Op::Schedule),
            8 => Just(Op::Pop),
            1 => Just(Op::Clear),
        ]
    }

    proptest! {
        #![proptest_config(Config {
            cases: 512,
            failure_persistence: None,
            rng_seed: RngSeed::Fixed(0x0ca1_e4da),
            ..Config::default()
        })]

        /// The calendar pops what a list sorted by (time, scheduling order)
        /// pops, for any interleaving of monotone schedules and pops.
        #[test]
        fn pops_in_time_then_scheduling_order(ops in prop::collection::vec(op(), 0..600)) {
            let mut cal = Calendar::new();
            // The reference: (time, sequence number), unsorted.
            let mut pending: Vec<(f64, u32)> = Vec::new();
            let mut now = 0.0f64;
            let mut seq = 0u32;
            for op in ops {
                match op {
                    Op::Schedule(delay) => {
                        let t = now + delay;
                        cal.schedule(t, seq);
                        pending.push((t, seq));
                        seq += 1;
                    }
                    Op::Pop => {
                        let first = pending
                            .iter()
                            .enumerate()
                            .min_by(|a, b| a.1.0.total_cmp(&b.1.0).then(a.1.1.cmp(&b.1.1)))
                            .map(|(i, _)| i);
                        let want = first.map(|i| pending.remove(i));
                        prop_assert_eq!(cal.peek_time(), want.map(|w| w.0));
                        prop_assert_eq!(cal.pop(), want);
                        if let Some((t, _)) = want {
                            now = t;
                        }
                    }
                    Op::Clear => {
                        cal.clear();
                        pending.clear();
                        now = 0.0;
                    }
                }
                prop_assert_eq!(cal.len(), pending.len());
                prop_assert_eq!(cal.is_empty(), pending.is_empty());
            }
            // What is left drains in order too.
            pending.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            prop_assert_eq!(drain(&mut cal), pending);
        }
    }
}
