//! Traps: their kind and the Wasm backtrace where they happened.

use std::fmt;

/// Why execution stopped abruptly.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapKind {
    /// An `unreachable` instruction was executed.
    Unreachable,
    IntegerDivideByZero,
    IntegerOverflow,
    /// A float-to-int truncation of NaN or of a value out of range.
    InvalidConversionToInteger,
    MemoryOutOfBounds,
    TableOutOfBounds,
    /// `call_indirect` found a function of another type.
    IndirectCallTypeMismatch,
    /// `call_indirect` with an index outside the table.
    UndefinedElement,
    /// `call_indirect` found a null table element.
    UninitializedElement,
    NullReference,
    /// Too many nested calls (see `Config::max_call_depth`).
    CallStackExhausted,
    /// The store's fuel ran out (see `Config::consume_fuel`).
    OutOfFuel,
    /// The epoch deadline passed (see `Config::epoch_interruption`).
    Interrupted,
    /// A host function returned an error.
    Host,
}

impl TrapKind {
    /// A short human-readable description (the official testsuite's wording
    /// where there is one).
    pub fn message(self) -> &'static str {
        match self {
            TrapKind::Unreachable => "unreachable",
            TrapKind::IntegerDivideByZero => "integer divide by zero",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::InvalidConversionToInteger => "invalid conversion to integer",
            TrapKind::MemoryOutOfBounds => "out of bounds memory access",
            TrapKind::TableOutOfBounds => "out of bounds table access",
            TrapKind::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapKind::UndefinedElement => "undefined element",
            TrapKind::UninitializedElement => "uninitialized element",
            TrapKind::NullReference => "null reference",
            TrapKind::CallStackExhausted => "call stack exhausted",
            TrapKind::OutOfFuel => "all fuel consumed",
            TrapKind::Interrupted => "interrupted (epoch deadline reached)",
            TrapKind::Host => "host function error",
        }
    }

    /// A stable identifier, e.g. `integer_divide_by_zero` (what the CLI prints).
    pub fn name(self) -> &'static str {
        match self {
            TrapKind::Unreachable => "unreachable",
            TrapKind::IntegerDivideByZero => "integer_divide_by_zero",
            TrapKind::IntegerOverflow => "integer_overflow",
            TrapKind::InvalidConversionToInteger => "invalid_conversion_to_integer",
            TrapKind::MemoryOutOfBounds => "memory_out_of_bounds",
            TrapKind::TableOutOfBounds => "table_out_of_bounds",
            TrapKind::IndirectCallTypeMismatch => "indirect_call_type_mismatch",
            TrapKind::UndefinedElement => "undefined_element",
            TrapKind::UninitializedElement => "uninitialized_element",
            TrapKind::NullReference => "null_reference",
            TrapKind::CallStackExhausted => "call_stack_exhausted",
            TrapKind::OutOfFuel => "out_of_fuel",
            TrapKind::Interrupted => "interrupted",
            TrapKind::Host => "host",
        }
    }
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// One frame of a Wasm backtrace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameInfo {
    pub(crate) func_index: u32,
    pub(crate) func_name: Option<String>,
    pub(crate) module_name: Option<String>,
}

impl FrameInfo {
    /// The function's index in its module's function index space.
    pub fn func_index(&self) -> u32 {
        self.func_index
    }
    /// The function's name from the module's name section, if any.
    pub fn func_name(&self) -> Option<&str> {
        self.func_name.as_deref()
    }
    /// The module's name from the name section, if any.
    pub fn module_name(&self) -> Option<&str> {
        self.module_name.as_deref()
    }
}

impl fmt::Display for FrameInfo {
    /// `module!name (func 3)`, with `<unknown>` for missing names.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let module = self.module_name.as_deref().unwrap_or("<unknown>");
        match &self.func_name {
            Some(name) => write!(f, "{module}!{name} (func {})", self.func_index),
            None => write!(f, "{module}!<wasm function {}>", self.func_index),
        }
    }
}

/// The Wasm frames active when a trap happened, innermost first.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct WasmBacktrace {
    pub(crate) frames: Vec<FrameInfo>,
}

impl WasmBacktrace {
    pub fn frames(&self) -> &[FrameInfo] {
        &self.frames
    }
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
}

impl fmt::Display for WasmBacktrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("wasm backtrace:")?;
        for (i, frame) in self.frames.iter().enumerate() {
            write!(f, "\n  {i:>3}: {frame}")?;
        }
        Ok(())
    }
}

/// A trap raised by Wasm code (for a host function's error, the host's own
/// error is returned instead, with the backtrace attached to the [`Error`]).
///
/// [`Error`]: crate::Error
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    pub(crate) kind: TrapKind,
    pub(crate) backtrace: WasmBacktrace,
}

impl Trap {
    pub fn new(kind: TrapKind) -> Trap {
        Trap {
            kind,
            backtrace: WasmBacktrace::default(),
        }
    }
    pub fn kind(&self) -> TrapKind {
        self.kind
    }
    pub fn backtrace(&self) -> &WasmBacktrace {
        &self.backtrace
    }
}

impl fmt::Display for Trap {
    /// `wasm trap: <kind>`, then the backtrace on following lines if any.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasm trap: {}", self.kind)?;
        if !self.backtrace.is_empty() {
            write!(f, "\n{}", self.backtrace)?;
        }
        Ok(())
    }
}

impl std::error::Error for Trap {}

/// The error a WASI program's `proc_exit(code)` returns to the embedder.
/// Retrieve it with `error.downcast_ref::<I32Exit>()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct I32Exit(pub i32);

impl fmt::Display for I32Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exited with i32 exit status {}", self.0)
    }
}

impl std::error::Error for I32Exit {}
