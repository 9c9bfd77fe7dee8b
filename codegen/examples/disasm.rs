//! Prints the machine code the JIT generates for a Wasm module (binary or
//! text), one function at a time: `disasm FILE [FUNC_INDEX]`. For reading
//! code quality; the disassembler is yaxpeax-x86, independent of the
//! encoder.
use std::process::ExitCode;

use yaxpeax_arch::LengthedInstruction;
use yaxpeax_x86::long_mode::InstDecoder;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("disasm: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: disasm FILE [FUNC_INDEX]")?;
    let only = match args.next() {
        Some(s) => Some(
            s.parse::<u32>()
                .map_err(|_| format!("FUNC_INDEX is a number, not {s:?}"))?,
        ),
        None => None,
    };
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let wasm = wat::parse_bytes(&bytes).map_err(|e| format!("{path}: {e}"))?;
    let opts = wasmproof_codegen::compile::CompileOptions::default();
    let m = wasmproof_codegen::compile::compile_module(&wasm, &opts)
        .map_err(|e| format!("{path} does not compile: {e}"))?;
    let (base, len) = m.code_range();
    // SAFETY: the code region is mapped readable for the module's lifetime.
    let code = unsafe { std::slice::from_raw_parts(base as *const u8, len) };
    let mut starts: Vec<(usize, u32)> = (0..m.info().funcs.len() as u32)
        .filter_map(|f| Some((m.native_entry(f)? as usize - base, f)))
        .collect();
    starts.sort();
    if let Some(f) = only.filter(|f| !starts.iter().any(|s| s.1 == *f)) {
        return Err(format!("{path} defines no function {f}"));
    }
    let dec = InstDecoder::default();
    for (k, &(start, f)) in starts.iter().enumerate() {
        if only.is_some_and(|o| o != f) {
            continue;
        }
        // The last function ends where the stubs begin.
        let next = starts.get(k + 1).map_or(len, |s| s.0);
        let end = (start..next)
            .find(|&at| m.func_at_pc(base + at) != Some(f))
            .unwrap_or(next);
        println!("func{f}: {} bytes", end - start);
        let mut at = start;
        while at < end {
            match dec.decode_slice(&code[at..end]) {
                Ok(i) => {
                    println!("  {:6x}: {i}", at - start);
                    at += i.len().to_const() as usize;
                }
                Err(e) => {
                    println!("  {:6x}: ({e})", at - start);
                    at += 1;
                }
            }
        }
    }
    Ok(())
}
