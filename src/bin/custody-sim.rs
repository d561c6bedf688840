//! The custody-sim command line (being written).
fn main() {}
