//! Replays a reproducer written by the differential fuzzer:
//!
//! ```text
//! cargo run -p wasmproof-fuzz --example replay -- fuzz/artifacts/differential/divergence-….wasm
//! cargo run -p wasmproof-fuzz --example replay -- some-fuzz-input      # a raw libFuzzer input
//! ```
//!
//! A `.wasm` is run with the call sequence, limits and peers of the `.json`
//! beside it (if there is none: every export once with zero arguments, on
//! the default peers), printing every peer's outcome of every step. Any
//! other file is taken as a raw input of the `differential` target. Exits
//! with 1 on a divergence.

use std::path::PathBuf;
use std::process::ExitCode;

use wasmproof_fuzz::diff::{self, Plan, Trace, Verdict};
use wasmproof_fuzz::peer::{Limits, Peer};
use wasmproof_fuzz::{repro, targets};

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: replay <reproducer.wasm | raw fuzz input>");
        return ExitCode::from(2);
    };
    let verdict = if path.extension().is_some_and(|e| e == "wasm") {
        match replay_wasm(&path) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    } else {
        match std::fs::read(&path) {
            Ok(data) => targets::differential_verdict(&data),
            Err(e) => {
                eprintln!("cannot read {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    };
    match verdict {
        Verdict::Diverged(d) => {
            println!("{d}");
            ExitCode::from(1)
        }
        Verdict::Agree { calls } => {
            println!("all peers agree ({calls} calls compared)");
            ExitCode::SUCCESS
        }
        Verdict::NoVerdict(why) => {
            println!("no verdict: {why}");
            ExitCode::SUCCESS
        }
    }
}

fn replay_wasm(path: &std::path::Path) -> Result<Verdict, String> {
    let (wasm, recorded) = repro::load(path)?;
    let (peers, limits) = match &recorded {
        Some(d) => {
            let mut peers = Vec::new();
            for name in &d.peers {
                match Peer::from_name(name) {
                    Some(p) => peers.push(p),
                    None => eprintln!("peer `{name}` is not in this build; left out"),
                }
            }
            (peers, d.limits)
        }
        None => {
            let features =
                wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
                    .validate_all(&wasm)
                    .map_err(|e| format!("{}: {e}", path.display()))
                    .map(|_| {
                        wasmproof_fuzz::proposals::supported_proposals(
                            wasmproof_fuzz::proposals::REFERENCE,
                        )
                    })?;
            (targets::peers_for(features), Limits::default())
        }
    };
    let plan = match &recorded {
        Some(d) => d.plan.clone(),
        None => match diff::compile_exports(&wasm, &peers, &limits) {
            Ok(exports) => Plan::zeros(&exports),
            Err(v) => return Ok(v),
        },
    };
    println!(
        "peers: {}",
        peers.iter().map(Peer::name).collect::<Vec<_>>().join(", ")
    );
    let mut trace = Trace::new();
    let verdict = diff::run_traced(&wasm, &peers, &limits, &plan, Some(&mut trace));
    for (step, row) in &trace {
        println!("{step}");
        for (peer, outcome) in row {
            println!("  {peer:>24}: {outcome}");
        }
    }
    Ok(verdict)
}
