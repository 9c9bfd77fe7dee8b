//! Spec elaboration: instantiating a term's spec (provide/require/match,
//! state) for one application, and spec expressions (macros, let/with,
//! match, switch, enums, structs) as VC nodes.

use super::*;

impl Builder<'_> {
    /// Instantiate `spec` for one application with the given argument and
    /// result values. Callee provides/matches go to `local` (the caller
    /// decides whether they are assumptions or pattern conditions); requires
    /// become obligations. For the root, the roles flip.
    pub(super) fn instantiate_spec(
        &mut self,
        name: &str,
        spec: &ast::Spec,
        args: &[NodeId],
        result: NodeId,
        mut local: Option<&mut Vec<NodeId>>,
    ) -> R<()> {
        let prog = self.prog;
        let origin = format!("spec of `{name}` at {}", prog.pos(spec.pos));
        let mut env = Env::new();
        for (a, &n) in spec.args.iter().zip(args.iter()) {
            env.insert(a.0.clone(), Bound::Node(n));
        }
        env.insert("result".to_string(), Bound::Node(result));
        for m in &spec.modifies {
            let cond = match &m.cond {
                Some(c) => {
                    // The modification condition is a Bool the spec defines:
                    // the term modifies the state only when it holds.
                    let n = match env.get(&c.0) {
                        Some(Bound::Node(n)) => *n,
                        _ => {
                            let tv = self.vc.new_tv(Shape::Bool);
                            let n = self.fresh(&c.0, tv, Role::Internal, &origin);
                            env.insert(c.0.clone(), Bound::Node(n));
                            n
                        }
                    };
                    Some(n)
                }
                None => None,
            };
            if self.side != Side::Negated {
                self.modified
                    .entry(m.state.0.clone())
                    .or_default()
                    .push(cond);
            }
        }
        self.bind_states(&mut env)?;

        match self.side {
            Side::Root => {
                for e in spec.requires.iter().chain(spec.matches.iter()) {
                    let n = self.elab(e, &mut env.clone(), &origin, None)?;
                    self.assume(n, &format!("root `{name}` require/match"));
                }
                for e in &spec.provides {
                    let saved = self.quantified.replace(Vec::new());
                    let n = self.elab(e, &mut env.clone(), &origin, None);
                    let vars = std::mem::replace(&mut self.quantified, saved).unwrap_or_default();
                    let mut n = n?;
                    if !vars.is_empty() {
                        n = self.vc.node(Kind::Exists(vars, n), Shape::Bool, &origin);
                    }
                    self.vc.obligations.push(Fact {
                        node: n,
                        what: format!("provide of root `{name}`: {}", short_expr(e)),
                    });
                }
            }
            Side::Callee | Side::Negated => {
                for e in spec.provides.iter().chain(spec.matches.iter()) {
                    let n = self.elab(e, &mut env.clone(), &origin, None)?;
                    match local.as_deref_mut() {
                        Some(l) => l.push(n),
                        None => self.cond(n, &origin),
                    }
                }
                if self.side == Side::Callee {
                    for e in &spec.requires {
                        let saved = self.quantified.replace(Vec::new());
                        let n = self.elab(e, &mut env.clone(), &origin, None);
                        let vars =
                            std::mem::replace(&mut self.quantified, saved).unwrap_or_default();
                        let mut n = n?;
                        if !vars.is_empty() {
                            n = self.vc.node(Kind::Exists(vars, n), Shape::Bool, &origin);
                        }
                        self.vc.obligations.push(Fact {
                            node: n,
                            what: format!("require of `{name}`: {}", short_expr(e)),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Make every declared state variable visible by name.
    pub(super) fn bind_states(&mut self, env: &mut Env) -> R<()> {
        let prog = self.prog;
        for st in &prog.states {
            let n = match self.states.get(&st.name.0) {
                Some(&n) => n,
                None => {
                    let tv = self.tv_of_model(&st.ty, 0)?;
                    let (_, n) = self.vc.var(
                        &st.name.0,
                        tv,
                        Role::State,
                        &format!("state `{}` at {}", st.name.0, prog.pos(st.pos)),
                    );
                    self.states.insert(st.name.0.clone(), n);
                    self.vc.intermediates.push((st.name.0.clone(), n));
                    n
                }
            };
            env.insert(st.name.0.clone(), Bound::Node(n));
        }
        Ok(())
    }

    /// State nobody modified takes its default.
    pub(super) fn finish_states(&mut self) -> R<()> {
        let prog = self.prog;
        let mut env = Env::new();
        if self.states.is_empty() {
            // No spec referred to state: nothing constrains it.
            return Ok(());
        }
        self.bind_states(&mut env)?;
        for st in &prog.states {
            let conds = self.modified.get(&st.name.0).cloned().unwrap_or_default();
            if conds.iter().any(Option::is_none) {
                continue;
            }
            let origin = format!("default of state `{}` at {}", st.name.0, prog.pos(st.pos));
            let mut n = self.elab(&st.default, &mut env.clone(), &origin, None)?;
            if !conds.is_empty() {
                // Default unless some conditional modification happened.
                let mut alts: Vec<NodeId> = conds.into_iter().flatten().collect();
                alts.push(n);
                n = self
                    .vc
                    .node(Kind::Op(SpecOp::Or, alts), Shape::Bool, &origin);
            }
            self.assume(n, &origin);
        }
        Ok(())
    }

    /// Elaborate a spec expression into VC nodes.
    pub(super) fn elab(
        &mut self,
        e: &SpecExpr,
        env: &mut Env,
        origin: &str,
        depth: Option<usize>,
    ) -> R<NodeId> {
        let depth = depth.unwrap_or(0);
        if depth > 200 {
            return self.err(format!("spec expression nests too deeply ({origin})"));
        }
        let d = Some(depth + 1);
        let here = |pos| format!("{origin}, {}", self.prog.pos(pos));
        match e {
            SpecExpr::ConstInt { val, .. } => {
                Ok(self.vc.node(Kind::Num(*val), Shape::Unknown, origin))
            }
            SpecExpr::ConstBitVec { val, width, .. } => Ok(self.vc.node(
                Kind::BitVec {
                    val: *val,
                    width: *width,
                },
                Shape::BitVec(Some(*width)),
                origin,
            )),
            SpecExpr::ConstBool { val, .. } => Ok(self.vc.bool_node(*val)),
            SpecExpr::Var { var, pos } => match env.get(&var.0) {
                Some(Bound::Node(n)) => Ok(*n),
                Some(Bound::Macro(..)) => self.err(format!(
                    "`{}` is a macro; call it as `({}! ...)` ({})",
                    var.0,
                    var.0,
                    here(*pos)
                )),
                None => {
                    if let Some(c) = var.0.strip_prefix('$') {
                        return self.const_prim(c);
                    }
                    self.err(format!("unknown variable `{}` in {}", var.0, here(*pos)))
                }
            },
            SpecExpr::As { x, ty, .. } => {
                let n = self.elab(x, env, origin, d)?;
                let tv = self.tv_of_model(ty, 0)?;
                let nt = self.vc.ty_of(n);
                self.unify_now(nt, tv, origin)?;
                Ok(n)
            }
            SpecExpr::Field { field, x, .. } => {
                let n = self.elab(x, env, origin, d)?;
                Ok(self
                    .vc
                    .node(Kind::Field(field.0.clone(), n), Shape::Unknown, origin))
            }
            SpecExpr::Discriminator { variant, x, pos } => {
                let n = self.elab(x, env, origin, d)?;
                let idx = self.variant_index_by_name(&variant.0, None, &here(*pos))?;
                let tag = self
                    .vc
                    .node(Kind::Field("$tag".into(), n), Shape::Int, origin);
                let i = self.vc.node(Kind::Int(idx as i128), Shape::Int, origin);
                Ok(self.vc.eq(tag, i, origin))
            }
            SpecExpr::Enum {
                name,
                variant,
                args,
                pos,
            } => {
                let Some(tid) = self.prog.tyenv.get_type_by_name(name) else {
                    return self.err(format!("unknown enum type `{}` ({})", name.0, here(*pos)));
                };
                let idx = self.variant_index_by_name(&variant.0, Some(tid), &here(*pos))?;
                let (vname, fields) = self.variant_fields(tid, sema::VariantId(idx))?;
                let tv = self.tv_of_isle_type(tid)?;
                let tag_tv = self.vc.new_tv(Shape::Int);
                let mut inits = Vec::new();
                let idx_n = self.vc.node(Kind::Int(idx as i128), Shape::Int, origin);
                let _ = tag_tv;
                inits.push(("$tag".to_string(), idx_n));
                let mut given = HashMap::new();
                for ((fname, _), a) in fields.iter().zip(args.iter()) {
                    let n = self.elab(a, env, origin, d)?;
                    given.insert(format!("{vname}.{fname}"), n);
                }
                // Fields of other variants are unconstrained.
                let all: Vec<(String, Tv)> = match self.vc.shape(tv) {
                    Shape::Struct(fs) => fs.clone(),
                    _ => Vec::new(),
                };
                for (fname, ftv) in all {
                    if fname == "$tag" {
                        continue;
                    }
                    let n = match given.get(&fname) {
                        Some(&n) => n,
                        None => self.fresh("unused_field", ftv, Role::Internal, origin),
                    };
                    inits.push((fname, n));
                }
                Ok(self.vc.node_tv(Kind::Struct(inits), tv, origin))
            }
            SpecExpr::Struct { fields, .. } => {
                let mut inits = Vec::new();
                for f in fields {
                    let n = self.elab(&f.value, env, origin, d)?;
                    inits.push((f.name.0.clone(), n));
                }
                let tvs = inits
                    .iter()
                    .map(|(name, n)| (name.clone(), self.vc.ty_of(*n)))
                    .collect();
                Ok(self
                    .vc
                    .node(Kind::Struct(inits), Shape::Struct(tvs), origin))
            }
            SpecExpr::Match { x, arms, pos } => {
                // (match x ((V a b) body) ...) -> nested ite on the tag, with
                // the arm's names bound to the variant's fields.
                let xn = self.elab(x, env, origin, d)?;
                let mut out: Option<NodeId> = None;
                for arm in arms.iter().rev() {
                    let (tid, idx) = self.variant_by_name(&arm.variant.0, &here(*pos))?;
                    let (vname, fields) = self.variant_fields(tid, sema::VariantId(idx))?;
                    let tv = self.tv_of_isle_type(tid)?;
                    let xt = self.vc.ty_of(xn);
                    self.unify_now(xt, tv, origin)?;
                    let mut inner = env.clone();
                    for (a, (fname, _)) in arm.args.iter().zip(fields.iter()) {
                        let f = self.vc.node(
                            Kind::Field(format!("{vname}.{fname}"), xn),
                            Shape::Unknown,
                            origin,
                        );
                        inner.insert(a.0.clone(), Bound::Node(f));
                    }
                    let body = self.elab(&arm.body, &mut inner, origin, d)?;
                    out = Some(match out {
                        None => body,
                        Some(rest) => {
                            let tag =
                                self.vc
                                    .node(Kind::Field("$tag".into(), xn), Shape::Int, origin);
                            let i = self.vc.node(Kind::Int(idx as i128), Shape::Int, origin);
                            let c = self.vc.eq(tag, i, origin);
                            self.vc.op(SpecOp::If, vec![c, body, rest], origin)
                        }
                    });
                }
                match out {
                    Some(n) => Ok(n),
                    None => self.err(format!("match with no arms ({})", here(*pos))),
                }
            }
            SpecExpr::Let { defs, body, .. } => {
                let mut inner = env.clone();
                for (name, val) in defs {
                    if let SpecExpr::Macro { params, body, .. } = val {
                        let ps = params.iter().map(|p| p.0.clone()).collect();
                        inner.insert(name.0.clone(), Bound::Macro(ps, (**body).clone()));
                        continue;
                    }
                    let n = self.elab(val, &mut inner, origin, d)?;
                    inner.insert(name.0.clone(), Bound::Node(n));
                }
                self.elab(body, &mut inner, origin, d)
            }
            SpecExpr::With { decls, body, .. } => {
                let mut inner = env.clone();
                for v in decls {
                    let tv = self.vc.new_tv(Shape::Unknown);
                    let n = self.fresh(&v.0, tv, Role::Internal, origin);
                    inner.insert(v.0.clone(), Bound::Node(n));
                }
                self.elab(body, &mut inner, origin, d)
            }
            SpecExpr::Macro { pos, .. } => self.err(format!(
                "a macro value may only be bound by `let` ({})",
                here(*pos)
            )),
            SpecExpr::Expand { name, args, pos } => {
                let (params, body) = match env.get(&name.0) {
                    Some(Bound::Macro(p, b)) => (p.clone(), b.clone()),
                    _ => match self.prog.macros.get(&name.0) {
                        Some(m) => (
                            m.params.iter().map(|p| p.0.clone()).collect(),
                            m.body.clone(),
                        ),
                        None => {
                            return self.err(format!(
                                "unknown macro `{}!` ({})",
                                name.0,
                                here(*pos)
                            ));
                        }
                    },
                };
                if params.len() != args.len() {
                    return self.err(format!(
                        "macro `{}!` takes {} arguments, given {} ({})",
                        name.0,
                        params.len(),
                        args.len(),
                        here(*pos)
                    ));
                }
                // Arguments are evaluated in the caller's scope; the body sees
                // only its parameters and global macros (hygiene).
                let mut inner = Env::new();
                for (p, a) in params.iter().zip(args.iter()) {
                    let n = self.elab(a, env, origin, d)?;
                    inner.insert(p.clone(), Bound::Node(n));
                }
                // State stays visible inside macros.
                for (k, v) in env.iter() {
                    if self.states.contains_key(k) && !inner.contains_key(k) {
                        inner.insert(k.clone(), v.clone());
                    }
                }
                let morigin = format!("{origin}, in macro `{}!`", name.0);
                self.elab(&body, &mut inner, &morigin, d)
            }
            SpecExpr::Pair { pos, .. } => self.err(format!(
                "a pair may only appear as a switch arm ({})",
                here(*pos)
            )),
            SpecExpr::Op { op, args, pos } => {
                let at = here(*pos);
                if *op == SpecOp::Switch {
                    let Some((first, rest)) = args.split_first() else {
                        return self.err(format!("switch needs a scrutinee ({at})"));
                    };
                    let x = self.elab(first, env, &at, d)?;
                    let mut arms = Vec::new();
                    for a in rest {
                        let SpecExpr::Pair { l, r, .. } = a else {
                            return self.err(format!("switch arms must be pairs ({at})"));
                        };
                        let k = self.elab(l, env, &at, d)?;
                        let v = self.elab(r, env, &at, d)?;
                        arms.push((k, v));
                    }
                    if arms.is_empty() {
                        return self.err(format!("switch with no arms ({at})"));
                    }
                    return Ok(self.vc.node(Kind::Switch(x, arms), Shape::Unknown, &at));
                }
                let mut ns = Vec::new();
                for a in args {
                    ns.push(self.elab(a, env, &at, d)?);
                }
                crate::infer::check_arity(op, ns.len()).map_err(|m| {
                    BuildError::Error(format!("rule `{}`: {m} ({at})", self.rule_label))
                })?;
                Ok(self.vc.op(op.clone(), ns, &at))
            }
        }
    }

    pub(super) fn variant_index_by_name(
        &self,
        variant: &str,
        ty: Option<TypeId>,
        at: &str,
    ) -> R<usize> {
        match ty {
            Some(tid) => match self.prog.tyenv.types.get(tid.index()) {
                Some(sema::Type::Enum { variants, .. }) => {
                    match variants
                        .iter()
                        .position(|v| self.prog.sym(v.name) == variant)
                    {
                        Some(i) => Ok(i),
                        None => self.err(format!("unknown variant `{variant}` ({at})")),
                    }
                }
                _ => self.err(format!("`{variant}` is not an enum variant ({at})")),
            },
            None => self.variant_by_name(variant, at).map(|(_, i)| i),
        }
    }

    /// Find an enum variant by `Variant` or `Enum.Variant` name.
    pub(super) fn variant_by_name(&self, variant: &str, at: &str) -> R<(TypeId, usize)> {
        let (ename, vname) = match variant.split_once('.') {
            Some((e, v)) => (Some(e), v),
            None => (None, variant),
        };
        let mut found = Vec::new();
        for t in &self.prog.tyenv.types {
            if let sema::Type::Enum {
                name, id, variants, ..
            } = t
            {
                if ename.is_some_and(|e| e != self.prog.sym(*name)) {
                    continue;
                }
                if let Some(i) = variants.iter().position(|v| self.prog.sym(v.name) == vname) {
                    found.push((*id, i));
                }
            }
        }
        match found.as_slice() {
            [one] => Ok(*one),
            [] => self.err(format!("unknown enum variant `{variant}` ({at})")),
            _ => self.err(format!(
                "ambiguous enum variant `{variant}`: write `Enum.{variant}` ({at})"
            )),
        }
    }
}

/// A compact one-line rendering of a spec expression, for messages.
pub fn short_expr(e: &SpecExpr) -> String {
    let mut s = String::new();
    render(e, &mut s, 0);
    if s.len() > 120 {
        let mut cut = 117;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

fn render(e: &SpecExpr, out: &mut String, depth: usize) {
    if depth > 6 || out.len() > 140 {
        out.push_str("...");
        return;
    }
    match e {
        SpecExpr::ConstInt { val, .. } => out.push_str(&val.to_string()),
        SpecExpr::ConstBitVec { val, width, .. } => out.push_str(&format!("#x{val:x}:{width}")),
        SpecExpr::ConstBool { val, .. } => out.push_str(&val.to_string()),
        SpecExpr::Var { var, .. } => out.push_str(&var.0),
        SpecExpr::Op { op, args, .. } => {
            out.push('(');
            out.push_str(&crate::infer::op_name(op));
            for a in args {
                out.push(' ');
                render(a, out, depth + 1);
            }
            out.push(')');
        }
        SpecExpr::Field { field, x, .. } => {
            out.push_str(&format!("(:{} ", field.0));
            render(x, out, depth + 1);
            out.push(')');
        }
        SpecExpr::Expand { name, args, .. } => {
            out.push_str(&format!("({}!", name.0));
            for a in args {
                out.push(' ');
                render(a, out, depth + 1);
            }
            out.push(')');
        }
        SpecExpr::Pair { l, r, .. } => {
            out.push('(');
            render(l, out, depth + 1);
            out.push(' ');
            render(r, out, depth + 1);
            out.push(')');
        }
        SpecExpr::Let { .. } => out.push_str("(let ...)"),
        SpecExpr::With { .. } => out.push_str("(with ...)"),
        SpecExpr::Match { .. } => out.push_str("(match ...)"),
        _ => out.push_str("(...)"),
    }
}
