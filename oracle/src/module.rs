//! Decoding and validation (spec §5, §3): a `Module` is a module that
//! wasmparser has decoded and validated, in the form execution needs.

use std::collections::HashMap;
use std::sync::Arc;

use wasmparser::{
    DataKind, ElementItems, ElementKind, ExternalKind, KnownCustom, Name, Parser, Payload,
    TableInit, TypeRef, Validator, WasmFeatures,
};

use crate::convert::{func_type, global_type, memory_type, table_type};
use crate::decode::{self, ConstExpr, ConstInstr, DecodeError};
use crate::instr::FuncBody;
use crate::types::{ExternType, FuncType, GlobalType, MemoryType, RefType, TableType};

/// A decoded, validated module. Cheap to clone (shared inside), `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

/// The module's contents (spec §2.5), index spaces with imports first.
#[derive(Debug, Default)]
pub(crate) struct ModuleInner {
    pub types: Vec<FuncType>,
    pub imports: Vec<ImportDesc>,
    pub exports: Vec<ExportDesc>,
    /// Per export (same order as `exports`): what kind, which index.
    pub export_targets: Vec<(ExternalKind, u32)>,
    /// The type index of every function, imported ones first.
    pub funcs: Vec<u32>,
    pub num_imported_funcs: u32,
    pub tables: Vec<TableType>,
    /// Initialisers of the defined (non-imported) tables: `None` is all-null.
    pub table_inits: Vec<Option<ConstExpr>>,
    pub memories: Vec<MemoryType>,
    pub globals: Vec<GlobalType>,
    /// Initialisers of the defined (non-imported) globals.
    pub global_inits: Vec<ConstExpr>,
    /// Bodies of the defined functions.
    pub code: Vec<FuncBody>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment>,
    pub start: Option<u32>,
    pub name: Option<String>,
    pub func_names: HashMap<u32, String>,
}

/// An element segment (spec §2.5.7).
#[derive(Debug)]
pub(crate) struct ElemSegment {
    pub items: Vec<ConstExpr>,
    pub mode: ElemMode,
}

#[derive(Debug)]
pub(crate) enum ElemMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declarative,
}

/// A data segment (spec §2.5.8). The bytes are shared with data instances.
#[derive(Debug)]
pub(crate) struct DataSegment {
    pub bytes: Arc<[u8]>,
    /// `Some((memory, offset))` for an active segment; `None` if passive.
    pub active: Option<(u32, ConstExpr)>,
}

/// Why a module was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModuleErrorKind {
    /// Not a well-formed binary, or fails validation, under every proposal
    /// wasmparser knows.
    Invalid,
    /// Valid only with a proposal this interpreter does not implement (yet);
    /// `proposal` names it, e.g. "simd", "gc", "memory64", "exceptions".
    Unsupported { proposal: &'static str },
}

/// A rejected module: what kind of rejection, where (byte offset), and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleError {
    pub kind: ModuleErrorKind,
    pub offset: usize,
    pub message: String,
}

impl std::fmt::Display for ModuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            ModuleErrorKind::Invalid => {
                write!(f, "{} (at offset {:#x})", self.message, self.offset)
            }
            ModuleErrorKind::Unsupported { proposal } => write!(
                f,
                "needs the `{proposal}` proposal, which is not supported: {} (at offset {:#x})",
                self.message, self.offset
            ),
        }
    }
}

impl std::error::Error for ModuleError {}

/// One import of a module, in declaration order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportDesc {
    pub module: String,
    pub name: String,
    pub ty: ExternType,
}

/// One export of a module, in declaration order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportDesc {
    pub name: String,
    pub ty: ExternType,
}

impl Module {
    /// Decodes and validates a binary module with the proposals this
    /// interpreter implements.
    pub fn new(bytes: &[u8]) -> Result<Module, ModuleError> {
        validate(bytes)?;
        let inner = parse(bytes).map_err(|e| ModuleError {
            // Validation passed, so this is a construct the interpreter
            // cannot run (it names what).
            kind: ModuleErrorKind::Unsupported {
                proposal: "unimplemented instruction",
            },
            offset: e.offset as usize,
            message: e.message,
        })?;
        Ok(Module {
            inner: Arc::new(inner),
        })
    }

    pub fn imports(&self) -> &[ImportDesc] {
        &self.inner.imports
    }

    pub fn exports(&self) -> &[ExportDesc] {
        &self.inner.exports
    }

    /// The module's name from the name section.
    pub fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// A function's name from the name section, by function index.
    pub fn func_name(&self, func_index: u32) -> Option<&str> {
        self.inner.func_names.get(&func_index).map(String::as_str)
    }

    /// The memories the module defines itself (not its imports), in index
    /// order: the memory index space lists imports first (spec §2.5.1).
    pub fn defined_memories(&self) -> &[MemoryType] {
        let imported = self.count_imports(|t| matches!(t, ExternType::Memory(_)));
        self.inner.memories.get(imported..).unwrap_or_default()
    }

    /// The tables the module defines itself (not its imports), in index order.
    pub fn defined_tables(&self) -> &[TableType] {
        let imported = self.count_imports(|t| matches!(t, ExternType::Table(_)));
        self.inner.tables.get(imported..).unwrap_or_default()
    }

    fn count_imports(&self, kind: impl Fn(&ExternType) -> bool) -> usize {
        self.inner.imports.iter().filter(|i| kind(&i.ty)).count()
    }

    /// The start function's index, if the module has one.
    pub fn start(&self) -> Option<u32> {
        self.inner.start
    }
}

/// The proposals this interpreter implements: Wasm 2.0 without SIMD.
pub fn supported_features() -> WasmFeatures {
    WasmFeatures::WASM2.difference(WasmFeatures::SIMD)
}

/// Proposals wasmparser knows beyond ours, by the names the spec community
/// uses, each with the features it needs on top of ours.
const PROPOSALS: &[(&str, WasmFeatures)] = &[
    ("simd", WasmFeatures::SIMD),
    (
        "relaxed-simd",
        WasmFeatures::SIMD.union(WasmFeatures::RELAXED_SIMD),
    ),
    ("threads", WasmFeatures::THREADS),
    ("tail-call", WasmFeatures::TAIL_CALL),
    ("multi-memory", WasmFeatures::MULTI_MEMORY),
    ("exceptions", WasmFeatures::EXCEPTIONS),
    ("memory64", WasmFeatures::MEMORY64),
    ("extended-const", WasmFeatures::EXTENDED_CONST),
    ("function-references", WasmFeatures::FUNCTION_REFERENCES),
    (
        "gc",
        WasmFeatures::GC.union(WasmFeatures::FUNCTION_REFERENCES),
    ),
    ("custom-page-sizes", WasmFeatures::CUSTOM_PAGE_SIZES),
    ("wide-arithmetic", WasmFeatures::WIDE_ARITHMETIC),
    ("legacy-exceptions", WasmFeatures::LEGACY_EXCEPTIONS),
    ("stack-switching", WasmFeatures::STACK_SWITCHING),
    (
        "shared-everything-threads",
        WasmFeatures::SHARED_EVERYTHING_THREADS,
    ),
    ("memory-control", WasmFeatures::MEMORY_CONTROL),
    ("custom-descriptors", WasmFeatures::CUSTOM_DESCRIPTORS),
    ("compact-imports", WasmFeatures::COMPACT_IMPORTS),
    ("component-model", WasmFeatures::COMPONENT_MODEL),
];

fn validates(bytes: &[u8], features: WasmFeatures) -> Result<(), wasmparser::BinaryReaderError> {
    Validator::new_with_features(features)
        .validate_all(bytes)
        .map(|_| ())
}

/// Validation (spec §3) with our features; on failure, tells a module that
/// needs a proposal we lack from one that is invalid under every proposal.
fn validate(bytes: &[u8]) -> Result<(), ModuleError> {
    let ours = supported_features();
    let Err(e) = validates(bytes, ours) else {
        return Ok(());
    };
    let error = |kind| ModuleError {
        kind,
        offset: e.offset() as usize,
        message: e.message().to_string(),
    };
    if validates(bytes, WasmFeatures::all()).is_err() {
        return Err(error(ModuleErrorKind::Invalid));
    }
    // The proposal that suffices on its own...
    for (proposal, extra) in PROPOSALS {
        if validates(bytes, ours.union(*extra)).is_ok() {
            return Err(error(ModuleErrorKind::Unsupported { proposal }));
        }
    }
    // ...or else the first one that cannot be left out.
    for (proposal, extra) in PROPOSALS {
        if validates(bytes, WasmFeatures::all().difference(*extra)).is_err() {
            return Err(error(ModuleErrorKind::Unsupported { proposal }));
        }
    }
    Err(error(ModuleErrorKind::Unsupported {
        proposal: "unknown",
    }))
}

/// Builds the module's contents from a binary that validated.
fn parse(bytes: &[u8]) -> Result<ModuleInner, DecodeError> {
    let mut m = ModuleInner::default();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group?.into_types() {
                        match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => m.types.push(func_type(f)),
                            // Only GC (rejected by validation) defines other types;
                            // keep indices aligned all the same.
                            _ => m.types.push(FuncType::default()),
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    let ty = match import.ty {
                        TypeRef::Func(idx) | TypeRef::FuncExact(idx) => {
                            m.funcs.push(idx);
                            m.num_imported_funcs += 1;
                            ExternType::Func(m.types.get(idx as usize).cloned().unwrap_or_default())
                        }
                        TypeRef::Table(t) => {
                            m.tables.push(table_type(t));
                            ExternType::Table(table_type(t))
                        }
                        TypeRef::Memory(t) => {
                            m.memories.push(memory_type(t));
                            ExternType::Memory(memory_type(t))
                        }
                        TypeRef::Global(t) => {
                            m.globals.push(global_type(t));
                            ExternType::Global(global_type(t))
                        }
                        TypeRef::Tag(_) => {
                            return Err(DecodeError {
                                offset: 0,
                                message: "tag imports (exceptions) are not supported".into(),
                            });
                        }
                    };
                    m.imports.push(ImportDesc {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                        ty,
                    });
                }
            }
            Payload::FunctionSection(reader) => {
                for idx in reader {
                    let idx = idx?;
                    m.funcs.push(idx);
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let table = table?;
                    m.tables.push(table_type(table.ty));
                    m.table_inits.push(match &table.init {
                        TableInit::RefNull => None,
                        TableInit::Expr(e) => Some(decode::const_expr(e)?),
                    });
                }
            }
            Payload::MemorySection(reader) => {
                for mem in reader {
                    m.memories.push(memory_type(mem?));
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global?;
                    m.globals.push(global_type(global.ty));
                    m.global_inits.push(decode::const_expr(&global.init_expr)?);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    m.export_targets.push((export.kind, export.index));
                    m.exports.push(ExportDesc {
                        name: export.name.to_string(),
                        // Filled in below, once all index spaces are known.
                        ty: ExternType::Func(FuncType::default()),
                    });
                }
            }
            Payload::StartSection { func, .. } => m.start = Some(func),
            Payload::ElementSection(reader) => {
                for elem in reader {
                    let elem = elem?;
                    let items = match elem.items {
                        ElementItems::Functions(funcs) => {
                            let mut items = Vec::new();
                            for f in funcs {
                                items.push(ConstExpr(vec![ConstInstr::RefFunc(f?)]));
                            }
                            items
                        }
                        ElementItems::Expressions(_, exprs) => {
                            let mut items = Vec::new();
                            for e in exprs {
                                items.push(decode::const_expr(&e?)?);
                            }
                            items
                        }
                    };
                    let mode = match elem.kind {
                        ElementKind::Passive => ElemMode::Passive,
                        ElementKind::Declared => ElemMode::Declarative,
                        ElementKind::Active {
                            table_index,
                            offset_expr,
                        } => ElemMode::Active {
                            table: table_index.unwrap_or(0),
                            offset: decode::const_expr(&offset_expr)?,
                        },
                    };
                    m.elems.push(ElemSegment { items, mode });
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    let active = match data.kind {
                        DataKind::Passive => None,
                        DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => Some((memory_index, decode::const_expr(&offset_expr)?)),
                    };
                    m.datas.push(DataSegment {
                        bytes: Arc::from(data.data),
                        active,
                    });
                }
            }
            Payload::CodeSectionEntry(body) => {
                let body = decode::func_body(&body, &m.types)?;
                m.code.push(body);
            }
            Payload::CustomSection(reader) => {
                // A malformed name section is not an error (spec §7.4.1:
                // custom sections are ignored); we keep what parsed.
                if let KnownCustom::Name(names) = reader.as_known() {
                    for name in names.into_iter().map_while(Result::ok) {
                        match name {
                            Name::Module { name, .. } => m.name = Some(name.to_string()),
                            Name::Function(map) => {
                                for naming in map.into_iter().map_while(Result::ok) {
                                    m.func_names.insert(naming.index, naming.name.to_string());
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let export_types: Vec<ExternType> = m
        .export_targets
        .iter()
        .map(|(kind, index)| m.extern_type_of(*kind, *index))
        .collect();
    for (desc, ty) in m.exports.iter_mut().zip(export_types) {
        desc.ty = ty;
    }
    Ok(m)
}

impl ModuleInner {
    /// The function type of a function, by function index.
    pub(crate) fn func_type(&self, func_index: u32) -> FuncType {
        self.funcs
            .get(func_index as usize)
            .and_then(|t| self.types.get(*t as usize))
            .cloned()
            .unwrap_or_default()
    }

    fn extern_type_of(&self, kind: ExternalKind, index: u32) -> ExternType {
        let i = index as usize;
        // Validation guarantees export indices are in range; the fallbacks
        // only keep this total.
        match kind {
            ExternalKind::Table => {
                ExternType::Table(self.tables.get(i).copied().unwrap_or(TableType {
                    elem: RefType::FUNCREF,
                    min: 0,
                    max: None,
                    table64: false,
                }))
            }
            ExternalKind::Memory => {
                ExternType::Memory(self.memories.get(i).copied().unwrap_or(MemoryType {
                    min: 0,
                    max: None,
                    memory64: false,
                    shared: false,
                }))
            }
            ExternalKind::Global => {
                ExternType::Global(self.globals.get(i).copied().unwrap_or(GlobalType {
                    content: crate::types::ValType::I32,
                    mutable: false,
                }))
            }
            _ => ExternType::Func(self.func_type(index)),
        }
    }

    /// A function's name for backtraces.
    pub(crate) fn func_name(&self, func_index: u32) -> Option<&str> {
        self.func_names.get(&func_index).map(String::as_str)
    }
}
