//! Front end: reads ISLE files with cranelift-isle's own lexer, parser and
//! semantic analysis, and gathers the verification forms (`spec`, `model`,
//! `form`, `instantiate`, `state`, `attr`, spec macros) that sema ignores.
//!
//! Rules come from sema (names resolved, types checked, converters inserted,
//! spec-less extractor macros expanded); specs come from the AST, because sema
//! does not carry them.

use crate::Error;
use cranelift_isle::ast;
use cranelift_isle::files::Files;
use cranelift_isle::lexer::{Lexer, Pos};
use cranelift_isle::sema::{RuleId, TermEnv, TermId, TypeEnv};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// Everything the later stages need about the input program.
pub struct Program {
    pub files: Arc<Files>,
    pub tyenv: TypeEnv,
    pub termenv: TermEnv,
    /// Term name -> its spec.
    pub specs: HashMap<String, ast::Spec>,
    /// Spec macro name -> definition.
    pub macros: HashMap<String, ast::SpecMacro>,
    /// Type model: ISLE type name -> model type.
    pub type_models: HashMap<String, ast::ModelType>,
    /// Constant model: constant name (without `$`) -> value expression.
    pub const_models: HashMap<String, ast::SpecExpr>,
    /// Term name -> the signatures it is instantiated at (forms resolved):
    /// untagged `instantiate`s and tagged ones the run opted into.
    pub instantiations: BTreeMap<String, Vec<ast::Signature>>,
    /// Parallel to `instantiations`: the tags of the `instantiate` each
    /// signature came from (empty for untagged ones).
    pub instantiation_tags: BTreeMap<String, Vec<Vec<String>>>,
    /// Tagged `instantiate`s the run did not opt into: never checked, so the
    /// run must report them (see `run`), never count them as proven.
    pub skipped_instantiations: Vec<SkippedInstantiation>,
    /// Global state, in declaration order.
    pub states: Vec<ast::State>,
    /// Terms tagged `(veri chain)`.
    pub chain: HashSet<String>,
    /// Rules tagged `(veri priority)` (by rule name).
    pub priority_rules: HashSet<String>,
    /// Terms tagged `(veri priority)`: all of their rules count as priority rules.
    pub priority_terms: HashSet<String>,
    /// Problems worth reporting that do not stop the run.
    pub warnings: Vec<String>,
}

/// A tagged `instantiate` that was not selected (by default every tagged
/// one; see [`load_with_tags`]).
#[derive(Clone, Debug)]
pub struct SkippedInstantiation {
    pub term: String,
    pub tags: Vec<String>,
    pub signatures: Vec<ast::Signature>,
}

impl Program {
    /// `file:line:col` for a source position (1-based line and column).
    pub fn pos(&self, pos: Pos) -> String {
        pos_string(&self.files, pos)
    }

    pub fn term_name(&self, term: TermId) -> &str {
        self.termenv
            .terms
            .get(term.index())
            .and_then(|t| self.tyenv.syms.get(t.name.index()))
            .map(String::as_str)
            .unwrap_or("<unknown term>")
    }

    pub fn type_name(&self, ty: cranelift_isle::sema::TypeId) -> &str {
        self.tyenv
            .types
            .get(ty.index())
            .map(|t| t.name(&self.tyenv))
            .unwrap_or("<unknown type>")
    }

    pub fn sym(&self, sym: cranelift_isle::sema::Sym) -> &str {
        self.tyenv
            .syms
            .get(sym.index())
            .map(String::as_str)
            .unwrap_or("<unknown symbol>")
    }

    /// The rule's name, or `file:line` when it has none.
    pub fn rule_name(&self, rule: RuleId) -> String {
        match self.termenv.rules.get(rule.index()) {
            Some(r) => match r.name {
                Some(n) => self.sym(n).to_string(),
                None => {
                    let p = self.pos(r.pos);
                    // Drop the column: `file:line` is what people grep for.
                    match p.rsplit_once(':') {
                        Some((fl, _)) => fl.to_string(),
                        None => p,
                    }
                }
            },
            None => format!("rule#{}", rule.index()),
        }
    }

    pub fn is_priority_rule(&self, rule: RuleId) -> bool {
        let Some(r) = self.termenv.rules.get(rule.index()) else {
            return false;
        };
        if self.priority_terms.contains(self.term_name(r.root_term)) {
            return true;
        }
        r.name
            .is_some_and(|n| self.priority_rules.contains(self.sym(n)))
    }

    pub fn term_by_name(&self, name: &str) -> Option<TermId> {
        self.termenv
            .get_term_by_name(&self.tyenv, &ast::Ident(name.to_string(), Pos::default()))
    }
}

pub fn pos_string(files: &Files, pos: Pos) -> String {
    let name = files.file_name(pos.file).unwrap_or("<unknown>");
    let Some(map) = files.file_line_map(pos.file) else {
        return format!("{name}:?");
    };
    let line0 = map.line(pos.offset);
    let start = match line0.checked_sub(1) {
        Some(prev) => map.get(prev).copied().unwrap_or(0),
        None => 0,
    };
    let col = pos.offset.saturating_sub(start) + 1;
    format!("{name}:{}:{col}", line0 + 1)
}

/// Read, parse and check the given files (tagged instantiations skipped).
pub fn load(paths: &[PathBuf]) -> Result<Program, Error> {
    load_with_tags(paths, &[])
}

/// Like [`load`], also using every `instantiate` tagged with one of
/// `include_tags` (e.g. `slow`); other tagged ones are recorded in
/// [`Program::skipped_instantiations`].
pub fn load_with_tags(paths: &[PathBuf], include_tags: &[String]) -> Result<Program, Error> {
    let mut named = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(p).map_err(|e| Error::Io {
            path: p.clone(),
            message: e.to_string(),
        })?;
        named.push((p.display().to_string(), text));
    }
    load_sources_with_tags(named, include_tags)
}

/// Like [`load`], from in-memory (name, text) pairs (used by tests).
pub fn load_sources(named: Vec<(String, String)>) -> Result<Program, Error> {
    load_sources_with_tags(named, &[])
}

/// Like [`load_with_tags`], from in-memory (name, text) pairs.
pub fn load_sources_with_tags(
    named: Vec<(String, String)>,
    include_tags: &[String],
) -> Result<Program, Error> {
    let include = include_tags.to_vec();
    // cranelift-isle is not ours: should it panic on some input, report
    // that as an error in the input rather than abort the run.
    std::panic::catch_unwind(move || load_sources_inner(named, &include)).unwrap_or_else(|_| {
        Err(Error::Isle(
            "cranelift-isle failed (panicked) while reading the input".to_string(),
        ))
    })
}

fn load_sources_inner(
    named: Vec<(String, String)>,
    include_tags: &[String],
) -> Result<Program, Error> {
    let files = Arc::new(Files::from_names_and_contents(named));
    let mut defs = Vec::new();
    for (file, src) in files.file_texts.iter().enumerate() {
        let isle_err = |e: cranelift_isle::error::Error| {
            Error::Isle(cranelift_isle::error::Errors::new(vec![e], files.clone()).to_string())
        };
        let lexer = Lexer::new(file, src).map_err(isle_err)?;
        let mut ds = cranelift_isle::parser::parse(lexer).map_err(isle_err)?;
        defs.append(&mut ds);
    }
    build(files, defs, include_tags)
}

fn spec_error(files: &Files, pos: Pos, msg: impl std::fmt::Display) -> Error {
    Error::Spec(format!("{}: {msg}", pos_string(files, pos)))
}

fn build(
    files: Arc<Files>,
    mut defs: Vec<ast::Def>,
    include_tags: &[String],
) -> Result<Program, Error> {
    let mut specs: HashMap<String, ast::Spec> = HashMap::new();
    let mut macros = HashMap::new();
    let mut type_models = HashMap::new();
    let mut const_models = HashMap::new();
    let mut forms: HashMap<String, Vec<ast::Signature>> = HashMap::new();
    let mut raw_insts = Vec::new();
    let mut states = Vec::new();
    let mut chain = HashSet::new();
    let mut priority_rules = HashSet::new();
    let mut priority_terms = HashSet::new();

    for def in &defs {
        match def {
            ast::Def::Spec(s) => {
                if specs.contains_key(&s.term.0) {
                    return Err(spec_error(
                        &files,
                        s.pos,
                        format!("duplicate spec for term `{}`", s.term.0),
                    ));
                }
                specs.insert(s.term.0.clone(), s.clone());
            }
            ast::Def::SpecMacro(m) => {
                macros.insert(m.name.0.clone(), m.clone());
            }
            ast::Def::Model(m) => match &m.val {
                ast::ModelValue::TypeValue(t) => {
                    type_models.insert(m.name.0.clone(), t.clone());
                }
                ast::ModelValue::ConstValue(e) => {
                    const_models.insert(m.name.0.clone(), e.clone());
                }
            },
            ast::Def::Form(f) => {
                forms.insert(f.name.0.clone(), f.signatures.clone());
            }
            ast::Def::Instantiation(i) => raw_insts.push(i.clone()),
            ast::Def::State(s) => states.push(s.clone()),
            ast::Def::Attr(a) => {
                for kind in &a.kinds {
                    match (&a.target, kind) {
                        (ast::AttrTarget::Term(t), ast::AttrKind::Chain) => {
                            chain.insert(t.0.clone());
                        }
                        (ast::AttrTarget::Term(t), ast::AttrKind::Priority) => {
                            priority_terms.insert(t.0.clone());
                        }
                        (ast::AttrTarget::Rule(r), ast::AttrKind::Priority) => {
                            priority_rules.insert(r.0.clone());
                        }
                        // Chaining is a property of terms; tags only select.
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    // Resolve instantiations: either explicit signatures or a named form.
    // Tagged instantiations (e.g. `(tag slow)`) are opt-in extras, skipped
    // unless a tag is selected so default runs stay fast; a skipped one is
    // kept aside so the run reports it rather than silently proving less.
    let mut instantiations: BTreeMap<String, Vec<ast::Signature>> = BTreeMap::new();
    let mut instantiation_tags: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    let mut skipped_instantiations = Vec::new();
    for inst in raw_insts {
        let tags: Vec<String> = inst.tags.iter().map(|t| t.0.clone()).collect();
        let selected = tags.is_empty() || tags.iter().any(|t| include_tags.contains(t));
        let mut sigs = inst.signatures.clone();
        if let Some(form) = &inst.form {
            match forms.get(&form.0) {
                Some(f) => sigs.extend(f.iter().cloned()),
                None => {
                    return Err(spec_error(
                        &files,
                        inst.pos,
                        format!("instantiate `{}`: unknown form `{}`", inst.term.0, form.0),
                    ));
                }
            }
        }
        if !selected {
            skipped_instantiations.push(SkippedInstantiation {
                term: inst.term.0.clone(),
                tags,
                signatures: sigs,
            });
            continue;
        }
        instantiation_tags
            .entry(inst.term.0.clone())
            .or_default()
            .extend(sigs.iter().map(|_| tags.clone()));
        instantiations
            .entry(inst.term.0.clone())
            .or_default()
            .extend(sigs);
    }

    // An extractor macro whose term has a spec must stay a term application
    // (its spec describes it); only spec-less ones are expanded by sema. Turn
    // the specified ones into opaque external extractors before sema runs.
    for def in defs.iter_mut() {
        if let ast::Def::Extractor(ex) = def
            && specs.contains_key(&ex.term.0)
        {
            *def = ast::Def::Extern(ast::Extern::Extractor {
                term: ex.term.clone(),
                func: ast::Ident(format!("__veri_{}", ex.term.0), ex.pos),
                pos: ex.pos,
                infallible: false,
            });
        }
    }

    let isle_errs = |errs: Vec<cranelift_isle::error::Error>| {
        Error::Isle(cranelift_isle::error::Errors::new(errs, files.clone()).to_string())
    };
    let mut tyenv = TypeEnv::from_ast(&defs).map_err(isle_errs)?;
    let termenv = TermEnv::from_ast(&mut tyenv, &defs, true).map_err(isle_errs)?;

    let prog = Program {
        files,
        tyenv,
        termenv,
        specs,
        macros,
        type_models,
        const_models,
        instantiations,
        instantiation_tags,
        skipped_instantiations,
        states,
        chain,
        priority_rules,
        priority_terms,
        warnings: Vec::new(),
    };
    let mut prog = prog;

    // Specs and instantiations must name declared terms, and spec argument
    // counts must match the declaration: catching this here gives a located
    // error instead of a confusing one per rule later.
    for (name, spec) in &prog.specs {
        let Some(tid) = prog.term_by_name(name) else {
            return Err(spec_error(
                &prog.files,
                spec.pos,
                format!("spec for undeclared term `{name}`"),
            ));
        };
        let arity = prog.termenv.terms[tid.index()].arg_tys.len();
        if arity != spec.args.len() {
            return Err(spec_error(
                &prog.files,
                spec.pos,
                format!(
                    "spec for `{name}` names {} arguments but the term takes {arity}",
                    spec.args.len()
                ),
            ));
        }
    }
    // `match` says when a partial term matches; on a term that can never
    // fail it is almost certainly a `provide` or `require` in disguise.
    let mut warnings = Vec::new();
    for (name, spec) in &prog.specs {
        if spec.matches.is_empty() {
            continue;
        }
        let Some(tid) = prog.term_by_name(name) else {
            continue;
        };
        if let cranelift_isle::sema::TermKind::Decl {
            flags,
            constructor_kind,
            extractor_kind,
        } = &prog.termenv.terms[tid.index()].kind
        {
            let fallible_extractor = matches!(
                extractor_kind,
                Some(cranelift_isle::sema::ExtractorKind::ExternalExtractor {
                    infallible: false,
                    ..
                })
            );
            if !flags.partial && !fallible_extractor && constructor_kind.is_some() {
                warnings.push(format!(
                    "{}: spec of `{name}` has a `match` clause but `{name}` is not partial",
                    prog.pos(spec.pos)
                ));
            }
        }
    }
    warnings.sort();
    prog.warnings = warnings;
    for (name, sigs) in &prog.instantiations {
        let Some(tid) = prog.term_by_name(name) else {
            let pos = sigs.first().map(|s| s.pos).unwrap_or_default();
            return Err(spec_error(
                &prog.files,
                pos,
                format!("instantiate for undeclared term `{name}`"),
            ));
        };
        let arity = prog.termenv.terms[tid.index()].arg_tys.len();
        for sig in sigs {
            if sig.args.len() != arity {
                return Err(spec_error(
                    &prog.files,
                    sig.pos,
                    format!(
                        "instantiation of `{name}` has {} argument types but the term takes {arity}",
                        sig.args.len()
                    ),
                ));
            }
        }
    }
    Ok(prog)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_file_line_column() {
        let files =
            Files::from_names_and_contents([("a.isle".to_string(), "ab\ncd\n".to_string())]);
        assert_eq!(pos_string(&files, Pos::new(0, 0)), "a.isle:1:1");
        assert_eq!(pos_string(&files, Pos::new(0, 4)), "a.isle:2:2");
    }

    #[test]
    fn instantiate_with_unknown_form_is_located() {
        let src = "(type u8x (primitive u8x))\n(decl f (u8) u8)\n(extern constructor f f)\n(instantiate f nosuchform)\n";
        let Err(Error::Spec(msg)) = load_sources(vec![("t.isle".into(), src.into())]) else {
            panic!("accepted");
        };
        assert!(
            msg.starts_with("t.isle:4:") && msg.contains("nosuchform"),
            "{msg}"
        );
    }

    #[test]
    fn lexer_errors_are_isle_errors() {
        let r = load_sources(vec![("t.isle".into(), "(decl f (u8) u8".into())]);
        assert!(matches!(r, Err(Error::Isle(_))));
    }
}
