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
    BodyToCompile, ConstInit, DataInfo, ElemInfo, ExportInfo, GlobalInfo, LimitsInfo, ModuleInfo,
};
pub use operators::{classify as classify_operator, is_supported as is_supported_operator};

use wasmparser::{FuncValidatorAllocations, Validator};

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
    validate_all(bytes)?;
    let (info, bodies) = module_info::read_module(bytes, &mut validator())?;
    let functions = bodies
        .iter()
        .map(|b| body::translate_body(&info, b.index, &b.body, opts))
        .collect();
    Ok(TranslatedModule { info, functions })
}

fn validator() -> Validator {
    Validator::new_with_features(validation_features())
}

/// The whole module's validation, bodies included, in wasmparser's order
/// (sections, then bodies in index order): a validation error is reported
/// before any other.
fn validate_all(bytes: &[u8]) -> Result<(), TranslateError> {
    validator()
        .validate_all(bytes)
        .map(drop)
        .map_err(|e| TranslateError::from_reader(None, e))
}

/// The serial part of compiling: the module's declarations, validated,
/// and its bodies, validated by [`translate_function`] (on any thread).
/// The error, if any, is the one [`translate_module`] reports.
pub fn read_module(bytes: &[u8]) -> Result<(ModuleInfo, Vec<BodyToCompile<'_>>), TranslateError> {
    // On failure (rare) the whole module is validated first, as
    // `translate_module` does, so a body's validation error comes first.
    module_info::read_module(bytes, &mut validator())
        .map_err(|e| validate_all(bytes).err().unwrap_or(e))
}

/// Why one function body did not translate.
#[derive(Debug)]
pub enum BodyError {
    /// It does not validate: reported as a module error, before any
    /// other function's error (as [`translate_module`] does).
    Invalid(TranslateError),
    /// Validated, but not translated (unsupported operator, ...).
    Translate(TranslateError),
}

/// Validates then translates one body from [`read_module`]; `allocs` is
/// reused across a thread's bodies.
pub fn translate_function(
    info: &ModuleInfo,
    body: BodyToCompile<'_>,
    opts: &TranslateOptions,
    allocs: &mut FuncValidatorAllocations,
) -> Result<Function, BodyError> {
    let mut v = body.validator.into_validator(std::mem::take(allocs));
    let valid = v.validate(&body.body);
    *allocs = v.into_allocations();
    valid.map_err(|e| BodyError::Invalid(TranslateError::from_reader(None, e)))?;
    body::translate_body(info, body.index, &body.body, opts).map_err(BodyError::Translate)
}
