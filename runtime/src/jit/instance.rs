//! Instantiation under `Jit`: the instance's context, its memories,
//! tables, globals and functions (imports first), exports, then active
//! element and data segments in order (a segment that does not fit traps,
//! earlier writes stay, as in Wasm 2.0), then the start function.

use wasmparser::ExternalKind;
use wasmproof_codegen::ir::{Signature, Type};
use wasmproof_codegen::translate::ConstInit;
use wasmproof_codegen::vm::{VMContext, VMFuncRef, VMMemory, VMStoreContext, VMTable};

use super::JitCode;
use super::objects::{FuncEntry, FuncKind, GlobalEntry, InstanceCtx};
use super::store::{InstanceEntry, JitStore, j};
use crate::error::{Error, Result};
use crate::module::Module;
use crate::strategy::{Addr, Artifact, ExternAddr};
use crate::trap::{Trap, TrapKind};
use crate::types::{FuncType, GlobalType, MemoryType, Mutability, TableType, ValType};
use crate::values::Val;

/// The compiler's signature for an API function type (numeric types only).
pub(crate) fn signature(ty: &FuncType) -> std::result::Result<Signature, String> {
    let conv = |t: ValType| match t {
        ValType::I32 => Ok(Type::I32),
        ValType::I64 => Ok(Type::I64),
        ValType::F32 => Ok(Type::F32),
        ValType::F64 => Ok(Type::F64),
        other => Err(format!("{other} values are not supported by the JIT")),
    };
    Ok(Signature {
        params: ty
            .params()
            .map(conv)
            .collect::<std::result::Result<_, _>>()?,
        results: ty
            .results()
            .map(conv)
            .collect::<std::result::Result<_, _>>()?,
    })
}

fn instantiation_trap(kind: TrapKind) -> Error {
    Error::from(Trap::new(kind)).context("instantiation failed")
}

pub(crate) fn instantiate<T: 'static>(
    store: &mut JitStore<T>,
    module: &Module,
    imports: &[ExternAddr],
) -> Result<u32> {
    let Artifact::Jit(_, code) = module.artifact() else {
        return Err(Error::msg(
            "module was compiled for another strategy than this store's",
        ));
    };
    let code: &JitCode = code;
    let info = code.compiled.info();
    let index = u32::try_from(store.instances.len())
        .map_err(|_| Error::msg("too many instances in one store"))?;

    // Imports, by kind, in order: they come first in each index space.
    let mut func_addrs = Vec::new();
    let mut table_addrs = Vec::new();
    let mut memory = None;
    let mut global_addrs = Vec::new();
    for import in imports {
        match *import {
            ExternAddr::Func(f) => func_addrs.push(j(f) as u32),
            ExternAddr::Table(t) => table_addrs.push(j(t) as u32),
            ExternAddr::Memory(m) => memory = Some(j(m) as u32),
            ExternAddr::Global(g) => global_addrs.push(j(g) as u32),
        }
    }
    let num_imported_funcs = func_addrs.len();
    if num_imported_funcs != info.imported_funcs.len() {
        return Err(Error::msg(format!(
            "expected {} function imports, found {num_imported_funcs}",
            info.imported_funcs.len()
        )));
    }

    // The module's own memory, tables and globals.
    if let Some(m) = info.memory.as_ref().filter(|m| !m.imported) {
        let ty = MemoryType::from_parts(m.min, m.max, false, false);
        let addr = crate::strategy::StoreBackend::alloc_memory(store, ty)?;
        memory = Some(j(addr) as u32);
    }
    for t in info.tables.iter().filter(|t| !t.imported) {
        let ty = TableType::from_parts(crate::RefType::FUNCREF, t.min, t.max, false);
        let addr = crate::strategy::StoreBackend::alloc_table(store, ty, Val::FuncRef(None))?;
        table_addrs.push(j(addr) as u32);
    }
    for g in info.globals.iter().skip(global_addrs.len()) {
        let ty = GlobalType::new(
            super::val_type(g.ty),
            if g.mutable {
                Mutability::Var
            } else {
                Mutability::Const
            },
        );
        let init = match g.init {
            Some(init) => const_value(store, &global_addrs, init, ty.content())?,
            None => return Err(Error::msg("imported global missing from the imports")),
        };
        store.globals.push(GlobalEntry::new(ty, &init));
        global_addrs.push(store.globals.len() as u32 - 1);
    }

    // The context first (everything else points into it or at it), then
    // the arrays it points to.
    let store_ptr = store.erased();
    let mut ctx = Box::new(InstanceCtx {
        vm: VMContext {
            store: &mut store.ctx.vm as *mut VMStoreContext,
            memory: std::ptr::null_mut(),
            globals: std::ptr::null(),
            funcs: std::ptr::null(),
            tables: std::ptr::null(),
            type_ids: code.type_ids.as_ptr(),
            libcalls: &*store.libcalls,
        },
        store: store_ptr,
        instance: index,
    });
    let vmctx = &mut ctx.vm as *mut VMContext as *mut u8;

    let mut funcs = Vec::with_capacity(info.funcs.len());
    let mut host_ctxs = Vec::new();
    for (i, &ty_index) in info.funcs.iter().enumerate() {
        let type_id = *code
            .type_ids
            .get(ty_index as usize)
            .ok_or_else(|| Error::msg(format!("function {i}: type index out of range")))?;
        if i < num_imported_funcs {
            let f = func_addrs[i] as usize;
            let funcref = match &store.funcs[f].kind {
                FuncKind::Wasm { instance, index } => {
                    store.instances[*instance as usize].funcs[*index as usize]
                }
                FuncKind::Host { .. } => {
                    let hctx = store.host_ctx(f as u32, Some(index));
                    let native = code.compiled.host_adapter(ty_index).ok_or_else(|| {
                        Error::msg(format!("no host adapter compiled for import {i}"))
                    })?;
                    let r = VMFuncRef {
                        native,
                        array: std::ptr::null(),
                        vmctx: &*hctx as *const _ as *mut u8,
                        type_id,
                    };
                    host_ctxs.push(hctx);
                    r
                }
            };
            funcs.push(funcref);
        } else {
            let native = code.compiled.native_entry(i as u32);
            let array = code.compiled.array_entry(ty_index);
            let (Some(native), Some(array)) = (native, array) else {
                return Err(Error::msg(format!("function {i} has no compiled code")));
            };
            funcs.push(VMFuncRef {
                native,
                array,
                vmctx,
                type_id,
            });
        }
    }
    let first_defined = store.funcs.len() as u32;
    for (i, &ty_index) in info.funcs.iter().enumerate().skip(num_imported_funcs) {
        let ty = code.types[ty_index as usize].clone();
        func_addrs.push(store.funcs.len() as u32);
        store.funcs.push(FuncEntry {
            ty,
            type_id: code.type_ids[ty_index as usize],
            kind: FuncKind::Wasm {
                instance: index,
                index: i as u32,
            },
        });
    }
    debug_assert!(num_imported_funcs + (store.funcs.len() - first_defined as usize) == funcs.len());

    let funcs: Box<[VMFuncRef]> = funcs.into();
    let globals: Box<[*mut u64]> = global_addrs
        .iter()
        .map(|&g| store.globals[g as usize].ptr())
        .collect();
    let tables: Box<[*mut VMTable]> = table_addrs
        .iter()
        .map(|&t| &mut *store.tables[t as usize].vm as *mut VMTable)
        .collect();
    ctx.vm.funcs = funcs.as_ptr();
    ctx.vm.globals = globals.as_ptr();
    ctx.vm.tables = tables.as_ptr();
    ctx.vm.memory = match memory {
        Some(m) => &mut *store.memories[m as usize].vm as *mut VMMemory,
        None => std::ptr::null_mut(),
    };

    let exports = info
        .exports
        .iter()
        .filter_map(|e| {
            let i = e.index as usize;
            let addr = match e.kind {
                ExternalKind::Func => ExternAddr::Func(Addr::Jit(*func_addrs.get(i)?)),
                ExternalKind::Table => ExternAddr::Table(Addr::Jit(*table_addrs.get(i)?)),
                ExternalKind::Memory => ExternAddr::Memory(Addr::Jit(memory?)),
                ExternalKind::Global => ExternAddr::Global(Addr::Jit(*global_addrs.get(i)?)),
                _ => return None,
            };
            Some((e.name.clone(), addr))
        })
        .collect();

    store.instances.push(InstanceEntry {
        module: module.clone(),
        _ctx: ctx,
        funcs,
        _globals: globals,
        _tables: tables,
        memory,
        _host_ctxs: host_ctxs,
        exports,
    });

    // Active element segments, in order.
    for seg in &info.elems {
        let offset = const_offset(store, &global_addrs, seg.offset)?;
        let table = *table_addrs
            .get(seg.table as usize)
            .ok_or_else(|| instantiation_trap(TrapKind::TableOutOfBounds))?
            as usize;
        let len = store.tables[table].vals.len() as u64;
        if offset + seg.funcs.len() as u64 > len {
            return Err(instantiation_trap(TrapKind::TableOutOfBounds));
        }
        for (k, f) in seg.funcs.iter().enumerate() {
            let slot = (offset as usize) + k;
            let (val, r) = match f {
                Some(f) => {
                    let f = *f as usize;
                    let r = &store.instances[index as usize].funcs[f] as *const VMFuncRef;
                    (store.func_val(func_addrs[f]), r)
                }
                None => (Val::FuncRef(None), std::ptr::null()),
            };
            store.tables[table].set(slot, val, r);
        }
    }
    // Active data segments, in order.
    for seg in &info.datas {
        let offset = const_offset(store, &global_addrs, seg.offset)?;
        let m = memory.ok_or_else(|| instantiation_trap(TrapKind::MemoryOutOfBounds))? as usize;
        let data = &mut store.memories[m].data;
        let end = offset
            .checked_add(seg.bytes.len() as u64)
            .filter(|&e| e <= data.len() as u64)
            .ok_or_else(|| instantiation_trap(TrapKind::MemoryOutOfBounds))?;
        data[offset as usize..end as usize].copy_from_slice(&seg.bytes);
    }

    if let Some(start) = info.start {
        let f = *func_addrs
            .get(start as usize)
            .ok_or_else(|| Error::msg("start function index out of range"))?;
        super::call::invoke(store, f as usize, &[], &mut [])
            .map_err(|e| e.context("instantiation failed"))?;
    }
    Ok(index)
}

/// A constant initializer's value.
fn const_value<T: 'static>(
    store: &JitStore<T>,
    globals: &[u32],
    init: ConstInit,
    ty: ValType,
) -> Result<Val> {
    Ok(match init {
        ConstInit::I32(x) => Val::I32(x),
        ConstInit::I64(x) => Val::I64(x),
        ConstInit::F32(x) => Val::F32(x),
        ConstInit::F64(x) => Val::F64(x),
        ConstInit::GlobalGet(g) => {
            let g = *globals.get(g as usize).ok_or_else(|| {
                Error::msg(format!("global.get {g} in an initializer: no such global"))
            })?;
            store.globals[g as usize].load()
        }
        ConstInit::RefNull | ConstInit::RefFunc(_) => {
            return Err(Error::msg(format!(
                "reference initializer for a global of type {ty} (needs reference types)"
            )));
        }
    })
}

/// A segment offset (an i32 constant expression, read unsigned).
fn const_offset<T: 'static>(store: &JitStore<T>, globals: &[u32], init: ConstInit) -> Result<u64> {
    match const_value(store, globals, init, ValType::I32)? {
        Val::I32(x) => Ok(u64::from(x as u32)),
        other => Err(Error::msg(format!(
            "segment offset of type {}, expected i32",
            other.ty()
        ))),
    }
}
