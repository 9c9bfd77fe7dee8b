//! The type vocabulary of the API: value, function, memory, table, global
//! and external types.

use std::fmt;

pub use wasmproof_oracle::{HeapType, RefType};

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

impl ValType {
    /// `funcref`, i.e. `(ref null func)`.
    pub const FUNCREF: ValType = ValType::Ref(RefType::FUNCREF);
    /// `externref`, i.e. `(ref null extern)`.
    pub const EXTERNREF: ValType = ValType::Ref(RefType::EXTERNREF);

    /// Whether this is one of the four number types.
    pub fn is_num(&self) -> bool {
        matches!(
            self,
            ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64
        )
    }

    /// Whether this is a reference type.
    pub fn is_ref(&self) -> bool {
        matches!(self, ValType::Ref(_))
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValType::I32 => f.write_str("i32"),
            ValType::I64 => f.write_str("i64"),
            ValType::F32 => f.write_str("f32"),
            ValType::F64 => f.write_str("f64"),
            ValType::V128 => f.write_str("v128"),
            ValType::Ref(r) if *r == RefType::FUNCREF => f.write_str("funcref"),
            ValType::Ref(r) if *r == RefType::EXTERNREF => f.write_str("externref"),
            ValType::Ref(r) => {
                let heap = match r.heap {
                    HeapType::Func => "func".to_string(),
                    HeapType::Extern => "extern".to_string(),
                    HeapType::Any => "any".to_string(),
                    HeapType::Eq => "eq".to_string(),
                    HeapType::I31 => "i31".to_string(),
                    HeapType::Struct => "struct".to_string(),
                    HeapType::Array => "array".to_string(),
                    HeapType::Exn => "exn".to_string(),
                    HeapType::None => "none".to_string(),
                    HeapType::NoFunc => "nofunc".to_string(),
                    HeapType::NoExtern => "noextern".to_string(),
                    HeapType::NoExn => "noexn".to_string(),
                    HeapType::Concrete(i) => i.to_string(),
                };
                if r.nullable {
                    write!(f, "(ref null {heap})")
                } else {
                    write!(f, "(ref {heap})")
                }
            }
        }
    }
}

/// A function type: parameter and result types.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct FuncType {
    params: Vec<ValType>,
    results: Vec<ValType>,
}

impl FuncType {
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> FuncType {
        FuncType {
            params: params.into_iter().collect(),
            results: results.into_iter().collect(),
        }
    }

    /// The parameter types, in order.
    pub fn params(&self) -> impl ExactSizeIterator<Item = ValType> + '_ {
        self.params.iter().copied()
    }

    /// The result types, in order.
    pub fn results(&self) -> impl ExactSizeIterator<Item = ValType> + '_ {
        self.results.iter().copied()
    }

    /// The parameter types as a slice.
    pub fn param_types(&self) -> &[ValType] {
        &self.params
    }

    /// The result types as a slice.
    pub fn result_types(&self) -> &[ValType] {
        &self.results
    }
}

impl fmt::Display for FuncType {
    /// WAT notation: `(func (param i32 i32) (result i32))`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(func")?;
        if !self.params.is_empty() {
            f.write_str(" (param")?;
            for p in &self.params {
                write!(f, " {p}")?;
            }
            f.write_str(")")?;
        }
        if !self.results.is_empty() {
            f.write_str(" (result")?;
            for r in &self.results {
                write!(f, " {r}")?;
            }
            f.write_str(")")?;
        }
        f.write_str(")")
    }
}

/// Whether a global may be changed after instantiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mutability {
    Const,
    Var,
}

/// A global type: content type and mutability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    content: ValType,
    mutability: Mutability,
}

impl GlobalType {
    pub fn new(content: ValType, mutability: Mutability) -> GlobalType {
        GlobalType {
            content,
            mutability,
        }
    }
    pub fn content(&self) -> ValType {
        self.content
    }
    pub fn mutability(&self) -> Mutability {
        self.mutability
    }
}

impl fmt::Display for GlobalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mutability {
            Mutability::Const => write!(f, "(global {})", self.content),
            Mutability::Var => write!(f, "(global (mut {}))", self.content),
        }
    }
}

/// A linear memory type, in pages of 64 KiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemoryType {
    min: u64,
    max: Option<u64>,
    memory64: bool,
    shared: bool,
}

impl MemoryType {
    /// A 32-bit, unshared memory of at least `min` pages.
    pub fn new(min: u32, max: Option<u32>) -> MemoryType {
        MemoryType {
            min: min.into(),
            max: max.map(Into::into),
            memory64: false,
            shared: false,
        }
    }
    /// A 64-bit memory (memory64 proposal).
    pub fn new64(min: u64, max: Option<u64>) -> MemoryType {
        MemoryType {
            min,
            max,
            memory64: true,
            shared: false,
        }
    }
    pub(crate) fn from_parts(min: u64, max: Option<u64>, memory64: bool, shared: bool) -> Self {
        MemoryType {
            min,
            max,
            memory64,
            shared,
        }
    }
    /// Minimum size in pages.
    pub fn minimum(&self) -> u64 {
        self.min
    }
    /// Maximum size in pages, if any.
    pub fn maximum(&self) -> Option<u64> {
        self.max
    }
    pub fn is_64(&self) -> bool {
        self.memory64
    }
    pub fn is_shared(&self) -> bool {
        self.shared
    }
}

impl fmt::Display for MemoryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(memory")?;
        if self.memory64 {
            f.write_str(" i64")?;
        }
        write!(f, " {}", self.min)?;
        if let Some(max) = self.max {
            write!(f, " {max}")?;
        }
        if self.shared {
            f.write_str(" shared")?;
        }
        f.write_str(")")
    }
}

/// A table type: element type and size limits, in elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    element: RefType,
    min: u64,
    max: Option<u64>,
    table64: bool,
}

impl TableType {
    pub fn new(element: RefType, min: u32, max: Option<u32>) -> TableType {
        TableType {
            element,
            min: min.into(),
            max: max.map(Into::into),
            table64: false,
        }
    }
    pub(crate) fn from_parts(element: RefType, min: u64, max: Option<u64>, table64: bool) -> Self {
        TableType {
            element,
            min,
            max,
            table64,
        }
    }
    pub fn element(&self) -> RefType {
        self.element
    }
    pub fn minimum(&self) -> u64 {
        self.min
    }
    pub fn maximum(&self) -> Option<u64> {
        self.max
    }
    pub fn is_64(&self) -> bool {
        self.table64
    }
}

impl fmt::Display for TableType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(table")?;
        if self.table64 {
            f.write_str(" i64")?;
        }
        write!(f, " {}", self.min)?;
        if let Some(max) = self.max {
            write!(f, " {max}")?;
        }
        write!(f, " {})", ValType::Ref(self.element))
    }
}

/// The type of an import or export.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExternType {
    Func(FuncType),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
}

impl ExternType {
    pub fn func(&self) -> Option<&FuncType> {
        match self {
            ExternType::Func(t) => Some(t),
            _ => None,
        }
    }
    pub fn memory(&self) -> Option<&MemoryType> {
        match self {
            ExternType::Memory(t) => Some(t),
            _ => None,
        }
    }
    pub fn table(&self) -> Option<&TableType> {
        match self {
            ExternType::Table(t) => Some(t),
            _ => None,
        }
    }
    pub fn global(&self) -> Option<&GlobalType> {
        match self {
            ExternType::Global(t) => Some(t),
            _ => None,
        }
    }

    /// Whether a value of type `self` may be supplied for an import declared
    /// with type `expected` (spec §4.5.2 "import matching").
    pub fn matches(&self, expected: &ExternType) -> bool {
        fn limits(min: u64, max: Option<u64>, emin: u64, emax: Option<u64>) -> bool {
            min >= emin
                && match (max, emax) {
                    (_, None) => true,
                    (Some(m), Some(em)) => m <= em,
                    (None, Some(_)) => false,
                }
        }
        match (self, expected) {
            (ExternType::Func(a), ExternType::Func(b)) => a == b,
            (ExternType::Global(a), ExternType::Global(b)) => a == b,
            (ExternType::Memory(a), ExternType::Memory(b)) => {
                a.memory64 == b.memory64
                    && a.shared == b.shared
                    && limits(a.min, a.max, b.min, b.max)
            }
            (ExternType::Table(a), ExternType::Table(b)) => {
                a.element == b.element
                    && a.table64 == b.table64
                    && limits(a.min, a.max, b.min, b.max)
            }
            _ => false,
        }
    }
}

impl fmt::Display for ExternType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExternType::Func(t) => t.fmt(f),
            ExternType::Table(t) => t.fmt(f),
            ExternType::Memory(t) => t.fmt(f),
            ExternType::Global(t) => t.fmt(f),
        }
    }
}

/// One import of a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportType {
    pub(crate) module: String,
    pub(crate) name: String,
    pub(crate) ty: ExternType,
}

impl ImportType {
    pub fn module(&self) -> &str {
        &self.module
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn ty(&self) -> &ExternType {
        &self.ty
    }
}

/// One export of a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportType {
    pub(crate) name: String,
    pub(crate) ty: ExternType,
}

impl ExportType {
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn ty(&self) -> &ExternType {
        &self.ty
    }
}
