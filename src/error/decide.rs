//! The kind of an [`Error::Decide`](super::Error::Decide).

/// What went wrong in a decision-support computation: the kind of an
/// [`Error::Decide`](crate::error::Error::Decide).
///
/// A model that cannot run (a bad parameter path or value, a scenario that
/// a parameter value makes invalid, no worker threads) is not a kind of its
/// own: it is the [`Error`](crate::error::Error) the model gave
/// ([`Error::Scenario`](crate::error::Error::Scenario),
/// [`Error::Threads`](crate::error::Error::Threads), ...).
///
/// # Example: a bad target, matched by its kind
///
/// ```
/// use custody_sim::decide::{DecideError, Target};
/// use custody_sim::Error;
///
/// match Target::parse("escaped average <= 3") {
///     Err(Error::Decide(DecideError::Input { what, message })) => {
///         assert_eq!(what, r#"target "escaped average <= 3""#);
///         assert!(message.starts_with("unknown statistic \"average\""), "{message}");
///     }
///     other => panic!("expected a bad input, got {other:?}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DecideError {
    /// A bad input to the analysis itself (a distribution, a range, a
    /// target, a metric name), naming what and where.
    #[error("{what}: {message}")]
    Input {
        /// The parameter path, metric or option at fault.
        what: String,
        /// What is wrong with it.
        message: String,
    },
    /// [`solve()`](crate::decide::solve()): the target is met at neither
    /// end of the range.
    #[error("{0}")]
    TargetNotMet(String),
    /// [`solve()`](crate::decide::solve()): the statistic evidently does
    /// not move one way over the range.
    #[error("{0}")]
    NotMonotone(String),
}
