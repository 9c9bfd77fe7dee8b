//! The gate on a small program in a scratch rules directory: `base.isle`
//! (types, IR and machine terms) and `x64/lower.isle` (the rules), with a
//! lock written from the program's own fingerprints.

use super::*;
use crate::lock::LockEntry;

const BASE: &str = "
(type Type (primitive Type))
(model Type (type (struct (bits Int))))
(type Value (primitive Value))
(model Value (type (bv)))
(type Inst (primitive Inst))
(model Inst (type (bv)))
(type Reg (primitive Reg))
(model Reg (type (bv 64)))
(type InstOutput (primitive InstOutput))
(model InstOutput (type (bv)))
(decl def_inst (Inst) Value)
(extern extractor def_inst def_inst)
(spec (def_inst inst) (provide (= result inst)))
(convert Inst Value def_inst)
(decl partial lower (Inst) InstOutput)
(spec (lower arg) (provide (= result arg)))
(instantiate lower ((args (bv 32)) (ret (bv 32))) ((args (bv 64)) (ret (bv 64))))
(decl put_in_reg (Value) Reg)
(extern constructor put_in_reg put_in_reg)
(spec (put_in_reg v) (provide (= (conv_to (widthof v) result) v)))
(decl output_reg (Reg) InstOutput)
(extern constructor output_reg output_reg)
(spec (output_reg r) (provide (= result (conv_to (widthof result) r))))
(decl isub (Type Value Value) Inst)
(extern extractor isub isub)
(spec (isub ty x y) (provide (= result (bvsub x y)) (= (:bits ty) (widthof result))))
(decl x64_sub (Type Reg Reg) Reg)
(extern constructor x64_sub x64_sub)
(spec (x64_sub ty a b) (provide (= result (bvsub a b))))
";

const LOWER: &str = ";; the rule under test
(rule isub_reg (lower (isub ty x y))
      (output_reg (x64_sub ty (put_in_reg x) (put_in_reg y))))
";

/// A rules directory removed when the test ends.
struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Dir {
    /// `base.isle` and `x64/lower.isle` (with `lower`), locked as proven.
    fn new(test: &str, lower: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("wasmproof-gate-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("x64")).expect("create scratch dir");
        let dir = Dir(d);
        dir.write("base.isle", BASE);
        dir.write("x64/lower.isle", lower);
        dir.lock_current();
        dir
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.0.join(name), text).expect("write scratch file");
    }

    fn sources(&self) -> Vec<PathBuf> {
        isle_sources(&self.0, "x64").expect("isle sources")
    }

    /// Write a lock holding every current fingerprint as proven (what
    /// `--write-lock` writes after a fully proven run).
    fn lock_current(&self) {
        let fps = crate::fingerprints(&self.sources(), &Options::default()).expect("fingerprints");
        let lock = Lock {
            entries: fps
                .into_iter()
                .map(|f| LockEntry {
                    root: f.root,
                    rule: f.rule,
                    instantiation: f.instantiation,
                    fingerprint: f.fingerprint,
                    solver: "z3-4.8.12".into(),
                })
                .collect(),
        };
        self.write(LOCK_FILE, &lock.render());
    }

    fn lock_text(&self) -> String {
        std::fs::read_to_string(self.0.join(LOCK_FILE)).expect("read lock")
    }

    fn check(&self) -> Result<GateReport, Error> {
        check(&self.0, &self.sources())
    }

    fn report(&self) -> GateReport {
        self.check().unwrap_or_else(|e| panic!("gate error: {e}"))
    }
}

fn lines(p: &[Problem]) -> Vec<String> {
    p.iter().map(|p| p.to_string()).collect()
}

#[test]
fn a_locked_program_passes() {
    let d = Dir::new("clean", LOWER);
    let r = d.report();
    assert!(r.all_proven(), "{:?}", lines(&r.problems));
    assert_eq!((r.rules, r.fingerprints), (1, 2));
    assert!(r.unproven_rules().is_empty());
}

#[test]
fn a_missing_entry_is_not_in_the_lock() {
    let d = Dir::new("missing", LOWER);
    let text: String = d
        .lock_text()
        .lines()
        .filter(|l| !l.contains("(bv 64)"))
        .map(|l| format!("{l}\n"))
        .collect();
    d.write(LOCK_FILE, &text);
    let r = d.report();
    assert_eq!(r.problems.len(), 1, "{:?}", lines(&r.problems));
    let p = &r.problems[0];
    assert_eq!(p.rule, "isub_reg");
    assert_eq!(p.root, Some(("lower".into(), "(bv 64) -> bv 64".into())));
    assert_eq!(p.kind, ProblemKind::NotInLock { named: true });
    let s = p.to_string();
    assert!(
        s.starts_with("x64/lower.isle:2: rule `isub_reg`")
            || s.contains("/x64/lower.isle:2: rule `isub_reg`"),
        "{s}"
    );
    assert!(s.contains("not in the lock"), "{s}");
}

#[test]
fn an_edited_rule_is_a_fingerprint_mismatch_at_every_instantiation() {
    let d = Dir::new("mismatch", LOWER);
    d.write(
        "x64/lower.isle",
        &LOWER.replace(
            "(put_in_reg x) (put_in_reg y)",
            "(put_in_reg y) (put_in_reg x)",
        ),
    );
    let r = d.report();
    assert_eq!(r.problems.len(), 2, "{:?}", lines(&r.problems));
    for p in &r.problems {
        assert_eq!(p.rule, "isub_reg");
        assert!(
            matches!(p.kind, ProblemKind::FingerprintMismatch { .. }),
            "{p}"
        );
        assert!(p.to_string().contains("fingerprint mismatch"), "{p}");
    }
    assert_eq!(r.unproven_rules(), ["isub_reg"]);
}

#[test]
fn an_edited_spec_is_a_fingerprint_mismatch_but_comments_are_not() {
    let d = Dir::new("spec", LOWER);
    d.write("base.isle", &format!(";; a comment\n{BASE}"));
    assert!(d.report().all_proven());
    d.write(
        "base.isle",
        &BASE.replace(
            "(provide (= result (bvsub a b)))",
            "(provide (= result (bvsub b a)))",
        ),
    );
    let r = d.report();
    assert_eq!(r.problems.len(), 2, "{:?}", lines(&r.problems));
    assert!(
        r.problems
            .iter()
            .all(|p| matches!(p.kind, ProblemKind::FingerprintMismatch { .. }))
    );
}

#[test]
fn a_rule_no_proof_covers_is_not_proven() {
    let helper = "(decl helper (Value) Reg)\n(rule helper_rule (helper v) (put_in_reg v))\n";
    let d = Dir::new("unproven", &format!("{LOWER}{helper}"));
    let r = d.report();
    assert_eq!(r.problems.len(), 1, "{:?}", lines(&r.problems));
    let p = &r.problems[0];
    assert_eq!((p.rule.as_str(), &p.root), ("helper_rule", &None));
    assert!(
        matches!(&p.kind, ProblemKind::NotProven(why) if why.contains("`helper` has no spec")),
        "{p}"
    );
    assert!(
        p.to_string()
            .contains("x64/lower.isle:5: rule `helper_rule`"),
        "{p}"
    );
}

#[test]
fn a_chained_helper_is_covered_by_the_rule_that_inlines_it() {
    let chained = "(decl chained (Value) Reg)\n(attr chained (veri chain))\n\
        (rule chained_rule (chained v) (put_in_reg v))\n\
        (rule isub_chain 1 (lower (isub ty x y)) (output_reg (x64_sub ty (chained x) (put_in_reg y))))\n";
    let d = Dir::new("chained", &format!("{LOWER}{chained}"));
    let r = d.report();
    assert!(r.all_proven(), "{:?}", lines(&r.problems));
    assert_eq!((r.rules, r.fingerprints), (3, 4));
    // Editing the helper invalidates the rule that inlines it, and only it.
    d.write(
        "x64/lower.isle",
        &format!(
            "{LOWER}{}",
            chained.replace("(chained v) (put_in_reg v)", "(chained w) (put_in_reg w)")
        ),
    );
    let r = d.report();
    assert_eq!(
        r.unproven_rules(),
        ["isub_chain"],
        "{:?}",
        lines(&r.problems)
    );
    // A chained helper nothing uses is proven by nothing.
    d.write("x64/lower.isle", &format!("{LOWER}(decl chained (Value) Reg)\n(attr chained (veri chain))\n(rule chained_rule (chained v) (put_in_reg v))\n"));
    let r = d.report();
    assert_eq!(
        r.unproven_rules(),
        ["chained_rule"],
        "{:?}",
        lines(&r.problems)
    );
    assert!(
        matches!(&r.problems[0].kind, ProblemKind::NotProven(why) if why.contains("no rule of a verified root uses it"))
    );
}

#[test]
fn an_unnamed_rule_cannot_be_locked() {
    // (An unnamed rule alone under its root takes the root's name, so two.)
    let unnamed = format!(
        "{}(rule 1 (lower (isub ty x x)) (output_reg (put_in_reg x)))\n",
        LOWER.replace("(rule isub_reg ", "(rule ")
    );
    let d = Dir::new("unnamed", LOWER);
    d.write("x64/lower.isle", &unnamed);
    let r = d.report();
    assert_eq!(r.problems.len(), 4, "{:?}", lines(&r.problems));
    for p in &r.problems {
        assert_eq!(p.kind, ProblemKind::NotInLock { named: false }, "{p}");
        assert!(p.to_string().contains("it has no name"), "{p}");
    }
    assert!(
        r.problems[0].rule.ends_with("x64/lower.isle:2"),
        "{}",
        r.problems[0]
    );
    assert!(
        r.problems[3].rule.ends_with("x64/lower.isle:4"),
        "{}",
        r.problems[3]
    );
    // The old entries now name no rule.
    assert_eq!(r.stale.len(), 2, "{:?}", r.stale);
}

#[test]
fn an_unknown_rule_name_in_the_lock_is_stale_and_the_real_rule_unlocked() {
    let d = Dir::new("unknown", LOWER);
    let locked = d.lock_text();
    d.write(
        LOCK_FILE,
        &locked.replace("lower isub_reg \"(bv 32)", "lower isub_rge \"(bv 32)"),
    );
    let r = d.report();
    assert_eq!(r.stale.len(), 1, "{:?}", r.stale);
    assert!(
        r.stale[0].starts_with(
            "lower isub_rge (bv 32) -> bv 32: in the lock, but the program has no such rule"
        ),
        "{}",
        r.stale[0]
    );
    assert_eq!(r.problems.len(), 1, "{:?}", lines(&r.problems));
    assert_eq!(r.problems[0].kind, ProblemKind::NotInLock { named: true });
    let (out, proceed) = directives(&Ok(r), false);
    assert!(!proceed);
    assert!(
        out.iter()
            .any(|l| l.starts_with("cargo::warning=")
                && l.contains("stale lock entry: lower isub_rge")),
        "{out:?}"
    );
    assert!(
        out.iter()
            .any(|l| l.starts_with("cargo::error=  ") && l.contains("rule `isub_reg`")),
        "{out:?}"
    );

    // A stale entry alone (a removed rule) does not stop the build.
    let extra = locked.replace("lower isub_reg \"(bv 32)", "lower isub_old \"(bv 32)");
    d.write(
        LOCK_FILE,
        &format!(
            "{locked}{}",
            extra
                .lines()
                .find(|l| l.contains("isub_old"))
                .unwrap_or_default()
        ),
    );
    let r = d.report();
    assert!(r.all_proven(), "{:?}", lines(&r.problems));
    assert_eq!(r.stale.len(), 1, "{:?}", r.stale);
    let (out, proceed) = directives(&Ok(r), false);
    assert!(proceed);
    assert!(
        out.iter().any(|l| l.contains("stale lock entry")),
        "{out:?}"
    );
    assert!(
        !out.iter()
            .any(|l| l.starts_with("cargo::error") || l.contains("rustc-cfg=")),
        "{out:?}"
    );
}

#[test]
fn a_malformed_lock_is_an_error_naming_file_and_line() {
    let d = Dir::new("malformed", LOWER);
    d.write(
        LOCK_FILE,
        &format!(
            "{}lower isub_reg \"(bv 32) -> bv 32\" sha256:00 proven z3-4.8.12\n",
            "# header\n"
        ),
    );
    let e = d.check().err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        e.contains("verified.lock:2:") && e.contains("64 lowercase hex"),
        "{e}"
    );
    assert!(e.contains("malformed") && e.contains("--write-lock"), "{e}");
    let (out, proceed) = directives(&d.check(), true);
    assert!(
        !proceed,
        "a malformed lock fails even with the research feature"
    );
    assert!(
        out.iter()
            .any(|l| l.starts_with("cargo::error=wasmproof proof gate: malformed")),
        "{out:?}"
    );
}

#[test]
fn a_missing_lock_is_an_error_saying_how_to_write_one() {
    let d = Dir::new("nolock", LOWER);
    std::fs::remove_file(d.0.join(LOCK_FILE)).expect("remove lock");
    let e = d.check().err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        e.contains("verified.lock does not exist") && e.contains("--write-lock"),
        "{e}"
    );
}

#[test]
fn isle_that_does_not_load_is_an_error() {
    let d = Dir::new("badisle", LOWER);
    d.write(
        "x64/lower.isle",
        "(rule isub_reg (lower (nosuchterm x)) x)\n",
    );
    let e = d.check().err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("lower.isle"), "{e}");
}

#[test]
fn sources_are_the_shared_files_then_the_isa_files() {
    let d = Dir::new("sources", LOWER);
    d.write("x64/inst.isle", "");
    d.write("notes.txt", "");
    std::fs::create_dir_all(d.0.join("aarch64")).expect("mkdir");
    d.write("aarch64/lower.isle", "");
    let names: Vec<String> = d
        .sources()
        .iter()
        .map(|p| {
            p.strip_prefix(&d.0)
                .map(|r| r.display().to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(names, ["base.isle", "x64/inst.isle", "x64/lower.isle"]);
    let e = isle_sources(&d.0, "riscv64").err().map(|e| e.to_string());
    assert!(e.is_some_and(|e| e.contains("riscv64")));
    std::fs::remove_file(d.0.join("aarch64/lower.isle")).expect("remove");
    let e = isle_sources(&d.0, "aarch64").err().map(|e| e.to_string());
    assert!(e.is_some_and(|e| e.contains("no .isle files in")));
}

#[test]
fn directives_refuse_or_warn_and_flag() {
    let d = Dir::new("directives", LOWER);
    let (out, proceed) = directives(&d.check(), false);
    assert!(proceed);
    assert_eq!(
        out[0],
        format!("cargo::rustc-check-cfg=cfg({UNVERIFIED_CFG})")
    );
    assert!(
        out.iter().all(|l| !l.starts_with("cargo::error")
            && !l.starts_with("cargo::warning")
            && !l.contains("rustc-cfg=")),
        "{out:?}"
    );

    d.write(
        "x64/lower.isle",
        &LOWER.replace(
            "(put_in_reg x) (put_in_reg y)",
            "(put_in_reg y) (put_in_reg x)",
        ),
    );
    let (out, proceed) = directives(&d.check(), false);
    assert!(!proceed);
    assert!(
        out.iter().any(|l| l.starts_with("cargo::error=")
            && l.contains("does not hold 1 of 1 rules as proven: isub_reg")),
        "{out:?}"
    );
    assert_eq!(
        out.iter()
            .filter(|l| l.starts_with("cargo::error=  ") && l.contains("fingerprint mismatch"))
            .count(),
        2,
        "{out:?}"
    );
    assert!(!out.iter().any(|l| l.contains("rustc-cfg=")), "{out:?}");

    let (out, proceed) = directives(&d.check(), true);
    assert!(proceed);
    assert!(
        out.iter().all(|l| !l.starts_with("cargo::error")),
        "{out:?}"
    );
    assert!(
        out.iter().any(|l| l.starts_with("cargo::warning=")
            && l.contains("isub_reg")
            && l.contains("UNVERIFIED_RULES is true")),
        "{out:?}"
    );
    assert!(
        out.contains(&format!("cargo::rustc-cfg={UNVERIFIED_CFG}")),
        "{out:?}"
    );
}
