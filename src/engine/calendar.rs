//! The event calendar: a binary heap ordered by (time, sequence number), so
//! events at equal times run in the order they were scheduled.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A future event list ordered by time, first-in first-out at equal times.
///
/// Scheduling and popping are O(log n). The sequence number makes the order
/// total and deterministic: two events at the same time come out in the
/// order they went in.
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
/// assert_eq!(cal.pop(), Some((2.0, 'b')));
/// assert_eq!(cal.pop(), Some((2.0, 'c')));
/// assert_eq!(cal.pop(), None);
/// ```
#[derive(Debug, Clone)]
pub struct Calendar<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

/// An event with its key: the time's bits above the sequence number.
///
/// Times are non-negative, and the bits of non-negative IEEE 754 doubles
/// order as the numbers do, so one integer comparison orders by time, then
/// by scheduling order.
#[derive(Debug, Clone)]
struct Entry<E> {
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed: BinaryHeap is a max-heap and we want the earliest first.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

#[inline]
fn time_of(key: u128) -> f64 {
    f64::from_bits((key >> 64) as u64)
}

impl<E> Default for Calendar<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Calendar<E> {
    /// An empty calendar.
    pub fn new() -> Self {
        Calendar {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }

    /// Schedules `event` at `time` \[days\].
    ///
    /// `-0.0` counts as `0.0`.
    ///
    /// # Panics
    ///
    /// If `time` is negative or NaN (simulation times never are: the
    /// engine only adds non-negative draws to non-negative times).
    #[inline]
    pub fn schedule(&mut self, time: f64, event: E) {
        assert!(time >= 0.0, "event time {time} is negative or NaN");
        let seq = self.next_seq;
        self.next_seq += 1;
        let bits = (time + 0.0).to_bits();
        self.heap.push(Entry {
            key: (u128::from(bits) << 64) | u128::from(seq),
            event,
        });
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, E)> {
        self.heap.pop().map(|e| (time_of(e.key), e.event))
    }

    /// Time of the earliest event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<f64> {
        self.heap.peek().map(|e| time_of(e.key))
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Removes every event and restarts the sequence, keeping the memory.
    pub fn clear(&mut self) {
        self.heap.clear();
        self.next_seq = 0;
    }
}
