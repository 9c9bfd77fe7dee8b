//! On-disk cache of solver answers, keyed by a SHA-256 of the exact query
//! text plus the solver's name and version: an unchanged rule re-verifies
//! without running a solver, and any change to the rule, a spec it uses, the
//! encoder or the solver produces a different key.

use crate::solver::Answer;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub struct Cache {
    dir: PathBuf,
}

/// Bumped whenever the meaning of a cached answer changes.
const FORMAT: &str = "wasmproof-verifier cache v1";

impl Cache {
    pub fn open(dir: &Path) -> std::io::Result<Cache> {
        std::fs::create_dir_all(dir)?;
        Ok(Cache {
            dir: dir.to_path_buf(),
        })
    }

    pub fn key(solver: &str, solver_version: &str, script: &str) -> String {
        let mut h = Sha256::new();
        for part in [FORMAT, solver, solver_version, script] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// A cached answer; unreadable or corrupt entries count as misses.
    pub fn get(&self, key: &str) -> Option<Answer> {
        let text = std::fs::read_to_string(self.path(key)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Store a definite answer. Written to a temporary file then renamed, so
    /// parallel workers and interrupted runs never leave a torn entry.
    pub fn put(&self, key: &str, answer: &Answer) -> std::io::Result<()> {
        if !answer.is_definite() {
            return Ok(());
        }
        let text = serde_json::to_string(answer).map_err(std::io::Error::other)?;
        let tmp = self.dir.join(format!(
            "{key}.{}.{:?}.tmp",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, self.path(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_keying() {
        let dir = std::env::temp_dir().join(format!("wasmproof-cache-test-{}", std::process::id()));
        let c = Cache::open(&dir).expect("cache dir");
        let k1 = Cache::key("z3", "4.8", "(check-sat)");
        let k2 = Cache::key("z3", "4.9", "(check-sat)");
        assert_ne!(k1, k2);
        assert_eq!(c.get(&k1), None);
        c.put(&k1, &Answer::Proven).expect("write");
        assert_eq!(c.get(&k1), Some(Answer::Proven));
        // Indefinite answers are not stored.
        c.put(&k2, &Answer::Timeout).expect("write");
        assert_eq!(c.get(&k2), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
