//! Prints the machine code the JIT generates for a Wasm file, one function
//! at a time: `disasm FILE [FUNC_INDEX]`. For reading code quality; the
//! disassembler is yaxpeax-x86, independent of the encoder.
use yaxpeax_arch::LengthedInstruction;
use yaxpeax_x86::long_mode::InstDecoder;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: disasm FILE [FUNC_INDEX]");
    let only: Option<u32> = args
        .next()
        .map(|s| s.parse().expect("FUNC_INDEX is a number"));
    let bytes = std::fs::read(&path).expect("readable file");
    let opts = wasmproof_codegen::compile::CompileOptions::default();
    let m = wasmproof_codegen::compile::compile_module(&bytes, &opts).expect("compiles");
    let (base, len) = m.code_range();
    // SAFETY: the code region is mapped readable for the module's lifetime.
    let code = unsafe { std::slice::from_raw_parts(base as *const u8, len) };
    let mut starts: Vec<(usize, u32)> = (0..m.info().funcs.len() as u32)
        .filter_map(|f| Some((m.native_entry(f)? as usize - base, f)))
        .collect();
    starts.sort();
    let dec = InstDecoder::default();
    for (k, &(start, f)) in starts.iter().enumerate() {
        if only.is_some_and(|o| o != f) {
            continue;
        }
        let end = starts.get(k + 1).map_or(len, |s| s.0);
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
}
