//! The solver portfolio: a query one solver answers `unknown` or times out
//! on is retried with the other; a counterexample from either is final; the
//! lock records which solver proved each entry and `--check` starts with it.
//!
//! A 1 ms timeout makes the first solver give up on any floating-point
//! query (bit-blasting an f32 add takes longer), so the fallback is what
//! decides, deterministically.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use wasmproof_verifier::{Options, Report, SolverKind, Verdict, verify_sources};

/// An f32 add lowered right (`good`) and wrong (`bad`).
const SRC: &str = r#"
(type Value (primitive Value))
(model Value (type (bv 32)))
(type Inst (primitive Inst))
(model Inst (type (bv 32)))

(decl lower (Inst) Inst)
(spec (lower arg) (provide (= result arg)))
(instantiate lower ((args (bv 32)) (ret (bv 32))))

;; Deterministic on purpose: NaN results are the default NaN.
(macro (add a b) (if (fp.isNaN (fp.add a b)) #x7fc00000 (fp.add a b)))
(decl fadd (Value Value) Inst)
(extern extractor fadd fadd)
(spec (fadd x y) (provide (= result (add! x y))))

(decl m_add (Value Value) Inst)
(extern constructor m_add m_add)
(spec (m_add a b) (provide (= result (add! a b))))

(decl m_sub (Value Value) Inst)
(extern constructor m_sub m_sub)
(spec (m_sub a b) (provide (= result (if (fp.isNaN (fp.sub a b)) #x7fc00000 (fp.sub a b)))))

(rule good (lower (fadd x y)) (m_add x y))
(rule bad (lower (fadd x y)) (m_sub x y))
"#;

fn opts(solver: SolverKind, timeout: Duration, fallback: Option<SolverKind>) -> Options {
    Options {
        solver,
        timeout,
        fallback,
        fallback_timeout: Duration::from_secs(120),
        jobs: 2,
        ..Options::default()
    }
}

fn run(o: &Options) -> Report {
    verify_sources(&[("portfolio.isle", SRC)], o).unwrap_or_else(|e| panic!("{e}"))
}

fn outcome(r: &Report, rule: &str) -> (Verdict, Option<SolverKind>) {
    let o: Vec<_> = r.outcomes.iter().filter(|o| o.rule == rule).collect();
    assert_eq!(o.len(), 1, "{rule}: {:?}", r.outcomes);
    (o[0].verdict.clone(), o[0].solver)
}

const TINY: Duration = Duration::from_millis(1);

#[test]
fn without_a_fallback_a_tiny_timeout_is_not_a_proof() {
    let r = run(&opts(SolverKind::Z3, TINY, None));
    let (v, s) = outcome(&r, "good");
    assert!(matches!(v, Verdict::Timeout | Verdict::Unknown(_)), "{v:?}");
    assert_eq!(s, Some(SolverKind::Z3));
}

#[test]
fn z3_giving_up_falls_back_to_cvc5() {
    let r = run(&opts(SolverKind::Z3, TINY, Some(SolverKind::Cvc5)));
    assert_eq!(
        outcome(&r, "good"),
        (Verdict::Proven, Some(SolverKind::Cvc5))
    );
    // The fallback's counterexample is a failure.
    let (v, s) = outcome(&r, "bad");
    assert!(matches!(v, Verdict::Counterexample(_)), "{v:?}");
    assert_eq!(s, Some(SolverKind::Cvc5));
}

#[test]
fn cvc5_giving_up_falls_back_to_z3() {
    let r = run(&opts(SolverKind::Cvc5, TINY, Some(SolverKind::Z3)));
    assert_eq!(outcome(&r, "good"), (Verdict::Proven, Some(SolverKind::Z3)));
}

#[test]
fn the_first_solvers_counterexample_is_final() {
    let r = run(&opts(
        SolverKind::Z3,
        Duration::from_secs(60),
        Some(SolverKind::Cvc5),
    ));
    let (v, s) = outcome(&r, "bad");
    assert!(matches!(v, Verdict::Counterexample(_)), "{v:?}");
    assert_eq!(s, Some(SolverKind::Z3));
    assert_eq!(outcome(&r, "good"), (Verdict::Proven, Some(SolverKind::Z3)));
}

#[test]
fn a_preferred_solver_runs_first() {
    let mut o = opts(SolverKind::Z3, TINY, None);
    o.preferred
        .insert("lower good (bv 32) -> bv 32".to_string(), SolverKind::Cvc5);
    let r = run(&o);
    // cvc5 (with the fallback timeout) proves it; z3 is never asked.
    assert_eq!(
        outcome(&r, "good"),
        (Verdict::Proven, Some(SolverKind::Cvc5))
    );
    let (v, _) = outcome(&r, "bad");
    assert!(matches!(v, Verdict::Timeout | Verdict::Unknown(_)), "{v:?}");
}

/// The lock names the solver that proved each entry, and `--check` with a
/// hopeless primary timeout still re-proves it with that solver.
#[test]
fn lock_records_the_proving_solver_and_check_uses_it() {
    let dir = std::env::temp_dir().join(format!("wasmproof-portfolio-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let isle: PathBuf = dir.join("good.isle");
    let good_only = SRC.replace("(rule bad (lower (fadd x y)) (m_sub x y))", "");
    std::fs::write(&isle, good_only).expect("write isle");
    let lock = dir.join("verified.lock");
    let bin = env!("CARGO_BIN_EXE_wasmproof-verify");
    let run = |args: &[&str]| {
        let o = Command::new(bin).args(args).output().expect("run");
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let (isle, lock_s) = (isle.to_string_lossy(), lock.to_string_lossy());
    let (code, out) = run(&[
        "--timeout",
        "0.001",
        "--fallback",
        "cvc5",
        "--write-lock",
        &lock_s,
        &isle,
    ]);
    assert_eq!(code, Some(0), "{out}");
    let text = std::fs::read_to_string(&lock).expect("lock written");
    let entry = text
        .lines()
        .find(|l| l.starts_with("lower good "))
        .unwrap_or_else(|| panic!("no entry in\n{text}"));
    assert!(entry.contains(" proven cvc5-"), "{entry}");

    let (code, out) = run(&["--timeout", "0.001", "--check", &lock_s, &isle]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("matches, 1 entry re-proven"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
