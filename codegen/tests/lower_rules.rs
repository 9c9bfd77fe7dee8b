//! The x64 lowering rules (`isle-rules/x64/*.isle`) are proven, loaded
//! the way the build loads them: one program of prelude.isle, ir.isle and
//! every file in isle-rules/x64. This also checks that the shared
//! prelude lets the IR and x64 specs coexist.

use std::path::PathBuf;

fn isle_rules() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../isle-rules")
}

/// The names of the `(rule NAME ...)` forms in `text`: every rule must be
/// named so that its outcomes can be found (an unnamed one is reported as
/// `file:line`, which this test would not match, and so fails it).
fn rule_names(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split(";;").next().unwrap_or_default().trim_start())
        .filter_map(|l| l.strip_prefix("(rule "))
        .map(|rest| {
            rest.split(|c: char| c.is_whitespace() || c == '(')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// The x64 files (`inst.isle`, `lower.isle`, `lower_float.isle`, ...), sorted.
fn x64_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(isle_rules().join("x64"))
        .expect("isle-rules/x64")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "isle"))
        .collect();
    v.sort();
    v
}

/// prelude.isle, ir.isle and every x64 file: the program the build loads.
fn program_files() -> Vec<PathBuf> {
    let dir = isle_rules();
    let mut files = vec![dir.join("prelude.isle"), dir.join("ir.isle")];
    files.extend(x64_files());
    files
}

#[test]
fn every_x64_lowering_rule_is_proven_at_every_instantiation() {
    let mut rules = Vec::new();
    for f in x64_files() {
        let text = std::fs::read_to_string(&f).expect("an x64 rule file");
        rules.extend(rule_names(&text));
    }
    assert!(!rules.is_empty(), "no rules found in isle-rules/x64");
    assert!(
        rules.iter().all(|r| !r.is_empty()),
        "a rule without a name: {rules:?}"
    );

    // The solver portfolio CI uses: z3 first, cvc5 when z3 gives up, and
    // each entry first with the solver the lock says proved it.
    let lock =
        wasmproof_verifier::Lock::read(&isle_rules().join("verified.lock")).expect("verified.lock");
    let preferred = lock
        .entries
        .iter()
        .filter_map(|e| {
            let kind = wasmproof_verifier::entry_solver(e)?;
            Some((format!("{} {} {}", e.root, e.rule, e.instantiation), kind))
        })
        .collect();
    let opts = wasmproof_verifier::Options {
        jobs: 2,
        timeout: std::time::Duration::from_secs(60),
        fallback: Some(wasmproof_verifier::SolverKind::Cvc5),
        fallback_timeout: std::time::Duration::from_secs(600),
        preferred,
        ..Default::default()
    };
    let report = wasmproof_verifier::verify_files(&program_files(), &opts)
        .unwrap_or_else(|e| panic!("the rule files do not load: {e}"));

    let failed: Vec<_> = report
        .outcomes
        .iter()
        .filter(|o| !o.verdict.is_proven())
        .map(|o| format!("{} {}: {:?}", o.rule, o.instantiation, o.verdict))
        .collect();
    assert!(failed.is_empty(), "not proven:\n{}", failed.join("\n"));

    // A rule with no outcome was never checked (e.g. no instantiation of
    // its IR term matched the root's): that is not a proof. A chained
    // helper's rule is checked inside its callers' expansions
    // (`[helper: rule]`).
    for rule in &rules {
        let n = report
            .outcomes
            .iter()
            .filter(|o| &o.rule == rule || o.expansion.contains(&format!(": {rule}")))
            .count();
        assert!(n >= 1, "rule {rule} has no outcome: {:?}", report.outcomes);
    }
    // And nothing was checked that the files do not name.
    for o in &report.outcomes {
        assert!(rules.contains(&o.rule), "unexpected outcome {}", o.rule);
    }
}

/// The proof certificate lists every lowering rule with its current
/// fingerprint (the solver-free half of the build gate; CI's `--check`
/// re-proves the entries). Editing a rule or a spec it uses without
/// re-proving and re-writing the lock fails here.
#[test]
fn verified_lock_lists_every_rule_with_its_current_fingerprint() {
    let dir = isle_rules();
    let files = program_files();
    let fps = wasmproof_verifier::fingerprints(&files, &wasmproof_verifier::Options::default())
        .expect("fingerprints of isle-rules");
    assert!(!fps.is_empty(), "no rules fingerprinted");
    let lock = wasmproof_verifier::Lock::read(&dir.join("verified.lock")).expect("verified.lock");
    let diffs = wasmproof_verifier::check_lock(&lock, None, &fps);
    assert!(
        diffs.is_empty(),
        "verified.lock is out of date (re-run wasmproof-verify --write-lock): {diffs:?}"
    );
}

/// The wrong rules of `tests/lower_wrong/wrong.isle`, checked against the
/// real specs, each with the obligation its counterexample must falsify:
/// the trap and memory models catch a wrong address, size, extension,
/// stored bits, a sign-extended heap index, a dropped or mislabelled trap,
/// a division that could raise #DE, and a branch on the wrong condition.
#[test]
fn wrong_lowerings_get_counterexamples() {
    let expected: &[(&str, &str)] = &[
        ("wrong_load_address", "(= exec_mem_addr ir_mem_addr)"),
        ("wrong_load_size", "(= exec_mem_access ir_mem_access)"),
        ("wrong_load_extension", "(= result arg)"),
        ("wrong_store_bits", "(= exec_mem_stored ir_mem_stored)"),
        ("wrong_store_size", "(= exec_mem_access ir_mem_access)"),
        ("wrong_heap_addr_sext", "(= exec_trap ir_trap)"),
        ("wrong_heap_addr_sext_address", "(= result arg)"),
        ("wrong_heap_addr_no_size", "(= exec_trap ir_trap)"),
        ("wrong_heap_addr_imm_sext", "(= exec_trap ir_trap)"),
        ("wrong_heap_addr_imm_off_by_one", "(= exec_trap ir_trap)"),
        ("wrong_heap_addr_imm_disp", "(= result arg)"),
        ("wrong_load_f64_idx_sext", "(= exec_mem_addr ir_mem_addr)"),
        ("wrong_store_f64_idx_unchecked", "(= exec_trap ir_trap)"),
        ("wrong_load_u8_idx_end", "(= exec_mem_addr ir_mem_addr)"),
        ("wrong_udiv_unchecked", "require of `x64_div_quot`"),
        ("wrong_udiv_code", "(= exec_trap ir_trap)"),
        ("wrong_sdiv_no_overflow_check", "require of `x64_idiv_quot`"),
        ("wrong_srem_idiv", "require of `x64_idiv_rem`"),
        ("wrong_brif_inverted", "(= result (not (= c #x0:32)))"),
        ("wrong_brif_unsigned", "(= result (not (= c #x0:32)))"),
        ("wrong_brif_swapped", "(= result (not (= c #x0:32)))"),
        ("wrong_select_icmp_arms", "(= result arg)"),
    ];
    let dir = isle_rules();
    let wrong = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lower_wrong/wrong.isle");
    let text = std::fs::read_to_string(&wrong).expect("wrong.isle");
    let mut names = rule_names(&text);
    names.sort();
    let mut listed: Vec<String> = expected.iter().map(|(r, _)| r.to_string()).collect();
    listed.sort();
    assert_eq!(names, listed, "every wrong rule has an expectation here");

    let opts = wasmproof_verifier::Options {
        jobs: 2,
        timeout: std::time::Duration::from_secs(60),
        rules: listed,
        ..Default::default()
    };
    let files = [
        dir.join("prelude.isle"),
        dir.join("ir.isle"),
        dir.join("x64/inst.isle"),
        dir.join("x64/lower.isle"),
        dir.join("x64/lower_float.isle"),
        wrong,
    ];
    let report = wasmproof_verifier::verify_files(&files, &opts).expect("the files load");
    for (rule, falsified) in expected {
        let outs: Vec<_> = report.outcomes.iter().filter(|o| o.rule == *rule).collect();
        assert!(!outs.is_empty(), "{rule}: no outcome");
        for o in outs {
            match &o.verdict {
                wasmproof_verifier::Verdict::Counterexample(cx) => assert!(
                    cx.failed.iter().any(|f| f.contains(falsified)),
                    "{rule} {}: falsifies {:?}, expected {falsified}",
                    o.instantiation,
                    cx.failed
                ),
                v => panic!(
                    "{rule} {}: {v:?}, expected a counterexample",
                    o.instantiation
                ),
            }
        }
    }
}
