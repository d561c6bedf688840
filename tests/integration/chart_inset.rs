//! A band thinner than its median line gets an inset zoomed on the days
//! it is widest, its y-range following the band (the occupancy chart);
//! a band wide enough to see does not.

use custody_sim::montecarlo::{Runs, run};
use custody_sim::report::plots::run_figures;
use custody_sim::{Dist, Facility, Group, Phase, Scenario, Stage, Summary};

/// About one arrival a day (exponential intervals) into `Big`, which holds
/// `inside` on day 0 in `beds`; a trial outlasts the horizon, so
/// occupancy is `inside` plus a Poisson count: its 5–95% band is about 25
/// wide at day 60.
fn scenario(beds: u64, inside: u64) -> Scenario {
    Scenario::builder("thin", 60)
        .start_date("2026-01-21")
        .phase(Phase::new(0.0, Dist::exponential(1.0), Dist::fixed(1.0)))
        .group(Group::new("Iraqi", 500))
        .facility(Facility::new("Big", beds).with_initial_occupancy(inside))
        .receiving(["Big"])
        .stage(Stage::new("trial", 1, Dist::fixed(1000.0)))
        .build()
        .unwrap()
}

fn occupancy_svg(s: &Scenario) -> (String, Summary) {
    let sum = run(
        s,
        &Runs {
            replications: 40,
            seed: 2,
            threads: 1,
        },
    )
    .unwrap();
    let figures = run_figures(s, &sum).unwrap();
    let f = figures
        .iter()
        .find(|f| f.stem.starts_with("occupancy"))
        .unwrap();
    (f.svg.clone(), sum)
}

#[test]
fn a_band_thinner_than_its_line_gets_an_inset() {
    // 10,000 inside: a band of about 25 on an axis of 12,000.
    let (svg, sum) = occupancy_svg(&scenario(12_000, 10_000));
    assert!(
        svg.contains("zoomed in the inset"),
        "the note names the inset"
    );
    let caption = svg.find("zoom: days ").expect("an inset with its days");
    let days: Vec<usize> = svg[caption + "zoom: days ".len()..]
        .split(['\u{2013}', '<'])
        .take(2)
        .map(|d| d.trim().parse().unwrap())
        .collect();
    // The inset is on the days the band is widest.
    let b = sum.series("occupancy.Big").unwrap();
    let widths: Vec<f64> = b.p95.iter().zip(&b.p5).map(|(h, l)| h - l).collect();
    let widest = widths.iter().copied().fold(0.0, f64::max);
    let day = widths.iter().position(|&w| w == widest).unwrap() + 1;
    assert!(days[0] <= day && day <= days[1], "{days:?} holds day {day}");
    assert!(widest > 10.0 && widest < 60.0, "{widest}");
    // Its y ticks follow the band (about 10,040 to 10,080), not the axis
    // from 0: a tick label between 10,001 and 10,099 appears.
    let near = svg.split(['>', '<', '\n']).any(|t| {
        let t = t.trim();
        t.len() == 6 && t.starts_with("10,0") && t != "10,000"
    });
    assert!(near, "ticks near the band");
}

#[test]
fn a_band_that_shows_gets_no_inset() {
    // Nobody inside on day 0, 100 beds: a band of about 25 on an axis
    // of about 100.
    let (svg, _) = occupancy_svg(&scenario(100, 0));
    assert!(!svg.contains("zoom: days"));
    assert!(!svg.contains("under the line"));
}
