//! What the `jit` benchmark and `tests/c_programs.rs` share: the C programs
//! in `benches/c/` with their inputs, the strategies they run under, and the
//! two ways of running a program — wasmproof through its embedding API, and
//! Wasmtime (PyPI `wasmtime`) through `wasmtime_timed.py` — each timing
//! module compilation and the `_start` call separately.
// The benchmark and the test each use a part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use wasmproof::wasi::{OutputBuffer, WasiCtx, WasiCtxBuilder, add_to_linker};
use wasmproof::{Config, Engine, I32Exit, Linker, Module, Store, Strategy};

/// Every strategy the benchmark measures and the test checks against
/// Wasmtime.
pub const STRATEGIES: &[Strategy] = &[Strategy::Interpreter, Strategy::Jit];

/// A C program of `benches/c/` and its command-line inputs.
pub struct Program {
    pub name: &'static str,
    /// Quick inputs: the test, and `--scale small`.
    pub small: &'static [&'static str],
    /// Benchmark inputs (`--scale full`, the default).
    pub full: &'static [&'static str],
}

impl Program {
    const fn new(
        name: &'static str,
        small: &'static [&'static str],
        full: &'static [&'static str],
    ) -> Program {
        Program { name, small, full }
    }
}

pub const PROGRAMS: &[Program] = &[
    Program::new("fib", &["20"], &["30"]),
    Program::new("sieve", &["20000"], &["1000000"]),
    Program::new("matmul", &["24"], &["128"]),
    Program::new("stencil", &["24", "4"], &["128", "20"]),
    Program::new("sha256", &["2048"], &["65536", "4"]),
    Program::new("crc32", &["8192"], &["1048576"]),
    Program::new("qsort", &["3000"], &["40000"]),
    Program::new("malloc", &["3000"], &["30000"]),
    Program::new("printf", &["40"], &["4000"]),
];

pub fn program(name: &str) -> Option<&'static Program> {
    PROGRAMS.iter().find(|p| p.name == name)
}

/// Where compiled programs and Wasmtime's output files go.
pub fn scratch_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c-programs");
    std::fs::create_dir_all(&dir).expect("create the scratch directory in the target dir");
    dir
}

/// Compiles `benches/c/<name>.c` with clang-14 for wasm32-wasi (wasi-libc
/// from `/usr`) at `-O2` without debug info, into `out_dir`; returns the
/// `.wasm` path.
pub fn compile_c(name: &str, out_dir: &Path) -> Result<PathBuf, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/c")
        .join(format!("{name}.c"));
    if !src.exists() {
        return Err(format!("no C program {}", src.display()));
    }
    let out = out_dir.join(format!("{name}.wasm"));
    let output = Command::new("clang-14")
        .args([
            "--target=wasm32-wasi",
            "--sysroot=/usr",
            "-O2",
            "-Wall",
            "-Werror",
            // wasi-libc's DWARF would be most of each module; keep code and names.
            "-Wl,--strip-debug",
        ])
        .arg(&src)
        .arg("-lm")
        .arg("-o")
        .arg(&out)
        .output()
        .map_err(|e| {
            format!(
                "cannot run clang-14 ({e}): the C programs are compiled to wasm32-wasi with it; \
                 install clang-14, lld-14, wasi-libc and libclang-rt-14-dev-wasm32 \
                 (Debian: apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32, \
                 or run .ci/setup)"
            )
        })?;
    if !output.status.success() {
        return Err(format!(
            "clang-14 failed to compile {} for wasm32-wasi (are wasi-libc and \
             libclang-rt-14-dev-wasm32 installed?):\n{}",
            src.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(out)
}

/// What one run of a program printed and returned, and how long it took.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    /// `_start`'s exit status: 0 if it returned, else the `proc_exit` code.
    pub exit_code: i32,
    /// Building the module (`Module::new` / `wasmtime.Module`).
    pub compile: Duration,
    /// The `_start` call alone (not instantiation).
    pub run: Duration,
}

/// Compiles `wasm` under `strategy` and runs `_start` with `args`. A trap
/// or any other failure is an error naming the program and strategy.
pub fn run_wasmproof(strategy: Strategy, wasm: &Path, args: &[&str]) -> Result<Outcome, String> {
    let what = format!("{} under wasmproof {}", display_name(wasm), strategy.name());
    let bytes = std::fs::read(wasm).map_err(|e| format!("reading {}: {e}", wasm.display()))?;
    let engine =
        Engine::new(Config::new().strategy(strategy)).map_err(|e| format!("{what}: {e}"))?;
    let t0 = Instant::now();
    let module = Module::new(&engine, &bytes).map_err(|e| format!("{what}: compiling: {e}"))?;
    let compile = t0.elapsed();

    let out = OutputBuffer::new();
    let err = OutputBuffer::new();
    let mut builder = WasiCtxBuilder::new();
    builder
        .arg(display_name(wasm))
        .args(args)
        .stdout_buffer(out.clone())
        .stderr_buffer(err.clone());
    let mut store = Store::new(&engine, builder.build());
    let mut linker: Linker<WasiCtx> = Linker::new(&engine);
    add_to_linker(&mut linker, |cx: &mut WasiCtx| cx).map_err(|e| format!("{what}: {e}"))?;
    let instance = linker
        .instantiate(&mut store, &module)
        .map_err(|e| format!("{what}: instantiating: {e}"))?;
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .map_err(|e| format!("{what}: {e}"))?;

    let t0 = Instant::now();
    let result = start.call(&mut store, ());
    let run = t0.elapsed();
    let exit_code = match result {
        Ok(()) => 0,
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(I32Exit(code)) => *code,
            None => {
                return Err(format!(
                    "{what} failed: {e:?}\nstdout:\n{}\nstderr:\n{}",
                    out.to_string_lossy(),
                    err.to_string_lossy()
                ));
            }
        },
    };
    Ok(Outcome {
        stdout: out.to_string_lossy(),
        stderr: err.to_string_lossy(),
        exit_code,
        compile,
        run,
    })
}

const WASMTIME_MISSING: &str = "Wasmtime's Python package is missing \
    (`python3 -c \"import wasmtime\"` fails): pip install wasmtime, or run .ci/setup";

/// Checks that python3 and its `wasmtime` package are there, so that a
/// missing peer is reported before any work.
pub fn require_wasmtime() -> Result<(), String> {
    let output = Command::new("python3")
        .args(["-c", "import wasmtime"])
        .output()
        .map_err(|e| {
            format!("cannot run python3 ({e}): Wasmtime is driven through its PyPI package")
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(WASMTIME_MISSING.to_string())
    }
}

/// Runs `wasm` `runs` times under Wasmtime (PyPI) in one Python process,
/// each run compiling afresh; returns every run's outcome (the output is
/// the last run's). `out_dir` receives the guest's stdout/stderr files.
pub fn run_wasmtime(
    wasm: &Path,
    args: &[&str],
    runs: usize,
    out_dir: &Path,
) -> Result<Vec<Outcome>, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/support/wasmtime_timed.py");
    std::fs::create_dir_all(out_dir).map_err(|e| format!("creating {}: {e}", out_dir.display()))?;
    let output = Command::new("python3")
        .arg(&script)
        .arg(runs.to_string())
        .arg(out_dir)
        .arg(wasm)
        .args(args)
        .output()
        .map_err(|e| {
            format!("cannot run python3 ({e}): Wasmtime is driven through its PyPI package")
        })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(126) {
        return Err(WASMTIME_MISSING.to_string());
    }
    if !output.status.success() {
        return Err(format!(
            "{} under Wasmtime: wasmtime_timed.py failed ({}):\n{stderr}",
            display_name(wasm),
            output.status
        ));
    }
    let read = |f: &str| {
        std::fs::read(out_dir.join(f))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| format!("reading Wasmtime's {f}: {e}"))
    };
    let (stdout, guest_stderr) = (read("stdout")?, read("stderr")?);
    let mut outcomes = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let (compile, run, exit_code) = parse_run_line(line).map_err(|e| {
            format!(
                "{} under Wasmtime: {e}; stderr:\n{stderr}{guest_stderr}",
                display_name(wasm)
            )
        })?;
        outcomes.push(Outcome {
            stdout: stdout.clone(),
            stderr: guest_stderr.clone(),
            exit_code,
            compile,
            run,
        });
    }
    if outcomes.len() != runs {
        return Err(format!(
            "{} under Wasmtime: expected {runs} runs, got {}",
            display_name(wasm),
            outcomes.len()
        ));
    }
    Ok(outcomes)
}

/// Parses `run COMPILE_SECONDS CALL_SECONDS EXIT_CODE` from wasmtime_timed.py.
fn parse_run_line(line: &str) -> Result<(Duration, Duration, i32), String> {
    let secs = |s: &str| {
        s.parse::<f64>()
            .ok()
            .and_then(|x| Duration::try_from_secs_f64(x).ok())
            .ok_or_else(|| format!("bad time {s:?} in {line:?}"))
    };
    match line.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["run", _, _, "trap"] => Err("the program trapped".to_string()),
        ["run", compile, call, code] => Ok((
            secs(compile)?,
            secs(call)?,
            code.parse()
                .map_err(|_| format!("bad exit code {code:?} in {line:?}"))?,
        )),
        _ => Err(format!("unexpected line {line:?} from wasmtime_timed.py")),
    }
}

fn display_name(wasm: &Path) -> String {
    wasm.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("prog.wasm")
        .to_string()
}
