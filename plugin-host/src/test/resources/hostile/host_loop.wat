;; Never returns, but spends its time in host calls: a kernel function or a granted user function.
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/user" "ping" (func $ping (param i64) (result i64)))
  (func (export "spin_kernel") (result i32)
    (loop $forever
      (drop (call $input_length))
      (br $forever))
    (i32.const 0))
  (func (export "spin_host") (result i32)
    (loop $forever
      (drop (call $ping (i64.const 0)))
      (br $forever))
    (i32.const 0)))
