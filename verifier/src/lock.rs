//! The proof certificate `verified.lock`: which (root, rule, instantiation)
//! were proven, with the fingerprint of everything each proof depended on.
//!
//! The text format (also written as the file's header comment):
//!
//! ```text
//! # comment lines and blank lines are ignored
//! lower iadd_base "(bv 32) -> bv 32" sha256:<64 hex digits> proven z3-4.8.12
//! ```
//!
//! One line per entry, sorted by (root, rule, instantiation), six fields
//! separated by spaces; a field containing spaces is in double quotes. The
//! verdict is always `proven`: a lock lists nothing else.
//!
//! Two users: the CLI (`--write-lock` after a fully proven run, `--check`
//! which re-proves everything and compares) and codegen's build script,
//! which has no solver and compares fingerprints only
//! ([`check_lock`] with no report).

use crate::fingerprint::{ENCODING_VERSION, FORMAT_VERSION, FingerprintEntry};
use crate::verdict::{Report, Verdict};
use crate::{Error, SolverKind};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The only verdict a lock line may carry.
pub const PROVEN: &str = "proven";

/// One line of the lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockEntry {
    pub root: String,
    pub rule: String,
    pub instantiation: String,
    /// `sha256:` followed by 64 lowercase hex digits.
    pub fingerprint: String,
    /// The solver that proved it, `name-version` (e.g. `z3-4.8.12`).
    pub solver: String,
}

impl LockEntry {
    fn key(&self) -> (String, String, String) {
        (
            self.root.clone(),
            self.rule.clone(),
            self.instantiation.clone(),
        )
    }
}

/// A parsed lock: entries sorted by (root, rule, instantiation), each key once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lock {
    pub entries: Vec<LockEntry>,
}

/// A malformed lock line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockParseError {
    /// 1-based line number.
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for LockParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl Lock {
    /// Parse the text of a lock file.
    pub fn parse(text: &str) -> Result<Lock, LockParseError> {
        let mut by_key: BTreeMap<(String, String, String), (usize, LockEntry)> = BTreeMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let err = |reason: String| LockParseError { line, reason };
            let fields = split_fields(l).map_err(err)?;
            let [root, rule, instantiation, fingerprint, verdict, solver] = &fields[..] else {
                return Err(err(format!(
                    "expected 6 fields (ROOT RULE \"INSTANTIATION\" sha256:HEX proven SOLVER-VERSION), found {}",
                    fields.len()
                )));
            };
            if !is_fingerprint(fingerprint) {
                return Err(err(format!(
                    "fingerprint `{fingerprint}` is not `sha256:` followed by 64 lowercase hex digits"
                )));
            }
            if verdict != PROVEN {
                return Err(err(format!(
                    "verdict `{verdict}`: a lock lists only `{PROVEN}` entries"
                )));
            }
            if !solver.contains('-') || solver.starts_with('-') || solver.ends_with('-') {
                return Err(err(format!(
                    "solver `{solver}` is not NAME-VERSION (e.g. z3-4.8.12)"
                )));
            }
            let entry = LockEntry {
                root: root.clone(),
                rule: rule.clone(),
                instantiation: instantiation.clone(),
                fingerprint: fingerprint.clone(),
                solver: solver.clone(),
            };
            if let Some((first, _)) = by_key.get(&entry.key()) {
                return Err(err(format!(
                    "duplicate entry for {root} {rule} {instantiation} (first at line {first})"
                )));
            }
            by_key.insert(entry.key(), (line, entry));
        }
        Ok(Lock {
            entries: by_key.into_values().map(|(_, e)| e).collect(),
        })
    }

    /// Read and parse a lock file; errors name the file and line.
    pub fn read(path: &Path) -> Result<Lock, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Lock::parse(&text)
            .map_err(|e| Error::Lock(format!("{}:{}: {}", path.display(), e.line, e.reason)))
    }

    /// The file's text: the header, then one sorted line per entry.
    pub fn render(&self) -> String {
        let mut s = header();
        let mut entries: Vec<&LockEntry> = self.entries.iter().collect();
        entries.sort_by_key(|e| e.key());
        for e in entries {
            let fields = [
                &e.root,
                &e.rule,
                &e.instantiation,
                &e.fingerprint,
                PROVEN,
                &e.solver,
            ];
            let quoted: Vec<String> = fields.iter().map(|f| quote(f)).collect();
            s.push_str(&quoted.join(" "));
            s.push('\n');
        }
        s
    }

    pub fn get(&self, root: &str, rule: &str, instantiation: &str) -> Option<&LockEntry> {
        self.entries
            .iter()
            .find(|e| e.root == root && e.rule == rule && e.instantiation == instantiation)
    }
}

fn header() -> String {
    format!(
        "\
# verified.lock: wasmproof's proof certificate (format {FORMAT_VERSION}, encoding {ENCODING_VERSION}).
# Written by `wasmproof-verify --write-lock FILE ISLE...` after a run in which
# everything was proven; CI re-proves it with `wasmproof-verify --check FILE
# ISLE...`; codegen's build refuses rules it does not list. Do not edit by
# hand: a line is a claim that a solver proved it, and --check re-proves it.
#
# One line per proven (root, rule, instantiation), sorted:
#   ROOT RULE \"INSTANTIATION\" sha256:FINGERPRINT proven SOLVER-VERSION
# FINGERPRINT hashes the canonical text (tokens, no comments or layout) of
# the rule, the chained and priority rules it depends on, and every decl,
# spec, model, form, instantiate, state, macro, extern, converter, attr and
# type reachable from them, with the format and encoding versions. A field
# with spaces is in double quotes; `#` lines and blank lines are ignored.
"
    )
}

fn quote(field: &str) -> String {
    if field.is_empty() || field.contains(char::is_whitespace) || field.starts_with('#') {
        format!("\"{field}\"")
    } else {
        field.to_string()
    }
}

/// Split a line into fields: runs of non-space characters, or `"..."`.
fn split_fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('"') {
            let Some(end) = after.find('"') else {
                return Err("unterminated `\"`".to_string());
            };
            out.push(after[..end].to_string());
            rest = &after[end + 1..];
            if rest.starts_with(|c: char| !c.is_whitespace()) {
                return Err("a quoted field must be followed by a space".to_string());
            }
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let field = &rest[..end];
            if field.contains('"') {
                return Err(format!("stray `\"` in `{field}`"));
            }
            out.push(field.to_string());
            rest = &rest[end..];
        }
        rest = rest.trim_start();
    }
    Ok(out)
}

fn is_fingerprint(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// `z3-4.8.12` from the solver and its `--version` line.
pub fn solver_tag(kind: SolverKind, version_line: &str) -> String {
    let version = version_line
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()) && w.contains('.'))
        .unwrap_or("unknown");
    format!("{kind}-{version}")
}

/// What a run established about one (root, rule, instantiation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryStatus {
    /// Every query at this instantiation was proven, or the rule cannot
    /// apply at this type at all (the report has a note saying so).
    Proven,
    /// Some query was not proven (the verdicts, e.g. `counterexample`).
    NotProven(String),
    /// Not checked: a tagged instantiation the run did not select.
    Skipped { reason: String, excluded: bool },
    /// The run did not cover this rule at all.
    NotRun,
}

/// The status of one entry in a report. Rule-level outcomes (instantiation
/// `any`, or `-` for a rule that could not be expanded) apply to every
/// instantiation of the rule.
pub fn entry_status(report: &Report, root: &str, rule: &str, instantiation: &str) -> EntryStatus {
    let of_rule: Vec<&Verdict> = report
        .outcomes
        .iter()
        .filter(|o| o.root == root && o.rule == rule)
        .filter(|o| {
            o.instantiation == instantiation || matches!(o.instantiation.as_str(), "any" | "-")
        })
        .map(|o| &o.verdict)
        .collect();
    let failed: Vec<&str> = of_rule
        .iter()
        .filter(|v| !v.is_proven() && !matches!(v, Verdict::Skipped { .. }))
        .map(|v| v.kind())
        .collect();
    if !failed.is_empty() {
        let mut kinds: Vec<&str> = failed;
        kinds.sort();
        kinds.dedup();
        return EntryStatus::NotProven(kinds.join(", "));
    }
    if let Some(Verdict::Skipped { reason, excluded }) = of_rule
        .iter()
        .find(|v| matches!(v, Verdict::Skipped { .. }))
    {
        return EntryStatus::Skipped {
            reason: reason.clone(),
            excluded: *excluded,
        };
    }
    if !of_rule.is_empty() {
        return EntryStatus::Proven;
    }
    // No outcome here: proven-by-type if the rule ran at all (the
    // instantiation was dropped because the rule cannot apply there).
    if report
        .outcomes
        .iter()
        .any(|o| o.root == root && o.rule == rule)
    {
        EntryStatus::Proven
    } else {
        EntryStatus::NotRun
    }
}

/// The solver that proved an entry: with several outcomes (chained
/// expansions), the one that answered the slowest query, since that is the
/// one a re-proof needs.
pub fn proving_solver(
    report: &Report,
    root: &str,
    rule: &str,
    instantiation: &str,
) -> Option<SolverKind> {
    report
        .outcomes
        .iter()
        .filter(|o| o.root == root && o.rule == rule && o.instantiation == instantiation)
        .filter(|o| o.verdict.is_proven())
        .max_by_key(|o| o.time)
        .and_then(|o| o.solver)
}

/// The solver a lock entry names (`z3-4.8.12` -> z3), if it is one we run.
pub fn entry_solver(entry: &LockEntry) -> Option<SolverKind> {
    match entry.solver.split('-').next()? {
        "z3" => Some(SolverKind::Z3),
        "cvc5" => Some(SolverKind::Cvc5),
        _ => None,
    }
}

/// The lock for a finished run: one entry per fingerprint, or, when
/// anything is not proven, the list of what is not (nothing is written).
/// Instantiations whose tag the user excluded are left out of the lock.
pub fn lock_from_report(
    report: &Report,
    fingerprints: &[FingerprintEntry],
    solver: SolverKind,
) -> Result<Lock, Vec<String>> {
    let tag_of = |kind: SolverKind| {
        let version = report.version_of(kind).unwrap_or(&report.solver_version);
        solver_tag(kind, version)
    };
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for fp in fingerprints {
        let what = format!("{} {} {}", fp.root, fp.rule, fp.instantiation);
        if [&fp.root, &fp.rule, &fp.instantiation]
            .iter()
            .any(|f| f.contains(['"', '\n']))
        {
            problems.push(format!(
                "{what}: cannot be written to a lock (contains `\"` or a newline)"
            ));
            continue;
        }
        if !fp.named {
            problems.push(format!(
                "{what}: the rule has no name; a lock identifies rules by name: `(rule NAME ...)`"
            ));
            continue;
        }
        match entry_status(report, &fp.root, &fp.rule, &fp.instantiation) {
            EntryStatus::Proven => entries.push(LockEntry {
                root: fp.root.clone(),
                rule: fp.rule.clone(),
                instantiation: fp.instantiation.clone(),
                fingerprint: fp.fingerprint.clone(),
                solver: tag_of(
                    proving_solver(report, &fp.root, &fp.rule, &fp.instantiation).unwrap_or(solver),
                ),
            }),
            EntryStatus::Skipped { excluded: true, .. } => {}
            EntryStatus::Skipped { reason, .. } => {
                problems.push(format!("{what}: skipped: {reason}"))
            }
            EntryStatus::NotProven(v) => problems.push(format!("{what}: {v}")),
            EntryStatus::NotRun => problems.push(format!("{what}: not verified in this run")),
        }
    }
    if problems.is_empty() {
        Ok(Lock { entries })
    } else {
        Err(problems)
    }
}

/// How the lock and the program (and the run) disagree about one entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockDiff {
    pub root: String,
    pub rule: String,
    pub instantiation: String,
    pub kind: LockDiffKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockDiffKind {
    /// The program has it; the lock does not.
    NotInLock,
    /// The lock has it; the program does not (a removed or renamed rule).
    NoSuchRule,
    /// The rule or something it depends on changed since the lock was written.
    FingerprintMismatch { lock: String, now: String },
    /// Re-proving it failed (the verdicts).
    NotProven(String),
    /// The lock lists it but this run skipped it, so nothing re-proved it.
    Skipped(String),
    /// The lock lists it but this run did not verify it.
    NotRun,
}

impl std::fmt::Display for LockDiff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}: ", self.root, self.rule, self.instantiation)?;
        match &self.kind {
            LockDiffKind::NotInLock => write!(f, "not in the lock (prove it, then --write-lock)"),
            LockDiffKind::NoSuchRule => {
                write!(f, "in the lock, but there is no such rule or instantiation")
            }
            LockDiffKind::FingerprintMismatch { lock, now } => write!(
                f,
                "fingerprint mismatch: the rule or something it depends on changed (lock {lock}, now {now})"
            ),
            LockDiffKind::NotProven(v) => write!(f, "no longer proven ({v})"),
            LockDiffKind::Skipped(why) => write!(f, "in the lock, but this run skipped it: {why}"),
            LockDiffKind::NotRun => write!(f, "in the lock, but this run did not verify it"),
        }
    }
}

/// Compare a lock with the program's fingerprints and, when given, with a
/// run's report (which should re-prove everything). Without a report only
/// membership and fingerprints are compared: the build gate's check.
/// Entries whose tag the run excluded may be absent from the lock.
pub fn check_lock(
    lock: &Lock,
    report: Option<&Report>,
    fingerprints: &[FingerprintEntry],
) -> Vec<LockDiff> {
    let mut diffs = Vec::new();
    let in_lock: HashMap<(&str, &str, &str), &LockEntry> = lock
        .entries
        .iter()
        .map(|e| {
            (
                (e.root.as_str(), e.rule.as_str(), e.instantiation.as_str()),
                e,
            )
        })
        .collect();
    let diff = |fp: &FingerprintEntry, kind| LockDiff {
        root: fp.root.clone(),
        rule: fp.rule.clone(),
        instantiation: fp.instantiation.clone(),
        kind,
    };
    for fp in fingerprints {
        let status = report.map(|r| entry_status(r, &fp.root, &fp.rule, &fp.instantiation));
        let Some(entry) = in_lock.get(&(
            fp.root.as_str(),
            fp.rule.as_str(),
            fp.instantiation.as_str(),
        )) else {
            if !matches!(status, Some(EntryStatus::Skipped { excluded: true, .. })) {
                diffs.push(diff(fp, LockDiffKind::NotInLock));
            }
            continue;
        };
        if entry.fingerprint != fp.fingerprint {
            diffs.push(diff(
                fp,
                LockDiffKind::FingerprintMismatch {
                    lock: entry.fingerprint.clone(),
                    now: fp.fingerprint.clone(),
                },
            ));
        }
        match status {
            None | Some(EntryStatus::Proven) => {}
            Some(EntryStatus::NotProven(v)) => diffs.push(diff(fp, LockDiffKind::NotProven(v))),
            Some(EntryStatus::Skipped { reason, .. }) => {
                diffs.push(diff(fp, LockDiffKind::Skipped(reason)))
            }
            Some(EntryStatus::NotRun) => diffs.push(diff(fp, LockDiffKind::NotRun)),
        }
    }
    let known: std::collections::HashSet<(&str, &str, &str)> = fingerprints
        .iter()
        .map(|f| (f.root.as_str(), f.rule.as_str(), f.instantiation.as_str()))
        .collect();
    for e in &lock.entries {
        if !known.contains(&(e.root.as_str(), e.rule.as_str(), e.instantiation.as_str())) {
            diffs.push(LockDiff {
                root: e.root.clone(),
                rule: e.rule.clone(),
                instantiation: e.instantiation.clone(),
                kind: LockDiffKind::NoSuchRule,
            });
        }
    }
    diffs
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn render_then_parse_round_trips() {
        let lock = Lock {
            entries: vec![LockEntry {
                root: "lower".into(),
                rule: "iadd_base".into(),
                instantiation: "(bv 8) -> bv 8".into(),
                fingerprint: FP.into(),
                solver: "z3-4.8.12".into(),
            }],
        };
        let text = lock.render();
        assert!(
            text.contains(&format!(
                "lower iadd_base \"(bv 8) -> bv 8\" {FP} proven z3-4.8.12\n"
            )),
            "{text}"
        );
        assert_eq!(Lock::parse(&text), Ok(lock));
    }

    #[test]
    fn malformed_lines_name_line_and_reason() {
        let bad = |text: &str| {
            Lock::parse(text).err().unwrap_or(LockParseError {
                line: 0,
                reason: "accepted".into(),
            })
        };
        let e = bad(&format!("# c\n\nlower r \"(bv 8) -> bv 8\" {FP} proven\n"));
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("expected 6 fields"), "{e}");
        let e = bad(&format!("lower r x {} proven z3-4", &FP[..70]));
        assert!(e.reason.contains("64 lowercase hex"), "{e}");
        let e = bad(&format!("lower r x {FP} counterexample z3-4"));
        assert!(e.reason.contains("only `proven`"), "{e}");
        let e = bad(&format!("lower r \"x {FP} proven z3-4"));
        assert!(e.reason.contains("unterminated"), "{e}");
        let e = bad(&format!(
            "lower r x {FP} proven z3-4\nlower r x {FP} proven z3-4"
        ));
        assert_eq!(e.line, 2);
        assert!(
            e.reason.contains("duplicate") && e.reason.contains("line 1"),
            "{e}"
        );
    }

    #[test]
    fn solver_tags() {
        assert_eq!(
            solver_tag(SolverKind::Z3, "Z3 version 4.8.12 - 64 bit"),
            "z3-4.8.12"
        );
        assert_eq!(
            solver_tag(SolverKind::Cvc5, "This is cvc5 version 1.0.3"),
            "cvc5-1.0.3"
        );
        assert_eq!(solver_tag(SolverKind::Z3, ""), "z3-unknown");
    }
}
