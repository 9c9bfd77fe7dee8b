//! Functions, blocks, values and instructions: the IR's data structure.
//!
//! Entities are indices into the function's tables (`Block`, `Value`,
//! `Inst`), so the IR is plain data that can be printed, compared and
//! checked without pointers.

use std::fmt;

use super::opcode::Opcode;
use super::types::{FloatCC, IntCC, MemAccess, TrapCode, Type};

macro_rules! entity {
    ($name:ident, $prefix:literal) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

entity!(Block, "block");
entity!(Value, "v");
entity!(Inst, "inst");

/// Parameter and result types of a function or call.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Signature {
    pub params: Vec<Type>,
    pub results: Vec<Type>,
}

/// Where a value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueDef {
    /// The `n`th parameter of a block.
    Param(Block, usize),
    /// The `n`th result of an instruction.
    Result(Inst, usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueData {
    pub ty: Type,
    pub def: ValueDef,
}

/// A branch target with the values passed to its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockCall {
    pub block: Block,
    pub args: Vec<Value>,
}

/// An instruction's immediate operand(s).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Imm {
    None,
    /// `iconst`: the value, sign-extended from the type's width.
    Int(i64),
    /// `fconst`: IEEE bits (f32 in the low 32 bits), so NaN payloads survive.
    FloatBits(u64),
    IntCC(IntCC),
    FloatCC(FloatCC),
    /// `sextend`: the width (8, 16 or 32) whose sign bit is extended.
    ExtendFrom(u8),
    /// `heap_addr`: the static offset and the access size in bytes. The
    /// access is `[index + offset, index + offset + size)`.
    Heap {
        offset: u64,
        size: u8,
    },
    /// `load`/`store`: what is read or written at the (checked) address.
    Access(MemAccess),
    /// `global_get`/`global_set`: the global's index in the module.
    Global(u32),
    /// `call`: the callee's function index and signature.
    Call {
        func: u32,
        sig: Signature,
    },
    /// `call_indirect`: the expected type index, the table and the signature.
    CallIndirect {
        type_index: u32,
        table: u32,
        sig: Signature,
    },
    /// `trap`, `trapnz`.
    Trap(TrapCode),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstData {
    pub opcode: Opcode,
    /// The controlling type: the result type of single-result ops, the
    /// operand type of `store`/`global_set`/`trapnz`; `None` where the op
    /// has no such type (control flow, calls, fuel checks).
    pub ty: Option<Type>,
    pub args: Vec<Value>,
    pub imm: Imm,
    /// Branch targets: `jump` [dest], `brif` [then, else],
    /// `br_table` [default, target 0, target 1, ...].
    pub dests: Vec<BlockCall>,
    pub results: Vec<Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockData {
    pub params: Vec<Value>,
    pub insts: Vec<Inst>,
}

/// A function in SSA form. The entry block's parameters are the function's
/// parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// For printing and error messages, e.g. `func7`.
    pub name: String,
    pub sig: Signature,
    pub entry: Block,
    pub blocks: Vec<BlockData>,
    pub insts: Vec<InstData>,
    pub values: Vec<ValueData>,
}

impl Function {
    pub fn value_type(&self, v: Value) -> Type {
        self.values[v.index()].ty
    }
    pub fn block(&self, b: Block) -> &BlockData {
        &self.blocks[b.index()]
    }
    pub fn inst(&self, i: Inst) -> &InstData {
        &self.insts[i.index()]
    }
    /// Blocks in creation order.
    pub fn block_ids(&self) -> impl Iterator<Item = Block> + use<> {
        (0..self.blocks.len() as u32).map(Block)
    }
    /// The block's last instruction, if it is a terminator.
    pub fn terminator(&self, b: Block) -> Option<&InstData> {
        let last = *self.block(b).insts.last()?;
        let data = self.inst(last);
        data.opcode.is_terminator().then_some(data)
    }
    /// The blocks a block branches to (with repeats, in `dests` order).
    pub fn successors(&self, b: Block) -> Vec<Block> {
        self.terminator(b)
            .map(|t| t.dests.iter().map(|d| d.block).collect())
            .unwrap_or_default()
    }
}
