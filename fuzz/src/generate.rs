//! wasm-smith, configured to what the strategies support.

use arbitrary::Unstructured;
use wasmparser::WasmFeatures;

use crate::proposals::{FUZZABLE_PROPOSALS, fuzzed_proposals};

/// Bounds of the generated modules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GenOptions {
    /// Upper bound on each memory, in bytes (every memory has a maximum).
    pub max_memory_bytes: u64,
    /// Upper bound on each table, in elements (every table has a maximum).
    pub max_table_elements: u64,
    pub max_funcs: usize,
    /// Per function body.
    pub max_instructions: usize,
    /// Instrument the module with wasm-smith's fuel global (a trap once
    /// loop iterations plus calls exceed a budget drawn from the input), so
    /// most programs terminate the same way on every engine and get a
    /// verdict instead of running out of engine fuel.
    pub ensure_termination: bool,
    /// Integer code only: no floats, and instructions from the integer,
    /// variable, parametric, control and integer-memory kinds (a focused
    /// profile: denser integer arithmetic per module).
    pub integers_only: bool,
}

impl Default for GenOptions {
    fn default() -> GenOptions {
        GenOptions {
            max_memory_bytes: 4 * 65536,
            max_table_elements: 1_000,
            max_funcs: 20,
            max_instructions: 200,
            ensure_termination: true,
            integers_only: false,
        }
    }
}

/// A generated module and the proposals it was generated with.
#[derive(Clone, Debug)]
pub struct Generated {
    pub wasm: Vec<u8>,
    /// The features a validator needs for this module.
    pub features: WasmFeatures,
}

/// Picks a subset of `offered` (each proposal on with probability 3/4).
pub fn choose_proposals(
    u: &mut Unstructured<'_>,
    offered: WasmFeatures,
) -> arbitrary::Result<WasmFeatures> {
    let mut chosen = WasmFeatures::WASM1;
    for (_, feature) in FUZZABLE_PROPOSALS {
        if offered.contains(*feature) && u.ratio(3u8, 4u8)? {
            chosen |= *feature;
        }
    }
    Ok(chosen)
}

/// The wasm-smith configuration: no imports, everything exported, NaNs
/// canonicalized, memories and tables bounded, proposals exactly `features`.
pub fn smith_config(features: WasmFeatures, opts: &GenOptions) -> wasm_smith::Config {
    let on = |f: WasmFeatures| features.contains(f);
    wasm_smith::Config {
        max_imports: 0,
        min_imports: 0,
        export_everything: true,
        canonicalize_nans: true,
        allow_start_export: true,
        max_memory32_bytes: opts.max_memory_bytes,
        max_memory64_bytes: u128::from(opts.max_memory_bytes),
        memory_max_size_required: true,
        max_table_elements: opts.max_table_elements,
        table_max_size_required: true,
        max_memories: if on(WasmFeatures::MULTI_MEMORY) { 3 } else { 1 },
        max_tables: if on(WasmFeatures::REFERENCE_TYPES) {
            3
        } else {
            1
        },
        max_funcs: opts.max_funcs,
        min_funcs: 1,
        min_types: 1,
        max_instructions: opts.max_instructions,
        max_data_segments: 10,
        max_element_segments: 10,
        max_elements: 50,
        max_globals: 20,
        max_types: 20,
        sign_extension_ops_enabled: on(WasmFeatures::SIGN_EXTENSION),
        saturating_float_to_int_enabled: on(WasmFeatures::SATURATING_FLOAT_TO_INT),
        multi_value_enabled: on(WasmFeatures::MULTI_VALUE),
        bulk_memory_enabled: on(WasmFeatures::BULK_MEMORY),
        reference_types_enabled: on(WasmFeatures::REFERENCE_TYPES),
        simd_enabled: on(WasmFeatures::SIMD),
        relaxed_simd_enabled: on(WasmFeatures::RELAXED_SIMD),
        tail_call_enabled: on(WasmFeatures::TAIL_CALL),
        extended_const_enabled: on(WasmFeatures::EXTENDED_CONST),
        memory64_enabled: on(WasmFeatures::MEMORY64),
        wide_arithmetic_enabled: on(WasmFeatures::WIDE_ARITHMETIC),
        custom_page_sizes_enabled: on(WasmFeatures::CUSTOM_PAGE_SIZES),
        exceptions_enabled: on(WasmFeatures::EXCEPTIONS),
        threads_enabled: on(WasmFeatures::THREADS),
        gc_enabled: on(WasmFeatures::GC),
        compact_imports_enabled: false,
        shared_everything_threads_enabled: false,
        custom_descriptors_enabled: false,
        acquire_release_atomics_enabled: false,
        multibyte_array_access_enabled: false,
        ..integer_focus(opts.integers_only)
    }
}

fn integer_focus(on: bool) -> wasm_smith::Config {
    use wasm_smith::{InstructionKind, InstructionKinds};
    let mut config = wasm_smith::Config::default();
    if on {
        config.allow_floats = false;
        config.allowed_instructions = InstructionKinds::new(&[
            InstructionKind::NumericInt,
            InstructionKind::Variable,
            InstructionKind::Parametric,
            InstructionKind::Control,
            InstructionKind::MemoryInt,
        ]);
    }
    config
}

/// Generates a module from `u` with a subset of `offered` proposals.
pub fn generate_with(
    u: &mut Unstructured<'_>,
    offered: WasmFeatures,
    opts: &GenOptions,
) -> arbitrary::Result<Generated> {
    let chosen = choose_proposals(u, offered)?;
    let config = smith_config(chosen, opts);
    let features = config.features();
    let mut module = wasm_smith::Module::new(config, u)?;
    if opts.ensure_termination {
        let fuel = u.int_in_range(1..=512u32)?;
        // Fails only for bodies of arbitrary bytes, which we never ask for.
        module
            .ensure_termination(fuel)
            .map_err(|_| arbitrary::Error::IncorrectFormat)?;
    }
    Ok(Generated {
        wasm: module.to_bytes(),
        features,
    })
}

/// Generates a module with a subset of what the strategies support.
pub fn generate(u: &mut Unstructured<'_>, opts: &GenOptions) -> arbitrary::Result<Generated> {
    generate_with(u, fuzzed_proposals(), opts)
}

/// Number of instructions in a module's function bodies (for the bench).
pub fn count_instructions(wasm: &[u8]) -> usize {
    let mut n = 0;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::CodeSectionEntry(body)) = payload
            && let Ok(ops) = body.get_operators_reader()
        {
            n += ops.into_iter().take_while(Result::is_ok).count();
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    #[test]
    fn generated_modules_validate_with_their_features() {
        let mut rng = SplitMix64::new(7);
        let mut made = 0;
        for _ in 0..30 {
            let data = rng.bytes(2048);
            let mut u = Unstructured::new(&data);
            let Ok(g) = generate(&mut u, &GenOptions::default()) else {
                continue;
            };
            made += 1;
            let mut v = wasmparser::Validator::new_with_features(g.features);
            if let Err(e) = v.validate_all(&g.wasm) {
                panic!("generated module does not validate: {e}");
            }
            assert!(
                fuzzed_proposals().contains(g.features),
                "generated beyond the strategies"
            );
        }
        assert!(made > 20, "only {made} of 30 inputs generated a module");
    }
}
