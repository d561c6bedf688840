//! The command line's arguments: what each command accepts, with the
//! parsers of `PATH=VALUE`, `PATH=V1,V2,...` and `K/N`.
//!
//! A value clap cannot accept (an unknown flag, `-n 0`, `-n -1`, a
//! `--shard 0/2`) is a usage error: exit 2, with the usage line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use custody_sim::scenario::Override;
use custody_sim::sweep::Vary;

/// Most replications of one run, shard or sweep cell: a shard keeps every
/// replication's metric values in memory (a few hundred bytes each).
pub(crate) const MAX_REPLICATIONS: u64 = 100_000_000;
/// Most cells times replications of one sweep.
pub(crate) const MAX_SWEEP_WORK: u64 = 100_000_000;
/// Most cells of one sweep grid.
pub(crate) const MAX_CELLS: u64 = 100_000;
/// Most slices of a sharded sweep.
pub(crate) const MAX_SLICES: u64 = 1_000_000;
/// Most worker threads.
pub(crate) const MAX_THREADS: usize = 4096;

/// Discrete-event Monte Carlo simulation of detainee transfers (Syria to
/// Iraq), prison capacity, courts and repatriation.
///
/// SCENARIO is a path to a TOML scenario file or the name of a bundled
/// scenario (see `custody-sim presets`), optionally followed by
/// `:VARIANT` to take one of its named variants (`[variant.NAME]`):
/// `baseline:high`. The whole text is a file or bundled name if there is
/// one of that name; otherwise it is split at the last `:`. Problems go to standard error,
/// one per line, each starting `error: `. Exit codes: 0 success; 1 a bad
/// scenario, value or file, or an output that cannot be written; 2 a
/// usage error (the command line itself); 3 the system refused (threads)
/// or a chart could not be drawn.
#[derive(Debug, Parser)]
#[command(name = "custody-sim", version, about, long_about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run replications of a scenario and summarise them.
    Run(RunArgs),
    /// Validate a scenario, listing every problem as `error: PATH: message`
    /// on standard error.
    Check {
        /// Scenario file or bundled scenario name.
        scenario: String,
    },
    /// Run a grid over parameter paths, with paired differences to the
    /// first cell.
    Sweep(SweepArgs),
    /// Run replications FROM..TO of a scenario into a shard file, to merge
    /// later.
    Shard(ShardArgs),
    /// Merge shard files (of `shard`, `sweep --shard`, `sensitivity
    /// --shard` or `calibrate --shard`) into the result of one run, sweep
    /// or sensitivity design, or into a calibration's next state.
    Merge(MergeArgs),
    /// Score a scenario's bands against observations: per row p5, p50,
    /// p95, inside, PIT and interval score; coverage, mean interval score
    /// and CRPS.
    Backtest(BacktestArgs),
    /// Fit parameters to observations by ABC population Monte Carlo,
    /// writing the weighted posterior draws.
    Calibrate(CalibrateArgs),
    /// Test a scenario out of sample: at each origin, fit the priors to the
    /// observations dated up to it and score those dated after it
    /// (coverage, interval score, CRPS, error of the median by horizon).
    Hindcast(HindcastArgs),
    /// Sobol indices (first-order, total) and tornado swings of metrics
    /// over uncertain parameters.
    Sensitivity(SensitivityArgs),
    /// The smallest (or largest) value of a parameter that meets a target.
    Solve(SolveArgs),
    /// Scenarios side by side: the capacity answers (or `--metric`s) with
    /// paired differences to the first.
    Compare(CompareArgs),
    /// List the bundled scenarios, or show one as TOML.
    Presets {
        #[command(subcommand)]
        action: Option<PresetsAction>,
    },
    /// Print the JSON Schema of the scenario file, for TOML editors (it is
    /// also docs/scenario.schema.json).
    Schema,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PresetsAction {
    /// List the bundled scenarios (the default).
    List,
    /// Print a bundled scenario as its commented TOML file.
    Show {
        /// Bundled scenario name.
        name: String,
    },
}

/// Options shared by the commands that run replications.
#[derive(Debug, Args)]
pub(crate) struct Common {
    /// Master seed; replication i draws from stream (seed, i).
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Worker threads; 0 uses all cores. Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=MAX_THREADS as u64))]
    pub(crate) threads: u64,
    /// Override a parameter, e.g. `--set court.stage[trial].servers=30`;
    /// applied in order. Recorded in the JSON (`overrides`), the table and
    /// the charts.
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = parse_set)]
    pub(crate) set: Vec<Override>,
    /// No table, no progress bar and no notes of files written.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Run even when the command's whole work (every replication it will
    /// run, rule by rule) is estimated to need more than the limits (8 GiB
    /// of memory or 8 hours); without it such work is refused before it
    /// starts. Work estimated to take over a minute or over 2 GiB is
    /// announced on standard error either way.
    #[arg(long)]
    pub(crate) allow_large: bool,
}

/// `--replications`: 1 to [`MAX_REPLICATIONS`].
fn replications() -> clap::builder::RangedU64ValueParser {
    clap::value_parser!(u64).range(1..=MAX_REPLICATIONS)
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Scenario file or bundled scenario name, optionally `:VARIANT`.
    pub(crate) scenario: String,
    /// Run the scenario's named variant (`[variant.NAME]`), before any
    /// `--set`; the same as SCENARIO:NAME. Recorded in the JSON
    /// (`variant`, and its overrides in `overrides`), the table and the
    /// charts.
    #[arg(long, value_name = "NAME")]
    pub(crate) variant: Option<String>,
    /// Number of replications.
    #[arg(long, short = 'n', default_value_t = 1000, value_parser = replications(), allow_negative_numbers = true)]
    pub(crate) replications: u64,
    /// Also run the same replications with repatriation switched off
    /// (every group's repatriation.probability = 0, common random
    /// numbers) and report what repatriation spares each facility: peak
    /// occupancy and days over capacity, paired, with 95% CIs (in the
    /// table's answers, the JSON's answers.relief and the report).
    #[arg(long)]
    pub(crate) relief: bool,
    /// Also rank, for each headline answer, the scenario's uncertain
    /// parameters ([uncertainty], without a posterior file) by their
    /// total Sobol index: a Saltelli design of N base samples (default
    /// 128), N (k + 2) more replications for k parameters (in the
    /// table's "What drives this", the JSON's answers.drivers and the
    /// report's section of that name).
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "128", value_parser = clap::value_parser!(u64).range(2..))]
    pub(crate) drivers: Option<u64>,
    #[command(flatten)]
    pub(crate) common: Common,
    #[command(flatten)]
    pub(crate) out: Outputs,
    #[command(flatten)]
    pub(crate) report: ReportOut,
}

/// `--report FILE.html`: one self-contained HTML report of the result.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct ReportOut {
    /// Write one self-contained HTML report to FILE: the answers first,
    /// then tables, charts (inline SVG, feature `plots`), the provenance
    /// and the scenario as run (folded); no scripts, nothing fetched.
    #[arg(long, value_name = "FILE.html")]
    pub(crate) report: Option<PathBuf>,
}

/// `--variant NAME`, for the commands of one scenario other than `run`
/// and `shard` (which have their own, the same).
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct VariantArg {
    /// Use the scenario's named variant (`[variant.NAME]`), before any
    /// `--set`; the same as SCENARIO:NAME.
    #[arg(long, value_name = "NAME")]
    pub(crate) variant: Option<String>,
}

/// Where a run's results go.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct Outputs {
    /// Write the summary as JSON to FILE, or to standard output with `-`.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) json: Option<PathBuf>,
    /// Write metrics.csv and series.csv into DIR; with `-`, metrics.csv
    /// to standard output.
    #[arg(long, value_name = "DIR|-")]
    pub(crate) csv: Option<PathBuf>,
    /// Draw charts (SVG and PNG) into DIR (feature `plots`); a chart holds
    /// at most 8 panels, more facilities or stages go to further files.
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct SweepArgs {
    /// Scenario file or bundled scenario name.
    pub(crate) scenario: String,
    /// A parameter and its values, e.g. `court.stage[trial].servers=15,30,60`
    /// (commas inside `{ }`, `[ ]` or quotes do not split); repeat for a
    /// grid, the last varying fastest.
    #[arg(long, value_name = "PATH=V1,V2,...", required = true, value_parser = parse_vary)]
    pub(crate) vary: Vec<Vary>,
    /// Replications per cell.
    #[arg(long, short = 'n', default_value_t = 1000, value_parser = replications(), allow_negative_numbers = true)]
    pub(crate) replications: u64,
    #[command(flatten)]
    pub(crate) variant: VariantArg,
    #[command(flatten)]
    pub(crate) common: Common,
    /// Write the sweep as JSON to FILE, or to standard output with `-`.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) json: Option<PathBuf>,
    /// Write the sweep as CSV (one row per cell and metric) to FILE, or to
    /// standard output with `-`.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) csv: Option<PathBuf>,
    /// Run only slice K of N (1-based) of the sweep's work, into the shard
    /// file given by --out; `merge` combines the slices.
    #[arg(long, value_name = "K/N", value_parser = parse_slice, requires = "out")]
    pub(crate) shard: Option<(u64, u64)>,
    /// The sweep shard file to write (with --shard; alone, the whole sweep).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["json", "csv", "plots", "report"])]
    pub(crate) out: Option<PathBuf>,
    /// Draw the chosen metrics (`--metric`) against the varied parameter,
    /// mean and 95% interval (SVG and PNG), into DIR (feature `plots`).
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    /// A metric for the table and the charts, e.g.
    /// `facility.Karkh.days_over_capacity`; repeatable. Default: the
    /// capacity answers, as `compare`'s. `--json` and `--csv` carry every
    /// metric whatever is chosen.
    #[arg(long, value_name = "NAME", conflicts_with = "out")]
    pub(crate) metric: Vec<String>,
    #[command(flatten)]
    pub(crate) report: ReportOut,
}

#[derive(Debug, Args)]
pub(crate) struct ShardArgs {
    /// Scenario file or bundled scenario name, optionally `:VARIANT`.
    pub(crate) scenario: String,
    /// Run the scenario's named variant (`[variant.NAME]`), before any
    /// `--set`; the same as SCENARIO:NAME. Recorded in the shard.
    #[arg(long, value_name = "NAME")]
    pub(crate) variant: Option<String>,
    /// First replication index (0-based, included).
    #[arg(long)]
    pub(crate) from: u64,
    /// Replication index to stop before (excluded).
    #[arg(long)]
    pub(crate) to: u64,
    #[command(flatten)]
    pub(crate) common: Common,
    /// The shard file to write.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// Shard files, in any order; together they must cover replications
    /// 0..n exactly once.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// Write the result as JSON to FILE, or to standard output with `-`.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) json: Option<PathBuf>,
    /// Run shards: write metrics.csv and series.csv into DIR (`-`:
    /// metrics.csv to standard output). Sweep and sensitivity shards:
    /// write the result's CSV to FILE (or `-`).
    #[arg(long, value_name = "DIR|FILE|-")]
    pub(crate) csv: Option<PathBuf>,
    /// Draw charts into DIR (run shards and sensitivity shards; feature
    /// `plots`).
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    /// Run shards: the replications the shards must cover, 0..N. Without
    /// it, a missing last shard goes unnoticed (the rest still cover 0..m).
    #[arg(long, short = 'n', value_name = "N", value_parser = replications(), allow_negative_numbers = true)]
    pub(crate) replications: Option<u64>,
    /// Calibration shards: the state they continue (written by the
    /// previous merge); not needed for generation 0.
    #[arg(long, value_name = "FILE")]
    pub(crate) state: Option<PathBuf>,
    /// Calibration shards: write the calibration's next state to FILE,
    /// for the next `calibrate --shard K/N --state FILE`, or, once it has
    /// finished, for `calibrate --state FILE`.
    #[arg(long, value_name = "FILE")]
    pub(crate) state_out: Option<PathBuf>,
    /// No table.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// A JSON output (`FILE` or `-`).
#[derive(Debug, Args)]
pub(crate) struct JsonOut {
    /// Write the result as JSON to FILE, or to standard output with `-`.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) json: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct BacktestArgs {
    /// Scenario file or bundled scenario name.
    pub(crate) scenario: String,
    /// Observations CSV (`date,series,value[,sd]`).
    #[arg(long, value_name = "FILE")]
    pub(crate) observed: PathBuf,
    /// Number of replications.
    #[arg(long, short = 'n', default_value_t = 1000, value_parser = replications(), allow_negative_numbers = true)]
    pub(crate) replications: u64,
    #[command(flatten)]
    pub(crate) variant: VariantArg,
    #[command(flatten)]
    pub(crate) common: Common,
    #[command(flatten)]
    pub(crate) json: JsonOut,
    /// Write the rows as CSV to FILE, or to standard output with `-`.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) csv: Option<PathBuf>,
    /// Draw the observations over the fan of each observed series (SVG
    /// and PNG) into DIR (feature `plots`).
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) report: ReportOut,
}

/// The settings of an ABC fit, as `calibrate` and `hindcast` both take
/// them: the same flags, defaults and parsers. The help here is
/// `calibrate`'s; `hindcast` says the same of each origin's fit
/// ([`HindcastArgs`] rewords it).
#[derive(Debug, Args)]
pub(crate) struct AbcArgs {
    /// Particles per generation.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(2..=1_000_000))]
    pub(crate) particles: u64,
    /// Simulation budget.
    #[arg(long, default_value_t = 100_000, value_parser = replications())]
    pub(crate) max_simulations: u64,
    /// Most generations, generation 0 (the prior) included.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub(crate) max_generations: u32,
    /// Stop after a generation whose acceptance rate is below this.
    #[arg(long, default_value_t = 0.02, value_parser = share)]
    pub(crate) min_acceptance: f64,
    /// Scale every row's difference by the spread of its simulated values
    /// under the prior (1.4826 × their median absolute deviation in
    /// generation 0) instead of its `sd` or 5% of its value, so that rows
    /// in different units weigh alike.
    #[arg(long)]
    pub(crate) adaptive_scales: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CalibrateArgs {
    /// Scenario file or bundled scenario name.
    pub(crate) scenario: String,
    /// Observations CSV (`date,series,value[,sd]`).
    #[arg(long, value_name = "FILE")]
    pub(crate) observed: PathBuf,
    /// A prior, e.g. `court.stage[trial].servers={dist="uniform_int",low=5,high=60}`;
    /// repeat for several parameters.
    #[arg(long, value_name = "PATH=DIST", required = true)]
    pub(crate) prior: Vec<String>,
    /// The posterior draws CSV to write (what `[uncertainty] posterior`
    /// reads); with --shard, the calibration shard file to write.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// Simulate only slice K of N (1-based) of the batch of simulations
    /// the calibration waits for (that of --state, or generation 0's
    /// without it), into the shard file given by --out; `merge
    /// --state-out` makes the calibration's next state from the slices.
    #[arg(long, value_name = "K/N", value_parser = parse_slice, conflicts_with_all = ["json", "scenario_out", "plots", "report"])]
    pub(crate) shard: Option<(u64, u64)>,
    /// A calibration state written by `merge --state-out`. With --shard:
    /// the state whose next batch to simulate. Without: run the rest of
    /// its schedule here and write the results, exactly those of one
    /// unsharded calibrate (with nothing left to run, at once).
    #[arg(long, value_name = "FILE")]
    pub(crate) state: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) abc: AbcArgs,
    /// Write the calibrated scenario (posterior medians) as TOML to FILE.
    #[arg(long, value_name = "FILE.toml")]
    pub(crate) scenario_out: Option<PathBuf>,
    /// Draw each parameter's prior against its posterior, and the
    /// posterior predictive fan of each observed series against the
    /// observations (SVG and PNG), into DIR (feature `plots`).
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    /// Replications of the posterior predictive check, and of the
    /// posterior predictive fan (`--plots`, `--report`).
    #[arg(long, short = 'n', default_value_t = 1000, value_parser = replications(), allow_negative_numbers = true)]
    pub(crate) replications: u64,
    #[command(flatten)]
    pub(crate) variant: VariantArg,
    #[command(flatten)]
    pub(crate) common: Common,
    #[command(flatten)]
    pub(crate) json: JsonOut,
    #[command(flatten)]
    pub(crate) report: ReportOut,
}

/// The ABC flags ([`AbcArgs`]) are said of each origin's fit.
#[derive(Debug, Args)]
#[command(
    mut_arg("particles", |a| a.help("Particles per generation of each origin's fit")),
    mut_arg("max_simulations", |a| a.help("Simulation budget of each origin's fit")),
    mut_arg("max_generations", |a| {
        a.help("Most generations of each fit, generation 0 (the prior) included")
    }),
    mut_arg("min_acceptance", |a| {
        a.help("Stop a fit after a generation whose acceptance rate is below this")
    }),
    mut_arg("adaptive_scales", |a| {
        a.help("Scale each row of the fits' distance by the spread of its simulated values under the prior, as `calibrate --adaptive-scales`")
    })
)]
pub(crate) struct HindcastArgs {
    /// Scenario file or bundled scenario name.
    pub(crate) scenario: String,
    /// Observations CSV (`date,series,value[,sd][,kind]`).
    #[arg(long, value_name = "FILE")]
    pub(crate) observed: PathBuf,
    /// An origin, `YYYY-MM-DD` or a day number: fit to the rows dated on
    /// or before it, score the rows dated after it; repeatable.
    #[arg(long, value_name = "DATE", required = true)]
    pub(crate) origin: Vec<String>,
    /// A prior, as `calibrate --prior`; repeatable. Without any, nothing
    /// is fitted: the scenario as it is is scored after each origin.
    #[arg(long, value_name = "PATH=DIST")]
    pub(crate) prior: Vec<String>,
    #[command(flatten)]
    pub(crate) abc: AbcArgs,
    /// Replications of the posterior predictive scored at each origin.
    #[arg(long, short = 'n', default_value_t = 1000, value_parser = replications(), allow_negative_numbers = true)]
    pub(crate) replications: u64,
    #[command(flatten)]
    pub(crate) variant: VariantArg,
    #[command(flatten)]
    pub(crate) common: Common,
    #[command(flatten)]
    pub(crate) json: JsonOut,
    /// Write the scored rows as CSV (one line per origin and scored row)
    /// to FILE, or to standard output with `-`.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) csv: Option<PathBuf>,
    /// Draw, per origin, the forecast's band with the rows fitted up to
    /// the origin and the rows scored after it (SVG and PNG), into DIR
    /// (feature `plots`).
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) report: ReportOut,
}

#[derive(Debug, Args)]
pub(crate) struct SensitivityArgs {
    /// Scenario file or bundled scenario name.
    pub(crate) scenario: String,
    /// A metric to analyse, e.g. `mean_days_to_verdict`, or a daily
    /// series on a day, `occupancy.Karkh@2026-03-01`; repeatable.
    #[arg(long, value_name = "NAME", required_unless_present = "region")]
    pub(crate) metric: Vec<String>,
    /// Regional sensitivity instead of indices: which parameters separate
    /// the runs in which the condition holds from the others (the
    /// Kolmogorov–Smirnov distance of each parameter's values in the two
    /// sets, with its p-value), over `--samples` independent runs, e.g.
    /// `occupancy.Karkh@2026-03-01>4000` (`>`, `>=`, `<`, `<=`).
    #[arg(long, value_name = "METRIC>VALUE", conflicts_with_all = ["metric", "dummy", "second_order", "group"])]
    pub(crate) region: Option<String>,
    /// An uncertain parameter, e.g.
    /// `court.stage[trial].servers={dist="uniform_int",low=10,high=40}`;
    /// repeatable. Without it, the scenario's `[uncertainty]` parameters;
    /// with it, these replace them (other uncertain paths are held at
    /// their medians). With an `[uncertainty] posterior`, the posterior's
    /// columns not given as --param are held at their weighted medians,
    /// with or without --param.
    #[arg(long, value_name = "PATH=DIST")]
    pub(crate) param: Vec<String>,
    /// The method: `sobol` (first-order and total Sobol indices with a
    /// tornado) or `morris` (elementary effects μ*, μ, σ: a screening for
    /// many parameters, r (k + 1) runs).
    #[arg(long, value_enum, default_value_t = SensitivityMethod::Sobol)]
    pub(crate) method: SensitivityMethod,
    /// A group of parameters given one index, `NAME=PATH,PATH,…` (each
    /// path one of the parameters, in one group at most); repeatable. The
    /// design moves a group's paths together; the index's `path` is NAME.
    #[arg(long, value_name = "NAME=PATH,PATH")]
    pub(crate) group: Vec<String>,
    /// Add a dummy parameter, one the model never reads, whose indices
    /// give the noise floor; indices not distinguishable from it are
    /// flagged (`--method sobol`).
    #[arg(long)]
    pub(crate) dummy: bool,
    /// Second-order indices of every pair of parameters (or groups), the
    /// largest listed (`--method sobol`; N (2 G + 2) runs).
    #[arg(long)]
    pub(crate) second_order: bool,
    /// Trajectories r of a Morris screening (`--method morris`).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(2..=1_000_000))]
    pub(crate) trajectories: u64,
    /// Grid levels p per parameter of a Morris screening (`--method
    /// morris`): even.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(2..=1_000))]
    pub(crate) levels: u64,
    /// Base samples N of the Saltelli design (the model runs N (k + 2) times).
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(2..=1_000_000))]
    pub(crate) samples: u64,
    /// Bootstrap resamples for the indices' intervals.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(0..=100_000))]
    pub(crate) bootstrap: u64,
    /// Replications at each end of the tornado.
    #[arg(long, short = 'n', default_value_t = 200, value_parser = replications(), allow_negative_numbers = true)]
    pub(crate) replications: u64,
    #[command(flatten)]
    pub(crate) variant: VariantArg,
    #[command(flatten)]
    pub(crate) common: Common,
    #[command(flatten)]
    pub(crate) json: JsonOut,
    /// Write the indices as CSV to FILE, or to standard output with `-`.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) csv: Option<PathBuf>,
    /// Draw the charts (SVG and PNG) into DIR: per metric a tornado and a
    /// Sobol-index chart (and second-order indices, indices over time);
    /// with `--method morris` the μ* and σ chart; with `--region` the
    /// Kolmogorov–Smirnov distances (feature `plots`).
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) report: ReportOut,
    /// Run only slice K of N (1-based) of the design's model evaluations
    /// (the Sobol design and its tornado, or the Morris trajectories), into
    /// the shard file given by --out; `merge` combines the slices into the
    /// result of the whole design.
    #[arg(long, value_name = "K/N", value_parser = parse_slice, requires = "out")]
    pub(crate) shard: Option<(u64, u64)>,
    /// The sensitivity shard file to write (with --shard).
    #[arg(long, value_name = "FILE", requires = "shard", conflicts_with_all = ["json", "csv", "plots", "report"])]
    pub(crate) out: Option<PathBuf>,
}

/// The method of `sensitivity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SensitivityMethod {
    /// Sobol indices (Saltelli design) with tornado swings.
    Sobol,
    /// Morris elementary effects (screening).
    Morris,
}

#[derive(Debug, Args)]
pub(crate) struct SolveArgs {
    /// Scenario file or bundled scenario name.
    pub(crate) scenario: String,
    /// The lever and its range, e.g. `court.stage[trial].servers=1..200`.
    #[arg(long, value_name = "PATH=LOW..HIGH")]
    pub(crate) vary: String,
    /// The target, e.g. `median_days_to_verdict p95 <= 180` (or `>=`).
    #[arg(long, value_name = "METRIC STAT <= VALUE")]
    pub(crate) target: String,
    /// Search for the largest value meeting the target (default: the
    /// smallest).
    #[arg(long)]
    pub(crate) largest: bool,
    /// Resolution of the answer for a parameter taking any real value
    /// (an integer parameter's step is 1).
    #[arg(long, value_name = "STEP")]
    pub(crate) tolerance: Option<f64>,
    /// Replications per value tried.
    #[arg(long, short = 'n', default_value_t = 200, value_parser = replications(), allow_negative_numbers = true)]
    pub(crate) replications: u64,
    #[command(flatten)]
    pub(crate) variant: VariantArg,
    #[command(flatten)]
    pub(crate) common: Common,
    #[command(flatten)]
    pub(crate) json: JsonOut,
}

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// Scenario files or bundled names; the first is the reference.
    #[arg(required = true)]
    pub(crate) scenarios: Vec<String>,
    /// A variant of the (single) scenario, `label:PATH=VALUE[,PATH=VALUE]`;
    /// repeatable. The scenario as given comes first, labelled `base`.
    #[arg(long, value_name = "LABEL:PATH=VALUE,...")]
    pub(crate) variant: Vec<String>,
    /// A metric to compare, e.g. `median_days_to_verdict`; repeatable.
    /// Default: the capacity answers (per receiving facility its first
    /// day over capacity, peak occupancy rate, days over capacity and
    /// first day back under; the median time to a verdict;
    /// repatriated).
    #[arg(long, value_name = "NAME")]
    pub(crate) metric: Vec<String>,
    /// Replications per scenario.
    #[arg(long, short = 'n', default_value_t = 1000, value_parser = replications(), allow_negative_numbers = true)]
    pub(crate) replications: u64,
    #[command(flatten)]
    pub(crate) common: Common,
    #[command(flatten)]
    pub(crate) json: JsonOut,
    /// Write the table as CSV to FILE, or to standard output with `-`.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) csv: Option<PathBuf>,
    /// Draw overlay fan charts of occupancy and court queues, every
    /// scenario on one axis (SVG and PNG), into DIR (feature `plots`).
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) report: ReportOut,
}

/// `PATH=VALUE`, split at the first `=`.
/// `--set PATH=VALUE`: an override with no variant.
fn parse_set(s: &str) -> Result<Override, String> {
    parse_assignment(s).map(|(p, v)| Override::new(p, v))
}

pub(crate) fn parse_assignment(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((p, v)) if !p.trim().is_empty() => Ok((p.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("expected PATH=VALUE, got {s:?}")),
    }
}

/// Splits at commas that are outside brackets, braces and quotes.
fn split_values(s: &str) -> Vec<String> {
    let (mut depth, mut quote, mut cur, mut out) = (0i32, None, String::new(), Vec::new());
    for c in s.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => depth -= 1,
            (None, ',') if depth <= 0 => {
                out.push(std::mem::take(&mut cur).trim().to_string());
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur.trim().to_string());
    out
}

/// `PATH=V1,V2,...`.
fn parse_vary(s: &str) -> Result<Vary, String> {
    let (path, values) =
        parse_assignment(s).map_err(|_| format!("expected PATH=V1,V2,..., got {s:?}"))?;
    let values = split_values(&values);
    if values.iter().any(String::is_empty) {
        return Err(format!("empty value in {s:?}"));
    }
    Ok(Vary { path, values })
}

/// `K/N` with 1 <= K <= N.
fn parse_slice(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("expected K/N with 1 <= K <= N, got {s:?}");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    if n > MAX_SLICES {
        return Err(format!("at most {MAX_SLICES} slices, got {s:?}"));
    }
    Ok((k, n))
}

/// A share in [0, 1], e.g. `--min-acceptance 0.02`.
fn share(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("expected a number from 0 to 1, got {s:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_split_outside_brackets_and_quotes() {
        assert_eq!(split_values("1, 2,3"), ["1", "2", "3"]);
        assert_eq!(
            split_values(r#"[{a=1,b=2}],"x,y""#),
            ["[{a=1,b=2}]", r#""x,y""#]
        );
        assert_eq!(parse_slice("2/3"), Ok((2, 3)));
        assert!(parse_slice("0/3").is_err());
        assert!(parse_slice("4/3").is_err());
    }

    /// `sensitivity --help` says what `--param` leaves of a posterior:
    /// its other columns held at their weighted medians
    /// (`decide::params::held_columns`).
    #[test]
    fn param_help_says_what_a_posterior_holds() {
        use clap::CommandFactory;
        let mut cli = Cli::command();
        let help = cli
            .find_subcommand_mut("sensitivity")
            .expect("the sensitivity command")
            .render_long_help()
            .to_string();
        let words = help.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.contains(
                "With an `[uncertainty] posterior`, the posterior's columns not given as --param are held at their weighted medians"
            ),
            "{help}"
        );
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
