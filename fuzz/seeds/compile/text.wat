(module (memory (export "m") 1 2) (func (export "f") (param i32) (result i32)
  local.get 0 i32.const 1 i32.sub))
