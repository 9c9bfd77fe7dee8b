//! Running compiled code: the array-convention entry, host functions
//! called from compiled code, the `memory.grow` libcall, and traps with
//! their backtraces. Every transfer of control to generated code is here.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use wasmproof_codegen::ir::TrapCode;
use wasmproof_codegen::vm::{ArrayEntry, TRAP_HOST, VMContext, VMHostContext, VMStoreContext};

use super::objects::{FuncKind, HostCtx, InstanceCtx, StoreCtx, from_bits, to_bits};
use super::store::{JitStore, Pending};
use crate::error::{Error, Result};
use crate::store::{Caller, StoreContextMut};
use crate::trap::{FrameInfo, Trap, TrapKind, WasmBacktrace};
use crate::values::Val;

/// Most frames a backtrace records (deep recursion can have many more).
const MAX_BACKTRACE_FRAMES: usize = 10_000;

/// Calls function `func` of the store with `params` (already type-checked).
pub(crate) fn invoke<T: 'static>(
    store: &mut JitStore<T>,
    func: usize,
    params: &[Val],
    results: &mut [Val],
) -> Result<()> {
    let entry = store
        .funcs
        .get(func)
        .ok_or_else(|| Error::msg("function address out of range"))?;
    let (instance, index) = match &entry.kind {
        FuncKind::Host { func: f, .. } => {
            let f = f.clone();
            let ty = entry.ty.clone();
            return call_host_fn(store, &f, &ty, None, params, results);
        }
        FuncKind::Wasm { instance, index } => (*instance as usize, *index as usize),
    };
    let funcref = store.instances[instance].funcs[index];
    let ty = &entry.ty;
    let mut values = vec![0u64; ty.param_types().len().max(ty.result_types().len())];
    for (slot, p) in values.iter_mut().zip(params) {
        *slot = to_bits(p).ok_or_else(|| {
            Error::msg(format!(
                "a {} argument cannot be passed to compiled code",
                p.ty()
            ))
        })?;
    }
    let result_types: Vec<_> = ty.results().collect();

    if store.depth == 0 {
        // The stack Wasm may use is measured from here, the outermost entry.
        let marker = 0u8;
        let sp = std::hint::black_box(&marker) as *const u8 as usize;
        store.ctx.vm.stack_limit = sp.saturating_sub(store.max_wasm_stack);
    }
    store.ctx.trap_pcs.clear();
    store.depth += 1;
    // SAFETY: `funcref.array` is the array-convention entry stub the
    // compiler emitted for this function's signature (`vm::ArrayEntry`),
    // living in code memory owned by the instance's module, which the
    // store keeps alive. `funcref.vmctx` is the instance's boxed
    // `VMContext`, whose pointers all lead into this store's boxed
    // objects; `values` has `max(params, results)` slots as the convention
    // requires. Compiled code reaches this store again only through the
    // raw pointers in its contexts (host calls and libcalls below), while
    // this frame does not touch `store` until the call returns.
    let code = unsafe {
        let entry: ArrayEntry = std::mem::transmute::<*const u8, ArrayEntry>(funcref.array);
        entry(funcref.vmctx, funcref.native, values.as_mut_ptr())
    };
    store.depth -= 1;
    if let Some(Pending::Panic(p)) = store.pending.take_if(|p| matches!(p, Pending::Panic(_))) {
        resume_unwind(p);
    }
    if code != 0 {
        return Err(trap_error(store, code));
    }
    for ((slot, ty), bits) in results.iter_mut().zip(result_types).zip(values) {
        *slot = from_bits(ty, bits)
            .ok_or_else(|| Error::msg(format!("compiled code cannot return a {ty}")))?;
    }
    Ok(())
}

/// The error for a trap code returned by the entry stub.
fn trap_error<T: 'static>(store: &mut JitStore<T>, code: u32) -> Error {
    let backtrace = backtrace(store);
    if code == TRAP_HOST {
        return match store.pending.take() {
            Some(Pending::Error(e)) => e.with_host_backtrace(backtrace),
            Some(Pending::Panic(p)) => resume_unwind(p),
            None => Error::msg("compiled code reported a host error, but none was recorded"),
        };
    }
    match trap_kind(code) {
        Some(kind) => Error::from(Trap { kind, backtrace }),
        None => Error::msg(format!("compiled code returned unknown trap code {code}")),
    }
}

/// The runtime's trap kind for a compiled-code trap code.
pub(crate) fn trap_kind(code: u32) -> Option<TrapKind> {
    const KINDS: &[(TrapCode, TrapKind)] = &[
        (TrapCode::Unreachable, TrapKind::Unreachable),
        (TrapCode::IntegerDivideByZero, TrapKind::IntegerDivideByZero),
        (TrapCode::IntegerOverflow, TrapKind::IntegerOverflow),
        (
            TrapCode::BadConversionToInteger,
            TrapKind::InvalidConversionToInteger,
        ),
        (TrapCode::MemoryOutOfBounds, TrapKind::MemoryOutOfBounds),
        (
            TrapCode::IndirectCallTypeMismatch,
            TrapKind::IndirectCallTypeMismatch,
        ),
        (TrapCode::UndefinedElement, TrapKind::UndefinedElement),
        (
            TrapCode::UninitializedElement,
            TrapKind::UninitializedElement,
        ),
        (TrapCode::StackOverflow, TrapKind::CallStackExhausted),
        (TrapCode::OutOfFuel, TrapKind::OutOfFuel),
        (TrapCode::Interrupted, TrapKind::Interrupted),
    ];
    KINDS
        .iter()
        .find(|(c, _)| *c as u32 == code)
        .map(|(_, k)| *k)
}

/// The Wasm frames of the last trap: what the trap hook recorded, or, if
/// the landing did not call it, only the trapping function.
fn backtrace<T: 'static>(store: &mut JitStore<T>) -> WasmBacktrace {
    let mut pcs = std::mem::take(&mut store.ctx.trap_pcs);
    if pcs.is_empty() {
        pcs.push(store.ctx.vm.trap_pc);
    }
    let frames = pcs.iter().filter_map(|&pc| frame_at(store, pc)).collect();
    pcs.clear();
    store.ctx.trap_pcs = pcs;
    WasmBacktrace { frames }
}

fn frame_at<T: 'static>(store: &JitStore<T>, pc: usize) -> Option<FrameInfo> {
    store.instances.iter().find_map(|inst| {
        let crate::strategy::Artifact::Jit(decoded, code) = inst.module.artifact() else {
            return None;
        };
        let (start, len) = code.compiled.code_range();
        if pc < start || pc >= start + len {
            return None;
        }
        let func_index = code.compiled.func_at_pc(pc)?;
        Some(FrameInfo {
            func_index,
            func_name: decoded.func_name(func_index).map(str::to_string),
            module_name: decoded.name().map(str::to_string),
        })
    })
}

/// `VMStoreContext::trap_hook`: records the return addresses up the
/// frame-pointer chain while the trapping frames still exist.
pub(crate) unsafe extern "C" fn trap_hook(vm: *mut VMStoreContext) {
    // SAFETY: `vm` is the first field of a live, boxed `StoreCtx` (the
    // store set this hook in it); the landing calls the hook on the Wasm
    // stack before unwinding, so every frame from `trap_fp` up to
    // `entry_fp` is live and each holds `[saved rbp, return address]` at
    // its frame pointer (the frame-pointer chain every compiled function
    // keeps). The walk only follows strictly increasing frame pointers
    // below `entry_fp`, so it stays inside those frames and terminates.
    unsafe {
        let ctx = &mut *(vm as *mut StoreCtx);
        let pcs = &mut ctx.trap_pcs;
        pcs.clear();
        pcs.push(ctx.vm.trap_pc);
        let end = ctx.vm.entry_fp;
        let mut fp = ctx.vm.trap_fp;
        while fp != 0 && fp < end && pcs.len() < MAX_BACKTRACE_FRAMES {
            let next = *std::ptr::with_exposed_provenance::<usize>(fp);
            let ret = *std::ptr::with_exposed_provenance::<usize>(fp + 8);
            pcs.push(ret);
            if next <= fp {
                break;
            }
            fp = next;
        }
    }
}

/// `VMHostContext::call`: runs the host function behind `ctx` on the
/// array-convention `values`. Never unwinds into compiled code: errors
/// and panics are parked in the store and reported as [`TRAP_HOST`].
pub(crate) unsafe extern "C" fn host_call<T: 'static>(
    ctx: *mut VMHostContext,
    values: *mut u64,
) -> u32 {
    // SAFETY: `ctx` is the first field of a boxed `HostCtx` this store made
    // (`JitStore::host_ctx`), whose `store` is the live, boxed
    // `JitStore<T>` that entered compiled code; the entering frame does not
    // use the store until compiled code returns, so this is the only
    // access to it. `values` has one slot per parameter and per result of
    // the function's type, as the adapter compiled for that type provides.
    unsafe {
        let hctx = &*(ctx as *const HostCtx);
        let store = &mut *(hctx.store as *mut JitStore<T>);
        let (func, caller) = (hctx.func as usize, hctx.caller);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            host_call_inner(&mut *store, func, caller, values)
        }));
        match outcome {
            Ok(Ok(())) => 0,
            Ok(Err(e)) => {
                store.pending = Some(Pending::Error(e));
                TRAP_HOST
            }
            Err(p) => {
                store.pending = Some(Pending::Panic(p));
                TRAP_HOST
            }
        }
    }
}

/// # Safety
/// `values` has `max(params, results)` valid slots for `func`'s type.
unsafe fn host_call_inner<T: 'static>(
    store: &mut JitStore<T>,
    func: usize,
    caller: Option<u32>,
    values: *mut u64,
) -> Result<()> {
    let entry = &store.funcs[func];
    let FuncKind::Host { func: f, .. } = &entry.kind else {
        return Err(Error::msg("host context for a Wasm function"));
    };
    let (f, ty) = (f.clone(), entry.ty.clone());
    let n = ty.param_types().len().max(ty.result_types().len());
    // SAFETY: the caller guarantees `n` slots.
    let slots = unsafe { std::slice::from_raw_parts_mut(values, n) };
    let params: Vec<Val> = ty
        .params()
        .zip(slots.iter())
        .map(|(t, &bits)| from_bits(t, bits).ok_or_else(|| Error::msg(format!("{t} parameter"))))
        .collect::<Result<_>>()?;
    let mut results: Vec<Val> = ty.results().map(Val::default_for).collect();
    call_host_fn(store, &f, &ty, caller, &params, &mut results)?;
    for (slot, r) in slots.iter_mut().zip(&results) {
        *slot = to_bits(r).ok_or_else(|| Error::msg(format!("{} result", r.ty())))?;
    }
    Ok(())
}

/// Calls a host function with a `Caller` for `caller`, checking its results.
fn call_host_fn<T: 'static>(
    store: &mut JitStore<T>,
    f: &crate::strategy::HostFn<T>,
    ty: &crate::types::FuncType,
    caller: Option<u32>,
    params: &[Val],
    results: &mut [Val],
) -> Result<()> {
    let instance = caller.map(|i| store.instance_handle(i));
    f(
        Caller::new(StoreContextMut(store), instance),
        params,
        results,
    )?;
    for (r, t) in results.iter().zip(ty.results()) {
        if !r.matches(t) {
            return Err(Error::msg(format!(
                "host function of type {ty} returned a {} where a {t} was expected",
                r.ty()
            )));
        }
    }
    Ok(())
}

/// `Libcalls::memory_grow`: grows memory 0 of `vmctx`'s instance.
pub(crate) unsafe extern "C" fn memory_grow<T: 'static>(vmctx: *mut VMContext, delta: u32) -> u32 {
    // SAFETY: `vmctx` is the first field of a boxed `InstanceCtx` made by
    // `instance::instantiate`, whose `store` is the live, boxed
    // `JitStore<T>` running this code (as in `host_call`).
    unsafe {
        let ictx = &*(vmctx as *const InstanceCtx);
        let store = &mut *(ictx.store as *mut JitStore<T>);
        let instance = ictx.instance as usize;
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let m = store.instances[instance].memory? as usize;
            let limiter = store.limiter.clone();
            store.memories[m].grow(u64::from(delta), limiter.as_ref())
        }));
        match outcome {
            // Old sizes are at most 65536 pages, so they fit in a u32
            // and never collide with the failure value.
            Ok(Some(old)) => old as u32,
            Ok(None) => u32::MAX,
            Err(p) => {
                store.pending = Some(Pending::Panic(p));
                u32::MAX
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::{Addr, StoreBackend, StoreCommon};
    use crate::types::{FuncType, ValType};
    use std::sync::Arc;

    fn store() -> Box<JitStore<Vec<i64>>> {
        let engine = crate::Engine::new(crate::Config::new().strategy(crate::Strategy::Jit))
            .expect("engine");
        JitStore::new(StoreCommon::new(engine, Vec::new()))
    }

    fn host_vmctx(store: &JitStore<Vec<i64>>, f: crate::strategy::FuncAddr) -> *mut u8 {
        let Addr::Jit(i) = f else {
            panic!("a JIT address")
        };
        match &store.funcs[i as usize].kind {
            FuncKind::Host { funcref, .. } => funcref.vmctx,
            FuncKind::Wasm { .. } => panic!("a host function"),
        }
    }

    #[test]
    fn host_call_converts_slots_and_reaches_the_store() {
        let mut s = store();
        let ty = FuncType::new([ValType::I32, ValType::I64, ValType::F64], [ValType::I64]);
        let f = s.alloc_host_func(
            &ty,
            Arc::new(|mut caller, params, results| {
                let (Val::I32(a), Val::I64(b), Val::F64(c)) = (params[0], params[1], params[2])
                else {
                    return Err(Error::msg("wrong parameter types"));
                };
                caller.data_mut().push(b);
                results[0] = Val::I64(i64::from(a) + b + f64::from_bits(c) as i64);
                Ok(())
            }),
        );
        let ctx = host_vmctx(&s, f);
        // i32 -1 arrives as its low 32 bits; the upper half is ignored.
        let mut values = [0xdead_beef_ffff_ffffu64, 40, 2.0f64.to_bits()];
        // SAFETY: `ctx` is the host function's context in this live store;
        // `values` has max(3 params, 1 result) slots.
        let code = unsafe { host_call::<Vec<i64>>(ctx as *mut VMHostContext, values.as_mut_ptr()) };
        assert_eq!(code, 0);
        assert_eq!(values[0] as i64, 41);
        assert_eq!(s.common.data, vec![40]);
        assert!(s.pending.is_none());
    }

    #[test]
    fn host_call_parks_errors_and_panics_as_trap_host() {
        let mut s = store();
        let ty = FuncType::new([], [ValType::I32]);
        let failing = s.alloc_host_func(&ty, Arc::new(|_, _, _| Err(Error::msg("refused"))));
        let wrong = s.alloc_host_func(
            &ty,
            Arc::new(|_, _, r| {
                r[0] = Val::I64(1);
                Ok(())
            }),
        );
        let panicking = s.alloc_host_func(&ty, Arc::new(|_, _, _| panic!("boom")));
        let mut values = [0u64];
        for (f, want) in [(failing, "refused"), (wrong, "returned a i64")] {
            let ctx = host_vmctx(&s, f);
            // SAFETY: as above, one slot for one result.
            let code =
                unsafe { host_call::<Vec<i64>>(ctx as *mut VMHostContext, values.as_mut_ptr()) };
            assert_eq!(code, TRAP_HOST);
            match s.pending.take() {
                Some(Pending::Error(e)) => assert!(e.to_string().contains(want), "{e}"),
                _ => panic!("an error is parked"),
            }
        }
        let ctx = host_vmctx(&s, panicking);
        // SAFETY: as above.
        let code = unsafe { host_call::<Vec<i64>>(ctx as *mut VMHostContext, values.as_mut_ptr()) };
        assert_eq!(code, TRAP_HOST);
        assert!(matches!(s.pending.take(), Some(Pending::Panic(_))));
    }

    #[test]
    fn trap_hook_walks_frame_pointers_up_to_the_entry_frame() {
        let mut s = store();
        // A fake stack: three frames of [saved rbp, return address], the
        // innermost at the lowest address; the entry frame last.
        // (A heap buffer whose address is exposed: the hook reads it
        // through integers, as it reads real frames.)
        let mut stack = vec![0usize; 8];
        let base = stack.as_ptr().expose_provenance();
        let fp = |i: usize| base + 16 * i;
        stack[0] = fp(1);
        stack[1] = 0x1111;
        stack[2] = fp(2);
        stack[3] = 0x2222;
        stack[4] = fp(3);
        stack[5] = 0x3333;
        s.ctx.vm.trap_pc = 0x1000;
        s.ctx.vm.trap_fp = fp(0);
        s.ctx.vm.entry_fp = fp(3);
        let vm = &mut s.ctx.vm as *mut VMStoreContext;
        // SAFETY: `vm` is this store's context; the chain lies in `stack`.
        unsafe { trap_hook(vm) };
        assert_eq!(s.ctx.trap_pcs, [0x1000, 0x1111, 0x2222, 0x3333]);
        // A chain that does not go up stops instead of looping.
        stack[2] = fp(0);
        // SAFETY: as above.
        unsafe { trap_hook(vm) };
        assert_eq!(s.ctx.trap_pcs, [0x1000, 0x1111, 0x2222]);
        std::hint::black_box(&stack);
    }

    #[test]
    fn every_trap_code_maps_to_a_distinct_kind() {
        let kinds: Vec<TrapKind> = (1..=11).map(|c| trap_kind(c).expect("mapped")).collect();
        for (i, a) in kinds.iter().enumerate() {
            for b in &kinds[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(trap_kind(9), Some(TrapKind::CallStackExhausted));
        assert_eq!(trap_kind(5), Some(TrapKind::MemoryOutOfBounds));
        assert_eq!(trap_kind(0), None);
        assert_eq!(trap_kind(TRAP_HOST), None);
    }
}
