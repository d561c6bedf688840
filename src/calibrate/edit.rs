//! The calibrated scenario file as an edit of the scenario file it was
//! calibrated from: comments, layout and `[variant.*]` tables kept, only
//! the changed values and `[uncertainty]` rewritten (`toml_edit`).

use toml_edit::{DocumentMut, Item, Table, Value};

use super::Posterior;
use super::quote::toml_string;
use crate::error::Error;
use crate::scenario::Scenario;

/// One step of a parameter path: a key, or a list item by index or name.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
    Name(&'a str),
}

/// `court.stage[trial].servers` as steps, with the path up to each step;
/// `None` for a path this editor does not read (it is then written whole
/// at the nearest table it does).
fn steps(path: &str) -> Option<Vec<(Step<'_>, String)>> {
    let mut out = Vec::new();
    let mut walked = String::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if key.is_empty() {
            return None;
        }
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(key);
        out.push((Step::Key(key), walked.clone()));
        while let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let sel = &r[..end];
            walked.push_str(&format!("[{sel}]"));
            let step = match sel.parse::<usize>() {
                Ok(n) => Step::Index(n),
                Err(_) => Step::Name(sel),
            };
            out.push((step, walked.clone()));
            rest = &r[end + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// The value at `path` of `s`, as a `toml_edit` value.
fn value_at(s: &Scenario, path: &str) -> Result<Value, Error> {
    let text = s.param(path)?.to_string();
    text.parse::<Value>().map_err(|e| {
        Error::invalid(
            "calibrated scenario",
            format!("{path}: the value {text} does not read back as TOML: {e}"),
        )
    })
}

/// Replaces `item` by `v`, keeping the comments and spacing around it.
fn replace(item: &mut Item, mut v: Value) {
    if let Some(old) = item.as_value() {
        *v.decor_mut() = old.decor().clone();
    }
    *item = Item::Value(v);
}

/// Sets `path` in the document below `item` (the path walked so far is
/// `at`, `""` at the root) to its value in `s`. Where the document does
/// not hold the path as written (a key left out, a shorthand value, an
/// inline list), the nearest part it holds is written whole from `s`.
fn set(item: &mut Item, steps: &[(Step<'_>, String)], at: &str, s: &Scenario) -> Result<(), Error> {
    let Some(((step, walked), rest)) = steps.split_first() else {
        replace(item, value_at(s, at)?);
        return Ok(());
    };
    let next: &mut Item = match step {
        Step::Key(k) => {
            let Some(table) = item.as_table_like_mut() else {
                replace(item, value_at(s, at)?);
                return Ok(());
            };
            if table.get(k).is_none() {
                table.insert(k, Item::Value(value_at(s, walked)?));
                return Ok(());
            }
            match table.get_mut(k) {
                Some(next) => next,
                None => return Ok(()),
            }
        }
        Step::Index(_) | Step::Name(_) => {
            let Some(list) = item.as_array_of_tables_mut() else {
                // An inline list (or none): written whole.
                replace(item, value_at(s, at)?);
                return Ok(());
            };
            let index = match step {
                Step::Index(n) => Some(*n),
                Step::Name(name) => list
                    .iter()
                    .position(|t| t.get("name").and_then(Item::as_str) == Some(*name)),
                Step::Key(_) => None,
            };
            let Some(table) = index.and_then(|i| list.get_mut(i)) else {
                return Err(Error::invalid(
                    "calibrated scenario",
                    format!("{walked}: no such item in the scenario file"),
                ));
            };
            return set_in_table(table, rest, walked, s);
        }
    };
    set(next, rest, walked, s)
}

/// [`set`] below a table of a list of tables.
fn set_in_table(
    table: &mut Table,
    steps: &[(Step<'_>, String)],
    at: &str,
    s: &Scenario,
) -> Result<(), Error> {
    let mut item = Item::Table(std::mem::take(table));
    let result = set(&mut item, steps, at, s);
    if let Item::Table(t) = item {
        *table = t;
    }
    result
}

impl Posterior {
    /// The posterior predictive scenario
    /// ([`Posterior::predictive_scenario`] of `scenario`) as an edit of
    /// `source`, the text of the scenario file `scenario` was read from:
    /// its comments, layout and `[variant.*]` tables are kept; each path
    /// of `changed` (the overrides `scenario` was made with: a variant's,
    /// `--set`s) and each calibrated path is set to its value in the
    /// calibrated scenario; `[uncertainty]` loses the calibrated paths and
    /// names `posterior_file` (written as a TOML string, every character
    /// escaped as TOML needs). A header of comments says what was fitted.
    ///
    /// Returns `None` where the edited file would not read back as the
    /// calibrated scenario (a source the editor cannot follow); then
    /// [`Posterior::predictive_toml`] writes the scenario whole.
    ///
    /// # Errors
    ///
    /// As [`Posterior::calibrated_scenario`]; [`Error::Scenario`] if
    /// `source` is not TOML.
    pub fn predictive_toml_edit<'a>(
        &self,
        source: &str,
        scenario: &Scenario,
        changed: impl IntoIterator<Item = &'a str>,
        posterior_file: &str,
    ) -> Result<Option<String>, Error> {
        let target = self.predictive_scenario(scenario, Some(posterior_file))?;
        let mut doc: DocumentMut = source.parse().map_err(|e| {
            Error::Scenario(crate::scenario::ScenarioErrors::one(
                "",
                format!("the source scenario is not TOML: {e}"),
            ))
        })?;
        let paths: Vec<String> = changed
            .into_iter()
            .map(str::to_string)
            .chain(self.paths.iter().cloned())
            .collect();
        for path in &paths {
            let Some(steps) = steps(path) else {
                return Ok(None);
            };
            let mut root = Item::Table(std::mem::take(doc.as_table_mut()));
            let result = set(&mut root, &steps, "", &target);
            if let Item::Table(t) = root {
                *doc.as_table_mut() = t;
            }
            if result.is_err() {
                return Ok(None);
            }
        }
        let u = doc
            .as_table_mut()
            .entry("uncertainty")
            .or_insert_with(|| Item::Table(Table::new()));
        let Some(u) = u.as_table_like_mut() else {
            return Ok(None);
        };
        for p in &self.paths {
            u.remove(p);
        }
        let quoted = toml_string(posterior_file);
        let Ok(name) = quoted.parse::<Value>() else {
            return Ok(None);
        };
        u.insert("posterior", Item::Value(name));
        // A leading `#:schema` directive (taplo's) stays the first line.
        let doc = doc.to_string();
        let (directive, doc) = match doc.split_once('\n') {
            Some((first, rest)) if first.starts_with("#:schema") => (format!("{first}\n"), rest),
            _ => (String::new(), doc.as_str()),
        };
        let text = format!(
            "{directive}{}# [uncertainty] draws one posterior particle ({quoted}) per replication.\n{doc}",
            self.header(),
        );
        // The edit must read back as the calibrated scenario.
        let mut back = match Scenario::parse_toml(&text) {
            Ok(s) => s,
            Err(_) => return Ok(None),
        };
        if let (Some(u), Some(t)) = (&mut back.uncertainty, &target.uncertainty) {
            u.posterior_table.clone_from(&t.posterior_table);
        }
        // The variants are the source's, untouched (a scenario with its
        // overrides applied has none of its own).
        back.variants.clear();
        let mut target = target;
        target.variants.clear();
        Ok((back == target).then_some(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = concat!(
        include_str!("../../fuzz/seeds/small.toml"),
        "\n# A busier court.\n[variant.high]\n\"court.stage[trial].servers\" = 4\n"
    );

    fn posterior() -> Posterior {
        Posterior {
            paths: vec![
                "transfer.phase[0].interval_days.value".into(),
                "court.stage[trial].servers".into(),
            ],
            integer: vec![false, true],
            particles: vec![vec![2.0, 3.0], vec![4.0, 5.0], vec![2.5, 3.0]],
            weights: vec![0.5, 0.2, 0.3],
            distances: vec![0.1, 0.2, 0.3],
            tolerance_schedule: vec![f64::INFINITY, 1.0],
            acceptance_rates: vec![1.0, 0.5],
            simulations: 60,
            stopped: "budget".into(),
            generations: Vec::new(),
            stop_rule: crate::calibrate::StopRule::BudgetAhead,
            stop_note: None,
            scales: vec![1.0],
        }
    }

    #[test]
    fn the_edit_keeps_comments_and_variants_and_escapes_the_posterior_name() {
        let s = Scenario::parse_toml(SOURCE).unwrap();
        let s = s.with_params([("transfer.weekly_cap", "150")]).unwrap();
        let name = "odd\"name\n[x]\ny = 1.csv";
        let text = posterior()
            .predictive_toml_edit(SOURCE, &s, ["transfer.weekly_cap"], name)
            .unwrap()
            .expect("the small scenario can be edited in place");
        assert!(text.contains("# A busier court.\n[variant.high]"), "{text}");
        assert!(text.contains("weekly_cap = 150"), "{text}");
        assert!(
            text.contains(r#"posterior = "odd\"name\n[x]\ny = 1.csv""#),
            "{text}"
        );
        assert!(
            !text.contains("\n[x]"),
            "no line of the name is raw: {text}"
        );
        // It reads back with the variant, the median and the name.
        let back = Scenario::parse_toml(&text).unwrap();
        assert!(back.variant("high").is_ok());
        assert_eq!(
            back.uncertainty.as_ref().unwrap().posterior.as_deref(),
            Some(name)
        );
        assert_eq!(
            back.param("court.stage[trial].servers")
                .unwrap()
                .as_integer(),
            Some(3)
        );
    }
}
