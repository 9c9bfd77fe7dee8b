//! memory.grow / table.grow, their maxima, and the resource limiter.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use wasmproof_oracle::{
    Extern, HeapType, InstantiationError, MemoryType, Ref, ResourceLimiter, Store, Value,
};

/// The limiter's requests: what, current size, desired size.
type Log = Arc<Mutex<Vec<(&'static str, u64, u64)>>>;

/// Allows up to `pages` pages and `elems` table elements; logs requests.
struct Limiter {
    pages: u64,
    elems: u64,
    log: Log,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(&mut self, current: u64, desired: u64, _max: Option<u64>) -> bool {
        self.log.lock().unwrap().push(("memory", current, desired));
        desired <= self.pages
    }
    fn table_growing(&mut self, current: u64, desired: u64, _max: Option<u64>) -> bool {
        self.log.lock().unwrap().push(("table", current, desired));
        desired <= self.elems
    }
}

const GROW: &str = r#"(module
  (memory (export "mem") 1 10)
  (table 1 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "tgrow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))
  (func (export "tsize") (result i32) (table.size)))"#;

fn i32s(v: Vec<Value>) -> i32 {
    match v[..] {
        [Value::I32(x)] => x,
        _ => panic!("{v:?}"),
    }
}

#[test]
fn memory_grow_within_maximum() {
    let mut store = Store::new(());
    let inst = instance(&mut store, GROW);
    let mut grow = |n| i32s(call(&mut store, inst, "grow", &[Value::I32(n)]).unwrap());
    assert_eq!(grow(0), 1);
    assert_eq!(grow(2), 1);
    assert_eq!(grow(7), 3);
    assert_eq!(grow(1), -1);
    assert_eq!(grow(-1), -1);
    assert_eq!(i32s(call(&mut store, inst, "size", &[]).unwrap()), 10);
    let Some(Extern::Memory(m)) = store.get_export(inst, "mem") else {
        panic!()
    };
    assert_eq!(store.memory_data(m).len(), 10 * 65536);
}

#[test]
fn memory_is_at_most_65536_pages() {
    let mut store = Store::new(());
    let inst = instance(
        &mut store,
        r#"(module (memory 0) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    assert_eq!(
        call(&mut store, inst, "grow", &[Value::I32(65537)]).unwrap(),
        vec![Value::I32(-1)]
    );
    assert_eq!(
        call(&mut store, inst, "grow", &[Value::I32(1)]).unwrap(),
        vec![Value::I32(0)]
    );
    let mem = store.alloc_memory(MemoryType {
        min: 65537,
        max: None,
        memory64: false,
        shared: false,
    });
    assert!(mem.is_err());
}

#[test]
fn limiter_refuses_growth_and_allocation() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut store = Store::new(());
    store.set_limiter(Some(Box::new(Limiter {
        pages: 3,
        elems: 2,
        log: log.clone(),
    })));
    let inst = instance(&mut store, GROW);
    assert_eq!(
        i32s(call(&mut store, inst, "grow", &[Value::I32(2)]).unwrap()),
        1
    );
    assert_eq!(
        i32s(call(&mut store, inst, "grow", &[Value::I32(1)]).unwrap()),
        -1
    );
    assert_eq!(i32s(call(&mut store, inst, "size", &[]).unwrap()), 3);
    assert_eq!(
        i32s(call(&mut store, inst, "tgrow", &[Value::I32(1)]).unwrap()),
        1
    );
    assert_eq!(
        i32s(call(&mut store, inst, "tgrow", &[Value::I32(1)]).unwrap()),
        -1
    );
    assert_eq!(i32s(call(&mut store, inst, "tsize", &[]).unwrap()), 2);
    assert_eq!(
        *log.lock().unwrap(),
        [
            ("table", 0, 1),
            ("memory", 0, 1),
            ("memory", 1, 3),
            ("memory", 3, 4),
            ("table", 1, 2),
            ("table", 2, 3),
        ]
    );
    // Growth beyond the type's maximum fails without asking the limiter.
    log.lock().unwrap().clear();
    assert_eq!(
        i32s(call(&mut store, inst, "grow", &[Value::I32(100)]).unwrap()),
        -1
    );
    assert!(log.lock().unwrap().is_empty());

    // Instantiation asks too, and reports a refusal as a resource error.
    let big = module(r#"(module (memory 4))"#);
    assert!(matches!(
        store.instantiate(&big, &[]),
        Err(InstantiationError::Resource(_))
    ));
    // The embedder API goes through the limiter as well.
    let t = store.alloc_table(
        wasmproof_oracle::TableType {
            elem: wasmproof_oracle::RefType::FUNCREF,
            min: 1,
            max: None,
            table64: false,
        },
        Ref::Null(HeapType::Func),
    );
    let t = t.unwrap();
    assert_eq!(store.table_grow(t, 1, Ref::Null(HeapType::Func)), Some(1));
    assert_eq!(store.table_grow(t, 1, Ref::Null(HeapType::Func)), None);
}

#[test]
fn table_grow_huge_fails_cleanly() {
    let mut store = Store::new(());
    let inst = instance(&mut store, GROW);
    assert_eq!(
        i32s(call(&mut store, inst, "tgrow", &[Value::I32(-1)]).unwrap()),
        -1
    );
    assert_eq!(
        i32s(call(&mut store, inst, "tgrow", &[Value::I32(0x7fff_ffff)]).unwrap()),
        -1
    );
    assert_eq!(i32s(call(&mut store, inst, "tsize", &[]).unwrap()), 1);
}
