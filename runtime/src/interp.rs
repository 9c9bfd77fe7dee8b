//! The `Interpreter` strategy: the reference interpreter (`wasmproof-oracle`)
//! behind the [`StoreBackend`] seam. Conversions between the API's types and
//! the oracle's live here and nowhere else.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use wasmproof_oracle as oracle;

use crate::error::{Error, Result};
use crate::func::Func;
use crate::instance::Instance;
use crate::limits::{SharedLimiter, lock, pages_to_bytes, to_usize};
use crate::module::{Module, ModuleError, ModuleErrorKind};
use crate::store::{Caller, StoreContextMut};
use crate::strategy::{
    Addr, Artifact, ExternAddr, FuncAddr, GlobalAddr, HostFn, InstanceAddr, MemAddr, StoreBackend,
    StoreCommon, StoreId, TableAddr,
};
use crate::trap::{FrameInfo, Trap, TrapKind, WasmBacktrace};
use crate::types::{
    ExportType, ExternType, FuncType, GlobalType, HeapType, ImportType, MemoryType, Mutability,
    TableType, ValType,
};
use crate::values::Val;

type OStore<T> = oracle::Store<StoreCommon<T>>;

// ---- address conversions ----

/// The oracle's address inside a store address. Only this store's own
/// addresses reach it (the public layer checks store ids), and this store
/// only makes `Addr::Interp`.
fn o<A: Copy>(a: Addr<A>) -> A {
    match a {
        Addr::Interp(a) => a,
        Addr::Jit(_) => unreachable!("a JIT store's address reached the interpreter's store"),
    }
}

fn extern_to_oracle(e: ExternAddr) -> oracle::Extern {
    match e {
        ExternAddr::Func(a) => oracle::Extern::Func(o(a)),
        ExternAddr::Table(a) => oracle::Extern::Table(o(a)),
        ExternAddr::Memory(a) => oracle::Extern::Memory(o(a)),
        ExternAddr::Global(a) => oracle::Extern::Global(o(a)),
    }
}

fn extern_from_oracle(e: oracle::Extern) -> ExternAddr {
    match e {
        oracle::Extern::Func(a) => ExternAddr::Func(Addr::Interp(a)),
        oracle::Extern::Table(a) => ExternAddr::Table(Addr::Interp(a)),
        oracle::Extern::Memory(a) => ExternAddr::Memory(Addr::Interp(a)),
        oracle::Extern::Global(a) => ExternAddr::Global(Addr::Interp(a)),
    }
}

// ---- type conversions ----

pub(crate) fn valtype(t: oracle::ValType) -> ValType {
    match t {
        oracle::ValType::I32 => ValType::I32,
        oracle::ValType::I64 => ValType::I64,
        oracle::ValType::F32 => ValType::F32,
        oracle::ValType::F64 => ValType::F64,
        oracle::ValType::V128 => ValType::V128,
        oracle::ValType::Ref(r) => ValType::Ref(r),
    }
}

fn oracle_valtype(t: ValType) -> oracle::ValType {
    match t {
        ValType::I32 => oracle::ValType::I32,
        ValType::I64 => oracle::ValType::I64,
        ValType::F32 => oracle::ValType::F32,
        ValType::F64 => oracle::ValType::F64,
        ValType::V128 => oracle::ValType::V128,
        ValType::Ref(r) => oracle::ValType::Ref(r),
    }
}

pub(crate) fn functype(t: &oracle::FuncType) -> FuncType {
    FuncType::new(
        t.params.iter().map(|p| valtype(*p)),
        t.results.iter().map(|r| valtype(*r)),
    )
}

fn oracle_functype(t: &FuncType) -> oracle::FuncType {
    oracle::FuncType {
        params: t.params().map(oracle_valtype).collect(),
        results: t.results().map(oracle_valtype).collect(),
    }
}

fn memorytype(t: &oracle::MemoryType) -> MemoryType {
    MemoryType::from_parts(t.min, t.max, t.memory64, t.shared)
}

fn oracle_memorytype(t: &MemoryType) -> oracle::MemoryType {
    oracle::MemoryType {
        min: t.minimum(),
        max: t.maximum(),
        memory64: t.is_64(),
        shared: t.is_shared(),
    }
}

fn tabletype(t: &oracle::TableType) -> TableType {
    TableType::from_parts(t.elem, t.min, t.max, t.table64)
}

fn oracle_tabletype(t: &TableType) -> oracle::TableType {
    oracle::TableType {
        elem: t.element(),
        min: t.minimum(),
        max: t.maximum(),
        table64: t.is_64(),
    }
}

pub(crate) fn globaltype(t: &oracle::GlobalType) -> GlobalType {
    GlobalType::new(
        valtype(t.content),
        if t.mutable {
            Mutability::Var
        } else {
            Mutability::Const
        },
    )
}

fn oracle_globaltype(t: &GlobalType) -> oracle::GlobalType {
    oracle::GlobalType {
        content: oracle_valtype(t.content()),
        mutable: t.mutability() == Mutability::Var,
    }
}

fn externtype(t: &oracle::ExternType) -> ExternType {
    match t {
        oracle::ExternType::Func(f) => ExternType::Func(functype(f)),
        oracle::ExternType::Table(t) => ExternType::Table(tabletype(t)),
        oracle::ExternType::Memory(m) => ExternType::Memory(memorytype(m)),
        oracle::ExternType::Global(g) => ExternType::Global(globaltype(g)),
    }
}

// ---- value conversions ----

fn to_oracle(v: &Val) -> oracle::Value {
    match *v {
        Val::I32(x) => oracle::Value::I32(x),
        Val::I64(x) => oracle::Value::I64(x),
        Val::F32(x) => oracle::Value::F32(x),
        Val::F64(x) => oracle::Value::F64(x),
        Val::V128(x) => oracle::Value::V128(x),
        Val::FuncRef(None) => oracle::Value::Ref(oracle::Ref::Null(HeapType::Func)),
        Val::FuncRef(Some(f)) => oracle::Value::Ref(oracle::Ref::Func(o(f.addr))),
        Val::ExternRef(None) => oracle::Value::Ref(oracle::Ref::Null(HeapType::Extern)),
        Val::ExternRef(Some(x)) => oracle::Value::Ref(oracle::Ref::Extern(x)),
    }
}

fn from_oracle(store: StoreId, v: oracle::Value) -> Val {
    match v {
        oracle::Value::I32(x) => Val::I32(x),
        oracle::Value::I64(x) => Val::I64(x),
        oracle::Value::F32(x) => Val::F32(x),
        oracle::Value::F64(x) => Val::F64(x),
        oracle::Value::V128(x) => Val::V128(x),
        oracle::Value::Ref(r) => ref_from_oracle(store, r),
    }
}

fn ref_from_oracle(store: StoreId, r: oracle::Ref) -> Val {
    match r {
        oracle::Ref::Func(addr) => Val::FuncRef(Some(Func {
            store,
            addr: Addr::Interp(addr),
        })),
        oracle::Ref::Extern(x) => Val::ExternRef(Some(x)),
        oracle::Ref::Null(HeapType::Extern | HeapType::NoExtern) => Val::ExternRef(None),
        oracle::Ref::Null(_) => Val::FuncRef(None),
    }
}

fn ref_to_oracle(v: &Val) -> Result<oracle::Ref> {
    match to_oracle(v) {
        oracle::Value::Ref(r) => Ok(r),
        _ => Err(Error::msg(format!(
            "expected a reference, got a value of type {}",
            v.ty()
        ))),
    }
}

// ---- errors ----

fn trap_kind(k: oracle::TrapKind) -> TrapKind {
    match k {
        oracle::TrapKind::Unreachable => TrapKind::Unreachable,
        oracle::TrapKind::IntegerDivideByZero => TrapKind::IntegerDivideByZero,
        oracle::TrapKind::IntegerOverflow => TrapKind::IntegerOverflow,
        oracle::TrapKind::InvalidConversionToInteger => TrapKind::InvalidConversionToInteger,
        oracle::TrapKind::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        oracle::TrapKind::TableOutOfBounds => TrapKind::TableOutOfBounds,
        oracle::TrapKind::IndirectCallTypeMismatch => TrapKind::IndirectCallTypeMismatch,
        oracle::TrapKind::UndefinedElement => TrapKind::UndefinedElement,
        oracle::TrapKind::UninitializedElement => TrapKind::UninitializedElement,
        oracle::TrapKind::NullReference => TrapKind::NullReference,
        oracle::TrapKind::CallStackExhausted => TrapKind::CallStackExhausted,
        oracle::TrapKind::OutOfFuel => TrapKind::OutOfFuel,
        oracle::TrapKind::Interrupted => TrapKind::Interrupted,
        oracle::TrapKind::Host => TrapKind::Host,
    }
}

fn convert_trap(t: oracle::Trap) -> Error {
    let backtrace = WasmBacktrace {
        frames: t
            .backtrace
            .into_iter()
            .map(|f| FrameInfo {
                func_index: f.func_index,
                func_name: f.func_name,
                module_name: f.module_name,
            })
            .collect(),
    };
    match (t.kind, t.host_error) {
        (oracle::TrapKind::Host, Some(e)) => Error::from_boxed(e).with_host_backtrace(backtrace),
        (kind, _) => Error::from(Trap {
            kind: trap_kind(kind),
            backtrace,
        }),
    }
}

pub(crate) fn module_error(e: oracle::ModuleError) -> Error {
    let kind = match e.kind {
        oracle::ModuleErrorKind::Invalid => ModuleErrorKind::Invalid,
        oracle::ModuleErrorKind::Unsupported { proposal } => {
            ModuleErrorKind::Unsupported { proposal }
        }
    };
    ModuleError {
        kind,
        offset: Some(e.offset),
        message: e.message,
    }
    .into()
}

fn instantiation_error(e: oracle::InstantiationError) -> Error {
    match e {
        oracle::InstantiationError::Link {
            module,
            name,
            reason,
        } => Error::msg(format!("incompatible import `{module}::{name}`: {reason}")),
        oracle::InstantiationError::Trap(t) => convert_trap(t).context("instantiation failed"),
        oracle::InstantiationError::Resource(r) => {
            Error::msg(format!("resource limit exceeded: {r}"))
        }
    }
}

/// What the strategy-independent `Module` records of a decoded module.
pub(crate) struct ModuleInfo {
    pub name: Option<String>,
    pub imports: Vec<ImportType>,
    pub exports: Vec<ExportType>,
    /// The module's own memories and tables (for the instance limits).
    pub memories: Vec<MemoryType>,
    pub tables: Vec<TableType>,
}

pub(crate) fn module_info(m: &oracle::Module) -> ModuleInfo {
    let imports = m
        .imports()
        .iter()
        .map(|i| ImportType {
            module: i.module.clone(),
            name: i.name.clone(),
            ty: externtype(&i.ty),
        })
        .collect();
    let exports = m
        .exports()
        .iter()
        .map(|e| ExportType {
            name: e.name.clone(),
            ty: externtype(&e.ty),
        })
        .collect();
    ModuleInfo {
        name: m.name().map(str::to_string),
        imports,
        exports,
        memories: m.defined_memories().iter().map(memorytype).collect(),
        tables: m.defined_tables().iter().map(tabletype).collect(),
    }
}

// ---- the limiter, as the oracle sees it ----

struct OracleLimiter(SharedLimiter);

impl oracle::ResourceLimiter for OracleLimiter {
    fn memory_growing(&mut self, current: u64, desired: u64, maximum: Option<u64>) -> bool {
        lock(&self.0).memory_growing(
            pages_to_bytes(current),
            pages_to_bytes(desired),
            maximum.map(pages_to_bytes),
        )
    }
    fn table_growing(&mut self, current: u64, desired: u64, maximum: Option<u64>) -> bool {
        lock(&self.0).table_growing(to_usize(current), to_usize(desired), maximum.map(to_usize))
    }
}

// ---- the backend ----

impl<T: 'static> StoreBackend<T> for OStore<T> {
    fn common(&self) -> &StoreCommon<T> {
        self.data()
    }
    fn common_mut(&mut self) -> &mut StoreCommon<T> {
        self.data_mut()
    }

    fn set_fuel(&mut self, fuel: Option<u64>) {
        oracle::Store::set_fuel(self, fuel)
    }
    fn fuel(&self) -> Option<u64> {
        oracle::Store::fuel(self)
    }
    fn set_epoch_deadline(&mut self, epoch: Arc<AtomicU64>, deadline: u64) {
        oracle::Store::set_epoch_deadline(self, epoch, deadline)
    }
    fn set_max_call_depth(&mut self, depth: usize) {
        oracle::Store::set_max_call_depth(self, depth)
    }
    fn set_limiter(&mut self, limiter: Option<SharedLimiter>) {
        oracle::Store::set_limiter(
            self,
            limiter.map(|l| Box::new(OracleLimiter(l)) as Box<dyn oracle::ResourceLimiter>),
        )
    }

    fn alloc_host_func(&mut self, ty: &FuncType, func: HostFn<T>) -> FuncAddr {
        let result_types: Vec<ValType> = ty.results().collect();
        let ty_for_check = ty.clone();
        let host: oracle::HostFunc<StoreCommon<T>> = Arc::new(
            move |oc: &mut oracle::Caller<'_, StoreCommon<T>>, args: &[oracle::Value]| {
                let id = oc.data().id;
                let params: Vec<Val> = args.iter().map(|v| from_oracle(id, *v)).collect();
                let mut results: Vec<Val> =
                    result_types.iter().map(|t| Val::default_for(*t)).collect();
                let instance = oc.instance().map(|addr| Instance {
                    store: id,
                    addr: Addr::Interp(addr),
                });
                let store: &mut dyn StoreBackend<T> = oc.store();
                let caller = Caller::new(StoreContextMut(store), instance);
                func(caller, &params, &mut results).map_err(oracle::Trap::host)?;
                for (r, t) in results.iter().zip(ty_for_check.results()) {
                    if !r.matches(t) {
                        return Err(oracle::Trap::host(Error::msg(format!(
                            "host function of type {ty_for_check} returned a {} where a {t} was expected",
                            r.ty()
                        ))));
                    }
                }
                Ok(results.iter().map(to_oracle).collect())
            },
        );
        Addr::Interp(oracle::Store::alloc_host_func(
            self,
            oracle_functype(ty),
            host,
        ))
    }

    fn alloc_memory(&mut self, ty: MemoryType) -> Result<MemAddr> {
        oracle::Store::alloc_memory(self, oracle_memorytype(&ty))
            .map(Addr::Interp)
            .map_err(|e| Error::msg(format!("failed to create memory {ty}: {e}")))
    }
    fn alloc_table(&mut self, ty: TableType, init: Val) -> Result<TableAddr> {
        let init = ref_to_oracle(&init)?;
        oracle::Store::alloc_table(self, oracle_tabletype(&ty), init)
            .map(Addr::Interp)
            .map_err(|e| Error::msg(format!("failed to create table {ty}: {e}")))
    }
    fn alloc_global(&mut self, ty: GlobalType, init: Val) -> Result<GlobalAddr> {
        oracle::Store::alloc_global(self, oracle_globaltype(&ty), to_oracle(&init))
            .map(Addr::Interp)
            .map_err(|e| Error::msg(format!("failed to create global {ty}: {e}")))
    }

    fn instantiate(&mut self, module: &Module, imports: &[ExternAddr]) -> Result<InstanceAddr> {
        let Artifact::Interpreter(m) = module.artifact() else {
            return Err(Error::msg(
                "module was compiled for another strategy than this store's",
            ));
        };
        let imports: Vec<oracle::Extern> = imports.iter().copied().map(extern_to_oracle).collect();
        oracle::Store::instantiate(self, m, &imports)
            .map(Addr::Interp)
            .map_err(instantiation_error)
    }

    fn invoke(&mut self, func: FuncAddr, params: &[Val], results: &mut [Val]) -> Result<()> {
        let id = self.data().id;
        let args: Vec<oracle::Value> = params.iter().map(to_oracle).collect();
        let out = oracle::Store::invoke(self, o(func), &args).map_err(convert_trap)?;
        if out.len() != results.len() {
            return Err(Error::msg(format!(
                "function returned {} results where {} were expected",
                out.len(),
                results.len()
            )));
        }
        for (slot, v) in results.iter_mut().zip(out) {
            *slot = from_oracle(id, v);
        }
        Ok(())
    }

    fn instance_exports(&self, instance: InstanceAddr) -> Vec<(String, ExternAddr)> {
        oracle::Store::instance_exports(self, o(instance))
            .iter()
            .map(|(n, e)| (n.clone(), extern_from_oracle(*e)))
            .collect()
    }
    fn instance_export(&self, instance: InstanceAddr, name: &str) -> Option<ExternAddr> {
        oracle::Store::get_export(self, o(instance), name).map(extern_from_oracle)
    }
    fn func_type(&self, func: FuncAddr) -> FuncType {
        functype(oracle::Store::func_type(self, o(func)))
    }
    fn memory_type(&self, memory: MemAddr) -> MemoryType {
        match oracle::Store::extern_type(self, oracle::Extern::Memory(o(memory))) {
            oracle::ExternType::Memory(m) => memorytype(&m),
            _ => MemoryType::new(0, None),
        }
    }
    fn table_type(&self, table: TableAddr) -> TableType {
        match oracle::Store::extern_type(self, oracle::Extern::Table(o(table))) {
            oracle::ExternType::Table(t) => tabletype(&t),
            _ => TableType::new(oracle::RefType::FUNCREF, 0, None),
        }
    }
    fn global_type(&self, global: GlobalAddr) -> GlobalType {
        match oracle::Store::extern_type(self, oracle::Extern::Global(o(global))) {
            oracle::ExternType::Global(g) => globaltype(&g),
            _ => GlobalType::new(ValType::I32, Mutability::Const),
        }
    }

    fn global_get(&self, global: GlobalAddr) -> Val {
        from_oracle(self.data().id, oracle::Store::global_get(self, o(global)))
    }
    fn global_set(&mut self, global: GlobalAddr, value: Val) -> Result<()> {
        oracle::Store::global_set(self, o(global), to_oracle(&value)).map_err(Error::msg)
    }

    fn memory_data(&self, memory: MemAddr) -> &[u8] {
        oracle::Store::memory_data(self, o(memory))
    }
    fn memory_data_mut(&mut self, memory: MemAddr) -> &mut [u8] {
        oracle::Store::memory_data_mut(self, o(memory))
    }
    fn memory_and_data_mut(&mut self, memory: MemAddr) -> (&mut [u8], &mut T) {
        let (bytes, common) = oracle::Store::memory_and_data_mut(self, o(memory));
        (bytes, &mut common.data)
    }
    fn memory_size(&self, memory: MemAddr) -> u64 {
        oracle::Store::memory_size(self, o(memory))
    }
    fn memory_grow(&mut self, memory: MemAddr, delta: u64) -> Option<u64> {
        oracle::Store::memory_grow(self, o(memory), delta)
    }

    fn table_size(&self, table: TableAddr) -> u64 {
        oracle::Store::table_size(self, o(table))
    }
    fn table_get(&self, table: TableAddr, index: u64) -> Option<Val> {
        let id = self.data().id;
        oracle::Store::table_get(self, o(table), index).map(|r| ref_from_oracle(id, r))
    }
    fn table_set(&mut self, table: TableAddr, index: u64, value: Val) -> Result<()> {
        let r = ref_to_oracle(&value)?;
        oracle::Store::table_set(self, o(table), index, r).map_err(Error::msg)
    }
    fn table_grow(&mut self, table: TableAddr, delta: u64, init: Val) -> Option<u64> {
        let r = ref_to_oracle(&init).ok()?;
        oracle::Store::table_grow(self, o(table), delta, r)
    }
}
