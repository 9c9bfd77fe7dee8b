#!/usr/bin/env python3
"""Runs a WASI command module under Wasmtime (the PyPI `wasmtime` package),
the peer wasmproof's WASI is compared with.

usage: run_wasmtime.py [--dir HOST::GUEST]... [--env K=V]... [--stdin FILE]
                       PROG.wasm [ARGS...]

The guest's stdout and stderr go to this process's stdout and stderr; the
exit status is the guest's exit code (0 when `_start` returns, the
`proc_exit` code otherwise, 125 on a trap or error).
"""

import sys

try:
    import wasmtime
except ImportError:
    sys.stderr.write("run_wasmtime.py: the Python package `wasmtime` is missing: pip install wasmtime\n")
    sys.exit(126)


def main(argv):
    dirs, env, stdin = [], [], None
    i = 0
    while i < len(argv) and argv[i].startswith("--"):
        flag = argv[i]
        if i + 1 >= len(argv):
            sys.exit(f"run_wasmtime.py: {flag} needs a value")
        value = argv[i + 1]
        if flag == "--dir":
            host, sep, guest = value.partition("::")
            dirs.append((host, guest if sep else host))
        elif flag == "--env":
            key, _, val = value.partition("=")
            env.append((key, val))
        elif flag == "--stdin":
            stdin = value
        else:
            sys.exit(f"run_wasmtime.py: unknown flag {flag}")
        i += 2
    if i >= len(argv):
        sys.exit(__doc__)
    wasm, args = argv[i], argv[i:]

    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    cfg = wasmtime.WasiConfig()
    cfg.argv = args
    cfg.env = env
    for host, guest in dirs:
        cfg.preopen_dir(host, guest)
    if stdin is not None:
        cfg.stdin_file = stdin
    cfg.inherit_stdout()
    cfg.inherit_stderr()
    store.set_wasi(cfg)
    module = wasmtime.Module.from_file(engine, wasm)
    try:
        instance = linker.instantiate(store, module)
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as t:
        sys.stdout.flush()
        sys.exit(t.code)
    except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
        sys.stdout.flush()
        sys.stderr.write(f"run_wasmtime.py: {e}\n")
        sys.exit(125)
    sys.exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
