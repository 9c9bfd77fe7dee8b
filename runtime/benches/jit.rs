//! The C-program benchmark: each program of `benches/c/` is compiled with
//! clang-14 to wasm32-wasi, then run under every strategy of
//! `support::STRATEGIES` and under Wasmtime (PyPI `wasmtime`), all in the same
//! run. Prints, per program and strategy, the best `_start` time
//! and module compile time, ours and Wasmtime's, and their ratios; then the
//! geometric mean of the ratios per strategy. Outputs are compared too: a
//! program whose stdout or exit code differs from Wasmtime's fails the run.
//!
//! ```text
//! cargo bench -p wasmproof --bench jit -- [--runs N] [--only NAME[,NAME..]] [--scale small|full]
//! ```

mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use support::{Outcome, PROGRAMS, Program, STRATEGIES};

const USAGE: &str = "usage: cargo bench -p wasmproof --bench jit -- \
                     [--runs N] [--only NAME[,NAME..]] [--scale small|full]";

struct Options {
    runs: usize,
    only: Option<Vec<String>>,
    full: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut opts = Options {
        runs: 3,
        only: None,
        full: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        match arg.as_str() {
            // `cargo bench` passes `--bench` to every harness-less benchmark.
            "--bench" => {}
            "--runs" => {
                let v = value("--runs")?;
                opts.runs = match v.parse() {
                    Ok(n) if n > 0 => n,
                    _ => return Err(format!("--runs wants a positive number, not {v:?}")),
                };
            }
            "--only" => {
                let names: Vec<String> = value("--only")?.split(',').map(str::to_string).collect();
                if let Some(bad) = names.iter().find(|n| support::program(n).is_none()) {
                    let known: Vec<&str> = PROGRAMS.iter().map(|p| p.name).collect();
                    return Err(format!(
                        "--only: no program {bad:?} (known: {})",
                        known.join(", ")
                    ));
                }
                opts.only = Some(names);
            }
            "--scale" => {
                opts.full = match value("--scale")?.as_str() {
                    "full" => true,
                    "small" => false,
                    other => return Err(format!("--scale is small or full, not {other:?}")),
                };
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(opts)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The best (smallest) run and compile times of a set of runs: on a shared
/// machine, interference only ever adds time, so the minimum is the
/// steadiest estimate of a program's own cost.
struct Timing {
    run: Duration,
    compile: Duration,
}

impl Timing {
    fn of(outcomes: &[Outcome]) -> Timing {
        Timing {
            run: outcomes.iter().map(|o| o.run).min().unwrap_or_default(),
            compile: outcomes.iter().map(|o| o.compile).min().unwrap_or_default(),
        }
    }
}

/// Ratios (ours / Wasmtime) of one strategy, for the geometric means.
#[derive(Default)]
struct Ratios {
    run: Vec<f64>,
    compile: Vec<f64>,
}

fn geomean(xs: &[f64]) -> f64 {
    (xs.iter().map(|x| x.ln()).sum::<f64>() / xs.len() as f64).exp()
}

fn same_result(ours: &Outcome, peer: &Outcome) -> bool {
    ours.stdout == peer.stdout && ours.exit_code == peer.exit_code
}

/// Benchmarks one program; returns whether every strategy ran it and
/// printed what Wasmtime printed. A strategy that fails or differs gets a
/// row saying so and no ratio (a wrong run's time means nothing); the other
/// strategies and programs still run.
fn bench_program(
    p: &Program,
    wasm: &Path,
    opts: &Options,
    ratios: &mut [Ratios],
) -> Result<bool, String> {
    let args = if opts.full { p.full } else { p.small };

    let peer_dir = wasm.with_extension("wasmtime-out");
    let peer_runs = support::run_wasmtime(wasm, args, opts.runs, &peer_dir)?;
    let peer = Timing::of(&peer_runs);
    let mut all_ok = true;
    for (i, &strategy) in STRATEGIES.iter().enumerate() {
        let runs = match (0..opts.runs)
            .map(|_| support::run_wasmproof(strategy, wasm, args))
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(runs) => runs,
            Err(e) => {
                println!(
                    "{:<8} {:<12} FAILED (details on stderr)",
                    p.name,
                    strategy.name()
                );
                eprintln!("{e}");
                all_ok = false;
                continue;
            }
        };
        let ours = Timing::of(&runs);
        let (run_ratio, compile_ratio) = (
            ours.run.as_secs_f64() / peer.run.as_secs_f64(),
            ours.compile.as_secs_f64() / peer.compile.as_secs_f64(),
        );
        let matches = same_result(&runs[0], &peer_runs[0]);
        println!(
            "{:<8} {:<12} {:>11.2} {:>11.2} {:>9.1}x {:>11.2} {:>11.2} {:>9.3}x{}",
            p.name,
            strategy.name(),
            ms(ours.run),
            ms(peer.run),
            run_ratio,
            ms(ours.compile),
            ms(peer.compile),
            compile_ratio,
            if matches {
                ""
            } else {
                "  OUTPUT DIFFERS FROM WASMTIME"
            },
        );
        if matches {
            ratios[i].run.push(run_ratio);
            ratios[i].compile.push(compile_ratio);
        } else {
            all_ok = false;
            eprintln!(
                "{} under {}: exit {} stdout:\n{}\nWasmtime: exit {} stdout:\n{}",
                p.name,
                strategy.name(),
                runs[0].exit_code,
                runs[0].stdout,
                peer_runs[0].exit_code,
                peer_runs[0].stdout
            );
        }
    }
    Ok(all_ok)
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("jit bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let selected: Vec<&Program> = PROGRAMS
        .iter()
        .filter(|p| {
            opts.only
                .as_ref()
                .is_none_or(|o| o.iter().any(|n| n == p.name))
        })
        .collect();
    // A missing tool is reported before any output: compile everything first.
    let dir = support::scratch_dir();
    let compiled = support::require_wasmtime().and_then(|()| {
        selected
            .iter()
            .map(|p| support::compile_c(p.name, &dir))
            .collect::<Result<Vec<PathBuf>, String>>()
    });
    let wasms = match compiled {
        Ok(w) => w,
        Err(e) => {
            eprintln!("jit bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "C programs (clang-14 -O2, wasm32-wasi), {} scale, best of {} run(s); \
         run = the _start call, compile = building the module",
        if opts.full { "full" } else { "small" },
        opts.runs
    );
    println!(
        "{:<8} {:<12} {:>11} {:>11} {:>10} {:>11} {:>11} {:>10}",
        "program", "strategy", "run ms", "wasmtime", "ratio", "compile ms", "wasmtime", "ratio"
    );
    let mut ratios: Vec<Ratios> = STRATEGIES.iter().map(|_| Ratios::default()).collect();
    let mut all_match = true;
    let programs = selected.len();
    for (p, wasm) in selected.iter().zip(&wasms) {
        match bench_program(p, wasm, &opts, &mut ratios) {
            Ok(matched) => all_match &= matched,
            Err(e) => {
                eprintln!("jit bench: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    for (strategy, r) in STRATEGIES.iter().zip(&ratios) {
        if r.run.is_empty() {
            println!(
                "{:<8} {:<12} no program ran correctly",
                "geomean",
                strategy.name()
            );
            continue;
        }
        println!(
            "{:<8} {:<12} {:>11} {:>11} {:>9.1}x {:>11} {:>11} {:>9.3}x  ({} of {} programs)",
            "geomean",
            strategy.name(),
            "",
            "",
            geomean(&r.run),
            "",
            "",
            geomean(&r.compile),
            r.run.len(),
            programs,
        );
    }
    if all_match {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "jit bench: some program failed or printed other than under Wasmtime (see above)"
        );
        ExitCode::FAILURE
    }
}
