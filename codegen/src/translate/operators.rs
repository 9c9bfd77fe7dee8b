//! Which Wasm proposal an operator belongs to (from wasmparser's own
//! operator table), for `Unsupported` errors and for deciding what dead
//! code may contain.

use wasmparser::Operator;

macro_rules! define_classify {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        /// `(proposal, operator name)`, e.g. `("bulk_memory", "MemoryCopy")`.
        pub fn classify(op: &Operator<'_>) -> (&'static str, &'static str) {
            match op {
                $( Operator::$op { .. } => (stringify!($proposal), stringify!($op)), )*
                _ => ("unknown", "unknown"),
            }
        }
    };
}

wasmparser::for_each_operator!(define_classify);

/// Whether the operator belongs to the subset this compiler implements:
/// Wasm 1.0, sign extension, non-trapping float-to-int, and `select` with a
/// numeric type annotation.
pub fn is_supported(op: &Operator<'_>) -> bool {
    match op {
        Operator::TypedSelect { ty } => {
            !matches!(ty, wasmparser::ValType::Ref(_) | wasmparser::ValType::V128)
        }
        _ => matches!(
            classify(op).0,
            "mvp" | "sign_extension" | "saturating_float_to_int"
        ),
    }
}
