//! Charts of a backtest and of a calibration: the observations over the
//! model's fan, and each parameter's prior against its posterior.
//!
//! [`write_backtest_plots`] (`custody-sim backtest --plots DIR`) draws, from
//! a [`BacktestFans`]:
//!
//! | file | what it shows |
//! | --- | --- |
//! | `backtest.svg`, `.png` | every observed series, one panel each: the model's daily median (line) in its 5–95% band (the fan), with the observations drawn over it (a row the scenario pins, `pinned` in the tables, as an open grey circle, "pinned by the scenario (not scored)"); the title gives the coverage (observations inside the band, of those scored: pinned rows left out as the tables leave them) |
//! | `backtest_<series>.svg`, `.png` | the same, one series per file, titled with that series' coverage |
//!
//! [`write_calibrate_plots`] (`custody-sim calibrate --plots DIR`) draws,
//! from a [`Posterior`] and the priors it was fitted from:
//!
//! | file | what it shows |
//! | --- | --- |
//! | `posterior.svg`, `.png` | every parameter, one panel each: the posterior (weighted histogram of the particles; for an integer parameter, bars of probability per value) against the prior (its exact density, or probability per value as outlined bars), with the posterior median and 90% credible interval |
//! | `posterior_<parameter>.svg`, `.png` | the same, one parameter per file |
//! | `predictive.svg`, `.png` | the posterior predictive fan of every observed series against the observations, drawn as `backtest.svg` |
//! | `predictive_<series>.svg`, `.png` | the same, one series per file |
//! | `diagnostics.svg`, `.png` | the fit's diagnostics by generation, three panels: the tolerance (generation 1 on; generation 0's is ∞), the acceptance rate, and the effective sample size of the weights as a share of the particles; a generation the budget cut short (dropped, not the posterior) is a red triangle |
//!
//! [`write_hindcast_plots`](hindcast::write_hindcast_plots) (`custody-sim hindcast --plots DIR`) draws,
//! from a [`HindcastFans`](crate::calibrate::HindcastFans), one chart per
//! origin (`hindcast_2026_01_30.svg`, `.png`): the forecast's fan with the
//! origin, the rows fitted up to it (open grey squares) and the rows
//! scored after it (as the backtest draws them, but for a row the
//! scenario pins: an open grey circle, out of the coverage); see
//! [`mod@hindcast`].
//!
//! A chart file holds at most [`MAX_PANELS`] panels: with more series
//! (parameters), `backtest.svg` becomes `backtest-1of2.svg`,
//! `backtest-2of2.svg` (and `posterior`, `predictive` likewise). The
//! per-series and per-parameter files are written for the first
//! [`MAX_FACILITY_CHARTS`] series or parameters; their names are slugs
//! (lower-case ASCII letters, digits and `_`:
//! `transfer.phase[0].interval_days.value` gives
//! `posterior_transfer_phase_0__interval_days_value`), made unique as the
//! facility charts' are.
//!
//! **Observations.** A point is the observed value on its date (an
//! observation dated D is drawn at day D − `start_date` + 1, the record it
//! is compared with). A filled dark circle is inside the band; a red
//! triangle (colour `#D62728`, used for nothing else) is outside it. Where
//! the row has an `sd`, whiskers span the value ± 1.645 sd: the central
//! 90% of a normal error, the same coverage as the 5–95% band. Inside or
//! outside is the backtest row's `inside` (exact type-7 quantiles of the
//! replications); the band drawn is the daily quantiles of the run charts
//! (see [`backtest_fans`](crate::calibrate::backtest_fans)), which agree
//! with the row's to the histogram's bucket width.
//!
//! **Posterior predictive.** The fan of `predictive` comes from
//! `runs.replications` replications of the scenario with its posterior as
//! `[uncertainty] posterior` ([`Posterior::predictive_scenario`]: each
//! replication draws one particle by its weight, and the scenario's own
//! uncertain paths that were not fitted, as the fit did), run to the last
//! observed day; a point is
//! inside when it lies within that day's band.
//!
//! Every time axis is in days since day 0 (bottom) and calendar dates
//! (top), as in the run charts.

mod diag;
pub mod hindcast;

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axes::{Calendar, nice_max};
use super::chart::{Chart, stacked_size};
use super::draw::{
    TimeChart, create_dir, draw_band, draw_median, draw_mesh, legend, time_chart, titled,
};
use super::style::{
    CAPTION_SIZE, MAX_PANELS, PALETTE, REFERENCE_WIDTH, ensure_font, font, plot_err,
};
use super::{Figure, MAX_FACILITY_CHARTS, unique_stems};
use crate::calibrate::{BacktestFans, Observations, ParamSummary, Posterior, Prior, Transform};
use crate::dist::Dist;
use crate::error::Error;
use crate::montecarlo::{Runs, run};
use crate::report::format::{Ticks, label, thousands};
use crate::scenario::Scenario;
use crate::stats::SeriesBands;

/// Colour of an observation outside the band (`#D62728`), used for
/// nothing else.
const OUTSIDE: RGBColor = RGBColor(214, 39, 40);
/// Colour of an observation inside the band.
const INSIDE: RGBColor = RGBColor(25, 25, 25);
/// Colour of a hindcast's fit rows (open squares) and origin line.
const FIT: RGBColor = RGBColor(110, 110, 110);
/// z of the whiskers: ± 1.645 sd is the central 90% of a normal error.
const WHISKER_Z: f64 = 1.645;
/// Most bars of an integer parameter's chart; wider ranges are grouped.
const MAX_INT_BARS: i64 = 60;
/// Points of a prior's density curve.
const CURVE_POINTS: usize = 400;

/// One observation as drawn.
#[derive(Debug, Clone)]
struct Point {
    day: u32,
    value: f64,
    sd: Option<f64>,
    inside: bool,
    /// A value, or a bound (drawn as a bar with an arrow towards the side
    /// it allows, not counted in the coverage).
    kind: crate::calibrate::ObservationKind,
    /// A row a hindcast's fit used (dated up to its origin): drawn as an
    /// open square, not scored, not in the coverage.
    fit: bool,
    /// A scored row that the scenario pins (the backtest's or hindcast's
    /// row `pinned`: every replication equals the report): drawn as an
    /// open grey circle, not in the coverage, as the tables leave it out.
    pinned: bool,
    /// The row's index in the observations (and the backtest's rows).
    row: usize,
}

/// One series' fan and its observations.
#[derive(Debug, Clone)]
struct FanSeries {
    name: String,
    bands: SeriesBands,
    points: Vec<Point>,
}

/// What the fan charts of a backtest or a posterior predictive run draw.
#[derive(Debug)]
struct Fans {
    /// `backtest`, `predictive` or `hindcast_<origin>`: the stems.
    stem: String,
    /// `Backtest`, `Posterior predictive` or `Hindcast from <origin>`: the
    /// titles.
    what: String,
    /// Subtitle: scenario, replications, day 0, whiskers.
    subtitle: String,
    cal: Calendar,
    colour: RGBColor,
    /// `model` or `posterior predictive`: the legend's band and median.
    band: &'static str,
    series: Vec<FanSeries>,
    /// A hindcast's origin: its record day and its legend text (a dashed
    /// vertical line).
    origin: Option<(u32, String)>,
}

/// One parameter's prior and posterior.
#[derive(Debug)]
struct Param {
    prior: Prior,
    values: Vec<f64>,
    summary: ParamSummary,
}

/// What the prior-against-posterior charts draw.
#[derive(Debug)]
struct Params {
    subtitle: String,
    weights: Vec<f64>,
    params: Vec<Param>,
}

/// A chart: a set of panels of fans or of parameters.
#[derive(Debug, Clone, Copy)]
enum Panels<'a> {
    Fans(&'a Fans, &'a [usize]),
    Params(&'a Params, &'a [usize]),
}

/// A chart to draw, with its stem and title.
struct Drawn<'a> {
    stem: String,
    title: String,
    chart: Panels<'a>,
    ix: Vec<usize>,
}

/// `k of n inside the 5–95% band`.
fn inside_text(points: &[Point]) -> String {
    let values: Vec<&Point> = points
        .iter()
        .filter(|p| p.kind.is_value() && !p.fit && !p.pinned)
        .collect();
    let k = values.iter().filter(|p| p.inside).count();
    format!("{k} of {} inside the 5\u{2013}95% band", values.len())
}

/// The charts of a set of panels: one overview (split past
/// [`MAX_PANELS`]) and one per item, for the first
/// [`MAX_FACILITY_CHARTS`].
fn charts<'a>(
    stem: &str,
    names: &[&str],
    overview: &str,
    item: impl Fn(usize) -> String,
    make: impl Fn(&'a [usize]) -> Panels<'a>,
    all: &'a [usize],
    singles: &'a [usize],
) -> Vec<Drawn<'a>> {
    let mut out = Vec::new();
    let parts = all.len().div_ceil(MAX_PANELS).max(1);
    for (k, part) in all.chunks(MAX_PANELS).enumerate() {
        let (stem, title) = if parts == 1 {
            (stem.to_string(), overview.to_string())
        } else {
            (
                format!("{stem}-{}of{parts}", k + 1),
                format!("{overview} ({} of {parts})", k + 1),
            )
        };
        out.push(Drawn {
            stem,
            title,
            chart: make(part),
            ix: part.to_vec(),
        });
    }
    let stems = unique_stems(stem, names);
    for i in singles.iter().take(MAX_FACILITY_CHARTS) {
        out.push(Drawn {
            stem: stems[*i].clone(),
            title: item(*i),
            chart: make(std::slice::from_ref(i)),
            ix: vec![*i],
        });
    }
    out
}

impl Fans {
    fn overview_title(&self) -> String {
        let points: Vec<Point> = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().cloned())
            .collect();
        format!("{}: {}", self.what, inside_text(&points))
    }

    fn item_title(&self, i: usize) -> String {
        let s = &self.series[i];
        format!("{}: {}", s.name, inside_text(&s.points))
    }
}

/// The drawn charts of a fan set.
fn fan_charts<'a>(f: &'a Fans, ix: &'a [usize]) -> Vec<Drawn<'a>> {
    let names: Vec<&str> = f.series.iter().map(|s| s.name.as_str()).collect();
    charts(
        &f.stem,
        &names,
        &f.overview_title(),
        |i| f.item_title(i),
        |part| Panels::Fans(f, part),
        ix,
        ix,
    )
}

/// The drawn charts of the parameters.
fn param_charts<'a>(p: &'a Params, ix: &'a [usize]) -> Vec<Drawn<'a>> {
    let names: Vec<&str> = p.params.iter().map(|q| q.prior.path.as_str()).collect();
    charts(
        "posterior",
        &names,
        "Prior and posterior of each parameter",
        |i| format!("Prior and posterior: {}", p.params[i].prior.path),
        |part| Panels::Params(p, part),
        ix,
        ix,
    )
}

impl Chart for Drawn<'_> {
    fn size(&self) -> (u32, u32) {
        stacked_size(self.ix.len())
    }

    fn title(&self) -> String {
        self.title.clone()
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), Error> {
        let (subtitle, n) = match self.chart {
            Panels::Fans(f, ix) => (f.subtitle.as_str(), ix.len()),
            Panels::Params(p, ix) => (p.subtitle.as_str(), ix.len()),
        };
        let body = titled(&root, &self.title, subtitle)?;
        let several = n > 1;
        for (k, area) in body.split_evenly((n.max(1), 1)).iter().enumerate().take(n) {
            match self.chart {
                Panels::Fans(f, ix) => fan_panel(area, f, &f.series[ix[k]], several)?,
                Panels::Params(p, ix) => param_panel(area, p, &p.params[ix[k]], several)?,
            }
        }
        root.present().map_err(plot_err)
    }
}

/// One series' panel: the fan, then the observations over it.
fn fan_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    f: &Fans,
    s: &FanSeries,
    caption: bool,
) -> Result<(), Error> {
    let cal = f.cal;
    let days = cal.horizon as usize;
    let h = f64::from(cal.horizon);
    let pad = (h / 30.0).max(1.0);
    let high = |p: &Point| p.value + p.sd.map_or(0.0, |sd| WHISKER_Z * sd);
    let y_max = nice_max(
        s.bands
            .p95
            .iter()
            .take(days)
            .chain(s.bands.p50.iter().take(days))
            .copied()
            .chain(s.points.iter().map(high))
            .fold(0.0, f64::max),
    );
    let y_ticks = Ticks::new(0.0, y_max, 8);
    let y_fmt = |y: &f64| y_ticks.label(*y);
    let text = caption.then(|| format!("{} ({})", s.name, inside_text(&s.points)));
    let mut chart = time_chart(
        area,
        text.as_deref(),
        cal,
        (0.0, h + pad),
        y_max,
        s.name.as_str(),
        &y_fmt,
    )?;

    draw_band(&mut chart, &s.bands, days, f.colour, f.band)?;
    draw_median(&mut chart, &s.bands, days, f.colour, f.band)?;

    if let Some((day, text)) = &f.origin {
        draw_origin(&mut chart, f64::from(*day), y_max, text)?;
    }
    let (fit, scored): (Vec<&Point>, Vec<&Point>) = s.points.iter().partition(|p| p.fit);
    // A scored value row the scenario pins is not evidence: drawn apart.
    let (pinned, scored): (Vec<&Point>, Vec<&Point>) = scored
        .into_iter()
        .partition(|p| p.pinned && p.kind.is_value());
    if !fit.is_empty() {
        let open = ShapeStyle::from(&FIT).stroke_width(REFERENCE_WIDTH);
        chart
            .draw_series(fit.iter().map(|p| {
                Rectangle::new(
                    [
                        (f64::from(p.day) - pad * 0.3, p.value - y_max * 0.012),
                        (f64::from(p.day) + pad * 0.3, p.value + y_max * 0.012),
                    ],
                    open,
                )
            }))
            .map_err(plot_err)?
            .label("reported up to the origin (fitted, not scored)")
            .legend(move |(x, y)| Rectangle::new([(x + 12, y - 10), (x + 32, y + 10)], open));
    }
    // Whiskers under the points.
    for p in scored.iter().filter(|p| p.kind.is_value()) {
        let Some(sd) = p.sd else { continue };
        let colour = if p.inside { INSIDE } else { OUTSIDE };
        let w = ShapeStyle::from(&colour).stroke_width(REFERENCE_WIDTH);
        let x = f64::from(p.day);
        let lo = (p.value - WHISKER_Z * sd).max(0.0);
        let hi = p.value + WHISKER_Z * sd;
        let cap = pad * 0.3;
        chart
            .draw_series([
                PathElement::new(vec![(x, lo), (x, hi)], w),
                PathElement::new(vec![(x - cap, lo), (x + cap, lo)], w),
                PathElement::new(vec![(x - cap, hi), (x + cap, hi)], w),
            ])
            .map_err(plot_err)?;
    }
    // Bounds: a bar at the bound and an arrow towards the side it allows.
    let bounds: Vec<&Point> = scored
        .iter()
        .copied()
        .filter(|p| !p.kind.is_value())
        .collect();
    if !bounds.is_empty() {
        let w = ShapeStyle::from(&INSIDE).stroke_width(REFERENCE_WIDTH);
        let reach = y_max * 0.06;
        let cap = pad * 0.5;
        let shapes = bounds.iter().flat_map(|p| {
            let x = f64::from(p.day);
            let up = p.kind == crate::calibrate::ObservationKind::AtLeast;
            let tip = if up {
                p.value + reach
            } else {
                (p.value - reach).max(0.0)
            };
            let back = if up { -reach * 0.3 } else { reach * 0.3 };
            [
                PathElement::new(vec![(x - cap, p.value), (x + cap, p.value)], w),
                PathElement::new(vec![(x, p.value), (x, tip)], w),
                PathElement::new(
                    vec![
                        (x - cap * 0.5, tip + back),
                        (x, tip),
                        (x + cap * 0.5, tip + back),
                    ],
                    w,
                ),
            ]
        });
        chart
            .draw_series(shapes)
            .map_err(plot_err)?
            .label("reported bound (arrow: the side it allows)")
            .legend(move |(x, y)| PathElement::new(vec![(x + 12, y), (x + 32, y)], w));
    }
    if !pinned.is_empty() {
        let open = ShapeStyle::from(&FIT).stroke_width(REFERENCE_WIDTH);
        chart
            .draw_series(
                pinned
                    .iter()
                    .map(|p| Circle::new((f64::from(p.day), p.value), 10, open)),
            )
            .map_err(plot_err)?
            .label("pinned by the scenario (not scored)")
            .legend(move |(x, y)| Circle::new((x + 22, y), 10, open));
    }
    let (inside, outside): (Vec<&Point>, Vec<&Point>) = scored
        .iter()
        .copied()
        .filter(|p| p.kind.is_value())
        .partition(|p| p.inside);
    let with_sd = scored.iter().any(|p| p.sd.is_some() && p.kind.is_value());
    let whiskers = if with_sd { " (\u{b1} 1.645 sd)" } else { "" };
    if !inside.is_empty() {
        chart
            .draw_series(
                inside
                    .iter()
                    .map(|p| Circle::new((f64::from(p.day), p.value), 10, INSIDE.filled())),
            )
            .map_err(plot_err)?
            .label(format!("observed{whiskers}, inside the band"))
            .legend(|(x, y)| Circle::new((x + 22, y), 10, INSIDE.filled()));
    }
    if !outside.is_empty() {
        chart
            .draw_series(
                outside.iter().map(|p| {
                    TriangleMarker::new((f64::from(p.day), p.value), 15, OUTSIDE.filled())
                }),
            )
            .map_err(plot_err)?
            .label(format!("observed{whiskers}, outside the band"))
            .legend(|(x, y)| TriangleMarker::new((x + 22, y), 15, OUTSIDE.filled()));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    Ok(())
}

/// A hindcast's origin: a dashed vertical line at its record day, with
/// its legend entry.
fn draw_origin<'a, DB: DrawingBackend + 'a>(
    chart: &mut TimeChart<'a, DB>,
    day: f64,
    y_max: f64,
    text: &str,
) -> Result<(), Error> {
    let dashed = ShapeStyle::from(&FIT).stroke_width(REFERENCE_WIDTH);
    chart
        .draw_series(DashedLineSeries::new(
            [(day, 0.0), (day, y_max)],
            18,
            10,
            dashed,
        ))
        .map_err(plot_err)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            Vec::<(f64, f64)>::new(),
            dashed,
        )))
        .map_err(plot_err)?
        .label(text.to_string())
        .legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (18, 0)], dashed)
                + PathElement::new(vec![(26, 0), (44, 0)], dashed)
        });
    Ok(())
}

/// Range of a prior's drawn value worth plotting: its support where
/// bounded, its 0.5% to 99.5% quantiles where not.
fn prior_x_range(p: &Prior) -> (f64, f64) {
    let (lo, hi) = (0.005, 0.995);
    match p.dist {
        Dist::Fixed { value } => (value, value),
        Dist::Uniform { low, high } | Dist::Triangular { low, high, .. } => (low, high),
        Dist::UniformInt { low, high } => (low as f64, high as f64),
        Dist::Exponential { mean } | Dist::Lognormal { mean, .. } | Dist::Gamma { mean, .. } => {
            let sd = match p.dist {
                Dist::Lognormal { sd, .. } | Dist::Gamma { sd, .. } => sd,
                _ => mean,
            };
            match (p.dist.quantile(lo), p.dist.quantile(hi)) {
                (Ok(a), Ok(b)) => (a, b),
                _ => (0.0, mean + 3.0 * sd),
            }
        }
        Dist::Poisson { mean } => (0.0, mean * 3.0),
    }
}

/// The prior's density at path value `v` (the density of the drawn value
/// x = v, or for a `1/DIST` prior x = 1/v times |dx/dv| = 1/v²).
fn prior_density(p: &Prior, v: f64) -> f64 {
    match p.transform {
        Transform::Identity => p.ln_density(v).exp(),
        Transform::Reciprocal if v > 0.0 => p.ln_density(1.0 / v).exp() / (v * v),
        Transform::Reciprocal => 0.0,
    }
}

/// One parameter's panel: prior against posterior.
fn param_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ps: &Params,
    p: &Param,
    caption: bool,
) -> Result<(), Error> {
    let prior = &p.prior;
    let w = &ps.weights;
    let (pmin, pmax) = p
        .values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let (xlo, xhi) = prior_x_range(prior);
    let (vlo, vhi) = match prior.transform {
        Transform::Identity => (xlo, xhi),
        Transform::Reciprocal => (1.0 / xhi, 1.0 / xlo),
    };
    let integer = prior.is_integer();
    let (mut lo, mut hi) = (vlo.min(pmin), vhi.max(pmax));
    if integer {
        lo -= 0.5;
        hi += 0.5;
    }
    if hi <= lo {
        let d = (lo.abs() * 0.1).max(1.0);
        (lo, hi) = (lo - d, hi + d);
    }
    let span = hi - lo;
    let (lo, hi) = (lo - 0.04 * span, hi + 0.04 * span);
    let post = RGBColor(PALETTE[0].0, PALETTE[0].1, PALETTE[0].2);
    let prior_colour = RGBColor(90, 90, 90);

    // Bars (x0, x1, height) of the posterior and of the prior.
    let mut post_bars: Vec<(f64, f64, f64)> = Vec::new();
    let mut prior_bars: Vec<(f64, f64, f64)> = Vec::new();
    let mut curve: Vec<(f64, f64)> = Vec::new();
    let y_desc;
    if let (true, Dist::UniformInt { low, high }) = (integer, prior.dist) {
        let n = high - low + 1;
        let width = (n + MAX_INT_BARS - 1) / MAX_INT_BARS;
        let bins = (n + width - 1) / width;
        let mut mass = vec![0.0; bins as usize];
        for (x, wi) in p.values.iter().zip(w) {
            let b = ((x.round() as i64 - low) / width).clamp(0, bins - 1);
            mass[b as usize] += wi;
        }
        for (b, m) in mass.iter().enumerate() {
            let a = low + b as i64 * width;
            let z = (a + width - 1).min(high);
            let gap = if width == 1 { 0.15 } else { 0.3 };
            let (x0, x1) = (a as f64 - 0.5 + gap, z as f64 + 0.5 - gap);
            post_bars.push((x0, x1, *m));
            prior_bars.push((x0, x1, (z - a + 1) as f64 / n as f64));
        }
        y_desc = if width == 1 {
            "probability".to_string()
        } else {
            format!("probability per {width} values")
        };
    } else if pmax > pmin {
        let ess = 1.0 / w.iter().map(|x| x * x).sum::<f64>();
        let bins = ((2.0 * ess.cbrt()).ceil() as usize).clamp(5, 40);
        let width = (pmax - pmin) / bins as f64;
        let mut mass = vec![0.0; bins];
        for (x, wi) in p.values.iter().zip(w) {
            let b = (((x - pmin) / width) as usize).min(bins - 1);
            mass[b] += wi;
        }
        for (b, m) in mass.iter().enumerate() {
            let x0 = pmin + b as f64 * width;
            post_bars.push((x0, x0 + width, m / width));
        }
        y_desc = "density (per unit of the parameter)".to_string();
    } else {
        // Every particle at one value (a fixed prior): a bar of mass 1.
        let width = (hi - lo) / 60.0;
        post_bars.push((pmin - width / 2.0, pmin + width / 2.0, 1.0));
        if !prior.is_fixed() {
            y_desc = "posterior probability; prior density".to_string();
        } else {
            prior_bars.push((pmin - width / 2.0, pmin + width / 2.0, 1.0));
            y_desc = "probability".to_string();
        }
    }
    if !integer && !prior.is_fixed() {
        curve = (0..=CURVE_POINTS)
            .map(|k| {
                let v = lo + (hi - lo) * k as f64 / CURVE_POINTS as f64;
                (v, prior_density(prior, v))
            })
            .collect();
    }
    // A third more height than the tallest bar: room for the legend.
    let y_max = nice_max(
        1.35 * post_bars
            .iter()
            .chain(&prior_bars)
            .map(|b| b.2)
            .chain(curve.iter().map(|c| c.1).filter(|y| y.is_finite()))
            .fold(0.0, f64::max),
    );

    let mut builder = ChartBuilder::on(area);
    if caption {
        builder.caption(&prior.path, font(CAPTION_SIZE));
    }
    let (x_ticks, y_ticks) = (Ticks::new(lo, hi, 8), Ticks::new(0.0, y_max, 8));
    let x_fmt = |x: &f64| x_ticks.label(*x);
    let y_fmt = |y: &f64| y_ticks.label(*y);
    let mut chart = builder
        .margin_left(20)
        .margin_right(50)
        .margin_top(30)
        .margin_bottom(10)
        .x_label_area_size(90)
        .y_label_area_size(150)
        .build_cartesian_2d(lo..hi, 0.0..y_max)
        .map_err(plot_err)?;
    let x_desc = match prior.transform {
        Transform::Identity => format!("value of {}", prior.path),
        Transform::Reciprocal => format!("value of {} (prior on 1/value)", prior.path),
    };
    draw_mesh(
        chart
            .configure_mesh()
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc(x_desc)
            .y_desc(y_desc),
    )?;

    let fill = post.mix(0.6);
    let ess = 1.0 / w.iter().map(|x| x * x).sum::<f64>();
    chart
        .draw_series(
            post_bars
                .iter()
                .map(|&(a, b, y)| Rectangle::new([(a, 0.0), (b, y)], fill.filled())),
        )
        .map_err(plot_err)?
        .label(format!(
            "posterior: {} particles, weighted (ESS {})",
            thousands(p.values.len() as f64),
            thousands(ess)
        ))
        .legend(move |(x, y)| Rectangle::new([(x, y - 12), (x + 44, y + 12)], fill.filled()));
    let prior_style = ShapeStyle::from(&prior_colour).stroke_width(REFERENCE_WIDTH);
    if !prior_bars.is_empty() {
        chart
            .draw_series(
                prior_bars
                    .iter()
                    .map(|&(a, b, y)| Rectangle::new([(a, 0.0), (b, y)], prior_style)),
            )
            .map_err(plot_err)?
            .label("prior (outlined)")
            .legend(move |(x, y)| Rectangle::new([(x, y - 12), (x + 44, y + 12)], prior_style));
    }
    if !curve.is_empty() {
        chart
            .draw_series(LineSeries::new(curve, prior_style))
            .map_err(plot_err)?
            .label("prior density")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 44, y)], prior_style));
    }
    let s = &p.summary;
    let line = ShapeStyle::from(&BLACK).stroke_width(REFERENCE_WIDTH);
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(s.q50, 0.0), (s.q50, y_max)],
            line,
        )))
        .map_err(plot_err)?
        .label(format!("posterior median {}", label(s.q50)))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 44, y)], line));
    let dashed = ShapeStyle::from(&BLACK.mix(0.8)).stroke_width(REFERENCE_WIDTH);
    for q in [s.q05, s.q95] {
        chart
            .draw_series(DashedLineSeries::new(
                [(q, 0.0), (q, y_max)],
                18,
                10,
                dashed,
            ))
            .map_err(plot_err)?;
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            Vec::<(f64, f64)>::new(),
            dashed,
        )))
        .map_err(plot_err)?
        .label(format!(
            "90% credible interval {} to {}",
            label(s.q05),
            label(s.q95)
        ))
        .legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (18, 0)], dashed)
                + PathElement::new(vec![(26, 0), (44, 0)], dashed)
        });
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    Ok(())
}

/// The subtitle of fan charts.
fn fan_subtitle(scenario: &Scenario, what: &str, replications: u64, cal: &Calendar) -> String {
    format!(
        "{} \u{2014} {what}; {} replications; day 0 = {}",
        scenario.name,
        thousands(replications as f64),
        cal.start_long()
    )
}

/// The observations' points, checked against the series they name.
fn points_of(
    observations: &Observations,
    series: &[String],
    inside: impl Fn(usize) -> bool,
) -> Vec<Vec<Point>> {
    let mut out = vec![Vec::new(); series.len()];
    for (r, o) in observations.rows().iter().enumerate() {
        if let Some(k) = series.iter().position(|s| *s == o.series) {
            out[k].push(Point {
                day: o.day,
                value: o.value,
                sd: o.sd,
                inside: o.kind.is_value() && inside(r),
                kind: o.kind,
                fit: false,
                pinned: false,
                row: r,
            });
        }
    }
    out
}

fn backtest_fans_of(
    scenario: &Scenario,
    observations: &Observations,
    fans: &BacktestFans,
) -> Result<Fans, Error> {
    let rows = &fans.backtest.rows;
    let obs = observations.rows();
    if rows.len() != obs.len()
        || rows
            .iter()
            .zip(obs)
            .any(|(r, o)| r.series != o.series || r.date != o.date)
    {
        return Err(Error::plot(
            "the backtest is not of these observations (its rows differ)",
        ));
    }
    let horizon = fans
        .fans
        .iter()
        .map(|f| f.bands.p50.len())
        .max()
        .unwrap_or(0) as u32;
    if horizon == 0 || obs.iter().any(|o| o.day > horizon) {
        return Err(Error::plot(
            "the backtest's fans do not reach the last observed day",
        ));
    }
    let names: Vec<String> = fans.fans.iter().map(|f| f.series.clone()).collect();
    if let Some(o) = obs.iter().find(|o| !names.contains(&o.series)) {
        return Err(Error::plot(format!(
            "the backtest has no fan of series {:?}",
            o.series
        )));
    }
    let cal = Calendar::new(&scenario.start_date.to_string(), horizon)?;
    let mut points = points_of(observations, &names, |r| rows[r].inside);
    // As the tables: a value row the scenario pins is not in the coverage.
    for p in points.iter_mut().flatten() {
        p.pinned = rows[p.row].pinned;
    }
    Ok(Fans {
        stem: "backtest".into(),
        what: "Backtest".into(),
        subtitle: fan_subtitle(
            scenario,
            "observations over the model's median and 5\u{2013}95% band",
            fans.replications,
            &cal,
        ),
        cal,
        colour: PALETTE[0],
        band: "model",
        origin: None,
        series: fans
            .fans
            .iter()
            .zip(points)
            .map(|(f, points)| FanSeries {
                name: f.series.clone(),
                bands: f.bands.clone(),
                points,
            })
            .collect(),
    })
}

/// The charts of a backtest: the observations over the fan of each
/// observed series (files in the [module docs](self)), as SVG text.
///
/// `fans` is [`backtest_fans`](crate::calibrate::backtest_fans) of
/// `scenario` and `observations`.
///
/// # Errors
///
/// [`Error::Plot`] if `fans` is not a backtest of these observations (its
/// rows or series differ), if `start_date` is not a date, or if a chart
/// cannot be drawn.
///
/// # Example
///
/// ```
/// use custody_sim::{calibrate::{backtest_fans, Observations}, presets, report::plots::backtest_figures};
///
/// let s = presets::plan_2026_01();
/// let obs = Observations::from_csv_str(
///     "date,series,value,sd\n9,transferred_cumulative,500,50\n11,transferred_cumulative,5,\n",
///     "reported",
///     &s,
/// )?;
/// let fans = backtest_fans(&s, &obs, 20, 1, 0)?;
/// let figures = backtest_figures(&s, &obs, &fans)?;
/// let stems: Vec<&str> = figures.iter().map(|f| f.stem.as_str()).collect();
/// assert_eq!(stems, ["backtest", "backtest_transferred_cumulative"]);
/// assert!(figures[0].svg.starts_with("<svg") && figures[0].title.contains("inside the 5"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn backtest_figures(
    scenario: &Scenario,
    observations: &Observations,
    fans: &BacktestFans,
) -> Result<Vec<Figure>, Error> {
    ensure_font()?;
    let f = backtest_fans_of(scenario, observations, fans)?;
    let ix: Vec<usize> = (0..f.series.len()).collect();
    fan_charts(&f, &ix)
        .iter()
        .map(|d| d.figure(d.stem.clone()))
        .collect()
}

/// Writes the charts of a backtest (see [`backtest_figures`] and the
/// [module docs](self)) into `dir`, each as SVG and PNG, and returns the
/// paths written. `dir` is created if missing; files of the same names
/// are replaced, each atomically.
///
/// # Errors
///
/// [`Error::Io`] if `dir` cannot be created or a file written; otherwise
/// as [`backtest_figures`].
///
/// # Example
///
/// ```no_run
/// use custody_sim::{calibrate::{backtest_fans, Observations}, presets};
/// use custody_sim::report::plots::write_backtest_plots;
///
/// let s = presets::baseline();
/// let obs = Observations::from_path("examples/observed/transfer-2026.csv", &s)?;
/// let fans = backtest_fans(&s, &obs, 1000, 1, 0)?;
/// let files = write_backtest_plots(&s, &obs, &fans, std::path::Path::new("plots"))?;
/// assert!(files.iter().any(|f| f.ends_with("backtest.svg")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_backtest_plots(
    scenario: &Scenario,
    observations: &Observations,
    fans: &BacktestFans,
    dir: &Path,
) -> Result<Vec<PathBuf>, Error> {
    ensure_font()?;
    let f = backtest_fans_of(scenario, observations, fans)?;
    create_dir(dir)?;
    let ix: Vec<usize> = (0..f.series.len()).collect();
    let mut out = Vec::new();
    for d in fan_charts(&f, &ix) {
        d.write(dir, &d.stem, &mut out)?;
    }
    Ok(out)
}

/// The posterior predictive scenario
/// ([`Posterior::predictive_scenario`]), cut to the last observed day.
fn predictive_scenario(
    scenario: &Scenario,
    observations: &Observations,
    posterior: &Posterior,
) -> Result<Scenario, Error> {
    let mut s = posterior.predictive_scenario(scenario, None)?;
    s.horizon_days = observations.last_day().min(s.horizon_days);
    Ok(s)
}

fn calibrate_data(
    scenario: &Scenario,
    observations: &Observations,
    priors: &[Prior],
    posterior: &Posterior,
    runs: &Runs,
) -> Result<(Params, Fans), Error> {
    if priors.len() != posterior.paths.len()
        || priors
            .iter()
            .zip(&posterior.paths)
            .any(|(p, q)| p.path != *q)
    {
        return Err(Error::plot(format!(
            "the priors ({}) are not those of the posterior ({})",
            priors
                .iter()
                .map(|p| p.path.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            posterior.paths.join(", ")
        )));
    }
    if posterior.particles.is_empty() || posterior.weights.len() != posterior.particles.len() {
        return Err(Error::plot(
            "the posterior has no particles, or not one weight per particle",
        ));
    }
    let summary = posterior.summary();
    let params = Params {
        subtitle: format!(
            "{} \u{2014} ABC-PMC: {} particles (ESS {}), {} simulations, final tolerance {}",
            scenario.name,
            thousands(posterior.particles.len() as f64),
            thousands(posterior.ess()),
            thousands(posterior.simulations as f64),
            posterior
                .tolerance_schedule
                .last()
                .map_or_else(|| "\u{221e}".to_string(), |t| label(*t))
        ),
        weights: posterior.weights.clone(),
        params: priors
            .iter()
            .zip(summary)
            .enumerate()
            .map(|(d, (p, s))| Param {
                prior: p.clone(),
                values: posterior.column(d),
                summary: s,
            })
            .collect(),
    };

    let s = predictive_scenario(scenario, observations, posterior)?;
    let summary = run(&s, runs)?;
    let mut names: Vec<String> = Vec::new();
    for o in observations.rows() {
        if !names.contains(&o.series) {
            names.push(o.series.clone());
        }
    }
    let bands: Vec<SeriesBands> = names
        .iter()
        .map(|n| {
            summary
                .series(n)
                .cloned()
                .ok_or_else(|| Error::plot(format!("the run has no series {n:?}")))
        })
        .collect::<Result<_, _>>()?;
    let obs = observations.rows();
    let inside = |r: usize| {
        let o = &obs[r];
        let k = names.iter().position(|n| *n == o.series).unwrap_or(0);
        let d = o.day as usize - 1;
        let b = &bands[k];
        b.p5.get(d).is_some_and(|lo| *lo <= o.value)
            && b.p95.get(d).is_some_and(|hi| o.value <= *hi)
    };
    let points = points_of(observations, &names, inside);
    let cal = Calendar::new(&scenario.start_date.to_string(), s.horizon_days)?;
    let fans = Fans {
        stem: "predictive".into(),
        what: "Posterior predictive".into(),
        subtitle: fan_subtitle(
            scenario,
            "posterior predictive median and 5\u{2013}95% band",
            runs.replications,
            &cal,
        ),
        cal,
        colour: PALETTE[3],
        band: "posterior predictive",
        origin: None,
        series: names
            .into_iter()
            .zip(bands)
            .zip(points)
            .map(|((name, bands), points)| FanSeries {
                name,
                bands,
                points,
            })
            .collect(),
    };
    Ok((params, fans))
}

/// The charts of a calibration (files in the [module docs](self)), as SVG
/// text: per parameter its prior against its posterior, the posterior
/// predictive fan of each observed series against the observations, and
/// the fit's diagnostics by generation.
///
/// `posterior` is the result of [`abc`](crate::calibrate::abc()) fitting
/// `priors` (in the same order) to `observations` on `scenario`. The
/// predictive fan runs `runs.replications` replications of `scenario`
/// with the posterior as `[uncertainty] posterior`, to the last observed
/// day (see the module docs); the same `runs` give the same charts.
///
/// # Errors
///
/// [`Error::Plot`] if `priors` are not the posterior's parameters, the
/// posterior has no particles, `start_date` is not a date, or a chart
/// cannot be drawn; [`Error::Scenario`] if a posterior particle makes the
/// scenario invalid; [`Error::Limit`] or [`Error::Threads`] from the run.
///
/// # Example
///
/// ```
/// use custody_sim::{calibrate::{abc, Abc, Observations, Prior}, presets};
/// use custody_sim::{montecarlo::Runs, report::plots::calibrate_figures};
///
/// let s = presets::plan_2026_01();
/// let obs = Observations::from_csv_str(
///     "date,series,value,sd\n9,transferred_cumulative,500,50\n",
///     "reported",
///     &s,
/// )?;
/// let priors = [Prior::parse(r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#)?];
/// let fit = Abc { particles: 20, max_simulations: 100, seed: 3, ..Abc::default() };
/// let post = abc(&s, &obs, &priors, &fit, None)?;
/// let runs = Runs { replications: 20, seed: 1, threads: 0 };
/// let figures = calibrate_figures(&s, &obs, &priors, &post, &runs)?;
/// let stems: Vec<&str> = figures.iter().map(|f| f.stem.as_str()).collect();
/// assert_eq!(stems, [
///     "posterior",
///     "posterior_transfer_phase_0__interval_days_value",
///     "predictive",
///     "predictive_transferred_cumulative",
///     "diagnostics",
/// ]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn calibrate_figures(
    scenario: &Scenario,
    observations: &Observations,
    priors: &[Prior],
    posterior: &Posterior,
    runs: &Runs,
) -> Result<Vec<Figure>, Error> {
    ensure_font()?;
    let (params, fans) = calibrate_data(scenario, observations, priors, posterior, runs)?;
    let pix: Vec<usize> = (0..params.params.len()).collect();
    let fix: Vec<usize> = (0..fans.series.len()).collect();
    let mut figures = param_charts(&params, &pix)
        .iter()
        .chain(fan_charts(&fans, &fix).iter())
        .map(|d| d.figure(d.stem.clone()))
        .collect::<Result<Vec<Figure>, Error>>()?;
    figures.push(diag::figure(scenario, posterior)?);
    Ok(figures)
}

/// Writes the charts of a calibration (see [`calibrate_figures`] and the
/// [module docs](self)) into `dir`, each as SVG and PNG, and returns the
/// paths written. `dir` is created if missing; files of the same names
/// are replaced, each atomically.
///
/// # Errors
///
/// [`Error::Io`] if `dir` cannot be created or a file written; otherwise
/// as [`calibrate_figures`].
///
/// # Example
///
/// ```no_run
/// use custody_sim::{calibrate::{abc, Abc, Observations, Prior}, presets};
/// use custody_sim::{montecarlo::Runs, report::plots::write_calibrate_plots};
///
/// let s = presets::baseline();
/// let obs = Observations::from_path("examples/observed/transfer-2026.csv", &s)?;
/// let priors = [Prior::parse(r#"transfer.phase[0].interval_days.value={dist="uniform",low=1,high=6}"#)?];
/// let post = abc(&s, &obs, &priors, &Abc::default(), None)?;
/// let runs = Runs { replications: 1000, seed: 1, threads: 0 };
/// let files = write_calibrate_plots(&s, &obs, &priors, &post, &runs, std::path::Path::new("plots"))?;
/// assert!(files.iter().any(|f| f.ends_with("predictive.svg")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_calibrate_plots(
    scenario: &Scenario,
    observations: &Observations,
    priors: &[Prior],
    posterior: &Posterior,
    runs: &Runs,
    dir: &Path,
) -> Result<Vec<PathBuf>, Error> {
    ensure_font()?;
    let (params, fans) = calibrate_data(scenario, observations, priors, posterior, runs)?;
    create_dir(dir)?;
    let pix: Vec<usize> = (0..params.params.len()).collect();
    let fix: Vec<usize> = (0..fans.series.len()).collect();
    let mut out = Vec::new();
    for d in param_charts(&params, &pix)
        .iter()
        .chain(fan_charts(&fans, &fix).iter())
    {
        d.write(dir, &d.stem, &mut out)?;
    }
    diag::write(scenario, posterior, dir, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_unique_slugs() {
        assert_eq!(
            unique_stems("backtest", &["occupancy.Karkh", "occupancy.Karkh!", "x"]),
            [
                "backtest_1_occupancy_karkh",
                "backtest_2_occupancy_karkh",
                "backtest_x"
            ]
        );
        assert_eq!(
            unique_stems("p", &["a", "a!", "1 a"]),
            ["p_1_a", "p_2_a", "p_1_a_2"]
        );
        assert_eq!(unique_stems("p", &["\u{627}"]), ["p_1"]);
    }

    /// The prior's density of a `1/DIST` prior is that of the drawn value
    /// carried to the path's value: it integrates to 1 over the path's values.
    #[test]
    fn a_reciprocal_prior_density_integrates_to_one() {
        let p = Prior::parse(r#"x=1/{dist="uniform",low=1,high=4}"#).unwrap();
        let (a, b) = (0.25, 1.0);
        let n = 100_000;
        let h = (b - a) / n as f64;
        let s: f64 = (0..n)
            .map(|i| prior_density(&p, a + (i as f64 + 0.5) * h) * h)
            .sum();
        assert!((s - 1.0).abs() < 1e-6, "{s}");
        assert_eq!(prior_density(&p, 2.0), 0.0);
        let (lo, hi) = prior_x_range(&Prior::parse(r#"x={dist="gamma",mean=2,sd=1}"#).unwrap());
        assert!(lo > 0.0 && lo < 0.5 && hi > 5.0 && hi < 8.0, "{lo} {hi}");
    }
}
