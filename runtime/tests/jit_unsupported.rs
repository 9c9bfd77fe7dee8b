//! Under `Jit`, modules using proposals the compiler does not implement
//! are rejected at `Module::new` with an error naming the operator.

mod jit_util;

use jit_util::jit;
use wasmproof::{Module, ModuleError, ModuleErrorKind};

fn rejected(wat: &str) -> ModuleError {
    Module::new(&jit(), wat)
        .expect_err("rejected")
        .downcast::<ModuleError>()
        .expect("a module error")
}

#[test]
fn bulk_memory_reference_types_and_table_ops_name_the_operator() {
    for (wat, proposal, operator) in [
        (
            "(module (memory 1) (func i32.const 0 i32.const 0 i32.const 0 memory.copy))",
            "bulk_memory",
            "MemoryCopy",
        ),
        (
            "(module (memory 1) (func i32.const 0 i32.const 0 i32.const 0 memory.fill))",
            "bulk_memory",
            "MemoryFill",
        ),
        (
            "(module (func (result i32) ref.null func ref.is_null))",
            "reference_types",
            "RefNull",
        ),
        (
            "(module (table 1 funcref) (func (result i32) table.size 0))",
            "reference_types",
            "TableSize",
        ),
    ] {
        let e = rejected(wat);
        assert_eq!(
            e.kind(),
            &ModuleErrorKind::Unsupported { proposal },
            "{wat}: {e}"
        );
        let text = e.to_string();
        assert!(text.contains(operator), "{wat}: {text}");
        assert!(text.contains("function 0"), "{wat}: {text}");
    }
}

#[test]
fn the_interpreter_still_runs_what_the_jit_rejects() {
    let wat = "(module (memory 1) (func i32.const 0 i32.const 0 i32.const 0 memory.copy))";
    Module::new(&wasmproof::Engine::default(), wat).expect("the interpreter takes it");
    assert!(matches!(
        rejected(wat).kind(),
        ModuleErrorKind::Unsupported { .. }
    ));
}
