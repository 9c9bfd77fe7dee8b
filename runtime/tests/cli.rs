//! The `wasmproof` CLI end to end: `--invoke` with typed arguments, traps,
//! fuel, WASI wiring, and every bad-input case (one-line error, non-zero
//! status, never a panic).

use std::path::{Path, PathBuf};
use std::process::Command;

const EXIT_TRAP: i32 = 134;
const EXIT_ERROR: i32 = 1;

struct Out {
    status: i32,
    stdout: String,
    stderr: String,
}

fn wasmproof(args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_wasmproof"))
        .args(args)
        .output()
        .expect("runs the wasmproof binary");
    Out {
        status: out.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh directory per test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasmproof-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &Path, name: &str, contents: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write test file");
    path.to_string_lossy().into_owned()
}

/// A bad-input error: status 1, exactly one line on stderr, no panic.
fn assert_one_line_error(out: &Out, needle: &str) {
    assert_eq!(out.status, EXIT_ERROR, "stderr: {}", out.stderr);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert_eq!(
        out.stderr.trim_end().lines().count(),
        1,
        "one line: {}",
        out.stderr
    );
    assert!(out.stderr.contains(needle), "`{needle}` in: {}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(!out.stderr.contains("RUST_BACKTRACE"), "{}", out.stderr);
}

const MATH: &str = r#"
(module $math
  (func $add (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add)
  (func $div (export "div") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.div_u)
  (func $avg (export "avg") (param i32) (result i32)
    local.get 0 i32.const 0 call $div)
  (func (export "wide") (param i64) (result i64)
    local.get 0 i64.const 1 i64.add)
  (func (export "floats") (param f32 f64) (result f64 f32)
    local.get 1 local.get 0)
  (func (export "two") (result i32 i64) i32.const -1 i64.const 2)
  (func (export "nothing"))
  (func (export "spin") (loop $l (br $l))))
"#;

#[test]
fn invoke_parses_arguments_by_type() {
    let dir = scratch("invoke");
    let wat = write(&dir, "math.wat", MATH.as_bytes());
    let out = wasmproof(&["run", "--invoke", "add", &wat, "40", "2"]);
    assert_eq!(
        (out.status, out.stdout.as_str()),
        (0, "42\n"),
        "{}",
        out.stderr
    );
    let out = wasmproof(&["run", "--invoke", "add", &wat, "0x10", "-1"]);
    assert_eq!(out.stdout, "15\n");
    let out = wasmproof(&["run", "--invoke", "add", &wat, "0xffffffff", "1"]);
    assert_eq!(out.stdout, "0\n");
    let out = wasmproof(&["run", "--invoke", "wide", &wat, "9223372036854775807"]);
    assert_eq!(out.stdout, "-9223372036854775808\n");
    let out = wasmproof(&["run", "--invoke", "floats", &wat, "nan", "-inf"]);
    assert_eq!(out.stdout, "-inf\nnan:0x7fc00000\n");
    let out = wasmproof(&["run", "--invoke", "floats", &wat, "1.5", "2.5e1"]);
    assert_eq!(out.stdout, "25\n1.5\n");
    let out = wasmproof(&["run", "--invoke", "floats", &wat, "nan:0x1", "inf"]);
    assert_eq!(out.stdout, "inf\nnan:0x7f800001\n");
    let out = wasmproof(&["run", "--invoke", "two", &wat]);
    assert_eq!(out.stdout, "-1\n2\n");
    let out = wasmproof(&["run", "--invoke", "nothing", &wat]);
    assert_eq!((out.status, out.stdout.as_str()), (0, ""));
}

#[test]
fn invoke_binary_module() {
    let dir = scratch("binary");
    let bytes = wat::parse_str(MATH).unwrap();
    let wasm = write(&dir, "math.wasm", &bytes);
    let out = wasmproof(&["run", "--invoke", "add", &wasm, "1", "2"]);
    assert_eq!(
        (out.status, out.stdout.as_str()),
        (0, "3\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn trap_prints_kind_and_backtrace_and_exits_134() {
    let dir = scratch("trap");
    let wat = write(&dir, "math.wat", MATH.as_bytes());
    let out = wasmproof(&["run", "--invoke", "avg", &wat, "7"]);
    assert_eq!(out.status, EXIT_TRAP, "{}", out.stderr);
    assert!(
        out.stderr.contains("integer divide by zero"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("integer_divide_by_zero"),
        "{}",
        out.stderr
    );
    let div = out.stderr.find("math!div").expect("inner frame");
    let avg = out.stderr.find("math!avg").expect("outer frame");
    assert!(div < avg, "innermost first: {}", out.stderr);
    assert!(out.stdout.is_empty());
}

#[test]
fn deep_recursion_backtrace_is_elided() {
    let dir = scratch("recursion");
    let wat = write(
        &dir,
        "rec.wat",
        br#"(module $r (func $f (export "f") call $f))"#,
    );
    let out = wasmproof(&["run", "--invoke", "f", &wat]);
    assert_eq!(out.status, EXIT_TRAP, "{}", out.stderr);
    assert!(
        out.stderr.contains("call_stack_exhausted"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("frames elided"), "{}", out.stderr);
    assert!(out.stderr.lines().count() < 60, "{}", out.stderr);
}

#[test]
fn fuel_runs_out() {
    let dir = scratch("fuel");
    let wat = write(&dir, "math.wat", MATH.as_bytes());
    let out = wasmproof(&["run", "--fuel", "1000", "--invoke", "spin", &wat]);
    assert_eq!(out.status, EXIT_TRAP, "{}", out.stderr);
    assert!(out.stderr.contains("out_of_fuel"), "{}", out.stderr);
    let out = wasmproof(&["run", "--fuel", "1000", "--invoke", "add", &wat, "1", "1"]);
    assert_eq!(
        (out.status, out.stdout.as_str()),
        (0, "2\n"),
        "{}",
        out.stderr
    );
}

const HELLO_WASI: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "hello from wasm\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 8))
    (i32.store (i32.const 4) (i32.const 16))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 100)))
    (call $proc_exit (i32.const 7))))
"#;

#[test]
fn wasi_command_exit_code() {
    let dir = scratch("wasi");
    let wat = write(&dir, "hello.wat", HELLO_WASI.as_bytes());
    let out = wasmproof(&["run", &wat]);
    assert_eq!(out.status, 7, "stderr: {}", out.stderr);
    assert_eq!(out.stdout, "hello from wasm\n");
    // A module without `_start` just instantiates.
    let plain = write(&dir, "plain.wat", b"(module)");
    assert_eq!(wasmproof(&["run", &plain]).status, 0);
    // A trap in `_start` is a trap.
    let trapping = write(
        &dir,
        "t.wat",
        br#"(module (func (export "_start") unreachable))"#,
    );
    let out = wasmproof(&["run", &trapping]);
    assert_eq!(out.status, EXIT_TRAP, "{}", out.stderr);
    assert!(out.stderr.contains("unreachable"), "{}", out.stderr);
}

#[test]
fn wasi_args_and_env_reach_the_program() {
    // Exits with argc * 10 + the number of environment variables.
    let dir = scratch("args");
    let wat = write(
        &dir,
        "count.wat",
        br#"(module
          (import "wasi_snapshot_preview1" "args_sizes_get"
            (func $args (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_sizes_get"
            (func $env (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (drop (call $args (i32.const 0) (i32.const 4)))
            (drop (call $env (i32.const 8) (i32.const 12)))
            (call $exit (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 10))
                                 (i32.load (i32.const 8))))))"#,
    );
    let out = wasmproof(&[
        "run",
        "--env",
        "A=1",
        "--env",
        "B=",
        &wat,
        "x",
        "--not-a-flag",
        "z",
    ]);
    assert_eq!(out.status, 42, "stderr: {}", out.stderr);
    assert_eq!(wasmproof(&["run", &wat]).status, 10);
}

#[test]
fn missing_file() {
    let dir = scratch("missing");
    let path = dir.join("nope.wasm").to_string_lossy().into_owned();
    assert_one_line_error(&wasmproof(&["run", &path]), "nope.wasm");
}

#[test]
fn malformed_modules() {
    let dir = scratch("malformed");
    let garbage = write(&dir, "garbage.wasm", b"\x01\x02 definitely not wasm");
    assert_one_line_error(&wasmproof(&["run", &garbage]), "garbage.wasm");
    let truncated = write(&dir, "truncated.wasm", b"\0asm\x01\x00\x00\x00\x01\x05");
    assert_one_line_error(&wasmproof(&["run", &truncated]), "offset");
    let invalid = write(&dir, "invalid.wat", br#"(module (func (result i32)))"#);
    assert_one_line_error(&wasmproof(&["run", &invalid]), "invalid module");
    let text = write(&dir, "text.wat", b"(module (func bogus.instr))");
    assert_one_line_error(&wasmproof(&["run", &text]), "text.wat:1:");
    let empty = write(&dir, "empty.wasm", b"");
    assert_one_line_error(&wasmproof(&["run", &empty]), "not a WebAssembly module");
}

#[test]
fn missing_import() {
    let dir = scratch("import");
    let wat = write(
        &dir,
        "imports.wat",
        br#"(module (import "env" "callback" (func (param i32) (result i64))))"#,
    );
    let out = wasmproof(&["run", &wat]);
    assert_one_line_error(&out, "env::callback");
    assert!(
        out.stderr.contains("(func (param i32) (result i64))"),
        "{}",
        out.stderr
    );
}

#[test]
fn invoke_errors() {
    let dir = scratch("invoke-errors");
    let wat = write(&dir, "math.wat", MATH.as_bytes());
    let out = wasmproof(&["run", "--invoke", "nope", &wat]);
    assert_one_line_error(&out, "`nope` is not an exported function");
    assert!(
        out.stderr.contains("add"),
        "lists the exports: {}",
        out.stderr
    );
    assert_one_line_error(
        &wasmproof(&["run", "--invoke", "add", &wat, "1"]),
        "takes 2 arguments",
    );
    assert_one_line_error(
        &wasmproof(&["run", "--invoke", "add", &wat, "1", "2", "3"]),
        "takes 2 arguments",
    );
    assert_one_line_error(
        &wasmproof(&["run", "--invoke", "add", &wat, "1", "two"]),
        "`two`",
    );
    assert_one_line_error(
        &wasmproof(&["run", "--invoke", "add", &wat, "1", "4294967296"]),
        "not an i32",
    );
    assert_one_line_error(
        &wasmproof(&["run", "--invoke", "wide", &wat, "1.5"]),
        "not an i64",
    );
    assert_one_line_error(
        &wasmproof(&["run", "--invoke", "floats", &wat, "x", "1"]),
        "not an f32",
    );
    // Reference types need the interpreter (the JIT rejects the module).
    let refs = write(
        &dir,
        "refs.wat",
        br#"(module (func (export "takes_ref") (param funcref)))"#,
    );
    let run_refs = |strategy| {
        wasmproof(&[
            "run",
            "--strategy",
            strategy,
            "--invoke",
            "takes_ref",
            &refs,
            "0",
        ])
    };
    assert_one_line_error(
        &run_refs("interpreter"),
        "cannot be given on the command line",
    );
    let jit = run_refs("jit");
    assert_one_line_error(&jit, "reference_types");
    assert!(
        jit.stderr.contains("--strategy interpreter"),
        "hint: {}",
        jit.stderr
    );
}

#[test]
fn unknown_dir() {
    let dir = scratch("dir");
    let wat = write(&dir, "math.wat", MATH.as_bytes());
    let missing = dir.join("no-such-dir").to_string_lossy().into_owned();
    let out = wasmproof(&["run", "--dir", &format!("{missing}::/data"), &wat]);
    assert_one_line_error(&out, "no-such-dir");
    let out = wasmproof(&["run", "--dir", &missing, &wat]);
    assert_one_line_error(&out, "no-such-dir");
    // An existing directory is fine.
    let ok = wasmproof(&["run", "--dir", &dir.to_string_lossy(), &wat]);
    assert_eq!(ok.status, 0, "{}", ok.stderr);
}

#[test]
fn usage_errors_version_and_help() {
    let out = wasmproof(&["--version"]);
    assert_eq!(out.status, 0);
    assert!(out.stdout.starts_with("wasmproof "), "{}", out.stdout);
    let out = wasmproof(&["--help"]);
    assert_eq!(out.status, 0);
    assert!(
        out.stdout.contains("run") && out.stdout.contains("134"),
        "{}",
        out.stdout
    );
    let out = wasmproof(&["run", "--help"]);
    for flag in ["--dir", "--env", "--fuel", "--invoke", "--strategy"] {
        assert!(out.stdout.contains(flag), "{flag} in {}", out.stdout);
    }
    let out = wasmproof(&["run", "--strategy", "bogus", "x.wasm"]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("bogus"), "{}", out.stderr);
    let out = wasmproof(&["run", "--env", "NOEQUALS", "x.wasm"]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("K=V"), "{}", out.stderr);
    let out = wasmproof(&["run", "--fuel", "lots", "x.wasm"]);
    assert_eq!(out.status, 2);
    assert_eq!(wasmproof(&[]).status, 2);
}

#[test]
fn strategy_flag_accepts_jit_and_interpreter_only() {
    let dir = scratch("strategy");
    let bad = write(&dir, "bad.wasm", b"\0asm\x02\0\0\0");
    for strategy in ["jit", "interpreter"] {
        let out = wasmproof(&["run", "--strategy", strategy, &bad]);
        assert_one_line_error(&out, "invalid module");
    }
    let out = wasmproof(&["run", "--strategy", "cranelift", &bad]);
    assert_eq!(out.status, 2, "usage error: {}", out.stderr);
    assert!(
        out.stderr.contains("jit"),
        "lists the values: {}",
        out.stderr
    );
    let help = wasmproof(&["run", "--help"]);
    assert!(help.stdout.contains("jit"), "{}", help.stdout);
}

#[test]
fn strategy_jit_invokes_and_traps_like_the_interpreter() {
    let dir = scratch("strategy_jit");
    let wat = write(&dir, "math.wat", MATH.as_bytes());
    for strategy in ["jit", "interpreter"] {
        let out = wasmproof(&[
            "run",
            "--strategy",
            strategy,
            "--invoke",
            "add",
            &wat,
            "1",
            "2",
        ]);
        assert_eq!(
            (out.status, out.stdout.as_str()),
            (0, "3\n"),
            "{strategy}: {}",
            out.stderr
        );
        let out = wasmproof(&["run", "--strategy", strategy, "--invoke", "avg", &wat, "4"]);
        assert_eq!(out.status, EXIT_TRAP, "{strategy}: {}", out.stderr);
        assert!(
            out.stderr.contains("integer divide by zero"),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("math!avg"), "backtrace: {}", out.stderr);
    }
}
