//! Properties of the spec functions, each checked against an independent
//! formulation (Rust's own integer methods, `as` casts, wider arithmetic, or
//! the NaN rule restated on raw bits), plus the edge cases that pin down the
//! oracle's documented choices.

use proptest::prelude::*;

use super::NumOp;
use crate::trap::TrapKind;
use crate::value::Value;

fn eval(op: NumOp, args: &[Value]) -> Result<Value, TrapKind> {
    op.eval(args)
}

// ---- generators: plenty of edge values, not only uniform bits ---------------

fn f32_bits() -> impl Strategy<Value = u32> {
    prop_oneof![
        any::<u32>(),
        prop::sample::select(vec![
            0x0000_0000,
            0x8000_0000,
            0x7f80_0000,
            0xff80_0000,
            0x7fc0_0000,
            0xffc0_0000,
            0x0000_0001,
            0x807f_ffff,
            0x7f7f_ffff,
            0x3f80_0000,
            0xbf80_0000,
            0x3f00_0000,
            0xbf00_0000,
            0x4f00_0000,
            0xcf00_0000,
            0x4f80_0000,
            0x5f00_0000,
            0xdf00_0000,
            0x5f80_0000,
            0x4effffff,
            0xcf000001,
        ]),
        // NaNs of either sign with any payload (signalling ones included).
        (any::<bool>(), 1u32..1 << 23).prop_map(|(s, p)| (u32::from(s) << 31) | 0x7f80_0000 | p),
        // Halves and small values, where rounding decisions happen.
        (-4096i32..4096).prop_map(|i| (i as f32 * 0.25).to_bits()),
        (-1.0e10f32..1.0e10).prop_map(f32::to_bits),
    ]
}

/// Like `f32_bits`, with each NaN replaced by the infinity of its sign.
fn f32_number() -> impl Strategy<Value = u32> {
    f32_bits().prop_map(|b| if is_nan32(b) { b & 0xff80_0000 } else { b })
}

fn f64_number() -> impl Strategy<Value = u64> {
    f64_bits().prop_map(|b| {
        if is_nan64(b) {
            b & 0xfff0_0000_0000_0000
        } else {
            b
        }
    })
}

fn f64_bits() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        prop::sample::select(vec![
            0,
            0x8000_0000_0000_0000,
            0x7ff0_0000_0000_0000,
            0xfff0_0000_0000_0000,
            0x7ff8_0000_0000_0000,
            0xfff8_0000_0000_0000,
            1,
            0x7fef_ffff_ffff_ffff,
            0x3ff0_0000_0000_0000,
            0x3fe0_0000_0000_0000,
            0xbfe0_0000_0000_0000,
            0x41e0_0000_0000_0000,
            0xc1e0_0000_0000_0000,
            0x41f0_0000_0000_0000,
            0x43e0_0000_0000_0000,
            0xc3e0_0000_0000_0000,
            0x43f0_0000_0000_0000,
            0x41df_ffff_ffe0_0000,
            0xc1e0_0000_0020_0000,
            0x47ef_ffff_e000_0000,
        ]),
        (any::<bool>(), 1u64..1 << 52)
            .prop_map(|(s, p)| (u64::from(s) << 63) | 0x7ff0_0000_0000_0000 | p),
        (-4096i32..4096).prop_map(|i| (f64::from(i) * 0.25).to_bits()),
        (-1.0e20f64..1.0e20).prop_map(f64::to_bits),
    ]
}

// ---- the NaN rule, restated on raw bits ---------------------------------------

fn is_nan32(b: u32) -> bool {
    b & 0x7fff_ffff > 0x7f80_0000
}
fn is_nan64(b: u64) -> bool {
    b & 0x7fff_ffff_ffff_ffff > 0x7ff0_0000_0000_0000
}

/// What the oracle promises for a NaN result: +canonical if all NaN inputs
/// are canonical (or none is a NaN), else the first non-canonical, quieted.
fn expected_nan32(inputs: &[u32]) -> u32 {
    inputs
        .iter()
        .find(|&&b| is_nan32(b) && b & 0x7fff_ffff != 0x7fc0_0000)
        .map_or(0x7fc0_0000, |b| b | 0x0040_0000)
}
fn expected_nan64(inputs: &[u64]) -> u64 {
    inputs
        .iter()
        .find(|&&b| is_nan64(b) && b & 0x7fff_ffff_ffff_ffff != 0x7ff8_0000_0000_0000)
        .map_or(0x7ff8_0000_0000_0000, |b| b | 0x0008_0000_0000_0000)
}

const F32_NAN_PRODUCERS: &[NumOp] = &[
    NumOp::F32Add,
    NumOp::F32Sub,
    NumOp::F32Mul,
    NumOp::F32Div,
    NumOp::F32Min,
    NumOp::F32Max,
    NumOp::F32Sqrt,
    NumOp::F32Ceil,
    NumOp::F32Floor,
    NumOp::F32Trunc,
    NumOp::F32Nearest,
];
const F64_NAN_PRODUCERS: &[NumOp] = &[
    NumOp::F64Add,
    NumOp::F64Sub,
    NumOp::F64Mul,
    NumOp::F64Div,
    NumOp::F64Min,
    NumOp::F64Max,
    NumOp::F64Sqrt,
    NumOp::F64Ceil,
    NumOp::F64Floor,
    NumOp::F64Trunc,
    NumOp::F64Nearest,
];

proptest! {
    #![proptest_config(config())]

    /// Spec §4.3.3 NaN propagation, and the oracle's deterministic pick.
    #[test]
    fn nan_results_follow_the_propagation_rule_f32(a in f32_bits(), b in f32_bits()) {
        for &op in F32_NAN_PRODUCERS {
            let inputs = &[a, b][..op.arity()];
            let args: Vec<Value> = inputs.iter().map(|&x| Value::F32(x)).collect();
            let Ok(Value::F32(r)) = eval(op, &args) else { panic!("{op} gave no f32") };
            if inputs.iter().any(|&x| is_nan32(x)) {
                prop_assert_eq!(r, expected_nan32(inputs), "{} {:x?}", op, inputs);
                let all_canonical = inputs.iter().all(|&x| !is_nan32(x) || super::is_canonical_nan_f32(x));
                prop_assert_eq!(super::is_canonical_nan_f32(r), all_canonical);
                prop_assert!(super::is_arithmetic_nan_f32(r));
            } else if is_nan32(r) {
                prop_assert_eq!(r, 0x7fc0_0000, "{} {:x?}: NaN from non-NaNs is +canonical", op, inputs);
            }
        }
    }

    #[test]
    fn nan_results_follow_the_propagation_rule_f64(a in f64_bits(), b in f64_bits()) {
        for &op in F64_NAN_PRODUCERS {
            let inputs = &[a, b][..op.arity()];
            let args: Vec<Value> = inputs.iter().map(|&x| Value::F64(x)).collect();
            let Ok(Value::F64(r)) = eval(op, &args) else { panic!("{op} gave no f64") };
            if inputs.iter().any(|&x| is_nan64(x)) {
                prop_assert_eq!(r, expected_nan64(inputs), "{} {:x?}", op, inputs);
                let all_canonical = inputs.iter().all(|&x| !is_nan64(x) || super::is_canonical_nan_f64(x));
                prop_assert_eq!(super::is_canonical_nan_f64(r), all_canonical);
                prop_assert!(super::is_arithmetic_nan_f64(r));
            } else if is_nan64(r) {
                prop_assert_eq!(r, 0x7ff8_0000_0000_0000, "{} {:x?}", op, inputs);
            }
        }
    }

    /// f32 arithmetic equals f64 arithmetic rounded to f32: exact, because
    /// binary64 has more than 2·24 + 2 significand bits, so double rounding
    /// is innocuous for +, −, ×, ÷ and √ (Figueroa, 1995).
    #[test]
    fn f32_arithmetic_is_correctly_rounded(a in f32_number(), b in f32_number()) {
        let (x, y) = (f64::from(f32::from_bits(a)), f64::from(f32::from_bits(b)));
        let cases = [
            (NumOp::F32Add, x + y), (NumOp::F32Sub, x - y), (NumOp::F32Mul, x * y),
            (NumOp::F32Div, x / y), (NumOp::F32Sqrt, x.sqrt()),
        ];
        for (op, wide) in cases {
            let args = [Value::F32(a), Value::F32(b)];
            let Ok(Value::F32(r)) = eval(op, &args[..op.arity()]) else { panic!("{op}") };
            if wide.is_nan() {
                prop_assert_eq!(r, 0x7fc0_0000);
            } else {
                prop_assert_eq!(r, (wide as f32).to_bits(), "{} {:x} {:x}", op, a, b);
            }
        }
    }

    /// IEEE 754 defines x − y as x + (−y), signed zeros included.
    #[test]
    fn sub_is_add_of_the_negation(a in f64_bits(), b in f64_number(), c in f32_bits(), d in f32_number()) {
        let neg64 = eval(NumOp::F64Neg, &[Value::F64(b)]).unwrap_or(Value::I32(0));
        prop_assert_eq!(eval(NumOp::F64Sub, &[Value::F64(a), Value::F64(b)]), eval(NumOp::F64Add, &[Value::F64(a), neg64]));
        let neg32 = eval(NumOp::F32Neg, &[Value::F32(d)]).unwrap_or(Value::I32(0));
        prop_assert_eq!(eval(NumOp::F32Sub, &[Value::F32(c), Value::F32(d)]), eval(NumOp::F32Add, &[Value::F32(c), neg32]));
    }

    /// Add and multiply commute, NaN operands included (the rule picks the
    /// first *non-canonical* NaN, so with two NaNs the order can matter:
    /// only inputs with at most one non-canonical NaN are compared).
    #[test]
    fn add_and_mul_commute(a in f32_bits(), b in f32_bits()) {
        let noncanonical = |x: u32| is_nan32(x) && !super::is_canonical_nan_f32(x);
        prop_assume!(!(noncanonical(a) && noncanonical(b)));
        for op in [NumOp::F32Add, NumOp::F32Mul, NumOp::F32Min, NumOp::F32Max] {
            prop_assert_eq!(eval(op, &[Value::F32(a), Value::F32(b)]), eval(op, &[Value::F32(b), Value::F32(a)]));
        }
    }

    /// min/max on non-NaNs: the ordered choice, and on equal operands (only
    /// ±0 differ in bits) min ORs the sign bits, max ANDs them.
    #[test]
    fn min_max_agree_with_an_ordering_formulation(a in f64_bits(), b in f64_bits(), c in f32_bits(), d in f32_bits()) {
        if !is_nan64(a) && !is_nan64(b) {
            let (x, y) = (f64::from_bits(a), f64::from_bits(b));
            let (min, max) = match x.partial_cmp(&y) {
                Some(std::cmp::Ordering::Less) => (a, b),
                Some(std::cmp::Ordering::Greater) => (b, a),
                _ => (a | b, a & b),
            };
            prop_assert_eq!(eval(NumOp::F64Min, &[Value::F64(a), Value::F64(b)]), Ok(Value::F64(min)));
            prop_assert_eq!(eval(NumOp::F64Max, &[Value::F64(a), Value::F64(b)]), Ok(Value::F64(max)));
        }
        if !is_nan32(c) && !is_nan32(d) {
            let (x, y) = (f32::from_bits(c), f32::from_bits(d));
            let (min, max) = match x.partial_cmp(&y) {
                Some(std::cmp::Ordering::Less) => (c, d),
                Some(std::cmp::Ordering::Greater) => (d, c),
                _ => (c | d, c & d),
            };
            prop_assert_eq!(eval(NumOp::F32Min, &[Value::F32(c), Value::F32(d)]), Ok(Value::F32(min)));
            prop_assert_eq!(eval(NumOp::F32Max, &[Value::F32(c), Value::F32(d)]), Ok(Value::F32(max)));
        }
    }

    /// abs, neg and copysign touch the sign bit only — NaN payloads survive.
    #[test]
    fn sign_operations_are_bit_operations(a in f32_bits(), b in f32_bits(), c in f64_bits(), d in f64_bits()) {
        prop_assert_eq!(eval(NumOp::F32Abs, &[Value::F32(a)]), Ok(Value::F32(a & 0x7fff_ffff)));
        prop_assert_eq!(eval(NumOp::F32Neg, &[Value::F32(a)]), Ok(Value::F32(a ^ 0x8000_0000)));
        prop_assert_eq!(
            eval(NumOp::F32Copysign, &[Value::F32(a), Value::F32(b)]),
            Ok(Value::F32((a & 0x7fff_ffff) | (b & 0x8000_0000)))
        );
        let sign = 0x8000_0000_0000_0000u64;
        prop_assert_eq!(eval(NumOp::F64Abs, &[Value::F64(c)]), Ok(Value::F64(c & !sign)));
        prop_assert_eq!(eval(NumOp::F64Neg, &[Value::F64(c)]), Ok(Value::F64(c ^ sign)));
        prop_assert_eq!(
            eval(NumOp::F64Copysign, &[Value::F64(c), Value::F64(d)]),
            Ok(Value::F64((c & !sign) | (d & sign)))
        );
    }

    /// fnearest against a formulation via floor: the fractional part of a
    /// float is exact, so comparing it with ½ decides; ties go to the even
    /// neighbour; the sign of the input is kept (−0.3 → −0).
    #[test]
    fn nearest_rounds_half_to_even(a in f64_bits(), b in f32_bits()) {
        if !is_nan64(a) {
            let x = f64::from_bits(a);
            let expected = if x.abs() >= 4503599627370496.0 { x } else {
                let f = x.floor();
                let frac = x - f;
                let r = if frac > 0.5 || (frac == 0.5 && f % 2.0 != 0.0) { f + 1.0 } else { f };
                r.copysign(x)
            };
            prop_assert_eq!(eval(NumOp::F64Nearest, &[Value::F64(a)]), Ok(Value::F64(expected.to_bits())), "{}", x);
        }
        if !is_nan32(b) {
            let x = f32::from_bits(b);
            let expected = if x.abs() >= 8388608.0 { x } else {
                let f = x.floor();
                let frac = x - f;
                let r = if frac > 0.5 || (frac == 0.5 && f % 2.0 != 0.0) { f + 1.0 } else { f };
                r.copysign(x)
            };
            prop_assert_eq!(eval(NumOp::F32Nearest, &[Value::F32(b)]), Ok(Value::F32(expected.to_bits())), "{}", x);
        }
    }

    /// ceil/floor/trunc give an integral value within 1 of the input, on the
    /// correct side, with the input's sign (ceil(−0.5) = −0).
    #[test]
    fn ceil_floor_trunc_bracket_the_input(a in f32_number()) {
        let x = f64::from(f32::from_bits(a));
        for op in [NumOp::F32Ceil, NumOp::F32Floor, NumOp::F32Trunc] {
            let Ok(Value::F32(rb)) = eval(op, &[Value::F32(a)]) else { panic!("{op}") };
            let r = f64::from(f32::from_bits(rb));
            prop_assert_eq!(rb >> 31, a >> 31, "{} keeps the sign of {}", op, x);
            prop_assert!(r.fract() == 0.0 || r.is_infinite());
            // Every f32 of magnitude ≥ 2^23 (±∞ too) is already integral;
            // below that, r ± 1 is exact in f64.
            let ok = x.abs() >= 8388608.0 && r == x || match op {
                NumOp::F32Ceil => r >= x && r - 1.0 < x,
                NumOp::F32Floor => r <= x && r + 1.0 > x,
                _ => r.abs() <= x.abs() && r.abs() + 1.0 > x.abs(),
            };
            prop_assert!(ok, "{} {} = {}", op, x, r);
        }
    }

    /// Saturating truncation is exactly Rust's float-to-int `as`: NaN → 0,
    /// clamped to the target range.
    #[test]
    fn trunc_sat_matches_saturating_casts(a in f32_bits(), b in f64_bits()) {
        let (x, y) = (f32::from_bits(a), f64::from_bits(b));
        let (fa, fb) = (Value::F32(a), Value::F64(b));
        prop_assert_eq!(eval(NumOp::I32TruncSatF32S, &[fa]), Ok(Value::I32(x as i32)));
        prop_assert_eq!(eval(NumOp::I32TruncSatF32U, &[fa]), Ok(Value::I32(x as u32 as i32)));
        prop_assert_eq!(eval(NumOp::I64TruncSatF32S, &[fa]), Ok(Value::I64(x as i64)));
        prop_assert_eq!(eval(NumOp::I64TruncSatF32U, &[fa]), Ok(Value::I64(x as u64 as i64)));
        prop_assert_eq!(eval(NumOp::I32TruncSatF64S, &[fb]), Ok(Value::I32(y as i32)));
        prop_assert_eq!(eval(NumOp::I32TruncSatF64U, &[fb]), Ok(Value::I32(y as u32 as i32)));
        prop_assert_eq!(eval(NumOp::I64TruncSatF64S, &[fb]), Ok(Value::I64(y as i64)));
        prop_assert_eq!(eval(NumOp::I64TruncSatF64U, &[fb]), Ok(Value::I64(y as u64 as i64)));
    }

    /// Trapping truncation: NaN → invalid conversion; otherwise the truncated
    /// value (measured in i128, where every float below 2^127 is exact) is
    /// returned if it fits, else integer overflow.
    #[test]
    fn trunc_traps_exactly_outside_the_range(a in f32_bits(), b in f64_bits()) {
        let cases: [(NumOp, Value, f64, i128, i128); 8] = {
            let (x, y) = (f64::from(f32::from_bits(a)), f64::from_bits(b));
            let (i32r, u32r) = (i128::from(i32::MIN)..=i128::from(i32::MAX), 0..=i128::from(u32::MAX));
            let (i64r, u64r) = (i128::from(i64::MIN)..=i128::from(i64::MAX), 0..=i128::from(u64::MAX));
            [
                (NumOp::I32TruncF32S, Value::F32(a), x, *i32r.start(), *i32r.end()),
                (NumOp::I32TruncF32U, Value::F32(a), x, *u32r.start(), *u32r.end()),
                (NumOp::I64TruncF32S, Value::F32(a), x, *i64r.start(), *i64r.end()),
                (NumOp::I64TruncF32U, Value::F32(a), x, *u64r.start(), *u64r.end()),
                (NumOp::I32TruncF64S, Value::F64(b), y, *i32r.start(), *i32r.end()),
                (NumOp::I32TruncF64U, Value::F64(b), y, *u32r.start(), *u32r.end()),
                (NumOp::I64TruncF64S, Value::F64(b), y, *i64r.start(), *i64r.end()),
                (NumOp::I64TruncF64U, Value::F64(b), y, *u64r.start(), *u64r.end()),
            ]
        };
        for (op, arg, z, lo, hi) in cases {
            let expected = if z.is_nan() {
                Err(TrapKind::InvalidConversionToInteger)
            } else {
                let t = z.trunc() as i128; // saturates beyond i128: still out of range
                if (lo..=hi).contains(&t) {
                    Ok(if op.result_type() == crate::types::ValType::I32 { Value::I32(t as i32) } else { Value::I64(t as i64) })
                } else {
                    Err(TrapKind::IntegerOverflow)
                }
            };
            prop_assert_eq!(eval(op, &[arg]), expected, "{} {}", op, z);
        }
    }

    /// Integer → float conversion is Rust's `as`, which rounds to nearest-even
    /// straight from the integer (no double rounding through f64).
    #[test]
    fn convert_matches_casts(i in any::<i32>(), j in any::<i64>()) {
        let (vi, vj) = (Value::I32(i), Value::I64(j));
        prop_assert_eq!(eval(NumOp::F32ConvertI32S, &[vi]), Ok(Value::F32((i as f32).to_bits())));
        prop_assert_eq!(eval(NumOp::F32ConvertI32U, &[vi]), Ok(Value::F32((i as u32 as f32).to_bits())));
        prop_assert_eq!(eval(NumOp::F32ConvertI64S, &[vj]), Ok(Value::F32((j as f32).to_bits())));
        prop_assert_eq!(eval(NumOp::F32ConvertI64U, &[vj]), Ok(Value::F32((j as u64 as f32).to_bits())));
        prop_assert_eq!(eval(NumOp::F64ConvertI32S, &[vi]), Ok(Value::F64(f64::from(i).to_bits())));
        prop_assert_eq!(eval(NumOp::F64ConvertI32U, &[vi]), Ok(Value::F64(f64::from(i as u32).to_bits())));
        prop_assert_eq!(eval(NumOp::F64ConvertI64S, &[vj]), Ok(Value::F64((j as f64).to_bits())));
        prop_assert_eq!(eval(NumOp::F64ConvertI64U, &[vj]), Ok(Value::F64((j as u64 as f64).to_bits())));
    }

    /// promote is exact, so demote ∘ promote is the identity on non-NaNs; a
    /// NaN comes back with its sign and payload, quieted (the oracle's choice).
    #[test]
    fn demote_undoes_promote(a in f32_bits()) {
        let Ok(p) = eval(NumOp::F64PromoteF32, &[Value::F32(a)]) else { panic!("promote") };
        let back = eval(NumOp::F32DemoteF64, &[p]);
        if is_nan32(a) {
            let Value::F64(pb) = p else { panic!("promote gave {p:?}") };
            prop_assert!(super::is_arithmetic_nan_f64(pb));
            prop_assert_eq!(super::is_canonical_nan_f64(pb), super::is_canonical_nan_f32(a));
            let expected = if super::is_canonical_nan_f32(a) { 0x7fc0_0000 } else { a | 0x0040_0000 };
            prop_assert_eq!(back, Ok(Value::F32(expected)));
        } else {
            prop_assert_eq!(p, Value::F64(f64::from(f32::from_bits(a)).to_bits()));
            prop_assert_eq!(back, Ok(Value::F32(a)));
        }
    }

    /// demote rounds to the nearest f32 (ties to even), checked against the
    /// neighbouring f32s rather than against `as`.
    #[test]
    fn demote_rounds_to_nearest(b in f64_number()) {
        let y = f64::from_bits(b);
        let Ok(Value::F32(rb)) = eval(NumOp::F32DemoteF64, &[Value::F64(b)]) else { panic!("demote") };
        let r = f32::from_bits(rb);
        if r.is_infinite() {
            // Overflow: |y| ≥ f32::MAX + ½ulp = 2^128 − 2^103 (ties go to ∞, as 0x7f7fffff is odd).
            prop_assert!(y.abs() >= 3.4028235677973366e38 && r.is_sign_negative() == y.is_sign_negative());
        } else {
            let dist = (f64::from(r) - y).abs();
            for n in [r.next_up(), r.next_down()] {
                if n.is_finite() {
                    let dn = (f64::from(n) - y).abs();
                    prop_assert!(dn > dist || (dn == dist && rb & 1 == 0), "{} → {} but {} is nearer", y, r, n);
                }
            }
            prop_assert!(r.is_sign_negative() == y.is_sign_negative());
        }
    }

    /// Reinterpretation is a bit-for-bit round trip, NaN payloads included.
    #[test]
    fn reinterpret_round_trips(a in f32_bits(), b in f64_bits()) {
        let i = eval(NumOp::I32ReinterpretF32, &[Value::F32(a)]);
        prop_assert_eq!(i, Ok(Value::I32(a as i32)));
        prop_assert_eq!(eval(NumOp::F32ReinterpretI32, &[Value::I32(a as i32)]), Ok(Value::F32(a)));
        prop_assert_eq!(eval(NumOp::I64ReinterpretF64, &[Value::F64(b)]), Ok(Value::I64(b as i64)));
        prop_assert_eq!(eval(NumOp::F64ReinterpretI64, &[Value::I64(b as i64)]), Ok(Value::F64(b)));
    }

    #[test]
    fn width_conversions_match_casts(i in any::<i32>(), j in any::<i64>()) {
        prop_assert_eq!(eval(NumOp::I32WrapI64, &[Value::I64(j)]), Ok(Value::I32(j as i32)));
        prop_assert_eq!(eval(NumOp::I64ExtendI32S, &[Value::I32(i)]), Ok(Value::I64(i64::from(i))));
        prop_assert_eq!(eval(NumOp::I64ExtendI32U, &[Value::I32(i)]), Ok(Value::I64(i64::from(i as u32))));
    }
}

/// Many cases, and no regression files written into the source tree.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Integer properties against Rust's own integer methods, for both widths.
macro_rules! int_properties {
    ($m:ident, $s:ty, $u:ty, $v:ident, $p:literal) => {
        mod $m {
            use super::*;

            fn val(x: $s) -> Value {
                Value::$v(x)
            }
            fn op(name: &str) -> NumOp {
                NumOp::from_name(&format!("{}.{name}", $p)).unwrap_or_else(|| panic!("{name}"))
            }
            fn bin(name: &str, a: $s, b: $s) -> Result<Value, TrapKind> {
                op(name).eval(&[val(a), val(b)])
            }
            fn un(name: &str, a: $s) -> Result<Value, TrapKind> {
                op(name).eval(&[val(a)])
            }
            fn bool_val(b: bool) -> Result<Value, TrapKind> {
                Ok(Value::I32(i32::from(b)))
            }
            fn edgy() -> impl Strategy<Value = $s> {
                prop_oneof![
                    any::<$s>(),
                    prop::sample::select(vec![0, 1, -1, 2, <$s>::MIN, <$s>::MAX, <$s>::MIN + 1, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000]),
                ]
            }

            proptest! {
                #![proptest_config(config())]

                #[test]
                fn wrapping_arithmetic(a in edgy(), b in edgy()) {
                    prop_assert_eq!(bin("add", a, b), Ok(val(a.wrapping_add(b))));
                    prop_assert_eq!(bin("sub", a, b), Ok(val(a.wrapping_sub(b))));
                    prop_assert_eq!(bin("mul", a, b), Ok(val(a.wrapping_mul(b))));
                    prop_assert_eq!(bin("and", a, b), Ok(val(a & b)));
                    prop_assert_eq!(bin("or", a, b), Ok(val(a | b)));
                    prop_assert_eq!(bin("xor", a, b), Ok(val(a ^ b)));
                }

                /// Division traps: /0 → divide by zero; MIN / −1 → overflow;
                /// MIN rem −1 = 0 (the remainder is representable).
                #[test]
                fn division(a in edgy(), b in edgy()) {
                    let (ua, ub) = (a as $u, b as $u);
                    let by_zero = Err(TrapKind::IntegerDivideByZero);
                    let div_s = if b == 0 { by_zero } else { a.checked_div(b).map(val).ok_or(TrapKind::IntegerOverflow) };
                    prop_assert_eq!(bin("div_s", a, b), div_s);
                    prop_assert_eq!(bin("rem_s", a, b), if b == 0 { by_zero } else { Ok(val(a.wrapping_rem(b))) });
                    prop_assert_eq!(bin("div_u", a, b), ua.checked_div(ub).map(|q| val(q as $s)).ok_or(TrapKind::IntegerDivideByZero));
                    prop_assert_eq!(bin("rem_u", a, b), ua.checked_rem(ub).map(|r| val(r as $s)).ok_or(TrapKind::IntegerDivideByZero));
                }

                /// Shift and rotate counts are taken mod N (Rust's wrapping_shl masks likewise).
                #[test]
                fn shifts_and_rotations(a in edgy(), b in edgy()) {
                    let k = (b as $u % <$u>::BITS as $u) as u32;
                    prop_assert_eq!(bin("shl", a, b), Ok(val(a.wrapping_shl(k))));
                    prop_assert_eq!(bin("shr_s", a, b), Ok(val(a >> k)));
                    prop_assert_eq!(bin("shr_u", a, b), Ok(val(((a as $u) >> k) as $s)));
                    prop_assert_eq!(bin("rotl", a, b), Ok(val(a.rotate_left(k))));
                    prop_assert_eq!(bin("rotr", a, b), Ok(val(a.rotate_right(k))));
                }

                #[test]
                fn bit_counts_and_sign_extension(a in edgy()) {
                    prop_assert_eq!(un("clz", a), Ok(val(a.leading_zeros() as $s)));
                    prop_assert_eq!(un("ctz", a), Ok(val(a.trailing_zeros() as $s)));
                    prop_assert_eq!(un("popcnt", a), Ok(val(a.count_ones() as $s)));
                    prop_assert_eq!(un("extend8_s", a), Ok(val(a as i8 as $s)));
                    prop_assert_eq!(un("extend16_s", a), Ok(val(a as i16 as $s)));
                    prop_assert_eq!(un("eqz", a), bool_val(a == 0));
                }

                #[test]
                fn comparisons(a in edgy(), b in edgy()) {
                    let (ua, ub) = (a as $u, b as $u);
                    prop_assert_eq!(bin("eq", a, b), bool_val(a == b));
                    prop_assert_eq!(bin("ne", a, b), bool_val(a != b));
                    prop_assert_eq!(bin("lt_s", a, b), bool_val(a < b));
                    prop_assert_eq!(bin("lt_u", a, b), bool_val(ua < ub));
                    prop_assert_eq!(bin("gt_s", a, b), bool_val(a > b));
                    prop_assert_eq!(bin("gt_u", a, b), bool_val(ua > ub));
                    prop_assert_eq!(bin("le_s", a, b), bool_val(a <= b));
                    prop_assert_eq!(bin("le_u", a, b), bool_val(ua <= ub));
                    prop_assert_eq!(bin("ge_s", a, b), bool_val(a >= b));
                    prop_assert_eq!(bin("ge_u", a, b), bool_val(ua >= ub));
                }
            }
        }
    };
}
int_properties!(i32_properties, i32, u32, I32, "i32");
int_properties!(i64_properties, i64, u64, I64, "i64");

#[test]
fn i64_extend32_s_sign_extends_the_low_word() {
    for (x, r) in [
        (0x0000_0000_7fff_ffffi64, 0x7fff_ffffi64),
        (0x0000_0000_8000_0000, -0x8000_0000),
        (-1, -1),
        (0x1_0000_0000, 0),
    ] {
        assert_eq!(
            NumOp::I64Extend32S.eval(&[Value::I64(x)]),
            Ok(Value::I64(r)),
            "{x:#x}"
        );
    }
}

// ---- edge cases that pin down the documented choices ----------------------------

#[test]
fn nan_payload_choices_are_as_documented() {
    let f = |b: u32| Value::F32(b);
    let cases = [
        // A signalling NaN operand comes back quieted, payload and sign kept.
        (
            NumOp::F32Add,
            vec![f(0x7f80_0001), f(0x3f80_0000)],
            f(0x7fc0_0001),
        ),
        (
            NumOp::F32Mul,
            vec![f(0x3f80_0000), f(0xff80_0002)],
            f(0xffc0_0002),
        ),
        // All NaN operands canonical (even negative): +canonical.
        (
            NumOp::F32Sub,
            vec![f(0xffc0_0000), f(0x3f80_0000)],
            f(0x7fc0_0000),
        ),
        (NumOp::F32Sqrt, vec![f(0xffc0_0000)], f(0x7fc0_0000)),
        // First non-canonical wins, even if it is the second operand.
        (
            NumOp::F32Min,
            vec![f(0x7fc0_0000), f(0x7fa0_0000)],
            f(0x7fe0_0000),
        ),
        (
            NumOp::F32Max,
            vec![f(0x7fc0_0001), f(0x7f80_0002)],
            f(0x7fc0_0001),
        ),
        // NaN from non-NaNs: +canonical.
        (
            NumOp::F32Sub,
            vec![f(0x7f80_0000), f(0x7f80_0000)],
            f(0x7fc0_0000),
        ),
        (NumOp::F32Div, vec![f(0x8000_0000), f(0)], f(0x7fc0_0000)),
        (NumOp::F32Sqrt, vec![f(0xbf80_0000)], f(0x7fc0_0000)),
        // Sign-bit operations never quiet or canonicalise.
        (NumOp::F32Neg, vec![f(0x7f80_0001)], f(0xff80_0001)),
        (NumOp::F32Abs, vec![f(0xffa0_0000)], f(0x7fa0_0000)),
        (
            NumOp::F32Copysign,
            vec![f(0x7f80_0001), f(0x8000_0000)],
            f(0xff80_0001),
        ),
    ];
    for (op, args, expected) in cases {
        assert_eq!(op.eval(&args), Ok(expected), "{op} {args:x?}");
    }
    // promote/demote keep the sign and the high payload bits, quieted.
    assert_eq!(
        NumOp::F64PromoteF32.eval(&[f(0xff80_0001)]),
        Ok(Value::F64(0xfff8_0000_2000_0000))
    );
    assert_eq!(
        NumOp::F64PromoteF32.eval(&[f(0xffc0_0000)]),
        Ok(Value::F64(0x7ff8_0000_0000_0000))
    );
    assert_eq!(
        NumOp::F32DemoteF64.eval(&[Value::F64(0xfff0_0000_2000_0001)]),
        Ok(f(0xffc0_0001))
    );
    assert_eq!(
        NumOp::F32DemoteF64.eval(&[Value::F64(0x7ff0_0000_0000_0001)]),
        Ok(f(0x7fc0_0000))
    );
}

#[test]
fn min_max_of_zeros_and_infinities() {
    let f = |x: f64| Value::F64(x.to_bits());
    let cases = [
        (NumOp::F64Min, -0.0, 0.0, -0.0),
        (NumOp::F64Min, 0.0, -0.0, -0.0),
        (NumOp::F64Max, -0.0, 0.0, 0.0),
        (NumOp::F64Max, 0.0, -0.0, 0.0),
        (
            NumOp::F64Min,
            f64::NEG_INFINITY,
            f64::MIN,
            f64::NEG_INFINITY,
        ),
        (NumOp::F64Max, f64::INFINITY, -1.0, f64::INFINITY),
        (NumOp::F64Min, f64::INFINITY, -1.0, -1.0),
    ];
    for (op, a, b, r) in cases {
        assert_eq!(op.eval(&[f(a), f(b)]), Ok(f(r)), "{op} {a} {b}");
    }
}

#[test]
fn truncation_boundaries() {
    use TrapKind::{IntegerOverflow as Ovf, InvalidConversionToInteger as Inv};
    let f32v = |x: f32| Value::F32(x.to_bits());
    let f64v = |x: f64| Value::F64(x.to_bits());
    let cases: Vec<(NumOp, Value, Result<Value, TrapKind>)> = vec![
        // i32.trunc_f32_s: defined exactly on (−2^31 − 1, 2^31).
        (
            NumOp::I32TruncF32S,
            f32v(-2147483648.0),
            Ok(Value::I32(i32::MIN)),
        ),
        (NumOp::I32TruncF32S, f32v(-2147483904.0), Err(Ovf)), // next f32 below −2^31
        (
            NumOp::I32TruncF32S,
            f32v(2147483520.0),
            Ok(Value::I32(2147483520)),
        ), // last f32 below 2^31
        (NumOp::I32TruncF32S, f32v(2147483648.0), Err(Ovf)),
        (NumOp::I32TruncF32S, f32v(f32::NAN), Err(Inv)),
        (NumOp::I32TruncF32S, f32v(f32::NEG_INFINITY), Err(Ovf)),
        (NumOp::I32TruncF32S, f32v(-0.9), Ok(Value::I32(0))),
        // i32.trunc_f64_s: fractions beyond the bounds truncate back in range.
        (
            NumOp::I32TruncF64S,
            f64v(-2147483648.9),
            Ok(Value::I32(i32::MIN)),
        ),
        (NumOp::I32TruncF64S, f64v(-2147483649.0), Err(Ovf)),
        (
            NumOp::I32TruncF64S,
            f64v(2147483647.9),
            Ok(Value::I32(i32::MAX)),
        ),
        (NumOp::I32TruncF64S, f64v(2147483648.0), Err(Ovf)),
        // unsigned: (−1, 2^N); −0.9 truncates to −0, which is 0.
        (NumOp::I32TruncF64U, f64v(-0.9), Ok(Value::I32(0))),
        (NumOp::I32TruncF64U, f64v(-1.0), Err(Ovf)),
        (NumOp::I32TruncF64U, f64v(4294967295.9), Ok(Value::I32(-1))),
        (NumOp::I32TruncF64U, f64v(4294967296.0), Err(Ovf)),
        (
            NumOp::I64TruncF64U,
            f64v(18446744073709549568.0),
            Ok(Value::I64(-2048)),
        ),
        (NumOp::I64TruncF64U, f64v(18446744073709551616.0), Err(Ovf)),
        (
            NumOp::I64TruncF64S,
            f64v(-9223372036854775808.0),
            Ok(Value::I64(i64::MIN)),
        ),
        (NumOp::I64TruncF64S, f64v(9223372036854775808.0), Err(Ovf)),
        (NumOp::I64TruncF32U, f32v(-f32::NAN), Err(Inv)),
        // saturating: clamp, NaN → 0.
        (
            NumOp::I32TruncSatF32S,
            f32v(f32::INFINITY),
            Ok(Value::I32(i32::MAX)),
        ),
        (NumOp::I32TruncSatF32U, f32v(-1.5), Ok(Value::I32(0))),
        (
            NumOp::I64TruncSatF64U,
            f64v(f64::INFINITY),
            Ok(Value::I64(-1)),
        ),
        (NumOp::I64TruncSatF64S, f64v(-f64::NAN), Ok(Value::I64(0))),
    ];
    for (op, arg, expected) in cases {
        assert_eq!(op.eval(&[arg]), expected, "{op} {arg:?}");
    }
}

#[test]
fn int_to_float_rounds_once_to_nearest_even() {
    // 2^63 + 2^39 + 1: exactly between two f32s but for the final 1. Rounding
    // through f64 first would drop the 1 and then tie to even (2^63).
    let v = Value::I64(0x8000_0080_0000_0001u64 as i64);
    assert_eq!(
        NumOp::F32ConvertI64U.eval(&[v]),
        Ok(Value::F32(0x5f00_0001))
    );
    // 2^24 + 1 ties to even: 2^24.
    assert_eq!(
        NumOp::F32ConvertI32S.eval(&[Value::I32(16_777_217)]),
        Ok(Value::F32(0x4b80_0000))
    );
    // u64::MAX rounds up to 2^64.
    assert_eq!(
        NumOp::F32ConvertI64U.eval(&[Value::I64(-1)]),
        Ok(Value::F32(0x5f80_0000))
    );
    assert_eq!(
        NumOp::F64ConvertI64U.eval(&[Value::I64(-1)]),
        Ok(Value::F64(0x43f0_0000_0000_0000))
    );
}

#[test]
fn nan_classes_on_raw_bits() {
    use super::{
        CANONICAL_NAN_F32, CANONICAL_NAN_F64, is_arithmetic_nan_f32, is_arithmetic_nan_f64,
        is_canonical_nan_f32, is_canonical_nan_f64,
    };
    // (bits, canonical, arithmetic)
    let f32_cases = [
        (CANONICAL_NAN_F32, true, true),
        (0xffc0_0000, true, true),
        (0x7fc0_0001, false, true),  // quiet, extra payload
        (0x7fa0_0000, false, false), // signalling
        (0x7f80_0001, false, false),
        (0x7f80_0000, false, false), // +∞
        (0x3fc0_0000, false, false), // 1.5: the canonical payload bits, not a NaN
    ];
    for (b, canonical, arithmetic) in f32_cases {
        assert_eq!(
            (is_canonical_nan_f32(b), is_arithmetic_nan_f32(b)),
            (canonical, arithmetic),
            "{b:#x}"
        );
    }
    let f64_cases = [
        (CANONICAL_NAN_F64, true, true),
        (0xfff8_0000_0000_0000, true, true),
        (0x7ff8_0000_0000_0001, false, true),
        (0x7ff4_0000_0000_0000, false, false),
        (0x7ff0_0000_0000_0000, false, false),
        (0x3ff8_0000_0000_0000, false, false),
    ];
    for (b, canonical, arithmetic) in f64_cases {
        assert_eq!(
            (is_canonical_nan_f64(b), is_arithmetic_nan_f64(b)),
            (canonical, arithmetic),
            "{b:#x}"
        );
    }
    // The constants are what `nans{}` returns.
    assert_eq!(
        super::float::canonical_nan::<f32>().to_bits(),
        CANONICAL_NAN_F32
    );
    assert_eq!(
        super::float::canonical_nan::<f64>().to_bits(),
        CANONICAL_NAN_F64
    );
}
