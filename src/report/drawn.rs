//! What a run drew its parameters from: a scenario's `[uncertainty]`
//! named in words, so that the table, the JSON, the report and the charts
//! of a run say that (and how) its bands hold parameter uncertainty, and
//! which posterior file a calibrated scenario draws from.
//!
//! # Example
//!
//! ```
//! use custody_sim::report::drawn::Drawn;
//! use custody_sim::scenario::{PosteriorTable, Uncertainty};
//! use custody_sim::{Dist, presets};
//!
//! let mut s = presets::plan_2026_01();
//! assert!(Drawn::of(&s).is_none(), "nothing drawn: no [uncertainty]");
//! let mut u = Uncertainty::new([("court.conviction_probability", Dist::uniform(0.85, 0.99))]);
//! u.posterior = Some("calibrated.csv".into());
//! u.posterior_table = Some(PosteriorTable {
//!     columns: vec!["facility[Karkh].capacity".into()],
//!     rows: vec![vec![4000.0], vec![4200.0], vec![4100.0]],
//!     weights: vec![1.0, 2.0, 1.0],
//! });
//! s.uncertainty = Some(u);
//! let d = Drawn::of(&s).unwrap();
//! let p = d.posterior.as_ref().unwrap();
//! assert_eq!((p.file.as_str(), p.rows, p.weighted), ("calibrated.csv", 3, true));
//! assert_eq!(d.short(), "posterior calibrated.csv (3 draws), 1 uncertain parameter");
//! assert!(d.text().contains("one row of calibrated.csv per replication, drawn with probability proportional to its weight"));
//! assert!(d.text().contains("the posterior calibrated.csv (3 weighted draws of facility[Karkh].capacity): "));
//! ```

use serde::Serialize;

use crate::report::format::thousands;
use crate::scenario::Scenario;

/// The posterior file a scenario's `[uncertainty]` draws from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PosteriorDrawn {
    /// The file as the scenario names it (`[uncertainty] posterior`).
    pub file: String,
    /// Its rows (draws); 0 when not loaded.
    pub rows: usize,
    /// Its columns: the parameter paths it sets together.
    pub columns: Vec<String>,
    /// Whether its rows carry unequal weights (a `weight` column that is
    /// not constant).
    pub weighted: bool,
    /// How a replication draws from it, in words.
    pub drawn: String,
}

/// What a run drew its parameters from (`[uncertainty]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drawn {
    /// The parameters listed with a distribution, in file order, each
    /// drawn per replication from its distribution.
    pub listed: Vec<String>,
    /// The posterior file, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posterior: Option<PosteriorDrawn>,
}

impl Drawn {
    /// What `scenario` draws per replication; `None` for a scenario
    /// without `[uncertainty]`.
    pub fn of(scenario: &Scenario) -> Option<Drawn> {
        let u = scenario.uncertainty.as_ref()?;
        let posterior = u.posterior.as_ref().map(|file| {
            let t = u.posterior_table.as_ref();
            let weights = t.map(|t| t.weights.as_slice()).unwrap_or_default();
            let weighted = weights.windows(2).any(|w| w[0] != w[1]);
            PosteriorDrawn {
                file: file.clone(),
                rows: t.map_or(0, |t| t.rows.len()),
                columns: t.map(|t| t.columns.clone()).unwrap_or_default(),
                weighted,
                drawn: if weighted {
                    format!(
                        "one row of {file} per replication, drawn with probability proportional to its weight, its columns set together"
                    )
                } else {
                    format!(
                        "one row of {file} per replication, drawn uniformly, its columns set together"
                    )
                },
            }
        });
        Some(Drawn {
            listed: u.params.iter().map(|p| p.path.clone()).collect(),
            posterior,
        })
    }

    /// A short label for a chart's subtitle: `posterior calibrated.csv
    /// (500 draws)`, `3 uncertain parameters`, or both.
    pub fn short(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = &self.posterior {
            parts.push(format!(
                "posterior {} ({} draw{})",
                p.file,
                thousands(p.rows as f64),
                if p.rows == 1 { "" } else { "s" }
            ));
        }
        match self.listed.len() {
            0 => {}
            1 => parts.push("1 uncertain parameter".into()),
            k => parts.push(format!("{k} uncertain parameters")),
        }
        parts.join(", ")
    }

    /// One sentence: what is drawn, from what, and that the bands hold
    /// parameter uncertainty.
    pub fn text(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = &self.posterior {
            parts.push(format!(
                "the posterior {} ({}{} draw{} of {}): {}",
                p.file,
                thousands(p.rows as f64),
                if p.weighted { " weighted" } else { "" },
                if p.rows == 1 { "" } else { "s" },
                if p.columns.is_empty() {
                    "its columns".to_string()
                } else {
                    p.columns.join(", ")
                },
                p.drawn
            ));
        }
        if !self.listed.is_empty() {
            parts.push(format!(
                "each of {} from its distribution",
                self.listed.join(", ")
            ));
        }
        format!(
            "Parameters drawn per replication from {}; the bands hold parameter and stochastic uncertainty, and each drawn value is the metric param.PATH.",
            parts.join("; and ")
        )
    }
}
