//! Floating-point operations (spec §4.3.3), generic over N ∈ {32, 64}.
//!
//! # How NaNs are produced (read this before comparing against the oracle)
//!
//! The spec lets a NaN-producing operation return any element of the set
//! `nans_N{z*}`; the oracle must be deterministic, so it picks one element by
//! a fixed rule implemented in [`nans`], from bit patterns alone:
//!
//! * if every NaN operand is a canonical NaN (or there is no NaN operand,
//!   e.g. `inf − inf`, `0 / 0`, `sqrt(−1)`): the **positive canonical NaN**
//!   (`0x7fc0_0000` / `0x7ff8_0000_0000_0000`);
//! * otherwise: the **first non-canonical NaN operand, made quiet** (its
//!   payload's top bit set; sign and remaining payload kept). That is an
//!   arithmetic NaN, as the spec requires.
//!
//! The host FPU never decides a NaN: operations check their operands for NaN
//! first, and replace a NaN the host computes from non-NaN operands by
//! `nans{}`. Host `f32`/`f64` are used only (a) as carriers, whose moves and
//! `to_bits`/`from_bits` preserve every bit (Rust guarantees this on all
//! targets with SSE2 or better; x87-only targets are not supported), and
//! (b) for IEEE 754 arithmetic on non-NaN operands, which Rust guarantees is
//! correctly rounded to nearest, ties to even — exactly the spec's rounding —
//! and for comparisons, which read NaNs but never produce them.
//!
//! `fabs`, `fneg` and `fcopysign` are sign-bit operations and never touch a
//! NaN's payload (spec: they are not subject to NaN propagation).

use std::ops::{Add, Div, Mul, Sub};

/// An N-bit IEEE 754 binary float.
pub(crate) trait Float:
    Copy
    + PartialEq
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
{
    /// The bit width N.
    const N: u32;
    /// `signif(N)`: the number of explicit significand bits (23 or 52).
    const SIGNIF: u32;
    /// `expon(N)`: the number of exponent bits (8 or 11).
    const EXPON: u32;

    /// The bit pattern, zero-extended to 64 bits.
    fn bits(self) -> u64;
    /// The float with the low N bits of `bits` as its pattern.
    fn from_bits(bits: u64) -> Self;

    // Host operations on non-NaN operands: exact or correctly rounded.
    fn host_sqrt(self) -> Self;
    fn host_ceil(self) -> Self;
    fn host_floor(self) -> Self;
    fn host_trunc(self) -> Self;
    fn host_round_ties_even(self) -> Self;
    /// The nearest float to an integer, ties to even (Rust's `as`).
    fn from_int(i: i128) -> Self;
    /// An integral, in-range (|x| < 2^64) float as an integer: exact.
    fn to_int(self) -> i128;
}

macro_rules! impl_float {
    ($f:ty, $u:ty, $signif:expr, $expon:expr) => {
        impl Float for $f {
            const N: u32 = <$u>::BITS;
            const SIGNIF: u32 = $signif;
            const EXPON: u32 = $expon;
            fn bits(self) -> u64 {
                u64::from(self.to_bits())
            }
            fn from_bits(bits: u64) -> Self {
                <$f>::from_bits(bits as $u)
            }
            fn host_sqrt(self) -> Self {
                self.sqrt()
            }
            fn host_ceil(self) -> Self {
                self.ceil()
            }
            fn host_floor(self) -> Self {
                self.floor()
            }
            fn host_trunc(self) -> Self {
                self.trunc()
            }
            fn host_round_ties_even(self) -> Self {
                self.round_ties_even()
            }
            fn from_int(i: i128) -> Self {
                i as $f
            }
            fn to_int(self) -> i128 {
                self as i128
            }
        }
    };
}
impl_float!(f32, u32, 23, 8);
impl_float!(f64, u64, 52, 11);

// ---- bit-level anatomy (spec §4.3.3 "Representations") -----------------------

fn sign_mask<F: Float>() -> u64 {
    1 << (F::N - 1)
}
fn expon_mask<F: Float>() -> u64 {
    ((1 << F::EXPON) - 1) << F::SIGNIF
}
fn signif_mask<F: Float>() -> u64 {
    (1 << F::SIGNIF) - 1
}
/// `canon_N = 2^(signif(N)−1)`: the canonical payload (only the top bit set).
fn canon<F: Float>() -> u64 {
    1 << (F::SIGNIF - 1)
}

/// z is a NaN: all exponent bits set, non-zero payload.
pub(crate) fn is_nan<F: Float>(z: F) -> bool {
    z.bits() & expon_mask::<F>() == expon_mask::<F>() && z.bits() & signif_mask::<F>() != 0
}

/// z = ±nan(canon_N).
pub(crate) fn is_canonical_nan<F: Float>(z: F) -> bool {
    z.bits() & !sign_mask::<F>() == expon_mask::<F>() | canon::<F>()
}

/// z = ±nan(n) with n ≥ canon_N (the payload's top bit is set).
pub(crate) fn is_arithmetic_nan<F: Float>(z: F) -> bool {
    is_nan(z) && z.bits() & canon::<F>() != 0
}

fn is_negative<F: Float>(z: F) -> bool {
    z.bits() & sign_mask::<F>() != 0
}

fn is_zero<F: Float>(z: F) -> bool {
    z.bits() & !sign_mask::<F>() == 0
}

fn infinity<F: Float>(negative: bool) -> F {
    F::from_bits(expon_mask::<F>() | if negative { sign_mask::<F>() } else { 0 })
}

/// +nan(canon_N).
pub(crate) fn canonical_nan<F: Float>() -> F {
    F::from_bits(expon_mask::<F>() | canon::<F>())
}

/// z with its payload's top bit set: an arithmetic NaN if z was a NaN.
pub(crate) fn quiet<F: Float>(z: F) -> F {
    F::from_bits(z.bits() | canon::<F>())
}

/// `nans_N{z*}`, made deterministic (see the module docs): +nan(canon_N) if
/// every NaN among `zs` is canonical, else the first non-canonical one, quieted.
pub(crate) fn nans<F: Float>(zs: &[F]) -> F {
    match zs.iter().find(|&&z| is_nan(z) && !is_canonical_nan(z)) {
        None => canonical_nan(),
        Some(&z) => quiet(z),
    }
}

/// The shape shared by `fadd`, `fsub`, `fmul`, `fdiv`: a NaN operand gives
/// `nans{z1, z2}`; otherwise the spec's case list (infinities, zeros of either
/// sign, rounding to nearest-even) is exactly IEEE 754, which the host computes.
/// The host yields a NaN from non-NaN operands only where the spec says
/// `nans{}` (∞ − ∞, 0 · ∞, 0 / 0, ∞ / ∞); that is replaced by our choice.
fn arithmetic<F: Float>(z1: F, z2: F, ieee: fn(F, F) -> F) -> F {
    if is_nan(z1) || is_nan(z2) {
        return nans(&[z1, z2]);
    }
    let r = ieee(z1, z2);
    if is_nan(r) { nans(&[]) } else { r }
}

/// The shape shared by `fceil`, `ffloor`, `ftrunc`, `fnearest`: a NaN gives
/// `nans{z}`; ±∞ and ±0 are returned unchanged and a value strictly between
/// −1 and 0 (or −0.5 and 0 for nearest) rounds to −0 — the host's IEEE
/// roundToIntegral operations do exactly that and are exact.
fn round<F: Float>(z: F, to_integral: fn(F) -> F) -> F {
    if is_nan(z) {
        nans(&[z])
    } else {
        to_integral(z)
    }
}

// ---- unop -------------------------------------------------------------------

/// `fabs_N(z)`: z with the sign bit cleared (NaNs included, payload kept).
pub(crate) fn fabs<F: Float>(z: F) -> F {
    F::from_bits(z.bits() & !sign_mask::<F>())
}

/// `fneg_N(z)`: z with the sign bit flipped (NaNs included, payload kept).
pub(crate) fn fneg<F: Float>(z: F) -> F {
    F::from_bits(z.bits() ^ sign_mask::<F>())
}

/// `fsqrt_N(z)`: NaN → nans{z}; negative (other than −0) → nans{};
/// otherwise the correctly rounded square root (sqrt(−0) = −0, sqrt(+∞) = +∞).
pub(crate) fn fsqrt<F: Float>(z: F) -> F {
    if is_nan(z) {
        nans(&[z])
    } else if is_negative(z) && !is_zero(z) {
        nans(&[])
    } else {
        z.host_sqrt()
    }
}

/// `fceil_N(z)`: the smallest integral value not less than z.
pub(crate) fn fceil<F: Float>(z: F) -> F {
    round(z, F::host_ceil)
}

/// `ffloor_N(z)`: the largest integral value not greater than z.
pub(crate) fn ffloor<F: Float>(z: F) -> F {
    round(z, F::host_floor)
}

/// `ftrunc_N(z)`: the integral value with the same sign, nearest to zero.
pub(crate) fn ftrunc<F: Float>(z: F) -> F {
    round(z, F::host_trunc)
}

/// `fnearest_N(z)`: the nearest integral value; ties to the even one.
pub(crate) fn fnearest<F: Float>(z: F) -> F {
    round(z, F::host_round_ties_even)
}

// ---- binop ------------------------------------------------------------------

/// `fadd_N(z1, z2)`
pub(crate) fn fadd<F: Float>(z1: F, z2: F) -> F {
    arithmetic(z1, z2, |a, b| a + b)
}

/// `fsub_N(z1, z2)`
pub(crate) fn fsub<F: Float>(z1: F, z2: F) -> F {
    arithmetic(z1, z2, |a, b| a - b)
}

/// `fmul_N(z1, z2)`
pub(crate) fn fmul<F: Float>(z1: F, z2: F) -> F {
    arithmetic(z1, z2, |a, b| a * b)
}

/// `fdiv_N(z1, z2)`
pub(crate) fn fdiv<F: Float>(z1: F, z2: F) -> F {
    arithmetic(z1, z2, |a, b| a / b)
}

/// `fmin_N(z1, z2)`, case by case as the spec lists them. Unlike IEEE
/// minNum (Rust's `f32::min`), a NaN operand wins, and −0 < +0.
pub(crate) fn fmin<F: Float>(z1: F, z2: F) -> F {
    let neg_inf = infinity::<F>(true);
    let pos_inf = infinity::<F>(false);
    if is_nan(z1) || is_nan(z2) {
        nans(&[z1, z2])
    } else if z1 == neg_inf || z2 == neg_inf {
        neg_inf
    } else if z1 == pos_inf {
        z2
    } else if z2 == pos_inf {
        z1
    } else if is_zero(z1) && is_zero(z2) && is_negative(z1) != is_negative(z2) {
        F::from_bits(sign_mask::<F>()) // −0
    } else if z1 <= z2 {
        z1
    } else {
        z2
    }
}

/// `fmax_N(z1, z2)`, the mirror image of `fmin_N`: +0 > −0.
pub(crate) fn fmax<F: Float>(z1: F, z2: F) -> F {
    let neg_inf = infinity::<F>(true);
    let pos_inf = infinity::<F>(false);
    if is_nan(z1) || is_nan(z2) {
        nans(&[z1, z2])
    } else if z1 == pos_inf || z2 == pos_inf {
        pos_inf
    } else if z1 == neg_inf {
        z2
    } else if z2 == neg_inf {
        z1
    } else if is_zero(z1) && is_zero(z2) && is_negative(z1) != is_negative(z2) {
        F::from_bits(0) // +0
    } else if z1 >= z2 {
        z1
    } else {
        z2
    }
}

/// `fcopysign_N(z1, z2)`: z1's magnitude bits with z2's sign bit.
pub(crate) fn fcopysign<F: Float>(z1: F, z2: F) -> F {
    F::from_bits((z1.bits() & !sign_mask::<F>()) | (z2.bits() & sign_mask::<F>()))
}

// ---- relop: IEEE 754 comparisons — a NaN is unordered with everything, so
// only `ne` holds for it; −0 = +0. Rust's `==`, `<`, ... on floats are exactly
// these, and they only read NaNs, never produce one.

/// `feq_N(z1, z2)`
pub(crate) fn feq<F: Float>(z1: F, z2: F) -> bool {
    z1 == z2
}

/// `fne_N(z1, z2)`
pub(crate) fn fne<F: Float>(z1: F, z2: F) -> bool {
    z1 != z2
}

/// `flt_N(z1, z2)`
pub(crate) fn flt<F: Float>(z1: F, z2: F) -> bool {
    z1 < z2
}

/// `fgt_N(z1, z2)`
pub(crate) fn fgt<F: Float>(z1: F, z2: F) -> bool {
    z1 > z2
}

/// `fle_N(z1, z2)`
pub(crate) fn fle<F: Float>(z1: F, z2: F) -> bool {
    z1 <= z2
}

/// `fge_N(z1, z2)`
pub(crate) fn fge<F: Float>(z1: F, z2: F) -> bool {
    z1 >= z2
}
