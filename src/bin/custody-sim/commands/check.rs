//! `custody-sim check`: every problem of a scenario in one pass.

use custody_sim::Error;

use super::read_scenario;
use crate::Fail;
use crate::output::print;

pub(crate) fn check(arg: &str) -> Result<(), Fail> {
    let (parsed, source) = read_scenario(arg)?;
    // With `:VARIANT`: the file first (every variant), then the variant.
    let parsed = match (&source.variant, parsed) {
        (Some(v), Ok(s)) => match s.validate() {
            Ok(()) => s.with_variant(v),
            Err(e) => Err(Error::Scenario(e)),
        },
        (_, p) => p,
    };
    let problems = match parsed {
        Ok(s) => match s.validate().and_then(|()| s.check_within_horizon()) {
            Ok(()) => {
                return print(&format!(
                    "ok: {} is valid ({} detainees in {} groups, {} facilities, {} court stages, {} days)\n",
                    s.name,
                    s.total_detainees(),
                    s.groups.len(),
                    s.facilities.len(),
                    s.court.stages.len(),
                    s.horizon_days
                ));
            }
            Err(e) => e,
        },
        Err(Error::Scenario(e)) => e,
        Err(e) => return Err(e.into()),
    };
    // Every problem on standard error, one per line, then the count.
    let mut text = String::new();
    for p in &problems {
        text.push_str(&p.to_string());
        text.push('\n');
    }
    let n = problems.iter().count();
    text.push_str(&format!(
        "{}: {n} problem{}",
        source.origin,
        if n == 1 { "" } else { "s" }
    ));
    Err(Fail::Problems(text))
}
