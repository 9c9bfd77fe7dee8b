//! wasmproof's compiler: validated Wasm functions are translated into an SSA
//! IR (`ir`, `translate`), lowered to x86-64 by rules from `isle-rules/` that
//! the verifier has proven, register-allocated and encoded (`x64`).

extern crate alloc;

mod backend;
pub mod code_memory;
pub mod compile;
pub mod ir;
mod lower;
pub mod translate;
pub mod vm;
pub mod x64;
pub use compile::{
    CompileError, CompileOptions, CompiledModule, StubCode, compile_module, compile_stubs,
};

/// True when this build compiled lowering rules that `isle-rules/verified.lock`
/// does not hold as proven. Only a build with the research feature
/// `unverified-rules` can be such a build (without it, `build.rs` refuses
/// them); an embedder can refuse it, or label what it runs.
pub const UNVERIFIED_RULES: bool = cfg!(wasmproof_unverified_rules);
