//! Precision targets: run until a confidence interval is narrow enough.

use serde::{Deserialize, Serialize};

use super::runner::{Runs, in_pool, run_range};
use super::shard::{Shard, check_stored};
use super::summary::Summary;
use crate::error::Error;
use crate::model::Plan;
use crate::scenario::Scenario;
use crate::stats::MetricStats;

/// A precision target: run until the 95% confidence interval of `metric`
/// has a half-width at most `half_width`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Precision {
    /// The metric to watch, by name.
    pub metric: String,
    /// Target half-width of its 95% CI, in the metric's units.
    pub half_width: f64,
    /// Replications added per round (at least 2).
    pub block: u64,
}

/// Runs replications in blocks of `target.block` until `target.metric`'s
/// 95% CI half-width is at most `target.half_width`, or
/// `runs.replications` have run (the cap).
///
/// The stopping point is a function of the results, which are a function
/// of the seed: the same call stops at the same count, and the summary
/// equals [`run`](crate::montecarlo::run()) with that many replications.
///
/// # Errors
///
/// As [`run`](crate::montecarlo::run()), and [`Error::Scenario`] if the metric is unknown or the
/// target is not a positive number.
///
/// # Example: a tight estimate of the time to verdict
///
/// ```
/// use custody_sim::{montecarlo::{run_until, Precision, Runs}, presets};
///
/// let target = Precision { metric: "mean_days_to_verdict".into(), half_width: 2.0, block: 10 };
/// let s = run_until(&presets::baseline(), &Runs { replications: 200, seed: 1, threads: 0 }, &target)?;
/// let m = s.metric("mean_days_to_verdict").unwrap();
/// assert!(m.ci95_high.unwrap() - m.mean.unwrap() <= 2.0 || s.replications == 200);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_until(scenario: &Scenario, runs: &Runs, target: &Precision) -> Result<Summary, Error> {
    let plan = Plan::new(scenario)?;
    let Some(col) = plan.layout().metric_index(&target.metric) else {
        return Err(Error::UnknownName {
            kind: "metric",
            name: target.metric.clone(),
            valid: plan.layout().metrics().to_vec(),
        });
    };
    if !(target.half_width.is_finite() && target.half_width > 0.0) {
        return Err(Error::invalid(
            "precision target",
            format!(
                "half-width must be a positive number, got {}",
                target.half_width
            ),
        ));
    }
    check_stored(runs.replications, plan.layout().metrics().len())?;
    let block = target.block.max(2);
    in_pool(runs.threads, || {
        let mut shard = Shard::empty(&plan, runs.seed, true);
        let mut n = 0;
        while n < runs.replications {
            let next = (n + block).min(runs.replications);
            shard.append(run_range(&plan, runs.seed, n..next, None, true)?)?;
            n = next;
            let stats = MetricStats::from_values(&shard.column(col));
            if stats
                .ci_half_width(0.95)
                .is_some_and(|h| h <= target.half_width)
            {
                break;
            }
        }
        Ok(shard.summary())
    })?
}
