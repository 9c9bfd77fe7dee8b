//! One function's instructions (built with iced's `CodeAssembler`) to
//! bytes, in place of iced's `BlockEncoder`, which boxes an object per
//! instruction. The `CodeAssembler` conventions: a label is the `ip` of
//! the instruction it labels; a branch to a label has it as its near
//! branch target, a RIP-relative operand as its displacement.
//!
//! Everything but branches and RIP-relative operands is encoded once,
//! position-independently. Branches start short; any whose target is out
//! of rel8 range becomes near, until none changes (sizes only grow, so
//! this ends). Then the bytes are laid out and the branches and
//! RIP-relative operands encoded at their final offsets.

use iced_x86::{Code, Encoder, Instruction, OpKind};

use super::emit::{EmitError, R};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Encoded once: `pre[start..start + len]`.
    Plain,
    /// A branch to a label; `near` once it does not reach as rel8.
    Branch { near: bool },
    /// A RIP-relative operand naming a label (fixed size).
    RipRel,
}

/// Reused buffers of one thread's functions.
pub struct Assembler {
    encoder: Encoder,
    kinds: Vec<Kind>,
    /// Per instruction: start in the pre-encoded bytes, then its length
    /// (a branch's: its near form's).
    spans: Vec<(u32, u32)>,
    /// Per label id: the index of the instruction it labels.
    labels: Vec<u32>,
    offsets: Vec<u32>,
}

impl Default for Assembler {
    fn default() -> Self {
        Self::new()
    }
}

const NO_LABEL: u32 = u32::MAX;

impl Assembler {
    pub fn new() -> Self {
        Assembler {
            encoder: Encoder::new(64),
            kinds: Vec::new(),
            spans: Vec::new(),
            labels: Vec::new(),
            offsets: Vec::new(),
        }
    }

    /// The machine code of `insts` placed at offset 0, and each
    /// instruction's offset (valid until the next call).
    pub fn assemble(&mut self, insts: &[Instruction]) -> R<(Vec<u8>, &[u32])> {
        self.kinds.clear();
        self.spans.clear();
        self.labels.clear();
        let mut pre = self.encoder.take_buffer();
        pre.clear();
        self.encoder.set_buffer(pre);
        let mut pos = 0;
        for (i, inst) in insts.iter().enumerate() {
            let id = inst.ip() as usize;
            if id != 0 {
                if self.labels.len() <= id {
                    self.labels.resize(id + 1, NO_LABEL);
                }
                self.labels[id] = i as u32;
            }
            let (kind, len) = if inst.op0_kind() == OpKind::NearBranch64 {
                let mut near = *inst;
                near.set_code(forms(inst.code()).1);
                near.set_near_branch64(0);
                let len = self.encoder.encode(&near, 0)? as u32;
                // No short form (a call): near from the start.
                let near = forms(inst.code()).0 == near.code();
                (Kind::Branch { near }, len)
            } else if inst.is_ip_rel_memory_operand() {
                // The length does not depend on the displacement (disp32).
                let mut probe = *inst;
                probe.set_memory_displacement64(0);
                let len = self.encoder.encode(&probe, 0)? as u32;
                (Kind::RipRel, len)
            } else {
                (Kind::Plain, self.encoder.encode(inst, 0)? as u32)
            };
            self.kinds.push(kind);
            self.spans.push((pos, len));
            pos += len;
        }
        let pre = self.encoder.take_buffer();
        self.layout(insts)?;
        let total = self.offsets.last().copied().unwrap_or(0) as usize;
        let mut out = Vec::with_capacity(total);
        for (i, inst) in insts.iter().enumerate() {
            let (start, len) = self.spans[i];
            match self.kinds[i] {
                Kind::Plain => out.extend_from_slice(&pre[start as usize..(start + len) as usize]),
                kind => {
                    let mut inst = *inst;
                    let ip = u64::from(self.offsets[i]);
                    if let Kind::Branch { near } = kind {
                        let target = self.target(inst.near_branch64())?;
                        let (short, long) = forms(inst.code());
                        inst.set_code(if near { long } else { short });
                        inst.set_near_branch64(target);
                    } else {
                        let target = self.target(inst.memory_displacement64())?;
                        inst.set_memory_displacement64(target);
                    }
                    self.encoder.set_buffer(out);
                    self.encoder.encode(&inst, ip)?;
                    out = self.encoder.take_buffer();
                }
            }
        }
        self.encoder.set_buffer(pre);
        self.offsets.truncate(insts.len());
        Ok((out, &self.offsets))
    }

    /// The offset of the instruction label `id` names (offsets laid out).
    fn target(&self, id: u64) -> R<u64> {
        let i = self
            .labels
            .get(id as usize)
            .copied()
            .filter(|&i| i != NO_LABEL)
            .ok_or_else(|| EmitError("branch to an unset label".into()))?;
        Ok(u64::from(self.offsets[i as usize]))
    }

    /// Offsets (one past the last: the total), widening short branches
    /// that do not reach.
    fn layout(&mut self, insts: &[Instruction]) -> R {
        loop {
            self.offsets.clear();
            let mut at = 0u32;
            for (i, kind) in self.kinds.iter().enumerate() {
                self.offsets.push(at);
                at += match *kind {
                    Kind::Branch { near: false } => 2,
                    _ => self.spans[i].1,
                };
            }
            self.offsets.push(at);
            let mut widened = false;
            for (i, inst) in insts.iter().enumerate() {
                if self.kinds[i] == (Kind::Branch { near: false }) {
                    let target = self.target(inst.near_branch64())? as i64;
                    let disp = target - (i64::from(self.offsets[i]) + 2);
                    if i8::try_from(disp).is_err() {
                        self.kinds[i] = Kind::Branch { near: true };
                        widened = true;
                    }
                }
            }
            if !widened {
                return Ok(());
            }
        }
    }
}

/// The branches `emit.rs` and `layout.rs` jump to labels with: (short
/// form, near form).
const BRANCH_FORMS: [(Code, Code); 17] = [
    (Code::Jmp_rel8_64, Code::Jmp_rel32_64),
    (Code::Jo_rel8_64, Code::Jo_rel32_64),
    (Code::Jno_rel8_64, Code::Jno_rel32_64),
    (Code::Jb_rel8_64, Code::Jb_rel32_64),
    (Code::Jae_rel8_64, Code::Jae_rel32_64),
    (Code::Je_rel8_64, Code::Je_rel32_64),
    (Code::Jne_rel8_64, Code::Jne_rel32_64),
    (Code::Jbe_rel8_64, Code::Jbe_rel32_64),
    (Code::Ja_rel8_64, Code::Ja_rel32_64),
    (Code::Js_rel8_64, Code::Js_rel32_64),
    (Code::Jns_rel8_64, Code::Jns_rel32_64),
    (Code::Jp_rel8_64, Code::Jp_rel32_64),
    (Code::Jnp_rel8_64, Code::Jnp_rel32_64),
    (Code::Jl_rel8_64, Code::Jl_rel32_64),
    (Code::Jge_rel8_64, Code::Jge_rel32_64),
    (Code::Jle_rel8_64, Code::Jle_rel32_64),
    (Code::Jg_rel8_64, Code::Jg_rel32_64),
];

/// A branch's (short, near) forms; a branch without a short form (a
/// `call`) is its own near form.
fn forms(code: Code) -> (Code, Code) {
    BRANCH_FORMS
        .iter()
        .copied()
        .find(|&(s, n)| s == code || n == code)
        .unwrap_or((code, code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced_x86::code_asm::*;

    /// Short and near, forward and backward branches, a RIP-relative
    /// `lea`, data and an empty labelled instruction.
    fn sample(gap: usize) -> CodeAssembler {
        let mut a = CodeAssembler::new(64).unwrap();
        let mut top = a.create_label();
        let mut mid = a.create_label();
        let mut end = a.create_label();
        a.set_label(&mut top).unwrap();
        a.lea(rax, ptr(end)).unwrap();
        a.jne(end).unwrap();
        a.jmp(mid).unwrap();
        for _ in 0..gap {
            a.nop().unwrap();
        }
        a.set_label(&mut mid).unwrap();
        a.zero_bytes().unwrap();
        a.db(&[0xE8, 0, 0, 0, 0]).unwrap();
        a.jb(top).unwrap();
        for _ in 0..gap {
            a.add(rcx, 1).unwrap();
        }
        a.set_label(&mut end).unwrap();
        a.je(top).unwrap();
        a.ret().unwrap();
        a
    }

    #[test]
    fn matches_ices_block_encoder() {
        for gap in [0, 10, 40, 120, 130, 300] {
            let mut a = sample(gap);
            let mut asm = Assembler::new();
            let (bytes, offsets) = asm.assemble(a.instructions()).unwrap();
            let (bytes, offsets) = (bytes, offsets.to_vec());
            let want = a
                .assemble_options(
                    0,
                    iced_x86::BlockEncoderOptions::RETURN_NEW_INSTRUCTION_OFFSETS,
                )
                .unwrap();
            assert_eq!(bytes, want.inner.code_buffer, "gap {gap}");
            assert_eq!(offsets, want.inner.new_instruction_offsets, "gap {gap}");
        }
    }

    #[test]
    fn a_branch_to_an_unset_label_is_an_error() {
        let mut a = CodeAssembler::new(64).unwrap();
        let never = a.create_label();
        a.jmp(never).unwrap();
        assert!(Assembler::new().assemble(a.instructions()).is_err());
    }
}
