//! The textual form of a function, for tests and debugging:
//!
//! ```text
//! function f(i32) -> i32 {
//! block0(v0: i32):
//!     v1 = iconst.i32 1
//!     v2 = iadd.i32 v0, v1
//!     return v2
//! }
//! ```

use std::fmt::{self, Write};

use super::function::{BlockCall, Function, Imm, InstData, Signature};

fn write_list<T: fmt::Display>(out: &mut String, items: &[T]) -> fmt::Result {
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write!(out, "{x}")?;
    }
    Ok(())
}

fn write_sig(out: &mut String, sig: &Signature) -> fmt::Result {
    out.push('(');
    write_list(out, &sig.params)?;
    out.push_str(") -> (");
    write_list(out, &sig.results)?;
    out.push(')');
    Ok(())
}

fn write_block_call(out: &mut String, call: &BlockCall) -> fmt::Result {
    write!(out, "{}(", call.block)?;
    write_list(out, &call.args)?;
    out.push(')');
    Ok(())
}

fn write_inst(out: &mut String, inst: &InstData) -> fmt::Result {
    if !inst.results.is_empty() {
        write_list(out, &inst.results)?;
        out.push_str(" = ");
    }
    out.push_str(inst.opcode.name());
    if let Some(ty) = inst.ty {
        write!(out, ".{ty}")?;
    }
    // Immediates first, then operands, then branch targets.
    let mut parts: Vec<String> = Vec::new();
    match &inst.imm {
        Imm::None => {}
        Imm::Int(v) => parts.push(format!("{v}")),
        Imm::FloatBits(b) => parts.push(format!("{b:#x}")),
        Imm::IntCC(cc) => parts.push(cc.name().to_string()),
        Imm::FloatCC(cc) => parts.push(cc.name().to_string()),
        Imm::ExtendFrom(b) => parts.push(format!("from{b}")),
        Imm::Heap { offset, size } => parts.push(format!("offset={offset} size={size}")),
        Imm::Access(a) => parts.push(format!(
            "{}{}",
            if a.signed { "s" } else { "u" },
            u32::from(a.bytes) * 8
        )),
        Imm::Global(g) => parts.push(format!("global{g}")),
        Imm::Call { func, sig } => {
            let mut s = format!("func{func} ");
            write_sig(&mut s, sig)?;
            parts.push(s);
        }
        Imm::CallIndirect {
            type_index,
            table,
            sig,
        } => {
            let mut s = format!("type{type_index} table{table} ");
            write_sig(&mut s, sig)?;
            parts.push(s);
        }
        Imm::Trap(code) => parts.push(code.name().to_string()),
    }
    parts.extend(inst.args.iter().map(|a| a.to_string()));
    for d in &inst.dests {
        let mut s = String::new();
        write_block_call(&mut s, d)?;
        parts.push(s);
    }
    if !parts.is_empty() {
        out.push(' ');
        out.push_str(&parts.join(", "));
    }
    Ok(())
}

/// The function as text.
pub fn print_function(func: &Function) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_function(&mut out, func);
    out
}

fn write_function(out: &mut String, func: &Function) -> fmt::Result {
    write!(out, "function {}", func.name)?;
    write_sig(out, &func.sig)?;
    out.push_str(" {\n");
    for b in func.block_ids() {
        let data = func.block(b);
        write!(out, "{b}(")?;
        for (i, p) in data.params.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write!(out, "{p}: {}", func.value_type(*p))?;
        }
        out.push_str("):\n");
        for &i in &data.insts {
            out.push_str("    ");
            write_inst(out, func.inst(i))?;
            out.push('\n');
        }
    }
    out.push_str("}\n");
    Ok(())
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&print_function(self))
    }
}
