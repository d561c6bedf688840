//! `custody-sim presets`: the bundled scenarios, as the library lists them
//! (`presets::NAMES`, `presets::by_name`, `presets::toml_text`).

use custody_sim::presets;

use super::{bundled_list, without_schema_line};
use crate::args::PresetsAction;
use crate::output::print;
use crate::{Fail, fail};

/// The first sentence of a bundled scenario file's opening comment.
fn description(name: &str) -> String {
    let Some(text) = presets::toml_text(name) else {
        return String::new();
    };
    let comment: Vec<&str> = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .filter(|l| !l.starts_with("#:"))
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    let joined = comment.join(" ");
    let first = joined
        .split(". ")
        .next()
        .unwrap_or("")
        .trim_end_matches('.');
    // "The `baseline` scenario of custody-sim: the transfer ..." -> "the transfer ..."
    match first.split_once(": ") {
        Some((head, rest)) if head.contains(name) => rest.to_string(),
        _ => first.to_string(),
    }
}

pub(crate) fn presets(action: Option<&PresetsAction>) -> Result<(), Fail> {
    match action {
        None | Some(PresetsAction::List) => {
            let mut text = String::new();
            let width = presets::NAMES.iter().map(|n| n.len()).max().unwrap_or(0);
            for name in presets::NAMES {
                let size = presets::by_name(name)
                    .map(|s| format!("{} detainees, {} days", s.total_detainees(), s.horizon_days))
                    .unwrap_or_default();
                text.push_str(&format!("{name:width$}  {} ({size})\n", description(name)));
            }
            print(&text)
        }
        // Without the `#:schema` line: its path is relative to the
        // bundled file, not to wherever the copy goes.
        Some(PresetsAction::Show { name }) => match presets::toml_text(name) {
            Some(text) => print(without_schema_line(text)),
            None => fail(format!(
                "{name}: no bundled scenario of that name (bundled: {})",
                bundled_list()
            )),
        },
    }
}
