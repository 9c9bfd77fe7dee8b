//! `wasmproof-spec-tests`: runs `.wast` files of the official WebAssembly
//! testsuite under one of wasmproof's strategies.
//!
//! Prints one line per file (`FILE: N passed, M failed, K skipped`, with the
//! skipped proposals named), the first failures of each file, and finally
//! the total line `N passed, M failed, K skipped`. Exits non-zero if
//! anything failed.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use wasmproof_spec_tests::{
    FileReport, Options, Strategy, Totals, collect_files, find_suite, in_scope_files, run_files,
    skipped_by_proposal,
};

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Run the official WebAssembly testsuite (.wast) against wasmproof"
)]
struct Cli {
    /// The execution strategy.
    #[arg(long, value_enum, default_value_t = Strategy::Interpreter)]
    strategy: Strategy,

    /// Only the in-scope files (Wasm 2.0 without SIMD; see spec-tests/in-scope.txt).
    #[arg(long, conflicts_with = "paths")]
    in_scope: bool,

    /// Descend into subdirectories of directory arguments (e.g. `proposals/`).
    #[arg(long, short = 'r')]
    recursive: bool,

    /// Files to run in parallel (default: the number of CPUs).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,

    /// How many failures to print per file.
    #[arg(long, default_value_t = 5)]
    show_failures: usize,

    /// Write every failure (file, line, directive, expected, actual) to this file.
    #[arg(long, value_name = "FILE")]
    failures_file: Option<PathBuf>,

    /// Stop any single instantiation or call after this many instructions
    /// (a safety net against a runaway strategy; default: unlimited).
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,

    /// Append each file's wall time to its line.
    #[arg(long)]
    timings: bool,

    /// Stack size of each worker thread, in MiB.
    #[arg(long, default_value_t = 256)]
    stack_mib: usize,

    /// `.wast` files or directories. Default: every top-level `.wast` of the
    /// testsuite at $WASM_TESTSUITE, else ../shared/wasm-testsuite.
    paths: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let suite = find_suite();
    let paths: Vec<PathBuf> = if cli.in_scope {
        match &suite {
            Ok(_) if in_scope_files().is_empty() => {
                eprintln!("error: the in-scope list (spec-tests/in-scope.txt) is empty");
                return ExitCode::from(2);
            }
            Ok(root) => in_scope_files().iter().map(|f| root.join(f)).collect(),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else if cli.paths.is_empty() {
        match &suite {
            Ok(root) => vec![root.clone()],
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        cli.paths.clone()
    };
    let files = collect_files(&paths, cli.recursive);
    let mut opts = Options {
        strategy: cli.strategy,
        stack_size: cli.stack_mib.max(1) << 20,
        suite_root: suite.ok(),
        fuel: cli.fuel,
        ..Options::default()
    };
    if let Some(j) = cli.jobs {
        opts.jobs = j.max(1);
    }

    let start = Instant::now();
    let mut totals = Totals::default();
    let show = cli.show_failures;
    let timings = cli.timings;
    let reports = run_files(&files, &opts, |r: &FileReport| {
        totals.add(r);
        let mut out = std::io::stdout().lock();
        if timings {
            let _ = writeln!(out, "{} [{:.3}s]", r.summary(), r.elapsed.as_secs_f64());
        } else {
            let _ = writeln!(out, "{}", r.summary());
        }
        for f in r.failures.iter().take(show) {
            let _ = writeln!(
                out,
                "    {}:{}: {}: expected {}, got {}",
                r.name, f.line, f.directive, f.expected, f.actual
            );
        }
        if r.failures.len() > show && show > 0 {
            let _ = writeln!(out, "    … and {} more failures", r.failures.len() - show);
        }
    });
    let elapsed = start.elapsed();

    if let Some(path) = &cli.failures_file {
        let mut text = format!(
            "# spec-test failures, strategy {}: file:line\tdirective\texpected\tactual\n",
            cli.strategy
        );
        for r in &reports {
            for f in &r.failures {
                text.push_str(&format!(
                    "{}:{}\t{}\t{}\t{}\n",
                    r.name,
                    f.line,
                    f.directive,
                    one_line(&f.expected),
                    one_line(&f.actual)
                ));
            }
        }
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
        }
    }

    let skips = skipped_by_proposal(&reports);
    if !skips.is_empty() {
        let parts: Vec<String> = skips.iter().map(|(p, n)| format!("{p} ×{n}")).collect();
        eprintln!("skipped by proposal: {}", parts.join(", "));
    }
    eprintln!(
        "{} files, strategy {}, {:.2}s",
        totals.files,
        cli.strategy,
        elapsed.as_secs_f64()
    );
    println!("{totals}");
    if totals.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// A field of the tab-separated failures file: no tabs, no newlines.
fn one_line(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}
