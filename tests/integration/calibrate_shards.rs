//! A calibration run as shards of each batch (`calibrate --shard K/N`,
//! `merge --state-out`) gives the one-machine posterior bit for bit, and
//! shards or states that do not belong together are refused, saying why.

use custody_sim::Scenario;
use custody_sim::calibrate::{
    Abc, AbcShard, AbcState, Observations, Posterior, Prior, Scales, StopRule, abc, abc_resume,
    abc_shard,
};

use crate::cli::{Scratch, expect, stderr};
use crate::fixtures::convoys_of_one;

/// Convoys of one detainee at exponential intervals, an ample pool, 12
/// days: a simulation takes microseconds.
fn scenario() -> Scenario {
    convoys_of_one("convoys", 12)
}

const OBSERVED: &str =
    "date,series,value\n5,transferred_cumulative,14\n11,transferred_cumulative,25\n";

const PRIORS: [&str; 2] = [
    r#"transfer.phase[0].interval_days.mean={dist="uniform",low=0.1,high=2}"#,
    r#"transfer.phase[0].convoy_size.value={dist="uniform_int",low=1,high=3}"#,
];

fn priors() -> Vec<Prior> {
    PRIORS.iter().map(|p| Prior::parse(p).unwrap()).collect()
}

fn observations(s: &Scenario) -> Observations {
    Observations::from_csv_str(OBSERVED, "observed", s).unwrap()
}

/// Runs the calibration in `n` shards per batch, each batch's slices
/// merged in reverse order, the state written and read back between
/// batches; gives the posterior and the number of batches.
fn sharded(s: &Scenario, fit: &Abc, n: u64, dir: &Scratch) -> (Posterior, usize) {
    let (obs, priors) = (observations(s), priors());
    let mut state = AbcState::start(s, &obs, &priors, fit).unwrap();
    let mut rounds = 0;
    while state.pending().is_some() {
        let mut parts: Vec<AbcShard> = (0..n)
            .map(|k| abc_shard(s, &obs, &priors, fit, &state, k, n).unwrap())
            .collect();
        let mut merged = parts.pop().unwrap();
        while let Some(p) = parts.pop() {
            merged.merge(p).unwrap();
        }
        assert!(merged.is_complete());
        state = merged.advance(&state).unwrap();
        let file = dir.path(&format!("state-{n}-{rounds}.json"));
        state.write(&file).unwrap();
        state = AbcState::read(&file).unwrap();
        rounds += 1;
        assert!(rounds < 200, "the schedule does not stop");
    }
    assert!(state.is_finished());
    (state.posterior().unwrap(), rounds)
}

/// 1, 2 and 3 shards per batch give the posterior of one process, bit for
/// bit, whichever rule stops the schedule: the tolerance schedule down to
/// the minimum acceptance rate with `sd` scales, and a budget that runs
/// out during a generation with adaptive scales (estimated from generation
/// 0's simulations, which the shards carry).
#[test]
fn one_two_or_three_shards_per_batch_give_the_one_process_posterior() {
    let dir = Scratch::new("abc-shards");
    let s = scenario();
    let (obs, priors) = (observations(&s), priors());
    let fits = [
        Abc {
            particles: 60,
            max_simulations: 20_000,
            max_generations: 5,
            seed: 5,
            threads: 2,
            ..Abc::default()
        },
        Abc {
            particles: 40,
            max_simulations: 100,
            seed: 9,
            threads: 1,
            scales: Scales::Adaptive,
            ..Abc::default()
        },
    ];
    let mut rules = Vec::new();
    for fit in &fits {
        let one = abc(&s, &obs, &priors, fit, None).unwrap();
        rules.push(one.stop_rule);
        for n in 1..=3 {
            let (post, rounds) = sharded(&s, fit, n, &dir);
            assert_eq!(post, one, "{n} shards per batch, {fit:?}");
            // Several generations, each at least one batch.
            assert!(rounds >= one.generations.len(), "{rounds} batches");
        }
    }
    assert_eq!(
        rules,
        [StopRule::MaxGenerations, StopRule::BudgetExhausted],
        "the fits should stop by different rules"
    );
}

/// A state under way, continued on one machine ([`abc_resume`]), gives
/// the one-process posterior too.
#[test]
fn a_state_under_way_resumes_to_the_one_process_posterior() {
    let s = scenario();
    let (obs, priors) = (observations(&s), priors());
    let fit = Abc {
        particles: 50,
        max_simulations: 2000,
        seed: 11,
        threads: 2,
        ..Abc::default()
    };
    let one = abc(&s, &obs, &priors, &fit, None).unwrap();
    let mut state = AbcState::start(&s, &obs, &priors, &fit).unwrap();
    for _ in 0..3 {
        let part = abc_shard(&s, &obs, &priors, &fit, &state, 0, 1).unwrap();
        state = part.advance(&state).unwrap();
    }
    assert!(!state.is_finished());
    assert_eq!(
        abc_resume(&s, &obs, &priors, &fit, &state, None).unwrap(),
        one
    );
    // A state that has not finished has no posterior yet.
    let e = state.posterior().unwrap_err().to_string();
    assert!(e.contains("has not finished"), "{e}");
}

/// Shards of another seed, batch or state, overlapping shards, a missing
/// slice and a state of another scenario are refused, each saying what
/// differs and the values.
#[test]
fn shards_and_states_that_do_not_belong_together_are_refused() {
    let s = scenario();
    let (obs, priors) = (observations(&s), priors());
    let fit = Abc {
        particles: 30,
        max_simulations: 1000,
        seed: 5,
        threads: 1,
        ..Abc::default()
    };
    let state = AbcState::start(&s, &obs, &priors, &fit).unwrap();
    let part = |state: &AbcState, fit: &Abc, k| abc_shard(&s, &obs, &priors, fit, state, k, 3);
    // Another seed.
    let other = Abc { seed: 6, ..fit };
    let mut a = part(&state, &fit, 0).unwrap();
    let e = a
        .merge(
            part(
                &AbcState::start(&s, &obs, &priors, &other).unwrap(),
                &other,
                1,
            )
            .unwrap(),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("seed is 6") && e.contains("5"), "{e}");
    // Overlap.
    let e = a
        .merge(part(&state, &fit, 0).unwrap())
        .unwrap_err()
        .to_string();
    assert!(e.contains("overlap") && e.contains("0..10"), "{e}");
    // A missing slice: 30 attempts, slices 0..10, 10..20, 20..30.
    a.merge(part(&state, &fit, 2).unwrap()).unwrap();
    let e = a.advance(&state).unwrap_err().to_string();
    assert!(
        e.contains("do not cover") && e.contains("0..10, 20..30") && e.contains("generation 0"),
        "{e}"
    );
    // Another batch (generation): a shard of the next state.
    a.merge(part(&state, &fit, 1).unwrap()).unwrap();
    let next = a.advance(&state).unwrap();
    let mut later = part(&next, &fit, 0).unwrap();
    let e = later
        .merge(part(&state, &fit, 1).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("another batch") && e.contains("generation 1"),
        "{e}"
    );
    // Shards of a later state do not continue the first one.
    let mut later = part(&next, &fit, 0).unwrap();
    later.merge(part(&next, &fit, 1).unwrap()).unwrap();
    later.merge(part(&next, &fit, 2).unwrap()).unwrap();
    let e = later.advance(&state).unwrap_err().to_string();
    assert!(e.contains("SHA-256") && e.contains(&next.sha256()), "{e}");
    // A state of another scenario, or other settings.
    let longer = s.with_param("horizon_days", "20").unwrap();
    let e = abc_shard(&longer, &obs, &priors, &fit, &state, 0, 2)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("scenario (SHA-256)") && e.contains("convoys"),
        "{e}"
    );
    let e = abc_shard(
        &s,
        &obs,
        &priors,
        &Abc {
            particles: 31,
            ..fit
        },
        &state,
        0,
        2,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("particles is 30") && e.contains("31"), "{e}");
    // A slice past the count.
    assert!(abc_shard(&s, &obs, &priors, &fit, &state, 3, 3).is_err());
}

/// The command line: `calibrate --shard K/N` and `merge --state-out` in
/// rounds until the state says `"finished":true`, then `calibrate
/// --state` writes the CSV and JSON of the unsharded calibrate, byte for
/// byte; shards and states that do not belong together exit 1 naming the
/// file and what differs, a merge without `--state-out` exits 2.
#[test]
fn calibration_shards_on_the_command_line_give_the_unsharded_files() {
    let dir = Scratch::new("abc-shards-cli");
    let scen = dir.arg("convoys.toml");
    std::fs::write(&scen, scenario().to_toml_string()).unwrap();
    let obs = dir.arg("observed.csv");
    std::fs::write(&obs, OBSERVED).unwrap();
    let base = |seed: &'static str| {
        let mut v: Vec<String> = [
            "calibrate",
            scen.as_str(),
            "--observed",
            obs.as_str(),
            "--prior",
            PRIORS[0],
            "--prior",
            PRIORS[1],
            "--particles",
            "40",
            "--max-simulations",
            "1500",
            "--seed",
            seed,
            "-n",
            "30",
            "--quiet",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        v.push("--adaptive-scales".into());
        v
    };
    let run = |code: i32, args: &[String]| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        expect(code, &a)
    };
    let with = |mut v: Vec<String>, extra: &[&str]| {
        v.extend(extra.iter().map(|x| x.to_string()));
        v
    };
    let (ref_csv, ref_json) = (dir.arg("ref.csv"), dir.arg("ref.json"));
    run(
        0,
        &with(base("3"), &["--out", &ref_csv, "--json", &ref_json]),
    );

    let n = 3;
    let mut state: Option<String> = None;
    let mut round = 0;
    let mut first_parts = Vec::new();
    loop {
        let mut parts = Vec::new();
        for k in 1..=n {
            let out = dir.arg(&format!("part-{round}-{k}.json"));
            let slice = format!("{k}/{n}");
            let threads = k.to_string();
            let mut args = with(
                base("3"),
                &["--shard", &slice, "--out", &out, "--threads", &threads],
            );
            if let Some(st) = &state {
                args = with(args, &["--state", st]);
            }
            run(0, &args);
            parts.push(out);
        }
        let next = dir.arg(&format!("state-{round}.json"));
        let mut args: Vec<String> = vec!["merge".into()];
        args.extend(parts.iter().rev().cloned());
        if let Some(st) = &state {
            args = with(args, &["--state", st]);
        }
        run(0, &with(args, &["--state-out", &next, "--quiet"]));
        if round == 0 {
            first_parts = parts;
        }
        round += 1;
        assert!(round < 100, "the schedule does not stop");
        let finished = std::fs::read_to_string(&next)
            .unwrap()
            .contains("\"finished\":true");
        state = Some(next);
        if finished {
            break;
        }
    }
    assert!(round >= 3, "{round} rounds");
    let st = state.unwrap();
    let (csv, json) = (dir.arg("sharded.csv"), dir.arg("sharded.json"));
    run(
        0,
        &with(base("3"), &["--state", &st, "--out", &csv, "--json", &json]),
    );
    assert_eq!(
        std::fs::read(&csv).unwrap(),
        std::fs::read(&ref_csv).unwrap()
    );
    assert_eq!(
        std::fs::read(&json).unwrap(),
        std::fs::read(&ref_json).unwrap()
    );

    // Refusals. A missing slice (two of three of the first batch).
    let out = dir.arg("x.json");
    let o = expect(
        1,
        &[
            "merge",
            &first_parts[0],
            &first_parts[1],
            "--state-out",
            &out,
        ],
    );
    assert!(
        stderr(&o).contains("do not cover") && stderr(&o).contains("a slice K/N is missing"),
        "{}",
        stderr(&o)
    );
    // A shard of another seed among them: named, with both seeds.
    let foreign = dir.arg("foreign.json");
    run(0, &with(base("4"), &["--shard", "3/3", "--out", &foreign]));
    let o = expect(
        1,
        &[
            "merge",
            &first_parts[0],
            &first_parts[1],
            &foreign,
            "--state-out",
            &out,
        ],
    );
    let e = stderr(&o);
    assert!(
        e.contains(&foreign) && e.contains("seed is 4") && e.contains("3"),
        "{e}"
    );
    // A state the command does not match: named, with the seed.
    let state0 = dir.arg("state-0.json");
    let o = run(
        1,
        &with(
            base("4"),
            &["--shard", "1/3", "--state", &state0, "--out", &out],
        ),
    );
    let e = stderr(&o);
    assert!(
        e.contains(&state0) && e.contains("seed is 3") && e.contains("4"),
        "{e}"
    );
    // Shards of round 1 merged onto the final state: named, by checksum.
    let round1: Vec<String> = (1..=n)
        .map(|k| dir.arg(&format!("part-1-{k}.json")))
        .collect();
    let o = expect(
        1,
        &[
            "merge",
            &round1[0],
            &round1[1],
            &round1[2],
            "--state",
            &st,
            "--state-out",
            &out,
        ],
    );
    let e = stderr(&o);
    assert!(e.contains(&st) && e.contains("SHA-256"), "{e}");
    // The first state's shards need no --state; later ones do (exit 2),
    // and a merge of calibration shards needs --state-out (exit 2).
    let o = expect(
        2,
        &[
            "merge",
            &round1[0],
            &round1[1],
            &round1[2],
            "--state-out",
            &out,
        ],
    );
    assert!(stderr(&o).contains("--state"), "{}", stderr(&o));
    let o = expect(2, &["merge", &first_parts[0], "--json", "-"]);
    assert!(stderr(&o).contains("--state-out"), "{}", stderr(&o));
    // A finished state has nothing to shard.
    let o = run(
        1,
        &with(
            base("3"),
            &["--shard", "1/2", "--state", &st, "--out", &out],
        ),
    );
    assert!(stderr(&o).contains("has finished"), "{}", stderr(&o));
    assert!(!std::path::Path::new(&out).exists());
}
