//! Observations, backtests and calibration by approximate Bayesian
//! computation: the loop observe → fit → forecast → check.
//!
//! ```text
//!  observations CSV ──► Observations ──┬──► backtest(scenario, …) ──► Backtest
//!  (date,series,value[,sd])            │     per row p5/p50/p95, PIT,
//!                                      │     interval score; coverage, CRPS
//!  priors 'PATH=DIST' ──► Prior ───────┴──► abc(scenario, …) ──► Posterior
//!                                            ABC-PMC, weighted draws,
//!                                            summary, CSV, calibrated TOML
//! ```
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`observations`] | the observations CSV: loading, checking, dates |
//! | [`backtest`](mod@backtest) | how well a scenario's bands cover what was observed |
//! | [`prior`] | prior distributions on parameter paths, their densities |
//! | [`abc`](mod@abc) | ABC population Monte Carlo and its [`Posterior`] |
//! | [`hindcast`](mod@hindcast) | out-of-sample tests: fit up to an origin, score after it |
//!
//! Every model call of this module goes through one small adapter (a
//! private `Sim` type here), so that changes in the model's API touch one
//! place.

pub mod abc;
pub mod backtest;
mod edit;
pub mod hindcast;
pub mod observations;
pub mod prior;
mod quote;
mod score;

pub use abc::{
    Abc, AbcProgress, EXTREME_TAIL, Generation, ParamSummary, Posterior, PredictiveCheck, Scales,
    StopRule, abc, predictive_check_table,
};
pub use backtest::{
    BOUND_CONSISTENT_SHARE, Backtest, BacktestFans, BacktestRow, SeriesFan, backtest, backtest_fans,
};
pub use hindcast::{Hindcast, HindcastFans, HindcastOrigin, HorizonError, hindcast, hindcast_fans};
pub use observations::{Observation, ObservationKind, Observations};
pub use prior::{Prior, Transform};
pub use score::{crps, interval_score, pit};

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use crate::model::{Plan, Workspace};
use crate::scenario::Scenario;

pub use crate::error::CalibrateError;

/// The only place the calibration code touches the model: a plan cut to
/// the last observed day, and the observed cells of one replication.
///
/// A scenario with `[uncertainty]` draws its uncertain parameters per
/// replication exactly as [`crate::montecarlo::run`] does (the same
/// parameter stream), so a backtest of a calibrated scenario scores the
/// posterior predictive bands, and a calibration over such a scenario
/// integrates over the parameters it does not fit.
#[derive(Debug)]
pub(crate) struct Sim {
    plan: Plan,
    /// The draws of `[uncertainty]`, if the scenario has any.
    uncertain: Option<crate::montecarlo::uncertain::Uncertain>,
    /// Per observation row: (series index, 0-based day index).
    cells: Vec<(usize, usize)>,
}

impl Sim {
    /// A plan of `scenario` run only to the last observed day, reading the
    /// observed cells.
    pub(crate) fn new(scenario: &Scenario, obs: &Observations) -> Result<Sim, crate::error::Error> {
        let last = obs.last_day();
        let plan = if last < scenario.horizon_days {
            let mut cut = scenario.clone();
            cut.horizon_days = last;
            Plan::new(&cut)?
        } else {
            Plan::new(scenario)?
        };
        let layout = plan.layout();
        let cells = obs
            .rows()
            .iter()
            .map(|o| {
                let i = layout.series_index(&o.series).ok_or_else(|| {
                    CalibrateError::Settings(format!(
                        "series {:?} is not a series of scenario {:?} (series: {})",
                        o.series,
                        scenario.name,
                        layout.series().join(", ")
                    ))
                })?;
                Ok((i, o.day as usize - 1))
            })
            .collect::<Result<Vec<_>, CalibrateError>>()?;
        let uncertain = crate::montecarlo::uncertain::Uncertain::new(&plan)?;
        Ok(Sim {
            plan,
            uncertain,
            cells,
        })
    }

    /// Runs replication `index` of `seed`, with its draw of
    /// `[uncertainty]` if the scenario has one.
    ///
    /// # Errors
    ///
    /// [`crate::error::Error::Scenario`] when a draw of `[uncertainty]` makes the
    /// scenario invalid (as in a run).
    pub(crate) fn outcome(
        &self,
        ws: &mut Workspace,
        seed: u64,
        index: u64,
    ) -> Result<crate::model::Outcome, crate::error::Error> {
        Ok(match &self.uncertain {
            Some(u) => u.plan(seed, index)?.0.replicate_in(ws, seed, index),
            None => self.plan.replicate_in(ws, seed, index),
        })
    }

    /// Runs replication `index` of `seed` and writes the observed cells'
    /// values into `out` (cleared first), in row order.
    ///
    /// # Errors
    ///
    /// [`crate::error::Error::Scenario`] when a draw of `[uncertainty]` makes the
    /// scenario invalid (as in a run).
    pub(crate) fn observe(
        &self,
        ws: &mut Workspace,
        seed: u64,
        index: u64,
        out: &mut Vec<f64>,
    ) -> Result<(), crate::error::Error> {
        let outcome = self.outcome(ws, seed, index)?;
        out.clear();
        out.extend(
            self.cells
                .iter()
                .map(|&(s, d)| f64::from(outcome.series_at(s)[d])),
        );
        Ok(())
    }
}

/// A generator for the calibration's own draws (priors, ancestors,
/// perturbations), keyed apart from the simulations' master seed so the
/// two never share a stream.
pub(crate) fn aux_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    // SplitMix64 of the seed: a different key from `seed` itself.
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let mut rng = ChaCha8Rng::seed_from_u64(z);
    rng.set_stream(stream);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::presets;

    /// A simulation for a backtest or a calibration stops at the last
    /// observed day: nothing past what is compared is simulated.
    #[test]
    fn simulations_stop_at_the_last_observed_day() {
        let s = presets::plan_2026_01();
        let obs = Observations::from_csv_str(
            "date,series,value\n3,in_syria,1\n2026-01-30,queue.trial,2\n",
            "t",
            &s,
        )
        .unwrap();
        let sim = Sim::new(&s, &obs).unwrap();
        assert_eq!(sim.plan.scenario().horizon_days, 10);
        assert_eq!(sim.plan.layout().horizon_days(), 10);
        let mut out = Vec::new();
        sim.observe(&mut Workspace::default(), 1, 0, &mut out)
            .unwrap();
        let full = Plan::new(&s).unwrap().replicate(1, 0);
        assert_eq!(
            out,
            [
                f64::from(full.series("in_syria").unwrap()[3]),
                f64::from(full.series("queue.trial").unwrap()[9])
            ]
        );
    }
}
