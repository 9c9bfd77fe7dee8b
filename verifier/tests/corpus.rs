//! The corpus: small self-contained ISLE files re-creating classic
//! instruction-selection bugs, each next to its correct twin.
//!
//! `MANIFEST` lists the verdict every (file, rule, instantiation) must get;
//! the tests below check the files are well-formed ISLE (with cranelift-isle
//! itself, independently of the engine) and that the engine's verdicts match.

use cranelift_isle::ast::{AttrKind, AttrTarget, Def, Pattern};
use cranelift_isle::files::Files;
use cranelift_isle::lexer::Lexer;
use cranelift_isle::sema::{TermEnv, TypeEnv};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use wasmproof_verifier::{
    Counterexample, ModelValue, Options, Outcome, Report, SolverKind, Verdict,
};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("corpus directory exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "isle"))
        .collect();
    files.sort();
    files
}

/// Parse and type-check one file with cranelift-isle, returning its AST.
fn parse_and_check(path: &Path) -> Result<Vec<Def>, String> {
    let files =
        Arc::new(Files::from_paths([path], &[]).map_err(|(p, e)| format!("{}: {e}", p.display()))?);
    let text = &files.file_texts[0];
    let lexer = Lexer::new(0, text).map_err(|e| format!("lex: {e:?}"))?;
    let defs = cranelift_isle::parser::parse(lexer)
        .map_err(|e| cranelift_isle::error::Errors::new(vec![e], files.clone()).to_string())?;
    let mut tyenv = TypeEnv::from_ast(&defs)
        .map_err(|e| cranelift_isle::error::Errors::new(e, files.clone()).to_string())?;
    TermEnv::from_ast(&mut tyenv, &defs, true)
        .map_err(|e| cranelift_isle::error::Errors::new(e, files.clone()).to_string())?;
    Ok(defs)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn corpus_files_parse_and_typecheck() {
    let files = corpus_files();
    assert!(files.len() >= 7, "corpus has {} files", files.len());
    for path in &files {
        if let Err(e) = parse_and_check(path) {
            panic!("{} is not valid ISLE:\n{e}", path.display());
        }
    }
}

/// Every named rule whose root is a verification root has a manifest entry,
/// every manifest entry names a real rule, and every rule is named.
#[test]
fn manifest_covers_every_rule() {
    let mut in_files = BTreeSet::new();
    for path in corpus_files() {
        let defs = parse_and_check(&path).unwrap_or_else(|e| panic!("{e}"));
        // Rules of a chained helper are verified through their callers.
        let chained: BTreeSet<String> = defs
            .iter()
            .filter_map(|d| match d {
                Def::Attr(a) if a.kinds.contains(&AttrKind::Chain) => match &a.target {
                    AttrTarget::Term(t) => Some(t.0.clone()),
                    AttrTarget::Rule(_) => None,
                },
                _ => None,
            })
            .collect();
        for d in &defs {
            if let Def::Rule(r) = d {
                let root = match &r.pattern {
                    Pattern::Term { sym, .. } => sym.0.clone(),
                    _ => String::new(),
                };
                let Some(name) = &r.name else {
                    panic!("{}: unnamed rule for `{root}`", file_name(&path));
                };
                if !chained.contains(&root) {
                    in_files.insert((file_name(&path), name.0.clone()));
                }
            }
        }
    }
    let in_manifest: BTreeSet<(String, String)> = MANIFEST
        .iter()
        .map(|e| (e.file.to_string(), e.rule.to_string()))
        .collect();
    let missing: Vec<_> = in_files.difference(&in_manifest).collect();
    let stale: Vec<_> = in_manifest.difference(&in_files).collect();
    assert!(
        missing.is_empty(),
        "rules without expected verdicts: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "manifest entries without rules: {stale:?}"
    );
}

/// What a rule must get at one instantiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Proven,
    Counterexample,
    Vacuous,
}

/// Which outcomes of a rule an expectation is about.
#[derive(Clone, Copy, Debug)]
enum Sel {
    /// Every outcome no other selector of the entry claims.
    Any,
    /// Root instantiations with exactly these bit-vector widths, in order
    /// (`(bv 8) -> bv 8` is `[8, 8]`).
    W(&'static [u32]),
    /// Expansions (chained helper rules inlined) whose label contains this.
    Exp(&'static str),
}

/// Expected verdicts of one rule.
struct Entry {
    file: &'static str,
    rule: &'static str,
    root: &'static str,
    expect: &'static [(Sel, Expect)],
}

use Expect::{Counterexample as Cex, Proven, Vacuous};
use Sel::{Any, Exp, W};

const ALL_PROVEN: &[(Sel, Expect)] = &[(Any, Proven)];
const ALL_CEX: &[(Sel, Expect)] = &[(Any, Cex)];

const MANIFEST: &[Entry] = &[
    // mem_access.isle: the memory model catches wrong accesses.
    Entry {
        file: "mem_access.isle",
        rule: "load32_u_ok",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "mem_access.isle",
        rule: "load_off_by_one",
        root: "lower",
        expect: ALL_CEX,
    },
    Entry {
        file: "mem_access.isle",
        rule: "load_too_wide",
        root: "lower",
        expect: ALL_CEX,
    },
    Entry {
        file: "mem_access.isle",
        rule: "load_sign_for_zero",
        root: "lower",
        expect: ALL_CEX,
    },
    Entry {
        file: "mem_access.isle",
        rule: "store16_ok",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "mem_access.isle",
        rule: "store_too_wide",
        root: "lower",
        expect: ALL_CEX,
    },
    Entry {
        file: "mem_access.isle",
        rule: "store_wrong_bits",
        root: "lower",
        expect: ALL_CEX,
    },
    Entry {
        file: "mem_access.isle",
        rule: "heap_addr_zext",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "mem_access.isle",
        rule: "heap_addr_sext",
        root: "lower",
        expect: ALL_CEX,
    },
    // x64_arith.isle: all correct.
    Entry {
        file: "x64_arith.isle",
        rule: "iadd_base",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "x64_arith.isle",
        rule: "isub_base",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "x64_arith.isle",
        rule: "band_imm",
        root: "lower",
        expect: ALL_PROVEN,
    },
    // amode_sandbox.isle
    Entry {
        file: "amode_sandbox.isle",
        rule: "amode_base",
        root: "to_amode",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "amode_sandbox.isle",
        rule: "amode_offset_simm32_escape",
        root: "to_amode",
        expect: ALL_CEX,
    },
    Entry {
        file: "amode_sandbox.isle",
        rule: "amode_index_zext",
        root: "to_amode",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "amode_sandbox.isle",
        rule: "amode_index_sext_escape",
        root: "to_amode",
        expect: ALL_CEX,
    },
    Entry {
        file: "amode_sandbox.isle",
        rule: "amode_scaled_index",
        root: "to_amode",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "amode_sandbox.isle",
        rule: "amode_fold_narrow_shift_escape",
        root: "to_amode",
        expect: ALL_CEX,
    },
    // amode_chain.isle: one caller, verified once per helper rule.
    Entry {
        file: "amode_chain.isle",
        rule: "to_amode_iadd",
        root: "to_amode",
        expect: &[
            (Exp("amode_add_base"), Proven),
            (Exp("amode_add_shl"), Proven),
            (Exp("amode_add_const_wrapping"), Cex),
            (Any, Proven),
        ],
    },
    // icmp_flags.isle: the right flags for each condition, and two swaps.
    Entry {
        file: "icmp_flags.isle",
        rule: "icmp_eq",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "icmp_flags.isle",
        rule: "icmp_slt",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "icmp_flags.isle",
        rule: "icmp_ult",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "icmp_flags.isle",
        rule: "icmp_sgt",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "icmp_flags.isle",
        rule: "icmp_ugt",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "icmp_flags.isle",
        rule: "icmp_slt_as_below",
        root: "lower",
        expect: ALL_CEX,
    },
    Entry {
        file: "icmp_flags.isle",
        rule: "icmp_ugt_as_greater",
        root: "lower",
        expect: ALL_CEX,
    },
    // count_leading_narrow.isle: the buggy rules fail at 8 and 16 bits only.
    Entry {
        file: "count_leading_narrow.isle",
        rule: "clz_32_64",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "count_leading_narrow.isle",
        rule: "clz_narrow",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "count_leading_narrow.isle",
        rule: "clz_as_if_32",
        root: "lower",
        expect: &[
            (W(&[8, 8]), Cex),
            (W(&[16, 16]), Cex),
            (W(&[32, 32]), Proven),
            (W(&[64, 64]), Proven),
        ],
    },
    Entry {
        file: "count_leading_narrow.isle",
        rule: "cls_32_64",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "count_leading_narrow.isle",
        rule: "cls_narrow",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "count_leading_narrow.isle",
        rule: "cls_as_if_32",
        root: "lower",
        expect: &[
            (W(&[8, 8]), Cex),
            (W(&[16, 16]), Cex),
            (W(&[32, 32]), Proven),
            (W(&[64, 64]), Proven),
        ],
    },
    // udiv_const.isle: the sign-extended immediate is wrong at 64 bits only.
    Entry {
        file: "udiv_const.isle",
        rule: "udiv_by_const",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "udiv_const.isle",
        rule: "udiv_by_const_sext_imm",
        root: "lower",
        expect: &[(W(&[32, 32]), Proven), (W(&[64, 64]), Cex)],
    },
    // sdiv_narrow.isle
    Entry {
        file: "sdiv_narrow.isle",
        rule: "sdiv_32_64",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "sdiv_narrow.isle",
        rule: "sdiv_narrow",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "sdiv_narrow.isle",
        rule: "sdiv_narrow_check_at_32",
        root: "lower",
        expect: ALL_CEX,
    },
    // extend_swap.isle
    Entry {
        file: "extend_swap.isle",
        rule: "uextend_movzx",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "extend_swap.isle",
        rule: "sextend_movsx",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "extend_swap.isle",
        rule: "uextend_as_movsx",
        root: "lower",
        expect: ALL_CEX,
    },
    Entry {
        file: "extend_swap.isle",
        rule: "sextend_as_movzx",
        root: "lower",
        expect: ALL_CEX,
    },
    // shift_amode_mask.isle
    Entry {
        file: "shift_amode_mask.isle",
        rule: "amode_shift_masked_by_shift_type",
        root: "to_amode",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "shift_amode_mask.isle",
        rule: "amode_shift_masked_by_load_type",
        root: "to_amode",
        expect: ALL_CEX,
    },
    // imm_negated.isle
    Entry {
        file: "imm_negated.isle",
        rule: "isub_imm12",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "imm_negated.isle",
        rule: "isub_negated_imm12",
        root: "lower",
        expect: ALL_PROVEN,
    },
    Entry {
        file: "imm_negated.isle",
        rule: "isub_negated_imm12_unreachable",
        root: "lower",
        expect: &[(Any, Vacuous)],
    },
];

// ---------------------------------------------------------------------------
// Running the engine.

fn options(solver: SolverKind) -> Options {
    Options {
        roots: vec![],
        rules: vec![],
        solver,
        timeout: Duration::from_secs(120),
        jobs: 2,
        cache_dir: None,
        on_outcome: None,
        include_tags: vec![],
        exclude_tags: vec![],
        ..Options::default()
    }
}

fn verify(file: &str, solver: SolverKind) -> Report {
    let path = corpus_dir().join(file);
    match wasmproof_verifier::verify_files(&[path], &options(solver)) {
        Ok(r) => r,
        Err(e) => panic!("{file}: the engine failed: {e}"),
    }
}

/// The bit-vector widths in an instantiation's text, in order:
/// `(Type, bv 8) -> bv 8` gives `[8, 8]`.
fn widths(instantiation: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut rest = instantiation;
    while let Some(i) = rest.find("bv ") {
        rest = &rest[i + 3..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse() {
            out.push(n);
        }
    }
    out
}

fn selects(sel: Sel, o: &Outcome) -> bool {
    match sel {
        Sel::Any => false,
        Sel::W(ws) => widths(&o.instantiation) == ws,
        Sel::Exp(e) => o.expansion.contains(e),
    }
}

fn expected_for(entry: &Entry, o: &Outcome) -> Expect {
    entry
        .expect
        .iter()
        .find(|(sel, _)| selects(*sel, o))
        .or_else(|| entry.expect.iter().find(|(sel, _)| matches!(sel, Sel::Any)))
        .map(|(_, e)| *e)
        .unwrap_or_else(|| panic!("{}: no expectation for {}", entry.rule, describe(o)))
}

fn matches(expect: Expect, v: &Verdict) -> bool {
    matches!(
        (expect, v),
        (Expect::Proven, Verdict::Proven)
            | (Expect::Counterexample, Verdict::Counterexample(_))
            | (Expect::Vacuous, Verdict::Vacuous)
    )
}

fn describe(o: &Outcome) -> String {
    let detail = match &o.verdict {
        Verdict::Unknown(s) | Verdict::Error(s) => format!(": {s}"),
        _ => String::new(),
    };
    format!(
        "{} {} [{}] {}{detail}",
        o.rule,
        o.instantiation,
        o.expansion,
        o.verdict.kind()
    )
}

/// Verify one corpus file with z3 and compare every outcome with the manifest.
fn check_file(file: &str) -> Report {
    check_file_with(file, SolverKind::Z3)
}

fn check_file_with(file: &str, solver: SolverKind) -> Report {
    let report = verify(file, solver);
    let entries: Vec<&Entry> = MANIFEST.iter().filter(|e| e.file == file).collect();
    assert!(!entries.is_empty(), "{file} is not in the manifest");
    let mut wrong = Vec::new();
    for o in &report.outcomes {
        let Some(entry) = entries.iter().find(|e| e.rule == o.rule) else {
            wrong.push(format!("unexpected rule: {}", describe(o)));
            continue;
        };
        assert_eq!(o.root, entry.root, "{}", describe(o));
        let want = expected_for(entry, o);
        if !matches(want, &o.verdict) {
            wrong.push(format!("expected {want:?}, got {}", describe(o)));
        }
    }
    for entry in &entries {
        let got: Vec<&Outcome> = report
            .outcomes
            .iter()
            .filter(|o| o.rule == entry.rule)
            .collect();
        if got.is_empty() {
            wrong.push(format!("{}: no outcome at all", entry.rule));
        }
        // Every specific expectation must be exercised.
        for (sel, want) in entry
            .expect
            .iter()
            .filter(|(sel, _)| !matches!(sel, Sel::Any))
        {
            if !got.iter().any(|o| selects(*sel, o)) {
                wrong.push(format!("{}: no outcome for {sel:?} ({want:?})", entry.rule));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{file}:\n  {}\n(diagnostics: {:?})",
        wrong.join("\n  "),
        report.diagnostics
    );
    report
}

fn cexes<'a>(r: &'a Report, rule: &str) -> Vec<(&'a Outcome, &'a Counterexample)> {
    let v: Vec<_> = r
        .outcomes
        .iter()
        .filter(|o| o.rule == rule)
        .filter_map(|o| match &o.verdict {
            Verdict::Counterexample(c) => Some((o, c)),
            _ => None,
        })
        .collect();
    assert!(!v.is_empty(), "{rule} has counterexamples");
    v
}

/// A bit-vector input of a counterexample, as (width, bits).
fn input(c: &Counterexample, name: &str) -> (u32, u128) {
    let b = c
        .inputs
        .iter()
        .find(|b| b.name == name)
        .unwrap_or_else(|| panic!("no input `{name}` in {:?}", c.inputs));
    as_bv(&b.value).unwrap_or_else(|| panic!("input `{name}` is {:?}", b.value))
}

fn as_bv(v: &ModelValue) -> Option<(u32, u128)> {
    match v {
        ModelValue::BitVec { width, bits } => Some((*width as u32, *bits)),
        _ => None,
    }
}

fn lhs_rhs(c: &Counterexample) -> ((u32, u128), (u32, u128)) {
    let l = as_bv(&c.lhs.value).unwrap_or_else(|| panic!("lhs {:?}", c.lhs));
    let r = as_bv(&c.rhs.value).unwrap_or_else(|| panic!("rhs {:?}", c.rhs));
    (l, r)
}

fn mask(w: u32) -> u128 {
    if w >= 128 {
        u128::MAX
    } else {
        (1u128 << w) - 1
    }
}

fn sext(bits: u128, from: u32, to: u32) -> u128 {
    if (bits >> (from - 1)) & 1 == 1 {
        (bits | !mask(from)) & mask(to)
    } else {
        bits & mask(to)
    }
}

fn clz(bits: u128, w: u32) -> u128 {
    (0..w).rev().take_while(|i| (bits >> i) & 1 == 0).count() as u128
}

fn cls(bits: u128, w: u32) -> u128 {
    let sign = (bits >> (w - 1)) & 1;
    (0..w - 1)
        .rev()
        .take_while(|i| (bits >> i) & 1 == sign)
        .count() as u128
}

/// Check a counterexample against a Rust evaluation of the rule's two sides:
/// the engine's reported values must be the real ones, and they must differ.
fn assert_falsifies(rule: &str, c: &Counterexample, want_lhs: u128, want_rhs: u128) {
    let ((lw, l), (rw, r)) = lhs_rhs(c);
    assert_eq!(lw, rw, "{rule}: sides of different widths");
    assert_eq!(
        l & mask(lw),
        want_lhs & mask(lw),
        "{rule}: reported lhs is not the IR's value on {c:?}"
    );
    assert_eq!(
        r & mask(rw),
        want_rhs & mask(rw),
        "{rule}: reported rhs is not the machine's value on {c:?}"
    );
    assert_ne!(
        want_lhs & mask(lw),
        want_rhs & mask(rw),
        "{rule}: the values do not falsify the rule: {c:?}"
    );
}

// ---------------------------------------------------------------------------
// One test per corpus file.

#[test]
fn verdicts_x64_arith() {
    check_file("x64_arith.isle");
}

#[test]
fn verdicts_extend_swap() {
    let r = check_file("extend_swap.isle");
    for (rule, sign_extends_ir) in [("uextend_as_movsx", false), ("sextend_as_movzx", true)] {
        for (_, c) in cexes(&r, rule) {
            let (from, x) = input(c, "x");
            let ((to, _), _) = lhs_rhs(c);
            let (z, s) = (x & mask(from), sext(x, from, to));
            let (ir, mach) = if sign_extends_ir { (s, z) } else { (z, s) };
            assert_falsifies(rule, c, ir, mach);
        }
    }
}

#[test]
fn verdicts_count_leading_narrow() {
    let r = check_file("count_leading_narrow.isle");
    for (o, c) in cexes(&r, "clz_as_if_32") {
        let (w, x) = input(c, "x");
        assert!(w == 8 || w == 16, "{}", describe(o));
        // The machine counts in 32 bits over the zero-extended value.
        assert_falsifies("clz_as_if_32", c, clz(x, w), clz(x & mask(w), 32));
    }
    for (o, c) in cexes(&r, "cls_as_if_32") {
        let (w, x) = input(c, "x");
        assert!(w == 8 || w == 16, "{}", describe(o));
        assert_falsifies("cls_as_if_32", c, cls(x, w), cls(sext(x, w, 32), 32));
    }
}

#[test]
fn verdicts_udiv_const() {
    let r = check_file("udiv_const.isle");
    for (_, c) in cexes(&r, "udiv_by_const_sext_imm") {
        let (w, x) = input(c, "x");
        let (_, k) = input(c, "k");
        assert_eq!(w, 64);
        assert!(
            k != 0 && k >> 31 == 1,
            "only divisors >= 2^31 change when sign-extended: {k:#x}"
        );
        assert_falsifies("udiv_by_const_sext_imm", c, x / k, x / sext(k, 32, 64));
    }
}

#[test]
fn verdicts_sdiv_narrow() {
    let r = check_file("sdiv_narrow.isle");
    // With the overflow check at 32 bits, the only narrow division the
    // machine code gets wrong is INT_MIN / -1: the IR traps, the code does not.
    for (o, c) in cexes(&r, "sdiv_narrow_check_at_32") {
        let (w, x) = input(c, "x");
        let (_, y) = input(c, "y");
        assert!(w == 8 || w == 16, "{}", describe(o));
        assert_eq!(x, 1u128 << (w - 1), "x is INT_MIN: {c:?}");
        assert_eq!(y, mask(w), "y is -1: {c:?}");
    }
}

#[test]
fn verdicts_amode_sandbox() {
    let r = check_file("amode_sandbox.isle");
    let m64 = mask(64);
    for (_, c) in cexes(&r, "amode_index_sext_escape") {
        let (_, base) = input(c, "base");
        let (_, index) = input(c, "index");
        let (_, offset) = input(c, "offset");
        let ir = (base + index + offset) & m64;
        let mach = (base + sext(index, 32, 64) + offset) & m64;
        assert_falsifies("amode_index_sext_escape", c, ir, mach);
    }
    for (_, c) in cexes(&r, "amode_fold_narrow_shift_escape") {
        let (_, base) = input(c, "base");
        let (_, index) = input(c, "index");
        let (_, k) = input(c, "k");
        let (_, offset) = input(c, "offset");
        assert!(k <= 3);
        let ir = (base + ((index << k) & mask(32)) + offset) & m64;
        let mach = (base + (index << k) + offset) & m64;
        assert_falsifies("amode_fold_narrow_shift_escape", c, ir, mach);
    }
    for (_, c) in cexes(&r, "amode_offset_simm32_escape") {
        let (_, addr) = input(c, "addr");
        let (_, offset) = input(c, "offset");
        let ir = (addr + offset) & m64;
        let mach = (addr + sext(offset, 32, 64)) & m64;
        assert_falsifies("amode_offset_simm32_escape", c, ir, mach);
    }
}

#[test]
fn verdicts_shift_amode_mask() {
    let r = check_file("shift_amode_mask.isle");
    for (_, c) in cexes(&r, "amode_shift_masked_by_load_type") {
        let (_, base) = input(c, "base");
        let (_, index) = input(c, "index");
        let (_, k) = input(c, "k");
        let (_, offset) = input(c, "offset");
        let ir = base
            .wrapping_add(index.wrapping_shl((k & 63) as u32) & mask(64))
            .wrapping_add(sext(offset, 32, 64))
            & mask(64);
        let ((_, _), (_, got)) = lhs_rhs(c);
        let ((_, lhs), _) = lhs_rhs(c);
        assert_eq!(
            lhs, ir,
            "reported lhs is base + (index << (k mod 64)) + offset: {c:?}"
        );
        assert_ne!(lhs, got, "{c:?}");
        // The machine scaled by k masked to a load width (3..6 bits), which
        // must have dropped some of k's bits.
        let scales: Vec<u128> = [7u128, 15, 31, 63]
            .iter()
            .map(|m| k & m)
            .filter(|s| *s <= 3)
            .collect();
        assert!(
            scales.iter().any(|s| {
                base.wrapping_add(index.wrapping_shl(*s as u32) & mask(64))
                    .wrapping_add(sext(offset, 32, 64))
                    & mask(64)
                    == got
            }),
            "rhs is an address scaled by k under some load-type mask: {c:?}"
        );
    }
}

#[test]
fn verdicts_imm_negated() {
    check_file("imm_negated.isle");
}

#[test]
fn verdicts_amode_chain() {
    let r = check_file("amode_chain.isle");
    // `amode_add_const` is the `Any` case: make sure it was checked too.
    assert!(
        r.outcomes
            .iter()
            .any(|o| o.expansion.ends_with("amode_add_const") && o.verdict == Verdict::Proven),
        "{:?}",
        r.outcomes.iter().map(describe).collect::<Vec<_>>()
    );
    for (_, c) in cexes(&r, "to_amode_iadd") {
        let (_, x) = input(c, "x");
        let (_, y) = input(c, "y");
        let (_, offset) = input(c, "offset");
        // The helper's inputs are the caller's: `y` is the constant, a
        // sign-extended 32-bit `c`.
        let c32 = y & mask(32);
        assert_eq!(
            y,
            sext(c32, 32, 64),
            "y is the sign-extended constant: {c:?}"
        );
        let m64 = mask(64);
        let ir = (x + y + offset) & m64;
        let mach = (x + sext((offset + c32) & mask(32), 32, 64)) & m64;
        assert_falsifies("to_amode_iadd", c, ir, mach);
    }
}

fn signed(bits: u128, w: u32) -> i128 {
    if (bits >> (w - 1)) & 1 == 1 {
        bits as i128 - (1i128 << w)
    } else {
        bits as i128
    }
}

#[test]
fn verdicts_icmp_flags() {
    let r = check_file("icmp_flags.isle");
    for (rule, ir, mach) in [
        (
            "icmp_slt_as_below",
            (|x, y, w| signed(x, w) < signed(y, w)) as fn(u128, u128, u32) -> bool,
            (|x, y, _| x < y) as fn(u128, u128, u32) -> bool,
        ),
        (
            "icmp_ugt_as_greater",
            |x, y, _| x > y,
            |x, y, w| signed(x, w) > signed(y, w),
        ),
    ] {
        let found = cexes(&r, rule);
        assert_eq!(found.len(), 4, "{rule}: one per operand width");
        for (_, c) in found {
            let (w, x) = input(c, "x");
            let (_, y) = input(c, "y");
            assert_falsifies(rule, c, ir(x, y, w) as u128, mach(x, y, w) as u128);
            // Only operands of different signs tell the two apart.
            assert_ne!(signed(x, w) < 0, signed(y, w) < 0, "{rule}: {c:?}");
        }
    }
}

/// The second solver must reach the same verdicts on the whole corpus.
#[test]
fn manifest_holds_under_cvc5() {
    let files: BTreeSet<&str> = MANIFEST.iter().map(|e| e.file).collect();
    for file in files {
        let r = check_file_with(file, SolverKind::Cvc5);
        assert!(
            r.solver_version.to_lowercase().contains("cvc5"),
            "{}",
            r.solver_version
        );
    }
}

#[test]
fn verdicts_mem_access() {
    let r = check_file("mem_access.isle");
    // Each wrong access is refuted by the record it gets wrong (the loaded
    // value is the same: both sides read the shared `mem_bytes`).
    for (rule, record) in [
        ("load_off_by_one", "exec_addr ir_addr"),
        ("load_too_wide", "exec_access ir_access"),
        ("store_too_wide", "exec_access ir_access"),
        ("store_wrong_bits", "exec_stored ir_stored"),
    ] {
        for (o, c) in cexes(&r, rule) {
            assert!(
                c.failed.iter().any(|f| f.contains(record)),
                "{}: {:?}",
                describe(o),
                c.failed
            );
        }
    }
    // The sign-extended index differs from the zero-extended one only when
    // its top bit is set: the counterexample's index is "negative".
    for (_, c) in cexes(&r, "heap_addr_sext") {
        let (w, index) = input(c, "index");
        assert_eq!(w, 32);
        assert!(index >= 0x8000_0000, "index {index:#x}");
    }
}
