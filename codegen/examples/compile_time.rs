//! Times `compile_module` on a Wasm file: `compile_time FILE [N]`.
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: compile_time FILE [N]");
    let n: usize = args.next().map_or(5, |s| s.parse().expect("N"));
    let bytes = std::fs::read(&path).expect("readable file");
    let opts = wasmproof_codegen::compile::CompileOptions::default();
    let mut best = f64::MAX;
    for _ in 0..n {
        let t = Instant::now();
        let m = wasmproof_codegen::compile::compile_module(&bytes, &opts).expect("compiles");
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
        drop(m);
    }
    println!("{path}: best of {n}: {best:.1} ms");
}
