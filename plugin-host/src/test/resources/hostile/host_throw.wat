;; Calls the granted user host function "explode", which throws in Java.
(module
  (import "extism:host/user" "explode" (func $explode (param i64) (result i64)))
  (func (export "run") (result i32)
    (drop (call $explode (i64.const 0)))
    (i32.const 0)))
