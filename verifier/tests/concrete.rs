//! The concrete evaluator: specs evaluated on fixed inputs through the solver.

use wasmproof_verifier::concrete::{Evaluator, bv, ty, variant};
use wasmproof_verifier::verdict::{Binding, ModelValue};

const SPECS: &str = r#"
(type Type (primitive Type))
(model Type (type (struct (bits Int))))
(type Reg (primitive Reg))
(model Reg (type (bv 64)))
(type Flags (primitive Flags))
(model Flags (type (struct (cf Bool) (zf Bool))))
(type CC extern (enum B E))
(state trapped (type Bool) (default (not trapped)))

(decl add (Type Reg Reg) Reg)
(extern constructor add add)
(spec (add ty a b)
    (provide (= result (switch (:bits ty) (32 (zero_ext 64 (bvadd (extract 31 0 a) (extract 31 0 b)))) (64 (bvadd a b))))))

(decl cmp (Reg Reg) Flags)
(extern constructor cmp cmp)
(spec (cmp a b) (provide (= result (struct (cf (bvult a b)) (zf (= a b))))))

(decl cc_holds (CC Flags) Reg)
(extern constructor cc_holds cc_holds)
(spec (cc_holds cc f)
    (provide (= result (if (match cc ((B) (:cf f)) ((E) (:zf f))) #x0000000000000001 #x0000000000000000))))

(decl div (Reg Reg) Reg)
(extern constructor div div)
(spec (div a b)
    (modifies trapped)
    (require (not (= b #x0000000000000000)))
    (provide (= trapped (= b #x0000000000000000)) (= result (bvudiv a b))))

;; Only the low byte is specified.
(decl low_byte (Reg) Reg)
(extern constructor low_byte low_byte)
(spec (low_byte a) (provide (= (extract 7 0 result) (extract 7 0 a))))

(decl fadd (Reg Reg) Reg)
(extern constructor fadd fadd)
(spec (fadd a b) (provide (= result (fp.add a b))))
"#;

fn ev() -> Evaluator {
    match Evaluator::from_sources(&[("specs.isle", SPECS)]) {
        Ok(e) => e,
        Err(e) => panic!("load: {e}"),
    }
}

#[test]
fn evaluates_at_each_width_many_times_in_one_process() {
    let mut e = ev();
    for i in 0..200u128 {
        let out = e
            .eval("add", &[ty(32), bv(64, 0xffff_ffff), bv(64, i)])
            .expect("eval");
        assert_eq!(out.result, Some(bv(64, i.wrapping_sub(1) & 0xffff_ffff)));
        assert!(out.is_unique());
        assert!(out.violated.is_empty());
    }
    let out = e
        .eval("add", &[ty(64), bv(64, 0xffff_ffff), bv(64, 1)])
        .expect("eval");
    assert_eq!(out.result, Some(bv(64, 0x1_0000_0000)));
}

#[test]
fn struct_results_and_enum_arguments() {
    let mut e = ev();
    let out = e.eval("cmp", &[bv(64, 1), bv(64, 2)]).expect("eval");
    let flags = out.result.expect("result");
    assert_eq!(
        flags,
        ModelValue::Struct(vec![
            Binding {
                name: "cf".into(),
                value: ModelValue::Bool(true)
            },
            Binding {
                name: "zf".into(),
                value: ModelValue::Bool(false)
            },
        ])
    );
    let out = e
        .eval("cc_holds", &[variant(0), flags.clone()])
        .expect("eval");
    assert_eq!(out.result, Some(bv(64, 1)));
    let out = e.eval("cc_holds", &[variant(1), flags]).expect("eval");
    assert_eq!(out.result, Some(bv(64, 0)));
}

#[test]
fn state_and_violated_requires() {
    let mut e = ev();
    let out = e.eval("div", &[bv(64, 7), bv(64, 2)]).expect("eval");
    assert_eq!(out.result, Some(bv(64, 3)));
    assert_eq!(out.state_value("trapped"), Some(&ModelValue::Bool(false)));
    assert!(out.violated.is_empty());
    let out = e.eval("div", &[bv(64, 7), bv(64, 0)]).expect("eval");
    assert_eq!(out.state_value("trapped"), Some(&ModelValue::Bool(true)));
    assert_eq!(out.violated.len(), 1);
}

#[test]
fn nondeterminism_is_reported_with_a_second_value() {
    let mut e = ev();
    let out = e.eval("low_byte", &[bv(64, 0x1234)]).expect("eval");
    let (alt, _) = out.alternative.clone().expect("not unique");
    let (Some(ModelValue::BitVec { bits: a, .. }), ModelValue::BitVec { bits: b, .. }) =
        (out.result.clone(), alt)
    else {
        panic!("{out:?}");
    };
    assert_ne!(a, b);
    assert_eq!(a & 0xff, 0x34);
    assert_eq!(b & 0xff, 0x34);
}

#[test]
fn floating_point_nan_results_are_not_unique() {
    let mut e = ev();
    let one = f64::to_bits(1.0) as u128;
    let out = e.eval("fadd", &[bv(64, one), bv(64, one)]).expect("eval");
    assert_eq!(out.result, Some(bv(64, f64::to_bits(2.0) as u128)));
    assert!(out.is_unique());
    let inf = f64::INFINITY.to_bits() as u128;
    let ninf = f64::NEG_INFINITY.to_bits() as u128;
    let out = e.eval("fadd", &[bv(64, inf), bv(64, ninf)]).expect("eval");
    assert!(!out.is_unique(), "any NaN is allowed: {out:?}");
}

#[test]
fn errors_name_the_problem() {
    let mut e = ev();
    let err = e.eval("nope", &[]).expect_err("unknown term");
    assert!(err.contains("nope"), "{err}");
    let err = e.eval("cmp", &[bv(64, 1)]).expect_err("arity");
    assert!(err.contains("argument"), "{err}");
    // The evaluator still works afterwards.
    assert!(e.eval("cmp", &[bv(64, 1), bv(64, 1)]).is_ok());
}

/// The x86-64 instruction specs and the shared prelude they need.
fn x64_isle() -> [std::path::PathBuf; 2] {
    let rules = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../isle-rules");
    [rules.join("prelude.isle"), rules.join("x64/inst.isle")]
}

/// The x86-64 instruction specs load and give the CPU's answers at a few
/// famous corners (the silicon tests in codegen check thousands more).
#[test]
fn x64_instruction_specs_at_known_corners() {
    let mut e = match Evaluator::new(&x64_isle()) {
        Ok(e) => e,
        Err(e) => panic!("inst.isle: {e}"),
    };
    let x = |v: u128| bv(128, v);
    // cvttss2si of NaN: the "integer indefinite".
    let out = e
        .eval("x64_cvttss2si", &[ty(32), x(0x7fc0_0000)])
        .expect("eval");
    assert_eq!(out.result, Some(bv(64, 0x8000_0000)));
    assert!(out.is_unique());
    // inf + -inf: the default NaN, which has the sign bit set.
    let inf = x(0x7f80_0000);
    let ninf = x(0xff80_0000);
    let out = e.eval("x64_addss", &[inf, ninf]).expect("eval");
    assert_eq!(out.result, Some(bv(128, 0xffc0_0000)));
    assert!(out.is_unique());
    // minss(+0, -0) is the second operand, not IEEE's -0-or-either.
    let out = e.eval("x64_minss", &[x(0x8000_0000), x(0)]).expect("eval");
    assert_eq!(out.result, Some(bv(128, 0)));
    // 32-bit shifts mask the count to 5 bits.
    let out = e
        .eval("x64_shl_cl", &[ty(32), bv(64, 1), bv(64, 33)])
        .expect("eval");
    assert_eq!(out.result, Some(bv(64, 2)));
    // idiv INT_MIN / -1 raises #DE: reached with no earlier trap (state
    // 0), its `require` (no #DE) is violated; after a trap it is not reached.
    let args = |ts: u128| {
        [
            ty(32),
            bv(8, ts),
            bv(64, 0xffff_ffff),
            bv(64, 0x8000_0000),
            bv(64, 0xffff_ffff),
        ]
    };
    let out = e.eval("x64_idiv_quot", &args(0)).expect("eval");
    assert_eq!(out.violated.len(), 1, "{out:?}");
    let out = e.eval("x64_idiv_quot", &args(2)).expect("eval");
    assert!(out.violated.is_empty(), "{out:?}");
}

/// cvc5 reads the same encoding and agrees (skipped when it is not
/// installed).
#[test]
fn cvc5_agrees_when_installed() {
    if std::process::Command::new("cvc5")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("cvc5 not installed; skipped");
        return;
    }
    let mut e = ev().with_solver(wasmproof_verifier::SolverKind::Cvc5);
    let out = e
        .eval("add", &[ty(64), bv(64, 5), bv(64, 7)])
        .expect("eval");
    assert_eq!(out.result, Some(bv(64, 12)));
    let out = e.eval("div", &[bv(64, 7), bv(64, 0)]).expect("eval");
    assert_eq!(out.state_value("trapped"), Some(&ModelValue::Bool(true)));
    let one = f64::to_bits(1.0) as u128;
    let out = e.eval("fadd", &[bv(64, one), bv(64, one)]).expect("eval");
    assert_eq!(out.result, Some(bv(64, f64::to_bits(2.0) as u128)));
}

/// z3 and cvc5 agree on the x86-64 float specs at edge inputs: the same
/// encoding read by two solvers (skipped when cvc5 is not installed).
#[test]
fn solvers_agree_on_x64_float_specs() {
    if std::process::Command::new("cvc5")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("cvc5 not installed; skipped");
        return;
    }
    let paths = x64_isle();
    let (Ok(mut z3), Ok(cvc5)) = (Evaluator::new(&paths), Evaluator::new(&paths)) else {
        panic!("inst.isle does not load");
    };
    let mut cvc5 = cvc5.with_solver(wasmproof_verifier::SolverKind::Cvc5);
    let edges: [u128; 8] = [
        0,
        0x8000_0000,
        0x3fc0_0000,
        0x7f80_0000,
        0xff80_0000,
        0x7fa0_0001,
        1,
        0x4f00_0000,
    ];
    for term in [
        "x64_addss",
        "x64_mulss",
        "x64_minss",
        "x64_sqrtss",
        "x64_cvtss2sd",
        "x64_ucomiss",
    ] {
        for a in edges {
            for b in [edges[2], edges[3], edges[5]] {
                let args = [bv(128, a), bv(128, b)];
                let x = z3.eval(term, &args).expect("z3");
                let y = cvc5.eval(term, &args).expect("cvc5");
                assert_eq!(x.result, y.result, "{term} {args:?}");
                assert!(x.is_unique() && y.is_unique(), "{term} {args:?}");
            }
        }
    }
    for a in edges {
        let args = [ty(32), bv(128, a)];
        let x = z3.eval("x64_cvttss2si", &args).expect("z3");
        let y = cvc5.eval("x64_cvttss2si", &args).expect("cvc5");
        assert_eq!(x.result, y.result, "cvttss2si {args:?}");
    }
}
