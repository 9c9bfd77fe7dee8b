//! The build gate: codegen's build script refuses to compile any rule that
//! `verified.lock` does not hold as proven with its current fingerprint.
//!
//! Solver-free and fast: it parses the ISLE program, fingerprints every
//! (root, rule, instantiation) ([`crate::fingerprint`]) and compares them
//! with the lock. It trusts the lock's `proven` claims; CI's
//! `wasmproof-verify --check` re-proves every line, so a hand-edited lock
//! passes here but not there.
//!
//! Every rule of the program is gated, not only those under a root:
//! a rule of a `(veri chain)` helper counts when some root rule inlines it
//! (its proofs cover the helper), any other rule is never proven by
//! anything and is refused.

mod build_script;
#[cfg(test)]
mod tests;

pub use build_script::{FEATURE_ENV, UNVERIFIED_CFG, build_script, directives};

use crate::fingerprint::{Sources, program_fingerprints};
use crate::frontend::{self, Program};
use crate::lock::{Lock, LockDiffKind, check_lock};
use crate::{Error, Options};
use cranelift_isle::lexer::Pos;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The lock's file name inside the rules directory.
pub const LOCK_FILE: &str = "verified.lock";

/// What the gate found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateReport {
    /// Rules in the program (every `(rule ...)` form).
    pub rules: usize,
    /// (root, rule, instantiation) fingerprints compared with the lock.
    pub fingerprints: usize,
    /// Everything the lock does not hold as proven, in source order.
    pub problems: Vec<Problem>,
    /// Lock entries naming no (root, rule, instantiation) of the program (a
    /// removed or renamed rule): harmless to the build, which warns; CI's
    /// `--check` fails on them.
    pub stale: Vec<String>,
    pub elapsed: Duration,
}

impl GateReport {
    /// The names of the rules with a problem, each once, in source order.
    pub fn unproven_rules(&self) -> Vec<&str> {
        let mut seen = HashSet::new();
        self.problems
            .iter()
            .map(|p| p.rule.as_str())
            .filter(|r| seen.insert(*r))
            .collect()
    }

    /// Every rule is held as proven.
    pub fn all_proven(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One rule (at one instantiation, for a root rule) the lock does not hold
/// as proven.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// `file:line` of the rule.
    pub location: String,
    /// The rule's name, or `file:line` for an unnamed rule.
    pub rule: String,
    /// The root and instantiation, for a rule proven as a root.
    pub root: Option<(String, String)>,
    pub kind: ProblemKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The lock has no line for it.
    NotInLock { named: bool },
    /// The rule, or something its proof depends on, changed since it was
    /// proven.
    FingerprintMismatch { lock: String, now: String },
    /// Nothing proves this rule (the reason says why).
    NotProven(String),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: rule `{}`", self.location, self.rule)?;
        if let Some((root, inst)) = &self.root {
            write!(f, " ({root} at {inst})")?;
        }
        match &self.kind {
            ProblemKind::NotInLock { named: true } => {
                write!(f, ": not in the lock (prove it, then --write-lock)")
            }
            ProblemKind::NotInLock { named: false } => write!(
                f,
                ": not in the lock: it has no name, and a lock lists rules by name (`(rule NAME ...)`)"
            ),
            ProblemKind::FingerprintMismatch { lock, now } => write!(
                f,
                ": fingerprint mismatch: the rule or something it depends on changed since it was proven (lock {lock}, now {now})"
            ),
            ProblemKind::NotProven(why) => write!(f, ": not proven: {why}"),
        }
    }
}

/// The ISLE program of one ISA: `ROOT/*.isle` (the shared files) then
/// `ROOT/ISA/*.isle`, each group sorted by name; the files `.ci/run` proves
/// (`isle-rules/*.isle isle-rules/x64/*.isle`). One ISA at a time: each
/// declares its own `lower` root.
pub fn isle_sources(root: &Path, isa: &str) -> Result<Vec<PathBuf>, Error> {
    let list = |dir: &Path| -> Result<Vec<PathBuf>, Error> {
        let io = |e: std::io::Error| Error::Io {
            path: dir.to_path_buf(),
            message: e.to_string(),
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.is_file() && path.extension().is_some_and(|x| x == "isle") {
                files.push(path);
            }
        }
        files.sort();
        Ok(files)
    };
    let mut out = list(root)?;
    let isa_files = list(&root.join(isa))?;
    if isa_files.is_empty() {
        return Err(Error::Usage(format!(
            "no .isle files in {}",
            root.join(isa).display()
        )));
    }
    out.extend(isa_files);
    Ok(out)
}

/// Check `sources` (one ISLE program) against `root/verified.lock`.
///
/// `Err` when the gate cannot decide: an unreadable source, ISLE that does
/// not load, a missing or malformed lock. `Ok` with problems when some rule
/// is not held as proven.
pub fn check(root: &Path, sources: &[PathBuf]) -> Result<GateReport, Error> {
    let start = Instant::now();
    let lock_path = root.join(LOCK_FILE);
    let lock = read_lock(&lock_path)?;
    let mut named = Vec::new();
    for p in sources {
        let text = std::fs::read_to_string(p).map_err(|e| Error::Io {
            path: p.clone(),
            message: e.to_string(),
        })?;
        named.push((display_name(root, p), text));
    }
    let prog = frontend::load_sources_with_tags(named, &[])?;
    let mut report = check_program(&prog, &lock)?;
    report.elapsed = start.elapsed();
    Ok(report)
}

/// Read the lock, with errors that say what to do.
fn read_lock(path: &Path) -> Result<Lock, Error> {
    let remedy = "prove the rules and write it with `wasmproof-verify --write-lock`";
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Lock(format!(
                "the proof certificate {} does not exist: {remedy} (see isle-rules/README.md)",
                path.display()
            )));
        }
        _ => {}
    }
    Lock::read(path).map_err(|e| match e {
        Error::Lock(m) => Error::Lock(format!(
            "malformed proof certificate {m}; do not edit it by hand: {remedy}"
        )),
        other => other,
    })
}

/// `isle-rules/x64/lower.isle` rather than an absolute path, in messages.
fn display_name(root: &Path, p: &Path) -> String {
    let dir = root.file_name().map(PathBuf::from).unwrap_or_default();
    match p.strip_prefix(root) {
        Ok(rel) => dir.join(rel).display().to_string(),
        Err(_) => p.display().to_string(),
    }
}

/// The gate on a loaded program (`elapsed` left at zero).
pub(crate) fn check_program(prog: &Program, lock: &Lock) -> Result<GateReport, Error> {
    let opts = Options::default();
    // Rule label -> its position, for `file:line` and source order.
    let positions: HashMap<String, Pos> = prog
        .termenv
        .rules
        .iter()
        .map(|r| (prog.rule_name(r.id), r.pos))
        .collect();
    let location_of = |label: &str| {
        positions
            .get(label)
            .map_or_else(|| label.to_string(), |p| file_line(prog, *p))
    };
    let order = |label: &str| {
        positions
            .get(label)
            .map_or((usize::MAX, 0), |p| (p.file, p.offset))
    };
    let fps = program_fingerprints(prog, &opts)?;
    let mut problems = Vec::new();
    let mut stale = Vec::new();
    for d in check_lock(lock, None, &fps) {
        let kind = match d.kind {
            LockDiffKind::NotInLock => ProblemKind::NotInLock {
                named: fps
                    .iter()
                    .find(|f| f.root == d.root && f.rule == d.rule)
                    .is_none_or(|f| f.named),
            },
            LockDiffKind::FingerprintMismatch { lock, now } => {
                ProblemKind::FingerprintMismatch { lock, now }
            }
            LockDiffKind::NoSuchRule => {
                stale.push(format!(
                    "{} {} {}: in the lock, but the program has no such rule or instantiation (a removed or renamed rule? rewrite the lock; CI's --check fails on it)",
                    d.root, d.rule, d.instantiation
                ));
                continue;
            }
            // Only a run's report yields these; the gate passes none.
            LockDiffKind::NotProven(v) => ProblemKind::NotProven(v),
            LockDiffKind::Skipped(why) => ProblemKind::NotProven(format!("skipped: {why}")),
            LockDiffKind::NotRun => ProblemKind::NotProven("not verified".into()),
        };
        problems.push(Problem {
            location: location_of(&d.rule),
            rule: d.rule,
            root: Some((d.root, d.instantiation)),
            kind,
        });
    }
    problems.extend(uncovered_rules(prog, &opts)?);
    problems.sort_by(|a, b| (order(&a.rule), &a.root).cmp(&(order(&b.rule), &b.root)));
    Ok(GateReport {
        rules: prog.termenv.rules.len(),
        fingerprints: fps.len(),
        problems,
        stale,
        elapsed: Duration::ZERO,
    })
}

/// Rules no root rule's proof covers: neither a rule of a verified root
/// nor a spec-less `(veri chain)` helper some root rule inlines.
fn uncovered_rules(prog: &Program, opts: &Options) -> Result<Vec<Problem>, Error> {
    let roots: HashSet<String> = crate::run::select_roots(prog, opts)?.into_iter().collect();
    let sources = Sources::new(prog)?;
    let mut inlined: HashSet<String> = HashSet::new();
    for rule in &prog.termenv.rules {
        if roots.contains(prog.term_name(rule.root_term)) {
            let c = sources.closure(prog, rule.id)?;
            inlined.extend(c.symbols.into_iter().filter(|s| prog.chain.contains(s)));
        }
    }
    let mut out = Vec::new();
    for rule in &prog.termenv.rules {
        let term = prog.term_name(rule.root_term);
        let has_spec = prog.specs.contains_key(term);
        let chained = prog.chain.contains(term);
        let why = if roots.contains(term) || (chained && !has_spec && inlined.contains(term)) {
            continue;
        } else if chained && has_spec {
            format!(
                "`{term}` is `(veri chain)` but has a spec, so callers use the spec and its rules are never checked"
            )
        } else if chained {
            format!("`{term}` is `(veri chain)` but no rule of a verified root uses it")
        } else {
            format!(
                "`{term}` has no spec and is not `(veri chain)`, so no proof covers its rules (give it a spec, or tag it `(veri chain)` to inline it into its callers' proofs)"
            )
        };
        out.push(Problem {
            location: file_line(prog, rule.pos),
            rule: prog.rule_name(rule.id),
            root: None,
            kind: ProblemKind::NotProven(why),
        });
    }
    Ok(out)
}

fn file_line(prog: &Program, pos: Pos) -> String {
    let p = prog.pos(pos);
    match p.rsplit_once(':') {
        Some((fl, _)) => fl.to_string(),
        None => p,
    }
}
