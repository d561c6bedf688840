//! Observations that are bounds (`kind` `at_least` / `at_most`): parsing,
//! the backtest's share of replications meeting a bound against a recount
//! of the replications, and the rule that calls a bound consistent.

use custody_sim::calibrate::{
    BOUND_CONSISTENT_SHARE, ObservationKind, Observations, backtest, backtest_fans,
};
use custody_sim::{Plan, presets};

fn error_of(text: &str) -> String {
    Observations::from_csv_str(text, "obs.csv", &presets::plan_2026_01())
        .unwrap_err()
        .to_string()
}

#[test]
fn the_kind_column_is_read_strictly() {
    let s = presets::plan_2026_01();
    let o = Observations::from_csv_str(
        "date,series,value,kind\n3,in_syria,1,\n4,in_syria,2,value\n5,in_syria,3,at_least\n6,in_syria,4,at_most\n",
        "obs.csv",
        &s,
    )
    .unwrap();
    let kinds: Vec<_> = o.rows().iter().map(|r| r.kind).collect();
    use ObservationKind::*;
    assert_eq!(kinds, [Value, Value, AtLeast, AtMost]);
    // The CSV text round-trips, with a kind column since there are bounds.
    let text = o.to_csv_string();
    assert!(text.starts_with("date,series,value,sd,kind\n"), "{text}");
    assert_eq!(Observations::from_csv_str(&text, "again", &s).unwrap(), o);
    // Without bounds, the text is what it was (no kind column).
    let plain = Observations::from_csv_str("date,series,value\n3,in_syria,1\n", "p", &s).unwrap();
    assert_eq!(
        plain.to_csv_string(),
        "date,series,value,sd\n2026-01-24,in_syria,1,\n"
    );
    // An unknown kind names the line, the column and the value.
    let e = error_of("date,series,value,kind\n3,in_syria,1,value\n4,in_syria,1,above\n");
    for needle in [
        "obs.csv, line 3",
        "column kind",
        "\"above\"",
        "at_least",
        "at_most",
    ] {
        assert!(e.contains(needle), "{needle} not in {e}");
    }
    // Case matters: the spellings are exact.
    assert!(error_of("date,series,value,kind\n3,in_syria,1,AT_LEAST\n").contains("AT_LEAST"));
}

/// A bound row's share is the share of the replications (recounted here
/// from the model's own runs) meeting it: exactly 1 for a bound at the
/// smallest (at least) or largest (at most) replication, 0 past them, and
/// the recounted share at the median. Consistency is the share against
/// 0.05.
#[test]
fn a_bound_rows_share_is_the_share_of_replications_meeting_it() {
    let s = presets::plan_2026_01();
    let n = 60;
    let plan = Plan::new(&s).unwrap();
    let outs: Vec<_> = (0..n).map(|i| plan.replicate(4, i)).collect();
    let at = |d: usize| -> Vec<f64> {
        outs.iter()
            .map(|o| f64::from(o.series("transferred_cumulative").unwrap()[d]))
            .collect()
    };
    let day12 = at(12);
    let mut sorted = day12.clone();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted[n as usize / 2];
    let (lo, hi) = (sorted[0], sorted[n as usize - 1]);
    let text = format!(
        "date,series,value,kind\n11,transferred_cumulative,{lo},at_least\n11,transferred_cumulative,{},at_least\n11,transferred_cumulative,{hi},at_most\n11,transferred_cumulative,{},at_most\n11,transferred_cumulative,{mid},at_least\n11,transferred_cumulative,{mid},at_most\n11,transferred_cumulative,{mid},value\n11,transferred_cumulative,1e9,at_least\n",
        hi + 1.0,
        lo - 1.0,
    );
    let o = Observations::from_csv_str(&text, "b", &s).unwrap();
    let b = backtest(&s, &o, n, 4, 2).unwrap();
    let shares: Vec<f64> = b.rows.iter().filter_map(|r| r.share_meeting).collect();
    let count = |f: &dyn Fn(f64) -> bool| day12.iter().filter(|&&x| f(x)).count() as f64 / n as f64;
    assert_eq!(
        shares,
        [
            1.0,
            0.0,
            1.0,
            0.0,
            count(&|x| x >= mid),
            count(&|x| x <= mid),
            0.0
        ]
    );
    let consistent: Vec<Option<bool>> = b.rows.iter().map(|r| r.consistent).collect();
    assert_eq!(
        consistent,
        [
            Some(true),
            Some(false),
            Some(true),
            Some(false),
            Some(true),
            Some(true),
            None,
            Some(false)
        ]
    );
    // An unmet bound is not consistent; the summary counts them.
    assert_eq!((b.bounds_consistent, b.bounds), (Some(4), Some(7)));
    // Coverage, interval score and CRPS are over the one value row.
    let v = &b.rows[6];
    assert!(v.share_meeting.is_none() && v.interval_score.is_finite());
    assert_eq!(b.coverage, if v.inside { 1.0 } else { 0.0 });
    assert_eq!(b.mean_interval_score, v.interval_score);
    // A bound row's band is the day's band, its interval score not scored.
    assert!(
        b.rows
            .iter()
            .filter(|r| !r.kind.is_value())
            .all(|r| r.interval_score.is_nan() && !r.inside)
    );
    // The fans' backtest scores the bounds the same way.
    let f = backtest_fans(&s, &o, n, 4, 1).unwrap();
    assert_eq!(
        serde_json::to_string(&f.backtest).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    // The JSON of a bound row names its kind, share and verdict; a value
    // row has none of them.
    let j: serde_json::Value = serde_json::to_value(&b).unwrap();
    assert_eq!(j["rows"][0]["kind"], "at_least");
    assert_eq!(j["rows"][0]["consistent"], true);
    assert!(j["rows"][0]["interval_score"].is_null());
    assert!(j["rows"][6].get("kind").is_none() && j["rows"][6].get("share_meeting").is_none());
    assert_eq!(j["bounds_consistent"], 4);
}

/// The threshold: with 20 replications, a bound one of them meets has
/// share 0.05, consistent; none, 0, not. Only bound rows: the totals are
/// NaN (no value rows), not 0.
#[test]
fn a_bound_is_consistent_from_a_share_of_five_percent() {
    let s = presets::plan_2026_01();
    let n = 20;
    let plan = Plan::new(&s).unwrap();
    let mut x: Vec<f64> = (0..n)
        .map(|i| {
            f64::from(
                plan.replicate(8, i)
                    .series("transferred_cumulative")
                    .unwrap()[12],
            )
        })
        .collect();
    x.sort_by(f64::total_cmp);
    // The largest value, if it is unique, is met by one replication.
    assert!(x[19] > x[18], "ties at the top: {x:?}");
    let text = format!(
        "date,series,value,kind\n11,transferred_cumulative,{},at_least\n11,transferred_cumulative,{},at_least\n",
        x[19],
        x[19] + 0.5
    );
    let o = Observations::from_csv_str(&text, "b", &s).unwrap();
    let b = backtest(&s, &o, n, 8, 1).unwrap();
    assert_eq!(b.rows[0].share_meeting, Some(BOUND_CONSISTENT_SHARE));
    assert_eq!(b.rows[0].consistent, Some(true));
    assert_eq!(b.rows[1].share_meeting, Some(0.0));
    assert_eq!(b.rows[1].consistent, Some(false));
    assert!(b.coverage.is_nan() && b.crps.is_nan() && b.mean_interval_score.is_nan());
}
