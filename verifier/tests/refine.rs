//! A nondeterministic (NaN) left-hand side is proven by refinement: the
//! machine's result must be one of the values the IR spec allows. These
//! check both halves: an x86-style NaN (the first NaN operand, quieted) is
//! accepted, and every way of leaving the allowed set is still caught.

use std::time::Duration;
use wasmproof_verifier::{Options, Report, SolverKind, Verdict, verify_sources};

/// A Wasm-like f32 add (any canonical NaN unless an operand is a
/// non-canonical NaN, then any quiet NaN) and candidate machine adds.
const SRC: &str = r#"
(type Value (primitive Value))
(model Value (type (bv 32)))
(type Inst (primitive Inst))
(model Inst (type (bv 32)))

(macro (canonical v) (= (bvand v #x7fffffff) #x7fc00000))
(macro (quiet v) (= (bvand v #x7fc00000) #x7fc00000))
(macro (noncanonical v) (and (fp.isNaN v) (not (canonical! v))))

(decl lower (Inst) Inst)
(spec (lower arg) (provide (= result arg)))
(instantiate lower ((args (bv 32)) (ret (bv 32))))

(decl fadd (Value Value) Inst)
(extern extractor fadd fadd)
(spec (fadd x y)
    (provide
        (if (fp.isNaN (fp.add x y))
            (if (or (noncanonical! x) (noncanonical! y)) (quiet! result) (canonical! result))
            (= result (fp.add x y)))))

;; x86 addss: the first NaN operand quieted, else the default NaN.
(decl m_addss (Value Value) Inst)
(extern constructor m_addss m_addss)
(spec (m_addss a b)
    (provide
        (= result
           (if (fp.isNaN a) (bvor a #x00400000)
               (if (fp.isNaN b) (bvor b #x00400000)
                   (if (fp.isNaN (fp.add a b)) #xffc00000 (fp.add a b)))))))

;; Returns a NaN operand as is: a signalling NaN stays signalling.
(decl m_add_keep_snan (Value Value) Inst)
(extern constructor m_add_keep_snan m_add_keep_snan)
(spec (m_add_keep_snan a b)
    (provide
        (= result
           (if (fp.isNaN a) a
               (if (fp.isNaN b) b
                   (if (fp.isNaN (fp.add a b)) #xffc00000 (fp.add a b)))))))

;; Invents a payload: not canonical when every NaN operand is.
(decl m_add_payload (Value Value) Inst)
(extern constructor m_add_payload m_add_payload)
(spec (m_add_payload a b)
    (provide
        (= result (if (fp.isNaN (fp.add a b)) #x7fc00001 (fp.add a b)))))

;; Subtracts: wrong on numbers.
(decl m_subss (Value Value) Inst)
(extern constructor m_subss m_subss)
(spec (m_subss a b)
    (provide
        (= result (if (fp.isNaN (fp.sub a b)) #x7fc00000 (fp.sub a b)))))

(rule x86_add (lower (fadd x y)) (m_addss x y))
(rule keep_snan (lower (fadd x y)) (m_add_keep_snan x y))
(rule invented_payload (lower (fadd x y)) (m_add_payload x y))
(rule sub_for_add (lower (fadd x y)) (m_subss x y))
"#;

fn run() -> Report {
    let opts = Options {
        solver: SolverKind::Z3,
        timeout: Duration::from_secs(60),
        jobs: 2,
        ..Options::default()
    };
    verify_sources(&[("refine.isle", SRC)], &opts).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn machine_nan_in_the_allowed_set_is_proven_and_others_are_not() {
    let r = run();
    let verdict = |rule: &str| {
        let o: Vec<_> = r.outcomes.iter().filter(|o| o.rule == rule).collect();
        assert_eq!(o.len(), 1, "{rule}: {:?}", r.outcomes);
        o[0].verdict.clone()
    };
    assert!(verdict("x86_add").is_proven(), "{:?}", verdict("x86_add"));
    for wrong in ["keep_snan", "invented_payload", "sub_for_add"] {
        assert!(
            matches!(verdict(wrong), Verdict::Counterexample(_)),
            "{wrong}: {:?}",
            verdict(wrong)
        );
    }
}
