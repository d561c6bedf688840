//! Second-order Monte Carlo: the draws of `[uncertainty]` before each
//! replication.
//!
//! Replication `i` of seed `s` draws its parameters from ChaCha8 keyed by
//! the master key of `s` with its last byte flipped (`^ 0x50`), stream
//! `i`: a generator of its own, so the model's streams (keyed by `s`) are
//! unchanged by uncertainty. Listed paths are drawn in order, then one
//! posterior row by weight. The drawn values are set with
//! [`Scenario::with_params`]'s machinery on a copy without
//! `[uncertainty]`, which is validated and resolved into a [`Plan`].

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::dist::sampler::Sampler;
use crate::error::Error;
use crate::model::Plan;
use crate::scenario::uncertainty::key;
use crate::scenario::uncertainty_apply::{posterior_value, toml_value};
use crate::scenario::{ParamDist, PosteriorTable, Scenario, ScenarioErrors};

/// The uncertain parameters of a plan, resolved once per run.
#[derive(Debug)]
pub(crate) struct Uncertain {
    base: Scenario,
    params: Vec<(String, Sampler, bool)>,
    /// The posterior table, its cumulative weights, and per column whether
    /// the value is an integer.
    posterior: Option<(PosteriorTable, Vec<f64>, Vec<bool>)>,
}

impl Uncertain {
    /// The uncertain parameters of `plan`; `None` without `[uncertainty]`.
    pub(crate) fn new(plan: &Plan) -> Result<Option<Uncertain>, Error> {
        let s = plan.scenario();
        let Some(u) = &s.uncertainty else {
            return Ok(None);
        };
        let base = s.without_uncertainty();
        let mut params = Vec::with_capacity(u.params.len());
        for ParamDist { path, dist } in &u.params {
            let sampler = Sampler::new(dist)
                .map_err(|m| Error::Scenario(ScenarioErrors::one(key(path), m)))?;
            let int = matches!(toml_value(&base, path, dist, 0.0), toml::Value::Integer(_));
            params.push((path.clone(), sampler, int));
        }
        let posterior = match (&u.posterior, &u.posterior_table) {
            (_, Some(t)) => {
                // Weights whose sum overflows, or that are subnormal,
                // are scaled by their largest first.
                let mut acc = 0.0;
                let cum = crate::stats::safe_weights(&t.weights)
                    .iter()
                    .map(|w| {
                        acc += w;
                        acc
                    })
                    .collect();
                let ints = t
                    .columns
                    .iter()
                    .map(|c| matches!(posterior_value(&base, c, 0.0), toml::Value::Integer(_)))
                    .collect();
                Some((t.clone(), cum, ints))
            }
            (Some(f), None) => {
                return Err(Error::Scenario(ScenarioErrors::one(
                    "uncertainty.posterior",
                    format!(
                        "the posterior file {f:?} is not loaded: read the scenario with Scenario::from_path, or call Scenario::load_posterior"
                    ),
                )));
            }
            (None, None) => None,
        };
        Ok(Some(Uncertain {
            base,
            params,
            posterior,
        }))
    }

    /// The plan of replication `index` of seed `seed`, and the values its
    /// uncertain paths took (in [`crate::scenario::Uncertainty::paths`]
    /// order).
    pub(crate) fn plan(&self, seed: u64, index: u64) -> Result<(Plan, Vec<f64>), Error> {
        let mut key_bytes = ChaCha8Rng::seed_from_u64(seed).get_seed();
        key_bytes[31] ^= 0x50;
        let mut rng = ChaCha8Rng::from_seed(key_bytes);
        rng.set_stream(index);
        let mut values: Vec<(&str, toml::Value)> = Vec::new();
        let mut used = Vec::new();
        for (path, sampler, int) in &self.params {
            let x = sampler.sample(&mut rng);
            let (v, x) = if *int {
                (toml::Value::Integer(x.round() as i64), x.round())
            } else {
                (toml::Value::Float(x), x)
            };
            values.push((path, v));
            used.push(x);
        }
        if let Some((t, cum, ints)) = &self.posterior {
            let total = cum.last().copied().unwrap_or(0.0);
            let u = rng.random::<f64>() * total;
            // The first row whose cumulative weight exceeds u: a row of
            // weight 0 is never chosen.
            let r = cum.partition_point(|&c| c <= u).min(t.rows.len() - 1);
            for ((c, &x), &int) in t.columns.iter().zip(&t.rows[r]).zip(ints) {
                let (v, x) = if int {
                    (toml::Value::Integer(x.round() as i64), x.round())
                } else {
                    (toml::Value::Float(x), x)
                };
                values.push((c, v));
                used.push(x);
            }
        }
        let names: Vec<String> = values.iter().map(|(p, v)| format!("{p} = {v}")).collect();
        let s = self.base.with_values(values).map_err(|e| {
            Error::Scenario(ScenarioErrors::one(
                "uncertainty",
                format!(
                    "replication {index}: the draw {} makes the scenario invalid: {}",
                    names.join(", "),
                    crate::scenario::uncertainty_apply::one_line(&e)
                ),
            ))
        })?;
        Ok((Plan::new(&s)?, used))
    }
}
