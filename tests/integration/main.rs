//! The integration tests of custody-sim, in one binary (faster links, one
//! process): model rules on hand-computed scenarios, conservation under
//! proptest, every validation rule, inputs that cannot break the loader,
//! validation against queueing theory, the Monte Carlo runner, the CLI,
//! the import graph of `src/` (no cycle between files but the known ones),
//! and a golden snapshot of a small run's JSON.

mod answers;
mod bounds;
mod calib_plots;
mod calibrate;
mod calibrate_shards;
mod chart_inset;
mod cli;
mod cli_decide;
mod cli_tables;
mod cmds_reliability;
mod conservation;
mod decide;
mod decide_plots;
mod drivers;
mod files;
mod fixtures;
mod hindcast;
mod imports;
mod inputs;
mod montecarlo;
mod paths_reliability;
mod provenance;
mod queueing;
mod reliability;
mod report_browser;
mod report_escape;
mod report_html;
mod rules;
mod rules_v2;
mod rules_v3;
mod rules_v3_court;
mod rules_v3_facility;
mod scenario_schema;
mod scenario_v2;
mod schema;
mod sensitivity_methods;
mod sensitivity_posterior;
mod sensitivity_report;
mod sensitivity_shards;
mod snapshot;
mod uncertainty;
mod variants;
