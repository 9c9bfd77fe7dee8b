//! Fingerprints of what a proof depends on, for the proof certificate
//! (`verified.lock`, see [`crate::lock`]).
//!
//! A fingerprint names one (root, rule, instantiation) the verifier checks.
//! It is the SHA-256 of a canonical rendering of every top-level ISLE form
//! the proof depends on: the rule itself, the rules of chained helpers it
//! may inline, higher-priority `priority` rules it assumes did not match,
//! and, transitively, every decl, spec, model, form, instantiate, state,
//! spec macro, extractor, extern, converter, attr and type those mention.
//!
//! * Canonical = the token stream of cranelift-isle's own lexer, one space
//!   between tokens: whitespace, comments and number spelling (`0x10` vs
//!   `16`) do not matter, and neither does where a form sits in which file.
//! * Dependencies are found by name, over-approximately: a form is included
//!   when any symbol of an included form names what it is about. Including
//!   too much only makes a fingerprint change more often; including too
//!   little would let an edit slip past the build gate.
//! * Other rules are never included by name, only through chaining and
//!   priority, so editing an unrelated rule leaves a fingerprint alone.
//!
//! Everything here works from the ISLE files alone, without a solver, so
//! codegen's build script can call [`fingerprints`].

use crate::expand::Signature;
use crate::frontend::{self, Program};
use crate::run;
use crate::{Error, Options};
use cranelift_isle::lexer::{Lexer, Token};
use cranelift_isle::sema::RuleId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

/// Version of the canonical rendering and of what a fingerprint covers.
/// Bump it when this module changes what goes into the hash.
pub const FORMAT_VERSION: u32 = 1;

/// Version of the verifier's SMT encoding. Bump it whenever a change to
/// `expand`, `infer`, `encode` or `solver` could change a verdict: every
/// fingerprint changes with it, so CI re-proves and re-locks every rule.
pub const ENCODING_VERSION: u32 = 2;

/// The fingerprint of one (root, rule, instantiation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FingerprintEntry {
    pub root: String,
    /// The rule's name (or `file:line` for an unnamed rule, as in reports).
    pub rule: String,
    /// The root's signature as reports print it, e.g. `(bv 32) -> bv 32`.
    pub instantiation: String,
    /// `sha256:` followed by 64 lowercase hex digits.
    pub fingerprint: String,
    /// Tags of the `instantiate` the signature comes from (empty: untagged).
    pub tags: Vec<String>,
    /// The rule has a name. An unnamed rule's label depends on the path it
    /// was read from and on its line, so it cannot be locked.
    pub named: bool,
}

/// Fingerprints of every (root, rule, instantiation) a run with `opts` on
/// `paths` checks or reports as skipped (tagged instantiations included),
/// sorted by (root, rule, instantiation). Only `opts.roots`, `opts.rules`
/// and `opts.include_tags` matter; no solver is needed.
pub fn fingerprints(paths: &[PathBuf], opts: &Options) -> Result<Vec<FingerprintEntry>, Error> {
    let prog = frontend::load_with_tags(paths, &crate::selected_tags(opts))?;
    program_fingerprints(&prog, opts)
}

/// [`fingerprints`] of an already loaded program.
pub fn program_fingerprints(
    prog: &Program,
    opts: &Options,
) -> Result<Vec<FingerprintEntry>, Error> {
    let sources = Sources::new(prog)?;
    let roots = run::select_roots(prog, opts)?;
    let mut out: Vec<FingerprintEntry> = Vec::new();
    for root in &roots {
        let Some(tid) = prog.term_by_name(root) else {
            continue;
        };
        let mut sigs: Vec<(String, Vec<String>)> = run::root_signatures(prog, root)
            .into_iter()
            .map(|(sig, tags)| (describe(sig.as_ref()), tags))
            .collect();
        for sk in prog
            .skipped_instantiations
            .iter()
            .filter(|s| &s.term == root)
        {
            for sig in &sk.signatures {
                sigs.push((run::describe_signature(sig), sk.tags.clone()));
            }
        }
        for rule in prog.termenv.rules.iter().filter(|r| r.root_term == tid) {
            let label = prog.rule_name(rule.id);
            if !opts.rules.is_empty()
                && run::rule_filter_hits(prog, rule, &label, &opts.rules).is_empty()
            {
                continue;
            }
            let deps = sources.closure(prog, rule.id)?;
            for (inst, tags) in &sigs {
                out.push(FingerprintEntry {
                    root: root.clone(),
                    rule: label.clone(),
                    instantiation: inst.clone(),
                    fingerprint: deps.hash(root, inst),
                    tags: tags.clone(),
                    named: rule.name.is_some(),
                });
            }
        }
    }
    out.sort_by(|a, b| key(a).cmp(&key(b)));
    // The same signature listed twice (or untagged and tagged) is one
    // entry; the first (untagged sorts first) wins.
    out.dedup_by(|b, a| key(a) == key(b));
    Ok(out)
}

fn key(e: &FingerprintEntry) -> (&str, &str, &str) {
    (&e.root, &e.rule, &e.instantiation)
}

fn describe(sig: Option<&Signature>) -> String {
    sig.map(run::describe_signature)
        .unwrap_or_else(|| "(inferred)".to_string())
}

/// One top-level form of the program, canonicalized.
struct Form {
    file: usize,
    /// Byte offsets of its opening and closing parentheses.
    start: usize,
    end: usize,
    /// Canonical text: its tokens separated by single spaces.
    text: String,
    /// Every symbol it mentions, with `$` and a macro's `!` stripped and dotted names
    /// (`Enum.Variant`) also split into their parts.
    refs: Vec<String>,
}

/// All top-level forms, indexed by what each is about.
pub(crate) struct Sources {
    forms: Vec<Form>,
    /// Symbol -> forms about it (decl, spec, model, ...). Rules are not in
    /// here: they are reached through chaining and priority only.
    by_key: HashMap<String, Vec<usize>>,
    /// Forms every proof depends on (`state`: each query declares all of
    /// them; unknown forms: to be safe).
    global: Vec<usize>,
}

/// The forms one rule's proofs depend on.
pub(crate) struct Closure<'s> {
    sources: &'s Sources,
    rule_form: usize,
    forms: BTreeSet<usize>,
    /// Every symbol reached (used to find skipped callee instantiations).
    pub symbols: HashSet<String>,
}

impl Sources {
    pub(crate) fn new(prog: &Program) -> Result<Sources, Error> {
        let mut forms = Vec::new();
        for (file, src) in prog.files.file_texts.iter().enumerate() {
            split_forms(file, src, &mut forms)
                .map_err(|e| Error::Isle(format!("{}: {e}", file_name(prog, file))))?;
        }
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        let mut global = Vec::new();
        for (i, f) in forms.iter().enumerate() {
            match form_keys(&f.text) {
                Keys::About(keys) => {
                    for k in keys {
                        by_key.entry(k).or_default().push(i);
                    }
                }
                Keys::Rule => {}
                Keys::Global => global.push(i),
            }
        }
        Ok(Sources {
            forms,
            by_key,
            global,
        })
    }

    /// The form a sema rule was parsed from.
    fn rule_form(&self, prog: &Program, rule: RuleId) -> Result<usize, Error> {
        let pos = prog
            .termenv
            .rules
            .get(rule.index())
            .map(|r| r.pos)
            .ok_or_else(|| Error::Spec(format!("unknown rule #{}", rule.index())))?;
        self.forms
            .iter()
            .position(|f| f.file == pos.file && f.start <= pos.offset && pos.offset <= f.end)
            .ok_or_else(|| {
                Error::Spec(format!(
                    "{}: cannot find the source of rule `{}`",
                    prog.pos(pos),
                    prog.rule_name(rule)
                ))
            })
    }

    /// Everything the proofs of `rule` depend on.
    pub(crate) fn closure(&self, prog: &Program, rule: RuleId) -> Result<Closure<'_>, Error> {
        let rule_form = self.rule_form(prog, rule)?;
        let mut c = Closure {
            sources: self,
            rule_form,
            forms: BTreeSet::new(),
            symbols: HashSet::new(),
        };
        let mut queue: Vec<String> = Vec::new();
        let mut rules_done: HashSet<usize> = HashSet::new();
        let mut pending_rules = vec![rule];
        for &g in &self.global {
            c.include(g, &mut queue);
        }
        loop {
            while let Some(r) = pending_rules.pop() {
                if !rules_done.insert(r.index()) {
                    continue;
                }
                let f = self.rule_form(prog, r)?;
                c.include(f, &mut queue);
                // Attributes on the rule (e.g. `(attr rule NAME (veri priority))`).
                if let Some(n) = prog.termenv.rules.get(r.index()).and_then(|x| x.name) {
                    queue.push(format!("rule {}", prog.sym(n)));
                }
                // Higher-priority `priority` rules are assumed not to match
                // (see `expand::negate_higher_priority`).
                if let Some(me) = prog.termenv.rules.get(r.index()) {
                    for h in prog.termenv.rules.iter().filter(|h| {
                        h.root_term == me.root_term
                            && h.prio > me.prio
                            && prog.is_priority_rule(h.id)
                    }) {
                        pending_rules.push(h.id);
                    }
                }
            }
            let Some(sym) = queue.pop() else {
                break;
            };
            if !c.symbols.insert(sym.clone()) {
                continue;
            }
            if let Some(ids) = self.by_key.get(&sym) {
                for &i in ids {
                    c.include(i, &mut queue);
                }
            }
            // A chained term's rules are inlined into the expansion.
            if prog.chain.contains(&sym)
                && let Some(tid) = prog.term_by_name(&sym)
            {
                for r in prog.termenv.rules.iter().filter(|r| r.root_term == tid) {
                    pending_rules.push(r.id);
                }
            }
        }
        Ok(c)
    }
}

impl Closure<'_> {
    fn include(&mut self, form: usize, queue: &mut Vec<String>) {
        if self.forms.insert(form)
            && let Some(f) = self.sources.forms.get(form)
        {
            queue.extend(f.refs.iter().cloned());
        }
    }

    /// `sha256:<hex>` over the versions, the entry's identity, the rule and
    /// its dependencies (sorted and deduplicated, so moving a form or
    /// repeating it does not matter).
    fn hash(&self, root: &str, instantiation: &str) -> String {
        let forms = &self.sources.forms;
        let rule_text = forms.get(self.rule_form).map_or("", |f| f.text.as_str());
        let deps: BTreeSet<&str> = self
            .forms
            .iter()
            .filter(|&&i| i != self.rule_form)
            .filter_map(|&i| forms.get(i).map(|f| f.text.as_str()))
            .collect();
        let mut h = Sha256::new();
        h.update(format!(
            "wasmproof verified.lock format {FORMAT_VERSION}\nencoding {ENCODING_VERSION}\n"
        ));
        h.update(format!("root {root}\ninstantiation {instantiation}\n"));
        h.update(format!("rule {rule_text}\n"));
        for d in deps {
            h.update(format!("dep {d}\n"));
        }
        let digest = h.finalize();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }
}

fn file_name(prog: &Program, file: usize) -> String {
    prog.files
        .file_name(file)
        .unwrap_or("<unknown>")
        .to_string()
}

/// Split a file into its top-level forms.
fn split_forms(file: usize, src: &str, out: &mut Vec<Form>) -> Result<(), String> {
    let mut lexer = Lexer::new(file, src).map_err(|e| format!("{e:?}"))?;
    let mut depth = 0usize;
    let mut current: Option<(usize, Vec<String>)> = None;
    while let Some((pos, tok)) = lexer.next().map_err(|e| format!("{e:?}"))? {
        let text = match tok {
            Token::LParen => "(".to_string(),
            Token::RParen => ")".to_string(),
            Token::Symbol(s) => s,
            Token::Int(i) => i.to_string(),
            Token::At => "@".to_string(),
        };
        if text == "(" {
            if depth == 0 {
                current = Some((pos.offset, Vec::new()));
            }
            depth += 1;
        }
        if let Some((_, toks)) = current.as_mut() {
            toks.push(text.clone());
        }
        if text == ")" {
            depth = depth
                .checked_sub(1)
                .ok_or_else(|| format!("unbalanced `)` at byte {}", pos.offset))?;
            if depth == 0
                && let Some((start, toks)) = current.take()
            {
                out.push(Form {
                    file,
                    start,
                    end: pos.offset,
                    refs: refs_of(&toks),
                    text: toks.join(" "),
                });
            }
        }
    }
    if depth != 0 {
        return Err("unbalanced `(` at end of file".to_string());
    }
    Ok(())
}

fn refs_of(toks: &[String]) -> Vec<String> {
    let mut out = BTreeSet::new();
    for t in toks {
        if t == "(" || t == ")" || t == "@" {
            continue;
        }
        // `$K` is constant `K`; `m!` expands spec macro `m`.
        let t = t.trim_start_matches('$').trim_end_matches('!');
        out.insert(t.to_string());
        if t.contains('.') {
            for part in t.split('.') {
                out.insert(part.to_string());
            }
        }
    }
    out.into_iter().collect()
}

/// What a top-level form is about.
enum Keys {
    About(Vec<String>),
    Rule,
    Global,
}

/// Keys from a form's canonical text (`( head name ... )`).
fn form_keys(text: &str) -> Keys {
    let toks: Vec<&str> = text.split(' ').collect();
    let at = |i: usize| toks.get(i).copied().unwrap_or("");
    let name = |i: usize| {
        // `(spec (name args...) ...)`: the name follows the parenthesis.
        if at(i) == "(" { at(i + 1) } else { at(i) }
    };
    let one = |s: &str| Keys::About(vec![s.trim_start_matches('$').to_string()]);
    match at(1) {
        "rule" => Keys::Rule,
        "type" | "model" | "form" | "instantiate" => one(at(2)),
        "spec" | "macro" | "extractor" => one(name(2)),
        "decl" => {
            let mut i = 2;
            while matches!(at(i), "pure" | "multi" | "partial") {
                i += 1;
            }
            one(at(i))
        }
        "extern" => {
            let mut i = 3;
            if at(i) == "infallible" {
                i += 1;
            }
            one(at(i))
        }
        // `(convert From To term)`: matters wherever either type does.
        "convert" => Keys::About(vec![at(2).to_string(), at(3).to_string()]),
        "attr" if at(2) == "rule" => Keys::About(vec![format!("rule {}", at(3))]),
        "attr" => one(at(2)),
        // `state`: every query declares every state; anything else we do
        // not know: assume everything depends on it.
        _ => Keys::Global,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_canonical_tokens() {
        let mut forms = Vec::new();
        let src = "; c\n(decl  f (u8)\n  u8) ;; x\n(spec (f x) (provide (= result #x0010)))";
        assert!(split_forms(0, src, &mut forms).is_ok());
        assert_eq!(forms.len(), 2);
        assert_eq!(forms[0].text, "( decl f ( u8 ) u8 )");
        assert_eq!(
            forms[1].text,
            "( spec ( f x ) ( provide ( = result #x0010 ) ) )"
        );
        assert!(matches!(form_keys(&forms[1].text), Keys::About(k) if k == ["f"]));
    }

    #[test]
    fn unbalanced_input_is_an_error() {
        let mut forms = Vec::new();
        assert!(split_forms(0, "(decl f", &mut forms).is_err());
        assert!(split_forms(0, ")", &mut forms).is_err());
    }

    #[test]
    fn keys_of_each_form() {
        let about = |t: &str| match form_keys(t) {
            Keys::About(k) => k,
            _ => vec![],
        };
        assert_eq!(about("( decl pure partial f ( u8 ) u8 )"), ["f"]);
        assert_eq!(about("( extern extractor infallible g g )"), ["g"]);
        assert_eq!(about("( extern const $K u8 )"), ["K"]);
        assert_eq!(about("( convert Inst Value def_inst )"), ["Inst", "Value"]);
        assert_eq!(about("( attr rule r1 ( veri priority ) )"), ["rule r1"]);
        assert!(matches!(
            form_keys("( state s ( type Bool ) )"),
            Keys::Global
        ));
        assert!(matches!(form_keys("( rule r ( lower x ) x )"), Keys::Rule));
    }
}
