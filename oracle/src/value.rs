//! Values (spec §4.2.1).

use crate::store::FuncAddr;
use crate::types::{HeapType, RefType, ValType};

/// A runtime value. Floats are kept as their bit patterns so that NaN
/// payloads survive loads, stores, locals and reinterpretations exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    I32(i32),
    I64(i64),
    /// An f32, as IEEE-754 bits.
    F32(u32),
    /// An f64, as IEEE-754 bits.
    F64(u64),
    V128(u128),
    Ref(Ref),
}

/// A reference value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ref {
    /// `ref.null ht`
    Null(HeapType),
    /// A function reference: the address of a function instance in the store.
    Func(FuncAddr),
    /// An external (host) reference: an opaque number chosen by the host.
    Extern(u32),
}

impl Value {
    /// The value's type (for references: a non-null type unless it is null).
    pub fn ty(&self) -> ValType {
        match *self {
            Value::I32(_) => ValType::I32,
            Value::I64(_) => ValType::I64,
            Value::F32(_) => ValType::F32,
            Value::F64(_) => ValType::F64,
            Value::V128(_) => ValType::V128,
            Value::Ref(r) => ValType::Ref(r.ty()),
        }
    }

    /// Whether the value belongs to type `ty` (spec §3.4 value typing with
    /// reference subtyping: a non-null `funcref` value fits `(ref null func)`).
    pub fn matches(&self, ty: ValType) -> bool {
        match (*self, ty) {
            (Value::Ref(r), ValType::Ref(rt)) => r.matches(rt),
            (v, t) => v.ty() == t,
        }
    }

    /// The default value of a type (spec §4.2.1 `default_t`): zero, or null.
    /// `None` for non-defaultable types (non-nullable references).
    pub fn default_for(ty: ValType) -> Option<Value> {
        Some(match ty {
            ValType::I32 => Value::I32(0),
            ValType::I64 => Value::I64(0),
            ValType::F32 => Value::F32(0),
            ValType::F64 => Value::F64(0),
            ValType::V128 => Value::V128(0),
            ValType::Ref(rt) if rt.nullable => Value::Ref(Ref::Null(rt.heap)),
            ValType::Ref(_) => return None,
        })
    }
}

impl Ref {
    /// The reference's most precise type: non-null unless it is null.
    pub fn ty(&self) -> RefType {
        match *self {
            Ref::Null(heap) => RefType {
                nullable: true,
                heap,
            },
            Ref::Func(_) => RefType {
                nullable: false,
                heap: HeapType::Func,
            },
            Ref::Extern(_) => RefType {
                nullable: false,
                heap: HeapType::Extern,
            },
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Ref::Null(_))
    }

    /// Whether the reference belongs to `ty`. Within the Wasm 2.0 subset the
    /// heap types form two separate hierarchies, func and extern.
    pub fn matches(&self, ty: RefType) -> bool {
        match *self {
            Ref::Null(heap) => ty.nullable && same_hierarchy(heap, ty.heap),
            Ref::Func(_) => matches!(ty.heap, HeapType::Func),
            Ref::Extern(_) => matches!(ty.heap, HeapType::Extern),
        }
    }
}

fn same_hierarchy(a: HeapType, b: HeapType) -> bool {
    use HeapType::*;
    let top = |h| match h {
        Func | NoFunc | Concrete(_) => 0,
        Extern | NoExtern => 1,
        Exn | NoExn => 2,
        Any | Eq | I31 | Struct | Array | None => 3,
    };
    top(a) == top(b)
}
