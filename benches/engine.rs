//! Engine throughput and one baseline replication.
//!
//! - `mm1/custody-sim`: an M/M/1 queue (Poisson arrivals as convoys of one,
//!   exponential service, utilisation 0.8) through the public API, in
//!   customers per second;
//! - `mm1/bare-loop`: the same queue as a bare hand-written event loop
//!   (binary heap, same generator and distributions): the floor to compare
//!   with;
//! - `baseline/one-replication`: one replication of the bundled baseline;
//! - `event-set/hold-8k`: the event sets alone in the classic hold model
//!   (Vaucher and Duval, 1975): 8,192 pending events, each pop followed by
//!   a schedule at the popped time plus an exponential delay, which is the
//!   baseline's size of calendar; `calendar` is [`Calendar`], `binary-heap`
//!   the standard binary heap keyed by (time bits, sequence number), the
//!   event set the engine had before the radix heap.
//!
//! Run: `cargo bench --bench engine`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use custody_sim::engine::Calendar;
use custody_sim::{Plan, Scenario, Workspace, presets};
use rand::SeedableRng;
use rand::distr::Distribution;
use rand::rngs::ChaCha8Rng;

const LAMBDA: f64 = 100.0;
const MU: f64 = 125.0;
const DAYS: u32 = 1000;
const CUSTOMERS: u64 = 100_000;

fn mm1() -> Scenario {
    Scenario::from_toml_str(&format!(
        r#"
name = "mm1"
start_date = "2026-01-21"
horizon_days = {DAYS}
[transfer]
transit_days = {{ dist = "fixed", value = 0.0 }}
[[transfer.phase]]
from = 0.0
interval_days = {{ dist = "exponential", mean = {ia} }}
convoy_size = {{ dist = "fixed", value = 1.0 }}
[[group]]
name = "all"
count = {CUSTOMERS}
[[facility]]
name = "any"
capacity = 1000000
[court]
conviction_probability = 1.0
[[court.stage]]
name = "server"
servers = 1
service_days = {{ dist = "exponential", mean = {sv} }}
"#,
        ia = 1.0 / LAMBDA,
        sv = 1.0 / MU
    ))
    .expect("the M/M/1 scenario is valid")
}

/// A bare M/M/1 event loop: the fastest this model can be written by hand.
/// Returns (customers served, total wait) so nothing is optimised away.
fn bare_mm1(seed: u64) -> (u64, f64) {
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Kind {
        Arrive,
        Depart,
    }
    let mut rng_a = ChaCha8Rng::seed_from_u64(seed);
    let mut rng_s = ChaCha8Rng::seed_from_u64(seed ^ 1);
    let ia = rand_distr::Exp::new(LAMBDA).unwrap();
    let sv = rand_distr::Exp::new(MU).unwrap();
    let horizon = f64::from(DAYS);
    let mut heap: BinaryHeap<Reverse<(u64, u64, Kind)>> = BinaryHeap::new();
    let key = |t: f64| t.to_bits(); // non-negative times order as their bits
    let mut seq = 0u64;
    let mut queue: VecDeque<f64> = VecDeque::new();
    let mut busy = false;
    let (mut served, mut wait, mut arrived) = (0u64, 0.0, 0u64);
    heap.push(Reverse((key(0.0), seq, Kind::Arrive)));
    while let Some(Reverse((tb, _, kind))) = heap.pop() {
        let t = f64::from_bits(tb);
        if t > horizon {
            break;
        }
        seq += 1;
        match kind {
            Kind::Arrive => {
                arrived += 1;
                if arrived < CUSTOMERS {
                    heap.push(Reverse((key(t + ia.sample(&mut rng_a)), seq, Kind::Arrive)));
                }
                if busy {
                    queue.push_back(t);
                } else {
                    busy = true;
                    heap.push(Reverse((key(t + sv.sample(&mut rng_s)), seq, Kind::Depart)));
                }
            }
            Kind::Depart => {
                served += 1;
                if let Some(joined) = queue.pop_front() {
                    wait += t - joined;
                    heap.push(Reverse((key(t + sv.sample(&mut rng_s)), seq, Kind::Depart)));
                } else {
                    busy = false;
                }
            }
        }
    }
    (served, wait)
}

fn engine(c: &mut Criterion) {
    let plan = Plan::new(&mm1()).expect("valid");
    // Customers per replication, to express throughput per customer.
    let customers = plan.replicate(1, 0).metric("transferred").unwrap_or(0.0) as u64;
    let mut g = c.benchmark_group("mm1");
    g.throughput(Throughput::Elements(customers));
    let mut ws = Workspace::default();
    let mut i = 0;
    g.bench_function("custody-sim", |b| {
        b.iter(|| {
            i += 1;
            black_box(plan.replicate_in(&mut ws, 1, i))
        })
    });
    let mut seed = 0;
    g.bench_function("bare-loop", |b| {
        b.iter(|| {
            seed += 1;
            black_box(bare_mm1(seed))
        })
    });
    g.finish();

    let base = Plan::new(&presets::plan_2026_01()).expect("valid");
    let mut g = c.benchmark_group("baseline");
    let mut i = 0;
    g.bench_function("one-replication", |b| {
        b.iter(|| {
            i += 1;
            black_box(base.replicate_in(&mut ws, 1, i))
        })
    });
    g.finish();
}

/// Pending events in the hold model.
const HOLD: usize = 8192;
/// Pops (each followed by a schedule) per hold iteration.
const HOLD_OPS: usize = 100_000;

/// Exponential delays (mean 1 day) for the hold model, drawn once so that
/// the bench times the event sets, not the generator.
fn hold_delays() -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let exp = rand_distr::Exp::new(1.0).unwrap();
    (0..HOLD + HOLD_OPS).map(|_| exp.sample(&mut rng)).collect()
}

/// The hold model on [`Calendar`]; returns the last time popped.
fn hold_calendar(cal: &mut Calendar<u32>, delays: &[f64]) -> f64 {
    cal.clear();
    for (i, d) in delays[..HOLD].iter().enumerate() {
        cal.schedule(*d, i as u32);
    }
    let mut last = 0.0;
    for d in &delays[HOLD..] {
        let (t, e) = cal.pop().expect("never empty");
        cal.schedule(t + d, e);
        last = t;
    }
    last
}

/// The hold model on a binary heap keyed by (time bits, sequence number).
fn hold_binary_heap(heap: &mut BinaryHeap<Reverse<(u64, u64, u32)>>, delays: &[f64]) -> f64 {
    heap.clear();
    let mut seq = 0u64;
    for (i, d) in delays[..HOLD].iter().enumerate() {
        heap.push(Reverse((d.to_bits(), seq, i as u32)));
        seq += 1;
    }
    let mut last = 0.0;
    for d in &delays[HOLD..] {
        let Reverse((tb, _, e)) = heap.pop().expect("never empty");
        let t = f64::from_bits(tb);
        heap.push(Reverse(((t + d).to_bits(), seq, e)));
        seq += 1;
        last = t;
    }
    last
}

fn event_set(c: &mut Criterion) {
    let delays = hold_delays();
    let mut g = c.benchmark_group("event-set/hold-8k");
    g.throughput(Throughput::Elements(HOLD_OPS as u64));
    let mut cal = Calendar::new();
    g.bench_function("calendar", |b| {
        b.iter(|| black_box(hold_calendar(&mut cal, &delays)))
    });
    let mut heap = BinaryHeap::new();
    g.bench_function("binary-heap", |b| {
        b.iter(|| black_box(hold_binary_heap(&mut heap, &delays)))
    });
    g.finish();
    assert_eq!(
        hold_calendar(&mut cal, &delays),
        hold_binary_heap(&mut heap, &delays),
        "both event sets pop the same times"
    );
}

criterion_group!(benches, engine, event_set);
criterion_main!(benches);
