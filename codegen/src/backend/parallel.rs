//! Lowering and register allocation of a module's functions on every
//! available core. Functions are independent until emission, so workers
//! take the next unclaimed index; results land in function order, so the
//! output (and the first error reported) does not depend on scheduling.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use regalloc2::Output;

use super::func::lower_function;
use super::regalloc::Allocator;
use super::vcode::VCode;
use crate::ir::Function;
use crate::translate::ModuleInfo;

/// One function's lowered code and allocation, or why it failed.
pub type Lowered = Result<(VCode, Output), String>;

/// `lower_function` then `allocate` for each of `funcs`, in order.
pub fn lower_and_allocate(funcs: &[&Function], info: &ModuleInfo) -> Vec<Lowered> {
    let work = |alloc: &mut Allocator, f: &Function| -> Lowered {
        let vcode = lower_function(f, info)?;
        let out = alloc.allocate(&vcode)?;
        Ok((vcode, out))
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(funcs.len());
    if threads <= 1 {
        let mut alloc = Allocator::new();
        return funcs.iter().map(|f| work(&mut alloc, f)).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Lowered>>> = funcs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut alloc = Allocator::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(f) = funcs.get(i) else { break };
                    let r = work(&mut alloc, f);
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Err("internal error: a compile worker stopped".into()))
        })
        .collect()
}
