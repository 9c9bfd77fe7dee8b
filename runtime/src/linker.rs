//! `Linker<T>`: resolves a module's imports by name.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::externals::Extern;
use crate::func::{Func, wrong_store};
use crate::instance::{self, Instance};
use crate::module::Module;
use crate::store::{AsContext, AsContextMut, Caller, StoreContextMut};
use crate::strategy::HostFn;
use crate::typed::IntoFunc;
use crate::types::{ExternType, FuncType, ImportType};
use crate::values::Val;

/// An import could not be resolved: nothing is defined under its name, or
/// what is defined has another type. Retrieve with
/// `error.downcast_ref::<LinkError>()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkError {
    module: String,
    name: String,
    expected: ExternType,
    found: Option<ExternType>,
}

impl LinkError {
    pub(crate) fn missing(import: &ImportType) -> LinkError {
        LinkError {
            module: import.module().to_string(),
            name: import.name().to_string(),
            expected: import.ty().clone(),
            found: None,
        }
    }
    pub(crate) fn incompatible(import: &ImportType, found: ExternType) -> LinkError {
        LinkError {
            found: Some(found),
            ..LinkError::missing(import)
        }
    }
    /// The import's module name.
    pub fn module(&self) -> &str {
        &self.module
    }
    /// The import's field name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The type the module expects.
    pub fn expected(&self) -> &ExternType {
        &self.expected
    }
    /// The type of what was supplied; `None` if nothing was.
    pub fn found(&self) -> Option<&ExternType> {
        self.found.as_ref()
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.found {
            None => write!(
                f,
                "unknown import: `{}::{}` has not been defined (expected {})",
                self.module, self.name, self.expected
            ),
            Some(found) => write!(
                f,
                "incompatible import type for `{}::{}`: expected {}, found {}",
                self.module, self.name, self.expected, found
            ),
        }
    }
}

impl std::error::Error for LinkError {}

/// A host function defined in a linker, not yet tied to a store: it is
/// allocated in a store the first time that store instantiates with it.
pub(crate) struct HostFuncDef<T: 'static> {
    ty: FuncType,
    func: HostFn<T>,
}

enum Definition<T: 'static> {
    HostFunc(Arc<HostFuncDef<T>>),
    Extern(Extern),
}

impl<T: 'static> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::HostFunc(f) => Definition::HostFunc(f.clone()),
            Definition::Extern(e) => Definition::Extern(*e),
        }
    }
}

/// Defines imports by `module::name` and instantiates modules against them.
pub struct Linker<T: 'static> {
    engine: Engine,
    defs: HashMap<(String, String), Definition<T>>,
    allow_shadowing: bool,
}

impl<T: 'static> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            defs: self.defs.clone(),
            allow_shadowing: self.allow_shadowing,
        }
    }
}

impl<T: 'static> Linker<T> {
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker {
            engine: engine.clone(),
            defs: HashMap::new(),
            allow_shadowing: false,
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether a later definition may replace an earlier one of the same
    /// name (default: no — redefinition is an error).
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition<T>) -> Result<&mut Self> {
        let key = (module.to_string(), name.to_string());
        if !self.allow_shadowing && self.defs.contains_key(&key) {
            return Err(Error::msg(format!(
                "import `{module}::{name}` is defined twice (see Linker::allow_shadowing)"
            )));
        }
        self.defs.insert(key, def);
        Ok(self)
    }

    /// Defines a host function from a typed closure, e.g.
    /// `|caller: Caller<'_, T>, ptr: i32, len: i32| -> Result<i32, Error>`.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self> {
        let (ty, func) = func.into_host_fn();
        self.insert(
            module,
            name,
            Definition::HostFunc(Arc::new(HostFuncDef { ty, func })),
        )
    }

    /// Defines a host function of an explicit type over `&[Val]`/`&mut [Val]`.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        let func: HostFn<T> = Arc::new(func);
        self.insert(
            module,
            name,
            Definition::HostFunc(Arc::new(HostFuncDef { ty, func })),
        )
    }

    /// Defines an item of a store (a function, memory, table or global).
    pub fn define(
        &mut self,
        store: impl AsContext<Data = T>,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self> {
        let item = item.into();
        if item.store_id() != store.as_context().id() {
            return Err(wrong_store());
        }
        self.insert(module, name, Definition::Extern(item))
    }

    /// Defines every export of `instance` under the module name `module`.
    pub fn instance(
        &mut self,
        store: impl AsContextMut<Data = T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self> {
        let ctx = store.as_context();
        if instance.store != ctx.id() {
            return Err(wrong_store());
        }
        for (name, ext) in instance.exports(ctx) {
            self.insert(module, &name, Definition::Extern(ext))?;
        }
        Ok(self)
    }

    /// Instantiates `module`, resolving each import by name; a missing or
    /// mistyped import is a [`LinkError`] naming it and its expected type.
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance> {
        let mut ctx = store.as_context_mut();
        if !Engine::same(&self.engine, module.engine()) {
            return Err(Error::msg(
                "the linker and the module belong to different engines",
            ));
        }
        let mut imports = Vec::with_capacity(module.import_types().len());
        for import in module.import_types() {
            let key = (import.module().to_string(), import.name().to_string());
            let def = self
                .defs
                .get(&key)
                .ok_or_else(|| LinkError::missing(import))?;
            let ext = match def {
                Definition::Extern(e) => {
                    if e.store_id() != ctx.id() {
                        return Err(wrong_store());
                    }
                    *e
                }
                Definition::HostFunc(f) => {
                    let found = ExternType::Func(f.ty.clone());
                    if !found.matches(import.ty()) {
                        return Err(LinkError::incompatible(import, found).into());
                    }
                    Extern::Func(host_func_in_store(&mut ctx, f))
                }
            };
            imports.push(ext);
        }
        instance::instantiate(ctx, module, &imports)
    }

    /// What is defined under `module::name`, as an item of `store`.
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        let mut ctx = store.as_context_mut();
        match self.defs.get(&(module.to_string(), name.to_string()))? {
            Definition::Extern(e) => Some(*e),
            Definition::HostFunc(f) => Some(Extern::Func(host_func_in_store(&mut ctx, f))),
        }
    }

    /// Every definition's `(module, name)`, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.defs.keys().map(|(m, n)| (m.as_str(), n.as_str()))
    }
}

/// The store's function for a linker definition, allocated on first use.
fn host_func_in_store<T: 'static>(
    ctx: &mut StoreContextMut<'_, T>,
    def: &Arc<HostFuncDef<T>>,
) -> Func {
    let key = Arc::as_ptr(def) as *const () as usize;
    if let Some((_, addr)) = ctx.0.common().host_funcs.get(&key) {
        return Func {
            store: ctx.id(),
            addr: *addr,
        };
    }
    let addr = ctx.0.alloc_host_func(&def.ty, def.func.clone());
    let keep: Arc<dyn Any + Send + Sync> = def.clone();
    ctx.0.common_mut().host_funcs.insert(key, (keep, addr));
    Func {
        store: ctx.id(),
        addr,
    }
}
