//! Numerics (spec §4.3): every numeric instruction as a pure function of its
//! operands. Exactly one result each; traps are returned, never panicked.

use crate::trap::TrapKind;
use crate::value::Value;

/// A numeric instruction: const-free unop, binop, testop, relop or cvtop of
/// i32/i64/f32/f64 (incl. sign-extension, saturating truncation and
/// reinterpretation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NumOp {}

impl NumOp {
    /// The numeric instruction an operator denotes, if it is one.
    pub fn from_operator(op: &wasmparser::Operator<'_>) -> Option<NumOp> {
        let _ = op;
        None
    }

    /// How many operands it pops (1 or 2). It always pushes one result.
    pub fn arity(self) -> usize {
        match self {}
    }

    /// Applies the instruction to operands of the types validation ensured.
    pub fn eval(self, args: &[Value]) -> Result<Value, TrapKind> {
        let _ = args;
        match self {}
    }
}
