//! Linear memories: bounds-checked access from the host.

use std::fmt;

use crate::error::{Error, Result};
use crate::func::{assert_store, wrong_store};
use crate::limits::{self, pages_to_bytes};
use crate::store::{AsContext, AsContextMut, StoreContext, StoreContextMut};
use crate::strategy::{MemAddr, StoreId};
use crate::types::MemoryType;

/// A linear memory in a store. A `Copy` handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Memory {
    pub(crate) store: StoreId,
    pub(crate) addr: MemAddr,
}

/// A host access outside a memory's current size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryAccessError {
    pub offset: usize,
    pub len: usize,
    pub memory_size: usize,
}

impl fmt::Display for MemoryAccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "out of bounds memory access: {} bytes at offset {} in a memory of {} bytes",
            self.len, self.offset, self.memory_size
        )
    }
}

impl std::error::Error for MemoryAccessError {}

impl Memory {
    /// Creates a memory in the store (counted against the limiter's
    /// `memories()` and checked with `memory_growing(0, min, max)`).
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let ctx = store.as_context_mut();
        let common = ctx.0.common();
        if let Some(l) = common.limiter.clone() {
            let l = limits::lock(&l);
            if common.memories + 1 > l.memories() {
                return Err(Error::msg(format!(
                    "resource limit exceeded: memory count too high at {}",
                    common.memories + 1
                )));
            }
        }
        let addr = ctx.0.alloc_memory(ty)?;
        ctx.0.common_mut().memories += 1;
        Ok(Memory {
            store: ctx.id(),
            addr,
        })
    }

    /// The current type (minimum = current size). Panics with another store.
    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let ctx = store.as_context();
        assert_store(self.store, ctx.id());
        ctx.0.memory_type(self.addr)
    }

    /// Size in pages of 64 KiB.
    pub fn size(&self, store: impl AsContext) -> u64 {
        let ctx = store.as_context();
        assert_store(self.store, ctx.id());
        ctx.0.memory_size(self.addr)
    }

    /// Size in bytes.
    pub fn data_size(&self, store: impl AsContext) -> usize {
        self.data(store.as_context()).len()
    }

    /// Grows by `delta` pages; returns the old size in pages. Fails if the
    /// type's maximum or the store's limiter refuses.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let ctx = store.as_context_mut();
        if ctx.id() != self.store {
            return Err(wrong_store());
        }
        let current = ctx.0.memory_size(self.addr);
        ctx.0.memory_grow(self.addr, delta).ok_or_else(|| {
            Error::msg(format!(
                "failed to grow memory by {delta} pages (from {current} pages, {} bytes)",
                pages_to_bytes(current)
            ))
        })
    }

    /// Copies `buffer.len()` bytes at `offset` into `buffer`.
    pub fn read(
        &self,
        store: impl AsContext,
        offset: usize,
        buffer: &mut [u8],
    ) -> Result<(), MemoryAccessError> {
        let data = self.data(store.as_context());
        let range = checked_range(offset, buffer.len(), data.len())?;
        buffer.copy_from_slice(&data[range]);
        Ok(())
    }

    /// Copies `buffer` into the memory at `offset`.
    pub fn write(
        &self,
        mut store: impl AsContextMut,
        offset: usize,
        buffer: &[u8],
    ) -> Result<(), MemoryAccessError> {
        let data = self.data_mut(store.as_context_mut());
        let range = checked_range(offset, buffer.len(), data.len())?;
        data[range].copy_from_slice(buffer);
        Ok(())
    }

    /// The memory's bytes. Panics if used with another store.
    pub fn data<'a, T: 'static>(&self, store: impl Into<StoreContext<'a, T>>) -> &'a [u8] {
        let ctx: StoreContext<'a, T> = store.into();
        assert_store(self.store, ctx.id());
        ctx.0.memory_data(self.addr)
    }

    /// The memory's bytes, writable. Panics if used with another store.
    pub fn data_mut<'a, T: 'static>(
        &self,
        store: impl Into<StoreContextMut<'a, T>>,
    ) -> &'a mut [u8] {
        let ctx: StoreContextMut<'a, T> = store.into();
        assert_store(self.store, ctx.id());
        ctx.0.memory_data_mut(self.addr)
    }

    /// The memory's bytes and the store's data at once (e.g. WASI writes
    /// guest memory while reading its own context).
    pub fn data_and_store_mut<'a, T: 'static>(
        &self,
        store: impl Into<StoreContextMut<'a, T>>,
    ) -> (&'a mut [u8], &'a mut T) {
        let ctx: StoreContextMut<'a, T> = store.into();
        assert_store(self.store, ctx.id());
        ctx.0.memory_and_data_mut(self.addr)
    }
}

fn checked_range(
    offset: usize,
    len: usize,
    size: usize,
) -> Result<std::ops::Range<usize>, MemoryAccessError> {
    match offset.checked_add(len) {
        Some(end) if end <= size => Ok(offset..end),
        _ => Err(MemoryAccessError {
            offset,
            len,
            memory_size: size,
        }),
    }
}
