//! Drawing pieces every chart family shares: the title block, the legend,
//! a facility's capacity as a step function, the output folder.

use std::path::Path;

use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{LEGEND_SIZE, SUBTITLE_SIZE, TITLE_HEIGHT, TITLE_SIZE, font, plot_err};
use crate::Error;

/// Draws the title and subtitle, returns the area below them.
pub(super) fn titled<DB: DrawingBackend>(
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

/// Draws the legend of the labelled series of `chart` at `position`, on
/// a light box.
pub(super) fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), Error> {
    chart
        .configure_series_labels()
        .position(position)
        .margin(16)
        .legend_area_size(56)
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
