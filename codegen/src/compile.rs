//! The compiler's public entry: a Wasm binary in, executable code out.
//!
//! [`compile_module`] reads the module's declarations (serially), then,
//! one function per core at a time, validates and translates each body to
//! IR, lowers it through the proven ISLE rules, allocates registers and
//! encodes x86-64 into the function's own buffer; finally it links the
//! buffers, together with the stubs the runtime needs (array-call entries
//! and host-call adapters per signature, the trap landing), into one
//! [`CodeMemory`]. The layouts and conventions this code follows are in
//! [`crate::vm`].

use std::fmt;

use crate::backend::parallel::{self, FuncError};
use crate::backend::{link, stubs};
use crate::code_memory::CodeMemory;
use crate::ir::Signature;
use crate::translate::{self, ModuleInfo, TranslateError, TranslateErrorKind, TranslateOptions};
use iced_x86::BlockEncoderOptions;
use iced_x86::code_asm::{CodeAssembler, CodeLabel};

/// Instrumentation compiled into every function.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompileOptions {
    /// Fuel checks at function entries and loop headers.
    pub fuel_checks: bool,
    /// Epoch-deadline checks at function entries and loop headers.
    pub epoch_checks: bool,
}

/// Why a module did not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileError {
    /// Malformed or invalid Wasm, or an operator / construct outside what
    /// this compiler supports (bulk memory, reference types, ...): the
    /// translator's error, which names the function and the operator.
    Translate(TranslateError),
    /// The lowering found no proven rule for an IR instruction, or another
    /// internal limit was hit. Never silently worked around.
    Lowering { func_index: u32, message: String },
    /// The code memory could not be mapped.
    Memory(String),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::Translate(e) => write!(f, "{e}"),
            CompileError::Lowering {
                func_index,
                message,
            } => write!(f, "function {func_index}: {message}"),
            CompileError::Memory(m) => write!(f, "cannot map code memory: {m}"),
        }
    }
}

impl std::error::Error for CompileError {}

impl CompileError {
    /// `Some((operator, proposal))` when the module needs something this
    /// compiler does not implement.
    pub fn unsupported(&self) -> Option<(&str, &'static str)> {
        match self {
            CompileError::Translate(TranslateError {
                kind: TranslateErrorKind::Unsupported { operator, proposal },
                ..
            }) => Some((operator.as_str(), proposal)),
            _ => None,
        }
    }
}

impl From<TranslateError> for CompileError {
    fn from(e: TranslateError) -> Self {
        CompileError::Translate(e)
    }
}

/// A compiled module: its declarations and its code.
pub struct CompiledModule {
    pub(crate) info: ModuleInfo,
    pub(crate) code: CodeMemory,
    /// Per defined function (function index minus imports): offset and
    /// length of its native-convention code.
    pub(crate) funcs: Vec<(usize, usize)>,
    /// Per type index: offsets of the array entry and the host adapter.
    pub(crate) array_entries: Vec<usize>,
    pub(crate) host_adapters: Vec<usize>,
}

impl fmt::Debug for CompiledModule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompiledModule")
            .field("funcs", &self.funcs.len())
            .field("code", &self.code)
            .finish()
    }
}

impl CompiledModule {
    /// Types, imports, exports, globals, segments.
    pub fn info(&self) -> &ModuleInfo {
        &self.info
    }

    /// The native-convention entry of a defined function (`None` for an
    /// import or an index out of range).
    pub fn native_entry(&self, func_index: u32) -> Option<*const u8> {
        let i = func_index.checked_sub(self.info.num_imported_funcs())?;
        let (off, _) = *self.funcs.get(i as usize)?;
        Some(self.code.as_ptr().wrapping_add(off))
    }

    /// The array-convention entry stub ([`crate::vm::ArrayEntry`]) for a
    /// type index's signature.
    pub fn array_entry(&self, type_index: u32) -> Option<*const u8> {
        let off = *self.array_entries.get(type_index as usize)?;
        Some(self.code.as_ptr().wrapping_add(off))
    }

    /// The native-convention adapter that calls a host function (its
    /// `VMFuncRef::vmctx` is a [`crate::vm::VMHostContext`]) for a type
    /// index's signature.
    pub fn host_adapter(&self, type_index: u32) -> Option<*const u8> {
        let off = *self.host_adapters.get(type_index as usize)?;
        Some(self.code.as_ptr().wrapping_add(off))
    }

    /// The function index whose code contains `pc` (for backtraces).
    pub fn func_at_pc(&self, pc: usize) -> Option<u32> {
        let off = pc.checked_sub(self.code.as_ptr() as usize)?;
        let i = self
            .funcs
            .iter()
            .position(|&(start, len)| off >= start && off < start + len)?;
        Some(self.info.num_imported_funcs() + i as u32)
    }

    /// The whole code region `(start, len)`.
    pub fn code_range(&self) -> (usize, usize) {
        (self.code.as_ptr() as usize, self.code.len())
    }
}

/// Validate, translate and compile a binary module.
pub fn compile_module(bytes: &[u8], opts: &CompileOptions) -> Result<CompiledModule, CompileError> {
    let topts = TranslateOptions {
        fuel_checks: opts.fuel_checks,
        epoch_checks: opts.epoch_checks,
    };
    let (info, bodies) = translate::read_module(bytes)?;
    let imports = info.num_imported_funcs();
    let compiled = parallel::compile_functions(bodies, &info, &topts);
    // The error `translate_module` then an in-order compile would report:
    // a body that does not validate first, else the first function that
    // failed.
    if let Some(e) = compiled.iter().find_map(|r| match r {
        Err(FuncError::Invalid(e)) => Some(e.clone()),
        _ => None,
    }) {
        return Err(e.into());
    }
    let mut funcs = Vec::with_capacity(compiled.len());
    for (i, r) in compiled.into_iter().enumerate() {
        match r {
            Ok(f) => funcs.push(f),
            Err(FuncError::Invalid(e) | FuncError::Translate(e)) => return Err(e.into()),
            Err(FuncError::Lowering(message)) => {
                return Err(CompileError::Lowering {
                    func_index: imports + i as u32,
                    message,
                });
            }
        }
    }
    let offsets = link::layout(&funcs);
    let n = funcs.len();
    let base = offsets[n];
    let mut a = assembler()?;
    let mut landing = a.create_label();
    let stubs =
        emit_stubs(&mut a, &info.types, &mut landing).map_err(|m| CompileError::Lowering {
            func_index: 0,
            message: m,
        })?;
    let (tail, ips) = assemble(a, base, stubs.0.iter().chain(&stubs.1).chain([&landing]))?;
    let image = link::link(&funcs, &offsets, &tail, ips[ips.len() - 1]).map_err(|message| {
        CompileError::Lowering {
            func_index: 0,
            message,
        }
    })?;
    let code = CodeMemory::new(&image).map_err(|e| CompileError::Memory(e.to_string()))?;
    let funcs = (0..n)
        .map(|i| (offsets[i], offsets[i + 1] - offsets[i]))
        .collect();
    let array_entries = ips[..stubs.0.len()].to_vec();
    let host_adapters = ips[stubs.0.len()..stubs.0.len() + stubs.1.len()].to_vec();
    Ok(CompiledModule {
        info,
        code,
        funcs,
        array_entries,
        host_adapters,
    })
}

fn assembler() -> Result<CodeAssembler, CompileError> {
    CodeAssembler::new(64).map_err(|e| CompileError::Memory(e.to_string()))
}

/// The array entries and host adapters for `sigs`, then the trap landing
/// (labels of the first two, in `sigs` order).
fn emit_stubs(
    a: &mut CodeAssembler,
    sigs: &[Signature],
    landing: &mut CodeLabel,
) -> Result<(Vec<CodeLabel>, Vec<CodeLabel>), String> {
    let mut entries = Vec::new();
    let mut adapters = Vec::new();
    for sig in sigs {
        let mut l = a.create_label();
        stubs::array_entry(a, &mut l, sig).map_err(|e| e.0)?;
        entries.push(l);
    }
    for sig in sigs {
        let mut l = a.create_label();
        stubs::host_adapter(a, &mut l, sig, *landing).map_err(|e| e.0)?;
        adapters.push(l);
    }
    stubs::trap_landing(a, landing).map_err(|e| e.0)?;
    Ok((entries, adapters))
}

/// Assemble to run at offset `ip` of the code; the bytes and the offset
/// of each label.
fn assemble<'l>(
    mut a: CodeAssembler,
    ip: usize,
    labels: impl Iterator<Item = &'l CodeLabel>,
) -> Result<(Vec<u8>, Vec<usize>), CompileError> {
    let asm_err = |e: iced_x86::IcedError| CompileError::Lowering {
        func_index: 0,
        message: format!("assembling failed: {e}"),
    };
    let result = a
        .assemble_options(
            ip as u64,
            BlockEncoderOptions::RETURN_NEW_INSTRUCTION_OFFSETS,
        )
        .map_err(asm_err)?;
    let ips = labels
        .map(|l| result.label_ip(l).map(|ip| ip as usize))
        .collect::<Result<Vec<_>, _>>()
        .map_err(asm_err)?;
    Ok((result.inner.code_buffer, ips))
}

/// Array entries and host adapters for signatures no module declares (a
/// host function created by the embedder and stored in a table).
pub struct StubCode {
    pub(crate) code: CodeMemory,
    pub(crate) array_entries: Vec<usize>,
    pub(crate) host_adapters: Vec<usize>,
}

impl StubCode {
    pub fn array_entry(&self, i: usize) -> Option<*const u8> {
        Some(self.code.as_ptr().wrapping_add(*self.array_entries.get(i)?))
    }

    pub fn host_adapter(&self, i: usize) -> Option<*const u8> {
        Some(self.code.as_ptr().wrapping_add(*self.host_adapters.get(i)?))
    }
}

/// Compile the stubs for `sigs` (index `i` of the result is `sigs[i]`).
pub fn compile_stubs(sigs: &[Signature]) -> Result<StubCode, CompileError> {
    let mut a = assembler()?;
    let mut landing = a.create_label();
    let (entries, adapters) =
        emit_stubs(&mut a, sigs, &mut landing).map_err(|m| CompileError::Lowering {
            func_index: 0,
            message: m,
        })?;
    let (code, ips) = assemble(a, 0, entries.iter().chain(&adapters))?;
    let code = CodeMemory::new(&code).map_err(|e| CompileError::Memory(e.to_string()))?;
    Ok(StubCode {
        code,
        array_entries: ips[..entries.len()].to_vec(),
        host_adapters: ips[entries.len()..].to_vec(),
    })
}
