//! The contract between compiled code and the runtime: the data structures
//! JIT code reads through its `vmctx` pointer, and the calling conventions
//! of the code the compiler emits. Both sides (`codegen`'s emitter and the
//! runtime's JIT store) use these definitions, so a layout change is one
//! edit here; the `*_OFFSET` constants are checked against the structs by
//! `offsets_match_layout` below.
//!
//! # Objects
//!
//! * [`VMStoreContext`]: one per store, shared by every instance in it —
//!   the stack limit, fuel, epoch deadline, and the entry/trap record used
//!   to unwind JIT frames on a trap.
//! * [`VMContext`]: one per instance. Its first field points to the
//!   store context. Memories, globals, tables and imported functions are
//!   reached through pointers so that instances can share them (imports).
//! * [`VMHostContext`]: what a host function's [`VMFuncRef::vmctx`] points
//!   to. Starts with the same store pointer as `VMContext`, so compiled
//!   code can find the store context from any callee context.
//! * [`VMFuncRef`]: a callable function: its native entry, its array entry,
//!   its context and its engine-wide signature id (for `call_indirect`).
//!
//! # Native convention (JIT code calling JIT code or a host adapter)
//!
//! System V AMD64 with the callee's context first: `rdi` = callee
//! `vmctx` (a `VMContext` or a `VMHostContext`), then the Wasm parameters
//! classified as System V does (i32/i64 in `rsi, rdx, rcx, r8, r9`, then
//! the stack; f32/f64 in `xmm0..xmm7`, then the stack; stack arguments are
//! 8-byte slots in parameter order, the first at `[rsp + 8]` on entry).
//! A function with one result returns it in `rax` (i32/i64) or `xmm0`
//! (f32/f64); with two or more results the caller passes a pointer to a
//! results area of 8-byte slots as the hidden argument right after
//! `vmctx` (so in `rsi`, shifting the parameters by one) and the callee
//! stores result `i` at `[area + 8 * i]`. Callee-saved: `rbx, rbp,
//! r12..r15`; every XMM register is caller-saved. Every compiled function
//! keeps a frame-pointer chain (`push rbp; mov rbp, rsp`), which the
//! runtime walks for backtraces.
//!
//! # Array convention (the runtime calling compiled code)
//!
//! [`ArrayEntry`]: `(callee_vmctx, native_code, values) -> trap_code`.
//! `values` holds the arguments on entry and the results on return, one
//! 8-byte [`u64`] slot each (i32/f32 in the low 32 bits, upper bits zero);
//! it must have `max(params, results)` slots. Returns 0 on success or a
//! trap code ([`TRAP_*`](TRAP_HOST)); on a trap, `VMStoreContext::trap_*`
//! describe where it happened. The stub saves the previous
//! `entry_sp`/`entry_fp` and restores them, so host → Wasm → host → Wasm
//! nesting unwinds one level at a time.
//!
//! # Traps
//!
//! Compiled code traps by jumping to a per-module trap landing with the
//! code (an `ir::TrapCode` number, or [`TRAP_HOST`]): it records the code,
//! the trapping pc and frame pointer in the store context, calls
//! `VMStoreContext::trap_hook` if set (the runtime records the backtrace
//! while the frames still exist), resets `rsp` to `entry_sp` and returns
//! the code from the array entry. No signal
//! handlers are involved: every trap is an explicit check. A host function
//! that fails returns [`TRAP_HOST`] from [`VMHostContext::call`] (the
//! runtime keeps the error); its adapter then traps with that code.

use std::mem::offset_of;

/// Trap code for "a host function returned an error" (the runtime holds it).
pub const TRAP_HOST: u32 = 0xff;

/// Per-store state compiled code reads and writes.
#[repr(C)]
#[derive(Debug)]
pub struct VMStoreContext {
    /// The prologue of every compiled function traps with
    /// `StackOverflow` when `rsp - frame_size` is below this.
    pub stack_limit: usize,
    /// Remaining fuel; checks subtract and trap with `OutOfFuel` when the
    /// result is negative. `i64::MAX` when fuel is not enabled.
    pub fuel: i64,
    /// Epoch checks trap with `Interrupted` when `*epoch_counter >= epoch_deadline`.
    pub epoch_deadline: u64,
    /// The engine's epoch counter (an `AtomicU64`'s address).
    pub epoch_counter: *const u64,
    /// Set by the array entry stub: `rsp` just after it saved its registers
    /// (the trap landing resets `rsp` to it) and its frame pointer (where a
    /// backtrace stops).
    pub entry_sp: usize,
    pub entry_fp: usize,
    /// Written by the trap landing.
    pub trap_code: u32,
    pub trap_pc: usize,
    pub trap_fp: usize,
    /// Called by the trap landing (when non-null) after it wrote the
    /// `trap_*` fields and before it resets `rsp`, with `rdi` = this store
    /// context and `rsp` 16-byte aligned: the trapping frames are still
    /// intact then, so the runtime walks the frame-pointer chain from
    /// `trap_fp` up to `entry_fp` for the Wasm backtrace (`trap_fp` is the
    /// trapping code's own frame pointer, so `[trap_fp + 8]` returns into
    /// its caller; `trap_pc` lies inside the trapping function). May
    /// clobber any caller-saved register.
    pub trap_hook: Option<unsafe extern "C" fn(store: *mut VMStoreContext)>,
}

impl VMStoreContext {
    /// A store context with no limit armed: no stack limit, fuel and epoch
    /// deadline at their "disabled" maxima, no entry or trap recorded.
    pub fn new(
        epoch_counter: *const u64,
        trap_hook: Option<unsafe extern "C" fn(store: *mut VMStoreContext)>,
    ) -> VMStoreContext {
        VMStoreContext {
            stack_limit: 0,
            fuel: i64::MAX,
            epoch_deadline: u64::MAX,
            epoch_counter,
            entry_sp: 0,
            entry_fp: 0,
            trap_code: 0,
            trap_pc: 0,
            trap_fp: 0,
            trap_hook,
        }
    }
}

/// A linear memory: where it starts and its current size in bytes.
/// Compiled code reloads both after every call (`memory.grow` may move it).
#[repr(C)]
#[derive(Debug)]
pub struct VMMemory {
    pub base: *mut u8,
    pub bytes: u64,
}

/// A callable function.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct VMFuncRef {
    /// Native-convention entry (for a host function, a signature adapter).
    pub native: *const u8,
    /// Array-convention entry for this function's signature (null for a
    /// host function: the runtime calls it directly).
    pub array: *const u8,
    /// The callee's context: a `VMContext` or a `VMHostContext`.
    pub vmctx: *mut u8,
    /// Engine-wide id of the signature; `call_indirect` compares it.
    pub type_id: u64,
}

/// A table of function references (null = a null reference).
#[repr(C)]
#[derive(Debug)]
pub struct VMTable {
    pub elems: *mut *const VMFuncRef,
    pub len: u64,
}

/// Functions compiled code calls in the runtime.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Libcalls {
    /// `memory.grow` on memory 0 of `vmctx`'s instance: the old size in
    /// pages, or `u32::MAX` on failure. Updates the `VMMemory`.
    pub memory_grow: unsafe extern "C" fn(vmctx: *mut VMContext, delta: u32) -> u32,
}

/// Per-instance context, the `vmctx` argument of every compiled function.
#[repr(C)]
#[derive(Debug)]
pub struct VMContext {
    pub store: *mut VMStoreContext,
    /// Memory 0 (null when the module has none).
    pub memory: *mut VMMemory,
    /// Per global index (imports first): the address of its 8-byte slot.
    pub globals: *const *mut u64,
    /// Per function index (imports first).
    pub funcs: *const VMFuncRef,
    /// Per table index (imports first).
    pub tables: *const *mut VMTable,
    /// Per module type index: the engine-wide signature id.
    pub type_ids: *const u64,
    pub libcalls: *const Libcalls,
}

/// The context of a host function.
#[repr(C)]
#[derive(Debug)]
pub struct VMHostContext {
    pub store: *mut VMStoreContext,
    /// Runs the host function on `values` (arguments in, results out, as
    /// in the array convention); 0 or [`TRAP_HOST`].
    pub call: unsafe extern "C" fn(ctx: *mut VMHostContext, values: *mut u64) -> u32,
}

/// The array-convention entry stub's type.
pub type ArrayEntry =
    unsafe extern "C" fn(callee_vmctx: *mut u8, native: *const u8, values: *mut u64) -> u32;

pub const STORE_STACK_LIMIT: i32 = offset_of!(VMStoreContext, stack_limit) as i32;
pub const STORE_FUEL: i32 = offset_of!(VMStoreContext, fuel) as i32;
pub const STORE_EPOCH_DEADLINE: i32 = offset_of!(VMStoreContext, epoch_deadline) as i32;
pub const STORE_EPOCH_COUNTER: i32 = offset_of!(VMStoreContext, epoch_counter) as i32;
pub const STORE_ENTRY_SP: i32 = offset_of!(VMStoreContext, entry_sp) as i32;
pub const STORE_ENTRY_FP: i32 = offset_of!(VMStoreContext, entry_fp) as i32;
pub const STORE_TRAP_CODE: i32 = offset_of!(VMStoreContext, trap_code) as i32;
pub const STORE_TRAP_PC: i32 = offset_of!(VMStoreContext, trap_pc) as i32;
pub const STORE_TRAP_FP: i32 = offset_of!(VMStoreContext, trap_fp) as i32;
pub const STORE_TRAP_HOOK: i32 = offset_of!(VMStoreContext, trap_hook) as i32;

pub const MEMORY_BASE: i32 = offset_of!(VMMemory, base) as i32;
pub const MEMORY_BYTES: i32 = offset_of!(VMMemory, bytes) as i32;

pub const FUNCREF_NATIVE: i32 = offset_of!(VMFuncRef, native) as i32;
pub const FUNCREF_ARRAY: i32 = offset_of!(VMFuncRef, array) as i32;
pub const FUNCREF_VMCTX: i32 = offset_of!(VMFuncRef, vmctx) as i32;
pub const FUNCREF_TYPE_ID: i32 = offset_of!(VMFuncRef, type_id) as i32;
pub const FUNCREF_SIZE: i32 = size_of::<VMFuncRef>() as i32;

pub const TABLE_ELEMS: i32 = offset_of!(VMTable, elems) as i32;
pub const TABLE_LEN: i32 = offset_of!(VMTable, len) as i32;

pub const LIBCALL_MEMORY_GROW: i32 = offset_of!(Libcalls, memory_grow) as i32;

pub const VMCTX_STORE: i32 = offset_of!(VMContext, store) as i32;
pub const VMCTX_MEMORY: i32 = offset_of!(VMContext, memory) as i32;
pub const VMCTX_GLOBALS: i32 = offset_of!(VMContext, globals) as i32;
pub const VMCTX_FUNCS: i32 = offset_of!(VMContext, funcs) as i32;
pub const VMCTX_TABLES: i32 = offset_of!(VMContext, tables) as i32;
pub const VMCTX_TYPE_IDS: i32 = offset_of!(VMContext, type_ids) as i32;
pub const VMCTX_LIBCALLS: i32 = offset_of!(VMContext, libcalls) as i32;

pub const HOSTCTX_STORE: i32 = offset_of!(VMHostContext, store) as i32;
pub const HOSTCTX_CALL: i32 = offset_of!(VMHostContext, call) as i32;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_pointer_is_first_in_both_contexts() {
        // Compiled code finds the store context at offset 0 of any callee
        // context, instance or host.
        assert_eq!(VMCTX_STORE, 0);
        assert_eq!(HOSTCTX_STORE, 0);
        assert_eq!(FUNCREF_SIZE, 32);
    }
}
