//! Random programs built from the operators that have proven rules (i32/i64
//! add, sub, mul, and, or, xor) plus locals, block/loop/br/br_if/br_table,
//! if/else, direct calls and multi-value, compiled and run against the
//! reference interpreter. Also reports the compile time.

#[allow(dead_code)] // shared by several test crates, each using part of it
mod jit_harness;

use jit_harness::{Jit, raw, trap_code};
use std::fmt::Write;
use std::time::Instant;
use wasmproof_codegen::{CompileOptions, compile_module};
use wasmproof_oracle as oracle;

/// xorshift64*: deterministic, so a failure reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const OPS: [&str; 6] = ["add", "sub", "mul", "and", "or", "xor"];
/// Integer binary operators (division and remainder may trap).
const INT_BIN: [&str; 15] = [
    "add", "sub", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr", "div_s",
    "div_u", "rem_s", "rem_u",
];
const INT_CMP: [&str; 10] = [
    "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
];
const INT_UN: [&str; 5] = ["clz", "ctz", "popcnt", "extend8_s", "extend16_s"];
/// Float binary operators; not `copysign`: it moves a NaN's sign, which
/// Wasm leaves open, into a number.
const FLOAT_BIN: [&str; 6] = ["add", "sub", "mul", "div", "min", "max"];
const FLOAT_UN: [&str; 7] = ["abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"];
const FLOAT_CMP: [&str; 6] = ["eq", "ne", "lt", "gt", "le", "ge"];
/// Locals $p0..$p3 hold data, $one holds 1 and $c a small loop budget.
const DATA: usize = 4;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ty {
    I32,
    I64,
    F32,
    F64,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
        }
    }
    fn is_int(self) -> bool {
        matches!(self, Ty::I32 | Ty::I64)
    }
}

const TYS: [Ty; 4] = [Ty::I32, Ty::I64, Ty::F32, Ty::F64];

struct Gen {
    rng: Rng,
    labels: usize,
    /// Loops do not nest: an inner loop could zero `$c` and the outer
    /// one's decrement would then wrap it.
    in_loop: bool,
    /// Whether to use every operator, memory and floats (else the first
    /// version's i32 add..xor only).
    full: bool,
}

impl Gen {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.rng.below(xs.len() as u64) as usize]
    }

    fn expr(&mut self, depth: u32, out: &mut String) {
        if self.full {
            return self.typed(Ty::I32, depth, out);
        }
        let pick = if depth == 0 { 0 } else { self.rng.below(8) };
        match pick {
            0..=2 => {
                let k = self.rng.below(DATA as u64);
                write!(out, "(local.get $p{k})").unwrap();
            }
            3..=5 => {
                let op = OPS[self.rng.below(6) as usize];
                write!(out, "(i32.{op} ").unwrap();
                self.expr(depth - 1, out);
                self.expr(depth - 1, out);
                out.push(')');
            }
            6 => {
                out.push_str("(call $mix ");
                self.expr(depth - 1, out);
                self.expr(depth - 1, out);
                out.push(')');
            }
            _ => {
                // A two-result call feeding one binary operator.
                let op = OPS[self.rng.below(6) as usize];
                write!(out, "(i32.{op} (call $pair ").unwrap();
                self.expr(depth - 1, out);
                self.expr(depth - 1, out);
                out.push_str("))");
            }
        }
    }

    /// An edge-heavy constant of `t`.
    fn konst(&mut self, t: Ty, out: &mut String) {
        let n = t.name();
        match t {
            Ty::I32 | Ty::I64 => {
                let k: i64 = match self.rng.below(6) {
                    0 => 0,
                    1 => 1,
                    2 => -1,
                    3 => i64::from(i32::MIN),
                    4 => i64::MIN,
                    _ => self.rng.next() as i64 >> self.rng.below(64),
                };
                let k = if t == Ty::I32 { i64::from(k as i32) } else { k };
                write!(out, "({n}.const {k})").unwrap();
            }
            _ => {
                let k = [
                    "0",
                    "-0",
                    "1",
                    "-1.5",
                    "0.5",
                    "inf",
                    "-inf",
                    "nan",
                    "2147483648",
                    "-2147483649",
                    "4294967296",
                    "9223372036854775808",
                    "1e-40",
                    "1e30",
                ];
                let k = self.pick(&k);
                write!(out, "({n}.const {k})").unwrap();
            }
        }
    }

    /// An address for an access of type `t`: integers in [0, 0x800) or at
    /// the end of the page (partly out of bounds), floats in their own
    /// [0x8000, 0x8800) so a NaN's bits are never read back as an integer.
    fn addr(&mut self, t: Ty, depth: u32, out: &mut String) {
        let base = if t.is_int() {
            if self.rng.below(4) == 0 { 65528 } else { 0 }
        } else {
            0x8000
        };
        let mask = if base == 65528 { 15 } else { 0x7ff };
        write!(
            out,
            "(i32.add (i32.const {base}) (i32.and (i32.const {mask}) "
        )
        .unwrap();
        self.typed(Ty::I32, depth, out);
        out.push_str("))");
    }

    /// An expression of type `t` over every operator kind.
    fn typed(&mut self, t: Ty, depth: u32, out: &mut String) {
        let n = t.name();
        let pick = if depth == 0 {
            self.rng.below(2)
        } else {
            self.rng.below(12)
        };
        let d = depth.saturating_sub(1);
        match (pick, t) {
            (0, Ty::I32) => {
                let k = self.rng.below(DATA as u64);
                write!(out, "(local.get $p{k})").unwrap();
            }
            (0, Ty::I64) => {
                let k = self.rng.below(DATA as u64);
                write!(out, "(i64.extend_i32_s (local.get $p{k}))").unwrap();
            }
            (0, _) => {
                let k = self.rng.below(DATA as u64);
                write!(out, "({n}.convert_i32_s (local.get $p{k}))").unwrap();
            }
            (1, _) => self.konst(t, out),
            (2 | 3, _) => {
                let op = if t.is_int() {
                    self.pick(&INT_BIN)
                } else {
                    self.pick(&FLOAT_BIN)
                };
                write!(out, "({n}.{op} ").unwrap();
                self.typed(t, d, out);
                self.typed(t, d, out);
                out.push(')');
            }
            (4, _) => {
                let op = if t.is_int() {
                    self.pick(&INT_UN)
                } else {
                    self.pick(&FLOAT_UN)
                };
                write!(out, "({n}.{op} ").unwrap();
                self.typed(t, d, out);
                out.push(')');
            }
            (5, Ty::I32) => {
                // A comparison at any type, or eqz.
                let c = TYS[self.rng.below(4) as usize];
                let cn = c.name();
                if c.is_int() && self.rng.below(4) == 0 {
                    write!(out, "({cn}.eqz ").unwrap();
                    self.typed(c, d, out);
                } else {
                    let op = if c.is_int() {
                        self.pick(&INT_CMP)
                    } else {
                        self.pick(&FLOAT_CMP)
                    };
                    write!(out, "({cn}.{op} ").unwrap();
                    self.typed(c, d, out);
                    self.typed(c, d, out);
                }
                out.push(')');
            }
            (6, _) => {
                // A conversion into `t` from another type.
                let from = TYS[self.rng.below(4) as usize];
                let fname = from.name();
                let s = if self.rng.below(2) == 0 { "s" } else { "u" };
                let op = match (t, from) {
                    (Ty::I32, Ty::I64) => "i32.wrap_i64".to_string(),
                    (Ty::I64, Ty::I32) => format!("i64.extend_i32_{s}"),
                    (Ty::I64, Ty::I64) => "i64.extend32_s".to_string(),
                    (Ty::I32 | Ty::I64, Ty::F32 | Ty::F64) => {
                        let sat = if self.rng.below(2) == 0 { "sat_" } else { "" };
                        format!("{n}.trunc_{sat}{fname}_{s}")
                    }
                    (Ty::F32, Ty::F64) => "f32.demote_f64".to_string(),
                    (Ty::F64, Ty::F32) => "f64.promote_f32".to_string(),
                    (Ty::F32 | Ty::F64, Ty::I32 | Ty::I64) => {
                        if self.rng.below(4) == 0 {
                            // Integer bits as a float (the other way
                            // round would expose a NaN's open bits).
                            let w = if t == Ty::F32 { "i32" } else { "i64" };
                            write!(out, "({n}.reinterpret_{w} ").unwrap();
                            self.typed(if t == Ty::F32 { Ty::I32 } else { Ty::I64 }, d, out);
                            out.push(')');
                            return;
                        }
                        format!("{n}.convert_{fname}_{s}")
                    }
                    _ => {
                        return self.typed(t, d, out);
                    }
                };
                write!(out, "({op} ").unwrap();
                self.typed(from, d, out);
                out.push(')');
            }
            (7, _) => {
                out.push_str("(select ");
                self.typed(t, d, out);
                self.typed(t, d, out);
                self.typed(Ty::I32, d, out);
                out.push(')');
            }
            (8 | 9, _) => {
                // A load, possibly narrow and extending.
                let op = match t {
                    Ty::I32 => self.pick(&["load", "load8_s", "load8_u", "load16_s", "load16_u"]),
                    Ty::I64 => self.pick(&[
                        "load", "load8_s", "load8_u", "load16_s", "load16_u", "load32_s",
                        "load32_u",
                    ]),
                    _ => "load",
                };
                let off = self.pick(&["0", "1", "3", "8"]);
                write!(out, "({n}.{op} offset={off} ").unwrap();
                self.addr(t, d, out);
                out.push(')');
            }
            (10, Ty::I32) => {
                out.push_str("(call $mix ");
                self.typed(Ty::I32, d, out);
                self.typed(Ty::I32, d, out);
                out.push(')');
            }
            _ => self.typed(t, d, out),
        }
    }

    /// A store of a random type and width.
    fn store(&mut self, out: &mut String) {
        let t = TYS[self.rng.below(4) as usize];
        let n = t.name();
        let op = match t {
            Ty::I32 => self.pick(&["store", "store8", "store16"]),
            Ty::I64 => self.pick(&["store", "store8", "store16", "store32"]),
            _ => "store",
        };
        let off = self.pick(&["0", "2", "5"]);
        write!(out, "({n}.{op} offset={off} ").unwrap();
        self.addr(t, 1, out);
        self.typed(t, 2, out);
        out.push(')');
    }

    fn stmts(&mut self, depth: u32, out: &mut String) {
        for _ in 0..1 + self.rng.below(3) {
            self.stmt(depth, out);
        }
    }

    fn stmt(&mut self, depth: u32, out: &mut String) {
        let pick = if depth == 0 { 0 } else { self.rng.below(6) };
        if self.full && self.rng.below(4) == 0 {
            return self.store(out);
        }
        match pick {
            0 | 1 => {
                let k = self.rng.below(DATA as u64);
                write!(out, "(local.set $p{k} ").unwrap();
                self.expr(3, out);
                out.push(')');
            }
            2 => {
                out.push_str("(if ");
                self.expr(2, out);
                out.push_str(" (then ");
                self.stmts(depth - 1, out);
                out.push_str(") (else ");
                self.stmts(depth - 1, out);
                out.push_str("))");
            }
            3 => {
                self.labels += 1;
                let l = self.labels;
                write!(out, "(block $b{l} ").unwrap();
                self.stmts(depth - 1, out);
                write!(out, "(br_if $b{l} ").unwrap();
                self.expr(2, out);
                out.push(')');
                self.stmts(depth - 1, out);
                out.push(')');
            }
            4 if !self.in_loop => {
                // Runs at most $c times in total ($c only decreases).
                self.labels += 1;
                let l = self.labels;
                write!(out, "(if (local.get $c) (then (loop $l{l} ").unwrap();
                self.in_loop = true;
                self.stmts(depth - 1, out);
                self.in_loop = false;
                write!(
                    out,
                    "(local.set $c (i32.sub (local.get $c) (local.get $one))) (br_if $l{l} (local.get $c)))))"
                )
                .unwrap();
            }
            _ => {
                self.labels += 1;
                let l = self.labels;
                write!(
                    out,
                    "(block $t{l}a (block $t{l}b (block $t{l}c (br_table $t{l}c $t{l}b $t{l}a "
                )
                .unwrap();
                self.expr(1, out);
                out.push_str(")) ");
                self.stmts(depth - 1, out);
                out.push_str(") ");
                self.stmts(depth - 1, out);
                out.push(')');
            }
        }
    }

    fn module(&mut self, funcs: usize) -> String {
        let mut m = String::from(
            "(module
  (memory 1)
  (func $mix (param i32 i32) (result i32)
    (i32.xor (i32.mul (local.get 0) (local.get 1)) (i32.sub (local.get 0) (local.get 1))))
  (func $pair (param i32 i32) (result i32 i32)
    (i32.add (local.get 0) (local.get 1)) (i32.and (local.get 0) (local.get 1)))
  (func $wide (param i64 i64 i64) (result i64 i64 i64)
    (i64.mul (local.get 0) (local.get 1)) (i64.or (local.get 2) (local.get 0)) (i64.sub (local.get 1) (local.get 2)))
",
        );
        for f in 0..funcs {
            write!(
                m,
                "  (func (export \"f{f}\") (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $one i32) (param $c i32) (result i32)\n    "
            )
            .unwrap();
            self.stmts(3, &mut m);
            m.push_str("\n    ");
            self.expr(3, &mut m);
            m.push_str(")\n");
        }
        m.push_str("  (export \"wide\" (func $wide)))\n");
        m
    }
}

/// Compiles and runs the programs of `seeds`; returns the compile time,
/// the number of functions compiled, calls and calls that trapped.
fn run(
    full: bool,
    seeds: std::ops::RangeInclusive<u64>,
) -> (std::time::Duration, usize, usize, usize) {
    let mut total = std::time::Duration::ZERO;
    let mut compiled = 0;
    let (mut calls, mut traps) = (0, 0);
    for seed in seeds {
        let mut g = Gen {
            rng: Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1),
            labels: 0,
            in_loop: false,
            full,
        };
        let funcs = 16;
        let wat = g.module(funcs);
        let bytes = wat::parse_str(&wat).unwrap_or_else(|e| panic!("seed {seed}: {e}\n{wat}"));
        let start = Instant::now();
        let module = compile_module(&bytes, &CompileOptions::default())
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{wat}"));
        total += start.elapsed();
        compiled += funcs + 3;
        let mut jit = Jit::instantiate(module);
        let omod = oracle::Module::new(&bytes).expect("oracle accepts");
        let mut store = oracle::Store::new(());
        let inst = store.instantiate(&omod, &[]).expect("instantiates");
        let edges = [0i32, 1, -1, 7, i32::MIN, i32::MAX, 0x5555_5555];
        for f in 0..funcs {
            let name = format!("f{f}");
            for _ in 0..6 {
                let mut args: Vec<i32> =
                    (0..DATA).map(|_| edges[g.rng.below(7) as usize]).collect();
                args[g.rng.below(DATA as u64) as usize] = g.rng.next() as i32;
                args.push(1);
                args.push(g.rng.below(5) as i32);
                let oargs: Vec<oracle::Value> =
                    args.iter().map(|&a| oracle::Value::I32(a)).collect();
                let Some(oracle::Extern::Func(func)) = store.get_export(inst, &name) else {
                    panic!("no export {name}");
                };
                let want = store
                    .invoke(func, &oargs)
                    .map(|v| v.into_iter().map(raw).collect::<Vec<u64>>())
                    .map_err(|t| trap_code(t.kind));
                if !full {
                    assert!(want.is_ok(), "seed {seed} {name}: oracle trapped {want:?}");
                }
                let raw_args: Vec<u64> = args.iter().map(|&a| u64::from(a as u32)).collect();
                let got = jit.call(&name, &raw_args);
                let got = got.map(|v| v.into_iter().map(|x| x & 0xffff_ffff).collect());
                assert_eq!(got, want, "seed {seed} {name}{args:?}\n{wat}");
                calls += 1;
                traps += usize::from(want.is_err());
            }
        }
        let Some(oracle::Extern::Func(wide)) = store.get_export(inst, "wide") else {
            panic!("no export wide");
        };
        let a = [g.rng.next(), g.rng.next(), g.rng.next()];
        let oargs: Vec<oracle::Value> = a.iter().map(|&x| oracle::Value::I64(x as i64)).collect();
        let want: Vec<u64> = store
            .invoke(wide, &oargs)
            .expect("no trap")
            .into_iter()
            .map(raw)
            .collect();
        assert_eq!(jit.call("wide", &a), Ok(want), "seed {seed} wide");
    }
    (total, compiled, calls, traps)
}

#[test]
fn random_programs_agree_with_the_interpreter() {
    let (total, compiled, calls, _) = run(false, 1..=12);
    eprintln!(
        "i32 add..xor: compiled {compiled} functions in {:?} ({:?} per function), {calls} calls",
        total,
        total / compiled as u32
    );
}

/// Every operator kind: integer and float arithmetic, comparisons,
/// conversions (trapping and saturating), select, constants, loads and
/// stores in and out of bounds; traps must agree too.
#[test]
fn random_programs_with_every_operator_agree_with_the_interpreter() {
    let (total, compiled, calls, traps) = run(true, 1..=40);
    eprintln!(
        "all operators: compiled {compiled} functions in {:?} ({:?} per function), {calls} calls, {traps} trapped",
        total,
        total / compiled as u32
    );
    assert!(
        traps > 0 && traps < calls,
        "{traps} of {calls} calls trapped"
    );
}
