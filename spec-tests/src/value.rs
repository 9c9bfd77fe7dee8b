//! The runner's own view of values: what `invoke` passes and what
//! `assert_return` compares. Strategy-neutral, so each strategy converts
//! from its own value type at the seam (`strategy.rs`).

use std::fmt;

use wasmproof_oracle::HeapType;

/// A value crossing the boundary between the script and a strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Val {
    I32(i32),
    I64(i64),
    /// IEEE-754 bits, so NaN payloads compare exactly.
    F32(u32),
    /// IEEE-754 bits, so NaN payloads compare exactly.
    F64(u64),
    V128(u128),
    Ref(RefVal),
}

/// A reference value, as far as a script can observe it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefVal {
    /// `ref.null ht`
    Null(HeapType),
    /// A non-null function reference (its identity is not observable from a script).
    Func,
    /// `ref.extern N`: a host reference carrying the number `N`.
    Extern(u32),
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Val::I32(v) => write!(f, "(i32.const {v})"),
            Val::I64(v) => write!(f, "(i64.const {v})"),
            Val::F32(bits) => write!(f, "(f32.const {})", fmt_f32(bits)),
            Val::F64(bits) => write!(f, "(f64.const {})", fmt_f64(bits)),
            Val::V128(v) => write!(
                f,
                "(v128.const i64x2 {:#x} {:#x})",
                v as u64,
                (v >> 64) as u64
            ),
            Val::Ref(r) => write!(f, "{r}"),
        }
    }
}

impl fmt::Display for RefVal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RefVal::Null(ht) => write!(f, "(ref.null {})", heap_name(ht)),
            RefVal::Func => write!(f, "(ref.func)"),
            RefVal::Extern(n) => write!(f, "(ref.extern {n})"),
        }
    }
}

/// The text-format name of a heap type.
pub fn heap_name(ht: HeapType) -> String {
    match ht {
        HeapType::Func => "func".into(),
        HeapType::Extern => "extern".into(),
        HeapType::Any => "any".into(),
        HeapType::Eq => "eq".into(),
        HeapType::I31 => "i31".into(),
        HeapType::Struct => "struct".into(),
        HeapType::Array => "array".into(),
        HeapType::Exn => "exn".into(),
        HeapType::None => "none".into(),
        HeapType::NoFunc => "nofunc".into(),
        HeapType::NoExtern => "noextern".into(),
        HeapType::NoExn => "noexn".into(),
        HeapType::Concrete(i) => i.to_string(),
    }
}

/// A float for humans: its value and, always, its exact bits.
pub fn fmt_f32(bits: u32) -> String {
    let v = f32::from_bits(bits);
    if v.is_nan() {
        let sign = if bits >> 31 == 1 { "-" } else { "" };
        format!("{sign}nan:{:#x} ({bits:#010x})", bits & 0x007f_ffff)
    } else {
        format!("{v:?} ({bits:#010x})")
    }
}

/// A float for humans: its value and, always, its exact bits.
pub fn fmt_f64(bits: u64) -> String {
    let v = f64::from_bits(bits);
    if v.is_nan() {
        let sign = if bits >> 63 == 1 { "-" } else { "" };
        format!(
            "{sign}nan:{:#x} ({bits:#018x})",
            bits & 0x000f_ffff_ffff_ffff
        )
    } else {
        format!("{v:?} ({bits:#018x})")
    }
}

/// `nan:canonical` for f32: the sign is free, the payload is exactly the quiet bit.
pub fn is_canonical_nan_f32(bits: u32) -> bool {
    bits & 0x7fff_ffff == 0x7fc0_0000
}

/// `nan:arithmetic` for f32: any NaN with the quiet (most significant payload) bit set.
pub fn is_arithmetic_nan_f32(bits: u32) -> bool {
    bits & 0x7fc0_0000 == 0x7fc0_0000
}

/// `nan:canonical` for f64.
pub fn is_canonical_nan_f64(bits: u64) -> bool {
    bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000
}

/// `nan:arithmetic` for f64.
pub fn is_arithmetic_nan_f64(bits: u64) -> bool {
    bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_classes() {
        assert!(is_canonical_nan_f32(0x7fc0_0000));
        assert!(is_canonical_nan_f32(0xffc0_0000));
        assert!(!is_canonical_nan_f32(0x7fc0_0001));
        assert!(!is_canonical_nan_f32(0x7f80_0000)); // infinity
        assert!(is_arithmetic_nan_f32(0x7fc0_0001));
        assert!(is_arithmetic_nan_f32(0xffff_ffff));
        assert!(!is_arithmetic_nan_f32(0x7fa0_0000)); // signalling
        assert!(is_canonical_nan_f64(0xfff8_0000_0000_0000));
        assert!(!is_canonical_nan_f64(0x7ff8_0000_0000_0001));
        assert!(is_arithmetic_nan_f64(0x7ff8_0000_0000_0001));
        assert!(!is_arithmetic_nan_f64(0x7ff4_0000_0000_0000));
        assert!(!is_arithmetic_nan_f64(0x7ff0_0000_0000_0000));
    }
}
