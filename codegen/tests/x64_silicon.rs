//! Silicon tests: every instruction spec in `isle-rules/x64/inst.isle` is
//! checked against the CPU. Each instruction is encoded by our encoder into
//! a small harness, run natively on edge and seeded random inputs, and its
//! outputs (destination register, flags) are compared with the spec
//! evaluated by `wasmproof_verifier::concrete`. A disagreement is a bug in
//! the spec (or the encoder, or the SMT encoding): fix it, never skip.

#![cfg(target_arch = "x86_64")]

mod x64_harness;

use wasmproof_codegen::x64::inst::{
    AluOp, CountOp, ExtFrom, Float, LoadOp, ShiftOp, SseOp, UnaryOp,
};
use wasmproof_codegen::x64::{CC, Gpr, Inst, Size};
use wasmproof_verifier::concrete::{ConcreteOutput, ConcreteValue, bv, ty, variant};
use wasmproof_verifier::verdict::ModelValue;
use x64_harness::values::{F32_EDGES, F64_EDGES, Rng};
use x64_harness::{
    CF, Case, MEMORY_REGS, OF, Out, PF, SF, ZF, check, evaluator, evaluator_with_memory,
    flags_value, run_idiv_rem_unless, run_memory, run_memory_xmm, run_trap_if,
};

/// Random inputs per instruction form (edge values are mixed in by `Rng`).
const N: usize = 200;

fn size_of(r: &mut Rng) -> Size {
    if r.below(2) == 0 {
        Size::S32
    } else {
        Size::S64
    }
}

fn tyv(size: Size) -> ConcreteValue {
    ty(i128::from(size.bits()))
}

fn r64(v: u64) -> ConcreteValue {
    bv(64, u128::from(v))
}

fn x128(v: u128) -> ConcreteValue {
    bv(128, v)
}

fn run(name: &str, cases: Vec<Case>) {
    let start = std::time::Instant::now();
    let mut ev = evaluator();
    let n = cases.len();
    let t = check(&mut ev, &cases);
    eprintln!(
        "{name}: {n} cases ({} executed, {} #DE by spec) in {:.2?}",
        t.executed,
        t.traps,
        start.elapsed()
    );
}

fn integer_alu_cases() -> Vec<Case> {
    let mut r = Rng::new(1);
    let mut cases = Vec::new();
    let ops = [
        AluOp::Add,
        AluOp::Sub,
        AluOp::Imul,
        AluOp::And,
        AluOp::Or,
        AluOp::Xor,
        AluOp::Cmp,
        AluOp::Test,
    ];
    for op in ops {
        for _ in 0..N {
            let size = size_of(&mut r);
            let g = r.gprs(2, &[]);
            let (a, b) = (r.int(), r.int());
            let inst = Inst::AluRR {
                op,
                size,
                dst: g[0],
                src: g[1],
            };
            let term = inst.term().expect("term");
            let args = vec![tyv(size), r64(a), r64(b)];
            // One run checks both outputs where the flags are specified too.
            let flags_term = match op {
                AluOp::Add => Some("x64_add_flags"),
                AluOp::Sub => Some("x64_cmp"),
                AluOp::And => Some("x64_test"),
                _ => None,
            };
            let mut outs = vec![];
            if matches!(op, AluOp::Cmp | AluOp::Test) {
                outs.push((Out::Flags, term, args.clone()));
            } else {
                outs.push((Out::Gpr(g[0]), term, args.clone()));
            }
            if let Some(f) = flags_term {
                outs.push((Out::Flags, f, args));
            }
            cases.push(Case {
                inst,
                gpr_in: vec![(g[0], a), (g[1], b)],
                xmm_in: vec![],
                flags_in: None,
                outs,
            });
        }
    }
    for op in [
        AluOp::Add,
        AluOp::Sub,
        AluOp::And,
        AluOp::Or,
        AluOp::Xor,
        AluOp::Cmp,
        AluOp::Test,
    ] {
        for _ in 0..N {
            let size = size_of(&mut r);
            let g = r.gprs(1, &[]);
            let a = r.int();
            let imm = r.int() as u32 as i32;
            let inst = Inst::AluRI {
                op,
                size,
                dst: g[0],
                imm,
            };
            let term = inst.term().expect("term");
            let out = if matches!(op, AluOp::Cmp | AluOp::Test) {
                Out::Flags
            } else {
                Out::Gpr(g[0])
            };
            cases.push(Case {
                inst,
                gpr_in: vec![(g[0], a)],
                xmm_in: vec![],
                flags_in: None,
                outs: vec![(
                    out,
                    term,
                    vec![tyv(size), r64(a), bv(32, u128::from(imm as u32))],
                )],
            });
        }
    }
    for _ in 0..N {
        let size = size_of(&mut r);
        let g = r.gprs(2, &[]);
        let a = r.int();
        let imm = r.int() as u32 as i32;
        cases.push(Case {
            inst: Inst::ImulImm {
                size,
                dst: g[0],
                src: g[1],
                imm,
            },
            gpr_in: vec![(g[1], a)],
            xmm_in: vec![],
            flags_in: None,
            outs: vec![(
                Out::Gpr(g[0]),
                "x64_imul_imm",
                vec![tyv(size), r64(a), bv(32, u128::from(imm as u32))],
            )],
        });
    }
    for op in [UnaryOp::Neg, UnaryOp::Not] {
        for _ in 0..N {
            let size = size_of(&mut r);
            let g = r.gprs(1, &[]);
            let a = r.int();
            let inst = Inst::Unary {
                op,
                size,
                reg: g[0],
            };
            cases.push(Case {
                inst,
                gpr_in: vec![(g[0], a)],
                xmm_in: vec![],
                flags_in: None,
                outs: vec![(
                    Out::Gpr(g[0]),
                    inst.term().expect("term"),
                    vec![tyv(size), r64(a)],
                )],
            });
        }
    }
    for op in [CountOp::Lzcnt, CountOp::Tzcnt, CountOp::Popcnt] {
        for _ in 0..N {
            let size = size_of(&mut r);
            let g = r.gprs(2, &[]);
            let a = r.int();
            let inst = Inst::BitCount {
                op,
                size,
                dst: g[0],
                src: g[1],
            };
            cases.push(Case {
                inst,
                gpr_in: vec![(g[0], r.next()), (g[1], a)],
                xmm_in: vec![],
                flags_in: None,
                outs: vec![(
                    Out::Gpr(g[0]),
                    inst.term().expect("term"),
                    vec![tyv(size), r64(a)],
                )],
            });
        }
    }
    cases
}

fn shifts_and_rotates_cases() -> Vec<Case> {
    let mut r = Rng::new(2);
    let mut cases = Vec::new();
    for op in [
        ShiftOp::Shl,
        ShiftOp::Shr,
        ShiftOp::Sar,
        ShiftOp::Rol,
        ShiftOp::Ror,
    ] {
        for i in 0..N {
            let size = size_of(&mut r);
            let g = r.gprs(1, &[Gpr::RCX]);
            let a = r.int();
            // Every count 0..=255 at least once across the two forms.
            let c = if i < 128 {
                (i * 2) as u8
            } else {
                r.next() as u8
            };
            let inst = Inst::ShiftImm {
                op,
                size,
                reg: g[0],
                imm: c,
            };
            cases.push(Case {
                inst,
                gpr_in: vec![(g[0], a)],
                xmm_in: vec![],
                flags_in: None,
                outs: vec![(
                    Out::Gpr(g[0]),
                    inst.term().expect("term"),
                    vec![tyv(size), r64(a), bv(8, u128::from(c))],
                )],
            });
            let cl = if i < 128 {
                (i * 2 + 1) as u64 | (r.next() << 8)
            } else {
                r.next()
            };
            let inst = Inst::ShiftCl {
                op,
                size,
                reg: g[0],
            };
            cases.push(Case {
                inst,
                gpr_in: vec![(g[0], a), (Gpr::RCX, cl)],
                xmm_in: vec![],
                flags_in: None,
                outs: vec![(
                    Out::Gpr(g[0]),
                    inst.term().expect("term"),
                    vec![tyv(size), r64(a), r64(cl)],
                )],
            });
        }
    }
    cases
}

fn moves_extensions_and_lea_cases() -> Vec<Case> {
    let mut r = Rng::new(3);
    let mut cases = Vec::new();
    for _ in 0..N {
        let size = size_of(&mut r);
        let g = r.gprs(2, &[]);
        let a = r.int();
        cases.push(Case {
            inst: Inst::Mov {
                size,
                dst: g[0],
                src: g[1],
            },
            gpr_in: vec![(g[0], r.next()), (g[1], a)],
            xmm_in: vec![],
            flags_in: None,
            outs: vec![(Out::Gpr(g[0]), "x64_mov", vec![tyv(size), r64(a)])],
        });
        let imm = match size {
            Size::S32 => r.int() & 0xffff_ffff,
            Size::S64 => r.int(),
        };
        cases.push(Case {
            inst: Inst::MovImm {
                size,
                dst: g[0],
                imm,
            },
            gpr_in: vec![(g[0], r.next())],
            xmm_in: vec![],
            flags_in: None,
            outs: vec![(Out::Gpr(g[0]), "x64_mov_imm", vec![tyv(size), r64(imm)])],
        });
        let (from, fb) = r.pick(&[(ExtFrom::B8, 8), (ExtFrom::B16, 16)]);
        cases.push(Case {
            inst: Inst::Movzx {
                from,
                dst: g[0],
                src: g[1],
            },
            gpr_in: vec![(g[0], r.next()), (g[1], a)],
            xmm_in: vec![],
            flags_in: None,
            outs: vec![(Out::Gpr(g[0]), "x64_movzx", vec![ty(fb), r64(a)])],
        });
        let (from, fb, to) = r.pick(&[
            (ExtFrom::B8, 8, Size::S32),
            (ExtFrom::B8, 8, Size::S64),
            (ExtFrom::B16, 16, Size::S32),
            (ExtFrom::B16, 16, Size::S64),
            (ExtFrom::B32, 32, Size::S64),
        ]);
        cases.push(Case {
            inst: Inst::Movsx {
                from,
                to,
                dst: g[0],
                src: g[1],
            },
            gpr_in: vec![(g[0], r.next()), (g[1], a)],
            xmm_in: vec![],
            flags_in: None,
            outs: vec![(Out::Gpr(g[0]), "x64_movsx", vec![ty(fb), tyv(to), r64(a)])],
        });
        // lea: base and index any register but rsp; the destination may be
        // one of them.
        let g = r.gprs(2, &[]);
        let other = r.gprs(1, &g)[0];
        let dst = r.pick(&[g[0], g[1], other]);
        let (base, index) = (r.int(), r.int());
        let shift = r.below(4) as u8;
        let (d1, d2) = (r.next() as i32, r.next() as i8 as i32);
        let disp = r.pick(&[0, 1, -1, 0x7fff_ffff, i32::MIN, d1, d2]);
        for addr32 in [false, true] {
            let inst = Inst::Lea {
                addr32,
                dst,
                base: g[0],
                index: g[1],
                shift,
                disp,
            };
            cases.push(Case {
                inst,
                gpr_in: vec![(g[0], base), (g[1], index)],
                xmm_in: vec![],
                flags_in: None,
                outs: vec![(
                    Out::Gpr(dst),
                    inst.term().expect("term"),
                    vec![
                        r64(base),
                        r64(index),
                        bv(8, u128::from(shift)),
                        bv(32, u128::from(disp as u32)),
                    ],
                )],
            });
        }
    }
    cases
}

fn conditions_cases() -> Vec<Case> {
    let mut r = Rng::new(4);
    let mut cases = Vec::new();
    // Every condition code against all 32 combinations of the five flags.
    for cc in CC::ALL {
        for bits in 0..32u64 {
            let flags = [CF, PF, ZF, SF, OF]
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .fold(0, |acc, (_, f)| acc | f);
            let g = r.gprs(2, &[]);
            let (old, a, b) = (r.int(), r.int(), r.int());
            cases.push(Case {
                inst: Inst::Setcc { cc, dst: g[0] },
                gpr_in: vec![(g[0], old)],
                xmm_in: vec![],
                flags_in: Some(flags),
                outs: vec![(
                    Out::Gpr(g[0]),
                    "x64_setcc",
                    vec![variant(cc.index().into()), flags_value(flags), r64(old)],
                )],
            });
            let size = size_of(&mut r);
            cases.push(Case {
                inst: Inst::Cmov {
                    cc,
                    size,
                    dst: g[0],
                    src: g[1],
                },
                gpr_in: vec![(g[0], a), (g[1], b)],
                xmm_in: vec![],
                flags_in: Some(flags),
                outs: vec![(
                    Out::Gpr(g[0]),
                    "x64_cmov",
                    vec![
                        tyv(size),
                        variant(cc.index().into()),
                        flags_value(flags),
                        r64(a),
                        r64(b),
                    ],
                )],
            });
        }
    }
    cases
}

fn division_cases() -> Vec<Case> {
    let mut r = Rng::new(5);
    let mut cases = Vec::new();
    for signed in [false, true] {
        for i in 0..N * 2 {
            let size = size_of(&mut r);
            let d_reg = r.gprs(1, &[Gpr::RAX, Gpr::RDX])[0];
            let lo = r.int();
            // Mostly a high half that makes a representable quotient: zero
            // or the sign of lo; sometimes anything (overflow -> #DE).
            let hi = match i % 4 {
                0 => 0,
                1 => {
                    let neg = match size {
                        Size::S32 => lo & 0x8000_0000 != 0,
                        Size::S64 => lo >> 63 != 0,
                    };
                    if neg { u64::MAX } else { 0 }
                }
                2 => r.int() >> r.below(64),
                _ => r.int(),
            };
            let d = if i % 17 == 0 {
                r.next() & !0xffff_ffff
            } else {
                r.int()
            };
            let (tq, tr) = if signed {
                ("x64_idiv_quot", "x64_idiv_rem")
            } else {
                ("x64_div_quot", "x64_div_rem")
            };
            // Trap state 0: reached with no earlier check fired.
            let args = vec![tyv(size), bv(8, 0), r64(hi), r64(lo), r64(d)];
            cases.push(Case {
                inst: Inst::Div {
                    signed,
                    size,
                    divisor: d_reg,
                },
                gpr_in: vec![(Gpr::RDX, hi), (Gpr::RAX, lo), (d_reg, d)],
                xmm_in: vec![],
                flags_in: None,
                outs: vec![
                    (Out::Gpr(Gpr::RAX), tq, args.clone()),
                    (Out::Gpr(Gpr::RDX), tr, args),
                ],
            });
        }
    }
    for _ in 0..N {
        let size = size_of(&mut r);
        let a = r.int();
        cases.push(Case {
            inst: Inst::SignExtendAx { size },
            gpr_in: vec![(Gpr::RAX, a), (Gpr::RDX, r.next())],
            xmm_in: vec![],
            flags_in: None,
            outs: vec![(
                Out::Gpr(Gpr::RDX),
                "x64_sign_extend_ax",
                vec![tyv(size), r64(a)],
            )],
        });
    }
    cases
}

/// Whether `div`/`idiv` raise #DE, by plain integer arithmetic.
fn divide_error(signed: bool, size: Size, hi: u64, lo: u64, d: u64) -> bool {
    match (signed, size) {
        (false, Size::S32) => {
            let n = (hi & 0xffff_ffff) << 32 | (lo & 0xffff_ffff);
            let d = d & 0xffff_ffff;
            d == 0 || n / d > u64::from(u32::MAX)
        }
        (false, Size::S64) => {
            let n = u128::from(hi) << 64 | u128::from(lo);
            d == 0 || n / u128::from(d) > u128::from(u64::MAX)
        }
        (true, Size::S32) => {
            let n = ((hi & 0xffff_ffff) << 32 | (lo & 0xffff_ffff)) as i64;
            let d = i64::from(d as u32 as i32);
            match n.checked_div(d) {
                None => true,
                Some(q) => i32::try_from(q).is_err(),
            }
        }
        (true, Size::S64) => {
            let n = (u128::from(hi) << 64 | u128::from(lo)) as i128;
            let d = i128::from(d as i64);
            match n.checked_div(d) {
                None => true,
                Some(q) => i64::try_from(q).is_err(),
            }
        }
    }
}

/// Pairs of low-lane values: a cross product of some edge values, then
/// random ones.
fn float_pairs(r: &mut Rng, float: Float) -> Vec<(u128, u128)> {
    let mut out = Vec::new();
    match float {
        Float::F32 => {
            let e: Vec<u32> = F32_EDGES.iter().step_by(2).copied().collect();
            for a in &e {
                for b in &e {
                    out.push((u128::from(*a), u128::from(*b)));
                }
            }
            for _ in 0..N {
                out.push((u128::from(r.f32()), u128::from(r.f32())));
            }
        }
        Float::F64 => {
            let e: Vec<u64> = F64_EDGES.iter().step_by(2).copied().collect();
            for a in &e {
                for b in &e {
                    out.push((u128::from(*a), u128::from(*b)));
                }
            }
            for _ in 0..N {
                out.push((u128::from(r.f64()), u128::from(r.f64())));
            }
        }
    }
    out
}

fn lane(float: Float) -> u32 {
    match float {
        Float::F32 => 32,
        Float::F64 => 64,
    }
}

fn sse_cases(r: &mut Rng, ops: &[(SseOp, Float)]) -> Vec<Case> {
    let mut cases = Vec::new();
    for &(op, float) in ops {
        for (a, b) in float_pairs(r, float) {
            let x = r.xmms(2);
            let (a, b) = (r.xmm_with(a, lane(float)), r.xmm_with(b, lane(float)));
            let inst = Inst::Sse {
                op,
                dst: x[0],
                src: x[1],
            };
            let out = if matches!(op, SseOp::Ucomiss | SseOp::Ucomisd) {
                Out::Flags
            } else {
                Out::Xmm(x[0])
            };
            cases.push(Case {
                inst,
                gpr_in: vec![],
                xmm_in: vec![(x[0], a), (x[1], b)],
                flags_in: None,
                outs: vec![(out, inst.term().expect("term"), vec![x128(a), x128(b)])],
            });
        }
    }
    cases
}

fn sse_arithmetic_f32_cases() -> Vec<Case> {
    let mut r = Rng::new(6);
    use SseOp::*;
    let ops: Vec<(SseOp, Float)> = [Addss, Subss, Mulss, Divss, Sqrtss, Minss, Maxss, Ucomiss]
        .iter()
        .map(|o| (*o, Float::F32))
        .collect();
    sse_cases(&mut r, &ops)
}

fn sse_arithmetic_f64_cases() -> Vec<Case> {
    let mut r = Rng::new(7);
    use SseOp::*;
    let ops: Vec<(SseOp, Float)> = [Addsd, Subsd, Mulsd, Divsd, Sqrtsd, Minsd, Maxsd, Ucomisd]
        .iter()
        .map(|o| (*o, Float::F64))
        .collect();
    sse_cases(&mut r, &ops)
}

fn sse_conversions_rounding_and_bits_cases() -> Vec<Case> {
    let mut r = Rng::new(8);
    let mut cases = sse_cases(
        &mut r,
        &[
            (SseOp::Cvtss2sd, Float::F32),
            (SseOp::Cvtsd2ss, Float::F64),
            (SseOp::Andps, Float::F64),
            (SseOp::Andnps, Float::F64),
            (SseOp::Orps, Float::F64),
            (SseOp::Xorps, Float::F32),
        ],
    );
    for float in [Float::F32, Float::F64] {
        for (a, b) in float_pairs(&mut r, float) {
            let x = r.xmms(2);
            let (a, b) = (r.xmm_with(a, lane(float)), r.xmm_with(b, lane(float)));
            let imm = r.pick(&[0u8, 1, 2, 3, 8, 9, 10, 11]);
            let inst = Inst::Round {
                float,
                dst: x[0],
                src: x[1],
                imm,
            };
            cases.push(Case {
                inst,
                gpr_in: vec![],
                xmm_in: vec![(x[0], a), (x[1], b)],
                flags_in: None,
                outs: vec![(
                    Out::Xmm(x[0]),
                    inst.term().expect("term"),
                    vec![x128(a), x128(b), bv(8, u128::from(imm))],
                )],
            });
            let size = size_of(&mut r);
            let g = r.gprs(1, &[]);
            let inst = Inst::CvtFloatToInt {
                float,
                size,
                dst: g[0],
                src: x[1],
            };
            cases.push(Case {
                inst,
                gpr_in: vec![(g[0], r.next())],
                xmm_in: vec![(x[1], b)],
                flags_in: None,
                outs: vec![(
                    Out::Gpr(g[0]),
                    inst.term().expect("term"),
                    vec![tyv(size), x128(b)],
                )],
            });
            let i = r.int();
            let inst = Inst::CvtIntToFloat {
                float,
                size,
                dst: x[0],
                src: g[0],
            };
            cases.push(Case {
                inst,
                gpr_in: vec![(g[0], i)],
                xmm_in: vec![(x[0], a)],
                flags_in: None,
                outs: vec![(
                    Out::Xmm(x[0]),
                    inst.term().expect("term"),
                    vec![tyv(size), x128(a), r64(i)],
                )],
            });
            let inst = Inst::MovToXmm {
                size,
                dst: x[0],
                src: g[0],
            };
            cases.push(Case {
                inst,
                gpr_in: vec![(g[0], i)],
                xmm_in: vec![(x[0], a)],
                flags_in: None,
                outs: vec![(Out::Xmm(x[0]), "x64_movd_to_xmm", vec![tyv(size), r64(i)])],
            });
            let inst = Inst::MovToGpr {
                size,
                dst: g[0],
                src: x[1],
            };
            cases.push(Case {
                inst,
                gpr_in: vec![(g[0], r.next())],
                xmm_in: vec![(x[1], b)],
                flags_in: None,
                outs: vec![(Out::Gpr(g[0]), "x64_movd_to_gpr", vec![tyv(size), x128(b)])],
            });
        }
    }
    cases
}

#[test]
fn integer_alu() {
    run("integer_alu", integer_alu_cases());
}

#[test]
fn shifts_and_rotates() {
    run("shifts_and_rotates", shifts_and_rotates_cases());
}

#[test]
fn moves_extensions_and_lea() {
    run("moves_extensions_and_lea", moves_extensions_and_lea_cases());
}

#[test]
fn conditions() {
    run("conditions", conditions_cases());
}

#[test]
fn sse_arithmetic_f32() {
    run("sse_arithmetic_f32", sse_arithmetic_f32_cases());
}

#[test]
fn sse_arithmetic_f64() {
    run("sse_arithmetic_f64", sse_arithmetic_f64_cases());
}

#[test]
fn sse_conversions_rounding_and_bits() {
    run(
        "sse_conversions_rounding_and_bits",
        sse_conversions_rounding_and_bits_cases(),
    );
}

#[test]
fn division() {
    let cases = division_cases();
    // The spec's #DE cases are not run (the CPU would raise SIGFPE), so
    // check its #DE condition against plain integer arithmetic instead.
    let mut ev = evaluator();
    for c in &cases {
        let Inst::Div { signed, size, .. } = c.inst else {
            continue;
        };
        let (hi, lo, d) = (c.gpr_in[0].1, c.gpr_in[1].1, c.gpr_in[2].1);
        let (_, term, args) = &c.outs[0];
        let out = ev.eval(term, args).expect("eval");
        // The spec's `require` (no #DE when reached) is its #DE condition.
        let spec_de = !out.violated.is_empty();
        assert_eq!(
            spec_de,
            divide_error(signed, size, hi, lo, d),
            "{term} {args:?}"
        );
    }
    run("division", cases);
}

/// All 32 flag combinations for the five flags.
fn all_flags() -> impl Iterator<Item = u64> {
    (0..32u64).map(|bits| {
        [CF, PF, ZF, SF, OF]
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .fold(0, |acc, (_, f)| acc | f)
    })
}

/// `x64_trap_if`: the CPU takes the `jcc` exactly when the spec, reached
/// with no earlier trap, gives the check's code; and an earlier trap is kept.
#[test]
fn trap_if_branches() {
    let mut ev = evaluator();
    let mut n = 0;
    for cc in CC::ALL {
        for flags in all_flags() {
            let args = |code: u128, ts: u128| {
                vec![
                    variant(cc.index().into()),
                    flags_value(flags),
                    bv(8, code),
                    bv(8, ts),
                ]
            };
            let out = ev.eval("x64_trap_if", &args(5, 0)).expect("eval");
            let taken = run_trap_if(&Inst::Jcc { cc, rel: 5 }, flags);
            let want = if taken { bv(8, 5) } else { bv(8, 0) };
            assert_eq!(out.result, Some(want), "{cc:?} flags {flags:#x}");
            // Not reached after an earlier trap: that trap stands.
            let out = ev.eval("x64_trap_if", &args(5, 2)).expect("eval");
            assert_eq!(out.result, Some(bv(8, 2)), "{cc:?} flags {flags:#x}");
            n += 1;
        }
    }
    assert_eq!(n, 16 * 32);
}

/// `x64_jcc` (a `brif`'s jump): the CPU takes `jcc` exactly when the spec
/// says; and the condition with bit 0 flipped (how the emitter inverts a
/// branch to fall through to its first target) is taken exactly when not.
#[test]
fn jcc_branches() {
    let mut ev = evaluator();
    let mut n = 0;
    for cc in CC::ALL {
        let negated = CC::ALL[usize::from(cc.index() ^ 1)];
        for flags in all_flags() {
            let args = vec![variant(cc.index().into()), flags_value(flags)];
            let out = ev.eval("x64_jcc", &args).expect("eval");
            let taken = run_trap_if(&Inst::Jcc { cc, rel: 5 }, flags);
            assert_eq!(
                out.result,
                Some(ModelValue::Bool(taken)),
                "{cc:?} flags {flags:#x}"
            );
            let not_taken = run_trap_if(
                &Inst::Jcc {
                    cc: negated,
                    rel: 5,
                },
                flags,
            );
            assert_eq!(not_taken, !taken, "{negated:?} negates {cc:?}");
            n += 1;
        }
    }
    assert_eq!(n, 16 * 32);
}

/// `x64_idiv_rem_unless` (`jcc done; cqo; idiv d; done:`): the CPU's
/// remainder register equals the spec's result on every input the spec's
/// `require` admits (those where a reached `idiv` cannot fault), and the
/// inputs it rejects are exactly those where it would.
#[test]
fn idiv_rem_unless() {
    let mut r = Rng::new(11);
    let mut ev = evaluator();
    let (mut run, mut rejected) = (0, 0);
    for i in 0..4 * N {
        let size = size_of(&mut r);
        let cc = CC::ALL[r.below(16)];
        let flags = all_flags().nth(r.below(32)).expect("flags");
        let (min, minus1) = match size {
            Size::S32 => (0x8000_0000u64, 0xffff_ffffu64),
            Size::S64 => (1 << 63, u64::MAX),
        };
        let (lo, d) = match i % 5 {
            0 => (min, minus1),
            1 => (r.int(), 0),
            _ => (r.int(), r.int()),
        };
        let other = r.int();
        let args = vec![
            tyv(size),
            variant(cc.index().into()),
            flags_value(flags),
            bv(8, 0),
            r64(other),
            r64(lo),
            r64(d),
        ];
        let out = ev.eval("x64_idiv_rem_unless", &args).expect("eval");
        // Whether the CPU takes the skip (`trap_if_branches` ties this to
        // the spec's `cond`).
        let taken = run_trap_if(&Inst::Jcc { cc, rel: 5 }, flags);
        let faults = !taken && divide_error(true, size, sign_fill(size, lo), lo, d);
        assert_eq!(!out.violated.is_empty(), faults, "{args:?}");
        if faults {
            rejected += 1;
            continue;
        }
        let got = run_idiv_rem_unless(cc, size, flags, other, lo, d);
        assert_eq!(out.result, Some(r64(got)), "{args:?}");
        run += 1;
    }
    assert!(run > N && rejected > 0, "{run} run, {rejected} rejected");
}

/// The high half `cdq`/`cqo` makes for `lo`.
fn sign_fill(size: Size, lo: u64) -> u64 {
    match size {
        Size::S32 => ((lo as u32 as i32) >> 31) as u32 as u64,
        Size::S64 => ((lo as i64) >> 63) as u64,
    }
}

/// Two distinct registers `run_memory` may use.
fn memory_regs(r: &mut Rng) -> (Gpr, Gpr) {
    let pick = |r: &mut Rng| Gpr::new(MEMORY_REGS[r.below(MEMORY_REGS.len())]).expect("gpr");
    let a = pick(r);
    loop {
        let b = pick(r);
        if b != a {
            return (a, b);
        }
    }
}

fn ext_ty(from: ExtFrom) -> ConcreteValue {
    ty(match from {
        ExtFrom::B8 => 8,
        ExtFrom::B16 => 16,
        ExtFrom::B32 => 32,
    })
}

/// Every integer load form with the bytes it reads.
const LOAD_OPS: [(LoadOp, u128); 9] = [
    (LoadOp::Mov(Size::S32), 4),
    (LoadOp::Mov(Size::S64), 8),
    (LoadOp::Movzx(ExtFrom::B8), 1),
    (LoadOp::Movzx(ExtFrom::B16), 2),
    (LoadOp::Movsx(ExtFrom::B8, Size::S32), 1),
    (LoadOp::Movsx(ExtFrom::B8, Size::S64), 1),
    (LoadOp::Movsx(ExtFrom::B16, Size::S32), 2),
    (LoadOp::Movsx(ExtFrom::B16, Size::S64), 2),
    (LoadOp::Movsx(ExtFrom::B32, Size::S64), 4),
];

/// Loads: the register the CPU leaves equals the spec's result for the
/// bytes in memory (`mem_bytes` pinned to them), and the spec records the
/// access at the address the instruction was given, with the byte count
/// of the instruction's operand.
#[test]
fn loads() {
    let mut r = Rng::new(9);
    let mut n = 0;
    for _ in 0..24 {
        let mem = r.int();
        let mut ev = evaluator_with_memory(mem);
        for (op, bytes) in LOAD_OPS {
            let (dst, base) = memory_regs(&mut r);
            let inst = Inst::Load { op, dst, base };
            let (got, after, addr) = run_memory(&inst, mem, r.next(), 0);
            assert_eq!(after, mem, "{inst:?} wrote memory");
            let args = match op {
                LoadOp::Mov(size) => vec![tyv(size), r64(addr)],
                LoadOp::Movzx(from) => vec![ext_ty(from), r64(addr)],
                LoadOp::Movsx(from, to) => vec![ext_ty(from), tyv(to), r64(addr)],
            };
            let term = inst.term().expect("term");
            let out = ev.eval(term, &args).expect("eval");
            let what = format!("{term} {args:?}: {inst:?} on memory {mem:#x}");
            check_load_record(&out, r64(got), addr, bytes, &what);
            n += 1;
        }
    }
    assert_eq!(n, 24 * 9);
}

/// Stores: the bytes the CPU leaves in memory are the old ones with the
/// spec's access size replaced by the spec's stored bits, at the spec's
/// address.
#[test]
fn stores() {
    let mut r = Rng::new(10);
    let mut ev = evaluator();
    for _ in 0..N {
        for bytes in [1u8, 2, 4, 8] {
            let (src, base) = memory_regs(&mut r);
            let (mem, value) = (r.int(), r.int());
            let inst = Inst::Store { bytes, base, src };
            let (_, after, addr) = run_memory(&inst, mem, value, 0);
            let args = vec![ty(i128::from(bytes) * 8), r64(addr), r64(value)];
            let out = ev.eval("x64_store", &args).expect("eval");
            assert!(out.violated.is_empty(), "{args:?}: {:?}", out.violated);
            check_store_record(
                &out,
                addr,
                bytes.into(),
                mem,
                after,
                &format!("{inst:?} of {value:#x}"),
            );
        }
    }
}

/// Float loads and stores (`movss`/`movsd` with a memory operand): a load
/// leaves the XMM register equal to the spec's result for the bytes in
/// memory (the old contents of the register, random in both halves, must
/// not survive where the spec zeroes them); a store leaves memory with the
/// spec's stored bits in its access size and the rest untouched; both
/// record the spec's access at the instruction's address.
#[test]
fn float_loads_and_stores() {
    let mut r = Rng::new(11);
    let mut n = 0;
    for _ in 0..24 {
        let mem = r.int();
        let mut ev = evaluator_with_memory(mem);
        for (float, bytes) in [(Float::F32, 4u8), (Float::F64, 8)] {
            let (base, _) = memory_regs(&mut r);
            let x = r.xmms(1)[0];
            let other = u128::from(r.next()) | (u128::from(r.next()) << 64);
            let load = Inst::LoadXmm {
                float,
                dst: x,
                base,
            };
            let (got, after, addr) = run_memory_xmm(&load, mem, other, 0);
            assert_eq!(after, mem, "{load:?} wrote memory");
            let term = load.term().expect("term");
            let out = ev.eval(term, &[r64(addr)]).expect("eval");
            let what = format!("{load:?} on {mem:#x}");
            check_load_record(&out, bv(128, got), addr, bytes.into(), &what);

            let store = Inst::StoreXmm {
                float,
                base,
                src: x,
            };
            let (kept, after, addr) = run_memory_xmm(&store, mem, other, 0);
            assert_eq!(kept, other, "{store:?} changed its source");
            let term = store.term().expect("term");
            let out = ev.eval(term, &[r64(addr), bv(128, other)]).expect("eval");
            assert!(out.violated.is_empty(), "{term}: {:?}", out.violated);
            check_store_record(
                &out,
                addr,
                bytes.into(),
                mem,
                after,
                &format!("{store:?} of {other:#x}"),
            );
            n += 1;
        }
    }
    assert_eq!(n, 24 * 2);
}

/// The same at `[base + index + disp]`: the access lands where the 64-bit
/// sum says (base chosen so it is the test word; indices up to 2^33,
/// displacements of both signs), and the spec's address is that sum.
#[test]
fn float_loads_and_stores_at_base_index_disp() {
    let mut r = Rng::new(12);
    let mut n = 0;
    for k in 0..32 {
        let mem = r.int();
        let mut ev = evaluator_with_memory(mem);
        let index_value = match k % 4 {
            0 => 0,
            1 => r.next() & 0xffff_ffff,
            2 => (r.next() & 0x1_ffff_ffff) | 0x1_0000_0000,
            _ => 8,
        };
        let disp = match k % 3 {
            0 => -8,
            1 => r.next() as i32,
            _ => 0,
        };
        for float in [Float::F32, Float::F64] {
            let bytes: u8 = if float == Float::F32 { 4 } else { 8 };
            // Not rdi: the harness builds the base from it.
            let (base, index) = loop {
                let (b, i) = memory_regs(&mut r);
                if b != Gpr::RDI && i != Gpr::RDI {
                    break (b, i);
                }
            };
            let x = r.xmms(1)[0];
            let other = u128::from(r.next()) | (u128::from(r.next()) << 64);
            let load = Inst::LoadXmmIdx {
                float,
                dst: x,
                base,
                index,
                disp,
            };
            let (got, after, addr) = run_memory_xmm(&load, mem, other, index_value);
            assert_eq!(after, mem, "{load:?} wrote memory");
            let at = idx_operands(addr, index_value, disp);
            let term = load.term().expect("term");
            let out = ev.eval(term, &at).expect("eval");
            let what = format!("{load:?} on {mem:#x}");
            check_load_record(&out, bv(128, got), addr, bytes.into(), &what);

            let store = Inst::StoreXmmIdx {
                float,
                base,
                index,
                disp,
                src: x,
            };
            let (kept, after, addr) = run_memory_xmm(&store, mem, other, index_value);
            assert_eq!(kept, other, "{store:?} changed its source");
            let term = store.term().expect("term");
            let mut args = at.to_vec();
            args.push(bv(128, other));
            let out = ev.eval(term, &args).expect("eval");
            assert!(out.violated.is_empty(), "{term}: {:?}", out.violated);
            check_store_record(&out, addr, bytes.into(), mem, after, &format!("{store:?}"));
            n += 1;
        }
    }
    assert_eq!(n, 32 * 2);
}

/// Three registers for an `*Idx` access (none rdi: the harness builds the
/// base from it).
fn idx_regs(r: &mut Rng) -> (Gpr, Gpr, Gpr) {
    loop {
        let (a, b) = memory_regs(r);
        let (c, _) = memory_regs(r);
        if a != c && b != c && ![a, b, c].contains(&Gpr::RDI) {
            return (a, b, c);
        }
    }
}

/// Integer loads and stores at `[base + index + disp]`: the same checks as
/// `loads`/`stores`, with the address the 64-bit sum (indices up to 2^33,
/// displacements of both signs).
#[test]
fn loads_and_stores_at_base_index_disp() {
    let mut r = Rng::new(13);
    let mut n = 0;
    for k in 0..16 {
        let mem = r.int();
        let mut ev = evaluator_with_memory(mem);
        let index_value = match k % 3 {
            0 => 0,
            1 => r.next() & 0xffff_ffff,
            _ => (r.next() & 0x1_ffff_ffff) | 0x1_0000_0000,
        };
        let disp = match k % 4 {
            0 => -8,
            1 => r.next() as i32,
            2 => 0,
            _ => -1,
        };
        let at = |addr: u64| idx_operands(addr, index_value, disp);
        for (op, bytes) in LOAD_OPS {
            let (dst, base, index) = idx_regs(&mut r);
            let inst = Inst::LoadIdx {
                op,
                dst,
                base,
                index,
                disp,
            };
            let (got, after, addr) = run_memory(&inst, mem, r.next(), index_value);
            assert_eq!(after, mem, "{inst:?} wrote memory");
            let [ts, b, i, d] = at(addr);
            let args = match op {
                LoadOp::Mov(size) => vec![ts, tyv(size), b, i, d],
                LoadOp::Movzx(from) => vec![ts, ext_ty(from), b, i, d],
                LoadOp::Movsx(from, to) => vec![ts, ext_ty(from), tyv(to), b, i, d],
            };
            let term = inst.term().expect("term");
            let out = ev.eval(term, &args).expect("eval");
            let what = format!("{term} {args:?}: {inst:?} on memory {mem:#x}");
            check_load_record(&out, r64(got), addr, bytes, &what);
            n += 1;
        }
        for bytes in [1u8, 2, 4, 8] {
            let (src, base, index) = idx_regs(&mut r);
            let value = r.int();
            let inst = Inst::StoreIdx {
                bytes,
                base,
                index,
                disp,
                src,
            };
            let (_, after, addr) = run_memory(&inst, mem, value, index_value);
            let [ts, b, i, d] = at(addr);
            let args = vec![ts, ty(i128::from(bytes) * 8), b, i, d, r64(value)];
            let out = ev.eval("x64_store_idx", &args).expect("eval");
            assert!(out.violated.is_empty(), "{args:?}: {:?}", out.violated);
            check_store_record(
                &out,
                addr,
                bytes.into(),
                mem,
                after,
                &format!("{inst:?} of {value:#x}"),
            );
            n += 1;
        }
    }
    assert_eq!(n, 16 * 13);
}

/// The spec's `x64_*_idx` address operands (the trap state, base, index,
/// disp) for an access the CPU made at `addr`: the base is what the harness
/// put in the base register, `addr - index - sext(disp)`.
fn idx_operands(addr: u64, index_value: u64, disp: i32) -> [ConcreteValue; 4] {
    let base = addr
        .wrapping_sub(index_value)
        .wrapping_sub(i64::from(disp) as u64);
    [
        bv(8, 0),
        r64(base),
        r64(index_value),
        bv(32, u128::from(disp as u32)),
    ]
}

/// The spec agrees with a load the CPU did: no requirement violated, the
/// same result, and a read of `bytes` bytes recorded at `addr`.
fn check_load_record(
    out: &ConcreteOutput,
    result: ConcreteValue,
    addr: u64,
    bytes: u128,
    what: &str,
) {
    assert!(out.violated.is_empty(), "{what}: {:?}", out.violated);
    assert_eq!(out.result, Some(result), "{what}");
    assert_eq!(out.state_value("exec_mem_addr"), Some(&r64(addr)), "{what}");
    assert_eq!(
        out.state_value("exec_mem_access"),
        Some(&bv(8, bytes)),
        "{what}"
    );
}

/// The spec's record of a store agrees with what the CPU did: a write of
/// `bytes` bytes at `addr`, stored bits no wider than that, and memory
/// `after` equal to `before` with exactly those bytes replaced.
fn check_store_record(
    out: &ConcreteOutput,
    addr: u64,
    bytes: u32,
    before: u64,
    after: u64,
    what: &str,
) {
    assert_eq!(out.state_value("exec_mem_addr"), Some(&r64(addr)), "{what}");
    assert_eq!(
        out.state_value("exec_mem_access"),
        Some(&bv(8, 0x80 | u128::from(bytes))),
        "{what}"
    );
    let Some(ModelValue::BitVec { bits: stored, .. }) = out.state_value("exec_mem_stored") else {
        panic!("{what}: no stored bits: {out:?}");
    };
    assert_eq!(
        *stored >> (8 * bytes),
        0,
        "{what}: stored bits wider than the access"
    );
    let mask = if bytes == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * bytes)) - 1
    };
    assert_eq!(after, (before & !mask) | (*stored as u64), "{what}");
}

/// Every instruction spec in inst.isle is exercised by some case above.
#[test]
fn every_instruction_spec_is_checked_on_silicon() {
    let ev = evaluator();
    let mut specified: Vec<&String> = ev
        .program()
        .specs
        .keys()
        .filter(|t| t.starts_with("x64_"))
        .collect();
    specified.sort();
    let cases = [
        integer_alu_cases(),
        shifts_and_rotates_cases(),
        moves_extensions_and_lea_cases(),
        conditions_cases(),
        division_cases(),
        sse_arithmetic_f32_cases(),
        sse_arithmetic_f64_cases(),
        sse_conversions_rounding_and_bits_cases(),
    ]
    .concat();
    let mut checked: std::collections::HashSet<&str> = cases
        .iter()
        .flat_map(|c| c.outs.iter().map(|o| o.1))
        .collect();
    // Run outside the one-instruction harness: the branches
    // (`trap_if_branches`, `jcc_branches`) and the memory accesses
    // (`loads`, `stores`).
    for t in [
        "x64_trap_if",
        "x64_jcc",
        "x64_idiv_rem_unless",
        "x64_mov_load",
        "x64_movzx_load",
        "x64_movsx_load",
        "x64_store",
        "x64_movss_load",
        "x64_movsd_load",
        "x64_movss_store",
        "x64_movsd_store",
        "x64_mov_load_idx",
        "x64_movzx_load_idx",
        "x64_movsx_load_idx",
        "x64_store_idx",
        "x64_movss_load_idx",
        "x64_movsd_load_idx",
        "x64_movss_store_idx",
        "x64_movsd_store_idx",
    ] {
        checked.insert(t);
    }
    let missing: Vec<&&String> = specified
        .iter()
        .filter(|t| !checked.contains(t.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "specs never run on the CPU: {missing:?}"
    );
    eprintln!(
        "{} instruction specs, all checked on silicon",
        specified.len()
    );
}
