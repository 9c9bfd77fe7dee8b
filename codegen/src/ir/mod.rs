//! The SSA IR between Wasm and the lowering rules.
//!
//! A [`Function`] is blocks with typed parameters (no phi instructions);
//! each instruction is an [`Opcode`] from one table whose entries are 1:1 the
//! terms of `isle-rules/ir.isle`, where each has its spec.
//!
//! - [`types`]: value types, condition codes, trap codes;
//! - [`opcode`]: the opcode table;
//! - [`function`]: the data structure; [`builder`]: constructing it;
//! - [`print`]: the text form; [`verify`]: well-formedness;
//! - [`ssa`]: the pass that makes the translator's naive SSA minimal;
//! - [`eval`]: an interpreter for IR, test tooling (see its docs).

pub mod builder;
pub mod eval;
pub mod function;
pub mod opcode;
pub mod print;
pub mod ssa;
pub mod types;
pub mod verify;

pub use builder::FunctionBuilder;
pub use function::{
    Block, BlockCall, BlockData, Function, Imm, Inst, InstData, Signature, Value, ValueData,
    ValueDef,
};
pub use opcode::{OpClass, Opcode};
pub use print::print_function;
pub use types::{FloatCC, IntCC, MemAccess, TrapCode, Type};
pub use verify::{VerifyError, verify_function};
