//! Random programs built from the operators that have proven rules (i32/i64
//! add, sub, mul, and, or, xor) plus locals, block/loop/br/br_if/br_table,
//! if/else, direct calls and multi-value, compiled and run against the
//! reference interpreter. Also reports the compile time.

#[allow(dead_code)] // shared by several test crates, each using part of it
mod jit_harness;

use jit_harness::Jit;
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
/// Locals $p0..$p3 hold data, $one holds 1 and $c a small loop budget.
const DATA: usize = 4;

struct Gen {
    rng: Rng,
    labels: usize,
    /// Loops do not nest: an inner loop could zero `$c` and the outer
    /// one's decrement would then wrap it.
    in_loop: bool,
}

impl Gen {
    fn expr(&mut self, depth: u32, out: &mut String) {
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

    fn stmts(&mut self, depth: u32, out: &mut String) {
        for _ in 0..1 + self.rng.below(3) {
            self.stmt(depth, out);
        }
    }

    fn stmt(&mut self, depth: u32, out: &mut String) {
        let pick = if depth == 0 { 0 } else { self.rng.below(6) };
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

fn raw(v: oracle::Value) -> u64 {
    match v {
        oracle::Value::I32(x) => u64::from(x as u32),
        oracle::Value::I64(x) => x as u64,
        other => panic!("unexpected value {other:?}"),
    }
}

#[test]
fn random_programs_agree_with_the_interpreter() {
    let mut total = std::time::Duration::ZERO;
    let mut compiled = 0;
    for seed in 1..=12u64 {
        let mut g = Gen {
            rng: Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1),
            labels: 0,
            in_loop: false,
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
                let want: Vec<u64> = store
                    .invoke(func, &oargs)
                    .unwrap_or_else(|t| panic!("seed {seed} {name}: oracle trapped {:?}", t.kind))
                    .into_iter()
                    .map(raw)
                    .collect();
                let raw_args: Vec<u64> = args.iter().map(|&a| u64::from(a as u32)).collect();
                let got = jit.call(&name, &raw_args);
                assert_eq!(got, Ok(want), "seed {seed} {name}{args:?}\n{wat}");
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
    eprintln!(
        "compiled {compiled} functions in {:?} ({:?} per function)",
        total,
        total / compiled as u32
    );
}
