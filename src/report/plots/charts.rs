//! The charts: occupancy against capacity, court queues, cumulative
//! transfers and repatriation by group, each drawn on any plotters backend.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{Calendar, Ticked, active_span, nice_max};
use super::draw::{by_day, capacity_steps, draw_band, draw_median, draw_mesh, time_chart, titled};
use super::style::{
    CHAR_WIDTH, LEGEND_SIZE, MEDIAN_WIDTH, PALETTE, REFERENCE, REFERENCE_WIDTH, TICK_SIZE,
    chars_in, font, plot_err, wrap,
};
use crate::error::Error;
use crate::montecarlo::Summary;
use crate::report::format::thousands;
use crate::report::overrides_text;
use crate::scenario::Override;
use crate::scenario::Scenario;
use crate::stats::SeriesBands;

/// The scenario and summary facts every chart needs.
#[derive(Clone, Copy)]
pub(super) struct Context<'a> {
    pub(super) scenario: &'a Scenario,
    pub(super) summary: &'a Summary,
    pub(super) cal: Calendar,
    /// The `--set`s the scenario was run with, named in every subtitle.
    pub(super) overrides: &'a [Override],
    /// The named variant it was run as, named in every subtitle.
    pub(super) variant: Option<&'a str>,
    /// Part k of n (1-based) of a chart split into several files.
    pub(super) part: Option<(usize, usize)>,
}

/// Longest list of overrides in a subtitle \[characters\].
const OVERRIDES_SHOWN: usize = 70;

impl Context<'_> {
    /// A chart's title, with its part where it is split.
    fn title(&self, title: &str) -> String {
        match self.part {
            Some((k, n)) => format!("{title} ({k} of {n})"),
            None => title.to_string(),
        }
    }

    fn series(&self, name: &str) -> Result<&SeriesBands, Error> {
        self.summary
            .series(name)
            .ok_or_else(|| Error::plot(format!("the summary has no series {name:?}")))
    }

    fn subtitle(&self, what: &str) -> String {
        let mut name = self.summary.scenario.clone();
        let (from_variant, set): (Vec<Override>, Vec<Override>) = self
            .overrides
            .iter()
            .cloned()
            .partition(|o| o.variant.is_some());
        let variant = self
            .variant
            .or_else(|| from_variant.first().and_then(|o| o.variant.as_deref()));
        if let Some(v) = variant {
            name = format!("{name}, variant {v}");
        }
        if !set.is_empty() {
            let mut text = overrides_text(&set);
            if text.chars().count() > OVERRIDES_SHOWN {
                text = text.chars().take(OVERRIDES_SHOWN - 1).collect::<String>() + "\u{2026}";
            }
            name = format!("{name} (--set {text})");
        }
        if let Some(d) = crate::report::drawn::Drawn::of(self.scenario) {
            name = format!("{name}, drawing {}", d.short());
        }
        format!(
            "{} \u{2014} {}; {} replications; day 0 = {}",
            name,
            what,
            thousands(self.summary.replications as f64),
            self.cal.start_long()
        )
    }
}

/// A band to draw in a panel: median line in a 5-95% band.
pub(super) struct Band<'a> {
    label: &'a str,
    bands: &'a SeriesBands,
    colour: RGBColor,
}

/// A reference line: a step function `(day, value)` drawn dashed.
pub(super) struct Reference {
    label: String,
    points: Vec<(f64, f64)>,
}

/// Where a facility's overflow goes, drawn in its panel: the median
/// occupancy of each receiving facility that fits the panel's scale (a
/// thin dotted line), and a note naming them all.
#[derive(Default)]
pub(super) struct Overflow<'a> {
    /// Receiving facilities drawn: name, median, colour.
    lines: Vec<(&'a str, &'a SeriesBands, RGBColor)>,
    /// The note drawn in the panel's top left (`overflow to Kut`).
    note: Option<String>,
}

/// One time-series panel: bands, reference lines, both time axes, and
/// where a facility's overflow goes.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    cal: Calendar,
    caption: Option<&str>,
    y_desc: &str,
    bands: &[Band<'_>],
    references: &[Reference],
    overflow: &Overflow<'_>,
) -> Result<(), Error> {
    let h = f64::from(cal.horizon);
    let days = cal.horizon as usize;
    let top = bands
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
        .chain(
            overflow
                .lines
                .iter()
                .flat_map(|l| l.1.p50.iter().take(days)),
        )
        .copied()
        .fold(0.0, f64::max);
    // A band narrower than its median line (in pixels, about) is named
    // in a note with its widest span; a note needs room above the data.
    let plot_h = f64::from(area.dim_in_pixel().1).max(200.0) - 140.0;
    let mut notes: Vec<String> = overflow.note.iter().cloned().collect();
    // The first such band with some width is zoomed on in an inset.
    let mut zoom: Option<(&Band<'_>, (usize, usize))> = None;
    for b in bands {
        let widest = b
            .bands
            .p95
            .iter()
            .zip(&b.bands.p5)
            .take(days)
            .map(|(h, l)| h - l)
            .fold(0.0, f64::max);
        if widest / nice_max(top) * plot_h < 2.0 * f64::from(MEDIAN_WIDTH) {
            let window = zoom_window(b.bands, days);
            let inset = zoom.is_none() && window.is_some();
            if let (true, Some((a, z, _))) = (inset, window) {
                zoom = Some((b, (a, z)));
            }
            notes.push(format!(
                "{}: 5\u{2013}95% band at most {} wide (under the line{})",
                b.label,
                thousands(widest),
                if inset { "; zoomed in the inset" } else { "" }
            ));
        }
    }
    // Each note wrapped to the plot's width.
    let room = f64::from(area.dim_in_pixel().0) - 190.0;
    let notes: Vec<String> = notes
        .iter()
        .flat_map(|n| wrap(n, chars_in(room, TICK_SIZE), 3))
        .collect();
    let y_max = nice_max(top * (1.0 + 0.13 * notes.len() as f64));
    // The legend in rows below the panel, off the data.
    let mut entries: Vec<(Swatch, String)> = Vec::new();
    let one = bands.len() == 1;
    for b in bands {
        let what = if one {
            String::new()
        } else {
            format!("{}: ", b.label)
        };
        entries.push((Swatch::Line(b.colour), format!("{what}median")));
        entries.push((
            Swatch::Band(b.colour),
            format!("{what}5\u{2013}95% of replications"),
        ));
    }
    for r in references {
        entries.push((Swatch::Dashed(REFERENCE), r.label.clone()));
    }
    for &(name, _, colour) in &overflow.lines {
        entries.push((
            Swatch::Dotted(colour),
            format!("{name} (receives overflow): median"),
        ));
    }
    let (area_w, area_h) = area.dim_in_pixel();
    let rows = legend_rows(&entries, f64::from(area_w) - 40.0);
    let strip_h = (rows.len() as u32 * LEGEND_ROW + 8).min(area_h / 2);
    let (area, strip) = area.split_vertically(area_h - strip_h);
    legend_strip(&strip, &entries, &rows)?;
    let area = &area;
    let y_fmt = |y: &f64| thousands(*y);
    let mut chart = time_chart(area, caption, cal, (0.0, h), y_max, y_desc, &y_fmt)?;

    // Bands under lines, lines on top.
    for b in bands {
        draw_band(&mut chart, b.bands, days, b.colour, b.label)?;
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
    for &(name, target, colour) in &overflow.lines {
        let style = ShapeStyle::from(&colour).stroke_width(REFERENCE_WIDTH);
        chart
            .draw_series(DashedLineSeries::new(
                by_day(&target.p50, days),
                4,
                8,
                style,
            ))
            .map_err(plot_err)?
            .label(format!("{name} (receives overflow): median"))
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (4, 0)], style)
                    + PathElement::new(vec![(12, 0), (16, 0)], style)
                    + PathElement::new(vec![(24, 0), (28, 0)], style)
            });
    }
    for b in bands {
        draw_median(&mut chart, b.bands, days, b.colour, b.label)?;
    }
    if let Some((b, window)) = zoom {
        // Every point drawn, in pixels, for the inset to cover the fewest.
        let mut data: Vec<(i32, i32)> = Vec::new();
        for b in bands {
            for v in [&b.bands.p5, &b.bands.p50, &b.bands.p95] {
                data.extend(by_day(v, days).iter().map(|p| chart.backend_coord(p)));
            }
        }
        for r in references {
            // A step line: its corners and 16 points along each segment.
            for w in r.points.windows(2) {
                let ((xa, ya), (xb, yb)) = (w[0], w[1]);
                data.extend((0..=16).map(|k| {
                    let t = f64::from(k) / 16.0;
                    chart.backend_coord(&(xa + (xb - xa) * t, ya + (yb - ya) * t))
                }));
            }
        }
        let top_left = chart.backend_coord(&(0.0, y_max));
        let bottom_right = chart.backend_coord(&(h, 0.0));
        // The notes take the top left.
        let line_h = (TICK_SIZE / 1.24 * 1.3) as i32;
        for k in 0..=notes.len() as i32 * line_h {
            data.push((top_left.0 + 12, top_left.1 + 8 + k));
        }
        inset(area, (top_left, bottom_right), &data, b, window)?;
    }
    let line_h = (TICK_SIZE / 1.24 * 1.3) as i32;
    for (k, note) in notes.iter().enumerate() {
        let (x0, y0) = chart.backend_coord(&(0.0, y_max));
        let base = area.get_base_pixel();
        let at = (x0 - base.0 + 12, y0 - base.1 + 8 + k as i32 * line_h);
        let width = (note.chars().count() as f64 * TICK_SIZE / 1.24 * CHAR_WIDTH) as i32;
        area.draw(&Rectangle::new(
            [
                (at.0 - 6, at.1 - 4),
                (at.0 + width + 6, at.1 + TICK_SIZE as i32),
            ],
            WHITE.mix(0.85).filled(),
        ))
        .map_err(plot_err)?;
        area.draw(&Text::new(
            note.clone(),
            at,
            font(TICK_SIZE).pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(plot_err)?;
    }
    Ok(())
}

/// The window an inset zooms on, for a band drawn over `days` days: the
/// day the band is widest, with `max(7, days / 12)` days either side
/// (0-based indices, inclusive), and that widest span; `None` for a band
/// of zero width everywhere (the same in every run: nothing to zoom on)
/// or fewer than 2 days.
fn zoom_window(bands: &SeriesBands, days: usize) -> Option<(usize, usize, f64)> {
    let (at, widest) = bands
        .p95
        .iter()
        .zip(&bands.p5)
        .take(days)
        .map(|(h, l)| h - l)
        .enumerate()
        .fold((0, 0.0), |acc, (i, w)| if w > acc.1 { (i, w) } else { acc });
    if widest <= 0.0 || days < 2 {
        return None;
    }
    let half = (days / 12).max(7);
    Some((at.saturating_sub(half), (at + half).min(days - 1), widest))
}

/// Width and height of an inset as shares of the plot's.
const INSET_SHARE: (f64, f64) = (0.5, 0.56);

/// Draws an inset zoomed on the days `window` (0-based, inclusive) of band
/// `b`, its y-range following the band there, so that a band thinner than
/// its median line in the panel shows. It goes in the corner of the plot
/// (`plot`: top-left and bottom-right in backend pixels) that covers the
/// fewest of `data` (the panel's points in backend pixels), on a white
/// ground with a frame.
fn inset<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: ((i32, i32), (i32, i32)),
    data: &[(i32, i32)],
    b: &Band<'_>,
    window: (usize, usize),
) -> Result<(), Error> {
    let ((x0, y0), (x1, y1)) = plot;
    let w = (f64::from(x1 - x0) * INSET_SHARE.0) as i32;
    let h = (f64::from(y1 - y0) * INSET_SHARE.1) as i32;
    let gap = 10;
    let corners = [
        (x0 + gap, y0 + gap),
        (x1 - gap - w, y0 + gap),
        (x1 - gap - w, y1 - gap - h),
        (x0 + gap, y1 - gap - h),
    ];
    let covered = |&(cx, cy): &(i32, i32)| {
        data.iter()
            .filter(|&&(x, y)| x >= cx && x <= cx + w && y >= cy && y <= cy + h)
            .count()
    };
    let Some(&(cx, cy)) = corners.iter().min_by_key(|c| covered(c)) else {
        return Ok(());
    };
    let base = area.get_base_pixel();
    let sub = area
        .clone()
        .shrink((cx - base.0, cy - base.1), (w.max(1), h.max(1)));
    sub.fill(&WHITE).map_err(plot_err)?;
    let (a, z) = window;
    let at = |v: &[f64]| v.get(a..=z).unwrap_or_default().to_vec();
    let (p5, p50, p95) = (at(&b.bands.p5), at(&b.bands.p50), at(&b.bands.p95));
    let lo = p5.iter().chain(&p50).copied().fold(f64::INFINITY, f64::min);
    let hi = p95
        .iter()
        .chain(&p50)
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let pad = ((hi - lo) * 0.15).max(0.5);
    let (first, last) = ((a + 1) as f64, (z + 1) as f64);
    let y_fmt = |y: &f64| thousands(*y);
    let x_fmt = |x: &f64| thousands(*x);
    let mut chart = ChartBuilder::on(&sub)
        .caption(
            format!("zoom: days {}\u{2013}{}", a + 1, z + 1),
            font(TICK_SIZE),
        )
        .margin(6)
        .x_label_area_size(40)
        .y_label_area_size(110)
        .build_cartesian_2d(first..last, (lo - pad)..(hi + pad))
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_labels(3)
        .y_labels(3)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(font(TICK_SIZE))
        .axis_style(ShapeStyle::from(&BLACK).stroke_width(1))
        .bold_line_style(BLACK.mix(0.1))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(plot_err)?;
    let day = |i: usize| (a + i + 1) as f64;
    let mut outline: Vec<(f64, f64)> = p95.iter().enumerate().map(|(i, &y)| (day(i), y)).collect();
    outline.extend(p5.iter().enumerate().rev().map(|(i, &y)| (day(i), y)));
    chart
        .draw_series(std::iter::once(Polygon::new(
            outline,
            b.colour.mix(0.25).filled(),
        )))
        .map_err(plot_err)?;
    chart
        .draw_series(LineSeries::new(
            p50.iter().enumerate().map(|(i, &y)| (day(i), y)),
            ShapeStyle::from(&b.colour).stroke_width(MEDIAN_WIDTH / 2),
        ))
        .map_err(plot_err)?;
    sub.draw(&Rectangle::new(
        [(0, 0), (w - 1, h - 1)],
        ShapeStyle::from(&BLACK.mix(0.6)).stroke_width(2),
    ))
    .map_err(plot_err)?;
    Ok(())
}

/// How a legend entry shows its series.
#[derive(Clone, Copy)]
enum Swatch {
    /// A band: a filled box.
    Band(RGBColor),
    /// A median: a solid line.
    Line(RGBColor),
    /// A reference: a dashed line.
    Dashed(RGBColor),
    /// A receiving facility's median: a dotted line.
    Dotted(RGBColor),
}

/// Height of a row of the legend below a panel \[pixels\].
const LEGEND_ROW: u32 = 34;

/// The legend's entries laid out in rows of at most `width` pixels, left
/// to right: the indices of each row's entries.
fn legend_rows(entries: &[(Swatch, String)], width: f64) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut used = f64::INFINITY;
    for (i, (_, label)) in entries.iter().enumerate() {
        let w = entry_width(label);
        if used + w > width {
            rows.push(Vec::new());
            used = 0.0;
        }
        used += w;
        if let Some(r) = rows.last_mut() {
            r.push(i);
        }
    }
    rows
}

/// Width of a legend entry: its swatch, a gap, its label, a space after.
fn entry_width(label: &str) -> f64 {
    44.0 + label.chars().count() as f64 * LEGEND_SIZE / 1.24 * CHAR_WIDTH + 28.0
}

/// Draws the legend `entries` in `rows` into `strip`, below a panel, off
/// its data.
fn legend_strip<DB: DrawingBackend>(
    strip: &DrawingArea<DB, Shift>,
    entries: &[(Swatch, String)],
    rows: &[Vec<usize>],
) -> Result<(), Error> {
    for (r, row) in rows.iter().enumerate() {
        let y = 4 + r as i32 * LEGEND_ROW as i32 + LEGEND_ROW as i32 / 2;
        let mut x = 20;
        for &i in row {
            let (swatch, label) = &entries[i];
            let dash = |colour: &RGBColor, on: i32, off: i32, width: u32| {
                let style = ShapeStyle::from(colour).stroke_width(width);
                let mut parts = Vec::new();
                let mut a = 0;
                while a < 36 {
                    parts.push(PathElement::new(
                        vec![(x + a, y), (x + (a + on).min(36), y)],
                        style,
                    ));
                    a += on + off;
                }
                parts
            };
            let parts = match swatch {
                Swatch::Band(c) => {
                    strip
                        .draw(&Rectangle::new(
                            [(x, y - 10), (x + 36, y + 10)],
                            c.mix(0.25).filled(),
                        ))
                        .map_err(plot_err)?;
                    Vec::new()
                }
                Swatch::Line(c) => dash(c, 36, 0, MEDIAN_WIDTH),
                Swatch::Dashed(c) => dash(c, 14, 8, REFERENCE_WIDTH),
                Swatch::Dotted(c) => dash(c, 4, 6, REFERENCE_WIDTH),
            };
            for p in parts {
                strip.draw(&p).map_err(plot_err)?;
            }
            strip
                .draw(&Text::new(
                    label.clone(),
                    (x + 44, y),
                    font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(plot_err)?;
            x += entry_width(label) as i32;
        }
    }
    Ok(())
}

/// Where the overflow of facility `i` goes, for its panel: each receiving
/// facility whose median fits within 1.5 times the panel's own scale
/// (its band and capacity) is drawn; the note names every one, with the
/// mean moved out (`facility.<f>.overflowed_out`).
/// A facility that receives another's overflow is named in its note too.
fn overflow_of<'a>(
    cx: &'a Context<'a>,
    i: usize,
    own: &SeriesBands,
) -> Result<Overflow<'a>, Error> {
    let s = cx.scenario;
    let f = &s.facilities[i];
    let days = cx.cal.horizon as usize;
    let mut out = Overflow::default();
    let mut notes = Vec::new();
    if let Some(o) = &f.overflow {
        let scale = own
            .p95
            .iter()
            .take(days)
            .copied()
            .fold(f.capacity as f64, f64::max)
            * 1.5;
        let mut names = Vec::new();
        for name in &o.to {
            let Some(j) = s.facilities.iter().position(|g| &g.name == name) else {
                continue;
            };
            let target = cx.series(&format!("occupancy.{name}"))?;
            let peak = target.p50.iter().take(days).copied().fold(0.0, f64::max);
            if peak <= scale {
                out.lines.push((
                    s.facilities[j].name.as_str(),
                    target,
                    PALETTE[j % PALETTE.len()],
                ));
                names.push(name.clone());
            } else {
                names.push(format!("{name} (off scale)"));
            }
        }
        let moved = cx
            .summary
            .metric(&format!("facility.{}.overflowed_out", f.name))
            .and_then(|m| m.mean);
        let mut note = format!("overflow to {}", names.join(", "));
        if let Some(m) = moved {
            note.push_str(&format!(": {} moved", thousands(m)));
        }
        notes.push(note);
    }
    let from: Vec<&str> = s
        .facilities
        .iter()
        .filter(|g| {
            g.overflow
                .as_ref()
                .is_some_and(|o| o.to.iter().any(|t| t == &f.name))
        })
        .map(|g| g.name.as_str())
        .collect();
    if !from.is_empty() {
        notes.push(format!("receives overflow from {}", from.join(", ")));
    }
    if !notes.is_empty() {
        out.note = Some(notes.join("; "));
    }
    Ok(out)
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
pub(super) enum RunChart<'a> {
    /// Facilities by index, stacked.
    Occupancy(&'a [usize]),
    /// Court stages by index, stacked; index `stages` (one past the last
    /// stage) is the appeal.
    CourtQueues(&'a [usize]),
    Transfers,
    Repatriation,
}

impl RunChart<'_> {
    pub(super) fn panels(&self) -> usize {
        match self {
            RunChart::Occupancy(ix) | RunChart::CourtQueues(ix) => ix.len(),
            RunChart::Transfers | RunChart::Repatriation => 1,
        }
    }

    pub(super) fn draw<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, Shift>,
        cx: &Context<'_>,
    ) -> Result<(), Error> {
        let s = cx.scenario;
        let h = f64::from(cx.cal.horizon);
        match *self {
            RunChart::Occupancy(ix) => {
                let title = if ix.len() == 1 {
                    format!("{}: prison occupancy", s.facilities[ix[0]].name)
                } else {
                    cx.title("Prison occupancy")
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
                        let overflow = overflow_of(cx, i, bands)?;
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
                            &overflow,
                        )
                    },
                )
            }
            RunChart::CourtQueues(ix) => stacked(
                root,
                &cx.title("Court queues"),
                &cx.subtitle("cases waiting for each stage, median and 5\u{2013}95% band"),
                ix.len(),
                |k, area| {
                    let i = ix[k];
                    // Index `stages` is the appeal (v3), after the stages.
                    let Some(st) = s.court.stages.get(i) else {
                        let servers = s.court.appeal.as_ref().map_or(0, |a| a.servers);
                        let caption = format!("appeal ({} servers at first)", thousands(servers as f64));
                        return panel(
                            area,
                            cx.cal,
                            Some(&caption),
                            "convictions waiting",
                            &[Band {
                                label: "appeal queue",
                                bands: cx.series("appeal_queue")?,
                                colour: PALETTE[i % PALETTE.len()],
                            }],
                            &[],
                            &Overflow::default(),
                        );
                    };
                    let bands = cx.series(&format!("queue.{}", st.name))?;
                    let caption = format!("{} ({} servers at first)", st.name, thousands(st.servers as f64));
                    let mut shown = vec![Band {
                        label: "queue",
                        bands,
                        colour: PALETTE[i % PALETTE.len()],
                    }];
                    if st.other_cases.is_some() {
                        shown.push(Band {
                            label: "other cases",
                            bands: cx.series(&format!("queue_other.{}", st.name))?,
                            colour: PALETTE[(i + 1) % PALETTE.len()],
                        });
                    }
                    panel(
                        area,
                        cx.cal,
                        Some(&caption),
                        "cases waiting",
                        &shown,
                        &[],
                        &Overflow::default(),
                    )
                },
            ),
            RunChart::Transfers => stacked(
                root,
                "Transfers to Iraq",
                &cx.subtitle("cumulative arrivals, median and 5\u{2013}95% band"),
                1,
                |_, area| {
                    let bands = cx.series("transferred_cumulative")?;
                    let total = s.total_detainees() as f64;
                    let cal = cx.cal.with_horizon(active_span(bands, cx.cal.horizon));
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
                        &Overflow::default(),
                    )
                },
            ),
            RunChart::Repatriation => stacked(
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
            .ok_or_else(|| Error::plot(format!("the summary has no metric {name:?}")))?;
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
    draw_mesh(
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n.max(1))
            .y_labels(8)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc("group (detainees in the group below the name)")
            .y_desc("detainees repatriated"),
    )?;

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
            font(TICK_SIZE)
                .color(&RGBColor(90, 90, 90))
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(plot_err)?;
    }
    Ok(())
}
