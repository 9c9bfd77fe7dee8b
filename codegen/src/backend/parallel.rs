//! Compiling a module's functions on every available core. A function is
//! independent of the others from validation to its encoded bytes (calls
//! between functions are relocations, `link.rs`), so workers take the
//! next unclaimed function; results land in function order, so the output
//! (and which error is reported) does not depend on scheduling.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use iced_x86::code_asm::CodeAssembler;
use wasmparser::FuncValidatorAllocations;

use super::assemble::Assembler;
use super::emit::emit_function;
use super::func::lower_function;
use super::link::FuncCode;
use super::regalloc::Allocator;
use crate::translate::{
    BodyError, BodyToCompile, ModuleInfo, TranslateError, TranslateOptions, translate_function,
};

/// Why one function did not compile.
#[derive(Debug)]
pub enum FuncError {
    /// The body does not validate (a module error).
    Invalid(TranslateError),
    /// The body is not translatable.
    Translate(TranslateError),
    /// Lowering, allocation or encoding failed (the message says why).
    Lowering(String),
}

/// One function's code, or why it failed.
pub type Compiled = Result<FuncCode, FuncError>;

/// What a worker keeps across its functions so later ones allocate less.
/// Kept across modules too (in [`SPARE`]): threads come and go with each
/// module, their buffers need not.
struct Worker {
    validator: FuncValidatorAllocations,
    alloc: Allocator,
    code: Option<CodeAssembler>,
    asm: Assembler,
}

/// Workers of finished compiles, for the next one.
static SPARE: Mutex<Vec<Worker>> = Mutex::new(Vec::new());

/// A spare worker, or a new one; handed back with [`put_back`].
fn take_worker() -> Worker {
    let spare = SPARE.lock().unwrap_or_else(|e| e.into_inner()).pop();
    spare.unwrap_or_else(Worker::new)
}

/// Keeps at most one spare worker per core (concurrent compiles may have
/// made more).
fn put_back(w: Worker) {
    let mut spare = SPARE.lock().unwrap_or_else(|e| e.into_inner());
    if spare.len() < cores() {
        spare.push(w);
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Worker {
    fn new() -> Self {
        Worker {
            validator: FuncValidatorAllocations::default(),
            alloc: Allocator::new(),
            code: CodeAssembler::new(64).ok(),
            asm: Assembler::new(),
        }
    }

    /// Validate, translate, lower, allocate and encode one body.
    fn compile(
        &mut self,
        body: BodyToCompile<'_>,
        info: &ModuleInfo,
        opts: &TranslateOptions,
    ) -> Compiled {
        let func =
            translate_function(info, body, opts, &mut self.validator).map_err(|e| match e {
                BodyError::Invalid(e) => FuncError::Invalid(e),
                BodyError::Translate(e) => FuncError::Translate(e),
            })?;
        let vcode = lower_function(&func, info).map_err(FuncError::Lowering)?;
        drop(func);
        let out = self.alloc.allocate(&vcode).map_err(FuncError::Lowering)?;
        let code = self
            .code
            .as_mut()
            .ok_or_else(|| FuncError::Lowering("cannot create an assembler".into()))?;
        let num_funcs = info.funcs.len() as u32 - info.num_imported_funcs();
        let code = emit_function(
            code,
            &mut self.asm,
            &vcode,
            &out,
            info.num_imported_funcs(),
            num_funcs,
        )
        .map_err(|e| FuncError::Lowering(e.0));
        self.alloc.recycle(out);
        code
    }
}

/// Compile each of `bodies`; result `i` is `bodies[i]`'s.
pub fn compile_functions(
    bodies: Vec<BodyToCompile<'_>>,
    info: &ModuleInfo,
    opts: &TranslateOptions,
) -> Vec<Compiled> {
    let threads = cores().min(bodies.len());
    if threads <= 1 {
        let mut w = take_worker();
        let out = bodies
            .into_iter()
            .map(|b| w.compile(b, info, opts))
            .collect();
        put_back(w);
        return out;
    }
    let n = bodies.len();
    // Largest bodies first, so no big one is left for the end while the
    // other cores idle.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| {
        let r = bodies[i].body.range();
        std::cmp::Reverse(r.end - r.start)
    });
    let bodies: Vec<Mutex<Option<BodyToCompile<'_>>>> =
        bodies.into_iter().map(|b| Mutex::new(Some(b))).collect();
    let results: Vec<Mutex<Option<Compiled>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        let mut w = take_worker();
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let body = bodies[i].lock().unwrap_or_else(|e| e.into_inner()).take();
            let r = match body {
                Some(b) => w.compile(b, info, opts),
                None => Err(FuncError::Lowering(
                    "internal error: body taken twice".into(),
                )),
            };
            *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
        }
        put_back(w);
    };
    // This thread is one of the workers.
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(work);
        }
        work();
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| {
                    Err(FuncError::Lowering(
                        "internal error: a compile worker stopped".into(),
                    ))
                })
        })
        .collect()
}
