//! Instances: instantiation with explicit imports, and access to exports.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::externals::Extern;
use crate::func::{Func, wrong_store};
use crate::global::Global;
use crate::limits;
use crate::linker::LinkError;
use crate::memory::Memory;
use crate::module::Module;
use crate::store::{AsContext, AsContextMut, StoreContext, StoreContextMut};
use crate::strategy::{InstanceAddr, StoreId};
use crate::table::Table;
use crate::typed::{TypedFunc, WasmParams, WasmResults};

/// An instantiated module. A `Copy` handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance {
    pub(crate) store: StoreId,
    pub(crate) addr: InstanceAddr,
}

impl Instance {
    /// Instantiates `module` with `imports` given in the module's import
    /// order (see [`Module::imports`]); [`Linker`](crate::Linker) resolves
    /// them by name instead.
    pub fn new(
        mut store: impl AsContextMut,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        instantiate(store.as_context_mut(), module, imports)
    }

    /// An export by name, or `None`.
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        let ctx = store.as_context();
        if ctx.id() != self.store {
            return None;
        }
        ctx.0
            .instance_export(self.addr, name)
            .map(|a| Extern::from_addr(self.store, a))
    }

    /// All exports, in the module's order.
    pub fn exports(&self, store: impl AsContext) -> Vec<(String, Extern)> {
        let ctx = store.as_context();
        if ctx.id() != self.store {
            return Vec::new();
        }
        ctx.0
            .instance_exports(self.addr)
            .into_iter()
            .map(|(n, a)| (n, Extern::from_addr(self.store, a)))
            .collect()
    }

    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// An exported function with a static type; fails if there is no such
    /// function export or its type is not `Params -> Results`.
    pub fn get_typed_func<Params: WasmParams, Results: WasmResults>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<Params, Results>> {
        let ctx = store.as_context();
        let func = self
            .get_func(ctx, name)
            .ok_or_else(|| Error::msg(format!("failed to find function export `{name}`")))?;
        func.typed(ctx)
            .map_err(|e| e.context(format!("failed to get function export `{name}`")))
    }

    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }
}

/// Checks imports and limits, then instantiates through the strategy.
pub(crate) fn instantiate<T: 'static>(
    mut ctx: StoreContextMut<'_, T>,
    module: &Module,
    imports: &[Extern],
) -> Result<Instance> {
    if !Engine::same(ctx.engine(), module.engine()) {
        return Err(Error::msg("cross-engine instantiation is not supported"));
    }
    let expected = module.import_types();
    if imports.len() != expected.len() {
        return Err(Error::msg(format!(
            "expected {} imports, found {}",
            expected.len(),
            imports.len()
        )));
    }
    let id = ctx.id();
    for (import, ext) in expected.iter().zip(imports) {
        if ext.store_id() != id {
            return Err(wrong_store());
        }
        let found = ext.ty(StoreContext::from(&ctx));
        if !found.matches(import.ty()) {
            return Err(LinkError::incompatible(import, found).into());
        }
    }
    check_limits(&mut ctx, module)?;
    let addrs: Vec<_> = imports.iter().map(Extern::addr).collect();
    let addr = ctx.0.instantiate(module, &addrs)?;
    let common = ctx.0.common_mut();
    common.instances += 1;
    common.memories += module.defined_memories().len();
    common.tables += module.defined_tables().len();
    Ok(Instance { store: id, addr })
}

fn check_limits<T: 'static>(ctx: &mut StoreContextMut<'_, T>, module: &Module) -> Result<()> {
    let common = ctx.0.common();
    let Some(limiter) = common.limiter.clone() else {
        return Ok(());
    };
    let l = limits::lock(&limiter);
    if common.instances + 1 > l.instances() {
        return Err(Error::msg(format!(
            "resource limit exceeded: instance count too high at {}",
            common.instances + 1
        )));
    }
    let memories = common.memories + module.defined_memories().len();
    if memories > l.memories() {
        return Err(Error::msg(format!(
            "resource limit exceeded: memory count too high at {memories}"
        )));
    }
    let tables = common.tables + module.defined_tables().len();
    if tables > l.tables() {
        return Err(Error::msg(format!(
            "resource limit exceeded: table count too high at {tables}"
        )));
    }
    // Sizes of new memories and tables are checked by the strategy when it
    // allocates them (`memory_growing(0, min, max)`), so the limiter is
    // asked exactly once.
    Ok(())
}
