//! Parameter paths: one value of a scenario named in the file's own keys,
//! for overrides (`--set`) and sweeps.
//!
//! A path is keys joined by `.`, with list items picked by index or by
//! name: `court.stage[trial].servers`, `group[0].repatriation.probability`,
//! `transfer.weekly_cap`, `facility[Nasiriyah].capacity`,
//! `transfer.phase[1].interval_days.value`. A whole table can be replaced
//! too: `transfer.transit_days` with `{ dist = "fixed", value = 1.0 }`.
//!
//! Every key of version 2 is reachable, set or left out:
//! `transfer.end.target_total`, `transfer.end.until_day` (a number or a
//! date), `custody.mortality_per_year`, `allocation.facilities`,
//! `facility[Karkh].background.mean_stay_days`,
//! `facility[Karkh].cost_per_detainee_day`, `relocation[0].count`,
//! `court.sentence[death].exit.probability`,
//! `group[Turkish].repatriation.quota`. A table left out is created when a
//! key in it is set.
//!
//! Errors name list items as the user did: `--set
//! court.stage[trial].servers=0` is refused at `court.stage[trial].servers`.
//! [`Scenario::canonical_path`] gives the one form of a path that two
//! spellings of the same parameter share; every list of paths (a sweep's,
//! `[uncertainty]`, priors, sensitivity parameters) refuses one parameter
//! given twice by it.
//!
//! What may vary run by run (an uncertain parameter, a prior, a solved
//! lever, a sensitivity parameter) is decided in one place,
//! [`Scenario::varying_path`]: not `horizon_days`, `start_date`, a name or
//! a list, which change the shape of the results. Paths under `variant.`
//! and `uncertainty.` are not parameters and are refused everywhere.
//!
//! Values are written as in the scenario file (TOML). A value that is not
//! valid TOML is taken as a bare string, so `allocation.policy=fill_in_order`
//! needs no quotes on a command line.

use serde::Serialize;

use super::overrides::{Override, parse_value};
use super::param_dist::{Overlap, ParamDist, PathProblem};
use super::problems::ScenarioErrors;
use super::whole::Scenario;
use crate::error::Error;

/// One step of a parameter path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
    Name(String),
}

fn bad(path: &str, message: impl Into<String>) -> Error {
    Error::Scenario(ScenarioErrors::one(path, message))
}

fn parse(path: &str) -> Result<Vec<Segment>, Error> {
    let mut out = Vec::new();
    if path.is_empty() {
        return Err(bad(path, "empty parameter path"));
    }
    // `[variant]` and `[uncertainty]` say how to make scenarios; they are
    // not values of one.
    match path.split(['.', '[']).next() {
        Some("variant") => {
            return Err(bad(
                path,
                "a variant is not a parameter: `variant.…` cannot be set, varied or drawn \
                 (select a variant with SCENARIO:NAME, or edit [variant.NAME] in the file)",
            ));
        }
        Some("uncertainty") => {
            return Err(bad(
                path,
                "[uncertainty] is not a parameter: `uncertainty.…` (its posterior file \
                 included) cannot be set, varied or drawn; edit [uncertainty] in the scenario \
                 file (a value set at an uncertain path already replaces its distribution)",
            ));
        }
        _ => {}
    }
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() || key.contains(']') {
            return Err(bad(
                path,
                format!("malformed parameter path: bad key {part:?}"),
            ));
        }
        out.push(Segment::Key(key.to_string()));
        while !rest.is_empty() {
            let close = rest
                .find(']')
                .filter(|_| rest.starts_with('['))
                .ok_or_else(|| {
                    bad(
                        path,
                        format!("malformed parameter path: unclosed or stray bracket in {part:?}"),
                    )
                })?;
            let inner = &rest[1..close];
            if inner.is_empty() {
                return Err(bad(path, "malformed parameter path: empty []"));
            }
            out.push(if inner.chars().all(|c| c.is_ascii_digit()) {
                Segment::Index(
                    inner
                        .parse()
                        .map_err(|_| bad(path, format!("index {inner} is too large")))?,
                )
            } else {
                Segment::Name(inner.to_string())
            });
            rest = &rest[close + 1..];
        }
    }
    Ok(out)
}

fn to_value<T: Serialize>(x: &T) -> toml::Value {
    // Plain data with string keys always serialises.
    toml::Value::try_from(x).unwrap_or(toml::Value::Table(toml::Table::new()))
}

/// Walks to the slot named by `segs`; with `create`, a missing key of a
/// table is inserted (an empty table on the way, the scenario's own checks
/// then accept or refuse it), so that an optional table left out
/// (`custody`, `transfer.end`, a facility's `background`) can be set.
///
/// Also returns the canonical path: list items by index, and, for each
/// list item named by name, the pair (index form, named form) of the path
/// up to it.
fn slot<'a>(
    mut v: &'a mut toml::Value,
    segs: &[Segment],
    path: &str,
    create: bool,
) -> Result<(&'a mut toml::Value, Resolved), Error> {
    let mut walked = String::new();
    let mut resolved = Resolved::default();
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        v = match seg {
            Segment::Key(k) => {
                let table = v.as_table_mut().ok_or_else(|| {
                    bad(
                        path,
                        format!("{walked}: not a table, cannot take key {k:?}"),
                    )
                })?;
                if !walked.is_empty() {
                    walked.push('.');
                    resolved.canonical.push('.');
                }
                walked.push_str(k);
                resolved.canonical.push_str(k);
                if !table.contains_key(k) {
                    if create && last {
                        table.insert(k.clone(), toml::Value::Boolean(false));
                    } else if create && matches!(segs.get(i + 1), Some(Segment::Key(_))) {
                        table.insert(k.clone(), toml::Value::Table(toml::Table::new()));
                    } else {
                        return Err(bad(path, format!("unknown or unset key {walked:?}")));
                    }
                }
                table.get_mut(k).ok_or_else(|| bad(path, "unreachable"))?
            }
            Segment::Index(n) => {
                let arr = v
                    .as_array_mut()
                    .ok_or_else(|| bad(path, format!("{walked}: not a list, cannot take [{n}]")))?;
                let len = arr.len();
                walked.push_str(&format!("[{n}]"));
                resolved.canonical.push_str(&format!("[{n}]"));
                arr.get_mut(*n).ok_or_else(|| {
                    bad(
                        path,
                        format!("{walked}: index out of range (the list has {len} items)"),
                    )
                })?
            }
            Segment::Name(name) => {
                let arr = v.as_array_mut().ok_or_else(|| {
                    bad(path, format!("{walked}: not a list, cannot take [{name}]"))
                })?;
                let names: Vec<String> = arr
                    .iter()
                    .filter_map(|x| x.get("name").and_then(|n| n.as_str()).map(str::to_string))
                    .collect();
                let at = format!("{walked}[{name}]");
                walked = at.clone();
                let index = arr
                    .iter()
                    .position(|x| x.get("name").and_then(|n| n.as_str()) == Some(name.as_str()))
                    .ok_or_else(|| {
                        bad(
                            path,
                            format!("{at}: no item named {name:?} (names: {})", names.join(", ")),
                        )
                    })?;
                resolved.canonical.push_str(&format!("[{index}]"));
                resolved
                    .named
                    .push((resolved.canonical.clone(), walked.clone()));
                arr.get_mut(index).ok_or_else(|| bad(path, "unreachable"))?
            }
        };
    }
    Ok((v, resolved))
}

/// A parameter path resolved against a scenario.
#[derive(Debug, Default)]
struct Resolved {
    /// The path with every list item by index.
    canonical: String,
    /// For each list item named by name: the path up to it by index, and
    /// as the user wrote it.
    named: Vec<(String, String)>,
}

/// Rewrites the key paths of `errors` that lie inside list items the user
/// named, back to the names (`court.stage[1].servers` to
/// `court.stage[trial].servers`).
fn rename(error: Error, named: &[(String, String)]) -> Error {
    let Error::Scenario(mut errors) = error else {
        return error;
    };
    for e in &mut errors.0 {
        // The longest (innermost) prefix first.
        if let Some((index_form, named_form)) = named
            .iter()
            .filter(|(i, _)| under(&e.path, i))
            .max_by_key(|(i, _)| i.len())
        {
            e.path = format!("{named_form}{}", &e.path[index_form.len()..]);
        }
    }
    Error::Scenario(errors)
}

/// Whether a value holds a list or a name: a list, or a table with a
/// `name` key or such a value inside.
fn holds_list_or_name(v: &toml::Value) -> bool {
    match v {
        toml::Value::Array(_) => true,
        toml::Value::Table(t) => t.contains_key("name") || t.values().any(holds_list_or_name),
        _ => false,
    }
}

fn under(path: &str, at: &str) -> bool {
    path.strip_prefix(at)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// If `text` is written as an integer that no scenario file can hold
/// (TOML integers are 64-bit signed), the error saying so.
fn integer_out_of_range(path: &str, text: &str) -> Option<Error> {
    let t = text.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    let looks_integer = !digits.is_empty()
        && digits.bytes().all(|c| c.is_ascii_digit() || c == b'_')
        && digits.bytes().next().is_some_and(|c| c.is_ascii_digit());
    (looks_integer && t.replace('_', "").parse::<i64>().is_err()).then(|| {
        bad(
            path,
            format!(
                "out of range: {t} is beyond the integers a scenario can hold ({} to {})",
                i64::MIN,
                i64::MAX
            ),
        )
    })
}

impl Scenario {
    /// A copy of the scenario with the parameter at `path` set to `value`
    /// (written as in the scenario file), validated.
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] naming the path if it is malformed, names no
    /// parameter, or the new value is of the wrong type or breaks a rule of
    /// [`Scenario::validate`].
    ///
    /// # Example: more trial panels
    ///
    /// ```
    /// use custody_sim::presets;
    ///
    /// let s = presets::baseline().with_param("court.stage[trial].servers", "30")?;
    /// assert_eq!(s.court.stages[2].servers, 30);
    /// assert!(presets::baseline().with_param("court.stage[appeal].servers", "3").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_param(&self, path: &str, value: &str) -> Result<Scenario, Error> {
        self.with_params([(path, value)])
    }

    /// As [`Scenario::with_param`], with a value already parsed.
    ///
    /// # Errors
    ///
    /// As [`Scenario::with_param`].
    pub fn with_value(&self, path: &str, value: toml::Value) -> Result<Scenario, Error> {
        self.with_values([(path, value)])
    }

    /// A copy with several parameters set, in order, then validated once:
    /// the scenario may be invalid before and between the changes (a
    /// command line's `--set` can repair a file). The copy has no
    /// [variants](Scenario::variants): they are alternatives to the
    /// scenario as given, applied before any change
    /// ([`Scenario::with_variant`]). The copy records the changes, as
    /// `--set`s, in [`Scenario::applied`].
    ///
    /// # Errors
    ///
    /// As [`Scenario::with_param`], for the first bad path, or every
    /// problem of the result.
    ///
    /// # Example: repair and change in one go
    ///
    /// ```
    /// use custody_sim::presets;
    ///
    /// let mut broken = presets::baseline();
    /// broken.court.stages[2].servers = 0;
    /// let s = broken.with_params([("court.stage[trial].servers", "20"), ("horizon_days", "365")])?;
    /// assert_eq!((s.court.stages[2].servers, s.horizon_days), (20, 365));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_params<'a>(
        &self,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Scenario, Error> {
        let mut values = Vec::new();
        let mut applied = Vec::new();
        for (p, v) in params {
            if let Some(e) = integer_out_of_range(p, v) {
                return Err(e);
            }
            values.push((p, parse_value(v)));
            applied.push(Override::new(p, v));
        }
        // The result records the changes (see `Scenario::applied`).
        let mut out = self.with_values(values)?;
        out.applied = self.applied.then(&applied);
        Ok(out)
    }

    pub(crate) fn with_values<'a>(
        &self,
        params: impl IntoIterator<Item = (&'a str, toml::Value)>,
    ) -> Result<Scenario, Error> {
        // Variants are alternatives to the scenario as given: the result
        // has none (and checking them again at every change would cost).
        let mut tree = if self.variants.is_empty() {
            to_value(self)
        } else {
            let mut bare = self.clone();
            bare.variants.clear();
            to_value(&bare)
        };
        let mut named = Vec::new();
        let mut set = Vec::new();
        for (path, value) in params {
            let segs = parse(path)?;
            let (slot, resolved) = slot(&mut tree, &segs, path, true)?;
            *slot = value;
            named.extend(resolved.named);
            set.push(resolved.canonical);
        }
        // A value set explicitly wins over the scenario's distribution for
        // that path: the path leaves `[uncertainty]` (otherwise every
        // replication's draw would silently replace the value set).
        let mut fixed: Vec<String> = Vec::new();
        if let Some(u) = &self.uncertainty {
            for ParamDist { path, .. } in &u.params {
                if let Ok(segs) = parse(path)
                    && let Ok((_, r)) = slot(&mut tree, &segs, path, false)
                    && set.contains(&r.canonical)
                {
                    fixed.push(path.clone());
                }
            }
        }
        // So does a column of a posterior table: it leaves the table, whose
        // other columns are still drawn together, row by row.
        let mut dropped: Vec<String> = Vec::new();
        if let Some(t) = self
            .uncertainty
            .as_ref()
            .and_then(|u| u.posterior_table.as_ref())
        {
            for c in &t.columns {
                if let Ok(segs) = parse(c)
                    && let Ok((_, r)) = slot(&mut tree, &segs, c, false)
                    && set.contains(&r.canonical)
                {
                    dropped.push(c.clone());
                }
            }
        }
        let mut s = Scenario::from_toml_value(tree).map_err(|e| rename(e, &named))?;
        // The rows of a posterior table are not part of the TOML form: keep
        // them while the table is still the same file (or none).
        if let (Some(new), Some(old)) = (&mut s.uncertainty, &self.uncertainty)
            && new.posterior == old.posterior
            && new.posterior_table.is_none()
        {
            new.posterior_table.clone_from(&old.posterior_table);
        }
        if let Some(t) = s
            .uncertainty
            .as_mut()
            .and_then(|u| u.posterior_table.as_mut())
            && !dropped.is_empty()
        {
            let keep: Vec<bool> = t.columns.iter().map(|c| !dropped.contains(c)).collect();
            t.columns.retain(|c| !dropped.contains(c));
            for row in &mut t.rows {
                *row = row
                    .iter()
                    .zip(&keep)
                    .filter_map(|(&x, &k)| k.then_some(x))
                    .collect();
            }
        }
        if let Some(u) = &mut s.uncertainty
            && !fixed.is_empty()
        {
            u.params.retain(|p| !fixed.contains(&p.path));
            if u.params.is_empty() && u.posterior.is_none() && u.posterior_table.is_none() {
                s.uncertainty = None;
            }
        }
        s.validate()
            .map_err(|e| rename(Error::Scenario(e), &named))?;
        Ok(s)
    }

    /// The canonical form of a parameter path: every list item by index,
    /// indices without leading zeros. Two paths that name the same value
    /// of this scenario have the same canonical form
    /// (`court.stage[trial].servers` and `court.stage[1].servers` both
    /// give `court.stage[1].servers`), so sweeps compare parameters by it,
    /// not by the text the user wrote.
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] naming the path if it is malformed, names a
    /// list item that does not exist, or takes a key of a value that is
    /// not a table. Keys are not checked against the file format here (a
    /// key left out, as `custody.mortality_per_year` often is, still
    /// resolves); [`Scenario::with_param`] refuses an unknown one.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::presets;
    ///
    /// let s = presets::plan_2026_01();
    /// assert_eq!(s.canonical_path("court.stage[trial].servers")?, "court.stage[1].servers");
    /// assert_eq!(s.canonical_path("court.stage[01].servers")?, "court.stage[1].servers");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn canonical_path(&self, path: &str) -> Result<String, Error> {
        let segs = parse(path)?;
        let mut tree = to_value(self);
        Ok(slot(&mut tree, &segs, path, true)?.1.canonical)
    }

    /// Checks that the parameter at `path` may take a different value in
    /// each replication or model run, and gives its canonical form
    /// ([`Scenario::canonical_path`]).
    ///
    /// Uncertain parameters (`[uncertainty]`, its posterior columns),
    /// calibration priors, a solved lever and sensitivity parameters are
    /// drawn or set run by run, and every run's results are combined
    /// metric by metric and day by day: a path that changes the *shape*
    /// of the results (which metrics and series exist, or how many days
    /// they hold) cannot be one of them. Refused, by this one rule:
    ///
    /// - `horizon_days` (the length of every daily series) and
    ///   `start_date` (the calendar of every date);
    /// - a name (`group[0].name`, `facility[Karkh].name`, `name`): names
    ///   make metric and series names;
    /// - a list, or a table holding a list or a name (`group`,
    ///   `court.stage`, `facility[0]`, `allocation.facilities`,
    ///   `transfer`): lists make per-item metrics.
    ///
    /// A sweep, a variant or `--set` may still change them: each of those
    /// makes a scenario of its own.
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] naming the path if it does not resolve (as
    /// [`Scenario::canonical_path`]) or changes the shape of the results.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::presets;
    ///
    /// let s = presets::plan_2026_01();
    /// assert_eq!(s.varying_path("court.stage[trial].servers")?, "court.stage[1].servers");
    /// assert!(s.varying_path("horizon_days").is_err());
    /// assert!(s.varying_path("group[0].name").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn varying_path(&self, path: &str) -> Result<String, Error> {
        let canonical = self.canonical_path(path)?;
        match self.shape_change(&canonical) {
            Some(why) => Err(bad(path, why)),
            None => Ok(canonical),
        }
    }

    /// Why the parameter at `canonical` (a canonical path) changes the
    /// shape of the results, as a message; `None` if it does not. The one
    /// rule behind [`Scenario::varying_path`].
    pub(crate) fn shape_change(&self, canonical: &str) -> Option<String> {
        let last_key = canonical.rsplit('.').next().unwrap_or(canonical);
        let why = match canonical {
            "horizon_days" => "it sets the length of every daily series",
            "start_date" => "it moves the calendar of every date",
            _ if last_key == "name" => "it is a name, and names make metric and series names",
            _ => match self.param(canonical) {
                Ok(v) if holds_list_or_name(&v) => {
                    "it holds a list or a name, and these make per-item metrics and series"
                }
                _ => return None,
            },
        };
        Some(format!(
            "changes the shape of the results ({why}), so it cannot be an uncertain parameter, \
             a prior, a solved lever or a sensitivity parameter; compare its values with \
             --set, a variant or a sweep"
        ))
    }

    /// The first two of `paths` that reach the same parameter, or one of
    /// which lies inside a table or list the other replaces, compared in
    /// canonical form ([`Scenario::canonical_path`]; a path that does not
    /// resolve is compared as written).
    pub(crate) fn overlap(&self, paths: &[&str]) -> Option<Overlap> {
        let resolved: Vec<String> = paths
            .iter()
            .map(|p| self.canonical_path(p).unwrap_or_else(|_| p.to_string()))
            .collect();
        for (i, a) in resolved.iter().enumerate() {
            for (j, b) in resolved.iter().enumerate().skip(i + 1) {
                if under(a, b) || under(b, a) {
                    return Some(Overlap {
                        first: i,
                        second: j,
                        message: format!(
                            "{} and {} reach the same parameter ({a}{})",
                            paths[i],
                            paths[j],
                            if a == b {
                                String::new()
                            } else {
                                format!(" and {b}")
                            }
                        ),
                    });
                }
            }
        }
        None
    }

    /// The current value at `path`, as TOML.
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] naming the path if it is malformed or names no
    /// parameter that is set.
    pub fn param(&self, path: &str) -> Result<toml::Value, Error> {
        let segs = parse(path)?;
        let mut tree = to_value(self);
        Ok(slot(&mut tree, &segs, path, false)?.0.clone())
    }
}

impl Scenario {
    /// A copy with each override set, in order, then validated once: the
    /// same as [`Scenario::with_params`] of their paths and values (so the
    /// same as `--set` of each, or as the variant they come from). The
    /// copy records them, as given (with their variants), in
    /// [`Scenario::applied`].
    ///
    /// # Errors
    ///
    /// As [`Scenario::with_params`]: [`Error::Scenario`] naming the path
    /// and the value.
    pub fn with_overrides(&self, overrides: &[Override]) -> Result<Scenario, Error> {
        let mut out = self.with_params(
            overrides
                .iter()
                .map(|o| (o.path.as_str(), o.value.as_str())),
        )?;
        out.applied = self.applied.then(overrides);
        Ok(out)
    }
}

impl Scenario {
    /// Checks `paths`, parameters that take a different value in each
    /// replication or model run: each resolves and keeps the shape of the
    /// results ([`Scenario::varying_path`]), and no two reach the same
    /// parameter in any spelling (`court.stage[trial].servers` and
    /// `court.stage[1].servers`). Gives every problem, in this order:
    /// path by path, one that does not resolve or changes the shape; then
    /// the first two paths that overlap.
    pub(crate) fn check_varying(&self, paths: &[&str]) -> Vec<PathProblem> {
        let mut found = Vec::new();
        for (index, path) in paths.iter().enumerate() {
            match self.canonical_path(path) {
                Err(e) => found.push(PathProblem::Unresolved(e)),
                Ok(c) => {
                    if let Some(why) = self.shape_change(&c) {
                        found.push(PathProblem::Shape { index, why });
                    }
                }
            }
        }
        if let Some(o) = self.overlap(paths) {
            found.push(PathProblem::Twice(o));
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::presets;

    #[test]
    fn a_value_set_on_a_posterior_column_leaves_the_table() {
        let b = presets::baseline();
        let before = b
            .uncertainty
            .as_ref()
            .unwrap()
            .posterior_table
            .clone()
            .unwrap();
        // By name and by index: both reach the sentence shares.
        let t = b
            .with_params([
                ("court.sentence[death].probability", "0.1"),
                ("court.sentence[2].probability", "0.467"),
            ])
            .unwrap();
        let u = t.uncertainty.as_ref().unwrap();
        let after = u.posterior_table.as_ref().unwrap();
        assert_eq!(after.columns, before.columns[..5]);
        assert_eq!(after.weights, before.weights);
        for (a, b) in after.rows.iter().zip(&before.rows) {
            assert_eq!(a[..], b[..5]);
        }
        assert_eq!(u.params, b.uncertainty.as_ref().unwrap().params);
        assert_eq!(u.posterior, Some("baseline-posterior.csv".into()));
        assert!((t.court.sentences[0].probability - 0.1).abs() < 1e-12);
    }

    #[test]
    fn paths_by_index_and_name_reach_the_same_value() {
        let s = presets::plan_2026_01();
        assert_eq!(
            s.param("court.stage[trial].servers").unwrap(),
            s.param("court.stage[1].servers").unwrap()
        );
        let t = s.with_param("facility[Hillah].capacity", "900").unwrap();
        assert_eq!(t.facilities[1].capacity, 900);
        let t = s.with_param("transfer.weekly_cap", "1000").unwrap();
        assert_eq!(t.transfer.weekly_cap, Some(1000));
        let t = s.with_param("allocation.policy", "fill_in_order").unwrap();
        assert_eq!(t.allocation.policy, crate::scenario::Policy::FillInOrder);
        let t = s
            .with_param("transfer.transit_days", "{ dist = \"fixed\", value = 2.0 }")
            .unwrap();
        assert_eq!(t.transfer.transit_days, crate::dist::Dist::fixed(2.0));
    }

    #[test]
    fn v2_keys_are_reachable_even_when_left_out() {
        let s = presets::plan_2026_01();
        let t = s
            .with_params([
                ("transfer.end.target_total", "5704"),
                ("transfer.end.until_day", "\"2026-02-13\""),
                ("custody.mortality_per_year", "0.005"),
                ("facility[Hillah].background.mean_stay_days", "900"),
                ("facility[Hillah].cost_per_detainee_day", "12.5"),
                ("allocation.facilities", "[\"Nineveh\", \"Hillah\"]"),
            ])
            .unwrap();
        let end = t.transfer.end.unwrap();
        assert_eq!(end.target_total, Some(5704));
        assert_eq!(t.day(end.until_day.unwrap()), 23.0);
        // A bare TOML date, as a command line gives it, reads the same.
        let bare = s
            .with_param("transfer.end.until_day", "2026-02-13")
            .unwrap();
        assert_eq!(bare.transfer.end.unwrap().until_day, end.until_day);
        // So does a bare date for start_date.
        let moved = s.with_param("start_date", "2026-01-22").unwrap();
        assert_eq!(moved.start_date.to_string(), "2026-01-22");
        assert_eq!(t.custody.mortality_per_year, 0.005);
        let b = t.facilities[1].background.clone().unwrap();
        assert_eq!((b.admissions_per_day, b.mean_stay_days), (0.0, 900.0));
        assert_eq!(t.facilities[1].cost_per_detainee_day, Some(12.5));
        assert_eq!(
            t.allocation.facilities,
            Some(vec!["Nineveh".to_string(), "Hillah".to_string()])
        );
        let t = t
            .with_param(
                "court.sentence",
                "[{ name = \"death\", probability = 0.25, exit = { kind = \"executed\", after_days = { dist = \"fixed\", value = 10.0 } } }, { name = \"life\", probability = 0.75 }]",
            )
            .unwrap()
            .with_param("court.sentence[death].exit.probability", "0.1")
            .unwrap()
            .with_param(
                "relocation",
                "[{ day = 5, from = \"Hillah\", to = \"Nineveh\", count = 10 }]",
            )
            .unwrap()
            .with_param("relocation[0].count", "20")
            .unwrap()
            .with_param("group[Syrian].repatriation.quota", "50")
            .unwrap();
        assert_eq!(t.court.sentences[0].exit.unwrap().probability, 0.1);
        assert_eq!(t.relocations[0].count, 20);
        assert_eq!(t.groups[2].repatriation.quota, Some(50));
    }

    #[test]
    fn canonical_paths_agree_for_names_and_indices() {
        let s = presets::plan_2026_01();
        for (a, b) in [
            ("court.stage[trial].servers", "court.stage[1].servers"),
            ("court.stage[001].servers", "court.stage[1].servers"),
            ("facility[Hillah].capacity", "facility[1].capacity"),
            ("custody.mortality_per_year", "custody.mortality_per_year"),
        ] {
            assert_eq!(s.canonical_path(a).unwrap(), b, "{a}");
            assert_eq!(s.canonical_path(b).unwrap(), b, "{b}");
        }
        assert_ne!(
            s.canonical_path("court.stage[investigation].servers")
                .unwrap(),
            s.canonical_path("court.stage[trial].servers").unwrap()
        );
        assert!(s.canonical_path("court.stage[appeal].servers").is_err());
    }

    #[test]
    fn errors_name_list_items_as_the_user_did() {
        let s = presets::plan_2026_01();
        let e = s
            .with_param("court.stage[trial].servers", "0")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "court.stage[trial].servers: must be at least 1, got 0");
        let e = s
            .with_param("group[Iraqi].count", "\"many\"")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("group[Iraqi].count: invalid type"), "{e}");
        // By index, the index stays.
        let e = s
            .with_param("court.stage[1].servers", "0")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "court.stage[1].servers: must be at least 1, got 0");
    }

    #[test]
    fn integers_beyond_the_file_format_are_out_of_range() {
        let s = presets::plan_2026_01();
        for v in [
            "18446744073709551615",
            "-9223372036854775809",
            "1_000_000_000_000_000_000_000",
        ] {
            let e = s
                .with_param("group[Iraqi].count", v)
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("group[Iraqi].count: out of range:") && e.contains(v),
                "{v}: {e}"
            );
        }
        let e = s
            .with_param("group[Iraqi].count", "-1")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("group[Iraqi].count: must be a non-negative integer, got -1"),
            "{e}"
        );
    }

    #[test]
    fn bad_paths_and_values_name_the_path() {
        let s = presets::baseline_v2();
        for (path, value, needle) in [
            (
                "court.stage[appeal].servers",
                "3",
                "no item named \"appeal\"",
            ),
            ("group[9].count", "3", "index out of range"),
            (
                "court.stage[1].servers",
                "0",
                "court.stage[1].servers: must be at least 1, got 0",
            ),
            (
                "court.stage[1].servers",
                "\"many\"",
                "court.stage[1].servers",
            ),
            ("court.judges", "3", "unknown field `judges`"),
            ("court..x", "3", "malformed"),
            ("court.stage[1", "3", "malformed"),
        ] {
            let e = s.with_param(path, value).unwrap_err().to_string();
            assert!(e.contains(needle), "{path}={value}: {e}");
        }
    }
}
