//! Engine-neutral values, drawn from fuzzer input with a bias to edge cases.

use std::fmt;

use arbitrary::Unstructured;
use serde::{Deserialize, Serialize};

/// A value as every peer sees it. Floats are bit patterns; references are
/// compared by null-ness only (their identity means nothing across engines).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    /// Little-endian bytes, as hex in reproducers.
    V128(#[serde(with = "hex128")] u128),
    FuncRef {
        null: bool,
    },
    ExternRef {
        null: bool,
    },
}

/// The type of a parameter or result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ty {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
    /// A reference type the fuzzer cannot make a value of (non-nullable or
    /// typed references): functions taking one are not called.
    OtherRef,
}

impl Value {
    /// Equality for verdicts: any NaN equals any NaN (of the same width).
    pub fn same(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::F32(a), Value::F32(b)) => {
                a == b || (f32::from_bits(*a).is_nan() && f32::from_bits(*b).is_nan())
            }
            (Value::F64(a), Value::F64(b)) => {
                a == b || (f64::from_bits(*a).is_nan() && f64::from_bits(*b).is_nan())
            }
            (a, b) => a == b,
        }
    }
}

/// Element-wise [`Value::same`].
pub fn same_values(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::I32(v) => write!(f, "i32:{v}"),
            Value::I64(v) => write!(f, "i64:{v}"),
            Value::F32(bits) => {
                let v = f32::from_bits(*bits);
                if v.is_nan() {
                    write!(f, "f32:nan({bits:#010x})")
                } else {
                    write!(f, "f32:{v:?}({bits:#010x})")
                }
            }
            Value::F64(bits) => {
                let v = f64::from_bits(*bits);
                if v.is_nan() {
                    write!(f, "f64:nan({bits:#018x})")
                } else {
                    write!(f, "f64:{v:?}({bits:#018x})")
                }
            }
            Value::V128(v) => write!(f, "v128:{v:#034x}"),
            Value::FuncRef { null: true } => f.write_str("funcref:null"),
            Value::FuncRef { null: false } => f.write_str("funcref:non-null"),
            Value::ExternRef { null: true } => f.write_str("externref:null"),
            Value::ExternRef { null: false } => f.write_str("externref:non-null"),
        }
    }
}

/// Formats a list of values as `[a, b]`.
pub fn show_values(values: &[Value]) -> String {
    let items: Vec<String> = values.iter().map(ToString::to_string).collect();
    format!("[{}]", items.join(", "))
}

const I32_EDGES: &[i32] = &[
    0,
    1,
    -1,
    i32::MIN,
    i32::MAX,
    i32::MIN + 1,
    i32::MAX - 1,
    2,
    31,
    32,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    0x1_0000,
    0x1_0000 - 1,
    0x2_0000,
];

const I64_EDGES: &[i64] = &[
    0,
    1,
    -1,
    i64::MIN,
    i64::MAX,
    i64::MIN + 1,
    i64::MAX - 1,
    63,
    64,
    0xffff_ffff,
    0x1_0000_0000,
    i32::MIN as i64,
    i32::MAX as i64,
    0x1_0000,
];

const F32_EDGES: &[f32] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    f32::INFINITY,
    f32::NEG_INFINITY,
    f32::NAN,
    f32::MIN,
    f32::MAX,
    f32::MIN_POSITIVE,
    f32::EPSILON,
    0.5,
    -0.5,
    2147483648.0,
    -2147483904.0,
    4294967296.0,
    9223372036854775808.0,
    18446744073709551616.0,
];

const F64_EDGES: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    f64::MIN,
    f64::MAX,
    f64::MIN_POSITIVE,
    f64::EPSILON,
    0.5,
    -0.5,
    2147483648.0,
    -2147483649.0,
    4294967296.0,
    9223372036854775808.0,
    -9223372036854777856.0,
    18446744073709551616.0,
];

/// An edge value three times in four, else arbitrary bits (a float's
/// smallest subnormal, negative NaN payloads etc. come from there).
fn pick<'a, T: Copy + arbitrary::Arbitrary<'a>>(
    u: &mut Unstructured<'a>,
    edges: &[T],
) -> arbitrary::Result<T> {
    if u.ratio(3u8, 4u8)? {
        u.choose(edges).copied()
    } else {
        u.arbitrary()
    }
}

/// A value of type `ty` drawn from `u`; `None` for [`Ty::OtherRef`].
pub fn arbitrary_value(u: &mut Unstructured<'_>, ty: Ty) -> arbitrary::Result<Option<Value>> {
    Ok(Some(match ty {
        Ty::I32 => Value::I32(pick(u, I32_EDGES)?),
        Ty::I64 => Value::I64(pick(u, I64_EDGES)?),
        Ty::F32 => Value::F32(if u.ratio(3u8, 4u8)? {
            u.choose(F32_EDGES)?.to_bits()
        } else {
            u.arbitrary()?
        }),
        Ty::F64 => Value::F64(if u.ratio(3u8, 4u8)? {
            u.choose(F64_EDGES)?.to_bits()
        } else {
            u.arbitrary()?
        }),
        Ty::V128 => {
            let lo = u64::from_le_bytes(pick(u, I64_EDGES)?.to_le_bytes());
            let hi = u64::from_le_bytes(pick(u, I64_EDGES)?.to_le_bytes());
            Value::V128(u128::from(lo) | (u128::from(hi) << 64))
        }
        Ty::FuncRef => Value::FuncRef { null: true },
        Ty::ExternRef => Value::ExternRef { null: true },
        Ty::OtherRef => return Ok(None),
    }))
}

mod hex128 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:#034x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let s = String::deserialize(d)?;
        let digits = s.trim_start_matches("0x");
        u128::from_str_radix(digits, 16).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nans_are_equal_to_any_nan() {
        let canonical = Value::F32(0x7fc0_0000);
        let payload = Value::F32(0xffc0_0001);
        assert!(canonical.same(&payload));
        assert!(
            !Value::F32(0).same(&Value::F32(0x8000_0000)),
            "+0 and -0 differ"
        );
        assert!(Value::F64(f64::NAN.to_bits()).same(&Value::F64(0xfff8_0000_0000_0001)));
        assert!(!Value::F64(0).same(&Value::F32(0)));
    }

    #[test]
    fn edge_values_come_up() {
        let data: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        let mut u = Unstructured::new(&data);
        let mut seen_min = false;
        let mut seen_nan = false;
        for _ in 0..400 {
            if let Ok(Some(Value::I32(i32::MIN))) = arbitrary_value(&mut u, Ty::I32) {
                seen_min = true;
            }
            if let Ok(Some(Value::F64(b))) = arbitrary_value(&mut u, Ty::F64)
                && f64::from_bits(b).is_nan()
            {
                seen_nan = true;
            }
        }
        assert!(seen_min && seen_nan);
    }

    #[test]
    fn v128_round_trips_through_json() {
        let v = Value::V128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210);
        let json = serde_json::to_string(&v).unwrap_or_default();
        let back: Value = serde_json::from_str(&json).unwrap_or(Value::I32(0));
        assert_eq!(v, back);
    }
}
