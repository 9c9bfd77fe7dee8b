//! The encoder (iced-x86) cross-checked by an independent disassembler,
//! yaxpeax-x86: every instruction form, with every register choice
//! (r8-r15 and their REX needs, spl/bpl/sil/dil, rsp/rbp/r12/r13 as
//! address bases) and edge immediates, must decode to exactly the bytes
//! emitted and print as the instruction we meant.

use wasmproof_codegen::x64::inst::{
    AluOp, CountOp, ExtFrom, Float, LoadOp, ShiftOp, SseOp, UnaryOp,
};
use wasmproof_codegen::x64::{CC, Gpr, Inst, Size, Xmm, encode_one};
use yaxpeax_arch::LengthedInstruction;
use yaxpeax_x86::long_mode::InstDecoder;

const R64: [&str; 16] = [
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
    "r14", "r15",
];
const R32: [&str; 16] = [
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d",
    "r13d", "r14d", "r15d",
];
const R16: [&str; 16] = [
    "ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w",
    "r14w", "r15w",
];
const R8: [&str; 16] = [
    "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b",
    "r13b", "r14b", "r15b",
];
/// yaxpeax's names for the condition codes, by encoding.
const SETCC: [&str; 16] = [
    "seto", "setno", "setb", "setae", "setz", "setnz", "setbe", "seta", "sets", "setns", "setp",
    "setnp", "setl", "setge", "setle", "setg",
];
const JCC: [&str; 16] = [
    "jo", "jno", "jb", "jnb", "jz", "jnz", "jna", "ja", "js", "jns", "jp", "jnp", "jl", "jge",
    "jle", "jg",
];
const CMOV: [&str; 16] = [
    "cmovo", "cmovno", "cmovb", "cmovnb", "cmovz", "cmovnz", "cmovna", "cmova", "cmovs", "cmovns",
    "cmovp", "cmovnp", "cmovl", "cmovge", "cmovle", "cmovg",
];

fn reg(g: Gpr, bits: u32) -> &'static str {
    let t = match bits {
        8 => &R8,
        16 => &R16,
        32 => &R32,
        _ => &R64,
    };
    t[usize::from(g.num())]
}

/// yaxpeax's operand-size keyword for a memory operand.
fn ptr(bits: u32) -> &'static str {
    match bits {
        8 => "byte",
        16 => "word",
        32 => "dword",
        _ => "qword",
    }
}

fn xmm(x: Xmm) -> String {
    format!("xmm{}", x.num())
}

/// Signed hex, as yaxpeax prints immediates and displacements.
fn hex(v: i64) -> String {
    if v < 0 {
        format!("-0x{:x}", v.unsigned_abs())
    } else {
        format!("0x{v:x}")
    }
}

fn alu_name(op: AluOp) -> &'static str {
    match op {
        AluOp::Add => "add",
        AluOp::Sub => "sub",
        AluOp::Imul => "imul",
        AluOp::And => "and",
        AluOp::Or => "or",
        AluOp::Xor => "xor",
        AluOp::Cmp => "cmp",
        AluOp::Test => "test",
    }
}

fn shift_name(op: ShiftOp) -> &'static str {
    match op {
        ShiftOp::Shl => "shl",
        ShiftOp::Shr => "shr",
        ShiftOp::Sar => "sar",
        ShiftOp::Rol => "rol",
        ShiftOp::Ror => "ror",
    }
}

fn sse_name(op: SseOp) -> String {
    format!("{op:?}").to_lowercase()
}

/// What the instruction should disassemble to, in yaxpeax's Intel syntax.
fn expected(i: &Inst) -> String {
    match *i {
        Inst::AluRR { op, size, dst, src } => {
            let b = size.bits();
            format!("{} {}, {}", alu_name(op), reg(dst, b), reg(src, b))
        }
        Inst::AluRI { op, size, dst, imm } => {
            format!(
                "{} {}, {}",
                alu_name(op),
                reg(dst, size.bits()),
                hex(imm.into())
            )
        }
        Inst::ImulImm {
            size,
            dst,
            src,
            imm,
        } => {
            let b = size.bits();
            format!("imul {}, {}, {}", reg(dst, b), reg(src, b), hex(imm.into()))
        }
        Inst::Unary { op, size, reg: r } => {
            let m = if op == UnaryOp::Neg { "neg" } else { "not" };
            format!("{m} {}", reg(r, size.bits()))
        }
        Inst::ShiftImm {
            op,
            size,
            reg: r,
            imm,
        } => format!(
            "{} {}, {}",
            shift_name(op),
            reg(r, size.bits()),
            hex((imm as i8).into())
        ),
        Inst::ShiftCl { op, size, reg: r } => {
            format!("{} {}, cl", shift_name(op), reg(r, size.bits()))
        }
        Inst::BitCount { op, size, dst, src } => {
            let m = format!("{op:?}").to_lowercase();
            format!("{m} {}, {}", reg(dst, size.bits()), reg(src, size.bits()))
        }
        Inst::Mov { size, dst, src } => {
            format!("mov {}, {}", reg(dst, size.bits()), reg(src, size.bits()))
        }
        Inst::MovImm { size, dst, imm } => match size {
            Size::S32 => format!("mov {}, {}", reg(dst, 32), hex((imm as u32 as i32).into())),
            Size::S64 => format!("mov {}, {}", reg(dst, 64), hex(imm as i64)),
        },
        Inst::Movzx { from, dst, src } => {
            let fb = if from == ExtFrom::B8 { 8 } else { 16 };
            format!("movzx {}, {}", reg(dst, 32), reg(src, fb))
        }
        Inst::Movsx { from, to, dst, src } => match from {
            ExtFrom::B8 => format!("movsx {}, {}", reg(dst, to.bits()), reg(src, 8)),
            ExtFrom::B16 => format!("movsx {}, {}", reg(dst, to.bits()), reg(src, 16)),
            ExtFrom::B32 => format!("movsxd {}, {}", reg(dst, 64), reg(src, 32)),
        },
        Inst::Lea {
            addr32,
            dst,
            base,
            index,
            shift,
            disp,
        } => {
            let w = if addr32 { 32 } else { 64 };
            let d = match disp {
                0 => String::new(),
                d if d < 0 => format!(" - 0x{:x}", d.unsigned_abs()),
                d => format!(" + 0x{d:x}"),
            };
            format!(
                "lea {}, qword [{} + {} * {}{d}]",
                reg(dst, 64),
                reg(base, w),
                reg(index, w),
                1 << shift
            )
        }
        Inst::Setcc { cc, dst } => format!("{} {}", SETCC[usize::from(cc.index())], reg(dst, 8)),
        Inst::Load { op, dst, base } => {
            let (m, bits, w) = load_form(op);
            format!("{m} {}, {} [{}]", reg(dst, bits), ptr(w), reg(base, 64))
        }
        Inst::Store { bytes, base, src } => {
            let w = u32::from(bytes) * 8;
            format!("mov {} [{}], {}", ptr(w), reg(base, 64), reg(src, w))
        }
        Inst::LoadXmm { float, dst, base } => match float {
            Float::F32 => format!("movss {}, dword [{}]", xmm(dst), reg(base, 64)),
            Float::F64 => format!("movsd {}, qword [{}]", xmm(dst), reg(base, 64)),
        },
        Inst::StoreXmm { float, base, src } => match float {
            Float::F32 => format!("movss dword [{}], {}", reg(base, 64), xmm(src)),
            Float::F64 => format!("movsd qword [{}], {}", reg(base, 64), xmm(src)),
        },
        Inst::LoadIdx {
            op,
            dst,
            base,
            index,
            disp,
        } => {
            let (m, bits, w) = load_form(op);
            format!(
                "{m} {}, {} {}",
                reg(dst, bits),
                ptr(w),
                addr(base, index, disp)
            )
        }
        Inst::StoreIdx {
            bytes,
            base,
            index,
            disp,
            src,
        } => {
            let w = u32::from(bytes) * 8;
            format!(
                "mov {} {}, {}",
                ptr(w),
                addr(base, index, disp),
                reg(src, w)
            )
        }
        Inst::LoadXmmIdx {
            float,
            dst,
            base,
            index,
            disp,
        } => {
            let (m, p) = movs(float);
            format!("{m} {}, {p} {}", xmm(dst), addr(base, index, disp))
        }
        Inst::StoreXmmIdx {
            float,
            base,
            index,
            disp,
            src,
        } => {
            let (m, p) = movs(float);
            format!("{m} {p} {}, {}", addr(base, index, disp), xmm(src))
        }
        Inst::Jcc { cc, rel } => {
            let sign = if rel < 0 { "-" } else { "+" };
            format!(
                "{} ${sign}{:#x}",
                JCC[usize::from(cc.index())],
                i64::from(rel).unsigned_abs()
            )
        }
        Inst::Cmov { cc, size, dst, src } => format!(
            "{} {}, {}",
            CMOV[usize::from(cc.index())],
            reg(dst, size.bits()),
            reg(src, size.bits())
        ),
        Inst::Div {
            signed,
            size,
            divisor,
        } => format!(
            "{} {}",
            if signed { "idiv" } else { "div" },
            reg(divisor, size.bits())
        ),
        Inst::SignExtendAx { size } => (if size == Size::S32 { "cdq" } else { "cqo" }).into(),
        Inst::MovToXmm { size, dst, src } => match size {
            Size::S32 => format!("movd {}, {}", xmm(dst), reg(src, 32)),
            Size::S64 => format!("movq {}, {}", xmm(dst), reg(src, 64)),
        },
        Inst::MovToGpr { size, dst, src } => match size {
            Size::S32 => format!("movd {}, {}", reg(dst, 32), xmm(src)),
            Size::S64 => format!("movq {}, {}", reg(dst, 64), xmm(src)),
        },
        Inst::Sse { op, dst, src } => format!("{} {}, {}", sse_name(op), xmm(dst), xmm(src)),
        Inst::Round {
            float,
            dst,
            src,
            imm,
        } => format!(
            "{} {}, {}, {}",
            if float == Float::F32 {
                "roundss"
            } else {
                "roundsd"
            },
            xmm(dst),
            xmm(src),
            hex(i64::from(imm))
        ),
        Inst::CvtIntToFloat {
            float,
            size,
            dst,
            src,
        } => format!(
            "{} {}, {}",
            if float == Float::F32 {
                "cvtsi2ss"
            } else {
                "cvtsi2sd"
            },
            xmm(dst),
            reg(src, size.bits())
        ),
        Inst::CvtFloatToInt {
            float,
            size,
            dst,
            src,
        } => format!(
            "{} {}, {}",
            if float == Float::F32 {
                "cvttss2si"
            } else {
                "cvttsd2si"
            },
            reg(dst, size.bits()),
            xmm(src)
        ),
        Inst::Ret => "ret".into(),
    }
}

/// yaxpeax-x86 2.2.0 prints `movd xmm, r32` (66 [REX] 0F 6E /r with REX.W
/// clear) as `movq xmm, r64`. For that form only we check the bytes
/// ourselves: no REX.W, opcode 0F 6E; the silicon test shows the CPU runs it
/// as the 32-bit `movd`.
fn yaxpeax_movd_quirk(i: &Inst, bytes: &[u8], text: &str) -> bool {
    let Inst::MovToXmm {
        size: Size::S32,
        dst,
        src,
    } = *i
    else {
        return false;
    };
    let rex_w = bytes.iter().take(2).any(|b| (0x48..=0x4f).contains(b));
    let op = bytes.windows(2).any(|w| w == [0x0f, 0x6e]);
    !rex_w && op && text == format!("movq {}, {}", xmm(dst), reg(src, 64))
}

fn check(insts: impl IntoIterator<Item = Inst>) -> usize {
    let dec = InstDecoder::default();
    let mut n = 0;
    let mut bad = Vec::new();
    for i in insts {
        n += 1;
        let bytes = match encode_one(&i) {
            Ok(b) => b,
            Err(e) => {
                bad.push(format!("{e}"));
                continue;
            }
        };
        let text = match dec.decode_slice(&bytes) {
            Ok(d) if d.len().to_const() as usize == bytes.len() => d.to_string(),
            Ok(d) => format!(
                "{d} (decoded {} of {} bytes)",
                d.len().to_const(),
                bytes.len()
            ),
            Err(e) => format!("undecodable: {e}"),
        };
        let want = expected(&i);
        if text != want && !yaxpeax_movd_quirk(&i, &bytes, &text) {
            bad.push(format!(
                "{i:?} {bytes:02x?}: decodes to `{text}`, expected `{want}`"
            ));
        }
    }
    if !bad.is_empty() {
        let k = bad.len();
        bad.truncate(30);
        panic!("{k} of {n} encodings wrong:\n{}", bad.join("\n"));
    }
    n
}

/// A load's mnemonic, destination width and memory width.
fn load_form(op: LoadOp) -> (&'static str, u32, u32) {
    match op {
        LoadOp::Mov(size) => ("mov", size.bits(), size.bits()),
        LoadOp::Movzx(ExtFrom::B8) => ("movzx", 32, 8),
        LoadOp::Movzx(_) => ("movzx", 32, 16),
        LoadOp::Movsx(ExtFrom::B8, size) => ("movsx", size.bits(), 8),
        LoadOp::Movsx(ExtFrom::B16, size) => ("movsx", size.bits(), 16),
        LoadOp::Movsx(ExtFrom::B32, size) => ("movsxd", size.bits(), 32),
    }
}

/// `movss`/`movsd` and their memory operand's size keyword.
fn movs(float: Float) -> (&'static str, &'static str) {
    match float {
        Float::F32 => ("movss", "dword"),
        Float::F64 => ("movsd", "qword"),
    }
}

/// `[base + index * 1 +/- disp]` as yaxpeax prints it.
fn addr(base: Gpr, index: Gpr, disp: i32) -> String {
    let d = match disp {
        0 => String::new(),
        d if d < 0 => format!(" - 0x{:x}", d.unsigned_abs()),
        d => format!(" + 0x{d:x}"),
    };
    format!("[{} + {} * 1{d}]", reg(base, 64), reg(index, 64))
}

fn gprs() -> Vec<Gpr> {
    Gpr::all().collect()
}

fn pairs() -> Vec<(Gpr, Gpr)> {
    let g = gprs();
    g.iter()
        .flat_map(|a| g.iter().map(move |b| (*a, *b)))
        .collect()
}

const SIZES: [Size; 2] = [Size::S32, Size::S64];
const IMM32: [i32; 10] = [
    0,
    1,
    -1,
    127,
    128,
    -128,
    -129,
    0x1234_5678,
    i32::MIN,
    i32::MAX,
];

#[test]
fn integer_forms() {
    let mut v = Vec::new();
    for size in SIZES {
        for (dst, src) in pairs() {
            for op in [
                AluOp::Add,
                AluOp::Sub,
                AluOp::Imul,
                AluOp::And,
                AluOp::Or,
                AluOp::Xor,
                AluOp::Cmp,
                AluOp::Test,
            ] {
                v.push(Inst::AluRR { op, size, dst, src });
            }
            for op in [CountOp::Lzcnt, CountOp::Tzcnt, CountOp::Popcnt] {
                v.push(Inst::BitCount { op, size, dst, src });
            }
            v.push(Inst::Mov { size, dst, src });
            for imm in [1, -1, 0x7fff_ffff] {
                v.push(Inst::ImulImm {
                    size,
                    dst,
                    src,
                    imm,
                });
            }
            for cc in CC::ALL {
                v.push(Inst::Cmov { cc, size, dst, src });
            }
        }
        for dst in gprs() {
            for imm in IMM32 {
                for op in [
                    AluOp::Add,
                    AluOp::Sub,
                    AluOp::And,
                    AluOp::Or,
                    AluOp::Xor,
                    AluOp::Cmp,
                    AluOp::Test,
                ] {
                    v.push(Inst::AluRI { op, size, dst, imm });
                }
            }
            for op in [UnaryOp::Neg, UnaryOp::Not] {
                v.push(Inst::Unary { op, size, reg: dst });
            }
            for op in [
                ShiftOp::Shl,
                ShiftOp::Shr,
                ShiftOp::Sar,
                ShiftOp::Rol,
                ShiftOp::Ror,
            ] {
                for imm in [0, 1, 31, 32, 63, 64, 127, 128, 255] {
                    v.push(Inst::ShiftImm {
                        op,
                        size,
                        reg: dst,
                        imm,
                    });
                }
                v.push(Inst::ShiftCl { op, size, reg: dst });
            }
            v.push(Inst::Div {
                signed: false,
                size,
                divisor: dst,
            });
            v.push(Inst::Div {
                signed: true,
                size,
                divisor: dst,
            });
        }
        v.push(Inst::SignExtendAx { size });
    }
    for dst in gprs() {
        for imm in [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff] {
            v.push(Inst::MovImm {
                size: Size::S32,
                dst,
                imm,
            });
        }
        for imm in [
            0,
            1,
            u64::MAX,
            0x8000_0000,
            0x1234_5678_9abc_def0,
            i64::MIN as u64,
        ] {
            v.push(Inst::MovImm {
                size: Size::S64,
                dst,
                imm,
            });
        }
        for cc in CC::ALL {
            v.push(Inst::Setcc { cc, dst });
        }
    }
    for (dst, src) in pairs() {
        v.push(Inst::Movzx {
            from: ExtFrom::B8,
            dst,
            src,
        });
        v.push(Inst::Movzx {
            from: ExtFrom::B16,
            dst,
            src,
        });
        for (from, to) in [
            (ExtFrom::B8, Size::S32),
            (ExtFrom::B8, Size::S64),
            (ExtFrom::B16, Size::S32),
            (ExtFrom::B16, Size::S64),
            (ExtFrom::B32, Size::S64),
        ] {
            v.push(Inst::Movsx { from, to, dst, src });
        }
    }
    v.push(Inst::Ret);
    let n = check(v);
    assert!(n > 10_000, "{n}");
}

#[test]
fn lea_every_base_and_index() {
    let mut v = Vec::new();
    for addr32 in [false, true] {
        for (base, index) in pairs() {
            if index == Gpr::RSP {
                continue;
            }
            for shift in 0..4 {
                for disp in [0, 1, -1, 127, -128, 128, 0x1000, i32::MIN, i32::MAX] {
                    // The destination varies with the base so every register
                    // is a destination too.
                    let dst = Gpr::new((base.num() + shift) % 16).unwrap_or(Gpr::RAX);
                    v.push(Inst::Lea {
                        addr32,
                        dst,
                        base,
                        index,
                        shift,
                        disp,
                    });
                }
            }
        }
    }
    check(v);
}

#[test]
fn lea_rejects_what_x86_cannot_encode() {
    let g = |n| Gpr::new(n).unwrap_or(Gpr::RAX);
    for bad in [
        Inst::Lea {
            addr32: false,
            dst: g(0),
            base: g(1),
            index: Gpr::RSP,
            shift: 0,
            disp: 0,
        },
        Inst::Lea {
            addr32: false,
            dst: g(0),
            base: g(1),
            index: g(2),
            shift: 4,
            disp: 0,
        },
        Inst::Movzx {
            from: ExtFrom::B32,
            dst: g(0),
            src: g(1),
        },
        Inst::Movsx {
            from: ExtFrom::B32,
            to: Size::S32,
            dst: g(0),
            src: g(1),
        },
        Inst::MovImm {
            size: Size::S32,
            dst: g(0),
            imm: 1 << 32,
        },
    ] {
        assert!(encode_one(&bad).is_err(), "{bad:?} must not encode");
    }
}

#[test]
fn sse_forms() {
    let xs: Vec<Xmm> = Xmm::all().collect();
    let mut v = Vec::new();
    for &dst in &xs {
        for &src in &xs {
            use SseOp::*;
            for op in [
                Addss, Addsd, Subss, Subsd, Mulss, Mulsd, Divss, Divsd, Sqrtss, Sqrtsd, Minss,
                Minsd, Maxss, Maxsd, Ucomiss, Ucomisd, Cvtss2sd, Cvtsd2ss, Andps, Andnps, Orps,
                Xorps,
            ] {
                v.push(Inst::Sse { op, dst, src });
            }
            for float in [Float::F32, Float::F64] {
                for imm in [0, 1, 2, 3, 8, 11] {
                    v.push(Inst::Round {
                        float,
                        dst,
                        src,
                        imm,
                    });
                }
            }
        }
        for g in gprs() {
            for size in SIZES {
                v.push(Inst::MovToXmm { size, dst, src: g });
                v.push(Inst::MovToGpr {
                    size,
                    dst: g,
                    src: dst,
                });
                for float in [Float::F32, Float::F64] {
                    v.push(Inst::CvtIntToFloat {
                        float,
                        size,
                        dst,
                        src: g,
                    });
                    v.push(Inst::CvtFloatToInt {
                        float,
                        size,
                        dst: g,
                        src: dst,
                    });
                }
            }
        }
    }
    check(v);
}

/// `jcc rel32` to the trap landing, every condition, both directions.
#[test]
fn trap_if_jumps() {
    let mut v = Vec::new();
    for cc in CC::ALL {
        for rel in [0, 1, -6, 0x7fff_ffff, i32::MIN, 0x1234] {
            v.push(Inst::Jcc { cc, rel });
        }
    }
    assert_eq!(check(v), 16 * 6);
}

/// Loads and stores through every base register (rsp, rbp, r12 and r13
/// need a SIB byte or a displacement), every form.
#[test]
fn loads_and_stores() {
    let mut v = Vec::new();
    let ops = [
        LoadOp::Mov(Size::S32),
        LoadOp::Mov(Size::S64),
        LoadOp::Movzx(ExtFrom::B8),
        LoadOp::Movzx(ExtFrom::B16),
        LoadOp::Movsx(ExtFrom::B8, Size::S32),
        LoadOp::Movsx(ExtFrom::B8, Size::S64),
        LoadOp::Movsx(ExtFrom::B16, Size::S32),
        LoadOp::Movsx(ExtFrom::B16, Size::S64),
        LoadOp::Movsx(ExtFrom::B32, Size::S64),
    ];
    for (dst, base) in pairs() {
        for op in ops {
            v.push(Inst::Load { op, dst, base });
        }
        // [base + index + disp]: every base with every register as index
        // (rsp is no index) and as the destination/source.
        let index = dst;
        if index != Gpr::RSP {
            for (k, op) in ops.into_iter().enumerate() {
                let disp = [0, -8, 0x7fff_fff0, i32::MIN, 1][k % 5];
                v.push(Inst::LoadIdx {
                    op,
                    dst: base,
                    base,
                    index,
                    disp,
                });
            }
            for (bytes, disp) in [(1, 0), (2, -1), (4, 0x80), (8, -0x81)] {
                v.push(Inst::StoreIdx {
                    bytes,
                    base,
                    index,
                    disp,
                    src: dst,
                });
            }
        }
        for bytes in [1, 2, 4, 8] {
            v.push(Inst::Store {
                bytes,
                base,
                src: dst,
            });
        }
    }
    // Float loads and stores at [base + index + disp]: every base and index
    // (rsp is no index), low and high XMM registers, edge displacements.
    for (base, index) in pairs() {
        if index == Gpr::RSP {
            continue;
        }
        for (x, disp) in [(0, -8), (9, 0), (15, 0x7fff_fff0), (7, i32::MIN)] {
            let x = Xmm::new(x).expect("xmm");
            for float in [Float::F32, Float::F64] {
                v.push(Inst::LoadXmmIdx {
                    float,
                    dst: x,
                    base,
                    index,
                    disp,
                });
                v.push(Inst::StoreXmmIdx {
                    float,
                    base,
                    index,
                    disp,
                    src: x,
                });
            }
        }
    }
    // Float loads and stores: every base with low and high XMM registers.
    for base in gprs() {
        for x in [0, 7, 8, 15] {
            let x = Xmm::new(x).expect("xmm");
            for float in [Float::F32, Float::F64] {
                v.push(Inst::LoadXmm {
                    float,
                    dst: x,
                    base,
                });
                v.push(Inst::StoreXmm {
                    float,
                    base,
                    src: x,
                });
            }
        }
    }
    let n = v.len();
    assert_eq!(check(v), n);
    // Forms x86 does not have are errors, not bytes.
    let bad = [
        Inst::Load {
            op: LoadOp::Movzx(ExtFrom::B32),
            dst: Gpr::RAX,
            base: Gpr::RDI,
        },
        Inst::Load {
            op: LoadOp::Movsx(ExtFrom::B32, Size::S32),
            dst: Gpr::RAX,
            base: Gpr::RDI,
        },
        Inst::Store {
            bytes: 3,
            base: Gpr::RDI,
            src: Gpr::RAX,
        },
        Inst::LoadXmmIdx {
            float: Float::F64,
            dst: Xmm::new(0).expect("xmm0"),
            base: Gpr::RDI,
            index: Gpr::RSP,
            disp: 0,
        },
    ];
    for i in bad {
        assert!(encode_one(&i).is_err(), "{i:?} encoded");
    }
}
