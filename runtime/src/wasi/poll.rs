//! `poll_oneoff`: waiting on clocks (and trivially-ready descriptors).
//!
//! Clock subscriptions sleep until the earliest deadline. Files, stdout and
//! stderr are always ready; stdin from bytes is ready with what remains.
//! Inherited (host) stdin is reported ready too: the following `fd_read`
//! may block, which is what a single-threaded command expects.

use std::time::Duration;

use super::clock;
use super::ctx::{Descriptor, WasiCtx};
use super::errno::Errno;
use super::mem::GuestMemory;

const SUBSCRIPTION_SIZE: u32 = 48;
const EVENT_SIZE: u32 = 32;

const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;

/// `subclockflags`: the timeout is an absolute time of the clock.
const SUBSCRIPTION_CLOCK_ABSTIME: u16 = 1;

struct Event {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
}

fn at(base: u32, index: u32, size: u32, field: u32) -> Result<u32, Errno> {
    index
        .checked_mul(size)
        .and_then(|o| o.checked_add(field))
        .and_then(|o| base.checked_add(o))
        .ok_or(Errno::FAULT)
}

pub(crate) fn poll_oneoff(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    in_ptr: u32,
    out_ptr: u32,
    nsubscriptions: u32,
    nevents_ptr: u32,
) -> Result<(), Errno> {
    if nsubscriptions == 0 {
        return Err(Errno::INVAL);
    }
    // Both arrays must be in bounds before anything happens.
    mem.slice(
        in_ptr,
        nsubscriptions
            .checked_mul(SUBSCRIPTION_SIZE)
            .ok_or(Errno::FAULT)?,
    )?;
    mem.slice(
        out_ptr,
        nsubscriptions.checked_mul(EVENT_SIZE).ok_or(Errno::FAULT)?,
    )?;

    let mut ready = Vec::new();
    // (deadline in nanoseconds of the monotonic clock, userdata)
    let mut timers: Vec<(u64, u64)> = Vec::new();
    let mono_now = clock::now(ctx, clock::MONOTONIC)?;
    for i in 0..nsubscriptions {
        let userdata = mem.read_u64(at(in_ptr, i, SUBSCRIPTION_SIZE, 0)?)?;
        let tag = mem.read_u8(at(in_ptr, i, SUBSCRIPTION_SIZE, 8)?)?;
        match tag {
            EVENTTYPE_CLOCK => {
                let id = mem.read_u32(at(in_ptr, i, SUBSCRIPTION_SIZE, 16)?)?;
                let timeout = mem.read_u64(at(in_ptr, i, SUBSCRIPTION_SIZE, 24)?)?;
                let flags = mem.read_u16(at(in_ptr, i, SUBSCRIPTION_SIZE, 40)?)?;
                let delay = if flags & SUBSCRIPTION_CLOCK_ABSTIME != 0 {
                    match clock::now(ctx, id) {
                        Ok(now) => timeout.saturating_sub(now),
                        Err(e) => {
                            ready.push(Event {
                                userdata,
                                error: e,
                                kind: tag,
                                nbytes: 0,
                            });
                            continue;
                        }
                    }
                } else {
                    if let Err(e) = clock::resolution(id) {
                        ready.push(Event {
                            userdata,
                            error: e,
                            kind: tag,
                            nbytes: 0,
                        });
                        continue;
                    }
                    timeout
                };
                timers.push((mono_now.saturating_add(delay), userdata));
            }
            EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE => {
                let fd = mem.read_u32(at(in_ptr, i, SUBSCRIPTION_SIZE, 16)?)?;
                let (error, nbytes) = match (ctx.fds.get(fd), tag) {
                    (Err(e), _) => (e, 0),
                    (Ok(Descriptor::Stdin(input)), EVENTTYPE_FD_READ) => {
                        (Errno::SUCCESS, input.available())
                    }
                    (Ok(Descriptor::Stdout(_) | Descriptor::Stderr(_)), EVENTTYPE_FD_WRITE) => {
                        (Errno::SUCCESS, 0)
                    }
                    (Ok(Descriptor::File(_)), _) => (Errno::SUCCESS, 0),
                    (Ok(_), _) => (Errno::BADF, 0),
                };
                ready.push(Event {
                    userdata,
                    error,
                    kind: tag,
                    nbytes,
                });
            }
            _ => return Err(Errno::INVAL),
        }
    }

    if ready.is_empty()
        && let Some(&(deadline, _)) = timers.iter().min_by_key(|t| t.0)
    {
        let now = clock::now(ctx, clock::MONOTONIC)?;
        if deadline > now {
            std::thread::sleep(Duration::from_nanos(deadline - now));
        }
    }
    if ready.is_empty() || !timers.is_empty() {
        let now = clock::now(ctx, clock::MONOTONIC)?;
        for &(deadline, userdata) in &timers {
            if deadline <= now {
                ready.push(Event {
                    userdata,
                    error: Errno::SUCCESS,
                    kind: EVENTTYPE_CLOCK,
                    nbytes: 0,
                });
            }
        }
    }

    for (i, e) in ready.iter().enumerate() {
        let i = u32::try_from(i).map_err(|_| Errno::FAULT)?;
        let mut b = [0u8; 32];
        b[0..8].copy_from_slice(&e.userdata.to_le_bytes());
        b[8..10].copy_from_slice(&e.error.raw().to_le_bytes());
        b[10] = e.kind;
        b[16..24].copy_from_slice(&e.nbytes.to_le_bytes());
        mem.write_bytes(at(out_ptr, i, EVENT_SIZE, 0)?, &b)?;
    }
    mem.write_size(nevents_ptr, ready.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::WasiCtxBuilder;

    #[test]
    fn sleeps_on_a_relative_clock() {
        let mut ctx = WasiCtxBuilder::new().build();
        let mut bytes = vec![0u8; 256];
        let mut mem = GuestMemory::new(&mut bytes);
        mem.write_u64(0, 0xabcd).expect("ok");
        mem.write_u8(8, EVENTTYPE_CLOCK).expect("ok");
        mem.write_u32(16, clock::MONOTONIC).expect("ok");
        mem.write_u64(24, 1_000_000).expect("ok"); // 1 ms
        let before = std::time::Instant::now();
        poll_oneoff(&mut ctx, &mut mem, 0, 64, 1, 200).expect("poll");
        assert!(before.elapsed() >= Duration::from_millis(1));
        assert_eq!(mem.read_u32(200), Ok(1));
        assert_eq!(mem.read_u64(64), Ok(0xabcd));
        assert_eq!(mem.read_u16(72), Ok(0));
        assert_eq!(
            poll_oneoff(&mut ctx, &mut mem, 0, 64, 0, 200),
            Err(Errno::INVAL)
        );
        assert_eq!(
            poll_oneoff(&mut ctx, &mut mem, 0, 240, 1, 200),
            Err(Errno::FAULT)
        );
        assert_eq!(
            poll_oneoff(&mut ctx, &mut mem, 0, 64, u32::MAX, 200),
            Err(Errno::FAULT)
        );
    }
}
