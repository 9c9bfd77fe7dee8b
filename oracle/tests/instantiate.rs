//! Instantiation: imports of every kind, link errors, segment order and
//! partial initialisation, the start function.

mod common;

use common::*;
use wasmproof_oracle::{
    Extern, GlobalType, HeapType, InstantiationError, MemoryType, Ref, RefType, Store, TableType,
    TrapKind, ValType, Value,
};

fn table_ty(min: u64, max: Option<u64>) -> TableType {
    TableType {
        elem: RefType::FUNCREF,
        min,
        max,
        table64: false,
    }
}

fn mem_ty(min: u64, max: Option<u64>) -> MemoryType {
    MemoryType {
        min,
        max,
        memory64: false,
        shared: false,
    }
}

#[test]
fn imports_of_every_kind() {
    let mut store = Store::new(());
    let exporter = instance(
        &mut store,
        r#"(module (func (export "f") (result i32) (i32.const 42)))"#,
    );
    let Some(f) = store.get_export(exporter, "f") else {
        panic!()
    };
    let table = store
        .alloc_table(table_ty(2, Some(4)), Ref::Null(HeapType::Func))
        .unwrap();
    let mem = store.alloc_memory(mem_ty(1, Some(2))).unwrap();
    let g = store
        .alloc_global(
            GlobalType {
                content: ValType::I32,
                mutable: true,
            },
            Value::I32(5),
        )
        .unwrap();
    let gi = store
        .alloc_global(
            GlobalType {
                content: ValType::I64,
                mutable: false,
            },
            Value::I64(9),
        )
        .unwrap();
    let m = module(
        r#"(module
          (import "m" "f" (func $f (result i32)))
          (import "m" "t" (table 1 funcref))
          (import "m" "mem" (memory 1 3))
          (import "m" "g" (global $g (mut i32)))
          (import "m" "gi" (global $gi i64))
          (global $copy i64 (global.get $gi))
          (elem (i32.const 1) $f)
          (data (i32.const 2) "hi")
          (func (export "call") (result i32) (call_indirect (result i32) (i32.const 1)))
          (func (export "bump") (global.set $g (i32.add (global.get $g) (i32.const 1))))
          (func (export "copy") (result i64) (global.get $copy))
          (func (export "grow") (result i32) (memory.grow (i32.const 1))))"#,
    );
    let imports = [
        f,
        Extern::Table(table),
        Extern::Memory(mem),
        Extern::Global(g),
        Extern::Global(gi),
    ];
    let inst = store.instantiate(&m, &imports).unwrap();
    assert_eq!(
        call(&mut store, inst, "call", &[]).unwrap(),
        vec![Value::I32(42)]
    );
    call(&mut store, inst, "bump", &[]).unwrap();
    assert_eq!(store.global_get(g), Value::I32(6));
    assert_eq!(
        call(&mut store, inst, "copy", &[]).unwrap(),
        vec![Value::I64(9)]
    );
    assert_eq!(&store.memory_data(mem)[2..4], b"hi");
    assert!(matches!(store.table_get(table, 1), Some(Ref::Func(_))));
    // The imported memory's own maximum (2) bounds growth, not the import's (3).
    assert_eq!(
        call(&mut store, inst, "grow", &[]).unwrap(),
        vec![Value::I32(1)]
    );
    assert_eq!(
        call(&mut store, inst, "grow", &[]).unwrap(),
        vec![Value::I32(-1)]
    );
    assert_eq!(store.memory_size(mem), 2);
    // Immutable globals cannot be set; wrong types are refused.
    assert!(store.global_set(gi, Value::I64(1)).is_err());
    assert!(store.global_set(g, Value::I64(1)).is_err());
    assert!(store.global_set(g, Value::I32(1)).is_ok());
}

fn link_error(store: &mut Store<()>, wat: &str, imports: &[Extern]) -> String {
    match store.instantiate(&module(wat), imports) {
        Err(InstantiationError::Link { reason, .. }) => reason,
        other => panic!("expected a link error, got {other:?}"),
    }
}

#[test]
fn link_errors() {
    let mut store = Store::new(());
    let mem = store.alloc_memory(mem_ty(1, None)).unwrap();
    let table = store
        .alloc_table(table_ty(10, Some(20)), Ref::Null(HeapType::Func))
        .unwrap();
    let g = store
        .alloc_global(
            GlobalType {
                content: ValType::I32,
                mutable: false,
            },
            Value::I32(0),
        )
        .unwrap();
    let exporter = instance(&mut store, r#"(module (func (export "f") (param i32)))"#);
    let f = store.get_export(exporter, "f").unwrap();

    // Missing import.
    link_error(&mut store, r#"(module (import "m" "mem" (memory 1)))"#, &[]);
    // Wrong kind.
    link_error(
        &mut store,
        r#"(module (import "m" "mem" (memory 1)))"#,
        &[Extern::Global(g)],
    );
    // Function type mismatch.
    link_error(
        &mut store,
        r#"(module (import "m" "f" (func (param i64))))"#,
        &[f],
    );
    // Limits subtyping (spec §4.5.2.1): min too small, max missing or larger.
    link_error(
        &mut store,
        r#"(module (import "m" "mem" (memory 2)))"#,
        &[Extern::Memory(mem)],
    );
    link_error(
        &mut store,
        r#"(module (import "m" "mem" (memory 1 5)))"#,
        &[Extern::Memory(mem)],
    );
    link_error(
        &mut store,
        r#"(module (import "m" "t" (table 10 15 funcref)))"#,
        &[Extern::Table(table)],
    );
    link_error(
        &mut store,
        r#"(module (import "m" "t" (table 10 externref)))"#,
        &[Extern::Table(table)],
    );
    // Global mutability and type.
    link_error(
        &mut store,
        r#"(module (import "m" "g" (global (mut i32))))"#,
        &[Extern::Global(g)],
    );
    link_error(
        &mut store,
        r#"(module (import "m" "g" (global i64)))"#,
        &[Extern::Global(g)],
    );

    // ...while matching limits link.
    let ok = [
        (
            r#"(module (import "m" "mem" (memory 1)))"#,
            Extern::Memory(mem),
        ),
        (
            r#"(module (import "m" "mem" (memory 0)))"#,
            Extern::Memory(mem),
        ),
        (
            r#"(module (import "m" "t" (table 5 funcref)))"#,
            Extern::Table(table),
        ),
        (
            r#"(module (import "m" "t" (table 10 20 funcref)))"#,
            Extern::Table(table),
        ),
        (
            r#"(module (import "m" "t" (table 0 30 funcref)))"#,
            Extern::Table(table),
        ),
        (
            r#"(module (import "m" "g" (global i32)))"#,
            Extern::Global(g),
        ),
        (r#"(module (import "m" "f" (func (param i32))))"#, f),
    ];
    for (wat, ext) in ok {
        store
            .instantiate(&module(wat), &[ext])
            .unwrap_or_else(|e| panic!("{wat}: {e}"));
    }
}

#[test]
fn current_sizes_count_for_matching() {
    let mut store = Store::new(());
    let mem = store.alloc_memory(mem_ty(1, None)).unwrap();
    let wat = r#"(module (import "m" "mem" (memory 2)))"#;
    link_error(&mut store, wat, &[Extern::Memory(mem)]);
    assert_eq!(store.memory_grow(mem, 1), Some(1));
    store
        .instantiate(&module(wat), &[Extern::Memory(mem)])
        .unwrap();
}

#[test]
fn segments_apply_in_order_and_a_failing_one_keeps_earlier_writes() {
    let mut store = Store::new(());
    let mem = store.alloc_memory(mem_ty(1, None)).unwrap();
    let table = store
        .alloc_table(table_ty(3, None), Ref::Null(HeapType::Func))
        .unwrap();
    let m = module(
        r#"(module
          (import "m" "mem" (memory 1))
          (import "m" "t" (table 3 funcref))
          (func $f)
          (elem (i32.const 0) $f)
          (elem (i32.const 2) $f $f)   ;; out of bounds: traps
          (elem (i32.const 1) $f)      ;; never applied
          (data (i32.const 0) "a")     ;; never applied: elements come first
          (func $start (unreachable))
          (start $start))"#,
    );
    let err = store
        .instantiate(&m, &[Extern::Memory(mem), Extern::Table(table)])
        .unwrap_err();
    let InstantiationError::Trap(t) = err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind, TrapKind::TableOutOfBounds);
    assert!(matches!(store.table_get(table, 0), Some(Ref::Func(_))));
    assert_eq!(store.table_get(table, 1), Some(Ref::Null(HeapType::Func)));
    // Segments are checked as a whole: nothing of the failing one is written.
    assert_eq!(store.table_get(table, 2), Some(Ref::Null(HeapType::Func)));
    assert_eq!(store.memory_data(mem)[0], 0);

    let m = module(
        r#"(module
          (import "m" "mem" (memory 1))
          (data (i32.const 0) "ab")
          (data (i32.const 65535) "cd")  ;; out of bounds
          (data (i32.const 2) "ef"))"#,
    );
    let err = store.instantiate(&m, &[Extern::Memory(mem)]).unwrap_err();
    let InstantiationError::Trap(t) = err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind, TrapKind::MemoryOutOfBounds);
    assert_eq!(&store.memory_data(mem)[..4], b"ab\0\0");
    assert_eq!(store.memory_data(mem)[65535], 0);
}

#[test]
fn start_function_runs_after_segments_and_may_trap() {
    let mut store = Store::new(());
    let mem = store.alloc_memory(mem_ty(1, None)).unwrap();
    let m = module(
        r#"(module
          (import "m" "mem" (memory 1))
          (data (i32.const 0) "x")
          (func $start (i32.store8 (i32.const 1) (i32.load8_u (i32.const 0))) unreachable)
          (start $start))"#,
    );
    let err = store.instantiate(&m, &[Extern::Memory(mem)]).unwrap_err();
    let InstantiationError::Trap(t) = err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind, TrapKind::Unreachable);
    assert_eq!(&store.memory_data(mem)[..2], b"xx");
}

#[test]
fn passive_and_declarative_segments() {
    let mut store = Store::new(());
    let inst = instance(
        &mut store,
        r#"(module
          (memory 1)
          (table 4 funcref)
          (func $f (result i32) (i32.const 1))
          (data $d "xyz")
          (elem $e funcref (ref.func $f) (ref.null func))
          (elem declare func $f)
          (func (export "init") (memory.init $d (i32.const 10) (i32.const 1) (i32.const 2))
                                (table.init $e (i32.const 2) (i32.const 0) (i32.const 2)))
          (func (export "drop") (data.drop $d) (elem.drop $e))
          (func (export "peek") (result i32) (i32.load16_u (i32.const 10)))
          (func (export "call2") (result i32) (call_indirect (result i32) (i32.const 2)))
          (func (export "ref") (result funcref) (ref.func $f)))"#,
    );
    call(&mut store, inst, "init", &[]).unwrap();
    assert_eq!(
        call(&mut store, inst, "peek", &[]).unwrap(),
        vec![Value::I32(0x7a79)]
    );
    assert_eq!(
        call(&mut store, inst, "call2", &[]).unwrap(),
        vec![Value::I32(1)]
    );
    call(&mut store, inst, "drop", &[]).unwrap();
    // A dropped segment has length zero: only empty inits succeed.
    assert_eq!(
        call(&mut store, inst, "init", &[]).unwrap_err().kind,
        TrapKind::MemoryOutOfBounds
    );
    assert!(matches!(
        call(&mut store, inst, "ref", &[]).unwrap()[..],
        [Value::Ref(Ref::Func(_))]
    ));
}

#[test]
fn exports_and_extern_types() {
    let mut store = Store::new(());
    let m = module(
        r#"(module
          (func (export "f") (param i32) (result i64) (i64.const 0))
          (table (export "t") 1 2 externref)
          (memory (export "m") 1)
          (global (export "g") (mut f32) (f32.const 1.5)))"#,
    );
    let names: Vec<_> = m.exports().iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["f", "t", "m", "g"]);
    let inst = store.instantiate(&m, &[]).unwrap();
    for (desc, (name, ext)) in m.exports().iter().zip(store.instance_exports(inst)) {
        assert_eq!(&desc.name, name);
        assert_eq!(desc.ty, store.extern_type(*ext));
    }
    let Some(Extern::Global(g)) = store.get_export(inst, "g") else {
        panic!()
    };
    assert_eq!(store.global_get(g), Value::F32(1.5f32.to_bits()));
}
