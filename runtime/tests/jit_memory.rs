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
