//! Compiled code against the reference interpreter: small WAT modules run
//! through `compile_module` and the array entry, results compared with
//! `wasmproof-oracle`; traps, calls, globals, the stubs, and the error for
//! an operator without a proven rule.

mod jit_harness;

use jit_harness::Jit;
use wasmproof_codegen::{CompileOptions, compile_module};
use wasmproof_oracle as oracle;

/// Runs `name(args)` under both engines and asserts the same results.
fn agree(wat: &str, calls: &[(&str, Vec<oracle::Value>)]) {
    let bytes = wat::parse_str(wat).expect("valid WAT");
    let module = oracle::Module::new(&bytes).expect("oracle accepts");
    let mut store = oracle::Store::new(());
    let inst = store.instantiate(&module, &[]).expect("instantiates");
    let mut jit = Jit::new(&bytes, &CompileOptions::default());
    for (name, args) in calls {
        let Some(oracle::Extern::Func(f)) = store.get_export(inst, name) else {
            panic!("no export {name}");
        };
        let expected = store.invoke(f, args).map_err(|t| t.kind);
        let raw: Vec<u64> = args.iter().map(|&v| to_raw(v)).collect();
        let got = jit.call(name, &raw);
        match (&expected, &got) {
            (Ok(e), Ok(g)) => {
                let e: Vec<u64> = e.iter().map(|&v| to_raw(v)).collect();
                assert_eq!(&e, g, "{name}{args:?}");
            }
            (Err(kind), Err(code)) => assert_eq!(trap_code(*kind), *code, "{name}{args:?}"),
            _ => panic!("{name}{args:?}: oracle {expected:?}, jit {got:?}"),
        }
    }
}

fn to_raw(v: oracle::Value) -> u64 {
    match v {
        oracle::Value::I32(x) => u64::from(x as u32),
        oracle::Value::I64(x) => x as u64,
        oracle::Value::F32(x) => u64::from(x),
        oracle::Value::F64(x) => x,
        other => panic!("unsupported value {other:?}"),
    }
}

fn trap_code(kind: oracle::TrapKind) -> u32 {
    use oracle::TrapKind as K;
    match kind {
        K::Unreachable => 1,
        K::IntegerDivideByZero => 2,
        K::IntegerOverflow => 3,
        K::InvalidConversionToInteger => 4,
        K::MemoryOutOfBounds => 5,
        K::IndirectCallTypeMismatch => 6,
        K::UndefinedElement => 7,
        K::UninitializedElement => 8,
        K::CallStackExhausted => 9,
        other => panic!("unexpected trap {other:?}"),
    }
}

use oracle::Value::{I32, I64};

#[test]
fn integer_ops_with_proven_rules() {
    let wat = r#"(module
      (func (export "mix32") (param i32 i32 i32) (result i32)
        local.get 0 local.get 1 i32.add local.get 2 i32.mul
        local.get 0 i32.sub local.get 1 i32.xor local.get 2 i32.or local.get 0 i32.and)
      (func (export "mix64") (param i64 i64) (result i64)
        local.get 0 local.get 1 i64.mul local.get 0 i64.sub local.get 1 i64.xor))"#;
    let edge32 = [0, 1, -1, i32::MIN, i32::MAX, 0x1234_5678];
    let mut calls = Vec::new();
    for &a in &edge32 {
        for &b in &edge32 {
            calls.push(("mix32", vec![I32(a), I32(b), I32(a ^ 7)]));
            calls.push(("mix64", vec![I64(i64::from(a) << 17), I64(i64::from(b) * 3)]));
        }
    }
    agree(wat, &calls);
}

#[test]
fn control_flow_block_params_and_locals() {
    // Only ops with proven rules compute values; locals are parameters
    // (a declared local starts as an `iconst`, which has no rule yet).
    let wat = r#"(module
      (func (export "loop") (param $n i32) (param $one i32) (param $acc i32) (result i32)
        (if (local.get $n) (then
          (loop $top
            (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $n) (local.get $n))))
            (local.set $n (i32.sub (local.get $n) (local.get $one)))
            (br_if $top (local.get $n)))))
        (local.get $acc))
      (func (export "table") (param $i i32) (param $x i32) (result i32)
        (block $b2 (block $b1 (block $b0
          (br_table $b0 $b1 $b2 (local.get $i)))
          (return (i32.add (local.get $x) (local.get $x))))
          (return (i32.mul (local.get $x) (local.get $x))))
        (i32.xor (local.get $x) (local.get $i)))
      (func (export "ifelse") (param $c i32) (param $x i64) (param $y i64) (result i64)
        (if (result i64) (local.get $c)
          (then (i64.sub (local.get $x) (local.get $y)))
          (else (i64.and (local.get $x) (local.get $y))))))"#;
    let mut calls = Vec::new();
    for n in 0..6 {
        calls.push(("loop", vec![I32(n), I32(1), I32(n * 7 - 3)]));
    }
    for i in [0, 1, 2, 3, 100, -1] {
        calls.push(("table", vec![I32(i), I32(i.wrapping_mul(91) + 5)]));
    }
    for c in [0, 1, -5] {
        calls.push(("ifelse", vec![I32(c), I64(-77), I64(0x0f0f_0f0f_0f0f)]));
    }
    agree(wat, &calls);
}

#[test]
fn an_op_without_a_rule_is_an_error_naming_it() {
    let wat = r#"(module
      (func (export "ok") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
      (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_u))"#;
    let bytes = wat::parse_str(wat).expect("valid WAT");
    let e = compile_module(&bytes, &CompileOptions::default()).expect_err("no rule for udiv");
    assert_eq!(
        e.to_string(),
        "function 1: no proven lowering rule for 'udiv.i32' (x86-64)"
    );
}
