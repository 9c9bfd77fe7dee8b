//! Well-formedness of a function: every block ends in exactly one
//! terminator, operands and results have the types their opcode demands,
//! branch arguments match the target's parameters, and every use of a value
//! is dominated by its definition (checked on real dominators, so the check
//! does not depend on how the translator happens to lay out blocks).

use std::fmt;

use super::function::{Block, Function, Imm, Inst, InstData, Value, ValueDef};
use super::opcode::{OpClass, Opcode};
use super::types::Type;

/// What is wrong, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    pub function: String,
    pub block: Option<Block>,
    pub inst: Option<Inst>,
    pub message: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.function)?;
        if let Some(b) = self.block {
            write!(f, " {b}")?;
        }
        if let Some(i) = self.inst {
            write!(f, " {i}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for VerifyError {}

struct Checker<'a> {
    func: &'a Function,
    block: Option<Block>,
    inst: Option<Inst>,
}

impl Checker<'_> {
    fn err(&self, message: String) -> VerifyError {
        VerifyError {
            function: self.func.name.clone(),
            block: self.block,
            inst: self.inst,
            message,
        }
    }

    fn ty(&self, v: Value) -> Result<Type, VerifyError> {
        self.func
            .values
            .get(v.index())
            .map(|d| d.ty)
            .ok_or_else(|| self.err(format!("{v} does not exist")))
    }

    fn expect(&self, what: &str, v: Value, want: Type) -> Result<(), VerifyError> {
        let got = self.ty(v)?;
        if got != want {
            return Err(self.err(format!("{what} {v} has type {got}, expected {want}")));
        }
        Ok(())
    }

    fn expect_types(&self, what: &str, vs: &[Value], want: &[Type]) -> Result<(), VerifyError> {
        if vs.len() != want.len() {
            return Err(self.err(format!(
                "{what}: {} values, expected {}",
                vs.len(),
                want.len()
            )));
        }
        for (&v, &t) in vs.iter().zip(want) {
            self.expect(what, v, t)?;
        }
        Ok(())
    }

    /// The operand/result typing rules of every opcode.
    fn check_types(&self, d: &InstData) -> Result<(), VerifyError> {
        let n_args = |n: usize| -> Result<(), VerifyError> {
            if d.args.len() != n {
                return Err(self.err(format!(
                    "{} takes {n} operands, has {}",
                    d.opcode,
                    d.args.len()
                )));
            }
            Ok(())
        };
        let ty = || -> Result<Type, VerifyError> {
            d.ty.ok_or_else(|| self.err(format!("{} needs a controlling type", d.opcode)))
        };
        let results = |want: &[Type]| -> Result<(), VerifyError> {
            self.expect_types(&format!("result of {}", d.opcode), &d.results, want)
        };
        if !d.dests.is_empty() && !matches!(d.opcode, Opcode::Jump | Opcode::Brif | Opcode::BrTable)
        {
            return Err(self.err(format!("{} cannot have branch targets", d.opcode)));
        }
        match d.opcode.class() {
            OpClass::Const => {
                n_args(0)?;
                let t = ty()?;
                let ok = match (d.opcode, &d.imm) {
                    (Opcode::Iconst, Imm::Int(_)) => t.is_int(),
                    (Opcode::Fconst, Imm::FloatBits(b)) => {
                        t.is_float() && (t == Type::F64 || *b <= u64::from(u32::MAX))
                    }
                    _ => false,
                };
                if !ok {
                    return Err(self.err(format!("bad constant for {}.{t}", d.opcode)));
                }
                results(&[t])
            }
            OpClass::IntUnary | OpClass::FloatUnary => {
                n_args(1)?;
                let t = ty()?;
                let want_int = d.opcode.class() == OpClass::IntUnary;
                if t.is_int() != want_int {
                    return Err(self.err(format!("{} at type {t}", d.opcode)));
                }
                self.expect("operand", d.args[0], t)?;
                results(&[t])
            }
            OpClass::IntBinary | OpClass::IntBinaryTrapping | OpClass::FloatBinary => {
                n_args(2)?;
                let t = ty()?;
                if t.is_int() != (d.opcode.class() != OpClass::FloatBinary) {
                    return Err(self.err(format!("{} at type {t}", d.opcode)));
                }
                self.expect("operand", d.args[0], t)?;
                self.expect("operand", d.args[1], t)?;
                results(&[t])
            }
            OpClass::Compare => {
                n_args(2)?;
                let t = self.ty(d.args[0])?;
                self.expect("operand", d.args[1], t)?;
                let ok = match (d.opcode, &d.imm) {
                    (Opcode::Icmp, Imm::IntCC(_)) => t.is_int(),
                    (Opcode::Fcmp, Imm::FloatCC(_)) => t.is_float(),
                    _ => false,
                };
                if !ok {
                    return Err(self.err(format!("{} of {t} operands", d.opcode)));
                }
                results(&[Type::I32])
            }
            OpClass::Convert | OpClass::ConvertTrapping => {
                n_args(1)?;
                let to = ty()?;
                let from = self.ty(d.args[0])?;
                let ok = match d.opcode {
                    Opcode::Uextend => from == Type::I32 && to == Type::I64,
                    Opcode::Ireduce => from == Type::I64 && to == Type::I32,
                    Opcode::Sextend => match d.imm {
                        Imm::ExtendFrom(bits @ (8 | 16 | 32)) => {
                            from.is_int()
                                && to.is_int()
                                && to.bits() >= from.bits()
                                && u32::from(bits) <= from.bits()
                        }
                        _ => false,
                    },
                    Opcode::FcvtToUint
                    | Opcode::FcvtToSint
                    | Opcode::FcvtToUintSat
                    | Opcode::FcvtToSintSat => from.is_float() && to.is_int(),
                    Opcode::FcvtFromUint | Opcode::FcvtFromSint => from.is_int() && to.is_float(),
                    Opcode::Fpromote => from == Type::F32 && to == Type::F64,
                    Opcode::Fdemote => from == Type::F64 && to == Type::F32,
                    Opcode::Bitcast => from.bits() == to.bits() && from.is_int() != to.is_int(),
                    _ => false,
                };
                if !ok {
                    return Err(self.err(format!("{} from {from} to {to}", d.opcode)));
                }
                results(&[to])
            }
            OpClass::Select => {
                n_args(3)?;
                let t = ty()?;
                self.expect("condition", d.args[0], Type::I32)?;
                self.expect("operand", d.args[1], t)?;
                self.expect("operand", d.args[2], t)?;
                results(&[t])
            }
            OpClass::Memory => match d.opcode {
                Opcode::HeapAddr => {
                    n_args(1)?;
                    if !matches!(
                        d.imm,
                        Imm::Heap {
                            size: 1 | 2 | 4 | 8,
                            ..
                        }
                    ) {
                        return Err(self.err("heap_addr needs offset and size".into()));
                    }
                    self.expect("index", d.args[0], Type::I32)?;
                    results(&[Type::POINTER])
                }
                Opcode::Load | Opcode::Store => {
                    let t = ty()?;
                    let Imm::Access(a) = d.imm else {
                        return Err(self.err(format!("{} needs an access kind", d.opcode)));
                    };
                    if !matches!(a.bytes, 1 | 2 | 4 | 8) || u32::from(a.bytes) * 8 > t.bits() {
                        return Err(self.err(format!("{}-byte access at {t}", a.bytes)));
                    }
                    if d.opcode == Opcode::Load {
                        n_args(1)?;
                        self.expect("address", d.args[0], Type::POINTER)?;
                        results(&[t])
                    } else {
                        n_args(2)?;
                        self.expect("address", d.args[0], Type::POINTER)?;
                        self.expect("stored value", d.args[1], t)?;
                        results(&[])
                    }
                }
                Opcode::MemorySize => {
                    n_args(0)?;
                    results(&[Type::I32])
                }
                Opcode::MemoryGrow => {
                    n_args(1)?;
                    self.expect("delta", d.args[0], Type::I32)?;
                    results(&[Type::I32])
                }
                _ => Err(self.err(format!("{} misclassified", d.opcode))),
            },
            OpClass::Global => {
                if !matches!(d.imm, Imm::Global(_)) {
                    return Err(self.err(format!("{} needs a global index", d.opcode)));
                }
                let t = ty()?;
                if d.opcode == Opcode::GlobalGet {
                    n_args(0)?;
                    results(&[t])
                } else {
                    n_args(1)?;
                    self.expect("value", d.args[0], t)?;
                    results(&[])
                }
            }
            OpClass::Call => match (&d.opcode, &d.imm) {
                (Opcode::Call, Imm::Call { sig, .. }) => {
                    self.expect_types("call arguments", &d.args, &sig.params)?;
                    results(&sig.results)
                }
                (Opcode::CallIndirect, Imm::CallIndirect { sig, .. }) => {
                    let Some((&callee, args)) = d.args.split_last() else {
                        return Err(self.err("call_indirect without callee".into()));
                    };
                    self.expect("callee index", callee, Type::I32)?;
                    self.expect_types("call arguments", args, &sig.params)?;
                    results(&sig.results)
                }
                _ => Err(self.err(format!("{} needs a callee and signature", d.opcode))),
            },
            OpClass::Terminator => {
                results(&[])?;
                let n_dests = match d.opcode {
                    Opcode::Jump => {
                        n_args(0)?;
                        Some(1)
                    }
                    Opcode::Brif => {
                        n_args(1)?;
                        self.expect("condition", d.args[0], Type::I32)?;
                        Some(2)
                    }
                    Opcode::BrTable => {
                        n_args(1)?;
                        self.expect("index", d.args[0], Type::I32)?;
                        None
                    }
                    Opcode::Return => {
                        self.expect_types("returned values", &d.args, &self.func.sig.results)?;
                        Some(0)
                    }
                    _ => {
                        n_args(0)?;
                        if !matches!(d.imm, Imm::Trap(_)) {
                            return Err(self.err("trap needs a trap code".into()));
                        }
                        Some(0)
                    }
                };
                if let Some(n) = n_dests
                    && d.dests.len() != n
                {
                    return Err(self.err(format!("{} needs {n} targets", d.opcode)));
                }
                if d.opcode == Opcode::BrTable && d.dests.is_empty() {
                    return Err(self.err("br_table needs a default target".into()));
                }
                for call in &d.dests {
                    let Some(target) = self.func.blocks.get(call.block.index()) else {
                        return Err(self.err(format!("{} does not exist", call.block)));
                    };
                    let want: Vec<Type> = target
                        .params
                        .iter()
                        .map(|&p| self.func.value_type(p))
                        .collect();
                    self.expect_types(&format!("arguments to {}", call.block), &call.args, &want)?;
                }
                Ok(())
            }
            OpClass::Check => {
                results(&[])?;
                if d.opcode == Opcode::Trapnz {
                    n_args(1)?;
                    let t = ty()?;
                    if !t.is_int() || !matches!(d.imm, Imm::Trap(_)) {
                        return Err(self.err("trapnz needs an integer and a trap code".into()));
                    }
                    self.expect("condition", d.args[0], t)
                } else {
                    n_args(0)
                }
            }
        }
    }
}

/// Immediate dominators of the blocks reachable from the entry (by the
/// simple iterative algorithm of Cooper, Harvey and Kennedy over reverse
/// postorder). `None` for unreachable blocks.
fn dominators(func: &Function) -> Vec<Option<Block>> {
    let n = func.blocks.len();
    // Reverse postorder by an explicit-stack DFS.
    let mut order = Vec::new();
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut stack = vec![(func.entry, 0usize)];
    state[func.entry.index()] = 1;
    while let Some((b, i)) = stack.pop() {
        let succs = func.successors(b);
        if i < succs.len() {
            stack.push((b, i + 1));
            let s = succs[i];
            if s.index() < n && state[s.index()] == 0 {
                state[s.index()] = 1;
                stack.push((s, 0));
            }
        } else {
            state[b.index()] = 2;
            order.push(b);
        }
    }
    order.reverse();
    let mut rpo_num = vec![usize::MAX; n];
    for (i, b) in order.iter().enumerate() {
        rpo_num[b.index()] = i;
    }
    let mut preds: Vec<Vec<Block>> = vec![Vec::new(); n];
    for &b in &order {
        for s in func.successors(b) {
            if s.index() < n {
                preds[s.index()].push(b);
            }
        }
    }
    let mut idom: Vec<Option<Block>> = vec![None; n];
    idom[func.entry.index()] = Some(func.entry);
    let intersect = |idom: &[Option<Block>], mut a: Block, mut b: Block| -> Block {
        while a != b {
            while rpo_num[a.index()] > rpo_num[b.index()] {
                a = idom[a.index()].unwrap_or(func.entry);
            }
            while rpo_num[b.index()] > rpo_num[a.index()] {
                b = idom[b.index()].unwrap_or(func.entry);
            }
        }
        a
    };
    let mut changed = true;
    while changed {
        changed = false;
        for &b in order.iter().skip(1) {
            let mut new: Option<Block> = None;
            for &p in &preds[b.index()] {
                if idom[p.index()].is_some() {
                    new = Some(match new {
                        None => p,
                        Some(cur) => intersect(&idom, p, cur),
                    });
                }
            }
            if new.is_some() && idom[b.index()] != new {
                idom[b.index()] = new;
                changed = true;
            }
        }
    }
    idom
}

/// Checks `func`; the first problem found is returned.
pub fn verify_function(func: &Function) -> Result<(), VerifyError> {
    let mut c = Checker {
        func,
        block: None,
        inst: None,
    };
    if func.blocks.get(func.entry.index()).is_none() {
        return Err(c.err("no entry block".into()));
    }
    let entry_params = &func.block(func.entry).params;
    c.expect_types("entry block parameters", entry_params, &func.sig.params)?;

    // Position of each instruction: (block, index in block).
    let mut pos: Vec<Option<(Block, usize)>> = vec![None; func.insts.len()];
    for b in func.block_ids() {
        c.block = Some(b);
        c.inst = None;
        let insts = &func.block(b).insts;
        if insts.is_empty() {
            return Err(c.err("empty block".into()));
        }
        for (k, &i) in insts.iter().enumerate() {
            c.inst = Some(i);
            let Some(d) = func.insts.get(i.index()) else {
                return Err(c.err("instruction does not exist".into()));
            };
            if pos[i.index()].is_some() {
                return Err(c.err("instruction appears twice".into()));
            }
            pos[i.index()] = Some((b, k));
            if d.opcode.is_terminator() != (k + 1 == insts.len()) {
                return Err(c.err(if d.opcode.is_terminator() {
                    format!("{} in the middle of a block", d.opcode)
                } else {
                    "block does not end in a terminator".to_string()
                }));
            }
            c.check_types(d)?;
            for (n, &r) in d.results.iter().enumerate() {
                if func.values[r.index()].def != ValueDef::Result(i, n) {
                    return Err(c.err(format!("result {r} is not defined here")));
                }
            }
        }
        for (n, &p) in func.block(b).params.iter().enumerate() {
            if func.values.get(p.index()).map(|d| d.def) != Some(ValueDef::Param(b, n)) {
                return Err(c.err(format!("parameter {p} is not defined here")));
            }
        }
    }

    // Dominance of every use in a reachable block.
    let idom = dominators(func);
    let dominates = |a: Block, mut b: Block| -> bool {
        loop {
            if a == b {
                return true;
            }
            match idom[b.index()] {
                Some(p) if p != b => b = p,
                _ => return false,
            }
        }
    };
    for b in func.block_ids() {
        if idom[b.index()].is_none() {
            continue;
        }
        c.block = Some(b);
        for (k, &i) in func.block(b).insts.iter().enumerate() {
            c.inst = Some(i);
            let d = func.inst(i);
            let uses = d
                .args
                .iter()
                .chain(d.dests.iter().flat_map(|call| call.args.iter()));
            for &v in uses {
                let ok = match func.values[v.index()].def {
                    ValueDef::Param(db, _) => dominates(db, b),
                    ValueDef::Result(di, _) => match pos[di.index()] {
                        Some((db, dk)) if db == b => dk < k,
                        Some((db, _)) => dominates(db, b),
                        None => false,
                    },
                };
                if !ok {
                    return Err(c.err(format!("use of {v} is not dominated by its definition")));
                }
            }
        }
    }
    Ok(())
}
