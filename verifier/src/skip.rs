//! Reporting what tagged `instantiate`s leave unchecked. Tagged
//! instantiations (`(tag slow)`) are skipped unless selected, to keep default
//! runs fast; this module makes every such skip an outcome of its own, so it
//! is always visible and never counted (or locked) as proven.

use crate::frontend::{Program, SkippedInstantiation};
use crate::run::{describe_signature, note, root_signatures, rule_filter_hits, select_roots};
use crate::verdict::{Diagnostic, Outcome, Verdict};
use crate::{Error, Options};
use std::time::Duration;

/// Outcomes for what tagged `instantiate`s the run did not select leave
/// unchecked, so that a skip is always visible and never counts as proven:
/// * the root's own tagged signatures: one `Skipped` outcome per rule and
///   signature;
/// * a tagged instantiate of a term the rule depends on (found as for its
///   fingerprint): one rule-level `Skipped` outcome (instantiation `any`),
///   since queries at those callee types were never generated.
///
/// Plus one note per skipped instantiate, even if no selected rule uses it.
pub(crate) fn skipped_outcomes(
    prog: &Program,
    opts: &Options,
) -> Result<(Vec<Outcome>, Vec<Diagnostic>), Error> {
    let mut outs = Vec::new();
    let mut notes = Vec::new();
    if prog.skipped_instantiations.is_empty() {
        return Ok((outs, notes));
    }
    let why = |sk: &SkippedInstantiation| -> (String, bool) {
        let tags: Vec<String> = sk.tags.iter().map(|t| format!("`{t}`")).collect();
        let tags = tags.join(", ");
        if sk.tags.iter().any(|t| opts.exclude_tags.contains(t)) {
            let msg = format!(
                "instantiate `{}` tagged {tags} is excluded on purpose",
                sk.term
            );
            (msg, true)
        } else {
            let first = sk.tags.first().map(String::as_str).unwrap_or("");
            let msg = format!(
                "instantiate `{}` tagged {tags} is skipped by default (select the tag to check it: --tag {first})",
                sk.term
            );
            (msg, false)
        }
    };
    for sk in &prog.skipped_instantiations {
        let (reason, _) = why(sk);
        notes.push(note(format!(
            "{reason}; {} signature(s) not checked",
            sk.signatures.len()
        )));
    }
    let sources = crate::fingerprint::Sources::new(prog)?;
    for root in select_roots(prog, opts)? {
        let Some(tid) = prog.term_by_name(&root) else {
            continue;
        };
        let checked: Vec<String> = root_signatures(prog, &root)
            .iter()
            .filter_map(|(s, _)| s.as_ref().map(describe_signature))
            .collect();
        let mut rules: Vec<&cranelift_isle::sema::Rule> = prog
            .termenv
            .rules
            .iter()
            .filter(|r| r.root_term == tid)
            .collect();
        rules.sort_by_key(|r| r.pos);
        for rule in rules {
            let label = prog.rule_name(rule.id);
            if !opts.rules.is_empty()
                && rule_filter_hits(prog, rule, &label, &opts.rules).is_empty()
            {
                continue;
            }
            let deps = sources.closure(prog, rule.id)?;
            let skipped =
                |instantiation: String, expansion: String, reason: String, excluded| Outcome {
                    root: root.clone(),
                    rule: label.clone(),
                    instantiation,
                    expansion,
                    verdict: Verdict::Skipped { reason, excluded },
                    time: Duration::ZERO,
                    cached: false,
                    solver: None,
                };
            for sk in &prog.skipped_instantiations {
                let (reason, excluded) = why(sk);
                if sk.term == root {
                    for sig in &sk.signatures {
                        let inst = describe_signature(sig);
                        // Also listed untagged: it is checked after all.
                        if !checked.contains(&inst) {
                            outs.push(skipped(inst, String::new(), reason.clone(), excluded));
                        }
                    }
                } else if deps.symbols.contains(&sk.term) {
                    let reason = format!(
                        "{reason}: the rule uses `{}`, so it is not checked where `{}` has those types",
                        sk.term, sk.term
                    );
                    let expansion = format!("{} at its tagged signatures", sk.term);
                    outs.push(skipped("any".to_string(), expansion, reason, excluded));
                }
            }
        }
    }
    Ok((outs, notes))
}
