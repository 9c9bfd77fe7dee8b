//! Shared helpers of the WASI tests: compile the C programs in `tests/c/`
//! with clang-14 for `wasm32-wasi`, lay out a sandbox directory, and run a
//! program under wasmproof (library API or CLI) or under Wasmtime (the peer).
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

use wasmproof::I32Exit;
use wasmproof::wasi::{OutputBuffer, WasiCtx, WasiCtxBuilder, add_to_linker};
use wasmproof::{Config, Engine, Linker, Module, Store, Strategy};

/// Where compiled programs and sandboxes go (inside the cargo target dir).
fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wasi")
}

/// Compiles `tests/c/<name>.c` once per test process and returns the `.wasm`.
/// Panics with a clear message if clang-14 (or the wasm32-wasi sysroot) is missing.
pub fn compile_c(name: &str) -> PathBuf {
    static CACHE: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(p) = cache.get(name) {
        return p.clone();
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/c")
        .join(format!("{name}.c"));
    assert!(src.exists(), "no C test program {}", src.display());
    let dir = scratch().join("bin");
    std::fs::create_dir_all(&dir).expect("create the directory for compiled C programs");
    let out = dir.join(format!("{name}.{}.wasm", std::process::id()));
    let result = Command::new("clang-14")
        .args([
            "--target=wasm32-wasi",
            "--sysroot=/usr",
            "-O2",
            "-Wall",
            "-Werror",
        ])
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .output();
    let output = match result {
        Ok(o) => o,
        Err(e) => panic!(
            "cannot run clang-14 ({e}): the WASI tests compile C programs to wasm32-wasi; \
             install clang-14, lld-14, wasi-libc and libclang-rt-14-dev-wasm32 \
             (Debian: apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32)"
        ),
    };
    assert!(
        output.status.success(),
        "clang-14 failed to compile {} for wasm32-wasi (are wasi-libc and \
         libclang-rt-14-dev-wasm32 installed?):\n{}",
        src.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    cache.insert(name.to_string(), out.clone());
    out
}

/// A temporary host directory laid out for the C programs:
///
/// ```text
/// <root>/outside.txt          "outside\n"       (must stay unreachable)
/// <root>/sandbox/             preopened as /sandbox
///        input.txt            "line one\nline two\n"
///        sub/a.txt, sub/b.txt
///        link_in  -> input.txt               (a symlink that stays inside)
///        link_out -> ../outside.txt          (relative escape)
///        link_abs -> <root>/outside.txt      (absolute escape)
/// ```
pub struct Sandbox {
    pub root: PathBuf,
}

impl Sandbox {
    pub fn new(tag: &str) -> Sandbox {
        static N: Mutex<u32> = Mutex::new(0);
        let n = {
            let mut g = N.lock().unwrap_or_else(|p| p.into_inner());
            *g += 1;
            *g
        };
        let root = scratch().join(format!("sandbox-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dir = root.join("sandbox");
        std::fs::create_dir_all(dir.join("sub")).expect("create sandbox");
        std::fs::write(root.join("outside.txt"), "outside\n").expect("write outside.txt");
        std::fs::write(dir.join("input.txt"), "line one\nline two\n").expect("write input.txt");
        std::fs::write(dir.join("sub/a.txt"), "a").expect("write sub/a.txt");
        std::fs::write(dir.join("sub/b.txt"), "bb").expect("write sub/b.txt");
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink("input.txt", dir.join("link_in")).expect("symlink link_in");
            symlink("../outside.txt", dir.join("link_out")).expect("symlink link_out");
            symlink(root.join("outside.txt"), dir.join("link_abs")).expect("symlink link_abs");
        }
        Sandbox { root }
    }

    /// The host directory preopened as `/sandbox`.
    pub fn dir(&self) -> PathBuf {
        self.root.join("sandbox")
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// How to run a program: arguments after `argv[0]`, environment, the
/// sandbox to preopen as `/sandbox`, stdin bytes.
#[derive(Default, Clone)]
pub struct Run<'a> {
    pub args: Vec<&'a str>,
    pub env: Vec<(&'a str, &'a str)>,
    pub sandbox: Option<PathBuf>,
    pub stdin: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
}

/// Runs `_start` of `wasm` under wasmproof through the embedding API.
pub fn run_wasmproof(wasm: &Path, run: &Run<'_>) -> Outcome {
    run_wasmproof_with(wasm, run, Strategy::Interpreter)
}

/// [`run_wasmproof`] under an explicit strategy.
pub fn run_wasmproof_with(wasm: &Path, run: &Run<'_>, strategy: Strategy) -> Outcome {
    let engine = Engine::new(Config::new().strategy(strategy)).expect("engine");
    let module = Module::from_file(&engine, wasm).expect("wasmproof compiles the module");
    let out = OutputBuffer::new();
    let err = OutputBuffer::new();
    let mut b = WasiCtxBuilder::new();
    b.arg(
        wasm.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("prog.wasm"),
    )
    .args(&run.args)
    .envs(&run.env)
    .stdin_bytes(run.stdin.clone())
    .stdout_buffer(out.clone())
    .stderr_buffer(err.clone());
    if let Some(dir) = &run.sandbox {
        b.preopened_dir(dir, "/sandbox")
            .expect("preopen the sandbox");
    }
    let mut store = Store::new(&engine, b.build());
    let mut linker: Linker<WasiCtx> = Linker::new(&engine);
    add_to_linker(&mut linker, |cx: &mut WasiCtx| cx).expect("add WASI to the linker");
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("instantiate");
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .expect("the module exports _start");
    let exit_code = match start.call(&mut store, ()) {
        Ok(()) => 0,
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(I32Exit(code)) => *code,
            None => panic!(
                "{} trapped under wasmproof: {e:?}\nstdout so far:\n{}\nstderr so far:\n{}",
                wasm.display(),
                out.to_string_lossy(),
                err.to_string_lossy()
            ),
        },
    };
    Outcome {
        stdout: out.to_string_lossy(),
        stderr: err.to_string_lossy(),
        exit_code,
    }
}

fn outcome_of(output: std::process::Output, what: &str) -> Outcome {
    let exit_code = output
        .status
        .code()
        .unwrap_or_else(|| panic!("{what} was killed by a signal: {:?}", output.status));
    Outcome {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        exit_code,
    }
}

fn run_command(mut cmd: Command, stdin: &[u8], what: &str) -> Outcome {
    use std::io::Write;
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    if let Some(mut s) = child.stdin.take() {
        // The guest may exit without reading: a broken pipe is fine.
        let _ = s.write_all(stdin);
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("waiting for {what}: {e}"));
    outcome_of(output, what)
}

/// Fails the test (with the fix) if the Python `wasmtime` package is missing.
pub fn require_python_wasmtime() {
    let ok = Command::new("python3")
        .args(["-c", "import wasmtime"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "the peer comparison needs Wasmtime's Python package: `python3 -c \"import wasmtime\"` \
         failed. Run: pip install wasmtime"
    );
}

/// Runs `_start` of `wasm` under Wasmtime via `tests/peer/run_wasmtime.py`.
pub fn run_wasmtime(wasm: &Path, run: &Run<'_>) -> Outcome {
    require_python_wasmtime();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peer/run_wasmtime.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script);
    if let Some(dir) = &run.sandbox {
        cmd.arg("--dir").arg(format!("{}::/sandbox", dir.display()));
    }
    for (k, v) in &run.env {
        cmd.arg("--env").arg(format!("{k}={v}"));
    }
    if !run.stdin.is_empty() {
        cmd.args(["--stdin", "/dev/stdin"]);
    }
    cmd.arg(wasm).args(&run.args);
    run_command(cmd, &run.stdin, "python3 run_wasmtime.py")
}

/// Runs `wasm` through the `wasmproof run` CLI.
pub fn run_cli(wasm: &Path, run: &Run<'_>) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wasmproof"));
    cmd.arg("run");
    if let Some(dir) = &run.sandbox {
        cmd.arg("--dir").arg(format!("{}::/sandbox", dir.display()));
    }
    for (k, v) in &run.env {
        cmd.arg("--env").arg(format!("{k}={v}"));
    }
    cmd.arg(wasm).args(&run.args);
    run_command(cmd, &run.stdin, "wasmproof run")
}
