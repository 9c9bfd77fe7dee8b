//! The proof gate, end to end: codegen's build fails, naming the rule and
//! the reason, when a lowering rule no longer matches `verified.lock`;
//! builds with a warning under the research feature `unverified-rules`;
//! fails without a lock, feature or not; and builds again once restored.
//!
//! Runs `cargo check -p wasmproof-codegen` (offline) on a copy of the part
//! of the workspace codegen's build needs, kept under this test's target
//! directory so later runs reuse its build.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// What `cargo check -p wasmproof-codegen` needs, relative to the workspace
/// root: codegen, its path dependencies (build-, normal and dev-: cargo
/// resolves all of them), and the files its build script reads. Update this
/// list when codegen's build grows (a new path dependency, a file outside
/// `codegen/` that `build.rs` reads). Registry dependencies come from
/// `Cargo.lock` and the local cargo cache.
fn workspace_paths() -> &'static [&'static str] {
    &[
        "Cargo.toml", // rewritten by `copy_workspace`: only the copied members
        "Cargo.lock",
        "codegen/Cargo.toml",
        "codegen/build.rs",
        "codegen/src",
        // The rules the build script gates (and generates code from).
        "isle-rules",
        // The gate: a build-dependency (and a dev-dependency).
        "verifier/Cargo.toml",
        "verifier/src",
        // A dev-dependency.
        "oracle/Cargo.toml",
        "oracle/src",
    ]
}

/// The workspace members of the copy: the packages among `workspace_paths`.
const MEMBERS: &str = r#"members = ["codegen", "verifier", "oracle"]"#;

/// The rule the test edits and the edit: `isub` with its operands swapped.
const LOWER: &str = "isle-rules/x64/lower.isle";
const ISUB_RULE: &str = "(rule isub_reg (lower (isub ty x y))\n      (output_reg (x64_sub ty (put_in_reg x) (put_in_reg y))))";
const ISUB_SWAPPED: &str = "(rule isub_reg (lower (isub ty x y))\n      (output_reg (x64_sub ty (put_in_reg y) (put_in_reg x))))";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen has a parent directory")
        .to_path_buf()
}

/// `<target>/build-gate-<profile>`, beside the directory this test was
/// built in (`<target>/<profile>/deps/build_gate-*`).
fn scratch_root() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable under <target>/<profile>/deps");
    let profile = profile_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let target = profile_dir.parent().expect("a target directory");
    target.join(format!("build-gate-{profile}"))
}

/// Make `dst` hold exactly the files of `src`, writing only what differs so
/// that cargo sees unchanged files as unchanged.
fn sync(src: &Path, dst: &Path) {
    if src.is_dir() {
        std::fs::create_dir_all(dst).expect("create directory in the copy");
        let names = |d: &Path| -> Vec<std::ffi::OsString> {
            let mut v: Vec<_> = std::fs::read_dir(d)
                .map(|it| it.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
                .unwrap_or_default();
            v.sort();
            v
        };
        for n in names(dst) {
            if !src.join(&n).exists() {
                let p = dst.join(&n);
                let _ = std::fs::remove_dir_all(&p).or_else(|_| std::fs::remove_file(&p));
            }
        }
        for n in names(src) {
            sync(&src.join(&n), &dst.join(&n));
        }
    } else {
        let bytes = std::fs::read(src).unwrap_or_else(|e| panic!("read {}: {e}", src.display()));
        write_if_changed(dst, &bytes);
    }
}

fn write_if_changed(path: &Path, bytes: &[u8]) {
    if std::fs::read(path).ok().as_deref() != Some(bytes) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create directory in the copy");
        }
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}

/// Copy (sync) the workspace paths into `ws`, with the root manifest's
/// members reduced to the copied packages.
fn copy_workspace(ws: &Path) {
    let root = workspace_root();
    for p in workspace_paths() {
        sync(&root.join(p), &ws.join(p));
    }
    let manifest =
        std::fs::read_to_string(root.join("Cargo.toml")).expect("read the workspace Cargo.toml");
    let members: Vec<&str> = manifest
        .lines()
        .filter(|l| l.trim_start().starts_with("members = "))
        .collect();
    assert_eq!(
        members.len(),
        1,
        "expected one single-line `members = [...]` in Cargo.toml"
    );
    let rewritten = manifest.replacen(members[0], MEMBERS, 1);
    write_if_changed(&ws.join("Cargo.toml"), rewritten.as_bytes());
}

fn set_lower(ws: &Path, text: &str) {
    write_if_changed(&ws.join(LOWER), text.as_bytes());
}

/// `cargo check -p wasmproof-codegen` in the copy.
fn cargo_check(ws: &Path, target: &Path, features: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(ws)
        .args(["check", "-p", "wasmproof-codegen", "--offline"])
        .args(["--message-format", "json"])
        .arg("--target-dir")
        .arg(target)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env("CARGO_TERM_COLOR", "never");
    for f in features {
        cmd.args(["--features", f]);
    }
    cmd.output().expect("run cargo")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The `cfgs` codegen's build script set (from cargo's JSON messages).
fn codegen_cfgs(o: &Output) -> Option<String> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.contains(r#""reason":"build-script-executed""#))
        .filter(|l| l.contains("wasmproof-codegen@"))
        .find_map(|l| {
            let start = l.find(r#""cfgs":["#)? + r#""cfgs":["#.len();
            let end = l[start..].find(']')? + start;
            Some(l[start..end].to_string())
        })
}

#[test]
fn the_build_refuses_an_edited_rule_unless_research_builds_allow_it() {
    let base = scratch_root();
    let (ws, target) = (base.join("ws"), base.join("target"));
    copy_workspace(&ws);
    let original = std::fs::read_to_string(ws.join(LOWER)).expect("read lower.isle");
    assert!(
        original.contains(ISUB_RULE),
        "{LOWER} no longer has the isub_reg rule this test edits; update ISUB_RULE"
    );

    set_lower(&ws, &original.replacen(ISUB_RULE, ISUB_SWAPPED, 1));
    let out = cargo_check(&ws, &target, &[]);
    let err = stderr(&out);
    assert!(!out.status.success(), "the edited rule built:\n{err}");
    let refused: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("rule `isub_reg`"))
        .collect();
    assert_eq!(
        refused.len(),
        2,
        "expected isub_reg at i32 and i64 to be refused:\n{err}"
    );
    for l in &refused {
        assert!(l.starts_with("error"), "{l}");
        assert!(l.contains("lower.isle:"), "{l}");
        assert!(l.contains("fingerprint mismatch"), "{l}");
    }
    assert!(
        err.contains("does not hold 1 of ") && err.contains("rules as proven: isub_reg"),
        "{err}"
    );
    // No other rule is blamed.
    assert!(!err.contains("rule `iadd_reg`"), "{err}");

    let out = cargo_check(&ws, &target, &["unverified-rules"]);
    let err = stderr(&out);
    assert!(out.status.success(), "the research build failed:\n{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("warning") && l.contains("rules as proven: isub_reg")),
        "{err}"
    );
    assert!(
        err.lines().any(|l| l.starts_with("warning")
            && l.contains("rule `isub_reg`")
            && l.contains("fingerprint mismatch")),
        "{err}"
    );
    assert_eq!(
        codegen_cfgs(&out).as_deref(),
        Some(r#""wasmproof_unverified_rules""#),
        "UNVERIFIED_RULES must be true in this build"
    );

    set_lower(&ws, &original);
    // Without the certificate nothing builds, research or not.
    let lock = ws.join("isle-rules/verified.lock");
    let locked = std::fs::read(&lock).expect("read verified.lock");
    std::fs::remove_file(&lock).expect("remove verified.lock");
    for features in [&[][..], &["unverified-rules"]] {
        let out = cargo_check(&ws, &target, features);
        let err = stderr(&out);
        assert!(!out.status.success(), "built without a lock:\n{err}");
        assert!(
            err.lines().any(|l| l.starts_with("error")
                && l.contains("verified.lock does not exist")
                && l.contains("--write-lock")),
            "{err}"
        );
    }
    write_if_changed(&lock, &locked);

    let out = cargo_check(&ws, &target, &[]);
    let err = stderr(&out);
    assert!(
        out.status.success(),
        "the restored rule did not build:\n{err}"
    );
    assert!(!err.contains("proof gate"), "{err}");
    assert_eq!(codegen_cfgs(&out).as_deref(), Some(""), "{err}");
}

/// The tests of this workspace run proven rules only: a build with the
/// research feature and an unproven rule fails here.
#[test]
fn this_build_holds_every_rule_as_proven() {
    // (black_box: the constant is the point, clippy would object to it.)
    let unverified = std::hint::black_box(wasmproof_codegen::UNVERIFIED_RULES);
    assert!(
        !unverified,
        "built with unproven rules (feature unverified-rules); see the build's warnings"
    );
}

/// The gate trusts the lock; CI (`.ci/run`) re-proves it with
/// `wasmproof-verify --check` over exactly the files the gate reads, so no
/// rule the build accepts goes un-re-proven and a hand-edited lock fails CI.
#[test]
fn ci_reproves_the_lock_over_the_files_the_gate_reads() {
    let root = workspace_root();
    let script = std::fs::read_to_string(root.join(".ci/run"))
        .expect("read .ci/run")
        .replace("\\\n", " ");
    let line = script
        .lines()
        .find(|l| l.contains("--bin wasmproof-verify") && l.contains("--check"))
        .expect(".ci/run runs wasmproof-verify --check");
    let args: Vec<&str> = line.split_whitespace().collect();
    let at = args.iter().position(|a| *a == "--check").unwrap_or(0);
    assert_eq!(
        args.get(at + 1),
        Some(&"isle-rules/verified.lock"),
        "{line}"
    );
    let mut checked: Vec<PathBuf> = Vec::new();
    for arg in &args[at + 2..] {
        match arg.strip_suffix("/*.isle") {
            // The shell's glob: every .isle file of the directory.
            Some(dir) => {
                let entries = std::fs::read_dir(root.join(dir)).expect("a globbed directory");
                checked.extend(
                    entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "isle")),
                );
            }
            None => {
                assert!(
                    arg.ends_with(".isle"),
                    "unexpected argument `{arg}` in {line}"
                );
                checked.push(root.join(arg));
            }
        }
    }
    checked.sort();
    let mut gated = wasmproof_verifier::gate::isle_sources(&root.join("isle-rules"), "x64")
        .expect("the gate's sources");
    gated.sort();
    assert_eq!(checked, gated, "{line}");
}
