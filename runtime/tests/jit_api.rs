//! The `Jit` strategy's API surface that needs no compiled code: strategy
//! names and parsing, module errors, and everything a JIT store does
//! without running Wasm (host functions, memories, globals, tables, fuel).

mod jit_util;

use jit_util::jit;
use wasmproof::{
    Config, Engine, Func, Global, GlobalType, Memory, MemoryType, Module, ModuleError,
    ModuleErrorKind, Mutability, RefType, Store, Strategy, Table, TableType, Val, ValType,
};

#[test]
fn strategy_names_round_trip() {
    assert_eq!(Strategy::ALL, &[Strategy::Interpreter, Strategy::Jit]);
    for &s in Strategy::ALL {
        assert_eq!(s.name().parse::<Strategy>().expect("parses"), s);
        assert_eq!(s.to_string(), s.name());
    }
    assert_eq!("jit".parse::<Strategy>().expect("jit"), Strategy::Jit);
    let e = "cranelift".parse::<Strategy>().expect_err("unknown");
    assert!(
        e.to_string().contains("unknown strategy `cranelift`"),
        "{e}"
    );
    assert_eq!(Strategy::default(), Strategy::Interpreter);
}

#[test]
fn config_records_the_strategy_and_stack_size() {
    let mut c = Config::new();
    assert_eq!(c.get_strategy(), Strategy::Interpreter);
    assert_eq!(c.get_max_wasm_stack(), wasmproof::DEFAULT_MAX_WASM_STACK);
    c.strategy(Strategy::Jit).max_wasm_stack(64 * 1024);
    assert_eq!(c.get_strategy(), Strategy::Jit);
    assert_eq!(c.get_max_wasm_stack(), 64 * 1024);
    let engine = Engine::new(&c).expect("engine");
    assert_eq!(engine.config().get_strategy(), Strategy::Jit);
}

fn module_error(e: wasmproof::Error) -> ModuleError {
    e.downcast::<ModuleError>().expect("a ModuleError")
}

#[test]
fn malformed_and_invalid_modules_are_rejected_before_compiling() {
    let e = module_error(Module::new(&jit(), b"\0asm\x02\0\0\0").expect_err("bad version"));
    assert_eq!(e.kind(), &ModuleErrorKind::Invalid);
    let e = module_error(
        Module::new(&jit(), "(module (func (result i32) i64.const 1))").expect_err("invalid"),
    );
    assert_eq!(e.kind(), &ModuleErrorKind::Invalid);
    assert!(e.message().contains("type mismatch"), "{e}");
    let e = module_error(Module::new(&jit(), "(module (func").expect_err("text"));
    assert_eq!(e.kind(), &ModuleErrorKind::Text);
}

#[test]
fn a_compile_failure_is_a_module_error_not_a_panic() {
    // Whatever the compiler's answer for this valid module, `Module::new`
    // either succeeds or reports a module error that says what failed.
    match Module::new(
        &jit(),
        "(module (func (export \"f\") (result i32) i32.const 1))",
    ) {
        Ok(m) => assert!(m.get_export("f").is_some()),
        Err(e) => {
            let e = module_error(e);
            assert!(
                matches!(e.kind(), ModuleErrorKind::Compile),
                "unexpected kind {:?}: {e}",
                e.kind()
            );
            assert!(
                e.to_string()
                    .starts_with("cannot compile module: function "),
                "{e}"
            );
        }
    }
}

#[test]
fn host_functions_run_in_a_jit_store() {
    let engine = jit();
    let mut store = Store::new(&engine, 10i32);
    let f = Func::wrap(&mut store, |caller: wasmproof::Caller<'_, i32>, x: i32| {
        x * *caller.data()
    });
    let typed = f.typed::<i32, i32>(&store).expect("typed");
    assert_eq!(typed.call(&mut store, 4).expect("call"), 40);
    let failing = Func::wrap(&mut store, || -> wasmproof::Result<()> {
        Err(wasmproof::Error::msg("nope"))
    });
    let e = failing
        .call(&mut store, &[], &mut [])
        .expect_err("host error");
    assert!(e.to_string().contains("nope"), "{e}");
}

#[test]
fn memories_grow_within_their_maximum_in_a_jit_store() {
    let engine = jit();
    let mut store = Store::new(&engine, ());
    let m = Memory::new(&mut store, MemoryType::new(1, Some(2))).expect("memory");
    assert_eq!(m.size(&store), 1);
    m.write(&mut store, 65530, b"abcdef")
        .expect("write at the end");
    assert!(m.write(&mut store, 65531, b"abcdef").is_err());
    assert_eq!(m.grow(&mut store, 1).expect("grow"), 1);
    assert_eq!(m.data_size(&store), 2 * 65536);
    assert!(m.grow(&mut store, 1).is_err(), "over the maximum");
    let mut buf = [0u8; 6];
    m.read(&store, 65530, &mut buf).expect("read");
    assert_eq!(&buf, b"abcdef");
    assert_eq!(m.ty(&store).minimum(), 2);
}

#[test]
fn globals_hold_every_numeric_type_in_a_jit_store() {
    let engine = jit();
    let mut store = Store::new(&engine, ());
    for (ty, v, w) in [
        (ValType::I32, Val::I32(-1), Val::I32(7)),
        (ValType::I64, Val::I64(i64::MIN), Val::I64(3)),
        (ValType::F32, Val::F32(0x7fc0_0001), Val::F32(1)),
        (ValType::F64, Val::F64(0x7ff8_0000_0000_0001), Val::F64(2)),
    ] {
        let g = Global::new(&mut store, GlobalType::new(ty, Mutability::Var), v).expect("g");
        assert_eq!(g.get(&store), v);
        g.set(&mut store, w).expect("set");
        assert_eq!(g.get(&store), w);
        assert!(g.set(&mut store, Val::V128(0)).is_err(), "wrong type");
    }
    let c = Global::new(
        &mut store,
        GlobalType::new(ValType::I32, Mutability::Const),
        Val::I32(5),
    )
    .expect("const");
    assert!(c.set(&mut store, Val::I32(6)).is_err());
}

#[test]
fn tables_grow_and_hold_null_in_a_jit_store() {
    let engine = jit();
    let mut store = Store::new(&engine, ());
    let t = Table::new(
        &mut store,
        TableType::new(RefType::FUNCREF, 2, Some(4)),
        Val::FuncRef(None),
    )
    .expect("table");
    assert_eq!(t.size(&store), 2);
    assert_eq!(t.grow(&mut store, 2, Val::FuncRef(None)).expect("grow"), 2);
    assert!(t.grow(&mut store, 1, Val::FuncRef(None)).is_err());
    assert_eq!(t.get(&store, 3), Some(Val::FuncRef(None)));
    assert_eq!(t.get(&store, 4), None);
}

#[test]
fn fuel_is_kept_by_a_jit_store() {
    let engine = Engine::new(Config::new().strategy(Strategy::Jit).consume_fuel(true)).expect("e");
    let mut store = Store::new(&engine, ());
    assert_eq!(store.get_fuel().expect("fuel"), 0);
    store.set_fuel(12345).expect("set");
    assert_eq!(store.get_fuel().expect("fuel"), 12345);
    store.set_fuel(u64::MAX).expect("set max");
    assert_eq!(store.get_fuel().expect("fuel"), i64::MAX as u64);
    let unfueled = Store::new(&jit(), ());
    assert!(unfueled.get_fuel().is_err());
}

#[test]
fn jit_store_handles_are_checked_against_their_store() {
    let engine = jit();
    let mut a = Store::new(&engine, ());
    let mut b = Store::new(&engine, ());
    let f = Func::wrap(&mut a, || {});
    assert!(f.call(&mut b, &[], &mut []).is_err());
}

#[test]
fn modules_of_one_strategy_do_not_instantiate_in_the_other() {
    let interp = Engine::default();
    let module = Module::new(&interp, "(module)").expect("module");
    let mut store = Store::new(&jit(), ());
    let e = wasmproof::Instance::new(&mut store, &module, &[]).expect_err("cross engine");
    assert!(e.to_string().contains("cross-engine"), "{e}");
}
