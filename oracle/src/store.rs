//! The store (spec §4.2.3) and the embedder interface (spec appendix A.1):
//! allocation, instantiation, invocation, and access to exported entities.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use crate::module::Module;
use crate::trap::Trap;
use crate::types::{ExternType, FuncType, GlobalType, MemoryType, TableType};
use crate::value::{Ref, Value};

macro_rules! addr {
    ($($(#[$doc:meta])* $name:ident),*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(crate) u32);
    )*};
}
addr!(
    /// The address of a function instance in its store.
    FuncAddr,
    /// The address of a table instance in its store.
    TableAddr,
    /// The address of a memory instance in its store.
    MemAddr,
    /// The address of a global instance in its store.
    GlobalAddr,
    /// The address of a module instance in its store.
    InstanceAddr
);

/// An external value (spec §4.2.9): what imports take and exports give.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extern {
    Func(FuncAddr),
    Table(TableAddr),
    Memory(MemAddr),
    Global(GlobalAddr),
}

/// A host function: gets the caller (store data, the calling instance's
/// exports) and the arguments; returns the results or a trap.
pub type HostFunc<T> =
    Arc<dyn Fn(&mut Caller<'_, T>, &[Value]) -> Result<Vec<Value>, Trap> + Send + Sync>;

/// What a host function sees of its caller.
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    pub(crate) instance: Option<InstanceAddr>,
}

impl<T> Caller<'_, T> {
    pub fn data(&self) -> &T {
        self.store.data()
    }
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }
    /// The whole store, e.g. to read or write a memory or to call back into Wasm.
    pub fn store(&mut self) -> &mut Store<T> {
        self.store
    }
    /// The instance whose code called this host function, if any.
    pub fn instance(&self) -> Option<InstanceAddr> {
        self.instance
    }
    /// An export of the calling instance (e.g. its "memory", for WASI).
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        self.instance.and_then(|i| self.store.get_export(i, name))
    }
}

/// Decides whether memories and tables may grow (the embedder's limits).
pub trait ResourceLimiter: Send {
    /// `current` and `desired` are in pages; `maximum` is the type's maximum.
    fn memory_growing(&mut self, current: u64, desired: u64, maximum: Option<u64>) -> bool;
    /// `current` and `desired` are in elements.
    fn table_growing(&mut self, current: u64, desired: u64, maximum: Option<u64>) -> bool;
}

/// Why instantiation failed.
#[derive(Debug)]
pub enum InstantiationError {
    /// An import is missing or has the wrong type (the "unlinkable" case).
    Link { module: String, name: String, reason: String },
    /// A trap while initialising segments or running the start function
    /// (the "uninstantiable" case). Effects before the trap stay (spec order).
    Trap(Trap),
    /// The host refused a resource (e.g. a memory larger than allowed).
    Resource(String),
}

impl std::fmt::Display for InstantiationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InstantiationError::Link { module, name, reason } => {
                write!(f, "unknown import or incompatible import type `{module}`.`{name}`: {reason}")
            }
            InstantiationError::Trap(t) => write!(f, "trap during instantiation: {t}"),
            InstantiationError::Resource(r) => write!(f, "resource limit: {r}"),
        }
    }
}

impl std::error::Error for InstantiationError {}

/// All runtime state: function, table, memory, global, element and data
/// instances, module instances, plus the host's data `T` and execution limits.
pub struct Store<T> {
    data: T,
    // Filled by the oracle implementation.
}

impl<T> Store<T> {
    pub fn new(data: T) -> Store<T> {
        let _ = data;
        todo!("oracle: Store::new")
    }
    pub fn data(&self) -> &T {
        &self.data
    }
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }
    pub fn into_data(self) -> T {
        self.data
    }

    // ---- limits ----
    /// `Some(n)`: every executed instruction costs one unit; at zero the run
    /// ends with `TrapKind::OutOfFuel`. `None` (default): unlimited.
    pub fn set_fuel(&mut self, fuel: Option<u64>) {
        let _ = fuel;
        todo!()
    }
    pub fn fuel(&self) -> Option<u64> {
        todo!()
    }
    /// Maximum nesting of Wasm calls before `TrapKind::CallStackExhausted`.
    pub fn set_max_call_depth(&mut self, depth: usize) {
        let _ = depth;
        todo!()
    }
    /// Interrupt execution (`TrapKind::Interrupted`) once `*epoch >= deadline`;
    /// checked at function entries and loop headers.
    pub fn set_epoch_deadline(&mut self, epoch: Arc<AtomicU64>, deadline: u64) {
        let _ = (epoch, deadline);
        todo!()
    }
    pub fn set_limiter(&mut self, limiter: Option<Box<dyn ResourceLimiter>>) {
        let _ = limiter;
        todo!()
    }

    // ---- allocation (spec A.1 func_alloc, table_alloc, mem_alloc, global_alloc) ----
    pub fn alloc_host_func(&mut self, ty: FuncType, func: HostFunc<T>) -> FuncAddr {
        let _ = (ty, func);
        todo!()
    }
    pub fn alloc_table(&mut self, ty: TableType, init: Ref) -> Result<TableAddr, String> {
        let _ = (ty, init);
        todo!()
    }
    pub fn alloc_memory(&mut self, ty: MemoryType) -> Result<MemAddr, String> {
        let _ = ty;
        todo!()
    }
    pub fn alloc_global(&mut self, ty: GlobalType, init: Value) -> Result<GlobalAddr, String> {
        let _ = (ty, init);
        todo!()
    }

    // ---- instantiation and invocation (spec A.1 module_instantiate, func_invoke) ----
    /// Instantiates `module` with `imports` in the module's import order.
    pub fn instantiate(
        &mut self,
        module: &Module,
        imports: &[Extern],
    ) -> Result<InstanceAddr, InstantiationError> {
        let _ = (module, imports);
        todo!()
    }
    /// Calls a function; arguments must match its parameter types (a mismatch
    /// is returned as a host-kind trap, never a panic).
    pub fn invoke(&mut self, func: FuncAddr, args: &[Value]) -> Result<Vec<Value>, Trap> {
        let _ = (func, args);
        todo!()
    }

    // ---- inspection ----
    pub fn instance_exports(&self, inst: InstanceAddr) -> &[(String, Extern)] {
        let _ = inst;
        todo!()
    }
    pub fn get_export(&self, inst: InstanceAddr, name: &str) -> Option<Extern> {
        self.instance_exports(inst).iter().find(|(n, _)| n == name).map(|(_, e)| *e)
    }
    pub fn func_type(&self, func: FuncAddr) -> &FuncType {
        let _ = func;
        todo!()
    }
    /// The current type of an external value (tables and memories with their
    /// current sizes), as import matching (spec §4.5.2) needs it.
    pub fn extern_type(&self, ext: Extern) -> ExternType {
        let _ = ext;
        todo!()
    }
    pub fn global_get(&self, global: GlobalAddr) -> Value {
        let _ = global;
        todo!()
    }
    /// Fails on an immutable global or a value of the wrong type.
    pub fn global_set(&mut self, global: GlobalAddr, value: Value) -> Result<(), String> {
        let _ = (global, value);
        todo!()
    }
    pub fn memory_data(&self, mem: MemAddr) -> &[u8] {
        let _ = mem;
        todo!()
    }
    pub fn memory_data_mut(&mut self, mem: MemAddr) -> &mut [u8] {
        let _ = mem;
        todo!()
    }
    /// A memory's bytes and the host data at once (WASI writes guest memory
    /// while reading its own context).
    pub fn memory_and_data_mut(&mut self, mem: MemAddr) -> (&mut [u8], &mut T) {
        let _ = mem;
        todo!()
    }
    /// Size in pages.
    pub fn memory_size(&self, mem: MemAddr) -> u64 {
        let _ = mem;
        todo!()
    }
    /// Grows by `delta` pages; the old size in pages, or `None` if refused.
    pub fn memory_grow(&mut self, mem: MemAddr, delta: u64) -> Option<u64> {
        let _ = (mem, delta);
        todo!()
    }
    pub fn table_size(&self, table: TableAddr) -> u64 {
        let _ = table;
        todo!()
    }
    pub fn table_get(&self, table: TableAddr, index: u64) -> Option<Ref> {
        let _ = (table, index);
        todo!()
    }
    pub fn table_set(&mut self, table: TableAddr, index: u64, value: Ref) -> Result<(), String> {
        let _ = (table, index, value);
        todo!()
    }
    /// Grows by `delta` elements filled with `init`; the old size, or `None` if refused.
    pub fn table_grow(&mut self, table: TableAddr, delta: u64, init: Ref) -> Option<u64> {
        let _ = (table, delta, init);
        todo!()
    }
}
