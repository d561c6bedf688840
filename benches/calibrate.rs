//! Calibration speed: ABC-PMC fitting three parameters of the baseline
//! (the first phase's convoy interval, the second phase's largest convoy
//! and longest interval) to the reported cumulative transfers on days 0,
//! 9, 11, 17 and 23 (docs/calibration.md, "The transfer (January-February 2026)").
//!
//! Run: `cargo bench --bench calibrate -- --warm-up-time 1
//! --measurement-time 3`. First one fit with a budget of 20,000
//! simulations is timed and its simulations per second printed; then
//! criterion measures a fit of 2,000 simulations.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use custody_sim::calibrate::{Abc, Observations, Prior, abc};
use custody_sim::{Scenario, presets};

/// Reported cumulative transfers (CENTCOM; Reuters; Iraq's deputy foreign
/// minister; the prime minister's office; Shafaq News), with a standard
/// error that reflects how far the sources disagree.
const OBSERVED: &str = "date,series,value,sd
2026-01-21,transferred_cumulative,150,10
2026-01-30,transferred_cumulative,530,60
2026-02-01,transferred_cumulative,450,60
2026-02-07,transferred_cumulative,2225,200
2026-02-13,transferred_cumulative,5704,600
";

fn setup() -> (Scenario, Observations, Vec<Prior>) {
    let s = presets::plan_2026_01();
    let obs = Observations::from_csv_str(OBSERVED, "bench", &s).expect("valid observations");
    let priors = [
        r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#,
        r#"transfer.phase[1].convoy_size.high={dist="uniform_int",low=200,high=1200}"#,
        r#"transfer.phase[1].interval_days.high={dist="uniform",low=0.6,high=3}"#,
    ]
    .iter()
    .map(|p| Prior::parse(p).expect("valid prior"))
    .collect();
    (s, obs, priors)
}

fn fit(budget: u64) -> Abc {
    Abc {
        particles: 500,
        target_acceptance: 0.0,
        max_simulations: budget,
        max_generations: 100,
        seed: 1,
        ..Abc::default()
    }
}

fn calibrate(c: &mut Criterion) {
    let (s, obs, priors) = setup();

    let t = Instant::now();
    let p = abc(&s, &obs, &priors, &fit(20_000), None).expect("fits");
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "abc, 3 parameters of the baseline, budget 20,000: {} simulations in {secs:.2} s = {:.0} simulations/s on {} threads; {} generations, final tolerance {:.3}",
        p.simulations,
        p.simulations as f64 / secs,
        rayon::current_num_threads(),
        p.tolerance_schedule.len(),
        p.tolerance_schedule.last().copied().unwrap_or(f64::NAN),
    );
    for row in p.summary() {
        eprintln!(
            "  {}: median {:.3}, 90% {:.3} to {:.3}",
            row.path, row.q50, row.q05, row.q95
        );
    }

    let mut g = c.benchmark_group("abc-baseline-3-parameters");
    g.sample_size(10);
    g.bench_function("budget-2000", |b| {
        b.iter(|| black_box(abc(&s, &obs, &priors, &fit(2000), None).expect("fits")))
    });
    g.finish();
}

criterion_group!(benches, calibrate);
criterion_main!(benches);
