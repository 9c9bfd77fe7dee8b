//! Peer comparison: each C program gives the same stdout, stderr and exit code under
//! wasmproof as under Wasmtime (the Python `wasmtime` package, driven by
//! `tests/peer/run_wasmtime.py`). Fails — does not skip — when that package
//! is missing: `pip install wasmtime`.

mod wasi_util;

use wasi_util::{Run, Sandbox, compile_c, run_wasmproof, run_wasmtime};

/// Runs `name` under both, each in a fresh sandbox, and compares.
fn compare(name: &str, run: Run<'_>, with_sandbox: bool) {
    let wasm = compile_c(name);
    let sb_ours = Sandbox::new(&format!("peer-{name}-ours"));
    let sb_peer = Sandbox::new(&format!("peer-{name}-wasmtime"));
    let ours = run_wasmproof(
        &wasm,
        &Run {
            sandbox: with_sandbox.then(|| sb_ours.dir()),
            ..run.clone()
        },
    );
    let peer = run_wasmtime(
        &wasm,
        &Run {
            sandbox: with_sandbox.then(|| sb_peer.dir()),
            ..run
        },
    );
    assert_eq!(
        ours.stdout, peer.stdout,
        "{name}: stdout differs (left: wasmproof, right: wasmtime); wasmtime stderr:\n{}",
        peer.stderr
    );
    // stderr too, except where the programs print errnos on which the
    // runtimes knowingly differ (escape: ENOTCAPABLE here, EPERM there).
    if name != "escape" {
        assert_eq!(
            ours.stderr, peer.stderr,
            "{name}: stderr differs (left: wasmproof, right: wasmtime)"
        );
    }
    assert_eq!(
        ours.exit_code, peer.exit_code,
        "{name}: exit code differs (left: wasmproof, right: wasmtime); wasmtime stderr:\n{}",
        peer.stderr
    );
}

#[test]
fn peer_python_wasmtime_is_installed() {
    wasi_util::require_python_wasmtime();
}

#[test]
fn peer_hello() {
    compare("hello", Run::default(), false);
}

#[test]
fn peer_args_env() {
    let run = Run {
        args: vec!["one", "two words", ""],
        env: vec![("GREETING", "hello there"), ("K", "a=b")],
        ..Run::default()
    };
    compare("args_env", run, false);
}

#[test]
fn peer_stdin_echo() {
    compare(
        "stdin_echo",
        Run {
            stdin: b"peer stdin\n".to_vec(),
            ..Run::default()
        },
        false,
    );
}

#[test]
fn peer_read_file() {
    compare("read_file", Run::default(), true);
}

#[test]
fn peer_read_file_without_preopen() {
    compare("read_file", Run::default(), false);
}

#[test]
fn peer_fs_ops() {
    compare("fs_ops", Run::default(), true);
}

#[test]
fn peer_seek() {
    compare("seek", Run::default(), true);
}

#[test]
fn peer_clock_random() {
    compare("clock_random", Run::default(), false);
}

#[test]
fn peer_exit_code() {
    compare("exit_code", Run::default(), false);
}

#[test]
fn peer_escape() {
    compare("escape", Run::default(), true);
}

#[test]
fn peer_all_imports() {
    compare("all_imports", Run::default(), true);
}

#[test]
fn peer_many_files() {
    compare("many_files", Run::default(), true);
}
