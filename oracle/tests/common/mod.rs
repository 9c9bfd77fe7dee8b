//! Helpers shared by the oracle's integration tests.
#![allow(dead_code)]

use wasmproof_oracle::{Extern, FuncAddr, InstanceAddr, Module, Store, Trap, Value};

/// Compiles a module from the text format.
pub fn module(wat: &str) -> Module {
    let bytes = wat::parse_str(wat).expect("test module parses");
    Module::new(&bytes).expect("test module validates")
}

/// Instantiates a text module without imports.
pub fn instance<T>(store: &mut Store<T>, wat: &str) -> InstanceAddr {
    store
        .instantiate(&module(wat), &[])
        .expect("test module instantiates")
}

pub fn func<T>(store: &Store<T>, inst: InstanceAddr, name: &str) -> FuncAddr {
    match store.get_export(inst, name) {
        Some(Extern::Func(f)) => f,
        other => panic!("export {name}: {other:?}"),
    }
}

/// Calls an export by name.
pub fn call<T>(
    store: &mut Store<T>,
    inst: InstanceAddr,
    name: &str,
    args: &[Value],
) -> Result<Vec<Value>, Trap> {
    let f = func(store, inst, name);
    store.invoke(f, args)
}
