//! Compiled code end to end: arithmetic, control flow, calls, globals and
//! multi-value, each checked against the interpreter on the same module.

mod jit_util;

use jit_util::{engine, instantiate, jit};
use wasmproof::{Strategy, TrapKind, Val};

/// Calls export `name` with `args` under both strategies; returns the
/// JIT's results after checking they equal the interpreter's.
fn both(wat: &str, name: &str, args: &[Val]) -> Result<Vec<Val>, Option<TrapKind>> {
    let mut outcomes = Vec::new();
    for s in [Strategy::Interpreter, Strategy::Jit] {
        let (mut store, inst) = instantiate(&engine(s), wat);
        let f = inst.get_func(&store, name).expect("export");
        let mut results = vec![Val::I32(0); f.ty(&store).result_types().len()];
        let r = f
            .call(&mut store, args, &mut results)
            .map(|()| results)
            .map_err(|e| e.trap_kind());
        outcomes.push(r);
    }
    let jit = outcomes.pop().expect("jit");
    let interp = outcomes.pop().expect("interp");
    assert_eq!(jit, interp, "{name}({args:?}): JIT vs interpreter");
    jit
}

const ARITH: &str = r#"(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div_s") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "rem_u64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.rem_u)
  (func (export "shl") (param i64 i64) (result i64) local.get 0 local.get 1 i64.shl)
  (func (export "fmul") (param f64 f64) (result f64) local.get 0 local.get 1 f64.mul)
  (func (export "fmin") (param f32 f32) (result f32) local.get 0 local.get 1 f32.min)
  (func (export "trunc") (param f32) (result i32) local.get 0 i32.trunc_f32_s)
  (func (export "trunc_sat") (param f64) (result i64) local.get 0 i64.trunc_sat_f64_u)
  (func (export "ext8") (param i32) (result i32) local.get 0 i32.extend8_s)
  (func (export "clz") (param i64) (result i64) local.get 0 i64.clz)
  (func (export "eqz") (param i32) (result i32) local.get 0 i32.eqz))"#;

#[test]
fn arithmetic_matches_the_interpreter() {
    let i = Val::I32;
    let l = Val::I64;
    assert_eq!(
        both(ARITH, "add", &[i(i32::MAX), i(1)]),
        Ok(vec![i(i32::MIN)])
    );
    assert_eq!(both(ARITH, "div_s", &[i(-7), i(2)]), Ok(vec![i(-3)]));
    assert_eq!(
        both(ARITH, "div_s", &[i(1), i(0)]),
        Err(Some(TrapKind::IntegerDivideByZero))
    );
    assert_eq!(
        both(ARITH, "div_s", &[i(i32::MIN), i(-1)]),
        Err(Some(TrapKind::IntegerOverflow))
    );
    assert_eq!(both(ARITH, "rem_u64", &[l(-1), l(10)]), Ok(vec![l(5)]));
    assert_eq!(both(ARITH, "shl", &[l(1), l(65)]), Ok(vec![l(2)]));
    both(ARITH, "fmul", &[Val::from(1.5f64), Val::from(-2.0f64)]).expect("fmul");
    both(ARITH, "fmin", &[Val::F32(0x8000_0000), Val::F32(0)]).expect("fmin of zeros");
    assert_eq!(
        both(ARITH, "trunc", &[Val::F32(0x7fc0_0000)]),
        Err(Some(TrapKind::InvalidConversionToInteger))
    );
    assert_eq!(
        both(ARITH, "trunc_sat", &[Val::from(-5.0f64)]),
        Ok(vec![l(0)])
    );
    assert_eq!(both(ARITH, "ext8", &[i(0x80)]), Ok(vec![i(-128)]));
    assert_eq!(both(ARITH, "clz", &[l(1)]), Ok(vec![l(63)]));
    assert_eq!(both(ARITH, "eqz", &[i(0)]), Ok(vec![i(1)]));
}

const CONTROL: &str = r#"(module
  (func (export "fac") (param i64) (result i64)
    (local $acc i64)
    i64.const 1 local.set $acc
    block $done
      loop $next
        local.get 0 i64.eqz br_if $done
        local.get $acc local.get 0 i64.mul local.set $acc
        local.get 0 i64.const 1 i64.sub local.set 0
        br $next
      end
    end
    local.get $acc)
  (func (export "classify") (param i32) (result i32)
    block $c block $b block $a
      local.get 0 br_table $a $b $c
    end i32.const 10 return
    end i32.const 20 return
    end i32.const 30)
  (func (export "select") (param i32) (result i32)
    i32.const 1 i32.const 2 local.get 0 select)
  (func (export "if") (param i32) (result i32)
    local.get 0 if (result i32) i32.const 7 else i32.const 8 end)
  (func (export "unreachable") unreachable))"#;

#[test]
fn control_flow_matches_the_interpreter() {
    assert_eq!(
        both(CONTROL, "fac", &[Val::I64(20)]),
        Ok(vec![Val::I64(2_432_902_008_176_640_000)])
    );
    for (x, want) in [(0, 10), (1, 20), (2, 30), (99, 30), (-1, 30)] {
        assert_eq!(
            both(CONTROL, "classify", &[Val::I32(x)]),
            Ok(vec![Val::I32(want)])
        );
    }
    assert_eq!(
        both(CONTROL, "select", &[Val::I32(0)]),
        Ok(vec![Val::I32(2)])
    );
    assert_eq!(both(CONTROL, "if", &[Val::I32(5)]), Ok(vec![Val::I32(7)]));
    assert_eq!(
        both(CONTROL, "unreachable", &[]),
        Err(Some(TrapKind::Unreachable))
    );
}

const CALLS: &str = r#"(module
  (func $fib (export "fib") (param i32) (result i32)
    local.get 0 i32.const 2 i32.lt_u
    if (result i32) local.get 0
    else
      local.get 0 i32.const 1 i32.sub call $fib
      local.get 0 i32.const 2 i32.sub call $fib
      i32.add
    end)
  (func $many (param i32 i64 f32 f64 i32 i64 f32 f64 i32 i64 f32 f64) (result f64)
    local.get 0 f64.convert_i32_s local.get 1 f64.convert_i64_s f64.add
    local.get 2 f64.promote_f32 f64.add local.get 3 f64.add
    local.get 4 f64.convert_i32_s f64.add local.get 5 f64.convert_i64_s f64.add
    local.get 6 f64.promote_f32 f64.add local.get 7 f64.add
    local.get 8 f64.convert_i32_s f64.add local.get 9 f64.convert_i64_s f64.add
    local.get 10 f64.promote_f32 f64.add local.get 11 f64.add)
  (func (export "many") (result f64)
    i32.const 1 i64.const 2 f32.const 3 f64.const 4
    i32.const 5 i64.const 6 f32.const 7 f64.const 8
    i32.const 9 i64.const 10 f32.const 11 f64.const 12
    call $many)
  (func $pair (param i32 i64) (result i64 i32) local.get 1 local.get 0)
  (func $triple (result i32 i64 f64) i32.const 1 i64.const 2 f64.const 3.5)
  (func (export "swap") (param i32 i64) (result i64 i32)
    local.get 0 local.get 1 call $pair)
  (func (export "triple") (result i32 i64 f64) call $triple)
  (func (export "block_values") (result i32)
    i32.const 3 i32.const 4
    block (param i32 i32) (result i32) i32.add end))"#;

#[test]
fn calls_with_many_arguments_and_results_match_the_interpreter() {
    assert_eq!(
        both(CALLS, "fib", &[Val::I32(20)]),
        Ok(vec![Val::I32(6765)])
    );
    assert_eq!(both(CALLS, "many", &[]), Ok(vec![Val::from(78.0f64)]));
    assert_eq!(
        both(CALLS, "swap", &[Val::I32(-1), Val::I64(1 << 40)]),
        Ok(vec![Val::I64(1 << 40), Val::I32(-1)])
    );
    assert_eq!(
        both(CALLS, "triple", &[]),
        Ok(vec![Val::I32(1), Val::I64(2), Val::from(3.5f64)])
    );
    assert_eq!(both(CALLS, "block_values", &[]), Ok(vec![Val::I32(7)]));
}

#[test]
fn globals_are_shared_between_compiled_code_and_the_host() {
    let wat = r#"(module
      (global $g (export "g") (mut i64) (i64.const 5))
      (global $c (export "c") f32 (f32.const 1.5))
      (func (export "bump") (result i64)
        global.get $g i64.const 1 i64.add global.set $g global.get $g))"#;
    let (mut store, inst) = instantiate(&jit(), wat);
    let bump = inst
        .get_typed_func::<(), i64>(&store, "bump")
        .expect("bump");
    assert_eq!(bump.call(&mut store, ()).expect("bump"), 6);
    let g = inst.get_global(&store, "g").expect("g");
    assert_eq!(g.get(&store), Val::I64(6));
    g.set(&mut store, Val::I64(100)).expect("set");
    assert_eq!(bump.call(&mut store, ()).expect("bump"), 101);
    let c = inst.get_global(&store, "c").expect("c");
    assert_eq!(c.get(&store), Val::from(1.5f32));
}

#[test]
fn imported_globals_initialize_defined_ones() {
    let engine = jit();
    let module = wasmproof::Module::new(
        &engine,
        r#"(module
          (import "env" "base" (global $b i32))
          (global $d (export "d") i32 (global.get $b))
          (func (export "get") (result i32) global.get $b global.get $d i32.add))"#,
    )
    .expect("module");
    let mut store = wasmproof::Store::new(&engine, ());
    let base = wasmproof::Global::new(
        &mut store,
        wasmproof::GlobalType::new(wasmproof::ValType::I32, wasmproof::Mutability::Const),
        Val::I32(21),
    )
    .expect("global");
    let inst = wasmproof::Instance::new(&mut store, &module, &[base.into()]).expect("inst");
    let get = inst.get_typed_func::<(), i32>(&store, "get").expect("get");
    assert_eq!(get.call(&mut store, ()).expect("get"), 42);
}
