//! Engine configuration.

use crate::limits::StoreLimits;

/// How Wasm code is executed.
///
/// `Interpreter` runs the reference interpreter (`wasmproof-oracle`):
/// portable, no machine code at all. `Jit` compiles every function to
/// x86-64 through the proven lowering rules when the [`Module`] is
/// created (Wasm 1.0 plus sign extension, non-trapping float-to-int and
/// multi-value; a module using bulk memory, reference types or table
/// instructions is rejected with an error naming the operator). Both run
/// behind exactly the same API.
///
/// [`Module`]: crate::Module
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Strategy {
    #[default]
    Interpreter,
    Jit,
}

impl Strategy {
    /// Every strategy, in a stable order.
    pub const ALL: &'static [Strategy] = &[Strategy::Interpreter, Strategy::Jit];

    /// The name the CLI accepts for `--strategy`.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Interpreter => "interpreter",
            Strategy::Jit => "jit",
        }
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Strategy {
    type Err = crate::Error;

    /// `interpreter` or `jit` (what [`Strategy::name`] gives).
    fn from_str(s: &str) -> crate::Result<Strategy> {
        Strategy::ALL
            .iter()
            .copied()
            .find(|st| st.name() == s)
            .ok_or_else(|| {
                crate::Error::msg(format!(
                    "unknown strategy `{s}` (expected `interpreter` or `jit`)"
                ))
            })
    }
}

/// Default for [`Config::max_wasm_stack`]: 512 KiB.
pub const DEFAULT_MAX_WASM_STACK: usize = 512 * 1024;

/// Global settings of an [`Engine`](crate::Engine), fixed once the engine exists.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub(crate) strategy: Strategy,
    pub(crate) consume_fuel: bool,
    pub(crate) epoch_interruption: bool,
    pub(crate) max_call_depth: Option<usize>,
    pub(crate) max_wasm_stack: Option<usize>,
    pub(crate) limits: Option<StoreLimits>,
}

impl Config {
    pub fn new() -> Config {
        Config::default()
    }

    /// The execution strategy (default: `Interpreter`).
    pub fn strategy(&mut self, strategy: Strategy) -> &mut Self {
        self.strategy = strategy;
        self
    }

    /// Meter execution with fuel: each store starts with 0 fuel, set it with
    /// [`Store::set_fuel`](crate::Store::set_fuel); running out traps with
    /// [`TrapKind::OutOfFuel`](crate::TrapKind::OutOfFuel). The interpreter
    /// charges one unit per executed instruction.
    pub fn consume_fuel(&mut self, enable: bool) -> &mut Self {
        self.consume_fuel = enable;
        self
    }

    /// Allow [`Engine::increment_epoch`](crate::Engine::increment_epoch) to
    /// interrupt running code once a store's epoch deadline is reached
    /// (checked at function entries and loop headers). As in Wasmtime, a new
    /// store's deadline is 0, i.e. already reached: call
    /// [`Store::set_epoch_deadline`](crate::Store::set_epoch_deadline) first.
    pub fn epoch_interruption(&mut self, enable: bool) -> &mut Self {
        self.epoch_interruption = enable;
        self
    }

    /// Maximum nesting of Wasm calls before a
    /// [`TrapKind::CallStackExhausted`](crate::TrapKind::CallStackExhausted)
    /// trap (default: the strategy's own limit). The interpreter's bound;
    /// compiled code is bounded by [`Config::max_wasm_stack`] instead.
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Self {
        self.max_call_depth = Some(depth);
        self
    }

    /// Bytes of native stack compiled Wasm may use below the point where
    /// the host first called into it; going deeper traps with
    /// [`TrapKind::CallStackExhausted`](crate::TrapKind::CallStackExhausted).
    /// Used by the `Jit` strategy (the interpreter bounds the call depth
    /// instead, see [`Config::max_call_depth`]). Default:
    /// [`DEFAULT_MAX_WASM_STACK`]. Keep it well below the stack of the
    /// threads that call into Wasm: host functions run on the same stack.
    pub fn max_wasm_stack(&mut self, bytes: usize) -> &mut Self {
        self.max_wasm_stack = Some(bytes);
        self
    }

    /// Resource limits every new store starts with (replaceable per store
    /// with [`Store::limiter`](crate::Store::limiter)). Default: none.
    pub fn limits(&mut self, limits: StoreLimits) -> &mut Self {
        self.limits = Some(limits);
        self
    }

    pub fn get_max_wasm_stack(&self) -> usize {
        self.max_wasm_stack.unwrap_or(DEFAULT_MAX_WASM_STACK)
    }
    pub fn get_strategy(&self) -> Strategy {
        self.strategy
    }
    pub fn fuel_enabled(&self) -> bool {
        self.consume_fuel
    }
    pub fn epoch_interruption_enabled(&self) -> bool {
        self.epoch_interruption
    }
}
