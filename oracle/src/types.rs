//! Types (spec §2.3), shaped so v128 and the Wasm 3.0 reference types fit
//! without a change of representation.

/// A value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    Ref(RefType),
}

/// A reference type: nullability plus a heap type (Wasm 3.0 form;
/// `funcref` is `(ref null func)`, `externref` is `(ref null extern)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RefType {
    pub nullable: bool,
    pub heap: HeapType,
}

impl RefType {
    pub const FUNCREF: RefType = RefType {
        nullable: true,
        heap: HeapType::Func,
    };
    pub const EXTERNREF: RefType = RefType {
        nullable: true,
        heap: HeapType::Extern,
    };
}

/// A heap type. Only `Func` and `Extern` are produced by the Wasm 2.0
/// subset; the rest are here so the 3.0 issue adds behaviour, not types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeapType {
    Func,
    Extern,
    Any,
    Eq,
    I31,
    Struct,
    Array,
    Exn,
    None,
    NoFunc,
    NoExtern,
    NoExn,
    /// A defined type, by its index in the module's type section.
    Concrete(u32),
}

/// A function type: parameters and results.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct FuncType {
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
}

/// A table type. Sizes are u64 so table64 needs no new type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    pub elem: RefType,
    pub min: u64,
    pub max: Option<u64>,
    pub table64: bool,
}

/// A memory type, in pages of 64 KiB. Sizes are u64 so memory64 needs no new type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemoryType {
    pub min: u64,
    pub max: Option<u64>,
    pub memory64: bool,
    pub shared: bool,
}

/// A global type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    pub content: ValType,
    pub mutable: bool,
}

/// The type of an import or export (spec §2.5.10 "external types").
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExternType {
    Func(FuncType),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
}
