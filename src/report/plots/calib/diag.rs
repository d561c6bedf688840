//! The diagnostics chart of a calibration (`diagnostics.svg`, `.png`):
//! per generation the tolerance, the acceptance rate and the effective
//! sample size of the weights as a share of the particles, one panel
//! each; a generation the budget cut short (dropped) is a red triangle.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::super::Figure;
use super::super::draw::{draw_mesh, svg_text, titled, write_svg_png};
use super::super::style::{
    CAPTION_SIZE, PALETTE, PANEL_HEIGHT, REFERENCE_WIDTH, TITLE_HEIGHT, WIDTH, font, plot_err,
};
use super::OUTSIDE;
use crate::calibrate::{Generation, Posterior};
use crate::error::Error;
use crate::scenario::Scenario;

/// The file stem.
const STEM: &str = "diagnostics";
/// The title.
const TITLE: &str = "Calibration diagnostics by generation";
/// The panels: tolerance, acceptance rate, ESS share.
const PANELS: usize = 3;

/// A number for an axis: an integer as such, else up to four significant
/// digits.
fn short(x: f64) -> String {
    if x == x.round() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 8) as usize;
        let s = format!("{x:.digits$}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// What the chart draws.
struct Diag<'a> {
    subtitle: String,
    particles: usize,
    generations: &'a [Generation],
}

impl<'a> Diag<'a> {
    fn new(scenario: &Scenario, posterior: &'a Posterior) -> Diag<'a> {
        let dropped = posterior
            .generations
            .iter()
            .find(|g| !g.complete)
            .map_or_else(String::new, |g| {
                format!(
                    "; red triangle: generation {}, cut short by the budget and dropped",
                    g.generation
                )
            });
        Diag {
            subtitle: format!(
                "{} \u{2014} ABC-PMC: {} particles, {} simulations; stopped by {}{dropped}",
                scenario.name,
                posterior.particles.len(),
                posterior.simulations,
                posterior.stop_rule.name()
            ),
            particles: posterior.particles.len(),
            generations: &posterior.generations,
        }
    }

    fn size() -> (u32, u32) {
        (WIDTH, TITLE_HEIGHT + PANELS as u32 * PANEL_HEIGHT)
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), Error> {
        let body = titled(&root, TITLE, &self.subtitle)?;
        for (k, area) in body.split_evenly((PANELS, 1)).iter().enumerate() {
            self.panel(area, k)?;
        }
        root.present().map_err(plot_err)
    }

    /// Panel `k`: 0 the tolerance, 1 the acceptance rate, 2 the ESS as a
    /// share of the particles, each by generation.
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        k: usize,
    ) -> Result<(), Error> {
        let value = |g: &Generation| match k {
            0 => Some(g.tolerance).filter(|t| t.is_finite()),
            1 => Some(g.acceptance_rate),
            _ => g.ess.map(|e| e / self.particles.max(1) as f64),
        };
        let points: Vec<(f64, f64, bool)> = self
            .generations
            .iter()
            .filter_map(|g| value(g).map(|v| (f64::from(g.generation), v, g.complete)))
            .collect();
        let (caption, y_desc) = match k {
            0 => ("Tolerance", "tolerance (distance)"),
            1 => ("Acceptance rate", "kept / simulated"),
            _ => ("Effective sample size", "ESS / particles"),
        };
        let last = self
            .generations
            .last()
            .map_or(1.0, |g| f64::from(g.generation).max(1.0));
        let top = points.iter().map(|p| p.1).fold(0.0, f64::max);
        let y_max = if k == 0 { (1.1 * top).max(1e-9) } else { 1.05 };
        let mut chart = ChartBuilder::on(area)
            .caption(caption, font(CAPTION_SIZE))
            .margin_left(20)
            .margin_right(50)
            .margin_top(30)
            .margin_bottom(10)
            .x_label_area_size(90)
            .y_label_area_size(150)
            .build_cartesian_2d(-0.3..last + 0.3, 0.0..y_max)
            .map_err(plot_err)?;
        let fmt = |x: &f64| short(*x);
        draw_mesh(
            chart
                .configure_mesh()
                .x_labels((last as usize + 1).min(8))
                .y_labels(6)
                .x_label_formatter(&fmt)
                .y_label_formatter(&fmt)
                .x_desc("generation")
                .y_desc(y_desc),
        )?;
        let colour = PALETTE[0];
        let style = ShapeStyle::from(&colour).stroke_width(REFERENCE_WIDTH);
        let complete: Vec<(f64, f64)> = points.iter().filter(|p| p.2).map(|p| (p.0, p.1)).collect();
        chart
            .draw_series(LineSeries::new(complete.iter().copied(), style))
            .map_err(plot_err)?;
        chart
            .draw_series(complete.iter().map(|&p| Circle::new(p, 7, colour.filled())))
            .map_err(plot_err)?;
        chart
            .draw_series(
                points
                    .iter()
                    .filter(|p| !p.2)
                    .map(|p| TriangleMarker::new((p.0, p.1), 10, OUTSIDE.filled())),
            )
            .map_err(plot_err)?;
        Ok(())
    }
}

/// The diagnostics chart of `posterior` as a [`Figure`].
pub(super) fn figure(scenario: &Scenario, posterior: &Posterior) -> Result<Figure, Error> {
    let d = Diag::new(scenario, posterior);
    Ok(Figure {
        stem: STEM.to_string(),
        title: TITLE.to_string(),
        svg: svg_text(Diag::size(), |root| d.draw(root))?,
    })
}

/// Writes the diagnostics chart of `posterior` into `dir` as SVG and PNG,
/// each atomically, adding the paths to `out`.
pub(super) fn write(
    scenario: &Scenario,
    posterior: &Posterior,
    dir: &Path,
    out: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let d = Diag::new(scenario, posterior);
    let svg = svg_text(Diag::size(), |root| d.draw(root));
    write_svg_png(dir, STEM, Diag::size(), svg, |root| d.draw(root), out)
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn axis_numbers_are_short() {
        assert_eq!(short(3.0), "3");
        assert_eq!(short(0.12346), "0.1235");
        assert_eq!(short(12.5), "12.5");
        assert_eq!(short(0.5), "0.5");
    }
}
