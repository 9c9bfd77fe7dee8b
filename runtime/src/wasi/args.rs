//! `args_*` and `environ_*`: the program's arguments and environment.

use super::ctx::WasiCtx;
use super::errno::Errno;
use super::mem::GuestMemory;

/// NUL-terminated strings, as C expects them.
fn c_strings<'a>(items: impl Iterator<Item = Vec<u8>> + 'a) -> Vec<Vec<u8>> {
    items
        .map(|mut s| {
            s.push(0);
            s
        })
        .collect()
}

fn arg_strings(ctx: &WasiCtx) -> Vec<Vec<u8>> {
    c_strings(ctx.args.iter().map(|a| a.as_bytes().to_vec()))
}

fn env_strings(ctx: &WasiCtx) -> Vec<Vec<u8>> {
    c_strings(ctx.env.iter().map(|(k, v)| format!("{k}={v}").into_bytes()))
}

/// Writes the count and the total byte size (with NULs) of `strings`.
fn sizes_get(
    mem: &mut GuestMemory<'_>,
    strings: &[Vec<u8>],
    count_ptr: u32,
    size_ptr: u32,
) -> Result<(), Errno> {
    let size = strings
        .iter()
        .try_fold(0usize, |acc, s| acc.checked_add(s.len()));
    mem.write_size(count_ptr, strings.len())?;
    mem.write_size(size_ptr, size.ok_or(Errno::OVERFLOW)?)
}

/// Writes the strings to `buf` and a pointer to each into the array at `ptrs`.
fn strings_get(
    mem: &mut GuestMemory<'_>,
    strings: &[Vec<u8>],
    ptrs: u32,
    buf: u32,
) -> Result<(), Errno> {
    let mut at = buf;
    for (i, s) in strings.iter().enumerate() {
        let slot = u32::try_from(i)
            .ok()
            .and_then(|i| i.checked_mul(4))
            .and_then(|off| ptrs.checked_add(off))
            .ok_or(Errno::FAULT)?;
        mem.write_u32(slot, at)?;
        mem.write_bytes(at, s)?;
        let len = u32::try_from(s.len()).map_err(|_| Errno::FAULT)?;
        at = at.checked_add(len).ok_or(Errno::FAULT)?;
    }
    Ok(())
}

pub(crate) fn args_sizes_get(
    ctx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    argc_ptr: u32,
    size_ptr: u32,
) -> Result<(), Errno> {
    sizes_get(mem, &arg_strings(ctx), argc_ptr, size_ptr)
}

pub(crate) fn args_get(
    ctx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    argv: u32,
    argv_buf: u32,
) -> Result<(), Errno> {
    strings_get(mem, &arg_strings(ctx), argv, argv_buf)
}

pub(crate) fn environ_sizes_get(
    ctx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    count_ptr: u32,
    size_ptr: u32,
) -> Result<(), Errno> {
    sizes_get(mem, &env_strings(ctx), count_ptr, size_ptr)
}

pub(crate) fn environ_get(
    ctx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    environ: u32,
    environ_buf: u32,
) -> Result<(), Errno> {
    strings_get(mem, &env_strings(ctx), environ, environ_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::WasiCtxBuilder;

    #[test]
    fn args_layout() {
        let ctx = WasiCtxBuilder::new()
            .args(&["prog", "a b"])
            .env("K", "V")
            .build();
        let mut bytes = vec![0u8; 128];
        let mut mem = GuestMemory::new(&mut bytes);
        args_sizes_get(&ctx, &mut mem, 0, 4).expect("sizes");
        assert_eq!(mem.read_u32(0), Ok(2));
        assert_eq!(mem.read_u32(4), Ok(9));
        args_get(&ctx, &mut mem, 16, 64).expect("args");
        assert_eq!(mem.read_u32(16), Ok(64));
        assert_eq!(mem.read_u32(20), Ok(69));
        assert_eq!(mem.slice(64, 9).expect("in bounds"), b"prog\0a b\0");
        environ_sizes_get(&ctx, &mut mem, 0, 4).expect("sizes");
        assert_eq!((mem.read_u32(0), mem.read_u32(4)), (Ok(1), Ok(4)));
        environ_get(&ctx, &mut mem, 32, 100).expect("env");
        assert_eq!(mem.read_u32(32), Ok(100));
        assert_eq!(mem.slice(100, 4).expect("in bounds"), b"K=V\0");
        // Buffers out of bounds: EFAULT.
        assert_eq!(args_get(&ctx, &mut mem, 16, 124), Err(Errno::FAULT));
        assert_eq!(args_get(&ctx, &mut mem, u32::MAX, 64), Err(Errno::FAULT));
        assert_eq!(args_sizes_get(&ctx, &mut mem, 126, 0), Err(Errno::FAULT));
    }
}
