//! Outputs of a summary: a readable table, JSON, CSV and (feature `plots`)
//! charts.

pub mod csv;
pub mod json;
#[cfg(feature = "plots")]
pub mod plots;
pub mod table;
