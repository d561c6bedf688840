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

/// Chart width \[pixels\]. Small beside the font sizes on purpose: a
/// chart shown 356 pixels wide (a 390-pixel phone screen less the page's
/// margins) still draws its smallest text ([`MIN_FONT`]) at 10 pixels.
pub(super) const WIDTH: u32 = 800;
/// Height of one panel \[pixels\].
pub(super) const PANEL_HEIGHT: u32 = 480;
/// Height of the title block above the panels: the title and up to
/// [`SUBTITLE_LINES`] lines of subtitle \[pixels\].
pub(super) const TITLE_HEIGHT: u32 = 150;
/// Most lines of a subtitle; a longer one is cut with an ellipsis.
pub(super) const SUBTITLE_LINES: usize = 3;

/// Font sizes \[pixels, as plotters counts them: SVG `font-size` is
/// 1/1.24 of these\]. None is below [`MIN_FONT`].
pub(super) const TITLE_SIZE: f64 = 36.0;
/// Subtitle size.
pub(super) const SUBTITLE_SIZE: f64 = MIN_FONT;
/// A panel's caption.
pub(super) const CAPTION_SIZE: f64 = 32.0;
/// An axis's description.
pub(super) const DESC_SIZE: f64 = 29.0;
/// Tick labels and other small text.
pub(super) const TICK_SIZE: f64 = MIN_FONT;
/// Legend entries.
pub(super) const LEGEND_SIZE: f64 = MIN_FONT;
/// The smallest font of any chart: 28 plotters pixels, SVG `font-size`
/// 22.6, 10 pixels on a chart shown 356 pixels wide.
pub(super) const MIN_FONT: f64 = 28.0;

/// Line widths \[pixels\].
pub(super) const MEDIAN_WIDTH: u32 = 4;
/// Capacity and other reference lines, whiskers.
pub(super) const REFERENCE_WIDTH: u32 = 3;

/// Average advance of a character of the chart font, as a share of its
/// size (DejaVu Sans, mixed text): for wrapping and cutting text to fit.
pub(super) const CHAR_WIDTH: f64 = 0.58;

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

/// How many characters of text in a font of `size` fit in `pixels`.
pub(super) fn chars_in(pixels: f64, size: f64) -> usize {
    // plotters draws a font of `size` at 1/1.24 of it.
    (pixels / (size / 1.24 * CHAR_WIDTH)).floor().max(1.0) as usize
}

/// `text` broken at spaces into lines of at most `width` characters, at
/// most `lines` of them: the last keeps what fits and ends with an
/// ellipsis when text is left over. Runs of spaces count as one.
pub(super) fn wrap(text: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let n = line.chars().count();
        if n > 0 && n + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    if out.len() > lines {
        out.truncate(lines);
        let last = out.last_mut().map(std::mem::take).unwrap_or_default();
        let keep: String = last.chars().take(width.saturating_sub(1)).collect();
        if let Some(l) = out.last_mut() {
            *l = format!("{}\u{2026}", keep.trim_end());
        }
    }
    // A single word longer than the line is cut.
    out.iter()
        .map(|l| {
            if l.chars().count() > width {
                let keep: String = l.chars().take(width.saturating_sub(1)).collect();
                format!("{keep}\u{2026}")
            } else {
                l.clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_the_rest() {
        assert_eq!(wrap("a  bb ccc", 4, 3), ["a bb", "ccc"]);
        assert_eq!(wrap("aaaa bbbb cccc", 4, 2), ["aaaa", "bbb\u{2026}"]);
        assert_eq!(wrap("abcdefgh", 4, 1), ["abc\u{2026}"]);
        assert!(wrap("", 4, 2).is_empty());
        // The smallest font is 10 pixels on a chart shown 356 pixels wide.
        assert!(MIN_FONT / 1.24 * 356.0 / f64::from(WIDTH) >= 10.0);
        assert_eq!(chars_in(131.0, 28.0), 10);
    }
}
