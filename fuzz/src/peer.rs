//! The engines a module runs on: each strategy through the public
//! `wasmproof` API, wasmi, and (in tests) a fault-injecting peer.

use std::fmt;

use serde::{Deserialize, Serialize};
use wasmparser::WasmFeatures;
use wasmproof::{Config, Engine, Instance, Module, Store, Strategy, TrapKind, Val, ValType};

use crate::proposals::supported_proposals;
use crate::value::{Ty, Value};

/// One side of a comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peer {
    /// A strategy of the runtime, through the public embedding API.
    Strategy(Strategy),
    /// wasmi, an independent interpreter: catches bugs of the reference.
    #[cfg(feature = "wasmi")]
    Wasmi,
    /// A strategy running a deliberately broken copy of the module: proof
    /// that the differential engine notices a wrong result.
    #[cfg(any(test, feature = "test-bug-injection"))]
    Mutated(Strategy, crate::mutate::Mutation),
}

impl Peer {
    /// A stable name (reproducers record peers by it).
    pub fn name(&self) -> String {
        match self {
            Peer::Strategy(s) => s.name().to_string(),
            #[cfg(feature = "wasmi")]
            Peer::Wasmi => "wasmi".to_string(),
            #[cfg(any(test, feature = "test-bug-injection"))]
            Peer::Mutated(s, m) => format!("{}+{}", s.name(), m.name()),
        }
    }

    /// The peer a name stands for, if this build has it.
    pub fn from_name(name: &str) -> Option<Peer> {
        if let Some(s) = crate::proposals::STRATEGIES
            .iter()
            .find(|s| s.name() == name)
        {
            return Some(Peer::Strategy(*s));
        }
        #[cfg(feature = "wasmi")]
        if name == "wasmi" {
            return Some(Peer::Wasmi);
        }
        #[cfg(any(test, feature = "test-bug-injection"))]
        if let Some((s, m)) = name.split_once('+') {
            let s = crate::proposals::STRATEGIES
                .iter()
                .find(|x| x.name() == s)?;
            return crate::mutate::Mutation::from_name(m).map(|m| Peer::Mutated(*s, m));
        }
        None
    }

    /// The proposals this peer is compared on.
    pub fn proposals(&self) -> WasmFeatures {
        match self {
            Peer::Strategy(s) => supported_proposals(*s),
            #[cfg(feature = "wasmi")]
            Peer::Wasmi => crate::proposals::wasmi_proposals(),
            #[cfg(any(test, feature = "test-bug-injection"))]
            Peer::Mutated(s, _) => supported_proposals(*s),
        }
    }

    /// A fresh runner with these limits.
    pub fn runner(&self, limits: &Limits) -> Box<dyn Runner> {
        match self {
            Peer::Strategy(s) => Box::new(WasmproofRunner::new(*s, limits)),
            #[cfg(feature = "wasmi")]
            Peer::Wasmi => Box::new(wasmi_runner::WasmiRunner::new(limits)),
            #[cfg(any(test, feature = "test-bug-injection"))]
            Peer::Mutated(s, m) => Box::new(WasmproofRunner::mutated(*s, limits, *m)),
        }
    }
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// The budget every peer runs under, identical on every side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Fuel for instantiation and again for each call.
    pub fuel: u64,
    /// Maximum nesting of Wasm calls.
    pub max_call_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel: 200_000,
            max_call_depth: 500,
        }
    }
}

/// A trap, in the vocabulary every engine can be mapped to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrapClass {
    Unreachable,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversionToInteger,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallTypeMismatch,
    /// `call_indirect` with an index outside the table.
    UndefinedElement,
    UninitializedElement,
    NullReference,
    /// An engine that does not tell the two apart (wasmi): matches either
    /// [`TrapClass::TableOutOfBounds`] or [`TrapClass::UndefinedElement`].
    TableOutOfBoundsOrUndefinedElement,
    /// Anything else, by the engine's own name.
    Other(String),
}

impl TrapClass {
    /// Whether two engines' traps are the same trap.
    pub fn agrees(&self, other: &TrapClass) -> bool {
        use TrapClass::*;
        match (self, other) {
            (TableOutOfBoundsOrUndefinedElement, TableOutOfBounds | UndefinedElement)
            | (TableOutOfBounds | UndefinedElement, TableOutOfBoundsOrUndefinedElement) => true,
            (a, b) => a == b,
        }
    }
}

/// Why a run ended without a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Exhaustion {
    Fuel,
    Stack,
    /// Epoch interruption or a resource the engine ran out of.
    Resources,
}

/// How instantiation or a call ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    Returned(Vec<Value>),
    Trapped(TrapClass),
    /// Ran out of fuel or stack: the comparison ends without a verdict.
    Exhausted(Exhaustion),
    /// An error that is not a trap (a bug in itself when the other side
    /// succeeded).
    Error(String),
}

impl Outcome {
    /// Whether two outcomes agree (results compared with [`Value::same`]).
    pub fn agrees(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Returned(a), Outcome::Returned(b)) => crate::value::same_values(a, b),
            (Outcome::Trapped(a), Outcome::Trapped(b)) => a.agrees(b),
            (Outcome::Error(_), Outcome::Error(_)) => true,
            _ => false,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Returned(v) => write!(f, "returned {}", crate::value::show_values(v)),
            Outcome::Trapped(t) => write!(f, "trapped: {t:?}"),
            Outcome::Exhausted(e) => write!(f, "exhausted: {e:?}"),
            Outcome::Error(e) => write!(f, "error: {e}"),
        }
    }
}

/// An exported function: its name and signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncExport {
    pub name: String,
    pub params: Vec<Ty>,
    pub results: Vec<Ty>,
}

/// The exports that are compared, in the module's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exports {
    pub funcs: Vec<FuncExport>,
    pub globals: Vec<String>,
    pub memories: Vec<String>,
    pub tables: Vec<String>,
}

impl Exports {
    /// The same exports, each list sorted by name (for comparing engines
    /// that list exports in different orders).
    pub fn normalized(&self) -> Exports {
        let mut e = self.clone();
        e.funcs.sort_by(|a, b| a.name.cmp(&b.name));
        e.globals.sort();
        e.memories.sort();
        e.tables.sort();
        e
    }
}

/// One engine holding one module instance.
pub trait Runner {
    /// Compiles (decodes, validates) the module; the error says why not.
    fn compile(&mut self, wasm: &[u8]) -> Result<Exports, String>;
    /// Instantiates the compiled module (running its start function).
    fn instantiate(&mut self) -> Outcome;
    /// Calls an exported function with a fresh fuel budget.
    fn call(&mut self, export: &str, args: &[Value]) -> Outcome;
    /// An exported global's value.
    fn global(&self, export: &str) -> Option<Value>;
    /// An exported memory's bytes.
    fn memory(&self, export: &str) -> Option<&[u8]>;
    /// An exported table's size.
    fn table_size(&self, export: &str) -> Option<u64>;
}

// ---------------------------------------------------------------------------
// wasmproof, through its public API

fn ty_of(t: ValType) -> Ty {
    match t {
        ValType::I32 => Ty::I32,
        ValType::I64 => Ty::I64,
        ValType::F32 => Ty::F32,
        ValType::F64 => Ty::F64,
        ValType::V128 => Ty::V128,
        ValType::FUNCREF => Ty::FuncRef,
        ValType::EXTERNREF => Ty::ExternRef,
        ValType::Ref(_) => Ty::OtherRef,
    }
}

fn to_val(v: &Value) -> Val {
    match *v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(x) => Val::F32(x),
        Value::F64(x) => Val::F64(x),
        Value::V128(x) => Val::V128(x),
        // Only null references cross from the fuzzer into an engine.
        Value::FuncRef { .. } => Val::FuncRef(None),
        Value::ExternRef { .. } => Val::ExternRef(None),
    }
}

fn from_val(v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(*x),
        Val::I64(x) => Value::I64(*x),
        Val::F32(x) => Value::F32(*x),
        Val::F64(x) => Value::F64(*x),
        Val::V128(x) => Value::V128(*x),
        Val::FuncRef(f) => Value::FuncRef { null: f.is_none() },
        Val::ExternRef(e) => Value::ExternRef { null: e.is_none() },
    }
}

fn trap_class(kind: TrapKind) -> Result<TrapClass, Exhaustion> {
    Ok(match kind {
        TrapKind::Unreachable => TrapClass::Unreachable,
        TrapKind::IntegerDivideByZero => TrapClass::IntegerDivideByZero,
        TrapKind::IntegerOverflow => TrapClass::IntegerOverflow,
        TrapKind::InvalidConversionToInteger => TrapClass::InvalidConversionToInteger,
        TrapKind::MemoryOutOfBounds => TrapClass::MemoryOutOfBounds,
        TrapKind::TableOutOfBounds => TrapClass::TableOutOfBounds,
        TrapKind::IndirectCallTypeMismatch => TrapClass::IndirectCallTypeMismatch,
        TrapKind::UndefinedElement => TrapClass::UndefinedElement,
        TrapKind::UninitializedElement => TrapClass::UninitializedElement,
        TrapKind::NullReference => TrapClass::NullReference,
        TrapKind::CallStackExhausted => return Err(Exhaustion::Stack),
        TrapKind::OutOfFuel => return Err(Exhaustion::Fuel),
        TrapKind::Interrupted => return Err(Exhaustion::Resources),
        other => TrapClass::Other(other.name().to_string()),
    })
}

/// The outcome a wasmproof error stands for.
pub fn wasmproof_outcome(e: &wasmproof::Error) -> Outcome {
    match e.trap_kind() {
        Some(kind) => match trap_class(kind) {
            Ok(class) => Outcome::Trapped(class),
            Err(exhaustion) => Outcome::Exhausted(exhaustion),
        },
        None => Outcome::Error(e.to_string()),
    }
}

/// A strategy of the runtime, optionally on a mutated module.
pub struct WasmproofRunner {
    store: Store<()>,
    module: Option<Module>,
    instance: Option<Instance>,
    fuel: u64,
    #[cfg(any(test, feature = "test-bug-injection"))]
    mutation: Option<crate::mutate::Mutation>,
}

impl WasmproofRunner {
    fn new(strategy: Strategy, limits: &Limits) -> WasmproofRunner {
        let mut config = Config::new();
        config
            .strategy(strategy)
            .consume_fuel(true)
            .max_call_depth(limits.max_call_depth);
        // `Engine::new` cannot fail for these settings; the default engine
        // would only lose the fuel budget, which every call then reports.
        let engine = Engine::new(&config).unwrap_or_default();
        WasmproofRunner {
            store: Store::new(&engine, ()),
            module: None,
            instance: None,
            fuel: limits.fuel,
            #[cfg(any(test, feature = "test-bug-injection"))]
            mutation: None,
        }
    }

    /// The fault-injecting peer: runs `mutation` of every module it is given.
    #[cfg(any(test, feature = "test-bug-injection"))]
    fn mutated(
        strategy: Strategy,
        limits: &Limits,
        mutation: crate::mutate::Mutation,
    ) -> WasmproofRunner {
        WasmproofRunner {
            mutation: Some(mutation),
            ..WasmproofRunner::new(strategy, limits)
        }
    }

    fn refuel(&mut self) -> Result<(), Outcome> {
        self.store
            .set_fuel(self.fuel)
            .map_err(|e| Outcome::Error(format!("set_fuel: {e}")))
    }
}

impl Runner for WasmproofRunner {
    fn compile(&mut self, wasm: &[u8]) -> Result<Exports, String> {
        #[cfg(any(test, feature = "test-bug-injection"))]
        let mutated;
        #[cfg(any(test, feature = "test-bug-injection"))]
        let wasm = match self.mutation {
            Some(m) => {
                mutated = m.apply(wasm)?;
                &mutated[..]
            }
            None => wasm,
        };
        let module = Module::from_binary(self.store.engine(), wasm).map_err(|e| e.to_string())?;
        let mut exports = Exports::default();
        for export in module.exports() {
            let name = export.name().to_string();
            match export.ty() {
                wasmproof::ExternType::Func(f) => exports.funcs.push(FuncExport {
                    name,
                    params: f.params().map(ty_of).collect(),
                    results: f.results().map(ty_of).collect(),
                }),
                wasmproof::ExternType::Global(_) => exports.globals.push(name),
                wasmproof::ExternType::Memory(_) => exports.memories.push(name),
                wasmproof::ExternType::Table(_) => exports.tables.push(name),
            }
        }
        self.module = Some(module);
        Ok(exports)
    }

    fn instantiate(&mut self) -> Outcome {
        let Some(module) = &self.module else {
            return Outcome::Error("instantiate before compile".into());
        };
        let module = module.clone();
        if let Err(o) = self.refuel() {
            return o;
        }
        match Instance::new(&mut self.store, &module, &[]) {
            Ok(instance) => {
                self.instance = Some(instance);
                Outcome::Returned(Vec::new())
            }
            Err(e) => wasmproof_outcome(&e),
        }
    }

    fn call(&mut self, export: &str, args: &[Value]) -> Outcome {
        let Some(func) = self.instance.and_then(|i| i.get_func(&self.store, export)) else {
            return Outcome::Error(format!("no exported function `{export}`"));
        };
        let ty = func.ty(&self.store);
        let params: Vec<Val> = args.iter().map(to_val).collect();
        let mut results: Vec<Val> = ty.results().map(Val::default_for).collect();
        if let Err(o) = self.refuel() {
            return o;
        }
        match func.call(&mut self.store, &params, &mut results) {
            Ok(()) => Outcome::Returned(results.iter().map(from_val).collect()),
            Err(e) => wasmproof_outcome(&e),
        }
    }

    fn global(&self, export: &str) -> Option<Value> {
        let g = self.instance?.get_global(&self.store, export)?;
        Some(from_val(&g.get(&self.store)))
    }

    fn memory(&self, export: &str) -> Option<&[u8]> {
        let m = self.instance?.get_memory(&self.store, export)?;
        Some(m.data(&self.store))
    }

    fn table_size(&self, export: &str) -> Option<u64> {
        let t = self.instance?.get_table(&self.store, export)?;
        Some(t.size(&self.store))
    }
}

// ---------------------------------------------------------------------------
// wasmi

#[cfg(feature = "wasmi")]
mod wasmi_runner {
    use super::{Exhaustion, Exports, FuncExport, Limits, Outcome, Runner, TrapClass};
    use crate::value::{Ty, Value};
    use wasmi::{Nullable, TrapCode, Val};

    pub struct WasmiRunner {
        store: wasmi::Store<()>,
        module: Option<wasmi::Module>,
        instance: Option<wasmi::Instance>,
        fuel: u64,
    }

    impl WasmiRunner {
        pub fn new(limits: &Limits) -> WasmiRunner {
            let mut config = wasmi::Config::default();
            config
                .consume_fuel(true)
                .set_max_recursion_depth(limits.max_call_depth);
            let engine = wasmi::Engine::new(&config);
            WasmiRunner {
                store: wasmi::Store::new(&engine, ()),
                module: None,
                instance: None,
                fuel: limits.fuel,
            }
        }
    }

    fn ty_of(t: &wasmi::ValType) -> Ty {
        match t {
            wasmi::ValType::I32 => Ty::I32,
            wasmi::ValType::I64 => Ty::I64,
            wasmi::ValType::F32 => Ty::F32,
            wasmi::ValType::F64 => Ty::F64,
            wasmi::ValType::V128 => Ty::V128,
            wasmi::ValType::FuncRef => Ty::FuncRef,
            wasmi::ValType::ExternRef => Ty::ExternRef,
        }
    }

    fn to_val(v: &Value) -> Val {
        match *v {
            Value::I32(x) => Val::I32(x),
            Value::I64(x) => Val::I64(x),
            Value::F32(x) => Val::F32(wasmi::F32::from_bits(x)),
            Value::F64(x) => Val::F64(wasmi::F64::from_bits(x)),
            Value::V128(x) => Val::V128(wasmi::V128::from(x)),
            Value::FuncRef { .. } => Val::FuncRef(Nullable::Null),
            Value::ExternRef { .. } => Val::ExternRef(Nullable::Null),
        }
    }

    fn from_val(v: &Val) -> Value {
        match v {
            Val::I32(x) => Value::I32(*x),
            Val::I64(x) => Value::I64(*x),
            Val::F32(x) => Value::F32(x.to_bits()),
            Val::F64(x) => Value::F64(x.to_bits()),
            Val::V128(x) => Value::V128(x.as_u128()),
            Val::FuncRef(f) => Value::FuncRef { null: f.is_null() },
            Val::ExternRef(e) => Value::ExternRef { null: e.is_null() },
        }
    }

    fn outcome(e: &wasmi::Error) -> Outcome {
        // An active element segment past the end of its table is a trap in
        // the spec (`table.init` during instantiation); wasmi reports it
        // as an instantiation error.
        if let wasmi::errors::ErrorKind::Instantiation(
            wasmi::errors::InstantiationError::ElementSegmentDoesNotFit { .. },
        ) = e.kind()
        {
            return Outcome::Trapped(TrapClass::TableOutOfBounds);
        }
        let Some(code) = e.as_trap_code() else {
            return Outcome::Error(e.to_string());
        };
        Outcome::Trapped(match code {
            TrapCode::UnreachableCodeReached => TrapClass::Unreachable,
            TrapCode::MemoryOutOfBounds => TrapClass::MemoryOutOfBounds,
            // wasmi uses one code for both `call_indirect` past the end of
            // the table and other out-of-bounds table accesses.
            TrapCode::TableOutOfBounds => TrapClass::TableOutOfBoundsOrUndefinedElement,
            TrapCode::IndirectCallToNull => TrapClass::UninitializedElement,
            TrapCode::IntegerDivisionByZero => TrapClass::IntegerDivideByZero,
            TrapCode::IntegerOverflow => TrapClass::IntegerOverflow,
            TrapCode::BadConversionToInteger => TrapClass::InvalidConversionToInteger,
            TrapCode::BadSignature => TrapClass::IndirectCallTypeMismatch,
            TrapCode::StackOverflow => return Outcome::Exhausted(Exhaustion::Stack),
            TrapCode::OutOfFuel => return Outcome::Exhausted(Exhaustion::Fuel),
            TrapCode::GrowthOperationLimited | TrapCode::OutOfSystemMemory => {
                return Outcome::Exhausted(Exhaustion::Resources);
            }
        })
    }

    impl Runner for WasmiRunner {
        fn compile(&mut self, wasm: &[u8]) -> Result<Exports, String> {
            let module =
                wasmi::Module::new(self.store.engine(), wasm).map_err(|e| e.to_string())?;
            let mut exports = Exports::default();
            for export in module.exports() {
                let name = export.name().to_string();
                match export.ty() {
                    wasmi::ExternType::Func(f) => exports.funcs.push(FuncExport {
                        name,
                        params: f.params().iter().map(ty_of).collect(),
                        results: f.results().iter().map(ty_of).collect(),
                    }),
                    wasmi::ExternType::Global(_) => exports.globals.push(name),
                    wasmi::ExternType::Memory(_) => exports.memories.push(name),
                    wasmi::ExternType::Table(_) => exports.tables.push(name),
                }
            }
            self.module = Some(module);
            Ok(exports)
        }

        fn instantiate(&mut self) -> Outcome {
            let Some(module) = self.module.clone() else {
                return Outcome::Error("instantiate before compile".into());
            };
            if let Err(e) = self.store.set_fuel(self.fuel) {
                return Outcome::Error(format!("set_fuel: {e}"));
            }
            match wasmi::Instance::new(&mut self.store, &module, &[]) {
                Ok(instance) => {
                    self.instance = Some(instance);
                    Outcome::Returned(Vec::new())
                }
                Err(e) => outcome(&e),
            }
        }

        fn call(&mut self, export: &str, args: &[Value]) -> Outcome {
            let Some(func) = self.instance.and_then(|i| i.get_func(&self.store, export)) else {
                return Outcome::Error(format!("no exported function `{export}`"));
            };
            let ty = func.ty(&self.store);
            let params: Vec<Val> = args.iter().map(to_val).collect();
            let mut results: Vec<Val> = ty
                .results()
                .iter()
                .map(|t| Val::default_for_ty(*t))
                .collect();
            if let Err(e) = self.store.set_fuel(self.fuel) {
                return Outcome::Error(format!("set_fuel: {e}"));
            }
            match func.call(&mut self.store, &params, &mut results) {
                Ok(()) => Outcome::Returned(results.iter().map(from_val).collect()),
                Err(e) => outcome(&e),
            }
        }

        fn global(&self, export: &str) -> Option<Value> {
            let g = self.instance?.get_global(&self.store, export)?;
            Some(from_val(&g.get(&self.store)))
        }

        fn memory(&self, export: &str) -> Option<&[u8]> {
            let m = self.instance?.get_memory(&self.store, export)?;
            Some(m.data(&self.store))
        }

        fn table_size(&self, export: &str) -> Option<u64> {
            let t = self.instance?.get_table(&self.store, export)?;
            Some(t.size(&self.store))
        }
    }
}
