//! The engine: configuration plus the epoch counter, shared by stores and modules.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::config::Config;
use crate::error::Result;
use crate::types::FuncType;

/// A configured WebAssembly engine. Cheap to clone (shared inside),
/// `Send + Sync`: hand a clone to another thread to call
/// [`Engine::increment_epoch`].
#[derive(Clone, Debug)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

#[derive(Debug)]
struct EngineInner {
    config: Config,
    epoch: Arc<AtomicU64>,
    /// Engine-wide signature ids: compiled `call_indirect` compares them,
    /// so equal types in different modules must get the same id.
    signatures: Mutex<HashMap<FuncType, u64>>,
}

impl Engine {
    pub fn new(config: &Config) -> Result<Engine> {
        Ok(Engine {
            inner: Arc::new(EngineInner {
                config: config.clone(),
                epoch: Arc::new(AtomicU64::new(0)),
                signatures: Mutex::new(HashMap::new()),
            }),
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Advances the epoch by one. Stores with epoch interruption enabled whose
    /// deadline is now reached trap with `TrapKind::Interrupted` at the next
    /// function entry or loop header. Callable from any thread.
    pub fn increment_epoch(&self) {
        self.inner.epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// The current epoch.
    pub fn current_epoch(&self) -> u64 {
        self.inner.epoch.load(Ordering::SeqCst)
    }

    /// Whether two handles are the same engine.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    pub(crate) fn epoch_counter(&self) -> Arc<AtomicU64> {
        self.inner.epoch.clone()
    }

    /// The engine-wide id of a function type (stable for the engine's life).
    pub(crate) fn signature_id(&self, ty: &FuncType) -> u64 {
        // A poisoned lock only means another thread panicked while
        // inserting; the map itself is still consistent.
        let mut sigs = self
            .inner
            .signatures
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let next = sigs.len() as u64;
        *sigs.entry(ty.clone()).or_insert(next)
    }
}

impl Default for Engine {
    fn default() -> Engine {
        Engine {
            inner: Arc::new(EngineInner {
                config: Config::default(),
                epoch: Arc::new(AtomicU64::new(0)),
                signatures: Mutex::new(HashMap::new()),
            }),
        }
    }
}
