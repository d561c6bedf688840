//! Decision support: which lever matters ([`mod@sobol`], [`mod@tornado`]), what it
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
//!   Param { path, dist }  ──►  quantile(dist, u)  ──►  Scenario::with_params
//!        │                                                  │
//!   sobol:   Saltelli design A, B, AB_i (row j = replication j) ──► S_i, ST_i
//!   tornado: each path at its 5th / 95th percentile, others at medians ──► swing
//!   solve:   bisection over LOW..HIGH on one seed ──► value meeting a target
//!   compare: variants on one seed ──► paired differences to the first
//! ```
//!
//! The parameters of a sensitivity analysis may come from the scenario's
//! own `[uncertainty]` table ([`uncertain_params`]); every sensitivity
//! function holds an uncertain path it does not vary at its median
//! ([`at_medians`]; a `posterior` table of joint draws is refused as a
//! source of parameters, see [`mod@params`]).
//!
//! The results derive `Serialize`; their JSON field names are part of the
//! interface (`path`, `first_order`, `total`, `swing`, `value`, `target`).
//!
//! # Example: which of two levers matters more for the time to verdict?
//!
//! ```
//! use custody_sim::decide::{Param, SobolOptions, sobol_model};
//! use custody_sim::{Dist, presets};
//!
//! let params = [
//!     Param::new("court.stage[trial].servers", Dist::uniform_int(10, 40)),
//!     Param::new("transfer.escape.escape_probability", Dist::uniform(0.0, 0.02)),
//! ];
//! let opts = SobolOptions { base_samples: 32, bootstrap: 200, seed: 1, threads: 0 };
//! let r = sobol_model(&presets::plan_2026_01(), &params, &["mean_days_to_verdict"], &opts)?;
//! let ix = &r.metrics[0].indices;
//! assert!(ix[0].total.estimate.unwrap() > ix[1].total.estimate.unwrap());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod adapter;
pub mod compare;
pub mod params;
pub mod quantile;
pub mod sobol;
pub mod solve;
pub mod tornado;

use serde::{Deserialize, Serialize};

use crate::dist::Dist;

pub use compare::{Comparison, compare, compare_summaries, compare_variants, variant_scenarios};
pub use params::{at_medians, uncertain_params};
pub use sobol::{MetricIndices, SobolIndex, SobolOptions, SobolResult, sobol_fn, sobol_model};
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

/// An uncertain parameter: a parameter path (the syntax of docs/model.md) and the
/// distribution of its value, a `dist` table as in a scenario file.
///
/// A value drawn for a path whose current value is an integer (a server
/// count, a capacity) is rounded to the nearest integer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    /// Parameter path, e.g. `court.stage[trial].servers`.
    pub path: String,
    /// Its distribution.
    pub dist: Dist,
}

impl Param {
    /// A parameter from a path and a distribution.
    pub fn new(path: impl Into<String>, dist: Dist) -> Param {
        Param {
            path: path.into(),
            dist,
        }
    }

    /// Parses the command line's `PATH=DIST` form, DIST a `dist` table in
    /// TOML inline form:
    /// `court.stage[trial].servers={dist="uniform_int",low=5,high=60}`.
    ///
    /// # Errors
    ///
    /// [`Error::Decide`](crate::error::Error::Decide) of kind
    /// [`DecideError::Input`] naming the text if there is no `=` or the
    /// table is not a distribution.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::{Dist, decide::Param};
    ///
    /// let p = Param::parse(r#"court.stage[trial].servers={dist="uniform_int",low=5,high=60}"#)?;
    /// assert_eq!(p, Param::new("court.stage[trial].servers", Dist::uniform_int(5, 60)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(text: &str) -> Result<Param, crate::error::Error> {
        #[derive(Deserialize)]
        struct Wrap {
            d: Dist,
        }
        let Some((path, dist)) = text.split_once('=') else {
            return Err(DecideError::input(
                text,
                "expected PATH=DIST, e.g. court.stage[trial].servers={dist=\"uniform_int\",low=5,high=60}",
            ));
        };
        let path = path.trim();
        let w: Wrap = toml::from_str(&format!("d = {}", dist.trim()))
            .map_err(|e| DecideError::input(path, format!("not a distribution table: {e}")))?;
        quantile::check(path, &w.d)?;
        Ok(Param::new(path, w.d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_parse_and_bad_ones_are_named() {
        let p =
            Param::parse(" court.conviction_probability = {dist=\"uniform\",low=0.8,high=0.99} ")
                .unwrap();
        assert_eq!(p.path, "court.conviction_probability");
        assert_eq!(p.dist, Dist::uniform(0.8, 0.99));
        let e = Param::parse("court.x").unwrap_err().to_string();
        assert!(e.starts_with("court.x: expected PATH=DIST"), "{e}");
        let e = Param::parse("court.x={dist=\"normal\",mean=1}")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("court.x: not a distribution table"), "{e}");
        let e = Param::parse("court.x={dist=\"uniform\",low=2,high=1}")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("court.x: not a proper uniform"), "{e}");
    }

    #[test]
    fn estimates_contain_only_inside_their_interval() {
        let e = Estimate::mean_of(&[1.0, 2.0, 3.0]);
        assert_eq!(e.estimate, Some(2.0));
        assert!(e.contains(2.0) && !e.contains(100.0));
        assert!(!Estimate::NONE.contains(0.0));
    }
}
