//! `random_get` and `sched_yield` (`proc_exit` is in the linker glue: it
//! returns the runtime's `I32Exit` error).

use super::errno::Errno;
use super::mem::GuestMemory;

/// Fills `len` bytes at `buf` with random bytes from the host's CSPRNG.
pub(crate) fn random_get(mem: &mut GuestMemory<'_>, buf: u32, len: u32) -> Result<(), Errno> {
    let dst = mem.slice_mut(buf, len)?;
    getrandom::fill(dst).map_err(|_| Errno::IO)
}

pub(crate) fn sched_yield() -> Result<(), Errno> {
    std::thread::yield_now();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_fills_and_checks_bounds() {
        let mut bytes = vec![0u8; 64];
        let mut mem = GuestMemory::new(&mut bytes);
        random_get(&mut mem, 0, 64).expect("random");
        assert_eq!(random_get(&mut mem, 1, 64), Err(Errno::FAULT));
        assert_eq!(random_get(&mut mem, u32::MAX, 2), Err(Errno::FAULT));
        assert!(
            bytes.iter().any(|&b| b != 0),
            "64 random bytes are not all zero"
        );
    }
}
