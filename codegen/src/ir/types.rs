//! The IR's value types and the small enums its instructions carry
//! (condition codes, trap codes, memory access kinds).

use std::fmt;

/// The type of an IR value. Wasm's four number types; pointer-sized values
/// (addresses) are `I64`, since the only target is 64-bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    I32,
    I64,
    F32,
    F64,
}

impl Type {
    /// The pointer-sized integer type.
    pub const POINTER: Type = Type::I64;

    pub fn bits(self) -> u32 {
        match self {
            Type::I32 | Type::F32 => 32,
            Type::I64 | Type::F64 => 64,
        }
    }
    pub fn is_int(self) -> bool {
        matches!(self, Type::I32 | Type::I64)
    }
    pub fn is_float(self) -> bool {
        !self.is_int()
    }
    pub fn name(self) -> &'static str {
        match self {
            Type::I32 => "i32",
            Type::I64 => "i64",
            Type::F32 => "f32",
            Type::F64 => "f64",
        }
    }
    /// The integer type of the same width (the `bitcast` partner).
    pub fn same_width_int(self) -> Type {
        if self.bits() == 32 {
            Type::I32
        } else {
            Type::I64
        }
    }
    /// The float type of the same width (the `bitcast` partner).
    pub fn same_width_float(self) -> Type {
        if self.bits() == 32 {
            Type::F32
        } else {
            Type::F64
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Integer comparison condition codes (`icmp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntCC {
    Eq,
    Ne,
    Slt,
    Sgt,
    Sle,
    Sge,
    Ult,
    Ugt,
    Ule,
    Uge,
}

impl IntCC {
    pub const ALL: [IntCC; 10] = [
        IntCC::Eq,
        IntCC::Ne,
        IntCC::Slt,
        IntCC::Sgt,
        IntCC::Sle,
        IntCC::Sge,
        IntCC::Ult,
        IntCC::Ugt,
        IntCC::Ule,
        IntCC::Uge,
    ];
    pub fn name(self) -> &'static str {
        match self {
            IntCC::Eq => "eq",
            IntCC::Ne => "ne",
            IntCC::Slt => "slt",
            IntCC::Sgt => "sgt",
            IntCC::Sle => "sle",
            IntCC::Sge => "sge",
            IntCC::Ult => "ult",
            IntCC::Ugt => "ugt",
            IntCC::Ule => "ule",
            IntCC::Uge => "uge",
        }
    }
}

/// Float comparison condition codes (`fcmp`), with Wasm's meaning: every
/// comparison with a NaN operand is false, except `ne`, which is true.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatCC {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

impl FloatCC {
    pub const ALL: [FloatCC; 6] = [
        FloatCC::Eq,
        FloatCC::Ne,
        FloatCC::Lt,
        FloatCC::Gt,
        FloatCC::Le,
        FloatCC::Ge,
    ];
    pub fn name(self) -> &'static str {
        match self {
            FloatCC::Eq => "eq",
            FloatCC::Ne => "ne",
            FloatCC::Lt => "lt",
            FloatCC::Gt => "gt",
            FloatCC::Le => "le",
            FloatCC::Ge => "ge",
        }
    }
}

/// Why generated code traps. The numbering is what `ir.isle` uses for its
/// `ir_trap` state (0 means "no trap"), so keep the two in step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapCode {
    Unreachable = 1,
    IntegerDivideByZero = 2,
    IntegerOverflow = 3,
    BadConversionToInteger = 4,
    MemoryOutOfBounds = 5,
    IndirectCallTypeMismatch = 6,
    /// `call_indirect` with an index outside the table.
    UndefinedElement = 7,
    /// `call_indirect` to a null table entry.
    UninitializedElement = 8,
    StackOverflow = 9,
    OutOfFuel = 10,
    Interrupted = 11,
}

impl TrapCode {
    pub fn name(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::IntegerDivideByZero => "int_divz",
            TrapCode::IntegerOverflow => "int_ovf",
            TrapCode::BadConversionToInteger => "bad_toint",
            TrapCode::MemoryOutOfBounds => "heap_oob",
            TrapCode::IndirectCallTypeMismatch => "bad_sig",
            TrapCode::UndefinedElement => "table_oob",
            TrapCode::UninitializedElement => "null_elem",
            TrapCode::StackOverflow => "stk_ovf",
            TrapCode::OutOfFuel => "out_of_fuel",
            TrapCode::Interrupted => "interrupt",
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a `load` reads: `bytes` bytes, extended to the result type by zero
/// or sign extension when narrower.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemAccess {
    /// 1, 2, 4 or 8.
    pub bytes: u8,
    /// Sign-extend a narrow load (ignored for full-width accesses and stores).
    pub signed: bool,
}
