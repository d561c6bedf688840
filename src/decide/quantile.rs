//! Quantile functions (inverse CDFs) of the scenario distributions: the map
//! from a point `u` of the unit interval to a parameter value, with errors
//! that name the parameter's path. The functions are
//! [`Dist::quantile`](crate::dist::Dist::quantile)'s, whose docs have the table.

use super::DecideError;
use crate::dist::Dist;
use crate::error::Error;
use crate::scenario::ParamDist;

/// Checks that `dist` has a quantile function: finite parameters in their
/// ranges ([`Dist::check_proper`]).
///
/// # Errors
///
/// [`Error::Decide`] of kind [`DecideError::Input`] naming `path` and the
/// problem.
pub fn check(path: &str, dist: &Dist) -> Result<(), Error> {
    dist.check_proper().map_err(|e| input(path, dist, &e))
}

/// Checks the parameters of a design (Sobol or Morris): at least one,
/// each distribution usable for quantiles ([`check`]), no path twice.
pub(super) fn check_design(params: &[ParamDist]) -> Result<(), Error> {
    if params.is_empty() {
        return Err(DecideError::input("params", "need at least one parameter"));
    }
    for (i, p) in params.iter().enumerate() {
        check(&p.path, &p.dist)?;
        if params[..i].iter().any(|q| q.path == p.path) {
            return Err(DecideError::input(&p.path, "parameter listed twice"));
        }
    }
    Ok(())
}

fn input(path: &str, dist: &Dist, e: &crate::dist::DistError) -> Error {
    DecideError::input(
        path,
        format!("not a proper {} distribution: {e}", dist.kind()),
    )
}

/// The `u`-quantile of `dist`, for `u` in the open interval (0, 1); `u`
/// outside it is clamped to the nearest representable point inside.
///
/// # Errors
///
/// [`Error::Decide`] of kind [`DecideError::Input`] naming `path` if the
/// distribution's parameters are invalid (see [`check`]).
///
/// # Example: the median of a lognormal
///
/// ```
/// use custody_sim::{Dist, decide::quantile::quantile};
///
/// let d = Dist::lognormal(150.0, 30.0);
/// let sigma2 = (1.0f64 + (30.0f64 / 150.0).powi(2)).ln();
/// let median = (150.0f64.ln() - sigma2 / 2.0).exp();
/// assert!((quantile("x", &d, 0.5)? - median).abs() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn quantile(path: &str, dist: &Dist, u: f64) -> Result<f64, Error> {
    dist.quantile(u).map_err(|e| input(path, dist, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mean of the quantile function over a fine midpoint grid is the
    /// distribution's mean (E X = integral of Q(u) du).
    #[test]
    fn quantiles_integrate_to_the_mean() {
        for d in [
            Dist::fixed(3.0),
            Dist::uniform(2.0, 5.0),
            Dist::uniform_int(5, 60),
            Dist::Triangular {
                low: 1.0,
                mode: 2.0,
                high: 7.0,
            },
            Dist::exponential(4.0),
            Dist::lognormal(150.0, 30.0),
            Dist::gamma(10.0, 4.0),
            Dist::Poisson { mean: 7.5 },
        ] {
            let n = 200_000;
            let m = (0..n)
                .map(|i| quantile("x", &d, (i as f64 + 0.5) / n as f64).unwrap())
                .sum::<f64>()
                / n as f64;
            let tol = 1e-3 * d.mean().max(1.0);
            assert!((m - d.mean()).abs() < tol, "{d:?}: {m} vs {}", d.mean());
        }
    }

    #[test]
    fn known_quantiles() {
        // Exponential: median = mean ln 2.
        let q = quantile("x", &Dist::exponential(2.0), 0.5).unwrap();
        assert!((q - 2.0 * 2f64.ln()).abs() < 1e-12);
        // uniform_int: each integer gets an equal share of (0, 1).
        let d = Dist::uniform_int(1, 4);
        let got: Vec<f64> = [0.1, 0.3, 0.6, 0.9, 1.0]
            .iter()
            .map(|&u| quantile("x", &d, u).unwrap())
            .collect();
        assert_eq!(got, vec![1.0, 2.0, 3.0, 4.0, 4.0]);
        // Gamma with shape 1 is exponential.
        let g = quantile("x", &Dist::gamma(3.0, 3.0), 0.9).unwrap();
        assert!((g - (-3.0 * 0.1f64.ln())).abs() < 1e-6, "{g}");
    }

    #[test]
    fn bad_distributions_name_the_path() {
        let e = quantile("court.x", &Dist::uniform(5.0, 1.0), 0.5).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "court.x: not a proper uniform distribution: high: must be at least low (5), got 1"
            ),
            "{e}"
        );
        assert!(quantile("p", &Dist::lognormal(-1.0, 1.0), 0.5).is_err());
    }
}
