//! Memory instances (spec §4.2.8): a byte vector whose length is a multiple
//! of the 64 KiB page size, growing within the type's maximum.

use crate::types::MemoryType;

pub(crate) const PAGE_SIZE: u64 = 65536;
/// The most pages a 32-bit memory can have (spec §2.3.8: 2^16 pages = 4 GiB).
pub(crate) const MAX_PAGES: u64 = 65536;

#[derive(Debug)]
pub(crate) struct MemInst {
    pub ty: MemoryType,
    pub data: Vec<u8>,
}

impl MemInst {
    /// Spec §4.5.3.4 `allocmem`: `min` zeroed pages. Refuses sizes beyond
    /// the 32-bit limit rather than trying to allocate them.
    pub fn new(ty: MemoryType) -> Result<MemInst, String> {
        if ty.min > MAX_PAGES {
            return Err(format!(
                "memory of {} pages exceeds {MAX_PAGES} pages",
                ty.min
            ));
        }
        let data = zeroed((ty.min * PAGE_SIZE) as usize)
            .ok_or_else(|| format!("cannot allocate a memory of {} pages", ty.min))?;
        Ok(MemInst { ty, data })
    }

    pub fn pages(&self) -> u64 {
        self.data.len() as u64 / PAGE_SIZE
    }

    /// The effective maximum in pages: the type's, capped at the 32-bit limit.
    pub fn max_pages(&self) -> u64 {
        self.ty.max.map_or(MAX_PAGES, |m| m.min(MAX_PAGES))
    }

    /// Spec §4.5.3.9 `growmem` after the limiter agreed: `false` when over
    /// the maximum or out of host memory (never a panic).
    pub fn grow(&mut self, delta: u64) -> bool {
        let Some(new_pages) = self.pages().checked_add(delta) else {
            return false;
        };
        if new_pages > self.max_pages() {
            return false;
        }
        let new_len = (new_pages * PAGE_SIZE) as usize;
        if self
            .data
            .try_reserve_exact(new_len - self.data.len())
            .is_err()
        {
            return false;
        }
        self.data.resize(new_len, 0);
        self.ty.min = new_pages;
        true
    }

    /// The `len` bytes at `addr`, or `None` if any is out of bounds.
    pub fn slice(&self, addr: u64, len: u64) -> Option<&[u8]> {
        let end = addr.checked_add(len)?;
        self.data
            .get(usize::try_from(addr).ok()?..usize::try_from(end).ok()?)
    }

    pub fn slice_mut(&mut self, addr: u64, len: u64) -> Option<&mut [u8]> {
        let end = addr.checked_add(len)?;
        self.data
            .get_mut(usize::try_from(addr).ok()?..usize::try_from(end).ok()?)
    }

    /// Whether `[addr, addr + len)` lies inside the memory.
    pub fn in_bounds(&self, addr: u64, len: u64) -> bool {
        addr.checked_add(len)
            .is_some_and(|end| end <= self.data.len() as u64)
    }
}

/// `len` zero bytes, or `None` if the host cannot provide them. The probe
/// turns an impossible allocation into `None` instead of an abort; the
/// real one is `calloc`-backed, so untouched pages cost nothing.
fn zeroed(len: usize) -> Option<Vec<u8>> {
    Vec::<u8>::new().try_reserve_exact(len).ok()?;
    Some(vec![0; len])
}
