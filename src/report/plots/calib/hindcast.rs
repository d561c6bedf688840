//! The charts of a hindcast (`custody-sim hindcast --plots DIR`): per
//! origin, the forecast's fan with the rows it was fitted to and the rows
//! it is scored on.
//!
//! | file | what it shows |
//! | --- | --- |
//! | `hindcast_<origin>.svg`, `.png` | one origin (`hindcast_2026_01_30`), every observed series one panel each: the forecast's daily median (line) in its 5–95% band, from the replications that scored the origin (the posterior predictive of the fit at the origin, or the scenario as it is without priors); the origin as a dashed vertical line; the rows up to it (the fit rows) as open grey squares; the rows after it (the scored rows) as the backtest draws them (inside the band a dark circle, outside a red triangle, a bound a bar with an arrow), but for a row the scenario pins (`pinned` in the tables: every replication equals the report), an open grey circle labelled "pinned by the scenario (not scored)"; the title gives the scored rows' coverage, pinned rows left out as the tables leave them |
//!
//! With more than [`MAX_PANELS`](super::super::MAX_PANELS) series a
//! chart is split as the backtest's is (`hindcast_2026_01_30-1of2`). A
//! panel is named by what its series counts (`Transferred to Iraq, so
//! far`, `Occupancy of Karkh`), not by its identifier.

use std::path::{Path, PathBuf};

use super::super::chart::Chart as _;
use super::super::draw::create_dir;
use super::super::style::{PALETTE, ensure_font};
use super::super::{Figure, unique_stems};
use super::{Drawn, Fans, Panels, backtest_fans_of, charts, fan_subtitle};
use crate::calibrate::{HindcastFans, Observations};
use crate::error::Error;
use crate::model::schema::series_defs;
use crate::report::dates::{Day0, long};
use crate::scenario::Scenario;

/// What a series counts, in words: `occupancy.Karkh` is `Occupancy of
/// Karkh`; a name the schema does not know is left as it is.
fn readable(series: &str) -> String {
    use crate::model::schema::Series;
    for def in series_defs() {
        let pattern = def.pattern;
        let entity = match pattern.split_once('<') {
            Some((prefix, _)) => match series.strip_prefix(prefix) {
                Some(rest) if !rest.is_empty() => rest,
                _ => continue,
            },
            None if series == pattern => "",
            None => continue,
        };
        return match def.key {
            Series::Occupancy => format!("Occupancy of {entity}"),
            Series::InCustody => "Transferees in custody".into(),
            Series::InSyria => "Still in Syria".into(),
            Series::TransferredCumulative => "Transferred to Iraq, so far".into(),
            Series::Queue => format!("Cases waiting for the {entity} stage"),
            Series::AwaitingVerdict => "Awaiting a verdict".into(),
            Series::ConvictedInCustody => "Convicted, in custody".into(),
            Series::RepatriatedCumulative => "Repatriated, so far".into(),
            Series::QueueOther => format!("Other cases waiting for the {entity} stage"),
            Series::AppealQueue => "Convictions waiting for the appeal".into(),
            Series::AwaitingDeportation => "Awaiting deportation".into(),
            // A series added later is named by its identifier until
            // it is named here.
            #[allow(unreachable_patterns)]
            _ => series.to_string(),
        };
    }
    series.to_string()
}

/// Each origin's fans, checked against the hindcast and the observations.
fn origin_fans(
    scenario: &Scenario,
    observations: &Observations,
    h: &HindcastFans,
) -> Result<Vec<Fans>, Error> {
    let origins = &h.hindcast.origins;
    if h.fans.len() != origins.len() {
        return Err(Error::plot(format!(
            "the hindcast has {} origins but {} fans",
            origins.len(),
            h.fans.len()
        )));
    }
    let day0 = Day0::parse(&scenario.start_date.to_string()).ok_or_else(|| {
        Error::plot(format!(
            "start_date {:?} is not a YYYY-MM-DD date",
            scenario.start_date
        ))
    })?;
    let dates: Vec<&str> = origins.iter().map(|o| o.origin.as_str()).collect();
    let stems = unique_stems("hindcast", &dates);
    origins
        .iter()
        .zip(&h.fans)
        .zip(stems)
        .map(|((o, fans), stem)| {
            let date = Day0::parse(&o.origin)
                .ok_or_else(|| {
                    Error::plot(format!("origin {:?} is not a YYYY-MM-DD date", o.origin))
                })?
                .start();
            let day = day0.record_day(date);
            let mut f = backtest_fans_of(scenario, observations, fans)?;
            let plural = |n: usize, what: &str| {
                if n == 1 {
                    format!("1 {what}")
                } else {
                    format!("{n} {what}s")
                }
            };
            let fitted = match &o.posterior {
                Some(p) => format!(
                    "{} fitted to the {} up to the origin",
                    plural(p.len(), "parameter"),
                    plural(o.fitted_rows, "report")
                ),
                None => "nothing fitted (no prior)".into(),
            };
            let when = long(date);
            f.subtitle = fan_subtitle(scenario, &fitted, fans.replications, &f.cal);
            f.stem = stem;
            f.what = format!("Hindcast from {when}");
            f.colour = PALETTE[3];
            f.band = "forecast";
            f.origin = Some((
                u32::try_from(day.max(0)).unwrap_or(0),
                format!("origin: {when} (fitted up to it, scored after)"),
            ));
            let rows = &fans.backtest.rows;
            for s in &mut f.series {
                s.name = readable(&s.name);
                for p in &mut s.points {
                    p.fit = i64::from(p.day) <= day;
                    // As the tables: a scored row the scenario pins is
                    // not in the coverage.
                    p.pinned = !p.fit && rows.get(p.row).is_some_and(|r| r.pinned);
                }
            }
            Ok(f)
        })
        .collect()
}

/// The drawn charts of every origin: one chart each, every series a
/// panel (`ix[k]` the panels of origin `k`), no chart per series.
fn drawn<'a>(fans: &'a [Fans], ix: &'a [Vec<usize>]) -> Vec<Drawn<'a>> {
    fans.iter()
        .zip(ix)
        .flat_map(|(f, all)| {
            let names: Vec<&str> = f.series.iter().map(|s| s.name.as_str()).collect();
            charts(
                &f.stem,
                &names,
                &f.overview_title(),
                |i| f.item_title(i),
                |part| Panels::Fans(f, part),
                all,
                &[],
            )
        })
        .collect()
}

/// The panels of each origin's chart: every series.
fn panels(fans: &[Fans]) -> Vec<Vec<usize>> {
    fans.iter().map(|f| (0..f.series.len()).collect()).collect()
}

/// The charts of a hindcast (files in the [module docs](self)), as SVG
/// text: per origin, the forecast's fan of every observed series with the
/// fit rows, the scored rows and the origin.
///
/// `h` is [`hindcast_fans`](crate::calibrate::hindcast_fans) of
/// `scenario` and `observations`.
///
/// # Errors
///
/// [`Error::Plot`] if `h` is not a hindcast of these observations (its
/// fans' rows or series differ, or it has not one fan per origin), if
/// `start_date` or an origin is not a date, or if a chart cannot be drawn.
///
/// # Example
///
/// ```
/// use custody_sim::calibrate::{hindcast_fans, Abc, Observations};
/// use custody_sim::{presets, report::plots::hindcast_figures};
///
/// let s = presets::plan_2026_01();
/// let obs = Observations::from_csv_str(
///     "date,series,value,sd\n2026-01-30,transferred_cumulative,500,50\n2026-02-07,transferred_cumulative,2225,100\n",
///     "reported",
///     &s,
/// )?;
/// let h = hindcast_fans(&s, &obs, &["2026-01-30", "2026-02-01"], &[], &Abc::default(), 20)?;
/// let figures = hindcast_figures(&s, &obs, &h)?;
/// let stems: Vec<&str> = figures.iter().map(|f| f.stem.as_str()).collect();
/// assert_eq!(stems, ["hindcast_2026_01_30", "hindcast_2026_02_01"]);
/// assert!(figures[0].title.starts_with("Hindcast from 30 Jan 2026: "));
/// assert!(figures[0].svg.contains("Transferred to Iraq, so far"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn hindcast_figures(
    scenario: &Scenario,
    observations: &Observations,
    h: &HindcastFans,
) -> Result<Vec<Figure>, Error> {
    ensure_font()?;
    let fans = origin_fans(scenario, observations, h)?;
    let ix = panels(&fans);
    drawn(&fans, &ix)
        .iter()
        .map(|d| d.figure(d.stem.clone()))
        .collect()
}

/// Writes the charts of a hindcast (see [`hindcast_figures`] and the
/// [module docs](self)) into `dir`, each as SVG and PNG, and returns the
/// paths written. `dir` is created if missing; files of the same names
/// are replaced, each atomically.
///
/// # Errors
///
/// [`Error::Io`] if `dir` cannot be created or a file written; otherwise
/// as [`hindcast_figures`].
///
/// # Example
///
/// ```no_run
/// use custody_sim::calibrate::{hindcast_fans, Abc, Observations};
/// use custody_sim::{presets, report::plots::write_hindcast_plots};
///
/// let s = presets::baseline();
/// let obs = Observations::from_path("examples/observed/transfer-2026.csv", &s)?;
/// let h = hindcast_fans(&s, &obs, &["2026-01-30", "2026-02-07"], &[], &Abc::default(), 1000)?;
/// let files = write_hindcast_plots(&s, &obs, &h, std::path::Path::new("plots"))?;
/// assert!(files.iter().any(|f| f.ends_with("hindcast_2026_01_30.svg")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_hindcast_plots(
    scenario: &Scenario,
    observations: &Observations,
    h: &HindcastFans,
    dir: &Path,
) -> Result<Vec<PathBuf>, Error> {
    ensure_font()?;
    let fans = origin_fans(scenario, observations, h)?;
    create_dir(dir)?;
    let mut out = Vec::new();
    let ix = panels(&fans);
    for d in drawn(&fans, &ix) {
        d.write(dir, &d.stem, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn series_are_named_in_words() {
        assert_eq!(readable("occupancy.Karkh"), "Occupancy of Karkh");
        assert_eq!(
            readable("transferred_cumulative"),
            "Transferred to Iraq, so far"
        );
        assert_eq!(readable("queue.trial"), "Cases waiting for the trial stage");
        assert_eq!(
            readable("queue_other.trial"),
            "Other cases waiting for the trial stage"
        );
        assert_eq!(readable("something_else"), "something_else");
    }
}
