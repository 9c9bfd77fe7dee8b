//! `wasmproof-verify`: prove ISLE lowering rules, or print why they are wrong.
//!
//! ```text
//! wasmproof-verify [--root TERM]... [--rule NAME]... [--solver z3|cvc5]
//!                  [--timeout S] [--jobs N] [--json FILE] [--cache DIR]
//!                  [--tag TAG]... [--exclude-tag TAG]...
//!                  [--write-lock FILE | --check FILE.lock] FILE.isle...
//! ```
//!
//! Prints one line per (rule, instantiation), the details of every
//! counterexample, and the closing line `N proven, M failed, K unknown`
//! (then, with `--check`, one line about the lock's differences).
//! Exit status: 0 when everything selected is proven, 1 when something is not,
//! 2 when the input or the command line is wrong (one line on stderr).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // A bug in the verifier itself is still reported in one line, without a
    // backtrace dump in the middle of the report.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("error: internal error in wasmproof-verify{at}: {msg} (please report it)");
    }));
    match cli::run(std::env::args_os()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(cli::EXIT_USAGE)
        }
    }
}
