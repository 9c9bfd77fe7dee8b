//! One function body: Wasm operators -> IR.
//!
//! SSA construction: every Wasm local is an SSA value tracked in `locals`;
//! every block that can be entered from more than one place (a loop header,
//! the block after an `end` that is branched to or joined at) takes *all*
//! locals as block parameters, followed by the label's values, and every
//! branch passes the current value of every local. This is the "naive"
//! construction: correct by construction (no incomplete-phi bookkeeping as
//! in Braun et al.), easy to review next to the Wasm, and the redundant
//! parameters it creates are exactly what a later, separately testable
//! pruning pass removes. Blocks with a single predecessor (`if` arms, the
//! fall-through after `br_if`) take no parameters: the values flowing in
//! dominate them.
//!
//! Traps: integer division/remainder and trapping float-to-int conversions
//! are *trapping opcodes* (`sdiv`, `fcvt_to_sint`, ...), not explicit
//! compare-and-`trapnz` sequences, because x86-64 `div`/`idiv` and the
//! conversion sequences check (part of) the condition themselves; the
//! lowering proves its own check against the opcode's trap spec in
//! `ir.isle`. Memory accesses go through `heap_addr`, which traps
//! `heap_oob` unless `index + offset + size <= memory size`.

use wasmparser::{BlockType, FunctionBody, MemArg, Operator};

use super::TranslateOptions;
use super::control::{Frame, FrameKind};
use super::error::TranslateError;
use super::module_info::{ModuleInfo, ir_type};
use super::operators::{classify, is_supported};
use crate::ir::{
    Block, BlockCall, FloatCC, Function, FunctionBuilder, IntCC, MemAccess, Opcode, Signature,
    TrapCode, Type, Value, ssa, verify_function,
};

/// Where a branch goes: a block, or out of the function.
enum Target {
    Block(Block),
    Return,
}

struct FuncTranslator<'m> {
    module: &'m ModuleInfo,
    opts: &'m TranslateOptions,
    func_index: u32,
    b: FunctionBuilder,
    local_types: Vec<Type>,
    locals: Vec<Value>,
    stack: Vec<Value>,
    control: Vec<Frame>,
    /// Whether the current point can be reached.
    reachable: bool,
    /// Frames opened inside unreachable code (skipped, not translated).
    dead_depth: u32,
    /// Offset of the operator being translated, for errors.
    offset: u64,
}

/// Translates the body of function `func_index`.
pub(crate) fn translate_body(
    module: &ModuleInfo,
    func_index: u32,
    body: &FunctionBody<'_>,
    opts: &TranslateOptions,
) -> Result<Function, TranslateError> {
    let with_func = |mut e: TranslateError| {
        e.func_index = Some(func_index);
        e
    };
    let reader_err = |e| TranslateError::from_reader(Some(func_index), e);
    let sig = module.func_sig(func_index).map_err(with_func)?.clone();
    let mut t = FuncTranslator {
        module,
        opts,
        func_index,
        b: FunctionBuilder::new(format!("func{func_index}"), sig.clone()),
        local_types: sig.params.clone(),
        locals: Vec::new(),
        stack: Vec::new(),
        control: Vec::new(),
        reachable: true,
        dead_depth: 0,
        offset: body.range().start,
    };
    t.locals = t.b.block_params(Block(0)).to_vec();
    let mut locals_reader = body.get_locals_reader().map_err(reader_err)?;
    for _ in 0..locals_reader.get_count() {
        let offset = locals_reader.original_position();
        let (count, ty) = locals_reader.read().map_err(reader_err)?;
        let ty = ir_type(ty, Some(func_index), offset, "local")?;
        for _ in 0..count {
            let zero = if ty.is_int() {
                t.b.iconst(ty, 0)
            } else {
                t.b.fconst(ty, 0)
            };
            t.local_types.push(ty);
            t.locals.push(zero);
        }
    }
    t.emit_checks();
    t.control.push(Frame {
        kind: FrameKind::Function,
        params: Vec::new(),
        results: sig.results.clone(),
        end: None,
        height: 0,
    });
    let mut ops = body.get_operators_reader().map_err(reader_err)?;
    while !ops.eof() {
        t.offset = ops.original_position();
        let op = ops.read().map_err(reader_err)?;
        t.operator(op)?;
    }
    if !t.control.is_empty() {
        return Err(t.invalid("function body ends inside a block"));
    }
    let mut func = t.b.finish();
    ssa::minimize(&mut func);
    verify_function(&func).map_err(|e| {
        TranslateError::invalid(
            Some(func_index),
            body.range().start,
            format!("internal error: translated IR is malformed: {e}"),
        )
    })?;
    Ok(func)
}

impl FuncTranslator<'_> {
    fn invalid(&self, message: impl Into<String>) -> TranslateError {
        TranslateError::invalid(Some(self.func_index), self.offset, message)
    }

    fn unsupported(&self, op: &Operator<'_>) -> TranslateError {
        let (proposal, name) = classify(op);
        TranslateError::unsupported(Some(self.func_index), self.offset, name, proposal)
    }

    fn pop(&mut self) -> Result<Value, TranslateError> {
        self.stack
            .pop()
            .ok_or_else(|| self.invalid("operand stack underflow"))
    }

    fn top(&self) -> Result<Value, TranslateError> {
        self.stack
            .last()
            .copied()
            .ok_or_else(|| self.invalid("operand stack underflow"))
    }

    /// The top `n` operands, first-pushed first (left on the stack).
    fn peek_n(&self, n: usize) -> Result<Vec<Value>, TranslateError> {
        let len = self.stack.len();
        if n > len {
            return Err(self.invalid("operand stack underflow"));
        }
        Ok(self.stack[len - n..].to_vec())
    }

    fn pop_n(&mut self, n: usize) -> Result<Vec<Value>, TranslateError> {
        let vs = self.peek_n(n)?;
        self.stack.truncate(self.stack.len() - n);
        Ok(vs)
    }

    fn emit_checks(&mut self) {
        if self.opts.fuel_checks {
            self.b.check(Opcode::FuelCheck);
        }
        if self.opts.epoch_checks {
            self.b.check(Opcode::EpochCheck);
        }
    }

    fn block_type(&self, bt: BlockType) -> Result<(Vec<Type>, Vec<Type>), TranslateError> {
        match bt {
            BlockType::Empty => Ok((vec![], vec![])),
            BlockType::Type(t) => Ok((
                vec![],
                vec![ir_type(
                    t,
                    Some(self.func_index),
                    self.offset,
                    "block result",
                )?],
            )),
            BlockType::FuncType(i) => {
                let sig = self.module.sig(i).map_err(|mut e| {
                    e.func_index = Some(self.func_index);
                    e
                })?;
                Ok((sig.params.clone(), sig.results.clone()))
            }
        }
    }

    fn frame_index(&self, depth: u32) -> Result<usize, TranslateError> {
        (self.control.len())
            .checked_sub(1 + depth as usize)
            .ok_or_else(|| self.invalid(format!("branch depth {depth} out of range")))
    }

    /// A fresh block with the locals and then `extra` as parameters.
    fn join_block(&mut self, extra: &[Type]) -> Block {
        let block = self.b.create_block();
        for ty in self
            .local_types
            .clone()
            .into_iter()
            .chain(extra.iter().copied())
        {
            self.b.append_block_param(block, ty);
        }
        block
    }

    /// The frame's `end` block, created on first use.
    fn ensure_end(&mut self, idx: usize) -> Block {
        if let Some(end) = self.control[idx].end {
            return end;
        }
        let results = self.control[idx].results.clone();
        let end = self.join_block(&results);
        self.control[idx].end = Some(end);
        end
    }

    /// Where a branch to relative depth `depth` goes, and the values it passes.
    fn branch_target(&mut self, depth: u32) -> Result<(Target, Vec<Value>), TranslateError> {
        let idx = self.frame_index(depth)?;
        let n = self.control[idx].label_types().len();
        let carried = self.peek_n(n)?;
        match self.control[idx].kind {
            FrameKind::Function => Ok((Target::Return, carried)),
            FrameKind::Loop { header } => {
                let mut args = self.locals.clone();
                args.extend(carried);
                Ok((Target::Block(header), args))
            }
            FrameKind::Block | FrameKind::If { .. } => {
                let end = self.ensure_end(idx);
                let mut args = self.locals.clone();
                args.extend(carried);
                Ok((Target::Block(end), args))
            }
        }
    }

    /// Enters `block` (a join block): its parameters become the locals and
    /// the operands above `height`.
    fn enter_join(&mut self, block: Block, height: usize) {
        self.b.switch_to(block);
        let params = self.b.block_params(block).to_vec();
        let nl = self.local_types.len();
        self.locals = params[..nl].to_vec();
        self.stack.truncate(height);
        self.stack.extend_from_slice(&params[nl..]);
        self.reachable = true;
    }

    fn operator(&mut self, op: Operator<'_>) -> Result<(), TranslateError> {
        if !is_supported(&op) {
            // Reported even in dead code: the module needs the operator.
            return Err(self.unsupported(&op));
        }
        if !self.reachable {
            match op {
                Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                    self.dead_depth += 1
                }
                Operator::Else if self.dead_depth == 0 => self.else_()?,
                Operator::End if self.dead_depth > 0 => self.dead_depth -= 1,
                Operator::End => self.end()?,
                _ => {}
            }
            return Ok(());
        }
        self.live_operator(op)
    }

    fn else_(&mut self) -> Result<(), TranslateError> {
        let idx = self
            .control
            .len()
            .checked_sub(1)
            .ok_or_else(|| self.invalid("else outside if"))?;
        if self.reachable {
            let n = self.control[idx].results.len();
            let mut args = self.locals.clone();
            args.extend(self.peek_n(n)?);
            let end = self.ensure_end(idx);
            self.b.jump(end, args);
        }
        let frame = &mut self.control[idx];
        let FrameKind::If {
            else_block,
            else_locals,
            else_params,
        } = &mut frame.kind
        else {
            return Err(self.invalid("else outside if"));
        };
        let Some(else_b) = else_block.take() else {
            return Err(self.invalid("second else"));
        };
        let locals = else_locals.clone();
        let params = else_params.clone();
        let height = frame.height;
        self.b.switch_to(else_b);
        self.locals = locals;
        self.stack.truncate(height);
        self.stack.extend(params);
        self.reachable = true;
        Ok(())
    }

    fn end(&mut self) -> Result<(), TranslateError> {
        let idx = self
            .control
            .len()
            .checked_sub(1)
            .ok_or_else(|| self.invalid("unbalanced end"))?;
        let n = self.control[idx].results.len();
        if let FrameKind::Function = self.control[idx].kind {
            if self.reachable {
                let values = self.peek_n(n)?;
                self.b.ret(values);
            }
            self.control.pop();
            self.reachable = false;
            return Ok(());
        }
        let pending_else = match &self.control[idx].kind {
            FrameKind::If {
                else_block: Some(b),
                else_locals,
                else_params,
            } => Some((*b, else_locals.clone(), else_params.clone())),
            _ => None,
        };
        let height = self.control[idx].height;
        if self.control[idx].end.is_none() && pending_else.is_none() {
            // Nothing branches here: only the fall-through (if any) arrives,
            // so translation simply continues in the current block.
            self.control.pop();
            if !self.reachable {
                self.stack.truncate(height);
            }
            return Ok(());
        }
        let end = self.ensure_end(idx);
        if self.reachable {
            let mut args = self.locals.clone();
            args.extend(self.peek_n(n)?);
            self.b.jump(end, args);
        }
        if let Some((else_b, mut args, params)) = pending_else {
            // `if` without `else`: the false path passes the parameters on
            // as the results.
            self.b.switch_to(else_b);
            args.extend(params);
            self.b.jump(end, args);
        }
        self.control.pop();
        self.enter_join(end, height);
        Ok(())
    }

    fn unary(&mut self, opcode: Opcode) -> Result<(), TranslateError> {
        let x = self.pop()?;
        let v = self.b.unary(opcode, x);
        self.stack.push(v);
        Ok(())
    }

    fn binary(&mut self, opcode: Opcode) -> Result<(), TranslateError> {
        let y = self.pop()?;
        let x = self.pop()?;
        let v = self.b.binary(opcode, x, y);
        self.stack.push(v);
        Ok(())
    }

    fn icmp(&mut self, cc: IntCC) -> Result<(), TranslateError> {
        let y = self.pop()?;
        let x = self.pop()?;
        let v = self.b.icmp(cc, x, y);
        self.stack.push(v);
        Ok(())
    }

    fn fcmp(&mut self, cc: FloatCC) -> Result<(), TranslateError> {
        let y = self.pop()?;
        let x = self.pop()?;
        let v = self.b.fcmp(cc, x, y);
        self.stack.push(v);
        Ok(())
    }

    fn eqz(&mut self) -> Result<(), TranslateError> {
        let x = self.pop()?;
        let ty = self.b.value_type(x);
        let zero = self.b.iconst(ty, 0);
        let v = self.b.icmp(IntCC::Eq, x, zero);
        self.stack.push(v);
        Ok(())
    }

    fn convert(&mut self, opcode: Opcode, to: Type) -> Result<(), TranslateError> {
        let x = self.pop()?;
        let v = self.b.convert(opcode, to, x);
        self.stack.push(v);
        Ok(())
    }

    fn sextend(&mut self, to: Type, from_bits: u8) -> Result<(), TranslateError> {
        let x = self.pop()?;
        let v = self.b.sextend(to, from_bits, x);
        self.stack.push(v);
        Ok(())
    }

    fn check_memory(&self, memarg: &MemArg) -> Result<(), TranslateError> {
        match memarg.target {
            wasmparser::MemArgTarget::Memory(0) => {}
            wasmparser::MemArgTarget::Memory(m) => {
                return Err(TranslateError::unsupported(
                    Some(self.func_index),
                    self.offset,
                    format!("access to memory {m}"),
                    "multi_memory",
                ));
            }
            wasmparser::MemArgTarget::Array(_) => {
                return Err(TranslateError::unsupported(
                    Some(self.func_index),
                    self.offset,
                    "array access",
                    "gc",
                ));
            }
        }
        if self.module.memory.is_none() {
            return Err(self.invalid("memory access without a memory"));
        }
        Ok(())
    }

    fn load(
        &mut self,
        ty: Type,
        bytes: u8,
        signed: bool,
        memarg: MemArg,
    ) -> Result<(), TranslateError> {
        self.check_memory(&memarg)?;
        let index = self.pop()?;
        let addr = self.b.heap_addr(index, memarg.offset, bytes);
        // A float load is a load at the float type (its bytes are its bits),
        // which the rules put straight into an XMM register.
        let v = self.b.load(ty, MemAccess { bytes, signed }, addr);
        self.stack.push(v);
        Ok(())
    }

    fn store(&mut self, bytes: u8, memarg: MemArg) -> Result<(), TranslateError> {
        self.check_memory(&memarg)?;
        let value = self.pop()?;
        let index = self.pop()?;
        let addr = self.b.heap_addr(index, memarg.offset, bytes);
        // A float is stored at its type, straight from its XMM register.
        self.b.store(
            MemAccess {
                bytes,
                signed: false,
            },
            addr,
            value,
        );
        Ok(())
    }

    fn local(&self, index: u32) -> Result<usize, TranslateError> {
        let i = index as usize;
        if i < self.locals.len() {
            Ok(i)
        } else {
            Err(self.invalid(format!("local {index} out of range")))
        }
    }

    fn call_sig(&self, type_index: u32) -> Result<Signature, TranslateError> {
        self.module.sig(type_index).cloned().map_err(|mut e| {
            e.func_index = Some(self.func_index);
            e.offset = self.offset;
            e
        })
    }

    fn live_operator(&mut self, op: Operator<'_>) -> Result<(), TranslateError> {
        use Opcode as O;
        use Operator::*;
        use Type::{F32, F64, I32, I64};
        match op {
            // ---- control ----
            Nop => {}
            Unreachable => {
                self.b.trap(TrapCode::Unreachable);
                self.reachable = false;
            }
            Block { blockty } => {
                let (params, results) = self.block_type(blockty)?;
                let height = self
                    .stack
                    .len()
                    .checked_sub(params.len())
                    .ok_or_else(|| self.invalid("operand stack underflow"))?;
                self.control.push(Frame {
                    kind: FrameKind::Block,
                    params,
                    results,
                    end: None,
                    height,
                });
            }
            Loop { blockty } => {
                let (params, results) = self.block_type(blockty)?;
                let carried = self.pop_n(params.len())?;
                let height = self.stack.len();
                let header = self.join_block(&params);
                let mut args = self.locals.clone();
                args.extend(carried);
                self.b.jump(header, args);
                self.enter_join(header, height);
                self.emit_checks();
                self.control.push(Frame {
                    kind: FrameKind::Loop { header },
                    params,
                    results,
                    end: None,
                    height,
                });
            }
            If { blockty } => {
                let (params, results) = self.block_type(blockty)?;
                let cond = self.pop()?;
                let else_params = self.peek_n(params.len())?;
                let height = self.stack.len() - params.len();
                let then_b = self.b.create_block();
                let else_b = self.b.create_block();
                self.b.brif(
                    cond,
                    BlockCall {
                        block: then_b,
                        args: vec![],
                    },
                    BlockCall {
                        block: else_b,
                        args: vec![],
                    },
                );
                self.control.push(Frame {
                    kind: FrameKind::If {
                        else_block: Some(else_b),
                        else_locals: self.locals.clone(),
                        else_params,
                    },
                    params,
                    results,
                    end: None,
                    height,
                });
                self.b.switch_to(then_b);
            }
            Else => self.else_()?,
            End => self.end()?,
            Br { relative_depth } => {
                match self.branch_target(relative_depth)? {
                    (Target::Return, values) => self.b.ret(values),
                    (Target::Block(block), args) => self.b.jump(block, args),
                }
                self.reachable = false;
            }
            BrIf { relative_depth } => {
                let cond = self.pop()?;
                let (target, args) = self.branch_target(relative_depth)?;
                let next = self.b.create_block();
                let next_call = BlockCall {
                    block: next,
                    args: vec![],
                };
                match target {
                    Target::Block(block) => {
                        self.b.brif(cond, BlockCall { block, args }, next_call);
                    }
                    Target::Return => {
                        let ret = self.b.create_block();
                        self.b.brif(
                            cond,
                            BlockCall {
                                block: ret,
                                args: vec![],
                            },
                            next_call,
                        );
                        self.b.switch_to(ret);
                        self.b.ret(args);
                    }
                }
                self.b.switch_to(next);
            }
            BrTable { targets } => {
                let index = self.pop()?;
                let mut ret_block: Option<(crate::ir::Block, Vec<Value>)> = None;
                let mut call_for =
                    |this: &mut Self, depth: u32| -> Result<BlockCall, TranslateError> {
                        Ok(match this.branch_target(depth)? {
                            (Target::Block(block), args) => BlockCall { block, args },
                            (Target::Return, values) => {
                                let block = match &ret_block {
                                    Some((b, _)) => *b,
                                    None => {
                                        let b = this.b.create_block();
                                        ret_block = Some((b, values));
                                        b
                                    }
                                };
                                BlockCall {
                                    block,
                                    args: vec![],
                                }
                            }
                        })
                    };
                let mut calls = Vec::new();
                for depth in targets.targets() {
                    let depth =
                        depth.map_err(|e| TranslateError::from_reader(Some(self.func_index), e))?;
                    calls.push(call_for(self, depth)?);
                }
                let default = call_for(self, targets.default())?;
                self.b.br_table(index, default, calls);
                if let Some((block, values)) = ret_block {
                    self.b.switch_to(block);
                    self.b.ret(values);
                }
                self.reachable = false;
            }
            Return => {
                let n = self.b.func().sig.results.len();
                let values = self.peek_n(n)?;
                self.b.ret(values);
                self.reachable = false;
            }
            Call { function_index } => {
                let sig = self
                    .module
                    .func_sig(function_index)
                    .cloned()
                    .map_err(|mut e| {
                        e.func_index = Some(self.func_index);
                        e.offset = self.offset;
                        e
                    })?;
                let args = self.pop_n(sig.params.len())?;
                let results = self.b.call(function_index, sig, args);
                self.stack.extend(results);
            }
            CallIndirect {
                type_index,
                table_index,
            } => {
                let sig = self.call_sig(type_index)?;
                let callee = self.pop()?;
                let args = self.pop_n(sig.params.len())?;
                let results = self
                    .b
                    .call_indirect(type_index, table_index, sig, args, callee);
                self.stack.extend(results);
            }
            // ---- parametric ----
            Drop => {
                self.pop()?;
            }
            Select | TypedSelect { .. } => {
                let c = self.pop()?;
                let y = self.pop()?;
                let x = self.pop()?;
                let v = self.b.select(c, x, y);
                self.stack.push(v);
            }
            // ---- variables ----
            LocalGet { local_index } => {
                let i = self.local(local_index)?;
                self.stack.push(self.locals[i]);
            }
            LocalSet { local_index } => {
                let i = self.local(local_index)?;
                self.locals[i] = self.pop()?;
            }
            LocalTee { local_index } => {
                let i = self.local(local_index)?;
                self.locals[i] = self.top()?;
            }
            GlobalGet { global_index } => {
                let g = self
                    .module
                    .globals
                    .get(global_index as usize)
                    .ok_or_else(|| self.invalid(format!("global {global_index} out of range")))?;
                let v = self.b.global_get(g.ty, global_index);
                self.stack.push(v);
            }
            GlobalSet { global_index } => {
                let v = self.pop()?;
                self.b.global_set(global_index, v);
            }
            // ---- memory ----
            I32Load { memarg } => self.load(I32, 4, false, memarg)?,
            I64Load { memarg } => self.load(I64, 8, false, memarg)?,
            F32Load { memarg } => self.load(F32, 4, false, memarg)?,
            F64Load { memarg } => self.load(F64, 8, false, memarg)?,
            I32Load8S { memarg } => self.load(I32, 1, true, memarg)?,
            I32Load8U { memarg } => self.load(I32, 1, false, memarg)?,
            I32Load16S { memarg } => self.load(I32, 2, true, memarg)?,
            I32Load16U { memarg } => self.load(I32, 2, false, memarg)?,
            I64Load8S { memarg } => self.load(I64, 1, true, memarg)?,
            I64Load8U { memarg } => self.load(I64, 1, false, memarg)?,
            I64Load16S { memarg } => self.load(I64, 2, true, memarg)?,
            I64Load16U { memarg } => self.load(I64, 2, false, memarg)?,
            I64Load32S { memarg } => self.load(I64, 4, true, memarg)?,
            I64Load32U { memarg } => self.load(I64, 4, false, memarg)?,
            I32Store { memarg } | F32Store { memarg } | I64Store32 { memarg } => {
                self.store(4, memarg)?
            }
            I64Store { memarg } | F64Store { memarg } => self.store(8, memarg)?,
            I32Store8 { memarg } | I64Store8 { memarg } => self.store(1, memarg)?,
            I32Store16 { memarg } | I64Store16 { memarg } => self.store(2, memarg)?,
            MemorySize { mem } | MemoryGrow { mem } if mem != 0 => {
                return Err(TranslateError::unsupported(
                    Some(self.func_index),
                    self.offset,
                    format!("memory {mem}"),
                    "multi_memory",
                ));
            }
            MemorySize { .. } => {
                let v = self.b.memory_size();
                self.stack.push(v);
            }
            MemoryGrow { .. } => {
                let delta = self.pop()?;
                let v = self.b.memory_grow(delta);
                self.stack.push(v);
            }
            // ---- constants ----
            I32Const { value } => {
                let v = self.b.iconst(I32, i64::from(value));
                self.stack.push(v);
            }
            I64Const { value } => {
                let v = self.b.iconst(I64, value);
                self.stack.push(v);
            }
            F32Const { value } => {
                let v = self.b.fconst(F32, u64::from(value.bits()));
                self.stack.push(v);
            }
            F64Const { value } => {
                let v = self.b.fconst(F64, value.bits());
                self.stack.push(v);
            }
            // ---- integer tests and comparisons ----
            I32Eqz | I64Eqz => self.eqz()?,
            I32Eq | I64Eq => self.icmp(IntCC::Eq)?,
            I32Ne | I64Ne => self.icmp(IntCC::Ne)?,
            I32LtS | I64LtS => self.icmp(IntCC::Slt)?,
            I32LtU | I64LtU => self.icmp(IntCC::Ult)?,
            I32GtS | I64GtS => self.icmp(IntCC::Sgt)?,
            I32GtU | I64GtU => self.icmp(IntCC::Ugt)?,
            I32LeS | I64LeS => self.icmp(IntCC::Sle)?,
            I32LeU | I64LeU => self.icmp(IntCC::Ule)?,
            I32GeS | I64GeS => self.icmp(IntCC::Sge)?,
            I32GeU | I64GeU => self.icmp(IntCC::Uge)?,
            // ---- float comparisons ----
            F32Eq | F64Eq => self.fcmp(FloatCC::Eq)?,
            F32Ne | F64Ne => self.fcmp(FloatCC::Ne)?,
            F32Lt | F64Lt => self.fcmp(FloatCC::Lt)?,
            F32Gt | F64Gt => self.fcmp(FloatCC::Gt)?,
            F32Le | F64Le => self.fcmp(FloatCC::Le)?,
            F32Ge | F64Ge => self.fcmp(FloatCC::Ge)?,
            // ---- integer arithmetic ----
            I32Clz | I64Clz => self.unary(O::Clz)?,
            I32Ctz | I64Ctz => self.unary(O::Ctz)?,
            I32Popcnt | I64Popcnt => self.unary(O::Popcnt)?,
            I32Add | I64Add => self.binary(O::Iadd)?,
            I32Sub | I64Sub => self.binary(O::Isub)?,
            I32Mul | I64Mul => self.binary(O::Imul)?,
            I32DivS | I64DivS => self.binary(O::Sdiv)?,
            I32DivU | I64DivU => self.binary(O::Udiv)?,
            I32RemS | I64RemS => self.binary(O::Srem)?,
            I32RemU | I64RemU => self.binary(O::Urem)?,
            I32And | I64And => self.binary(O::Band)?,
            I32Or | I64Or => self.binary(O::Bor)?,
            I32Xor | I64Xor => self.binary(O::Bxor)?,
            I32Shl | I64Shl => self.binary(O::Ishl)?,
            I32ShrS | I64ShrS => self.binary(O::Sshr)?,
            I32ShrU | I64ShrU => self.binary(O::Ushr)?,
            I32Rotl | I64Rotl => self.binary(O::Rotl)?,
            I32Rotr | I64Rotr => self.binary(O::Rotr)?,
            // ---- float arithmetic ----
            F32Abs | F64Abs => self.unary(O::Fabs)?,
            F32Neg | F64Neg => self.unary(O::Fneg)?,
            F32Ceil | F64Ceil => self.unary(O::Ceil)?,
            F32Floor | F64Floor => self.unary(O::Floor)?,
            F32Trunc | F64Trunc => self.unary(O::Trunc)?,
            F32Nearest | F64Nearest => self.unary(O::Nearest)?,
            F32Sqrt | F64Sqrt => self.unary(O::Sqrt)?,
            F32Add | F64Add => self.binary(O::Fadd)?,
            F32Sub | F64Sub => self.binary(O::Fsub)?,
            F32Mul | F64Mul => self.binary(O::Fmul)?,
            F32Div | F64Div => self.binary(O::Fdiv)?,
            F32Min | F64Min => self.binary(O::Fmin)?,
            F32Max | F64Max => self.binary(O::Fmax)?,
            F32Copysign | F64Copysign => self.binary(O::Fcopysign)?,
            // ---- conversions ----
            I32WrapI64 => self.convert(O::Ireduce, I32)?,
            I64ExtendI32U => self.convert(O::Uextend, I64)?,
            I64ExtendI32S => self.sextend(I64, 32)?,
            I32Extend8S => self.sextend(I32, 8)?,
            I32Extend16S => self.sextend(I32, 16)?,
            I64Extend8S => self.sextend(I64, 8)?,
            I64Extend16S => self.sextend(I64, 16)?,
            I64Extend32S => self.sextend(I64, 32)?,
            I32TruncF32S | I32TruncF64S => self.convert(O::FcvtToSint, I32)?,
            I32TruncF32U | I32TruncF64U => self.convert(O::FcvtToUint, I32)?,
            I64TruncF32S | I64TruncF64S => self.convert(O::FcvtToSint, I64)?,
            I64TruncF32U | I64TruncF64U => self.convert(O::FcvtToUint, I64)?,
            I32TruncSatF32S | I32TruncSatF64S => self.convert(O::FcvtToSintSat, I32)?,
            I32TruncSatF32U | I32TruncSatF64U => self.convert(O::FcvtToUintSat, I32)?,
            I64TruncSatF32S | I64TruncSatF64S => self.convert(O::FcvtToSintSat, I64)?,
            I64TruncSatF32U | I64TruncSatF64U => self.convert(O::FcvtToUintSat, I64)?,
            F32ConvertI32S | F32ConvertI64S => self.convert(O::FcvtFromSint, F32)?,
            F32ConvertI32U | F32ConvertI64U => self.convert(O::FcvtFromUint, F32)?,
            F64ConvertI32S | F64ConvertI64S => self.convert(O::FcvtFromSint, F64)?,
            F64ConvertI32U | F64ConvertI64U => self.convert(O::FcvtFromUint, F64)?,
            F32DemoteF64 => self.convert(O::Fdemote, F32)?,
            F64PromoteF32 => self.convert(O::Fpromote, F64)?,
            I32ReinterpretF32 => self.convert(O::Bitcast, I32)?,
            I64ReinterpretF64 => self.convert(O::Bitcast, I64)?,
            F32ReinterpretI32 => self.convert(O::Bitcast, F32)?,
            F64ReinterpretI64 => self.convert(O::Bitcast, F64)?,
            other => return Err(self.unsupported(&other)),
        }
        Ok(())
    }
}
