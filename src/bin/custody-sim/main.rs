//! The `custody-sim` command line: run a scenario's replications, check a
//! scenario file, sweep a grid of parameters, split a run into shards and
//! merge them, list the bundled scenarios.
//!
//! ```text
//! custody-sim run SCENARIO[:VARIANT] [--variant NAME] [--replications N] [--seed S] [--threads T]
//!                          [--set PATH=VALUE]... [--json FILE|-] [--csv DIR|-] [--plots DIR]
//!                          [--report FILE.html] [--quiet]
//! custody-sim check SCENARIO
//! custody-sim sweep SCENARIO --vary PATH=V1,V2,... [--vary ...] [--replications N] [--seed S]
//!                            [--json FILE|-] [--csv FILE|-] [--plots DIR] [--report FILE.html]
//!                            [--shard K/N --out FILE]
//! custody-sim shard SCENARIO --from A --to B [--variant NAME] [--seed S] [--set ...] --out FILE
//! custody-sim merge FILE... [--replications N] [--json FILE|-] [--csv DIR|FILE|-] [--plots DIR]
//! custody-sim backtest SCENARIO --observed FILE [-n N] [--json FILE|-] [--csv FILE|-]
//!                      [--plots DIR] [--report FILE.html]
//! custody-sim calibrate SCENARIO --observed FILE --prior PATH=DIST... --out FILE
//!                       [--particles N] [--max-simulations N] [--scenario-out FILE.toml] [-n N]
//!                       [--json FILE|-] [--plots DIR] [--report FILE.html]
//! custody-sim sensitivity SCENARIO --metric NAME... [--param PATH=DIST...] [--samples N]
//!                         [--json FILE|-] [--csv FILE|-] [--plots DIR] [--report FILE.html]
//! custody-sim solve SCENARIO --vary PATH=LOW..HIGH --target 'METRIC STAT <= VALUE' [--largest]
//! custody-sim compare A B [C ...] | compare A --variant LABEL:PATH=VALUE,... [--json FILE|-]
//!                     [--csv FILE|-] [--plots DIR] [--report FILE.html]
//! custody-sim presets [show NAME]
//! ```
//!
//! SCENARIO is a path to a TOML file or the name of a bundled scenario
//! (`custody-sim presets`), optionally followed by `:VARIANT`, one of its
//! `[variant.NAME]` tables (every command of one scenario also takes
//! `--variant NAME`, the same). Problems go to standard error, one per line,
//! each starting `error: `. Exit codes ([`custody_sim::error::exit`]): 0
//! success; 1 a bad scenario, path, value or file, or an output that
//! cannot be written (the message names what and where); 2 a usage error
//! (the command line itself: a bad flag or number, `-` where a file is
//! needed, an output over an input); 3 the system refused (threads) or a
//! chart could not be drawn.
//!
//! Every output path is checked before any work starts, and every file is
//! written atomically (a temporary file in the same folder, synced, then
//! renamed over the file a symbolic link leads to); an existing FIFO or
//! character device (`/dev/stdout`) is written straight into, never
//! replaced. Every input (scenario, its posterior, observations, shards)
//! must be a regular file within a size limit, checked before it is read;
//! no output may overwrite one. See docs/cli.md, "Files: inputs, outputs
//! and limits", and [`custody_sim::files`].
//!
//! The code: [`args`] (what each command accepts), [`output`] (where
//! results go), and one module per command under [`commands`].

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use custody_sim::Error;
use custody_sim::error::exit;

mod args;
mod commands;
mod output;

use args::{Cli, Command};

/// A failure of a command: what went wrong, one problem per line.
#[derive(Debug)]
pub(crate) enum Fail {
    /// An error of the library.
    Lib(Error),
    /// Bad input, as a message (exit 1).
    Msg(String),
    /// The command line itself is wrong (exit 2).
    Usage(String),
    /// Problems already printed, and a closing line (exit 1).
    Problems(String),
    /// Standard output went away (a closed pipe): stop quietly.
    Closed,
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Lib(e)
    }
}

/// Bad input, as a message (exit 1).
pub(crate) fn fail<T>(message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail::Msg(message.into()))
}

/// A usage error (exit 2).
pub(crate) fn usage<T>(message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail::Usage(message.into()))
}

impl Fail {
    fn exit_code(&self) -> i32 {
        match self {
            Fail::Lib(e) => e.exit_code(),
            Fail::Msg(_) | Fail::Problems(_) => exit::INPUT,
            Fail::Usage(_) => exit::USAGE,
            Fail::Closed => exit::OK,
        }
    }
}

/// Writes the problems of `e` to standard error, one per line, each
/// prefixed `error: `.
fn report(e: &Fail) {
    let mut err = std::io::stderr().lock();
    let mut line = |text: &str| {
        let _ = writeln!(err, "error: {text}");
    };
    match e {
        Fail::Lib(Error::Scenario(problems)) => {
            for p in problems {
                line(&p.to_string());
            }
        }
        Fail::Lib(e) => {
            // A message of several lines is several problems.
            for l in e.to_string().lines() {
                line(l);
            }
        }
        Fail::Msg(m) | Fail::Problems(m) => {
            for l in m.lines() {
                line(l);
            }
        }
        Fail::Usage(m) => {
            for l in m.lines() {
                line(l);
            }
            let _ = writeln!(err, "\nFor more information, try '--help'.");
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
        Command::Run(a) => commands::run::run(a),
        Command::Check { scenario } => commands::check::check(scenario),
        Command::Sweep(a) => commands::sweep::sweep(a),
        Command::Shard(a) => commands::shard::shard(a),
        Command::Merge(a) => commands::merge::merge(a),
        Command::Backtest(a) => commands::backtest::backtest(a),
        Command::Calibrate(a) => commands::calibrate::calibrate(a),
        Command::Sensitivity(a) => commands::sensitivity::sensitivity(a),
        Command::Solve(a) => commands::solve::solve(a),
        Command::Compare(a) => commands::compare::compare(a),
        Command::Presets { action } => commands::presets::presets(action.as_ref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}
