//! Outputs of a summary: a readable table, JSON, CSV, an HTML report
//! ([`html`]) and (feature `plots`)
//! charts.
//!
//! Files are written atomically ([`write_atomic`]): to a temporary file in
//! the same directory, synced, then renamed over the target, so a failure
//! leaves either the old file or none, never half a file; a FIFO or a
//! character device is written straight into, never replaced
//! ([`crate::files`]).

use std::path::Path;

use crate::error::Error;
use crate::scenario::Override;

pub mod answers;
pub mod csv;
pub mod dates;
pub mod drawn;
pub mod drivers;
pub mod format;
pub mod html;
pub mod json;
pub mod markup;
mod phrase;
#[cfg(feature = "plots")]
pub mod plots;
pub mod table;

/// `a=1, b=2`: overrides as one line of text (empty for none).
pub(crate) fn overrides_text(overrides: &[Override]) -> String {
    overrides
        .iter()
        .map(Override::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What made the scenario run from the one given, as one phrase:
/// `variant high (a=1, b=2) with --set c=3`, `with --set c=3`,
/// `variant central`; empty for nothing. `variant` is the variant's name
/// (it may have no overrides); overrides tagged with a variant are listed
/// with it, the others after `--set`.
pub(crate) fn changes_text(variant: Option<&str>, overrides: &[Override]) -> String {
    let (from_variant, set): (Vec<Override>, Vec<Override>) =
        overrides.iter().cloned().partition(|o| o.variant.is_some());
    let mut parts = Vec::new();
    let name = variant.or_else(|| from_variant.first().and_then(|o| o.variant.as_deref()));
    if let Some(name) = name {
        if from_variant.is_empty() {
            parts.push(format!("variant {name}"));
        } else {
            parts.push(format!(
                "variant {name} ({})",
                overrides_text(&from_variant)
            ));
        }
    }
    if !set.is_empty() {
        parts.push(format!("with --set {}", overrides_text(&set)));
    }
    parts.join(" ")
}

/// Writes the file `path` atomically: `write` gets a temporary path in
/// the same folder and writes the whole file there; on success it is
/// synced and renamed over `path` (the file a symbolic link leads to),
/// on failure removed. A FIFO or character device is written straight
/// into. The same as [`crate::files::write_atomic`], which says more.
///
/// # Errors
///
/// What `write` returns, or [`Error::Io`] naming `path` if it cannot be
/// replaced (a folder, a block device, a failed rename).
///
/// # Example
///
/// ```
/// use custody_sim::report::write_atomic;
///
/// let path = std::env::temp_dir().join(format!("custody-sim-doc-{}.txt", std::process::id()));
/// write_atomic(&path, |tmp| {
///     std::fs::write(tmp, "all or nothing\n").map_err(|e| custody_sim::Error::io(tmp, e))
/// })?;
/// assert_eq!(std::fs::read_to_string(&path)?, "all or nothing\n");
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    crate::files::write_atomic(path, write)
}

/// Writes `bytes` to `path` atomically (see [`write_atomic`]).
///
/// # Errors
///
/// [`Error::Io`] naming `path`.
pub fn write_bytes_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    crate::files::write_bytes_atomic(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_read_as_one_line_and_one_phrase() {
        let o = [
            Override::from_variant("high", "horizon_days", "30"),
            Override::new("court.stage[trial].servers", "30"),
            Override::new("start_date", "2026-02-01"),
        ];
        assert_eq!(
            overrides_text(&o[1..]),
            "court.stage[trial].servers=30, start_date=2026-02-01"
        );
        assert_eq!(
            changes_text(Some("high"), &o),
            "variant high (horizon_days=30) with --set court.stage[trial].servers=30, start_date=2026-02-01"
        );
        assert_eq!(changes_text(Some("central"), &[]), "variant central");
    }
}
