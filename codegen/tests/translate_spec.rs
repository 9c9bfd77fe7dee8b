//! The official testsuite through the translator: every module of every
//! in-scope `.wast` file (spec-tests/in-scope.txt) either translates — and
//! its IR passes the well-formedness verifier — or fails with `Unsupported`
//! naming a bulk-memory, reference-types or SIMD operator. For modules
//! without imports, the `assert_return`/`assert_trap` directives are then
//! run on the IR evaluator (values compared bit for bit, NaNs by class).
//!
//! The suite is read from `$WASM_TESTSUITE`, else `../shared/wasm-testsuite`
//! next to the repository; without it the test says so and passes.

use std::path::{Path, PathBuf};

use wasmproof_codegen::ir::eval::{EvalError, Instance, Val};
use wasmproof_codegen::ir::{TrapCode, verify_function};
use wasmproof_codegen::translate::{
    TranslateErrorKind, TranslateOptions, TranslatedModule, translate_module,
};
use wast::core::{NanPattern, WastArgCore, WastRetCore};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastRet, Wat};

fn suite_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("WASM_TESTSUITE") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/wasm-testsuite"),
    };
    dir.is_dir().then_some(dir)
}

fn in_scope() -> Vec<String> {
    let list = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec-tests/in-scope.txt");
    std::fs::read_to_string(list)
        .expect("spec-tests/in-scope.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

const ALLOWED_UNSUPPORTED: &[&str] = &["bulk_memory", "reference_types", "simd"];

#[derive(Default)]
struct Tally {
    modules: usize,
    functions: usize,
    unsupported: usize,
    asserts_passed: usize,
    asserts_skipped: usize,
    failures: Vec<String>,
}

fn trap_message(code: TrapCode) -> &'static str {
    match code {
        TrapCode::Unreachable => "unreachable",
        TrapCode::IntegerDivideByZero => "integer divide by zero",
        TrapCode::IntegerOverflow => "integer overflow",
        TrapCode::BadConversionToInteger => "invalid conversion to integer",
        TrapCode::MemoryOutOfBounds => "out of bounds memory access",
        TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
        TrapCode::UndefinedElement => "undefined element",
        TrapCode::UninitializedElement => "uninitialized element",
        TrapCode::StackOverflow => "call stack exhausted",
        TrapCode::OutOfFuel => "all fuel consumed",
        TrapCode::Interrupted => "interrupted",
    }
}

fn arg(a: &WastArg<'_>) -> Option<Val> {
    match a {
        WastArg::Core(WastArgCore::I32(x)) => Some(Val::I32(*x as u32)),
        WastArg::Core(WastArgCore::I64(x)) => Some(Val::I64(*x as u64)),
        WastArg::Core(WastArgCore::F32(x)) => Some(Val::F32(x.bits)),
        WastArg::Core(WastArgCore::F64(x)) => Some(Val::F64(x.bits)),
        _ => None,
    }
}

/// `Some(matches)`, or `None` when the expectation is not numeric.
fn matches(r: &WastRet<'_>, v: Val) -> Option<bool> {
    let WastRet::Core(r) = r else { return None };
    Some(match (r, v) {
        (WastRetCore::I32(x), Val::I32(y)) => *x as u32 == y,
        (WastRetCore::I64(x), Val::I64(y)) => *x as u64 == y,
        (WastRetCore::F32(p), Val::F32(y)) => match p {
            NanPattern::CanonicalNan => y & 0x7fff_ffff == 0x7fc0_0000,
            NanPattern::ArithmeticNan => y & 0x7fc0_0000 == 0x7fc0_0000,
            NanPattern::Value(x) => x.bits == y,
        },
        (WastRetCore::F64(p), Val::F64(y)) => match p {
            NanPattern::CanonicalNan => y & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
            NanPattern::ArithmeticNan => y & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
            NanPattern::Value(x) => x.bits == y,
        },
        (
            WastRetCore::I32(_) | WastRetCore::I64(_) | WastRetCore::F32(_) | WastRetCore::F64(_),
            _,
        ) => false,
        _ => return None,
    })
}

/// Translates one module; returns it when every function translated.
fn translate(bytes: &[u8], where_: &str, t: &mut Tally) -> Option<&'static TranslatedModule> {
    let m = match translate_module(bytes, &TranslateOptions::default()) {
        Ok(m) => m,
        Err(e) => {
            match &e.kind {
                TranslateErrorKind::Unsupported { proposal, .. }
                    if ALLOWED_UNSUPPORTED.contains(proposal) =>
                {
                    t.unsupported += 1
                }
                _ => t.failures.push(format!("{where_}: module rejected: {e}")),
            }
            return None;
        }
    };
    t.modules += 1;
    let mut complete = true;
    for f in &m.functions {
        t.functions += 1;
        match f {
            Ok(f) => {
                if let Err(e) = verify_function(f) {
                    t.failures.push(format!("{where_}: {e}"));
                    complete = false;
                }
            }
            Err(e) => {
                complete = false;
                match &e.kind {
                    TranslateErrorKind::Unsupported { proposal, .. }
                        if ALLOWED_UNSUPPORTED.contains(proposal) =>
                    {
                        t.unsupported += 1
                    }
                    _ => t.failures.push(format!("{where_}: {e}")),
                }
            }
        }
    }
    // Leaked: `Instance` borrows its module; a test process is short-lived.
    complete.then(|| &*Box::leak(Box::new(m)))
}

fn run_file(path: &Path, t: &mut Tally) {
    let text = std::fs::read_to_string(path).expect("readable .wast");
    let mut lexer = wast::lexer::Lexer::new(&text);
    lexer.allow_confusing_unicode(true);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Ok(buf) = wast::parser::ParseBuffer::new_with_lexer(lexer) else {
        t.failures.push(format!("{name}: does not lex"));
        return;
    };
    let Ok(ast) = wast::parser::parse::<Wast>(&buf) else {
        t.failures.push(format!("{name}: does not parse"));
        return;
    };
    let mut current: Option<Instance<'static>> = None;
    for d in ast.directives {
        let line = {
            let (l, _) = d.span().linecol_in(&text);
            l + 1
        };
        let where_ = format!("{name}:{line}");
        match d {
            WastDirective::Module(mut qw) | WastDirective::ModuleDefinition(mut qw) => {
                current = None;
                if matches!(
                    qw,
                    QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..)
                ) {
                    continue;
                }
                let Ok(bytes) = qw.encode() else { continue };
                if let Some(m) = translate(&bytes, &where_, t) {
                    // Modules with imports cannot be run here.
                    current = Instance::new(m).ok();
                }
            }
            WastDirective::AssertReturn {
                exec: WastExecute::Invoke(inv),
                results,
                ..
            } if inv.module.is_none() => {
                let (Some(inst), Some(args)) = (
                    current.as_mut(),
                    inv.args.iter().map(arg).collect::<Option<Vec<Val>>>(),
                ) else {
                    t.asserts_skipped += 1;
                    continue;
                };
                match inst.invoke_export(inv.name, &args) {
                    Ok(got) => {
                        let ok: Option<Vec<bool>> = results
                            .iter()
                            .zip(&got)
                            .map(|(r, v)| matches(r, *v))
                            .collect();
                        match ok {
                            Some(oks)
                                if oks.len() == results.len() && got.len() == results.len() =>
                            {
                                if oks.iter().all(|b| *b) {
                                    t.asserts_passed += 1;
                                } else {
                                    t.failures
                                        .push(format!("{where_}: {} {args:?} = {got:?}", inv.name));
                                }
                            }
                            _ => t.asserts_skipped += 1,
                        }
                    }
                    // Deep (but finite) recursion beyond the evaluator's
                    // small host-stack budget, or unsupported features.
                    Err(EvalError::Trap(TrapCode::StackOverflow))
                    | Err(EvalError::Unsupported(_)) => t.asserts_skipped += 1,
                    Err(e) => t
                        .failures
                        .push(format!("{where_}: {} {args:?} trapped: {e}", inv.name)),
                }
            }
            WastDirective::AssertTrap {
                exec: WastExecute::Invoke(inv),
                message,
                ..
            } if inv.module.is_none() => {
                let (Some(inst), Some(args)) = (
                    current.as_mut(),
                    inv.args.iter().map(arg).collect::<Option<Vec<Val>>>(),
                ) else {
                    t.asserts_skipped += 1;
                    continue;
                };
                match inst.invoke_export(inv.name, &args) {
                    Err(EvalError::Trap(code))
                        if message.starts_with(trap_message(code))
                            || trap_message(code).starts_with(message) =>
                    {
                        t.asserts_passed += 1
                    }
                    Err(EvalError::Unsupported(_)) => t.asserts_skipped += 1,
                    other => t.failures.push(format!(
                        "{where_}: {} {args:?}: expected trap {message:?}, got {other:?}",
                        inv.name
                    )),
                }
            }
            WastDirective::Invoke(inv) if inv.module.is_none() => {
                if let (Some(inst), Some(args)) = (
                    current.as_mut(),
                    inv.args.iter().map(arg).collect::<Option<Vec<Val>>>(),
                ) {
                    let _ = inst.invoke_export(inv.name, &args);
                }
            }
            WastDirective::AssertReturn { .. } | WastDirective::AssertTrap { .. } => {
                t.asserts_skipped += 1
            }
            _ => {}
        }
    }
}

#[test]
fn in_scope_testsuite_translates_and_runs_on_the_ir() {
    // A missing suite is a failure, never a pass: this test is the
    // translation's only check against the whole official testsuite.
    let Some(dir) = suite_dir() else {
        panic!(
            "the official testsuite is missing: set WASM_TESTSUITE or put it at \
             ../shared/wasm-testsuite (https://github.com/WebAssembly/testsuite)"
        );
    };
    // The IR evaluator recurses on the host stack for Wasm calls.
    let tally = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut t = Tally::default();
            for file in in_scope() {
                run_file(&dir.join(&file), &mut t);
            }
            t
        })
        .expect("thread")
        .join()
        .expect("no panic");
    eprintln!(
        "{} modules, {} functions, {} unsupported, {} assertions passed, {} skipped",
        tally.modules,
        tally.functions,
        tally.unsupported,
        tally.asserts_passed,
        tally.asserts_skipped
    );
    assert!(
        tally.failures.is_empty(),
        "{} failures:\n{}",
        tally.failures.len(),
        tally
            .failures
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(tally.functions > 1000 && tally.asserts_passed > 10_000);
}
