//! The proof certificate: `--write-lock`, `--check`, fingerprints, and
//! skipped (tagged) instantiations. Edits are made to copies of
//! `corpus/x64_arith.isle` in a scratch directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wasmproof_verifier::lock::Lock;
use wasmproof_verifier::{LockDiffKind, Options, check_lock, fingerprints};

const BIN: &str = env!("CARGO_BIN_EXE_wasmproof-verify");

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name)
}

fn corpus_text(name: &str) -> String {
    std::fs::read_to_string(corpus(name)).expect("read corpus file")
}

/// A fresh scratch directory for one test, removed when the test ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("wasmproof-lock-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).expect("write scratch file");
        p.display().to_string()
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .args(["--jobs", "2"])
        .output()
        .expect("run wasmproof-verify")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// (rule, instantiation) -> fingerprint.
fn fps(path: &str) -> BTreeMap<(String, String), String> {
    let entries = match fingerprints(&[PathBuf::from(path)], &Options::default()) {
        Ok(e) => e,
        Err(e) => panic!("fingerprints of {path}: {e}"),
    };
    entries
        .into_iter()
        .map(|e| ((e.rule, e.instantiation), e.fingerprint))
        .collect()
}

fn of_rule(f: &BTreeMap<(String, String), String>, rule: &str) -> Vec<String> {
    f.iter()
        .filter(|((r, _), _)| r == rule)
        .map(|(_, v)| v.clone())
        .collect()
}

const SUB: &str = "(x64_sub ty (put_in_reg x) (put_in_reg y))";
const SUB_SWAPPED: &str = "(x64_sub ty (put_in_reg y) (put_in_reg x))";

/// Write a lock for a copy of x64_arith.isle; returns (isle, lock) paths.
fn locked(s: &Scratch, isle_text: &str) -> (String, String) {
    let isle = s.write("x64_arith.isle", isle_text);
    let lock = s.path("verified.lock");
    let o = run(&["--write-lock", &lock, &isle]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    (isle, lock)
}

#[test]
fn write_then_check_passes() {
    let s = Scratch::new("write-check");
    let (isle, lock) = locked(&s, &corpus_text("x64_arith.isle"));
    let text = std::fs::read_to_string(&lock).expect("lock written");
    assert!(text.starts_with("# verified.lock"), "{text}");
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 12, "{text}");
    assert!(
        lines.iter().any(
            |l| l.starts_with("lower isub_base \"(bv 32) -> bv 32\" sha256:")
                && l.contains(" proven z3-")
        ),
        "{text}"
    );
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "lock lines are sorted");

    let o = run(&["--check", &lock, &isle]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("12 proven, 0 failed, 0 unknown\n"), "{out}");
    assert!(out.contains("matches, 12 entries re-proven"), "{out}");
}

#[test]
fn swapped_subtraction_fails_check_twice() {
    let s = Scratch::new("swap");
    let original = corpus_text("x64_arith.isle");
    assert!(original.contains(SUB));
    let (isle, lock) = locked(&s, &original);
    s.write("x64_arith.isle", &original.replace(SUB, SUB_SWAPPED));

    let o = run(&["--check", &lock, &isle]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    for w in [8, 16, 32, 64] {
        let at = format!("lock difference: lower isub_base (bv {w}) -> bv {w}: ");
        assert!(
            out.contains(&format!("{at}fingerprint mismatch")),
            "{w}: {out}"
        );
        assert!(
            out.contains(&format!("{at}no longer proven (counterexample)")),
            "{w}: {out}"
        );
    }
    assert!(!out.contains("difference: lower iadd_base"), "{out}");
    assert!(!out.contains("difference: lower band_imm"), "{out}");
    assert!(out.contains("lock "), "{out}");
    assert!(out.trim_end().ends_with("8 differences"), "{out}");
}

#[test]
fn reformatting_and_comments_keep_fingerprints() {
    let s = Scratch::new("reformat");
    let original = corpus_text("x64_arith.isle");
    let before = fps(&s.write("a.isle", &original));
    // Drop every comment, put each token on its own line, add new comments
    // and write numbers in hex: the tokens stay the same.
    let hex = original.replace("(bv  8)", "(bv 0x8)");
    assert_ne!(hex, original);
    let mut messy = String::from(";; a new header comment\n");
    for line in hex.lines() {
        let code = line.split(';').next().unwrap_or("");
        messy.push_str(&code.replace(' ', "\n   "));
        messy.push_str("   ; trailing comment\n\n");
    }
    let after = fps(&s.write("b.isle", &messy));
    assert_eq!(before.len(), 12);
    assert_eq!(before, after);
}

#[test]
fn editing_one_rule_changes_only_its_fingerprints() {
    let s = Scratch::new("unrelated");
    let original = corpus_text("x64_arith.isle");
    let before = fps(&s.write("a.isle", &original));
    let edited = original.replace("(rule band_imm 1 ", "(rule band_imm 2 ");
    assert_ne!(edited, original);
    let after = fps(&s.write("b.isle", &edited));
    for rule in ["iadd_base", "isub_base"] {
        assert_eq!(of_rule(&before, rule), of_rule(&after, rule), "{rule}");
    }
    let (b, a) = (of_rule(&before, "band_imm"), of_rule(&after, "band_imm"));
    assert_eq!(b.len(), 4);
    assert!(b.iter().zip(&a).all(|(x, y)| x != y), "{b:?} {a:?}");
}

#[test]
fn editing_a_spec_changes_the_fingerprints_of_its_users() {
    let s = Scratch::new("spec");
    let original = corpus_text("x64_arith.isle");
    let before = fps(&s.write("a.isle", &original));
    // Weaken `x64_sub` at 64 bits: only isub_base uses it.
    let edited = original.replace("(64 (bvsub a b))", "(64 (bvsub b a))");
    assert_ne!(edited, original);
    let after = fps(&s.write("b.isle", &edited));
    for rule in ["iadd_base", "band_imm"] {
        assert_eq!(of_rule(&before, rule), of_rule(&after, rule), "{rule}");
    }
    let (b, a) = (of_rule(&before, "isub_base"), of_rule(&after, "isub_base"));
    assert!(b.iter().zip(&a).all(|(x, y)| x != y), "{b:?} {a:?}");

    // A spec every rule depends on (through `put_in_reg`) changes them all.
    let edited = original.replace(
        "(spec (put_in_reg v) (provide (= (conv_to (widthof v) result) v)))",
        "(spec (put_in_reg v) (provide (= result (zero_ext 64 v))))",
    );
    assert_ne!(edited, original);
    let after = fps(&s.write("c.isle", &edited));
    assert!(before.iter().all(|(k, v)| after.get(k) != Some(v)));
}

#[test]
fn a_hand_edited_fingerprint_fails_check() {
    let s = Scratch::new("flip");
    let (isle, lock) = locked(&s, &corpus_text("x64_arith.isle"));
    let text = std::fs::read_to_string(&lock).expect("lock");
    let line = text
        .lines()
        .find(|l| l.starts_with("lower iadd_base \"(bv 16)"))
        .expect("iadd_base line");
    let at = line.find("sha256:").expect("fingerprint") + "sha256:".len();
    let mut flipped = line.to_string();
    let digit = if &line[at..at + 1] == "0" { "1" } else { "0" };
    flipped.replace_range(at..at + 1, digit);
    std::fs::write(&lock, text.replace(line, &flipped)).expect("write lock");

    let o = run(&["--check", &lock, &isle]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("lock difference: lower iadd_base (bv 16) -> bv 16: fingerprint mismatch"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("1 difference"), "{out}");
}

#[test]
fn lock_entries_without_rules_and_rules_without_entries_fail_check() {
    let s = Scratch::new("membership");
    let original = corpus_text("x64_arith.isle");
    let (isle, lock) = locked(&s, &original);
    // Rename a rule: its old entries have no rule, the new one no entries.
    s.write(
        "x64_arith.isle",
        &original.replace("(rule iadd_base ", "(rule iadd_renamed "),
    );
    let o = run(&["--check", &lock, &isle]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("lower iadd_renamed (bv 8) -> bv 8: not in the lock"),
        "{out}"
    );
    assert!(
        out.contains("lower iadd_base (bv 8) -> bv 8: in the lock, but there is no such rule"),
        "{out}"
    );

    // The build gate's check (no solver, no report) sees the same.
    let parsed = Lock::read(Path::new(&lock)).expect("lock parses");
    let now = fingerprints(&[PathBuf::from(&isle)], &Options::default()).expect("fingerprints");
    let diffs = check_lock(&parsed, None, &now);
    assert_eq!(diffs.len(), 8, "{diffs:?}");
    assert!(
        diffs
            .iter()
            .filter(|d| d.rule == "iadd_renamed")
            .all(|d| d.kind == LockDiffKind::NotInLock)
    );
    assert!(
        diffs
            .iter()
            .filter(|d| d.rule == "iadd_base")
            .all(|d| d.kind == LockDiffKind::NoSuchRule)
    );
}

#[test]
fn a_malformed_lock_line_is_a_located_error() {
    let s = Scratch::new("malformed");
    let isle = s.write("x64_arith.isle", &corpus_text("x64_arith.isle"));
    let lock = s.write(
        "verified.lock",
        "# header\n\nlower iadd_base \"(bv 8) -> bv 8\" sha256:abc proven z3-4.8.12\n",
    );
    let o = run(&["--check", &lock, &isle]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!("error: {lock}:3: fingerprint `sha256:abc`")),
        "{err}"
    );
    assert!(
        stdout(&o).is_empty(),
        "nothing verified before the lock is read"
    );
}

#[test]
fn write_lock_refuses_when_a_rule_fails() {
    let s = Scratch::new("refuse");
    let original = corpus_text("x64_arith.isle");
    let isle = s.write("x64_arith.isle", &original.replace(SUB, SUB_SWAPPED));
    let lock = s.path("verified.lock");
    let o = run(&["--write-lock", &lock, &isle]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!Path::new(&lock).exists(), "no lock written");
    assert!(err.contains("error: not writing"), "{err}");
    assert!(
        err.contains("lower isub_base (bv 32) -> bv 32: counterexample"),
        "{err}"
    );
    assert!(!err.contains("iadd_base"), "{err}");
    assert!(stdout(&o).contains("failed"), "{}", stdout(&o));
}

#[test]
fn lock_flags_refuse_rule_filters() {
    let o = run(&[
        "--check",
        "x.lock",
        "--rule",
        "iadd_base",
        &corpus("x64_arith.isle").display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("a lock covers every rule"),
        "{}",
        stderr(&o)
    );
}

// ---------------------------------------------------------------------------
// Tagged instantiations: skipped by default, never proven by a skip.

/// x64_arith.isle with the 64-bit root instantiation moved under `(tag slow)`.
fn with_slow_64() -> String {
    let original = corpus_text("x64_arith.isle");
    let root64 = "    ((args (bv 32)) (ret (bv 32)))\n    ((args (bv 64)) (ret (bv 64))))";
    assert!(original.contains(root64));
    original.replace(root64, "    ((args (bv 32)) (ret (bv 32))))")
        + "\n(form lower_64 ((args (bv 64)) (ret (bv 64))))\n(instantiate lower lower_64 (tag slow))\n"
}

#[test]
fn skipped_instantiations_are_reported_and_not_proven() {
    let s = Scratch::new("slow");
    let isle = s.write("x64_arith.isle", &with_slow_64());

    let o = run(&[&isle]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "a skip is not a proof: {out}");
    let skipped: Vec<&str> = out.lines().filter(|l| l.starts_with("skipped")).collect();
    assert_eq!(skipped.len(), 3, "{out}");
    assert!(
        skipped.iter().all(|l| l.contains("(bv 64) -> bv 64")),
        "{out}"
    );
    assert!(
        out.contains("not checked: instantiate `lower` tagged `slow` is skipped by default"),
        "{out}"
    );
    assert!(out.contains("9 proven, 0 failed, 3 unknown\n"), "{out}");
    assert!(
        stderr(&o).contains("note: instantiate `lower` tagged `slow`"),
        "{}",
        stderr(&o)
    );

    // Selected: proven like any other.
    let o = run(&["--tag", "slow", &isle]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("12 proven, 0 failed, 0 unknown\n"));

    // Excluded on purpose: still listed, not counted.
    let o = run(&["--exclude-tag", "slow", &isle]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("excluded on purpose"), "{out}");
    assert!(out.contains("9 proven, 0 failed, 0 unknown\n"), "{out}");
}

#[test]
fn check_does_not_accept_a_skipped_lock_entry() {
    let s = Scratch::new("slow-check");
    let isle = s.write("x64_arith.isle", &with_slow_64());
    let lock = s.path("verified.lock");

    // Without the tag, nothing may be locked: the skips are not proven.
    let o = run(&["--write-lock", &lock, &isle]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("skipped"), "{}", stderr(&o));
    assert!(!Path::new(&lock).exists());

    let o = run(&["--tag", "slow", "--write-lock", &lock, &isle]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["--tag", "slow", "--check", &lock, &isle]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // Checking without the tag (by default, or excluded) must not accept
    // the 64-bit entries that nothing re-proved.
    for extra in [&[][..], &["--exclude-tag", "slow"][..]] {
        let mut args: Vec<&str> = extra.to_vec();
        args.extend(["--check", &lock, &isle]);
        let o = run(&args);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(1), "{extra:?}: {out}");
        assert!(
            out.contains("lower isub_base (bv 64) -> bv 64: in the lock, but this run skipped it"),
            "{extra:?}: {out}"
        );
        assert!(
            out.trim_end().ends_with("3 differences"),
            "{extra:?}: {out}"
        );
    }

    // A lock written with the tag excluded leaves those entries out, and
    // a check that excludes it too accepts it.
    let o = run(&["--exclude-tag", "slow", "--write-lock", &lock, &isle]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&lock).expect("lock");
    assert!(!text.contains("(bv 64) -> bv 64"), "{text}");
    let o = run(&["--exclude-tag", "slow", "--check", &lock, &isle]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // The build gate (all fingerprints, no report) still wants them.
    let parsed = Lock::read(Path::new(&lock)).expect("lock parses");
    let now = fingerprints(&[PathBuf::from(&isle)], &Options::default()).expect("fingerprints");
    let diffs = check_lock(&parsed, None, &now);
    assert_eq!(diffs.len(), 3, "{diffs:?}");
    assert!(diffs.iter().all(|d| d.kind == LockDiffKind::NotInLock));
}

#[test]
fn a_skipped_callee_instantiation_blocks_the_rules_that_use_it() {
    let s = Scratch::new("slow-callee");
    let original = corpus_text("x64_arith.isle");
    // `isub` loses its 64-bit instantiation to a tagged one.
    let edited = original.replace(
        "(instantiate isub bv_binary_8_to_64)",
        "(instantiate isub bv_binary_8_to_32)\n(instantiate isub bv_binary_64 (tag slow))\n\
         (form bv_binary_8_to_32\n\
             ((args (named Type) (bv  8) (bv  8)) (ret (bv  8)))\n\
             ((args (named Type) (bv 16) (bv 16)) (ret (bv 16)))\n\
             ((args (named Type) (bv 32) (bv 32)) (ret (bv 32))))\n\
         (form bv_binary_64 ((args (named Type) (bv 64) (bv 64)) (ret (bv 64))))",
    );
    assert_ne!(edited, original);
    let isle = s.write("x64_arith.isle", &edited);
    let o = run(&[&isle]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let skipped: Vec<&str> = out.lines().filter(|l| l.starts_with("skipped")).collect();
    assert_eq!(skipped.len(), 1, "{out}");
    assert!(
        skipped[0].contains("isub_base [isub at its tagged signatures]"),
        "{out}"
    );
    let o = run(&["--tag", "slow", &isle]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn chained_helper_rules_are_part_of_the_fingerprint() {
    let s = Scratch::new("chain");
    let original = corpus_text("amode_chain.isle");
    let before = fps(&s.write("a.isle", &original));
    assert_eq!(of_rule(&before, "to_amode_iadd").len(), 1, "{before:?}");
    // `to_amode_iadd` inlines every rule of the chained `amode_add`.
    let edited = original.replace("(rule amode_add_base 0 ", "(rule amode_add_base -1 ");
    assert_ne!(edited, original);
    let after = fps(&s.write("b.isle", &edited));
    assert_ne!(
        of_rule(&before, "to_amode_iadd"),
        of_rule(&after, "to_amode_iadd")
    );
}

#[test]
fn write_lock_refuses_unnamed_rules() {
    let s = Scratch::new("unnamed");
    let original = corpus_text("x64_arith.isle");
    let edited = original.replace("(rule isub_base ", "(rule ");
    assert_ne!(edited, original);
    let isle = s.write("x64_arith.isle", &edited);
    let lock = s.path("verified.lock");
    let o = run(&["--write-lock", &lock, &isle]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!Path::new(&lock).exists());
    assert!(err.contains("the rule has no name"), "{err}");
    assert!(stdout(&o).contains("12 proven, 0 failed, 0 unknown"));
}

#[test]
fn higher_priority_rules_tagged_priority_are_part_of_the_fingerprint() {
    let s = Scratch::new("priority");
    // Lower-priority rules of `lower` now assume `band_imm` did not match.
    let original = corpus_text("x64_arith.isle") + "\n(attr rule band_imm (veri priority))\n";
    let before = fps(&s.write("a.isle", &original));
    let edited = original.replace("(simm32_from_imm64 imm)", "(simm32_from_imm64 imm2)");
    let edited = edited.replace("(put_in_reg x) imm)", "(put_in_reg x) imm2)");
    assert_ne!(edited, original);
    let after = fps(&s.write("b.isle", &edited));
    for rule in ["iadd_base", "isub_base", "band_imm"] {
        let (b, a) = (of_rule(&before, rule), of_rule(&after, rule));
        assert!(b.iter().zip(&a).all(|(x, y)| x != y), "{rule}");
    }
}
