//! The methods of `sensitivity` in its HTML report and charts, run as a
//! real process with `--json`, `--report` and `--plots` in the same
//! invocation: a Morris screening, a regional analysis, and a Sobol
//! analysis with a group, a dummy, second-order indices and a series on
//! two days. Each report holds its table and chart, and the numbers it
//! gives are the JSON's, exactly.

use custody_sim::report::format::label;
use scraper::{ElementRef, Html};

use super::cli::Scratch;
use super::report_html::{data, num, report_of, sel};

const FROM: &str = r#"transfer.phase[1].from={dist="uniform",low=17,high=25}"#;
const SERVERS: &str = r#"court.stage[trial].servers={dist="uniform_int",low=10,high=40}"#;
const INTERVAL: &str = r#"transfer.phase[0].interval_days.value={dist="uniform",low=2,high=4}"#;

/// The report's table whose caption is `caption`.
fn table<'a>(doc: &'a Html, caption: &str) -> ElementRef<'a> {
    doc.select(&sel("#tables figure.table"))
        .find(|f| {
            f.select(&sel("figcaption"))
                .next()
                .is_some_and(|c| c.text().collect::<String>() == caption)
        })
        .unwrap_or_else(|| panic!("no table {caption:?}"))
}

/// The body rows of a table, each as its cells.
fn rows(t: ElementRef<'_>) -> Vec<Vec<ElementRef<'_>>> {
    t.select(&sel("tbody tr"))
        .map(|r| r.select(&sel("td")).collect())
        .collect()
}

fn text(e: ElementRef<'_>) -> String {
    e.text().collect()
}

/// The exact number a table cell gives.
fn cell(e: ElementRef<'_>) -> f64 {
    e.select(&sel("data"))
        .next()
        .unwrap_or_else(|| panic!("no number in {}", e.html()))
        .value()
        .attr("value")
        .unwrap()
        .parse()
        .unwrap()
}

/// The captions of the report's charts, and their SVG.
fn charts(doc: &Html) -> Vec<(String, String)> {
    doc.select(&sel("#charts figure.chart"))
        .map(|f| {
            let cap = f.select(&sel("figcaption")).next().map(text).unwrap();
            (cap, f.html())
        })
        .collect()
}

/// The answer about `metric` that gives a number of class `class`.
fn answer_with<'a>(doc: &'a Html, metric: &str, class: &str) -> ElementRef<'a> {
    doc.select(&sel("#answers li"))
        .find(|li| {
            li.value().attr("data-metric") == Some(metric)
                && li.select(&sel(&format!("data.{class}"))).next().is_some()
        })
        .unwrap_or_else(|| panic!("no answer about {metric} with {class}"))
}

fn files(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Morris: the start of the fast phase moves the pool in Syria on day 40,
/// the trial panels cannot (every elementary effect exactly 0 on common
/// random numbers). The answer names the first, with the JSON's μ*; the
/// table lists both by μ*, the panels' μ* and σ exactly 0; the chart
/// `morris_<metric>` is in the report and in `--plots`.
#[test]
fn morris_report_and_charts_carry_the_screening() {
    let dir = Scratch::new("morris-report");
    let plots = dir.path("plots");
    let (doc, _, j) = report_of(
        &dir,
        &[
            "sensitivity",
            "plan-2026-01",
            "--method",
            "morris",
            "--trajectories",
            "4",
            "--set",
            "horizon_days=60",
            "--metric",
            "in_syria@40",
            "--param",
            SERVERS,
            "--param",
            FROM,
            "--plots",
            plots.to_str().unwrap(),
        ],
    );
    let ix = j["metrics"][0]["indices"].as_array().unwrap();
    let from = ix
        .iter()
        .find(|i| i["path"] == "transfer.phase[1].from")
        .unwrap();
    assert!(num(&from["mu_star"]) > 0.0, "{from}");
    let li = answer_with(&doc, "in_syria@40", "mu_star");
    assert!(li.text().any(|t| t == "transfer.phase[1].from"));
    assert_eq!(data(li, "mu_star"), num(&from["mu_star"]));
    assert_eq!(data(li, "sigma"), num(&from["sigma"]));
    let t = rows(table(&doc, "in_syria@40 (Morris screening)"));
    assert_eq!(t.len(), 2);
    assert_eq!(text(t[0][0]), "transfer.phase[1].from");
    assert_eq!(cell(t[0][1]), num(&from["mu_star"]));
    assert_eq!(cell(t[0][2]), num(&from["mu"]));
    assert_eq!(text(t[1][0]), "court.stage[trial].servers");
    assert_eq!((cell(t[1][1]), cell(t[1][3])), (0.0, 0.0));
    assert_eq!(cell(t[1][4]), 4.0, "four effects used");
    let c = charts(&doc);
    assert_eq!(
        c.len(),
        1,
        "{:?}",
        c.iter().map(|c| &c.0).collect::<Vec<_>>()
    );
    assert!(c[0].0.starts_with("Morris screening: "), "{}", c[0].0);
    assert!(c[0].1.contains("court.stage[trial].servers") && c[0].1.contains("mu*"));
    assert_eq!(
        files(&plots),
        ["morris_in_syria_40.png", "morris_in_syria_40.svg"]
    );
}

/// Regional: the pool in Syria below 5,600 on day 20 is decided by when
/// the fast phase starts (distance near 1), not by the trial panels. The
/// answer gives the JSON's split and top distance; the table gives every
/// distance and p-value, by distance, and which separate at 5%; the chart
/// draws the 5% distance; the CSV and the terminal table are the
/// library's.
#[test]
fn regional_report_carries_the_distances_and_the_five_percent_line() {
    let dir = Scratch::new("regional-report");
    let plots = dir.path("plots");
    let csv = dir.arg("r.csv");
    let (doc, _, j) = report_of(
        &dir,
        &[
            "sensitivity",
            "plan-2026-01",
            "--set",
            "horizon_days=40",
            "--region",
            "in_syria@20<5600",
            "--param",
            SERVERS,
            "--param",
            FROM,
            "--samples",
            "120",
            "--csv",
            &csv,
            "--plots",
            plots.to_str().unwrap(),
        ],
    );
    let (holds, fails) = (num(&j["holds"]), num(&j["fails"]));
    assert!(holds > 10.0 && fails > 10.0, "{j}");
    let li = answer_with(&doc, "in_syria@20", "holds");
    assert_eq!(data(li, "holds"), holds);
    assert_eq!(data(li, "fails"), fails);
    assert_eq!(data(li, "samples"), 120.0);
    let ix = j["indices"].as_array().unwrap();
    let (servers, from) = (&ix[0], &ix[1]);
    assert_eq!(from["path"], "transfer.phase[1].from");
    assert!(num(&from["ks"]) > 0.8 && num(&servers["ks"]) < 0.3, "{j}");
    let top = doc
        .select(&sel("#answers li"))
        .find(|li| li.select(&sel("data.ks")).next().is_some())
        .unwrap();
    assert_eq!(data(top, "ks"), num(&from["ks"]));
    assert_eq!(data(top, "p_value"), num(&from["p_value"]));
    let t = rows(table(
        &doc,
        "in_syria@20 < 5,600: Kolmogorov–Smirnov distances",
    ));
    assert_eq!(t.len(), 2);
    assert_eq!(text(t[0][0]), "transfer.phase[1].from");
    assert_eq!(cell(t[0][1]), num(&from["ks"]));
    assert_eq!(cell(t[0][2]), num(&from["p_value"]));
    assert_eq!(text(t[0][3]), "yes");
    assert_eq!(text(t[1][0]), "court.stage[trial].servers");
    assert_eq!(cell(t[1][1]), num(&servers["ks"]));
    let yes = if num(&servers["p_value"]) < 0.05 {
        "yes"
    } else {
        "no"
    };
    assert_eq!(text(t[1][3]), yes);
    // The chart draws the distance at which the asymptotic p-value is 5%.
    let m = holds * fails / (holds + fails);
    let crit = 1.358_098_6 / (m.sqrt() + 0.12 + 0.11 / m.sqrt());
    let c = charts(&doc);
    assert_eq!(c.len(), 1);
    assert!(
        c[0].0.starts_with("Regional sensitivity: in_syria@20 < "),
        "{}",
        c[0].0
    );
    assert!(
        c[0].1
            .contains(&format!("separates at the 5% level beyond {}", label(crit))),
        "{crit}: {}",
        c[0].1
    );
    assert_eq!(files(&plots), ["regional.png", "regional.svg"]);
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "path,ks,p_value");
    assert_eq!(
        lines[2],
        format!(
            "transfer.phase[1].from,{},{}",
            from["ks"].as_f64().unwrap(),
            from["p_value"].as_f64().unwrap()
        )
    );
}

/// Sobol with a group, a dummy, second-order indices and the pool in
/// Syria on two days: the report gives each metric's noise floor (the
/// JSON's dummy total) and the factors above it, the dummy's row and
/// "no (≈ dummy)" beside the trial panels (which cannot touch the pool),
/// the groups, the second-order table, the indices by date; the charts:
/// the noise floor drawn on the Sobol chart, the second-order chart, the
/// indices over time.
#[test]
fn sobol_report_shows_groups_the_noise_floor_second_order_and_time() {
    let dir = Scratch::new("sobol-methods-report");
    let (doc, _, j) = report_of(
        &dir,
        &[
            "sensitivity",
            "plan-2026-01",
            "--set",
            "horizon_days=60",
            "--metric",
            "in_syria@2026-01-26",
            "--metric",
            "in_syria@40",
            "--param",
            INTERVAL,
            "--param",
            SERVERS,
            "--param",
            FROM,
            "--group",
            "pace=transfer.phase[1].from, transfer.phase[0].interval_days.value",
            "--dummy",
            "--second-order",
            "--samples",
            "64",
            "--bootstrap",
            "100",
            "-n",
            "2",
        ],
    );
    let m = &j["metrics"][1];
    assert_eq!(m["metric"], "in_syria@40");
    let li = answer_with(&doc, "in_syria@40", "dummy_total");
    assert_eq!(
        data(li, "dummy_total"),
        num(&m["dummy"]["total"]["estimate"])
    );
    let above = m["indices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["above_dummy"] == true)
        .count();
    assert_eq!(above, 1, "the pace group only: {m}");
    assert_eq!(data(li, "above_dummy"), above as f64);
    // The metric's table: the group, the panels at the floor, the dummy.
    let caption = doc
        .select(&sel("#tables figure.table figcaption"))
        .map(text)
        .find(|c| c.starts_with("in_syria@40 (variance "))
        .unwrap();
    let t = rows(table(&doc, &caption));
    assert_eq!(t.len(), 3);
    let servers = t
        .iter()
        .find(|r| text(r[0]) == "court.stage[trial].servers")
        .unwrap();
    assert_eq!(text(servers[7]), "no (≈ dummy)");
    let pace = t.iter().find(|r| text(r[0]) == "pace").unwrap();
    assert_eq!(text(pace[7]), "yes");
    let dummy = t.last().unwrap();
    assert_eq!(text(dummy[0]), "(dummy)");
    assert_eq!(cell(dummy[3]), num(&m["dummy"]["total"]["estimate"]));
    assert_eq!(cell(dummy[1]), num(&m["dummy"]["first_order"]["estimate"]));
    let g = rows(table(&doc, "Parameter groups"));
    assert_eq!(g.len(), 1);
    assert_eq!(
        (text(g[0][0]).as_str(), text(g[0][1]).as_str()),
        (
            "pace",
            "transfer.phase[1].from, transfer.phase[0].interval_days.value"
        )
    );
    let p = rows(table(&doc, "in_syria@40: second-order indices"));
    let pairs = m["second_order"].as_array().unwrap();
    assert_eq!(p.len(), pairs.len());
    assert_eq!(
        text(p[0][0]),
        format!(
            "{} × {}",
            pairs[0]["pair"][0].as_str().unwrap(),
            pairs[0]["pair"][1].as_str().unwrap()
        )
    );
    assert_eq!(cell(p[0][1]), num(&pairs[0]["second_order"]["estimate"]));
    // The indices over time: every factor on each day, by date.
    let o = rows(table(&doc, "in_syria: indices over time"));
    assert_eq!(o.len(), 2 * 2);
    assert_eq!((text(o[0][0]).as_str(), cell(o[0][1])), ("2026-01-26", 5.0));
    assert_eq!(
        (text(o[2][0]).as_str(), cell(o[2][1])),
        ("2026-03-02", 40.0)
    );
    for (r, i) in o[2..].iter().zip(m["indices"].as_array().unwrap()) {
        assert_eq!(text(r[2]), i["path"].as_str().unwrap());
        assert_eq!(cell(r[4]), num(&i["total"]["estimate"]));
        assert_eq!(cell(r[3]), num(&i["first_order"]["estimate"]));
    }
    // The charts: tornado, Sobol and second order per metric, then the
    // indices over time.
    let c = charts(&doc);
    let caps: Vec<&str> = c.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(c.len(), 7, "{caps:?}");
    assert_eq!(caps[6], "Sobol indices over time: in_syria");
    assert_eq!(
        caps.iter()
            .filter(|c| c.starts_with("Second-order Sobol indices: "))
            .count(),
        2,
        "{caps:?}"
    );
    // The noise floor, drawn at the upper end of the dummy's total.
    let floor = label(num(&m["dummy"]["total"]["ci95_high"]));
    let sobol = &c[4].1;
    assert!(caps[4].starts_with("Sobol indices: "), "{caps:?}");
    assert!(
        sobol.contains(&format!("total index, 95% upper end ({floor})")),
        "{floor}: {sobol}"
    );
    assert!(sobol.contains("at the noise floor (dummy)") && sobol.contains("group of "));
}
