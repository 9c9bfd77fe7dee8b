//! Globals.

use crate::error::{Error, Result};
use crate::func::{assert_store, wrong_store};
use crate::store::{AsContext, AsContextMut};
use crate::strategy::{GlobalAddr, StoreId};
use crate::types::{GlobalType, Mutability};
use crate::values::Val;

/// A global in a store. A `Copy` handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Global {
    pub(crate) store: StoreId,
    pub(crate) addr: GlobalAddr,
}

impl Global {
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, init: Val) -> Result<Global> {
        let ctx = store.as_context_mut();
        check_val(ctx.id(), &ty, &init)?;
        let addr = ctx.0.alloc_global(ty, init)?;
        Ok(Global {
            store: ctx.id(),
            addr,
        })
    }

    /// Panics if used with another store.
    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        let ctx = store.as_context();
        assert_store(self.store, ctx.id());
        ctx.0.global_type(self.addr)
    }

    /// Panics if used with another store.
    pub fn get(&self, store: impl AsContext) -> Val {
        let ctx = store.as_context();
        assert_store(self.store, ctx.id());
        ctx.0.global_get(self.addr)
    }

    /// Fails on an immutable global or a value of the wrong type.
    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<()> {
        let ctx = store.as_context_mut();
        if ctx.id() != self.store {
            return Err(wrong_store());
        }
        let ty = ctx.0.global_type(self.addr);
        if ty.mutability() == Mutability::Const {
            return Err(Error::msg("cannot set an immutable global"));
        }
        check_val(ctx.id(), &ty, &value)?;
        ctx.0.global_set(self.addr, value)
    }
}

fn check_val(store: StoreId, ty: &GlobalType, value: &Val) -> Result<()> {
    if let Val::FuncRef(Some(f)) = value
        && f.store != store
    {
        return Err(wrong_store());
    }
    if !value.matches(ty.content()) {
        return Err(Error::msg(format!(
            "type mismatch: global of type {} given a value of type {}",
            ty.content(),
            value.ty()
        )));
    }
    Ok(())
}
