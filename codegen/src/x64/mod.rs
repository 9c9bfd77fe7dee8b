//! The x86-64 backend: machine instructions ([`inst`]), their registers
//! ([`regs`]) and their encoding to bytes ([`encode`]).
//!
//! Every [`inst::Inst`] corresponds to a term of `isle-rules/x64/inst.isle`
//! ([`inst::Inst::term`]), whose spec says what the instruction computes;
//! `tests/x64_silicon.rs` runs each one on the CPU against that spec and
//! `tests/x64_encode.rs` decodes every form with an independent
//! disassembler (yaxpeax-x86).
//!
//! Encoding is delegated to `iced-x86`'s encoder rather than written here:
//! it is a mature, widely used encoder whose tables are generated from one
//! instruction database shared with its decoder and tested against it and
//! against other disassemblers; it validates operands (an impossible
//! combination is an error, not wrong bytes) and handles REX, SIB and the
//! rsp/rbp/r12/r13 base quirks. `cranelift-assembler-x64` was the other
//! candidate; iced wins on documentation, operand validation and not
//! tying us to Cranelift's internal ISA types.

pub mod encode;
pub mod features;
pub mod inst;
pub mod regs;

pub use encode::{EncodeError, encode, encode_one};
pub use inst::Inst;
pub use regs::{CC, Gpr, Size, Xmm};
