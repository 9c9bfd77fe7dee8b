//! Conformance of the oracle's numerics (spec §4.3) through the public API:
//! every `assert_return`/`assert_trap` of the official testsuite's numeric
//! files is replayed against `NumOp::eval`, and the table behind `NumOp` is
//! checked against wasmparser's decoding and against the instruction names.
//!
//! The testsuite files only wrap each instruction in a function
//! `(func (export "x") ... (OP (local.get 0) (local.get 1)))`, so a tiny
//! S-expression reader suffices; it refuses (fails the test) rather than
//! skips anything it does not understand.

use std::collections::HashMap;
use std::path::PathBuf;

use wasmproof_oracle::numerics::{
    is_arithmetic_nan_f32, is_arithmetic_nan_f64, is_canonical_nan_f32, is_canonical_nan_f64,
};
use wasmproof_oracle::{NumOp, TrapKind, ValType, Value};

// ---- the official testsuite -------------------------------------------------

/// (file, minimum number of assertions it must yield): a floor, so a reader
/// that silently finds nothing fails instead of passing.
const WAST_FILES: &[(&str, usize)] = &[
    ("i32", 374),
    ("i64", 384),
    ("f32", 2500),
    ("f64", 2500),
    ("f32_cmp", 2400),
    ("f64_cmp", 2400),
    ("f32_bitwise", 360),
    ("f64_bitwise", 360),
    ("conversions", 593),
    ("float_misc", 470),
];

/// The official testsuite: `$WASM_TESTSUITE`, else `../shared/wasm-testsuite`
/// beside the repository (the same rule as the spec-test runner).
fn testsuite_dir() -> PathBuf {
    match std::env::var_os("WASM_TESTSUITE") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/wasm-testsuite"),
    }
}

#[test]
fn official_numeric_testsuite_assertions_hold() {
    let mut failures = Vec::new();
    for &(file, floor) in WAST_FILES {
        let path = testsuite_dir().join(format!("{file}.wast"));
        let src = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {} (set WASM_TESTSUITE, or put the suite at ../shared/wasm-testsuite; get it from https://github.com/WebAssembly/testsuite): {e}",
                path.display()
            )
        });
        let checked = replay(file, &src, &mut failures);
        eprintln!("{file}.wast: {checked} assertions replayed");
        assert!(
            checked >= floor,
            "{file}.wast: only {checked} assertions replayed, expected ≥ {floor}"
        );
    }
    let shown: Vec<_> = failures.iter().take(40).collect();
    assert!(
        failures.is_empty(),
        "{} failing assertions, first ones:\n{shown:#?}",
        failures.len()
    );
}

/// Replays one file's assertions; returns how many it checked.
fn replay(file: &str, src: &str, failures: &mut Vec<String>) -> usize {
    let mut exports: HashMap<String, NumOp> = HashMap::new();
    let mut checked = 0;
    for form in parse_sexps(src) {
        let Sexp::List(items) = &form else { continue };
        match head(items) {
            Some("module") => exports = module_exports(items),
            Some(kind @ ("assert_return" | "assert_trap")) => {
                let (op, args) = invocation(&items[1], &exports)
                    .unwrap_or_else(|| panic!("{file}: cannot read invocation {:?}", items[1]));
                assert_eq!(args.len(), op.arity(), "{file}: {op} invoked with {args:?}");
                let actual = op.eval(&args);
                let ok = if kind == "assert_return" {
                    let expected = items.get(2).map(expectation);
                    match (&actual, expected) {
                        (Ok(v), Some(e)) => e.matches(*v),
                        _ => false,
                    }
                } else {
                    let Some(Sexp::Str(msg)) = items.get(2) else {
                        panic!("{file}: bad assert_trap")
                    };
                    actual == Err(trap_kind(msg))
                };
                if !ok {
                    let args: Vec<String> = args.iter().map(show).collect();
                    let actual = actual.as_ref().map(show);
                    failures.push(format!(
                        "{file}: {op} {args:?} gave {actual:?}; expected {:?}",
                        items.get(2)
                    ));
                }
                checked += 1;
            }
            _ => {} // assert_invalid, assert_malformed, ...: validation, not numerics
        }
    }
    checked
}

/// A value with its bits in hex: NaN payloads and signed zeros stay visible.
fn show(v: &Value) -> String {
    match v {
        Value::I32(i) => format!("i32:{:#x}", *i as u32),
        Value::I64(i) => format!("i64:{:#x}", *i as u64),
        Value::F32(b) => format!("f32:{b:#010x}={}", f32::from_bits(*b)),
        Value::F64(b) => format!("f64:{b:#018x}={}", f64::from_bits(*b)),
        other => format!("{other:?}"),
    }
}

fn trap_kind(msg: &str) -> TrapKind {
    match msg {
        "integer divide by zero" => TrapKind::IntegerDivideByZero,
        "integer overflow" => TrapKind::IntegerOverflow,
        "invalid conversion to integer" => TrapKind::InvalidConversionToInteger,
        other => panic!("unexpected trap message {other:?}"),
    }
}

/// export name → the one numeric instruction its function applies.
fn module_exports(items: &[Sexp]) -> HashMap<String, NumOp> {
    let mut exports = HashMap::new();
    for func in items
        .iter()
        .filter_map(Sexp::list)
        .filter(|f| head(f) == Some("func"))
    {
        let name = func.iter().filter_map(Sexp::list).find_map(|f| match f {
            [Sexp::Atom(a), Sexp::Str(name)] if a == "export" => Some(name.clone()),
            _ => None,
        });
        // The body must be exactly `(OP (local.get ..)*)`: a nested
        // expression would mean the export is not a single instruction.
        let op = func.iter().filter_map(Sexp::list).find_map(|f| {
            let op = head(f).and_then(NumOp::from_name)?;
            let operands_are_locals = f[1..]
                .iter()
                .all(|a| a.list().and_then(head) == Some("local.get"));
            operands_are_locals.then_some(op)
        });
        if let (Some(name), Some(op)) = (name, op) {
            exports.insert(name, op);
        }
    }
    exports
}

fn invocation(form: &Sexp, exports: &HashMap<String, NumOp>) -> Option<(NumOp, Vec<Value>)> {
    let items = form.list()?;
    let [Sexp::Atom(invoke), Sexp::Str(name), args @ ..] = items else {
        return None;
    };
    if invoke != "invoke" {
        return None;
    }
    let args = args.iter().map(|a| match expectation(a) {
        Expected::Exact(v) => Some(v),
        _ => None,
    });
    Some((*exports.get(name)?, args.collect::<Option<Vec<_>>>()?))
}

#[derive(Debug)]
enum Expected {
    Exact(Value),
    CanonicalNan(ValType),
    ArithmeticNan(ValType),
}

impl Expected {
    /// Floats compare by bits: the testsuite's literal NaNs (e.g. for `abs`)
    /// demand the exact payload.
    fn matches(&self, v: Value) -> bool {
        match (self, v) {
            (Expected::Exact(e), v) => *e == v,
            (Expected::CanonicalNan(ValType::F32), Value::F32(b)) => is_canonical_nan_f32(b),
            (Expected::CanonicalNan(ValType::F64), Value::F64(b)) => is_canonical_nan_f64(b),
            (Expected::ArithmeticNan(ValType::F32), Value::F32(b)) => is_arithmetic_nan_f32(b),
            (Expected::ArithmeticNan(ValType::F64), Value::F64(b)) => is_arithmetic_nan_f64(b),
            _ => false,
        }
    }
}

/// `(t.const literal)` as a value or NaN pattern.
fn expectation(form: &Sexp) -> Expected {
    let Some([Sexp::Atom(ty), Sexp::Atom(lit)]) = form.list() else {
        panic!("not a const: {form:?}")
    };
    match (ty.as_str(), lit.as_str()) {
        ("f32.const", "nan:canonical") => Expected::CanonicalNan(ValType::F32),
        ("f64.const", "nan:canonical") => Expected::CanonicalNan(ValType::F64),
        ("f32.const", "nan:arithmetic") => Expected::ArithmeticNan(ValType::F32),
        ("f64.const", "nan:arithmetic") => Expected::ArithmeticNan(ValType::F64),
        ("i32.const", l) => Expected::Exact(Value::I32(parse_int(l, 32) as i32)),
        ("i64.const", l) => Expected::Exact(Value::I64(parse_int(l, 64) as i64)),
        ("f32.const", l) => Expected::Exact(Value::F32(parse_float(l, 23, 8) as u32)),
        ("f64.const", l) => Expected::Exact(Value::F64(parse_float(l, 52, 11))),
        _ => panic!("unknown const {form:?}"),
    }
}

// ---- literals (spec §6.3.1) ---------------------------------------------------

/// An integer literal (decimal or hex, signed or not) as N bits.
fn parse_int(lit: &str, bits: u32) -> u64 {
    let lit = lit.replace('_', "");
    let (neg, mag) = split_sign(&lit);
    let m = match mag.strip_prefix("0x") {
        Some(hex) => u128::from_str_radix(hex, 16),
        None => mag.parse::<u128>(),
    }
    .unwrap_or_else(|e| panic!("bad integer literal {lit}: {e}"));
    let v = if neg { m.wrapping_neg() } else { m };
    (v & ((1u128 << bits) - 1)) as u64
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

/// A float literal as the bits of the format with `signif` fraction bits and
/// `expon` exponent bits. Decimal literals go through Rust's (correctly
/// rounding) parser; hexadecimal ones are rounded here, to nearest-even.
fn parse_float(lit: &str, signif: u32, expon: u32) -> u64 {
    let lit = lit.replace('_', "");
    let (neg, mag) = split_sign(&lit);
    let sign = if neg { 1u64 << (signif + expon) } else { 0 };
    let exp_mask = ((1u64 << expon) - 1) << signif;
    if mag == "inf" {
        sign | exp_mask
    } else if mag == "nan" {
        sign | exp_mask | (1 << (signif - 1))
    } else if let Some(payload) = mag.strip_prefix("nan:0x") {
        sign | exp_mask | u64::from_str_radix(payload, 16).expect("NaN payload")
    } else if let Some(hex) = mag.strip_prefix("0x") {
        sign | parse_hex_float(hex, signif, expon)
    } else if signif == 23 {
        let v: f32 = mag
            .parse()
            .unwrap_or_else(|e| panic!("bad f32 literal {lit}: {e}"));
        sign | u64::from(v.to_bits())
    } else {
        let v: f64 = mag
            .parse()
            .unwrap_or_else(|e| panic!("bad f64 literal {lit}: {e}"));
        sign | v.to_bits()
    }
}

/// The magnitude of `hhh.hhhp±ddd`, rounded to nearest-even.
fn parse_hex_float(hex: &str, signif: u32, expon: u32) -> u64 {
    let (digits, exp) = match hex.split_once(['p', 'P']) {
        Some((d, e)) => (d, e.parse::<i64>().expect("hex float exponent")),
        None => (hex, 0),
    };
    // value = (m + sticky·ε) · 2^e, keeping at most 120 significant bits in m.
    let (mut m, mut e, mut sticky, mut fraction) = (0u128, exp, false, false);
    for c in digits.chars() {
        if c == '.' {
            fraction = true;
            continue;
        }
        let d = c.to_digit(16).expect("hex digit");
        if m >> 120 == 0 {
            m = m * 16 + u128::from(d);
            if fraction {
                e -= 4;
            }
        } else {
            sticky |= d != 0;
            if !fraction {
                e += 4;
            }
        }
    }
    if m == 0 {
        return 0;
    }
    let (signif, bias) = (i64::from(signif), (1i64 << (expon - 1)) - 1);
    let top = i64::from(127 - m.leading_zeros()) + e; // exponent of the leading bit
    // Exponent of the result's last significand bit (subnormals: fixed).
    let mut lsb = (top - signif).max(1 - bias - signif);
    let shift = lsb - e;
    let mut q = if shift <= 0 {
        m << -shift
    } else if shift >= 128 {
        0 // below half of the smallest subnormal: m < 2^121 ≤ 2^(shift−1)
    } else {
        let (q, rem, half) = (m >> shift, m & ((1 << shift) - 1), 1u128 << (shift - 1));
        let up = rem > half || (rem == half && (sticky || q & 1 == 1));
        q + u128::from(up)
    };
    if q == 1 << (signif + 1) {
        q >>= 1;
        lsb += 1;
    }
    if q >> signif == 0 {
        return q as u64; // subnormal (or zero): biased exponent 0
    }
    let biased = lsb + signif + bias;
    if biased >= (1 << expon) - 1 {
        return ((1u64 << expon) - 1) << signif; // overflow: ∞
    }
    ((biased as u64) << signif) | (q as u64 & ((1 << signif) - 1))
}

// ---- S-expressions -------------------------------------------------------------

#[derive(Debug)]
enum Sexp {
    Atom(String),
    Str(String),
    List(Vec<Sexp>),
}

impl Sexp {
    fn list(&self) -> Option<&[Sexp]> {
        if let Sexp::List(items) = self {
            Some(items)
        } else {
            None
        }
    }
}

fn head(items: &[Sexp]) -> Option<&str> {
    match items.first() {
        Some(Sexp::Atom(a)) => Some(a),
        _ => None,
    }
}

/// The top-level forms of a .wast script (comments dropped).
fn parse_sexps(src: &str) -> Vec<Sexp> {
    let chars: Vec<char> = src.chars().collect();
    let mut stack: Vec<Vec<Sexp>> = vec![Vec::new()];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == ';' && chars.get(i + 1) == Some(&';') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '(' && chars.get(i + 1) == Some(&';') {
            let mut depth = 0;
            loop {
                match (chars.get(i), chars.get(i + 1)) {
                    (Some('('), Some(';')) => {
                        depth += 1;
                        i += 2;
                    }
                    (Some(';'), Some(')')) => {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    }
                    (Some(_), _) => i += 1,
                    (None, _) => panic!("unterminated block comment"),
                }
            }
        } else if c == '(' {
            stack.push(Vec::new());
            i += 1;
        } else if c == ')' {
            let list = stack.pop().expect("unbalanced ')'");
            stack
                .last_mut()
                .expect("unbalanced ')'")
                .push(Sexp::List(list));
            i += 1;
        } else if c == '"' {
            let mut s = String::new();
            i += 1;
            while chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                s.push(chars[i]);
                i += 1;
            }
            i += 1;
            stack.last_mut().expect("open list").push(Sexp::Str(s));
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !"();\"".contains(chars[i]) {
                i += 1;
            }
            let atom = chars[start..i].iter().collect();
            stack.last_mut().expect("open list").push(Sexp::Atom(atom));
        }
    }
    assert_eq!(stack.len(), 1, "unbalanced '('");
    stack.pop().unwrap_or_default()
}

#[test]
fn hex_float_literals_round_to_nearest_even() {
    // Exact, subnormal, halfway-to-even, just-above-halfway (sticky), carry into
    // the exponent, and overflow to infinity.
    assert_eq!(parse_float("0x1p+0", 23, 8), 0x3f80_0000);
    assert_eq!(parse_float("0x1p-149", 23, 8), 1);
    assert_eq!(parse_float("-0x1.fffffep+127", 23, 8), 0xff7f_ffff);
    assert_eq!(parse_float("0x1.000001p+0", 23, 8), 0x3f80_0000);
    assert_eq!(parse_float("0x1.000003p+0", 23, 8), 0x3f80_0002);
    assert_eq!(
        parse_float("0x1.00000100000000000000000000001p+0", 23, 8),
        0x3f80_0001
    );
    assert_eq!(parse_float("0x1.ffffffp+0", 23, 8), 0x4000_0000);
    assert_eq!(parse_float("0x1p-150", 23, 8), 0);
    assert_eq!(parse_float("0x1.8p-150", 23, 8), 1);
    assert_eq!(
        parse_float("0x1.fffffffffffff8p+1023", 52, 11),
        0x7ff0_0000_0000_0000
    );
    assert_eq!(parse_float("0x0.0000000000001p-1022", 52, 11), 1);
    assert_eq!(parse_float("nan:0x200000", 23, 8), 0x7fa0_0000);
    assert_eq!(parse_float("-nan", 52, 11), 0xfff8_0000_0000_0000);
    assert_eq!(parse_float("1e15", 52, 11), 1e15f64.to_bits());
}

// ---- the NumOp table ------------------------------------------------------------

/// The body of a function holding every numeric opcode: 0x45..=0xC4 and the
/// saturating truncations 0xFC 0..=7.
fn numeric_opcodes() -> Vec<u8> {
    let mut code: Vec<u8> = (0x45..=0xC4).collect();
    for sub in 0..=7 {
        code.extend([0xFC, sub]);
    }
    code.push(0x0B); // end
    code
}

#[test]
fn every_numeric_opcode_decodes_to_its_own_numop() {
    let code = numeric_opcodes();
    let mut reader = wasmparser::OperatorsReader::new(wasmparser::BinaryReader::new(&code, 0));
    let mut seen = Vec::new();
    loop {
        let op = reader.read().expect("valid opcode");
        if matches!(op, wasmparser::Operator::End) {
            break;
        }
        seen.push(NumOp::from_operator(&op).unwrap_or_else(|| panic!("{op:?} is numeric")));
    }
    assert_eq!(
        seen,
        NumOp::ALL,
        "ALL lists every numeric instruction, in opcode order"
    );
}

#[test]
fn non_numeric_operators_are_not_numops() {
    use wasmparser::{Ieee32, Operator};
    for op in [
        Operator::I32Const { value: 1 },
        Operator::F32Const {
            value: Ieee32::from(1.0f32),
        },
        Operator::Drop,
        Operator::Nop,
        Operator::RefIsNull,
    ] {
        assert_eq!(NumOp::from_operator(&op), None, "{op:?}");
    }
}

fn val_type(name: &str) -> ValType {
    match name {
        "i32" => ValType::I32,
        "i64" => ValType::I64,
        "f32" => ValType::F32,
        "f64" => ValType::F64,
        other => panic!("not a number type: {other}"),
    }
}

/// Reads arity and types off the instruction's name alone, independently of
/// the table, so a wrongly instantiated line (say `iadd::<u32>` for i64.add)
/// is caught.
#[test]
fn arity_and_types_agree_with_the_instruction_name() {
    const BINARY: &[&str] = &[
        "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl",
        "shr_s", "shr_u", "rotl", "rotr", "div", "min", "max", "copysign",
    ];
    const RELOPS: &[&str] = &[
        "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u", "lt", "gt",
        "le", "ge",
    ];
    for &op in NumOp::ALL {
        let (ty, instr) = op.name().split_once('.').expect("t.instr");
        let result = if RELOPS.contains(&instr) || instr == "eqz" {
            ValType::I32
        } else {
            val_type(ty)
        };
        // cvtops name their operand type: `trunc_sat_f32_s`, `extend_i32_u`, ...
        let operand = ["i32", "i64", "f32", "f64"]
            .into_iter()
            .find(|t| instr.contains(&format!("_{t}")))
            .map_or(val_type(ty), val_type);
        let arity = if BINARY.contains(&instr) || RELOPS.contains(&instr) {
            2
        } else {
            1
        };
        assert_eq!(
            (op.arity(), op.operand_type(), op.result_type()),
            (arity, operand, result),
            "{op}"
        );
        assert_eq!(NumOp::from_name(op.name()), Some(op));
        assert_eq!(op.to_string(), op.name());
    }
    assert_eq!(
        NumOp::ALL.len(),
        123 + 5 + 8,
        "MVP numerics + sign extension + trunc_sat"
    );
}

fn zero_of(ty: ValType) -> Value {
    match ty {
        ValType::I32 => Value::I32(0),
        ValType::I64 => Value::I64(0),
        ValType::F32 => Value::F32(0),
        ValType::F64 => Value::F64(0),
        other => panic!("not a number type: {other:?}"),
    }
}

/// Unvalidated operands are an error, never a panic (and never a value).
#[test]
fn ill_typed_operands_give_an_error_not_a_panic() {
    for &op in NumOp::ALL {
        let good = zero_of(op.operand_type());
        let wrong = if op.operand_type() == ValType::I32 {
            Value::I64(0)
        } else {
            Value::I32(0)
        };
        let arity = op.arity();
        assert!(
            op.eval(&vec![good; arity]).is_ok()
                || op.name().contains("div")
                || op.name().contains("rem")
        );
        for args in [vec![], vec![good; arity + 1], vec![wrong; arity], {
            let mut a = vec![good; arity];
            a[arity - 1] = wrong;
            a
        }] {
            assert_eq!(op.eval(&args), Err(TrapKind::Unreachable), "{op} {args:?}");
        }
    }
}
