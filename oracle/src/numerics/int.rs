//! Integer operations (spec §4.3.2), generic over the width N ∈ {32, 64}.
//!
//! The spec treats an iN value as an *uninterpreted* N-bit pattern whose
//! default reading is unsigned; `signed_N` gives the two's-complement
//! reading. We follow it literally: every operation lifts its operands to
//! mathematical integers (`u128`/`i128`, wide enough that no intermediate
//! result of a 64-bit operation can overflow), computes the spec's formula,
//! and reduces modulo 2^N. Clarity over speed: this is the oracle.

use crate::trap::TrapKind;

/// An N-bit integer value, carried as the unsigned Rust type of that width.
pub(crate) trait Int: Copy {
    /// The bit width N.
    const N: u32;
    /// The value as a mathematical integer (the spec's default reading).
    fn unsigned(self) -> u128;
    /// `signed_N(i)`: the two's-complement reading.
    fn signed(self) -> i128;
    /// The N-bit value congruent to `x` modulo 2^N.
    fn from_unsigned(x: u128) -> Self;
    /// `signed_N⁻¹`, extended to any integer by reducing modulo 2^N.
    fn from_signed(x: i128) -> Self;
}

macro_rules! impl_int {
    ($u:ty, $s:ty) => {
        impl Int for $u {
            const N: u32 = <$u>::BITS;
            fn unsigned(self) -> u128 {
                u128::from(self)
            }
            fn signed(self) -> i128 {
                i128::from(self as $s)
            }
            // `as` from a wider integer keeps the low N bits: reduction mod 2^N.
            fn from_unsigned(x: u128) -> Self {
                x as $u
            }
            fn from_signed(x: i128) -> Self {
                x as $u
            }
        }
    };
}
impl_int!(u32, i32);
impl_int!(u64, i64);

/// 2^k as a mathematical integer.
fn pow2(k: u32) -> u128 {
    1u128 << k
}

/// The shift/rotate count: `k = i2 mod N`.
fn shift_count<I: Int>(i2: I) -> u32 {
    // N is a power of two, so the count fits u32 once reduced.
    (i2.unsigned() % u128::from(I::N)) as u32
}

// ---- binop ----------------------------------------------------------------

/// `iadd_N(i1, i2) = (i1 + i2) mod 2^N`
pub(crate) fn iadd<I: Int>(i1: I, i2: I) -> I {
    I::from_unsigned(i1.unsigned() + i2.unsigned())
}

/// `isub_N(i1, i2) = (i1 − i2 + 2^N) mod 2^N`
pub(crate) fn isub<I: Int>(i1: I, i2: I) -> I {
    I::from_unsigned(i1.unsigned() + pow2(I::N) - i2.unsigned())
}

/// `imul_N(i1, i2) = (i1 · i2) mod 2^N` (the product of two 64-bit values fits u128).
pub(crate) fn imul<I: Int>(i1: I, i2: I) -> I {
    I::from_unsigned(i1.unsigned() * i2.unsigned())
}

/// `idiv_u_N`: undefined (trap) if i2 = 0, else trunc(i1 / i2).
pub(crate) fn idiv_u<I: Int>(i1: I, i2: I) -> Result<I, TrapKind> {
    if i2.unsigned() == 0 {
        return Err(TrapKind::IntegerDivideByZero);
    }
    Ok(I::from_unsigned(i1.unsigned() / i2.unsigned()))
}

/// `idiv_s_N`: with j1 = signed(i1), j2 = signed(i2): undefined if j2 = 0;
/// undefined if j1 / j2 = 2^(N−1) (the one unrepresentable quotient,
/// INT_MIN / −1); else signed⁻¹(trunc(j1 / j2)).
pub(crate) fn idiv_s<I: Int>(i1: I, i2: I) -> Result<I, TrapKind> {
    let (j1, j2) = (i1.signed(), i2.signed());
    if j2 == 0 {
        return Err(TrapKind::IntegerDivideByZero);
    }
    // i128 division truncates toward zero, as the spec's trunc does.
    let q = j1 / j2;
    if q == pow2(I::N - 1) as i128 {
        return Err(TrapKind::IntegerOverflow);
    }
    Ok(I::from_signed(q))
}

/// `irem_u_N`: undefined if i2 = 0, else i1 − i2 · trunc(i1 / i2).
pub(crate) fn irem_u<I: Int>(i1: I, i2: I) -> Result<I, TrapKind> {
    if i2.unsigned() == 0 {
        return Err(TrapKind::IntegerDivideByZero);
    }
    Ok(I::from_unsigned(i1.unsigned() % i2.unsigned()))
}

/// `irem_s_N`: undefined if j2 = 0, else signed⁻¹(j1 − j2 · trunc(j1 / j2)).
/// Note INT_MIN rem −1 is 0, not a trap: the remainder is representable.
pub(crate) fn irem_s<I: Int>(i1: I, i2: I) -> Result<I, TrapKind> {
    let (j1, j2) = (i1.signed(), i2.signed());
    if j2 == 0 {
        return Err(TrapKind::IntegerDivideByZero);
    }
    Ok(I::from_signed(j1 - j2 * (j1 / j2)))
}

/// `iand_N`: bitwise conjunction.
pub(crate) fn iand<I: Int>(i1: I, i2: I) -> I {
    I::from_unsigned(i1.unsigned() & i2.unsigned())
}

/// `ior_N`: bitwise disjunction.
pub(crate) fn ior<I: Int>(i1: I, i2: I) -> I {
    I::from_unsigned(i1.unsigned() | i2.unsigned())
}

/// `ixor_N`: bitwise exclusive disjunction.
pub(crate) fn ixor<I: Int>(i1: I, i2: I) -> I {
    I::from_unsigned(i1.unsigned() ^ i2.unsigned())
}

/// `ishl_N(i1, i2)`: k = i2 mod N; (i1 · 2^k) mod 2^N.
pub(crate) fn ishl<I: Int>(i1: I, i2: I) -> I {
    I::from_unsigned(i1.unsigned() << shift_count(i2))
}

/// `ishr_u_N(i1, i2)`: k = i2 mod N; i1 shifted right by k, filling with 0.
pub(crate) fn ishr_u<I: Int>(i1: I, i2: I) -> I {
    I::from_unsigned(i1.unsigned() >> shift_count(i2))
}

/// `ishr_s_N(i1, i2)`: k = i2 mod N; i1 shifted right by k, replicating the
/// sign bit (an arithmetic shift of signed(i1)).
pub(crate) fn ishr_s<I: Int>(i1: I, i2: I) -> I {
    I::from_signed(i1.signed() >> shift_count(i2))
}

/// `irotl_N(i1, i2)`: k = i2 mod N; i1 rotated left by k.
pub(crate) fn irotl<I: Int>(i1: I, i2: I) -> I {
    let (i, k) = (i1.unsigned(), shift_count(i2));
    // For k = 0 the right shift is by N, which leaves 0 since i < 2^N.
    I::from_unsigned((i << k) | (i >> (I::N - k)))
}

/// `irotr_N(i1, i2)`: k = i2 mod N; i1 rotated right by k.
pub(crate) fn irotr<I: Int>(i1: I, i2: I) -> I {
    let (i, k) = (i1.unsigned(), shift_count(i2));
    I::from_unsigned((i >> k) | (i << (I::N - k)))
}

// ---- unop -----------------------------------------------------------------

/// `iclz_N(i)`: the number of leading zero bits; N if i = 0.
pub(crate) fn iclz<I: Int>(i: I) -> I {
    let bit_length = u128::BITS - i.unsigned().leading_zeros();
    I::from_unsigned(u128::from(I::N - bit_length))
}

/// `ictz_N(i)`: the number of trailing zero bits; N if i = 0.
pub(crate) fn ictz<I: Int>(i: I) -> I {
    let k = if i.unsigned() == 0 {
        I::N
    } else {
        i.unsigned().trailing_zeros()
    };
    I::from_unsigned(u128::from(k))
}

/// `ipopcnt_N(i)`: the number of non-zero bits.
pub(crate) fn ipopcnt<I: Int>(i: I) -> I {
    I::from_unsigned(u128::from(i.unsigned().count_ones()))
}

/// `iextendM_s_N(i)`: j = i mod 2^M; signed⁻¹_N(signed_M(j)).
pub(crate) fn iextend_s<const M: u32, I: Int>(i: I) -> I {
    let j = i.unsigned() % pow2(M);
    // signed_M(j): j if j < 2^(M−1), else j − 2^M.
    let signed_m = if j < pow2(M - 1) {
        j as i128
    } else {
        j as i128 - pow2(M) as i128
    };
    I::from_signed(signed_m)
}

// ---- testop and relop (results are the spec's bool(C): 1 or 0) -------------

/// `ieqz_N(i)`: i = 0.
pub(crate) fn ieqz<I: Int>(i: I) -> bool {
    i.unsigned() == 0
}

/// `ieq_N(i1, i2)`: i1 = i2.
pub(crate) fn ieq<I: Int>(i1: I, i2: I) -> bool {
    i1.unsigned() == i2.unsigned()
}

/// `ine_N(i1, i2)`: i1 ≠ i2.
pub(crate) fn ine<I: Int>(i1: I, i2: I) -> bool {
    i1.unsigned() != i2.unsigned()
}

/// `ilt_u_N(i1, i2)`: i1 < i2.
pub(crate) fn ilt_u<I: Int>(i1: I, i2: I) -> bool {
    i1.unsigned() < i2.unsigned()
}

/// `ilt_s_N(i1, i2)`: signed(i1) < signed(i2).
pub(crate) fn ilt_s<I: Int>(i1: I, i2: I) -> bool {
    i1.signed() < i2.signed()
}

/// `igt_u_N(i1, i2)`: i1 > i2.
pub(crate) fn igt_u<I: Int>(i1: I, i2: I) -> bool {
    i1.unsigned() > i2.unsigned()
}

/// `igt_s_N(i1, i2)`: signed(i1) > signed(i2).
pub(crate) fn igt_s<I: Int>(i1: I, i2: I) -> bool {
    i1.signed() > i2.signed()
}

/// `ile_u_N(i1, i2)`: i1 ≤ i2.
pub(crate) fn ile_u<I: Int>(i1: I, i2: I) -> bool {
    i1.unsigned() <= i2.unsigned()
}

/// `ile_s_N(i1, i2)`: signed(i1) ≤ signed(i2).
pub(crate) fn ile_s<I: Int>(i1: I, i2: I) -> bool {
    i1.signed() <= i2.signed()
}

/// `ige_u_N(i1, i2)`: i1 ≥ i2.
pub(crate) fn ige_u<I: Int>(i1: I, i2: I) -> bool {
    i1.unsigned() >= i2.unsigned()
}

/// `ige_s_N(i1, i2)`: signed(i1) ≥ signed(i2).
pub(crate) fn ige_s<I: Int>(i1: I, i2: I) -> bool {
    i1.signed() >= i2.signed()
}
