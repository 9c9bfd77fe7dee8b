//! Control-flow layout decisions for emission: which blocks are bare jumps
//! (their users jump straight to where they lead), which block follows
//! which (so a jump to the next block is left out), and `br_table`'s
//! binary search.

use iced_x86::code_asm::{AsmRegister32, CodeAssembler, CodeLabel};
use regalloc2::{InstOrEdit, Output};

use super::emit::{R, jcc};
use super::vcode::{VCode, VInst};
use crate::x64::CC;

/// Per block, the block its label resolves to: itself, or — for a block
/// holding nothing but a jump (no allocator moves) — where that jump leads,
/// followed through further bare jumps. Block 0 (the entry, reached by
/// falling out of the prologue) and cycles of bare jumps resolve to
/// themselves.
pub fn forwarding(vcode: &VCode, out: &Output) -> Vec<usize> {
    let n = vcode.blocks.len();
    let bare: Vec<Option<usize>> = (0..n)
        .map(|b| {
            let mut items = out.block_insts_and_edits(vcode, regalloc2::Block::new(b));
            match (items.next(), items.next()) {
                (Some(InstOrEdit::Inst(i)), None)
                    if b != 0 && vcode.insts[i.index()].inst == VInst::Jump =>
                {
                    vcode.blocks[b].succs.first().map(|s| s.index())
                }
                _ => None,
            }
        })
        .collect();
    (0..n)
        .map(|b| {
            let mut cur = b;
            for _ in 0..=n {
                match bare[cur] {
                    Some(s) => cur = s,
                    None => return cur,
                }
            }
            b
        })
        .collect()
}

/// Per block, the next block emitted after it (`usize::MAX` if none); only
/// blocks resolving to themselves are emitted.
pub fn next_emitted(target: &[usize]) -> Vec<usize> {
    let mut next = vec![usize::MAX; target.len()];
    let mut following = usize::MAX;
    for b in (0..target.len()).rev() {
        next[b] = following;
        if target[b] == b {
            following = b;
        }
    }
    next
}

/// The condition that holds exactly when `cc` does not: x86 encodes them
/// in pairs differing in bit 0 (O/NO, B/AE, E/NE, BE/A, S/NS, P/NP, L/GE,
/// LE/G).
pub fn negate(cc: CC) -> CC {
    CC::ALL[usize::from(cc.index() ^ 1)]
}

/// A `brif`'s jumps: to `then` when `cc` holds, else to `els`, leaving out
/// the jump to whichever follows (`then_next`, `els_next`).
pub fn brif(
    a: &mut CodeAssembler,
    cc: CC,
    (then, then_next): (CodeLabel, bool),
    (els, els_next): (CodeLabel, bool),
) -> R {
    if els_next {
        jcc(a, cc, then)
    } else if then_next {
        jcc(a, negate(cc), els)
    } else {
        jcc(a, cc, then)?;
        a.jmp(els)?;
        Ok(())
    }
}

/// Jump to `cases[idx - base]`, `idx` known to lie in
/// `base..base + cases.len()`: a binary search, linear at the leaves.
pub fn search(a: &mut CodeAssembler, idx: AsmRegister32, cases: &[CodeLabel], base: usize) -> R {
    let Some((&last, rest)) = cases.split_last() else {
        return Ok(());
    };
    if cases.len() <= 4 {
        for (k, &l) in rest.iter().enumerate() {
            a.cmp(idx, (base + k) as i32)?;
            a.je(l)?;
        }
        a.jmp(last)?;
        return Ok(());
    }
    let mid = cases.len() / 2;
    let mut upper = a.create_label();
    a.cmp(idx, (base + mid) as i32)?;
    a.jae(upper)?;
    search(a, idx, &cases[..mid], base)?;
    a.set_label(&mut upper)?;
    search(a, idx, &cases[mid..], base + mid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negate_pairs_each_condition_with_its_opposite() {
        use CC::*;
        let pairs = [
            (O, NO),
            (B, AE),
            (E, NE),
            (BE, A),
            (S, NS),
            (P, NP),
            (L, GE),
            (LE, G),
        ];
        for (c, n) in pairs {
            assert_eq!((negate(c), negate(n)), (n, c));
        }
    }

    #[test]
    fn next_emitted_skips_forwarded_blocks() {
        // Blocks 1 and 3 forward elsewhere.
        let target = [0, 2, 2, 4, 4];
        assert_eq!(next_emitted(&target), vec![2, 2, 4, 4, usize::MAX]);
    }
}
