//! Real C programs (the `jit` benchmark's, `benches/c/`, at their small
//! inputs) compiled with clang-14 to wasm32-wasi: under every strategy of
//! the benchmark's `STRATEGIES` list, each must print exactly what it
//! prints under Wasmtime (PyPI `wasmtime`) and exit with the same code.
//! Fails — never skips — if clang-14 or Wasmtime's Python package is
//! missing (`.ci/setup` installs both).

#[path = "../benches/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::sync::OnceLock;

use support::{PROGRAMS, STRATEGIES, compile_c, program, run_wasmproof, run_wasmtime, scratch_dir};

/// This test process's directory for compiled programs and Wasmtime output.
fn work_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch_dir().join(format!("test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the test's scratch directory");
        dir
    })
    .clone()
}

/// Compares `name` at its small inputs under each strategy with Wasmtime;
/// returns Wasmtime's stdout for further checks.
fn compare(name: &str, expected_exit: i32) -> String {
    let p = program(name).unwrap_or_else(|| panic!("{name} is not in support::PROGRAMS"));
    let wasm = compile_c(name, &work_dir()).unwrap_or_else(|e| panic!("{e}"));
    let peer = run_wasmtime(
        &wasm,
        p.small,
        1,
        &work_dir().join(format!("{name}-wasmtime")),
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .remove(0);
    assert_eq!(
        peer.exit_code, expected_exit,
        "{name} under Wasmtime exited with {}; stderr:\n{}",
        peer.exit_code, peer.stderr
    );
    assert!(
        !peer.stdout.is_empty(),
        "{name} printed nothing under Wasmtime"
    );
    for &strategy in STRATEGIES {
        let ours = run_wasmproof(strategy, &wasm, p.small).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ours.stdout,
            peer.stdout,
            "{name}: stdout under {} (left) differs from Wasmtime's (right)",
            strategy.name()
        );
        assert_eq!(
            ours.stderr,
            peer.stderr,
            "{name}: stderr under {} (left) differs from Wasmtime's (right)",
            strategy.name()
        );
        assert_eq!(
            ours.exit_code,
            peer.exit_code,
            "{name}: exit code under {} (left) differs from Wasmtime's (right)",
            strategy.name()
        );
    }
    peer.stdout
}

/// The programs with a test below: a program added to the benchmark's
/// table must get one.
const TESTED: &[&str] = &[
    "fib", "sieve", "matmul", "stencil", "sha256", "crc32", "qsort", "malloc", "printf",
];

#[test]
fn every_benchmark_program_is_tested() {
    let table: Vec<&str> = PROGRAMS.iter().map(|p| p.name).collect();
    assert_eq!(table, TESTED);
}

#[test]
fn fib() {
    assert_eq!(compare("fib", 0), "fib(20) = 6765\n");
}

#[test]
fn sieve() {
    // pi(20000) = 2262.
    assert_eq!(
        compare("sieve", 0),
        "primes up to 20000: 2262 (largest 19997)\n"
    );
}

#[test]
fn matmul() {
    compare("matmul", 0);
}

#[test]
fn stencil() {
    compare("stencil", 0);
}

#[test]
fn sha256() {
    // FIPS 180-4's example: SHA-256("abc").
    let out = compare("sha256", 0);
    assert!(
        out.starts_with(
            "sha256(\"abc\") ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"
        ),
        "{out}"
    );
}

#[test]
fn crc32() {
    // The CRC-32 check value.
    let out = compare("crc32", 0);
    assert!(
        out.starts_with("crc32(\"123456789\") = cbf43926\n"),
        "{out}"
    );
}

#[test]
fn qsort() {
    let out = compare("qsort", 0);
    assert!(out.starts_with("sorted 3000 ints"), "{out}");
}

#[test]
fn malloc() {
    // The program exits with 3: exit codes must propagate.
    compare("malloc", 3);
}

#[test]
fn printf() {
    let out = compare("printf", 0);
    assert!(
        out.contains("[0x1p+0] [-0X1P-1] [inf] [-inf] [nan]\n"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 11 + 40, "{out}");
}
