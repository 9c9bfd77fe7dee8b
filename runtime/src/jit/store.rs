//! `JitStore<T>`: the JIT strategy's per-store runtime.

use std::any::Any;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use wasmproof_codegen::StubCode;
use wasmproof_codegen::vm::{Libcalls, VMFuncRef, VMHostContext, VMStoreContext};

use super::call;
use super::objects::{
    FuncEntry, FuncKind, GlobalEntry, HostCtx, MemoryEntry, StoreCtx, TableEntry,
};
use crate::error::{Error, Result};
use crate::func::Func;
use crate::instance::Instance;
use crate::limits::SharedLimiter;
use crate::module::Module;
use crate::strategy::{
    Addr, ExternAddr, FuncAddr, GlobalAddr, HostFn, InstanceAddr, MemAddr, StoreBackend,
    StoreCommon, TableAddr,
};
use crate::types::{FuncType, GlobalType, MemoryType, Mutability, TableType};
use crate::values::Val;

/// What a host function or a libcall left for the entry point to report.
pub(crate) enum Pending {
    Error(Error),
    Panic(Box<dyn Any + Send>),
}

/// An instance. The `_`-prefixed fields are only owned here: compiled code
/// reaches them through the context's pointers.
pub(crate) struct InstanceEntry {
    pub(crate) module: Module,
    pub(crate) _ctx: Box<super::objects::InstanceCtx>,
    /// `VMContext::funcs`: per function index, imports first.
    pub(crate) funcs: Box<[VMFuncRef]>,
    pub(crate) _globals: Box<[*mut u64]>,
    pub(crate) _tables: Box<[*mut wasmproof_codegen::vm::VMTable]>,
    pub(crate) memory: Option<u32>,
    /// Contexts of this instance's imported host functions (boxed: their
    /// addresses are in `funcs`, and the vector grows while it is built).
    #[allow(clippy::vec_box)]
    pub(crate) _host_ctxs: Vec<Box<HostCtx>>,
    pub(crate) exports: Vec<(String, ExternAddr)>,
}

pub(crate) struct JitStore<T: 'static> {
    pub(crate) common: StoreCommon<T>,
    /// Boxed: every `VMContext` points to it.
    pub(crate) ctx: Box<StoreCtx>,
    pub(crate) libcalls: Box<Libcalls>,
    /// Keeps the counter `ctx.vm.epoch_counter` points to alive.
    pub(crate) epoch: Arc<AtomicU64>,
    pub(crate) fuel_enabled: bool,
    pub(crate) max_wasm_stack: usize,
    pub(crate) limiter: Option<SharedLimiter>,
    pub(crate) funcs: Vec<FuncEntry<T>>,
    pub(crate) memories: Vec<MemoryEntry>,
    pub(crate) tables: Vec<TableEntry>,
    pub(crate) globals: Vec<GlobalEntry>,
    pub(crate) instances: Vec<InstanceEntry>,
    /// Host adapters compiled for host functions put in tables by the
    /// embedder, by engine-wide signature id.
    pub(crate) stubs: HashMap<u64, StubCode>,
    /// Nesting of host -> Wasm entries (0: no Wasm on the stack).
    pub(crate) depth: usize,
    pub(crate) pending: Option<Pending>,
}

// SAFETY: the raw pointers in a `JitStore` point into allocations the store
// owns (boxes, vectors), into code owned by its modules, or to the
// engine's atomic epoch counter; none is shared with another store, and
// the store is only ever used by one thread at a time (`&mut` access), so
// moving it to another thread is as safe as moving its owned data (`T:
// Send`, `HostFn` is `Send + Sync`).
unsafe impl<T: Send + 'static> Send for JitStore<T> {}

/// This store's index inside an address (only its own addresses reach it:
/// the public layer checks store ids first).
pub(crate) fn j<O>(a: Addr<O>) -> usize {
    match a {
        Addr::Jit(i) => i as usize,
        Addr::Interp(_) => unreachable!("an interpreter address reached the JIT store"),
    }
}

impl<T: 'static> JitStore<T> {
    pub(crate) fn new(common: StoreCommon<T>) -> Box<JitStore<T>> {
        let epoch = common.engine.epoch_counter();
        let mut store = Box::new(JitStore {
            common,
            ctx: Box::new(StoreCtx {
                vm: VMStoreContext::new(epoch.as_ptr() as *const u64, Some(call::trap_hook)),
                trap_pcs: Vec::new(),
            }),
            libcalls: Box::new(Libcalls {
                memory_grow: call::memory_grow::<T>,
            }),
            epoch,
            fuel_enabled: false,
            max_wasm_stack: crate::DEFAULT_MAX_WASM_STACK,
            limiter: None,
            funcs: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
            instances: Vec::new(),
            stubs: HashMap::new(),
            depth: 0,
            pending: None,
        });
        store.ctx.trap_pcs.reserve(64);
        store
    }

    pub(crate) fn into_common(self) -> StoreCommon<T> {
        self.common
    }

    /// The type-erased address compiled code and contexts carry back.
    pub(crate) fn erased(&mut self) -> *mut () {
        self as *mut JitStore<T> as *mut ()
    }

    /// The `VMFuncRef` compiled code uses for a function in a table
    /// (compiling a host adapter for a host function on first use).
    pub(crate) fn funcref_for_table(&mut self, func: usize) -> Result<*const VMFuncRef> {
        let entry = self
            .funcs
            .get(func)
            .ok_or_else(|| Error::msg("function address out of range"))?;
        match &entry.kind {
            FuncKind::Wasm { instance, index } => {
                Ok(&self.instances[*instance as usize].funcs[*index as usize] as *const VMFuncRef)
            }
            FuncKind::Host { funcref, .. } if !funcref.native.is_null() => {
                Ok(&**funcref as *const VMFuncRef)
            }
            FuncKind::Host { .. } => {
                let adapter = self.host_adapter(func)?;
                let FuncKind::Host { funcref, .. } = &mut self.funcs[func].kind else {
                    unreachable!("checked above");
                };
                funcref.native = adapter;
                Ok(&**funcref as *const VMFuncRef)
            }
        }
    }

    fn host_adapter(&mut self, func: usize) -> Result<*const u8> {
        let entry = &self.funcs[func];
        let stubs = match self.stubs.entry(entry.type_id) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => {
                let sig = super::instance::signature(&entry.ty).map_err(|e| {
                    Error::msg(format!(
                        "host function of type {} cannot be called from compiled code: {e}",
                        entry.ty
                    ))
                })?;
                let stubs = wasmproof_codegen::compile_stubs(&[sig])
                    .map_err(|e| Error::msg(format!("cannot compile a host adapter: {e}")))?;
                v.insert(stubs)
            }
        };
        stubs
            .host_adapter(0)
            .ok_or_else(|| Error::msg("the compiler returned no host adapter"))
    }

    /// A table element's `VMFuncRef` for a value (null for null and externref).
    pub(crate) fn elem_ref(&mut self, v: &Val) -> Result<*const VMFuncRef> {
        match v {
            Val::FuncRef(Some(f)) => self.funcref_for_table(j(f.addr)),
            Val::FuncRef(None) | Val::ExternRef(_) => Ok(std::ptr::null()),
            other => Err(Error::msg(format!(
                "expected a reference, got a value of type {}",
                other.ty()
            ))),
        }
    }

    pub(crate) fn func_val(&self, index: u32) -> Val {
        Val::FuncRef(Some(Func {
            store: self.common.id,
            addr: Addr::Jit(index),
        }))
    }

    pub(crate) fn instance_handle(&self, index: u32) -> Instance {
        Instance {
            store: self.common.id,
            addr: Addr::Jit(index),
        }
    }

    /// A fresh context for host function `func` as seen by `caller`.
    pub(crate) fn host_ctx(&mut self, func: u32, caller: Option<u32>) -> Box<HostCtx> {
        Box::new(HostCtx {
            vm: VMHostContext {
                store: &mut self.ctx.vm as *mut VMStoreContext,
                call: call::host_call::<T>,
            },
            store: self.erased(),
            func,
            caller,
        })
    }
}

impl<T: 'static> StoreBackend<T> for JitStore<T> {
    fn common(&self) -> &StoreCommon<T> {
        &self.common
    }
    fn common_mut(&mut self) -> &mut StoreCommon<T> {
        &mut self.common
    }

    fn set_fuel(&mut self, fuel: Option<u64>) {
        self.fuel_enabled = fuel.is_some();
        self.ctx.vm.fuel = fuel.map_or(i64::MAX, |f| i64::try_from(f).unwrap_or(i64::MAX));
    }
    fn fuel(&self) -> Option<u64> {
        self.fuel_enabled
            .then(|| u64::try_from(self.ctx.vm.fuel).unwrap_or(0))
    }
    fn set_epoch_deadline(&mut self, epoch: Arc<AtomicU64>, deadline: u64) {
        self.ctx.vm.epoch_counter = epoch.as_ptr() as *const u64;
        self.ctx.vm.epoch_deadline = deadline;
        self.epoch = epoch;
    }
    fn set_max_call_depth(&mut self, _depth: usize) {
        // Compiled code is bounded by stack bytes (`Config::max_wasm_stack`).
    }
    fn set_max_wasm_stack(&mut self, bytes: usize) {
        self.max_wasm_stack = bytes;
    }
    fn set_limiter(&mut self, limiter: Option<SharedLimiter>) {
        self.limiter = limiter;
    }

    fn alloc_host_func(&mut self, ty: &FuncType, func: HostFn<T>) -> FuncAddr {
        let index = self.funcs.len() as u32;
        let ctx = self.host_ctx(index, None);
        let type_id = self.common.engine.signature_id(ty);
        let funcref = Box::new(VMFuncRef {
            native: std::ptr::null(),
            array: std::ptr::null(),
            vmctx: &*ctx as *const HostCtx as *mut u8,
            type_id,
        });
        self.funcs.push(FuncEntry {
            ty: ty.clone(),
            type_id,
            kind: FuncKind::Host {
                func,
                _ctx: ctx,
                funcref,
            },
        });
        Addr::Jit(index)
    }

    fn alloc_memory(&mut self, ty: MemoryType) -> Result<MemAddr> {
        let m = MemoryEntry::new(ty, self.limiter.as_ref())
            .map_err(|e| Error::msg(format!("failed to create memory {ty}: {e}")))?;
        self.memories.push(m);
        Ok(Addr::Jit(self.memories.len() as u32 - 1))
    }
    fn alloc_table(&mut self, ty: TableType, init: Val) -> Result<TableAddr> {
        let init_ref = self.elem_ref(&init)?;
        let t = TableEntry::new(ty, init, init_ref, self.limiter.as_ref())
            .map_err(|e| Error::msg(format!("failed to create table {ty}: {e}")))?;
        self.tables.push(t);
        Ok(Addr::Jit(self.tables.len() as u32 - 1))
    }
    fn alloc_global(&mut self, ty: GlobalType, init: Val) -> Result<GlobalAddr> {
        if !init.matches(ty.content()) {
            return Err(Error::msg(format!(
                "failed to create global {ty}: initial value has type {}",
                init.ty()
            )));
        }
        self.globals.push(GlobalEntry::new(ty, &init));
        Ok(Addr::Jit(self.globals.len() as u32 - 1))
    }

    fn instantiate(&mut self, module: &Module, imports: &[ExternAddr]) -> Result<InstanceAddr> {
        super::instance::instantiate(self, module, imports).map(Addr::Jit)
    }

    fn invoke(&mut self, func: FuncAddr, params: &[Val], results: &mut [Val]) -> Result<()> {
        call::invoke(self, j(func), params, results)
    }

    fn instance_exports(&self, instance: InstanceAddr) -> Vec<(String, ExternAddr)> {
        self.instances
            .get(j(instance))
            .map_or_else(Vec::new, |i| i.exports.clone())
    }
    fn instance_export(&self, instance: InstanceAddr, name: &str) -> Option<ExternAddr> {
        self.instances
            .get(j(instance))?
            .exports
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| *e)
    }
    fn func_type(&self, func: FuncAddr) -> FuncType {
        self.funcs[j(func)].ty.clone()
    }
    fn memory_type(&self, memory: MemAddr) -> MemoryType {
        self.memories[j(memory)].current_type()
    }
    fn table_type(&self, table: TableAddr) -> TableType {
        self.tables[j(table)].current_type()
    }
    fn global_type(&self, global: GlobalAddr) -> GlobalType {
        self.globals[j(global)].ty
    }

    fn global_get(&self, global: GlobalAddr) -> Val {
        self.globals[j(global)].load()
    }
    fn global_set(&mut self, global: GlobalAddr, value: Val) -> Result<()> {
        let g = &mut self.globals[j(global)];
        if g.ty.mutability() != Mutability::Var {
            return Err(Error::msg("cannot set an immutable global"));
        }
        if !value.matches(g.ty.content()) {
            return Err(Error::msg(format!(
                "global of type {} cannot hold a value of type {}",
                g.ty.content(),
                value.ty()
            )));
        }
        g.store(&value);
        Ok(())
    }

    fn memory_data(&self, memory: MemAddr) -> &[u8] {
        &self.memories[j(memory)].data
    }
    fn memory_data_mut(&mut self, memory: MemAddr) -> &mut [u8] {
        &mut self.memories[j(memory)].data
    }
    fn memory_and_data_mut(&mut self, memory: MemAddr) -> (&mut [u8], &mut T) {
        (&mut self.memories[j(memory)].data, &mut self.common.data)
    }
    fn memory_size(&self, memory: MemAddr) -> u64 {
        self.memories[j(memory)].pages()
    }
    fn memory_grow(&mut self, memory: MemAddr, delta: u64) -> Option<u64> {
        self.memories[j(memory)].grow(delta, self.limiter.as_ref())
    }

    fn table_size(&self, table: TableAddr) -> u64 {
        self.tables[j(table)].vals.len() as u64
    }
    fn table_get(&self, table: TableAddr, index: u64) -> Option<Val> {
        let i = usize::try_from(index).ok()?;
        self.tables[j(table)].vals.get(i).copied()
    }
    fn table_set(&mut self, table: TableAddr, index: u64, value: Val) -> Result<()> {
        let len = self.tables[j(table)].vals.len();
        let i = usize::try_from(index)
            .ok()
            .filter(|&i| i < len)
            .ok_or_else(|| Error::msg("table index out of bounds"))?;
        let r = self.elem_ref(&value)?;
        self.tables[j(table)].set(i, value, r);
        Ok(())
    }
    fn table_grow(&mut self, table: TableAddr, delta: u64, init: Val) -> Option<u64> {
        let r = self.elem_ref(&init).ok()?;
        let limiter = self.limiter.clone();
        self.tables[j(table)].grow(delta, init, r, limiter.as_ref())
    }
}
