//! The verification condition (VC) of one rule expansion at one type
//! instantiation: a small typed expression graph built from the rule and the
//! specs of every term it uses, plus the assumption/obligation split.
//!
//! Types are type variables (`Tv`) resolved by `infer`; `encode` turns the
//! resolved graph into SMT-LIB.

use cranelift_isle::ast::SpecOp;

pub type NodeId = usize;
pub type VarId = usize;
pub type Tv = usize;

/// What is known about a type variable's type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    Unknown,
    Bool,
    Int,
    /// A bit-vector, width not yet known when `None`.
    BitVec(Option<usize>),
    /// A record; enums are records too (a `$tag` field and one field per
    /// variant field), which keeps the SMT encoding free of datatypes.
    Struct(Vec<(String, Tv)>),
    /// `Unit` and unspecified (`!`) models: values nobody may inspect.
    Opaque,
}

#[derive(Clone, Debug)]
pub enum Kind {
    Var(VarId),
    Bool(bool),
    Int(i128),
    BitVec {
        val: u128,
        width: usize,
    },
    /// An integer literal whose sort (Int or a bit-vector) comes from context:
    /// ISLE integer constants and integer spec literals compared to bit-vectors.
    Num(i128),
    Op(SpecOp, Vec<NodeId>),
    Field(String, NodeId),
    Struct(Vec<(String, NodeId)>),
    /// `(switch x (k1 v1) (k2 v2) ...)`.
    Switch(NodeId, Vec<(NodeId, NodeId)>),
    /// `(not (exists (vars) (and conds)))`: a higher-priority rule that did
    /// not match.
    NotExists(Vec<VarId>, Vec<NodeId>),
    /// `(exists (vars) body)`: an obligation with `with`-bound variables.
    Exists(Vec<VarId>, NodeId),
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: Kind,
    pub ty: Tv,
    /// Where the node comes from, for error messages.
    pub origin: String,
}

/// Why a variable exists: decides where it shows up in a counterexample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A root term argument or a variable the rule binds.
    Input,
    /// A term application's result or argument.
    Intermediate,
    /// Global state.
    State,
    /// Everything else (`with`, existentials).
    Internal,
}

#[derive(Clone, Debug)]
pub struct Var {
    pub name: String,
    pub ty: Tv,
    pub role: Role,
    /// Bound by a quantifier: not declared as a global constant.
    pub bound: bool,
}

/// One assumption or obligation with a human description.
#[derive(Clone, Debug)]
pub struct Fact {
    pub node: NodeId,
    pub what: String,
}

#[derive(Clone, Debug, Default)]
pub struct Vc {
    pub nodes: Vec<Node>,
    pub vars: Vec<Var>,
    /// Union-find parent links and shapes, indexed by `Tv`.
    pub parent: Vec<Tv>,
    pub shapes: Vec<Shape>,
    pub assumptions: Vec<Fact>,
    pub obligations: Vec<Fact>,
    /// Named values to report in a counterexample, in order.
    pub inputs: Vec<(String, NodeId)>,
    pub intermediates: Vec<(String, NodeId)>,
    pub lhs: Option<(String, NodeId)>,
    pub rhs: Option<(String, NodeId)>,
    /// Integer values the assumptions pin down, e.g. `(:bits ty)` = 32 at
    /// this instantiation; keyed by (variable, field path). Lets the encoder
    /// drop `if`/`switch` branches for other types (a 64-bit division in the
    /// untaken branch of a 32-bit rule would otherwise cost the solver
    /// dearly). Sound because the defining assumptions stay asserted.
    pub known: std::collections::HashMap<(VarId, String), i128>,
}

impl Vc {
    pub fn new_tv(&mut self, shape: Shape) -> Tv {
        let id = self.parent.len();
        self.parent.push(id);
        self.shapes.push(shape);
        id
    }

    pub fn find(&self, mut t: Tv) -> Tv {
        while let Some(&p) = self.parent.get(t) {
            if p == t {
                break;
            }
            t = p;
        }
        t
    }

    pub fn shape(&self, t: Tv) -> &Shape {
        let r = self.find(t);
        self.shapes.get(r).unwrap_or(&Shape::Unknown)
    }

    pub fn node(&mut self, kind: Kind, shape: Shape, origin: &str) -> NodeId {
        let ty = self.new_tv(shape);
        self.node_tv(kind, ty, origin)
    }

    pub fn node_tv(&mut self, kind: Kind, ty: Tv, origin: &str) -> NodeId {
        self.nodes.push(Node {
            kind,
            ty,
            origin: origin.to_string(),
        });
        self.nodes.len() - 1
    }

    /// A fresh variable of type `ty`, and the node that reads it.
    pub fn var(&mut self, name: &str, ty: Tv, role: Role, origin: &str) -> (VarId, NodeId) {
        self.vars.push(Var {
            name: name.to_string(),
            ty,
            role,
            bound: false,
        });
        let v = self.vars.len() - 1;
        let n = self.node_tv(Kind::Var(v), ty, origin);
        (v, n)
    }

    pub fn bool_node(&mut self, b: bool) -> NodeId {
        self.node(Kind::Bool(b), Shape::Bool, "")
    }

    pub fn op(&mut self, op: SpecOp, args: Vec<NodeId>, origin: &str) -> NodeId {
        self.node(Kind::Op(op, args), Shape::Unknown, origin)
    }

    pub fn eq(&mut self, a: NodeId, b: NodeId, origin: &str) -> NodeId {
        self.node(Kind::Op(SpecOp::Eq, vec![a, b]), Shape::Bool, origin)
    }

    pub fn and(&mut self, args: Vec<NodeId>, origin: &str) -> NodeId {
        match args.len() {
            0 => self.bool_node(true),
            1 => args[0],
            _ => self.node(Kind::Op(SpecOp::And, args), Shape::Bool, origin),
        }
    }

    pub fn ty_of(&self, n: NodeId) -> Tv {
        self.nodes.get(n).map(|x| x.ty).unwrap_or(0)
    }
}

/// Render a shape for messages, e.g. `(bv 32)`.
pub fn describe_shape(vc: &Vc, t: Tv) -> String {
    match vc.shape(t) {
        Shape::Unknown => "?".to_string(),
        Shape::Bool => "Bool".to_string(),
        Shape::Int => "Int".to_string(),
        Shape::BitVec(Some(w)) => format!("bv {w}"),
        Shape::BitVec(None) => "bv ?".to_string(),
        Shape::Opaque => "Unit".to_string(),
        Shape::Struct(fields) => {
            let fs: Vec<String> = fields
                .iter()
                .map(|(n, t)| format!("{n}: {}", describe_shape(vc, *t)))
                .collect();
            format!("{{{}}}", fs.join(", "))
        }
    }
}
