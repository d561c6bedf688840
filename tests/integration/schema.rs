//! The one metric schema: names derive from it, lookups of a wrong name are
//! errors that list the valid names, and `docs/model.md` holds exactly the
//! tables it renders.

use custody_sim::model::schema::{self, Metric, Scope};
use custody_sim::{Error, Plan, presets};

/// The v1 metric and series names of the baseline, in the order JSON and
/// CSV have always written them: the schema must keep that order.
#[test]
fn baseline_names_keep_the_v1_order() {
    let plan = Plan::new(&presets::baseline()).unwrap();
    let layout = plan.layout();
    let s = plan.scenario();
    let mut want: Vec<String> = vec!["transferred".into()];
    want.extend(s.groups.iter().map(|g| format!("transferred.{}", g.name)));
    want.extend(
        [
            "last_arrival_day",
            "escaped",
            "remaining_in_syria",
            "repatriated",
        ]
        .map(String::from),
    );
    want.extend(s.groups.iter().map(|g| format!("repatriated.{}", g.name)));
    want.extend(["released", "convicted"].map(String::from));
    want.extend(s.groups.iter().map(|g| format!("convicted.{}", g.name)));
    want.push("awaiting_verdict".into());
    for f in &s.facilities {
        for k in [
            "peak_occupancy",
            "peak_occupancy_rate",
            "days_over_capacity",
            "first_day_over_capacity",
        ] {
            want.push(format!("facility.{}.{k}", f.name));
        }
    }
    for st in &s.court.stages {
        for k in ["completed", "mean_wait_days", "peak_queue"] {
            want.push(format!("stage.{}.{k}", st.name));
        }
    }
    want.extend(["mean_days_to_verdict", "median_days_to_verdict"].map(String::from));
    // v1 names come in v1 order (v2 names may be added between them).
    let got: Vec<&String> = layout
        .metrics()
        .iter()
        .filter(|n| want.contains(n))
        .collect();
    assert_eq!(got, want.iter().collect::<Vec<_>>());

    let mut series: Vec<String> = s
        .facilities
        .iter()
        .map(|f| format!("occupancy.{}", f.name))
        .collect();
    series.extend(["in_custody", "in_syria", "transferred_cumulative"].map(String::from));
    series.extend(s.court.stages.iter().map(|st| format!("queue.{}", st.name)));
    assert_eq!(&layout.series()[..series.len()], &series[..]);
}

/// Every name of a layout is its row's pattern with the entity's name, and
/// positions by key agree with positions by name.
#[test]
fn names_and_keys_agree() {
    let plan = Plan::new(&presets::baseline()).unwrap();
    let layout = plan.layout();
    for (i, name) in layout.metrics().iter().enumerate() {
        let def = layout.metric_def(i);
        assert_eq!(layout.find_metric(name).unwrap(), i);
        if def.key == Metric::Param {
            // One per `[uncertainty]` path: `param.<path>`.
            let path = name.strip_prefix("param.").unwrap();
            let u = plan.scenario().uncertainty.as_ref().unwrap();
            assert!(u.paths().iter().any(|p| p == path), "{name}");
        } else if def.scope == Scope::Global {
            assert_eq!(name, def.pattern);
        } else {
            let (pre, post) = def.pattern.split_once(def.scope.placeholder()).unwrap();
            assert!(
                name.starts_with(pre) && name.ends_with(post),
                "{name} vs {}",
                def.pattern
            );
        }
    }
    let f = plan.scenario().facilities.len() - 1;
    let i = layout.position(Metric::PeakOccupancy, f).unwrap();
    let last = &plan.scenario().facilities[f].name;
    assert_eq!(
        layout.metrics()[i],
        format!("facility.{last}.peak_occupancy")
    );
    for (i, name) in layout.series().iter().enumerate() {
        assert_eq!(layout.find_series(name).unwrap(), i);
        assert!(schema::series_defs().any(|d| std::ptr::eq(d, layout.series_def(i))));
    }
}

/// A misspelled name is an error naming it and listing the valid names,
/// the closest first.
#[test]
fn a_wrong_name_lists_the_valid_ones_closest_first() {
    let out = custody_sim::simulate(&presets::baseline(), 1).unwrap();
    let err = out.try_metric("transfered").unwrap_err();
    let Error::UnknownName {
        kind: what,
        name,
        valid,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!((*what, name.as_str()), ("metric", "transfered"));
    assert_eq!(valid[0], "transferred");
    assert_eq!(valid.len(), out.layout().metrics().len());
    let text = err.to_string();
    assert!(text.starts_with("no metric named \"transfered\""), "{text}");
    assert!(text.contains("\"escaped\""), "{text}");
    assert!(
        out.try_series("occupancy.Nasiriya")
            .unwrap_err()
            .to_string()
            .contains("\"occupancy.Nasiriyah\"")
    );
    assert_eq!(
        out.try_metric("transferred").unwrap(),
        out.metric("transferred")
    );
    assert_eq!(
        out.try_series("in_syria").unwrap(),
        out.series("in_syria").unwrap()
    );
}

const BEGIN: &str = "<!-- metrics:begin -->";
const END: &str = "<!-- metrics:end -->";

/// `docs/model.md` holds exactly [`schema::schema_markdown`] between its
/// markers. To regenerate it, run
/// `CUSTODY_SIM_BLESS=1 cargo test --release --test integration docs_hold_the_schema_tables`.
///
/// Skipped (with a message) only while `docs/model.md` does not exist.
#[test]
fn docs_hold_the_schema_tables() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/model.md");
    if !path.exists() {
        eprintln!("docs/model.md does not exist yet: schema table check skipped");
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let (Some(b), Some(e)) = (text.find(BEGIN), text.find(END)) else {
        panic!("docs/model.md has no {BEGIN} ... {END} markers around the metric tables");
    };
    assert!(b < e, "docs/model.md: {BEGIN} must come before {END}");
    let inside = &text[b + BEGIN.len()..e];
    let want = schema::schema_markdown();
    if inside != want {
        if std::env::var_os("CUSTODY_SIM_BLESS").is_some() {
            let new = format!("{}{want}{}", &text[..b + BEGIN.len()], &text[e..]);
            std::fs::write(&path, new).unwrap();
            return;
        }
        panic!(
            "docs/model.md's metric tables differ from the schema (src/model/schema.rs); regenerate them with\n  CUSTODY_SIM_BLESS=1 cargo test --release --test integration docs_hold_the_schema_tables\nexpected:\n{want}"
        );
    }
}
