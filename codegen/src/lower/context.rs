//! The extern terms of the ISLE program, one line per term: IR extractors
//! (ir.isle), x64 instruction constructors (x64/inst.isle) and the glue
//! (lower.isle). Adding a term is adding its line here.

use super::generated::Context;
use super::{
    BlockCall, BlockCalls, BranchCond, CC, Control, Flags, FloatCC, Imm8, Imm32, Imm64, Inst,
    InstOutput, IntCC, LowerCtx, P, Reg, SideEffect, TrapState, Type, Value, ValueList, Xmm,
};
use crate::backend::vcode::VInst;
use crate::ir::TrapCode;
use crate::ir::{Imm, Opcode};
use crate::x64::Xmm as PX;
use crate::x64::inst::LoadOp;
use crate::x64::inst::{AluOp, CountOp, ExtFrom, Float, Inst as M, ShiftOp, SseOp, UnaryOp};
use regalloc2::{Operand, PRegSet};

/// Placeholder XMM field (overwritten after allocation).
const PXMM: PX = match PX::new(0) {
    Some(x) => x,
    None => panic!("xmm0 exists"),
};

impl LowerCtx<'_> {
    /// The IR instruction's type and arguments if it is `op`.
    fn ir(&self, inst: Inst, op: Opcode) -> Option<(Type, &[Value])> {
        let d = self.func.inst(inst);
        (d.opcode == op).then(|| (d.ty.map_or(Type::I64, Type::from), d.args.as_slice()))
    }
    fn ir1(&self, inst: Inst, op: Opcode) -> Option<(Type, Value)> {
        self.ir(inst, op).and_then(|(t, a)| Some((t, *a.first()?)))
    }
    fn ir2(&self, inst: Inst, op: Opcode) -> Option<(Type, Value, Value)> {
        self.ir(inst, op)
            .and_then(|(t, a)| Some((t, *a.first()?, *a.get(1)?)))
    }
    fn imm(&self, inst: Inst) -> &Imm {
        &self.func.inst(inst).imm
    }
    fn ext_from(&mut self, ty: Type) -> ExtFrom {
        match ty.bits() {
            8 => ExtFrom::B8,
            16 => ExtFrom::B16,
            32 => ExtFrom::B32,
            b => {
                self.fail(format!("cannot extend from {b} bits"));
                ExtFrom::B32
            }
        }
    }
    fn alu(&mut self, op: AluOp, ty: Type, a: Reg, b: Reg) -> Reg {
        let size = self.size(ty);
        self.gpr_op(
            M::AluRR {
                op,
                size,
                dst: P,
                src: P,
            },
            &[a, b],
        )
    }
    fn alu_imm(&mut self, op: AluOp, ty: Type, a: Reg, imm: u32) -> Reg {
        let size = self.size(ty);
        self.gpr_op(
            M::AluRI {
                op,
                size,
                dst: P,
                imm: imm as i32,
            },
            &[a],
        )
    }
    fn shift_imm(&mut self, op: ShiftOp, ty: Type, a: Reg, imm: u8) -> Reg {
        let size = self.size(ty);
        self.gpr_op(
            M::ShiftImm {
                op,
                size,
                reg: P,
                imm,
            },
            &[a],
        )
    }
    fn shift_cl(&mut self, op: ShiftOp, ty: Type, a: Reg, c: Reg) -> Reg {
        let size = self.size(ty);
        self.gpr_op(M::ShiftCl { op, size, reg: P }, &[a, c])
    }
    fn count(&mut self, op: CountOp, ty: Type, a: Reg) -> Reg {
        let size = self.size(ty);
        self.gpr_op(
            M::BitCount {
                op,
                size,
                dst: P,
                src: P,
            },
            &[a],
        )
    }
    fn sse(&mut self, op: SseOp, a: Xmm, b: Xmm) -> Xmm {
        self.xmm_op(
            M::Sse {
                op,
                dst: PXMM,
                src: PXMM,
            },
            &[a.0, b.0],
        )
    }
    fn lea(&mut self, addr32: bool, base: Reg, index: Reg, shift: u8, disp: u32) -> Reg {
        let inst = M::Lea {
            addr32,
            dst: P,
            base: P,
            index: P,
            shift,
            disp: disp as i32,
        };
        self.gpr_op(inst, &[base, index])
    }
    /// The value type of `v` (rules only see values the IR defines).
    fn vty(&self, v: Value) -> Type {
        self.func.value_type(v).into()
    }
    fn load_op(&mut self, op: LoadOp, addr: Reg) -> Reg {
        self.gpr_op(
            M::Load {
                op,
                dst: P,
                base: P,
            },
            &[addr],
        )
    }
    fn load_idx(&mut self, op: LoadOp, base: Reg, index: Reg, disp: u32) -> Reg {
        let inst = M::LoadIdx {
            op,
            dst: P,
            base: P,
            index: P,
            disp: disp as i32,
        };
        self.gpr_op(inst, &[base, index])
    }
    /// `x64_idiv_rem_unless`: see `VInst::IdivRemUnless`.
    fn idiv_rem_unless(&mut self, ty: Type, cc: CC, f: &Flags, other: Reg, lo: Reg, d: Reg) -> Reg {
        let size = self.size(ty);
        self.emit_flags(f);
        let (q, r) = (self.new_gpr(), self.new_gpr());
        let ops = vec![
            Operand::reg_use(d.0),
            Operand::reg_fixed_use(lo.0, super::preg(crate::x64::Gpr::RAX)),
            Operand::reg_fixed_use(other.0, super::preg(crate::x64::Gpr::RDX)),
            Operand::reg_fixed_def(q, super::preg(crate::x64::Gpr::RAX)),
            Operand::reg_fixed_def(r, super::preg(crate::x64::Gpr::RDX)),
        ];
        self.push(VInst::IdivRemUnless { cc, size }, ops, PRegSet::empty());
        Reg(r)
    }
    /// `jcc` to the trap landing with `code` (1..=11, as `ir.isle` numbers them).
    fn trap_if_code(&mut self, cc: CC, f: &Flags, code: u8) {
        const CODES: [TrapCode; 11] = [
            TrapCode::Unreachable,
            TrapCode::IntegerDivideByZero,
            TrapCode::IntegerOverflow,
            TrapCode::BadConversionToInteger,
            TrapCode::MemoryOutOfBounds,
            TrapCode::IndirectCallTypeMismatch,
            TrapCode::UndefinedElement,
            TrapCode::UninitializedElement,
            TrapCode::StackOverflow,
            TrapCode::OutOfFuel,
            TrapCode::Interrupted,
        ];
        match usize::from(code).checked_sub(1).and_then(|i| CODES.get(i)) {
            Some(&c) => self.trap_if(cc, f, c),
            None => self.fail(format!("a rule traps with unknown code {code}")),
        }
    }
    /// `div`/`idiv`: hi:lo / d; `rem` picks the remainder output.
    fn div(&mut self, signed: bool, rem: bool, ty: Type, hi: Reg, lo: Reg, d: Reg) -> Reg {
        let size = self.size(ty);
        let (q, r) = (self.new_gpr(), self.new_gpr());
        self.machine(
            M::Div {
                signed,
                size,
                divisor: P,
            },
            &[d.0, lo.0, hi.0, q, r],
        );
        Reg(if rem { r } else { q })
    }
    fn flags_rr(&mut self, op: AluOp, ty: Type, a: Reg, b: Reg) -> Flags {
        let size = self.size(ty);
        self.flags(
            M::AluRR {
                op,
                size,
                dst: P,
                src: P,
            },
            &[a.0, b.0],
        )
    }
    fn flags_ri(&mut self, op: AluOp, ty: Type, a: Reg, imm: u32) -> Flags {
        let size = self.size(ty);
        self.flags(
            M::AluRI {
                op,
                size,
                dst: P,
                imm: imm as i32,
            },
            &[a.0],
        )
    }
}

#[rustfmt::skip]
impl Context for LowerCtx<'_> {
    // ---- IR extractors (ir.isle): Some(operands) when `inst` is that op ----
    fn iconst(&mut self, i: Inst) -> Option<(Type, Imm64)> { let (t, _) = self.ir(i, Opcode::Iconst)?; match self.imm(i) { Imm::Int(v) => Some((t, *v as u64)), _ => None } }
    fn fconst(&mut self, i: Inst) -> Option<(Type, Imm64)> { let (t, _) = self.ir(i, Opcode::Fconst)?; match self.imm(i) { Imm::FloatBits(v) => Some((t, *v)), _ => None } }
    fn iadd(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Iadd) }
    fn isub(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Isub) }
    fn imul(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Imul) }
    fn udiv(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Udiv) }
    fn sdiv(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Sdiv) }
    fn urem(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Urem) }
    fn srem(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Srem) }
    fn band(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Band) }
    fn bor(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Bor) }
    fn bxor(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Bxor) }
    fn ishl(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Ishl) }
    fn ushr(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Ushr) }
    fn sshr(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Sshr) }
    fn rotl(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Rotl) }
    fn rotr(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Rotr) }
    fn clz(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Clz) }
    fn ctz(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Ctz) }
    fn popcnt(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Popcnt) }
    fn icmp(&mut self, i: Inst) -> Option<(Type, IntCC, Value, Value)> { let (t, x, y) = self.ir2(i, Opcode::Icmp)?; match self.imm(i) { Imm::IntCC(c) => Some((t, (*c).into(), x, y)), _ => None } }
    fn uextend(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Uextend) }
    fn sextend(&mut self, i: Inst) -> Option<(Type, u8, Value)> { let (t, x) = self.ir1(i, Opcode::Sextend)?; match self.imm(i) { Imm::ExtendFrom(b) => Some((t, *b, x)), _ => None } }
    fn ireduce(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Ireduce) }
    fn fadd(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Fadd) }
    fn fsub(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Fsub) }
    fn fmul(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Fmul) }
    fn fdiv(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Fdiv) }
    fn fmin(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Fmin) }
    fn fmax(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Fmax) }
    fn fcopysign(&mut self, i: Inst) -> Option<(Type, Value, Value)> { self.ir2(i, Opcode::Fcopysign) }
    fn fabs(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Fabs) }
    fn fneg(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Fneg) }
    fn sqrt(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Sqrt) }
    fn ceil(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Ceil) }
    fn floor(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Floor) }
    fn trunc(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Trunc) }
    fn nearest(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Nearest) }
    fn fcmp(&mut self, i: Inst) -> Option<(Type, FloatCC, Value, Value)> { let (t, x, y) = self.ir2(i, Opcode::Fcmp)?; match self.imm(i) { Imm::FloatCC(c) => Some((t, (*c).into(), x, y)), _ => None } }
    fn fcvt_to_sint(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::FcvtToSint) }
    fn fcvt_to_uint(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::FcvtToUint) }
    fn fcvt_to_sint_sat(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::FcvtToSintSat) }
    fn fcvt_to_uint_sat(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::FcvtToUintSat) }
    fn fcvt_from_sint(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::FcvtFromSint) }
    fn fcvt_from_uint(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::FcvtFromUint) }
    fn fpromote(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Fpromote) }
    fn fdemote(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Fdemote) }
    fn bitcast(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::Bitcast) }
    fn select(&mut self, i: Inst) -> Option<(Type, Value, Value, Value)> { let (t, a) = self.ir(i, Opcode::Select)?; Some((t, *a.first()?, *a.get(1)?, *a.get(2)?)) }
    fn heap_addr(&mut self, i: Inst) -> Option<(u64, u8, Value)> { let (_, x) = self.ir1(i, Opcode::HeapAddr)?; match self.imm(i) { Imm::Heap { offset, size } => Some((*offset, *size, x)), _ => None } }
    fn load(&mut self, i: Inst) -> Option<(Type, u8, Value)> { let (t, x) = self.ir1(i, Opcode::Load)?; match self.imm(i) { Imm::Access(a) => Some((t, a.bytes | if a.signed { 0x40 } else { 0 }, x)), _ => None } }
    fn store(&mut self, i: Inst) -> Option<(Type, u8, Value, Value)> { let (t, x, y) = self.ir2(i, Opcode::Store)?; match self.imm(i) { Imm::Access(a) => Some((t, a.bytes, x, y)), _ => None } }
    fn memory_size(&mut self, i: Inst) -> Option<Type> { self.ir(i, Opcode::MemorySize).map(|(t, _)| t) }
    fn memory_grow(&mut self, i: Inst) -> Option<(Type, Value)> { self.ir1(i, Opcode::MemoryGrow) }
    fn global_get(&mut self, i: Inst) -> Option<(Type, u32)> { let (t, _) = self.ir(i, Opcode::GlobalGet)?; match self.imm(i) { Imm::Global(g) => Some((t, *g)), _ => None } }
    fn global_set(&mut self, i: Inst) -> Option<(Type, u32, Value)> { let (t, x) = self.ir1(i, Opcode::GlobalSet)?; match self.imm(i) { Imm::Global(g) => Some((t, *g, x)), _ => None } }
    // Control flow is lowered by glue (backend/func.rs), never by a rule:
    // these extractors never match.
    fn call(&mut self, _: Control) -> Option<(u32, ValueList)> { None }
    fn call_indirect(&mut self, _: Control) -> Option<(u32, u32, ValueList, Value)> { None }
    fn jump(&mut self, _: Control) -> Option<BlockCall> { None }
    fn brif(&mut self, _: Control) -> Option<(Value, BlockCall, BlockCall)> { None }
    fn br_table(&mut self, _: Control) -> Option<(Value, BlockCall, BlockCalls)> { None }
    fn r#return(&mut self, _: Control) -> Option<ValueList> { None }
    fn trap(&mut self, _: Control) -> Option<u8> { None }
    fn trapnz(&mut self, _: Control) -> Option<(Type, u8, Value)> { None }
    fn fuel_check(&mut self, _: Control) -> Option<()> { None }
    fn epoch_check(&mut self, _: Control) -> Option<()> { None }

    // ---- x64 instructions (x64/inst.isle) ----
    fn x64_mov(&mut self, ty: Type, a: Reg) -> Reg { let size = self.size(ty); self.gpr_op(M::Mov { size, dst: P, src: P }, &[a]) }
    fn x64_mov_imm(&mut self, ty: Type, imm: Imm64) -> Reg { let size = self.size(ty); let imm = if size == crate::x64::Size::S32 { imm & 0xffff_ffff } else { imm }; self.gpr_op(M::MovImm { size, dst: P, imm }, &[]) }
    fn x64_movzx(&mut self, from: Type, a: Reg) -> Reg { let from = self.ext_from(from); self.gpr_op(M::Movzx { from, dst: P, src: P }, &[a]) }
    fn x64_movsx(&mut self, from: Type, to: Type, a: Reg) -> Reg { let (from, to) = (self.ext_from(from), self.size(to)); self.gpr_op(M::Movsx { from, to, dst: P, src: P }, &[a]) }
    fn x64_lea(&mut self, b: Reg, i: Reg, s: Imm8, d: Imm32) -> Reg { self.lea(false, b, i, s, d) }
    fn x64_lea32(&mut self, b: Reg, i: Reg, s: Imm8, d: Imm32) -> Reg { self.lea(true, b, i, s, d) }
    fn x64_add(&mut self, ty: Type, a: Reg, b: Reg) -> Reg { self.alu(AluOp::Add, ty, a, b) }
    fn x64_sub(&mut self, ty: Type, a: Reg, b: Reg) -> Reg { self.alu(AluOp::Sub, ty, a, b) }
    fn x64_imul(&mut self, ty: Type, a: Reg, b: Reg) -> Reg { self.alu(AluOp::Imul, ty, a, b) }
    fn x64_and(&mut self, ty: Type, a: Reg, b: Reg) -> Reg { self.alu(AluOp::And, ty, a, b) }
    fn x64_or(&mut self, ty: Type, a: Reg, b: Reg) -> Reg { self.alu(AluOp::Or, ty, a, b) }
    fn x64_xor(&mut self, ty: Type, a: Reg, b: Reg) -> Reg { self.alu(AluOp::Xor, ty, a, b) }
    fn x64_add_imm(&mut self, ty: Type, a: Reg, imm: Imm32) -> Reg { self.alu_imm(AluOp::Add, ty, a, imm) }
    fn x64_sub_imm(&mut self, ty: Type, a: Reg, imm: Imm32) -> Reg { self.alu_imm(AluOp::Sub, ty, a, imm) }
    fn x64_and_imm(&mut self, ty: Type, a: Reg, imm: Imm32) -> Reg { self.alu_imm(AluOp::And, ty, a, imm) }
    fn x64_or_imm(&mut self, ty: Type, a: Reg, imm: Imm32) -> Reg { self.alu_imm(AluOp::Or, ty, a, imm) }
    fn x64_xor_imm(&mut self, ty: Type, a: Reg, imm: Imm32) -> Reg { self.alu_imm(AluOp::Xor, ty, a, imm) }
    fn x64_imul_imm(&mut self, ty: Type, a: Reg, imm: Imm32) -> Reg { let size = self.size(ty); self.gpr_op(M::ImulImm { size, dst: P, src: P, imm: imm as i32 }, &[a]) }
    fn x64_neg(&mut self, ty: Type, a: Reg) -> Reg { let size = self.size(ty); self.gpr_op(M::Unary { op: UnaryOp::Neg, size, reg: P }, &[a]) }
    fn x64_not(&mut self, ty: Type, a: Reg) -> Reg { let size = self.size(ty); self.gpr_op(M::Unary { op: UnaryOp::Not, size, reg: P }, &[a]) }
    fn x64_shl_imm(&mut self, ty: Type, a: Reg, c: Imm8) -> Reg { self.shift_imm(ShiftOp::Shl, ty, a, c) }
    fn x64_shr_imm(&mut self, ty: Type, a: Reg, c: Imm8) -> Reg { self.shift_imm(ShiftOp::Shr, ty, a, c) }
    fn x64_sar_imm(&mut self, ty: Type, a: Reg, c: Imm8) -> Reg { self.shift_imm(ShiftOp::Sar, ty, a, c) }
    fn x64_rol_imm(&mut self, ty: Type, a: Reg, c: Imm8) -> Reg { self.shift_imm(ShiftOp::Rol, ty, a, c) }
    fn x64_ror_imm(&mut self, ty: Type, a: Reg, c: Imm8) -> Reg { self.shift_imm(ShiftOp::Ror, ty, a, c) }
    fn x64_shl_cl(&mut self, ty: Type, a: Reg, c: Reg) -> Reg { self.shift_cl(ShiftOp::Shl, ty, a, c) }
    fn x64_shr_cl(&mut self, ty: Type, a: Reg, c: Reg) -> Reg { self.shift_cl(ShiftOp::Shr, ty, a, c) }
    fn x64_sar_cl(&mut self, ty: Type, a: Reg, c: Reg) -> Reg { self.shift_cl(ShiftOp::Sar, ty, a, c) }
    fn x64_rol_cl(&mut self, ty: Type, a: Reg, c: Reg) -> Reg { self.shift_cl(ShiftOp::Rol, ty, a, c) }
    fn x64_ror_cl(&mut self, ty: Type, a: Reg, c: Reg) -> Reg { self.shift_cl(ShiftOp::Ror, ty, a, c) }
    fn x64_lzcnt(&mut self, ty: Type, a: Reg) -> Reg { self.count(CountOp::Lzcnt, ty, a) }
    fn x64_tzcnt(&mut self, ty: Type, a: Reg) -> Reg { self.count(CountOp::Tzcnt, ty, a) }
    fn x64_popcnt(&mut self, ty: Type, a: Reg) -> Reg { self.count(CountOp::Popcnt, ty, a) }
    fn x64_cmp(&mut self, ty: Type, a: Reg, b: Reg) -> Flags { self.flags_rr(AluOp::Cmp, ty, a, b) }
    fn x64_add_flags(&mut self, ty: Type, a: Reg, b: Reg) -> Flags { self.flags_rr(AluOp::Add, ty, a, b) }
    fn x64_cmp_imm(&mut self, ty: Type, a: Reg, imm: Imm32) -> Flags { self.flags_ri(AluOp::Cmp, ty, a, imm) }
    fn x64_test(&mut self, ty: Type, a: Reg, b: Reg) -> Flags { self.flags_rr(AluOp::Test, ty, a, b) }
    fn x64_test_imm(&mut self, ty: Type, a: Reg, imm: Imm32) -> Flags { self.flags_ri(AluOp::Test, ty, a, imm) }
    fn x64_setcc(&mut self, cc: &CC, f: Flags, old: Reg) -> Reg { self.emit_flags(&f); self.gpr_op(M::Setcc { cc: *cc, dst: P }, &[old]) }
    fn x64_cmov(&mut self, ty: Type, cc: &CC, f: Flags, a: Reg, b: Reg) -> Reg { let size = self.size(ty); self.emit_flags(&f); self.gpr_op(M::Cmov { cc: *cc, size, dst: P, src: P }, &[a, b]) }
    fn x64_div_quot(&mut self, ty: Type, _: TrapState, hi: Reg, lo: Reg, d: Reg) -> Reg { self.div(false, false, ty, hi, lo, d) }
    fn x64_div_rem(&mut self, ty: Type, _: TrapState, hi: Reg, lo: Reg, d: Reg) -> Reg { self.div(false, true, ty, hi, lo, d) }
    fn x64_idiv_quot(&mut self, ty: Type, _: TrapState, hi: Reg, lo: Reg, d: Reg) -> Reg { self.div(true, false, ty, hi, lo, d) }
    fn x64_idiv_rem(&mut self, ty: Type, _: TrapState, hi: Reg, lo: Reg, d: Reg) -> Reg { self.div(true, true, ty, hi, lo, d) }
    fn x64_idiv_rem_unless(&mut self, ty: Type, cc: &CC, f: Flags, _: TrapState, other: Reg, lo: Reg, d: Reg) -> Reg { self.idiv_rem_unless(ty, *cc, &f, other, lo, d) }
    fn x64_jcc(&mut self, cc: &CC, f: Flags) -> BranchCond { self.emit_flags(&f); *cc }
    fn x64_trap_if(&mut self, cc: &CC, f: Flags, code: u8, _: TrapState) -> TrapState { self.trap_if_code(*cc, &f, code) }
    fn x64_mov_load(&mut self, ty: Type, a: Reg) -> Reg { let size = self.size(ty); self.load_op(LoadOp::Mov(size), a) }
    fn x64_movzx_load(&mut self, from: Type, a: Reg) -> Reg { let from = self.ext_from(from); self.load_op(LoadOp::Movzx(from), a) }
    fn x64_movsx_load(&mut self, from: Type, to: Type, a: Reg) -> Reg { let (from, to) = (self.ext_from(from), self.size(to)); self.load_op(LoadOp::Movsx(from, to), a) }
    fn x64_store(&mut self, ty: Type, a: Reg, v: Reg) -> SideEffect { let bytes = (ty.bits() / 8) as u8; self.machine(M::Store { bytes, base: P, src: P }, &[a.0, v.0]); }
    fn x64_movss_load(&mut self, a: Reg) -> Xmm { self.xmm_op(M::LoadXmm { float: Float::F32, dst: PXMM, base: P }, &[a.0]) }
    fn x64_movsd_load(&mut self, a: Reg) -> Xmm { self.xmm_op(M::LoadXmm { float: Float::F64, dst: PXMM, base: P }, &[a.0]) }
    fn x64_movss_store(&mut self, a: Reg, x: Xmm) -> SideEffect { self.machine(M::StoreXmm { float: Float::F32, base: P, src: PXMM }, &[a.0, x.0]); }
    fn x64_movsd_store(&mut self, a: Reg, x: Xmm) -> SideEffect { self.machine(M::StoreXmm { float: Float::F64, base: P, src: PXMM }, &[a.0, x.0]); }
    fn x64_mov_load_idx(&mut self, _: TrapState, ty: Type, b: Reg, i: Reg, d: Imm32) -> Reg { let size = self.size(ty); self.load_idx(LoadOp::Mov(size), b, i, d) }
    fn x64_movzx_load_idx(&mut self, _: TrapState, from: Type, b: Reg, i: Reg, d: Imm32) -> Reg { let from = self.ext_from(from); self.load_idx(LoadOp::Movzx(from), b, i, d) }
    fn x64_movsx_load_idx(&mut self, _: TrapState, from: Type, to: Type, b: Reg, i: Reg, d: Imm32) -> Reg { let (from, to) = (self.ext_from(from), self.size(to)); self.load_idx(LoadOp::Movsx(from, to), b, i, d) }
    fn x64_store_idx(&mut self, _: TrapState, ty: Type, b: Reg, i: Reg, d: Imm32, v: Reg) -> SideEffect { let bytes = (ty.bits() / 8) as u8; self.machine(M::StoreIdx { bytes, base: P, index: P, disp: d as i32, src: P }, &[b.0, i.0, v.0]); }
    fn x64_movss_load_idx(&mut self, _: TrapState, b: Reg, i: Reg, d: Imm32) -> Xmm { self.xmm_op(M::LoadXmmIdx { float: Float::F32, dst: PXMM, base: P, index: P, disp: d as i32 }, &[b.0, i.0]) }
    fn x64_movsd_load_idx(&mut self, _: TrapState, b: Reg, i: Reg, d: Imm32) -> Xmm { self.xmm_op(M::LoadXmmIdx { float: Float::F64, dst: PXMM, base: P, index: P, disp: d as i32 }, &[b.0, i.0]) }
    fn x64_movss_store_idx(&mut self, _: TrapState, b: Reg, i: Reg, d: Imm32, x: Xmm) -> SideEffect { self.machine(M::StoreXmmIdx { float: Float::F32, base: P, index: P, disp: d as i32, src: PXMM }, &[b.0, i.0, x.0]); }
    fn x64_movsd_store_idx(&mut self, _: TrapState, b: Reg, i: Reg, d: Imm32, x: Xmm) -> SideEffect { self.machine(M::StoreXmmIdx { float: Float::F64, base: P, index: P, disp: d as i32, src: PXMM }, &[b.0, i.0, x.0]); }
    fn x64_sign_extend_ax(&mut self, ty: Type, a: Reg) -> Reg { let size = self.size(ty); self.gpr_op(M::SignExtendAx { size }, &[a]) }
    fn x64_movd_to_xmm(&mut self, ty: Type, a: Reg) -> Xmm { let size = self.size(ty); self.xmm_op(M::MovToXmm { size, dst: PXMM, src: P }, &[a.0]) }
    fn x64_movd_to_gpr(&mut self, ty: Type, x: Xmm) -> Reg { let size = self.size(ty); Reg(self.op1(M::MovToGpr { size, dst: P, src: PXMM }, &[x.0], false)) }
    fn x64_addss(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Addss, a, b) }
    fn x64_addsd(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Addsd, a, b) }
    fn x64_subss(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Subss, a, b) }
    fn x64_subsd(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Subsd, a, b) }
    fn x64_mulss(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Mulss, a, b) }
    fn x64_mulsd(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Mulsd, a, b) }
    fn x64_divss(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Divss, a, b) }
    fn x64_divsd(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Divsd, a, b) }
    fn x64_sqrtss(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Sqrtss, a, b) }
    fn x64_sqrtsd(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Sqrtsd, a, b) }
    fn x64_minss(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Minss, a, b) }
    fn x64_minsd(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Minsd, a, b) }
    fn x64_maxss(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Maxss, a, b) }
    fn x64_maxsd(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Maxsd, a, b) }
    fn x64_roundss(&mut self, a: Xmm, b: Xmm, imm: Imm8) -> Xmm { self.xmm_op(M::Round { float: Float::F32, dst: PXMM, src: PXMM, imm }, &[a.0, b.0]) }
    fn x64_roundsd(&mut self, a: Xmm, b: Xmm, imm: Imm8) -> Xmm { self.xmm_op(M::Round { float: Float::F64, dst: PXMM, src: PXMM, imm }, &[a.0, b.0]) }
    fn x64_ucomiss(&mut self, a: Xmm, b: Xmm) -> Flags { self.flags(M::Sse { op: SseOp::Ucomiss, dst: PXMM, src: PXMM }, &[a.0, b.0]) }
    fn x64_ucomisd(&mut self, a: Xmm, b: Xmm) -> Flags { self.flags(M::Sse { op: SseOp::Ucomisd, dst: PXMM, src: PXMM }, &[a.0, b.0]) }
    fn x64_cvtsi2ss(&mut self, ty: Type, a: Xmm, r: Reg) -> Xmm { let size = self.size(ty); self.xmm_op(M::CvtIntToFloat { float: Float::F32, size, dst: PXMM, src: P }, &[a.0, r.0]) }
    fn x64_cvtsi2sd(&mut self, ty: Type, a: Xmm, r: Reg) -> Xmm { let size = self.size(ty); self.xmm_op(M::CvtIntToFloat { float: Float::F64, size, dst: PXMM, src: P }, &[a.0, r.0]) }
    fn x64_cvttss2si(&mut self, ty: Type, b: Xmm) -> Reg { let size = self.size(ty); Reg(self.op1(M::CvtFloatToInt { float: Float::F32, size, dst: P, src: PXMM }, &[b.0], false)) }
    fn x64_cvttsd2si(&mut self, ty: Type, b: Xmm) -> Reg { let size = self.size(ty); Reg(self.op1(M::CvtFloatToInt { float: Float::F64, size, dst: P, src: PXMM }, &[b.0], false)) }
    fn x64_cvtss2sd(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Cvtss2sd, a, b) }
    fn x64_cvtsd2ss(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Cvtsd2ss, a, b) }
    fn x64_andps(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Andps, a, b) }
    fn x64_andnps(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Andnps, a, b) }
    fn x64_orps(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Orps, a, b) }
    fn x64_xorps(&mut self, a: Xmm, b: Xmm) -> Xmm { self.sse(SseOp::Xorps, a, b) }

    // ---- glue (lower.isle) ----
    fn put_in_reg(&mut self, v: Value) -> Reg { Reg(self.value_reg(v)) }
    fn output_reg(&mut self, r: Reg) -> InstOutput { InstOutput(Some(r.0)) }
    fn output_reg_trap(&mut self, _: TrapState, r: Reg) -> InstOutput { InstOutput(Some(r.0)) }
    fn output_none(&mut self, _: SideEffect) -> InstOutput { InstOutput(None) }
    fn output_xmm_trap(&mut self, _: TrapState, x: Xmm) -> InstOutput { InstOutput(Some(x.0)) }
    fn output_none_trap(&mut self, _: TrapState, _: SideEffect) -> InstOutput { InstOutput(None) }
    fn no_trap(&mut self) -> TrapState {}
    fn def_inst(&mut self, v: Value) -> Option<Inst> { match self.func.values.get(v.index())?.def { crate::ir::ValueDef::Result(i, _) => Some(i), crate::ir::ValueDef::Param(..) => None } }
    fn fused_def(&mut self, v: Value) -> Option<Inst> { if self.fusable == Some(v) { self.def_inst(v) } else { None } }
    fn imm32_from_imm64(&mut self, v: Imm64) -> Option<Imm32> { i32::try_from(v as i64).ok().map(|k| k as u32) }
    fn imm8_from_imm64(&mut self, v: Imm64) -> Option<Imm8> { Some(v as u8) }
    fn ty_8(&mut self) -> Type { Type::I8 }
    fn ty_16(&mut self) -> Type { Type::I16 }
    fn ty_32(&mut self) -> Type { Type::I32 }
    fn ty_64(&mut self) -> Type { Type::I64 }
    fn osize_32(&mut self) -> Type { Type::I32 }
    fn osize_64(&mut self) -> Type { Type::I64 }
    fn value_ty(&mut self, v: Value) -> Type { self.vty(v) }
    fn int_ty(&mut self, t: Type) -> Option<Type> { matches!(t, Type::I32 | Type::I64).then_some(t) }
    fn ty_is_32(&mut self, t: Type) -> Option<Type> { (t == Type::I32).then_some(t) }
    fn ty_is_64(&mut self, t: Type) -> Option<Type> { (t == Type::I64).then_some(t) }
    fn ity32(&mut self, t: Type) -> Option<Type> { (t == Type::I32).then_some(t) }
    fn ity64(&mut self, t: Type) -> Option<Type> { (t == Type::I64).then_some(t) }
    fn fty32(&mut self, t: Type) -> Option<Type> { (t == Type::F32).then_some(t) }
    fn fty64(&mut self, t: Type) -> Option<Type> { (t == Type::F64).then_some(t) }
    fn fty(&mut self, t: Type) -> Option<Type> { matches!(t, Type::F32 | Type::F64).then_some(t) }
    fn value_i32(&mut self, v: Value) -> Option<Value> { (self.vty(v) == Type::I32).then_some(v) }
    fn value_i64(&mut self, v: Value) -> Option<Value> { (self.vty(v) == Type::I64).then_some(v) }
    fn value_f32(&mut self, v: Value) -> Option<Value> { (self.vty(v) == Type::F32).then_some(v) }
    fn value_f64(&mut self, v: Value) -> Option<Value> { (self.vty(v) == Type::F64).then_some(v) }
    fn heap_base_reg(&mut self) -> Reg { Reg(self.memory_field(crate::vm::MEMORY_BASE)) }
    fn heap_bytes_reg(&mut self) -> Reg { Reg(self.memory_field(crate::vm::MEMORY_BYTES)) }
    fn offset_u32(&mut self, off: u64) -> Option<u64> { (off <= u64::from(u32::MAX)).then_some(off) }
    fn imm64_of_u64(&mut self, off: u64) -> Imm64 { off }
    fn offset_end(&mut self, off: u64, size: u8) -> Imm64 { off + u64::from(size) }
    fn offset_imm32(&mut self, off: u64) -> Option<u64> { (off < 0x7fff_ff00).then_some(off) }
    fn imm32_end(&mut self, off: u64, size: u8) -> Imm32 { (off + u64::from(size)) as u32 }
    fn imm32_neg(&mut self, size: u8) -> Imm32 { (-i32::from(size)) as u32 }
    fn access_size(&mut self, a: u8) -> Type { match a & 0x0f { 1 => Type::I8, 2 => Type::I16, 4 => Type::I32, _ => Type::I64 } }
    fn put_in_xmm(&mut self, v: Value) -> Xmm { Xmm(self.value_reg(v)) }
    fn output_xmm(&mut self, x: Xmm) -> InstOutput { InstOutput(Some(x.0)) }
}
