//! Drawing pieces every chart family shares: the title block, the time
//! axes, the legend, a facility's capacity as a step function, and the
//! writing of a chart as SVG text and as SVG and PNG files.

use std::path::{Path, PathBuf};

use plotters::chart::{DualCoordChartContext, MeshStyle};
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{Calendar, Ticked, thin};
use super::style::{
    CAPTION_SIZE, CHAR_WIDTH, DESC_SIZE, LEGEND_SIZE, MEDIAN_WIDTH, SUBTITLE_LINES, SUBTITLE_SIZE,
    TICK_SIZE, TITLE_HEIGHT, TITLE_SIZE, chars_in, font, plot_err, wrap,
};
use crate::error::Error;
use crate::report::format::thousands;
use crate::stats::SeriesBands;

/// Draws the title (on one line, cut to fit) and the subtitle (wrapped
/// to at most [`SUBTITLE_LINES`] lines), returns the area below them.
pub(super) fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<DrawingArea<DB, Shift>, Error> {
    root.fill(&WHITE).map_err(plot_err)?;
    let (top, rest) = root.split_vertically(TITLE_HEIGHT);
    let (w, _) = top.dim_in_pixel();
    let centre = Pos::new(HPos::Center, VPos::Top);
    let room = f64::from(w) - 40.0;
    // A long title is drawn smaller (down to the subtitle's size); one
    // still too long takes two lines at that size, and the subtitle one
    // line less, rather than losing its end.
    let n = title.chars().count().max(1);
    let line_height = (SUBTITLE_SIZE / 1.24 * 1.25).round() as i32;
    let (size, title_lines) = if n <= chars_in(room, TITLE_SIZE) {
        (TITLE_SIZE, vec![title.to_string()])
    } else if n <= chars_in(room, SUBTITLE_SIZE) {
        // A little under the exact fit, so that rounding cannot cut the
        // last character.
        let size = (room / (n as f64 * CHAR_WIDTH) * 1.24 * 0.98).clamp(SUBTITLE_SIZE, TITLE_SIZE);
        (size, wrap(title, chars_in(room, size).max(n), 1))
    } else {
        (SUBTITLE_SIZE, wrap(title, chars_in(room, SUBTITLE_SIZE), 2))
    };
    let step = if title_lines.len() > 1 {
        line_height
    } else {
        size as i32
    };
    for (i, line) in title_lines.iter().enumerate() {
        top.draw(&Text::new(
            line.as_str(),
            (w as i32 / 2, 14 + i as i32 * step),
            font(size).pos(centre),
        ))
        .map_err(plot_err)?;
    }
    let below = 14 + title_lines.len() as i32 * step + 6;
    let room_lines = SUBTITLE_LINES + 1 - title_lines.len();
    let lines = wrap(subtitle, chars_in(room, SUBTITLE_SIZE), room_lines);
    for (i, line) in lines.into_iter().enumerate() {
        top.draw(&Text::new(
            line,
            (w as i32 / 2, below + i as i32 * line_height),
            font(SUBTITLE_SIZE).color(&RGBColor(70, 70, 70)).pos(centre),
        ))
        .map_err(plot_err)?;
    }
    Ok(rest)
}

/// A chart over days: days since day 0 on the bottom axis and calendar
/// dates on the top one, both over `x` (lo, hi), against `y` from 0 to
/// `y_max`.
pub(super) type TimeChart<'a, DB> = DualCoordChartContext<
    'a,
    DB,
    Cartesian2d<Ticked, RangedCoordf64>,
    Cartesian2d<Ticked, RangedCoordf64>,
>;

/// Builds a [`TimeChart`] in `area`, with its caption (if any), and draws
/// its mesh and both time axes: days below, dates of `cal` above, `y`
/// labelled by `y_fmt` and described by `y_desc`.
pub(super) fn time_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: Option<&str>,
    cal: Calendar,
    x: (f64, f64),
    y_max: f64,
    y_desc: &str,
    y_fmt: &dyn Fn(&f64) -> String,
) -> Result<TimeChart<'a, DB>, Error> {
    let day_fmt = |d: &f64| thousands(*d);
    let date_fmt = |d: &f64| cal.tick(*d);
    let mut builder = ChartBuilder::on(area);
    if let Some(caption) = caption {
        builder.caption(caption, font(CAPTION_SIZE));
    }
    let mut chart = builder
        .margin_left(10)
        .margin_right(30)
        .margin_top(6)
        .margin_bottom(6)
        .x_label_area_size(76)
        .top_x_label_area_size(46)
        .y_label_area_size(124)
        .build_cartesian_2d(Ticked::new(x.0, x.1, cal.day_ticks()), 0.0..y_max)
        .map_err(plot_err)?
        .set_secondary_coord(Ticked::new(x.0, x.1, cal.date_ticks()), 0.0..y_max);
    draw_mesh(
        chart
            .configure_mesh()
            .x_labels(20)
            .y_labels(8)
            .x_label_formatter(&day_fmt)
            .y_label_formatter(y_fmt)
            .x_desc(format!("days since {} (day 0)", cal.start_long()))
            .y_desc(y_desc),
    )?;
    chart
        .configure_secondary_axes()
        .x_labels(20)
        .x_label_formatter(&date_fmt)
        .label_style(font(TICK_SIZE))
        .axis_desc_style(font(DESC_SIZE))
        .axis_style(ShapeStyle::from(&BLACK).stroke_width(2))
        .draw()
        .map_err(plot_err)?;
    Ok(chart)
}

/// Draws a mesh set up by the caller (labels, formatters, descriptions)
/// in the charts' style: tick labels and axis descriptions in the chart
/// fonts, black axes, a faint grid at the labelled ticks, no minor grid.
pub(super) fn draw_mesh<X, Y, DB>(mesh: &mut MeshStyle<'_, '_, X, Y, DB>) -> Result<(), Error>
where
    X: Ranged + ValueFormatter<<X as Ranged>::ValueType>,
    Y: Ranged + ValueFormatter<<Y as Ranged>::ValueType>,
    DB: DrawingBackend,
{
    mesh.label_style(font(TICK_SIZE))
        .axis_desc_style(font(DESC_SIZE))
        .axis_style(ShapeStyle::from(&BLACK).stroke_width(2))
        .bold_line_style(BLACK.mix(0.15))
        .light_line_style(TRANSPARENT)
        .set_all_tick_mark_size(8)
        .draw()
        .map_err(plot_err)
}

/// The first `days` values of a daily series as points (day, value),
/// day 1 first, thinned ([`thin`]).
pub(super) fn by_day(v: &[f64], days: usize) -> Vec<(f64, f64)> {
    thin(
        v.iter()
            .take(days)
            .enumerate()
            .map(|(i, &x)| ((i + 1) as f64, x)),
    )
}

/// Draws the 5–95% band of `bands` over its first `days` days,
/// filled in a light `colour`, labelled `<label>: 5–95% of replications`.
pub(super) fn draw_band<DB: DrawingBackend>(
    chart: &mut TimeChart<'_, DB>,
    bands: &SeriesBands,
    days: usize,
    colour: RGBColor,
    label: &str,
) -> Result<(), Error> {
    let mut outline = by_day(&bands.p95, days);
    let mut lower = by_day(&bands.p5, days);
    lower.reverse();
    outline.extend(lower);
    let fill = colour.mix(0.25);
    chart
        .draw_series(std::iter::once(Polygon::new(outline, fill.filled())))
        .map_err(plot_err)?
        .label(format!("{label}: 5\u{2013}95% of replications"))
        .legend(move |(x, y)| Rectangle::new([(x, y - 10), (x + 36, y + 10)], fill.filled()));
    Ok(())
}

/// Draws the median of `bands` over its first `days` days as a thick line
/// in `colour`, labelled `<label>: median`.
pub(super) fn draw_median<DB: DrawingBackend>(
    chart: &mut TimeChart<'_, DB>,
    bands: &SeriesBands,
    days: usize,
    colour: RGBColor,
    label: &str,
) -> Result<(), Error> {
    let style = ShapeStyle::from(&colour).stroke_width(MEDIAN_WIDTH);
    chart
        .draw_series(LineSeries::new(by_day(&bands.p50, days), style))
        .map_err(plot_err)?
        .label(format!("{label}: median"))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 36, y)], style));
    Ok(())
}

/// Draws the legend of the labelled series of `chart` at `position`, on
/// a light box.
pub(super) fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), Error> {
    chart
        .configure_series_labels()
        .position(position)
        .margin(10)
        .legend_area_size(46)
        .label_font(font(LEGEND_SIZE))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.5))
        .draw()
        .map_err(plot_err)
}

/// Capacity of a facility over days 0..=horizon as a step function.
pub(super) fn capacity_steps(
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

/// Creates `dir` and the folders above it.
pub(super) fn create_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// `e`, naming `path` where it is a plot error that names no file.
pub(super) fn named(e: Error, path: &Path) -> Error {
    match e {
        Error::Plot {
            path: None,
            message,
        } => Error::Plot {
            path: Some(path.to_path_buf()),
            message,
        },
        other => other,
    }
}

/// A chart of `size` pixels, drawn by `draw`, as SVG text.
pub(super) fn svg_text(
    size: (u32, u32),
    draw: impl FnOnce(DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), Error>,
) -> Result<String, Error> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw(root)?;
    }
    Ok(svg)
}

/// Draws `<stem>.png` of `size` pixels in `dir` with `draw`, atomically
/// (into a temporary file, then renamed), and adds its path to `out`. An
/// error drawing it names the file.
pub(super) fn write_png(
    dir: &Path,
    stem: &str,
    size: (u32, u32),
    draw: impl FnOnce(DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), Error>,
    out: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let png = dir.join(format!("{stem}.png"));
    crate::report::write_atomic(&png, |tmp| {
        draw(BitMapBackend::new(tmp, size).into_drawing_area())
    })
    .map_err(|e| named(e, &png))?;
    out.push(png);
    Ok(())
}

/// Writes a chart in `dir` as `<stem>.svg` (its SVG text `svg`, or the
/// error drawing it, which then names the file) and as `<stem>.png` of
/// `size` pixels drawn by `png`, each atomically, and adds the paths to
/// `out`.
pub(super) fn write_svg_png(
    dir: &Path,
    stem: &str,
    size: (u32, u32),
    svg: Result<String, Error>,
    png: impl FnOnce(DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), Error>,
    out: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let path = dir.join(format!("{stem}.svg"));
    let text = svg.map_err(|e| named(e, &path))?;
    crate::report::write_bytes_atomic(&path, text.as_bytes())?;
    out.push(path);
    write_png(dir, stem, size, png, out)
}
