;; Allocates 1 MiB kernel blocks through the Extism ABI until something stops it.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (func (export "bomb") (result i32)
    (loop $more
      (drop (call $alloc (i64.const 1048576)))
      (br $more))
    (i32.const 0)))
