//! The one place that calls the scenario, model and Monte Carlo APIs:
//! setting parameters by path, building plans, running replications by
//! index. Everything else in `decide` works on plain numbers.

use rayon::prelude::*;

use super::DecideError;
use super::probe::Probe;
use crate::error::Error;
use crate::model::Plan;
use crate::model::Workspace;
use crate::scenario::Scenario;

/// Metric values of one replication, in the order asked for (`None`: no
/// value in that replication).
pub(crate) type Row = Vec<Option<f64>>;

/// Runs `f` on a pool of `threads` threads (0: the current pool), with
/// the runner's cap on threads ([`crate::montecarlo::max_threads`]).
pub(crate) fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> Result<T, Error> {
    crate::montecarlo::in_pool(threads, f)
}

/// Whether the value at `path` in `base` is an integer (then values set
/// there are rounded).
pub(crate) fn is_integer(base: &Scenario, path: &str) -> Result<bool, Error> {
    Ok(matches!(base.param(path)?, toml::Value::Integer(_)))
}

/// A value as the scenario file would write it.
pub(crate) fn format_value(v: f64, integer: bool) -> String {
    if integer {
        format!("{}", v.round() as i64)
    } else if v.is_finite() && v == v.trunc() && v.abs() < 1e15 {
        format!("{v:.1}")
    } else {
        format!("{v:e}")
    }
}

/// `base` with each `(path, value)` set.
pub(crate) fn with_values(base: &Scenario, values: &[(&str, String)]) -> Result<Scenario, Error> {
    base.with_params(values.iter().map(|(p, v)| (*p, v.as_str())))
}

/// A plan and where each of `metrics` is read ([`Probe`]): a metric at
/// the horizon, or a daily series on a day (`SERIES@DAY`).
///
/// # Errors
///
/// [`DecideError::Input`] naming a metric that does not exist (with the
/// closest names) or a `SERIES@DAY` that is bad ([`super::SeriesDay::parse`]).
pub(crate) fn plan(scenario: &Scenario, metrics: &[String]) -> Result<(Plan, Vec<Probe>), Error> {
    let plan = Plan::new(scenario)?;
    let mut probes = Vec::with_capacity(metrics.len());
    for m in metrics {
        if let Some(p) = Probe::resolve(scenario, plan.layout(), m)? {
            probes.push(p);
            continue;
        }
        // The schema's own lookup, for its closest-first list of names.
        let valid = match plan.layout().find_metric(m) {
            Err(crate::error::Error::UnknownName { valid, .. }) => valid,
            _ => Vec::new(),
        };
        const SHOWN: usize = 8;
        let more = valid.len().saturating_sub(SHOWN);
        let more = if more > 0 {
            format!(", … and {more} more")
        } else {
            String::new()
        };
        return Err(DecideError::input(
            m.as_str(),
            format!(
                "no such metric in scenario {:?} (closest: {}{more}; a daily series on a day is SERIES@DATE or SERIES@DAY)",
                scenario.name,
                valid[..valid.len().min(SHOWN)].join(", ")
            ),
        ));
    }
    Ok((plan, probes))
}

/// Names of every metric of `scenario`.
pub(crate) fn metric_names(scenario: &Scenario) -> Result<Vec<String>, Error> {
    Ok(Plan::new(scenario)?.layout().metrics().to_vec())
}

/// Refuses runs that would keep more than
/// [`limits::MAX_STORED_VALUES`](crate::scenario::limits::MAX_STORED_VALUES) metric
/// values, as the Monte Carlo runner does.
fn check_stored(replications: u64, metrics: usize) -> Result<(), Error> {
    let values = replications.saturating_mul(metrics.max(1) as u64);
    if values > crate::scenario::limits::MAX_STORED_VALUES {
        return Err(DecideError::input(
            "replications",
            format!(
                "{replications} replications of {metrics} metrics make {values} stored values, more than the limit of {:e}; run fewer",
                crate::scenario::limits::MAX_STORED_VALUES as f64
            ),
        ));
    }
    Ok(())
}

/// The values of `probes` in replication `index` of `plan`, whose
/// `[uncertainty]` values `drawn` are the `param.PATH` metrics.
fn replicate(
    plan: &Plan,
    ws: &mut Workspace,
    seed: u64,
    index: u64,
    probes: &[Probe],
    drawn: &[f64],
) -> Row {
    let out = plan.replicate_in(ws, seed, index);
    probes.iter().map(|p| p.read(&out, drawn)).collect()
}

/// Replications `0..n` of `scenario` with master seed `seed`: one row per
/// replication, in index order (the same values [`crate::montecarlo::run`] summarises,
/// `[uncertainty]` drawn as a run draws it).
pub(crate) fn replications(
    scenario: &Scenario,
    seed: u64,
    n: u64,
    metrics: &[String],
) -> Result<Vec<Row>, Error> {
    #[cfg(test)]
    REPLICATION_RUNS.with(|c| c.set(c.get() + 1));
    check_stored(n, metrics.len())?;
    let (plan, probes) = plan(scenario, metrics)?;
    // `[uncertainty]` is drawn per replication exactly as a run draws it.
    let uncertain = crate::montecarlo::uncertain::Uncertain::new(&plan)?;
    (0..n)
        .into_par_iter()
        .map_init(Workspace::default, |ws, i| match &uncertain {
            Some(u) => {
                let (p, drawn) = u.plan(seed, i)?;
                Ok(replicate(&p, ws, seed, i, &probes, &drawn))
            }
            None => Ok(replicate(&plan, ws, seed, i, &probes, &[])),
        })
        .collect()
}

#[cfg(test)]
thread_local! {
    /// How many times [`replications`] ran on this thread, for the tests
    /// that a command runs each scenario once.
    pub(crate) static REPLICATION_RUNS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// One replication per point: point `p` is the base scenario with
/// `paths[i] = values(p)[i]`, run as replication `index(p)`. Rows come back
/// in point order, whatever the threads.
pub(crate) fn points(
    base: &Scenario,
    paths: &[String],
    seed: u64,
    metrics: &[String],
    count: usize,
    point: impl Fn(usize) -> (Vec<String>, u64) + Sync,
) -> Result<Vec<Row>, Error> {
    check_stored(count as u64, metrics.len())?;
    // The paths keep the shape of the results (checked by the caller), so
    // the probes of the base scenario read every point's outcome.
    let (_, probes) = plan(base, metrics)?;
    (0..count)
        .into_par_iter()
        .map_init(Workspace::default, |ws, p| {
            let (values, index) = point(p);
            let set: Vec<(&str, String)> = paths.iter().map(String::as_str).zip(values).collect();
            let s = with_values(base, &set)?;
            let plan = Plan::new(&s)?;
            Ok(replicate(&plan, ws, seed, index, &probes, &[]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_as_the_file_would() {
        assert_eq!(format_value(11.6, true), "12");
        assert_eq!(format_value(2.0, false), "2.0");
        assert_eq!(format_value(0.125, false), "1.25e-1");
        assert!(check_stored(u64::MAX, 2).is_err());
        assert!(check_stored(1000, 20).is_ok());
    }
}
