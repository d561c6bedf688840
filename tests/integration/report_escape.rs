//! Every name a user chooses reaches an HTML report as text, never as
//! markup: a scenario whose scenario, facility, group and court stage
//! names, variant override paths, `--set`/`--vary` paths, uncertain
//! parameters and sensitivity parameters all carry `<script>x</script>`
//! and `"'&`, run through every report that can show them (`run` with
//! `--drivers`, `compare`, `sweep`, `sensitivity` by Sobol and by
//! Morris). Each report parses with no error and no `<script>` element,
//! each name reads back as itself (so it was escaped, not dropped), and
//! no attribute value holds a raw quote or markup.

use scraper::Html;

use custody_sim::Scenario;
use custody_sim::scenario::{Dist, Uncertainty};

use super::cli::Scratch;
use super::fixtures::{
    exponential, facility, fixed, group, header, one_phase, stage, write_scenario,
};
use super::report_html::{report_of, sel};

/// What every name carries: an element, both quotes and an ampersand.
const TAG: &str = r#"<script>x</script>"'&"#;

fn named(stem: &str) -> String {
    format!("{stem}{TAG}")
}

/// `name` as the inside of a TOML basic string.
fn toml(name: &str) -> String {
    name.replace('\\', "\\\\").replace('"', "\\\"")
}

/// One facility, one repatriated group, one court stage, one variant,
/// and two uncertain parameters, every name of them [`named`].
fn nasty() -> Scenario {
    let (f, g, st) = (named("Karkh"), named("Turkish"), named("trial"));
    let text = format!(
        "{}{}\n{}{}\n[court]\nconviction_probability = 0.8\n{}\n[variant.more]\n\"court.stage[{}].servers\" = 6\n",
        header(&toml(&named("Scenario")), 60),
        one_phase(&fixed(1.0), &fixed(1.0), &fixed(12.0)),
        group(
            &toml(&g),
            600,
            "repatriation = { probability = 0.4, delay_days = { dist = \"exponential\", mean = 5.0 } }"
        ),
        facility(&toml(&f), 300),
        stage(&toml(&st), 3, &exponential(4.0), ""),
        toml(&st),
    );
    let mut s = Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    s.uncertainty = Some(Uncertainty::new([
        (
            format!("facility[{f}].capacity").as_str(),
            Dist::uniform_int(200, 400),
        ),
        (
            format!("court.stage[{st}].servers").as_str(),
            Dist::uniform_int(2, 6),
        ),
    ]));
    s
}

/// The checks every report of [`nasty`] passes, beyond [`report_of`]'s
/// (which parses it with no error and finds no `<script`).
fn no_markup_leaks(what: &str, doc: &Html, text: &str) {
    assert_eq!(
        doc.select(&sel("script")).count(),
        0,
        "{what}: a script element"
    );
    // Nothing of a name is left raw: `<`/`>` and the quotes only as markup
    // the report wrote itself.
    assert!(!text.contains("</script>"), "{what}: raw </script>");
    assert!(!text.contains(r#""'&"#), "{what}: raw quotes");
    // The name reads back as itself, whole, in the text.
    let shown: String = doc.root_element().text().collect();
    assert!(
        shown.contains(&named("Karkh")),
        "{what}: the facility's name is not shown"
    );
    // Every attribute value that holds a name holds all of it (a raw
    // quote would have cut it), and nothing else has a `<`.
    for e in doc
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        for (k, v) in e.value().attrs() {
            if v.contains('<') || v.contains('"') || v.contains('\'') {
                assert!(v.contains(TAG), "{what}: attribute {k}={v:?} cut");
            }
        }
    }
}

#[test]
fn no_user_chosen_name_reaches_a_report_as_markup() {
    let dir = Scratch::new("report-escape");
    let s = nasty();
    let file = write_scenario(&dir, "nasty.toml", &s);
    let (f, st) = (named("Karkh"), named("trial"));
    let set = format!("facility[{f}].capacity=320");
    let servers = format!("court.stage[{st}].servers");

    let (doc, text, _) = report_of(
        &dir,
        &[
            "run",
            &file,
            "-n",
            "4",
            "--seed",
            "3",
            "--set",
            &set,
            "--drivers",
            "8",
        ],
    );
    no_markup_leaks("run", &doc, &text);
    // The facility's answer is about it, by its whole name.
    let about = format!("facility.{f}");
    assert!(
        doc.select(&sel("#answers li"))
            .any(|li| li.value().attr("data-answer") == Some(about.as_str())),
        "no answer about {about}"
    );
    assert!(doc.select(&sel("#drivers li")).count() > 0, "no drivers");

    let (doc, text, _) = report_of(
        &dir,
        &["run", &format!("{file}:more"), "-n", "3", "--set", &set],
    );
    no_markup_leaks("run of a variant", &doc, &text);

    let (doc, text, _) = report_of(
        &dir,
        &[
            "compare",
            &file,
            "--set",
            &set,
            "--variant",
            &format!("two:{servers}=2"),
            "-n",
            "3",
        ],
    );
    no_markup_leaks("compare", &doc, &text);

    let (doc, text, _) = report_of(
        &dir,
        &[
            "sweep",
            &file,
            "--vary",
            &format!("{servers}=2,5"),
            "-n",
            "3",
        ],
    );
    no_markup_leaks("sweep", &doc, &text);

    let metric = format!("facility.{f}.peak_occupancy");
    let param = format!("{servers}={{dist=\"uniform_int\",low=1,high=6}}");
    let capacity = format!("facility[{f}].capacity={{dist=\"uniform_int\",low=200,high=400}}");
    let (doc, text, _) = report_of(
        &dir,
        &[
            "sensitivity",
            &file,
            "--metric",
            &metric,
            "--param",
            &param,
            "--param",
            &capacity,
            "--samples",
            "8",
            "--bootstrap",
            "10",
            "-n",
            "2",
        ],
    );
    no_markup_leaks("sensitivity", &doc, &text);

    let (doc, text, _) = report_of(
        &dir,
        &[
            "sensitivity",
            &file,
            "--method",
            "morris",
            "--trajectories",
            "3",
            "--metric",
            &metric,
            "--param",
            &param,
            "--param",
            &capacity,
        ],
    );
    no_markup_leaks("morris", &doc, &text);
}
