//! The operands table: for every [`Inst`] variant, which register fields it
//! reads, writes or both, and which registers it uses implicitly. One
//! exhaustive match, so a new variant cannot be forgotten: register
//! allocation (the constraints) and emission (writing the allocated
//! registers back into the fields) both come from it.

use crate::x64::inst::{AluOp, Inst, SseOp};
use crate::x64::{Gpr, Xmm};

/// How an instruction uses a register operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Read only.
    Use,
    /// Written only (after every read).
    Def,
    /// Read and written (`op dst, src`'s `dst`): the allocator gives the
    /// written value the register of the read one. Takes two vregs: the
    /// input, then the output.
    UseDef,
    /// An implicit read of a fixed register (`cl`, `rax`, `rdx`).
    FixedUse(Gpr),
    /// An implicit write of a fixed register.
    FixedDef(Gpr),
}

/// A register field of an instruction, to be filled by the allocator.
pub enum Field<'a> {
    G(&'a mut Gpr),
    X(&'a mut Xmm),
    /// Implicit (no field): [`Role::FixedUse`] / [`Role::FixedDef`].
    None,
}

impl Role {
    /// How many vregs the role consumes.
    pub fn vregs(self) -> usize {
        if self == Role::UseDef { 2 } else { 1 }
    }
}

/// The register fields of `inst` in operand order, with their roles.
pub fn fields(inst: &mut Inst) -> Vec<(Field<'_>, Role)> {
    use Field::{G, X};
    use Role::*;
    match inst {
        Inst::AluRR { op, dst, src, .. } => {
            let d = if matches!(op, AluOp::Cmp | AluOp::Test) {
                Use
            } else {
                UseDef
            };
            vec![(G(dst), d), (G(src), Use)]
        }
        Inst::AluRI { op, dst, .. } => {
            let d = if matches!(op, AluOp::Cmp | AluOp::Test) {
                Use
            } else {
                UseDef
            };
            vec![(G(dst), d)]
        }
        Inst::ImulImm { dst, src, .. } => vec![(G(dst), Def), (G(src), Use)],
        Inst::Unary { reg, .. } | Inst::ShiftImm { reg, .. } => vec![(G(reg), UseDef)],
        Inst::ShiftCl { reg, .. } => vec![(G(reg), UseDef), (Field::None, FixedUse(Gpr::RCX))],
        Inst::BitCount { dst, src, .. }
        | Inst::Mov { dst, src, .. }
        | Inst::Movzx { dst, src, .. }
        | Inst::Movsx { dst, src, .. } => vec![(G(dst), Def), (G(src), Use)],
        Inst::MovImm { dst, .. } => vec![(G(dst), Def)],
        Inst::Lea {
            dst, base, index, ..
        } => vec![(G(dst), Def), (G(base), Use), (G(index), Use)],
        Inst::Setcc { dst, .. } => vec![(G(dst), UseDef)],
        Inst::Cmov { dst, src, .. } => vec![(G(dst), UseDef), (G(src), Use)],
        // rdx:rax / divisor: lo (rax) and hi (rdx) in, quotient (rax) and
        // remainder (rdx) out.
        Inst::Div { divisor, .. } => vec![
            (G(divisor), Use),
            (Field::None, FixedUse(Gpr::RAX)),
            (Field::None, FixedUse(Gpr::RDX)),
            (Field::None, FixedDef(Gpr::RAX)),
            (Field::None, FixedDef(Gpr::RDX)),
        ],
        Inst::SignExtendAx { .. } => vec![
            (Field::None, FixedUse(Gpr::RAX)),
            (Field::None, FixedDef(Gpr::RDX)),
        ],
        Inst::MovToXmm { dst, src, .. } => vec![(X(dst), Def), (G(src), Use)],
        Inst::MovToGpr { dst, src, .. } | Inst::CvtFloatToInt { dst, src, .. } => {
            vec![(G(dst), Def), (X(src), Use)]
        }
        Inst::Sse { op, dst, src } => {
            let d = if matches!(op, SseOp::Ucomiss | SseOp::Ucomisd) {
                Use
            } else {
                UseDef
            };
            vec![(X(dst), d), (X(src), Use)]
        }
        Inst::Round { dst, src, .. } => vec![(X(dst), UseDef), (X(src), Use)],
        Inst::CvtIntToFloat { dst, src, .. } => vec![(X(dst), UseDef), (G(src), Use)],
        Inst::Load { dst, base, .. } => vec![(G(dst), Def), (G(base), Use)],
        Inst::Store { base, src, .. } => vec![(G(base), Use), (G(src), Use)],
        Inst::LoadXmm { dst, base, .. } => vec![(X(dst), Def), (G(base), Use)],
        Inst::StoreXmm { base, src, .. } => vec![(G(base), Use), (X(src), Use)],
        Inst::LoadIdx {
            dst, base, index, ..
        } => vec![(G(dst), Def), (G(base), Use), (G(index), Use)],
        Inst::StoreIdx {
            base, index, src, ..
        } => vec![(G(base), Use), (G(index), Use), (G(src), Use)],
        Inst::LoadXmmIdx {
            dst, base, index, ..
        } => vec![(X(dst), Def), (G(base), Use), (G(index), Use)],
        Inst::StoreXmmIdx {
            base, index, src, ..
        } => vec![(G(base), Use), (G(index), Use), (X(src), Use)],
        Inst::Ret | Inst::Jcc { .. } => vec![],
    }
}

/// The roles of `inst`'s operands (a copy of [`fields`] without the fields).
pub fn roles(inst: &Inst) -> Vec<Role> {
    let mut copy = *inst;
    fields(&mut copy).into_iter().map(|(_, r)| r).collect()
}

/// Whether the register fields of `inst` are XMM (`true`) or GPR, in the
/// order of [`fields`] (implicit operands are GPRs).
pub fn is_xmm(inst: &Inst) -> Vec<bool> {
    let mut copy = *inst;
    fields(&mut copy)
        .into_iter()
        .map(|(f, _)| matches!(f, Field::X(_)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x64::inst::{ShiftOp, UnaryOp};
    use crate::x64::{CC, Size};

    const P: Gpr = Gpr::RAX;

    #[test]
    fn two_operand_forms_read_and_write_their_destination() {
        let add = Inst::AluRR {
            op: AluOp::Add,
            size: Size::S32,
            dst: P,
            src: P,
        };
        assert_eq!(roles(&add), vec![Role::UseDef, Role::Use]);
        let cmp = Inst::AluRR {
            op: AluOp::Cmp,
            size: Size::S64,
            dst: P,
            src: P,
        };
        assert_eq!(
            roles(&cmp),
            vec![Role::Use, Role::Use],
            "cmp writes no register"
        );
        let neg = Inst::Unary {
            op: UnaryOp::Neg,
            size: Size::S64,
            reg: P,
        };
        assert_eq!(roles(&neg), vec![Role::UseDef]);
        let setcc = Inst::Setcc { cc: CC::E, dst: P };
        assert_eq!(roles(&setcc), vec![Role::UseDef], "setcc keeps bits 8..64");
    }

    #[test]
    fn implicit_registers_are_fixed_operands() {
        let shl = Inst::ShiftCl {
            op: ShiftOp::Shl,
            size: Size::S32,
            reg: P,
        };
        assert_eq!(roles(&shl), vec![Role::UseDef, Role::FixedUse(Gpr::RCX)]);
        let div = Inst::Div {
            signed: true,
            size: Size::S64,
            divisor: P,
        };
        assert_eq!(
            roles(&div),
            vec![
                Role::Use,
                Role::FixedUse(Gpr::RAX),
                Role::FixedUse(Gpr::RDX),
                Role::FixedDef(Gpr::RAX),
                Role::FixedDef(Gpr::RDX),
            ]
        );
    }

    #[test]
    fn fields_are_rewritten_in_operand_order() {
        let mut lea = Inst::Lea {
            addr32: false,
            dst: P,
            base: P,
            index: P,
            shift: 2,
            disp: 8,
        };
        let regs = [Gpr::RBX, Gpr::RSI, Gpr::RDI];
        for ((f, _), r) in fields(&mut lea).into_iter().zip(regs) {
            if let Field::G(g) = f {
                *g = r;
            }
        }
        assert_eq!(
            lea,
            Inst::Lea {
                addr32: false,
                dst: Gpr::RBX,
                base: Gpr::RSI,
                index: Gpr::RDI,
                shift: 2,
                disp: 8,
            }
        );
        let cvt = Inst::CvtFloatToInt {
            float: crate::x64::inst::Float::F64,
            size: Size::S32,
            dst: P,
            src: crate::backend::abi::xmm(0),
        };
        assert_eq!(is_xmm(&cvt), vec![false, true]);
    }
}
