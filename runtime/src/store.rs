//! `Store<T>`: all runtime state plus the host's data `T`; the borrowed
//! views of it (`StoreContext`, `StoreContextMut`, `Caller`).

use std::sync::{Arc, Mutex};

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::externals::Extern;
use crate::instance::Instance;
use crate::limits::{ResourceLimiter, SharedLimiter};
use crate::strategy::{StoreBackend, StoreCommon, StoreId, StoreInner};

/// All runtime state — function, memory, table and global instances, module
/// instances — plus the host's data `T` and the execution limits.
///
/// Objects created in a store (`Func`, `Memory`, `Instance`, ...) are handles:
/// pass the store (or a `Caller`) back in to use them.
pub struct Store<T: 'static> {
    inner: StoreInner<T>,
}

impl<T: 'static> Store<T> {
    /// A new store for `engine`, owning `data`. Applies the engine's
    /// configuration: fuel starts at 0 when fuel is enabled, the epoch
    /// deadline at 0 when epoch interruption is enabled, `Config::limits`
    /// become the store's limiter.
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        let mut store = Store {
            inner: StoreInner::new(StoreCommon::new(engine.clone(), data)),
        };
        let config = engine.config().clone();
        let backend = store.inner.backend_mut();
        if config.consume_fuel {
            backend.set_fuel(Some(0));
        }
        if config.epoch_interruption {
            backend.set_epoch_deadline(engine.epoch_counter(), 0);
        }
        if let Some(depth) = config.max_call_depth {
            backend.set_max_call_depth(depth);
        }
        backend.set_max_wasm_stack(config.get_max_wasm_stack());
        if let Some(limits) = config.limits {
            store.limiter(limits);
        }
        store
    }

    pub fn data(&self) -> &T {
        &self.inner.backend().common().data
    }
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.inner.backend_mut().common_mut().data
    }
    pub fn into_data(self) -> T {
        self.inner.into_common().data
    }
    pub fn engine(&self) -> &Engine {
        &self.inner.backend().common().engine
    }

    /// Sets the remaining fuel. Fails unless `Config::consume_fuel` is on.
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.as_context_mut().set_fuel(fuel)
    }

    /// The remaining fuel. Fails unless `Config::consume_fuel` is on.
    pub fn get_fuel(&self) -> Result<u64> {
        self.as_context().get_fuel()
    }

    /// Interrupts running Wasm once the engine's epoch reaches the current
    /// epoch plus `ticks_beyond_current`. Has no effect unless
    /// `Config::epoch_interruption` is on.
    pub fn set_epoch_deadline(&mut self, ticks_beyond_current: u64) {
        self.as_context_mut()
            .set_epoch_deadline(ticks_beyond_current)
    }

    /// Installs a resource limiter (e.g. [`StoreLimits`](crate::StoreLimits)),
    /// replacing any previous one. It is consulted when memories and tables
    /// are created or grow and when instances, memories and tables are added.
    pub fn limiter(&mut self, limiter: impl ResourceLimiter + 'static) {
        let shared: SharedLimiter = Arc::new(Mutex::new(Box::new(limiter)));
        let backend = self.inner.backend_mut();
        backend.common_mut().limiter = Some(shared.clone());
        backend.set_limiter(Some(shared));
    }
}

impl<T: 'static + std::fmt::Debug> std::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("data", self.data())
            .finish_non_exhaustive()
    }
}

/// A shared borrow of a store (from a `&Store<T>` or a `&Caller<'_, T>`).
pub struct StoreContext<'a, T: 'static>(pub(crate) &'a dyn StoreBackend<T>);

impl<T: 'static> Clone for StoreContext<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: 'static> Copy for StoreContext<'_, T> {}

/// An exclusive borrow of a store (from a `&mut Store<T>` or a `&mut Caller<'_, T>`).
pub struct StoreContextMut<'a, T: 'static>(pub(crate) &'a mut dyn StoreBackend<T>);

impl<'a, T: 'static> StoreContext<'a, T> {
    pub fn data(&self) -> &'a T {
        &self.0.common().data
    }
    pub fn engine(&self) -> &'a Engine {
        &self.0.common().engine
    }
    pub fn get_fuel(&self) -> Result<u64> {
        if !self.engine().config().consume_fuel {
            return Err(Error::msg(
                "fuel is not enabled in this store's Config (consume_fuel)",
            ));
        }
        Ok(self.0.fuel().unwrap_or(0))
    }
    pub(crate) fn id(&self) -> StoreId {
        self.0.common().id
    }
}

impl<'a, T: 'static> StoreContextMut<'a, T> {
    pub fn data(&self) -> &T {
        &self.0.common().data
    }
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.0.common_mut().data
    }
    pub fn engine(&self) -> &Engine {
        &self.0.common().engine
    }
    pub fn get_fuel(&self) -> Result<u64> {
        self.as_context().get_fuel()
    }
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        if !self.engine().config().consume_fuel {
            return Err(Error::msg(
                "fuel is not enabled in this store's Config (consume_fuel)",
            ));
        }
        self.0.set_fuel(Some(fuel));
        Ok(())
    }
    pub fn set_epoch_deadline(&mut self, ticks_beyond_current: u64) {
        let engine = self.engine().clone();
        if engine.config().epoch_interruption {
            let deadline = engine.current_epoch().saturating_add(ticks_beyond_current);
            self.0.set_epoch_deadline(engine.epoch_counter(), deadline);
        }
    }
    pub(crate) fn id(&self) -> StoreId {
        self.0.common().id
    }
}

/// What a host function sees of its caller: the store (host data, fuel,
/// memories) and the calling instance's exports.
pub struct Caller<'a, T: 'static> {
    pub(crate) store: StoreContextMut<'a, T>,
    pub(crate) instance: Option<Instance>,
}

impl<'a, T: 'static> Caller<'a, T> {
    pub(crate) fn new(store: StoreContextMut<'a, T>, instance: Option<Instance>) -> Self {
        Caller { store, instance }
    }
    pub fn data(&self) -> &T {
        self.store.data()
    }
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }
    pub fn engine(&self) -> &Engine {
        self.store.engine()
    }
    /// An export of the calling instance, e.g. its `"memory"` (for WASI).
    /// `None` if there is no such export or the caller is the host.
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        let instance = self.instance?;
        instance.get_export(&self.store, name)
    }
    /// The calling instance, if the call came from Wasm.
    pub fn instance(&self) -> Option<Instance> {
        self.instance
    }
    pub fn get_fuel(&self) -> Result<u64> {
        self.store.get_fuel()
    }
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.store.set_fuel(fuel)
    }
}

/// Something that can lend a shared [`StoreContext`]: `Store<T>`,
/// `Caller<'_, T>`, the contexts themselves, and references to them.
pub trait AsContext {
    type Data: 'static;
    fn as_context(&self) -> StoreContext<'_, Self::Data>;
}

/// Something that can lend a [`StoreContextMut`].
pub trait AsContextMut: AsContext {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, Self::Data>;
}

impl<T: 'static> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.inner.backend())
    }
}
impl<T: 'static> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.inner.backend_mut())
    }
}
impl<T: 'static> AsContext for StoreContext<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.0)
    }
}
impl<T: 'static> AsContext for StoreContextMut<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(&*self.0)
    }
}
impl<T: 'static> AsContextMut for StoreContextMut<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(&mut *self.0)
    }
}
impl<T: 'static> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        self.store.as_context()
    }
}
impl<T: 'static> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        self.store.as_context_mut()
    }
}
impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;
    fn as_context(&self) -> StoreContext<'_, C::Data> {
        (**self).as_context()
    }
}
impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;
    fn as_context(&self) -> StoreContext<'_, C::Data> {
        (**self).as_context()
    }
}
impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, C::Data> {
        (**self).as_context_mut()
    }
}

impl<'a, T: 'static> From<&'a Store<T>> for StoreContext<'a, T> {
    fn from(s: &'a Store<T>) -> Self {
        StoreContext(s.inner.backend())
    }
}
impl<'a, T: 'static> From<&'a mut Store<T>> for StoreContext<'a, T> {
    fn from(s: &'a mut Store<T>) -> Self {
        StoreContext(s.inner.backend())
    }
}
impl<'a, T: 'static> From<&'a Caller<'_, T>> for StoreContext<'a, T> {
    fn from(c: &'a Caller<'_, T>) -> Self {
        StoreContext(&*c.store.0)
    }
}
impl<'a, T: 'static> From<&'a mut Caller<'_, T>> for StoreContext<'a, T> {
    fn from(c: &'a mut Caller<'_, T>) -> Self {
        StoreContext(&*c.store.0)
    }
}
impl<'a, T: 'static> From<StoreContextMut<'a, T>> for StoreContext<'a, T> {
    fn from(c: StoreContextMut<'a, T>) -> Self {
        StoreContext(c.0)
    }
}
impl<'a, T: 'static> From<&'a StoreContextMut<'_, T>> for StoreContext<'a, T> {
    fn from(c: &'a StoreContextMut<'_, T>) -> Self {
        StoreContext(&*c.0)
    }
}
impl<'a, T: 'static> From<&'a mut StoreContextMut<'_, T>> for StoreContext<'a, T> {
    fn from(c: &'a mut StoreContextMut<'_, T>) -> Self {
        StoreContext(&*c.0)
    }
}
impl<'a, T: 'static> From<&'a mut Store<T>> for StoreContextMut<'a, T> {
    fn from(s: &'a mut Store<T>) -> Self {
        s.as_context_mut()
    }
}
impl<'a, T: 'static> From<&'a mut Caller<'_, T>> for StoreContextMut<'a, T> {
    fn from(c: &'a mut Caller<'_, T>) -> Self {
        c.as_context_mut()
    }
}
impl<'a, T: 'static> From<&'a mut StoreContextMut<'_, T>> for StoreContextMut<'a, T> {
    fn from(c: &'a mut StoreContextMut<'_, T>) -> Self {
        c.as_context_mut()
    }
}
