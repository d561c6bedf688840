//! Arbitrary byte edits of valid shard files (a run's and a sweep's): each
//! edited file is refused with an error, or reads back to exactly the
//! shard written (an edit of white space, say), which then merges with its
//! complement as the original does.

#![no_main]

use std::sync::OnceLock;

use custody_sim::montecarlo::{ShardFile, read_shard_file, run_shard};
use custody_sim::sweep::{Vary, sweep_shard};
use custody_sim::montecarlo::Runs;
use custody_sim::Scenario;
use libfuzzer_sys::fuzz_target;

const BASE: &str = include_str!("../seeds/small.toml");

struct Originals {
    run: Vec<u8>,
    run_shard: ShardFile,
    sweep: Vec<u8>,
    sweep_shard: ShardFile,
}

fn originals() -> &'static Originals {
    static O: OnceLock<Originals> = OnceLock::new();
    O.get_or_init(|| {
        let s = Scenario::from_toml_str(BASE)
            .unwrap()
            .with_param("horizon_days", "5")
            .unwrap();
        let dir = std::env::temp_dir().join(format!("custody-sim-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = run_shard(&s, 1, 0..2).unwrap();
        let pa = dir.join("run.json");
        a.write(&pa).unwrap();
        let runs = Runs { replications: 2, seed: 1, threads: 1 };
        let vary = [Vary::new("court.stage[trial].servers", [1, 3])];
        let w = sweep_shard(&s, &vary, &runs, 0, 1, None).unwrap();
        let pw = dir.join("sweep.json");
        w.write(&pw).unwrap();
        Originals {
            run: std::fs::read(&pa).unwrap(),
            run_shard: read_shard_file(&pa).unwrap(),
            sweep: std::fs::read(&pw).unwrap(),
            sweep_shard: read_shard_file(&pw).unwrap(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let o = originals();
    let Some((&which, edits)) = data.split_first() else {
        return;
    };
    let (bytes, original) = if which % 2 == 0 {
        (&o.run, &o.run_shard)
    } else {
        (&o.sweep, &o.sweep_shard)
    };
    let mut bytes = bytes.clone();
    // Edits: (position: 3 bytes, operation: 1 byte, value: 1 byte).
    for e in edits.chunks_exact(5) {
        let pos = (usize::from(e[0]) << 16 | usize::from(e[1]) << 8 | usize::from(e[2]))
            % (bytes.len() + 1);
        match e[3] % 3 {
            0 if pos < bytes.len() => bytes[pos] = e[4],
            1 => bytes.insert(pos, e[4]),
            _ if pos < bytes.len() => {
                bytes.remove(pos);
            }
            _ => {}
        }
    }
    let path = std::env::temp_dir().join(format!("custody-sim-fuzz-{}-edit.json", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    if let Ok(read) = read_shard_file(&path) {
        assert_eq!(&read, original, "an edited shard file was accepted with other data");
    }
});
