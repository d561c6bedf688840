//! A distribution on a parameter path: the one type behind an uncertain
//! parameter (`[uncertainty]`), a sensitivity parameter
//! ([`crate::decide`]) and a calibration prior
//! ([`crate::calibrate::Prior`], which adds a transform), and the one
//! check of the paths of such parameters.
//!
//! Each of these sets its path to a different value run by run, so each
//! path must keep the shape of the results, and no two may reach the same
//! parameter ([`Scenario::check_varying`]). Each caller words the problem
//! in its own terms (an uncertain parameter "uncertain twice", a
//! sensitivity parameter "listed twice", a parameter with "two priors").

use serde::{Deserialize, Serialize};

use super::dist::Dist;
use crate::error::Error;

/// A parameter path (the syntax of docs/model.md, as `--set` takes it)
/// and the distribution of its value, a `dist` table as in a scenario
/// file. Values are in the parameter's own unit (days, persons,
/// probability); a value drawn for a path whose current value is an
/// integer (a server count, a capacity) is rounded to the nearest
/// integer.
///
/// # Example
///
/// ```
/// use custody_sim::{Dist, scenario::{ParamDist, Uncertainty}};
///
/// let p = ParamDist::new("court.stage[trial].servers", Dist::uniform_int(10, 40));
/// assert_eq!(p.path, "court.stage[trial].servers");
/// // `[uncertainty]` lists its parameters as `ParamDist`s.
/// let u = Uncertainty::new([p.clone()]);
/// assert_eq!(u.params, [p]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamDist {
    /// Parameter path, e.g. `court.stage[trial].servers`.
    pub path: String,
    /// The distribution of its value.
    pub dist: Dist,
}

impl ParamDist {
    /// A parameter from a path and a distribution (not checked: each use
    /// checks the distribution by its own rules).
    pub fn new(path: impl Into<String>, dist: Dist) -> ParamDist {
        ParamDist {
            path: path.into(),
            dist,
        }
    }

    /// Splits the command line's `PATH=DIST` text at its first `=`, each
    /// side trimmed; `None` without an `=`.
    pub(crate) fn split(text: &str) -> Option<(&str, &str)> {
        text.split_once('=').map(|(p, d)| (p.trim(), d.trim()))
    }

    /// Reads a `dist` table in TOML inline form, `{dist="uniform",...}`.
    pub(crate) fn read_dist(table: &str) -> Result<Dist, toml::de::Error> {
        #[derive(Deserialize)]
        struct Wrap {
            d: Dist,
        }
        toml::from_str::<Wrap>(&format!("d = {table}")).map(|w| w.d)
    }
}

impl<S: Into<String>> From<(S, Dist)> for ParamDist {
    fn from((path, dist): (S, Dist)) -> ParamDist {
        ParamDist::new(path, dist)
    }
}

/// Two paths of one list that reach the same parameter
/// ([`Scenario::overlap`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Overlap {
    /// Index of the first path.
    pub(crate) first: usize,
    /// Index of the second path, the one to name in an error.
    pub(crate) second: usize,
    /// `A and B reach the same parameter (CANONICAL)`.
    pub(crate) message: String,
}

/// A problem with the paths of parameters that vary run by run
/// ([`Scenario::check_varying`]).
#[derive(Debug)]
pub(crate) enum PathProblem {
    /// A path does not resolve: the error of
    /// [`Scenario::canonical_path`], which names it.
    Unresolved(Error),
    /// Path `index` changes the shape of the results
    /// ([`Scenario::varying_path`]).
    Shape {
        /// Index of the path.
        index: usize,
        /// `changes the shape of the results (...)`.
        why: String,
    },
    /// Two paths reach the same parameter.
    Twice(Overlap),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::presets;

    /// Every kind of problem is found, path by path, then the overlap.
    #[test]
    fn varying_paths_report_each_problem_in_order() {
        let s = presets::plan_2026_01();
        let found = s.check_varying(&[
            "court.stage[trial].servers",
            "horizon_days",
            "court.stage[nowhere].servers",
            "court.stage[1].servers",
        ]);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            matches!(&found[0], PathProblem::Shape { index: 1, why } if why.contains("length of every daily series"))
        );
        assert!(
            matches!(&found[1], PathProblem::Unresolved(e) if e.to_string().contains("nowhere"))
        );
        assert!(matches!(&found[2], PathProblem::Twice(o) if (o.first, o.second) == (0, 3)));
        assert!(
            s.check_varying(&["court.stage[trial].servers", "facility[Hillah].capacity"])
                .is_empty()
        );
    }

    #[test]
    fn specs_split_and_tables_read() {
        assert_eq!(ParamDist::split(" a.b = {x} "), Some(("a.b", "{x}")));
        assert_eq!(ParamDist::split("a.b"), None);
        assert_eq!(
            ParamDist::read_dist(r#"{dist="uniform",low=1,high=2}"#).unwrap(),
            Dist::uniform(1.0, 2.0)
        );
        assert!(ParamDist::read_dist(r#"{dist="normal",mean=1}"#).is_err());
    }
}
