//! Register allocation with regalloc2; in debug builds (and so in tests)
//! every allocation is checked by regalloc2's own symbolic checker.

use regalloc2::{Output, RegallocOptions};

use super::abi::machine_env;
use super::vcode::VCode;

pub fn allocate(vcode: &VCode) -> Result<Output, String> {
    let env = machine_env();
    let opts = RegallocOptions {
        validate_ssa: cfg!(debug_assertions),
        ..RegallocOptions::default()
    };
    let out = regalloc2::run(vcode, &env, &opts)
        .map_err(|e| format!("register allocation failed: {e}"))?;
    if cfg!(debug_assertions) {
        let mut checker = regalloc2::checker::Checker::new(vcode, &env);
        checker.prepare(&out);
        checker
            .run()
            .map_err(|e| format!("regalloc2's checker rejected the allocation: {e:?}"))?;
    }
    Ok(out)
}
