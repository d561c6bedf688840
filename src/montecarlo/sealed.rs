//! The sealed file format of shard files and sweep slices: a JSON object
//! whose first field, `sha256`, is the SHA-256 of the compact JSON of the
//! rest; written and read streamed, and a run shard's header (its
//! replication ranges and metric count) read without its data.
//!
//! It knows nothing of what a file holds beyond the names of the header's
//! fields: each kind of file ([`SealedFile`]) checks its own contents, and
//! [`read_sealed`] reads any of them, refusing a bad one with one family
//! of messages.

use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Error;

/// Bytes as lower-case hex.
pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds serialised bytes to a hash without keeping them.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// SHA-256 (hex) of `x`'s compact JSON, streamed into the hash.
pub(crate) fn payload_sha256<T: Serialize>(x: &T) -> String {
    let mut w = HashWriter(Sha256::new());
    serde_json::to_writer(&mut w, x)
        .unwrap_or_else(|e| panic!("bug: shard data could not be serialised: {e}"));
    hex(&w.0.finalize())
}

/// A file's data with its checksum first.
#[derive(Serialize)]
struct Sealed<'a, T: Serialize> {
    sha256: &'a str,
    #[serde(flatten)]
    body: &'a T,
}

/// Writes `x` with its checksum to `path` as JSON, streamed, atomically
/// ([`crate::files::write_atomic`]); a serialisation failure names
/// [`SealedFile::KIND`].
pub(crate) fn write_sealed<T: SealedFile>(x: &T, path: &Path) -> Result<(), Error> {
    crate::files::write_atomic(path, |tmp| write_sealed_to(x, tmp))
}

/// Writes `x` with its checksum to the file `path` as JSON, streamed.
fn write_sealed_to<T: SealedFile>(x: &T, path: &Path) -> Result<(), Error> {
    use std::io::Write;
    let sha256 = payload_sha256(x);
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut out = std::io::BufWriter::new(file);
    serde_json::to_writer(
        &mut out,
        &Sealed {
            sha256: &sha256,
            body: x,
        },
    )
    .map_err(|e| {
        if e.is_io() {
            Error::io(path, std::io::Error::other(e))
        } else {
            Error::serialize(T::KIND, e)
        }
    })?;
    out.flush().map_err(|e| Error::io(path, e))
}

/// Reads JSON of type `T` from `path`, streamed (no copy of the text or
/// of a JSON tree is kept).
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
) -> Result<T, Error> {
    let file =
        crate::files::open_input(path, &format!("{what} file"), crate::files::MAX_SHARD_BYTES)?;
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    serde_json::from_reader(reader).map_err(|e| {
        if e.is_io() {
            Error::io(path, std::io::Error::other(e))
        } else {
            Error::Format {
                path: path.to_path_buf(),
                line: Some(e.line() as u64),
                message: format!("not a custody-sim {what} file: {e}"),
            }
        }
    })
}

/// What a sealed file holds: a value that names its kind, gives up the
/// checksum it was read with, and checks its own contents.
///
/// [`read_sealed`] reads any of them and refuses a bad file with one
/// family of messages, each naming the file and what is wrong.
pub(crate) trait SealedFile: Serialize + serde::de::DeserializeOwned {
    /// What the file holds, as messages name it: `sweep shard`,
    /// `calibration state`.
    const KIND: &'static str;

    /// The checksum field (`sha256`): read from the file, empty in memory.
    fn sha256_mut(&mut self) -> &mut String;

    /// Whether this custody-sim reads a file of this format and version,
    /// or why not (checked after the checksum).
    fn check_version(&self) -> Result<(), String> {
        Ok(())
    }

    /// Whether the contents are consistent, or why not (checked after
    /// the checksum and the version).
    fn check_integrity(&self) -> Result<(), String> {
        Ok(())
    }

    /// The error for the file `path` that did not read as this kind, if
    /// a closer look finds one more telling than the parser's (a file of
    /// this kind in a format whose layout differs, say); `None` keeps the
    /// parser's.
    fn unreadable(path: &Path) -> Option<Error> {
        let _ = path;
        None
    }
}

/// Reads a file written by [`write_sealed`], streamed, takes its checksum
/// out and checks it, its format and version, and its consistency.
///
/// # Errors
///
/// As [`read_json`] (or [`SealedFile::unreadable`]'s error, where it has
/// one); [`Error::Format`] naming the file and what is wrong:
/// `a damaged custody-sim KIND file: …` for a missing or wrong checksum
/// or inconsistent contents, `a custody-sim KIND file this version does
/// not read: …` for another format or version.
pub(crate) fn read_sealed<T: SealedFile>(path: &Path) -> Result<T, Error> {
    let mut x: T = read_json(path, T::KIND).map_err(|e| T::unreadable(path).unwrap_or(e))?;
    let stored = std::mem::take(x.sha256_mut());
    verify_sha256(&x, &stored).map_err(|e| damaged::<T>(path, &e))?;
    x.check_version().map_err(|e| {
        refused(
            path,
            &format!(
                "a custody-sim {} file this version does not read: {e}",
                T::KIND
            ),
        )
    })?;
    x.check_integrity().map_err(|e| damaged::<T>(path, &e))?;
    Ok(x)
}

/// The error for a file of kind `T` that is damaged or edited: `why`.
fn damaged<T: SealedFile>(path: &Path, why: &str) -> Error {
    refused(
        path,
        &format!("a damaged custody-sim {} file: {why}", T::KIND),
    )
}

/// The error for the file `path`, refused for `message`.
fn refused(path: &Path, message: &str) -> Error {
    Error::Format {
        path: path.to_path_buf(),
        line: None,
        message: message.into(),
    }
}

/// Checks a checksum taken out of a file against its data.
pub(crate) fn verify_sha256<T: Serialize>(x: &T, stored: &str) -> Result<(), String> {
    if stored.is_empty() {
        return Err("it has no sha256 checksum".into());
    }
    if payload_sha256(x) != stored {
        return Err("its data do not match its sha256 checksum (edited or damaged)".into());
    }
    Ok(())
}

/// The size of a run's shard file, read from its beginning (the
/// replication ranges and metric names come before the data).
#[derive(Debug, Default)]
struct Header {
    ranges: Option<Vec<(u64, u64)>>,
    metrics: Option<usize>,
    sweep: bool,
}

/// The error a header read stops with once it has what it needs.
const HEADER_READ: &str = "custody-sim: shard header read";

impl<'de> serde::de::Visitor<'de> for &mut Header {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a custody-sim shard file")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        use serde::de::{Error as _, IgnoredAny};
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "ranges" => self.ranges = Some(map.next_value()?),
                "metric_names" => self.metrics = Some(map.next_value::<Vec<String>>()?.len()),
                // A sweep's slice, a sensitivity design's or a
                // calibration's: not a run.
                "cells" | "design" | "abc_round" => self.sweep = true,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            if self.sweep || self.ranges.is_some() && self.metrics.is_some() {
                return Err(A::Error::custom(HEADER_READ));
            }
        }
        Ok(())
    }
}

/// A run shard's replication ranges and number of metrics.
pub(super) type Size = (Vec<(u64, u64)>, usize);

/// Reads the beginning of a shard file, stopping before its data: the
/// replications and metrics of a run's shard, or `None` for a sweep's or
/// a sensitivity design's slice or a file that is not a shard (which
/// reading it will report).
pub(super) fn read_header(path: &Path) -> Result<Option<Size>, Error> {
    use serde::Deserializer as _;
    let file = crate::files::open_input(path, "shard file", crate::files::MAX_SHARD_BYTES)?;
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut header = Header::default();
    let mut de = serde_json::Deserializer::from_reader(reader);
    if let Err(e) = de.deserialize_map(&mut header)
        && e.is_io()
    {
        return Err(Error::io(path, std::io::Error::other(e)));
    }
    Ok(match header {
        Header {
            ranges: Some(r),
            metrics: Some(m),
            sweep: false,
        } => Some((r, m)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    /// A sealed file of the smallest kind: a format and a sorted list.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Toy {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        sha256: String,
        format: u32,
        sorted: Vec<u32>,
    }

    impl SealedFile for Toy {
        const KIND: &'static str = "toy";

        fn sha256_mut(&mut self) -> &mut String {
            &mut self.sha256
        }

        fn check_version(&self) -> Result<(), String> {
            match self.format {
                1 => Ok(()),
                f => Err(format!("format {f} (this custody-sim reads format 1)")),
            }
        }

        fn check_integrity(&self) -> Result<(), String> {
            match self.sorted.is_sorted() {
                true => Ok(()),
                false => Err("its list is not sorted".into()),
            }
        }
    }

    /// The refusal of reading `text` from a file, as a message with the
    /// file's name replaced by `FILE`.
    fn refusal(dir: &Path, text: &str) -> String {
        let path = dir.join("toy.json");
        std::fs::write(&path, text).unwrap();
        let e = read_sealed::<Toy>(&path).unwrap_err();
        assert!(matches!(e, Error::Format { .. }), "{e}");
        e.to_string().replace(&path.display().to_string(), "FILE")
    }

    /// A sealed file's text with a correct checksum.
    fn sealed_text(format: u32, sorted: &[u32]) -> String {
        let toy = Toy {
            sha256: String::new(),
            format,
            sorted: sorted.to_vec(),
        };
        let sha = payload_sha256(&toy);
        let list = serde_json::to_string(sorted).unwrap();
        format!(r#"{{"sha256":"{sha}","format":{format},"sorted":{list}}}"#)
    }

    #[test]
    fn a_sound_file_reads_back_and_each_fault_is_named_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("written.json");
        let toy = Toy {
            sha256: String::new(),
            format: 1,
            sorted: vec![1, 2, 3],
        };
        write_sealed(&toy, &path).unwrap();
        assert_eq!(read_sealed::<Toy>(&path).unwrap(), toy);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            sealed_text(1, &[1, 2, 3])
        );

        let edited = sealed_text(1, &[1, 2, 3]).replace("[1,2,3]", "[1,2,4]");
        let m = refusal(dir.path(), &edited);
        assert!(
            m.contains("FILE")
                && m.contains(
                    "a damaged custody-sim toy file: its data do not match its sha256 checksum"
                ),
            "{m}"
        );
        let m = refusal(dir.path(), r#"{"format":1,"sorted":[]}"#);
        assert!(
            m.contains("FILE")
                && m.contains("a damaged custody-sim toy file: it has no sha256 checksum"),
            "{m}"
        );
        let m = refusal(dir.path(), &sealed_text(2, &[2, 1]));
        assert!(
            m.contains("FILE")
                && m.contains("a custody-sim toy file this version does not read: format 2 (this custody-sim reads format 1)"),
            "{m}"
        );
        let m = refusal(dir.path(), &sealed_text(1, &[2, 1]));
        assert!(
            m.contains("FILE")
                && m.contains("a damaged custody-sim toy file: its list is not sorted"),
            "{m}"
        );
        let m = refusal(dir.path(), r#"{"sha256":"","kind":"other"}"#);
        assert!(
            m.contains("FILE") && m.contains("not a custody-sim toy file"),
            "{m}"
        );
    }
}
