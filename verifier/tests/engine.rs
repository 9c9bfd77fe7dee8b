//! End-to-end tests of the verification engine on tiny inline ISLE programs.
//! They run the real solver (z3), as CI does.

use std::time::Duration;
use wasmproof_verifier::{ModelValue, Options, Report, SolverKind, Verdict, verify_sources};

/// Declarations shared by the tests: a CLIF-like IR and an x64-like target.
const PRELUDE: &str = r#"
(type Type (primitive Type))
(model Type (type (struct (bits Int))))
(type Value (primitive Value))
(model Value (type (bv)))
(type Inst (primitive Inst))
(model Inst (type (bv)))
(type InstOutput (primitive InstOutput))
(model InstOutput (type (bv)))
(type Reg (primitive Reg))
(model Reg (type (bv 64)))

(decl lower (Inst) InstOutput)
(spec (lower arg) (provide (= result arg)))
(instantiate lower
    ((args (bv 8)) (ret (bv 8)))
    ((args (bv 16)) (ret (bv 16)))
    ((args (bv 32)) (ret (bv 32)))
    ((args (bv 64)) (ret (bv 64))))

(decl has_type (Type Inst) Inst)
(extern extractor has_type has_type)
(spec (has_type ty arg) (provide (= result arg) (= (:bits ty) (widthof arg))))

(decl fits_in_64 (Type) Type)
(extern extractor fits_in_64 fits_in_64)
(spec (fits_in_64 ty) (match (<= (:bits result) 64)) (provide (= result ty)))

(decl iadd (Value Value) Inst)
(extern extractor iadd iadd)
(spec (iadd x y) (provide (= result (bvadd x y))))

(decl put_in_reg (Value) Reg)
(extern constructor put_in_reg put_in_reg)
(spec (put_in_reg v) (provide (= result (conv_to 64 v))))

(decl output_reg (Type Reg) InstOutput)
(extern constructor output_reg output_reg)
(spec (output_reg ty r) (provide (= result (conv_to (:bits ty) r))))
"#;

fn opts() -> Options {
    Options {
        solver: SolverKind::Z3,
        timeout: Duration::from_secs(30),
        jobs: 2,
        ..Options::default()
    }
}

fn run(src: &str) -> Report {
    match verify_sources(&[("prelude.isle", PRELUDE), ("test.isle", src)], &opts()) {
        Ok(r) => r,
        Err(e) => panic!("verification run failed: {e}"),
    }
}

fn dump(r: &Report) -> String {
    let mut s = String::new();
    for o in &r.outcomes {
        s.push_str(&format!(
            "{} {} {} {:?}\n",
            o.root, o.rule, o.instantiation, o.verdict
        ));
    }
    for d in &r.diagnostics {
        s.push_str(&format!("{d}\n"));
    }
    s
}

#[test]
fn correct_iadd_is_proven_at_every_width() {
    let r = run(r#"
(decl x64_add (Type Reg Reg) Reg)
(extern constructor x64_add x64_add)
(spec (x64_add ty a b) (provide (= result (bvadd a b))))
(rule iadd_base (lower (has_type (fits_in_64 ty) (iadd x y)))
      (output_reg ty (x64_add ty (put_in_reg x) (put_in_reg y))))
"#);
    assert_eq!(r.outcomes.len(), 4, "{}", dump(&r));
    for o in &r.outcomes {
        assert_eq!(o.verdict, Verdict::Proven, "{}", dump(&r));
    }
    let insts: Vec<&str> = r
        .outcomes
        .iter()
        .map(|o| o.instantiation.as_str())
        .collect();
    assert_eq!(
        insts,
        [
            "(bv 8) -> bv 8",
            "(bv 16) -> bv 16",
            "(bv 32) -> bv 32",
            "(bv 64) -> bv 64"
        ]
    );
}

fn bv_of(v: &ModelValue) -> (usize, u128) {
    match v {
        ModelValue::BitVec { width, bits } => (*width, *bits),
        other => panic!("expected a bit-vector, got {other:?}"),
    }
}

#[test]
fn wrong_rule_gives_a_counterexample_that_falsifies_it() {
    let r = run(r#"
(decl x64_sub (Type Reg Reg) Reg)
(extern constructor x64_sub x64_sub)
(spec (x64_sub ty a b) (provide (= result (bvsub a b))))
(rule iadd_wrong (lower (has_type (fits_in_64 ty) (iadd x y)))
      (output_reg ty (x64_sub ty (put_in_reg x) (put_in_reg y))))
"#);
    assert_eq!(r.outcomes.len(), 4, "{}", dump(&r));
    for o in &r.outcomes {
        let Verdict::Counterexample(ce) = &o.verdict else {
            panic!("expected a counterexample: {}", dump(&r));
        };
        let get = |n: &str| {
            ce.inputs
                .iter()
                .find(|b| b.name == n)
                .map(|b| bv_of(&b.value))
                .unwrap_or_else(|| panic!("no input `{n}` in {ce:?}"))
        };
        let (w, x) = get("x");
        let (wy, y) = get("y");
        assert_eq!(w, wy);
        let mask = if w == 128 {
            u128::MAX
        } else {
            (1u128 << w) - 1
        };
        let (lw, lhs) = bv_of(&ce.lhs.value);
        let (rw, rhs) = bv_of(&ce.rhs.value);
        assert_eq!((lw, rw), (w, w));
        // The model really is a counterexample: lhs is x + y, rhs is x - y,
        // and they differ.
        assert_eq!(lhs, x.wrapping_add(y) & mask, "{ce:?}");
        assert_eq!(rhs, x.wrapping_sub(y) & mask, "{ce:?}");
        assert_ne!(lhs, rhs);
        assert!(!ce.failed.is_empty());
        assert!(!ce.intermediates.is_empty());
    }
}

#[test]
fn contradictory_requires_are_vacuous() {
    let r = run(r#"
(decl x64_weird (Type Reg Reg) Reg)
(extern constructor x64_weird x64_weird)
(spec (x64_weird ty a b) (provide (= result (bvadd a b))))
(decl picky (Inst) InstOutput)
(spec (picky arg)
    (require (= arg (conv_to (widthof arg) #x01)) (= arg (conv_to (widthof arg) #x02)))
    (provide (= result arg)))
(instantiate picky ((args (bv 32)) (ret (bv 32))))
(rule fine (lower (has_type ty (iadd x y)))
      (output_reg ty (x64_weird ty (put_in_reg x) (put_in_reg y))))
(rule never (picky (has_type ty (iadd x y)))
      (output_reg ty (x64_weird ty (put_in_reg x) (put_in_reg y))))
"#);
    let picky: Vec<_> = r.outcomes.iter().filter(|o| o.root == "picky").collect();
    assert_eq!(picky.len(), 1, "{}", dump(&r));
    assert_eq!(picky[0].verdict, Verdict::Vacuous, "{}", dump(&r));
}

#[test]
fn missing_spec_is_an_error_naming_term_and_rule() {
    let r = run(r#"
(decl x64_nospec (Type Reg Reg) Reg)
(extern constructor x64_nospec x64_nospec)
(rule uses_nospec (lower (has_type ty (iadd x y)))
      (output_reg ty (x64_nospec ty (put_in_reg x) (put_in_reg y))))
"#);
    assert_eq!(r.outcomes.len(), 1, "{}", dump(&r));
    let Verdict::Error(msg) = &r.outcomes[0].verdict else {
        panic!("expected an error: {}", dump(&r));
    };
    assert!(
        msg.contains("no spec for term `x64_nospec` used by rule `uses_nospec`"),
        "{msg}"
    );
}

#[test]
fn untypable_rule_is_an_error_naming_the_term() {
    // `mystery`'s result width is never constrained: it cannot be typed.
    let r = run(r#"
(decl mystery (Reg) Reg)
(extern constructor mystery mystery)
(type Blob (primitive Blob))
(model Blob (type (bv)))
(decl blob (Reg) Blob)
(extern constructor blob blob)
(spec (blob r) (provide (= result (zero_ext (widthof result) (extract 0 0 r)))))
(decl unblob (Blob) Reg)
(extern constructor unblob unblob)
(spec (unblob b) (provide (= result (conv_to 64 (extract 0 0 b)))))
(rule opaque (lower (has_type ty (iadd x y)))
      (output_reg ty (unblob (blob (put_in_reg x)))))
"#);
    assert!(!r.outcomes.is_empty(), "{}", dump(&r));
    for o in &r.outcomes {
        let Verdict::Error(msg) = &o.verdict else {
            panic!("expected an error: {}", dump(&r));
        };
        assert!(msg.contains("cannot infer"), "{msg}");
        assert!(msg.contains("blob"), "{msg}");
        assert!(msg.contains("opaque"), "{msg}");
    }
}

// ---------------------------------------------------------------------------
// Custom encodings, checked through the solver against Rust's own operations.

use wasmproof_verifier::encode::{self, Sort};
use wasmproof_verifier::smt::S;
use wasmproof_verifier::solver;

/// Edge values and a deterministic pseudo-random spread for width `w`.
fn samples(w: u32) -> Vec<u128> {
    let mask = (1u128 << w) - 1;
    let mut v = vec![
        0,
        1,
        2,
        3,
        mask,
        mask - 1,
        1 << (w - 1),
        (1 << (w - 1)) - 1,
        (1 << (w - 1)) + 1,
    ];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15 ^ u64::from(w);
    for _ in 0..12 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.push(u128::from(x) & mask);
        // Values with a run of leading zeros or ones, to exercise clz/cls.
        let shift = (x % u64::from(w)) as u32;
        v.push((u128::from(x) & mask) >> shift);
        v.push(!((u128::from(x) & mask) >> shift) & mask);
    }
    v
}

fn lit(v: u128, w: u32) -> S {
    S::bv(v, w as usize)
}

/// Evaluate `terms` with z3 and return the bit-vector values.
fn eval_bv(terms: Vec<S>, w: u32) -> Vec<u128> {
    let typed: Vec<(S, Sort)> = terms
        .into_iter()
        .map(|t| (t, Sort::BitVec(w as usize)))
        .collect();
    let vals = solver::evaluate(SolverKind::Z3, &typed).unwrap_or_else(|e| panic!("{e}"));
    vals.iter()
        .map(|v| match v {
            ModelValue::BitVec { width, bits } if *width == w as usize => *bits,
            other => panic!("expected (bv {w}), got {other:?}"),
        })
        .collect()
}

/// Rust reference implementations at each width, via the native types.
fn reference(op: &str, w: u32, x: u128, s: u128) -> u128 {
    macro_rules! at {
        ($u:ty, $i:ty) => {{
            let xu = x as $u;
            let xi = xu as $i;
            let amt = (s % u128::from(w)) as u32;
            match op {
                "clz" => u128::from(xu.leading_zeros()),
                "cls" => {
                    let n = if xi < 0 {
                        xi.leading_ones()
                    } else {
                        xi.leading_zeros()
                    };
                    u128::from(n - 1)
                }
                "popcnt" => u128::from(xu.count_ones()),
                "rev" => xu.reverse_bits() as u128,
                "rotl" => xu.rotate_left(amt) as u128,
                "rotr" => xu.rotate_right(amt) as u128,
                _ => unreachable!("unknown op {op}"),
            }
        }};
    }
    match w {
        8 => at!(u8, i8),
        16 => at!(u16, i16),
        32 => at!(u32, i32),
        64 => at!(u64, i64),
        _ => unreachable!("width {w}"),
    }
}

fn check_encoding(op: &str) {
    for w in [8u32, 16, 32, 64] {
        let xs = samples(w);
        // Shift amounts: everything from 0 to past the width, plus big ones.
        let ss: Vec<u128> = xs
            .iter()
            .enumerate()
            .map(|(i, x)| if i % 2 == 0 { i as u128 } else { *x })
            .collect();
        let terms: Vec<S> = xs
            .iter()
            .zip(ss.iter())
            .map(|(&x, &s)| {
                let (xl, sl) = (lit(x, w), lit(s, w));
                let wu = w as usize;
                match op {
                    "clz" => encode::clz(xl, wu),
                    "cls" => encode::cls(xl, wu),
                    "popcnt" => encode::popcnt(xl, wu),
                    "rev" => encode::rev(xl, wu),
                    "rotl" => encode::rotate(xl, sl, wu, true),
                    "rotr" => encode::rotate(xl, sl, wu, false),
                    _ => unreachable!(),
                }
            })
            .collect();
        let got = eval_bv(terms, w);
        for ((&x, &s), g) in xs.iter().zip(ss.iter()).zip(got) {
            let want = reference(op, w, x, s);
            assert_eq!(g, want, "{op} at width {w}: x = {x:#x}, s = {s:#x}");
        }
    }
}

#[test]
fn clz_encoding_matches_leading_zeros() {
    check_encoding("clz");
}

#[test]
fn cls_encoding_matches_leading_sign_bits() {
    check_encoding("cls");
}

#[test]
fn popcnt_encoding_matches_count_ones() {
    check_encoding("popcnt");
}

#[test]
fn rev_encoding_matches_reverse_bits() {
    check_encoding("rev");
}

#[test]
fn rotl_encoding_matches_rotate_left() {
    check_encoding("rotl");
}

#[test]
fn rotr_encoding_matches_rotate_right() {
    check_encoding("rotr");
}

#[test]
fn saddo_encoding_matches_overflowing_add() {
    for w in [8u32, 16, 32, 64] {
        let xs = samples(w);
        let ys: Vec<u128> = xs.iter().rev().copied().collect();
        let terms: Vec<(S, Sort)> = xs
            .iter()
            .zip(ys.iter())
            .map(|(&x, &y)| (encode::saddo(lit(x, w), lit(y, w), w as usize), Sort::Bool))
            .collect();
        let got = solver::evaluate(SolverKind::Z3, &terms).unwrap_or_else(|e| panic!("{e}"));
        for ((&x, &y), g) in xs.iter().zip(ys.iter()).zip(got) {
            let want = match w {
                8 => (x as i8).overflowing_add(y as i8).1,
                16 => (x as i16).overflowing_add(y as i16).1,
                32 => (x as i32).overflowing_add(y as i32).1,
                _ => (x as i64).overflowing_add(y as i64).1,
            };
            assert_eq!(g, ModelValue::Bool(want), "saddo at {w}: {x:#x} + {y:#x}");
        }
    }
}

// ---------------------------------------------------------------------------
// Chaining and priorities.

const CHAIN: &str = r#"
(decl x64_add (Reg Reg) Reg)
(extern constructor x64_add x64_add)
(spec (x64_add a b) (provide (= result (bvadd a b))))

(decl zero_reg () Reg)
(extern extractor zero_reg zero_reg)
(spec (zero_reg) (provide (= result #x0000000000000000)))

(decl one_reg () Reg)
(extern constructor one_reg one_reg)
(spec (one_reg) (provide (= result #x0000000000000001)))

;; A helper without a spec: its rules are inlined into each caller.
(decl select_add (Reg Reg) Reg)
(attr select_add (veri chain))
(rule add_zero 1 (select_add x (zero_reg)) x)
(rule add_general 0 (select_add x y) (x64_add x y))

(decl iadd_one (Value) Inst)
(extern extractor iadd_one iadd_one)
(spec (iadd_one x) (provide (= result (bvadd x (conv_to (widthof x) #x01)))))

(rule add_chained (lower (has_type (fits_in_64 ty) (iadd x y)))
      (output_reg ty (select_add (put_in_reg x) (put_in_reg y))))
(rule add_one_chained (lower (has_type (fits_in_64 ty) (iadd_one x)))
      (output_reg ty (select_add (put_in_reg x) (one_reg))))

;; Division: the general rule is only right because the zero case is taken
;; by a higher-priority rule first.
(decl x64_div (Reg Reg) Reg)
(extern constructor x64_div x64_div)
(spec (x64_div a b) (require (not (= b #x0000000000000000))) (provide (= result (bvudiv a b))))

(decl zero () Reg)
(extern constructor zero zero)
(spec (zero) (provide (= result #x0000000000000000)))

(decl safe_div (Reg Reg) Reg)
(attr safe_div (veri chain))
(rule safe_div_zero 1 (safe_div x (zero_reg)) (zero))
(attr rule safe_div_zero (veri priority))
(rule safe_div_general 0 (safe_div x y) (x64_div x y))

(decl unsafe_div (Reg Reg) Reg)
(attr unsafe_div (veri chain))
(rule unsafe_div_zero 1 (unsafe_div x (zero_reg)) (zero))
(rule unsafe_div_general 0 (unsafe_div x y) (x64_div x y))

(decl udiv0 (Value Value) Inst)
(extern extractor udiv0 udiv0)
(spec (udiv0 x y)
    (provide (= result (if (= y (conv_to (widthof y) #x00)) (conv_to (widthof y) #x00) (bvudiv x y)))))

(decl div_root (Inst) InstOutput)
(spec (div_root arg) (provide (= result arg)))
(instantiate div_root ((args (bv 64)) (ret (bv 64))))
(rule div_checked (div_root (has_type ty (udiv0 x y)))
      (output_reg ty (safe_div (put_in_reg x) (put_in_reg y))))
(rule div_unchecked (div_root (has_type ty (udiv0 x y)))
      (output_reg ty (unsafe_div (put_in_reg x) (put_in_reg y))))
"#;

#[test]
fn chained_helpers_expand_into_one_query_per_rule() {
    let r = run(CHAIN);
    let chained: Vec<_> = r
        .outcomes
        .iter()
        .filter(|o| o.rule == "add_chained")
        .collect();
    // Two expansions at four widths.
    assert_eq!(chained.len(), 8, "{}", dump(&r));
    assert!(
        chained.iter().all(|o| o.verdict == Verdict::Proven),
        "{}",
        dump(&r)
    );
    assert_eq!(
        chained
            .iter()
            .filter(|o| o.expansion.contains("add_zero"))
            .count(),
        4,
        "{}",
        dump(&r)
    );
    assert_eq!(
        chained
            .iter()
            .filter(|o| o.expansion.contains("add_general"))
            .count(),
        4,
        "{}",
        dump(&r)
    );
}

#[test]
fn impossible_chained_expansions_are_dropped_with_a_note() {
    let r = run(CHAIN);
    let one: Vec<_> = r
        .outcomes
        .iter()
        .filter(|o| o.rule == "add_one_chained")
        .collect();
    // `one_reg` is never zero, so only the general expansion remains.
    assert_eq!(one.len(), 4, "{}", dump(&r));
    assert!(
        one.iter().all(|o| o.verdict == Verdict::Proven),
        "{}",
        dump(&r)
    );
    assert!(
        one.iter().all(|o| o.expansion.contains("add_general")),
        "{}",
        dump(&r)
    );
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.message.contains("add_one_chained") && d.message.contains("dropped")),
        "{}",
        dump(&r)
    );
}

#[test]
fn priority_rules_are_assumed_not_to_match() {
    let r = run(CHAIN);
    let checked: Vec<_> = r
        .outcomes
        .iter()
        .filter(|o| o.rule == "div_checked")
        .collect();
    assert_eq!(checked.len(), 2, "{}", dump(&r));
    assert!(
        checked.iter().all(|o| o.verdict == Verdict::Proven),
        "{}",
        dump(&r)
    );
    // Without the priority tag the general rule may see a zero divisor.
    let unchecked: Vec<_> = r
        .outcomes
        .iter()
        .filter(|o| o.rule == "div_unchecked")
        .collect();
    let general = unchecked
        .iter()
        .find(|o| o.expansion.contains("unsafe_div_general"))
        .unwrap_or_else(|| panic!("{}", dump(&r)));
    let Verdict::Counterexample(ce) = &general.verdict else {
        panic!("{}", dump(&r));
    };
    assert!(
        ce.failed.iter().any(|f| f.contains("require of `x64_div`")),
        "{ce:?}"
    );
    let y = ce
        .inputs
        .iter()
        .find(|b| b.name == "y")
        .map(|b| bv_of(&b.value));
    assert_eq!(y, Some((64, 0)), "{ce:?}");
}

// ---------------------------------------------------------------------------
// Solvers, cache, timeouts and whole-run errors.

const IADD_RULES: &str = r#"
(decl x64_add (Type Reg Reg) Reg)
(extern constructor x64_add x64_add)
(spec (x64_add ty a b) (provide (= result (bvadd a b))))
(decl x64_sub (Type Reg Reg) Reg)
(extern constructor x64_sub x64_sub)
(spec (x64_sub ty a b) (provide (= result (bvsub a b))))
(rule good (lower (has_type (fits_in_64 ty) (iadd x y)))
      (output_reg ty (x64_add ty (put_in_reg x) (put_in_reg y))))
(rule bad (lower (has_type (fits_in_64 ty) (iadd x y)))
      (output_reg ty (x64_sub ty (put_in_reg x) (put_in_reg y))))
"#;

fn kinds(r: &Report, rule: &str) -> Vec<&'static str> {
    r.outcomes
        .iter()
        .filter(|o| o.rule == rule)
        .map(|o| o.verdict.kind())
        .collect()
}

#[test]
fn cvc5_agrees_with_z3() {
    let mut o = opts();
    o.solver = SolverKind::Cvc5;
    let r = verify_sources(&[("prelude.isle", PRELUDE), ("test.isle", IADD_RULES)], &o)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        r.solver_version.to_lowercase().contains("cvc5"),
        "{}",
        r.solver_version
    );
    assert_eq!(kinds(&r, "good"), ["proven"; 4], "{}", dump(&r));
    assert_eq!(kinds(&r, "bad"), ["counterexample"; 4], "{}", dump(&r));
    for o in r.outcomes.iter().filter(|o| o.rule == "bad") {
        let Verdict::Counterexample(ce) = &o.verdict else {
            unreachable!()
        };
        assert_ne!(ce.lhs.value, ce.rhs.value, "{ce:?}");
    }
}

#[test]
fn cache_answers_a_rerun() {
    let dir = std::env::temp_dir().join(format!("wasmproof-engine-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut o = opts();
    o.cache_dir = Some(dir.clone());
    let srcs = [("prelude.isle", PRELUDE), ("test.isle", IADD_RULES)];
    let first = verify_sources(&srcs, &o).unwrap_or_else(|e| panic!("{e}"));
    let second = verify_sources(&srcs, &o).unwrap_or_else(|e| panic!("{e}"));
    assert!(first.outcomes.iter().all(|o| !o.cached));
    assert!(
        second.outcomes.iter().all(|o| o.cached),
        "{}",
        dump(&second)
    );
    let v = |r: &Report| {
        r.outcomes
            .iter()
            .map(|o| o.verdict.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(v(&first), v(&second));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hard_query_times_out() {
    let src = r#"
(decl imul (Value Value) Inst)
(extern extractor imul imul)
(spec (imul x y) (provide (= result (bvmul x y))))
(decl x64_weird_mul (Reg Reg) Reg)
(extern constructor x64_weird_mul x64_weird_mul)
(spec (x64_weird_mul a b)
    (provide (= result (bvudiv (bvmul (bvmul a b) (bvor a #x0000000000000001))
                               (bvor a #x0000000000000001)))))
(decl mul_root (Inst) InstOutput)
(spec (mul_root arg) (provide (= result arg)))
(instantiate mul_root ((args (bv 64)) (ret (bv 64))))
(rule slow (mul_root (imul x y))
      (conv_to_out (x64_weird_mul (put_in_reg x) (put_in_reg y))))
(decl conv_to_out (Reg) InstOutput)
(extern constructor conv_to_out conv_to_out)
(spec (conv_to_out r) (provide (= result r)))
"#;
    let mut o = opts();
    o.timeout = Duration::from_millis(200);
    o.roots = vec!["mul_root".to_string()];
    let r = verify_sources(
        &[
            ("prelude.isle", PRELUDE),
            ("rules.isle", IADD_RULES),
            ("slow.isle", src),
        ],
        &o,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.outcomes.len(), 1, "{}", dump(&r));
    assert!(
        matches!(
            r.outcomes[0].verdict,
            Verdict::Timeout | Verdict::Unknown(_)
        ),
        "{}",
        dump(&r)
    );
}

#[test]
fn parse_errors_name_file_line_and_column() {
    let err = verify_sources(
        &[("broken.isle", "(decl foo (u8) u8)\n(rule (foo x) (bar x)")],
        &opts(),
    )
    .err()
    .unwrap_or_else(|| panic!("broken ISLE accepted"));
    let msg = err.to_string();
    assert!(msg.contains("broken.isle:2:"), "{msg}");
}

#[test]
fn spec_for_undeclared_term_is_located() {
    let src = "(spec (nosuch x) (provide (= result x)))\n";
    let err = verify_sources(
        &[
            ("prelude.isle", PRELUDE),
            ("rules.isle", IADD_RULES),
            ("spec.isle", src),
        ],
        &opts(),
    )
    .err()
    .unwrap_or_else(|| panic!("accepted"));
    assert!(err.to_string().contains("spec.isle:1:"), "{err}");
    assert!(err.to_string().contains("nosuch"), "{err}");
}

#[test]
fn unknown_root_is_a_usage_error() {
    let mut o = opts();
    o.roots = vec!["no_such_root".to_string()];
    let err = verify_sources(&[("prelude.isle", PRELUDE), ("test.isle", IADD_RULES)], &o)
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert!(err.to_string().contains("no_such_root"), "{err}");
}

#[test]
fn rule_selection_and_progress_hook() {
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let mut o = opts();
    o.rules = vec!["bad".to_string()];
    o.on_outcome = Some(Arc::new(
        move |out: &wasmproof_verifier::Outcome, done, total| {
            if let Ok(mut v) = s2.lock() {
                v.push((out.rule.clone(), done, total));
            }
        },
    ));
    let r = verify_sources(&[("prelude.isle", PRELUDE), ("test.isle", IADD_RULES)], &o)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kinds(&r, "bad").len(), 4);
    assert!(r.outcomes.iter().all(|o| o.rule == "bad"));
    let seen = seen.lock().map(|v| v.clone()).unwrap_or_default();
    assert_eq!(seen.len(), 4);
    assert!(seen.iter().all(|(_, d, t)| d <= t && *t == 4), "{seen:?}");
}

// ---------------------------------------------------------------------------
// Floating point through the SMT FP theory.

const FP: &str = r#"
(type F (primitive F))
(model F (type (bv)))
(decl fp_root (F) F)
;; Results agree bit for bit, or are both NaN (whose payload is free).
(spec (fp_root arg)
    (provide (or (= result arg) (and (fp.isNaN result) (fp.isNaN arg)))))
(instantiate fp_root ((args (bv 32)) (ret (bv 32))) ((args (bv 64)) (ret (bv 64))))
(decl fadd (F F) F)
(extern extractor fadd fadd)
(spec (fadd x y) (provide (= result (fp.add x y))))
(decl fneg (F) F)
(extern extractor fneg fneg)
(spec (fneg x) (provide (= result (fp.neg x))))
(decl x64_addsd (F F) F)
(extern constructor x64_addsd x64_addsd)
(spec (x64_addsd a b) (provide (= result (fp.add a b))))
(decl x64_subsd (F F) F)
(extern constructor x64_subsd x64_subsd)
(spec (x64_subsd a b) (provide (= result (fp.sub a b))))
(decl x64_xor_sign (F) F)
(extern constructor x64_xor_sign x64_xor_sign)
(spec (x64_xor_sign a) (provide (= result (bvxor a (fp.-zero (widthof a))))))
(rule fadd_ok (fp_root (fadd x y)) (x64_addsd x y))
(rule fadd_as_sub (fp_root (fadd x y)) (x64_subsd x y))
(rule fneg_xor (fp_root (fneg x)) (x64_xor_sign x))
"#;

#[test]
fn floating_point_rules() {
    let r = verify_sources(
        &[
            ("prelude.isle", PRELUDE),
            ("rules.isle", IADD_RULES),
            ("fp.isle", FP),
        ],
        &{
            let mut o = opts();
            o.roots = vec!["fp_root".to_string()];
            o
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kinds(&r, "fadd_ok"), ["proven"; 2], "{}", dump(&r));
    assert_eq!(
        kinds(&r, "fadd_as_sub"),
        ["counterexample"; 2],
        "{}",
        dump(&r)
    );
    assert_eq!(kinds(&r, "fneg_xor"), ["proven"; 2], "{}", dump(&r));
}

// ---------------------------------------------------------------------------
// The spec language: macros, let/with, switch, state, enums and structs.

const LANG: &str = r#"
(macro (bvzero n) (zero_ext n #b0))
(macro (bv_is_zero x) (= x (bvzero! (widthof x))))

(state clif_trap (type Bool) (default (not clif_trap)))
(state exec_trap (type Bool) (default (not exec_trap)))

(decl lang_root (Inst) InstOutput)
(spec (lang_root arg)
    (provide
        (if (not clif_trap) (= result arg) exec_trap)
        (= clif_trap exec_trap)))
(instantiate lang_root
    ((args (bv 8)) (ret (bv 8)))
    ((args (bv 32)) (ret (bv 32))))

;; Division traps on zero, on both sides.
(decl udiv (Value Value) Inst)
(extern extractor udiv udiv)
(spec (udiv x y)
    (modifies clif_trap)
    (provide (= clif_trap (bv_is_zero! y))
             (= result (bvudiv x y))))
(decl m_div (Reg Reg) Reg)
(extern constructor m_div m_div)
(spec (m_div a b)
    (modifies exec_trap)
    (provide (= exec_trap (bv_is_zero! b))
             (= result (bvudiv a b))))
(decl m_div_notrap (Reg Reg) Reg)
(extern constructor m_div_notrap m_div_notrap)
(spec (m_div_notrap a b) (provide (= result (bvudiv a b))))

(decl out (Reg) InstOutput)
(extern constructor out out)
(spec (out r) (provide (= result (conv_to (widthof result) r))))

(decl uext (Value) Reg)
(extern constructor uext uext)
(spec (uext v) (provide (= result (zero_ext 64 v))))

(rule udiv_traps (lang_root (udiv x y)) (out (m_div (uext x) (uext y))))
(rule udiv_forgets_trap (lang_root (udiv x y)) (out (m_div_notrap (uext x) (uext y))))

;; High half of a multiply, with `let`, `with` and concat.
(decl umulhi (Value Value) Inst)
(extern extractor umulhi umulhi)
(spec (umulhi x y)
    (provide
        (let ((wide (zero_ext (* 2 (widthof x)) x)))
            (with (low)
                (= (concat result low) (bvmul wide (zero_ext (widthof wide) y)))))))
(instantiate umulhi ((args (bv 8) (bv 8)) (ret (bv 8))) ((args (bv 32) (bv 32)) (ret (bv 32))))
(decl m_mul_hi (Reg Reg Type) Reg)
(extern constructor m_mul_hi m_mul_hi)
(spec (m_mul_hi a b ty)
    (provide (= result (switch (:bits ty)
        (8 (zero_ext 64 (extract 15 8 (bvmul (zero_ext 16 (extract 7 0 a)) (zero_ext 16 (extract 7 0 b))))))
        (32 (zero_ext 64 (extract 63 32 (bvmul a b))))))))
(decl value_type (Type) Value)
(extern extractor value_type value_type)
(spec (value_type ty) (provide (= (:bits ty) (widthof result))))
(rule umulhi_ok (lang_root (umulhi x @ (value_type ty) y)) (out (m_mul_hi (uext x) (uext y) ty)))

;; An enum as a spec-level record, matched in a spec.
(type Cond (enum (Eq) (Ne) (Ult (bias u8))))
(decl icmp_cc (Cond Value Value) Inst)
(extern extractor icmp_cc icmp_cc)
(spec (icmp_cc c x y)
    (provide (= result (zero_ext (widthof result)
        (if (match c ((Eq) (= x y)) ((Ne) (not (= x y))) ((Ult b) (bvult x y))) #b1 #b0)))))
(instantiate icmp_cc
    ((args (named Cond) (bv 8) (bv 8)) (ret (bv 8)))
    ((args (named Cond) (bv 32) (bv 32)) (ret (bv 32))))
(decl m_setcc (Cond Reg Reg) Reg)
(extern constructor m_setcc m_setcc)
(spec (m_setcc c a b)
    (provide (= result (if (Cond.Eq? c)
                           (if (= a b) #x0000000000000001 #x0000000000000000)
                           (if (Ne? c)
                               (if (= a b) #x0000000000000000 #x0000000000000001)
                               (if (bvult a b) #x0000000000000001 #x0000000000000000))))))
(type Pair (struct (lo Reg) (hi Reg)))
(decl pair_lo (Pair) Reg)
(extern constructor pair_lo pair_lo)
(spec (pair_lo p) (provide (= result (:lo p))))
(decl m_add (Reg Reg) Reg)
(extern constructor m_add m_add)
(spec (m_add a b) (provide (= result (bvadd a b))))
(rule pair_ok (lang_root (iadd x y)) (out (pair_lo (Pair (m_add (uext x) (uext y)) (uext x)))))
(rule pair_wrong (lang_root (iadd x y)) (out (pair_lo (Pair (uext x) (m_add (uext x) (uext y))))))

(rule icmp_ok (lang_root (icmp_cc c x y)) (out (m_setcc c (uext x) (uext y))))
(rule icmp_eq_only (lang_root (icmp_cc (Cond.Eq) x y)) (out (m_setcc (Cond.Ne) (uext x) (uext y))))
"#;

#[test]
fn spec_language_features() {
    let r = verify_sources(
        &[
            ("prelude.isle", PRELUDE),
            ("rules.isle", IADD_RULES),
            ("lang.isle", LANG),
        ],
        &{
            let mut o = opts();
            o.roots = vec!["lang_root".to_string()];
            o
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kinds(&r, "udiv_traps"), ["proven"; 2], "{}", dump(&r));
    assert_eq!(
        kinds(&r, "udiv_forgets_trap"),
        ["counterexample"; 2],
        "{}",
        dump(&r)
    );
    assert_eq!(kinds(&r, "umulhi_ok"), ["proven"; 2], "{}", dump(&r));
    assert_eq!(kinds(&r, "icmp_ok"), ["proven"; 2], "{}", dump(&r));
    assert_eq!(kinds(&r, "pair_ok"), ["proven"; 2], "{}", dump(&r));
    assert_eq!(
        kinds(&r, "pair_wrong"),
        ["counterexample"; 2],
        "{}",
        dump(&r)
    );
    assert_eq!(
        kinds(&r, "icmp_eq_only"),
        ["counterexample"; 2],
        "{}",
        dump(&r)
    );
    // The forgotten trap is found with a zero divisor.
    for o in r.outcomes.iter().filter(|o| o.rule == "udiv_forgets_trap") {
        let Verdict::Counterexample(ce) = &o.verdict else {
            unreachable!()
        };
        let y = ce
            .inputs
            .iter()
            .find(|b| b.name == "y")
            .map(|b| bv_of(&b.value).1);
        assert_eq!(y, Some(0), "{ce:?}");
    }
}

#[test]
fn deeply_shared_spec_values_stay_small() {
    // 20 nested lets, each reading the previous value three times: copied
    // naively, the term would have 3^20 leaves.
    let src = r#"
(decl blowup (Value) Inst)
(extern extractor blowup blowup)
(spec (blowup x) (provide (= result (let ((a0 x) LETS) a20))))
(decl m_blowup (Reg) Reg)
(extern constructor m_blowup m_blowup)
(spec (m_blowup r) (provide (= result (let ((a0 r) LETS) a20))))
(decl blow_root (Inst) InstOutput)
(spec (blow_root arg) (provide (= result arg)))
(instantiate blow_root ((args (bv 64)) (ret (bv 64))))
(decl out64 (Reg) InstOutput)
(extern constructor out64 out64)
(spec (out64 r) (provide (= result r)))
(rule same (blow_root (blowup x)) (out64 (m_blowup (put_in_reg x))))
"#
    .replace("LETS", "(a1 (bvxor a0 (bvadd a0 a0))) (a2 (bvxor a1 (bvadd a1 a1))) (a3 (bvxor a2 (bvadd a2 a2))) (a4 (bvxor a3 (bvadd a3 a3))) (a5 (bvxor a4 (bvadd a4 a4))) (a6 (bvxor a5 (bvadd a5 a5))) (a7 (bvxor a6 (bvadd a6 a6))) (a8 (bvxor a7 (bvadd a7 a7))) (a9 (bvxor a8 (bvadd a8 a8))) (a10 (bvxor a9 (bvadd a9 a9))) (a11 (bvxor a10 (bvadd a10 a10))) (a12 (bvxor a11 (bvadd a11 a11))) (a13 (bvxor a12 (bvadd a12 a12))) (a14 (bvxor a13 (bvadd a13 a13))) (a15 (bvxor a14 (bvadd a14 a14))) (a16 (bvxor a15 (bvadd a15 a15))) (a17 (bvxor a16 (bvadd a16 a16))) (a18 (bvxor a17 (bvadd a17 a17))) (a19 (bvxor a18 (bvadd a18 a18))) (a20 (bvxor a19 (bvadd a19 a19)))");
    let mut o = opts();
    o.roots = vec!["blow_root".to_string()];
    let r = verify_sources(
        &[
            ("prelude.isle", PRELUDE),
            ("rules.isle", IADD_RULES),
            ("blow.isle", &src),
        ],
        &o,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kinds(&r, "same"), ["proven"], "{}", dump(&r));
}

#[test]
fn conditional_state_modification_keeps_the_default_otherwise() {
    let src = r#"
(state relax (type Bool) (default (not relax)))
(decl relax_root (Inst) InstOutput)
(spec (relax_root arg) (provide (or (= result arg) relax)))
(instantiate relax_root ((args (bv 8)) (ret (bv 8))))
;; Modifies `relax` only when x is zero: then any result is acceptable.
(decl maybe_any (Value) Inst)
(extern extractor maybe_any maybe_any)
(spec (maybe_any x) (modifies relax c) (provide (= c (= x #x00)) (=> c relax) (= result x)))
(decl m_zero_wrong (Reg) Reg)
(extern constructor m_zero_wrong m_zero_wrong)
(spec (m_zero_wrong r)
    (provide (= result (if (= (extract 7 0 r) #x00) #x00000000000000ff r))))
(decl m_one_wrong (Reg) Reg)
(extern constructor m_one_wrong m_one_wrong)
(spec (m_one_wrong r)
    (provide (= result (if (= (extract 7 0 r) #x01) #x00000000000000ff r))))
(decl out8 (Reg) InstOutput)
(extern constructor out8 out8)
(spec (out8 r) (provide (= result (extract 7 0 r))))
(rule wrong_only_when_relaxed (relax_root (maybe_any x)) (out8 (m_zero_wrong (put_in_reg x))))
(rule wrong_when_strict (relax_root (maybe_any x)) (out8 (m_one_wrong (put_in_reg x))))
"#;
    let mut o = opts();
    o.roots = vec!["relax_root".to_string()];
    let r = verify_sources(
        &[
            ("prelude.isle", PRELUDE),
            ("rules.isle", IADD_RULES),
            ("relax.isle", src),
        ],
        &o,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        kinds(&r, "wrong_only_when_relaxed"),
        ["proven"],
        "{}",
        dump(&r)
    );
    assert_eq!(
        kinds(&r, "wrong_when_strict"),
        ["counterexample"],
        "{}",
        dump(&r)
    );
}

#[test]
fn root_without_instantiate_is_typed_from_models() {
    let src = r#"
(decl byte_root (u8 u8) u8)
(spec (byte_root a b) (provide (= result (bvadd a b))))
(decl m_add8 (u8 u8) u8)
(extern constructor m_add8 m_add8)
(spec (m_add8 a b) (provide (= result (bvadd b a))))
(rule add8 (byte_root a b) (m_add8 a b))
"#;
    let mut o = opts();
    o.roots = vec!["byte_root".to_string()];
    let r = verify_sources(
        &[
            ("prelude.isle", PRELUDE),
            ("rules.isle", IADD_RULES),
            ("bytes.isle", src),
        ],
        &o,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kinds(&r, "add8"), ["proven"], "{}", dump(&r));
    assert_eq!(r.outcomes[0].instantiation, "(inferred)");
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.message.contains("no instantiate"))
    );
}

#[test]
fn instantiations_a_rule_cannot_match_are_noted_not_failed() {
    let src = r#"
(decl wide_root (Inst) InstOutput)
(spec (wide_root arg) (provide (= result arg)))
(instantiate wide_root ((args (bv 64)) (ret (bv 64))) ((args (bv 128)) (ret (bv 128))))
(decl m_add (Type Reg Reg) Reg)
(extern constructor m_add m_add)
(spec (m_add ty a b) (provide (= result (bvadd a b))))
(rule narrow_only (wide_root (has_type (fits_in_64 ty) (iadd x y)))
      (output_reg ty (m_add ty (put_in_reg x) (put_in_reg y))))
"#;
    let mut o = opts();
    o.roots = vec!["wide_root".to_string()];
    let r = verify_sources(
        &[
            ("prelude.isle", PRELUDE),
            ("rules.isle", IADD_RULES),
            ("wide.isle", src),
        ],
        &o,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kinds(&r, "narrow_only"), ["proven"], "{}", dump(&r));
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.message.contains("narrow_only") && d.message.contains("(bv 128)")),
        "{}",
        dump(&r)
    );
}

#[test]
fn spec_mistakes_are_located_errors() {
    let src = r#"
(decl m_typo (Type Reg Reg) Reg)
(extern constructor m_typo m_typo)
(spec (m_typo ty a b) (provide (= result (bvadd a bb))))
(decl m_macro (Type Reg Reg) Reg)
(extern constructor m_macro m_macro)
(spec (m_macro ty a b) (provide (= result (no_such_macro! a b))))
(rule typo (lower (has_type ty (iadd x y)))
      (output_reg ty (m_typo ty (put_in_reg x) (put_in_reg y))))
(rule bad_macro (lower (has_type ty (iadd x y)))
      (output_reg ty (m_macro ty (put_in_reg x) (put_in_reg y))))
"#;
    let r = run(src);
    for (rule, needle) in [
        ("typo", "unknown variable `bb`"),
        ("bad_macro", "unknown macro `no_such_macro!`"),
    ] {
        let outs: Vec<_> = r.outcomes.iter().filter(|o| o.rule == rule).collect();
        assert!(!outs.is_empty(), "{}", dump(&r));
        for o in outs {
            let Verdict::Error(msg) = &o.verdict else {
                panic!("{}", dump(&r))
            };
            assert!(msg.contains(needle) && msg.contains("test.isle:"), "{msg}");
        }
    }
}

// ---------------------------------------------------------------------------
// Evaluating specs on concrete values.

#[test]
fn specs_evaluate_on_concrete_arguments() {
    use wasmproof_verifier::concrete::{Evaluator, bv, ty};
    use wasmproof_verifier::frontend::load_sources;
    let extra = r#"
(decl any_low (Value) Inst)
(extern extractor any_low any_low)
(spec (any_low x)
    (provide (= (widthof result) (widthof x)) (= (extract 7 4 result) (extract 7 4 x))))
"#;
    let prog = load_sources(
        [
            ("prelude.isle", PRELUDE),
            ("rules.isle", IADD_RULES),
            ("lang.isle", LANG),
            ("x.isle", extra),
        ]
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // An already loaded program, as a proof run has it.
    let mut ev = Evaluator::from_program(prog).with_timeout(Duration::from_secs(30));

    let v = ev
        .eval("iadd", &[bv(8, 200), bv(8, 100)])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v.result, Some(bv(8, 44)), "iadd matches: {v:?}");
    assert!(v.is_unique() && v.violated.is_empty(), "{v:?}");

    // udiv by zero: the result is free, and the trap state is set.
    let v = ev
        .eval("udiv", &[bv(32, 7), bv(32, 0)])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(v.result.is_some(), "udiv matches: {v:?}");
    assert_eq!(
        v.state_value("clif_trap"),
        Some(&ModelValue::Bool(true)),
        "{v:?}"
    );

    // Only the top nibble is specified.
    let v = ev
        .eval("any_low", &[bv(8, 0xa5)])
        .unwrap_or_else(|e| panic!("{e}"));
    let Some(ModelValue::BitVec { bits, .. }) = v.result else {
        panic!("{v:?}")
    };
    assert_eq!(bits >> 4, 0xa);
    assert!(!v.is_unique(), "{v:?}");

    // A partial term whose `match` fails gives no value.
    let none = ev
        .eval("fits_in_64", &[ty(128)])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(none.result, None, "{none:?}");
}
