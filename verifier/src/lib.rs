//! wasmproof's verification engine: reads ISLE files with specs and proves,
//! rule by rule and type instantiation by type instantiation, that each
//! lowering rule is correct, or produces concrete inputs that break it.
//!
//! Pipeline (one module per stage):
//! * [`frontend`]: cranelift-isle parse + sema, plus the spec forms;
//! * [`expand`]: one rule (with chained helpers inlined) -> a VC graph;
//! * [`infer`]: type and bit-vector width inference on that graph;
//! * [`encode`]: the graph -> an SMT-LIB query;
//! * [`solver`]: z3/cvc5 through easy-smt; [`cache`]: answers on disk;
//! * [`run`]: planning, parallel workers and turning answers into verdicts;
//! * [`fingerprint`] and [`lock`]: the proof certificate `verified.lock`;
//!   [`gate`]: codegen's build-time check against it (no solver).
//!
//! Meaning of the spec forms (as in Cranelift's verifier):
//! * a callee's `provide` and `match` are assumed, its `require` must be
//!   proven; the root's `require`/`match` are assumed and its `provide` is
//!   the obligation;
//! * a term tagged `(veri chain)` without a spec is inlined, one expansion
//!   per rule; expansions that can never match are dropped with a note;
//! * rules tagged `(veri priority)` (or rules of a term so tagged) with a
//!   higher priority than the rule being checked are assumed not to match;
//! * `state` takes its `default` unless some term `modifies` it
//!   (conditionally with `(modifies s cond)`: default unless `cond`);
//! * each root signature from `instantiate`/`form` is one instantiation;
//!   callee terms with their own `instantiate` are typed at one of their
//!   signatures, and each fitting choice is its own query;
//! * a tagged `instantiate` (`(tag slow)`) is used only when its tag is
//!   selected ([`Options::include_tags`]); otherwise every selected rule it
//!   could affect gets a `Skipped` outcome, which is never proven;
//! * an instantiation where only type facts (Int/`Type`-like values) are
//!   contradictory does not apply to the rule (a note); if no instantiation
//!   applies, the rule is `Vacuous` (or an error, if its types conflict
//!   everywhere).
//!
//! Each query is checked with up to three single-check solver processes
//! (negated obligation; assumptions; type facts), each bounded by
//! `Options::timeout`. Only a sat assumptions check together with an unsat
//! negated obligation counts as `Proven`.

pub mod cache;
pub mod concrete;
pub mod encode;
pub mod expand;
pub mod fingerprint;
pub mod frontend;
pub mod gate;
pub mod infer;
pub mod ir;
pub mod lock;
pub mod run;
mod skip;
pub mod smt;
pub mod solver;
pub mod verdict;

pub use fingerprint::{ENCODING_VERSION, FingerprintEntry, fingerprints};
pub use lock::{Lock, LockDiff, LockDiffKind, LockEntry, check_lock, entry_solver};
pub use verdict::{
    Binding, Counterexample, Diagnostic, ModelValue, Outcome, Report, Severity, Verdict,
};

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Which solver runs the queries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SolverKind {
    /// `z3 -in -smt2` (the default).
    #[default]
    Z3,
    /// `cvc5 --incremental --lang smt2`, as a second opinion.
    Cvc5,
}

impl std::fmt::Display for SolverKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(solver::program(*self))
    }
}

/// Called after each outcome: (outcome, jobs done, jobs total). A job is one
/// planned (rule, expansion, root signature) query; it may yield several
/// outcomes (one per callee typing) or none (an instantiation that does not
/// apply, a dropped expansion), so `done` counts jobs, not outcomes. Outcomes
/// of a rule arrive together once all of its jobs are answered.
pub type OutcomeHook = Arc<dyn Fn(&Outcome, usize, usize) + Send + Sync>;

/// What to verify and how.
#[derive(Clone)]
pub struct Options {
    /// Root terms to verify; empty: every term with both rules and a spec.
    pub roots: Vec<String>,
    /// Rules to verify (by name, or `file:line` for unnamed ones); empty: all.
    pub rules: Vec<String>,
    pub solver: SolverKind,
    /// Per solver check.
    pub timeout: Duration,
    /// Worker threads (at least one is used).
    pub jobs: usize,
    /// Where to keep solver answers between runs; `None`: no cache.
    pub cache_dir: Option<PathBuf>,
    /// Progress hook.
    pub on_outcome: Option<OutcomeHook>,
    /// Also check instantiations from `instantiate`s with one of these tags
    /// (e.g. `slow`); other tagged ones are skipped and reported as skipped,
    /// which counts as not proven.
    pub include_tags: Vec<String>,
    /// Tags the user excludes on purpose: their instantiations are still
    /// reported as skipped, but do not count against the run (and are left
    /// out of a lock). Wins over `include_tags`.
    pub exclude_tags: Vec<String>,
    /// The solver portfolio: retry a query `solver` answered `unknown` or
    /// timed out on with this one (a counterexample is final either way).
    pub fallback: Option<SolverKind>,
    /// The per-check timeout of whichever solver is not `solver`.
    pub fallback_timeout: Duration,
    /// Entries (`root rule instantiation`, as in a lock) to try with this
    /// solver first, e.g. the one a lock says proved them; the other is the
    /// fallback.
    pub preferred: std::collections::BTreeMap<String, SolverKind>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            roots: Vec::new(),
            rules: Vec::new(),
            solver: SolverKind::Z3,
            timeout: Duration::from_secs(60),
            jobs: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            cache_dir: None,
            on_outcome: None,
            include_tags: Vec::new(),
            exclude_tags: Vec::new(),
            fallback: None,
            fallback_timeout: Duration::from_secs(300),
            preferred: std::collections::BTreeMap::new(),
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("roots", &self.roots)
            .field("rules", &self.rules)
            .field("solver", &self.solver)
            .field("timeout", &self.timeout)
            .field("jobs", &self.jobs)
            .field("cache_dir", &self.cache_dir)
            .field("on_outcome", &self.on_outcome.is_some())
            .field("include_tags", &self.include_tags)
            .field("exclude_tags", &self.exclude_tags)
            .finish()
    }
}

/// A failure of the whole run (as opposed to a per-rule verdict).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// An input file could not be read.
    Io { path: PathBuf, message: String },
    /// cranelift-isle rejected the input; the message has `file:line:col`.
    Isle(String),
    /// A malformed verification form (spec, instantiate, model...).
    Spec(String),
    /// The chosen solver is not installed.
    SolverMissing(String),
    /// A requested root or rule does not exist, or the cache is unusable.
    Usage(String),
    /// A malformed lock file: `file:line: reason`.
    Lock(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io { path, message } => write!(f, "cannot read {}: {message}", path.display()),
            Error::Isle(m) => write!(f, "{}", m.trim_end()),
            Error::Spec(m) => write!(f, "{m}"),
            Error::SolverMissing(m) => write!(f, "{m}"),
            Error::Usage(m) => write!(f, "{m}"),
            Error::Lock(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}

/// Verify the rules in `paths` (all files form one ISLE program).
pub fn verify_files(paths: &[PathBuf], opts: &Options) -> Result<Report, Error> {
    let prog = frontend::load_with_tags(paths, &selected_tags(opts))?;
    run::verify_program(&prog, opts)
}

/// Like [`verify_files`], from in-memory `(name, text)` sources.
pub fn verify_sources(sources: &[(&str, &str)], opts: &Options) -> Result<Report, Error> {
    let named = sources
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let prog = frontend::load_sources_with_tags(named, &selected_tags(opts))?;
    run::verify_program(&prog, opts)
}

/// The tags whose instantiations a run checks: included and not excluded.
pub(crate) fn selected_tags(opts: &Options) -> Vec<String> {
    opts.include_tags
        .iter()
        .filter(|t| !opts.exclude_tags.contains(t))
        .cloned()
        .collect()
}
