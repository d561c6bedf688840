//! The summary of a run: statistics of every metric and bands of every
//! daily series, what every report reads.

use serde::{Deserialize, Serialize};

use crate::error::Error;
#[cfg(doc)]
use crate::scenario::Applied;
use crate::scenario::overrides::Overrides;
use crate::stats::{MetricStats, SeriesBands};

/// What a run of replications reports: statistics of every metric and
/// bands of every daily series, under the names of docs/model.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// custody-sim version that computed it.
    pub version: String,
    /// SHA-256 of the scenario's canonical TOML.
    pub scenario_sha256: String,
    /// Calendar date of day 0 (`YYYY-MM-DD`).
    pub start_date: String,
    /// Horizon \[days\]; series have this many days.
    pub horizon_days: u32,
    /// Master seed.
    pub seed: u64,
    /// Replications run.
    pub replications: u64,
    /// Each metric's statistics, in layout order.
    pub metrics: Vec<(String, MetricStats)>,
    /// Each daily series' bands (days 1..=horizon), in layout order.
    pub series: Vec<(String, SeriesBands)>,
    /// The named variant (`[variant.NAME]`) the scenario was run as, if
    /// any ([`Applied::variant`] of the scenario run, or the variant a
    /// shard recorded). Every report of the summary names it. Not
    /// serialised (the JSON document of a run writes it as `variant`).
    #[serde(skip)]
    pub variant: Option<String>,
    /// The changes that made the scenario run from the one read, in
    /// order: the variant's overrides (tagged with its name), then the
    /// `--set`s ([`Applied::overrides`] of the scenario run, or what a
    /// shard recorded). Every report of the summary lists them. Not
    /// serialised (the JSON document of a run writes them as
    /// `overrides`).
    #[serde(skip)]
    pub overrides: Overrides,
    /// For each metric whose unit is a day number
    /// (`first_day_over_capacity`, `first_day_back_under`, ...), the
    /// number of replications whose value lies past the horizon (the
    /// "not within the horizon" sentinel, horizon + 1), in layout order;
    /// what the capacity answers ([`crate::report::answers`]) give as the
    /// share of replications in which a thing does not happen. Empty for
    /// a summary that was not computed from replications (one read back
    /// from a file). Not serialised.
    #[serde(skip)]
    pub past_horizon: Vec<(String, u64)>,
}

impl Summary {
    /// Statistics of metric `name`; `None` if the summary has no metric of
    /// that name. [`Summary::try_metric`] says which names exist.
    pub fn metric(&self, name: &str) -> Option<&MetricStats> {
        self.metrics.iter().find(|(n, _)| n == name).map(|(_, m)| m)
    }

    /// The number of replications in which the day-number metric `name`
    /// lay past the horizon ([`Summary::past_horizon`]); `None` for a
    /// metric that is not a day number or a summary that does not know.
    pub fn past_horizon(&self, name: &str) -> Option<u64> {
        self.past_horizon
            .iter()
            .find(|(n, _)| n == name)
            .map(|&(_, k)| k)
    }

    /// Bands of series `name`; `None` if the summary has no series of that
    /// name. [`Summary::try_series`] says which names exist.
    pub fn series(&self, name: &str) -> Option<&SeriesBands> {
        self.series.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }

    /// Statistics of metric `name`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] listing the metrics this summary has, the
    /// closest to `name` first.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::{montecarlo::{run, Runs}, presets, Error};
    ///
    /// let s = run(&presets::plan_2026_01(), &Runs { replications: 5, seed: 1, threads: 1 })?;
    /// assert!(s.try_metric("escaped").is_ok());
    /// let Err(Error::UnknownName { valid, .. }) = s.try_metric("escapd") else { panic!() };
    /// assert_eq!(valid[0], "escaped");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn try_metric(&self, name: &str) -> Result<&MetricStats, Error> {
        self.metric(name).ok_or_else(|| {
            let names: Vec<String> = self.metrics.iter().map(|(n, _)| n.clone()).collect();
            crate::model::schema::unknown("metric", name, &names)
        })
    }

    /// Bands of series `name`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] listing the series this summary has, the
    /// closest to `name` first.
    pub fn try_series(&self, name: &str) -> Result<&SeriesBands, Error> {
        self.series(name).ok_or_else(|| {
            let names: Vec<String> = self.series.iter().map(|(n, _)| n.clone()).collect();
            crate::model::schema::unknown("series", name, &names)
        })
    }
}
