//! Minimal, pruned SSA from the translator's naive form.
//!
//! The translator gives every join block a parameter for every Wasm local
//! and passes every local on every branch: simple and obviously right, but
//! a function with 40 locals and 300 blocks then carries 12,000 block
//! parameters, most of them copies, and the register allocator pays for
//! each. This pass removes them in two steps:
//!
//! 1. **Trivial parameters.** A parameter whose incoming values, ignoring
//!    itself, are all one value `v` is `v` (Braun et al., "Simple and
//!    Efficient Construction of SSA Form", 2013). Replacing it can make
//!    others trivial, so this runs to a fixed point. Wasm's structured
//!    control flow is reducible, and for reducible graphs this leaves
//!    minimal SSA.
//! 2. **Dead values.** Instructions with an effect (stores, calls, checks,
//!    anything that may trap, terminators) are live; so is whatever a live
//!    instruction reads, and whatever is passed to a live parameter. Dead
//!    parameters go with their arguments, dead pure instructions with them:
//!    a loop-carried local that is updated but never read costs nothing.
//!
//! Only edges from reachable blocks count; unreachable blocks are never
//! lowered. The entry block's parameters are the function's and stay.

use super::function::{Block, Function, Value, ValueDef};
use super::opcode::{OpClass, Opcode};

/// Ops that only compute their results: removable when these are unused.
fn is_pure(op: Opcode) -> bool {
    use OpClass::*;
    matches!(
        op.class(),
        Const | IntUnary | IntBinary | FloatUnary | FloatBinary | Compare | Convert | Select
    )
}

/// Rewrites `func` in place. Values that disappear stay in the value table
/// (nothing refers to them any more), so value numbers are stable.
pub fn minimize(func: &mut Function) {
    let reachable = reachable(func);
    // Every branch site into each block: (branching instruction, dest index).
    let mut incoming: Vec<Vec<(usize, usize)>> = vec![Vec::new(); func.blocks.len()];
    for b in func.block_ids().filter(|b| reachable[b.index()]) {
        for &i in &func.block(b).insts {
            for (k, d) in func.insts[i.index()].dests.iter().enumerate() {
                incoming[d.block.index()].push((i.index(), k));
            }
        }
    }
    let mut alias: Vec<Value> = (0..func.values.len() as u32).map(Value).collect();
    let mut removed = vec![false; func.values.len()];
    let candidates: Vec<(Block, usize, Value)> = func
        .block_ids()
        .filter(|&b| b != func.entry && reachable[b.index()])
        .flat_map(|b| {
            let params = &func.block(b).params;
            params.iter().enumerate().map(move |(n, &p)| (b, n, p))
        })
        .collect();

    // Step 1: trivial parameters, to a fixed point.
    let mut changed = true;
    while changed {
        changed = false;
        for &(b, n, p) in &candidates {
            if removed[p.index()] {
                continue;
            }
            let mut only = None;
            let mut trivial = true;
            for &(i, k) in &incoming[b.index()] {
                let v = resolve(&mut alias, func.insts[i].dests[k].args[n]);
                if v == p || only == Some(v) {
                    continue;
                }
                if only.is_some() {
                    trivial = false;
                    break;
                }
                only = Some(v);
            }
            if let (true, Some(v)) = (trivial, only) {
                alias[p.index()] = v;
                removed[p.index()] = true;
                changed = true;
            }
        }
    }

    // Step 2: liveness from effectful instructions, through operands of
    // live instructions and arguments of live parameters.
    let mut live = vec![false; func.values.len()];
    let mut work = Vec::new();
    for b in func.block_ids().filter(|b| reachable[b.index()]) {
        for &i in &func.block(b).insts {
            let d = &func.insts[i.index()];
            if !is_pure(d.opcode) {
                for &a in &d.args {
                    work.push(resolve(&mut alias, a));
                }
            }
        }
    }
    while let Some(v) = work.pop() {
        if std::mem::replace(&mut live[v.index()], true) {
            continue;
        }
        match func.values[v.index()].def {
            ValueDef::Param(b, n) => {
                for &(i, k) in &incoming[b.index()] {
                    work.push(resolve(&mut alias, func.insts[i].dests[k].args[n]));
                }
            }
            ValueDef::Result(i, _) => {
                for &a in &func.insts[i.index()].args {
                    work.push(resolve(&mut alias, a));
                }
            }
        }
    }
    for &(_, _, p) in &candidates {
        if !live[p.index()] {
            removed[p.index()] = true;
        }
    }

    // Rewrite: drop removed parameters and their arguments, resolve aliases.
    let keep: Vec<Vec<bool>> = func
        .blocks
        .iter()
        .map(|d| d.params.iter().map(|p| !removed[p.index()]).collect())
        .collect();
    for inst in &mut func.insts {
        for a in &mut inst.args {
            *a = resolve(&mut alias, *a);
        }
        for d in &mut inst.dests {
            let keep = &keep[d.block.index()];
            let mut n = 0;
            d.args.retain(|_| {
                n += 1;
                keep[n - 1]
            });
            for a in &mut d.args {
                *a = resolve(&mut alias, *a);
            }
        }
    }
    let insts = &func.insts;
    for (b, data) in func.blocks.iter_mut().enumerate() {
        if reachable[b] {
            data.insts.retain(|&i| {
                let d = &insts[i.index()];
                !is_pure(d.opcode) || d.results.iter().any(|r| live[r.index()])
            });
        }
        data.params.retain(|p| !removed[p.index()]);
        for (n, p) in data.params.iter().enumerate() {
            func.values[p.index()].def = ValueDef::Param(Block(b as u32), n);
        }
    }
}

/// The value `v` stands for, compressing the alias chain on the way.
fn resolve(alias: &mut [Value], v: Value) -> Value {
    let mut root = v;
    while alias[root.index()] != root {
        root = alias[root.index()];
    }
    let mut cur = v;
    while alias[cur.index()] != root {
        let next = alias[cur.index()];
        alias[cur.index()] = root;
        cur = next;
    }
    root
}

fn reachable(func: &Function) -> Vec<bool> {
    let mut seen = vec![false; func.blocks.len()];
    let mut stack = vec![func.entry];
    seen[func.entry.index()] = true;
    while let Some(b) = stack.pop() {
        for s in func.successors(b) {
            if !std::mem::replace(&mut seen[s.index()], true) {
                stack.push(s);
            }
        }
    }
    seen
}
