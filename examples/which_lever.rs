//! Example: which lever matters most for Karkh's overcrowding?
//!
//! Karkh took every detainee brought from Syria in early 2026, far past
//! its 4,000 beds. Of the levers Baghdad and its partners hold (the beds
//! Karkh has, the trial panels that move convicted detainees on, the share
//! of the Moroccan and the Syrian detainees their states take back), which one
//! moves the number of days Karkh spends over capacity most, and how much
//! of its uncertainty does each explain?
//!
//! It demonstrates in particular:
//! - the levers as the scenario's own `[uncertainty]` table, turned into
//!   the parameters of the analysis by [`uncertain_params`] (what
//!   `custody-sim sensitivity SCENARIO --metric NAME` does without
//!   `--param`);
//! - variance-based indices and a tornado in one call ([`sensitivity`]):
//!   the first-order index is the share of the metric's variance a lever
//!   explains alone, the total index what it explains with its
//!   interactions (the model's own noise is in neither numerator, see
//!   `custody_sim::decide::sobol`); the tornado's swing is the metric at a
//!   lever's 95th percentile minus at its 5th, others at their medians,
//!   with a paired 95% interval.
//!
//! Run it with `cargo run --release --example which_lever`; the same from
//! the command line, with charts: write the scenario with the table below
//! and run `custody-sim sensitivity FILE --metric
//! facility.Karkh.days_over_capacity --plots charts`.

use custody_sim::decide::{Estimate, SobolIndex, SobolOptions, sensitivity, uncertain_params};
use custody_sim::scenario::Uncertainty;
use custody_sim::{Dist, presets};

const METRIC: &str = "facility.Karkh.days_over_capacity";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The levers replace the baseline's own `[uncertainty]` (its ranges and
    // its calibrated posterior): every other value is the file's.
    let mut scenario = presets::baseline();
    scenario.uncertainty = Some(Uncertainty::new([
        ("facility[Karkh].capacity", Dist::uniform_int(3000, 6000)),
        ("court.stage[trial].servers", Dist::uniform_int(10, 40)),
        (
            "group[Moroccan].repatriation.probability",
            Dist::uniform(0.2, 0.8),
        ),
        (
            "group[Syrian].repatriation.probability",
            Dist::uniform(0.0, 0.3),
        ),
    ]));
    let params = uncertain_params(&scenario)?;

    let opts = SobolOptions {
        base_samples: 128,
        bootstrap: 500,
        seed: 1,
        ..SobolOptions::default()
    };
    let r = sensitivity(&scenario, &params, &[METRIC], &opts, 30)?;
    let m = &r.metrics[0];
    println!(
        "{METRIC}: Sobol indices from {} replications ({} base samples); tornado on 30 replications per end",
        r.evaluations, opts.base_samples
    );
    println!(
        "{:<46} {:>22} {:>22} {:>14} {:>28}",
        "lever", "first order [95%]", "total [95%]", "5th -> 95th", "swing in days [95%]"
    );
    let show = |e: &Estimate| {
        format!(
            "{:.3} [{:.3}, {:.3}]",
            e.estimate.unwrap_or(f64::NAN),
            e.ci95_low.unwrap_or(f64::NAN),
            e.ci95_high.unwrap_or(f64::NAN)
        )
    };
    let mut ranked: Vec<&SobolIndex> = m.indices.iter().collect();
    let total = |i: &SobolIndex| i.total.estimate.unwrap_or(0.0);
    ranked.sort_by(|a, b| total(b).total_cmp(&total(a)));
    for ix in &ranked {
        println!(
            "{:<46} {:>22} {:>22} {:>14} {:>28}",
            ix.path,
            show(&ix.first_order),
            show(&ix.total),
            format!(
                "{} -> {}",
                ix.low_value.unwrap_or(f64::NAN),
                ix.high_value.unwrap_or(f64::NAN)
            ),
            show(&ix.swing.ok_or("no swing")?)
        );
    }

    // The answer: the lever with the largest total index.
    let top = ranked[0];
    println!("\nthe lever that matters most: {}", top.path);

    // Sanity: indices are shares of variance; the top lever explains a
    // clearly positive share, and its tornado swing is clear of zero (more
    // beds, fewer days over capacity).
    for ix in &m.indices {
        for e in [&ix.first_order, &ix.total] {
            let x = e.estimate.ok_or("undefined index")?;
            assert!(
                (-0.2..=1.3).contains(&x),
                "{}: index {x} is not a share",
                ix.path
            );
        }
    }
    assert!(top.total.ci95_low.ok_or("no interval")? > 0.0);
    let swing = top.swing.ok_or("no swing")?;
    assert!(
        swing.ci95_high.ok_or("no interval")? < 0.0,
        "the top lever's swing is clear of zero"
    );
    Ok(())
}
