//! The trust chain's first link: every IR numeric spec in
//! `isle-rules/ir.isle`, evaluated on concrete inputs through the verifier
//! (`wasmproof_verifier::concrete`, the same SMT encoding the proofs use),
//! agrees with the reference interpreter's `NumOp::eval` for the Wasm
//! instruction the translator maps to that term — results, NaN classes and
//! trap codes — on edge values and random ones.

use std::collections::HashMap;
use std::path::PathBuf;

use proptest::prelude::*;
use wasmproof_codegen::ir::{Opcode, TrapCode};
use wasmproof_oracle::{NumOp, TrapKind, ValType, Value};
use wasmproof_verifier::ModelValue;
use wasmproof_verifier::concrete::{ConcreteValue, Evaluator, bv, ty, variant};

fn ir_isle() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../isle-rules/ir.isle")
}

/// The types ir.isle shares with the x64 specs; loaded with it everywhere.
fn prelude_isle() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../isle-rules/prelude.isle")
}

fn evaluator() -> Evaluator {
    Evaluator::new(&[prelude_isle(), ir_isle()]).expect("prelude.isle + ir.isle load")
}

/// Evaluators by the signature they pin down (see [`Evaluators::get`]).
struct Evaluators {
    prelude: String,
    text: String,
    plain: Evaluator,
    pinned: HashMap<(String, usize, usize), Evaluator>,
}

impl Evaluators {
    fn new() -> Evaluators {
        Evaluators {
            prelude: std::fs::read_to_string(prelude_isle()).expect("prelude.isle"),
            text: std::fs::read_to_string(ir_isle()).expect("ir.isle"),
            plain: evaluator(),
            pinned: HashMap::new(),
        }
    }

    /// `concrete::Evaluator` types a term at its first fitting
    /// instantiation, and the conversions' instantiations differ only in
    /// the result width. For those, evaluate against a copy of `ir.isle`
    /// whose `instantiate` line lists just the signature under test (the
    /// specs themselves are untouched).
    fn get(&mut self, term: &str, arg_w: usize, res_w: usize) -> &mut Evaluator {
        let form = match term {
            "sextend" => "sextend_forms",
            t if t.starts_with("fcvt_") => "convert_any",
            _ => return &mut self.plain,
        };
        let text = &self.text;
        let prelude = &self.prelude;
        self.pinned
            .entry((term.to_string(), arg_w, res_w))
            .or_insert_with(|| {
                let from = format!("(instantiate {term} {form})");
                assert!(text.contains(&from), "{from} not in ir.isle");
                let extra = if term == "sextend" { "(bv 8) " } else { "" };
                let to = format!(
                    "(instantiate {term} ((args (named Type) {extra}(bv {arg_w})) (ret (bv {res_w}))))"
                );
                let pinned = text.replace(&from, &to);
                Evaluator::from_sources(&[("prelude.isle", prelude), ("ir.isle", &pinned)])
                    .expect("pinned ir.isle loads")
            })
    }
}

fn width(t: ValType) -> usize {
    match t {
        ValType::I32 | ValType::F32 => 32,
        _ => 64,
    }
}

fn bits(v: Value) -> u128 {
    match v {
        Value::I32(x) => u128::from(x as u32),
        Value::I64(x) => u128::from(x as u64),
        Value::F32(b) => u128::from(b),
        Value::F64(b) => u128::from(b),
        other => panic!("not a number: {other:?}"),
    }
}

const INT_CC: [&str; 10] = [
    "eq", "ne", "lt_s", "gt_s", "le_s", "ge_s", "lt_u", "gt_u", "le_u", "ge_u",
];
const FLOAT_CC: [&str; 6] = ["eq", "ne", "lt", "gt", "le", "ge"];

/// The `ir.isle` term the translator uses for `op` and its spec arguments.
fn spec_call(op: NumOp, args: &[Value]) -> (&'static str, Vec<ConcreteValue>) {
    let name = op.name();
    let (_, mnemonic) = name.split_once('.').expect("type.mnemonic");
    let res_w = width(op.result_type()) as i128;
    let operands: Vec<ConcreteValue> = args.iter().map(|&a| bv(width(a.ty()), bits(a))).collect();
    let w = width(op.operand_type());
    let with_ty = |term: &'static str| {
        let mut v = vec![ty(res_w)];
        v.extend(operands.iter().cloned());
        (term, v)
    };
    if mnemonic == "eqz" {
        return (
            "icmp",
            vec![ty(32), variant(0), operands[0].clone(), bv(w, 0)],
        );
    }
    if op.arity() == 2 && op.result_type() == ValType::I32 && op.operand_type() != op.result_type()
        || matches!(op.operand_type(), ValType::I32 | ValType::I64)
            && op.arity() == 2
            && INT_CC.contains(&mnemonic)
    {
        let is_int = matches!(op.operand_type(), ValType::I32 | ValType::I64);
        let (term, table): (&str, &[&str]) = if is_int {
            ("icmp", &INT_CC)
        } else {
            ("fcmp", &FLOAT_CC)
        };
        let k = table
            .iter()
            .position(|c| *c == mnemonic)
            .expect("condition");
        let mut v = vec![ty(32), variant(k as i128)];
        v.extend(operands);
        return (term, v);
    }
    if op.arity() == 2 && FLOAT_CC.contains(&mnemonic) {
        let k = FLOAT_CC
            .iter()
            .position(|c| *c == mnemonic)
            .expect("condition");
        let mut v = vec![ty(32), variant(k as i128)];
        v.extend(operands);
        return ("fcmp", v);
    }
    let float = matches!(op.operand_type(), ValType::F32 | ValType::F64);
    let term: &'static str = match mnemonic {
        "add" if float => "fadd",
        "sub" if float => "fsub",
        "mul" if float => "fmul",
        "div" => "fdiv",
        "add" => "iadd",
        "sub" => "isub",
        "mul" => "imul",
        "div_s" => "sdiv",
        "div_u" => "udiv",
        "rem_s" => "srem",
        "rem_u" => "urem",
        "and" => "band",
        "or" => "bor",
        "xor" => "bxor",
        "shl" => "ishl",
        "shr_s" => "sshr",
        "shr_u" => "ushr",
        "rotl" => "rotl",
        "rotr" => "rotr",
        "clz" => "clz",
        "ctz" => "ctz",
        "popcnt" => "popcnt",
        "abs" => "fabs",
        "neg" => "fneg",
        "sqrt" => "sqrt",
        "ceil" => "ceil",
        "floor" => "floor",
        "trunc" => "trunc",
        "nearest" => "nearest",
        "min" => "fmin",
        "max" => "fmax",
        "copysign" => "fcopysign",
        "wrap_i64" => "ireduce",
        "extend_i32_u" => "uextend",
        "promote_f32" => "fpromote",
        "demote_f64" => "fdemote",
        m if m.starts_with("reinterpret") => "bitcast",
        m if m.starts_with("trunc_sat") && m.ends_with("_s") => "fcvt_to_sint_sat",
        m if m.starts_with("trunc_sat") => "fcvt_to_uint_sat",
        m if m.starts_with("trunc") && m.ends_with("_s") => "fcvt_to_sint",
        m if m.starts_with("trunc") => "fcvt_to_uint",
        m if m.starts_with("convert") && m.ends_with("_s") => "fcvt_from_sint",
        m if m.starts_with("convert") => "fcvt_from_uint",
        m if m.starts_with("extend") => {
            // extend8_s, extend16_s, extend32_s, extend_i32_s
            let from = if m.contains('8') {
                8
            } else if m.contains("16") {
                16
            } else {
                32
            };
            return ("sextend", vec![ty(res_w), bv(8, from), operands[0].clone()]);
        }
        other => panic!("no IR term for {other}"),
    };
    with_ty(term)
}

/// The IR trap code of a Wasm trap (what `ir_trap` must be).
fn code(kind: TrapKind) -> u128 {
    let c = match kind {
        TrapKind::IntegerDivideByZero => TrapCode::IntegerDivideByZero,
        TrapKind::IntegerOverflow => TrapCode::IntegerOverflow,
        TrapKind::InvalidConversionToInteger => TrapCode::BadConversionToInteger,
        other => panic!("numeric op trapped with {other:?}"),
    };
    c as u128
}

fn is_nan(v: &ModelValue) -> bool {
    match *v {
        ModelValue::BitVec { width: 32, bits } => f32::from_bits(bits as u32).is_nan(),
        ModelValue::BitVec { width: 64, bits } => f64::from_bits(bits as u64).is_nan(),
        _ => false,
    }
}

/// Evaluates `op`'s spec on `args` and compares with the oracle.
fn check(evs: &mut Evaluators, op: NumOp, args: &[Value]) {
    let (term, spec_args) = spec_call(op, args);
    let ev = evs.get(term, width(op.operand_type()), width(op.result_type()));
    let out = ev
        .eval(term, &spec_args)
        .unwrap_or_else(|e| panic!("{term} on {spec_args:?}: {e}"));
    let trap = out.state_value("ir_trap").cloned();
    let ctx = || format!("{} {args:?} (spec {term}): {out:?}", op.name());
    match op.eval(args) {
        Err(kind) => {
            assert_eq!(trap, Some(bv(8, code(kind))), "{}", ctx());
        }
        Ok(expected) => {
            if let Some(t) = &trap {
                assert_eq!(*t, bv(8, 0), "unexpected trap: {}", ctx());
            }
            let result = out
                .result
                .clone()
                .unwrap_or_else(|| panic!("no result: {}", ctx()));
            let want = bv(width(expected.ty()), bits(expected));
            if is_nan(&want) {
                assert!(is_nan(&result), "expected a NaN: {}", ctx());
                if let Some((alt, _)) = &out.alternative {
                    assert!(
                        is_nan(alt),
                        "a NaN result may be any NaN, not a number: {}",
                        ctx()
                    );
                }
            } else {
                assert_eq!(result, want, "{}", ctx());
                // Another outcome may differ only in state the op does
                // not touch (e.g. the memory size).
                if let Some((alt, alt_state)) = &out.alternative {
                    let alt_trap = alt_state
                        .iter()
                        .find(|b| b.name == "ir_trap")
                        .map(|b| &b.value);
                    assert!(
                        *alt == want && alt_trap == trap.as_ref(),
                        "result not determined: {}",
                        ctx()
                    );
                }
            }
        }
    }
}

fn edge_values(t: ValType) -> Vec<Value> {
    match t {
        ValType::I32 => [0i32, 1, -1, 31, 32, 33, i32::MIN, i32::MAX, 0x0f0f_0f80]
            .map(Value::I32)
            .to_vec(),
        ValType::I64 => [
            0i64,
            1,
            -1,
            63,
            64,
            i64::MIN,
            i64::MAX,
            0x8000_0000,
            0x0f0f_0f0f_0f0f_0f80,
        ]
        .map(Value::I64)
        .to_vec(),
        ValType::F32 => [
            0.0f32,
            -0.0,
            1.5,
            -2.5,
            2147483648.0,
            -2147483904.0,
            4294967296.0,
            f32::INFINITY,
            1e-45,
        ]
        .map(|f| Value::F32(f.to_bits()))
        .into_iter()
        .chain([Value::F32(0x7fc0_0000), Value::F32(0xff80_0001)])
        .collect(),
        _ => [
            0.0f64,
            -0.0,
            2.5,
            -0.5,
            2147483647.9,
            -2147483649.0,
            9223372036854775808.0,
            f64::NEG_INFINITY,
            5e-324,
        ]
        .map(|f| Value::F64(f.to_bits()))
        .into_iter()
        .chain([
            Value::F64(0x7ff8_0000_0000_0000),
            Value::F64(0x7ff0_0000_0000_0001),
        ])
        .collect(),
    }
}

#[test]
fn every_numeric_spec_matches_the_interpreter_on_edge_values() {
    let mut ev = Evaluators::new();
    for &op in NumOp::ALL {
        let edges = edge_values(op.operand_type());
        if op.arity() == 1 {
            for &x in &edges {
                check(&mut ev, op, &[x]);
            }
        } else {
            // Each edge value against a few partners, both ways round.
            for (i, &x) in edges.iter().enumerate() {
                for &y in [edges[0], edges[(i + 3) % edges.len()], x].iter() {
                    check(&mut ev, op, &[x, y]);
                    check(&mut ev, op, &[y, x]);
                }
            }
        }
    }
}

fn any_value(t: ValType) -> BoxedStrategy<Value> {
    match t {
        ValType::I32 => any::<i32>().prop_map(Value::I32).boxed(),
        ValType::I64 => any::<i64>().prop_map(Value::I64).boxed(),
        ValType::F32 => prop_oneof![any::<u32>(), (-1e10f32..1e10).prop_map(f32::to_bits)]
            .prop_map(Value::F32)
            .boxed(),
        _ => prop_oneof![any::<u64>(), (-1e20f64..1e20).prop_map(f64::to_bits)]
            .prop_map(Value::F64)
            .boxed(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn every_numeric_spec_matches_the_interpreter_on_random_values(
        (op, args) in (0..NumOp::ALL.len()).prop_flat_map(|i| {
            let op = NumOp::ALL[i];
            (Just(op), proptest::collection::vec(any_value(op.operand_type()), op.arity()))
        })
    ) {
        thread_local! {
            static EV: std::cell::RefCell<Option<Evaluators>> = const { std::cell::RefCell::new(None) };
        }
        EV.with(|ev| {
            let mut ev = ev.borrow_mut();
            check(ev.get_or_insert_with(Evaluators::new), op, &args);
        });
    }
}

/// Every opcode of the IR is a term declared in `ir.isle`, and has a spec.
#[test]
fn every_opcode_is_an_ir_isle_term_with_a_spec() {
    let text = std::fs::read_to_string(ir_isle()).expect("ir.isle");
    for op in Opcode::ALL {
        let name = op.name();
        assert!(
            text.contains(&format!("(decl {name} (")),
            "no decl for {name}"
        );
        assert!(
            text.contains(&format!("(spec ({name} ")) || text.contains(&format!("(spec ({name})")),
            "no spec for {name}"
        );
    }
}

/// The non-numeric trapping terms: the bounds check and explicit traps.
#[test]
fn heap_addr_and_trap_specs() {
    let mut ev = evaluator();
    let out = ev
        .eval("trapnz", &[ty(32), bv(8, 5), bv(32, 7)])
        .expect("trapnz");
    assert_eq!(out.state_value("ir_trap"), Some(&bv(8, 5)));
    let out = ev
        .eval("trapnz", &[ty(64), bv(8, 5), bv(64, 0)])
        .expect("trapnz");
    assert_eq!(out.state_value("ir_trap"), Some(&bv(8, 0)));
    let out = ev.eval("trap", &[bv(8, 1)]).expect("trap");
    assert_eq!(out.state_value("ir_trap"), Some(&bv(8, 1)));
    // heap_addr's trap depends on the memory size (state): see
    // `heap_addr_matches_the_bounds_check`.
    let out = ev
        .eval("heap_addr", &[bv(64, 16), bv(8, 4), bv(32, 0x8000_0000)])
        .expect("heap_addr");
    assert!(out.result.is_some(), "{out:?}");
}

/// `ir.isle` with read-only states pinned (`(state NAME (type T) (default
/// true))` becomes `(default (= NAME VALUE))`), so a spec that reads them
/// can be evaluated on concrete memory.
fn pinned_evaluator(pins: &[(&str, &str, u64)]) -> Evaluator {
    pinned_evaluator_with(pins, "", "")
}

/// [`pinned_evaluator`], with `from` (which must occur) replaced by `to` in
/// ir.isle: to keep one `instantiate` signature where the evaluator would
/// pick the first (see [`Evaluators::get`]).
fn pinned_evaluator_with(pins: &[(&str, &str, u64)], from: &str, to: &str) -> Evaluator {
    let mut prelude = std::fs::read_to_string(prelude_isle()).expect("prelude.isle");
    let mut ir = std::fs::read_to_string(ir_isle()).expect("ir.isle");
    if !from.is_empty() {
        assert!(ir.contains(from), "{from} not in ir.isle");
        ir = ir.replace(from, to);
    }
    for (name, sort, value) in pins {
        let free = format!("(state {name} (type {sort}) (default true))");
        let pinned = format!("(state {name} (type {sort}) (default (= {name} #x{value:016x})))");
        let text = if prelude.contains(&free) {
            &mut prelude
        } else {
            &mut ir
        };
        assert!(text.contains(&free), "{free} is not declared");
        *text = text.replace(&free, &pinned);
    }
    Evaluator::from_sources(&[("prelude.isle", &prelude), ("ir.isle", &ir)])
        .expect("pinned ir.isle loads")
}

/// heap_addr against the interpreter's bounds check (codegen's
/// `ir::eval`, the oracle's memory): in u128, so no offset wraps; the
/// address is base + zero-extended index + offset.
#[test]
fn heap_addr_matches_the_bounds_check() {
    let base = 0x7f00_0000_0000u64;
    for heap_bytes in [0u64, 0x1_0000, 0xffff_fff8, 0x1_0000_0000] {
        let mut ev = pinned_evaluator(&[
            ("heap_base", "(bv 64)", base),
            ("heap_bytes", "(bv 64)", heap_bytes),
        ]);
        for index in [0u32, 1, 0xfff8, 0xfffc, 0x8000_0000, 0xffff_fff8, u32::MAX] {
            for offset in [
                0u64,
                4,
                0xffff,
                0xffff_ffff,
                1 << 32,
                u64::MAX - 7,
                u64::MAX,
            ] {
                for size in [1u8, 2, 4, 8] {
                    let args = [
                        bv(64, offset.into()),
                        bv(8, size.into()),
                        bv(32, index.into()),
                    ];
                    let out = ev.eval("heap_addr", &args).expect("heap_addr");
                    let end = u128::from(index) + u128::from(offset) + u128::from(size);
                    let trap = end > u128::from(heap_bytes);
                    assert_eq!(
                        out.state_value("ir_trap"),
                        Some(&bv(8, if trap { 5 } else { 0 })),
                        "index {index:#x} offset {offset:#x} size {size} bytes {heap_bytes:#x}"
                    );
                    if !trap {
                        let addr = base + u64::from(index) + offset;
                        assert_eq!(out.result, Some(bv(64, addr.into())), "{args:?}");
                    }
                }
            }
        }
    }
}

/// load/store against Wasm's little-endian memory: a load reads `bytes`
/// bytes at the address and zero- or sign-extends them to the type; a store
/// writes the low `bytes` bytes of the value. The access record says so.
#[test]
fn load_and_store_specs_match_wasm_memory() {
    let addr = 0x1234_5678_9abcu64;
    for mem in [
        0u64,
        u64::MAX,
        0x8081_8283_8485_8687,
        0x7f7e_7d7c_7b7a_7978,
        0x0123_4567_89ab_cdef,
    ] {
        let pins = [("mem_bytes", "(bv 64)", mem)];
        let mut ev = pinned_evaluator(&pins);
        // `load`'s signatures differ only in the result: one evaluator each.
        let both = "(instantiate load\n    ((args (named Type) (bv 8) (bv 64)) (ret (bv 32)))\n    ((args (named Type) (bv 8) (bv 64)) (ret (bv 64))))";
        let only = |w: u32| {
            format!("(instantiate load ((args (named Type) (bv 8) (bv 64)) (ret (bv {w}))))")
        };
        let mut load_ev = [
            pinned_evaluator_with(&pins, both, &only(32)),
            pinned_evaluator_with(&pins, both, &only(64)),
        ];
        for (w, bytes, signed) in [
            (32, 1, false),
            (32, 1, true),
            (32, 2, false),
            (32, 2, true),
            (32, 4, false),
            (32, 4, true),
            (64, 1, false),
            (64, 1, true),
            (64, 2, false),
            (64, 2, true),
            (64, 4, false),
            (64, 4, true),
            (64, 8, false),
            (64, 8, true),
        ] {
            let access = bytes | if signed { 0x40 } else { 0 };
            let out = load_ev[usize::from(w == 64)]
                .eval("load", &[ty(w), bv(8, access), bv(64, addr.into())])
                .expect("load");
            let shift = 64 - 8 * bytes as u32;
            let read = (mem << shift) >> shift;
            let ext = if signed {
                (((read << shift) as i64) >> shift) as u64
            } else {
                read
            };
            let want = if w == 32 { ext & 0xffff_ffff } else { ext };
            assert_eq!(
                out.result,
                Some(bv(w as usize, want.into())),
                "i{w} load {access:#x} of {mem:#x}"
            );
            assert_eq!(out.state_value("ir_mem_access"), Some(&bv(8, bytes)));
            assert_eq!(out.state_value("ir_mem_addr"), Some(&bv(64, addr.into())));
        }
        // Stores: `mem` is the value here.
        for (w, bytes) in [
            (32, 1u8),
            (32, 2),
            (32, 4),
            (64, 1),
            (64, 2),
            (64, 4),
            (64, 8),
        ] {
            let value = if w == 32 { mem & 0xffff_ffff } else { mem };
            let out = ev
                .eval(
                    "store",
                    &[
                        ty(w),
                        bv(8, bytes.into()),
                        bv(64, addr.into()),
                        bv(w as usize, value.into()),
                    ],
                )
                .expect("store");
            let low = if bytes == 8 {
                value
            } else {
                value & ((1 << (8 * bytes)) - 1)
            };
            assert_eq!(
                out.state_value("ir_mem_stored"),
                Some(&bv(64, low.into())),
                "i{w} store {bytes}"
            );
            assert_eq!(
                out.state_value("ir_mem_access"),
                Some(&bv(8, (0x80 | bytes).into()))
            );
            assert_eq!(out.state_value("ir_mem_addr"), Some(&bv(64, addr.into())));
        }
    }
}

/// The specs are usable in proofs: a right rule per kind (plain, trapping,
/// bit-level float) is proven at i32 and i64, a wrong one is refuted.
#[test]
fn ir_specs_prove_and_refute_rules() {
    let rules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ir_spec_rules/identity.isle");
    let opts = wasmproof_verifier::Options {
        jobs: 2,
        timeout: std::time::Duration::from_secs(60),
        ..Default::default()
    };
    let report = wasmproof_verifier::verify_files(&[prelude_isle(), ir_isle(), rules], &opts)
        .expect("loads");
    let verdicts = |rule: &str| -> Vec<&wasmproof_verifier::Verdict> {
        report
            .outcomes
            .iter()
            .filter(|o| o.rule == rule)
            .map(|o| &o.verdict)
            .collect()
    };
    for rule in ["iadd_ok", "udiv_ok", "fabs_ok"] {
        let v = verdicts(rule);
        assert_eq!(v.len(), 2, "{rule}: {:?}", report.outcomes);
        assert!(v.iter().all(|v| v.is_proven()), "{rule}: {v:?}");
    }
    let v = verdicts("sdiv_as_udiv");
    assert!(!v.is_empty());
    assert!(
        v.iter()
            .all(|v| matches!(v, wasmproof_verifier::Verdict::Counterexample(_))),
        "{v:?}"
    );
}
