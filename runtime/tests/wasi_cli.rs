//! The `wasmproof run` CLI running compiled C programs with WASI:
//! `--dir HOST::GUEST`, `--env K=V`, program arguments, and the exit code.

mod wasi_util;

use wasi_util::{Run, Sandbox, compile_c, run_cli};

#[test]
fn cli_runs_a_wasi_program_with_dir_env_and_args() {
    let sb = Sandbox::new("cli-read");
    let run = Run {
        sandbox: Some(sb.dir()),
        ..Run::default()
    };
    let o = run_cli(&compile_c("read_file"), &run);
    assert_eq!(o.exit_code, 0, "stderr: {}", o.stderr);
    assert!(
        o.stdout.starts_with("1: line one\n2: line two\n"),
        "{}",
        o.stdout
    );

    let run = Run {
        args: vec!["x", "y z"],
        env: vec![("GREETING", "hi")],
        ..Run::default()
    };
    let o = run_cli(&compile_c("args_env"), &run);
    assert_eq!(o.exit_code, 0, "stderr: {}", o.stderr);
    assert!(
        o.stdout.contains("argv[1]=x\nargv[2]=y z\nGREETING=hi\n"),
        "{}",
        o.stdout
    );
}

#[test]
fn cli_exit_code_is_the_process_exit_code() {
    let o = run_cli(&compile_c("exit_code"), &Run::default());
    assert_eq!(o.exit_code, 7, "stderr: {}", o.stderr);
    assert_eq!(o.stdout, "about to exit with 7\n");
}

#[test]
fn cli_stdio_is_inherited() {
    let run = Run {
        stdin: b"piped in".to_vec(),
        ..Run::default()
    };
    let o = run_cli(&compile_c("stdin_echo"), &run);
    assert_eq!(o.exit_code, 0, "stderr: {}", o.stderr);
    assert_eq!(o.stdout, "PIPED IN\nread 8 bytes\n");
    let o = run_cli(&compile_c("hello"), &Run::default());
    assert_eq!(o.stderr, "this goes to stderr\n");
}
