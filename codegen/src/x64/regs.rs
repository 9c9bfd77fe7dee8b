//! Registers, operand sizes and condition codes.

use iced_x86::Register;

/// A general-purpose register by its hardware number (0 = rax ... 15 = r15).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Gpr(u8);

/// An XMM register by number (0..=15).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Xmm(u8);

impl Gpr {
    pub const RAX: Gpr = Gpr(0);
    pub const RCX: Gpr = Gpr(1);
    pub const RDX: Gpr = Gpr(2);
    pub const RBX: Gpr = Gpr(3);
    pub const RSP: Gpr = Gpr(4);
    pub const RBP: Gpr = Gpr(5);
    pub const RSI: Gpr = Gpr(6);
    pub const RDI: Gpr = Gpr(7);

    /// `None` unless `n < 16`.
    pub const fn new(n: u8) -> Option<Gpr> {
        if n < 16 { Some(Gpr(n)) } else { None }
    }

    /// All sixteen, in hardware order.
    pub fn all() -> impl Iterator<Item = Gpr> {
        (0..16).map(Gpr)
    }

    pub fn num(self) -> u8 {
        self.0
    }

    /// The register at `bits` (8, 16, 32 or 64) as iced names it.
    pub fn iced(self, bits: u32) -> Register {
        let table: &[Register; 16] = match bits {
            8 => &GPR8,
            16 => &GPR16,
            32 => &GPR32,
            _ => &GPR64,
        };
        table[usize::from(self.0 & 15)]
    }
}

impl Xmm {
    /// `None` unless `n < 16`.
    pub const fn new(n: u8) -> Option<Xmm> {
        if n < 16 { Some(Xmm(n)) } else { None }
    }

    pub fn all() -> impl Iterator<Item = Xmm> {
        (0..16).map(Xmm)
    }

    pub fn num(self) -> u8 {
        self.0
    }

    pub fn iced(self) -> Register {
        XMM[usize::from(self.0 & 15)]
    }
}

/// Operand size of an integer instruction. 32-bit forms zero the upper half
/// of a destination register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Size {
    S32,
    S64,
}

impl Size {
    pub fn bits(self) -> u32 {
        match self {
            Size::S32 => 32,
            Size::S64 => 64,
        }
    }
}

/// Condition codes in the order of their 4-bit encoding, the same order as
/// `CC` in `isle-rules/x64/inst.isle`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CC {
    O,
    NO,
    B,
    AE,
    E,
    NE,
    BE,
    A,
    S,
    NS,
    P,
    NP,
    L,
    GE,
    LE,
    G,
}

impl CC {
    pub const ALL: [CC; 16] = [
        CC::O,
        CC::NO,
        CC::B,
        CC::AE,
        CC::E,
        CC::NE,
        CC::BE,
        CC::A,
        CC::S,
        CC::NS,
        CC::P,
        CC::NP,
        CC::L,
        CC::GE,
        CC::LE,
        CC::G,
    ];

    /// The 4-bit encoding (also the variant index in inst.isle).
    pub fn index(self) -> u8 {
        self as u8
    }
}

const GPR64: [Register; 16] = [
    Register::RAX,
    Register::RCX,
    Register::RDX,
    Register::RBX,
    Register::RSP,
    Register::RBP,
    Register::RSI,
    Register::RDI,
    Register::R8,
    Register::R9,
    Register::R10,
    Register::R11,
    Register::R12,
    Register::R13,
    Register::R14,
    Register::R15,
];
const GPR32: [Register; 16] = [
    Register::EAX,
    Register::ECX,
    Register::EDX,
    Register::EBX,
    Register::ESP,
    Register::EBP,
    Register::ESI,
    Register::EDI,
    Register::R8D,
    Register::R9D,
    Register::R10D,
    Register::R11D,
    Register::R12D,
    Register::R13D,
    Register::R14D,
    Register::R15D,
];
const GPR16: [Register; 16] = [
    Register::AX,
    Register::CX,
    Register::DX,
    Register::BX,
    Register::SP,
    Register::BP,
    Register::SI,
    Register::DI,
    Register::R8W,
    Register::R9W,
    Register::R10W,
    Register::R11W,
    Register::R12W,
    Register::R13W,
    Register::R14W,
    Register::R15W,
];
// Numbers 4-7 are spl/bpl/sil/dil (which need a REX prefix), never ah-bh.
const GPR8: [Register; 16] = [
    Register::AL,
    Register::CL,
    Register::DL,
    Register::BL,
    Register::SPL,
    Register::BPL,
    Register::SIL,
    Register::DIL,
    Register::R8L,
    Register::R9L,
    Register::R10L,
    Register::R11L,
    Register::R12L,
    Register::R13L,
    Register::R14L,
    Register::R15L,
];
const XMM: [Register; 16] = [
    Register::XMM0,
    Register::XMM1,
    Register::XMM2,
    Register::XMM3,
    Register::XMM4,
    Register::XMM5,
    Register::XMM6,
    Register::XMM7,
    Register::XMM8,
    Register::XMM9,
    Register::XMM10,
    Register::XMM11,
    Register::XMM12,
    Register::XMM13,
    Register::XMM14,
    Register::XMM15,
];
