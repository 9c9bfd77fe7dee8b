//! WASI preview 1 `errno` values, and the mapping from host I/O errors to them.

use std::fmt;
use std::io;

/// A WASI preview 1 error number (the `errno` enum of `wasi_snapshot_preview1`).
///
/// wasi-libc uses these values directly as its C `errno` values, so a C
/// program compiled for `wasm32-wasi` prints exactly these numbers.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(u16);

macro_rules! errnos {
    ($($name:ident = $value:literal, $text:literal;)*) => {
        impl Errno {
            $(
                #[doc = $text]
                pub const $name: Errno = Errno($value);
            )*

            /// The symbolic name, e.g. `"NOENT"`, or `None` for an unknown value.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some(stringify!($name)),)*
                    _ => None,
                }
            }

            /// A short description, e.g. "no such file or directory".
            pub fn description(self) -> &'static str {
                match self.0 {
                    $($value => $text,)*
                    _ => "unknown error",
                }
            }
        }
    };
}

errnos! {
    SUCCESS = 0, "no error";
    TOOBIG = 1, "argument list too long";
    ACCES = 2, "permission denied";
    ADDRINUSE = 3, "address in use";
    ADDRNOTAVAIL = 4, "address not available";
    AFNOSUPPORT = 5, "address family not supported";
    AGAIN = 6, "resource unavailable, try again";
    ALREADY = 7, "connection already in progress";
    BADF = 8, "bad file descriptor";
    BADMSG = 9, "bad message";
    BUSY = 10, "device or resource busy";
    CANCELED = 11, "operation canceled";
    CHILD = 12, "no child processes";
    CONNABORTED = 13, "connection aborted";
    CONNREFUSED = 14, "connection refused";
    CONNRESET = 15, "connection reset";
    DEADLK = 16, "resource deadlock would occur";
    DESTADDRREQ = 17, "destination address required";
    DOM = 18, "mathematics argument out of domain of function";
    DQUOT = 19, "disk quota exceeded";
    EXIST = 20, "file exists";
    FAULT = 21, "bad address";
    FBIG = 22, "file too large";
    HOSTUNREACH = 23, "host is unreachable";
    IDRM = 24, "identifier removed";
    ILSEQ = 25, "illegal byte sequence";
    INPROGRESS = 26, "operation in progress";
    INTR = 27, "interrupted function";
    INVAL = 28, "invalid argument";
    IO = 29, "I/O error";
    ISCONN = 30, "socket is connected";
    ISDIR = 31, "is a directory";
    LOOP = 32, "too many levels of symbolic links";
    MFILE = 33, "file descriptor value too large";
    MLINK = 34, "too many links";
    MSGSIZE = 35, "message too large";
    MULTIHOP = 36, "multihop attempted";
    NAMETOOLONG = 37, "filename too long";
    NETDOWN = 38, "network is down";
    NETRESET = 39, "connection aborted by network";
    NETUNREACH = 40, "network unreachable";
    NFILE = 41, "too many files open in system";
    NOBUFS = 42, "no buffer space available";
    NODEV = 43, "no such device";
    NOENT = 44, "no such file or directory";
    NOEXEC = 45, "executable file format error";
    NOLCK = 46, "no locks available";
    NOLINK = 47, "link has been severed";
    NOMEM = 48, "not enough space";
    NOMSG = 49, "no message of the desired type";
    NOPROTOOPT = 50, "protocol not available";
    NOSPC = 51, "no space left on device";
    NOSYS = 52, "function not supported";
    NOTCONN = 53, "the socket is not connected";
    NOTDIR = 54, "not a directory or a symbolic link to a directory";
    NOTEMPTY = 55, "directory not empty";
    NOTRECOVERABLE = 56, "state not recoverable";
    NOTSOCK = 57, "not a socket";
    NOTSUP = 58, "not supported";
    NOTTY = 59, "inappropriate I/O control operation";
    NXIO = 60, "no such device or address";
    OVERFLOW = 61, "value too large to be stored in data type";
    OWNERDEAD = 62, "previous owner died";
    PERM = 63, "operation not permitted";
    PIPE = 64, "broken pipe";
    PROTO = 65, "protocol error";
    PROTONOSUPPORT = 66, "protocol not supported";
    PROTOTYPE = 67, "protocol wrong type for socket";
    RANGE = 68, "result too large";
    ROFS = 69, "read-only file system";
    SPIPE = 70, "invalid seek";
    SRCH = 71, "no such process";
    STALE = 72, "stale file handle";
    TIMEDOUT = 73, "connection timed out";
    TXTBSY = 74, "text file busy";
    XDEV = 75, "cross-device link";
    NOTCAPABLE = 76, "capabilities insufficient";
}

impl Errno {
    /// The numeric value the guest sees.
    pub fn raw(self) -> u16 {
        self.0
    }

    /// The errno with this numeric value (unknown values are kept as they are).
    pub fn from_raw(raw: u16) -> Errno {
        Errno(raw)
    }

    /// Maps a host I/O error to the WASI errno a guest should see.
    ///
    /// A `PermissionDenied` error that carries no OS error code is how
    /// `cap-std` reports a path that would leave its directory (a `..` or
    /// symlink escape, or an absolute path): that is `NOTCAPABLE`, the
    /// guest lacks the capability. A real OS `EACCES`/`EPERM` stays
    /// `ACCES`/`PERM`.
    pub fn from_io_error(err: &io::Error) -> Errno {
        if let Some(raw) = err.raw_os_error()
            && let Some(e) = from_raw_os_error(raw)
        {
            return e;
        }
        from_error_kind(err.kind(), err.raw_os_error().is_some())
    }
}

impl From<io::Error> for Errno {
    fn from(err: io::Error) -> Errno {
        Errno::from_io_error(&err)
    }
}

impl From<&io::Error> for Errno {
    fn from(err: &io::Error) -> Errno {
        Errno::from_io_error(err)
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "Errno::{name}({})", self.0),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (WASI errno {})", self.description(), self.0)
    }
}

impl std::error::Error for Errno {}

/// Maps by `io::ErrorKind`; `from_os` tells whether an OS error code was present.
fn from_error_kind(kind: io::ErrorKind, from_os: bool) -> Errno {
    use io::ErrorKind as K;
    match kind {
        K::NotFound => Errno::NOENT,
        K::PermissionDenied if from_os => Errno::ACCES,
        K::PermissionDenied => Errno::NOTCAPABLE,
        K::AlreadyExists => Errno::EXIST,
        K::NotADirectory => Errno::NOTDIR,
        K::IsADirectory => Errno::ISDIR,
        K::DirectoryNotEmpty => Errno::NOTEMPTY,
        K::ReadOnlyFilesystem => Errno::ROFS,
        K::InvalidInput => Errno::INVAL,
        K::InvalidData => Errno::ILSEQ,
        K::InvalidFilename => Errno::NAMETOOLONG,
        K::WouldBlock => Errno::AGAIN,
        K::Interrupted => Errno::INTR,
        K::TimedOut => Errno::TIMEDOUT,
        K::BrokenPipe => Errno::PIPE,
        K::Unsupported => Errno::NOTSUP,
        K::OutOfMemory => Errno::NOMEM,
        K::StorageFull => Errno::NOSPC,
        K::QuotaExceeded => Errno::DQUOT,
        K::FileTooLarge => Errno::FBIG,
        K::NotSeekable => Errno::SPIPE,
        K::ResourceBusy => Errno::BUSY,
        K::ExecutableFileBusy => Errno::TXTBSY,
        K::Deadlock => Errno::DEADLK,
        K::CrossesDevices => Errno::XDEV,
        K::TooManyLinks => Errno::MLINK,
        K::ArgumentListTooLong => Errno::TOOBIG,
        K::StaleNetworkFileHandle => Errno::STALE,
        K::ConnectionRefused => Errno::CONNREFUSED,
        K::ConnectionReset => Errno::CONNRESET,
        K::ConnectionAborted => Errno::CONNABORTED,
        K::NotConnected => Errno::NOTCONN,
        K::AddrInUse => Errno::ADDRINUSE,
        K::AddrNotAvailable => Errno::ADDRNOTAVAIL,
        K::HostUnreachable => Errno::HOSTUNREACH,
        K::NetworkUnreachable => Errno::NETUNREACH,
        K::NetworkDown => Errno::NETDOWN,
        K::UnexpectedEof | K::WriteZero => Errno::IO,
        _ => Errno::IO,
    }
}

/// Maps a raw Linux errno to WASI. Other hosts map by `io::ErrorKind` only
/// (their numbers differ); a code this table doesn't know falls back to that too.
#[cfg(target_os = "linux")]
fn from_raw_os_error(raw: i32) -> Option<Errno> {
    Some(match raw {
        1 => Errno::PERM,
        2 => Errno::NOENT,
        3 => Errno::SRCH,
        4 => Errno::INTR,
        5 => Errno::IO,
        6 => Errno::NXIO,
        7 => Errno::TOOBIG,
        8 => Errno::NOEXEC,
        9 => Errno::BADF,
        10 => Errno::CHILD,
        11 => Errno::AGAIN,
        12 => Errno::NOMEM,
        13 => Errno::ACCES,
        14 => Errno::FAULT,
        16 => Errno::BUSY,
        17 => Errno::EXIST,
        18 => Errno::XDEV,
        19 => Errno::NODEV,
        20 => Errno::NOTDIR,
        21 => Errno::ISDIR,
        22 => Errno::INVAL,
        23 => Errno::NFILE,
        24 => Errno::MFILE,
        25 => Errno::NOTTY,
        26 => Errno::TXTBSY,
        27 => Errno::FBIG,
        28 => Errno::NOSPC,
        29 => Errno::SPIPE,
        30 => Errno::ROFS,
        31 => Errno::MLINK,
        32 => Errno::PIPE,
        33 => Errno::DOM,
        34 => Errno::RANGE,
        35 => Errno::DEADLK,
        36 => Errno::NAMETOOLONG,
        37 => Errno::NOLCK,
        38 => Errno::NOSYS,
        39 => Errno::NOTEMPTY,
        40 => Errno::LOOP,
        75 => Errno::OVERFLOW,
        84 => Errno::ILSEQ,
        88 => Errno::NOTSOCK,
        95 => Errno::NOTSUP,
        110 => Errno::TIMEDOUT,
        116 => Errno::STALE,
        122 => Errno::DQUOT,
        125 => Errno::CANCELED,
        _ => return None,
    })
}

#[cfg(not(target_os = "linux"))]
fn from_raw_os_error(_raw: i32) -> Option<Errno> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_the_wasi_abi() {
        assert_eq!(Errno::SUCCESS.raw(), 0);
        assert_eq!(Errno::BADF.raw(), 8);
        assert_eq!(Errno::EXIST.raw(), 20);
        assert_eq!(Errno::FAULT.raw(), 21);
        assert_eq!(Errno::INVAL.raw(), 28);
        assert_eq!(Errno::NOENT.raw(), 44);
        assert_eq!(Errno::NOSYS.raw(), 52);
        assert_eq!(Errno::NOTEMPTY.raw(), 55);
        assert_eq!(Errno::NOTCAPABLE.raw(), 76);
        assert_eq!(Errno::NOTCAPABLE.name(), Some("NOTCAPABLE"));
        assert_eq!(Errno::from_raw(999).name(), None);
    }

    #[test]
    fn io_error_kinds_map_to_errnos() {
        let e = |k| Errno::from_io_error(&io::Error::from(k));
        assert_eq!(e(io::ErrorKind::NotFound), Errno::NOENT);
        assert_eq!(e(io::ErrorKind::AlreadyExists), Errno::EXIST);
        assert_eq!(e(io::ErrorKind::NotADirectory), Errno::NOTDIR);
        assert_eq!(e(io::ErrorKind::IsADirectory), Errno::ISDIR);
        assert_eq!(e(io::ErrorKind::DirectoryNotEmpty), Errno::NOTEMPTY);
        assert_eq!(e(io::ErrorKind::InvalidInput), Errno::INVAL);
        assert_eq!(e(io::ErrorKind::Unsupported), Errno::NOTSUP);
        assert_eq!(e(io::ErrorKind::Other), Errno::IO);
    }

    #[test]
    fn capability_escape_is_notcapable_but_os_eacces_is_acces() {
        // What cap-std returns for `..`/symlink escapes and absolute paths.
        let escape = io::Error::new(
            io::ErrorKind::PermissionDenied,
            "a path led outside of the filesystem",
        );
        assert_eq!(Errno::from_io_error(&escape), Errno::NOTCAPABLE);
        #[cfg(target_os = "linux")]
        {
            assert_eq!(
                Errno::from_io_error(&io::Error::from_raw_os_error(13)),
                Errno::ACCES
            );
            assert_eq!(
                Errno::from_io_error(&io::Error::from_raw_os_error(1)),
                Errno::PERM
            );
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn raw_linux_errnos_map() {
        let e = |raw| Errno::from_io_error(&io::Error::from_raw_os_error(raw));
        assert_eq!(e(2), Errno::NOENT);
        assert_eq!(e(9), Errno::BADF);
        assert_eq!(e(17), Errno::EXIST);
        assert_eq!(e(20), Errno::NOTDIR);
        assert_eq!(e(21), Errno::ISDIR);
        assert_eq!(e(39), Errno::NOTEMPTY);
        assert_eq!(e(40), Errno::LOOP);
        // Unknown code: falls back to the io::ErrorKind mapping.
        assert_eq!(e(4095), Errno::IO);
    }
}
