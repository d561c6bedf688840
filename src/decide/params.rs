//! The parameters of a sensitivity analysis, [`ParamDist`]s: read from the
//! command line's `PATH=DIST` ([`parse_param`]) or taken from a
//! scenario's own `[uncertainty]` table; and the scenario they vary
//! around.
//!
//! - [`parse_param`]: one `--param PATH=DIST`.
//! - [`uncertain_params`]: the listed `PATH = { dist = ... }` of
//!   `[uncertainty]`, in the table's order.
//! - [`at_medians`]: the scenario without `[uncertainty]`, each uncertain
//!   path set to its median (a listed one: the 50th percentile of its
//!   distribution; a `posterior` column: its weighted median). The
//!   sensitivity functions ([`super::tornado()`], [`super::sobol_model`],
//!   [`super::sensitivity()`]) start from this scenario, so that an
//!   uncertain path they do not vary is held at its median, as the tornado's
//!   "others at their medians" asks, rather than at whatever value the file
//!   writes beside its distribution.
//!
//! # A `posterior` table is held, not varied
//!
//! The rows of a `posterior` file are joint weighted draws (what
//! `calibrate` writes): its parameters are **dependent**, often strongly
//! (a calibration that pins down a rate times a duration leaves a ridge).
//! Sobol indices are defined for independent inputs, and Morris's
//! one-at-a-time moves along a grid of independent marginals; drawing the
//! columns independently from their weighted marginals would analyse a
//! different input distribution, one that puts weight on combinations the
//! posterior rules out, and the ranking could mislead about the
//! calibrated model.
//!
//! This module holds the one rule that `custody-sim sensitivity` (Sobol,
//! `--method morris`, `--region`) and `custody-sim run --drivers`
//! ([`crate::report::drivers::ranked`]) share:
//!
//! - the **factors** are the independent parameters `[uncertainty]` lists
//!   ([`uncertain_params`]), or the `--param`s given instead;
//! - a `posterior` file's columns that are not among the factors are
//!   **held at their weighted medians** ([`at_medians`]), and
//!   [`held_columns`] names them so that the output can say so
//!   ([`held_note`]: one line);
//! - a scenario whose `[uncertainty]` is a `posterior` file alone has no
//!   independent factor: [`uncertain_params`] refuses it, with an error
//!   suggesting to give the parameters explicitly (`--param PATH=DIST` on
//!   the command line, a list of [`ParamDist`] in the library), e.g. each
//!   column's plausible range: then the analysis is of the distributions
//!   the user chose, and says so.
//!
//! A `--param` on one of the posterior's columns varies that column over
//! the distribution given (it is then a factor, not held); the other
//! columns stay at their medians.

use super::{DecideError, adapter, quantile};
use crate::error::Error;
use crate::scenario::param_dist::PathProblem;
use crate::scenario::{ParamDist, Scenario, ScenarioErrors};

/// Parses the command line's `PATH=DIST` form of a sensitivity parameter,
/// DIST a `dist` table in TOML inline form:
/// `court.stage[trial].servers={dist="uniform_int",low=5,high=60}`.
///
/// # Errors
///
/// [`Error::Decide`] of kind [`DecideError::Input`] naming the text if
/// there is no `=`, or the path if the table is not a distribution or
/// not a proper one (see [`quantile::check`]).
///
/// # Example
///
/// ```
/// use custody_sim::{Dist, decide::parse_param, scenario::ParamDist};
///
/// let p = parse_param(r#"court.stage[trial].servers={dist="uniform_int",low=5,high=60}"#)?;
/// assert_eq!(p, ParamDist::new("court.stage[trial].servers", Dist::uniform_int(5, 60)));
/// assert!(parse_param(r#"court.x={dist="uniform",low=2,high=1}"#).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_param(text: &str) -> Result<ParamDist, Error> {
    let Some((path, table)) = ParamDist::split(text) else {
        return Err(DecideError::input(
            text,
            "expected PATH=DIST, e.g. court.stage[trial].servers={dist=\"uniform_int\",low=5,high=60}",
        ));
    };
    let dist = ParamDist::read_dist(table)
        .map_err(|e| DecideError::input(path, format!("not a distribution table: {e}")))?;
    quantile::check(path, &dist)?;
    Ok(ParamDist::new(path, dist))
}

/// The scenario's `[uncertainty]` parameters, each distribution checked, in the
/// table's order: what `custody-sim sensitivity SCENARIO` and `custody-sim
/// run --drivers` vary when no `--param` is given. Beside a `posterior`
/// file these are the independent parameters only; the file's columns are
/// held at their medians ([`held_columns`], see the [module docs](self)).
///
/// # Errors
///
/// [`Error::Decide`] of kind [`DecideError::Input`] at `uncertainty` when
/// the scenario has no `[uncertainty]` table or it lists no parameter; at
/// `uncertainty.posterior` when its only parameters are a `posterior`
/// file of joint draws (dependent inputs, see the [module docs](self)); at
/// a parameter's path when its distribution has no quantile function.
///
/// # Example
///
/// ```
/// use custody_sim::decide::{held_columns, uncertain_params};
/// use custody_sim::{Dist, presets, scenario::{ParamDist, Uncertainty}};
///
/// let mut s = presets::plan_2026_01();
/// assert!(uncertain_params(&s).is_err(), "no [uncertainty] table");
/// s.uncertainty = Some(Uncertainty::new([
///     ("court.stage[trial].servers", Dist::uniform_int(10, 40)),
/// ]));
/// assert_eq!(
///     uncertain_params(&s)?,
///     [ParamDist::new("court.stage[trial].servers", Dist::uniform_int(10, 40))]
/// );
///
/// // The bundled baseline: its ranges are the factors, its fitted
/// // transfer pace (a posterior file) is held.
/// let b = presets::baseline();
/// let params = uncertain_params(&b)?;
/// assert!(params.iter().any(|p| p.path == "facility[Karkh].initial_occupancy"));
/// let held = held_columns(&b, &params);
/// assert!(held.iter().any(|c| c == "transfer.phase[1].interval_days.value"));
/// assert!(!params.iter().any(|p| held.contains(&p.path)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn uncertain_params(scenario: &Scenario) -> Result<Vec<ParamDist>, Error> {
    let Some(u) = &scenario.uncertainty else {
        return Err(DecideError::input(
            "uncertainty",
            format!(
                "scenario {:?} has no [uncertainty] table: give the parameters to vary (--param 'PATH={{dist=...}}')",
                scenario.name
            ),
        ));
    };
    if u.params.is_empty() {
        if let Some(file) = &u.posterior {
            let columns = u
                .posterior_table
                .as_ref()
                .map(|t| format!(" ({})", t.columns.join(", ")))
                .unwrap_or_default();
            return Err(DecideError::input(
                "uncertainty.posterior",
                format!(
                    "{file:?} holds joint weighted draws{columns} and [uncertainty] lists no independent parameter beside it: the draws are dependent, and Sobol indices and Morris effects are not defined for dependent inputs; give the parameters to vary explicitly (--param 'PATH={{dist=...}}', e.g. each column's plausible range), which replace [uncertainty] (the posterior's other columns are then held at their weighted medians)"
                ),
            ));
        }
        return Err(DecideError::input(
            "uncertainty",
            format!(
                "scenario {:?} lists no uncertain parameter: give the parameters to vary (--param 'PATH={{dist=...}}')",
                scenario.name
            ),
        ));
    }
    for p in &u.params {
        quantile::check(&p.path, &p.dist)?;
    }
    Ok(u.params.clone())
}

/// The columns of the scenario's `posterior` file that an analysis over
/// `params` holds at their weighted medians ([`at_medians`]): every
/// column that no parameter of `params` reaches (in any spelling of its
/// path, `court.stage[trial].servers` or `court.stage[1].servers`), in
/// the file's order. Empty without a loaded `posterior` file.
///
/// # Example
///
/// ```
/// use custody_sim::decide::{held_columns, parse_param, uncertain_params};
/// use custody_sim::presets;
///
/// let b = presets::baseline();
/// let all = held_columns(&b, &uncertain_params(&b)?);
/// // A --param on a column varies it: it is no longer held.
/// let p = parse_param(r#"transfer.phase[1].interval_days.value={dist="uniform",low=0.5,high=2}"#)?;
/// let fewer = held_columns(&b, &[p]);
/// assert_eq!(fewer.len() + 1, all.len());
/// assert!(!fewer.iter().any(|c| c == "transfer.phase[1].interval_days.value"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn held_columns(scenario: &Scenario, params: &[ParamDist]) -> Vec<String> {
    let Some(t) = scenario
        .uncertainty
        .as_ref()
        .and_then(|u| u.posterior_table.as_ref())
    else {
        return Vec::new();
    };
    let canonical = |p: &str| scenario.canonical_path(p).unwrap_or_else(|_| p.to_string());
    let varied: Vec<String> = params.iter().map(|p| canonical(&p.path)).collect();
    t.columns
        .iter()
        .filter(|c| !varied.contains(&canonical(c)))
        .cloned()
        .collect()
}

/// One line saying which `posterior` columns an analysis over `params`
/// holds ([`held_columns`]) and why; `None` when it holds none.
///
/// # Example
///
/// ```
/// use custody_sim::decide::{held_note, uncertain_params};
/// use custody_sim::presets;
///
/// let b = presets::baseline();
/// let line = held_note(&b, &uncertain_params(&b)?).unwrap();
/// assert!(line.starts_with("Held at their weighted medians: the 7 columns of the posterior file baseline-posterior.csv"), "{line}");
/// assert!(line.contains("transfer.phase[1].interval_days.value"));
/// assert_eq!(held_note(&presets::plan_2026_01(), &[]), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn held_note(scenario: &Scenario, params: &[ParamDist]) -> Option<String> {
    let held = held_columns(scenario, params);
    if held.is_empty() {
        return None;
    }
    let file = scenario
        .uncertainty
        .as_ref()
        .and_then(|u| u.posterior.as_deref())
        .unwrap_or_default();
    let n = held.len();
    Some(format!(
        "Held at their weighted medians: the {n} column{} of the posterior file {file} not among the parameters ({}), jointly drawn and dependent, for which Sobol indices and Morris effects are not defined.",
        if n == 1 { "" } else { "s" },
        held.join(", ")
    ))
}

/// Checks the paths of `params` against `scenario`: each keeps the shape
/// of the results ([`Scenario::varying_path`]), and no two reach the same
/// parameter, in any spelling (`court.stage[trial].servers` and
/// `court.stage[1].servers`), as in a sweep.
pub(crate) fn check_paths(scenario: &Scenario, params: &[ParamDist]) -> Result<(), Error> {
    let paths: Vec<&str> = params.iter().map(|p| p.path.as_str()).collect();
    match scenario.check_varying(&paths).into_iter().next() {
        None => Ok(()),
        Some(PathProblem::Unresolved(e)) => Err(e),
        Some(PathProblem::Shape { index, why }) => {
            Err(Error::Scenario(ScenarioErrors::one(paths[index], why)))
        }
        Some(PathProblem::Twice(o)) => Err(DecideError::input(
            paths[o.second],
            format!(
                "parameter listed twice: {}; give each parameter once",
                o.message
            ),
        )),
    }
}

/// `scenario` without `[uncertainty]`, each uncertain path set to its
/// median: a listed parameter to the 50th percentile of its distribution,
/// a `posterior` column to its weighted median (the smallest value whose
/// cumulative weight reaches half the total); rounded where the scenario
/// holds an integer. A scenario without `[uncertainty]` is returned as it
/// is.
///
/// # Errors
///
/// [`Error::Decide`] of kind [`DecideError::Input`] for a distribution
/// without a quantile function, or a `posterior` file that is named but
/// not loaded ([`Scenario::load_posterior`]); [`Error::Scenario`] if a
/// median makes the scenario invalid.
///
/// # Example
///
/// ```
/// use custody_sim::decide::at_medians;
/// use custody_sim::{Dist, presets, scenario::Uncertainty};
///
/// let mut s = presets::plan_2026_01();
/// s.uncertainty = Some(Uncertainty::new([
///     ("court.stage[trial].servers", Dist::uniform_int(10, 40)),
/// ]));
/// let m = at_medians(&s)?;
/// assert!(m.uncertainty.is_none());
/// assert_eq!(m.param("court.stage[trial].servers")?.as_integer(), Some(25));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn at_medians(scenario: &Scenario) -> Result<Scenario, Error> {
    let Some(u) = &scenario.uncertainty else {
        return Ok(scenario.clone());
    };
    let base = scenario.without_uncertainty();
    let mut values: Vec<(String, String)> = Vec::new();
    for ParamDist { path, dist } in &u.params {
        let x = quantile::quantile(path, dist, 0.5)?;
        values.push((
            path.clone(),
            adapter::format_value(x, adapter::is_integer(&base, path)?),
        ));
    }
    match (&u.posterior, &u.posterior_table) {
        (_, Some(t)) => {
            for (c, column) in t.columns.iter().enumerate() {
                let weights = crate::stats::safe_weights(&t.weights);
                let mut pairs: Vec<(f64, f64)> = t
                    .rows
                    .iter()
                    .zip(weights.iter())
                    .map(|(r, &w)| (r[c], w))
                    .collect();
                pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
                let half = weights.iter().sum::<f64>() / 2.0;
                let mut acc = 0.0;
                let median = pairs
                    .iter()
                    .find(|(_, w)| {
                        acc += w;
                        acc >= half
                    })
                    .or(pairs.last())
                    .map_or(f64::NAN, |p| p.0);
                values.push((
                    column.clone(),
                    adapter::format_value(median, adapter::is_integer(&base, column)?),
                ));
            }
        }
        (Some(f), None) => {
            return Err(DecideError::input(
                "uncertainty.posterior",
                format!(
                    "the posterior file {f:?} is not loaded (Scenario::from_path or Scenario::load_posterior), so its columns cannot be held at their medians"
                ),
            ));
        }
        (None, None) => {}
    }
    let set: Vec<(&str, String)> = values
        .iter()
        .map(|(p, v)| (p.as_str(), v.clone()))
        .collect();
    adapter::with_values(&base, &set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::scenario::presets;
    use crate::scenario::{PosteriorTable, Uncertainty};

    #[test]
    fn posterior_columns_are_held_at_their_weighted_medians() {
        let mut s = presets::plan_2026_01();
        let mut u = Uncertainty::new([("court.conviction_probability", Dist::uniform(0.8, 0.9))]);
        u.posterior = Some("p.csv".into());
        s.uncertainty = Some(u.clone());
        let e = at_medians(&s).unwrap_err().to_string();
        assert!(e.contains("not loaded"), "{e}");
        // Values 10, 20, 30 with weights 1, 1, 3: the weighted median is 30
        // (an unweighted one would be 20).
        u.posterior_table = Some(PosteriorTable {
            columns: vec!["court.stage[trial].servers".into()],
            rows: vec![vec![10.0], vec![20.0], vec![30.0]],
            weights: vec![1.0, 1.0, 3.0],
        });
        s.uncertainty = Some(u);
        let m = at_medians(&s).unwrap();
        assert_eq!(
            m.param("court.stage[trial].servers").unwrap().as_integer(),
            Some(30)
        );
        let p = m.param("court.conviction_probability").unwrap();
        assert!((p.as_float().unwrap() - 0.85).abs() < 1e-12, "{p}");
        // Beside a posterior, the listed parameters are the factors and
        // the posterior's column is held.
        let params = uncertain_params(&s).unwrap();
        assert_eq!(params.len(), 1);
        assert_eq!(params[0].path, "court.conviction_probability");
        assert_eq!(
            held_columns(&s, &params),
            ["court.stage[trial].servers".to_string()]
        );
        // The same column in another spelling is varied, not held.
        let by_index =
            parse_param(r#"court.stage[1].servers={dist="uniform_int",low=5,high=60}"#).unwrap();
        assert!(held_columns(&s, &[by_index]).is_empty());
        // A posterior alone has no independent factor.
        let mut alone = s.uncertainty.clone().unwrap();
        alone.params.clear();
        s.uncertainty = Some(alone);
        let e = uncertain_params(&s).unwrap_err().to_string();
        assert!(
            e.starts_with("uncertainty.posterior: \"p.csv\" holds joint weighted draws (court.stage[trial].servers)"),
            "{e}"
        );
        assert!(e.contains("--param"), "{e}");
    }

    #[test]
    fn params_parse_and_bad_ones_are_named() {
        let p =
            parse_param(" court.conviction_probability = {dist=\"uniform\",low=0.8,high=0.99} ")
                .unwrap();
        assert_eq!(p.path, "court.conviction_probability");
        assert_eq!(p.dist, Dist::uniform(0.8, 0.99));
        let e = parse_param("court.x").unwrap_err().to_string();
        assert!(e.starts_with("court.x: expected PATH=DIST"), "{e}");
        let e = parse_param("court.x={dist=\"normal\",mean=1}")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("court.x: not a distribution table"), "{e}");
        let e = parse_param("court.x={dist=\"uniform\",low=2,high=1}")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("court.x: not a proper uniform"), "{e}");
    }

    #[test]
    fn no_table_and_an_empty_table_are_named() {
        let mut s = presets::plan_2026_01();
        let e = uncertain_params(&s).unwrap_err().to_string();
        assert!(e.starts_with("uncertainty: scenario"), "{e}");
        assert!(e.contains("has no [uncertainty] table"), "{e}");
        s.uncertainty = Some(Uncertainty::default());
        let e = uncertain_params(&s).unwrap_err().to_string();
        assert!(e.contains("lists no uncertain parameter"), "{e}");
    }
}
