//! Runtime values.

use crate::func::Func;
use crate::types::{HeapType, ValType};

/// A WebAssembly value. Floats are kept as their IEEE-754 bit patterns so
/// NaN payloads pass through the API unchanged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    I32(i32),
    I64(i64),
    /// An `f32`, as its bits (see [`Val::f32`] and `Val::from(1.5f32)`).
    F32(u32),
    /// An `f64`, as its bits.
    F64(u64),
    V128(u128),
    /// A `funcref`: `None` is the null reference.
    FuncRef(Option<Func>),
    /// An `externref`: an opaque number chosen by the host; `None` is null.
    ExternRef(Option<u32>),
}

impl Val {
    /// The value's type (references report their nullable type).
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FUNCREF,
            Val::ExternRef(_) => ValType::EXTERNREF,
        }
    }

    /// Whether this value may be passed where `ty` is expected.
    pub fn matches(&self, ty: ValType) -> bool {
        match (self, ty) {
            (Val::FuncRef(f), ValType::Ref(r)) => {
                matches!(
                    r.heap,
                    HeapType::Func | HeapType::Concrete(_) | HeapType::NoFunc
                ) && (r.nullable || f.is_some())
                    && !(r.heap == HeapType::NoFunc && f.is_some())
            }
            (Val::ExternRef(e), ValType::Ref(r)) => {
                matches!(r.heap, HeapType::Extern | HeapType::NoExtern)
                    && (r.nullable || e.is_some())
                    && !(r.heap == HeapType::NoExtern && e.is_some())
            }
            (v, ty) => v.ty() == ty,
        }
    }

    /// The default value of a type: zero, or a null reference.
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::Ref(r) => match r.heap {
                HeapType::Extern | HeapType::NoExtern => Val::ExternRef(None),
                _ => Val::FuncRef(None),
            },
        }
    }

    pub fn i32(&self) -> Option<i32> {
        match self {
            Val::I32(v) => Some(*v),
            _ => None,
        }
    }
    pub fn i64(&self) -> Option<i64> {
        match self {
            Val::I64(v) => Some(*v),
            _ => None,
        }
    }
    pub fn f32(&self) -> Option<f32> {
        match self {
            Val::F32(v) => Some(f32::from_bits(*v)),
            _ => None,
        }
    }
    pub fn f64(&self) -> Option<f64> {
        match self {
            Val::F64(v) => Some(f64::from_bits(*v)),
            _ => None,
        }
    }
    pub fn v128(&self) -> Option<u128> {
        match self {
            Val::V128(v) => Some(*v),
            _ => None,
        }
    }
    pub fn funcref(&self) -> Option<Option<Func>> {
        match self {
            Val::FuncRef(f) => Some(*f),
            _ => None,
        }
    }
    pub fn externref(&self) -> Option<Option<u32>> {
        match self {
            Val::ExternRef(e) => Some(*e),
            _ => None,
        }
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}
impl From<Func> for Val {
    fn from(f: Func) -> Val {
        Val::FuncRef(Some(f))
    }
}
impl From<Option<Func>> for Val {
    fn from(f: Option<Func>) -> Val {
        Val::FuncRef(f)
    }
}

impl std::fmt::Display for Val {
    /// Values as the CLI prints them: integers in decimal, floats as Rust
    /// prints them (`NaN` payloads shown in hex), references by address.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Val::I32(v) => write!(f, "{v}"),
            Val::I64(v) => write!(f, "{v}"),
            Val::F32(bits) => {
                let v = f32::from_bits(*bits);
                if v.is_nan() {
                    write!(f, "nan:{bits:#010x}")
                } else {
                    write!(f, "{v}")
                }
            }
            Val::F64(bits) => {
                let v = f64::from_bits(*bits);
                if v.is_nan() {
                    write!(f, "nan:{bits:#018x}")
                } else {
                    write!(f, "{v}")
                }
            }
            Val::V128(v) => write!(f, "{v:#034x}"),
            Val::FuncRef(None) | Val::ExternRef(None) => f.write_str("null"),
            Val::FuncRef(Some(_)) => f.write_str("funcref"),
            Val::ExternRef(Some(e)) => write!(f, "externref({e})"),
        }
    }
}
