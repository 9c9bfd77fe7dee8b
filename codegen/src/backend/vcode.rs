//! Machine code with virtual registers: what the lowering produces and
//! regalloc2 allocates. Instructions are either an [`x64::Inst`] from the
//! rules (its register fields filled in after allocation, see
//! `operands.rs`) or a piece of hand-written glue (control flow, ABI,
//! runtime access), emitted by `emit.rs`.

use regalloc2::{Block, Inst as RInst, InstRange, Operand, PRegSet, RegClass, VReg};

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
    /// Branch on `cond != 0` (operand 0): successor 0 if so, else 1.
    Brif {
        wide: bool,
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
