//! The human-readable report: one aligned line per (rule, instantiation), the
//! details of anything not proven, and the closing count line.

use std::fmt::Write;
use wasmproof_verifier::{Binding, Counterexample, ModelValue, Outcome, Report, Verdict};

/// Counts for the closing line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub proven: usize,
    /// Counterexample, vacuous, error.
    pub failed: usize,
    /// Unknown, timeout, skipped (unless explicitly excluded).
    pub unknown: usize,
}

pub fn tally(outcomes: &[Outcome]) -> Tally {
    let mut t = Tally::default();
    for o in outcomes {
        match o.verdict {
            Verdict::Proven => t.proven += 1,
            Verdict::Counterexample(_) | Verdict::Vacuous | Verdict::Error(_) => t.failed += 1,
            // A skip is not a proof: it counts as unknown unless the user
            // excluded its tag on purpose.
            Verdict::Unknown(_)
            | Verdict::Timeout
            | Verdict::Skipped {
                excluded: false, ..
            } => t.unknown += 1,
            Verdict::Skipped { excluded: true, .. } => {}
        }
    }
    t
}

pub fn closing_line(t: &Tally) -> String {
    format!(
        "{} proven, {} failed, {} unknown",
        t.proven, t.failed, t.unknown
    )
}

fn verdict_label(v: &Verdict) -> &'static str {
    match v {
        Verdict::Proven => "proven",
        Verdict::Counterexample(_) => "counterexample",
        Verdict::Vacuous => "vacuous",
        Verdict::Unknown(_) => "unknown",
        Verdict::Timeout => "timeout",
        Verdict::Error(_) => "error",
        Verdict::Skipped { .. } => "skipped",
    }
}

fn rule_label(o: &Outcome) -> String {
    if o.expansion.is_empty() {
        o.rule.clone()
    } else {
        format!("{} [{}]", o.rule, o.expansion)
    }
}

/// The whole report as printed on stdout.
pub fn report(r: &Report) -> String {
    let mut s = String::new();
    let w_verdict = r
        .outcomes
        .iter()
        .map(|o| verdict_label(&o.verdict).len())
        .max()
        .unwrap_or(0);
    let w_rule = r
        .outcomes
        .iter()
        .map(|o| rule_label(o).len())
        .max()
        .unwrap_or(0);
    let w_root = r.outcomes.iter().map(|o| o.root.len()).max().unwrap_or(0);
    let w_inst = r
        .outcomes
        .iter()
        .map(|o| o.instantiation.len())
        .max()
        .unwrap_or(0);
    for o in &r.outcomes {
        let cached = if o.cached { "  (cached)" } else { "" };
        let _ = writeln!(
            s,
            "{:<w_verdict$}  {:<w_rule$}  {:<w_root$}  {:<w_inst$}  {:>6.2}s{cached}",
            verdict_label(&o.verdict),
            rule_label(o),
            o.root,
            o.instantiation,
            o.time.as_secs_f64(),
        );
        match &o.verdict {
            Verdict::Counterexample(cex) => s.push_str(&counterexample(cex)),
            Verdict::Vacuous => s.push_str(
                "    the rule's preconditions can never all hold: it never fires and proves nothing\n",
            ),
            Verdict::Unknown(why) => {
                let _ = writeln!(s, "    solver answered unknown: {}", one_line(why));
            }
            Verdict::Timeout => s.push_str("    the solver ran out of time\n"),
            Verdict::Error(e) => {
                let _ = writeln!(s, "    {}", one_line(e));
            }
            Verdict::Skipped { reason, .. } => {
                let _ = writeln!(s, "    not checked: {}", one_line(reason));
            }
            Verdict::Proven => {}
        }
    }
    s.push_str(&closing_line(&tally(&r.outcomes)));
    s.push('\n');
    s
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The details of a counterexample, indented under its verdict line.
pub fn counterexample(c: &Counterexample) -> String {
    let mut s = String::new();
    let w = c
        .inputs
        .iter()
        .chain(c.intermediates.iter())
        .chain([&c.lhs, &c.rhs])
        .map(|b| b.name.len())
        .max()
        .unwrap_or(0);
    let binding = |s: &mut String, b: &Binding| {
        let _ = writeln!(s, "      {:<w$} = {}", b.name, value(&b.value));
    };
    s.push_str("    inputs:\n");
    if c.inputs.is_empty() {
        s.push_str("      (none)\n");
    }
    for b in &c.inputs {
        binding(&mut s, b);
    }
    s.push_str("    left side (what the rule matches):\n");
    binding(&mut s, &c.lhs);
    s.push_str("    right side (what the rule produces):\n");
    binding(&mut s, &c.rhs);
    if !c.intermediates.is_empty() {
        s.push_str("    intermediate terms:\n");
        for b in &c.intermediates {
            binding(&mut s, b);
        }
    }
    if !c.failed.is_empty() {
        s.push_str("    falsified:\n");
        for f in &c.failed {
            let _ = writeln!(s, "      {}", one_line(f));
        }
    }
    s
}

/// A model value for people: bit-vectors in hex and decimal, and also as a
/// signed number when the top bit is set (where the two readings differ).
pub fn value(v: &ModelValue) -> String {
    match v {
        ModelValue::BitVec { width, bits } => bitvec(*width, *bits),
        ModelValue::Bool(b) => b.to_string(),
        ModelValue::Int(i) => i.to_string(),
        ModelValue::Struct(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", f.name, value(&f.value)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        ModelValue::Other(s) => s.clone(),
    }
}

pub fn bitvec(width: usize, bits: u128) -> String {
    if width == 0 {
        return "(bv 0)".to_string();
    }
    let width = width.min(128);
    let bits = if width == 128 {
        bits
    } else {
        bits & ((1u128 << width) - 1)
    };
    if width == 1 {
        return format!("#b{bits} (bv 1)");
    }
    let digits = width.div_ceil(4);
    let hex = format!("0x{bits:0digits$x} (bv {width})");
    let top_set = (bits >> (width - 1)) & 1 == 1;
    if top_set {
        let signed: i128 = if width == 128 {
            bits as i128
        } else {
            (bits as i128) - (1i128 << width)
        };
        format!("{hex} = {bits} unsigned = {signed} signed")
    } else {
        format!("{hex} = {bits}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn outcome(rule: &str, verdict: Verdict) -> Outcome {
        Outcome {
            root: "lower".into(),
            rule: rule.into(),
            instantiation: "(bv 8) -> bv 8".into(),
            expansion: String::new(),
            verdict,
            time: Duration::from_millis(120),
            cached: false,
            solver: None,
        }
    }

    fn bv(name: &str, width: usize, bits: u128) -> Binding {
        Binding {
            name: name.into(),
            value: ModelValue::BitVec { width, bits },
        }
    }

    #[test]
    fn bitvectors_print_hex_unsigned_and_signed() {
        assert_eq!(bitvec(8, 0x80), "0x80 (bv 8) = 128 unsigned = -128 signed");
        assert_eq!(bitvec(8, 0x05), "0x05 (bv 8) = 5");
        assert_eq!(
            bitvec(12, 0xfff),
            "0xfff (bv 12) = 4095 unsigned = -1 signed"
        );
        assert_eq!(bitvec(1, 1), "#b1 (bv 1)");
        assert_eq!(
            bitvec(64, u64::MAX as u128),
            "0xffffffffffffffff (bv 64) = 18446744073709551615 unsigned = -1 signed"
        );
        assert_eq!(
            bitvec(128, u128::MAX),
            format!(
                "0x{} (bv 128) = {} unsigned = -1 signed",
                "f".repeat(32),
                u128::MAX
            )
        );
        // Bits above the width are not shown.
        assert_eq!(bitvec(4, 0x1f), "0xf (bv 4) = 15 unsigned = -1 signed");
    }

    #[test]
    fn tally_groups_verdicts() {
        let cex = Counterexample {
            inputs: vec![],
            lhs: bv("lhs", 8, 0),
            rhs: bv("rhs", 8, 1),
            intermediates: vec![],
            failed: vec![],
        };
        let outcomes = vec![
            outcome("a", Verdict::Proven),
            outcome("b", Verdict::Counterexample(cex)),
            outcome("c", Verdict::Vacuous),
            outcome("d", Verdict::Error("x".into())),
            outcome("e", Verdict::Unknown("incomplete".into())),
            outcome("f", Verdict::Timeout),
            outcome("g", Verdict::Proven),
        ];
        let t = tally(&outcomes);
        assert_eq!(
            t,
            Tally {
                proven: 2,
                failed: 3,
                unknown: 2
            }
        );
        assert_eq!(closing_line(&t), "2 proven, 3 failed, 2 unknown");
    }

    #[test]
    fn skips_count_as_unknown_unless_excluded() {
        let skipped = |excluded| Verdict::Skipped {
            reason: "instantiate `lower` tagged `slow`".into(),
            excluded,
        };
        let outcomes = vec![
            outcome("a", Verdict::Proven),
            outcome("b", skipped(false)),
            outcome("c", skipped(true)),
        ];
        let t = tally(&outcomes);
        assert_eq!(
            t,
            Tally {
                proven: 1,
                failed: 0,
                unknown: 1
            }
        );
        let r = Report {
            outcomes,
            diagnostics: vec![],
            solver_version: String::new(),
            solver_versions: vec![],
        };
        let text = report(&r);
        assert!(text.contains("skipped  b  lower"), "{text}");
        assert!(
            text.contains("    not checked: instantiate `lower` tagged `slow`\n"),
            "{text}"
        );
    }

    #[test]
    fn report_lines_and_counterexample_details() {
        let cex = Counterexample {
            inputs: vec![bv("x", 8, 0x80)],
            lhs: bv("lhs", 8, 0x00),
            rhs: bv("rhs", 8, 0x18),
            intermediates: vec![bv("a64_clz", 64, 24)],
            failed: vec!["(= result arg)".into()],
        };
        let r = Report {
            outcomes: vec![
                outcome("clz_ok", Verdict::Proven),
                outcome("clz_bad", Verdict::Counterexample(cex)),
            ],
            diagnostics: vec![],
            solver_version: "Z3 version 4.8.12".into(),
            solver_versions: vec![],
        };
        let text = report(&r);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("proven          clz_ok   lower  (bv 8) -> bv 8"),
            "{text}"
        );
        assert!(lines[0].ends_with("0.12s"), "{text}");
        assert!(
            lines[1].starts_with("counterexample  clz_bad  lower"),
            "{text}"
        );
        assert!(
            text.contains("x       = 0x80 (bv 8) = 128 unsigned = -128 signed"),
            "{text}"
        );
        assert!(text.contains("rhs     = 0x18 (bv 8) = 24"), "{text}");
        assert!(
            text.contains("a64_clz = 0x0000000000000018 (bv 64) = 24"),
            "{text}"
        );
        assert_eq!(lines.last().copied(), Some("1 proven, 1 failed, 0 unknown"));
    }
}
