#!/bin/bash -eu
# OSS-Fuzz build script for wasmproof: builds every cargo-fuzz target of
# fuzz/ with the sanitizer OSS-Fuzz asks for, and copies each target, its
# seed corpus and its options into $OUT.
cd "$SRC/wasmproof"

TARGET_DIR="$SRC/wasmproof/target/oss-fuzz"
# The targets are `required-features = ["libfuzzer"]` bins (libFuzzer is a
# C++ build kept out of the workspace's ordinary build).
cargo fuzz build -O --debug-assertions --features libfuzzer --target-dir "$TARGET_DIR"

BIN_DIR="$TARGET_DIR/x86_64-unknown-linux-gnu/release"
for src in fuzz/fuzz_targets/*.rs; do
  target=$(basename "${src%.*}")
  cp "$BIN_DIR/$target" "$OUT/"

  # The checked-in seeds (tiny; libFuzzer grows its own corpus from them).
  if [ -d "fuzz/seeds/$target" ]; then
    zip -q -j "$OUT/${target}_seed_corpus.zip" fuzz/seeds/"$target"/*
  fi

  # Let the runtime own SIGSEGV/SIGBUS/SIGILL/SIGFPE: the JIT turns guard
  # page faults and trapping instructions into Wasm traps with its own
  # signal handlers, which the sanitizer and libFuzzer must not steal.
  cat > "$OUT/$target.options" <<'OPTIONS'
[libfuzzer]
max_len = 65536
timeout = 60
handle_segv = 0
handle_sigbus = 0
handle_sigill = 0
handle_sigfpe = 0
[asan]
handle_segv = 0
handle_sigbus = 0
handle_sigill = 0
handle_sigfpe = 0
allow_user_segv_handler = 1
OPTIONS
done
