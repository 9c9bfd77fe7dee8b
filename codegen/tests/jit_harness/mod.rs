//! A minimal runtime for testing compiled code: one instance with its
//! `VMContext`, no memory, host imports, functions callable through the
//! array entry.

use std::ptr;

use wasmproof_codegen::vm::{
    ArrayEntry, Libcalls, VMContext, VMFuncRef, VMHostContext, VMMemory, VMStoreContext, VMTable,
};

/// A host function as `VMHostContext::call` runs it.
pub type HostFn = unsafe extern "C" fn(*mut VMHostContext, *mut u64) -> u32;
use wasmproof_codegen::{CompileOptions, CompiledModule, compile_module};

unsafe extern "C" fn no_grow(_: *mut VMContext, _: u32) -> u32 {
    u32::MAX
}

/// One instance of a compiled module. Boxed parts keep stable addresses.
pub struct Jit {
    pub module: CompiledModule,
    store: Box<VMStoreContext>,
    _funcs: Vec<VMFuncRef>,
    _host_ctxs: Vec<VMHostContext>,
    _globals: Vec<u64>,
    _global_ptrs: Vec<*mut u64>,
    _table: Box<VMTable>,
    _table_elems: Vec<*const VMFuncRef>,
    _tables: Vec<*mut VMTable>,
    _type_ids: Vec<u64>,
    _libcalls: Box<Libcalls>,
    _memory: Box<VMMemory>,
    _memory_bytes: Vec<u8>,
    vmctx: Box<VMContext>,
}

impl Jit {
    pub fn new(wasm: &[u8], opts: &CompileOptions) -> Jit {
        let module = compile_module(wasm, opts).unwrap_or_else(|e| panic!("compiles: {e}"));
        Self::instantiate(module)
    }

    pub fn instantiate(module: CompiledModule) -> Jit {
        Self::with_imports(module, Vec::new())
    }

    /// Imported function `i` is the host function `hosts[i]`, called
    /// through the module's host adapter for its type.
    pub fn with_imports(module: CompiledModule, hosts: Vec<HostFn>) -> Jit {
        let info = module.info();
        let mut store = Box::new(VMStoreContext::new(ptr::null(), None));
        // Leave 256 KiB of this thread's stack for the stubs and the test.
        let here = &store as *const _ as usize;
        store.stack_limit = here.saturating_sub(1 << 20);
        let mut vmctx = Box::new(VMContext {
            store: &mut *store,
            memory: ptr::null_mut(),
            globals: ptr::null(),
            funcs: ptr::null(),
            tables: ptr::null(),
            type_ids: ptr::null(),
            libcalls: ptr::null(),
        });
        let vmctx_ptr: *mut VMContext = &mut *vmctx;
        let imports = info.num_imported_funcs();
        assert_eq!(
            hosts.len(),
            imports as usize,
            "one host function per import"
        );
        let store_ptr: *mut VMStoreContext = &mut *store;
        let mut host_ctxs: Vec<VMHostContext> = hosts
            .into_iter()
            .map(|call| VMHostContext {
                store: store_ptr,
                call,
            })
            .collect();
        let funcs: Vec<VMFuncRef> = info
            .funcs
            .iter()
            .enumerate()
            .map(|(i, &ty)| {
                if (i as u32) < imports {
                    VMFuncRef {
                        native: module.host_adapter(ty).unwrap_or(ptr::null()),
                        array: ptr::null(),
                        vmctx: (&mut host_ctxs[i] as *mut VMHostContext).cast(),
                        type_id: u64::from(ty),
                    }
                } else {
                    VMFuncRef {
                        native: module.native_entry(i as u32).unwrap_or(ptr::null()),
                        array: module.array_entry(ty).unwrap_or(ptr::null()),
                        vmctx: vmctx_ptr.cast(),
                        type_id: u64::from(ty),
                    }
                }
            })
            .collect();
        let mut globals: Vec<u64> = info
            .globals
            .iter()
            .map(|g| match g.init {
                Some(wasmproof_codegen::translate::ConstInit::I32(v)) => u64::from(v as u32),
                Some(wasmproof_codegen::translate::ConstInit::I64(v)) => v as u64,
                _ => 0,
            })
            .collect();
        let global_ptrs: Vec<*mut u64> = globals.iter_mut().map(|g| g as *mut u64).collect();
        // Table 0 (if any): its active element segments applied.
        let mut table_elems: Vec<*const VMFuncRef> =
            vec![ptr::null(); info.tables.first().map_or(0, |t| t.min as usize)];
        for e in &info.elems {
            let base = match e.offset {
                wasmproof_codegen::translate::ConstInit::I32(v) => v as usize,
                _ => 0,
            };
            for (k, f) in e.funcs.iter().enumerate() {
                if let Some(f) = f {
                    table_elems[base + k] = &funcs[*f as usize];
                }
            }
        }
        let mut table = Box::new(VMTable {
            elems: table_elems.as_mut_ptr(),
            len: table_elems.len() as u64,
        });
        let tables = vec![&mut *table as *mut VMTable];
        let type_ids: Vec<u64> = (0..info.types.len() as u64).collect();
        let libcalls = Box::new(Libcalls {
            memory_grow: no_grow,
        });
        // Memory 0 at its minimum size (`memory.grow` always fails here).
        let mut memory_bytes = vec![0u8; info.memory.as_ref().map_or(0, |m| m.min as usize) << 16];
        let mut memory = Box::new(VMMemory {
            base: memory_bytes.as_mut_ptr(),
            bytes: memory_bytes.len() as u64,
        });
        vmctx.memory = &mut *memory;
        vmctx.globals = global_ptrs.as_ptr();
        vmctx.funcs = funcs.as_ptr();
        vmctx.tables = tables.as_ptr();
        vmctx.type_ids = type_ids.as_ptr();
        vmctx.libcalls = &*libcalls;
        Jit {
            module,
            store,
            _funcs: funcs,
            _host_ctxs: host_ctxs,
            _globals: globals,
            _global_ptrs: global_ptrs,
            _table: table,
            _table_elems: table_elems,
            _tables: tables,
            _type_ids: type_ids,
            _libcalls: libcalls,
            _memory: memory,
            _memory_bytes: memory_bytes,
            vmctx,
        }
    }

    pub fn set_fuel(&mut self, fuel: i64) {
        self.store.fuel = fuel;
    }

    /// Epoch checks read `*counter` (which must outlive the calls).
    pub fn set_epoch(&mut self, counter: &u64, deadline: u64) {
        self.store.epoch_counter = counter;
        self.store.epoch_deadline = deadline;
    }

    /// Calls an exported function with raw 8-byte argument slots: the
    /// results, or the trap code.
    pub fn call(&mut self, name: &str, args: &[u64]) -> Result<Vec<u64>, u32> {
        let info = self.module.info();
        let f = info.exported_func(name).expect("export exists");
        let ty = info.funcs[f as usize];
        let sig = &info.types[ty as usize];
        let mut values = vec![0u64; sig.params.len().max(sig.results.len()).max(1)];
        values[..args.len()].copy_from_slice(args);
        let entry = self.module.array_entry(ty).expect("array entry");
        let native = self.module.native_entry(f).expect("defined function");
        // SAFETY: `entry` is the array-entry stub for the callee's signature,
        // `native` its code, `vmctx` a complete context whose pointers live
        // as long as `self`, and `values` has max(params, results) slots.
        let code = unsafe {
            let entry: ArrayEntry = std::mem::transmute::<*const u8, ArrayEntry>(entry);
            entry(
                (&mut *self.vmctx as *mut VMContext).cast(),
                native,
                values.as_mut_ptr(),
            )
        };
        if code != 0 {
            assert_eq!(self.store.trap_code, code, "the landing records the code");
            return Err(code);
        }
        values.truncate(sig.results.len());
        Ok(values)
    }
}

/// A Wasm value as the array convention's 8-byte slot (i32/f32 in the low
/// 32 bits, upper bits zero).
pub fn raw(v: wasmproof_oracle::Value) -> u64 {
    use wasmproof_oracle::Value as V;
    match v {
        V::I32(x) => u64::from(x as u32),
        V::I64(x) => x as u64,
        V::F32(x) => u64::from(x),
        V::F64(x) => x,
        other => panic!("unsupported value {other:?}"),
    }
}

/// The trap code compiled code reports for an interpreter trap kind
/// (the `ir::TrapCode` numbers of codegen/src/vm.rs).
pub fn trap_code(kind: wasmproof_oracle::TrapKind) -> u32 {
    use wasmproof_oracle::TrapKind as K;
    match kind {
        K::Unreachable => 1,
        K::IntegerDivideByZero => 2,
        K::IntegerOverflow => 3,
        K::InvalidConversionToInteger => 4,
        K::MemoryOutOfBounds => 5,
        K::IndirectCallTypeMismatch => 6,
        K::UndefinedElement => 7,
        K::UninitializedElement => 8,
        K::CallStackExhausted => 9,
        K::OutOfFuel => 10,
        K::Interrupted => 11,
        other => panic!("unexpected trap {other:?}"),
    }
}
