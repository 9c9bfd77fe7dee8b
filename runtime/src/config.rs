//! Engine configuration.

use crate::limits::StoreLimits;

/// How Wasm code is executed.
///
/// `Interpreter` runs the reference interpreter (`wasmproof-oracle`):
/// portable, no machine code at all. The verified JIT arrives as a second
/// variant behind exactly the same API (see `strategy.rs` for the seam).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Strategy {
    #[default]
    Interpreter,
}

impl Strategy {
    /// The name the CLI accepts for `--strategy`.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Interpreter => "interpreter",
        }
    }
}

/// Global settings of an [`Engine`](crate::Engine), fixed once the engine exists.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub(crate) strategy: Strategy,
    pub(crate) consume_fuel: bool,
    pub(crate) epoch_interruption: bool,
    pub(crate) max_call_depth: Option<usize>,
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
    /// trap (default: the strategy's own limit).
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Self {
        self.max_call_depth = Some(depth);
        self
    }

    /// Resource limits every new store starts with (replaceable per store
    /// with [`Store::limiter`](crate::Store::limiter)). Default: none.
    pub fn limits(&mut self, limits: StoreLimits) -> &mut Self {
        self.limits = Some(limits);
        self
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
