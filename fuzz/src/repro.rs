//! Reproducers: a divergence written out as `.wasm` + `.json` (the exact
//! call sequence, limits, peers and both outcomes) + the raw fuzz input,
//! with the one-line command that replays it.

use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::diff::Divergence;

/// Where reproducers go: `$WASMPROOF_FUZZ_ARTIFACTS`, else
/// `fuzz/artifacts/differential/` in the source tree.
pub fn artifacts_dir() -> PathBuf {
    match std::env::var_os("WASMPROOF_FUZZ_ARTIFACTS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("artifacts")
            .join("differential"),
    }
}

/// The command that replays a saved reproducer.
pub fn replay_command(wasm: &Path) -> String {
    format!(
        "cargo run -p wasmproof-fuzz --example replay -- {}",
        wasm.display()
    )
}

/// Writes the reproducer into [`artifacts_dir`]; returns a message naming
/// the files and the replay command (or why they could not be written).
pub fn save(d: &Divergence, input: &[u8]) -> String {
    save_in(d, input, &artifacts_dir())
}

/// [`save`] into `dir`.
pub fn save_in(d: &Divergence, input: &[u8], dir: &Path) -> String {
    let mut h = DefaultHasher::new();
    d.wasm.hash(&mut h);
    let stem = format!("divergence-{:016x}", h.finish());
    let wasm = dir.join(format!("{stem}.wasm"));
    let json = dir.join(format!("{stem}.json"));
    let raw = dir.join(format!("{stem}.input"));
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&wasm, &d.wasm))
        .and_then(|()| {
            let text = serde_json::to_string_pretty(d).map_err(std::io::Error::other)?;
            std::fs::write(&json, text)
        })
        .and_then(|()| std::fs::write(&raw, input));
    let mut msg = String::new();
    match written {
        Ok(()) => {
            let _ = writeln!(
                msg,
                "reproducer: {} (+ .json: calls, limits, outcomes; + .input)",
                wasm.display()
            );
            let _ = write!(msg, "replay: {}", replay_command(&wasm));
        }
        Err(e) => {
            let _ = write!(
                msg,
                "could not write the reproducer into {}: {e}",
                dir.display()
            );
        }
    }
    msg
}

/// Reads a reproducer back: the module and, if its `.json` is beside it,
/// the recorded divergence (plan, limits, peers).
pub fn load(wasm: &Path) -> Result<(Vec<u8>, Option<Divergence>), String> {
    let bytes = std::fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
    let json = wasm.with_extension("json");
    let recorded = match std::fs::read_to_string(&json) {
        Ok(text) => Some(
            serde_json::from_str::<Divergence>(&text)
                .map_err(|e| format!("cannot parse {}: {e}", json.display()))?,
        ),
        Err(_) => None,
    };
    Ok((bytes, recorded))
}
