//! Numerics (spec §4.3): every numeric instruction as a pure function of its
//! operands. Exactly one result each; traps are returned, never panicked.
//!
//! The spec functions live in submodules named after the spec's sections —
//! `int` (§4.3.2 `iadd_N`, `idiv_s_N`, ...), `float` (§4.3.3 `fadd_N`,
//! `fmin_N`, `fnearest_N`, ...) and `convert` (§4.3.4 `trunc_sat_u_{M,N}`,
//! `demote_{M,N}`, ...) — each written once, generically over the width, and
//! instantiated by the table below: one line per instruction, naming the
//! spec function and the width it is instantiated at.
//!
//! NaN results are deterministic; the rule is documented in `float.rs`:
//! positive canonical NaN when every NaN operand is canonical (or there is
//! none), else the first non-canonical NaN operand with its quiet bit set
//! (promote/demote: sign and high payload bits kept, quiet bit set).
//!
//! Comparing another engine with the oracle: the spec allows *any* element
//! of `nans{...}`, so a NaN result of arithmetic must be compared by class
//! ([`is_canonical_nan_f32`], [`is_arithmetic_nan_f32`], ...), not by bits.
//! Bit-exact NaNs are required only where the spec is deterministic:
//! `abs`, `neg`, `copysign`, reinterpretations, and plain data movement.

mod convert;
mod float;
mod int;
mod shape;
#[cfg(test)]
mod tests;

use std::fmt;

use crate::trap::TrapKind;
use crate::types::ValType;
use crate::value::Value;

/// Declares [`NumOp`] and everything derived from its table: the variants
/// (named as wasmparser names the operator, which is what `from_operator`
/// matches on), the text-format names, the arity and types (read off the
/// spec function's Rust signature) and `eval`.
macro_rules! numeric_instructions {
    ($( $op:ident $text:literal $shape:ident $f:expr; )*) => {
        /// A numeric instruction: const-free unop, binop, testop, relop or
        /// cvtop of i32/i64/f32/f64 (incl. sign-extension, saturating
        /// truncation and reinterpretation).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum NumOp {
            $( $op, )*
        }

        impl NumOp {
            /// Every numeric instruction, in opcode order.
            pub const ALL: &'static [NumOp] = &[$( NumOp::$op, )*];

            /// The numeric instruction an operator denotes, if it is one.
            /// Constants are not numeric instructions here (they pop nothing).
            pub fn from_operator(op: &wasmparser::Operator<'_>) -> Option<NumOp> {
                match op {
                    $( wasmparser::Operator::$op => Some(NumOp::$op), )*
                    _ => None,
                }
            }

            /// The instruction's name in the text format, e.g. `"i32.add"`.
            pub fn name(self) -> &'static str {
                match self {
                    $( NumOp::$op => $text, )*
                }
            }

            /// How many operands it pops (1 or 2). It always pushes one result.
            pub fn arity(self) -> usize {
                match self {
                    $( NumOp::$op => shape::$shape::ARITY, )*
                }
            }

            /// The type of its operand(s); binary operators take two of one type.
            pub fn operand_type(self) -> ValType {
                match self {
                    $( NumOp::$op => shape::$shape::operand_type($f), )*
                }
            }

            /// The type of its result.
            pub fn result_type(self) -> ValType {
                match self {
                    $( NumOp::$op => shape::$shape::result_type($f), )*
                }
            }

            /// Applies the instruction to operands of the types validation
            /// ensured, first-pushed first. Operands of the wrong number or
            /// type cannot occur in validated code; they give
            /// `Err(TrapKind::Unreachable)` rather than a panic.
            pub fn eval(self, args: &[Value]) -> Result<Value, TrapKind> {
                match self {
                    $( NumOp::$op => shape::$shape::eval(args, $f), )*
                }
            }
        }
    };
}

numeric_instructions! {
    // ---- i32 tests and comparisons (§4.3.2, N = 32) ----
    I32Eqz            "i32.eqz"             unary   int::ieqz::<u32>;
    I32Eq             "i32.eq"              binary  int::ieq::<u32>;
    I32Ne             "i32.ne"              binary  int::ine::<u32>;
    I32LtS            "i32.lt_s"            binary  int::ilt_s::<u32>;
    I32LtU            "i32.lt_u"            binary  int::ilt_u::<u32>;
    I32GtS            "i32.gt_s"            binary  int::igt_s::<u32>;
    I32GtU            "i32.gt_u"            binary  int::igt_u::<u32>;
    I32LeS            "i32.le_s"            binary  int::ile_s::<u32>;
    I32LeU            "i32.le_u"            binary  int::ile_u::<u32>;
    I32GeS            "i32.ge_s"            binary  int::ige_s::<u32>;
    I32GeU            "i32.ge_u"            binary  int::ige_u::<u32>;
    // ---- i64 tests and comparisons (N = 64) ----
    I64Eqz            "i64.eqz"             unary   int::ieqz::<u64>;
    I64Eq             "i64.eq"              binary  int::ieq::<u64>;
    I64Ne             "i64.ne"              binary  int::ine::<u64>;
    I64LtS            "i64.lt_s"            binary  int::ilt_s::<u64>;
    I64LtU            "i64.lt_u"            binary  int::ilt_u::<u64>;
    I64GtS            "i64.gt_s"            binary  int::igt_s::<u64>;
    I64GtU            "i64.gt_u"            binary  int::igt_u::<u64>;
    I64LeS            "i64.le_s"            binary  int::ile_s::<u64>;
    I64LeU            "i64.le_u"            binary  int::ile_u::<u64>;
    I64GeS            "i64.ge_s"            binary  int::ige_s::<u64>;
    I64GeU            "i64.ge_u"            binary  int::ige_u::<u64>;
    // ---- f32 comparisons (§4.3.3, N = 32) ----
    F32Eq             "f32.eq"              binary  float::feq::<f32>;
    F32Ne             "f32.ne"              binary  float::fne::<f32>;
    F32Lt             "f32.lt"              binary  float::flt::<f32>;
    F32Gt             "f32.gt"              binary  float::fgt::<f32>;
    F32Le             "f32.le"              binary  float::fle::<f32>;
    F32Ge             "f32.ge"              binary  float::fge::<f32>;
    // ---- f64 comparisons (N = 64) ----
    F64Eq             "f64.eq"              binary  float::feq::<f64>;
    F64Ne             "f64.ne"              binary  float::fne::<f64>;
    F64Lt             "f64.lt"              binary  float::flt::<f64>;
    F64Gt             "f64.gt"              binary  float::fgt::<f64>;
    F64Le             "f64.le"              binary  float::fle::<f64>;
    F64Ge             "f64.ge"              binary  float::fge::<f64>;
    // ---- i32 arithmetic (§4.3.2, N = 32) ----
    I32Clz            "i32.clz"             unary   int::iclz::<u32>;
    I32Ctz            "i32.ctz"             unary   int::ictz::<u32>;
    I32Popcnt         "i32.popcnt"          unary   int::ipopcnt::<u32>;
    I32Add            "i32.add"             binary  int::iadd::<u32>;
    I32Sub            "i32.sub"             binary  int::isub::<u32>;
    I32Mul            "i32.mul"             binary  int::imul::<u32>;
    I32DivS           "i32.div_s"           binary  int::idiv_s::<u32>;
    I32DivU           "i32.div_u"           binary  int::idiv_u::<u32>;
    I32RemS           "i32.rem_s"           binary  int::irem_s::<u32>;
    I32RemU           "i32.rem_u"           binary  int::irem_u::<u32>;
    I32And            "i32.and"             binary  int::iand::<u32>;
    I32Or             "i32.or"              binary  int::ior::<u32>;
    I32Xor            "i32.xor"             binary  int::ixor::<u32>;
    I32Shl            "i32.shl"             binary  int::ishl::<u32>;
    I32ShrS           "i32.shr_s"           binary  int::ishr_s::<u32>;
    I32ShrU           "i32.shr_u"           binary  int::ishr_u::<u32>;
    I32Rotl           "i32.rotl"            binary  int::irotl::<u32>;
    I32Rotr           "i32.rotr"            binary  int::irotr::<u32>;
    // ---- i64 arithmetic (N = 64) ----
    I64Clz            "i64.clz"             unary   int::iclz::<u64>;
    I64Ctz            "i64.ctz"             unary   int::ictz::<u64>;
    I64Popcnt         "i64.popcnt"          unary   int::ipopcnt::<u64>;
    I64Add            "i64.add"             binary  int::iadd::<u64>;
    I64Sub            "i64.sub"             binary  int::isub::<u64>;
    I64Mul            "i64.mul"             binary  int::imul::<u64>;
    I64DivS           "i64.div_s"           binary  int::idiv_s::<u64>;
    I64DivU           "i64.div_u"           binary  int::idiv_u::<u64>;
    I64RemS           "i64.rem_s"           binary  int::irem_s::<u64>;
    I64RemU           "i64.rem_u"           binary  int::irem_u::<u64>;
    I64And            "i64.and"             binary  int::iand::<u64>;
    I64Or             "i64.or"              binary  int::ior::<u64>;
    I64Xor            "i64.xor"             binary  int::ixor::<u64>;
    I64Shl            "i64.shl"             binary  int::ishl::<u64>;
    I64ShrS           "i64.shr_s"           binary  int::ishr_s::<u64>;
    I64ShrU           "i64.shr_u"           binary  int::ishr_u::<u64>;
    I64Rotl           "i64.rotl"            binary  int::irotl::<u64>;
    I64Rotr           "i64.rotr"            binary  int::irotr::<u64>;
    // ---- f32 arithmetic (§4.3.3, N = 32) ----
    F32Abs            "f32.abs"             unary   float::fabs::<f32>;
    F32Neg            "f32.neg"             unary   float::fneg::<f32>;
    F32Ceil           "f32.ceil"            unary   float::fceil::<f32>;
    F32Floor          "f32.floor"           unary   float::ffloor::<f32>;
    F32Trunc          "f32.trunc"           unary   float::ftrunc::<f32>;
    F32Nearest        "f32.nearest"         unary   float::fnearest::<f32>;
    F32Sqrt           "f32.sqrt"            unary   float::fsqrt::<f32>;
    F32Add            "f32.add"             binary  float::fadd::<f32>;
    F32Sub            "f32.sub"             binary  float::fsub::<f32>;
    F32Mul            "f32.mul"             binary  float::fmul::<f32>;
    F32Div            "f32.div"             binary  float::fdiv::<f32>;
    F32Min            "f32.min"             binary  float::fmin::<f32>;
    F32Max            "f32.max"             binary  float::fmax::<f32>;
    F32Copysign       "f32.copysign"        binary  float::fcopysign::<f32>;
    // ---- f64 arithmetic (N = 64) ----
    F64Abs            "f64.abs"             unary   float::fabs::<f64>;
    F64Neg            "f64.neg"             unary   float::fneg::<f64>;
    F64Ceil           "f64.ceil"            unary   float::fceil::<f64>;
    F64Floor          "f64.floor"           unary   float::ffloor::<f64>;
    F64Trunc          "f64.trunc"           unary   float::ftrunc::<f64>;
    F64Nearest        "f64.nearest"         unary   float::fnearest::<f64>;
    F64Sqrt           "f64.sqrt"            unary   float::fsqrt::<f64>;
    F64Add            "f64.add"             binary  float::fadd::<f64>;
    F64Sub            "f64.sub"             binary  float::fsub::<f64>;
    F64Mul            "f64.mul"             binary  float::fmul::<f64>;
    F64Div            "f64.div"             binary  float::fdiv::<f64>;
    F64Min            "f64.min"             binary  float::fmin::<f64>;
    F64Max            "f64.max"             binary  float::fmax::<f64>;
    F64Copysign       "f64.copysign"        binary  float::fcopysign::<f64>;
    // ---- conversions (§4.3.4, M = operand width, N = result width) ----
    I32WrapI64        "i32.wrap_i64"        unary   convert::wrap::<u64, u32>;
    I32TruncF32S      "i32.trunc_f32_s"     unary   convert::trunc_s::<f32, u32>;
    I32TruncF32U      "i32.trunc_f32_u"     unary   convert::trunc_u::<f32, u32>;
    I32TruncF64S      "i32.trunc_f64_s"     unary   convert::trunc_s::<f64, u32>;
    I32TruncF64U      "i32.trunc_f64_u"     unary   convert::trunc_u::<f64, u32>;
    I64ExtendI32S     "i64.extend_i32_s"    unary   convert::extend_s::<u32, u64>;
    I64ExtendI32U     "i64.extend_i32_u"    unary   convert::extend_u::<u32, u64>;
    I64TruncF32S      "i64.trunc_f32_s"     unary   convert::trunc_s::<f32, u64>;
    I64TruncF32U      "i64.trunc_f32_u"     unary   convert::trunc_u::<f32, u64>;
    I64TruncF64S      "i64.trunc_f64_s"     unary   convert::trunc_s::<f64, u64>;
    I64TruncF64U      "i64.trunc_f64_u"     unary   convert::trunc_u::<f64, u64>;
    F32ConvertI32S    "f32.convert_i32_s"   unary   convert::convert_s::<u32, f32>;
    F32ConvertI32U    "f32.convert_i32_u"   unary   convert::convert_u::<u32, f32>;
    F32ConvertI64S    "f32.convert_i64_s"   unary   convert::convert_s::<u64, f32>;
    F32ConvertI64U    "f32.convert_i64_u"   unary   convert::convert_u::<u64, f32>;
    F32DemoteF64      "f32.demote_f64"      unary   convert::demote;
    F64ConvertI32S    "f64.convert_i32_s"   unary   convert::convert_s::<u32, f64>;
    F64ConvertI32U    "f64.convert_i32_u"   unary   convert::convert_u::<u32, f64>;
    F64ConvertI64S    "f64.convert_i64_s"   unary   convert::convert_s::<u64, f64>;
    F64ConvertI64U    "f64.convert_i64_u"   unary   convert::convert_u::<u64, f64>;
    F64PromoteF32     "f64.promote_f32"     unary   convert::promote;
    I32ReinterpretF32 "i32.reinterpret_f32" unary   convert::reinterpret_float::<f32, u32>;
    I64ReinterpretF64 "i64.reinterpret_f64" unary   convert::reinterpret_float::<f64, u64>;
    F32ReinterpretI32 "f32.reinterpret_i32" unary   convert::reinterpret_int::<u32, f32>;
    F64ReinterpretI64 "f64.reinterpret_i64" unary   convert::reinterpret_int::<u64, f64>;
    // ---- sign extension (§4.3.2 iextendM_s_N) ----
    I32Extend8S       "i32.extend8_s"       unary   int::iextend_s::<8, u32>;
    I32Extend16S      "i32.extend16_s"      unary   int::iextend_s::<16, u32>;
    I64Extend8S       "i64.extend8_s"       unary   int::iextend_s::<8, u64>;
    I64Extend16S      "i64.extend16_s"      unary   int::iextend_s::<16, u64>;
    I64Extend32S      "i64.extend32_s"      unary   int::iextend_s::<32, u64>;
    // ---- saturating truncation (§4.3.4 trunc_sat_{u,s}_{M,N}) ----
    I32TruncSatF32S   "i32.trunc_sat_f32_s" unary   convert::trunc_sat_s::<f32, u32>;
    I32TruncSatF32U   "i32.trunc_sat_f32_u" unary   convert::trunc_sat_u::<f32, u32>;
    I32TruncSatF64S   "i32.trunc_sat_f64_s" unary   convert::trunc_sat_s::<f64, u32>;
    I32TruncSatF64U   "i32.trunc_sat_f64_u" unary   convert::trunc_sat_u::<f64, u32>;
    I64TruncSatF32S   "i64.trunc_sat_f32_s" unary   convert::trunc_sat_s::<f32, u64>;
    I64TruncSatF32U   "i64.trunc_sat_f32_u" unary   convert::trunc_sat_u::<f32, u64>;
    I64TruncSatF64S   "i64.trunc_sat_f64_s" unary   convert::trunc_sat_s::<f64, u64>;
    I64TruncSatF64U   "i64.trunc_sat_f64_u" unary   convert::trunc_sat_u::<f64, u64>;
}

impl NumOp {
    /// The instruction with this text-format name (e.g. `"f32.nearest"`).
    pub fn from_name(name: &str) -> Option<NumOp> {
        NumOp::ALL.iter().copied().find(|op| op.name() == name)
    }
}

impl fmt::Display for NumOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

// ---- NaN classes the spec testsuite's `nan:canonical` / `nan:arithmetic`
// results refer to (spec §4.3.3 "Representations"), on raw bits ----

/// The positive canonical f32 NaN: the oracle's `nans{}`.
pub const CANONICAL_NAN_F32: u32 = 0x7fc0_0000;
/// The positive canonical f64 NaN: the oracle's `nans{}`.
pub const CANONICAL_NAN_F64: u64 = 0x7ff8_0000_0000_0000;

/// `bits` is ±nan(canon_32): exponent all ones, payload exactly 0x400000.
pub fn is_canonical_nan_f32(bits: u32) -> bool {
    float::is_canonical_nan(f32::from_bits(bits))
}

/// `bits` is an arithmetic f32 NaN: ±nan(n) with n ≥ canon_32 (quiet bit set).
pub fn is_arithmetic_nan_f32(bits: u32) -> bool {
    float::is_arithmetic_nan(f32::from_bits(bits))
}

/// `bits` is ±nan(canon_64): exponent all ones, payload exactly 2^51.
pub fn is_canonical_nan_f64(bits: u64) -> bool {
    float::is_canonical_nan(f64::from_bits(bits))
}

/// `bits` is an arithmetic f64 NaN: ±nan(n) with n ≥ canon_64 (quiet bit set).
pub fn is_arithmetic_nan_f64(bits: u64) -> bool {
    float::is_arithmetic_nan(f64::from_bits(bits))
}
