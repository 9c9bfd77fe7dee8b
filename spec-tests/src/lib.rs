//! wasmproof's runner for the official WebAssembly testsuite (`.wast`).
//!
//! [`run_file`] runs one script under one [`Strategy`] and returns a
//! [`FileReport`]: how many directives passed, failed and were skipped (by
//! proposal), and every failure with its line, what was expected and what
//! happened. [`run_files`] runs many files on worker threads and hands the
//! reports back in order. Nothing a script contains can panic the runner:
//! bad input is a failure naming file, line and reason, and a panic inside
//! a strategy is caught and reported as a failure of that directive.
//!
//! Every directive counts once: `module`, `register`, `invoke` and each
//! `assert_*`. *Skipped* means the strategy lacks a proposal the directive
//! needs (reported by name, e.g. "simd"); a skip never counts as passed.

mod api;
mod interpreter;
mod panic;
mod script;
pub mod strategy;
pub mod value;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub use strategy::Strategy;

use script::{Outcome, Script};

/// The environment variable naming the testsuite checkout.
pub const SUITE_ENV: &str = "WASM_TESTSUITE";

/// Where to get the testsuite.
pub const SUITE_URL: &str = "https://github.com/WebAssembly/testsuite";

/// The top-level files of the suite that need only Wasm 2.0 without SIMD:
/// under the interpreter they must pass with nothing failed and nothing skipped.
pub const IN_SCOPE: &str = include_str!("../in-scope.txt");

/// The in-scope file names, in order (comments and blank lines dropped).
pub fn in_scope_files() -> Vec<&'static str> {
    IN_SCOPE
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// How to run.
#[derive(Clone, Debug)]
pub struct Options {
    pub strategy: Strategy,
    /// Worker threads running files in parallel.
    pub jobs: usize,
    /// Stack size of each worker thread, in bytes (deep Wasm recursion in
    /// `assert_exhaustion` tests needs room).
    pub stack_size: usize,
    /// The testsuite root, to print paths inside it relative to it.
    pub suite_root: Option<PathBuf>,
    /// Instructions each instantiation or call may execute (a safety net:
    /// a runaway strategy fails that directive instead of hanging the run).
    /// `None`: unlimited.
    pub fuel: Option<u64>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            strategy: Strategy::Interpreter,
            jobs: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            stack_size: 256 << 20,
            suite_root: None,
            fuel: None,
        }
    }
}

/// One failed directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// 1-based line of the directive (0: the file as a whole).
    pub line: usize,
    /// The directive's keyword, e.g. "assert_return".
    pub directive: String,
    pub expected: String,
    pub actual: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: {}: expected {}, got {}",
            self.line, self.directive, self.expected, self.actual
        )
    }
}

/// The result of running one file.
#[derive(Clone, Debug, Default)]
pub struct FileReport {
    pub path: PathBuf,
    /// The path as printed (relative to the suite root when inside it).
    pub name: String,
    pub passed: u64,
    pub failed: u64,
    /// Skipped directives per proposal.
    pub skipped: BTreeMap<String, u64>,
    /// Every failure, in file order.
    pub failures: Vec<Failure>,
    pub elapsed: Duration,
}

impl FileReport {
    fn new(path: &Path, name: String) -> FileReport {
        FileReport {
            path: path.to_path_buf(),
            name,
            ..FileReport::default()
        }
    }

    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    fn record(&mut self, line: usize, directive: &str, outcome: Outcome) {
        match outcome {
            Outcome::Pass => self.passed += 1,
            Outcome::Skip(p) => *self.skipped.entry(p.to_string()).or_default() += 1,
            Outcome::Fail { expected, actual } => self.fail(line, directive, expected, actual),
        }
    }

    fn fail(&mut self, line: usize, directive: &str, expected: String, actual: String) {
        self.failed += 1;
        self.failures.push(Failure {
            line,
            directive: directive.to_string(),
            expected,
            actual,
        });
    }

    /// `FILE: N passed, M failed, K skipped (skipped: simd ×312, gc ×40)`.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}: {} passed, {} failed, {} skipped",
            self.name,
            self.passed,
            self.failed,
            self.skipped_total()
        );
        if !self.skipped.is_empty() {
            let mut by_count: Vec<(&String, &u64)> = self.skipped.iter().collect();
            by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let parts: Vec<String> = by_count.iter().map(|(p, n)| format!("{p} ×{n}")).collect();
            let _ = write!(s, " (skipped: {})", parts.join(", "));
        }
        s
    }
}

/// Totals over many files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub files: u64,
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
}

impl Totals {
    pub fn add(&mut self, r: &FileReport) {
        self.files += 1;
        self.passed += r.passed;
        self.failed += r.failed;
        self.skipped += r.skipped_total();
    }
}

impl std::fmt::Display for Totals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// Finds the testsuite: `$WASM_TESTSUITE`, else `../shared/wasm-testsuite`
/// relative to the workspace root (found from this crate's source location)
/// or to the current directory. The error lists where it looked and says
/// where to get the suite.
pub fn find_suite() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os(SUITE_ENV) {
        let dir = PathBuf::from(dir);
        return if dir.is_dir() {
            Ok(dir)
        } else {
            Err(format!(
                "{SUITE_ENV}={} is not a directory; get the testsuite from {SUITE_URL} \
                 and point {SUITE_ENV} at the checkout",
                dir.display()
            ))
        };
    }
    let mut candidates =
        vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/wasm-testsuite")];
    if let Ok(cwd) = std::env::current_dir() {
        for dir in cwd.ancestors() {
            candidates.push(dir.join("../shared/wasm-testsuite"));
        }
    }
    for c in &candidates {
        if c.is_dir() {
            return Ok(std::fs::canonicalize(c).unwrap_or_else(|_| c.clone()));
        }
    }
    let looked: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
    Err(format!(
        "the WebAssembly testsuite was not found (looked in: {}); get it from {SUITE_URL} \
         (e.g. `git clone {SUITE_URL} ../shared/wasm-testsuite` next to the workspace) \
         or set {SUITE_ENV} to its path",
        looked.join(", ")
    ))
}

/// The `.wast` files named by `paths`: files as they are, directories
/// expanded to their `.wast` files (sorted; only the top level unless
/// `recursive`). A path that does not exist stays in the list, so that
/// running it reports the error.
pub fn collect_files(paths: &[PathBuf], recursive: bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let before = out.len();
            collect_dir(p, recursive, &mut out);
            if out.len() == before {
                // An empty (or unreadable) directory: report it rather than run nothing.
                out.push(p.clone());
            }
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn collect_dir(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    let (dirs, files): (Vec<PathBuf>, Vec<PathBuf>) = entries.into_iter().partition(|p| p.is_dir());
    out.extend(
        files
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "wast")),
    );
    if recursive {
        for d in dirs {
            collect_dir(&d, true, out);
        }
    }
}

/// How a path is shown: relative to the suite root when inside it.
pub fn display_name(path: &Path, suite_root: Option<&Path>) -> String {
    if let Some(root) = suite_root {
        let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let Ok(rel) = abs.strip_prefix(root) {
            return rel.display().to_string();
        }
    }
    path.display().to_string()
}

/// 1-based line numbers from byte offsets.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// The byte offset where 1-based `line` starts.
    fn start(&self, line: usize) -> usize {
        self.starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0)
    }
}

/// Runs one `.wast` file. Never panics: a panic inside a directive is that
/// directive's failure; one outside every directive fails the file.
pub fn run_file(path: &Path, opts: &Options) -> FileReport {
    let start = Instant::now();
    let mut report = FileReport::new(path, display_name(path, opts.suite_root.as_deref()));
    if let Err(msg) = panic::catch(|| run_file_inner(path, opts, &mut report)) {
        report.fail(
            0,
            "file",
            "the file to run to completion".into(),
            format!("panic: {msg}"),
        );
    }
    report.elapsed = start.elapsed();
    report
}

fn run_file_inner(path: &Path, opts: &Options, report: &mut FileReport) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            report.fail(
                0,
                "file",
                "a readable .wast file".into(),
                format!("cannot read: {e}"),
            );
            return;
        }
    };
    run_text(&text, path, opts, report);
}

/// Runs a script given as text (`path` only names it in messages).
fn run_text(text: &str, path: &Path, opts: &Options, report: &mut FileReport) {
    let lines = Lines::new(text);
    let parse_error = |e: wast::Error| {
        let offset = e.span().offset();
        let line = lines.line(offset);
        let column = offset - lines.start(line) + 1;
        (
            line,
            format!("{} (at {}:{line}:{column})", e.message(), path.display()),
        )
    };
    // The suite's names.wast deliberately uses bidi controls and the like.
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buf = match wast::parser::ParseBuffer::new_with_lexer(lexer) {
        Ok(b) => b,
        Err(e) => {
            let (line, msg) = parse_error(e);
            report.fail(line, "file", "a parseable .wast file".into(), msg);
            return;
        }
    };
    let ast = match wast::parser::parse::<wast::Wast>(&buf) {
        Ok(w) => w,
        Err(e) => {
            let (line, msg) = parse_error(e);
            report.fail(line, "file", "a parseable .wast file".into(), msg);
            return;
        }
    };
    let config = strategy::SessionConfig { fuel: opts.fuel };
    let session = match opts.strategy.open(&config) {
        Ok(s) => s,
        Err(e) => {
            report.fail(
                0,
                "file",
                format!("the {} strategy to start", opts.strategy),
                e,
            );
            return;
        }
    };
    let mut script = Script::new(session);
    for d in ast.directives {
        let line = lines.line(d.span().offset());
        let name = script::directive_name(&d);
        script.prepare(&d, line);
        let outcome = panic::catch(|| script.run(d, line)).unwrap_or_else(|msg| Outcome::Fail {
            expected: "no panic".into(),
            actual: format!("panic: {msg}"),
        });
        report.record(line, name, outcome);
    }
}

/// Runs `files` on `opts.jobs` worker threads (each with `opts.stack_size`
/// of stack) and calls `each` with every report in the order of `files`, as
/// soon as it and all before it are done.
pub fn run_files(
    files: &[PathBuf],
    opts: &Options,
    mut each: impl FnMut(&FileReport),
) -> Vec<FileReport> {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, FileReport)>();
    let mut reports: Vec<Option<FileReport>> = vec![None; files.len()];
    let mut emitted = 0;
    std::thread::scope(|scope| {
        let jobs = opts.jobs.clamp(1, files.len().max(1));
        let mut spawned = 0;
        for _ in 0..jobs {
            let tx = tx.clone();
            let next = &next;
            let worker = std::thread::Builder::new()
                .name("wast-worker".into())
                .stack_size(opts.stack_size)
                .spawn_scoped(scope, move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(path) = files.get(i) else { break };
                        if tx.send((i, run_file(path, opts))).is_err() {
                            break;
                        }
                    }
                });
            if worker.is_ok() {
                spawned += 1;
            }
        }
        drop(tx);
        if spawned == 0 {
            // No thread could be started: run here, on this thread's stack.
            for (i, path) in files.iter().enumerate() {
                reports[i] = Some(run_file(path, opts));
            }
        } else {
            for (i, r) in rx {
                reports[i] = Some(r);
                while let Some(Some(r)) = reports.get(emitted) {
                    each(r);
                    emitted += 1;
                }
            }
        }
    });
    let mut out = Vec::with_capacity(files.len());
    for (i, r) in reports.into_iter().enumerate() {
        let r = r.unwrap_or_else(|| {
            // A worker died outside every catch (e.g. it could not be started).
            let path = &files[i];
            let mut r = FileReport::new(path, display_name(path, opts.suite_root.as_deref()));
            r.fail(
                0,
                "file",
                "the file to run".into(),
                "its worker thread died".into(),
            );
            r
        });
        if i >= emitted {
            each(&r);
        }
        out.push(r);
    }
    out
}

/// Summed skips per proposal over many reports.
pub fn skipped_by_proposal(reports: &[FileReport]) -> BTreeMap<String, u64> {
    let mut m: HashMap<&str, u64> = HashMap::new();
    for r in reports {
        for (p, n) in &r.skipped {
            *m.entry(p.as_str()).or_default() += n;
        }
    }
    m.into_iter().map(|(p, n)| (p.to_string(), n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers() {
        let l = Lines::new("a\nbc\n\nd");
        assert_eq!(l.line(0), 1);
        assert_eq!(l.line(1), 1);
        assert_eq!(l.line(2), 2);
        assert_eq!(l.line(5), 3);
        assert_eq!(l.line(6), 4);
    }

    #[test]
    fn summary_lists_skips_by_count() {
        let mut r = FileReport::new(Path::new("x.wast"), "x.wast".into());
        r.passed = 3;
        r.skipped.insert("gc".into(), 40);
        r.skipped.insert("simd".into(), 312);
        assert_eq!(
            r.summary(),
            "x.wast: 3 passed, 0 failed, 352 skipped (skipped: simd ×312, gc ×40)"
        );
    }

    #[test]
    fn missing_file_is_a_failure() {
        let r = run_file(Path::new("/definitely/not/here.wast"), &Options::default());
        assert_eq!((r.passed, r.failed), (0, 1));
        assert!(
            r.failures[0].actual.contains("cannot read"),
            "{:?}",
            r.failures
        );
    }
}
