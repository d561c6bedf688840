//! Parameter paths: one value of a scenario named in the file's own keys,
//! for overrides (`--set`) and sweeps.
//!
//! A path is keys joined by `.`, with list items picked by index or by
//! name: `court.stage[trial].servers`, `group[0].repatriation.probability`,
//! `transfer.weekly_cap`, `facility[Nasiriyah].capacity`,
//! `transfer.phase[1].interval_days.value`. A whole table can be replaced
//! too: `transfer.transit_days` with `{ dist = "fixed", value = 1.0 }`.
//!
//! Values are written as in the scenario file (TOML). A value that is not
//! valid TOML is taken as a bare string, so `allocation.policy=fill_in_order`
//! needs no quotes on a command line.

use serde::Serialize;

use super::{Scenario, ScenarioErrors};
use crate::Error;

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

/// Parses a value written as in the scenario file; anything that is not
/// TOML is a bare string.
pub(crate) fn parse_value(text: &str) -> toml::Value {
    let doc = format!("v = {text}");
    match toml::from_str::<toml::Table>(&doc) {
        // Exactly one value: `1\nx = 2` is text, not 1 with a stray key.
        Ok(mut t) if t.len() == 1 => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(text.to_string())),
        _ => toml::Value::String(text.to_string()),
    }
}

fn to_value<T: Serialize>(x: &T) -> toml::Value {
    // Plain data with string keys always serialises.
    toml::Value::try_from(x).unwrap_or(toml::Value::Table(toml::Table::new()))
}

/// Walks to the slot named by `segs`; with `create`, a missing last key of a
/// table is inserted (the scenario's own checks then accept or refuse it).
fn slot<'a>(
    mut v: &'a mut toml::Value,
    segs: &[Segment],
    path: &str,
    create: bool,
) -> Result<&'a mut toml::Value, Error> {
    let mut walked = String::new();
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
                }
                walked.push_str(k);
                if !table.contains_key(k) {
                    if create && last {
                        table.insert(k.clone(), toml::Value::Boolean(false));
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
                arr.iter_mut()
                    .find(|x| x.get("name").and_then(|n| n.as_str()) == Some(name.as_str()))
                    .ok_or_else(|| {
                        bad(
                            path,
                            format!("{at}: no item named {name:?} (names: {})", names.join(", ")),
                        )
                    })?
            }
        };
    }
    Ok(v)
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
    /// assert_eq!(s.court.stages[1].servers, 30);
    /// assert!(presets::baseline().with_param("court.stage[appeal].servers", "3").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_param(&self, path: &str, value: &str) -> Result<Scenario, Error> {
        self.with_value(path, parse_value(value))
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
    /// command line's `--set` can repair a file).
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
    /// broken.court.stages[1].servers = 0;
    /// let s = broken.with_params([("court.stage[trial].servers", "20"), ("horizon_days", "365")])?;
    /// assert_eq!((s.court.stages[1].servers, s.horizon_days), (20, 365));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_params<'a>(
        &self,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Scenario, Error> {
        self.with_values(params.into_iter().map(|(p, v)| (p, parse_value(v))))
    }

    fn with_values<'a>(
        &self,
        params: impl IntoIterator<Item = (&'a str, toml::Value)>,
    ) -> Result<Scenario, Error> {
        let mut tree = to_value(self);
        for (path, value) in params {
            let segs = parse(path)?;
            *slot(&mut tree, &segs, path, true)? = value;
        }
        let s = Scenario::from_toml_value(tree)?;
        s.validate()?;
        Ok(s)
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
        Ok(slot(&mut tree, &segs, path, false)?.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::presets;

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
        assert_eq!(t.allocation.policy, crate::Policy::FillInOrder);
        let t = s
            .with_param("transfer.transit_days", "{ dist = \"fixed\", value = 2.0 }")
            .unwrap();
        assert_eq!(t.transfer.transit_days, crate::Dist::fixed(2.0));
    }

    #[test]
    fn bad_paths_and_values_name_the_path() {
        let s = presets::baseline();
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
