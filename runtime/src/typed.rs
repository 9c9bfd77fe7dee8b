//! Statically typed functions: the `WasmTy`/`WasmParams`/`WasmResults`
//! traits, `TypedFunc`, and `IntoFunc` for host closures.

use std::marker::PhantomData;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::func::Func;
use crate::store::{AsContextMut, Caller};
use crate::strategy::HostFn;
use crate::types::{FuncType, ValType};
use crate::values::Val;

/// A Rust type that is one Wasm value: `i32`, `u32` (as i32), `i64`, `u64`
/// (as i64), `f32`, `f64`, `Option<Func>` (funcref).
pub trait WasmTy: Sized + Send + 'static {
    fn valtype() -> ValType;
    fn into_val(self) -> Val;
    fn from_val(val: &Val) -> Option<Self>;
}

impl WasmTy for i32 {
    fn valtype() -> ValType {
        ValType::I32
    }
    fn into_val(self) -> Val {
        Val::I32(self)
    }
    fn from_val(val: &Val) -> Option<Self> {
        val.i32()
    }
}
impl WasmTy for u32 {
    fn valtype() -> ValType {
        ValType::I32
    }
    fn into_val(self) -> Val {
        Val::I32(self as i32)
    }
    fn from_val(val: &Val) -> Option<Self> {
        val.i32().map(|v| v as u32)
    }
}
impl WasmTy for i64 {
    fn valtype() -> ValType {
        ValType::I64
    }
    fn into_val(self) -> Val {
        Val::I64(self)
    }
    fn from_val(val: &Val) -> Option<Self> {
        val.i64()
    }
}
impl WasmTy for u64 {
    fn valtype() -> ValType {
        ValType::I64
    }
    fn into_val(self) -> Val {
        Val::I64(self as i64)
    }
    fn from_val(val: &Val) -> Option<Self> {
        val.i64().map(|v| v as u64)
    }
}
impl WasmTy for f32 {
    fn valtype() -> ValType {
        ValType::F32
    }
    fn into_val(self) -> Val {
        Val::F32(self.to_bits())
    }
    fn from_val(val: &Val) -> Option<Self> {
        val.f32()
    }
}
impl WasmTy for f64 {
    fn valtype() -> ValType {
        ValType::F64
    }
    fn into_val(self) -> Val {
        Val::F64(self.to_bits())
    }
    fn from_val(val: &Val) -> Option<Self> {
        val.f64()
    }
}
impl WasmTy for Option<Func> {
    fn valtype() -> ValType {
        ValType::FUNCREF
    }
    fn into_val(self) -> Val {
        Val::FuncRef(self)
    }
    fn from_val(val: &Val) -> Option<Self> {
        val.funcref()
    }
}

/// A list of Wasm values as a Rust type: `()`, a single [`WasmTy`], or a
/// tuple of up to 16 of them.
pub trait WasmParams: Sized + Send + 'static {
    fn valtypes() -> Vec<ValType>;
    fn into_vals(self) -> Vec<Val>;
    fn from_vals(vals: &[Val]) -> Option<Self>;
}

/// Results of a typed function: the same shapes as [`WasmParams`].
pub trait WasmResults: WasmParams {}
impl<R: WasmParams> WasmResults for R {}

impl<A: WasmTy> WasmParams for A {
    fn valtypes() -> Vec<ValType> {
        vec![A::valtype()]
    }
    fn into_vals(self) -> Vec<Val> {
        vec![self.into_val()]
    }
    fn from_vals(vals: &[Val]) -> Option<Self> {
        match vals {
            [v] => A::from_val(v),
            _ => None,
        }
    }
}

macro_rules! tuple_params {
    ($($a:ident)*) => {
        #[allow(non_snake_case, unused_variables, unused_mut, clippy::unused_unit)]
        impl<$($a: WasmTy,)*> WasmParams for ($($a,)*) {
            fn valtypes() -> Vec<ValType> {
                vec![$($a::valtype(),)*]
            }
            fn into_vals(self) -> Vec<Val> {
                let ($($a,)*) = self;
                vec![$($a.into_val(),)*]
            }
            fn from_vals(vals: &[Val]) -> Option<Self> {
                let mut it = vals.iter();
                $(let $a = $a::from_val(it.next()?)?;)*
                if it.next().is_some() {
                    return None;
                }
                Some(($($a,)*))
            }
        }
    };
}

/// What a host closure may return: results, or `Result<results, Error>`.
pub trait WasmRet: Send + 'static {
    type Ok: WasmResults;
    fn into_result(self) -> Result<Self::Ok>;
}

impl<R: WasmResults> WasmRet for R {
    type Ok = R;
    fn into_result(self) -> Result<R> {
        Ok(self)
    }
}

impl<R: WasmResults> WasmRet for Result<R, Error> {
    type Ok = R;
    fn into_result(self) -> Result<R> {
        self
    }
}

/// A closure usable as a host function: `Fn(A1, .., An) -> R` or
/// `Fn(Caller<'_, T>, A1, .., An) -> R`, with each `Ai: WasmTy`, up to 16
/// parameters, and `R: WasmRet`. `Params` and `Results` are inferred.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_host_fn(self) -> (FuncType, HostFn<T>);
}

fn store_results<R: WasmResults>(r: R, results: &mut [Val]) -> Result<()> {
    let vals = r.into_vals();
    if vals.len() != results.len() {
        return Err(Error::msg("host function results do not match its type"));
    }
    results.copy_from_slice(&vals);
    Ok(())
}

fn bad_args() -> Error {
    Error::msg("host function called with arguments that do not match its type")
}

macro_rules! into_func {
    ($($a:ident)*) => {
        tuple_params!($($a)*);

        #[allow(non_snake_case, unused_variables, unused_mut)]
        impl<T: 'static, F, $($a: WasmTy,)* R: WasmRet> IntoFunc<T, ($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
        {
            fn into_host_fn(self) -> (FuncType, HostFn<T>) {
                let ty = FuncType::new(vec![$($a::valtype()),*], R::Ok::valtypes());
                let f = move |_caller: Caller<'_, T>, params: &[Val], results: &mut [Val]| -> Result<()> {
                    let mut it = params.iter();
                    $(let $a = it.next().and_then($a::from_val).ok_or_else(bad_args)?;)*
                    let r = (self)($($a),*).into_result()?;
                    store_results(r, results)
                };
                (ty, Arc::new(f))
            }
        }

        #[allow(non_snake_case, unused_variables, unused_mut)]
        impl<T: 'static, F, $($a: WasmTy,)* R: WasmRet> IntoFunc<T, (Caller<'_, T>, $($a,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
        {
            fn into_host_fn(self) -> (FuncType, HostFn<T>) {
                let ty = FuncType::new(vec![$($a::valtype()),*], R::Ok::valtypes());
                let f = move |caller: Caller<'_, T>, params: &[Val], results: &mut [Val]| -> Result<()> {
                    let mut it = params.iter();
                    $(let $a = it.next().and_then($a::from_val).ok_or_else(bad_args)?;)*
                    let r = (self)(caller, $($a),*).into_result()?;
                    store_results(r, results)
                };
                (ty, Arc::new(f))
            }
        }
    };
}

into_func!();
into_func!(A1);
into_func!(A1 A2);
into_func!(A1 A2 A3);
into_func!(A1 A2 A3 A4);
into_func!(A1 A2 A3 A4 A5);
into_func!(A1 A2 A3 A4 A5 A6);
into_func!(A1 A2 A3 A4 A5 A6 A7);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15 A16);

/// A function with a statically known type: `Params` and `Results` are
/// [`WasmParams`] shapes such as `(i32, i32)` and `i32`. Obtain one with
/// [`Func::typed`] or `Instance::get_typed_func`.
pub struct TypedFunc<Params, Results> {
    func: Func,
    _ty: PhantomData<fn(Params) -> Results>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P, R> Copy for TypedFunc<P, R> {}

impl<P, R> std::fmt::Debug for TypedFunc<P, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedFunc")
            .field("func", &self.func)
            .finish()
    }
}

impl<Params: WasmParams, Results: WasmResults> TypedFunc<Params, Results> {
    pub(crate) fn new_unchecked(func: Func) -> Self {
        TypedFunc {
            func,
            _ty: PhantomData,
        }
    }

    /// The untyped function.
    pub fn func(&self) -> &Func {
        &self.func
    }

    pub fn call(&self, store: impl AsContextMut, params: Params) -> Result<Results> {
        let params = params.into_vals();
        let mut results: Vec<Val> = Results::valtypes()
            .into_iter()
            .map(Val::default_for)
            .collect();
        self.func.call(store, &params, &mut results)?;
        Results::from_vals(&results)
            .ok_or_else(|| Error::msg("function results do not match the typed function's type"))
    }
}
