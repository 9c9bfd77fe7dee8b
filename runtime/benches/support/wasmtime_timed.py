#!/usr/bin/env python3
"""Compiles and runs a WASI command module under Wasmtime (the PyPI
`wasmtime` package) RUNS times, timing compilation and the `_start` call
separately; the peer the `jit` benchmark and `tests/c_programs.rs` measure
and compare wasmproof against.

usage: wasmtime_timed.py RUNS OUT_DIR PROG.wasm [ARGS...]

Each run compiles the module afresh (`wasmtime.Module`, timed), then
instantiates it in a new store with WASI (argv = PROG's file name + ARGS,
stdout/stderr to OUT_DIR/stdout and OUT_DIR/stderr, overwritten by each run)
and times only the `_start` call. Prints one line per run on stdout:

    run COMPILE_SECONDS CALL_SECONDS EXIT_CODE

EXIT_CODE is 0 when `_start` returns, the `proc_exit` code otherwise, and
`trap` (with the message on stderr) if the guest trapped.
"""

import os
import sys
import time

try:
    import wasmtime
except ImportError:
    sys.stderr.write("wasmtime_timed.py: the Python package `wasmtime` is missing: pip install wasmtime\n")
    sys.exit(126)


def run_once(engine, wasm_bytes, argv, out_dir):
    t0 = time.perf_counter()
    module = wasmtime.Module(engine, wasm_bytes)
    compile_s = time.perf_counter() - t0

    store = wasmtime.Store(engine)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    cfg = wasmtime.WasiConfig()
    cfg.argv = argv
    cfg.stdout_file = os.path.join(out_dir, "stdout")
    cfg.stderr_file = os.path.join(out_dir, "stderr")
    store.set_wasi(cfg)
    instance = linker.instantiate(store, module)
    start = instance.exports(store)["_start"]

    t0 = time.perf_counter()
    try:
        start(store)
        code = "0"
    except wasmtime.ExitTrap as t:
        code = str(t.code)
    except wasmtime.Trap as t:
        sys.stderr.write(f"wasmtime_timed.py: trap: {t}\n")
        code = "trap"
    call_s = time.perf_counter() - t0
    return compile_s, call_s, code


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    runs, out_dir, wasm = int(argv[0]), argv[1], argv[2]
    guest_argv = [os.path.basename(wasm)] + argv[3:]
    with open(wasm, "rb") as f:
        wasm_bytes = f.read()
    engine = wasmtime.Engine()
    for _ in range(runs):
        compile_s, call_s, code = run_once(engine, wasm_bytes, guest_argv, out_dir)
        print(f"run {compile_s:.9f} {call_s:.9f} {code}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
