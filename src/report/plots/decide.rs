//! Charts of decision support: a sensitivity analysis's tornado and Sobol
//! indices, a sweep's metrics against its varied parameter, and a
//! comparison's overlay fan charts.
//!
//! Each family has a function that returns its charts as [`Figure`]s (SVG
//! text, for the HTML report) and one that writes the same charts as
//! files, SVG and PNG, each atomically:
//!
//! | function | file | what it shows |
//! | --- | --- | --- |
//! | [`write_sensitivity_plots`] | `tornado_<metric>.svg`, `.png` | per metric: each parameter's swing (the metric's mean at the parameter's 95th percentile minus at its 5th, others at their medians; bar) with its 95% paired interval (whiskers), largest swing on top |
//! | [`write_sensitivity_plots`] | `sobol_<metric>.svg`, `.png` | per metric: first-order and total Sobol indices per parameter or group (bars, a group's members under its name) with their 95% bootstrap intervals (whiskers), largest total on top; with a dummy ([`crate::decide::SobolOptions::dummy`]), its indices in a last row and the noise floor, the upper end of its total's interval, as a dashed line, and "at the noise floor (dummy)" under each factor not distinguishable from it |
//! | [`write_sensitivity_plots`] | `second_order_<metric>.svg`, `.png` | per metric, with second-order indices: the ten largest pairs' indices (bars) with their 95% bootstrap intervals |
//! | [`write_morris_plots`] | `morris_<metric>.svg`, `.png` | per metric of a Morris screening: each factor's μ* (mean absolute elementary effect, the ranking) and σ (their standard deviation) in the metric's units, largest μ* on top |
//! | [`write_regional_plots`] | `regional.svg`, `.png` | a regional analysis: each parameter's Kolmogorov–Smirnov distance between the runs where the condition holds and the others (bar), largest on top, its p-value under its name, and the distance beyond which it separates the two sets at the 5% level (dashed) |
//! | [`write_sensitivity_plots`] | `sobol_over_time_<series>.svg`, `.png` | per daily series analysed on two days or more (`SERIES@DAY` metrics, [`crate::decide::SeriesDay`]): each parameter's total index (top panel) and first-order index (bottom) against the day, a line per parameter, with 95% bootstrap whiskers |
//! | [`write_sweep_plots`] | `sweep.svg`, `.png` | one panel per chosen metric: its mean (points) with the 95% interval of the mean (whiskers) against the first varied parameter; with more varied parameters, one line per value of the others; a parameter whose values are not all numbers gives bars in the order given |
//! | [`write_compare_plots`] | `compare_occupancy.svg`, `.png` | one panel per facility: every scenario's median end-of-day occupancy (line) in its 5–95% band, each scenario its own colour, with its capacity (dashed) |
//! | [`write_compare_plots`] | `compare_court_queues.svg`, `.png` | one panel per court stage: every scenario's queue, median and band |
//!
//! `<metric>` is the metric's name in lower-case letters, digits and `_`
//! (`facility.Karkh.peak_occupancy_rate` → `facility_karkh_peak_occupancy_rate`);
//! a stem that two metrics would share gets `_2`, `_3`, … so that no chart
//! overwrites another. A chart holds at most [`MAX_PANELS`] panels: more
//! metrics, facilities or stages go to `sweep-1of2.svg`, `sweep-2of2.svg`,
//! and so on.
//!
//! A bar chart names each parameter left of its bars, top to bottom in
//! the order drawn; a path longer than 52 characters keeps its start and
//! end around an ellipsis. The tornado names the parameter's 5th and 95th
//! percentiles under its path.
//!
//! In a comparison every time axis is in days since the **first**
//! scenario's day 0 (bottom) and in calendar dates (top); a scenario that
//! starts on another date is shifted to its own dates. A facility or stage
//! that only some scenarios have is drawn for those.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{Calendar, Ticked, nice_max, thin};
use super::chart::{Chart, stacked_size};
use super::draw::{self, capacity_steps, draw_mesh, legend, time_chart};
use super::names::{metric_with_unit, metric_words};
use super::style::{
    CAPTION_SIZE, MAX_PANELS, MEDIAN_WIDTH, PALETTE, PANEL_HEIGHT, REFERENCE, REFERENCE_WIDTH,
    TICK_SIZE, TITLE_HEIGHT, WIDTH, ensure_font, font, plot_err,
};
use super::{Figure, unique_stems};
use crate::decide::{
    Estimate, MetricIndices, MorrisMetric, MorrisResult, RegionalResult, SobolResult,
};
use crate::error::Error;
use crate::model::schema::headline_metrics;
use crate::montecarlo::Summary;
use crate::montecarlo::sweep::SweepResult;
use crate::report::dates::Day0;
use crate::report::format::{Ticks, label, thousands};
use crate::scenario::Scenario;
use crate::stats::SeriesBands;

/// Longest parameter name shown in full \[characters\]; longer ones keep
/// their start and end around an ellipsis.
const NAME_CHARS: usize = 52;
/// Height of one parameter's row in a bar chart: its name (and a note)
/// above its bars \[pixels\].
const ROW_HEIGHT: u32 = 110;

/// Dash and gap of each compared scenario's capacity line, in turn
/// \[pixels\].
const DASHES: [(u32, u32); 4] = [(22, 12), (8, 8), (3, 7), (30, 6)];

/// Colour of a tornado bar where the metric rises with the parameter.
const RISES: RGBColor = PALETTE[0];
/// Colour of a tornado bar where the metric falls as the parameter rises.
const FALLS: RGBColor = PALETTE[1];

/// A chart of this module, drawn on any backend.
#[derive(Clone, Copy)]
enum DecideChart<'a> {
    /// The tornado of one metric.
    Tornado(&'a MetricIndices),
    /// The Sobol indices of one metric.
    Sobol(&'a MetricIndices, usize),
    /// The Sobol indices of the `SERIES@DAY` metrics of one series, over
    /// their days.
    OverTime(&'a SobolResult, &'a str),
    /// The largest second-order indices of one metric.
    SecondOrder(&'a MetricIndices, usize),
    /// The Morris measures of one metric (μ* and σ), with the model runs.
    Morris(&'a MorrisMetric, usize),
    /// The Kolmogorov–Smirnov distances of a regional analysis.
    Regional(&'a RegionalResult),
    /// Metrics (one panel each) against the first varied parameter.
    Sweep(&'a SweepResult, &'a [String], Option<(usize, usize)>),
    /// Occupancy (`true`) or court queues (`false`) of the named entities,
    /// every run overlaid.
    Fans(bool, &'a [String], &'a Runs<'a>, Option<(usize, usize)>),
}

/// The compared runs, aligned on the first scenario's calendar.
struct Runs<'a> {
    /// Label, scenario, summary, and the day of the first scenario's
    /// calendar on which this scenario's day 0 falls.
    runs: Vec<(&'a str, &'a Scenario, &'a Summary, f64)>,
    cal: Calendar,
    /// First and last day plotted.
    lo: f64,
    hi: f64,
}

impl DecideChart<'_> {
    fn panels(&self) -> usize {
        match self {
            DecideChart::Tornado(_)
            | DecideChart::Sobol(..)
            | DecideChart::SecondOrder(..)
            | DecideChart::Morris(..)
            | DecideChart::Regional(_) => 1,
            DecideChart::OverTime(..) => 2,
            DecideChart::Sweep(_, m, _) => m.len(),
            DecideChart::Fans(_, e, _, _) => e.len(),
        }
    }
}

impl Chart for DecideChart<'_> {
    fn size(&self) -> (u32, u32) {
        match self {
            DecideChart::Tornado(m) => bar_chart_size(m.indices.len(), 1, 2),
            // With a dummy: its row, and the noise floor in the legend.
            DecideChart::Sobol(m, _) => match m.dummy {
                Some(_) => bar_chart_size(m.indices.len() + 1, 2, 3),
                None => bar_chart_size(m.indices.len(), 2, 2),
            },
            DecideChart::SecondOrder(m, _) => {
                bar_chart_size(m.second_order.len().min(SECOND_ORDER_BARS), 1, 1)
            }
            DecideChart::Morris(m, _) => bar_chart_size(m.indices.len(), 2, 2),
            DecideChart::Regional(r) => bar_chart_size(r.indices.len(), 1, 2),
            _ => stacked_size(self.panels()),
        }
    }

    fn title(&self) -> String {
        let part = |t: String, p: &Option<(usize, usize)>| match p {
            Some((k, n)) => format!("{t} ({k} of {n})"),
            None => t,
        };
        match self {
            DecideChart::Tornado(m) => format!("Tornado: {}", metric_words(&m.metric).0),
            DecideChart::Sobol(m, _) => format!("Sobol indices: {}", metric_words(&m.metric).0),
            DecideChart::OverTime(_, series) => format!("Sobol indices over time: {series}"),
            DecideChart::SecondOrder(m, _) => {
                format!("Second-order Sobol indices: {}", metric_words(&m.metric).0)
            }
            DecideChart::Morris(m, _) => {
                format!("Morris screening: {}", metric_words(&m.metric).0)
            }
            DecideChart::Regional(r) => format!(
                "Regional sensitivity: {} {} {}",
                r.condition.metric,
                r.condition.op,
                label(r.condition.value)
            ),
            DecideChart::Sweep(r, _, p) => part(format!("Sweep over {}", r.paths.join(" × ")), p),
            DecideChart::Fans(true, _, _, p) => {
                part("Prison occupancy, scenarios compared".into(), p)
            }
            DecideChart::Fans(false, _, _, p) => part("Court queues, scenarios compared".into(), p),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), Error> {
        let title = self.title();
        match *self {
            DecideChart::Tornado(m) => {
                let body = titled(
                    &root,
                    &title,
                    "mean change from each parameter's 5th to 95th percentile, others at medians; whiskers: 95% CI",
                )?;
                tornado_panel(&body, m)?;
            }
            DecideChart::Sobol(m, evaluations) => {
                let body = titled(
                    &root,
                    &title,
                    &format!(
                        "share of the metric's variance; whiskers: 95% bootstrap interval; {} model runs",
                        thousands(evaluations as f64)
                    ),
                )?;
                sobol_panel(&body, m)?;
            }
            DecideChart::SecondOrder(m, evaluations) => {
                let shown = m.second_order.len().min(SECOND_ORDER_BARS);
                let body = titled(
                    &root,
                    &title,
                    &format!(
                        "share of the variance from each pair's interaction alone; the {shown} largest of {} pairs; whiskers: 95% bootstrap interval; {} model runs",
                        m.second_order.len(),
                        thousands(evaluations as f64)
                    ),
                )?;
                second_order_panel(&body, m)?;
            }
            DecideChart::Morris(m, evaluations) => {
                let body = titled(
                    &root,
                    &title,
                    &format!(
                        "elementary effects of a move across each parameter's range; {} model runs",
                        thousands(evaluations as f64)
                    ),
                )?;
                morris_panel(&body, m)?;
            }
            DecideChart::Regional(r) => {
                let body = titled(
                    &root,
                    &title,
                    &format!(
                        "distance between each parameter's values where the condition holds ({} runs) and fails ({})",
                        thousands(r.holds as f64),
                        thousands(r.fails as f64)
                    ),
                )?;
                regional_panel(&body, r)?;
            }
            DecideChart::OverTime(r, series) => {
                let body = titled(
                    &root,
                    &title,
                    &format!(
                        "each parameter's index on each chosen day; whiskers: 95% bootstrap interval; {} model runs",
                        thousands(r.evaluations as f64)
                    ),
                )?;
                let areas = body.split_evenly((2, 1));
                over_time_panel(&areas[0], r, series, true)?;
                over_time_panel(&areas[1], r, series, false)?;
            }
            DecideChart::Sweep(r, metrics, _) => {
                let reps = r.cells.first().map_or(0, |c| c.summary.replications);
                let scenario = r
                    .cells
                    .first()
                    .map_or(String::new(), |c| c.summary.scenario.clone());
                let body = titled(
                    &root,
                    &title,
                    &format!(
                        "{} \u{2014} mean with its 95% CI; {} replications per cell, common random numbers",
                        shorten(&scenario, 30),
                        thousands(reps as f64)
                    ),
                )?;
                for (i, area) in body
                    .split_evenly((metrics.len().max(1), 1))
                    .iter()
                    .enumerate()
                    .take(metrics.len())
                {
                    sweep_panel(area, r, &metrics[i])?;
                }
            }
            DecideChart::Fans(occupancy, entities, runs, _) => {
                let labels: Vec<&str> = runs.runs.iter().map(|r| r.0).collect();
                let reps = runs.runs.first().map_or(0, |r| r.2.replications);
                let body = titled(
                    &root,
                    &title,
                    &format!(
                        "{} \u{2014} median and 5\u{2013}95% band; {} replications each; day 0 = {}",
                        shorten(&labels.join(" vs "), 50),
                        thousands(reps as f64),
                        runs.cal.start_long()
                    ),
                )?;
                for (i, area) in body
                    .split_evenly((entities.len().max(1), 1))
                    .iter()
                    .enumerate()
                    .take(entities.len())
                {
                    fan_panel(area, occupancy, &entities[i], runs)?;
                }
            }
        }
        root.present().map_err(plot_err)
    }
}

/// Draws the title and subtitle, each shortened to fit, returns the
/// area below them.
fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<DrawingArea<DB, Shift>, Error> {
    draw::titled(root, &shorten(title, 64), &shorten(subtitle, 110))
}

/// `text` cut to at most `max` characters, keeping its start and end
/// around an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_string();
    }
    let head = (max - 1) / 2;
    let tail = max - 1 - head;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(n - tail).collect();
    format!("{start}\u{2026}{end}")
}

/// One row of a horizontal bar chart: a name, an optional second line, and
/// bars (estimate with interval, colour).
struct Row {
    name: String,
    note: Option<String>,
    bars: Vec<(Estimate, RGBColor)>,
}

/// Bars shown in a second-order chart (the largest pairs).
const SECOND_ORDER_BARS: usize = 10;

/// Colour of the dummy parameter's total index and of the noise floor.
const FLOOR: RGBColor = RGBColor(110, 110, 110);
/// Colour of the dummy parameter's first-order index.
const FLOOR_LIGHT: RGBColor = RGBColor(175, 175, 175);

/// Legend rows of a bar chart with `entries` entries: one for two, two
/// for more.
fn legend_rows(entries: usize) -> u32 {
    if entries > 2 { 2 } else { 1 }
}

/// The size of a bar chart of `rows` rows of `per` bars each, with
/// `legend` entries in its legend.
fn bar_chart_size(rows: usize, per: u32, legend: usize) -> (u32, u32) {
    // The rows, the legend's, the axis below.
    let rows = rows.max(1) as u32 + legend_rows(legend);
    let h = 150 + rows * ROW_HEIGHT * (per + 2) / 3;
    (WIDTH, TITLE_HEIGHT + h.max(PANEL_HEIGHT))
}

/// A vertical dashed line across a bar chart at `x`, with its legend
/// entry: a threshold the bars are read against.
struct Mark {
    x: f64,
    label: String,
    colour: RGBColor,
}

/// Horizontal bars, one group per row from the top, with interval
/// whiskers, each row's name (and note) above its bars across the whole
/// width, dashed vertical `marks`, and a legend of `legend` (label,
/// colour) and the marks in a row of its own below them (two rows for
/// more than two entries), off the bars.
fn hbars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[Row],
    legend: &[(String, RGBColor)],
    marks: &[Mark],
    x_desc: &str,
    x_floor: (f64, f64),
) -> Result<(), Error> {
    let values = rows
        .iter()
        .flat_map(|r| {
            r.bars
                .iter()
                .flat_map(|(e, _)| [e.estimate, e.ci95_low, e.ci95_high])
                .flatten()
        })
        .chain(marks.iter().map(|m| m.x));
    let (lo, hi) = values.fold(x_floor, |(l, h), x| (l.min(x), h.max(x)));
    // Every bar 0 (a parameter that does not touch the metric): a unit axis.
    let hi = if hi - lo < 1e-12 { lo + 1.0 } else { hi };
    let pad = (hi - lo).max(1e-9) * 0.04;
    let (lo, hi) = (if lo < 0.0 { lo - pad } else { lo }, hi + pad);
    let n = rows.len().max(1) as f64;
    let bottom = -0.5 - f64::from(legend_rows(legend.len() + marks.len()));
    let mut chart = ChartBuilder::on(area)
        .margin_left(20)
        .margin_right(30)
        .margin_top(10)
        .margin_bottom(10)
        .x_label_area_size(90)
        .y_label_area_size(0)
        .build_cartesian_2d(lo..hi, bottom..n - 0.5)
        .map_err(plot_err)?;
    let x_ticks = Ticks::new(lo, hi, 6);
    let x_fmt = |x: &f64| x_ticks.label(*x);
    draw_mesh(
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&x_fmt)
            .x_desc(x_desc),
    )?;
    if lo < 0.0 && hi > 0.0 {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, bottom), (0.0, n - 0.5)],
                ShapeStyle::from(&BLACK).stroke_width(2),
            )))
            .map_err(plot_err)?;
    }
    for m in marks {
        let style = ShapeStyle::from(&m.colour).stroke_width(REFERENCE_WIDTH);
        chart
            .draw_series(DashedLineSeries::new(
                [(m.x, bottom + 1.0), (m.x, n - 0.5)],
                14,
                8,
                style,
            ))
            .map_err(plot_err)?
            .label(m.label.clone())
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (14, 0)], style)
                    + PathElement::new(vec![(22, 0), (36, 0)], style)
            });
    }
    let whisker = ShapeStyle::from(&BLACK).stroke_width(REFERENCE_WIDTH);
    let base = area.get_base_pixel();
    let (left, _) = chart.backend_coord(&(lo, 0.0));
    let left = left - base.0;
    for (r, row) in rows.iter().enumerate() {
        let centre = n - 1.0 - r as f64;
        // The name (and note) in the top of the row, the bars below.
        let text_lines = if row.note.is_some() { 2.0 } else { 1.0 };
        let top = centre + 0.5 - 0.22 * text_lines;
        let k = row.bars.len().max(1) as f64;
        let thick = (top - (centre - 0.48)) / k;
        for (b, (e, colour)) in row.bars.iter().enumerate() {
            let y = top - thick * (b as f64 + 0.5);
            if let Some(x) = e.estimate {
                let (x0, x1) = (x.min(0.0), x.max(0.0));
                chart
                    .draw_series([
                        Rectangle::new(
                            [(x0, y + thick * 0.4), (x1, y - thick * 0.4)],
                            colour.mix(0.85).filled(),
                        ),
                        Rectangle::new(
                            [(x0, y + thick * 0.4), (x1, y - thick * 0.4)],
                            ShapeStyle::from(colour).stroke_width(2),
                        ),
                    ])
                    .map_err(plot_err)?;
            }
            if let (Some(l), Some(h)) = (e.ci95_low, e.ci95_high)
                && h > l
            {
                let cap = thick * 0.25;
                chart
                    .draw_series([
                        PathElement::new(vec![(l, y), (h, y)], whisker),
                        PathElement::new(vec![(l, y - cap), (l, y + cap)], whisker),
                        PathElement::new(vec![(h, y - cap), (h, y + cap)], whisker),
                    ])
                    .map_err(plot_err)?;
            }
        }
        let (_, py) = chart.backend_coord(&(lo, centre + 0.5));
        let y = py - base.1 + 4;
        let at = Pos::new(HPos::Left, VPos::Top);
        area.draw(&Text::new(
            shorten(&row.name, NAME_CHARS),
            (left + 6, y),
            font(TICK_SIZE).pos(at),
        ))
        .map_err(plot_err)?;
        if let Some(note) = &row.note {
            area.draw(&Text::new(
                shorten(note, NAME_CHARS + 6),
                (left + 6, y + (TICK_SIZE / 1.24 * 1.2) as i32),
                font(TICK_SIZE).color(&RGBColor(90, 90, 90)).pos(at),
            ))
            .map_err(plot_err)?;
        }
    }
    for (label, colour) in legend {
        let c = *colour;
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
            .map_err(plot_err)?
            .label(label.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 10), (x + 36, y + 10)], c.filled()));
    }
    draw::legend(&mut chart, SeriesLabelPosition::LowerRight)
}

/// The key that orders bars: largest first, undefined last.
fn magnitude(e: Option<&Estimate>) -> f64 {
    e.and_then(|e| e.estimate).map_or(-1.0, f64::abs)
}

/// The indices of `m` ordered by `key`, largest first (stable: ties keep
/// the order given).
fn order_by(m: &MetricIndices, key: impl Fn(&crate::decide::SobolIndex) -> f64) -> Vec<usize> {
    let mut ix: Vec<usize> = (0..m.indices.len()).collect();
    ix.sort_by(|&a, &b| key(&m.indices[b]).total_cmp(&key(&m.indices[a])));
    ix
}

fn tornado_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    m: &MetricIndices,
) -> Result<(), Error> {
    let rows: Vec<Row> = order_by(m, |i| magnitude(i.swing.as_ref()))
        .into_iter()
        .map(|i| {
            let ix = &m.indices[i];
            let swing = ix.swing.unwrap_or(Estimate::NONE);
            let colour = if swing.estimate.is_some_and(|s| s < 0.0) {
                FALLS
            } else {
                RISES
            };
            Row {
                name: ix.path.clone(),
                note: ix
                    .low_value
                    .zip(ix.high_value)
                    .map(|(l, h)| format!("{} to {}", label(l), label(h))),
                bars: vec![(swing, colour)],
            }
        })
        .collect();
    hbars(
        area,
        &rows,
        &[
            ("rises with the parameter".into(), RISES),
            ("falls as the parameter rises".into(), FALLS),
        ],
        &[],
        &format!("change in {} (high minus low)", metric_with_unit(&m.metric)),
        (0.0, 0.0),
    )
}

/// The note under a factor's name: a group's members, and "at the noise
/// floor" where its total index is not distinguishable from the dummy's.
fn factor_note(members: &[String], above_dummy: Option<bool>) -> Option<String> {
    let group = (!members.is_empty()).then(|| format!("group of {}", members.join(", ")));
    let floor = (above_dummy == Some(false)).then(|| "at the noise floor (dummy)".to_string());
    match (group, floor) {
        (Some(g), Some(f)) => Some(format!("{f}; {g}")),
        (g, f) => g.or(f),
    }
}

fn sobol_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    m: &MetricIndices,
) -> Result<(), Error> {
    let mut rows: Vec<Row> = order_by(m, |i| i.total.estimate.unwrap_or(-1.0))
        .into_iter()
        .map(|i| {
            let ix = &m.indices[i];
            Row {
                name: ix.path.clone(),
                note: factor_note(&ix.members, ix.above_dummy),
                bars: vec![(ix.first_order, PALETTE[2]), (ix.total, PALETTE[3])],
            }
        })
        .collect();
    // The dummy's row last, and its total's upper bound drawn across the
    // chart: a total whose interval does not reach past it is noise.
    let mut marks = Vec::new();
    if let Some(d) = &m.dummy {
        rows.push(Row {
            name: "(dummy: a parameter the model never reads)".into(),
            note: None,
            bars: vec![(d.first_order, FLOOR_LIGHT), (d.total, FLOOR)],
        });
        if let Some(x) = d.total.ci95_high.or(d.total.estimate) {
            marks.push(Mark {
                x,
                label: format!(
                    "noise floor: dummy's total index, 95% upper end ({})",
                    label(x)
                ),
                colour: FLOOR,
            });
        }
    }
    hbars(
        area,
        &rows,
        &[
            ("first order (alone)".into(), PALETTE[2]),
            ("total (with interactions)".into(), PALETTE[3]),
        ],
        &marks,
        &format!(
            "share of the variance of {} (0 to 1; {} rows)",
            metric_words(&m.metric).0,
            thousands(m.rows as f64)
        ),
        (0.0, 0.1),
    )
}

/// The largest second-order indices of `m`, a bar per pair.
fn second_order_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    m: &MetricIndices,
) -> Result<(), Error> {
    let rows: Vec<Row> = m
        .second_order
        .iter()
        .take(SECOND_ORDER_BARS)
        .map(|p| Row {
            name: format!("{} \u{d7} {}", p.pair[0], p.pair[1]),
            note: None,
            bars: vec![(p.second_order, PALETTE[4])],
        })
        .collect();
    hbars(
        area,
        &rows,
        &[(
            "second order (the pair's interaction alone)".into(),
            PALETTE[4],
        )],
        &[],
        &format!(
            "share of the variance of {} (0 to 1; {} rows)",
            metric_words(&m.metric).0,
            thousands(m.rows as f64)
        ),
        (0.0, 0.1),
    )
}

/// The Morris measures of `m`, largest μ* on top: μ* and σ bars.
fn morris_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    m: &MorrisMetric,
) -> Result<(), Error> {
    let bar = |x: Option<f64>| Estimate {
        estimate: x,
        ci95_low: None,
        ci95_high: None,
    };
    let rows: Vec<Row> = m
        .sorted()
        .into_iter()
        .map(|i| Row {
            name: i.path.clone(),
            note: factor_note(&i.members, None),
            bars: vec![(bar(i.mu_star), PALETTE[2]), (bar(i.sigma), PALETTE[3])],
        })
        .collect();
    hbars(
        area,
        &rows,
        &[
            ("mu* (mean absolute effect: the ranking)".into(), PALETTE[2]),
            (
                "sigma (spread: interactions, non-linearity)".into(),
                PALETTE[3],
            ),
        ],
        &[],
        &format!(
            "effect on {} of a move over the parameter's range",
            metric_with_unit(&m.metric)
        ),
        (0.0, 0.0),
    )
}

/// The Kolmogorov–Smirnov distances of `r`, largest on top, with the
/// distance above which a parameter separates the sets at the 5% level.
fn regional_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &RegionalResult,
) -> Result<(), Error> {
    let rows: Vec<Row> = r
        .sorted()
        .into_iter()
        .map(|i| Row {
            name: i.path.clone(),
            note: i.p_value.map(|p| format!("p-value {}", p_text(p))),
            bars: vec![(
                Estimate {
                    estimate: i.ks,
                    ci95_low: None,
                    ci95_high: None,
                },
                PALETTE[0],
            )],
        })
        .collect();
    let marks: Vec<Mark> = r
        .critical_distance()
        .map(|x| Mark {
            x,
            label: format!("separates at the 5% level beyond {}", label(x)),
            colour: REFERENCE,
        })
        .into_iter()
        .collect();
    hbars(
        area,
        &rows,
        &[("Kolmogorov-Smirnov distance".into(), PALETTE[0])],
        &marks,
        "Kolmogorov-Smirnov distance (0: no part; 1: decides)",
        (0.0, 1.0),
    )
}

/// A p-value as text: 4 decimals, or `< 0.0001`.
fn p_text(p: f64) -> String {
    if p < 1e-4 {
        "< 0.0001".to_string()
    } else {
        format!("{p:.4}")
    }
}

/// The `SERIES@DAY` metrics of `series` in `r`, by day: (series day of
/// the record, the metric).
fn days_of<'a>(r: &'a SobolResult, series: &str) -> Vec<(f64, &'a MetricIndices)> {
    let mut v: Vec<(f64, &MetricIndices)> = r
        .metrics
        .iter()
        .filter_map(|m| {
            m.at.as_ref()
                .filter(|a| a.series == series)
                .map(|a| (f64::from(a.day) + 1.0, m))
        })
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

/// The total (`total`) or first-order indices of every parameter over the
/// days of `series`: a line per parameter, whiskers at each day.
fn over_time_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &SobolResult,
    series: &str,
    total: bool,
) -> Result<(), Error> {
    let days = days_of(r, series);
    let Some(&(first_day, first)) = days.first() else {
        return Err(Error::plot(format!("no metric of the series {series:?}")));
    };
    let last_day = days.last().map_or(first_day, |d| d.0);
    // Day 0's date: the first metric's date less its day.
    let at = first.at.as_ref().map_or_else(String::new, |a| {
        jiff::civil::Date::strptime("%Y-%m-%d", &a.date)
            .ok()
            .and_then(|d| d.checked_sub(jiff::Span::new().days(i64::from(a.day))).ok())
            .map_or_else(String::new, |d| d.to_string())
    });
    let cal = Calendar::new(&at, last_day.ceil() as u32)?;
    let pad = ((last_day - first_day) * 0.04).max(1.0);
    let fmt = |y: &f64| format!("{y:.1}");
    let caption = if total {
        "total index (alone and with interactions)"
    } else {
        "first-order index (alone)"
    };
    let mut chart = time_chart(
        area,
        Some(caption),
        cal,
        (first_day - pad, last_day + pad),
        1.0,
        "share of variance",
        &fmt,
    )?;
    let whisker = ShapeStyle::from(&BLACK.mix(0.6)).stroke_width(2);
    for (p, ix) in first.indices.iter().enumerate() {
        let colour = PALETTE[p % PALETTE.len()];
        let style = ShapeStyle::from(&colour).stroke_width(MEDIAN_WIDTH);
        let pick = |m: &MetricIndices| {
            m.indices
                .get(p)
                .map(|i| if total { i.total } else { i.first_order })
        };
        let points: Vec<(f64, f64)> = days
            .iter()
            .filter_map(|&(d, m)| pick(m).and_then(|e| e.estimate).map(|y| (d, y)))
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), style))
            .map_err(plot_err)?
            .label(shorten(&ix.path, NAME_CHARS))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 44, y)], style));
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&(x, y)| Circle::new((x, y), 8, colour.filled())),
            )
            .map_err(plot_err)?;
        for &(d, m) in &days {
            if let Some(Estimate {
                ci95_low: Some(l),
                ci95_high: Some(h),
                ..
            }) = pick(m)
                && h > l
            {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(d, l), (d, h)],
                        whisker,
                    )))
                    .map_err(plot_err)?;
            }
        }
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)
}

/// One metric of a sweep against the first varied parameter.
fn sweep_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &SweepResult,
    metric: &str,
) -> Result<(), Error> {
    let x_path = r.paths.first().map_or("", String::as_str);
    // Per cell: its x value (as written), its line (the other parameters'
    // values) and the metric's mean with its interval.
    let mut xs: Vec<&str> = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    let mut points: Vec<(usize, usize, f64, f64, f64)> = Vec::new();
    for cell in &r.cells {
        let x = cell.params.first().map_or("", |p| p.value.as_str());
        let line = cell
            .params
            .iter()
            .skip(1)
            .map(|o| format!("{} = {}", o.path, o.value))
            .collect::<Vec<_>>()
            .join(", ");
        let xi = xs.iter().position(|v| *v == x).unwrap_or_else(|| {
            xs.push(x);
            xs.len() - 1
        });
        let li = lines.iter().position(|v| *v == line).unwrap_or_else(|| {
            lines.push(line);
            lines.len() - 1
        });
        if let Some(s) = cell.metric(metric)
            && let Some(mean) = s.mean
        {
            points.push((
                xi,
                li,
                mean,
                s.ci95_low.unwrap_or(mean),
                s.ci95_high.unwrap_or(mean),
            ));
        }
    }
    let numeric: Option<Vec<f64>> = xs
        .iter()
        .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    let y_lo = points.iter().map(|p| p.3).fold(0.0, f64::min);
    // Room above the data for the legend of several lines (one row each),
    // so that it covers none of them.
    let legend_share = if lines.len() > 1 {
        (lines.len() as f64 * 0.11 + 0.08).min(0.6)
    } else {
        0.0
    };
    let y_hi =
        nice_max(points.iter().map(|p| p.4.max(p.2)).fold(0.0, f64::max) / (1.0 - legend_share));
    let y_lo = if y_lo < 0.0 { -nice_max(-y_lo) } else { 0.0 };
    let (x_lo, x_hi, ticks, at): (f64, f64, Vec<f64>, Vec<f64>) = match &numeric {
        Some(v) => {
            let (l, h) = v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
                    (l.min(*x), h.max(*x))
                });
            let pad = if h > l { (h - l) * 0.06 } else { 1.0 };
            let mut t = v.clone();
            t.sort_by(f64::total_cmp);
            t.dedup();
            if t.len() > 7 {
                let step = t.len().div_ceil(7);
                t = t.into_iter().step_by(step).collect();
            }
            (l - pad, h + pad, t, v.clone())
        }
        None => {
            let n = xs.len() as f64;
            let at: Vec<f64> = (0..xs.len()).map(|i| i as f64).collect();
            (-0.6, n - 0.4, at.clone(), at)
        }
    };
    let names: Vec<String> = xs.iter().map(|s| shorten(s, 16)).collect();
    let categorical = numeric.is_none();
    let x_ticks = Ticks::new(x_lo, x_hi, ticks.len().max(1));
    let x_fmt = move |x: &f64| {
        if categorical {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                return names.get(i as usize).cloned().unwrap_or_default();
            }
            return String::new();
        }
        x_ticks.label(*x)
    };
    let y_ticks = Ticks::new(y_lo, y_hi, 8);
    let y_fmt = |y: &f64| y_ticks.label(*y);
    let (words, unit) = metric_words(metric);
    let mut chart = ChartBuilder::on(area)
        .caption(&words, font(CAPTION_SIZE))
        .margin_left(10)
        .margin_right(30)
        .margin_top(6)
        .margin_bottom(6)
        .x_label_area_size(76)
        .y_label_area_size(124)
        .build_cartesian_2d(Ticked::new(x_lo, x_hi, ticks.clone()), y_lo..y_hi)
        .map_err(plot_err)?;
    draw_mesh(
        chart
            .configure_mesh()
            .x_labels(ticks.len().max(1))
            .y_labels(8)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc(x_path)
            .y_desc(match unit {
                Some(u) => format!("mean \u{b1} 95% CI [{u}]"),
                None => "mean \u{b1} 95% CI".to_string(),
            }),
    )?;
    let whisker = ShapeStyle::from(&BLACK).stroke_width(3);
    let k = lines.len().max(1) as f64;
    for (li, line) in lines.iter().enumerate() {
        let colour = PALETTE[li % PALETTE.len()];
        let mut mine: Vec<&(usize, usize, f64, f64, f64)> =
            points.iter().filter(|p| p.1 == li).collect();
        if categorical {
            let w = 0.7 / k;
            let shift = -0.35 + w * (li as f64 + 0.5);
            for &&(xi, _, mean, l, h) in &mine {
                let x = at[xi] + shift;
                chart
                    .draw_series([
                        Rectangle::new(
                            [(x - w * 0.45, mean.max(0.0)), (x + w * 0.45, mean.min(0.0))],
                            colour.mix(0.85).filled(),
                        ),
                        Rectangle::new(
                            [(x - w * 0.45, mean.max(0.0)), (x + w * 0.45, mean.min(0.0))],
                            ShapeStyle::from(&colour).stroke_width(2),
                        ),
                    ])
                    .map_err(plot_err)?;
                if h > l {
                    chart
                        .draw_series([PathElement::new(vec![(x, l), (x, h)], whisker)])
                        .map_err(plot_err)?;
                }
            }
        } else {
            mine.sort_by(|a, b| at[a.0].total_cmp(&at[b.0]));
            let style = ShapeStyle::from(&colour).stroke_width(MEDIAN_WIDTH);
            for &&(xi, _, _, l, h) in &mine {
                if h > l {
                    chart
                        .draw_series([PathElement::new(vec![(at[xi], l), (at[xi], h)], whisker)])
                        .map_err(plot_err)?;
                }
            }
            chart
                .draw_series(LineSeries::new(mine.iter().map(|p| (at[p.0], p.2)), style))
                .map_err(plot_err)?;
            chart
                .draw_series(
                    mine.iter()
                        .map(|p| Circle::new((at[p.0], p.2), 7, colour.filled())),
                )
                .map_err(plot_err)?;
        }
        if lines.len() > 1 {
            let style = ShapeStyle::from(&colour).stroke_width(MEDIAN_WIDTH);
            chart
                .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
                .map_err(plot_err)?
                .label(shorten(line, 48))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 36, y)], style));
        }
    }
    if lines.len() > 1 {
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    Ok(())
}

/// One facility's occupancy (or one stage's queue) in every run.
fn fan_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    occupancy: bool,
    entity: &str,
    runs: &Runs<'_>,
) -> Result<(), Error> {
    let series = if occupancy {
        format!("occupancy.{entity}")
    } else {
        format!("queue.{entity}")
    };
    // Per run: its bands (if it has the entity), colour, shift and days.
    let mut bands: Vec<(&str, &SeriesBands, RGBColor, f64, usize)> = Vec::new();
    let mut capacities: Vec<(Vec<(f64, f64)>, RGBColor)> = Vec::new();
    for (k, &(label, s, summary, shift)) in runs.runs.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let days = summary.horizon_days.min(s.horizon_days) as usize;
        if let Some(b) = summary.series(&series) {
            bands.push((label, b, colour, shift, days));
        }
        if occupancy && let Some(f) = s.facilities.iter().find(|f| f.name == entity) {
            let pts = capacity_steps(f, s.start_date, days as f64)
                .into_iter()
                .map(|(d, c)| (d + shift, c))
                .collect();
            capacities.push((pts, colour));
        }
    }
    let y_max = nice_max(
        bands
            .iter()
            .flat_map(|b| b.1.p95.iter().take(b.4))
            .chain(capacities.iter().flat_map(|c| c.0.iter().map(|p| &p.1)))
            .copied()
            .fold(0.0, f64::max),
    );
    let cal = runs.cal;
    let y_fmt = |y: &f64| thousands(*y);
    let caption = if occupancy {
        format!("{entity}: end-of-day occupancy")
    } else {
        format!("{entity}: cases waiting")
    };
    let mut chart = time_chart(
        area,
        Some(&caption),
        cal,
        (runs.lo, runs.hi),
        y_max,
        if occupancy {
            "detainees held"
        } else {
            "cases waiting"
        },
        &y_fmt,
    )?;
    let line = |b: &[f64], shift: f64, days: usize| {
        thin(
            b.iter()
                .take(days)
                .enumerate()
                .map(move |(i, &v)| ((i + 1) as f64 + shift, v)),
        )
    };
    for &(_, b, colour, shift, days) in &bands {
        let mut outline = line(&b.p95, shift, days);
        let mut lower = line(&b.p5, shift, days);
        lower.reverse();
        outline.extend(lower);
        chart
            .draw_series(std::iter::once(Polygon::new(
                outline,
                colour.mix(0.18).filled(),
            )))
            .map_err(plot_err)?;
    }
    // Capacity lines the same in every scenario are drawn once, in black;
    // otherwise each scenario's in its colour with a dash of its own, so
    // that one that lies on another still shows.
    let same = capacities.windows(2).all(|w| w[0].0 == w[1].0);
    for (k, (pts, colour)) in capacities.iter().enumerate() {
        if same && k > 0 {
            break;
        }
        let colour = if same { BLACK } else { *colour };
        let (dash, gap) = DASHES[k % DASHES.len()];
        let style = ShapeStyle::from(&colour).stroke_width(REFERENCE_WIDTH);
        chart
            .draw_series(DashedLineSeries::new(pts.iter().copied(), dash, gap, style))
            .map_err(plot_err)?;
    }
    // Every scenario in the legend, in order, even one without this
    // facility or stage (its entry says so).
    for (k, &(label, ..)) in runs.runs.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let style = ShapeStyle::from(&colour).stroke_width(MEDIAN_WIDTH);
        let mine = bands.iter().find(|b| std::ptr::eq(b.0, label));
        let text = match mine {
            Some(_) => label.to_string(),
            None => format!("{label} (none)"),
        };
        let points = mine.map_or_else(Vec::new, |&(_, b, _, shift, days)| {
            line(&b.p50, shift, days)
        });
        chart
            .draw_series(LineSeries::new(points, style))
            .map_err(plot_err)?
            .label(text)
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + Rectangle::new([(0, -12), (44, 12)], colour.mix(0.18).filled())
                    + PathElement::new(vec![(0, 0), (44, 0)], style)
            });
    }
    if occupancy && !capacities.is_empty() {
        let style = ShapeStyle::from(&BLACK).stroke_width(REFERENCE_WIDTH);
        chart
            .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
            .map_err(plot_err)?
            .label(if same {
                "capacity (dashed; the same in every scenario)"
            } else {
                "capacity (dashed, in the scenario's colour and dash)"
            })
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (18, 0)], style)
                    + PathElement::new(vec![(26, 0), (44, 0)], style)
            });
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)
}

/// Creates `dir` and registers the font.
fn prepare(dir: Option<&Path>) -> Result<(), Error> {
    ensure_font()?;
    if let Some(dir) = dir {
        draw::create_dir(dir)?;
    }
    Ok(())
}

/// The charts of a sensitivity analysis with their stems.
fn sensitivity_charts(r: &SobolResult) -> Vec<(String, DecideChart<'_>)> {
    let names: Vec<&str> = r.metrics.iter().map(|m| m.metric.as_str()).collect();
    let tornado = unique_stems("tornado", &names);
    let sobol = unique_stems("sobol", &names);
    let second = unique_stems("second_order", &names);
    let mut v = Vec::with_capacity(2 * names.len());
    for (((m, t), s), s2) in r.metrics.iter().zip(tornado).zip(sobol).zip(second) {
        if m.indices.iter().any(|i| i.swing.is_some()) {
            v.push((t, DecideChart::Tornado(m)));
        }
        v.push((s, DecideChart::Sobol(m, r.evaluations)));
        if !m.second_order.is_empty() {
            v.push((s2, DecideChart::SecondOrder(m, r.evaluations)));
        }
    }
    // Indices over time: each series named on two days or more.
    let mut series: Vec<&str> = Vec::new();
    for m in &r.metrics {
        if let Some(a) = &m.at
            && !series.contains(&a.series.as_str())
            && days_of(r, &a.series).len() >= 2
        {
            series.push(&a.series);
        }
    }
    for (stem, s) in unique_stems("sobol_over_time", &series)
        .into_iter()
        .zip(series)
    {
        v.push((stem, DecideChart::OverTime(r, s)));
    }
    v
}

/// The charts of a sensitivity analysis ([`crate::decide::sensitivity`])
/// as figures: per metric, its tornado (`tornado_<metric>`, when the
/// result holds swings) and its Sobol indices (`sobol_<metric>`); see the
/// [module docs](self).
///
/// # Errors
///
/// [`Error::Plot`] if a chart cannot be drawn.
///
/// # Example
///
/// ```
/// use custody_sim::decide::{SobolOptions, sensitivity};
/// use custody_sim::scenario::ParamDist;
/// use custody_sim::report::plots::sensitivity_figures;
/// use custody_sim::{Dist, presets};
///
/// let mut s = presets::plan_2026_01();
/// s.horizon_days = 60;
/// let params = [
///     ParamDist::new("court.stage[trial].servers", Dist::uniform_int(10, 40)),
///     ParamDist::new("facility[Hillah].capacity", Dist::uniform_int(500, 3000)),
/// ];
/// let opts = SobolOptions { base_samples: 8, bootstrap: 20, seed: 1, ..SobolOptions::default() };
/// let r = sensitivity(&s, &params, &["facility.Hillah.peak_occupancy_rate"], &opts, 4)?;
/// let figs = sensitivity_figures(&r)?;
/// assert_eq!(figs[0].stem, "tornado_facility_hillah_peak_occupancy_rate");
/// assert_eq!(figs[1].stem, "sobol_facility_hillah_peak_occupancy_rate");
/// assert!(figs[0].svg.starts_with("<svg") && figs[0].svg.contains("facility[Hillah].capacity"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sensitivity_figures(r: &SobolResult) -> Result<Vec<Figure>, Error> {
    prepare(None)?;
    sensitivity_charts(r)
        .into_iter()
        .map(|(stem, c)| c.figure(stem))
        .collect()
}

/// Writes the charts of [`sensitivity_figures`] into `dir` (created if
/// missing), each as SVG and PNG, and returns the paths written.
///
/// # Errors
///
/// [`Error::Io`] if `dir` cannot be created or a file written;
/// [`Error::Plot`] if a chart cannot be drawn.
///
/// # Example
///
/// ```no_run
/// # use custody_sim::decide::{SobolOptions, sensitivity};
/// # use custody_sim::scenario::ParamDist;
/// # use custody_sim::{Dist, presets};
/// use custody_sim::report::plots::write_sensitivity_plots;
/// # let params = [ParamDist::new("court.stage[trial].servers", Dist::uniform_int(10, 40))];
/// # let r = sensitivity(&presets::baseline(), &params, &["mean_days_to_verdict"], &SobolOptions::default(), 100)?;
/// let files = write_sensitivity_plots(&r, std::path::Path::new("plots"))?;
/// assert!(files.iter().any(|f| f.ends_with("tornado_mean_days_to_verdict.svg")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_sensitivity_plots(r: &SobolResult, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    prepare(Some(dir))?;
    let mut out = Vec::new();
    for (stem, c) in sensitivity_charts(r) {
        c.write(dir, &stem, &mut out)?;
    }
    Ok(out)
}

/// The charts of a Morris screening with their stems.
fn morris_charts(r: &MorrisResult) -> Vec<(String, DecideChart<'_>)> {
    let names: Vec<&str> = r.metrics.iter().map(|m| m.metric.as_str()).collect();
    unique_stems("morris", &names)
        .into_iter()
        .zip(&r.metrics)
        .map(|(stem, m)| (stem, DecideChart::Morris(m, r.evaluations)))
        .collect()
}

/// The charts of a Morris screening ([`crate::decide::morris_model`]) as
/// figures: per metric, `morris_<metric>`, each factor's μ* and σ (bars),
/// largest μ* on top; see the [module docs](self).
///
/// # Errors
///
/// [`Error::Plot`] if a chart cannot be drawn.
///
/// # Example
///
/// ```
/// use custody_sim::decide::{MorrisOptions, morris_model, parse_param};
/// use custody_sim::report::plots::morris_figures;
/// use custody_sim::presets;
///
/// let mut s = presets::plan_2026_01();
/// s.horizon_days = 40;
/// let params = [
///     parse_param(r#"transfer.phase[1].from={dist="uniform",low=17,high=25}"#)?,
///     parse_param(r#"court.stage[trial].servers={dist="uniform_int",low=10,high=40}"#)?,
/// ];
/// let opts = MorrisOptions { trajectories: 3, ..MorrisOptions::default() };
/// let r = morris_model(&s, &params, &["in_syria@30"], &opts)?;
/// let figs = morris_figures(&r)?;
/// assert_eq!(figs.len(), 1);
/// assert_eq!(figs[0].stem, "morris_in_syria_30");
/// assert!(figs[0].svg.contains("court.stage[trial].servers"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn morris_figures(r: &MorrisResult) -> Result<Vec<Figure>, Error> {
    prepare(None)?;
    morris_charts(r)
        .into_iter()
        .map(|(stem, c)| c.figure(stem))
        .collect()
}

/// Writes the charts of [`morris_figures`] into `dir` (created if
/// missing), each as SVG and PNG, and returns the paths written.
///
/// # Errors
///
/// [`Error::Io`] if `dir` cannot be created or a file written;
/// [`Error::Plot`] if a chart cannot be drawn.
pub fn write_morris_plots(r: &MorrisResult, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    prepare(Some(dir))?;
    let mut out = Vec::new();
    for (stem, c) in morris_charts(r) {
        c.write(dir, &stem, &mut out)?;
    }
    Ok(out)
}

/// The chart of a regional sensitivity analysis ([`crate::decide::regional()`])
/// as a figure, stem `regional`: each parameter's Kolmogorov–Smirnov
/// distance (bar), largest on top, its p-value under its name, and the
/// distance beyond which it separates the two sets at the 5% level
/// ([`RegionalResult::critical_distance`], dashed); see the
/// [module docs](self).
///
/// # Errors
///
/// [`Error::Plot`] if the chart cannot be drawn.
///
/// # Example
///
/// ```
/// use custody_sim::decide::{Condition, parse_param, regional};
/// use custody_sim::report::plots::regional_figures;
/// use custody_sim::presets;
///
/// let mut s = presets::plan_2026_01();
/// s.horizon_days = 30;
/// let params = [parse_param(r#"transfer.phase[1].from={dist="uniform",low=17,high=25}"#)?];
/// let r = regional(&s, &params, &Condition::parse("in_syria@20<5600")?, 40, 1, 0)?;
/// let figs = regional_figures(&r)?;
/// assert_eq!(figs[0].stem, "regional");
/// assert!(figs[0].svg.contains("transfer.phase[1].from"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn regional_figures(r: &RegionalResult) -> Result<Vec<Figure>, Error> {
    prepare(None)?;
    Ok(vec![DecideChart::Regional(r).figure("regional".into())?])
}

/// Writes the chart of [`regional_figures`] into `dir` (created if
/// missing), as `regional.svg` and `regional.png`, and returns the paths
/// written.
///
/// # Errors
///
/// [`Error::Io`] if `dir` cannot be created or a file written;
/// [`Error::Plot`] if the chart cannot be drawn.
pub fn write_regional_plots(r: &RegionalResult, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    prepare(Some(dir))?;
    let mut out = Vec::new();
    DecideChart::Regional(r).write(dir, "regional", &mut out)?;
    Ok(out)
}

/// The metrics a sweep chart shows: those asked for (each must be in the
/// sweep), or the headline metrics the sweep has.
fn sweep_metrics(r: &SweepResult, metrics: &[&str]) -> Result<Vec<String>, Error> {
    let Some(first) = r.cells.first() else {
        return Err(Error::plot("the sweep has no cells to plot"));
    };
    if metrics.is_empty() {
        let v: Vec<String> = headline_metrics()
            .into_iter()
            .filter(|m| first.metric(m).is_some())
            .map(|m| m.to_string())
            .collect();
        if v.is_empty() {
            return Err(Error::plot("the sweep has none of the headline metrics"));
        }
        // A metric 0 in every cell says nothing a panel would show: left
        // out (unless every one is).
        let moving: Vec<String> = v
            .iter()
            .filter(|m| {
                r.cells
                    .iter()
                    .any(|c| c.metric(m).and_then(|s| s.mean).is_some_and(|x| x != 0.0))
            })
            .cloned()
            .collect();
        return Ok(if moving.is_empty() { v } else { moving });
    }
    metrics
        .iter()
        .map(|m| {
            if r.cells.iter().any(|c| c.metric(m).is_some()) {
                Ok(m.to_string())
            } else {
                Err(Error::plot(format!("the sweep has no metric {m:?}")))
            }
        })
        .collect()
}

/// A chart's stem, its items and its part (k of n) where split.
type Part<'a, T> = (String, &'a [T], Option<(usize, usize)>);

/// Splits `items` into charts of at most [`MAX_PANELS`]: stem `<stem>`,
/// or `<stem>-1of<n>`, … with their parts.
fn parts<'a, T>(stem: &str, items: &'a [T]) -> Vec<Part<'a, T>> {
    if items.len() <= MAX_PANELS {
        return vec![(stem.to_string(), items, None)];
    }
    let n = items.len().div_ceil(MAX_PANELS);
    items
        .chunks(MAX_PANELS)
        .enumerate()
        .map(|(k, c)| (format!("{stem}-{}of{n}", k + 1), c, Some((k + 1, n))))
        .collect()
}

/// The charts of a sweep as figures: one panel per metric of `metrics`
/// (empty: the [`headline_metrics`] the sweep has), its mean
/// and 95% interval in each cell against the first varied parameter (see
/// the [module docs](self)); stem `sweep`, or `sweep-1of2`, … past
/// [`MAX_PANELS`] metrics.
///
/// # Errors
///
/// [`Error::Plot`] for a sweep without cells, a metric no cell has, or a
/// chart that cannot be drawn.
///
/// # Example
///
/// ```
/// use custody_sim::report::plots::sweep_figures;
/// use custody_sim::sweep::{Vary, sweep};
/// use custody_sim::{Runs, presets};
///
/// let mut s = presets::plan_2026_01();
/// s.horizon_days = 60;
/// let grid = [Vary::new("transfer.weekly_cap", [500, 1000, 2000])];
/// let r = sweep(&s, &grid, &Runs { replications: 4, seed: 1, threads: 0 })?;
/// let figs = sweep_figures(&r, &["transferred"])?;
/// assert_eq!(figs.len(), 1);
/// assert_eq!(figs[0].svg.matches("<circle").count(), 3, "one point per cell");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sweep_figures(r: &SweepResult, metrics: &[&str]) -> Result<Vec<Figure>, Error> {
    prepare(None)?;
    let metrics = sweep_metrics(r, metrics)?;
    parts("sweep", &metrics)
        .into_iter()
        .map(|(stem, m, part)| DecideChart::Sweep(r, m, part).figure(stem))
        .collect()
}

/// Writes the charts of [`sweep_figures`] into `dir` (created if
/// missing), each as SVG and PNG, and returns the paths written.
///
/// # Errors
///
/// As [`sweep_figures`]; [`Error::Io`] if `dir` cannot be created or a
/// file written.
///
/// # Example
///
/// ```no_run
/// use custody_sim::report::plots::write_sweep_plots;
/// use custody_sim::sweep::{Vary, sweep};
/// use custody_sim::{Runs, presets};
///
/// let grid = [Vary::new("court.stage[trial].servers", [15, 30, 60])];
/// let r = sweep(&presets::baseline(), &grid, &Runs { replications: 200, seed: 1, threads: 0 })?;
/// let files = write_sweep_plots(&r, &[], std::path::Path::new("plots"))?;
/// assert!(files.iter().any(|f| f.ends_with("sweep.svg")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_sweep_plots(
    r: &SweepResult,
    metrics: &[&str],
    dir: &Path,
) -> Result<Vec<PathBuf>, Error> {
    prepare(Some(dir))?;
    let metrics = sweep_metrics(r, metrics)?;
    let mut out = Vec::new();
    for (stem, m, part) in parts("sweep", &metrics) {
        DecideChart::Sweep(r, m, part).write(dir, &stem, &mut out)?;
    }
    Ok(out)
}

/// The compared runs aligned on the first scenario's calendar, and the
/// facility and stage names in order of first appearance.
fn compare_runs<'a>(
    scenarios: &'a [(String, Scenario)],
    summaries: &'a [Summary],
) -> Result<(Runs<'a>, Vec<String>, Vec<String>), Error> {
    if scenarios.is_empty() || scenarios.len() != summaries.len() {
        return Err(Error::plot(format!(
            "{} scenarios and {} summaries: give one summary per compared scenario",
            scenarios.len(),
            summaries.len()
        )));
    }
    let first = &summaries[0].start_date;
    let day0 = Day0::parse(first)
        .ok_or_else(|| Error::plot(format!("start_date {first:?} is not a YYYY-MM-DD date")))?;
    let mut runs = Vec::with_capacity(scenarios.len());
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for ((label, s), summary) in scenarios.iter().zip(summaries) {
        let start = Day0::parse(&summary.start_date)
            .map(|d| d.start())
            .ok_or_else(|| {
                Error::plot(format!(
                    "{label}: start_date {:?} is not a YYYY-MM-DD date",
                    summary.start_date
                ))
            })?;
        let shift = day0.day_of(start) as f64;
        let days = f64::from(summary.horizon_days.min(s.horizon_days));
        lo = lo.min(shift);
        hi = hi.max(shift + days);
        runs.push((label.as_str(), s, summary, shift));
    }
    let cal = Calendar::new(first, hi.ceil() as u32)?;
    let mut facilities: Vec<String> = Vec::new();
    let mut stages: Vec<String> = Vec::new();
    for (_, s) in scenarios {
        for f in &s.facilities {
            if !facilities.contains(&f.name) {
                facilities.push(f.name.clone());
            }
        }
        for st in &s.court.stages {
            if !stages.contains(&st.name) {
                stages.push(st.name.clone());
            }
        }
    }
    Ok((Runs { runs, cal, lo, hi }, facilities, stages))
}

/// Draws (as figures or files) the comparison charts.
fn compare_each(
    runs: &Runs<'_>,
    facilities: &[String],
    stages: &[String],
    mut each: impl FnMut(String, DecideChart<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    for (stem, ix, part) in parts("compare_occupancy", facilities) {
        each(stem, DecideChart::Fans(true, ix, runs, part))?;
    }
    for (stem, ix, part) in parts("compare_court_queues", stages) {
        each(stem, DecideChart::Fans(false, ix, runs, part))?;
    }
    Ok(())
}

/// The overlay fan charts of a comparison as figures: occupancy per
/// facility (`compare_occupancy`) and queues per court stage
/// (`compare_court_queues`), every scenario on one axis in its own colour,
/// the legend naming each label (see the [module docs](self)).
///
/// `scenarios` are the compared `(label, scenario)` pairs in order, and
/// `summaries` their runs with daily series, one per scenario
/// ([`crate::decide::compare_summaries`]).
///
/// # Errors
///
/// [`Error::Plot`] if the lists differ in length or are empty, a start
/// date is not a date, or a chart cannot be drawn.
///
/// # Example
///
/// ```
/// use custody_sim::decide::compare_summaries;
/// use custody_sim::report::plots::compare_figures;
/// use custody_sim::{Runs, presets};
///
/// let mut a = presets::plan_2026_01();
/// a.horizon_days = 60;
/// let b = a.with_param("court.stage[trial].servers", "30")?;
/// let scenarios = [("as planned".to_string(), a), ("double panels".to_string(), b)];
/// let sums = compare_summaries(&scenarios, &Runs { replications: 4, seed: 1, threads: 0 })?;
/// let figs = compare_figures(&scenarios, &sums)?;
/// assert_eq!(figs[0].stem, "compare_occupancy");
/// assert!(figs.iter().all(|f| f.svg.contains("as planned") && f.svg.contains("double panels")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare_figures(
    scenarios: &[(String, Scenario)],
    summaries: &[Summary],
) -> Result<Vec<Figure>, Error> {
    prepare(None)?;
    let (runs, facilities, stages) = compare_runs(scenarios, summaries)?;
    let mut out = Vec::new();
    compare_each(&runs, &facilities, &stages, |stem, c| {
        out.push(c.figure(stem)?);
        Ok(())
    })?;
    Ok(out)
}

/// Writes the charts of [`compare_figures`] into `dir` (created if
/// missing), each as SVG and PNG, and returns the paths written.
///
/// # Errors
///
/// As [`compare_figures`]; [`Error::Io`] if `dir` cannot be created or a
/// file written.
///
/// # Example
///
/// ```no_run
/// use custody_sim::decide::compare_summaries;
/// use custody_sim::report::plots::write_compare_plots;
/// use custody_sim::{Runs, presets};
///
/// let scenarios = [
///     ("baseline".to_string(), presets::baseline()),
///     ("plan".to_string(), presets::plan_2026_01()),
/// ];
/// let sums = compare_summaries(&scenarios, &Runs { replications: 200, seed: 1, threads: 0 })?;
/// let files = write_compare_plots(&scenarios, &sums, std::path::Path::new("plots"))?;
/// assert!(files.iter().any(|f| f.ends_with("compare_court_queues.png")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_compare_plots(
    scenarios: &[(String, Scenario)],
    summaries: &[Summary],
    dir: &Path,
) -> Result<Vec<PathBuf>, Error> {
    prepare(Some(dir))?;
    let (runs, facilities, stages) = compare_runs(scenarios, summaries)?;
    let mut out = Vec::new();
    compare_each(&runs, &facilities, &stages, |stem, c| {
        c.write(dir, &stem, &mut out)
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_unique_and_names_shortened() {
        assert_eq!(
            unique_stems("tornado", &["a.b", "a_b", "", "a.b"]),
            [
                "tornado_1_a_b",
                "tornado_2_a_b",
                "tornado_3",
                "tornado_4_a_b"
            ]
        );
        assert_eq!(shorten("abcdefghij", 5), "ab\u{2026}ij");
        assert_eq!(shorten("abc", 5), "abc");
        let v: Vec<usize> = (0..17).collect();
        let p = parts("sweep", &v);
        assert_eq!(p.len(), 3);
        assert_eq!(p[2].0, "sweep-3of3");
        assert_eq!(p[2].1.len(), 1);
    }
}
