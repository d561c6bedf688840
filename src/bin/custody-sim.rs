//! The `custody-sim` command line: run a scenario's replications, check a
//! scenario file, sweep a grid of parameters, split a run into shards and
//! merge them, list the bundled scenarios.
//!
//! ```text
//! custody-sim run SCENARIO [--replications N] [--seed S] [--threads T] [--set PATH=VALUE]...
//!                          [--json FILE|-] [--csv DIR] [--plots DIR] [--quiet]
//! custody-sim check SCENARIO
//! custody-sim sweep SCENARIO --vary PATH=V1,V2,... [--vary ...] [--replications N] [--seed S]
//!                            [--json FILE|-] [--csv FILE|-] [--shard K/N --out FILE]
//! custody-sim shard SCENARIO --from A --to B [--seed S] [--set ...] --out FILE
//! custody-sim merge FILE... [--replications N] [--json FILE|-] [--csv DIR|FILE] [--plots DIR]
//! custody-sim presets [show NAME]
//! ```
//!
//! SCENARIO is a path to a TOML file or the name of a bundled scenario
//! (`custody-sim presets`). Exit codes: 0 success; 1 a bad scenario, path,
//! value or file (the message, on standard error, names what and where);
//! 2 a usage error.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use custody_sim::montecarlo::{Runs, Shard, Summary, run_plan};
use custody_sim::report::{csv, json, table};
use custody_sim::sweep::{SweepResult, SweepShard, Vary, sweep_shard};
use custody_sim::{Error, Plan, Scenario, presets};

/// Most replications of one run, shard or sweep cell: a shard keeps every
/// replication's metric values in memory (a few hundred bytes each).
const MAX_REPLICATIONS: u64 = 100_000_000;
/// Most cells times replications of one sweep.
const MAX_SWEEP_WORK: u64 = 100_000_000;
/// Most cells of one sweep grid.
const MAX_CELLS: u64 = 100_000;
/// Most slices of a sharded sweep.
const MAX_SLICES: u64 = 1_000_000;
/// Most worker threads.
const MAX_THREADS: usize = 4096;

/// Discrete-event Monte Carlo simulation of detainee transfers (Syria to
/// Iraq), prison capacity, courts and repatriation.
///
/// SCENARIO is a path to a TOML scenario file or the name of a bundled
/// scenario (see `custody-sim presets`).
#[derive(Debug, Parser)]
#[command(name = "custody-sim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run replications of a scenario and summarise them.
    Run(RunArgs),
    /// Validate a scenario, listing every problem as `PATH: message`.
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
    /// Merge shard files (of `shard`, or of `sweep --shard`) into the
    /// result of one run or sweep.
    Merge(MergeArgs),
    /// List the bundled scenarios, or show one as TOML.
    Presets {
        #[command(subcommand)]
        action: Option<PresetsAction>,
    },
}

#[derive(Debug, Subcommand)]
enum PresetsAction {
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
struct Common {
    /// Master seed; replication i draws from stream (seed, i).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads; 0 uses all cores. Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Override a parameter, e.g. `--set court.stage[trial].servers=30`;
    /// applied in order.
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = parse_assignment)]
    set: Vec<(String, String)>,
    /// No table and no progress bar.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Scenario file or bundled scenario name.
    scenario: String,
    /// Number of replications.
    #[arg(long, short = 'n', default_value_t = 1000)]
    replications: u64,
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    out: Outputs,
}

/// Where a run's results go.
#[derive(Debug, Args)]
struct Outputs {
    /// Write the summary as JSON to FILE, or to standard output with `-`.
    #[arg(long, value_name = "FILE|-")]
    json: Option<PathBuf>,
    /// Write metrics.csv and series.csv into DIR.
    #[arg(long, value_name = "DIR")]
    csv: Option<PathBuf>,
    /// Draw charts into DIR (feature `plots`).
    #[arg(long, value_name = "DIR")]
    plots: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct SweepArgs {
    /// Scenario file or bundled scenario name.
    scenario: String,
    /// A parameter and its values, e.g. `court.stage[trial].servers=15,30,60`
    /// (commas inside `{ }`, `[ ]` or quotes do not split); repeat for a
    /// grid, the last varying fastest.
    #[arg(long, value_name = "PATH=V1,V2,...", required = true, value_parser = parse_vary)]
    vary: Vec<Vary>,
    /// Replications per cell.
    #[arg(long, short = 'n', default_value_t = 1000)]
    replications: u64,
    #[command(flatten)]
    common: Common,
    /// Write the sweep as JSON to FILE, or to standard output with `-`.
    #[arg(long, value_name = "FILE|-")]
    json: Option<PathBuf>,
    /// Write the sweep as CSV (one row per cell and metric) to FILE, or to
    /// standard output with `-`.
    #[arg(long, value_name = "FILE|-")]
    csv: Option<PathBuf>,
    /// Run only slice K of N (1-based) of the sweep's work, into the shard
    /// file given by --out; `merge` combines the slices.
    #[arg(long, value_name = "K/N", value_parser = parse_slice, requires = "out")]
    shard: Option<(u64, u64)>,
    /// The sweep shard file to write (with --shard; alone, the whole sweep).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["json", "csv"])]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ShardArgs {
    /// Scenario file or bundled scenario name.
    scenario: String,
    /// First replication index (0-based, included).
    #[arg(long)]
    from: u64,
    /// Replication index to stop before (excluded).
    #[arg(long)]
    to: u64,
    #[command(flatten)]
    common: Common,
    /// The shard file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct MergeArgs {
    /// Shard files, in any order; together they must cover replications
    /// 0..n exactly once.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Write the result as JSON to FILE, or to standard output with `-`.
    #[arg(long, value_name = "FILE|-")]
    json: Option<PathBuf>,
    /// Run shards: write metrics.csv and series.csv into DIR. Sweep shards:
    /// write the sweep's CSV to FILE (or `-`).
    #[arg(long, value_name = "DIR|FILE")]
    csv: Option<PathBuf>,
    /// Draw charts into DIR (run shards only; feature `plots`).
    #[arg(long, value_name = "DIR")]
    plots: Option<PathBuf>,
    /// Run shards: the replications the shards must cover, 0..N. Without
    /// it, a missing last shard goes unnoticed (the rest still cover 0..m).
    #[arg(long, short = 'n', value_name = "N")]
    replications: Option<u64>,
    /// No table.
    #[arg(long, short)]
    quiet: bool,
}

/// `PATH=VALUE`, split at the first `=`.
fn parse_assignment(s: &str) -> Result<(String, String), String> {
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

/// A failure of a command: what went wrong, one problem per line.
#[derive(Debug)]
enum Fail {
    /// An error of the library.
    Lib(Error),
    /// Anything else, as a message.
    Msg(String),
    /// Standard output went away (a closed pipe): stop quietly.
    Closed,
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Lib(e)
    }
}

fn fail<T>(message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail::Msg(message.into()))
}

/// Prints to standard output; a closed pipe ends the command quietly.
fn print(text: &str) -> Result<(), Fail> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Fail::Closed),
        Err(e) => fail(format!("cannot write to standard output: {e}")),
    }
}

/// A note on standard error (files written), unless quiet.
fn note(quiet: bool, text: &str) {
    if !quiet {
        let _ = writeln!(std::io::stderr(), "{text}");
    }
}

fn bundled_list() -> String {
    presets::NAMES.join(", ")
}

/// Reads SCENARIO (a file, else a bundled name) as text, parsed but not
/// yet validated. Returns the scenario and where it came from.
fn read_scenario(arg: &str) -> Result<(Result<Scenario, Error>, String), Fail> {
    let path = Path::new(arg);
    if path.is_file() {
        let text = Error::read_text(path)?;
        return Ok((Scenario::parse_toml(&text), arg.to_string()));
    }
    if let Some(s) = presets::by_name(arg) {
        return Ok((Ok(s), format!("bundled scenario {arg}")));
    }
    if path.exists() {
        return fail(format!("{arg}: not a file"));
    }
    fail(format!(
        "{arg}: no such file, and no bundled scenario of that name (bundled: {})",
        bundled_list()
    ))
}

/// Loads and validates SCENARIO, then applies each `--set` in order.
fn load(arg: &str, set: &[(String, String)]) -> Result<Scenario, Fail> {
    let (parsed, _) = read_scenario(arg)?;
    let s = parsed?;
    // The `--set`s apply in order, then the result is validated once, so
    // they can repair a file as well as change it.
    Ok(s.with_params(set.iter().map(|(p, v)| (p.as_str(), v.as_str())))?)
}

fn check_replications(n: u64, what: &str) -> Result<(), Fail> {
    if n == 0 {
        return fail(format!("{what}: must be at least 1, got 0"));
    }
    if n > MAX_REPLICATIONS {
        return fail(format!(
            "{what}: must be at most {MAX_REPLICATIONS}, got {n}"
        ));
    }
    Ok(())
}

/// The thread count to use: at most the work there is (the result does
/// not depend on it).
fn threads(t: usize, work: u64) -> Result<usize, Fail> {
    if t > MAX_THREADS {
        return fail(format!("--threads: must be at most {MAX_THREADS}, got {t}"));
    }
    Ok(if t == 0 {
        0
    } else {
        t.min(usize::try_from(work.max(1)).unwrap_or(usize::MAX))
    })
}

/// A progress bar on standard error that shows itself only once a run has
/// lasted a moment, and never when quiet or when standard error is not a
/// terminal.
struct Bar {
    bar: Option<ProgressBar>,
    start: Instant,
    shown: AtomicBool,
}

impl Bar {
    fn new(total: u64, quiet: bool) -> Bar {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
            if let Ok(style) = ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} replications, eta {eta}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Bar {
            bar,
            start: Instant::now(),
            shown: AtomicBool::new(false),
        }
    }

    /// One replication done.
    fn tick(&self) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if self.start.elapsed() > Duration::from_millis(400)
            && self
                .shown
                .compare_exchange(false, true, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Writes a run's outputs and prints its table (unless quiet or the JSON
/// goes to standard output).
fn emit_summary(
    scenario: &Scenario,
    summary: &Summary,
    out: &Outputs,
    quiet: bool,
) -> Result<(), Fail> {
    #[cfg(not(feature = "plots"))]
    if out.plots.is_some() {
        return fail("--plots: this custody-sim was built without the `plots` feature");
    }
    let json_to_stdout = out.json.as_deref() == Some(Path::new("-"));
    if let Some(path) = &out.json {
        json::write_json(&json::summary_json(summary), path).map_err(closed)?;
        if !json_to_stdout {
            note(quiet, &format!("wrote {}", path.display()));
        }
    }
    if let Some(dir) = &out.csv {
        for p in csv::write_summary_csv(summary, dir)? {
            note(quiet, &format!("wrote {}", p.display()));
        }
    }
    #[cfg(feature = "plots")]
    if let Some(dir) = &out.plots {
        for p in custody_sim::report::plots::write_plots(scenario, summary, dir)? {
            note(quiet, &format!("wrote {}", p.display()));
        }
    }
    if !quiet && !json_to_stdout {
        print(&table::summary_table(scenario, summary))?;
    }
    Ok(())
}

/// A broken pipe on standard output is not an error to report.
fn closed(e: Error) -> Fail {
    match &e {
        Error::Io { path, source }
            if path == Path::new("-") && source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            Fail::Closed
        }
        _ => Fail::Lib(e),
    }
}

fn cmd_run(a: &RunArgs) -> Result<(), Fail> {
    check_replications(a.replications, "--replications")?;
    let threads = threads(a.common.threads, a.replications)?;
    let scenario = load(&a.scenario, &a.common.set)?;
    let plan = Plan::new(&scenario)?;
    let bar = Bar::new(a.replications, a.common.quiet);
    let shard = run_plan(
        &plan,
        a.common.seed,
        0..a.replications,
        threads,
        Some(&|_, _| bar.tick()),
    );
    bar.finish();
    let summary = shard?.summary();
    emit_summary(&scenario, &summary, &a.out, a.common.quiet)
}

fn cmd_check(arg: &str) -> Result<(), Fail> {
    let (parsed, origin) = read_scenario(arg)?;
    let problems = match parsed {
        Ok(s) => match s.validate() {
            Ok(()) => {
                return print(&format!(
                    "ok: {} is valid ({} detainees in {} groups, {} facilities, {} court stages, {} days)\n",
                    s.name,
                    s.total_detainees(),
                    s.groups.len(),
                    s.facilities.len(),
                    s.court.stages.len(),
                    s.horizon_days
                ));
            }
            Err(e) => e,
        },
        Err(Error::Scenario(e)) => e,
        Err(e) => return Err(e.into()),
    };
    let mut text = String::new();
    for p in &problems {
        text.push_str(&p.to_string());
        text.push('\n');
    }
    print(&text)?;
    let n = problems.iter().count();
    fail(format!(
        "{origin}: {n} problem{}",
        if n == 1 { "" } else { "s" }
    ))
}

/// The number of cells of a grid, refusing grids too large to run.
fn grid_cells(vary: &[Vary], replications: u64) -> Result<u64, Fail> {
    let mut cells: u64 = 1;
    for (i, v) in vary.iter().enumerate() {
        if vary[..i].iter().any(|w| w.path == v.path) {
            return fail(format!("--vary {}: the same path varied twice", v.path));
        }
        cells = cells.saturating_mul(v.values.len() as u64);
    }
    if cells > MAX_CELLS {
        return fail(format!(
            "--vary: a grid of {cells} cells is more than the {MAX_CELLS} allowed"
        ));
    }
    if cells.saturating_mul(replications) > MAX_SWEEP_WORK {
        return fail(format!(
            "--vary: {cells} cells × {replications} replications is more than the {MAX_SWEEP_WORK} allowed"
        ));
    }
    Ok(cells)
}

fn emit_sweep(
    r: &SweepResult,
    json_to: Option<&Path>,
    csv_to: Option<&Path>,
    quiet: bool,
) -> Result<(), Fail> {
    let dash = Some(Path::new("-"));
    if json_to == dash && csv_to == dash {
        return fail("--json - and --csv - cannot both go to standard output");
    }
    if let Some(path) = json_to {
        json::write_json(&json::sweep_json(r), path).map_err(closed)?;
        if json_to != dash {
            note(quiet, &format!("wrote {}", path.display()));
        }
    }
    if let Some(path) = csv_to {
        csv::write_sweep_csv(r, path).map_err(closed)?;
        if csv_to != dash {
            note(quiet, &format!("wrote {}", path.display()));
        }
    }
    if !quiet && json_to != dash && csv_to != dash {
        print(&table::sweep_table(r))?;
    }
    Ok(())
}

fn cmd_sweep(a: &SweepArgs) -> Result<(), Fail> {
    check_replications(a.replications, "--replications")?;
    let cells = grid_cells(&a.vary, a.replications)?;
    let threads = threads(a.common.threads, a.replications)?;
    let base = load(&a.scenario, &a.common.set)?;
    let (k, n) = a.shard.map_or((0, 1), |(k, n)| (k - 1, n));
    let work = cells * a.replications;
    let slice = work * (k + 1) / n - work * k / n;
    let runs = Runs {
        replications: a.replications,
        seed: a.common.seed,
        threads,
    };
    let bar = Bar::new(slice, a.common.quiet);
    let shard = sweep_shard(&base, &a.vary, &runs, k, n, Some(&|_, _| bar.tick()));
    bar.finish();
    let shard = shard?;
    if let Some(out) = &a.out {
        shard.write(out)?;
        note(a.common.quiet, &format!("wrote {}", out.display()));
        return Ok(());
    }
    emit_sweep(
        &shard.result(),
        a.json.as_deref(),
        a.csv.as_deref(),
        a.common.quiet,
    )
}

fn cmd_shard(a: &ShardArgs) -> Result<(), Fail> {
    if a.to <= a.from {
        return fail(format!(
            "--from {} --to {}: --to must be greater than --from",
            a.from, a.to
        ));
    }
    check_replications(a.to - a.from, "--to minus --from")?;
    let threads = threads(a.common.threads, a.to - a.from)?;
    let scenario = load(&a.scenario, &a.common.set)?;
    let plan = Plan::new(&scenario)?;
    let bar = Bar::new(a.to - a.from, a.common.quiet);
    let shard = run_plan(
        &plan,
        a.common.seed,
        a.from..a.to,
        threads,
        Some(&|_, _| bar.tick()),
    );
    bar.finish();
    shard?.write(&a.out)?;
    note(
        a.common.quiet,
        &format!(
            "wrote {} (replications {}..{})",
            a.out.display(),
            a.from,
            a.to
        ),
    );
    Ok(())
}

/// What a shard file holds.
enum AnyShard {
    Run(Box<Shard>),
    Sweep(Box<SweepShard>),
}

fn read_any(path: &Path) -> Result<AnyShard, Fail> {
    let text = Error::read_text(path)?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Fail::Msg(format!(
            "{}: not a custody-sim shard file: {e}",
            path.display()
        ))
    })?;
    drop(text);
    if value.get("format").is_some() && value.get("ranges").is_some() {
        Ok(AnyShard::Run(Box::new(Shard::read(path)?)))
    } else if value.get("paths").is_some() && value.get("cells").is_some() {
        Ok(AnyShard::Sweep(Box::new(SweepShard::read(path)?)))
    } else {
        fail(format!(
            "{}: not a custody-sim shard file (written by `shard` or `sweep --shard`)",
            path.display()
        ))
    }
}

/// Describes what ranges a merged shard covers, for an error message.
fn describe(ranges: &[std::ops::Range<u64>]) -> String {
    if ranges.is_empty() {
        return "none".into();
    }
    ranges
        .iter()
        .map(|r| format!("{}..{}", r.start, r.end))
        .collect::<Vec<_>>()
        .join(", ")
}

fn with_file(path: &Path, e: Fail) -> Fail {
    match e {
        Fail::Lib(Error::Scenario(errs)) => Fail::Msg(format!("{}: {errs}", path.display())),
        other => other,
    }
}

fn cmd_merge(a: &MergeArgs) -> Result<(), Fail> {
    let mut run: Option<Shard> = None;
    let mut sweep: Option<SweepShard> = None;
    for path in &a.files {
        match read_any(path)? {
            AnyShard::Run(s) => {
                if sweep.is_some() {
                    return fail(format!(
                        "{}: a run shard among sweep shards",
                        path.display()
                    ));
                }
                match &mut run {
                    None => run = Some(*s),
                    Some(acc) => acc.merge(*s).map_err(|e| with_file(path, e.into()))?,
                }
            }
            AnyShard::Sweep(s) => {
                if run.is_some() {
                    return fail(format!(
                        "{}: a sweep shard among run shards",
                        path.display()
                    ));
                }
                match &mut sweep {
                    None => sweep = Some(*s),
                    Some(acc) => acc.merge(*s).map_err(|e| with_file(path, e.into()))?,
                }
            }
        }
    }
    if let Some(shard) = run {
        let ranges = shard.ranges();
        let n = shard.replications();
        if !(ranges.len() == 1 && ranges[0].start == 0) {
            return fail(format!(
                "the shards do not cover replications 0..n contiguously: they cover {}",
                describe(&ranges)
            ));
        }
        if let Some(want) = a.replications
            && want != n
        {
            return fail(format!(
                "--replications {want}: the shards cover replications 0..{n}, not 0..{want} (a shard is missing?)"
            ));
        }
        let summary = shard.summary();
        let out = Outputs {
            json: a.json.clone(),
            csv: a.csv.clone(),
            plots: a.plots.clone(),
        };
        if !a.quiet {
            let files = a.files.len();
            let s = if files == 1 { "" } else { "s" };
            note(
                false,
                &format!("merged {files} shard file{s}: replications 0..{n}"),
            );
        }
        return emit_summary(shard.scenario(), &summary, &out, a.quiet);
    }
    let Some(sweep) = sweep else {
        return fail("no shard files");
    };
    if a.plots.is_some() {
        return fail("--plots: charts are drawn for runs, not sweeps");
    }
    if a.replications.is_some() {
        return fail("--replications applies to run shards; sweep shards carry their own count");
    }
    if !sweep.is_complete() {
        return fail(
            "the sweep shards do not cover every cell's replications: some slices K/N are missing",
        );
    }
    emit_sweep(
        &sweep.result(),
        a.json.as_deref(),
        a.csv.as_deref(),
        a.quiet,
    )
}

/// The first sentence of a bundled scenario file's opening comment.
fn description(name: &str) -> String {
    let Some(text) = presets::toml_text(name) else {
        return String::new();
    };
    let comment: Vec<&str> = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    let joined = comment.join(" ");
    let first = joined
        .split(". ")
        .next()
        .unwrap_or("")
        .trim_end_matches('.');
    // "The `baseline` scenario of custody-sim: the transfer ..." -> "the transfer ..."
    match first.split_once(": ") {
        Some((head, rest)) if head.contains(name) => rest.to_string(),
        _ => first.to_string(),
    }
}

fn cmd_presets(action: Option<&PresetsAction>) -> Result<(), Fail> {
    match action {
        None | Some(PresetsAction::List) => {
            let mut text = String::new();
            let width = presets::NAMES.iter().map(|n| n.len()).max().unwrap_or(0);
            for name in presets::NAMES {
                let size = presets::by_name(name)
                    .map(|s| format!("{} detainees, {} days", s.total_detainees(), s.horizon_days))
                    .unwrap_or_default();
                text.push_str(&format!("{name:width$}  {} ({size})\n", description(name)));
            }
            print(&text)
        }
        Some(PresetsAction::Show { name }) => match presets::toml_text(name) {
            Some(text) => print(text),
            None => fail(format!(
                "{name}: no bundled scenario of that name (bundled: {})",
                bundled_list()
            )),
        },
    }
}

fn report(e: &Fail) {
    let mut err = std::io::stderr().lock();
    match e {
        Fail::Lib(Error::Scenario(problems)) => {
            for p in problems {
                let _ = writeln!(err, "error: {p}");
            }
        }
        Fail::Lib(e) => {
            let _ = writeln!(err, "error: {e}");
        }
        Fail::Msg(m) => {
            for line in m.lines() {
                let _ = writeln!(err, "error: {line}");
            }
        }
        Fail::Closed => {}
    }
}

fn main() -> ExitCode {
    // A bug is still a bug, but a user sees one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let _ = writeln!(
            std::io::stderr(),
            "error: internal error (a bug in custody-sim, please report it): {info}"
        );
    }));
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run(a) => cmd_run(a),
        Command::Check { scenario } => cmd_check(scenario),
        Command::Sweep(a) => cmd_sweep(a),
        Command::Shard(a) => cmd_shard(a),
        Command::Merge(a) => cmd_merge(a),
        Command::Presets { action } => cmd_presets(action.as_ref()),
    };
    match result {
        Ok(()) | Err(Fail::Closed) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            let code = match &e {
                Fail::Lib(e) => e.exit_code(),
                _ => custody_sim::error::exit::INPUT,
            };
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
    }
}
