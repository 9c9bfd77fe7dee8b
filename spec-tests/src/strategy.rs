//! The seam between the script runner and the thing under test.
//!
//! [`Strategy`] is the one place that names the execution strategies. Each
//! strategy opens a [`Session`] per `.wast` file: a fresh store holding the
//! `spectest` host module, the modules the script defines, their instances,
//! and the names instances are registered under. The runner only speaks
//! [`Session`], so adding a strategy (e.g. `jit`, through the public
//! `wasmproof` runtime API) means adding a variant here and one `Session`
//! implementation — nothing in the runner changes. `jit` runs through the
//! public runtime API (`api.rs`).

use crate::value::Val;

/// How the modules of a script are executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Strategy {
    /// The reference interpreter (`wasmproof-oracle`), directly.
    Interpreter,
    /// Compiled code, through the public `wasmproof` API
    /// (`Strategy::Jit`).
    Jit,
}

impl Strategy {
    /// Every strategy, e.g. for a test that runs them all.
    pub const ALL: &'static [Strategy] = &[Strategy::Interpreter, Strategy::Jit];

    pub fn name(self) -> &'static str {
        match self {
            Strategy::Interpreter => "interpreter",
            Strategy::Jit => "jit",
        }
    }

    /// Opens a fresh session: a new store with the `spectest` module registered.
    pub(crate) fn open(self, config: &SessionConfig) -> Result<Box<dyn Session>, String> {
        match self {
            Strategy::Interpreter => Ok(Box::new(crate::interpreter::InterpreterSession::new(
                config,
            )?)),
            Strategy::Jit => Ok(Box::new(crate::api::ApiSession::new(
                config,
                wasmproof::Strategy::Jit,
            )?)),
        }
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What every strategy's session is configured with.
#[derive(Clone, Debug, Default)]
pub(crate) struct SessionConfig {
    /// Instructions each instantiation or call may execute before it is
    /// stopped (a safety net against a runaway strategy); `None`: unlimited.
    pub fuel: Option<u64>,
}

/// A module the session has decoded and validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ModuleId(pub usize);

/// An instance living in the session's store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct InstanceId(pub usize);

/// Why a module was not accepted.
#[derive(Clone, Debug)]
pub(crate) enum LoadError {
    /// Malformed or invalid under every proposal.
    Invalid(String),
    /// Needs a proposal this strategy does not support.
    Unsupported(&'static str),
}

/// A trap as the script sees it.
#[derive(Clone, Debug)]
pub(crate) struct TrapInfo {
    /// The testsuite's wording of the trap (e.g. "integer divide by zero").
    pub message: String,
    /// The call stack was exhausted (what `assert_exhaustion` expects).
    pub exhausted: bool,
}

/// Why instantiation failed.
#[derive(Clone, Debug)]
pub(crate) enum InstantiateError {
    /// A missing or mistyped import.
    Unlinkable(String),
    /// A trap while initialising or in the start function.
    Trap(TrapInfo),
    /// Anything else (e.g. a resource refused by the host).
    Other(String),
}

/// Why a call or a global read did not produce values.
#[derive(Clone, Debug)]
pub(crate) enum CallError {
    Trap(TrapInfo),
    /// No such export, wrong kind of export, bad arguments, …
    Other(String),
}

/// One `.wast` file's world, for one strategy.
pub(crate) trait Session {
    /// Whether values of this proposal can cross the boundary (today only
    /// "simd" is asked: v128 arguments and results).
    fn supports(&self, proposal: &str) -> bool;
    /// Decodes and validates a binary module.
    fn load(&mut self, bytes: &[u8]) -> Result<ModuleId, LoadError>;
    /// The module names a module imports from, in import order.
    fn import_modules(&self, module: ModuleId) -> Vec<String>;
    /// Instantiates a module, resolving its imports by the registered names.
    fn instantiate(&mut self, module: ModuleId) -> Result<InstanceId, InstantiateError>;
    /// Makes an instance's exports importable under `name`.
    fn register(&mut self, name: &str, instance: InstanceId);
    /// Calls an exported function.
    fn invoke(
        &mut self,
        instance: InstanceId,
        name: &str,
        args: &[Val],
    ) -> Result<Vec<Val>, CallError>;
    /// Reads an exported global.
    fn get(&mut self, instance: InstanceId, name: &str) -> Result<Val, CallError>;
}
