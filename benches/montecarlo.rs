//! Many replications: 1,000 baseline replications on 1 and 2 threads, and a
//! sweep of 12 cells of 200 replications each.
//!
//! Run: `cargo bench --bench montecarlo`. The 2-thread speed-up is the
//! ratio of the two `baseline-1000` figures of one run.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use custody_sim::montecarlo::{Runs, run};
use custody_sim::presets;
use custody_sim::sweep::{Vary, sweep};

fn montecarlo(c: &mut Criterion) {
    let s = presets::baseline();
    let mut g = c.benchmark_group("baseline-1000");
    g.sample_size(10);
    for threads in [1, 2] {
        g.bench_function(format!("threads-{threads}"), |b| {
            b.iter(|| {
                black_box(
                    run(
                        &s,
                        &Runs {
                            replications: 1000,
                            seed: 1,
                            threads,
                        },
                    )
                    .expect("valid"),
                )
            })
        });
    }
    g.finish();

    let grid = [
        Vary::new("court.stage[trial].servers", [15, 30, 60]),
        Vary::new("transfer.phase[1].convoy_size.high", [240, 280, 320, 360]),
    ];
    let mut g = c.benchmark_group("sweep-12x200");
    g.sample_size(10);
    g.bench_function("all-threads", |b| {
        b.iter(|| {
            black_box(
                sweep(
                    &s,
                    &grid,
                    &Runs {
                        replications: 200,
                        seed: 1,
                        threads: 0,
                    },
                )
                .expect("valid"),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, montecarlo);
criterion_main!(benches);
