//! Instantiation (spec §4.5.4, Wasm 2.0): import matching, allocation,
//! element and data segment initialisation, the start function.

use std::sync::Arc;

use wasmparser::ExternalKind;

use crate::decode::{ConstExpr, ConstInstr};
use crate::module::{ElemMode, Module};
use crate::store::{
    Extern, FuncAddr, FuncInst, GlobalAddr, GlobalInst, InstanceAddr, InstantiationError,
    ModuleInst, Store,
};
use crate::trap::{Trap, TrapKind};
use crate::types::{ExternType, GlobalType, MemoryType, TableType};
use crate::value::{Ref, Value};

pub(crate) fn instantiate<T>(
    store: &mut Store<T>,
    module: &Module,
    imports: &[Extern],
) -> Result<InstanceAddr, InstantiationError> {
    let m = &module.inner;

    // Steps 3-4: as many imports as declared, each matching its type (§4.5.2).
    if imports.len() != m.imports.len() {
        let missing = m.imports.get(imports.len());
        return Err(InstantiationError::Link {
            module: missing.map(|i| i.module.clone()).unwrap_or_default(),
            name: missing.map(|i| i.name.clone()).unwrap_or_default(),
            reason: format!(
                "expected {} imports, got {}",
                m.imports.len(),
                imports.len()
            ),
        });
    }
    for (desc, ext) in m.imports.iter().zip(imports) {
        let link = |reason: String| InstantiationError::Link {
            module: desc.module.clone(),
            name: desc.name.clone(),
            reason,
        };
        if !store.owns(*ext) {
            return Err(link(format!("{ext:?} is not from this store")));
        }
        let actual = store.extern_type(*ext);
        if !extern_type_matches(&actual, &desc.ty) {
            return Err(link(format!(
                "incompatible import type: expected {:?}, got {actual:?}",
                desc.ty
            )));
        }
    }

    // Step 5 onwards (§4.5.3.10 allocmodule): imported addresses first...
    let addr = InstanceAddr(store.instances.len() as u32);
    let mut inst = ModuleInst {
        module: m.clone(),
        funcs: Vec::new(),
        tables: Vec::new(),
        mems: Vec::new(),
        globals: Vec::new(),
        elems: Vec::new(),
        datas: Vec::new(),
        exports: Vec::new(),
    };
    for ext in imports {
        match *ext {
            Extern::Func(a) => inst.funcs.push(a),
            Extern::Table(a) => inst.tables.push(a),
            Extern::Memory(a) => inst.mems.push(a),
            Extern::Global(a) => inst.globals.push(a),
        }
    }
    // ...then the module's own functions, so that `ref.func` in constant
    // expressions can name any of them (§4.5.4 step 8's auxiliary instance).
    for i in 0..m.code.len() as u32 {
        let index = m.num_imported_funcs + i;
        store.funcs.push(FuncInst::Wasm {
            ty: m.func_type(index),
            instance: addr,
            module: m.clone(),
            index,
        });
        inst.funcs.push(FuncAddr(store.funcs.len() as u32 - 1));
    }
    let resource = InstantiationError::Resource;
    let num_imported_tables = inst.tables.len();
    for (i, init) in m.table_inits.iter().enumerate() {
        let ty = table_ty(m.tables.get(num_imported_tables + i));
        let init = match init {
            Some(expr) => eval_ref(store, &inst, expr),
            None => Ref::Null(ty.elem.heap),
        };
        inst.tables
            .push(store.alloc_table_inst(ty, init).map_err(resource)?);
    }
    for ty in m.memories.iter().skip(inst.mems.len()) {
        inst.mems
            .push(store.alloc_memory_inst(*ty).map_err(resource)?);
    }
    let num_imported_globals = inst.globals.len();
    for (i, init) in m.global_inits.iter().enumerate() {
        // Validation guarantees one global type per initialiser.
        let ty = m
            .globals
            .get(num_imported_globals + i)
            .copied()
            .unwrap_or(GlobalType {
                content: crate::types::ValType::I32,
                mutable: false,
            });
        let value = eval_const(store, &inst, init);
        store.globals.push(GlobalInst { ty, value });
        inst.globals
            .push(GlobalAddr(store.globals.len() as u32 - 1));
    }
    for elem in &m.elems {
        let refs = elem
            .items
            .iter()
            .map(|e| eval_ref(store, &inst, e))
            .collect();
        store.elems.push(refs);
        inst.elems.push(store.elems.len() as u32 - 1);
    }
    for data in &m.datas {
        store.datas.push(data.bytes.clone());
        inst.datas.push(store.datas.len() as u32 - 1);
    }
    for (desc, (kind, index)) in m.exports.iter().zip(&m.export_targets) {
        let i = *index as usize;
        // Validation guarantees export indices are in range.
        let ext = match kind {
            ExternalKind::Func | ExternalKind::FuncExact => {
                inst.funcs.get(i).copied().map(Extern::Func)
            }
            ExternalKind::Table => inst.tables.get(i).copied().map(Extern::Table),
            ExternalKind::Memory => inst.mems.get(i).copied().map(Extern::Memory),
            ExternalKind::Global => inst.globals.get(i).copied().map(Extern::Global),
            ExternalKind::Tag => None,
        };
        if let Some(ext) = ext {
            inst.exports.push((desc.name.clone(), ext));
        }
    }
    let elem_addrs = inst.elems.clone();
    let data_addrs = inst.datas.clone();
    let table_addrs = inst.tables.clone();
    let mem_addrs = inst.mems.clone();
    let start = m.start.and_then(|s| inst.funcs.get(s as usize).copied());
    store.instances.push(inst);
    let trap = |kind| InstantiationError::Trap(Trap::new(kind));

    // Steps 13-14: active element segments in order, each like
    // `table.init` + `elem.drop`; declarative ones are just dropped. A
    // trapping segment leaves the earlier ones' writes in place.
    for (seg, elem) in m.elems.iter().zip(&elem_addrs) {
        match &seg.mode {
            ElemMode::Active { table, offset } => {
                let offset = offset_of(eval_const(store, store.instance(addr), offset));
                let table = *table_addrs
                    .get(*table as usize)
                    .ok_or(trap(TrapKind::TableOutOfBounds))?;
                let n = store
                    .elems
                    .get(*elem as usize)
                    .map_or(0, |e| e.len() as u64);
                store.table_init(table, *elem, offset, 0, n).map_err(trap)?;
                store.elem_drop(*elem);
            }
            ElemMode::Declarative => store.elem_drop(*elem),
            ElemMode::Passive => {}
        }
    }
    // Step 15: active data segments, like `memory.init` + `data.drop`.
    for (seg, data) in m.datas.iter().zip(&data_addrs) {
        if let Some((mem, offset)) = &seg.active {
            let offset = offset_of(eval_const(store, store.instance(addr), offset));
            let mem = *mem_addrs
                .get(*mem as usize)
                .ok_or(trap(TrapKind::MemoryOutOfBounds))?;
            let n = store
                .datas
                .get(*data as usize)
                .map_or(0, |d| d.len() as u64);
            store.memory_init(mem, *data, offset, 0, n).map_err(trap)?;
            store.data_drop(*data);
        }
    }
    // Step 16: the start function.
    if let Some(start) = start {
        store.invoke(start, &[]).map_err(InstantiationError::Trap)?;
    }
    Ok(addr)
}

/// An offset expression's value as an unsigned index (i32 offsets are
/// unsigned, spec §4.5.4).
fn offset_of(v: Value) -> u64 {
    match v {
        Value::I32(x) => u64::from(x as u32),
        Value::I64(x) => x as u64,
        _ => 0, // validation guarantees an integer offset
    }
}

fn table_ty(ty: Option<&TableType>) -> TableType {
    // Validation guarantees one table type per table initialiser.
    ty.copied().unwrap_or(TableType {
        elem: crate::types::RefType::FUNCREF,
        min: 0,
        max: None,
        table64: false,
    })
}

/// Evaluates a constant expression (spec §4.4.11 / §3.3.10) against the
/// instance being built.
pub(crate) fn eval_const<T>(store: &Store<T>, inst: &ModuleInst, expr: &ConstExpr) -> Value {
    let mut stack = Vec::with_capacity(1);
    for instr in &expr.0 {
        stack.push(match *instr {
            ConstInstr::I32(x) => Value::I32(x),
            ConstInstr::I64(x) => Value::I64(x),
            ConstInstr::F32(x) => Value::F32(x),
            ConstInstr::F64(x) => Value::F64(x),
            ConstInstr::RefNull(h) => Value::Ref(Ref::Null(h)),
            // Validation guarantees both indices are in range.
            ConstInstr::RefFunc(f) => match inst.funcs.get(f as usize) {
                Some(a) => Value::Ref(Ref::Func(*a)),
                None => Value::Ref(Ref::Null(crate::types::HeapType::Func)),
            },
            ConstInstr::GlobalGet(g) => match inst.globals.get(g as usize) {
                Some(a) => store.global_get(*a),
                None => Value::I32(0),
            },
        });
    }
    // Validation guarantees exactly one result.
    stack.pop().unwrap_or(Value::I32(0))
}

fn eval_ref<T>(store: &Store<T>, inst: &ModuleInst, expr: &ConstExpr) -> Ref {
    match eval_const(store, inst, expr) {
        Value::Ref(r) => r,
        _ => Ref::Null(crate::types::HeapType::Func), // validation: reference-typed
    }
}

/// Import matching (spec §4.5.2, "external typing" with subtyping).
pub(crate) fn extern_type_matches(actual: &ExternType, expected: &ExternType) -> bool {
    match (actual, expected) {
        (ExternType::Func(a), ExternType::Func(e)) => a == e,
        (ExternType::Table(a), ExternType::Table(e)) => {
            a.elem == e.elem && a.table64 == e.table64 && limits_match(a.min, a.max, e.min, e.max)
        }
        (ExternType::Memory(a), ExternType::Memory(e)) => memory_matches(a, e),
        (ExternType::Global(a), ExternType::Global(e)) => a == e,
        _ => false,
    }
}

fn memory_matches(a: &MemoryType, e: &MemoryType) -> bool {
    a.memory64 == e.memory64 && a.shared == e.shared && limits_match(a.min, a.max, e.min, e.max)
}

/// Spec §4.5.2.1 "limits": `{n1, m1?}` matches `{n2, m2?}` iff `n1 >= n2`
/// and, if `m2` is present, `m1` is present and `m1 <= m2`.
fn limits_match(n1: u64, m1: Option<u64>, n2: u64, m2: Option<u64>) -> bool {
    n1 >= n2
        && match (m1, m2) {
            (_, None) => true,
            (Some(m1), Some(m2)) => m1 <= m2,
            (None, Some(_)) => false,
        }
}

impl<T> Store<T> {
    /// `table.init` on store addresses (spec §4.4.6.7): bounds-checks the
    /// whole range before writing anything.
    pub(crate) fn table_init(
        &mut self,
        table: crate::store::TableAddr,
        elem: u32,
        d: u64,
        s: u64,
        n: u64,
    ) -> Result<(), TrapKind> {
        let src: &[Ref] = self.elems.get(elem as usize).map_or(&[], |e| e.as_slice());
        let in_src = s.checked_add(n).is_some_and(|end| end <= src.len() as u64);
        if !in_src || !self.table_inst(table).in_bounds(d, n) {
            return Err(TrapKind::TableOutOfBounds);
        }
        // In bounds of both, so the ranges below are valid.
        let src = src[s as usize..(s + n) as usize].to_vec();
        let dst = &mut self.table_inst_mut(table).elems[d as usize..(d + n) as usize];
        dst.copy_from_slice(&src);
        Ok(())
    }

    /// `elem.drop` (spec §4.4.6.8).
    pub(crate) fn elem_drop(&mut self, elem: u32) {
        if let Some(e) = self.elems.get_mut(elem as usize) {
            *e = Vec::new();
        }
    }

    /// `memory.init` on store addresses (spec §4.4.7.14).
    pub(crate) fn memory_init(
        &mut self,
        mem: crate::store::MemAddr,
        data: u32,
        d: u64,
        s: u64,
        n: u64,
    ) -> Result<(), TrapKind> {
        let bytes: Arc<[u8]> = self
            .datas
            .get(data as usize)
            .cloned()
            .unwrap_or_else(|| Arc::from([]));
        let src = s
            .checked_add(n)
            .and_then(|end| bytes.get(s as usize..end as usize))
            .ok_or(TrapKind::MemoryOutOfBounds)?;
        let dst = self
            .mem_inst_mut(mem)
            .slice_mut(d, n)
            .ok_or(TrapKind::MemoryOutOfBounds)?;
        dst.copy_from_slice(src);
        Ok(())
    }

    /// `data.drop` (spec §4.4.7.15).
    pub(crate) fn data_drop(&mut self, data: u32) {
        if let Some(d) = self.datas.get_mut(data as usize) {
            *d = Arc::from([]);
        }
    }
}
