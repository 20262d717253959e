;; Stores 4 KiB vars under ever new keys until refused.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
  (func (export "bomb") (result i32)
    (local $key i64) (local $value i64) (local $n i64)
    (local.set $key (call $alloc (i64.const 8)))
    (local.set $value (call $alloc (i64.const 4096)))
    (loop $more
      (local.set $n (i64.add (local.get $n) (i64.const 1)))
      (call $store_u64 (local.get $key) (i64.add (i64.const 0x3030303030303030) (local.get $n)))
      (call $var_set (local.get $key) (local.get $value))
      (br $more))
    (i32.const 0)))
