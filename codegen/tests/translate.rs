//! Wasm -> IR translation, checked by running the IR (`ir::eval`) and the
//! reference interpreter side by side on the same modules and inputs:
//! every numeric instruction on edge values and random ones, control flow,
//! calls, memory (with its bounds traps), globals, and the rejection of
//! unsupported proposals.

use oracle::{Extern, NumOp, TrapKind, ValType, Value};
use proptest::prelude::*;
use wasmproof_codegen::ir::eval::{EvalError, Instance, Val};
use wasmproof_codegen::ir::{Opcode, TrapCode, print_function, verify_function};
use wasmproof_codegen::translate::{
    TranslateErrorKind, TranslateOptions, TranslatedModule, translate_module,
};
use wasmproof_oracle as oracle;

fn trap_kind(code: TrapCode) -> TrapKind {
    match code {
        TrapCode::Unreachable => TrapKind::Unreachable,
        TrapCode::IntegerDivideByZero => TrapKind::IntegerDivideByZero,
        TrapCode::IntegerOverflow => TrapKind::IntegerOverflow,
        TrapCode::BadConversionToInteger => TrapKind::InvalidConversionToInteger,
        TrapCode::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        TrapCode::IndirectCallTypeMismatch => TrapKind::IndirectCallTypeMismatch,
        TrapCode::UndefinedElement => TrapKind::UndefinedElement,
        TrapCode::UninitializedElement => TrapKind::UninitializedElement,
        TrapCode::StackOverflow => TrapKind::CallStackExhausted,
        TrapCode::OutOfFuel => TrapKind::OutOfFuel,
        TrapCode::Interrupted => TrapKind::Interrupted,
    }
}

fn to_val(v: Value) -> Val {
    match v {
        Value::I32(x) => Val::I32(x as u32),
        Value::I64(x) => Val::I64(x as u64),
        Value::F32(b) => Val::F32(b),
        Value::F64(b) => Val::F64(b),
        other => panic!("not a number value: {other:?}"),
    }
}

/// Equal, where a NaN from the oracle may be any NaN (the spec allows a
/// set of NaNs; both engines must pick from it, not the same one).
///
/// The oracle returns a canonical NaN exactly when the spec allows only
/// canonical ones, an arithmetic NaN when it allows any arithmetic one, and
/// other NaNs only from bit-exact operations (neg, copysign, moves): the
/// IR must produce the same class (any sign), or the same bits.
fn same(oracle: Value, ours: Val) -> bool {
    use oracle::numerics::{
        is_arithmetic_nan_f32, is_arithmetic_nan_f64, is_canonical_nan_f32, is_canonical_nan_f64,
    };
    match (oracle, ours) {
        (Value::F32(a), Val::F32(b)) if is_canonical_nan_f32(a) => is_canonical_nan_f32(b),
        (Value::F32(a), Val::F32(b)) if is_arithmetic_nan_f32(a) => is_arithmetic_nan_f32(b),
        (Value::F64(a), Val::F64(b)) if is_canonical_nan_f64(a) => is_canonical_nan_f64(b),
        (Value::F64(a), Val::F64(b)) if is_arithmetic_nan_f64(a) => is_arithmetic_nan_f64(b),
        (o, v) => to_val(o) == v,
    }
}

/// Both engines instantiated from one module.
struct Pair {
    store: oracle::Store<()>,
    inst: oracle::InstanceAddr,
    module: &'static TranslatedModule,
}

fn translate(bytes: &[u8]) -> TranslatedModule {
    let t = translate_module(bytes, &TranslateOptions::default()).expect("module translates");
    for f in &t.functions {
        let f = f
            .as_ref()
            .unwrap_or_else(|e| panic!("translation failed: {e}"));
        if let Err(e) = verify_function(f) {
            panic!("{e}\n{}", print_function(f));
        }
    }
    t
}

impl Pair {
    fn new(wat: &str) -> Pair {
        let bytes = wat::parse_str(wat).expect("valid WAT");
        let module = oracle::Module::new(&bytes).expect("oracle accepts the module");
        let mut store = oracle::Store::new(());
        let inst = store
            .instantiate(&module, &[])
            .expect("oracle instantiates");
        // Leaked: one small module per test, and `Instance` borrows it.
        let module = Box::leak(Box::new(translate(&bytes)));
        Pair {
            store,
            inst,
            module,
        }
    }

    fn ours(&self) -> Instance<'static> {
        Instance::new(self.module).expect("IR instance")
    }

    /// Calls `name` on both (the IR on `ir`, kept across calls by the
    /// caller) and asserts they agree on results or trap kind.
    fn check(&mut self, ir: &mut Instance<'static>, name: &str, args: &[Value]) {
        let Some(Extern::Func(f)) = self.store.get_export(self.inst, name) else {
            panic!("no export {name}");
        };
        let expected = self.store.invoke(f, args);
        let ir_args: Vec<Val> = args.iter().map(|&a| to_val(a)).collect();
        let got = ir.invoke_export(name, &ir_args);
        match (&expected, &got) {
            (Ok(e), Ok(g)) if e.len() == g.len() && e.iter().zip(g).all(|(e, g)| same(*e, *g)) => {}
            (Err(t), Err(EvalError::Trap(code))) if t.kind == trap_kind(*code) => {}
            _ => {
                let func = self
                    .module
                    .info
                    .exported_func(name)
                    .and_then(|i| self.module.function(i));
                let ir_text = match func {
                    Some(Ok(f)) => print_function(f),
                    _ => String::new(),
                };
                panic!(
                    "{name}{args:?}: oracle {:?}, IR {got:?}\n{ir_text}",
                    expected.as_ref().map_err(|t| t.kind)
                );
            }
        }
    }

    /// Compares memory contents and the exported memory's size.
    fn check_memory(&self, ir: &Instance<'_>) {
        if let Some(Extern::Memory(m)) = self.store.get_export(self.inst, "mem") {
            assert!(
                self.store.memory_data(m) == ir.memory.as_slice(),
                "memories differ"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Every numeric instruction
// ---------------------------------------------------------------------------

fn edge_values(ty: ValType) -> Vec<Value> {
    match ty {
        ValType::I32 => [
            0i32,
            1,
            -1,
            2,
            7,
            31,
            32,
            33,
            0x7f,
            0x80,
            0xff,
            0x7fff,
            0x8000,
            0xffff,
            i32::MAX,
            i32::MIN,
            i32::MIN + 1,
            0x1234_5678,
        ]
        .iter()
        .map(|&x| Value::I32(x))
        .collect(),
        ValType::I64 => [
            0i64,
            1,
            -1,
            2,
            63,
            64,
            65,
            0x80,
            0x8000,
            0x8000_0000,
            0xffff_ffff,
            0x1_0000_0000,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
            i32::MIN as i64,
            0x1234_5678_9abc_def0,
        ]
        .iter()
        .map(|&x| Value::I64(x))
        .collect(),
        ValType::F32 => [
            0.0f32,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999997,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MAX,
            f32::MIN_POSITIVE,
            1e-45,
            2147483520.0,
            2147483648.0,
            -2147483648.0,
            -2147483904.0,
            4294967040.0,
            4294967296.0,
            9.223372e18,
            -9.223372e18,
            1.8446743e19,
            1e30,
            -0.99999994,
        ]
        .iter()
        .map(|&x| Value::F32(x.to_bits()))
        .chain([
            Value::F32(0x7fc0_0000),
            Value::F32(0xffa0_0001),
            Value::F32(0x7f80_0001),
        ])
        .collect(),
        ValType::F64 => [
            0.0f64,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            2147483647.9,
            2147483648.0,
            -2147483648.9,
            -2147483649.0,
            4294967295.9,
            4294967296.0,
            9223372036854775807.0,
            -9223372036854775808.0,
            -9223372036854777856.0,
            18446744073709549568.0,
            18446744073709551616.0,
            1e300,
            3.4028235677973366e38,
            -0.9999999999999999,
        ]
        .iter()
        .map(|&x| Value::F64(x.to_bits()))
        .chain([
            Value::F64(0x7ff8_0000_0000_0000),
            Value::F64(0xfff4_0000_0000_0001),
        ])
        .collect(),
        _ => vec![],
    }
}

fn type_name(ty: ValType) -> &'static str {
    match ty {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        _ => "?",
    }
}

/// One exported function per numeric instruction, named by its index.
fn numeric_module() -> String {
    let mut wat = String::from("(module\n");
    for (i, op) in NumOp::ALL.iter().enumerate() {
        let t = type_name(op.operand_type());
        let params = vec![t; op.arity()].join(" ");
        let gets: String = (0..op.arity()).map(|k| format!("local.get {k} ")).collect();
        wat.push_str(&format!(
            "  (func (export \"op{i}\") (param {params}) (result {}) {gets}{})\n",
            type_name(op.result_type()),
            op.name()
        ));
    }
    wat.push(')');
    wat
}

#[test]
fn every_numeric_instruction_on_edge_values() {
    let mut pair = Pair::new(&numeric_module());
    let mut ir = pair.ours();
    let mut checked = 0;
    for (i, op) in NumOp::ALL.iter().enumerate() {
        let name = format!("op{i}");
        let edges = edge_values(op.operand_type());
        if op.arity() == 1 {
            for &x in &edges {
                pair.check(&mut ir, &name, &[x]);
                checked += 1;
            }
        } else {
            for &x in &edges {
                for &y in &edges {
                    pair.check(&mut ir, &name, &[x, y]);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 30_000, "{checked}");
}

fn any_value(ty: ValType) -> BoxedStrategy<Value> {
    match ty {
        ValType::I32 => any::<i32>().prop_map(Value::I32).boxed(),
        ValType::I64 => any::<i64>().prop_map(Value::I64).boxed(),
        // Raw bits: every NaN payload, subnormal and infinity can occur.
        ValType::F32 => prop_oneof![
            any::<u32>(),
            any::<f32>().prop_map(f32::to_bits),
            (-1e10f32..1e10).prop_map(f32::to_bits)
        ]
        .prop_map(Value::F32)
        .boxed(),
        _ => prop_oneof![
            any::<u64>(),
            any::<f64>().prop_map(f64::to_bits),
            (-1e20f64..1e20).prop_map(f64::to_bits)
        ]
        .prop_map(Value::F64)
        .boxed(),
    }
}

fn op_and_args() -> impl Strategy<Value = (usize, Vec<Value>)> {
    (0..NumOp::ALL.len()).prop_flat_map(|i| {
        let op = NumOp::ALL[i];
        (
            Just(i),
            proptest::collection::vec(any_value(op.operand_type()), op.arity()),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn every_numeric_instruction_on_random_values((i, args) in op_and_args()) {
        thread_local! {
            static PAIR: std::cell::RefCell<Option<(Pair, Instance<'static>)>> =
                const { std::cell::RefCell::new(None) };
        }
        PAIR.with(|p| {
            let mut p = p.borrow_mut();
            let (pair, ir) = p.get_or_insert_with(|| {
                let pair = Pair::new(&numeric_module());
                let ir = pair.ours();
                (pair, ir)
            });
            pair.check(ir, &format!("op{i}"), &args);
        });
    }
}

/// Each IR numeric opcode is produced by some Wasm instruction above.
#[test]
fn numeric_module_uses_every_computational_opcode() {
    let pair = Pair::new(&numeric_module());
    let mut seen = std::collections::HashSet::new();
    for f in pair.module.functions.iter().flatten() {
        for inst in &f.insts {
            seen.insert(inst.opcode);
        }
    }
    use wasmproof_codegen::ir::OpClass;
    for op in Opcode::ALL {
        let computational = matches!(
            op.class(),
            OpClass::IntUnary
                | OpClass::IntBinary
                | OpClass::IntBinaryTrapping
                | OpClass::FloatUnary
                | OpClass::FloatBinary
                | OpClass::Compare
                | OpClass::Convert
                | OpClass::ConvertTrapping
        );
        if computational {
            assert!(seen.contains(op), "{op} is never produced");
        }
    }
}

// ---------------------------------------------------------------------------
// Control flow, calls, memory, globals
// ---------------------------------------------------------------------------

const PROGRAMS: &str = r#"
(module
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (memory (export "mem") 1 3)
  (data (i32.const 16) "\01\02\03\04\05\06\07\08\f0\f1\f2\f3\f4\f5\f6\f7")
  (global $counter (mut i32) (i32.const 0))
  (global $g64 (mut i64) (i64.const -5))
  (table 4 funcref)
  (elem (i32.const 0) $double $fact_loop $nothing)

  (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func $nothing (type $v))

  (func $fact_loop (export "fact_loop") (type $ii) (local $acc i32)
    (local.set $acc (i32.const 1))
    (block $done
      (loop $top
        (br_if $done (i32.le_s (local.get 0) (i32.const 1)))
        (local.set $acc (i32.mul (local.get $acc) (local.get 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $top)))
    (local.get $acc))

  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))

  (func (export "switch") (param i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (local.get 0)))
      (return (i32.const 100)))
      (return (i32.const 101)))
      (return (i32.const 102)))
    (i32.const 103))

  (func (export "switch_values") (param i32) (result i32)
    (block $out (result i32)
      (block $x (result i32)
        (br_table $x $out $x (i32.const 7) (local.get 0)))
      (i32.add (i32.const 1000)))
    (i32.add (i32.const 1)))

  (func (export "br_table_return") (param i32) (result i32)
    (block $a (result i32) (br_table $a 1 (i32.const 5) (local.get 0)))
    (i32.const 9)
    (i32.add)
    (br_table 0 0 (local.get 0)))

  (func (export "nested_br") (param i32) (result i32) (local i32)
    (block $outer (result i32)
      (block $inner
        (local.set 1 (i32.const 10))
        (br_if $inner (i32.eqz (local.get 0)))
        (local.set 1 (i32.const 20))
        (br $outer (i32.add (local.get 1) (i32.const 1)))
        (drop (i32.div_s (i32.const 1) (i32.const 0))))
      (local.get 1)))

  (func (export "if_params") (param i32) (result i32)
    (i32.const 40)
    (i32.const 2)
    (local.get 0)
    (if (param i32 i32) (result i32)
      (then (i32.add))
      (else (i32.sub))))

  (func (export "if_no_else") (param i32) (result i32) (local i32)
    (local.set 1 (i32.const 3))
    (if (local.get 0) (then (local.set 1 (i32.const 4))))
    (local.get 1))

  (func (export "if_param_no_else") (param i32) (result i32)
    (i32.const 7)
    (local.get 0)
    (if (param i32) (result i32) (then (i32.const 100) (i32.add))))

  (func $pair (export "pair") (param i32) (result i32 i64)
    (local.get 0)
    (i64.extend_i32_s (local.get 0)))

  (func (export "multi") (param i32) (result i64)
    (local $a i32) (local $b i64)
    (call $pair (local.get 0))
    (block (param i32 i64) (result i64)
      (local.set $b)
      (local.set $a)
      (i64.add (i64.extend_i32_u (local.get $a)) (local.get $b))))

  (func (export "loop_params") (param i32) (result i32)
    ;; sums 1..n with the running values carried as loop parameters
    (i32.const 0) (local.get 0)
    (loop $l (param i32 i32) (result i32)
      (local.set 0)
      (i32.add (local.get 0))
      (local.get 0)
      (i32.sub (i32.const 1))
      (local.tee 0)
      (br_if $l (i32.gt_s (local.get 0) (i32.const 0)))
      (drop)))

  (func (export "early_return") (param i32) (result i32)
    (loop $l
      (if (i32.gt_u (local.get 0) (i32.const 100)) (then (return (local.get 0))))
      (local.set 0 (i32.add (local.get 0) (i32.const 37)))
      (br $l))
    (i32.const -1))

  (func (export "br_if_return") (param i32) (result i32)
    (br_if 0 (i32.const 55) (local.get 0))
    (drop)
    (i32.const 66))

  (func (export "dead_code") (param i32) (result i32)
    (block (result i32)
      (br 0 (local.get 0))
      (i32.add)
      (if (then (unreachable)) (else (nop)))
      (loop (br 0)))
    (return)
    (drop (i32.const 1)))

  (func (export "trap_unreachable") (param i32) (result i32)
    (if (local.get 0) (then (unreachable)))
    (i32.const 1))

  (func (export "select") (param i32 i64 i64) (result i64)
    (select (local.get 1) (local.get 2) (local.get 0)))

  (func (export "select_typed") (param i32 f32 f32) (result f32)
    (select (result f32) (local.get 1) (local.get 2) (local.get 0)))

  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 1) (local.get 0)))

  (func (export "globals") (param i32) (result i32)
    (global.set $counter (i32.add (global.get $counter) (local.get 0)))
    (global.set $g64 (i64.mul (global.get $g64) (i64.const 3)))
    (i32.add (global.get $counter) (i32.wrap_i64 (global.get $g64))))

  (func (export "load_all") (param i32) (result i64)
    (i64.add
      (i64.add (i64.extend_i32_u (i32.load (local.get 0)))
               (i64.load offset=3 (local.get 0)))
      (i64.add
        (i64.add (i64.extend_i32_s (i32.load8_s (local.get 0)))
                 (i64.extend_i32_u (i32.load8_u offset=1 (local.get 0))))
        (i64.add
          (i64.add (i64.extend_i32_s (i32.load16_s (local.get 0)))
                   (i64.extend_i32_u (i32.load16_u offset=2 (local.get 0))))
          (i64.add
            (i64.add (i64.load8_s (local.get 0)) (i64.load8_u (local.get 0)))
            (i64.add
              (i64.add (i64.load16_s (local.get 0)) (i64.load16_u (local.get 0)))
              (i64.add (i64.load32_s (local.get 0)) (i64.load32_u (local.get 0)))))))))

  (func (export "load_floats") (param i32) (result f64)
    (f64.add (f64.promote_f32 (f32.load (local.get 0))) (f64.load offset=1 (local.get 0))))

  (func (export "store_all") (param i32 i64)
    (i64.store (local.get 0) (local.get 1))
    (i32.store offset=8 (local.get 0) (i32.wrap_i64 (local.get 1)))
    (i32.store8 offset=12 (local.get 0) (i32.wrap_i64 (local.get 1)))
    (i32.store16 offset=13 (local.get 0) (i32.wrap_i64 (local.get 1)))
    (i64.store8 offset=15 (local.get 0) (local.get 1))
    (i64.store16 offset=16 (local.get 0) (local.get 1))
    (i64.store32 offset=18 (local.get 0) (local.get 1))
    (f32.store offset=22 (local.get 0) (f32.convert_i64_s (local.get 1)))
    (f64.store offset=26 (local.get 0) (f64.convert_i64_u (local.get 1))))

  (func (export "load_big_offset") (param i32) (result i32)
    (i32.load offset=4294967295 (local.get 0)))

  (func (export "grow") (param i32) (result i32)
    (i32.add (i32.mul (memory.grow (local.get 0)) (i32.const 1000)) (memory.size)))

  (func (export "div_rem") (param i32 i32) (result i32)
    (i32.add (i32.div_s (local.get 0) (local.get 1))
             (i32.rem_u (local.get 0) (local.get 1))))
)
"#;

#[test]
fn control_flow_calls_memory_globals() {
    let mut pair = Pair::new(PROGRAMS);
    let mut ir = pair.ours();
    let i = Value::I32;
    let small = [-1, 0, 1, 2, 3, 4, 5, 10, 255];
    for name in [
        "fact_loop",
        "switch",
        "switch_values",
        "br_table_return",
        "nested_br",
        "if_params",
        "if_no_else",
        "if_param_no_else",
        "multi",
        "loop_params",
        "early_return",
        "br_if_return",
        "dead_code",
        "trap_unreachable",
    ] {
        for &x in &small {
            pair.check(&mut ir, name, &[i(x)]);
        }
    }
    for x in 0..15 {
        pair.check(&mut ir, "fib", &[i(x)]);
    }
    for c in [0, 1, -7] {
        pair.check(&mut ir, "select", &[i(c), Value::I64(5), Value::I64(-9)]);
        pair.check(
            &mut ir,
            "select_typed",
            &[i(c), Value::F32(1.5f32.to_bits()), Value::F32(0x7fc0_0001)],
        );
    }
    // call_indirect: good entry, wrong signature, null entry, out of range.
    for (idx, arg) in [(0, 21), (1, 5), (2, 0), (3, 0), (4, 0), (-1, 0)] {
        pair.check(&mut ir, "indirect", &[i(idx), i(arg)]);
    }
    for x in [1, 2, 3, -10] {
        pair.check(&mut ir, "globals", &[i(x)]);
    }
    // Every address near the end of the 64 KiB page, and some far beyond.
    for addr in (0..24).chain(65520..65540).chain([-1, -8, 0x7fff_ffff]) {
        pair.check(&mut ir, "load_all", &[i(addr)]);
        pair.check(&mut ir, "load_floats", &[i(addr)]);
        pair.check(&mut ir, "load_big_offset", &[i(addr)]);
        pair.check(
            &mut ir,
            "store_all",
            &[i(addr), Value::I64(0x0123_4567_89ab_cdef ^ i64::from(addr))],
        );
        pair.check_memory(&ir);
    }
    for (a, b) in [
        (7, 2),
        (-7, 2),
        (1, 0),
        (i32::MIN, -1),
        (i32::MIN, 1),
        (0, -1),
    ] {
        pair.check(&mut ir, "div_rem", &[i(a), i(b)]);
    }
    // Grow within the maximum, beyond it, then touch the new page.
    for d in [0, 1, 5, 1, 0] {
        pair.check(&mut ir, "grow", &[i(d)]);
    }
    for addr in [65536, 131068, 131069, 196604, 196605] {
        pair.check(&mut ir, "load_all", &[i(addr)]);
        pair.check(&mut ir, "store_all", &[i(addr), Value::I64(-1)]);
    }
    pair.check_memory(&ir);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn programs_on_random_inputs(x in any::<i32>(), y in any::<i32>(), z in any::<i64>()) {
        let mut pair = Pair::new(PROGRAMS);
        let mut ir = pair.ours();
        let i = Value::I32;
        for name in ["switch", "switch_values", "br_table_return", "nested_br", "if_params",
                     "if_no_else", "multi", "early_return", "br_if_return", "dead_code"] {
            pair.check(&mut ir, name, &[i(x)]);
        }
        pair.check(&mut ir, "fact_loop", &[i(x % 20)]);
        pair.check(&mut ir, "loop_params", &[i(x % 1000)]);
        pair.check(&mut ir, "indirect", &[i(y % 5), i(x % 20)]);
        pair.check(&mut ir, "div_rem", &[i(x), i(y)]);
        pair.check(&mut ir, "div_rem", &[i(x), i(y % 4)]);
        pair.check(&mut ir, "select", &[i(y), Value::I64(z), Value::I64(!z)]);
        pair.check(&mut ir, "load_all", &[i(x)]);
        pair.check(&mut ir, "load_all", &[i(x & 0xffff)]);
        pair.check(&mut ir, "store_all", &[i(y & 0xffff), Value::I64(z)]);
        pair.check(&mut ir, "load_floats", &[i(y & 0xffff)]);
        pair.check_memory(&ir);
    }
}

// ---------------------------------------------------------------------------
// The IR itself: printing, verification, instrumentation
// ---------------------------------------------------------------------------

#[test]
fn printed_ir_shows_block_params_and_traps() {
    let bytes = wat::parse_str(
        r#"(module (memory 1)
             (func (param i32) (result i32)
               (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
               (i32.load offset=8 (local.get 0))))"#,
    )
    .expect("wat");
    let t = translate(&bytes);
    let f = t.functions[0].as_ref().expect("translated");
    let text = print_function(f);
    assert!(text.contains("function func0(i32) -> (i32)"), "{text}");
    assert!(text.contains("heap_addr.i64 offset=8 size=4"), "{text}");
    assert!(text.contains("load.i32 u32"), "{text}");
    // The loop changes local 0, so its header carries it.
    assert!(text.contains("block1(v1: i32):"), "{text}");
    assert!(text.contains("brif"), "{text}");
}

#[test]
fn verifier_rejects_malformed_ir() {
    use wasmproof_codegen::ir::{FunctionBuilder, Signature, Type};
    // A use not dominated by its definition.
    let mut b = FunctionBuilder::new(
        "bad",
        Signature {
            params: vec![Type::I32],
            results: vec![Type::I32],
        },
    );
    let p = b.block_params(b.current_block())[0];
    let then_b = b.create_block();
    let else_b = b.create_block();
    let join = b.create_block();
    b.brif(
        p,
        wasmproof_codegen::ir::BlockCall {
            block: then_b,
            args: vec![],
        },
        wasmproof_codegen::ir::BlockCall {
            block: else_b,
            args: vec![],
        },
    );
    b.switch_to(then_b);
    let x = b.iconst(Type::I32, 1);
    b.jump(join, vec![]);
    b.switch_to(else_b);
    b.jump(join, vec![]);
    b.switch_to(join);
    b.ret(vec![x]);
    let err = verify_function(&b.finish()).expect_err("must be rejected");
    assert!(err.message.contains("not dominated"), "{err}");

    // Wrong operand type and wrong branch arity.
    let mut b = FunctionBuilder::new(
        "bad2",
        Signature {
            params: vec![Type::I64],
            results: vec![],
        },
    );
    let p = b.block_params(b.current_block())[0];
    let c = b.iconst(Type::I32, 1);
    b.binary(Opcode::Iadd, c, p);
    b.ret(vec![]);
    assert!(verify_function(&b.finish()).is_err());

    let mut b = FunctionBuilder::new("bad3", Signature::default());
    let target = b.create_block();
    b.append_block_param(target, Type::I32);
    b.jump(target, vec![]);
    b.switch_to(target);
    b.ret(vec![]);
    let err = verify_function(&b.finish()).expect_err("arity");
    assert!(err.message.contains("arguments to block1"), "{err}");
}

#[test]
fn fuel_checks_at_entry_and_loop_headers() {
    let bytes = wat::parse_str(
        r#"(module (func (export "spin") (param i32)
             (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))"#,
    )
    .expect("wat");
    let opts = TranslateOptions {
        fuel_checks: true,
        epoch_checks: true,
    };
    let t = translate_module(&bytes, &opts).expect("translates");
    let f = t.functions[0].as_ref().expect("ok");
    let fuel = f
        .insts
        .iter()
        .filter(|i| i.opcode == Opcode::FuelCheck)
        .count();
    let epoch = f
        .insts
        .iter()
        .filter(|i| i.opcode == Opcode::EpochCheck)
        .count();
    assert_eq!((fuel, epoch), (2, 2));
    let mut inst = Instance::new(&t).expect("instance");
    inst.fuel = Some(10);
    assert_eq!(inst.invoke_export("spin", &[Val::I32(5)]), Ok(vec![]));
    inst.fuel = Some(10);
    assert_eq!(
        inst.invoke_export("spin", &[Val::I32(50)]),
        Err(EvalError::Trap(TrapCode::OutOfFuel))
    );
}

// ---------------------------------------------------------------------------
// Unsupported proposals
// ---------------------------------------------------------------------------

fn unsupported(wat: &str) -> (String, &'static str, Option<u32>) {
    let bytes = wat::parse_str(wat).expect("wat");
    let t = translate_module(&bytes, &TranslateOptions::default()).expect("module-level ok");
    let err = t
        .functions
        .into_iter()
        .find_map(Result::err)
        .expect("a function fails");
    match err.kind {
        TranslateErrorKind::Unsupported { operator, proposal } => {
            (operator, proposal, err.func_index)
        }
        other => panic!("expected unsupported, got {other:?}"),
    }
}

#[test]
fn unsupported_operators_are_named() {
    let (op, prop, func) = unsupported(
        r#"(module (memory 1) (func) (func (memory.copy (i32.const 0) (i32.const 1) (i32.const 2))))"#,
    );
    assert_eq!(
        (op.as_str(), prop, func),
        ("MemoryCopy", "bulk_memory", Some(1))
    );
    let (op, prop, _) =
        unsupported(r#"(module (table 1 funcref) (func (result i32) (table.size 0)))"#);
    assert_eq!((op.as_str(), prop), ("TableSize", "reference_types"));
    let (op, prop, _) =
        unsupported(r#"(module (func (result i32) (ref.is_null (ref.null func))))"#);
    assert_eq!((op.as_str(), prop), ("RefNull", "reference_types"));
    let (op, prop, _) = unsupported(
        r#"(module (func (result i32) (i32x4.extract_lane 0 (v128.const i64x2 1 2))))"#,
    );
    assert_eq!((op.as_str(), prop), ("V128Const", "simd"));
    // Also inside dead code: the module still needs the operator.
    let (op, _, _) =
        unsupported(r#"(module (table 1 funcref) (func (return) (drop (table.size 0))))"#);
    assert_eq!(op, "TableSize");
    // An import from the host translates (calls are IR `call`s).
    let bytes = wat::parse_str(
        r#"(module (import "env" "f" (func $f (param i32))) (func (call $f (i32.const 1))))"#,
    )
    .expect("wat");
    let t = translate_module(&bytes, &TranslateOptions::default()).expect("ok");
    assert!(t.functions[0].is_ok());
    // And a malformed module is an error, not a panic.
    let err = translate_module(b"\0asm\x01\0\0\0\x01\x05", &TranslateOptions::default())
        .expect_err("malformed");
    assert!(matches!(err.kind, TranslateErrorKind::Invalid(_)), "{err}");
}
