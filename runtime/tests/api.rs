//! The embedding API, end to end on the Interpreter strategy.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use wasmproof::*;

fn engine() -> Engine {
    Engine::default()
}

fn instantiate(wat: &str) -> (Store<()>, Instance) {
    let engine = engine();
    let module = Module::new(&engine, wat).expect("module compiles");
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).expect("instantiates");
    (store, instance)
}

const ARITH: &str = r#"
(module $arith
  (func $add (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add)
  (func $div (export "div") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.div_s)
  (func $calls_div (export "calls_div") (param i32) (result i32)
    local.get 0 i32.const 0 call $div)
  (func (export "swap") (param i64 f64) (result f64 i64)
    local.get 1 local.get 0)
  (func (export "trunc") (param f32) (result i32)
    local.get 0 i32.trunc_f32_s)
  (func (export "boom") unreachable))
"#;

#[test]
fn typed_calls() {
    let (mut store, instance) = instantiate(ARITH);
    let add = instance
        .get_typed_func::<(i32, i32), i32>(&store, "add")
        .unwrap();
    assert_eq!(add.call(&mut store, (2, 40)).unwrap(), 42);
    assert_eq!(add.call(&mut store, (i32::MAX, 1)).unwrap(), i32::MIN);
    let swap = instance
        .get_typed_func::<(i64, f64), (f64, i64)>(&store, "swap")
        .unwrap();
    assert_eq!(swap.call(&mut store, (7, 1.5)).unwrap(), (1.5, 7));
    let boom = instance.get_typed_func::<(), ()>(&store, "boom").unwrap();
    assert!(boom.call(&mut store, ()).is_err());
}

#[test]
fn typed_func_type_mismatch_is_an_error() {
    let (store, instance) = instantiate(ARITH);
    let err = instance
        .get_typed_func::<i32, i32>(&store, "add")
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("add") && msg.contains("(param i32 i32)"),
        "{msg}"
    );
    let err = instance
        .get_typed_func::<(), ()>(&store, "missing")
        .unwrap_err();
    assert!(err.to_string().contains("missing"));
}

#[test]
fn untyped_calls_check_arguments() {
    let (mut store, instance) = instantiate(ARITH);
    let add = instance.get_func(&store, "add").unwrap();
    assert_eq!(
        add.ty(&store),
        FuncType::new([ValType::I32, ValType::I32], [ValType::I32])
    );
    let mut out = [Val::I32(0)];
    add.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::I32(3));
    // Wrong count, wrong type, wrong result slots: errors, never panics.
    assert!(add.call(&mut store, &[Val::I32(1)], &mut out).is_err());
    let err = add
        .call(&mut store, &[Val::I32(1), Val::I64(2)], &mut out)
        .unwrap_err();
    assert!(err.to_string().contains("expected i32, got i64"), "{err}");
    assert!(
        add.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut [])
            .is_err()
    );
}

#[test]
fn traps_have_kinds_and_named_backtraces() {
    let (mut store, instance) = instantiate(ARITH);
    let calls_div = instance
        .get_typed_func::<i32, i32>(&store, "calls_div")
        .unwrap();
    let err = calls_div.call(&mut store, 1).unwrap_err();
    let trap = err.downcast_ref::<Trap>().expect("a trap");
    assert_eq!(trap.kind(), TrapKind::IntegerDivideByZero);
    assert_eq!(err.trap_kind(), Some(TrapKind::IntegerDivideByZero));
    let frames = trap.backtrace().frames();
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert_eq!(frames[0].func_index(), 1);
    assert_eq!(frames[0].func_name(), Some("div"));
    assert_eq!(frames[0].module_name(), Some("arith"));
    assert_eq!(frames[1].func_name(), Some("calls_div"));
    let text = trap.to_string();
    assert!(
        text.contains("integer divide by zero") && text.contains("arith!div"),
        "{text}"
    );

    let div = instance
        .get_typed_func::<(i32, i32), i32>(&store, "div")
        .unwrap();
    let err = div.call(&mut store, (i32::MIN, -1)).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::IntegerOverflow));
    let trunc = instance
        .get_typed_func::<f32, i32>(&store, "trunc")
        .unwrap();
    let err = trunc.call(&mut store, f32::NAN).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::InvalidConversionToInteger));
    let boom = instance.get_typed_func::<(), ()>(&store, "boom").unwrap();
    assert_eq!(
        boom.call(&mut store, ()).unwrap_err().trap_kind(),
        Some(TrapKind::Unreachable)
    );
}

#[test]
fn memory_out_of_bounds_trap() {
    let (mut store, instance) = instantiate(
        r#"(module (memory 1)
             (func (export "load") (param i32) (result i32) local.get 0 i32.load))"#,
    );
    let load = instance.get_typed_func::<i32, i32>(&store, "load").unwrap();
    assert_eq!(load.call(&mut store, 65532).unwrap(), 0);
    let err = load.call(&mut store, 65533).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::MemoryOutOfBounds));
}

#[test]
fn call_depth_limit() {
    let mut config = Config::new();
    config.max_call_depth(100);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(&engine, r#"(module (func $f (export "f") call $f))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let i = Instance::new(&mut store, &module, &[]).unwrap();
    let f = i.get_typed_func::<(), ()>(&store, "f").unwrap();
    let err = f.call(&mut store, ()).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::CallStackExhausted));
}

#[test]
fn default_call_depth_limit_traps_cleanly() {
    // On a test thread's small stack: the default limit must trap, not overflow.
    let (mut store, instance) = instantiate(
        r#"(module (func $f (export "f") (param i64) (result i64)
             (i64.add (call $f (local.get 0)) (i64.const 1))))"#,
    );
    let f = instance.get_typed_func::<i64, i64>(&store, "f").unwrap();
    let err = f.call(&mut store, 0).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::CallStackExhausted));
    // The store stays usable.
    let err = f.call(&mut store, 0).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::CallStackExhausted));
}

const USES_HOST: &str = r#"
(module $guest
  (import "host" "add" (func $add (param i32 i32) (result i32)))
  (import "host" "log" (func $log (param i32 i32)))
  (import "host" "fail" (func $fail (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello")
  (func (export "run") (param i32 i32) (result i32)
    i32.const 16 i32.const 5 call $log
    local.get 0 local.get 1 call $add)
  (func $inner (export "fail") (param i32) (result i32)
    local.get 0 call $fail))
"#;

#[derive(Debug)]
struct MyError(i32);
impl std::fmt::Display for MyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "my error {}", self.0)
    }
}
impl std::error::Error for MyError {}

#[derive(Default)]
struct HostState {
    logged: Vec<String>,
    adds: u32,
}

fn host_linker(engine: &Engine) -> Linker<HostState> {
    let mut linker = Linker::new(engine);
    linker
        .func_wrap(
            "host",
            "add",
            |mut caller: Caller<'_, HostState>, a: i32, b: i32| -> i32 {
                caller.data_mut().adds += 1;
                a.wrapping_add(b)
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "host",
            "log",
            |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| -> Result<(), Error> {
                let memory = caller
                    .get_export("memory")
                    .and_then(Extern::into_memory)
                    .ok_or_else(|| Error::msg("no memory"))?;
                let mut buf = vec![0; len as usize];
                memory.read(&caller, ptr as usize, &mut buf)?;
                let text = String::from_utf8(buf)?;
                caller.data_mut().logged.push(text);
                Ok(())
            },
        )
        .unwrap();
    linker
        .func_wrap("host", "fail", |code: i32| -> Result<i32, Error> {
            match code {
                0 => Ok(0),
                1 => Err(Error::new(MyError(7))),
                2 => Err(I32Exit(3).into()),
                _ => Err(Error::msg("plain message")),
            }
        })
        .unwrap();
    linker
}

#[test]
fn host_functions_see_data_and_memory() {
    let engine = engine();
    let module = Module::new(&engine, USES_HOST).unwrap();
    let linker = host_linker(&engine);
    let mut store = Store::new(&engine, HostState::default());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance
        .get_typed_func::<(i32, i32), i32>(&store, "run")
        .unwrap();
    assert_eq!(run.call(&mut store, (20, 22)).unwrap(), 42);
    assert_eq!(run.call(&mut store, (1, 1)).unwrap(), 2);
    assert_eq!(store.data().adds, 2);
    assert_eq!(store.data().logged, ["hello", "hello"]);
    let fail = instance.get_typed_func::<i32, i32>(&store, "fail").unwrap();
    assert_eq!(fail.call(&mut store, 0).unwrap(), 0);
}

#[test]
fn host_errors_trap_with_the_error_attached() {
    let engine = engine();
    let module = Module::new(&engine, USES_HOST).unwrap();
    let linker = host_linker(&engine);
    let mut store = Store::new(&engine, HostState::default());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let fail = instance.get_typed_func::<i32, i32>(&store, "fail").unwrap();

    let err = fail.call(&mut store, 1).unwrap_err();
    assert_eq!(err.downcast_ref::<MyError>().map(|e| e.0), Some(7));
    assert_eq!(err.trap_kind(), Some(TrapKind::Host));
    let bt = err.wasm_backtrace().expect("backtrace");
    assert_eq!(bt.frames()[0].func_name(), Some("inner"));
    assert!(err.to_string().contains("my error 7"));

    let err = fail.call(&mut store, 2).unwrap_err();
    assert_eq!(err.downcast_ref::<I32Exit>(), Some(&I32Exit(3)));
    assert_eq!(err.downcast::<I32Exit>().unwrap(), I32Exit(3));

    let err = fail.call(&mut store, 3).unwrap_err();
    assert_eq!(err.to_string(), "plain message");

    // The store is still usable after a host error.
    assert_eq!(fail.call(&mut store, 0).unwrap(), 0);
}

#[test]
fn func_new_with_explicit_type() {
    let engine = engine();
    let module = Module::new(
        &engine,
        r#"(module (import "m" "f" (func $f (param i64 f32) (result f64)))
                   (func (export "g") (result f64) i64.const 5 f32.const 0.5 call $f))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_new(
            "m",
            "f",
            FuncType::new([ValType::I64, ValType::F32], [ValType::F64]),
            |_caller: Caller<'_, ()>, params: &[Val], results: &mut [Val]| {
                let a = params[0].i64().ok_or("expected i64")? as f64;
                let b = params[1].f32().ok_or("expected f32")? as f64;
                results[0] = Val::from(a * b);
                Ok(())
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let g = instance.get_typed_func::<(), f64>(&store, "g").unwrap();
    assert_eq!(g.call(&mut store, ()).unwrap(), 2.5);
}

#[test]
fn func_wrap_in_store_and_reentry() {
    let engine = engine();
    let module = Module::new(
        &engine,
        r#"(module (import "" "cb" (func $cb (param i32) (result i32)))
                   (func (export "double") (param i32) (result i32) local.get 0 local.get 0 i32.add)
                   (func (export "go") (param i32) (result i32) local.get 0 call $cb))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    // The host calls back into the instance's "double" export.
    let cb = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, ()>, x: i32| -> Result<i32, Error> {
            let double = caller
                .get_export("double")
                .and_then(Extern::into_func)
                .ok_or_else(|| Error::msg("no double"))?;
            let double = double.typed::<i32, i32>(&caller)?;
            Ok(double.call(&mut caller, x)? + 1)
        },
    );
    let instance = Instance::new(&mut store, &module, &[cb.into()]).unwrap();
    let go = instance.get_typed_func::<i32, i32>(&store, "go").unwrap();
    assert_eq!(go.call(&mut store, 10).unwrap(), 21);
}

#[test]
fn linker_errors_name_the_import_and_its_type() {
    let engine = engine();
    let module = Module::new(
        &engine,
        r#"(module (import "env" "needed" (func (param i32 i64) (result f32))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker: Linker<()> = Linker::new(&engine);
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("env::needed"), "{msg}");
    assert!(msg.contains("(func (param i32 i64) (result f32))"), "{msg}");
    let link = err.downcast_ref::<LinkError>().expect("a LinkError");
    assert_eq!((link.module(), link.name()), ("env", "needed"));
    assert!(link.found().is_none());

    linker.func_wrap("env", "needed", |x: i32| x).unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("incompatible import type for `env::needed`"),
        "{msg}"
    );
    assert!(
        msg.contains("found (func (param i32) (result i32))"),
        "{msg}"
    );

    // Redefinition is an error unless shadowing is allowed.
    assert!(
        linker
            .func_wrap("env", "needed", |_: i32, _: i64| 0.0f32)
            .is_err()
    );
    linker.allow_shadowing(true);
    linker
        .func_wrap("env", "needed", |_: i32, _: i64| 0.5f32)
        .unwrap();
    linker.instantiate(&mut store, &module).unwrap();
}

#[test]
fn linker_instance_and_define() {
    let engine = engine();
    let provider = Module::new(
        &engine,
        r#"(module (memory (export "mem") 1)
                   (global (export "g") (mut i32) (i32.const 5))
                   (table (export "t") 2 funcref)
                   (func (export "seven") (result i32) i32.const 7))"#,
    )
    .unwrap();
    let user = Module::new(
        &engine,
        r#"(module (import "p" "mem" (memory 1))
                   (import "p" "g" (global $g (mut i32)))
                   (import "p" "seven" (func $seven (result i32)))
                   (import "q" "limit" (global $limit i32))
                   (func (export "run") (result i32)
                     (i32.store (i32.const 0) (i32.const 99))
                     (global.set $g (i32.add (global.get $g) (global.get $limit)))
                     (i32.add (call $seven) (global.get $g))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let p = linker.instantiate(&mut store, &provider).unwrap();
    linker.instance(&mut store, "p", p).unwrap();
    let limit = Global::new(
        &mut store,
        GlobalType::new(ValType::I32, Mutability::Const),
        Val::I32(100),
    )
    .unwrap();
    linker.define(&store, "q", "limit", limit).unwrap();
    let u = linker.instantiate(&mut store, &user).unwrap();
    let run = u.get_typed_func::<(), i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 7 + 105);
    let mem = p.get_memory(&store, "mem").unwrap();
    assert_eq!(mem.data(&store)[0], 99);
    let g = p.get_global(&store, "g").unwrap();
    assert_eq!(g.get(&store), Val::I32(105));
    assert!(p.get_table(&store, "t").is_some());
    let names: Vec<String> = p.exports(&store).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["mem", "g", "t", "seven"]);
}

#[test]
fn memory_access_is_bounds_checked() {
    let (mut store, instance) = instantiate(r#"(module (memory (export "m") 1 3))"#);
    let memory = instance.get_memory(&store, "m").unwrap();
    assert_eq!(memory.size(&store), 1);
    assert_eq!(memory.data_size(&store), 65536);
    memory.write(&mut store, 65532, &[1, 2, 3, 4]).unwrap();
    let mut buf = [0u8; 4];
    memory.read(&store, 65532, &mut buf).unwrap();
    assert_eq!(buf, [1, 2, 3, 4]);
    let err = memory.write(&mut store, 65533, &[0; 4]).unwrap_err();
    assert_eq!(err.memory_size, 65536);
    assert!(memory.read(&store, usize::MAX, &mut buf).is_err());
    assert!(memory.read(&store, 65536, &mut []).is_ok());
    assert!(memory.read(&store, 65537, &mut []).is_err());

    assert_eq!(memory.grow(&mut store, 1).unwrap(), 1);
    assert_eq!(memory.size(&store), 2);
    memory.write(&mut store, 65536 + 10, &[7]).unwrap();
    assert!(
        memory.grow(&mut store, 2).is_err(),
        "over the maximum of 3 pages"
    );
    memory.data_mut(&mut store)[0] = 42;
    assert_eq!(memory.data(&store)[0], 42);
    assert_eq!(memory.ty(&store).maximum(), Some(3));
}

#[test]
fn memory_data_and_store_mut() {
    let engine = engine();
    let module = Module::new(&engine, r#"(module (memory (export "m") 1))"#).unwrap();
    let mut store = Store::new(&engine, vec![1u8, 2, 3]);
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let memory = instance.get_memory(&store, "m").unwrap();
    let (bytes, data) = memory.data_and_store_mut(&mut store);
    bytes[..3].copy_from_slice(data);
    data.push(4);
    assert_eq!(&memory.data(&store)[..4], &[1, 2, 3, 0]);
    assert_eq!(store.data().len(), 4);
}

#[test]
fn host_created_memory_table_global() {
    let engine = engine();
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new(1, Some(2))).unwrap();
    assert_eq!(memory.size(&store), 1);
    let table = Table::new(
        &mut store,
        TableType::new(RefType::FUNCREF, 2, None),
        Val::FuncRef(None),
    )
    .unwrap();
    assert_eq!(table.size(&store), 2);
    let f = Func::wrap(&mut store, || 5i32);
    table.set(&mut store, 1, Val::FuncRef(Some(f))).unwrap();
    assert_eq!(table.get(&store, 1), Some(Val::FuncRef(Some(f))));
    assert_eq!(table.get(&store, 2), None);
    assert!(table.set(&mut store, 5, Val::FuncRef(None)).is_err());
    assert!(table.set(&mut store, 0, Val::I32(1)).is_err());
    assert_eq!(table.grow(&mut store, 3, Val::FuncRef(None)).unwrap(), 2);
    assert_eq!(table.size(&store), 5);

    let g = Global::new(
        &mut store,
        GlobalType::new(ValType::I64, Mutability::Var),
        Val::I64(1),
    )
    .unwrap();
    g.set(&mut store, Val::I64(9)).unwrap();
    assert_eq!(g.get(&store), Val::I64(9));
    assert!(g.set(&mut store, Val::I32(9)).is_err());
    let c = Global::new(
        &mut store,
        GlobalType::new(ValType::F32, Mutability::Const),
        Val::from(1.0f32),
    )
    .unwrap();
    assert!(c.set(&mut store, Val::from(2.0f32)).is_err());

    let module = Module::new(
        &engine,
        r#"(module (import "" "m" (memory 1)) (import "" "t" (table 1 funcref))
                   (func (export "call1") (result i32) (call_indirect (result i32) (i32.const 1))))"#,
    )
    .unwrap();
    let instance = Instance::new(&mut store, &module, &[memory.into(), table.into()]).unwrap();
    let call1 = instance.get_typed_func::<(), i32>(&store, "call1").unwrap();
    assert_eq!(call1.call(&mut store, ()).unwrap(), 5);
    // Wrong import kind: an error naming the import.
    let err = Instance::new(&mut store, &module, &[table.into(), memory.into()]).unwrap_err();
    assert!(
        err.to_string().contains("``::`m`") || err.to_string().contains("::m"),
        "{err}"
    );
}

#[test]
fn fuel() {
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(
        &engine,
        r#"(module (func (export "spin") (param i32)
             (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    assert_eq!(store.get_fuel().unwrap(), 0);
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let spin = instance.get_typed_func::<i32, ()>(&store, "spin").unwrap();
    // No fuel yet: traps at once.
    assert_eq!(
        spin.call(&mut store, 10).unwrap_err().trap_kind(),
        Some(TrapKind::OutOfFuel)
    );
    store.set_fuel(10_000).unwrap();
    spin.call(&mut store, 10).unwrap();
    let left = store.get_fuel().unwrap();
    assert!(left < 10_000 && left > 0, "{left}");
    let err = spin.call(&mut store, 1_000_000).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::OutOfFuel));
    assert!(err.to_string().contains("fuel"), "{err}");
    assert_eq!(store.get_fuel().unwrap(), 0);

    // Fuel not enabled: an error, not a silent no-op.
    let mut plain = Store::new(&Engine::default(), ());
    assert!(plain.set_fuel(5).is_err());
    assert!(plain.get_fuel().is_err());
}

#[test]
fn epoch_interruption_from_another_thread() {
    let mut config = Config::new();
    config.epoch_interruption(true);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(
        &engine,
        r#"(module $spin (func $forever (export "forever") (loop $l (br $l))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    store.set_epoch_deadline(1);
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let forever = instance
        .get_typed_func::<(), ()>(&store, "forever")
        .unwrap();

    let done = Arc::new(AtomicBool::new(false));
    let ticker = {
        let engine = engine.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(5));
                engine.increment_epoch();
            }
        })
    };
    let err = forever.call(&mut store, ()).unwrap_err();
    done.store(true, Ordering::SeqCst);
    ticker.join().unwrap();
    assert_eq!(err.trap_kind(), Some(TrapKind::Interrupted));
    let frames = err.trap().unwrap().backtrace().frames();
    assert_eq!(frames[0].func_name(), Some("forever"));

    // A new deadline lets code run again.
    store.set_epoch_deadline(1_000_000);
    let quick = Module::new(
        &engine,
        r#"(module (func (export "f") (result i32) i32.const 1))"#,
    )
    .unwrap();
    let i = Instance::new(&mut store, &quick, &[]).unwrap();
    assert_eq!(
        i.get_typed_func::<(), i32>(&store, "f")
            .unwrap()
            .call(&mut store, ())
            .unwrap(),
        1
    );
}

#[test]
fn store_limits_memory_and_tables() {
    let engine = engine();
    let mut store = Store::new(&engine, ());
    store.limiter(
        StoreLimitsBuilder::new()
            .memory_size(2 * 65536)
            .table_elements(10)
            .build(),
    );
    let too_big = Module::new(&engine, r#"(module (memory 3))"#).unwrap();
    let err = Instance::new(&mut store, &too_big, &[]).unwrap_err();
    assert!(err.to_string().contains("limit"), "{err}");

    let grows = Module::new(
        &engine,
        r#"(module (memory 1) (table 5 funcref)
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
             (func (export "tgrow") (param i32) (result i32)
               (table.grow (ref.null func) (local.get 0))))"#,
    )
    .unwrap();
    let i = Instance::new(&mut store, &grows, &[]).unwrap();
    let grow = i.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
    assert_eq!(
        grow.call(&mut store, 1).unwrap(),
        -1,
        "3 pages exceed the 2-page limit"
    );
    let tgrow = i.get_typed_func::<i32, i32>(&store, "tgrow").unwrap();
    assert_eq!(tgrow.call(&mut store, 5).unwrap(), 5);
    assert_eq!(tgrow.call(&mut store, 1).unwrap(), -1);

    assert!(Memory::new(&mut store, MemoryType::new(3, None)).is_err());
    assert!(
        Table::new(
            &mut store,
            TableType::new(RefType::FUNCREF, 11, None),
            Val::FuncRef(None)
        )
        .is_err()
    );
}

#[test]
fn store_limits_counts() {
    let mut config = Config::new();
    config.limits(
        StoreLimitsBuilder::new()
            .instances(2)
            .memories(1)
            .tables(1)
            .build(),
    );
    let engine = Engine::new(&config).unwrap();
    let empty = Module::new(&engine, "(module)").unwrap();
    let with_memory = Module::new(&engine, "(module (memory 0))").unwrap();
    let mut store = Store::new(&engine, ());
    Instance::new(&mut store, &with_memory, &[]).unwrap();
    let err = Instance::new(&mut store, &with_memory, &[]).unwrap_err();
    assert!(err.to_string().contains("memory count"), "{err}");
    Instance::new(&mut store, &empty, &[]).unwrap();
    let err = Instance::new(&mut store, &empty, &[]).unwrap_err();
    assert!(err.to_string().contains("instance count"), "{err}");
    assert!(Memory::new(&mut store, MemoryType::new(0, None)).is_err());
    Table::new(
        &mut store,
        TableType::new(RefType::FUNCREF, 0, None),
        Val::FuncRef(None),
    )
    .unwrap();
    assert!(
        Table::new(
            &mut store,
            TableType::new(RefType::FUNCREF, 0, None),
            Val::FuncRef(None)
        )
        .is_err()
    );
}

#[test]
fn custom_resource_limiter() {
    struct CountingLimiter {
        asked: Arc<std::sync::Mutex<Vec<(usize, usize)>>>,
    }
    impl ResourceLimiter for CountingLimiter {
        fn memory_growing(&mut self, current: usize, desired: usize, _max: Option<usize>) -> bool {
            self.asked.lock().unwrap().push((current, desired));
            desired <= 3 * 65536
        }
        fn table_growing(&mut self, _c: usize, _d: usize, _m: Option<usize>) -> bool {
            true
        }
    }
    let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let engine = engine();
    let mut store = Store::new(&engine, ());
    store.limiter(CountingLimiter {
        asked: asked.clone(),
    });
    let module = Module::new(
        &engine,
        r#"(module (memory 1)
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    )
    .unwrap();
    let i = Instance::new(&mut store, &module, &[]).unwrap();
    let grow = i.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 2).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
    assert_eq!(
        *asked.lock().unwrap(),
        [(0, 65536), (65536, 3 * 65536), (3 * 65536, 4 * 65536)]
    );
}

#[test]
fn module_types_and_validation() {
    let engine = engine();
    let module = Module::new(
        &engine,
        r#"(module $named
             (import "a" "f" (func (param i32) (result i64)))
             (import "a" "m" (memory 1 2))
             (import "a" "g" (global (mut f32)))
             (import "a" "t" (table 3 externref))
             (func (export "e") (param f64))
             (global (export "gl") i32 (i32.const 0)))"#,
    )
    .unwrap();
    assert_eq!(module.name(), Some("named"));
    let imports: Vec<String> = module
        .imports()
        .map(|i| format!("{}::{} {}", i.module(), i.name(), i.ty()))
        .collect();
    assert_eq!(
        imports,
        [
            "a::f (func (param i32) (result i64))",
            "a::m (memory 1 2)",
            "a::g (global (mut f32))",
            "a::t (table 3 externref)",
        ]
    );
    let exports: Vec<String> = module
        .exports()
        .map(|e| format!("{} {}", e.name(), e.ty()))
        .collect();
    assert_eq!(exports, ["e (func (param f64))", "gl (global i32)"]);
    assert!(
        module
            .get_export("gl")
            .and_then(ExternType::global)
            .is_some()
    );

    // Binary input works too.
    let binary = wat::parse_str("(module (func (export \"x\")))").unwrap();
    Module::validate(&engine, &binary).unwrap();
    Module::new(&engine, &binary).unwrap();

    // Errors carry the offset and the reason.
    let mut bad = binary.clone();
    bad.truncate(bad.len() - 2);
    let err = Module::new(&engine, &bad).unwrap_err();
    let me = err.downcast_ref::<ModuleError>().expect("a ModuleError");
    assert_eq!(me.kind(), &ModuleErrorKind::Invalid);
    assert!(me.offset().is_some());
    assert!(!me.message().is_empty());
    let err = Module::new(&engine, "(module (func (result i32)))").unwrap_err();
    let me = err.downcast_ref::<ModuleError>().unwrap();
    assert!(
        me.offset().is_some() && err.to_string().contains("offset"),
        "{err}"
    );
    let err = Module::new(&engine, "(module (func $f unknown.op))").unwrap_err();
    let me = err.downcast_ref::<ModuleError>().unwrap();
    assert_eq!(me.kind(), &ModuleErrorKind::Text);
    assert!(err.to_string().contains("1:"), "{err}");
    assert!(Module::new(&engine, b"not wasm at all").is_err());
    assert!(Module::new(&engine, b"").is_err());
}

#[test]
fn module_from_file() {
    let engine = engine();
    let dir = std::env::temp_dir().join(format!("wasmproof-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.wat");
    std::fs::write(
        &path,
        r#"(module (func (export "one") (result i32) i32.const 1))"#,
    )
    .unwrap();
    let module = Module::from_file(&engine, &path).unwrap();
    assert_eq!(module.exports().count(), 1);
    let err = Module::from_file(&engine, dir.join("missing.wasm")).unwrap_err();
    assert!(err.to_string().contains("missing.wasm"), "{err}");
    assert!(err.is::<std::io::Error>());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn objects_from_another_store_are_rejected() {
    let engine = engine();
    let module = Module::new(&engine, r#"(module (func (export "f")))"#).unwrap();
    let mut a = Store::new(&engine, ());
    let mut b = Store::new(&engine, ());
    let ia = Instance::new(&mut a, &module, &[]).unwrap();
    let f = ia.get_func(&a, "f").unwrap();
    assert!(f.call(&mut b, &[], &mut []).is_err());
    assert!(ia.get_func(&b, "f").is_none());
    let other_engine = Engine::default();
    let mut c = Store::new(&other_engine, ());
    assert!(Instance::new(&mut c, &module, &[]).is_err());
}

#[test]
fn start_function_trap_fails_instantiation() {
    let engine = engine();
    let module = Module::new(&engine, r#"(module (func $s unreachable) (start $s))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let err = Instance::new(&mut store, &module, &[]).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::Unreachable));
}

#[test]
fn values_and_types_display() {
    assert_eq!(ValType::FUNCREF.to_string(), "funcref");
    assert_eq!(Val::from(1.5f64).to_string(), "1.5");
    assert_eq!(Val::F32(0x7fc0_0000).to_string(), "nan:0x7fc00000");
    assert_eq!(Val::from(f32::NEG_INFINITY).to_string(), "-inf");
    assert!(Val::FuncRef(None).matches(ValType::FUNCREF));
    assert!(!Val::I32(0).matches(ValType::I64));
    let ty = FuncType::new([ValType::I32], []);
    assert_eq!(ty.to_string(), "(func (param i32))");
}

#[test]
fn config_engine_and_linker_get() {
    let mut config = Config::new();
    config.strategy(Strategy::Interpreter).consume_fuel(true);
    let engine = Engine::new(&config).unwrap();
    assert_eq!(engine.config().get_strategy(), Strategy::Interpreter);
    assert!(engine.config().fuel_enabled());
    assert_eq!(engine.current_epoch(), 0);
    engine.clone().increment_epoch();
    assert_eq!(engine.current_epoch(), 1);

    let mut store = Store::new(&engine, 5i32);
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("h", "get", |caller: Caller<'_, i32>| -> i32 {
            *caller.data()
        })
        .unwrap();
    let get = linker
        .get(&mut store, "h", "get")
        .and_then(Extern::into_func)
        .unwrap();
    let get = get.typed::<(), i32>(&store).unwrap();
    store.set_fuel(100).unwrap();
    assert_eq!(get.call(&mut store, ()).unwrap(), 5);
    *store.data_mut() = 6;
    assert_eq!(get.call(&mut store, ()).unwrap(), 6);
    // The same definition is one function per store.
    let again = linker
        .get(&mut store, "h", "get")
        .and_then(Extern::into_func)
        .unwrap();
    assert_eq!(&again, get.func());
    assert!(linker.get(&mut store, "h", "nope").is_none());
    assert_eq!(store.into_data(), 6);
}

#[test]
fn send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
    assert_send_sync::<Module>();
    assert_send_sync::<Error>();
    assert_send_sync::<Func>();
    assert_send_sync::<Linker<()>>();
    fn assert_send<T: Send>() {}
    assert_send::<Store<Vec<u8>>>();
}
