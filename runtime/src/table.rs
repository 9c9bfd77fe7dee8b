//! Tables of references.

use crate::error::{Error, Result};
use crate::func::{assert_store, wrong_store};
use crate::limits;
use crate::store::{AsContext, AsContextMut};
use crate::strategy::{StoreId, TableAddr};
use crate::types::{TableType, ValType};
use crate::values::Val;

/// A table in a store. A `Copy` handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table {
    pub(crate) store: StoreId,
    pub(crate) addr: TableAddr,
}

impl Table {
    /// Creates a table with every element set to `init`.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table> {
        let ctx = store.as_context_mut();
        check_ref(ctx.id(), &ty, &init)?;
        let common = ctx.0.common();
        if let Some(l) = common.limiter.clone() {
            let l = limits::lock(&l);
            if common.tables + 1 > l.tables() {
                return Err(Error::msg(format!(
                    "resource limit exceeded: table count too high at {}",
                    common.tables + 1
                )));
            }
        }
        let addr = ctx.0.alloc_table(ty, init)?;
        ctx.0.common_mut().tables += 1;
        Ok(Table {
            store: ctx.id(),
            addr,
        })
    }

    /// The current type (minimum = current size). Panics with another store.
    pub fn ty(&self, store: impl AsContext) -> TableType {
        let ctx = store.as_context();
        assert_store(self.store, ctx.id());
        ctx.0.table_type(self.addr)
    }

    /// Size in elements.
    pub fn size(&self, store: impl AsContext) -> u64 {
        let ctx = store.as_context();
        assert_store(self.store, ctx.id());
        ctx.0.table_size(self.addr)
    }

    /// The element at `index`, or `None` if out of bounds.
    pub fn get(&self, store: impl AsContext, index: u64) -> Option<Val> {
        let ctx = store.as_context();
        assert_store(self.store, ctx.id());
        ctx.0.table_get(self.addr, index)
    }

    pub fn set(&self, mut store: impl AsContextMut, index: u64, value: Val) -> Result<()> {
        let ctx = store.as_context_mut();
        if ctx.id() != self.store {
            return Err(wrong_store());
        }
        let ty = ctx.0.table_type(self.addr);
        check_ref(ctx.id(), &ty, &value)?;
        ctx.0.table_set(self.addr, index, value)
    }

    /// Grows by `delta` elements set to `init`; returns the old size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64, init: Val) -> Result<u64> {
        let ctx = store.as_context_mut();
        if ctx.id() != self.store {
            return Err(wrong_store());
        }
        let ty = ctx.0.table_type(self.addr);
        check_ref(ctx.id(), &ty, &init)?;
        ctx.0
            .table_grow(self.addr, delta, init)
            .ok_or_else(|| Error::msg(format!("failed to grow table by {delta} elements")))
    }
}

fn check_ref(store: StoreId, ty: &TableType, value: &Val) -> Result<()> {
    if let Val::FuncRef(Some(f)) = value
        && f.store != store
    {
        return Err(wrong_store());
    }
    if !value.matches(ValType::Ref(ty.element())) {
        return Err(Error::msg(format!(
            "type mismatch: a {} cannot be stored in a table of {}",
            value.ty(),
            ValType::Ref(ty.element())
        )));
    }
    Ok(())
}
