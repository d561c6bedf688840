//! Outputs of a summary: a readable table, JSON, CSV, an HTML report
//! ([`html`]) and (feature `plots`)
//! charts.
//!
//! Files are written atomically ([`write_atomic`]): to a temporary file in
//! the same directory, then renamed over the target, so a failure leaves
//! either the old file or none, never half a file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Serialize, Serializer};

use crate::Error;

pub mod csv;
pub mod dates;
pub mod html;
pub mod json;
#[cfg(feature = "plots")]
pub mod plots;
pub mod table;

/// `1234567.8` as `1,234,568`: rounded, with thousands separators (the
/// table and the HTML report).
pub(crate) fn thousands(x: f64) -> String {
    let r = x.round();
    let digits = format!("{:.0}", r.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if r < 0.0 && out != "0" {
        out.insert(0, '-');
    }
    out
}

/// A parameter changed from the scenario as given (`--set PATH=VALUE`, or
/// an override of a named variant), recorded in the outputs so that a
/// result says what it is a result of.
///
/// In JSON it reads `{"path": "court.stage[trial].servers", "value": 30}`:
/// the value as a number or boolean when it reads as one, otherwise the
/// string given. An override that comes from a variant (`[variant.NAME]`)
/// has a third key, `"variant": "NAME"`; a `--set` has none. A variant's
/// overrides come first, in its order, then the `--set`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The parameter path, e.g. `court.stage[trial].servers`.
    pub path: String,
    /// The value, as given.
    pub value: String,
    /// The variant it comes from; `None` for a `--set`.
    pub variant: Option<String>,
}

impl Override {
    /// An override of `path` by `value` (a `--set`).
    pub fn new(path: impl Into<String>, value: impl Into<String>) -> Override {
        Override {
            path: path.into(),
            value: value.into(),
            variant: None,
        }
    }

    /// An override of `path` by `value` that comes from variant `variant`.
    pub fn from_variant(
        variant: impl Into<String>,
        path: impl Into<String>,
        value: impl Into<String>,
    ) -> Override {
        Override {
            variant: Some(variant.into()),
            ..Override::new(path, value)
        }
    }

    /// The overrides of variant `v`, tagged with its name.
    pub fn of_variant(v: &crate::scenario::Variant) -> Vec<Override> {
        v.override_texts()
            .into_iter()
            .map(|(p, x)| Override::from_variant(&v.name, p, x))
            .collect()
    }
}

impl std::fmt::Display for Override {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.path, self.value)
    }
}

impl Serialize for Override {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let n = 2 + usize::from(self.variant.is_some());
        let mut st = s.serialize_struct("Override", n)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("value", &json::param_value(&self.value))?;
        if let Some(v) = &self.variant {
            st.serialize_field("variant", v)?;
        }
        st.end()
    }
}

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

/// A name for a temporary file beside `path` (same directory, so a rename
/// is atomic), hidden, unique within this process, keeping `path`'s
/// extension (the PNG encoder chooses its format by it).
pub(crate) fn temp_beside(path: &Path) -> PathBuf {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let temp = format!(
        ".{name}.{}-{}.tmp{ext}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    );
    path.with_file_name(temp)
}

/// Writes the file `path` atomically: `write` gets a temporary path in the
/// same directory and writes the whole file there; on success it is
/// renamed to `path` (replacing any file of that name), on failure it is
/// removed.
///
/// # Errors
///
/// What `write` returns, or [`Error::Io`] naming `path` if the rename
/// fails.
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
    let temp = temp_beside(path);
    let result = write(&temp).and_then(|()| {
        std::fs::rename(&temp, path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(|e| match e {
        // Name the file the user asked for, not the temporary one.
        Error::Io { path: p, source } if p == temp => Error::Io {
            path: path.to_path_buf(),
            source,
        },
        other => other,
    })
}

/// Writes `bytes` to `path` atomically (see [`write_atomic`]).
///
/// # Errors
///
/// [`Error::Io`] naming `path`.
pub fn write_bytes_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomic(path, |tmp| {
        std::fs::write(tmp, bytes).map_err(|source| Error::Io {
            path: tmp.to_path_buf(),
            source,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_neither_a_partial_file_nor_a_temporary_one() {
        let dir = std::env::temp_dir().join(format!("custody-sim-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.json");
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
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "no temporary file left"
        );
        write_bytes_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn overrides_serialise_with_typed_values() {
        let o = [
            Override::new("court.stage[trial].servers", "30"),
            Override::new("start_date", "2026-02-01"),
        ];
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"[{"path":"court.stage[trial].servers","value":30},{"path":"start_date","value":"2026-02-01"}]"#
        );
        assert_eq!(
            overrides_text(&o),
            "court.stage[trial].servers=30, start_date=2026-02-01"
        );
    }
}
