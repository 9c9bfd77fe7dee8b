//! Throughput of the `differential` target on one core, on modules of about
//! 1,000 instructions. A measurement, not an assertion:
//!
//! ```text
//! cargo test -p wasmproof-fuzz --profile ci --test bench -- --ignored --nocapture
//! ```

use std::time::{Duration, Instant};

use wasmproof_fuzz::diff::Verdict;
use wasmproof_fuzz::generate::{GenOptions, count_instructions, generate};
use wasmproof_fuzz::rng::SplitMix64;
use wasmproof_fuzz::targets;

#[test]
#[ignore = "a benchmark: prints execs/s"]
fn differential_execs_per_second() {
    // Inputs whose module has 700..=1300 instructions.
    let mut rng = SplitMix64::new(0x6265_6e63);
    let mut inputs = Vec::new();
    let mut instructions = 0;
    while inputs.len() < 200 {
        let len = 2048 + (rng.next_u64() % 8192) as usize;
        let data = rng.bytes(len);
        let mut u = arbitrary::Unstructured::new(&data);
        let Ok(g) = generate(&mut u, &GenOptions::default()) else {
            continue;
        };
        let n = count_instructions(&g.wasm);
        if (700..=1300).contains(&n) {
            instructions += n;
            inputs.push(data);
        }
    }
    let budget = Duration::from_secs(
        std::env::var("BENCH_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10),
    );
    let start = Instant::now();
    let (mut execs, mut agree, mut calls) = (0u64, 0u64, 0usize);
    while start.elapsed() < budget {
        for data in &inputs {
            match targets::differential_verdict(data) {
                Verdict::Agree { calls: c } => {
                    agree += 1;
                    calls += c;
                }
                Verdict::NoVerdict(_) => {}
                Verdict::Diverged(d) => panic!("{d}"),
            }
            execs += 1;
            if start.elapsed() >= budget {
                break;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "differential: {:.0} execs/s on one core ({execs} execs in {secs:.1} s; modules of {} \
         instructions on average; {agree} agreed, {calls} calls compared; peers: {})",
        execs as f64 / secs,
        instructions / inputs.len(),
        targets::peers_for(wasmparser::WasmFeatures::WASM1)
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(", ")
    );
}
