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
