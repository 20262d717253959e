;; Grows linear memory one page at a time until refused. "grow_trap" then traps; "grow_graceful"
;; reports how many pages it got.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory 1)
  (func (export "grow_trap") (result i32)
    (loop $more
      (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    unreachable)
  (func (export "grow_graceful") (result i32)
    (local $blk i64)
    ;; take the output block first: afterwards every byte of the budget may be linear memory
    (local.set $blk (call $alloc (i64.const 8)))
    (loop $more
      (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    (call $store_u64 (local.get $blk) (i64.extend_i32_u (memory.size)))
    (call $output_set (local.get $blk) (i64.const 8))
    (i32.const 0)))
