//! The WASI context: arguments, environment, standard streams and the file
//! descriptor table, and the builder that makes it.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use cap_std::ambient_authority;
use cap_std::fs::Dir;

use super::errno::Errno;

/// Builds a [`WasiCtx`]: what a command module sees of the outside world.
///
/// By default a module gets no arguments, an empty environment, an empty
/// stdin, discarded stdout/stderr and no filesystem access at all.
#[derive(Default)]
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Option<Input>,
    stdout: Option<Output>,
    stderr: Option<Output>,
    preopens: Vec<(Dir, String)>,
}

impl WasiCtxBuilder {
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder::default()
    }

    /// Appends one argument (the first one is the program name, `argv[0]`).
    pub fn arg(&mut self, arg: impl Into<String>) -> &mut Self {
        self.args.push(arg.into());
        self
    }

    /// Appends arguments.
    pub fn args<S: AsRef<str>>(&mut self, args: &[S]) -> &mut Self {
        self.args.extend(args.iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Adds an environment variable.
    pub fn env(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Adds environment variables.
    pub fn envs<K: AsRef<str>, V: AsRef<str>>(&mut self, env: &[(K, V)]) -> &mut Self {
        self.env.extend(
            env.iter()
                .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned())),
        );
        self
    }

    /// The host process's stdin, stdout and stderr.
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.inherit_stdin().inherit_stdout().inherit_stderr()
    }

    pub fn inherit_stdin(&mut self) -> &mut Self {
        self.stdin = Some(Input::Inherit);
        self
    }

    pub fn inherit_stdout(&mut self) -> &mut Self {
        self.stdout = Some(Output::Inherit);
        self
    }

    pub fn inherit_stderr(&mut self) -> &mut Self {
        self.stderr = Some(Output::Inherit);
        self
    }

    /// The guest reads these bytes from stdin, then end-of-file.
    pub fn stdin_bytes(&mut self, bytes: impl Into<Vec<u8>>) -> &mut Self {
        self.stdin = Some(Input::Bytes {
            data: bytes.into(),
            pos: 0,
        });
        self
    }

    /// The guest's stdout is appended to `buffer` (e.g. to check it in a test).
    pub fn stdout_buffer(&mut self, buffer: OutputBuffer) -> &mut Self {
        self.stdout = Some(Output::Buffer(buffer));
        self
    }

    /// The guest's stderr is appended to `buffer`.
    pub fn stderr_buffer(&mut self, buffer: OutputBuffer) -> &mut Self {
        self.stderr = Some(Output::Buffer(buffer));
        self
    }

    /// Gives the guest the host directory `host_path`, seen by it as
    /// `guest_path`. Everything the guest does there goes through `cap-std`,
    /// so no path (`..`, an absolute path, a symlink) can reach outside it.
    /// Fails if the host directory cannot be opened.
    pub fn preopened_dir(
        &mut self,
        host_path: impl AsRef<Path>,
        guest_path: impl Into<String>,
    ) -> io::Result<&mut Self> {
        let host_path = host_path.as_ref();
        let dir = Dir::open_ambient_dir(host_path, ambient_authority()).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot preopen directory `{}`: {e}", host_path.display()),
            )
        })?;
        self.preopens.push((dir, guest_path.into()));
        Ok(self)
    }

    /// Makes the context. Fds 0–2 are stdin/stdout/stderr; preopened
    /// directories follow from fd 3 in the order they were added.
    pub fn build(&mut self) -> WasiCtx {
        let mut fds = FdTable::default();
        let stdin = self.stdin.take().unwrap_or(Input::Bytes {
            data: Vec::new(),
            pos: 0,
        });
        let stdout = self.stdout.take().unwrap_or(Output::Discard);
        let stderr = self.stderr.take().unwrap_or(Output::Discard);
        fds.insert_at(0, Descriptor::Stdin(stdin));
        fds.insert_at(1, Descriptor::Stdout(stdout));
        fds.insert_at(2, Descriptor::Stderr(stderr));
        for (dir, guest) in self.preopens.drain(..) {
            // Cannot fail: the table is small here.
            let _ = fds.insert(Descriptor::Dir(DirDesc {
                dir,
                preopen: Some(guest),
            }));
        }
        WasiCtx {
            args: std::mem::take(&mut self.args),
            env: std::mem::take(&mut self.env),
            fds,
            created: Instant::now(),
        }
    }
}

/// A shared, growable byte buffer that captures a guest's stdout or stderr.
/// Clones share the same bytes.
#[derive(Clone, Debug, Default)]
pub struct OutputBuffer(Arc<Mutex<Vec<u8>>>);

impl OutputBuffer {
    pub fn new() -> OutputBuffer {
        OutputBuffer::default()
    }

    /// A copy of everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        match self.0.lock() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Everything written so far, as (lossy) UTF-8.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.contents()).into_owned()
    }

    fn append(&self, bytes: &[u8]) {
        match self.0.lock() {
            Ok(mut g) => g.extend_from_slice(bytes),
            Err(poisoned) => poisoned.into_inner().extend_from_slice(bytes),
        }
    }
}

/// Where the guest's stdin comes from.
pub(crate) enum Input {
    Inherit,
    Bytes { data: Vec<u8>, pos: usize },
}

impl Input {
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        match self {
            Input::Inherit => io::stdin().read(buf).map_err(Errno::from),
            Input::Bytes { data, pos } => {
                let rest = data.get(*pos..).unwrap_or_default();
                let n = rest.len().min(buf.len());
                buf[..n].copy_from_slice(&rest[..n]);
                *pos += n;
                Ok(n)
            }
        }
    }

    /// Bytes known to be readable without blocking (for `poll_oneoff`).
    pub(crate) fn available(&self) -> u64 {
        match self {
            Input::Inherit => 0,
            Input::Bytes { data, pos } => {
                u64::try_from(data.len().saturating_sub(*pos)).unwrap_or(u64::MAX)
            }
        }
    }
}

/// Where the guest's stdout or stderr goes.
pub(crate) enum Output {
    Inherit,
    Buffer(OutputBuffer),
    Discard,
}

impl Output {
    pub(crate) fn write(&mut self, bytes: &[u8], is_stderr: bool) -> Result<usize, Errno> {
        match self {
            Output::Inherit if is_stderr => {
                let mut e = io::stderr().lock();
                e.write_all(bytes)
                    .and_then(|()| e.flush())
                    .map_err(Errno::from)?;
            }
            Output::Inherit => {
                let mut o = io::stdout().lock();
                o.write_all(bytes)
                    .and_then(|()| o.flush())
                    .map_err(Errno::from)?;
            }
            Output::Buffer(b) => b.append(bytes),
            Output::Discard => {}
        }
        Ok(bytes.len())
    }
}

/// An open regular file (or anything `path_open` opened that isn't a directory).
pub(crate) struct FileDesc {
    pub(crate) file: std::fs::File,
    /// WASI `fdflags` (APPEND, DSYNC, NONBLOCK, RSYNC, SYNC).
    pub(crate) flags: u16,
    pub(crate) readable: bool,
    pub(crate) writable: bool,
    pub(crate) rights_base: u64,
    pub(crate) rights_inheriting: u64,
}

/// An open directory: a `cap-std` capability. `preopen` is the guest name
/// of a preopened directory (what `fd_prestat_dir_name` reports).
pub(crate) struct DirDesc {
    pub(crate) dir: Dir,
    pub(crate) preopen: Option<String>,
}

pub(crate) enum Descriptor {
    Stdin(Input),
    Stdout(Output),
    Stderr(Output),
    File(FileDesc),
    Dir(DirDesc),
}

/// The guest's file descriptors.
#[derive(Default)]
pub(crate) struct FdTable {
    map: BTreeMap<u32, Descriptor>,
}

/// More descriptors than this and `path_open` says `MFILE`.
const MAX_FDS: usize = 1 << 16;

impl FdTable {
    pub(crate) fn insert_at(&mut self, fd: u32, d: Descriptor) {
        self.map.insert(fd, d);
    }

    /// Inserts at the lowest free number (as POSIX `open` does).
    pub(crate) fn insert(&mut self, d: Descriptor) -> Result<u32, Errno> {
        if self.map.len() >= MAX_FDS {
            return Err(Errno::MFILE);
        }
        let mut fd = 0u32;
        for &used in self.map.keys() {
            if used != fd {
                break;
            }
            fd = fd.checked_add(1).ok_or(Errno::MFILE)?;
        }
        self.map.insert(fd, d);
        Ok(fd)
    }

    pub(crate) fn get(&self, fd: u32) -> Result<&Descriptor, Errno> {
        self.map.get(&fd).ok_or(Errno::BADF)
    }

    pub(crate) fn get_mut(&mut self, fd: u32) -> Result<&mut Descriptor, Errno> {
        self.map.get_mut(&fd).ok_or(Errno::BADF)
    }

    pub(crate) fn remove(&mut self, fd: u32) -> Result<Descriptor, Errno> {
        self.map.remove(&fd).ok_or(Errno::BADF)
    }

    pub(crate) fn dir(&self, fd: u32) -> Result<&DirDesc, Errno> {
        match self.get(fd)? {
            Descriptor::Dir(d) => Ok(d),
            _ => Err(Errno::NOTDIR),
        }
    }
}

/// What a WASI command module sees: its arguments, environment, standard
/// streams and the directories it was given. Made by [`WasiCtxBuilder`].
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) fds: FdTable,
    pub(crate) created: Instant,
}

impl WasiCtx {
    /// The program's arguments, `argv[0]` first.
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// The program's environment.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }
}

impl std::fmt::Debug for WasiCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiCtx")
            .field("args", &self.args)
            .field("env", &self.env)
            .field("fds", &self.fds.map.keys().collect::<Vec<_>>())
            .finish()
    }
}
