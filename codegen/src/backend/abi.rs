//! The native calling convention of `vm.rs` as data: where each parameter
//! goes, where a result comes back, what a call clobbers, and which
//! registers the allocator may use.

use regalloc2::{MachineEnv, Operand, PReg, PRegSet, RegClass, VReg};

use crate::ir::Type;
use crate::lower::{preg, preg_xmm};
use crate::x64::{Gpr, Xmm};

/// Where a parameter is passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgLoc {
    Gpr(Gpr),
    Xmm(Xmm),
    /// The `n`th 8-byte stack slot (`[rsp + 8n]` at the call).
    Stack(u32),
}

pub const R8: Gpr = gpr(8);
pub const R9: Gpr = gpr(9);

const fn gpr(n: u8) -> Gpr {
    match Gpr::new(n) {
        Some(g) => g,
        None => panic!("a GPR number below 16"),
    }
}

pub const fn xmm(n: u8) -> Xmm {
    match Xmm::new(n) {
        Some(x) => x,
        None => panic!("an XMM number below 16"),
    }
}

/// Integer argument registers after `vmctx` (`rdi`).
const INT_ARGS: [Gpr; 5] = [Gpr::RSI, Gpr::RDX, Gpr::RCX, R8, R9];

/// System V classification of `params` after `vmctx` (and the results
/// area, `multi`).
pub fn classify(params: &[Type], multi: bool) -> Vec<(Type, ArgLoc)> {
    let ints = &INT_ARGS[usize::from(multi)..];
    let (mut i, mut f, mut s) = (0, 0, 0);
    params
        .iter()
        .map(|&ty| {
            let loc = if ty.is_int() && i < ints.len() {
                i += 1;
                ArgLoc::Gpr(ints[i - 1])
            } else if ty.is_float() && f < 8 {
                f += 1;
                ArgLoc::Xmm(xmm(f - 1))
            } else {
                s += 1;
                ArgLoc::Stack(s - 1)
            };
            (ty, loc)
        })
        .collect()
}

fn result_reg(ty: Type) -> PReg {
    if ty.is_int() {
        preg(Gpr::RAX)
    } else {
        preg_xmm(xmm(0))
    }
}

/// A single result returned (a use of the return register).
pub fn result_operand(v: VReg, ty: Type) -> Operand {
    Operand::reg_fixed_use(v, result_reg(ty))
}

/// A single result received from a call.
pub fn result_def(v: VReg, ty: Type) -> (Operand, PReg) {
    let r = result_reg(ty);
    (Operand::reg_fixed_def(v, r), r)
}

/// Callee-saved registers the allocator may use (`rbp` is the frame pointer).
pub const CALLEE_SAVED: [u8; 5] = [3, 12, 13, 14, 15];

/// Every caller-saved register (all XMMs), except the call's fixed results.
pub fn call_clobbers(defs: &[PReg]) -> PRegSet {
    let mut set = PRegSet::empty();
    for n in [0u8, 1, 2, 6, 7, 8, 9, 10, 11] {
        set.add(preg(gpr(n)));
    }
    for n in 0..16 {
        set.add(preg_xmm(xmm(n)));
    }
    for &d in defs {
        set.remove(d);
    }
    set
}

/// The allocatable registers: caller-saved first, then callee-saved (which
/// cost a save in the prologue). `r10`, `r11` and `xmm15` are scratch for
/// the glue (regalloc2 also uses `r11`/`xmm15` for cyclic moves); `rsp`
/// and `rbp` are never allocated.
pub fn machine_env() -> MachineEnv {
    let ints = |ns: &[u8]| {
        let mut s = PRegSet::empty();
        for &n in ns {
            s.add(PReg::new(usize::from(n), RegClass::Int));
        }
        s
    };
    let floats = |ns: std::ops::Range<u8>| {
        let mut s = PRegSet::empty();
        for n in ns {
            s.add(PReg::new(usize::from(n), RegClass::Float));
        }
        s
    };
    MachineEnv {
        preferred_regs_by_class: [
            ints(&[0, 1, 2, 6, 7, 8, 9]),
            floats(0..15),
            PRegSet::empty(),
        ],
        non_preferred_regs_by_class: [ints(&CALLEE_SAVED), PRegSet::empty(), PRegSet::empty()],
        scratch_by_class: [
            Some(PReg::new(11, RegClass::Int)),
            Some(PReg::new(15, RegClass::Float)),
            None,
        ],
        fixed_stack_slots: vec![],
    }
}
