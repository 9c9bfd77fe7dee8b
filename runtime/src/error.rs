//! The crate's error type.

use std::error::Error as StdError;
use std::fmt;

use crate::trap::{Trap, TrapKind, WasmBacktrace};

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Any error of the API: a compile or link error, a trap, a host function's
/// error, a resource limit. Holds the original error, retrievable with
/// [`Error::downcast_ref`] (e.g. `Trap`, `I32Exit`, `LinkError`,
/// `ModuleError`, or the host's own error type), plus context messages and,
/// for errors that passed through Wasm, the Wasm backtrace.
pub struct Error {
    inner: Box<dyn StdError + Send + Sync + 'static>,
    /// Outermost last.
    context: Vec<String>,
    /// Set when a host function's error unwound through Wasm frames.
    host_backtrace: Option<WasmBacktrace>,
}

#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Message {}

impl Error {
    /// Wraps any error. Wrapping an `Error` returns it unchanged.
    pub fn new<E: StdError + Send + Sync + 'static>(error: E) -> Error {
        Error::from_boxed(Box::new(error))
    }

    /// An error with just a message.
    pub fn msg(message: impl fmt::Display) -> Error {
        Error::new(Message(message.to_string()))
    }

    pub(crate) fn from_boxed(boxed: Box<dyn StdError + Send + Sync + 'static>) -> Error {
        match boxed.downcast::<Error>() {
            Ok(e) => *e,
            Err(inner) => Error {
                inner,
                context: Vec::new(),
                host_backtrace: None,
            },
        }
    }

    /// Adds a context message, shown before the error: `context: error`.
    pub fn context(mut self, context: impl fmt::Display) -> Error {
        self.context.push(context.to_string());
        self
    }

    /// The original error, if it is an `E`.
    pub fn downcast_ref<E: StdError + 'static>(&self) -> Option<&E> {
        self.inner.downcast_ref::<E>()
    }

    /// The original error, if it is an `E`; otherwise `self` back.
    pub fn downcast<E: StdError + 'static>(self) -> Result<E, Error> {
        let Error {
            inner,
            context,
            host_backtrace,
        } = self;
        inner.downcast::<E>().map(|e| *e).map_err(|inner| Error {
            inner,
            context,
            host_backtrace,
        })
    }

    /// Whether the original error is an `E`.
    pub fn is<E: StdError + 'static>(&self) -> bool {
        self.inner.is::<E>()
    }

    /// The trap, if Wasm code trapped.
    pub fn trap(&self) -> Option<&Trap> {
        self.downcast_ref::<Trap>()
    }

    /// The trap kind: the Wasm trap's, or [`TrapKind::Host`] for a host
    /// function's error that unwound through Wasm. `None` for other errors.
    pub fn trap_kind(&self) -> Option<TrapKind> {
        match self.trap() {
            Some(t) => Some(t.kind()),
            None if self.host_backtrace.is_some() => Some(TrapKind::Host),
            None => None,
        }
    }

    /// The Wasm backtrace: a trap's, or the frames a host error unwound through.
    pub fn wasm_backtrace(&self) -> Option<&WasmBacktrace> {
        match self.trap() {
            Some(t) => Some(t.backtrace()),
            None => self.host_backtrace.as_ref(),
        }
    }

    /// The original error as a trait object.
    pub fn root_cause(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.inner
    }

    pub(crate) fn with_host_backtrace(mut self, backtrace: WasmBacktrace) -> Error {
        if self.trap().is_none() && self.host_backtrace.is_none() {
            self.host_backtrace = Some(backtrace);
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.context.iter().rev() {
            write!(f, "{c}: ")?;
        }
        write!(f, "{}", self.inner)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")?;
        if let Some(bt) = &self.host_backtrace {
            write!(f, "\n{bt}")?;
        }
        Ok(())
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        if self.context.is_empty() {
            self.inner.source()
        } else {
            Some(&*self.inner)
        }
    }
}

macro_rules! from_errors {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Error {
                Error::new(e)
            }
        }
    )*};
}
from_errors!(
    Trap,
    crate::trap::I32Exit,
    crate::memory::MemoryAccessError,
    crate::module::ModuleError,
    crate::linker::LinkError,
    std::io::Error,
    std::fmt::Error,
    std::num::TryFromIntError,
    std::num::ParseIntError,
    std::num::ParseFloatError,
    std::str::Utf8Error,
    std::string::FromUtf8Error,
);

impl From<String> for Error {
    fn from(message: String) -> Error {
        Error::msg(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Error {
        Error::msg(message)
    }
}
