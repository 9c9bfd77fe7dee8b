//! The code around compiled functions: the trap landing, the array-call
//! entry per signature (runtime -> compiled code) and the host adapter per
//! signature (compiled code -> host function), as `vm.rs` specifies.

use iced_x86::code_asm::*;

use super::abi::{self, ArgLoc};
use super::emit::{G32, G64, R, XMM};
use crate::ir::{Signature, Type};
use crate::vm;

/// The array entry saves these (all callee-saved but rbp) after `rbp`.
const SAVED: [AsmRegister64; 5] = [rbx, r12, r13, r14, r15];

/// Unwind to the array entry with `rsp = entry_sp` (rbx = store, eax =
/// the code): restore the previous entry record and the saved registers,
/// return eax. The same bytes end every array entry and the landing.
fn entry_tail(a: &mut CodeAssembler) -> R {
    a.mov(rsp, qword_ptr(rbx + vm::STORE_ENTRY_SP))?;
    a.add(rsp, 8)?;
    a.pop(qword_ptr(rbx + vm::STORE_ENTRY_FP))?;
    a.pop(qword_ptr(rbx + vm::STORE_ENTRY_SP))?;
    for r in SAVED.iter().rev() {
        a.pop(*r)?;
    }
    a.pop(rbp)?;
    a.ret()?;
    Ok(())
}

/// The trap landing: r10 = a context (store pointer first), r11d = the
/// code, rax = the trapping pc, rbp = the trapping frame. Records them,
/// calls the store's trap hook (if any) while those frames still exist,
/// and unwinds to the entry.
pub fn trap_landing(a: &mut CodeAssembler, label: &mut CodeLabel) -> R {
    a.set_label(label)?;
    a.mov(rbx, qword_ptr(r10 + vm::VMCTX_STORE))?;
    a.mov(dword_ptr(rbx + vm::STORE_TRAP_CODE), r11d)?;
    a.mov(qword_ptr(rbx + vm::STORE_TRAP_PC), rax)?;
    a.mov(qword_ptr(rbx + vm::STORE_TRAP_FP), rbp)?;
    let mut unwind = a.create_label();
    a.mov(rax, qword_ptr(rbx + vm::STORE_TRAP_HOOK))?;
    a.test(rax, rax)?;
    a.je(unwind)?;
    // rsp is reset from entry_sp below, so aligning it here costs nothing;
    // rbx (callee-saved) survives the hook.
    a.and(rsp, -16)?;
    a.mov(rdi, rbx)?;
    a.call(rax)?;
    a.set_label(&mut unwind)?;
    a.mov(eax, dword_ptr(rbx + vm::STORE_TRAP_CODE))?;
    entry_tail(a)
}

/// `(callee_vmctx: rdi, native: rsi, values: rdx) -> trap code` for `sig`.
pub fn array_entry(a: &mut CodeAssembler, label: &mut CodeLabel, sig: &Signature) -> R {
    a.set_label(label)?;
    a.push(rbp)?;
    a.mov(rbp, rsp)?;
    for r in SAVED {
        a.push(r)?;
    }
    a.mov(rbx, qword_ptr(rdi + vm::VMCTX_STORE))?;
    a.push(qword_ptr(rbx + vm::STORE_ENTRY_SP))?;
    a.push(qword_ptr(rbx + vm::STORE_ENTRY_FP))?;
    // 1 + 5 + 2 pushes after the return address: one more slot aligns rsp.
    a.sub(rsp, 8)?;
    a.mov(qword_ptr(rbx + vm::STORE_ENTRY_SP), rsp)?;
    a.mov(qword_ptr(rbx + vm::STORE_ENTRY_FP), rbp)?;
    a.mov(r12, rdx)?;
    a.mov(r13, rsi)?;
    let multi = sig.results.len() > 1;
    let locs = abi::classify(&sig.params, multi);
    let stack = locs
        .iter()
        .filter(|(_, l)| matches!(l, ArgLoc::Stack(_)))
        .count() as i32;
    if stack > 0 {
        a.sub(rsp, (8 * stack + 15) & !15)?;
    }
    for (i, (_, loc)) in locs.iter().enumerate() {
        let m = qword_ptr(r12 + 8 * i as i32);
        match *loc {
            ArgLoc::Gpr(g) => a.mov(G64[usize::from(g.num())], m)?,
            ArgLoc::Xmm(x) => a.movq(XMM[usize::from(x.num())], m)?,
            ArgLoc::Stack(k) => {
                a.mov(r11, m)?;
                a.mov(qword_ptr(rsp + 8 * k as i32), r11)?;
            }
        }
    }
    if multi {
        // The callee writes its results straight into `values`.
        a.mov(rsi, r12)?;
    }
    a.call(r13)?;
    match sig.results.as_slice() {
        [Type::I32] => {
            a.mov(eax, eax)?;
            a.mov(qword_ptr(r12), rax)?;
        }
        [Type::I64] => a.mov(qword_ptr(r12), rax)?,
        [Type::F32] => {
            a.movd(eax, xmm0)?;
            a.mov(qword_ptr(r12), rax)?;
        }
        [Type::F64] => a.movq(qword_ptr(r12), xmm0)?,
        _ => {}
    }
    a.xor(eax, eax)?;
    entry_tail(a)
}

/// A native-convention function for `sig` that calls a host function:
/// rdi is its `VMHostContext`. Spills the arguments into a values buffer,
/// calls `ctx.call(ctx, values)`, traps with the returned code if it is not
/// 0, else returns the results.
pub fn host_adapter(
    a: &mut CodeAssembler,
    label: &mut CodeLabel,
    sig: &Signature,
    landing: CodeLabel,
) -> R {
    let multi = sig.results.len() > 1;
    let slots = sig.params.len().max(sig.results.len()).max(1) as i32;
    // [rbp - 8] = ctx, [rbp - 16] = results area, values at [rsp].
    let size = (16 + 8 * slots + 15) & !15;
    a.set_label(label)?;
    a.push(rbp)?;
    a.mov(rbp, rsp)?;
    a.sub(rsp, size)?;
    a.mov(qword_ptr(rbp - 8), rdi)?;
    if multi {
        a.mov(qword_ptr(rbp - 16), rsi)?;
    }
    for (i, (ty, loc)) in abi::classify(&sig.params, multi).into_iter().enumerate() {
        let m = qword_ptr(rsp + 8 * i as i32);
        match (loc, ty) {
            (ArgLoc::Gpr(g), Type::I32) => {
                a.mov(r11d, G32[usize::from(g.num())])?;
                a.mov(m, r11)?;
            }
            (ArgLoc::Gpr(g), _) => a.mov(m, G64[usize::from(g.num())])?,
            (ArgLoc::Xmm(x), Type::F32) => {
                a.movd(r11d, XMM[usize::from(x.num())])?;
                a.mov(m, r11)?;
            }
            (ArgLoc::Xmm(x), _) => a.movq(m, XMM[usize::from(x.num())])?,
            (ArgLoc::Stack(k), ty) => {
                a.mov(r11, qword_ptr(rbp + 16 + 8 * k as i32))?;
                if ty.bits() == 32 {
                    a.mov(r11d, r11d)?;
                }
                a.mov(m, r11)?;
            }
        }
    }
    a.mov(rsi, rsp)?;
    a.call(qword_ptr(rdi + vm::HOSTCTX_CALL))?;
    let mut failed = a.create_label();
    a.test(eax, eax)?;
    a.jne(failed)?;
    match sig.results.as_slice() {
        [ty] if ty.is_int() => a.mov(rax, qword_ptr(rsp))?,
        [_] => a.movq(xmm0, qword_ptr(rsp))?,
        _ if multi => {
            a.mov(r10, qword_ptr(rbp - 16))?;
            for i in 0..sig.results.len() as i32 {
                a.mov(r11, qword_ptr(rsp + 8 * i))?;
                a.mov(qword_ptr(r10 + 8 * i), r11)?;
            }
        }
        _ => {}
    }
    a.mov(rsp, rbp)?;
    a.pop(rbp)?;
    a.ret()?;
    // The host's code (TRAP_HOST) is the trap code; the pc is this stub's.
    a.set_label(&mut failed)?;
    a.mov(r10, qword_ptr(rbp - 8))?;
    a.mov(r11d, eax)?;
    a.lea(rax, ptr(failed))?;
    a.jmp(landing)?;
    Ok(())
}
