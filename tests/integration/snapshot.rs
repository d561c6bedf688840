//! Golden snapshots of a small run's JSON: every number of a
//! 20-replication run over 21 days, as `custody-sim run` writes it, of the
//! version 2 baseline (frozen as `fixtures/baseline-v2.toml`, so that its
//! numbers stay checkable byte for byte) and of the bundled baseline. A
//! change of any number (or of the document's shape) between versions
//! shows here as a diff to review and accept with `cargo insta review`
//! (or `INSTA_UPDATE=always cargo test --release snapshot`), never
//! silently.

use std::process::Command;

/// The version 2 baseline, as it was bundled before version 3: the same
/// file, byte for byte.
pub(crate) const BASELINE_V2: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/integration/fixtures/baseline-v2.toml"
);

/// `custody-sim run tests/integration/fixtures/baseline-v2.toml -n 20
/// --seed 1 --set horizon_days=21 --json -`.
pub(crate) const ARGS: [&str; 10] = [
    "run",
    BASELINE_V2,
    "-n",
    "20",
    "--seed",
    "1",
    "--set",
    "horizon_days=21",
    "--json",
    "-",
];

/// The same run of the bundled baseline (version 3).
const ARGS_V3: [&str; 10] = [
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

/// The JSON `custody-sim` writes for `args`.
fn json_of(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_custody-sim"))
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn small_run_json() {
    let text = json_of(&ARGS);
    insta::with_settings!({
        description => "custody-sim run baseline -n 20 --seed 1 --set horizon_days=21 --json -",
        omit_expression => true,
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("baseline_n20_h21", text);
    });
}

#[test]
fn small_run_json_of_the_v3_baseline() {
    let text = json_of(&ARGS_V3);
    insta::with_settings!({
        description => format!("custody-sim {}", ARGS_V3.join(" ")),
        omit_expression => true,
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("baseline_v3_n20_h21", text);
    });
}
