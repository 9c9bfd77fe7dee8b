//! Every trap kind, its testsuite message, and the backtrace it carries.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::*;
use wasmproof_oracle::{Store, TrapKind, Value};

const TRAPS: &str = r#"(module $traps
  (type $v (func))
  (type $i (func (result i32)))
  (memory 1)
  (table $t 3 funcref)
  (elem (table $t) (i32.const 0) func $nop $ret)
  (func $nop)
  (func $ret (result i32) (i32.const 7))
  (func $inner (export "unreachable") unreachable)
  (func (export "nested") (call $inner))
  (func (export "div0") (result i32) (i32.div_s (i32.const 1) (i32.const 0)))
  (func (export "overflow") (result i32) (i32.div_s (i32.const 0x80000000) (i32.const -1)))
  (func (export "conversion") (result i32) (i32.trunc_f32_s (f32.const nan)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32) (i64.store offset=4 (local.get 0) (i64.const -1)))
  (func (export "table.get") (param i32) (result funcref) (table.get $t (local.get 0)))
  (func (export "call_indirect") (param i32) (result i32)
    (call_indirect (type $i) (local.get 0)))
)"#;

fn run(name: &str, args: &[Value]) -> Result<Vec<Value>, wasmproof_oracle::Trap> {
    let mut store = Store::new(());
    let inst = instance(&mut store, TRAPS);
    call(&mut store, inst, name, args)
}

fn trap_kind(name: &str, args: &[Value]) -> TrapKind {
    run(name, args).expect_err("traps").kind
}

#[test]
fn each_spec_trap_has_its_kind_and_message() {
    let cases = [
        ("unreachable", vec![], TrapKind::Unreachable, "unreachable"),
        (
            "div0",
            vec![],
            TrapKind::IntegerDivideByZero,
            "integer divide by zero",
        ),
        (
            "overflow",
            vec![],
            TrapKind::IntegerOverflow,
            "integer overflow",
        ),
        (
            "conversion",
            vec![],
            TrapKind::InvalidConversionToInteger,
            "invalid conversion to integer",
        ),
        (
            "load",
            vec![Value::I32(65533)],
            TrapKind::MemoryOutOfBounds,
            "out of bounds memory access",
        ),
        (
            "load",
            vec![Value::I32(-1)],
            TrapKind::MemoryOutOfBounds,
            "out of bounds memory access",
        ),
        (
            "store",
            vec![Value::I32(65528)],
            TrapKind::MemoryOutOfBounds,
            "out of bounds memory access",
        ),
        (
            "table.get",
            vec![Value::I32(3)],
            TrapKind::TableOutOfBounds,
            "out of bounds table access",
        ),
        (
            "call_indirect",
            vec![Value::I32(0)],
            TrapKind::IndirectCallTypeMismatch,
            "indirect call type mismatch",
        ),
        (
            "call_indirect",
            vec![Value::I32(2)],
            TrapKind::UninitializedElement,
            "uninitialized element",
        ),
        (
            "call_indirect",
            vec![Value::I32(3)],
            TrapKind::UndefinedElement,
            "undefined element",
        ),
    ];
    for (name, args, kind, message) in cases {
        let got = trap_kind(name, &args);
        assert_eq!(got, kind, "{name}{args:?}");
        assert_eq!(got.spec_message(), message);
    }
    assert_eq!(
        run("call_indirect", &[Value::I32(1)]).unwrap(),
        vec![Value::I32(7)]
    );
    assert_eq!(
        run("load", &[Value::I32(65532)]).unwrap(),
        vec![Value::I32(0)]
    );
}

#[test]
fn out_of_bounds_store_writes_nothing() {
    let mut store = Store::new(());
    let inst = instance(
        &mut store,
        r#"(module (memory (export "m") 1)
             (func (export "store") (param i32) (i64.store (local.get 0) (i64.const -1))))"#,
    );
    let err = call(&mut store, inst, "store", &[Value::I32(65530)]).unwrap_err();
    assert_eq!(err.kind, TrapKind::MemoryOutOfBounds);
    let Some(wasmproof_oracle::Extern::Memory(m)) = store.get_export(inst, "m") else {
        panic!()
    };
    assert!(store.memory_data(m).iter().all(|b| *b == 0));
}

#[test]
fn backtrace_is_innermost_first_with_names() {
    let err = run("nested", &[]).unwrap_err();
    let names: Vec<_> = err
        .backtrace
        .iter()
        .map(|f| f.func_name.as_deref())
        .collect();
    assert_eq!(names, [Some("inner"), None]);
    assert_eq!(err.backtrace[0].func_index, 2);
    assert_eq!(err.backtrace[1].func_index, 3);
    assert_eq!(err.backtrace[0].module_name.as_deref(), Some("traps"));
    let text = err.to_string();
    assert!(text.starts_with("unreachable"), "{text}");
    assert!(text.contains("traps!inner"), "{text}");
}

const RECURSE: &str = r#"(module
  (func $f (export "f") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $f (i32.sub (local.get 0) (i32.const 1)))))))
  (func $inf (export "inf") (call $inf)))"#;

#[test]
fn deep_recursion_never_overflows_a_small_host_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let mut store = Store::new(());
            store.set_max_call_depth(200_000);
            let inst = instance(&mut store, RECURSE);
            let deep = call(&mut store, inst, "f", &[Value::I32(150_000)]).unwrap();
            let inf = call(&mut store, inst, "inf", &[]).unwrap_err();
            (deep, inf.kind)
        })
        .unwrap();
    let (deep, inf) = handle.join().expect("no host stack overflow");
    assert_eq!(deep, vec![Value::I32(150_000)]);
    assert_eq!(inf, TrapKind::CallStackExhausted);
    assert_eq!(inf.spec_message(), "call stack exhausted");
}

#[test]
fn call_depth_limit_is_exact() {
    let mut store = Store::new(());
    store.set_max_call_depth(100);
    let inst = instance(&mut store, RECURSE);
    // f(n) needs n + 1 frames.
    assert_eq!(
        call(&mut store, inst, "f", &[Value::I32(99)]).unwrap(),
        vec![Value::I32(99)]
    );
    let err = call(&mut store, inst, "f", &[Value::I32(100)]).unwrap_err();
    assert_eq!(err.kind, TrapKind::CallStackExhausted);
    assert_eq!(err.backtrace.len(), 100);
    // The store is usable afterwards.
    assert_eq!(
        call(&mut store, inst, "f", &[Value::I32(5)]).unwrap(),
        vec![Value::I32(5)]
    );
}

#[test]
fn fuel_runs_out_in_an_infinite_loop() {
    let mut store = Store::new(());
    let inst = instance(
        &mut store,
        r#"(module (func (export "spin") (loop (br 0))))"#,
    );
    store.set_fuel(Some(10_000));
    let err = call(&mut store, inst, "spin", &[]).unwrap_err();
    assert_eq!(err.kind, TrapKind::OutOfFuel);
    assert_eq!(store.fuel(), Some(0));
}

#[test]
fn fuel_counts_one_per_instruction() {
    let mut store = Store::new(());
    let inst = instance(
        &mut store,
        r#"(module (func (export "f") (result i32) (i32.add (i32.const 1) (i32.const 2))))"#,
    );
    store.set_fuel(Some(100));
    assert_eq!(
        call(&mut store, inst, "f", &[]).unwrap(),
        vec![Value::I32(3)]
    );
    // i32.const, i32.const, i32.add, and the body's end.
    assert_eq!(store.fuel(), Some(96));
    store.set_fuel(Some(3));
    assert_eq!(
        call(&mut store, inst, "f", &[]).unwrap_err().kind,
        TrapKind::OutOfFuel
    );
    store.set_fuel(None);
    assert_eq!(
        call(&mut store, inst, "f", &[]).unwrap(),
        vec![Value::I32(3)]
    );
    assert_eq!(store.fuel(), None);
}

#[test]
fn epoch_interrupts_from_another_thread() {
    let epoch = Arc::new(AtomicU64::new(0));
    let mut store = Store::new(());
    let inst = instance(
        &mut store,
        r#"(module (func (export "spin") (loop (br 0))))"#,
    );
    store.set_epoch_deadline(epoch.clone(), 1);
    let ticker = {
        let epoch = epoch.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            epoch.fetch_add(1, Ordering::Relaxed);
        })
    };
    let err = call(&mut store, inst, "spin", &[]).unwrap_err();
    ticker.join().unwrap();
    assert_eq!(err.kind, TrapKind::Interrupted);
    // Past the deadline, even entering a function is interrupted.
    let inst2 = instance(&mut store, r#"(module (func (export "f")))"#);
    assert_eq!(
        call(&mut store, inst2, "f", &[]).unwrap_err().kind,
        TrapKind::Interrupted
    );
    store.set_epoch_deadline(epoch, 2);
    assert_eq!(call(&mut store, inst2, "f", &[]).unwrap(), vec![]);
}

#[test]
fn argument_mismatch_is_a_host_trap() {
    let mut store = Store::new(());
    let inst = instance(&mut store, RECURSE);
    let err = call(&mut store, inst, "f", &[Value::I64(1)]).unwrap_err();
    assert_eq!(err.kind, TrapKind::Host);
    let err = call(&mut store, inst, "f", &[]).unwrap_err();
    assert_eq!(err.kind, TrapKind::Host);
}

#[test]
fn deep_recursion_with_many_locals_is_bounded() {
    // 10k locals per frame: the value-stack bound trips long before the
    // call-depth limit would, and before host memory runs out.
    let mut store = Store::new(());
    store.set_max_call_depth(usize::MAX);
    let locals = "i64 ".repeat(10_000);
    let wat = format!(r#"(module (func $f (export "f") (local {locals}) (call $f)))"#);
    let inst = instance(&mut store, &wat);
    let err = call(&mut store, inst, "f", &[]).unwrap_err();
    assert_eq!(err.kind, TrapKind::CallStackExhausted);
}
