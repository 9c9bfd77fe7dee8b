//! wasmproof's reference interpreter: the project's definition of right.
//!
//! Written to mirror the WebAssembly specification (clarity over speed):
//! decoding and validation come from `wasmparser`; everything after that —
//! instantiation, execution, numerics — is here, structured like the spec's
//! own sections so a reviewer can hold the code next to the text.

pub mod module;
pub mod numerics;
pub mod store;
pub mod trap;
pub mod types;
pub mod value;

pub use module::{ExportDesc, ImportDesc, Module, ModuleError, ModuleErrorKind};
pub use numerics::NumOp;
pub use store::{
    Caller, Extern, FuncAddr, GlobalAddr, HostFunc, InstanceAddr, InstantiationError, MemAddr,
    ResourceLimiter, Store, TableAddr,
};
pub use trap::{Frame, Trap, TrapKind};
pub use types::{
    ExternType, FuncType, GlobalType, HeapType, MemoryType, RefType, TableType, ValType,
};
pub use value::{Ref, Value};
