//! What `[uncertainty]` asks of the scenario it is in: a value of a
//! distribution or a posterior column written as the scenario holds the
//! parameter, the scenario without it, its posterior file read, and its
//! check. The table itself is in [`super::uncertainty`].

use std::path::Path;

use super::dist::Dist;
use super::param_dist::{ParamDist, PathProblem};
use super::problems::Problems;
use super::uncertainty::{PosteriorTable, key};
use super::whole::Scenario;
use crate::error::Error;

/// A value of `dist` for `path` as TOML: an integer for `uniform_int` or
/// where the base scenario holds an integer.
pub(crate) fn toml_value(base: &Scenario, path: &str, dist: &Dist, x: f64) -> toml::Value {
    match dist {
        Dist::UniformInt { .. } => toml::Value::Integer(x.round() as i64),
        _ => posterior_value(base, path, x),
    }
}

impl Scenario {
    /// The path, as `[uncertainty]` spells it, that draws the value at
    /// `path` (a listed range or a posterior column, under any spelling
    /// of the path: `facility[0].capacity` draws the first facility's
    /// `facility[NAME].capacity`), or `None` when nothing draws it. A
    /// drawn value's replication values are the metric `param.` followed
    /// by that spelling.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::scenario::Uncertainty;
    /// use custody_sim::{Dist, presets};
    ///
    /// let mut s = presets::plan_2026_01();
    /// assert_eq!(s.drawn_as("facility[Nasiriyah].capacity"), None);
    /// s.uncertainty = Some(Uncertainty::new([("facility[0].capacity", Dist::uniform_int(3500, 4500))]));
    /// // `plan-2026-01` lists Nasiriyah first.
    /// assert_eq!(s.drawn_as("facility[Nasiriyah].capacity").as_deref(), Some("facility[0].capacity"));
    /// ```
    pub fn drawn_as(&self, path: &str) -> Option<String> {
        let u = self.uncertainty.as_ref()?;
        let want = self.canonical_path(path).ok()?;
        u.paths()
            .into_iter()
            .find(|p| self.canonical_path(p).is_ok_and(|c| c == want))
    }

    /// A copy without `[uncertainty]`: the scenario every draw changes.
    pub fn without_uncertainty(&self) -> Scenario {
        let mut s = self.clone();
        s.uncertainty = None;
        s
    }

    /// Reads the `posterior` file of `[uncertainty]`, relative to `dir`
    /// (the scenario file's directory), and keeps its rows in
    /// [`Uncertainty::posterior_table`](super::Uncertainty::posterior_table). Does nothing without one.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read, is not a regular file or
    /// is above [`MAX_POSTERIOR_BYTES`](crate::files::MAX_POSTERIOR_BYTES)
    /// (checked before reading); [`Error::Scenario`] at
    /// `uncertainty.posterior` if it does not parse.
    pub fn load_posterior(&mut self, dir: &Path) -> Result<(), Error> {
        let Some(u) = &mut self.uncertainty else {
            return Ok(());
        };
        let Some(f) = &u.posterior else {
            return Ok(());
        };
        let path = dir.join(f);
        let text =
            crate::files::read_text(&path, "posterior file", crate::files::MAX_POSTERIOR_BYTES)?;
        u.posterior_table = Some(PosteriorTable::from_csv_str(
            &text,
            &path.display().to_string(),
        )?);
        Ok(())
    }

    /// Checks `[uncertainty]`: every distribution valid, every path
    /// settable, both ends of every bounded range (and the mean of others)
    /// valid when applied, every posterior row valid.
    ///
    /// Every path, listed or a posterior column, must keep the shape of
    /// the results ([`Scenario::varying_path`]), and each parameter is
    /// uncertain once: two spellings of one parameter
    /// (`court.stage[trial].servers` and `court.stage[1].servers`) are
    /// refused, as in a sweep.
    pub(crate) fn check_uncertainty(&self, p: &mut Problems) {
        let Some(u) = &self.uncertainty else { return };
        let base = self.without_uncertainty();
        let columns = u.posterior_table.as_ref().map_or(&[][..], |t| &t.columns);
        let paths: Vec<&str> = u
            .params
            .iter()
            .map(|q| q.path.as_str())
            .chain(columns.iter().map(String::as_str))
            .collect();
        let before = p.len();
        // A path that does not resolve is refused below, when set.
        for problem in base.check_varying(&paths) {
            match problem {
                PathProblem::Unresolved(_) => {}
                PathProblem::Shape { index, why } => {
                    let path = paths[index];
                    if index < u.params.len() {
                        p.push(key(path), why);
                    } else {
                        p.push("uncertainty.posterior", format!("column {path:?} {why}"));
                    }
                }
                PathProblem::Twice(o) => {
                    let at = match paths.get(o.second) {
                        Some(path) if o.second < u.params.len() => key(path),
                        _ => "uncertainty.posterior".to_string(),
                    };
                    p.push(
                        at,
                        format!(
                            "uncertain twice: {}; give each parameter one distribution or one posterior column",
                            o.message
                        ),
                    );
                }
            }
        }
        if p.len() > before {
            return;
        }
        for ParamDist { path, dist } in &u.params {
            let k = key(path);
            let before = p.len();
            p.dist(&k, dist);
            if p.len() > before {
                continue;
            }
            let tries: Vec<f64> = match *dist {
                Dist::Uniform { low, high } | Dist::Triangular { low, high, .. } => {
                    vec![low, high]
                }
                Dist::UniformInt { low, high } => vec![low as f64, high as f64],
                ref d => vec![d.mean()],
            };
            for x in tries {
                if let Err(e) = base.with_value(path, toml_value(&base, path, dist, x)) {
                    p.push(
                        k.clone(),
                        format!("the value {x} is refused: {}", one_line(&e)),
                    );
                    break;
                }
            }
        }
        if let Some(t) = &u.posterior_table {
            for (i, row) in t.rows.iter().enumerate() {
                let values: Vec<(&str, toml::Value)> = t
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(c, &x)| (c.as_str(), posterior_value(&base, c, x)))
                    .collect();
                if let Err(e) = base.with_values(values) {
                    p.push(
                        "uncertainty.posterior",
                        format!(
                            "row {} (line {}) is refused: {}",
                            i + 1,
                            i + 2,
                            one_line(&e)
                        ),
                    );
                    break;
                }
            }
        }
    }
}

/// An error of several problems on one line, `; ` between them: quoted
/// inside another problem's message, it stays one problem.
pub(crate) fn one_line(e: &Error) -> String {
    e.to_string().replace('\n', "; ")
}

/// A posterior value for `path`: an integer where the base scenario has
/// an integer.
pub(crate) fn posterior_value(base: &Scenario, path: &str, x: f64) -> toml::Value {
    match base.param(path) {
        Ok(toml::Value::Integer(_)) => toml::Value::Integer(x.round() as i64),
        _ => toml::Value::Float(x),
    }
}
