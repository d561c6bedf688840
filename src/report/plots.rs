//! Charts of a summary, as SVG and PNG (feature `plots`).
//!
//! [`write_plots`] draws, from a [`Summary`] and the [`Scenario`] it ran:
//!
//! | file | what it shows |
//! | --- | --- |
//! | `occupancy.svg`, `.png` | every facility, one panel each: median end-of-day occupancy (line) in the band of 5% to 95% of replications, against capacity including expansions (dashed) |
//! | `occupancy_<facility>.svg`, `.png` | the same, one facility per file |
//! | `court_queues.svg`, `.png` | each court stage's queue, one panel each, median and band |
//! | `transfers.svg`, `.png` | cumulative arrivals in Iraq, median and band, against the number of detainees |
//! | `repatriation.svg`, `.png` | mean repatriated per group (bars), 5% to 95% of replications (whiskers) |
//!
//! Every time axis is in days since day 0 (bottom) and in calendar dates
//! (top), computed from the scenario's `start_date` with a small civil-date
//! helper. Fonts are large and lines thick, so a chart stays readable when
//! printed at a quarter page.
//!
//! SVG text is written as `<text>` elements with the generic `sans-serif`
//! family, so the reader's system picks the face. PNG text is rasterised
//! with an embedded font: a subset of DejaVu Sans (Latin-1 and a few
//! punctuation marks), `DejaVuSans-subset.ttf` beside this file, under the
//! Bitstream Vera licence with DejaVu's changes in the public domain (see
//! `DejaVuSans-subset.LICENSE.txt` beside it).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::Error;
use crate::montecarlo::Summary;
use crate::scenario::Scenario;
use crate::stats::SeriesBands;

/// DejaVu Sans, subset to Latin-1 and a few punctuation marks
/// (`pyftsubset`, no hinting). Licence: Bitstream Vera licence; DejaVu
/// changes are in the public domain. See `DejaVuSans-subset.LICENSE.txt`.
static FONT: &[u8] = include_bytes!("DejaVuSans-subset.ttf");

/// Font family used for all text.
const FAMILY: &str = "sans-serif";

/// Chart width \[pixels\].
const WIDTH: u32 = 1600;
/// Height of one panel \[pixels\].
const PANEL_HEIGHT: u32 = 760;
/// Height of the title block above the panels \[pixels\].
const TITLE_HEIGHT: u32 = 130;

/// Font sizes \[pixels\].
const TITLE_SIZE: f64 = 46.0;
const SUBTITLE_SIZE: f64 = 28.0;
const CAPTION_SIZE: f64 = 38.0;
const DESC_SIZE: f64 = 30.0;
const TICK_SIZE: f64 = 27.0;
const LEGEND_SIZE: f64 = 27.0;

/// Line widths \[pixels\].
const MEDIAN_WIDTH: u32 = 5;
const REFERENCE_WIDTH: u32 = 4;

/// Series colours, one per facility or stage in turn.
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(230, 120, 20),
    RGBColor(44, 150, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(23, 160, 180),
];

/// Colour of capacity and other reference lines.
const REFERENCE: RGBColor = RGBColor(200, 30, 30);

/// Registers the embedded font with plotters once.
fn ensure_font() -> Result<(), Error> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED
        .get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(Error::Plot("the embedded font cannot be read".into()))
    }
}

/// Maps a plotters error to [`Error::Plot`].
fn plot_err(e: impl std::fmt::Display) -> Error {
    Error::Plot(e.to_string())
}

fn font(size: f64) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&BLACK)
}

// ---------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `(year, month, day)` of a count of days since 1970-01-01
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Parses `YYYY-MM-DD` to days since 1970-01-01.
fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.trim().splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > 31 {
        return None;
    }
    let z = days_from_civil(y, m, d);
    (civil_from_days(z) == (y, m, d)).then_some(z)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Day 0 as days since 1970-01-01, and the calendar axis of a horizon.
#[derive(Debug, Clone, Copy)]
struct Calendar {
    /// Day 0 \[days since 1970-01-01\].
    epoch: i64,
    /// Last day plotted \[days\].
    horizon: u32,
}

impl Calendar {
    fn new(start_date: &str, horizon: u32) -> Result<Calendar, Error> {
        let epoch = parse_date(start_date).ok_or_else(|| {
            Error::Plot(format!(
                "start_date {start_date:?} is not a YYYY-MM-DD date"
            ))
        })?;
        Ok(Calendar { epoch, horizon })
    }

    /// `21 Jan 2026` for a model day.
    fn long(&self, day: f64) -> String {
        let (y, m, d) = civil_from_days(self.epoch + day.floor() as i64);
        format!("{d} {} {y}", MONTHS[m as usize - 1])
    }

    /// `Apr 2026` or `28 Jan`, for an axis tick.
    fn tick(&self, day: f64) -> String {
        let (y, m, d) = civil_from_days(self.epoch + day.round() as i64);
        if self.horizon > 62 {
            format!("{} {y}", MONTHS[m as usize - 1])
        } else {
            format!("{d} {}", MONTHS[m as usize - 1])
        }
    }

    /// Ticks of the day axis: multiples of a round step, about 6 to 12.
    fn day_ticks(&self) -> Vec<f64> {
        let h = f64::from(self.horizon);
        let step = [1.0, 2.0, 7.0, 14.0, 30.0, 60.0, 90.0, 180.0, 365.0, 730.0]
            .into_iter()
            .find(|s| h / s <= 12.0)
            .unwrap_or((h / 10.0).ceil());
        let mut v = Vec::new();
        let mut x = 0.0;
        while x <= h + 1e-9 {
            v.push(x);
            x += step;
        }
        v
    }

    /// Ticks of the date axis: first days of months (every 1, 2, 3, 6 or 12
    /// months), or for horizons up to two months, every few days.
    fn date_ticks(&self) -> Vec<f64> {
        let h = i64::from(self.horizon);
        if self.horizon <= 62 {
            return self.day_ticks();
        }
        let (mut y, mut m, _) = civil_from_days(self.epoch);
        let months = h / 30 + 1;
        let step = [1, 2, 3, 6, 12]
            .into_iter()
            .find(|s| months / s <= 9)
            .unwrap_or(24);
        let mut v = Vec::new();
        loop {
            // Next first-of-month after day 0, on the step's grid (Jan-based).
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
            if i64::from(m - 1) % step != 0 {
                continue;
            }
            let day = days_from_civil(y, m, 1) - self.epoch;
            if day > h {
                break;
            }
            v.push(day as f64);
        }
        v
    }
}

/// A linear axis `[lo, hi]` with ticks at given values (plotters'
/// `WithKeyPoints` lacks a formatter for `f64` axes).
#[derive(Debug, Clone)]
struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ticked {
    fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Ticked {
        Ticked { lo, hi, ticks }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = (value - self.lo) / (self.hi - self.lo);
        (f64::from(limit.0) + t * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

// ---------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------

/// An integer with thousands separators: `14,000`.
fn thousands(x: f64) -> String {
    let n = x.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A file-name-safe form of a facility or stage name.
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
        .collect();
    s.trim_matches('_').to_string()
}

/// File stems of the per-facility charts: `occupancy_<slug>`, with the
/// facility's position added where a slug is empty (a name in another
/// script) or shared with another facility, so no chart overwrites another.
fn facility_stems(scenario: &Scenario) -> Vec<String> {
    let slugs: Vec<String> = scenario.facilities.iter().map(|f| slug(&f.name)).collect();
    slugs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let shared = slugs.iter().filter(|t| *t == s).count() > 1;
            if s.is_empty() || shared {
                format!("occupancy_{}_{s}", i + 1)
                    .trim_end_matches('_')
                    .to_string()
            } else {
                format!("occupancy_{s}")
            }
        })
        .collect()
}

/// A round upper bound for an axis: at least `x`, 5-15% above it.
fn nice_max(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return 1.0;
    }
    let x = x * 1.08;
    let mag = 10f64.powf(x.log10().floor() - 1.0);
    (x / mag).ceil() * mag
}

/// Drops interior points of flat runs (equal value before and after):
/// the line looks the same and the SVG is much smaller.
fn thin(points: impl Iterator<Item = (f64, f64)>) -> Vec<(f64, f64)> {
    let all: Vec<_> = points.collect();
    let mut out = Vec::with_capacity(all.len());
    for (i, &p) in all.iter().enumerate() {
        let flat = i > 0 && i + 1 < all.len() && all[i - 1].1 == p.1 && all[i + 1].1 == p.1;
        if !flat {
            out.push(p);
        }
    }
    out
}

/// The days worth plotting of series that settle early: up to a round day
/// a quarter past the last change of any band, or the whole horizon when
/// the series still move in its last third.
fn active_span(bands: &SeriesBands, horizon: u32) -> u32 {
    let last_change = |v: &[f64]| {
        let end = v.last().copied().unwrap_or(0.0);
        v.iter().rposition(|x| *x != end).map_or(0, |i| i + 1) as u32
    };
    let d = last_change(&bands.p5)
        .max(last_change(&bands.p50))
        .max(last_change(&bands.p95));
    if d * 3 >= horizon * 2 {
        return horizon;
    }
    let want = (d + d / 4 + 7).max(28);
    let step = if want <= 70 { 7 } else { 30 };
    want.div_ceil(step).saturating_mul(step).min(horizon)
}

// ---------------------------------------------------------------------
// Drawing
// ---------------------------------------------------------------------

/// The scenario and summary facts every chart needs.
struct Context<'a> {
    scenario: &'a Scenario,
    summary: &'a Summary,
    cal: Calendar,
}

impl Context<'_> {
    fn series(&self, name: &str) -> Result<&SeriesBands, Error> {
        self.summary
            .series(name)
            .ok_or_else(|| Error::Plot(format!("the summary has no series {name:?}")))
    }

    fn subtitle(&self, what: &str) -> String {
        format!(
            "{} \u{2014} {}; {} replications; day 0 = {}",
            self.summary.scenario,
            what,
            thousands(self.summary.replications as f64),
            self.cal.long(0.0)
        )
    }
}

/// A band to draw in a panel: median line in a 5-95% band.
struct Band<'a> {
    label: &'a str,
    bands: &'a SeriesBands,
    colour: RGBColor,
}

/// A reference line: a step function `(day, value)` drawn dashed.
struct Reference {
    label: String,
    points: Vec<(f64, f64)>,
}

/// Draws the title and subtitle, returns the area below them.
fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<DrawingArea<DB, Shift>, Error> {
    root.fill(&WHITE).map_err(plot_err)?;
    let (top, rest) = root.split_vertically(TITLE_HEIGHT);
    let (w, _) = top.dim_in_pixel();
    let centre = Pos::new(HPos::Center, VPos::Top);
    top.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, 18),
        font(TITLE_SIZE).pos(centre),
    ))
    .map_err(plot_err)?;
    top.draw(&Text::new(
        subtitle.to_string(),
        (w as i32 / 2, 18 + TITLE_SIZE as i32 + 16),
        font(SUBTITLE_SIZE).color(&RGBColor(70, 70, 70)).pos(centre),
    ))
    .map_err(plot_err)?;
    Ok(rest)
}

/// One time-series panel: bands, reference lines, both time axes.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    cal: Calendar,
    caption: Option<&str>,
    y_desc: &str,
    bands: &[Band<'_>],
    references: &[Reference],
) -> Result<(), Error> {
    let h = f64::from(cal.horizon);
    let days = cal.horizon as usize;
    let y_max = nice_max(
        bands
            .iter()
            .flat_map(|b| {
                b.bands
                    .p95
                    .iter()
                    .take(days)
                    .chain(b.bands.p50.iter().take(days))
            })
            .chain(
                references
                    .iter()
                    .flat_map(|r| r.points.iter().map(|p| &p.1)),
            )
            .copied()
            .fold(0.0, f64::max),
    );
    let y_fmt = |y: &f64| thousands(*y);
    let day_fmt = |d: &f64| format!("{d:.0}");
    let date_fmt = |d: &f64| cal.tick(*d);

    let mut builder = ChartBuilder::on(area);
    if let Some(caption) = caption {
        builder.caption(caption, font(CAPTION_SIZE));
    }
    let mut chart = builder
        .margin_left(20)
        .margin_right(50)
        .margin_top(10)
        .margin_bottom(10)
        .x_label_area_size(90)
        .top_x_label_area_size(90)
        .y_label_area_size(150)
        .build_cartesian_2d(Ticked::new(0.0, h, cal.day_ticks()), 0.0..y_max)
        .map_err(plot_err)?
        .set_secondary_coord(Ticked::new(0.0, h, cal.date_ticks()), 0.0..y_max);

    chart
        .configure_mesh()
        .x_labels(20)
        .y_labels(8)
        .x_label_formatter(&day_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc(format!("days since {} (day 0)", cal.long(0.0)))
        .y_desc(y_desc)
        .label_style(font(TICK_SIZE))
        .axis_desc_style(font(DESC_SIZE))
        .axis_style(ShapeStyle::from(&BLACK).stroke_width(2))
        .bold_line_style(BLACK.mix(0.15))
        .light_line_style(TRANSPARENT)
        .set_all_tick_mark_size(8)
        .draw()
        .map_err(plot_err)?;
    chart
        .configure_secondary_axes()
        .x_labels(20)
        .x_label_formatter(&date_fmt)
        .label_style(font(TICK_SIZE))
        .axis_desc_style(font(DESC_SIZE))
        .axis_style(ShapeStyle::from(&BLACK).stroke_width(2))
        .draw()
        .map_err(plot_err)?;

    // Bands under lines, lines on top.
    for b in bands {
        let mut outline = thin(
            b.bands
                .p95
                .iter()
                .take(days)
                .enumerate()
                .map(|(i, &v)| ((i + 1) as f64, v)),
        );
        let mut lower = thin(
            b.bands
                .p5
                .iter()
                .take(days)
                .enumerate()
                .map(|(i, &v)| ((i + 1) as f64, v)),
        );
        lower.reverse();
        outline.extend(lower);
        let fill = b.colour.mix(0.25);
        chart
            .draw_series(std::iter::once(Polygon::new(outline, fill.filled())))
            .map_err(plot_err)?
            .label(format!("{}: 5\u{2013}95% of replications", b.label))
            .legend(move |(x, y)| Rectangle::new([(x, y - 12), (x + 44, y + 12)], fill.filled()));
    }
    for r in references {
        let style = ShapeStyle::from(&REFERENCE).stroke_width(REFERENCE_WIDTH);
        chart
            .draw_series(DashedLineSeries::new(
                r.points.iter().copied(),
                22,
                12,
                style,
            ))
            .map_err(plot_err)?
            .label(r.label.clone())
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (18, 0)], style)
                    + PathElement::new(vec![(26, 0), (44, 0)], style)
            });
    }
    for b in bands {
        let style = ShapeStyle::from(&b.colour).stroke_width(MEDIAN_WIDTH);
        chart
            .draw_series(LineSeries::new(
                thin(
                    b.bands
                        .p50
                        .iter()
                        .take(days)
                        .enumerate()
                        .map(|(i, &v)| ((i + 1) as f64, v)),
                ),
                style,
            ))
            .map_err(plot_err)?
            .label(format!("{}: median", b.label))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 44, y)], style));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .margin(16)
        .legend_area_size(56)
        .label_font(font(LEGEND_SIZE))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.5))
        .draw()
        .map_err(plot_err)?;
    Ok(())
}

/// Capacity of a facility over days 0..=horizon as a step function.
fn capacity_steps(
    f: &crate::scenario::Facility,
    start: crate::scenario::Date,
    horizon: f64,
) -> Vec<(f64, f64)> {
    let mut expansions: Vec<_> = f
        .expansions
        .iter()
        .map(|e| (e.day.days_from(start), e.beds))
        .filter(|e| e.0 <= horizon)
        .collect();
    expansions.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cap = f.capacity as f64;
    let mut pts = vec![(0.0, cap)];
    for (day, beds) in expansions {
        pts.push((day, cap));
        cap += beds as f64;
        pts.push((day, cap));
    }
    pts.push((horizon, cap));
    pts
}

/// Draws `n` stacked panels into a file of the given backend.
fn stacked<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    n: usize,
    mut draw: impl FnMut(usize, &DrawingArea<DB, Shift>) -> Result<(), Error>,
) -> Result<(), Error> {
    let body = titled(&root, title, subtitle)?;
    for (i, area) in body.split_evenly((n.max(1), 1)).iter().enumerate().take(n) {
        draw(i, area)?;
    }
    root.present().map_err(plot_err)
}

/// The charts, each drawn on any backend.
#[derive(Clone, Copy)]
enum Chart<'a> {
    /// Facilities by index, stacked.
    Occupancy(&'a [usize]),
    CourtQueues,
    Transfers,
    Repatriation,
}

impl Chart<'_> {
    fn panels(&self, cx: &Context<'_>) -> usize {
        match self {
            Chart::Occupancy(ix) => ix.len(),
            Chart::CourtQueues => cx.scenario.court.stages.len(),
            Chart::Transfers | Chart::Repatriation => 1,
        }
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, Shift>,
        cx: &Context<'_>,
    ) -> Result<(), Error> {
        let s = cx.scenario;
        let h = f64::from(cx.cal.horizon);
        match *self {
            Chart::Occupancy(ix) => {
                let title = if ix.len() == 1 {
                    format!("{}: prison occupancy", s.facilities[ix[0]].name)
                } else {
                    "Prison occupancy".to_string()
                };
                stacked(
                    root,
                    &title,
                    &cx.subtitle("end-of-day occupancy, median and 5\u{2013}95% band, against capacity"),
                    ix.len(),
                    |k, area| {
                        let i = ix[k];
                        let f = &s.facilities[i];
                        let bands = cx.series(&format!("occupancy.{}", f.name))?;
                        panel(
                            area,
                            cx.cal,
                            (ix.len() > 1).then_some(f.name.as_str()),
                            "detainees held",
                            &[Band {
                                label: "occupancy",
                                bands,
                                colour: PALETTE[i % PALETTE.len()],
                            }],
                            &[Reference {
                                label: "capacity (beds)".into(),
                                points: capacity_steps(f, s.start_date, h),
                            }],
                        )
                    },
                )
            }
            Chart::CourtQueues => stacked(
                root,
                "Court queues",
                &cx.subtitle("cases waiting for each stage, median and 5\u{2013}95% band"),
                s.court.stages.len(),
                |i, area| {
                    let st = &s.court.stages[i];
                    let bands = cx.series(&format!("queue.{}", st.name))?;
                    let caption = format!("{} ({} servers at first)", st.name, thousands(st.servers as f64));
                    panel(
                        area,
                        cx.cal,
                        Some(&caption),
                        "cases waiting",
                        &[Band {
                            label: "queue",
                            bands,
                            colour: PALETTE[i % PALETTE.len()],
                        }],
                        &[],
                    )
                },
            ),
            Chart::Transfers => stacked(
                root,
                "Transfers to Iraq",
                &cx.subtitle("cumulative arrivals, median and 5\u{2013}95% band"),
                1,
                |_, area| {
                    let bands = cx.series("transferred_cumulative")?;
                    let total = s.total_detainees() as f64;
                    let cal = Calendar {
                        horizon: active_span(bands, cx.cal.horizon),
                        ..cx.cal
                    };
                    let h = f64::from(cal.horizon);
                    panel(
                        area,
                        cal,
                        None,
                        "detainees (cumulative)",
                        &[Band {
                            label: "arrived",
                            bands,
                            colour: PALETTE[0],
                        }],
                        &[Reference {
                            label: format!("all {} detainees", thousands(total)),
                            points: vec![(0.0, total), (h, total)],
                        }],
                    )
                },
            ),
            Chart::Repatriation => stacked(
                root,
                "Repatriation by group",
                &cx.subtitle("mean repatriated by the horizon \u{b1} 95% CI; whiskers: 5\u{2013}95% of replications"),
                1,
                |_, area| repatriation_panel(area, cx),
            ),
        }
    }
}

/// Bar chart of repatriated per group, with whiskers.
fn repatriation_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    cx: &Context<'_>,
) -> Result<(), Error> {
    let groups = &cx.scenario.groups;
    let mut rows = Vec::with_capacity(groups.len());
    for g in groups {
        let name = format!("repatriated.{}", g.name);
        let m = cx
            .summary
            .metric(&name)
            .ok_or_else(|| Error::Plot(format!("the summary has no metric {name:?}")))?;
        let mean = m.mean.unwrap_or(0.0);
        rows.push((
            g.name.as_str(),
            g.count,
            mean,
            m.p5.unwrap_or(mean),
            m.p95.unwrap_or(mean),
            m.ci_half_width(0.95),
        ));
    }
    let n = rows.len();
    let y_max = nice_max(rows.iter().map(|r| r.4.max(r.2)).fold(0.0, f64::max));
    let names: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
    let x_fmt = move |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 {
            names.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let y_fmt = |y: &f64| thousands(*y);
    let mut chart = ChartBuilder::on(area)
        .margin_left(20)
        .margin_right(50)
        .margin_top(30)
        .margin_bottom(10)
        .x_label_area_size(110)
        .y_label_area_size(150)
        .build_cartesian_2d(
            Ticked::new(-0.6, n as f64 - 0.4, (0..n).map(|i| i as f64).collect()),
            0.0..y_max,
        )
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.max(1))
        .y_labels(8)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc("group (detainees in the group below the name)")
        .y_desc("detainees repatriated")
        .label_style(font(TICK_SIZE))
        .axis_desc_style(font(DESC_SIZE))
        .axis_style(ShapeStyle::from(&BLACK).stroke_width(2))
        .bold_line_style(BLACK.mix(0.15))
        .light_line_style(TRANSPARENT)
        .set_all_tick_mark_size(8)
        .draw()
        .map_err(plot_err)?;

    let whisker = ShapeStyle::from(&BLACK).stroke_width(REFERENCE_WIDTH);
    for (i, &(_, count, mean, p5, p95, hw)) in rows.iter().enumerate() {
        let x = i as f64;
        let colour = PALETTE[i % PALETTE.len()];
        chart
            .draw_series([
                Rectangle::new(
                    [(x - 0.32, 0.0), (x + 0.32, mean)],
                    colour.mix(0.85).filled(),
                ),
                Rectangle::new(
                    [(x - 0.32, 0.0), (x + 0.32, mean)],
                    ShapeStyle::from(&colour).stroke_width(3),
                ),
            ])
            .map_err(plot_err)?;
        if p95 > p5 {
            chart
                .draw_series([
                    PathElement::new(vec![(x, p5), (x, p95)], whisker),
                    PathElement::new(vec![(x - 0.1, p5), (x + 0.1, p5)], whisker),
                    PathElement::new(vec![(x - 0.1, p95), (x + 0.1, p95)], whisker),
                ])
                .map_err(plot_err)?;
        }
        let mut label = thousands(mean);
        if let Some(hw) = hw.filter(|hw| *hw >= 0.5) {
            label = format!("{label} \u{b1} {}", thousands(hw));
        }
        let base = area.get_base_pixel();
        let (px, py) = chart.backend_coord(&(x, p95.max(mean)));
        area.draw(&Text::new(
            label,
            (px - base.0, py - base.1 - 12),
            font(LEGEND_SIZE).pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))
        .map_err(plot_err)?;
        // The group's size under its name.
        let (px, py) = chart.backend_coord(&(x, 0.0));
        area.draw(&Text::new(
            format!("of {}", thousands(count as f64)),
            (px - base.0, py - base.1 + 50),
            font(TICK_SIZE - 3.0)
                .color(&RGBColor(90, 90, 90))
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(plot_err)?;
    }
    Ok(())
}

/// Writes one chart as `<stem>.svg` and `<stem>.png` in `dir`.
fn write_chart(
    dir: &Path,
    stem: &str,
    chart: Chart<'_>,
    cx: &Context<'_>,
    out: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let panels = chart.panels(cx).max(1) as u32;
    let size = (WIDTH, TITLE_HEIGHT + panels * PANEL_HEIGHT);
    let svg = dir.join(format!("{stem}.svg"));
    chart.draw(SVGBackend::new(&svg, size).into_drawing_area(), cx)?;
    out.push(svg);
    let png = dir.join(format!("{stem}.png"));
    chart.draw(BitMapBackend::new(&png, size).into_drawing_area(), cx)?;
    out.push(png);
    Ok(())
}

/// Writes the charts of `summary` (a run of `scenario`) into `dir`, each as
/// SVG and PNG, and returns the paths written.
///
/// The files are listed in the [module docs](self): occupancy of every
/// facility against its capacity (with expansions), court queues per
/// stage, cumulative transfers, and repatriation per group. `dir` is
/// created if missing; existing files of the same names are overwritten.
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
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let horizon = summary.horizon_days.min(scenario.horizon_days);
    if horizon == 0 {
        return Err(Error::Plot("the summary has no days to plot".into()));
    }
    let cx = Context {
        scenario,
        summary,
        cal: Calendar::new(&summary.start_date, horizon)?,
    };
    let mut out = Vec::new();
    let all: Vec<usize> = (0..scenario.facilities.len()).collect();
    write_chart(dir, "occupancy", Chart::Occupancy(&all), &cx, &mut out)?;
    let stems = facility_stems(scenario);
    for i in &all {
        let stem = &stems[*i];
        write_chart(
            dir,
            stem,
            Chart::Occupancy(std::slice::from_ref(i)),
            &cx,
            &mut out,
        )?;
    }
    write_chart(dir, "court_queues", Chart::CourtQueues, &cx, &mut out)?;
    write_chart(dir, "transfers", Chart::Transfers, &cx, &mut out)?;
    write_chart(dir, "repatriation", Chart::Repatriation, &cx, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::{Runs, run};
    use crate::presets;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        let d0 = parse_date("2026-01-21").unwrap();
        assert_eq!(civil_from_days(d0 + 11), (2026, 2, 1));
        assert_eq!(civil_from_days(d0 + 730), (2028, 1, 21));
        let leap = parse_date("2028-02-28").unwrap();
        assert_eq!(civil_from_days(leap + 1), (2028, 2, 29));
        assert_eq!(civil_from_days(leap + 2), (2028, 3, 1));
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("not a date"), None);
        for z in -1000..100_000 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn axis_helpers() {
        assert_eq!(thousands(14000.0), "14,000");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(-1234567.0), "-1,234,567");
        assert_eq!(slug("Karkh Central (Baghdad)"), "karkh_central__baghdad");
        let mut s = crate::presets::plan_2026_01();
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
        let cal = Calendar::new("2026-01-21", 730).unwrap();
        let ticks = cal.date_ticks();
        assert_eq!(cal.tick(ticks[0]), "Apr 2026");
        assert!(ticks.len() <= 10);
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
