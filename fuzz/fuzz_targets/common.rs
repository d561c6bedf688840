//! Pieces shared by the structure-aware targets of the fit and decide
//! surfaces (`uncertain_and_observe`, `decide_args`): numbers of any size
//! as text, `dist` tables, parameter paths, and the switch that prints
//! each input's decoded arguments.

#![allow(dead_code)]

use std::sync::OnceLock;

use custody_sim::Scenario;
use libfuzzer_sys::arbitrary::{Result, Unstructured};

/// The small scenario using every feature (as in `tests/integration/inputs.rs`).
pub const SMALL: &str = include_str!("../seeds/small.toml");

/// Whether to print each input's decoded arguments to stderr (set
/// `CUSTODY_SIM_FUZZ_SHOW` when replaying an artifact).
pub fn show() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CUSTODY_SIM_FUZZ_SHOW").is_some())
}

/// Parameter paths for `[uncertainty]`, priors, sensitivity parameters and
/// levers: most valid in the small scenario, two spellings of one
/// parameter, paths that hold no number, and paths that do not exist.
pub const PATHS: &[&str] = &[
    "court.stage[0].servers",
    "court.stage[investigation].servers",
    "court.stage[1].servers",
    "court.stage[trial].servers",
    "horizon_days",
    "start_date",
    "court.conviction_probability",
    "transfer.escape.escape_probability",
    "transfer.escape.incident_rate_per_day",
    "transfer.weekly_cap",
    "transfer.transit_days.low",
    "transfer.phase[0].interval_days.value",
    "transfer.phase[1].interval_days.mean",
    "transfer.phase[1].from",
    "transfer.pauses[0].to",
    "facility[0].capacity",
    "facility[Nasiriyah].capacity",
    "facility[1].initial_occupancy",
    "group[0].count",
    "group[Western].count",
    "group[1].repatriation.probability",
    "group[1].repatriation.earliest_day",
    "custody.mortality_per_year",
    // Not numbers, or not there.
    "name",
    "allocation.policy",
    "transfer.phase[0].interval_days",
    "court.stage[9].servers",
    "court.stage[-1].servers",
    "court.stage[trial].servers.x",
    "facility[Kut].capacity",
    "court.stage[trial].servers ",
    " court.stage[ 0 ].servers",
    "posterior",
    "weight",
    "uncertainty.court.conviction_probability",
    "nope",
    "",
];

/// Priors that mostly parse and fit the small scenario.
pub const GOOD_PRIORS: &[&str] = &[
    "court.conviction_probability={dist=\"uniform\",low=0.5,high=1}",
    "court.stage[trial].servers={dist=\"uniform_int\",low=1,high=5}",
    "court.stage[0].servers={dist=\"uniform_int\",low=1,high=40}",
    "transfer.phase[0].interval_days.value={dist=\"uniform\",low=1,high=6}",
    "transfer.escape.escape_probability={dist=\"uniform\",low=0,high=0.1}",
    "transfer.phase[1].interval_days.mean=1/{dist=\"gamma\",mean=2,sd=1}",
    "horizon_days={dist=\"uniform_int\",low=5,high=60}",
    "group[0].count={dist=\"uniform_int\",low=0,high=400}",
];

/// A number as TOML writes it.
pub fn float(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{x:?}")
    }
}

/// Numbers at the edges: zero, subnormals, the largest finite, ±∞, NaN.
pub const EDGES: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    2.0,
    1e-320,
    5e-324,
    f64::MIN_POSITIVE,
    1e-9,
    1e9,
    1e15,
    1e300,
    1e308,
    f64::MAX,
    -1e308,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

/// A number: mostly small and plausible, sometimes an edge or anything.
pub fn number(u: &mut Unstructured) -> Result<f64> {
    Ok(match u.int_in_range(0..=6)? {
        0 => u.arbitrary()?,
        1 => *u.choose(EDGES)?,
        2 => f64::from(u.int_in_range(0..=20u32)?),
        3 => f64::from(u.int_in_range(0..=500u32)?),
        4 => f64::from(u.int_in_range(0..=4000u32)?) / 16.0,
        5 => f64::from(u.int_in_range(0..=1000u32)?) / 1000.0,
        _ => -f64::from(u.int_in_range(0..=10u32)?),
    })
}

/// An integer for `uniform_int` bounds and counts.
pub fn integer(u: &mut Unstructured) -> Result<i64> {
    Ok(match u.int_in_range(0..=3)? {
        0 => u.arbitrary()?,
        1 => *u.choose(&[0, -1, 1, i64::MAX, i64::MIN, 1 << 53, 4_000_000_000])?,
        2 => i64::from(u.int_in_range(0..=60u32)?),
        _ => i64::from(u.int_in_range(0..=1000u32)?),
    })
}

/// A `dist` table in TOML inline form; sometimes zero-width (`low ==
/// high`), sometimes with a key missing or a kind that does not exist.
pub fn dist(u: &mut Unstructured) -> Result<String> {
    let a = number(u)?;
    let b = if u.ratio(1, 4)? { a } else { number(u)? };
    let c = number(u)?;
    let (a, b, c) = (float(a), float(b), float(c));
    Ok(match u.int_in_range(0..=9)? {
        0 => format!("{{ dist = \"fixed\", value = {a} }}"),
        1 => format!("{{ dist = \"exponential\", mean = {a} }}"),
        2 => format!("{{ dist = \"uniform\", low = {a}, high = {b} }}"),
        3 => {
            let lo = integer(u)?;
            let hi = if u.ratio(1, 4)? { lo } else { integer(u)? };
            format!("{{ dist = \"uniform_int\", low = {lo}, high = {hi} }}")
        }
        4 => format!("{{ dist = \"triangular\", low = {a}, mode = {b}, high = {c} }}"),
        5 => format!("{{ dist = \"lognormal\", mean = {a}, sd = {b} }}"),
        6 => format!("{{ dist = \"gamma\", mean = {a}, sd = {b} }}"),
        7 => format!("{{ dist = \"poisson\", mean = {a} }}"),
        8 => format!("{{ dist = \"uniform\", low = {a} }}"),
        _ => format!("{{ dist = \"normal\", mean = {a}, sd = {b} }}"),
    })
}

/// A short string of arbitrary characters (control characters included).
pub fn text(u: &mut Unstructured, max: usize) -> Result<String> {
    let n = u.int_in_range(0..=max)?;
    let mut s = String::new();
    for _ in 0..n {
        s.push(u.arbitrary::<char>()?);
    }
    Ok(s)
}

/// The small scenario with its horizon cut to `horizon` days.
pub fn small(horizon: u32) -> Scenario {
    Scenario::from_toml_str(SMALL)
        .expect("the small seed scenario is valid")
        .with_param("horizon_days", &horizon.to_string())
        .expect("a shorter horizon keeps the small scenario valid")
}

/// Asserts every value of `metrics` is finite.
pub fn finite_metrics<'a>(what: &str, metrics: impl IntoIterator<Item = (&'a str, Option<f64>)>) {
    for (name, v) in metrics {
        if let Some(v) = v {
            assert!(v.is_finite(), "{what}: metric {name} = {v}");
        }
    }
}
