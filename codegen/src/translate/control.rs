//! The control stack: one frame per open `block`/`loop`/`if` (and one for
//! the function body), recording where its label's branches go.

use crate::ir::{Block, Type, Value};

#[derive(Clone, Debug)]
pub(crate) enum FrameKind {
    /// The function body: branching to it returns.
    Function,
    Block,
    /// Branches go back to `header`, whose parameters are the locals and
    /// then the loop's parameters.
    Loop {
        header: Block,
    },
    /// `else_block` is `Some` until the `else` is reached; the else branch
    /// starts from the locals and operands as they were at the `if`.
    If {
        else_block: Option<Block>,
        else_locals: Vec<Value>,
        else_params: Vec<Value>,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct Frame {
    pub kind: FrameKind,
    pub params: Vec<Type>,
    pub results: Vec<Type>,
    /// The block after the construct, created when first needed (a branch
    /// to the label, or two paths joining at the `end`). Its parameters are
    /// the locals, then the results.
    pub end: Option<Block>,
    /// Operand stack height below the frame's parameters.
    pub height: usize,
}

impl Frame {
    /// The types a branch to this frame's label carries.
    pub fn label_types(&self) -> &[Type] {
        match self.kind {
            FrameKind::Loop { .. } => &self.params,
            _ => &self.results,
        }
    }
}
