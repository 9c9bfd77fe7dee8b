//! `compile_module` compiles functions on every core and links them after:
//! the error it reports and the code map it builds must not depend on
//! which core compiled what.

#[allow(dead_code)] // shared by several test crates, each using part of it
mod jit_harness;

use jit_harness::{Jit, raw, trap_code};
use wasmproof_codegen::{CompileError, CompileOptions, compile_module};
use wasmproof_oracle as oracle;

/// `n` functions; function `i` calls `i + 1` and `i - 1` (when they exist)
/// so every function has forward and backward call relocations; `body(i)`
/// replaces function `i`'s body when it returns `Some`.
fn module(n: usize, body: impl Fn(usize) -> Option<String>) -> Vec<u8> {
    let mut wat = String::from("(module (memory 1)\n");
    for i in 0..n {
        let code = body(i).unwrap_or_else(|| {
            let mut c = String::from("local.get 0 i32.const 1 i32.add");
            if i + 1 < n {
                c += &format!(" (call {} (local.get 0)) i32.add", i + 1);
            }
            if i > 0 {
                c += &format!(" (call {} (local.get 0)) i32.add", i - 1);
            }
            c
        });
        wat += &format!("(func (export \"f{i}\") (param i32) (result i32) {code})\n");
    }
    wat += ")";
    wat::parse_str(&wat).expect("valid text")
}

fn compile(bytes: &[u8]) -> Result<wasmproof_codegen::compile::CompiledModule, CompileError> {
    compile_module(bytes, &CompileOptions::default())
}

#[test]
fn every_function_maps_back_from_its_code() {
    let n = 40;
    let m = compile(&module(n, |_| None)).expect("compiles");
    let (start, len) = m.code_range();
    let entries: Vec<usize> = (0..n as u32)
        .map(|f| m.native_entry(f).expect("defined") as usize)
        .collect();
    for (f, &entry) in entries.iter().enumerate() {
        assert_eq!(m.func_at_pc(entry), Some(f as u32));
        if let Some(&next) = entries.get(f + 1) {
            assert!(next > entry, "functions are laid out in index order");
            assert_eq!(m.func_at_pc(next - 1), Some(f as u32));
        }
    }
    // The stubs follow the functions; they belong to none.
    assert_eq!(m.func_at_pc(start + len - 1), None);
    assert_eq!(m.func_at_pc(start.wrapping_sub(1)), None);
}

#[test]
fn the_first_failing_function_is_reported_whatever_the_scheduling() {
    let unsupported = "i32.const 0 i32.const 0 i32.const 0 memory.fill local.get 0";
    for first in [3, 17, 38] {
        let bytes = module(40, |i| {
            (i == first || i == first + 1).then(|| unsupported.to_string())
        });
        for _ in 0..5 {
            let e = compile(&bytes).expect_err("memory.fill is unsupported");
            let CompileError::Translate(t) = &e else {
                panic!("not a translation error: {e}");
            };
            assert_eq!(t.func_index, Some(first as u32), "{e}");
            assert!(e.unsupported().is_some(), "{e}");
        }
    }
}

#[test]
fn a_body_that_does_not_validate_is_reported_before_any_function_error() {
    // Function 2 is unsupported, function 30 does not validate (an i64
    // where the i32 result is due): the validation error wins, as a
    // module error, as `translate_module` reports it.
    let bytes = module(40, |i| match i {
        2 => Some("i32.const 0 i32.const 0 i32.const 0 memory.fill local.get 0".into()),
        30 => Some("i64.const 0".into()),
        _ => None,
    });
    let from_compile = compile(&bytes).expect_err("invalid");
    let from_translate =
        wasmproof_codegen::translate::translate_module(&bytes, &Default::default())
            .expect_err("invalid");
    assert_eq!(
        from_compile,
        CompileError::Translate(from_translate.clone())
    );
    assert_eq!(from_translate.func_index, None, "{from_translate}");
    assert!(from_compile.unsupported().is_none());
}

/// `f_i(x)`: `i` if `x == 0`, else `f_{i+1}(x - 1) + f_{i-1}(0)`; the
/// last function traps for `x != 0`. Calls go forward and backward across
/// the whole module, traps through each function's jump to the landing.
#[test]
fn linked_calls_and_traps_agree_with_the_oracle() {
    let n = 40;
    let bytes = module(n, |i| {
        let forward = if i + 1 < n {
            format!("(call {} (i32.sub (local.get 0) (i32.const 1)))", i + 1)
        } else {
            "unreachable".into()
        };
        let backward = if i > 0 {
            format!("(call {} (i32.const 0))", i - 1)
        } else {
            "(i32.const 0)".into()
        };
        Some(format!(
            "(if (result i32) (i32.eqz (local.get 0)) (then (i32.const {i})) \
             (else (i32.add {forward} {backward})))"
        ))
    });
    let module = oracle::Module::new(&bytes).expect("oracle accepts");
    let mut store = oracle::Store::new(());
    let inst = store.instantiate(&module, &[]).expect("instantiates");
    let mut jit = Jit::new(&bytes, &CompileOptions::default());
    for (f, x) in [
        (0, 0),
        (0, 1),
        (0, 39),
        (0, 40),
        (5, 20),
        (38, 1),
        (38, 2),
        (39, 0),
    ] {
        let name = format!("f{f}");
        let Some(oracle::Extern::Func(func)) = store.get_export(inst, &name) else {
            panic!("no export {name}");
        };
        let expected = store
            .invoke(func, &[oracle::Value::I32(x)])
            .map(|v| v.iter().map(|&v| raw(v)).collect::<Vec<_>>())
            .map_err(|t| trap_code(t.kind));
        assert_eq!(jit.call(&name, &[x as u32 as u64]), expected, "{name}({x})");
    }
}
