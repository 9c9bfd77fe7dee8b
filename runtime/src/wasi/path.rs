//! `path_*` calls: opening, creating, removing, renaming and stat-ing paths
//! relative to a directory descriptor.
//!
//! Every one of them goes through the `cap_std::fs::Dir` of that descriptor:
//! cap-std resolves the path inside the directory and refuses any path that
//! would leave it — `..` past its root, an absolute path, or a symlink
//! pointing outside — with an error we report as `NOTCAPABLE`. There are no
//! hand-written path checks here.

use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, SystemTimeSpec};
use cap_std::fs::OpenOptions;

use super::ctx::{Descriptor, DirDesc, FileDesc, WasiCtx};
use super::errno::Errno;
use super::fd::{Filestat, fdflags, fstflags, rights};
use super::mem::GuestMemory;

/// `lookupflags`: follow a final symlink.
const SYMLINK_FOLLOW: u32 = 1;

/// `oflags`.
mod oflags {
    pub const CREAT: u32 = 1 << 0;
    pub const DIRECTORY: u32 = 1 << 1;
    pub const EXCL: u32 = 1 << 2;
    pub const TRUNC: u32 = 1 << 3;
}

fn read_path<'m>(mem: &'m GuestMemory<'_>, ptr: u32, len: u32) -> Result<&'m str, Errno> {
    let p = mem.read_str(ptr, len)?;
    if p.is_empty() {
        return Err(Errno::NOENT);
    }
    Ok(p)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn path_open(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    dirflags: u32,
    path_ptr: u32,
    path_len: u32,
    oflags: u32,
    rights_base: u64,
    rights_inheriting: u64,
    fdflags: u32,
    fd_ptr: u32,
) -> Result<(), Errno> {
    let path = read_path(mem, path_ptr, path_len)?.to_owned();
    // Check the result slot up front, so a bad pointer can't leak an open fd.
    mem.slice(fd_ptr, 4)?;
    let dir = &ctx.fds.dir(fd)?.dir;
    if oflags & !(oflags::CREAT | oflags::DIRECTORY | oflags::EXCL | oflags::TRUNC) != 0 {
        return Err(Errno::INVAL);
    }
    let fdflags = u16::try_from(fdflags).map_err(|_| Errno::INVAL)?;
    // Symlinks are followed (inside the directory only) unless the guest
    // asked not to (O_NOFOLLOW): then a final symlink is ELOOP.
    let follow = dirflags & SYMLINK_FOLLOW != 0;
    let creat = oflags & oflags::CREAT != 0;
    let excl = oflags & oflags::EXCL != 0;
    let trunc = oflags & oflags::TRUNC != 0;
    let append = fdflags & fdflags::APPEND != 0;
    let want_read = rights_base & (rights::FD_READ | rights::FD_READDIR) != 0;
    let want_write = append
        || rights_base & (rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE)
            != 0;

    let open_as_dir = if oflags & oflags::DIRECTORY != 0 {
        if creat || trunc {
            return Err(Errno::INVAL);
        }
        true
    } else {
        // `open(dir, O_RDONLY)` without O_DIRECTORY is allowed too.
        let meta = if follow {
            dir.metadata(&path)
        } else {
            dir.symlink_metadata(&path)
        };
        !creat && !trunc && !want_write && meta.is_ok_and(|m| m.is_dir())
    };

    let desc = if open_as_dir {
        let sub = if follow {
            dir.open_dir(&path)
        } else {
            dir.open_dir_nofollow(&path)
        };
        let sub = sub.map_err(Errno::from)?;
        Descriptor::Dir(DirDesc {
            dir: sub,
            preopen: None,
        })
    } else {
        let mut opts = OpenOptions::new();
        opts.read(want_read || !want_write)
            .write(want_write && !append)
            .append(append)
            .create(creat)
            .create_new(creat && excl)
            .truncate(trunc)
            .follow(if follow {
                FollowSymlinks::Yes
            } else {
                FollowSymlinks::No
            });
        if trunc && !want_write {
            // O_TRUNC needs write access on the host.
            opts.write(true);
        }
        let file = dir.open_with(&path, &opts).map_err(Errno::from)?.into_std();
        Descriptor::File(FileDesc {
            file,
            flags: fdflags & (fdflags::APPEND | fdflags::NONBLOCK),
            readable: want_read || !want_write,
            writable: want_write || trunc,
            rights_base: rights_base & rights::FILE,
            rights_inheriting: rights_inheriting & rights::FILE,
        })
    };
    let new_fd = ctx.fds.insert(desc)?;
    mem.write_u32(fd_ptr, new_fd)
}

pub(crate) fn path_create_directory(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path_ptr: u32,
    path_len: u32,
) -> Result<(), Errno> {
    let path = read_path(mem, path_ptr, path_len)?;
    ctx.fds.dir(fd)?.dir.create_dir(path).map_err(Errno::from)
}

pub(crate) fn path_remove_directory(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path_ptr: u32,
    path_len: u32,
) -> Result<(), Errno> {
    let path = read_path(mem, path_ptr, path_len)?;
    ctx.fds.dir(fd)?.dir.remove_dir(path).map_err(Errno::from)
}

pub(crate) fn path_unlink_file(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path_ptr: u32,
    path_len: u32,
) -> Result<(), Errno> {
    let path = read_path(mem, path_ptr, path_len)?;
    let dir = &ctx.fds.dir(fd)?.dir;
    match dir.remove_file(path) {
        Ok(()) => Ok(()),
        // Linux reports EISDIR for unlink on a directory; POSIX (and WASI) say EPERM
        // on some systems: keep the host's answer but make a directory ISDIR everywhere.
        Err(e) => {
            if dir.symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
                Err(Errno::ISDIR)
            } else {
                Err(Errno::from(e))
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn path_rename(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_fd: u32,
    old_ptr: u32,
    old_len: u32,
    new_fd: u32,
    new_ptr: u32,
    new_len: u32,
) -> Result<(), Errno> {
    let old = read_path(mem, old_ptr, old_len)?;
    let new = read_path(mem, new_ptr, new_len)?;
    let old_dir = &ctx.fds.dir(old_fd)?.dir;
    let new_dir = &ctx.fds.dir(new_fd)?.dir;
    old_dir.rename(old, new_dir, new).map_err(Errno::from)
}

pub(crate) fn path_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    path_ptr: u32,
    path_len: u32,
    buf: u32,
) -> Result<(), Errno> {
    let path = read_path(mem, path_ptr, path_len)?;
    let dir = &ctx.fds.dir(fd)?.dir;
    let meta = if flags & SYMLINK_FOLLOW != 0 {
        dir.metadata(path)
    } else {
        dir.symlink_metadata(path)
    }
    .map_err(Errno::from)?;
    Filestat::from_metadata(&meta).write(mem, buf)
}

/// The times `fst_flags` asks to set: `None` leaves one unchanged.
fn time_specs(
    atim: u64,
    mtim: u64,
    fst: u32,
) -> Result<(Option<SystemTimeSpec>, Option<SystemTimeSpec>), Errno> {
    use fstflags::*;
    let fst = u16::try_from(fst).map_err(|_| Errno::INVAL)?;
    let spec = |set: u16, now: u16, ns: u64| -> Result<Option<SystemTimeSpec>, Errno> {
        match (fst & set != 0, fst & now != 0) {
            (true, true) => Err(Errno::INVAL),
            (true, false) => {
                let t = std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns);
                Ok(Some(SystemTimeSpec::Absolute(
                    cap_std::time::SystemTime::from_std(t),
                )))
            }
            (false, true) => Ok(Some(SystemTimeSpec::SymbolicNow)),
            (false, false) => Ok(None),
        }
    };
    Ok((spec(ATIM, ATIM_NOW, atim)?, spec(MTIM, MTIM_NOW, mtim)?))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn path_filestat_set_times(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    path_ptr: u32,
    path_len: u32,
    atim: u64,
    mtim: u64,
    fst: u32,
) -> Result<(), Errno> {
    let path = read_path(mem, path_ptr, path_len)?;
    let (atime, mtime) = time_specs(atim, mtim, fst)?;
    let dir = &ctx.fds.dir(fd)?.dir;
    if flags & SYMLINK_FOLLOW != 0 {
        dir.set_times(path, atime, mtime)
    } else {
        dir.set_symlink_times(path, atime, mtime)
    }
    .map_err(Errno::from)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn path_readlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path_ptr: u32,
    path_len: u32,
    buf: u32,
    buf_len: u32,
    bufused_ptr: u32,
) -> Result<(), Errno> {
    let path = read_path(mem, path_ptr, path_len)?;
    let dir = &ctx.fds.dir(fd)?.dir;
    // The link's text, unresolved (it may well point outside: reading it is harmless).
    let target = dir.read_link_contents(path).map_err(Errno::from)?;
    let bytes = target.to_str().ok_or(Errno::ILSEQ)?.as_bytes();
    let n = bytes
        .len()
        .min(usize::try_from(buf_len).map_err(|_| Errno::FAULT)?);
    mem.write_bytes(buf, bytes.get(..n).unwrap_or_default())?;
    mem.write_size(bufused_ptr, n)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn path_link(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_fd: u32,
    _old_flags: u32,
    old_ptr: u32,
    old_len: u32,
    new_fd: u32,
    new_ptr: u32,
    new_len: u32,
) -> Result<(), Errno> {
    let old = read_path(mem, old_ptr, old_len)?;
    let new = read_path(mem, new_ptr, new_len)?;
    let old_dir = &ctx.fds.dir(old_fd)?.dir;
    let new_dir = &ctx.fds.dir(new_fd)?.dir;
    old_dir.hard_link(old, new_dir, new).map_err(Errno::from)
}

pub(crate) fn path_symlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_ptr: u32,
    old_len: u32,
    fd: u32,
    new_ptr: u32,
    new_len: u32,
) -> Result<(), Errno> {
    let target = read_path(mem, old_ptr, old_len)?;
    let link = read_path(mem, new_ptr, new_len)?;
    let dir = &ctx.fds.dir(fd)?.dir;
    #[cfg(unix)]
    {
        // cap-std refuses absolute targets; a relative one that climbs out
        // can be created but never followed.
        dir.symlink(target, link).map_err(Errno::from)
    }
    #[cfg(not(unix))]
    {
        let _ = (target, link, dir);
        Err(Errno::NOSYS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::WasiCtxBuilder;

    fn tempdir(name: &str) -> std::path::PathBuf {
        let d =
            std::env::temp_dir().join(format!("wasmproof-wasi-unit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("root")).expect("create temp dir");
        d
    }

    #[test]
    fn open_escape_is_notcapable() {
        let base = tempdir("escape");
        std::fs::write(base.join("secret"), b"s").expect("write");
        std::fs::create_dir(base.join("root/a")).expect("mkdir");
        let mut ctx = WasiCtxBuilder::new()
            .preopened_dir(base.join("root"), "/root")
            .expect("preopen")
            .build();
        let mut bytes = vec![0u8; 128];
        let mut mem = GuestMemory::new(&mut bytes);
        for (i, p) in ["../secret", "/etc/passwd", "a/../../secret"]
            .iter()
            .enumerate()
        {
            mem.write_bytes(0, p.as_bytes()).expect("ok");
            let len = u32::try_from(p.len()).expect("short");
            let r = path_open(
                &mut ctx,
                &mut mem,
                3,
                1,
                0,
                len,
                0,
                rights::FD_READ,
                0,
                0,
                64,
            );
            assert_eq!(r, Err(Errno::NOTCAPABLE), "case {i}: {p}");
        }
        // Not a directory fd / no such fd.
        assert_eq!(
            path_open(&mut ctx, &mut mem, 1, 1, 0, 1, 0, 0, 0, 0, 64),
            Err(Errno::NOTDIR)
        );
        assert_eq!(
            path_open(&mut ctx, &mut mem, 9, 1, 0, 1, 0, 0, 0, 0, 64),
            Err(Errno::BADF)
        );
        // Path or result pointer out of bounds.
        assert_eq!(
            path_open(&mut ctx, &mut mem, 3, 1, 120, 9, 0, 0, 0, 0, 64),
            Err(Errno::FAULT)
        );
        assert_eq!(
            path_open(&mut ctx, &mut mem, 3, 1, 0, 1, 0, 0, 0, 0, 126),
            Err(Errno::FAULT)
        );
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn preopen_of_missing_dir_fails() {
        let mut b = WasiCtxBuilder::new();
        let err = b
            .preopened_dir("/definitely/not/here/wasmproof", "/x")
            .err();
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("/definitely/not/here/wasmproof"), "{msg}");
    }
}
