//! The crate's error type: one variant per kind of failure.
//!
//! Every message is a sentence a user can act on: it names the key path in
//! a scenario, the file, the shard or the limit. Source errors are kept
//! ([`std::error::Error::source`]), so a caller can walk the chain. The
//! command line maps variants to exit codes with [`Error::exit_code`],
//! never by matching on the text.
//!
//! Bugs are not errors: a broken conservation law or an internal invariant
//! panics with a message asking for a report (see the crate docs).

use std::path::PathBuf;

mod calibrate;
mod decide;
mod scenario;

pub use calibrate::CalibrateError;
pub use decide::DecideError;
pub use scenario::{ScenarioError, ScenarioErrors};

/// Everything that can go wrong in custody-sim, other than a bug.
///
/// The enum is `#[non_exhaustive]`: match on the variants you handle and
/// keep a catch-all arm.
///
/// # Example: telling a bad scenario from a missing file
///
/// ```
/// use custody_sim::{Error, Scenario};
///
/// match Scenario::from_path("no/such/file.toml") {
///     Err(Error::Io { path, .. }) => assert!(path.ends_with("file.toml")),
///     other => panic!("expected an I/O error, got {other:?}"),
/// }
/// match Scenario::from_toml_str("name = 1") {
///     Err(Error::Scenario(problems)) => assert!(problems.to_string().starts_with("name")),
///     other => panic!("expected scenario problems, got {other:?}"),
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The scenario (or a parameter path or value) has problems; each names
    /// its key path.
    #[error("{0}")]
    Scenario(#[from] ScenarioErrors),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A data file (a shard, a sweep slice, observations, posterior draws)
    /// is not in the format expected, or its content is damaged.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Format {
        /// The file.
        path: PathBuf,
        /// The line, where one is known (1-based).
        line: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// Shards (or sweep slices) that do not fit together: different
    /// scenarios, seeds, versions or layouts, overlapping or missing
    /// replications.
    #[error("{}{message}", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    Shard {
        /// The file at fault, where one is known.
        path: Option<PathBuf>,
        /// Why they do not fit.
        message: String,
    },
    /// A run larger than a documented limit (see [`crate::scenario::limits`]).
    #[error("{what}: {value} is above the limit of {limit}; {hint}")]
    Limit {
        /// What is too large.
        what: String,
        /// Its size.
        value: u128,
        /// The limit.
        limit: u128,
        /// What to do about it.
        hint: String,
    },
    /// A name (of a metric, a series, a scenario, ...) that does not exist.
    #[error("no {kind} named {name:?}; {}", valid_list(valid))]
    UnknownName {
        /// What kind of name: "metric", "series", "preset", ...
        kind: &'static str,
        /// The name given.
        name: String,
        /// The valid names, closest first where that is known.
        valid: Vec<String>,
    },
    /// An argument of a library call that is out of its range (a precision
    /// target of zero width, a shard index past the count, ...).
    #[error("{what}: {message}")]
    InvalidArgument {
        /// Which argument.
        what: String,
        /// What is wrong, with the value given.
        message: String,
    },
    /// A worker thread pool could not be built.
    #[error("cannot start worker threads: {0}")]
    Threads(#[source] rayon::ThreadPoolBuildError),
    /// A result could not be serialised (JSON, CSV).
    #[error("cannot write {what}: {source}")]
    Serialize {
        /// What was being written.
        what: String,
        /// The serialiser's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Observations, priors or settings of a backtest or calibration are
    /// wrong (each names the line, the prior or the setting); the kind says
    /// which.
    #[error("{0}")]
    Calibrate(#[from] CalibrateError),
    /// A decision-support computation ([`crate::decide`]) cannot answer: a
    /// bad input to the analysis (a distribution, a range, a target, a
    /// metric), or a target that the range does not reach or reaches the
    /// wrong way; the kind says which.
    #[error("{0}")]
    Decide(#[from] DecideError),
    /// A chart could not be drawn or written (feature `plots`).
    #[error("cannot draw plot{}: {message}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    Plot {
        /// The file being drawn, where known.
        path: Option<PathBuf>,
        /// What went wrong.
        message: String,
    },
}

fn valid_list(valid: &[String]) -> String {
    if valid.is_empty() {
        return "there are none".into();
    }
    let quoted: Vec<String> = valid.iter().map(|v| format!("{v:?}")).collect();
    format!("valid names: {}", quoted.join(", "))
}

/// Exit codes of the `custody-sim` command line.
///
/// | code | meaning |
/// | --- | --- |
/// | 0 | success |
/// | 1 | the input is wrong (scenario, file, shard, name, limit, calibration or decision input) or a file cannot be written |
/// | 2 | usage: the command line itself is wrong (unknown flag, missing argument, bad number) |
/// | 3 | the run could not start (threads) or a chart could not be drawn |
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// The input is wrong, or an output cannot be written.
    pub const INPUT: i32 = 1;
    /// The command line is wrong.
    pub const USAGE: i32 = 2;
    /// The system refused (threads), or a chart failed.
    pub const SYSTEM: i32 = 3;
}

impl Error {
    /// The exit code the command line uses for this error (see [`exit`]).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Threads(_) | Error::Plot { .. } | Error::Serialize { .. } => exit::SYSTEM,
            _ => exit::INPUT,
        }
    }

    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`Error::Shard`] naming no file.
    pub fn shard(message: impl Into<String>) -> Error {
        Error::Shard {
            path: None,
            message: message.into(),
        }
    }

    /// An [`Error::InvalidArgument`].
    pub fn invalid(what: impl Into<String>, message: impl Into<String>) -> Error {
        Error::InvalidArgument {
            what: what.into(),
            message: message.into(),
        }
    }

    /// An [`Error::Serialize`] for `what`.
    pub fn serialize(
        what: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error::Serialize {
            what: what.into(),
            source: Box::new(source),
        }
    }

    /// An [`Error::Plot`] with no file.
    pub fn plot(message: impl Into<String>) -> Error {
        Error::Plot {
            path: None,
            message: message.into(),
        }
    }
}

impl DecideError {
    /// An [`Error::Decide`](crate::error::Error::Decide) of kind
    /// [`DecideError::Input`].
    pub(crate) fn input(what: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Decide(DecideError::Input {
            what: what.into(),
            message: message.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_what_failed() {
        let e = Error::Format {
            path: "obs.csv".into(),
            line: Some(4),
            message: "bad number \"x\"".into(),
        };
        assert_eq!(e.to_string(), "obs.csv, line 4: bad number \"x\"");
        let e = Error::UnknownName {
            kind: "metric",
            name: "transfered".into(),
            valid: vec!["transferred".into(), "escaped".into()],
        };
        assert_eq!(
            e.to_string(),
            "no metric named \"transfered\"; valid names: \"transferred\", \"escaped\""
        );
        let e = Error::Shard {
            path: Some("a.json".into()),
            message: "shards of different seeds (1 and 2)".into(),
        };
        assert_eq!(e.to_string(), "a.json: shards of different seeds (1 and 2)");
        assert_eq!(e.exit_code(), exit::INPUT);
        assert_eq!(Error::plot("x").exit_code(), exit::SYSTEM);
    }

    #[test]
    fn calibration_and_decision_failures_are_kinds_of_input_errors() {
        use crate::calibrate::CalibrateError;
        use crate::decide::DecideError;
        let e = Error::from(CalibrateError::Prior {
            spec: "x=1".into(),
            message: "DIST is not a dist table".into(),
        });
        assert_eq!(e.to_string(), "prior 'x=1': DIST is not a dist table");
        assert_eq!(e.exit_code(), exit::INPUT);
        let e = Error::from(DecideError::Input {
            what: "params".into(),
            message: "need at least one parameter".into(),
        });
        assert_eq!(e.to_string(), "params: need at least one parameter");
        assert_eq!(e.exit_code(), exit::INPUT);
        let e = Error::from(DecideError::TargetNotMet("met nowhere".into()));
        assert_eq!(e.to_string(), "met nowhere");
        assert_eq!(e.exit_code(), exit::INPUT);
    }

    #[test]
    fn io_keeps_its_source() {
        use std::error::Error as _;
        let e = Error::io("x", std::io::Error::other("disk full"));
        assert_eq!(
            e.source().map(|s| s.to_string()).as_deref(),
            Some("disk full")
        );
    }
}
