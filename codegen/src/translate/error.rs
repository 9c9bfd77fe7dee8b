//! Translation errors: always naming the function (by index) and, for
//! unsupported code, the operator and the proposal it belongs to.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TranslateErrorKind {
    /// The binary is malformed or does not validate (the message says why).
    Invalid(String),
    /// The module uses something this compiler does not implement: an
    /// operator (`operator` is wasmparser's name for it, e.g. `MemoryCopy`)
    /// or a module-level construct (described in `operator`).
    /// `proposal` is the Wasm proposal it comes from, e.g. `bulk_memory`,
    /// `reference_types`, `simd`.
    Unsupported {
        operator: String,
        proposal: &'static str,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranslateError {
    /// The function's index in the module's function index space (imports
    /// first); `None` for module-level problems.
    pub func_index: Option<u32>,
    /// Byte offset in the module binary.
    pub offset: u64,
    pub kind: TranslateErrorKind,
}

impl TranslateError {
    pub fn invalid(func_index: Option<u32>, offset: u64, message: impl Into<String>) -> Self {
        TranslateError {
            func_index,
            offset,
            kind: TranslateErrorKind::Invalid(message.into()),
        }
    }

    pub fn unsupported(
        func_index: Option<u32>,
        offset: u64,
        operator: impl Into<String>,
        proposal: &'static str,
    ) -> Self {
        TranslateError {
            func_index,
            offset,
            kind: TranslateErrorKind::Unsupported {
                operator: operator.into(),
                proposal,
            },
        }
    }

    pub(crate) fn from_reader(func_index: Option<u32>, e: wasmparser::BinaryReaderError) -> Self {
        TranslateError::invalid(func_index, e.offset(), e.message())
    }
}

impl fmt::Display for TranslateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.func_index {
            Some(i) => write!(f, "function {i}: ")?,
            None => f.write_str("module: ")?,
        }
        match &self.kind {
            TranslateErrorKind::Invalid(m) => write!(f, "{m}")?,
            TranslateErrorKind::Unsupported { operator, proposal } => write!(
                f,
                "unsupported operator `{operator}` (from the {proposal} proposal)"
            )?,
        }
        write!(f, " at offset {:#x}", self.offset)
    }
}

impl std::error::Error for TranslateError {}
