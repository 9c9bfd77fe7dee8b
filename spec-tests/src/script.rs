//! Executing the directives of one `.wast` script against a [`Session`].
//!
//! Every directive ends in exactly one [`Outcome`]: passed, failed (with
//! what was expected and what happened), or skipped (naming the proposal
//! the strategy lacks). Modules are tracked by name so that directives on a
//! skipped module are skipped with the same proposal, and directives on a
//! module that failed to load fail with a pointer to that module's line.

use std::collections::HashMap;

use wasmproof_oracle::HeapType;
use wast::core::{
    AbstractHeapType, HeapType as WastHeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore,
};
use wast::token::{Id, Index};
use wast::{QuoteWat, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

use crate::strategy::{
    CallError, InstanceId, InstantiateError, LoadError, ModuleId, Session, TrapInfo,
};
use crate::value::{self, RefVal, Val};

/// The result of one directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Pass,
    Fail { expected: String, actual: String },
    Skip(&'static str),
}

fn fail(expected: impl Into<String>, actual: impl Into<String>) -> Outcome {
    Outcome::Fail {
        expected: expected.into(),
        actual: actual.into(),
    }
}

/// A defined module.
#[derive(Clone, Copy, Debug)]
enum Def {
    Loaded(ModuleId),
    /// Needs this proposal; the second field indexes the module's import
    /// names in `Script::skipped_imports`.
    Skipped(&'static str, usize),
    /// Failed to load at this line.
    Broken(usize),
}

/// A module instance (or a registered name).
#[derive(Clone, Copy, Debug)]
enum Inst {
    Live(InstanceId),
    Skipped(&'static str),
    Broken(usize),
}

pub(crate) struct Script {
    session: Box<dyn Session>,
    defs: HashMap<String, Def>,
    insts: HashMap<String, Inst>,
    /// Registered names whose instance is not live (skipped or broken).
    dead_registrations: HashMap<String, Inst>,
    current: Option<Inst>,
    last_def: Option<Def>,
    /// Registered names of live instances.
    live_registrations: HashMap<String, InstanceId>,
    /// The module names each skipped module imports from.
    skipped_imports: Vec<Vec<String>>,
    /// Live instances whose state a skipped module may have changed (it
    /// imported from them and was instantiated): observing them is skipped
    /// with that module's proposal, since the expected values assume its effects.
    tainted: HashMap<InstanceId, &'static str>,
}

/// The directive's keyword, for reports.
pub(crate) fn directive_name(d: &WastDirective<'_>) -> &'static str {
    match d {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
    }
}

/// Whether a trap's message is the one the script expects. The suite's
/// wording may be a prefix or a variant of ours (or ours of theirs).
pub(crate) fn trap_message_matches(expected: &str, actual: &str) -> bool {
    let (e, a) = (expected.trim(), actual.trim());
    !a.is_empty() && (e.contains(a) || a.contains(e))
}

fn is_component(qw: &QuoteWat<'_>) -> bool {
    matches!(
        qw,
        QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..)
    )
}

impl Script {
    pub(crate) fn new(session: Box<dyn Session>) -> Script {
        Script {
            session,
            defs: HashMap::new(),
            insts: HashMap::new(),
            dead_registrations: HashMap::new(),
            current: None,
            last_def: None,
            live_registrations: HashMap::new(),
            skipped_imports: Vec::new(),
            tainted: HashMap::new(),
        }
    }

    /// Marks the names a module directive binds as broken at `line` before it
    /// runs, so that a panic in the middle leaves no stale binding behind.
    pub(crate) fn prepare(&mut self, d: &WastDirective<'_>, line: usize) {
        match d {
            WastDirective::Module(qw) => {
                if let Some(id) = qw.name() {
                    self.defs.insert(id.name().to_string(), Def::Broken(line));
                    self.insts.insert(id.name().to_string(), Inst::Broken(line));
                }
                self.last_def = Some(Def::Broken(line));
                self.current = Some(Inst::Broken(line));
            }
            WastDirective::ModuleDefinition(qw) => {
                if let Some(id) = qw.name() {
                    self.defs.insert(id.name().to_string(), Def::Broken(line));
                }
                self.last_def = Some(Def::Broken(line));
            }
            WastDirective::ModuleInstance { instance, .. } => {
                if let Some(id) = instance {
                    self.insts.insert(id.name().to_string(), Inst::Broken(line));
                }
                self.current = Some(Inst::Broken(line));
            }
            _ => {}
        }
    }

    pub(crate) fn run(&mut self, d: WastDirective<'_>, line: usize) -> Outcome {
        match d {
            WastDirective::Module(mut qw) => {
                let name = qw.name().map(|id| id.name().to_string());
                let (def, outcome) = self.define(&mut qw, line);
                let (inst, outcome) = match (def, outcome) {
                    (Def::Loaded(_) | Def::Skipped(..), _) => self.instantiate(def, line),
                    (Def::Broken(_), other) => (Inst::Broken(line), other),
                };
                if let Some(name) = name {
                    self.defs.insert(name.clone(), def);
                    self.insts.insert(name, inst);
                }
                self.last_def = Some(def);
                self.current = Some(inst);
                outcome
            }
            WastDirective::ModuleDefinition(mut qw) => {
                let name = qw.name().map(|id| id.name().to_string());
                let (def, outcome) = self.define(&mut qw, line);
                if let Some(name) = name {
                    self.defs.insert(name, def);
                }
                self.last_def = Some(def);
                outcome
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let def = match module {
                    Some(id) => self.defs.get(id.name()).copied(),
                    None => self.last_def,
                };
                let Some(def) = def else {
                    return fail(
                        "a defined module to instantiate",
                        match module {
                            Some(id) => format!("no module named ${}", id.name()),
                            None => "no module defined yet".to_string(),
                        },
                    );
                };
                let (inst, outcome) = self.instantiate(def, line);
                if let Some(id) = instance {
                    self.insts.insert(id.name().to_string(), inst);
                }
                self.current = Some(inst);
                outcome
            }
            WastDirective::Register { name, module, .. } => match self.resolve(module) {
                Err(o) => o,
                Ok(Inst::Live(i)) => {
                    self.session.register(name, i);
                    self.dead_registrations.remove(name);
                    self.live_registrations.insert(name.to_string(), i);
                    match self.tainted.get(&i) {
                        Some(p) => Outcome::Skip(p),
                        None => Outcome::Pass,
                    }
                }
                Ok(dead) => {
                    self.live_registrations.remove(name);
                    self.dead_registrations.insert(name.to_string(), dead);
                    dead_outcome(dead)
                }
            },
            WastDirective::Invoke(inv) => {
                let (inst, args) = match self.prepare_invoke(&inv) {
                    Ok(x) => x,
                    Err(o) => return o,
                };
                match self.session.invoke(inst, inv.name, &args) {
                    Ok(_) => Outcome::Pass,
                    Err(e) => fail("a normal return", call_error_text(&e)),
                }
            }
            WastDirective::AssertReturn { exec, results, .. } => {
                self.assert_return(exec, &results, line)
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                self.assert_trap(exec, message, line)
            }
            WastDirective::AssertExhaustion { call, message, .. } => {
                let (inst, args) = match self.prepare_invoke(&call) {
                    Ok(x) => x,
                    Err(o) => return o,
                };
                let expected = format!("exhaustion \"{message}\"");
                match self.session.invoke(inst, call.name, &args) {
                    Err(CallError::Trap(t)) if t.exhausted => Outcome::Pass,
                    Err(e) => fail(expected, call_error_text(&e)),
                    Ok(vals) => fail(expected, format!("returned {}", fmt_vals(&vals))),
                }
            }
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            } => self.assert_rejected(&mut module, "invalid", message),
            WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => self.assert_rejected(&mut module, "malformed", message),
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => {
                let mut qw = QuoteWat::Wat(module);
                let expected = format!("unlinkable \"{message}\"");
                let (def, outcome) = self.define(&mut qw, line);
                match (def, outcome) {
                    (Def::Loaded(m), _) => match self.instantiate_raw(m) {
                        Err(o) => o,
                        Ok(Err(InstantiateError::Unlinkable(_))) => Outcome::Pass,
                        Ok(Ok(_)) => fail(expected, "module instantiated"),
                        Ok(Err(e)) => fail(expected, instantiate_error_text(&e)),
                    },
                    (_, Outcome::Skip(p)) => Outcome::Skip(p),
                    (_, Outcome::Fail { actual, .. }) => fail(expected, actual),
                    (_, Outcome::Pass) => fail(expected, "module did not load"),
                }
            }
            WastDirective::AssertException { .. } => Outcome::Skip("exceptions"),
            WastDirective::AssertSuspension { .. } => Outcome::Skip("stack-switching"),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => Outcome::Skip("threads"),
            WastDirective::AssertInvalidCustom { .. }
            | WastDirective::AssertMalformedCustom { .. } => Outcome::Skip("annotations"),
        }
    }

    /// Encodes and loads a module (the "definition" half of `module`).
    fn define(&mut self, qw: &mut QuoteWat<'_>, line: usize) -> (Def, Outcome) {
        if is_component(qw) {
            return (
                Def::Skipped("component-model", usize::MAX),
                Outcome::Skip("component-model"),
            );
        }
        let bytes = match qw.encode() {
            Ok(b) => b,
            Err(e) => {
                return (
                    Def::Broken(line),
                    fail(
                        "a valid module",
                        format!("the text does not encode: {}", e.message()),
                    ),
                );
            }
        };
        match self.session.load(&bytes) {
            Ok(m) => (Def::Loaded(m), Outcome::Pass),
            Err(LoadError::Invalid(msg)) => (
                Def::Broken(line),
                fail("a valid module", format!("module rejected: {msg}")),
            ),
            Err(LoadError::Unsupported(p)) => {
                self.skipped_imports.push(import_modules(&bytes));
                (
                    Def::Skipped(p, self.skipped_imports.len() - 1),
                    Outcome::Skip(p),
                )
            }
        }
    }

    /// A skipped module is being instantiated: it may change the state of the
    /// live instances it imports from, so those are tainted with its proposal.
    fn taint_from_skipped(&mut self, proposal: &'static str, imports: usize) {
        let Some(names) = self.skipped_imports.get(imports) else {
            return;
        };
        for name in names {
            if let Some(&i) = self.live_registrations.get(name) {
                self.tainted.entry(i).or_insert(proposal);
            }
        }
    }

    /// Instantiates a module; a module importing from a registered name that
    /// is not live gets that registration's outcome instead.
    fn instantiate_raw(
        &mut self,
        m: ModuleId,
    ) -> Result<Result<InstanceId, InstantiateError>, Outcome> {
        for import in self.session.import_modules(m) {
            if let Some(dead) = self.dead_registrations.get(&import) {
                return Err(match *dead {
                    Inst::Skipped(p) => Outcome::Skip(p),
                    Inst::Broken(l) => fail(
                        format!("a live instance registered as \"{import}\""),
                        format!("the module registered as \"{import}\" (line {l}) failed"),
                    ),
                    Inst::Live(_) => Outcome::Pass,
                });
            }
        }
        let result = self.session.instantiate(m);
        if let Ok(new) = result {
            // Importing from a tainted instance inherits its taint.
            let inherited = self
                .session
                .import_modules(m)
                .iter()
                .filter_map(|name| self.live_registrations.get(name))
                .find_map(|i| self.tainted.get(i).copied());
            if let Some(p) = inherited {
                self.tainted.insert(new, p);
            }
        }
        Ok(result)
    }

    fn instantiate(&mut self, def: Def, line: usize) -> (Inst, Outcome) {
        match def {
            Def::Loaded(m) => match self.instantiate_raw(m) {
                Err(Outcome::Skip(p)) => (Inst::Skipped(p), Outcome::Skip(p)),
                Err(o) => (Inst::Broken(line), o),
                Ok(Ok(i)) => (Inst::Live(i), Outcome::Pass),
                Ok(Err(e)) => (
                    Inst::Broken(line),
                    fail("a successful instantiation", instantiate_error_text(&e)),
                ),
            },
            Def::Skipped(p, imports) => {
                self.taint_from_skipped(p, imports);
                (Inst::Skipped(p), Outcome::Skip(p))
            }
            Def::Broken(l) => (
                Inst::Broken(line),
                fail(
                    "a loaded module",
                    format!("the module (line {l}) failed to load"),
                ),
            ),
        }
    }

    fn resolve(&self, module: Option<Id<'_>>) -> Result<Inst, Outcome> {
        match module {
            None => self
                .current
                .ok_or_else(|| fail("a current module", "no module instantiated yet")),
            Some(id) => self.insts.get(id.name()).copied().ok_or_else(|| {
                fail(
                    "a module instance",
                    format!("no instance named ${}", id.name()),
                )
            }),
        }
    }

    fn resolve_live(&self, module: Option<Id<'_>>) -> Result<InstanceId, Outcome> {
        match self.resolve(module)? {
            Inst::Live(i) => match self.tainted.get(&i) {
                Some(p) => Err(Outcome::Skip(p)),
                None => Ok(i),
            },
            dead => Err(dead_outcome(dead)),
        }
    }

    fn prepare_invoke(&self, inv: &WastInvoke<'_>) -> Result<(InstanceId, Vec<Val>), Outcome> {
        let inst = self.resolve_live(inv.module)?;
        let mut args = Vec::with_capacity(inv.args.len());
        for a in &inv.args {
            let v = arg_value(a)?;
            if matches!(v, Val::V128(_)) && !self.session.supports("simd") {
                return Err(Outcome::Skip("simd"));
            }
            args.push(v);
        }
        Ok((inst, args))
    }

    /// A proposal the expected results need that the strategy lacks.
    fn results_need(&self, results: &[WastRet<'_>]) -> Option<&'static str> {
        results
            .iter()
            .filter_map(ret_needs)
            .find(|p| *p != "simd" || !self.session.supports("simd"))
    }

    fn assert_return(
        &mut self,
        exec: WastExecute<'_>,
        results: &[WastRet<'_>],
        line: usize,
    ) -> Outcome {
        let expected_text = fmt_rets(results);
        let actual = match exec {
            WastExecute::Invoke(inv) => {
                let (inst, args) = match self.prepare_invoke(&inv) {
                    Ok(x) => x,
                    Err(o) => return o,
                };
                if let Some(p) = self.results_need(results) {
                    return Outcome::Skip(p);
                }
                match self.session.invoke(inst, inv.name, &args) {
                    Ok(v) => v,
                    Err(e) => return fail(expected_text, call_error_text(&e)),
                }
            }
            WastExecute::Get { module, global, .. } => {
                let inst = match self.resolve_live(module) {
                    Ok(i) => i,
                    Err(o) => return o,
                };
                if let Some(p) = self.results_need(results) {
                    return Outcome::Skip(p);
                }
                match self.session.get(inst, global) {
                    Ok(v) => vec![v],
                    Err(e) => return fail(expected_text, call_error_text(&e)),
                }
            }
            WastExecute::Wat(wat) => {
                let mut qw = QuoteWat::Wat(wat);
                let (def, outcome) = self.define(&mut qw, line);
                if outcome != Outcome::Pass {
                    return outcome;
                }
                let (_, outcome) = self.instantiate(def, line);
                if outcome != Outcome::Pass {
                    return outcome;
                }
                Vec::new()
            }
        };
        if actual.len() != results.len() {
            return fail(expected_text, fmt_vals(&actual));
        }
        for (r, v) in results.iter().zip(&actual) {
            match ret_matches(r, v) {
                Ok(true) => {}
                Ok(false) => return fail(expected_text, fmt_vals(&actual)),
                Err(p) => return Outcome::Skip(p),
            }
        }
        Outcome::Pass
    }

    fn assert_trap(&mut self, exec: WastExecute<'_>, message: &str, line: usize) -> Outcome {
        let expected = format!("trap \"{message}\"");
        let check = |t: &TrapInfo| {
            if trap_message_matches(message, &t.message) {
                Outcome::Pass
            } else {
                fail(expected.clone(), format!("trap \"{}\"", t.message))
            }
        };
        match exec {
            WastExecute::Invoke(inv) => {
                let (inst, args) = match self.prepare_invoke(&inv) {
                    Ok(x) => x,
                    Err(o) => return o,
                };
                match self.session.invoke(inst, inv.name, &args) {
                    Err(CallError::Trap(t)) => check(&t),
                    Err(e) => fail(expected, call_error_text(&e)),
                    Ok(vals) => fail(expected, format!("returned {}", fmt_vals(&vals))),
                }
            }
            WastExecute::Wat(wat) => {
                let mut qw = QuoteWat::Wat(wat);
                let (def, outcome) = self.define(&mut qw, line);
                if let Def::Skipped(p, imports) = def {
                    self.taint_from_skipped(p, imports);
                }
                let Def::Loaded(m) = def else {
                    return match outcome {
                        Outcome::Fail { actual, .. } => fail(expected, actual),
                        other => other,
                    };
                };
                match self.instantiate_raw(m) {
                    Err(o) => o,
                    Ok(Err(InstantiateError::Trap(t))) => check(&t),
                    Ok(Err(e)) => fail(expected, instantiate_error_text(&e)),
                    Ok(Ok(_)) => fail(expected, "module instantiated without a trap"),
                }
            }
            WastExecute::Get { module, global, .. } => {
                let inst = match self.resolve_live(module) {
                    Ok(i) => i,
                    Err(o) => return o,
                };
                match self.session.get(inst, global) {
                    Err(CallError::Trap(t)) => check(&t),
                    Err(e) => fail(expected, call_error_text(&e)),
                    Ok(v) => fail(expected, format!("returned {v}")),
                }
            }
        }
    }

    /// `assert_invalid` / `assert_malformed`: the module must be rejected.
    /// Text that `wast` cannot parse or encode counts as rejected; a module
    /// the strategy reports as needing an unsupported proposal is a skip (it
    /// cannot tell whether the module would be rejected with the proposal).
    fn assert_rejected(&mut self, module: &mut QuoteWat<'_>, what: &str, message: &str) -> Outcome {
        if is_component(module) {
            return Outcome::Skip("component-model");
        }
        let bytes = match module.encode() {
            Ok(b) => b,
            Err(_) => return Outcome::Pass,
        };
        match self.session.load(&bytes) {
            Err(LoadError::Invalid(_)) => Outcome::Pass,
            Err(LoadError::Unsupported(p)) => Outcome::Skip(p),
            Ok(_) => fail(format!("{what} \"{message}\""), "module loaded"),
        }
    }
}

/// The module names a binary module imports from (best effort: a module
/// the strategy could not load may still be read this far).
fn import_modules(bytes: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(wasmparser::Payload::ImportSection(reader)) => {
                for imports in reader.into_iter().flatten() {
                    let module = match imports {
                        wasmparser::Imports::Single(_, import) => import.module,
                        wasmparser::Imports::Compact1 { module, .. }
                        | wasmparser::Imports::Compact2 { module, .. } => module,
                    };
                    names.push(module.to_string());
                }
                break;
            }
            Ok(wasmparser::Payload::CodeSectionStart { .. }) | Err(_) => break,
            Ok(_) => {}
        }
    }
    names
}

fn dead_outcome(inst: Inst) -> Outcome {
    match inst {
        Inst::Skipped(p) => Outcome::Skip(p),
        Inst::Broken(l) => fail(
            "a live module instance",
            format!("the module (line {l}) failed"),
        ),
        Inst::Live(_) => Outcome::Pass,
    }
}

fn call_error_text(e: &CallError) -> String {
    match e {
        CallError::Trap(t) if t.exhausted => format!("exhaustion \"{}\"", t.message),
        CallError::Trap(t) => format!("trap \"{}\"", t.message),
        CallError::Other(m) => format!("error: {m}"),
    }
}

fn instantiate_error_text(e: &InstantiateError) -> String {
    match e {
        InstantiateError::Unlinkable(m) => format!("unlinkable: {m}"),
        InstantiateError::Trap(t) => format!("trap \"{}\" during instantiation", t.message),
        InstantiateError::Other(m) => format!("instantiation failed: {m}"),
    }
}

fn fmt_vals(vals: &[Val]) -> String {
    if vals.is_empty() {
        return "()".to_string();
    }
    vals.iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The oracle's heap type for a script's heap type, or the proposal it needs.
fn heap_type(ht: &WastHeapType<'_>) -> Result<HeapType, Outcome> {
    match ht {
        WastHeapType::Abstract { shared: true, .. } => {
            Err(Outcome::Skip("shared-everything-threads"))
        }
        WastHeapType::Abstract { shared: false, ty } => Ok(match ty {
            AbstractHeapType::Func => HeapType::Func,
            AbstractHeapType::Extern => HeapType::Extern,
            AbstractHeapType::Exn => HeapType::Exn,
            AbstractHeapType::Any => HeapType::Any,
            AbstractHeapType::Eq => HeapType::Eq,
            AbstractHeapType::Struct => HeapType::Struct,
            AbstractHeapType::Array => HeapType::Array,
            AbstractHeapType::I31 => HeapType::I31,
            AbstractHeapType::NoFunc => HeapType::NoFunc,
            AbstractHeapType::NoExtern => HeapType::NoExtern,
            AbstractHeapType::None => HeapType::None,
            AbstractHeapType::NoExn => HeapType::NoExn,
            #[allow(unreachable_patterns)]
            _ => return Err(Outcome::Skip("stack-switching")),
        }),
        WastHeapType::Concrete(Index::Num(n, _)) => Ok(HeapType::Concrete(*n)),
        WastHeapType::Concrete(Index::Id(id)) => Err(fail(
            "a heap type the runner can resolve",
            format!("symbolic type index ${} in a script value", id.name()),
        )),
        WastHeapType::Exact(_) => Err(Outcome::Skip("custom-descriptors")),
    }
}

fn arg_value(a: &WastArg<'_>) -> Result<Val, Outcome> {
    let WastArg::Core(a) = a else {
        return Err(Outcome::Skip("component-model"));
    };
    Ok(match a {
        WastArgCore::I32(x) => Val::I32(*x),
        WastArgCore::I64(x) => Val::I64(*x),
        WastArgCore::F32(x) => Val::F32(x.bits),
        WastArgCore::F64(x) => Val::F64(x.bits),
        WastArgCore::V128(c) => Val::V128(u128::from_le_bytes(c.to_le_bytes())),
        WastArgCore::RefNull(ht) => Val::Ref(RefVal::Null(heap_type(ht)?)),
        WastArgCore::RefExtern(n) => Val::Ref(RefVal::Extern(*n)),
        WastArgCore::RefHost(_) => return Err(Outcome::Skip("gc")),
    })
}

/// The proposal an expected result needs (v128 → simd, GC references → gc).
fn ret_needs(r: &WastRet<'_>) -> Option<&'static str> {
    let WastRet::Core(r) = r else {
        return Some("component-model");
    };
    core_ret_needs(r)
}

fn core_ret_needs(r: &WastRetCore<'_>) -> Option<&'static str> {
    match r {
        WastRetCore::V128(_) => Some("simd"),
        WastRetCore::RefHost(_)
        | WastRetCore::RefAny
        | WastRetCore::RefEq
        | WastRetCore::RefArray
        | WastRetCore::RefStruct
        | WastRetCore::RefI31 => Some("gc"),
        WastRetCore::RefI31Shared => Some("shared-everything-threads"),
        WastRetCore::Either(alts) => alts.iter().find_map(core_ret_needs),
        _ => None,
    }
}

/// Whether `v` is what `r` expects; `Err(proposal)` when the expectation
/// needs a proposal the runner cannot check.
fn ret_matches(r: &WastRet<'_>, v: &Val) -> Result<bool, &'static str> {
    let WastRet::Core(r) = r else {
        return Err("component-model");
    };
    core_ret_matches(r, v)
}

fn core_ret_matches(r: &WastRetCore<'_>, v: &Val) -> Result<bool, &'static str> {
    Ok(match (r, v) {
        (WastRetCore::I32(e), Val::I32(a)) => e == a,
        (WastRetCore::I64(e), Val::I64(a)) => e == a,
        (WastRetCore::F32(p), Val::F32(bits)) => match p {
            NanPattern::CanonicalNan => value::is_canonical_nan_f32(*bits),
            NanPattern::ArithmeticNan => value::is_arithmetic_nan_f32(*bits),
            NanPattern::Value(e) => e.bits == *bits,
        },
        (WastRetCore::F64(p), Val::F64(bits)) => match p {
            NanPattern::CanonicalNan => value::is_canonical_nan_f64(*bits),
            NanPattern::ArithmeticNan => value::is_arithmetic_nan_f64(*bits),
            NanPattern::Value(e) => e.bits == *bits,
        },
        (WastRetCore::V128(p), Val::V128(bits)) => v128_matches(p, *bits),
        // Any null matches: validation already fixed the reference's type.
        (WastRetCore::RefNull(_), Val::Ref(RefVal::Null(_))) => true,
        (WastRetCore::RefExtern(None), Val::Ref(RefVal::Extern(_))) => true,
        (WastRetCore::RefExtern(Some(e)), Val::Ref(RefVal::Extern(a))) => e == a,
        (WastRetCore::RefFunc(_), Val::Ref(RefVal::Func)) => true,
        (WastRetCore::Either(alts), v) => {
            let mut needs = None;
            for alt in alts {
                match core_ret_matches(alt, v) {
                    Ok(true) => return Ok(true),
                    Ok(false) => {}
                    Err(p) => needs = Some(p),
                }
            }
            return match needs {
                Some(p) => Err(p),
                None => Ok(false),
            };
        }
        // A v128 pattern against another value is a plain mismatch (v128
        // support was checked before the call); GC patterns are unsupported.
        (r, _) => match core_ret_needs(r) {
            Some(p) if p != "simd" => return Err(p),
            _ => false,
        },
    })
}

/// Lane-wise comparison of a v128 with its expected pattern (NaN patterns
/// per float lane).
fn v128_matches(p: &V128Pattern, bits: u128) -> bool {
    let lanes =
        |width: u32| (0..128 / width).map(move |i| (bits >> (i * width)) & ((1u128 << width) - 1));
    match p {
        V128Pattern::I8x16(e) => lanes(8).zip(e).all(|(a, e)| a as u8 == *e as u8),
        V128Pattern::I16x8(e) => lanes(16).zip(e).all(|(a, e)| a as u16 == *e as u16),
        V128Pattern::I32x4(e) => lanes(32).zip(e).all(|(a, e)| a as u32 == *e as u32),
        V128Pattern::I64x2(e) => lanes(64).zip(e).all(|(a, e)| a as u64 == *e as u64),
        V128Pattern::F32x4(e) => lanes(32).zip(e).all(|(a, e)| {
            let a = a as u32;
            match e {
                NanPattern::CanonicalNan => value::is_canonical_nan_f32(a),
                NanPattern::ArithmeticNan => value::is_arithmetic_nan_f32(a),
                NanPattern::Value(f) => f.bits == a,
            }
        }),
        V128Pattern::F64x2(e) => lanes(64).zip(e).all(|(a, e)| {
            let a = a as u64;
            match e {
                NanPattern::CanonicalNan => value::is_canonical_nan_f64(a),
                NanPattern::ArithmeticNan => value::is_arithmetic_nan_f64(a),
                NanPattern::Value(f) => f.bits == a,
            }
        }),
    }
}

fn fmt_rets(rets: &[WastRet<'_>]) -> String {
    if rets.is_empty() {
        return "()".to_string();
    }
    rets.iter()
        .map(|r| match r {
            WastRet::Core(r) => fmt_core_ret(r),
            _ => "(component value)".to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn fmt_nan_pattern<T>(p: &NanPattern<T>, ty: &str, value: impl Fn(&T) -> String) -> String {
    match p {
        NanPattern::CanonicalNan => format!("({ty}.const nan:canonical)"),
        NanPattern::ArithmeticNan => format!("({ty}.const nan:arithmetic)"),
        NanPattern::Value(v) => format!("({ty}.const {})", value(v)),
    }
}

fn fmt_core_ret(r: &WastRetCore<'_>) -> String {
    match r {
        WastRetCore::I32(x) => format!("(i32.const {x})"),
        WastRetCore::I64(x) => format!("(i64.const {x})"),
        WastRetCore::F32(p) => fmt_nan_pattern(p, "f32", |f| value::fmt_f32(f.bits)),
        WastRetCore::F64(p) => fmt_nan_pattern(p, "f64", |f| value::fmt_f64(f.bits)),
        WastRetCore::V128(p) => format!("(v128.const {p:?})"),
        WastRetCore::RefNull(None) => "(ref.null)".to_string(),
        WastRetCore::RefNull(Some(ht)) => match heap_type(ht) {
            Ok(h) => format!("(ref.null {})", value::heap_name(h)),
            Err(_) => "(ref.null …)".to_string(),
        },
        WastRetCore::RefExtern(None) => "(ref.extern)".to_string(),
        WastRetCore::RefExtern(Some(n)) => format!("(ref.extern {n})"),
        WastRetCore::RefHost(n) => format!("(ref.host {n})"),
        WastRetCore::RefFunc(_) => "(ref.func)".to_string(),
        WastRetCore::RefAny => "(ref.any)".to_string(),
        WastRetCore::RefEq => "(ref.eq)".to_string(),
        WastRetCore::RefArray => "(ref.array)".to_string(),
        WastRetCore::RefStruct => "(ref.struct)".to_string(),
        WastRetCore::RefI31 => "(ref.i31)".to_string(),
        WastRetCore::RefI31Shared => "(ref.i31_shared)".to_string(),
        WastRetCore::Either(alts) => {
            let alts: Vec<String> = alts.iter().map(fmt_core_ret).collect();
            format!("(either {})", alts.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v128_lanes() {
        let v = 0x7fc0_0000_3f80_0000_ffff_fffe_0000_0001_u128;
        assert!(v128_matches(
            &V128Pattern::I32x4([1, -2, 0x3f80_0000, 0x7fc0_0000]),
            v
        ));
        assert!(!v128_matches(
            &V128Pattern::I32x4([1, -2, 0x3f80_0000, 0]),
            v
        ));
        assert!(v128_matches(
            &V128Pattern::I64x2([0xffff_fffe_0000_0001_u64 as i64, 0x7fc0_0000_3f80_0000]),
            v
        ));
        let f = |bits: u32| NanPattern::Value(wast::token::F32 { bits });
        assert!(v128_matches(
            &V128Pattern::F32x4([
                f(1),
                f(0xffff_fffe),
                f(0x3f80_0000),
                NanPattern::CanonicalNan
            ]),
            v
        ));
        assert!(!v128_matches(
            &V128Pattern::F32x4([
                f(1),
                f(0xffff_fffe),
                NanPattern::ArithmeticNan,
                NanPattern::CanonicalNan
            ]),
            v
        ));
        let mut bytes = [0i8; 16];
        bytes[0] = 1;
        bytes[4] = -2;
        assert!(!v128_matches(&V128Pattern::I8x16(bytes), v));
    }

    #[test]
    fn trap_messages() {
        assert!(trap_message_matches(
            "out of bounds memory access",
            "out of bounds memory access"
        ));
        assert!(trap_message_matches(
            "out of bounds",
            "out of bounds memory access"
        ));
        assert!(trap_message_matches("integer overflow", "integer overflow"));
        assert!(!trap_message_matches(
            "integer overflow",
            "integer divide by zero"
        ));
        assert!(!trap_message_matches("unreachable", ""));
    }
}
