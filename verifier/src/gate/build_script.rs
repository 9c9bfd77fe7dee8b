//! The gate as a build script step: cargo directives from a [`GateReport`].

use super::{GateReport, check, isle_sources};
use crate::Error;
use std::path::Path;

/// Set by cargo when the build script's package enables its research
/// feature `unverified-rules`.
pub const FEATURE_ENV: &str = "CARGO_FEATURE_UNVERIFIED_RULES";

/// The `cfg` set on the package when it is built with rules the lock does
/// not hold as proven (only possible with the feature).
pub const UNVERIFIED_CFG: &str = "wasmproof_unverified_rules";

const REMEDY: &str = "prove them and rewrite the lock: cargo run --release -p wasmproof-verifier --bin wasmproof-verify -- --tag slow --write-lock isle-rules/verified.lock isle-rules/*.isle isle-rules/x64/*.isle (isle-rules/README.md)";

/// Run the gate on the rules of `isa` in the rules directory `root` (the
/// files of [`isle_sources`]) and print the cargo directives. Returns whether the
/// build may go on; when it returns `false` it has printed `cargo::error`
/// lines and cargo fails the build once the script exits.
#[must_use]
pub fn build_script(root: &Path, isa: &str) -> bool {
    let allow = std::env::var_os(FEATURE_ENV).is_some();
    let result = isle_sources(root, isa).and_then(|sources| check(root, &sources));
    let (lines, proceed) = directives(&result, allow);
    for l in lines {
        println!("{l}");
    }
    proceed
}

/// The lines a build script prints for a gate result, and whether the build
/// may go on. `allow_unverified`: the research feature is enabled, so
/// unproven rules are warned about (and flagged by [`UNVERIFIED_CFG`])
/// instead of refused. A result the gate could not decide is always an
/// error.
pub fn directives(
    result: &Result<GateReport, Error>,
    allow_unverified: bool,
) -> (Vec<String>, bool) {
    let mut out = vec![format!("cargo::rustc-check-cfg=cfg({UNVERIFIED_CFG})")];
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            out.extend(
                format!("wasmproof proof gate: {e}")
                    .lines()
                    .map(|l| format!("cargo::error={l}")),
            );
            return (out, false);
        }
    };
    let ms = report.elapsed.as_secs_f64() * 1000.0;
    for st in &report.stale {
        out.push(format!(
            "cargo::warning=wasmproof proof gate: stale lock entry: {st}"
        ));
    }
    if report.all_proven() {
        out.push(format!(
            "wasmproof proof gate: all {} rules held as proven ({} fingerprints checked against verified.lock in {ms:.1} ms)",
            report.rules, report.fingerprints
        ));
        return (out, true);
    }
    let level = if allow_unverified { "warning" } else { "error" };
    let unproven = report.unproven_rules();
    out.push(format!(
        "cargo::{level}=wasmproof proof gate: verified.lock does not hold {} of {} rules as proven: {} (checked in {ms:.1} ms){}",
        unproven.len(),
        report.rules,
        unproven.join(", "),
        if allow_unverified {
            "; building them anyway for research (feature `unverified-rules`): UNVERIFIED_RULES is true"
        } else {
            ""
        }
    ));
    for p in &report.problems {
        out.push(format!("cargo::{level}=  {p}"));
    }
    out.push(format!("cargo::{level}={REMEDY}"));
    if !allow_unverified {
        out.push(
            "cargo::error=(research builds only: `--features unverified-rules` builds them anyway, with UNVERIFIED_RULES = true)"
                .to_string(),
        );
        return (out, false);
    }
    out.push(format!("cargo::rustc-cfg={UNVERIFIED_CFG}"));
    (out, true)
}
