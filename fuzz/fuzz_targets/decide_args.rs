//! Fuzz target: the decide surface and the calibrate arguments. The bytes
//! pick the small seed scenario (horizon cut to 10-30 days, sometimes with
//! an `[uncertainty]` table or a posterior table), then one command's
//! arguments, as the command line would pass them to the library:
//!
//! - `sensitivity` / `tornado`: parameters `PATH=DIST` (any path, any
//!   numbers) or the scenario's own `[uncertainty]`, metrics (valid and
//!   not), 0-4 base samples, 0-8 bootstrap resamples, 0-3 replications;
//! - `solve`: a lever `PATH=LOW..HIGH` (text, or any numbers and
//!   tolerance), a target `METRIC STAT <= VALUE` (text, or parts);
//! - `compare`: variants with labels of any characters (control
//!   characters, duplicates, formula-looking `=SUM(A1)`) and overrides,
//!   or scenarios whose metric layouts differ;
//! - `calibrate`: priors (text), particles 0-10, a budget of 0-60
//!   simulations, alpha and tolerances of any value.
//!
//! Each returns `Ok` or `Err`, never panics; an `Ok` result is the right
//! shape (one entry per parameter, metric, variant) with finite numbers,
//! serialises to JSON and renders as HTML.

#![no_main]

use std::sync::OnceLock;

use custody_sim::calibrate::{Abc, Observations, Prior, Scales, abc};
use custody_sim::decide::{
    Find, Lever, SobolOptions, Target, compare, compare_variants, parse_param, sensitivity, solve,
    tornado, uncertain_params, variant_scenarios,
};
use custody_sim::montecarlo::Runs;
use custody_sim::report::html::Report;
use custody_sim::report::json::to_text;
use custody_sim::scenario::{Override, ParamDist, PosteriorTable, Uncertainty, Variant};
use custody_sim::{Dist, Scenario, presets};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;
use common::{GOOD_PRIORS, PATHS, dist, float, integer, number, show, text};

/// Metric names: headline ones, per stage and facility, a drawn
/// parameter's, and names that do not exist.
const METRICS: &[&str] = &[
    "transferred",
    "escaped",
    "convicted",
    "mean_days_to_verdict",
    "median_days_to_verdict",
    "stage.trial.mean_wait_days",
    "stage.investigation.peak_queue",
    "facility.Nasiriyah.peak_occupancy",
    "facility.Hillah.days_over_capacity",
    "param.court.conviction_probability",
    "param.court.stage[trial].servers",
    "transferred ",
    "Transferred",
    "nope",
    "",
];

/// Variant labels: plain, duplicated, empty, control characters, text a
/// spreadsheet would read as a formula, markup, quotes and commas.
const LABELS: &[&str] = &[
    "base",
    "high",
    "high",
    "",
    " ",
    "=SUM(A1:A9)",
    "+1",
    "-1",
    "@cmd",
    "=HYPERLINK(\"http://x\")",
    "a\u{0}b",
    "tab\there",
    "line\nbreak",
    "\r",
    "\u{1b}[31mred",
    "\u{202e}rtl",
    "<script>alert(1)</script>",
    "a,b",
    "\"quoted\"",
    "é ü 漢字",
];

/// Values an override sets: numbers, names, lists and tables.
fn value(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=6)? {
        0 => float(number(u)?),
        1 => integer(u)?.to_string(),
        2 => u.int_in_range(0..=40u32)?.to_string(),
        3 => dist(u)?,
        4 => (*u.choose(&[
            "\"least_occupied\"",
            "least_occupied",
            "\"2026-02-01\"",
            "[{ name = \"x\", capacity = 10 }]",
            "[{ name = \"a\", count = 5 }, { name = \"b\", count = 7 }]",
            "[]",
            "true",
            "",
        ])?)
        .to_string(),
        _ => text(u, 12)?,
    })
}

/// The base scenarios: small, horizon 10, 20 or 30 days.
fn bases() -> &'static [Scenario; 3] {
    static B: OnceLock<[Scenario; 3]> = OnceLock::new();
    B.get_or_init(|| [common::small(10), common::small(20), common::small(30)])
}

/// The base, sometimes with an `[uncertainty]` table (listed parameters,
/// or a posterior table of joint draws) that validates.
fn scenario(u: &mut Unstructured) -> Result<Scenario> {
    let mut s = u.choose(bases())?.clone();
    match u.int_in_range(0..=5)? {
        0 | 1 => {
            let mut params = Vec::new();
            for _ in 0..u.int_in_range(0..=3)? {
                let path = u.choose(PATHS)?.to_string();
                let d = match u.int_in_range(0..=4)? {
                    0 => Dist::uniform_int(integer(u)?.clamp(-5, 60), integer(u)?.clamp(-5, 60)),
                    1 => Dist::uniform(number(u)?, number(u)?),
                    2 => Dist::fixed(number(u)?),
                    3 => Dist::lognormal(number(u)?, number(u)?),
                    _ => Dist::Triangular {
                        low: number(u)?,
                        mode: number(u)?,
                        high: number(u)?,
                    },
                };
                params.push((path, d));
            }
            s.uncertainty = Some(Uncertainty::new(params));
        }
        2 => {
            let columns: Vec<String> = (0..u.int_in_range(1..=2)?)
                .map(|_| Ok(u.choose(PATHS)?.to_string()))
                .collect::<Result<_>>()?;
            let mut rows = Vec::new();
            let mut weights = Vec::new();
            for _ in 0..u.int_in_range(1..=4)? {
                rows.push(
                    (0..columns.len())
                        .map(|_| Ok(f64::from(u.int_in_range(0..=40u32)?) / 40.0))
                        .collect::<Result<Vec<f64>>>()?,
                );
                weights.push(*u.choose(&[1.0, 0.0, 0.5, 1e308, 5e-324])?);
            }
            s.uncertainty = Some(Uncertainty {
                params: Vec::new(),
                posterior: Some("post.csv".into()),
                posterior_table: Some(PosteriorTable {
                    columns,
                    rows,
                    weights,
                }),
            });
        }
        _ => {}
    }
    if s.validate().is_err() {
        s.uncertainty = None;
    }
    Ok(s)
}

/// A `PATH=DIST` parameter as the command line writes it.
fn param_text(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=5)? {
        0 => text(u, 40)?,
        1 => format!("{}", u.choose(PATHS)?),
        _ => format!("{}={}", u.choose(PATHS)?, dist(u)?),
    })
}

fn metrics(u: &mut Unstructured, at_least: usize) -> Result<Vec<&'static str>> {
    (0..u.int_in_range(at_least..=2)?)
        .map(|_| Ok(*u.choose(METRICS)?))
        .collect()
}

fn assert_estimate(what: &str, e: &custody_sim::decide::Estimate) {
    for v in [e.estimate, e.ci95_low, e.ci95_high].into_iter().flatten() {
        assert!(v.is_finite(), "{what}: {e:?}");
    }
}

fn run_sensitivity(u: &mut Unstructured, s: &Scenario, only_tornado: bool) -> Result<()> {
    let params: Vec<ParamDist> = if u.ratio(1, 4)? {
        match uncertain_params(s) {
            Ok(p) => p,
            Err(_) => return Ok(()),
        }
    } else {
        (0..u.int_in_range(0..=3)?)
            .map(|_| param_text(u))
            .collect::<Result<Vec<_>>>()?
            .iter()
            .filter_map(|t| parse_param(t).ok())
            .collect()
    };
    let metrics = metrics(u, 1)?;
    let reps = u.int_in_range(0..=3u64)?;
    let seed = u64::from(u.arbitrary::<u8>()?);
    if show() {
        eprintln!(
            "sensitivity (tornado only: {only_tornado}): params {params:?}, metrics {metrics:?}, replications {reps}, seed {seed}"
        );
    }
    if only_tornado {
        let runs = Runs {
            replications: reps,
            seed,
            threads: 1,
        };
        if let Ok(t) = tornado(s, &params, &metrics, &runs) {
            assert_eq!(t.len(), metrics.len(), "tornado: one per metric");
            for t in &t {
                assert_eq!(t.bars.len(), params.len(), "tornado: one bar per parameter");
                assert_estimate("tornado base", &t.base);
                for b in &t.bars {
                    assert_estimate("tornado swing", &b.swing);
                    assert!(b.n as u64 <= reps);
                }
                let _ = t.sorted();
            }
            let _ = to_text(&t);
        }
        return Ok(());
    }
    let opts = SobolOptions {
        base_samples: u.int_in_range(0..=4)?,
        bootstrap: u.int_in_range(0..=8)?,
        seed,
        threads: 1,
        ..SobolOptions::default()
    };
    if let Ok(r) = sensitivity(s, &params, &metrics, &opts, reps) {
        assert_eq!(
            r.metrics.len(),
            metrics.len(),
            "sensitivity: one entry per metric"
        );
        for m in &r.metrics {
            assert_eq!(
                m.indices.len(),
                params.len(),
                "sensitivity: one index per parameter"
            );
            if let Some(v) = m.variance {
                assert!(v.is_finite() && v >= 0.0, "sensitivity: variance {v}");
            }
            for i in &m.indices {
                assert_estimate("first order", &i.first_order);
                assert_estimate("total", &i.total);
            }
        }
        let _ = to_text(&r);
        let _ = Report::sensitivity(&r, s, &[]).to_html();
    }
    Ok(())
}

fn run_solve(u: &mut Unstructured, s: &Scenario) -> Result<()> {
    let find = if u.arbitrary()? {
        Find::Smallest
    } else {
        Find::Largest
    };
    let lever = if u.ratio(1, 2)? {
        let range = match u.int_in_range(0..=3)? {
            0 => text(u, 16)?,
            1 => format!("{}..{}", float(number(u)?), float(number(u)?)),
            _ => format!("{}..{}", integer(u)?, integer(u)?),
        };
        match Lever::parse(&format!("{}={range}", u.choose(PATHS)?), find) {
            Ok(mut l) => {
                if u.arbitrary()? {
                    l.tolerance = Some(number(u)?);
                }
                l
            }
            Err(_) => return Ok(()),
        }
    } else {
        Lever {
            path: u.choose(PATHS)?.to_string(),
            low: number(u)?,
            high: number(u)?,
            tolerance: if u.arbitrary()? {
                Some(number(u)?)
            } else {
                None
            },
            find,
        }
    };
    let target_text = if u.ratio(1, 5)? {
        text(u, 40)?
    } else {
        let stat = *u.choose(&[
            "mean",
            "p5",
            "p50",
            "median",
            "p95",
            "ci95_low",
            "ci95_high",
            "avg",
            "",
        ])?;
        let op = *u.choose(&["<=", ">=", "<", "=", "<=>="])?;
        format!("{} {stat} {op} {}", u.choose(METRICS)?, float(number(u)?))
    };
    let Ok(target) = Target::parse(&target_text) else {
        return Ok(());
    };
    let runs = Runs {
        replications: u.int_in_range(0..=3u64)?,
        seed: u64::from(u.arbitrary::<u8>()?),
        threads: 1,
    };
    if show() {
        eprintln!("solve: {lever:?}, {target:?}, {runs:?}");
    }
    if let Ok(sol) = solve(s, &lever, &target, &runs) {
        assert!(
            lever.low <= sol.value && sol.value <= lever.high,
            "solve: {} outside {}..{}",
            sol.value,
            lever.low,
            lever.high
        );
        assert!(sol.at.met, "solve: the answer misses the target: {sol:?}");
        assert_estimate("solve", &sol.at.statistic);
        let _ = to_text(&sol);
    }
    Ok(())
}

fn run_compare(u: &mut Unstructured, s: &Scenario) -> Result<()> {
    let metrics = metrics(u, 0)?;
    let runs = Runs {
        replications: u.int_in_range(0..=3u64)?,
        seed: u64::from(u.arbitrary::<u8>()?),
        threads: 1,
    };
    let scenarios: Vec<(String, Scenario)> = if u.ratio(1, 4)? {
        // Scenarios whose metric layouts differ.
        let mut v = Vec::new();
        for _ in 0..u.int_in_range(0..=3)? {
            let label = u.choose(LABELS)?.to_string();
            let other = match u.int_in_range(0..=3)? {
                0 => Ok(s.clone()),
                1 => s.with_param("facility", "[{ name = \"Nasiriyah\", capacity = 50 }]"),
                2 => s.with_param("court.stage", "[{ name = \"only\", servers = 3, service_days = { dist = \"fixed\", value = 2.0 } }]"),
                _ => presets::plan_2026_01().with_param("horizon_days", "10"),
            };
            if let Ok(o) = other {
                v.push((label, o));
            }
        }
        v
    } else {
        let mut variants = Vec::new();
        for _ in 0..u.int_in_range(0..=4)? {
            let label = if u.ratio(1, 4)? {
                text(u, 10)?
            } else {
                u.choose(LABELS)?.to_string()
            };
            let mut variant = Variant::new(label);
            for _ in 0..u.int_in_range(0..=2)? {
                variant = variant.set(u.choose(PATHS)?.to_string(), &value(u)?);
            }
            variants.push(variant);
        }
        if u.ratio(1, 2)? {
            // As `compare --variant` calls it: the base first.
            variants.insert(0, Variant::new("base"));
        }
        if u.ratio(1, 3)? {
            if let Ok(c) = compare_variants(s, &variants, &metrics, &runs) {
                assert_eq!(c.labels.len(), variants.len());
            }
            return Ok(());
        }
        match variant_scenarios(s, &variants) {
            Ok(v) => v,
            Err(_) => return Ok(()),
        }
    };
    if show() {
        let labels: Vec<&String> = scenarios.iter().map(|(l, _)| l).collect();
        eprintln!("compare: labels {labels:?}, metrics {metrics:?}, {runs:?}");
    }
    let Ok(c) = compare(&scenarios, &metrics, &runs) else {
        return Ok(());
    };
    assert_eq!(
        c.labels.len(),
        scenarios.len(),
        "compare: one label per scenario"
    );
    if !metrics.is_empty() {
        assert_eq!(
            c.metrics.len(),
            metrics.len(),
            "compare: one row per metric asked"
        );
    }
    for m in &c.metrics {
        assert_eq!(
            m.entries.len(),
            scenarios.len(),
            "compare: one entry per scenario"
        );
        for e in &m.entries {
            if let Some(st) = &e.stats {
                for v in [st.mean, st.sd, st.ci95_low, st.ci95_high]
                    .into_iter()
                    .flatten()
                {
                    assert!(v.is_finite(), "compare: {} {}: {st:?}", m.metric, e.label);
                }
            }
            if let Some(d) = &e.diff {
                assert!(d.n <= runs.replications);
                for v in [d.mean, d.sd, d.ci95_low, d.ci95_high]
                    .into_iter()
                    .flatten()
                {
                    assert!(
                        v.is_finite(),
                        "compare: diff {} {}: {d:?}",
                        m.metric,
                        e.label
                    );
                }
            }
        }
    }
    let _ = to_text(&c);
    let as_run: Vec<(String, Scenario, Vec<Override>)> = scenarios
        .iter()
        .map(|(l, s)| (l.clone(), s.clone(), vec![Override::new(l.clone(), "1")]))
        .collect();
    let html = Report::comparison(&c, &as_run).to_html();
    for (l, _) in &scenarios {
        if l.contains('<') {
            assert!(
                !html.contains(l.as_str()),
                "compare: the label {l:?} reaches the HTML unescaped"
            );
        }
    }
    Ok(())
}

fn run_calibrate(u: &mut Unstructured, s: &Scenario) -> Result<()> {
    let h = s.horizon_days;
    let obs_text = match u.int_in_range(0..=3)? {
        0 => format!(
            "date,series,value,sd\n{},transferred_cumulative,40,5\n",
            h.min(5)
        ),
        1 => format!(
            "date,series,value\n2026-01-25,transferred_cumulative,30\n{h},occupancy.Nasiriyah,160\n"
        ),
        2 => format!(
            "date,series,value,sd\n{},queue.trial,{},{}\n",
            h,
            integer(u)?,
            float(number(u)?)
        ),
        _ => format!(
            "date,series,value\n{},in_syria,{}\n",
            h / 2,
            float(number(u)?)
        ),
    };
    let Ok(obs) = Observations::from_csv_str(&obs_text, "observed.csv", s) else {
        return Ok(());
    };
    let priors: Vec<Prior> = (0..u.int_in_range(0..=3)?)
        .map(|_| {
            Ok(match u.int_in_range(0..=8)? {
                0 => text(u, 40)?,
                4..=8 => u.choose(GOOD_PRIORS)?.to_string(),
                1 => format!("{}=1/{}", u.choose(PATHS)?, dist(u)?),
                _ => format!("{}={}", u.choose(PATHS)?, dist(u)?),
            })
        })
        .collect::<Result<Vec<_>>>()?
        .iter()
        .filter_map(|t| Prior::parse(t).ok())
        .collect();
    let fit = Abc {
        particles: u.int_in_range(0..=10)?,
        alpha: if u.ratio(3, 4)? { 0.5 } else { number(u)? },
        target_acceptance: if u.ratio(3, 4)? { 0.02 } else { number(u)? },
        final_tolerance: if u.ratio(3, 4)? { 0.0 } else { number(u)? },
        max_simulations: if u.ratio(1, 3)? {
            u.int_in_range(0..=60)?
        } else {
            60
        },
        max_generations: u.int_in_range(0..=4)?,
        seed: u64::from(u.arbitrary::<u8>()?),
        threads: 1,
        scales: if u.ratio(1, 2)? {
            Scales::Adaptive
        } else {
            Scales::Sd
        },
    };
    if show() {
        eprintln!("calibrate: observations {obs_text:?}, priors {priors:?}, {fit:?}");
    }
    if let Ok(post) = abc(s, &obs, &priors, &fit, None) {
        assert_eq!(post.particles.len(), fit.particles);
        assert!(
            post.simulations <= fit.max_simulations,
            "calibrate: over budget"
        );
        let total: f64 = post.weights.iter().sum();
        assert!(
            (total - 1.0).abs() < 1e-9,
            "calibrate: weights sum to {total}"
        );
        for p in post.summary() {
            for v in [p.mean, p.sd, p.q05, p.q50, p.q95, p.ess] {
                assert!(v.is_finite(), "calibrate: summary {p:?}");
            }
        }
        let _ = to_text(&post);
        let _ = Report::calibration(&post, s, &[]).to_html();
        let _ = post.predictive_toml(s, "post.csv");
    }
    Ok(())
}

fn one(u: &mut Unstructured) -> Result<()> {
    let s = scenario(u)?;
    if show() {
        eprintln!(
            "scenario: horizon {} days, [uncertainty] {:?}",
            s.horizon_days, s.uncertainty
        );
    }
    match u.int_in_range(0..=4)? {
        0 => run_sensitivity(u, &s, false),
        1 => run_sensitivity(u, &s, true),
        2 => run_solve(u, &s),
        3 => run_compare(u, &s),
        _ => run_calibrate(u, &s),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let _ = one(&mut u);
});
