//! What translation (and the IR evaluator) needs to know about a module
//! besides function bodies: types, the function/global/table/memory index
//! spaces, and the active segments.

use wasmparser::{
    DataKind, ElementItems, ElementKind, ExternalKind, FuncToValidate, FunctionBody, Operator,
    Parser, Payload, TableInit, TypeRef, ValType, ValidPayload, Validator, ValidatorResources,
};

use super::error::TranslateError;
use crate::ir::{Signature, Type};

/// A constant initializer (Wasm 1.0/2.0 constant expressions, single
/// instruction).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstInit {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    GlobalGet(u32),
    RefNull,
    RefFunc(u32),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalInfo {
    pub ty: Type,
    pub mutable: bool,
    /// `None` for an imported global.
    pub init: Option<ConstInit>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitsInfo {
    pub min: u64,
    pub max: Option<u64>,
    pub imported: bool,
}

/// An active element segment: `funcs[i]` goes to `table[offset + i]`
/// (`None`: a null reference).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElemInfo {
    pub table: u32,
    pub offset: ConstInit,
    pub funcs: Vec<Option<u32>>,
}

/// An active data segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataInfo {
    pub offset: ConstInit,
    pub bytes: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportInfo {
    pub name: String,
    pub kind: ExternalKind,
    pub index: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleInfo {
    /// Function types by type index.
    pub types: Vec<Signature>,
    /// Types this compiler cannot express (e.g. with a `v128` parameter),
    /// by type index; their entry in `types` is a placeholder.
    pub type_errors: Vec<(u32, TranslateError)>,
    /// The type index of every function, imported ones first.
    pub funcs: Vec<u32>,
    /// `(module, name)` of each imported function.
    pub imported_funcs: Vec<(String, String)>,
    pub globals: Vec<GlobalInfo>,
    pub memory: Option<LimitsInfo>,
    pub tables: Vec<LimitsInfo>,
    pub elems: Vec<ElemInfo>,
    pub datas: Vec<DataInfo>,
    pub exports: Vec<ExportInfo>,
    pub start: Option<u32>,
}

impl ModuleInfo {
    pub fn num_imported_funcs(&self) -> u32 {
        self.imported_funcs.len() as u32
    }

    /// A function type by type index, or why it cannot be used.
    pub fn sig(&self, type_index: u32) -> Result<&Signature, TranslateError> {
        if let Some((_, e)) = self.type_errors.iter().find(|(i, _)| *i == type_index) {
            return Err(e.clone());
        }
        self.types.get(type_index as usize).ok_or_else(|| {
            TranslateError::invalid(None, 0, format!("type index {type_index} out of range"))
        })
    }

    /// The signature of a function by function index.
    pub fn func_sig(&self, func_index: u32) -> Result<&Signature, TranslateError> {
        let ty = *self.funcs.get(func_index as usize).ok_or_else(|| {
            TranslateError::invalid(None, 0, format!("function index {func_index} out of range"))
        })?;
        self.sig(ty)
    }

    /// The index of an exported function.
    pub fn exported_func(&self, name: &str) -> Option<u32> {
        self.exports
            .iter()
            .find(|e| e.name == name && e.kind == ExternalKind::Func)
            .map(|e| e.index)
    }
}

/// The IR type of a Wasm value type; reference and vector types are not
/// supported (`what` says where it occurred, for the error).
pub fn ir_type(
    ty: ValType,
    func: Option<u32>,
    offset: u64,
    what: &str,
) -> Result<Type, TranslateError> {
    match ty {
        ValType::I32 => Ok(Type::I32),
        ValType::I64 => Ok(Type::I64),
        ValType::F32 => Ok(Type::F32),
        ValType::F64 => Ok(Type::F64),
        ValType::V128 => Err(TranslateError::unsupported(
            func,
            offset,
            format!("v128 {what}"),
            "simd",
        )),
        ValType::Ref(_) => Err(TranslateError::unsupported(
            func,
            offset,
            format!("reference-typed {what}"),
            "reference_types",
        )),
    }
}

fn const_init(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstInit, TranslateError> {
    let mut reader = expr.get_operators_reader();
    let offset = reader.original_position();
    let op = reader
        .read()
        .map_err(|e| TranslateError::from_reader(None, e))?;
    let init = match op {
        Operator::I32Const { value } => ConstInit::I32(value),
        Operator::I64Const { value } => ConstInit::I64(value),
        Operator::F32Const { value } => ConstInit::F32(value.bits()),
        Operator::F64Const { value } => ConstInit::F64(value.bits()),
        Operator::GlobalGet { global_index } => ConstInit::GlobalGet(global_index),
        Operator::RefNull { .. } => ConstInit::RefNull,
        Operator::RefFunc { function_index } => ConstInit::RefFunc(function_index),
        other => {
            return Err(TranslateError::unsupported(
                None,
                offset,
                format!("{other:?} in a constant expression"),
                "extended_const",
            ));
        }
    };
    match reader.read() {
        Ok(Operator::End) => Ok(init),
        _ => Err(TranslateError::unsupported(
            None,
            offset,
            "multi-instruction constant expression",
            "extended_const",
        )),
    }
}

fn sig_of(f: &wasmparser::FuncType, offset: u64) -> Result<Signature, TranslateError> {
    let conv = |tys: &[ValType], what| -> Result<Vec<Type>, TranslateError> {
        tys.iter()
            .map(|&t| ir_type(t, None, offset, what))
            .collect()
    };
    Ok(Signature {
        params: conv(f.params(), "parameter")?,
        results: conv(f.results(), "result")?,
    })
}

/// A function body, not yet validated: its function index, its bytes and
/// what wasmparser needs to validate it on its own (on any thread).
pub struct BodyToCompile<'a> {
    pub index: u32,
    pub body: FunctionBody<'a>,
    pub validator: FuncToValidate<ValidatorResources>,
}

/// Reads and validates everything but the function bodies (`validator`
/// sees every payload); the bodies are returned for the translator.
pub fn read_module<'a>(
    bytes: &'a [u8],
    validator: &mut Validator,
) -> Result<(ModuleInfo, Vec<BodyToCompile<'a>>), TranslateError> {
    let mut m = ModuleInfo::default();
    let mut bodies = Vec::new();
    let err = |e| TranslateError::from_reader(None, e);
    let mut parser = Parser::new(0);
    parser.set_features(*validator.features());
    for payload in parser.parse_all(bytes) {
        let payload = payload.map_err(err)?;
        if let ValidPayload::Func(validator, body) = validator.payload(&payload).map_err(err)? {
            let index = m.num_imported_funcs() + bodies.len() as u32;
            bodies.push(BodyToCompile {
                index,
                body,
                validator,
            });
            continue;
        }
        match payload {
            Payload::TypeSection(reader) => {
                let offset = reader.range().start;
                for group in reader {
                    for sub in group.map_err(err)?.into_types() {
                        match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => {
                                // A type this compiler cannot express makes
                                // only its users fail.
                                match sig_of(f, offset) {
                                    Ok(sig) => m.types.push(sig),
                                    Err(e) => {
                                        m.type_errors.push((m.types.len() as u32, e));
                                        m.types.push(Signature::default());
                                    }
                                }
                            }
                            _ => {
                                return Err(TranslateError::unsupported(
                                    None,
                                    offset,
                                    "non-function type definition",
                                    "gc",
                                ));
                            }
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
                let offset = reader.range().start;
                for import in reader.into_imports() {
                    let import = import.map_err(err)?;
                    match import.ty {
                        TypeRef::Func(idx) | TypeRef::FuncExact(idx) => {
                            m.funcs.push(idx);
                            m.imported_funcs
                                .push((import.module.to_string(), import.name.to_string()));
                        }
                        TypeRef::Table(t) => m.tables.push(LimitsInfo {
                            min: t.initial,
                            max: t.maximum,
                            imported: true,
                        }),
                        TypeRef::Memory(t) => {
                            m.memory = Some(LimitsInfo {
                                min: t.initial,
                                max: t.maximum,
                                imported: true,
                            })
                        }
                        TypeRef::Global(t) => m.globals.push(GlobalInfo {
                            ty: ir_type(t.content_type, None, offset, "global")?,
                            mutable: t.mutable,
                            init: None,
                        }),
                        TypeRef::Tag(_) => {
                            return Err(TranslateError::unsupported(
                                None,
                                offset,
                                "tag import",
                                "exceptions",
                            ));
                        }
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for idx in reader {
                    m.funcs.push(idx.map_err(err)?);
                }
            }
            Payload::TableSection(reader) => {
                let offset = reader.range().start;
                for table in reader {
                    let table = table.map_err(err)?;
                    if let TableInit::Expr(_) = table.init {
                        return Err(TranslateError::unsupported(
                            None,
                            offset,
                            "table with an initializer expression",
                            "function_references",
                        ));
                    }
                    m.tables.push(LimitsInfo {
                        min: table.ty.initial,
                        max: table.ty.maximum,
                        imported: false,
                    });
                }
            }
            Payload::MemorySection(reader) => {
                let offset = reader.range().start;
                for mem in reader {
                    let mem = mem.map_err(err)?;
                    if m.memory.is_some() {
                        return Err(TranslateError::unsupported(
                            None,
                            offset,
                            "second memory",
                            "multi_memory",
                        ));
                    }
                    if mem.memory64 {
                        return Err(TranslateError::unsupported(
                            None,
                            offset,
                            "64-bit memory",
                            "memory64",
                        ));
                    }
                    m.memory = Some(LimitsInfo {
                        min: mem.initial,
                        max: mem.maximum,
                        imported: false,
                    });
                }
            }
            Payload::GlobalSection(reader) => {
                let offset = reader.range().start;
                for global in reader {
                    let global = global.map_err(err)?;
                    m.globals.push(GlobalInfo {
                        ty: ir_type(global.ty.content_type, None, offset, "global")?,
                        mutable: global.ty.mutable,
                        init: Some(const_init(&global.init_expr)?),
                    });
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(err)?;
                    m.exports.push(ExportInfo {
                        name: export.name.to_string(),
                        kind: export.kind,
                        index: export.index,
                    });
                }
            }
            Payload::StartSection { func, .. } => m.start = Some(func),
            Payload::ElementSection(reader) => {
                for elem in reader {
                    let elem = elem.map_err(err)?;
                    // Passive and declared segments are only reachable
                    // through bulk-memory/reference-type instructions,
                    // which function translation rejects.
                    let ElementKind::Active {
                        table_index,
                        offset_expr,
                    } = elem.kind
                    else {
                        continue;
                    };
                    let mut funcs = Vec::new();
                    match elem.items {
                        ElementItems::Functions(fs) => {
                            for f in fs {
                                funcs.push(Some(f.map_err(err)?));
                            }
                        }
                        ElementItems::Expressions(_, exprs) => {
                            for e in exprs {
                                funcs.push(match const_init(&e.map_err(err)?)? {
                                    ConstInit::RefFunc(f) => Some(f),
                                    _ => None,
                                });
                            }
                        }
                    }
                    m.elems.push(ElemInfo {
                        table: table_index.unwrap_or(0),
                        offset: const_init(&offset_expr)?,
                        funcs,
                    });
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data.map_err(err)?;
                    if let DataKind::Active { offset_expr, .. } = data.kind {
                        m.datas.push(DataInfo {
                            offset: const_init(&offset_expr)?,
                            bytes: data.data.to_vec(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    Ok((m, bodies))
}
