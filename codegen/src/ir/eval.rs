//! An interpreter for translated modules — **test tooling**, not an
//! execution strategy: it lets the Wasm → IR translation be checked against
//! the reference interpreter before any backend exists.
//!
//! Every numeric operation is implemented here, independently of the
//! oracle's `NumOp` (using it would make the comparison circular). The heap
//! base is 0: `heap_addr` yields `index + offset` after its bounds check.
//! Host imports are not supported (calling one is an
//! [`EvalError::Unsupported`]).

use std::fmt;

use super::function::{Function, Imm, InstData, Signature};
use super::opcode::Opcode;
use super::types::{FloatCC, IntCC, TrapCode, Type};
use crate::translate::{ConstInit, TranslatedModule};

/// A value: integers as unsigned bits, floats as IEEE bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Val {
    I32(u32),
    I64(u64),
    F32(u32),
    F64(u64),
}

impl Val {
    pub fn ty(self) -> Type {
        match self {
            Val::I32(_) => Type::I32,
            Val::I64(_) => Type::I64,
            Val::F32(_) => Type::F32,
            Val::F64(_) => Type::F64,
        }
    }
    fn bits(self) -> u64 {
        match self {
            Val::I32(x) | Val::F32(x) => u64::from(x),
            Val::I64(x) | Val::F64(x) => x,
        }
    }
    fn from_bits(ty: Type, bits: u64) -> Val {
        match ty {
            Type::I32 => Val::I32(bits as u32),
            Type::I64 => Val::I64(bits),
            Type::F32 => Val::F32(bits as u32),
            Type::F64 => Val::F64(bits),
        }
    }
}

/// Why evaluation stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    Trap(TrapCode),
    /// Something this evaluator does not do (host calls, untranslated
    /// functions, bad arguments), with a description.
    Unsupported(String),
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Trap(t) => write!(f, "trap: {t}"),
            EvalError::Unsupported(m) => write!(f, "unsupported: {m}"),
        }
    }
}

impl std::error::Error for EvalError {}

const PAGE: u64 = 65536;
/// Largest initial memory (in pages) and table the evaluator allocates.
pub const MAX_INITIAL_PAGES: u64 = 16384;
pub const MAX_TABLE_ELEMENTS: u64 = 1 << 20;
/// Nested calls before `StackOverflow` (kept low: each is a host frame).
pub const MAX_CALL_DEPTH: usize = 300;

/// A module instance: memory, globals and tables of a translated module.
pub struct Instance<'m> {
    module: &'m TranslatedModule,
    pub memory: Vec<u8>,
    max_pages: u64,
    /// Global values as bits.
    pub globals: Vec<u64>,
    tables: Vec<Vec<Option<u32>>>,
    depth: usize,
    /// Remaining fuel, decremented by every `fuel_check`; `None`: unlimited.
    pub fuel: Option<u64>,
}

fn unsupported<T>(m: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError::Unsupported(m.into()))
}

impl<'m> Instance<'m> {
    /// Allocates memory, globals and tables, applies the active segments
    /// and runs the start function.
    pub fn new(module: &'m TranslatedModule) -> Result<Instance<'m>, EvalError> {
        let info = &module.info;
        if !info.imported_funcs.is_empty()
            || info.globals.iter().any(|g| g.init.is_none())
            || info.memory.as_ref().is_some_and(|m| m.imported)
            || info.tables.iter().any(|t| t.imported)
        {
            return unsupported("modules with imports");
        }
        // Test tooling: refuse sizes a test has no business allocating
        // rather than exhausting the host.
        if info
            .memory
            .as_ref()
            .is_some_and(|m| m.min > MAX_INITIAL_PAGES)
            || info.tables.iter().any(|t| t.min > MAX_TABLE_ELEMENTS)
        {
            return unsupported("initial memory or table too large for the evaluator");
        }
        let (memory, max_pages) = match &info.memory {
            Some(m) => (
                vec![0u8; (m.min * PAGE) as usize],
                m.max.unwrap_or(PAGE).min(PAGE),
            ),
            None => (Vec::new(), 0),
        };
        let mut inst = Instance {
            module,
            memory,
            max_pages,
            globals: Vec::new(),
            tables: info
                .tables
                .iter()
                .map(|t| vec![None; t.min as usize])
                .collect(),
            depth: 0,
            fuel: None,
        };
        for g in &info.globals {
            let v = match g.init {
                Some(init) => inst.const_bits(init)?,
                None => return unsupported("imported global"),
            };
            inst.globals.push(v);
        }
        for e in &info.elems {
            let offset = inst.const_bits(e.offset)? as u32 as usize;
            let table = inst
                .tables
                .get_mut(e.table as usize)
                .ok_or_else(|| EvalError::Unsupported("element segment table".into()))?;
            if offset + e.funcs.len() > table.len() {
                return Err(EvalError::Trap(TrapCode::UndefinedElement));
            }
            table[offset..offset + e.funcs.len()].copy_from_slice(&e.funcs);
        }
        for d in &info.datas {
            let offset = inst.const_bits(d.offset)? as u32 as usize;
            if offset + d.bytes.len() > inst.memory.len() {
                return Err(EvalError::Trap(TrapCode::MemoryOutOfBounds));
            }
            inst.memory[offset..offset + d.bytes.len()].copy_from_slice(&d.bytes);
        }
        if let Some(start) = info.start {
            inst.invoke(start, &[])?;
        }
        Ok(inst)
    }

    fn const_bits(&self, init: ConstInit) -> Result<u64, EvalError> {
        Ok(match init {
            ConstInit::I32(v) => u64::from(v as u32),
            ConstInit::I64(v) => v as u64,
            ConstInit::F32(b) => u64::from(b),
            ConstInit::F64(b) => b,
            ConstInit::GlobalGet(g) => match self.globals.get(g as usize) {
                Some(v) => *v,
                None => return unsupported("global.get of a later global"),
            },
            ConstInit::RefNull | ConstInit::RefFunc(_) => return unsupported("reference value"),
        })
    }

    /// Calls an exported function by name.
    pub fn invoke_export(&mut self, name: &str, args: &[Val]) -> Result<Vec<Val>, EvalError> {
        match self.module.info.exported_func(name) {
            Some(f) => self.invoke(f, args),
            None => unsupported(format!("no exported function {name:?}")),
        }
    }

    /// Calls a function by index.
    pub fn invoke(&mut self, func_index: u32, args: &[Val]) -> Result<Vec<Val>, EvalError> {
        let func = match self.module.function(func_index) {
            Some(Ok(f)) => f,
            Some(Err(e)) => return unsupported(format!("function was not translated: {e}")),
            None => return unsupported(format!("call to function {func_index} (host import?)")),
        };
        if args.len() != func.sig.params.len()
            || args.iter().zip(&func.sig.params).any(|(a, t)| a.ty() != *t)
        {
            return unsupported("arguments do not match the signature");
        }
        if self.depth >= MAX_CALL_DEPTH {
            return Err(EvalError::Trap(TrapCode::StackOverflow));
        }
        self.depth += 1;
        let bits: Vec<u64> = args.iter().map(|a| a.bits()).collect();
        let r = self.run(func, &bits);
        self.depth -= 1;
        let bits = r?;
        Ok(bits
            .into_iter()
            .zip(&func.sig.results)
            .map(|(b, t)| Val::from_bits(*t, b))
            .collect())
    }

    fn run(&mut self, func: &Function, args: &[u64]) -> Result<Vec<u64>, EvalError> {
        let mut vals = vec![0u64; func.values.len()];
        let mut block = func.entry;
        let mut params: Vec<u64> = args.to_vec();
        loop {
            let data = func.block(block);
            for (p, v) in data.params.iter().zip(&params) {
                vals[p.index()] = *v;
            }
            let mut next = None;
            for &i in &data.insts {
                let inst = func.inst(i);
                let arg = |k: usize| vals[inst.args[k].index()];
                match inst.opcode {
                    Opcode::Jump | Opcode::Brif | Opcode::BrTable => {
                        let dest = match inst.opcode {
                            Opcode::Jump => &inst.dests[0],
                            Opcode::Brif => &inst.dests[if arg(0) as u32 != 0 { 0 } else { 1 }],
                            _ => {
                                let k = arg(0) as u32 as usize;
                                inst.dests.get(k + 1).unwrap_or(&inst.dests[0])
                            }
                        };
                        let args: Vec<u64> = dest.args.iter().map(|a| vals[a.index()]).collect();
                        next = Some((dest.block, args));
                    }
                    Opcode::Return => {
                        return Ok(inst.args.iter().map(|a| vals[a.index()]).collect());
                    }
                    _ => {
                        let results = self.exec(func, inst, &vals)?;
                        for (r, v) in inst.results.iter().zip(results) {
                            vals[r.index()] = v;
                        }
                    }
                }
            }
            match next {
                Some((b, a)) => {
                    block = b;
                    params = a;
                }
                None => return unsupported(format!("{block} falls off its end")),
            }
        }
    }

    /// Executes a non-branching instruction; returns its results as bits.
    fn exec(
        &mut self,
        func: &Function,
        inst: &InstData,
        vals: &[u64],
    ) -> Result<Vec<u64>, EvalError> {
        let arg = |k: usize| vals[inst.args[k].index()];
        let arg_ty = |k: usize| func.value_type(inst.args[k]);
        let ty = inst.ty.unwrap_or(Type::I32);
        let one = |v: u64| Ok(vec![v]);
        use Opcode as O;
        match inst.opcode {
            O::Iconst => match inst.imm {
                Imm::Int(v) => one(mask(ty, v as u64)),
                _ => unsupported("iconst without value"),
            },
            O::Fconst => match inst.imm {
                Imm::FloatBits(b) => one(b),
                _ => unsupported("fconst without value"),
            },
            O::Iadd
            | O::Isub
            | O::Imul
            | O::Band
            | O::Bor
            | O::Bxor
            | O::Ishl
            | O::Ushr
            | O::Sshr
            | O::Rotl
            | O::Rotr
            | O::Udiv
            | O::Sdiv
            | O::Urem
            | O::Srem => int_binary(inst.opcode, ty, arg(0), arg(1)).map(|v| vec![v]),
            O::Clz | O::Ctz | O::Popcnt => one(int_unary(inst.opcode, ty, arg(0))),
            O::Icmp => match inst.imm {
                Imm::IntCC(cc) => one(u64::from(icmp(cc, arg_ty(0), arg(0), arg(1)))),
                _ => unsupported("icmp without condition"),
            },
            O::Fcmp => match inst.imm {
                Imm::FloatCC(cc) => one(u64::from(fcmp(cc, arg_ty(0), arg(0), arg(1)))),
                _ => unsupported("fcmp without condition"),
            },
            O::Uextend => one(arg(0) & 0xffff_ffff),
            O::Ireduce => one(arg(0) & 0xffff_ffff),
            O::Sextend => match inst.imm {
                Imm::ExtendFrom(k) => {
                    let shift = 64 - u32::from(k);
                    one(mask(ty, (((arg(0) << shift) as i64) >> shift) as u64))
                }
                _ => unsupported("sextend without width"),
            },
            O::Fadd | O::Fsub | O::Fmul | O::Fdiv | O::Fmin | O::Fmax | O::Fcopysign => {
                one(float_binary(inst.opcode, ty, arg(0), arg(1)))
            }
            O::Fabs | O::Fneg | O::Sqrt | O::Ceil | O::Floor | O::Trunc | O::Nearest => {
                one(float_unary(inst.opcode, ty, arg(0)))
            }
            O::FcvtToUint | O::FcvtToSint | O::FcvtToUintSat | O::FcvtToSintSat => {
                float_to_int(inst.opcode, arg_ty(0), ty, arg(0)).map(|v| vec![v])
            }
            O::FcvtFromUint | O::FcvtFromSint => one(int_to_float(
                inst.opcode == O::FcvtFromSint,
                arg_ty(0),
                ty,
                arg(0),
            )),
            O::Fpromote => one(f64::from(f32::from_bits(arg(0) as u32)).to_bits()),
            O::Fdemote => one(u64::from((f64::from_bits(arg(0)) as f32).to_bits())),
            O::Bitcast => one(arg(0)),
            O::Select => one(if arg(0) as u32 != 0 { arg(1) } else { arg(2) }),
            O::HeapAddr => match inst.imm {
                Imm::Heap { offset, size } => {
                    let addr = u128::from(arg(0) as u32) + u128::from(offset);
                    if addr + u128::from(size) > self.memory.len() as u128 {
                        return Err(EvalError::Trap(TrapCode::MemoryOutOfBounds));
                    }
                    one(addr as u64)
                }
                _ => unsupported("heap_addr without offset"),
            },
            O::Load => match inst.imm {
                Imm::Access(a) => {
                    let bytes = self.read(arg(0), a.bytes)?;
                    let bits = if a.signed {
                        let shift = 64 - 8 * u32::from(a.bytes);
                        (((bytes << shift) as i64) >> shift) as u64
                    } else {
                        bytes
                    };
                    one(mask(ty, bits))
                }
                _ => unsupported("load without access kind"),
            },
            O::Store => match inst.imm {
                Imm::Access(a) => {
                    self.write(arg(0), a.bytes, arg(1))?;
                    Ok(vec![])
                }
                _ => unsupported("store without access kind"),
            },
            O::MemorySize => one(self.memory.len() as u64 / PAGE),
            O::MemoryGrow => {
                let old = self.memory.len() as u64 / PAGE;
                let delta = arg(0) & 0xffff_ffff;
                if old + delta > self.max_pages {
                    one(u64::from(u32::MAX))
                } else {
                    self.memory.resize(((old + delta) * PAGE) as usize, 0);
                    one(old)
                }
            }
            O::GlobalGet | O::GlobalSet => {
                let Imm::Global(g) = inst.imm else {
                    return unsupported("global op without index");
                };
                let Some(slot) = self.globals.get_mut(g as usize) else {
                    return unsupported(format!("global {g} does not exist"));
                };
                if inst.opcode == O::GlobalGet {
                    one(*slot)
                } else {
                    *slot = arg(0);
                    Ok(vec![])
                }
            }
            O::Call => match &inst.imm {
                Imm::Call { func: callee, sig } => {
                    let args = typed_args(sig, &inst.args, vals, func);
                    let r = self.invoke(*callee, &args)?;
                    Ok(r.into_iter().map(Val::bits).collect())
                }
                _ => unsupported("call without callee"),
            },
            O::CallIndirect => match &inst.imm {
                Imm::CallIndirect { table, sig, .. } => {
                    let Some((callee_v, arg_vs)) = inst.args.split_last() else {
                        return unsupported("call_indirect without callee");
                    };
                    let k = vals[callee_v.index()] as u32 as usize;
                    let Some(t) = self.tables.get(*table as usize) else {
                        return unsupported(format!("table {table} does not exist"));
                    };
                    let entry = *t
                        .get(k)
                        .ok_or(EvalError::Trap(TrapCode::UndefinedElement))?;
                    let callee = entry.ok_or(EvalError::Trap(TrapCode::UninitializedElement))?;
                    // Wasm 1.0 function types match structurally.
                    match self.module.info.func_sig(callee) {
                        Ok(s) if s == sig => {}
                        _ => return Err(EvalError::Trap(TrapCode::IndirectCallTypeMismatch)),
                    }
                    let args = typed_args(sig, arg_vs, vals, func);
                    let r = self.invoke(callee, &args)?;
                    Ok(r.into_iter().map(Val::bits).collect())
                }
                _ => unsupported("call_indirect without signature"),
            },
            O::Trap => match inst.imm {
                Imm::Trap(code) => Err(EvalError::Trap(code)),
                _ => unsupported("trap without code"),
            },
            O::Trapnz => match inst.imm {
                Imm::Trap(code) if arg(0) != 0 => Err(EvalError::Trap(code)),
                _ => Ok(vec![]),
            },
            O::FuelCheck => match self.fuel {
                Some(0) => Err(EvalError::Trap(TrapCode::OutOfFuel)),
                Some(f) => {
                    self.fuel = Some(f - 1);
                    Ok(vec![])
                }
                None => Ok(vec![]),
            },
            O::EpochCheck => Ok(vec![]),
            O::Jump | O::Brif | O::BrTable | O::Return => unsupported("branch in exec"),
        }
    }

    fn check(&self, addr: u64, n: u8) -> Result<usize, EvalError> {
        let end = u128::from(addr) + u128::from(n);
        if end > self.memory.len() as u128 {
            return Err(EvalError::Trap(TrapCode::MemoryOutOfBounds));
        }
        Ok(addr as usize)
    }

    fn read(&self, addr: u64, n: u8) -> Result<u64, EvalError> {
        let a = self.check(addr, n)?;
        let mut buf = [0u8; 8];
        buf[..n as usize].copy_from_slice(&self.memory[a..a + n as usize]);
        Ok(u64::from_le_bytes(buf))
    }

    fn write(&mut self, addr: u64, n: u8, value: u64) -> Result<(), EvalError> {
        let a = self.check(addr, n)?;
        self.memory[a..a + n as usize].copy_from_slice(&value.to_le_bytes()[..n as usize]);
        Ok(())
    }
}

fn typed_args(
    sig: &Signature,
    args: &[super::function::Value],
    vals: &[u64],
    _func: &Function,
) -> Vec<Val> {
    sig.params
        .iter()
        .zip(args)
        .map(|(t, a)| Val::from_bits(*t, vals[a.index()]))
        .collect()
}

fn mask(ty: Type, v: u64) -> u64 {
    if ty.bits() == 32 { v & 0xffff_ffff } else { v }
}

fn int_unary(op: Opcode, ty: Type, x: u64) -> u64 {
    if ty.bits() == 32 {
        let x = x as u32;
        u64::from(match op {
            Opcode::Clz => x.leading_zeros(),
            Opcode::Ctz => x.trailing_zeros(),
            _ => x.count_ones(),
        })
    } else {
        u64::from(match op {
            Opcode::Clz => x.leading_zeros(),
            Opcode::Ctz => x.trailing_zeros(),
            _ => x.count_ones(),
        })
    }
}

macro_rules! int_binary_at {
    ($op:expr, $u:ty, $s:ty, $x:expr, $y:expr) => {{
        let x = $x as $u;
        let y = $y as $u;
        let bits = <$u>::BITS;
        let r: $u = match $op {
            Opcode::Iadd => x.wrapping_add(y),
            Opcode::Isub => x.wrapping_sub(y),
            Opcode::Imul => x.wrapping_mul(y),
            Opcode::Band => x & y,
            Opcode::Bor => x | y,
            Opcode::Bxor => x ^ y,
            Opcode::Ishl => x << (y % bits as $u),
            Opcode::Ushr => x >> (y % bits as $u),
            Opcode::Sshr => ((x as $s) >> (y % bits as $u)) as $u,
            Opcode::Rotl => x.rotate_left((y % bits as $u) as u32),
            Opcode::Rotr => x.rotate_right((y % bits as $u) as u32),
            Opcode::Udiv | Opcode::Urem | Opcode::Sdiv | Opcode::Srem if y == 0 => {
                return Err(EvalError::Trap(TrapCode::IntegerDivideByZero));
            }
            Opcode::Udiv => x / y,
            Opcode::Urem => x % y,
            Opcode::Sdiv if x as $s == <$s>::MIN && y as $s == -1 => {
                return Err(EvalError::Trap(TrapCode::IntegerOverflow));
            }
            Opcode::Sdiv => ((x as $s) / (y as $s)) as $u,
            Opcode::Srem => (x as $s).wrapping_rem(y as $s) as $u,
            _ => return unsupported("not an integer binary op"),
        };
        Ok(r as u64)
    }};
}

fn int_binary(op: Opcode, ty: Type, x: u64, y: u64) -> Result<u64, EvalError> {
    if ty.bits() == 32 {
        int_binary_at!(op, u32, i32, x, y)
    } else {
        int_binary_at!(op, u64, i64, x, y)
    }
}

fn icmp(cc: IntCC, ty: Type, x: u64, y: u64) -> bool {
    // Sign-extend 32-bit operands so one 64-bit comparison serves both widths.
    let (sx, sy) = if ty.bits() == 32 {
        (i64::from(x as u32 as i32), i64::from(y as u32 as i32))
    } else {
        (x as i64, y as i64)
    };
    match cc {
        IntCC::Eq => x == y,
        IntCC::Ne => x != y,
        IntCC::Slt => sx < sy,
        IntCC::Sgt => sx > sy,
        IntCC::Sle => sx <= sy,
        IntCC::Sge => sx >= sy,
        IntCC::Ult => x < y,
        IntCC::Ugt => x > y,
        IntCC::Ule => x <= y,
        IntCC::Uge => x >= y,
    }
}

/// Floats of either width are computed in their own width, never via f64
/// (double rounding would change f32 results).
macro_rules! float_at {
    ($f:ty, $bits:ty) => {
        pub(super) fn from(b: u64) -> $f {
            <$f>::from_bits(b as $bits)
        }
        pub(super) fn to(f: $f) -> u64 {
            f.to_bits() as u64
        }
    };
}

mod f32_bits {
    float_at!(f32, u32);
}
mod f64_bits {
    float_at!(f64, u64);
}

fn fcmp(cc: FloatCC, ty: Type, x: u64, y: u64) -> bool {
    macro_rules! cmp {
        ($m:ident) => {{
            let (a, b) = ($m::from(x), $m::from(y));
            match cc {
                FloatCC::Eq => a == b,
                FloatCC::Ne => a != b,
                FloatCC::Lt => a < b,
                FloatCC::Gt => a > b,
                FloatCC::Le => a <= b,
                FloatCC::Ge => a >= b,
            }
        }};
    }
    if ty == Type::F32 {
        cmp!(f32_bits)
    } else {
        cmp!(f64_bits)
    }
}

fn float_binary(op: Opcode, ty: Type, x: u64, y: u64) -> u64 {
    macro_rules! bin {
        ($m:ident, $sign:expr) => {{
            let (a, b) = ($m::from(x), $m::from(y));
            match op {
                Opcode::Fadd => $m::to(a + b),
                Opcode::Fsub => $m::to(a - b),
                Opcode::Fmul => $m::to(a * b),
                Opcode::Fdiv => $m::to(a / b),
                // Wasm min/max: NaN if either is NaN; -0 is below +0.
                Opcode::Fmin | Opcode::Fmax if a.is_nan() || b.is_nan() => $m::to(a + b),
                Opcode::Fmin if a == b => x | y,
                Opcode::Fmax if a == b => x & y,
                Opcode::Fmin => $m::to(if a < b { a } else { b }),
                Opcode::Fmax => $m::to(if a > b { a } else { b }),
                _ => (x & !$sign) | (y & $sign),
            }
        }};
    }
    if ty == Type::F32 {
        bin!(f32_bits, 0x8000_0000u64)
    } else {
        bin!(f64_bits, 0x8000_0000_0000_0000u64)
    }
}

fn float_unary(op: Opcode, ty: Type, x: u64) -> u64 {
    macro_rules! un {
        ($m:ident, $sign:expr) => {{
            let a = $m::from(x);
            // Arithmetic on a NaN yields a quiet NaN (Wasm 4.3.3); Rust's
            // rounding functions may hand a signalling NaN back unchanged.
            match op {
                Opcode::Sqrt | Opcode::Ceil | Opcode::Floor | Opcode::Trunc | Opcode::Nearest
                    if a.is_nan() =>
                {
                    x | quiet_bit(ty)
                }
                Opcode::Fabs => x & !$sign,
                Opcode::Fneg => x ^ $sign,
                Opcode::Sqrt => $m::to(a.sqrt()),
                Opcode::Ceil => $m::to(a.ceil()),
                Opcode::Floor => $m::to(a.floor()),
                Opcode::Trunc => $m::to(a.trunc()),
                _ => $m::to(a.round_ties_even()),
            }
        }};
    }
    if ty == Type::F32 {
        un!(f32_bits, 0x8000_0000u64)
    } else {
        un!(f64_bits, 0x8000_0000_0000_0000u64)
    }
}

/// The quiet bit of a NaN (the top mantissa bit).
fn quiet_bit(ty: Type) -> u64 {
    if ty == Type::F32 {
        0x0040_0000
    } else {
        0x0008_0000_0000_0000
    }
}

fn float_to_int(op: Opcode, from: Type, to: Type, x: u64) -> Result<u64, EvalError> {
    // f32 -> f64 is exact, so range checks can be made in f64.
    let f = if from == Type::F32 {
        f64::from(f32::from_bits(x as u32))
    } else {
        f64::from_bits(x)
    };
    let signed = matches!(op, Opcode::FcvtToSint | Opcode::FcvtToSintSat);
    let saturating = matches!(op, Opcode::FcvtToSintSat | Opcode::FcvtToUintSat);
    if !saturating {
        if f.is_nan() {
            return Err(EvalError::Trap(TrapCode::BadConversionToInteger));
        }
        // The exclusive bounds of values whose truncation fits.
        let (lo, hi) = match (signed, to.bits()) {
            (true, 32) => (-2147483649.0, 2147483648.0),
            (false, 32) => (-1.0, 4294967296.0),
            (true, _) => (-9223372036854777856.0, 9223372036854775808.0),
            (false, _) => (-1.0, 18446744073709551616.0),
        };
        if !(f > lo && f < hi) {
            return Err(EvalError::Trap(TrapCode::IntegerOverflow));
        }
    }
    // Rust's `as` truncates toward zero, saturates and maps NaN to 0:
    // exactly Wasm's trunc_sat, and within range plain truncation.
    Ok(match (signed, to.bits()) {
        (true, 32) => u64::from(f as i32 as u32),
        (false, 32) => u64::from(f as u32),
        (true, _) => f as i64 as u64,
        (false, _) => f as u64,
    })
}

fn int_to_float(signed: bool, from: Type, to: Type, x: u64) -> u64 {
    // Each source converts directly to the target width: rounding once.
    macro_rules! conv {
        ($f:ty) => {
            match (signed, from.bits()) {
                (true, 32) => (x as u32 as i32) as $f,
                (false, 32) => (x as u32) as $f,
                (true, _) => (x as i64) as $f,
                (false, _) => x as $f,
            }
        };
    }
    if to == Type::F32 {
        u64::from(conv!(f32).to_bits())
    } else {
        conv!(f64).to_bits()
    }
}
