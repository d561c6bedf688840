//! The kind of an [`Error::Scenario`](super::Error::Scenario): every
//! problem found in a scenario, each with its key path.

use std::fmt;

/// One problem with a scenario: the key path and what is wrong.
///
/// Displays as `court.stage[1].servers: must be at least 1, got 0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// Key path in the scenario file's own keys, list items by index
    /// (`court.stage[1].servers`); empty for the file as a whole.
    pub path: String,
    /// What is wrong, with the value found.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

/// Every problem found in a scenario, in file order. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl ScenarioErrors {
    pub(crate) fn one(path: impl Into<String>, message: impl Into<String>) -> ScenarioErrors {
        ScenarioErrors(vec![ScenarioError {
            path: path.into(),
            message: message.into(),
        }])
    }

    /// The problems.
    pub fn iter(&self) -> std::slice::Iter<'_, ScenarioError> {
        self.0.iter()
    }

    /// The first problem at `path`, if any.
    pub fn at(&self, path: &str) -> Option<&ScenarioError> {
        self.0.iter().find(|e| e.path == path)
    }
}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

impl<'a> IntoIterator for &'a ScenarioErrors {
    type Item = &'a ScenarioError;
    type IntoIter = std::slice::Iter<'a, ScenarioError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
