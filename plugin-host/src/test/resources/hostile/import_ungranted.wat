;; Imports a user host function the policy does not grant.
(module
  (import "extism:host/user" "read_secrets" (func $secrets (param i64) (result i64)))
  (func (export "run") (result i32)
    (drop (call $secrets (i64.const 0)))
    (i32.const 0)))
