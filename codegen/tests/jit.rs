//! Compiled code against the reference interpreter: small WAT modules run
//! through `compile_module` and the array entry, results compared with
//! `wasmproof-oracle`; traps, calls, globals, the stubs, and the error for
//! an operator without a proven rule.

#[allow(dead_code)] // shared by several test crates, each using part of it
mod jit_harness;

use jit_harness::{Jit, raw, trap_code};
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
        let slots: Vec<u64> = args.iter().map(|&v| raw(v)).collect();
        let got = jit.call(name, &slots);
        match (&expected, &got) {
            (Ok(e), Ok(g)) => {
                let e: Vec<u64> = e.iter().map(|&v| raw(v)).collect();
                assert_eq!(&e, g, "{name}{args:?}");
            }
            (Err(kind), Err(code)) => assert_eq!(trap_code(*kind), *code, "{name}{args:?}"),
            _ => panic!("{name}{args:?}: oracle {expected:?}, jit {got:?}"),
        }
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
            calls.push((
                "mix64",
                vec![I64(i64::from(a) << 17), I64(i64::from(b) * 3)],
            ));
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
fn calls_multi_value_globals_and_call_indirect() {
    let wat = r#"(module
      (type $bin (func (param i32 i32) (result i32)))
      (type $un (func (param i64) (result i64)))
      (global $g (mut i32) (i32.const 40))
      (global $h (mut i64) (i64.const -9))
      (table 4 funcref)
      (elem (i32.const 0) $add $sub)
      (elem (i32.const 3) $neg)
      (func $add (type $bin) (i32.add (local.get 0) (local.get 1)))
      (func $sub (type $bin) (i32.sub (local.get 0) (local.get 1)))
      (func $neg (type $un) (i64.sub (i64.xor (local.get 0) (local.get 0)) (local.get 0)))
      (func $swap (param i32 i64 i32) (result i64 i32 i32)
        (local.get 1) (local.get 2) (local.get 0))
      (func $many (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
        (i32.add (i32.mul (local.get 7) (local.get 6))
                 (i32.xor (local.get 5) (i32.add (local.get 0) (local.get 4)))))
      (func (export "direct") (param i32 i32) (result i32)
        (call $add (call $sub (local.get 0) (local.get 1)) (local.get 1)))
      (func (export "stack_args") (param i32 i32) (result i32)
        (call $many (local.get 0) (local.get 1) (local.get 0) (local.get 1)
                    (local.get 1) (local.get 0) (local.get 1) (local.get 0)))
      (func (export "multi") (param i32 i64 i32) (result i32 i64 i32)
        (call $swap (local.get 0) (local.get 1) (local.get 2))
        (local.set 0) (local.set 2) (local.set 1)
        (local.get 2) (local.get 1) (local.get 0))
      (func (export "globals") (param i32 i64) (result i32 i64)
        (global.set $g (i32.add (global.get $g) (local.get 0)))
        (global.set $h (i64.mul (global.get $h) (local.get 1)))
        (global.get $g) (global.get $h))
      (func (export "indirect") (param i32 i32 i32) (result i32)
        (call_indirect (type $bin) (local.get 1) (local.get 2) (local.get 0)))
      (func (export "indirect64") (param i32 i64) (result i64)
        (call_indirect (type $un) (local.get 1) (local.get 0)))
      (func (export "boom") (param i32) (result i32)
        (if (local.get 0) (then unreachable))
        (local.get 0)))"#;
    let mut calls = vec![
        ("direct", vec![I32(5), I32(-3)]),
        ("stack_args", vec![I32(123), I32(-77)]),
        ("multi", vec![I32(-1), I64(-2), I32(3)]),
        ("globals", vec![I32(2), I64(3)]),
        ("globals", vec![I32(-50), I64(-1)]),
        ("boom", vec![I32(0)]),
        ("boom", vec![I32(1)]),
        ("indirect64", vec![I32(3), I64(99)]),
        // Signature mismatch, out of range, null entry.
        ("indirect64", vec![I32(0), I64(1)]),
        ("indirect", vec![I32(4), I32(1), I32(2)]),
        ("indirect", vec![I32(2), I32(1), I32(2)]),
        ("indirect", vec![I32(-1), I32(1), I32(2)]),
    ];
    for i in 0..2 {
        calls.push(("indirect", vec![I32(i), I32(1000), I32(-17)]));
    }
    agree(wat, &calls);
}

#[test]
fn deep_recursion_traps_with_stack_overflow() {
    let wat = r#"(module
      (func $f (export "down") (param i32) (result i32)
        (i32.add (call $f (local.get 0)) (local.get 0))))"#;
    let bytes = wat::parse_str(wat).expect("valid WAT");
    let mut jit = Jit::new(&bytes, &CompileOptions::default());
    assert_eq!(jit.call("down", &[1]), Err(9));
    // The entry record was restored: the instance still works.
    assert_eq!(jit.call("down", &[2]), Err(9));
}

#[test]
fn fuel_checks_trap_when_fuel_runs_out() {
    let wat = r#"(module
      (func (export "spin") (param $n i32) (param $one i32) (result i32)
        (loop $l (local.set $n (i32.sub (local.get $n) (local.get $one))) (br_if $l (local.get $n)))
        (local.get $n)))"#;
    let bytes = wat::parse_str(wat).expect("valid WAT");
    let opts = CompileOptions {
        fuel_checks: true,
        epoch_checks: false,
    };
    let mut jit = Jit::new(&bytes, &opts);
    jit.set_fuel(1000);
    assert_eq!(jit.call("spin", &[10, 1]), Ok(vec![0]));
    jit.set_fuel(5);
    assert_eq!(jit.call("spin", &[100, 1]), Err(10));
}

/// (i32, i64) -> (i64, i32): (b * 2, a + 1); traps when a is 13.
unsafe extern "C" fn host_pair(_: *mut wasmproof_codegen::vm::VMHostContext, v: *mut u64) -> u32 {
    // SAFETY: the adapter passes max(params, results) = 2 slots.
    let v = unsafe { std::slice::from_raw_parts_mut(v, 2) };
    let (a, b) = (v[0] as u32, v[1]);
    if a == 13 {
        return wasmproof_codegen::vm::TRAP_HOST;
    }
    v[0] = b.wrapping_mul(2);
    v[1] = u64::from(a.wrapping_add(1));
    0
}

#[test]
fn host_imports_through_the_adapter() {
    let wat = r#"(module
      (import "env" "pair" (func $pair (param i32 i64) (result i64 i32)))
      (func (export "use") (param i32 i64) (result i64 i32)
        (call $pair (local.get 0) (local.get 1))))"#;
    let bytes = wat::parse_str(wat).expect("valid WAT");
    let module = compile_module(&bytes, &CompileOptions::default()).expect("compiles");
    let mut jit = Jit::with_imports(module, vec![host_pair]);
    assert_eq!(jit.call("use", &[5, 100]), Ok(vec![200, 6]));
    assert_eq!(jit.call("use", &[u64::from(u32::MAX), 1]), Ok(vec![2, 0]));
    assert_eq!(
        jit.call("use", &[13, 1]),
        Err(wasmproof_codegen::vm::TRAP_HOST)
    );
    assert_eq!(
        jit.call("use", &[1, 1]),
        Ok(vec![2, 2]),
        "usable after a host trap"
    );
}

#[test]
fn epoch_checks_trap_once_the_deadline_passes() {
    let wat = r#"(module
      (func (export "f") (param i32) (result i32) (local.get 0)))"#;
    let bytes = wat::parse_str(wat).expect("valid WAT");
    let opts = CompileOptions {
        fuel_checks: false,
        epoch_checks: true,
    };
    let mut jit = Jit::new(&bytes, &opts);
    let counter = Box::new(5u64);
    jit.set_epoch(&counter, 6);
    assert_eq!(jit.call("f", &[3]), Ok(vec![3]));
    jit.set_epoch(&counter, 5);
    assert_eq!(jit.call("f", &[3]), Err(11));
}

#[test]
fn memory_size_and_a_refused_grow() {
    let wat = r#"(module (memory 2)
      (func (export "size") (result i32) memory.size)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#;
    let bytes = wat::parse_str(wat).expect("valid WAT");
    let mut jit = Jit::new(&bytes, &CompileOptions::default());
    assert_eq!(jit.call("size", &[]), Ok(vec![2]));
    // The harness's libcall refuses every grow: -1.
    assert_eq!(jit.call("grow", &[1]), Ok(vec![u64::from(u32::MAX)]));
}

/// A `br_if` and a `select` on a compare they absorb (`brif_icmp`,
/// `select_icmp` and their immediate / zero forms): every condition, both
/// widths, on edge values, against the interpreter. `keep` also uses its
/// compare twice, so that one is not absorbed.
#[test]
fn branches_and_selects_on_compares() {
    let ops = [
        "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
    ];
    let mut funcs = String::new();
    for t in ["i32", "i64"] {
        for op in ops {
            funcs += &format!(
                r#"(func (export "br_{t}_{op}") (param {t} {t}) (result i32)
                     (block (br_if 0 ({t}.{op} (local.get 0) (local.get 1))) (return (i32.const 7)))
                     (i32.const 9))
                   (func (export "bri_{t}_{op}") (param {t} {t}) (result i32)
                     (block (br_if 0 ({t}.{op} (local.get 0) ({t}.const -2))) (return (i32.const 7)))
                     (i32.const 9))
                   (func (export "sel_{t}_{op}") (param {t} {t}) (result {t})
                     (select (local.get 0) (local.get 1) ({t}.{op} (local.get 0) (local.get 1))))
                   (func (export "seli_{t}_{op}") (param {t} {t}) (result {t})
                     (select (local.get 1) (local.get 0) ({t}.{op} (local.get 0) ({t}.const 3))))
                   (func (export "keep_{t}_{op}") (param {t} {t}) (result i32) (local i32)
                     (local.set 2 ({t}.{op} (local.get 0) (local.get 1)))
                     (block (br_if 0 (local.get 2)) (return (i32.const 7)))
                     (i32.add (local.get 2) (i32.const 9)))
                "#
            );
        }
        funcs += &format!(
            r#"(func (export "eqz_{t}") (param {t} {t}) (result i32)
                 (block (br_if 0 ({t}.eqz (local.get 0))) (return (i32.const 7)))
                 (i32.const 9))"#
        );
    }
    let wat = format!("(module {funcs})");
    let edges32 = [0i32, 1, -1, 3, -2, i32::MIN, i32::MAX];
    let edges64 = [0i64, 1, -1, 3, -2, i64::MIN, i64::MAX, 1 << 32];
    let mut calls = Vec::new();
    for op in ops.iter().map(|o| o.to_string()).chain(["eqz".to_string()]) {
        for kind in ["br", "bri", "sel", "seli", "keep"] {
            if op == "eqz" && kind != "br" {
                continue;
            }
            let (n32, n64) = if op == "eqz" {
                ("eqz_i32".to_string(), "eqz_i64".to_string())
            } else {
                (format!("{kind}_i32_{op}"), format!("{kind}_i64_{op}"))
            };
            for &a in &edges32 {
                for &b in &edges32 {
                    calls.push((n32.clone(), vec![I32(a), I32(b)]));
                }
            }
            for &a in &edges64 {
                for &b in &edges64 {
                    calls.push((n64.clone(), vec![I64(a), I64(b)]));
                }
            }
        }
    }
    let calls: Vec<(&str, Vec<oracle::Value>)> =
        calls.iter().map(|(n, a)| (n.as_str(), a.clone())).collect();
    agree(&wat, &calls);
}
