//! Control flow: multi-value blocks with parameters, branches carrying
//! values, br_table, loops with parameters, select.

mod common;

use common::*;
use wasmproof_oracle::{Store, Value};

const CONTROL: &str = r#"(module
  (type $ii-ii (func (param i32 i32) (result i32 i32)))
  (func (export "swap") (param i32 i32) (result i32 i32)
    (local.get 1) (local.get 0))
  ;; A block taking two values and returning two, exited by a branch that
  ;; must drop the extra operand below its results.
  (func (export "block-params") (result i32 i32)
    (i32.const 99)
    (i32.const 1) (i32.const 2)
    (block $b (type $ii-ii)
      (i32.const 3) (br $b))
    (i32.add))
  ;; Sum 1..n in a loop whose parameters are the accumulator and counter.
  (func (export "loop-params") (param i32) (result i32)
    (i32.const 0) (local.get 0)
    (loop $l (param i32 i32) (result i32)
      (local.set 0)                                        ;; counter
      (i32.add (local.get 0))                              ;; acc += counter
      (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))  ;; (acc, counter - 1)
      (br_if $l (local.get 0))
      (drop)))
  (func (export "if-params") (param i32) (result i32)
    (i32.const 10) (i32.const 3)
    (if (param i32 i32) (result i32) (local.get 0)
      (then (i32.sub))
      (else (i32.mul))))
  (func (export "br_table") (param i32) (result i32)
    (block $d (result i32)
      (block $b1 (result i32)
        (block $b0 (result i32)
          (i32.const 100) (local.get 0)
          (br_table $b0 $b1 $d))
        (i32.const 1) (i32.add) (return))
      (i32.const 2) (i32.add) (return))
    (i32.const 3) (i32.add))
  (func (export "multi-return") (result i32 i64 f32)
    (block (result i32 i64 f32)
      (i32.const 1) (i64.const 2) (f32.const 3)
      (return))
    (unreachable))
  (func (export "select") (param i32) (result i64)
    (select (i64.const 7) (i64.const 8) (local.get 0)))
  (func (export "select-ref") (param i32) (result externref)
    (select (result externref) (ref.null extern) (ref.null extern) (local.get 0)))
  (func (export "nested-br") (result i32)
    (block $out (result i32)
      (loop $l
        (block
          (br_if $out (i32.const 42) (i32.const 1))
          (br $l)))
      (i32.const 0))))"#;

#[test]
fn multi_value_and_branches() {
    let mut store = Store::new(());
    let inst = instance(&mut store, CONTROL);
    let mut run = |name: &str, args: &[Value]| call(&mut store, inst, name, args).unwrap();
    assert_eq!(
        run("swap", &[Value::I32(1), Value::I32(2)]),
        [Value::I32(2), Value::I32(1)]
    );
    assert_eq!(run("block-params", &[]), [Value::I32(99), Value::I32(5)]);
    assert_eq!(run("loop-params", &[Value::I32(10)]), [Value::I32(55)]);
    assert_eq!(run("if-params", &[Value::I32(1)]), [Value::I32(7)]);
    assert_eq!(run("if-params", &[Value::I32(0)]), [Value::I32(30)]);
    assert_eq!(run("br_table", &[Value::I32(0)]), [Value::I32(101)]);
    assert_eq!(run("br_table", &[Value::I32(1)]), [Value::I32(102)]);
    assert_eq!(run("br_table", &[Value::I32(2)]), [Value::I32(103)]);
    assert_eq!(run("br_table", &[Value::I32(-1)]), [Value::I32(103)]);
    assert_eq!(
        run("multi-return", &[]),
        [Value::I32(1), Value::I64(2), Value::F32(3.0f32.to_bits())]
    );
    assert_eq!(run("select", &[Value::I32(1)]), [Value::I64(7)]);
    assert_eq!(run("select", &[Value::I32(0)]), [Value::I64(8)]);
    assert_eq!(run("select-ref", &[Value::I32(0)]).len(), 1);
    assert_eq!(run("nested-br", &[]), [Value::I32(42)]);
}
