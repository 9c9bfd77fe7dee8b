//! Execution (spec §4.4): a loop over pre-decoded instructions with explicit
//! value, label and frame stacks, so that Wasm recursion never recurses in
//! the host.
//!
//! Invariants this file relies on (why its indexing cannot fail):
//! - every body passed wasmparser's validation, so operand stack heights,
//!   operand types, local, global, table, memory, type, function, element
//!   and data indices and branch depths are all as the spec's typing rules
//!   say; a violation is a bug in this crate and panics naming it;
//! - every body's last instruction is `Return`, and every continuation the
//!   decoder resolved lies inside the body.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::instr::{FuncBody, Instr, LoadOp, StoreOp};
use crate::memory::MemInst;
use crate::module::ModuleInner;
use crate::store::{Caller, FuncAddr, FuncInst, InstanceAddr, MemAddr, Store, TableAddr};
use crate::trap::{Frame as TraceFrame, Trap, TrapKind};
use crate::value::{Ref, Value};

/// The most values (locals plus operands) all frames of one invocation may
/// hold: 16 Mi values, 512 MiB.
const MAX_STACK_VALUES: usize = 16 << 20;

/// A label (spec §4.2.14, "labels"): how many values a branch to it carries, the
/// operand stack height below them, and where it continues.
#[derive(Clone, Copy, Debug)]
struct Label {
    height: usize,
    arity: usize,
    target: usize,
}

/// An activation frame (spec §4.2.14, "activation frames") plus where its parts of the shared
/// stacks begin.
struct Frame {
    module: Arc<ModuleInner>,
    instance: InstanceAddr,
    /// Index into `module.code`.
    body: usize,
    /// Index in the module's function index space (for backtraces).
    func_index: u32,
    pc: usize,
    arity: usize,
    locals_base: usize,
    labels_base: usize,
    stack_base: usize,
}

/// The state of one `invoke`: a host function re-entering Wasm gets a fresh
/// machine, sharing only the store (and its call-depth count).
#[derive(Default)]
struct Machine {
    stack: Vec<Value>,
    locals: Vec<Value>,
    labels: Vec<Label>,
    frames: Vec<Frame>,
}

/// Spec A.1 `func_invoke`: checks the arguments, runs to completion.
pub(crate) fn invoke<T>(
    store: &mut Store<T>,
    func: FuncAddr,
    args: &[Value],
) -> Result<Vec<Value>, Trap> {
    let Some(f) = store.funcs.get(func.0 as usize) else {
        return Err(Trap::host(format!(
            "{func:?} is not a function of this store"
        )));
    };
    let ty = f.ty();
    if args.len() != ty.params.len() || args.iter().zip(&ty.params).any(|(a, t)| !a.matches(*t)) {
        return Err(Trap::host(format!(
            "arguments {args:?} do not match the function's parameters {:?}",
            ty.params
        )));
    }
    let mut m = Machine::default();
    m.stack.extend_from_slice(args);
    m.call(store, func, None)?;
    m.run(store)?;
    Ok(m.stack)
}

fn trap<R>(kind: TrapKind) -> Result<R, Trap> {
    Err(Trap::new(kind))
}

impl Machine {
    // ---- operand stack (validation guarantees every pop finds its operand) ----

    fn pop(&mut self) -> Value {
        self.stack
            .pop()
            .expect("validated code never pops an empty operand stack")
    }
    fn pop_i32(&mut self) -> i32 {
        match self.pop() {
            Value::I32(x) => x,
            v => unreachable!("validated code found {v:?} where it expected an i32"),
        }
    }
    /// An i32 operand used as an address, size or index (unsigned, §4.4).
    fn pop_u32(&mut self) -> u64 {
        u64::from(self.pop_i32() as u32)
    }
    fn pop_ref(&mut self) -> Ref {
        match self.pop() {
            Value::Ref(r) => r,
            v => unreachable!("validated code found {v:?} where it expected a reference"),
        }
    }
    fn push(&mut self, v: Value) {
        self.stack.push(v);
    }

    /// The depth a new call would reach, counting suspended outer machines.
    fn depth<T>(&self, store: &Store<T>) -> usize {
        store.outer_depth + self.frames.len()
    }

    fn backtrace(&self) -> Vec<TraceFrame> {
        self.frames
            .iter()
            .rev()
            .map(|f| TraceFrame {
                func_index: f.func_index,
                func_name: f.module.func_name(f.func_index).map(str::to_string),
                module_name: f.module.name.clone(),
            })
            .collect()
    }

    /// Spec §4.4.10.1 "invocation of function address a": the arguments are
    /// on the operand stack. A Wasm function gets a new frame (run by the
    /// loop); a host function runs to completion here.
    fn call<T>(
        &mut self,
        store: &mut Store<T>,
        func: FuncAddr,
        caller: Option<InstanceAddr>,
    ) -> Result<(), Trap> {
        if self.depth(store) >= store.max_call_depth {
            return trap(TrapKind::CallStackExhausted);
        }
        match store.func_inst(func) {
            FuncInst::Wasm {
                ty,
                instance,
                module,
                index,
            } => {
                check_epoch(store)?;
                let module = module.clone();
                let (instance, index, arity) = (*instance, *index, ty.results.len());
                let params = ty.params.len();
                let body_index = (index - module.num_imported_funcs) as usize;
                let body: &FuncBody = &module.code[body_index]; // a defined function has a body
                // Frames live on the heap; bound their total size too, so that
                // deep recursion through functions with many locals traps
                // rather than exhausting host memory.
                if self.locals.len() + self.stack.len() + body.locals.len() > MAX_STACK_VALUES {
                    return trap(TrapKind::CallStackExhausted);
                }
                let locals_base = self.locals.len();
                let args_start = self.stack.len() - params;
                self.locals.extend(self.stack.drain(args_start..));
                self.locals.extend_from_slice(&body.locals);
                let labels_base = self.labels.len();
                // The body is a block whose label continues at its final `Return`.
                self.labels.push(Label {
                    height: self.stack.len(),
                    arity,
                    target: body.instrs.len() - 1,
                });
                self.frames.push(Frame {
                    module,
                    instance,
                    body: body_index,
                    func_index: index,
                    pc: 0,
                    arity,
                    locals_base,
                    labels_base,
                    stack_base: self.stack.len(),
                });
                Ok(())
            }
            FuncInst::Host { ty, func } => {
                let func = func.clone();
                let results_ty = ty.results.clone();
                let args = self.stack.split_off(self.stack.len() - ty.params.len());
                // The host call counts as a frame; re-entrant calls see ours too.
                let guard = DepthGuard {
                    saved: store.outer_depth,
                    store: &mut *store,
                };
                guard.store.outer_depth += self.frames.len() + 1;
                let result = func(
                    &mut Caller {
                        store: &mut *guard.store,
                        instance: caller,
                    },
                    &args,
                );
                drop(guard);
                let results = result?;
                if results.len() != results_ty.len()
                    || results.iter().zip(&results_ty).any(|(v, t)| !v.matches(*t))
                {
                    return Err(Trap::host(format!(
                        "host function returned {results:?}, expected values of types {results_ty:?}"
                    )));
                }
                self.stack.extend(results);
                Ok(())
            }
        }
    }

    /// Spec §4.4.8.9 `return` (and falling off a function's end).
    fn return_(&mut self) {
        let frame = self.frames.pop().expect("return with a frame");
        let results_start = self.stack.len() - frame.arity;
        self.stack.drain(frame.stack_base..results_start);
        self.labels.truncate(frame.labels_base);
        self.locals.truncate(frame.locals_base);
    }

    /// Spec §4.4.8.6 `br l`: keeps the label's arity values, pops everything
    /// else down to the label's height, and the label and those inside it.
    /// Returns where execution continues.
    fn branch(&mut self, depth: u32) -> usize {
        let index = self.labels.len() - 1 - depth as usize;
        let label = self.labels[index];
        let values_start = self.stack.len() - label.arity;
        self.stack.drain(label.height..values_start);
        self.labels.truncate(index);
        label.target
    }

    fn run<T>(&mut self, store: &mut Store<T>) -> Result<(), Trap> {
        self.execute(store).map_err(|mut t| {
            t.backtrace.extend(self.backtrace());
            t
        })
    }

    fn execute<T>(&mut self, store: &mut Store<T>) -> Result<(), Trap> {
        // One iteration per activation change (call or return).
        while let Some(frame) = self.frames.last() {
            let module = frame.module.clone();
            let inst = frame.instance;
            let body = &module.code[frame.body];
            let mut pc = frame.pc;
            loop {
                if let Some(fuel) = &mut store.fuel {
                    if *fuel == 0 {
                        return trap(TrapKind::OutOfFuel);
                    }
                    *fuel -= 1;
                }
                let instr = body.instrs[pc];
                pc += 1;
                match instr {
                    // ---- control (§4.4.8) ----
                    Instr::Unreachable => return trap(TrapKind::Unreachable),
                    Instr::Nop => {}
                    Instr::Block {
                        params,
                        results,
                        end,
                    } => {
                        let height = self.stack.len() - params as usize;
                        self.labels.push(Label {
                            height,
                            arity: results as usize,
                            target: end as usize,
                        });
                    }
                    Instr::Loop { params } => {
                        check_epoch(store)?;
                        let height = self.stack.len() - params as usize;
                        self.labels.push(Label {
                            height,
                            arity: params as usize,
                            target: pc - 1,
                        });
                    }
                    Instr::If {
                        params,
                        results,
                        else_,
                        end,
                    } => {
                        let c = self.pop_i32();
                        let height = self.stack.len() - params as usize;
                        self.labels.push(Label {
                            height,
                            arity: results as usize,
                            target: end as usize,
                        });
                        if c == 0 {
                            pc = else_ as usize;
                        }
                    }
                    Instr::Else { end } => {
                        self.labels.pop();
                        pc = end as usize;
                    }
                    Instr::End => {
                        self.labels.pop();
                    }
                    Instr::Br(depth) => pc = self.branch(depth),
                    Instr::BrIf(depth) => {
                        if self.pop_i32() != 0 {
                            pc = self.branch(depth);
                        }
                    }
                    Instr::BrTable { start, len } => {
                        let i = self.pop_i32() as u32;
                        let pick = if i < len { start + i } else { start + len };
                        pc = self.branch(body.br_tables[pick as usize]);
                    }
                    Instr::Return => {
                        self.return_();
                        break;
                    }
                    Instr::Call(f) => {
                        let addr = store.instance(inst).funcs[f as usize];
                        self.frame_mut().pc = pc;
                        self.call(store, addr, Some(inst))?;
                        break;
                    }
                    Instr::CallIndirect { type_index, table } => {
                        // §4.4.8.11
                        let ta = store.instance(inst).tables[table as usize];
                        let i = self.pop_u32();
                        let Some(r) = store.table_inst(ta).get(i) else {
                            return trap(TrapKind::UndefinedElement);
                        };
                        let Ref::Func(addr) = r else {
                            return trap(TrapKind::UninitializedElement);
                        };
                        if store.func_inst(addr).ty() != &module.types[type_index as usize] {
                            return trap(TrapKind::IndirectCallTypeMismatch);
                        }
                        self.frame_mut().pc = pc;
                        self.call(store, addr, Some(inst))?;
                        break;
                    }

                    // ---- parametric (§4.4.4) ----
                    Instr::Drop => {
                        self.pop();
                    }
                    Instr::Select => {
                        let c = self.pop_i32();
                        let v2 = self.pop();
                        let v1 = self.pop();
                        self.push(if c != 0 { v1 } else { v2 });
                    }

                    // ---- variables (§4.4.5) ----
                    Instr::LocalGet(x) => {
                        let v = self.locals[self.locals_base() + x as usize];
                        self.push(v);
                    }
                    Instr::LocalSet(x) => {
                        let v = self.pop();
                        let base = self.locals_base();
                        self.locals[base + x as usize] = v;
                    }
                    Instr::LocalTee(x) => {
                        let v = *self
                            .stack
                            .last()
                            .expect("validated: local.tee has an operand");
                        let base = self.locals_base();
                        self.locals[base + x as usize] = v;
                    }
                    Instr::GlobalGet(x) => {
                        let ga = store.instance(inst).globals[x as usize];
                        self.push(store.global_inst(ga).value);
                    }
                    Instr::GlobalSet(x) => {
                        let ga = store.instance(inst).globals[x as usize];
                        let v = self.pop();
                        store.globals[ga.0 as usize].value = v;
                    }

                    // ---- tables (§4.4.6) ----
                    Instr::TableGet(x) => {
                        let ta = table_addr(store, inst, x);
                        let i = self.pop_u32();
                        match store.table_inst(ta).get(i) {
                            Some(r) => self.push(Value::Ref(r)),
                            None => return trap(TrapKind::TableOutOfBounds),
                        }
                    }
                    Instr::TableSet(x) => {
                        let ta = table_addr(store, inst, x);
                        let r = self.pop_ref();
                        let i = self.pop_u32();
                        if store.table_inst_mut(ta).set(i, r).is_none() {
                            return trap(TrapKind::TableOutOfBounds);
                        }
                    }
                    Instr::TableSize(x) => {
                        let ta = table_addr(store, inst, x);
                        self.push(Value::I32(store.table_inst(ta).len() as i32));
                    }
                    Instr::TableGrow(x) => {
                        let ta = table_addr(store, inst, x);
                        let n = self.pop_u32();
                        let init = self.pop_ref();
                        let old = store.table_grow(ta, n, init);
                        self.push(Value::I32(old.map_or(-1, |o| o as i32)));
                    }
                    Instr::TableFill(x) => {
                        // §4.4.6.5: bounds-check the whole range, then fill.
                        let ta = table_addr(store, inst, x);
                        let n = self.pop_u32();
                        let val = self.pop_ref();
                        let i = self.pop_u32();
                        let table = store.table_inst_mut(ta);
                        if !table.in_bounds(i, n) {
                            return trap(TrapKind::TableOutOfBounds);
                        }
                        table.elems[i as usize..(i + n) as usize].fill(val);
                    }
                    Instr::TableCopy { dst, src } => {
                        // §4.4.6.6
                        let (da, sa) = (table_addr(store, inst, dst), table_addr(store, inst, src));
                        let n = self.pop_u32();
                        let s = self.pop_u32();
                        let d = self.pop_u32();
                        table_copy(store, da, sa, d, s, n)?;
                    }
                    Instr::TableInit { table, elem } => {
                        let ta = table_addr(store, inst, table);
                        let ea = store.instance(inst).elems[elem as usize];
                        let n = self.pop_u32();
                        let s = self.pop_u32();
                        let d = self.pop_u32();
                        store.table_init(ta, ea, d, s, n).map_err(Trap::new)?;
                    }
                    Instr::ElemDrop(x) => {
                        let ea = store.instance(inst).elems[x as usize];
                        store.elem_drop(ea);
                    }

                    // ---- memory (§4.4.7) ----
                    Instr::Load { op, offset } => {
                        let ma = mem_addr(store, inst);
                        // An i32 address plus a u32 offset cannot overflow u64.
                        let ea = self.pop_u32() + offset;
                        match load(store.mem_inst(ma), op, ea) {
                            Some(v) => self.push(v),
                            None => return trap(TrapKind::MemoryOutOfBounds),
                        }
                    }
                    Instr::Store { op, offset } => {
                        let ma = mem_addr(store, inst);
                        let v = self.pop();
                        let ea = self.pop_u32() + offset;
                        if store_value(store.mem_inst_mut(ma), op, ea, v).is_none() {
                            return trap(TrapKind::MemoryOutOfBounds);
                        }
                    }
                    Instr::MemorySize => {
                        let ma = mem_addr(store, inst);
                        self.push(Value::I32(store.mem_inst(ma).pages() as i32));
                    }
                    Instr::MemoryGrow => {
                        let ma = mem_addr(store, inst);
                        let n = self.pop_u32();
                        let old = store.memory_grow(ma, n);
                        self.push(Value::I32(old.map_or(-1, |o| o as i32)));
                    }
                    Instr::MemoryFill => {
                        // §4.4.7.12: bounds-check the whole range, then fill.
                        let ma = mem_addr(store, inst);
                        let n = self.pop_u32();
                        let val = self.pop_i32() as u8;
                        let d = self.pop_u32();
                        match store.mem_inst_mut(ma).slice_mut(d, n) {
                            Some(bytes) => bytes.fill(val),
                            None => return trap(TrapKind::MemoryOutOfBounds),
                        }
                    }
                    Instr::MemoryCopy => {
                        // §4.4.7.13: both ranges in bounds; overlap is fine.
                        let ma = mem_addr(store, inst);
                        let n = self.pop_u32();
                        let s = self.pop_u32();
                        let d = self.pop_u32();
                        let mem = store.mem_inst_mut(ma);
                        if !mem.in_bounds(s, n) || !mem.in_bounds(d, n) {
                            return trap(TrapKind::MemoryOutOfBounds);
                        }
                        mem.data
                            .copy_within(s as usize..(s + n) as usize, d as usize);
                    }
                    Instr::MemoryInit(x) => {
                        let ma = mem_addr(store, inst);
                        let da = store.instance(inst).datas[x as usize];
                        let n = self.pop_u32();
                        let s = self.pop_u32();
                        let d = self.pop_u32();
                        store.memory_init(ma, da, d, s, n).map_err(Trap::new)?;
                    }
                    Instr::DataDrop(x) => {
                        let da = store.instance(inst).datas[x as usize];
                        store.data_drop(da);
                    }

                    // ---- constants and references (§4.4.1.1, §4.4.2) ----
                    Instr::I32Const(x) => self.push(Value::I32(x)),
                    Instr::I64Const(x) => self.push(Value::I64(x)),
                    Instr::F32Const(x) => self.push(Value::F32(x)),
                    Instr::F64Const(x) => self.push(Value::F64(x)),
                    Instr::RefNull(h) => self.push(Value::Ref(Ref::Null(h))),
                    Instr::RefIsNull => {
                        let r = self.pop_ref();
                        self.push(Value::I32(r.is_null() as i32));
                    }
                    Instr::RefFunc(f) => {
                        let addr = store.instance(inst).funcs[f as usize];
                        self.push(Value::Ref(Ref::Func(addr)));
                    }

                    // ---- numerics (§4.4.1, §4.3): pop arity operands, push eval's result ----
                    Instr::Num(op) => {
                        let args_start = self.stack.len() - op.arity();
                        let result = op.eval(&self.stack[args_start..]).map_err(Trap::new)?;
                        self.stack.truncate(args_start);
                        self.push(result);
                    }
                }
            }
        }
        Ok(())
    }

    fn frame_mut(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("executing inside a frame")
    }

    fn locals_base(&self) -> usize {
        self.frames.last().map_or(0, |f| f.locals_base)
    }
}

/// Restores the store's outer call depth when a host call ends, even by a
/// panic the embedder catches.
struct DepthGuard<'a, T> {
    store: &'a mut Store<T>,
    saved: usize,
}

impl<T> Drop for DepthGuard<'_, T> {
    fn drop(&mut self) {
        self.store.outer_depth = self.saved;
    }
}

/// The epoch deadline check (function entries and loop headers).
fn check_epoch<T>(store: &Store<T>) -> Result<(), Trap> {
    match &store.epoch {
        Some((epoch, deadline)) if epoch.load(Ordering::Relaxed) >= *deadline => {
            trap(TrapKind::Interrupted)
        }
        _ => Ok(()),
    }
}

fn table_addr<T>(store: &Store<T>, inst: InstanceAddr, x: u32) -> TableAddr {
    store.instance(inst).tables[x as usize]
}

/// Memory 0 of the instance: validation rejects memory instructions in a
/// module without one.
fn mem_addr<T>(store: &Store<T>, inst: InstanceAddr) -> MemAddr {
    store.instance(inst).mems[0]
}

/// `table.copy` (spec §4.4.6.6): both ranges in bounds; overlap is fine.
fn table_copy<T>(
    store: &mut Store<T>,
    da: TableAddr,
    sa: TableAddr,
    d: u64,
    s: u64,
    n: u64,
) -> Result<(), Trap> {
    if !store.table_inst(sa).in_bounds(s, n) || !store.table_inst(da).in_bounds(d, n) {
        return trap(TrapKind::TableOutOfBounds);
    }
    let (s, d, n) = (s as usize, d as usize, n as usize);
    if da == sa {
        store.table_inst_mut(da).elems.copy_within(s..s + n, d);
    } else {
        let src = store.table_inst(sa).elems[s..s + n].to_vec();
        store.table_inst_mut(da).elems[d..d + n].copy_from_slice(&src);
    }
    Ok(())
}

/// `t.load` / `t.loadN_sx` (spec §4.4.7.1-2): little-endian bytes, then
/// sign- or zero-extended. `None` when out of bounds.
fn load(mem: &MemInst, op: LoadOp, ea: u64) -> Option<Value> {
    fn bytes<const N: usize>(mem: &MemInst, ea: u64) -> Option<[u8; N]> {
        mem.slice(ea, N as u64)?.try_into().ok()
    }
    Some(match op {
        LoadOp::I32 => Value::I32(i32::from_le_bytes(bytes(mem, ea)?)),
        LoadOp::I64 => Value::I64(i64::from_le_bytes(bytes(mem, ea)?)),
        LoadOp::F32 => Value::F32(u32::from_le_bytes(bytes(mem, ea)?)),
        LoadOp::F64 => Value::F64(u64::from_le_bytes(bytes(mem, ea)?)),
        LoadOp::I32From8S => Value::I32(i8::from_le_bytes(bytes(mem, ea)?).into()),
        LoadOp::I32From8U => Value::I32(u8::from_le_bytes(bytes(mem, ea)?).into()),
        LoadOp::I32From16S => Value::I32(i16::from_le_bytes(bytes(mem, ea)?).into()),
        LoadOp::I32From16U => Value::I32(u16::from_le_bytes(bytes(mem, ea)?).into()),
        LoadOp::I64From8S => Value::I64(i8::from_le_bytes(bytes(mem, ea)?).into()),
        LoadOp::I64From8U => Value::I64(u8::from_le_bytes(bytes(mem, ea)?).into()),
        LoadOp::I64From16S => Value::I64(i16::from_le_bytes(bytes(mem, ea)?).into()),
        LoadOp::I64From16U => Value::I64(u16::from_le_bytes(bytes(mem, ea)?).into()),
        LoadOp::I64From32S => Value::I64(i32::from_le_bytes(bytes(mem, ea)?).into()),
        LoadOp::I64From32U => Value::I64(u32::from_le_bytes(bytes(mem, ea)?).into()),
    })
}

/// `t.store` / `t.storeN` (spec §4.4.7.7-8): the low N bytes of the value's
/// bits, little-endian. `None` when out of bounds (nothing is written).
fn store_value(mem: &mut MemInst, op: StoreOp, ea: u64, v: Value) -> Option<()> {
    let bits: u64 = match v {
        Value::I32(x) => u64::from(x as u32),
        Value::I64(x) => x as u64,
        Value::F32(x) => u64::from(x),
        Value::F64(x) => x,
        other => unreachable!("validated code stores {other:?}"),
    };
    let width = match op {
        StoreOp::I32To8 | StoreOp::I64To8 => 1,
        StoreOp::I32To16 | StoreOp::I64To16 => 2,
        StoreOp::I32 | StoreOp::F32 | StoreOp::I64To32 => 4,
        StoreOp::I64 | StoreOp::F64 => 8,
    };
    mem.slice_mut(ea, width as u64)?
        .copy_from_slice(&bits.to_le_bytes()[..width]);
    Some(())
}
