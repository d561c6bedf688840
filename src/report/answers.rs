//! The capacity answers of a run, in words and dates: for each facility,
//! when it passes its beds, how far and for how long, and when it is back
//! under; for each court stage, how large its queue grows and when it
//! clears; for each group that is repatriated, how many.
//!
//! [`Answers::new`] reads them from a run's [`Summary`] and its scenario
//! (which supplies the beds, the population on day 0 and the rules that
//! move people). Each answer keeps its figures (for the JSON, `run
//! --json`'s `answers` object) and a sentence ([`Phrase`]) built from the
//! same numbers, which the `run` table and the HTML report lead with:
//!
//! > Karkh passes its 4,000 beds on 10 Feb 2026 (90% of runs: 9–11 Feb
//! > 2026); peak 5,704, 143% of its beds, the same in every run (fixed by
//! > the scenario); over capacity on 690 days (90% of runs: 688–692); not
//! > back under within the horizon in any run that passes them.
//!
//! # Dates and bands
//!
//! A date is the median replication's (the p50 of a day-number metric),
//! labelled by [`crate::report::dates::record_date`]; its band is the p5
//! and p95 of the same metric: 90% of the replications fall between. A
//! day past the horizon (the model's horizon + 1) means "not within the
//! horizon"; the share of replications in which that happens is exact
//! ([`Summary::past_horizon`]). When that share is above one half, the
//! answer is "not within the horizon" with its share, not a date.
//!
//! # Inputs told apart from results
//!
//! Two marks say which figures the model produced and which it was given:
//!
//! - **Input only** ([`FacilityAnswer::input_only`]): no rule of the
//!   scenario can bring anyone into the facility: it is not among the
//!   facilities that receive transferees (`allocation.facilities`, all
//!   when absent; under `proportional`, a weight above 0), and it is no
//!   `court.convicted_facility`, no sentence's `facility`, no
//!   relocation's `to` and no overflow rule's destination. Its occupancy
//!   is then its population on day 0 and its own background flow, both
//!   inputs; a day over capacity there restates the scenario. The test is
//!   on the scenario's rules, so it holds for every replication and does
//!   not depend on how many runs happened to send someone.
//! - **Fixed by the scenario** ([`Band::fixed_by_scenario`]): every one of
//!   at least two replications gave the same value (min = max), so the
//!   band has zero width: the figure does not depend on the random draws
//!   and follows from the scenario's keys (a `target_total` reached, the
//!   population on day 0 of a facility no one enters).
//! - **Drawn beds** ([`FacilityAnswer::beds_drawn`]): when `[uncertainty]`
//!   draws a facility's capacity, its beds differ from run to run, so the
//!   sentence gives the file's figure with the drawn beds' band ("its
//!   beds (4,000 in the file; drawn per run, 90% of runs: 3,536–4,428)")
//!   instead of "its 4,000 beds"; each run's dates, rates and days over
//!   capacity are against its own beds. A facility over its file's beds
//!   on day 0 is said to be over on day 0 in every run only when neither
//!   its capacity nor its population on day 0 is drawn.
//!
//! # Example
//!
//! ```
//! use custody_sim::montecarlo::{run, Runs};
//! use custody_sim::report::answers::{Answers, When};
//! use custody_sim::{Dist, Facility, Group, Phase, Scenario, Stage};
//!
//! // Ten arrivals a day, all to Nasiriyah (50 beds), where a trial takes
//! // longer than the horizon; Karkh holds 12 in 10 beds and receives no one.
//! let s = Scenario::builder("tiny", 30)
//!     .phase(Phase::new(0.0, Dist::fixed(1.0), Dist::fixed(10.0)))
//!     .group(Group::new("Iraqi", 100))
//!     .facility(Facility::new("Karkh", 10).with_initial_occupancy(12))
//!     .facility(Facility::new("Nasiriyah", 50))
//!     .receiving(["Nasiriyah"])
//!     .stage(Stage::new("trial", 1, Dist::fixed(1000.0)))
//!     .build()?;
//! let summary = run(&s, &Runs { replications: 3, seed: 1, threads: 1 })?;
//! let a = Answers::new(&s, &summary);
//! let (karkh, nasiriyah) = (&a.facilities[0], &a.facilities[1]);
//! // Karkh restates its input: over on day 0, its peak fixed by the scenario.
//! assert_eq!(karkh.first_over_capacity, When::OnDay0);
//! assert!(karkh.input_only && karkh.peak_occupancy.fixed_by_scenario);
//! assert_eq!(karkh.peak_occupancy.mean, Some(12.0));
//! assert!(karkh.text.text().starts_with("Karkh (input only"));
//! // Nasiriyah passes its beds on the same date in every run, and no one leaves.
//! let When::Date { p5_day, p95_day, .. } = nasiriyah.first_over_capacity else { panic!() };
//! assert_eq!(Some(p5_day), p95_day);
//! assert!(matches!(nasiriyah.back_under, When::NotWithinHorizon { share: Some(1.0), .. }));
//! assert!(!nasiriyah.input_only);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;

use crate::error::Error;
use crate::montecarlo::Runs;
use crate::montecarlo::Summary;
use crate::montecarlo::sweep::PairedDiff;
use crate::report::dates::{self, Day0};
use crate::report::format::{percent, thousands};
use crate::scenario::Scenario;
use crate::stats::MetricStats;

pub use crate::report::phrase::{Phrase, Piece};

/// A figure across replications: its mean and the band that holds 90% of
/// the replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    /// Replications with a value.
    pub n: u64,
    /// Mean across replications.
    pub mean: Option<f64>,
    /// 5th percentile across replications.
    pub p5: Option<f64>,
    /// 95th percentile across replications.
    pub p95: Option<f64>,
    /// The same value in every one of at least two replications (a band
    /// of zero width): the figure follows from the scenario's keys, not
    /// from the random draws (see the [module docs](self)).
    pub fixed_by_scenario: bool,
}

impl Band {
    /// The band of `m` in a run of `replications`.
    fn of(m: Option<&MetricStats>, replications: u64) -> Band {
        let Some(m) = m else {
            return Band {
                n: 0,
                mean: None,
                p5: None,
                p95: None,
                fixed_by_scenario: false,
            };
        };
        Band {
            n: m.n,
            mean: m.mean,
            p5: m.p5,
            p95: m.p95,
            fixed_by_scenario: replications >= 2
                && m.n == replications
                && m.min.is_some()
                && m.min == m.max,
        }
    }

    /// Adds `mean UNIT (90% of runs: p5–p95)`, or `mean UNIT, the same
    /// in every run (fixed by the scenario)`, each number shown by `show`.
    fn say(&self, p: &mut Phrase, show: impl Fn(f64) -> String, unit: &str) {
        let Some(mean) = self.mean else {
            p.push("no value");
            return;
        };
        p.num(mean, show(mean));
        // `1 day`, not `1 days`.
        p.push(match unit.strip_suffix('s') {
            Some(one) if show(mean) == "1" => one,
            _ => unit,
        });
        if self.fixed_by_scenario {
            p.push(", the same in every run (fixed by the scenario)");
        } else if let (Some(lo), Some(hi)) = (self.p5, self.p95) {
            p.push(" (90% of runs: ");
            p.num(lo, show(lo));
            p.push("–");
            p.num(hi, show(hi));
            p.push(")");
        }
    }
}

/// When something happens (a facility passes its beds, is back under
/// them), across replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum When {
    /// Already so on day 0: the population inside on day 0 exceeds the
    /// beds.
    OnDay0,
    /// Within the horizon in at least half of the replications: the
    /// median replication's day and date, with the band of 90% of them.
    Date {
        /// Median day number \[day number\].
        day: f64,
        /// Its date (`YYYY-MM-DD`).
        date: String,
        /// 5th percentile \[day number\].
        p5_day: f64,
        /// Its date.
        p5_date: String,
        /// 95th percentile \[day number\]; `None` past the horizon.
        p95_day: Option<f64>,
        /// Its date; `None` past the horizon.
        p95_date: Option<String>,
        /// Share of the replications (those it applies to) in which it
        /// does not happen within the horizon; `None` if not known.
        share_not_within: Option<f64>,
    },
    /// Not within the horizon in more than half of the replications.
    NotWithinHorizon {
        /// Share of the replications (those it applies to) in which it
        /// does not happen within the horizon; `None` if not known.
        share: Option<f64>,
        /// 5th percentile \[day number\], where it is within the horizon:
        /// the earliest of the other replications, roughly.
        p5_day: Option<f64>,
        /// Its date.
        p5_date: Option<String>,
    },
    /// Applies in no replication (no way back under capacity for a
    /// facility that is never over it).
    NotApplicable,
}

impl When {
    /// From a day-number metric whose value past `h` means "not within
    /// the horizon"; `past` replications of `m.n` had such a value.
    fn of(m: Option<&MetricStats>, past: Option<u64>, h: u32, day0: Option<Day0>) -> When {
        let Some(m) = m.filter(|m| m.n > 0) else {
            return When::NotApplicable;
        };
        let within = |x: Option<f64>| x.filter(|&x| x <= f64::from(h));
        let date = |x: f64| {
            day0.and_then(|d| d.date(x))
                .map_or_else(String::new, |d| d.to_string())
        };
        let share = past.map(|k| k as f64 / m.n as f64);
        match (within(m.p50), within(m.p5)) {
            (Some(day), Some(p5)) => When::Date {
                day,
                date: date(day),
                p5_day: p5,
                p5_date: date(p5),
                p95_day: within(m.p95),
                p95_date: within(m.p95).map(date),
                share_not_within: share,
            },
            (_, p5) => When::NotWithinHorizon {
                share,
                p5_day: p5,
                p5_date: p5.map(date),
            },
        }
    }
}

/// The answers about one facility.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacilityAnswer {
    /// The facility's name.
    pub facility: String,
    /// Beds on day 0 (with the expansions of day 0 or before) \[persons\].
    pub beds: u64,
    /// Beds at the horizon (with every expansion within it) \[persons\].
    pub beds_at_horizon: u64,
    /// Population inside on day 0 \[persons\].
    pub initial_occupancy: u64,
    /// The beds on day 0 across the runs, when `[uncertainty]` draws the
    /// capacity (`param.facility[NAME].capacity`); `beds` is then the
    /// file's value, and the dates and rates are each run's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beds_drawn: Option<Band>,
    /// The population inside on day 0 across the runs, when
    /// `[uncertainty]` draws it (`param.facility[NAME].initial_occupancy`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_occupancy_drawn: Option<Band>,
    /// No rule of the scenario brings anyone in: the facility carries its
    /// input population only (see the [module docs](self)).
    pub input_only: bool,
    /// When it first passes its beds (`first_day_over_capacity`).
    pub first_over_capacity: When,
    /// Highest end-of-day occupancy \[persons\] (`peak_occupancy`).
    pub peak_occupancy: Band,
    /// Highest occupancy / beds \[ratio\] (`peak_occupancy_rate`).
    pub peak_occupancy_rate: Band,
    /// End-of-day records over capacity \[days\] (`days_over_capacity`).
    pub days_over_capacity: Band,
    /// When it is back under its beds after the peak
    /// (`first_day_back_under`, over the replications that pass them).
    pub back_under: When,
    /// The answer as a sentence.
    pub text: Phrase,
}

/// The answers about one court stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageAnswer {
    /// The stage's name.
    pub stage: String,
    /// Highest end-of-day queue \[cases\] (`peak_queue`).
    pub peak_queue: Band,
    /// Queue at the horizon \[cases\] (`queue_at_horizon`).
    pub queue_at_horizon: Band,
    /// When the median replication's daily queue (the p50 band of
    /// `queue.<stage>`) is back to 0 after its highest day.
    pub clears: Clears,
    /// When the 95th percentile of the daily queue is back to 0 after its
    /// highest day: from then on at least 95% of the replications have an
    /// empty queue that day.
    pub clears_p95: Clears,
    /// The answer as a sentence.
    pub text: Phrase,
}

/// When a daily band of a queue is back to zero after its highest day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Clears {
    /// The band is 0 every day: no queue forms.
    NoQueue,
    /// First day after the band's highest day at which it is 0.
    Date {
        /// \[day number\]
        day: u32,
        /// Its date (`YYYY-MM-DD`).
        date: String,
    },
    /// It is not back to 0 within the horizon.
    NotWithinHorizon,
}

impl Clears {
    fn of(band: Option<&[f64]>, day0: Option<Day0>) -> Clears {
        let Some(b) = band.filter(|b| !b.is_empty()) else {
            return Clears::NoQueue;
        };
        let (peak, &max) =
            b.iter().enumerate().fold(
                (0, &b[0]),
                |acc, (i, x)| if *x > *acc.1 { (i, x) } else { acc },
            );
        if max <= 0.0 {
            return Clears::NoQueue;
        }
        match b[peak..].iter().position(|&x| x <= 0.0) {
            Some(k) => {
                let day = (peak + k + 1) as u32;
                Clears::Date {
                    day,
                    date: day0
                        .and_then(|d| d.date(f64::from(day)))
                        .map_or_else(String::new, |d| d.to_string()),
                }
            }
            None => Clears::NotWithinHorizon,
        }
    }
}

/// The answer about one group's repatriation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupAnswer {
    /// The group's name.
    pub group: String,
    /// Its size \[persons\].
    pub detainees: u64,
    /// Repatriated by the horizon \[persons\] (`repatriated.<group>`).
    pub repatriated: Band,
    /// The answer as a sentence.
    pub text: Phrase,
}

/// The capacity answers of a run (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answers {
    /// Day 0's date (`YYYY-MM-DD`).
    pub start_date: String,
    /// Horizon \[days\].
    pub horizon_days: u32,
    /// Replications run.
    pub replications: u64,
    /// One per facility, in file order.
    pub facilities: Vec<FacilityAnswer>,
    /// One per court stage, in file order.
    pub stages: Vec<StageAnswer>,
    /// One per group with a repatriation probability above 0, in file
    /// order.
    pub groups: Vec<GroupAnswer>,
    /// What repatriation spares each facility, when asked for (`run
    /// --relief`, [`Answers::with_relief`]); left out of the JSON
    /// otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relief: Option<Relief>,
    /// What drives each headline answer (the top uncertain parameters by
    /// total Sobol index), when asked for (`run --drivers`,
    /// [`Answers::with_drivers`]); left out of the JSON otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drivers: Option<crate::report::drivers::Drivers>,
}

/// `9–11 Feb 2026`, `28 Jan–3 Feb 2026`, `30 Dec 2026–2 Jan 2027`, or one
/// date when both ends fall on it.
fn date_range(a: jiff::civil::Date, b: jiff::civil::Date) -> String {
    let long = dates::long;
    if a == b {
        long(a)
    } else if a.year() == b.year() && a.month() == b.month() {
        format!("{}–{}", a.day(), long(b))
    } else if a.year() == b.year() {
        format!("{} {}–{}", a.day(), dates::month(a), long(b))
    } else {
        format!("{}–{}", long(a), long(b))
    }
}

/// Adds a date and its band: `10 Feb 2026 (90% of runs: 9–11 Feb 2026)`.
fn say_date(p: &mut Phrase, w: &When, day0: Option<Day0>) {
    let When::Date {
        day,
        p5_day,
        p95_day,
        ..
    } = w
    else {
        return;
    };
    let date = |x: f64| day0.and_then(|d| d.date(x));
    match date(*day) {
        Some(d) => p.num(*day, dates::long(d)),
        None => p.num(*day, format!("day {}", thousands(*day))),
    }
    let (Some(a), b) = (date(*p5_day), p95_day.and_then(date)) else {
        return;
    };
    match (b, p95_day) {
        (Some(b), Some(_)) if a == b && date(*day) == Some(a) => {
            p.push(" (90% of runs: that day)");
        }
        (Some(b), Some(p95)) => {
            let text = date_range(a, b);
            // The two ends, each a number: split the range at its dash.
            let (lo, hi) = text.split_once('–').unwrap_or((&text, ""));
            p.push(" (90% of runs: ");
            p.num(*p5_day, lo);
            if !hi.is_empty() {
                p.push("–");
                p.num(*p95, hi);
            }
            p.push(")");
        }
        _ => {
            p.push(" (90% of runs: from ");
            p.num(*p5_day, dates::long(a));
            p.push(")");
        }
    }
}

fn share_text(p: &mut Phrase, share: f64) {
    p.num(share, percent(share, 0));
}

impl FacilityAnswer {
    fn new(s: &Scenario, summary: &Summary, f: usize, day0: Option<Day0>) -> FacilityAnswer {
        let fac = &s.facilities[f];
        let h = summary.horizon_days;
        let r = summary.replications;
        let key = |k: &str| format!("facility.{}.{k}", fac.name);
        let m = |k: &str| summary.metric(&key(k));
        let beds = fac.beds_on(0.0, s.start_date);
        // A value `[uncertainty]` draws is a band across the runs (the
        // metric `param.PATH` each replication records).
        let drawn = |k: &str| {
            s.drawn_as(&format!("facility[{}].{k}", fac.name))
                .and_then(|path| summary.metric(&format!("param.{path}")))
                .map(|m| Band::of(Some(m), r))
                .filter(|b| !b.fixed_by_scenario)
        };
        let beds_drawn = drawn("capacity");
        let initial_occupancy_drawn = drawn("initial_occupancy");
        // Over on day 0 in every run only when neither side is drawn;
        // otherwise each run's first day over says it.
        let first_over_capacity = if fac.initial_occupancy > beds
            && beds_drawn.is_none()
            && initial_occupancy_drawn.is_none()
        {
            When::OnDay0
        } else {
            When::of(
                m("first_day_over_capacity"),
                summary.past_horizon(&key("first_day_over_capacity")),
                h,
                day0,
            )
        };
        let mut a = FacilityAnswer {
            facility: fac.name.clone(),
            beds,
            beds_at_horizon: fac.beds_on(f64::from(s.horizon_days), s.start_date),
            initial_occupancy: fac.initial_occupancy,
            beds_drawn,
            initial_occupancy_drawn,
            input_only: !s.receives(f),
            first_over_capacity,
            peak_occupancy: Band::of(m("peak_occupancy"), r),
            peak_occupancy_rate: Band::of(m("peak_occupancy_rate"), r),
            days_over_capacity: Band::of(m("days_over_capacity"), r),
            back_under: When::of(
                m("first_day_back_under"),
                summary.past_horizon(&key("first_day_back_under")),
                h,
                day0,
            ),
            text: Phrase::default(),
        };
        a.text = a.phrase(day0, h);
        a
    }

    fn phrase(&self, day0: Option<Day0>, h: u32) -> Phrase {
        let mut p = Phrase::default();
        p.push(self.facility.as_str());
        if self.input_only {
            p.push(" (input only: no transferee arrives and no rule moves anyone in)");
        }
        let beds = |p: &mut Phrase| {
            match &self.beds_drawn {
                // Drawn per run: the file's figure is not the beds of
                // every run, so the band is said with it.
                Some(b) if b.mean.is_some() => {
                    p.push("its beds (");
                    p.num(self.beds as f64, thousands(self.beds as f64));
                    p.push(" in the file; drawn per run, ");
                    match (b.p5, b.p95) {
                        (Some(lo), Some(hi)) => {
                            p.push("90% of runs: ");
                            p.num(lo, thousands(lo));
                            p.push("–");
                            p.num(hi, thousands(hi));
                        }
                        _ => p.push("no band"),
                    }
                    p.push(")");
                }
                _ => {
                    p.push("its ");
                    p.num(self.beds as f64, thousands(self.beds as f64));
                    p.push(" beds");
                }
            }
            if self.beds_at_horizon != self.beds {
                p.push(" (");
                p.num(
                    self.beds_at_horizon as f64,
                    thousands(self.beds_at_horizon as f64),
                );
                p.push(" by the horizon)");
            }
        };
        let end = day0.map_or_else(|| format!("day {h}"), |d| d.long(f64::from(h)));
        let mut ever_over = true;
        match &self.first_over_capacity {
            When::OnDay0 => {
                p.push(" is already over ");
                beds(&mut p);
                p.push(" on day 0 (");
                p.num(
                    self.initial_occupancy as f64,
                    thousands(self.initial_occupancy as f64),
                );
                p.push(" inside)");
            }
            w @ When::Date {
                share_not_within, ..
            } => {
                p.push(" passes ");
                beds(&mut p);
                p.push(" on ");
                say_date(&mut p, w, day0);
                if let Some(share) = share_not_within.filter(|&x| x > 0.0) {
                    p.push(" and stays within them to the horizon in ");
                    share_text(&mut p, share);
                    p.push(" of runs");
                }
            }
            When::NotWithinHorizon {
                share,
                p5_day,
                p5_date,
            } => {
                p.push(" stays within ");
                beds(&mut p);
                p.push(format!(" to the horizon ({end})"));
                match share {
                    Some(x) if *x >= 1.0 => {
                        ever_over = false;
                        p.push(" in every run");
                    }
                    Some(x) => {
                        p.push(" in ");
                        share_text(&mut p, *x);
                        p.push(" of runs");
                    }
                    None => p.push(" in most runs"),
                }
                if let (Some(d), Some(_)) = (p5_day, p5_date)
                    && let Some(date) = day0.and_then(|z| z.date(*d))
                {
                    p.push("; in the others it passes them from ");
                    p.num(*d, dates::long(date));
                }
            }
            When::NotApplicable => {
                ever_over = false;
                p.push(" has no figures");
            }
        }
        p.push("; peak ");
        self.peak_occupancy.say(&mut p, thousands, "");
        if let Some(rate) = self.peak_occupancy_rate.mean {
            p.push(", ");
            p.num(rate, percent(rate, 0));
            p.push(" of its beds at the worst day");
        }
        if ever_over {
            p.push("; over capacity on ");
            self.days_over_capacity.say(&mut p, thousands, " days");
            match &self.back_under {
                w @ When::Date {
                    share_not_within, ..
                } => {
                    p.push("; back under its beds after the peak on ");
                    say_date(&mut p, w, day0);
                    if let Some(share) = share_not_within.filter(|&x| x > 0.0) {
                        p.push(", not within the horizon in ");
                        share_text(&mut p, share);
                        p.push(" of the runs that pass them");
                    }
                }
                When::NotWithinHorizon { share, .. } => {
                    p.push("; not back under its beds within the horizon");
                    match share {
                        Some(x) if *x >= 1.0 => p.push(" in any run that passes them"),
                        Some(x) => {
                            p.push(" in ");
                            share_text(&mut p, *x);
                            p.push(" of the runs that pass them");
                        }
                        None => p.push(" in most runs that pass them"),
                    }
                }
                When::OnDay0 | When::NotApplicable => {}
            }
        }
        p.push(".");
        p
    }
}

impl StageAnswer {
    fn new(summary: &Summary, name: &str, day0: Option<Day0>) -> StageAnswer {
        let r = summary.replications;
        let key = |k: &str| format!("stage.{name}.{k}");
        let queue = summary.series(&format!("queue.{name}"));
        let mut a = StageAnswer {
            stage: name.to_string(),
            peak_queue: Band::of(summary.metric(&key("peak_queue")), r),
            queue_at_horizon: Band::of(summary.metric(&key("queue_at_horizon")), r),
            clears: Clears::of(queue.map(|q| q.p50.as_slice()), day0),
            clears_p95: Clears::of(queue.map(|q| q.p95.as_slice()), day0),
            text: Phrase::default(),
        };
        let mut p = Phrase::default();
        p.push(format!("Court stage {name}: "));
        if a.peak_queue.mean == Some(0.0) {
            p.push("no queue forms in any run.");
        } else {
            p.push("the queue peaks at ");
            a.peak_queue.say(&mut p, thousands, " cases");
            match &a.clears {
                Clears::NoQueue => p.push("; in most runs no queue forms"),
                Clears::Date { day, date } => {
                    p.push("; the median run's queue clears on ");
                    let shown = day0
                        .and_then(|d| d.date(f64::from(*day)))
                        .map_or_else(|| date.clone(), dates::long);
                    p.num(f64::from(*day), shown);
                    match &a.clears_p95 {
                        Clears::Date { day, .. } => {
                            p.push(" (95% of runs have an empty queue from ");
                            let shown = day0
                                .and_then(|d| d.date(f64::from(*day)))
                                .map_or_else(String::new, dates::long);
                            p.num(f64::from(*day), shown);
                            p.push(")");
                        }
                        Clears::NotWithinHorizon => {
                            p.push(" (in more than 5% of runs it is not empty at the horizon)")
                        }
                        Clears::NoQueue => {}
                    }
                }
                Clears::NotWithinHorizon => {
                    p.push("; not cleared within the horizon in the median run: ");
                    a.queue_at_horizon.say(&mut p, thousands, " cases");
                    p.push(" wait at the horizon");
                }
            }
            p.push(".");
        }
        a.text = p;
        a
    }
}

impl GroupAnswer {
    fn new(summary: &Summary, name: &str, count: u64) -> GroupAnswer {
        let r = summary.replications;
        let repatriated = Band::of(summary.metric(&format!("repatriated.{name}")), r);
        let mut p = Phrase::default();
        p.push(format!("Repatriation, {name} ("));
        p.num(count as f64, thousands(count as f64));
        p.push(" detainees): ");
        repatriated.say(&mut p, thousands, " repatriated by the horizon");
        p.push(".");
        GroupAnswer {
            group: name.to_string(),
            detainees: count,
            repatriated,
            text: p,
        }
    }
}

impl Answers {
    /// The answers of a run of `scenario` summarised in `summary` (see
    /// the [module docs](self)). A metric the summary lacks gives an
    /// answer with no value, never a panic.
    pub fn new(scenario: &Scenario, summary: &Summary) -> Answers {
        let day0 = Day0::parse(&summary.start_date);
        Answers {
            start_date: summary.start_date.clone(),
            horizon_days: summary.horizon_days,
            replications: summary.replications,
            facilities: (0..scenario.facilities.len())
                .map(|f| FacilityAnswer::new(scenario, summary, f, day0))
                .collect(),
            stages: scenario
                .court
                .stages
                .iter()
                .map(|st| StageAnswer::new(summary, &st.name, day0))
                .collect(),
            groups: scenario
                .groups
                .iter()
                .filter(|g| g.repatriation.probability > 0.0)
                .map(|g| GroupAnswer::new(summary, &g.name, g.count))
                .collect(),
            relief: None,
            drivers: None,
        }
    }

    /// The answers with what drives each of them
    /// ([`crate::report::drivers::Drivers::compute`]).
    pub fn with_drivers(mut self, drivers: crate::report::drivers::Drivers) -> Answers {
        self.drivers = Some(drivers);
        self
    }

    /// The answers with what repatriation spares ([`Relief::new`]).
    pub fn with_relief(mut self, relief: Relief) -> Answers {
        self.relief = Some(relief);
        self
    }

    /// Every sentence, in order: facilities, court stages, groups, then
    /// what repatriation spares each facility (when asked for).
    pub fn phrases(&self) -> impl Iterator<Item = &Phrase> {
        self.facilities
            .iter()
            .map(|a| &a.text)
            .chain(self.stages.iter().map(|a| &a.text))
            .chain(self.groups.iter().map(|a| &a.text))
            .chain(
                self.relief
                    .iter()
                    .flat_map(|r| r.facilities.iter().map(|a| &a.text)),
            )
    }

    /// The answers as text for a terminal: a heading and one sentence a
    /// line (the `run` table leads with it), then what drives them when
    /// computed ([`crate::report::drivers::Drivers::to_text`]).
    pub fn to_text(&self) -> String {
        let mut out = String::from("Answers\n");
        for p in self.phrases() {
            out.push_str("  ");
            out.push_str(&p.text());
            out.push('\n');
        }
        if let Some(d) = &self.drivers {
            out.push('\n');
            out.push_str(&d.to_text());
        }
        out
    }
}

/// The capacity answers of each compared scenario, as text: a heading
/// naming the scenario (`Answers, base`), then one sentence a line
/// ([`Answers::to_text`]); `compare`'s text output opens with it.
/// `summaries` are the scenarios' runs, in the same order (e.g.
/// [`crate::decide::compare_summaries`] on the comparison's seed and
/// replications).
///
/// # Example
///
/// ```
/// use custody_sim::decide::compare_summaries;
/// use custody_sim::report::answers::answers_of_each;
/// use custody_sim::{Runs, presets};
///
/// let mut base = presets::baseline();
/// base.horizon_days = 40;
/// let more = base.with_param("facility[Karkh].capacity", "8000")?;
/// let scenarios = [("base".to_string(), base), ("more beds".to_string(), more)];
/// let sums = compare_summaries(&scenarios, &Runs { replications: 4, seed: 1, threads: 0 })?;
/// let text = answers_of_each(&scenarios, &sums);
/// // The baseline draws Karkh's beds; the set 8,000 is every run's.
/// assert!(text.starts_with("Answers, base\n  Karkh passes its beds (4,000 in the file; drawn per run, "));
/// assert!(text.contains("\nAnswers, more beds\n  Karkh stays within its 8,000 beds"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn answers_of_each(scenarios: &[(String, Scenario)], summaries: &[Summary]) -> String {
    let mut out = String::new();
    for ((label, s), summary) in scenarios.iter().zip(summaries) {
        if !out.is_empty() {
            out.push('\n');
        }
        let text = Answers::new(s, summary).to_text();
        out.push_str(&format!("Answers, {label}\n"));
        out.push_str(text.strip_prefix("Answers\n").unwrap_or(&text));
    }
    out
}

/// What repatriation spares each facility: the scenario run paired with
/// the same scenario with repatriation switched off (every group's
/// `repatriation.probability` set to 0), on common random numbers (the
/// same seed and replications, as [`crate::decide::compare()`] pairs
/// variants), replication by replication.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Relief {
    /// The parameter paths set to 0 to switch repatriation off, in file
    /// order (empty: no group is repatriated, nothing to spare).
    pub switched_off: Vec<String>,
    /// One per facility, in file order.
    pub facilities: Vec<FacilityRelief>,
}

/// What repatriation spares one facility: the paired difference without
/// repatriation minus with it (positive: repatriation lowers the figure),
/// with its 95% Student t interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacilityRelief {
    /// The facility's name.
    pub facility: String,
    /// Peak occupancy spared \[persons\] (`peak_occupancy`).
    pub peak_occupancy: PairedDiff,
    /// Days over capacity spared \[days\] (`days_over_capacity`).
    pub days_over_capacity: PairedDiff,
    /// Detainee-days over capacity spared \[detainee-days\]
    /// (`excess_detainee_days`).
    pub excess_detainee_days: PairedDiff,
    /// The answer as a sentence.
    pub text: Phrase,
}

/// `without − with` from the comparison's `with − without`.
fn spared(d: Option<&PairedDiff>) -> PairedDiff {
    let neg = |x: Option<f64>| x.map(|x| if x == 0.0 { 0.0 } else { -x });
    match d {
        Some(d) => PairedDiff {
            n: d.n,
            mean: neg(d.mean),
            sd: d.sd,
            ci95_low: neg(d.ci95_high),
            ci95_high: neg(d.ci95_low),
        },
        None => PairedDiff::from_differences(&[]),
    }
}

/// Adds `MEAN UNIT (95% CI LOW to HIGH)`.
fn say_diff(p: &mut Phrase, d: &PairedDiff, unit: &str) {
    let Some(mean) = d.mean else {
        p.push("no value");
        return;
    };
    let width = match (d.ci95_low, d.ci95_high) {
        (Some(l), Some(h)) => h - l,
        _ => 0.0,
    };
    let show = |x: f64| crate::report::format::with_spread(x, width);
    p.num(mean, show(mean));
    p.push(unit);
    if let (Some(l), Some(h)) = (d.ci95_low, d.ci95_high) {
        p.push(" (95% CI ");
        p.num(l, show(l));
        p.push(" to ");
        p.num(h, show(h));
        p.push(")");
    }
}

impl Relief {
    /// Runs `scenario` and the same scenario with repatriation switched
    /// off, on the seed and replications of `runs`, and pairs them.
    ///
    /// # Errors
    ///
    /// As [`crate::decide::compare()`]: [`Error::Scenario`] for an
    /// invalid scenario, [`Error::Threads`] for no worker threads,
    /// [`Error::Decide`] for more replications than can be kept.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::report::answers::Relief;
    /// use custody_sim::{Runs, presets};
    ///
    /// let mut s = presets::baseline();
    /// s.horizon_days = 200;
    /// let r = Relief::new(&s, &Runs { replications: 4, seed: 1, threads: 0 })?;
    /// // The baseline repatriates some groups: those are switched off.
    /// assert!(r.switched_off.iter().all(|p| p.ends_with("].repatriation.probability")));
    /// assert!(!r.switched_off.is_empty());
    /// assert_eq!(r.facilities.len(), s.facilities.len());
    /// assert!(r.facilities[0].text.text().starts_with("Repatriation spares "));
    /// assert_eq!(r.facilities[0].peak_occupancy.n, 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(scenario: &Scenario, runs: &Runs) -> Result<Relief, Error> {
        let mut off = scenario.clone();
        let mut switched_off = Vec::new();
        for (i, g) in scenario.groups.iter().enumerate() {
            if g.repatriation.probability > 0.0 {
                let path = format!("group[{i}].repatriation.probability");
                off = off.with_param(&path, "0")?;
                switched_off.push(path);
            }
        }
        let mut names = Vec::new();
        for f in &scenario.facilities {
            for k in [
                "peak_occupancy",
                "days_over_capacity",
                "excess_detainee_days",
            ] {
                names.push(format!("facility.{}.{k}", f.name));
            }
        }
        let metrics: Vec<&str> = names.iter().map(String::as_str).collect();
        let c = crate::decide::compare(
            &[
                ("without repatriation".to_string(), off),
                ("as given".to_string(), scenario.clone()),
            ],
            &metrics,
            runs,
        )?;
        let diff = |name: &str| {
            spared(
                c.metric(name)
                    .and_then(|r| r.entries.get(1))
                    .and_then(|e| e.diff.as_ref()),
            )
        };
        let facilities = scenario
            .facilities
            .iter()
            .map(|f| {
                let key = |k: &str| format!("facility.{}.{k}", f.name);
                let peak_occupancy = diff(&key("peak_occupancy"));
                let days_over_capacity = diff(&key("days_over_capacity"));
                let excess_detainee_days = diff(&key("excess_detainee_days"));
                let mut p = Phrase::default();
                p.push(format!("Repatriation spares {} ", f.name));
                say_diff(&mut p, &peak_occupancy, " persons at its peak");
                p.push(" and ");
                say_diff(&mut p, &days_over_capacity, " days over capacity");
                p.push(" (paired with the same runs without repatriation).");
                FacilityRelief {
                    facility: f.name.clone(),
                    peak_occupancy,
                    days_over_capacity,
                    excess_detainee_days,
                    text: p,
                }
            })
            .collect();
        Ok(Relief {
            switched_off,
            facilities,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i16, m: i8, day: i8) -> jiff::civil::Date {
        jiff::civil::date(y, m, day)
    }

    #[test]
    fn date_ranges_share_what_their_ends_share() {
        assert_eq!(date_range(d(2026, 2, 9), d(2026, 2, 11)), "9–11 Feb 2026");
        assert_eq!(
            date_range(d(2026, 1, 28), d(2026, 2, 3)),
            "28 Jan–3 Feb 2026"
        );
        assert_eq!(
            date_range(d(2026, 12, 30), d(2027, 1, 2)),
            "30 Dec 2026–2 Jan 2027"
        );
        assert_eq!(date_range(d(2026, 2, 9), d(2026, 2, 9)), "9 Feb 2026");
    }

    #[test]
    fn a_queue_clears_on_the_first_zero_after_its_highest_day() {
        let day0 = Day0::parse("2026-01-21");
        // Highest on day 3; 0 again on day 5 (a 0 before the peak does not count).
        assert_eq!(
            Clears::of(Some(&[0.0, 2.0, 5.0, 1.0, 0.0, 0.0]), day0),
            Clears::Date {
                day: 5,
                date: "2026-01-25".into()
            }
        );
        assert_eq!(Clears::of(Some(&[0.0, 0.0]), day0), Clears::NoQueue);
        assert_eq!(Clears::of(None, day0), Clears::NoQueue);
        assert_eq!(
            Clears::of(Some(&[1.0, 3.0, 2.0]), day0),
            Clears::NotWithinHorizon
        );
    }

    #[test]
    fn a_band_is_fixed_only_when_every_run_agrees() {
        let same = MetricStats::from_values(&[5.0, 5.0, 5.0]);
        assert!(Band::of(Some(&same), 3).fixed_by_scenario);
        // Not every run had a value, or one run only: not known to be fixed.
        assert!(!Band::of(Some(&same), 4).fixed_by_scenario);
        let one = MetricStats::from_values(&[5.0]);
        assert!(!Band::of(Some(&one), 1).fixed_by_scenario);
        let mut p = Phrase::default();
        Band::of(Some(&MetricStats::from_values(&[1.0, 1.0])), 2).say(&mut p, thousands, " days");
        assert!(p.text().starts_with("1 day,"), "{}", p.text());
        let spread = MetricStats::from_values(&[4.0, 5.0, 6.0]);
        let b = Band::of(Some(&spread), 3);
        assert!(!b.fixed_by_scenario);
        let mut p = Phrase::default();
        b.say(&mut p, thousands, " days");
        assert_eq!(p.text(), "5 days (90% of runs: 4–6)");
        let mut p = Phrase::default();
        Band::of(Some(&same), 3).say(&mut p, thousands, " days");
        assert_eq!(
            p.text(),
            "5 days, the same in every run (fixed by the scenario)"
        );
    }

    #[test]
    fn relief_is_without_minus_with() {
        let with_minus_without = PairedDiff::from_differences(&[-3.0, -5.0, -4.0]);
        let s = spared(Some(&with_minus_without));
        assert_eq!(s.mean, Some(4.0));
        assert!(s.ci95_low.unwrap() < 4.0 && s.ci95_high.unwrap() > 4.0);
        assert_eq!(s.ci95_low, with_minus_without.ci95_high.map(|x| -x));
        assert_eq!(spared(None).mean, None);
    }
}
