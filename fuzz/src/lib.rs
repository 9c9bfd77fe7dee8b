//! wasmproof's differential fuzzer.
//!
//! One wasm-smith module runs under every execution strategy through the
//! public `wasmproof` API, and under wasmi (feature `wasmi`, on by default);
//! every exported function is called with arguments biased to edge values,
//! and after every step the results, trap kinds, exported globals, exported
//! memories (byte for byte) and table sizes are compared with the reference
//! interpreter's. Every side runs under the same fuel budget and call depth;
//! running out of either ends the comparison without a verdict.
//!
//! * [`proposals`]: which strategies exist and what each supports (the one
//!   table to edit when the JIT arrives or learns a proposal);
//! * [`generate`]: wasm-smith configured accordingly;
//! * [`peer`]: the engines; [`diff`]: the comparison;
//! * [`targets`]: the bodies of the `differential`, `compile` and
//!   `instantiate` fuzz targets, also run as bounded tests;
//! * [`repro`]: reproducers and the `replay` command.

pub mod diff;
pub mod generate;
#[cfg(any(test, feature = "test-bug-injection"))]
pub mod mutate;
pub mod peer;
pub mod proposals;
pub mod repro;
pub mod rng;
pub mod targets;
pub mod value;
