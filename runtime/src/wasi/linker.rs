//! Registers every `wasi_snapshot_preview1` import as a host function.

use std::sync::Arc;

use crate::{Caller, Error, Extern, I32Exit, Linker};

use super::ctx::WasiCtx;
use super::errno::Errno;
use super::mem::GuestMemory;
use super::{args, clock, fd, path, poll, proc};

/// The import module name of WASI preview 1.
pub const MODULE: &str = "wasi_snapshot_preview1";

type GetCx<T> = dyn Fn(&mut T) -> &mut WasiCtx + Send + Sync;

fn errno_result(r: Result<(), Errno>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => i32::from(e.raw()),
    }
}

/// Runs a call that needs the caller's exported `memory`.
fn with_mem<T: 'static>(
    caller: &mut Caller<'_, T>,
    get_cx: &GetCx<T>,
    f: impl FnOnce(&mut WasiCtx, &mut GuestMemory<'_>) -> Result<(), Errno>,
) -> Result<i32, Error> {
    let Some(memory) = caller.get_export("memory").and_then(Extern::into_memory) else {
        return Err(Error::msg(
            "WASI call from a module that exports no memory named `memory`",
        ));
    };
    // The context lives in the store's data and the bytes in the store's
    // memory: borrow both at once, as the store splits them for us.
    let (bytes, data) = memory.data_and_store_mut(&mut *caller);
    let mut mem = GuestMemory::new(bytes);
    Ok(errno_result(f(get_cx(data), &mut mem)))
}

/// Runs a call that only needs the context.
fn with_cx<T: 'static>(
    caller: &mut Caller<'_, T>,
    get_cx: &GetCx<T>,
    f: impl FnOnce(&mut WasiCtx) -> Result<(), Errno>,
) -> Result<i32, Error> {
    Ok(errno_result(f(get_cx(caller.data_mut()))))
}

/// Registers a host function `name` whose body sees `(ctx, mem, args...)`.
macro_rules! with_mem {
    ($linker:ident, $get:ident, $name:literal, |$cx:ident, $mem:ident $(, $a:ident : $t:ty)*| $body:expr) => {{
        let get = Arc::clone(&$get);
        $linker.func_wrap(
            MODULE,
            $name,
            move |mut caller: Caller<'_, T>, $($a: $t),*| -> Result<i32, Error> {
                with_mem(&mut caller, &*get, |$cx, $mem| $body)
            },
        )?;
    }};
}

/// Registers a host function `name` whose body sees `(ctx, args...)`.
macro_rules! with_cx {
    ($linker:ident, $get:ident, $name:literal, |$cx:ident $(, $a:ident : $t:ty)*| $body:expr) => {{
        let get = Arc::clone(&$get);
        $linker.func_wrap(
            MODULE,
            $name,
            move |mut caller: Caller<'_, T>, $($a: $t),*| -> Result<i32, Error> {
                with_cx(&mut caller, &*get, |$cx| $body)
            },
        )?;
    }};
}

/// Registers a host function `name` that always returns `errno`.
macro_rules! unsupported {
    ($linker:ident, $name:literal, $errno:expr, ($($t:ty),*)) => {{
        $linker.func_wrap(MODULE, $name, move |$(_: $t),*| -> i32 { i32::from($errno.raw()) })?;
    }};
}

/// Adds all of `wasi_snapshot_preview1` to `linker`. `get_cx` finds the
/// [`WasiCtx`] in the store's data, e.g. `|cx: &mut WasiCtx| cx` when the
/// data *is* the context, or `|s: &mut MyState| &mut s.wasi`.
///
/// `proc_exit(code)` stops execution with an [`I32Exit`]`(code)` error
/// (`error.downcast_ref::<I32Exit>()`); the CLI exits with that code.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get_cx: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + 'static,
) -> Result<(), Error> {
    let get: Arc<GetCx<T>> = Arc::new(get_cx);

    // ---- args, environment ----
    with_mem!(linker, get, "args_get", |cx, mem, argv: u32, buf: u32| {
        args::args_get(cx, mem, argv, buf)
    });
    with_mem!(
        linker,
        get,
        "args_sizes_get",
        |cx, mem, argc: u32, size: u32| { args::args_sizes_get(cx, mem, argc, size) }
    );
    with_mem!(linker, get, "environ_get", |cx, mem, env: u32, buf: u32| {
        args::environ_get(cx, mem, env, buf)
    });
    with_mem!(
        linker,
        get,
        "environ_sizes_get",
        |cx, mem, count: u32, size: u32| { args::environ_sizes_get(cx, mem, count, size) }
    );

    // ---- clocks, randomness, scheduling ----
    with_mem!(
        linker,
        get,
        "clock_res_get",
        |_cx, mem, id: u32, res: u32| { clock::clock_res_get(mem, id, res) }
    );
    with_mem!(
        linker,
        get,
        "clock_time_get",
        |cx, mem, id: u32, precision: u64, time: u32| {
            clock::clock_time_get(cx, mem, id, precision, time)
        }
    );
    with_mem!(linker, get, "random_get", |_cx, mem, buf: u32, len: u32| {
        proc::random_get(mem, buf, len)
    });
    with_cx!(linker, get, "sched_yield", |_cx| proc::sched_yield());
    with_mem!(
        linker,
        get,
        "poll_oneoff",
        |cx, mem, sin: u32, sout: u32, n: u32, nevents: u32| {
            poll::poll_oneoff(cx, mem, sin, sout, n, nevents)
        }
    );

    // ---- process ----
    linker.func_wrap(MODULE, "proc_exit", |code: i32| -> Result<(), Error> {
        Err(Error::new(I32Exit(code)))
    })?;
    unsupported!(linker, "proc_raise", Errno::NOSYS, (i32));

    // ---- descriptors ----
    with_mem!(
        linker,
        get,
        "fd_read",
        |cx, mem, fd: u32, iovs: u32, len: u32, nread: u32| {
            fd::fd_read(cx, mem, fd, iovs, len, nread)
        }
    );
    with_mem!(
        linker,
        get,
        "fd_write",
        |cx, mem, fd: u32, iovs: u32, len: u32, nwritten: u32| {
            fd::fd_write(cx, mem, fd, iovs, len, nwritten)
        }
    );
    with_mem!(
        linker,
        get,
        "fd_pread",
        |cx, mem, fd: u32, iovs: u32, len: u32, offset: u64, nread: u32| {
            fd::fd_pread(cx, mem, fd, iovs, len, offset, nread)
        }
    );
    with_mem!(
        linker,
        get,
        "fd_pwrite",
        |cx, mem, fd: u32, iovs: u32, len: u32, offset: u64, nwritten: u32| {
            fd::fd_pwrite(cx, mem, fd, iovs, len, offset, nwritten)
        }
    );
    with_mem!(
        linker,
        get,
        "fd_seek",
        |cx, mem, fd: u32, offset: i64, whence: u32, new: u32| {
            fd::fd_seek(cx, mem, fd, offset, whence, new)
        }
    );
    with_mem!(linker, get, "fd_tell", |cx, mem, fd: u32, offset: u32| {
        fd::fd_tell(cx, mem, fd, offset)
    });
    with_cx!(linker, get, "fd_close", |cx, fd: u32| fd::fd_close(cx, fd));
    with_cx!(linker, get, "fd_renumber", |cx, from: u32, to: u32| {
        fd::fd_renumber(cx, from, to)
    });
    with_mem!(
        linker,
        get,
        "fd_fdstat_get",
        |cx, mem, fd: u32, buf: u32| { fd::fd_fdstat_get(cx, mem, fd, buf) }
    );
    with_cx!(
        linker,
        get,
        "fd_fdstat_set_flags",
        |cx, fd: u32, flags: u32| { fd::fd_fdstat_set_flags(cx, fd, flags) }
    );
    with_cx!(
        linker,
        get,
        "fd_fdstat_set_rights",
        |cx, fd: u32, _base: u64, _inheriting: u64| fd::fd_fdstat_set_rights(cx, fd)
    );
    with_mem!(
        linker,
        get,
        "fd_filestat_get",
        |cx, mem, fd: u32, buf: u32| { fd::fd_filestat_get(cx, mem, fd, buf) }
    );
    with_cx!(
        linker,
        get,
        "fd_filestat_set_size",
        |cx, fd: u32, size: u64| { fd::fd_filestat_set_size(cx, fd, size) }
    );
    with_cx!(
        linker,
        get,
        "fd_filestat_set_times",
        |cx, fd: u32, atim: u64, mtim: u64, fst: u32| {
            fd::fd_filestat_set_times(cx, fd, atim, mtim, fst)
        }
    );
    with_cx!(linker, get, "fd_sync", |cx, fd: u32| fd::fd_sync(
        cx, fd, false
    ));
    with_cx!(linker, get, "fd_datasync", |cx, fd: u32| fd::fd_sync(
        cx, fd, true
    ));
    with_cx!(
        linker,
        get,
        "fd_advise",
        |cx, fd: u32, _offset: u64, _len: u64, advice: u32| { fd::fd_advise(cx, fd, advice) }
    );
    unsupported!(linker, "fd_allocate", Errno::NOTSUP, (i32, i64, i64));
    with_mem!(
        linker,
        get,
        "fd_prestat_get",
        |cx, mem, fd: u32, buf: u32| { fd::fd_prestat_get(cx, mem, fd, buf) }
    );
    with_mem!(
        linker,
        get,
        "fd_prestat_dir_name",
        |cx, mem, fd: u32, p: u32, len: u32| { fd::fd_prestat_dir_name(cx, mem, fd, p, len) }
    );
    with_mem!(
        linker,
        get,
        "fd_readdir",
        |cx, mem, fd: u32, buf: u32, len: u32, cookie: u64, used: u32| {
            fd::fd_readdir(cx, mem, fd, buf, len, cookie, used)
        }
    );

    // ---- paths ----
    with_mem!(
        linker,
        get,
        "path_open",
        |cx,
         mem,
         fd: u32,
         dirflags: u32,
         p: u32,
         len: u32,
         oflags: u32,
         base: u64,
         inheriting: u64,
         fdflags: u32,
         out: u32| {
            path::path_open(
                cx, mem, fd, dirflags, p, len, oflags, base, inheriting, fdflags, out,
            )
        }
    );
    with_mem!(
        linker,
        get,
        "path_create_directory",
        |cx, mem, fd: u32, p: u32, len: u32| { path::path_create_directory(cx, mem, fd, p, len) }
    );
    with_mem!(
        linker,
        get,
        "path_remove_directory",
        |cx, mem, fd: u32, p: u32, len: u32| { path::path_remove_directory(cx, mem, fd, p, len) }
    );
    with_mem!(
        linker,
        get,
        "path_unlink_file",
        |cx, mem, fd: u32, p: u32, len: u32| { path::path_unlink_file(cx, mem, fd, p, len) }
    );
    with_mem!(
        linker,
        get,
        "path_rename",
        |cx, mem, fd: u32, p: u32, len: u32, new_fd: u32, new_p: u32, new_len: u32| {
            path::path_rename(cx, mem, fd, p, len, new_fd, new_p, new_len)
        }
    );
    with_mem!(
        linker,
        get,
        "path_filestat_get",
        |cx, mem, fd: u32, flags: u32, p: u32, len: u32, buf: u32| {
            path::path_filestat_get(cx, mem, fd, flags, p, len, buf)
        }
    );
    with_mem!(
        linker,
        get,
        "path_filestat_set_times",
        |cx, mem, fd: u32, flags: u32, p: u32, len: u32, atim: u64, mtim: u64, fst: u32| {
            path::path_filestat_set_times(cx, mem, fd, flags, p, len, atim, mtim, fst)
        }
    );
    with_mem!(
        linker,
        get,
        "path_readlink",
        |cx, mem, fd: u32, p: u32, len: u32, buf: u32, buf_len: u32, used: u32| {
            path::path_readlink(cx, mem, fd, p, len, buf, buf_len, used)
        }
    );
    with_mem!(
        linker,
        get,
        "path_link",
        |cx, mem, fd: u32, flags: u32, p: u32, len: u32, new_fd: u32, new_p: u32, new_len: u32| {
            path::path_link(cx, mem, fd, flags, p, len, new_fd, new_p, new_len)
        }
    );
    with_mem!(
        linker,
        get,
        "path_symlink",
        |cx, mem, p: u32, len: u32, fd: u32, new_p: u32, new_len: u32| {
            path::path_symlink(cx, mem, p, len, fd, new_p, new_len)
        }
    );

    // ---- sockets: no descriptor is ever a socket ----
    with_cx!(
        linker,
        get,
        "sock_accept",
        |cx, fd: u32, _flags: u32, _out: u32| { fd::not_a_socket(cx, fd) }
    );
    with_cx!(
        linker,
        get,
        "sock_recv",
        |cx, fd: u32, _iovs: u32, _len: u32, _flags: u32, _n: u32, _oflags: u32| {
            fd::not_a_socket(cx, fd)
        }
    );
    with_cx!(
        linker,
        get,
        "sock_send",
        |cx, fd: u32, _iovs: u32, _len: u32, _flags: u32, _n: u32| fd::not_a_socket(cx, fd)
    );
    with_cx!(linker, get, "sock_shutdown", |cx, fd: u32, _how: u32| {
        fd::not_a_socket(cx, fd)
    });
    Ok(())
}
