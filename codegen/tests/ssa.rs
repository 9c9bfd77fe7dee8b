//! The SSA minimization pass (`ir::ssa::minimize`): which block parameters
//! it removes and which it must keep, on hand-built IR and on translated
//! Wasm. That the minimized IR still computes the same results is checked
//! by `translate.rs` (IR against the reference interpreter) and by every
//! JIT test, since translation always minimizes.

use wasmproof_codegen::ir::{
    Block, BlockCall, Function, FunctionBuilder, Opcode, Signature, Type, print_function, ssa,
    verify_function,
};
use wasmproof_codegen::translate::{TranslateOptions, translate_module};

fn call(block: Block, args: Vec<wasmproof_codegen::ir::Value>) -> BlockCall {
    BlockCall { block, args }
}

fn sig(params: Vec<Type>, results: Vec<Type>) -> Signature {
    Signature { params, results }
}

fn params(f: &Function, b: Block) -> usize {
    f.block(b).params.len()
}

fn minimized(mut f: Function) -> Function {
    ssa::minimize(&mut f);
    if let Err(e) = verify_function(&f) {
        panic!("{e}\n{}", print_function(&f));
    }
    f
}

/// `loop(p) { if c: continue(p) } return p`: p is only ever v0.
#[test]
fn a_parameter_that_only_passes_itself_along_becomes_its_value() {
    let mut b = FunctionBuilder::new("f", sig(vec![Type::I32], vec![Type::I32]));
    let v0 = b.block_params(Block(0))[0];
    let (head, exit) = (b.create_block(), b.create_block());
    b.jump(head, vec![v0]);
    let p = b.append_block_param(head, Type::I32);
    let q = b.append_block_param(exit, Type::I32);
    b.switch_to(head);
    b.brif(p, call(head, vec![p]), call(exit, vec![p]));
    b.switch_to(exit);
    b.ret(vec![q]);
    let f = minimized(b.finish());
    assert_eq!((params(&f, head), params(&f, exit)), (0, 0));
    let ret = f.terminator(exit).expect("return");
    assert_eq!(ret.args, vec![v0], "{}", print_function(&f));
    let brif = f.terminator(head).expect("brif");
    assert_eq!(brif.args, vec![v0]);
    assert!(brif.dests.iter().all(|d| d.args.is_empty()));
}

/// A counter that changes around the loop stays a parameter; a value that
/// is carried around but never read goes.
#[test]
fn a_changing_value_stays_and_an_unread_one_goes() {
    let mut b = FunctionBuilder::new("f", sig(vec![Type::I32, Type::I64], vec![Type::I32]));
    let (v0, v1) = (b.block_params(Block(0))[0], b.block_params(Block(0))[1]);
    let (head, exit) = (b.create_block(), b.create_block());
    b.jump(head, vec![v0, v1]);
    let n = b.append_block_param(head, Type::I32);
    let unread = b.append_block_param(head, Type::I64);
    b.switch_to(head);
    let one = b.iconst(Type::I32, 1);
    let next = b.binary(Opcode::Isub, n, one);
    let junk = b.binary(Opcode::Iadd, unread, unread);
    b.brif(next, call(head, vec![next, junk]), call(exit, vec![]));
    b.switch_to(exit);
    b.ret(vec![next]);
    let f = minimized(b.finish());
    assert_eq!(f.block(head).params, vec![n], "{}", print_function(&f));
    // `junk` reads `unread`, so it stays an operand; but the loop's own
    // parameter for it is gone, and so is the argument feeding it.
    assert!(f.block(Block(0)).insts.iter().any(|&i| {
        let d = f.inst(i);
        d.opcode == Opcode::Jump && d.dests[0].args == vec![v0]
    }));
}

/// The incoming values differ (v0 on entry, a sum around the loop): a
/// real phi, kept, even though one edge passes the parameter itself.
#[test]
fn a_real_join_is_kept() {
    let mut b = FunctionBuilder::new("f", sig(vec![Type::I32, Type::I32], vec![Type::I32]));
    let (v0, v1) = (b.block_params(Block(0))[0], b.block_params(Block(0))[1]);
    let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
    b.jump(head, vec![v0]);
    let acc = b.append_block_param(head, Type::I32);
    b.switch_to(head);
    b.brif(v1, call(body, vec![]), call(exit, vec![]));
    b.switch_to(body);
    let sum = b.binary(Opcode::Iadd, acc, v1);
    b.brif(sum, call(head, vec![sum]), call(head, vec![acc]));
    b.switch_to(exit);
    b.ret(vec![acc]);
    let f = minimized(b.finish());
    assert_eq!(f.block(head).params, vec![acc]);
}

/// Nested loops: the inner header's parameter is the outer's, which is v0
/// — removing one makes the other trivial, so both go.
#[test]
fn removal_runs_to_a_fixed_point() {
    let mut b = FunctionBuilder::new("f", sig(vec![Type::I32], vec![Type::I32]));
    let v0 = b.block_params(Block(0))[0];
    let (outer, inner, exit) = (b.create_block(), b.create_block(), b.create_block());
    let done = b.create_block();
    b.jump(outer, vec![v0]);
    let p = b.append_block_param(outer, Type::I32);
    let q = b.append_block_param(inner, Type::I32);
    b.switch_to(outer);
    b.jump(inner, vec![p]);
    b.switch_to(inner);
    b.brif(q, call(inner, vec![q]), call(exit, vec![]));
    b.switch_to(exit);
    b.brif(v0, call(outer, vec![q]), call(done, vec![]));
    b.switch_to(done);
    b.ret(vec![q]);
    let f = minimized(b.finish());
    assert_eq!((params(&f, outer), params(&f, inner)), (0, 0));
    assert_eq!(f.terminator(inner).expect("brif").args, vec![v0]);
}

/// Translated Wasm: a loop over 20 locals of which it changes two keeps
/// exactly the parameters that are read after changing.
#[test]
fn translated_loops_carry_only_the_locals_they_change() {
    let bytes = wat::parse_str(
        r#"(module (func (export "sum") (param $n i32) (result i32)
             (local $i i32) (local $acc i32)
             (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
             (block $done
               (loop $l
                 (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                 (local.set $acc (i32.add (local.get $acc) (local.get $i)))
                 (local.set $i (i32.add (local.get $i) (i32.const 1)))
                 (br $l)))
             (local.get $acc)))"#,
    )
    .expect("wat");
    let t = translate_module(&bytes, &TranslateOptions::default()).expect("translates");
    let f = t.functions[0].as_ref().expect("translated");
    let total: usize = f.blocks.iter().skip(1).map(|b| b.params.len()).sum();
    // The loop header carries $i and $acc; the exit block receives $acc.
    assert!(
        total <= 3,
        "{total} block parameters:\n{}",
        print_function(f)
    );
    let header = f
        .block_ids()
        .find(|&b| params(f, b) == 2)
        .unwrap_or_else(|| panic!("no loop header with 2 params:\n{}", print_function(f)));
    assert!(
        f.block(header)
            .params
            .iter()
            .all(|&p| f.value_type(p) == Type::I32)
    );
}
