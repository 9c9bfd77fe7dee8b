//! Planning and running: which (rule, expansion, instantiation) queries to
//! solve, parallel workers, the cache, and turning solver answers into the
//! verdicts of the report.
//!
//! Two things are decided per rule, after all of its queries are answered:
//! * an instantiation where the rule's type constraints cannot hold (or its
//!   types conflict) does not apply: it is dropped with a note, and only if
//!   no instantiation applies is the rule reported (vacuous, or untypable);
//! * a chained expansion whose conditions can never hold is dropped with a
//!   note when another expansion of the same rule applies at that type.

use crate::cache::Cache;
use crate::encode;
use crate::expand::{BuildError, Builder, Signature, TypeFailure};
use crate::frontend::Program;
use crate::solver::{self, Answer};
use crate::verdict::{Diagnostic, Outcome, Report, Severity, Verdict};
use crate::{Error, Options, SolverKind};
use cranelift_isle::ast::ModelType;
use cranelift_isle::sema::RuleId;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// At most this many chained expansions per rule.
const MAX_EXPANSIONS: usize = 256;

/// One query to answer.
struct Job {
    /// Index of the rule in plan order (groups jobs for aggregation).
    group: usize,
    root: String,
    rule: RuleId,
    label: String,
    choices: Vec<RuleId>,
    expansion: String,
    sig: Option<Signature>,
    sig_index: usize,
    instantiation: String,
}

/// What happened to one job, before aggregation.
#[derive(Clone, Debug)]
enum JobResult {
    Answer(Answer),
    /// The types conflict at this instantiation (it does not apply).
    Conflict(String),
}

struct Done {
    job: usize,
    /// Typing choices for callee instantiations, when several fit.
    types: String,
    result: JobResult,
    time: Duration,
    cached: bool,
    /// The solver that gave `result` (`None`: none ran).
    solver: Option<SolverKind>,
}

/// A rule that failed before any query existed (e.g. a missing spec).
struct Early {
    root: String,
    label: String,
    message: String,
}

pub fn verify_program(prog: &Program, opts: &Options) -> Result<Report, Error> {
    let solver_version = solver::version(opts.solver)?;
    // Every solver the portfolio may run, with its version (for the cache
    // key and the lock); a missing one is an error up front.
    let mut versions = vec![(opts.solver, solver_version.clone())];
    let others = opts
        .fallback
        .into_iter()
        .chain(opts.preferred.values().copied());
    for k in others {
        if !versions.iter().any(|(v, _)| *v == k) {
            versions.push((k, solver::version(k)?));
        }
    }
    let cache = match &opts.cache_dir {
        Some(dir) => Some(Cache::open(dir).map_err(|e| {
            Error::Usage(format!("cannot use cache directory {}: {e}", dir.display()))
        })?),
        None => None,
    };
    let mut diagnostics: Vec<Diagnostic> = prog
        .warnings
        .iter()
        .map(|w| Diagnostic {
            severity: Severity::Warning,
            message: w.clone(),
        })
        .collect();
    let (jobs, early) = plan(prog, opts, &mut diagnostics)?;
    let (skipped, skip_notes) = crate::skip::skipped_outcomes(prog, opts)?;
    diagnostics.extend(skip_notes);
    let total = jobs.len() + early.len() + skipped.len();
    let done_count = AtomicUsize::new(0);
    let mut outcomes: Vec<(usize, Outcome)> = Vec::new();

    // Skipped instantiations are outcomes too (never proven), reported
    // after the solved ones and before rules that could not be expanded.
    for (i, o) in skipped.into_iter().enumerate() {
        let d = done_count.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(h) = &opts.on_outcome {
            h(&o, d, total);
        }
        outcomes.push((usize::MAX / 2 + i, o));
    }

    // Rules that could not even be expanded are reported right away.
    for (i, e) in early.iter().enumerate() {
        let o = Outcome {
            root: e.root.clone(),
            rule: e.label.clone(),
            instantiation: "-".to_string(),
            expansion: String::new(),
            verdict: Verdict::Error(e.message.clone()),
            time: Duration::ZERO,
            cached: false,
            solver: None,
        };
        let d = done_count.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(h) = &opts.on_outcome {
            h(&o, d, total);
        }
        outcomes.push((usize::MAX - early.len() + i, o));
    }

    // Group sizes, so a rule is aggregated once its last job is done.
    let mut remaining: BTreeMap<usize, usize> = BTreeMap::new();
    for j in &jobs {
        *remaining.entry(j.group).or_default() += 1;
    }
    struct Shared {
        remaining: BTreeMap<usize, usize>,
        finished: BTreeMap<usize, Vec<Done>>,
        outcomes: Vec<(usize, Outcome)>,
        diagnostics: Vec<Diagnostic>,
    }
    let shared = Mutex::new(Shared {
        remaining,
        finished: BTreeMap::new(),
        outcomes: Vec::new(),
        diagnostics: Vec::new(),
    });
    let next = AtomicUsize::new(0);
    let workers = opts.jobs.max(1).min(jobs.len().max(1));
    let version = &versions;
    // One worker's loop: take the next job until none is left.
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            let Some(job) = jobs.get(i) else {
                break;
            };
            // A bug in the engine must not take the whole run down: it
            // becomes this rule's error.
            let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                run_job(prog, opts, cache.as_ref(), version, i, job)
            }))
            .unwrap_or_else(|_| {
                vec![Done {
                    job: i,
                    types: String::new(),
                    result: JobResult::Answer(Answer::Error(format!(
                        "rule `{}`: internal error in the verifier (please report it)",
                        job.label
                    ))),
                    time: Duration::ZERO,
                    cached: false,
                    solver: None,
                }]
            });
            let d = done_count.fetch_add(1, Ordering::SeqCst) + 1;
            let mut sh = match shared.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            sh.finished.entry(job.group).or_default().extend(done);
            let left = sh.remaining.entry(job.group).or_insert(1);
            *left = left.saturating_sub(1);
            if *left == 0 {
                let results = sh.finished.remove(&job.group).unwrap_or_default();
                let (outs, diags) = aggregate(&jobs, results);
                for o in outs {
                    if let Some(h) = &opts.on_outcome {
                        h(&o.1, d, total);
                    }
                    sh.outcomes.push(o);
                }
                sh.diagnostics.extend(diags);
            }
        }
    };
    let mut spawned = 0;
    std::thread::scope(|s| {
        for _ in 0..workers {
            // Deeply nested specs recurse; give workers room.
            let ok = std::thread::Builder::new()
                .stack_size(64 << 20)
                .spawn_scoped(s, work)
                .is_ok();
            if ok {
                spawned += 1;
            }
        }
    });
    if spawned == 0 {
        // No thread could be started: do the work here.
        work();
    }
    let sh = match shared.into_inner() {
        Ok(s) => s,
        Err(p) => p.into_inner(),
    };
    outcomes.extend(sh.outcomes);
    outcomes.sort_by_key(|(k, _)| *k);
    // Workers finish in any order; keep the report deterministic.
    let mut notes = sh.diagnostics;
    notes.sort_by(|a, b| a.message.cmp(&b.message));
    diagnostics.extend(notes);
    Ok(Report {
        outcomes: outcomes.into_iter().map(|(_, o)| o).collect(),
        diagnostics,
        solver_version,
        solver_versions: versions,
    })
}

fn join_desc(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}; {b}"),
    }
}

pub(crate) fn note(msg: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Note,
        message: msg,
    }
}

/// Render a signature as `(bv 32, bv 32) -> bv 32`.
pub fn describe_signature(sig: &Signature) -> String {
    let args: Vec<String> = sig.args.iter().map(describe_model).collect();
    format!("({}) -> {}", args.join(", "), describe_model(&sig.ret))
}

fn describe_model(m: &ModelType) -> String {
    match m {
        ModelType::Unspecified => "!".to_string(),
        ModelType::Auto => "_".to_string(),
        ModelType::Int => "Int".to_string(),
        ModelType::Bool => "Bool".to_string(),
        ModelType::Unit => "Unit".to_string(),
        ModelType::BitVec(Some(w)) => format!("bv {w}"),
        ModelType::BitVec(None) => "bv".to_string(),
        ModelType::Struct(fs) => {
            let fs: Vec<String> = fs
                .iter()
                .map(|f| format!("{} {}", f.name.0, describe_model(&f.ty)))
                .collect();
            format!("{{{}}}", fs.join(", "))
        }
        ModelType::Named(n) => n.0.clone(),
    }
}

/// The root terms a run verifies: as requested, or every term with rules
/// and a spec. Shared with [`crate::fingerprint`], which must see exactly the
/// rules a run checks.
pub(crate) fn select_roots(prog: &Program, opts: &Options) -> Result<Vec<String>, Error> {
    let mut roots: Vec<String> = Vec::new();
    if opts.roots.is_empty() {
        for t in &prog.termenv.terms {
            let name = prog.term_name(t.id).to_string();
            let has_rules = prog.termenv.rules.iter().any(|r| r.root_term == t.id);
            if has_rules && prog.specs.contains_key(&name) && !prog.chain.contains(&name) {
                roots.push(name);
            }
        }
    } else {
        for r in &opts.roots {
            if prog.term_by_name(r).is_none() {
                return Err(Error::Usage(format!("no term named `{r}`")));
            }
            if !prog.specs.contains_key(r) {
                return Err(Error::Usage(format!(
                    "term `{r}` has no spec, so its rules cannot be verified as a root"
                )));
            }
            roots.push(r.clone());
        }
    }
    Ok(roots)
}

/// Which entries of the `--rule` filter select this rule (empty: none).
pub(crate) fn rule_filter_hits(
    prog: &Program,
    rule: &cranelift_isle::sema::Rule,
    label: &str,
    wants: &[String],
) -> Vec<usize> {
    let name = rule.name.map(|n| prog.sym(n).to_string());
    let mut hits = Vec::new();
    for (i, want) in wants.iter().enumerate() {
        // Unnamed rules are `path:line`; `file.isle:line` (a path suffix)
        // selects them too.
        let suffix = label
            .strip_suffix(want.as_str())
            .is_some_and(|pre| pre.is_empty() || pre.ends_with('/'));
        if suffix || name.as_deref() == Some(want.as_str()) {
            hits.push(i);
        }
    }
    hits
}

/// The signatures a root is checked at, each with the tags of its
/// `instantiate` (`None`: no instantiate, types inferred from the models).
pub(crate) fn root_signatures(prog: &Program, root: &str) -> Vec<(Option<Signature>, Vec<String>)> {
    match prog.instantiations.get(root) {
        Some(s) if !s.is_empty() => {
            let tags = prog.instantiation_tags.get(root);
            s.iter()
                .enumerate()
                .map(|(i, sig)| {
                    let t = tags.and_then(|t| t.get(i)).cloned().unwrap_or_default();
                    (Some(sig.clone()), t)
                })
                .collect()
        }
        _ => vec![(None, Vec::new())],
    }
}

/// Decide the jobs: selected roots and rules, their expansions, their
/// instantiations.
fn plan(
    prog: &Program,
    opts: &Options,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(Vec<Job>, Vec<Early>), Error> {
    let roots = select_roots(prog, opts)?;
    let mut matched_rules = vec![false; opts.rules.len()];
    let mut jobs = Vec::new();
    let mut early = Vec::new();
    let mut group = 0;
    for root in &roots {
        let Some(tid) = prog.term_by_name(root) else {
            continue;
        };
        let sigs: Vec<Option<Signature>> = match prog.instantiations.get(root) {
            Some(s) if !s.is_empty() => s.iter().cloned().map(Some).collect(),
            _ => {
                diagnostics.push(note(format!(
                    "root `{root}` has no instantiate: its types are inferred from the models alone"
                )));
                vec![None]
            }
        };
        let mut rules: Vec<&cranelift_isle::sema::Rule> = prog
            .termenv
            .rules
            .iter()
            .filter(|r| r.root_term == tid)
            .collect();
        rules.sort_by_key(|r| r.pos);
        for rule in rules {
            let label = prog.rule_name(rule.id);
            if !opts.rules.is_empty() {
                let hits = rule_filter_hits(prog, rule, &label, &opts.rules);
                if hits.is_empty() {
                    continue;
                }
                for i in hits {
                    matched_rules[i] = true;
                }
            }
            match expansions(prog, rule.id, &label) {
                Ok(exps) => {
                    for (choices, expansion) in exps {
                        for (si, sig) in sigs.iter().enumerate() {
                            jobs.push(Job {
                                group,
                                root: root.clone(),
                                rule: rule.id,
                                label: label.clone(),
                                choices: choices.clone(),
                                expansion: expansion.clone(),
                                sig: sig.clone(),
                                sig_index: si,
                                instantiation: sig
                                    .as_ref()
                                    .map(describe_signature)
                                    .unwrap_or_else(|| "(inferred)".to_string()),
                            });
                        }
                    }
                }
                Err(message) => early.push(Early {
                    root: root.clone(),
                    label: label.clone(),
                    message,
                }),
            }
            group += 1;
        }
    }
    for (i, hit) in matched_rules.iter().enumerate() {
        if !hit {
            return Err(Error::Usage(format!(
                "no rule named `{}` under the selected roots",
                opts.rules[i]
            )));
        }
    }
    Ok((jobs, early))
}

/// Enumerate the chained expansions of a rule: each is the list of chained
/// rules chosen at successive chained call sites.
fn expansions(
    prog: &Program,
    rule: RuleId,
    label: &str,
) -> Result<Vec<(Vec<RuleId>, String)>, String> {
    let mut out = Vec::new();
    let mut work: Vec<Vec<RuleId>> = vec![Vec::new()];
    while let Some(choices) = work.pop() {
        let b = Builder::new(prog, label, choices.clone());
        match b.build_root(rule, None) {
            Ok(b) => out.push((choices, b.chosen.join("; "))),
            Err(BuildError::NeedChoice(cands)) => {
                // Push in reverse so expansions come out in priority order.
                for c in cands.into_iter().rev() {
                    let mut next = choices.clone();
                    next.push(c);
                    work.push(next);
                }
            }
            Err(BuildError::Error(e)) => {
                // A type conflict without an instantiation is not an error
                // yet: the instantiated build will tell. Anything else is.
                if e.contains("mismatch") {
                    out.push((choices, String::new()));
                } else {
                    return Err(e);
                }
            }
        }
        if out.len() + work.len() > MAX_EXPANSIONS {
            return Err(format!(
                "rule `{label}` has more than {MAX_EXPANSIONS} chained expansions"
            ));
        }
    }
    Ok(out)
}

fn run_job(
    prog: &Program,
    opts: &Options,
    cache: Option<&Cache>,
    versions: &[(SolverKind, String)],
    index: usize,
    job: &Job,
) -> Vec<Done> {
    let start = Instant::now();
    let one = |result| {
        vec![Done {
            job: index,
            types: String::new(),
            result,
            time: start.elapsed(),
            cached: false,
            solver: None,
        }]
    };
    let b = Builder::new(prog, &job.label, job.choices.clone());
    let built = match b.build_root(job.rule, job.sig.as_ref()) {
        Ok(b) => b,
        Err(BuildError::Error(e)) if e.contains("mismatch") => {
            return one(JobResult::Conflict(e));
        }
        Err(BuildError::Error(e)) => return one(JobResult::Answer(Answer::Error(e))),
        Err(BuildError::NeedChoice(_)) => {
            return one(JobResult::Answer(Answer::Error(format!(
                "rule `{}`: internal error: expansion incomplete",
                job.label
            ))));
        }
    };
    let solutions = match built.type_solutions() {
        Ok(s) => s,
        Err(f) => {
            let at = |e: String| {
                format!(
                    "rule `{}` at instantiation {}: {e}",
                    job.label, job.instantiation
                )
            };
            return one(match f {
                TypeFailure::Conflict(e) => JobResult::Conflict(at(e)),
                TypeFailure::Untypable(e) => JobResult::Answer(Answer::Error(at(e))),
            });
        }
    };
    let mut out = Vec::new();
    for (vc, types) in solutions {
        let t0 = Instant::now();
        let (result, cached, solver) = solve_portfolio(opts, cache, versions, job, &vc);
        out.push(Done {
            job: index,
            types,
            result,
            time: t0.elapsed(),
            cached,
            solver,
        });
    }
    out
}

/// The solvers to try, in order, with their timeouts: the one `preferred`
/// names for this entry (else `--solver`), then the other one if there is a
/// fallback. `--solver` runs with `--timeout`, any other with
/// `fallback_timeout`.
pub(crate) fn portfolio(opts: &Options, entry: &str) -> Vec<(SolverKind, Duration)> {
    let timeout = |k: SolverKind| {
        if k == opts.solver {
            opts.timeout
        } else {
            opts.fallback_timeout
        }
    };
    let first = opts.preferred.get(entry).copied().unwrap_or(opts.solver);
    let second = if first == opts.solver {
        opts.fallback
    } else {
        Some(opts.solver)
    };
    let mut order = vec![(first, timeout(first))];
    if let Some(s) = second.filter(|&s| s != first) {
        order.push((s, timeout(s)));
    }
    order
}

/// Run the portfolio: the next solver only after an `unknown` or a timeout.
/// Whatever else a solver answers (a proof, a counterexample, an error) is
/// the verdict.
fn solve_portfolio(
    opts: &Options,
    cache: Option<&Cache>,
    versions: &[(SolverKind, String)],
    job: &Job,
    vc: &crate::ir::Vc,
) -> (JobResult, bool, Option<SolverKind>) {
    let entry = format!("{} {} {}", job.root, job.label, job.instantiation);
    let mut last = None;
    for (kind, timeout) in portfolio(opts, &entry) {
        let version = versions
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        let (result, cached) = solve_vc(cache, kind, timeout, version, job, vc);
        let retry = matches!(
            result,
            JobResult::Answer(Answer::Unknown(_) | Answer::Timeout)
        );
        last = Some((result, cached, Some(kind)));
        if !retry {
            break;
        }
    }
    last.unwrap_or((
        JobResult::Answer(Answer::Error("no solver to run".to_string())),
        false,
        None,
    ))
}

fn solve_vc(
    cache: Option<&Cache>,
    kind: SolverKind,
    timeout: Duration,
    version: &str,
    job: &Job,
    vc: &crate::ir::Vc,
) -> (JobResult, bool) {
    let q = match encode::encode(vc) {
        Ok(q) => q,
        Err(e) => {
            return (
                JobResult::Answer(Answer::Error(format!("rule `{}`: {e}", job.label))),
                false,
            );
        }
    };
    let script = q.script();
    let key = Cache::key(solver::program(kind), version, &script);
    // Debugging aid: WASMPROOF_VERIFIER_DUMP=<dir> keeps every query's text.
    if let Some(dir) = std::env::var_os("WASMPROOF_VERIFIER_DUMP") {
        let name = format!(
            "{}-{}.smt2",
            crate::encode::sanitize(&job.label),
            &key[..key.len().min(12)]
        );
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(std::path::Path::new(&dir).join(name), &script);
    }
    if let Some(c) = cache
        && let Some(a) = c.get(&key)
    {
        return (JobResult::Answer(a), true);
    }
    let answer = solver::solve(&q, kind, timeout);
    if let Some(c) = cache {
        // A cache we cannot write only costs time next run.
        let _ = c.put(&key, &answer);
    }
    (JobResult::Answer(answer), false)
}

/// Turn one rule's job results into outcomes and notes.
fn aggregate(jobs: &[Job], results: Vec<Done>) -> (Vec<(usize, Outcome)>, Vec<Diagnostic>) {
    let mut outs = Vec::new();
    let mut diags = Vec::new();
    let Some(first) = results.first().and_then(|d| jobs.get(d.job)) else {
        return (outs, diags);
    };
    let (root, label) = (first.root.clone(), first.label.clone());
    let mut results = results;
    results.sort_by_key(|d| d.job);

    let applies = |r: &JobResult| {
        !matches!(
            r,
            JobResult::Conflict(_) | JobResult::Answer(Answer::Inapplicable | Answer::Vacuous)
        )
    };
    let any_applies = results.iter().any(|d| applies(&d.result));
    if !any_applies {
        // The rule applies nowhere: one outcome says why.
        let all_conflict = results
            .iter()
            .all(|d| matches!(d.result, JobResult::Conflict(_)));
        let verdict = if all_conflict {
            let why = results
                .iter()
                .find_map(|d| match &d.result {
                    JobResult::Conflict(m) => Some(m.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            Verdict::Error(format!("no instantiation type-checks: {why}"))
        } else {
            Verdict::Vacuous
        };
        let time = results.iter().map(|d| d.time).sum();
        let cached = results.iter().all(|d| d.cached);
        let instantiation = if results.len() == 1 {
            jobs.get(results[0].job)
                .map(|j| j.instantiation.clone())
                .unwrap_or_default()
        } else {
            "any".to_string()
        };
        let k = results.first().map(|d| d.job).unwrap_or(0);
        outs.push((
            k,
            Outcome {
                root,
                rule: label,
                instantiation,
                expansion: String::new(),
                verdict,
                time,
                cached,
                solver: results.iter().rev().find_map(|d| d.solver),
            },
        ));
        return (outs, diags);
    }

    // Per instantiation: does any expansion apply there?
    let mut sig_applies: BTreeMap<usize, bool> = BTreeMap::new();
    let mut sig_feasible_types: BTreeMap<usize, bool> = BTreeMap::new();
    for d in &results {
        let Some(j) = jobs.get(d.job) else { continue };
        *sig_applies.entry(j.sig_index).or_default() |= applies(&d.result);
        *sig_feasible_types.entry(j.sig_index).or_default() |= !matches!(
            d.result,
            JobResult::Conflict(_) | JobResult::Answer(Answer::Inapplicable)
        );
    }
    for d in results {
        let Some(j) = jobs.get(d.job) else { continue };
        let verdict = match d.result {
            JobResult::Conflict(m) => {
                diags.push(note(format!(
                    "rule `{label}` does not apply at {}: {m}",
                    j.instantiation
                )));
                continue;
            }
            JobResult::Answer(Answer::Inapplicable) => {
                diags.push(note(format!(
                    "rule `{label}` does not apply at {} (its type constraints cannot hold)",
                    j.instantiation
                )));
                continue;
            }
            JobResult::Answer(Answer::Vacuous) => {
                if sig_applies.get(&j.sig_index).copied().unwrap_or(false) {
                    diags.push(note(format!(
                        "rule `{label}`: expansion [{}] can never match at {}; dropped",
                        j.expansion, j.instantiation
                    )));
                    continue;
                }
                if !sig_feasible_types
                    .get(&j.sig_index)
                    .copied()
                    .unwrap_or(true)
                {
                    continue;
                }
                Verdict::Vacuous
            }
            JobResult::Answer(Answer::Proven) => Verdict::Proven,
            JobResult::Answer(Answer::Counterexample(ce)) => Verdict::Counterexample(ce),
            JobResult::Answer(Answer::Unknown(r)) => Verdict::Unknown(r),
            JobResult::Answer(Answer::Timeout) => Verdict::Timeout,
            JobResult::Answer(Answer::Error(e)) => Verdict::Error(e),
        };
        outs.push((
            d.job,
            Outcome {
                root: j.root.clone(),
                rule: j.label.clone(),
                instantiation: j.instantiation.clone(),
                expansion: join_desc(&j.expansion, &d.types),
                verdict,
                time: d.time,
                cached: d.cached,
                solver: d.solver,
            },
        ));
    }
    // Several vacuous expansions at one instantiation: report it once.
    let mut seen = std::collections::HashSet::new();
    outs.retain(|(k, o)| {
        if o.verdict != Verdict::Vacuous {
            return true;
        }
        let sig = jobs.get(*k).map(|j| j.sig_index).unwrap_or(0);
        seen.insert(sig)
    });
    (outs, diags)
}
