//! The ends of other court cases' services at a stage (rule 20), kept by
//! day so that most of them can be counted a day at a time instead of
//! handled one by one.
//!
//! An end of an other case's service matters one by one, in time order,
//! only while cases wait at its stage (it starts the next one); while
//! nobody waits it only frees a server, and a free server is looked at
//! only when a case arrives and all servers might be busy. So the ends
//! are kept in buckets of one day each, unsorted, and a day whose ends
//! may all go at once (nobody waits, the stage far from full) is emptied
//! by its count. A bucket is sorted, latest first, only when its ends
//! must go one by one ([`ServiceEnds::pop_by`]). The lane that uses this
//! is in `other_cases.rs`.

/// A multiset of end times \[days\], none earlier than the last one taken
/// out, in buckets of one day: bucket `b` holds the times in `(b − 1, b]`,
/// so that an end-of-day record at day `d` sees every end up to `d` in
/// buckets `0..=d`.
#[derive(Debug, Default, Clone)]
pub(super) struct ServiceEnds {
    /// Bucket `b`: the times in `(b − 1, b]`; the bucket `first` is sorted
    /// latest first when `sorted` says so, the others are in no order.
    days: Vec<Vec<f64>>,
    /// Every bucket below `first` is empty.
    first: usize,
    /// Whether bucket `first` is sorted latest first.
    sorted: bool,
    /// Times held, all buckets.
    len: u64,
}

impl ServiceEnds {
    /// The bucket of time `t` (`t >= 0`): its ceiling, by an integer
    /// conversion (`f64::ceil` is a call into the maths library on the
    /// baseline x86-64 target).
    #[inline]
    fn bucket(t: f64) -> usize {
        let i = t as usize;
        i + usize::from((i as f64) < t)
    }

    /// Removes every time, keeping the memory.
    pub(super) fn clear(&mut self) {
        if self.len > 0 {
            for b in &mut self.days[self.first..] {
                b.clear();
            }
        }
        self.first = 0;
        self.sorted = false;
        self.len = 0;
    }

    /// Adds time `t`, which is at least the last time taken out.
    #[inline]
    pub(super) fn push(&mut self, t: f64) {
        let b = Self::bucket(t);
        if b >= self.days.len() {
            self.days.resize_with(b + 1, Vec::new);
        }
        self.len += 1;
        let v = &mut self.days[b];
        if b < self.first {
            // Bucket `b` was empty: one time is sorted.
            self.first = b;
            self.sorted = true;
            v.push(t);
        } else if b == self.first && self.sorted {
            // An insertion step from the end, latest first.
            v.push(t);
            let mut i = v.len() - 1;
            while i > 0 && v[i - 1] < t {
                v.swap(i - 1, i);
                i -= 1;
            }
        } else {
            v.push(t);
        }
    }

    /// Takes out every time of the buckets that end by `u` (the times up to
    /// `floor(u)`, all of them at most `u`) and returns how many, without
    /// sorting anything.
    #[inline]
    pub(super) fn drain_days(&mut self, u: f64) -> u64 {
        if self.len == 0 {
            return 0;
        }
        // The floor of `u >= 0` (see `bucket`).
        let last = u as usize;
        if last < self.first {
            return 0;
        }
        let end = last.saturating_add(1).min(self.days.len());
        let mut n = 0;
        for b in &mut self.days[self.first..end] {
            n += b.len() as u64;
            b.clear();
        }
        self.first = last.saturating_add(1);
        self.sorted = false;
        self.len -= n;
        n
    }

    /// The earliest time, if any (its bucket sorted if it was not).
    #[inline]
    pub(super) fn peek(&mut self) -> Option<f64> {
        if self.len == 0 {
            return None;
        }
        while self.days[self.first].is_empty() {
            self.first += 1;
            self.sorted = false;
        }
        let v = &mut self.days[self.first];
        if !self.sorted {
            v.sort_unstable_by(|a, b| b.total_cmp(a));
            self.sorted = true;
        }
        v.last().copied()
    }

    /// Takes out the earliest time if it is at most `u`, and returns it.
    #[inline]
    pub(super) fn pop_by(&mut self, u: f64) -> Option<f64> {
        match self.peek() {
            Some(e) if e <= u => {
                self.days[self.first].pop();
                self.len -= 1;
                Some(e)
            }
            _ => None,
        }
    }

    /// A time no later than the earliest held (the earliest itself when its
    /// bucket is sorted), or infinity when none is held.
    #[inline]
    pub(super) fn lower_bound(&self) -> f64 {
        if self.len == 0 {
            return f64::INFINITY;
        }
        match self.days.get(self.first).and_then(|v| v.last()) {
            Some(&e) if self.sorted => e,
            _ => self.first as f64 - 1.0,
        }
    }

    /// Times held.
    #[cfg(test)]
    pub(super) fn len(&self) -> u64 {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::ServiceEnds;
    use proptest::prelude::*;

    proptest! {
        /// Against a sorted list: pops come in time order, day drains take
        /// exactly the times up to the day, and the lower bound never
        /// exceeds the earliest time.
        #[test]
        fn matches_a_sorted_list(ops in prop::collection::vec((0u8..4, 0.0f64..30.0), 0..400)) {
            let mut e = ServiceEnds::default();
            let mut want: Vec<f64> = Vec::new();
            let mut now = 0.0f64;
            for (op, x) in ops {
                match op {
                    0 | 1 => {
                        // Times on a coarse grid too, so that ties and
                        // whole days occur.
                        let t = now + if op == 0 { x } else { x.round() };
                        e.push(t);
                        want.push(t);
                    }
                    2 => {
                        let u = now + x.min(3.0);
                        want.sort_by(f64::total_cmp);
                        while let Some(t) = e.pop_by(u) {
                            prop_assert_eq!(t, want.remove(0));
                            now = t;
                        }
                        prop_assert!(want.first().is_none_or(|&w| w > u));
                    }
                    _ => {
                        let u = (now + x.min(3.0)).floor();
                        let n = e.drain_days(u);
                        let before = want.len();
                        want.retain(|&w| w > u);
                        prop_assert_eq!(n as usize, before - want.len());
                        now = now.max(u);
                    }
                }
                prop_assert_eq!(e.len() as usize, want.len());
                let min = want.iter().copied().fold(f64::INFINITY, f64::min);
                prop_assert!(e.lower_bound() <= min);
                if !want.is_empty() {
                    prop_assert_eq!(e.peek(), Some(min));
                }
            }
            e.clear();
            prop_assert_eq!(e.peek(), None);
            prop_assert_eq!(e.lower_bound(), f64::INFINITY);
        }
    }
}
