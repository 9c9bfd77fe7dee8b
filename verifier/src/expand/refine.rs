//! Refinement for nondeterministic left-hand sides.
//!
//! The root's obligation relates its argument (the IR value the left side
//! matched) to its result. The argument is universally quantified over every
//! value the IR spec allows, which is right when the IR spec is a function of
//! the inputs. A float op is not: Wasm lets a NaN result be any NaN of a set
//! (ir.isle's `nan_result!`), and no machine returns every member. What the
//! rule must show is refinement: the machine's result is *one of* the allowed
//! values, i.e. `exists arg'. lhs(arg') and root(arg', result)`.
//!
//! We prove that without a quantifier by offering two witnesses: the matched
//! `arg` itself (the deterministic case, and every case where the root's
//! obligation does not look at the value, such as a trap) or the machine's
//! `result`. Each root obligation `O(arg)` becomes
//! `O(arg) or (A(result) and O_all(result))`, where `A` is every assumption
//! that mentions `arg` (what the left side says about it) and `O_all` the
//! conjunction of the root's obligations. Sound: either disjunct exhibits an
//! allowed left-hand value satisfying the root's spec.
//!
//! Only applied when an assumption about `arg` uses floating point (the only
//! nondeterminism in the IR specs), so integer rules keep their old query.

use super::Builder;
use crate::ir::{Kind, NodeId};
use cranelift_isle::ast::SpecOp;
use std::collections::HashMap;

fn children(kind: &Kind) -> Vec<NodeId> {
    match kind {
        Kind::Var(_) | Kind::Bool(_) | Kind::Int(_) | Kind::BitVec { .. } | Kind::Num(_) => {
            Vec::new()
        }
        Kind::Op(_, xs) => xs.clone(),
        Kind::Field(_, x) => vec![*x],
        Kind::Struct(fs) => fs.iter().map(|f| f.1).collect(),
        Kind::Switch(x, arms) => {
            let mut v = vec![*x];
            for (k, e) in arms {
                v.push(*k);
                v.push(*e);
            }
            v
        }
        Kind::NotExists(_, cs) => cs.clone(),
        Kind::Exists(_, b) => vec![*b],
    }
}

fn with_children(kind: &Kind, new: &[NodeId]) -> Kind {
    match kind {
        Kind::Op(op, _) => Kind::Op(op.clone(), new.to_vec()),
        Kind::Field(f, _) => Kind::Field(f.clone(), new[0]),
        Kind::Struct(fs) => {
            Kind::Struct(fs.iter().zip(new).map(|(f, &n)| (f.0.clone(), n)).collect())
        }
        Kind::Switch(_, arms) => Kind::Switch(
            new[0],
            (0..arms.len())
                .map(|i| (new[1 + 2 * i], new[2 + 2 * i]))
                .collect(),
        ),
        Kind::NotExists(vs, _) => Kind::NotExists(vs.clone(), new.to_vec()),
        Kind::Exists(vs, _) => Kind::Exists(vs.clone(), new[0]),
        k => k.clone(),
    }
}

fn is_fp_op(op: &SpecOp) -> bool {
    format!("{op:?}").starts_with("FP")
}

impl Builder<'_> {
    /// Does `n` depend on `target` (memoised in `memo`)?
    fn mentions(&self, n: NodeId, target: NodeId, memo: &mut HashMap<NodeId, bool>) -> bool {
        if n == target {
            return true;
        }
        if let Some(&m) = memo.get(&n) {
            return m;
        }
        let kids = self
            .vc
            .nodes
            .get(n)
            .map(|x| children(&x.kind))
            .unwrap_or_default();
        let m = kids.into_iter().any(|k| self.mentions(k, target, memo));
        memo.insert(n, m);
        m
    }

    fn uses_fp(&self, n: NodeId, seen: &mut HashMap<NodeId, bool>) -> bool {
        if let Some(&m) = seen.get(&n) {
            return m;
        }
        let Some(node) = self.vc.nodes.get(n) else {
            return false;
        };
        let own = matches!(&node.kind, Kind::Op(op, _) if is_fp_op(op));
        let kids = children(&node.kind);
        let m = own || kids.into_iter().any(|k| self.uses_fp(k, seen));
        seen.insert(n, m);
        m
    }

    /// A copy of `n` with `from` replaced by `to` (shared where unchanged).
    fn subst(
        &mut self,
        n: NodeId,
        from: NodeId,
        to: NodeId,
        mentions: &mut HashMap<NodeId, bool>,
        done: &mut HashMap<NodeId, NodeId>,
    ) -> NodeId {
        if n == from {
            return to;
        }
        if !self.mentions(n, from, mentions) {
            return n;
        }
        if let Some(&d) = done.get(&n) {
            return d;
        }
        let node = self.vc.nodes[n].clone();
        let new: Vec<NodeId> = children(&node.kind)
            .into_iter()
            .map(|k| self.subst(k, from, to, mentions, done))
            .collect();
        let kind = with_children(&node.kind, &new);
        let r = self.vc.node_tv(kind, node.ty, &node.origin);
        done.insert(n, r);
        r
    }

    /// Rewrite the root's obligations `[first, end)` as described in the
    /// module comment. `arg` is the root's first argument, `result` its result.
    pub(super) fn refine_root(&mut self, first: usize, end: usize, arg: NodeId, result: NodeId) {
        if first >= end {
            return;
        }
        let mut mentions = HashMap::new();
        let about_arg: Vec<NodeId> = self
            .vc
            .assumptions
            .clone()
            .iter()
            .map(|f| f.node)
            .filter(|&a| self.mentions(a, arg, &mut mentions))
            .collect();
        let mut seen = HashMap::new();
        if !about_arg.iter().any(|&a| self.uses_fp(a, &mut seen)) {
            return;
        }
        let mut done = HashMap::new();
        let root_obls: Vec<NodeId> = self.vc.obligations[first..end]
            .iter()
            .map(|f| f.node)
            .collect();
        let mut alt = Vec::new();
        for n in about_arg.into_iter().chain(root_obls) {
            alt.push(self.subst(n, arg, result, &mut mentions, &mut done));
        }
        let alt = self
            .vc
            .and(alt, "the machine's result is an allowed IR result");
        for i in first..end {
            let o = self.vc.obligations[i].node;
            self.vc.obligations[i].node = self.vc.node(
                Kind::Op(SpecOp::Or, vec![o, alt]),
                crate::ir::Shape::Bool,
                "root obligation, or refinement by the machine's result",
            );
        }
    }
}
