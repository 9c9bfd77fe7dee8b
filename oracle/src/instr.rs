//! The pre-decoded instruction form that execution runs: one flat vector per
//! function body, with every block's continuation resolved once at decode
//! time (spec §4.4.8: the label a block pushes knows where it continues).

use crate::numerics::NumOp;
use crate::types::HeapType;
use crate::value::Value;

/// One instruction. Program counters (`end`, `else_`) index the function's
/// instruction vector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Instr {
    // ---- control (§4.4.8) ----
    Unreachable,
    Nop,
    /// `block`: pushes a label of arity `results` continuing at `end` (just
    /// past the matching `end` instruction).
    Block {
        params: u32,
        results: u32,
        end: u32,
    },
    /// `loop`: pushes a label of arity `params` continuing at this `loop`
    /// instruction itself, so a branch re-enters it (and re-checks the epoch).
    Loop {
        params: u32,
    },
    /// `if`: like `block`; when the condition is zero, continues at `else_`
    /// (just past `else`, or at the `end` when there is no else-arm).
    If {
        params: u32,
        results: u32,
        else_: u32,
        end: u32,
    },
    /// `else`, reached by falling off the then-arm: exits the `if` like `end`.
    Else {
        end: u32,
    },
    /// `end` of a block, loop or if (the function's final `end` is `Return`).
    End,
    Br(u32),
    BrIf(u32),
    /// `br_table`: labels are `br_tables[start..start + len]`, then the default.
    BrTable {
        start: u32,
        len: u32,
    },
    Return,
    Call(u32),
    CallIndirect {
        type_index: u32,
        table: u32,
    },
    // ---- parametric (§4.4.4) ----
    Drop,
    /// `select` and typed `select t` behave the same at run time.
    Select,
    // ---- variables (§4.4.5) ----
    LocalGet(u32),
    LocalSet(u32),
    LocalTee(u32),
    GlobalGet(u32),
    GlobalSet(u32),
    // ---- tables (§4.4.6) ----
    TableGet(u32),
    TableSet(u32),
    TableSize(u32),
    TableGrow(u32),
    TableFill(u32),
    TableCopy {
        dst: u32,
        src: u32,
    },
    TableInit {
        table: u32,
        elem: u32,
    },
    ElemDrop(u32),
    // ---- memory (§4.4.7); Wasm 2.0 has only memory 0 ----
    Load {
        op: LoadOp,
        offset: u64,
    },
    Store {
        op: StoreOp,
        offset: u64,
    },
    MemorySize,
    MemoryGrow,
    MemoryFill,
    MemoryCopy,
    MemoryInit(u32),
    DataDrop(u32),
    // ---- constants and references (§4.4.1, §4.4.2) ----
    I32Const(i32),
    I64Const(i64),
    F32Const(u32),
    F64Const(u64),
    RefNull(HeapType),
    RefIsNull,
    RefFunc(u32),
    // ---- everything numeric (§4.4.1, §4.3) ----
    Num(NumOp),
}

/// `t.load` and `t.loadN_sx` (spec §4.4.7): how many bytes, and how they
/// become a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoadOp {
    I32,
    I64,
    F32,
    F64,
    I32From8S,
    I32From8U,
    I32From16S,
    I32From16U,
    I64From8S,
    I64From8U,
    I64From16S,
    I64From16U,
    I64From32S,
    I64From32U,
}

/// `t.store` and `t.storeN` (spec §4.4.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StoreOp {
    I32,
    I64,
    F32,
    F64,
    I32To8,
    I32To16,
    I64To8,
    I64To16,
    I64To32,
}

/// A decoded function body.
#[derive(Debug)]
pub(crate) struct FuncBody {
    /// The declared locals after the parameters, at their initial
    /// (default) values (spec §4.4.10.1).
    pub locals: Vec<Value>,
    pub instrs: Vec<Instr>,
    /// Label depths of all `br_table`s, see [`Instr::BrTable`].
    pub br_tables: Vec<u32>,
}
