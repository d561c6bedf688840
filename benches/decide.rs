//! Decision support: Sobol indices for six parameters of the baseline.
//!
//! The budget: 2,048 base samples, `N (k + 2)` = 16,384
//! replications, at most 20 s on 2 cores. Run `cargo bench --bench decide`:
//! it first times ONE full-size analysis on 2 threads and prints the
//! figure (criterion's smallest sample of 10 would take minutes), then
//! measures a 256-sample analysis (2,048 replications) with criterion.
//!
//! Measured (27 November 2026, the shared 2-core development machine at a
//! load average of about 15): 87.7 s wall for the full analysis, of which
//! the process got 29% of one core; 25.5 s of CPU time (user), so about
//! 13 s on 2 idle cores (the points are independent and run in parallel):
//! within the budget. Per point: about 1.5 ms of CPU, of which setting six
//! parameters by path and building the plan take about 0.1 ms.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group};
use custody_sim::decide::{SobolOptions, sobol_model};
use custody_sim::scenario::ParamDist;
use custody_sim::{Dist, presets};

/// Six levers of the baseline and their plausible ranges.
fn params() -> Vec<ParamDist> {
    vec![
        ParamDist::new("court.stage[trial].servers", Dist::uniform_int(10, 40)),
        ParamDist::new(
            "court.stage[investigation].service_days.mean",
            Dist::uniform(120.0, 180.0),
        ),
        ParamDist::new(
            "transfer.phase[1].convoy_size.high",
            Dist::uniform_int(240, 320),
        ),
        ParamDist::new("court.conviction_probability", Dist::uniform(0.85, 0.99)),
        ParamDist::new(
            "group[Willing states].repatriation.probability",
            Dist::uniform(0.3, 0.9),
        ),
        ParamDist::new(
            "transfer.escape.escape_probability",
            Dist::uniform(0.0, 0.02),
        ),
    ]
}

const METRICS: &[&str] = &[
    "facility.Nasiriyah.peak_occupancy",
    "mean_days_to_verdict",
    "escaped",
];

fn run(base_samples: usize) -> custody_sim::decide::SobolResult {
    let opts = SobolOptions {
        base_samples,
        bootstrap: 1000,
        seed: 1,
        threads: 2,
    };
    sobol_model(&presets::plan_2026_01(), &params(), METRICS, &opts).expect("valid")
}

fn small(c: &mut Criterion) {
    let mut g = c.benchmark_group("sobol-6-params");
    g.sample_size(10);
    g.bench_function("256-base-samples-2-threads", |b| {
        b.iter(|| black_box(run(256)))
    });
    g.finish();
}

criterion_group!(benches, small);

fn main() {
    let t = Instant::now();
    let r = run(2048);
    let secs = t.elapsed().as_secs_f64();
    println!(
        "sobol-6-params/2048-base-samples-2-threads: {secs:.2} s for {} replications (budget 20 s)",
        r.evaluations
    );
    for m in &r.metrics {
        let top = m
            .indices
            .iter()
            .max_by(|a, b| {
                a.total
                    .estimate
                    .unwrap_or(0.0)
                    .total_cmp(&b.total.estimate.unwrap_or(0.0))
            })
            .expect("six parameters");
        println!(
            "  {}: largest total index {} ({:?})",
            m.metric, top.path, top.total
        );
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
