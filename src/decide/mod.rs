//! Decision support: which lever matters ([`mod@sobol`], [`mod@tornado`],
//! screening with [`mod@morris`]), what it
//! takes to meet a target ([`mod@solve`]), and scenarios side by side
//! ([`mod@compare`]).
//!
//! Every function here runs the model on **common random numbers**: the
//! same master seed and the same replication indices in every scenario it
//! compares, so that replication `i` of two scenarios differs only through
//! the levers that changed (see [`crate::montecarlo`]). Differences are then
//! taken replication by replication, and their intervals are much narrower
//! than those of two independent means.
//!
//! ```text
//!   ParamDist { path, dist }  ──►  quantile(dist, u)  ──►  Scenario::with_params
//!        │                                                  │
//!   sobol:   Saltelli design A, B, AB_i (row j = replication j) ──► S_i, ST_i
//!   morris:  r trajectories of k + 1 grid points (trajectory t = replication t) ──► μ, μ*, σ
//!   tornado: each path at its 5th / 95th percentile, others at medians ──► swing
//!   solve:   bisection over LOW..HIGH on one seed ──► value meeting a target
//!   compare: variants on one seed ──► paired differences to the first
//! ```
//!
//! The parameters of a sensitivity analysis may come from the scenario's
//! own `[uncertainty]` table ([`uncertain_params`]); every sensitivity
//! function holds an uncertain path it does not vary at its median
//! ([`at_medians`]; a `posterior` table of joint draws is held there,
//! never varied as independent factors: [`held_columns`], see
//! [`mod@params`]).
//!
//! The results derive `Serialize`; their JSON field names are part of the
//! interface (`path`, `first_order`, `total`, `swing`, `value`, `target`).
//!
//! # Example: which of two levers matters more for the time to verdict?
//!
//! ```
//! use custody_sim::decide::{SobolOptions, sobol_model};
//! use custody_sim::{Dist, presets, scenario::ParamDist};
//!
//! let params = [
//!     ParamDist::new("court.stage[trial].servers", Dist::uniform_int(10, 40)),
//!     ParamDist::new("transfer.escape.escape_probability", Dist::uniform(0.0, 0.02)),
//! ];
//! let opts = SobolOptions { base_samples: 32, bootstrap: 200, seed: 1, ..SobolOptions::default() };
//! let r = sobol_model(&presets::plan_2026_01(), &params, &["mean_days_to_verdict"], &opts)?;
//! let ix = &r.metrics[0].indices;
//! assert!(ix[0].total.estimate.unwrap() > ix[1].total.estimate.unwrap());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod adapter;
pub mod compare;
pub mod groups;
pub mod morris;
pub mod params;
pub mod probe;
pub mod quantile;
pub mod regional;
pub mod shard;
pub mod sobol;
pub mod solve;
pub mod tornado;

use serde::{Deserialize, Serialize};

pub use compare::{
    Calendar, Comparison, compare, compare_and_summarise, compare_summaries, compare_variants,
    variant_scenarios,
};
pub use groups::{Group, parse_group};
pub use morris::{MorrisIndex, MorrisMetric, MorrisOptions, MorrisResult, morris_fn, morris_model};
pub use params::{at_medians, held_columns, held_note, parse_param, uncertain_params};
pub use probe::SeriesDay;
pub use regional::{Condition, RegionalIndex, RegionalResult, regional, regional_fn};
pub use sobol::{
    DummyIndex, MetricIndices, PairIndex, SobolIndex, SobolOptions, SobolResult, sobol_fn,
    sobol_model,
};
pub use solve::{Direction, Evaluation, Find, Lever, Solution, Statistic, Target, solve};
pub use tornado::{Tornado, TornadoBar, sensitivity, tornado};

pub use crate::error::DecideError;

/// An estimate with its 95% interval; `None` where undefined (no variance,
/// too few replications). The statistical sense of the word; what a run
/// will take before it starts is a [`crate::montecarlo::RunCost`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The point estimate.
    pub estimate: Option<f64>,
    /// Lower end of the 95% interval.
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% interval.
    pub ci95_high: Option<f64>,
}

impl Estimate {
    /// An estimate with nothing defined.
    pub const NONE: Estimate = Estimate {
        estimate: None,
        ci95_low: None,
        ci95_high: None,
    };

    /// Whether `x` lies inside the interval (false when it is undefined).
    pub fn contains(&self, x: f64) -> bool {
        matches!((self.ci95_low, self.ci95_high), (Some(l), Some(h)) if l <= x && x <= h)
    }

    /// The mean of `values` with its 95% Student t interval.
    pub(crate) fn mean_of(values: &[f64]) -> Estimate {
        let s = crate::stats::MetricStats::from_values(values);
        Estimate {
            estimate: s.mean,
            ci95_low: s.ci95_low,
            ci95_high: s.ci95_high,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_contain_only_inside_their_interval() {
        let e = Estimate::mean_of(&[1.0, 2.0, 3.0]);
        assert_eq!(e.estimate, Some(2.0));
        assert!(e.contains(2.0) && !e.contains(100.0));
        assert!(!Estimate::NONE.contains(0.0));
    }
}
