//! `--write-lock` and `--check`: the proof certificate on the command line.
//! The logic lives in the library ([`wasmproof_verifier::lock`]); this only
//! checks the flags, prints, and maps failures to exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use wasmproof_verifier::lock::{Lock, lock_from_report};
use wasmproof_verifier::{Options, Report, check_lock, fingerprints};

/// Flag combinations that cannot make sense, refused before any work.
pub fn check_lock_args(
    rules: &[String],
    include: &[String],
    exclude: &[String],
    with_lock: bool,
) -> Result<(), String> {
    if with_lock && !rules.is_empty() {
        // A lock covers every rule; a partial lock (or check) would either
        // drop entries or report every unselected rule as a difference.
        return Err(
            "--rule cannot be combined with --write-lock or --check: a lock covers every rule"
                .to_string(),
        );
    }
    if let Some(t) = include.iter().find(|t| exclude.contains(t)) {
        return Err(format!(
            "tag `{t}` is both selected (--tag) and excluded (--exclude-tag)"
        ));
    }
    Ok(())
}

pub fn read(path: &Path) -> Result<Lock, String> {
    Lock::read(path).map_err(|e| e.to_string())
}

fn fingerprints_of(
    files: &[PathBuf],
    opts: &Options,
) -> Result<Vec<wasmproof_verifier::FingerprintEntry>, String> {
    fingerprints(files, opts).map_err(|e| super::one_line_error(&e.to_string()))
}

/// Write the lock if everything is proven; `Ok(false)` (with the reasons on
/// stderr) when it refuses.
pub fn write(
    path: &Path,
    files: &[PathBuf],
    opts: &Options,
    report: &Report,
) -> Result<bool, String> {
    let fps = fingerprints_of(files, opts)?;
    let problems = match lock_from_report(report, &fps, opts.solver) {
        Ok(lock) if report.all_proven() => {
            std::fs::write(path, lock.render()).map_err(|e| {
                format!("{}: cannot write: {}", path.display(), super::io_reason(&e))
            })?;
            println!(
                "wrote {}: {} proven entries",
                path.display(),
                lock.entries.len()
            );
            return Ok(true);
        }
        Ok(_) => vec!["the run did not prove everything it selected".to_string()],
        Err(p) => p,
    };
    eprintln!(
        "error: not writing {}: {} not proven:",
        path.display(),
        plural(problems.len(), "entry is", "entries are")
    );
    for p in &problems {
        eprintln!("  {p}");
    }
    Ok(false)
}

/// Compare the re-proof with the lock; `Ok(false)` on any difference.
pub fn check(
    path: &Path,
    lock: &Lock,
    files: &[PathBuf],
    opts: &Options,
    report: &Report,
) -> Result<bool, String> {
    let fps = fingerprints_of(files, opts)?;
    let diffs = check_lock(lock, Some(report), &fps);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for d in &diffs {
        let _ = writeln!(out, "lock difference: {d}");
    }
    let _ = if diffs.is_empty() {
        writeln!(
            out,
            "lock {}: matches, {} re-proven",
            path.display(),
            plural(lock.entries.len(), "entry", "entries")
        )
    } else {
        writeln!(
            out,
            "lock {}: {}",
            path.display(),
            plural(diffs.len(), "difference", "differences")
        )
    };
    let _ = out.flush();
    Ok(diffs.is_empty())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
