//! `Extern`: what imports take and exports give.

use crate::func::Func;
use crate::global::Global;
use crate::memory::Memory;
use crate::store::AsContext;
use crate::strategy::{ExternAddr, StoreId};
use crate::table::Table;
use crate::types::ExternType;

/// A function, table, memory or global of a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extern {
    Func(Func),
    Table(Table),
    Memory(Memory),
    Global(Global),
}

impl Extern {
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }

    /// The current type (tables and memories with their current sizes as
    /// minimum). Panics if used with another store.
    pub fn ty(&self, store: impl AsContext) -> ExternType {
        let ctx = store.as_context();
        match self {
            Extern::Func(f) => ExternType::Func(f.ty(ctx)),
            Extern::Table(t) => ExternType::Table(t.ty(ctx)),
            Extern::Memory(m) => ExternType::Memory(m.ty(ctx)),
            Extern::Global(g) => ExternType::Global(g.ty(ctx)),
        }
    }

    pub(crate) fn store_id(&self) -> StoreId {
        match self {
            Extern::Func(f) => f.store,
            Extern::Table(t) => t.store,
            Extern::Memory(m) => m.store,
            Extern::Global(g) => g.store,
        }
    }

    pub(crate) fn addr(&self) -> ExternAddr {
        match self {
            Extern::Func(f) => ExternAddr::Func(f.addr),
            Extern::Table(t) => ExternAddr::Table(t.addr),
            Extern::Memory(m) => ExternAddr::Memory(m.addr),
            Extern::Global(g) => ExternAddr::Global(g.addr),
        }
    }

    pub(crate) fn from_addr(store: StoreId, addr: ExternAddr) -> Extern {
        match addr {
            ExternAddr::Func(addr) => Extern::Func(Func { store, addr }),
            ExternAddr::Table(addr) => Extern::Table(Table { store, addr }),
            ExternAddr::Memory(addr) => Extern::Memory(Memory { store, addr }),
            ExternAddr::Global(addr) => Extern::Global(Global { store, addr }),
        }
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Extern {
        Extern::Func(f)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Extern {
        Extern::Table(t)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Extern {
        Extern::Memory(m)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Extern {
        Extern::Global(g)
    }
}
