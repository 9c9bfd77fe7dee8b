//! Traps and other abrupt outcomes of execution.

use std::fmt;

/// Why execution stopped abruptly. Each spec trap has its own kind, so a test
/// can tell "integer overflow" from "integer divide by zero".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapKind {
    Unreachable,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversionToInteger,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallTypeMismatch,
    /// `call_indirect` with an index outside the table (the testsuite's
    /// "undefined element", distinct from an out-of-bounds `table.get`).
    UndefinedElement,
    UninitializedElement,
    NullReference,
    CallStackExhausted,
    /// The store's fuel budget ran out (not a spec trap: a host-imposed limit).
    OutOfFuel,
    /// The epoch deadline passed (not a spec trap: a host-imposed interruption).
    Interrupted,
    /// A host function returned an error; see [`Trap::host_error`].
    Host,
}

impl TrapKind {
    /// The message the official testsuite uses in `assert_trap` (e.g.
    /// "integer divide by zero", "out of bounds memory access").
    pub fn spec_message(self) -> &'static str {
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
            // Not spec traps: the host's limits and errors.
            TrapKind::OutOfFuel => "all fuel consumed",
            TrapKind::Interrupted => "interrupted",
            TrapKind::Host => "host function error",
        }
    }
}

/// One frame of a Wasm backtrace, innermost first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The function's index in its module's function index space.
    pub func_index: u32,
    /// The function's name from the module's name section, if any.
    pub func_name: Option<String>,
    /// The module's name from the name section, if any.
    pub module_name: Option<String>,
}

/// A trap: its kind, the Wasm backtrace at the point it happened, and the
/// host's error when a host function caused it.
#[derive(Debug)]
pub struct Trap {
    pub kind: TrapKind,
    pub backtrace: Vec<Frame>,
    pub host_error: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Trap {
    pub fn new(kind: TrapKind) -> Trap {
        Trap {
            kind,
            backtrace: Vec::new(),
            host_error: None,
        }
    }

    /// A trap carrying a host function's error.
    pub fn host(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Trap {
        Trap {
            kind: TrapKind::Host,
            backtrace: Vec::new(),
            host_error: Some(err.into()),
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.spec_message())?;
        if let Some(err) = &self.host_error {
            write!(f, ": {err}")?;
        }
        if !self.backtrace.is_empty() {
            f.write_str("\nwasm backtrace:")?;
            for (i, frame) in self.backtrace.iter().enumerate() {
                write!(f, "\n  {i:>2}: ")?;
                if let Some(m) = &frame.module_name {
                    write!(f, "{m}!")?;
                }
                match &frame.func_name {
                    Some(name) => write!(f, "{name} (func {})", frame.func_index)?,
                    None => write!(f, "func {}", frame.func_index)?,
                }
            }
        }
        Ok(())
    }
}

impl std::error::Error for Trap {}
