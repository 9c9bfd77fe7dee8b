//! Joining separately encoded functions into one code image. Each function
//! is encoded on its own (at offset 0 of its own buffer, on any thread);
//! a `call` to another function or the `jmp` to the trap landing is left
//! as a zero rel32 plus a [`Reloc`], patched here once every function's
//! place is known.

/// What a relocated rel32 points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelocTarget {
    /// The start of defined function `i` (function index minus imports).
    Func(u32),
    /// The module's trap landing.
    Landing,
}

/// A rel32 to patch: `at` is its offset in the function's bytes; the
/// displacement is relative to the end of the rel32 (`at + 4`), as for
/// `call rel32` / `jmp rel32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reloc {
    pub at: u32,
    pub target: RelocTarget,
}

/// One function's machine code, before linking.
#[derive(Clone, Debug, Default)]
pub struct FuncCode {
    pub bytes: Vec<u8>,
    pub relocs: Vec<Reloc>,
}

/// The opcodes a rel32 relocation may follow: `call rel32`, `jmp rel32`.
pub const CALL_REL32: u8 = 0xE8;
pub const JMP_REL32: u8 = 0xE9;

/// Where each function goes: one after the other from offset 0 (entry
/// `funcs.len()` is where the code after them starts).
pub fn layout(funcs: &[FuncCode]) -> Vec<usize> {
    let mut at = 0;
    let mut offsets = Vec::with_capacity(funcs.len() + 1);
    for f in funcs {
        offsets.push(at);
        at += f.bytes.len();
    }
    offsets.push(at);
    offsets
}

/// The image: `funcs` at `offsets` (from [`layout`]), then `tail` (code
/// encoded to start at `offsets[funcs.len()]`), with every relocation
/// patched; `landing` is the trap landing's offset in the image.
pub fn link(
    funcs: &[FuncCode],
    offsets: &[usize],
    tail: &[u8],
    landing: usize,
) -> Result<Vec<u8>, String> {
    let mut image = Vec::with_capacity(offsets[funcs.len()] + tail.len());
    for f in funcs {
        image.extend_from_slice(&f.bytes);
    }
    image.extend_from_slice(tail);
    for (f, &start) in funcs.iter().zip(offsets) {
        for r in &f.relocs {
            let target = match r.target {
                RelocTarget::Func(i) => *offsets
                    .get(i as usize)
                    .filter(|_| (i as usize) < funcs.len())
                    .ok_or_else(|| format!("relocation to unknown function {i}"))?,
                RelocTarget::Landing => landing,
            };
            patch(&mut image, start + r.at as usize, target)?;
        }
    }
    Ok(image)
}

/// Write the rel32 at `at` so that it reaches `target`; the byte before it
/// must be a `call`/`jmp` rel32 opcode, the rel32 itself still zero.
fn patch(image: &mut [u8], at: usize, target: usize) -> Result<(), String> {
    let bad = || format!("internal error: relocation at {at:#x} is not an unpatched rel32");
    let opcode = at
        .checked_sub(1)
        .and_then(|i| image.get(i))
        .ok_or_else(bad)?;
    let field = image.get(at..at + 4).ok_or_else(bad)?;
    if ![CALL_REL32, JMP_REL32].contains(opcode) || field != [0; 4] {
        return Err(bad());
    }
    let rel = i32::try_from(target as i64 - (at + 4) as i64)
        .map_err(|_| format!("code too large: rel32 at {at:#x} cannot reach {target:#x}"))?;
    image[at..at + 4].copy_from_slice(&rel.to_le_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn func(bytes: &[u8], relocs: &[(u32, RelocTarget)]) -> FuncCode {
        FuncCode {
            bytes: bytes.to_vec(),
            relocs: relocs
                .iter()
                .map(|&(at, target)| Reloc { at, target })
                .collect(),
        }
    }

    #[test]
    fn patches_calls_forward_backward_and_to_the_landing() {
        // f0: nop; call f1; ret      f1: call f0; jmp landing
        let funcs = [
            func(
                &[0x90, 0xE8, 0, 0, 0, 0, 0xC3],
                &[(2, RelocTarget::Func(1))],
            ),
            func(
                &[0xE8, 0, 0, 0, 0, 0xE9, 0, 0, 0, 0],
                &[(1, RelocTarget::Func(0)), (6, RelocTarget::Landing)],
            ),
        ];
        let offsets = layout(&funcs);
        assert_eq!(offsets, [0, 7, 17]);
        let image = link(&funcs, &offsets, &[0xCC, 0xC3], 18).unwrap();
        let rel = |at: usize| i32::from_le_bytes(image[at..at + 4].try_into().unwrap()) as i64;
        // f0's call ends at 6 and lands on f1 (7).
        assert_eq!(6 + rel(2), 7);
        // f1's call ends at 12 and lands on f0 (0).
        assert_eq!(12 + rel(8), 0);
        // f1's jmp ends at 17 and lands on the landing (18).
        assert_eq!(17 + rel(13), 18);
        assert_eq!(&image[17..], &[0xCC, 0xC3]);
    }

    #[test]
    fn refuses_a_relocation_that_is_not_a_zero_rel32() {
        let offsets = [0, 6];
        let not_a_call = [func(
            &[0x90, 0, 0, 0, 0, 0xC3],
            &[(1, RelocTarget::Landing)],
        )];
        assert!(link(&not_a_call, &offsets, &[0xC3], 6).is_err());
        let out_of_bounds = [func(
            &[0x90, 0xE8, 0, 0, 0, 0],
            &[(3, RelocTarget::Landing)],
        )];
        assert!(link(&out_of_bounds, &offsets, &[0xC3], 6).is_err());
        let unknown = [func(
            &[0xE8, 0, 0, 0, 0, 0xC3],
            &[(1, RelocTarget::Func(1))],
        )];
        assert!(link(&unknown, &offsets, &[0xC3], 6).is_err());
    }
}
