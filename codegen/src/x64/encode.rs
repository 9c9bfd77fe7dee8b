//! [`Inst`] -> bytes, through iced-x86's encoder.
//!
//! The mapping is data: [`code_of`] picks the iced opcode (`Code`) for an
//! instruction from tables indexed by its op and operand size, and
//! [`operands`] lists its operands; one generic call builds and encodes the
//! iced instruction. Adding an instruction means a row in each, not a new
//! encoder function.

use super::inst::{AluOp, CountOp, ExtFrom, Float, Inst, LoadOp, ShiftOp, SseOp, UnaryOp};
use super::regs::Size;
use iced_x86::{Code, Encoder, Instruction, MemoryOperand, Register};

/// An instruction that has no encoding (an operand combination x86-64 does
/// not have), or that iced refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeError {
    pub inst: Inst,
    pub message: String,
}

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot encode {:?}: {}", self.inst, self.message)
    }
}

impl std::error::Error for EncodeError {}

/// Encode a sequence of instructions (position-independent: none of them
/// refers to an address).
pub fn encode(insts: &[Inst]) -> Result<Vec<u8>, EncodeError> {
    let mut enc = Encoder::new(64);
    for inst in insts {
        let i = to_iced(inst)?;
        enc.encode(&i, 0).map_err(|e| EncodeError {
            inst: *inst,
            message: e.to_string(),
        })?;
    }
    Ok(enc.take_buffer())
}

/// Encode one instruction.
pub fn encode_one(inst: &Inst) -> Result<Vec<u8>, EncodeError> {
    encode(std::slice::from_ref(inst))
}

/// One operand of an iced instruction.
enum Op {
    Reg(Register),
    Imm32(i32),
    Imm64(u64),
    Mem(MemoryOperand),
}

fn err(inst: &Inst, m: &str) -> EncodeError {
    EncodeError {
        inst: *inst,
        message: m.to_string(),
    }
}

/// The iced instruction for `inst`.
pub fn to_iced(inst: &Inst) -> Result<Instruction, EncodeError> {
    if let Inst::Jcc { cc, rel } = *inst {
        // Encoded at address 0, so the target is the end of the 6-byte
        // instruction plus `rel` (wrapping below 0).
        let target = (JCC_REL32_LEN + i64::from(rel)) as u64;
        return Instruction::with_branch(JCC[usize::from(cc.index())], target)
            .map_err(|e| err(inst, &e.to_string()));
    }
    let code = code_of(inst).ok_or_else(|| err(inst, "no such instruction form"))?;
    let ops = operands(inst)?;
    let fail = |e: iced_x86::IcedError| err(inst, &e.to_string());
    match ops.as_slice() {
        [] => Ok(Instruction::with(code)),
        [a] => match a {
            Op::Reg(r) => Instruction::with1(code, *r).map_err(fail),
            _ => Err(err(inst, "unsupported single operand")),
        },
        [a, b] => match (a, b) {
            (Op::Reg(r), Op::Reg(s)) => Instruction::with2(code, *r, *s).map_err(fail),
            (Op::Reg(r), Op::Imm32(i)) => Instruction::with2(code, *r, *i).map_err(fail),
            (Op::Reg(r), Op::Imm64(i)) => Instruction::with2(code, *r, *i).map_err(fail),
            (Op::Reg(r), Op::Mem(m)) => Instruction::with2(code, *r, *m).map_err(fail),
            (Op::Mem(m), Op::Reg(r)) => Instruction::with2(code, *m, *r).map_err(fail),
            _ => Err(err(inst, "unsupported operand pair")),
        },
        [Op::Reg(r), Op::Reg(s), Op::Imm32(i)] => {
            Instruction::with3(code, *r, *s, *i).map_err(fail)
        }
        _ => Err(err(inst, "unsupported operands")),
    }
}

/// The operands in Intel order.
fn operands(inst: &Inst) -> Result<Vec<Op>, EncodeError> {
    use Op::*;
    Ok(match *inst {
        Inst::AluRR { size, dst, src, .. } | Inst::Cmov { size, dst, src, .. } => {
            vec![Reg(dst.iced(size.bits())), Reg(src.iced(size.bits()))]
        }
        Inst::AluRI { size, dst, imm, .. } => vec![Reg(dst.iced(size.bits())), Imm32(imm)],
        Inst::ImulImm {
            size,
            dst,
            src,
            imm,
        } => vec![
            Reg(dst.iced(size.bits())),
            Reg(src.iced(size.bits())),
            Imm32(imm),
        ],
        Inst::Unary { size, reg, .. } => vec![Reg(reg.iced(size.bits()))],
        Inst::ShiftImm { size, reg, imm, .. } => {
            vec![Reg(reg.iced(size.bits())), Imm32(i32::from(imm))]
        }
        Inst::ShiftCl { size, reg, .. } => vec![Reg(reg.iced(size.bits())), Reg(Register::CL)],
        Inst::BitCount { size, dst, src, .. } | Inst::Mov { size, dst, src } => {
            vec![Reg(dst.iced(size.bits())), Reg(src.iced(size.bits()))]
        }
        Inst::MovImm { size, dst, imm } => match size {
            Size::S32 => {
                let imm = u32::try_from(imm)
                    .map_err(|_| err(inst, "a 32-bit move's immediate must fit 32 bits"))?;
                vec![Reg(dst.iced(32)), Imm64(u64::from(imm))]
            }
            Size::S64 => vec![Reg(dst.iced(64)), Imm64(imm)],
        },
        Inst::Movzx { from, dst, src } => match from {
            ExtFrom::B8 => vec![Reg(dst.iced(32)), Reg(src.iced(8))],
            ExtFrom::B16 => vec![Reg(dst.iced(32)), Reg(src.iced(16))],
            ExtFrom::B32 => return Err(err(inst, "zero-extend from 32 bits with `mov r32, r32`")),
        },
        Inst::Movsx { from, to, dst, src } => {
            let from_bits = match from {
                ExtFrom::B8 => 8,
                ExtFrom::B16 => 16,
                ExtFrom::B32 => 32,
            };
            vec![Reg(dst.iced(to.bits())), Reg(src.iced(from_bits))]
        }
        Inst::Lea {
            addr32,
            dst,
            base,
            index,
            shift,
            disp,
        } => {
            if shift > 3 {
                return Err(err(inst, "lea scale must be 1, 2, 4 or 8"));
            }
            if index.num() == 4 {
                return Err(err(inst, "rsp cannot be an index register"));
            }
            let w = if addr32 { 32 } else { 64 };
            let mem = MemoryOperand::with_base_index_scale_displ_size(
                base.iced(w),
                index.iced(w),
                1 << shift,
                i64::from(disp),
                if disp == 0 { 0 } else { 1 },
            );
            vec![Reg(dst.iced(64)), Mem(mem)]
        }
        Inst::Setcc { dst, .. } => vec![Reg(dst.iced(8))],
        Inst::Load { op, dst, base } => {
            vec![
                Reg(dst.iced(load_bits(op))),
                Mem(MemoryOperand::with_base(base.iced(64))),
            ]
        }
        Inst::Store { bytes, base, src } => {
            if !matches!(bytes, 1 | 2 | 4 | 8) {
                return Err(err(inst, "a store writes 1, 2, 4 or 8 bytes"));
            }
            vec![
                Mem(MemoryOperand::with_base(base.iced(64))),
                Reg(src.iced(u32::from(bytes) * 8)),
            ]
        }
        Inst::LoadXmm { dst, base, .. } => vec![
            Reg(dst.iced()),
            Mem(MemoryOperand::with_base(base.iced(64))),
        ],
        Inst::StoreXmm { base, src, .. } => vec![
            Mem(MemoryOperand::with_base(base.iced(64))),
            Reg(src.iced()),
        ],
        Inst::LoadIdx {
            op,
            dst,
            base,
            index,
            disp,
        } => vec![
            Reg(dst.iced(load_bits(op))),
            Mem(base_index_disp(inst, base, index, disp)?),
        ],
        Inst::StoreIdx {
            bytes,
            base,
            index,
            disp,
            src,
        } => {
            if !matches!(bytes, 1 | 2 | 4 | 8) {
                return Err(err(inst, "a store writes 1, 2, 4 or 8 bytes"));
            }
            vec![
                Mem(base_index_disp(inst, base, index, disp)?),
                Reg(src.iced(u32::from(bytes) * 8)),
            ]
        }
        Inst::LoadXmmIdx {
            dst,
            base,
            index,
            disp,
            ..
        } => vec![
            Reg(dst.iced()),
            Mem(base_index_disp(inst, base, index, disp)?),
        ],
        Inst::StoreXmmIdx {
            base,
            index,
            disp,
            src,
            ..
        } => vec![
            Mem(base_index_disp(inst, base, index, disp)?),
            Reg(src.iced()),
        ],
        Inst::Div { size, divisor, .. } => vec![Reg(divisor.iced(size.bits()))],
        Inst::SignExtendAx { .. } | Inst::Ret | Inst::Jcc { .. } => vec![],
        Inst::MovToXmm { size, dst, src } => vec![Reg(dst.iced()), Reg(src.iced(size.bits()))],
        Inst::MovToGpr { size, dst, src } => vec![Reg(dst.iced(size.bits())), Reg(src.iced())],
        Inst::Sse { dst, src, .. } => vec![Reg(dst.iced()), Reg(src.iced())],
        Inst::Round { dst, src, imm, .. } => {
            vec![Reg(dst.iced()), Reg(src.iced()), Imm32(i32::from(imm))]
        }
        Inst::CvtIntToFloat { size, dst, src, .. } => {
            vec![Reg(dst.iced()), Reg(src.iced(size.bits()))]
        }
        Inst::CvtFloatToInt { size, dst, src, .. } => {
            vec![Reg(dst.iced(size.bits())), Reg(src.iced())]
        }
    })
}

/// The destination width of a load.
fn load_bits(op: LoadOp) -> u32 {
    match op {
        LoadOp::Mov(size) | LoadOp::Movsx(_, size) => size.bits(),
        LoadOp::Movzx(_) => 32,
    }
}

/// `[base + index + disp]` with 64-bit registers (rsp cannot be an index).
fn base_index_disp(
    inst: &Inst,
    base: super::Gpr,
    index: super::Gpr,
    disp: i32,
) -> Result<MemoryOperand, EncodeError> {
    if index.num() == 4 {
        return Err(err(inst, "rsp cannot be an index register"));
    }
    Ok(MemoryOperand::with_base_index_scale_displ_size(
        base.iced(64),
        index.iced(64),
        1,
        i64::from(disp),
        if disp == 0 { 0 } else { 1 },
    ))
}

/// Pick by operand size.
fn sized(size: Size, c32: Code, c64: Code) -> Code {
    match size {
        Size::S32 => c32,
        Size::S64 => c64,
    }
}

/// The iced opcode of `inst`; `None` for a form x86-64 does not have.
fn code_of(inst: &Inst) -> Option<Code> {
    use Code as C;
    Some(match *inst {
        Inst::AluRR { op, size, .. } => {
            let (c32, c64) = match op {
                AluOp::Add => (C::Add_rm32_r32, C::Add_rm64_r64),
                AluOp::Sub => (C::Sub_rm32_r32, C::Sub_rm64_r64),
                AluOp::Imul => (C::Imul_r32_rm32, C::Imul_r64_rm64),
                AluOp::And => (C::And_rm32_r32, C::And_rm64_r64),
                AluOp::Or => (C::Or_rm32_r32, C::Or_rm64_r64),
                AluOp::Xor => (C::Xor_rm32_r32, C::Xor_rm64_r64),
                AluOp::Cmp => (C::Cmp_rm32_r32, C::Cmp_rm64_r64),
                AluOp::Test => (C::Test_rm32_r32, C::Test_rm64_r64),
            };
            sized(size, c32, c64)
        }
        Inst::AluRI { op, size, .. } => {
            let (c32, c64) = match op {
                AluOp::Add => (C::Add_rm32_imm32, C::Add_rm64_imm32),
                AluOp::Sub => (C::Sub_rm32_imm32, C::Sub_rm64_imm32),
                AluOp::And => (C::And_rm32_imm32, C::And_rm64_imm32),
                AluOp::Or => (C::Or_rm32_imm32, C::Or_rm64_imm32),
                AluOp::Xor => (C::Xor_rm32_imm32, C::Xor_rm64_imm32),
                AluOp::Cmp => (C::Cmp_rm32_imm32, C::Cmp_rm64_imm32),
                AluOp::Test => (C::Test_rm32_imm32, C::Test_rm64_imm32),
                AluOp::Imul => return None,
            };
            sized(size, c32, c64)
        }
        Inst::ImulImm { size, .. } => sized(size, C::Imul_r32_rm32_imm32, C::Imul_r64_rm64_imm32),
        Inst::Unary { op, size, .. } => match op {
            UnaryOp::Neg => sized(size, C::Neg_rm32, C::Neg_rm64),
            UnaryOp::Not => sized(size, C::Not_rm32, C::Not_rm64),
        },
        Inst::ShiftImm { op, size, .. } => {
            let (c32, c64) = match op {
                ShiftOp::Shl => (C::Shl_rm32_imm8, C::Shl_rm64_imm8),
                ShiftOp::Shr => (C::Shr_rm32_imm8, C::Shr_rm64_imm8),
                ShiftOp::Sar => (C::Sar_rm32_imm8, C::Sar_rm64_imm8),
                ShiftOp::Rol => (C::Rol_rm32_imm8, C::Rol_rm64_imm8),
                ShiftOp::Ror => (C::Ror_rm32_imm8, C::Ror_rm64_imm8),
            };
            sized(size, c32, c64)
        }
        Inst::ShiftCl { op, size, .. } => {
            let (c32, c64) = match op {
                ShiftOp::Shl => (C::Shl_rm32_CL, C::Shl_rm64_CL),
                ShiftOp::Shr => (C::Shr_rm32_CL, C::Shr_rm64_CL),
                ShiftOp::Sar => (C::Sar_rm32_CL, C::Sar_rm64_CL),
                ShiftOp::Rol => (C::Rol_rm32_CL, C::Rol_rm64_CL),
                ShiftOp::Ror => (C::Ror_rm32_CL, C::Ror_rm64_CL),
            };
            sized(size, c32, c64)
        }
        Inst::BitCount { op, size, .. } => {
            let (c32, c64) = match op {
                CountOp::Lzcnt => (C::Lzcnt_r32_rm32, C::Lzcnt_r64_rm64),
                CountOp::Tzcnt => (C::Tzcnt_r32_rm32, C::Tzcnt_r64_rm64),
                CountOp::Popcnt => (C::Popcnt_r32_rm32, C::Popcnt_r64_rm64),
            };
            sized(size, c32, c64)
        }
        Inst::Mov { size, .. } => sized(size, C::Mov_rm32_r32, C::Mov_rm64_r64),
        Inst::MovImm { size, .. } => sized(size, C::Mov_r32_imm32, C::Mov_r64_imm64),
        Inst::Movzx { from, .. } => movzx_code(from)?,
        Inst::Movsx { from, to, .. } => movsx_code(from, to)?,
        Inst::Lea { .. } => C::Lea_r64_m,
        Inst::Setcc { cc, .. } => SETCC[usize::from(cc.index())],
        Inst::Jcc { cc, .. } => JCC[usize::from(cc.index())],
        Inst::Load { op, .. } | Inst::LoadIdx { op, .. } => match op {
            LoadOp::Mov(size) => sized(size, C::Mov_r32_rm32, C::Mov_r64_rm64),
            LoadOp::Movzx(from) => movzx_code(from)?,
            LoadOp::Movsx(from, to) => movsx_code(from, to)?,
        },
        Inst::Store { bytes, .. } | Inst::StoreIdx { bytes, .. } => match bytes {
            1 => C::Mov_rm8_r8,
            2 => C::Mov_rm16_r16,
            4 => C::Mov_rm32_r32,
            _ => C::Mov_rm64_r64,
        },
        Inst::LoadXmm { float, .. } | Inst::LoadXmmIdx { float, .. } => match float {
            Float::F32 => C::Movss_xmm_xmmm32,
            Float::F64 => C::Movsd_xmm_xmmm64,
        },
        Inst::StoreXmm { float, .. } | Inst::StoreXmmIdx { float, .. } => match float {
            Float::F32 => C::Movss_xmmm32_xmm,
            Float::F64 => C::Movsd_xmmm64_xmm,
        },
        Inst::Cmov { cc, size, .. } => {
            let i = usize::from(cc.index());
            sized(size, CMOV32[i], CMOV64[i])
        }
        Inst::Div { signed, size, .. } => match signed {
            false => sized(size, C::Div_rm32, C::Div_rm64),
            true => sized(size, C::Idiv_rm32, C::Idiv_rm64),
        },
        Inst::SignExtendAx { size } => sized(size, C::Cdq, C::Cqo),
        Inst::MovToXmm { size, .. } => sized(size, C::Movd_xmm_rm32, C::Movq_xmm_rm64),
        Inst::MovToGpr { size, .. } => sized(size, C::Movd_rm32_xmm, C::Movq_rm64_xmm),
        Inst::Sse { op, .. } => sse_code(op),
        Inst::Round { float, .. } => match float {
            Float::F32 => C::Roundss_xmm_xmmm32_imm8,
            Float::F64 => C::Roundsd_xmm_xmmm64_imm8,
        },
        Inst::CvtIntToFloat { float, size, .. } => match float {
            Float::F32 => sized(size, C::Cvtsi2ss_xmm_rm32, C::Cvtsi2ss_xmm_rm64),
            Float::F64 => sized(size, C::Cvtsi2sd_xmm_rm32, C::Cvtsi2sd_xmm_rm64),
        },
        Inst::CvtFloatToInt { float, size, .. } => match float {
            Float::F32 => sized(size, C::Cvttss2si_r32_xmmm32, C::Cvttss2si_r64_xmmm32),
            Float::F64 => sized(size, C::Cvttsd2si_r32_xmmm64, C::Cvttsd2si_r64_xmmm64),
        },
        Inst::Ret => C::Retnq,
    })
}

/// `movzx` from a register or memory (the `rm` operand is either); a 32-bit
/// source has no `movzx` (a 32-bit `mov` zero-extends).
fn movzx_code(from: ExtFrom) -> Option<Code> {
    match from {
        ExtFrom::B8 => Some(Code::Movzx_r32_rm8),
        ExtFrom::B16 => Some(Code::Movzx_r32_rm16),
        ExtFrom::B32 => None,
    }
}

/// `movsx`/`movsxd` from a register or memory to a 32- or 64-bit register.
fn movsx_code(from: ExtFrom, to: Size) -> Option<Code> {
    use Code as C;
    Some(match (from, to) {
        (ExtFrom::B8, Size::S32) => C::Movsx_r32_rm8,
        (ExtFrom::B8, Size::S64) => C::Movsx_r64_rm8,
        (ExtFrom::B16, Size::S32) => C::Movsx_r32_rm16,
        (ExtFrom::B16, Size::S64) => C::Movsx_r64_rm16,
        (ExtFrom::B32, Size::S64) => C::Movsxd_r64_rm32,
        (ExtFrom::B32, Size::S32) => return None,
    })
}

fn sse_code(op: SseOp) -> Code {
    use Code as C;
    use SseOp::*;
    match op {
        Addss => C::Addss_xmm_xmmm32,
        Addsd => C::Addsd_xmm_xmmm64,
        Subss => C::Subss_xmm_xmmm32,
        Subsd => C::Subsd_xmm_xmmm64,
        Mulss => C::Mulss_xmm_xmmm32,
        Mulsd => C::Mulsd_xmm_xmmm64,
        Divss => C::Divss_xmm_xmmm32,
        Divsd => C::Divsd_xmm_xmmm64,
        Sqrtss => C::Sqrtss_xmm_xmmm32,
        Sqrtsd => C::Sqrtsd_xmm_xmmm64,
        Minss => C::Minss_xmm_xmmm32,
        Minsd => C::Minsd_xmm_xmmm64,
        Maxss => C::Maxss_xmm_xmmm32,
        Maxsd => C::Maxsd_xmm_xmmm64,
        Ucomiss => C::Ucomiss_xmm_xmmm32,
        Ucomisd => C::Ucomisd_xmm_xmmm64,
        Cvtss2sd => C::Cvtss2sd_xmm_xmmm32,
        Cvtsd2ss => C::Cvtsd2ss_xmm_xmmm64,
        Andps => C::Andps_xmm_xmmm128,
        Andnps => C::Andnps_xmm_xmmm128,
        Orps => C::Orps_xmm_xmmm128,
        Xorps => C::Xorps_xmm_xmmm128,
    }
}

/// The length of `jcc rel32` (0F 8x + rel32).
pub const JCC_REL32_LEN: i64 = 6;

/// Indexed by [`CC::index`].
const JCC: [Code; 16] = [
    Code::Jo_rel32_64,
    Code::Jno_rel32_64,
    Code::Jb_rel32_64,
    Code::Jae_rel32_64,
    Code::Je_rel32_64,
    Code::Jne_rel32_64,
    Code::Jbe_rel32_64,
    Code::Ja_rel32_64,
    Code::Js_rel32_64,
    Code::Jns_rel32_64,
    Code::Jp_rel32_64,
    Code::Jnp_rel32_64,
    Code::Jl_rel32_64,
    Code::Jge_rel32_64,
    Code::Jle_rel32_64,
    Code::Jg_rel32_64,
];

/// Indexed by [`CC::index`].
const SETCC: [Code; 16] = [
    Code::Seto_rm8,
    Code::Setno_rm8,
    Code::Setb_rm8,
    Code::Setae_rm8,
    Code::Sete_rm8,
    Code::Setne_rm8,
    Code::Setbe_rm8,
    Code::Seta_rm8,
    Code::Sets_rm8,
    Code::Setns_rm8,
    Code::Setp_rm8,
    Code::Setnp_rm8,
    Code::Setl_rm8,
    Code::Setge_rm8,
    Code::Setle_rm8,
    Code::Setg_rm8,
];
const CMOV32: [Code; 16] = [
    Code::Cmovo_r32_rm32,
    Code::Cmovno_r32_rm32,
    Code::Cmovb_r32_rm32,
    Code::Cmovae_r32_rm32,
    Code::Cmove_r32_rm32,
    Code::Cmovne_r32_rm32,
    Code::Cmovbe_r32_rm32,
    Code::Cmova_r32_rm32,
    Code::Cmovs_r32_rm32,
    Code::Cmovns_r32_rm32,
    Code::Cmovp_r32_rm32,
    Code::Cmovnp_r32_rm32,
    Code::Cmovl_r32_rm32,
    Code::Cmovge_r32_rm32,
    Code::Cmovle_r32_rm32,
    Code::Cmovg_r32_rm32,
];
const CMOV64: [Code; 16] = [
    Code::Cmovo_r64_rm64,
    Code::Cmovno_r64_rm64,
    Code::Cmovb_r64_rm64,
    Code::Cmovae_r64_rm64,
    Code::Cmove_r64_rm64,
    Code::Cmovne_r64_rm64,
    Code::Cmovbe_r64_rm64,
    Code::Cmova_r64_rm64,
    Code::Cmovs_r64_rm64,
    Code::Cmovns_r64_rm64,
    Code::Cmovp_r64_rm64,
    Code::Cmovnp_r64_rm64,
    Code::Cmovl_r64_rm64,
    Code::Cmovge_r64_rm64,
    Code::Cmovle_r64_rm64,
    Code::Cmovg_r64_rm64,
];
