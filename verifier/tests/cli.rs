//! The `wasmproof-verify` binary, run as a user runs it: exit codes, the
//! report's lines, `--json`, and one-line errors for bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wasmproof_verifier::{ModelValue, Report, Verdict};

const BIN: &str = env!("CARGO_BIN_EXE_wasmproof-verify");

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name)
}

/// A fresh scratch directory for one test, removed when the test ends.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for Scratch {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(test: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("wasmproof-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    Scratch(dir)
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run wasmproof-verify")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A bad-input failure: exit 2, exactly one line on stderr that starts with
/// `error: `, nothing on stdout, and no sign of a panic.
fn assert_one_line_error(o: &Output) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(stdout(o).is_empty(), "stdout: {}", stdout(o));
    lines[0].to_string()
}

/// The verdict lines (everything before the closing line that is not an
/// indented detail).
fn verdict_lines(out: &str) -> Vec<&str> {
    let lines: Vec<&str> = out.lines().collect();
    lines[..lines.len().saturating_sub(1)]
        .iter()
        .copied()
        .filter(|l| !l.starts_with(' '))
        .collect()
}

fn closing_line(out: &str) -> &str {
    out.lines().last().unwrap_or("")
}

#[test]
fn missing_file() {
    let dir = scratch("missing");
    let missing = dir.join("nope.isle");
    let o = run(&[missing.to_str().unwrap_or_default()]);
    let line = assert_one_line_error(&o);
    assert!(line.contains("nope.isle"), "{line}");
    assert!(line.contains("No such file or directory"), "{line}");
}

#[test]
fn unparsable_isle_names_file_line_and_column() {
    let dir = scratch("unparsable");
    let f = dir.join("broken.isle");
    std::fs::write(
        &f,
        "(type Value (primitive Value))\n(decl lower (Value) Value)\n(rule (lower x) x))\n",
    )
    .expect("write");
    let o = run(&[f.to_str().unwrap_or_default()]);
    let line = assert_one_line_error(&o);
    // The stray `)` at line 3, column 19.
    assert!(line.contains("broken.isle:3:19"), "{line}");
    assert!(line.contains("parse error"), "{line}");
}

#[test]
fn unknown_term_in_a_rule() {
    let dir = scratch("unknown-term");
    let f = dir.join("unknown.isle");
    std::fs::write(
        &f,
        "(type Value (primitive Value))\n\
         (model Value (type (bv)))\n\
         (decl lower (Value) Value)\n\
         (spec (lower x) (provide (= result x)))\n\
         (rule (lower (frobnicate x)) x)\n",
    )
    .expect("write");
    let o = run(&[f.to_str().unwrap_or_default()]);
    let line = assert_one_line_error(&o);
    assert!(line.contains("unknown.isle:5:"), "{line}");
    assert!(line.contains("frobnicate"), "{line}");
}

#[test]
fn unknown_solver() {
    let o = run(&[
        "--solver",
        "yices",
        corpus("x64_arith.isle").to_str().unwrap_or_default(),
    ]);
    let line = assert_one_line_error(&o);
    assert!(line.contains("unknown solver 'yices'"), "{line}");
}

#[test]
fn solver_not_installed() {
    let empty = scratch("empty-path");
    for solver in ["z3", "cvc5"] {
        let o = Command::new(BIN)
            .args([
                "--solver",
                solver,
                corpus("x64_arith.isle").to_str().unwrap_or_default(),
            ])
            .env("PATH", &empty)
            .output()
            .expect("run wasmproof-verify");
        let line = assert_one_line_error(&o);
        assert!(
            line.contains(&format!("solver '{solver}' is not installed")),
            "{line}"
        );
    }
}

#[test]
fn no_arguments_is_a_usage_error() {
    let o = run(&[]);
    let line = assert_one_line_error(&o);
    assert!(line.contains("FILE.isle"), "{line}");
}

#[test]
fn rule_filter_matching_nothing() {
    let o = run(&[
        "--rule",
        "no_such_rule",
        corpus("x64_arith.isle").to_str().unwrap_or_default(),
    ]);
    let line = assert_one_line_error(&o);
    assert!(line.contains("no_such_rule"), "{line}");
}

#[test]
fn all_proven_exits_zero_and_writes_json() {
    let dir = scratch("proven");
    let json = dir.join("report.json");
    let o = run(&[
        "--json",
        json.to_str().unwrap_or_default(),
        corpus("x64_arith.isle").to_str().unwrap_or_default(),
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", stderr(&o));
    // stderr is not a terminal here: no progress bar, nothing else to say.
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));

    let lines = verdict_lines(&out);
    // 2 rules at 4 widths, 1 rule at 4 widths.
    assert_eq!(lines.len(), 12, "{out}");
    for l in &lines {
        assert!(l.starts_with("proven "), "{l}");
        assert!(l.contains(" lower "), "{l}");
        assert!(l.trim_end().ends_with('s'), "{l}");
    }
    for rule in ["iadd_base", "isub_base", "band_imm"] {
        assert_eq!(
            lines.iter().filter(|l| l.contains(rule)).count(),
            4,
            "{rule}: {out}"
        );
    }
    assert_eq!(closing_line(&out), "12 proven, 0 failed, 0 unknown");

    let text = std::fs::read_to_string(&json).expect("--json wrote the report");
    let report: Report = serde_json::from_str(&text).expect("the JSON is a Report");
    assert_eq!(report.outcomes.len(), 12);
    assert!(report.outcomes.iter().all(|o| o.verdict == Verdict::Proven));
    assert!(report.outcomes.iter().all(|o| o.root == "lower"));
    assert!(!report.solver_version.is_empty());
}

#[test]
fn counterexample_exits_one_and_its_values_falsify_the_rule() {
    let dir = scratch("cex");
    let json = dir.join("report.json");
    let o = run(&[
        "--rule",
        "uextend_as_movsx",
        "--json",
        json.to_str().unwrap_or_default(),
        corpus("extend_swap.isle").to_str().unwrap_or_default(),
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", stderr(&o));
    let lines = verdict_lines(&out);
    assert_eq!(lines.len(), 6, "one line per extension: {out}");
    assert!(
        lines.iter().all(|l| l.starts_with("counterexample ")),
        "{out}"
    );
    assert_eq!(closing_line(&out), "0 proven, 6 failed, 0 unknown");
    assert!(out.contains("    inputs:"), "{out}");
    assert!(
        out.contains("signed"),
        "a negative input is shown signed: {out}"
    );

    // The printed values: every block names `x` and both sides, in hex with
    // their width; re-evaluated, they falsify the rule.
    let blocks: Vec<&str> = out.split("counterexample ").skip(1).collect();
    assert_eq!(blocks.len(), 6, "{out}");
    for block in blocks {
        let x = printed_bv(block, "x").unwrap_or_else(|| panic!("no `x` in {block}"));
        let lhs = printed_bv(block, "lhs").unwrap_or_else(|| panic!("no lhs in {block}"));
        let rhs = printed_bv(block, "rhs").unwrap_or_else(|| panic!("no rhs in {block}"));
        let (from, bits) = x;
        let to = lhs.0;
        assert_eq!(lhs, (to, bits), "lhs is x zero-extended: {block}");
        assert_eq!(
            rhs,
            (to, sign_extend(bits, from, to)),
            "rhs is x sign-extended: {block}"
        );
        assert_ne!(lhs, rhs, "{block}");
    }

    // Re-evaluate both sides on the reported input: uextend zero-extends,
    // the rule's movsx sign-extends, and the two must differ.
    let text = std::fs::read_to_string(&json).expect("--json wrote the report");
    let report: Report = serde_json::from_str(&text).expect("the JSON is a Report");
    assert_eq!(report.outcomes.len(), 6);
    for outcome in &report.outcomes {
        let Verdict::Counterexample(cex) = &outcome.verdict else {
            panic!("{}: {:?}", outcome.instantiation, outcome.verdict);
        };
        let x = cex
            .inputs
            .iter()
            .find(|b| b.name == "x")
            .unwrap_or_else(|| panic!("input x in {:?}", cex.inputs));
        let ModelValue::BitVec { width: from, bits } = x.value else {
            panic!("x is a bit-vector: {:?}", x.value);
        };
        let ModelValue::BitVec { width: to, .. } = cex.lhs.value else {
            panic!("lhs is a bit-vector: {:?}", cex.lhs.value);
        };
        let zext = bits;
        let sext = sign_extend(bits, from, to);
        assert_ne!(
            zext, sext,
            "x = {bits:#x} ({from} -> {to}) is no counterexample"
        );
        assert_eq!(
            cex.lhs.value,
            ModelValue::BitVec {
                width: to,
                bits: zext
            }
        );
        assert_eq!(
            cex.rhs.value,
            ModelValue::BitVec {
                width: to,
                bits: sext
            }
        );
    }
}

/// `name ... = 0xHEX (bv W) ...` in a printed counterexample: (W, value).
fn printed_bv(block: &str, name: &str) -> Option<(usize, u128)> {
    block.lines().find_map(|l| {
        let l = l.trim_start();
        let rest = l.strip_prefix(name)?;
        if !(rest.starts_with(' ')) {
            return None;
        }
        let (_, value) = rest.split_once("= 0x")?;
        let (hex, rest) = value.split_once(" (bv ")?;
        let (width, _) = rest.split_once(')')?;
        Some((width.parse().ok()?, u128::from_str_radix(hex, 16).ok()?))
    })
}

fn sign_extend(bits: u128, from: usize, to: usize) -> u128 {
    let negative = (bits >> (from - 1)) & 1 == 1;
    let mask_to = if to >= 128 {
        u128::MAX
    } else {
        (1u128 << to) - 1
    };
    if negative {
        (bits | !((1u128 << from) - 1)) & mask_to
    } else {
        bits
    }
}

#[test]
fn cache_gives_the_same_verdicts() {
    let dir = scratch("cache");
    let cache = dir.join("cache");
    let args = |json: &Path| {
        vec![
            "--cache".to_string(),
            cache.display().to_string(),
            "--json".to_string(),
            json.display().to_string(),
            corpus("extend_swap.isle").display().to_string(),
        ]
    };
    let first_json = dir.join("first.json");
    let second_json = dir.join("second.json");
    let a: Vec<String> = args(&first_json);
    let o1 = Command::new(BIN).args(&a).output().expect("run");
    let b: Vec<String> = args(&second_json);
    let o2 = Command::new(BIN).args(&b).output().expect("run");
    assert_eq!(o1.status.code(), Some(1));
    assert_eq!(o2.status.code(), Some(1));
    assert_eq!(closing_line(&stdout(&o1)), closing_line(&stdout(&o2)));
    let r1: Report =
        serde_json::from_str(&std::fs::read_to_string(&first_json).expect("json")).expect("Report");
    let r2: Report = serde_json::from_str(&std::fs::read_to_string(&second_json).expect("json"))
        .expect("Report");
    assert!(
        r1.outcomes.iter().all(|o| !o.cached),
        "a fresh cache has nothing"
    );
    assert!(
        r2.outcomes.iter().all(|o| o.cached),
        "the second run is all cached"
    );
    let key = |r: &Report| {
        let mut v: Vec<(String, String, &'static str)> = r
            .outcomes
            .iter()
            .map(|o| (o.rule.clone(), o.instantiation.clone(), o.verdict.kind()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(key(&r1), key(&r2));
    assert!(stdout(&o2).contains("(cached)"));
}

#[test]
fn unknown_root() {
    let o = run(&[
        "--root",
        "no_such_term",
        corpus("x64_arith.isle").to_str().unwrap_or_default(),
    ]);
    let line = assert_one_line_error(&o);
    assert!(line.contains("no_such_term"), "{line}");
}

#[test]
fn bad_numbers_on_the_command_line() {
    let file = corpus("x64_arith.isle");
    let file = file.to_str().unwrap_or_default();
    let line = assert_one_line_error(&run(&["--timeout", "0", file]));
    assert!(line.contains("--timeout"), "{line}");
    let line = assert_one_line_error(&run(&["--jobs", "0", file]));
    assert!(line.contains("--jobs"), "{line}");
    let line = assert_one_line_error(&run(&["--jobs", "many", file]));
    assert!(line.contains("many"), "{line}");
}

#[test]
fn cvc5_gives_the_same_verdicts() {
    let file = corpus("count_leading_narrow.isle");
    let file = file.to_str().unwrap_or_default();
    let z3 = run(&["--solver", "z3", "--rule", "clz_as_if_32", file]);
    let cvc5 = run(&["--solver", "cvc5", "--rule", "clz_as_if_32", file]);
    assert_eq!(z3.status.code(), Some(1), "{}", stderr(&z3));
    assert_eq!(cvc5.status.code(), Some(1), "{}", stderr(&cvc5));
    let verdicts = |o: &Output| -> Vec<String> {
        verdict_lines(&stdout(o))
            .iter()
            .map(|l| {
                let mut w = l.split_whitespace();
                let verdict = w.next().unwrap_or_default().to_string();
                let inst: Vec<&str> = l.split("  ").filter(|p| p.contains("bv")).collect();
                format!("{verdict} {}", inst.join(""))
            })
            .collect()
    };
    assert_eq!(verdicts(&z3), verdicts(&cvc5));
    // Counterexamples at 8 and 16 bits, proofs at 32 and 64.
    assert_eq!(
        closing_line(&stdout(&cvc5)),
        "2 proven, 2 failed, 0 unknown"
    );
}

#[test]
fn json_into_a_missing_directory_fails_before_verifying() {
    let dir = scratch("json-dir");
    let json = dir.join("no/such/dir/report.json");
    let o = run(&[
        "--json",
        json.to_str().unwrap_or_default(),
        corpus("x64_arith.isle").to_str().unwrap_or_default(),
    ]);
    let line = assert_one_line_error(&o);
    assert!(line.contains("report.json: cannot write"), "{line}");
}

/// On a terminal the progress bar is drawn on stderr (`script` gives the
/// command a pseudo-terminal); `all_proven_exits_zero_and_writes_json` checks
/// that nothing is drawn when stderr is a pipe.
#[test]
fn progress_bar_on_a_terminal() {
    let cmd = format!(
        "{BIN} {} >/dev/null",
        corpus("x64_arith.isle").to_str().unwrap_or_default()
    );
    let o = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("`script` (util-linux) runs the command on a pseudo-terminal");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let tty = stdout(&o);
    assert!(tty.contains("[00:00:"), "elapsed time of the bar: {tty:?}");
    assert!(tty.contains("/12"), "position/length of the bar: {tty:?}");
    // The report went to /dev/null: only the bar reached the terminal.
    assert!(!tty.contains("proven"), "{tty:?}");
}

/// Several files are read together as one program: declarations in one,
/// rules in another.
#[test]
fn files_are_read_together() {
    let dir = scratch("split");
    let text = std::fs::read_to_string(corpus("x64_arith.isle")).expect("read corpus file");
    let split = text
        .find(";;;; Rules")
        .expect("the file has a rules section");
    let (decls, rules) = text.split_at(split);
    let a = dir.join("decls.isle");
    let b = dir.join("rules.isle");
    std::fs::write(&a, decls).expect("write");
    std::fs::write(&b, rules).expect("write");
    let o = run(&[
        a.to_str().unwrap_or_default(),
        b.to_str().unwrap_or_default(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(closing_line(&stdout(&o)), "12 proven, 0 failed, 0 unknown");
    // The rules alone do not type-check: their terms are declared elsewhere.
    let line = assert_one_line_error(&run(&[b.to_str().unwrap_or_default()]));
    assert!(line.contains("rules.isle:"), "{line}");
}

/// A query the solver cannot finish in time counts as unknown, and unknown is
/// not proven: exit 1.
#[test]
fn timeouts_count_as_unknown() {
    let o = run(&[
        "--timeout",
        "0.001",
        "--rule",
        "sdiv_narrow_check_at_32",
        corpus("sdiv_narrow.isle").to_str().unwrap_or_default(),
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", stderr(&o));
    let lines = verdict_lines(&out);
    assert!(lines.len() >= 2, "{out}");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("timeout ") || l.starts_with("unknown ")),
        "{out}"
    );
    assert_eq!(
        closing_line(&out),
        format!("0 proven, 0 failed, {} unknown", lines.len())
    );
}
