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
    let wasm = canonicalize_conversion_nans(&module.to_bytes())
        .map_err(|_| arbitrary::Error::IncorrectFormat)?;
    Ok(Generated { wasm, features })
}

/// Canonicalizes the NaNs that `f32.demote_f64` and `f64.promote_f32`
/// produce, which wasm-smith's `canonicalize_nans` leaves alone: the spec
/// lets an engine pick any NaN sign there, and the sign leaks into results
/// through `copysign`, `neg` and `reinterpret` (wasmi and V8 keep the
/// operand's sign, the reference interpreter returns a positive NaN — both
/// correct). Each conversion is followed by wasm-smith's own idiom
/// `local.tee t; fN.const nan; local.get t; local.get t; fN.eq; select`,
/// with two scratch locals appended to every function.
pub fn canonicalize_conversion_nans(wasm: &[u8]) -> Result<Vec<u8>, String> {
    use wasm_encoder::reencode::Reencode;
    let mut params = Vec::new();
    let mut type_params = Vec::new();
    let mut converts = false;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| e.to_string())? {
            wasmparser::Payload::TypeSection(reader) => {
                for group in reader {
                    for ty in group.map_err(|e| e.to_string())?.types() {
                        type_params.push(match &ty.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => f.params().len(),
                            _ => 0,
                        });
                    }
                }
            }
            wasmparser::Payload::FunctionSection(reader) => {
                for ty in reader {
                    let ty = ty.map_err(|e| e.to_string())? as usize;
                    params.push(type_params.get(ty).copied().unwrap_or(0));
                }
            }
            wasmparser::Payload::CodeSectionEntry(body) if !converts => {
                let ops = body.get_operators_reader().map_err(|e| e.to_string())?;
                converts = ops.into_iter().any(|op| {
                    matches!(
                        op,
                        Ok(wasmparser::Operator::F32DemoteF64
                            | wasmparser::Operator::F64PromoteF32)
                    )
                });
            }
            _ => {}
        }
    }
    if !converts {
        return Ok(wasm.to_vec());
    }
    let mut module = wasm_encoder::Module::new();
    let mut canon = Canonicalizer { params, next: 0 };
    canon
        .parse_core_module(&mut module, wasmparser::Parser::new(0), wasm)
        .map_err(|e| format!("{e:?}"))?;
    Ok(module.finish())
}

struct Canonicalizer {
    /// Parameter count of each defined function, in order (no imports).
    params: Vec<usize>,
    next: usize,
}

impl wasm_encoder::reencode::Reencode for Canonicalizer {
    type Error = std::convert::Infallible;

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        use wasm_encoder::{Instruction as I, ValType};
        let params = self.params.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        let mut locals = Vec::new();
        let mut count = 0u32;
        for pair in func.get_locals_reader()? {
            let (n, ty) = pair?;
            count = count.saturating_add(n);
            locals.push((n, self.val_type(ty)?));
        }
        let f32_tmp = u32::try_from(params)
            .unwrap_or(u32::MAX)
            .saturating_add(count);
        let f64_tmp = f32_tmp.saturating_add(1);
        locals.push((1, ValType::F32));
        locals.push((1, ValType::F64));
        let mut f = wasm_encoder::Function::new(locals);
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            let op = reader.read()?;
            let canon = match op {
                wasmparser::Operator::F32DemoteF64 => Some(false),
                wasmparser::Operator::F64PromoteF32 => Some(true),
                _ => None,
            };
            f.instruction(&wasm_encoder::reencode::RoundtripReencoder.instruction(op)?);
            match canon {
                Some(false) => {
                    f.instruction(&I::LocalTee(f32_tmp));
                    f.instruction(&I::F32Const(f32::from_bits(0x7fc0_0000).into()));
                    f.instruction(&I::LocalGet(f32_tmp));
                    f.instruction(&I::LocalGet(f32_tmp));
                    f.instruction(&I::F32Eq);
                    f.instruction(&I::Select);
                }
                Some(true) => {
                    f.instruction(&I::LocalTee(f64_tmp));
                    f.instruction(&I::F64Const(f64::from_bits(0x7ff8_0000_0000_0000).into()));
                    f.instruction(&I::LocalGet(f64_tmp));
                    f.instruction(&I::LocalGet(f64_tmp));
                    f.instruction(&I::F64Eq);
                    f.instruction(&I::Select);
                }
                None => {}
            }
        }
        code.function(&f);
        Ok(())
    }
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
