//! The in-scope part of the official WebAssembly testsuite (the files listed
//! in `in-scope.txt`: Wasm 2.0 without SIMD) must pass under the interpreter
//! with nothing failed and nothing skipped.
//!
//! The suite is found at `$WASM_TESTSUITE`, else `../shared/wasm-testsuite`
//! next to the workspace. A missing suite fails this test: it never passes
//! vacuously.

use wasmproof_spec_tests::{
    FileReport, Options, Strategy, Totals, find_suite, in_scope_files, run_files,
};

#[test]
fn in_scope_files_pass_with_nothing_failed_or_skipped() {
    let root = match find_suite() {
        Ok(root) => root,
        Err(e) => panic!("cannot run the spec tests: {e}"),
    };
    let names = in_scope_files();
    assert!(
        names.len() >= 70,
        "in-scope.txt lists only {} files",
        names.len()
    );
    let files: Vec<_> = names.iter().map(|n| root.join(n)).collect();
    let opts = Options {
        strategy: Strategy::Interpreter,
        suite_root: Some(root.clone()),
        // A runaway interpreter fails the directive instead of hanging the test.
        fuel: Some(1_000_000_000),
        ..Options::default()
    };
    let reports = run_files(&files, &opts, |_| {});

    let mut totals = Totals::default();
    let mut problems = Vec::new();
    for r in &reports {
        totals.add(r);
        if r.failed > 0 || r.skipped_total() > 0 || r.passed == 0 {
            problems.push(describe(r));
        }
    }
    eprintln!("in-scope spec tests ({} files): {totals}", totals.files);
    assert!(
        problems.is_empty(),
        "{} of {} in-scope files did not fully pass ({totals}):\n{}",
        problems.len(),
        reports.len(),
        problems.join("\n")
    );
}

fn describe(r: &FileReport) -> String {
    let mut s = r.summary();
    if r.passed == 0 && r.failed == 0 {
        s.push_str(" — nothing ran");
    }
    for f in r.failures.iter().take(10) {
        s.push_str(&format!("\n    {}:{f}", r.name));
    }
    if r.failures.len() > 10 {
        s.push_str(&format!("\n    … and {} more", r.failures.len() - 10));
    }
    s
}
