//! Every strategy (and wasmi) against the reference interpreter on a
//! wasm-smith module; a divergence panics after writing a reproducer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wasmproof_fuzz::targets::differential(data));
