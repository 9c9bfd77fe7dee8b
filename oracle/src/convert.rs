//! Conversions from wasmparser's types to ours (spec §2.3). Only called on
//! modules that validated with the Wasm 2.0 feature set, so the Wasm 3.0
//! forms wasmparser can express map to their nearest equivalent here.

use wasmparser as wp;

use crate::types::{FuncType, GlobalType, HeapType, MemoryType, RefType, TableType, ValType};

pub(crate) fn val_type(ty: wp::ValType) -> ValType {
    match ty {
        wp::ValType::I32 => ValType::I32,
        wp::ValType::I64 => ValType::I64,
        wp::ValType::F32 => ValType::F32,
        wp::ValType::F64 => ValType::F64,
        wp::ValType::V128 => ValType::V128,
        wp::ValType::Ref(r) => ValType::Ref(ref_type(r)),
    }
}

pub(crate) fn ref_type(ty: wp::RefType) -> RefType {
    RefType {
        nullable: ty.is_nullable(),
        heap: heap_type(ty.heap_type()),
    }
}

pub(crate) fn heap_type(ty: wp::HeapType) -> HeapType {
    use wp::AbstractHeapType as A;
    match ty {
        wp::HeapType::Abstract { ty, .. } => match ty {
            A::Func => HeapType::Func,
            A::Extern => HeapType::Extern,
            A::Any => HeapType::Any,
            A::None => HeapType::None,
            A::NoExtern => HeapType::NoExtern,
            A::NoFunc => HeapType::NoFunc,
            A::Eq => HeapType::Eq,
            A::Struct => HeapType::Struct,
            A::Array => HeapType::Array,
            A::I31 => HeapType::I31,
            A::Exn => HeapType::Exn,
            A::NoExn => HeapType::NoExn,
            // Stack-switching's continuation types are rejected by validation
            // before they could get here; the closest hierarchy is func.
            A::Cont | A::NoCont => HeapType::Func,
        },
        wp::HeapType::Concrete(idx) | wp::HeapType::Exact(idx) => {
            HeapType::Concrete(idx.as_module_index().unwrap_or(u32::MAX))
        }
    }
}

pub(crate) fn func_type(ty: &wp::FuncType) -> FuncType {
    FuncType {
        params: ty.params().iter().map(|t| val_type(*t)).collect(),
        results: ty.results().iter().map(|t| val_type(*t)).collect(),
    }
}

pub(crate) fn table_type(ty: wp::TableType) -> TableType {
    TableType {
        elem: ref_type(ty.element_type),
        min: ty.initial,
        max: ty.maximum,
        table64: ty.table64,
    }
}

pub(crate) fn memory_type(ty: wp::MemoryType) -> MemoryType {
    MemoryType {
        min: ty.initial,
        max: ty.maximum,
        memory64: ty.memory64,
        shared: ty.shared,
    }
}

pub(crate) fn global_type(ty: wp::GlobalType) -> GlobalType {
    GlobalType {
        content: val_type(ty.content_type),
        mutable: ty.mutable,
    }
}
