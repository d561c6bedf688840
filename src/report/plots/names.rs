//! Readable names of metrics for chart titles and axes: a metric's
//! identifier (`facility.Karkh.peak_occupancy_rate`) becomes words
//! (`Karkh: peak occupancy rate`), with its unit from the metric schema.

use crate::model::schema::metric_defs;

/// `name` in words, and its unit (`persons`, `days`, `ratio`, …) where
/// the schema has it: a metric of one facility, stage, group or sentence
/// reads `<entity>: <what>`; any other name has its `_` and `.` turned
/// into spaces and `: `.
pub(super) fn metric_words(name: &str) -> (String, Option<&'static str>) {
    for d in metric_defs() {
        let pattern = d.pattern;
        let Some(open) = pattern.find('<') else {
            if pattern == name {
                return (words(name), Some(d.unit));
            }
            continue;
        };
        let Some(close) = pattern[open..].find('>').map(|c| open + c + 1) else {
            continue;
        };
        let (prefix, suffix) = (&pattern[..open], &pattern[close..]);
        if name.len() > prefix.len() + suffix.len()
            && name.starts_with(prefix)
            && name.ends_with(suffix)
        {
            let entity = &name[prefix.len()..name.len() - suffix.len()];
            let what = words(suffix.trim_start_matches('.'));
            let what = if what.is_empty() {
                words(prefix.trim_end_matches('.'))
            } else {
                what
            };
            return (format!("{entity}: {what}"), Some(d.unit));
        }
    }
    (words(name), None)
}

/// `name` with `_` as spaces and `.` as `: `.
fn words(name: &str) -> String {
    name.replace('.', ": ").replace('_', " ")
}

/// `name` in words with its unit in brackets where it has one:
/// `Karkh: days over capacity [days]`.
pub(super) fn metric_with_unit(name: &str) -> String {
    match metric_words(name) {
        (w, Some(u)) => format!("{w} [{u}]"),
        (w, None) => w,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_read_as_words_with_units() {
        assert_eq!(
            metric_words("facility.Karkh.peak_occupancy_rate"),
            ("Karkh: peak occupancy rate".to_string(), Some("ratio"))
        );
        assert_eq!(
            metric_with_unit("facility.Kut Central.days_over_capacity"),
            "Kut Central: days over capacity [days]"
        );
        assert_eq!(
            metric_with_unit("mean_days_to_verdict"),
            "mean days to verdict [days]"
        );
        assert_eq!(
            metric_words("no.such_thing"),
            ("no: such thing".into(), None)
        );
    }
}
