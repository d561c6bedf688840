//! Validation against queueing theory.
//!
//! Each case is a scenario in the terms of docs/model.md that reduces the court
//! pipeline to a textbook queue: a single transfer phase with `exponential`
//! intervals and convoys of exactly one detainee arriving at once
//! (`transit_days = fixed 0`) is a Poisson arrival process of rate
//! `lambda = 1 / mean interval`; one group whose `count` exceeds every
//! possible arrival in the horizon (checked: the pool is never empty at the
//! horizon, so the Poisson process never runs out); one facility with far
//! more beds than detainees; no repatriation (except in the abandonment
//! case); conviction probability 1. A court stage is then a FCFS queue with
//! `servers` servers and the stage's service law.
//!
//! Method: R independent replications with a fixed master seed, replication
//! `i` being stream `(seed, i)` (run in parallel with rayon, collected in
//! index order, so the result is the same on any number of threads). From
//! each replication one estimate is taken; the assertion is that the
//! ANALYTIC value lies inside the 99% Student-t confidence interval of the
//! R estimates (`mean +- t(0.995, R-1) * sd / sqrt(R)`). With fixed seeds the
//! outcome is deterministic; a correct engine fails a given case for 1 seed
//! in 100, a biased one fails systematically.
//!
//! Transient bias. Every replication starts from an EMPTY system, and
//! `stage.<s>.mean_wait_days` averages over every case that started service
//! in `[0, horizon]`, so it is biased low by about `tau / horizon` (relative),
//! where `tau` is the relaxation time of the queue (Morse 1955; Abate &
//! Whitt 1987: `1 / (mu (1 - sqrt rho)^2)` for M/M/1). Each case is
//! dimensioned so that this is below a tenth of the CI half-width (the
//! figures are in each test's comment). Where the daily `queue.<stage>`
//! series is used, days before a warm-up of many relaxation times are
//! dropped, which removes the bias altogether: an end-of-day record of a
//! stationary process has the stationary law, whatever the sampling times.
//!
//! Reproduce the table of docs/validation.md with
//! `cargo test --release --test integration queueing -- --nocapture`
//! (each case prints `case | analytic | simulated mean [99% CI]`).

use custody_sim::{Outcome, Plan, Scenario};
use rayon::prelude::*;
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::fixtures::{self, exponential, fixed};

/// A court stage of a test scenario.
struct Stage {
    name: &'static str,
    servers: u64,
    /// The `service_days` table, in TOML inline form.
    service: String,
    /// Extra keys of the stage table (a `schedule`), in TOML.
    extra: &'static str,
}

impl Stage {
    fn new(name: &'static str, servers: u64, service: String) -> Stage {
        Stage {
            name,
            servers,
            service,
            extra: "",
        }
    }
}

/// A scenario whose arrivals in Iraq are a Poisson process of rate `lambda`
/// per day from day 0 to `horizon`, flowing through `stages` in tandem.
///
/// The pool holds `lambda * horizon` plus 12 standard deviations of a
/// Poisson count plus 100: it does not run out (asserted by [`run`]).
/// `repatriation` is the group's `repatriation` table, TOML inline.
fn scenario(
    name: &str,
    lambda: f64,
    horizon: u32,
    stages: &[Stage],
    repatriation: &str,
) -> Scenario {
    let expected = lambda * f64::from(horizon);
    let count = (expected + 12.0 * expected.sqrt() + 100.0).ceil() as u64;
    let mut toml = fixtures::poisson_court(name, lambda, horizon, count, repatriation);
    for st in stages {
        toml.push_str(&fixtures::stage(st.name, st.servers, &st.service, st.extra));
    }
    Scenario::from_toml_str(&toml)
        .unwrap_or_else(|e| panic!("test scenario {name} is invalid: {e}"))
}

/// Replications per case.
const REPS: u64 = 60;

const NO_REPATRIATION: &str = "{ probability = 0.0 }";

/// Runs replications `0..reps` of `scenario` with master seed `seed` in
/// parallel and returns `f` of each outcome, in replication order.
///
/// Asserts that the Syrian pool was never exhausted (the arrival process
/// is Poisson over the whole horizon).
fn run<T: Send>(
    scenario: &Scenario,
    seed: u64,
    reps: u64,
    f: impl Fn(&Outcome) -> T + Sync,
) -> Vec<T> {
    let plan = Plan::new(scenario).expect("valid scenario");
    (0..reps)
        .into_par_iter()
        .map(|i| {
            let out = plan.replicate(seed, i);
            let left = out
                .metric("remaining_in_syria")
                .expect("remaining_in_syria");
            assert!(
                left > 0.0,
                "replication {i}: the pool ran out, arrivals stopped being Poisson"
            );
            f(&out)
        })
        .collect()
}

/// A 99% Student-t confidence interval for the mean of a sample.
#[derive(Debug, Clone, Copy)]
struct Ci {
    mean: f64,
    low: f64,
    high: f64,
}

fn ci99(xs: &[f64]) -> Ci {
    let n = xs.len() as f64;
    assert!(xs.len() >= 2, "need two replications for a CI");
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .expect("t distribution")
        .inverse_cdf(0.995);
    let half = t * (var / n).sqrt();
    Ci {
        mean,
        low: mean - half,
        high: mean + half,
    }
}

/// Prints `case | analytic | simulated mean [99% CI]` and asserts the
/// analytic value is inside the interval.
fn check(case: &str, analytic: f64, sample: &[f64]) {
    let ci = ci99(sample);
    println!(
        "{case} | {analytic:.6} | {:.6} [{:.6}, {:.6}] (R = {})",
        ci.mean,
        ci.low,
        ci.high,
        sample.len()
    );
    assert!(
        ci.low <= analytic && analytic <= ci.high,
        "{case}: analytic {analytic} outside the simulated 99% CI [{}, {}] (mean {})",
        ci.low,
        ci.high,
        ci.mean
    );
}

/// The metric `name` of an outcome (present: the cases are long enough).
fn metric(out: &Outcome, name: &str) -> f64 {
    out.metric(name)
        .unwrap_or_else(|| panic!("metric {name} has no value"))
}

/// Mean of the daily series `name` over days `warmup + 1 ..= horizon`.
fn series_mean_after(out: &Outcome, name: &str, warmup: usize) -> f64 {
    let s = out
        .series(name)
        .unwrap_or_else(|| panic!("no series {name}"));
    let tail = &s[warmup..];
    tail.iter().map(|&q| f64::from(q)).sum::<f64>() / tail.len() as f64
}

/// Erlang C: probability that an arrival waits in M/M/c with offered load
/// `a = lambda / mu` < c, through the Erlang B recursion
/// `B(k) = a B(k-1) / (k + a B(k-1))`, `C = c B / (c - a (1 - B))`
/// (Gross & Harris, Fundamentals of Queueing Theory, 4th ed., 2008, §2.3;
/// Kleinrock, Queueing Systems vol. 1, 1975, eq. 3.40).
fn erlang_c(c: u64, a: f64) -> f64 {
    assert!(a < c as f64, "unstable queue");
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    let c = c as f64;
    c * b / (c - a * (1.0 - b))
}

/// Mean wait in queue of M/M/c: `Wq = C(c, lambda/mu) / (c mu - lambda)`
/// (Gross & Harris 2008, eq. 2.29; Kleinrock 1975, eq. 3.43).
fn mmc_wq(lambda: f64, mu: f64, c: u64) -> f64 {
    erlang_c(c, lambda / mu) / (c as f64 * mu - lambda)
}

/// M/M/1 mean wait and number in queue, `Wq = rho / (mu - lambda)` and
/// `Lq = rho^2 / (1 - rho)` (Kleinrock 1975, eqs. 3.24-3.26), checked on
/// the engine's two estimators: the per-replication mean wait metric, and
/// the time average of the end-of-day queue series.
///
/// lambda = 40/day, mu = 50/day (rho = 0.8): Wq = 0.08 day, Lq = 3.2.
/// Relaxation time 1 / (mu (1 - sqrt rho)^2) = 1.8 days; the horizon of
/// 2,000 days (80,000 cases a replication) puts the empty-start bias of the
/// wait metric near 0.1%, against a CI half-width of 1.3%. The queue series
/// is averaged after a warm-up of 50 days (28 relaxation times): no bias.
/// 60 replications, seed 1001.
#[test]
fn mm1_mean_wait_and_queue_length() {
    let (lambda, mu, horizon, warmup) = (40.0, 50.0, 2000, 50);
    let s = scenario(
        "mm1",
        lambda,
        horizon,
        &[Stage::new("trial", 1, exponential(1.0 / mu))],
        NO_REPATRIATION,
    );
    let rho = lambda / mu;
    let per_rep = run(&s, 1001, REPS, |o| {
        (
            metric(o, "stage.trial.mean_wait_days"),
            series_mean_after(o, "queue.trial", warmup),
        )
    });
    let wq: Vec<f64> = per_rep.iter().map(|r| r.0).collect();
    let lq: Vec<f64> = per_rep.iter().map(|r| r.1).collect();
    assert!((mmc_wq(lambda, mu, 1) - rho / (mu - lambda)).abs() < 1e-12);
    check("M/M/1 rho=0.8 Wq [days]", rho / (mu - lambda), &wq);
    check(
        "M/M/1 rho=0.8 Lq (daily queue series)",
        rho * rho / (1.0 - rho),
        &lq,
    );
}

/// M/M/c mean wait by Erlang C, `Wq = C(c, a) / (c mu - lambda)`
/// (Gross & Harris 2008, §2.3; Kleinrock 1975, §3.5), c = 10 servers of
/// rate mu = 10/day.
fn mmc_case(case: &str, lambda: f64, horizon: u32, seed: u64) {
    let (mu, c) = (10.0, 10);
    let s = scenario(
        "mmc",
        lambda,
        horizon,
        &[Stage::new("trial", c, exponential(1.0 / mu))],
        NO_REPATRIATION,
    );
    let wq = run(&s, seed, REPS, |o| metric(o, "stage.trial.mean_wait_days"));
    check(case, mmc_wq(lambda, mu, c), &wq);
}

/// M/M/10 at utilisation 0.5 (lambda = 50/day, mu = 10/day): Erlang C =
/// 0.036, Wq = 7.2e-4 day. Relaxation is fast (under a day); 1,500 days
/// (75,000 cases) a replication, 60 replications, seed 1002.
#[test]
fn mmc_erlang_c_utilisation_05() {
    mmc_case("M/M/10 rho=0.5 Wq [days]", 50.0, 1500, 1002);
}

/// M/M/10 at utilisation 0.9 (lambda = 90/day, mu = 10/day): Erlang C =
/// 0.668, Wq = 0.0668 day. Slow relaxation: 1 / (c mu (1 - sqrt rho)^2) =
/// 3.8 days, so the horizon is 3,000 days (270,000 cases a replication) and
/// the empty-start bias about 0.1%, against a CI half-width of about 1.7%
/// (a probe at horizons of 100 and 300 days measured -1.5% and -0.9%, in
/// line with tau / H).
/// 60 replications, seed 1003.
#[test]
fn mmc_erlang_c_utilisation_09() {
    mmc_case("M/M/10 rho=0.9 Wq [days]", 90.0, 3000, 1003);
}

/// M/D/1 mean wait by Pollaczek-Khinchine, `Wq = lambda E[S^2] / (2 (1 -
/// rho))`, with fixed service `E[S^2] = 1/mu^2`: `Wq = rho / (2 mu (1 -
/// rho))`, half the M/M/1 value (Kleinrock 1975, eq. 5.73; Gross & Harris
/// 2008, eq. 5.8). lambda = 40/day, service fixed 0.02 day (rho = 0.8):
/// Wq = 0.04 day. Relaxes faster than M/M/1; 2,000 days (80,000 cases) a
/// replication, 60 replications, seed 1004.
#[test]
fn md1_pollaczek_khinchine() {
    let (lambda, service, horizon) = (40.0, 0.02, 2000);
    let s = scenario(
        "md1",
        lambda,
        horizon,
        &[Stage::new("trial", 1, fixed(service))],
        NO_REPATRIATION,
    );
    let wq = run(&s, 1004, REPS, |o| metric(o, "stage.trial.mean_wait_days"));
    let mu = 1.0 / service;
    let rho = lambda / mu;
    check(
        "M/D/1 rho=0.8 Wq [days] (P-K)",
        rho / (2.0 * mu * (1.0 - rho)),
        &wq,
    );
}

/// M/M/infinity (servers = 10^9, never all busy): nobody waits, and the
/// number in service is Poisson with mean `lambda / mu` (Kleinrock 1975,
/// §3.6; Gross & Harris 2008, §2.7).
///
/// Estimator of the number in service: stage 1 is the M/M/inf stage;
/// stage 2 is closed from day 0 (a schedule sets its servers to 0, so it
/// never serves) and collects every case stage 1 finishes in its queue.
/// Nobody leaves custody, and conviction needs stage 2, so on each day
/// `in_custody = (in stage 1) + queue.closed`, and stage 1 has no queue:
/// the number in service at stage 1 at the end of day d is exactly
/// `in_custody[d] - queue.closed[d]`. Its average over days after a warm-up
/// of 20 days (40 mean service times; the mean from empty is
/// `lambda/mu (1 - e^{-mu t})`) estimates `lambda / mu` without bias.
///
/// lambda = 50/day, mu = 2/day: mean 25 in service. 400 days a replication,
/// 60 replications, seed 1005. The wait check is exact: every replication's
/// mean wait at stage 1 is 0.
#[test]
fn mm_infinity_no_wait_and_mean_in_service() {
    let (lambda, mu, horizon, warmup) = (50.0, 2.0, 400, 20);
    let closed = Stage {
        name: "closed",
        servers: 1,
        service: fixed(1.0),
        extra: "schedule = [ { day = 0.0, servers = 0 } ]",
    };
    let s = scenario(
        "mminf",
        lambda,
        horizon,
        &[
            Stage::new("open", 1_000_000_000, exponential(1.0 / mu)),
            closed,
        ],
        NO_REPATRIATION,
    );
    let per_rep = run(&s, 1005, REPS, |o| {
        let wait = metric(o, "stage.open.mean_wait_days");
        assert!(o.series("queue.open").unwrap().iter().all(|&q| q == 0));
        assert_eq!(o.metric("stage.closed.completed"), Some(0.0));
        let custody = o.series("in_custody").unwrap();
        let parked = o.series("queue.closed").unwrap();
        let tail: Vec<f64> = custody[warmup..]
            .iter()
            .zip(&parked[warmup..])
            .map(|(&c, &p)| f64::from(c) - f64::from(p))
            .collect();
        (wait, tail.iter().sum::<f64>() / tail.len() as f64)
    });
    for (i, r) in per_rep.iter().enumerate() {
        assert_eq!(
            r.0, 0.0,
            "replication {i}: a case waited with unlimited servers"
        );
    }
    println!(
        "M/M/inf mean wait [days] | 0 | exactly 0 in all {} replications",
        per_rep.len()
    );
    let busy: Vec<f64> = per_rep.iter().map(|r| r.1).collect();
    check("M/M/inf mean number in service", lambda / mu, &busy);
}

/// Two stages in tandem, a Jackson network: by Burke's theorem the output
/// of a stationary M/M/c queue is Poisson of rate lambda, so each stage is
/// its own M/M/c and its mean wait is Erlang C's (Jackson 1957; Burke 1956;
/// Gross & Harris 2008, §4.1).
///
/// lambda = 40/day; investigation: 2 servers of rate 25/day (rho = 0.8,
/// Wq = 0.0711 day); trial: 1 server of rate 50/day (rho = 0.8, Wq = 0.08
/// day). Relaxation times about 2 days each; 2,000 days (80,000 cases) a
/// replication, 60 replications, seed 1006.
#[test]
fn tandem_jackson_network() {
    let (lambda, horizon) = (40.0, 2000);
    let (mu1, c1, mu2, c2) = (25.0, 2, 50.0, 1);
    let s = scenario(
        "tandem",
        lambda,
        horizon,
        &[
            Stage::new("investigation", c1, exponential(1.0 / mu1)),
            Stage::new("trial", c2, exponential(1.0 / mu2)),
        ],
        NO_REPATRIATION,
    );
    let per_rep = run(&s, 1006, REPS, |o| {
        (
            metric(o, "stage.investigation.mean_wait_days"),
            metric(o, "stage.trial.mean_wait_days"),
        )
    });
    let w1: Vec<f64> = per_rep.iter().map(|r| r.0).collect();
    let w2: Vec<f64> = per_rep.iter().map(|r| r.1).collect();
    check(
        "Tandem stage 1 M/M/2 rho=0.8 Wq [days]",
        mmc_wq(lambda, mu1, c1),
        &w1,
    );
    check(
        "Tandem stage 2 M/M/1 rho=0.8 Wq [days]",
        mmc_wq(lambda, mu2, c2),
        &w2,
    );
}

/// Little's law on a court stage, `Lq = lambda Wq` (Little 1961; Kleinrock
/// 1975, §2.1), which holds whatever the service law. The stage is M/G/3
/// with lognormal service (mean 0.05 day, sd 0.08 day), for which no closed
/// form of Wq exists; lambda = 45/day (rho = 0.75).
///
/// Per replication, over the whole horizon [0, H]:
/// `D = mean of queue.trial over days 1..=H - (transferred / H) * mean wait`,
/// the sample-path form of Little's law with the observed arrival rate. Its
/// expectation is 0 up to edge terms of order Lq / (lambda H) relative
/// (cases still queued at H, and daily sampling of the empty start), about
/// 1e-4 here, far below the CI half-width. 1,500 days (67,500 cases) a
/// replication, 60 replications, seed 1007.
#[test]
fn littles_law_on_a_court_stage() {
    let (lambda, horizon) = (45.0, 1500);
    let service = "{ dist = \"lognormal\", mean = 0.05, sd = 0.08 }".to_string();
    let s = scenario(
        "little",
        lambda,
        horizon,
        &[Stage::new("trial", 3, service)],
        NO_REPATRIATION,
    );
    let h = f64::from(horizon);
    let per_rep = run(&s, 1007, REPS, |o| {
        let lq = series_mean_after(o, "queue.trial", 0);
        let rate = metric(o, "transferred") / h;
        let wq = metric(o, "stage.trial.mean_wait_days");
        (lq, rate * wq)
    });
    let d: Vec<f64> = per_rep.iter().map(|r| r.0 - r.1).collect();
    let lq: Vec<f64> = per_rep.iter().map(|r| r.0).collect();
    let lw: Vec<f64> = per_rep.iter().map(|r| r.1).collect();
    let (lq, lw) = (ci99(&lq), ci99(&lw));
    println!(
        "Little M/G/3: time-average queue {:.4}, arrival rate x mean wait {:.4}",
        lq.mean, lw.mean
    );
    check("Little M/G/3 Lq - lambda*Wq", 0.0, &d);
}

/// Stationary mean number in system of the M/M/1 queue with exponential
/// abandonment from the system (M/M/1+M, reneging also from service): the
/// birth-death chain with birth rate `lambda` and death rate
/// `mu + n theta` in state n >= 1 (Gross & Harris 2008, §2.10; Ancker &
/// Gafarian 1963). `p_n ∝ prod_{k=1..n} lambda / (mu + k theta)`, summed
/// until a term is below 1e-18 of the total.
fn abandonment_mean_in_system(lambda: f64, mu: f64, theta: f64) -> f64 {
    let (mut term, mut total, mut first) = (1.0, 1.0, 0.0);
    let mut n = 0u32;
    loop {
        n += 1;
        term *= lambda / (mu + f64::from(n) * theta);
        total += term;
        first += f64::from(n) * term;
        if term < 1e-18 * total {
            break;
        }
        assert!(n < 100_000, "chain sum does not converge");
    }
    first / total
}

/// Repatriation as abandonment (MODEL rule 6): every case (probability 1,
/// `earliest_day` 0) gets a repatriation time an exponential delay of mean
/// 1/theta after arrival and leaves then, waiting or in service, if no
/// verdict came first. With one server and exponential service this is the
/// birth-death chain of [`abandonment_mean_in_system`]; abandonments occur
/// at rate `theta N(t)`, so the stationary share of arrivals repatriated is
/// `theta L / lambda` (rate conservation; Gross & Harris 2008, §2.10).
///
/// Estimator: `repatriated / (repatriated + stage.trial.completed)`, the
/// share repatriated among cases whose fate is settled at the horizon
/// (each case leaves by exactly one of the two; with conviction
/// probability 1 every completion is a verdict). It leaves out the few
/// cases still in the system at the horizon (about L = 2 of 40,000), and
/// the empty start lowers it by a few cases in 10,000 repatriations (the
/// chain relaxes at rate at least theta, so tau <= 0.2 day): both about
/// 1e-4 relative, far below the CI half-width (0.3%).
///
/// lambda = 40/day, mu = 40/day (rho = 1, stable thanks to abandonment),
/// theta = 5/day (mean delay 0.2 day). 1,000 days a replication,
/// 60 replications, seed 1008.
#[test]
fn repatriation_as_abandonment() {
    let (lambda, mu, theta, horizon) = (40.0, 40.0, 5.0, 1000);
    let repatriation = format!(
        "{{ probability = 1.0, delay_days = {}, earliest_day = 0.0 }}",
        exponential(1.0 / theta)
    );
    let s = scenario(
        "abandonment",
        lambda,
        horizon,
        &[Stage::new("trial", 1, exponential(1.0 / mu))],
        &repatriation,
    );
    let share = run(&s, 1008, REPS, |o| {
        let rep = metric(o, "repatriated");
        let done = metric(o, "stage.trial.completed");
        assert_eq!(metric(o, "convicted"), done);
        rep / (rep + done)
    });
    let l = abandonment_mean_in_system(lambda, mu, theta);
    check(
        "M/M/1+M share repatriated (theta L / lambda)",
        theta * l / lambda,
        &share,
    );
}
