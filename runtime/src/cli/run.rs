//! `wasmproof run`.

use crate::wasi::{self, WasiCtx, WasiCtxBuilder};
use crate::{Config, Engine, Error, Func, I32Exit, Linker, Module, Store, Val};

use super::{EXIT_TRAP, RunArgs, fail, parse_val};

/// Whether a module was refused for a proposal the strategy lacks.
fn unsupported(e: &Error) -> bool {
    e.downcast_ref::<crate::ModuleError>()
        .is_some_and(|m| matches!(m.kind(), crate::ModuleErrorKind::Unsupported { .. }))
}

/// Runs the module; returns the process exit status.
pub(super) fn run(args: RunArgs) -> i32 {
    let mut config = Config::new();
    config.strategy(args.strategy.into());
    if args.fuel.is_some() {
        config.consume_fuel(true);
    }
    let engine = match Engine::new(&config) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    let module = match Module::from_file(&engine, &args.file) {
        Ok(m) => m,
        Err(e) if unsupported(&e) => {
            return fail(Error::msg(format!(
                "{e} (`--strategy interpreter` runs it)"
            )));
        }
        Err(e) => return fail(e),
    };
    let ctx = match wasi_ctx(&args) {
        Ok(ctx) => ctx,
        Err(e) => return fail(e),
    };
    let mut store = Store::new(&engine, ctx);
    if let Some(fuel) = args.fuel
        && let Err(e) = store.set_fuel(fuel)
    {
        return fail(e);
    }
    let mut linker = Linker::new(&engine);
    if let Err(e) = add_wasi(&mut linker) {
        return fail(e);
    }
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(i) => i,
        Err(e) => return outcome(e),
    };

    match &args.invoke {
        Some(name) => {
            let Some(func) = instance.get_func(&store, name) else {
                let funcs: Vec<String> = module
                    .exports()
                    .filter(|e| e.ty().func().is_some())
                    .map(|e| e.name().to_string())
                    .collect();
                let list = if funcs.is_empty() {
                    "none".to_string()
                } else {
                    funcs.join(", ")
                };
                return fail(format!(
                    "`{name}` is not an exported function of `{}` (exported functions: {list})",
                    args.file.display()
                ));
            };
            invoke(&mut store, func, name, &args.args)
        }
        None => {
            let entry = instance
                .get_func(&store, "_start")
                .or_else(|| instance.get_func(&store, ""));
            let Some(entry) = entry else {
                // A module without a command entry point: instantiation (and its
                // start function) was the whole run.
                return 0;
            };
            match entry.call(&mut store, &[], &mut []) {
                Ok(()) => 0,
                Err(e) => outcome(e),
            }
        }
    }
}

/// The WASI context: argv is the file name then ARGS; `--env`; `--dir`.
fn wasi_ctx(args: &RunArgs) -> Result<WasiCtx, Error> {
    let mut b = WasiCtxBuilder::new();
    let program = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.file.display().to_string());
    b.arg(program);
    for a in &args.args {
        b.arg(a.clone());
    }
    for (k, v) in &args.envs {
        b.env(k.clone(), v.clone());
    }
    b.inherit_stdio();
    for (host, guest) in &args.dirs {
        if !host.is_dir() {
            return Err(Error::msg(format!(
                "--dir: `{}` is not an existing directory",
                host.display()
            )));
        }
        b.preopened_dir(host, guest.clone()).map_err(Error::from)?;
    }
    Ok(b.build())
}

/// The seam to WASI preview 1 (runtime/src/wasi).
fn add_wasi(linker: &mut Linker<WasiCtx>) -> Result<(), Error> {
    wasi::add_to_linker(linker, |cx: &mut WasiCtx| cx)
}

/// `--invoke`: parse ARGS by the parameter types, call, print the results.
fn invoke(store: &mut Store<WasiCtx>, func: Func, name: &str, raw: &[String]) -> i32 {
    let ty = func.ty(&*store);
    let params: Vec<_> = ty.params().collect();
    if raw.len() != params.len() {
        let types: Vec<String> = params.iter().map(|t| t.to_string()).collect();
        return fail(format!(
            "`{name}` takes {} argument{} ({}), but {} {} given",
            params.len(),
            if params.len() == 1 { "" } else { "s" },
            if types.is_empty() {
                "none".to_string()
            } else {
                types.join(" ")
            },
            raw.len(),
            if raw.len() == 1 { "was" } else { "were" },
        ));
    }
    let mut vals = Vec::with_capacity(params.len());
    for (i, (text, ty)) in raw.iter().zip(&params).enumerate() {
        match parse_val(text, *ty) {
            Ok(v) => vals.push(v),
            Err(e) => return fail(format!("argument {} of `{name}`: {e}", i + 1)),
        }
    }
    let mut results: Vec<Val> = ty.results().map(Val::default_for).collect();
    match func.call(&mut *store, &vals, &mut results) {
        Ok(()) => {
            for r in &results {
                println!("{r}");
            }
            0
        }
        Err(e) => outcome(e),
    }
}

/// Frames printed at each end of a long backtrace (deep recursion).
const BACKTRACE_EDGE: usize = 20;

/// The backtrace, innermost first; the middle of a very deep one is elided.
fn print_backtrace(bt: &crate::WasmBacktrace) {
    let frames = bt.frames();
    eprintln!("wasm backtrace:");
    for (i, frame) in frames.iter().enumerate() {
        if frames.len() > 2 * BACKTRACE_EDGE + 1
            && (BACKTRACE_EDGE..frames.len() - BACKTRACE_EDGE).contains(&i)
        {
            if i == BACKTRACE_EDGE {
                eprintln!(
                    "  ... {} frames elided ...",
                    frames.len() - 2 * BACKTRACE_EDGE
                );
            }
            continue;
        }
        eprintln!("  {i:>3}: {frame}");
    }
}

/// The exit status for an error from instantiation or a call: the program's
/// exit code, a trap, or another error.
fn outcome(e: Error) -> i32 {
    if let Some(exit) = e.downcast_ref::<I32Exit>() {
        return exit.0;
    }
    match e.trap_kind() {
        Some(kind) => {
            eprintln!("error: wasm trap: {} ({})", kind.message(), kind.name());
            if kind == crate::TrapKind::Host {
                eprintln!(
                    "host error: {}",
                    e.root_cause().to_string().replace('\n', " ")
                );
            }
            match e.wasm_backtrace() {
                Some(bt) if !bt.is_empty() => print_backtrace(bt),
                _ => eprintln!("wasm backtrace: (empty)"),
            }
            EXIT_TRAP
        }
        None => fail(e),
    }
}
