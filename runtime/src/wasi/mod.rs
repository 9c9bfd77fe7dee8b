//! WASI preview 1 (`wasi_snapshot_preview1`) for command modules.
//!
//! ```text
//! let mut b = WasiCtxBuilder::new();
//! b.args(&["prog.wasm", "arg"]).env("K", "V").inherit_stdio();
//! b.preopened_dir("/host/data", "/data")?;
//! let mut store = Store::new(&engine, b.build());
//! let mut linker = Linker::new(&engine);
//! wasi::add_to_linker(&mut linker, |cx: &mut WasiCtx| cx)?;
//! ```
//!
//! # Capability model
//!
//! A module reaches the filesystem only through the directories it was
//! given ([`WasiCtxBuilder::preopened_dir`]). Each is opened once with
//! `cap_std::fs::Dir::open_ambient_dir`, and from then on every path
//! operation (`path_open`, `path_create_directory`, `path_rename`, ...) is a
//! method call on a `cap_std::fs::Dir`. [`cap-std`](https://docs.rs/cap-std)
//! is the capability-safe filesystem library built for exactly this: it
//! resolves each path inside its directory and refuses `..` beyond the root,
//! absolute paths, and symlinks (relative or absolute) that lead outside —
//! using `openat2(RESOLVE_BENEATH)` where the kernel has it and a careful
//! component-by-component walk elsewhere. We write no path checks of our own;
//! such an escape reaches the guest as `ENOTCAPABLE` (76).
//!
//! # Guest memory
//!
//! Every pointer a guest passes is untrusted: [`mem`] checks each access
//! against the memory's size with overflow-free arithmetic and reports a
//! bad one as `EFAULT` — never a panic, never an access outside the guest.
//!
//! Layout: [`ctx`] (builder, fd table), [`errno`], [`mem`], and one file per
//! group of calls: `args`, `clock`, `fd`, `path`, `poll`, `proc`; `linker`
//! registers them all as host functions.

mod args;
mod clock;
pub mod ctx;
pub mod errno;
mod fd;
mod linker;
pub mod mem;
mod path;
mod poll;
mod proc;

pub use ctx::{OutputBuffer, WasiCtx, WasiCtxBuilder};
pub use errno::Errno;
pub use linker::{MODULE, add_to_linker};
