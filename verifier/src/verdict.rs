//! The result types of a verification run: what the CLI prints and what CI
//! consumes as JSON. Everything here is plain data (`Serialize`), so the
//! engine's internals never leak into the report format.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The outcome of one (rule, expansion, type instantiation) query.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Outcome {
    /// The root term the rule belongs to (e.g. `lower`).
    pub root: String,
    /// The rule's name, or `file:line` when it has none.
    pub rule: String,
    /// The type instantiation, e.g. `(bv 32, bv 32) -> bv 32`.
    pub instantiation: String,
    /// Which chained helper rules were inlined to obtain this expansion
    /// (empty when the rule needed no chaining).
    pub expansion: String,
    pub verdict: Verdict,
    #[serde(with = "duration_secs")]
    pub time: Duration,
    /// The answer came from the on-disk cache rather than a solver run.
    pub cached: bool,
    /// The solver whose answer the verdict is (`None`: no solver answered).
    #[serde(default)]
    pub solver: Option<crate::SolverKind>,
}

/// What the solver established about one query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Verdict {
    /// The assumptions are satisfiable and the negated obligation is unsat.
    Proven,
    /// A model where the assumptions hold and an obligation fails.
    Counterexample(Counterexample),
    /// The assumptions can never hold together: the rule proves nothing.
    Vacuous,
    /// The solver answered `unknown` (with its reason).
    Unknown(String),
    /// The per-query timeout expired.
    Timeout,
    /// The query could not be built or run (untypable rule, missing spec,
    /// solver crash...).
    Error(String),
    /// Not checked at all: the instantiation comes from a tagged
    /// `instantiate` (e.g. `(tag slow)`) the run did not select. Never
    /// proven; `excluded` says the user excluded the tag explicitly
    /// (`--exclude-tag`), and only then it is not counted as unknown.
    Skipped { reason: String, excluded: bool },
}

impl Verdict {
    /// Only a real unsat (obligation) + sat (assumptions) pair counts.
    pub fn is_proven(&self) -> bool {
        matches!(self, Verdict::Proven)
    }

    /// A short lowercase name, handy for summaries.
    pub fn kind(&self) -> &'static str {
        match self {
            Verdict::Proven => "proven",
            Verdict::Counterexample(_) => "counterexample",
            Verdict::Vacuous => "vacuous",
            Verdict::Unknown(_) => "unknown",
            Verdict::Timeout => "timeout",
            Verdict::Error(_) => "error",
            Verdict::Skipped { .. } => "skipped",
        }
    }

    /// Does this outcome leave the run short of "everything proven"? An
    /// explicitly excluded skip does not; everything else but `Proven` does.
    pub fn blocks_success(&self) -> bool {
        !matches!(
            self,
            Verdict::Proven | Verdict::Skipped { excluded: true, .. }
        )
    }
}

/// Concrete values that falsify a rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Counterexample {
    /// The rule's inputs: the root term's arguments and every variable the
    /// rule binds.
    pub inputs: Vec<Binding>,
    /// The left-hand side's value (the root term's argument the rule matches).
    pub lhs: Binding,
    /// The right-hand side's value (what the rule produces).
    pub rhs: Binding,
    /// Results of every term application in the expansion, and state values.
    pub intermediates: Vec<Binding>,
    /// The obligations that the model falsifies (spec text or description).
    pub failed: Vec<String>,
}

/// A named value in a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Binding {
    pub name: String,
    pub value: ModelValue,
}

/// A value the solver reported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ModelValue {
    BitVec {
        width: usize,
        bits: u128,
    },
    Bool(bool),
    Int(i128),
    /// A struct (or enum) value, field by field.
    Struct(Vec<Binding>),
    /// Anything else, as the solver printed it (e.g. very wide bit-vectors).
    Other(String),
}

impl std::fmt::Display for ModelValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelValue::BitVec { width, bits } => {
                let digits = width.div_ceil(4).max(1);
                write!(f, "#x{bits:0digits$x} (bv {width})")
            }
            ModelValue::Bool(b) => write!(f, "{b}"),
            ModelValue::Int(i) => write!(f, "{i}"),
            ModelValue::Struct(fields) => {
                write!(f, "{{")?;
                for (i, b) in fields.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{}: {}", b.name, b.value)?;
                }
                write!(f, "}}")
            }
            ModelValue::Other(s) => write!(f, "{s}"),
        }
    }
}

/// A message about the run that is not a verdict: skipped instantiations,
/// dropped expansions, warnings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self.severity {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{s}: {}", self.message)
    }
}

/// The whole run's result.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
    pub diagnostics: Vec<Diagnostic>,
    /// e.g. `Z3 version 4.8.12 - 64 bit`.
    pub solver_version: String,
    /// The `--version` line of every solver the run may use (the primary
    /// and the fallback), to name the one that proved each entry.
    #[serde(default)]
    pub solver_versions: Vec<(crate::SolverKind, String)>,
}

impl Report {
    /// The version line of `kind`, if the run used it.
    pub fn version_of(&self, kind: crate::SolverKind) -> Option<&str> {
        self.solver_versions
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, v)| v.as_str())
    }
}

impl Report {
    /// True when every outcome is `Proven` or an explicitly excluded skip,
    /// and at least one is `Proven`.
    pub fn all_proven(&self) -> bool {
        self.outcomes.iter().any(|o| o.verdict.is_proven())
            && !self.outcomes.iter().any(|o| o.verdict.blocks_success())
    }
}

/// Serialize durations as fractional seconds: readable and stable in JSON.
mod duration_secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Ok(Duration::try_from_secs_f64(secs).unwrap_or_default())
    }
}
