//! Arbitrary bytes validated and compiled under every strategy: errors are
//! fine, panics and crashes are findings.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wasmproof_fuzz::targets::compile(data));
