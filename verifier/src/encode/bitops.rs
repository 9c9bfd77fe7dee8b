//! Exact encodings of the bit operations SMT-LIB lacks, for every width.

use crate::smt::S;

fn bit(x: &S, i: usize) -> S {
    S::indexed("extract", &[i, i], vec![x.clone()])
}

/// Number of set bits, as a `w`-bit value.
pub fn popcnt(x: S, w: usize) -> S {
    if w == 1 {
        return x;
    }
    let terms: Vec<S> = (0..w)
        .map(|i| S::indexed("zero_extend", &[w - 1], vec![bit(&x, i)]))
        .collect();
    S::app("bvadd", terms)
}

/// Count of leading zeros, `w` when `x` is zero, as a `w`-bit value (any
/// count 0..=w fits in w bits).
pub fn clz(x: S, w: usize) -> S {
    // Scan from the lowest bit up: the highest set bit decides last.
    let mut r = S::bv(w as u128, w);
    for i in 0..w {
        r = S::ite(
            S::eq(bit(&x, i), S::bv(1, 1)),
            S::bv((w - 1 - i) as u128, w),
            r,
        );
    }
    r
}

/// Count of leading sign bits (not counting the sign bit itself), as in
/// AArch64 `CLS`: `clz((x ^ (x << 1)) | 1)`.
pub fn cls(x: S, w: usize) -> S {
    if w == 1 {
        return S::bv(0, 1);
    }
    let y = S::app(
        "bvor",
        vec![
            S::app(
                "bvxor",
                vec![x.clone(), S::app("bvshl", vec![x, S::bv(1, w)])],
            ),
            S::bv(1, w),
        ],
    );
    let name = "_cls";
    S::app(
        "let",
        vec![
            S::list(vec![S::list(vec![S::atom(name), y])]),
            clz(S::atom(name), w),
        ],
    )
}

/// Bit reversal.
pub fn rev(x: S, w: usize) -> S {
    if w == 1 {
        return x;
    }
    // concat puts its first argument in the high bits: bit 0 goes first.
    S::app("concat", (0..w).map(|i| bit(&x, i)).collect())
}

/// Rotation by a dynamic amount, modulo the width.
pub fn rotate(x: S, s: S, w: usize, left: bool) -> S {
    if w == 1 {
        return x;
    }
    let wc = S::bv(w as u128, w);
    let amt = S::app("bvurem", vec![s, wc.clone()]);
    let back = S::app("bvsub", vec![wc, amt.clone()]);
    let (a, b) = if left {
        ("bvshl", "bvlshr")
    } else {
        ("bvlshr", "bvshl")
    };
    // When amt is 0, `back` is w and the second shift yields 0: still exact.
    S::app(
        "bvor",
        vec![S::app(a, vec![x.clone(), amt]), S::app(b, vec![x, back])],
    )
}

/// Signed addition overflow: both operands have the same sign and the sum's
/// sign differs.
pub fn saddo(a: S, b: S, w: usize) -> S {
    let top = w - 1;
    let sum = S::app("bvadd", vec![a.clone(), b.clone()]);
    S::and(vec![
        S::eq(bit(&a, top), bit(&b, top)),
        S::negate(S::eq(bit(&sum, top), bit(&a, top))),
    ])
}
