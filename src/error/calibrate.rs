//! The kind of an [`Error::Calibrate`](super::Error::Calibrate).

/// What can go wrong in a backtest or a calibration: the kind of an
/// [`Error::Calibrate`](crate::error::Error::Calibrate).
///
/// A bad scenario, or a value that makes it invalid, is not a kind of its
/// own: it is [`Error::Scenario`](crate::error::Error::Scenario), as in a run; an
/// unreadable file is [`Error::Io`](crate::error::Error::Io).
///
/// # Example: a prior matched by its kind
///
/// ```
/// use custody_sim::calibrate::{CalibrateError, Prior};
/// use custody_sim::Error;
///
/// match Prior::parse("court.conviction_probability") {
///     Err(Error::Calibrate(CalibrateError::Prior { spec, .. })) => {
///         assert_eq!(spec, "court.conviction_probability");
///     }
///     other => panic!("expected a bad prior, got {other:?}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrateError {
    /// A row of an observations file is wrong.
    #[error("{source_name}, line {line}: {message}")]
    Observation {
        /// The file (or `<text>`).
        source_name: String,
        /// Line number in the file, 1 for the header.
        line: usize,
        /// What is wrong, with the offending value.
        message: String,
    },
    /// A prior (`PATH=DIST`) is malformed or unusable.
    #[error("prior '{spec}': {message}")]
    Prior {
        /// The prior as written, or its path.
        spec: String,
        /// What is wrong.
        message: String,
    },
    /// Settings of a backtest or calibration that cannot work (no
    /// observations, no replications, a particle count of 0, ...).
    #[error("{0}")]
    Settings(String),
}
