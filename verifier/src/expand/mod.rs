//! Rule expansion: turns one rule (plus the chained helper rules inlined into
//! it) into a verification condition.
//!
//! The meaning follows Cranelift's verifier:
//! * every term application gets a fresh copy of its spec;
//! * a callee's `provide` and `match` are assumed, its `require` must be
//!   proven (the rule may only call it where it is defined);
//! * the root term is the other way round: its `require` (and `match`) are
//!   assumed, its `provide` is what the rule must establish;
//! * a term tagged `(veri chain)` without a spec is inlined: each of its rules
//!   gives a separate expansion;
//! * a higher-priority rule of the same term tagged `(veri priority)` did not
//!   match: the negation of its match conditions is assumed;
//! * global state not `modifies`-ed by any term gets its `default`.

use crate::frontend::Program;
use crate::ir::{Fact, Kind, NodeId, Role, Shape, Tv, VarId, Vc};
use cranelift_isle::ast::{self, ModelType, SpecExpr, SpecOp};
use cranelift_isle::sema::{self, Pattern, RuleId, TermId, TermKind, TypeId};
use std::collections::HashMap;

mod refine;
mod spec;
mod types;

pub use spec::short_expr;

/// How many chained applications one expansion may inline before we assume
/// the chain recurses without end.
const MAX_CHAIN_DEPTH: usize = 32;

/// Why a build stopped.
#[derive(Debug)]
pub enum BuildError {
    /// A hard error for this rule (missing spec, unknown variable...).
    Error(String),
    /// The builder reached a chained call site with no choice made yet: these
    /// are the candidate rules (internal to expansion enumeration).
    NeedChoice(Vec<RuleId>),
}

impl From<String> for BuildError {
    fn from(s: String) -> Self {
        BuildError::Error(s)
    }
}

type R<T> = Result<T, BuildError>;

/// Why a rule has no typing at an instantiation.
#[derive(Debug, Clone)]
pub enum TypeFailure {
    /// Types conflict: the rule does not apply at this instantiation.
    Conflict(String),
    /// Some width cannot be determined: the rule is untypable.
    Untypable(String),
}

/// Values bound in a spec expression's scope.
#[derive(Clone)]
enum Bound {
    Node(NodeId),
    /// A `(macro (params) body)` value bound by `let`.
    Macro(Vec<String>, SpecExpr),
}

type Env = HashMap<String, Bound>;

/// Which part of the VC a term's spec clauses go to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The rule's root: provide is the obligation.
    Root,
    /// A callee: provide assumed, require proven.
    Callee,
    /// Inside a negated higher-priority match: only match conditions count.
    Negated,
}

/// A type instantiation of the root term: one type per argument, and the
/// result type.
pub type Signature = ast::Signature;

pub struct Builder<'p> {
    prog: &'p Program,
    pub vc: Vc,
    rule_label: String,
    choices: Vec<RuleId>,
    next_choice: usize,
    /// Descriptions of the chained rules actually inlined.
    pub chosen: Vec<String>,
    /// State -> the conditions under which terms modify it (`None`:
    /// unconditionally).
    modified: HashMap<String, Vec<Option<NodeId>>>,
    states: HashMap<String, NodeId>,
    /// (scope, sema var) -> value.
    rule_vars: HashMap<(usize, usize), NodeId>,
    next_scope: usize,
    instance: usize,
    chain_depth: usize,
    /// While building a negated rule or an obligation: variables created that
    /// must be bound by a quantifier rather than declared.
    quantified: Option<Vec<VarId>>,
    side: Side,
    /// Conditions gathered from expressions while building a negated rule.
    neg_conds: Vec<NodeId>,
    /// Applications of terms that have their own `instantiate`: each must be
    /// typed at one of those signatures. (term, argument types, result type)
    /// The flag marks sites inside a negated higher-priority rule: there, no
    /// fitting signature just means that rule cannot match.
    inst_sites: Vec<(String, Vec<Tv>, Tv, bool)>,
}

impl<'p> Builder<'p> {
    pub fn new(prog: &'p Program, rule_label: &str, choices: Vec<RuleId>) -> Self {
        Builder {
            prog,
            vc: Vc::default(),
            rule_label: rule_label.to_string(),
            choices,
            next_choice: 0,
            chosen: Vec::new(),
            modified: HashMap::new(),
            states: HashMap::new(),
            rule_vars: HashMap::new(),
            next_scope: 0,
            instance: 0,
            chain_depth: 0,
            quantified: None,
            side: Side::Root,
            neg_conds: Vec::new(),
            inst_sites: Vec::new(),
        }
    }

    fn err<T>(&self, msg: impl std::fmt::Display) -> R<T> {
        Err(BuildError::Error(format!(
            "rule `{}`: {msg}",
            self.rule_label
        )))
    }

    /// Build the VC of `rule` (a rule of the root term) at signature `sig`
    /// (`None`: types left to inference, used when enumerating expansions).
    pub fn build_root(mut self, rule_id: RuleId, sig: Option<&Signature>) -> R<Self> {
        let prog = self.prog;
        let Some(rule) = prog.termenv.rules.get(rule_id.index()) else {
            return self.err("unknown rule");
        };
        let root = rule.root_term;
        let root_name = prog.term_name(root).to_string();
        let Some(spec) = prog.specs.get(&root_name) else {
            return self.err(format!("no spec for root term `{root_name}`"));
        };
        let Some(term) = prog.termenv.terms.get(root.index()) else {
            return self.err("unknown root term");
        };
        let origin = format!("spec of `{root_name}` at {}", prog.pos(spec.pos));

        // Root arguments and result, typed by the ISLE types' models and the
        // instantiation.
        let mut args = Vec::new();
        for (i, &ty) in term.arg_tys.iter().enumerate() {
            let tv = self.tv_of_isle_type(ty)?;
            if let Some(sig) = sig {
                let Some(mt) = sig.args.get(i) else {
                    return self.err("instantiation arity does not match the root term");
                };
                let stv = self.tv_of_model(mt, 0)?;
                self.unify_now(tv, stv, &origin)?;
            }
            let name = spec
                .args
                .get(i)
                .map(|a| a.0.clone())
                .unwrap_or(format!("arg{i}"));
            let (_, n) = self.vc.var(&name, tv, Role::Input, &origin);
            self.vc.inputs.push((name, n));
            args.push(n);
        }
        let rtv = self.tv_of_isle_type(term.ret_ty)?;
        if let Some(sig) = sig {
            let stv = self.tv_of_model(&sig.ret, 0)?;
            self.unify_now(rtv, stv, &origin)?;
        }
        let (_, result) = self.vc.var("result", rtv, Role::Intermediate, &origin);

        // The root's spec: requires and matches assumed, provides proven.
        self.side = Side::Root;
        let root_obligations = self.vc.obligations.len();
        self.instantiate_spec(&root_name, spec, &args, result, None)?;
        let root_obligations = root_obligations..self.vc.obligations.len();
        self.side = Side::Callee;

        // The rule's left-hand side and if-lets.
        let scope = self.new_scope();
        let mut conds = Vec::new();
        for (pat, &arg) in rule.args.iter().zip(args.iter()) {
            self.match_pattern(scope, pat, arg, &mut conds)?;
        }
        for iflet in &rule.iflets {
            let v = self.eval_expr(scope, &iflet.rhs)?;
            self.match_pattern(scope, &iflet.lhs, v, &mut conds)?;
        }
        let what = format!("left-hand side of rule `{}` matches", self.rule_label);
        for c in conds {
            self.assume(c, &what);
        }
        self.add_inputs(scope, rule);

        // Higher-priority rules tagged `priority` did not match.
        self.negate_higher_priority(root, rule_id, &args)?;

        // The right-hand side produces the root's result.
        let rhs = self.eval_expr(scope, &rule.rhs)?;
        let eq = self.vc.eq(result, rhs, "rule right-hand side");
        self.assume(eq, "the result is the rule's right-hand side");

        // The left-hand side's value is what the root's spec says the result
        // must be: `E` in a top-level `(= result E)` provide; failing that,
        // the root's first argument.
        self.vc.lhs = self.expected_result(result).or_else(|| {
            args.first().map(|&a| {
                let name = spec.args.first().map(|a| a.0.clone()).unwrap_or_default();
                (format!("lhs ({name})"), a)
            })
        });
        self.vc.rhs = Some(("rhs (result)".to_string(), rhs));

        self.finish_states()?;
        // A nondeterministic (float) left side is proven by refinement; only
        // when the argument and the result have one type, so one can stand
        // for the other.
        if let (Some(sig), Some(&arg)) = (sig, args.first())
            && sig.args.len() == 1
            && sig.args[0] == sig.ret
        {
            self.refine_root(root_obligations.start, root_obligations.end, arg, result);
        }
        Ok(self)
    }

    fn expected_result(&self, result: NodeId) -> Option<(String, NodeId)> {
        let mut stack: Vec<NodeId> = self.vc.obligations.iter().map(|f| f.node).collect();
        stack.reverse();
        while let Some(n) = stack.pop() {
            match &self.vc.nodes.get(n)?.kind {
                Kind::Op(SpecOp::And, xs) => stack.extend(xs.iter().rev().copied()),
                Kind::Op(SpecOp::Eq, xs) if xs.len() == 2 => {
                    if xs[0] == result {
                        return Some(("lhs (expected result)".to_string(), xs[1]));
                    }
                    if xs[1] == result {
                        return Some(("lhs (expected result)".to_string(), xs[0]));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Build the VC of one application of `term` to constant arguments: its
    /// provides and matches are assumed, its requires are obligations, and
    /// the result is the `rhs` watch. Used to evaluate specs on concrete
    /// values (see [`crate::eval`]).
    pub fn build_application(
        mut self,
        term_name: &str,
        args: &[crate::verdict::ModelValue],
    ) -> R<Self> {
        let prog = self.prog;
        let Some(tid) = prog.term_by_name(term_name) else {
            return self.err(format!("no term named `{term_name}`"));
        };
        let Some(spec) = prog.specs.get(term_name) else {
            return self.err(format!("no spec for term `{term_name}`"));
        };
        let Some(term) = prog.termenv.terms.get(tid.index()) else {
            return self.err("unknown term");
        };
        if term.arg_tys.len() != args.len() {
            return self.err(format!(
                "`{term_name}` takes {} arguments, given {}",
                term.arg_tys.len(),
                args.len()
            ));
        }
        let mut nodes = Vec::new();
        for (i, (&ty, v)) in term.arg_tys.iter().zip(args.iter()).enumerate() {
            let tv = self.tv_of_isle_type(ty)?;
            let n = self.constant(v)?;
            let nt = self.vc.ty_of(n);
            self.unify_now(tv, nt, &format!("argument {i} of `{term_name}`"))?;
            let name = spec
                .args
                .get(i)
                .map(|a| a.0.clone())
                .unwrap_or(format!("arg{i}"));
            self.vc.inputs.push((name, n));
            nodes.push(n);
        }
        let rtv = self.tv_of_isle_type(term.ret_ty)?;
        let origin = format!("spec of `{term_name}` at {}", prog.pos(spec.pos));
        let result = self.fresh("result", rtv, Role::Intermediate, &origin);
        let arg_tvs: Vec<Tv> = nodes.iter().map(|&a| self.vc.ty_of(a)).collect();
        self.record_site(term_name, arg_tvs, rtv);
        self.side = Side::Callee;
        let mut local = Vec::new();
        self.instantiate_spec(term_name, spec, &nodes, result, Some(&mut local))?;
        for c in local {
            self.assume(c, &origin);
        }
        self.vc.rhs = Some(("result".to_string(), result));
        self.finish_states()?;
        Ok(self)
    }

    /// A constant node for a concrete value.
    fn constant(&mut self, v: &crate::verdict::ModelValue) -> R<NodeId> {
        use crate::verdict::ModelValue as M;
        Ok(match v {
            M::BitVec { width, bits } => self.vc.node(
                Kind::BitVec {
                    val: *bits,
                    width: *width,
                },
                Shape::BitVec(Some(*width)),
                "argument",
            ),
            M::Bool(b) => self.vc.bool_node(*b),
            M::Int(i) => self.vc.node(Kind::Int(*i), Shape::Int, "argument"),
            M::Struct(fields) => {
                let mut inits = Vec::new();
                for f in fields {
                    inits.push((f.name.clone(), self.constant(&f.value)?));
                }
                let tvs = inits
                    .iter()
                    .map(|(n, x)| (n.clone(), self.vc.ty_of(*x)))
                    .collect();
                self.vc
                    .node(Kind::Struct(inits), Shape::Struct(tvs), "argument")
            }
            M::Other(s) => return self.err(format!("cannot use `{s}` as an argument")),
        })
    }

    fn assume(&mut self, node: NodeId, what: &str) {
        self.vc.assumptions.push(Fact {
            node,
            what: what.to_string(),
        });
    }

    /// A condition from a right-hand-side term: assumed, or, while building a
    /// negated higher-priority rule, part of that rule's match condition.
    fn cond(&mut self, node: NodeId, what: &str) {
        if self.side == Side::Negated {
            self.neg_conds.push(node);
        } else {
            self.assume(node, what);
        }
    }

    fn new_scope(&mut self) -> usize {
        self.next_scope += 1;
        self.next_scope
    }

    fn add_inputs(&mut self, scope: usize, rule: &sema::Rule) {
        for bv in &rule.vars {
            if let Some(&n) = self.rule_vars.get(&(scope, bv.id.index())) {
                let name = self.prog.sym(bv.name).to_string();
                if !self.vc.inputs.iter().any(|(x, _)| *x == name) {
                    self.vc.inputs.push((name, n));
                }
            }
        }
    }

    /// A fresh variable; inside a quantified context it is bound there.
    fn fresh(&mut self, name: &str, tv: Tv, role: Role, origin: &str) -> NodeId {
        let (v, n) = self.vc.var(name, tv, role, origin);
        if let Some(q) = self.quantified.as_mut() {
            q.push(v);
            if let Some(var) = self.vc.vars.get_mut(v) {
                var.bound = true;
            }
        }
        n
    }

    fn match_pattern(
        &mut self,
        scope: usize,
        pat: &Pattern,
        value: NodeId,
        conds: &mut Vec<NodeId>,
    ) -> R<()> {
        let prog = self.prog;
        match pat {
            Pattern::BindPattern(_, var, sub) => {
                self.rule_vars.insert((scope, var.index()), value);
                self.match_pattern(scope, sub, value, conds)
            }
            Pattern::Var(_, var) => {
                let Some(&bound) = self.rule_vars.get(&(scope, var.index())) else {
                    return self.err("pattern uses a variable before binding it");
                };
                conds.push(self.vc.eq(value, bound, "repeated pattern variable"));
                Ok(())
            }
            Pattern::ConstBool(_, b) => {
                let c = self.vc.bool_node(*b);
                conds.push(self.vc.eq(value, c, "constant pattern"));
                Ok(())
            }
            Pattern::ConstInt(ty, i) => {
                let tv = self.tv_of_isle_type(*ty)?;
                let c = self
                    .vc
                    .node_tv(Kind::Num(*i), tv, "integer constant in a pattern");
                conds.push(self.vc.eq(value, c, "constant pattern"));
                Ok(())
            }
            Pattern::ConstPrim(_, sym) => {
                let c = self.const_prim(prog.sym(*sym))?;
                conds.push(self.vc.eq(value, c, "constant pattern"));
                Ok(())
            }
            Pattern::Wildcard(_) => Ok(()),
            Pattern::And(_, subs) => {
                for s in subs {
                    self.match_pattern(scope, s, value, conds)?;
                }
                Ok(())
            }
            Pattern::Term(_, term_id, subs) => {
                let Some(term) = prog.termenv.terms.get(term_id.index()) else {
                    return self.err("unknown term in pattern");
                };
                let name = prog.term_name(*term_id).to_string();
                if matches!(term.kind, TermKind::Struct) && !prog.specs.contains_key(&name) {
                    let fields = self.struct_fields(term.ret_ty)?;
                    let tv = self.tv_of_isle_type(term.ret_ty)?;
                    self.unify_now(self.vc.ty_of(value), tv, "struct pattern")?;
                    for ((fname, _), sub) in fields.iter().zip(subs.iter()) {
                        let f = self.vc.node(
                            Kind::Field(fname.clone(), value),
                            Shape::Unknown,
                            "struct field",
                        );
                        self.match_pattern(scope, sub, f, conds)?;
                    }
                    return Ok(());
                }
                // A variant with its own spec is an ordinary term (its enum
                // type is modeled as something else, e.g. an address).
                if let TermKind::EnumVariant { variant } = &term.kind
                    && !prog.specs.contains_key(&name)
                {
                    return self.match_variant(scope, term, *variant, subs, value, conds);
                }
                let Some(spec) = prog.specs.get(&name) else {
                    return self.err(format!(
                        "no spec for term `{name}` used by rule `{}`",
                        self.rule_label
                    ));
                };
                self.instance += 1;
                let k = self.instance;
                let origin = format!("spec of `{name}` at {}", prog.pos(spec.pos));
                let mut args = Vec::new();
                for (i, &ty) in term.arg_tys.iter().enumerate() {
                    let tv = self.tv_of_isle_type(ty)?;
                    let an = spec.args.get(i).map(|a| a.0.as_str()).unwrap_or("arg");
                    let label = format!("{name}#{k}.{an}");
                    let n = self.fresh(&label, tv, Role::Intermediate, &origin);
                    if self.quantified.is_none() {
                        self.vc.intermediates.push((label, n));
                    }
                    args.push(n);
                }
                let rtv = self.tv_of_isle_type(term.ret_ty)?;
                self.unify_now(self.vc.ty_of(value), rtv, &origin)?;
                let arg_tvs: Vec<Tv> = args.iter().map(|&a| self.vc.ty_of(a)).collect();
                self.record_site(&name, arg_tvs, self.vc.ty_of(value));
                let mut local = Vec::new();
                self.instantiate_spec(&name, spec, &args, value, Some(&mut local))?;
                conds.extend(local);
                for (sub, &a) in subs.iter().zip(args.iter()) {
                    self.match_pattern(scope, sub, a, conds)?;
                }
                Ok(())
            }
        }
    }

    fn match_variant(
        &mut self,
        scope: usize,
        term: &sema::Term,
        variant: sema::VariantId,
        subs: &[Pattern],
        value: NodeId,
        conds: &mut Vec<NodeId>,
    ) -> R<()> {
        let ety = term.ret_ty;
        let tv = self.tv_of_isle_type(ety)?;
        self.unify_now(self.vc.ty_of(value), tv, "enum pattern")?;
        let (vname, fields) = self.variant_fields(ety, variant)?;
        let tag = self
            .vc
            .node(Kind::Field("$tag".into(), value), Shape::Int, "enum tag");
        let idx = self
            .vc
            .node(Kind::Int(variant.index() as i128), Shape::Int, "");
        conds.push(self.vc.eq(tag, idx, "enum variant pattern"));
        for ((fname, _), sub) in fields.iter().zip(subs.iter()) {
            let f = self.vc.node(
                Kind::Field(format!("{vname}.{fname}"), value),
                Shape::Unknown,
                "enum field",
            );
            self.match_pattern(scope, sub, f, conds)?;
        }
        Ok(())
    }

    fn const_prim(&mut self, name: &str) -> R<NodeId> {
        let Some(e) = self.prog.const_models.get(name) else {
            return self.err(format!(
                "no model for constant `${name}` (add `(model {name} (const ...))`)"
            ));
        };
        let e = e.clone();
        let mut env = Env::new();
        self.elab(&e, &mut env, &format!("model of `${name}`"), None)
    }

    fn eval_expr(&mut self, scope: usize, expr: &sema::Expr) -> R<NodeId> {
        let prog = self.prog;
        match expr {
            sema::Expr::Var(_, v) => match self.rule_vars.get(&(scope, v.index())) {
                Some(&n) => Ok(n),
                None => self.err("expression uses an unbound variable"),
            },
            sema::Expr::ConstBool(_, b) => Ok(self.vc.bool_node(*b)),
            sema::Expr::ConstInt(ty, i) => {
                let tv = self.tv_of_isle_type(*ty)?;
                Ok(self.vc.node_tv(Kind::Num(*i), tv, "integer constant"))
            }
            sema::Expr::ConstPrim(_, sym) => self.const_prim(prog.sym(*sym)),
            sema::Expr::Let { bindings, body, .. } => {
                for (var, _, e) in bindings {
                    let n = self.eval_expr(scope, e)?;
                    self.rule_vars.insert((scope, var.index()), n);
                }
                self.eval_expr(scope, body)
            }
            sema::Expr::Term(_, term_id, args) => {
                let mut vals = Vec::new();
                for a in args {
                    vals.push(self.eval_expr(scope, a)?);
                }
                self.apply_term(*term_id, &vals)
            }
        }
    }

    fn apply_term(&mut self, term_id: TermId, vals: &[NodeId]) -> R<NodeId> {
        let prog = self.prog;
        let Some(term) = prog.termenv.terms.get(term_id.index()) else {
            return self.err("unknown term");
        };
        let name = prog.term_name(term_id).to_string();
        if let TermKind::EnumVariant { variant } = &term.kind
            && !prog.specs.contains_key(&name)
        {
            return self.construct_variant(term, *variant, vals);
        }
        if matches!(term.kind, TermKind::Struct) && !prog.specs.contains_key(&name) {
            let fields = self.struct_fields(term.ret_ty)?;
            let tv = self.tv_of_isle_type(term.ret_ty)?;
            let inits = fields
                .iter()
                .map(|(f, _)| f.clone())
                .zip(vals.iter().copied())
                .collect();
            return Ok(self
                .vc
                .node_tv(Kind::Struct(inits), tv, "struct constructor"));
        }
        let spec = prog.specs.get(&name);
        if spec.is_none() && prog.chain.contains(&name) {
            return self.chain(term_id, &name, vals);
        }
        let Some(spec) = spec else {
            return self.err(format!(
                "no spec for term `{name}` used by rule `{}`",
                self.rule_label
            ));
        };
        self.instance += 1;
        let k = self.instance;
        let origin = format!("spec of `{name}` at {}", prog.pos(spec.pos));
        for (i, (&ty, &v)) in term.arg_tys.iter().zip(vals.iter()).enumerate() {
            let tv = self.tv_of_isle_type(ty)?;
            let vt = self.vc.ty_of(v);
            self.unify_now(tv, vt, &format!("argument {i} of `{name}`"))?;
        }
        let rtv = self.tv_of_isle_type(term.ret_ty)?;
        let label = format!("{name}#{k}");
        let result = self.fresh(&label, rtv, Role::Intermediate, &origin);
        let arg_tvs: Vec<Tv> = vals.iter().map(|&a| self.vc.ty_of(a)).collect();
        self.record_site(&name, arg_tvs, rtv);
        if self.quantified.is_none() {
            self.vc.intermediates.push((label, result));
        }
        let mut local = Vec::new();
        self.instantiate_spec(&name, spec, vals, result, Some(&mut local))?;
        let what = format!("spec of `{name}` (provide/match)");
        for c in local {
            self.cond(c, &what);
        }
        Ok(result)
    }

    fn construct_variant(
        &mut self,
        term: &sema::Term,
        variant: sema::VariantId,
        vals: &[NodeId],
    ) -> R<NodeId> {
        let ety = term.ret_ty;
        let tv = self.tv_of_isle_type(ety)?;
        let (vname, fields) = self.variant_fields(ety, variant)?;
        let result = self.fresh("enum", tv, Role::Internal, "enum constructor");
        let tag = self
            .vc
            .node(Kind::Field("$tag".into(), result), Shape::Int, "enum tag");
        let idx = self
            .vc
            .node(Kind::Int(variant.index() as i128), Shape::Int, "");
        let eq = self.vc.eq(tag, idx, "enum constructor");
        self.cond(eq, "enum constructor");
        for ((fname, _), &v) in fields.iter().zip(vals.iter()) {
            let f = self.vc.node(
                Kind::Field(format!("{vname}.{fname}"), result),
                Shape::Unknown,
                "enum field",
            );
            let eq = self.vc.eq(f, v, "enum constructor field");
            self.cond(eq, "enum constructor");
        }
        Ok(result)
    }

    /// Inline one rule of a chained term (the one this expansion chose).
    fn chain(&mut self, term_id: TermId, name: &str, vals: &[NodeId]) -> R<NodeId> {
        let prog = self.prog;
        if self.quantified.is_some() {
            return self.err(format!(
                "chained term `{name}` inside a negated higher-priority rule"
            ));
        }
        let mut candidates: Vec<RuleId> = prog
            .termenv
            .rules
            .iter()
            .filter(|r| r.root_term == term_id)
            .map(|r| r.id)
            .collect();
        if candidates.is_empty() {
            return self.err(format!(
                "no spec for term `{name}` used by rule `{}` (it is tagged chain but has no rules)",
                self.rule_label
            ));
        }
        // Highest priority first, then source order: stable expansion names.
        candidates.sort_by_key(|r| {
            let rule = &prog.termenv.rules[r.index()];
            (std::cmp::Reverse(rule.prio), rule.pos)
        });
        if self.chain_depth >= MAX_CHAIN_DEPTH {
            return self.err(format!(
                "chaining `{name}` nests more than {MAX_CHAIN_DEPTH} levels (recursive chain?)"
            ));
        }
        let Some(&chosen) = self.choices.get(self.next_choice) else {
            return Err(BuildError::NeedChoice(candidates));
        };
        self.next_choice += 1;
        let Some(rule) = prog.termenv.rules.get(chosen.index()) else {
            return self.err("unknown chained rule");
        };
        self.chosen
            .push(format!("{name}: {}", prog.rule_name(chosen)));
        self.chain_depth += 1;
        let scope = self.new_scope();
        let mut conds = Vec::new();
        for (pat, &v) in rule.args.iter().zip(vals.iter()) {
            self.match_pattern(scope, pat, v, &mut conds)?;
        }
        for iflet in &rule.iflets {
            let v = self.eval_expr(scope, &iflet.rhs)?;
            self.match_pattern(scope, &iflet.lhs, v, &mut conds)?;
        }
        let what = format!("chained rule `{}` matches", prog.rule_name(chosen));
        for c in conds {
            self.assume(c, &what);
        }
        self.negate_higher_priority(term_id, chosen, vals)?;
        let out = self.eval_expr(scope, &rule.rhs)?;
        self.chain_depth -= 1;
        Ok(out)
    }

    /// Assume that no higher-priority `priority`-tagged rule of `term`
    /// matched the same arguments.
    fn negate_higher_priority(&mut self, term: TermId, rule: RuleId, args: &[NodeId]) -> R<()> {
        let prog = self.prog;
        let Some(me) = prog.termenv.rules.get(rule.index()) else {
            return Ok(());
        };
        let higher: Vec<RuleId> = prog
            .termenv
            .rules
            .iter()
            .filter(|r| r.root_term == term && r.prio > me.prio && prog.is_priority_rule(r.id))
            .map(|r| r.id)
            .collect();
        for h in higher {
            let Some(hr) = prog.termenv.rules.get(h.index()) else {
                continue;
            };
            let saved_side = self.side;
            let saved_q = self.quantified.replace(Vec::new());
            let saved_neg = std::mem::take(&mut self.neg_conds);
            self.side = Side::Negated;
            let scope = self.new_scope();
            let mut conds = Vec::new();
            let mut res: R<()> = Ok(());
            for (pat, &a) in hr.args.iter().zip(args.iter()) {
                res = self.match_pattern(scope, pat, a, &mut conds);
                if res.is_err() {
                    break;
                }
            }
            if res.is_ok() {
                for iflet in &hr.iflets {
                    res = self
                        .eval_expr(scope, &iflet.rhs)
                        .and_then(|v| self.match_pattern(scope, &iflet.lhs, v, &mut conds));
                    if res.is_err() {
                        break;
                    }
                }
            }
            let vars = std::mem::replace(&mut self.quantified, saved_q).unwrap_or_default();
            self.side = saved_side;
            conds.extend(std::mem::replace(&mut self.neg_conds, saved_neg));
            res?;
            let n = self.vc.node(
                Kind::NotExists(vars, conds),
                Shape::Bool,
                "higher-priority rule",
            );
            self.assume(
                n,
                &format!(
                    "higher-priority rule `{}` does not match",
                    prog.rule_name(h)
                ),
            );
        }
        Ok(())
    }
}
