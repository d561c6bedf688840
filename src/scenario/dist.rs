//! The `dist` tables of a scenario file: the type is [`crate::dist::Dist`],
//! re-exported here; this file reports its problems at their key paths.

pub use crate::dist::Dist;

use super::problems::Problems;

impl Problems {
    /// Checks `d` as a variable the model draws ([`Dist::check`]),
    /// reporting each problem under `path` (for example
    /// `court.stage[0].service_days.sd`).
    pub(crate) fn dist(&mut self, path: &str, d: &Dist) {
        if let Err(e) = d.check() {
            for p in e.problems() {
                match p.key {
                    Some(k) => self.push(format!("{path}.{k}"), p.message.clone()),
                    None => self.push(path, p.message.clone()),
                }
            }
        }
    }
}
