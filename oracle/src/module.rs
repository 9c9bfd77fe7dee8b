//! Decoding and validation (spec §5, §3): a `Module` is a module that
//! wasmparser has decoded and validated, in the form execution needs.

use crate::types::ExternType;

/// A decoded, validated module. Cheap to clone (shared inside), `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Module {
    // Filled by the oracle implementation.
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
        let _ = bytes;
        todo!("oracle: Module::new")
    }

    pub fn imports(&self) -> &[ImportDesc] {
        todo!("oracle: Module::imports")
    }

    pub fn exports(&self) -> &[ExportDesc] {
        todo!("oracle: Module::exports")
    }

    /// The module's name from the name section.
    pub fn name(&self) -> Option<&str> {
        todo!("oracle: Module::name")
    }

    /// A function's name from the name section, by function index.
    pub fn func_name(&self, func_index: u32) -> Option<&str> {
        let _ = func_index;
        todo!("oracle: Module::func_name")
    }
}
