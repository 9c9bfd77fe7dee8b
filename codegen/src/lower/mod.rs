//! Instruction selection: the Rust code cranelift-isle generates from
//! `isle-rules/` (see `build.rs`) and the context it runs in.
//!
//! The generated `constructor_lower` matches an IR instruction against the
//! proven rules; every extern term it calls is a method of [`LowerCtx`]
//! (`context.rs`, one line per term). The ISLE types are the Rust types of
//! the same name below.

mod context;

use regalloc2::{Operand, PRegSet, VReg};

use crate::backend::operands::{self, Role};
use crate::backend::vcode::{VCode, VInst, VInstData};
use crate::ir::{self, Function};
use crate::x64::{self, Gpr, Size};

#[allow(
    dead_code,
    unreachable_code,
    unreachable_patterns,
    unused_imports,
    unused_variables,
    non_snake_case,
    non_camel_case_types,
    unused_mut,
    unused_parens,
    irrefutable_let_patterns,
    clippy::all
)]
pub(crate) mod generated {
    include!(concat!(env!("OUT_DIR"), "/isle_x64.rs"));
}

// ---- The ISLE types (prelude.isle, ir.isle, x64/inst.isle, lower.isle) ----

/// An IR instruction (`Inst`), a value (`Value`).
pub type Inst = ir::Inst;
pub type Value = ir::Value;
pub type Imm64 = u64;
pub type Imm32 = u32;
pub type Imm8 = u8;
pub use crate::x64::CC;

/// An IR type or an operand size (`(:bits ty)` is 8, 16, 32 or 64). The
/// narrow sizes are only extension sources (`x64_movzx`, `x64_movsx`).
#[allow(dead_code)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
}

impl Type {
    pub fn bits(self) -> u32 {
        match self {
            Type::I8 => 8,
            Type::I16 => 16,
            Type::I32 | Type::F32 => 32,
            Type::I64 | Type::F64 => 64,
        }
    }
}

impl From<ir::Type> for Type {
    fn from(t: ir::Type) -> Type {
        match t {
            ir::Type::I32 => Type::I32,
            ir::Type::I64 => Type::I64,
            ir::Type::F32 => Type::F32,
            ir::Type::F64 => Type::F64,
        }
    }
}

/// A general-purpose register holding a value (a virtual register).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reg(pub VReg);
/// An XMM register holding a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Xmm(pub VReg);

/// The flags an instruction sets, not yet emitted: the consumer (`setcc`,
/// `cmov`, a trap check) emits it immediately before itself, so nothing can
/// clobber the flags in between (the allocator only inserts `mov`s).
/// Only the inputs are kept: each emission defines fresh outputs (a flags
/// value may feed several consumers, and a vreg is defined once).
#[derive(Clone, Copy, Debug)]
pub struct Flags {
    inst: x64::Inst,
    ins: [Option<VReg>; 3],
}

/// The trap checks emitted so far (`ts` in the rules): only orders terms.
pub type TrapState = ();
/// What an instruction without a result did (`store`): nothing to record.
pub type SideEffect = ();

/// The condition code a `brif` jumps on to its first target
/// (`lower_branch`); its flags instruction is already emitted.
pub type BranchCond = CC;

/// What a lowering produces: the register of the IR result (none for an
/// instruction without results).
#[derive(Clone, Copy, Debug)]
pub struct InstOutput(pub Option<VReg>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntCC {
    Equal,
    NotEqual,
    SignedLessThan,
    SignedGreaterThan,
    SignedLessThanOrEqual,
    SignedGreaterThanOrEqual,
    UnsignedLessThan,
    UnsignedGreaterThan,
    UnsignedLessThanOrEqual,
    UnsignedGreaterThanOrEqual,
}

impl From<ir::IntCC> for IntCC {
    fn from(c: ir::IntCC) -> IntCC {
        use ir::IntCC as I;
        match c {
            I::Eq => IntCC::Equal,
            I::Ne => IntCC::NotEqual,
            I::Slt => IntCC::SignedLessThan,
            I::Sgt => IntCC::SignedGreaterThan,
            I::Sle => IntCC::SignedLessThanOrEqual,
            I::Sge => IntCC::SignedGreaterThanOrEqual,
            I::Ult => IntCC::UnsignedLessThan,
            I::Ugt => IntCC::UnsignedGreaterThan,
            I::Ule => IntCC::UnsignedLessThanOrEqual,
            I::Uge => IntCC::UnsignedGreaterThanOrEqual,
        }
    }
}

/// Variant names as `ir.isle` declares them.
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatCC {
    FloatEqual,
    FloatNotEqual,
    FloatLessThan,
    FloatGreaterThan,
    FloatLessThanOrEqual,
    FloatGreaterThanOrEqual,
}

impl From<ir::FloatCC> for FloatCC {
    fn from(c: ir::FloatCC) -> FloatCC {
        use ir::FloatCC as F;
        match c {
            F::Eq => FloatCC::FloatEqual,
            F::Ne => FloatCC::FloatNotEqual,
            F::Lt => FloatCC::FloatLessThan,
            F::Gt => FloatCC::FloatGreaterThan,
            F::Le => FloatCC::FloatLessThanOrEqual,
            F::Ge => FloatCC::FloatGreaterThanOrEqual,
        }
    }
}

/// Control-flow terms' operands: opaque to the rules (glue lowers them).
pub type ValueList = Vec<Value>;
pub type BlockCall = ir::BlockCall;
pub type BlockCalls = Vec<ir::BlockCall>;
pub type Control = ir::Inst;

// ---- The context ----

/// Lowers one function's instructions into a [`VCode`].
pub struct LowerCtx<'a> {
    pub func: &'a Function,
    pub vcode: &'a mut VCode,
    /// The register of each IR value, once its definition is lowered.
    pub value_regs: Vec<Option<VReg>>,
    /// The function's `vmctx`.
    pub vmctx: VReg,
    /// The `brif` condition the branch being lowered may absorb (its only
    /// use, defined in its block): what `fused_def` matches.
    pub fusable: Option<Value>,
    /// The first problem a term hit (a constructor cannot fail in ISLE, so
    /// it records the problem here and returns a placeholder).
    pub error: Option<String>,
    /// Memory 0's pointer and fields already loaded in the current block.
    pub mem_cache: MemCache,
    /// Per IR instruction, whether it is a `heap_addr` its access folds in:
    /// [`folded_heap_addrs`].
    pub folded: Vec<bool>,
}

/// Memory accesses in the lowering of one function. Loads of memory 0's
/// `VMMemory` pointer and fields (base, size) that
/// later accesses in the same straight-line stretch reuse instead of
/// loading again. Valid while every instruction pushed since is one that
/// neither leaves the block (so the register's definition dominates the
/// reuse) nor can grow or move the memory (a call can):
/// [`keeps_memory`]. The pointer itself never changes during an
/// instance's life; base and size only in `memory.grow`, a call.
#[derive(Clone, Debug, Default)]
pub struct MemCache {
    /// `vcode.insts` up to here have been checked with [`keeps_memory`].
    scanned: usize,
    /// The `VMMemory` pointer, and `(field offset, value)` per field.
    def: Option<VReg>,
    fields: Vec<(i32, VReg)>,
}

impl MemCache {
    /// Forgets the loaded registers (at a block start: they need not
    /// dominate it).
    pub fn forget(&mut self) {
        self.def = None;
        self.fields.clear();
    }
}

/// Per IR instruction: whether it is a `heap_addr` whose only use is the
/// address of the next instruction of its block, a load or store that the
/// `*_idx` rules (x64/lower.isle, lower_float.isle) lower with the check
/// folded into the access (`[base + end - size]`), so the `heap_addr` emits
/// nothing itself. The conditions are those rules' patterns (offset below
/// 2^31 - 256; any integer access the IR verifier admits; a float one at
/// its own width, unsigned); were they ever to diverge, the
/// access would find its address undefined: a compile error, never a
/// missing check.
pub fn folded_heap_addrs(func: &Function) -> Vec<bool> {
    let mut uses = vec![0u32; func.values.len()];
    for d in &func.insts {
        let block_args = d.dests.iter().flat_map(|c| c.args.iter());
        for a in d.args.iter().chain(block_args) {
            if let Some(n) = uses.get_mut(a.index()) {
                *n += 1;
            }
        }
    }
    let mut out = vec![false; func.insts.len()];
    for b in &func.blocks {
        for w in b.insts.windows(2) {
            let (h, a) = (func.inst(w[0]), func.inst(w[1]));
            let (ir::Opcode::HeapAddr, ir::Imm::Heap { offset, .. }, [r]) =
                (h.opcode, &h.imm, h.results.as_slice())
            else {
                continue;
            };
            let fits = match (a.opcode, a.ty, &a.imm) {
                (ir::Opcode::Load, Some(t), ir::Imm::Access(m)) => {
                    t.is_int() || !m.signed && float_access(t, m.bytes)
                }
                (ir::Opcode::Store, Some(t), ir::Imm::Access(m)) => {
                    (t.is_int() || float_access(t, m.bytes)) && a.args.get(1) != Some(r)
                }
                _ => false,
            };
            out[w[0].index()] = fits
                && *offset < 0x7fff_ff00
                && a.args.first() == Some(r)
                && uses.get(r.index()) == Some(&1);
        }
    }
    out
}

/// A whole f32 or f64 accessed at its own type.
fn float_access(t: ir::Type, bytes: u8) -> bool {
    matches!((t, bytes), (ir::Type::F32, 4) | (ir::Type::F64, 8))
}

/// Whether a cached memory register stays valid across `inst`: straight-line
/// code that calls nothing (rule instructions other than a jump, glue loads
/// and trap checks, globals, the fuel and epoch checks).
fn keeps_memory(inst: &VInst) -> bool {
    !inst.is_branch()
        && !inst.is_ret()
        && match inst {
            VInst::Machine(m) => !matches!(m, x64::Inst::Jcc { .. } | x64::Inst::Ret),
            VInst::Load { .. }
            | VInst::TrapIf { .. }
            | VInst::IdivRemUnless { .. }
            | VInst::GlobalGet { .. }
            | VInst::GlobalSet { .. }
            | VInst::FuelCheck
            | VInst::EpochCheck => true,
            _ => false,
        }
}

/// Placeholder register fields, overwritten after allocation.
pub(crate) const P: Gpr = Gpr::RAX;

impl<'a> LowerCtx<'a> {
    pub fn fail(&mut self, message: String) {
        if self.error.is_none() {
            self.error = Some(message);
        }
    }

    /// The register of an IR value (defined earlier: blocks are lowered in
    /// reverse postorder, so a definition precedes its uses). An integer
    /// constant is materialized here, at each use that needs a register,
    /// by its proven rule (`iconst`); its definition emitted nothing, as
    /// most constants only feed immediates.
    pub fn value_reg(&mut self, v: Value) -> VReg {
        if let Some(r) = self.value_regs.get(v.index()).copied().flatten() {
            return r;
        }
        if let Some(i) = self.constant_def(v)
            && let Some(InstOutput(Some(r))) = generated::constructor_lower(self, i)
        {
            return r;
        }
        self.fail(format!("{v} is used before its definition was lowered"));
        VReg::new(0, regalloc2::RegClass::Int)
    }

    /// The `iconst` defining `v`, if that is what defines it.
    fn constant_def(&self, v: Value) -> Option<ir::Inst> {
        match self.func.values.get(v.index())?.def {
            ir::ValueDef::Result(i, 0) => {
                (self.func.inst(i).opcode == ir::Opcode::Iconst).then_some(i)
            }
            _ => None,
        }
    }

    fn new_gpr(&mut self) -> VReg {
        self.vcode.new_vreg(ir::Type::I64)
    }

    fn new_xmm(&mut self) -> VReg {
        self.vcode.new_vreg(ir::Type::F64)
    }

    /// The operand size of an integer instruction at `ty`.
    fn size(&mut self, ty: Type) -> Size {
        match ty.bits() {
            64 => Size::S64,
            32 => Size::S32,
            b => {
                self.fail(format!(
                    "a {b}-bit operand size on an x86-64 instruction that has none"
                ));
                Size::S64
            }
        }
    }

    /// Push a glue instruction.
    pub fn push(&mut self, inst: VInst, operands: Vec<Operand>, clobbers: PRegSet) {
        self.vcode.insts.push(VInstData {
            inst,
            operands,
            clobbers,
        });
    }

    /// Push a machine instruction. `vregs` are its operands in the order of
    /// the operands table (`UseDef` takes the input, then the output); the
    /// outputs are returned in order.
    pub fn machine(&mut self, inst: x64::Inst, vregs: &[VReg]) -> Vec<VReg> {
        let roles = operands::roles(&inst);
        let mut ops = Vec::new();
        let mut outs = Vec::new();
        let mut it = vregs.iter().copied();
        let mut next = |this: &mut Self| {
            it.next().unwrap_or_else(|| {
                this.fail(format!("operand missing for {inst:?}"));
                VReg::new(0, regalloc2::RegClass::Int)
            })
        };
        for role in roles {
            match role {
                Role::Use => ops.push(Operand::reg_use(next(self))),
                Role::Def => {
                    let v = next(self);
                    ops.push(Operand::reg_def(v));
                    outs.push(v);
                }
                Role::UseDef => {
                    let (a, v) = (next(self), next(self));
                    let idx = ops.len();
                    ops.push(Operand::reg_use(a));
                    ops.push(Operand::reg_reuse_def(v, idx));
                    outs.push(v);
                }
                Role::FixedUse(g) => ops.push(Operand::reg_fixed_use(next(self), preg(g))),
                Role::FixedDef(g) => {
                    let v = next(self);
                    ops.push(Operand::reg_fixed_def(v, preg(g)));
                    outs.push(v);
                }
            }
        }
        self.push(VInst::Machine(inst), ops, PRegSet::empty());
        outs
    }

    /// A machine instruction with one result, a new vreg of the given class
    /// (`xmm`), inserted for each `Def`/`UseDef` in `ins` order.
    fn op1(&mut self, inst: x64::Inst, ins: &[VReg], xmm: bool) -> VReg {
        let roles = operands::roles(&inst);
        let mut vregs = Vec::new();
        let mut it = ins.iter().copied();
        let mut out = None;
        for role in roles {
            match role {
                Role::Use | Role::FixedUse(_) => vregs.extend(it.next()),
                Role::UseDef => {
                    vregs.extend(it.next());
                    let o = if xmm { self.new_xmm() } else { self.new_gpr() };
                    out.get_or_insert(o);
                    vregs.push(o);
                }
                Role::Def | Role::FixedDef(_) => {
                    let o = self.new_gpr_or_xmm(inst, vregs.len());
                    out.get_or_insert(o);
                    vregs.push(o);
                }
            }
        }
        self.machine(inst, &vregs);
        out.unwrap_or_else(|| {
            self.fail(format!("{inst:?} has no result"));
            VReg::new(0, regalloc2::RegClass::Int)
        })
    }

    /// A new vreg of the class of field `i` of `inst`.
    fn new_gpr_or_xmm(&mut self, inst: x64::Inst, i: usize) -> VReg {
        if operands::is_xmm(&inst).get(i).copied().unwrap_or(false) {
            self.new_xmm()
        } else {
            self.new_gpr()
        }
    }

    fn gpr_op(&mut self, inst: x64::Inst, ins: &[Reg]) -> Reg {
        let v: Vec<VReg> = ins.iter().map(|r| r.0).collect();
        Reg(self.op1(inst, &v, false))
    }

    fn xmm_op(&mut self, inst: x64::Inst, ins: &[VReg]) -> Xmm {
        Xmm(self.op1(inst, ins, true))
    }

    fn flags(&mut self, inst: x64::Inst, ins: &[VReg]) -> Flags {
        let mut f = Flags {
            inst,
            ins: [None; 3],
        };
        if ins.len() > f.ins.len() {
            self.fail(format!("too many flag operands for {inst:?}"));
        }
        for (slot, v) in f.ins.iter_mut().zip(ins) {
            *slot = Some(*v);
        }
        f
    }

    /// Emit the flags' instruction (immediately before its consumer). A
    /// flags instruction that also writes a register (`add`) gets a scratch
    /// vreg for it.
    fn emit_flags(&mut self, f: &Flags) {
        let mut vregs = Vec::new();
        let mut it = f.ins.iter().flatten().copied();
        for role in operands::roles(&f.inst) {
            match role {
                Role::Use | Role::FixedUse(_) => vregs.extend(it.next()),
                Role::UseDef => {
                    vregs.extend(it.next());
                    vregs.push(self.new_gpr());
                }
                Role::Def | Role::FixedDef(_) => vregs.push(self.new_gpr()),
            }
        }
        self.machine(f.inst, &vregs);
    }

    /// A 64-bit field of memory 0's `VMMemory` (`vm::MEMORY_BASE`, ...),
    /// loaded through the vmctx into a register, or the register an earlier
    /// load in this block left it in ([`MemCache`]).
    pub fn memory_field(&mut self, offset: i32) -> VReg {
        let end = self.vcode.insts.len();
        let c = &mut self.mem_cache;
        if !self.vcode.insts[c.scanned.min(end)..]
            .iter()
            .all(|i| keeps_memory(&i.inst))
        {
            c.def = None;
            c.fields.clear();
        }
        if let Some(&(_, r)) = self.mem_cache.fields.iter().find(|f| f.0 == offset) {
            self.mem_cache.scanned = end;
            return r;
        }
        let mem = match self.mem_cache.def {
            Some(m) => m,
            None => {
                let vmctx = self.vmctx;
                let mem = self.new_gpr();
                let ops = vec![Operand::reg_use(vmctx), Operand::reg_def(mem)];
                let load = VInst::Load {
                    offset: crate::vm::VMCTX_MEMORY,
                };
                self.push(load, ops, PRegSet::empty());
                mem
            }
        };
        let r = self.new_gpr();
        let ops = vec![Operand::reg_use(mem), Operand::reg_def(r)];
        self.push(VInst::Load { offset }, ops, PRegSet::empty());
        self.mem_cache.def = Some(mem);
        self.mem_cache.fields.push((offset, r));
        self.mem_cache.scanned = self.vcode.insts.len();
        r
    }

    /// Glue for rules that need a trap check: emit `flags`, then trap with
    /// `code` when `cc` holds.
    pub fn trap_if(&mut self, cc: CC, flags: &Flags, code: ir::TrapCode) {
        self.emit_flags(flags);
        let vmctx = self.vmctx;
        self.push(
            VInst::TrapIf { cc, code },
            vec![Operand::reg_use(vmctx)],
            PRegSet::empty(),
        );
    }
}

pub fn preg(g: Gpr) -> regalloc2::PReg {
    regalloc2::PReg::new(usize::from(g.num()), regalloc2::RegClass::Int)
}

pub fn preg_xmm(x: crate::x64::Xmm) -> regalloc2::PReg {
    regalloc2::PReg::new(usize::from(x.num()), regalloc2::RegClass::Float)
}

/// The condition code a `brif` on the i32 `c` jumps on to its first target,
/// through the proven `lower_branch` rules (which emit the flags'
/// instruction).
pub fn lower_branch(ctx: &mut LowerCtx<'_>, c: Value) -> Result<CC, String> {
    let Some(cc) = generated::constructor_lower_branch(ctx, c) else {
        return Err("no proven lowering rule for 'brif' (x86-64)".to_string());
    };
    match ctx.error.take() {
        Some(e) => Err(e),
        None => Ok(cc),
    }
}

/// Lower one value-computing IR instruction through the proven rules.
pub fn lower_inst(ctx: &mut LowerCtx<'_>, inst: ir::Inst) -> Result<(), String> {
    if ctx.folded.get(inst.index()) == Some(&true) {
        // Its only user, the next instruction, checks and accesses.
        return Ok(());
    }
    if ctx.func.inst(inst).opcode == ir::Opcode::Iconst {
        // Materialized at each use that needs a register (`value_reg`).
        return Ok(());
    }
    let data = ctx.func.inst(inst);
    let Some(out) = generated::constructor_lower(ctx, inst) else {
        let ty = data.ty.map_or(String::new(), |t| format!(".{t}"));
        return Err(format!(
            "no proven lowering rule for '{}{ty}' (x86-64)",
            data.opcode.name()
        ));
    };
    if let Some(e) = ctx.error.take() {
        return Err(e);
    }
    match (data.results.as_slice(), out.0) {
        ([], _) => {}
        ([v], Some(r)) => ctx.value_regs[v.index()] = Some(r),
        _ => {
            return Err(format!(
                "the rule for '{}' did not define its result",
                data.opcode.name()
            ));
        }
    }
    Ok(())
}
