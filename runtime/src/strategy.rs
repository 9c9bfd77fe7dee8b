//! The strategy seam: what the public API needs from an execution strategy.
//!
//! Every public object (`Store`, `Caller`, `Func`, `Memory`, ...) talks to the
//! strategy only through two things defined here:
//!
//! * [`Artifact`]: what `Module::new` produced for the engine's strategy
//!   (the oracle's decoded module, plus the compiled code under `Jit`).
//! * [`StoreBackend<T>`]: the per-store runtime — allocation, instantiation,
//!   invocation, and access to memories, tables and globals by address.
//!   [`StoreInner`] holds the concrete backend of a `Store`; a `Caller` or a
//!   `StoreContextMut` borrows it as `&mut dyn StoreBackend<T>`.
//!
//! Handles carry the store's addresses ([`Addr`]): the oracle's own
//! addresses under the interpreter, indices into the JIT store's tables
//! under `Jit`. A store only ever sees addresses it produced (the public
//! layer checks store ids first), so each backend unwraps its own variant.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::engine::Engine;
use crate::error::Result;
use crate::limits::SharedLimiter;
use crate::module::Module;
use crate::store::Caller;
use crate::types::{FuncType, GlobalType, MemoryType, TableType};
use crate::values::Val;

/// The address of an object in a store, per strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Addr<O> {
    Interp(O),
    Jit(u32),
}

pub(crate) type FuncAddr = Addr<wasmproof_oracle::FuncAddr>;
pub(crate) type TableAddr = Addr<wasmproof_oracle::TableAddr>;
pub(crate) type MemAddr = Addr<wasmproof_oracle::MemAddr>;
pub(crate) type GlobalAddr = Addr<wasmproof_oracle::GlobalAddr>;
pub(crate) type InstanceAddr = Addr<wasmproof_oracle::InstanceAddr>;

/// An external value's address: what imports take and exports give.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ExternAddr {
    Func(FuncAddr),
    Table(TableAddr),
    Memory(MemAddr),
    Global(GlobalAddr),
}

/// A host function as every strategy stores it.
pub(crate) type HostFn<T> =
    Arc<dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync>;

/// What a module compiled to, per strategy.
pub(crate) enum Artifact {
    Interpreter(wasmproof_oracle::Module),
    /// The oracle's decoded module gives the types and names; the code is
    /// the compiler's.
    Jit(wasmproof_oracle::Module, Arc<crate::jit::JitCode>),
}

/// Identifies a store, so that a handle used with another store is an error
/// instead of a silent mix-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct StoreId(u64);

impl StoreId {
    fn fresh() -> StoreId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        StoreId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Strategy-independent state of a store, kept inside every backend.
pub(crate) struct StoreCommon<T> {
    pub(crate) data: T,
    pub(crate) engine: Engine,
    pub(crate) id: StoreId,
    pub(crate) limiter: Option<SharedLimiter>,
    pub(crate) instances: usize,
    pub(crate) memories: usize,
    pub(crate) tables: usize,
    /// Linker host functions already allocated in this store, keyed by the
    /// definition's address (the `Arc` is kept so the address stays unique).
    pub(crate) host_funcs: HashMap<usize, (Arc<dyn Any + Send + Sync>, FuncAddr)>,
}

impl<T> StoreCommon<T> {
    pub(crate) fn new(engine: Engine, data: T) -> StoreCommon<T> {
        StoreCommon {
            data,
            engine,
            id: StoreId::fresh(),
            limiter: None,
            instances: 0,
            memories: 0,
            tables: 0,
            host_funcs: HashMap::new(),
        }
    }
}

/// The per-store runtime of a strategy. Addresses passed in were produced by
/// the same backend (the public layer checks store ids first).
pub(crate) trait StoreBackend<T: 'static> {
    fn common(&self) -> &StoreCommon<T>;
    fn common_mut(&mut self) -> &mut StoreCommon<T>;

    // ---- limits ----
    fn set_fuel(&mut self, fuel: Option<u64>);
    fn fuel(&self) -> Option<u64>;
    fn set_epoch_deadline(&mut self, epoch: Arc<AtomicU64>, deadline: u64);
    fn set_max_call_depth(&mut self, depth: usize);
    /// Bytes of native stack Wasm may use (JIT only; the interpreter
    /// bounds its own call depth).
    fn set_max_wasm_stack(&mut self, _bytes: usize) {}
    fn set_limiter(&mut self, limiter: Option<SharedLimiter>);

    // ---- allocation ----
    fn alloc_host_func(&mut self, ty: &FuncType, func: HostFn<T>) -> FuncAddr;
    fn alloc_memory(&mut self, ty: MemoryType) -> Result<MemAddr>;
    fn alloc_table(&mut self, ty: TableType, init: Val) -> Result<TableAddr>;
    fn alloc_global(&mut self, ty: GlobalType, init: Val) -> Result<GlobalAddr>;

    // ---- instantiation and calls ----
    fn instantiate(&mut self, module: &Module, imports: &[ExternAddr]) -> Result<InstanceAddr>;
    /// `params` and `results` have been checked against the function's type.
    fn invoke(&mut self, func: FuncAddr, params: &[Val], results: &mut [Val]) -> Result<()>;

    // ---- inspection ----
    fn instance_exports(&self, instance: InstanceAddr) -> Vec<(String, ExternAddr)>;
    fn instance_export(&self, instance: InstanceAddr, name: &str) -> Option<ExternAddr>;
    fn func_type(&self, func: FuncAddr) -> FuncType;
    fn memory_type(&self, memory: MemAddr) -> MemoryType;
    fn table_type(&self, table: TableAddr) -> TableType;
    fn global_type(&self, global: GlobalAddr) -> GlobalType;

    fn global_get(&self, global: GlobalAddr) -> Val;
    fn global_set(&mut self, global: GlobalAddr, value: Val) -> Result<()>;

    fn memory_data(&self, memory: MemAddr) -> &[u8];
    fn memory_data_mut(&mut self, memory: MemAddr) -> &mut [u8];
    fn memory_and_data_mut(&mut self, memory: MemAddr) -> (&mut [u8], &mut T);
    /// In pages.
    fn memory_size(&self, memory: MemAddr) -> u64;
    /// The old size in pages, or `None` if refused.
    fn memory_grow(&mut self, memory: MemAddr, delta: u64) -> Option<u64>;

    fn table_size(&self, table: TableAddr) -> u64;
    fn table_get(&self, table: TableAddr, index: u64) -> Option<Val>;
    fn table_set(&mut self, table: TableAddr, index: u64, value: Val) -> Result<()>;
    fn table_grow(&mut self, table: TableAddr, delta: u64, init: Val) -> Option<u64>;
}

/// The concrete backend a `Store` owns.
pub(crate) enum StoreInner<T: 'static> {
    Interpreter(Box<wasmproof_oracle::Store<StoreCommon<T>>>),
    /// Boxed: compiled code and host contexts hold its address.
    Jit(Box<crate::jit::JitStore<T>>),
}

impl<T: 'static> StoreInner<T> {
    pub(crate) fn new(common: StoreCommon<T>) -> StoreInner<T> {
        match common.engine.config().strategy {
            crate::Strategy::Interpreter => {
                StoreInner::Interpreter(Box::new(wasmproof_oracle::Store::new(common)))
            }
            crate::Strategy::Jit => StoreInner::Jit(crate::jit::JitStore::new(common)),
        }
    }

    pub(crate) fn backend(&self) -> &dyn StoreBackend<T> {
        match self {
            StoreInner::Interpreter(s) => &**s,
            StoreInner::Jit(s) => &**s,
        }
    }

    pub(crate) fn backend_mut(&mut self) -> &mut dyn StoreBackend<T> {
        match self {
            StoreInner::Interpreter(s) => &mut **s,
            StoreInner::Jit(s) => &mut **s,
        }
    }

    pub(crate) fn into_common(self) -> StoreCommon<T> {
        match self {
            StoreInner::Interpreter(s) => s.into_data(),
            StoreInner::Jit(s) => (*s).into_common(),
        }
    }
}
