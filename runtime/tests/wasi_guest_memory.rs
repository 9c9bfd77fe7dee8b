//! WASI calls with hostile pointers, through the real linker and
//! interpreter: every out-of-bounds or overflowing pointer/length is
//! `EFAULT` (21) to the guest — never a host panic, never a trap.

use wasmproof::wasi::{OutputBuffer, WasiCtx, WasiCtxBuilder, add_to_linker};
use wasmproof::{Config, Engine, I32Exit, Instance, Linker, Module, Store};

const EFAULT: i32 = 21;
const EBADF: i32 = 8;

const WAT: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "hello")
  (func (export "fd_write") (param i32 i32 i32 i32) (result i32)
    (call $fd_write (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "fd_read") (param i32 i32 i32 i32) (result i32)
    (call $fd_read (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "args_sizes_get") (param i32 i32) (result i32)
    (call $args_sizes_get (local.get 0) (local.get 1)))
  (func (export "args_get") (param i32 i32) (result i32)
    (call $args_get (local.get 0) (local.get 1)))
  (func (export "random_get") (param i32 i32) (result i32)
    (call $random_get (local.get 0) (local.get 1)))
  (func (export "path_open") (param i32 i32 i32) (result i32)
    (call $path_open (i32.const 3) (i32.const 1) (local.get 0) (local.get 1) (i32.const 0)
                     (i64.const 2) (i64.const 0) (i32.const 0) (local.get 2)))
  (func (export "poll_oneoff") (param i32 i32 i32 i32) (result i32)
    (call $poll_oneoff (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "clock_time_get") (param i32) (result i32)
    (call $clock_time_get (i32.const 1) (i64.const 0) (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "exit") (param i32) (call $proc_exit (local.get 0)))
)
"#;

struct Guest {
    store: Store<WasiCtx>,
    instance: Instance,
    stdout: OutputBuffer,
}

impl Guest {
    fn new() -> Guest {
        let engine = Engine::new(&Config::new()).expect("engine");
        let module = Module::new(&engine, WAT).expect("module");
        let stdout = OutputBuffer::new();
        let dir = std::env::temp_dir();
        let ctx = WasiCtxBuilder::new()
            .args(&["prog", "arg"])
            .stdout_buffer(stdout.clone())
            .preopened_dir(&dir, "/tmp")
            .expect("preopen temp dir")
            .build();
        let mut store = Store::new(&engine, ctx);
        let mut linker = Linker::new(&engine);
        add_to_linker(&mut linker, |cx: &mut WasiCtx| cx).expect("add WASI");
        let instance = linker
            .instantiate(&mut store, &module)
            .expect("instantiate");
        Guest {
            store,
            instance,
            stdout,
        }
    }

    fn call<P: wasmproof::WasmParams>(&mut self, name: &str, params: P) -> i32 {
        let f = self
            .instance
            .get_typed_func::<P, i32>(&self.store, name)
            .expect("export");
        f.call(&mut self.store, params)
            .expect("WASI errors are errno values, not traps")
    }

    fn store_u32(&mut self, at: i32, v: i32) {
        let f = self
            .instance
            .get_typed_func::<(i32, i32), ()>(&self.store, "store")
            .expect("export");
        f.call(&mut self.store, (at, v)).expect("store");
    }
}

#[test]
fn fd_write_checks_the_iovec_array_and_buffers() {
    let mut g = Guest::new();
    // A valid iovec at 0: "hello" at 100.
    g.store_u32(0, 100);
    g.store_u32(4, 5);
    assert_eq!(g.call("fd_write", (1, 0, 1, 8)), 0);
    assert_eq!(g.stdout.contents(), b"hello");
    // The iovec array itself past the end of memory, or overflowing.
    assert_eq!(g.call("fd_write", (1, 65532, 1, 8)), EFAULT);
    assert_eq!(g.call("fd_write", (1, -4, 1, 8)), EFAULT);
    assert_eq!(g.call("fd_write", (1, 0, -1, 8)), EFAULT);
    assert_eq!(g.call("fd_write", (1, 0, 0x2000_0000, 8)), EFAULT);
    // A buffer running off the end; a buffer whose end overflows u32.
    g.store_u32(0, 65530);
    g.store_u32(4, 10);
    assert_eq!(g.call("fd_write", (1, 0, 1, 8)), EFAULT);
    g.store_u32(0, -1);
    g.store_u32(4, 2);
    assert_eq!(g.call("fd_write", (1, 0, 1, 8)), EFAULT);
    // The result pointer out of bounds.
    g.store_u32(0, 100);
    g.store_u32(4, 5);
    assert_eq!(g.call("fd_write", (1, 0, 1, 65535)), EFAULT);
    // A bad fd is EBADF, checked after the memory.
    assert_eq!(g.call("fd_write", (99, 0, 1, 8)), EBADF);
    assert_eq!(
        g.stdout.contents(),
        b"hellohello",
        "only the valid writes wrote"
    );
}

#[test]
fn other_calls_reject_bad_pointers() {
    let mut g = Guest::new();
    g.store_u32(0, 65000);
    g.store_u32(4, 1000);
    assert_eq!(g.call("fd_read", (0, 0, 1, 8)), EFAULT);
    assert_eq!(g.call("args_sizes_get", (-1, 0)), EFAULT);
    assert_eq!(g.call("args_sizes_get", (0, 65533)), EFAULT);
    assert_eq!(g.call("args_get", (0, 65534)), EFAULT);
    assert_eq!(g.call("args_get", (65534, 0)), EFAULT);
    assert_eq!(g.call("random_get", (0, 65537)), EFAULT);
    assert_eq!(g.call("random_get", (-1, -1)), EFAULT);
    assert_eq!(g.call("path_open", (100, -1, 0)), EFAULT);
    assert_eq!(g.call("path_open", (65535, 2, 0)), EFAULT);
    assert_eq!(g.call("path_open", (100, 5, 65534)), EFAULT);
    assert_eq!(g.call("poll_oneoff", (0, 100, -1, 8)), EFAULT);
    assert_eq!(g.call("poll_oneoff", (65500, 0, 1, 8)), EFAULT);
    assert_eq!(g.call("clock_time_get", (65529,)), EFAULT);
    assert_eq!(g.call("clock_time_get", (65528,)), 0);
    assert_eq!(
        g.call("random_get", (0, 65536)),
        0,
        "the whole memory is fine"
    );
}

#[test]
fn grown_memory_is_usable_by_wasi() {
    let mut g = Guest::new();
    assert_eq!(g.call("clock_time_get", (70000,)), EFAULT);
    assert_eq!(g.call("grow", (1,)), 1);
    assert_eq!(g.call("clock_time_get", (70000,)), 0);
}

#[test]
fn proc_exit_returns_i32exit() {
    let mut g = Guest::new();
    let f = g
        .instance
        .get_typed_func::<i32, ()>(&g.store, "exit")
        .expect("export");
    let err = f
        .call(&mut g.store, 42)
        .expect_err("proc_exit stops execution");
    assert_eq!(err.downcast_ref::<I32Exit>(), Some(&I32Exit(42)), "{err:?}");
    // The context survives a call that ended in proc_exit.
    assert_eq!(g.store.data().args(), ["prog", "arg"]);
}

#[test]
fn a_module_without_memory_gets_an_error_not_a_panic() {
    let engine = Engine::new(&Config::new()).expect("engine");
    let module = Module::new(
        &engine,
        r#"(module
             (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
             (func (export "f") (result i32) (call $w (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0))))"#,
    )
    .expect("module");
    let mut store = Store::new(&engine, WasiCtxBuilder::new().build());
    let mut linker = Linker::new(&engine);
    add_to_linker(&mut linker, |cx: &mut WasiCtx| cx).expect("add WASI");
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("instantiate");
    let f = instance
        .get_typed_func::<(), i32>(&store, "f")
        .expect("export");
    let err = f.call(&mut store, ()).expect_err("no memory: an error");
    assert!(err.to_string().contains("memory"), "{err}");
}
