//! Files read and written: what an input may be, how big, and how an
//! output is written.
//!
//! # Inputs
//!
//! Every file the library reads (a scenario, the `[uncertainty] posterior`
//! it names, an observations file, a shard) must be a regular file (a
//! symbolic link to one is followed) no larger than its limit; both are
//! checked before a byte is read, so a FIFO cannot hang a command and
//! `/dev/zero` or a huge file cannot exhaust its memory. The limits:
//!
//! | file | limit |
//! | --- | --- |
//! | scenario (TOML) | [`MAX_SCENARIO_BYTES`], 64 MiB |
//! | observations (CSV) | [`MAX_OBSERVATIONS_BYTES`], 64 MiB |
//! | posterior draws (CSV) | [`MAX_POSTERIOR_BYTES`], 512 MiB |
//! | shard (JSON, read streamed) | [`MAX_SHARD_BYTES`], 8 GiB |
//!
//! # Outputs
//!
//! [`write_atomic`] writes a file so that a failure leaves either the old
//! file or none, never half a file: the data go to a temporary file in
//! the target's folder ([`tempfile::NamedTempFile`]), which is synced to
//! disk and then renamed over the target. Where the target is a symbolic
//! link, the file it points at is replaced and the link is kept. A target
//! that exists and is not a regular file is never replaced: a FIFO or a
//! character device (`/dev/null`, a terminal, `/dev/stdout`) is written
//! straight into; a folder, a block device or a socket is refused
//! ([`output_target`]).

use std::fs::Metadata;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The largest scenario file read: 64 MiB.
pub const MAX_SCENARIO_BYTES: u64 = 64 << 20;
/// The largest observations file read: 64 MiB.
pub const MAX_OBSERVATIONS_BYTES: u64 = 64 << 20;
/// The largest posterior draws file read: 512 MiB.
pub const MAX_POSTERIOR_BYTES: u64 = 512 << 20;
/// The largest shard file read (streamed, never held as text): 8 GiB.
pub const MAX_SHARD_BYTES: u64 = 8 << 30;

/// `64 MiB`, `3.0 GiB`, `12 bytes`.
fn size_text(b: u64) -> String {
    if b >= 1 << 30 {
        format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64)
    } else if b >= 1 << 20 {
        format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64)
    } else {
        format!("{b} bytes")
    }
    .replace(".0 ", " ")
}

/// What kind of file `m` describes, for messages: `a FIFO`, `a folder`.
fn kind_text(m: &Metadata) -> &'static str {
    let t = m.file_type();
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

/// `a shard`, `an observations file`.
fn a(what: &str) -> String {
    let an = what.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {what}", if an { "an" } else { "a" })
}

fn refused(path: &Path, message: String) -> Error {
    Error::io(
        path,
        std::io::Error::new(std::io::ErrorKind::InvalidInput, message),
    )
}

/// Checks that the input `path` (a `what`: `scenario file`, `shard`) is
/// a regular file of at most `limit` bytes, without opening it. Returns
/// its size.
///
/// # Errors
///
/// [`Error::Io`] naming `path`: it cannot be found, it is not a regular
/// file (a FIFO, a device, a folder: saying which), or it is larger than
/// `limit` (saying both sizes).
pub fn check_input(path: &Path, what: &str, limit: u64) -> Result<u64, Error> {
    let m = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !m.is_file() {
        return Err(refused(
            path,
            format!("is {}; {} must be a regular file", kind_text(&m), a(what)),
        ));
    }
    if m.len() > limit {
        return Err(refused(
            path,
            format!(
                "is {}, above the limit of {} for {}",
                size_text(m.len()),
                size_text(limit),
                a(what)
            ),
        ));
    }
    Ok(m.len())
}

/// Opens the input `path` for reading after [`check_input`]; the reader
/// stops at `limit` bytes even if the file grows meanwhile.
///
/// # Errors
///
/// As [`check_input`], or [`Error::Io`] if it cannot be opened.
pub fn open_input(
    path: &Path,
    what: &str,
    limit: u64,
) -> Result<std::io::Take<std::fs::File>, Error> {
    check_input(path, what, limit)?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    Ok(file.take(limit))
}

/// Reads the whole input `path` as UTF-8 text after [`check_input`].
///
/// # Errors
///
/// As [`check_input`]; [`Error::Io`] if it cannot be read, is not UTF-8,
/// or grew beyond `limit` while being read.
pub fn read_text(path: &Path, what: &str, limit: u64) -> Result<String, Error> {
    let size = check_input(path, what, limit)?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut text = String::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_string(&mut text)
        .map_err(|e| Error::io(path, e))?;
    if text.len() as u64 > limit {
        return Err(refused(
            path,
            format!(
                "grew above the limit of {} for {} while being read",
                size_text(limit),
                a(what)
            ),
        ));
    }
    Ok(text)
}

impl Error {
    /// Reads a whole text file, naming it if it cannot be read: a regular
    /// file of at most [`MAX_SCENARIO_BYTES`], checked before reading
    /// ([`read_text`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] with the path.
    pub fn read_text(path: &Path) -> Result<String, Error> {
        read_text(path, "text file", MAX_SCENARIO_BYTES)
    }
}

/// Where an output goes, as [`output_target`] decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A regular file, existing or not, to replace atomically: the path
    /// with every symbolic link of its own resolved (the link is kept,
    /// the file it points at replaced).
    Replace(PathBuf),
    /// An existing FIFO or character device, written straight into
    /// (never replaced).
    Direct,
}

/// The most symbolic links followed from one output path.
const MAX_LINKS: usize = 40;

/// The file a symbolic link chain starting at `path` ends at (which may
/// not exist yet), and whether a link of the chain lies in `/proc` (such
/// a link names an open file, not a path).
fn follow_links(path: &Path) -> Result<(PathBuf, bool), Error> {
    let mut cur = path.to_path_buf();
    let mut magic = false;
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                magic |= cur.starts_with("/proc");
                let to = std::fs::read_link(&cur).map_err(|e| Error::io(path, e))?;
                cur = match cur.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok((cur, magic)),
        }
    }
    Err(refused(
        path,
        format!("more than {MAX_LINKS} symbolic links to follow"),
    ))
}

/// Decides how the output `path` is written: a regular file, or a new
/// one, is replaced atomically at the end of its symbolic links
/// ([`Target::Replace`]); an existing FIFO or character device is
/// written straight into ([`Target::Direct`]).
///
/// # Errors
///
/// [`Error::Io`] naming `path` if it is a folder, a block device or a
/// socket (never written to), or if its links cannot be followed.
pub fn output_target(path: &Path) -> Result<Target, Error> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {
            let (end, magic) = follow_links(path)?;
            Ok(if magic {
                // `/dev/stdout` redirected to a file: the file the
                // process holds open, written in place.
                Target::Direct
            } else {
                Target::Replace(end)
            })
        }
        Ok(m) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::FileTypeExt;
                let t = m.file_type();
                if t.is_fifo() || t.is_char_device() {
                    return Ok(Target::Direct);
                }
            }
            Err(refused(
                path,
                format!("is {}; refusing to write over it", kind_text(&m)),
            ))
        }
        // Not there (or a link to nothing): a new file where the links
        // lead.
        Err(_) => Ok(Target::Replace(follow_links(path)?.0)),
    }
}

/// Writes the file `path`: `write` gets a path and writes the whole file
/// there. For a regular or new file, that is a temporary file in the same
/// folder as the file `path` leads to; on success it is synced to disk
/// and renamed over that file (a symbolic link at `path` is kept), on
/// failure removed. An existing FIFO or character device gets `path`
/// itself. See [`output_target`] and the [module documentation](self).
///
/// A replaced file keeps its permissions; a new one gets the permissions
/// [`std::fs::File::create`] gives.
///
/// # Errors
///
/// As [`output_target`]; what `write` returns (an error naming the
/// temporary file is renamed to name `path`); [`Error::Io`] naming `path`
/// if the temporary file cannot be created, synced or renamed.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    let target = match output_target(path)? {
        Target::Direct => return write(path),
        Target::Replace(t) => t,
    };
    let io = |e: std::io::Error| Error::io(path, e);
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    // The extension is kept: the PNG encoder chooses its format by it.
    let ext = target
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let kept = std::fs::metadata(&target)
        .ok()
        .filter(Metadata::is_file)
        .map(|m| m.permissions());
    let (prefix, suffix) = (format!(".{name}."), format!(".tmp{ext}"));
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(&suffix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Masked by the umask, as `File::create` is.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(&dir).map_err(io)?;
    let temp_path = temp.path().to_path_buf();
    write(&temp_path).map_err(|e| match e {
        // Name the file the user asked for, not the temporary one.
        Error::Io { path: p, source } if p == temp_path => Error::io(path, source),
        other => other,
    })?;
    temp.as_file().sync_all().map_err(io)?;
    if let Some(perms) = kept {
        std::fs::set_permissions(&temp_path, perms).map_err(io)?;
    }
    temp.persist(&target).map_err(|e| io(e.error))?;
    // The rename itself reaches the disk with its folder.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Writes `bytes` to `path` with [`write_atomic`].
///
/// # Errors
///
/// As [`write_atomic`].
pub fn write_bytes_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomic(path, |tmp| {
        std::fs::write(tmp, bytes).map_err(|source| Error::io(tmp, source))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("custody-sim-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn inputs_must_be_regular_files_within_their_limit() {
        let d = dir("in");
        let f = d.join("a.toml");
        std::fs::write(&f, "x = 1\n").unwrap();
        assert_eq!(read_text(&f, "scenario file", 64).unwrap(), "x = 1\n");
        let e = read_text(&f, "scenario file", 3).unwrap_err().to_string();
        assert!(
            e.contains("6 bytes, above the limit of 3 bytes for a scenario file"),
            "{e}"
        );
        let e = read_text(&d, "scenario file", 64).unwrap_err().to_string();
        assert!(
            e.contains("is a folder; a scenario file must be a regular file"),
            "{e}"
        );
        assert_eq!(size_text(64 << 20), "64 MiB");
        assert_eq!(size_text(3 << 30), "3 GiB");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary_one() {
        let d = dir("atomic");
        let path = d.join("out.json");
        std::fs::write(&path, "old").unwrap();
        let e = write_atomic(&path, |tmp| {
            std::fs::write(tmp, "half").unwrap();
            Err(Error::io(tmp, std::io::Error::other("disk full")))
        })
        .unwrap_err();
        assert!(
            e.to_string().starts_with(&path.display().to_string()),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
        write_bytes_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn links_are_kept_and_their_files_replaced() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir("links");
        let file = d.join("real.json");
        std::fs::write(&file, "old").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = d.join("link.json");
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        write_bytes_atomic(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640, "the replaced file keeps its mode");
        // A link to a file not there yet creates that file.
        let dangling = d.join("dangling.json");
        std::os::unix::fs::symlink("later.json", &dangling).unwrap();
        write_bytes_atomic(&dangling, b"x").unwrap();
        assert!(
            std::fs::symlink_metadata(&dangling)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(d.join("later.json")).unwrap(), "x");
        assert!(output_target(&d).is_err(), "a folder is refused");
        assert_eq!(
            output_target(Path::new("/dev/null")).unwrap(),
            Target::Direct
        );
        std::fs::remove_dir_all(&d).unwrap();
    }
}
