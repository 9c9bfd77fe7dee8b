//! The store (spec §4.2.3) and the embedder interface (spec appendix A.1):
//! allocation, instantiation, invocation, and access to exported entities.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use crate::memory::MemInst;
use crate::module::{Module, ModuleInner};
use crate::table::TableInst;
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

/// An external value (spec §4.2.13): what imports take and exports give.
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
    Link {
        module: String,
        name: String,
        reason: String,
    },
    /// A trap while initialising segments or running the start function
    /// (the "uninstantiable" case). Effects before the trap stay (spec order).
    Trap(Trap),
    /// The host refused a resource (e.g. a memory larger than allowed).
    Resource(String),
}

impl std::fmt::Display for InstantiationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InstantiationError::Link {
                module,
                name,
                reason,
            } => {
                write!(
                    f,
                    "unknown import or incompatible import type `{module}`.`{name}`: {reason}"
                )
            }
            InstantiationError::Trap(t) => write!(f, "trap during instantiation: {t}"),
            InstantiationError::Resource(r) => write!(f, "resource limit: {r}"),
        }
    }
}

impl std::error::Error for InstantiationError {}

/// The default maximum nesting of Wasm calls (see [`Store::set_max_call_depth`]).
pub const DEFAULT_MAX_CALL_DEPTH: usize = 10_000;

/// All runtime state: function, table, memory, global, element and data
/// instances, module instances, plus the host's data `T` and execution limits.
pub struct Store<T> {
    data: T,
    pub(crate) funcs: Vec<FuncInst<T>>,
    pub(crate) tables: Vec<TableInst>,
    pub(crate) mems: Vec<MemInst>,
    pub(crate) globals: Vec<GlobalInst>,
    /// Element instances (spec §4.2.10); a dropped one is empty.
    pub(crate) elems: Vec<Vec<Ref>>,
    /// Data instances (spec §4.2.11); a dropped one is empty.
    pub(crate) datas: Vec<Arc<[u8]>>,
    pub(crate) instances: Vec<ModuleInst>,
    pub(crate) fuel: Option<u64>,
    pub(crate) max_call_depth: usize,
    /// Frames of activations suspended in host calls further out (so a host
    /// function re-entering Wasm shares the depth limit).
    pub(crate) outer_depth: usize,
    pub(crate) epoch: Option<(Arc<AtomicU64>, u64)>,
    pub(crate) limiter: Option<Box<dyn ResourceLimiter>>,
}

/// A function instance (spec §4.2.6).
pub(crate) enum FuncInst<T> {
    Wasm {
        ty: FuncType,
        instance: InstanceAddr,
        module: Arc<ModuleInner>,
        /// The function's index in its module's function index space.
        index: u32,
    },
    Host {
        ty: FuncType,
        func: HostFunc<T>,
    },
}

impl<T> FuncInst<T> {
    pub(crate) fn ty(&self) -> &FuncType {
        match self {
            FuncInst::Wasm { ty, .. } | FuncInst::Host { ty, .. } => ty,
        }
    }
}

/// A global instance (spec §4.2.9).
#[derive(Debug)]
pub(crate) struct GlobalInst {
    pub ty: GlobalType,
    pub value: Value,
}

/// A module instance (spec §4.2.5): the module's index spaces mapped to
/// store addresses.
#[derive(Debug)]
pub(crate) struct ModuleInst {
    pub module: Arc<ModuleInner>,
    pub funcs: Vec<FuncAddr>,
    pub tables: Vec<TableAddr>,
    pub mems: Vec<MemAddr>,
    pub globals: Vec<GlobalAddr>,
    /// Indices into `Store::elems`.
    pub elems: Vec<u32>,
    /// Indices into `Store::datas`.
    pub datas: Vec<u32>,
    pub exports: Vec<(String, Extern)>,
}

impl<T> Store<T> {
    pub fn new(data: T) -> Store<T> {
        Store {
            data,
            funcs: Vec::new(),
            tables: Vec::new(),
            mems: Vec::new(),
            globals: Vec::new(),
            elems: Vec::new(),
            datas: Vec::new(),
            instances: Vec::new(),
            fuel: None,
            max_call_depth: DEFAULT_MAX_CALL_DEPTH,
            outer_depth: 0,
            epoch: None,
            limiter: None,
        }
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
        self.fuel = fuel;
    }
    pub fn fuel(&self) -> Option<u64> {
        self.fuel
    }
    /// Maximum nesting of Wasm calls before `TrapKind::CallStackExhausted`.
    pub fn set_max_call_depth(&mut self, depth: usize) {
        self.max_call_depth = depth;
    }
    /// Interrupt execution (`TrapKind::Interrupted`) once `*epoch >= deadline`;
    /// checked at function entries and loop headers.
    pub fn set_epoch_deadline(&mut self, epoch: Arc<AtomicU64>, deadline: u64) {
        self.epoch = Some((epoch, deadline));
    }
    pub fn set_limiter(&mut self, limiter: Option<Box<dyn ResourceLimiter>>) {
        self.limiter = limiter;
    }

    // ---- allocation (spec A.1 func_alloc, table_alloc, mem_alloc, global_alloc) ----
    pub fn alloc_host_func(&mut self, ty: FuncType, func: HostFunc<T>) -> FuncAddr {
        self.funcs.push(FuncInst::Host { ty, func });
        FuncAddr(self.funcs.len() as u32 - 1)
    }
    pub fn alloc_table(&mut self, ty: TableType, init: Ref) -> Result<TableAddr, String> {
        if !init.matches(ty.elem) {
            return Err(format!(
                "initial value {init:?} does not match element type {:?}",
                ty.elem
            ));
        }
        self.check_foreign_ref(init)?;
        self.alloc_table_inst(ty, init)
    }
    pub fn alloc_memory(&mut self, ty: MemoryType) -> Result<MemAddr, String> {
        if let Some(max) = ty.max
            && max < ty.min
        {
            return Err(format!(
                "memory minimum {} exceeds its maximum {max}",
                ty.min
            ));
        }
        self.alloc_memory_inst(ty)
    }
    pub fn alloc_global(&mut self, ty: GlobalType, init: Value) -> Result<GlobalAddr, String> {
        if !init.matches(ty.content) {
            return Err(format!(
                "initial value {init:?} does not match type {:?}",
                ty.content
            ));
        }
        if let Value::Ref(r) = init {
            self.check_foreign_ref(r)?;
        }
        self.globals.push(GlobalInst { ty, value: init });
        Ok(GlobalAddr(self.globals.len() as u32 - 1))
    }

    /// Table allocation behind both the embedder's and instantiation's
    /// (spec §4.5.3.3), asking the limiter first.
    pub(crate) fn alloc_table_inst(
        &mut self,
        ty: TableType,
        init: Ref,
    ) -> Result<TableAddr, String> {
        if let Some(max) = ty.max
            && max < ty.min
        {
            return Err(format!(
                "table minimum {} exceeds its maximum {max}",
                ty.min
            ));
        }
        if let Some(l) = &mut self.limiter
            && !l.table_growing(0, ty.min, ty.max)
        {
            return Err(format!(
                "the limiter refused a table of {} elements",
                ty.min
            ));
        }
        let table = TableInst::new(ty, init)?;
        self.tables.push(table);
        Ok(TableAddr(self.tables.len() as u32 - 1))
    }

    /// Memory allocation (spec §4.5.3.4), asking the limiter first.
    pub(crate) fn alloc_memory_inst(&mut self, ty: MemoryType) -> Result<MemAddr, String> {
        if let Some(l) = &mut self.limiter
            && !l.memory_growing(0, ty.min, ty.max)
        {
            return Err(format!("the limiter refused a memory of {} pages", ty.min));
        }
        let mem = MemInst::new(ty)?;
        self.mems.push(mem);
        Ok(MemAddr(self.mems.len() as u32 - 1))
    }

    /// A function reference must name a function of this store.
    fn check_foreign_ref(&self, r: Ref) -> Result<(), String> {
        match r {
            Ref::Func(f) if f.0 as usize >= self.funcs.len() => {
                Err(format!("function reference {f:?} is not from this store"))
            }
            _ => Ok(()),
        }
    }

    // ---- instantiation and invocation (spec A.1 module_instantiate, func_invoke) ----
    /// Instantiates `module` with `imports` in the module's import order.
    pub fn instantiate(
        &mut self,
        module: &Module,
        imports: &[Extern],
    ) -> Result<InstanceAddr, InstantiationError> {
        crate::instantiate::instantiate(self, module, imports)
    }
    /// Calls a function; arguments must match its parameter types (a mismatch
    /// is returned as a host-kind trap, never a panic).
    pub fn invoke(&mut self, func: FuncAddr, args: &[Value]) -> Result<Vec<Value>, Trap> {
        crate::exec::invoke(self, func, args)
    }

    // ---- inspection ----
    // Addresses come only from this store, which never frees anything, so an
    // address out of range means one from another store: a caller's bug,
    // reported by a panic that says so.

    pub(crate) fn instance(&self, inst: InstanceAddr) -> &ModuleInst {
        self.instances
            .get(inst.0 as usize)
            .expect("InstanceAddr from another store")
    }
    pub(crate) fn func_inst(&self, func: FuncAddr) -> &FuncInst<T> {
        self.funcs
            .get(func.0 as usize)
            .expect("FuncAddr from another store")
    }
    pub(crate) fn table_inst(&self, table: TableAddr) -> &TableInst {
        self.tables
            .get(table.0 as usize)
            .expect("TableAddr from another store")
    }
    pub(crate) fn table_inst_mut(&mut self, table: TableAddr) -> &mut TableInst {
        self.tables
            .get_mut(table.0 as usize)
            .expect("TableAddr from another store")
    }
    pub(crate) fn mem_inst(&self, mem: MemAddr) -> &MemInst {
        self.mems
            .get(mem.0 as usize)
            .expect("MemAddr from another store")
    }
    pub(crate) fn mem_inst_mut(&mut self, mem: MemAddr) -> &mut MemInst {
        self.mems
            .get_mut(mem.0 as usize)
            .expect("MemAddr from another store")
    }
    pub(crate) fn global_inst(&self, global: GlobalAddr) -> &GlobalInst {
        self.globals
            .get(global.0 as usize)
            .expect("GlobalAddr from another store")
    }

    /// Whether an external value belongs to this store.
    pub(crate) fn owns(&self, ext: Extern) -> bool {
        match ext {
            Extern::Func(a) => (a.0 as usize) < self.funcs.len(),
            Extern::Table(a) => (a.0 as usize) < self.tables.len(),
            Extern::Memory(a) => (a.0 as usize) < self.mems.len(),
            Extern::Global(a) => (a.0 as usize) < self.globals.len(),
        }
    }

    pub fn instance_exports(&self, inst: InstanceAddr) -> &[(String, Extern)] {
        &self.instance(inst).exports
    }
    pub fn get_export(&self, inst: InstanceAddr, name: &str) -> Option<Extern> {
        self.instance_exports(inst)
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| *e)
    }
    /// The module an instance was instantiated from.
    pub fn instance_module(&self, inst: InstanceAddr) -> Module {
        Module {
            inner: self.instance(inst).module.clone(),
        }
    }
    pub fn func_type(&self, func: FuncAddr) -> &FuncType {
        self.func_inst(func).ty()
    }
    /// The current type of an external value (tables and memories with their
    /// current sizes), as import matching (spec §4.5.2) needs it.
    pub fn extern_type(&self, ext: Extern) -> ExternType {
        match ext {
            Extern::Func(a) => ExternType::Func(self.func_type(a).clone()),
            Extern::Table(a) => ExternType::Table(self.table_inst(a).ty),
            Extern::Memory(a) => ExternType::Memory(self.mem_inst(a).ty),
            Extern::Global(a) => ExternType::Global(self.global_inst(a).ty),
        }
    }
    pub fn global_get(&self, global: GlobalAddr) -> Value {
        self.global_inst(global).value
    }
    /// Fails on an immutable global or a value of the wrong type.
    pub fn global_set(&mut self, global: GlobalAddr, value: Value) -> Result<(), String> {
        let ty = self.global_inst(global).ty;
        if !ty.mutable {
            return Err("cannot set an immutable global".to_string());
        }
        if !value.matches(ty.content) {
            return Err(format!(
                "value {value:?} does not match the global's type {:?}",
                ty.content
            ));
        }
        if let Value::Ref(r) = value {
            self.check_foreign_ref(r)?;
        }
        self.globals[global.0 as usize].value = value; // in range: global_inst checked it
        Ok(())
    }
    pub fn memory_data(&self, mem: MemAddr) -> &[u8] {
        &self.mem_inst(mem).data
    }
    pub fn memory_data_mut(&mut self, mem: MemAddr) -> &mut [u8] {
        &mut self.mem_inst_mut(mem).data
    }
    /// A memory's bytes and the host data at once (WASI writes guest memory
    /// while reading its own context).
    pub fn memory_and_data_mut(&mut self, mem: MemAddr) -> (&mut [u8], &mut T) {
        let inst = self
            .mems
            .get_mut(mem.0 as usize)
            .expect("MemAddr from another store");
        (&mut inst.data, &mut self.data)
    }
    /// Size in pages.
    pub fn memory_size(&self, mem: MemAddr) -> u64 {
        self.mem_inst(mem).pages()
    }
    /// Grows by `delta` pages; the old size in pages, or `None` if refused
    /// (over the maximum, refused by the limiter, or out of host memory).
    /// This is `memory.grow` (spec §4.4.7.11 with §4.5.3.9).
    pub fn memory_grow(&mut self, mem: MemAddr, delta: u64) -> Option<u64> {
        let inst = self.mem_inst(mem);
        let old = inst.pages();
        let desired = old.checked_add(delta)?;
        if desired > inst.max_pages() {
            return None;
        }
        let max = inst.ty.max;
        if let Some(l) = &mut self.limiter
            && !l.memory_growing(old, desired, max)
        {
            return None;
        }
        self.mem_inst_mut(mem).grow(delta).then_some(old)
    }
    pub fn table_size(&self, table: TableAddr) -> u64 {
        self.table_inst(table).len()
    }
    pub fn table_get(&self, table: TableAddr, index: u64) -> Option<Ref> {
        self.table_inst(table).get(index)
    }
    pub fn table_set(&mut self, table: TableAddr, index: u64, value: Ref) -> Result<(), String> {
        let elem = self.table_inst(table).ty.elem;
        if !value.matches(elem) {
            return Err(format!(
                "value {value:?} does not match the table's type {elem:?}"
            ));
        }
        self.check_foreign_ref(value)?;
        self.table_inst_mut(table)
            .set(index, value)
            .ok_or_else(|| format!("index {index} out of bounds of the table"))
    }
    /// Grows by `delta` elements filled with `init`; the old size, or `None` if refused.
    /// This is `table.grow` (spec §4.4.6.4 with §4.5.3.8).
    pub fn table_grow(&mut self, table: TableAddr, delta: u64, init: Ref) -> Option<u64> {
        let inst = self.table_inst(table);
        if !init.matches(inst.ty.elem) || self.check_foreign_ref(init).is_err() {
            return None;
        }
        let old = inst.len();
        let desired = old.checked_add(delta)?;
        if desired > inst.max_len() {
            return None;
        }
        let max = inst.ty.max;
        if let Some(l) = &mut self.limiter
            && !l.table_growing(old, desired, max)
        {
            return None;
        }
        self.table_inst_mut(table).grow(delta, init).then_some(old)
    }
}
