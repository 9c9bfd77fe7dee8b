//! Every fuzz target as an ordinary bounded test: the checked-in seed
//! corpus (`fuzz/seeds/<target>/`), then fresh inputs from a fixed seed so
//! CI sees the same inputs every run. `WASMPROOF_FUZZ_TEST_INPUTS=<n>`
//! overrides how many fresh inputs each target gets.

use std::path::{Path, PathBuf};

use wasmproof_fuzz::diff::Verdict;
use wasmproof_fuzz::rng::SplitMix64;
use wasmproof_fuzz::targets;

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("seed corpus {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty seed corpus {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, data)
        })
        .collect()
}

fn fresh_inputs(default: usize) -> usize {
    std::env::var("WASMPROOF_FUZZ_TEST_INPUTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Inputs of varied lengths (wasm-smith's module size follows the input's).
fn random_inputs(seed: u64, n: usize) -> impl Iterator<Item = Vec<u8>> {
    let mut rng = SplitMix64::new(seed);
    (0..n).map(move |_| {
        let len = 64 + (rng.next_u64() % 4096) as usize;
        rng.bytes(len)
    })
}

#[test]
fn differential_seed_corpus() {
    for (path, data) in seeds("differential") {
        eprintln!("{}", path.display());
        targets::differential(&data);
    }
}

#[test]
fn differential_fresh_inputs() {
    if targets::peers_for(wasmparser::WasmFeatures::WASM1).len() < 2 {
        eprintln!("one strategy and no wasmi (feature `wasmi` off): nothing to compare");
        return;
    }
    let n = fresh_inputs(4000);
    let (mut agree, mut no_verdict, mut calls) = (0, 0, 0);
    for data in random_inputs(0x6469_6666, n) {
        match targets::differential_verdict(&data) {
            Verdict::Agree { calls: c } => {
                agree += 1;
                calls += c;
            }
            Verdict::NoVerdict(_) => no_verdict += 1,
            Verdict::Diverged(d) => {
                let saved = wasmproof_fuzz::repro::save(&d, &data);
                panic!("{d}\n{saved}");
            }
        }
    }
    eprintln!(
        "differential: {n} inputs, {agree} agreed ({calls} calls compared), {no_verdict} without verdict"
    );
    // The comparison must not be vacuous: most modules reach a verdict.
    assert!(
        agree * 2 >= n,
        "only {agree} of {n} inputs reached a verdict"
    );
}

#[test]
fn compile_seed_corpus() {
    for (path, data) in seeds("compile") {
        eprintln!("{}", path.display());
        targets::compile(&data);
    }
}

#[test]
fn compile_fresh_inputs() {
    let n = fresh_inputs(2000);
    // Raw bytes, and the seeds with a few bytes flipped (closer to valid).
    for data in random_inputs(0x636f_6d70, n / 2) {
        targets::compile(&data);
    }
    let seeds = seeds("compile");
    let mut rng = SplitMix64::new(0x666c_6970);
    for i in 0..n - n / 2 {
        let mut data = seeds[i % seeds.len()].1.clone();
        if !data.is_empty() {
            for _ in 0..1 + rng.next_u64() % 4 {
                let at = (rng.next_u64() % data.len() as u64) as usize;
                data[at] ^= 1 << (rng.next_u64() % 8);
            }
        }
        targets::compile(&data);
    }
}

#[test]
fn instantiate_seed_corpus() {
    for (path, data) in seeds("instantiate") {
        eprintln!("{}", path.display());
        targets::instantiate(&data);
    }
}

#[test]
fn instantiate_fresh_inputs() {
    for data in random_inputs(0x696e_7374, fresh_inputs(2000)) {
        targets::instantiate(&data);
    }
}

/// Rewrites the seed corpus (`cargo test -p wasmproof-fuzz --test targets --
/// --ignored regenerate_seed_corpus`): a few raw inputs for the generator
/// targets, a few wasm-smith modules plus a truncated one and a text module
/// for `compile`. Deterministic.
#[test]
#[ignore = "writes fuzz/seeds/; run by hand"]
fn regenerate_seed_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    for (target, seed) in [("differential", 1u64), ("instantiate", 2)] {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        for (i, data) in random_inputs(seed, 4).enumerate() {
            std::fs::write(dir.join(format!("seed-{i}")), data).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let dir = root.join("compile");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let opts = wasmproof_fuzz::generate::GenOptions::default();
    let mut last = Vec::new();
    for (i, data) in random_inputs(3, 4).enumerate() {
        let mut u = arbitrary::Unstructured::new(&data);
        if let Ok(g) = wasmproof_fuzz::generate::generate(&mut u, &opts) {
            std::fs::write(dir.join(format!("smith-{i}.wasm")), &g.wasm)
                .unwrap_or_else(|e| panic!("{e}"));
            last = g.wasm;
        }
    }
    let cut = last.len() / 2;
    std::fs::write(dir.join("truncated.wasm"), &last[..cut]).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("text.wat"),
        "(module (memory (export \"m\") 1 2) (func (export \"f\") (param i32) (result i32)\n  \
         local.get 0 i32.const 1 i32.sub))\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// A longer campaign that does not stop at the first divergence: counts
/// verdicts and writes a reproducer for every divergence
/// (`WASMPROOF_FUZZ_TEST_INPUTS=<n>`, default 100,000; seed from
/// `WASMPROOF_FUZZ_SEED`). Prints a summary; fails if anything diverged.
#[test]
#[ignore = "a campaign: minutes"]
fn differential_campaign() {
    let n = fresh_inputs(100_000);
    let seed = std::env::var("WASMPROOF_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_0002);
    let (mut agree, mut no_verdict, mut diverged) = (0, 0, 0);
    for (i, data) in random_inputs(seed, n).enumerate() {
        match targets::differential_verdict(&data) {
            Verdict::Agree { .. } => agree += 1,
            Verdict::NoVerdict(_) => no_verdict += 1,
            Verdict::Diverged(d) => {
                diverged += 1;
                println!(
                    "input #{i}: {d}\n{}",
                    wasmproof_fuzz::repro::save(&d, &data)
                );
            }
        }
    }
    println!(
        "campaign: {n} inputs, {agree} agreed, {no_verdict} without verdict, {diverged} diverged"
    );
    assert_eq!(diverged, 0);
}
