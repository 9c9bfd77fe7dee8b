//! The command-line front of the verifier: argument parsing, input checks,
//! progress, and the human-readable report.

mod format;
mod lock;

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use wasmproof_verifier::{Options, Outcome, OutcomeHook, Report, SolverKind};

/// Everything selected was proven.
pub const EXIT_PROVEN: u8 = 0;
/// Something selected was not proven (counterexample, vacuous, unknown...).
pub const EXIT_NOT_PROVEN: u8 = 1;
/// Bad command line or input: nothing was verified.
pub const EXIT_USAGE: u8 = 2;

/// Prove ISLE lowering rules with an SMT solver, or print a counterexample.
#[derive(Parser, Debug)]
#[command(name = "wasmproof-verify", version, about)]
struct Args {
    /// Verify the rules of this root term (repeatable; default: every term
    /// that has a spec and rules of its own, e.g. `lower`).
    #[arg(long = "root", value_name = "TERM")]
    roots: Vec<String>,

    /// Verify only the rule with this name (repeatable).
    #[arg(long = "rule", value_name = "NAME")]
    rules: Vec<String>,

    /// The SMT solver to run: z3 or cvc5.
    #[arg(long, value_name = "SOLVER", default_value = "z3")]
    solver: String,

    /// Per-query timeout, in seconds.
    #[arg(long, value_name = "S", default_value_t = 30.0)]
    timeout: f64,

    /// Retry a query SOLVER answered `unknown` or timed out on with this
    /// one (z3 or cvc5): a solver portfolio. A counterexample from either
    /// is final.
    #[arg(long, value_name = "SOLVER")]
    fallback: Option<String>,

    /// The per-query timeout of the fallback solver, in seconds.
    #[arg(long = "fallback-timeout", value_name = "S", default_value_t = 300.0)]
    fallback_timeout: f64,

    /// Queries solved in parallel (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,

    /// Write the full report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,

    /// Reuse (and record) verdicts in DIR, keyed by the query's fingerprint.
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,

    /// After a run in which everything selected was proven, write the proof
    /// certificate (`verified.lock`) to FILE; refuse, naming what failed,
    /// otherwise.
    #[arg(long = "write-lock", value_name = "FILE", conflicts_with = "check")]
    write_lock: Option<PathBuf>,

    /// Re-prove everything and compare with the proof certificate FILE:
    /// fail on a rule not in it, an entry with no rule, a changed
    /// fingerprint, or a rule no longer proven.
    #[arg(long = "check", value_name = "FILE.lock")]
    check: Option<PathBuf>,

    /// Also check instantiations tagged TAG (repeatable), e.g. `--tag slow`.
    /// Tagged instantiations are skipped by default, and a skip counts as
    /// not proven.
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,

    /// Skip instantiations tagged TAG on purpose (repeatable): still listed
    /// as skipped, but not counted as unknown and left out of a lock.
    #[arg(long = "exclude-tag", value_name = "TAG")]
    exclude_tags: Vec<String>,

    /// The ISLE files, read together as one program.
    #[arg(value_name = "FILE.isle", required = true)]
    files: Vec<PathBuf>,
}

/// Parse the command line, verify, print; returns the exit code, or the
/// one-line message of an error that stopped the run before any verdict.
pub fn run(argv: impl IntoIterator<Item = OsString>) -> Result<ExitCode, String> {
    let args = match Args::try_parse_from(argv) {
        Ok(a) => a,
        Err(e) => {
            // --help and --version are not errors.
            if !e.use_stderr() {
                let _ = e.print();
                return Ok(ExitCode::from(EXIT_PROVEN));
            }
            return Err(clap_error_line(&e.to_string()));
        }
    };

    let solver = parse_solver(&args.solver)?;
    let fallback = args.fallback.as_deref().map(parse_solver).transpose()?;
    if let Some(f) = fallback {
        check_solver_installed(f)?;
    }
    if !args.fallback_timeout.is_finite() || args.fallback_timeout <= 0.0 {
        return Err(format!(
            "--fallback-timeout must be a positive number of seconds, not {}",
            args.fallback_timeout
        ));
    }
    check_solver_installed(solver)?;
    if !args.timeout.is_finite() || args.timeout <= 0.0 {
        return Err(format!(
            "--timeout must be a positive number of seconds, not {}",
            args.timeout
        ));
    }
    let jobs = match args.jobs {
        Some(0) => return Err("--jobs must be at least 1".to_string()),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    for f in &args.files {
        check_readable(f)?;
    }
    lock::check_lock_args(
        &args.rules,
        &args.tags,
        &args.exclude_tags,
        args.write_lock.is_some() || args.check.is_some(),
    )?;
    // Read the lock before the (long) run, so a malformed one fails fast.
    let old_lock = match &args.check {
        Some(path) => Some(lock::read(path)?),
        None => None,
    };
    if let Some(path) = &args.write_lock {
        check_parent_dir(path)?;
    }
    if let Some(json) = &args.json {
        check_parent_dir(json)?;
    }

    let progress = make_progress_bar();
    let on_outcome: Option<OutcomeHook> = progress.clone().map(|pb| {
        let hook: OutcomeHook = Arc::new(move |o: &Outcome, done: usize, total: usize| {
            pb.set_length(total as u64);
            pb.set_position(done as u64);
            pb.set_message(o.rule.clone());
        });
        hook
    });

    let opts = Options {
        roots: args.roots.clone(),
        rules: args.rules.clone(),
        solver,
        timeout: Duration::from_secs_f64(args.timeout),
        jobs,
        cache_dir: args.cache.clone(),
        on_outcome,
        include_tags: args.tags.clone(),
        exclude_tags: args.exclude_tags.clone(),
        fallback,
        fallback_timeout: Duration::from_secs_f64(args.fallback_timeout),
        // `--check` re-proves each entry with the solver the lock names
        // first (then the other one, as its fallback).
        preferred: old_lock
            .iter()
            .flat_map(|l| l.entries.iter())
            .filter_map(|e| {
                let kind = wasmproof_verifier::entry_solver(e)?;
                Some((format!("{} {} {}", e.root, e.rule, e.instantiation), kind))
            })
            .collect(),
    };

    let result = wasmproof_verifier::verify_files(&args.files, &opts);
    if let Some(pb) = &progress {
        pb.finish_and_clear();
    }
    let report = result.map_err(|e| one_line_error(&e.to_string()))?;

    if report.outcomes.is_empty() {
        for d in &report.diagnostics {
            eprintln!("{d}");
        }
        return Err(nothing_selected(&args));
    }

    if let Some(path) = &args.json {
        write_json(path, &report)?;
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // A closed stdout (e.g. `| head`) is not worth a panic; the exit code
    // still tells the verdict.
    let _ = out.write_all(format::report(&report).as_bytes());
    let _ = out.flush();
    for d in &report.diagnostics {
        eprintln!("{d}");
    }

    let mut ok = report.all_proven();
    if let Some(path) = &args.write_lock {
        ok &= lock::write(path, &args.files, &opts, &report)?;
    }
    if let (Some(path), Some(old)) = (&args.check, &old_lock) {
        ok &= lock::check(path, old, &args.files, &opts, &report)?;
    }
    Ok(ExitCode::from(if ok {
        EXIT_PROVEN
    } else {
        EXIT_NOT_PROVEN
    }))
}

fn check_parent_dir(path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(format!(
            "{}: cannot write: directory {} does not exist",
            path.display(),
            dir.display()
        ));
    }
    Ok(())
}

fn nothing_selected(args: &Args) -> String {
    let mut what = Vec::new();
    if !args.roots.is_empty() {
        what.push(format!("--root {}", args.roots.join(", ")));
    }
    if !args.rules.is_empty() {
        what.push(format!("--rule {}", args.rules.join(", ")));
    }
    if what.is_empty() {
        "no rule to verify: the files have no rules under a root term with a spec".to_string()
    } else {
        format!("no rule to verify matches {}", what.join(" and "))
    }
}

fn parse_solver(s: &str) -> Result<SolverKind, String> {
    match s.to_ascii_lowercase().as_str() {
        "z3" => Ok(SolverKind::Z3),
        "cvc5" => Ok(SolverKind::Cvc5),
        _ => Err(format!("unknown solver '{s}' (expected z3 or cvc5)")),
    }
}

fn solver_program(kind: SolverKind) -> &'static str {
    match kind {
        SolverKind::Z3 => "z3",
        SolverKind::Cvc5 => "cvc5",
    }
}

/// Look the solver up on PATH, so that a missing one is reported before any
/// work, in one line, with the way to install it.
fn check_solver_installed(kind: SolverKind) -> Result<(), String> {
    let program = solver_program(kind);
    if find_on_path(program).is_some() {
        return Ok(());
    }
    Err(format!(
        "solver '{program}' is not installed (not found on PATH); install it with `apt-get install -y {program}`"
    ))
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

fn check_readable(p: &Path) -> Result<(), String> {
    match std::fs::metadata(p) {
        Ok(m) if m.is_dir() => Err(format!("{}: is a directory, not an ISLE file", p.display())),
        Ok(_) => std::fs::File::open(p)
            .map(|_| ())
            .map_err(|e| format!("{}: cannot read: {}", p.display(), io_reason(&e))),
        Err(e) => Err(format!("{}: cannot read: {}", p.display(), io_reason(&e))),
    }
}

/// The OS's reason without Rust's " (os error 2)" suffix.
fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn write_json(path: &Path, report: &Report) -> Result<(), String> {
    let text = serde_json::to_string_pretty(report)
        .map_err(|e| format!("cannot serialize the report: {e}"))?;
    std::fs::write(path, text + "\n")
        .map_err(|e| format!("{}: cannot write: {}", path.display(), io_reason(&e)))
}

fn make_progress_bar() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {wide_msg}",
    ) {
        pb.set_style(style);
    }
    pb.enable_steady_tick(Duration::from_millis(120));
    Some(pb)
}

/// clap's message in one line: its first line, completed by the next one when
/// it ends with a colon ("the following required arguments were not provided:").
fn clap_error_line(s: &str) -> String {
    let mut lines = s.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("invalid command line");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    match lines.next() {
        Some(next) if first.ends_with(':') => format!("{first} {next}"),
        _ => first.to_string(),
    }
}

/// Reduce an engine error to one line. cranelift-isle reports a diagnostic as
///
/// ```text
/// parse error: Unexpected token RParen
/// path/to/file.isle:12:7: (source line)
/// ```
///
/// which becomes `path/to/file.isle:12:7: parse error: Unexpected token RParen`.
pub fn one_line_error(msg: &str) -> String {
    let lines: Vec<&str> = msg.lines().filter(|l| !l.trim().is_empty()).collect();
    let Some(first) = lines.first() else {
        return "verification failed for an unknown reason".to_string();
    };
    let first = first.trim();
    if let Some(second) = lines.get(1)
        && let Some(loc) = location_prefix(second)
        && location_prefix(first).is_none()
    {
        // Keep any context the engine put before the ISLE diagnostic.
        let extra = if lines.len() > 2 && lines.iter().any(|l| l.starts_with("found ")) {
            format!(" (and {} more)", count_errors(&lines).saturating_sub(1))
        } else {
            String::new()
        };
        return format!("{loc}: {first}{extra}");
    }
    first.to_string()
}

fn count_errors(lines: &[&str]) -> usize {
    lines
        .iter()
        .find_map(|l| {
            l.strip_prefix("found ")
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(1)
}

/// `file:LINE:COL` at the start of `s`, if there is one.
fn location_prefix(s: &str) -> Option<&str> {
    let s = s.trim_start();
    // Find ":<digits>:<digits>" followed by ':' or the end.
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' {
            let rest = &s[i + 1..];
            let d1 = rest.bytes().take_while(u8::is_ascii_digit).count();
            if d1 > 0 && rest.as_bytes().get(d1) == Some(&b':') {
                let rest2 = &rest[d1 + 1..];
                let d2 = rest2.bytes().take_while(u8::is_ascii_digit).count();
                if d2 > 0 {
                    let end = i + 1 + d1 + 1 + d2;
                    if end == s.len() || bytes.get(end) == Some(&b':') {
                        return Some(&s[..end]);
                    }
                }
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isle_diagnostic_becomes_one_line() {
        let msg = "parse error: Unexpected token RParen\n/tmp/a.isle:12:7: (rule (lower x)))\n\n";
        assert_eq!(
            one_line_error(msg),
            "/tmp/a.isle:12:7: parse error: Unexpected token RParen"
        );
    }

    #[test]
    fn several_isle_diagnostics_are_counted() {
        let msg = "type error: Unknown term in pattern: 'foo'\n/tmp/a.isle:3:14: (rule (lower (foo x)) x)\n\ntype error: bar\n/tmp/a.isle:4:1: x\n\nfound 2 errors\n";
        assert_eq!(
            one_line_error(msg),
            "/tmp/a.isle:3:14: type error: Unknown term in pattern: 'foo' (and 1 more)"
        );
    }

    #[test]
    fn plain_errors_keep_their_first_line() {
        assert_eq!(one_line_error("solver crashed\nstack..."), "solver crashed");
        assert_eq!(
            one_line_error("a.isle:3:4: spec error: bad"),
            "a.isle:3:4: spec error: bad"
        );
    }

    #[test]
    fn location_prefix_needs_line_and_column() {
        assert_eq!(location_prefix("a.isle:3:4: x"), Some("a.isle:3:4"));
        assert_eq!(location_prefix("C:/x/a.isle:3:4"), Some("C:/x/a.isle:3:4"));
        assert_eq!(location_prefix("error: 3 things"), None);
        assert_eq!(location_prefix("a.isle:3: x"), None);
    }

    #[test]
    fn solver_names() {
        assert!(matches!(parse_solver("z3"), Ok(SolverKind::Z3)));
        assert!(matches!(parse_solver("CVC5"), Ok(SolverKind::Cvc5)));
        let e = parse_solver("yices").err().unwrap_or_default();
        assert!(e.contains("unknown solver 'yices'"), "{e}");
    }
}
