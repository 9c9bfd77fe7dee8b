//! `clock_res_get` and `clock_time_get`.
//!
//! - `REALTIME` (0): the host's wall clock, nanoseconds since the Unix epoch.
//! - `MONOTONIC` (1): nanoseconds since the context was built (never goes back).
//! - `PROCESS_CPUTIME_ID` (2), `THREAD_CPUTIME_ID` (3): approximated by the
//!   monotonic clock (the guest is the only thread of its own "process").

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::ctx::WasiCtx;
use super::errno::Errno;
use super::mem::GuestMemory;

pub(crate) const REALTIME: u32 = 0;
pub(crate) const MONOTONIC: u32 = 1;
pub(crate) const PROCESS_CPUTIME: u32 = 2;
pub(crate) const THREAD_CPUTIME: u32 = 3;

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// The current value of clock `id`, in nanoseconds.
pub(crate) fn now(ctx: &WasiCtx, id: u32) -> Result<u64, Errno> {
    match id {
        REALTIME => {
            let since = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_err(|_| Errno::OVERFLOW)?;
            Ok(nanos(since))
        }
        MONOTONIC | PROCESS_CPUTIME | THREAD_CPUTIME => Ok(nanos(ctx.created.elapsed())),
        _ => Err(Errno::INVAL),
    }
}

/// The resolution of clock `id`, in nanoseconds.
pub(crate) fn resolution(id: u32) -> Result<u64, Errno> {
    match id {
        REALTIME => Ok(1_000),
        MONOTONIC | PROCESS_CPUTIME | THREAD_CPUTIME => Ok(1),
        _ => Err(Errno::INVAL),
    }
}

pub(crate) fn clock_res_get(mem: &mut GuestMemory<'_>, id: u32, res_ptr: u32) -> Result<(), Errno> {
    let res = resolution(id)?;
    mem.write_u64(res_ptr, res)
}

pub(crate) fn clock_time_get(
    ctx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    id: u32,
    _precision: u64,
    time_ptr: u32,
) -> Result<(), Errno> {
    let t = now(ctx, id)?;
    mem.write_u64(time_ptr, t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::WasiCtxBuilder;

    #[test]
    fn clocks() {
        let ctx = WasiCtxBuilder::new().build();
        let mut bytes = vec![0u8; 16];
        let mut mem = GuestMemory::new(&mut bytes);
        clock_time_get(&ctx, &mut mem, REALTIME, 0, 0).expect("realtime");
        // After 2020-01-01.
        assert!(mem.read_u64(0).expect("in bounds") > 1_577_836_800_000_000_000);
        clock_time_get(&ctx, &mut mem, MONOTONIC, 0, 0).expect("monotonic");
        let a = mem.read_u64(0).expect("in bounds");
        clock_time_get(&ctx, &mut mem, MONOTONIC, 0, 8).expect("monotonic");
        assert!(mem.read_u64(8).expect("in bounds") >= a);
        assert_eq!(clock_time_get(&ctx, &mut mem, 4, 0, 0), Err(Errno::INVAL));
        assert_eq!(
            clock_time_get(&ctx, &mut mem, REALTIME, 0, 9),
            Err(Errno::FAULT)
        );
        clock_res_get(&mut mem, MONOTONIC, 0).expect("res");
        assert!(mem.read_u64(0).expect("in bounds") > 0);
        assert_eq!(clock_res_get(&mut mem, 99, 0), Err(Errno::INVAL));
    }
}
