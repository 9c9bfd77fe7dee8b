//! WASI preview 1: real C programs (compiled by clang-14 for wasm32-wasi)
//! run under wasmproof through the embedding API.

mod wasi_util;

use wasi_util::{Run, Sandbox, compile_c, run_wasmproof};

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

#[test]
fn hello_writes_stdout_and_stderr() {
    let o = run_wasmproof(&compile_c("hello"), &Run::default());
    assert_eq!(o.exit_code, 0);
    assert_eq!(o.stdout, "hello from wasi\nsecond line, 2 + 3 = 5\n");
    assert_eq!(o.stderr, "this goes to stderr\n");
}

#[test]
fn args_and_environment() {
    let run = Run {
        args: vec!["one", "two words", ""],
        env: vec![("GREETING", "hello there"), ("EMPTY", ""), ("K", "a=b")],
        ..Run::default()
    };
    let o = run_wasmproof(&compile_c("args_env"), &run);
    assert_eq!(o.exit_code, 0, "stderr: {}", o.stderr);
    assert_eq!(
        lines(&o.stdout),
        [
            "argc=4",
            "argv[1]=one",
            "argv[2]=two words",
            "argv[3]=",
            "GREETING=hello there",
            "MISSING_VAR=(unset)",
            "env[0]=GREETING=hello there",
            "env[1]=EMPTY=",
            "env[2]=K=a=b",
            "envc=3",
        ]
    );
}

#[test]
fn no_args_no_env() {
    let o = run_wasmproof(&compile_c("args_env"), &Run::default());
    assert_eq!(o.exit_code, 0);
    assert_eq!(
        lines(&o.stdout),
        [
            "argc=1",
            "GREETING=(unset)",
            "MISSING_VAR=(unset)",
            "envc=0"
        ]
    );
}

#[test]
fn stdin_from_bytes() {
    let run = Run {
        stdin: b"hello, stdin".to_vec(),
        ..Run::default()
    };
    let o = run_wasmproof(&compile_c("stdin_echo"), &run);
    assert_eq!(o.exit_code, 0);
    assert_eq!(o.stdout, "HELLO, STDIN\nread 12 bytes\n");
}

#[test]
fn reads_a_preopened_file() {
    let sb = Sandbox::new("read");
    let run = Run {
        sandbox: Some(sb.dir()),
        ..Run::default()
    };
    let o = run_wasmproof(&compile_c("read_file"), &run);
    assert_eq!(o.exit_code, 0, "stdout: {}\nstderr: {}", o.stdout, o.stderr);
    assert_eq!(
        lines(&o.stdout),
        [
            "1: line one",
            "2: line two",
            "lines=2 size=18 regular=1",
            "via symlink: 8 bytes \"line one\"",
            "O_NOFOLLOW on a symlink: fails errno=32",
            "missing file: errno=44 (No such file or directory)",
        ]
    );
}

#[test]
fn without_a_preopen_there_is_no_filesystem() {
    let o = run_wasmproof(&compile_c("read_file"), &Run::default());
    assert_eq!(o.exit_code, 2);
    // wasi-libc finds no preopen for the path: ENOTCAPABLE.
    assert_eq!(o.stdout, "fopen /sandbox/input.txt failed: errno=76\n");
}

#[test]
fn creates_renames_lists_and_removes() {
    let sb = Sandbox::new("fsops");
    let run = Run {
        sandbox: Some(sb.dir()),
        ..Run::default()
    };
    let o = run_wasmproof(&compile_c("fs_ops"), &run);
    assert_eq!(o.exit_code, 0, "stdout:\n{}", o.stdout);
    assert!(!o.stdout.contains("UNEXPECTED"), "{}", o.stdout);
    assert!(!o.stdout.contains("FAILED"), "{}", o.stdout);
    for expected in [
        "mkdir work again: errno=20 (File exists)",
        "create f1.txt O_EXCL again: errno=20",
        "stat f1 after rename: errno=44 (No such file or directory)",
        "rmdir non-empty sub: errno=55 (Directory not empty)",
        "rmdir a file: errno=54 (Not a directory)",
        "unlink missing: errno=44 (No such file or directory)",
        "open file/x: errno=54",
        "listing /sandbox/work: 2 entries\n  f2.txt (file)\n  sub (dir)\n",
        "listing /sandbox/work: 0 entries\n",
        "listing /sandbox: 5 entries\n  input.txt (file)\n  link_abs (other)\n  link_in (other)\n  link_out (other)\n  sub (dir)\n",
        "failures: 0",
    ] {
        assert!(
            o.stdout.contains(expected),
            "missing {expected:?} in:\n{}",
            o.stdout
        );
    }
    // Everything the program made is gone again; what was there is untouched.
    assert!(!sb.dir().join("work").exists());
    assert!(sb.dir().join("input.txt").exists());
}

#[test]
fn seek_tell_pread_pwrite_truncate() {
    let sb = Sandbox::new("seek");
    let run = Run {
        sandbox: Some(sb.dir()),
        ..Run::default()
    };
    let o = run_wasmproof(&compile_c("seek"), &run);
    assert_eq!(o.exit_code, 0, "stdout:\n{}", o.stdout);
    assert_eq!(
        lines(&o.stdout),
        [
            "write: 10",
            "tell after write: 10",
            "seek set 3: 3",
            "read 4: 4 \"3456\"",
            "tell: 7",
            "seek cur -2: 5",
            "seek end -2: 8",
            "read rest: 2 \"89\"",
            "read at eof: 0",
            "pwrite XY at 0: 2",
            "pread 4 at 0: 4 \"XY23\"",
            "tell unchanged by pread/pwrite: 10",
            "seek to -100: -1 errno=28",
            "seek past end 20: 20",
            "write at 20: 1",
            "size after sparse write: 21",
            "ftruncate 5: 0",
            "size after truncate: 5",
            "append write: 2",
            "final contents: 7 \"XY234++\"",
        ]
    );
}

#[test]
fn clocks_sleep_and_random() {
    let o = run_wasmproof(&compile_c("clock_random"), &Run::default());
    assert_eq!(o.exit_code, 0, "stdout:\n{}", o.stdout);
    assert!(!o.stdout.contains("FAILED"), "{}", o.stdout);
    assert!(o.stdout.ends_with("failures: 0\n"), "{}", o.stdout);
}

#[test]
fn exit_code_is_reported() {
    let o = run_wasmproof(&compile_c("exit_code"), &Run::default());
    assert_eq!(o.exit_code, 7);
    // exit() flushes stdio before proc_exit.
    assert_eq!(o.stdout, "about to exit with 7\n");
}

#[test]
fn escapes_from_the_preopen_fail_with_enotcapable() {
    let sb = Sandbox::new("escape");
    let run = Run {
        sandbox: Some(sb.dir()),
        ..Run::default()
    };
    let o = run_wasmproof(&compile_c("escape"), &run);
    assert_eq!(
        o.exit_code, 0,
        "stdout:\n{}\nstderr:\n{}",
        o.stdout, o.stderr
    );
    assert!(o.stdout.ends_with("escapes: 0\n"), "{}", o.stdout);
    assert!(
        o.stdout
            .contains("open /sandbox/link_in: ok, starts with \"line one\"")
    );
    let attempts: Vec<&str> = o.stderr.lines().collect();
    assert_eq!(
        attempts.len(),
        9,
        "one stderr line per attempt:\n{}",
        o.stderr
    );
    for line in attempts {
        assert!(
            line.ends_with("errno=76"),
            "expected ENOTCAPABLE (76): {line}"
        );
    }
    // Nothing was created outside.
    assert!(!sb.root.join("created_outside.txt").exists());
    assert_eq!(
        std::fs::read_to_string(sb.root.join("outside.txt")).expect("outside.txt"),
        "outside\n"
    );
}

#[test]
fn every_preview1_import_links_and_answers() {
    let sb = Sandbox::new("all");
    let run = Run {
        sandbox: Some(sb.dir()),
        ..Run::default()
    };
    let o = run_wasmproof(&compile_c("all_imports"), &run);
    assert_eq!(o.exit_code, 3, "proc_exit(3)\nstdout:\n{}", o.stdout);
    for expected in [
        "preopen name: /sandbox",
        "fd_prestat_dir_name too short: 37",
        "fd_prestat_get stdout: 8",
        "read back: hello",
        "filetype: 4",
        "size: 3 mtim: 1000000000000000000",
        "fd_allocate: 58",
        "fd_fdstat_set_rights: 58",
        "fd_renumber: 0\nfd_close old number: 8\nfd_close: 0\nfd_close again: 8",
        "link text: t.txt",
        "path_filestat_get nofollow: 0\nfiletype: 7",
        "events: 1 userdata: 42",
        "sock_accept: 57",
        "sock_shutdown: 57",
    ] {
        assert!(
            o.stdout.contains(expected),
            "missing {expected:?} in:\n{}",
            o.stdout
        );
    }
    // Everything else succeeded.
    for line in o.stdout.lines() {
        let Some((call, code)) = line.rsplit_once(": ") else {
            continue;
        };
        let expected_failure = [
            "fd_prestat_dir_name too short",
            "fd_prestat_get stdout",
            "fd_allocate",
            "fd_fdstat_set_rights",
            "fd_close old number",
            "fd_close again",
            "fd_close bad",
            "sock_accept",
            "sock_recv",
            "sock_send",
            "sock_shutdown",
        ];
        let is_call = [
            "fd_", "path_", "args_", "environ_", "clock_", "random_", "sched_", "poll_",
        ]
        .iter()
        .any(|p| call.starts_with(p));
        if is_call && !expected_failure.contains(&call) {
            assert_eq!(code, "0", "{line}");
        }
    }
    // The program cleaned up after itself.
    let left: Vec<_> = std::fs::read_dir(sb.dir())
        .expect("read sandbox")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 5, "{left:?}");
}

#[test]
fn default_context_is_closed_and_discards_output() {
    use wasmproof::wasi::{WasiCtx, WasiCtxBuilder, add_to_linker};
    use wasmproof::{Engine, Linker, Module, Store};
    let engine = Engine::default();
    let module = Module::from_file(&engine, compile_c("read_file")).expect("module");
    // No args, no env, no stdin, output discarded, no directories.
    let mut store = Store::new(&engine, WasiCtxBuilder::new().build());
    assert!(store.data().args().is_empty());
    assert!(store.data().env().is_empty());
    let mut linker = Linker::new(&engine);
    add_to_linker(&mut linker, |cx: &mut WasiCtx| cx).expect("add WASI");
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("instantiate");
    let start = instance
        .get_typed_func::<(), ()>(&store, "_start")
        .expect("_start");
    // main returns 2 (the file can't be opened): exit() calls proc_exit(2).
    let err = start.call(&mut store, ()).expect_err("non-zero exit");
    assert_eq!(
        err.downcast_ref::<wasmproof::I32Exit>(),
        Some(&wasmproof::I32Exit(2))
    );
}

#[test]
fn lists_a_directory_larger_than_one_readdir_buffer() {
    let sb = Sandbox::new("many");
    let run = Run {
        sandbox: Some(sb.dir()),
        ..Run::default()
    };
    let o = run_wasmproof(&compile_c("many_files"), &run);
    assert_eq!(o.exit_code, 0, "stdout:\n{}", o.stdout);
    assert_eq!(
        lines(&o.stdout),
        [
            "files listed: 300 (dots skipped), missing: 0, duplicates: 0, strays: 0",
            "telldir increases: yes",
            "seekdir resumes at the same entry: yes",
            "removed: 300",
            "rmdir: 0",
        ]
    );
}
