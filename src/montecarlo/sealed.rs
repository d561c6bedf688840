//! The sealed file format of shard files and sweep slices: a JSON object
//! whose first field, `sha256`, is the SHA-256 of the compact JSON of the
//! rest; written and read streamed, and a run shard's header (its
//! replication ranges and metric count) read without its data.
//!
//! It knows nothing of what a file holds beyond the names of the header's
//! fields: the shard and the sweep slice check their own contents.

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
pub(super) fn payload_sha256<T: Serialize>(x: &T) -> String {
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
/// ([`crate::files::write_atomic`]).
pub(crate) fn write_sealed<T: Serialize>(x: &T, what: &str, path: &Path) -> Result<(), Error> {
    crate::files::write_atomic(path, |tmp| write_sealed_to(x, what, tmp))
}

/// Writes `x` with its checksum to the file `path` as JSON, streamed.
fn write_sealed_to<T: Serialize>(x: &T, what: &str, path: &Path) -> Result<(), Error> {
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
            Error::serialize(what, e)
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
                // A sweep's slice, or a sensitivity design's: not a run.
                "cells" | "design" => self.sweep = true,
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
