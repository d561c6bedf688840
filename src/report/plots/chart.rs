//! One chart, whatever its family: its size, its title and how it draws
//! itself on a plotters backend. Writing it as SVG and PNG files, and
//! turning it into a [`Figure`] for the HTML report, are the same for
//! every family and written once here.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::draw::{svg_text, write_svg_png};
use super::style::{MAX_PANELS, PANEL_HEIGHT, TITLE_HEIGHT, WIDTH};
use crate::error::Error;

/// One chart drawn as SVG text: what the HTML report (`--report`) inlines
/// and what a chart file holds.
///
/// Every family of charts (a run's, a backtest's, a calibration's, a
/// sensitivity analysis's, a sweep's, a comparison's) has a function that
/// returns its charts as figures, beside the one that writes them as files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// File stem the chart has when written (`occupancy`, `tornado_<metric>`).
    pub stem: String,
    /// The chart's title, as a caption for the report.
    pub title: String,
    /// The chart as a complete `<svg>` element.
    pub svg: String,
}

/// A chart of any family (a run's, a backtest's or calibration's, a
/// decision's): what it needs to be drawn, written and shown.
pub(super) trait Chart {
    /// Its size in pixels.
    fn size(&self) -> (u32, u32);

    /// Its title (the report's caption; the title block draws it too).
    fn title(&self) -> String;

    /// Draws it on `root`, which it fills.
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), Error>;

    /// The chart as SVG text.
    fn svg(&self) -> Result<String, Error> {
        svg_text(self.size(), |root| self.draw(root))
    }

    /// The chart as a [`Figure`] of stem `stem`.
    fn figure(&self, stem: String) -> Result<Figure, Error> {
        Ok(Figure {
            stem,
            title: self.title(),
            svg: self.svg()?,
        })
    }

    /// Writes the chart as `<stem>.svg` and `<stem>.png` in `dir`, each
    /// atomically, and adds the paths to `out`. An error drawing a file
    /// names it.
    fn write(&self, dir: &Path, stem: &str, out: &mut Vec<PathBuf>) -> Result<(), Error> {
        write_svg_png(
            dir,
            stem,
            self.size(),
            self.svg(),
            |root| self.draw(root),
            out,
        )
    }
}

/// The size of a chart of `panels` stacked panels: the title block and
/// one panel height per panel, at least one and at most [`MAX_PANELS`].
pub(super) fn stacked_size(panels: usize) -> (u32, u32) {
    let panels = panels.clamp(1, MAX_PANELS) as u32;
    (WIDTH, TITLE_HEIGHT + panels * PANEL_HEIGHT)
}
