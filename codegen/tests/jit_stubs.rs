//! `compile_stubs`: an array entry calling a host adapter calling a host
//! function, for a small and a large (stack arguments, multi-value)
//! signature, and a host failure unwinding through the trap landing.

use wasmproof_codegen::compile_stubs;
use wasmproof_codegen::ir::{Signature, Type};
use wasmproof_codegen::vm::{ArrayEntry, TRAP_HOST, VMHostContext, VMStoreContext};

fn store() -> Box<VMStoreContext> {
    Box::new(VMStoreContext::new(std::ptr::null(), None))
}

/// (i32, i32) -> i32: the sum.
unsafe extern "C" fn add(_: *mut VMHostContext, values: *mut u64) -> u32 {
    // SAFETY: the adapter passes a buffer of max(params, results) = 2 slots.
    let v = unsafe { std::slice::from_raw_parts_mut(values, 2) };
    v[0] = u64::from((v[0] as u32).wrapping_add(v[1] as u32));
    0
}

/// (i64, f64, i32 x 6, f32) -> (i64, f64, i32): checks every argument
/// arrived in its slot (zero-extended) and returns three results.
unsafe extern "C" fn big(_: *mut VMHostContext, values: *mut u64) -> u32 {
    // SAFETY: 9 parameters, so the buffer has 9 slots.
    let v = unsafe { std::slice::from_raw_parts_mut(values, 9) };
    let ints: u64 = v[2..8].iter().sum();
    let f = f32::from_bits(v[8] as u32);
    v[0] = v[0].wrapping_mul(3);
    v[1] = (f64::from_bits(v[1]) + f64::from(f)).to_bits();
    v[2] = ints;
    0
}

unsafe extern "C" fn fail(_: *mut VMHostContext, _: *mut u64) -> u32 {
    TRAP_HOST
}

fn call(entry: *const u8, adapter: *const u8, ctx: &mut VMHostContext, values: &mut [u64]) -> u32 {
    // SAFETY: `entry` is the array entry for the signature `adapter` was
    // compiled for, `ctx` a host context whose store outlives the call, and
    // `values` has max(params, results) slots.
    unsafe {
        let entry = std::mem::transmute::<*const u8, ArrayEntry>(entry);
        entry(
            (ctx as *mut VMHostContext).cast(),
            adapter,
            values.as_mut_ptr(),
        )
    }
}

#[test]
fn array_entry_to_host_adapter_round_trip() {
    let small = Signature {
        params: vec![Type::I32, Type::I32],
        results: vec![Type::I32],
    };
    let mut params = vec![Type::I64, Type::F64];
    params.extend([Type::I32; 6]);
    params.push(Type::F32);
    let large = Signature {
        params,
        results: vec![Type::I64, Type::F64, Type::I32],
    };
    let stubs = compile_stubs(&[small, large]).expect("stubs compile");
    let mut st = store();
    let mut ctx = VMHostContext {
        store: &mut *st,
        call: add,
    };
    let (e0, a0) = (
        stubs.array_entry(0).unwrap(),
        stubs.host_adapter(0).unwrap(),
    );
    let mut values = [0xffff_ffff, 2];
    assert_eq!(call(e0, a0, &mut ctx, &mut values), 0);
    assert_eq!(values[0], 1, "i32 result wraps and is zero-extended");

    ctx.call = big;
    let (e1, a1) = (
        stubs.array_entry(1).unwrap(),
        stubs.host_adapter(1).unwrap(),
    );
    let mut values = [
        7,
        1.5f64.to_bits(),
        1,
        2,
        3,
        4,
        5,
        6,
        u64::from(2.25f32.to_bits()),
    ];
    assert_eq!(call(e1, a1, &mut ctx, &mut values), 0);
    assert_eq!(values[0], 21);
    assert_eq!(f64::from_bits(values[1]), 3.75);
    assert_eq!(values[2], 21);

    ctx.call = fail;
    let mut values = [1, 2];
    assert_eq!(call(e0, a0, &mut ctx, &mut values), TRAP_HOST);
    assert_eq!(st.trap_code, TRAP_HOST);
    let (start, len) = (a0 as usize, 4096);
    assert!(
        st.trap_pc >= start && st.trap_pc < start + len,
        "pc in the adapter"
    );
    assert_eq!((st.entry_sp, st.entry_fp), (0, 0), "entry record restored");
}
