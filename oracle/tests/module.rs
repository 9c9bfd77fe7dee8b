//! Decoding and validation: supported features, unsupported proposals by
//! name, invalid modules with wasmparser's message, the name section.

use wasmproof_oracle::{ExternType, Module, ModuleErrorKind, ValType};

fn parse(wat: &str) -> Result<Module, wasmproof_oracle::ModuleError> {
    Module::new(&wat::parse_str(wat).unwrap())
}

fn proposal(wat: &str) -> &'static str {
    match parse(wat) {
        Err(e) => match e.kind {
            ModuleErrorKind::Unsupported { proposal } => proposal,
            ModuleErrorKind::Invalid => panic!("invalid: {e}"),
        },
        Ok(_) => panic!("accepted: {wat}"),
    }
}

#[test]
fn unsupported_proposals_are_named() {
    assert_eq!(
        proposal(r#"(module (func (result v128) (v128.const i64x2 0 0)))"#),
        "simd"
    );
    assert_eq!(proposal(r#"(module (memory i64 1))"#), "memory64");
    assert_eq!(
        proposal(r#"(module (memory 1) (memory 1))"#),
        "multi-memory"
    );
    assert_eq!(
        proposal(r#"(module (func $f (return_call $f)))"#),
        "tail-call"
    );
    assert_eq!(
        proposal(r#"(module (global i32 (i32.add (i32.const 1) (i32.const 2))))"#),
        "extended-const"
    );
    assert_eq!(proposal(r#"(module (tag))"#), "exceptions");
    assert_eq!(proposal(r#"(module (type $s (struct)))"#), "gc");
    assert_eq!(
        proposal(r#"(module (func (param (ref func))))"#),
        "function-references"
    );
    assert_eq!(proposal(r#"(module (memory 1 1 shared))"#), "threads");
    assert_eq!(
        proposal(
            r#"(module (func (param i64 i64 i64 i64) (result i64 i64) (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3))))"#
        ),
        "wide-arithmetic"
    );
}

#[test]
fn invalid_modules_carry_wasmparser_message_and_offset() {
    let e = parse(r#"(module (func (result i32) (i64.const 0)))"#).unwrap_err();
    assert_eq!(e.kind, ModuleErrorKind::Invalid);
    assert!(e.message.contains("type mismatch"), "{e}");
    assert!(e.offset > 0);
    let e = Module::new(b"\0asm\x02\0\0\0").unwrap_err();
    assert_eq!(e.kind, ModuleErrorKind::Invalid);
    let e = Module::new(b"not wasm").unwrap_err();
    assert_eq!(e.kind, ModuleErrorKind::Invalid);
}

#[test]
fn wasm2_features_validate() {
    parse(
        r#"(module
          (import "m" "g" (global (mut i32)))
          (table 1 externref)
          (memory 1)
          (data $d "")
          (func (param i32) (result i32 i32)
            (i32.extend8_s (local.get 0))
            (i32.trunc_sat_f32_s (f32.const 1))
            (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))
            (data.drop $d)
            (drop (table.get 0 (i32.const 0)))))"#,
    )
    .unwrap();
}

#[test]
fn names_and_import_descriptions() {
    let m = parse(
        r#"(module $named
          (import "env" "f" (func $imported (param i64)))
          (func $local)
          (func))"#,
    )
    .unwrap();
    assert_eq!(m.name(), Some("named"));
    assert_eq!(m.func_name(0), Some("imported"));
    assert_eq!(m.func_name(1), Some("local"));
    assert_eq!(m.func_name(2), None);
    assert_eq!(m.imports().len(), 1);
    assert_eq!(m.imports()[0].module, "env");
    assert_eq!(
        m.imports()[0].ty,
        ExternType::Func(wasmproof_oracle::FuncType {
            params: vec![ValType::I64],
            results: vec![]
        })
    );
    fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<Module>();
}
