//! A tiny owned S-expression tree for SMT-LIB text. Queries are built as
//! plain data first so that their exact text can be hashed for the cache
//! before any solver runs; `solver` converts them to easy-smt expressions.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum S {
    Atom(String),
    List(Vec<S>),
}

impl S {
    pub fn atom(s: impl Into<String>) -> S {
        S::Atom(s.into())
    }

    pub fn list(items: Vec<S>) -> S {
        S::List(items)
    }

    /// `(op a b ...)`.
    pub fn app(op: &str, args: Vec<S>) -> S {
        let mut v = Vec::with_capacity(args.len() + 1);
        v.push(S::atom(op));
        v.extend(args);
        S::List(v)
    }

    /// `((_ op i ...) args...)`.
    pub fn indexed(op: &str, idx: &[usize], args: Vec<S>) -> S {
        let mut head = vec![S::atom("_"), S::atom(op)];
        head.extend(idx.iter().map(|i| S::atom(i.to_string())));
        let mut v = vec![S::List(head)];
        v.extend(args);
        S::List(v)
    }

    pub fn t() -> S {
        S::atom("true")
    }

    pub fn f() -> S {
        S::atom("false")
    }

    /// A bit-vector literal of the given width (value truncated to it).
    pub fn bv(val: u128, width: usize) -> S {
        let v = if width >= 128 {
            val
        } else {
            val & ((1u128 << width) - 1)
        };
        S::List(vec![
            S::atom("_"),
            S::atom(format!("bv{v}")),
            S::atom(width.to_string()),
        ])
    }

    pub fn int(i: i128) -> S {
        if i < 0 {
            S::app("-", vec![S::atom(i.unsigned_abs().to_string())])
        } else {
            S::atom(i.to_string())
        }
    }

    pub fn and(mut xs: Vec<S>) -> S {
        xs.retain(|x| *x != S::t());
        match xs.len() {
            0 => S::t(),
            1 => xs.pop().unwrap_or_else(S::t),
            _ => S::app("and", xs),
        }
    }

    pub fn negate(x: S) -> S {
        S::app("not", vec![x])
    }

    pub fn eq(a: S, b: S) -> S {
        S::app("=", vec![a, b])
    }

    pub fn ite(c: S, a: S, b: S) -> S {
        S::app("ite", vec![c, a, b])
    }
}

impl fmt::Display for S {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            S::Atom(a) => f.write_str(a),
            S::List(items) => {
                f.write_str("(")?;
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{x}")?;
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_truncates() {
        assert_eq!(S::bv(0x1ff, 8).to_string(), "(_ bv255 8)");
        assert_eq!(S::int(-3).to_string(), "(- 3)");
        assert_eq!(S::and(vec![S::t(), S::atom("x")]).to_string(), "x");
        assert_eq!(
            S::indexed("extract", &[7, 0], vec![S::atom("x")]).to_string(),
            "((_ extract 7 0) x)"
        );
    }
}
