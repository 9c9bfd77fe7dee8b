//! Shared helpers of the `jit_*` tests: engines per strategy, and running
//! one module under both strategies to compare.
#![allow(dead_code)]

use wasmproof::{Config, Engine, Instance, Linker, Module, Store, Strategy};

pub fn engine(strategy: Strategy) -> Engine {
    Engine::new(Config::new().strategy(strategy)).expect("engine")
}

pub fn jit() -> Engine {
    engine(Strategy::Jit)
}

/// Instantiates `wat` without imports in a fresh store of `engine`.
pub fn instantiate(engine: &Engine, wat: &str) -> (Store<()>, Instance) {
    let module = Module::new(engine, wat).expect("module compiles");
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, instance)
}
