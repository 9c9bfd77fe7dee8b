//! The `Jit` strategy: modules compiled by `wasmproof-codegen` (machine
//! code only from proven lowering rules) behind the [`StoreBackend`] seam.
//!
//! * `mod.rs`: compiling a module and mapping compile errors.
//! * `objects.rs`: the store's memories, tables, globals and functions, in
//!   the layouts compiled code reads (`wasmproof_codegen::vm`).
//! * `instance.rs`: instantiation (contexts, imports, segments, start).
//! * `call.rs`: entering compiled code, host calls out of it, libcalls,
//!   traps and backtraces — the only place code is executed.
//! * `store.rs`: `JitStore` and its [`StoreBackend`] implementation.
//!
//! [`StoreBackend`]: crate::strategy::StoreBackend

mod call;
mod instance;
mod objects;
mod store;

pub(crate) use store::JitStore;

use wasmproof_codegen::ir::Type;
use wasmproof_codegen::{CompileError, CompileOptions, CompiledModule, compile_module};

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::module::{ModuleError, ModuleErrorKind};
use crate::types::{FuncType, ValType};

/// A module's compiled code and the engine-wide ids of its types.
pub(crate) struct JitCode {
    pub(crate) compiled: CompiledModule,
    /// Per module type index.
    pub(crate) type_ids: Box<[u64]>,
    /// Per module type index.
    pub(crate) types: Vec<FuncType>,
}

/// Compiles `binary` (already validated by the oracle) for `engine`.
pub(crate) fn compile(engine: &Engine, binary: &[u8]) -> Result<JitCode> {
    let config = engine.config();
    let opts = CompileOptions {
        fuel_checks: config.fuel_enabled(),
        epoch_checks: config.epoch_interruption_enabled(),
    };
    let compiled = compile_module(binary, &opts).map_err(compile_error)?;
    let types: Vec<FuncType> = compiled.info().types.iter().map(func_type).collect();
    let type_ids = types.iter().map(|t| engine.signature_id(t)).collect();
    Ok(JitCode {
        compiled,
        type_ids,
        types,
    })
}

/// A compiler error as a module error: unsupported proposals keep their
/// name (the message names the function and the operator), everything
/// else is a compile error naming the function.
pub(crate) fn compile_error(e: CompileError) -> Error {
    let offset = match &e {
        CompileError::Translate(t) => usize::try_from(t.offset).ok(),
        _ => None,
    };
    let kind = match (&e, e.unsupported()) {
        (_, Some((_, proposal))) => ModuleErrorKind::Unsupported { proposal },
        (CompileError::Translate(_), None) => ModuleErrorKind::Invalid,
        _ => ModuleErrorKind::Compile,
    };
    ModuleError {
        kind,
        offset,
        message: e.to_string(),
    }
    .into()
}

pub(crate) fn val_type(t: Type) -> ValType {
    match t {
        Type::I32 => ValType::I32,
        Type::I64 => ValType::I64,
        Type::F32 => ValType::F32,
        Type::F64 => ValType::F64,
    }
}

fn func_type(sig: &wasmproof_codegen::ir::Signature) -> FuncType {
    FuncType::new(
        sig.params.iter().map(|t| val_type(*t)),
        sig.results.iter().map(|t| val_type(*t)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmproof_codegen::translate::TranslateError;

    fn module_error(e: CompileError) -> ModuleError {
        compile_error(e)
            .downcast::<ModuleError>()
            .expect("a module error")
    }

    #[test]
    fn unsupported_operator_names_proposal_function_and_operator() {
        let e = module_error(CompileError::Translate(TranslateError::unsupported(
            Some(3),
            0x2a,
            "MemoryCopy",
            "bulk_memory",
        )));
        assert_eq!(
            e.kind(),
            &ModuleErrorKind::Unsupported {
                proposal: "bulk_memory"
            }
        );
        assert_eq!(e.offset(), Some(0x2a));
        let text = e.to_string();
        assert!(text.contains("`bulk_memory`"), "{text}");
        assert!(text.contains("function 3"), "{text}");
        assert!(text.contains("MemoryCopy"), "{text}");
    }

    #[test]
    fn lowering_failure_is_a_compile_error_naming_the_function() {
        let e = module_error(CompileError::Lowering {
            func_index: 7,
            message: "no proven rule for `i64.rotl`".into(),
        });
        assert_eq!(e.kind(), &ModuleErrorKind::Compile);
        assert_eq!(
            e.to_string(),
            "cannot compile module: function 7: no proven rule for `i64.rotl`"
        );
    }

    #[test]
    fn invalid_translation_stays_invalid() {
        let e = module_error(CompileError::Translate(TranslateError::invalid(
            None, 5, "bad",
        )));
        assert_eq!(e.kind(), &ModuleErrorKind::Invalid);
        assert!(e.to_string().contains("module: bad"), "{e}");
    }

    #[test]
    fn code_memory_failure_is_a_compile_error() {
        let e = module_error(CompileError::Memory("ENOMEM".into()));
        assert_eq!(e.kind(), &ModuleErrorKind::Compile);
        assert!(e.to_string().contains("ENOMEM"), "{e}");
    }
}
