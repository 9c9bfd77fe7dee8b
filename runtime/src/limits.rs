//! Resource limits: the [`ResourceLimiter`] hook and the ready-made [`StoreLimits`].

use std::sync::{Arc, Mutex};

/// Size of a Wasm page in bytes.
pub const WASM_PAGE_SIZE: u64 = 65536;

/// Decides whether memories and tables may be created or grow, and how many
/// instances, memories and tables a store may hold. Install with
/// [`Store::limiter`](crate::Store::limiter).
///
/// Unlike Wasmtime, the store owns the limiter (it is not borrowed out of the
/// store's data), and the growth hooks answer `bool`: `false` makes
/// `memory.grow`/`table.grow` return -1 and makes instantiation fail.
pub trait ResourceLimiter: Send {
    /// A memory wants to grow from `current` to `desired` bytes (`current`
    /// is 0 when the memory is being created); `maximum` is its type's
    /// maximum in bytes, if any.
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> bool;
    /// A table wants to grow from `current` to `desired` elements.
    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> bool;
    /// Maximum number of instances in the store.
    fn instances(&self) -> usize {
        DEFAULT_INSTANCE_LIMIT
    }
    /// Maximum number of tables in the store.
    fn tables(&self) -> usize {
        DEFAULT_TABLE_LIMIT
    }
    /// Maximum number of linear memories in the store.
    fn memories(&self) -> usize {
        DEFAULT_MEMORY_LIMIT
    }
}

pub const DEFAULT_INSTANCE_LIMIT: usize = 10_000;
pub const DEFAULT_TABLE_LIMIT: usize = 10_000;
pub const DEFAULT_MEMORY_LIMIT: usize = 10_000;

/// Ready-made limits; build with [`StoreLimitsBuilder`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreLimits {
    memory_size: Option<usize>,
    table_elements: Option<usize>,
    instances: usize,
    tables: usize,
    memories: usize,
}

impl Default for StoreLimits {
    fn default() -> StoreLimits {
        StoreLimits {
            memory_size: None,
            table_elements: None,
            instances: DEFAULT_INSTANCE_LIMIT,
            tables: DEFAULT_TABLE_LIMIT,
            memories: DEFAULT_MEMORY_LIMIT,
        }
    }
}

impl ResourceLimiter for StoreLimits {
    fn memory_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> bool {
        self.memory_size.is_none_or(|limit| desired <= limit)
            && maximum.is_none_or(|max| desired <= max)
    }
    fn table_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> bool {
        self.table_elements.is_none_or(|limit| desired <= limit)
            && maximum.is_none_or(|max| desired <= max)
    }
    fn instances(&self) -> usize {
        self.instances
    }
    fn tables(&self) -> usize {
        self.tables
    }
    fn memories(&self) -> usize {
        self.memories
    }
}

/// Builds [`StoreLimits`].
#[derive(Clone, Debug, Default)]
pub struct StoreLimitsBuilder(StoreLimits);

impl StoreLimitsBuilder {
    pub fn new() -> StoreLimitsBuilder {
        StoreLimitsBuilder::default()
    }
    /// Maximum size of each linear memory, in bytes.
    pub fn memory_size(mut self, bytes: usize) -> Self {
        self.0.memory_size = Some(bytes);
        self
    }
    /// Maximum number of elements of each table.
    pub fn table_elements(mut self, elements: usize) -> Self {
        self.0.table_elements = Some(elements);
        self
    }
    /// Maximum number of instances in the store.
    pub fn instances(mut self, n: usize) -> Self {
        self.0.instances = n;
        self
    }
    /// Maximum number of tables in the store.
    pub fn tables(mut self, n: usize) -> Self {
        self.0.tables = n;
        self
    }
    /// Maximum number of memories in the store.
    pub fn memories(mut self, n: usize) -> Self {
        self.0.memories = n;
        self
    }
    pub fn build(self) -> StoreLimits {
        self.0
    }
}

/// The limiter as the store holds it: shared between the store (instance
/// counts, creation checks) and the strategy (growth at run time).
pub(crate) type SharedLimiter = Arc<Mutex<Box<dyn ResourceLimiter>>>;

pub(crate) fn lock(limiter: &SharedLimiter) -> std::sync::MutexGuard<'_, Box<dyn ResourceLimiter>> {
    limiter
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn pages_to_bytes(pages: u64) -> usize {
    usize::try_from(pages.saturating_mul(WASM_PAGE_SIZE)).unwrap_or(usize::MAX)
}

pub(crate) fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}
