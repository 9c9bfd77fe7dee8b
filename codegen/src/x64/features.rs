//! CPU features the instructions of `inst.isle` need.
//!
//! This matters for soundness, not only for speed: on a CPU without LZCNT
//! or BMI1 the bytes of `lzcnt`/`tzcnt` (F3 0F BD/BC) still execute, as
//! `bsr`/`bsf`, which give different results (and leave the destination
//! unchanged for a zero input). Code using them must only run where the
//! specs hold, so the JIT checks the host before emitting anything.

/// A feature an instruction needs, with the instructions that need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Feature {
    pub name: &'static str,
    pub needed_by: &'static str,
}

/// Everything `inst.isle` relies on beyond baseline x86-64 (SSE2).
pub const REQUIRED: [Feature; 4] = [
    Feature {
        name: "lzcnt",
        needed_by: "lzcnt",
    },
    Feature {
        name: "bmi1",
        needed_by: "tzcnt",
    },
    Feature {
        name: "popcnt",
        needed_by: "popcnt",
    },
    Feature {
        name: "sse4.1",
        needed_by: "roundss/roundsd",
    },
];

/// The required features this CPU lacks (empty: every spec applies).
pub fn missing() -> Vec<Feature> {
    REQUIRED
        .iter()
        .copied()
        .filter(|f| !detected(f.name))
        .collect()
}

#[cfg(target_arch = "x86_64")]
fn detected(name: &str) -> bool {
    match name {
        "lzcnt" => std::arch::is_x86_feature_detected!("lzcnt"),
        "bmi1" => std::arch::is_x86_feature_detected!("bmi1"),
        "popcnt" => std::arch::is_x86_feature_detected!("popcnt"),
        "sse4.1" => std::arch::is_x86_feature_detected!("sse4.1"),
        _ => false,
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn detected(_name: &str) -> bool {
    false
}
