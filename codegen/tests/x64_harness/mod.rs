//! Shared by the x86-64 silicon tests: a harness that runs one instruction
//! on the CPU with chosen register contents, the comparison with the spec
//! evaluated by `wasmproof_verifier::concrete`, and input generators.

#![allow(dead_code)]

pub mod values;

use iced_x86::{Code, Encoder, Instruction, MemoryOperand, Register};
use std::path::PathBuf;
use wasmproof_codegen::code_memory::CodeMemory;
use wasmproof_codegen::x64::{CC, Gpr, Inst, Size, Xmm, encode_one};
use wasmproof_verifier::concrete::{ConcreteValue, Evaluator};
use wasmproof_verifier::verdict::{Binding, ModelValue};

/// Where the instruction's result is read.
#[derive(Clone, Copy, Debug)]
pub enum Out {
    Gpr(Gpr),
    Xmm(Xmm),
    /// CF, PF, ZF, SF, OF from RFLAGS.
    Flags,
}

/// One run of one instruction: inputs, outputs, and the spec application
/// for each output.
#[derive(Clone, Debug)]
pub struct Case {
    pub inst: Inst,
    pub gpr_in: Vec<(Gpr, u64)>,
    pub xmm_in: Vec<(Xmm, u128)>,
    /// RFLAGS before the instruction (only the five modelled bits).
    pub flags_in: Option<u64>,
    /// (output, spec term, spec arguments), one per output.
    pub outs: Vec<(Out, &'static str, Vec<ConcreteValue>)>,
}

pub const CF: u64 = 1;
pub const PF: u64 = 1 << 2;
pub const ZF: u64 = 1 << 6;
pub const SF: u64 = 1 << 7;
pub const OF: u64 = 1 << 11;

/// RFLAGS bits <-> the `Flags` model of inst.isle (field order as declared).
pub fn flags_value(rflags: u64) -> ConcreteValue {
    let f = |name: &str, bit: u64| Binding {
        name: name.to_string(),
        value: ModelValue::Bool(rflags & bit != 0),
    };
    ModelValue::Struct(vec![
        f("cf", CF),
        f("pf", PF),
        f("zf", ZF),
        f("sf", SF),
        f("of", OF),
    ])
}

const FLAGS_SLOT: usize = 15;
const XMM_SLOT: usize = 8;

fn mem(base: Register, slot: usize) -> MemoryOperand {
    MemoryOperand::with_base_index_scale_displ_size(base, Register::None, 1, (slot * 8) as i64, 1)
}

fn ins(r: Result<Instruction, iced_x86::IcedError>) -> Instruction {
    r.expect("harness instruction")
}

/// The harness: `fn(inputs: *const u64, outputs: *mut u64)` that loads
/// the inputs, runs the instruction and stores its outputs. Input slots: GPR
/// inputs 0..8, XMM inputs from slot 8 (two each), flags in slot 15. Output
/// slots: in the order of `outs`, two slots each.
fn harness(case: &Case) -> Vec<u8> {
    let mut pre = Vec::new();
    // Callee-saved registers may be operands; the output pointer is kept on
    // the stack because rsi may be one too.
    for r in [
        Register::RBX,
        Register::RBP,
        Register::R12,
        Register::R13,
        Register::R14,
        Register::R15,
        Register::RSI,
    ] {
        pre.push(ins(Instruction::with1(Code::Push_r64, r)));
    }
    if case.flags_in.is_some() {
        pre.push(ins(Instruction::with1(
            Code::Push_rm64,
            mem(Register::RDI, FLAGS_SLOT),
        )));
        pre.push(Instruction::with(Code::Popfq));
    }
    for (j, (x, _)) in case.xmm_in.iter().enumerate() {
        pre.push(ins(Instruction::with2(
            Code::Movdqu_xmm_xmmm128,
            x.iced(),
            mem(Register::RDI, XMM_SLOT + 2 * j),
        )));
    }
    // rdi (the input pointer) is loaded last.
    let mut loads: Vec<(usize, Gpr)> = case.gpr_in.iter().map(|g| g.0).enumerate().collect();
    loads.sort_by_key(|(_, g)| *g == Gpr::RDI);
    for (i, g) in loads {
        pre.push(ins(Instruction::with2(
            Code::Mov_r64_rm64,
            g.iced(64),
            mem(Register::RDI, i),
        )));
    }
    let mut post = Vec::new();
    let mut pushed = Vec::new();
    for (k, (o, _, _)) in case.outs.iter().enumerate() {
        match o {
            Out::Gpr(g) => {
                post.push(ins(Instruction::with1(Code::Push_r64, g.iced(64))));
                pushed.push(k);
            }
            Out::Flags => {
                post.push(Instruction::with(Code::Pushfq));
                pushed.push(k);
            }
            Out::Xmm(_) => {}
        }
    }
    post.push(ins(Instruction::with2(
        Code::Mov_r64_rm64,
        Register::RAX,
        mem(Register::RSP, pushed.len()),
    )));
    for &k in pushed.iter().rev() {
        post.push(ins(Instruction::with1(
            Code::Pop_rm64,
            mem(Register::RAX, 2 * k),
        )));
    }
    for (k, (o, _, _)) in case.outs.iter().enumerate() {
        if let Out::Xmm(x) = o {
            post.push(ins(Instruction::with2(
                Code::Movdqu_xmmm128_xmm,
                mem(Register::RAX, 2 * k),
                x.iced(),
            )));
        }
    }
    for r in [
        Register::RSI,
        Register::R15,
        Register::R14,
        Register::R13,
        Register::R12,
        Register::RBP,
        Register::RBX,
    ] {
        post.push(ins(Instruction::with1(Code::Pop_r64, r)));
    }
    post.push(Instruction::with(Code::Retnq));
    let mut enc = Encoder::new(64);
    for i in &pre {
        enc.encode(i, 0).expect("encode harness");
    }
    let mut code = enc.take_buffer();
    code.extend(encode_one(&case.inst).expect("encode the instruction under test"));
    let mut enc = Encoder::new(64);
    for i in &post {
        enc.encode(i, 0).expect("encode harness");
    }
    code.extend(enc.take_buffer());
    code
}

/// Run the case on the CPU; the value of each output as the spec models it.
pub fn run_on_cpu(case: &Case) -> Vec<ConcreteValue> {
    let mut input = [0u64; 16];
    assert!(case.gpr_in.len() <= 8 && case.xmm_in.len() <= 3);
    for (i, (_, v)) in case.gpr_in.iter().enumerate() {
        input[i] = *v;
    }
    for (j, (_, v)) in case.xmm_in.iter().enumerate() {
        input[XMM_SLOT + 2 * j] = *v as u64;
        input[XMM_SLOT + 2 * j + 1] = (*v >> 64) as u64;
    }
    // Bit 1 of RFLAGS is always set; no other bits (TF, DF...) are touched.
    input[FLAGS_SLOT] = 2 | case.flags_in.unwrap_or(0) & (CF | PF | ZF | SF | OF);
    let mut output = [0u64; 8];
    let code = harness(case);
    let mem = CodeMemory::new(&code).expect("map code");
    // SAFETY: `harness` builds a complete System V function that saves and
    // restores every callee-saved register it uses, touches only input[..16]
    // and output[..2 * outs] (at most 8 slots: asserted by the callers'
    // shapes), leaves the stack balanced and DF clear, and has no branches,
    // so it terminates. `mem` outlives the call.
    let f = unsafe { mem.as_buffer_fn() };
    assert!(case.outs.len() <= 4);
    f(input.as_ptr(), output.as_mut_ptr());
    case.outs
        .iter()
        .enumerate()
        .map(|(k, (o, _, _))| {
            let lo = output[2 * k];
            match o {
                Out::Gpr(_) => ModelValue::BitVec {
                    width: 64,
                    bits: u128::from(lo),
                },
                Out::Xmm(_) => ModelValue::BitVec {
                    width: 128,
                    bits: u128::from(lo) | (u128::from(output[2 * k + 1]) << 64),
                },
                Out::Flags => flags_value(lo),
            }
        })
        .collect()
}

/// Totals of one [`check`] run.
#[derive(Debug, Default)]
pub struct Tally {
    pub executed: usize,
    /// Inputs where the spec says #DE: checked against the spec only.
    pub traps: usize,
}

pub fn evaluator() -> Evaluator {
    // Without these, lzcnt/tzcnt run as bsr/bsf and the comparison would
    // blame the specs for a machine they do not describe.
    let missing = wasmproof_codegen::x64::features::missing();
    assert!(
        missing.is_empty(),
        "this CPU lacks features inst.isle assumes: {missing:?}"
    );
    let rules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../isle-rules");
    // inst.isle uses the shared types (`Type`, `Imm64`) of prelude.isle.
    Evaluator::new(&[rules.join("prelude.isle"), rules.join("x64/inst.isle")])
        .unwrap_or_else(|e| panic!("prelude.isle + inst.isle do not load: {e}"))
}

/// The terms of `div`/`idiv`, whose `require` is the CPU's #DE condition.
pub const DIVISIONS: [&str; 4] = [
    "x64_div_quot",
    "x64_div_rem",
    "x64_idiv_quot",
    "x64_idiv_rem",
];

/// Run every case on the CPU and through its specs; panic listing the
/// disagreements.
pub fn check(ev: &mut Evaluator, cases: &[Case]) -> Tally {
    let mut tally = Tally::default();
    let mut bad = Vec::new();
    for case in cases {
        let mut expected = Vec::new();
        let mut trap = false;
        for (_, term, args) in &case.outs {
            let out = ev
                .eval(term, args)
                .unwrap_or_else(|e| panic!("{term} {args:?}: {e}"));
            // A division's spec requires "no #DE when reached" (the
            // lowering's checks guarantee it); an input violating that is
            // one where the CPU would fault, which is not run.
            if DIVISIONS.contains(term) && !out.violated.is_empty() {
                trap = true;
            } else {
                assert!(
                    out.violated.is_empty(),
                    "generator bug: {term} {args:?} violates {:?}",
                    out.violated
                );
            }
            if let Some((alt, _)) = &out.alternative {
                bad.push(format!(
                    "{term} {args:?}: spec is not deterministic: {:?} or {alt:?}",
                    out.result
                ));
            }
            match out.result {
                Some(r) => expected.push(r),
                None => panic!("{term} {args:?}: the spec has no result"),
            }
        }
        if trap {
            tally.traps += 1;
            continue;
        }
        let got = run_on_cpu(case);
        tally.executed += 1;
        for (((_, term, args), e), g) in case.outs.iter().zip(&expected).zip(&got) {
            if e != g {
                let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
                bad.push(format!(
                    "{term} ({}) as {:?}: spec {e} != cpu {g}",
                    args.join(", "),
                    case.inst
                ));
            }
        }
    }
    if !bad.is_empty() {
        let n = bad.len();
        bad.truncate(20);
        panic!(
            "{n} disagreements between spec and CPU:\n{}",
            bad.join("\n")
        );
    }
    tally
}

/// Run a `jcc` to a trap landing (`Inst::Jcc` with `rel` 5) under the
/// given flags: true when the branch is taken. The code is
/// `mov rax, [rdi]; push rax; popfq; mov eax, 1; <jcc +5>; mov eax, 0;
/// landing: mov [rsi], rax; ret`, so the landing sees 1 only when jumped to.
pub fn run_trap_if(inst: &Inst, flags: u64) -> bool {
    assert!(matches!(inst, Inst::Jcc { rel: 5, .. }), "{inst:?}");
    let mut code = vec![0x48, 0x8b, 0x07, 0x50, 0x9d, 0xb8, 1, 0, 0, 0];
    code.extend(encode_one(inst).expect("encode jcc"));
    code.extend([0xb8, 0, 0, 0, 0, 0x48, 0x89, 0x06, 0xc3]);
    let input = [2 | flags & (CF | PF | ZF | SF | OF)];
    let mut output = [0u64; 1];
    let mem = CodeMemory::new(&code).expect("map code");
    // SAFETY: the code above reads input[0], writes output[0], uses only
    // rax and the flags (caller-saved), leaves the stack balanced, and both
    // paths of its one forward branch reach the `ret`. `mem` outlives the
    // call.
    let f = unsafe { mem.as_buffer_fn() };
    f(input.as_ptr(), output.as_mut_ptr());
    output[0] == 1
}

/// An evaluator of prelude.isle + x64/inst.isle in which the memory bytes a
/// load reads (`mem_bytes`, a free state) are pinned to `mem`.
pub fn evaluator_with_memory(mem: u64) -> Evaluator {
    let rules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../isle-rules");
    let prelude = std::fs::read_to_string(rules.join("prelude.isle")).expect("prelude.isle");
    let inst = std::fs::read_to_string(rules.join("x64/inst.isle")).expect("inst.isle");
    let free = "(state mem_bytes (type (bv 64)) (default true))";
    assert!(
        prelude.contains(free),
        "prelude.isle no longer declares {free}"
    );
    let pinned = prelude.replace(
        free,
        &format!("(state mem_bytes (type (bv 64)) (default (= mem_bytes #x{mem:016x})))"),
    );
    Evaluator::from_sources(&[("prelude.isle", &pinned), ("x64/inst.isle", &inst)])
        .unwrap_or_else(|e| panic!("pinned prelude.isle + inst.isle do not load: {e}"))
}

/// The registers [`run_memory`] may use: caller-saved, not rsi or rsp
/// (rax, rcx, rdx, rdi, r8-r11).
pub const MEMORY_REGS: [u8; 8] = [0, 1, 2, 7, 8, 9, 10, 11];

/// Run one `Inst::Load` or `Inst::Store` on an 8-byte buffer holding `contents`,
/// with `other` first placed in the load's destination (to see what the
/// load leaves of it) or the store's source. Returns the destination
/// register after a load (0 for a store), the buffer after, and the address
/// the instruction was given. Destination/source and base must differ and
/// be caller-saved registers other than rsi (which holds the output). The
/// `*Idx` forms get `index_value` in their index register and the base that
/// makes `base + index + disp` the buffer; none of their registers may be
/// rdi.
pub fn run_memory(inst: &Inst, contents: u64, other: u64, index_value: u64) -> (u64, u64, u64) {
    let (base, reg, index) = match *inst {
        Inst::Load { dst, base, .. } => (base, dst, None),
        Inst::Store { base, src, .. } => (base, src, None),
        Inst::LoadIdx {
            dst,
            base,
            index,
            disp,
            ..
        } => (base, dst, Some((index, disp))),
        Inst::StoreIdx {
            base,
            index,
            disp,
            src,
            ..
        } => (base, src, Some((index, disp))),
        _ => panic!("not a memory access: {inst:?}"),
    };
    assert!(
        base != reg && MEMORY_REGS.contains(&base.num()) && MEMORY_REGS.contains(&reg.num()),
        "{inst:?}"
    );
    let mut buf = [contents, other];
    let mut out = [0u64; 1];
    // rdi = &buf: base := rdi (less index + disp); reg := buf[1] (through
    // rdi, after: reg may be rdi); the access; out[0] := reg.
    let load_reg = ins(Instruction::with2(
        Code::Mov_r64_rm64,
        reg.iced(64),
        mem(Register::RDI, 1),
    ));
    let mut pre = vec![];
    if let Some((index, _)) = index {
        assert!(
            ![index, reg].contains(&Gpr::RDI) && index != reg,
            "{inst:?}"
        );
    }
    point_base_at_rdi(&mut pre, base, index, index_value, inst);
    pre.push(load_reg);
    let post = [
        ins(Instruction::with2(
            Code::Mov_rm64_r64,
            mem(Register::RSI, 0),
            reg.iced(64),
        )),
        Instruction::with(Code::Retnq),
    ];
    let code = around(&pre, inst, &post);
    let map = CodeMemory::new(&code).expect("map code");
    let addr = buf.as_ptr() as u64;
    // SAFETY: the code reads buf[0..2] through rdi (a valid, writable
    // 16-byte buffer we own: passed as *const, but writes go through the
    // pointer of the mutable array), writes at most 8 bytes at buf[0] and
    // out[0], touches only caller-saved registers (asserted above) and has no
    // branches or stack use. `map` and both buffers outlive the call.
    let f = unsafe { map.as_buffer_fn() };
    f(buf.as_mut_ptr().cast_const(), out.as_mut_ptr());
    assert_eq!(buf[1], other, "the access touched the next word");
    let reg_after = if matches!(inst, Inst::Load { .. } | Inst::LoadIdx { .. }) {
        out[0]
    } else {
        0
    };
    (reg_after, buf[0], addr)
}

/// Run one `Inst::LoadXmm`/`StoreXmm` (or the `*Idx` forms) on an 8-byte
/// word holding `contents` (followed by a guard word), with `other` (all
/// 128 bits) first placed in the XMM register. An `*Idx` form gets
/// `index_value` in its index register and the base that makes `base +
/// index + disp` the word's address. Returns the XMM register after, the
/// word after, and the address. Base and index must be distinct
/// [`MEMORY_REGS`], and not rdi for an `*Idx` form.
pub fn run_memory_xmm(
    inst: &Inst,
    contents: u64,
    other: u128,
    index_value: u64,
) -> (u128, u64, u64) {
    let (base, x, index) = match *inst {
        Inst::LoadXmm { dst, base, .. } => (base, dst, None),
        Inst::StoreXmm { base, src, .. } => (base, src, None),
        Inst::LoadXmmIdx {
            dst,
            base,
            index,
            disp,
            ..
        } => (base, dst, Some((index, disp))),
        Inst::StoreXmmIdx {
            base,
            index,
            disp,
            src,
            ..
        } => (base, src, Some((index, disp))),
        _ => panic!("not an XMM memory access: {inst:?}"),
    };
    assert!(MEMORY_REGS.contains(&base.num()), "{inst:?}");
    const GUARD: u64 = 0x5a5a_5a5a_a5a5_a5a5;
    let buf = [contents, GUARD, other as u64, (other >> 64) as u64];
    let mut out = [0u64; 2];
    // rdi = &buf: base := rdi (less index + disp); x := buf[2..4]; the
    // access; out := x.
    let mut pre = vec![ins(Instruction::with2(
        Code::Movdqu_xmm_xmmm128,
        x.iced(),
        mem(Register::RDI, 2),
    ))];
    point_base_at_rdi(&mut pre, base, index, index_value, inst);
    let post = [
        ins(Instruction::with2(
            Code::Movdqu_xmmm128_xmm,
            mem(Register::RSI, 0),
            x.iced(),
        )),
        Instruction::with(Code::Retnq),
    ];
    let code = around(&pre, inst, &post);
    let map = CodeMemory::new(&code).expect("map code");
    let mut buf = buf;
    let addr = buf.as_ptr() as u64;
    // SAFETY: the code reads buf[0..4] through rdi (a valid, writable
    // 32-byte buffer we own), writes at most 8 bytes at buf[0] and 16 at
    // out (16 bytes), touches only caller-saved registers (XMM registers
    // are all caller-saved; the base is asserted above) and has no branches
    // or stack use. `map` and both buffers outlive the call.
    let f = unsafe { map.as_buffer_fn() };
    f(buf.as_mut_ptr().cast_const(), out.as_mut_ptr());
    assert_eq!(buf[1], GUARD, "the access touched the next word");
    let x_after = u128::from(out[0]) | (u128::from(out[1]) << 64);
    (x_after, buf[0], addr)
}

/// Run `x64_idiv_rem_unless`'s sequence under `flags`: rdx := other,
/// rax := lo, rcx := d; `jcc done; cqo|cdq; idiv rcx; done:`. Returns rdx.
/// The caller makes sure the division, when reached, cannot fault.
pub fn run_idiv_rem_unless(cc: CC, size: Size, flags: u64, other: u64, lo: u64, d: u64) -> u64 {
    let divide = [
        Inst::SignExtendAx { size },
        Inst::Div {
            signed: true,
            size,
            divisor: Gpr::RCX,
        },
    ];
    let body = wasmproof_codegen::x64::encode(&divide).expect("encode cqo; idiv");
    let skip = Inst::Jcc {
        cc,
        rel: i32::try_from(body.len()).expect("short"),
    };
    let input = [2 | flags & (CF | PF | ZF | SF | OF), other, lo, d];
    let mut out = [0u64; 1];
    let pre = [
        ins(Instruction::with2(
            Code::Mov_r64_rm64,
            Register::RDX,
            mem(Register::RDI, 1),
        )),
        ins(Instruction::with2(
            Code::Mov_r64_rm64,
            Register::RAX,
            mem(Register::RDI, 2),
        )),
        ins(Instruction::with2(
            Code::Mov_r64_rm64,
            Register::RCX,
            mem(Register::RDI, 3),
        )),
        ins(Instruction::with1(Code::Push_rm64, mem(Register::RDI, 0))),
        Instruction::with(Code::Popfq),
    ];
    let post = [
        ins(Instruction::with2(
            Code::Mov_rm64_r64,
            mem(Register::RSI, 0),
            Register::RDX,
        )),
        Instruction::with(Code::Retnq),
    ];
    let mut enc = Encoder::new(64);
    for i in &pre {
        enc.encode(i, 0).expect("encode harness");
    }
    let mut code = enc.take_buffer();
    code.extend(encode_one(&skip).expect("encode jcc"));
    code.extend(body);
    let mut enc = Encoder::new(64);
    for i in &post {
        enc.encode(i, 0).expect("encode harness");
    }
    code.extend(enc.take_buffer());
    let map = CodeMemory::new(&code).expect("map code");
    // SAFETY: reads input[0..4], writes out[0]; uses rax, rcx, rdx and the
    // flags (caller-saved); the stack is balanced (push; popfq); the one
    // branch jumps forward to the epilogue. The caller guarantees the
    // `idiv`, when reached, does not fault. `map` and the buffers outlive
    // the call.
    let f = unsafe { map.as_buffer_fn() };
    f(input.as_ptr(), out.as_mut_ptr());
    out[0]
}

/// Appends to `pre` what makes the access's address `rdi` (the buffer):
/// `base := rdi`, or with an index, `index := index_value` and
/// `base := rdi - (index_value + disp)`, so `base + index + disp = rdi`.
fn point_base_at_rdi(
    pre: &mut Vec<Instruction>,
    base: Gpr,
    index: Option<(Gpr, i32)>,
    index_value: u64,
    inst: &Inst,
) {
    let Some((index, disp)) = index else {
        pre.push(ins(Instruction::with2(
            Code::Mov_r64_rm64,
            base.iced(64),
            Register::RDI,
        )));
        return;
    };
    assert!(
        index != base && MEMORY_REGS.contains(&index.num()) && ![base, index].contains(&Gpr::RDI),
        "{inst:?}"
    );
    let bias = index_value
        .wrapping_add(i64::from(disp) as u64)
        .wrapping_neg();
    pre.push(ins(Instruction::with2(
        Code::Mov_r64_imm64,
        index.iced(64),
        index_value,
    )));
    pre.push(ins(Instruction::with2(
        Code::Mov_r64_imm64,
        base.iced(64),
        bias,
    )));
    pre.push(ins(Instruction::with2(
        Code::Add_rm64_r64,
        base.iced(64),
        Register::RDI,
    )));
}

/// The harness instructions `pre`, the instruction under test (by our
/// encoder), then `post`, as one piece of code.
fn around(pre: &[Instruction], inst: &Inst, post: &[Instruction]) -> Vec<u8> {
    let harness = |insts: &[Instruction]| {
        let mut enc = Encoder::new(64);
        for i in insts {
            enc.encode(i, 0).expect("encode harness");
        }
        enc.take_buffer()
    };
    let mut code = harness(pre);
    code.extend(encode_one(inst).expect("encode the access under test"));
    code.extend(harness(post));
    code
}
