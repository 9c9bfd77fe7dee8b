//! IR function -> [`VCode`]: the hand-written glue around the rules.
//!
//! Value-computing instructions go through the generated lowering
//! (`lower::lower_inst`); control flow, block parameters, the ABI, calls,
//! globals, traps and the fuel/epoch checks are lowered here.
//!
//! Block layout: block 0 defines the arguments and jumps to the IR entry;
//! then every reachable IR block in reverse postorder (so a value's
//! definition is lowered before its uses), each followed by its edge
//! blocks. regalloc2 wants critical edges split: a block with several
//! predecessors may only be entered from blocks with one successor (whose
//! branch reads no register). So an edge of a `brif`/`br_table` gets an
//! edge block (holding the jump that carries the block arguments) only
//! when its target has several predecessors; otherwise the branch passes
//! the arguments itself and the allocator's moves go at the target's head.

use std::collections::HashMap;

use regalloc2::{Block, Operand, PRegSet, VReg};

use super::abi::{self, ArgLoc};
use super::vcode::{Area, CallTarget, VBlock, VCode, VInst};
use crate::ir::{self, Function, Imm, Opcode, Signature, TrapCode, Type};
use crate::lower::{self, LowerCtx, preg, preg_xmm};
use crate::translate::ModuleInfo;
use crate::x64::inst::{AluOp, Inst as M};
use crate::x64::{CC, Gpr, Size};

/// Lower `func` (function `func_index` of `info`).
pub fn lower_function(func: &Function, info: &ModuleInfo) -> Result<VCode, String> {
    let order = reverse_postorder(func);
    let preds = pred_counts(func, &order);
    let uses = use_counts(func, &order);
    // Number the blocks: 0 is the argument block; each IR block is followed
    // by its edge blocks.
    let mut index = HashMap::with_capacity(order.len());
    let mut n = 1;
    for &b in &order {
        index.insert(b, n);
        n += 1 + split_edges(func, b, &preds).filter(|&s| s).count();
    }
    let mut vcode = VCode {
        blocks: vec![VBlock::default(); n],
        ..VCode::default()
    };
    let vmctx = vcode.new_vreg(Type::I64);
    let mut ctx = LowerCtx {
        func,
        vcode: &mut vcode,
        value_regs: vec![None; func.values.len()],
        vmctx,
        fusable: None,
        error: None,
        mem_cache: Default::default(),
        folded: lower::folded_heap_addrs(func),
    };
    for &b in &order {
        let params: Vec<VReg> = func
            .block(b)
            .params
            .iter()
            .map(|&v| {
                let r = ctx.vcode.new_vreg(func.value_type(v));
                ctx.value_regs[v.index()] = Some(r);
                r
            })
            .collect();
        ctx.vcode.blocks[index[&b]].params = params;
    }
    let mut g = Glue {
        info,
        index: &index,
        preds: &preds,
        uses: &uses,
        results_area: None,
    };
    g.entry_block(&mut ctx, func.entry);
    for &b in &order {
        g.ir_block(&mut ctx, b)?;
    }
    vcode.remove_dead();
    // Predecessors from successors.
    for b in 0..vcode.blocks.len() {
        for s in vcode.blocks[b].succs.clone() {
            vcode.blocks[s.index()].preds.push(Block::new(b));
        }
    }
    Ok(vcode)
}

/// Per IR block, how many edges enter it from reachable blocks (a target
/// named twice by one branch counts twice); the entry also has block 0's.
fn pred_counts(func: &Function, order: &[ir::Block]) -> Vec<u32> {
    let mut preds = vec![0u32; func.blocks.len()];
    preds[func.entry.index()] += 1;
    for &b in order {
        for d in func.terminator(b).map_or(&[][..], |t| &t.dests[..]) {
            preds[d.block.index()] += 1;
        }
    }
    preds
}

/// Per IR value, how many times reachable instructions use it (as an
/// argument or a block argument).
fn use_counts(func: &Function, order: &[ir::Block]) -> Vec<u32> {
    let mut uses = vec![0u32; func.values.len()];
    for &b in order {
        for &i in &func.block(b).insts {
            let d = func.inst(i);
            let block_args = d.dests.iter().flat_map(|c| &c.args);
            for v in d.args.iter().chain(block_args) {
                uses[v.index()] += 1;
            }
        }
    }
    uses
}

/// Per destination of `b`'s terminator, whether its edge needs an edge
/// block: a `brif`/`br_table` edge into a block with several predecessors.
fn split_edges<'a>(
    func: &'a Function,
    b: ir::Block,
    preds: &'a [u32],
) -> impl Iterator<Item = bool> + 'a {
    let t = func.terminator(b);
    let multi = t.is_some_and(|t| matches!(t.opcode, Opcode::Brif | Opcode::BrTable));
    t.map_or(&[][..], |t| &t.dests[..])
        .iter()
        .map(move |d| multi && preds[d.block.index()] > 1)
}

fn reverse_postorder(func: &Function) -> Vec<ir::Block> {
    let mut seen = vec![false; func.blocks.len()];
    let mut post = Vec::new();
    // Iterative DFS: (block, next successor index).
    let mut stack = vec![(func.entry, 0usize)];
    seen[func.entry.index()] = true;
    while let Some(&mut (b, ref mut i)) = stack.last_mut() {
        let succs = func.terminator(b).map_or(&[][..], |t| &t.dests[..]);
        if let Some(s) = succs.get(*i).map(|d| d.block) {
            *i += 1;
            if !seen[s.index()] {
                seen[s.index()] = true;
                stack.push((s, 0));
            }
        } else {
            post.push(b);
            stack.pop();
        }
    }
    post.reverse();
    post
}

/// An edge block to create after its branch's block: (its index, (the
/// target, the block arguments)).
type EdgeBlock = (usize, (usize, Vec<VReg>));

struct Glue<'a> {
    info: &'a ModuleInfo,
    index: &'a HashMap<ir::Block, usize>,
    /// Per IR block, its predecessor count ([`pred_counts`]).
    preds: &'a [u32],
    /// Per IR value, its use count ([`use_counts`]).
    uses: &'a [u32],
    /// The caller's results area (multi-value functions).
    results_area: Option<VReg>,
}

fn err<T>(m: impl Into<String>) -> Result<T, String> {
    Err(m.into())
}

impl Glue<'_> {
    fn start(&self, ctx: &mut LowerCtx<'_>, block: usize) {
        // Registers loaded in another block need not reach this one.
        ctx.mem_cache.forget();
        let at = ctx.vcode.insts.len();
        ctx.vcode.blocks[block].start = at;
    }
    fn finish(
        &self,
        ctx: &mut LowerCtx<'_>,
        block: usize,
        succs: Vec<usize>,
        args: Vec<Vec<VReg>>,
    ) {
        let b = &mut ctx.vcode.blocks[block];
        b.end = ctx.vcode.insts.len();
        b.succs = succs.into_iter().map(Block::new).collect();
        b.branch_args = args;
    }

    /// Block 0: the arguments, then a jump to the IR entry.
    fn entry_block(&mut self, ctx: &mut LowerCtx<'_>, entry: ir::Block) {
        self.start(ctx, 0);
        let sig = ctx.func.sig.clone();
        let multi = sig.results.len() > 1;
        let mut ops = vec![Operand::reg_fixed_def(ctx.vmctx, preg(Gpr::RDI))];
        if multi {
            let area = ctx.vcode.new_vreg(Type::I64);
            ops.push(Operand::reg_fixed_def(area, preg(Gpr::RSI)));
            self.results_area = Some(area);
        }
        let mut args = Vec::new();
        let mut stack = Vec::new();
        for (ty, loc) in abi::classify(&sig.params, multi) {
            let v = ctx.vcode.new_vreg(ty);
            args.push(v);
            match loc {
                ArgLoc::Gpr(g) => ops.push(Operand::reg_fixed_def(v, preg(g))),
                ArgLoc::Xmm(x) => ops.push(Operand::reg_fixed_def(v, preg_xmm(x))),
                ArgLoc::Stack(k) => stack.push((v, k, ty)),
            }
        }
        ctx.push(VInst::Args, ops, PRegSet::empty());
        for (v, index, ty) in stack {
            ctx.push(
                VInst::StackArg { index, ty },
                vec![Operand::reg_def(v)],
                PRegSet::empty(),
            );
        }
        ctx.push(VInst::Jump, vec![], PRegSet::empty());
        self.finish(ctx, 0, vec![self.index[&entry]], vec![args]);
    }

    /// `c` if a `brif` or `select` in block `b` may absorb its definition
    /// (`fused_def`): it is the only use, in the same block, so the
    /// compare's operands rather than its 0/1 stay live up to the user.
    fn fusable(&self, func: &Function, b: ir::Block, c: ir::Value) -> Option<ir::Value> {
        let local = match func.values[c.index()].def {
            ir::ValueDef::Result(i, _) => func.block(b).insts.contains(&i),
            ir::ValueDef::Param(..) => false,
        };
        (local && self.uses[c.index()] == 1).then_some(c)
    }

    fn regs(&self, ctx: &mut LowerCtx<'_>, vs: &[ir::Value]) -> Vec<VReg> {
        vs.iter().map(|&v| ctx.value_reg(v)).collect()
    }

    fn ir_block(&mut self, ctx: &mut LowerCtx<'_>, b: ir::Block) -> Result<(), String> {
        let vb = self.index[&b];
        self.start(ctx, vb);
        let func = ctx.func;
        let insts = &func.block(b).insts;
        let mut terminated = None;
        for &inst in insts {
            let d = func.inst(inst);
            if d.opcode.is_terminator() {
                terminated = Some(self.terminator(ctx, b, vb, inst)?);
                break;
            }
            if let (Opcode::Select, Some(&c)) = (d.opcode, d.args.first()) {
                ctx.fusable = self.fusable(func, b, c);
            }
            let lowered = self.inst(ctx, inst);
            ctx.fusable = None;
            lowered?;
            if let Some(e) = ctx.error.take() {
                return Err(e);
            }
        }
        let Some(edges) = terminated else {
            return err(format!("{b} has no terminator"));
        };
        // Edge blocks: a jump with the arguments.
        for (eb, (target, args)) in edges {
            self.start(ctx, eb);
            ctx.push(VInst::Jump, vec![], PRegSet::empty());
            self.finish(ctx, eb, vec![target], vec![args]);
        }
        Ok(())
    }

    /// Lowers a terminator; returns the edge blocks to create after the
    /// block (edge block, target, arguments).
    fn terminator(
        &mut self,
        ctx: &mut LowerCtx<'_>,
        b: ir::Block,
        vb: usize,
        inst: ir::Inst,
    ) -> Result<Vec<EdgeBlock>, String> {
        let d = ctx.func.inst(inst);
        let dests: Vec<(usize, Vec<VReg>)> = d
            .dests
            .iter()
            .map(|c| (self.index[&c.block], self.regs(ctx, &c.args)))
            .collect();
        match d.opcode {
            Opcode::Jump => {
                let Some((t, args)) = dests.into_iter().next() else {
                    return err("jump without a destination");
                };
                ctx.push(VInst::Jump, vec![], PRegSet::empty());
                self.finish(ctx, vb, vec![t], vec![args]);
                Ok(vec![])
            }
            Opcode::Brif | Opcode::BrTable => {
                let Some(&c) = d.args.first() else {
                    return err("branch without a condition");
                };
                let wide = ctx.func.value_type(c) == Type::I64;
                if d.opcode == Opcode::BrTable {
                    let c = ctx.value_reg(c);
                    ctx.push(VInst::BrTable, vec![Operand::reg_use(c)], PRegSet::empty());
                } else if wide {
                    // Never from Wasm (`br_if` takes an i32): `test; jnz`.
                    let c = ctx.value_reg(c);
                    let test = M::AluRR {
                        op: AluOp::Test,
                        size: Size::S64,
                        dst: lower::P,
                        src: lower::P,
                    };
                    ctx.machine(test, &[c, c]);
                    ctx.push(VInst::Brif { cc: CC::NE }, vec![], PRegSet::empty());
                } else {
                    // The proven `lower_branch` rules; they may absorb a
                    // compare whose only use is this branch, in this block.
                    ctx.fusable = self.fusable(ctx.func, b, c);
                    let cc = lower::lower_branch(ctx, c);
                    ctx.fusable = None;
                    ctx.push(VInst::Brif { cc: cc? }, vec![], PRegSet::empty());
                }
                // Each destination directly (the branch carries its
                // arguments), or through the next edge block.
                let mut succs = Vec::with_capacity(dests.len());
                let mut args = Vec::with_capacity(dests.len());
                let mut edges = Vec::new();
                let split = split_edges(ctx.func, b, self.preds);
                for (dest, split) in dests.into_iter().zip(split) {
                    if split {
                        let eb = vb + 1 + edges.len();
                        succs.push(eb);
                        args.push(vec![]);
                        edges.push((eb, dest));
                    } else {
                        succs.push(dest.0);
                        args.push(dest.1);
                    }
                }
                self.finish(ctx, vb, succs, args);
                Ok(edges)
            }
            Opcode::Return => {
                let vals = self.regs(ctx, &d.args);
                let tys: Vec<Type> = d.args.iter().map(|&v| ctx.func.value_type(v)).collect();
                let mut ops = Vec::new();
                if let [v] = vals.as_slice() {
                    ops.push(abi::result_operand(*v, tys[0]));
                } else if !vals.is_empty() {
                    let Some(area) = self.results_area else {
                        return err("multi-value return without a results area");
                    };
                    for (i, (&v, &ty)) in vals.iter().zip(&tys).enumerate() {
                        ctx.push(
                            VInst::StoreResult {
                                index: i as u32,
                                ty,
                            },
                            vec![Operand::reg_use(area), Operand::reg_use(v)],
                            PRegSet::empty(),
                        );
                    }
                }
                ctx.push(VInst::Ret, ops, PRegSet::empty());
                self.finish(ctx, vb, vec![], vec![]);
                Ok(vec![])
            }
            Opcode::Trap => {
                let code = match d.imm {
                    Imm::Trap(c) => c,
                    _ => TrapCode::Unreachable,
                };
                let vmctx = ctx.vmctx;
                ctx.push(
                    VInst::Trap { code },
                    vec![Operand::reg_use(vmctx)],
                    PRegSet::empty(),
                );
                self.finish(ctx, vb, vec![], vec![]);
                Ok(vec![])
            }
            op => err(format!("unexpected terminator {op}")),
        }
    }

    fn inst(&mut self, ctx: &mut LowerCtx<'_>, inst: ir::Inst) -> Result<(), String> {
        let d = ctx.func.inst(inst);
        let vmctx = ctx.vmctx;
        let none = PRegSet::empty();
        let result = |ctx: &mut LowerCtx<'_>, i: usize| {
            let v = d.results[i];
            let r = ctx.vcode.new_vreg(ctx.func.value_type(v));
            ctx.value_regs[v.index()] = Some(r);
            r
        };
        match (d.opcode, &d.imm) {
            (Opcode::Trapnz, Imm::Trap(code)) => {
                let c = ctx.value_reg(d.args[0]);
                let size = if ctx.func.value_type(d.args[0]) == Type::I64 {
                    Size::S64
                } else {
                    Size::S32
                };
                let test = M::AluRR {
                    op: AluOp::Test,
                    size,
                    dst: lower::P,
                    src: lower::P,
                };
                ctx.machine(test, &[c, c]);
                ctx.push(
                    VInst::TrapIf {
                        cc: CC::NE,
                        code: *code,
                    },
                    vec![Operand::reg_use(vmctx)],
                    none,
                );
            }
            (Opcode::FuelCheck, _) => {
                ctx.push(VInst::FuelCheck, vec![Operand::reg_use(vmctx)], none)
            }
            (Opcode::EpochCheck, _) => {
                ctx.push(VInst::EpochCheck, vec![Operand::reg_use(vmctx)], none)
            }
            (Opcode::GlobalGet, &Imm::Global(index)) => {
                let ty = ctx.func.value_type(d.results[0]);
                let r = result(ctx, 0);
                let ops = vec![Operand::reg_use(vmctx), Operand::reg_def(r)];
                ctx.push(VInst::GlobalGet { index, ty }, ops, none);
            }
            (Opcode::GlobalSet, &Imm::Global(index)) => {
                let ty = ctx.func.value_type(d.args[0]);
                let v = ctx.value_reg(d.args[0]);
                let ops = vec![Operand::reg_use(vmctx), Operand::reg_use(v)];
                ctx.push(VInst::GlobalSet { index, ty }, ops, none);
            }
            (Opcode::MemoryGrow, _) => {
                let delta = ctx.value_reg(d.args[0]);
                let r = result(ctx, 0);
                let ops = vec![
                    Operand::reg_fixed_use(vmctx, preg(Gpr::RDI)),
                    Operand::reg_fixed_use(delta, preg(Gpr::RSI)),
                    Operand::reg_fixed_def(r, preg(Gpr::RAX)),
                ];
                let clobbers = abi::call_clobbers(&[preg(Gpr::RAX)]);
                ctx.push(VInst::Call(CallTarget::MemoryGrow), ops, clobbers);
            }
            (Opcode::Call, Imm::Call { func, sig }) => {
                let args = self.regs(ctx, &d.args);
                let imported = *func < self.info.num_imported_funcs();
                let (target, funcref, callee) = if imported {
                    let fr = ctx.vcode.new_vreg(Type::I64);
                    let ops = vec![Operand::reg_use(vmctx), Operand::reg_def(fr)];
                    ctx.push(VInst::FuncRef { index: *func }, ops, none);
                    let cctx = self.load(ctx, fr, crate::vm::FUNCREF_VMCTX);
                    (CallTarget::FuncRef, Some(fr), cctx)
                } else {
                    (CallTarget::Direct(*func), None, vmctx)
                };
                self.call(ctx, sig, &args, target, funcref, callee, &d.results)?;
            }
            (
                Opcode::CallIndirect,
                Imm::CallIndirect {
                    type_index,
                    table,
                    sig,
                },
            ) => {
                let Some((&callee_index, params)) = d.args.split_last() else {
                    return err("call_indirect without a callee");
                };
                let args = self.regs(ctx, params);
                let idx = ctx.value_reg(callee_index);
                let fr = ctx.vcode.new_vreg(Type::I64);
                let ops = vec![
                    Operand::reg_use(vmctx),
                    Operand::reg_use(idx),
                    Operand::reg_def(fr),
                ];
                let lookup = VInst::TableLookup {
                    table: *table,
                    type_index: *type_index,
                };
                ctx.push(lookup, ops, none);
                let cctx = self.load(ctx, fr, crate::vm::FUNCREF_VMCTX);
                let target = CallTarget::FuncRef;
                self.call(ctx, sig, &args, target, Some(fr), cctx, &d.results)?;
            }
            _ => lower::lower_inst(ctx, inst)?,
        }
        Ok(())
    }

    fn load(&self, ctx: &mut LowerCtx<'_>, base: VReg, offset: i32) -> VReg {
        let r = ctx.vcode.new_vreg(Type::I64);
        let ops = vec![Operand::reg_use(base), Operand::reg_def(r)];
        ctx.push(VInst::Load { offset }, ops, PRegSet::empty());
        r
    }

    #[allow(clippy::too_many_arguments)]
    fn call(
        &self,
        ctx: &mut LowerCtx<'_>,
        sig: &Signature,
        args: &[VReg],
        target: CallTarget,
        funcref: Option<VReg>,
        callee_vmctx: VReg,
        results: &[ir::Value],
    ) -> Result<(), String> {
        let multi = sig.results.len() > 1;
        let mut ops = Vec::new();
        ops.extend(funcref.map(Operand::reg_use));
        ops.push(Operand::reg_fixed_use(callee_vmctx, preg(Gpr::RDI)));
        if multi {
            let area = ctx.vcode.new_vreg(Type::I64);
            ctx.push(
                VInst::FrameAddr(Area::CallResults),
                vec![Operand::reg_def(area)],
                PRegSet::empty(),
            );
            ops.push(Operand::reg_fixed_use(area, preg(Gpr::RSI)));
            ctx.vcode.max_call_results = ctx.vcode.max_call_results.max(sig.results.len() as u32);
        }
        let mut slots = 0;
        for ((ty, loc), &v) in abi::classify(&sig.params, multi).into_iter().zip(args) {
            match loc {
                ArgLoc::Gpr(g) => ops.push(Operand::reg_fixed_use(v, preg(g))),
                ArgLoc::Xmm(x) => ops.push(Operand::reg_fixed_use(v, preg_xmm(x))),
                ArgLoc::Stack(slot) => {
                    slots = slots.max(slot + 1);
                    ctx.push(
                        VInst::StoreArg { slot, ty },
                        vec![Operand::reg_use(v)],
                        PRegSet::empty(),
                    );
                }
            }
        }
        ctx.vcode.max_stack_args = ctx.vcode.max_stack_args.max(slots);
        let mut fixed_defs = Vec::new();
        let mut loads = Vec::new();
        for (i, &v) in results.iter().enumerate() {
            let ty = ctx.func.value_type(v);
            let r = ctx.vcode.new_vreg(ty);
            ctx.value_regs[v.index()] = Some(r);
            if multi {
                loads.push((i as u32, ty, r));
            } else {
                let (op, reg) = abi::result_def(r, ty);
                fixed_defs.push(reg);
                ops.push(op);
            }
        }
        ctx.push(VInst::Call(target), ops, abi::call_clobbers(&fixed_defs));
        for (index, ty, r) in loads {
            ctx.push(
                VInst::LoadResult { index, ty },
                vec![Operand::reg_def(r)],
                PRegSet::empty(),
            );
        }
        Ok(())
    }
}

/// Exposed for tests: the block order used.
#[cfg(test)]
pub fn order(func: &Function) -> Vec<ir::Block> {
    reverse_postorder(func)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::FunctionBuilder;

    #[test]
    fn reverse_postorder_puts_definitions_first_and_skips_dead_blocks() {
        let sig = Signature {
            params: vec![Type::I32],
            results: vec![Type::I32],
        };
        let mut b = FunctionBuilder::new("f", sig);
        let entry = b.func().entry;
        let exit = b.create_block();
        let dead = b.create_block();
        let p = b.block_params(entry)[0];
        b.switch_to(entry);
        b.jump(exit, vec![]);
        b.switch_to(exit);
        b.ret(vec![p]);
        b.switch_to(dead);
        b.ret(vec![p]);
        let f = b.finish();
        assert_eq!(order(&f), vec![entry, exit]);
    }

    /// `entry: brif p, then(p), join(p)`; `then: jump join(p + 1)`;
    /// `join(x): ret x`. The edge into `then` (one predecessor) needs no
    /// edge block: the brif carries its argument-free call directly; the
    /// edge into `join` (two predecessors) is critical and split. The
    /// allocation passes regalloc2's checker (on in tests).
    #[test]
    fn only_critical_edges_get_edge_blocks() {
        let sig = Signature {
            params: vec![Type::I32],
            results: vec![Type::I32],
        };
        let mut b = FunctionBuilder::new("f", sig);
        let entry = b.func().entry;
        let then = b.create_block();
        let join = b.create_block();
        let x = b.append_block_param(join, Type::I32);
        let p = b.block_params(entry)[0];
        b.switch_to(entry);
        let call = |block, args| ir::BlockCall { block, args };
        b.brif(p, call(then, vec![]), call(join, vec![p]));
        b.switch_to(then);
        let one = b.iconst(Type::I32, 1);
        let q = b.binary(Opcode::Iadd, p, one);
        b.jump(join, vec![q]);
        b.switch_to(join);
        b.ret(vec![x]);
        let f = b.finish();
        let vcode = lower_function(&f, &ModuleInfo::default()).expect("lowers");
        // Args block, entry + one edge block, then, join.
        assert_eq!(vcode.blocks.len(), 5);
        let brif = &vcode.blocks[1];
        assert_eq!(brif.succs.len(), 2);
        let direct = brif.succs.iter().filter(|s| s.index() > 2).count();
        assert_eq!(direct, 1, "the edge into `then` is not split");
        let edge = brif.succs.iter().find(|s| s.index() == 2).expect("split");
        // It passes `p`, the entry's parameter.
        let p_reg = vcode.blocks[1].params.clone();
        assert_eq!(vcode.blocks[edge.index()].branch_args, vec![p_reg]);
        assert!(
            vcode
                .insts
                .iter()
                .all(|i| !matches!(i.inst, VInst::Machine(M::MovImm { .. }))),
            "the constant 1 became an immediate; its mov is gone"
        );
        crate::backend::regalloc::allocate(&vcode).expect("allocates, passes the checker");
    }

    /// Every Wasm operator now has a rule, so the error path is reached
    /// through IR the translator never emits: a sign-extending float `load`.
    #[test]
    fn an_op_without_a_rule_is_an_error_naming_it() {
        let sig = Signature {
            params: vec![Type::I32],
            results: vec![Type::F32],
        };
        let mut b = FunctionBuilder::new("f", sig);
        let entry = b.func().entry;
        let p = b.block_params(entry)[0];
        b.switch_to(entry);
        let addr = b.heap_addr(p, 0, 4);
        let access = crate::ir::MemAccess {
            bytes: 4,
            signed: true,
        };
        let v = b.load(Type::F32, access, addr);
        b.ret(vec![v]);
        let f = b.finish();
        let e = lower_function(&f, &ModuleInfo::default()).expect_err("no rule for load.f32");
        assert_eq!(e, "no proven lowering rule for 'load.f32' (x86-64)");
    }
}
