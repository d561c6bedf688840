//! A variant applied to the scenario it is in
//! ([`Scenario::with_variant`]), and the check of every variant. The
//! variants themselves, and how the file writes them, are in
//! [`super::variant`].

use super::problems::{Problems, ScenarioErrors, check_name};
use super::variant::{DESCRIPTION, Variant, key};
use super::whole::Scenario;
use crate::error::Error;

impl Scenario {
    /// The variant called `name`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] (kind `"variant"`) listing the scenario's
    /// variants in file order.
    pub fn variant(&self, name: &str) -> Result<&Variant, Error> {
        self.variants
            .iter()
            .find(|v| v.name == name)
            .ok_or_else(|| Error::UnknownName {
                kind: "variant",
                name: name.to_string(),
                valid: self.variants.iter().map(|v| v.name.clone()).collect(),
            })
    }

    /// The scenario as in variant `name`: its overrides applied in order
    /// to this scenario, then validated once. The result has no variants
    /// of its own (they are alternatives to the scenario as given), and
    /// is the same, bit for bit, as `--set` of the same overrides
    /// ([`Scenario::with_overrides`] of [`Variant::overrides`]). It
    /// records the variant's name and overrides in [`Scenario::applied`],
    /// which a run's summary and its reports name.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] listing the valid names if there is no such
    /// variant; [`Error::Scenario`] naming the path (`variant.NAME.<path>`)
    /// and the value if an override is refused.
    ///
    /// # Example: the MoJ-style projections of the baseline
    ///
    /// ```
    /// use custody_sim::{presets, Error};
    ///
    /// let s = presets::baseline();
    /// let names: Vec<&str> = s.variants.iter().map(|v| v.name.as_str()).collect();
    /// assert_eq!(names, ["low", "central", "high", "syrian_handover", "kut"]);
    /// let central = s.with_variant("central")?;
    /// assert!(central.variants.is_empty());
    /// assert_eq!(central.court, s.court); // central is the baseline as is
    /// let high = s.with_variant("high")?;
    /// let nineveh = |sc: &custody_sim::Scenario| sc.facilities[3].initial_occupancy;
    /// assert!(nineveh(&high) > nineveh(&s)); // Nineveh at its higher population
    /// assert!(matches!(s.with_variant("highest"), Err(Error::UnknownName { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_variant(&self, name: &str) -> Result<Scenario, Error> {
        let v = self.variant(name)?;
        if let Some(x) = v.overrides.iter().find(|o| o.path == DESCRIPTION) {
            return Err(Error::Scenario(ScenarioErrors::one(
                format!("{}.{DESCRIPTION}", key(name)),
                format!(
                    "must be a string (it describes the variant, and is not a parameter), got {}",
                    x.value
                ),
            )));
        }
        let mut out = self
            .with_overrides(&v.overrides)
            .map_err(|e| under_variant(e, v))?;
        // (named even where the variant changes nothing)
        out.applied.variant = Some(v.name.clone());
        Ok(out)
    }

    /// Checks every variant: its name, and its overrides applied to this
    /// scenario (without its variants) and validated.
    pub(crate) fn check_variants(&self, p: &mut Problems) {
        let mut seen = std::collections::HashSet::new();
        for v in &self.variants {
            let before = p.len();
            check_name(p, key(&v.name), &v.name, &mut seen);
            if p.len() == before && v.name.contains(':') {
                p.push(
                    key(&v.name),
                    format!(
                        "must not contain ':' (SCENARIO:NAME selects a variant, so this one could not be selected), got {:?}",
                        v.name
                    ),
                );
            }
            if p.len() > before || v.overrides.is_empty() {
                continue;
            }
            if let Err(Error::Scenario(errors)) = self.with_variant(&v.name) {
                // (a reserved `description` that is not a string, too)
                for e in errors.0 {
                    p.push(e.path, e.message);
                }
            }
        }
    }
}

/// Puts an error of applying variant `v` under its key path,
/// `variant.NAME.<path>`, with the value the variant sets where the error
/// is at (or inside) one of its paths and does not already say it.
fn under_variant(e: Error, v: &Variant) -> Error {
    let Error::Scenario(errors) = e else { return e };
    let k = key(&v.name);
    let out = errors
        .0
        .into_iter()
        .map(|mut e| {
            let set = v.overrides.iter().rev().find(|o| {
                e.path
                    .strip_prefix(o.path.as_str())
                    .is_some_and(|r| r.is_empty() || r.starts_with(['.', '[']))
            });
            if let Some(o) = set {
                let text = &o.value;
                if !e.message.contains(text) {
                    e.message = format!("{} (the variant sets {text})", e.message);
                }
            }
            e.path = if e.path.is_empty() {
                k.clone()
            } else {
                format!("{k}.{}", e.path)
            };
            e
        })
        .collect();
    Error::Scenario(ScenarioErrors(out))
}
