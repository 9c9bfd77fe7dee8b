//! The JIT store's objects, each in the layout compiled code reads
//! (`wasmproof_codegen::vm`). Every structure compiled code holds a pointer
//! to is boxed, so its address is stable while the store's vectors grow.

use std::cell::UnsafeCell;

use wasmproof_codegen::vm::{
    VMContext, VMFuncRef, VMHostContext, VMMemory, VMStoreContext, VMTable,
};

use crate::limits::{SharedLimiter, lock, pages_to_bytes, to_usize};
use crate::strategy::HostFn;
use crate::types::{FuncType, GlobalType, MemoryType, TableType, ValType};
use crate::values::Val;

/// The largest 32-bit memory, in pages.
pub(crate) const MAX_PAGES: u64 = 65536;

/// The store context plus what the trap hook records.
#[repr(C)]
pub(crate) struct StoreCtx {
    /// First, so a `*mut VMStoreContext` is a `*mut StoreCtx`.
    pub(crate) vm: VMStoreContext,
    /// Return addresses of the trapping frames, innermost first (the trap
    /// pc first), filled by the trap hook before the frames are unwound.
    pub(crate) trap_pcs: Vec<usize>,
}

/// An instance's context: the `VMContext` compiled code gets, followed by
/// what the libcalls need to find the store and the instance.
#[repr(C)]
pub(crate) struct InstanceCtx {
    pub(crate) vm: VMContext,
    /// The `JitStore<T>` (type-erased; the libcalls are monomorphized).
    pub(crate) store: *mut (),
    pub(crate) instance: u32,
}

/// A host function's context as one instance (or the embedder) sees it.
#[repr(C)]
pub(crate) struct HostCtx {
    pub(crate) vm: VMHostContext,
    pub(crate) store: *mut (),
    /// The host function's index in the store.
    pub(crate) func: u32,
    /// The instance whose code calls through this context.
    pub(crate) caller: Option<u32>,
}

pub(crate) struct MemoryEntry {
    pub(crate) ty: MemoryType,
    pub(crate) data: Vec<u8>,
    pub(crate) vm: Box<VMMemory>,
}

impl MemoryEntry {
    pub(crate) fn new(
        ty: MemoryType,
        limiter: Option<&SharedLimiter>,
    ) -> Result<MemoryEntry, String> {
        if ty.is_64() || ty.is_shared() {
            return Err("64-bit and shared memories are not supported by the JIT".into());
        }
        let min = ty.minimum();
        if min > MAX_PAGES || ty.maximum().is_some_and(|m| m > MAX_PAGES) {
            return Err(format!("size exceeds {MAX_PAGES} pages"));
        }
        if let Some(l) = limiter {
            let max = ty.maximum().map(pages_to_bytes);
            if !lock(l).memory_growing(0, pages_to_bytes(min), max) {
                return Err("refused by the store's resource limiter".into());
            }
        }
        let mut data = Vec::new();
        data.try_reserve_exact(pages_to_bytes(min))
            .map_err(|e| format!("cannot allocate {min} pages: {e}"))?;
        data.resize(pages_to_bytes(min), 0);
        let mut m = MemoryEntry {
            ty,
            data,
            vm: Box::new(VMMemory {
                base: std::ptr::null_mut(),
                bytes: 0,
            }),
        };
        m.sync();
        Ok(m)
    }

    /// Points the `VMMemory` at the current bytes.
    fn sync(&mut self) {
        self.vm.base = self.data.as_mut_ptr();
        self.vm.bytes = self.data.len() as u64;
    }

    pub(crate) fn pages(&self) -> u64 {
        self.data.len() as u64 / crate::WASM_PAGE_SIZE
    }

    /// `memory.grow`: the old size in pages, or `None` when refused (over
    /// the type's maximum, the limiter, or the allocator).
    pub(crate) fn grow(&mut self, delta: u64, limiter: Option<&SharedLimiter>) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        let max = self.ty.maximum().unwrap_or(MAX_PAGES).min(MAX_PAGES);
        if new > max {
            return None;
        }
        if let Some(l) = limiter {
            let type_max = self.ty.maximum().map(pages_to_bytes);
            if !lock(l).memory_growing(pages_to_bytes(old), pages_to_bytes(new), type_max) {
                return None;
            }
        }
        let bytes = pages_to_bytes(new);
        self.data.try_reserve_exact(bytes - self.data.len()).ok()?;
        self.data.resize(bytes, 0);
        self.sync();
        Some(old)
    }

    pub(crate) fn current_type(&self) -> MemoryType {
        MemoryType::from_parts(self.pages(), self.ty.maximum(), false, false)
    }
}

pub(crate) struct TableEntry {
    pub(crate) ty: TableType,
    /// What the API sees (the source of truth for `table_get`).
    pub(crate) vals: Vec<Val>,
    /// What compiled code sees: the `VMFuncRef` of each element (null for
    /// a null reference or any externref).
    pub(crate) elems: Vec<*const VMFuncRef>,
    pub(crate) vm: Box<VMTable>,
}

impl TableEntry {
    pub(crate) fn new(
        ty: TableType,
        init: Val,
        init_ref: *const VMFuncRef,
        limiter: Option<&SharedLimiter>,
    ) -> Result<TableEntry, String> {
        let min = ty.minimum();
        if min > u64::from(u32::MAX) {
            return Err("more than 2^32-1 elements".into());
        }
        if let Some(l) = limiter {
            let max = ty.maximum().map(to_usize);
            if !lock(l).table_growing(0, to_usize(min), max) {
                return Err("refused by the store's resource limiter".into());
            }
        }
        let n = to_usize(min);
        let mut t = TableEntry {
            ty,
            vals: vec![init; n],
            elems: vec![init_ref; n],
            vm: Box::new(VMTable {
                elems: std::ptr::null_mut(),
                len: 0,
            }),
        };
        t.sync();
        Ok(t)
    }

    fn sync(&mut self) {
        self.vm.elems = self.elems.as_mut_ptr();
        self.vm.len = self.elems.len() as u64;
    }

    pub(crate) fn set(&mut self, index: usize, val: Val, funcref: *const VMFuncRef) {
        self.vals[index] = val;
        self.elems[index] = funcref;
    }

    pub(crate) fn grow(
        &mut self,
        delta: u64,
        init: Val,
        init_ref: *const VMFuncRef,
        limiter: Option<&SharedLimiter>,
    ) -> Option<u64> {
        let old = self.vals.len() as u64;
        let new = old.checked_add(delta)?;
        if new > self.ty.maximum().unwrap_or(u64::from(u32::MAX)) {
            return None;
        }
        if let Some(l) = limiter {
            let max = self.ty.maximum().map(to_usize);
            if !lock(l).table_growing(to_usize(old), to_usize(new), max) {
                return None;
            }
        }
        let n = to_usize(delta);
        self.vals.try_reserve(n).ok()?;
        self.elems.try_reserve(n).ok()?;
        self.vals.resize(to_usize(new), init);
        self.elems.resize(to_usize(new), init_ref);
        self.sync();
        Some(old)
    }

    pub(crate) fn current_type(&self) -> TableType {
        TableType::from_parts(
            self.ty.element(),
            self.vals.len() as u64,
            self.ty.maximum(),
            false,
        )
    }
}

pub(crate) struct GlobalEntry {
    pub(crate) ty: GlobalType,
    /// The 8-byte slot compiled code reads and writes (numeric globals).
    pub(crate) slot: Box<UnsafeCell<u64>>,
    /// The value of a reference-typed global (compiled code has none).
    pub(crate) reference: Val,
}

impl GlobalEntry {
    pub(crate) fn new(ty: GlobalType, init: &Val) -> GlobalEntry {
        let g = GlobalEntry {
            ty,
            slot: Box::new(UnsafeCell::new(0)),
            reference: Val::default_for(ty.content()),
        };
        let mut g = g;
        g.store(init);
        g
    }

    pub(crate) fn ptr(&self) -> *mut u64 {
        self.slot.get()
    }

    pub(crate) fn load(&self) -> Val {
        // SAFETY: the slot is a live, aligned u64 owned by this entry;
        // compiled code writes it only while the store is mutably
        // borrowed by a call, never concurrently with this read.
        let bits = unsafe { *self.slot.get() };
        match self.ty.content() {
            ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64 => {
                from_bits(self.ty.content(), bits).unwrap_or(self.reference)
            }
            _ => self.reference,
        }
    }

    pub(crate) fn store(&mut self, v: &Val) {
        match to_bits(v) {
            // SAFETY: as in `load`; `&mut self` excludes other accesses.
            Some(bits) => unsafe { *self.slot.get() = bits },
            None => self.reference = *v,
        }
    }
}

/// A numeric value as an 8-byte slot (i32/f32 in the low half, upper half
/// zero); `None` for a reference or a vector.
pub(crate) fn to_bits(v: &Val) -> Option<u64> {
    match *v {
        Val::I32(x) => Some(u64::from(x as u32)),
        Val::I64(x) => Some(x as u64),
        Val::F32(x) => Some(u64::from(x)),
        Val::F64(x) => Some(x),
        _ => None,
    }
}

/// The value of type `ty` in an 8-byte slot.
pub(crate) fn from_bits(ty: ValType, bits: u64) -> Option<Val> {
    match ty {
        ValType::I32 => Some(Val::I32(bits as u32 as i32)),
        ValType::I64 => Some(Val::I64(bits as i64)),
        ValType::F32 => Some(Val::F32(bits as u32)),
        ValType::F64 => Some(Val::F64(bits)),
        _ => None,
    }
}

pub(crate) enum FuncKind<T: 'static> {
    /// Defined function `index` (in its module's function index space) of
    /// instance `instance`; its `VMFuncRef` is in the instance's array.
    Wasm { instance: u32, index: u32 },
    /// A host function. `funcref` is its context-free reference (caller
    /// `None`), for tables filled by the embedder; its `native` adapter is
    /// null until one is compiled on first use.
    Host {
        func: HostFn<T>,
        /// Owned here; `funcref.vmctx` points to it.
        _ctx: Box<HostCtx>,
        funcref: Box<VMFuncRef>,
    },
}

pub(crate) struct FuncEntry<T: 'static> {
    pub(crate) ty: FuncType,
    pub(crate) type_id: u64,
    pub(crate) kind: FuncKind<T>,
}
