//! The error-tolerant TOML reader: a scenario file read in one pass that
//! reports every problem, each with its key path (see
//! [`Scenario::from_toml_str`]), and the scenario written back as TOML.

use std::path::Path;

use super::problems::{ScenarioError, ScenarioErrors};
use super::{Scenario, variant};
use crate::error::Error;

impl Scenario {
    /// Parses a scenario from TOML text and validates it.
    ///
    /// Every problem is reported in one pass: a value of the wrong type in
    /// one key does not hide problems in others. Type errors (and unknown
    /// or missing keys) come first, then the problems
    /// [`Scenario::validate`] finds in the values that did parse. How: the
    /// text is read into a TOML value tree; each time the tree fails to
    /// deserialise, the problem is recorded with its key path and the
    /// offending value is set aside (an unknown key is dropped, a missing
    /// or mistyped one gets a stand-in of the right type), and the tree is
    /// read again. Validation problems at the stand-ins' key paths (or
    /// inside them) are not reported, since the user never wrote those
    /// values.
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] with every problem found: a syntax error (with
    /// line and column), an unknown key, a value of the wrong type, or a
    /// value that [`Scenario::validate`] refuses, each naming its key path.
    pub fn from_toml_str(text: &str) -> Result<Scenario, Error> {
        let s = Self::parse_toml(text)?;
        s.validate()?;
        Ok(s)
    }

    /// Parses TOML into a scenario without the semantic checks of
    /// [`Scenario::validate`] when it reads; when some key does not read,
    /// the error lists, after those, the problems [`Scenario::validate`]
    /// finds in the rest (see [`Scenario::from_toml_str`]), so that one
    /// pass shows everything.
    ///
    /// # Errors
    ///
    /// [`Error::Scenario`] for a syntax error, or every unknown key,
    /// missing key and value of the wrong type, each naming its key path,
    /// then the other problems.
    pub fn parse_toml(text: &str) -> Result<Scenario, Error> {
        let mut read = Read::from_tree(parse_tree(text)?);
        if let Some(s) = &mut read.scenario {
            variant::order_as_in(&mut s.variants, text);
        }
        let mut problems = read.problems;
        match read.scenario {
            Some(s) if problems.is_empty() => Ok(s),
            Some(s) => {
                if let Err(e) = s.validate() {
                    problems
                        .extend(e.0.into_iter().filter(|e| {
                            !read.stand_ins.iter().any(|p| is_at_or_under(&e.path, p))
                        }));
                }
                Err(Error::Scenario(ScenarioErrors(problems)))
            }
            None => Err(Error::Scenario(ScenarioErrors(problems))),
        }
    }

    /// Deserialises a scenario from a TOML value tree, naming the key path
    /// of every unknown key, missing key or value of the wrong type.
    pub(crate) fn from_toml_value(value: toml::Value) -> Result<Scenario, Error> {
        let read = Read::from_tree(value);
        match read.scenario {
            Some(s) if read.problems.is_empty() => Ok(s),
            _ => Err(Error::Scenario(ScenarioErrors(read.problems))),
        }
    }

    /// Reads, parses and validates a scenario file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read (naming the path), is not
    /// a regular file or is above
    /// [`MAX_SCENARIO_BYTES`](crate::files::MAX_SCENARIO_BYTES) (checked
    /// before reading), otherwise as [`Scenario::from_toml_str`] or
    /// [`Scenario::load_posterior`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Scenario, Error> {
        let path = path.as_ref();
        let text =
            crate::files::read_text(path, "scenario file", crate::files::MAX_SCENARIO_BYTES)?;
        let mut s = Self::parse_toml(&text)?;
        let dir = path.parent().unwrap_or_else(|| Path::new(""));
        s.load_posterior(dir)?;
        s.validate()?;
        Ok(s)
    }

    /// The scenario as TOML text, which [`Scenario::from_toml_str`] reads
    /// back to an equal scenario.
    pub fn to_toml_string(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

/// Reads TOML text into a value tree, or reports the syntax error with its
/// line and column.
fn parse_tree(text: &str) -> Result<toml::Value, Error> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let message = e.message().trim().to_string();
        let location = e
            .span()
            .map(|s| {
                let (line, col) = line_col(text, s.start);
                format!(" (line {line}, column {col})")
            })
            .unwrap_or_default();
        ScenarioErrors::one("", format!("invalid TOML{location}: {message}"))
    })?;
    Ok(toml::Value::Table(table))
}

/// Whether the key path `path` is `at` or inside it.
fn is_at_or_under(path: &str, at: &str) -> bool {
    path.strip_prefix(at)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// Most type errors collected from one file before giving up.
const MAX_TYPE_ERRORS: usize = 100;

/// The result of reading a value tree, every type error collected.
struct Read {
    /// The scenario, with stand-ins where values were set aside; `None`
    /// when a problem could not be set aside.
    scenario: Option<Scenario>,
    /// Every unknown key, missing key and mistyped value, with its path.
    problems: Vec<ScenarioError>,
    /// Key paths whose values are stand-ins.
    stand_ins: Vec<String>,
}

impl Read {
    fn from_tree(mut tree: toml::Value) -> Read {
        let mut problems: Vec<ScenarioError> = Vec::new();
        let mut stand_ins: Vec<String> = Vec::new();
        let mut seen: Vec<(String, String)> = Vec::new();
        for _ in 0..MAX_READS {
            let (path, message, segments) = match try_read(tree.clone()) {
                Ok(s) => {
                    return Read {
                        scenario: Some(s),
                        problems,
                        stand_ins,
                    };
                }
                Err(e) => e,
            };
            let repeated = seen.iter().any(|(p, m)| *p == path && *m == message);
            // Inside a stand-in the user wrote nothing: set aside silently.
            let inside_stand_in = stand_ins.iter().any(|p| is_at_or_under(&path, p));
            if !repeated && !inside_stand_in {
                problems.push(ScenarioError {
                    path: path.clone(),
                    message: plain_message(&message, &tree, &segments, &path),
                });
            }
            seen.push((path.clone(), message.clone()));
            let set_aside = !repeated
                && problems.len() < MAX_TYPE_ERRORS
                && set_aside(&mut tree, &segments, &message, &path, &mut stand_ins);
            if !set_aside {
                break;
            }
        }
        Read {
            scenario: None,
            problems,
            stand_ins,
        }
    }
}

/// Most attempts to read one file, stand-ins included.
const MAX_READS: usize = 1_000;

/// One step of a key path into a value tree.
enum Step {
    Key(String),
    Index(usize),
}

/// Deserialises the tree; on failure, the key path (as text and as steps)
/// and the message of the first problem.
fn try_read(tree: toml::Value) -> Result<Scenario, (String, String, Option<Vec<Step>>)> {
    serde_path_to_error::deserialize(tree).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = e.inner().message().trim().to_string();
        let steps = e
            .path()
            .iter()
            .map(|seg| match seg {
                serde_path_to_error::Segment::Map { key } => Some(Step::Key(key.clone())),
                serde_path_to_error::Segment::Seq { index } => Some(Step::Index(*index)),
                _ => None,
            })
            .collect::<Option<Vec<_>>>();
        (path, message, steps)
    })
}

/// The message of a problem read from the tree, in the file's terms
/// where serde's would speak of Rust types: a negative count is "must be
/// a non-negative integer, got -1"; a value where a table belongs lists
/// the table's keys. Other messages are kept.
fn plain_message(
    message: &str,
    tree: &toml::Value,
    steps: &Option<Vec<Step>>,
    path: &str,
) -> String {
    if let Some(rest) = message.strip_prefix("invalid value: integer `-")
        && let Some((digits, ty)) = rest.split_once("`, expected ")
        && matches!(ty, "u8" | "u16" | "u32" | "u64" | "usize")
    {
        return format!("must be a non-negative integer, got -{digits}");
    }
    let (Some(got), Some(steps)) = (
        message
            .strip_prefix("invalid type: ")
            .and_then(|r| r.split_once(", expected struct "))
            .map(|(got, _)| got),
        steps,
    ) else {
        return message.to_string();
    };
    // The table's keys: what serde lists when a key it does not know is
    // put in its place.
    let mut trial = tree.clone();
    let Some(slot) = walk(&mut trial, steps) else {
        return message.to_string();
    };
    let mut probe = toml::Table::new();
    probe.insert("?".into(), toml::Value::Integer(0));
    *slot = toml::Value::Table(probe);
    let Err((_, m, _)) = try_read(trial) else {
        return message.to_string();
    };
    let Some(list) = m.strip_prefix("unknown field `?`, expected ") else {
        return message.to_string();
    };
    // "one of `a`, `b`" or "`a`": the names between backticks.
    let keys: Vec<&str> = list.split('`').skip(1).step_by(2).collect();
    let Some(first) = keys.first() else {
        return message.to_string();
    };
    let at = if path.is_empty() {
        String::new()
    } else {
        format!("{path}.")
    };
    format!(
        "names a table (keys: {}), not a single value: set a key under it, e.g. {at}{first}, got {got}",
        keys.join(", ")
    )
}

/// The value at `steps` in the tree, if there is one.
fn walk<'a>(mut v: &'a mut toml::Value, steps: &[Step]) -> Option<&'a mut toml::Value> {
    for step in steps {
        v = match step {
            Step::Key(k) => v.as_table_mut()?.get_mut(k)?,
            Step::Index(i) => v.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(v)
}

/// Stand-ins to try for a value of unknown expected type, in order.
fn stand_ins(message: &str) -> Vec<toml::Value> {
    use toml::Value as V;
    let mut out = Vec::new();
    // An enum: its first variant (`expected one of `a`, `b``).
    if let Some(rest) = message.split("expected one of `").nth(1)
        && let Some(first) = rest.split('`').next()
    {
        out.push(V::String(first.to_string()));
    }
    let mut dist = toml::Table::new();
    dist.insert("dist".into(), V::String("fixed".into()));
    dist.insert("value".into(), V::Float(1.0));
    out.extend([
        V::Integer(1),
        // Reads as a name, a string or a date alike.
        V::String("2000-01-01".into()),
        V::Boolean(false),
        V::Table(dist),
        V::Array(Vec::new()),
        V::Table(toml::Table::new()),
    ]);
    out
}

/// Sets aside the value that failed at `steps`: drops an unknown key, or
/// puts in the first stand-in that reads. Returns `false` if it cannot.
fn set_aside(
    tree: &mut toml::Value,
    steps: &Option<Vec<Step>>,
    message: &str,
    path: &str,
    stand_in_paths: &mut Vec<String>,
) -> bool {
    let Some(steps) = steps else {
        return false;
    };
    if message.starts_with("unknown field `") {
        let Some((Step::Key(key), parent)) = steps.split_last() else {
            return false;
        };
        return walk(tree, parent)
            .and_then(|t| t.as_table_mut())
            .and_then(|t| t.remove(key))
            .is_some();
    }
    // A bad `dist` kind: the whole distribution table is stood in for,
    // since its other keys belong to the kind the user meant.
    let (steps, path) = match steps.split_last() {
        Some((Step::Key(k), parent)) if k == "dist" => {
            (parent, path.strip_suffix(".dist").unwrap_or(path))
        }
        _ => (steps.as_slice(), path),
    };
    // A missing key is stood in for inside its table; any other problem
    // at the value itself.
    let (table_steps, missing) = match message
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        Some(key) => (steps, Some(key.to_string())),
        None => (steps, None),
    };
    let stand_in_path = match &missing {
        Some(key) if path.is_empty() => key.clone(),
        Some(key) => format!("{path}.{key}"),
        None => path.to_string(),
    };
    for candidate in stand_ins(message) {
        let mut trial = tree.clone();
        let Some(slot) = walk(&mut trial, table_steps) else {
            return false;
        };
        match &missing {
            Some(key) => match slot.as_table_mut() {
                Some(t) => {
                    t.insert(key.clone(), candidate);
                }
                None => return false,
            },
            None => *slot = candidate,
        }
        // A stand-in that reads, or fails elsewhere, is taken.
        let failed_here = match try_read(trial.clone()) {
            Ok(_) => false,
            // Progress is a new problem anywhere else, or a missing key
            // inside a stand-in table (filled in on the next read).
            Err((p, m, _)) => {
                (p == path && m == message)
                    || (p == stand_in_path && !m.starts_with("missing field `"))
            }
        };
        if !failed_here {
            *tree = trial;
            stand_in_paths.push(stand_in_path);
            return true;
        }
    }
    false
}

/// Line and column (1-based) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, col)
}
