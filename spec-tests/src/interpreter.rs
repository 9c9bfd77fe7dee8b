//! The `interpreter` strategy: straight to `wasmproof-oracle`.

use std::collections::HashMap;
use std::sync::Arc;

use wasmproof_oracle::{
    Extern, FuncType, GlobalType, HeapType, InstanceAddr, InstantiationError, MemoryType, Module,
    ModuleErrorKind, Ref, RefType, Store, TableType, Trap, TrapKind, ValType, Value,
};

use crate::strategy::{
    CallError, InstanceId, InstantiateError, LoadError, ModuleId, Session, SessionConfig, TrapInfo,
};
use crate::value::{RefVal, Val};

/// What a registered name stands for.
enum Registered {
    Instance(InstanceAddr),
    /// The `spectest` module: host-allocated entities, no instance.
    Host(HashMap<String, Extern>),
}

pub(crate) struct InterpreterSession {
    store: Store<()>,
    modules: Vec<Module>,
    instances: Vec<InstanceAddr>,
    registry: HashMap<String, Registered>,
    /// Fuel for each instantiation and call.
    fuel: Option<u64>,
}

impl InterpreterSession {
    pub(crate) fn new(config: &SessionConfig) -> Result<InterpreterSession, String> {
        let mut store = Store::new(());
        let spectest = spectest(&mut store)?;
        let mut registry = HashMap::new();
        registry.insert("spectest".to_string(), Registered::Host(spectest));
        Ok(InterpreterSession {
            store,
            modules: Vec::new(),
            instances: Vec::new(),
            registry,
            fuel: config.fuel,
        })
    }

    fn module(&self, id: ModuleId) -> Result<&Module, String> {
        self.modules
            .get(id.0)
            .ok_or_else(|| format!("no module #{}", id.0))
    }

    fn instance(&self, id: InstanceId) -> Result<InstanceAddr, CallError> {
        self.instances
            .get(id.0)
            .copied()
            .ok_or_else(|| CallError::Other(format!("no instance #{}", id.0)))
    }

    fn lookup(&self, module: &str, name: &str) -> Option<Extern> {
        match self.registry.get(module)? {
            Registered::Instance(inst) => self.store.get_export(*inst, name),
            Registered::Host(map) => map.get(name).copied(),
        }
    }
}

/// The `spectest` host module of the testsuite's harness: `print*`
/// functions that do nothing, four globals holding 666 / 666.6, a
/// `(table 10 20 funcref)` and a `(memory 1 2)`.
fn spectest(store: &mut Store<()>) -> Result<HashMap<String, Extern>, String> {
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
        let ty = FuncType {
            params: params.to_vec(),
            results: Vec::new(),
        };
        let f = store.alloc_host_func(ty, Arc::new(|_, _| Ok(Vec::new())));
        m.insert(name.to_string(), Extern::Func(f));
    }
    let globals = [
        ("global_i32", ValType::I32, Value::I32(666)),
        ("global_i64", ValType::I64, Value::I64(666)),
        ("global_f32", ValType::F32, Value::F32(666.6f32.to_bits())),
        ("global_f64", ValType::F64, Value::F64(666.6f64.to_bits())),
    ];
    for (name, content, init) in globals {
        let g = store.alloc_global(
            GlobalType {
                content,
                mutable: false,
            },
            init,
        )?;
        m.insert(name.to_string(), Extern::Global(g));
    }
    let table = TableType {
        elem: RefType::FUNCREF,
        min: 10,
        max: Some(20),
        table64: false,
    };
    let t = store.alloc_table(table, Ref::Null(HeapType::Func))?;
    m.insert("table".to_string(), Extern::Table(t));
    let memory = MemoryType {
        min: 1,
        max: Some(2),
        memory64: false,
        shared: false,
    };
    let mem = store.alloc_memory(memory)?;
    m.insert("memory".to_string(), Extern::Memory(mem));
    // Proposal-only entities: offered when the store can make them; a module
    // importing one that is missing is unlinkable, which is right for a
    // strategy without the proposal (its module is skipped before that).
    let table64 = TableType {
        table64: true,
        ..table
    };
    if let Ok(t) = store.alloc_table(table64, Ref::Null(HeapType::Func)) {
        m.insert("table64".to_string(), Extern::Table(t));
    }
    if let Ok(mem) = store.alloc_memory(MemoryType {
        shared: true,
        ..memory
    }) {
        m.insert("shared_memory".to_string(), Extern::Memory(mem));
    }
    Ok(m)
}

fn trap_info(trap: &Trap) -> TrapInfo {
    let mut message = trap.kind.spec_message().to_string();
    if let Some(e) = &trap.host_error {
        message.push_str(&format!(": {e}"));
    }
    TrapInfo {
        message,
        exhausted: trap.kind == TrapKind::CallStackExhausted,
    }
}

fn to_oracle(v: &Val) -> Value {
    match *v {
        Val::I32(x) => Value::I32(x),
        Val::I64(x) => Value::I64(x),
        Val::F32(x) => Value::F32(x),
        Val::F64(x) => Value::F64(x),
        Val::V128(x) => Value::V128(x),
        Val::Ref(RefVal::Null(ht)) => Value::Ref(Ref::Null(ht)),
        Val::Ref(RefVal::Extern(n)) => Value::Ref(Ref::Extern(n)),
        // Scripts cannot write a function reference as an argument.
        Val::Ref(RefVal::Func) => Value::Ref(Ref::Null(HeapType::Func)),
    }
}

fn from_oracle(v: &Value) -> Val {
    match *v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(x) => Val::F32(x),
        Value::F64(x) => Val::F64(x),
        Value::V128(x) => Val::V128(x),
        Value::Ref(Ref::Null(ht)) => Val::Ref(RefVal::Null(ht)),
        Value::Ref(Ref::Func(_)) => Val::Ref(RefVal::Func),
        Value::Ref(Ref::Extern(n)) => Val::Ref(RefVal::Extern(n)),
    }
}

impl Session for InterpreterSession {
    fn supports(&self, proposal: &str) -> bool {
        // The interpreter has no v128 yet; keep in step with `Module::new`,
        // which reports such modules as `Unsupported { proposal: "simd" }`.
        proposal != "simd"
    }

    fn load(&mut self, bytes: &[u8]) -> Result<ModuleId, LoadError> {
        match Module::new(bytes) {
            Ok(m) => {
                self.modules.push(m);
                Ok(ModuleId(self.modules.len() - 1))
            }
            Err(e) => match e.kind {
                ModuleErrorKind::Invalid => Err(LoadError::Invalid(e.to_string())),
                ModuleErrorKind::Unsupported { proposal } => Err(LoadError::Unsupported(proposal)),
            },
        }
    }

    fn import_modules(&self, module: ModuleId) -> Vec<String> {
        match self.module(module) {
            Ok(m) => m.imports().iter().map(|i| i.module.clone()).collect(),
            Err(_) => Vec::new(),
        }
    }

    fn instantiate(&mut self, module: ModuleId) -> Result<InstanceId, InstantiateError> {
        let m = self
            .module(module)
            .map_err(InstantiateError::Other)?
            .clone();
        let mut externs = Vec::with_capacity(m.imports().len());
        for import in m.imports() {
            match self.lookup(&import.module, &import.name) {
                Some(e) => externs.push(e),
                None => {
                    return Err(InstantiateError::Unlinkable(format!(
                        "unknown import `{}`.`{}`",
                        import.module, import.name
                    )));
                }
            }
        }
        self.store.set_fuel(self.fuel);
        match self.store.instantiate(&m, &externs) {
            Ok(inst) => {
                self.instances.push(inst);
                Ok(InstanceId(self.instances.len() - 1))
            }
            Err(InstantiationError::Link {
                module,
                name,
                reason,
            }) => Err(InstantiateError::Unlinkable(format!(
                "incompatible import `{module}`.`{name}`: {reason}"
            ))),
            Err(InstantiationError::Trap(t)) => Err(InstantiateError::Trap(trap_info(&t))),
            Err(InstantiationError::Resource(r)) => Err(InstantiateError::Other(r)),
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
        let func = match self.store.get_export(inst, name) {
            Some(Extern::Func(f)) => f,
            Some(_) => {
                return Err(CallError::Other(format!(
                    "export `{name}` is not a function"
                )));
            }
            None => return Err(CallError::Other(format!("no export named `{name}`"))),
        };
        let args: Vec<Value> = args.iter().map(to_oracle).collect();
        self.store.set_fuel(self.fuel);
        match self.store.invoke(func, &args) {
            Ok(results) => Ok(results.iter().map(from_oracle).collect()),
            Err(t) => Err(CallError::Trap(trap_info(&t))),
        }
    }

    fn get(&mut self, instance: InstanceId, name: &str) -> Result<Val, CallError> {
        let inst = self.instance(instance)?;
        match self.store.get_export(inst, name) {
            Some(Extern::Global(g)) => Ok(from_oracle(&self.store.global_get(g))),
            Some(_) => Err(CallError::Other(format!("export `{name}` is not a global"))),
            None => Err(CallError::Other(format!("no export named `{name}`"))),
        }
    }
}
