;; Fixtures for the benchmarks: an Extism echo, a raw echo for plain Chicory, and compute kernels.
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 2)

  ;; A trivial Extism export: no input, no output (instantiation and pool checkout cost).
  (func (export "noop") (result i32) (i32.const 0))

  ;; Extism echo, copying 8 bytes per kernel call as the PDKs do.
  (func (export "echo") (result i32)
    (local $n i64) (local $i i64) (local $buf i64)
    (local.set $n (call $input_length))
    (local.set $buf (call $alloc (local.get $n)))
    (block $done
      (loop $words
        (br_if $done (i64.gt_u (i64.add (local.get $i) (i64.const 8)) (local.get $n)))
        (call $store_u64 (i64.add (local.get $buf) (local.get $i)) (call $input_load_u64 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 8)))
        (br $words)))
    (block $tail_done
      (loop $bytes
        (br_if $tail_done (i64.ge_u (local.get $i) (local.get $n)))
        (call $store_u8 (i64.add (local.get $buf) (local.get $i)) (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $bytes)))
    (call $output_set (local.get $buf) (local.get $n))
    (i32.const 0))

  ;; Raw echo for plain Chicory: copy len bytes from src to dst in linear memory.
  (func (export "raw_copy") (param $src i32) (param $len i32) (param $dst i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $len)))

  ;; Tight integer loop: sum of i*i mod 7 for i < n.
  (func (export "sum_loop") (param $n i64) (result i64)
    (local $i i64) (local $acc i64)
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (i64.rem_u (i64.mul (local.get $i) (local.get $i)) (i64.const 7))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $acc))

  ;; Recursive Fibonacci over i64 (metered, its fuel goes back through the global).
  (func $fib (export "fib") (param $n i64) (result i64)
    (if (result i64) (i64.lt_u (local.get $n) (i64.const 2))
      (then (local.get $n))
      (else (i64.add (call $fib (i64.sub (local.get $n) (i64.const 1)))
                     (call $fib (i64.sub (local.get $n) (i64.const 2)))))))

  ;; The same over i32 (metered, its fuel comes back packed with the result).
  (func $fib32 (export "fib32") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib32 (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib32 (i32.sub (local.get $n) (i32.const 2))))))))
