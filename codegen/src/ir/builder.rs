//! Building functions: blocks, parameters, and instructions appended to a
//! current block, with result types derived from the opcode.

use super::function::{
    Block, BlockCall, BlockData, Function, Imm, Inst, InstData, Signature, Value, ValueData,
    ValueDef,
};
use super::opcode::Opcode;
use super::types::{FloatCC, IntCC, MemAccess, TrapCode, Type};

/// Appends to a [`Function`]. The entry block exists from the start, with
/// the signature's parameters as its parameters, and is the current block.
pub struct FunctionBuilder {
    func: Function,
    current: Block,
}

impl FunctionBuilder {
    pub fn new(name: impl Into<String>, sig: Signature) -> FunctionBuilder {
        let mut func = Function {
            name: name.into(),
            sig: sig.clone(),
            entry: Block(0),
            blocks: Vec::new(),
            insts: Vec::new(),
            values: Vec::new(),
        };
        func.blocks.push(BlockData::default());
        let mut b = FunctionBuilder {
            func,
            current: Block(0),
        };
        for ty in sig.params {
            b.append_block_param(Block(0), ty);
        }
        b
    }

    pub fn finish(self) -> Function {
        self.func
    }

    pub fn func(&self) -> &Function {
        &self.func
    }

    pub fn create_block(&mut self) -> Block {
        self.func.blocks.push(BlockData::default());
        Block(self.func.blocks.len() as u32 - 1)
    }

    pub fn append_block_param(&mut self, block: Block, ty: Type) -> Value {
        let n = self.func.blocks[block.index()].params.len();
        let v = self.new_value(ty, ValueDef::Param(block, n));
        self.func.blocks[block.index()].params.push(v);
        v
    }

    pub fn block_params(&self, block: Block) -> &[Value] {
        &self.func.blocks[block.index()].params
    }

    pub fn switch_to(&mut self, block: Block) {
        self.current = block;
    }

    pub fn current_block(&self) -> Block {
        self.current
    }

    pub fn value_type(&self, v: Value) -> Type {
        self.func.value_type(v)
    }

    fn new_value(&mut self, ty: Type, def: ValueDef) -> Value {
        self.func.values.push(ValueData { ty, def });
        Value(self.func.values.len() as u32 - 1)
    }

    /// Appends an instruction to the current block; its results get the
    /// given types. Returns the results.
    pub fn build(
        &mut self,
        opcode: Opcode,
        ty: Option<Type>,
        args: Vec<Value>,
        imm: Imm,
        dests: Vec<BlockCall>,
        result_types: &[Type],
    ) -> Vec<Value> {
        let inst = Inst(self.func.insts.len() as u32);
        let results: Vec<Value> = result_types
            .iter()
            .enumerate()
            .map(|(i, &t)| self.new_value(t, ValueDef::Result(inst, i)))
            .collect();
        self.func.insts.push(InstData {
            opcode,
            ty,
            args,
            imm,
            dests,
            results: results.clone(),
        });
        self.func.blocks[self.current.index()].insts.push(inst);
        results
    }

    /// An op with one result of type `ty`.
    fn one(&mut self, opcode: Opcode, ty: Type, args: Vec<Value>, imm: Imm) -> Value {
        self.build(opcode, Some(ty), args, imm, Vec::new(), &[ty])[0]
    }

    // ---- value-producing ops ----

    pub fn iconst(&mut self, ty: Type, value: i64) -> Value {
        self.one(Opcode::Iconst, ty, vec![], Imm::Int(value))
    }
    pub fn fconst(&mut self, ty: Type, bits: u64) -> Value {
        self.one(Opcode::Fconst, ty, vec![], Imm::FloatBits(bits))
    }
    /// A unary op whose result has the operand's type.
    pub fn unary(&mut self, opcode: Opcode, x: Value) -> Value {
        let ty = self.value_type(x);
        self.one(opcode, ty, vec![x], Imm::None)
    }
    /// A binary op whose result has the operands' type.
    pub fn binary(&mut self, opcode: Opcode, x: Value, y: Value) -> Value {
        let ty = self.value_type(x);
        self.one(opcode, ty, vec![x, y], Imm::None)
    }
    pub fn icmp(&mut self, cc: IntCC, x: Value, y: Value) -> Value {
        self.one(Opcode::Icmp, Type::I32, vec![x, y], Imm::IntCC(cc))
    }
    pub fn fcmp(&mut self, cc: FloatCC, x: Value, y: Value) -> Value {
        self.one(Opcode::Fcmp, Type::I32, vec![x, y], Imm::FloatCC(cc))
    }
    /// A conversion of `x` to `to`.
    pub fn convert(&mut self, opcode: Opcode, to: Type, x: Value) -> Value {
        self.one(opcode, to, vec![x], Imm::None)
    }
    pub fn sextend(&mut self, to: Type, from_bits: u8, x: Value) -> Value {
        self.one(Opcode::Sextend, to, vec![x], Imm::ExtendFrom(from_bits))
    }
    pub fn select(&mut self, c: Value, x: Value, y: Value) -> Value {
        let ty = self.value_type(x);
        self.one(Opcode::Select, ty, vec![c, x, y], Imm::None)
    }
    pub fn heap_addr(&mut self, index: Value, offset: u64, size: u8) -> Value {
        self.one(
            Opcode::HeapAddr,
            Type::POINTER,
            vec![index],
            Imm::Heap { offset, size },
        )
    }
    pub fn load(&mut self, ty: Type, access: MemAccess, addr: Value) -> Value {
        self.one(Opcode::Load, ty, vec![addr], Imm::Access(access))
    }
    pub fn store(&mut self, access: MemAccess, addr: Value, value: Value) {
        let ty = self.value_type(value);
        self.build(
            Opcode::Store,
            Some(ty),
            vec![addr, value],
            Imm::Access(access),
            vec![],
            &[],
        );
    }
    pub fn memory_size(&mut self) -> Value {
        self.one(Opcode::MemorySize, Type::I32, vec![], Imm::None)
    }
    pub fn memory_grow(&mut self, delta: Value) -> Value {
        self.one(Opcode::MemoryGrow, Type::I32, vec![delta], Imm::None)
    }
    pub fn global_get(&mut self, ty: Type, index: u32) -> Value {
        self.one(Opcode::GlobalGet, ty, vec![], Imm::Global(index))
    }
    pub fn global_set(&mut self, index: u32, value: Value) {
        let ty = self.value_type(value);
        self.build(
            Opcode::GlobalSet,
            Some(ty),
            vec![value],
            Imm::Global(index),
            vec![],
            &[],
        );
    }
    pub fn call(&mut self, func: u32, sig: Signature, args: Vec<Value>) -> Vec<Value> {
        let results = sig.results.clone();
        self.build(
            Opcode::Call,
            None,
            args,
            Imm::Call { func, sig },
            vec![],
            &results,
        )
    }
    /// `args` are the call's arguments; `callee` the table index (last operand).
    pub fn call_indirect(
        &mut self,
        type_index: u32,
        table: u32,
        sig: Signature,
        mut args: Vec<Value>,
        callee: Value,
    ) -> Vec<Value> {
        let results = sig.results.clone();
        args.push(callee);
        self.build(
            Opcode::CallIndirect,
            None,
            args,
            Imm::CallIndirect {
                type_index,
                table,
                sig,
            },
            vec![],
            &results,
        )
    }

    // ---- checks ----

    pub fn trapnz(&mut self, cond: Value, code: TrapCode) {
        let ty = self.value_type(cond);
        self.build(
            Opcode::Trapnz,
            Some(ty),
            vec![cond],
            Imm::Trap(code),
            vec![],
            &[],
        );
    }
    pub fn check(&mut self, opcode: Opcode) {
        self.build(opcode, None, vec![], Imm::None, vec![], &[]);
    }

    // ---- terminators ----

    pub fn jump(&mut self, dest: Block, args: Vec<Value>) {
        self.build(
            Opcode::Jump,
            None,
            vec![],
            Imm::None,
            vec![BlockCall { block: dest, args }],
            &[],
        );
    }
    pub fn brif(&mut self, cond: Value, then: BlockCall, else_: BlockCall) {
        self.build(
            Opcode::Brif,
            None,
            vec![cond],
            Imm::None,
            vec![then, else_],
            &[],
        );
    }
    pub fn br_table(&mut self, index: Value, default: BlockCall, targets: Vec<BlockCall>) {
        let mut dests = vec![default];
        dests.extend(targets);
        self.build(Opcode::BrTable, None, vec![index], Imm::None, dests, &[]);
    }
    pub fn ret(&mut self, values: Vec<Value>) {
        self.build(Opcode::Return, None, values, Imm::None, vec![], &[]);
    }
    pub fn trap(&mut self, code: TrapCode) {
        self.build(Opcode::Trap, None, vec![], Imm::Trap(code), vec![], &[]);
    }
}
