//! Decision support: Sobol indices for six parameters of the January
//! plan, and the designs for many parameters on the bundled baseline's
//! `[uncertainty]` parameters.
//!
//! The budget: 2,048 base samples, `N (k + 2)` = 16,384
//! replications, at most 20 s on 2 cores. Run `cargo bench --bench decide`:
//! it first times ONE full-size analysis on 2 threads and prints the
//! figure (criterion's smallest sample of 10 would take minutes), then
//! measures a 256-sample analysis (2,048 replications) with criterion.
//!
//! The designs for many parameters, on `examples/scenarios/baseline.toml`
//! read at run time (its `[uncertainty]` parameters; a `posterior`'s
//! columns held at their medians, as `sensitivity --param` holds them), 2
//! threads, criterion groups `baseline-uncertainty`:
//!
//! - `morris-10-trajectories`: a Morris screening, 10 trajectories, `r (k +
//!   1)` runs; budget 10 s;
//! - `grouped-sobol-1024-2-threads`: a Sobol analysis with N = 1,024 base
//!   samples and 500 bootstrap resamples over the parameters grouped as
//!   [`groups`] groups them (`N (G + 2)` runs), timed once and printed
//!   before criterion starts (like the full-size analysis above); budget
//!   60 s; criterion measures the same with N = 64 (`grouped-sobol-64`).
//!
//! `DECIDE_BENCH_SCENARIO=FILE` reads another scenario file instead (its
//! `[uncertainty]` parameters). A scenario without them skips both.
//! Filter with `cargo bench --bench decide -- baseline-uncertainty
//! --sample-size 10`; figures in `docs/performance.md`.
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
use custody_sim::decide::{Group, MorrisOptions, SobolOptions, morris_model, sobol_model};
use custody_sim::scenario::ParamDist;
use custody_sim::{Dist, Scenario, presets};

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
        ..SobolOptions::default()
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

/// The scenario of the designs for many parameters and its uncertain
/// parameters (none: the designs are skipped).
fn baseline() -> (Scenario, Vec<ParamDist>) {
    let path = std::env::var("DECIDE_BENCH_SCENARIO").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/scenarios/baseline.toml"
        )
        .to_string()
    });
    let s = Scenario::from_path(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let params = s
        .uncertainty
        .as_ref()
        .map_or_else(Vec::new, |u| u.params.clone());
    (s, params)
}

/// The metrics of the designs for many parameters.
const MANY_METRICS: &[&str] = &[
    "facility.Karkh.peak_occupancy",
    "mean_days_to_verdict",
    "occupancy.Karkh@2026-03-01",
];

/// Groups of the parameters: each facility's, each court stage's (the
/// path up to its first `]`), and the repatriation shares, where two or
/// more parameters share one.
fn groups(params: &[ParamDist]) -> Vec<Group> {
    let mut keys: Vec<String> = Vec::new();
    let key = |path: &str| {
        if path.contains(".repatriation.") {
            "repatriation".to_string()
        } else {
            // Up to the first indexed segment: `facility[Karkh]`,
            // `court.stage[trial]`; a path without one stands alone.
            match path.find(']') {
                Some(end) => path[..=end].to_string(),
                None => path.to_string(),
            }
        }
    };
    for p in params {
        let k = key(&p.path);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.into_iter()
        .filter_map(|k| {
            let paths: Vec<&str> = params
                .iter()
                .filter(|p| key(&p.path) == k)
                .map(|p| p.path.as_str())
                .collect();
            (paths.len() >= 2).then(|| Group::new(k.as_str(), paths))
        })
        .collect()
}

fn many(c: &mut Criterion) {
    let (s, params) = baseline();
    if params.is_empty() {
        println!(
            "baseline-uncertainty: skipped, {} has no [uncertainty] parameters",
            s.name
        );
        return;
    }
    let groups = groups(&params);
    let factors = params.len() - groups.iter().map(|g| g.paths.len()).sum::<usize>() + groups.len();
    println!(
        "baseline-uncertainty: {} parameters of {}, {} groups, {factors} factors",
        params.len(),
        s.name,
        groups.len()
    );
    let mut g = c.benchmark_group("baseline-uncertainty");
    g.sample_size(10);
    g.bench_function("morris-10-trajectories", |b| {
        let opts = MorrisOptions {
            trajectories: 10,
            levels: 4,
            seed: 1,
            threads: 2,
            groups: Vec::new(),
        };
        b.iter(|| black_box(morris_model(&s, &params, MANY_METRICS, &opts).expect("valid")))
    });
    g.bench_function("grouped-sobol-64", |b| {
        b.iter(|| black_box(grouped_sobol(&s, &params, &groups, 64)))
    });
    g.finish();
}

/// A Sobol analysis with `n` base samples and 500 bootstrap resamples of
/// `params` in `groups`, on 2 threads.
fn grouped_sobol(
    s: &Scenario,
    params: &[ParamDist],
    groups: &[Group],
    n: usize,
) -> custody_sim::decide::SobolResult {
    let opts = SobolOptions {
        base_samples: n,
        bootstrap: 500,
        seed: 1,
        threads: 2,
        groups: groups.to_vec(),
        ..SobolOptions::default()
    };
    sobol_model(s, params, MANY_METRICS, &opts).expect("valid")
}

/// Times one grouped Sobol analysis with N = 1,024 of the baseline's
/// uncertain parameters and prints it (criterion's 10 samples would take
/// minutes).
fn many_full() {
    let (s, params) = baseline();
    if params.is_empty() {
        return;
    }
    let groups = groups(&params);
    let t = Instant::now();
    let r = grouped_sobol(&s, &params, &groups, 1024);
    println!(
        "baseline-uncertainty/grouped-sobol-1024-2-threads: {:.2} s for {} model runs (budget 60 s)",
        t.elapsed().as_secs_f64(),
        r.evaluations
    );
}

criterion_group!(benches, small, many);

fn main() {
    // The one full-size analysis only when no filter leaves it out.
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-') && a.parse::<f64>().is_err());
    let wants = |name: &str| filter.as_ref().is_none_or(|f| name.contains(f.as_str()));
    if wants("sobol-6-params/2048-base-samples-2-threads") {
        full();
    }
    if wants("baseline-uncertainty/grouped-sobol-1024-2-threads") {
        many_full();
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

/// Times one full-size analysis of the January plan and prints it.
fn full() {
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
}
