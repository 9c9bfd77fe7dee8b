//! The opcode table: one line per IR operation, naming the `ir.isle` term it
//! corresponds to (1:1 — a test checks every name here is declared there)
//! and its class, from which the printer, the well-formedness verifier and
//! the evaluator take their shape. Adding an op is adding a line here, a
//! `decl`+`spec` in `ir.isle`, and an arm in `eval.rs`.

use std::fmt;

/// The shape of an operation: what it takes and what it yields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpClass {
    /// No operands, one result of the controlling type (`iconst`, `fconst`).
    Const,
    /// One operand, one result, both of the controlling integer type.
    IntUnary,
    /// Two operands and the result of the controlling integer type.
    IntBinary,
    /// Like `IntBinary`, but traps (division and remainder).
    IntBinaryTrapping,
    /// One operand, one result, both of the controlling float type.
    FloatUnary,
    /// Two operands and the result of the controlling float type.
    FloatBinary,
    /// Two operands of one type, an `i32` 0/1 result.
    Compare,
    /// One operand, one result of another type (extensions, conversions).
    Convert,
    /// A conversion that traps (float to int, non-saturating).
    ConvertTrapping,
    /// `select c, x, y`: `x` if `c != 0`, else `y`.
    Select,
    /// Linear memory: address computation with its bounds check, loads, stores
    /// and the size/grow operations.
    Memory,
    /// Global variables.
    Global,
    /// Calls (results as the callee's signature says).
    Call,
    /// Ends a block.
    Terminator,
    /// A side-effecting check that may trap (`trapnz`, fuel, epoch).
    Check,
}

macro_rules! opcodes {
    ($( $op:ident $name:literal $class:ident; )*) => {
        /// An IR operation. The variant's `name()` is its `ir.isle` term.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Opcode { $( $op, )* }

        impl Opcode {
            /// Every opcode, in table order.
            pub const ALL: &'static [Opcode] = &[$( Opcode::$op, )*];

            /// The term's name in `ir.isle` and in printed IR.
            pub fn name(self) -> &'static str {
                match self { $( Opcode::$op => $name, )* }
            }

            pub fn class(self) -> OpClass {
                match self { $( Opcode::$op => OpClass::$class, )* }
            }
        }
    };
}

opcodes! {
    // ---- constants ----
    Iconst         "iconst"            Const;
    Fconst         "fconst"            Const;
    // ---- integer arithmetic and bitwise ----
    Iadd           "iadd"              IntBinary;
    Isub           "isub"              IntBinary;
    Imul           "imul"              IntBinary;
    Udiv           "udiv"              IntBinaryTrapping;
    Sdiv           "sdiv"              IntBinaryTrapping;
    Urem           "urem"              IntBinaryTrapping;
    Srem           "srem"              IntBinaryTrapping;
    Band           "band"              IntBinary;
    Bor            "bor"               IntBinary;
    Bxor           "bxor"              IntBinary;
    Ishl           "ishl"              IntBinary;
    Ushr           "ushr"              IntBinary;
    Sshr           "sshr"              IntBinary;
    Rotl           "rotl"              IntBinary;
    Rotr           "rotr"              IntBinary;
    Clz            "clz"               IntUnary;
    Ctz            "ctz"               IntUnary;
    Popcnt         "popcnt"            IntUnary;
    Icmp           "icmp"              Compare;
    // ---- integer width changes ----
    Uextend        "uextend"           Convert;
    Sextend        "sextend"           Convert;
    Ireduce        "ireduce"           Convert;
    // ---- floating point ----
    Fadd           "fadd"              FloatBinary;
    Fsub           "fsub"              FloatBinary;
    Fmul           "fmul"              FloatBinary;
    Fdiv           "fdiv"              FloatBinary;
    Fmin           "fmin"              FloatBinary;
    Fmax           "fmax"              FloatBinary;
    Fcopysign      "fcopysign"         FloatBinary;
    Fabs           "fabs"              FloatUnary;
    Fneg           "fneg"              FloatUnary;
    Sqrt           "sqrt"              FloatUnary;
    Ceil           "ceil"              FloatUnary;
    Floor          "floor"             FloatUnary;
    Trunc          "trunc"             FloatUnary;
    Nearest        "nearest"           FloatUnary;
    Fcmp           "fcmp"              Compare;
    // ---- conversions ----
    FcvtToUint     "fcvt_to_uint"      ConvertTrapping;
    FcvtToSint     "fcvt_to_sint"      ConvertTrapping;
    FcvtToUintSat  "fcvt_to_uint_sat"  Convert;
    FcvtToSintSat  "fcvt_to_sint_sat"  Convert;
    FcvtFromUint   "fcvt_from_uint"    Convert;
    FcvtFromSint   "fcvt_from_sint"    Convert;
    Fpromote       "fpromote"          Convert;
    Fdemote        "fdemote"           Convert;
    Bitcast        "bitcast"           Convert;
    // ---- data movement ----
    Select         "select"            Select;
    // ---- linear memory ----
    HeapAddr       "heap_addr"         Memory;
    Load           "load"              Memory;
    Store          "store"             Memory;
    MemorySize     "memory_size"       Memory;
    MemoryGrow     "memory_grow"       Memory;
    // ---- globals ----
    GlobalGet      "global_get"        Global;
    GlobalSet      "global_set"        Global;
    // ---- calls ----
    Call           "call"              Call;
    CallIndirect   "call_indirect"     Call;
    // ---- control flow ----
    Jump           "jump"              Terminator;
    Brif           "brif"              Terminator;
    BrTable        "br_table"          Terminator;
    Return         "return"            Terminator;
    Trap           "trap"              Terminator;
    // ---- checks ----
    Trapnz         "trapnz"            Check;
    FuelCheck      "fuel_check"        Check;
    EpochCheck     "epoch_check"       Check;
}

impl Opcode {
    pub fn is_terminator(self) -> bool {
        self.class() == OpClass::Terminator
    }

    /// Whether executing the op may trap (calls may trap inside the callee).
    pub fn can_trap(self) -> bool {
        matches!(
            self.class(),
            OpClass::IntBinaryTrapping | OpClass::ConvertTrapping | OpClass::Check | OpClass::Call
        ) || matches!(self, Opcode::HeapAddr | Opcode::Trap)
    }
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
