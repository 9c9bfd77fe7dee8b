//! Register allocation with regalloc2; in debug builds (and so in tests)
//! every allocation is checked by regalloc2's own symbolic checker.

use regalloc2::{Ctx, MachineEnv, Output, RegallocOptions};

use super::abi::machine_env;
use super::vcode::VCode;

#[cfg(test)]
pub fn allocate(vcode: &VCode) -> Result<Output, String> {
    Allocator::new().allocate(vcode)
}

/// An allocator reused across a worker's functions: regalloc2's context
/// keeps its buffers, so later functions allocate little memory.
pub struct Allocator {
    env: MachineEnv,
    ctx: Ctx,
}

impl Allocator {
    pub fn new() -> Self {
        Allocator {
            env: machine_env(),
            ctx: Ctx::default(),
        }
    }

    pub fn allocate(&mut self, vcode: &VCode) -> Result<Output, String> {
        let env = &self.env;
        let opts = RegallocOptions {
            validate_ssa: cfg!(debug_assertions),
            ..RegallocOptions::default()
        };
        regalloc2::run_with_ctx(vcode, env, &opts, &mut self.ctx)
            .map_err(|e| format!("register allocation failed: {e}"))?;
        let out = std::mem::take(&mut self.ctx.output);
        check(vcode, env, &out)?;
        Ok(out)
    }
}

impl Allocator {
    /// Hands back an [`Output`] of [`Allocator::allocate`] once used: the
    /// next allocation reuses its buffers.
    pub fn recycle(&mut self, out: Output) {
        self.ctx.output = out;
    }
}

impl Default for Allocator {
    fn default() -> Self {
        Self::new()
    }
}

fn check(vcode: &VCode, env: &MachineEnv, out: &Output) -> Result<(), String> {
    if cfg!(debug_assertions) {
        let mut checker = regalloc2::checker::Checker::new(vcode, env);
        checker.prepare(out);
        checker
            .run()
            .map_err(|e| format!("regalloc2's checker rejected the allocation: {e:?}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::func::lower_function;
    use crate::translate::{TranslateOptions, translate_module};
    use regalloc2::Allocation;

    fn vcode(wat: &str) -> VCode {
        let bytes = wat::parse_str(wat).expect("valid WAT");
        let t = translate_module(&bytes, &TranslateOptions::default()).expect("translates");
        let f = t.functions[0].as_ref().expect("function");
        lower_function(f, &t.info).expect("lowers")
    }

    #[test]
    fn values_live_across_a_call_leave_the_caller_saved_registers() {
        let v = vcode(
            r#"(module
              (func $f (param i32 i32) (result i32)
                (i32.add (local.get 0) (call $g (local.get 1))))
              (func $g (param i32) (result i32) (local.get 0)))"#,
        );
        let out = allocate(&v).expect("allocates and passes the checker");
        // `local.get 0` is live across the call, which clobbers every
        // caller-saved register: it must be spilled or moved to a
        // callee-saved one.
        let callee_saved = |a: &Allocation| {
            a.as_reg()
                .is_some_and(|r| crate::backend::abi::CALLEE_SAVED.contains(&(r.hw_enc() as u8)))
        };
        let moved = out
            .edits
            .iter()
            .any(|(_, regalloc2::Edit::Move { to, .. })| to.is_stack() || callee_saved(to));
        assert!(out.num_spillslots > 0 || moved || out.allocs.iter().any(callee_saved));
    }

    #[test]
    fn many_live_values_spill_and_still_check() {
        // 20 parameters all live to the end: more than the 12 allocatable
        // general registers.
        let params = "(param i64)".repeat(20);
        let mut body = String::from("(local.get 0)");
        for i in 1..20 {
            body = format!(
                "(i64.add {body} (i64.mul (local.get {i}) (local.get {})))",
                19 - i
            );
        }
        let v = vcode(&format!("(module (func {params} (result i64) {body}))"));
        let out = allocate(&v).expect("allocates and passes the checker");
        assert!(out.num_spillslots > 0, "spills");
    }
}
