//! # custody-sim
//!
//! Discrete-event Monte Carlo simulation of detainee transfers and the
//! capacity they strain. (Crate tour below is being written.)

#![forbid(unsafe_code)]

pub mod engine;
pub mod model;
pub mod scenario;

use std::path::PathBuf;

pub use model::{ConservationError, Layout, Outcome, Plan, Workspace, simulate};
pub use scenario::{
    Admission, Allocation, Court, Dist, Escape, Expansion, Facility, Group, Pause, Phase, Policy,
    Repatriation, Scenario, ScenarioBuilder, ScenarioError, ScenarioErrors, ServerChange, Stage,
    Transfer, limits, presets,
};

/// Everything that can go wrong in custody-sim, other than a bug.
///
/// Each variant's message names what and where: the key path in a scenario,
/// the file that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The scenario (or a parameter path or value) has problems; each names
    /// its key path.
    #[error("{0}")]
    Scenario(#[from] ScenarioErrors),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}
