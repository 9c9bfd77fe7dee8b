//! Limits under compiled code: stack exhaustion from
//! `Config::max_wasm_stack`, fuel, epoch interruption, and the Wasm
//! backtrace of a trap (walked from the frame-pointer chain).

mod jit_util;

use std::time::Duration;

use jit_util::{instantiate, jit};
use wasmproof::{Config, Engine, Instance, Module, Store, Strategy, TrapKind};

const RECURSE: &str = r#"(module $rec
  (func $down (export "down") (param i32) (result i32)
    local.get 0 i32.const 1 i32.add call $down)
  (func $depth (export "depth") (param i32) (result i32)
    local.get 0 i32.eqz if (result i32) i32.const 0
    else local.get 0 i32.const 1 i32.sub call $depth i32.const 1 i32.add end))"#;

#[test]
fn unbounded_recursion_exhausts_the_stack_and_the_store_stays_usable() {
    let (mut store, inst) = instantiate(&jit(), RECURSE);
    let down = inst
        .get_typed_func::<i32, i32>(&store, "down")
        .expect("down");
    let e = down.call(&mut store, 0).expect_err("overflow");
    assert_eq!(e.trap_kind(), Some(TrapKind::CallStackExhausted));
    let bt = e.wasm_backtrace().expect("backtrace");
    assert!(bt.frames().len() > 100, "{} frames", bt.frames().len());
    assert!(bt.frames().iter().all(|f| f.func_name() == Some("down")));
    // After unwinding, the same store runs code again.
    let depth = inst
        .get_typed_func::<i32, i32>(&store, "depth")
        .expect("depth");
    assert_eq!(depth.call(&mut store, 1000).expect("depth"), 1000);
}

#[test]
fn max_wasm_stack_bounds_the_recursion_depth() {
    let small = Engine::new(
        Config::new()
            .strategy(Strategy::Jit)
            .max_wasm_stack(64 * 1024),
    )
    .expect("engine");
    let (mut store, inst) = instantiate(&small, RECURSE);
    let depth = inst
        .get_typed_func::<i32, i32>(&store, "depth")
        .expect("depth");
    assert_eq!(depth.call(&mut store, 100).expect("shallow"), 100);
    let e = depth.call(&mut store, 1_000_000).expect_err("too deep");
    assert_eq!(e.trap_kind(), Some(TrapKind::CallStackExhausted));
    let (mut store, inst) = instantiate(&jit(), RECURSE);
    let depth = inst
        .get_typed_func::<i32, i32>(&store, "depth")
        .expect("depth");
    assert_eq!(depth.call(&mut store, 5000).expect("default stack"), 5000);
}

const SPIN: &str = r#"(module
  (func (export "spin") loop br 0 end)
  (func (export "count") (param i32) (result i32)
    (local i32)
    loop
      local.get 1 i32.const 1 i32.add local.set 1
      local.get 1 local.get 0 i32.lt_u br_if 0
    end
    local.get 1))"#;

#[test]
fn fuel_runs_out_and_is_refillable() {
    let engine =
        Engine::new(Config::new().strategy(Strategy::Jit).consume_fuel(true)).expect("engine");
    let module = Module::new(&engine, SPIN).expect("module");
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &module, &[]).expect("inst");
    let spin = inst.get_typed_func::<(), ()>(&store, "spin").expect("spin");
    let count = inst
        .get_typed_func::<i32, i32>(&store, "count")
        .expect("count");
    assert_eq!(
        count.call(&mut store, 10).expect_err("no fuel").trap_kind(),
        Some(TrapKind::OutOfFuel)
    );
    store.set_fuel(1_000_000).expect("fuel");
    assert_eq!(count.call(&mut store, 10).expect("enough fuel"), 10);
    let left = store.get_fuel().expect("fuel");
    assert!(left < 1_000_000, "fuel was consumed: {left}");
    assert_eq!(
        spin.call(&mut store, ())
            .expect_err("spins out")
            .trap_kind(),
        Some(TrapKind::OutOfFuel)
    );
    assert_eq!(store.get_fuel().expect("fuel"), 0);
}

#[test]
fn epoch_interruption_stops_an_infinite_loop() {
    let engine = Engine::new(
        Config::new()
            .strategy(Strategy::Jit)
            .epoch_interruption(true),
    )
    .expect("engine");
    let module = Module::new(&engine, SPIN).expect("module");
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &module, &[]).expect("inst");
    let spin = inst.get_typed_func::<(), ()>(&store, "spin").expect("spin");
    // The deadline starts reached.
    assert_eq!(
        spin.call(&mut store, ())
            .expect_err("deadline 0")
            .trap_kind(),
        Some(TrapKind::Interrupted)
    );
    store.set_epoch_deadline(1);
    let ticker = engine.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        ticker.increment_epoch();
    });
    assert_eq!(
        spin.call(&mut store, ())
            .expect_err("interrupted")
            .trap_kind(),
        Some(TrapKind::Interrupted)
    );
    t.join().expect("ticker");
}

#[test]
fn a_trap_carries_the_wasm_backtrace_innermost_first() {
    let wat = r#"(module $bt
      (func $leaf (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)
      (func $mid (param i32) (result i32) local.get 0 call $leaf i32.const 1 i32.add)
      (func (export "top") (param i32) (result i32) local.get 0 call $mid))"#;
    let (mut store, inst) = instantiate(&jit(), wat);
    let top = inst.get_typed_func::<i32, i32>(&store, "top").expect("top");
    let e = top.call(&mut store, 3).expect_err("div by zero");
    let trap = e.trap().expect("a trap");
    assert_eq!(trap.kind(), TrapKind::IntegerDivideByZero);
    let frames = trap.backtrace().frames();
    let got: Vec<_> = frames
        .iter()
        .map(|f| (f.func_index(), f.func_name(), f.module_name()))
        .collect();
    assert_eq!(
        got,
        [
            (0, Some("leaf"), Some("bt")),
            (1, Some("mid"), Some("bt")),
            (2, None, Some("bt"))
        ]
    );
}
