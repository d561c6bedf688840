//! The charts' style, read by every family: sizes, fonts, line widths,
//! the palette, and the embedded font. A leaf: it imports nothing from
//! the other chart files.

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::error::Error;

/// Most panels in one chart file: more facilities or stages than this are
/// drawn in several files (`occupancy-1of3.svg`, …), so that no image
/// grows past a few thousand pixels.
pub const MAX_PANELS: usize = 8;

/// DejaVu Sans, subset to Latin-1 and a few punctuation marks
/// (`pyftsubset`, no hinting). Licence: Bitstream Vera licence; DejaVu
/// changes are in the public domain. See `DejaVuSans-subset.LICENSE.txt`.
static FONT: &[u8] = include_bytes!("DejaVuSans-subset.ttf");

/// Font family used for all text.
pub(super) const FAMILY: &str = "sans-serif";

/// Chart width \[pixels\].
pub(super) const WIDTH: u32 = 1600;
/// Height of one panel \[pixels\].
pub(super) const PANEL_HEIGHT: u32 = 760;
/// Height of the title block above the panels \[pixels\].
pub(super) const TITLE_HEIGHT: u32 = 130;

/// Font sizes \[pixels\].
pub(super) const TITLE_SIZE: f64 = 46.0;
pub(super) const SUBTITLE_SIZE: f64 = 28.0;
pub(super) const CAPTION_SIZE: f64 = 38.0;
pub(super) const DESC_SIZE: f64 = 30.0;
pub(super) const TICK_SIZE: f64 = 27.0;
pub(super) const LEGEND_SIZE: f64 = 27.0;

/// Line widths \[pixels\].
pub(super) const MEDIAN_WIDTH: u32 = 5;
pub(super) const REFERENCE_WIDTH: u32 = 4;

/// Series colours, one per facility or stage in turn.
pub(super) const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(230, 120, 20),
    RGBColor(44, 150, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(23, 160, 180),
];

/// Colour of capacity and other reference lines.
pub(super) const REFERENCE: RGBColor = RGBColor(200, 30, 30);

/// Registers the embedded font with plotters once.
pub(super) fn ensure_font() -> Result<(), Error> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED
        .get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(Error::plot("the embedded font cannot be read"))
    }
}

/// Maps a plotters error to [`Error::Plot`].
pub(super) fn plot_err(e: impl std::fmt::Display) -> Error {
    Error::plot(e.to_string())
}

pub(super) fn font(size: f64) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&BLACK)
}
