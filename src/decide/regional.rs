//! Regional sensitivity on a threshold: which parameters separate the runs
//! in which a condition holds (a prison over 4,000 on 1 March) from those
//! in which it does not (Hornberger and Spear 1981; Spear and Hornberger
//! 1980, "Monte Carlo filtering").
//!
//! `N` points are drawn independently from the parameters' distributions
//! (a ChaCha8 stream fixed by the seed, through their quantile functions),
//! point `j` running as replication `j` of the seed. The runs split by the
//! condition into two sets; for each parameter, the Kolmogorov–Smirnov
//! distance `D = sup_x |F_holds(x) − F_fails(x)|` between its empirical
//! distributions in the two sets says how far it separates them: near 1
//! when it alone decides the condition, near 0 when it plays no part. The
//! p-value is the asymptotic Kolmogorov one,
//! `Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2 k² λ²)` at
//! `λ = (√m + 0.12 + 0.11/√m) D`, `m = n₁ n₂ / (n₁ + n₂)` (Stephens 1970;
//! Press et al., *Numerical Recipes*, §14.3), for continuous parameters;
//! for an integer parameter, whose ties make the test conservative, it is
//! an upper bound. A run without a value of the metric is left out.
//!
//! # References
//!
//! - Hornberger, G. M., Spear, R. C. (1981). An approach to the
//!   preliminary analysis of environmental systems. *Journal of
//!   Environmental Management* 12, 7–18.
//! - Stephens, M. A. (1970). Use of the Kolmogorov–Smirnov, Cramér–von
//!   Mises and related statistics without extensive tables. *JRSS B* 32,
//!   115–122.

use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::{DecideError, adapter, quantile};
use crate::error::Error;
use crate::scenario::{ParamDist, Scenario};

/// A threshold condition on a metric: `METRIC>VALUE` (or `<`, `>=`, `<=`),
/// the metric a metric at the horizon or `SERIES@DAY`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// The metric.
    pub metric: String,
    /// The comparison: `>`, `>=`, `<` or `<=`.
    pub op: String,
    /// The threshold, in the metric's units.
    pub value: f64,
}

impl Condition {
    /// Parses `METRIC>VALUE`, `METRIC>=VALUE`, `METRIC<VALUE` or
    /// `METRIC<=VALUE`.
    ///
    /// # Errors
    ///
    /// [`Error::Decide`] of kind [`DecideError::Input`] naming the text
    /// without a comparison, a metric or a finite number.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::decide::Condition;
    ///
    /// let c = Condition::parse("occupancy.Karkh@2026-03-01>4000")?;
    /// assert_eq!((c.metric.as_str(), c.op.as_str(), c.value), ("occupancy.Karkh@2026-03-01", ">", 4000.0));
    /// assert!(c.holds(4001.0) && !c.holds(4000.0));
    /// assert!(Condition::parse("occupancy.Karkh=4000").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(text: &str) -> Result<Condition, Error> {
        let Some(at) = text.find(['<', '>']) else {
            return Err(DecideError::input(
                text,
                "expected METRIC>VALUE (or <, >=, <=), e.g. occupancy.Karkh@2026-03-01>4000",
            ));
        };
        let metric = text[..at].trim();
        let rest = &text[at..];
        let op_len = if rest[1..].starts_with('=') { 2 } else { 1 };
        let (op, value) = rest.split_at(op_len);
        let value = value.trim();
        let Some(value) = value.parse::<f64>().ok().filter(|v| v.is_finite()) else {
            return Err(DecideError::input(
                text,
                format!("the threshold {value:?} is not a finite number"),
            ));
        };
        if metric.is_empty() {
            return Err(DecideError::input(text, "no metric before the comparison"));
        }
        Ok(Condition {
            metric: metric.to_string(),
            op: op.to_string(),
            value,
        })
    }

    /// Whether `x` meets the condition.
    pub fn holds(&self, x: f64) -> bool {
        match self.op.as_str() {
            ">" => x > self.value,
            ">=" => x >= self.value,
            "<" => x < self.value,
            _ => x <= self.value,
        }
    }
}

/// How far one parameter separates the runs where the condition holds
/// from the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionalIndex {
    /// Parameter path.
    pub path: String,
    /// Kolmogorov–Smirnov distance between its two empirical
    /// distributions, in `[0, 1]` (`None` when either set is empty).
    pub ks: Option<f64>,
    /// The asymptotic p-value of the distance (see the module docs).
    pub p_value: Option<f64>,
}

/// The result of [`regional`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionalResult {
    /// The condition.
    pub condition: Condition,
    /// Points drawn (model runs).
    pub samples: usize,
    /// Runs in which the condition holds.
    pub holds: usize,
    /// Runs in which it does not (runs without a value left out).
    pub fails: usize,
    /// Per parameter, in the order given.
    pub indices: Vec<RegionalIndex>,
}

/// The Kolmogorov–Smirnov distance of samples `a` and `b` (each sorted).
fn ks_distance(a: &[f64], b: &[f64]) -> f64 {
    let (mut i, mut j, mut d) = (0, 0, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    d
}

/// The asymptotic p-value of distance `d` between samples of sizes `n1`
/// and `n2` (Stephens 1970).
fn ks_p_value(d: f64, n1: usize, n2: usize) -> f64 {
    let m = (n1 * n2) as f64 / (n1 + n2) as f64;
    let lambda = (m.sqrt() + 0.12 + 0.11 / m.sqrt()) * d;
    if lambda < 1e-3 {
        return 1.0;
    }
    let mut sum = 0.0;
    for k in 1..=100 {
        let term = (-2.0 * (k * k) as f64 * lambda * lambda).exp();
        sum += if k % 2 == 1 { term } else { -term };
        if term < 1e-12 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// Regional sensitivity of `condition` over `params` (see the module
/// docs) from the KS distances of a function's outputs `y[j]` at points
/// `x` (row-major `samples × k`).
fn analyse(
    params: &[ParamDist],
    condition: &Condition,
    x: &[f64],
    y: &[Option<f64>],
) -> RegionalResult {
    let k = params.len();
    let (mut holds, mut fails): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    for (j, v) in y.iter().enumerate() {
        match v {
            Some(v) if condition.holds(*v) => holds.push(j),
            Some(_) => fails.push(j),
            None => {}
        }
    }
    let indices = params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let column = |rows: &[usize]| {
                let mut v: Vec<f64> = rows.iter().map(|&j| x[j * k + i]).collect();
                v.sort_by(f64::total_cmp);
                v
            };
            let (a, b) = (column(&holds), column(&fails));
            let ks = (!a.is_empty() && !b.is_empty()).then(|| ks_distance(&a, &b));
            RegionalIndex {
                path: p.path.clone(),
                ks,
                p_value: ks.map(|d| ks_p_value(d, a.len(), b.len())),
            }
        })
        .collect();
    RegionalResult {
        condition: condition.clone(),
        samples: y.len(),
        holds: holds.len(),
        fails: fails.len(),
        indices,
    }
}

/// `samples` points from the parameters' distributions, row-major.
fn design(params: &[ParamDist], samples: usize, seed: u64) -> Result<Vec<f64>, Error> {
    quantile::check_design(params)?;
    if samples < 2 {
        return Err(DecideError::input(
            "samples",
            format!("must be at least 2, got {samples}"),
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Vec::with_capacity(samples * params.len());
    for _ in 0..samples {
        for p in params {
            let u = ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
            x.push(quantile::quantile(&p.path, &p.dist, u)?);
        }
    }
    Ok(x)
}

/// Regional sensitivity of a function `f(&x)` of the parameters' values
/// (the paths only labels), on `samples` independent points.
///
/// # Errors
///
/// [`Error::Decide`] of kind [`DecideError::Input`] for no parameters, a
/// parameter listed twice, a distribution without a quantile function or
/// fewer than 2 samples.
///
/// # Example: one parameter decides the condition
///
/// ```
/// use custody_sim::decide::{Condition, regional_fn};
/// use custody_sim::{Dist, scenario::ParamDist};
///
/// let params = [ParamDist::new("a", Dist::uniform(0.0, 1.0)), ParamDist::new("b", Dist::uniform(0.0, 1.0))];
/// let r = regional_fn(&params, |x| x[0], &Condition::parse("f>0.5")?, 400, 1)?;
/// assert_eq!(r.indices[0].ks, Some(1.0));
/// assert!(r.indices[1].ks.unwrap() < 0.2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn regional_fn<F>(
    params: &[ParamDist],
    f: F,
    condition: &Condition,
    samples: usize,
    seed: u64,
) -> Result<RegionalResult, Error>
where
    F: Fn(&[f64]) -> f64,
{
    let x = design(params, samples, seed)?;
    let k = params.len();
    let y: Vec<Option<f64>> = (0..samples)
        .map(|j| Some(f(&x[j * k..(j + 1) * k])).filter(|v| v.is_finite()))
        .collect();
    Ok(analyse(params, condition, &x, &y))
}

/// Regional sensitivity of `condition` on the model: `samples` points
/// drawn from the parameters' distributions, point `j` run as replication
/// `j` of `seed` (a scenario with `[uncertainty]` runs without it, the
/// paths not in `params` at their medians, [`super::at_medians`]).
///
/// # Errors
///
/// As [`regional_fn`]; [`Error::Decide`] of kind [`DecideError::Input`]
/// for an unknown metric or a bad `SERIES@DAY`; [`Error::Scenario`] for a
/// bad path or a drawn value that makes the scenario invalid.
pub fn regional(
    scenario: &Scenario,
    params: &[ParamDist],
    condition: &Condition,
    samples: usize,
    seed: u64,
    threads: usize,
) -> Result<RegionalResult, Error> {
    super::params::check_paths(scenario, params)?;
    let x = design(params, samples, seed)?;
    let held = super::at_medians(scenario)?;
    let scenario = &held;
    let k = params.len();
    let paths: Vec<String> = params.iter().map(|p| p.path.clone()).collect();
    let integer = paths
        .iter()
        .map(|p| adapter::is_integer(scenario, p))
        .collect::<Result<Vec<_>, _>>()?;
    let metrics = [condition.metric.clone()];
    let rows = adapter::in_pool(threads, || {
        adapter::points(scenario, &paths, seed, &metrics, samples, |j| {
            let values = x[j * k..(j + 1) * k]
                .iter()
                .zip(&integer)
                .map(|(&v, &int)| adapter::format_value(v, int))
                .collect();
            (values, j as u64)
        })
    })??;
    // The values the model ran with (integers rounded).
    let ran: Vec<f64> = x
        .chunks(k)
        .flat_map(|r| {
            r.iter()
                .zip(&integer)
                .map(|(&v, &int)| if int { v.round() } else { v })
        })
        .collect();
    let y: Vec<Option<f64>> = rows.iter().map(|r| r[0]).collect();
    Ok(analyse(params, condition, &ran, &y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;

    #[test]
    fn ks_distance_and_p_value_on_known_cases() {
        assert_eq!(ks_distance(&[1.0, 2.0], &[3.0, 4.0]), 1.0);
        assert_eq!(ks_distance(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]), 0.0);
        // Interleaved halves: a step of 1/2 at most.
        assert_eq!(ks_distance(&[1.0, 3.0], &[2.0, 4.0]), 0.5);
        // Q(λ) at λ = 1.36 is 0.049 (the 5% critical value, tables).
        let m: f64 = 10_000.0;
        let d = 1.36 / (m.sqrt() + 0.12 + 0.11 / m.sqrt());
        let p = ks_p_value(d, 20_000, 20_000);
        assert!((p - 0.0494).abs() < 1e-3, "{p}");
        assert_eq!(ks_p_value(0.0, 5, 5), 1.0);
    }

    /// A parameter that alone decides the condition has KS 1 (p near 0);
    /// an unused one has KS near 0 (p not small).
    #[test]
    fn the_deciding_parameter_separates_the_runs() {
        let params: Vec<ParamDist> = (0..3)
            .map(|i| ParamDist::new(format!("x{i}"), Dist::uniform(0.0, 1.0)))
            .collect();
        let c = Condition::parse("f >= 0.7").unwrap();
        let r = regional_fn(&params, |x| x[1] + 1e-9 * x[2], &c, 2000, 3).unwrap();
        assert_eq!(r.samples, 2000);
        assert!((r.holds as f64 - 600.0).abs() < 80.0, "{r:?}");
        assert!(r.indices[1].ks.unwrap() > 0.999, "{r:?}");
        assert!(r.indices[1].p_value.unwrap() < 1e-10, "{r:?}");
        for i in [0, 2] {
            let ix = &r.indices[i];
            assert!(ix.ks.unwrap() < 0.1, "{ix:?}");
            assert!(ix.p_value.unwrap() > 0.001, "{ix:?}");
        }
        let none =
            regional_fn(&params, |x| x[0], &Condition::parse("f>5").unwrap(), 10, 1).unwrap();
        assert_eq!((none.holds, none.indices[0].ks), (0, None));
        let e = Condition::parse("f>x").unwrap_err().to_string();
        assert!(
            e.contains("the threshold \"x\" is not a finite number"),
            "{e}"
        );
    }
}
