//! codegen's build script. The proof gate runs first: nothing is generated
//! from `isle-rules` unless `isle-rules/verified.lock` holds every rule as
//! proven with its current fingerprint (or the research feature
//! `unverified-rules` is on; see `wasmproof_verifier::gate`).

use std::path::Path;

// The code generation from the rules follows the gate; until it is here the
// early return is the last statement.
#[allow(clippy::needless_return)]
fn main() {
    let isle_rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../isle-rules");
    println!("cargo::rerun-if-changed=build.rs");
    // A directory: cargo re-runs when any file under it changes or appears.
    println!("cargo::rerun-if-changed={}", isle_rules.display());
    if !wasmproof_verifier::gate::build_script(&isle_rules, "x64") {
        // The gate printed `cargo::error`s: cargo fails the build.
        return;
    }
}
