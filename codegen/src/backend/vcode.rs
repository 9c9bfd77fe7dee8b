//! Machine code with virtual registers: what the lowering produces and
//! regalloc2 allocates. Instructions are either an [`x64::Inst`] from the
//! rules (its register fields filled in after allocation, see
//! `operands.rs`) or a piece of hand-written glue (control flow, ABI,
//! runtime access), emitted by `emit.rs`.

use regalloc2::{Block, Inst as RInst, InstRange, Operand, OperandKind, PRegSet, RegClass, VReg};

use crate::ir::{TrapCode, Type};
use crate::x64::{self, CC};

/// Where a call goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallTarget {
    /// A function defined in this module (by function index): `call rel32`.
    Direct(u32),
    /// `call [r + FUNCREF_NATIVE]` with `r` (the first operand) a
    /// `VMFuncRef` pointer.
    FuncRef,
    /// The `memory.grow` libcall, through `vmctx.libcalls`.
    MemoryGrow,
}

/// A frame area whose offset is only known after allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    /// Where multi-value callees write their results.
    CallResults,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VInst {
    /// A rule-produced (or glue) machine instruction.
    Machine(x64::Inst),
    /// Defines the function's register arguments (fixed defs).
    Args,
    /// Defines a stack argument: `[rbp + 16 + 8 * index]`.
    StackArg {
        index: u32,
        ty: Type,
    },
    Jump,
    /// Successor 0 when `cc` holds for the flags the previous instruction
    /// set (`lower_branch`), else successor 1. No operands.
    Brif {
        cc: CC,
    },
    /// `index` (operand 0) selects successor `index + 1`, out of range 0.
    BrTable,
    /// Return (uses the fixed result registers).
    Ret,
    /// `[area + 8 * index] := value` (operands: area, value), zero-extended.
    StoreResult {
        index: u32,
        ty: Type,
    },
    /// Terminator: trap with `code` (operand 0: vmctx).
    Trap {
        code: TrapCode,
    },
    /// Trap with `code` when `cc` holds for the flags the previous
    /// instruction set (operand 0: vmctx).
    TrapIf {
        cc: CC,
        code: TrapCode,
    },
    /// `jcc done; cdq|cqo; idiv divisor; done:` (`x64_idiv_rem_unless`):
    /// the remainder, or RDX's input when `cc` held for the flags the
    /// previous instruction set. Operands: divisor, lo (fixed RAX), the
    /// skipped case's value (fixed RDX), RAX out (scratch), RDX out.
    IdivRemUnless {
        cc: CC,
        size: crate::x64::Size,
    },
    FuelCheck,
    EpochCheck,
    /// Operands: vmctx, (value for a set | result for a get).
    GlobalGet {
        index: u32,
        ty: Type,
    },
    GlobalSet {
        index: u32,
        ty: Type,
    },
    /// `lea dst, [rsp + area]`.
    FrameAddr(Area),
    /// `dst := [rsp + results area + 8 * index]`.
    LoadResult {
        index: u32,
        ty: Type,
    },
    /// `[rsp + 8 * slot] := value`, an outgoing stack argument.
    StoreArg {
        slot: u32,
        ty: Type,
    },
    /// Operands: vmctx, result `&vmctx.funcs[index]`.
    FuncRef {
        index: u32,
    },
    /// Operands: base, result `[base + offset]` (64-bit).
    Load {
        offset: i32,
    },
    /// `call_indirect`'s checks. Operands: vmctx, table index, result:
    /// the `VMFuncRef` pointer.
    TableLookup {
        table: u32,
        type_index: u32,
    },
    Call(CallTarget),
}

impl VInst {
    /// Whether removing the instruction changes nothing but its register
    /// results (no memory write, no trap, no call, no control flow; a
    /// machine load reads an address its `heap_addr` already checked).
    /// Flags are handled separately ([`VInst::reads_flags`]).
    fn is_pure(&self) -> bool {
        use x64::inst::Inst as M;
        match self {
            // Exhaustive on purpose: a new instruction must be classified
            // here (a store taken for pure would be deleted as unused).
            VInst::Machine(m) => match m {
                M::Store { .. }
                | M::StoreXmm { .. }
                | M::StoreIdx { .. }
                | M::StoreXmmIdx { .. }
                | M::Div { .. }
                | M::Jcc { .. }
                | M::Ret => false,
                M::AluRR { .. }
                | M::AluRI { .. }
                | M::ImulImm { .. }
                | M::Unary { .. }
                | M::ShiftImm { .. }
                | M::ShiftCl { .. }
                | M::BitCount { .. }
                | M::Mov { .. }
                | M::MovImm { .. }
                | M::Movzx { .. }
                | M::Movsx { .. }
                | M::Lea { .. }
                | M::Setcc { .. }
                | M::Cmov { .. }
                | M::Load { .. }
                | M::LoadXmm { .. }
                | M::LoadIdx { .. }
                | M::LoadXmmIdx { .. }
                | M::SignExtendAx { .. }
                | M::MovToXmm { .. }
                | M::MovToGpr { .. }
                | M::Sse { .. }
                | M::Round { .. }
                | M::CvtIntToFloat { .. }
                | M::CvtFloatToInt { .. } => true,
            },
            VInst::StackArg { .. }
            | VInst::GlobalGet { .. }
            | VInst::FrameAddr(_)
            | VInst::LoadResult { .. }
            | VInst::FuncRef { .. }
            | VInst::Load { .. } => true,
            _ => false,
        }
    }

    /// Whether the instruction reads the flags the one before it set.
    fn reads_flags(&self) -> bool {
        use x64::inst::Inst as M;
        match self {
            VInst::Machine(m) => matches!(m, M::Setcc { .. } | M::Cmov { .. } | M::Jcc { .. }),
            VInst::TrapIf { .. } | VInst::IdivRemUnless { .. } | VInst::Brif { .. } => true,
            _ => false,
        }
    }

    pub fn is_branch(&self) -> bool {
        matches!(self, VInst::Jump | VInst::Brif { .. } | VInst::BrTable)
    }
    pub fn is_ret(&self) -> bool {
        matches!(self, VInst::Ret | VInst::Trap { .. })
    }
}

#[derive(Clone, Debug)]
pub struct VInstData {
    pub inst: VInst,
    pub operands: Vec<Operand>,
    pub clobbers: PRegSet,
}

#[derive(Clone, Debug, Default)]
pub struct VBlock {
    pub start: usize,
    pub end: usize,
    pub params: Vec<VReg>,
    pub succs: Vec<Block>,
    pub preds: Vec<Block>,
    /// Per successor, the values passed to its parameters.
    pub branch_args: Vec<Vec<VReg>>,
}

/// A function ready for register allocation.
#[derive(Clone, Debug, Default)]
pub struct VCode {
    pub insts: Vec<VInstData>,
    pub blocks: Vec<VBlock>,
    pub num_vregs: usize,
    /// Outgoing stack-argument slots and call-result slots (8 bytes each).
    pub max_stack_args: u32,
    pub max_call_results: u32,
}

impl VCode {
    pub fn new_vreg(&mut self, ty: Type) -> VReg {
        let v = VReg::new(self.num_vregs, class_of(ty));
        self.num_vregs += 1;
        v
    }

    /// Removes the pure instructions whose results are all unused (a
    /// constant every user took as an immediate, `setcc`'s old value, ...)
    /// and, transitively, what only they used; returns how many. A flags
    /// instruction stays when the next one reads its flags. One backward
    /// pass reaches the fixed point: blocks are in reverse postorder, so
    /// every use of an instruction's result comes after it, except through
    /// block arguments, which always count as used.
    pub fn remove_dead(&mut self) -> usize {
        let mut uses = vec![0u32; self.num_vregs];
        for op in self.insts.iter().flat_map(|i| &i.operands) {
            if op.kind() == OperandKind::Use {
                uses[op.vreg().vreg()] += 1;
            }
        }
        for v in self
            .blocks
            .iter()
            .flat_map(|b| b.branch_args.iter().flatten())
        {
            uses[v.vreg()] += 1;
        }
        let mut live = vec![true; self.insts.len()];
        let mut removed = 0;
        for b in self.blocks.iter().rev() {
            let mut next_reads_flags = false;
            for i in (b.start..b.end).rev() {
                let d = &self.insts[i];
                let unused =
                    |op: &Operand| op.kind() == OperandKind::Use || uses[op.vreg().vreg()] == 0;
                if !next_reads_flags && d.inst.is_pure() && d.operands.iter().all(unused) {
                    live[i] = false;
                    removed += 1;
                    for op in &d.operands {
                        if op.kind() == OperandKind::Use {
                            uses[op.vreg().vreg()] -= 1;
                        }
                    }
                } else {
                    next_reads_flags = d.inst.reads_flags();
                }
            }
        }
        if removed == 0 {
            return 0;
        }
        // Compact, moving each block's range to the new indices.
        let mut new_index = Vec::with_capacity(self.insts.len() + 1);
        let mut n = 0;
        for &l in &live {
            new_index.push(n);
            n += usize::from(l);
        }
        new_index.push(n);
        for b in &mut self.blocks {
            b.start = new_index[b.start];
            b.end = new_index[b.end];
        }
        let mut k = 0;
        self.insts.retain(|_| {
            k += 1;
            live[k - 1]
        });
        removed
    }
}

pub fn class_of(ty: Type) -> RegClass {
    if ty.is_int() {
        RegClass::Int
    } else {
        RegClass::Float
    }
}

impl regalloc2::Function for VCode {
    fn num_insts(&self) -> usize {
        self.insts.len()
    }
    fn num_blocks(&self) -> usize {
        self.blocks.len()
    }
    fn entry_block(&self) -> Block {
        Block::new(0)
    }
    fn block_insns(&self, block: Block) -> InstRange {
        let b = &self.blocks[block.index()];
        InstRange::new(RInst::new(b.start), RInst::new(b.end))
    }
    fn block_succs(&self, block: Block) -> &[Block] {
        &self.blocks[block.index()].succs
    }
    fn block_preds(&self, block: Block) -> &[Block] {
        &self.blocks[block.index()].preds
    }
    fn block_params(&self, block: Block) -> &[VReg] {
        &self.blocks[block.index()].params
    }
    fn is_ret(&self, insn: RInst) -> bool {
        self.insts[insn.index()].inst.is_ret()
    }
    fn is_branch(&self, insn: RInst) -> bool {
        self.insts[insn.index()].inst.is_branch()
    }
    fn branch_blockparams(&self, block: Block, _insn: RInst, succ_idx: usize) -> &[VReg] {
        &self.blocks[block.index()].branch_args[succ_idx]
    }
    fn inst_operands(&self, insn: RInst) -> &[Operand] {
        &self.insts[insn.index()].operands
    }
    fn inst_clobbers(&self, insn: RInst) -> PRegSet {
        self.insts[insn.index()].clobbers
    }
    fn num_vregs(&self) -> usize {
        self.num_vregs
    }
    fn spillslot_size(&self, _regclass: RegClass) -> usize {
        // Both classes spill 8 bytes: an XMM value is a scalar whose bits
        // above its width are unspecified (`put_in_reg`'s spec).
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x64::inst::{AluOp, Inst as M};
    use crate::x64::{Gpr, Size};

    const P: Gpr = Gpr::RAX;

    fn machine(inst: M, operands: Vec<Operand>) -> VInstData {
        VInstData {
            inst: VInst::Machine(inst),
            operands,
            clobbers: PRegSet::empty(),
        }
    }

    fn glue(inst: VInst, operands: Vec<Operand>) -> VInstData {
        VInstData {
            inst,
            operands,
            clobbers: PRegSet::empty(),
        }
    }

    /// One block: `v0 = args; v1 = 3 (dead); v2 = v0 + 3; v3 = v2 + v0
    /// (dead); cmp v0, v0 (dead: the next instruction overwrites its
    /// flags); v5 = add v0, v0 (result unused, but its flags feed trap_if:
    /// kept); trap_if; cmp v0, v0 (dead: nothing reads its flags); ret v2`.
    #[test]
    fn dead_pure_instructions_go_flag_producers_stay() {
        let mut vc = VCode::default();
        let v: Vec<VReg> = (0..7).map(|_| vc.new_vreg(Type::I64)).collect();
        let imm = |imm| M::MovImm {
            size: Size::S32,
            dst: P,
            imm,
        };
        let alu = |op| M::AluRR {
            op,
            size: Size::S32,
            dst: P,
            src: P,
        };
        let add_imm = M::AluRI {
            op: AluOp::Add,
            size: Size::S32,
            dst: P,
            imm: 3,
        };
        vc.insts = vec![
            glue(VInst::Args, vec![Operand::reg_def(v[0])]),
            machine(imm(3), vec![Operand::reg_def(v[1])]),
            machine(
                add_imm,
                vec![Operand::reg_use(v[0]), Operand::reg_reuse_def(v[2], 0)],
            ),
            machine(
                alu(AluOp::Add),
                vec![
                    Operand::reg_use(v[2]),
                    Operand::reg_reuse_def(v[3], 0),
                    Operand::reg_use(v[0]),
                ],
            ),
            machine(
                alu(AluOp::Cmp),
                vec![Operand::reg_use(v[0]), Operand::reg_use(v[0])],
            ),
            machine(
                alu(AluOp::Add),
                vec![
                    Operand::reg_use(v[0]),
                    Operand::reg_reuse_def(v[5], 0),
                    Operand::reg_use(v[0]),
                ],
            ),
            glue(
                VInst::TrapIf {
                    cc: CC::E,
                    code: TrapCode::Unreachable,
                },
                vec![Operand::reg_use(v[0])],
            ),
            machine(
                alu(AluOp::Cmp),
                vec![Operand::reg_use(v[0]), Operand::reg_use(v[0])],
            ),
            glue(VInst::Ret, vec![Operand::reg_use(v[2])]),
        ];
        vc.blocks = vec![VBlock {
            start: 0,
            end: vc.insts.len(),
            ..VBlock::default()
        }];
        assert_eq!(vc.remove_dead(), 4, "the constant, v3's add, both cmps");
        let kept: Vec<VInst> = vc.insts.iter().map(|i| i.inst).collect();
        assert_eq!(
            kept,
            vec![
                VInst::Args,
                VInst::Machine(add_imm),
                VInst::Machine(alu(AluOp::Add)),
                VInst::TrapIf {
                    cc: CC::E,
                    code: TrapCode::Unreachable,
                },
                VInst::Ret,
            ]
        );
        assert_eq!((vc.blocks[0].start, vc.blocks[0].end), (0, 5));
    }

    #[test]
    fn block_arguments_keep_their_definitions() {
        let mut vc = VCode::default();
        let a = vc.new_vreg(Type::I32);
        let p = vc.new_vreg(Type::I32);
        let imm = M::MovImm {
            size: Size::S32,
            dst: P,
            imm: 7,
        };
        vc.insts = vec![
            machine(imm, vec![Operand::reg_def(a)]),
            glue(VInst::Jump, vec![]),
            glue(VInst::Ret, vec![]),
        ];
        vc.blocks = vec![
            VBlock {
                start: 0,
                end: 2,
                succs: vec![Block::new(1)],
                branch_args: vec![vec![a]],
                ..VBlock::default()
            },
            VBlock {
                start: 2,
                end: 3,
                params: vec![p],
                preds: vec![Block::new(0)],
                ..VBlock::default()
            },
        ];
        assert_eq!(vc.remove_dead(), 0);
        assert_eq!(vc.insts.len(), 3);
    }
}
