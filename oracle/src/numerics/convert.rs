//! Conversions (spec §4.3.4): between integer widths, float ↔ integer,
//! float widths, and bit-pattern reinterpretation. `M` is the operand's
//! width, `N` the result's, as in the spec's `cvtop_{M,N}`.

use super::float::{self, Float};
use super::int::Int;
use crate::trap::TrapKind;

/// 2^k as a float; exact, since every power of two up to 2^64 is representable.
fn pow2<F: Float>(k: u32) -> F {
    F::from_int(1i128 << k)
}

/// `extend_u_{M,N}(i)`: i, read unsigned.
pub(crate) fn extend_u<M: Int, N: Int>(i: M) -> N {
    N::from_unsigned(i.unsigned())
}

/// `extend_s_{M,N}(i)`: signed⁻¹_N(signed_M(i)).
pub(crate) fn extend_s<M: Int, N: Int>(i: M) -> N {
    N::from_signed(i.signed())
}

/// `wrap_{M,N}(i) = i mod 2^N`
pub(crate) fn wrap<M: Int, N: Int>(i: M) -> N {
    N::from_unsigned(i.unsigned())
}

/// `trunc_u_{M,N}(z)`: undefined for NaN and ±∞; else trunc(z) if it lies in
/// [0, 2^N − 1], else undefined. The spec's "undefined" traps (§4.4.1.4);
/// which trap the testsuite expects: NaN → invalid conversion, the rest →
/// integer overflow.
pub(crate) fn trunc_u<F: Float, I: Int>(z: F) -> Result<I, TrapKind> {
    if float::is_nan(z) {
        return Err(TrapKind::InvalidConversionToInteger);
    }
    // ±∞ fails the range test below too; trunc leaves it ±∞.
    let r = z.host_trunc();
    // r is integral, so r < 2^N ⇔ r ≤ 2^N − 1; −0 (from z ∈ (−1, −0]) counts as 0.
    if r >= F::from_int(0) && r < pow2(I::N) {
        Ok(I::from_unsigned(r.to_int() as u128))
    } else {
        Err(TrapKind::IntegerOverflow)
    }
}

/// `trunc_s_{M,N}(z)`: undefined for NaN and ±∞; else trunc(z) if it lies in
/// [−2^(N−1), 2^(N−1) − 1], else undefined (traps as for `trunc_u`).
pub(crate) fn trunc_s<F: Float, I: Int>(z: F) -> Result<I, TrapKind> {
    if float::is_nan(z) {
        return Err(TrapKind::InvalidConversionToInteger);
    }
    let r = z.host_trunc();
    let bound = pow2::<F>(I::N - 1);
    // −bound is exact; so both comparisons are exact on the integral r.
    if r >= F::from_int(0) - bound && r < bound {
        Ok(I::from_signed(r.to_int()))
    } else {
        Err(TrapKind::IntegerOverflow)
    }
}

/// `trunc_sat_u_{M,N}(z)`: NaN → 0; −∞ → 0; +∞ → 2^N − 1; else
/// sat_u_N(trunc(z)), which clamps to [0, 2^N − 1]. The clamping compares in
/// the float domain, where both bounds' neighbours (0 and 2^N) are exact.
pub(crate) fn trunc_sat_u<F: Float, I: Int>(z: F) -> I {
    if float::is_nan(z) {
        return I::from_unsigned(0);
    }
    let r = z.host_trunc(); // ±∞ stays ±∞ and is clamped below.
    if r < F::from_int(0) {
        I::from_unsigned(0)
    } else if r >= pow2(I::N) {
        I::from_unsigned((1u128 << I::N) - 1)
    } else {
        I::from_unsigned(r.to_int() as u128)
    }
}

/// `trunc_sat_s_{M,N}(z)`: NaN → 0; −∞ → −2^(N−1); +∞ → 2^(N−1) − 1; else
/// sat_s_N(trunc(z)), which clamps to [−2^(N−1), 2^(N−1) − 1].
pub(crate) fn trunc_sat_s<F: Float, I: Int>(z: F) -> I {
    if float::is_nan(z) {
        return I::from_unsigned(0);
    }
    let r = z.host_trunc();
    let bound = pow2::<F>(I::N - 1);
    let min = -(1i128 << (I::N - 1));
    if r < F::from_int(0) - bound {
        I::from_signed(min)
    } else if r >= bound {
        I::from_signed(-min - 1)
    } else {
        I::from_signed(r.to_int())
    }
}

/// `promote_{M,N}(z)` (f32 → f64): a canonical NaN gives a canonical NaN
/// (nans_N{}); any other NaN an arithmetic NaN (nans_N{±nan(1)}) — we keep
/// the sign and payload (shifted into the top payload bits, as hardware
/// does) and set the quiet bit; every other value is exactly representable.
pub(crate) fn promote(z: f32) -> f64 {
    if float::is_canonical_nan(z) {
        float::canonical_nan()
    } else if float::is_nan(z) {
        let sign = u64::from(z.to_bits() >> 31) << 63;
        let payload = u64::from(z.to_bits() & 0x007f_ffff) << (52 - 23);
        float::quiet(f64::from_bits(sign | 0x7ff0_0000_0000_0000 | payload))
    } else {
        f64::from(z)
    }
}

/// `demote_{M,N}(z)` (f64 → f32): a canonical NaN gives a canonical NaN; any
/// other NaN an arithmetic NaN — sign and the payload's top 23 bits kept,
/// quiet bit set; ±∞ and ±0 unchanged; else rounded to nearest, ties to
/// even (overflowing to ±∞), which is what Rust's `as` does.
pub(crate) fn demote(z: f64) -> f32 {
    if float::is_canonical_nan(z) {
        float::canonical_nan()
    } else if float::is_nan(z) {
        let sign = ((z.to_bits() >> 63) as u32) << 31;
        let payload = ((z.to_bits() & 0x000f_ffff_ffff_ffff) >> (52 - 23)) as u32;
        float::quiet(f32::from_bits(sign | 0x7f80_0000 | payload))
    } else {
        z as f32
    }
}

/// `convert_u_{M,N}(i)`: float_N(i), rounded to nearest, ties to even.
pub(crate) fn convert_u<I: Int, F: Float>(i: I) -> F {
    // i < 2^64 fits i128, and i128 → float rounds to nearest-even.
    F::from_int(i.unsigned() as i128)
}

/// `convert_s_{M,N}(i)`: float_N(signed_M(i)), rounded to nearest, ties to even.
pub(crate) fn convert_s<I: Int, F: Float>(i: I) -> F {
    F::from_int(i.signed())
}

/// `reinterpret_{t1,t2}` from float to integer: the same bit pattern.
pub(crate) fn reinterpret_float<F: Float, I: Int>(z: F) -> I {
    I::from_unsigned(u128::from(z.bits()))
}

/// `reinterpret_{t1,t2}` from integer to float: the same bit pattern.
pub(crate) fn reinterpret_int<I: Int, F: Float>(i: I) -> F {
    F::from_bits(i.unsigned() as u64)
}
