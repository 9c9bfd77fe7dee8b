//! Generates the lowering (`lower` module) from `isle-rules/` with
//! cranelift-isle: `prelude.isle`, `ir.isle` and every `x64/*.isle`, sorted,
//! as one ISLE program. The spec forms (`spec`, `model`, `form`,
//! `instantiate`, `state`, `attr`, `macro`) are parsed by cranelift-isle and
//! ignored by its Rust code generation, so the proven files are compiled
//! unchanged.
//!
//! The proof gate runs first: nothing is generated unless
//! `isle-rules/verified.lock` holds every rule as proven with its current
//! fingerprint (or the research feature `unverified-rules` is on; see
//! `wasmproof_verifier::gate`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cranelift_isle::codegen::CodegenOptions;
use cranelift_isle::files::Files;
use cranelift_isle::sema;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let rules = manifest.join("..").join("isle-rules");
    println!("cargo::rerun-if-changed=build.rs");
    // A directory: cargo re-runs when any file under it changes or appears.
    println!("cargo::rerun-if-changed={}", rules.display());
    if !wasmproof_verifier::gate::build_script(&rules, "x64") {
        // The gate printed `cargo::error`s: cargo fails the build.
        return;
    }
    let files = match isle_inputs(&rules) {
        Ok(f) => f,
        Err(e) => fail(&format!("cannot list {}: {e}", rules.display())),
    };
    println!("cargo:rerun-if-changed={}", rules.join("x64").display());
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let options = CodegenOptions {
        exclude_global_allow_pragmas: true,
        prefixes: vec![cranelift_isle::codegen::Prefix {
            prefix: rules.display().to_string(),
            name: "isle-rules".to_string(),
        }],
        ..Default::default()
    };
    let code = match generate(&files, &options) {
        Ok(c) => c,
        Err(e) => fail(&format!("ISLE compilation of isle-rules/ failed:\n{e}")),
    };
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("isle_x64.rs");
    if let Err(e) = std::fs::write(&out, code) {
        fail(&format!("cannot write {}: {e}", out.display()));
    }
}

/// `prelude.isle`, `ir.isle`, then `x64/*.isle` in name order.
fn isle_inputs(rules: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut x64: Vec<PathBuf> = std::fs::read_dir(rules.join("x64"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "isle"))
        .collect();
    x64.sort();
    let mut files = vec![rules.join("prelude.isle"), rules.join("ir.isle")];
    files.extend(x64);
    Ok(files)
}

/// cranelift-isle's `compile::from_files`, except for the overlap check:
/// the IR terms are extern extractors, which ISLE cannot see are mutually
/// exclusive (each matches one opcode), so it reports every pair of `lower`
/// rules on different IR ops as overlapping. Such pairs are accepted; an
/// overlap between two rules on the same IR op is still an error.
fn generate(files: &[PathBuf], options: &CodegenOptions) -> Result<String, String> {
    use cranelift_isle::error::Error;
    let files = Files::from_paths(files, &options.prefixes)
        .map_err(|(p, e)| format!("cannot read {}: {e}", p.display()))?;
    let files = Arc::new(files);
    let mut defs = Vec::new();
    for (file, src) in files.file_texts.iter().enumerate() {
        let lexer =
            cranelift_isle::lexer::Lexer::new(file, src).map_err(|e| describe(&files, &[e]))?;
        defs.extend(cranelift_isle::parser::parse(lexer).map_err(|e| describe(&files, &[e]))?);
    }
    let mut types = sema::TypeEnv::from_ast(&defs).map_err(|e| describe(&files, &e))?;
    let terms =
        sema::TermEnv::from_ast(&mut types, &defs, true).map_err(|e| describe(&files, &e))?;
    let rules = match cranelift_isle::overlap::check(&terms) {
        Ok(rules) => rules,
        Err(errors) => {
            let real: Vec<Error> = errors
                .into_iter()
                .filter(|e| !distinct_ir_ops(&files, e))
                .collect();
            if !real.is_empty() {
                return Err(describe(&files, &real));
            }
            let (rules, errors) = cranelift_isle::trie_again::build(&terms);
            if !errors.is_empty() {
                return Err(describe(&files, &errors));
            }
            rules
        }
    };
    cranelift_isle::recursion::check(&rules, &terms).map_err(|e| describe(&files, &e))?;
    let code = cranelift_isle::codegen::codegen(files, &types, &terms, &rules, options);
    // ir.isle's `return` term is a Rust keyword: use the raw identifier.
    Ok(code
        .replace("fn return(", "fn r#return(")
        .replace("::return(", "::r#return("))
}

/// Whether an overlap error only relates `lower` rules whose patterns
/// differ. The IR terms and the type/value matchers (`ity32`, `value_f64`,
/// ...) are extern extractors, which ISLE cannot see are mutually exclusive,
/// so it reports e.g. `(fcvt_to_uint (ity32 _) (value_f32 x))` and
/// `(fcvt_to_uint (ity64 _) (value_f64 x))` as overlapping. Accepting such a
/// pair is sound either way: every rule is proven, so whichever one matches
/// first emits correct code. Two rules with the same pattern text are a real
/// overlap and stay an error.
fn distinct_ir_ops(files: &Files, e: &cranelift_isle::error::Error) -> bool {
    let cranelift_isle::error::Error::OverlapError { rules, .. } = e else {
        return false;
    };
    let patterns: Option<Vec<String>> = rules
        .iter()
        .map(|span| {
            let text = files
                .file_texts
                .get(span.from.file)?
                .get(span.from.offset..)?;
            lower_pattern(&text[text.find("(lower")?..])
        })
        .collect();
    let Some(patterns) = patterns else {
        return false;
    };
    // The first rule overlaps each of the others.
    patterns[1..].iter().all(|p| *p != patterns[0])
}

/// The balanced `(lower ...)` form at the start of `text`, whitespace
/// collapsed and variable names kept (they do not change what matches, but
/// identical text is what marks a duplicate).
fn lower_pattern(text: &str) -> Option<String> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    let p = &text[..=i];
                    return Some(p.split_whitespace().collect::<Vec<_>>().join(" "));
                }
            }
            _ => {}
        }
    }
    None
}

/// `file:line:col: error` per error.
fn describe(files: &Files, errors: &[cranelift_isle::error::Error]) -> String {
    let mut out = String::new();
    for e in errors {
        let mut spans = Vec::new();
        match e {
            cranelift_isle::error::Error::OverlapError { rules, .. } => {
                spans.extend(rules.iter().map(|s| s.from))
            }
            cranelift_isle::error::Error::ShadowedError { shadowed, mask } => {
                spans.push(mask.from);
                spans.extend(shadowed.iter().map(|s| s.from));
            }
            _ => {}
        }
        let at: Vec<String> = spans
            .iter()
            .map(|p| {
                let name = files.file_names.get(p.file).map_or("?", |s| s.as_str());
                let text = files.file_texts.get(p.file).map_or("", |s| s.as_str());
                let line = text.get(..p.offset).map_or(0, |t| t.lines().count());
                format!("{name}:{line}")
            })
            .collect();
        out.push_str(&format!("{e:?} at {}\n", at.join(", ")));
    }
    out
}

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(1)
}
