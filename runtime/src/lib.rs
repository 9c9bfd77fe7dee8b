//! wasmproof: a WebAssembly runtime whose machine code comes only from
//! verified lowering rules.
//!
//! This crate is the embedding API, shaped like Wasmtime's: an [`Engine`]
//! (configured by [`Config`], including the execution [`Strategy`]), a
//! [`Store`] holding all runtime state and the host's data, [`Module`]s
//! compiled from binary or text Wasm, a [`Linker`] resolving imports by name,
//! and handles to [`Instance`]s, [`Func`]s, [`Memory`]s, [`Table`]s and
//! [`Global`]s. The API is the same whatever the [`Strategy`]: the
//! reference interpreter (the default) or the JIT, whose machine code
//! comes only from proven lowering rules (see `strategy.rs` for the seam).
//!
//! ```
//! use wasmproof::{Caller, Engine, Linker, Module, Store};
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"
//!     (module
//!       (import "host" "double" (func $double (param i32) (result i32)))
//!       (func (export "run") (param i32) (result i32)
//!         local.get 0
//!         call $double
//!         i32.const 1
//!         i32.add))
//! "#)?;
//! let mut linker = Linker::new(&engine);
//! linker.func_wrap("host", "double", |caller: Caller<'_, u32>, x: i32| -> i32 {
//!     x * 2 + *caller.data() as i32
//! })?;
//! let mut store = Store::new(&engine, 0u32);
//! let instance = linker.instantiate(&mut store, &module)?;
//! let run = instance.get_typed_func::<i32, i32>(&store, "run")?;
//! assert_eq!(run.call(&mut store, 20)?, 41);
//! # Ok::<(), wasmproof::Error>(())
//! ```

mod config;
mod engine;
mod error;
mod externals;
mod func;
mod global;
mod instance;
mod interp;
mod jit;
mod limits;
mod linker;
mod memory;
mod module;
mod store;
mod strategy;
mod table;
mod trap;
mod typed;
mod types;
mod values;

pub mod cli;
pub mod wasi;

pub use config::{Config, DEFAULT_MAX_WASM_STACK, Strategy};
pub use engine::Engine;
pub use error::{Error, Result};
pub use externals::Extern;
pub use func::Func;
pub use global::Global;
pub use instance::Instance;
pub use limits::{
    DEFAULT_INSTANCE_LIMIT, DEFAULT_MEMORY_LIMIT, DEFAULT_TABLE_LIMIT, ResourceLimiter,
    StoreLimits, StoreLimitsBuilder, WASM_PAGE_SIZE,
};
pub use linker::{LinkError, Linker};
pub use memory::{Memory, MemoryAccessError};
pub use module::{Module, ModuleError, ModuleErrorKind};
pub use store::{AsContext, AsContextMut, Caller, Store, StoreContext, StoreContextMut};
pub use table::Table;
pub use trap::{FrameInfo, I32Exit, Trap, TrapKind, WasmBacktrace};
pub use typed::{IntoFunc, TypedFunc, WasmParams, WasmResults, WasmRet, WasmTy};
pub use types::{
    ExportType, ExternType, FuncType, GlobalType, HeapType, ImportType, MemoryType, Mutability,
    RefType, TableType, ValType,
};
pub use values::Val;

/// The embedding guide (`docs/src/embedding.md`), compiled and run as doctests
/// so its examples cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../docs/src/embedding.md")]
pub struct EmbeddingGuide;
