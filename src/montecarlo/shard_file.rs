//! Shard files of either kind: a run's shard or a sweep's slice, read
//! whichever a file holds, and a list of them merged into one.
//!
//! Above both [`Shard`] and [`SweepShard`], so that neither knows the
//! other's files.

use std::path::Path;

use serde::Deserialize;

use super::sealed::read_json;
use super::shard::{Shard, check_merge, name_file};
use super::sweep::SweepShard;
use crate::error::Error;

/// What a shard file holds: a run's shard or a sweep's slice.
#[derive(Debug, Clone, PartialEq)]
pub enum ShardFile {
    /// A shard of a run ([`Shard::write`]).
    Run(Box<Shard>),
    /// A slice of a sweep ([`SweepShard::write`]).
    Sweep(Box<SweepShard>),
}

impl ShardFile {
    /// Reads shard files of one kind (runs or sweep slices) and merges
    /// them, naming the file at fault in any error.
    ///
    /// # Errors
    ///
    /// As [`read_shard_file`], [`Shard::merge`] and [`SweepShard::merge`],
    /// with the file named; an [`Error::Shard`] if run shards and sweep
    /// slices are mixed; an [`Error::InvalidArgument`] for an empty list.
    pub fn merge_files<P: AsRef<Path>>(paths: &[P]) -> Result<ShardFile, Error> {
        let Some((first, rest)) = paths.split_first() else {
            return Err(Error::invalid("shard files", "no files to merge"));
        };
        check_merge(paths)?;
        let mut acc = read_shard_file(first)?;
        for p in rest {
            let p = p.as_ref();
            let named = |e| name_file(e, p, first.as_ref());
            match (&mut acc, read_shard_file(p)?) {
                (ShardFile::Run(a), ShardFile::Run(b)) => a.merge(*b).map_err(named)?,
                (ShardFile::Sweep(a), ShardFile::Sweep(b)) => a.merge(*b).map_err(named)?,
                _ => {
                    return Err(named(Error::shard(
                        "a run's shard and a sweep's slice cannot be merged",
                    )));
                }
            }
        }
        Ok(acc)
    }
}

/// Reads a file written by [`Shard::write`] or [`SweepShard::write`],
/// whichever it is, parsing it once.
///
/// # Errors
///
/// [`Error::Io`] if unreadable, not a regular file or above
/// [`MAX_SHARD_BYTES`](crate::files::MAX_SHARD_BYTES); [`Error::Format`]
/// naming the file if it is neither, or is damaged or edited.
pub fn read_shard_file(path: impl AsRef<Path>) -> Result<ShardFile, Error> {
    /// Which kind of file: a first pass that keeps nothing.
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        ranges: Option<serde::de::IgnoredAny>,
        #[serde(default)]
        cells: Option<serde::de::IgnoredAny>,
    }
    let path = path.as_ref();
    let probe: Probe = read_json(path, "shard")?;
    match (probe.ranges.is_some(), probe.cells.is_some()) {
        (true, false) => Shard::read(path).map(|s| ShardFile::Run(Box::new(s))),
        (false, true) => SweepShard::read(path).map(|s| ShardFile::Sweep(Box::new(s))),
        _ => Err(Error::Format {
            path: path.to_path_buf(),
            line: None,
            message: "not a custody-sim shard file (written by `shard` or `sweep --shard`)".into(),
        }),
    }
}
