//! Type and width inference: constraint propagation over the VC graph.
//!
//! Every node and variable has a type variable; operators relate them (same
//! type, `widthof`, concat/extract sums, extends to a constant width,
//! `conv_to`, `int2bv`...). Integer-valued nodes that feed widths are folded
//! to constants as soon as their inputs are known. We iterate to a fixpoint;
//! any bit-vector whose width is still unknown afterwards makes the rule
//! untypable, and the error names where that value comes from.

use crate::ir::{Kind, NodeId, Shape, Tv, Vc, describe_shape};
use cranelift_isle::ast::SpecOp;

/// Merge two type variables. Returns whether anything was learned.
pub fn unify(vc: &mut Vc, a: Tv, b: Tv) -> Result<bool, String> {
    unify_depth(vc, a, b, 0)
}

fn unify_depth(vc: &mut Vc, a: Tv, b: Tv, depth: usize) -> Result<bool, String> {
    if depth > 32 {
        return Err("types nest too deeply".to_string());
    }
    let ra = vc.find(a);
    let rb = vc.find(b);
    if ra == rb {
        return Ok(false);
    }
    let sa = vc.shape(ra).clone();
    let sb = vc.shape(rb).clone();
    let mut pairs = Vec::new();
    let merged = match (&sa, &sb) {
        (Shape::Unknown, s) | (s, Shape::Unknown) => s.clone(),
        // Opaque values (Unit, unspecified) carry no information: they take
        // whatever shape the other side has.
        (Shape::Opaque, s) | (s, Shape::Opaque) => s.clone(),
        (Shape::Bool, Shape::Bool) => Shape::Bool,
        (Shape::Int, Shape::Int) => Shape::Int,
        (Shape::BitVec(x), Shape::BitVec(y)) => match (x, y) {
            (Some(x), Some(y)) if x != y => {
                return Err(format!("width mismatch: (bv {x}) vs (bv {y})"));
            }
            _ => Shape::BitVec(x.or(*y)),
        },
        (Shape::Struct(fa), Shape::Struct(fb)) => {
            let mut na: Vec<&String> = fa.iter().map(|(n, _)| n).collect();
            let mut nb: Vec<&String> = fb.iter().map(|(n, _)| n).collect();
            na.sort();
            nb.sort();
            if na != nb {
                return Err(format!(
                    "struct mismatch: {} vs {}",
                    describe_shape(vc, ra),
                    describe_shape(vc, rb)
                ));
            }
            for (n, t) in fa {
                if let Some((_, u)) = fb.iter().find(|(m, _)| m == n) {
                    pairs.push((*t, *u));
                }
            }
            sa.clone()
        }
        _ => {
            return Err(format!(
                "type mismatch: {} vs {}",
                describe_shape(vc, ra),
                describe_shape(vc, rb)
            ));
        }
    };
    vc.parent[rb] = ra;
    vc.shapes[ra] = merged;
    for (t, u) in pairs {
        unify_depth(vc, t, u, depth + 1)?;
    }
    Ok(true)
}

/// Constrain `t` to `shape`.
fn constrain(vc: &mut Vc, t: Tv, shape: Shape) -> Result<bool, String> {
    let cur = vc.shape(t).clone();
    let same = match (&cur, &shape) {
        (Shape::BitVec(Some(_)), Shape::BitVec(None)) => true,
        (a, b) => a == b,
    };
    if same {
        return Ok(false);
    }
    let n = vc.new_tv(shape);
    unify(vc, t, n)
}

pub fn width(vc: &Vc, t: Tv) -> Option<usize> {
    match vc.shape(t) {
        Shape::BitVec(w) => *w,
        _ => None,
    }
}

/// The constant value of an integer node, if it is known now.
pub fn int_value(vc: &Vc, n: NodeId) -> Option<i128> {
    int_value_depth(vc, n, 0)
}

fn int_value_depth(vc: &Vc, n: NodeId, depth: usize) -> Option<i128> {
    if depth > 64 {
        return None;
    }
    let node = vc.nodes.get(n)?;
    if let Some(p) = path(vc, n, 0)
        && let Some(k) = vc.known.get(&p)
    {
        return Some(*k);
    }
    match &node.kind {
        Kind::Int(i) => Some(*i),
        Kind::Num(i) => match vc.shape(node.ty) {
            Shape::Int | Shape::Unknown => Some(*i),
            _ => None,
        },
        Kind::Op(SpecOp::WidthOf, args) => {
            let a = *args.first()?;
            width(vc, vc.ty_of(a)).map(|w| w as i128)
        }
        Kind::Op(op @ (SpecOp::Add | SpecOp::Sub | SpecOp::Mul), args) => {
            let mut vals = args.iter().map(|&a| int_value_depth(vc, a, depth + 1));
            let first = vals.next()??;
            let mut acc = first;
            let mut any = false;
            for v in vals {
                any = true;
                let v = v?;
                acc = match op {
                    SpecOp::Add => acc.checked_add(v)?,
                    SpecOp::Sub => acc.checked_sub(v)?,
                    _ => acc.checked_mul(v)?,
                };
            }
            if !any && *op == SpecOp::Sub {
                return acc.checked_neg();
            }
            Some(acc)
        }
        Kind::Field(f, x) => {
            // `(:bits $I64)` folds through struct literals.
            let xn = vc.nodes.get(*x)?;
            if let Kind::Struct(inits) = &xn.kind {
                let (_, v) = inits.iter().find(|(name, _)| name == f)?;
                return int_value_depth(vc, *v, depth + 1);
            }
            None
        }
        Kind::Op(SpecOp::If, args) if args.len() == 3 => {
            let c = bool_value(vc, args[0])?;
            int_value_depth(vc, if c { args[1] } else { args[2] }, depth + 1)
        }
        Kind::Switch(x, arms) => {
            let xv = int_value_depth(vc, *x, depth + 1)?;
            for (k, v) in arms {
                if int_value_depth(vc, *k, depth + 1) == Some(xv) {
                    return int_value_depth(vc, *v, depth + 1);
                }
            }
            None
        }
        _ => None,
    }
}

/// The constant truth value of a boolean node, if known now (used to pick
/// `if` branches on type-level conditions).
pub fn bool_value(vc: &Vc, n: NodeId) -> Option<bool> {
    bool_value_depth(vc, n, 0)
}

fn bool_value_depth(vc: &Vc, n: NodeId, depth: usize) -> Option<bool> {
    if depth > 64 {
        return None;
    }
    let node = vc.nodes.get(n)?;
    let int2 = |args: &[NodeId]| -> Option<(i128, i128)> {
        if args.len() != 2 {
            return None;
        }
        Some((int_value(vc, args[0])?, int_value(vc, args[1])?))
    };
    match &node.kind {
        Kind::Bool(b) => Some(*b),
        Kind::Op(SpecOp::Eq, args) => {
            // Only integers: other sorts are not folded.
            let (a, b) = int2(args)?;
            Some(a == b)
        }
        Kind::Op(SpecOp::Lt, args) => int2(args).map(|(a, b)| a < b),
        Kind::Op(SpecOp::Lte, args) => int2(args).map(|(a, b)| a <= b),
        Kind::Op(SpecOp::Gt, args) => int2(args).map(|(a, b)| a > b),
        Kind::Op(SpecOp::Gte, args) => int2(args).map(|(a, b)| a >= b),
        Kind::Op(SpecOp::Not, args) if args.len() == 1 => {
            bool_value_depth(vc, args[0], depth + 1).map(|b| !b)
        }
        Kind::Op(SpecOp::And, args) => {
            let mut all = true;
            for &a in args {
                match bool_value_depth(vc, a, depth + 1) {
                    Some(false) => return Some(false),
                    Some(true) => {}
                    None => all = false,
                }
            }
            all.then_some(true)
        }
        Kind::Op(SpecOp::Or, args) => {
            let mut all = true;
            for &a in args {
                match bool_value_depth(vc, a, depth + 1) {
                    Some(true) => return Some(true),
                    Some(false) => {}
                    None => all = false,
                }
            }
            all.then_some(false)
        }
        _ => None,
    }
}

/// The (variable, field path) an integer node reads, if it is one.
fn path(vc: &Vc, n: NodeId, depth: usize) -> Option<(crate::ir::VarId, String)> {
    if depth > 16 {
        return None;
    }
    match &vc.nodes.get(n)?.kind {
        Kind::Var(v) => Some((*v, String::new())),
        Kind::Field(f, x) => {
            let (v, p) = path(vc, *x, depth + 1)?;
            Some((v, format!("{p}.{f}")))
        }
        _ => None,
    }
}

/// Top-level assumptions `(= (widthof a) (widthof b))` and
/// `(= (widthof a) k)` are width constraints: apply them. (Only at the top
/// level: under an `if` or a negation they constrain nothing.)
fn widthof_facts(vc: &mut Vc) -> Result<bool, String> {
    let mut pairs = Vec::new();
    let mut stack: Vec<NodeId> = vc.assumptions.iter().map(|f| f.node).collect();
    while let Some(n) = stack.pop() {
        match vc.nodes.get(n).map(|x| &x.kind) {
            Some(Kind::Op(SpecOp::And, args)) => stack.extend(args.iter().copied()),
            Some(Kind::Op(SpecOp::Eq, args)) if args.len() == 2 => pairs.push((args[0], args[1])),
            _ => {}
        }
    }
    let widthof_arg = |vc: &Vc, n: NodeId| match vc.nodes.get(n).map(|x| &x.kind) {
        Some(Kind::Op(SpecOp::WidthOf, a)) if a.len() == 1 => Some(a[0]),
        _ => None,
    };
    let mut ch = false;
    for (a, b) in pairs {
        match (widthof_arg(vc, a), widthof_arg(vc, b)) {
            (Some(x), Some(y)) => {
                let (tx, ty) = (vc.ty_of(x), vc.ty_of(y));
                match (width(vc, tx), width(vc, ty)) {
                    (Some(w), None) => ch |= constrain(vc, ty, Shape::BitVec(Some(w)))?,
                    (None, Some(w)) => ch |= constrain(vc, tx, Shape::BitVec(Some(w)))?,
                    _ => {}
                }
            }
            (Some(x), None) | (None, Some(x)) => {
                let other = if widthof_arg(vc, a).is_some() { b } else { a };
                let tx = vc.ty_of(x);
                if width(vc, tx).is_none()
                    && let Some(k) = int_value(vc, other)
                    && (1..=4096).contains(&k)
                {
                    ch |= constrain(vc, tx, Shape::BitVec(Some(k as usize)))?;
                }
            }
            _ => {}
        }
    }
    Ok(ch)
}

/// Learn integer values from top-level equalities in the assumptions, such
/// as `(= (:bits ty) (widthof x))` once the width is known. Only Int-sorted
/// paths are recorded. Returns whether anything new was learned.
pub fn derive_known(vc: &mut Vc) -> bool {
    let mut learned = false;
    let mut conj = Vec::new();
    let mut stack: Vec<NodeId> = vc.assumptions.iter().map(|f| f.node).collect();
    while let Some(n) = stack.pop() {
        match vc.nodes.get(n).map(|x| &x.kind) {
            Some(Kind::Op(SpecOp::And, args)) => stack.extend(args.iter().copied()),
            Some(Kind::Op(SpecOp::Eq, args)) if args.len() == 2 => conj.push((args[0], args[1])),
            _ => {}
        }
    }
    for (a, b) in conj {
        // Two records (or integers) equal as a whole: what is known about
        // one side's fields holds for the other's.
        if let (Some((va, pa)), Some((vb, pb))) = (path(vc, a, 0), path(vc, b, 0)) {
            let mut copies = Vec::new();
            for ((v, p), k) in &vc.known {
                for ((fv, fp), (tv, tp)) in [((va, &pa), (vb, &pb)), ((vb, &pb), (va, &pa))] {
                    if *v == fv
                        && let Some(rest) = p.strip_prefix(fp.as_str())
                    {
                        copies.push(((tv, format!("{tp}{rest}")), *k));
                    }
                }
            }
            for (key, k) in copies {
                if let std::collections::hash_map::Entry::Vacant(e) = vc.known.entry(key) {
                    e.insert(k);
                    learned = true;
                }
            }
        }
        for (x, y) in [(a, b), (b, a)] {
            if *vc.shape(vc.ty_of(x)) != Shape::Int {
                continue;
            }
            let Some(p) = path(vc, x, 0) else { continue };
            if vc.known.contains_key(&p) {
                continue;
            }
            if let Some(k) = int_value(vc, y) {
                vc.known.insert(p, k);
                learned = true;
            }
        }
    }
    learned
}

/// Arity checks done when a spec is elaborated, so a malformed spec names
/// its position.
pub fn check_arity(op: &SpecOp, n: usize) -> Result<(), String> {
    use SpecOp::*;
    let ok = match op {
        Not | BVNot | BVNeg | Popcnt | Clz | Cls | Rev | BV2Nat | WidthOf | FPNeg | FPCeil
        | FPFloor | FPSqrt | FPTrunc | FPNearest | FPIsZero | FPIsInfinite | FPIsNaN
        | FPIsNegative | FPIsPositive | FPPositiveInfinity | FPNegativeInfinity
        | FPPositiveZero | FPNegativeZero | FPNaN => n == 1,
        Extract | If => n == 3,
        ZeroExt | SignExt | ConvTo | Int2BV | Rotl | Rotr | Imp | Lt | Lte | Gt | Gte | BVUdiv
        | BVUrem | BVSdiv | BVSrem | BVShl | BVLshr | BVAshr | BVUle | BVUlt | BVUgt | BVUge
        | BVSlt | BVSle | BVSgt | BVSge | BVSaddo | FPEq | FPNe | FPLt | FPGt | FPLe | FPGe
        | FPDiv | FPMin | FPMax | Replicate | ToFP | ToFPUnsigned | ToFPFromFP | FPToUBV
        | FPToSBV => n == 2,
        Eq => n >= 2,
        And | Or => true,
        Add | Sub | Mul | BVAnd | BVOr | BVXor | BVAdd | BVSub | BVMul | FPAdd | FPSub | FPMul
        | Concat => n >= 1,
        Switch => n >= 2,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("`{}` given {n} arguments", op_name(op)))
    }
}

/// The ISLE spelling of an operator.
pub fn op_name(op: &SpecOp) -> String {
    use SpecOp::*;
    let s = match op {
        Eq => "=",
        And => "and",
        Or => "or",
        Not => "not",
        Imp => "=>",
        Add => "+",
        Sub => "-",
        Mul => "*",
        Lt => "<",
        Lte => "<=",
        Gt => ">",
        Gte => ">=",
        BVNot => "bvnot",
        BVAnd => "bvand",
        BVOr => "bvor",
        BVXor => "bvxor",
        BVNeg => "bvneg",
        BVAdd => "bvadd",
        BVSub => "bvsub",
        BVMul => "bvmul",
        BVUdiv => "bvudiv",
        BVUrem => "bvurem",
        BVSdiv => "bvsdiv",
        BVSrem => "bvsrem",
        BVShl => "bvshl",
        BVLshr => "bvlshr",
        BVAshr => "bvashr",
        BVUle => "bvule",
        BVUlt => "bvult",
        BVUgt => "bvugt",
        BVUge => "bvuge",
        BVSlt => "bvslt",
        BVSle => "bvsle",
        BVSgt => "bvsgt",
        BVSge => "bvsge",
        BVSaddo => "bvsaddo",
        Rotr => "rotr",
        Rotl => "rotl",
        Extract => "extract",
        ZeroExt => "zero_ext",
        SignExt => "sign_ext",
        Concat => "concat",
        Replicate => "replicate",
        FPEq => "fp.eq",
        FPNe => "fp.ne",
        FPLt => "fp.lt",
        FPGt => "fp.gt",
        FPLe => "fp.le",
        FPGe => "fp.ge",
        FPPositiveInfinity => "fp.+oo",
        FPNegativeInfinity => "fp.-oo",
        FPPositiveZero => "fp.+zero",
        FPNegativeZero => "fp.-zero",
        FPNaN => "fp.NaN",
        FPAdd => "fp.add",
        FPSub => "fp.sub",
        FPMul => "fp.mul",
        FPDiv => "fp.div",
        FPMin => "fp.min",
        FPMax => "fp.max",
        FPNeg => "fp.neg",
        FPCeil => "fp.ceil",
        FPFloor => "fp.floor",
        FPSqrt => "fp.sqrt",
        FPTrunc => "fp.trunc",
        FPNearest => "fp.nearest",
        FPIsZero => "fp.isZero",
        FPIsInfinite => "fp.isInfinite",
        FPIsNaN => "fp.isNaN",
        FPIsNegative => "fp.isNegative",
        FPIsPositive => "fp.isPositive",
        Popcnt => "popcnt",
        Clz => "clz",
        Cls => "cls",
        Rev => "rev",
        ConvTo => "conv_to",
        Int2BV => "int2bv",
        BV2Nat => "bv2nat",
        ToFP => "to_fp",
        ToFPUnsigned => "to_fp_unsigned",
        ToFPFromFP => "to_fp_from_fp",
        FPToUBV => "fp.to_ubv",
        FPToSBV => "fp.to_sbv",
        WidthOf => "widthof",
        If => "if",
        Switch => "switch",
    };
    s.to_string()
}

/// A width-producing argument must be a known, positive, sane integer.
fn const_width(vc: &Vc, n: NodeId) -> Result<Option<usize>, String> {
    match int_value(vc, n) {
        None => Ok(None),
        Some(w) if (1..=4096).contains(&w) => Ok(Some(w as usize)),
        Some(w) => Err(format!("bit-vector width {w} is out of range")),
    }
}

fn bv(w: Option<usize>) -> Shape {
    Shape::BitVec(w)
}

/// One propagation step for one node.
fn step(vc: &mut Vc, n: NodeId) -> Result<bool, String> {
    let Some(node) = vc.nodes.get(n) else {
        return Ok(false);
    };
    let t = node.ty;
    let kind = node.kind.clone();
    let ty = |vc: &Vc, x: NodeId| vc.ty_of(x);
    let mut ch = false;
    match kind {
        Kind::Var(v) => {
            let vt = vc.vars.get(v).map(|v| v.ty).unwrap_or(t);
            ch |= unify(vc, t, vt)?;
        }
        Kind::Bool(_) => ch |= constrain(vc, t, Shape::Bool)?,
        Kind::Int(_) => ch |= constrain(vc, t, Shape::Int)?,
        Kind::BitVec { width, .. } => ch |= constrain(vc, t, bv(Some(width)))?,
        Kind::Num(_) => {}
        Kind::Field(f, x) => {
            let xt = ty(vc, x);
            match vc.shape(xt).clone() {
                Shape::Struct(fields) => match fields.iter().find(|(name, _)| *name == f) {
                    Some((_, ft)) => ch |= unify(vc, t, *ft)?,
                    None => {
                        return Err(format!("no field `{f}` in {}", describe_shape(vc, xt)));
                    }
                },
                Shape::Unknown | Shape::Opaque => {}
                _ => {
                    return Err(format!(
                        "field `:{f}` of a non-struct value of type {}",
                        describe_shape(vc, xt)
                    ));
                }
            }
        }
        Kind::Struct(inits) => {
            let tys: Vec<(String, Tv)> =
                inits.iter().map(|(f, x)| (f.clone(), ty(vc, *x))).collect();
            match vc.shape(t).clone() {
                // Already a record: relate field by field (creating a new
                // record type each round would never reach a fixpoint).
                Shape::Struct(fields) => {
                    for (f, xt) in tys {
                        match fields.iter().find(|(name, _)| *name == f) {
                            Some((_, ft)) => ch |= unify(vc, *ft, xt)?,
                            None => {
                                return Err(format!(
                                    "struct mismatch: no field `{f}` in {}",
                                    describe_shape(vc, t)
                                ));
                            }
                        }
                    }
                }
                _ => {
                    let s = vc.new_tv(Shape::Struct(tys));
                    ch |= unify(vc, t, s)?;
                }
            }
        }
        Kind::Switch(x, arms) => {
            for (k, v) in arms {
                let (xt, kt, vt) = (ty(vc, x), ty(vc, k), ty(vc, v));
                ch |= unify(vc, xt, kt)?;
                ch |= unify(vc, t, vt)?;
            }
        }
        Kind::NotExists(_, conds) => {
            ch |= constrain(vc, t, Shape::Bool)?;
            for c in conds {
                let ct = ty(vc, c);
                ch |= constrain(vc, ct, Shape::Bool)?;
            }
        }
        Kind::Exists(_, body) => {
            ch |= constrain(vc, t, Shape::Bool)?;
            let bt = ty(vc, body);
            ch |= constrain(vc, bt, Shape::Bool)?;
        }
        Kind::Op(op, args) => ch |= step_op(vc, t, &op, &args)?,
    }
    Ok(ch)
}

fn step_op(vc: &mut Vc, t: Tv, op: &SpecOp, args: &[NodeId]) -> Result<bool, String> {
    use SpecOp::*;
    let tys: Vec<Tv> = args.iter().map(|&a| vc.ty_of(a)).collect();
    let mut ch = false;
    let arg = |i: usize| -> Result<NodeId, String> {
        args.get(i)
            .copied()
            .ok_or_else(|| format!("`{}` is missing argument {i}", op_name(op)))
    };
    match op {
        Eq => {
            ch |= constrain(vc, t, Shape::Bool)?;
            for w in tys.windows(2) {
                ch |= unify(vc, w[0], w[1])?;
            }
        }
        And | Or | Not | Imp => {
            ch |= constrain(vc, t, Shape::Bool)?;
            for &a in &tys {
                ch |= constrain(vc, a, Shape::Bool)?;
            }
        }
        Add | Sub | Mul => {
            ch |= constrain(vc, t, Shape::Int)?;
            for &a in &tys {
                ch |= constrain(vc, a, Shape::Int)?;
            }
        }
        Lt | Lte | Gt | Gte => {
            ch |= constrain(vc, t, Shape::Bool)?;
            for &a in &tys {
                ch |= constrain(vc, a, Shape::Int)?;
            }
        }
        BVNot | BVNeg | BVAnd | BVOr | BVXor | BVAdd | BVSub | BVMul | BVUdiv | BVUrem | BVSdiv
        | BVSrem | BVShl | BVLshr | BVAshr | Rotl | Rotr | Popcnt | Clz | Cls | Rev | FPAdd
        | FPSub | FPMul | FPDiv | FPMin | FPMax | FPNeg | FPCeil | FPFloor | FPSqrt | FPTrunc
        | FPNearest => {
            ch |= constrain(vc, t, bv(None))?;
            for &a in &tys {
                ch |= unify(vc, t, a)?;
            }
        }
        BVUle | BVUlt | BVUgt | BVUge | BVSlt | BVSle | BVSgt | BVSge | BVSaddo | FPEq | FPNe
        | FPLt | FPGt | FPLe | FPGe => {
            ch |= constrain(vc, t, Shape::Bool)?;
            for &a in &tys {
                ch |= constrain(vc, a, bv(None))?;
            }
            for w in tys.windows(2) {
                ch |= unify(vc, w[0], w[1])?;
            }
        }
        FPIsZero | FPIsInfinite | FPIsNaN | FPIsNegative | FPIsPositive => {
            ch |= constrain(vc, t, Shape::Bool)?;
            for &a in &tys {
                ch |= constrain(vc, a, bv(None))?;
            }
        }
        FPPositiveInfinity | FPNegativeInfinity | FPPositiveZero | FPNegativeZero | FPNaN => {
            let w = arg(0)?;
            ch |= constrain(vc, vc.ty_of(w), Shape::Int)?;
            ch |= constrain(vc, t, bv(const_width(vc, w)?))?;
        }
        Extract => {
            let (h, l, x) = (arg(0)?, arg(1)?, arg(2)?);
            ch |= constrain(vc, vc.ty_of(h), Shape::Int)?;
            ch |= constrain(vc, vc.ty_of(l), Shape::Int)?;
            ch |= constrain(vc, vc.ty_of(x), bv(None))?;
            let w = match (int_value(vc, h), int_value(vc, l)) {
                (Some(h), Some(l)) if h >= l && l >= 0 => Some((h - l + 1) as usize),
                (Some(h), Some(l)) => return Err(format!("extract {h} {l}: bad bit range")),
                _ => None,
            };
            ch |= constrain(vc, t, bv(w))?;
        }
        ZeroExt | SignExt | ConvTo | Int2BV => {
            let (w, x) = (arg(0)?, arg(1)?);
            ch |= constrain(vc, vc.ty_of(w), Shape::Int)?;
            let xs = match op {
                Int2BV => Shape::Int,
                ConvTo => Shape::Unknown,
                _ => bv(None),
            };
            if xs != Shape::Unknown {
                ch |= constrain(vc, vc.ty_of(x), xs)?;
            }
            ch |= constrain(vc, t, bv(const_width(vc, w)?))?;
        }
        ToFP | ToFPUnsigned | ToFPFromFP | FPToUBV | FPToSBV => {
            let (w, x) = (arg(0)?, arg(1)?);
            ch |= constrain(vc, vc.ty_of(w), Shape::Int)?;
            ch |= constrain(vc, vc.ty_of(x), bv(None))?;
            ch |= constrain(vc, t, bv(const_width(vc, w)?))?;
        }
        Replicate => {
            // (replicate x n): n copies of x side by side.
            let (x, k) = (arg(0)?, arg(1)?);
            ch |= constrain(vc, vc.ty_of(x), bv(None))?;
            ch |= constrain(vc, vc.ty_of(k), Shape::Int)?;
            let w = match (width(vc, vc.ty_of(x)), int_value(vc, k)) {
                (Some(w), Some(k)) if (1..=4096).contains(&k) => Some(w * k as usize),
                (Some(_), Some(k)) => return Err(format!("replicate count {k} out of range")),
                _ => None,
            };
            ch |= constrain(vc, t, bv(w))?;
        }
        Concat => {
            ch |= constrain(vc, t, bv(None))?;
            for &a in &tys {
                ch |= constrain(vc, a, bv(None))?;
            }
            let ws: Vec<Option<usize>> = tys.iter().map(|&a| width(vc, a)).collect();
            let known: usize = ws.iter().flatten().sum();
            let unknown: Vec<usize> = (0..ws.len()).filter(|&i| ws[i].is_none()).collect();
            match (unknown.as_slice(), width(vc, t)) {
                ([], _) => ch |= constrain(vc, t, bv(Some(known)))?,
                // The total and all parts but one are known: deduce the last.
                ([i], Some(total)) => {
                    if total <= known {
                        return Err(format!(
                            "concat: parts already {known} bits wide, result only {total}"
                        ));
                    }
                    ch |= constrain(vc, tys[*i], bv(Some(total - known)))?;
                }
                _ => {}
            }
        }
        BV2Nat => {
            ch |= constrain(vc, t, Shape::Int)?;
            ch |= constrain(vc, tys.first().copied().unwrap_or(t), bv(None))?;
        }
        WidthOf => {
            ch |= constrain(vc, t, Shape::Int)?;
            ch |= constrain(vc, tys.first().copied().unwrap_or(t), bv(None))?;
        }
        If => {
            let c = arg(0)?;
            ch |= constrain(vc, vc.ty_of(c), Shape::Bool)?;
            if tys.len() == 3 {
                ch |= unify(vc, t, tys[1])?;
                ch |= unify(vc, t, tys[2])?;
            }
        }
        Switch => {}
    }
    Ok(ch)
}

/// Propagate constraints to a fixpoint; fails only on conflicts.
pub fn propagate(vc: &mut Vc) -> Result<(), String> {
    let limit = 64 + vc.nodes.len();
    let mut rounds = 0;
    loop {
        let mut changed = false;
        for n in 0..vc.nodes.len() {
            changed |= step(vc, n).map_err(|e| located(vc, n, &e))?;
        }
        rounds += 1;
        if !changed {
            return Ok(());
        }
        if rounds > limit {
            return Err("type inference did not converge".to_string());
        }
    }
}

/// Run inference to a fixpoint, then insist that every value has a concrete
/// type. Integer literals and otherwise-unconstrained values default to Int.
pub fn infer(vc: &mut Vc) -> Result<(), String> {
    propagate(vc)?;
    for _ in 0..8 {
        let widths = widthof_facts(vc)?;
        if !derive_known(vc) && !widths {
            break;
        }
        propagate(vc)?;
    }
    let limit = 64 + vc.nodes.len();
    // Unknown integer literals are Int; then propagate once more, since that
    // may fix widths (e.g. `(zero_ext 64 x)` with a literal 64).
    let mut defaulted = false;
    for n in 0..vc.nodes.len() {
        if let Kind::Num(_) = vc.nodes[n].kind {
            let t = vc.nodes[n].ty;
            if *vc.shape(t) == Shape::Unknown {
                constrain(vc, t, Shape::Int).map_err(|e| located(vc, n, &e))?;
                defaulted = true;
            }
        }
    }
    if defaulted {
        let mut rounds = 0;
        loop {
            let mut changed = false;
            for n in 0..vc.nodes.len() {
                changed |= step(vc, n).map_err(|e| located(vc, n, &e))?;
            }
            rounds += 1;
            if !changed || rounds > limit {
                break;
            }
        }
    }
    // Every bit-vector must have a width now.
    for n in 0..vc.nodes.len() {
        let t = vc.nodes[n].ty;
        if let Some(msg) = unresolved(vc, t, 0) {
            return Err(located(
                vc,
                n,
                &format!("cannot infer the type of {}: {msg}", describe(vc, n)),
            ));
        }
    }
    for v in 0..vc.vars.len() {
        let t = vc.vars[v].ty;
        if let Some(msg) = unresolved(vc, t, 0) {
            return Err(format!(
                "cannot infer the type of `{}`: {msg}",
                vc.vars[v].name
            ));
        }
    }
    Ok(())
}

fn unresolved(vc: &Vc, t: Tv, depth: usize) -> Option<String> {
    if depth > 32 {
        return Some("type nests too deeply".to_string());
    }
    match vc.shape(t) {
        Shape::BitVec(None) => Some("bit-vector width unknown".to_string()),
        Shape::Struct(fields) => fields.iter().find_map(|(f, ft)| {
            unresolved(vc, *ft, depth + 1).map(|m| format!("field `{f}`: {m}"))
        }),
        _ => None,
    }
}

/// Name a node for an error message.
fn describe(vc: &Vc, n: NodeId) -> String {
    match vc.nodes.get(n).map(|x| &x.kind) {
        Some(Kind::Var(v)) => format!(
            "`{}`",
            vc.vars.get(*v).map(|v| v.name.as_str()).unwrap_or("?")
        ),
        Some(Kind::Op(op, _)) => format!("`({} ...)`", op_name(op)),
        Some(Kind::Field(f, _)) => format!("field `:{f}`"),
        _ => "a value".to_string(),
    }
}

fn located(vc: &Vc, n: NodeId, msg: &str) -> String {
    match vc.nodes.get(n) {
        Some(node) if !node.origin.is_empty() => format!("{msg} (in {})", node.origin),
        _ => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Fact, Role};

    fn bv_var(vc: &mut Vc, name: &str, w: Option<usize>) -> NodeId {
        let t = vc.new_tv(Shape::BitVec(w));
        vc.var(name, t, Role::Input, "test").1
    }

    #[test]
    fn concat_infers_the_missing_part() {
        let mut vc = Vc::default();
        let r = bv_var(&mut vc, "r", Some(8));
        let low = bv_var(&mut vc, "low", None);
        let c = vc.op(SpecOp::Concat, vec![r, low], "test");
        let x = bv_var(&mut vc, "x", Some(16));
        let eq = vc.eq(c, x, "test");
        vc.assumptions.push(Fact {
            node: eq,
            what: String::new(),
        });
        infer(&mut vc).expect("typable");
        assert_eq!(width(&vc, vc.ty_of(low)), Some(8));
    }

    #[test]
    fn widthof_folds_into_extension_widths() {
        let mut vc = Vc::default();
        let x = bv_var(&mut vc, "x", Some(32));
        let w = vc.op(SpecOp::WidthOf, vec![x], "test");
        let two = vc.node(Kind::Num(2), Shape::Unknown, "test");
        let ww = vc.op(SpecOp::Mul, vec![w, two], "test");
        let z = vc.op(SpecOp::ZeroExt, vec![ww, x], "test");
        infer(&mut vc).expect("typable");
        assert_eq!(width(&vc, vc.ty_of(z)), Some(64));
    }

    #[test]
    fn width_conflicts_and_unknown_widths_are_reported() {
        let mut vc = Vc::default();
        let a = bv_var(&mut vc, "a", Some(8));
        let b = bv_var(&mut vc, "b", Some(16));
        vc.op(SpecOp::BVAdd, vec![a, b], "spec of `t`");
        let e = infer(&mut vc).expect_err("conflict");
        assert!(e.contains("mismatch") && e.contains("spec of `t`"), "{e}");

        let mut vc = Vc::default();
        bv_var(&mut vc, "lonely", None);
        let e = infer(&mut vc).expect_err("untypable");
        assert!(e.contains("lonely") && e.contains("width unknown"), "{e}");
    }

    #[test]
    fn known_type_fields_fold_conditions() {
        let mut vc = Vc::default();
        let bits = vc.new_tv(Shape::Int);
        let st = vc.new_tv(Shape::Struct(vec![("bits".into(), bits)]));
        let (_, ty) = vc.var("ty", st, Role::Input, "test");
        let f = vc.node(Kind::Field("bits".into(), ty), Shape::Unknown, "test");
        let k = vc.node(Kind::Num(32), Shape::Unknown, "test");
        let eq = vc.eq(f, k, "test");
        vc.assumptions.push(Fact {
            node: eq,
            what: String::new(),
        });
        let f2 = vc.node(Kind::Field("bits".into(), ty), Shape::Unknown, "test");
        let k2 = vc.node(Kind::Num(64), Shape::Unknown, "test");
        let lt = vc.op(SpecOp::Lt, vec![f2, k2], "test");
        infer(&mut vc).expect("typable");
        assert_eq!(bool_value(&vc, lt), Some(true));
    }
}
