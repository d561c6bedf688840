//! Where results go: standard output, files and folders, each checked
//! before any work starts (writable, not an input of the same command,
//! never a device replaced), and notes and progress on standard error.
//!
//! A file output that exists and is a FIFO or a character device
//! (`/dev/null`, `/dev/stdout`) is written straight into; a symbolic link
//! to a regular file is kept and the file it points at replaced
//! atomically; a block device, a socket or a folder is refused (exit 2).
//! See [`custody_sim::files`].

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use custody_sim::Error;
use custody_sim::files::{self, Target};

use crate::Fail;

/// `-`: standard output.
pub(crate) fn is_dash(p: &Path) -> bool {
    p == Path::new("-")
}

/// Prints to standard output; a closed pipe ends the command quietly.
pub(crate) fn print(text: &str) -> Result<(), Fail> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Fail::Closed),
        Err(e) => Err(Fail::Msg(format!("cannot write to standard output: {e}"))),
    }
}

/// A note on standard error (files written), unless quiet.
pub(crate) fn note(quiet: bool, text: &str) {
    if !quiet {
        let _ = writeln!(std::io::stderr(), "{text}");
    }
}

/// A broken pipe on standard output is not an error to report.
pub(crate) fn closed(e: Error) -> Fail {
    match &e {
        Error::Io { path, source }
            if is_dash(path) && source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            Fail::Closed
        }
        _ => Fail::Lib(e),
    }
}

/// What an output flag names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A file, or `-` for standard output.
    FileOrDash,
    /// A file only (a shard).
    File,
    /// A folder that receives files of the given names (`None`: any
    /// `.svg` and `.png`, the charts).
    Dir(Option<&'static [&'static str]>),
}

/// One output of a command: its flag, its path and what it names.
#[derive(Debug, Clone)]
pub(crate) struct Output<'a> {
    pub(crate) flag: &'static str,
    pub(crate) path: &'a Path,
    pub(crate) kind: Kind,
}

/// The absolute, symlink-free form of `p`, where its folder exists: the
/// file itself if it exists, else its canonical folder joined with its
/// name.
fn canonical(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = p.canonicalize() {
        return Some(c);
    }
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(p.file_name()?))
}

/// Whether a file can be created in the folder `dir` (tried, and removed).
fn writable_dir(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(format!(".custody-sim-probe-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)?;
    std::fs::remove_file(&probe)
}

/// The nearest folder at or above `p` that exists.
fn existing_ancestor(p: &Path) -> PathBuf {
    let mut cur = p.to_path_buf();
    loop {
        if cur.as_os_str().is_empty() {
            return PathBuf::from(".");
        }
        if cur.exists() {
            return cur;
        }
        match cur.parent() {
            Some(parent) => cur = parent.to_path_buf(),
            None => return PathBuf::from("."),
        }
    }
}

/// Checks every output of a command before it computes anything:
/// `-` only where it means standard output, at most one output to
/// standard output, no output over an input (`inputs`: every file the
/// command reads, see [`crate::commands::scenario_inputs`]), no control
/// character in a path, no block device or socket, and each file or
/// folder writable (for a file: the folder its links lead to; a FIFO or
/// character device is written into as it is). A wrong command line is a
/// usage error (exit 2); a place that cannot be written is exit 1.
///
/// # Errors
///
/// [`Fail::Usage`] or [`Fail::Lib`] naming the flag and path.
pub(crate) fn check<P: AsRef<Path>>(outputs: &[Output<'_>], inputs: &[P]) -> Result<(), Fail> {
    let inputs: Vec<PathBuf> = inputs
        .iter()
        .filter_map(|p| p.as_ref().canonicalize().ok())
        .collect();
    let mut to_stdout: Vec<&str> = Vec::new();
    for o in outputs {
        let shown = o.path.display();
        if is_dash(o.path) {
            match o.kind {
                Kind::FileOrDash => {
                    to_stdout.push(o.flag);
                    continue;
                }
                Kind::File => {
                    return Err(Fail::Usage(format!(
                        "{} -: this output must be a file; `-` (standard output) is not accepted here",
                        o.flag
                    )));
                }
                Kind::Dir(_) => {
                    return Err(Fail::Usage(format!(
                        "{} -: this output is a folder of files; `-` (standard output) is not accepted here",
                        o.flag
                    )));
                }
            }
        }
        if o.path.as_os_str().is_empty() {
            return Err(Fail::Usage(format!("{}: an empty path", o.flag)));
        }
        if o.path.to_string_lossy().chars().any(char::is_control) {
            return Err(Fail::Usage(format!(
                "{} {:?}: a path with a control character (a newline, a tab) is refused",
                o.flag,
                o.path.to_string_lossy()
            )));
        }
        match o.kind {
            Kind::File | Kind::FileOrDash => {
                if o.path.is_dir() {
                    return Err(Fail::Lib(Error::io(
                        o.path,
                        std::io::Error::other("is a folder, not a file"),
                    )));
                }
                if let Some(c) = canonical(o.path)
                    && inputs.contains(&c)
                {
                    return Err(Fail::Usage(format!(
                        "{} {shown}: that is an input of this command; refusing to write over it",
                        o.flag
                    )));
                }
                // A FIFO or character device is written straight into; a
                // block device or socket is refused; a regular file is
                // replaced where its links lead.
                let target = match files::output_target(o.path) {
                    Ok(Target::Direct) => continue,
                    Ok(Target::Replace(t)) => t,
                    Err(e) => return Err(Fail::Usage(format!("{}: {e}", o.flag))),
                };
                let dir = match target.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                if !dir.is_dir() {
                    return Err(Fail::Lib(Error::io(
                        o.path,
                        std::io::Error::new(
                            std::io::ErrorKind::NotFound,
                            format!("its folder {} does not exist", dir.display()),
                        ),
                    )));
                }
                writable_dir(dir).map_err(|e| {
                    Fail::Lib(Error::io(
                        o.path,
                        std::io::Error::new(e.kind(), format!("cannot write in its folder: {e}")),
                    ))
                })?;
            }
            Kind::Dir(names) => {
                if o.path.exists() && !o.path.is_dir() {
                    return Err(Fail::Lib(Error::io(
                        o.path,
                        std::io::Error::other("is a file, not a folder"),
                    )));
                }
                if let Some(dir) = canonical(o.path) {
                    for input in &inputs {
                        let written = input.parent() == Some(dir.as_path())
                            && input.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                                match names {
                                    Some(names) => names.contains(&n),
                                    None => n.ends_with(".svg") || n.ends_with(".png"),
                                }
                            });
                        if written {
                            return Err(Fail::Usage(format!(
                                "{} {shown}: it would write over {}, an input of this command",
                                o.flag,
                                input.display()
                            )));
                        }
                    }
                }
                let at = existing_ancestor(o.path);
                if !at.is_dir() {
                    return Err(Fail::Lib(Error::io(
                        o.path,
                        std::io::Error::other(format!("{} is not a folder", at.display())),
                    )));
                }
                writable_dir(&at).map_err(|e| {
                    Fail::Lib(Error::io(
                        o.path,
                        std::io::Error::new(
                            e.kind(),
                            format!("cannot write in {}: {e}", at.display()),
                        ),
                    ))
                })?;
            }
        }
    }
    if to_stdout.len() > 1 {
        return Err(Fail::Usage(format!(
            "{}: only one output can go to standard output (`-`)",
            to_stdout.join(" - and ")
        )));
    }
    // Two outputs to the same file would overwrite each other.
    let files: Vec<PathBuf> = outputs
        .iter()
        .filter(|o| !is_dash(o.path) && o.kind != Kind::Dir(None))
        .filter_map(|o| canonical(o.path))
        .collect();
    for (i, f) in files.iter().enumerate() {
        if files[..i].contains(f) {
            return Err(Fail::Usage(format!(
                "{}: named by two outputs of this command",
                f.display()
            )));
        }
    }
    Ok(())
}

/// A progress bar on standard error that shows itself only once a run has
/// lasted a moment, and never when quiet or when standard error is not a
/// terminal.
pub(crate) struct Bar {
    bar: Option<ProgressBar>,
    start: Instant,
    shown: AtomicBool,
}

impl Bar {
    pub(crate) fn new(total: u64, quiet: bool) -> Bar {
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
    pub(crate) fn tick(&self) {
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

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A chart for the HTML report (`--report`); without the `plots` feature
/// there are none, and the report says so.
#[cfg(feature = "plots")]
pub(crate) use custody_sim::report::plots::Figure;
/// A chart for the HTML report: none without the `plots` feature.
#[cfg(not(feature = "plots"))]
pub(crate) type Figure = std::convert::Infallible;

/// The `--report` output to check before any work: a file, never `-`.
pub(crate) fn report_output(r: &crate::args::ReportOut) -> Option<Output<'_>> {
    r.report.as_deref().map(|path| Output {
        flag: "--report",
        path,
        kind: Kind::File,
    })
}

/// `word` as a POSIX shell reads it back: unchanged when it holds only
/// characters no shell treats specially, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+%@^".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The command line as typed, quoted for a POSIX shell; the program is
/// named by its file name (`custody-sim`), not the folder it was run from.
pub(crate) fn command_line() -> String {
    let mut args = std::env::args_os();
    let program = args
        .next()
        .and_then(|p| {
            Path::new(&p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "custody-sim".into());
    std::iter::once(program)
        .chain(args.map(|a| a.to_string_lossy().into_owned()))
        .map(|w| shell_word(&w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes the HTML report to `path` atomically, with its charts and
/// provenance, noting the file.
pub(crate) fn write_report(
    path: &Path,
    report: custody_sim::report::html::Report,
    figures: Vec<Figure>,
    provenance: custody_sim::report::html::Provenance,
    quiet: bool,
) -> Result<(), Fail> {
    #[cfg(feature = "plots")]
    let report = report.figures(figures);
    #[cfg(not(feature = "plots"))]
    let _ = figures;
    report.provenance(provenance).write(path)?;
    note(quiet, &format!("wrote {}", path.display()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_words_are_quoted_only_where_a_shell_needs_it() {
        assert_eq!(
            shell_word("court.stage[trial].servers=30"),
            "'court.stage[trial].servers=30'"
        );
        assert_eq!(shell_word("--seed=1"), "--seed=1");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
