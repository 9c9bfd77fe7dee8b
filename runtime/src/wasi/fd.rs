//! `fd_*` calls: reading, writing, seeking, stat and directory listing on
//! open descriptors.

use std::io::{Read, Seek, SeekFrom, Write};

use cap_std::fs::{FileType, Metadata};

use super::ctx::{Descriptor, FileDesc, WasiCtx};
use super::errno::Errno;
use super::mem::{GuestMemory, IoVec};

// ---- ABI constants ----

pub(crate) mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

pub(crate) mod fdflags {
    pub const APPEND: u16 = 1 << 0;
    pub const DSYNC: u16 = 1 << 1;
    pub const NONBLOCK: u16 = 1 << 2;
    pub const RSYNC: u16 = 1 << 3;
    pub const SYNC: u16 = 1 << 4;
}

pub(crate) mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    /// Every right preview 1 defines (bits 0–29).
    pub const ALL: u64 = (1 << 30) - 1;
    /// What a regular file can do.
    pub const FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;
    /// What a directory can do: everything but reading, writing and seeking.
    pub const DIRECTORY: u64 = ALL & !(FD_READ | FD_WRITE | FD_SEEK | FD_TELL | FD_ALLOCATE);
}

// ---- file types and stat ----

pub(crate) fn filetype_of(ft: &FileType) -> u8 {
    if ft.is_dir() {
        return filetype::DIRECTORY;
    }
    if ft.is_file() {
        return filetype::REGULAR_FILE;
    }
    if ft.is_symlink() {
        return filetype::SYMBOLIC_LINK;
    }
    #[cfg(unix)]
    {
        use cap_std::fs::FileTypeExt;
        if ft.is_char_device() {
            return filetype::CHARACTER_DEVICE;
        }
        if ft.is_block_device() {
            return filetype::BLOCK_DEVICE;
        }
        if ft.is_socket() {
            return filetype::SOCKET_STREAM;
        }
    }
    filetype::UNKNOWN
}

/// The WASI `filestat` record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

#[cfg(unix)]
fn unix_nanos(secs: i64, nsec: i64) -> u64 {
    let t = i128::from(secs) * 1_000_000_000 + i128::from(nsec);
    u64::try_from(t.max(0)).unwrap_or(u64::MAX)
}

impl Filestat {
    pub(crate) fn from_metadata(m: &Metadata) -> Filestat {
        let filetype = filetype_of(&m.file_type());
        #[cfg(unix)]
        {
            use cap_std::fs::MetadataExt;
            Filestat {
                dev: m.dev(),
                ino: m.ino(),
                filetype,
                nlink: m.nlink(),
                size: m.size(),
                atim: unix_nanos(m.atime(), m.atime_nsec()),
                mtim: unix_nanos(m.mtime(), m.mtime_nsec()),
                ctim: unix_nanos(m.ctime(), m.ctime_nsec()),
            }
        }
        #[cfg(not(unix))]
        {
            let t = |r: std::io::Result<cap_std::time::SystemTime>| {
                r.ok()
                    .and_then(|t| t.into_std().duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
            };
            Filestat {
                dev: 0,
                ino: 0,
                filetype,
                nlink: 1,
                size: m.len(),
                atim: t(m.accessed()),
                mtim: t(m.modified()),
                ctim: t(m.modified()),
            }
        }
    }

    /// Writes the 64-byte record at `ptr`.
    pub(crate) fn write(&self, mem: &mut GuestMemory<'_>, ptr: u32) -> Result<(), Errno> {
        let mut b = [0u8; 64];
        b[0..8].copy_from_slice(&self.dev.to_le_bytes());
        b[8..16].copy_from_slice(&self.ino.to_le_bytes());
        b[16] = self.filetype;
        b[24..32].copy_from_slice(&self.nlink.to_le_bytes());
        b[32..40].copy_from_slice(&self.size.to_le_bytes());
        b[40..48].copy_from_slice(&self.atim.to_le_bytes());
        b[48..56].copy_from_slice(&self.mtim.to_le_bytes());
        b[56..64].copy_from_slice(&self.ctim.to_le_bytes());
        mem.write_bytes(ptr, &b)
    }
}

fn file_metadata(file: &std::fs::File) -> Result<Metadata, Errno> {
    Metadata::from_file(file).map_err(Errno::from)
}

fn stdio_filetype() -> u8 {
    filetype::CHARACTER_DEVICE
}

// ---- helpers ----

fn file_mut(ctx: &mut WasiCtx, fd: u32) -> Result<&mut FileDesc, Errno> {
    match ctx.fds.get_mut(fd)? {
        Descriptor::File(f) => Ok(f),
        Descriptor::Dir(_) => Err(Errno::ISDIR),
        _ => Err(Errno::SPIPE),
    }
}

/// Reads into the iovecs in order, stopping at a short read.
fn read_vectored(
    mem: &mut GuestMemory<'_>,
    iovs: &[IoVec],
    mut read: impl FnMut(&mut [u8]) -> Result<usize, Errno>,
) -> Result<usize, Errno> {
    let mut total = 0usize;
    for iov in iovs {
        let dst = mem.slice_mut(iov.ptr, iov.len)?;
        if dst.is_empty() {
            continue;
        }
        let n = match read(dst) {
            Ok(n) => n,
            Err(_) if total > 0 => break,
            Err(e) => return Err(e),
        };
        total = total.saturating_add(n);
        if n < dst.len() {
            break;
        }
    }
    Ok(total)
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}
#[cfg(unix)]
fn write_at(file: &std::fs::File, buf: &[u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::write_at(file, buf, offset)
}
#[cfg(windows)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}
#[cfg(windows)]
fn write_at(file: &std::fs::File, buf: &[u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_write(file, buf, offset)
}

// ---- the calls ----

pub(crate) fn fd_read(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs_ptr: u32,
    iovs_len: u32,
    nread_ptr: u32,
) -> Result<(), Errno> {
    let iovs = mem.read_iovecs(iovs_ptr, iovs_len)?;
    let n = match ctx.fds.get_mut(fd)? {
        Descriptor::Stdin(input) => read_vectored(mem, &iovs, |b| input.read(b))?,
        Descriptor::File(f) if f.readable => {
            read_vectored(mem, &iovs, |b| f.file.read(b).map_err(Errno::from))?
        }
        Descriptor::Dir(_) => return Err(Errno::ISDIR),
        _ => return Err(Errno::BADF),
    };
    mem.write_size(nread_ptr, n)
}

pub(crate) fn fd_pread(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs_ptr: u32,
    iovs_len: u32,
    offset: u64,
    nread_ptr: u32,
) -> Result<(), Errno> {
    let iovs = mem.read_iovecs(iovs_ptr, iovs_len)?;
    let f = file_mut(ctx, fd)?;
    if !f.readable {
        return Err(Errno::BADF);
    }
    let mut pos = offset;
    let n = read_vectored(mem, &iovs, |b| {
        let n = read_at(&f.file, b, pos).map_err(Errno::from)?;
        pos = pos.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        Ok(n)
    })?;
    mem.write_size(nread_ptr, n)
}

pub(crate) fn fd_write(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs_ptr: u32,
    iovs_len: u32,
    nwritten_ptr: u32,
) -> Result<(), Errno> {
    let iovs = mem.read_iovecs(iovs_ptr, iovs_len)?;
    let data = mem.gather(&iovs)?;
    let n = match ctx.fds.get_mut(fd)? {
        Descriptor::Stdout(out) => out.write(&data, false)?,
        Descriptor::Stderr(out) => out.write(&data, true)?,
        Descriptor::File(f) if f.writable => {
            if f.flags & fdflags::APPEND != 0 {
                f.file.seek(SeekFrom::End(0)).map_err(Errno::from)?;
            }
            f.file.write_all(&data).map_err(Errno::from)?;
            data.len()
        }
        Descriptor::Dir(_) => return Err(Errno::ISDIR),
        _ => return Err(Errno::BADF),
    };
    mem.write_size(nwritten_ptr, n)
}

pub(crate) fn fd_pwrite(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs_ptr: u32,
    iovs_len: u32,
    offset: u64,
    nwritten_ptr: u32,
) -> Result<(), Errno> {
    let iovs = mem.read_iovecs(iovs_ptr, iovs_len)?;
    let data = mem.gather(&iovs)?;
    let f = file_mut(ctx, fd)?;
    if !f.writable {
        return Err(Errno::BADF);
    }
    let mut done = 0usize;
    while done < data.len() {
        let pos = offset
            .checked_add(u64::try_from(done).map_err(|_| Errno::FBIG)?)
            .ok_or(Errno::FBIG)?;
        let rest = data.get(done..).unwrap_or_default();
        let n = write_at(&f.file, rest, pos).map_err(Errno::from)?;
        if n == 0 {
            break;
        }
        done += n;
    }
    mem.write_size(nwritten_ptr, done)
}

pub(crate) fn fd_seek(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    offset: i64,
    whence: u32,
    newoffset_ptr: u32,
) -> Result<(), Errno> {
    let from = match whence {
        0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::INVAL)?),
        1 => SeekFrom::Current(offset),
        2 => SeekFrom::End(offset),
        _ => return Err(Errno::INVAL),
    };
    let f = file_mut(ctx, fd)?;
    let pos = f.file.seek(from).map_err(Errno::from)?;
    mem.write_u64(newoffset_ptr, pos)
}

pub(crate) fn fd_tell(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    offset_ptr: u32,
) -> Result<(), Errno> {
    let f = file_mut(ctx, fd)?;
    let pos = f.file.stream_position().map_err(Errno::from)?;
    mem.write_u64(offset_ptr, pos)
}

pub(crate) fn fd_close(ctx: &mut WasiCtx, fd: u32) -> Result<(), Errno> {
    ctx.fds.remove(fd).map(drop)
}

pub(crate) fn fd_renumber(ctx: &mut WasiCtx, from: u32, to: u32) -> Result<(), Errno> {
    ctx.fds.get(from)?;
    ctx.fds.get(to)?;
    if from != to {
        let d = ctx.fds.remove(from)?;
        ctx.fds.insert_at(to, d);
    }
    Ok(())
}

pub(crate) fn fd_fdstat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    ptr: u32,
) -> Result<(), Errno> {
    use rights::*;
    let stdio_rights = FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
    let (ft, flags, base, inheriting) = match ctx.fds.get(fd)? {
        Descriptor::Stdin(_) => (stdio_filetype(), 0, stdio_rights | FD_READ, 0),
        Descriptor::Stdout(_) | Descriptor::Stderr(_) => {
            (stdio_filetype(), 0, stdio_rights | FD_WRITE, 0)
        }
        Descriptor::File(f) => {
            let ft = file_metadata(&f.file)
                .map(|m| filetype_of(&m.file_type()))
                .unwrap_or(filetype::REGULAR_FILE);
            (ft, f.flags, f.rights_base, f.rights_inheriting)
        }
        Descriptor::Dir(_) => (filetype::DIRECTORY, 0, DIRECTORY, ALL),
    };
    let mut b = [0u8; 24];
    b[0] = ft;
    b[2..4].copy_from_slice(&flags.to_le_bytes());
    b[8..16].copy_from_slice(&base.to_le_bytes());
    b[16..24].copy_from_slice(&inheriting.to_le_bytes());
    mem.write_bytes(ptr, &b)
}

pub(crate) fn fd_fdstat_set_flags(ctx: &mut WasiCtx, fd: u32, flags: u32) -> Result<(), Errno> {
    let flags = u16::try_from(flags).map_err(|_| Errno::INVAL)?;
    let supported = fdflags::APPEND | fdflags::NONBLOCK;
    if flags & !(supported | fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC) != 0 {
        return Err(Errno::INVAL);
    }
    match ctx.fds.get_mut(fd)? {
        Descriptor::File(f) => {
            if flags & !supported != 0 {
                return Err(Errno::NOTSUP);
            }
            f.flags = flags;
            Ok(())
        }
        Descriptor::Stdin(_) | Descriptor::Stdout(_) | Descriptor::Stderr(_) => {
            if flags & !fdflags::NONBLOCK != 0 {
                return Err(Errno::NOTSUP);
            }
            Ok(())
        }
        Descriptor::Dir(_) => Err(Errno::BADF),
    }
}

/// Rights are a deprecated part of preview 1 (wasi-libc never changes them);
/// like Wasmtime, we don't support changing them.
pub(crate) fn fd_fdstat_set_rights(ctx: &mut WasiCtx, fd: u32) -> Result<(), Errno> {
    ctx.fds.get(fd)?;
    Err(Errno::NOTSUP)
}

/// The `sock_*` calls: no descriptor here is ever a socket.
pub(crate) fn not_a_socket(ctx: &mut WasiCtx, fd: u32) -> Result<(), Errno> {
    ctx.fds.get(fd)?;
    Err(Errno::NOTSOCK)
}

pub(crate) fn fd_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    ptr: u32,
) -> Result<(), Errno> {
    let st = match ctx.fds.get(fd)? {
        Descriptor::Stdin(_) | Descriptor::Stdout(_) | Descriptor::Stderr(_) => Filestat {
            filetype: stdio_filetype(),
            nlink: 1,
            ..Filestat::default()
        },
        Descriptor::File(f) => Filestat::from_metadata(&file_metadata(&f.file)?),
        Descriptor::Dir(d) => Filestat::from_metadata(&d.dir.dir_metadata().map_err(Errno::from)?),
    };
    st.write(mem, ptr)
}

pub(crate) fn fd_filestat_set_size(ctx: &mut WasiCtx, fd: u32, size: u64) -> Result<(), Errno> {
    let f = file_mut(ctx, fd)?;
    if !f.writable {
        return Err(Errno::BADF);
    }
    f.file.set_len(size).map_err(Errno::from)
}

/// `fst_flags` bits of `fd_filestat_set_times`/`path_filestat_set_times`.
pub(crate) mod fstflags {
    pub const ATIM: u16 = 1 << 0;
    pub const ATIM_NOW: u16 = 1 << 1;
    pub const MTIM: u16 = 1 << 2;
    pub const MTIM_NOW: u16 = 1 << 3;
}

/// Builds the `FileTimes` for a `*_set_times` call.
pub(crate) fn file_times(atim: u64, mtim: u64, fst: u32) -> Result<std::fs::FileTimes, Errno> {
    use fstflags::*;
    let fst = u16::try_from(fst).map_err(|_| Errno::INVAL)?;
    if (fst & ATIM != 0 && fst & ATIM_NOW != 0) || (fst & MTIM != 0 && fst & MTIM_NOW != 0) {
        return Err(Errno::INVAL);
    }
    let at = |ns: u64| std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns);
    let now = std::time::SystemTime::now();
    let mut times = std::fs::FileTimes::new();
    if fst & ATIM != 0 {
        times = times.set_accessed(at(atim));
    } else if fst & ATIM_NOW != 0 {
        times = times.set_accessed(now);
    }
    if fst & MTIM != 0 {
        times = times.set_modified(at(mtim));
    } else if fst & MTIM_NOW != 0 {
        times = times.set_modified(now);
    }
    Ok(times)
}

pub(crate) fn fd_filestat_set_times(
    ctx: &mut WasiCtx,
    fd: u32,
    atim: u64,
    mtim: u64,
    fst: u32,
) -> Result<(), Errno> {
    let times = file_times(atim, mtim, fst)?;
    match ctx.fds.get(fd)? {
        Descriptor::File(f) => f.file.set_times(times).map_err(Errno::from),
        Descriptor::Dir(_) => Err(Errno::NOTSUP),
        _ => Err(Errno::BADF),
    }
}

pub(crate) fn fd_sync(ctx: &mut WasiCtx, fd: u32, data_only: bool) -> Result<(), Errno> {
    match ctx.fds.get(fd)? {
        Descriptor::File(f) if data_only => f.file.sync_data().map_err(Errno::from),
        Descriptor::File(f) => f.file.sync_all().map_err(Errno::from),
        Descriptor::Dir(_) => Ok(()),
        _ => Err(Errno::INVAL),
    }
}

/// `fd_advise` is only a hint: accepted (and ignored) on files.
pub(crate) fn fd_advise(ctx: &mut WasiCtx, fd: u32, advice: u32) -> Result<(), Errno> {
    if advice > 5 {
        return Err(Errno::INVAL);
    }
    match ctx.fds.get(fd)? {
        Descriptor::File(_) => Ok(()),
        Descriptor::Dir(_) => Err(Errno::BADF),
        _ => Err(Errno::SPIPE),
    }
}

pub(crate) fn fd_prestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    ptr: u32,
) -> Result<(), Errno> {
    match ctx.fds.get(fd)? {
        Descriptor::Dir(d) => {
            let name = d.preopen.as_ref().ok_or(Errno::BADF)?;
            mem.write_u32(ptr, 0)?; // tag 0: a directory
            mem.write_size(ptr.checked_add(4).ok_or(Errno::FAULT)?, name.len())
        }
        _ => Err(Errno::BADF),
    }
}

pub(crate) fn fd_prestat_dir_name(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path_ptr: u32,
    path_len: u32,
) -> Result<(), Errno> {
    match ctx.fds.get(fd)? {
        Descriptor::Dir(d) => {
            let name = d.preopen.as_ref().ok_or(Errno::BADF)?;
            let room = usize::try_from(path_len).map_err(|_| Errno::FAULT)?;
            if room < name.len() {
                return Err(Errno::NAMETOOLONG);
            }
            mem.write_bytes(path_ptr, name.as_bytes())
        }
        _ => Err(Errno::BADF),
    }
}

/// One directory entry as `fd_readdir` reports it.
struct Entry {
    name: Vec<u8>,
    ino: u64,
    filetype: u8,
}

fn os_name_bytes(name: std::ffi::OsString) -> Vec<u8> {
    #[cfg(unix)]
    {
        std::os::unix::ffi::OsStringExt::into_vec(name)
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned().into_bytes()
    }
}

pub(crate) fn fd_readdir(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    buf: u32,
    buf_len: u32,
    cookie: u64,
    bufused_ptr: u32,
) -> Result<(), Errno> {
    // Check the output buffer before touching the filesystem.
    mem.slice(buf, buf_len)?;
    let dir = match ctx.fds.get(fd)? {
        Descriptor::Dir(d) => &d.dir,
        _ => return Err(Errno::NOTDIR),
    };
    let self_ino = dir
        .dir_metadata()
        .map(|m| Filestat::from_metadata(&m).ino)
        .unwrap_or(0);
    let mut entries = Vec::new();
    for e in dir.entries().map_err(Errno::from)? {
        let e = e.map_err(Errno::from)?;
        let filetype = e
            .file_type()
            .map(|t| filetype_of(&t))
            .unwrap_or(filetype::UNKNOWN);
        let ino = e
            .metadata()
            .map(|m| Filestat::from_metadata(&m).ino)
            .unwrap_or(0);
        entries.push(Entry {
            name: os_name_bytes(e.file_name()),
            ino,
            filetype,
        });
    }
    // A stable order, so cookies (positions) stay valid between calls.
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let dots = [
        Entry {
            name: b".".to_vec(),
            ino: self_ino,
            filetype: filetype::DIRECTORY,
        },
        Entry {
            name: b"..".to_vec(),
            ino: 0,
            filetype: filetype::DIRECTORY,
        },
    ];
    let cap = usize::try_from(buf_len).map_err(|_| Errno::FAULT)?;
    let mut out: Vec<u8> = Vec::new();
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    for (i, e) in dots.iter().chain(entries.iter()).enumerate().skip(start) {
        if out.len() >= cap {
            break;
        }
        let next = u64::try_from(i)
            .map_err(|_| Errno::OVERFLOW)?
            .saturating_add(1);
        let namlen = u32::try_from(e.name.len()).map_err(|_| Errno::NAMETOOLONG)?;
        out.extend_from_slice(&next.to_le_bytes());
        out.extend_from_slice(&e.ino.to_le_bytes());
        out.extend_from_slice(&namlen.to_le_bytes());
        out.extend_from_slice(&[e.filetype, 0, 0, 0]);
        out.extend_from_slice(&e.name);
    }
    // The last entry may be cut short: the guest sees a full buffer and asks
    // again from that entry's cookie with a larger one.
    out.truncate(cap);
    mem.write_bytes(buf, &out)?;
    mem.write_size(bufused_ptr, out.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::{OutputBuffer, WasiCtxBuilder};

    #[test]
    fn write_to_captured_stdout_and_bad_iovecs() {
        let out = OutputBuffer::new();
        let mut ctx = WasiCtxBuilder::new().stdout_buffer(out.clone()).build();
        let mut bytes = vec![0u8; 64];
        let mut mem = GuestMemory::new(&mut bytes);
        mem.write_bytes(32, b"hello").expect("ok");
        mem.write_u32(0, 32).expect("ok");
        mem.write_u32(4, 5).expect("ok");
        fd_write(&mut ctx, &mut mem, 1, 0, 1, 16).expect("write");
        assert_eq!(mem.read_u32(16), Ok(5));
        assert_eq!(out.contents(), b"hello");
        // iovec past the end of memory.
        mem.write_u32(4, 500).expect("ok");
        assert_eq!(fd_write(&mut ctx, &mut mem, 1, 0, 1, 16), Err(Errno::FAULT));
        assert_eq!(
            fd_write(&mut ctx, &mut mem, 1, 60, 1, 16),
            Err(Errno::FAULT)
        );
        assert_eq!(
            fd_write(&mut ctx, &mut mem, 1, 0, u32::MAX, 16),
            Err(Errno::FAULT)
        );
        assert_eq!(fd_write(&mut ctx, &mut mem, 9, 0, 0, 16), Err(Errno::BADF));
        assert_eq!(fd_write(&mut ctx, &mut mem, 0, 0, 0, 16), Err(Errno::BADF));
        assert_eq!(out.contents(), b"hello", "nothing written by failed calls");
    }

    #[test]
    fn read_stdin_bytes() {
        let mut ctx = WasiCtxBuilder::new()
            .stdin_bytes(b"abcdef".to_vec())
            .build();
        let mut bytes = vec![0u8; 64];
        let mut mem = GuestMemory::new(&mut bytes);
        // Two iovecs: 4 bytes at 32, 4 bytes at 40.
        for (i, v) in [32u32, 4, 40, 4].into_iter().enumerate() {
            mem.write_u32(u32::try_from(i * 4).expect("small"), v)
                .expect("ok");
        }
        fd_read(&mut ctx, &mut mem, 0, 0, 2, 16).expect("read");
        assert_eq!(mem.read_u32(16), Ok(6));
        assert_eq!(mem.slice(32, 4).expect("ok"), b"abcd");
        assert_eq!(mem.slice(40, 2).expect("ok"), b"ef");
        fd_read(&mut ctx, &mut mem, 0, 0, 2, 16).expect("eof");
        assert_eq!(mem.read_u32(16), Ok(0));
    }

    #[test]
    fn stdio_cannot_seek_and_prestat_rejects_non_preopens() {
        let mut ctx = WasiCtxBuilder::new().build();
        let mut bytes = vec![0u8; 64];
        let mut mem = GuestMemory::new(&mut bytes);
        assert_eq!(fd_seek(&mut ctx, &mut mem, 1, 0, 0, 0), Err(Errno::SPIPE));
        assert_eq!(fd_seek(&mut ctx, &mut mem, 1, 0, 7, 0), Err(Errno::INVAL));
        assert_eq!(fd_tell(&mut ctx, &mut mem, 0, 0), Err(Errno::SPIPE));
        assert_eq!(fd_prestat_get(&mut ctx, &mut mem, 1, 0), Err(Errno::BADF));
        assert_eq!(fd_prestat_get(&mut ctx, &mut mem, 3, 0), Err(Errno::BADF));
        fd_fdstat_get(&mut ctx, &mut mem, 1, 0).expect("fdstat");
        assert_eq!(mem.read_u8(0), Ok(filetype::CHARACTER_DEVICE));
        assert_eq!(fd_close(&mut ctx, 2), Ok(()));
        assert_eq!(fd_close(&mut ctx, 2), Err(Errno::BADF));
    }
}
