//! The differential engine: one module, several peers, every observable
//! compared after every step.

use std::fmt;

use arbitrary::Unstructured;
use serde::{Deserialize, Serialize};

use crate::peer::{Exports, Limits, Outcome, Peer, Runner};
use crate::value::{Value, arbitrary_value, show_values};

/// One call of an exported function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub export: String,
    pub args: Vec<Value>,
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.export, show_values(&self.args))
    }
}

/// The calls made after instantiation, in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub calls: Vec<Call>,
}

/// At most this many calls beyond one per exported function.
pub const MAX_EXTRA_CALLS: usize = 8;

impl Plan {
    /// Every exported function once, in export order, then up to
    /// [`MAX_EXTRA_CALLS`] more chosen by `u`; arguments from `u`, biased to
    /// edge values. Functions whose parameters the fuzzer cannot make are
    /// left out.
    pub fn arbitrary(u: &mut Unstructured<'_>, exports: &Exports) -> arbitrary::Result<Plan> {
        let callable: Vec<_> = exports
            .funcs
            .iter()
            .filter(|f| !f.params.contains(&crate::value::Ty::OtherRef))
            .collect();
        let mut order: Vec<usize> = (0..callable.len()).collect();
        if !callable.is_empty() {
            let extra = u.int_in_range(0..=MAX_EXTRA_CALLS)?;
            for _ in 0..extra {
                order.push(u.choose_index(callable.len())?);
            }
        }
        let mut calls = Vec::with_capacity(order.len());
        for i in order {
            let f = callable[i];
            let mut args = Vec::with_capacity(f.params.len());
            for ty in &f.params {
                if let Some(v) = arbitrary_value(u, *ty)? {
                    args.push(v);
                }
            }
            calls.push(Call {
                export: f.name.clone(),
                args,
            });
        }
        Ok(Plan { calls })
    }

    /// Every exported function once with all-zero arguments (`replay`
    /// without a recorded plan).
    pub fn zeros(exports: &Exports) -> Plan {
        let mut u = Unstructured::new(&[]);
        Plan::arbitrary(&mut u, exports).unwrap_or_default()
    }
}

/// What was being compared when two peers disagreed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Step {
    Compile,
    Exports,
    Instantiate,
    /// The `index`-th call of the plan.
    Call {
        index: usize,
        call: Call,
    },
    Global {
        name: String,
        after: String,
    },
    Memory {
        name: String,
        after: String,
    },
    Table {
        name: String,
        after: String,
    },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Compile => f.write_str("compile"),
            Step::Exports => f.write_str("exports"),
            Step::Instantiate => f.write_str("instantiate"),
            Step::Call { index, call } => write!(f, "call #{index} {call}"),
            Step::Global { name, after } => write!(f, "global `{name}` after {after}"),
            Step::Memory { name, after } => write!(f, "memory `{name}` after {after}"),
            Step::Table { name, after } => write!(f, "table `{name}` after {after}"),
        }
    }
}

/// Two peers disagreeing: everything needed to reproduce and judge it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Divergence {
    #[serde(skip)]
    pub wasm: Vec<u8>,
    pub plan: Plan,
    pub limits: Limits,
    pub peers: Vec<String>,
    pub step: Step,
    /// The peer compared against (the reference) and what it did.
    pub expected_peer: String,
    pub expected: String,
    /// The peer that disagreed and what it did.
    pub actual_peer: String,
    pub actual: String,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "divergence at {}", self.step)?;
        writeln!(f, "  {:>24}: {}", self.expected_peer, self.expected)?;
        write!(f, "  {:>24}: {}", self.actual_peer, self.actual)
    }
}

/// The result of comparing one module.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Every peer agreed on every step; `calls` calls were compared.
    Agree {
        calls: usize,
    },
    /// A peer ran out of fuel or stack (or fewer than two peers could run
    /// the module): no verdict, and no alarm.
    NoVerdict(String),
    Diverged(Box<Divergence>),
}

impl Verdict {
    pub fn divergence(&self) -> Option<&Divergence> {
        match self {
            Verdict::Diverged(d) => Some(d),
            _ => None,
        }
    }
}

/// Per-step outcomes for a replay's printout.
pub type Trace = Vec<(String, Vec<(String, Outcome)>)>;

/// Runs `wasm` on every peer (the first is the reference), then the plan,
/// comparing results, traps, exported globals, memories and table sizes
/// after every step.
pub fn run(wasm: &[u8], peers: &[Peer], limits: &Limits, plan: &Plan) -> Verdict {
    run_traced(wasm, peers, limits, plan, None)
}

/// [`run`], recording each peer's outcome of each step into `trace`.
pub fn run_traced(
    wasm: &[u8],
    peers: &[Peer],
    limits: &Limits,
    plan: &Plan,
    mut trace: Option<&mut Trace>,
) -> Verdict {
    let mut session = match Session::compile(wasm, peers, limits, plan) {
        Ok(s) => s,
        Err(v) => return v,
    };
    match session.step(Step::Instantiate, |r| r.instantiate(), trace.as_deref_mut()) {
        Err(v) => return v,
        // Every peer trapped the same way: there is no instance to call.
        Ok(Outcome::Trapped(_) | Outcome::Error(_)) => return Verdict::Agree { calls: 0 },
        Ok(_) => {}
    }
    if let Err(v) = session.compare_state("instantiation") {
        return v;
    }
    for (index, call) in plan.calls.iter().enumerate() {
        let step = Step::Call {
            index,
            call: call.clone(),
        };
        if let Err(v) = session.step(
            step,
            |r| r.call(&call.export, &call.args),
            trace.as_deref_mut(),
        ) {
            return v;
        }
        if let Err(v) = session.compare_state(&format!("call #{index} {call}")) {
            return v;
        }
    }
    Verdict::Agree {
        calls: plan.calls.len(),
    }
}

/// Compiles on every peer and returns the reference's exports (for making a
/// plan), or the verdict if compilation already decided it.
pub fn compile_exports(wasm: &[u8], peers: &[Peer], limits: &Limits) -> Result<Exports, Verdict> {
    Session::compile(wasm, peers, limits, &Plan::default()).map(|s| s.exports)
}

struct Session<'a> {
    wasm: &'a [u8],
    peers: &'a [Peer],
    limits: Limits,
    plan: &'a Plan,
    runners: Vec<Box<dyn Runner>>,
    exports: Exports,
}

impl<'a> Session<'a> {
    fn compile(
        wasm: &'a [u8],
        peers: &'a [Peer],
        limits: &Limits,
        plan: &'a Plan,
    ) -> Result<Session<'a>, Verdict> {
        if peers.len() < 2 {
            return Err(Verdict::NoVerdict(format!(
                "{} peer(s): nothing to compare",
                peers.len()
            )));
        }
        let mut runners = Vec::with_capacity(peers.len());
        let mut exports = Vec::with_capacity(peers.len());
        for peer in peers {
            let mut r = peer.runner(limits);
            exports.push(r.compile(wasm));
            runners.push(r);
        }
        let mut session = Session {
            wasm,
            peers,
            limits: *limits,
            plan,
            runners,
            exports: Exports::default(),
        };
        // Every peer was chosen because it supports the module's proposals:
        // a compile error on any side is a finding.
        let describe = |e: &Result<Exports, String>| match e {
            Ok(_) => "compiled".to_string(),
            Err(msg) => format!("compile error: {msg}"),
        };
        for i in 0..peers.len() {
            if exports[i].is_err() {
                let j = if i == 0 { 1 } else { 0 };
                return Err(session.diverged(
                    Step::Compile,
                    j,
                    describe(&exports[j]),
                    i,
                    describe(&exports[i]),
                ));
            }
        }
        let reference = exports[0].clone().unwrap_or_default();
        for (i, e) in exports.iter().enumerate().skip(1) {
            // Engines may list exports in any order.
            if e.as_ref().ok().map(Exports::normalized) != Some(reference.normalized()) {
                return Err(session.diverged(
                    Step::Exports,
                    0,
                    format!("{reference:?}"),
                    i,
                    format!("{e:?}"),
                ));
            }
        }
        session.exports = reference;
        Ok(session)
    }

    fn diverged(
        &self,
        step: Step,
        expected_peer: usize,
        expected: String,
        actual_peer: usize,
        actual: String,
    ) -> Verdict {
        Verdict::Diverged(Box::new(Divergence {
            wasm: self.wasm.to_vec(),
            plan: self.plan.clone(),
            limits: self.limits,
            peers: self.peers.iter().map(Peer::name).collect(),
            step,
            expected_peer: self.peers[expected_peer].name(),
            expected,
            actual_peer: self.peers[actual_peer].name(),
            actual,
        }))
    }

    /// Runs `f` on every peer and compares the outcomes with the reference's;
    /// returns the reference's outcome when they agree.
    fn step(
        &mut self,
        step: Step,
        mut f: impl FnMut(&mut dyn Runner) -> Outcome,
        trace: Option<&mut Trace>,
    ) -> Result<Outcome, Verdict> {
        let mut outcomes: Vec<Outcome> = self.runners.iter_mut().map(|r| f(r.as_mut())).collect();
        if let Some(trace) = trace {
            let row = self
                .peers
                .iter()
                .map(Peer::name)
                .zip(outcomes.iter().cloned())
                .collect();
            trace.push((step.to_string(), row));
        }
        if let Some(i) = outcomes
            .iter()
            .position(|o| matches!(o, Outcome::Exhausted(_)))
        {
            return Err(Verdict::NoVerdict(format!(
                "{} at {step}: {}",
                self.peers[i], outcomes[i]
            )));
        }
        for (i, o) in outcomes.iter().enumerate().skip(1) {
            if !outcomes[0].agrees(o) {
                return Err(self.diverged(step, 0, outcomes[0].to_string(), i, o.to_string()));
            }
        }
        Ok(outcomes.swap_remove(0))
    }

    /// Compares every exported global, memory and table with the reference's.
    fn compare_state(&self, after: &str) -> Result<(), Verdict> {
        let (reference, others) = match self.runners.split_first() {
            Some(x) => x,
            None => return Ok(()),
        };
        for name in &self.exports.globals {
            let want = reference.global(name);
            for (i, r) in others.iter().enumerate() {
                let got = r.global(name);
                let same = match (&want, &got) {
                    (Some(a), Some(b)) => a.same(b),
                    (None, None) => true,
                    _ => false,
                };
                if !same {
                    let step = Step::Global {
                        name: name.clone(),
                        after: after.to_string(),
                    };
                    return Err(self.diverged(step, 0, show(&want), i + 1, show(&got)));
                }
            }
        }
        for name in &self.exports.memories {
            let want = reference.memory(name);
            for (i, r) in others.iter().enumerate() {
                let got = r.memory(name);
                if want != got {
                    let step = Step::Memory {
                        name: name.clone(),
                        after: after.to_string(),
                    };
                    let (e, a) = describe_memories(want, got);
                    return Err(self.diverged(step, 0, e, i + 1, a));
                }
            }
        }
        for name in &self.exports.tables {
            let want = reference.table_size(name);
            for (i, r) in others.iter().enumerate() {
                let got = r.table_size(name);
                if want != got {
                    let step = Step::Table {
                        name: name.clone(),
                        after: after.to_string(),
                    };
                    return Err(self.diverged(
                        step,
                        0,
                        format!("size {want:?}"),
                        i + 1,
                        format!("size {got:?}"),
                    ));
                }
            }
        }
        Ok(())
    }
}

fn show(v: &Option<Value>) -> String {
    match v {
        Some(v) => v.to_string(),
        None => "missing".to_string(),
    }
}

/// The first difference between two memories, described from each side.
fn describe_memories(a: Option<&[u8]>, b: Option<&[u8]>) -> (String, String) {
    match (a, b) {
        (Some(a), Some(b)) if a.len() != b.len() => {
            (format!("{} bytes", a.len()), format!("{} bytes", b.len()))
        }
        (Some(a), Some(b)) => {
            let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(0);
            let end = (at + 16).min(a.len());
            (
                format!("bytes at {at:#x}: {:02x?}", &a[at..end]),
                format!("bytes at {at:#x}: {:02x?}", &b[at..end]),
            )
        }
        (a, b) => (
            a.map_or("missing".into(), |m| format!("{} bytes", m.len())),
            b.map_or("missing".into(), |m| format!("{} bytes", m.len())),
        ),
    }
}
