//! WASI programs compiled by clang-14 run under the JIT with the same
//! output as under the interpreter.

mod wasi_util;

use wasi_util::{Run, compile_c, run_wasmproof_with};
use wasmproof::Strategy;

#[test]
fn hello_world_under_the_jit() {
    let wasm = compile_c("hello");
    let o = run_wasmproof_with(&wasm, &Run::default(), Strategy::Jit);
    assert_eq!(o.exit_code, 0);
    assert_eq!(o.stdout, "hello from wasi\nsecond line, 2 + 3 = 5\n");
    assert_eq!(o.stderr, "this goes to stderr\n");
}

#[test]
fn args_env_and_exit_code_under_the_jit_match_the_interpreter() {
    let run = Run {
        args: vec!["one", "two words"],
        env: vec![("KEY", "value")],
        ..Run::default()
    };
    for prog in ["args_env", "exit_code"] {
        let wasm = compile_c(prog);
        let jit = run_wasmproof_with(&wasm, &run, Strategy::Jit);
        let interp = run_wasmproof_with(&wasm, &run, Strategy::Interpreter);
        assert_eq!(jit, interp, "{prog}");
    }
}
