//! Meeting a target: the smallest (or largest) value of a lever for which a
//! statistic of a metric meets a threshold, by bisection on common random
//! numbers.
//!
//! # Method
//!
//! Every value tried runs replications `0..n` of the same master seed
//! ([`Runs`]), so two values differ only through the lever (common random
//! numbers) and the comparison between neighbouring values is sharp.
//!
//! The search assumes that the target, once met, stays met as the lever
//! grows ([`Find::Smallest`]: the fewest servers such that the wait is at
//! most w) or as it shrinks ([`Find::Largest`]). It runs both ends of the
//! range first, and refuses, with the statistic at each end:
//!
//! - [`Error::Decide`] of kind [`DecideError::TargetNotMet`] when the target
//!   is met at neither end;
//! - [`Error::Decide`] of kind [`DecideError::NotMonotone`] when it is met
//!   at the wrong end only (the lever works the other way: ask for the other
//!   end of the range), or when a value inside the range has an interval
//!   lying wholly outside the span of the two ends' intervals (evidently not
//!   monotone).
//!
//! Then it bisects: at most `ceil(log2(K)) + 2` runs for `K + 1` candidate
//! values (`K = HIGH − LOW` for an integer lever; `(HIGH − LOW) / tolerance`
//! rounded up for a continuous one), plus at most one more for the upper
//! neighbour of the answer when the search did not run it. Over 1..200
//! servers that is 10 runs, and 11 with the neighbour.
//!
//! # How sure
//!
//! The answer carries the statistic with its 95% interval at the answer and
//! at its neighbours (value − step and value + step). The answer is
//! [`Solution::sure`] when the interval at the answer lies wholly on the
//! target's side and the interval at the neighbour outside the answer
//! (value − step for [`Find::Smallest`]) wholly on the other side: then a
//! different seed would almost surely give the same answer. Otherwise the
//! answer is borderline at this precision: run more replications.
//!
//! Intervals: for `mean`, the Student t interval of the mean; for `p5`,
//! `p50`, `p95`, the distribution-free interval between two order statistics
//! of the replications, chosen from the binomial law so that it covers the
//! true quantile with probability at least 95% (where the sample allows);
//! for `ci95_low` and `ci95_high` (the ends of the mean's interval), the
//! mean's interval itself.

use std::fmt;

use serde::{Deserialize, Serialize};
use statrs::distribution::{Binomial, DiscreteCDF};

use super::{DecideError, Estimate, adapter};
use crate::error::Error;
use crate::montecarlo::Runs;
use crate::report::format::exact;
use crate::scenario::Scenario;
use crate::stats::{MetricStats, quantile};

/// A statistic of a metric across replications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// The mean.
    Mean,
    /// The 5th percentile.
    P5,
    /// The median.
    P50,
    /// The 95th percentile.
    P95,
    /// The lower end of the mean's 95% interval.
    Ci95Low,
    /// The upper end of the mean's 95% interval.
    Ci95High,
}

impl Statistic {
    /// The statistic's name as written in a target (`mean`, `p5`, `p50`,
    /// `p95`, `ci95_low`, `ci95_high`).
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Mean => "mean",
            Statistic::P5 => "p5",
            Statistic::P50 => "p50",
            Statistic::P95 => "p95",
            Statistic::Ci95Low => "ci95_low",
            Statistic::Ci95High => "ci95_high",
        }
    }

    fn parse(s: &str) -> Option<Statistic> {
        Some(match s {
            "mean" => Statistic::Mean,
            "p5" => Statistic::P5,
            "p50" | "median" => Statistic::P50,
            "p95" => Statistic::P95,
            "ci95_low" => Statistic::Ci95Low,
            "ci95_high" => Statistic::Ci95High,
            _ => return None,
        })
    }

    /// The statistic of `values` (replication order) with its 95% interval
    /// (see the module docs).
    pub fn of(self, values: &[f64]) -> Estimate {
        let s = MetricStats::from_values(values);
        let mean_ci = |estimate| Estimate {
            estimate,
            ci95_low: s.ci95_low,
            ci95_high: s.ci95_high,
        };
        match self {
            Statistic::Mean => mean_ci(s.mean),
            Statistic::Ci95Low => mean_ci(s.ci95_low),
            Statistic::Ci95High => mean_ci(s.ci95_high),
            Statistic::P5 => quantile_interval(values, 0.05),
            Statistic::P50 => quantile_interval(values, 0.5),
            Statistic::P95 => quantile_interval(values, 0.95),
        }
    }
}

/// The type-7 `p`-quantile of `values` with a distribution-free 95%
/// interval `[x_(l), x_(u)]` (order statistics, 1-based): `l` the largest
/// rank with `P(B <= l - 1) <= 0.025` and `u` the smallest with
/// `P(B <= u - 1) >= 0.975`, `B ~ Binomial(n, p)` the number of values
/// below the true quantile. An end the sample cannot give is `None`.
fn quantile_interval(values: &[f64], p: f64) -> Estimate {
    let n = values.len();
    if n == 0 {
        return Estimate::NONE;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let Ok(b) = Binomial::new(p, n as u64) else {
        return Estimate::NONE;
    };
    let mut low = None;
    let mut high = None;
    for r in 1..=n {
        let c = b.cdf(r as u64 - 1);
        if c <= 0.025 {
            low = Some(sorted[r - 1]);
        }
        if high.is_none() && c >= 0.975 {
            high = Some(sorted[r - 1]);
        }
    }
    Estimate {
        estimate: Some(quantile(&sorted, p)),
        ci95_low: low,
        ci95_high: high,
    }
}

/// Which side of the threshold meets the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// `<=`: at most the threshold.
    #[serde(rename = "<=")]
    AtMost,
    /// `>=`: at least the threshold.
    #[serde(rename = ">=")]
    AtLeast,
}

/// A target: `METRIC STAT <= VALUE` or `METRIC STAT >= VALUE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The metric, e.g. `median_days_to_verdict`.
    pub metric: String,
    /// The statistic of the metric across replications.
    pub statistic: Statistic,
    /// `<=` or `>=`.
    pub direction: Direction,
    /// The threshold, in the metric's units.
    pub value: f64,
}

impl Target {
    /// Parses `METRIC STAT <= VALUE` (or `>=`), e.g.
    /// `median_days_to_verdict p95 <= 180`. STAT is one of `mean`, `p5`,
    /// `p50` (or `median`), `p95`, `ci95_low`, `ci95_high`.
    ///
    /// # Errors
    ///
    /// [`Error::Decide`] of kind [`DecideError::Input`] naming the text and
    /// what is wrong.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::decide::{Direction, Statistic, Target};
    ///
    /// let t = Target::parse("median_days_to_verdict p95 <= 180")?;
    /// assert_eq!((t.statistic, t.direction, t.value), (Statistic::P95, Direction::AtMost, 180.0));
    /// assert!(t.is_met(179.0) && !t.is_met(181.0));
    /// assert!(Target::parse("escaped average <= 3").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(text: &str) -> Result<Target, Error> {
        let bad = |m: &str| DecideError::input(format!("target {text:?}"), m);
        let (left, direction, right) = if let Some((l, r)) = text.split_once("<=") {
            (l, Direction::AtMost, r)
        } else if let Some((l, r)) = text.split_once(">=") {
            (l, Direction::AtLeast, r)
        } else {
            return Err(bad(
                "expected METRIC STAT <= VALUE or METRIC STAT >= VALUE, e.g. median_days_to_verdict p95 <= 180",
            ));
        };
        let words: Vec<&str> = left.split_whitespace().collect();
        let [metric, stat] = words[..] else {
            return Err(bad(
                "expected a metric and a statistic before the comparison",
            ));
        };
        let statistic = Statistic::parse(stat).ok_or_else(|| {
            bad(&format!(
                "unknown statistic {stat:?}: use mean, p5, p50, median, p95, ci95_low or ci95_high"
            ))
        })?;
        let value: f64 = right
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| bad(&format!("the threshold {:?} is not a number", right.trim())))?;
        Ok(Target {
            metric: metric.to_string(),
            statistic,
            direction,
            value,
        })
    }

    /// Whether a statistic's value meets the target.
    pub fn is_met(&self, x: f64) -> bool {
        match self.direction {
            Direction::AtMost => x <= self.value,
            Direction::AtLeast => x >= self.value,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.direction {
            Direction::AtMost => "<=",
            Direction::AtLeast => ">=",
        };
        write!(
            f,
            "{} {} {op} {}",
            self.metric,
            self.statistic.name(),
            self.value
        )
    }
}

/// Which end of the set of values meeting the target is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Find {
    /// The smallest value (the target stays met above it): the fewest
    /// servers, the fewest beds.
    Smallest,
    /// The largest value (the target stays met below it): the fastest
    /// pace, the highest share.
    Largest,
}

/// The lever: a parameter path and the range to search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lever {
    /// Parameter path, e.g. `court.stage[trial].servers`.
    pub path: String,
    /// Lowest value tried.
    pub low: f64,
    /// Highest value tried.
    pub high: f64,
    /// Resolution of a continuous lever (ignored for an integer one, whose
    /// step is 1).
    pub tolerance: Option<f64>,
    /// Which end to find.
    pub find: Find,
}

impl Lever {
    /// Parses the command line's `PATH=LOW..HIGH`.
    ///
    /// # Errors
    ///
    /// [`Error::Decide`] of kind [`DecideError::Input`] naming the text.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::decide::{Find, Lever};
    ///
    /// let l = Lever::parse("court.stage[trial].servers=1..200", Find::Smallest)?;
    /// assert_eq!((l.low, l.high), (1.0, 200.0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(text: &str, find: Find) -> Result<Lever, Error> {
        let bad = || {
            DecideError::input(
                text,
                "expected PATH=LOW..HIGH, e.g. court.stage[trial].servers=1..200",
            )
        };
        let (path, range) = text.split_once('=').ok_or_else(bad)?;
        let (low, high) = range.split_once("..").ok_or_else(bad)?;
        // `1...20` is not `1..0.2`.
        if high.trim_start().starts_with('.') {
            return Err(bad());
        }
        let num = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
        Ok(Lever {
            path: path.trim().to_string(),
            low: num(low).ok_or_else(bad)?,
            high: num(high).ok_or_else(bad)?,
            tolerance: None,
            find,
        })
    }
}

/// The statistic at one value of the lever.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The lever's value.
    pub value: f64,
    /// The statistic with its 95% interval, in the metric's units.
    pub statistic: Estimate,
    /// Replications in which the metric had a value.
    pub n: usize,
    /// Whether the statistic meets the target.
    pub met: bool,
}

/// The answer of [`solve`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    /// The lever's parameter path.
    pub path: String,
    /// The target.
    pub target: Target,
    /// Which end was sought.
    pub find: Find,
    /// The value found: the smallest (largest) meeting the target.
    pub value: f64,
    /// The statistic at the answer.
    pub at: Evaluation,
    /// The statistic one step below the answer (`None` at the range's end).
    pub below: Option<Evaluation>,
    /// The statistic one step above the answer (`None` at the range's end).
    pub above: Option<Evaluation>,
    /// Whether the interval at the answer lies wholly on the target's side.
    pub answer_clears: bool,
    /// Whether the interval at the neighbour outside the answer (below it
    /// for [`Find::Smallest`]) lies wholly on the other side; `true` when
    /// the answer is the end of the range.
    pub neighbour_clears: bool,
    /// Both: the answer is not borderline at this precision.
    pub sure: bool,
    /// Every value run, in the order run.
    pub evaluations: Vec<Evaluation>,
    /// Runs of the search (each `runs.replications` replications).
    pub search_runs: usize,
}

/// Runs of `runs.replications` replications at lever values, cached.
struct Evaluator<'a> {
    scenario: &'a Scenario,
    lever: &'a Lever,
    target: &'a Target,
    runs: &'a Runs,
    integer: bool,
    step: f64,
    k_max: u64,
    done: Vec<(u64, Evaluation)>,
}

impl Evaluator<'_> {
    fn value(&self, k: u64) -> f64 {
        if k >= self.k_max {
            self.lever.high
        } else {
            self.lever.low + k as f64 * self.step
        }
    }

    fn at(&mut self, k: u64) -> Result<Evaluation, Error> {
        if let Some((_, e)) = self.done.iter().find(|(j, _)| *j == k) {
            return Ok(e.clone());
        }
        let value = self.value(k);
        let text = adapter::format_value(value, self.integer);
        let s = adapter::with_values(self.scenario, &[(self.lever.path.as_str(), text)])?;
        let metrics = [self.target.metric.clone()];
        let rows = adapter::in_pool(self.runs.threads, || {
            adapter::replications(&s, self.runs.seed, self.runs.replications, &metrics)
        })??;
        let values: Vec<f64> = rows.iter().filter_map(|r| r[0]).collect();
        let statistic = self.target.statistic.of(&values);
        let e = Evaluation {
            value,
            statistic,
            n: values.len(),
            met: statistic.estimate.is_some_and(|x| self.target.is_met(x)),
        };
        self.done.push((k, e.clone()));
        Ok(e)
    }
}

fn describe(e: &Evaluation) -> String {
    match e.statistic.estimate {
        Some(x) => format!("{} at {}", exact(x), exact(e.value)),
        None => format!("no value at {}", exact(e.value)),
    }
}

/// Whether an interval lies wholly on the target's side (`met = true`) or
/// wholly on the other side.
fn clears(target: &Target, e: &Estimate, met: bool) -> bool {
    let (Some(l), Some(h)) = (e.ci95_low, e.ci95_high) else {
        return false;
    };
    match (target.direction, met) {
        (Direction::AtMost, true) => h <= target.value,
        (Direction::AtMost, false) => l > target.value,
        (Direction::AtLeast, true) => l >= target.value,
        (Direction::AtLeast, false) => h < target.value,
    }
}

/// Finds the smallest (or largest) value of `lever` in its range at which
/// `target` is met, by bisection on common random numbers (see the module
/// docs).
///
/// # Errors
///
/// [`Error::Decide`] of kind [`DecideError::Input`] for an empty or
/// reversed range, a lever that is not a number, a continuous lever without
/// a positive tolerance, or an unknown metric; of kind
/// [`DecideError::TargetNotMet`] or [`DecideError::NotMonotone`] as the
/// module docs say; [`Error::Scenario`] for a lever that changes the shape
/// of the results ([`Scenario::varying_path`]), a bad path or a value that
/// makes the scenario invalid.
///
/// # Example: how many trial panels keep the trial queue short?
///
/// ```
/// use custody_sim::decide::{Find, Lever, Target, solve};
/// use custody_sim::{Runs, presets};
///
/// let lever = Lever::parse("court.stage[trial].servers=5..60", Find::Smallest)?;
/// let target = Target::parse("stage.trial.mean_wait_days mean <= 1")?;
/// let runs = Runs { replications: 10, seed: 1, threads: 0 };
/// let s = solve(&presets::plan_2026_01(), &lever, &target, &runs)?;
/// assert!(s.at.met && !s.below.unwrap().met);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn solve(
    scenario: &Scenario,
    lever: &Lever,
    target: &Target,
    runs: &Runs,
) -> Result<Solution, Error> {
    // The lever keeps the shape of the results, and is a number.
    scenario.varying_path(&lever.path)?;
    let integer = match scenario.param(&lever.path)? {
        toml::Value::Integer(_) => true,
        toml::Value::Float(_) => false,
        other => {
            return Err(DecideError::input(
                &lever.path,
                format!(
                    "is not numeric (it holds the {} {other}): a lever must be a number, an integer or not",
                    other.type_str()
                ),
            ));
        }
    };
    if !(lever.low.is_finite() && lever.high.is_finite() && lever.low <= lever.high) {
        return Err(DecideError::input(
            &lever.path,
            format!(
                "the range {}..{} is empty or not finite",
                lever.low, lever.high
            ),
        ));
    }
    let step = if integer {
        if lever.low.fract() != 0.0 || lever.high.fract() != 0.0 {
            return Err(DecideError::input(
                &lever.path,
                format!(
                    "an integer parameter needs whole ends, got {}..{}",
                    lever.low, lever.high
                ),
            ));
        }
        1.0
    } else {
        match lever.tolerance {
            Some(t) if t.is_finite() && t > 0.0 => t,
            _ => {
                return Err(DecideError::input(
                    &lever.path,
                    "a continuous parameter needs a positive tolerance",
                ));
            }
        }
    };
    let k_max = ((lever.high - lever.low) / step).ceil() as u64;
    let mut ev = Evaluator {
        scenario,
        lever,
        target,
        runs,
        integer,
        step,
        k_max,
        done: Vec::new(),
    };
    let first = ev.at(0)?;
    let last = ev.at(k_max)?;
    // The end that must meet the target, and the other.
    let (inside, outside) = match lever.find {
        Find::Smallest => (&last, &first),
        Find::Largest => (&first, &last),
    };
    if !inside.met {
        let msg = format!(
            "{target}: the {} is {} and {}",
            target.statistic.name(),
            describe(&first),
            describe(&last)
        );
        return Err(Error::Decide(if outside.met {
            DecideError::NotMonotone(format!(
                "{msg}: met at the {} end only, so the {} value meeting it is not what the range holds; the lever works the other way (ask for the {} value)",
                if lever.find == Find::Smallest {
                    "low"
                } else {
                    "high"
                },
                if lever.find == Find::Smallest {
                    "smallest"
                } else {
                    "largest"
                },
                if lever.find == Find::Smallest {
                    "largest"
                } else {
                    "smallest"
                },
            ))
        } else {
            DecideError::TargetNotMet(format!(
                "{msg}: the target is met nowhere in {}..{} of {}",
                lever.low, lever.high, lever.path
            ))
        }));
    }
    let span_low = [first.statistic.ci95_low, last.statistic.ci95_low]
        .into_iter()
        .flatten()
        .reduce(f64::min);
    let span_high = [first.statistic.ci95_high, last.statistic.ci95_high]
        .into_iter()
        .flatten()
        .reduce(f64::max);
    // Bisection between a value that fails (`bad`) and one that meets (`good`).
    let answer = if outside.met {
        match lever.find {
            Find::Smallest => 0,
            Find::Largest => k_max,
        }
    } else {
        let (mut good, mut bad) = match lever.find {
            Find::Smallest => (k_max, 0),
            Find::Largest => (0, k_max),
        };
        while good.abs_diff(bad) > 1 {
            let mid = good.min(bad) + good.abs_diff(bad) / 2;
            let e = ev.at(mid)?;
            let outside_span = match (
                span_low,
                span_high,
                e.statistic.ci95_low,
                e.statistic.ci95_high,
            ) {
                (Some(sl), Some(sh), Some(l), Some(h)) => h < sl || l > sh,
                _ => false,
            };
            if outside_span {
                return Err(Error::Decide(DecideError::NotMonotone(format!(
                    "{target}: the {} is {}, outside the span of the ends ({} and {}): the effect of {} is evidently not monotone over {}..{}",
                    target.statistic.name(),
                    describe(&e),
                    describe(&first),
                    describe(&last),
                    lever.path,
                    lever.low,
                    lever.high
                ))));
            }
            if e.met {
                good = mid;
            } else {
                bad = mid;
            }
        }
        good
    };
    let search_runs = ev.done.len();
    let at = ev.at(answer)?;
    let below = if answer > 0 {
        Some(ev.at(answer - 1)?)
    } else {
        None
    };
    let above = if answer < k_max {
        Some(ev.at(answer + 1)?)
    } else {
        None
    };
    let answer_clears = clears(target, &at.statistic, true);
    let neighbour = match lever.find {
        Find::Smallest => &below,
        Find::Largest => &above,
    };
    let neighbour_clears = neighbour
        .as_ref()
        .is_none_or(|e| clears(target, &e.statistic, false));
    Ok(Solution {
        path: lever.path.clone(),
        target: target.clone(),
        find: lever.find,
        value: at.value,
        at,
        below,
        above,
        answer_clears,
        neighbour_clears,
        sure: answer_clears && neighbour_clears,
        evaluations: ev.done.into_iter().map(|(_, e)| e).collect(),
        search_runs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_print() {
        let t = Target::parse("  stage.trial.mean_wait_days   mean>=0.5 ").unwrap();
        assert_eq!(t.metric, "stage.trial.mean_wait_days");
        assert_eq!(t.direction, Direction::AtLeast);
        assert_eq!(t.to_string(), "stage.trial.mean_wait_days mean >= 0.5");
        assert_eq!(
            Target::parse("x median <= 2").unwrap().statistic,
            Statistic::P50
        );
        for bad in [
            "x mean < 3",
            "x <= 3",
            "x mean <= y",
            "x p99 <= 3",
            "a b c <= 1",
        ] {
            let e = Target::parse(bad).unwrap_err().to_string();
            assert!(e.contains(bad), "{bad}: {e}");
        }
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["direction"], ">=");
        assert_eq!(json["statistic"], "mean");
    }

    /// The order-statistic interval of the median of 0..=99 holds the
    /// ranks the binomial law gives (n = 100, p = 0.5: ranks 40 and 61,
    /// the textbook values), and covers the true median of a uniform
    /// sample.
    #[test]
    fn quantile_intervals_use_the_binomial_ranks() {
        let xs: Vec<f64> = (0..100).map(f64::from).collect();
        let e = quantile_interval(&xs, 0.5);
        assert_eq!(e.estimate, Some(49.5));
        assert_eq!((e.ci95_low, e.ci95_high), (Some(39.0), Some(60.0)));
        // Too few values for a 95% interval of the 95th percentile.
        let e = quantile_interval(&xs[..10], 0.95);
        assert_eq!(e.ci95_high, None);
    }
}
