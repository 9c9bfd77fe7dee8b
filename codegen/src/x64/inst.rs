//! The machine instructions the lowering may emit, one variant per
//! instruction family. Each names its term in `isle-rules/x64/inst.isle`.

use super::regs::{CC, Gpr, Size, Xmm};

/// Two-operand integer ALU ops: `op dst, src` (or `op dst, imm32`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AluOp {
    Add,
    Sub,
    /// `imul r, r/m` (register form only; see [`Inst::ImulImm`]).
    Imul,
    And,
    Or,
    Xor,
    /// Only sets flags.
    Cmp,
    /// Only sets flags.
    Test,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShiftOp {
    Shl,
    Shr,
    Sar,
    Rol,
    Ror,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CountOp {
    Lzcnt,
    Tzcnt,
    Popcnt,
}

/// Width of the source of a sign or zero extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExtFrom {
    B8,
    B16,
    B32,
}

/// How a load reads memory into a GPR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadOp {
    /// `mov r32|r64, [base]` (a 32-bit load zero-extends).
    Mov(Size),
    /// `movzx r32, byte|word [base]` (`ExtFrom::B32` is not a form).
    Movzx(ExtFrom),
    /// `movsx r32|r64, byte|word [base]`, `movsxd r64, dword [base]`.
    Movsx(ExtFrom, Size),
}

/// SSE ops on two XMM registers: `op dst, src`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SseOp {
    Addss,
    Addsd,
    Subss,
    Subsd,
    Mulss,
    Mulsd,
    Divss,
    Divsd,
    Sqrtss,
    Sqrtsd,
    Minss,
    Minsd,
    Maxss,
    Maxsd,
    /// Only sets flags.
    Ucomiss,
    /// Only sets flags.
    Ucomisd,
    Cvtss2sd,
    Cvtsd2ss,
    Andps,
    Andnps,
    Orps,
    Xorps,
}

/// Scalar float width.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Float {
    F32,
    F64,
}

/// One machine instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Inst {
    AluRR {
        op: AluOp,
        size: Size,
        dst: Gpr,
        src: Gpr,
    },
    /// `op dst, imm32` (sign-extended at 64 bits); `Imul` is not allowed
    /// here (it has a three-operand form, [`Inst::ImulImm`]).
    AluRI {
        op: AluOp,
        size: Size,
        dst: Gpr,
        imm: i32,
    },
    /// `imul dst, src, imm32`.
    ImulImm {
        size: Size,
        dst: Gpr,
        src: Gpr,
        imm: i32,
    },
    Unary {
        op: UnaryOp,
        size: Size,
        reg: Gpr,
    },
    ShiftImm {
        op: ShiftOp,
        size: Size,
        reg: Gpr,
        imm: u8,
    },
    /// Shift by CL.
    ShiftCl {
        op: ShiftOp,
        size: Size,
        reg: Gpr,
    },
    BitCount {
        op: CountOp,
        size: Size,
        dst: Gpr,
        src: Gpr,
    },
    Mov {
        size: Size,
        dst: Gpr,
        src: Gpr,
    },
    /// `mov r32, imm32` (zero-extends) or `movabs r64, imm64`.
    MovImm {
        size: Size,
        dst: Gpr,
        imm: u64,
    },
    /// `movzx r32, r/m8|16` (`from` must be 8 or 16 bits).
    Movzx {
        from: ExtFrom,
        dst: Gpr,
        src: Gpr,
    },
    /// `movsx r32|r64, r/m8|16`, `movsxd r64, r/m32`.
    Movsx {
        from: ExtFrom,
        to: Size,
        dst: Gpr,
        src: Gpr,
    },
    /// `lea dst, [base + index << shift + disp]`; `addr32` uses 32-bit
    /// address arithmetic (the 0x67 prefix). `index` cannot be rsp.
    Lea {
        addr32: bool,
        dst: Gpr,
        base: Gpr,
        index: Gpr,
        shift: u8,
        disp: i32,
    },
    Setcc {
        cc: CC,
        dst: Gpr,
    },
    Cmov {
        cc: CC,
        size: Size,
        dst: Gpr,
        src: Gpr,
    },
    /// A load from `[base]` into `dst`.
    Load {
        op: LoadOp,
        dst: Gpr,
        base: Gpr,
    },
    /// `mov [base], r8|r16|r32|r64`: the low `bytes` (1, 2, 4, 8) of `src`.
    Store {
        bytes: u8,
        base: Gpr,
        src: Gpr,
    },
    /// `movss`/`movsd dst, [base]`: a float straight into an XMM register
    /// (the rest of it zeroed).
    LoadXmm {
        float: Float,
        dst: Xmm,
        base: Gpr,
    },
    /// `movss`/`movsd [base], src`: the low 32/64 bits of `src`.
    StoreXmm {
        float: Float,
        base: Gpr,
        src: Xmm,
    },
    /// A load from `[base + index + disp]` (64-bit address arithmetic;
    /// `index` cannot be rsp).
    LoadIdx {
        op: LoadOp,
        dst: Gpr,
        base: Gpr,
        index: Gpr,
        disp: i32,
    },
    /// `mov [base + index + disp], r8|r16|r32|r64`.
    StoreIdx {
        bytes: u8,
        base: Gpr,
        index: Gpr,
        disp: i32,
        src: Gpr,
    },
    /// `movss`/`movsd dst, [base + index + disp]` (64-bit address
    /// arithmetic; `index` cannot be rsp).
    LoadXmmIdx {
        float: Float,
        dst: Xmm,
        base: Gpr,
        index: Gpr,
        disp: i32,
    },
    /// `movss`/`movsd [base + index + disp], src`.
    StoreXmmIdx {
        float: Float,
        base: Gpr,
        index: Gpr,
        disp: i32,
        src: Xmm,
    },
    /// `jcc rel32`, taken when `cc` holds: to the trap landing for one
    /// trap code (`x64_trap_if`), or forward over `cqo|cdq; idiv` (part of
    /// `x64_idiv_rem_unless`). `rel` counts from the end of the
    /// instruction; the emitter fills it once the target is placed.
    Jcc {
        cc: CC,
        rel: i32,
    },
    /// `div`/`idiv divisor`: rdx:rax / divisor -> rax, remainder -> rdx.
    Div {
        signed: bool,
        size: Size,
        divisor: Gpr,
    },
    /// `cdq` / `cqo`.
    SignExtendAx {
        size: Size,
    },
    /// `movd xmm, r32` / `movq xmm, r64`.
    MovToXmm {
        size: Size,
        dst: Xmm,
        src: Gpr,
    },
    /// `movd r32, xmm` / `movq r64, xmm`.
    MovToGpr {
        size: Size,
        dst: Gpr,
        src: Xmm,
    },
    Sse {
        op: SseOp,
        dst: Xmm,
        src: Xmm,
    },
    /// `roundss`/`roundsd dst, src, imm` (SSE4.1).
    Round {
        float: Float,
        dst: Xmm,
        src: Xmm,
        imm: u8,
    },
    /// `cvtsi2ss`/`cvtsi2sd dst, r32|r64`.
    CvtIntToFloat {
        float: Float,
        size: Size,
        dst: Xmm,
        src: Gpr,
    },
    /// `cvttss2si`/`cvttsd2si r32|r64, src`.
    CvtFloatToInt {
        float: Float,
        size: Size,
        dst: Gpr,
        src: Xmm,
    },
    Ret,
}

impl Inst {
    /// The term in `isle-rules/x64/inst.isle` whose spec describes this
    /// instruction (for `div`/`idiv`, the quotient; the remainder is the
    /// `_rem` term); `None` for `ret`, which has no spec.
    pub fn term(&self) -> Option<&'static str> {
        Some(match *self {
            Inst::AluRR { op, .. } => match op {
                AluOp::Add => "x64_add",
                AluOp::Sub => "x64_sub",
                AluOp::Imul => "x64_imul",
                AluOp::And => "x64_and",
                AluOp::Or => "x64_or",
                AluOp::Xor => "x64_xor",
                AluOp::Cmp => "x64_cmp",
                AluOp::Test => "x64_test",
            },
            Inst::AluRI { op, .. } => match op {
                AluOp::Add => "x64_add_imm",
                AluOp::Sub => "x64_sub_imm",
                AluOp::And => "x64_and_imm",
                AluOp::Or => "x64_or_imm",
                AluOp::Xor => "x64_xor_imm",
                AluOp::Cmp => "x64_cmp_imm",
                AluOp::Test => "x64_test_imm",
                AluOp::Imul => return None,
            },
            Inst::ImulImm { .. } => "x64_imul_imm",
            Inst::Unary {
                op: UnaryOp::Neg, ..
            } => "x64_neg",
            Inst::Unary {
                op: UnaryOp::Not, ..
            } => "x64_not",
            Inst::ShiftImm { op, .. } => match op {
                ShiftOp::Shl => "x64_shl_imm",
                ShiftOp::Shr => "x64_shr_imm",
                ShiftOp::Sar => "x64_sar_imm",
                ShiftOp::Rol => "x64_rol_imm",
                ShiftOp::Ror => "x64_ror_imm",
            },
            Inst::ShiftCl { op, .. } => match op {
                ShiftOp::Shl => "x64_shl_cl",
                ShiftOp::Shr => "x64_shr_cl",
                ShiftOp::Sar => "x64_sar_cl",
                ShiftOp::Rol => "x64_rol_cl",
                ShiftOp::Ror => "x64_ror_cl",
            },
            Inst::BitCount { op, .. } => match op {
                CountOp::Lzcnt => "x64_lzcnt",
                CountOp::Tzcnt => "x64_tzcnt",
                CountOp::Popcnt => "x64_popcnt",
            },
            Inst::Mov { .. } => "x64_mov",
            Inst::MovImm { .. } => "x64_mov_imm",
            Inst::Movzx { .. } => "x64_movzx",
            Inst::Movsx { .. } => "x64_movsx",
            Inst::Lea { addr32: false, .. } => "x64_lea",
            Inst::Lea { addr32: true, .. } => "x64_lea32",
            Inst::Setcc { .. } => "x64_setcc",
            Inst::Cmov { .. } => "x64_cmov",
            // Also the skip inside `x64_idiv_rem_unless`.
            Inst::Jcc { .. } => "x64_trap_if",
            Inst::Load { op, .. } => match op {
                LoadOp::Mov(_) => "x64_mov_load",
                LoadOp::Movzx(_) => "x64_movzx_load",
                LoadOp::Movsx(..) => "x64_movsx_load",
            },
            Inst::Store { .. } => "x64_store",
            Inst::LoadXmm {
                float: Float::F32, ..
            } => "x64_movss_load",
            Inst::LoadXmm {
                float: Float::F64, ..
            } => "x64_movsd_load",
            Inst::StoreXmm {
                float: Float::F32, ..
            } => "x64_movss_store",
            Inst::StoreXmm {
                float: Float::F64, ..
            } => "x64_movsd_store",
            Inst::LoadIdx { op, .. } => match op {
                LoadOp::Mov(_) => "x64_mov_load_idx",
                LoadOp::Movzx(_) => "x64_movzx_load_idx",
                LoadOp::Movsx(..) => "x64_movsx_load_idx",
            },
            Inst::StoreIdx { .. } => "x64_store_idx",
            Inst::LoadXmmIdx {
                float: Float::F32, ..
            } => "x64_movss_load_idx",
            Inst::LoadXmmIdx {
                float: Float::F64, ..
            } => "x64_movsd_load_idx",
            Inst::StoreXmmIdx {
                float: Float::F32, ..
            } => "x64_movss_store_idx",
            Inst::StoreXmmIdx {
                float: Float::F64, ..
            } => "x64_movsd_store_idx",
            Inst::Div { signed: false, .. } => "x64_div_quot",
            Inst::Div { signed: true, .. } => "x64_idiv_quot",
            Inst::SignExtendAx { .. } => "x64_sign_extend_ax",
            Inst::MovToXmm { .. } => "x64_movd_to_xmm",
            Inst::MovToGpr { .. } => "x64_movd_to_gpr",
            Inst::Sse { op, .. } => sse_term(op),
            Inst::Round {
                float: Float::F32, ..
            } => "x64_roundss",
            Inst::Round {
                float: Float::F64, ..
            } => "x64_roundsd",
            Inst::CvtIntToFloat {
                float: Float::F32, ..
            } => "x64_cvtsi2ss",
            Inst::CvtIntToFloat {
                float: Float::F64, ..
            } => "x64_cvtsi2sd",
            Inst::CvtFloatToInt {
                float: Float::F32, ..
            } => "x64_cvttss2si",
            Inst::CvtFloatToInt {
                float: Float::F64, ..
            } => "x64_cvttsd2si",
            Inst::Ret => return None,
        })
    }
}

fn sse_term(op: SseOp) -> &'static str {
    use SseOp::*;
    match op {
        Addss => "x64_addss",
        Addsd => "x64_addsd",
        Subss => "x64_subss",
        Subsd => "x64_subsd",
        Mulss => "x64_mulss",
        Mulsd => "x64_mulsd",
        Divss => "x64_divss",
        Divsd => "x64_divsd",
        Sqrtss => "x64_sqrtss",
        Sqrtsd => "x64_sqrtsd",
        Minss => "x64_minss",
        Minsd => "x64_minsd",
        Maxss => "x64_maxss",
        Maxsd => "x64_maxsd",
        Ucomiss => "x64_ucomiss",
        Ucomisd => "x64_ucomisd",
        Cvtss2sd => "x64_cvtss2sd",
        Cvtsd2ss => "x64_cvtsd2ss",
        Andps => "x64_andps",
        Andnps => "x64_andnps",
        Orps => "x64_orps",
        Xorps => "x64_xorps",
    }
}
