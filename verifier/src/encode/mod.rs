//! SMT-LIB encoding of a typed VC.
//!
//! Records (structs, enums) are flattened into one SMT constant per leaf, so
//! the query needs no datatypes and both z3 and cvc5 read it the same way.
//! Operators SMT-LIB lacks (clz, cls, popcnt, rev, rotations by a dynamic
//! amount, signed-add overflow) are encoded exactly for every width; `let`
//! keeps the repeated operand from blowing up the term size.
//!
//! A change here that could change a verdict must bump
//! [`crate::fingerprint::ENCODING_VERSION`], so `verified.lock` is re-proven.

use crate::infer::{int_value, op_name, width};
use crate::ir::{Kind, NodeId, Shape, Tv, VarId, Vc};
use crate::smt::S;
use cranelift_isle::ast::SpecOp;
use std::collections::{HashMap, HashSet};

mod bitops;
mod fp;

pub use bitops::{cls, clz, popcnt, rev, rotate, saddo};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sort {
    Bool,
    Int,
    BitVec(usize),
    Rec(Vec<(String, Sort)>),
}

impl Sort {
    /// The SMT sort of a leaf.
    pub fn smt(&self) -> S {
        match self {
            Sort::Bool | Sort::Rec(_) => S::atom("Bool"),
            Sort::Int => S::atom("Int"),
            Sort::BitVec(w) => S::indexed("BitVec", &[*w], vec![]).unwrap_head(),
        }
    }

    /// Flatten into (path suffix, leaf sort) pairs.
    fn leaves(&self, prefix: &str, out: &mut Vec<(String, Sort)>) {
        match self {
            Sort::Rec(fields) => {
                for (f, s) in fields {
                    s.leaves(&format!("{prefix}.{}", sanitize(f)), out);
                }
            }
            s => out.push((prefix.to_string(), s.clone())),
        }
    }
}

trait UnwrapHead {
    fn unwrap_head(self) -> S;
}

impl UnwrapHead for S {
    /// `((_ BitVec 8))` -> `(_ BitVec 8)`.
    fn unwrap_head(self) -> S {
        match self {
            S::List(mut v) if v.len() == 1 => v.pop().unwrap_or(S::atom("Bool")),
            s => s,
        }
    }
}

/// An encoded value: a leaf term or a record of values.
#[derive(Clone, Debug)]
pub enum Val {
    Leaf(S),
    Rec(Vec<(String, Val)>),
}

impl Val {
    fn leaf(self) -> Result<S, String> {
        match self {
            Val::Leaf(s) => Ok(s),
            Val::Rec(_) => Err("a struct value where a scalar was expected".to_string()),
        }
    }

    fn flatten(&self, prefix: &str, out: &mut Vec<(String, S)>) {
        match self {
            Val::Leaf(s) => out.push((prefix.to_string(), s.clone())),
            Val::Rec(fs) => {
                for (f, v) in fs {
                    let p = if prefix.is_empty() {
                        f.clone()
                    } else {
                        format!("{prefix}.{f}")
                    };
                    v.flatten(&p, out);
                }
            }
        }
    }
}

/// Which part of a counterexample a watched value belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Input,
    Lhs,
    Rhs,
    Intermediate,
}

/// A value to read back from a model.
#[derive(Clone, Debug)]
pub struct Watch {
    pub group: Group,
    pub name: String,
    /// (field path, term, leaf sort); a single entry with an empty path for
    /// scalars.
    pub leaves: Vec<(String, S, Sort)>,
}

/// A complete query: declarations, the facts in the order they are checked,
/// and the values to read back.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub decls: Vec<(String, S)>,
    /// Assumptions about types only: when these cannot hold, the rule does
    /// not apply at this instantiation.
    pub type_facts: Vec<S>,
    pub facts: Vec<S>,
    pub obligations: Vec<(String, S)>,
    pub watch: Vec<Watch>,
}

impl Query {
    /// The goal: every obligation.
    pub fn goal(&self) -> S {
        S::and(self.obligations.iter().map(|(_, s)| s.clone()).collect())
    }

    /// The exact script text; it is also what the cache key hashes.
    pub fn script(&self) -> String {
        let mut out = String::new();
        out.push_str("(set-logic ALL)\n");
        for (n, s) in &self.decls {
            out.push_str(&format!("(declare-const {n} {s})\n"));
        }
        for f in &self.type_facts {
            out.push_str(&format!("(assert {f})\n"));
        }
        out.push_str("(check-sat)\n");
        for f in &self.facts {
            out.push_str(&format!("(assert {f})\n"));
        }
        out.push_str("(check-sat)\n");
        out.push_str(&format!("(assert (not {}))\n(check-sat)\n", self.goal()));
        out
    }
}

pub fn sanitize(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        s.push('_');
    }
    s
}

/// The concrete sort of a type variable after inference. Unconstrained
/// values default to Int (they never meet a bit-vector operator).
pub fn sort_of(vc: &Vc, t: Tv, depth: usize) -> Result<Sort, String> {
    if depth > 32 {
        return Err("type nests too deeply".to_string());
    }
    Ok(match vc.shape(t) {
        Shape::Unknown => Sort::Int,
        Shape::Opaque => Sort::Bool,
        Shape::Bool => Sort::Bool,
        Shape::Int => Sort::Int,
        Shape::BitVec(Some(w)) => Sort::BitVec(*w),
        Shape::BitVec(None) => return Err("bit-vector width unknown".to_string()),
        Shape::Struct(fields) => {
            let mut out = Vec::new();
            for (f, ft) in fields {
                out.push((f.clone(), sort_of(vc, *ft, depth + 1)?));
            }
            Sort::Rec(out)
        }
    })
}

struct Enc<'a> {
    vc: &'a Vc,
    memo: HashMap<NodeId, Val>,
    lets: usize,
    /// Typing side conditions: a width given by a non-constant expression
    /// (e.g. `(conv_to (:bits ty) x)`) equals the width inference chose.
    side: Vec<S>,
    /// Bit-vector names for floating-point results, and their definitions
    /// (`(= (to_fp r) <fp expr>)`: any NaN pattern when the result is NaN).
    fp_decls: Vec<(String, S)>,
    fp_defs: Vec<S>,
    /// How many parents each node has: a large value read from several
    /// places gets a name instead of being copied (specs built with `let`
    /// can otherwise double in size at each level).
    refs: Vec<u32>,
    bound_memo: HashMap<NodeId, bool>,
    shared_type_defs: Vec<S>,
}

/// Encode the VC into a query.
pub fn encode(vc: &Vc) -> Result<Query, String> {
    let mut e = Enc {
        vc,
        memo: HashMap::new(),
        lets: 0,
        side: Vec::new(),
        fp_decls: Vec::new(),
        fp_defs: Vec::new(),
        refs: ref_counts(vc),
        bound_memo: HashMap::new(),
        shared_type_defs: Vec::new(),
    };
    let mut q = Query::default();
    for (v, var) in vc.vars.iter().enumerate() {
        if var.bound {
            continue;
        }
        let sort = sort_of(vc, var.ty, 0).map_err(|m| format!("`{}`: {m}", var.name))?;
        let mut leaves = Vec::new();
        sort.leaves(&var_symbol(vc, v), &mut leaves);
        for (name, s) in leaves {
            q.decls.push((name, s.smt()));
        }
    }
    for fact in &vc.assumptions {
        let s = e.node(fact.node)?.leaf()?;
        if is_type_level(vc, fact.node) {
            q.type_facts.push(s);
        } else {
            q.facts.push(s);
        }
    }
    for ob in &vc.obligations {
        let s = e.node(ob.node)?.leaf()?;
        q.obligations.push((ob.what.clone(), s));
    }
    let mut watch = |group: Group, name: &str, n: NodeId, q: &mut Query| -> Result<(), String> {
        let val = e.node(n)?;
        let sort = sort_of(vc, vc.ty_of(n), 0)?;
        let mut terms = Vec::new();
        val.flatten("", &mut terms);
        let mut sorts = Vec::new();
        sort.leaves("", &mut sorts);
        let leaves = terms
            .into_iter()
            .zip(sorts)
            .map(|((path, t), (_, s))| (path, t, s))
            .collect();
        q.watch.push(Watch {
            group,
            name: name.to_string(),
            leaves,
        });
        Ok(())
    };
    for (name, n) in &vc.inputs {
        watch(Group::Input, name, *n, &mut q)?;
    }
    if let Some((name, n)) = &vc.lhs {
        watch(Group::Lhs, name, *n, &mut q)?;
    }
    if let Some((name, n)) = &vc.rhs {
        watch(Group::Rhs, name, *n, &mut q)?;
    }
    for (name, n) in &vc.intermediates {
        watch(Group::Intermediate, name, *n, &mut q)?;
    }
    q.type_facts.append(&mut e.side);
    q.type_facts.append(&mut e.shared_type_defs);
    q.decls.append(&mut e.fp_decls);
    q.facts.append(&mut e.fp_defs);
    Ok(q)
}

/// The nodes a node reads.
fn children(k: &Kind) -> Vec<NodeId> {
    match k {
        Kind::Op(_, args) => args.clone(),
        Kind::Field(_, x) => vec![*x],
        Kind::Struct(inits) => inits.iter().map(|(_, x)| *x).collect(),
        Kind::Switch(x, arms) => {
            let mut v = vec![*x];
            for (a, b) in arms {
                v.push(*a);
                v.push(*b);
            }
            v
        }
        Kind::NotExists(_, conds) => conds.clone(),
        Kind::Exists(_, body) => vec![*body],
        Kind::Var(_) | Kind::Bool(_) | Kind::Int(_) | Kind::BitVec { .. } | Kind::Num(_) => {
            Vec::new()
        }
    }
}

fn ref_counts(vc: &Vc) -> Vec<u32> {
    let mut refs = vec![0u32; vc.nodes.len()];
    for node in &vc.nodes {
        for c in children(&node.kind) {
            if let Some(r) = refs.get_mut(c) {
                *r = r.saturating_add(1);
            }
        }
    }
    for f in vc.assumptions.iter().chain(vc.obligations.iter()) {
        if let Some(r) = refs.get_mut(f.node) {
            *r = r.saturating_add(1);
        }
    }
    refs
}

/// The number of atoms in `s`, counting no further than `limit`.
fn atoms_at_least(s: &S, limit: usize) -> usize {
    fn go(s: &S, n: &mut usize, limit: usize) {
        if *n >= limit {
            return;
        }
        match s {
            S::Atom(_) => *n += 1,
            S::List(items) => {
                for i in items {
                    go(i, n, limit);
                }
            }
        }
    }
    let mut n = 0;
    go(s, &mut n, limit);
    n
}

fn var_symbol(vc: &Vc, v: VarId) -> String {
    let name = vc.vars.get(v).map(|x| x.name.as_str()).unwrap_or("v");
    format!("v{v}_{}", sanitize(name))
}

/// A fact is about types only when every variable it reads is an integer or
/// a record without bit-vectors or booleans at its top (e.g. a `Type` with its
/// `bits`). Widths read through `widthof` are constants, not reads.
fn is_type_level(vc: &Vc, n: NodeId) -> bool {
    let mut seen = HashSet::new();
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        if !seen.insert(x) {
            continue;
        }
        let Some(node) = vc.nodes.get(x) else {
            return false;
        };
        match &node.kind {
            Kind::Var(v) => {
                let Some(var) = vc.vars.get(*v) else {
                    return false;
                };
                if !type_like(vc, var.ty, true, 0) {
                    return false;
                }
            }
            Kind::Op(SpecOp::WidthOf, _) => {}
            Kind::Op(_, args) => stack.extend(args.iter().copied()),
            Kind::Field(_, y) => stack.push(*y),
            Kind::Struct(inits) => stack.extend(inits.iter().map(|(_, y)| *y)),
            Kind::Switch(y, arms) => {
                stack.push(*y);
                for (k, v) in arms {
                    stack.push(*k);
                    stack.push(*v);
                }
            }
            Kind::NotExists(..) | Kind::Exists(..) => return false,
            Kind::Bool(_) | Kind::Int(_) | Kind::Num(_) => {}
            Kind::BitVec { .. } => return false,
        }
    }
    true
}

fn type_like(vc: &Vc, t: Tv, top: bool, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    match vc.shape(t) {
        Shape::Int => true,
        Shape::Bool => !top,
        Shape::Struct(fields) => fields
            .iter()
            .all(|(_, ft)| type_like(vc, *ft, false, depth + 1)),
        _ => false,
    }
}

impl Enc<'_> {
    fn sort(&self, n: NodeId) -> Result<Sort, String> {
        sort_of(self.vc, self.vc.ty_of(n), 0)
    }

    fn bv_width(&self, n: NodeId) -> Result<usize, String> {
        match self.sort(n)? {
            Sort::BitVec(w) => Ok(w),
            s => Err(format!("expected a bit-vector, found {s:?}")),
        }
    }

    fn const_int(&self, n: NodeId, what: &str) -> Result<i128, String> {
        int_value(self.vc, n)
            .ok_or_else(|| format!("{what} must be a constant known after type inference"))
    }

    /// The width an operator produces: its constant width argument, or, when
    /// that argument is an expression, the inferred result width together
    /// with the side condition that the expression equals it.
    fn target_width(&mut self, width_arg: NodeId, result: NodeId) -> Result<usize, String> {
        let w = self.bv_width(result)?;
        match int_value(self.vc, width_arg) {
            Some(c) if c == w as i128 => Ok(w),
            Some(c) => Err(format!("width {c} disagrees with the inferred width {w}")),
            None => {
                let t = self.leaf(width_arg)?;
                self.side.push(S::eq(t, S::int(w as i128)));
                Ok(w)
            }
        }
    }

    fn leaf(&mut self, n: NodeId) -> Result<S, String> {
        self.node(n)?.leaf()
    }

    fn fresh_let(&mut self) -> String {
        self.lets += 1;
        format!("_t{}", self.lets)
    }

    /// `(let ((name x)) body(name))`: share an operand used many times.
    fn with_let(&mut self, x: S, body: impl FnOnce(S) -> S) -> S {
        if let S::Atom(_) = x {
            return body(x);
        }
        let name = self.fresh_let();
        let b = body(S::atom(name.clone()));
        S::app(
            "let",
            vec![S::list(vec![S::list(vec![S::atom(name), x])]), b],
        )
    }

    fn node(&mut self, n: NodeId) -> Result<Val, String> {
        if let Some(v) = self.memo.get(&n) {
            return Ok(v.clone());
        }
        let v = self.node_uncached(n).map_err(|m| {
            match self.vc.nodes.get(n).map(|x| x.origin.as_str()) {
                Some(o) if !o.is_empty() && !m.contains(" (in ") => format!("{m} (in {o})"),
                _ => m,
            }
        })?;
        let v = self.maybe_share(n, v)?;
        self.memo.insert(n, v.clone());
        Ok(v)
    }

    /// Name a large scalar value that several nodes read: declare `_s<n>`
    /// and define it with an equation (a conservative extension, so it
    /// changes no answer). Not for values under a quantifier.
    fn maybe_share(&mut self, n: NodeId, v: Val) -> Result<Val, String> {
        let Val::Leaf(s) = &v else { return Ok(v) };
        if self.refs.get(n).copied().unwrap_or(0) < 2 || atoms_at_least(s, 48) < 48 {
            return Ok(v);
        }
        if matches!(self.vc.nodes.get(n).map(|x| &x.kind), Some(Kind::Var(_)))
            || self.mentions_bound(n)
        {
            return Ok(v);
        }
        let sort = self.sort(n)?;
        if matches!(sort, Sort::Rec(_)) {
            return Ok(v);
        }
        let name = format!("_s{n}");
        self.fp_decls.push((name.clone(), sort.smt()));
        let def = S::eq(S::atom(name.clone()), s.clone());
        if is_type_level(self.vc, n) {
            self.shared_type_defs.push(def);
        } else {
            self.fp_defs.push(def);
        }
        Ok(Val::Leaf(S::atom(name)))
    }

    fn mentions_bound(&mut self, n: NodeId) -> bool {
        if let Some(&b) = self.bound_memo.get(&n) {
            return b;
        }
        let vc = self.vc;
        let b = match vc.nodes.get(n).map(|x| &x.kind) {
            Some(Kind::Var(v)) => vc.vars.get(*v).is_some_and(|x| x.bound),
            Some(k) => children(k).into_iter().any(|c| self.mentions_bound(c)),
            None => false,
        };
        self.bound_memo.insert(n, b);
        b
    }

    fn node_uncached(&mut self, n: NodeId) -> Result<Val, String> {
        let vc = self.vc;
        let Some(node) = vc.nodes.get(n) else {
            return Err("dangling node".to_string());
        };
        match &node.kind {
            Kind::Var(v) => {
                let sort = sort_of(vc, vc.vars.get(*v).map(|x| x.ty).unwrap_or(node.ty), 0)?;
                Ok(var_val(&var_symbol(vc, *v), &sort))
            }
            Kind::Bool(b) => Ok(Val::Leaf(if *b { S::t() } else { S::f() })),
            Kind::Int(i) => Ok(Val::Leaf(S::int(*i))),
            Kind::BitVec { val, width } => Ok(Val::Leaf(S::bv(*val, *width))),
            Kind::Num(i) => match self.sort(n)? {
                Sort::Int => Ok(Val::Leaf(S::int(*i))),
                Sort::BitVec(w) => {
                    if w < 128 {
                        let lo = -(1i128 << (w.min(126)));
                        let hi = 1i128 << w;
                        if *i < lo || *i >= hi {
                            return Err(format!("constant {i} does not fit in {w} bits"));
                        }
                    }
                    Ok(Val::Leaf(S::bv(*i as u128, w)))
                }
                Sort::Bool => match i {
                    0 => Ok(Val::Leaf(S::f())),
                    1 => Ok(Val::Leaf(S::t())),
                    _ => Err(format!("integer {i} used as a boolean")),
                },
                Sort::Rec(_) => Err(format!("integer {i} used as a struct")),
            },
            Kind::Field(f, x) => match self.node(*x)? {
                Val::Rec(fields) => fields
                    .into_iter()
                    .find(|(name, _)| name == f)
                    .map(|(_, v)| v)
                    .ok_or_else(|| format!("no field `{f}`")),
                Val::Leaf(_) => Err(format!("field `:{f}` of a non-struct value")),
            },
            Kind::Struct(inits) => {
                let sort = self.sort(n)?;
                let Sort::Rec(fields) = sort else {
                    return Err("struct literal of non-struct type".to_string());
                };
                let mut out = Vec::new();
                for (f, _) in fields {
                    let Some((_, x)) = inits.iter().find(|(name, _)| *name == f) else {
                        return Err(format!("struct literal lacks field `{f}`"));
                    };
                    out.push((f, self.node(*x)?));
                }
                Ok(Val::Rec(out))
            }
            Kind::Switch(x, arms) => {
                if let Some(k) = int_value(vc, *x) {
                    for (key, v) in arms {
                        if int_value(vc, *key) == Some(k) {
                            return self.node(*v);
                        }
                    }
                }
                let xv = self.node(*x)?;
                let mut acc: Option<Val> = None;
                for (k, v) in arms.iter().rev() {
                    let vv = self.node(*v)?;
                    acc = Some(match acc {
                        None => vv,
                        Some(rest) => {
                            let kv = self.node(*k)?;
                            let c = val_eq(&xv, &kv)?;
                            val_ite(&c, &vv, &rest)?
                        }
                    });
                }
                acc.ok_or_else(|| "switch with no arms".to_string())
            }
            Kind::NotExists(vars, conds) => {
                let mut cs = Vec::new();
                for c in conds {
                    cs.push(self.leaf(*c)?);
                }
                let body = self.quantify("exists", vars, S::and(cs))?;
                Ok(Val::Leaf(S::negate(body)))
            }
            Kind::Exists(vars, body) => {
                let b = self.leaf(*body)?;
                Ok(Val::Leaf(self.quantify("exists", vars, b)?))
            }
            Kind::Op(op, args) => self.op(n, op, args),
        }
    }

    fn quantify(&mut self, q: &str, vars: &[VarId], body: S) -> Result<S, String> {
        let mut binders = Vec::new();
        for &v in vars {
            let var = self.vc.vars.get(v).ok_or("dangling variable")?;
            let sort = sort_of(self.vc, var.ty, 0)?;
            let mut leaves = Vec::new();
            sort.leaves(&var_symbol(self.vc, v), &mut leaves);
            for (name, s) in leaves {
                binders.push(S::list(vec![S::atom(name), s.smt()]));
            }
        }
        if binders.is_empty() {
            return Ok(body);
        }
        Ok(S::app(q, vec![S::list(binders), body]))
    }

    fn op(&mut self, n: NodeId, op: &SpecOp, args: &[NodeId]) -> Result<Val, String> {
        use SpecOp::*;
        let get = |i: usize| -> Result<NodeId, String> {
            args.get(i)
                .copied()
                .ok_or_else(|| format!("`{}` is missing argument {i}", op_name(op)))
        };
        // Structural operators first: they work on records too.
        match op {
            Eq => {
                let mut cs = Vec::new();
                let first = self.node(get(0)?)?;
                for &a in &args[1..] {
                    let v = self.node(a)?;
                    cs.push(val_eq(&first, &v)?);
                }
                return Ok(Val::Leaf(S::and(cs)));
            }
            If => {
                // A condition the types decide: encode only the taken branch.
                if let Some(b) = crate::infer::bool_value(self.vc, get(0)?) {
                    return self.node(if b { get(1)? } else { get(2)? });
                }
                let c = self.leaf(get(0)?)?;
                let a = self.node(get(1)?)?;
                let b = self.node(get(2)?)?;
                return val_ite(&c, &a, &b);
            }
            WidthOf => {
                let w = self.bv_width(get(0)?)?;
                return Ok(Val::Leaf(S::int(w as i128)));
            }
            _ => {}
        }
        let mut xs = Vec::new();
        for &a in args {
            xs.push(self.leaf(a)?);
        }
        let x0 = || xs.first().cloned().ok_or("missing argument".to_string());
        let simple = |name: &str| Ok(Val::Leaf(S::app(name, xs.clone())));
        match op {
            And => Ok(Val::Leaf(S::and(xs.clone()))),
            Or => {
                if xs.is_empty() {
                    Ok(Val::Leaf(S::f()))
                } else if xs.len() == 1 {
                    Ok(Val::Leaf(x0()?))
                } else {
                    simple("or")
                }
            }
            Not => simple("not"),
            Imp => simple("=>"),
            Add => simple("+"),
            Sub => simple("-"),
            Mul => simple("*"),
            Lt => simple("<"),
            Lte => simple("<="),
            Gt => simple(">"),
            Gte => simple(">="),
            BVNot => simple("bvnot"),
            BVNeg => simple("bvneg"),
            BVAnd | BVOr | BVXor | BVAdd | BVMul if xs.len() == 1 => Ok(Val::Leaf(x0()?)),
            BVAnd => simple("bvand"),
            BVOr => simple("bvor"),
            BVXor => simple("bvxor"),
            BVAdd => simple("bvadd"),
            BVSub if xs.len() == 1 => simple("bvneg"),
            BVSub => simple("bvsub"),
            BVMul => simple("bvmul"),
            BVUdiv => simple("bvudiv"),
            BVUrem => simple("bvurem"),
            BVSdiv => simple("bvsdiv"),
            BVSrem => simple("bvsrem"),
            BVShl => simple("bvshl"),
            BVLshr => simple("bvlshr"),
            BVAshr => simple("bvashr"),
            BVUle => simple("bvule"),
            BVUlt => simple("bvult"),
            BVUgt => simple("bvugt"),
            BVUge => simple("bvuge"),
            BVSlt => simple("bvslt"),
            BVSle => simple("bvsle"),
            BVSgt => simple("bvsgt"),
            BVSge => simple("bvsge"),
            BVSaddo => {
                let w = self.bv_width(get(0)?)?;
                let (a, b) = (x0()?, xs.get(1).cloned().ok_or("missing argument")?);
                Ok(Val::Leaf(saddo(a, b, w)))
            }
            Rotl | Rotr => {
                let w = self.bv_width(get(0)?)?;
                let (x, s) = (x0()?, xs.get(1).cloned().ok_or("missing argument")?);
                let left = *op == Rotl;
                Ok(Val::Leaf(self.with_let(x, |x| rotate(x, s, w, left))))
            }
            Extract => {
                let h = self.const_int(get(0)?, "extract's high bit")?;
                let l = self.const_int(get(1)?, "extract's low bit")?;
                let w = self.bv_width(get(2)?)? as i128;
                if !(0 <= l && l <= h && h < w) {
                    return Err(format!("extract {h} {l} out of range for a {w}-bit value"));
                }
                Ok(Val::Leaf(S::indexed(
                    "extract",
                    &[h as usize, l as usize],
                    vec![xs.get(2).cloned().ok_or("missing argument")?],
                )))
            }
            ZeroExt | SignExt => {
                let to = self.target_width(get(0)?, n)? as i128;
                let from = self.bv_width(get(1)?)? as i128;
                let x = xs.get(1).cloned().ok_or("missing argument")?;
                if to < from {
                    return Err(format!(
                        "{} to {to} bits of a {from}-bit value",
                        op_name(op)
                    ));
                }
                if to == from {
                    return Ok(Val::Leaf(x));
                }
                let name = if *op == ZeroExt {
                    "zero_extend"
                } else {
                    "sign_extend"
                };
                Ok(Val::Leaf(S::indexed(
                    name,
                    &[(to - from) as usize],
                    vec![x],
                )))
            }
            ConvTo => {
                let to_u = self.target_width(get(0)?, n)?;
                let x = xs.get(1).cloned().ok_or("missing argument")?;
                match self.sort(get(1)?)? {
                    Sort::Int => Ok(Val::Leaf(S::indexed("int2bv", &[to_u], vec![x]))),
                    Sort::BitVec(from) => Ok(Val::Leaf(if to_u == from {
                        x
                    } else if to_u > from {
                        S::indexed("zero_extend", &[to_u - from], vec![x])
                    } else {
                        S::indexed("extract", &[to_u - 1, 0], vec![x])
                    })),
                    s => Err(format!("conv_to of a {s:?} value")),
                }
            }
            Int2BV => {
                let to = self.target_width(get(0)?, n)?;
                Ok(Val::Leaf(S::indexed(
                    "int2bv",
                    &[to],
                    vec![xs.get(1).cloned().ok_or("missing argument")?],
                )))
            }
            BV2Nat => simple("bv2nat"),
            Concat => {
                if xs.len() == 1 {
                    return Ok(Val::Leaf(x0()?));
                }
                simple("concat")
            }
            Replicate => {
                let k = self.const_int(get(1)?, "replicate's count")?;
                let k = usize::try_from(k).map_err(|_| "negative replicate count".to_string())?;
                Ok(Val::Leaf(S::indexed("repeat", &[k], vec![x0()?])))
            }
            Popcnt => {
                let w = self.bv_width(get(0)?)?;
                Ok(Val::Leaf(self.with_let(x0()?, |x| popcnt(x, w))))
            }
            Clz => {
                let w = self.bv_width(get(0)?)?;
                Ok(Val::Leaf(self.with_let(x0()?, |x| clz(x, w))))
            }
            Cls => {
                let w = self.bv_width(get(0)?)?;
                Ok(Val::Leaf(self.with_let(x0()?, |x| cls(x, w))))
            }
            Rev => {
                let w = self.bv_width(get(0)?)?;
                Ok(Val::Leaf(self.with_let(x0()?, |x| rev(x, w))))
            }
            _ => self.fp_op(n, op, args, xs),
        }
    }
}

fn var_val(base: &str, sort: &Sort) -> Val {
    match sort {
        Sort::Rec(fields) => Val::Rec(
            fields
                .iter()
                .map(|(f, s)| (f.clone(), var_val(&format!("{base}.{}", sanitize(f)), s)))
                .collect(),
        ),
        _ => Val::Leaf(S::atom(base)),
    }
}

fn val_eq(a: &Val, b: &Val) -> Result<S, String> {
    match (a, b) {
        (Val::Leaf(x), Val::Leaf(y)) => Ok(S::eq(x.clone(), y.clone())),
        (Val::Rec(fa), Val::Rec(fb)) => {
            let mut cs = Vec::new();
            for (f, va) in fa {
                let Some((_, vb)) = fb.iter().find(|(g, _)| g == f) else {
                    return Err(format!("comparing structs with different fields (`{f}`)"));
                };
                cs.push(val_eq(va, vb)?);
            }
            Ok(S::and(cs))
        }
        _ => Err("comparing a struct with a scalar".to_string()),
    }
}

fn val_ite(c: &S, a: &Val, b: &Val) -> Result<Val, String> {
    match (a, b) {
        (Val::Leaf(x), Val::Leaf(y)) => Ok(Val::Leaf(S::ite(c.clone(), x.clone(), y.clone()))),
        (Val::Rec(fa), Val::Rec(fb)) => {
            let mut out = Vec::new();
            for (f, va) in fa {
                let Some((_, vb)) = fb.iter().find(|(g, _)| g == f) else {
                    return Err(format!("if over structs with different fields (`{f}`)"));
                };
                out.push((f.clone(), val_ite(c, va, vb)?));
            }
            Ok(Val::Rec(out))
        }
        _ => Err("if with a struct and a scalar branch".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_smt_symbols() {
        assert_eq!(sanitize("iadd#1.x"), "iadd_1.x");
        assert_eq!(sanitize(""), "_");
    }

    #[test]
    fn custom_encodings_have_the_right_shape() {
        assert_eq!(
            rev(S::atom("x"), 2).to_string(),
            "(concat ((_ extract 0 0) x) ((_ extract 1 1) x))"
        );
        assert_eq!(popcnt(S::atom("b"), 1).to_string(), "b");
        assert_eq!(rotate(S::atom("x"), S::atom("s"), 1, true).to_string(), "x");
        assert!(clz(S::atom("x"), 8).to_string().starts_with("(ite"));
    }

    #[test]
    fn script_checks_in_three_steps() {
        let q = Query {
            decls: vec![("a".into(), S::atom("Int"))],
            type_facts: vec![S::atom("true")],
            facts: vec![S::eq(S::atom("a"), S::int(1))],
            obligations: vec![("a is one".into(), S::eq(S::atom("a"), S::int(1)))],
            watch: Vec::new(),
        };
        let s = q.script();
        assert_eq!(s.matches("(check-sat)").count(), 3);
        assert!(s.contains("(declare-const a Int)"));
        assert!(s.contains("(assert (not (= a 1)))"));
    }
}
