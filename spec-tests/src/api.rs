//! Sessions through the public `wasmproof` runtime API, for the strategies
//! that exist only behind it (`jit`): exactly what an embedder uses.
//! Modules needing a proposal the strategy lacks (under `jit`: bulk
//! memory, reference types, table instructions, SIMD) come back as
//! `Unsupported` and their directives are skipped with that proposal.

use std::collections::HashMap;

use wasmproof::{
    Config, Engine, Error, Extern, Func, FuncType, Global, GlobalType, HeapType, Instance,
    LinkError, Memory, MemoryType, Module, ModuleError, ModuleErrorKind, Mutability, RefType,
    Store, Table, TableType, TrapKind, Val as RVal, ValType,
};

use crate::strategy::{
    CallError, InstanceId, InstantiateError, LoadError, ModuleId, Session, SessionConfig, TrapInfo,
};
use crate::value::{RefVal, Val};

enum Registered {
    Instance(Instance),
    Host(HashMap<String, Extern>),
}

pub(crate) struct ApiSession {
    store: Store<()>,
    modules: Vec<Module>,
    instances: Vec<Instance>,
    registry: HashMap<String, Registered>,
    fuel: Option<u64>,
}

impl ApiSession {
    pub(crate) fn new(
        config: &SessionConfig,
        strategy: wasmproof::Strategy,
    ) -> Result<ApiSession, String> {
        let engine = Engine::new(
            Config::new()
                .strategy(strategy)
                .consume_fuel(config.fuel.is_some()),
        )
        .map_err(|e| e.to_string())?;
        let mut store = Store::new(&engine, ());
        let spectest = spectest(&mut store).map_err(|e| format!("spectest: {e}"))?;
        let mut registry = HashMap::new();
        registry.insert("spectest".to_string(), Registered::Host(spectest));
        Ok(ApiSession {
            store,
            modules: Vec::new(),
            instances: Vec::new(),
            registry,
            fuel: config.fuel,
        })
    }

    fn lookup(&self, module: &str, name: &str) -> Option<Extern> {
        match self.registry.get(module)? {
            Registered::Instance(inst) => inst.get_export(&self.store, name),
            Registered::Host(map) => map.get(name).copied(),
        }
    }

    fn refuel(&mut self) {
        if let Some(f) = self.fuel {
            // Fuel is enabled in the engine exactly when `self.fuel` is set.
            let _ = self.store.set_fuel(f);
        }
    }

    fn instance(&self, id: InstanceId) -> Result<Instance, CallError> {
        self.instances
            .get(id.0)
            .copied()
            .ok_or_else(|| CallError::Other(format!("no instance #{}", id.0)))
    }
}

/// The testsuite's `spectest` module, made with the public API.
fn spectest(store: &mut Store<()>) -> wasmproof::Result<HashMap<String, Extern>> {
    let mut m = HashMap::new();
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[ValType::I32]),
        ("print_i64", &[ValType::I64]),
        ("print_f32", &[ValType::F32]),
        ("print_f64", &[ValType::F64]),
        ("print_i32_f32", &[ValType::I32, ValType::F32]),
        ("print_f64_f64", &[ValType::F64, ValType::F64]),
    ];
    for (name, params) in prints {
        let ty = FuncType::new(params.iter().copied(), []);
        let f = Func::new(&mut *store, ty, |_, _, _| Ok(()));
        m.insert(name.to_string(), Extern::Func(f));
    }
    let globals = [
        ("global_i32", ValType::I32, RVal::I32(666)),
        ("global_i64", ValType::I64, RVal::I64(666)),
        ("global_f32", ValType::F32, RVal::F32(666.6f32.to_bits())),
        ("global_f64", ValType::F64, RVal::F64(666.6f64.to_bits())),
    ];
    for (name, content, init) in globals {
        let g = Global::new(
            &mut *store,
            GlobalType::new(content, Mutability::Const),
            init,
        )?;
        m.insert(name.to_string(), Extern::Global(g));
    }
    let t = Table::new(
        &mut *store,
        TableType::new(RefType::FUNCREF, 10, Some(20)),
        RVal::FuncRef(None),
    )?;
    m.insert("table".to_string(), Extern::Table(t));
    let mem = Memory::new(&mut *store, MemoryType::new(1, Some(2)))?;
    m.insert("memory".to_string(), Extern::Memory(mem));
    Ok(m)
}

fn trap_info(e: &Error) -> Option<TrapInfo> {
    let kind = e.trap_kind()?;
    Some(TrapInfo {
        message: kind.message().to_string(),
        exhausted: kind == TrapKind::CallStackExhausted,
    })
}

fn to_api(v: &Val) -> RVal {
    match *v {
        Val::I32(x) => RVal::I32(x),
        Val::I64(x) => RVal::I64(x),
        Val::F32(x) => RVal::F32(x),
        Val::F64(x) => RVal::F64(x),
        Val::V128(x) => RVal::V128(x),
        Val::Ref(RefVal::Null(HeapType::Extern | HeapType::NoExtern)) => RVal::ExternRef(None),
        Val::Ref(RefVal::Extern(n)) => RVal::ExternRef(Some(n)),
        // Scripts cannot write a non-null function reference argument.
        Val::Ref(RefVal::Null(_) | RefVal::Func) => RVal::FuncRef(None),
    }
}

fn from_api(v: &RVal) -> Val {
    match *v {
        RVal::I32(x) => Val::I32(x),
        RVal::I64(x) => Val::I64(x),
        RVal::F32(x) => Val::F32(x),
        RVal::F64(x) => Val::F64(x),
        RVal::V128(x) => Val::V128(x),
        RVal::FuncRef(None) => Val::Ref(RefVal::Null(HeapType::Func)),
        RVal::FuncRef(Some(_)) => Val::Ref(RefVal::Func),
        RVal::ExternRef(None) => Val::Ref(RefVal::Null(HeapType::Extern)),
        RVal::ExternRef(Some(n)) => Val::Ref(RefVal::Extern(n)),
    }
}

impl Session for ApiSession {
    fn supports(&self, proposal: &str) -> bool {
        proposal != "simd"
    }

    fn load(&mut self, bytes: &[u8]) -> Result<ModuleId, LoadError> {
        match Module::from_binary(self.store.engine(), bytes) {
            Ok(m) => {
                self.modules.push(m);
                Ok(ModuleId(self.modules.len() - 1))
            }
            Err(e) => match e.downcast_ref::<ModuleError>().map(ModuleError::kind) {
                Some(ModuleErrorKind::Unsupported { proposal }) => {
                    Err(LoadError::Unsupported(proposal))
                }
                // A compile failure of a valid module is reported as a
                // rejection, so a `module` directive fails with the reason.
                _ => Err(LoadError::Invalid(e.to_string())),
            },
        }
    }

    fn import_modules(&self, module: ModuleId) -> Vec<String> {
        self.modules.get(module.0).map_or_else(Vec::new, |m| {
            m.imports().map(|i| i.module().to_string()).collect()
        })
    }

    fn instantiate(&mut self, module: ModuleId) -> Result<InstanceId, InstantiateError> {
        let m = self
            .modules
            .get(module.0)
            .cloned()
            .ok_or_else(|| InstantiateError::Other(format!("no module #{}", module.0)))?;
        let mut externs = Vec::new();
        for import in m.imports() {
            match self.lookup(import.module(), import.name()) {
                Some(e) => externs.push(e),
                None => {
                    return Err(InstantiateError::Unlinkable(format!(
                        "unknown import `{}`.`{}`",
                        import.module(),
                        import.name()
                    )));
                }
            }
        }
        self.refuel();
        match Instance::new(&mut self.store, &m, &externs) {
            Ok(inst) => {
                self.instances.push(inst);
                Ok(InstanceId(self.instances.len() - 1))
            }
            Err(e) => Err(match trap_info(&e) {
                Some(t) => InstantiateError::Trap(t),
                None if e.downcast_ref::<LinkError>().is_some() => {
                    InstantiateError::Unlinkable(e.to_string())
                }
                None => InstantiateError::Other(e.to_string()),
            }),
        }
    }

    fn register(&mut self, name: &str, instance: InstanceId) {
        if let Some(inst) = self.instances.get(instance.0) {
            self.registry
                .insert(name.to_string(), Registered::Instance(*inst));
        }
    }

    fn invoke(
        &mut self,
        instance: InstanceId,
        name: &str,
        args: &[Val],
    ) -> Result<Vec<Val>, CallError> {
        let inst = self.instance(instance)?;
        let func = match inst.get_export(&self.store, name) {
            Some(Extern::Func(f)) => f,
            Some(_) => {
                return Err(CallError::Other(format!(
                    "export `{name}` is not a function"
                )));
            }
            None => return Err(CallError::Other(format!("no export named `{name}`"))),
        };
        let ty = func.ty(&self.store);
        let args: Vec<RVal> = args.iter().map(to_api).collect();
        let mut results: Vec<RVal> = ty.results().map(RVal::default_for).collect();
        self.refuel();
        match func.call(&mut self.store, &args, &mut results) {
            Ok(()) => Ok(results.iter().map(from_api).collect()),
            Err(e) => Err(match trap_info(&e) {
                Some(t) => CallError::Trap(t),
                None => CallError::Other(e.to_string()),
            }),
        }
    }

    fn get(&mut self, instance: InstanceId, name: &str) -> Result<Val, CallError> {
        let inst = self.instance(instance)?;
        match inst.get_export(&self.store, name) {
            Some(Extern::Global(g)) => Ok(from_api(&g.get(&self.store))),
            Some(_) => Err(CallError::Other(format!("export `{name}` is not a global"))),
            None => Err(CallError::Other(format!("no export named `{name}`"))),
        }
    }
}
