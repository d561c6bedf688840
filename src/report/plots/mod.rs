//! Charts of a summary, as SVG and PNG (feature `plots`).
//!
//! The charts of a backtest, of a calibration and of a hindcast
//! (observations over the fan, prior against posterior, posterior
//! predictive, each origin's forecast with its fit and scored rows) are
//! listed in [`calib`].
//!
//! The charts of decision support (a sensitivity analysis's tornado and
//! Sobol indices, a sweep's metrics, a comparison's overlay fans) are
//! listed in [`mod@decide`], with [`sensitivity_figures`], [`sweep_figures`] and
//! [`compare_figures`].
//!
//! [`write_plots`] draws, from a [`Summary`] and the [`Scenario`] it ran:
//!
//! | file | what it shows |
//! | --- | --- |
//! | `occupancy.svg`, `.png` | every facility, one panel each: median end-of-day occupancy (line) in the band of 5% to 95% of replications, against capacity including expansions (dashed) |
//! | `occupancy_<facility>.svg`, `.png` | the same, one facility per file, for the first [`MAX_FACILITY_CHARTS`] facilities (file names are unique even where names differ only in punctuation) |
//! | `court_queues.svg`, `.png` | each court stage's queue, one panel each, median and band |
//!
//! A chart holds at most [`MAX_PANELS`] panels: with more facilities
//! (stages), `occupancy.svg` becomes `occupancy-1of3.svg`, `occupancy-2of3.svg`,
//! … (and `court_queues` likewise). Subtitles name the variant and the
//! `--set` overrides a run was made with.
//! | `transfers.svg`, `.png` | cumulative arrivals in Iraq, median and band, against the number of detainees |
//! | `repatriation.svg`, `.png` | mean repatriated per group (bars), 5% to 95% of replications (whiskers) |
//!
//! Every time axis is in days since day 0 (bottom) and in calendar dates
//! (top), computed from the scenario's `start_date` by
//! [`crate::report::dates::record_date`]: a date's tick sits at its
//! end-of-day record, series day `date − start_date + 1`, where a daily
//! series' point and an observation of that date are drawn. The module is split along its seams: `style` (sizes,
//! fonts, line widths and palette, read by every family; a leaf), `axes` (calendar, ticks,
//! bounds), `draw` (title block, time axes, legend, writing SVG and PNG,
//! shared by every family), `chart` (the one chart abstraction every
//! family implements: a size, a title and a drawing, written as SVG and
//! PNG files or turned into a [`Figure`] the same way for all) and
//! `charts` (the panels and the four charts of a run). Every family's
//! per-item file stems come from one rule (`unique_stems`: the item's
//! position is added where two names share a file-name form). Fonts are large and lines thick, so a chart stays readable when
//! printed at a quarter page.
//!
//! SVG text is written as `<text>` elements with the generic `sans-serif`
//! family, so the reader's system picks the face. PNG text is rasterised
//! with an embedded font: a subset of DejaVu Sans (Latin-1 and a few
//! punctuation marks), `DejaVuSans-subset.ttf` beside this file, under the
//! Bitstream Vera licence with DejaVu's changes in the public domain (see
//! `DejaVuSans-subset.LICENSE.txt` beside it).

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use crate::error::Error;
use crate::montecarlo::Summary;
use crate::scenario::Scenario;

mod axes;
pub mod calib;
mod chart;
mod charts;
pub mod decide;
mod draw;
mod names;
mod style;

pub use calib::hindcast::{hindcast_figures, write_hindcast_plots};
pub use calib::{backtest_figures, calibrate_figures, write_backtest_plots, write_calibrate_plots};

use axes::Calendar;
use chart::Chart as _;
pub use chart::Figure;
use charts::{Context, RunChart};
pub use decide::{
    compare_figures, sensitivity_figures, sweep_figures, write_compare_plots,
    write_sensitivity_plots, write_sweep_plots,
};
pub use style::MAX_PANELS;
use style::ensure_font;

/// Most facilities that get a chart file of their own; past this, the
/// `occupancy` files (every facility, [`MAX_PANELS`] to a file) show them.
pub const MAX_FACILITY_CHARTS: usize = 50;

/// Longest facility part of a chart's file name \[characters\].
const MAX_SLUG: usize = 60;

/// A file-name-safe form of a facility or stage name: lower-case ASCII
/// letters, digits and `_`, at most [`MAX_SLUG`] characters.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(MAX_SLUG)
        .collect();
    s.trim_matches('_').to_string()
}

/// File stems of the per-facility charts: `occupancy_<slug>`, with the
/// facility's position added where a slug is empty (a name in another
/// script) or shared with another facility, and a further `_2`, `_3`, …
/// where that still meets a stem already given: no chart overwrites
/// another ("a", "a!" and "1 a" get three stems).
fn facility_stems(scenario: &Scenario) -> Vec<String> {
    let names: Vec<&str> = scenario
        .facilities
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    unique_stems("occupancy", &names)
}

/// Stems `<prefix>_<slug>`, unique: the item's position is added where a
/// slug is empty or shared, then `_2`, `_3`, … where that still meets a
/// stem already given.
fn unique_stems(prefix: &str, names: &[&str]) -> Vec<String> {
    let slugs: Vec<String> = names.iter().map(|n| slug(n)).collect();
    let mut taken = std::collections::HashSet::new();
    let wanted: Vec<String> = slugs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if s.is_empty() || slugs.iter().filter(|t| *t == s).count() > 1 {
                format!("{prefix}_{}_{s}", i + 1)
                    .trim_end_matches('_')
                    .to_string()
            } else {
                format!("{prefix}_{s}")
            }
        })
        .collect();
    let once: Vec<bool> = wanted
        .iter()
        .map(|w| wanted.iter().filter(|v| *v == w).count() == 1)
        .collect();
    for (w, &one) in wanted.iter().zip(&once) {
        if one {
            taken.insert(w.clone());
        }
    }
    wanted
        .iter()
        .zip(&once)
        .map(|(w, &one)| {
            if one || taken.insert(w.clone()) {
                return w.clone();
            }
            (2..)
                .map(|k| format!("{w}_{k}"))
                .find(|c| taken.insert(c.clone()))
                .unwrap_or_default()
        })
        .collect()
}

/// A chart of a run, with the context it is drawn in and its title.
struct RunFigure<'a> {
    chart: RunChart<'a>,
    cx: &'a Context<'a>,
    title: String,
}

impl chart::Chart for RunFigure<'_> {
    fn size(&self) -> (u32, u32) {
        chart::stacked_size(self.chart.panels())
    }

    fn title(&self) -> String {
        self.title.clone()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<(), Error> {
        self.chart.draw(root, self.cx)
    }
}

/// What [`run_charts`] hands each chart to: its stem, its title, the
/// chart and the context to draw it in.
type EachChart<'f> =
    dyn FnMut(String, String, RunChart<'_>, &Context<'_>) -> Result<(), Error> + 'f;

/// Hands a chart of many panels (`ix`) to `each` as one chart `<stem>`
/// or, past [`MAX_PANELS`], as charts `<stem>-1of<n>`, `<stem>-2of<n>`, …
/// (titled `<title> (1 of <n>)`, …).
fn split_chart(
    stem: &str,
    title: &str,
    ix: &[usize],
    chart: fn(&[usize]) -> RunChart<'_>,
    cx: &Context<'_>,
    each: &mut EachChart<'_>,
) -> Result<(), Error> {
    if ix.len() <= MAX_PANELS {
        return each(stem.into(), title.into(), chart(ix), cx);
    }
    let parts = ix.len().div_ceil(MAX_PANELS);
    for (k, part) in ix.chunks(MAX_PANELS).enumerate() {
        let cx = Context {
            part: Some((k + 1, parts)),
            ..*cx
        };
        each(
            format!("{stem}-{}of{parts}", k + 1),
            format!("{title} ({} of {parts})", k + 1),
            chart(part),
            &cx,
        )?;
    }
    Ok(())
}

/// The context of a run's charts: the calendar of the days both the
/// scenario and the summary cover.
fn run_context<'a>(scenario: &'a Scenario, summary: &'a Summary) -> Result<Context<'a>, Error> {
    let horizon = summary.horizon_days.min(scenario.horizon_days);
    if horizon == 0 {
        return Err(Error::plot("the summary has no days to plot"));
    }
    Ok(Context {
        scenario,
        summary,
        cal: Calendar::new(&summary.start_date, horizon)?,
        overrides: &summary.overrides,
        variant: summary.variant.as_deref(),
        part: None,
    })
}

/// The charts of a run, in order, each handed to `each` with its stem and
/// title: occupancy of all facilities (split past [`MAX_PANELS`]), one per
/// facility for the first [`MAX_FACILITY_CHARTS`], court queues (split
/// likewise), transfers, repatriation. Both [`write_plots`] and
/// [`run_figures`] draw this list; `once` (the report's) leaves out the
/// charts that repeat others (see [`run_figures`]).
fn run_charts(cx: &Context<'_>, once: bool, each: &mut EachChart<'_>) -> Result<(), Error> {
    let scenario = cx.scenario;
    let all: Vec<usize> = (0..scenario.facilities.len()).collect();
    // Where each facility has a chart of its own, the chart of them all
    // shows each a second time: `once` leaves it out.
    if !(once && all.len() <= MAX_FACILITY_CHARTS) {
        split_chart(
            "occupancy",
            "Prison occupancy",
            &all,
            |ix| RunChart::Occupancy(ix),
            cx,
            each,
        )?;
    }
    let stems = facility_stems(scenario);
    let own = if once && all.len() > MAX_FACILITY_CHARTS {
        0
    } else {
        MAX_FACILITY_CHARTS
    };
    for i in all.iter().take(own) {
        each(
            stems[*i].clone(),
            format!("{}: prison occupancy", scenario.facilities[*i].name),
            RunChart::Occupancy(std::slice::from_ref(i)),
            cx,
        )?;
    }
    // The stages, then the appeal (v3) as one more panel.
    let panels = scenario.court.stages.len() + usize::from(scenario.court.appeal.is_some());
    let stages: Vec<usize> = (0..panels).collect();
    split_chart(
        "court_queues",
        "Court queues",
        &stages,
        |ix| RunChart::CourtQueues(ix),
        cx,
        each,
    )?;
    each(
        "transfers".into(),
        "Transfers to Iraq".into(),
        RunChart::Transfers,
        cx,
    )?;
    each(
        "repatriation".into(),
        "Repatriation by group".into(),
        RunChart::Repatriation,
        cx,
    )
}

/// Writes the charts of `summary` (a run of `scenario`) into `dir`, each as
/// SVG and PNG, and returns the paths written. Every subtitle names the
/// variant and the `--set`s the summary was run with
/// ([`Summary::variant`], [`Summary::overrides`]).
///
/// The files are listed in the [module docs](self): occupancy of every
/// facility against its capacity (with expansions), court queues per
/// stage, cumulative transfers, and repatriation per group. A chart holds
/// at most [`MAX_PANELS`] panels; more facilities or stages are split
/// over several files. `dir` is created if missing; existing files of the
/// same names are replaced, each atomically.
///
/// # Errors
///
/// [`Error::Io`] if `dir` cannot be created; [`Error::Plot`] if the summary
/// lacks a series or metric the scenario implies (a summary of another
/// scenario), if `start_date` is not a date, or if a file cannot be drawn
/// or written.
///
/// # Example
///
/// ```no_run
/// use custody_sim::{montecarlo::{run, Runs}, presets, report::plots::write_plots};
///
/// let s = presets::baseline();
/// let summary = run(&s, &Runs { replications: 200, seed: 1, threads: 0 })?;
/// let files = write_plots(&s, &summary, std::path::Path::new("plots"))?;
/// assert!(files.iter().any(|f| f.ends_with("occupancy.svg")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_plots(
    scenario: &Scenario,
    summary: &Summary,
    dir: &Path,
) -> Result<Vec<PathBuf>, Error> {
    ensure_font()?;
    draw::create_dir(dir)?;
    let cx = run_context(scenario, summary)?;
    let mut out = Vec::new();
    run_charts(&cx, false, &mut |stem, title, chart, cx| {
        RunFigure { chart, cx, title }.write(dir, &stem, &mut out)
    })?;
    Ok(out)
}

/// The charts of `summary` (a run of `scenario`) as SVG text, for the
/// HTML report: the charts [`write_plots`] writes as files, in the same
/// order, with the same stems and subtitles, each chart once: one
/// occupancy chart per facility (the chart of all facilities, which
/// repeats them, is left out), court queues, transfers, repatriation.
/// With more than [`MAX_FACILITY_CHARTS`] facilities it is the other way
/// round: the charts of all facilities ([`MAX_PANELS`] to a chart), and
/// none of one facility.
///
/// Each `<svg>` has a `viewBox`, so it scales to the width of a page.
///
/// # Errors
///
/// As [`write_plots`], less the file errors.
///
/// # Example
///
/// ```
/// use custody_sim::{montecarlo::{run, Runs}, presets, report::plots::run_figures};
///
/// let s = presets::baseline().with_variant("high")?.with_param("horizon_days", "60")?;
/// let summary = run(&s, &Runs { replications: 4, seed: 1, threads: 1 })?;
/// let figures = run_figures(&s, &summary)?;
/// assert_eq!(figures[0].stem, "occupancy_karkh");
/// // Each chart once: no chart of all facilities beside theirs.
/// assert!(figures.iter().all(|f| f.stem != "occupancy"));
/// assert!(figures.iter().all(|f| f.svg.starts_with("<svg") && f.svg.contains("viewBox")));
/// assert!(figures[0].svg.contains("baseline, variant high (--set horizon_days=60)"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_figures(scenario: &Scenario, summary: &Summary) -> Result<Vec<Figure>, Error> {
    ensure_font()?;
    let cx = run_context(scenario, summary)?;
    let mut out = Vec::new();
    run_charts(&cx, true, &mut |stem, title, chart, cx| {
        out.push(RunFigure { chart, cx, title }.figure(stem)?);
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::{Runs, run};
    use crate::report::format::thousands;
    use crate::scenario::presets;

    #[test]
    fn axis_helpers() {
        assert_eq!(thousands(14000.0), "14,000");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(-1234567.0), "-1,234,567");
        assert_eq!(slug("Karkh Central (Baghdad)"), "karkh_central__baghdad");
        let mut s = crate::scenario::presets::plan_2026_01();
        s.facilities[0].name = "Al-Hillah".into();
        s.facilities[1].name = "Al Hillah".into();
        s.facilities[2].name = "الناصرية".into();
        assert_eq!(
            facility_stems(&s),
            [
                "occupancy_1_al_hillah",
                "occupancy_2_al_hillah",
                "occupancy_3"
            ]
        );
        // "a" and "a!" share a slug; "1 a" is what their first would take.
        s.facilities[0].name = "a".into();
        s.facilities[1].name = "a!".into();
        s.facilities[2].name = "1 a".into();
        let stems = facility_stems(&s);
        assert_eq!(stems, ["occupancy_1_a", "occupancy_2_a", "occupancy_1_a_2"]);
        s.facilities[2].name = "x".repeat(500);
        assert!(facility_stems(&s)[2].len() <= "occupancy_".len() + MAX_SLUG);
        let cal = Calendar::new("2026-01-21", 730).unwrap();
        let ticks = cal.date_ticks();
        // Two years: a tick every six months (few enough to read on a
        // phone), on January and July.
        assert_eq!(cal.tick(ticks[0]), "Jul 2026");
        assert!(ticks.len() <= 6);
        assert_eq!(cal.day_ticks().last(), Some(&720.0));
    }

    #[test]
    fn write_plots_writes_every_chart_as_svg_and_png() {
        let mut s = presets::baseline();
        s.horizon_days = 120;
        let summary = run(
            &s,
            &Runs {
                replications: 4,
                seed: 1,
                threads: 1,
            },
        )
        .unwrap();
        let dir = std::env::temp_dir().join(format!("custody-sim-plots-{}", std::process::id()));
        let files = write_plots(&s, &summary, &dir).unwrap();
        // occupancy (all + 3 facilities), court queues, transfers, repatriation.
        assert_eq!(files.len(), 2 * (1 + s.facilities.len() + 3));
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            assert!(bytes.len() > 1000, "{} is too small", f.display());
            match f.extension().and_then(|e| e.to_str()) {
                Some("svg") => {
                    let text = String::from_utf8(bytes).unwrap();
                    assert!(text.starts_with("<svg"), "{}", f.display());
                    assert!(text.contains("<text"));
                    assert!(text.trim_end().ends_with("</svg>"));
                }
                Some("png") => assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n"),
                other => panic!("unexpected file type {other:?}"),
            }
        }
        assert!(dir.join("occupancy_nasiriyah.svg").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_overflow_is_drawn_where_it_goes() {
        let text = include_str!("../../../examples/scenarios/kut_overflow.toml");
        let mut s = Scenario::from_toml_str(text).unwrap();
        // Kut opens on day 131; the overflow starts once it has beds.
        s.horizon_days = 200;
        let summary = run(
            &s,
            &Runs {
                replications: 4,
                seed: 1,
                threads: 1,
            },
        )
        .unwrap();
        let figures = run_figures(&s, &summary).unwrap();
        let svg = |stem: &str| {
            &figures
                .iter()
                .find(|f| f.stem == stem)
                .unwrap_or_else(|| panic!("no chart {stem}"))
                .svg
        };
        let karkh = svg("occupancy_karkh");
        // Where Karkh's overflow goes: Kut's line in Karkh's panel, named
        // in the legend, and a note naming both receiving facilities
        // (Nasiriyah, with its 12,800, off Karkh's scale).
        assert!(karkh.contains("Kut (receives overflow): median"));
        assert!(!karkh.contains("Nasiriyah (receives overflow)"));
        assert!(karkh.contains("overflow to Kut, Nasiriyah (off scale):"));
        let moved = summary
            .metric("facility.Karkh.overflowed_out")
            .and_then(|m| m.mean)
            .unwrap();
        assert!(moved > 0.0);
        // (The note wraps: the count and "moved" may be on two lines.)
        assert!(karkh.contains(&thousands(moved)) && karkh.contains("moved"));
        assert!(svg("occupancy_kut").contains("receives overflow from Karkh"));
        assert!(svg("occupancy_nasiriyah").contains("receives overflow from Karkh"));
        // A facility with no overflow either way has no note.
        let hillah = svg("occupancy_hillah");
        assert!(!hillah.contains("overflow to") && !hillah.contains("receives overflow"));
        // Each chart once: no chart of all facilities beside theirs.
        assert!(figures.iter().all(|f| f.stem != "occupancy"));
    }

    #[test]
    fn a_summary_of_another_scenario_is_an_error() {
        let mut s = presets::baseline();
        s.horizon_days = 30;
        let summary = run(
            &s,
            &Runs {
                replications: 2,
                seed: 1,
                threads: 1,
            },
        )
        .unwrap();
        s.facilities[0].name = "Elsewhere".into();
        let dir =
            std::env::temp_dir().join(format!("custody-sim-plots-err-{}", std::process::id()));
        let e = write_plots(&s, &summary, &dir).unwrap_err();
        assert!(e.to_string().contains("occupancy.Elsewhere"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
