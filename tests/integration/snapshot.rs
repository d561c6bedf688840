//! Golden snapshot of a small run's JSON: every number of a 20-replication
//! run of the bundled baseline over 21 days, as `custody-sim run` writes
//! it. A change of any number (or of the document's shape) between
//! versions shows here as a diff to review and accept with
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test --release
//! snapshot`), never silently.

use std::process::Command;

/// `custody-sim run baseline -n 20 --seed 1 --set horizon_days=21 --json -`.
pub(crate) const ARGS: [&str; 10] = [
    "run",
    "baseline",
    "-n",
    "20",
    "--seed",
    "1",
    "--set",
    "horizon_days=21",
    "--json",
    "-",
];

#[test]
fn small_run_json() {
    let out = Command::new(env!("CARGO_BIN_EXE_custody-sim"))
        .args(ARGS)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    insta::with_settings!({
        description => format!("custody-sim {}", ARGS.join(" ")),
        omit_expression => true,
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("baseline_n20_h21", text);
    });
}
