//! Sweeps over list-valued parameters (`group=`, `facility=`,
//! `court.stage=`) whose cells have different metric layouts, and over two
//! spellings of one parameter: each sweep is an error or a result whose
//! paired differences pair metrics of the same name.

#![no_main]

use custody_sim::montecarlo::Runs;
use custody_sim::sweep::{Vary, sweep};
use custody_sim::Scenario;
use libfuzzer_sys::fuzz_target;

const BASE: &str = include_str!("../seeds/small.toml");

/// A TOML list of 1–3 items of one kind, shaped by `b`.
fn list(kind: u8, b: &[u8]) -> String {
    let n = 1 + usize::from(b.first().copied().unwrap_or(0) % 3);
    let items: Vec<String> = (0..n)
        .map(|i| {
            let x = u64::from(b.get(i + 1).copied().unwrap_or(7));
            let name = ["a", "b", "Nasiriyah", "trial", "Iraqi", "c d"][usize::from(x as u8 % 6)];
            let name = format!("{name}{}", if x > 200 { String::new() } else { i.to_string() });
            match kind % 3 {
                0 => format!("{{ name = {name:?}, count = {} }}", x % 60),
                1 => format!("{{ name = {name:?}, capacity = {} }}", x * 3),
                _ => format!(
                    "{{ name = {name:?}, servers = {}, service_days = {{ dist = \"fixed\", value = {} }} }}",
                    1 + x % 4,
                    x % 5
                ),
            }
        })
        .collect();
    format!("[{}]", items.join(", "))
}

fuzz_target!(|data: &[u8]| {
    let Ok(base) = Scenario::from_toml_str(BASE) else {
        return;
    };
    let Ok(base) = base.with_param("horizon_days", "20") else {
        return;
    };
    let mut vary = Vec::new();
    for chunk in data.chunks(8).take(3) {
        let kind = chunk[0];
        let path = match kind % 5 {
            0 => "group",
            1 => "facility",
            2 => "court.stage",
            3 => "court.stage[trial].servers",
            _ => "court.stage[1].servers",
        };
        let values = if kind % 5 >= 3 {
            vec![(1 + chunk.len() % 3).to_string(), "2".to_string()]
        } else {
            vec![list(kind, &chunk[1..]), list(kind, chunk.get(4..).unwrap_or(&[]))]
        };
        vary.push(Vary { path: path.to_string(), values });
    }
    let runs = Runs { replications: 2, seed: 3, threads: 1 };
    if let Ok(r) = sweep(&base, &vary, &runs) {
        let reference = &r.cells[0];
        for cell in &r.cells {
            for (name, d) in &cell.diff {
                assert!(cell.metric(name).is_some(), "a difference of a metric the cell lacks");
                assert!(reference.metric(name).is_some(), "a difference of a metric the reference lacks");
                assert!(d.n <= 2);
            }
        }
    }
});
