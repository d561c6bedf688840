//! The capacity answers (`report::answers`) on small scenarios whose
//! arrivals are deterministic, so that every date is known exactly; the
//! new metric `first_day_back_under` on the same scenarios; the answers in
//! the `run` table and in `run --json`.

use custody_sim::montecarlo::{Runs, run};
use custody_sim::report::answers::{Answers, Clears, Relief, When};
use custody_sim::scenario::Relocation;
use custody_sim::{Dist, Facility, Group, Phase, Scenario, Stage, Summary};
use serde_json::Value;

use super::cli::{Scratch, expect};

/// Ten arrivals a day (one convoy at each whole time 0, 1, ..., 9), no
/// transit, all to `A` (50 beds), where a trial outlasts the horizon, so
/// no one leaves; `B` (1,000 beds) receives 60 from `A` by a relocation
/// on day 30 when `relocate`; `C` (10 beds, 12 inside) receives no one.
fn scenario(relocate: bool) -> Scenario {
    let mut b = Scenario::builder("answers", 60)
        .start_date("2026-01-21")
        .phase(Phase::new(0.0, Dist::fixed(1.0), Dist::fixed(10.0)))
        .group(Group::new("Iraqi", 100))
        .facility(Facility::new("A", 50))
        .facility(Facility::new("B", 1000))
        .facility(Facility::new("C", 10).with_initial_occupancy(12))
        .receiving(["A"])
        .stage(Stage::new("trial", 1, Dist::fixed(1000.0)));
    if relocate {
        b = b.relocation(Relocation::new(30.0, "A", "B", 60));
    }
    b.build().unwrap()
}

fn runs() -> Runs {
    Runs {
        replications: 4,
        seed: 3,
        threads: 1,
    }
}

/// Every replication's value of `name` (all equal here): the mean, after
/// checking that the band has zero width.
fn exact(s: &Summary, name: &str) -> Option<f64> {
    let m = s.metric(name).unwrap_or_else(|| panic!("no metric {name}"));
    assert_eq!(m.min, m.max, "{name} differs between replications");
    m.mean
}

/// The record of time 5 is the first above 50 (convoys at 0..=5: 60
/// inside); the peak, 100 (200%), is first reached at time 9; the
/// relocation at time 30 leaves 40, at or below the beds, in the record
/// of time 30: 25 records over capacity (5..=29).
#[test]
fn first_day_back_under_counts_from_the_peak() {
    let s = run(&scenario(true), &runs()).unwrap();
    assert_eq!(exact(&s, "facility.A.first_day_over_capacity"), Some(5.0));
    assert_eq!(exact(&s, "facility.A.peak_occupancy"), Some(100.0));
    assert_eq!(exact(&s, "facility.A.peak_occupancy_rate"), Some(2.0));
    assert_eq!(exact(&s, "facility.A.days_over_capacity"), Some(25.0));
    assert_eq!(exact(&s, "facility.A.first_day_back_under"), Some(30.0));
    // Never over capacity: no value in any replication.
    let b = s.metric("facility.B.first_day_back_under").unwrap();
    assert_eq!((b.n, b.mean), (0, None));
    // Over from day 0 to the horizon: the sentinel, horizon + 1.
    assert_eq!(exact(&s, "facility.C.first_day_back_under"), Some(61.0));
    assert_eq!(s.past_horizon("facility.C.first_day_back_under"), Some(4));
    assert_eq!(s.past_horizon("facility.A.first_day_back_under"), Some(0));
    assert_eq!(
        s.past_horizon("facility.B.first_day_over_capacity"),
        Some(4)
    );
    // Without the relocation, A stays over to the horizon.
    let s = run(&scenario(false), &runs()).unwrap();
    assert_eq!(exact(&s, "facility.A.first_day_back_under"), Some(61.0));
    assert_eq!(exact(&s, "facility.A.days_over_capacity"), Some(56.0));
}

/// The same run in words and dates: day 5 is the end of 25 January 2026,
/// day 30 the end of 19 February.
#[test]
fn answers_give_exact_dates_on_deterministic_arrivals() {
    let sc = scenario(true);
    let s = run(&sc, &runs()).unwrap();
    let a = Answers::new(&sc, &s);
    assert_eq!(a.facilities.len(), 3);
    let [fa, fb, fc] = [&a.facilities[0], &a.facilities[1], &a.facilities[2]];
    match &fa.first_over_capacity {
        When::Date {
            day,
            date,
            p95_date,
            share_not_within,
            ..
        } => {
            assert_eq!(*day, 5.0);
            assert_eq!(date, "2026-01-25");
            assert_eq!(p95_date.as_deref(), Some("2026-01-25"));
            assert_eq!(*share_not_within, Some(0.0));
        }
        w => panic!("{w:?}"),
    }
    match &fa.back_under {
        When::Date { date, .. } => assert_eq!(date, "2026-02-19"),
        w => panic!("{w:?}"),
    }
    assert!(!fa.input_only && !fb.input_only && fc.input_only);
    let text = fa.text.text();
    assert!(
        text.starts_with("A passes its 50 beds on 25 Jan 2026 (90% of runs: that day)"),
        "{text}"
    );
    assert!(
        text.contains("peak 100, the same in every run (fixed by the scenario), 200% of its beds"),
        "{text}"
    );
    assert!(
        text.contains("over capacity on 25 days, the same in every run (fixed by the scenario)"),
        "{text}"
    );
    assert!(
        text.contains("back under its beds after the peak on 19 Feb 2026"),
        "{text}"
    );
    // B never passes its beds: "not within the horizon", in every run.
    assert_eq!(
        fb.first_over_capacity,
        When::NotWithinHorizon {
            share: Some(1.0),
            p5_day: None,
            p5_date: None
        }
    );
    assert_eq!(fb.back_under, When::NotApplicable);
    assert!(
        fb.text
            .text()
            .contains("stays within its 1,000 beds to the horizon (21 Mar 2026) in every run"),
        "{}",
        fb.text.text()
    );
    // C: over on day 0, input only, never back under.
    assert_eq!(fc.first_over_capacity, When::OnDay0);
    assert!(matches!(fc.back_under, When::NotWithinHorizon { share: Some(x), .. } if x == 1.0));
    let t = fc.text.text();
    assert!(t.starts_with("C (input only: no transferee arrives and no rule moves anyone in) is already over its 10 beds on day 0 (12 inside)"), "{t}");
    assert!(
        t.contains("not back under its beds within the horizon in any run that passes them"),
        "{t}"
    );
    // The court: one server, a trial of 1,000 days: the queue grows to 99
    // and never clears.
    assert_eq!(a.stages.len(), 1);
    assert_eq!(a.stages[0].peak_queue.mean, Some(99.0));
    assert_eq!(a.stages[0].clears, Clears::NotWithinHorizon);
    // No group is repatriated.
    assert!(a.groups.is_empty());
}

/// Half of the runs pass the beds, half do not: the share is exact.
#[test]
fn the_share_of_runs_that_never_pass_the_beds_is_exact() {
    let sc = scenario(true);
    let s = run(&sc, &runs()).unwrap();
    // Pretend two of the four runs never passed A's beds: the answer reads
    // the count of `past_horizon`, not the quantiles.
    let mut s2 = s.clone();
    for (n, k) in &mut s2.past_horizon {
        if n == "facility.A.first_day_over_capacity" {
            *k = 1;
        }
    }
    let a = Answers::new(&sc, &s2);
    match &a.facilities[0].first_over_capacity {
        When::Date {
            share_not_within, ..
        } => assert_eq!(*share_not_within, Some(0.25)),
        w => panic!("{w:?}"),
    }
    assert!(
        a.facilities[0]
            .text
            .text()
            .contains("and stays within them to the horizon in 25% of runs")
    );
}

/// `run` leads with the answers; `run --json` adds an `answers` object
/// whose sentences are the table's.
#[test]
fn run_table_and_json_lead_with_the_answers() {
    let dir = Scratch::new("answers-cli");
    let file = crate::fixtures::write_scenario(&dir, "s.toml", &scenario(true));
    let out = expect(0, &["run", &file, "-n", "3", "--seed", "2"]);
    let table = String::from_utf8(out.stdout).unwrap();
    let answers = table.find("\nAnswers\n").expect("an Answers block");
    assert!(answers < table.find("\nTransfer\n").unwrap(), "{table}");
    assert!(
        table.contains("  A passes its 50 beds on 25 Jan 2026"),
        "{table}"
    );
    let json = dir.arg("out.json");
    expect(
        0,
        &[
            "run", &file, "-n", "3", "--seed", "2", "--json", &json, "--quiet",
        ],
    );
    let j: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.last(), Some(&"answers"), "added after every other key");
    let f = &j["answers"]["facilities"];
    assert_eq!(f[0]["facility"], "A");
    assert_eq!(f[0]["first_over_capacity"]["kind"], "date");
    assert_eq!(f[0]["first_over_capacity"]["date"], "2026-01-25");
    assert_eq!(f[0]["back_under"]["date"], "2026-02-19");
    assert_eq!(f[2]["input_only"], true);
    assert_eq!(f[2]["peak_occupancy"]["fixed_by_scenario"], true);
    for x in f.as_array().unwrap() {
        let text = x["text"].as_str().unwrap();
        assert!(table.contains(text), "{text} not in\n{table}");
    }
}

/// Half of the arrivals (the Turkish) are repatriated 20 days after they
/// arrive: by day 30 all of them have left A, which is then at or below
/// its 50 beds, while without repatriation it stays over to the horizon
/// (56 days over). Every paired run spares at least 30 days over
/// capacity; the peak (day 9) comes before anyone leaves.
#[test]
fn relief_pairs_the_run_without_repatriation() {
    let mut sc = scenario(false);
    sc.groups = vec![
        Group::new("Iraqi", 50),
        Group::new("Turkish", 50).with_repatriation(1.0, Dist::fixed(20.0), 0.0),
    ];
    let r = Relief::new(&sc, &runs()).unwrap();
    assert_eq!(r.switched_off, ["group[1].repatriation.probability"]);
    let a = &r.facilities[0];
    assert_eq!(a.facility, "A");
    assert_eq!(a.peak_occupancy.mean, Some(0.0));
    let d = &a.days_over_capacity;
    assert_eq!(d.n, 4);
    assert!(d.mean.unwrap() >= 30.0, "{d:?}");
    assert!(d.ci95_low.unwrap() > 0.0, "{d:?}");
    assert!(
        a.text
            .text()
            .starts_with("Repatriation spares A 0 persons at its peak"),
        "{}",
        a.text.text()
    );
    // Nothing to switch off: nothing spared.
    let r = Relief::new(&scenario(false), &runs()).unwrap();
    assert!(r.switched_off.is_empty());
    assert_eq!(r.facilities[0].days_over_capacity.mean, Some(0.0));
}

/// `run --relief` adds the relief to the table, the JSON and the report.
#[test]
fn run_relief_on_the_command_line() {
    let dir = Scratch::new("answers-relief");
    let mut sc = scenario(false);
    sc.groups = vec![
        Group::new("Iraqi", 50),
        Group::new("Turkish", 50).with_repatriation(1.0, Dist::fixed(20.0), 0.0),
    ];
    let file = crate::fixtures::write_scenario(&dir, "s.toml", &sc);
    let (json, report) = (dir.arg("out.json"), dir.arg("r.html"));
    let out = expect(
        0,
        &[
            "run", &file, "-n", "3", "--relief", "--json", &json, "--report", &report,
        ],
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("  Repatriation spares A 0 persons at its peak"),
        "{table}"
    );
    let j: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let f = &j["answers"]["relief"]["facilities"][0];
    assert_eq!(f["facility"], "A");
    assert!(f["days_over_capacity"]["mean"].as_f64().unwrap() >= 30.0);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("data-answer=\"relief.A\""));
    // Without the flag, no relief.
    expect(0, &["run", &file, "-n", "3", "--json", &json, "--quiet"]);
    let j: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(j["answers"].get("relief").is_none());
}

/// The runs of the drawn-beds tests.
const DRAWN_RUNS: Runs = Runs {
    replications: 40,
    seed: 3,
    threads: 1,
};

/// `sc` with A's beds drawn from 40 to 60 and C's (at `c_path`) from 5 to
/// 20.
fn with_drawn_beds(mut sc: Scenario, c_path: &str) -> Scenario {
    sc.uncertainty = Some(custody_sim::scenario::Uncertainty::new([
        ("facility[A].capacity", Dist::uniform_int(40, 60)),
        (c_path, Dist::uniform_int(5, 20)),
    ]));
    sc
}

/// A capacity `[uncertainty]` draws is not "its N beds" of every run: the
/// answer says the file's figure and the band of the drawn beds, and a
/// facility over its file's beds on day 0 is not called over in every
/// run when its beds are drawn (in runs with more beds than people it
/// never passes them). The JSON carries the drawn beds' band.
#[test]
fn drawn_beds_are_said_as_a_band() {
    let sc = with_drawn_beds(scenario(false), "facility[C].capacity");
    let s = run(&sc, &DRAWN_RUNS).unwrap();
    let a = Answers::new(&sc, &s);
    let fa = &a.facilities[0];
    let fc = &a.facilities[2];
    let band = fa.beds_drawn.as_ref().expect("A's beds are drawn");
    let (lo, hi) = (band.p5.unwrap(), band.p95.unwrap());
    assert!((40.0..=60.0).contains(&lo) && (40.0..=60.0).contains(&hi) && lo < hi);
    assert!(
        a.facilities[1].beds_drawn.is_none(),
        "B's beds are the file's"
    );
    let text = fa.text.text();
    assert!(
        text.starts_with(&format!(
            "A passes its beds (50 in the file; drawn per run, 90% of runs: {}–{}) on ",
            lo.round(),
            hi.round()
        )),
        "{text}"
    );
    let text = fc.text.text();
    assert_ne!(fc.first_over_capacity, When::OnDay0, "{text}");
    assert!(!text.contains("already over"), "{text}");
    assert!(
        text.contains("its beds (10 in the file; drawn per run, "),
        "{text}"
    );
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["facilities"][0]["beds_drawn"]["p5"], lo);
    assert!(json["facilities"][1].get("beds_drawn").is_none());
}

/// The run table and `compare`'s calendar say drawn beds as the answers
/// do: the beds cell of a facility whose capacity `[uncertainty]` draws
/// is the band of its draws (not the file's figure), its first day over
/// is each run's (not "over on day 0", though the file's 12 people
/// exceed the file's 10 beds), and a note gives the file's figures.
#[test]
fn drawn_beds_in_the_run_table_and_the_calendar() {
    use custody_sim::decide::compare::Calendar;
    use custody_sim::report::table::summary_table;

    let plain = scenario(false);
    assert_eq!(Calendar::of(&plain).over_on_day0, ["C"]);
    // C's beds under an index path: drawn all the same.
    let sc = with_drawn_beds(plain.clone(), "facility[2].capacity");
    assert!(Calendar::of(&sc).over_on_day0.is_empty());
    let runs = DRAWN_RUNS;
    let s = run(&sc, &runs).unwrap();
    let a = Answers::new(&sc, &s);
    let table = summary_table(&sc, &s, Some(&a));
    let facilities = &table[table.find("Facilities (end-of-day occupancy)").unwrap()..];
    let row = |name: &str| {
        facilities
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no row {name}:\n{table}"))
            .to_string()
    };
    let band = |b: &custody_sim::report::answers::Band| {
        format!("[{}–{}]", b.p5.unwrap().round(), b.p95.unwrap().round())
    };
    let (ra, rb, rc) = (row("A"), row("B"), row("C"));
    let fa = a.facilities[0].beds_drawn.as_ref().unwrap();
    let fc = a.facilities[2].beds_drawn.as_ref().unwrap();
    assert!(ra.contains(&band(fa)), "{ra}");
    assert!(rc.contains(&band(fc)), "{rc}");
    assert!(!rc.contains("over on day 0"), "{rc}");
    // B's beds are the file's: a single figure.
    assert!(rb.split_whitespace().nth(1) == Some("1,000"), "{rb}");
    assert!(
        table.contains("in the file: A 50 beds, 0 on day 0; C 10 beds, 12 on day 0)"),
        "{table}"
    );
    // Without the draws, C is over on day 0 in every run.
    let s = run(&plain, &runs).unwrap();
    let table = summary_table(&plain, &s, None);
    assert!(table.contains("over on day 0"), "{table}");
    assert!(!table.contains("drawn per run by [uncertainty]"), "{table}");
}
