//! Backtests and ABC calibration on cases with known answers: scores by
//! hand, coverage of draws from the model itself, the conjugate
//! gamma-Poisson posterior, reproducibility across thread counts, and the
//! coverage of credible intervals in repeated parameter recovery.

use custody_sim::calibrate::{
    Abc, Observations, Posterior, Prior, abc, backtest, crps, interval_score, pit,
};
use custody_sim::{Plan, Scenario, presets};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

fn obs(s: &Scenario, text: &str) -> Observations {
    Observations::from_csv_str(text, "test.csv", s).unwrap()
}

fn error_of(s: &Scenario, text: &str) -> String {
    Observations::from_csv_str(text, "obs.csv", s)
        .unwrap_err()
        .to_string()
}

#[test]
fn observation_errors_name_the_line_and_the_fix() {
    let s = presets::plan_2026_01(); // 2026-01-21, 730 days
    let head = "date,series,value,sd\n";
    for (rows, needles) in [
        (
            "3,transferred_cumulative,5,\n4,occupancy.Kut,1,\n",
            vec![
                "obs.csv, line 3",
                "unknown series \"occupancy.Kut\"",
                "occupancy.Hillah",
            ],
        ),
        (
            "2026-01-20,transferred_cumulative,5,\n",
            vec![
                "line 2",
                "series day 0",
                "outside the horizon",
                "2026-01-21",
            ],
        ),
        ("730,transferred_cumulative,5,\n", vec!["series day 731"]),
        ("-1,transferred_cumulative,5,\n", vec!["series day 0"]),
        (
            "2026-02-30,transferred_cumulative,5,\n",
            vec!["neither a YYYY-MM-DD"],
        ),
        (
            "3,transferred_cumulative,many,\n",
            vec!["line 2", "value \"many\""],
        ),
        ("3,transferred_cumulative,NaN,\n", vec!["value \"NaN\""]),
        (
            "3,transferred_cumulative,5,-2\n",
            vec!["sd must be positive, got -2"],
        ),
        (
            "3,transferred_cumulative,5,0\n",
            vec!["sd must be positive"],
        ),
        ("", vec!["no observation rows"]),
    ] {
        let e = error_of(&s, &format!("{head}{rows}"));
        for n in needles {
            assert!(e.contains(n), "{rows:?}: {e}");
        }
    }
    let e = error_of(&s, "day,series,value\n3,in_syria,5\n");
    assert!(
        e.contains("line 1") && e.contains("unknown column \"day\""),
        "{e}"
    );
    let e = error_of(&s, "date,value\n3,5\n");
    assert!(e.contains("must name the columns"), "{e}");

    // Both date forms, the last day of the horizon, sd optional.
    let o = obs(
        &s,
        "series,date,value\ntransferred_cumulative,2026-01-21,150\nin_syria,729,0\n",
    );
    assert_eq!((o.rows()[0].day, o.rows()[1].day), (1, 730));
    assert_eq!(o.rows()[1].date, "2028-01-20");
    assert_eq!(o.last_day(), 730);
    let back = obs(&s, &o.to_csv_string());
    assert_eq!(back, o);
}

#[test]
fn scores_match_hand_computations() {
    // PIT by mid-rank: the median of distinct values has PIT 1/2.
    let x = [1.0, 2.0, 4.0, 7.0, 11.0];
    assert_eq!(pit(&x, 4.0), 0.5);
    assert_eq!(pit(&x, 0.0), 0.0);
    assert_eq!(pit(&x, 3.0), 0.4);
    // CRPS of {1, 2, 4} at 3: E|X-3| = 4/3, E|X-X'| = 12/9, so
    // 4/3 - 2/3; the integral of (F - 1{x >= 3})^2 gives 1/9 + 4/9 + 1/9.
    assert!((crps(&[1.0, 2.0, 4.0], 3.0) - 2.0 / 3.0).abs() < 1e-15);
    // Against the O(n^2) definition on random samples.
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for n in [1, 2, 7, 50] {
        let mut s: Vec<f64> = (0..n).map(|_| rng.random_range(-5.0..5.0)).collect();
        s.sort_by(f64::total_cmp);
        let y = rng.random_range(-6.0..6.0);
        let nf = n as f64;
        let e1: f64 = s.iter().map(|v| (v - y).abs()).sum::<f64>() / nf;
        let e2: f64 = s
            .iter()
            .flat_map(|a| s.iter().map(move |b| (a - b).abs()))
            .sum::<f64>()
            / (nf * nf);
        assert!((crps(&s, y) - (e1 - 0.5 * e2)).abs() < 1e-12, "n = {n}");
    }
    // Interval score (Gneiting & Raftery 2007, eq. 43), alpha = 0.1.
    assert_eq!(interval_score(100.0, 140.0, 120.0, 0.1), 40.0);
    assert_eq!(interval_score(100.0, 140.0, 90.0, 0.1), 40.0 + 20.0 * 10.0);
    assert_eq!(interval_score(100.0, 140.0, 141.0, 0.1), 40.0 + 20.0);
}

/// The backtest's samples are the full run's series values (a run cut at
/// the last observed day records the same days), and each row's scores
/// are the score functions of those samples.
#[test]
fn backtest_rows_are_the_scores_of_the_replications() {
    let s = presets::plan_2026_01();
    let o = obs(
        &s,
        "date,series,value\n2026-01-30,transferred_cumulative,500\n11,transferred_cumulative,450\n20,occupancy.Nasiriyah,16000\n",
    );
    let n = 41;
    let b = backtest(&s, &o, n, 9, 2).unwrap();
    let plan = Plan::new(&s).unwrap();
    let outs: Vec<_> = (0..n).map(|i| plan.replicate(9, i)).collect();
    let mut crps_sum = 0.0;
    for (row, ob) in b.rows.iter().zip(o.rows()) {
        let mut x: Vec<f64> = outs
            .iter()
            .map(|out| f64::from(out.series(&ob.series).unwrap()[ob.day as usize - 1]))
            .collect();
        x.sort_by(f64::total_cmp);
        // Type 7 with n = 41: p5 at position 2, p50 at 20, p95 at 38 (0-based).
        assert_eq!((row.p5, row.p50, row.p95), (x[2], x[20], x[38]));
        assert_eq!(row.pit, pit(&x, ob.value));
        assert_eq!(row.inside, x[2] <= ob.value && ob.value <= x[38]);
        assert_eq!(
            row.interval_score,
            interval_score(x[2], x[38], ob.value, 0.1)
        );
        crps_sum += crps(&x, ob.value);
    }
    assert_eq!(b.crps, crps_sum / 3.0);
    let inside = b.rows.iter().filter(|r| r.inside).count() as f64;
    assert_eq!(b.coverage, inside / 3.0);
    // The value at the median has PIT 1/2 (n odd; no ties at the median
    // on this day, checked).
    let mut med = b.rows[0].clone();
    let at_median = obs(
        &s,
        &format!("date,series,value\n9,transferred_cumulative,{}\n", med.p50),
    );
    med = backtest(&s, &at_median, n, 9, 1).unwrap().rows.remove(0);
    let ties = outs
        .iter()
        .filter(|o| f64::from(o.series("transferred_cumulative").unwrap()[9]) == med.p50)
        .count();
    assert_eq!(med.pit, (20.0 + 0.5 * ties as f64) / 41.0);
    if ties == 1 {
        assert_eq!(med.pit, 0.5);
    }
    // JSON field names, exactly.
    let json = serde_json::to_value(&b).unwrap();
    let keys: Vec<&String> = json["rows"][0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "date",
            "series",
            "value",
            "p5",
            "p50",
            "p95",
            "inside",
            "pit",
            "interval_score"
        ]
    );
    for k in ["coverage", "mean_interval_score", "crps"] {
        assert!(json[k].is_number(), "{k}");
    }
    // The same with any thread count.
    assert_eq!(backtest(&s, &o, n, 9, 1).unwrap(), b);
}

/// Observations drawn from the model itself are covered by [p5, p95] at
/// about the nominal 90%.
///
/// 200 rows, each the value of one replication of another seed on one of
/// 20 days, against 2,000 replications. With continuous values the
/// expected coverage of [p5, p95] (type 7 of 2,000) by a new draw is
/// (1900.05 − 100.95)/2001 = 0.899; with counts ties can only add to it.
/// The rows are independent given the bands, so the coverage is a
/// binomial proportion: its 99% interval is ±2.58·√(0.9·0.1/200) = ±0.055;
/// 0.01 more allows for the bands' own sampling error (shared by the 10
/// rows of a day).
#[test]
fn coverage_of_draws_from_the_model_is_nominal() {
    let s = presets::plan_2026_01();
    let plan = Plan::new(&s).unwrap();
    let mut text = String::from("date,series,value\n");
    for j in 0..200u64 {
        let day = 10 + (j % 20) as usize;
        let out = plan.replicate(777, j);
        let v = out.series("transferred_cumulative").unwrap()[day - 1];
        text.push_str(&format!("{},transferred_cumulative,{v}\n", day - 1));
    }
    let b = backtest(&s, &obs(&s, &text), 2000, 3, 0).unwrap();
    let tol = 2.58 * (0.09f64 / 200.0).sqrt() + 0.01;
    println!(
        "coverage of 200 draws from the model: {:.3} (nominal 0.9 ± {tol:.3})",
        b.coverage
    );
    assert!((b.coverage - 0.9).abs() <= tol, "coverage {}", b.coverage);
    // A calibrated forecast's PITs average 1/2.
    let mean_pit: f64 = b.rows.iter().map(|r| r.pit).sum::<f64>() / 200.0;
    // Uniform PIT: sd 1/sqrt(12·200) = 0.0204; 99%: ±0.053.
    assert!((mean_pit - 0.5).abs() < 0.053 + 0.01, "mean PIT {mean_pit}");
}

/// Convoys of one detainee at exponential intervals of mean 1/λ (λ = 2)
/// from day 0, no transit, an ample pool: arrivals by time T are 1 (the
/// departure on day 0, always made) plus a Poisson(λT) count.
fn poisson_scenario(horizon: u32) -> Scenario {
    crate::fixtures::convoys_of_one("poisson", horizon)
}

fn ln_gamma(x: f64) -> f64 {
    statrs::function::gamma::ln_gamma(x)
}

/// Mean and sd of λ under the ABC target at integer tolerance `h`: λ
/// given |Y − y| ≤ h, a mixture over the counts k within h of the
/// observed N of Gamma(a + k, b + T), weighted by the negative binomial
/// marginal p(k) = Γ(a+k)/(Γ(a) k!) (b/(b+T))^a (T/(b+T))^k. At h = 0 it
/// is the exact posterior Gamma(a + N, b + T).
fn abc_target(a: f64, b: f64, t: f64, n: i64, h: i64) -> (f64, f64) {
    let (mut w_sum, mut m1, mut m2) = (0.0, 0.0, 0.0);
    for k in (n - h).max(0)..=n + h {
        let kf = k as f64;
        let lw = ln_gamma(a + kf) - ln_gamma(kf + 1.0) + kf * (t / (b + t)).ln();
        let w = lw.exp();
        let (shape, rate) = (a + kf, b + t);
        let mean = shape / rate;
        w_sum += w;
        m1 += w * mean;
        m2 += w * (shape / (rate * rate) + mean * mean);
    }
    let mean = m1 / w_sum;
    (mean, (m2 / w_sum - mean * mean).sqrt())
}

/// λ's weighted mean and sd, with their standard errors as self-normalised
/// importance-sampling estimates: se(mean)² = Σ wᵢ²(λᵢ − m)², se(var)² =
/// Σ wᵢ²((λᵢ − m)² − var)² and se(sd) = se(var)/(2 sd) (delta method).
/// Unlike sd/√ESS these count how the weights lean on the tails.
fn rate_moments(p: &Posterior) -> [f64; 4] {
    let lambda: Vec<f64> = p.column(0).iter().map(|m| 1.0 / m).collect();
    let w = &p.weights;
    let mean: f64 = lambda.iter().zip(w).map(|(l, w)| l * w).sum();
    let var: f64 = lambda
        .iter()
        .zip(w)
        .map(|(l, w)| w * (l - mean).powi(2))
        .sum();
    let se_mean: f64 = lambda
        .iter()
        .zip(w)
        .map(|(l, w)| (w * (l - mean)).powi(2))
        .sum::<f64>()
        .sqrt();
    let se_var: f64 = lambda
        .iter()
        .zip(w)
        .map(|(l, w)| (w * ((l - mean).powi(2) - var)).powi(2))
        .sum::<f64>()
        .sqrt();
    [mean, var.sqrt(), se_mean, se_var / (2.0 * var.sqrt())]
}

/// The conjugate case. A Gamma(a = 4, b = 2) prior on the
/// rate λ (mean 2 per day, sd 1), written as `1/{gamma}` on the interval
/// mean; one observation of the cumulative count at the end of day 9
/// (T = 10 days), y = 1 + N. The exact posterior is Gamma(a + N, b + T).
///
/// Tolerances. The ABC posterior at tolerance h (|Y − y| ≤ h; sd = 1 so
/// the distance is |Y − y|) is known exactly ([`abc_target`]); the weighted
/// particles' mean and sd must lie within 4 importance-sampling standard
/// errors of its mean and sd ([`rate_moments`]). The target itself
/// differs from the exact posterior by at most h/(b + T) in mean (each
/// extra count moves the gamma mean by 1/(b + T)): at h = 0 the ABC
/// posterior is the exact one, and at h = 4 the test checks the bound
/// and that the smaller tolerance lands closer.
#[test]
fn conjugate_gamma_poisson_posterior() {
    let s = poisson_scenario(10);
    let (a, b, t) = (4.0, 2.0, 10.0);
    // An observation drawn from the model at λ = 2.
    let y = s
        .with_param("transfer.phase[0].interval_days.mean", "0.5")
        .and_then(|s| custody_sim::simulate(&s, 2024))
        .unwrap()
        .series("transferred_cumulative")
        .unwrap()[9];
    let n = i64::from(y) - 1;
    let o = obs(
        &s,
        &format!("date,series,value,sd\n9,transferred_cumulative,{y},1\n"),
    );
    let prior =
        Prior::parse(r#"transfer.phase[0].interval_days.mean=1/{dist="gamma",mean=2,sd=1}"#)
            .unwrap();
    let (exact_mean, exact_sd) = ((a + n as f64) / (b + t), (a + n as f64).sqrt() / (b + t));
    let mut gaps = Vec::new();
    for h in [4.0, 0.0] {
        let fit = Abc {
            particles: 1000,
            final_tolerance: h,
            max_simulations: 60_000,
            seed: 11,
            ..Abc::default()
        };
        let p = abc(&s, &o, std::slice::from_ref(&prior), &fit, None).unwrap();
        assert_eq!(*p.tolerance_schedule.last().unwrap(), h, "{}", p.stopped);
        let [mean, sd, se_mean, se_sd] = rate_moments(&p);
        let (target_mean, target_sd) = abc_target(a, b, t, n, h as i64);
        println!(
            "h = {h}: N = {n}, ABC mean {mean:.4} (se {se_mean:.4}) sd {sd:.4} (se {se_sd:.4}), \
             ESS {:.0}, {} simulations; ABC target mean {target_mean:.4} sd {target_sd:.4}; \
             exact Gamma({}, {}) mean {exact_mean:.4} sd {exact_sd:.4}",
            p.ess(),
            p.simulations,
            a + n as f64,
            b + t
        );
        assert!(p.ess() > 200.0, "ESS {}", p.ess());
        assert!(
            (mean - target_mean).abs() <= 4.0 * se_mean,
            "mean {mean} vs {target_mean}"
        );
        assert!(
            (sd - target_sd).abs() <= 4.0 * se_sd,
            "sd {sd} vs {target_sd}"
        );
        assert!((target_mean - exact_mean).abs() <= h / (b + t) + 1e-12);
        gaps.push((mean - exact_mean).abs() + (sd - exact_sd).abs());
    }
    // The sum of the mean and sd gaps to the exact posterior shrinks with h.
    assert!(gaps[1] < gaps[0], "{gaps:?}");
}

#[test]
fn prior_and_calibration_errors_are_clear() {
    for (spec, needle) in [
        ("court.stage[trial].servers", "expected PATH=DIST"),
        (
            "={dist=\"uniform\",low=1,high=2}",
            "path before '=' is empty",
        ),
        (
            "x={dist=\"poisson\",mean=3}",
            "poisson prior is not supported",
        ),
        (
            "x={dist=\"uniform\",low=2,high=1}",
            "not a proper distribution",
        ),
        ("x={dist=\"uniform\",low=1}", "DIST is not a dist table"),
        ("x=1/{dist=\"uniform\",low=0,high=1}", "support above 0"),
    ] {
        let e = Prior::parse(spec).unwrap_err().to_string();
        assert!(e.contains(needle) && e.contains(spec), "{spec}: {e}");
    }
    let s = poisson_scenario(10);
    let o = obs(&s, "date,series,value\n9,transferred_cumulative,20\n");
    let fit = Abc {
        particles: 20,
        max_simulations: 100,
        ..Abc::default()
    };
    let run = |p: &str| {
        abc(&s, &o, &[Prior::parse(p).unwrap()], &fit, None)
            .unwrap_err()
            .to_string()
    };
    let e = run(r#"court.stage[trial].servers={dist="uniform",low=1,high=5}"#);
    assert!(
        e.contains("holds an integer: give it a uniform_int prior"),
        "{e}"
    );
    // A draw the scenario refuses names the prior, its path and the value
    // drawn, besides the scenario's own problem.
    let e = run(r#"court.stage[trial].servers={dist="uniform_int",low=0,high=5}"#);
    assert!(
        e.contains("prior 'court.stage[trial].servers'")
            && e.contains(
                "the value drawn from the prior, court.stage[trial].servers = 0, is refused"
            )
            && e.contains("must be at least 1, got 0"),
        "{e}"
    );
    let e = run(r#"court.stage[appeal].servers={dist="uniform_int",low=1,high=5}"#);
    assert!(e.contains("no item named \"appeal\""), "{e}");
    let e = abc(&s, &o, &[], &fit, None).unwrap_err().to_string();
    assert!(e.contains("at least one prior"), "{e}");
}

/// A prior on a column of the scenario's `[uncertainty] posterior` is
/// refused, and the refusal says why (the column could be taken out of
/// the table, as `--set` takes it, but the other columns were fitted with
/// it) and what to do; a prior on another path of the same scenario is not.
#[test]
fn a_prior_on_a_posterior_column_is_refused_with_its_reason() {
    let s = presets::baseline();
    let column = "transfer.phase[1].interval_days.value";
    assert!(
        s.uncertainty
            .as_ref()
            .and_then(|u| u.posterior_table.as_ref())
            .is_some_and(|t| t.columns.iter().any(|c| c == column))
    );
    let o = obs(
        &s,
        "date,series,value\n2026-01-25,transferred_cumulative,500\n",
    );
    let fit = Abc {
        particles: 20,
        max_simulations: 40,
        ..Abc::default()
    };
    let prior = Prior::parse(&format!(r#"{column}={{dist="uniform",low=0.5,high=2}}"#)).unwrap();
    let e = abc(&s, &o, &[prior], &fit, None).unwrap_err().to_string();
    assert!(
        e.contains(column)
            && e.contains("draws this path jointly with its other columns")
            && e.contains("the other columns' draws, which were fitted with it")
            && e.contains("remove `posterior` from [uncertainty]")
            && !e.contains("already draws"),
        "{e}"
    );
}

/// A day written as a date (`transfer.end.until_day`, a relocation's
/// day) takes a prior as it takes `[uncertainty]` and `solve`: the draws
/// are day numbers.
#[test]
fn priors_on_days_written_as_dates_are_accepted() {
    use crate::fixtures::{HOLDING_COURT, exponential, facility, fixed, group, header, one_phase};
    let text = format!(
        "{}{}\n[transfer.end]\nuntil_day = 2026-02-10\n\n{}{}{}\n{}{HOLDING_COURT}",
        header("dated", 12),
        one_phase(&fixed(0.0), &exponential(0.5), &fixed(1.0)),
        group("all", 500, ""),
        facility("ample", 1_000_000),
        facility("other", 1_000_000),
        "[[relocation]]\nday = 2026-01-25\nfrom = \"ample\"\nto = \"other\"\ncount = 2\n",
    );
    let s = Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let o = obs(&s, "date,series,value\n9,transferred_cumulative,20\n");
    let fit = Abc {
        particles: 20,
        max_simulations: 200,
        ..Abc::default()
    };
    for spec in [
        r#"transfer.end.until_day={dist="uniform",low=10,high=20}"#,
        r#"relocation[0].day={dist="uniform",low=1,high=8}"#,
    ] {
        let p = Prior::parse(spec).unwrap();
        let post = abc(&s, &o, &[p], &fit, None).unwrap_or_else(|e| panic!("{spec}: {e}"));
        // Every particle a day number within the prior.
        let (low, high) = if spec.starts_with("transfer") {
            (10.0, 20.0)
        } else {
            (1.0, 8.0)
        };
        assert!(!post.particles.is_empty(), "{spec}");
        assert!(
            post.particles.iter().all(|r| (low..=high).contains(&r[0])),
            "{spec}"
        );
    }
}

/// The same seed gives the same posterior, bit for bit, with 1 or 3
/// threads; the CSV and calibrated scenario carry it.
#[test]
fn abc_is_reproducible_across_thread_counts() {
    let s = poisson_scenario(12);
    let o = obs(
        &s,
        "date,series,value\n5,transferred_cumulative,14\n11,transferred_cumulative,25\n",
    );
    let priors = [
        Prior::parse(r#"transfer.phase[0].interval_days.mean={dist="uniform",low=0.1,high=2}"#)
            .unwrap(),
        Prior::parse(r#"transfer.phase[0].convoy_size.value={dist="uniform_int",low=1,high=3}"#)
            .unwrap(),
    ];
    let fit = |threads| Abc {
        particles: 100,
        max_simulations: 3000,
        seed: 5,
        threads,
        ..Abc::default()
    };
    let progress_calls = std::sync::atomic::AtomicU64::new(0);
    let count = |_: &custody_sim::calibrate::AbcProgress| {
        progress_calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    };
    let one = abc(&s, &o, &priors, &fit(1), Some(&count)).unwrap();
    let three = abc(&s, &o, &priors, &fit(3), None).unwrap();
    assert_eq!(one, three);
    assert!(progress_calls.into_inner() >= one.tolerance_schedule.len() as u64);
    assert!(one.tolerance_schedule.len() >= 3, "{one:?}");
    assert!(one.simulations <= 3000);
    assert!(one.tolerance_schedule.windows(2).all(|w| w[1] < w[0]));
    assert!((one.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // Integer parameters stay integers, within the prior.
    assert!(
        one.column(1)
            .iter()
            .all(|&k| k.fract() == 0.0 && (1.0..=3.0).contains(&k))
    );
    let csv = one.to_csv_string();
    assert!(csv.starts_with(
        "transfer.phase[0].interval_days.mean,transfer.phase[0].convoy_size.value,weight\n"
    ));
    assert_eq!(csv.lines().count(), 101);
    let sum = one.summary();
    let cal = one.calibrated_scenario(&s).unwrap();
    // The median, to the digits its posterior supports: within half the
    // step of the second significant digit of its sd.
    let custody_sim::Dist::Exponential { mean } = cal.transfer.phases[0].interval_days else {
        panic!("{:?}", cal.transfer.phases[0].interval_days)
    };
    let step = 10f64.powf(sum[0].sd.log10().floor() - 1.0);
    assert!(
        (mean - sum[0].q50).abs() <= step / 2.0 * (1.0 + 1e-9),
        "{mean} from {:?}",
        sum[0]
    );
    assert!(
        format!("{mean:?}").len() <= format!("{step:?}").len() + 6,
        "{mean:?} has more digits than the sd {} supports",
        sum[0].sd
    );
    assert_eq!(cal.horizon_days, 12);
    let text = one.calibrated_toml(&s).unwrap();
    assert!(text.contains("weighted posterior medians"));
    assert_eq!(Scenario::from_toml_str(&text).unwrap(), cal);
    for p in &sum {
        assert!(
            p.q05 <= p.q50 && p.q50 <= p.q95 && p.sd > 0.0 && p.ess > 1.0,
            "{p:?}"
        );
    }
}

/// A small system with three parameters to recover: the convoy interval
/// (continuous), the trial panels (integer) and the repatriation
/// probability (bounded).
fn recovery_scenario() -> Scenario {
    use crate::fixtures::{
        SURE_COURT, exponential, facility, fixed, group, header, one_phase, stage,
    };
    let text = format!(
        "{}{}\n{}{}{SURE_COURT}{}",
        header("recovery", 30),
        one_phase(&fixed(0.0), &exponential(0.5), &fixed(5.0)),
        group(
            "all",
            3000,
            "repatriation = { probability = 0.4, delay_days = { dist = \"exponential\", mean = 5.0 } }"
        ),
        facility("ample", 1_000_000),
        stage("trial", 5, &exponential(1.0), ""),
    );
    Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// One parameter-recovery study on `s`: `trials` times, draw true values
/// of the `priors`' paths with `draw`, simulate one replication with them,
/// observe cumulative transfers, the trial queue and custody on days 9, 19
/// and 29, and calibrate from the priors with `fit(trial)`. Returns, per
/// parameter, how many truths lay inside their 90% credible interval
/// [q05, q95] and the mean width of those intervals; prints each trial.
fn recovery_study(
    s: &Scenario,
    priors: &[Prior],
    trials: u64,
    mut draw: impl FnMut(&mut ChaCha8Rng) -> Vec<f64>,
    fit: impl Fn(u64) -> Abc,
) -> (Vec<u32>, Vec<f64>) {
    let k = priors.len();
    let mut covered = vec![0u32; k];
    let mut width = vec![0.0; k];
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    for trial in 0..trials {
        let truth = draw(&mut rng);
        let values: Vec<String> = priors
            .iter()
            .zip(&truth)
            .map(|(p, v)| {
                if p.is_integer() {
                    format!("{v}")
                } else {
                    format!("{v:?}")
                }
            })
            .collect();
        let t = s
            .with_params(
                priors
                    .iter()
                    .zip(&values)
                    .map(|(p, v)| (p.path.as_str(), v.as_str())),
            )
            .unwrap();
        let out = Plan::new(&t).unwrap().replicate(1000 + trial, 0);
        let mut text = String::from("date,series,value\n");
        for series in ["transferred_cumulative", "queue.trial", "in_custody"] {
            for day in [9, 19, 29] {
                let v = out.series(series).unwrap()[day];
                text.push_str(&format!("{day},{series},{v}\n"));
            }
        }
        let p = abc(s, &obs(s, &text), priors, &fit(trial), None).unwrap();
        let sum = p.summary();
        let mut line = format!("trial {trial:2}:");
        for d in 0..k {
            let inside = sum[d].q05 <= truth[d] && truth[d] <= sum[d].q95;
            covered[d] += u32::from(inside);
            width[d] += (sum[d].q95 - sum[d].q05) / trials as f64;
            line.push_str(&format!(
                " {:.3} in [{:.3}, {:.3}] {}",
                truth[d],
                sum[d].q05,
                sum[d].q95,
                if inside { "yes" } else { "NO " }
            ));
        }
        println!(
            "{line} (ε {:.3}, {} sims)",
            p.tolerance_schedule.last().unwrap(),
            p.simulations
        );
    }
    for d in 0..k {
        println!(
            "coverage of the 90% interval of {}: {}/{trials}, mean width {:.3}",
            priors[d].path, covered[d], width[d]
        );
    }
    (covered, width)
}

/// The smallest count `c` such that a Binomial(`n`, `p`) variable falls
/// below `c` with probability at most `alpha`.
fn binomial_lower_bound(n: u64, p: f64, alpha: f64) -> u64 {
    let ln_pmf = |k: u64| {
        ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
            + k as f64 * p.ln()
            + (n - k) as f64 * (1.0 - p).ln()
    };
    let mut below = 0.0;
    for c in 0..=n {
        let next = below + ln_pmf(c).exp();
        if next > alpha {
            return c;
        }
        below = next;
    }
    n
}

/// The three priors of the recovery studies: the convoy interval, the
/// trial servers and the repatriation share.
fn recovery_priors() -> [Prior; 3] {
    [
        Prior::parse(r#"transfer.phase[0].interval_days.mean={dist="uniform",low=0.2,high=2}"#)
            .unwrap(),
        Prior::parse(r#"court.stage[trial].servers={dist="uniform_int",low=1,high=12}"#).unwrap(),
        Prior::parse(r#"group[all].repatriation.probability={dist="uniform",low=0,high=1}"#)
            .unwrap(),
    ]
}

/// Parameter recovery in every test run: the three parameters of the full
/// study below (the convoy interval, continuous; the trial panels,
/// integer; the repatriation probability, bounded), in 40 trials with
/// fewer particles and simulations. The true values are drawn from the
/// priors themselves, so a calibrated 90% interval covers its truth with
/// probability 0.9 in each trial, independently of the others: the number
/// covered is Binomial(40, 0.9) (mean 36), and the test asserts, per
/// parameter, at least the count below which that falls with probability
/// at most 0.1% (29 of 40; over three parameters a false alarm at most
/// 0.3%). ABC at a tolerance above 0 widens the intervals; the Monte Carlo
/// error of 150 weighted particles moves their ends a little either way.
/// So that vacuous intervals cannot pass for calibrated ones, the convoy
/// interval, which the counts pin down, must also come out with a mean
/// 90% interval under 0.6 of the prior's.
#[test]
fn parameter_recovery_coverage_in_brief() {
    let s = recovery_scenario();
    let priors = recovery_priors();
    let trials = 40;
    let (covered, width) = recovery_study(
        &s,
        &priors,
        trials,
        |rng| {
            vec![
                rng.random_range(0.2..2.0),
                rng.random_range(1..=12) as f64,
                rng.random_range(0.0..1.0),
            ]
        },
        |trial| Abc {
            particles: 150,
            max_simulations: 3000,
            target_acceptance: 0.05,
            seed: trial,
            ..Abc::default()
        },
    );
    let least = binomial_lower_bound(trials, 0.9, 0.001);
    assert_eq!(least, 29);
    for (d, &c) in covered.iter().enumerate() {
        assert!(
            u64::from(c) >= least,
            "{}: {c}/{trials} covered, at least {least} expected",
            priors[d].path
        );
    }
    let prior_width = 0.9 * (2.0 - 0.2);
    assert!(
        width[0] < 0.6 * prior_width,
        "the convoy interval's mean 90% interval is {:.3} wide, the prior's {prior_width:.3}",
        width[0]
    );
}

/// Parameter recovery in full: 20 trials, each drawing true values from
/// broad priors, simulating observations from them (cumulative transfers,
/// the trial queue and custody on days 9, 19 and 29), and calibrating
/// from those priors. Prints the coverage of the 90% credible intervals
/// [q05, q95] per parameter; asserts at least 14 of 20 (for a calibrated
/// 90% interval, P(X ≤ 13) ≈ 0.2% under Binomial(20, 0.9); ABC at a
/// tolerance above 0 only widens the intervals). Every test run checks a
/// smaller study, [`parameter_recovery_coverage_in_brief`].
///
/// About 120,000 simulations: run it in release,
/// `cargo test --release --test integration parameter_recovery -- --ignored --nocapture`.
#[test]
#[ignore = "slow: about 120,000 simulations; run in release with --ignored"]
fn parameter_recovery_coverage() {
    let s = recovery_scenario();
    let priors = recovery_priors();
    let trials = 20;
    let (covered, _) = recovery_study(
        &s,
        &priors,
        trials,
        |rng| {
            vec![
                rng.random_range(0.3..1.5),
                rng.random_range(2..=10) as f64,
                rng.random_range(0.1..0.9),
            ]
        },
        |trial| Abc {
            particles: 200,
            max_simulations: 6000,
            target_acceptance: 0.05,
            seed: trial,
            ..Abc::default()
        },
    );
    for (d, c) in covered.iter().enumerate() {
        assert!(*c >= 14, "{}: {c}/{trials}", priors[d].path);
    }
}

/// A backtest of a scenario with `[uncertainty]` draws its parameters per
/// replication, as a run does: a parameter "drawn" at a fixed value gives
/// exactly the backtest of the scenario with that value set, and not the
/// backtest of the point value the scenario holds.
#[test]
fn a_backtest_draws_the_scenarios_uncertain_parameters() {
    // The baseline at its point values: nothing of its own drawn.
    let mut s = presets::baseline();
    s.uncertainty = None;
    let o = Observations::from_path("examples/observed/transfer-2026.csv", &s).unwrap();
    let path = "transfer.phase[1].interval_days.value";
    let mut uncertain = s.clone();
    uncertain.uncertainty = Some(custody_sim::scenario::Uncertainty::new([(
        path,
        custody_sim::Dist::fixed(6.0),
    )]));
    let set = s.with_param(path, "6.0").unwrap();
    let p50 = |b: &custody_sim::calibrate::Backtest| -> Vec<f64> {
        b.rows.iter().map(|r| r.p50).collect()
    };
    let drawn = backtest(&uncertain, &o, 40, 3, 2).unwrap();
    let fixed = backtest(&set, &o, 40, 3, 1).unwrap();
    let point = backtest(&s, &o, 40, 3, 1).unwrap();
    assert_eq!(p50(&drawn), p50(&fixed));
    assert_eq!(drawn.crps, fixed.crps);
    assert_ne!(p50(&drawn), p50(&point), "the drawn value must matter");
}

/// A backtest's band on a day is the run's band on that day, bit for bit
/// (both exact type-7 quantiles of the same replications' values), and so
/// is the fan a backtest charts; a histogram's bin means made them differ
/// by up to a bin's width (2,220 against 2,214.8).
#[test]
fn a_backtests_band_equals_the_runs_band_on_its_day() {
    use custody_sim::calibrate::backtest_fans;
    use custody_sim::montecarlo::{Runs, run};
    let s = crate::fixtures::baseline_days(40);
    let o = obs(
        &s,
        "date,series,value\n2026-01-30,transferred_cumulative,2000\n\
         2026-02-10,transferred_cumulative,4583\n2026-02-10,occupancy.Karkh,5000\n\
         2026-02-20,queue.trial,10\n2026-02-20,occupancy.Nasiriyah,12800\n",
    );
    let n = 300;
    let b = backtest_fans(&s, &o, n, 2026, 2).unwrap();
    let whole = run(
        &s,
        &Runs {
            replications: n,
            seed: 2026,
            threads: 3,
        },
    )
    .unwrap();
    let mut spread = 0;
    for (row, ob) in b.backtest.rows.iter().zip(o.rows()) {
        let d = ob.day as usize - 1;
        let band = whole.series(&row.series).unwrap();
        let fan = b.fan(&row.series).unwrap();
        assert_eq!(band.approximate, None);
        assert_eq!(fan.approximate, None);
        let bits = |x: (f64, f64, f64)| (x.0.to_bits(), x.1.to_bits(), x.2.to_bits());
        let from_row = bits((row.p5, row.p50, row.p95));
        assert_eq!(
            from_row,
            bits((band.p5[d], band.p50[d], band.p95[d])),
            "{} on {}",
            row.series,
            row.date
        );
        assert_eq!(from_row, bits((fan.p5[d], fan.p50[d], fan.p95[d])));
        if row.p5 > 256.0 && row.p95 - row.p5 > 2.0 {
            spread += 1;
        }
    }
    // Rows with large, spread values: where a histogram read bin means.
    assert!(spread >= 2, "{:?}", b.backtest.rows);
}

/// The posterior predictive check places each observation among the
/// posterior predictive replications. On the gamma-Poisson case fitted
/// exactly (tolerance 0), the fitted count lies well inside its posterior
/// predictive (the predictive of a count given itself: its tail share is
/// far above 0.05), while a count 60 above it, about 10 predictive sds
/// out, has no replication above it: share 0, tail 0, extreme. The check
/// does not depend on the thread count.
#[test]
fn the_posterior_predictive_check_flags_an_observation_the_fit_cannot_reach() {
    use custody_sim::calibrate::{EXTREME_TAIL, StopRule};
    let s = poisson_scenario(10);
    let y = s
        .with_param("transfer.phase[0].interval_days.mean", "0.5")
        .and_then(|s| custody_sim::simulate(&s, 2024))
        .unwrap()
        .series("transferred_cumulative")
        .unwrap()[9];
    let o = obs(
        &s,
        &format!("date,series,value,sd\n9,transferred_cumulative,{y},1\n"),
    );
    let prior =
        Prior::parse(r#"transfer.phase[0].interval_days.mean=1/{dist="gamma",mean=2,sd=1}"#)
            .unwrap();
    let fit = Abc {
        particles: 300,
        max_simulations: 30_000,
        target_acceptance: 0.0,
        seed: 3,
        ..Abc::default()
    };
    let p = abc(&s, &o, std::slice::from_ref(&prior), &fit, None).unwrap();
    assert_eq!(p.stop_rule, StopRule::FinalTolerance, "{}", p.stopped);
    let check = p.predictive_check(&s, &o, 400, 9, 1).unwrap();
    assert_eq!(check, p.predictive_check(&s, &o, 400, 9, 2).unwrap());
    let row = &check[0];
    println!("fitted row: {row:?}");
    assert!(row.tail > 0.2 && !row.extreme, "{row:?}");
    assert!(row.p5 <= f64::from(y) && f64::from(y) <= row.p95, "{row:?}");
    let far = obs(
        &s,
        &format!("date,series,value\n9,transferred_cumulative,{}\n", y + 60),
    );
    let row = &p.predictive_check(&s, &far, 400, 9, 1).unwrap()[0];
    assert_eq!((row.share_above, row.tail), (0.0, 0.0), "{row:?}");
    assert!(row.extreme && row.tail < EXTREME_TAIL);
}

/// A prior holds a `ParamDist` and reads as it; its JSON keeps the fields
/// `path`, `dist` and `transform`, and reads back.
#[test]
fn a_prior_reads_as_its_param_dist_and_keeps_its_json() {
    let p = Prior::parse(r#"x=1/{dist="uniform",low=1,high=2}"#).unwrap();
    assert_eq!(
        p.param,
        custody_sim::scenario::ParamDist::new("x", custody_sim::Dist::uniform(1.0, 2.0))
    );
    assert_eq!((p.path.as_str(), p.dist), ("x", p.param.dist));
    let j = serde_json::to_string(&p).unwrap();
    assert_eq!(
        j,
        r#"{"path":"x","dist":{"dist":"uniform","low":1.0,"high":2.0},"transform":"reciprocal"}"#
    );
    assert_eq!(serde_json::from_str::<Prior>(&j).unwrap(), p);
}
