//! Modules: compiled (for the interpreter: decoded and validated) Wasm.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::interp;
use crate::strategy::Artifact;
use crate::types::{ExportType, ImportType, MemoryType, TableType};

/// Why a module was rejected.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModuleErrorKind {
    /// The WebAssembly text did not parse.
    Text,
    /// Not a well-formed binary, or fails validation.
    Invalid,
    /// Valid only with a proposal this engine (or its strategy) does not
    /// support; `proposal` names it (e.g. "simd", "gc", "memory64", and
    /// under `Jit` also "bulk_memory", "reference_types"); the message
    /// names the function and the operator.
    Unsupported { proposal: &'static str },
    /// Valid, but the `Jit` strategy could not compile it (e.g. no proven
    /// lowering rule for an instruction); the message names the function.
    Compile,
}

/// A rejected module: the kind of rejection, the byte offset in the binary
/// (`None` for text errors, whose message carries line and column), and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleError {
    pub(crate) kind: ModuleErrorKind,
    pub(crate) offset: Option<usize>,
    pub(crate) message: String,
}

impl ModuleError {
    pub fn kind(&self) -> &ModuleErrorKind {
        &self.kind
    }
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ModuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ModuleErrorKind::Text => write!(f, "invalid WebAssembly text: {}", self.message),
            ModuleErrorKind::Invalid => match self.offset {
                Some(off) => write!(f, "invalid module: {} (at offset {off:#x})", self.message),
                None => write!(f, "invalid module: {}", self.message),
            },
            ModuleErrorKind::Compile => write!(f, "cannot compile module: {}", self.message),
            ModuleErrorKind::Unsupported { proposal } => {
                write!(
                    f,
                    "unsupported module: needs the `{proposal}` proposal: {}",
                    self.message
                )?;
                if let Some(off) = self.offset {
                    write!(f, " (at offset {off:#x})")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ModuleError {}

/// A compiled module. Cheap to clone, `Send + Sync`, usable in any store of
/// its engine.
#[derive(Clone)]
pub struct Module {
    inner: Arc<ModuleInner>,
}

struct ModuleInner {
    engine: Engine,
    name: Option<String>,
    imports: Vec<ImportType>,
    exports: Vec<ExportType>,
    memories: Vec<MemoryType>,
    tables: Vec<TableType>,
    artifact: Artifact,
}

impl fmt::Debug for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.inner.name)
            .field("imports", &self.inner.imports)
            .field("exports", &self.inner.exports)
            .finish_non_exhaustive()
    }
}

impl Module {
    /// Compiles a module from binary Wasm or WebAssembly text (WAT).
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let binary = to_binary(bytes.as_ref(), None)?;
        Module::from_binary(engine, &binary)
    }

    /// Compiles a module from binary Wasm only.
    pub fn from_binary(engine: &Engine, binary: &[u8]) -> Result<Module> {
        // The oracle decodes and validates under every strategy: it gives
        // the import/export types and names the API reports.
        let decoded = wasmproof_oracle::Module::new(binary).map_err(interp::module_error)?;
        let info = interp::module_info(&decoded);
        let artifact = match engine.config().strategy {
            crate::Strategy::Interpreter => Artifact::Interpreter(decoded),
            crate::Strategy::Jit => {
                let code = crate::jit::compile(engine, binary)?;
                Artifact::Jit(decoded, Arc::new(code))
            }
        };
        Ok(Module {
            inner: Arc::new(ModuleInner {
                engine: engine.clone(),
                name: info.name,
                imports: info.imports,
                exports: info.exports,
                memories: info.memories,
                tables: info.tables,
                artifact,
            }),
        })
    }

    /// Reads and compiles a `.wasm` or `.wat` file.
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::new(e).context(format!("failed to read `{}`", path.display())))?;
        let binary = to_binary(&bytes, Some(path))
            .map_err(|e| e.context(format!("failed to compile `{}`", path.display())))?;
        Module::from_binary(engine, &binary)
            .map_err(|e| e.context(format!("failed to compile `{}`", path.display())))
    }

    /// Checks that `bytes` (binary or text) is a valid module for `engine`.
    pub fn validate(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<()> {
        Module::new(engine, bytes).map(|_| ())
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's name from the name section.
    pub fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// The imports, in declaration order, with their types.
    pub fn imports(&self) -> impl ExactSizeIterator<Item = &ImportType> + '_ {
        self.inner.imports.iter()
    }

    /// The exports, in declaration order, with their types.
    pub fn exports(&self) -> impl ExactSizeIterator<Item = &ExportType> + '_ {
        self.inner.exports.iter()
    }

    /// The type of an export by name.
    pub fn get_export(&self, name: &str) -> Option<&crate::ExternType> {
        self.inner
            .exports
            .iter()
            .find(|e| e.name == name)
            .map(|e| &e.ty)
    }

    pub(crate) fn import_types(&self) -> &[ImportType] {
        &self.inner.imports
    }
    pub(crate) fn defined_memories(&self) -> &[MemoryType] {
        &self.inner.memories
    }
    pub(crate) fn defined_tables(&self) -> &[TableType] {
        &self.inner.tables
    }
    pub(crate) fn artifact(&self) -> &Artifact {
        &self.inner.artifact
    }
}

/// Binary Wasm passes through; text is parsed with `wat`.
fn to_binary<'a>(bytes: &'a [u8], path: Option<&Path>) -> Result<std::borrow::Cow<'a, [u8]>> {
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes.into());
    }
    if wat::Detect::from_bytes(bytes) != wat::Detect::WasmText {
        return Err(ModuleError {
            kind: ModuleErrorKind::Invalid,
            offset: Some(0),
            message: "not a WebAssembly module: neither the binary magic `\\0asm` nor text \
                      starting with `(`"
                .into(),
        }
        .into());
    }
    wat::Parser::new().parse_bytes(path, bytes).map_err(|e| {
        // wat renders "message\n --> file:line:col\n  | source..."; keep the
        // message and the location on one line.
        let text = e.to_string();
        let mut lines = text.lines();
        let first = lines.next().unwrap_or("").trim().to_string();
        let location = lines
            .next()
            .map(|l| l.trim().trim_start_matches("-->").trim());
        let message = match location {
            Some(loc) if !loc.is_empty() => format!("{first} (at {loc})"),
            _ => first,
        };
        ModuleError {
            kind: ModuleErrorKind::Text,
            offset: None,
            message,
        }
        .into()
    })
}
