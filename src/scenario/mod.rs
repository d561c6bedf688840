//! What to simulate: the scenario as plain data.
//!
//! A [`Scenario`] mirrors the TOML scenario file of the reference model key
//! for key (`[[group]]` is [`Scenario::groups`], `[[court.stage]]` is
//! [`Court::stages`], and so on). Load one with [`Scenario::from_toml_str`]
//! or [`Scenario::from_path`], take a bundled one from [`presets`], or build
//! one in Rust with [`Scenario::builder`]. Either way, [`Scenario::validate`]
//! reports every problem at once, each naming its key path.
//!
//! Units: time is in days from `start_date` (day 0); counts are persons.
//!
//! # Layout
//!
//! One file per process, each owning its types, their constructors and
//! their checks: `transfer.rs` (convoys, pauses, escapes, the end of the
//! transfer), `population.rs` (groups), `facility.rs` (prisons, their
//! background populations, allocation, custody, relocations), `court.rs`
//! (stages, schedules, sentences) and `repatriation.rs`. Around them:
//! `problems.rs` (the problem list and the [`limits`]), `read.rs` (the
//! error-tolerant TOML reader), `builder.rs` ([`ScenarioBuilder`]), and
//! [`day`], [`dist`], [`path`] (parameter paths), [`overrides`] (sets of
//! parameter overrides), [`presets`], [`uncertainty`] and [`variant`].
//!
//! The files import one way. At the bottom, `day.rs`, `problems.rs`,
//! `dist.rs`, and the types of [`overrides`], [`param_dist`](ParamDist),
//! [`uncertainty`] and [`variant`]; above them the process files (whose
//! checks read only the keys they need, borrowed from the scenario);
//! above those `whole.rs`, which holds [`Scenario`] itself; and above it
//! what works on a whole scenario: `check.rs` ([`Scenario::validate`],
//! which calls each process's checks in a fixed order, the order of the
//! problems it reports), [`path`], `variant_apply.rs`
//! ([`Scenario::with_variant`]), `uncertainty_apply.rs`, the reader, the
//! builder and the presets. Every type is re-exported here:
//! `scenario::Stage`, not a path through its file.

mod builder;
mod check;
mod court;
pub mod day;
pub mod dist;
mod facility;
pub mod overrides;
pub(crate) mod param_dist;
pub mod path;
mod population;
pub mod presets;
mod problems;
mod read;
mod release;
mod repatriation;
mod transfer;
pub mod uncertainty;
pub(crate) mod uncertainty_apply;
pub mod variant;
mod variant_apply;
mod whole;

pub use builder::ScenarioBuilder;
pub use court::{Appeal, Court, ExitKind, OtherCases, Sentence, SentenceExit, ServerChange, Stage};
pub use day::Day;
pub use dist::Dist;
pub use facility::{
    Allocation, Background, Custody, Expansion, Facility, Overflow, PersonKind, Policy, RateChange,
    Relocation, Who,
};
pub use jiff::civil::Date;
pub use overrides::{Applied, Override, Overrides};
pub use param_dist::ParamDist;
pub use population::{Deportation, Group};
pub use problems::{ScenarioError, ScenarioErrors, limits};
pub use release::Release;
pub use repatriation::{EligibleAfter, Repatriation};
pub use transfer::{Admission, Escape, Pause, Phase, Transfer, TransferEnd};
pub use uncertainty::{PosteriorTable, Uncertainty};
pub use variant::Variant;
pub use whole::Scenario;
pub(crate) use whole::opening_day;

/// The problem list and the limits at their former path
/// (`scenario::validate::ScenarioErrors`); each process checks its own
/// keys, in its own file.
#[doc(hidden)]
pub mod validate {
    pub use super::problems::{ScenarioError, ScenarioErrors, limits};
}
