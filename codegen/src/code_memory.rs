//! Executable memory for generated code, W^X: pages are mapped
//! read+write, filled, then switched to read+execute; they are never
//! writable and executable at the same time.
//!
//! The mapping comes from `memmap2` (anonymous private maps, `mprotect`
//! for the switch), so the only `unsafe` here is the mapping call itself and
//! the conversion of an address into a function pointer.

use memmap2::{Mmap, MmapMut};

/// A finished, executable block of machine code.
pub struct CodeMemory {
    map: Mmap,
    len: usize,
}

impl std::fmt::Debug for CodeMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeMemory")
            .field("addr", &self.map.as_ptr())
            .field("len", &self.len)
            .finish()
    }
}

impl CodeMemory {
    /// Copy `code` into fresh pages and make them read+execute.
    pub fn new(code: &[u8]) -> std::io::Result<CodeMemory> {
        if code.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "no code to map",
            ));
        }
        let mut map = MmapMut::map_anon(code.len())?;
        map.copy_from_slice(code);
        // The writable mapping is consumed: after this call no `&mut` to the
        // pages exists and they are PROT_READ|PROT_EXEC.
        let map = map.make_exec()?;
        Ok(CodeMemory {
            map,
            len: code.len(),
        })
    }

    /// The code's address.
    pub fn as_ptr(&self) -> *const u8 {
        self.map.as_ptr()
    }

    /// The code's length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: empty code is refused by [`CodeMemory::new`].
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The code as a `extern "sysv64" fn(*const u64, *mut u64)`: the shape
    /// of the test harnesses (inputs buffer, outputs buffer).
    ///
    /// # Safety
    /// The caller promises that the code is a complete function following the
    /// System V calling convention for that signature, that it reads and
    /// writes only within the buffers it will be given, and that it
    /// terminates. The returned pointer must not outlive `self`.
    pub unsafe fn as_buffer_fn(&self) -> extern "sysv64" fn(*const u64, *mut u64) {
        // SAFETY: the mapping is executable and starts with the function's
        // first instruction; the caller vouches for the code's contract
        // (see above), which is what a call through this type assumes.
        unsafe {
            std::mem::transmute::<*const u8, extern "sysv64" fn(*const u64, *mut u64)>(
                self.map.as_ptr(),
            )
        }
    }
}
