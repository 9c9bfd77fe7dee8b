//! Times `compile_module` on a Wasm module (binary or text):
//! `compile_time FILE [N]` prints the best of N compiles in this process
//! (the first one starts the worker threads and allocates their buffers;
//! `N = 1` in a fresh process measures that cold compile).
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("compile_time: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: compile_time FILE [N]")?;
    let n: usize = match args.next() {
        Some(s) => s
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or(format!("N is a positive number, not {s:?}"))?,
        None => 5,
    };
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let wasm = wat::parse_bytes(&bytes).map_err(|e| format!("{path}: {e}"))?;
    let opts = wasmproof_codegen::compile::CompileOptions::default();
    let mut best = f64::MAX;
    for _ in 0..n {
        let t = Instant::now();
        let m = wasmproof_codegen::compile::compile_module(&wasm, &opts)
            .map_err(|e| format!("{path} does not compile: {e}"))?;
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
        drop(m);
    }
    println!("{path}: best of {n}: {best:.1} ms");
    Ok(())
}
