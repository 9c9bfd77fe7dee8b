//! The glue between [`Value`]s and the typed spec functions: unpack the
//! operands, apply, pack the result. Which `Value` variant each Rust type
//! travels in is decided here and only here.

use crate::trap::TrapKind;
use crate::types::ValType;
use crate::value::Value;

/// A Rust type that carries one Wasm number type.
pub(crate) trait Operand: Copy {
    const TYPE: ValType;
    fn from_value(v: Value) -> Option<Self>;
    fn into_value(self) -> Value;
}

// iN values travel as unsigned Rust integers (the spec's default reading);
// fN values as host floats, built from and turned back into their exact bits.
impl Operand for u32 {
    const TYPE: ValType = ValType::I32;
    fn from_value(v: Value) -> Option<Self> {
        if let Value::I32(i) = v {
            Some(i as u32)
        } else {
            None
        }
    }
    fn into_value(self) -> Value {
        Value::I32(self as i32)
    }
}

impl Operand for u64 {
    const TYPE: ValType = ValType::I64;
    fn from_value(v: Value) -> Option<Self> {
        if let Value::I64(i) = v {
            Some(i as u64)
        } else {
            None
        }
    }
    fn into_value(self) -> Value {
        Value::I64(self as i64)
    }
}

impl Operand for f32 {
    const TYPE: ValType = ValType::F32;
    fn from_value(v: Value) -> Option<Self> {
        if let Value::F32(bits) = v {
            Some(f32::from_bits(bits))
        } else {
            None
        }
    }
    fn into_value(self) -> Value {
        Value::F32(self.to_bits())
    }
}

impl Operand for f64 {
    const TYPE: ValType = ValType::F64;
    fn from_value(v: Value) -> Option<Self> {
        if let Value::F64(bits) = v {
            Some(f64::from_bits(bits))
        } else {
            None
        }
    }
    fn into_value(self) -> Value {
        Value::F64(self.to_bits())
    }
}

/// What a spec function returns: a value, a truth value (testop/relop), or a
/// value-or-trap (the partial functions: division, trapping truncation).
pub(crate) trait Outcome {
    const TYPE: ValType;
    fn into_result(self) -> Result<Value, TrapKind>;
}

macro_rules! outcome_of_operand {
    ($($t:ty),*) => {$(
        impl Outcome for $t {
            const TYPE: ValType = <$t as Operand>::TYPE;
            fn into_result(self) -> Result<Value, TrapKind> {
                Ok(self.into_value())
            }
        }
    )*};
}
outcome_of_operand!(u32, u64, f32, f64);

/// The spec's `bool(C)`: 1 if C holds, else 0, as an i32.
impl Outcome for bool {
    const TYPE: ValType = ValType::I32;
    fn into_result(self) -> Result<Value, TrapKind> {
        Ok(Value::I32(i32::from(self)))
    }
}

impl<T: Operand> Outcome for Result<T, TrapKind> {
    const TYPE: ValType = T::TYPE;
    fn into_result(self) -> Result<Value, TrapKind> {
        self.map(T::into_value)
    }
}

/// Operands of the wrong number or type. Validation rules this out, so
/// reaching it is a bug in the caller (or an unvalidated module); there is no
/// trap kind for that, and the oracle must not panic, so it reports the
/// closest "cannot happen": `Unreachable`.
fn ill_typed() -> TrapKind {
    TrapKind::Unreachable
}

/// Unary spec functions (unop, testop, cvtop): one operand.
pub(crate) mod unary {
    use super::{Operand, Outcome, ill_typed};
    use crate::trap::TrapKind;
    use crate::types::ValType;
    use crate::value::Value;

    pub(crate) const ARITY: usize = 1;

    /// Applies `f` to `[v]`.
    pub(crate) fn eval<A: Operand, R: Outcome>(
        args: &[Value],
        f: fn(A) -> R,
    ) -> Result<Value, TrapKind> {
        match args {
            [v] => f(A::from_value(*v).ok_or_else(ill_typed)?).into_result(),
            _ => Err(ill_typed()),
        }
    }

    pub(crate) fn operand_type<A: Operand, R: Outcome>(_: fn(A) -> R) -> ValType {
        A::TYPE
    }

    pub(crate) fn result_type<A: Operand, R: Outcome>(_: fn(A) -> R) -> ValType {
        R::TYPE
    }
}

/// Binary spec functions (binop, relop): two operands of one type.
pub(crate) mod binary {
    use super::{Operand, Outcome, ill_typed};
    use crate::trap::TrapKind;
    use crate::types::ValType;
    use crate::value::Value;

    pub(crate) const ARITY: usize = 2;

    /// Applies `f` to `[v1, v2]`, v1 being the operand pushed first (the
    /// spec's c1).
    pub(crate) fn eval<A: Operand, R: Outcome>(
        args: &[Value],
        f: fn(A, A) -> R,
    ) -> Result<Value, TrapKind> {
        match args {
            [v1, v2] => {
                let c1 = A::from_value(*v1).ok_or_else(ill_typed)?;
                let c2 = A::from_value(*v2).ok_or_else(ill_typed)?;
                f(c1, c2).into_result()
            }
            _ => Err(ill_typed()),
        }
    }

    pub(crate) fn operand_type<A: Operand, R: Outcome>(_: fn(A, A) -> R) -> ValType {
        A::TYPE
    }

    pub(crate) fn result_type<A: Operand, R: Outcome>(_: fn(A, A) -> R) -> ValType {
        R::TYPE
    }
}
