//! The one metric schema: every metric and daily series the model reports,
//! with its name pattern, meaning, unit, scope and the condition under
//! which a scenario reports it.
//!
//! [`METRICS`] and [`SERIES`] are the only place that knows a name. A
//! [`Layout`](super::Layout) expands them for one scenario (one name per
//! group, facility, stage or sentence, in the table's order), and an
//! [`Outcome`](super::Outcome) reads each value through the same
//! [`Metric`] or [`Series`] key, so names and values cannot disagree.
//!
//! # Order
//!
//! The tables are lists of blocks. A block of global metrics gives one name
//! per entry; a block scoped per facility (say) gives, for each facility in
//! scenario order, one name per entry of the block:
//! `facility.A.peak_occupancy, facility.A.peak_occupancy_rate, …,
//! facility.B.peak_occupancy, …`. The order is a public contract (JSON and
//! CSV columns follow it); new metrics are only ever added.
//!
//! # Example: the names of one scenario and what they mean
//!
//! ```
//! use custody_sim::{presets, Plan};
//!
//! let plan = Plan::new(&presets::baseline())?;
//! let layout = plan.layout();
//! let i = layout.find_metric("facility.Nasiriyah.peak_occupancy")?;
//! assert_eq!(layout.metric_def(i).unit, "persons");
//! // A misspelled name is an error that lists the valid ones, closest first.
//! let err = layout.find_metric("transfered").unwrap_err().to_string();
//! assert!(err.contains("\"transferred\""), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::scenario::Scenario;

/// Which entities of a scenario a metric or series is reported for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scope {
    /// One value for the whole scenario.
    Global,
    /// One per `[[group]]`, in file order (`<group>` in the name).
    Group,
    /// One per `[[facility]]`, in file order (`<facility>`).
    Facility,
    /// One per `[[court.stage]]`, in file order (`<stage>`).
    Stage,
    /// One per `[[court.sentence]]`, in file order (`<sentence>`).
    Sentence,
}

impl Scope {
    /// The placeholder this scope puts in a name pattern (`""` for
    /// [`Scope::Global`]).
    pub fn placeholder(self) -> &'static str {
        match self {
            Scope::Global => "",
            Scope::Group => "<group>",
            Scope::Facility => "<facility>",
            Scope::Stage => "<stage>",
            Scope::Sentence => "<sentence>",
        }
    }

    /// How the docs table names the scope.
    fn word(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Group => "per group",
            Scope::Facility => "per facility",
            Scope::Stage => "per stage",
            Scope::Sentence => "per sentence",
        }
    }

    /// The names of this scope's entities in `s`, in file order.
    pub(crate) fn entities(self, s: &Scenario) -> Vec<&str> {
        match self {
            Scope::Global => vec![""],
            Scope::Group => s.groups.iter().map(|g| g.name.as_str()).collect(),
            Scope::Facility => s.facilities.iter().map(|f| f.name.as_str()).collect(),
            Scope::Stage => s.court.stages.iter().map(|st| st.name.as_str()).collect(),
            Scope::Sentence => s.court.sentences.iter().map(|x| x.name.as_str()).collect(),
        }
    }
}

/// When a scenario reports a metric or series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Condition {
    /// Always (0 when the rule behind it is unused).
    Always,
    /// Only when the scenario defines `[[court.sentence]]`.
    Sentences,
    /// Only when some facility has a `cost_per_detainee_day`.
    Cost,
    /// Only when some facility has an `overflow` rule (v3).
    Overflow,
    /// Only when the scenario has a `[[release]]` order (v3).
    ReleaseOrders,
    /// Only when some court stage has `other_cases` (rule 20, v3).
    OtherCases,
    /// Only when the court has an `[court.appeal]` (rule 22, v3).
    Appeal,
    /// Only when some group has a `deportation` (rule 24, v3).
    Deportation,
}

impl Condition {
    /// Whether scenario `s` reports it.
    pub fn holds(self, s: &Scenario) -> bool {
        match self {
            Condition::Always => true,
            Condition::Sentences => !s.court.sentences.is_empty(),
            Condition::Cost => s
                .facilities
                .iter()
                .any(|f| f.cost_per_detainee_day.is_some()),
            Condition::Overflow => s.facilities.iter().any(|f| f.overflow.is_some()),
            Condition::ReleaseOrders => !s.releases.is_empty(),
            Condition::OtherCases => s.court.stages.iter().any(|st| st.other_cases.is_some()),
            Condition::Appeal => s.court.appeal.is_some(),
            Condition::Deportation => s.groups.iter().any(|g| g.deportation.is_some()),
        }
    }

    /// How the docs table says it.
    fn words(self) -> &'static str {
        match self {
            Condition::Always => "always",
            Condition::Sentences => "when sentences are defined",
            Condition::Cost => "when a facility has a cost",
            Condition::Overflow => "when a facility has `overflow`",
            Condition::ReleaseOrders => "when there is a `[[release]]`",
            Condition::OtherCases => "when a stage has other cases",
            Condition::Appeal => "with an appeal",
            Condition::Deportation => "when a group has deportation",
        }
    }
}

/// A kind of metric: the key an outcome reads its value by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)] // each is documented by its row in `METRICS`
pub enum Metric {
    Transferred,
    TransferredGroup,
    LastArrivalDay,
    Escaped,
    RemainingInSyria,
    Repatriated,
    RepatriatedGroup,
    Released,
    Convicted,
    ConvictedGroup,
    AwaitingVerdict,
    PeakOccupancy,
    PeakOccupancyRate,
    DaysOverCapacity,
    FirstDayOverCapacity,
    StageCompleted,
    StageMeanWait,
    StagePeakQueue,
    MeanDaysToVerdict,
    MedianDaysToVerdict,
    StageQueueAtHorizon,
    Sentenced,
    ReleasedAfterSentence,
    Executed,
    DiedInCustody,
    Relocated,
    OccupancyAtHorizon,
    ExcessDetaineeDays,
    CustodyCost,
    TransferEndedDay,
    OverflowedOut,
    Overflowed,
    ReleasedByOrder,
    StageOtherCompleted,
    AppealCompleted,
    AppealMeanWait,
    AppealPeakQueue,
    AppealQueueAtHorizon,
    ReleasedOnAppeal,
    Deported,
    DeportedGroup,
    FirstDayBackUnder,
    /// `param.<path>`: the value an uncertain parameter (`[uncertainty]`)
    /// took in the replication; filled by the runner, not the model.
    Param,
}

/// A kind of daily series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)] // each is documented by its row in `SERIES`
pub enum Series {
    Occupancy,
    InCustody,
    InSyria,
    TransferredCumulative,
    Queue,
    AwaitingVerdict,
    ConvictedInCustody,
    RepatriatedCumulative,
    QueueOther,
    AppealQueue,
    AwaitingDeportation,
}

/// One row of the schema: a metric or series kind and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Def<K> {
    /// The key values are read by.
    pub key: K,
    /// Name pattern, with the scope's placeholder
    /// (`facility.<facility>.peak_occupancy`).
    pub pattern: &'static str,
    /// What it measures (markdown, one sentence or two).
    pub meaning: &'static str,
    /// Unit (`persons`, `days`, `day number`, `ratio`, `cases`, ...).
    pub unit: &'static str,
    /// Which entities it is reported for.
    pub scope: Scope,
    /// When a scenario reports it.
    pub condition: Condition,
    /// Whether it is a headline metric: one of the short list that
    /// `compare`, the HTML report's answers and the sweep charts lead
    /// with, and of the per-facility and per-stage rows of a sweep's table
    /// ([`headline_metrics`], [`is_headline`]). Always `false` for series.
    pub headline: bool,
}

impl<K> Def<K> {
    /// The name for entity `entity` (ignored for [`Scope::Global`]).
    pub fn name(&self, entity: &str) -> String {
        match self.scope {
            Scope::Global => self.pattern.to_string(),
            scope => self.pattern.replacen(scope.placeholder(), entity, 1),
        }
    }
}

/// A metric's row.
pub type MetricDef = Def<Metric>;
/// A daily series' row.
pub type SeriesDef = Def<Series>;

const fn m(
    key: Metric,
    pattern: &'static str,
    unit: &'static str,
    scope: Scope,
    meaning: &'static str,
) -> MetricDef {
    Def {
        key,
        pattern,
        meaning,
        unit,
        scope,
        condition: Condition::Always,
        headline: false,
    }
}

/// `d` marked as a headline metric.
const fn headline(mut d: MetricDef) -> MetricDef {
    d.headline = true;
    d
}

const fn only(mut d: MetricDef, condition: Condition) -> MetricDef {
    d.condition = condition;
    d
}

const fn s(
    key: Series,
    pattern: &'static str,
    unit: &'static str,
    scope: Scope,
    meaning: &'static str,
) -> SeriesDef {
    Def {
        key,
        pattern,
        meaning,
        unit,
        scope,
        condition: Condition::Always,
        headline: false,
    }
}

use Scope::{Facility, Global, Group, Sentence, Stage};

/// Every metric, in blocks, in report order (see the module docs). Taken at
/// the horizon unless said.
pub static METRICS: &[&[MetricDef]] = &[
    &[headline(m(
        Metric::Transferred,
        "transferred",
        "persons",
        Global,
        "arrived in Iraq",
    ))],
    &[m(
        Metric::TransferredGroup,
        "transferred.<group>",
        "persons",
        Group,
        "arrived in Iraq, of the group",
    )],
    &[
        m(
            Metric::LastArrivalDay,
            "last_arrival_day",
            "day number",
            Global,
            "time of the last arrival if at the horizon the pool is empty and nobody is in transit; otherwise horizon + 1 (a sentinel that enters the mean: read p5-p95 too); no value if nobody ever arrived",
        ),
        headline(m(
            Metric::Escaped,
            "escaped",
            "persons",
            Global,
            "escaped from the Syrian pool",
        )),
        headline(m(
            Metric::RemainingInSyria,
            "remaining_in_syria",
            "persons",
            Global,
            "still in the Syrian pool (transit not included)",
        )),
        headline(m(
            Metric::Repatriated,
            "repatriated",
            "persons",
            Global,
            "repatriated",
        )),
    ],
    &[m(
        Metric::RepatriatedGroup,
        "repatriated.<group>",
        "persons",
        Group,
        "repatriated, of the group",
    )],
    &[
        m(
            Metric::Released,
            "released",
            "persons",
            Global,
            "released at a verdict (acquitted)",
        ),
        headline(m(
            Metric::Convicted,
            "convicted",
            "persons",
            Global,
            "convicted (verdicts, whether or not they later left)",
        )),
    ],
    &[m(
        Metric::ConvictedGroup,
        "convicted.<group>",
        "persons",
        Group,
        "convicted, of the group",
    )],
    &[headline(m(
        Metric::AwaitingVerdict,
        "awaiting_verdict",
        "persons",
        Global,
        "in custody, in the court pipeline",
    ))],
    &[
        headline(m(
            Metric::PeakOccupancy,
            "facility.<facility>.peak_occupancy",
            "persons",
            Facility,
            "highest end-of-day occupancy (everyone inside)",
        )),
        m(
            Metric::PeakOccupancyRate,
            "facility.<facility>.peak_occupancy_rate",
            "ratio",
            Facility,
            "highest end-of-day occupancy / capacity that day (1.5 = 150%)",
        ),
        headline(m(
            Metric::DaysOverCapacity,
            "facility.<facility>.days_over_capacity",
            "days",
            Facility,
            "end-of-day records above capacity",
        )),
        m(
            Metric::FirstDayOverCapacity,
            "facility.<facility>.first_day_over_capacity",
            "day number",
            Facility,
            "first end-of-day record above capacity; horizon + 1 if none",
        ),
    ],
    &[
        m(
            Metric::StageCompleted,
            "stage.<stage>.completed",
            "cases",
            Stage,
            "cases that finished service",
        ),
        headline(m(
            Metric::StageMeanWait,
            "stage.<stage>.mean_wait_days",
            "days",
            Stage,
            "joining the queue to service start, over cases that started; no value if none did",
        )),
        headline(m(
            Metric::StagePeakQueue,
            "stage.<stage>.peak_queue",
            "cases",
            Stage,
            "highest end-of-day queue length (cases waiting, not in service)",
        )),
    ],
    &[
        headline(m(
            Metric::MeanDaysToVerdict,
            "mean_days_to_verdict",
            "days",
            Global,
            "mean time from arrival in Iraq to verdict, over verdicts given; no value if none",
        )),
        headline(m(
            Metric::MedianDaysToVerdict,
            "median_days_to_verdict",
            "days",
            Global,
            "median time from arrival in Iraq to verdict, over verdicts given; no value if none",
        )),
    ],
    // Version 2, after every version 1 metric.
    &[m(
        Metric::StageQueueAtHorizon,
        "stage.<stage>.queue_at_horizon",
        "cases",
        Stage,
        "cases waiting (not in service) after every event at the horizon",
    )],
    &[only(
        m(
            Metric::Sentenced,
            "sentenced.<sentence>",
            "persons",
            Sentence,
            "convictions with that sentence",
        ),
        Condition::Sentences,
    )],
    &[
        m(
            Metric::ReleasedAfterSentence,
            "released_after_sentence",
            "persons",
            Global,
            "left custody at the end of a sentence (exit `released`)",
        ),
        m(
            Metric::Executed,
            "executed",
            "persons",
            Global,
            "executed (exit `executed`)",
        ),
        m(
            Metric::DiedInCustody,
            "died_in_custody",
            "persons",
            Global,
            "transferees who died in custody (`custody.mortality_per_year`)",
        ),
        m(
            Metric::Relocated,
            "relocated",
            "persons",
            Global,
            "people moved by relocations (background inmates and transferees), counted as moved",
        ),
    ],
    &[
        m(
            Metric::OccupancyAtHorizon,
            "facility.<facility>.occupancy_at_horizon",
            "persons",
            Facility,
            "the last end-of-day occupancy (everyone inside)",
        ),
        m(
            Metric::ExcessDetaineeDays,
            "facility.<facility>.excess_detainee_days",
            "detainee-days",
            Facility,
            "sum over end-of-day records of occupancy above capacity (everyone inside)",
        ),
    ],
    &[only(
        m(
            Metric::CustodyCost,
            "custody_cost",
            "currency",
            Global,
            "sum over facilities and end-of-day records of occupancy × `cost_per_detainee_day` (everyone inside)",
        ),
        Condition::Cost,
    )],
    // Version 3, after every version 2 metric.
    &[m(
        Metric::TransferEndedDay,
        "transfer_ended_day",
        "day number",
        Global,
        "time of the last departure, when departures have stopped for good (the pool is empty, `target_total` reached or `until_day` passed); horizon + 1 otherwise (a sentinel that enters the mean: read p5-p95 too); no value if they stopped before any departure boarded anyone",
    )],
    // Version 3, capacity over time (rules 18 and 25).
    &[only(
        m(
            Metric::OverflowedOut,
            "facility.<facility>.overflowed_out",
            "persons",
            Facility,
            "people moved out of the facility by its `overflow` rule (0 without one)",
        ),
        Condition::Overflow,
    )],
    &[only(
        m(
            Metric::Overflowed,
            "overflowed",
            "persons",
            Global,
            "people moved by `overflow` rules, all facilities",
        ),
        Condition::Overflow,
    )],
    &[only(
        m(
            Metric::ReleasedByOrder,
            "released_by_order",
            "persons",
            Global,
            "transferees released by `[[release]]` orders (background inmates released so are not counted)",
        ),
        Condition::ReleaseOrders,
    )],
    // Version 3, the courts.
    &[only(
        m(
            Metric::StageOtherCompleted,
            "stage.<stage>.other_completed",
            "cases",
            Stage,
            "other court cases (`other_cases`, not transferees) that finished service at the stage",
        ),
        Condition::OtherCases,
    )],
    &[
        only(
            m(
                Metric::AppealCompleted,
                "appeal.completed",
                "cases",
                Global,
                "appeal reviews that ended (the conviction reversed or final)",
            ),
            Condition::Appeal,
        ),
        only(
            m(
                Metric::AppealMeanWait,
                "appeal.mean_wait_days",
                "days",
                Global,
                "joining the appeal queue (at the verdict) to the start of the review, over reviews started; no value if none did",
            ),
            Condition::Appeal,
        ),
        only(
            m(
                Metric::AppealPeakQueue,
                "appeal.peak_queue",
                "cases",
                Global,
                "highest end-of-day appeal queue (convictions waiting for review, not in review)",
            ),
            Condition::Appeal,
        ),
        only(
            m(
                Metric::AppealQueueAtHorizon,
                "appeal.queue_at_horizon",
                "cases",
                Global,
                "convictions waiting for review (not in review) after every event at the horizon",
            ),
            Condition::Appeal,
        ),
        only(
            m(
                Metric::ReleasedOnAppeal,
                "released_on_appeal",
                "persons",
                Global,
                "convictions reversed on appeal (the detainee released; also counted in `convicted`)",
            ),
            Condition::Appeal,
        ),
    ],
    &[only(
        m(
            Metric::Deported,
            "deported",
            "persons",
            Global,
            "released by the court (at the verdict, on appeal or after a sentence) and then deported after the group's delay",
        ),
        Condition::Deportation,
    )],
    &[only(
        m(
            Metric::DeportedGroup,
            "deported.<group>",
            "persons",
            Group,
            "deported, of the group",
        ),
        Condition::Deportation,
    )],
    // Version 3, the capacity answers.
    &[m(
        Metric::FirstDayBackUnder,
        "facility.<facility>.first_day_back_under",
        "day number",
        Facility,
        "first end-of-day record after the day of the peak occupancy rate (the first record that reached it) at which occupancy is at or below that day's beds; horizon + 1 if it stays over (a sentinel that enters the mean: read p5-p95 too); no value in a replication where the facility is never over capacity",
    )],
];

/// Every daily series, in blocks, in report order. One value per day
/// 1..=horizon, recorded at the end of the day after every event of that
/// day.
pub static SERIES: &[&[SeriesDef]] = &[
    &[s(
        Series::Occupancy,
        "occupancy.<facility>",
        "persons",
        Facility,
        "persons held (everyone inside, the initial population included)",
    )],
    &[
        s(
            Series::InCustody,
            "in_custody",
            "persons",
            Global,
            "transferees in Iraqi custody (awaiting a verdict or convicted); the people already inside are not counted, so this is not the sum of `occupancy.*`",
        ),
        s(
            Series::InSyria,
            "in_syria",
            "persons",
            Global,
            "detainees still in the Syrian pool (not in transit)",
        ),
        s(
            Series::TransferredCumulative,
            "transferred_cumulative",
            "persons",
            Global,
            "arrivals in Iraq so far",
        ),
    ],
    &[s(
        Series::Queue,
        "queue.<stage>",
        "cases",
        Stage,
        "cases waiting for the stage (not in service)",
    )],
    // Version 2.
    &[
        s(
            Series::AwaitingVerdict,
            "awaiting_verdict",
            "persons",
            Global,
            "transferees in custody awaiting a verdict (queued or in service)",
        ),
        s(
            Series::ConvictedInCustody,
            "convicted_in_custody",
            "persons",
            Global,
            "convicted transferees still in custody",
        ),
        s(
            Series::RepatriatedCumulative,
            "repatriated_cumulative",
            "persons",
            Global,
            "repatriations so far",
        ),
    ],
    // Version 3, the courts.
    &[Def {
        condition: Condition::OtherCases,
        ..s(
            Series::QueueOther,
            "queue_other.<stage>",
            "cases",
            Stage,
            "other court cases (not transferees) waiting for the stage (not in service)",
        )
    }],
    &[
        Def {
            condition: Condition::Appeal,
            ..s(
                Series::AppealQueue,
                "appeal_queue",
                "cases",
                Global,
                "convictions waiting for review by the appeal (not in review)",
            )
        },
        Def {
            condition: Condition::Deportation,
            ..s(
                Series::AwaitingDeportation,
                "awaiting_deportation",
                "persons",
                Global,
                "released by the court and awaiting deportation, in custody (also in `in_custody` and occupancy)",
            )
        },
    ],
];

/// Every metric row, in table order.
pub fn metric_defs() -> impl Iterator<Item = &'static MetricDef> {
    METRICS.iter().flat_map(|b| b.iter())
}

/// The names of the global headline metrics (those not of one facility,
/// stage, group or sentence), in report order: the default list of
/// `compare` and of the HTML report's answers.
///
/// # Example
///
/// ```
/// use custody_sim::model::schema::headline_metrics;
///
/// let h = headline_metrics();
/// assert_eq!(h.first(), Some(&"transferred"));
/// assert!(h.contains(&"mean_days_to_verdict"));
/// assert!(!h.contains(&"released"));
/// ```
pub fn headline_metrics() -> Vec<&'static str> {
    metric_defs()
        .filter(|d| d.headline && d.scope == Scope::Global)
        .map(|d| d.pattern)
        .collect()
}

/// Whether the metric named `name` (`escaped`,
/// `facility.Karkh.peak_occupancy`) is of a headline row of the schema.
///
/// # Example
///
/// ```
/// use custody_sim::model::schema::is_headline;
///
/// assert!(is_headline("facility.Karkh.days_over_capacity"));
/// assert!(!is_headline("facility.Karkh.peak_occupancy_rate"));
/// assert!(!is_headline("released"));
/// ```
pub fn is_headline(name: &str) -> bool {
    metric_defs().filter(|d| d.headline).any(|d| match d.scope {
        Scope::Global => d.pattern == name,
        scope => d
            .pattern
            .split_once(scope.placeholder())
            .is_some_and(|(pre, post)| {
                name.len() > pre.len() + post.len() && name.starts_with(pre) && name.ends_with(post)
            }),
    })
}

/// The schema row a metric name (`facility.Karkh.first_day_over_capacity`,
/// `transferred`) is of, or `None` for a name of no row (a `param.<path>`
/// metric, a misspelling). Where two patterns fit, the more specific
/// (longer fixed text) wins.
///
/// # Example
///
/// ```
/// use custody_sim::model::schema::metric_def_of;
///
/// let d = metric_def_of("facility.Karkh.first_day_over_capacity").unwrap();
/// assert_eq!(d.unit, "day number");
/// assert_eq!(metric_def_of("facility.Karkh.peak_occupancy_rate").unwrap().unit, "ratio");
/// assert!(metric_def_of("transfered").is_none());
/// ```
pub fn metric_def_of(name: &str) -> Option<&'static MetricDef> {
    metric_defs()
        .filter_map(|d| {
            let fixed = match d.scope {
                Scope::Global => (d.pattern == name).then_some(d.pattern.len())?,
                scope => {
                    let (pre, post) = d.pattern.split_once(scope.placeholder())?;
                    (name.len() > pre.len() + post.len()
                        && name.starts_with(pre)
                        && name.ends_with(post))
                    .then_some(pre.len() + post.len())?
                }
            };
            Some((fixed, d))
        })
        .max_by_key(|&(fixed, _)| fixed)
        .map(|(_, d)| d)
}

/// Every series row, in table order.
pub fn series_defs() -> impl Iterator<Item = &'static SeriesDef> {
    SERIES.iter().flat_map(|b| b.iter())
}

/// The names `blocks` give for scenario `s`, each with its row and entity
/// index, in report order.
pub(crate) fn expand<K: Copy + 'static>(
    blocks: &'static [&'static [Def<K>]],
    s: &Scenario,
) -> Vec<(String, &'static Def<K>, u32)> {
    let mut out = Vec::new();
    for block in blocks {
        let Some(first) = block.first() else { continue };
        let entities = first.scope.entities(s);
        for (e, name) in entities.iter().enumerate() {
            for def in block.iter().filter(|d| d.condition.holds(s)) {
                out.push((def.name(name), def, e as u32));
            }
        }
    }
    out
}

fn table<K: 'static>(rows: impl Iterator<Item = &'static Def<K>>, first: &str) -> String {
    let mut t = format!(
        "| {first} | meaning | unit | scope | reported |\n| --- | --- | --- | --- | --- |\n"
    );
    for d in rows {
        t.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            d.pattern,
            d.meaning,
            d.unit,
            d.scope.word(),
            d.condition.words()
        ));
    }
    t
}

/// The metric table for `docs/model.md`, in markdown.
pub fn metric_table_markdown() -> String {
    table(metric_defs(), "metric")
}

/// The daily series table for `docs/model.md`, in markdown.
pub fn series_table_markdown() -> String {
    table(series_defs(), "series")
}

/// Both tables, metrics then series, as `docs/model.md` holds them between
/// `<!-- metrics:begin -->` and `<!-- metrics:end -->`.
pub fn schema_markdown() -> String {
    format!(
        "\n{}\n{}\n",
        metric_table_markdown(),
        series_table_markdown()
    )
}

/// `name` is not among `valid`: the error lists the valid names, the
/// closest (by edit distance) first.
pub(crate) fn unknown(what: &'static str, name: &str, valid: &[String]) -> crate::error::Error {
    crate::error::Error::UnknownName {
        kind: what,
        name: name.to_string(),
        valid: closest_names(name, valid),
    }
}

/// `valid`, closest to `name` first (by edit distance; ties keep their
/// order): how an error about an unknown name lists the valid ones.
///
/// # Example
///
/// ```
/// use custody_sim::model::schema::closest_names;
///
/// let valid = ["escaped".to_string(), "transferred".to_string()];
/// assert_eq!(closest_names("transfered", &valid)[0], "transferred");
/// ```
pub fn closest_names(name: &str, valid: &[String]) -> Vec<String> {
    let mut v: Vec<(usize, &String)> = valid.iter().map(|c| (edit_distance(name, c), c)).collect();
    v.sort_by_key(|&(d, _)| d);
    v.into_iter().map(|(_, c)| c.clone()).collect()
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_share_one_scope_and_patterns_are_unique() {
        for blocks in [
            METRICS
                .iter()
                .map(|b| b.iter().map(|d| (d.scope, d.pattern)).collect::<Vec<_>>())
                .collect::<Vec<_>>(),
            SERIES
                .iter()
                .map(|b| b.iter().map(|d| (d.scope, d.pattern)).collect::<Vec<_>>())
                .collect(),
        ] {
            let mut seen = std::collections::HashSet::new();
            for b in &blocks {
                assert!(!b.is_empty());
                for &(scope, pattern) in b {
                    assert_eq!(scope, b[0].0, "{pattern}");
                    assert!(pattern.contains(scope.placeholder()), "{pattern}");
                    assert!(seen.insert(pattern), "{pattern} twice");
                }
            }
        }
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("transfered", "transferred"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
