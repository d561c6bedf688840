//! Fuzz target: the fit surface. The bytes pick the small seed scenario or
//! the bundled baseline (horizon cut short), write an `[uncertainty]`
//! table (valid and invalid paths, two spellings of one parameter,
//! `horizon_days`, `start_date`; distributions with any numbers, NaN, ∞,
//! zero width), optionally a `posterior` CSV beside it (any header,
//! duplicate columns, ragged rows, weights from 5e-324 to 1e308 and
//! negative), and an observations CSV (arbitrary text, or rows of dates,
//! series, values and `sd` down to 1e-320, with a stray `kind` column).
//!
//! The scenario is read with `Scenario::from_path` (which loads the
//! posterior file), then, when it loads: a tiny `run`, a `backtest` (and
//! its fans) and a tiny ABC calibration. Each returns `Ok` or `Err`, never
//! panics; an `Ok` result has finite metrics and scores, series of the
//! horizon's length, rows in step with the observations, a posterior
//! whose weights sum to 1 within its budget, and a posterior CSV that
//! reads back.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use custody_sim::calibrate::{Abc, Observations, Prior, Scales, abc, backtest, backtest_fans};
use custody_sim::montecarlo::{Runs, run};
use custody_sim::report::html::Report;
use custody_sim::scenario::PosteriorTable;
use custody_sim::{Plan, Scenario, presets};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;
use common::{GOOD_PRIORS, PATHS, dist, float, integer, number, show, text};

/// The two base scenarios, without `[uncertainty]`, horizons cut so that
/// one replication takes milliseconds.
fn bases() -> &'static [Scenario; 2] {
    static B: OnceLock<[Scenario; 2]> = OnceLock::new();
    B.get_or_init(|| {
        let baseline = presets::baseline()
            .with_param("horizon_days", "25")
            .expect("a shorter horizon keeps the baseline valid");
        [common::small(60), baseline.without_uncertainty()]
    })
}

/// This process's scratch folder (one per fuzzing job).
fn scratch() -> &'static PathBuf {
    static D: OnceLock<PathBuf> = OnceLock::new();
    D.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("custody-sim-fuzz-uo-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("a scratch folder");
        d
    })
}

/// `[uncertainty]` entries that mostly validate: a drawn horizon, a drawn
/// start date, both spellings of one parameter, a zero-width range.
const GOOD_UNCERTAIN: &[&str] = &[
    "\"horizon_days\" = { dist = \"uniform_int\", low = 5, high = 40 }",
    "\"horizon_days\" = { dist = \"uniform_int\", low = 1, high = 3 }",
    "\"start_date\" = { dist = \"uniform\", low = 0.0, high = 3.0 }",
    "\"court.stage[0].servers\" = { dist = \"uniform_int\", low = 1, high = 30 }",
    "\"court.stage[investigation].servers\" = { dist = \"uniform_int\", low = 5, high = 10 }",
    "\"court.stage[trial].servers\" = { dist = \"uniform_int\", low = 1, high = 4 }",
    "\"court.conviction_probability\" = { dist = \"uniform\", low = 0.8, high = 0.99 }",
    "\"transfer.escape.escape_probability\" = { dist = \"uniform\", low = 0.01, high = 0.01 }",
    "\"group[0].count\" = { dist = \"uniform_int\", low = 10, high = 300 }",
    "\"transfer.phase[1].interval_days.mean\" = { dist = \"gamma\", mean = 1.0, sd = 0.5 }",
];

/// A CSV field holding a number, or something that is not quite one.
fn field(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=9)? {
        0 => String::new(),
        1 => (*u.choose(&["abc", "1,5", "0x10", " 3 ", "\"7\"", "1e400", "-", "NaN"])?).to_string(),
        2 => integer(u)?.to_string(),
        _ => float(number(u)?),
    })
}

/// A posterior CSV: mostly a header of paths then `weight`, rows of
/// numbers; sometimes ragged, sometimes any text.
fn posterior_csv(u: &mut Unstructured) -> Result<String> {
    if u.ratio(1, 10)? {
        return text(u, 80);
    }
    let ncols = u.int_in_range(0..=3)?;
    let mut header: Vec<String> = (0..ncols)
        .map(|_| Ok(u.choose(PATHS)?.to_string()))
        .collect::<Result<_>>()?;
    let weight = match u.int_in_range(0..=3)? {
        0 => None,
        1 => {
            // `weight` not last: read as a path.
            let at = u.int_in_range(0..=header.len())?;
            header.insert(at, "weight".into());
            None
        }
        _ => {
            header.push("weight".into());
            Some(())
        }
    };
    let quote = |h: &String| {
        if h.contains([',', '"', '\n']) || h.starts_with(' ') || h.ends_with(' ') {
            format!("\"{}\"", h.replace('"', "\"\""))
        } else {
            h.clone()
        }
    };
    let mut csv = header.iter().map(quote).collect::<Vec<_>>().join(",");
    csv.push('\n');
    for _ in 0..u.int_in_range(0..=5)? {
        let width = if u.ratio(1, 6)? {
            u.int_in_range(0..=header.len() + 2)?
        } else {
            header.len()
        };
        let mut row = Vec::with_capacity(width);
        for j in 0..width {
            if weight.is_some() && j + 1 == header.len() {
                row.push(float(*u.choose(&[
                    1.0,
                    0.5,
                    0.0,
                    1e308,
                    f64::MAX,
                    5e-324,
                    1e-320,
                    -1.0,
                    2.0,
                ])?));
            } else if u.ratio(1, 2)? {
                // A plausible value: a small integer or a probability.
                row.push(if u.arbitrary()? {
                    u.int_in_range(0..=40u32)?.to_string()
                } else {
                    float(f64::from(u.int_in_range(0..=100u32)?) / 100.0)
                });
            } else {
                row.push(field(u)?);
            }
        }
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    Ok(csv)
}

/// The scenario's TOML text with an `[uncertainty]` table appended, and
/// the posterior file's text if the table names one.
fn scenario_text(u: &mut Unstructured, base: &Scenario) -> Result<(String, Option<String>)> {
    let mut t = base.to_toml_string();
    let n = u.int_in_range(0..=4)?;
    let posterior = u.ratio(1, 3)?;
    if n == 0 && !posterior && u.ratio(1, 2)? {
        return Ok((t, None));
    }
    t.push_str("\n[uncertainty]\n");
    for _ in 0..n {
        if u.ratio(1, 2)? {
            t.push_str(u.choose(GOOD_UNCERTAIN)?);
            t.push('\n');
        } else {
            let path = u.choose(PATHS)?;
            t.push_str(&format!("{path:?} = {}\n", dist(u)?));
        }
    }
    if !posterior {
        return Ok((t, None));
    }
    let name = *u.choose(&["post.csv", "post.csv", "post.csv", "missing.csv", "", "."])?;
    t.push_str(&format!("posterior = {name:?}\n"));
    Ok((t, Some(posterior_csv(u)?)))
}

/// Observations: any text, or rows of dates, series, values and sd.
fn observations_csv(u: &mut Unstructured, series: &[String], horizon: u32) -> Result<String> {
    if u.ratio(1, 8)? {
        return text(u, 120);
    }
    // Mostly rows that read, at the edges; sometimes any field anywhere.
    let chaos = u.ratio(1, 3)?;
    let header = match if chaos {
        u.int_in_range(0..=7)?
    } else {
        u.int_in_range(0..=4)?
    } {
        0..=2 => "date,series,value,sd",
        3 | 4 => "date,series,value",
        5 => "date,series,value,sd,kind",
        6 => "series,date,sd,value",
        _ => *u.choose(&[
            "date,series",
            "date,series,value,value",
            "",
            "date;series;value",
        ])?,
    };
    let kind = header.ends_with("kind");
    let mut csv = format!("{header}\n");
    let h = i64::from(horizon);
    for _ in 0..u.int_in_range(0..=6)? {
        let date = match if chaos {
            u.int_in_range(0..=5)?
        } else {
            u.int_in_range(0..=1)?
        } {
            0 => u.int_in_range(0..=h - 1)?.to_string(),
            1 => {
                (*u.choose(&["2026-01-21", "2026-01-25", "2026-01-30", "2026-02-13"])?).to_string()
            }
            2 => (*u.choose(&[-1, h - 1, h, h + 1, i64::from(u32::MAX), i64::MAX])?).to_string(),
            3 => (*u.choose(&[
                "2026-01-21",
                "2026-01-20",
                "2026-01-30",
                "2026-02-13",
                "2026-03-21",
                "2028-02-29",
                "2026-02-30",
                "2026-1-21",
                "9999-12-31",
                "-0001-01-01",
            ])?)
            .to_string(),
            _ => field(u)?,
        };
        let name = if series.is_empty() || (chaos && u.ratio(1, 8)?) {
            (*u.choose(&[
                "",
                "occupancy.Kut",
                "transferred_cumulative ",
                "in_syria\n",
                "kind",
            ])?)
            .to_string()
        } else {
            u.choose(series)?.clone()
        };
        let value = if !chaos || u.ratio(2, 3)? {
            if u.ratio(1, 8)? {
                float(*u.choose(&[1e308, -1e308, 1e200, 5e-324, -3.0, 0.5])?)
            } else {
                u.int_in_range(0..=400u32)?.to_string()
            }
        } else {
            field(u)?
        };
        let sd = if u.ratio(1, 3)? {
            String::new()
        } else if chaos {
            float(*u.choose(&[
                1e-320,
                5e-324,
                1e-300,
                0.0,
                -1.0,
                1.0,
                10.0,
                50.0,
                1e308,
                f64::NAN,
            ])?)
        } else {
            float(*u.choose(&[1e-320, 5e-324, 1e-300, 1e-9, 1.0, 10.0, 50.0, 1e308])?)
        };
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        let mut row = match header {
            "series,date,sd,value" => format!("{quoted},{date},{sd},{value}"),
            _ => format!("{date},{quoted},{value},{sd}"),
        };
        if kind {
            row.push_str(&format!(",{}", u.choose(&["count", "", "x"])?));
        }
        if chaos && u.ratio(1, 10)? {
            row.push_str(",extra");
        }
        csv.push_str(&row);
        csv.push('\n');
    }
    Ok(csv)
}

/// A prior spec `PATH=DIST` or `PATH=1/DIST`.
fn prior(u: &mut Unstructured) -> Result<String> {
    if u.ratio(2, 3)? {
        return Ok(u.choose(GOOD_PRIORS)?.to_string());
    }
    let path = u.choose(PATHS)?;
    let recip = if u.ratio(1, 5)? { "1/" } else { "" };
    Ok(format!("{path}={recip}{}", dist(u)?))
}

/// Checks of a run's summary: finite metrics, series of the horizon's
/// length, and posterior draws from rows of positive weight.
fn check_run(s: &Scenario, sum: &custody_sim::Summary, reps: u64) {
    assert_eq!(sum.replications, reps);
    for (name, m) in &sum.metrics {
        for v in [
            m.mean,
            m.sd,
            m.ci95_low,
            m.ci95_high,
            m.min,
            m.p5,
            m.p50,
            m.p95,
            m.max,
        ]
        .into_iter()
        .flatten()
        {
            assert!(v.is_finite(), "run: metric {name}: {m:?}");
        }
    }
    let days = sum.horizon_days as usize;
    for (name, b) in &sum.series {
        for v in [&b.mean, &b.p5, &b.p50, &b.p95] {
            assert_eq!(
                v.len(),
                days,
                "run: series {name} has {} days, horizon {days}",
                v.len()
            );
        }
    }
    // A posterior row of weight 0 is never drawn: each column's drawn
    // values lie within those of the rows of positive weight.
    let Some(t) = s
        .uncertainty
        .as_ref()
        .and_then(|u| u.posterior_table.as_ref())
    else {
        return;
    };
    let listed: Vec<String> = s.uncertainty.as_ref().map_or(Vec::new(), |u| {
        u.params.iter().map(|p| p.path.clone()).collect()
    });
    for (c, col) in t.columns.iter().enumerate() {
        if t.columns.iter().filter(|x| *x == col).count() > 1 || listed.contains(col) {
            continue;
        }
        let Some(m) = sum.metric(&format!("param.{col}")) else {
            continue;
        };
        let kept: Vec<f64> = t
            .rows
            .iter()
            .zip(&t.weights)
            .filter(|&(_, &w)| w > 0.0)
            .map(|(r, _)| r[c])
            .collect();
        let lo = kept.iter().copied().fold(f64::INFINITY, f64::min) - 0.5;
        let hi = kept.iter().copied().fold(f64::NEG_INFINITY, f64::max) + 0.5;
        if let (Some(a), Some(b)) = (m.min, m.max) {
            assert!(
                a >= lo && b <= hi,
                "run: posterior column {col} drew {a}..{b}, outside the rows of positive weight ({lo}..{hi}); weights {:?}",
                t.weights
            );
        }
    }
}

fn check_backtest(obs: &Observations, b: &custody_sim::calibrate::Backtest) {
    assert_eq!(
        b.rows.len(),
        obs.rows().len(),
        "backtest: one row per observation"
    );
    for r in &b.rows {
        assert!(
            r.p5 <= r.p50 && r.p50 <= r.p95,
            "backtest: bands out of order {r:?}"
        );
        assert!((0.0..=1.0).contains(&r.pit), "backtest: pit {r:?}");
        assert!(r.interval_score >= 0.0, "backtest: {r:?}");
        assert!(r.interval_score.is_finite(), "backtest: {r:?}");
        assert_eq!(
            r.inside,
            r.p5 <= r.value && r.value <= r.p95,
            "backtest: inside {r:?}"
        );
    }
    assert!(
        (0.0..=1.0).contains(&b.coverage),
        "backtest: coverage {}",
        b.coverage
    );
    assert!(
        b.mean_interval_score.is_finite(),
        "backtest: {}",
        b.mean_interval_score
    );
    assert!(b.crps >= 0.0, "backtest: crps {}", b.crps);
    assert!(b.crps.is_finite(), "backtest: crps {}", b.crps);
}

fn check_posterior(
    s: &Scenario,
    priors: &[Prior],
    fit: &Abc,
    post: &custody_sim::calibrate::Posterior,
) {
    let n = post.particles.len();
    assert_eq!(n, fit.particles, "calibrate: particles");
    assert_eq!(post.weights.len(), n);
    assert_eq!(post.distances.len(), n);
    assert_eq!(post.paths.len(), priors.len());
    assert!(post.particles.iter().all(|p| p.len() == priors.len()));
    assert!(
        post.simulations <= fit.max_simulations,
        "calibrate: over budget"
    );
    assert_eq!(post.tolerance_schedule.len(), post.acceptance_rates.len());
    assert!(
        post.weights.iter().all(|w| w.is_finite() && *w >= 0.0),
        "calibrate: weights {:?}",
        post.weights
    );
    let total: f64 = post.weights.iter().sum();
    assert!(
        (total - 1.0).abs() < 1e-9,
        "calibrate: weights sum to {total}"
    );
    assert!(
        post.distances.iter().all(|d| d.is_finite()),
        "calibrate: distances {:?}",
        post.distances
    );
    let _ = post.summary();
    let csv = post.to_csv_string();
    let table = PosteriorTable::from_csv_str(&csv, "posterior")
        .unwrap_or_else(|e| panic!("calibrate: the posterior CSV does not read back: {e}\n{csv}"));
    assert_eq!(table.rows.len(), n);
    let _ = Report::calibration(post, s, &[]).to_html();
    let _ = post.calibrated_toml(s);
    if let Ok(p) = post.predictive_scenario(s, Some("posterior.csv")) {
        let _ = run(
            &p,
            &Runs {
                replications: 2,
                seed: 1,
                threads: 1,
            },
        );
    }
}

fn one(u: &mut Unstructured) -> Result<()> {
    let base = &bases()[usize::from(u.ratio(1, 5)?)];
    let (toml, posterior) = scenario_text(u, base)?;
    let dir = scratch();
    let file = dir.join("scenario.toml");
    std::fs::write(&file, &toml).expect("write the scenario");
    let _ = std::fs::remove_file(dir.join("post.csv"));
    if let Some(p) = &posterior {
        std::fs::write(dir.join("post.csv"), p).expect("write the posterior");
    }
    let loaded = Scenario::from_path(&file);
    if show() {
        eprintln!(
            "[uncertainty] and after:\n{}\nposterior file: {posterior:?}\nloaded: {:?}",
            toml.rsplit_once("[uncertainty]")
                .map_or("(none)", |(_, t)| t),
            loaded.as_ref().map(|s| &s.uncertainty)
        );
    }
    // Read without the file's folder, a posterior is not loaded: a run
    // must refuse, not panic.
    if posterior.is_some()
        && let Ok(s) = Scenario::from_toml_str(&toml)
    {
        let _ = run(
            &s,
            &Runs {
                replications: 2,
                seed: 1,
                threads: 1,
            },
        );
    }
    let s = match loaded {
        Ok(s) => s,
        Err(_) => base.clone(),
    };
    let series = Plan::new(&s).map_or(Vec::new(), |p| p.layout().series().to_vec());
    let obs_text = observations_csv(u, &series, s.horizon_days)?;
    let seed = u64::from(u.arbitrary::<u8>()?);

    let reps = u.int_in_range(2..=4u64)?;
    if let Ok(sum) = run(
        &s,
        &Runs {
            replications: reps,
            seed,
            threads: 1,
        },
    ) {
        check_run(&s, &sum, reps);
    }

    if show() {
        eprintln!("observations: {obs_text:?}");
    }
    let Ok(obs) = Observations::from_csv_str(&obs_text, "observed.csv", &s) else {
        return Ok(());
    };
    // Observations write back to CSV that reads back equal.
    let again = Observations::from_csv_str(&obs.to_csv_string(), "again.csv", &s)
        .expect("observations written back must read");
    assert_eq!(again, obs, "observations CSV round trip");
    let reps = u.int_in_range(0..=4u64)?;
    if let Ok(b) = backtest(&s, &obs, reps, seed, 1) {
        check_backtest(&obs, &b);
        let _ = Report::backtest(&b, &s, &[]).to_html();
    }
    if u.ratio(1, 4)?
        && let Ok(f) = backtest_fans(&s, &obs, reps, seed, 1)
    {
        check_backtest(&obs, &f.backtest);
    }

    let priors: Vec<Prior> = (0..u.int_in_range(0..=2)?)
        .map(|_| prior(u))
        .collect::<Result<Vec<_>>>()?
        .iter()
        .filter_map(|p| Prior::parse(p).ok())
        .collect();
    let fit = Abc {
        particles: u.int_in_range(0..=10)?,
        alpha: *u.choose(&[0.5, 0.5, 0.3, 0.9, 0.0, 1.0, f64::NAN, 1e-300])?,
        target_acceptance: *u.choose(&[0.02, 0.0, 0.5, 1.0, f64::NAN])?,
        final_tolerance: *u.choose(&[0.0, 0.5, 1.0, f64::INFINITY, -1.0, f64::NAN])?,
        max_simulations: if u.ratio(1, 4)? {
            u.int_in_range(0..=40)?
        } else {
            40
        },
        max_generations: u.int_in_range(0..=4)?,
        seed,
        threads: 1,
        scales: if u.ratio(1, 2)? {
            Scales::Adaptive
        } else {
            Scales::Sd
        },
    };
    if show() {
        eprintln!("calibrate: priors {priors:?}, {fit:?}");
    }
    if let Ok(post) = abc(&s, &obs, &priors, &fit, None) {
        check_posterior(&s, &priors, &fit, &post);
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let _ = one(&mut u);
});
