//! Floating point through the SMT-LIB FP theory. Values stay bit-vectors
//! (as the specs write them); operands are read with `to_fp`, and results
//! are named bit-vectors defined by `(= (to_fp r) <result>)`.

use super::*;

impl Enc<'_> {
    pub(super) fn fp_op(
        &mut self,
        n: NodeId,
        op: &SpecOp,
        args: &[NodeId],
        xs: Vec<S>,
    ) -> Result<Val, String> {
        use SpecOp::*;
        let fp = |s: S, w: usize| -> Result<S, String> {
            let (e, m) = fp_format(w)?;
            Ok(S::indexed("to_fp", &[e, m], vec![s]))
        };
        let arg_w = |i: usize| -> Result<usize, String> {
            let a = args.get(i).copied().ok_or("missing argument")?;
            match width(self.vc, self.vc.ty_of(a)) {
                Some(w) => Ok(w),
                None => Err("floating-point operand width unknown".to_string()),
            }
        };
        let out_w = || -> Result<usize, String> { self.bv_width(n) };
        let x = |i: usize| -> Result<S, String> {
            xs.get(i).cloned().ok_or("missing argument".to_string())
        };
        // Results of floating-point arithmetic are read back as bits with
        // `fp.to_ieee_bv`-style equality: we reinterpret through `to_fp`'s
        // inverse by comparing in the FP domain; a NaN result is any NaN.
        match op {
            FPEq | FPNe | FPLt | FPGt | FPLe | FPGe => {
                let w = arg_w(0)?;
                let name = match op {
                    FPEq => "fp.eq",
                    FPLt => "fp.lt",
                    FPGt => "fp.gt",
                    FPLe => "fp.leq",
                    FPGe => "fp.geq",
                    _ => "fp.eq",
                };
                let s = S::app(name, vec![fp(x(0)?, w)?, fp(x(1)?, w)?]);
                Ok(Val::Leaf(if *op == FPNe { S::negate(s) } else { s }))
            }
            FPIsZero | FPIsInfinite | FPIsNaN | FPIsNegative | FPIsPositive => {
                let w = arg_w(0)?;
                let name = match op {
                    FPIsZero => "fp.isZero",
                    FPIsInfinite => "fp.isInfinite",
                    FPIsNaN => "fp.isNaN",
                    FPIsNegative => "fp.isNegative",
                    _ => "fp.isPositive",
                };
                Ok(Val::Leaf(S::app(name, vec![fp(x(0)?, w)?])))
            }
            FPPositiveInfinity | FPNegativeInfinity | FPPositiveZero | FPNegativeZero | FPNaN => {
                // Constants have exact bit patterns (NaN: the canonical quiet NaN).
                let w = out_w()?;
                let (e, m) = fp_format(w)?;
                let exp_ones = ((1u128 << e) - 1) << (m - 1);
                let sign = 1u128 << (w - 1);
                let bits = match op {
                    FPPositiveInfinity => exp_ones,
                    FPNegativeInfinity => exp_ones | sign,
                    FPPositiveZero => 0,
                    FPNegativeZero => sign,
                    _ => exp_ones | (1u128 << (m - 2)),
                };
                Ok(Val::Leaf(S::bv(bits, w)))
            }
            FPNeg => {
                // Negation flips the sign bit, also of NaNs (IEEE 754 §5.5.1).
                let w = out_w()?;
                fp_format(w)?;
                Ok(Val::Leaf(S::app(
                    "bvxor",
                    vec![x(0)?, S::bv(1u128 << (w - 1), w)],
                )))
            }
            FPAdd | FPSub | FPMul | FPDiv => {
                let w = out_w()?;
                let name = match op {
                    FPAdd => "fp.add",
                    FPSub => "fp.sub",
                    FPMul => "fp.mul",
                    _ => "fp.div",
                };
                let e = S::app(name, vec![S::atom("RNE"), fp(x(0)?, w)?, fp(x(1)?, w)?]);
                Ok(Val::Leaf(self.fp_bits(e, w)?))
            }
            FPMin | FPMax => {
                let w = out_w()?;
                let name = if *op == FPMin { "fp.min" } else { "fp.max" };
                let e = S::app(name, vec![fp(x(0)?, w)?, fp(x(1)?, w)?]);
                Ok(Val::Leaf(self.fp_bits(e, w)?))
            }
            FPSqrt => {
                let w = out_w()?;
                let e = S::app("fp.sqrt", vec![S::atom("RNE"), fp(x(0)?, w)?]);
                Ok(Val::Leaf(self.fp_bits(e, w)?))
            }
            FPCeil | FPFloor | FPTrunc | FPNearest => {
                let w = out_w()?;
                let rm = match op {
                    FPCeil => "RTP",
                    FPFloor => "RTN",
                    FPTrunc => "RTZ",
                    _ => "RNE",
                };
                let e = S::app("fp.roundToIntegral", vec![S::atom(rm), fp(x(0)?, w)?]);
                Ok(Val::Leaf(self.fp_bits(e, w)?))
            }
            ToFP | ToFPUnsigned => {
                // (to_fp w x): the integer bits `x` (signed, or unsigned)
                // rounded to the nearest w-bit float.
                let w = out_w()?;
                let (e, m) = fp_format(w)?;
                let name = if *op == ToFP {
                    "to_fp"
                } else {
                    "to_fp_unsigned"
                };
                let conv = S::indexed(name, &[e, m], vec![S::atom("RNE"), x(1)?]);
                Ok(Val::Leaf(self.fp_bits(conv, w)?))
            }
            ToFPFromFP => {
                let w = out_w()?;
                let from = arg_w(1)?;
                let (e, m) = fp_format(w)?;
                let conv = S::indexed("to_fp", &[e, m], vec![S::atom("RNE"), fp(x(1)?, from)?]);
                Ok(Val::Leaf(self.fp_bits(conv, w)?))
            }
            FPToUBV | FPToSBV => {
                // Truncating conversion; out-of-range inputs give an
                // unspecified value, as in SMT-LIB.
                let w = out_w()?;
                let from = arg_w(1)?;
                let name = if *op == FPToUBV {
                    "fp.to_ubv"
                } else {
                    "fp.to_sbv"
                };
                Ok(Val::Leaf(S::indexed(
                    name,
                    &[w],
                    vec![S::atom("RTZ"), fp(x(1)?, from)?],
                )))
            }
            _ => Err(format!(
                "`{}` is not supported by the encoder yet",
                op_name(op)
            )),
        }
    }

    /// The bits of a floating-point result: a fresh bit-vector whose value
    /// as a float is the result. Exact except that a NaN result may be any
    /// NaN pattern, which is IEEE's (and Wasm's) nondeterminism.
    fn fp_bits(&mut self, fp_expr: S, w: usize) -> Result<S, String> {
        let (e, m) = fp_format(w)?;
        let name = format!("_fp{}", self.fp_decls.len());
        self.fp_decls.push((
            name.clone(),
            S::indexed("BitVec", &[w], vec![]).unwrap_head(),
        ));
        let r = S::atom(name);
        self.fp_defs.push(S::eq(
            S::indexed("to_fp", &[e, m], vec![r.clone()]),
            fp_expr,
        ));
        Ok(r)
    }
}

pub(super) fn fp_format(w: usize) -> Result<(usize, usize), String> {
    match w {
        16 => Ok((5, 11)),
        32 => Ok((8, 24)),
        64 => Ok((11, 53)),
        _ => Err(format!("no IEEE format is {w} bits wide")),
    }
}
