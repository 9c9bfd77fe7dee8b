//! Evaluating a term's spec on concrete inputs, many inputs per solver
//! process.
//!
//! The trust chain (DESIGN.md) checks specs against reality: the IR specs
//! against the reference interpreter, the machine instruction specs against
//! the CPU. Both need "what does this spec say for these inputs?". We answer
//! it with the very encoding the proofs use ([`crate::expand`] ->
//! [`crate::encode`]), so a disagreement with silicon or the interpreter also
//! catches a bug in the encoding, not only in the spec.
//!
//! For each input the spec's `provide`s (and `match`es) are asserted with the
//! arguments fixed, the solver finds a result, and then we ask for a
//! *different* result (and state): if there is one the spec is
//! nondeterministic at that input (a NaN payload, unspecified upper bits),
//! and both values are reported so the caller can decide what to compare.
//! `require`s are not assumed; the ones the input violates are listed.
//!
//! One solver process serves many evaluations through `push`/`pop`, which
//! makes thousands of evaluations take seconds rather than minutes.
//!
//! ```no_run
//! use wasmproof_verifier::concrete::{Evaluator, bv, ty};
//! # fn main() -> Result<(), wasmproof_verifier::Error> {
//! // inst.isle's shared types (`Type`, `Imm64`) are in prelude.isle.
//! let mut ev = Evaluator::new(&[
//!     "isle-rules/prelude.isle".into(),
//!     "isle-rules/x64/inst.isle".into(),
//! ])?;
//! let out = ev
//!     .eval("x64_add", &[ty(32), bv(64, 1), bv(64, 2)])
//!     .map_err(wasmproof_verifier::Error::Spec)?;
//! assert_eq!(out.result, Some(bv(64, 3)));
//! # Ok(())
//! # }
//! ```

use crate::encode::{self, Group, Query, Sort};
use crate::expand::{BuildError, Builder, TypeFailure};
use crate::frontend::{self, Program};
use crate::smt::S;
use crate::verdict::{Binding, ModelValue};
use crate::{Error, SolverKind};
use easy_smt::{Context, ContextBuilder, Response, SExpr, SExprData};
use std::path::PathBuf;
use std::time::Duration;

/// A concrete argument or result (bit-vectors carry their width).
pub type ConcreteValue = ModelValue;

/// A bit-vector value of `width` bits (`bits` is truncated to the width).
pub fn bv(width: usize, bits: u128) -> ConcreteValue {
    let bits = if width >= 128 {
        bits
    } else {
        bits & ((1u128 << width) - 1)
    };
    ModelValue::BitVec { width, bits }
}

/// A value of a `Type` modelled as `(struct (bits Int))`: the type argument
/// most terms take (`ty(32)` for `$I32`).
pub fn ty(bits: i128) -> ConcreteValue {
    ModelValue::Struct(vec![Binding {
        name: "bits".to_string(),
        value: ModelValue::Int(bits),
    }])
}

/// A variant of a field-less enum (e.g. a condition code), by its index in
/// the enum's declaration.
pub fn variant(index: i128) -> ConcreteValue {
    ModelValue::Struct(vec![Binding {
        name: "$tag".to_string(),
        value: ModelValue::Int(index),
    }])
}

/// What a spec says for one input.
#[derive(Clone, Debug, PartialEq)]
pub struct ConcreteOutput {
    /// The result (a struct value for a struct-modelled result such as
    /// flags); `None` when the spec's `provide`/`match` clauses cannot hold
    /// for these arguments (the term does not apply to them).
    pub result: Option<ConcreteValue>,
    /// The state the term `modifies` (e.g. a trap flag), by state name.
    pub state: Vec<Binding>,
    /// When the spec allows more than one outcome: a second result and
    /// state that also satisfy it (`None`: the outcome is unique).
    pub alternative: Option<(ConcreteValue, Vec<Binding>)>,
    /// `require` clauses these arguments violate (empty when defined).
    pub violated: Vec<String>,
}

impl ConcreteOutput {
    /// The result is determined by the inputs.
    pub fn is_unique(&self) -> bool {
        self.alternative.is_none()
    }

    /// The value of state `name`, if the term modifies it.
    pub fn state_value(&self, name: &str) -> Option<&ConcreteValue> {
        self.state.iter().find(|b| b.name == name).map(|b| &b.value)
    }
}

/// Loads ISLE files once and evaluates specs in one long-lived solver
/// process (started on first use, restarted after a solver error).
pub struct Evaluator {
    prog: Program,
    kind: SolverKind,
    timeout: Duration,
    ctx: Option<Context>,
}

impl Evaluator {
    /// Load `paths` as one ISLE program (the verifier's own front end).
    pub fn new(paths: &[PathBuf]) -> Result<Self, Error> {
        Ok(Self::from_program(frontend::load(paths)?))
    }

    /// Like [`Evaluator::new`], from in-memory `(name, text)` sources.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Self, Error> {
        let named = sources
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        Ok(Self::from_program(frontend::load_sources(named)?))
    }

    /// Evaluate specs of a program that is already loaded (e.g. by
    /// [`frontend::load_sources`] for a test, or shared with a proof run),
    /// instead of parsing the files again.
    pub fn from_program(prog: Program) -> Self {
        Evaluator {
            prog,
            kind: SolverKind::Z3,
            timeout: Duration::from_secs(10),
            ctx: None,
        }
    }

    /// Use another solver (default z3).
    pub fn with_solver(mut self, kind: SolverKind) -> Self {
        self.kind = kind;
        self.ctx = None;
        self
    }

    /// Limit per `check-sat` (default 10 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.ctx = None;
        self
    }

    /// The loaded program.
    pub fn program(&self) -> &Program {
        &self.prog
    }

    /// Evaluate `term`'s spec on `args`. The arguments' widths choose the
    /// instantiation (`bv(32, x)` for a 32-bit operand, [`ty`] for a `Type`).
    /// `Err` names what went wrong: an unknown term, ill-typed arguments, or
    /// a solver failure or timeout.
    pub fn eval(&mut self, term: &str, args: &[ConcreteValue]) -> Result<ConcreteOutput, String> {
        let q = self.query(term, args)?;
        // Only the state the term modifies is an output: a state nobody
        // modifies with a free default (memory contents, the heap size) is
        // an input, and reading it back would make every spec look
        // nondeterministic.
        let modified: Vec<String> = self
            .prog
            .specs
            .get(term)
            .map(|s| s.modifies.iter().map(|m| m.state.0.clone()).collect())
            .unwrap_or_default();
        let res = self.run(&q, &modified);
        if res.is_err() {
            // The process may be in any state now; start afresh next time.
            self.ctx = None;
        }
        res
    }

    /// [`Evaluator::eval`] for each argument list, stopping at the first
    /// error.
    pub fn eval_all(
        &mut self,
        term: &str,
        inputs: &[Vec<ConcreteValue>],
    ) -> Result<Vec<ConcreteOutput>, String> {
        inputs.iter().map(|a| self.eval(term, a)).collect()
    }

    fn query(&self, term: &str, args: &[ConcreteValue]) -> Result<Query, String> {
        let b = Builder::new(&self.prog, &format!("evaluate {term}"), Vec::new());
        let built = match b.build_application(term, args) {
            Ok(b) => b,
            Err(BuildError::Error(e)) => return Err(e),
            Err(BuildError::NeedChoice(_)) => {
                return Err(format!("`{term}` needs a rule choice to evaluate"));
            }
        };
        let solutions = built.type_solutions().map_err(|f| match f {
            TypeFailure::Conflict(e) | TypeFailure::Untypable(e) => {
                format!("`{term}` cannot be typed at these arguments: {e}")
            }
        })?;
        let Some((vc, _)) = solutions.into_iter().next() else {
            return Err(format!("`{term}` cannot be typed at these arguments"));
        };
        encode::encode(&vc)
    }

    fn context(&mut self) -> Result<&mut Context, String> {
        if self.ctx.is_none() {
            let ms = self.timeout.as_millis().clamp(1, u32::MAX as u128);
            let mut b = ContextBuilder::new();
            match self.kind {
                SolverKind::Z3 => b.solver("z3").solver_args([
                    "-smt2".to_string(),
                    "-in".to_string(),
                    format!("-t:{ms}"),
                ]),
                SolverKind::Cvc5 => b.solver("cvc5").solver_args([
                    "--quiet".to_string(),
                    "--incremental".to_string(),
                    "--lang=smt2".to_string(),
                    format!("--tlimit-per={ms}"),
                ]),
            };
            let mut ctx = b.build().map_err(|e| self.fail(e))?;
            ctx.set_logic("ALL").map_err(|e| self.fail(e))?;
            self.ctx = Some(ctx);
        }
        self.ctx
            .as_mut()
            .ok_or_else(|| "solver not started".to_string())
    }

    fn fail(&self, e: std::io::Error) -> String {
        format!(
            "solver `{}` failed: {e} (is it installed?)",
            crate::solver::program(self.kind)
        )
    }

    fn run(&mut self, q: &Query, states: &[String]) -> Result<ConcreteOutput, String> {
        let kind = self.kind;
        let io =
            |e: std::io::Error| format!("solver `{}` failed: {e}", crate::solver::program(kind));
        let ctx = self.context()?;
        ctx.push().map_err(io)?;
        let out = evaluate(ctx, q, states).map_err(|e| match e {
            Failure::Io(e) => io(e),
            Failure::Other(m) => m,
        });
        // Always leave the process clean for the next evaluation.
        let popped = ctx.pop().map_err(io);
        let out = out?;
        popped?;
        Ok(out)
    }
}

enum Failure {
    Io(std::io::Error),
    Other(String),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e)
    }
}

/// A watched leaf: (field path, term, sort).
type Leaf = (String, S, Sort);

/// The watched leaves we read back: the result, then each modified state.
struct Reads<'q> {
    result: Vec<&'q Leaf>,
    states: Vec<(String, Vec<&'q Leaf>)>,
}

fn evaluate(ctx: &mut Context, q: &Query, states: &[String]) -> Result<ConcreteOutput, Failure> {
    for (name, sort) in &q.decls {
        let sort = to_sexpr(ctx, sort);
        ctx.declare_const(name.as_str(), sort)?;
    }
    for f in q.type_facts.iter().chain(&q.facts) {
        let e = to_sexpr(ctx, f);
        ctx.assert(e)?;
    }
    match ctx.check()? {
        Response::Sat => {}
        Response::Unsat => {
            return Ok(ConcreteOutput {
                result: None,
                state: Vec::new(),
                alternative: None,
                violated: Vec::new(),
            });
        }
        Response::Unknown => {
            return Err(Failure::Other(
                "the solver answered unknown (timeout?)".to_string(),
            ));
        }
    }
    let mut reads = Reads {
        result: Vec::new(),
        states: Vec::new(),
    };
    for w in &q.watch {
        match w.group {
            Group::Rhs => reads.result = w.leaves.iter().collect(),
            Group::Intermediate if states.contains(&w.name) => reads
                .states
                .push((w.name.clone(), w.leaves.iter().collect())),
            _ => {}
        }
    }
    if reads.result.is_empty() {
        return Err(Failure::Other("the spec has no result to read".to_string()));
    }
    let (result, state, lits) = read_model(ctx, &reads)?;
    let mut violated = Vec::new();
    if !q.obligations.is_empty() {
        let terms: Vec<SExpr> = q
            .obligations
            .iter()
            .map(|(_, s)| to_sexpr(ctx, s))
            .collect();
        let vals = ctx.get_value(terms)?;
        for ((what, _), (_, v)) in q.obligations.iter().zip(vals) {
            if !matches!(ctx.get(v), SExprData::Atom("true")) {
                violated.push(what.clone());
            }
        }
    }
    // Uniqueness: is there a model with a different result or state?
    let differs: Vec<SExpr> = lits
        .iter()
        .map(|(t, v)| {
            let eq = ctx.eq(*t, *v);
            ctx.not(eq)
        })
        .collect();
    let any = if differs.len() == 1 {
        differs[0]
    } else {
        ctx.or_many(differs)
    };
    ctx.assert(any)?;
    let alternative = match ctx.check()? {
        Response::Sat => {
            let (r, s, _) = read_model(ctx, &reads)?;
            Some((r, s))
        }
        Response::Unsat => None,
        Response::Unknown => {
            return Err(Failure::Other(
                "the solver answered unknown on the uniqueness check (timeout?)".to_string(),
            ));
        }
    };
    Ok(ConcreteOutput {
        result: Some(result),
        state,
        alternative,
        violated,
    })
}

type Model = (ConcreteValue, Vec<Binding>, Vec<(SExpr, SExpr)>);

/// Read the result and states from the current model; also returns each
/// leaf term with its value (to exclude this outcome).
fn read_model(ctx: &mut Context, reads: &Reads) -> Result<Model, Failure> {
    let mut all: Vec<&Leaf> = reads.result.clone();
    for (_, ls) in &reads.states {
        all.extend(ls.iter().copied());
    }
    let terms: Vec<SExpr> = all.iter().map(|(_, t, _)| to_sexpr(ctx, t)).collect();
    let vals = ctx.get_value(terms)?;
    let mut values = vals
        .iter()
        .zip(&all)
        .map(|((_, v), (path, _, sort))| Binding {
            name: path.clone(),
            value: parse_value(ctx, *v, sort),
        });
    let mut group = |n: usize| -> ConcreteValue {
        let mut fields: Vec<Binding> = values.by_ref().take(n).collect();
        if fields.len() == 1 && fields[0].name.is_empty() {
            fields.remove(0).value
        } else {
            ModelValue::Struct(fields)
        }
    };
    let result = group(reads.result.len());
    let mut state = Vec::new();
    for (name, ls) in &reads.states {
        state.push(Binding {
            name: name.clone(),
            value: group(ls.len()),
        });
    }
    Ok((result, state, vals))
}

fn to_sexpr(ctx: &Context, s: &S) -> SExpr {
    match s {
        S::Atom(a) => ctx.atom(a.as_str()),
        S::List(items) => ctx.list(items.iter().map(|x| to_sexpr(ctx, x)).collect()),
    }
}

fn parse_value(ctx: &Context, v: SExpr, sort: &Sort) -> ModelValue {
    let other = || ModelValue::Other(ctx.display(v).to_string());
    match (sort, ctx.get(v)) {
        (Sort::Bool | Sort::Rec(_), SExprData::Atom("true")) => ModelValue::Bool(true),
        (Sort::Bool | Sort::Rec(_), SExprData::Atom("false")) => ModelValue::Bool(false),
        (Sort::Int, SExprData::Atom(a)) => {
            a.parse().map(ModelValue::Int).unwrap_or_else(|_| other())
        }
        (Sort::Int, SExprData::List([m, a])) if matches!(ctx.get(*m), SExprData::Atom("-")) => {
            match ctx.get(*a) {
                SExprData::Atom(a) => a
                    .parse::<i128>()
                    .ok()
                    .and_then(|x| x.checked_neg())
                    .map(ModelValue::Int)
                    .unwrap_or_else(other),
                _ => other(),
            }
        }
        (Sort::BitVec(w), SExprData::Atom(a)) if *w <= 128 => {
            let parsed = if let Some(b) = a.strip_prefix("#b") {
                u128::from_str_radix(b, 2).ok()
            } else if let Some(h) = a.strip_prefix("#x") {
                u128::from_str_radix(h, 16).ok()
            } else {
                None
            };
            parsed.map(|bits| bv(*w, bits)).unwrap_or_else(other)
        }
        (Sort::BitVec(w), SExprData::List([u, n, _])) if *w <= 128 => {
            match (ctx.get(*u), ctx.get(*n)) {
                (SExprData::Atom("_"), SExprData::Atom(n)) => n
                    .strip_prefix("bv")
                    .and_then(|d| d.parse::<u128>().ok())
                    .map(|bits| bv(*w, bits))
                    .unwrap_or_else(other),
                _ => other(),
            }
        }
        _ => other(),
    }
}
