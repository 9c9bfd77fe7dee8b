//! Pre-decoding of validated function bodies and constant expressions into
//! the forms execution runs ([`Instr`], [`ConstExpr`]).
//!
//! Only ever called after wasmparser validated the whole module with the
//! Wasm 2.0 feature set, so control instructions are properly nested and all
//! indices are in range; what validation does not rule out is reported as an
//! error, never a panic.

use wasmparser::{BlockType, FunctionBody, Operator};

use crate::convert::{heap_type, val_type};
use crate::instr::{FuncBody, Instr, LoadOp, StoreOp};
use crate::numerics::NumOp;
use crate::types::{FuncType, HeapType};
use crate::value::Value;

/// A decoding failure: what, and at which byte offset.
pub(crate) struct DecodeError {
    pub offset: u64,
    pub message: String,
}

fn err(offset: u64, message: impl Into<String>) -> DecodeError {
    DecodeError {
        offset,
        message: message.into(),
    }
}

impl From<wasmparser::BinaryReaderError> for DecodeError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        err(e.offset(), e.message())
    }
}

/// One instruction of a constant expression (spec §3.3.10: Wasm 2.0 allows
/// constants, `ref.null`, `ref.func` and `global.get` of imported globals).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ConstInstr {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    RefNull(HeapType),
    RefFunc(u32),
    GlobalGet(u32),
}

/// A constant expression: instructions run on an empty stack, leaving one value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ConstExpr(pub Vec<ConstInstr>);

pub(crate) fn const_expr(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, DecodeError> {
    let mut reader = expr.get_operators_reader();
    let mut out = Vec::new();
    while !reader.eof() {
        let offset = reader.original_position();
        let instr = match reader.read()? {
            Operator::I32Const { value } => ConstInstr::I32(value),
            Operator::I64Const { value } => ConstInstr::I64(value),
            Operator::F32Const { value } => ConstInstr::F32(value.bits()),
            Operator::F64Const { value } => ConstInstr::F64(value.bits()),
            Operator::RefNull { hty } => ConstInstr::RefNull(heap_type(hty)),
            Operator::RefFunc { function_index } => ConstInstr::RefFunc(function_index),
            Operator::GlobalGet { global_index } => ConstInstr::GlobalGet(global_index),
            Operator::End => break,
            other => {
                return Err(err(
                    offset,
                    format!("unsupported constant instruction {other:?}"),
                ));
            }
        };
        out.push(instr);
    }
    Ok(ConstExpr(out))
}

/// A block type's (params, results) counts (spec §3.2.2 "block types").
fn block_arity(ty: BlockType, types: &[FuncType], offset: u64) -> Result<(u32, u32), DecodeError> {
    match ty {
        BlockType::Empty => Ok((0, 0)),
        BlockType::Type(_) => Ok((0, 1)),
        BlockType::FuncType(idx) => types
            .get(idx as usize)
            .map(|f| (f.params.len() as u32, f.results.len() as u32))
            .ok_or_else(|| err(offset, format!("unknown block type {idx}"))),
    }
}

/// An open block while decoding: where its instruction sits, and its `else`.
struct OpenBlock {
    start: usize,
    else_at: Option<usize>,
}

pub(crate) fn func_body(
    body: &FunctionBody<'_>,
    types: &[FuncType],
) -> Result<FuncBody, DecodeError> {
    let mut locals = Vec::new();
    for local in body.get_locals_reader()? {
        let (count, ty) = local?;
        let ty = val_type(ty);
        // Wasm 2.0 locals are all defaultable (non-null references are 3.0).
        let init = Value::default_for(ty).ok_or_else(|| {
            err(
                body.range().start,
                format!("non-defaultable local of type {ty:?}"),
            )
        })?;
        locals.extend(std::iter::repeat_n(init, count as usize));
    }

    let mut instrs: Vec<Instr> = Vec::new();
    let mut br_tables = Vec::new();
    let mut open: Vec<OpenBlock> = Vec::new();
    let mut reader = body.get_operators_reader()?;
    while !reader.eof() {
        let offset = reader.original_position();
        let op = reader.read()?;
        let pc = instrs.len();
        let instr = match op {
            Operator::Unreachable => Instr::Unreachable,
            Operator::Nop => Instr::Nop,
            Operator::Block { blockty } => {
                let (params, results) = block_arity(blockty, types, offset)?;
                open.push(OpenBlock {
                    start: pc,
                    else_at: None,
                });
                Instr::Block {
                    params,
                    results,
                    end: 0,
                }
            }
            Operator::Loop { blockty } => {
                let (params, _) = block_arity(blockty, types, offset)?;
                open.push(OpenBlock {
                    start: pc,
                    else_at: None,
                });
                Instr::Loop { params }
            }
            Operator::If { blockty } => {
                let (params, results) = block_arity(blockty, types, offset)?;
                open.push(OpenBlock {
                    start: pc,
                    else_at: None,
                });
                Instr::If {
                    params,
                    results,
                    else_: 0,
                    end: 0,
                }
            }
            Operator::Else => {
                let block = open
                    .last_mut()
                    .ok_or_else(|| err(offset, "else outside if"))?;
                block.else_at = Some(pc);
                Instr::Else { end: 0 }
            }
            Operator::End => match open.pop() {
                // The function body's own `end` returns (spec §4.4.10.2).
                None => Instr::Return,
                Some(block) => {
                    let after_end =
                        u32::try_from(pc + 1).map_err(|_| err(offset, "body too long"))?;
                    patch_block(&mut instrs, &block, pc as u32, after_end);
                    Instr::End
                }
            },
            Operator::Br { relative_depth } => Instr::Br(relative_depth),
            Operator::BrIf { relative_depth } => Instr::BrIf(relative_depth),
            Operator::BrTable { targets } => {
                let start = br_tables.len() as u32;
                for t in targets.targets() {
                    br_tables.push(t?);
                }
                let len = br_tables.len() as u32 - start;
                br_tables.push(targets.default());
                Instr::BrTable { start, len }
            }
            Operator::Return => Instr::Return,
            Operator::Call { function_index } => Instr::Call(function_index),
            Operator::CallIndirect {
                type_index,
                table_index,
            } => Instr::CallIndirect {
                type_index,
                table: table_index,
            },
            Operator::Drop => Instr::Drop,
            Operator::Select | Operator::TypedSelect { .. } => Instr::Select,
            Operator::LocalGet { local_index } => Instr::LocalGet(local_index),
            Operator::LocalSet { local_index } => Instr::LocalSet(local_index),
            Operator::LocalTee { local_index } => Instr::LocalTee(local_index),
            Operator::GlobalGet { global_index } => Instr::GlobalGet(global_index),
            Operator::GlobalSet { global_index } => Instr::GlobalSet(global_index),
            Operator::TableGet { table } => Instr::TableGet(table),
            Operator::TableSet { table } => Instr::TableSet(table),
            Operator::TableSize { table } => Instr::TableSize(table),
            Operator::TableGrow { table } => Instr::TableGrow(table),
            Operator::TableFill { table } => Instr::TableFill(table),
            Operator::TableCopy {
                dst_table,
                src_table,
            } => Instr::TableCopy {
                dst: dst_table,
                src: src_table,
            },
            Operator::TableInit { elem_index, table } => Instr::TableInit {
                table,
                elem: elem_index,
            },
            Operator::ElemDrop { elem_index } => Instr::ElemDrop(elem_index),
            Operator::I32Load { memarg } => load(LoadOp::I32, memarg),
            Operator::I64Load { memarg } => load(LoadOp::I64, memarg),
            Operator::F32Load { memarg } => load(LoadOp::F32, memarg),
            Operator::F64Load { memarg } => load(LoadOp::F64, memarg),
            Operator::I32Load8S { memarg } => load(LoadOp::I32From8S, memarg),
            Operator::I32Load8U { memarg } => load(LoadOp::I32From8U, memarg),
            Operator::I32Load16S { memarg } => load(LoadOp::I32From16S, memarg),
            Operator::I32Load16U { memarg } => load(LoadOp::I32From16U, memarg),
            Operator::I64Load8S { memarg } => load(LoadOp::I64From8S, memarg),
            Operator::I64Load8U { memarg } => load(LoadOp::I64From8U, memarg),
            Operator::I64Load16S { memarg } => load(LoadOp::I64From16S, memarg),
            Operator::I64Load16U { memarg } => load(LoadOp::I64From16U, memarg),
            Operator::I64Load32S { memarg } => load(LoadOp::I64From32S, memarg),
            Operator::I64Load32U { memarg } => load(LoadOp::I64From32U, memarg),
            Operator::I32Store { memarg } => store(StoreOp::I32, memarg),
            Operator::I64Store { memarg } => store(StoreOp::I64, memarg),
            Operator::F32Store { memarg } => store(StoreOp::F32, memarg),
            Operator::F64Store { memarg } => store(StoreOp::F64, memarg),
            Operator::I32Store8 { memarg } => store(StoreOp::I32To8, memarg),
            Operator::I32Store16 { memarg } => store(StoreOp::I32To16, memarg),
            Operator::I64Store8 { memarg } => store(StoreOp::I64To8, memarg),
            Operator::I64Store16 { memarg } => store(StoreOp::I64To16, memarg),
            Operator::I64Store32 { memarg } => store(StoreOp::I64To32, memarg),
            Operator::MemorySize { .. } => Instr::MemorySize,
            Operator::MemoryGrow { .. } => Instr::MemoryGrow,
            Operator::MemoryFill { .. } => Instr::MemoryFill,
            Operator::MemoryCopy { .. } => Instr::MemoryCopy,
            Operator::MemoryInit { data_index, .. } => Instr::MemoryInit(data_index),
            Operator::DataDrop { data_index } => Instr::DataDrop(data_index),
            Operator::I32Const { value } => Instr::I32Const(value),
            Operator::I64Const { value } => Instr::I64Const(value),
            Operator::F32Const { value } => Instr::F32Const(value.bits()),
            Operator::F64Const { value } => Instr::F64Const(value.bits()),
            Operator::RefNull { hty } => Instr::RefNull(heap_type(hty)),
            Operator::RefIsNull => Instr::RefIsNull,
            Operator::RefFunc { function_index } => Instr::RefFunc(function_index),
            other => match NumOp::from_operator(&other) {
                Some(num) => Instr::Num(num),
                None => return Err(err(offset, format!("unsupported instruction {other:?}"))),
            },
        };
        instrs.push(instr);
    }
    if instrs.last() != Some(&Instr::Return) || !open.is_empty() {
        return Err(err(body.range().end, "function body does not end properly"));
    }
    Ok(FuncBody {
        locals,
        instrs,
        br_tables,
    })
}

/// At a block's `end` (at `end_pc`), fills in the continuations of its
/// opening instruction and of its `else`.
fn patch_block(instrs: &mut [Instr], block: &OpenBlock, end_pc: u32, after_end: u32) {
    if let Some(at) = block.else_at
        && let Some(Instr::Else { end }) = instrs.get_mut(at)
    {
        *end = after_end;
    }
    match instrs.get_mut(block.start) {
        Some(Instr::Block { end, .. }) => *end = after_end,
        Some(Instr::If { else_, end, .. }) => {
            *end = after_end;
            // Without an else-arm a false condition goes to the `end`, which
            // pops the label like falling off the (empty) else-arm would.
            *else_ = block.else_at.map_or(end_pc, |at| at as u32 + 1);
        }
        _ => {} // a loop's label continues at the loop itself: nothing to patch
    }
}

fn load(op: LoadOp, memarg: wasmparser::MemArg) -> Instr {
    Instr::Load {
        op,
        offset: memarg.offset,
    }
}

fn store(op: StoreOp, memarg: wasmparser::MemArg) -> Instr {
    Instr::Store {
        op,
        offset: memarg.offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(wat: &str) -> FuncBody {
        let bytes = wat::parse_str(wat).unwrap();
        for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
            if let wasmparser::Payload::CodeSectionEntry(body) = payload.unwrap() {
                return func_body(&body, &[]).ok().unwrap();
            }
        }
        panic!("no function body");
    }

    #[test]
    fn continuations_are_resolved() {
        let body = decode(
            "(module (func (param i32)
               (block (br 0))
               (if (local.get 0) (then nop) (else nop))
               (if (local.get 0) (then nop))
               (loop (br 0))))",
        );
        use Instr::*;
        assert_eq!(
            body.instrs,
            [
                Block {
                    params: 0,
                    results: 0,
                    end: 3
                },
                Br(0),
                End,
                LocalGet(0),
                // false: just past `else` (7); done: just past `end` (9).
                If {
                    params: 0,
                    results: 0,
                    else_: 7,
                    end: 9
                },
                Nop,
                Else { end: 9 },
                Nop,
                End,
                LocalGet(0),
                // No else-arm: false goes to the `end` itself, which pops the label.
                If {
                    params: 0,
                    results: 0,
                    else_: 12,
                    end: 13
                },
                Nop,
                End,
                Loop { params: 0 },
                Br(0),
                End,
                Return,
            ]
        );
    }
}
