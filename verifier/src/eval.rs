//! Evaluating a term's spec on concrete arguments, through the solver.
//!
//! This is how the trust chain checks specs against reality: the IR specs
//! against the reference interpreter and the instruction specs against the
//! CPU (see DESIGN.md). A spec may leave its result open (a NaN payload, an
//! unspecified value); `unique` says whether these arguments pin it down.

use crate::SolverKind;
use crate::encode;
use crate::expand::{BuildError, Builder};
use crate::frontend::Program;
use crate::smt::S;
use crate::solver;
use crate::verdict::{Binding, ModelValue};
use std::time::Duration;

/// The value a spec gives for some arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct SpecValue {
    /// One result the spec allows.
    pub result: ModelValue,
    /// No other result is allowed.
    pub unique: bool,
    /// `require` clauses these arguments violate (empty when defined).
    pub violated: Vec<String>,
    /// Global state after the term (e.g. whether it traps).
    pub state: Vec<Binding>,
}

/// Evaluate `term`'s spec on `args`. `Ok(None)`: the spec's `match` or
/// `provide` clauses cannot hold for these arguments (the term does not
/// match them).
pub fn evaluate_spec(
    prog: &Program,
    term: &str,
    args: &[ModelValue],
    kind: SolverKind,
    timeout: Duration,
) -> Result<Option<SpecValue>, String> {
    let b = Builder::new(prog, &format!("evaluate {term}"), Vec::new());
    let built = match b.build_application(term, args) {
        Ok(b) => b,
        Err(BuildError::Error(e)) => return Err(e),
        Err(BuildError::NeedChoice(_)) => return Err("internal error: choice".to_string()),
    };
    let solutions = built.type_solutions().map_err(|f| match f {
        crate::expand::TypeFailure::Conflict(e) | crate::expand::TypeFailure::Untypable(e) => e,
    })?;
    let Some((vc, _)) = solutions.into_iter().next() else {
        return Err(format!("`{term}` cannot be typed at these arguments"));
    };
    let q = encode::encode(&vc)?;
    let Some(sample) = solver::sample(&q, kind, timeout)? else {
        return Ok(None);
    };
    let result = sample.rhs.value.clone();
    let state: Vec<Binding> = sample
        .intermediates
        .iter()
        .filter(|b| prog.states.iter().any(|s| s.name.0 == b.name))
        .cloned()
        .collect();
    // Unique when no other result is possible.
    let unique = match (
        literal(&result),
        q.watch.iter().find(|w| w.group == encode::Group::Rhs),
    ) {
        (Some(lit), Some(w)) if w.leaves.len() == 1 => {
            let mut q2 = q.clone();
            q2.facts.push(S::negate(S::eq(w.leaves[0].1.clone(), lit)));
            solver::sample(&q2, kind, timeout)?.is_none()
        }
        _ => false,
    };
    Ok(Some(SpecValue {
        result,
        unique,
        violated: sample.failed,
        state,
    }))
}

fn literal(v: &ModelValue) -> Option<S> {
    match v {
        ModelValue::BitVec { width, bits } => Some(S::bv(*bits, *width)),
        ModelValue::Bool(b) => Some(if *b { S::t() } else { S::f() }),
        ModelValue::Int(i) => Some(S::int(*i)),
        _ => None,
    }
}
