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
use crate::calibrate::abc::shard::AbcShard;
use crate::decide::shard::SensitivityShard;
use crate::error::Error;

/// What a shard file holds: a run's shard or a sweep's slice.
#[derive(Debug, Clone, PartialEq)]
pub enum ShardFile {
    /// A shard of a run ([`Shard::write`]).
    Run(Box<Shard>),
    /// A slice of a sweep ([`SweepShard::write`]).
    Sweep(Box<SweepShard>),
    /// A slice of a sensitivity design ([`SensitivityShard::write`]).
    Sensitivity(Box<SensitivityShard>),
    /// A slice of a batch of a sharded calibration ([`AbcShard::write`]).
    Calibration(Box<AbcShard>),
}

impl ShardFile {
    /// Reads shard files of one kind (runs, sweep slices, sensitivity or
    /// calibration slices) and merges them, naming the file at fault in
    /// any error.
    ///
    /// `first` is called with the first file once it is read, before any
    /// other file is: what the kind of the shards decides (a caller's
    /// outputs, say) is checked before the work of the merge, and an error
    /// of `first` stops it. A caller with nothing to check passes
    /// `|_| Ok::<(), Error>(())`. (One function: the check is an argument,
    /// not a second `merge_files_with`.)
    ///
    /// # Errors
    ///
    /// As [`read_shard_file`], [`Shard::merge`] and [`SweepShard::merge`],
    /// with the file named; an [`Error::Limit`] if the run shards' stored
    /// values are above the limit ([`check_merge`], before any data is
    /// read); an [`Error::Shard`] naming the file if run shards and sweep
    /// slices are mixed; an [`Error::InvalidArgument`] for an empty list;
    /// and the error of `first`.
    pub fn merge_files<P: AsRef<Path>, E: From<Error>>(
        paths: &[P],
        first: impl FnOnce(&ShardFile) -> Result<(), E>,
    ) -> Result<ShardFile, E> {
        let Some((head, rest)) = paths.split_first() else {
            return Err(Error::invalid("shard files", "no files to merge").into());
        };
        check_merge(paths)?;
        let mut acc = read_shard_file(head)?;
        first(&acc)?;
        for p in rest {
            let p = p.as_ref();
            let named = |e| name_file(e, p, head.as_ref());
            match (&mut acc, read_shard_file(p)?) {
                (ShardFile::Run(a), ShardFile::Run(b)) => a.merge(*b).map_err(named)?,
                (ShardFile::Sweep(a), ShardFile::Sweep(b)) => a.merge(*b).map_err(named)?,
                (ShardFile::Sensitivity(a), ShardFile::Sensitivity(b)) => {
                    a.merge(*b).map_err(named)?
                }
                (ShardFile::Calibration(a), ShardFile::Calibration(b)) => {
                    a.merge(*b).map_err(named)?
                }
                (first, other) => {
                    let message = format!("a {} among {}", other.kind(), first.kinds());
                    return Err(among(p, &message).into());
                }
            }
        }
        Ok(acc)
    }
}

impl ShardFile {
    /// `run shard`, `sweep shard` or `sensitivity shard`.
    fn kind(&self) -> &'static str {
        match self {
            ShardFile::Run(_) => "run shard",
            ShardFile::Sweep(_) => "sweep shard",
            ShardFile::Sensitivity(_) => "sensitivity shard",
            ShardFile::Calibration(_) => "calibration shard",
        }
    }

    /// `run shards`, `sweep shards` or `sensitivity shards`.
    fn kinds(&self) -> String {
        format!("{}s", self.kind())
    }
}

/// The error for a file of the other kind than the first file's.
fn among(path: &Path, message: &str) -> Error {
    Error::Shard {
        path: Some(path.to_path_buf()),
        message: message.into(),
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
        #[serde(default)]
        design: Option<serde::de::IgnoredAny>,
        #[serde(default)]
        abc_round: Option<serde::de::IgnoredAny>,
    }
    let path = path.as_ref();
    let probe: Probe = read_json(path, "shard")?;
    match (
        probe.ranges.is_some(),
        probe.cells.is_some(),
        probe.design.is_some(),
        probe.abc_round.is_some(),
    ) {
        (true, false, false, false) => Shard::read(path).map(|s| ShardFile::Run(Box::new(s))),
        (false, true, false, false) => {
            SweepShard::read(path).map(|s| ShardFile::Sweep(Box::new(s)))
        }
        (false, false, true, false) => {
            SensitivityShard::read(path).map(|s| ShardFile::Sensitivity(Box::new(s)))
        }
        (false, false, false, true) => {
            AbcShard::read(path).map(|s| ShardFile::Calibration(Box::new(s)))
        }
        _ => Err(Error::Format {
            path: path.to_path_buf(),
            line: None,
            message: "not a custody-sim shard file (written by `shard`, `sweep --shard`, `sensitivity --shard` or `calibrate --shard`)".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::run::run_shard;
    use crate::montecarlo::runner::Runs;
    use crate::montecarlo::sweep::{Vary, sweep_shard};
    use crate::scenario::presets;

    #[test]
    fn a_file_of_the_other_kind_is_named_and_the_first_file_checked_first() {
        let dir = tempfile::tempdir().unwrap();
        let s = presets::baseline();
        let run = dir.path().join("run.json");
        run_shard(&s, 1, 0..2).unwrap().write(&run).unwrap();
        let runs = Runs {
            replications: 2,
            seed: 1,
            threads: 1,
        };
        let vary = [Vary::new("court.stage[trial].servers", [10, 20])];
        let sweep = dir.path().join("sweep.json");
        sweep_shard(&s, &vary, &runs, 0, 1, None)
            .unwrap()
            .write(&sweep)
            .unwrap();
        let e = ShardFile::merge_files(&[&run, &sweep], |_| Ok::<(), Error>(())).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}: a sweep shard among run shards", sweep.display())
        );
        let e = ShardFile::merge_files(&[&sweep, &run], |_| Ok::<(), Error>(())).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}: a run shard among sweep shards", run.display())
        );
        // The check of the first file stops the merge before the next
        // file is read (one that is not a shard here).
        let other = dir.path().join("other.json");
        std::fs::write(&other, "not a shard").unwrap();
        let mut kind = None;
        let e = ShardFile::merge_files(&[&run, &other], |f| {
            kind = Some(matches!(f, ShardFile::Run(_)));
            Err(Error::invalid("outputs", "refused"))
        })
        .unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { .. }), "{e}");
        assert_eq!(kind, Some(true));
        let e = ShardFile::merge_files(&[&run, &other], |_| Ok::<(), Error>(())).unwrap_err();
        assert!(matches!(e, Error::Format { .. }), "{e}");
        let merged = ShardFile::merge_files(&[&run], |_| Ok::<(), Error>(())).unwrap();
        assert!(matches!(merged, ShardFile::Run(s) if s.replications() == 2));
    }
}
