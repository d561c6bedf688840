//! The JSON Schema of the scenario file (`docs/scenario.schema.json`,
//! [`Scenario::file_schema`]): the shipped file is what the code prints,
//! every bundled scenario names it (taplo's `#:schema` directive) and
//! satisfies it, and it refuses what the reader's types refuse.
//!
//! # The bad-input set: the schema or `check`
//!
//! The project's bad inputs are the tables of `inputs.rs`: each row an
//! edit of one small valid scenario that `check` must refuse with exactly
//! the problems it lists. Every row also goes through the schema
//! ([`bad_input`]), and each row falls in one of two kinds:
//!
//! - **The schema refuses it** (and so does `check`): whatever the
//!   reader's types refuse. An unknown key, a missing key, a value of the
//!   wrong type (a string for a number, a float for an integer, a
//!   negative count), an unknown `dist`, policy, admission or kind, a key
//!   a distribution does not have, a day that is neither a number nor a
//!   date, a date that is no calendar day (`2026-02-30`, checked as the
//!   `date` format), an integer out of its type's range. The test fails
//!   if the types refuse a row that the schema accepts.
//! - **Only `check` refuses it**: values of the right types that break a
//!   rule the schema does not express: ranges (probabilities in \[0, 1\],
//!   capacities of at least 1, the limits on sizes), `nan` and infinities
//!   (JSON has none: they reach the schema as strings, which it refuses
//!   too), names that must name a facility or a stage, unique names,
//!   sums, orders, days before `start_date`, weights that match the
//!   facilities, and parameter paths of `[uncertainty]` and variants.
//!
//! Every scenario the tables accept (and the base scenario) must satisfy
//! the schema ([`good_input`]): it is never stricter than `check`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use custody_sim::{Scenario, presets};
use serde::Deserialize;

/// The directive each bundled scenario starts with.
const DIRECTIVE: &str = "#:schema ../../docs/scenario.schema.json";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped schema, compiled once (formats checked, as editors do).
fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let text = std::fs::read_to_string(root().join("docs/scenario.schema.json"))
            .expect("docs/scenario.schema.json");
        let schema: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("a valid JSON Schema")
    })
}

/// A TOML value as JSON, as a TOML editor hands it to the schema: dates
/// as strings; `nan` and infinities, which JSON lacks, as their text.
fn to_json(v: &toml::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(x) => serde_json::Number::from_f64(*x)
            .map_or_else(|| Value::String(x.to_string()), Value::Number),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// The schema's problems with `text` (empty: it satisfies the schema);
/// `None` if the text is not TOML at all.
fn schema_problems(text: &str) -> Option<Vec<String>> {
    let tree: toml::Table = toml::from_str(text).ok()?;
    let json = to_json(&toml::Value::Table(tree));
    Some(
        validator()
            .iter_errors(&json)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect(),
    )
}

/// A bad input (refused by `check`, which the caller asserts): if the
/// reader's types refuse it, the schema must refuse it too. Text that is
/// not TOML is an editor's syntax error, before any schema.
pub(crate) fn bad_input(text: &str) -> Result<(), String> {
    let Ok(tree) = toml::from_str::<toml::Table>(text) else {
        return Ok(());
    };
    let types_refuse = Scenario::deserialize(toml::Value::Table(tree)).is_err();
    let schema_refuses = !schema_problems(text).unwrap_or_default().is_empty();
    if types_refuse && !schema_refuses {
        return Err("the reader's types refuse it, but the JSON Schema accepts it".into());
    }
    Ok(())
}

/// A good input (accepted by `check`): the schema must accept it.
pub(crate) fn good_input(text: &str) -> Result<(), String> {
    match schema_problems(text) {
        Some(p) if p.is_empty() => Ok(()),
        Some(p) => Err(format!(
            "valid, but the JSON Schema refuses it:\n{}",
            p.join("\n")
        )),
        None => Err("not TOML".into()),
    }
}

/// Every scenario file the project ships: the bundled scenarios and the
/// fuzz seeds.
fn shipped_scenarios() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["examples/scenarios", "fuzz/seeds"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn the_shipped_schema_is_what_the_code_and_the_command_print() {
    let shipped = std::fs::read_to_string(root().join("docs/scenario.schema.json")).unwrap();
    assert!(
        shipped == Scenario::file_schema(),
        "docs/scenario.schema.json is stale: `cargo run -- schema > docs/scenario.schema.json`"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_custody-sim"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), shipped);
}

#[test]
fn every_shipped_scenario_names_the_schema_and_satisfies_it() {
    let files = shipped_scenarios();
    assert!(files.len() >= 5, "{files:?}");
    let schema = root()
        .join("docs/scenario.schema.json")
        .canonicalize()
        .unwrap();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let first = text.lines().next().unwrap_or("");
        assert_eq!(
            first,
            DIRECTIVE,
            "{} starts with the directive",
            f.display()
        );
        let target = first.trim_start_matches("#:schema").trim();
        let resolved = f.parent().unwrap().join(target).canonicalize().unwrap();
        assert_eq!(resolved, schema, "{}: the directive resolves", f.display());
        // The directive is a comment: the file still reads and validates.
        Scenario::from_path(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        good_input(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
}

/// What the library writes (every preset, with its variants, and with an
/// `[uncertainty]` table) satisfies the schema too.
#[test]
fn scenarios_the_library_writes_satisfy_the_schema() {
    for name in presets::NAMES {
        let s = presets::by_name(name).unwrap();
        good_input(&s.to_toml_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let mut s = presets::baseline();
    s.uncertainty = Some(custody_sim::scenario::Uncertainty::new([(
        "court.conviction_probability",
        custody_sim::Dist::uniform(0.85, 0.99),
    )]));
    good_input(&s.to_toml_string()).unwrap();
}

/// The schema's words for a few typical mistakes: each is refused where
/// the reader refuses it, and a day is a number or a date.
#[test]
fn the_schema_refuses_typical_mistakes_and_takes_days_both_ways() {
    let base = presets::toml_text("baseline").unwrap();
    let edit = |old: &str, new: &str| {
        assert_eq!(base.matches(old).count(), 1, "{old}");
        base.replacen(old, new, 1)
    };
    let refused = |text: &str, at: &str| {
        let p = schema_problems(text).unwrap();
        assert!(p.iter().any(|e| e.starts_with(at)), "{at} in {p:?}");
        assert!(Scenario::from_toml_str(text).is_err());
    };
    refused(&edit("horizon_days = ", "horizon_dayz = "), "");
    refused(
        &edit("start_date = \"2026-01-21\"", "start_date = \"21 Jan\""),
        "/start_date",
    );
    refused(
        &edit("start_date = \"2026-01-21\"", "start_date = \"2026-02-30\""),
        "/start_date",
    );
    refused(
        &edit("policy = \"fill_in_order\"", "policy = \"random\""),
        "/allocation/policy",
    );
    // A day: a number, a quoted date or a bare TOML date.
    for day in ["9.5", "\"2026-02-07\"", "2026-02-07"] {
        let text = base.replacen("[[court.stage]]", &format!("[[relocation]]\nday = {day}\nfrom = \"Karkh\"\nto = \"Nasiriyah\"\ncount = 1\n\n[[court.stage]]"), 1);
        Scenario::from_toml_str(&text).unwrap();
        good_input(&text).unwrap();
    }
}
