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

#[derive(Debug, Clone)]
struct Entry<E> {
    time: f64,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
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
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .total_cmp(&self.time)
            .then_with(|| other.seq.cmp(&self.seq))
    }
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

    /// Schedules `event` at `time` [days].
    #[inline]
    pub fn schedule(&mut self, time: f64, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, seq, event });
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, E)> {
        self.heap.pop().map(|e| (e.time, e.event))
    }

    /// Time of the earliest event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<f64> {
        self.heap.peek().map(|e| e.time)
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
