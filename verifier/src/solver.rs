//! Running a query through a real solver process (z3 or cvc5) with easy-smt.
//!
//! One process per query, three incremental checks:
//! 1. the type-level assumptions alone: unsat means the rule does not apply
//!    at this instantiation;
//! 2. all assumptions: unsat means the rule is vacuous;
//! 3. assumptions and the negated obligations: unsat is a proof, sat a
//!    counterexample (read back with `get-value`).
//!
//! Only (2) sat and (3) unsat together make `Proven`.

use crate::encode::{Group, Query, Sort, Watch};
use crate::smt::S;
use crate::verdict::{Binding, Counterexample, ModelValue};
use crate::{Error, SolverKind};
use easy_smt::{Context, ContextBuilder, Response, SExpr, SExprData};
use serde::{Deserialize, Serialize};
use std::process::Command;
use std::time::{Duration, Instant};

/// A solver's answer to one query (this is what the cache stores).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    Proven,
    Counterexample(Counterexample),
    Vacuous,
    /// The type-level assumptions cannot hold: the rule does not apply at
    /// this instantiation.
    Inapplicable,
    Unknown(String),
    Timeout,
    Error(String),
}

impl Answer {
    /// Answers worth caching: the definite ones.
    pub fn is_definite(&self) -> bool {
        matches!(
            self,
            Answer::Proven | Answer::Counterexample(_) | Answer::Vacuous | Answer::Inapplicable
        )
    }
}

pub fn program(kind: SolverKind) -> &'static str {
    match kind {
        SolverKind::Z3 => "z3",
        SolverKind::Cvc5 => "cvc5",
    }
}

/// The solver's version line; a clear error if it is not installed.
pub fn version(kind: SolverKind) -> Result<String, Error> {
    version_of(program(kind))
}

fn version_of(prog: &str) -> Result<String, Error> {
    match Command::new(prog).arg("--version").output() {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            let line = text.lines().next().unwrap_or("").trim().to_string();
            if line.is_empty() {
                Ok(format!("{prog} (unknown version)"))
            } else {
                Ok(line)
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::SolverMissing(format!(
            "solver `{prog}` not found on PATH: install it with apt-get install {prog}"
        ))),
        Err(e) => Err(Error::SolverMissing(format!(
            "solver `{prog}` could not be started: {e}"
        ))),
    }
}

fn build_context(kind: SolverKind, timeout: Duration) -> std::io::Result<Context> {
    let ms = timeout.as_millis().clamp(1, u32::MAX as u128);
    // The per-check limit is soft (the solver answers `unknown`); a hard
    // limit well beyond it ends a solver that ignores the soft one.
    let hard_ms = ms.saturating_mul(3).saturating_add(2000);
    let mut b = ContextBuilder::new();
    match kind {
        SolverKind::Z3 => b.solver("z3").solver_args([
            "-smt2".to_string(),
            "-in".to_string(),
            format!("-t:{ms}"),
            format!("-T:{}", hard_ms.div_ceil(1000)),
        ]),
        SolverKind::Cvc5 => b.solver("cvc5").solver_args([
            "--quiet".to_string(),
            "--incremental".to_string(),
            "--lang=smt2".to_string(),
            format!("--tlimit-per={ms}"),
            format!("--tlimit={hard_ms}"),
        ]),
    };
    b.build()
}

fn to_sexpr(ctx: &Context, s: &S) -> SExpr {
    match s {
        S::Atom(a) => ctx.atom(a.as_str()),
        S::List(items) => ctx.list(items.iter().map(|x| to_sexpr(ctx, x)).collect()),
    }
}

/// Run one query. Never panics on solver output: anything unexpected is an
/// `Answer::Error` naming what went wrong.
pub fn solve(q: &Query, kind: SolverKind, timeout: Duration) -> Answer {
    let start = Instant::now();
    match solve_inner(q, kind, timeout) {
        Ok(a) => a,
        // The hard limit killed the process mid-answer.
        Err(_) if start.elapsed() >= timeout => Answer::Timeout,
        Err(e) => Answer::Error(format!("solver `{}` failed: {e}", program(kind))),
    }
}

/// How much of the query a solver process sees.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    TypeFacts,
    Assumptions,
    /// The assumptions with every bit-vector input pinned to zero: a cheap
    /// witness that they can hold (finding *some* model of a float spec,
    /// say a square root, can take a solver minutes; with constant inputs
    /// the circuit folds away). Unsat or unknown proves nothing: the plain
    /// `Assumptions` check follows.
    AssumptionsAtZero,
    Negated,
}

/// How long the zero-input witness may take before the plain check runs.
const ZERO_WITNESS_LIMIT: Duration = Duration::from_secs(10);

/// One solver process, one `check-sat`: z3 gives up much of its
/// preprocessing (bit-blasting, equation solving) in incremental mode, which
/// turns easy bit-vector proofs into timeouts; a fresh process per check
/// costs a few milliseconds instead.
fn check(
    q: &Query,
    kind: SolverKind,
    timeout: Duration,
    stage: Stage,
) -> std::io::Result<(Response, Context)> {
    let mut ctx = build_context(kind, timeout)?;
    ctx.set_logic("ALL")?;
    for (name, sort) in &q.decls {
        let sort = to_sexpr(&ctx, sort);
        ctx.declare_const(name.as_str(), sort)?;
    }
    for f in &q.type_facts {
        let e = to_sexpr(&ctx, f);
        ctx.assert(e)?;
    }
    if stage != Stage::TypeFacts {
        for f in &q.facts {
            let e = to_sexpr(&ctx, f);
            ctx.assert(e)?;
        }
    }
    if stage == Stage::AssumptionsAtZero {
        for w in q.watch.iter().filter(|w| w.group == Group::Input) {
            for (_, t, sort) in &w.leaves {
                if let Sort::BitVec(n) = sort {
                    let zero = ctx.binary(*n, 0u8);
                    let e = ctx.eq(to_sexpr(&ctx, t), zero);
                    ctx.assert(e)?;
                }
            }
        }
    }
    if stage == Stage::Negated {
        let goal = to_sexpr(&ctx, &q.goal());
        let neg = ctx.not(goal);
        ctx.assert(neg)?;
    }
    let r = ctx.check()?;
    Ok((r, ctx))
}

fn solve_inner(q: &Query, kind: SolverKind, timeout: Duration) -> std::io::Result<Answer> {
    let start = Instant::now();
    // A counterexample also shows the assumptions can hold, so the negated
    // query goes first; the others only run when it is unsat.
    let (r, mut ctx) = check(q, kind, timeout, Stage::Negated)?;
    match r {
        Response::Sat => return Ok(Answer::Counterexample(counterexample(&mut ctx, q)?)),
        Response::Unknown => return Ok(unknown(&mut ctx, start, timeout)),
        Response::Unsat => {}
    }
    drop(ctx);
    let witness = check(
        q,
        kind,
        timeout.min(ZERO_WITNESS_LIMIT),
        Stage::AssumptionsAtZero,
    );
    if let Ok((Response::Sat, _)) = witness {
        return Ok(Answer::Proven);
    }
    let t1 = Instant::now();
    let (r, mut ctx) = check(q, kind, timeout, Stage::Assumptions)?;
    match r {
        Response::Sat => return Ok(Answer::Proven),
        Response::Unknown => return Ok(unknown(&mut ctx, t1, timeout)),
        Response::Unsat => {}
    }
    drop(ctx);
    let t2 = Instant::now();
    let (r, mut ctx) = check(q, kind, timeout, Stage::TypeFacts)?;
    match r {
        Response::Sat => Ok(Answer::Vacuous),
        Response::Unsat => Ok(Answer::Inapplicable),
        Response::Unknown => Ok(unknown(&mut ctx, t2, timeout)),
    }
}

fn unknown(ctx: &mut Context, start: Instant, timeout: Duration) -> Answer {
    let reason = reason_unknown(ctx).unwrap_or_default();
    let r = reason.to_lowercase();
    if r.contains("timeout")
        || r.contains("canceled")
        || r.contains("resource")
        || start.elapsed() >= timeout
    {
        Answer::Timeout
    } else if reason.is_empty() {
        Answer::Unknown("solver answered unknown".to_string())
    } else {
        Answer::Unknown(reason)
    }
}

fn reason_unknown(ctx: &mut Context) -> Option<String> {
    let cmd = ctx.list(vec![ctx.atom("get-info"), ctx.atom(":reason-unknown")]);
    ctx.raw_send(cmd).ok()?;
    let resp = ctx.raw_recv().ok()?;
    let items = ctx.get_list(resp)?.to_vec();
    let v = *items.get(1)?;
    Some(match ctx.get(v) {
        SExprData::Atom(a) => a.to_string(),
        SExprData::String(s) => s.to_string(),
        SExprData::List(_) => ctx.display(v).to_string(),
    })
}

/// Read every watched value and every checkable obligation from the model.
fn counterexample(ctx: &mut Context, q: &Query) -> std::io::Result<Counterexample> {
    // Obligations under quantifiers cannot always be evaluated in a model;
    // ask only for the quantifier-free ones.
    let checkable: Vec<&(String, S)> = q
        .obligations
        .iter()
        .filter(|(_, s)| !mentions_quantifier(s))
        .collect();
    let mut terms: Vec<S> = Vec::new();
    for w in &q.watch {
        for (_, t, _) in &w.leaves {
            terms.push(t.clone());
        }
    }
    for (_, s) in &checkable {
        terms.push(s.clone());
    }
    let values = get_values(ctx, &terms)?;
    let mut idx = 0;
    let mut read = |w: &Watch| -> Binding {
        let mut fields = Vec::new();
        for (path, _, sort) in &w.leaves {
            let v = values
                .get(idx)
                .map(|x| parse_value(x, sort))
                .unwrap_or(ModelValue::Other("?".to_string()));
            idx += 1;
            fields.push(Binding {
                name: path.clone(),
                value: v,
            });
        }
        let value = if fields.len() == 1 && fields[0].name.is_empty() {
            fields.remove(0).value
        } else {
            ModelValue::Struct(fields)
        };
        Binding {
            name: w.name.clone(),
            value,
        }
    };
    let mut ce = Counterexample {
        inputs: Vec::new(),
        lhs: Binding {
            name: "lhs".to_string(),
            value: ModelValue::Other("?".to_string()),
        },
        rhs: Binding {
            name: "rhs".to_string(),
            value: ModelValue::Other("?".to_string()),
        },
        intermediates: Vec::new(),
        failed: Vec::new(),
    };
    for w in &q.watch {
        let b = read(w);
        match w.group {
            Group::Input => ce.inputs.push(b),
            Group::Lhs => ce.lhs = b,
            Group::Rhs => ce.rhs = b,
            Group::Intermediate => ce.intermediates.push(b),
        }
    }
    for (what, _) in &checkable {
        let v = values.get(idx);
        idx += 1;
        if matches!(v, Some(SVal::Atom(a)) if a == "false") {
            ce.failed.push(what.clone());
        }
    }
    if ce.failed.is_empty() {
        // Every quantifier-free obligation held: a quantified one failed.
        ce.failed = q
            .obligations
            .iter()
            .filter(|(_, s)| mentions_quantifier(s))
            .map(|(w, _)| w.clone())
            .collect();
    }
    Ok(ce)
}

fn mentions_quantifier(s: &S) -> bool {
    match s {
        S::Atom(a) => a == "exists" || a == "forall",
        S::List(items) => items.iter().any(mentions_quantifier),
    }
}

/// A solver value detached from the easy-smt arena.
#[derive(Clone, Debug)]
enum SVal {
    Atom(String),
    List(Vec<SVal>),
}

fn detach(ctx: &Context, e: SExpr, depth: usize) -> SVal {
    if depth > 64 {
        return SVal::Atom("...".to_string());
    }
    match ctx.get(e) {
        SExprData::Atom(a) => SVal::Atom(a.to_string()),
        SExprData::String(s) => SVal::Atom(format!("{s:?}")),
        SExprData::List(items) => {
            SVal::List(items.iter().map(|&x| detach(ctx, x, depth + 1)).collect())
        }
    }
}

fn get_values(ctx: &mut Context, terms: &[S]) -> std::io::Result<Vec<SVal>> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let list = ctx.list(terms.iter().map(|t| to_sexpr(ctx, t)).collect());
    let cmd = ctx.list(vec![ctx.atom("get-value"), list]);
    ctx.raw_send(cmd)?;
    let resp = ctx.raw_recv()?;
    let bad = |why: &str| std::io::Error::other(format!("unexpected get-value answer: {why}"));
    let SVal::List(pairs) = detach(ctx, resp, 0) else {
        return Err(bad("not a list"));
    };
    if let Some(SVal::Atom(a)) = pairs.first()
        && a == "error"
    {
        return Err(bad(&format!("{pairs:?}")));
    }
    let mut out = Vec::new();
    for p in pairs {
        match p {
            SVal::List(mut kv) if kv.len() == 2 => out.push(kv.remove(1)),
            _ => return Err(bad("not a (term value) pair")),
        }
    }
    if out.len() != terms.len() {
        return Err(bad("wrong number of values"));
    }
    Ok(out)
}

fn render(v: &SVal) -> String {
    match v {
        SVal::Atom(a) => a.clone(),
        SVal::List(items) => format!(
            "({})",
            items.iter().map(render).collect::<Vec<_>>().join(" ")
        ),
    }
}

fn parse_value(v: &SVal, sort: &Sort) -> ModelValue {
    let other = || ModelValue::Other(render(v));
    match (sort, v) {
        (Sort::Bool | Sort::Rec(_), SVal::Atom(a)) => match a.as_str() {
            "true" => ModelValue::Bool(true),
            "false" => ModelValue::Bool(false),
            _ => other(),
        },
        (Sort::Int, SVal::Atom(a)) => a
            .parse::<i128>()
            .map(ModelValue::Int)
            .unwrap_or_else(|_| other()),
        (Sort::Int, SVal::List(items)) => match items.as_slice() {
            [SVal::Atom(m), SVal::Atom(a)] if m == "-" => a
                .parse::<i128>()
                .ok()
                .and_then(|x| x.checked_neg())
                .map(ModelValue::Int)
                .unwrap_or_else(other),
            _ => other(),
        },
        (Sort::BitVec(w), SVal::Atom(a)) => {
            let parsed = if let Some(b) = a.strip_prefix("#b") {
                u128::from_str_radix(b, 2).ok()
            } else if let Some(h) = a.strip_prefix("#x") {
                u128::from_str_radix(h, 16).ok()
            } else {
                None
            };
            match parsed {
                Some(bits) if *w <= 128 => ModelValue::BitVec { width: *w, bits },
                _ => other(),
            }
        }
        (Sort::BitVec(w), SVal::List(items)) => match items.as_slice() {
            // (_ bvN w)
            [SVal::Atom(u), SVal::Atom(n), SVal::Atom(_)] if u == "_" => n
                .strip_prefix("bv")
                .and_then(|d| d.parse::<u128>().ok())
                .filter(|_| *w <= 128)
                .map(|bits| ModelValue::BitVec { width: *w, bits })
                .unwrap_or_else(other),
            _ => other(),
        },
        _ => other(),
    }
}

/// Evaluate closed terms (no free variables) with the solver: used to check
/// encodings and specs on concrete values.
pub fn evaluate(kind: SolverKind, terms: &[(S, Sort)]) -> Result<Vec<ModelValue>, String> {
    let fail = |e: std::io::Error| format!("solver `{}` failed: {e}", program(kind));
    let mut ctx = build_context(kind, Duration::from_secs(60)).map_err(fail)?;
    ctx.set_logic("ALL").map_err(fail)?;
    match ctx.check().map_err(fail)? {
        Response::Sat => {}
        r => return Err(format!("empty context is not sat: {r:?}")),
    }
    let only: Vec<S> = terms.iter().map(|(t, _)| t.clone()).collect();
    let vals = get_values(&mut ctx, &only).map_err(fail)?;
    Ok(vals
        .iter()
        .zip(terms.iter())
        .map(|(v, (_, sort))| parse_value(v, sort))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_solver_is_named_with_install_hint() {
        let Err(Error::SolverMissing(msg)) = version_of("no-such-solver-wasmproof") else {
            panic!("expected SolverMissing");
        };
        assert_eq!(
            msg,
            "solver `no-such-solver-wasmproof` not found on PATH: install it with apt-get install no-such-solver-wasmproof"
        );
    }

    #[test]
    fn parses_solver_values() {
        let bv = parse_value(&SVal::Atom("#x2c".into()), &Sort::BitVec(8));
        assert_eq!(
            bv,
            ModelValue::BitVec {
                width: 8,
                bits: 0x2c
            }
        );
        let bv = parse_value(&SVal::Atom("#b101".into()), &Sort::BitVec(3));
        assert_eq!(bv, ModelValue::BitVec { width: 3, bits: 5 });
        let neg = parse_value(
            &SVal::List(vec![SVal::Atom("-".into()), SVal::Atom("7".into())]),
            &Sort::Int,
        );
        assert_eq!(neg, ModelValue::Int(-7));
        let weird = parse_value(&SVal::Atom("#zz".into()), &Sort::BitVec(8));
        assert!(matches!(weird, ModelValue::Other(_)));
    }
}
