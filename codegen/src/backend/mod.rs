//! The x86-64 backend behind `compile.rs`: IR -> VCode (`func.rs`, with the
//! rules in `crate::lower`), register allocation (regalloc2, `regalloc.rs`),
//! encoding (`emit.rs`, `assemble.rs`), each function into its own buffer, joined by
//! `link.rs`; the per-core driver of all of it (`parallel.rs`) and the
//! runtime stubs (`stubs.rs`).

pub mod abi;
pub mod assemble;
pub mod emit;
pub mod func;
pub mod layout;
pub mod link;
pub mod operands;
pub mod parallel;
pub mod regalloc;
pub mod stubs;
pub mod vcode;
