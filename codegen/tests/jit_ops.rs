//! Every numeric Wasm operator (1.0, sign extension, saturating
//! conversions), `select`, constants in the immediate forms the rules
//! match, and every load and store, compiled through the proven rules and
//! run on edge values against the reference interpreter. A NaN result
//! matches any NaN (Wasm leaves the NaN's bits open); everything else,
//! traps included, must agree exactly.

#[allow(dead_code)] // shared by several test crates, each using part of it
mod jit_harness;

use std::fmt::Write;

use jit_harness::Jit;
use wasmproof_codegen::CompileOptions;
use wasmproof_oracle as oracle;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum T {
    I32,
    I64,
    F32,
    F64,
}

impl T {
    fn name(self) -> &'static str {
        match self {
            T::I32 => "i32",
            T::I64 => "i64",
            T::F32 => "f32",
            T::F64 => "f64",
        }
    }
    /// Edge values as raw bits.
    fn edges(self) -> &'static [u64] {
        match self {
            T::I32 => &[
                0,
                1,
                2,
                0xffff_ffff,
                0xffff_fffe,
                0x8000_0000,
                0x7fff_ffff,
                31,
                32,
                33,
                0x8000_0001,
                0x1234_5678,
                0xff,
                0x80,
                0x8000,
            ],
            T::I64 => &[
                0,
                1,
                2,
                u64::MAX,
                u64::MAX - 1,
                1 << 63,
                (1 << 63) - 1,
                63,
                64,
                65,
                0xffff_ffff,
                0x1_0000_0000,
                0x8000_0000,
                0x0123_4567_89ab_cdef,
                0xffff_ffff_8000_0000,
            ],
            T::F32 => &[
                0x0000_0000, // +0
                0x8000_0000, // -0
                0x3f80_0000, // 1
                0xbf80_0000, // -1
                0x3f00_0000, // 0.5
                0x3fc0_0000, // 1.5
                0x4020_0000, // 2.5
                0xc020_0000, // -2.5
                0xbf7d_70a4, // -0.99
                0x7f80_0000, // inf
                0xff80_0000, // -inf
                0x7fc0_0000, // NaN
                0xffc0_0000, // -NaN
                0x7fa0_0001, // signalling NaN
                0x0000_0001, // smallest subnormal
                0x807f_ffff, // largest negative subnormal
                0x7f7f_ffff, // max
                0x4f00_0000, // 2^31
                0x4eff_ffff, // 2^31 - 128
                0xcf00_0000, // -2^31
                0xcf00_0001, // below -2^31
                0x4f80_0000, // 2^32
                0x4f7f_ffff, // 2^32 - 256
                0x5f00_0000, // 2^63
                0x5eff_ffff, // below 2^63
                0xdf00_0000, // -2^63
                0xdf00_0001, // below -2^63
                0x5f80_0000, // 2^64
                0x5f7f_ffff, // below 2^64
            ],
            T::F64 => &[
                0,
                0x8000_0000_0000_0000,
                0x3ff0_0000_0000_0000, // 1
                0xbff0_0000_0000_0000, // -1
                0x3fe0_0000_0000_0000, // 0.5
                0x4004_0000_0000_0000, // 2.5
                0xc004_0000_0000_0000, // -2.5
                0xbfec_cccc_cccc_cccd, // -0.9
                0x7ff0_0000_0000_0000, // inf
                0xfff0_0000_0000_0000, // -inf
                0x7ff8_0000_0000_0000, // NaN
                0xfff8_0000_0000_0000, // -NaN
                0x7ff4_0000_0000_0001, // signalling NaN
                0x0000_0000_0000_0001, // smallest subnormal
                0x7fef_ffff_ffff_ffff, // max
                0x41e0_0000_0000_0000, // 2^31
                0x41df_ffff_ffc0_0000, // 2^31 - 1
                0x41df_ffff_ffe0_0000, // 2^31 - 0.5
                0xc1e0_0000_0000_0000, // -2^31
                0xc1e0_0000_0020_0000, // -2^31 - 1
                0xc1e0_0000_0010_0000, // -2^31 - 0.5
                0x41f0_0000_0000_0000, // 2^32
                0x41ef_ffff_ffe0_0000, // 2^32 - 1
                0x43e0_0000_0000_0000, // 2^63
                0x43df_ffff_ffff_ffff, // below 2^63
                0xc3e0_0000_0000_0000, // -2^63
                0xc3e0_0000_0000_0001, // below -2^63
                0x43f0_0000_0000_0000, // 2^64
                0x43ef_ffff_ffff_ffff, // below 2^64
                0x7e37_e43c_8800_759c, // 1e300
            ],
        }
    }
    fn value(self, bits: u64) -> oracle::Value {
        match self {
            T::I32 => oracle::Value::I32(bits as u32 as i32),
            T::I64 => oracle::Value::I64(bits as i64),
            T::F32 => oracle::Value::F32(bits as u32),
            T::F64 => oracle::Value::F64(bits),
        }
    }
    fn is_nan(self, bits: u64) -> bool {
        match self {
            T::F32 => f32::from_bits(bits as u32).is_nan(),
            T::F64 => f64::from_bits(bits).is_nan(),
            _ => false,
        }
    }
    fn mask(self, bits: u64) -> u64 {
        match self {
            T::I32 | T::F32 => bits & 0xffff_ffff,
            _ => bits,
        }
    }
    /// The `T.const` of `bits`.
    fn konst(self, bits: u64) -> String {
        match self {
            T::I32 => format!("(i32.const {})", bits as u32 as i32),
            T::I64 => format!("(i64.const {})", bits as i64),
            T::F32 => {
                let sign = if bits & 0x8000_0000 != 0 { "-" } else { "" };
                if self.is_nan(bits) {
                    format!("(f32.const {sign}nan:0x{:x})", bits & 0x7f_ffff)
                } else {
                    format!("(f32.const {})", f32::from_bits(bits as u32))
                }
            }
            T::F64 => {
                let sign = if bits >> 63 != 0 { "-" } else { "" };
                if self.is_nan(bits) {
                    format!("(f64.const {sign}nan:0x{:x})", bits & 0xf_ffff_ffff_ffff)
                } else {
                    format!("(f64.const {})", f64::from_bits(bits))
                }
            }
        }
    }
}

use T::*;

/// `(operator, params, result)` for every numeric operator.
fn operators() -> Vec<(String, Vec<T>, T)> {
    let mut ops = Vec::new();
    for (t, bits) in [(I32, 32), (I64, 64)] {
        let n = t.name();
        for op in ["clz", "ctz", "popcnt", "extend8_s", "extend16_s"] {
            ops.push((format!("{n}.{op}"), vec![t], t));
        }
        ops.push((format!("{n}.eqz"), vec![t], I32));
        for op in [
            "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl",
            "shr_s", "shr_u", "rotl", "rotr",
        ] {
            ops.push((format!("{n}.{op}"), vec![t, t], t));
        }
        for op in [
            "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
        ] {
            ops.push((format!("{n}.{op}"), vec![t, t], I32));
        }
        if bits == 64 {
            ops.push(("i64.extend32_s".into(), vec![I64], I64));
        }
    }
    for t in [F32, F64] {
        let n = t.name();
        for op in ["abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"] {
            ops.push((format!("{n}.{op}"), vec![t], t));
        }
        for op in ["add", "sub", "mul", "div", "min", "max", "copysign"] {
            ops.push((format!("{n}.{op}"), vec![t, t], t));
        }
        for op in ["eq", "ne", "lt", "gt", "le", "ge"] {
            ops.push((format!("{n}.{op}"), vec![t, t], I32));
        }
    }
    ops.push(("i32.wrap_i64".into(), vec![I64], I32));
    ops.push(("i64.extend_i32_s".into(), vec![I32], I64));
    ops.push(("i64.extend_i32_u".into(), vec![I32], I64));
    ops.push(("f32.demote_f64".into(), vec![F64], F32));
    ops.push(("f64.promote_f32".into(), vec![F32], F64));
    ops.push(("i32.reinterpret_f32".into(), vec![F32], I32));
    ops.push(("i64.reinterpret_f64".into(), vec![F64], I64));
    ops.push(("f32.reinterpret_i32".into(), vec![I32], F32));
    ops.push(("f64.reinterpret_i64".into(), vec![I64], F64));
    for i in [I32, I64] {
        for f in [F32, F64] {
            for s in ["s", "u"] {
                let (iname, fname) = (i.name(), f.name());
                ops.push((format!("{iname}.trunc_{fname}_{s}"), vec![f], i));
                ops.push((format!("{iname}.trunc_sat_{fname}_{s}"), vec![f], i));
                ops.push((format!("{fname}.convert_{iname}_{s}"), vec![i], f));
            }
        }
    }
    ops
}

/// One function's cases: export name, params, results, argument lists.
type Case = (String, Vec<T>, Vec<T>, Vec<Vec<u64>>);

/// One module of many exported functions, each called on many argument
/// lists, compared with the interpreter.
struct Suite {
    funcs: String,
    count: usize,
    cases: Vec<Case>,
}

impl Suite {
    fn new() -> Suite {
        Suite {
            funcs: String::new(),
            count: 0,
            cases: Vec::new(),
        }
    }

    fn func(&mut self, params: &[T], results: &[T], body: &str, args: Vec<Vec<u64>>) {
        let name = format!("f{}", self.count);
        self.count += 1;
        let ps: String = params.iter().map(|p| format!(" {}", p.name())).collect();
        let rs: String = results.iter().map(|r| format!(" {}", r.name())).collect();
        let ps = if ps.is_empty() {
            String::new()
        } else {
            format!("(param{ps})")
        };
        let rs = if rs.is_empty() {
            String::new()
        } else {
            format!("(result{rs})")
        };
        writeln!(self.funcs, "(func (export \"{name}\") {ps} {rs} {body})").unwrap();
        self.cases
            .push((name, params.to_vec(), results.to_vec(), args));
    }

    /// Compiles and runs every case; returns the number of calls.
    fn run(&self, memory: bool) -> usize {
        let mem = if memory { "(memory 1)" } else { "" };
        let wat = format!("(module {mem}\n{})", self.funcs);
        let bytes = wat::parse_str(&wat).expect("valid WAT");
        let module = oracle::Module::new(&bytes).expect("oracle accepts");
        let mut store = oracle::Store::new(());
        let inst = store.instantiate(&module, &[]).expect("instantiates");
        let mut jit = Jit::new(&bytes, &CompileOptions::default());
        let mut calls = 0;
        for (name, params, results, arg_lists) in &self.cases {
            let Some(oracle::Extern::Func(f)) = store.get_export(inst, name) else {
                panic!("no export {name}");
            };
            for args in arg_lists {
                let vals: Vec<oracle::Value> =
                    params.iter().zip(args).map(|(t, &a)| t.value(a)).collect();
                let expected = store.invoke(f, &vals).map_err(|t| trap_code(t.kind));
                let got = jit.call(name, args);
                calls += 1;
                let what = || format!("{name} {args:x?}: {}", body_of(&self.funcs, name));
                match (&expected, &got) {
                    (Ok(e), Ok(g)) => {
                        for ((t, e), g) in results.iter().zip(e).zip(g) {
                            let e = t.mask(raw(*e));
                            let g = t.mask(*g);
                            if t.is_nan(e) {
                                assert!(t.is_nan(g), "{}: want NaN, got {g:#x}", what());
                            } else {
                                assert_eq!(e, g, "{}", what());
                            }
                        }
                    }
                    (Err(e), Err(g)) => assert_eq!(e, g, "{}: trap codes", what()),
                    _ => panic!("{}: oracle {expected:x?}, jit {got:x?}", what()),
                }
            }
        }
        calls
    }
}

fn body_of(funcs: &str, name: &str) -> String {
    let key = format!("\"{name}\")");
    funcs
        .lines()
        .find(|l| l.contains(&key))
        .unwrap_or("")
        .to_string()
}

fn raw(v: oracle::Value) -> u64 {
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
        other => panic!("unexpected trap {other:?}"),
    }
}

/// Every argument list over the edge values (all pairs for two operands).
fn arg_lists(params: &[T]) -> Vec<Vec<u64>> {
    match params {
        [a] => a.edges().iter().map(|&x| vec![x]).collect(),
        [a, b] => a
            .edges()
            .iter()
            .flat_map(|&x| b.edges().iter().map(move |&y| vec![x, y]))
            .collect(),
        [a, b, c] => {
            let mut out = Vec::new();
            for &x in a.edges() {
                for &y in b.edges().iter().take(4) {
                    for &z in c.edges().iter().take(5) {
                        out.push(vec![x, y, z]);
                    }
                }
            }
            out
        }
        _ => vec![vec![]],
    }
}

#[test]
fn every_numeric_operator_on_edge_values() {
    let ops = operators();
    let mut suite = Suite::new();
    for (op, params, result) in &ops {
        let gets: String = (0..params.len())
            .map(|i| format!("local.get {i} "))
            .collect();
        suite.func(
            params,
            &[*result],
            &format!("{gets}{op}"),
            arg_lists(params),
        );
    }
    let calls = suite.run(false);
    eprintln!("{} operators, {calls} calls", ops.len());
    assert!(ops.len() >= 120, "{} operators", ops.len());
}

/// Binary integer operators with a constant operand on either side: the
/// immediate forms (`add r, imm32`, `shl r, imm8`, `cmp r, imm32`,
/// `test r, r` for `eqz`) and constants that do not fit an imm32.
#[test]
fn integer_operators_with_constant_operands() {
    let mut suite = Suite::new();
    let mut n = 0;
    for (op, params, result) in operators() {
        let &[a, b] = params.as_slice() else { continue };
        if a != b || !matches!(a, I32 | I64) {
            continue;
        }
        for &k in a.edges().iter().step_by(2) {
            let c = a.konst(k);
            let singles: Vec<Vec<u64>> = a.edges().iter().map(|&x| vec![x]).collect();
            suite.func(
                &[a],
                &[result],
                &format!("local.get 0 {c} {op}"),
                singles.clone(),
            );
            suite.func(&[a], &[result], &format!("{c} local.get 0 {op}"), singles);
            n += 2;
        }
    }
    let calls = suite.run(false);
    eprintln!("{n} constant-operand functions, {calls} calls");
}

#[test]
fn select_and_constants_of_every_type() {
    let mut suite = Suite::new();
    for t in [I32, I64, F32, F64] {
        let conds: Vec<Vec<u64>> = t
            .edges()
            .iter()
            .flat_map(|&x| [0u64, 1, 0xffff_ffff, 0x8000_0000].map(|c| vec![x, t.edges()[3], c]))
            .collect();
        suite.func(
            &[t, t, I32],
            &[t],
            "local.get 0 local.get 1 local.get 2 select",
            conds,
        );
        for &k in t.edges() {
            suite.func(&[], &[t], &t.konst(k), vec![vec![]]);
        }
    }
    // Locals start at zero (the translator's iconst/fconst).
    suite.func(
        &[],
        &[I32, I64, F32, F64],
        "(local i32 i64 f32 f64) local.get 0 local.get 1 local.get 2 local.get 3",
        vec![vec![]],
    );
    let calls = suite.run(false);
    assert!(calls > 100);
}

/// Every load and store, at offsets and addresses in and out of bounds
/// (the memory is one page).
#[test]
fn loads_and_stores_in_and_out_of_bounds() {
    let loads: [(&str, T, u64); 14] = [
        ("i32.load", I32, 4),
        ("i64.load", I64, 8),
        ("f32.load", F32, 4),
        ("f64.load", F64, 8),
        ("i32.load8_s", I32, 1),
        ("i32.load8_u", I32, 1),
        ("i32.load16_s", I32, 2),
        ("i32.load16_u", I32, 2),
        ("i64.load8_s", I64, 1),
        ("i64.load8_u", I64, 1),
        ("i64.load16_s", I64, 2),
        ("i64.load16_u", I64, 2),
        ("i64.load32_s", I64, 4),
        ("i64.load32_u", I64, 4),
    ];
    let stores: [(&str, T); 9] = [
        ("i32.store", I32),
        ("i64.store", I64),
        ("f32.store", F32),
        ("f64.store", F64),
        ("i32.store8", I32),
        ("i32.store16", I32),
        ("i64.store8", I64),
        ("i64.store16", I64),
        ("i64.store32", I64),
    ];
    let addrs: [u64; 9] = [0, 1, 7, 100, 65528, 65532, 65535, 65536, 0xffff_ffff];
    let mut suite = Suite::new();
    // Fill the start and the end of the memory with a pattern the loads
    // see (the cases run in order).
    suite.func(
        &[],
        &[],
        "(i64.store (i32.const 0) (i64.const 0x8182838485868788)) \
         (i64.store (i32.const 8) (i64.const -2)) \
         (i64.store (i32.const 65528) (i64.const 0x0102f3f4f5f6f7f8))",
        vec![vec![]],
    );
    suite.func(&[], &[I32], "memory.size", vec![vec![]]);
    for (op, t, _) in loads {
        for offset in [0u32, 1, 65535, 65536, 0xffff_ffff] {
            let body = format!("local.get 0 {op} offset={offset}");
            suite.func(
                &[I32],
                &[t],
                &body,
                addrs.iter().map(|&a| vec![a]).collect(),
            );
        }
    }
    for (op, t) in stores {
        for offset in [0u32, 3, 65535, 65536, 0xffff_ffff] {
            // Store, then read the 8 bytes around it back as an i64 (if in
            // bounds); the oracle's memory and ours must agree.
            let body = format!(
                "local.get 0 local.get 1 {op} offset={offset} \
                 local.get 0 i64.load offset={offset}"
            );
            let mut args = Vec::new();
            for &a in &addrs {
                for &v in t.edges().iter().step_by(3) {
                    args.push(vec![a, v]);
                }
            }
            suite.func(&[I32, t], &[I64], &body, args);
        }
    }
    let calls = suite.run(true);
    eprintln!("{calls} memory calls");
    assert!(calls > 500);
}
