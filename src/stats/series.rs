//! The accumulator of daily series: exact per-day value counts that merge
//! in any order, with a bounded fallback.

use serde::{Deserialize, Serialize};

use super::hist::{BIN_BYTES, Hist, MAX_BINS};
use super::type7;

/// Most distinct values a (series, day) cell counts exactly in one
/// accumulator; past it the cell falls back to a histogram (see
/// [`MAX_BYTES_PER_SERIES_DAY`] and the crate's daily series docs).
pub const MAX_EXACT_VALUES: usize = 1024;

/// Bytes of one exact `(value, count)` pair.
const PAIR_BYTES: u64 = std::mem::size_of::<(u32, u32)>() as u64;

const fn max_u64(a: u64, b: u64) -> u64 {
    if a > b { a } else { b }
}

/// Bytes one (series, day) cell can take in one accumulator, at most:
/// the cell itself and the larger of its two forms' heaps, at most
/// [`MAX_EXACT_VALUES`] `(value, count)` pairs of 8 bytes (their capacity
/// never grows past that) or the fallback histogram's [`MAX_BINS`]` + 1`
/// bins of 24 bytes (the `+ 1` is the bin that, once inserted, makes it
/// join neighbours). A little over 8 KiB.
pub const MAX_BYTES_PER_SERIES_DAY: u64 = std::mem::size_of::<Cell>() as u64
    + max_u64(
        MAX_EXACT_VALUES as u64 * PAIR_BYTES,
        (MAX_BINS as u64 + 1) * BIN_BYTES,
    );

/// A bound on the bytes the daily series' accumulators of a run hold
/// together: `cells` (series × days) in each of `accumulators`, over `n`
/// replications.
///
/// The accumulators hold disjoint replications, and a cell holds at most
/// one distinct value per replication, so all of a cell's exact pairs
/// together number at most `min(n, accumulators × MAX_EXACT_VALUES)`;
/// capacity doubles from 4, so at most `min(2n + 4 × accumulators,
/// accumulators × MAX_EXACT_VALUES)` pairs are allocated; a cell that fell
/// back (past `MAX_EXACT_VALUES` values) takes less than a full exact one.
pub(crate) fn accumulators_bytes(cells: u64, n: u64, accumulators: u64) -> u64 {
    let base = std::mem::size_of::<Cell>() as u64;
    let pairs = n
        .saturating_mul(2)
        .saturating_add(accumulators.saturating_mul(4))
        .min(accumulators.saturating_mul(MAX_EXACT_VALUES as u64));
    let per_cell = accumulators
        .saturating_mul(base)
        .saturating_add(pairs.saturating_mul(PAIR_BYTES));
    cells.saturating_mul(per_cell)
}

/// One (series, day) of an accumulator: every value seen with its count
/// while there are at most [`MAX_EXACT_VALUES`] distinct values (and no
/// count past `u32::MAX`), the fallback histogram beyond.
///
/// Its state is a function of the multiset of values added, whatever the
/// order of adding and merging: exact pairs are the values' counts, and a
/// cell falls back exactly when the distinct values (or a count) pass the
/// bound, to the histogram of all its values, which does not depend on
/// their order either.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Cell {
    /// `(value, count)`, sorted by value, counts positive.
    Exact(Vec<(u32, u32)>),
    /// Past [`MAX_EXACT_VALUES`] distinct values.
    Approx(Hist),
}

impl Default for Cell {
    fn default() -> Cell {
        Cell::Exact(Vec::new())
    }
}

/// Makes room for `want` pairs, doubling the capacity but never past
/// [`MAX_EXACT_VALUES`] (nor below `want`).
fn reserve(list: &mut Vec<(u32, u32)>, want: usize) {
    if want > list.capacity() {
        let cap = (list.capacity() * 2).clamp(4, MAX_EXACT_VALUES).max(want);
        list.reserve_exact(cap - list.len());
    }
}

/// The counts of `a` and `b` together; `None` past [`MAX_EXACT_VALUES`]
/// distinct values or a count past `u32::MAX`.
fn union(a: &[(u32, u32)], b: &[(u32, u32)]) -> Option<Vec<(u32, u32)>> {
    let mut out = Vec::with_capacity((a.len() + b.len()).min(MAX_EXACT_VALUES));
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.0 == y.0 => {
                i += 1;
                j += 1;
                (x.0, x.1.checked_add(y.1)?)
            }
            (Some(x), Some(y)) if x.0 < y.0 => {
                i += 1;
                *x
            }
            (Some(x), None) => {
                i += 1;
                *x
            }
            (_, Some(y)) => {
                j += 1;
                *y
            }
            (None, None) => break,
        };
        if out.len() == MAX_EXACT_VALUES {
            return None;
        }
        out.push(next);
    }
    Some(out)
}

impl Cell {
    /// Adds one value.
    #[inline]
    fn add(&mut self, v: u32) {
        let list = match self {
            Cell::Approx(h) => return h.add(v),
            Cell::Exact(list) => list,
        };
        match list.binary_search_by_key(&v, |p| p.0) {
            Ok(i) => match list[i].1.checked_add(1) {
                Some(c) => list[i].1 = c,
                None => self.fall_back(&[(v, 1)]),
            },
            Err(_) if list.len() >= MAX_EXACT_VALUES => self.fall_back(&[(v, 1)]),
            Err(i) => {
                reserve(list, list.len() + 1);
                list.insert(i, (v, 1));
            }
        }
    }

    /// Replaces an exact cell by the histogram of its values and `more`.
    #[cold]
    fn fall_back(&mut self, more: &[(u32, u32)]) {
        if let Cell::Exact(list) = self {
            let mut h = Hist::from_counts(list);
            for &(v, c) in more {
                h.add_count(v, u64::from(c));
            }
            *self = Cell::Approx(h);
        }
    }

    /// Adds the values `sorted` (ascending); `fresh` is scratch space.
    ///
    /// One search per run of equal values, each from where the previous
    /// one stopped, and one pass over the pairs when new values came.
    fn add_sorted(&mut self, sorted: &[u32], fresh: &mut Vec<(u32, u32)>) {
        let list = match self {
            Cell::Approx(h) => {
                sorted.iter().for_each(|&v| h.add(v));
                return;
            }
            Cell::Exact(list) => list,
        };
        fresh.clear();
        let (mut i, mut from) = (0, 0);
        while i < sorted.len() {
            let v = sorted[i];
            let j = i + sorted[i..].partition_point(|&x| x == v);
            let Ok(c) = u32::try_from(j - i) else { break };
            match list[from..].binary_search_by_key(&v, |p| p.0) {
                Ok(k) => {
                    from += k;
                    match list[from].1.checked_add(c) {
                        Some(x) => list[from].1 = x,
                        None => break,
                    }
                }
                Err(k) => {
                    from += k;
                    fresh.push((v, c));
                }
            }
            i = j;
        }
        if i < sorted.len() {
            // A count past u32::MAX: the rest goes to the histogram.
            self.fall_back(fresh);
            if let Cell::Approx(h) = self {
                sorted[i..].iter().for_each(|&v| h.add(v));
            }
            return;
        }
        if fresh.is_empty() {
            return;
        }
        let (a, b) = (list.len(), fresh.len());
        if a + b > MAX_EXACT_VALUES {
            self.fall_back(fresh);
            return;
        }
        // Merge from the back, in place: the values are disjoint.
        reserve(list, a + b);
        list.resize(a + b, (0, 0));
        let (mut i, mut j) = (a, b);
        for k in (0..a + b).rev() {
            if j == 0 {
                break;
            }
            if i > 0 && list[i - 1].0 > fresh[j - 1].0 {
                list[k] = list[i - 1];
                i -= 1;
            } else {
                list[k] = fresh[j - 1];
                j -= 1;
            }
        }
    }

    fn merge(&mut self, other: &Cell) {
        match (&mut *self, other) {
            (_, Cell::Exact(b)) if b.is_empty() => {}
            (Cell::Approx(x), Cell::Approx(y)) => x.merge(y),
            (Cell::Approx(x), Cell::Exact(b)) => {
                b.iter().for_each(|&(v, c)| x.add_count(v, u64::from(c)));
            }
            (Cell::Exact(a), Cell::Approx(y)) => {
                let mut x = Hist::from_counts(a);
                x.merge(y);
                *self = Cell::Approx(x);
            }
            (Cell::Exact(a), Cell::Exact(b)) => match union(a, b) {
                Some(u) => *a = u,
                None => self.fall_back(b),
            },
        }
    }

    /// Number of values.
    fn count(&self) -> u64 {
        match self {
            Cell::Exact(list) => list.iter().map(|p| u64::from(p.1)).sum(),
            Cell::Approx(h) => h.count(),
        }
    }

    /// Exact sum of the values.
    fn sum(&self) -> u128 {
        match self {
            Cell::Exact(list) => list
                .iter()
                .map(|&(v, c)| u128::from(v) * u128::from(c))
                .sum(),
            Cell::Approx(h) => h.sum(),
        }
    }

    /// The type-7 quantile `q` of the cell's `n` values, and a bound on
    /// its distance from the exact one (0 while exact).
    fn quantile(&self, n: u64, q: f64) -> (f64, f64) {
        match self {
            Cell::Exact(list) => {
                // The k-th smallest (0-based): walk the counts.
                let at = |k: usize| {
                    let mut seen = 0u64;
                    for &(v, c) in list {
                        seen += u64::from(c);
                        if seen > k as u64 {
                            return f64::from(v);
                        }
                    }
                    f64::NAN
                };
                (type7(n as usize, q, at), 0.0)
            }
            Cell::Approx(h) => (h.quantile(n, q), h.quantile_error(n, q)),
        }
    }

    /// Checks a cell read from a file (holding `n` values).
    fn check(&self, n: u64) -> Result<(), String> {
        match self {
            Cell::Exact(list) => {
                let bad = |what: &str| {
                    Err(format!(
                        "a daily series' value counts are inconsistent: {what}"
                    ))
                };
                if list.len() > MAX_EXACT_VALUES {
                    return bad("more distinct values than an exact cell holds");
                }
                if list.windows(2).any(|w| w[0].0 >= w[1].0) {
                    return bad("its values are not sorted");
                }
                if list.iter().any(|p| p.1 == 0) {
                    return bad("a value has a count of 0");
                }
                if self.count() != n {
                    return bad("its counts do not add up to the replications");
                }
                Ok(())
            }
            Cell::Approx(h) => {
                if n <= MAX_EXACT_VALUES as u64 {
                    return Err(format!(
                        "a series histogram is inconsistent: it holds {n} values, which an exact cell holds"
                    ));
                }
                h.check(n)
            }
        }
    }
}

/// Streaming accumulator of daily series: per (series, day) the count of
/// every value seen, exact, up to a bound in memory.
///
/// # Memory bound
///
/// Each (series, day) cell counts at most [`MAX_EXACT_VALUES`] (1,024)
/// distinct values, 8 bytes each, so it takes at most
/// [`MAX_BYTES_PER_SERIES_DAY`] bytes (a little over 8 KiB) in each
/// accumulator, whatever the number of replications; with `n`
/// replications it holds at most `n` pairs. A run keeps about two
/// accumulators per worker thread, plus one, which together hold each of
/// a cell's values at most once per accumulator. Daily series are counts
/// of people, and across replications a day rarely has more than a few
/// hundred distinct values (the baseline's most spread day, 2,000
/// replications: 865).
///
/// # Accuracy
///
/// The mean is exact (integer sums). While a cell is exact, each quantile
/// is the type-7 quantile of the values, the same number
/// [`quantile`](super::quantile) gives on the sorted values (the same
/// interpolation of the same order statistics), so a backtest's band and a
/// run's band agree exactly.
///
/// # Fallback
///
/// A cell that meets more than [`MAX_EXACT_VALUES`] distinct values (in one
/// accumulator or by merging) falls back to a histogram of all its values:
/// values below 256 exactly, larger ones in buckets of relative width
/// 1/128, with exact per-bin sums and the smallest and largest value, at
/// most [`MAX_BINS`] bins (neighbouring buckets join beyond). An order
/// statistic is then the mean of its bin: off by less than the bin's width
/// (under 0.8% of the value above 256 while the bins are not joined,
/// twice that per join). [`SeriesBands::approximate`] says on how many
/// days a series fell back and bounds the error from the bins it read.
/// Either way a quantile lies between the smallest and largest value seen.
///
/// Cells merge in any order to the same state (see [`Cell`]), so a run is
/// bit-identical whatever the threads and shards.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeriesAcc {
    days: usize,
    n: u64,
    cells: Vec<Cell>,
}

impl SeriesAcc {
    pub(crate) fn new(series: usize, days: usize) -> SeriesAcc {
        SeriesAcc {
            days,
            n: 0,
            cells: vec![Cell::default(); series * days],
        }
    }

    /// Adds one replication's series (series after series). A `flat` of
    /// another length than the accumulator's cells adds what the two have
    /// in common (see [`SeriesAcc::add_rows`] for the usual path).
    pub(crate) fn add(&mut self, flat: &[u32]) {
        debug_assert_eq!(flat.len(), self.cells.len());
        self.n += 1;
        for (h, &v) in self.cells.iter_mut().zip(flat) {
            h.add(v);
        }
    }

    /// Number of (series, day) cells: the length of one replication's
    /// series, series after series.
    pub(crate) fn cells(&self) -> usize {
        self.cells.len()
    }

    /// Adds `n` replications' series at once: `rows` holds them one after
    /// the other, each laid out as [`SeriesAcc::add`] takes it.
    ///
    /// The same accumulator as `n` calls of [`SeriesAcc::add`] (a cell's
    /// state does not depend on the order of its values, see [`Cell`]),
    /// but cell by cell: each cell takes its `n` values, sorted, while it
    /// is in cache (one search per distinct value, one pass to insert the
    /// new ones), instead of every cell being visited once per
    /// replication. A run's accumulator holds thousands of cells
    /// (megabytes), so folding replication by replication missed the cache
    /// on nearly every value.
    pub(crate) fn add_rows(&mut self, rows: &[u32], n: usize) {
        let cells = self.cells.len();
        debug_assert_eq!(rows.len(), cells * n);
        if n == 0 {
            return;
        }
        self.n += n as u64;
        let mut vals = Vec::with_capacity(n);
        let mut fresh = Vec::with_capacity(n);
        for (c, cell) in self.cells.iter_mut().enumerate() {
            vals.clear();
            vals.extend(rows[c..].iter().step_by(cells).take(n));
            vals.sort_unstable();
            cell.add_sorted(&vals, &mut fresh);
        }
    }

    pub(crate) fn merge(&mut self, other: &SeriesAcc) {
        self.n += other.n;
        for (a, b) in self.cells.iter_mut().zip(&other.cells) {
            a.merge(b);
        }
    }

    /// Checks an accumulator read from a file: `series` series of `days`
    /// days over `n` replications, every cell consistent (exact counts
    /// sorted, positive and adding up to `n`; a fallback histogram only
    /// past the exact bound, its counts adding up to `n`, each bin's sum
    /// within its bin's values, the smallest and largest values within
    /// the first and last bins).
    pub(crate) fn check(&self, series: usize, days: usize, n: u64) -> Result<(), String> {
        let cells = series * days;
        if (series > 0 && (self.days != days || self.n != n)) || self.cells.len() != cells {
            return Err(format!(
                "its series accumulator is not {series} series of {days} days over {n} replications"
            ));
        }
        self.cells.iter().try_for_each(|h| h.check(n))
    }

    pub(crate) fn compatible(&self, other: &SeriesAcc) -> bool {
        self.days == other.days && self.cells.len() == other.cells.len()
    }

    /// Mean, p5, p50 and p95 of series `s` for each day, and which days
    /// fell back.
    pub(crate) fn bands(&self, s: usize) -> SeriesBands {
        let n = self.n;
        let cells = &self.cells[s * self.days..(s + 1) * self.days];
        let mut b = SeriesBands {
            mean: Vec::with_capacity(cells.len()),
            p5: Vec::with_capacity(cells.len()),
            p50: Vec::with_capacity(cells.len()),
            p95: Vec::with_capacity(cells.len()),
            approximate: None,
        };
        for cell in cells {
            b.mean.push(if n == 0 {
                f64::NAN
            } else {
                cell.sum() as f64 / n as f64
            });
            let mut worst = (0.0f64, 0.0f64);
            for (q, out) in [(0.05, &mut b.p5), (0.5, &mut b.p50), (0.95, &mut b.p95)] {
                let (x, e) = cell.quantile(n, q);
                out.push(x);
                worst.0 = worst.0.max(e);
                if x > 0.0 {
                    worst.1 = worst.1.max(e / x);
                }
            }
            if let Cell::Approx(_) = cell {
                let a = b.approximate.get_or_insert(Approximation {
                    days: 0,
                    max_error: 0.0,
                    max_relative_error: 0.0,
                });
                a.days += 1;
                a.max_error = a.max_error.max(worst.0);
                a.max_relative_error = a.max_relative_error.max(worst.1);
            }
        }
        b
    }
}

/// Mean and quantile bands of one daily series, day by day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesBands {
    /// Mean across replications, day 1 first \[persons\].
    pub mean: Vec<f64>,
    /// 5th percentile across replications (type 7).
    pub p5: Vec<f64>,
    /// Median across replications (type 7).
    pub p50: Vec<f64>,
    /// 95th percentile across replications (type 7).
    pub p95: Vec<f64>,
    /// Where the quantiles are not exact: `None` when every day's are
    /// (see [`MAX_EXACT_VALUES`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate: Option<Approximation>,
}

/// How far a daily series' quantiles may be from the exact ones, on the
/// days whose values passed [`MAX_EXACT_VALUES`] distinct values and fell
/// back to a histogram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Approximation {
    /// Days whose p5, p50 and p95 are approximate \[days\].
    pub days: u32,
    /// Largest distance any of them may be from the exact quantile
    /// \[unit of the series\]: the order statistics read lie in their bins,
    /// and this is the farthest a bin's end is from the bin's mean.
    pub max_error: f64,
    /// The same, relative to the quantile reported (0.004 = 0.4%).
    pub max_relative_error: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::quantile;

    /// splitmix64: a reproducible stream for test data.
    fn stream(seed: u64) -> impl FnMut() -> u64 {
        let mut x = seed;
        move || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
    }

    /// `n` values of one of several shapes: a narrow spread around a
    /// large count, a wide one, small counts, and mostly one value.
    fn sample(shape: u64, n: usize, seed: u64) -> Vec<u32> {
        let mut r = stream(seed);
        (0..n)
            .map(|_| {
                let u = r();
                match shape % 4 {
                    0 => 12_800 + (u % 7) as u32,
                    1 => 2_000 + (u % 900) as u32,
                    2 => (u % 40) as u32,
                    _ => {
                        if u.is_multiple_of(10) {
                            (u >> 40) as u32
                        } else {
                            5_704
                        }
                    }
                }
            })
            .collect()
    }

    fn type7_of(vals: &[u32], q: f64) -> f64 {
        let mut sorted: Vec<f64> = vals.iter().map(|&v| f64::from(v)).collect();
        sorted.sort_by(f64::total_cmp);
        quantile(&sorted, q)
    }

    fn one_cell(vals: &[u32]) -> SeriesAcc {
        let mut acc = SeriesAcc::new(1, 1);
        vals.iter().for_each(|&v| acc.add(&[v]));
        acc
    }

    /// While exact, a daily quantile is bit for bit the type-7 quantile of
    /// the sorted values, the metrics' definition.
    #[test]
    fn exact_quantiles_equal_sorting_all_values() {
        for (k, n) in [1usize, 2, 3, 19, 20, 21, 200, 2_001]
            .into_iter()
            .enumerate()
        {
            for shape in 0..4 {
                let vals = sample(shape, n, 7 + k as u64 * 4 + shape);
                let acc = one_cell(&vals);
                let b = acc.bands(0);
                assert_eq!(b.approximate, None);
                assert_eq!(
                    b.p5[0].to_bits(),
                    type7_of(&vals, 0.05).to_bits(),
                    "{shape} {n}"
                );
                assert_eq!(
                    b.p50[0].to_bits(),
                    type7_of(&vals, 0.5).to_bits(),
                    "{shape} {n}"
                );
                assert_eq!(
                    b.p95[0].to_bits(),
                    type7_of(&vals, 0.95).to_bits(),
                    "{shape} {n}"
                );
                for q in [0.0, 0.01, 0.25, 0.999, 1.0] {
                    let (x, e) = acc.cells[0].quantile(n as u64, q);
                    assert_eq!((x.to_bits(), e), (type7_of(&vals, q).to_bits(), 0.0));
                }
                let sum: u128 = vals.iter().map(|&v| u128::from(v)).sum();
                assert_eq!(b.mean[0], sum as f64 / n as f64);
            }
        }
        // The case a histogram got wrong: a prison of 12,800 whose values
        // differ by a few people.
        let vals: Vec<u32> = (0..100).map(|i| 12_800 + i % 3).collect();
        let b = one_cell(&vals).bands(0);
        assert_eq!(
            (b.p5[0], b.p50[0], b.p95[0]),
            (12_800.0, 12_801.0, 12_802.0)
        );
    }

    /// Adding one by one, in batches, and merging parts in any order give
    /// the same accumulator, on both sides of the exact bound.
    #[test]
    fn merging_in_any_order_gives_the_same_accumulator() {
        let (series, days, n) = (2, 5, 1_500);
        let cells = series * days;
        // Cell c has shape c % 4; cell 9 is spread over 3,000 values, past
        // the bound once enough replications are in.
        let mut r = stream(3);
        let rows: Vec<u32> = (0..n * cells)
            .map(|i| match i % cells {
                9 => 100_000 + (r() % 3_000) as u32,
                c => sample(c as u64, 1, i as u64)[0],
            })
            .collect();
        let mut one = SeriesAcc::new(series, days);
        rows.chunks(cells).for_each(|row| one.add(row));
        assert!(matches!(one.cells[9], Cell::Approx(_)));
        assert!(matches!(one.cells[1], Cell::Exact(_)));
        let mut batch = SeriesAcc::new(series, days);
        batch.add_rows(&rows[..cells * 64], 64);
        batch.add_rows(&rows[cells * 64..], n - 64);
        batch.add_rows(&[], 0);
        assert_eq!(batch, one);
        // Parts of 400, 700 (both exact in cell 9) and 400 replications.
        let bounds = [0, 400, 1_100, n];
        let parts: Vec<SeriesAcc> = bounds
            .windows(2)
            .map(|w| {
                let mut a = SeriesAcc::new(series, days);
                a.add_rows(&rows[w[0] * cells..w[1] * cells], w[1] - w[0]);
                a
            })
            .collect();
        assert!(parts.iter().all(|p| matches!(p.cells[9], Cell::Exact(_))));
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0], [1, 0, 2]] {
            let mut m = parts[order[0]].clone();
            m.merge(&parts[order[1]]);
            m.merge(&parts[order[2]]);
            assert_eq!(m, one, "{order:?}");
        }
        // (a + b) + c against a + (b + c), with one side fallen back.
        let mut bc = parts[1].clone();
        bc.merge(&parts[2]);
        let mut a_bc = parts[0].clone();
        a_bc.merge(&bc);
        assert_eq!(a_bc, one);
        assert_eq!(one.check(series, days, n as u64), Ok(()));
        let b = one.bands(1);
        assert_eq!(b, batch.bands(1));
        assert_eq!(b.approximate.map(|a| a.days), Some(1));
        assert_eq!(one.bands(0).approximate, None);
    }

    /// Past the bound a cell falls back; its quantiles stay within the
    /// error the bands state, and within the values seen.
    #[test]
    fn fallback_stays_within_its_stated_error_and_the_values_seen() {
        for (seed, spread, base) in [
            (1u64, 5_000u64, 20_000u32),
            (2, 1_500, 0),
            (3, 400_000, 1_000),
        ] {
            let mut r = stream(seed);
            let vals: Vec<u32> = (0..4_000).map(|_| base + (r() % spread) as u32).collect();
            let acc = one_cell(&vals);
            let b = acc.bands(0);
            let a = b.approximate.expect("past the bound");
            assert_eq!(a.days, 1);
            assert!(a.max_error > 0.0);
            let (lo, hi) = (
                f64::from(*vals.iter().min().unwrap()),
                f64::from(*vals.iter().max().unwrap()),
            );
            for (q, got) in [(0.05, b.p5[0]), (0.5, b.p50[0]), (0.95, b.p95[0])] {
                let exact = type7_of(&vals, q);
                assert!(
                    (got - exact).abs() <= a.max_error,
                    "{seed} {q}: {got} vs {exact}"
                );
                assert!((got - exact).abs() <= a.max_relative_error * got + 1e-9);
                assert!(got >= lo && got <= hi);
            }
            // Values above 256 in unjoined bins: within 1/128 relative.
            if base >= 256 && spread < 10_000 {
                assert!(a.max_relative_error <= 1.0 / 128.0, "{a:?}");
            }
            let sum: u128 = vals.iter().map(|&v| u128::from(v)).sum();
            assert_eq!(b.mean[0], sum as f64 / vals.len() as f64);
        }
        // Exactly the bound is still exact; one more value falls back.
        let vals: Vec<u32> = (0..MAX_EXACT_VALUES as u32).map(|v| v * 3).collect();
        let mut acc = one_cell(&vals);
        assert_eq!(acc.bands(0).approximate, None);
        acc.add(&[1]);
        assert_eq!(acc.bands(0).approximate.map(|a| a.days), Some(1));
        acc.add(&[4]);
        assert_eq!(acc.check(1, 1, vals.len() as u64 + 2), Ok(()));
    }

    #[test]
    fn cells_stay_within_their_memory_bound() {
        let mut r = stream(9);
        let mut acc = SeriesAcc::new(1, 1);
        for i in 0..3_000 {
            acc.add(&[(r() % 1_000_000) as u32]);
            if let Cell::Exact(list) = &acc.cells[0] {
                assert!(list.capacity() <= MAX_EXACT_VALUES, "{i}");
            }
        }
        assert!(matches!(acc.cells[0], Cell::Approx(_)));
        let exact = std::mem::size_of::<Cell>() as u64 + MAX_EXACT_VALUES as u64 * PAIR_BYTES;
        assert_eq!(MAX_BYTES_PER_SERIES_DAY, exact);
        // The run-wide bound: n = 10 replications in 3 accumulators.
        let base = std::mem::size_of::<Cell>() as u64;
        assert_eq!(
            accumulators_bytes(7, 10, 3),
            7 * (3 * base + 32 * PAIR_BYTES)
        );
    }

    #[test]
    fn daily_quantiles_are_exact_when_replications_agree() {
        for v in [1_500u32, 14_000, 7_000, 0, 255, 256, u32::MAX] {
            let acc = one_cell(&[v; 37]);
            let b = acc.bands(0);
            let v = f64::from(v);
            assert_eq!((b.mean[0], b.p5[0], b.p50[0], b.p95[0]), (v, v, v, v));
        }
        // Exact integer sums: 38,010 / 200 is 190.05, not 190.04999…
        let vals: Vec<u32> = (0..200).map(|i| if i < 10 { 191 } else { 190 }).collect();
        assert_eq!(one_cell(&vals).bands(0).mean[0].to_string(), "190.05");
    }

    #[test]
    fn edited_cells_fail_their_check() {
        let acc = one_cell(&[5, 9, 9, 70_000, 300]);
        assert_eq!(acc.check(1, 1, 5), Ok(()));
        assert!(acc.check(1, 1, 6).is_err());
        let Cell::Exact(good) = &acc.cells[0] else {
            panic!("exact")
        };
        type Edit = fn(&mut Vec<(u32, u32)>);
        let edits: [Edit; 3] = [
            |l: &mut Vec<(u32, u32)>| l[0].1 += 1,
            |l: &mut Vec<(u32, u32)>| l.swap(0, 1),
            |l: &mut Vec<(u32, u32)>| {
                l[0].1 -= 1;
                l.push((80_000, 0));
                l[1].1 += 1;
            },
        ];
        for edit in edits {
            let mut l = good.clone();
            edit(&mut l);
            let mut e = acc.clone();
            e.cells[0] = Cell::Exact(l);
            assert!(e.check(1, 1, 5).is_err(), "{:?}", e.cells[0]);
        }
        // A histogram where exact counts would do.
        let mut e = acc.clone();
        e.cells[0] = Cell::Approx(Hist::from_counts(good));
        assert!(e.check(1, 1, 5).is_err());
    }
}
