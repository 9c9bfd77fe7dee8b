//! Linear memory under compiled code: explicit bounds checks against the
//! size in the context, `memory.grow` through the libcall (including
//! failure as -1), data segments, and the host seeing the same bytes.

mod jit_util;

use jit_util::{instantiate, jit};
use wasmproof::{Config, Engine, Module, Store, StoreLimitsBuilder, Strategy, TrapKind};

const MEM: &str = r#"(module
  (memory (export "mem") 1 3)
  (data (i32.const 16) "hello")
  (func (export "load8") (param i32) (result i32) local.get 0 i32.load8_u)
  (func (export "load64") (param i32) (result i64) local.get 0 i64.load)
  (func (export "load_off") (param i32) (result i32) local.get 0 i32.load offset=0xfffffff0)
  (func (export "store32") (param i32 i32) local.get 0 local.get 1 i32.store)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "size") (result i32) memory.size))"#;

#[test]
fn loads_and_stores_are_bounds_checked_at_every_width() {
    let (mut store, inst) = instantiate(&jit(), MEM);
    let load8 = inst.get_typed_func::<i32, i32>(&store, "load8").expect("f");
    let load64 = inst
        .get_typed_func::<i32, i64>(&store, "load64")
        .expect("f");
    let load_off = inst
        .get_typed_func::<i32, i32>(&store, "load_off")
        .expect("f");
    let store32 = inst
        .get_typed_func::<(i32, i32), ()>(&store, "store32")
        .expect("f");
    assert_eq!(load8.call(&mut store, 16).expect("data"), i32::from(b'h'));
    assert_eq!(load8.call(&mut store, 65535).expect("last byte"), 0);
    let oob = |r: wasmproof::Result<i64>| r.expect_err("oob").trap_kind();
    assert_eq!(
        load8.call(&mut store, 65536).expect_err("oob").trap_kind(),
        Some(TrapKind::MemoryOutOfBounds)
    );
    assert_eq!(
        oob(load64.call(&mut store, 65529)),
        Some(TrapKind::MemoryOutOfBounds)
    );
    assert_eq!(load64.call(&mut store, 65528).expect("last 8 bytes"), 0);
    // Negative i32 indices are large unsigned ones, never below the base.
    assert_eq!(
        oob(load64.call(&mut store, -8)),
        Some(TrapKind::MemoryOutOfBounds)
    );
    // index + offset overflowing 32 bits must not wrap around.
    assert_eq!(
        load_off
            .call(&mut store, 0x20)
            .expect_err("oob")
            .trap_kind(),
        Some(TrapKind::MemoryOutOfBounds)
    );
    assert_eq!(
        store32
            .call(&mut store, (65533, 1))
            .expect_err("oob")
            .trap_kind(),
        Some(TrapKind::MemoryOutOfBounds)
    );
    store32
        .call(&mut store, (65532, 0x0403_0201))
        .expect("in bounds");
    let mem = inst.get_memory(&store, "mem").expect("mem");
    assert_eq!(&mem.data(&store)[65532..], &[1, 2, 3, 4]);
}

#[test]
fn memory_grow_moves_the_bound_and_reports_failure() {
    let (mut store, inst) = instantiate(&jit(), MEM);
    let grow = inst.get_typed_func::<i32, i32>(&store, "grow").expect("f");
    let size = inst.get_typed_func::<(), i32>(&store, "size").expect("f");
    let load8 = inst.get_typed_func::<i32, i32>(&store, "load8").expect("f");
    assert!(load8.call(&mut store, 65536).is_err());
    assert_eq!(grow.call(&mut store, 1).expect("grow"), 1);
    assert_eq!(size.call(&mut store, ()).expect("size"), 2);
    assert_eq!(load8.call(&mut store, 65536).expect("now in bounds"), 0);
    assert_eq!(
        load8.call(&mut store, 16).expect("data kept"),
        i32::from(b'h')
    );
    assert_eq!(grow.call(&mut store, 2).expect("over max"), -1);
    assert_eq!(grow.call(&mut store, 0).expect("grow 0"), 2);
    assert_eq!(grow.call(&mut store, 1).expect("to max"), 2);
    assert_eq!(grow.call(&mut store, -1).expect("huge"), -1);
    assert_eq!(size.call(&mut store, ()).expect("size"), 3);
    // The host growing the memory is seen by compiled code too.
    let mem = inst.get_memory(&store, "mem").expect("mem");
    assert!(mem.grow(&mut store, 1).is_err());
    assert!(load8.call(&mut store, 3 * 65536).is_err());
}

#[test]
fn the_store_limiter_refuses_growth_with_minus_one() {
    let engine = Engine::new(Config::new().strategy(Strategy::Jit)).expect("engine");
    let module = Module::new(&engine, MEM).expect("module");
    let mut store = Store::new(&engine, ());
    store.limiter(StoreLimitsBuilder::new().memory_size(2 * 65536).build());
    let inst = wasmproof::Instance::new(&mut store, &module, &[]).expect("inst");
    let grow = inst.get_typed_func::<i32, i32>(&store, "grow").expect("f");
    assert_eq!(grow.call(&mut store, 1).expect("within the limit"), 1);
    assert_eq!(grow.call(&mut store, 1).expect("over the limit"), -1);
}

#[test]
fn an_imported_memory_is_shared_with_its_exporter() {
    let engine = jit();
    let mut store = Store::new(&engine, ());
    let a = Module::new(&engine, MEM).expect("a");
    let b = Module::new(
        &engine,
        r#"(module (import "a" "mem" (memory 1))
             (func (export "peek") (param i32) (result i32) local.get 0 i32.load8_u))"#,
    )
    .expect("b");
    let ia = wasmproof::Instance::new(&mut store, &a, &[]).expect("ia");
    let mem = ia.get_memory(&store, "mem").expect("mem");
    let ib = wasmproof::Instance::new(&mut store, &b, &[mem.into()]).expect("ib");
    let peek = ib.get_typed_func::<i32, i32>(&store, "peek").expect("peek");
    assert_eq!(peek.call(&mut store, 17).expect("peek"), i32::from(b'e'));
    let grow = ia.get_typed_func::<i32, i32>(&store, "grow").expect("grow");
    grow.call(&mut store, 1).expect("grow in a");
    assert_eq!(peek.call(&mut store, 65536).expect("b sees the growth"), 0);
}

#[test]
fn a_data_segment_out_of_bounds_fails_instantiation() {
    let engine = jit();
    let module = Module::new(
        &engine,
        r#"(module (memory 1) (data (i32.const 65535) "ab"))"#,
    )
    .expect("module");
    let mut store = Store::new(&engine, ());
    let e = wasmproof::Instance::new(&mut store, &module, &[]).expect_err("oob segment");
    assert_eq!(e.trap_kind(), Some(TrapKind::MemoryOutOfBounds));
}

/// Compiled code reuses memory 0's base and size within a block
/// (`lower::MemCache`): a `memory.grow` (a call) in the middle of one block
/// must still be seen by the accesses after it, and the bytes stored before
/// it must be read back wherever the memory now is.
#[test]
fn accesses_after_a_grow_in_the_same_block_see_the_new_memory() {
    let (mut store, inst) = instantiate(
        &jit(),
        r#"(module
  (memory 1 4)
  (func (export "f") (param i32) (result i64)
    (i64.store (i32.const 8) (i64.const 42))
    (drop (memory.grow (local.get 0)))
    (i64.store (i32.const 65536) (i64.const 7))
    (i64.add (i64.load (i32.const 8)) (i64.load (i32.const 65536)))))"#,
    );
    let f = inst.get_typed_func::<i32, i64>(&store, "f").expect("f");
    // Without growth the second store is out of bounds.
    assert_eq!(
        f.call(&mut store, 0).expect_err("oob").trap_kind(),
        Some(TrapKind::MemoryOutOfBounds)
    );
    assert_eq!(f.call(&mut store, 1).expect("grown"), 49);
    // Grown further (the memory may move): still the same bytes.
    assert_eq!(f.call(&mut store, 2).expect("grown again"), 49);
}

/// f32/f64 loads and stores go straight between memory and XMM registers:
/// the bits round-trip exactly (a signalling NaN stays signalling), the
/// bound is checked at the access's size, and the bytes are little-endian.
#[test]
fn float_loads_and_stores_keep_the_bits_and_are_bounds_checked() {
    let (mut store, inst) = instantiate(
        &jit(),
        r#"(module
  (memory (export "mem") 1)
  (func (export "f64") (param i32 i64) (result i64)
    (f64.store (local.get 0) (f64.reinterpret_i64 (local.get 1)))
    (i64.reinterpret_f64 (f64.load (local.get 0))))
  (func (export "f32") (param i32 i32) (result i32)
    (f32.store offset=4 (local.get 0) (f32.reinterpret_i32 (local.get 1)))
    (i32.reinterpret_f32 (f32.load offset=4 (local.get 0))))
  (func (export "sum") (param i32) (result f64)
    (f64.add (f64.load (local.get 0)) (f64.promote_f32 (f32.load offset=8 (local.get 0))))))"#,
    );
    let f64_rt = inst
        .get_typed_func::<(i32, i64), i64>(&store, "f64")
        .expect("f64");
    let f32_rt = inst
        .get_typed_func::<(i32, i32), i32>(&store, "f32")
        .expect("f32");
    let sum = inst.get_typed_func::<i32, f64>(&store, "sum").expect("sum");
    let snan64 = 0x7ff0_0000_0000_0001_i64;
    assert_eq!(
        f64_rt.call(&mut store, (65528, snan64)).expect("last 8"),
        snan64
    );
    assert_eq!(
        f64_rt
            .call(&mut store, (65529, 1))
            .expect_err("oob")
            .trap_kind(),
        Some(TrapKind::MemoryOutOfBounds)
    );
    let snan32 = 0x7f80_0001_i32;
    assert_eq!(
        f32_rt.call(&mut store, (65528, snan32)).expect("last 4"),
        snan32
    );
    assert_eq!(
        f32_rt
            .call(&mut store, (65529, 1))
            .expect_err("oob")
            .trap_kind(),
        Some(TrapKind::MemoryOutOfBounds)
    );
    let mem = inst.get_memory(&store, "mem").expect("mem");
    assert_eq!(&mem.data(&store)[65532..], &0x7f80_0001_u32.to_le_bytes());
    f64_rt
        .call(&mut store, (0, 1.5f64.to_bits() as i64))
        .expect("store 1.5");
    f32_rt
        .call(&mut store, (4, 0.25f32.to_bits() as i32))
        .expect("store 0.25");
    assert_eq!(sum.call(&mut store, 0).expect("sum"), 1.75);
}

/// Within one block, compiled code reuses the registers holding the
/// memory's base and size between accesses; a `memory.grow` call in
/// between must make the next access see the new size.
#[test]
fn an_access_after_a_grow_in_the_same_block_sees_the_new_size() {
    let wat = r#"(module
      (memory 1 3)
      (func (export "f") (param i32) (result i32) (local $before i32)
        (local.set $before (i32.load (i32.const 0)))
        (drop (memory.grow (i32.const 1)))
        (i32.store (local.get 0) (i32.const 9))
        (i32.add (local.get $before) (i32.load (local.get 0)))))"#;
    let (mut store, inst) = instantiate(&jit(), wat);
    let f = inst.get_typed_func::<i32, i32>(&store, "f").expect("f");
    assert_eq!(f.call(&mut store, 65536).expect("in the new page"), 9);
    // The bound still holds: this call grows to 3 pages, 196608 bytes.
    assert_eq!(
        f.call(&mut store, 196608).expect_err("oob").trap_kind(),
        Some(TrapKind::MemoryOutOfBounds)
    );
}
