//! Host functions: results, errors, access to the caller, re-entry.

mod common;

use std::sync::Arc;

use common::*;
use wasmproof_oracle::{Caller, Extern, FuncType, HostFunc, Store, Trap, TrapKind, ValType, Value};

fn host<T>(
    store: &mut Store<T>,
    params: &[ValType],
    results: &[ValType],
    f: impl Fn(&mut Caller<'_, T>, &[Value]) -> Result<Vec<Value>, Trap> + Send + Sync + 'static,
) -> Extern {
    let ty = FuncType {
        params: params.to_vec(),
        results: results.to_vec(),
    };
    let func: HostFunc<T> = Arc::new(f);
    Extern::Func(store.alloc_host_func(ty, func))
}

#[test]
fn host_function_sees_arguments_and_store_data() {
    let mut store = Store::new(Vec::<i32>::new());
    let log = host(
        &mut store,
        &[ValType::I32],
        &[ValType::I32],
        |caller, args| {
            let Value::I32(x) = args[0] else {
                unreachable!()
            };
            caller.data_mut().push(x);
            Ok(vec![Value::I32(x * 2)])
        },
    );
    let m = module(
        r#"(module (import "env" "log" (func $log (param i32) (result i32)))
             (func (export "run") (result i32)
               (i32.add (call $log (i32.const 3)) (call $log (i32.const 4)))))"#,
    );
    let inst = store.instantiate(&m, &[log]).unwrap();
    assert_eq!(
        call(&mut store, inst, "run", &[]).unwrap(),
        vec![Value::I32(14)]
    );
    assert_eq!(store.data(), &vec![3, 4]);
}

#[derive(Debug)]
struct MyError;
impl std::fmt::Display for MyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("my error")
    }
}
impl std::error::Error for MyError {}

#[test]
fn host_error_becomes_a_trap_with_backtrace() {
    let mut store = Store::new(());
    let fail = host(&mut store, &[], &[], |_, _| Err(Trap::host(MyError)));
    let m = module(
        r#"(module (import "env" "fail" (func $fail))
             (func $g (call $fail))
             (func (export "run") (call $g)))"#,
    );
    let inst = store.instantiate(&m, &[fail]).unwrap();
    let err = call(&mut store, inst, "run", &[]).unwrap_err();
    assert_eq!(err.kind, TrapKind::Host);
    assert!(err.host_error.as_ref().unwrap().is::<MyError>());
    assert_eq!(
        err.backtrace
            .iter()
            .map(|f| f.func_index)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(err.to_string().contains("my error"));
}

#[test]
fn host_function_with_wrong_results_traps() {
    let mut store = Store::new(());
    let bad = host(&mut store, &[], &[ValType::I32], |_, _| {
        Ok(vec![Value::I64(1)])
    });
    let m = module(
        r#"(module (import "env" "bad" (func $bad (result i32)))
             (func (export "run") (result i32) (call $bad)))"#,
    );
    let inst = store.instantiate(&m, &[bad]).unwrap();
    assert_eq!(
        call(&mut store, inst, "run", &[]).unwrap_err().kind,
        TrapKind::Host
    );
}

#[test]
fn host_function_reenters_wasm_and_reads_caller_memory() {
    let mut store = Store::new(());
    // Calls the caller's export "dec" on its argument, then reads memory[0].
    let reenter = host(
        &mut store,
        &[ValType::I32],
        &[ValType::I32],
        |caller, args| {
            let Some(Extern::Func(dec)) = caller.get_export("dec") else {
                panic!("no dec")
            };
            let Some(Extern::Memory(mem)) = caller.get_export("memory") else {
                panic!("no memory")
            };
            let r = caller.store().invoke(dec, args)?;
            let byte = caller.store().memory_data(mem)[0];
            let Value::I32(x) = r[0] else { unreachable!() };
            Ok(vec![Value::I32(x + i32::from(byte))])
        },
    );
    let m = module(
        r#"(module (import "env" "reenter" (func $reenter (param i32) (result i32)))
             (memory (export "memory") 1)
             (data (i32.const 0) "\64")
             ;; Counts down through the host: f(n) = n == 0 ? 0 : reenter(n) + ...
             (func (export "dec") (param i32) (result i32)
               (if (result i32) (i32.eqz (local.get 0))
                 (then (i32.const 0))
                 (else (call $reenter (i32.sub (local.get 0) (i32.const 1)))))))"#,
    );
    let inst = store.instantiate(&m, &[reenter]).unwrap();
    // dec(3) -> reenter(2) -> dec(2) ... each host level adds 100.
    assert_eq!(
        call(&mut store, inst, "dec", &[Value::I32(3)]).unwrap(),
        vec![Value::I32(300)]
    );
}

#[test]
fn reentry_shares_the_call_depth_limit() {
    let mut store = Store::new(());
    let bounce = host(&mut store, &[], &[], |caller, _| {
        let Some(Extern::Func(f)) = caller.get_export("f") else {
            panic!()
        };
        caller.store().invoke(f, &[]).map(|_| vec![])
    });
    let m = module(
        r#"(module (import "env" "bounce" (func $bounce))
             (func (export "f") (call $bounce)))"#,
    );
    let inst = store.instantiate(&m, &[bounce]).unwrap();
    store.set_max_call_depth(50);
    let err = call(&mut store, inst, "f", &[]).unwrap_err();
    assert_eq!(err.kind, TrapKind::CallStackExhausted);
    // The backtrace spans all the nested invocations, innermost first.
    assert_eq!(err.backtrace.len(), 25);
    // Depth accounting is restored after the trap unwound the host calls.
    store.set_max_call_depth(3);
    let id = module(r#"(module (func (export "id") (param i32) (result i32) (local.get 0)))"#);
    let inst = store.instantiate(&id, &[]).unwrap();
    assert_eq!(
        call(&mut store, inst, "id", &[Value::I32(1)]).unwrap(),
        vec![Value::I32(1)]
    );
}

#[test]
fn host_function_invoked_directly() {
    let mut store = Store::new(());
    let Extern::Func(f) = host(&mut store, &[ValType::I64], &[ValType::I64], |c, a| {
        assert!(c.instance().is_none());
        Ok(a.to_vec())
    }) else {
        unreachable!()
    };
    assert_eq!(
        store.invoke(f, &[Value::I64(5)]).unwrap(),
        vec![Value::I64(5)]
    );
    assert_eq!(store.func_type(f).params, vec![ValType::I64]);
}

#[test]
fn a_caught_host_panic_leaves_the_store_usable() {
    let mut store = Store::new(());
    let boom = host(&mut store, &[], &[], |_, _| panic!("host bug"));
    let m = module(
        r#"(module (import "env" "boom" (func $boom))
             (func (export "boom") (call $boom))
             (func $r (export "rec") (param i32)
               (br_if 0 (i32.eqz (local.get 0)))
               (call $r (i32.sub (local.get 0) (i32.const 1)))))"#,
    );
    let inst = store.instantiate(&m, &[boom]).unwrap();
    store.set_max_call_depth(10);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = call(&mut store, inst, "boom", &[]);
    }));
    assert!(caught.is_err());
    // rec(9) needs all 10 frames: none may be left over from the panic.
    assert_eq!(
        call(&mut store, inst, "rec", &[Value::I32(9)]).unwrap(),
        vec![]
    );
}
