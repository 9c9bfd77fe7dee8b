//! Wasm -> IR translation.
//!
//! [`translate_module`] validates a binary, reads its declarations
//! ([`ModuleInfo`]) and translates every function body (see `body.rs` for
//! the SSA construction and how traps are represented). Each function gets
//! its own result, so one unsupported function does not hide the others;
//! errors name the function index and the operator.
//!
//! Supported: Wasm 1.0 plus sign extension, non-trapping float-to-int and
//! multi-value. Bulk memory, reference types, table instructions and SIMD
//! are rejected with [`TranslateErrorKind::Unsupported`].

mod body;
mod control;
mod error;
pub mod module_info;
mod operators;

pub use error::{TranslateError, TranslateErrorKind};
pub use module_info::{
    ConstInit, DataInfo, ElemInfo, ExportInfo, GlobalInfo, LimitsInfo, ModuleInfo,
};
pub use operators::{classify as classify_operator, is_supported as is_supported_operator};

use crate::ir::Function;

/// Instrumentation the translator inserts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TranslateOptions {
    /// A `fuel_check` at function entry and at every loop header.
    pub fuel_checks: bool,
    /// An `epoch_check` at function entry and at every loop header.
    pub epoch_checks: bool,
}

/// A translated module: its declarations and one result per defined
/// function, in function-index order (starting after the imports).
#[derive(Clone, Debug)]
pub struct TranslatedModule {
    pub info: ModuleInfo,
    pub functions: Vec<Result<Function, TranslateError>>,
}

impl TranslatedModule {
    /// All functions, or the first function's error.
    pub fn into_functions(self) -> Result<Vec<Function>, TranslateError> {
        self.functions.into_iter().collect()
    }

    /// The IR of a defined function, by function index.
    pub fn function(&self, func_index: u32) -> Option<&Result<Function, TranslateError>> {
        let i = func_index.checked_sub(self.info.num_imported_funcs())?;
        self.functions.get(i as usize)
    }
}

/// The proposals a module may use to get this far (function bodies then
/// report unsupported operators by name).
fn validation_features() -> wasmparser::WasmFeatures {
    wasmparser::WasmFeatures::WASM2
}

/// Validates and translates a binary module. `Err` only for problems of
/// the module as a whole; per-function problems are in
/// [`TranslatedModule::functions`].
pub fn translate_module(
    bytes: &[u8],
    opts: &TranslateOptions,
) -> Result<TranslatedModule, TranslateError> {
    wasmparser::Validator::new_with_features(validation_features())
        .validate_all(bytes)
        .map_err(|e| TranslateError::from_reader(None, e))?;
    let (info, bodies) = module_info::read_module(bytes)?;
    let functions = bodies
        .iter()
        .map(|(index, body)| body::translate_body(&info, *index, body, opts))
        .collect();
    Ok(TranslatedModule { info, functions })
}
