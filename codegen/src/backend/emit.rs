//! Allocated [`VCode`] -> x86-64 through iced-x86's code assembler (which
//! resolves labels), one function at a time into its own buffer: calls to
//! other functions and the jump to the trap landing are left to
//! `link.rs`. Rule-produced instructions are encoded by `x64::encode`
//! after their register fields are filled from the allocation
//! (`operands.rs`); the glue is written here.
//!
//! Frame (rsp is fixed after the prologue):
//!
//! ```text
//! [rbp + 16 + 8k]  stack argument k
//! [rbp + 8]        return address
//! [rbp]            caller's rbp
//! [rbp - 8(i+1)]   callee-saved register i
//! ...
//! [rsp + outgoing + 8n]            spill slot n
//! [rsp + 8 * max_stack_args + 8i]  call result i (multi-value callees)
//! [rsp + 8k]                       outgoing stack argument k
//! ```

use iced_x86::IcedError;
use iced_x86::code_asm::*;
use regalloc2::{Allocation, Edit, InstOrEdit, Output, RegClass};

use super::assemble::Assembler;
use super::layout;
use super::link::{CALL_REL32, FuncCode, JMP_REL32, Reloc, RelocTarget};
use super::operands::{self, Field, Role};
use super::vcode::{Area, CallTarget, VCode, VInst};
use crate::ir::{TrapCode, Type};
use crate::vm;
use crate::x64::{CC, Gpr, Xmm, encode};

pub const G64: [AsmRegister64; 16] = [
    rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15,
];
pub const G32: [AsmRegister32; 16] = [
    eax, ecx, edx, ebx, esp, ebp, esi, edi, r8d, r9d, r10d, r11d, r12d, r13d, r14d, r15d,
];
pub const XMM: [AsmRegisterXmm; 16] = [
    xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7, xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14,
    xmm15,
];

/// An emission failure (an internal error, reported as a lowering error).
#[derive(Debug)]
pub struct EmitError(pub String);

impl From<IcedError> for EmitError {
    fn from(e: IcedError) -> Self {
        EmitError(e.to_string())
    }
}

impl From<encode::EncodeError> for EmitError {
    fn from(e: encode::EncodeError) -> Self {
        EmitError(e.to_string())
    }
}

pub type R<T = ()> = Result<T, EmitError>;

/// Jump on `cc` to `label`.
pub fn jcc(a: &mut CodeAssembler, cc: CC, l: CodeLabel) -> R {
    match cc {
        CC::O => a.jo(l),
        CC::NO => a.jno(l),
        CC::B => a.jb(l),
        CC::AE => a.jae(l),
        CC::E => a.je(l),
        CC::NE => a.jne(l),
        CC::BE => a.jbe(l),
        CC::A => a.ja(l),
        CC::S => a.js(l),
        CC::NS => a.jns(l),
        CC::P => a.jp(l),
        CC::NP => a.jnp(l),
        CC::L => a.jl(l),
        CC::GE => a.jge(l),
        CC::LE => a.jle(l),
        CC::G => a.jg(l),
    }?;
    Ok(())
}

/// Jump to the trap landing with `code`; `ctx` holds a context pointer
/// (its first field is the store), `site` labels the trapping instruction.
pub fn trap_stub(
    a: &mut CodeAssembler,
    ctx: AsmRegister64,
    code: u32,
    site: CodeLabel,
    landing: CodeLabel,
) -> R {
    if ctx != r10 {
        a.mov(r10, ctx)?;
    }
    a.mov(r11d, code)?;
    a.lea(rax, ptr(site))?;
    a.jmp(landing)?;
    Ok(())
}

struct Frame {
    /// Bytes the prologue subtracts from rsp after `push rbp`.
    size: i32,
    callee_saved: Vec<u8>,
    spill_base: i32,
    results_area: i32,
}

/// Encode one allocated function at offset 0 of its own buffer. `a` and
/// `asm` are scratch (reset here, kept for their capacity); a direct call
/// names the defined function `f - num_imports` (below `num_funcs`).
pub fn emit_function(
    a: &mut CodeAssembler,
    asm: &mut Assembler,
    vcode: &VCode,
    out: &Output,
    num_imports: u32,
    num_funcs: u32,
) -> R<FuncCode> {
    a.reset();
    let mut landing = a.create_label();
    let frame = frame(vcode, out);
    let mut e = Emitter {
        a,
        vcode,
        out,
        frame,
        num_imports,
        num_funcs,
        landing,
        relocs: Vec::new(),
        blocks: Vec::new(),
        target: layout::forwarding(vcode, out),
        next: Vec::new(),
        stubs: Vec::new(),
        block_label: (usize::MAX, CodeLabel::default()),
    };
    e.next = layout::next_emitted(&e.target);
    e.blocks = (0..vcode.blocks.len())
        .map(|_| e.a.create_label())
        .collect();
    e.prologue()?;
    for b in 0..vcode.blocks.len() {
        // A bare-jump block is never emitted: its users jump straight to
        // where it leads.
        if e.target[b] != b {
            continue;
        }
        // iced allows one label per instruction: a block whose code was
        // all elided leaves its label on a zero-length instruction.
        if e.block_label.0 == e.a.instructions().len() {
            e.a.zero_bytes()?;
        }
        let mut label = e.blocks[b];
        e.a.set_label(&mut label)?;
        e.blocks[b] = label;
        e.block_label = (e.a.instructions().len(), label);
        for item in out.block_insts_and_edits(vcode, regalloc2::Block::new(b)) {
            match item {
                InstOrEdit::Edit(Edit::Move { from, to }) => e.mov(*from, *to)?,
                InstOrEdit::Inst(i) => e.inst(b, i.index())?,
            }
        }
    }
    for (mut label, site, code, ctx) in std::mem::take(&mut e.stubs) {
        e.a.set_label(&mut label)?;
        trap_stub(e.a, ctx, code, site, landing)?;
    }
    // Every function has a trap stub (the stack check's), so every
    // function ends with the one far jump to the module's trap landing.
    e.a.set_label(&mut landing)?;
    e.rel32(JMP_REL32, RelocTarget::Landing)?;
    let relocs = std::mem::take(&mut e.relocs);
    let (bytes, offsets) = asm.assemble(a.instructions())?;
    let relocs = relocs
        .into_iter()
        .map(|(inst, target)| Reloc {
            at: offsets[inst] + 1,
            target,
        })
        .collect();
    Ok(FuncCode { bytes, relocs })
}

fn frame(vcode: &VCode, out: &Output) -> Frame {
    let mut used = [false; 16];
    let mut mark = |a: Allocation| {
        if let Some(p) = a.as_reg()
            && p.class() == RegClass::Int
        {
            used[p.hw_enc()] = true;
        }
    };
    out.allocs.iter().for_each(|&a| mark(a));
    for (_, Edit::Move { from, to }) in &out.edits {
        mark(*from);
        mark(*to);
    }
    let callee_saved: Vec<u8> = super::abi::CALLEE_SAVED
        .iter()
        .copied()
        .filter(|&n| used[usize::from(n)])
        .collect();
    let outgoing = 8 * (vcode.max_stack_args + vcode.max_call_results) as i32;
    let spills = 8 * out.num_spillslots as i32;
    let saves = 8 * callee_saved.len() as i32;
    let size = (outgoing + spills + saves + 15) & !15;
    Frame {
        size,
        callee_saved,
        spill_base: outgoing,
        results_area: 8 * vcode.max_stack_args as i32,
    }
}

struct Emitter<'a> {
    a: &'a mut CodeAssembler,
    vcode: &'a VCode,
    out: &'a Output,
    frame: Frame,
    num_imports: u32,
    num_funcs: u32,
    /// The function's jump to the trap landing.
    landing: CodeLabel,
    /// Rel32s for `link.rs`: (instruction index, target).
    relocs: Vec<(usize, RelocTarget)>,
    blocks: Vec<CodeLabel>,
    /// Per block, the block its label resolves to (`layout::forwarding`).
    target: Vec<usize>,
    /// Per block, the next block emitted after it (`usize::MAX`: none).
    next: Vec<usize>,
    /// Out-of-line trap stubs: (label, trapping site, code, vmctx register).
    stubs: Vec<(CodeLabel, CodeLabel, u32, AsmRegister64)>,
    /// The last block label and the instruction index it labels (iced
    /// allows one label per instruction).
    block_label: (usize, CodeLabel),
}

fn gpr_of(a: Allocation) -> R<usize> {
    match a.as_reg() {
        Some(p) if p.class() == RegClass::Int => Ok(p.hw_enc()),
        _ => Err(EmitError(format!("expected a general register, got {a}"))),
    }
}

fn xmm_of(a: Allocation) -> R<usize> {
    match a.as_reg() {
        Some(p) if p.class() == RegClass::Float => Ok(p.hw_enc()),
        _ => Err(EmitError(format!("expected an XMM register, got {a}"))),
    }
}

fn code(c: TrapCode) -> u32 {
    c as u32
}

impl Emitter<'_> {
    fn slot(&self, a: Allocation) -> R<AsmMemoryOperand> {
        match a.as_stack() {
            Some(s) => Ok(qword_ptr(
                rsp + self.frame.spill_base + 8 * s.index() as i32,
            )),
            None => Err(EmitError(format!("expected a stack slot, got {a}"))),
        }
    }

    fn prologue(&mut self) -> R {
        let a = &mut *self.a;
        a.push(rbp)?;
        a.mov(rbp, rsp)?;
        // Stack limit: trap before the frame would cross it (rdi = vmctx).
        let mut site = a.create_label();
        let stub = a.create_label();
        a.set_label(&mut site)?;
        a.mov(r11, qword_ptr(rdi + vm::VMCTX_STORE))?;
        a.lea(r10, qword_ptr(rsp - self.frame.size))?;
        a.cmp(r10, qword_ptr(r11 + vm::STORE_STACK_LIMIT))?;
        a.jb(stub)?;
        self.stubs
            .push((stub, site, code(TrapCode::StackOverflow), rdi));
        if self.frame.size > 0 {
            a.sub(rsp, self.frame.size)?;
        }
        for (i, &n) in self.frame.callee_saved.iter().enumerate() {
            a.mov(qword_ptr(rbp - 8 * (i as i32 + 1)), G64[usize::from(n)])?;
        }
        Ok(())
    }

    fn epilogue(&mut self) -> R {
        for (i, &n) in self.frame.callee_saved.iter().enumerate() {
            self.a
                .mov(G64[usize::from(n)], qword_ptr(rbp - 8 * (i as i32 + 1)))?;
        }
        self.a.mov(rsp, rbp)?;
        self.a.pop(rbp)?;
        self.a.ret()?;
        Ok(())
    }

    /// A move the allocator inserted. Never touches the flags.
    fn mov(&mut self, from: Allocation, to: Allocation) -> R {
        let a = &mut *self.a;
        match (from.as_reg(), to.as_reg()) {
            (Some(f), Some(t)) => match f.class() {
                RegClass::Float => a.movaps(XMM[t.hw_enc()], XMM[f.hw_enc()])?,
                _ => a.mov(G64[t.hw_enc()], G64[f.hw_enc()])?,
            },
            (Some(f), None) => {
                let m = self.slot(to)?;
                match f.class() {
                    RegClass::Float => self.a.movq(m, XMM[f.hw_enc()])?,
                    _ => self.a.mov(m, G64[f.hw_enc()])?,
                }
            }
            (None, Some(t)) => {
                let m = self.slot(from)?;
                match t.class() {
                    RegClass::Float => self.a.movq(XMM[t.hw_enc()], m)?,
                    _ => self.a.mov(G64[t.hw_enc()], m)?,
                }
            }
            (None, None) => {
                let (f, t) = (self.slot(from)?, self.slot(to)?);
                self.a.mov(r10, f)?;
                self.a.mov(t, r10)?;
            }
        }
        Ok(())
    }

    /// The block successor `succ` of `block` resolves to.
    fn succ(&self, block: usize, succ: usize) -> R<usize> {
        self.vcode.blocks[block]
            .succs
            .get(succ)
            .map(|b| self.target[b.index()])
            .ok_or_else(|| EmitError(format!("block {block} has no successor {succ}")))
    }

    fn label(&self, block: usize, succ: usize) -> R<CodeLabel> {
        Ok(self.blocks[self.succ(block, succ)?])
    }

    /// Whether successor `succ` of `block` is the code right after it.
    fn falls_to(&self, block: usize, succ: usize) -> R<bool> {
        Ok(self.succ(block, succ)? == self.next[block])
    }

    /// A trap check: `j<cc>` to an out-of-line stub.
    fn trap_if(&mut self, cc: CC, c: TrapCode, vmctx: usize) -> R {
        let mut site = self.a.create_label();
        let stub = self.a.create_label();
        self.a.set_label(&mut site)?;
        jcc(self.a, cc, stub)?;
        self.stubs.push((stub, site, code(c), G64[vmctx]));
        Ok(())
    }

    fn inst(&mut self, block: usize, i: usize) -> R {
        let data = &self.vcode.insts[i];
        let allocs = self.out.inst_allocs(regalloc2::Inst::new(i));
        let g = |k: usize| -> R<usize> { gpr_of(allocs[k]) };
        let x = |k: usize| -> R<usize> { xmm_of(allocs[k]) };
        match data.inst {
            VInst::Machine(m) => {
                let mut m = m;
                let mut k = 0;
                for (field, role) in operands::fields(&mut m) {
                    // `UseDef`: the output's register (the same as the input's).
                    let at = if role == Role::UseDef { k + 1 } else { k };
                    match field {
                        Field::G(r) => *r = gpr_num(g(at)?),
                        Field::X(r) => *r = xmm_num(x(at)?),
                        Field::None => {}
                    }
                    k += role.vregs();
                }
                let inst = encode::to_iced(&m)?;
                self.a.add_instruction(inst)?;
            }
            VInst::Args => {}
            VInst::StackArg { index, ty } => {
                let m = qword_ptr(rbp + 16 + 8 * index as i32);
                if ty.is_int() {
                    self.a.mov(G64[g(0)?], m)?;
                } else {
                    self.a.movq(XMM[x(0)?], m)?;
                }
            }
            VInst::Jump => {
                if !self.falls_to(block, 0)? {
                    let l = self.label(block, 0)?;
                    self.a.jmp(l)?;
                }
            }
            VInst::Brif { cc } => {
                let then = (self.label(block, 0)?, self.falls_to(block, 0)?);
                let els = (self.label(block, 1)?, self.falls_to(block, 1)?);
                layout::brif(self.a, cc, then, els)?;
            }
            VInst::BrTable => {
                let idx = G32[g(0)?];
                let n = self.vcode.blocks[block].succs.len();
                let labels = (0..n)
                    .map(|k| self.label(block, k))
                    .collect::<R<Vec<_>>>()?;
                // Out of range (unsigned): the default; then a binary
                // search over the cases.
                if n > 1 {
                    self.a.cmp(idx, (n - 1) as i32)?;
                    self.a.jae(labels[0])?;
                    layout::search(self.a, idx, &labels[1..], 0)?;
                } else {
                    self.a.jmp(labels[0])?;
                }
            }
            VInst::Ret => self.epilogue()?,
            VInst::StoreResult { index, ty } => {
                let m = qword_ptr(G64[g(0)?] + 8 * index as i32);
                self.store_slot(m, ty, allocs[1])?;
            }
            VInst::Trap { code: c } => {
                let site = if self.block_label.0 == self.a.instructions().len() {
                    self.block_label.1
                } else {
                    let mut site = self.a.create_label();
                    self.a.set_label(&mut site)?;
                    site
                };
                trap_stub(self.a, G64[g(0)?], code(c), site, self.landing)?;
            }
            VInst::TrapIf { cc, code: c } => self.trap_if(cc, c, g(0)?)?,
            VInst::IdivRemUnless { cc, size } => {
                let divisor = gpr_num(g(0)?);
                let mut done = self.a.create_label();
                jcc(self.a, cc, done)?;
                for m in [
                    crate::x64::inst::Inst::SignExtendAx { size },
                    crate::x64::inst::Inst::Div {
                        signed: true,
                        size,
                        divisor,
                    },
                ] {
                    self.a.add_instruction(encode::to_iced(&m)?)?;
                }
                self.a.set_label(&mut done)?;
                self.a.zero_bytes()?;
            }
            VInst::FuelCheck => {
                let v = g(0)?;
                self.a.mov(r11, qword_ptr(G64[v] + vm::VMCTX_STORE))?;
                self.a.sub(qword_ptr(r11 + vm::STORE_FUEL), 1)?;
                self.trap_if(CC::S, TrapCode::OutOfFuel, v)?;
            }
            VInst::EpochCheck => {
                let v = g(0)?;
                self.a.mov(r11, qword_ptr(G64[v] + vm::VMCTX_STORE))?;
                self.a.mov(r10, qword_ptr(r11 + vm::STORE_EPOCH_COUNTER))?;
                self.a.mov(r10, qword_ptr(r10))?;
                self.a.cmp(r10, qword_ptr(r11 + vm::STORE_EPOCH_DEADLINE))?;
                self.trap_if(CC::AE, TrapCode::Interrupted, v)?;
            }
            VInst::GlobalGet { index, ty } => {
                self.global_addr(g(0)?, index)?;
                load_value(self.a, allocs[1], ty, qword_ptr(r11))?;
            }
            VInst::GlobalSet { index, ty } => {
                self.global_addr(g(0)?, index)?;
                self.store_slot(qword_ptr(r11), ty, allocs[1])?;
            }
            VInst::FrameAddr(Area::CallResults) => {
                self.a
                    .lea(G64[g(0)?], qword_ptr(rsp + self.frame.results_area))?;
            }
            VInst::LoadResult { index, ty } => {
                let m = qword_ptr(rsp + self.frame.results_area + 8 * index as i32);
                load_value(self.a, allocs[0], ty, m)?;
            }
            VInst::StoreArg { slot, ty } => {
                self.store_slot(qword_ptr(rsp + 8 * slot as i32), ty, allocs[0])?;
            }
            VInst::FuncRef { index } => {
                let d = G64[g(1)?];
                self.a.mov(d, qword_ptr(G64[g(0)?] + vm::VMCTX_FUNCS))?;
                self.a.add(d, vm::FUNCREF_SIZE * index as i32)?;
            }
            VInst::Load { offset } => {
                self.a.mov(G64[g(1)?], qword_ptr(G64[g(0)?] + offset))?;
            }
            VInst::TableLookup { table, type_index } => {
                let (v, idx, d) = (g(0)?, g(1)?, g(2)?);
                let a = &mut *self.a;
                a.mov(r11, qword_ptr(G64[v] + vm::VMCTX_TABLES))?;
                a.mov(r11, qword_ptr(r11 + 8 * table as i32))?;
                a.mov(r10d, G32[idx])?;
                a.cmp(r10, qword_ptr(r11 + vm::TABLE_LEN))?;
                self.trap_if(CC::AE, TrapCode::UndefinedElement, v)?;
                let a = &mut *self.a;
                a.mov(r11, qword_ptr(r11 + vm::TABLE_ELEMS))?;
                a.mov(r11, qword_ptr(r11 + r10 * 8))?;
                a.test(r11, r11)?;
                self.trap_if(CC::E, TrapCode::UninitializedElement, v)?;
                let a = &mut *self.a;
                a.mov(r10, qword_ptr(G64[v] + vm::VMCTX_TYPE_IDS))?;
                a.mov(r10, qword_ptr(r10 + 8 * type_index as i32))?;
                a.cmp(r10, qword_ptr(r11 + vm::FUNCREF_TYPE_ID))?;
                self.trap_if(CC::NE, TrapCode::IndirectCallTypeMismatch, v)?;
                self.a.mov(G64[d], r11)?;
            }
            VInst::Call(target) => match target {
                CallTarget::Direct(f) => {
                    let i = f
                        .checked_sub(self.num_imports)
                        .filter(|&i| i < self.num_funcs)
                        .ok_or_else(|| EmitError(format!("call to unknown function {f}")))?;
                    self.rel32(CALL_REL32, RelocTarget::Func(i))?;
                }
                CallTarget::FuncRef => {
                    self.a.call(qword_ptr(G64[g(0)?] + vm::FUNCREF_NATIVE))?;
                }
                CallTarget::MemoryGrow => {
                    self.a.mov(r11, qword_ptr(rdi + vm::VMCTX_LIBCALLS))?;
                    self.a.call(qword_ptr(r11 + vm::LIBCALL_MEMORY_GROW))?;
                }
            },
        }
        Ok(())
    }

    /// `opcode rel32` with the rel32 left to the linker.
    fn rel32(&mut self, opcode: u8, target: RelocTarget) -> R {
        self.relocs.push((self.a.instructions().len(), target));
        self.a.db(&[opcode, 0, 0, 0, 0])?;
        Ok(())
    }

    /// r11 := the address of global `index`'s slot.
    fn global_addr(&mut self, vmctx: usize, index: u32) -> R {
        self.a.mov(r11, qword_ptr(G64[vmctx] + vm::VMCTX_GLOBALS))?;
        self.a.mov(r11, qword_ptr(r11 + 8 * index as i32))?;
        Ok(())
    }

    /// Store a value into an 8-byte slot, zero-extending 32-bit values.
    fn store_slot(&mut self, m: AsmMemoryOperand, ty: Type, v: Allocation) -> R {
        store_value(self.a, m, ty, v)
    }
}

/// `[m] := v` as an 8-byte slot (i32/f32 zero-extended).
pub fn store_value(a: &mut CodeAssembler, m: AsmMemoryOperand, ty: Type, v: Allocation) -> R {
    match ty {
        Type::I32 => {
            a.mov(r10d, G32[gpr_of(v)?])?;
            a.mov(m, r10)?;
        }
        Type::I64 => a.mov(m, G64[gpr_of(v)?])?,
        Type::F32 => {
            a.movd(r10d, XMM[xmm_of(v)?])?;
            a.mov(m, r10)?;
        }
        Type::F64 => a.movq(m, XMM[xmm_of(v)?])?,
    }
    Ok(())
}

/// `v := [m]` (an 8-byte slot).
pub fn load_value(a: &mut CodeAssembler, v: Allocation, ty: Type, m: AsmMemoryOperand) -> R {
    if ty.is_int() {
        a.mov(G64[gpr_of(v)?], m)?;
    } else {
        a.movq(XMM[xmm_of(v)?], m)?;
    }
    Ok(())
}

fn gpr_num(n: usize) -> Gpr {
    Gpr::all().nth(n).unwrap_or(Gpr::RAX)
}

fn xmm_num(n: usize) -> Xmm {
    Xmm::all().nth(n).unwrap_or_else(|| super::abi::xmm(0))
}
