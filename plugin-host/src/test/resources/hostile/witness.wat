;; Calls the user host function "witness" first thing, so a test can see whether it ran at all.
(module
  (import "extism:host/user" "witness" (func $witness (param i64) (result i64)))
  (func (export "run") (result i32)
    (drop (call $witness (i64.const 0)))
    (i32.const 0)))
