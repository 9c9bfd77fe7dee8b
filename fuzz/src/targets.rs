//! The fuzz targets' bodies, shared by the libFuzzer binaries
//! (`fuzz_targets/`) and the bounded ordinary tests (`tests/targets.rs`).
//! A finding panics (after writing a reproducer where there is one).

use arbitrary::Unstructured;
use wasmparser::WasmFeatures;
use wasmproof::{Config, Engine, Instance, Module, Store, StoreLimitsBuilder, TrapKind, Val};

use crate::diff::{self, Plan, Verdict};
use crate::generate::{GenOptions, generate, generate_with};
use crate::peer::{Limits, Peer, wasmproof_outcome};
use crate::proposals::{REFERENCE, STRATEGIES, supported_proposals};
use crate::value::{Ty, arbitrary_value};

/// The peers a module with `features` is compared on: the reference first,
/// then every other strategy whose table covers `features`, then wasmi.
pub fn peers_for(features: WasmFeatures) -> Vec<Peer> {
    let mut peers = vec![Peer::Strategy(REFERENCE)];
    for s in STRATEGIES {
        if *s != REFERENCE && supported_proposals(*s).contains(features) {
            peers.push(Peer::Strategy(*s));
        }
    }
    #[cfg(feature = "wasmi")]
    if crate::proposals::wasmi_proposals().contains(features) {
        peers.push(Peer::Wasmi);
    }
    peers
}

/// One differential run: a wasm-smith module from `data`, the peers chosen
/// by [`peers_for`], a plan of calls from the rest of `data`.
pub fn differential_verdict(data: &[u8]) -> Verdict {
    differential_with(data, &GenOptions::default(), &Limits::default(), peers_for)
}

/// [`differential_verdict`] with explicit generator options, limits and
/// choice of peers.
pub fn differential_with(
    data: &[u8],
    opts: &GenOptions,
    limits: &Limits,
    peers_for: impl Fn(WasmFeatures) -> Vec<Peer>,
) -> Verdict {
    // The last quarter (at most 512 bytes) draws the calls' arguments, so
    // they stay varied however much of the rest wasm-smith consumes.
    let (module_data, plan_data) = data.split_at(data.len() - (data.len() / 4).min(512));
    let mut u = Unstructured::new(module_data);
    let generated = match generate(&mut u, opts) {
        Ok(g) => g,
        Err(e) => return Verdict::NoVerdict(format!("no module: {e}")),
    };
    let peers = peers_for(generated.features);
    let exports = match diff::compile_exports(&generated.wasm, &peers, limits) {
        Ok(e) => e,
        Err(v) => return v,
    };
    // Running out of input only makes the arguments zeros.
    let mut u = Unstructured::new(plan_data);
    let plan = Plan::arbitrary(&mut u, &exports).unwrap_or_default();
    diff::run(&generated.wasm, &peers, limits, &plan)
}

/// The `differential` target: panics on a divergence, after writing a
/// reproducer and the command that replays it.
pub fn differential(data: &[u8]) {
    if let Verdict::Diverged(d) = differential_verdict(data) {
        let saved = crate::repro::save(&d, data);
        panic!("{d}\n{saved}");
    }
}

/// The `compile` target: arbitrary bytes (binary or text) compiled under
/// every strategy. Errors are fine; panics are findings, and so is a strategy
/// whose verdict on a binary disagrees with `wasmparser` validating it with
/// the proposals [`supported_proposals`] lists for it.
pub fn compile(data: &[u8]) {
    for strategy in STRATEGIES {
        let mut config = Config::new();
        config.strategy(*strategy);
        let Ok(engine) = Engine::new(&config) else {
            continue;
        };
        let result = Module::new(&engine, data);
        if data.starts_with(b"\0asm") {
            let valid = wasmparser::Validator::new_with_features(supported_proposals(*strategy))
                .validate_all(data);
            match (&result, valid) {
                (Ok(_), Err(e)) => panic!(
                    "strategy `{}` compiled a module that is invalid under its proposals ({e}): \
                     supported_proposals() lists too few, or the strategy accepts invalid code",
                    strategy.name()
                ),
                (Err(e), Ok(_)) => panic!(
                    "strategy `{}` rejected a module valid under its proposals: {e}",
                    strategy.name()
                ),
                _ => {}
            }
        }
    }
}

/// The `instantiate` target: a wasm-smith module under a random `Config`
/// (strategy, fuel, epoch deadline, call depth, store limits), then every
/// export called once. Errors and traps are fine; panics, a module valid
/// for the strategy failing to compile, and a trap that the configuration
/// rules out (out of fuel without fuel, interrupted without epochs) are
/// findings.
pub fn instantiate(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let _ = instantiate_inner(&mut u);
}

fn instantiate_inner(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let strategy = *u.choose(STRATEGIES)?;
    let fuel = if u.arbitrary()? {
        Some(u.int_in_range(0..=100_000u64)?)
    } else {
        None
    };
    let epoch = if u.arbitrary()? {
        Some(u.int_in_range(0..=3u64)?)
    } else {
        None
    };
    let depth = if u.arbitrary()? {
        Some(u.int_in_range(0..=2_000usize)?)
    } else {
        None
    };
    let mut config = Config::new();
    config
        .strategy(strategy)
        .consume_fuel(fuel.is_some())
        .epoch_interruption(epoch.is_some());
    if let Some(d) = depth {
        config.max_call_depth(d);
    }
    if u.arbitrary()? {
        let limits = StoreLimitsBuilder::new()
            .memory_size(u.int_in_range(0..=(1usize << 20))?)
            .table_elements(u.int_in_range(0..=2_000usize)?)
            .instances(u.int_in_range(0..=2usize)?)
            .memories(u.int_in_range(0..=3usize)?)
            .tables(u.int_in_range(0..=3usize)?)
            .build();
        config.limits(limits);
    }
    // Without engine fuel nothing else bounds a loop: wasm-smith's own fuel
    // global always does.
    let opts = GenOptions {
        ensure_termination: true,
        ..GenOptions::default()
    };
    let generated = generate_with(u, supported_proposals(strategy), &opts)?;
    let Ok(engine) = Engine::new(&config) else {
        return Ok(());
    };
    let module = match Module::from_binary(&engine, &generated.wasm) {
        Ok(m) => m,
        Err(e) => panic!(
            "strategy `{}` rejected a module of its proposals: {e}",
            strategy.name()
        ),
    };
    let mut store = Store::new(&engine, ());
    if let Some(f) = fuel {
        store
            .set_fuel(f)
            .unwrap_or_else(|e| panic!("set_fuel with fuel enabled: {e}"));
    }
    if let Some(ticks) = epoch {
        store.set_epoch_deadline(ticks);
        for _ in 0..u.int_in_range(0..=3u8)? {
            engine.increment_epoch();
        }
    }
    let check = |e: &wasmproof::Error| match e.trap_kind() {
        Some(TrapKind::OutOfFuel) if fuel.is_none() => panic!("out of fuel without fuel: {e}"),
        Some(TrapKind::Interrupted) if epoch.is_none() => panic!("interrupted without epochs: {e}"),
        _ => {}
    };
    let instance = match Instance::new(&mut store, &module, &[]) {
        Ok(i) => i,
        Err(e) => {
            check(&e);
            return Ok(());
        }
    };
    for (name, ext) in instance.exports(&store) {
        if let Some(func) = ext.into_func() {
            let ty = func.ty(&store);
            let mut params = Vec::new();
            for p in ty.params() {
                let value = match p {
                    wasmproof::ValType::I32 => arbitrary_value(u, Ty::I32)?,
                    wasmproof::ValType::I64 => arbitrary_value(u, Ty::I64)?,
                    wasmproof::ValType::F32 => arbitrary_value(u, Ty::F32)?,
                    wasmproof::ValType::F64 => arbitrary_value(u, Ty::F64)?,
                    wasmproof::ValType::V128 => arbitrary_value(u, Ty::V128)?,
                    other => {
                        params.push(Val::default_for(other));
                        continue;
                    }
                };
                params.push(match value {
                    Some(crate::value::Value::I32(x)) => Val::I32(x),
                    Some(crate::value::Value::I64(x)) => Val::I64(x),
                    Some(crate::value::Value::F32(x)) => Val::F32(x),
                    Some(crate::value::Value::F64(x)) => Val::F64(x),
                    Some(crate::value::Value::V128(x)) => Val::V128(x),
                    _ => Val::default_for(p),
                });
            }
            let mut results: Vec<Val> = ty.results().map(Val::default_for).collect();
            if let Err(e) = func.call(&mut store, &params, &mut results) {
                check(&e);
                // The outcome mapping must cope with every error.
                let _ = wasmproof_outcome(&e);
            } else {
                for (r, want) in results.iter().zip(ty.results()) {
                    assert!(r.matches(want), "`{name}` returned {r:?} for a {want}");
                }
            }
            if let Some(f) = fuel {
                let _ = store.set_fuel(f);
            }
        } else if let Some(memory) = ext.into_memory() {
            let size = memory.data_size(&store);
            if !generated.features.contains(WasmFeatures::CUSTOM_PAGE_SIZES) {
                assert_eq!(
                    size as u64,
                    memory.size(&store) * 65536,
                    "memory `{name}` size"
                );
            }
            let mut byte = [0u8; 1];
            if size > 0 {
                assert!(memory.read(&store, size - 1, &mut byte).is_ok());
            }
            assert!(
                memory.read(&store, size, &mut byte).is_err(),
                "read past the end of `{name}`"
            );
        } else if let Some(global) = ext.into_global() {
            let v = global.get(&store);
            assert!(
                v.matches(global.ty(&store).content()),
                "global `{name}` holds {v:?}"
            );
        } else if let Some(table) = ext.into_table() {
            let size = table.size(&store);
            assert!(
                table.get(&store, size).is_none(),
                "table `{name}` get past the end"
            );
        }
    }
    Ok(())
}
