//! The `jit` strategy of the runner (a session through the public
//! `wasmproof` API): invalid modules are rejected before any code is
//! compiled; directives needing a proposal the JIT lacks are skipped with
//! that proposal, never passed; and the in-scope testsuite runs honestly.

use std::path::{Path, PathBuf};

use wasmproof_spec_tests::{
    FileReport, Options, Strategy, Totals, find_suite, in_scope_files, run_file, run_files,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn run_jit(name: &str) -> FileReport {
    run_file(
        &fixture(name),
        &Options {
            strategy: Strategy::Jit,
            ..Options::default()
        },
    )
}

#[test]
fn strategy_names_include_jit() {
    assert_eq!(Strategy::ALL, &[Strategy::Interpreter, Strategy::Jit]);
    assert_eq!(Strategy::Jit.to_string(), "jit");
}

#[test]
fn invalid_and_malformed_modules_are_rejected_under_jit() {
    let r = run_jit("rejected.wast");
    assert!(r.failures.is_empty(), "{:#?}", r.failures);
    assert_eq!(
        (r.passed, r.failed, r.skipped_total()),
        (4, 0, 0),
        "{}",
        r.summary()
    );
}

#[test]
fn bulk_memory_and_reference_types_are_skipped_with_their_proposal() {
    let r = run_jit("jit_proposals.wast");
    assert!(r.failures.is_empty(), "{:#?}", r.failures);
    assert_eq!((r.passed, r.failed), (2, 0), "{}", r.summary());
    assert_eq!(r.skipped.get("bulk_memory"), Some(&2), "{}", r.summary());
    assert_eq!(
        r.skipped.get("reference_types"),
        Some(&4),
        "{}",
        r.summary()
    );
}

#[test]
fn in_scope_files_fail_nothing_under_jit() {
    let root = find_suite().unwrap_or_else(|e| panic!("cannot run the spec tests: {e}"));
    let files: Vec<_> = in_scope_files().iter().map(|n| root.join(n)).collect();
    let opts = Options {
        strategy: Strategy::Jit,
        suite_root: Some(root.clone()),
        fuel: Some(1_000_000_000),
        ..Options::default()
    };
    let reports = run_files(&files, &opts, |_| {});
    let mut totals = Totals::default();
    let mut failed = Vec::new();
    for r in &reports {
        totals.add(r);
        if r.failed > 0 {
            failed.push(r.summary());
        }
        // Only the proposals the JIT does not implement may be skipped.
        for p in r.skipped.keys() {
            assert!(
                ["bulk_memory", "reference_types"].contains(&p.as_str()),
                "{}: skipped for {p}",
                r.name
            );
        }
    }
    eprintln!("in-scope spec tests under jit: {totals}");
    assert!(totals.passed > 10_000, "{totals}");
    assert!(failed.is_empty(), "{totals}\n{}", failed.join("\n"));
}
