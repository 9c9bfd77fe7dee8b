//! Calls out of and between compiled modules: host imports (with the
//! caller reaching the store and the calling instance's memory), Wasm
//! imports across instances, `call_indirect` through tables with
//! engine-wide signature ids, and its traps.

mod jit_util;

use jit_util::{instantiate, jit};
use wasmproof::{Caller, Extern, Func, Linker, Module, Store, TrapKind, Val};

#[test]
fn host_imports_get_arguments_results_and_the_callers_memory() {
    let engine = jit();
    let module = Module::new(
        &engine,
        r#"(module
          (import "host" "sum" (func $sum (param i32 i64 f32 f64) (result f64)))
          (import "host" "read" (func $read (param i32 i32) (result i32)))
          (import "host" "two" (func $two (result i32 i64)))
          (memory (export "memory") 1)
          (data (i32.const 8) "wasm!")
          (func (export "run") (result f64)
            i32.const 1 i64.const 2 f32.const 3 f64.const 4 call $sum)
          (func (export "read") (result i32) i32.const 8 i32.const 5 call $read)
          (func (export "two") (result i64) (local i64)
            call $two local.set 0 i64.extend_i32_u local.get 0 i64.add))"#,
    )
    .expect("module");
    let mut linker: Linker<Vec<String>> = Linker::new(&engine);
    linker
        .func_wrap("host", "sum", |a: i32, b: i64, c: f32, d: f64| {
            f64::from(a) + b as f64 + f64::from(c) + d
        })
        .expect("sum");
    linker
        .func_wrap(
            "host",
            "read",
            |mut caller: Caller<'_, Vec<String>>, ptr: i32, len: i32| -> i32 {
                let Some(Extern::Memory(mem)) = caller.get_export("memory") else {
                    return -1;
                };
                let mut buf = vec![0u8; len as usize];
                if mem.read(&caller, ptr as usize, &mut buf).is_err() {
                    return -2;
                }
                caller
                    .data_mut()
                    .push(String::from_utf8_lossy(&buf).into_owned());
                len
            },
        )
        .expect("read");
    linker
        .func_wrap("host", "two", || (7i32, 9i64))
        .expect("two");
    let mut store = Store::new(&engine, Vec::new());
    let inst = linker.instantiate(&mut store, &module).expect("inst");
    let run = inst.get_typed_func::<(), f64>(&store, "run").expect("run");
    assert_eq!(run.call(&mut store, ()).expect("run"), 10.0);
    let read = inst
        .get_typed_func::<(), i32>(&store, "read")
        .expect("read");
    assert_eq!(read.call(&mut store, ()).expect("read"), 5);
    assert_eq!(store.data(), &vec!["wasm!".to_string()]);
    let two = inst.get_typed_func::<(), i64>(&store, "two").expect("two");
    // Both results arrive: 7 (i32) + 9 (i64).
    assert_eq!(two.call(&mut store, ()).expect("two"), 16);
}

#[test]
fn a_host_error_comes_back_with_its_wasm_backtrace() {
    let engine = jit();
    let module = Module::new(
        &engine,
        r#"(module $m
          (import "host" "fail" (func $fail))
          (func $inner call $fail)
          (func (export "outer") call $inner))"#,
    )
    .expect("module");
    let mut linker: Linker<()> = Linker::new(&engine);
    linker
        .func_wrap("host", "fail", || -> wasmproof::Result<()> {
            Err(wasmproof::Error::msg("host says no"))
        })
        .expect("fail");
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &module).expect("inst");
    let outer = inst
        .get_typed_func::<(), ()>(&store, "outer")
        .expect("outer");
    let e = outer.call(&mut store, ()).expect_err("host error");
    assert!(e.to_string().contains("host says no"), "{e}");
    let bt = e.wasm_backtrace().expect("backtrace");
    let names: Vec<_> = bt.frames().iter().map(|f| f.func_name()).collect();
    assert_eq!(names, [Some("inner"), None]);
    assert_eq!(bt.frames()[1].func_index(), 2);
}

#[test]
fn host_calls_back_into_wasm_and_nested_traps_unwind_one_level() {
    let engine = jit();
    let module = Module::new(
        &engine,
        r#"(module
          (import "host" "reenter" (func $reenter (param i32) (result i32)))
          (func (export "twice") (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
          (func (export "trap") unreachable)
          (func (export "run") (param i32) (result i32) local.get 0 call $reenter))"#,
    )
    .expect("module");
    let mut store = Store::new(&engine, None::<wasmproof::Instance>);
    let reenter = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, Option<wasmproof::Instance>>, x: i32| -> wasmproof::Result<i32> {
            let inst = caller.data().expect("instance set");
            let trap = inst.get_typed_func::<(), ()>(&caller, "trap")?;
            let e = trap.call(&mut caller, ()).expect_err("inner trap");
            assert_eq!(e.trap_kind(), Some(TrapKind::Unreachable));
            let twice = inst.get_typed_func::<i32, i32>(&caller, "twice")?;
            twice.call(&mut caller, x + 1)
        },
    );
    let inst = wasmproof::Instance::new(&mut store, &module, &[reenter.into()]).expect("inst");
    *store.data_mut() = Some(inst);
    let run = inst.get_typed_func::<i32, i32>(&store, "run").expect("run");
    assert_eq!(run.call(&mut store, 20).expect("run"), 42);
}

#[test]
fn a_panicking_host_function_panics_the_embedder_not_the_process() {
    let engine = jit();
    let module = Module::new(
        &engine,
        r#"(module (import "h" "p" (func $p)) (func (export "run") call $p))"#,
    )
    .expect("module");
    let mut store = Store::new(&engine, ());
    let p = Func::wrap(&mut store, || -> wasmproof::Result<()> {
        panic!("host panic")
    });
    let inst = wasmproof::Instance::new(&mut store, &module, &[p.into()]).expect("inst");
    let run = inst.get_typed_func::<(), ()>(&store, "run").expect("run");
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run.call(&mut store, ())));
    assert!(r.is_err(), "the panic reaches the embedder");
}

const INDIRECT: &str = r#"(module
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (table (export "t") 4 funcref)
  (elem (i32.const 0) $inc $dec $nop)
  (func $inc (type $ii) local.get 0 i32.const 1 i32.add)
  (func $dec (type $ii) local.get 0 i32.const 1 i32.sub)
  (func $nop (type $v))
  (func (export "call") (param i32 i32) (result i32)
    local.get 1 local.get 0 call_indirect (type $ii)))"#;

#[test]
fn call_indirect_dispatches_and_traps() {
    let (mut store, inst) = instantiate(&jit(), INDIRECT);
    let call = inst
        .get_typed_func::<(i32, i32), i32>(&store, "call")
        .expect("call");
    assert_eq!(call.call(&mut store, (0, 10)).expect("inc"), 11);
    assert_eq!(call.call(&mut store, (1, 10)).expect("dec"), 9);
    let kind = |r: wasmproof::Result<i32>| r.expect_err("trap").trap_kind();
    assert_eq!(
        kind(call.call(&mut store, (2, 10))),
        Some(TrapKind::IndirectCallTypeMismatch)
    );
    assert_eq!(
        kind(call.call(&mut store, (3, 10))),
        Some(TrapKind::UninitializedElement)
    );
    assert_eq!(
        kind(call.call(&mut store, (4, 10))),
        Some(TrapKind::UndefinedElement)
    );
    assert_eq!(
        kind(call.call(&mut store, (-1, 10))),
        Some(TrapKind::UndefinedElement)
    );
    // The host edits the table; compiled code sees the change.
    let t = inst.get_table(&store, "t").expect("table");
    let inc = t.get(&store, 0).expect("elem 0");
    t.set(&mut store, 1, inc).expect("set");
    assert_eq!(call.call(&mut store, (1, 10)).expect("now inc"), 11);
    t.set(&mut store, 0, Val::FuncRef(None)).expect("null");
    assert_eq!(
        kind(call.call(&mut store, (0, 10))),
        Some(TrapKind::UninitializedElement)
    );
}

#[test]
fn signature_ids_are_engine_wide_across_modules_and_host_functions() {
    let engine = jit();
    let mut store = Store::new(&engine, ());
    let a = Module::new(&engine, INDIRECT).expect("a");
    let ia = wasmproof::Instance::new(&mut store, &a, &[]).expect("ia");
    let table = ia.get_table(&store, "t").expect("t");
    // Another module with the same type declared at another index.
    let b = Module::new(
        &engine,
        r#"(module
          (type $f (func (param f64)))
          (type $ii (func (param i32) (result i32)))
          (import "a" "t" (table 4 funcref))
          (func $triple (type $ii) local.get 0 i32.const 3 i32.mul)
          (elem (i32.const 3) $triple)
          (func (export "call") (param i32 i32) (result i32)
            local.get 1 local.get 0 call_indirect (type $ii)))"#,
    )
    .expect("b");
    let ib = wasmproof::Instance::new(&mut store, &b, &[table.into()]).expect("ib");
    let call_b = ib
        .get_typed_func::<(i32, i32), i32>(&store, "call")
        .expect("call");
    assert_eq!(call_b.call(&mut store, (0, 5)).expect("a's inc from b"), 6);
    assert_eq!(call_b.call(&mut store, (3, 5)).expect("b's triple"), 15);
    let call_a = ia
        .get_typed_func::<(i32, i32), i32>(&store, "call")
        .expect("call");
    assert_eq!(
        call_a.call(&mut store, (3, 5)).expect("b's triple from a"),
        15
    );
    // A host function of the same type, put in the table by the embedder.
    let host = Func::wrap(&mut store, |x: i32| x * 100);
    table
        .set(&mut store, 2, host.into())
        .expect("host in table");
    assert_eq!(
        call_a.call(&mut store, (2, 5)).expect("host via table"),
        500
    );
    let wrong = Func::wrap(&mut store, |_: i64| {});
    table.set(&mut store, 2, wrong.into()).expect("other type");
    assert_eq!(
        call_a
            .call(&mut store, (2, 5))
            .expect_err("mismatch")
            .trap_kind(),
        Some(TrapKind::IndirectCallTypeMismatch)
    );
}

#[test]
fn an_element_segment_out_of_bounds_fails_instantiation() {
    let engine = jit();
    let module = Module::new(
        &engine,
        r#"(module (table 1 funcref) (func $f) (elem (i32.const 1) $f))"#,
    )
    .expect("module");
    let mut store = Store::new(&engine, ());
    let e = wasmproof::Instance::new(&mut store, &module, &[]).expect_err("oob");
    assert_eq!(e.trap_kind(), Some(TrapKind::TableOutOfBounds));
}
