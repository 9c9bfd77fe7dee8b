//! Functions: `Func` (dynamically typed) and creating host functions.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, Caller};
use crate::strategy::{FuncAddr, HostFn, StoreId};
use crate::typed::{IntoFunc, TypedFunc, WasmParams, WasmResults};
use crate::types::FuncType;
use crate::values::Val;

/// A function in a store: defined by Wasm or by the host. A `Copy` handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func {
    pub(crate) store: StoreId,
    pub(crate) addr: FuncAddr,
}

pub(crate) fn wrong_store() -> Error {
    Error::msg("object used with the wrong store")
}

/// Panics for the methods that cannot return an error (as Wasmtime does):
/// using a handle with another store is a bug in the embedder.
pub(crate) fn assert_store(expected: StoreId, actual: StoreId) {
    assert!(expected == actual, "object used with the wrong store");
}

impl Func {
    /// A host function of an explicit type, taking `&[Val]` and filling
    /// `&mut [Val]` (pre-filled with zero values of the result types).
    pub fn new<T: 'static>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Func {
        let ctx = store.as_context_mut();
        let f: HostFn<T> = Arc::new(func);
        let addr = ctx.0.alloc_host_func(&ty, f);
        Func {
            store: ctx.id(),
            addr,
        }
    }

    /// A host function from a typed closure, e.g.
    /// `|caller: Caller<'_, T>, a: i32, b: i32| -> i32` or `|x: f64| -> Result<f64, Error>`.
    pub fn wrap<T: 'static, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        let (ty, f) = func.into_host_fn();
        let ctx = store.as_context_mut();
        let addr = ctx.0.alloc_host_func(&ty, f);
        Func {
            store: ctx.id(),
            addr,
        }
    }

    /// The function's type. Panics if used with another store.
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        let ctx = store.as_context();
        assert_store(self.store, ctx.id());
        ctx.0.func_type(self.addr)
    }

    /// Calls the function. `params` must match its parameter types and
    /// `results` must have one slot per result. Traps and host errors come
    /// back as the `Error` (see [`Error::trap`], [`Error::downcast_ref`]).
    pub fn call(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let ctx = store.as_context_mut();
        if ctx.id() != self.store {
            return Err(wrong_store());
        }
        let ty = ctx.0.func_type(self.addr);
        check_params(&ty, params)?;
        if results.len() != ty.result_types().len() {
            return Err(Error::msg(format!(
                "function {ty} has {} results, but {} result slots were given",
                ty.result_types().len(),
                results.len()
            )));
        }
        ctx.0.invoke(self.addr, params, results)
    }

    /// A statically typed view of this function; fails if `Params`/`Results`
    /// do not match its type.
    pub fn typed<Params: WasmParams, Results: WasmResults>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<Params, Results>> {
        let ctx = store.as_context();
        if ctx.id() != self.store {
            return Err(wrong_store());
        }
        let ty = ctx.0.func_type(self.addr);
        let want = FuncType::new(Params::valtypes(), Results::valtypes());
        if ty != want {
            return Err(Error::msg(format!(
                "type mismatch: the function has type {ty}, but {want} was requested"
            )));
        }
        Ok(TypedFunc::new_unchecked(*self))
    }
}

pub(crate) fn check_params(ty: &FuncType, params: &[Val]) -> Result<()> {
    if params.len() != ty.param_types().len() {
        return Err(Error::msg(format!(
            "function {ty} takes {} arguments, but {} were given",
            ty.param_types().len(),
            params.len()
        )));
    }
    for (i, (p, want)) in params.iter().zip(ty.params()).enumerate() {
        if !p.matches(want) {
            return Err(Error::msg(format!(
                "argument {i} of function {ty}: expected {want}, got {}",
                p.ty()
            )));
        }
    }
    Ok(())
}
