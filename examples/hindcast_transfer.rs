//! Example: the bundled `baseline` tested out of sample, as a forecaster
//! is tested, on the reports of the 2026 transfer.
//!
//! This example answers: **had the transfer's pace been fitted on 30
//! January (or on 7 February 2026) to the reports known by then, how well
//! would the model have forecast the reports that came after?** A fit to
//! every report says little about that (its coverage restates its
//! inputs); a hindcast does: at each origin the pace is fitted by ABC
//! ([`custody_sim::calibrate::abc`]) to the reports dated up to the origin
//! only, and each later report is scored against the forecast (the
//! posterior predictive): whether it lies inside the 5–95% band, its
//! interval score and CRPS, and the error of the forecast's median by the
//! number of days after the origin.
//!
//! The observations are every file of `examples/observed/` (bounds rows,
//! `kind = at_least | at_most`, included: they are reported by the share
//! of the forecast that meets them, not in the coverage). A report the
//! baseline pins by construction (its transfer stops at the reported
//! 5,704: every replication of the baseline as given ends there) is
//! listed as `pinned` and left out of the coverage, scores and errors. The baseline's
//! own `[uncertainty] posterior`, if it has one, was fitted to every
//! report: it is left out here, and its columns are fitted again at each
//! origin from the priors below (its sentence shares, which no report
//! bears on, are held at the file's values: 22.7% death); without one,
//! the three paces are fitted.
//! The baseline's other uncertain values keep their ranges (the fit
//! integrates over them).
//!
//! It checks what would fail if the split were wrong: every report is
//! either fitted or scored, each exactly once per origin, every scored
//! report is dated after its origin at a positive horizon, and the fit at
//! an origin is bit-identical when every later report is replaced by a
//! different number (a fit that saw a later report would move).
//!
//! Run it with `cargo run --release --example hindcast_transfer` (about
//! 6.5 min of CPU with the version 3 baseline: three fits of 200
//! particles and at most 6,000 simulations, and 400 replications of each
//! forecast and of the baseline as given); that full run prints the
//! figures docs/validation.md shows. With the environment variable
//! `CUSTODY_SIM_EXAMPLE_QUICK=1` (what `.ci/run` sets for its examples
//! loop) it runs a quick version, 50 particles and at most 600
//! simulations per fit and 100 replications, with the same checks: it
//! says so on its first line, and its figures are not the documented
//! ones. `custody-sim hindcast` does the same from the command line
//! (docs/validation.md, "The baseline's hindcast").

use std::path::{Path, PathBuf};

use custody_sim::calibrate::{
    Abc, BacktestRow, Hindcast, HorizonError, Observations, Prior, hindcast,
};
use custody_sim::presets;
use custody_sim::scenario::Scenario;

/// The origins: 30 January (the first week's reports) and 7 February
/// 2026 (the second week's).
const ORIGINS: [&str; 2] = ["2026-01-30", "2026-02-07"];

/// The priors of what may be fitted, with their basis: a column of the
/// baseline's posterior must have one here.
///
/// - `transfer.phase[1]`, from 24 January: one convoy every 0.5 to 6
///   days ("within days", Interior Ministry, 24 Jan 2026; a few convoys
///   of 5 to 7 buses before the count of 30 January).
/// - `transfer.phase[2]`: one convoy every 0.1 to 1.5 days ("1 to 2
///   convoys a day" by road, more with the air bridge; Kurdish and Iraqi
///   reporting), starting between 28 January and 4 February (days 7 to 14).
/// - `transfer.phase[3]`, the last week with the peak of about 2,000 in a
///   day: one convoy every 0.03 to 1 day, starting between 6 and 11
///   February (days 16 to 21).
const PRIORS: [(&str, &str); 5] = [
    (
        "transfer.phase[1].interval_days.value",
        r#"{dist="uniform",low=0.5,high=6}"#,
    ),
    (
        "transfer.phase[2].interval_days.value",
        r#"{dist="uniform",low=0.1,high=1.5}"#,
    ),
    (
        "transfer.phase[3].interval_days.value",
        r#"{dist="uniform",low=0.03,high=1}"#,
    ),
    (
        "transfer.phase[2].from",
        r#"{dist="uniform",low=7,high=14}"#,
    ),
    (
        "transfer.phase[3].from",
        r#"{dist="uniform",low=16,high=21}"#,
    ),
];

/// Without a posterior in the baseline: the three paces.
const PACES: usize = 3;

/// The size of the run: the fit at each origin and the replications of
/// each forecast.
struct Size {
    /// Whether this is the quick version (`CUSTODY_SIM_EXAMPLE_QUICK`).
    quick: bool,
    /// Particles per ABC generation.
    particles: usize,
    /// Simulations per fit, at most.
    max_simulations: u64,
    /// Replications of each origin's forecast (and of the baseline as
    /// given, which finds the pinned rows).
    replications: u64,
}

impl Size {
    /// The full run (the documented figures): 200 particles, at most
    /// 6,000 simulations per origin, 400 replications; with
    /// `CUSTODY_SIM_EXAMPLE_QUICK` set (and not `0`), the quick version
    /// CI runs: 50, 600 and 100.
    fn from_env() -> Size {
        let quick =
            std::env::var("CUSTODY_SIM_EXAMPLE_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
        if quick {
            Size {
                quick,
                particles: 50,
                max_simulations: 600,
                replications: 100,
            }
        } else {
            Size {
                quick,
                particles: 200,
                max_simulations: 6_000,
                replications: 400,
            }
        }
    }

    /// The fit at each origin.
    fn fit(&self) -> Abc {
        Abc {
            particles: self.particles,
            max_simulations: self.max_simulations,
            seed: 2026,
            ..Abc::default()
        }
    }
}

/// Every observations file of `examples/observed/`, as one set: a single
/// file as it is, several as their rows in file-name order.
fn observed(scenario: &Scenario) -> Result<Observations, Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/observed");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| p.extension().is_some_and(|x| x == "csv"));
    files.sort();
    match files.as_slice() {
        [] => Err(format!("no observations file in {}", dir.display()).into()),
        [one] => Ok(Observations::from_path(one, scenario)?),
        many => {
            let mut text = String::from("date,series,value,sd,kind\n");
            for f in many {
                for o in Observations::from_path(f, scenario)?.rows() {
                    let sd = o.sd.map(|v| v.to_string()).unwrap_or_default();
                    text.push_str(&format!(
                        "{},{},{},{sd},{}\n",
                        o.date,
                        o.series,
                        o.value,
                        o.kind.name()
                    ));
                }
            }
            Ok(Observations::from_csv_str(
                &text,
                "examples/observed",
                scenario,
            )?)
        }
    }
}

/// The baseline without its posterior (fitted to every report), and the
/// priors to fit at each origin.
fn scenario_and_priors() -> Result<(Scenario, Vec<Prior>), Box<dyn std::error::Error>> {
    let mut s = presets::baseline();
    let fitted = s.uncertainty.as_mut().and_then(|u| {
        u.posterior = None;
        u.posterior_table.take()
    });
    let columns: Vec<String> = match fitted {
        Some(t) => t.columns,
        None => PRIORS[..PACES].iter().map(|(p, _)| p.to_string()).collect(),
    };
    // A column no report bears on (the death-sentence share and the term
    // share beside it, drawn on a grid, not fitted) is held at the
    // scenario file's value; every other column needs its prior here.
    let priors = columns
        .iter()
        .filter(|c| !c.starts_with("court.sentence["))
        .map(|c| {
            let (path, dist) = PRIORS.iter().find(|(p, _)| p == c).ok_or_else(|| {
                format!("the baseline's posterior fits {c:?}: give it a prior in PRIORS")
            })?;
            Ok(Prior::parse(&format!("{path}={dist}"))?)
        })
        .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
    Ok((s, priors))
}

fn print_horizons(rows: &[HorizonError]) {
    println!("    error of the forecast's median (p50 - reported), by days after the origin:");
    println!("    days after   rows     mean   mean |.|");
    for e in rows {
        println!(
            "    {:>10} {:>6} {:>8.0} {:>10.0}",
            e.horizon, e.rows, e.mean_error, e.mean_absolute_error
        );
    }
}

fn print(h: &Hindcast) {
    for o in &h.origins {
        println!(
            "\nFrom {}: fitted to {} report(s), scored on {} later report(s)",
            o.origin,
            o.fitted_rows,
            o.scored.rows.len()
        );
        for p in o.posterior.iter().flatten() {
            println!(
                "    fitted {}: median {:.3} (90%: {:.3} to {:.3})",
                p.path, p.q50, p.q05, p.q95
            );
        }
        for (r, d) in o.scored.rows.iter().zip(&o.horizons) {
            let verdict = match (r.share_meeting, r.consistent) {
                (Some(share), Some(c)) => format!(
                    "{} bound, {:.0}% of the forecast meets it{}",
                    r.kind.name(),
                    100.0 * share,
                    if c { "" } else { " (NOT consistent)" }
                ),
                _ if r.pinned => "pinned by the scenario, not scored".into(),
                _ if r.inside => "inside".into(),
                _ => "OUTSIDE".into(),
            };
            println!(
                "    {} (+{d} d) {}: reported {:.0}, forecast {:.0} [{:.0}, {:.0}], {verdict}",
                r.date, r.series, r.value, r.p50, r.p5, r.p95
            );
        }
        let (inside, counted, pinned) = counts(&o.scored.rows);
        println!(
            "    coverage {:.2} ({inside} of {counted} counts inside{}), interval score {:.0}, CRPS {:.0}",
            o.scored.coverage,
            pinned_note(pinned),
            o.scored.mean_interval_score,
            o.scored.crps
        );
        print_horizons(&o.by_horizon);
    }
    let (inside, counted, pinned) = pooled_counts(h);
    println!(
        "\nOverall ({} origins): coverage {:.2} ({inside} of {counted} counts inside{}; nominal 0.90), interval score {:.0}, CRPS {:.0}",
        h.origins.len(),
        h.coverage,
        pinned_note(pinned),
        h.mean_interval_score,
        h.crps
    );
    if let (Some(k), Some(m)) = (h.bounds_consistent, h.bounds) {
        println!("    bounds consistent: {k} of {m}");
    }
    print_horizons(&h.by_horizon);
}

/// Of `rows`: the value rows inside their band and the value rows scored
/// (both without the pinned ones), and the pinned rows.
fn counts(rows: &[BacktestRow]) -> (usize, usize, usize) {
    let scored = rows.iter().filter(|r| r.kind.is_value() && !r.pinned);
    let pinned = rows.iter().filter(|r| r.pinned).count();
    (
        scored.clone().filter(|r| r.inside).count(),
        scored.count(),
        pinned,
    )
}

/// [`counts`] summed over every origin.
fn pooled_counts(h: &Hindcast) -> (usize, usize, usize) {
    h.origins
        .iter()
        .map(|o| counts(&o.scored.rows))
        .fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2))
}

/// "; 1 pinned by the scenario, not scored", or nothing.
fn pinned_note(pinned: usize) -> String {
    if pinned == 0 {
        String::new()
    } else {
        format!("; {pinned} pinned by the scenario, not scored")
    }
}

/// What would fail if the split, the scoring or the pooling were wrong.
fn check(h: &Hindcast, obs: &Observations) {
    let all = obs.rows();
    for (o, origin) in h.origins.iter().zip(ORIGINS) {
        assert_eq!(o.origin, origin);
        let before = all.iter().filter(|r| r.date.as_str() <= origin).count();
        let after: Vec<_> = all.iter().filter(|r| r.date.as_str() > origin).collect();
        // Every report is fitted or scored, once.
        assert_eq!(o.fitted_rows, before, "{origin}: the fit rows");
        assert_eq!(
            o.scored.rows.len(),
            after.len(),
            "{origin}: the scored rows"
        );
        for ((r, d), want) in o.scored.rows.iter().zip(&o.horizons).zip(&after) {
            assert!(
                r.date.as_str() > origin && *d > 0,
                "{origin}: {} scored",
                r.date
            );
            assert_eq!(
                (&r.date, &r.series, r.value),
                (&want.date, &want.series, want.value)
            );
            assert!(r.p5 <= r.p50 && r.p50 <= r.p95, "{origin}: {} band", r.date);
            assert!((0.0..=1.0).contains(&r.pit));
        }
        let (inside, values, _) = counts(&o.scored.rows);
        if values > 0 {
            // The coverage printed is the count printed.
            assert_eq!(o.scored.coverage, inside as f64 / values as f64);
            assert!(o.scored.crps >= 0.0 && o.scored.mean_interval_score >= 0.0);
        }
        // The horizons' rows add up to the scored value rows, pinned ones
        // left out.
        assert_eq!(o.by_horizon.iter().map(|e| e.rows).sum::<usize>(), values);
        assert!(o.posterior.is_some(), "{origin}: fitted");
    }
    // The overall coverage is the per-origin counts pooled.
    let (inside, values, pinned) = pooled_counts(h);
    if values > 0 {
        assert_eq!(h.coverage, inside as f64 / values as f64);
        assert!(h.crps >= 0.0);
    }
    assert_eq!(h.pinned, (pinned > 0).then_some(pinned));
    assert_eq!(h.by_horizon.iter().map(|e| e.rows).sum::<usize>(), values);
    if let (Some(k), Some(m)) = (h.bounds_consistent, h.bounds) {
        assert!(k <= m);
    }
}

/// The observations with every report after `origin` replaced by a
/// different number (three times its value, plus 1,000).
fn later_changed(obs: &Observations, scenario: &Scenario, origin: &str) -> Observations {
    let mut text = String::from("date,series,value,sd,kind\n");
    for o in obs.rows() {
        let value = if o.date.as_str() > origin {
            3.0 * o.value + 1000.0
        } else {
            o.value
        };
        let sd = o.sd.map(|v| v.to_string()).unwrap_or_default();
        text.push_str(&format!(
            "{},{},{value},{sd},{}\n",
            o.date,
            o.series,
            o.kind.name()
        ));
    }
    Observations::from_csv_str(&text, "changed", scenario).expect("the same rows, other values")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let size = Size::from_env();
    let (scenario, priors) = scenario_and_priors()?;
    let obs = observed(&scenario)?;
    if size.quick {
        println!(
            "QUICK VERSION (CUSTODY_SIM_EXAMPLE_QUICK is set): a smaller fit and fewer replications, the same checks; its figures are not docs/validation.md's. Run without the variable for the full figures."
        );
    }
    println!(
        "Hindcast of `{}` on {} reported figure(s) ({} of them bounds), from {} and {}: {} parameter(s) fitted at each origin ({} particles, at most {} simulations), {} replications of each forecast.",
        scenario.name,
        obs.rows().len(),
        obs.rows().iter().filter(|o| !o.kind.is_value()).count(),
        ORIGINS[0],
        ORIGINS[1],
        priors.len(),
        size.particles,
        size.max_simulations,
        size.replications
    );
    let h = hindcast(
        &scenario,
        &obs,
        &ORIGINS,
        &priors,
        &size.fit(),
        size.replications,
    )?;
    print(&h);
    check(&h, &obs);

    // The fit at the first origin sees only the reports up to it: with
    // every later report changed, it is the same to the last bit, and the
    // scores of the later reports are not.
    let changed = later_changed(&obs, &scenario, ORIGINS[0]);
    let again = hindcast(
        &scenario,
        &changed,
        &ORIGINS[..1],
        &priors,
        &size.fit(),
        size.replications,
    )?;
    let (a, b) = (&h.origins[0], &again.origins[0]);
    assert_eq!(
        a.posterior, b.posterior,
        "the fit at {} saw a later report",
        ORIGINS[0]
    );
    assert_eq!(a.fitted_rows, b.fitted_rows);
    assert!(
        a.scored
            .rows
            .iter()
            .zip(&b.scored.rows)
            .all(|(x, y)| x.value != y.value)
    );
    println!(
        "\nChecked: every report fitted or scored once per origin, and the fit at {} unchanged (bit for bit) when every later report is changed.",
        ORIGINS[0]
    );
    Ok(())
}
