//! The version 3 rules of the courts (docs/model.md: routes, priority and
//! other court cases), each on a small scenario with a known answer: exact
//! with fixed times, or an analytic queueing value inside the run's own
//! interval. Every exact run is checked for conservation after every event
//! ([`Plan::replicate_checked`]); then every validation error of the new
//! keys, and the parameter paths that reach them.
//!
//! Statistical checks: a fixed seed, R replications, and the analytic
//! value must lie inside the run's 99% Student-t confidence interval of
//! the per-replication estimates (as in `queueing.rs`).

use custody_sim::{Outcome, Plan, Scenario};
use rayon::prelude::*;
use statrs::distribution::{ContinuousCDF, StudentsT};

const SEED: u64 = 20_260_324;

/// A scenario: groups, facilities and court from `rest` (TOML appended
/// after the transfer), convoys of `size` every day from day 0 with no
/// transit time.
fn scenario(horizon: u32, size: f64, rest: &str) -> Scenario {
    use crate::fixtures::{facility, fixed, header, one_phase};
    let text = format!(
        "{}{}{}{rest}\n",
        header("v3-court", horizon),
        one_phase(&fixed(0.0), &fixed(1.0), &fixed(size)),
        facility("F", 100_000),
    );
    Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Runs replication `i`, checking conservation after every event and that
/// the unchecked run agrees.
fn run_i(plan: &Plan, i: u64) -> Outcome {
    let out = plan.replicate_checked(SEED, i).expect("conservation holds");
    assert_eq!(
        out,
        plan.replicate(SEED, i),
        "checked and unchecked runs differ"
    );
    out
}

fn run(s: &Scenario) -> Outcome {
    run_i(&Plan::new(s).expect("valid"), 0)
}

fn m(o: &Outcome, name: &str) -> f64 {
    o.try_metric(name)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("metric {name} has no value"))
}

/// The 99% Student-t interval of the mean of `xs`; panics (naming `case`)
/// unless `analytic` lies inside it.
fn check(case: &str, analytic: f64, xs: &[f64]) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .expect("t distribution")
        .inverse_cdf(0.995);
    let half = t * (var / n).sqrt();
    println!("{case} | {analytic:.6} | {mean:.6} ± {half:.6} (R = {n})");
    assert!(
        (mean - analytic).abs() <= half,
        "{case}: analytic {analytic} outside the run's 99% CI {mean} ± {half}"
    );
}

/// `f` of replications `0..reps` of `s`, in parallel, in replication order.
fn sample(s: &Scenario, reps: u64, f: impl Fn(&Outcome) -> f64 + Sync) -> Vec<f64> {
    let plan = Plan::new(s).expect("valid");
    (0..reps)
        .into_par_iter()
        .map(|i| {
            let o = plan.replicate(SEED, i);
            assert!(
                m(&o, "remaining_in_syria") > 0.0,
                "replication {i}: the pool ran out, arrivals stopped being Poisson"
            );
            f(&o)
        })
        .collect()
}

/// Court with an investigation of `inv` days and a trial of `trial` days,
/// both fixed, with ample servers, and everyone convicted.
fn two_stage_court(inv: f64, trial: f64) -> String {
    format!(
        r#"
[court]
conviction_probability = 1.0

[[court.stage]]
name = "investigation"
servers = 100000
service_days = {{ dist = "fixed", value = {inv:?} }}

[[court.stage]]
name = "trial"
servers = 100000
service_days = {{ dist = "fixed", value = {trial:?} }}
"#
    )
}

// ---------------------------------------------------------------- routes

/// One group per route, fixed service times (investigation 5 days, trial
/// 2), ample servers: every verdict comes exactly the route's length after
/// arrival (7 days through both, 2 through the trial alone, 0 with an
/// empty route: the verdict on arrival), and each stage completes exactly
/// the cases whose route passes it.
#[test]
fn days_to_verdict_follow_each_route_exactly() {
    for (route, days, inv, trial) in [
        ("", 7.0, 10.0, 10.0),
        ("stages = [\"investigation\", \"trial\"]", 7.0, 10.0, 10.0),
        ("stages = [\"trial\"]", 2.0, 0.0, 10.0),
        ("stages = [\"investigation\"]", 5.0, 10.0, 0.0),
        ("stages = []", 0.0, 0.0, 0.0),
    ] {
        let s = scenario(
            40,
            1.0,
            &format!(
                "[[group]]\nname = \"G\"\ncount = 10\n{route}\n{}",
                two_stage_court(5.0, 2.0)
            ),
        );
        let o = run(&s);
        assert_eq!(m(&o, "convicted"), 10.0, "{route}");
        assert_eq!(m(&o, "mean_days_to_verdict"), days, "{route}");
        assert_eq!(m(&o, "median_days_to_verdict"), days, "{route}");
        assert_eq!(m(&o, "stage.investigation.completed"), inv, "{route}");
        assert_eq!(m(&o, "stage.trial.completed"), trial, "{route}");
        assert_eq!(m(&o, "awaiting_verdict"), 0.0, "{route}");
    }
}

/// Three routes in one scenario, 10 detainees each, everyone through by
/// the horizon: the mean days to verdict is (10·7 + 10·2 + 10·0) / 30 = 3
/// and the median 2, whatever the order of boarding; the trial serves 20,
/// the investigation 10. On day 1 (one convoy of 30 on day 0) the
/// awaiting count is the 20 not yet through (the 10 of the empty route
/// have their verdict on arrival).
#[test]
fn routes_mix_in_one_court() {
    let s = scenario(
        40,
        30.0,
        &format!(
            r#"
[[group]]
name = "Full"
count = 10

[[group]]
name = "TrialOnly"
count = 10
stages = ["trial"]

[[group]]
name = "Direct"
count = 10
stages = []
{}"#,
            two_stage_court(5.0, 2.0)
        ),
    );
    for i in 0..3 {
        let o = run_i(&Plan::new(&s).unwrap(), i);
        assert_eq!(m(&o, "mean_days_to_verdict"), 3.0);
        assert_eq!(m(&o, "median_days_to_verdict"), 2.0);
        assert_eq!(m(&o, "stage.investigation.completed"), 10.0);
        assert_eq!(m(&o, "stage.trial.completed"), 20.0);
        let awaiting = o.series("awaiting_verdict").unwrap();
        // Day 1 (time 1): 20 in court; day 2: the trial-only group is
        // through (2 days); day 7: everyone (5 + 2).
        assert_eq!(&awaiting[..8], &[20, 10, 10, 10, 10, 10, 0, 0]);
    }
}

/// A repatriation clock that starts at a stage on the route runs from
/// the end of that stage: the trial-only group, eligible after the trial
/// (which ends 2 days after arrival) with a fixed delay of 1 day, is
/// repatriated from prison 3 days after arrival, all 10 of them.
#[test]
fn a_clock_at_a_stage_on_the_route_starts_there() {
    let s = scenario(
        40,
        1.0,
        &format!(
            r#"
[[group]]
name = "G"
count = 10
stages = ["trial"]
repatriation = {{ probability = 1.0, delay_days = {{ dist = "fixed", value = 1.0 }}, eligible_after = "trial", after_conviction = true }}
{}"#,
            two_stage_court(5.0, 2.0)
        ),
    );
    let o = run(&s);
    assert_eq!(m(&o, "repatriated"), 10.0);
    assert_eq!(m(&o, "convicted"), 10.0);
    let conv = o.series("convicted_in_custody").unwrap();
    // Arrivals on days 0..9; each convicted at arrival + 2, repatriated at
    // arrival + 3: at the record of day d (time d, series index d - 1)
    // exactly one is convicted and still inside, from day 2 to day 11.
    assert_eq!(&conv[..14], &[0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
}

// -------------------------------------------------------------- priority

/// Non-preemptive priority at an M/M/1 stage (Cobham 1954; Kleinrock,
/// Queueing Systems vol. 2, 1976, eq. 3.30): with classes of rates λ_k,
/// exponential service of rate μ for all, W0 = Σ λ_k E[S²] / 2 = λ / μ²,
/// the mean wait of class k is W0 / ((1 − σ_{k−1})(1 − σ_k)), σ_k the
/// load of the classes up to k.
///
/// Transferees (Poisson, 16 a day) and other cases (Poisson, 24 a day),
/// μ = 50 a day (ρ = 0.8, W0 = 0.016 day). Transferees first (priority
/// −1): W = 0.016 / 0.68 = 0.02353; transferees last (the other cases at
/// −1): W = 0.016 / (0.52 · 0.2) = 0.15385. Horizon 1,000 days (16,000
/// transferees a replication; relaxation time a few days, so the
/// empty-start bias is below 1%, well inside the interval), 40
/// replications.
#[test]
fn priority_waits_follow_cobhams_formula() {
    let (lt, lo, mu, horizon) = (16.0, 24.0, 50.0, 1000u32);
    let w0 = (lt + lo) / (mu * mu);
    for (group_priority, other_priority, analytic) in [
        (-1, 0, w0 / (1.0 - lt / mu)),
        (0, -1, w0 / ((1.0 - lo / mu) * (1.0 - (lt + lo) / mu))),
    ] {
        let s = poisson_stage(
            lt,
            horizon,
            1,
            mu,
            &format!("priority = {group_priority}"),
            &format!("other_cases = {{ per_day = {lo:?}, priority = {other_priority} }}"),
        );
        let waits = sample(&s, 40, |o| m(o, "stage.trial.mean_wait_days"));
        check(
            &format!("M/M/1 priority, transferees at {group_priority}"),
            analytic,
            &waits,
        );
    }
}

/// Equal priorities are first come, first served: transferees of
/// priority 2 (8 a day) and other cases of priority 2 (12 a day) at an
/// M/M/1 stage of rate 25 wait as in plain M/M/1 at the total rate 20,
/// Wq = ρ / (μ − λ) = 0.16 day (Kleinrock 1975, eq. 3.24). 600 days, 30
/// replications.
#[test]
fn equal_priorities_are_first_come_first_served() {
    let (lt, lo, mu) = (8.0, 12.0, 25.0);
    let s = poisson_stage(
        lt,
        600,
        1,
        mu,
        "priority = 2",
        &format!("other_cases = {{ per_day = {lo:?}, priority = 2 }}"),
    );
    let waits = sample(&s, 30, |o| m(o, "stage.trial.mean_wait_days"));
    let lambda = lt + lo;
    check(
        "M/M/1, one priority of 2",
        lambda / mu / (mu - lambda),
        &waits,
    );
}

/// A stage fed by a Poisson process of transferees of rate `lambda` per
/// day (convoys of one, exponential intervals), `servers` servers with
/// exponential service of rate `mu`, the group's extra keys `group` and
/// the stage's extra keys `stage`.
fn poisson_stage(
    lambda: f64,
    horizon: u32,
    servers: u64,
    mu: f64,
    group: &str,
    stage: &str,
) -> Scenario {
    let expected = lambda * f64::from(horizon);
    let count = (expected + 12.0 * expected.sqrt() + 100.0).ceil() as u64;
    let text = format!(
        r#"
name = "poisson"
start_date = "2026-01-21"
horizon_days = {horizon}

[transfer]
transit_days = {{ dist = "fixed", value = 0.0 }}

[[transfer.phase]]
from = 0.0
interval_days = {{ dist = "exponential", mean = {interval:e} }}
convoy_size = {{ dist = "fixed", value = 1.0 }}

[[group]]
name = "all"
count = {count}
{group}

[[facility]]
name = "ample"
capacity = 1000000000

[court]
conviction_probability = 1.0

[[court.stage]]
name = "trial"
servers = {servers}
service_days = {{ dist = "exponential", mean = {mean:e} }}
{stage}
"#,
        interval = 1.0 / lambda,
        mean = 1.0 / mu,
    );
    Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

// ----------------------------------------------------------- other cases

/// Erlang C: probability of waiting in M/M/c with offered load `a` < c
/// (Gross & Harris, Fundamentals of Queueing Theory, 4th ed., 2008, §2.3).
fn erlang_c(c: u64, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    let c = c as f64;
    c * b / (c - a * (1.0 - b))
}

/// Other cases at an M/M/c stage: transferees (Poisson, 20 a day) and
/// other cases (Poisson, 28 a day) share 3 servers of rate μ = 20 a day in
/// one first-come, first-served queue, so the transferees wait as in M/M/3
/// at the total rate 48 (a = 2.4, ρ = 0.8): Wq = C(3, 2.4) / (3μ − λ) =
/// 0.05394 day (Gross & Harris 2008, eq. 2.29). Without the other cases
/// the wait would be 0.00599: the test tells them apart by far. Horizon
/// 800 days, 30 replications.
#[test]
fn other_cases_make_transferees_wait_as_at_the_total_rate() {
    let (lt, lo, mu, c, horizon) = (20.0, 28.0, 20.0, 3u64, 800u32);
    let s = poisson_stage(
        lt,
        horizon,
        c,
        mu,
        "",
        &format!("other_cases = {{ per_day = {lo:?} }}"),
    );
    let lambda = lt + lo;
    let analytic = erlang_c(c, lambda / mu) / (c as f64 * mu - lambda);
    let waits = sample(&s, 30, |o| m(o, "stage.trial.mean_wait_days"));
    check("M/M/3 with other cases", analytic, &waits);
    // Other cases served: about lo · horizon, inside the run's interval
    // (the few in service at the horizon are a fraction of a case).
    let done = sample(&s, 30, |o| m(o, "stage.trial.other_completed"));
    let mean = done.iter().sum::<f64>() / done.len() as f64;
    assert!(
        (mean - lo * f64::from(horizon)).abs() < 0.01 * lo * f64::from(horizon),
        "{mean}"
    );
}

/// A stage whose court opens on day 20 (0 servers until then): other
/// cases from day 5 at 3 a day queue there, in `queue_other.trial`, not in
/// `queue.trial`, which counts the transferees alone (convoys of 2 a day).
/// At the end of day d < 20 the transferees' queue is exactly 2(d + 1), the
/// other cases' is Poisson of mean 3 (d − 5) for d ≥ 5 (0 before): its
/// mean over replications lies inside the run's interval, day by day.
/// Once the court opens, with fixed service of 0.25 day and 1,000
/// servers, every case is served within the day, and the other cases
/// completed are the arrivals of [5, horizon − 0.25], of mean 3 (h − 5.25).
#[test]
fn other_cases_queue_apart_and_arrive_from_their_day() {
    let s = scenario(
        40,
        2.0,
        r#"
[[group]]
name = "G"
count = 1000

[court]
conviction_probability = 1.0

[[court.stage]]
name = "trial"
servers = 0
service_days = { dist = "fixed", value = 0.25 }
schedule = [ { day = 20, servers = 1000 } ]
other_cases = { per_day = 3.0, from = "2026-01-26" }
"#,
    );
    let plan = Plan::new(&s).unwrap();
    let outs: Vec<Outcome> = (0..200).map(|i| run_i(&plan, i)).collect();
    for o in &outs {
        let q = o.series("queue.trial").unwrap();
        // Convoys at times 0, 1, ..., d have arrived by the record of day d.
        for d in 1..20u32 {
            assert_eq!(q[d as usize - 1], 2 * (d + 1), "day {d}");
        }
        assert_eq!(q[19], 0);
        assert_eq!(o.series("queue_other.trial").unwrap()[19], 0);
        assert_eq!(m(o, "stage.trial.completed"), 80.0);
        assert_eq!(m(o, "stage.trial.peak_queue"), 40.0);
    }
    for d in [3u32, 5, 6, 10, 19] {
        let xs: Vec<f64> = outs
            .iter()
            .map(|o| f64::from(o.series("queue_other.trial").unwrap()[d as usize - 1]))
            .collect();
        let expected = 3.0 * (f64::from(d) - 5.0).max(0.0);
        if expected == 0.0 {
            assert!(xs.iter().all(|&x| x == 0.0), "day {d}");
        } else {
            check(&format!("other cases queued on day {d}"), expected, &xs);
        }
    }
    let done: Vec<f64> = outs
        .iter()
        .map(|o| m(o, "stage.trial.other_completed"))
        .collect();
    check("other cases completed", 3.0 * (40.0 - 5.25), &done);
}

/// Other cases never touch the transferees' counts: conviction, custody
/// and occupancy are those of the same scenario without them when the
/// stage has servers to spare.
#[test]
fn other_cases_hold_no_bed() {
    let plain = scenario(
        30,
        3.0,
        &format!(
            "[[group]]\nname = \"G\"\ncount = 60\n{}",
            two_stage_court(2.0, 1.0)
        ),
    );
    let with = plain
        .with_param(
            "court.stage[trial].other_cases",
            "{ per_day = 50.0, service_days = { dist = \"fixed\", value = 0.5 } }",
        )
        .unwrap();
    let (a, b) = (run(&plain), run(&with));
    for name in [
        "convicted",
        "mean_days_to_verdict",
        "facility.F.peak_occupancy",
    ] {
        assert_eq!(m(&a, name), m(&b, name), "{name}");
    }
    assert_eq!(a.series("occupancy.F"), b.series("occupancy.F"));
    assert!(m(&b, "stage.trial.other_completed") > 1000.0);
    assert!(a.try_metric("stage.trial.other_completed").is_err());
    assert!(a.series("queue_other.trial").is_none());
}

// ------------------------------------------------- validation and paths

/// Every new key's problems, each named by its key path with the value,
/// all reported at once.
#[test]
fn each_v3_court_key_is_refused_with_its_key_path() {
    let text = r#"
name = "bad"
start_date = "2026-01-21"
horizon_days = 100

[transfer]
transit_days = { dist = "fixed", value = 0.0 }

[[transfer.phase]]
from = 0.0
interval_days = { dist = "fixed", value = 1.0 }
convoy_size = { dist = "fixed", value = 1.0 }

[[group]]
name = "A"
count = 10
stages = ["trial", "investigation"]

[[group]]
name = "B"
count = 10
stages = ["hearing"]

[[group]]
name = "C"
count = 10
stages = ["trial", "trial"]
repatriation = { probability = 1.0, delay_days = { dist = "fixed", value = 1.0 }, eligible_after = "investigation" }

[[facility]]
name = "F"
capacity = 100

[court]
conviction_probability = 1.0

[[court.stage]]
name = "investigation"
servers = 1
service_days = { dist = "fixed", value = 1.0 }
other_cases = { per_day = -1.0, from = "2025-12-01" }

[[court.stage]]
name = "trial"
servers = 1
service_days = { dist = "fixed", value = 1.0 }
other_cases = { per_day = 1e9, service_days = { dist = "exponential", mean = -2.0 } }
"#;
    let e = Scenario::from_toml_str(text).unwrap_err().to_string();
    for needle in [
        "court.stage[0].other_cases.per_day: must be at least 0, got -1",
        "court.stage[0].other_cases.from: must not be before start_date (2026-01-21), got 2025-12-01",
        "court.stage[1].other_cases.per_day: gives about 1.000e11 cases, more than the limit",
        "court.stage[1].other_cases.service_days",
        "group[0].stages[1]: must follow the court's order (\"investigation\", \"trial\"), got \"investigation\" after \"trial\"",
        "group[1].stages[0]: names no court stage, got \"hearing\" (stages: \"investigation\", \"trial\")",
        "group[2].stages[1]: lists the stage \"trial\" twice",
        "group[2].repatriation.eligible_after: names the stage \"investigation\", which is not on the group's route (stages = [\"trial\", \"trial\"])",
    ] {
        assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
    }
    assert_eq!(e.lines().count(), 8, "{e}");
    // Wrong types and unknown keys name their path too.
    let typed = text
        .replace(
            "stages = [\"hearing\"]",
            "stages = \"hearing\"\npriority = 1.5",
        )
        .replace("per_day = -1.0,", "per_day = -1.0, judges = 3,");
    let e = Scenario::from_toml_str(&typed).unwrap_err().to_string();
    assert!(e.contains("group[1].stages"), "{e}");
    assert!(e.contains("group[1].priority"), "{e}");
    assert!(
        e.contains("court.stage[0].other_cases") && e.contains("judges"),
        "{e}"
    );
}

/// The new values are parameters: `--set`, sweeps and `[uncertainty]`
/// reach them by path, a table left out is created, and bad values are
/// refused at the path as written.
#[test]
fn v3_court_values_are_reachable_by_path() {
    let s = scenario(
        30,
        1.0,
        &format!(
            "[[group]]\nname = \"Minors\"\ncount = 10\n{}",
            two_stage_court(2.0, 1.0)
        ),
    );
    let t = s
        .with_params([
            ("group[Minors].priority", "-1"),
            ("group[Minors].stages", "[\"trial\"]"),
            ("court.stage[trial].other_cases.per_day", "20.0"),
            ("court.stage[trial].other_cases.from", "2026-02-01"),
            ("court.stage[trial].other_cases.priority", "3"),
        ])
        .unwrap();
    assert_eq!(t.groups[0].priority, -1);
    assert_eq!(t.groups[0].stages, Some(vec!["trial".to_string()]));
    let o = t.court.stages[1].other_cases.unwrap();
    assert_eq!((o.per_day, t.day(o.from), o.priority), (20.0, 11.0, 3));
    assert_eq!(
        t.varying_path("court.stage[trial].other_cases.per_day")
            .unwrap(),
        "court.stage[1].other_cases.per_day"
    );
    assert_eq!(
        t.varying_path("group[Minors].priority").unwrap(),
        "group[0].priority"
    );
    let e = s
        .with_param("group[Minors].stages", "[\"appeal\"]")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("group[Minors].stages[0]: names no court stage"),
        "{e}"
    );
    let e = t
        .with_param("court.stage[trial].other_cases.per_day", "-3")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "court.stage[trial].other_cases.per_day: must be at least 0, got -3"
    );
    // The keys write back and read again to the same scenario.
    assert_eq!(Scenario::from_toml_str(&t.to_toml_string()).unwrap(), t);
    // A scenario without them writes none.
    let text = s.to_toml_string();
    for key in ["priority", "stages =", "other_cases"] {
        assert!(!text.contains(key), "{key} in\n{text}");
    }
}

// ---------------------------------------------------------------- appeal

/// A court of one trial of 1 day (ample servers), everyone convicted, one
/// sentence `s` with `exit` (TOML inline, or empty), and `[court.appeal]`
/// with `appeal`'s keys; groups from `group`. Convoys of one a day.
fn appeal_court(group: &str, exit: &str, appeal: &str) -> Scenario {
    scenario(
        60,
        1.0,
        &format!(
            r#"
{group}

[court]
conviction_probability = 1.0

[[court.stage]]
name = "trial"
servers = 1000
service_days = {{ dist = "fixed", value = 1.0 }}

[[court.sentence]]
name = "s"
probability = 1.0
{exit}

[court.appeal]
{appeal}
"#
        ),
    )
}

/// One appeal server, reviews of 2 days, no reversal; convictions at days
/// 1, 2, ..., 10 (arrivals 0..9, a 1-day trial). Reviews start at 1, 3,
/// 5, ..., 19 (waits 0, 1, ..., 9: mean 4.5) and end at 3, 5, ..., 21.
/// A death sentence executed 5 days after finality: executions at 8, 10,
/// ..., 26, where without the appeal they would come 5 days after each
/// verdict. Every day's count of convicted in custody is exact.
#[test]
fn executions_wait_for_finality() {
    let s = appeal_court(
        "[[group]]\nname = \"G\"\ncount = 10",
        "exit = { kind = \"executed\", after_days = { dist = \"fixed\", value = 5.0 } }",
        "servers = 1\nservice_days = { dist = \"fixed\", value = 2.0 }",
    );
    let o = run(&s);
    assert_eq!(m(&o, "convicted"), 10.0);
    assert_eq!(m(&o, "executed"), 10.0);
    assert_eq!(m(&o, "appeal.completed"), 10.0);
    assert_eq!(m(&o, "appeal.mean_wait_days"), 4.5);
    assert_eq!(m(&o, "released_on_appeal"), 0.0);
    assert_eq!(m(&o, "appeal.queue_at_horizon"), 0.0);
    // Verdicts at arrival + 1: the first verdict, not finality.
    assert_eq!(m(&o, "mean_days_to_verdict"), 1.0);
    let conv = o.series("convicted_in_custody").unwrap();
    let queue = o.series("appeal_queue").unwrap();
    for d in 1..=30u32 {
        let t = f64::from(d);
        let convicted = (1..=10).filter(|&k| f64::from(k) <= t).count() as u32;
        let executed = (0..10).filter(|&k| 8.0 + 2.0 * f64::from(k) <= t).count() as u32;
        assert_eq!(conv[d as usize - 1], convicted - executed, "day {d}");
        // Waiting (not in review): convicted by d, less reviews started
        // (at 1, 3, ..., 19).
        let started = (0..10).filter(|&k| 1.0 + 2.0 * f64::from(k) <= t).count() as u32;
        assert_eq!(queue[d as usize - 1], convicted - started, "day {d}");
    }
    assert_eq!(
        m(&o, "appeal.peak_queue"),
        f64::from(*queue.iter().max().unwrap())
    );
    // Those under appeal are convicted, not awaiting a verdict: at the
    // record of day d only the one who arrived at d is in trial.
    let awaiting = o.series("awaiting_verdict").unwrap();
    for d in 1..=30u32 {
        assert_eq!(awaiting[d as usize - 1], u32::from(d <= 9), "day {d}");
    }
}

/// Reversals: each review reverses with probability 0.3, so of the 200
/// convictions 60 are released on appeal on average (binomial mean),
/// inside the run's interval; the others are final. A reversal cancels
/// the sentence's exit: executions (5 days after finality) number the
/// convictions not reversed, exactly, in every replication.
#[test]
fn reversals_are_binomial_and_cancel_the_exit() {
    let s = appeal_court(
        "[[group]]\nname = \"G\"\ncount = 200",
        "exit = { kind = \"executed\", after_days = { dist = \"fixed\", value = 5.0 } }",
        "servers = 1000\nservice_days = { dist = \"fixed\", value = 3.0 }\nreversal_probability = 0.3",
    )
    .with_param("horizon_days", "300")
    .unwrap();
    let plan = Plan::new(&s).unwrap();
    let mut reversed = Vec::new();
    for i in 0..60 {
        let o = if i < 3 {
            run_i(&plan, i)
        } else {
            plan.replicate(SEED, i)
        };
        assert_eq!(m(&o, "convicted"), 200.0);
        assert_eq!(m(&o, "appeal.completed"), 200.0);
        let r = m(&o, "released_on_appeal");
        assert_eq!(m(&o, "executed"), 200.0 - r);
        assert_eq!(m(&o, "released"), 0.0);
        reversed.push(r);
    }
    check("released on appeal, p = 0.3 of 200", 60.0, &reversed);
}

/// A term that ends during the appeal releases the detainee and ends the
/// appeal case (a 3-day term, reviews of 10 days: all 10 released after
/// their sentence, no review completed); a reversal before the term ends
/// cancels it (reviews of 1 day, reversal certain: all 10 released on
/// appeal, none after a sentence).
#[test]
fn a_term_served_during_the_appeal_ends_it_and_a_reversal_cancels_it() {
    let term = "exit = { kind = \"released\", after_days = { dist = \"fixed\", value = 3.0 } }";
    let s = appeal_court(
        "[[group]]\nname = \"G\"\ncount = 10",
        term,
        "servers = 1000\nservice_days = { dist = \"fixed\", value = 10.0 }",
    );
    let o = run(&s);
    assert_eq!(m(&o, "released_after_sentence"), 10.0);
    assert_eq!(m(&o, "appeal.completed"), 0.0);
    assert_eq!(m(&o, "released_on_appeal"), 0.0);
    assert!(o.series("appeal_queue").unwrap().iter().all(|&x| x == 0));
    assert_eq!(o.series("convicted_in_custody").unwrap()[59], 0);
    let s = appeal_court(
        "[[group]]\nname = \"G\"\ncount = 10",
        term,
        "servers = 1000\nservice_days = { dist = \"fixed\", value = 1.0 }\nreversal_probability = 1.0",
    );
    let o = run(&s);
    assert_eq!(m(&o, "released_on_appeal"), 10.0);
    assert_eq!(m(&o, "released_after_sentence"), 0.0);
    assert_eq!(m(&o, "appeal.completed"), 10.0);
    assert_eq!(m(&o, "convicted"), 10.0);
}

/// A transfer of sentenced persons (`eligible_after = "verdict"`) waits
/// for finality: reviews of 4 days, a delay of 1 day: repatriated 1 + 4 +
/// 1 = 6 days after arrival; an appeal court that opens on day 20 holds
/// every conviction in its queue until then.
#[test]
fn repatriation_after_the_verdict_waits_for_finality() {
    let s = appeal_court(
        "[[group]]\nname = \"G\"\ncount = 10\nrepatriation = { probability = 1.0, delay_days = { dist = \"fixed\", value = 1.0 }, eligible_after = \"verdict\", after_conviction = true }",
        "",
        "servers = 1000\nservice_days = { dist = \"fixed\", value = 4.0 }",
    );
    let o = run(&s);
    assert_eq!(m(&o, "repatriated"), 10.0);
    let conv = o.series("convicted_in_custody").unwrap();
    // Arrival a = 0..9, conviction at a + 1, repatriation at a + 6: at the
    // record of day d, those with a + 1 <= d < a + 6.
    for d in 1..=20u32 {
        let n = (0..10u32).filter(|&a| a < d && d < a + 6).count() as u32;
        assert_eq!(conv[d as usize - 1], n, "day {d}");
    }
    let s = appeal_court(
        "[[group]]\nname = \"G\"\ncount = 10",
        "",
        "servers = 0\nservice_days = { dist = \"fixed\", value = 4.0 }\nschedule = [ { day = 20, servers = 5 } ]",
    );
    let o = run(&s);
    let queue = o.series("appeal_queue").unwrap();
    for d in 1..20u32 {
        assert_eq!(queue[d as usize - 1], d.min(10), "day {d}");
    }
    // From day 20, five at a time, 4 days each: 5 wait on day 20, none on 24.
    assert_eq!(queue[19], 5);
    assert_eq!(queue[23], 0);
    assert_eq!(m(&o, "appeal.completed"), 10.0);
    assert_eq!(m(&o, "appeal.peak_queue"), 10.0);
}

// ----------------------------------------------------------- deportation

/// Deportation with fixed delays: everyone acquitted at arrival + 1 (a
/// 1-day trial) waits 5 days in custody and is deported at arrival + 6.
/// `released` counts the court's 10 decisions, `deported` the 10 who
/// left; awaiting deportation at the record of day d is the number with
/// a + 1 <= d < a + 6, and they are inside: in occupancy and in_custody.
#[test]
fn deported_and_awaiting_counts_are_exact() {
    let s = scenario(
        40,
        1.0,
        r#"
[[group]]
name = "G"
count = 10
deportation = { delay_days = { dist = "fixed", value = 5.0 } }

[[group]]
name = "H"
count = 0

[court]
conviction_probability = 0.0

[[court.stage]]
name = "trial"
servers = 1000
service_days = { dist = "fixed", value = 1.0 }
"#,
    );
    let o = run(&s);
    assert_eq!(m(&o, "released"), 10.0);
    assert_eq!(m(&o, "deported"), 10.0);
    assert_eq!(m(&o, "deported.G"), 10.0);
    assert_eq!(m(&o, "deported.H"), 0.0);
    let waiting = o.series("awaiting_deportation").unwrap();
    let custody = o.series("in_custody").unwrap();
    let occ = o.series("occupancy.F").unwrap();
    for d in 1..=20u32 {
        let n = (0..10u32).filter(|&a| a < d && d < a + 6).count() as u32;
        assert_eq!(waiting[d as usize - 1], n, "day {d}");
        // In court: arrived by d, verdict after d (one a day, a = d).
        let in_court = u32::from(d < 10);
        assert_eq!(custody[d as usize - 1], n + in_court, "day {d}");
        assert_eq!(occ[d as usize - 1], n + in_court, "day {d}");
    }
}

/// Deportation after a sentence and after a reversal: a 2-day term then a
/// 3-day wait (deported at verdict + 5); a reversal on appeal (1-day
/// review, certain) then a 3-day wait (deported at verdict + 4, the term
/// cancelled). Nobody waiting is repatriated, though the group's clock
/// would come during the wait.
#[test]
fn deportation_follows_every_release_by_the_court() {
    let group = "[[group]]\nname = \"G\"\ncount = 10\ndeportation = { delay_days = { dist = \"fixed\", value = 3.0 } }";
    let s = scenario(
        40,
        1.0,
        &format!(
            r#"
{group}
repatriation = {{ probability = 1.0, delay_days = {{ dist = "fixed", value = 4.0 }}, after_conviction = true }}

[court]
conviction_probability = 1.0

[[court.stage]]
name = "trial"
servers = 1000
service_days = {{ dist = "fixed", value = 1.0 }}

[[court.sentence]]
name = "term"
probability = 1.0
exit = {{ kind = "released", after_days = {{ dist = "fixed", value = 2.0 }} }}
"#
        ),
    );
    let o = run(&s);
    // Verdict at a + 1, term ends at a + 3, deported at a + 6; the
    // repatriation clock (a + 4) finds them awaiting deportation.
    assert_eq!(m(&o, "released_after_sentence"), 10.0);
    assert_eq!(m(&o, "deported"), 10.0);
    assert_eq!(m(&o, "repatriated"), 0.0);
    let waiting = o.series("awaiting_deportation").unwrap();
    for d in 1..=20u32 {
        let n = (0..10u32).filter(|&a| a + 3 <= d && d < a + 6).count() as u32;
        assert_eq!(waiting[d as usize - 1], n, "day {d}");
    }
    let s = appeal_court(
        &format!("{group}\n"),
        "exit = { kind = \"released\", after_days = { dist = \"fixed\", value = 2.0 } }",
        "servers = 1000\nservice_days = { dist = \"fixed\", value = 1.0 }\nreversal_probability = 1.0",
    );
    let o = run(&s);
    assert_eq!(m(&o, "released_on_appeal"), 10.0);
    assert_eq!(m(&o, "released_after_sentence"), 0.0);
    assert_eq!(m(&o, "deported"), 10.0);
    let waiting = o.series("awaiting_deportation").unwrap();
    for d in 1..=20u32 {
        let n = (0..10u32).filter(|&a| a + 2 <= d && d < a + 5).count() as u32;
        assert_eq!(waiting[d as usize - 1], n, "day {d}");
    }
}

/// The appeal's and deportation's keys are refused with their paths.
#[test]
fn appeal_and_deportation_keys_are_refused_with_their_paths() {
    let base = appeal_court(
        "[[group]]\nname = \"G\"\ncount = 10",
        "",
        "servers = 1\nservice_days = { dist = \"fixed\", value = 1.0 }",
    );
    for (path, value, needle) in [
        (
            "court.appeal.servers",
            "0",
            "court.appeal.servers: must be at least 1, got 0",
        ),
        (
            "court.appeal.reversal_probability",
            "1.5",
            "court.appeal.reversal_probability: must be a probability between 0 and 1, got 1.5",
        ),
        (
            "court.appeal.service_days",
            "{ dist = \"exponential\", mean = 0.0 }",
            "court.appeal.service_days",
        ),
        (
            "court.appeal.schedule",
            "[ { day = \"2020-01-01\", servers = 3 } ]",
            "court.appeal.schedule[0].day: must not be before start_date",
        ),
        (
            "group[G].deportation",
            "{ delay_days = { dist = \"uniform\", low = 5.0, high = 1.0 } }",
            "group[G].deportation.delay_days",
        ),
        (
            "group[G].deportation",
            "{ days = 3 }",
            "group[G].deportation",
        ),
        ("court.appeal.judges", "3", "unknown field `judges`"),
    ] {
        let e = base.with_param(path, value).unwrap_err().to_string();
        assert!(e.contains(needle), "{path}={value}: {e}");
    }
    // Set by path, with a table left out created.
    let t = base
        .with_params([
            ("court.appeal.servers", "7"),
            ("court.appeal.reversal_probability", "0.05"),
            (
                "group[G].deportation.delay_days",
                "{ dist = \"fixed\", value = 30.0 }",
            ),
        ])
        .unwrap();
    let a = t.court.appeal.as_ref().unwrap();
    assert_eq!((a.servers, a.reversal_probability), (7, 0.05));
    assert!(t.groups[0].deportation.is_some());
    assert_eq!(
        t.varying_path("court.appeal.reversal_probability").unwrap(),
        "court.appeal.reversal_probability"
    );
    assert_eq!(Scenario::from_toml_str(&t.to_toml_string()).unwrap(), t);
    // `check` refuses an appeal that opens only after the horizon.
    let late = base
        .with_params([
            ("court.appeal.servers", "0"),
            ("court.appeal.schedule", "[ { day = 100, servers = 3 } ]"),
        ])
        .unwrap();
    let e = late.check_within_horizon().unwrap_err().to_string();
    assert!(e.starts_with("court.appeal.servers: is 0"), "{e}");
}

// ---------------------------------------------------------------- charts

/// The court chart draws the appeal's queue as one more panel after the
/// stages, and a stage's other cases as a band of their own.
#[cfg(feature = "plots")]
#[test]
fn the_court_chart_shows_the_appeal_and_other_cases() {
    use custody_sim::montecarlo::{Runs, run as mc_run};
    use custody_sim::report::plots::write_plots;

    let s = appeal_court(
        "[[group]]\nname = \"G\"\ncount = 30",
        "",
        "servers = 1\nservice_days = { dist = \"fixed\", value = 2.0 }",
    )
    .with_param("court.stage[trial].other_cases", "{ per_day = 2.0 }")
    .unwrap();
    let summary = mc_run(
        &s,
        &Runs {
            replications: 4,
            seed: SEED,
            threads: 1,
        },
    )
    .unwrap();
    let dir = crate::cli::Scratch::new("v3-court-plots");
    let files = write_plots(&s, &summary, &dir.path("plots")).unwrap();
    let svg = files
        .iter()
        .find(|f| f.ends_with("court_queues.svg"))
        .expect("a court chart");
    let text = std::fs::read_to_string(svg).unwrap();
    for needle in ["appeal queue", "other cases", "appeal (1 servers at first)"] {
        assert!(text.contains(needle), "{needle} not drawn");
    }
}

/// The run table gives the other cases, the appeal and deportation their
/// rows, only when their rule is used; JSON and CSV carry the new metrics
/// and series by the schema.
#[test]
fn the_run_table_shows_the_v3_courts() {
    use custody_sim::montecarlo::{Runs, run as mc_run};
    use custody_sim::report::table::summary_table;

    let runs = Runs {
        replications: 4,
        seed: SEED,
        threads: 1,
    };
    let plain = appeal_court(
        "[[group]]\nname = \"G\"\ncount = 30",
        "",
        "servers = 1\nservice_days = { dist = \"fixed\", value = 2.0 }",
    );
    let s = plain
        .with_params([
            ("court.stage[trial].other_cases", "{ per_day = 2.0 }"),
            (
                "group[G].deportation",
                "{ delay_days = { dist = \"fixed\", value = 3.0 } }",
            ),
            ("court.appeal.reversal_probability", "0.5"),
        ])
        .unwrap();
    let text = summary_table(&s, &mc_run(&s, &runs).unwrap(), None);
    for needle in [
        "Other court cases",
        "Appeal (1 servers at first, reversal probability 0.5)",
        "convictions reversed on appeal",
        "Deportation (released by the court",
        "deported, G",
    ] {
        assert!(text.contains(needle), "{needle} missing in\n{text}");
    }
    let mut without = plain.clone();
    without.court.appeal = None;
    let text = summary_table(&without, &mc_run(&without, &runs).unwrap(), None);
    for needle in ["Other court cases", "Appeal (", "Deportation ("] {
        assert!(!text.contains(needle), "{needle} in\n{text}");
    }
}
