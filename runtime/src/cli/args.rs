//! Parsing of command-line values: `--dir`, `--env`, and `--invoke` arguments.

use std::path::PathBuf;

use crate::{Val, ValType};

/// `HOST[::GUEST]`; the guest path defaults to the host path.
pub fn parse_dir(s: &str) -> Result<(PathBuf, String), String> {
    let (host, guest) = match s.split_once("::") {
        Some((h, g)) => (h, g),
        None => (s, s),
    };
    if host.is_empty() || guest.is_empty() {
        return Err(format!("`{s}` is not of the form HOST[::GUEST]"));
    }
    Ok((PathBuf::from(host), guest.to_string()))
}

/// `K=V` (V may be empty; K may not).
pub fn parse_env(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not of the form K=V")),
    }
}

/// Parses `s` as a value of type `ty`: integers in decimal or `0x` hex
/// (negative allowed; unsigned values up to 2^N-1 wrap), floats in decimal or
/// exponent notation, `inf`, `-inf`, `nan`, `-nan`, `nan:0xPAYLOAD`.
pub fn parse_val(s: &str, ty: ValType) -> Result<Val, String> {
    match ty {
        ValType::I32 => {
            let v = parse_int(s, 32).ok_or_else(|| {
                format!("`{s}` is not an i32 (decimal or 0x-hex, -2147483648..=4294967295)")
            })?;
            Ok(Val::I32(v as u32 as i32))
        }
        ValType::I64 => {
            let v = parse_int(s, 64)
                .ok_or_else(|| format!("`{s}` is not an i64 (decimal or 0x-hex, 64-bit range)"))?;
            Ok(Val::I64(v as u64 as i64))
        }
        ValType::F32 => parse_f32(s)
            .map(Val::F32)
            .ok_or_else(|| format!("`{s}` is not an f32 (e.g. 1.5, -2e3, inf, nan)")),
        ValType::F64 => parse_f64(s)
            .map(Val::F64)
            .ok_or_else(|| format!("`{s}` is not an f64 (e.g. 1.5, -2e3, inf, nan)")),
        other => Err(format!(
            "parameters of type {other} cannot be given on the command line"
        )),
    }
}

/// An integer of `bits` bits, as an i128 in `-2^(bits-1) ..= 2^bits - 1`.
fn parse_int(s: &str, bits: u32) -> Option<i128> {
    let s = s.replace('_', "");
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    let magnitude: u128 = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) if !hex.is_empty() && !hex.starts_with(['+', '-']) => {
            u128::from_str_radix(hex, 16).ok()?
        }
        Some(_) => return None,
        None if !digits.is_empty() && !digits.starts_with(['+', '-']) => digits.parse().ok()?,
        None => return None,
    };
    let magnitude = i128::try_from(magnitude).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    let min = -(1i128 << (bits - 1));
    let max = (1i128 << bits) - 1;
    (min..=max).contains(&value).then_some(value)
}

/// `nan:0xPAYLOAD` (with optional sign) as bits, for a format with
/// `mantissa_bits` of mantissa and `total_bits` overall.
fn parse_nan_payload(s: &str, mantissa_bits: u32, total_bits: u32) -> Option<u64> {
    let (negative, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let hex = rest
        .strip_prefix("nan:0x")
        .or_else(|| rest.strip_prefix("NaN:0x"))?;
    let payload = u64::from_str_radix(hex, 16).ok()?;
    let mantissa_mask = (1u64 << mantissa_bits) - 1;
    if payload == 0 || payload & !mantissa_mask != 0 {
        return None;
    }
    let exponent = ((1u64 << (total_bits - 1 - mantissa_bits)) - 1) << mantissa_bits;
    let sign = if negative {
        1u64 << (total_bits - 1)
    } else {
        0
    };
    Some(sign | exponent | payload)
}

fn parse_f32(s: &str) -> Option<u32> {
    if s.contains(':') {
        return parse_nan_payload(s, 23, 32).map(|b| b as u32);
    }
    let v: f32 = s.parse().ok()?;
    if v.is_nan() {
        // Canonical NaN with the sign the text asked for.
        let sign = if s.starts_with('-') { 0x8000_0000 } else { 0 };
        return Some(sign | 0x7fc0_0000);
    }
    Some(v.to_bits())
}

fn parse_f64(s: &str) -> Option<u64> {
    if s.contains(':') {
        return parse_nan_payload(s, 52, 64);
    }
    let v: f64 = s.parse().ok()?;
    if v.is_nan() {
        let sign = if s.starts_with('-') { 1u64 << 63 } else { 0 };
        return Some(sign | 0x7ff8_0000_0000_0000);
    }
    Some(v.to_bits())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(parse_val("42", ValType::I32), Ok(Val::I32(42)));
        assert_eq!(parse_val("-1", ValType::I32), Ok(Val::I32(-1)));
        assert_eq!(parse_val("0xffffffff", ValType::I32), Ok(Val::I32(-1)));
        assert_eq!(parse_val("4294967295", ValType::I32), Ok(Val::I32(-1)));
        assert_eq!(
            parse_val("-0x80000000", ValType::I32),
            Ok(Val::I32(i32::MIN))
        );
        assert!(parse_val("4294967296", ValType::I32).is_err());
        assert!(parse_val("-2147483649", ValType::I32).is_err());
        assert!(parse_val("abc", ValType::I32).is_err());
        assert!(parse_val("", ValType::I32).is_err());
        assert!(parse_val("0x", ValType::I32).is_err());
        assert!(parse_val("--1", ValType::I32).is_err());
        assert_eq!(
            parse_val("0xffffffffffffffff", ValType::I64),
            Ok(Val::I64(-1))
        );
        assert_eq!(
            parse_val("-9223372036854775808", ValType::I64),
            Ok(Val::I64(i64::MIN))
        );
        assert!(parse_val("18446744073709551616", ValType::I64).is_err());
    }

    #[test]
    fn floats() {
        assert_eq!(
            parse_val("1.5", ValType::F32),
            Ok(Val::F32(1.5f32.to_bits()))
        );
        assert_eq!(
            parse_val("-2e3", ValType::F64),
            Ok(Val::F64((-2000f64).to_bits()))
        );
        assert_eq!(
            parse_val("inf", ValType::F32),
            Ok(Val::F32(f32::INFINITY.to_bits()))
        );
        assert_eq!(
            parse_val("-inf", ValType::F64),
            Ok(Val::F64(f64::NEG_INFINITY.to_bits()))
        );
        assert_eq!(parse_val("nan", ValType::F32), Ok(Val::F32(0x7fc0_0000)));
        assert_eq!(parse_val("-nan", ValType::F32), Ok(Val::F32(0xffc0_0000)));
        assert_eq!(
            parse_val("nan:0x1", ValType::F32),
            Ok(Val::F32(0x7f80_0001))
        );
        assert_eq!(
            parse_val("nan:0x8000000000000", ValType::F64),
            Ok(Val::F64(0x7ff8_0000_0000_0000))
        );
        assert!(parse_val("nan:0x0", ValType::F32).is_err());
        assert!(parse_val("nan:0x800000", ValType::F32).is_err());
        assert!(parse_val("one", ValType::F64).is_err());
    }

    #[test]
    fn dirs_and_envs() {
        assert_eq!(
            parse_dir("/a::/b"),
            Ok((PathBuf::from("/a"), "/b".to_string()))
        );
        assert_eq!(
            parse_dir("data"),
            Ok((PathBuf::from("data"), "data".to_string()))
        );
        assert!(parse_dir("::/b").is_err());
        assert_eq!(parse_env("K=V=W"), Ok(("K".to_string(), "V=W".to_string())));
        assert_eq!(parse_env("K="), Ok(("K".to_string(), String::new())));
        assert!(parse_env("=V").is_err());
        assert!(parse_env("KV").is_err());
    }
}
