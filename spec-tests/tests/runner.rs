//! Tests of the runner itself, on small scripts in `tests/fixtures/`.

use std::path::{Path, PathBuf};

use wasmproof_spec_tests::{FileReport, Options, Strategy, run_file, run_files};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn run(name: &str) -> FileReport {
    run_file(
        &fixture(name),
        &Options {
            strategy: Strategy::Interpreter,
            ..Options::default()
        },
    )
}

fn failure_lines(r: &FileReport) -> Vec<usize> {
    r.failures.iter().map(|f| f.line).collect()
}

#[test]
fn passing_script_passes_every_directive() {
    let r = run("pass.wast");
    assert!(r.failures.is_empty(), "{:#?}", r.failures);
    assert_eq!(
        (r.passed, r.failed, r.skipped_total()),
        (34, 0, 0),
        "{}",
        r.summary()
    );
}

#[test]
fn wrong_expected_value_is_reported_with_line_and_values() {
    let r = run("wrong_value.wast");
    assert_eq!(
        (r.passed, r.failed, r.skipped_total()),
        (3, 2, 0),
        "{}",
        r.summary()
    );
    assert_eq!(failure_lines(&r), [4, 5]);
    let f = &r.failures[0];
    assert_eq!(f.directive, "assert_return");
    assert_eq!(f.expected, "(i32.const 2)");
    assert_eq!(f.actual, "(i32.const 1)");
    let f = &r.failures[1];
    assert_eq!(f.directive, "assert_trap");
    assert_eq!(f.expected, "trap \"unreachable\"");
    assert_eq!(f.actual, "returned (i32.const 1)");
    assert_eq!(
        f.to_string(),
        "line 5: assert_trap: expected trap \"unreachable\", got returned (i32.const 1)"
    );
}

#[test]
fn unparseable_file_is_one_failure_naming_file_and_line() {
    let r = run("unparseable.wast");
    assert_eq!(
        (r.passed, r.failed, r.skipped_total()),
        (0, 1, 0),
        "{}",
        r.summary()
    );
    let f = &r.failures[0];
    assert_eq!(f.line, 4);
    assert!(f.actual.contains("unparseable.wast:4:"), "{}", f.actual);
}

#[test]
fn missing_file_is_a_failure_not_a_crash() {
    let r = run("no-such-file.wast");
    assert_eq!((r.passed, r.failed), (0, 1));
    assert!(
        r.failures[0].actual.contains("cannot read"),
        "{}",
        r.failures[0].actual
    );
}

#[test]
fn simd_directives_are_skipped_not_passed() {
    let r = run("simd.wast");
    assert!(r.failures.is_empty(), "{:#?}", r.failures);
    assert_eq!(
        (r.passed, r.failed, r.skipped_total()),
        (2, 0, 3),
        "{}",
        r.summary()
    );
    assert_eq!(r.skipped.get("simd"), Some(&3));
    assert!(
        r.summary().ends_with("(skipped: simd ×3)"),
        "{}",
        r.summary()
    );
}

#[test]
fn nan_patterns_match_canonical_and_arithmetic_nans() {
    let r = run("nan.wast");
    assert_eq!(
        (r.passed, r.failed, r.skipped_total()),
        (10, 6, 0),
        "{:#?}",
        r.failures
    );
    assert_eq!(failure_lines(&r), [18, 19, 20, 21, 22, 23]);
}

#[test]
fn run_files_reports_in_order_and_survives_bad_input() {
    let files = [
        "pass.wast",
        "no-such-file.wast",
        "unparseable.wast",
        "wrong_value.wast",
        "simd.wast",
    ]
    .map(fixture)
    .to_vec();
    let opts = Options {
        jobs: 2,
        ..Options::default()
    };
    let mut seen = Vec::new();
    let reports = run_files(&files, &opts, |r| seen.push(r.path.clone()));
    assert_eq!(seen, files);
    let failed: Vec<u64> = reports.iter().map(|r| r.failed).collect();
    assert_eq!(failed, [0, 1, 1, 2, 0]);
}

#[test]
fn fuel_stops_a_runaway_directive_and_the_file_goes_on() {
    let opts = Options {
        fuel: Some(100_000),
        ..Options::default()
    };
    let r = run_file(&fixture("runaway.wast"), &opts);
    assert_eq!(
        (r.passed, r.failed, r.skipped_total()),
        (3, 1, 0),
        "{:#?}",
        r.failures
    );
    assert_eq!(r.failures[0].line, 2);
    assert!(
        r.failures[0].actual.contains("fuel"),
        "{}",
        r.failures[0].actual
    );
}

#[test]
fn every_kind_of_wrong_outcome_is_a_failure() {
    let r = run("wrong_kinds.wast");
    assert_eq!(r.passed, 1, "{:#?}", r.failures);
    assert_eq!(r.skipped_total(), 0);
    assert_eq!(
        failure_lines(&r),
        [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
        "{:#?}",
        r.failures
    );
    let actual: Vec<&str> = r.failures.iter().map(|f| f.actual.as_str()).collect();
    assert_eq!(actual[0], "trap \"integer divide by zero\"");
    assert_eq!(actual[1], "module loaded");
    assert!(actual[7].starts_with("module rejected:"), "{}", actual[7]);
    // Directives on a module that failed to load point at its line.
    for a in &actual[8..] {
        assert!(a.contains("(line 11)"), "{a}");
    }
}
