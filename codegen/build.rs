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
/// the IR terms and type extractors are extern extractors, which ISLE cannot
/// see are mutually exclusive (each matches one opcode or type), so it
/// reports every pair of `lower` rules on different IR ops, or on one op at
/// different types, as overlapping. Such pairs are accepted
/// (`distinct_ir_ops`); any other overlap is still an error.
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
    let code = code
        .replace("fn return(", "fn r#return(")
        .replace("::return(", "::r#return(");
    Ok(negative_literals(&code))
}

/// cranelift-isle writes a negative constant of a primitive type (`-1` as an
/// `Imm32`) as its 128-bit two's complement in hex, which overflows the Rust
/// type: write it as the i128 cast to the (inferred) type, i.e. truncated.
fn negative_literals(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("0x") {
        out.push_str(&rest[..at]);
        let digits: String = rest[at + 2..]
            .chars()
            .take_while(|c| c.is_ascii_hexdigit())
            .collect();
        let negative =
            digits.len() == 32 && u128::from_str_radix(&digits, 16).is_ok_and(|v| v >> 127 == 1);
        if negative {
            let v = u128::from_str_radix(&digits, 16).unwrap_or(0) as i128;
            out.push_str(&format!("(({v}_i128) as _)"));
        } else {
            out.push_str("0x");
            out.push_str(&digits);
        }
        rest = &rest[at + 2 + digits.len()..];
    }
    out.push_str(rest);
    out
}

/// Whether an overlap error only relates `lower` rules that cannot both
/// match: on different IR ops, or on the same op with a type extractor
/// (`fty32`, `ity64`, `value_f32`, ...) at one position whose type sets are
/// disjoint. The first rule of the error overlaps each of the others.
fn distinct_ir_ops(files: &Files, e: &cranelift_isle::error::Error) -> bool {
    let cranelift_isle::error::Error::OverlapError { rules, .. } = e else {
        return false;
    };
    let pats: Option<Vec<Sexp>> = rules
        .iter()
        .map(|span| {
            let text = files.file_texts.get(span.from.file)?;
            lower_pattern(text.get(span.from.offset..)?)
        })
        .collect();
    let Some(pats) = pats else { return false };
    let head = |p: &Sexp| match p {
        Sexp::List(l) => match l.first() {
            Some(Sexp::Atom(a)) => Some(a.clone()),
            _ => None,
        },
        Sexp::Atom(_) => None,
    };
    pats[1..]
        .iter()
        .all(|p| head(p) != head(&pats[0]) || exclusive(&pats[0], p))
}

/// An s-expression of a rule's text: an atom or a list.
#[derive(Debug)]
enum Sexp {
    Atom(String),
    List(Vec<Sexp>),
}

fn parse_sexp(text: &mut std::iter::Peekable<std::str::Chars>) -> Option<Sexp> {
    while text.peek().is_some_and(|c| c.is_whitespace()) {
        text.next();
    }
    if *text.peek()? == '(' {
        text.next();
        let mut items = Vec::new();
        loop {
            while text.peek().is_some_and(|c| c.is_whitespace()) {
                text.next();
            }
            if *text.peek()? == ')' {
                text.next();
                return Some(Sexp::List(items));
            }
            items.push(parse_sexp(text)?);
        }
    }
    let mut atom = String::new();
    while let Some(&c) = text.peek() {
        if c.is_whitespace() || c == '(' || c == ')' {
            break;
        }
        atom.push(c);
        text.next();
    }
    (!atom.is_empty()).then_some(Sexp::Atom(atom))
}

/// The IR pattern `(op ...)` of the rule whose name starts `rule`:
/// the `(lower (op ...))` after it.
fn lower_pattern(rule: &str) -> Option<Sexp> {
    let at = rule.find("(lower")?;
    let Sexp::List(mut l) = parse_sexp(&mut rule[at..].chars().peekable())? else {
        return None;
    };
    (l.len() == 2).then(|| l.remove(1))
}

/// The IR types (bit set: I32, I64, F32, F64) a pattern position can have:
/// the Rust extractors of `isle-rules` match exactly these.
fn type_set(p: &Sexp) -> u8 {
    const I32: u8 = 1;
    const I64: u8 = 2;
    const F32: u8 = 4;
    const F64: u8 = 8;
    let Sexp::List(l) = p else { return 0xf };
    match l.first() {
        Some(Sexp::Atom(a)) => match a.as_str() {
            "ity32" | "ty_is_32" | "value_i32" => I32,
            "ity64" | "ty_is_64" | "value_i64" => I64,
            "int_ty" => I32 | I64,
            "fty32" | "value_f32" => F32,
            "fty64" | "value_f64" => F64,
            "fty" => F32 | F64,
            _ => 0xf,
        },
        _ => 0xf,
    }
}

/// Whether two patterns cannot match the same instruction.
fn exclusive(a: &Sexp, b: &Sexp) -> bool {
    let (Sexp::List(x), Sexp::List(y)) = (a, b) else {
        return false;
    };
    match (x.first(), y.first()) {
        (Some(Sexp::Atom(f)), Some(Sexp::Atom(g))) if f != g => {
            return type_set(a) & type_set(b) == 0;
        }
        _ => {}
    }
    if x.len() != y.len() {
        return false;
    }
    let types = |l: &[Sexp]| -> Vec<u8> {
        let mut t: Vec<u8> = l.iter().map(type_set).collect();
        // A bitcast's result class is the other one of its operand's.
        if matches!(l.first(), Some(Sexp::Atom(op)) if op == "bitcast") && l.len() == 3 {
            let swap = ((t[2] & 3) << 2) | ((t[2] >> 2) & 3);
            t[1] &= swap;
        }
        t
    };
    let (tx, ty) = (types(x), types(y));
    (1..x.len()).any(|i| tx[i] & ty[i] == 0 || exclusive(&x[i], &y[i]))
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
