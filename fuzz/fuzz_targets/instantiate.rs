//! A wasm-smith module instantiated and run under a random `Config` (fuel,
//! epochs, call depth, store limits).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wasmproof_fuzz::targets::instantiate(data));
