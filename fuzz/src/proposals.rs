//! Which strategies are fuzzed, and which Wasm proposals each supports.
//!
//! This is the one place to touch when a strategy is added or learns a
//! proposal: the generator offers the union of what the strategies support,
//! and a module joins a comparison on every peer whose table covers the
//! proposals it uses. Nothing else in the fuzzer names a strategy.

use wasmparser::WasmFeatures;
use wasmproof::Strategy;

/// Every execution strategy of the runtime, compared against [`REFERENCE`].
/// The JIT joins with the `jit` cargo feature (a default feature).
#[cfg(not(feature = "jit"))]
pub const STRATEGIES: &[Strategy] = &[Strategy::Interpreter];
#[cfg(feature = "jit")]
pub const STRATEGIES: &[Strategy] = &[Strategy::Interpreter, Strategy::Jit];

/// The strategy every other peer is compared against: the reference
/// interpreter, the project's definition of right.
pub const REFERENCE: Strategy = Strategy::Interpreter;

/// The proposals wasm-smith can generate, by the names the spec community
/// uses, with the `wasmparser` features each needs. The generator toggles
/// exactly these (see `generate.rs`).
pub const FUZZABLE_PROPOSALS: &[(&str, WasmFeatures)] = &[
    ("sign-extension-ops", WasmFeatures::SIGN_EXTENSION),
    (
        "nontrapping-float-to-int",
        WasmFeatures::SATURATING_FLOAT_TO_INT,
    ),
    ("multi-value", WasmFeatures::MULTI_VALUE),
    ("bulk-memory", WasmFeatures::BULK_MEMORY),
    ("reference-types", WasmFeatures::REFERENCE_TYPES),
    ("simd", WasmFeatures::SIMD),
    ("relaxed-simd", WasmFeatures::RELAXED_SIMD),
    ("tail-call", WasmFeatures::TAIL_CALL),
    ("extended-const", WasmFeatures::EXTENDED_CONST),
    ("multi-memory", WasmFeatures::MULTI_MEMORY),
    ("memory64", WasmFeatures::MEMORY64),
    ("wide-arithmetic", WasmFeatures::WIDE_ARITHMETIC),
    ("custom-page-sizes", WasmFeatures::CUSTOM_PAGE_SIZES),
    ("exceptions", WasmFeatures::EXCEPTIONS),
    ("threads", WasmFeatures::THREADS),
    (
        "gc",
        WasmFeatures::GC.union(WasmFeatures::FUNCTION_REFERENCES),
    ),
];

/// Wasm 2.0 without SIMD: what the reference interpreter implements.
const WASM2_SCALAR: WasmFeatures = WasmFeatures::WASM2.difference(WasmFeatures::SIMD);

/// What the JIT compiles: Wasm 1.0 plus sign extension, non-trapping
/// float-to-int and multi-value (no bulk memory, reference types, SIMD).
const JIT: WasmFeatures = WasmFeatures::WASM1
    .union(WasmFeatures::SIGN_EXTENSION)
    .union(WasmFeatures::SATURATING_FLOAT_TO_INT)
    .union(WasmFeatures::MULTI_VALUE);

/// The proposals `strategy` executes. One row per strategy; a strategy the
/// fuzzer does not know yet is fuzzed on Wasm 1.0 only until its row is
/// written.
pub fn supported_proposals(strategy: Strategy) -> WasmFeatures {
    match strategy {
        Strategy::Interpreter => WASM2_SCALAR,
        Strategy::Jit => JIT,
        #[allow(unreachable_patterns)] // `Strategy` is non-exhaustive
        _ => WasmFeatures::WASM1,
    }
}

/// The proposals wasmi (the third engine) is compared on: those it
/// implements with the cargo features we enable (no `simd`).
pub fn wasmi_proposals() -> WasmFeatures {
    WASM2_SCALAR
        .union(WasmFeatures::TAIL_CALL)
        .union(WasmFeatures::EXTENDED_CONST)
        .union(WasmFeatures::MULTI_MEMORY)
        .union(WasmFeatures::MEMORY64)
        .union(WasmFeatures::WIDE_ARITHMETIC)
        .union(WasmFeatures::CUSTOM_PAGE_SIZES)
}

/// The proposals the generator may use: the union of the strategies'.
pub fn fuzzed_proposals() -> WasmFeatures {
    STRATEGIES.iter().fold(WasmFeatures::WASM1, |acc, s| {
        acc.union(supported_proposals(*s))
    })
}

/// Names of the fuzzable proposals in `features`, for reports.
pub fn proposal_names(features: WasmFeatures) -> Vec<&'static str> {
    FUZZABLE_PROPOSALS
        .iter()
        .filter(|(_, f)| features.contains(*f))
        .map(|(name, _)| *name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_is_a_strategy() {
        assert!(STRATEGIES.contains(&REFERENCE));
    }

    #[test]
    fn interpreter_fuzzes_the_wasm2_scalar_proposals() {
        let names = proposal_names(supported_proposals(Strategy::Interpreter));
        assert_eq!(
            names,
            [
                "sign-extension-ops",
                "nontrapping-float-to-int",
                "multi-value",
                "bulk-memory",
                "reference-types"
            ]
        );
        assert!(!supported_proposals(Strategy::Interpreter).contains(WasmFeatures::SIMD));
    }

    #[test]
    fn jit_fuzzes_wasm1_with_the_scalar_extensions() {
        let names = proposal_names(supported_proposals(Strategy::Jit));
        assert_eq!(
            names,
            [
                "sign-extension-ops",
                "nontrapping-float-to-int",
                "multi-value"
            ]
        );
        assert!(supported_proposals(REFERENCE).contains(supported_proposals(Strategy::Jit)));
        assert_eq!(
            STRATEGIES.contains(&Strategy::Jit),
            cfg!(feature = "jit"),
            "the `jit` feature is the switch"
        );
    }

    #[test]
    fn wasmi_covers_the_reference() {
        assert!(wasmi_proposals().contains(supported_proposals(REFERENCE)));
    }
}
