//! The `wasmproof` command line (the binary is `src/bin/wasmproof.rs`).
//!
//! Exit status of `wasmproof run`:
//!
//! | status | meaning |
//! |---|---|
//! | 0 | the program finished (`_start` returned, or `--invoke` printed its results) |
//! | N | the program called WASI `proc_exit(N)` |
//! | 134 ([`EXIT_TRAP`]) | a Wasm trap (incl. a host function's error); kind and backtrace on stderr |
//! | 1 ([`EXIT_ERROR`]) | the run could not start: missing file, invalid module, missing import, unknown `--invoke` export, bad argument, bad `--dir` |
//! | 2 | invalid command line (usage error) |

mod args;
mod run;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use args::{parse_dir, parse_env, parse_val};

/// A trap ends the process with this status (128 + SIGABRT, as Wasmtime does).
pub const EXIT_TRAP: i32 = 134;
/// Anything that prevents the run from starting ends the process with this status.
pub const EXIT_ERROR: i32 = 1;

const AFTER_HELP: &str = "\
Exit status of `run`: 0 on success; N when the program calls proc_exit(N);
134 when Wasm traps (the trap's kind and Wasm backtrace go to stderr);
1 when the run cannot start (missing file, invalid module, missing import,
unknown --invoke export, unparsable argument, unknown --dir path);
2 for command-line usage errors.";

/// wasmproof: a WebAssembly runtime whose machine code comes only from
/// verified lowering rules.
#[derive(Parser, Debug)]
#[command(name = "wasmproof", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a WebAssembly module (a WASI command, or one exported function).
    #[command(after_help = AFTER_HELP)]
    Run(RunArgs),
}

/// `wasmproof run` options.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Give the module the host directory HOST, seen by it as GUEST (default:
    /// the same path). Repeatable.
    #[arg(long = "dir", value_name = "HOST[::GUEST]", value_parser = parse_dir)]
    pub dirs: Vec<(PathBuf, String)>,

    /// Set the environment variable K to V for the module. Repeatable.
    #[arg(long = "env", value_name = "K=V", value_parser = parse_env)]
    pub envs: Vec<(String, String)>,

    /// Run with this much fuel (one unit per executed instruction); running
    /// out is a trap (out_of_fuel).
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,

    /// Call this exported function instead of `_start`: ARGS are parsed by
    /// its parameter types (integers in decimal or 0x hex; floats in decimal,
    /// inf, -inf, nan, nan:0xPAYLOAD) and its results printed one per line.
    #[arg(long, value_name = "FUNC")]
    pub invoke: Option<String>,

    /// Execution strategy: `jit` (default) or `interpreter` (also runs
    /// bulk memory and reference types, which the JIT rejects).
    #[arg(long, value_enum, default_value_t = StrategyArg::Jit)]
    pub strategy: StrategyArg,

    /// The module: binary (.wasm) or text (.wat).
    #[arg(value_name = "FILE.wasm|FILE.wat")]
    pub file: PathBuf,

    /// Arguments: the program's (WASI argv after its name), or the invoked
    /// function's.
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<String>,
}

/// `--strategy` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategyArg {
    /// The reference interpreter: portable, no machine code.
    Interpreter,
    /// Compiled x86-64 code, from proven lowering rules only.
    Jit,
}

impl From<StrategyArg> for crate::Strategy {
    fn from(s: StrategyArg) -> crate::Strategy {
        match s {
            StrategyArg::Interpreter => crate::Strategy::Interpreter,
            StrategyArg::Jit => crate::Strategy::Jit,
        }
    }
}

/// Parses the command line, runs it, and returns the process exit status.
pub fn main_with_args<I, S>(argv: I) -> i32
where
    I: IntoIterator<Item = S>,
    S: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; usage errors
            // print to stderr with status 2.
            let _ = e.print();
            return e.exit_code();
        }
    };
    let status = match cli.command {
        Command::Run(args) => run::run(args),
    };
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    status
}

/// Prints a one-line error to stderr and returns [`EXIT_ERROR`].
pub(crate) fn fail(message: impl std::fmt::Display) -> i32 {
    let text = message.to_string().replace('\n', " ");
    eprintln!("error: {text}");
    EXIT_ERROR
}
